//! `sync-not-skipped`: the sync interface is filtered (not in set skip on)

use super::{Context, Finding, Level, Lint, LintInfo};

static INFO: LintInfo = LintInfo {
    name: "sync-not-skipped",
    level: Level::Warning,
    summary: "the sync interface is filtered (not in set skip on)",
    doc: include_str!("../../lints/sync-not-skipped.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let roles = cx.roles();
    let skipped = |n: &str| roles.skipped.iter().any(|s| s == n);
    if skipped("pfsync0") || skipped("pfsync") {
        return;
    }
    for (ifname, span) in &roles.sync {
        if !skipped(ifname) {
            out.push(Finding {
                span: *span,
                message: format!("neither the sync interface {ifname} nor pfsync0 is in `set skip on`"),
                labels: Vec::new(),
                help: Some(format!("add `set skip on {{ lo {ifname} pfsync0 }}` (a dedicated sync link needs no filtering)")),
            });
        }
    }
}
