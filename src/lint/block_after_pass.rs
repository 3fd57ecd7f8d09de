//! `block-after-pass`: a non-quick block-everything rule overrides earlier pass rules

use super::roles::{blocks_everything, main_rules};
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "block-after-pass",
    level: Level::Error,
    summary: "a non-quick block-everything rule overrides earlier pass rules",
    doc: include_str!("../../lints/block-after-pass.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let rules = main_rules(&cx.resolved.ruleset);
    for (i, (r, span)) in rules.iter().enumerate() {
        if !blocks_everything(r) || r.quick {
            continue;
        }
        let overridden: Vec<_> = rules[..i]
            .iter()
            .filter(|(p, _)| p.action.node == Action::Pass && !p.quick)
            .collect();
        if let Some((_, first)) = overridden.first() {
            out.push(Finding {
                span: *span,
                message: format!(
                    "this rule blocks everything after {} pass rule(s): since the last matching rule wins, only `quick` rules still pass traffic",
                    overridden.len()
                ),
                labels: vec![(*first, "overridden pass rule".into())],
                help: Some("move `block all` before the pass rules".into()),
            });
        }
    }
}
