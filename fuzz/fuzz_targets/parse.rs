//! Arbitrary bytes, decoded lossily as a caller holding bytes must, through
//! the parser alone: splitting, the pest grammar and AST building.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (map, _ruleset, diagnostics) = pfconf::parse_str("fuzz.conf", &text);
    // Every span must stay inside the text.
    for d in &diagnostics {
        let _ = map.location(d.span);
        let _ = map.slice(d.span);
    }
});
