//! `carp-unrestricted`: CARP is passed on every interface

use super::roles::{main_rules, protos};
use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;

static INFO: LintInfo = LintInfo {
    name: "carp-unrestricted",
    level: Level::Warning,
    summary: "CARP is passed on every interface",
    doc: include_str!("../../lints/carp-unrestricted.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    for (r, span) in main_rules(&cx.resolved.ruleset) {
        if r.action.node == Action::Pass && protos(r).contains(&112) && r.interfaces.is_empty() {
            out.push(Finding {
                span,
                message: "CARP is passed on every interface".into(),
                labels: Vec::new(),
                help: Some("pass CARP only on the CARP parent interfaces: `pass on { $wan $lan } proto carp`".into()),
            });
        }
    }
}
