//! `ha-flow-undecided`: a CARP or pfsync flow's verdict depends on what the node files leave open

use super::ha::{read, FlowResult};
use super::{Context, Finding, Level, Lint, LintInfo};

static INFO: LintInfo = LintInfo {
    name: "ha-flow-undecided",
    level: Level::Info,
    summary: "a CARP or pfsync flow's verdict depends on what the files leave open",
    doc: include_str!("../../lints/ha-flow-undecided.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let ha = cx.ha();
    for f in &ha.flows {
        let o = ha.judge(f);
        let FlowResult::Undecided(why) = read(f, &o) else {
            continue;
        };
        let span = why
            .iter()
            .find_map(|(s, _)| *s)
            .or(f.origin)
            .unwrap_or_else(|| cx.fallback_span());
        let reasons: Vec<String> = why.iter().map(|(_, w)| w.clone()).collect();
        out.push(Finding {
            span,
            message: format!(
                "undecided: {} may be blocked, because {}",
                f.describe,
                reasons.join("; ")
            ),
            labels: Vec::new(),
            help: Some("give the node directory (--node) or pass the flow with a rule that does not depend on it".into()),
            fix: None,
        });
    }
}
