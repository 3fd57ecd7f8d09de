//! Arbitrary bytes, decoded lossily, diffed against themselves and against
//! their formatted version. Oracles: a ruleset has no drift from itself,
//! and formatting is never drift (check errors, reported for each node,
//! are not drift).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::diff::{compare_rulesets, DifferenceKind};
use pfconf::fmt::{format_str, FormatOptions};
use pfconf::MemoryLoader;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let loader = MemoryLoader::default();
    let p = compare_rulesets(("a.conf", &text), ("b.conf", &text), &loader, &loader, &[]);
    let drift: Vec<_> = p
        .differences
        .iter()
        .filter(|d| d.kind != DifferenceKind::Error)
        .collect();
    assert!(drift.is_empty(), "a ruleset drifts from itself: {drift:?}");
    assert_eq!(p.text_a, p.text_b);
    if let Ok(out) = format_str("a.conf", &text, &FormatOptions::default()) {
        let p = compare_rulesets(("a.conf", &text), ("b.conf", &out), &loader, &loader, &[]);
        let drift: Vec<_> = p
            .differences
            .iter()
            .filter(|d| d.kind != DifferenceKind::Error)
            .collect();
        assert!(
            drift.is_empty(),
            "formatting is drift: {drift:?}\n--- formatted\n{out}"
        );
    }
});
