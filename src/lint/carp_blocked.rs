//! `carp-blocked`: a CARP advertisement on a CARP parent interface is blocked

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "carp-blocked",
    level: Level::Error,
    summary: "a CARP advertisement on a CARP parent interface is blocked",
    doc: include_str!("../../lints/carp-blocked.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    ha_blocked(cx, out, true);
}

/// Shared by `carp-blocked` and `pfsync-blocked`: asks the evaluator what
/// happens to the protocol's packets, in and out, on each interface the
/// ruleset passes it on.
pub(crate) fn ha_blocked(cx: &Context, out: &mut Vec<Finding>, carp: bool) {
    use crate::eval::{carp_packet, evaluate, pfsync_packet};
    let roles = cx.roles();
    let list = if carp {
        &roles.carp_parents
    } else {
        &roles.sync
    };
    for (ifname, pass_span) in list {
        let mut blocked = Vec::new();
        let mut decider = None;
        for dir in [Direction::In, Direction::Out] {
            let pkt = if carp {
                carp_packet(ifname, dir)
            } else {
                pfsync_packet(ifname, dir)
            };
            let o = evaluate(cx.resolved, &pkt);
            if o.surely_blocked() {
                blocked.push(if dir == Direction::In { "in" } else { "out" });
                decider = decider.or(o.decisions.first().and_then(|d| d.rule));
            }
        }
        let Some(rule) = decider else {
            continue;
        };
        let what = if carp {
            format!(
                "CARP advertisements on {ifname} ({}) are blocked by this rule",
                blocked.join(" and ")
            )
        } else {
            format!(
                "pfsync traffic on {ifname} ({}) is blocked by this rule",
                blocked.join(" and ")
            )
        };
        let why = if carp {
            "both nodes stop hearing each other and both become MASTER"
        } else {
            "states do not replicate and a failover drops every connection"
        };
        out.push(Finding {
            span: rule,
            message: format!("{what}: {why}"),
            labels: vec![(
                *pass_span,
                "this pass rule is overridden (the last matching rule wins)".into(),
            )],
            help: Some("make the pass rule `quick`, or move it after this rule".into()),
        });
    }
}
