//! `no-default-block`: the ruleset has no default-deny rule

use super::roles::main_rules;
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "no-default-block",
    level: Level::Warning,
    summary: "the ruleset has no default-deny rule",
    doc: include_str!("../../lints/no-default-block.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let rules = main_rules(&cx.resolved.ruleset);
    let first_pass = rules.iter().find(|(r, _)| r.action.node == Action::Pass);
    let any_default = rules.iter().any(|(r, _)| super::roles::default_deny(r));
    // A default block after the pass rules is `block-after-pass`'s finding.
    if let (Some((_, span)), false) = (first_pass, any_default) {
        out.push(Finding {
            span: *span,
            message: "the ruleset has no default-deny rule: what no rule matches is passed".into(),
            labels: Vec::new(),
            help: Some("start the filter rules with `block all` (or `block return`)".into()),
        });
    }
}
