//! `unused-macro`: a macro that is defined and never referenced.

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::fix::{Edit, Fix};
use crate::span::{FileId, Span};
use std::collections::HashMap;

static INFO: LintInfo = LintInfo {
    name: "unused-macro",
    level: Level::Warning,
    summary: "a macro is defined but never used",
    doc: include_str!("../../lints/unused-macro.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    // Statement spans per file, cut once (for the fixes).
    let mut statements: HashMap<FileId, Vec<Span>> = HashMap::new();
    for m in &cx.resolved.macros {
        if let (false, Some(span)) = (m.used, m.span) {
            let fix = cx.sources.get(span.file).and_then(|f| {
                let spans = statements
                    .entry(span.file)
                    .or_insert_with(|| statement_spans(&f.text, span.file));
                let stmt = spans
                    .iter()
                    .find(|s| s.start() <= span.start() && span.start() < s.end())?;
                Some(removal(&f.text, *stmt, &m.name))
            });
            out.push(Finding {
                span,
                message: format!("macro `{}` is never used", m.name),
                labels: Vec::new(),
                help: Some("remove it, or use it as `$".to_string() + &m.name + "`"),
                fix,
            });
        }
    }
}

/// The spans of every statement of a file, inline anchor bodies included.
fn statement_spans(text: &str, file: FileId) -> Vec<Span> {
    fn walk(stmts: &[crate::lexer::RawStmt], out: &mut Vec<Span>) {
        for s in stmts {
            out.push(s.span);
            if let Some(b) = &s.block {
                walk(&b.body, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&crate::lexer::split(text, file).stmts, &mut out);
    out
}

/// Removing the definition (its line, when it has one to itself): safe,
/// since nothing expands the macro, so pf loads the same rules.
fn removal(text: &str, statement: Span, name: &str) -> Fix {
    Fix::safe(
        format!("remove the unused macro `{name}`"),
        vec![Edit {
            span: crate::fix::statement_line(text, statement),
            replacement: String::new(),
        }],
    )
}
