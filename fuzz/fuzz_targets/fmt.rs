//! Arbitrary bytes, decoded lossily, through the formatter. Oracles: the
//! output means what the input means and keeps its comments
//! (`fmt::verify`, which resolves both files in full), and formatting is
//! idempotent; the same for the safety net (`format_safely`), also as it
//! runs on large files (on two threads, the output digested in two
//! halves). The oracle is `pfconf_fuzz::oracles::fmt`, shared with the
//! `structured` target.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    pfconf_fuzz::oracles::fmt(&text);
});
