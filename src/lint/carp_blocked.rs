//! `carp-blocked`: a CARP advertisement the pair needs is blocked

use super::ha::{read, FlowResult, Proto};
use super::{Context, Finding, Level, Lint, LintInfo};

static INFO: LintInfo = LintInfo {
    name: "carp-blocked",
    level: Level::Error,
    summary: "a CARP advertisement the pair needs is blocked (or routed away)",
    doc: include_str!("../../lints/carp-blocked.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

fn run(cx: &Context, out: &mut Vec<Finding>) {
    flows_blocked(cx, out, Proto::Carp);
}

/// Flows stopped by one rule: (deciding rule, route option, flows, where
/// the interface is configured).
type ByRule = (
    Option<crate::span::Span>,
    Option<String>,
    Vec<String>,
    Option<crate::span::Span>,
    Vec<String>,
);

/// Shared by `carp-blocked` and `pfsync-blocked`: every flow of the
/// protocol (see [`super::ha`]) through the evaluator; one finding per
/// deciding rule, listing the flows it stops.
pub(crate) fn flows_blocked(cx: &Context, out: &mut Vec<Finding>, proto: Proto) {
    let ha = cx.ha();
    let why = match proto {
        Proto::Carp => "the nodes stop hearing each other and both become MASTER (split brain)",
        Proto::Pfsync => "states do not replicate, and a failover drops every connection",
    };
    let passes: Vec<crate::span::Span> = cx
        .resolved
        .every_rule()
        .into_iter()
        .filter(|(r, _)| r.action.node == crate::ast::Action::Pass)
        .map(|(_, s)| s)
        .collect();
    let mut overridden: Vec<(Option<crate::span::Span>, crate::span::Span)> = Vec::new();
    // (deciding rule, routed-by, flows)
    let mut by_rule: Vec<ByRule> = Vec::new();
    for f in ha.flows.iter().filter(|f| f.proto == proto) {
        let o = ha.judge(f);
        // A pass rule that matched before the deciding block.
        if let Some(d) = o.decisions.first() {
            if let Some(p) = d
                .matches
                .iter()
                .rev()
                .find(|m| Some(**m) != d.rule && passes.contains(m))
            {
                if !overridden.iter().any(|(r, _)| *r == d.rule) {
                    overridden.push((d.rule, *p));
                }
            }
        }
        let (rule, route) = match read(f, &o) {
            FlowResult::Blocked(r) => (r, None),
            FlowResult::RoutedAway(r, how) => (r, Some(how)),
            _ => continue,
        };
        let iface = f.packet.interface.clone().unwrap_or_default();
        match by_rule
            .iter_mut()
            .find(|(r, w, _, _, _)| *r == rule && *w == route)
        {
            Some((_, _, flows, _, ifs)) => {
                flows.push(f.describe.clone());
                if !ifs.contains(&iface) {
                    ifs.push(iface);
                }
            }
            None => by_rule.push((rule, route, vec![f.describe.clone()], f.origin, vec![iface])),
        }
    }
    for (rule, route, flows, origin, ifs) in by_rule {
        let span = rule.or(origin).unwrap_or_else(|| cx.fallback_span());
        let (what, help) = match &route {
            None => (
                "blocked by this rule",
                match proto {
                    Proto::Carp => "pass CARP on the parent before any block can match it, e.g. `pass quick on $parent proto carp` (and `inet6` too when the CARP interface has IPv6 addresses)",
                    Proto::Pfsync => "pass pfsync on the sync interface with a `quick` rule, or add it to `set skip on`",
                },
            ),
            Some(_) => (
                "passed with route-to by this rule, so pf forwards them (pf_route) instead of delivering them",
                "exclude the protocol from the route-to rule, or pass it first with a `quick` rule without route-to",
            ),
        };
        let mut message = format!("{}: {why}", flows.join("; "));
        message = format!(
            "{} are {what}: {message}",
            match proto {
                Proto::Carp => "CARP advertisements",
                Proto::Pfsync => "pfsync packets",
            }
        );
        let mut labels = Vec::new();
        if let Some((_, p)) = overridden
            .iter()
            .find(|(r, _)| *r == rule && route.is_none())
        {
            labels.push((
                *p,
                "this pass rule is overridden (the last matching rule wins)".to_string(),
            ));
        }
        if let (Some(o), Some(_)) = (origin, rule) {
            labels.push((o, "the interface is configured here".to_string()));
        }
        let fix = match (rule, &route) {
            (Some(r), None) => pass_first(cx, r, proto, &ifs),
            _ => None,
        };
        out.push(Finding {
            span,
            message,
            labels,
            help: Some(help.into()),
            fix,
        });
    }
}

/// The fix: a `quick` pass for the blocked flows' interfaces, inserted on
/// its own line before the rule that blocks them (with its indentation).
/// Unsafe: a quick pass decides those packets before every later rule.
fn pass_first(
    cx: &Context,
    block: crate::span::Span,
    proto: Proto,
    ifs: &[String],
) -> Option<crate::fix::Fix> {
    if ifs.is_empty() || ifs.iter().any(|i| i.is_empty()) {
        return None;
    }
    let text = &cx.sources.get(block.file)?.text;
    let line_start = text.get(..block.start())?.rfind('\n').map_or(0, |i| i + 1);
    let indent: String = text[line_start..block.start()]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if indent.len() != block.start() - line_start {
        return None;
    }
    let on = match ifs {
        [one] => one.clone(),
        many => format!("{{ {} }}", many.join(" ")),
    };
    let name = match proto {
        Proto::Carp => "carp",
        Proto::Pfsync => "pfsync",
    };
    let rule = format!("pass quick on {on} proto {name} keep state (no-sync)");
    Some(crate::fix::Fix::risky(
        format!("insert `{rule}` before the blocking rule"),
        format!(
            "a quick pass decides {name} packets on {on} before every later rule: check that none of them was meant to filter these packets (a `from` restricted to the peer narrows it)"
        ),
        vec![crate::fix::Edit {
            span: crate::span::Span::new(block.file, line_start, line_start),
            replacement: format!("{indent}{rule}\n"),
        }],
    ))
}
