//! `no-default-block`: the ruleset has no default deny for inbound traffic of both families

use super::roles::main_rules;
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "no-default-block",
    level: Level::Warning,
    summary: "no default-deny rule covers inbound traffic of both address families",
    doc: include_str!("../../lints/no-default-block.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

/// A default deny is a block rule of the main ruleset that matches every
/// packet of its direction and family: no `on`, `proto`, address, port,
/// `os` or matching option (`tagged`, `user`, `received-on`...). Action
/// options (`log`, `return`, `set prio`, `set tos`, `rtable`, `label`,
/// `tag`, state options) do not narrow it. Inbound IPv4 and inbound IPv6
/// must both be covered, by one rule or several; `block in all` with
/// outbound open is a deliberate policy and counts.
fn run(cx: &Context, out: &mut Vec<Finding>) {
    let rules = main_rules(&cx.resolved.ruleset);
    let Some((_, first_pass)) = rules.iter().find(|(r, _)| r.action.node == Action::Pass) else {
        return;
    };
    let (mut v4, mut v6) = (false, false);
    let mut partial: Option<(Span, String)> = None;
    for (r, span) in &rules {
        if !super::roles::blocks_all_of_its_kind(r) {
            continue;
        }
        if r.direction == Some(Direction::Out) {
            partial.get_or_insert((*span, "it blocks outbound traffic only".into()));
            continue;
        }
        match r.af.as_ref().map(|a| a.node) {
            None => (v4, v6) = (true, true),
            Some(AddressFamily::Inet) => v4 = true,
            Some(AddressFamily::Inet6) => v6 = true,
        }
        if !(v4 && v6) {
            partial.get_or_insert((*span, "it covers one address family only".into()));
        }
    }
    if v4 && v6 {
        return;
    }
    let open = match (v4, v6) {
        (false, false) => "inbound IPv4 and IPv6",
        (true, false) => "inbound IPv6",
        _ => "inbound IPv4",
    };
    let (span, message, labels) = match partial {
        Some((s, why)) => (
            s,
            format!("this block rule is no default deny: {why}, so {open} that no rule matches is passed"),
            Vec::new(),
        ),
        None => (
            *first_pass,
            format!("the ruleset has no default-deny rule: {open} that no rule matches is passed"),
            Vec::new(),
        ),
    };
    out.push(Finding {
        span,
        message,
        labels,
        help: Some(
            "start the filter rules with `block all` (or `block in all` to leave outbound open)"
                .into(),
        ),
        fix: None,
    });
}
use crate::span::Span;
