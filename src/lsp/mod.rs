//! The language server: `pfconf lsp` speaks the Language Server Protocol
//! over standard input and output (feature `lsp`).
//!
//! It serves pf.conf documents (files named `pf.conf`, `*.pf`,
//! `pf.conf.*`, or any document of language `pf`) with what the command
//! line does, through the same library functions:
//!
//! - diagnostics: the checks and lints of `pfconf lint`, at the levels of
//!   the document's `pfconf.toml`, published after each change (debounced,
//!   computed on the latest text only); includes resolve as with `--root`
//!   set to the workspace folder;
//! - formatting of the document or of the statements touching a range,
//!   through the formatter's safety net;
//! - code actions: a finding's fix, a comment suppressing a lint, and the
//!   `pfconf.explain` command (`workspace/executeCommand`);
//! - hover, go to definition, references, rename, document and workspace
//!   symbols, over the document resolved with the files it reads;
//! - completion and semantic tokens, from a lexical scan that works on
//!   half-typed text.
//!
//! Built on rust-analyzer's `lsp-server` (message types and framing) and
//! `lsp-types`; no async runtime: one loop owns the state, a reader, a
//! writer and a diagnostics thread serve it.
//!
//! The modules, each owning one part:
//!
//! | module | owns |
//! |---|---|
//! | `server` | the loop, lifecycle, dispatch tables (`REQUESTS`, `NOTIFICATIONS`), advertised capabilities, diagnostics scheduling, the latest analysis of each document |
//! | `transport` | framing, malformed input answered instead of ending the connection |
//! | `documents` | open documents (latest text only), which files are pf.conf files, file URIs ↔ paths |
//! | `workspace` | workspace folders, the loader (open files first, reads recorded), `pfconf.toml` |
//! | `position` | byte offsets ↔ LSP positions (UTF-16) |
//! | `diagnostics` | a check of one document snapshot, as LSP diagnostics |
//! | `formatting` | whole-document and range formatting as minimal edits |
//! | `analysis` | a document resolved for navigation: every name written, definition or use |
//! | `actions` | code actions and `workspace/executeCommand` |
//! | `hover`, `help` | hover, and a paragraph per keyword |
//! | `node` | the node directory's interfaces and groups, for hover and completion |
//! | `navigation` | definition, references, rename |
//! | `symbols` | the outline and the workspace search |
//! | `completion` | what may be typed at the cursor |
//! | `semantic` | semantic tokens |
//! | `words` | the lexical scan of half-typed text |
//!
//! Invariants: nothing is written to standard output but protocol
//! messages; no request makes the server stop (a panic in a handler is an
//! `InternalError` answer); what is advertised in `initialize` is exactly
//! what the dispatch tables serve.
//!
//! ```no_run
//! // What `pfconf lsp` does:
//! let ending = pfconf::lsp::run_stdio().expect("the client's pipes failed");
//! std::process::exit(ending.exit_code().into());
//! ```

mod actions;
mod analysis;
mod completion;
mod diagnostics;
mod documents;
mod flows;
mod formatting;
mod help;
mod hover;
mod navigation;
mod node;
mod position;
mod semantic;
mod server;
mod symbols;
mod transport;
mod words;
mod workspace;

use std::io;

/// How the server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after `shutdown` (or the input ended after `shutdown`).
    Exit,
    /// `exit` without `shutdown`.
    ExitWithoutShutdown,
    /// The input ended without `exit` (the client went away).
    InputClosed,
}

impl Ending {
    /// The process exit status the protocol asks for: 0 after a
    /// `shutdown`, else 1.
    pub fn exit_code(self) -> u8 {
        match self {
            Ending::Exit => 0,
            Ending::ExitWithoutShutdown | Ending::InputClosed => 1,
        }
    }
}

/// Serves the protocol on standard input and output until `exit` or the
/// end of the input. An error means a pipe failed.
pub fn run_stdio() -> io::Result<Ending> {
    run(io::BufReader::new(io::stdin()), io::stdout())
}

/// Serves the protocol on any pair of streams (a socket, a pipe, memory).
///
/// ```
/// use pfconf::lsp::{run, Ending};
///
/// let frame = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len());
/// let input = [
///     frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#),
///     frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
///     frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
///     frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
/// ]
/// .concat();
/// let ending = run(std::io::Cursor::new(input), std::io::sink()).unwrap();
/// assert_eq!(ending, Ending::Exit);
/// assert_eq!(ending.exit_code(), 0);
/// ```
pub fn run<R, W>(input: R, output: W) -> io::Result<Ending>
where
    R: io::BufRead + Send + 'static,
    W: io::Write + Send + 'static,
{
    server::run(input, output)
}
