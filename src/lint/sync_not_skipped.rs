//! `sync-not-skipped`: the sync interface is filtered (not in set skip on)

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;
use crate::span::Span;

static INFO: LintInfo = LintInfo {
    name: "sync-not-skipped",
    level: Level::Warning,
    summary: "the sync interface is filtered (not in set skip on)",
    doc: include_str!("../../lints/sync-not-skipped.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

/// pfsync packets travel on `syncdev` (pfsync(4)): skipping `pfsync0`
/// skips the pseudo-interface, not the link they arrive on. The sync
/// interface counts as skipped when `set skip on` names it or a group
/// that holds it (pf_if.c 1.112: a group's skip flag is ORed into every
/// member).
fn run(cx: &Context, out: &mut Vec<Finding>) {
    let ha = cx.ha();
    let Some(sync) = &ha.syncdev else {
        return;
    };
    let mut skips: Vec<(String, Span)> = Vec::new();
    for s in &cx.resolved.ruleset.statements {
        if let StatementKind::Option(o) = &s.kind {
            if let SetOption::Skip { interfaces } = &**o {
                for i in interfaces {
                    if let IfTarget::Name(n) = &i.node.target {
                        skips.push((n.node.text().to_string(), s.span));
                    }
                }
            }
        }
    }
    let mut open = false;
    for (name, _) in &skips {
        let unknown = crate::node::Node::default();
        let holds = cx.node.unwrap_or(&unknown).in_group(&sync.name, name);
        match holds {
            crate::node::Known::Yes => return,
            crate::node::Known::Unknown(_) if name != "pfsync0" && name != "pfsync" => open = true,
            _ => {}
        }
    }
    if open {
        // A skipped group may hold it: not known, not reported.
        return;
    }
    let dev = &sync.name;
    let pfsync_only = skips.iter().find(|(n, _)| n == "pfsync0" || n == "pfsync");
    let (span, message) = match pfsync_only {
        Some((_, span)) => (
            *span,
            format!("`set skip on` skips pfsync0, but pfsync packets travel on the sync interface {dev}, which is still filtered"),
        ),
        None => (
            skips
                .first()
                .map(|(_, s)| *s)
                .or(sync.span)
                .unwrap_or_else(|| cx.fallback_span()),
            format!("the sync interface {dev} is not in `set skip on`: every pfsync packet goes through the ruleset"),
        ),
    };
    out.push(Finding {
        span,
        message,
        labels: Vec::new(),
        help: Some(format!(
            "add {dev} to `set skip on` (e.g. `set skip on {{ lo {dev} }}`): a dedicated, cabled sync link needs no filtering"
        )),
        fix: None,
    });
}
