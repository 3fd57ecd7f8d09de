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
        match by_rule
            .iter_mut()
            .find(|(r, w, _, _)| *r == rule && *w == route)
        {
            Some((_, _, flows, _)) => flows.push(f.describe.clone()),
            None => by_rule.push((rule, route, vec![f.describe.clone()], f.origin)),
        }
    }
    for (rule, route, flows, origin) in by_rule {
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
        out.push(Finding {
            span,
            message,
            labels,
            help: Some(help.into()),
        });
    }
}
