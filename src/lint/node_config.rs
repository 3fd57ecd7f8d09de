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
            help: None,
        });
    }
    for (span, why) in &cx.ha().problems {
        // An address line already reported names the same interface.
        let ifname = why.split([' ', ':']).next().unwrap_or("");
        if node
            .notes
            .iter()
            .any(|n| n.message.starts_with(&format!("{ifname}: address")))
        {
            continue;
        }
        out.push(Finding {
            span: span.unwrap_or_else(|| cx.fallback_span()),
            message: why.clone(),
            labels: Vec::new(),
            help: Some(
                "set `carpdev IF` on the CARP interface's address line (or before it)".into(),
            ),
        });
    }
}
