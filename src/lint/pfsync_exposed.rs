//! `pfsync-exposed`: pfsync is passed beyond the sync interface

use super::ha::reaches_beyond;
use super::roles::protos;
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

/// A pass rule for pfsync (in any anchor) that may let pfsync in on an
/// interface other than the sync interface: no `on`, `on any`, `on !`,
/// another interface, or a group with other members. Outbound-only rules
/// expose nothing. Without a known sync interface only the rules open to
/// every interface are reported.
fn run(cx: &Context, out: &mut Vec<Finding>) {
    let ha = cx.ha();
    let dev = ha.syncdev.as_ref().map(|s| s.name.clone());
    for (r, span) in cx.resolved.every_rule() {
        if r.action.node != Action::Pass || r.direction == Some(Direction::Out) {
            continue;
        }
        if !protos(r).contains(&240) {
            continue;
        }
        let allowed = |n: &str| dev.as_deref() == Some(n) || n == "pfsync0";
        let Some(beyond) = reaches_beyond(r, cx.node, &allowed) else {
            continue;
        };
        let named_only = !beyond.starts_with("on every") && !beyond.starts_with("on any");
        if named_only && dev.is_none() {
            continue;
        }
        let help = match &dev {
            Some(d) => format!("pass pfsync only `on {d}` (the syncdev), or skip {d}"),
            None => "pfsync has no authentication: pass it only `on` the dedicated sync interface (or skip that interface)".into(),
        };
        let message = match &dev {
            Some(d) => format!("pfsync is passed {beyond}, but the sync interface is {d}: anyone there can inject states"),
            None => format!("pfsync is passed {beyond}, not only on the sync interface: anyone there can inject states"),
        };
        out.push(Finding {
            span,
            message,
            labels: Vec::new(),
            help: Some(help),
            fix: None,
        });
    }
}
