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
//! than guess. Rules are indexed (by direction, interface and protocol,
//! then by source, destination and destination port, the most selective
//! of the three chosen per rule) so that large rulesets, and long runs of
//! alike rules, do not compare every pair.

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
    // same segment are compared: rules are indexed one segment at a time
    // (a ruleset with an anchor every few rules has thousands of small
    // segments; one index of them all took 33 MB at 100,000 rules).
    let segment = |r: Span| anchor_positions.partition_point(|&p| p < r.start());
    // Index: a rule that covers `b` must have no direction or b's, no
    // interface list or one holding b's first interface, and no protocol
    // list or one holding b's first protocol: those are the key. Within
    // a key, rules are filed three ways: by source (any, a prefix, or
    // something else), by destination (the same), and by destination
    // port (any, one port, or something else). A rule covering `b` is in
    // each of the three lists that b's own source, destination and first
    // port select; the shortest of them is compared, so that a ruleset of
    // thousands of rules differing only in their source (a block list
    // written as rules), their destination or their port compares each
    // rule with a few others.
    type Key<'r> = (Option<Direction>, &'r str, &'r str);
    #[derive(Default)]
    struct Group {
        from: Filed<HostKey>,
        to: Filed<HostKey>,
        port: Filed<u16>,
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
    let mut lo = 0;
    while lo < rules.len() {
        let seg = segment(rules[lo].1);
        let hi = lo + rules[lo..].partition_point(|(_, s)| segment(*s) == seg);
        let mut index: std::collections::HashMap<Key<'_>, Group> = Default::default();
        let any_quick = rules[lo..hi].iter().any(|(r, _)| r.quick);
        for (i, (r, _)) in rules.iter().enumerate().take(hi).skip(lo) {
            let (from, to, port) = (
                hosts_filed(&r.hosts.from),
                hosts_filed(&r.hosts.to),
                port_of(r),
            );
            for f in ifaces(r) {
                for p in protos(r) {
                    let g = index.entry((r.direction, f, p)).or_default();
                    g.from.file(i, &from);
                    g.to.file(i, &to);
                    g.port.file(i, &port);
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
            let (from, to, port) = (
                hosts_probe(&b.hosts.from),
                hosts_probe(&b.hosts.to),
                port_of(b),
            );
            // The candidates: in each group b's key selects, the shortest
            // of its three lists, merged in rule order (the first rule that
            // covers b is the one reported).
            let mut lists: Vec<&[usize]> = Vec::new();
            for d in &dirs {
                for f in &ifs {
                    for p in &ps {
                        let Some(g) = index.get(&(*d, *f, *p)) else {
                            continue;
                        };
                        let by = [
                            g.from.covering(&from, key_supersets),
                            g.to.covering(&to, key_supersets),
                            g.port.covering(&port, |p, _| vec![*p]),
                        ];
                        if let Some(fewest) = by
                            .into_iter()
                            .min_by_key(|l| l.iter().map(|v| v.len()).sum::<usize>())
                        {
                            lists.extend(fewest.into_iter().map(Vec::as_slice));
                        }
                    }
                }
            }
            // Only earlier quick rules and, for a rule that is not quick,
            // later rules can make it shadowed: the lists are cut to those
            // (a stretch of thousands of alike rules, none quick, is then
            // not compared pair by pair).
            for l in &mut lists {
                let after = l.partition_point(|&j| j <= i);
                *l = if b.quick {
                    &l[..after]
                } else if !any_quick {
                    &l[after..]
                } else {
                    l
                };
            }
            // Counted with repeats (a rule in two lists counts twice).
            if lists.iter().map(|l| l.len()).sum::<usize>() > MAX_CANDIDATES {
                continue;
            }
            // The first rule that covers b is reported, and b is done.
            for j in merged(&lists) {
                if j == i {
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
                break;
            }
        }
        lo = hi;
    }
}

/// The rule numbers of ascending lists, in ascending order, each once.
fn merged<'a>(lists: &'a [&'a [usize]]) -> impl Iterator<Item = usize> + 'a {
    use std::cmp::Reverse;
    let mut heads: std::collections::BinaryHeap<Reverse<(usize, usize, usize)>> = lists
        .iter()
        .enumerate()
        .filter_map(|(k, l)| l.first().map(|&v| Reverse((v, k, 0))))
        .collect();
    let mut last = None;
    std::iter::from_fn(move || loop {
        let Reverse((v, k, at)) = heads.pop()?;
        if let Some(&next) = lists.get(k).and_then(|l| l.get(at + 1)) {
            heads.push(Reverse((next, k, at + 1)));
        }
        if last != Some(v) {
            last = Some(v);
            return Some(v);
        }
    })
}

/// How a rule's source, destination or destination port is filed.
enum Dim<T> {
    /// Any: not written, `any`, or (ports) none given.
    Any,
    /// These prefixes or ports: every one a side lists, for a rule
    /// looking up what may cover it; for a rule filed as a possible
    /// cover, the prefixes among its hosts (see [`hosts_filed`]).
    Values(Vec<T>),
    /// Something else: a table, an interface, a negation, a port range.
    Other,
}

/// Rules filed by one dimension: under any, under each of their values,
/// or under other.
struct Filed<T> {
    any: Vec<usize>,
    values: std::collections::HashMap<T, Vec<usize>>,
    other: Vec<usize>,
    /// For prefixes: the prefix lengths filed, so that a lookup tries
    /// only those.
    lens: Vec<u8>,
}

impl<T> Default for Filed<T> {
    fn default() -> Self {
        Filed {
            any: Vec::new(),
            values: std::collections::HashMap::new(),
            other: Vec::new(),
            lens: Vec::new(),
        }
    }
}

impl<T: Copy + Eq + std::hash::Hash + Lengthed> Filed<T> {
    fn file(&mut self, rule: usize, d: &Dim<T>) {
        match d {
            Dim::Any => self.any.push(rule),
            Dim::Other => self.other.push(rule),
            Dim::Values(vs) => {
                for v in vs {
                    let list = self.values.entry(*v).or_default();
                    // A rule listing one value twice is filed once.
                    if list.last() != Some(&rule) {
                        list.push(rule);
                    }
                    if !self.lens.contains(&v.length()) {
                        self.lens.push(v.length());
                    }
                }
            }
        }
    }

    /// The lists holding every rule whose side can cover `b`'s: those of
    /// any, of the values that can hold b's first value (`supersets`
    /// gives them, given the lengths filed), and of other. A side that is
    /// any is covered only by any; one that is something else only by
    /// any or something else (written the same way).
    fn covering<'g>(
        &'g self,
        b: &Dim<T>,
        supersets: impl Fn(&T, &[u8]) -> Vec<T>,
    ) -> Vec<&'g Vec<usize>> {
        let mut out = vec![&self.any];
        match b {
            Dim::Any => {}
            Dim::Other => out.push(&self.other),
            Dim::Values(vs) => {
                out.push(&self.other);
                if let Some(first) = vs.first() {
                    for v in supersets(first, &self.lens) {
                        if let Some(list) = self.values.get(&v) {
                            out.push(list);
                        }
                    }
                }
            }
        }
        out
    }
}

/// A value's length for the index: a prefix's, 0 for a port.
trait Lengthed {
    fn length(&self) -> u8;
}

impl Lengthed for u16 {
    fn length(&self) -> u8 {
        0
    }
}

/// A host as the index files it: a prefix, or one of the kinds written
/// without a value (`no-route`, `urpf-failed`, `any` in a list), which
/// are equal wherever they are written.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum HostKey {
    Net(IpNet),
    /// The kind, by its name, and `!`.
    Bare(&'static str, bool),
}

impl HostKey {
    fn of(h: &Host) -> Option<HostKey> {
        if let Some(n) = net_of(h) {
            return Some(HostKey::Net(n));
        }
        let bare = match h.kind {
            HostKind::NoRoute => "no-route",
            HostKind::UrpfFailed => "urpf-failed",
            HostKind::Any => "any",
            _ => return None,
        };
        Some(HostKey::Bare(bare, h.not))
    }
}

impl Lengthed for HostKey {
    fn length(&self) -> u8 {
        match self {
            HostKey::Net(n) => n.prefix_len(),
            HostKey::Bare(..) => 0,
        }
    }
}

/// The keys, of the prefix lengths filed, under which a host that covers
/// `k` is filed: the prefixes holding it, or the bare kind itself.
fn key_supersets(k: &HostKey, lens: &[u8]) -> Vec<HostKey> {
    match k {
        HostKey::Net(n) => lens
            .iter()
            .filter(|&&l| l <= n.prefix_len())
            .filter_map(|&l| IpNet::new(n.network(), l).ok())
            .map(|s| HostKey::Net(s.trunc()))
            .collect(),
        HostKey::Bare(..) => vec![*k],
    }
}

/// A source or destination as the index files a rule that may cover
/// others: under any, or under the key of each host it lists that has
/// one. Its other hosts (tables, interfaces, names) are equal only to
/// themselves as written ([`host_covered`]), which no other rule shares:
/// they cover nothing, and a side with only those is filed nowhere.
fn hosts_filed(e: &Option<Box<Endpoint>>) -> Dim<HostKey> {
    match e {
        None => Dim::Any,
        Some(e) if e.any || e.hosts.is_empty() => Dim::Any,
        Some(e) => Dim::Values(
            e.hosts
                .iter()
                .filter_map(|h| HostKey::of(&h.node))
                .collect(),
        ),
    }
}

/// A source or destination as a rule looks up what may cover it: any,
/// its keys when every host it lists has one, else other (only a side
/// that is any covers a table, an interface or a name).
fn hosts_probe(e: &Option<Box<Endpoint>>) -> Dim<HostKey> {
    match hosts_filed(e) {
        Dim::Values(keys) if e.as_ref().is_some_and(|e| keys.len() == e.hosts.len()) => {
            Dim::Values(keys)
        }
        Dim::Any => Dim::Any,
        _ => Dim::Other,
    }
}

/// A rule's destination ports as the index files them: single ports
/// (`22`, `= 22`, `www`) by value, anything else (ranges, operators,
/// macros left) as other.
fn port_of(r: &FilterRule) -> Dim<u16> {
    let ports = r.hosts.to.as_ref().map_or(&[][..], |e| e.ports.as_slice());
    if ports.is_empty() {
        return Dim::Any;
    }
    ports
        .iter()
        .map(|p| match &p.node {
            // `22:22` is one port too (pf's range with equal ends).
            PortItem::Eq { value } => match value.node.text().split_once(':') {
                Some((x, y)) => {
                    let (x, y) = (port_value(x).ok()?, port_value(y).ok()?);
                    (x == y).then_some(x)
                }
                None => port_value(value.node.text()).ok(),
            },
            PortItem::Unary {
                op: PortOperator::Eq,
                value,
            } => port_value(value.node.text()).ok(),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map_or(Dim::Other, Dim::Values)
}

#[cfg(test)]
thread_local! {
    /// How many pairs of rules `covers` compared (tests bound it).
    pub(crate) static COMPARED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// True when every packet `b` matches is matched by `a`.
fn covers(a: &FilterRule, b: &FilterRule) -> bool {
    #[cfg(test)]
    COMPARED.with(|c| c.set(c.get() + 1));
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

/// True when a host of `a` holds every address `h` stands for: a prefix
/// holding `h`'s, or the same host (equal with its span: in practice a
/// kind written without a value, such as `no-route`).
fn host_covered(a: &[Spanned<Host>], h: &Host) -> bool {
    a.iter().any(|x| match (net_of(&x.node), net_of(h)) {
        (Some(n), Some(m)) => n.contains(&m),
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
