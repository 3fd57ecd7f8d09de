//! Arbitrary bytes, decoded lossily, checked and linted; every fix found
//! is applied. Oracles: safe fixes keep a clean file clean; all fixes
//! together (legacy rewrites included) never add a syntax error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::fix::{apply, Fix};
use pfconf::lint::LintConfig;
use pfconf::{check_str, FileId, Report, Severity};

fn syntax_errors(r: &Report) -> usize {
    r.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && matches!(d.code, "syntax" | "legacy"))
        .count()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let report = check_str("fuzz.conf", &text);
    let found = report.lint(&LintConfig::default());
    let fixes: Vec<&Fix> = found.iter().filter_map(|d| d.fix.as_deref()).collect();
    if report.is_ok() {
        let safe: Vec<&Fix> = fixes.iter().copied().filter(|f| f.is_safe()).collect();
        let (out, _) = apply(&text, FileId(0), &safe);
        assert!(
            check_str("fuzz.conf", &out).is_ok(),
            "safe fixes broke the file: {out:?}"
        );
    }
    let (out, _) = apply(&text, FileId(0), &fixes);
    assert!(syntax_errors(&check_str("fuzz.conf", &out)) <= syntax_errors(&report));
});
