//! `duplicate-rule`: the same rule written twice in one ruleset; the second
//! copy changes nothing (or, after a non-quick rule in between, hides that
//! the order matters).

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::{Ruleset, StatementKind};
use crate::span::Span;
use std::collections::HashMap;

static INFO: LintInfo = LintInfo {
    name: "duplicate-rule",
    level: Level::Warning,
    summary: "the same rule appears twice in one ruleset",
    doc: include_str!("../../lints/duplicate-rule.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn walk(rs: &Ruleset, out: &mut Vec<Finding>) {
    let mut seen: HashMap<Vec<u8>, Span> = HashMap::new();
    for s in &rs.statements {
        match &s.kind {
            StatementKind::Rule(_) => {
                // Equal meaning keys: the same rule, however it is spelled.
                let Ok(key) = crate::meaning::key(&s.kind) else {
                    continue;
                };
                if let Some(first) = seen.get(&key) {
                    out.push(Finding {
                        span: s.span,
                        message: "this rule repeats an earlier rule".to_string(),
                        labels: vec![(*first, "first written here".to_string())],
                        help: Some("remove one of the two copies".to_string()),
                    });
                } else {
                    seen.insert(key, s.span);
                }
            }
            StatementKind::Anchor(a) => {
                if let Some(b) = &a.body {
                    walk(b, out);
                }
            }
            _ => {}
        }
    }
}

fn run(cx: &Context, out: &mut Vec<Finding>) {
    walk(&cx.resolved.ruleset, out);
    for a in &cx.resolved.loaded_anchors {
        walk(&a.ruleset, out);
    }
}
