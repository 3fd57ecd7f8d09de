//! `nat-to-interface-address`: nat-to translates to a node address on a CARP segment

use super::roles::main_rules;
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "nat-to-interface-address",
    level: Level::Warning,
    summary: "nat-to translates to a node address on a CARP segment",
    doc: include_str!("../../lints/nat-to-interface-address.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let roles = cx.roles();
    if roles.carp_parents.is_empty() {
        return;
    }
    let is_parent = |n: &str| {
        let base = n.split(':').next().unwrap_or(n);
        base == "egress" || roles.carp_parents.iter().any(|(p, _)| p == base)
    };
    for (r, _) in main_rules(&cx.resolved.ruleset) {
        for o in &r.options {
            let (FilterOpt::NatTo(red) | FilterOpt::BinatTo(red)) = &o.node else {
                continue;
            };
            for h in &red.hosts {
                let name = match &h.host.node.kind {
                    HostKind::Dynamic { ifname, .. } => ifname.node.text(),
                    HostKind::Address { addr, mask: None } => addr.node.text(),
                    _ => continue,
                };
                if is_parent(name) {
                    out.push(Finding {
                        span: h.host.span,
                        message: format!(
                            "nat-to translates to {name}, a node's own address on a segment with a CARP address"
                        ),
                        labels: Vec::new(),
                        help: Some(
                            "translate to the CARP interface or address (e.g. `nat-to (carp0)`): after a failover the peer answers for the CARP address, not for this node's".into(),
                        ),
                    });
                }
            }
        }
    }
}
