//! Differential target for the parser's fast path: whenever the
//! hand-written parser answers for a statement, its AST (spans included)
//! must equal the pest grammar's. Panics on any difference.
//!
//! The first byte picks the input form: even, the rest is one statement's
//! text (UTF-8 only); odd, the rest is read as indices into the table of
//! grammar tokens shared with the fast path's tests
//! (`pfconf::parser::tokens`), which reaches deep rules far more often
//! than raw bytes.
//!
//!   cargo +nightly fuzz run fast_path -- -dict=fuzz/pf.dict -max_total_time=300
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::parser::tokens::{self, TOKENS};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = if mode % 2 == 0 {
        match std::str::from_utf8(rest) {
            Ok(t) => t.to_string(),
            Err(_) => return,
        }
    } else {
        // Bytes past the table glue their token to the previous one.
        tokens::statement(rest.iter().map(|&b| {
            let b = usize::from(b);
            (b, b >= TOKENS.len())
        }))
    };
    if let Some(mismatch) = pfconf::parser::fast_path_mismatch(&text) {
        panic!("{mismatch}");
    }
});
