//! Arbitrary bytes, decoded lossily, checked and, when free of errors,
//! linted with the default configuration. Oracle: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::lint::{run, LintConfig};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let report = pfconf::check_str("fuzz.conf", &text);
    if !report.is_ok() {
        return;
    }
    let diagnostics = run(&report, &LintConfig::default());
    for d in &diagnostics {
        let _ = report.sources.location(d.span);
        let _ = report.sources.slice(d.span);
    }
});
