//! The oracles of the text targets, shared with the structured one: each
//! panics with the input when it does not hold.

use pfconf::diff::{compare_rulesets, Difference, DifferenceKind, Parity};
use pfconf::eval::{Evaluator, Outcome, Packet};
use pfconf::fmt::{
    format_safely, format_safely_on_two_threads, format_str, verify, FormatError, FormatOptions,
    Formatted,
};
use pfconf::lint::{run, LintConfig};
use pfconf::MemoryLoader;

type Safely = fn(&str, &str, &FormatOptions) -> Result<Formatted, FormatError>;

fn safely(text: &str, how: Safely) {
    let opts = FormatOptions::default();
    match how("fuzz.conf", text, &opts) {
        Ok(f) => {
            if let Err(e) = verify("fuzz.conf", text, &f.text) {
                panic!(
                    "format_safely changed the meaning: {e}\n--- input\n{text}\n--- output\n{}",
                    f.text
                );
            }
            let again = how("fuzz.conf", &f.text, &opts).unwrap_or_else(|e| {
                panic!("safe output does not format: {e:?}\n--- output\n{}", f.text)
            });
            assert_eq!(
                again.text, f.text,
                "format_safely is not idempotent\n--- input\n{text}"
            );
        }
        Err(FormatError::Invalid(_)) => {}
        Err(e) => panic!("format_safely gave up: {e}\n--- input\n{text}"),
    }
}

/// The `fmt` target's oracle: the output means what the input means and
/// keeps its comments (`fmt::verify`), formatting is idempotent; the same
/// for the safety net, also on two threads. The formatted text, when the
/// input formats.
pub fn fmt(text: &str) -> Option<String> {
    fmt_with(text, true)
}

/// [`fmt`], with the safety net's part only when `safety_net` is set (it
/// costs as much again as the rest).
pub fn fmt_with(text: &str, safety_net: bool) -> Option<String> {
    let opts = FormatOptions::default();
    let out = format_str("fuzz.conf", text, &opts).ok()?;
    if let Err(e) = verify("fuzz.conf", text, &out) {
        panic!("format changed the meaning: {e}\n--- input\n{text}\n--- output\n{out}");
    }
    match format_str("fuzz.conf", &out, &opts) {
        Ok(again) => assert_eq!(
            again, out,
            "format is not idempotent\n--- input\n{text}\n--- first\n{out}\n--- second\n{again}"
        ),
        Err(e) => {
            panic!("formatted output does not parse: {e:?}\n--- input\n{text}\n--- output\n{out}")
        }
    }
    if safety_net {
        safely(text, format_safely);
        safely(text, format_safely_on_two_threads);
    }
    Some(out)
}

/// The `diff` target's oracle: a ruleset has no drift from itself, nor
/// from `formatted` (check errors, reported for each node, are not
/// drift).
pub fn diff(text: &str, formatted: Option<&str>) {
    let loader = MemoryLoader::default();
    let compare =
        |other: &str| compare_rulesets(("a.conf", text), ("b.conf", other), &loader, &loader, &[]);
    let p = compare(text);
    let found = drift(&p);
    assert!(
        found.is_empty(),
        "a ruleset drifts from itself: {found:?}\n--- input\n{text}"
    );
    assert_eq!(p.text_a, p.text_b);
    if let Some(out) = formatted {
        let p = compare(out);
        let found = drift(&p);
        assert!(
            found.is_empty(),
            "formatting is drift: {found:?}\n--- input\n{text}\n--- formatted\n{out}"
        );
    }
}

/// A comparison's differences that are drift (not check errors).
fn drift(p: &Parity) -> Vec<&Difference> {
    p.differences
        .iter()
        .filter(|d| d.kind != DifferenceKind::Error)
        .collect()
}

/// The `lint` target's oracle: the lints run (with `config`, which may
/// hold a node) and every finding's span lies in the sources.
pub fn lint(report: &pfconf::Report, config: &LintConfig) -> usize {
    let diagnostics = run(report, config);
    for d in &diagnostics {
        let _ = report.sources.location(d.span);
        let _ = report.sources.slice(d.span);
    }
    diagnostics.len()
}

/// The `eval` oracle for one packet: a decision unless incomplete; the
/// deciding rule is among the matches; and [`Evaluator::decide`] gives
/// what [`Evaluator::evaluate`] gives but the list of matches (unless the
/// possibilities overflowed, where lists keep more of them apart). The
/// full outcome.
pub fn eval(ev: &Evaluator, packet: &Packet, text: &str) -> Outcome {
    let full = ev.evaluate(packet);
    assert!(
        full.incomplete || !full.decisions.is_empty(),
        "no decision for packet {packet}\n--- ruleset\n{text}"
    );
    for d in &full.decisions {
        if let Some(rule) = d.rule {
            assert!(
                d.matches.contains(&rule),
                "the deciding rule {rule:?} is not among the matches {:?} for packet {packet}\n--- ruleset\n{text}",
                d.matches
            );
        }
    }
    if let Err(why) = full.same_answer(&ev.decide(packet)) {
        panic!("decide and evaluate disagree for packet {packet}: {why}\n--- ruleset\n{text}");
    }
    full
}
