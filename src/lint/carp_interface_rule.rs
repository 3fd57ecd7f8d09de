//! `carp-interface-rule`: a rule names a CARP interface, which pf never
//! sees packets on
//!
//! pf.c 1.1218, `pf_test`: a packet on an `IFT_CARP` interface is filtered
//! with its carpdev's `pfi_kif`, and `pf_match_rcvif` (`received-on`) does
//! the same. So `on carp1`, `on carp` (the group of CARP interfaces),
//! `received-on carp1` and `set skip on carp1` match no packet, and
//! `on ! carp1` excludes none: the packets are seen as on the parent.

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;
use crate::span::Span;

static INFO: LintInfo = LintInfo {
    name: "carp-interface-rule",
    level: Level::Warning,
    summary: "a rule names a CARP interface, but pf filters its packets as on the parent",
    doc: include_str!("../../lints/carp-interface-rule.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

/// Whether `name` is a CARP interface or the `carp` group; with the
/// parent when the node names it.
fn carp_name(cx: &Context, name: &str) -> Option<Option<String>> {
    if name == "carp" {
        return Some(None);
    }
    if let Some(n) = cx.node {
        if let Some(i) = n.interface(name) {
            return i.is_carp().then(|| n.carpdev(i).ok());
        }
    }
    let unit = name.strip_prefix("carp")?;
    (!unit.is_empty() && unit.bytes().all(|b| b.is_ascii_digit())).then_some(None)
}

fn instead(name: &str, parent: &Option<String>) -> String {
    match (name, parent) {
        ("carp", _) => {
            "name the CARP parents (the `carpdev` of each CARP interface) instead".into()
        }
        (_, Some(p)) => format!("name {name}'s parent instead: `{p}`"),
        (_, None) => format!("name {name}'s parent (its `carpdev`) instead"),
    }
}

fn seen_as(name: &str, parent: &Option<String>) -> String {
    match (name, parent) {
        ("carp", _) => "pf filters a CARP interface's packets as on its parent".into(),
        (_, Some(p)) => format!("pf filters {name}'s packets as on its parent {p}"),
        (_, None) => format!("pf filters {name}'s packets as on its parent (carpdev)"),
    }
}

fn run(cx: &Context, out: &mut Vec<Finding>) {
    let mut push = |span: Span, message: String, help: String| {
        out.push(Finding {
            span,
            message,
            labels: Vec::new(),
            help: Some(help),
            fix: None,
        })
    };
    for s in &cx.resolved.ruleset.statements {
        if let StatementKind::Option(o) = &s.kind {
            if let SetOption::Skip { interfaces } = &**o {
                for i in interfaces {
                    if let IfTarget::Name(n) = &i.node.target {
                        let name = n.node.text();
                        if let Some(parent) = carp_name(cx, name) {
                            push(
                                s.span,
                                format!("`set skip on {name}` has no effect: {} (pf.c pf_test), and skipping is decided there", seen_as(name, &parent)),
                                format!("drop {name} from `set skip on`; to skip the traffic, skip the parent (which skips all of it)"),
                            );
                        }
                    }
                }
            }
        }
    }
    for (r, span) in cx.resolved.every_rule() {
        for i in &r.interfaces {
            let IfTarget::Name(n) = &i.node.target else {
                continue;
            };
            let name = n.node.text();
            let Some(parent) = carp_name(cx, name) else {
                continue;
            };
            let message = if i.node.not {
                format!(
                    "`on ! {name}` excludes nothing: {} (pf.c pf_test), so the rule applies to them too",
                    seen_as(name, &parent)
                )
            } else if r.interfaces.len() == 1 {
                format!(
                    "this rule never matches: {} (pf.c pf_test), never as on {name}",
                    seen_as(name, &parent)
                )
            } else {
                format!(
                    "{name} in `on` never matches: {} (pf.c pf_test)",
                    seen_as(name, &parent)
                )
            };
            push(span, message, instead(name, &parent));
        }
        for o in &r.options {
            if let FilterOpt::ReceivedOn { not, interface } = &o.node {
                let IfTarget::Name(n) = &**interface else {
                    continue;
                };
                let name = n.node.text();
                if let Some(parent) = carp_name(cx, name) {
                    let what = if *not {
                        "excludes nothing"
                    } else {
                        "never matches"
                    };
                    push(
                        span,
                        format!(
                            "`received-on {}{name}` {what}: pf takes a CARP interface's packets as received on its parent (pf.c pf_match_rcvif)",
                            if *not { "! " } else { "" }
                        ),
                        instead(name, &parent),
                    );
                }
            }
        }
    }
}
