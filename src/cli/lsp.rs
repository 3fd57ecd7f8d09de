//! `pfconf lsp`: the language server on standard input and output
//! ([`pfconf::lsp`]). Exit status as the protocol asks: 0 after `shutdown`
//! and `exit`, 1 when `exit` (or the end of the input) comes without
//! `shutdown`; 2 when a pipe failed.

use super::*;

pub(crate) fn run() -> ExitCode {
    match pfconf::lsp::run_stdio() {
        Ok(ending) => ExitCode::from(ending.exit_code()),
        Err(e) => fail(&format!("lsp: {e}")),
    }
}
