//! `redefined-macro`: a macro defined twice; rules before the second
//! definition use the first value, rules after it the second.

use super::{Context, Finding, Level, Lint, LintInfo};

static INFO: LintInfo = LintInfo {
    name: "redefined-macro",
    level: Level::Warning,
    summary: "a macro is defined a second time",
    doc: include_str!("../../lints/redefined-macro.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    for r in &cx.resolved.macro_redefinitions {
        let mut note = "first defined here".to_string();
        if r.first_used {
            note.push_str(" (and used with this value before the redefinition)");
        }
        out.push(Finding {
            span: r.again,
            message: format!("macro `{}` is defined again", r.name),
            labels: vec![(r.first, note)],
            help: Some("keep one definition; use a second macro name for a second value".into()),
            fix: None,
        });
    }
}
