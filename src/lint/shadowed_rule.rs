//! `shadowed-rule`: a rule that can never decide a packet, because an
//! earlier `quick` rule matching a superset of its packets always decides
//! first, or a later non-quick rule matching a superset always overrides
//! it.
//!
//! Superset is judged conservatively, part by part: direction, interfaces,
//! family, protocols, addresses (prefix containment with `ipnet`), ports
//! (ranges), and options (a rule with options that narrow what it matches,
//! such as `user`, only covers a rule with the same ones; TCP flags are
//! compared as pf matches them). Anything not
//! understood counts as "not a superset", so the lint stays silent rather
//! than guess. Rules are bucketed by protocol so that large rulesets do not
//! compare every pair.

use super::{Context, Finding, Level, Lint, LintInfo};
use crate::ast::*;
use crate::span::Span;
use crate::values::port_value;
use ipnet::IpNet;

static INFO: LintInfo = LintInfo {
    name: "shadowed-rule",
    level: Level::Warning,
    summary: "a rule can never decide: another rule covering all its packets always wins",
    doc: include_str!("../../lints/shadowed-rule.md"),
};

/// Registration.
pub const LINT: Lint = Lint { info: &INFO, run };

/// Most candidate rules compared with one rule (beyond it the rule is not
/// judged; the index keeps real rulesets far below this).
const MAX_CANDIDATES: usize = 20_000;

fn run(cx: &Context, out: &mut Vec<Finding>) {
    walk(&cx.resolved.ruleset, out);
    for a in &cx.resolved.loaded_anchors {
        walk(&a.ruleset, out);
    }
}

fn walk(rs: &Ruleset, out: &mut Vec<Finding>) {
    let rules: Vec<(&FilterRule, Span)> = rs
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            StatementKind::Rule(r) if r.action.node != Action::Match => Some((&**r, s.span)),
            _ => None,
        })
        .collect();
    // Anchors in between may decide anything: only compare rules with no
    // anchor between them.
    let anchor_positions: Vec<usize> = rs
        .statements
        .iter()
        .filter(|s| matches!(s.kind, StatementKind::Anchor(_)))
        .map(|s| s.span.start())
        .collect();
    // A rule's segment: how many anchors come before it. Only rules of the
    // same segment are compared (the segment is part of the index key).
    let segment = |r: Span| anchor_positions.partition_point(|&p| p < r.start());
    // Index: a rule that covers `b` must have no direction or b's, no
    // interface list or one holding b's first interface, no protocol list
    // or one holding b's first protocol, a source that is `any` when b's
    // is, and a destination that is `any` or a prefix holding b's first
    // destination. Rules are filed under each such key, so each rule is
    // compared with few others even in 100,000-rule rulesets.
    type Key<'r> = (usize, Option<Direction>, &'r str, &'r str, bool);
    #[derive(Default)]
    struct Group {
        to_any: Vec<usize>,
        to_nets: std::collections::HashMap<IpNet, Vec<usize>>,
        /// The prefix lengths in `to_nets`, so that a lookup tries only
        /// those.
        lens: Vec<u8>,
        to_other: Vec<usize>,
    }
    fn ifaces(r: &FilterRule) -> Vec<&str> {
        if r.interfaces.is_empty() {
            return vec!["*"];
        }
        r.interfaces
            .iter()
            .map(|i| match &i.node.target {
                IfTarget::Name(n) if !i.node.not => n.node.text(),
                _ => "?",
            })
            .collect()
    }
    fn protos(r: &FilterRule) -> Vec<&str> {
        if r.protos.is_empty() {
            return vec!["*"];
        }
        r.protos.iter().map(|p| p.node.text()).collect()
    }
    let side_any =
        |e: &Option<Box<Endpoint>>| e.as_ref().is_none_or(|e| e.any || e.hosts.is_empty());
    let to_nets = |r: &FilterRule| -> Option<Vec<IpNet>> {
        let e = r.hosts.to.as_ref()?;
        e.hosts.iter().map(|h| net_of(&h.node)).collect()
    };
    let mut reported = std::collections::HashSet::new();
    // Rules are compared within their segment only: the index holds one
    // segment at a time (a ruleset with an anchor every few rules has
    // thousands of small segments; one index of them all took 33 MB at
    // 100,000 rules).
    let mut lo = 0;
    while lo < rules.len() {
        let seg = segment(rules[lo].1);
        let hi = lo + rules[lo..].partition_point(|(_, s)| segment(*s) == seg);
        let mut index: std::collections::HashMap<Key<'_>, Group> = Default::default();
        for (i, (r, span)) in rules.iter().enumerate().take(hi).skip(lo) {
            let seg = segment(*span);
            let from_any = side_any(&r.hosts.from);
            let nets = to_nets(r);
            for f in ifaces(r) {
                for p in protos(r) {
                    let g = index.entry((seg, r.direction, f, p, from_any)).or_default();
                    if side_any(&r.hosts.to) {
                        g.to_any.push(i);
                    } else if let Some(ns) = &nets {
                        for n in ns {
                            g.to_nets.entry(*n).or_default().push(i);
                            if !g.lens.contains(&n.prefix_len()) {
                                g.lens.push(n.prefix_len());
                            }
                        }
                    } else {
                        g.to_other.push(i);
                    }
                }
            }
        }
        for (i, (b, bspan)) in rules.iter().enumerate().take(hi).skip(lo) {
            let mut dirs = vec![None];
            if b.direction.is_some() {
                dirs.push(b.direction);
            }
            let mut ifs = vec!["*"];
            if let Some(f) = ifaces(b).into_iter().find(|f| *f != "*") {
                ifs.push(f);
            }
            let mut ps = vec!["*"];
            if let Some(p) = protos(b).into_iter().find(|p| *p != "*") {
                ps.push(p);
            }
            let froms: &[bool] = if side_any(&b.hosts.from) {
                &[true]
            } else {
                &[true, false]
            };
            let seg = segment(*bspan);
            let b_to_any = side_any(&b.hosts.to);
            let b_net = to_nets(b).and_then(|v| v.first().copied());
            let mut candidates: Vec<usize> = Vec::new();
            for d in &dirs {
                for f in &ifs {
                    for p in &ps {
                        for fa in froms {
                            let Some(g) = index.get(&(seg, *d, *f, *p, *fa)) else {
                                continue;
                            };
                            candidates.extend(&g.to_any);
                            if b_to_any {
                                continue;
                            }
                            match b_net {
                                Some(n) => {
                                    for &len in g.lens.iter().filter(|&&l| l <= n.prefix_len()) {
                                        if let Ok(sup) = IpNet::new(n.network(), len) {
                                            if let Some(v) = g.to_nets.get(&sup.trunc()) {
                                                candidates.extend(v);
                                            }
                                        }
                                    }
                                }
                                None => candidates.extend(&g.to_other),
                            }
                        }
                    }
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            if candidates.len() > MAX_CANDIDATES {
                continue;
            }
            for &j in &candidates {
                if j == i || reported.contains(&i) {
                    continue;
                }
                let (a, aspan) = rules[j];
                // Candidates share b's segment: no anchor stands between them.
                let earlier_quick = j < i && a.quick;
                let later_override = j > i && !b.quick;
                if !(earlier_quick || later_override) || !covers(a, b) {
                    continue;
                }
                // A block-everything rule after pass rules is `block-after-pass`'s
                // finding (an error, with the same advice); do not repeat it.
                // Other rules it overrides (a `block log` for part of the
                // traffic: its log never happens) are this lint's.
                if later_override
                    && b.action.node == Action::Pass
                    && super::roles::blocks_everything(a)
                {
                    continue;
                }
                reported.insert(i);
                let (msg, label) = if earlier_quick {
                    (
                    "this rule never decides: an earlier quick rule matches all its packets first",
                    "decides first (quick)",
                )
                } else {
                    (
                    "this rule never decides: a later rule matches all its packets and overrides it (the last matching rule wins)",
                    "overrides it",
                )
                };
                let help = if earlier_quick {
                    "remove the rule; if it should win, move it above the quick rule and make it `quick` too"
                } else {
                    "remove the rule, make it `quick`, or move it after the rule that covers it"
                };
                out.push(Finding {
                    span: *bspan,
                    message: msg.into(),
                    labels: vec![(aspan, label.into())],
                    help: Some(help.into()),
                    fix: None,
                });
            }
        }
        lo = hi;
    }
}

/// True when every packet `b` matches is matched by `a`.
fn covers(a: &FilterRule, b: &FilterRule) -> bool {
    (a.direction.is_none() || a.direction == b.direction)
        && interfaces_cover(&a.interfaces, &b.interfaces)
        && (a.af.is_none() || a.af.as_ref().map(|x| x.node) == b.af.as_ref().map(|x| x.node))
        && protos_cover(&a.protos, &b.protos)
        && endpoint_covers(&a.hosts.from, &b.hosts.from)
        && endpoint_covers(&a.hosts.to, &b.hosts.to)
        && a.hosts.os.is_empty()
        && options_cover(a, b)
}

fn interfaces_cover(a: &[Spanned<IfItem>], b: &[Spanned<IfItem>]) -> bool {
    if a.is_empty() {
        return true;
    }
    if a.iter().any(|i| i.node.not) || b.is_empty() || b.iter().any(|i| i.node.not) {
        return false;
    }
    let names = |v: &[Spanned<IfItem>]| -> Option<Vec<String>> {
        v.iter()
            .map(|i| match &i.node.target {
                IfTarget::Name(n) => Some(n.node.text().to_string()),
                _ => None,
            })
            .collect()
    };
    match (names(a), names(b)) {
        (Some(x), Some(y)) => y.iter().all(|n| x.contains(n)),
        _ => false,
    }
}

fn protos_cover(a: &[SValue], b: &[SValue]) -> bool {
    let num = |v: &SValue| {
        v.node
            .text()
            .parse::<u8>()
            .ok()
            .or_else(|| crate::names::protocol_number(v.node.text()))
    };
    a.is_empty()
        || (!b.is_empty()
            && b.iter()
                .all(|p| a.iter().any(|q| num(q).is_some() && num(q) == num(p))))
}

fn net_of(h: &Host) -> Option<IpNet> {
    crate::values::host_net(h)
}

fn host_covered(a: &[Spanned<Host>], h: &Host) -> bool {
    a.iter().any(|x| match (net_of(&x.node), net_of(h)) {
        (Some(n), Some(m)) => n.contains(&m),
        // Same table, interface or name, written the same way.
        _ => x.node == *h && !matches!(h.kind, HostKind::List(_)),
    })
}

fn ports_cover(a: &[Spanned<PortItem>], b: &[Spanned<PortItem>]) -> bool {
    if a.is_empty() {
        return true;
    }
    if b.is_empty() {
        return false;
    }
    let range = |p: &PortItem| -> Option<(u16, u16)> {
        match p {
            PortItem::Eq { value } => match value.node.text().split_once(':') {
                Some((x, y)) => Some((port_value(x).ok()?, port_value(y).ok()?)),
                None => {
                    let v = port_value(value.node.text()).ok()?;
                    Some((v, v))
                }
            },
            PortItem::Unary { op, value } => {
                let v = port_value(value.node.text()).ok()?;
                match op {
                    PortOperator::Eq => Some((v, v)),
                    PortOperator::Lt => Some((0, v.checked_sub(1)?)),
                    PortOperator::Le => Some((0, v)),
                    PortOperator::Gt => Some((v.checked_add(1)?, 65535)),
                    PortOperator::Ge => Some((v, 65535)),
                    _ => None,
                }
            }
            PortItem::Binary { .. } => None,
        }
    };
    b.iter().all(|p| {
        let Some((lo, hi)) = range(&p.node) else {
            return false;
        };
        a.iter()
            .any(|q| range(&q.node).is_some_and(|(x, y)| x <= lo && hi <= y))
    })
}

fn endpoint_covers(a: &Option<Box<Endpoint>>, b: &Option<Box<Endpoint>>) -> bool {
    let Some(a) = a else {
        return true;
    };
    let hosts_ok = a.any
        || a.hosts.is_empty()
        || b.as_ref().is_some_and(|b| {
            !b.any && !b.hosts.is_empty() && b.hosts.iter().all(|h| host_covered(&a.hosts, &h.node))
        });
    let ports_ok = ports_cover(
        &a.ports,
        b.as_ref().map(|b| b.ports.as_slice()).unwrap_or(&[]),
    );
    hosts_ok && ports_ok
}

/// The TCP flags a rule requires: explicit `flags`, or the `flags S/SA`
/// pfctl adds to stateful pass rules (so `pass` alone does not cover the
/// non-SYN TCP packets a preceding `block` catches).
fn tcp_flags(r: &FilterRule) -> Option<String> {
    for o in &r.options {
        if let FilterOpt::Flags { set, mask } = &o.node {
            return match (set, mask) {
                (None, None) => None,
                _ => Some(format!(
                    "{}/{}",
                    set.as_ref().map(|v| v.node.text()).unwrap_or(""),
                    mask.as_ref().map(|v| v.node.text()).unwrap_or("")
                )),
            };
        }
    }
    let stateless = r.options.iter().any(|o| {
        matches!(
            o.node,
            FilterOpt::State {
                kind: StateKind::No,
                ..
            } | FilterOpt::Fragment
        )
    });
    (r.action.node == Action::Pass && !stateless).then(|| "S/SA".to_string())
}

/// True when every TCP packet that `flags b` (`F/M`) matches also matches
/// `flags a` (`X/Y`): a packet matches `F/M` when its flags masked by `M`
/// are `F` (pf.c), so `Y` must lie inside `M` and `X` be `F` masked by
/// `Y`: `FUP/FUP` is covered by `F/F` and `FU/FU`, not by `S/SA`.
fn flags_cover(a: &str, b: &str) -> bool {
    fn bits(s: &str) -> Option<u8> {
        s.chars()
            .try_fold(0u8, |v, c| Some(v | crate::values::tcp_flag(c)?))
    }
    let parse = |f: &str| -> Option<(u8, u8)> {
        let (set, mask) = f.split_once('/')?;
        let set = bits(set)?;
        // `flags S/` or `flags S`: the mask is every flag.
        let mask = if mask.is_empty() { 0xff } else { bits(mask)? };
        Some((set, mask))
    };
    match (parse(a), parse(b)) {
        (Some((x, y)), Some((f, m))) => y & !m == 0 && x == f & y,
        _ => a == b,
    }
}

/// Options that narrow what a rule matches ([`FilterOpt::narrows`]) must
/// be the same on both rules, TCP flags being compared as pf matches them;
/// options that only act (label, tag, state, queue...) do not matter.
fn options_cover(a: &FilterRule, b: &FilterRule) -> bool {
    let b_may_be_tcp = b.protos.is_empty()
        || b.protos.iter().any(|p| {
            crate::names::protocol_number(p.node.text()) == Some(6) || p.node.text() == "6"
        });
    let a_tcp_only_for_flags = !a.protos.is_empty()
        && a.protos.iter().all(|p| {
            crate::names::protocol_number(p.node.text()) != Some(6) && p.node.text() != "6"
        });
    if b_may_be_tcp && !a_tcp_only_for_flags {
        if let Some(fa) = tcp_flags(a) {
            if !tcp_flags(b).is_some_and(|fb| flags_cover(&fa, &fb)) {
                return false;
            }
        }
    }
    // The narrowing options' meaning keys, sorted (None: an option has no
    // key, and the rules are not compared).
    let narrowing = |r: &FilterRule| -> Option<Vec<Vec<u8>>> {
        let mut v: Vec<Vec<u8>> = r
            .options
            .iter()
            // Flags are compared above, explicit or pfctl's default.
            .filter(|o| o.node.narrows() && !matches!(o.node, FilterOpt::Flags { .. }))
            .map(|o| crate::meaning::key(&o.node).ok())
            .collect::<Option<_>>()?;
        v.sort();
        Some(v)
    };
    match narrowing(a) {
        Some(na) => na.is_empty() || Some(na) == narrowing(b),
        None => false,
    }
}
