//! `unused-macro`: a macro that is defined and never referenced.

use super::{Context, Finding, Level, Lint, LintInfo};

static INFO: LintInfo = LintInfo {
    name: "unused-macro",
    level: Level::Warning,
    summary: "a macro is defined but never used",
    doc: include_str!("../../lints/unused-macro.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    for m in &cx.resolved.macros {
        if let (false, Some(span)) = (m.used, m.span) {
            out.push(Finding {
                span,
                message: format!("macro `{}` is never used", m.name),
                labels: Vec::new(),
                help: Some("remove it, or use it as `$".to_string() + &m.name + "`"),
            });
        }
    }
}
