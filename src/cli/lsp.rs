//! `pfconf lsp`: the language server on standard input and output
//! ([`pfconf::lsp`]). Exit status as the protocol asks: 0 after `shutdown`
//! and `exit`, 1 when `exit` (or the end of the input) comes without
//! `shutdown`; 2 when a pipe failed or an option cannot be honoured.

use super::*;

pub(crate) fn run(g: &Global) -> ExitCode {
    // The server speaks the protocol only, and each document finds its
    // own pfconf.toml: options that would change neither are refused
    // rather than ignored.
    if let Err(e) = g.style.format_for("lsp", &[OutputFormat::Full]) {
        return fail(&e);
    }
    if g.config.is_some() {
        return fail(
            "`lsp` reads the pfconf.toml of each document's directory; it takes no --config",
        );
    }
    if g.stdin_name.is_some() {
        return fail("`lsp` names documents by their URIs; it takes no --stdin-filename");
    }
    match pfconf::lsp::run_stdio() {
        Ok(ending) => ExitCode::from(ending.exit_code()),
        Err(e) => fail(&format!("lsp: {e}")),
    }
}
