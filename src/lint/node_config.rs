//! `node-config`: the node's interface files do not configure what they mean to

use super::{Context, Finding, Level, Lint, LintInfo};

static INFO: LintInfo = LintInfo {
    name: "node-config",
    level: Level::Warning,
    summary: "a node file does not configure what it means to (CARP without carpdev...)",
    doc: include_str!("../../lints/node-config.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let Some(node) = cx.node else {
        return;
    };
    for n in &node.notes {
        out.push(Finding {
            span: node.span(n.origin).unwrap_or_else(|| cx.fallback_span()),
            message: n.message.clone(),
            labels: Vec::new(),
            help: n.help.clone(),
            fix: None,
        });
    }
}
