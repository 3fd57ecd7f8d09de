//! Arbitrary bytes, decoded lossily: up to the first NUL byte a ruleset,
//! after it a flow file. Oracle: the flows `record` writes read back and
//! all pass (a snapshot agrees with itself).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::eval::Evaluator;
use pfconf::policy::{parse_flows, record, run, Status};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (rules, flows) = text.split_once('\0').unwrap_or((&text, ""));
    let report = pfconf::check_str("fuzz.conf", rules);
    let evaluator = Evaluator::new(&report.resolved, None);
    let Ok(parsed) = parse_flows(flows) else {
        return;
    };
    let results = run(&parsed, &evaluator, &report.resolved);
    let recorded = record(flows, &results);
    let again = parse_flows(&recorded).expect("a recorded flow file reads back");
    for r in run(&again, &evaluator, &report.resolved) {
        assert!(
            matches!(r.status, Status::Passed | Status::Invalid(_)),
            "line {}: {:?} (got {})",
            r.flow.line,
            r.status,
            r.got
        );
    }
});
