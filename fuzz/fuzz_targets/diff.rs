//! Arbitrary bytes, decoded lossily, diffed against themselves and against
//! their formatted version. Oracles: a ruleset has no drift from itself,
//! and formatting is never drift (check errors, reported for each node,
//! are not drift). The oracle is `pfconf_fuzz::oracles::diff`, shared
//! with the `structured` target.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::fmt::{format_str, FormatOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let formatted = format_str("a.conf", &text, &FormatOptions::default()).ok();
    pfconf_fuzz::oracles::diff(&text, formatted.as_deref());
});
