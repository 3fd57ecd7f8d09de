//! Arbitrary bytes, decoded lossily, through the whole pipeline: parse,
//! macro expansion, includes (the input can include itself or a second
//! file), checks, and the rendering of every diagnostic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::{check_with, MemoryLoader, Options};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // `include "fuzz.conf"` is a cycle, `include "inc.conf"` reads the
    // input's second half, `table <t> file "tables"` its first half.
    let mid = text.len() / 2;
    let mid = (mid..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    let loader = MemoryLoader::default()
        .with("fuzz.conf", &text)
        .with("inc.conf", &text[mid..])
        .with("tables", &text[..mid]);
    let mut opts = Options::default();
    opts.defines.push(("ext_if".to_string(), "em0".to_string()));
    let report = check_with("fuzz.conf", &text, &loader, &opts);
    for d in &report.diagnostics {
        let _ = report.sources.location(d.span);
        let _ = report.sources.slice(d.span);
        for l in &d.labels {
            let _ = report.sources.location(l.span);
            let _ = report.sources.slice(l.span);
        }
    }
    let _ = pfconf::diag::render(&report.diagnostics, &report.sources, false);
    let _ = report.is_ok();
});
