//! `carp-unrestricted`: CARP is passed on interfaces that are not CARP parents

use super::ha::reaches_beyond;
use super::roles::protos;
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "carp-unrestricted",
    level: Level::Warning,
    summary: "CARP is passed on every interface, not only on the CARP parents",
    doc: include_str!("../../lints/carp-unrestricted.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

/// A pass rule for CARP (in any anchor) with no `on`, `on any`, `on !`,
/// or a group holding interfaces that are not CARP parents.
fn run(cx: &Context, out: &mut Vec<Finding>) {
    let ha = cx.ha();
    let parents: Vec<&str> = ha.parents.iter().map(|p| p.name.as_str()).collect();
    for (r, span) in cx.resolved.every_rule() {
        if r.action.node != Action::Pass || !protos(r).contains(&112) {
            continue;
        }
        let known = cx.node.is_some();
        // Without a node, a named interface is taken as a parent.
        let allowed = |n: &str| !known || parents.contains(&n);
        let Some(beyond) = reaches_beyond(r, cx.node, &allowed) else {
            continue;
        };
        if !beyond.starts_with("on every")
            && !beyond.starts_with("on any")
            && !beyond.starts_with("on group")
        {
            // A named interface that is not a parent is harmless.
            continue;
        }
        let help = if parents.is_empty() {
            "pass CARP only on the CARP parent interfaces: `pass on { $wan $lan } proto carp`"
                .to_string()
        } else {
            format!(
                "pass CARP only on the CARP parents: `pass on {{ {} }} proto carp`",
                parents.join(" ")
            )
        };
        out.push(Finding {
            span,
            message: format!("CARP is passed {beyond}, not only on the CARP parents"),
            labels: Vec::new(),
            help: Some(help),
            fix: None,
        });
    }
}
