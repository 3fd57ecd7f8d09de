//! `unused-table` and `undefined-table`: tables defined and never used, and
//! tables used and never defined (pf creates those empty; usually a typo).

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::walk_rules;
use crate::ast::*;
use crate::span::Span;
use std::collections::HashMap;

static UNUSED: LintInfo = LintInfo {
    name: "unused-table",
    level: Level::Warning,
    summary: "a table is defined but no rule uses it",
    doc: include_str!("../../lints/unused-table.md"),
};

static UNDEFINED: LintInfo = LintInfo {
    name: "undefined-table",
    level: Level::Warning,
    summary: "a rule uses a table that is never defined",
    doc: include_str!("../../lints/undefined-table.md"),
};

/// Registration of `unused-table`.
pub const UNUSED_TABLE: Lint = Lint {
    info: &UNUSED,
    run: run_unused,
};
/// Registration of `undefined-table`.
pub const UNDEFINED_TABLE: Lint = Lint {
    info: &UNDEFINED,
    run: run_undefined,
};

fn hosts_tables<'a>(h: &'a Spanned<Host>, out: &mut Vec<(&'a str, Span)>) {
    match &h.node.kind {
        HostKind::Table { name } => out.push((name.node.text(), name.span)),
        HostKind::List(v) => {
            for x in v {
                hosts_tables(x, out);
            }
        }
        _ => {}
    }
}

fn redirect_tables<'a>(r: &'a Redirect, out: &mut Vec<(&'a str, Span)>) {
    for h in &r.hosts {
        hosts_tables(&h.host, out);
    }
}

/// Every table reference with its span.
fn uses<'a>(cx: &Context<'a>) -> Vec<(&'a str, Span)> {
    references(cx.resolved)
}

/// Every table reference of a resolved ruleset (main ruleset, inline
/// anchors, loaded anchors) with the span of its name, in the order of
/// the rules (the language server's references and rename use it too).
pub(crate) fn references(resolved: &crate::resolve::Resolved) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    let mut rulesets = vec![&resolved.ruleset];
    rulesets.extend(resolved.loaded_anchors.iter().map(|a| &a.ruleset));
    for rs in rulesets {
        walk_rules(rs, &mut |r| {
            for e in [&r.hosts.from, &r.hosts.to].into_iter().flatten() {
                for h in &e.hosts {
                    hosts_tables(h, &mut out);
                }
            }
            for o in &r.options {
                match &o.node {
                    FilterOpt::NatTo(x) | FilterOpt::BinatTo(x) | FilterOpt::RdrTo(x) => {
                        redirect_tables(x, &mut out)
                    }
                    FilterOpt::Route { target, .. } => redirect_tables(target, &mut out),
                    FilterOpt::AfTo { from, to, .. } => {
                        redirect_tables(from, &mut out);
                        if let Some(t) = to {
                            redirect_tables(t, &mut out);
                        }
                    }
                    FilterOpt::State { opts, .. } => {
                        for so in opts {
                            if let StateOpt::Overload { table, .. } = &so.node {
                                out.push((table.node.text(), table.span));
                            }
                        }
                    }
                    _ => {}
                }
            }
        });
        for s in &rs.statements {
            if let StatementKind::Limiter(l) = &s.kind {
                for o in &l.opts {
                    if let LimiterOpt::Table { name, .. } = &o.node {
                        out.push((name.node.text(), name.span));
                    }
                }
            }
        }
    }
    out
}

/// Every table definition (main ruleset, inline anchors, loaded anchors).
fn definitions<'a>(cx: &Context<'a>) -> HashMap<&'a str, Span> {
    fn walk<'a>(rs: &'a Ruleset, out: &mut HashMap<&'a str, Span>) {
        for s in &rs.statements {
            match &s.kind {
                StatementKind::Table(t) => {
                    out.entry(t.name.node.text()).or_insert(t.name.span);
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
    let mut out = HashMap::new();
    walk(&cx.resolved.ruleset, &mut out);
    for a in &cx.resolved.loaded_anchors {
        walk(&a.ruleset, &mut out);
    }
    out
}

fn run_unused(cx: &Context, out: &mut Vec<Finding>) {
    let used: std::collections::HashSet<&str> = uses(cx).into_iter().map(|(n, _)| n).collect();
    let mut defs: Vec<(&str, Span)> = definitions(cx).into_iter().collect();
    defs.sort_by_key(|(_, s)| (s.file, s.start()));
    for (name, span) in defs {
        if !used.contains(name) {
            out.push(Finding {
                span,
                message: format!("table <{name}> is never used"),
                labels: Vec::new(),
                help: Some("remove it, or reference it as `<".to_string() + name + ">` in a rule"),
                fix: None,
            });
        }
    }
}

fn run_undefined(cx: &Context, out: &mut Vec<Finding>) {
    let defs = definitions(cx);
    let mut seen = std::collections::HashSet::new();
    for (name, span) in uses(cx) {
        if !defs.contains_key(name) && seen.insert(name) {
            // The closest definition, ties broken by name: the same hint
            // on every run (the map's order is not).
            let close = defs
                .keys()
                .map(|d| (crate::diag::edit_distance(d, name), *d))
                .filter(|(dist, _)| *dist <= 2)
                .min()
                .map(|(_, d)| format!("did you mean <{d}>?"));
            out.push(Finding {
                span,
                message: format!("table <{name}> is used but never defined"),
                labels: Vec::new(),
                help: Some(close.unwrap_or_else(|| {
                    format!("pf creates it empty; define it with `table <{name}> persist` if that is intended")
                })),
                fix: None,
            });
        }
    }
}
