//! Arbitrary bytes, decoded lossily: the first line is a packet
//! description (`in on em0 proto tcp from A to B port 22`), the rest a
//! ruleset. When both are valid the packet is evaluated. Oracle: the
//! outcome holds at least one decision unless it is marked incomplete.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pfconf::eval::{evaluate, parse_packet};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (line, rules) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(packet) = parse_packet(line) else {
        return;
    };
    let report = pfconf::check_str("fuzz.conf", rules);
    if !report.is_ok() {
        return;
    }
    let outcome = evaluate(&report.resolved, &packet);
    assert!(
        outcome.incomplete || !outcome.decisions.is_empty(),
        "no decision for packet {line:?}"
    );
});
