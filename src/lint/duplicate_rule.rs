//! `duplicate-rule`: the same rule written twice in one ruleset; the second
//! copy changes nothing (or, after a non-quick rule in between, hides that
//! the order matters).

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::{Ruleset, Statement, StatementKind};
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
    // Rules by meaning hash; a hash match is confirmed by comparing the
    // exact meaning keys (the same rule, however it is spelled). An earlier
    // rule's key is computed once, the first time it is needed.
    type Earlier<'a> = (&'a Statement, Option<Vec<u8>>);
    let mut seen: HashMap<u64, Vec<Earlier>> = HashMap::new();
    for s in &rs.statements {
        match &s.kind {
            StatementKind::Rule(_) => {
                let Ok(h) = crate::meaning::hash(&s.kind) else {
                    continue;
                };
                let earlier = seen.entry(h).or_default();
                let mut first = None;
                if !earlier.is_empty() {
                    let Ok(mine) = crate::meaning::key(&s.kind) else {
                        continue;
                    };
                    for (e, key) in earlier.iter_mut() {
                        if key.is_none() {
                            *key = crate::meaning::key(&e.kind).ok();
                        }
                        if key.as_ref() == Some(&mine) {
                            first = Some(e.span);
                            break;
                        }
                    }
                }
                match first {
                    Some(first) => out.push(Finding {
                        span: s.span,
                        message: "this rule repeats an earlier rule".to_string(),
                        labels: vec![(first, "first written here".to_string())],
                        help: Some("remove one of the two copies".to_string()),
                        fix: None,
                    }),
                    None => earlier.push((s, None)),
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
