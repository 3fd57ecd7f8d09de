//! `nat-to-interface-address`: nat-to translates to a node address on a CARP segment

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;
use std::net::IpAddr;

static INFO: LintInfo = LintInfo {
    name: "nat-to-interface-address",
    level: Level::Warning,
    summary: "nat-to translates to a node address on a CARP segment",
    doc: include_str!("../../lints/nat-to-interface-address.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

/// A `nat-to` / `binat-to` target that is a CARP parent's own address:
/// the parent by name, `(parent)`, a group whose members are all known
/// and include a parent (`egress` when it holds one), or a literal
/// address the node configures on a parent.
fn run(cx: &Context, out: &mut Vec<Finding>) {
    let ha = cx.ha();
    if ha.parents.is_empty() {
        return;
    }
    let is_parent = |n: &str| ha.parents.iter().any(|p| p.name == n);
    let parent_of_addr = |a: IpAddr| -> Option<String> {
        let node = cx.node?;
        ha.parents
            .iter()
            .find(|p| {
                node.interface(&p.name)
                    .is_some_and(|i| i.addrs.iter().any(|x| x.addr == a))
            })
            .map(|p| p.name.clone())
    };
    for (r, _) in cx.resolved.every_rule() {
        for o in &r.options {
            let (FilterOpt::NatTo(red) | FilterOpt::BinatTo(red)) = &o.node else {
                continue;
            };
            for h in &red.hosts {
                let word = match &h.host.node.kind {
                    HostKind::Dynamic { ifname, .. } => ifname.node.text(),
                    HostKind::Address { addr, mask: None } => addr.node.text(),
                    _ => continue,
                };
                let base = word.split(':').next().unwrap_or(word);
                let hit: Option<String> = if let Ok(a) = base.parse::<IpAddr>() {
                    parent_of_addr(a).map(|p| format!("{a}, {p}'s own address"))
                } else if is_parent(base) {
                    Some(format!("{word}, the address of the CARP parent {base}"))
                } else if !base.ends_with(|c: char| c.is_ascii_digit()) {
                    // A group: only when its members are known.
                    cx.node.and_then(|n| {
                        let (members, open) = n.members(base);
                        let parents: Vec<&String> =
                            members.iter().filter(|m| is_parent(m)).collect();
                        (!open && !parents.is_empty()).then(|| {
                            format!(
                                "{word}, whose members include the CARP parent {}",
                                parents
                                    .iter()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        })
                    })
                } else {
                    None
                };
                let Some(what) = hit else {
                    continue;
                };
                let named = cx.node.and_then(|n| {
                    n.carp_interfaces()
                        .find(|c| n.carpdev(c).is_ok_and(|d| d == base || word.contains(&d)))
                        .map(|c| c.name.clone())
                });
                // When the node names the CARP interface on that parent,
                // the translation can point at it (unsafe: it changes
                // what pf translates to).
                let fix = named.as_ref().map(|carp| {
                    crate::fix::Fix::risky(
                        format!("translate to `({carp})`"),
                        "it changes the address every connection this rule matches is translated to (the CARP address, answered by whichever node is MASTER): check that the peer's ruleset does the same",
                        vec![crate::fix::Edit {
                            span: h.host.span,
                            replacement: format!("({carp})"),
                        }],
                    )
                });
                let carp = named.unwrap_or_else(|| "carp0".into());
                out.push(Finding {
                    span: h.host.span,
                    message: format!(
                        "nat-to translates to {what}: after a failover the peer answers for the CARP address, not for this node's"
                    ),
                    labels: Vec::new(),
                    help: Some(format!(
                        "translate to the CARP interface's address instead, e.g. `nat-to ({carp})`"
                    )),
                    fix,
                });
            }
        }
    }
}
