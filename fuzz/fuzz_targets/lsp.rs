//! An LSP session (see `src/lsp.rs`): initialize, documents opened and
//! changed with generated rulesets or raw text, every request the server
//! serves (and some it does not), garbage frames, wrong `Content-Length`,
//! shutdown and exit, fed to `pfconf::lsp::run` from memory. Oracles: no
//! panic (a handler's panic aborts under libFuzzer), `run` returns, every
//! output frame is JSON, and every request sent while the stream was in
//! step and before `exit` is answered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf_fuzz::lsp::{run, Session};

fuzz_target!(|session: Session| {
    run(&session);
});
