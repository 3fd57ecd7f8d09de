//! `pfsync-blocked`: pfsync traffic on the sync interface is blocked

use super::ha::Proto;
use super::{Context, Finding, Level, Lint, LintInfo};

static INFO: LintInfo = LintInfo {
    name: "pfsync-blocked",
    level: Level::Error,
    summary: "pfsync traffic on the sync interface is blocked (or routed away)",
    doc: include_str!("../../lints/pfsync-blocked.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    super::carp_blocked::flows_blocked(cx, out, Proto::Pfsync);
}
