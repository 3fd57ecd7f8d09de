//! `pfsync-exposed`: pfsync is passed beyond the sync interface

use super::roles::{main_rules, protos};
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "pfsync-exposed",
    level: Level::Error,
    summary: "pfsync is passed beyond the sync interface",
    doc: include_str!("../../lints/pfsync-exposed.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let syncdev = &cx.roles().syncdev;
    for (r, span) in main_rules(&cx.resolved.ruleset) {
        if r.action.node != Action::Pass || !protos(r).contains(&240) {
            continue;
        }
        let elsewhere = syncdev.as_ref().and_then(|dev| {
            r.interfaces.iter().find_map(|i| match &i.node.target {
                IfTarget::Name(n)
                    if !i.node.not && n.node.text() != dev && n.node.text() != "pfsync0" =>
                {
                    Some((n.node.text().to_string(), dev.clone()))
                }
                _ => None,
            })
        });
        if let Some((name, dev)) = elsewhere {
            out.push(Finding {
                span,
                message: format!("pfsync is passed on {name}, but the sync interface is {dev}"),
                labels: Vec::new(),
                help: Some(format!(
                    "pass pfsync only on {dev} (hostname.pfsync0 syncdev)"
                )),
            });
            continue;
        }
        let open = r.interfaces.is_empty()
            || r.interfaces
                .iter()
                .any(|i| i.node.not || matches!(i.node.target, IfTarget::Any));
        if open {
            out.push(Finding {
                span,
                message: "pfsync is passed on every interface, not only on the sync interface".into(),
                labels: Vec::new(),
                help: Some(
                    "pfsync has no authentication: pass it only `on` the dedicated sync interface (or skip that interface)"
                        .into(),
                ),
            });
        }
    }
}
