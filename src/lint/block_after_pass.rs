//! `block-after-pass`: a non-quick block-everything rule overrides earlier pass rules

use super::roles::{blocks_all_of_its_kind, main_rules};
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;
use crate::span::Span;

static INFO: LintInfo = LintInfo {
    name: "block-after-pass",
    level: Level::Error,
    summary: "a non-quick block-everything rule overrides earlier pass rules",
    doc: include_str!("../../lints/block-after-pass.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

/// A non-quick block rule of the main ruleset that matches every packet of
/// its direction and family (`block all`, `block in all`, `block inet
/// all`, with any action options) after non-quick pass rules it covers
/// (same direction or none, same family or none), including pass rules
/// inside anchors that stand before it: since the last matching rule
/// wins, those pass rules never decide.
fn run(cx: &Context, out: &mut Vec<Finding>) {
    let rs = &cx.resolved.ruleset;
    let rules = main_rules(rs);
    for (r, span) in &rules {
        if !blocks_all_of_its_kind(r) || r.quick {
            continue;
        }
        let covered = |p: &FilterRule| {
            p.action.node == Action::Pass
                && !p.quick
                && (r.direction.is_none() || p.direction == r.direction)
                && (r.af.is_none()
                    || p.af.as_ref().map(|a| a.node) == r.af.as_ref().map(|a| a.node))
        };
        let mut overridden: Vec<Span> = Vec::new();
        for s in &rs.statements {
            if s.span == *span {
                break;
            }
            match &s.kind {
                StatementKind::Rule(p) if covered(p) => overridden.push(s.span),
                StatementKind::Anchor(a) if !a.filter.quick => {
                    let body = a.body.as_ref().or_else(|| {
                        a.name
                            .as_ref()
                            .and_then(|n| cx.resolved.loaded(n.node.text()))
                    });
                    if let Some(b) = body {
                        for x in super::roles::main_rules(b) {
                            if covered(x.0) {
                                overridden.push(x.1);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(first) = overridden.first() {
            out.push(Finding {
                span: *span,
                message: format!(
                    "this rule blocks everything{} after {} pass rule(s): since the last matching rule wins, only `quick` rules still pass that traffic",
                    match (r.direction, r.af.as_ref().map(|a| a.node)) {
                        (Some(Direction::In), _) => " inbound",
                        (Some(Direction::Out), _) => " outbound",
                        (None, Some(AddressFamily::Inet)) => " of IPv4",
                        (None, Some(AddressFamily::Inet6)) => " of IPv6",
                        _ => "",
                    },
                    overridden.len()
                ),
                labels: vec![(*first, "overridden pass rule".into())],
                help: Some("move the block rule before the pass rules".into()),
                fix: None,
            });
        }
    }
}
