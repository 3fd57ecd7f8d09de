//! Arbitrary bytes, decoded lossily, checked and, when free of errors,
//! expanded as `pfctl -nv` prints it. Oracle: expansion is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::expand::{expand, Interfaces};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let report = pfconf::check_str("fuzz.conf", &text);
    if !report.is_ok() {
        return;
    }
    let ifs = Interfaces::regress();
    let first = expand(&report.resolved, &ifs).to_string();
    let second = expand(&report.resolved, &ifs).to_string();
    assert_eq!(first, second, "expand is not deterministic");
});
