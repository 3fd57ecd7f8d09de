//! Policy tests: flows with the verdict a ruleset must give them, in pf's
//! own vocabulary (`pfconf test`). A flow file (`*.pft`) holds one flow a
//! line:
//!
//! ```text
//! # comment
//! in on em0 proto tcp from 198.51.100.7 to 203.0.113.10 port 22 => block
//! in on em0 proto tcp to 203.0.113.10 port 22 => pass rdr-to 10.0.0.10 port 22
//! out on em0 proto tcp from 10.0.0.5 to any port 443 => pass nat-to (carp0)
//! in on em2 proto pfsync => pass quick
//! ```
//!
//! Left of `=>` a packet as `pfconf eval` reads it; right of it the
//! verdict (`pass`, `block`, `skip`, `default-pass`, or `undecided` for a
//! flow that depends on what the files leave open), then optionally
//! `quick`, `log`, `tagged NAME`, the translation (`nat-to ...`, `rdr-to ...`,
//! `binat-to ...`, `af-to ...`) and the route (`route-to ...`). `$macros`
//! of the ruleset expand on both sides. A line without `=>` has no
//! expectation yet: [`record`] fills it in.
//!
//! Invariant: a flow passes only when the evaluator is certain and agrees
//! on every part the expectation names (an expectation of `undecided`
//! passes only when it is not certain); what it does not name is not
//! compared.

use crate::eval::{parse_packet, Decision, Evaluator, Outcome, Verdict};
use crate::resolve::Resolved;
use crate::span::{FileId, Span};
use crate::Diagnostic;

/// One line of a flow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// Line number, from 1.
    pub line: usize,
    /// Byte offset of the line in the file.
    pub offset: usize,
    /// The packet, as written (before macros).
    pub packet: String,
    /// The expectation, when written.
    pub expect: Option<Expectation>,
}

/// What a flow must come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// `None`: `undecided`.
    pub verdict: Option<Verdict>,
    /// `quick` was written: the deciding rule must be quick.
    pub quick: bool,
    /// `log` was written: pf must log the packet.
    pub log: bool,
    /// Tags the packet must carry at the end.
    pub tags: Vec<String>,
    /// The translation, as pf.conf writes it (`nat-to (carp0)`).
    pub translation: Option<String>,
    /// `route-to ...`, `reply-to ...` or `dup-to ...`.
    pub route: Option<String>,
    /// The text as written, for messages.
    pub text: String,
}

/// A line that is not a flow: (line, message).
pub type FlowError = (usize, String);

/// The flows of a flow file's text; comments and blank lines are skipped.
///
/// ```
/// let flows = pfconf::policy::parse_flows("# ssh\nin on em0 proto tcp to port 22 => block\n").unwrap();
/// assert_eq!(flows[0].line, 2);
/// assert_eq!(flows[0].expect.as_ref().unwrap().verdict, Some(pfconf::eval::Verdict::Block));
/// ```
pub fn parse_flows(text: &str) -> Result<Vec<Flow>, Vec<FlowError>> {
    let mut flows = Vec::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line_offset = offset;
        offset += raw.len();
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (packet, expect) = match line.split_once("=>") {
            Some((p, e)) => match parse_expectation(e.trim()) {
                Ok(x) => (p.trim(), Some(x)),
                Err(m) => {
                    errors.push((i + 1, m));
                    continue;
                }
            },
            None => (line, None),
        };
        if packet.is_empty() {
            errors.push((i + 1, "no packet before `=>`".to_string()));
            continue;
        }
        flows.push(Flow {
            line: i + 1,
            offset: line_offset,
            packet: packet.to_string(),
            expect,
        });
    }
    if errors.is_empty() {
        Ok(flows)
    } else {
        Err(errors)
    }
}

/// Words that start a part of an expectation.
const PARTS: &[&str] = &[
    "quick", "log", "tagged", "tag", "nat-to", "rdr-to", "binat-to", "af-to", "route-to",
    "reply-to", "dup-to",
];

fn parse_expectation(text: &str) -> Result<Expectation, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let verdict = match words.first().copied() {
        Some("pass") => Some(Verdict::Pass),
        Some("block") => Some(Verdict::Block),
        Some("skip") => Some(Verdict::Skip),
        Some("default-pass") => Some(Verdict::DefaultPass),
        Some("undecided") => None,
        Some(w) => {
            return Err(format!(
                "`{w}` is not a verdict: expected pass, block, skip, default-pass or undecided"
            ))
        }
        None => return Err("nothing after `=>`: expected a verdict".to_string()),
    };
    let mut x = Expectation {
        verdict,
        quick: false,
        log: false,
        tags: Vec::new(),
        translation: None,
        route: None,
        text: text.to_string(),
    };
    let mut i = 1;
    while i < words.len() {
        let w = words[i];
        // A part runs to the next word that starts one.
        let end = (i + 1..words.len())
            .find(|&j| PARTS.contains(&words[j]))
            .unwrap_or(words.len());
        let rest = words[i + 1..end].join(" ");
        match w {
            "quick" | "log" => {
                if w == "quick" {
                    x.quick = true;
                } else {
                    x.log = true;
                }
                i += 1;
                continue;
            }
            "tagged" | "tag" if !rest.is_empty() => x.tags.extend(rest.split(' ').map(String::from)),
            "nat-to" | "rdr-to" | "binat-to" | "af-to" if !rest.is_empty() => {
                x.translation = Some(format!("{w} {rest}"))
            }
            "route-to" | "reply-to" | "dup-to" if !rest.is_empty() => {
                x.route = Some(format!("{w} {rest}"))
            }
            _ => {
                return Err(format!(
                    "`{w}` is not part of an expectation: after the verdict come quick, log, tagged NAME, nat-to/rdr-to/binat-to/af-to ..., route-to ..."
                ))
            }
        }
        i = end;
    }
    Ok(x)
}

/// How one flow came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The evaluator agrees with the expectation.
    Passed,
    /// It does not: what differs.
    Failed(String),
    /// The flow has no expectation (nothing to compare; [`record`]).
    Unchecked,
    /// The packet could not be read.
    Invalid(String),
}

/// One flow's result.
#[derive(Debug, Clone)]
pub struct FlowResult {
    /// The flow.
    pub flow: Flow,
    /// Passed, failed...
    pub status: Status,
    /// What the evaluator decided, as an expectation would say it
    /// (`pass quick nat-to (carp0)`, `undecided`).
    pub got: String,
    /// The deciding rule.
    pub rule: Option<Span>,
    /// For a failure: a rule that matched and would have given the
    /// expected verdict, had it decided (the rule the author probably
    /// meant).
    pub meant: Option<Span>,
}

/// Runs the flows through the evaluator of `resolved`.
///
/// ```
/// use pfconf::{check_str, eval::Evaluator, policy};
///
/// let report = check_str("pf.conf", "ext_if = \"em0\"\nblock all\npass in on $ext_if proto tcp to port 22\n");
/// let flows = policy::parse_flows("in on $ext_if proto tcp to 192.0.2.1 port 22 => pass\nin on em0 proto tcp to 192.0.2.1 port 23 => pass\n").unwrap();
/// let results = policy::run(&flows, &Evaluator::new(&report.resolved, None), &report.resolved);
/// assert_eq!(results[0].status, policy::Status::Passed);
/// assert!(matches!(results[1].status, policy::Status::Failed(_)));
/// assert_eq!(results[1].got, "block");
/// ```
pub fn run(flows: &[Flow], evaluator: &Evaluator, resolved: &Resolved) -> Vec<FlowResult> {
    flows.iter().map(|f| one(f, evaluator, resolved)).collect()
}

fn one(flow: &Flow, evaluator: &Evaluator, resolved: &Resolved) -> FlowResult {
    let mut result = FlowResult {
        flow: flow.clone(),
        status: Status::Unchecked,
        got: String::new(),
        rule: None,
        meant: None,
    };
    let packet = match parse_packet(&expand_macros(&flow.packet, resolved)) {
        Ok(p) => p,
        Err(e) => {
            result.status = Status::Invalid(format!("packet: {e}"));
            return result;
        }
    };
    // The verdict without the list of every matching rule (the index
    // skips overridden rules); the list only for a failure's hint.
    let outcome = evaluator.decide(&packet);
    result.got = describe(&outcome);
    let certain = outcome.certain();
    result.rule = certain.and_then(|d| d.rule);
    let Some(x) = &flow.expect else {
        return result;
    };
    let x = match parse_expectation(&expand_macros(&x.text, resolved)) {
        Ok(x) => x,
        Err(e) => {
            result.status = Status::Invalid(e);
            return result;
        }
    };
    let failure = match (x.verdict, certain) {
        (None, None) => None,
        (None, Some(_)) => Some("the evaluator is certain".to_string()),
        (Some(_), None) => Some(format!("the verdict is not certain: {}", reasons(&outcome))),
        (Some(v), Some(d)) => differs(&x, v, d),
    };
    result.status = match failure {
        None => Status::Passed,
        Some(why) => {
            let full = evaluator.evaluate(&packet);
            result.meant = x.verdict.and_then(|v| probably_meant(&full, v, resolved));
            Status::Failed(why)
        }
    };
    result
}

/// What differs between the expectation and a certain decision.
fn differs(x: &Expectation, v: Verdict, d: &Decision) -> Option<String> {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if d.verdict != v {
        return Some(format!(
            "expected {}, got {}",
            v.as_str(),
            d.verdict.as_str()
        ));
    }
    if x.quick && !d.quick {
        return Some("expected a quick rule to decide".to_string());
    }
    if x.log && !d.log {
        return Some("expected the packet to be logged".to_string());
    }
    if let Some(t) = &x.translation {
        match &d.translation {
            Some(got) if norm(got) == norm(t) => {}
            Some(got) => return Some(format!("expected {t}, got {got}")),
            None => return Some(format!("expected {t}, got no translation")),
        }
    }
    if let Some(r) = &x.route {
        match &d.route {
            Some(got) if norm(got) == norm(r) => {}
            Some(got) => return Some(format!("expected {r}, got {got}")),
            None => return Some(format!("expected {r}, got no route option")),
        }
    }
    let missing: Vec<&String> = x.tags.iter().filter(|t| !d.tags.contains(t)).collect();
    if !missing.is_empty() {
        return Some(format!(
            "expected tag {}, the packet carries {}",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if d.tags.is_empty() {
                "none".to_string()
            } else {
                d.tags.join(", ")
            }
        ));
    }
    None
}

/// Why an outcome is not certain, in a few words.
fn reasons(o: &Outcome) -> String {
    let v: Vec<&str> = o.verdicts().iter().map(|v| v.as_str()).collect();
    let mut s = format!("possible {}", v.join(", "));
    if let Some((_, why)) = o.undecided.first() {
        s.push_str(&format!(" ({why})"));
    }
    s
}

/// The last rule that matched and would have given verdict `v`, had a
/// later one not decided otherwise.
fn probably_meant(o: &Outcome, v: Verdict, resolved: &Resolved) -> Option<Span> {
    use crate::ast::Action;
    let wanted = |a: &Action| match v {
        Verdict::Pass => matches!(a, Action::Pass),
        Verdict::Block => matches!(a, Action::Block { .. }),
        _ => false,
    };
    let rules = resolved.every_rule();
    let d = o.decisions.first()?;
    d.matches
        .iter()
        .rev()
        .copied()
        .find(|m| Some(*m) != d.rule && rules.iter().any(|(r, s)| s == m && wanted(&r.action.node)))
}

/// An outcome as an expectation would write it.
///
/// ```
/// use pfconf::{check_str, eval::{parse_packet, evaluate}, policy::describe};
///
/// let report = check_str("pf.conf", "pass in quick on em0 tag ok\n");
/// let o = evaluate(&report.resolved, &parse_packet("in on em0").unwrap());
/// assert_eq!(describe(&o), "pass quick tagged ok");
/// ```
pub fn describe(o: &Outcome) -> String {
    let Some(d) = o.certain() else {
        return "undecided".to_string();
    };
    let mut s = d.verdict.as_str().to_string();
    if d.quick {
        s.push_str(" quick");
    }
    if d.log {
        s.push_str(" log");
    }
    // A blocked packet is not translated: pf drops it.
    if let (Some(t), Verdict::Pass) = (&d.translation, d.verdict) {
        s.push(' ');
        s.push_str(t);
    }
    if let Some(r) = &d.route {
        s.push(' ');
        s.push_str(r);
    }
    if !d.tags.is_empty() {
        s.push_str(" tagged ");
        s.push_str(&d.tags.join(" "));
    }
    s
}

/// `text` with the ruleset's `$macros` replaced by their values (longest
/// names first, so `$ext_if6` is not read as `$ext_if`).
fn expand_macros(text: &str, resolved: &Resolved) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    let mut names: Vec<&crate::resolve::MacroInfo> = resolved.macros.iter().collect();
    names.sort_by_key(|m| std::cmp::Reverse(m.name.len()));
    let mut out = text.to_string();
    for m in names {
        out = out.replace(&format!("${}", m.name), m.value.trim());
    }
    out
}

/// The flow file `text` with each flow's expectation set to what the
/// evaluator decided (`=> got`); comments, blank lines and flows that
/// could not be read stay as they are.
///
/// ```
/// use pfconf::{check_str, eval::Evaluator, policy};
///
/// let report = check_str("pf.conf", "block all\n");
/// let text = "# snapshot\nin on em0 proto tcp to port 22\n";
/// let flows = policy::parse_flows(text).unwrap();
/// let results = policy::run(&flows, &Evaluator::new(&report.resolved, None), &report.resolved);
/// assert_eq!(policy::record(text, &results), "# snapshot\nin on em0 proto tcp to port 22 => block\n");
/// ```
pub fn record(text: &str, results: &[FlowResult]) -> String {
    let mut out = String::with_capacity(text.len() + results.len() * 8);
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let r = results.iter().find(|r| r.flow.line == i + 1);
        match r {
            Some(r) if !matches!(r.status, Status::Invalid(_)) => {
                let (body, newline) = match raw.strip_suffix('\n') {
                    Some(b) => (b, "\n"),
                    None => (raw, ""),
                };
                let comment = body.find('#').map(|c| &body[c..]).unwrap_or("");
                let code = body.split('#').next().unwrap_or("");
                let packet = code.split("=>").next().unwrap_or("").trim_end();
                out.push_str(packet);
                out.push_str(" => ");
                out.push_str(&r.got);
                if !comment.is_empty() {
                    out.push(' ');
                    out.push_str(comment);
                }
                out.push_str(newline);
            }
            _ => out.push_str(raw),
        }
    }
    out
}

/// The label [`diagnostics`] puts on the rule that decides a flow.
pub const DECIDING_RULE: &str = "the rule that decides";

/// The failures of a flow file as diagnostics at their line of the file
/// (`file`, whose text is `text`): `flow-failed` for a flow the ruleset
/// decides otherwise, with the deciding rule and the rule probably meant
/// as labels; `flow-invalid` for a flow that cannot be read. What passed
/// or has no expectation gives nothing.
///
/// ```
/// use pfconf::{check_str, eval::Evaluator, policy, FileId};
///
/// let report = check_str("pf.conf", "block all\npass in proto tcp to port 22\n");
/// let text = "in on em0 proto tcp to 192.0.2.1 port 22 => block\n";
/// let flows = policy::parse_flows(text).unwrap();
/// let results = policy::run(&flows, &Evaluator::new(&report.resolved, None), &report.resolved);
/// let d = policy::diagnostics(&results, text, FileId(1));
/// assert_eq!((d[0].code, d[0].span.start()), ("flow-failed", 0));
/// assert_eq!(d[0].labels[0].span, report.resolved.ruleset.statements[1].span);
/// ```
pub fn diagnostics(results: &[FlowResult], text: &str, file: FileId) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for r in results {
        let start = r.flow.offset.min(text.len());
        let end = text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |n| start + n);
        let span = Span::new(file, start, end);
        let mut d = match &r.status {
            Status::Failed(why) if why.contains("got") => {
                Diagnostic::error("flow-failed", span, why.clone())
            }
            Status::Failed(why) => {
                Diagnostic::error("flow-failed", span, format!("{why} (got {})", r.got))
            }
            Status::Invalid(why) => Diagnostic::error("flow-invalid", span, why.clone()),
            Status::Passed | Status::Unchecked => continue,
        };
        if let Some(rule) = r.rule {
            d = d.with_label(rule, DECIDING_RULE);
        }
        if let Some(m) = r.meant {
            d = d.with_label(
                m,
                "this rule would give the expected verdict; a later one overrides it",
            );
        }
        diags.push(d);
    }
    diags
}

/// The lines of a flow file that cannot be read as flows
/// ([`parse_flows`]'s errors) as `flow-invalid` diagnostics in `file`.
pub fn unreadable(errors: &[FlowError], text: &str, file: FileId) -> Vec<Diagnostic> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    errors
        .iter()
        .map(|(line, message)| {
            let start = starts
                .get(line.saturating_sub(1))
                .copied()
                .unwrap_or(text.len());
            let end = text
                .get(start..)
                .and_then(|t| t.find('\n'))
                .map_or(text.len(), |n| start + n);
            Diagnostic::error("flow-invalid", Span::new(file, start, end), message.clone())
        })
        .collect()
}

/// The flow files (`*.pft`) of a directory, sorted; none when it cannot
/// be read.
pub fn flow_files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "pft"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// A flow file's findings: its failures ([`diagnostics`]) or, when it
/// cannot be read as flows, its unreadable lines ([`unreadable`]), in
/// `file`, whose text is `text`.
pub fn findings(
    text: &str,
    file: FileId,
    evaluator: &Evaluator,
    resolved: &Resolved,
) -> Vec<Diagnostic> {
    match parse_flows(text) {
        Ok(flows) => diagnostics(&run(&flows, evaluator, resolved), text, file),
        Err(errors) => unreadable(&errors, text, file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_read_every_part_and_refuse_unknown_words() {
        let x = parse_expectation("pass quick rdr-to 10.0.0.10 port 22 tagged web").unwrap();
        assert_eq!(x.verdict, Some(Verdict::Pass));
        assert!(x.quick && !x.log);
        assert!(parse_expectation("block log").unwrap().log);
        assert_eq!(x.translation.as_deref(), Some("rdr-to 10.0.0.10 port 22"));
        assert_eq!(x.tags, vec!["web".to_string()]);
        assert_eq!(parse_expectation("undecided").unwrap().verdict, None);
        assert!(parse_expectation("allow")
            .unwrap_err()
            .contains("not a verdict"));
        assert!(parse_expectation("pass loudly")
            .unwrap_err()
            .contains("loudly"));
        assert!(parse_expectation("").is_err());
    }

    #[test]
    fn flow_files_report_every_bad_line() {
        let e = parse_flows("in on em0 => maybe\n=> pass\nin on em0 => pass\n").unwrap_err();
        assert_eq!(e.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![1, 2]);
    }
}
