//! What pf decides for a packet, and which rule decides it.
//!
//! pf's semantics: interfaces in `set skip on` are not filtered; rules are
//! evaluated in order, the **last** matching pass/block rule decides unless
//! a matching rule is `quick`; `match` rules never decide; anchors are
//! evaluated where they stand (an `anchor quick` stops evaluation when a
//! rule inside it matched); with no matching rule the packet passes.
//!
//! The evaluator works on the resolved ruleset (lists are matched as the
//! expanded rules would be: a list matches when one of its items does).
//! What the packet description does not fix (an unknown address, a table
//! filled at run time, a user, an interface group other than a driver
//! group, a hostname) makes a rule *maybe* match; the outcome then lists
//! every verdict still possible instead of guessing. The HA lints ask their
//! questions through [`evaluate`] and only speak when the answer is
//! certain.

use crate::ast::*;
use crate::check::{parse_addr_word, port_value, AddrWord};
use crate::names;
use crate::resolve::Resolved;
use crate::span::Span;
use ipnet::IpNet;
use std::net::IpAddr;

/// A packet, as far as it is known.
#[derive(Debug, Clone, Default)]
pub struct Packet {
    /// in or out.
    pub direction: Option<Direction>,
    /// Interface (e.g. `em0`).
    pub interface: Option<String>,
    /// Address family.
    pub af: Option<AddressFamily>,
    /// IP protocol number.
    pub proto: Option<u8>,
    /// Source address.
    pub src: Option<IpAddr>,
    /// Destination address.
    pub dst: Option<IpAddr>,
    /// Source port.
    pub src_port: Option<u16>,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// Tags the packet already carries.
    pub tags: Vec<String>,
}

/// pf's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// A pass rule decided.
    Pass,
    /// A block rule decided.
    Block,
    /// The interface is in `set skip on`.
    Skip,
    /// No rule matched: pf passes.
    DefaultPass,
}

impl Verdict {
    /// Lower-case name (`pass`, `block`, `skip`, `default-pass`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Block => "block",
            Verdict::Skip => "skip",
            Verdict::DefaultPass => "default-pass",
        }
    }
}

/// One possible end of the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding rule (None for skip and default pass).
    pub rule: Option<Span>,
    /// A quick rule stopped the evaluation.
    pub quick: bool,
    /// The rules that matched, in order.
    pub matches: Vec<Span>,
    /// For a block: how (`drop`, `return`, `return-rst`, `return-icmp`,
    /// `return-icmp6`), from the rule or `set block-policy`.
    pub block: Option<&'static str>,
    /// For a pass: `keep state` (pf's default), `no state`, `modulate
    /// state` or `synproxy state`.
    pub state: Option<&'static str>,
    /// Tags the packet carries at the end (given ones and those set).
    pub tags: Vec<String>,
    /// The translation that applies (`nat-to ...`, `rdr-to ...`), from the
    /// last matching rule that has one.
    pub translation: Option<String>,
}

/// The answer: every decision still possible (one when certain).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Possible decisions, deduplicated; one element when certain.
    pub decisions: Vec<Decision>,
    /// Some part of the ruleset could not be judged at all (an anchor
    /// loaded from a file that was not read, too many possibilities).
    pub incomplete: bool,
}

impl Outcome {
    /// The decision when there is exactly one and nothing was left out.
    pub fn certain(&self) -> Option<&Decision> {
        match (self.incomplete, self.decisions.as_slice()) {
            (false, [d]) => Some(d),
            _ => None,
        }
    }

    /// True when every possible decision blocks.
    pub fn surely_blocked(&self) -> bool {
        !self.incomplete
            && !self.decisions.is_empty()
            && self.decisions.iter().all(|d| d.verdict == Verdict::Block)
    }

    /// The verdicts still possible.
    pub fn verdicts(&self) -> Vec<Verdict> {
        let mut v: Vec<Verdict> = self.decisions.iter().map(|d| d.verdict).collect();
        v.sort();
        v.dedup();
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Maybe,
}

impl Tri {
    fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }

    fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Maybe,
        }
    }

    fn not(self, neg: bool) -> Tri {
        match (self, neg) {
            (t, false) => t,
            (Tri::Yes, true) => Tri::No,
            (Tri::No, true) => Tri::Yes,
            (Tri::Maybe, true) => Tri::Maybe,
        }
    }

    fn from(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }
}

/// Interface groups that are driver names: each holds exactly the
/// interfaces of that driver (`lo` holds lo0, lo1...). Other group names
/// (`egress`, groups set with ifconfig) have unknown members.
const DRIVER_GROUPS: &[&str] = &[
    "aggr", "bge", "bnxt", "bpe", "bridge", "bwfm", "carp", "cnmac", "dwge", "em", "enc", "eoip",
    "etherip", "fxp", "gif", "gre", "iavf", "ice", "igc", "ix", "ixl", "lo", "mcx", "mgre", "mpe",
    "mpip", "mpw", "msk", "nfe", "nvgre", "pair", "pflog", "pflow", "pfsync", "ppp", "pppoe", "re",
    "rge", "se", "sec", "sk", "tap", "tpmr", "trunk", "tun", "umb", "ure", "urndis", "veb",
    "vether", "vge", "vic", "vio", "vlan", "vmx", "vr", "vxlan", "wg", "xl",
];

/// Most possibilities followed at once before the outcome is called
/// incomplete.
const MAX_STATES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    last: Option<(Verdict, Span, Option<&'static str>)>,
    quick: bool,
    matches: Vec<Span>,
    /// Tags set by the rules that matched.
    tags: Vec<String>,
    /// The translation of the last matching rule that has one.
    translation: Option<String>,
    /// State handling of the deciding pass rule.
    state: Option<&'static str>,
}

struct Eval<'a> {
    resolved: &'a Resolved,
    pkt: &'a Packet,
    incomplete: bool,
    tags_set: &'a [String],
    interfaces: Option<&'a crate::expand::Interfaces>,
    /// Tables whose contents are known: name -> (entries, may grow at run
    /// time). A table read from a file is not known.
    tables: &'a KnownTables<'a>,
    block_policy: &'static str,
    /// The top-level statements that may match (from the index), in order.
    top: Option<Vec<usize>>,
    /// Interfaces in `set skip on`.
    skip_names: &'a [String],
}

/// Evaluates `pkt` against a resolved ruleset.
pub fn evaluate(resolved: &Resolved, pkt: &Packet) -> Outcome {
    evaluate_with(resolved, None, pkt)
}

/// Tables with known contents: name -> (entries with their `!`, may grow).
type KnownTables<'a> = std::collections::HashMap<&'a str, (Vec<(bool, IpNet)>, bool)>;

fn known_tables(resolved: &Resolved) -> KnownTables<'_> {
    let rs = &resolved.ruleset;
    let mut out = std::collections::HashMap::new();
    for s in &rs.statements {
        let StatementKind::Table(t) = &s.kind else {
            continue;
        };
        let mut entries = Vec::new();
        let mut known = true;
        let mut constant = false;
        for o in &t.opts {
            match &o.node {
                TableOpt::File(f) => {
                    // A file read at resolution time counts with its
                    // addresses; a missing one (or host names) is unknown.
                    match resolved
                        .table_files
                        .iter()
                        .find(|tf| tf.span == o.span && tf.path == f.node.text())
                        .and_then(|tf| tf.addresses.as_ref())
                    {
                        Some(a) => entries.extend(a.iter().copied()),
                        None => known = false,
                    }
                }
                TableOpt::Flag(f) if f.node.text() == "const" => constant = true,
                TableOpt::Addresses(list) => {
                    for e in list {
                        let net = match &e.host.node.kind {
                            HostKind::Address { addr, mask } => crate::check::addr_net(
                                addr.node.text(),
                                mask.as_ref().map(|m| m.node.text()),
                            ),
                            _ => None,
                        };
                        match net {
                            Some(n) => entries.push((e.host.node.not, n)),
                            None => known = false,
                        }
                    }
                }
                _ => {}
            }
        }
        if known {
            out.insert(t.name.node.text(), (entries, !constant));
        }
    }
    out
}

/// Evaluates `pkt`, with interface addresses for `(if)`, `if:network` and
/// `self` (from `--interfaces` or a node's `hostname.*` files).
pub fn evaluate_with(
    resolved: &Resolved,
    interfaces: Option<&crate::expand::Interfaces>,
    pkt: &Packet,
) -> Outcome {
    Evaluator::new(resolved, interfaces).evaluate(pkt)
}

/// A ruleset prepared for many packets: tags, known tables, the block
/// policy and an index of the top-level rules by direction, interface,
/// protocol and destination prefix, so that a packet is compared with the
/// rules that can match it, not with every rule.
pub struct Evaluator<'a> {
    resolved: &'a Resolved,
    interfaces: Option<&'a crate::expand::Interfaces>,
    tags_set: Vec<String>,
    tables: KnownTables<'a>,
    block_policy: &'static str,
    index: Index,
    skip_names: Vec<String>,
}

/// Rules of one (direction, interface, protocol) key, by destination;
/// those to any destination again by source.
#[derive(Default)]
struct Group {
    to_any: BySource,
    to_nets: std::collections::HashMap<IpNet, Vec<usize>>,
    to_other: Vec<usize>,
}

/// Rules by source: any, a prefix, a table (checked once per table), or
/// something else (always tried).
#[derive(Default)]
struct BySource {
    any: Vec<usize>,
    nets: std::collections::HashMap<IpNet, Vec<usize>>,
    tables: std::collections::HashMap<String, Vec<usize>>,
    other: Vec<usize>,
}

/// A host as an index key: a literal prefix, a table, or neither.
enum HostKey {
    Net(IpNet),
    Table(String),
    Other,
}

fn host_key(h: &Host) -> HostKey {
    match (&h.kind, h.not) {
        (HostKind::Table { name }, false) => HostKey::Table(name.node.text().to_string()),
        _ => crate::check::host_net(h).map_or(HostKey::Other, HostKey::Net),
    }
}

#[derive(Default)]
struct Index {
    /// Statements always considered (anchors, rules the index cannot key).
    always: Vec<usize>,
    groups: std::collections::HashMap<(u8, String, String), Group>,
    /// Longest prefix filed in `to_nets` (limits the lookups).
    max_prefix: u8,
}

fn dir_key(d: Option<Direction>) -> u8 {
    match d {
        None => 0,
        Some(Direction::In) => 1,
        Some(Direction::Out) => 2,
    }
}

impl Index {
    fn build(rs: &Ruleset) -> Index {
        let mut ix = Index::default();
        for (i, s) in rs.statements.iter().enumerate() {
            // An anchor is keyed by its own filter: its rules only count
            // when that filter matches.
            let r: &FilterRule = match &s.kind {
                StatementKind::Rule(r) => r,
                StatementKind::Anchor(a) => &a.filter,
                _ => continue,
            };
            let ifs: Vec<String> = if r.interfaces.is_empty() {
                vec!["*".into()]
            } else {
                r.interfaces
                    .iter()
                    .map(|it| match &it.node.target {
                        // Interfaces and driver groups are keyed by name;
                        // other groups (`egress`...) have unknown members.
                        IfTarget::Name(n)
                            if !it.node.not
                                && (n.node.text().ends_with(|c: char| c.is_ascii_digit())
                                    || DRIVER_GROUPS.contains(&n.node.text())) =>
                        {
                            n.node.text().to_string()
                        }
                        IfTarget::Any => "any".into(),
                        _ => "?".into(),
                    })
                    .collect()
            };
            let protos: Vec<String> = if r.protos.is_empty() {
                vec!["*".into()]
            } else {
                r.protos
                    .iter()
                    .map(|p| {
                        let t = p.node.text();
                        t.parse::<u8>()
                            .ok()
                            .or_else(|| names::protocol_number(t))
                            .map_or_else(|| "*".to_string(), |n| n.to_string())
                    })
                    .collect()
            };
            let to = r.hosts.to.as_ref();
            let to_any = to.is_none_or(|e| e.any || e.hosts.is_empty());
            let nets: Option<Vec<IpNet>> = to.and_then(|e| {
                e.hosts
                    .iter()
                    .map(|h| crate::check::host_net(&h.node))
                    .collect()
            });
            for f in &ifs {
                for p in &protos {
                    let g = ix
                        .groups
                        .entry((dir_key(r.direction), f.clone(), p.clone()))
                        .or_default();
                    if to_any {
                        let from = r.hosts.from.as_ref();
                        let bs = &mut g.to_any;
                        if from.is_none_or(|e| e.any || e.hosts.is_empty()) {
                            bs.any.push(i);
                        } else if let Some(e) = from {
                            for h in &e.hosts {
                                match host_key(&h.node) {
                                    HostKey::Net(n) => {
                                        ix.max_prefix = ix.max_prefix.max(n.prefix_len());
                                        bs.nets.entry(n).or_default().push(i);
                                    }
                                    HostKey::Table(t) => bs.tables.entry(t).or_default().push(i),
                                    HostKey::Other => bs.other.push(i),
                                }
                            }
                        }
                    } else if let Some(ns) = &nets {
                        for n in ns {
                            ix.max_prefix = ix.max_prefix.max(n.prefix_len());
                            g.to_nets.entry(*n).or_default().push(i);
                        }
                    } else {
                        g.to_other.push(i);
                    }
                }
            }
        }
        ix
    }

    /// The statements that may match `p`, in order; None when the packet
    /// leaves too much open for the index (then every statement is tried).
    fn candidates(&self, p: &Packet, tables: &KnownTables) -> Option<Vec<usize>> {
        let (dir, ifname, proto, dst) = (p.direction?, p.interface.as_ref()?, p.proto?, p.dst?);
        let prefixes = |a: IpAddr| -> Vec<IpNet> {
            let max = if a.is_ipv4() {
                self.max_prefix.min(32)
            } else {
                self.max_prefix
            };
            (0..=max)
                .filter_map(|len| IpNet::new(a, len).ok().map(|n| n.trunc()))
                .collect()
        };
        let dst_prefixes = prefixes(dst);
        let src_prefixes = p.src.map(prefixes);
        let driver = ifname
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_string();
        let mut out = self.always.clone();
        for d in [0, dir_key(Some(dir))] {
            for f in ["*", "?", "any", ifname.as_str(), driver.as_str()] {
                for pr in ["*".to_string(), proto.to_string()] {
                    let Some(g) = self.groups.get(&(d, f.to_string(), pr)) else {
                        continue;
                    };
                    let bs = &g.to_any;
                    out.extend(&bs.any);
                    out.extend(&bs.other);
                    match (&src_prefixes, p.src) {
                        (Some(sp), Some(src)) => {
                            for n in sp {
                                if let Some(v) = bs.nets.get(n) {
                                    out.extend(v);
                                }
                            }
                            for (t, v) in &bs.tables {
                                // One membership test per table: rules of a
                                // table that surely does not hold the source
                                // cannot match.
                                let surely_not =
                                    tables.get(t.as_str()).is_some_and(|(entries, may_grow)| {
                                        let holds = entries
                                            .iter()
                                            .filter(|(_, n)| n.contains(&src))
                                            .max_by_key(|(_, n)| n.prefix_len())
                                            .is_some_and(|(neg, _)| !neg);
                                        !may_grow && !holds
                                    });
                                if !surely_not {
                                    out.extend(v);
                                }
                            }
                        }
                        _ => {
                            for v in bs.nets.values().chain(bs.tables.values()) {
                                out.extend(v);
                            }
                        }
                    }
                    out.extend(&g.to_other);
                    for n in &dst_prefixes {
                        if let Some(v) = g.to_nets.get(n) {
                            out.extend(v);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

impl<'a> Evaluator<'a> {
    /// Prepares a resolved ruleset for evaluation.
    pub fn new(resolved: &'a Resolved, interfaces: Option<&'a crate::expand::Interfaces>) -> Self {
        let mut tags_set = Vec::new();
        crate::lint::walk_rules(&resolved.ruleset, &mut |r| {
            for o in &r.options {
                if let FilterOpt::Tag { value } = &o.node {
                    tags_set.push(
                        value
                            .iter()
                            .map(|v| v.node.text())
                            .collect::<Vec<_>>()
                            .join(" "),
                    );
                }
            }
        });
        let block_policy = resolved
            .ruleset
            .statements
            .iter()
            .rev()
            .find_map(|s| match &s.kind {
                StatementKind::Option(o) => match &**o {
                    SetOption::BlockPolicy { value } => Some(match value {
                        BlockPolicy::Drop => "drop",
                        BlockPolicy::Return => "return",
                    }),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or("drop");
        Evaluator {
            resolved,
            interfaces,
            tags_set,
            tables: known_tables(resolved),
            block_policy,
            index: Index::build(&resolved.ruleset),
            skip_names: resolved
                .ruleset
                .statements
                .iter()
                .filter_map(|s| match &s.kind {
                    StatementKind::Option(o) => match &**o {
                        SetOption::Skip { interfaces } => Some(interfaces),
                        _ => None,
                    },
                    _ => None,
                })
                .flatten()
                .filter_map(|i| match &i.node.target {
                    IfTarget::Name(n) => Some(n.node.text().to_string()),
                    _ => None,
                })
                .collect(),
        }
    }

    /// What pf decides for `pkt`.
    pub fn evaluate(&self, pkt: &Packet) -> Outcome {
        self.evaluate_indexed(pkt, true)
    }

    fn evaluate_indexed(&self, pkt: &Packet, indexed: bool) -> Outcome {
        let resolved = self.resolved;
        let mut e = Eval {
            resolved,
            pkt,
            incomplete: false,
            tags_set: &self.tags_set,
            interfaces: self.interfaces,
            tables: &self.tables,
            block_policy: self.block_policy,
            top: if indexed {
                self.index.candidates(pkt, &self.tables)
            } else {
                None
            },
            skip_names: &self.skip_names,
        };
        e.run(pkt)
    }
}

impl<'a> Eval<'a> {
    fn run(&mut self, _pkt: &Packet) -> Outcome {
        let resolved = self.resolved;
        let e = self;
        // set skip on
        let mut skip = Tri::No;
        for n in e.skip_names {
            skip = skip.or(e.interface_name(n));
        }
        let mut decisions = Vec::new();
        if skip != Tri::No {
            decisions.push(Decision {
                verdict: Verdict::Skip,
                rule: None,
                quick: false,
                matches: Vec::new(),
                block: None,
                state: None,
                tags: e.pkt.tags.clone(),
                translation: None,
            });
        }
        if skip != Tri::Yes {
            let start = vec![State {
                last: None,
                quick: false,
                matches: Vec::new(),
                tags: e.pkt.tags.clone(),
                translation: None,
                state: None,
            }];
            let end = e.ruleset(&resolved.ruleset, start);
            for s in end {
                decisions.push(match s.last {
                    Some((v, span, block)) => Decision {
                        verdict: v,
                        rule: Some(span),
                        quick: s.quick,
                        matches: s.matches,
                        block,
                        state: s.state,
                        tags: s.tags,
                        translation: s.translation,
                    },
                    None => Decision {
                        verdict: Verdict::DefaultPass,
                        rule: None,
                        quick: false,
                        matches: s.matches,
                        block: None,
                        state: None,
                        tags: s.tags,
                        translation: s.translation,
                    },
                });
            }
        }
        let mut uniq: Vec<Decision> = Vec::new();
        for d in decisions {
            if !uniq.contains(&d) {
                uniq.push(d);
            }
        }
        Outcome {
            decisions: uniq,
            incomplete: e.incomplete,
        }
    }
}

impl<'a> Eval<'a> {
    fn ruleset(&mut self, rs: &'a Ruleset, states: Vec<State>) -> Vec<State> {
        let order = if std::ptr::eq(rs, &self.resolved.ruleset) {
            self.top.take()
        } else {
            None
        };
        match order {
            Some(ix) => {
                let stmts: Vec<&'a Statement> =
                    ix.iter().filter_map(|&i| rs.statements.get(i)).collect();
                self.statements(stmts, states)
            }
            None => self.statements(rs.statements.iter().collect(), states),
        }
    }

    fn statements(&mut self, stmts: Vec<&'a Statement>, mut states: Vec<State>) -> Vec<State> {
        for s in stmts {
            if states.iter().all(|x| x.quick) {
                break;
            }
            match &s.kind {
                StatementKind::Rule(r) => {
                    let m = self.rule_matches(r);
                    states = self.apply(states, m, r, s.span);
                }
                StatementKind::Anchor(a) => {
                    let m = self.rule_matches(&a.filter);
                    if m == Tri::No {
                        continue;
                    }
                    let body: Option<&'a Ruleset> = match &a.body {
                        Some(b) => Some(b),
                        None => a.name.as_ref().and_then(|n| {
                            self.resolved
                                .loaded_anchors
                                .iter()
                                .find(|l| l.name == n.node.text())
                                .map(|l| &l.ruleset)
                        }),
                    };
                    let Some(body) = body else {
                        // Rules loaded at run time (or from a file not read):
                        // anything may happen here.
                        self.incomplete = true;
                        continue;
                    };
                    let (active, done): (Vec<State>, Vec<State>) =
                        states.into_iter().partition(|x| !x.quick);
                    let mut inside = self.ruleset(body, active.clone());
                    if a.filter.quick {
                        // `anchor quick`: a match inside ends the evaluation.
                        for (after, before) in inside.iter_mut().zip(active.iter()) {
                            if after.matches.len() > before.matches.len() && after.last.is_some() {
                                after.quick = true;
                            }
                        }
                    }
                    if m == Tri::Maybe {
                        inside.extend(active);
                    }
                    states = inside;
                    states.extend(done);
                    states = self.bound(states);
                }
                _ => {}
            }
        }
        states
    }

    fn bound(&mut self, mut states: Vec<State>) -> Vec<State> {
        let mut uniq: Vec<State> = Vec::new();
        for s in states.drain(..) {
            if !uniq.contains(&s) {
                uniq.push(s);
            }
        }
        if uniq.len() > MAX_STATES {
            self.incomplete = true;
            uniq.truncate(MAX_STATES);
        }
        uniq
    }

    fn apply(&mut self, states: Vec<State>, m: Tri, r: &FilterRule, span: Span) -> Vec<State> {
        if m == Tri::No {
            return states;
        }
        let verdict = match &r.action.node {
            Action::Pass => Some((Verdict::Pass, None)),
            Action::Block { policy } => Some((
                Verdict::Block,
                Some(match policy.as_deref() {
                    None => self.block_policy,
                    Some(BlockSpec::Drop) => "drop",
                    Some(BlockSpec::Return) => "return",
                    Some(BlockSpec::ReturnRst { .. }) => "return-rst",
                    Some(BlockSpec::ReturnIcmp { .. }) => "return-icmp",
                    Some(BlockSpec::ReturnIcmp6 { .. }) => "return-icmp6",
                }),
            )),
            Action::Match => None,
        };
        let mut out = Vec::with_capacity(states.len() * 2);
        for s in states {
            if s.quick {
                out.push(s);
                continue;
            }
            let mut hit = s.clone();
            hit.matches.push(span);
            for o in &r.options {
                match &o.node {
                    FilterOpt::Tag { value } => {
                        let t = value
                            .iter()
                            .map(|v| v.node.text())
                            .collect::<Vec<_>>()
                            .join(" ");
                        if !hit.tags.contains(&t) {
                            hit.tags.push(t);
                        }
                    }
                    FilterOpt::NatTo(_)
                    | FilterOpt::RdrTo(_)
                    | FilterOpt::BinatTo(_)
                    | FilterOpt::AfTo { .. } => {
                        hit.translation = Some(crate::fmt::filter_opt(&o.node));
                    }
                    _ => {}
                }
            }
            if let Some((v, how)) = verdict {
                hit.last = Some((v, span, how));
                hit.quick = r.quick;
                hit.state = (v == Verdict::Pass).then(|| {
                    r.options
                        .iter()
                        .find_map(|o| match &o.node {
                            FilterOpt::State { kind, .. } => Some(match kind {
                                StateKind::No => "no state",
                                StateKind::Keep => "keep state",
                                StateKind::Modulate => "modulate state",
                                StateKind::Synproxy => "synproxy state",
                            }),
                            _ => None,
                        })
                        .unwrap_or("keep state")
                });
            }
            out.push(hit);
            if m == Tri::Maybe {
                out.push(s);
            }
        }
        self.bound(out)
    }

    /// Interface name or group against the packet's interface.
    fn interface_name(&self, name: &str) -> Tri {
        let Some(pi) = &self.pkt.interface else {
            return Tri::Maybe;
        };
        if name == pi {
            return Tri::Yes;
        }
        if name == "any" {
            return Tri::Yes;
        }
        let driver = pi.trim_end_matches(|c: char| c.is_ascii_digit());
        if !name.ends_with(|c: char| c.is_ascii_digit()) {
            // A group: the driver group (`em` holds em0) is known; other
            // groups (`egress`, user groups) are not.
            if name == driver {
                return Tri::Yes;
            }
            // A driver's own group holds only that driver's interfaces.
            if DRIVER_GROUPS.contains(&name) {
                return Tri::No;
            }
            return Tri::Maybe;
        }
        Tri::No
    }

    fn rule_matches(&self, r: &FilterRule) -> Tri {
        let p = self.pkt;
        let mut m = Tri::Yes;
        if let Some(d) = r.direction {
            m = m.and(match p.direction {
                Some(pd) => Tri::from(pd == d),
                None => Tri::Maybe,
            });
        }
        if !r.interfaces.is_empty() {
            let mut any = Tri::No;
            for i in &r.interfaces {
                let t = match &i.node.target {
                    IfTarget::Any => Tri::Yes,
                    IfTarget::Rdomain(_) => Tri::Maybe,
                    IfTarget::Name(n) => self.interface_name(n.node.text()),
                };
                any = any.or(t.not(i.node.not));
            }
            m = m.and(any);
        }
        if let Some(af) = &r.af {
            m = m.and(match p.af {
                Some(pa) => Tri::from(pa == af.node),
                None => Tri::Maybe,
            });
        }
        if !r.protos.is_empty() {
            let mut any = Tri::No;
            for x in &r.protos {
                let n = x
                    .node
                    .text()
                    .parse::<u8>()
                    .ok()
                    .or_else(|| names::protocol_number(x.node.text()));
                any = any.or(match (n, p.proto) {
                    (Some(a), Some(b)) => Tri::from(a == b),
                    _ => Tri::Maybe,
                });
            }
            m = m.and(any);
        }
        if m == Tri::No {
            return m;
        }
        if let Some(f) = &r.hosts.from {
            m = m.and(self.endpoint(f, p.src, p.src_port));
        }
        if let Some(t) = &r.hosts.to {
            m = m.and(self.endpoint(t, p.dst, p.dst_port));
        }
        if !r.hosts.os.is_empty() {
            m = m.and(Tri::Maybe);
        }
        for o in &r.options {
            m = m.and(match &o.node {
                FilterOpt::User { .. }
                | FilterOpt::Group { .. }
                | FilterOpt::Probability { .. }
                | FilterOpt::ReceivedOn { .. }
                | FilterOpt::Prio { .. }
                | FilterOpt::Tos { .. }
                | FilterOpt::Rtable { .. } => Tri::Maybe,
                FilterOpt::Flags { .. } if p.proto == Some(6) => Tri::Maybe,
                FilterOpt::IcmpType { .. } if matches!(p.proto, Some(1 | 58)) => Tri::Maybe,
                FilterOpt::Tagged { not, value } => {
                    let tag = value
                        .iter()
                        .map(|v| v.node.text())
                        .collect::<Vec<_>>()
                        .join(" ");
                    let t = if p.tags.contains(&tag) {
                        Tri::Yes
                    } else if self.tags_set.contains(&tag) {
                        Tri::Maybe
                    } else {
                        Tri::No
                    };
                    t.not(*not)
                }
                _ => Tri::Yes,
            });
        }
        m
    }

    fn endpoint(&self, e: &Endpoint, addr: Option<IpAddr>, port: Option<u16>) -> Tri {
        let mut m = Tri::Yes;
        if !e.any && !e.hosts.is_empty() {
            let mut any = Tri::No;
            for h in &e.hosts {
                any = any.or(self.host(&h.node, addr));
            }
            m = m.and(any);
        }
        if !e.ports.is_empty() {
            let mut any = Tri::No;
            for p in &e.ports {
                any = any.or(port_match(&p.node, port));
            }
            m = m.and(any);
        }
        m
    }

    fn host(&self, h: &Host, addr: Option<IpAddr>) -> Tri {
        let t = match &h.kind {
            HostKind::Any => Tri::Yes,
            HostKind::List(v) => v
                .iter()
                .fold(Tri::No, |acc, x| acc.or(self.host(&x.node, addr))),
            HostKind::Address { addr: w, mask } => {
                match (parse_addr_word(w.node.text(), mask.is_some()), addr) {
                    (Ok(AddrWord::V4(a)), Some(IpAddr::V4(p))) => {
                        let bits = mask
                            .as_ref()
                            .and_then(|m| m.node.text().parse::<u8>().ok())
                            .unwrap_or(32)
                            .min(32);
                        match ipnet::Ipv4Net::new(a, bits) {
                            Ok(n) => Tri::from(n.contains(&p)),
                            Err(_) => Tri::Maybe,
                        }
                    }
                    (Ok(AddrWord::V6(a)), Some(IpAddr::V6(p))) => {
                        let bits = mask
                            .as_ref()
                            .and_then(|m| m.node.text().parse::<u8>().ok())
                            .unwrap_or(128)
                            .min(128);
                        match ipnet::Ipv6Net::new(a, bits) {
                            Ok(n) => Tri::from(n.contains(&p)),
                            Err(_) => Tri::Maybe,
                        }
                    }
                    (Ok(AddrWord::V4(_)), Some(IpAddr::V6(_)))
                    | (Ok(AddrWord::V6(_)), Some(IpAddr::V4(_))) => Tri::No,
                    (Ok(AddrWord::Name { name, modifiers }), Some(a)) => {
                        self.interface_addr(&name, &modifiers, a)
                    }
                    _ => Tri::Maybe,
                }
            }
            HostKind::Dynamic { ifname, .. } => match addr {
                Some(a) => {
                    let mut parts = ifname.node.text().split(':');
                    let name = parts.next().unwrap_or("").to_string();
                    let mods: Vec<String> = parts.map(str::to_string).collect();
                    self.interface_addr(&name, &mods, a)
                }
                None => Tri::Maybe,
            },
            HostKind::Table { name } => match (self.tables.get(name.node.text()), addr) {
                (Some((entries, may_grow)), Some(a)) => {
                    // The longest matching prefix decides; `!` entries exclude.
                    let best = entries
                        .iter()
                        .filter(|(_, n)| n.contains(&a))
                        .max_by_key(|(_, n)| n.prefix_len());
                    match best {
                        Some((false, _)) => Tri::Yes,
                        _ if *may_grow => Tri::Maybe,
                        _ => Tri::No,
                    }
                }
                _ => Tri::Maybe,
            },
            HostKind::Range { from, to } => match (
                parse_addr_word(from.node.text(), false),
                parse_addr_word(to.node.text(), false),
                addr,
            ) {
                (Ok(AddrWord::V4(a)), Ok(AddrWord::V4(b)), Some(IpAddr::V4(p))) => {
                    Tri::from(a <= p && p <= b)
                }
                (Ok(AddrWord::V6(a)), Ok(AddrWord::V6(b)), Some(IpAddr::V6(p))) => {
                    Tri::from(a <= p && p <= b)
                }
                _ => Tri::Maybe,
            },
            _ => Tri::Maybe,
        };
        t.not(h.not)
    }
}

impl Eval<'_> {
    /// An interface name (or group, or `self`) as an address: its
    /// addresses, or with `:network` its networks. Unknown without
    /// interface data; `:broadcast` and `:peer` are not modelled.
    fn interface_addr(&self, name: &str, modifiers: &[String], a: IpAddr) -> Tri {
        let Some(ifs) = self.interfaces else {
            return Tri::Maybe;
        };
        if modifiers.iter().any(|m| m == "broadcast" || m == "peer") {
            return Tri::Maybe;
        }
        let Some(addrs) = ifs.lookup(name) else {
            return Tri::Maybe;
        };
        let network = modifiers.iter().any(|m| m == "network");
        let hit = addrs.iter().any(|(_, x)| {
            if network {
                IpNet::new(x.addr, x.prefix).is_ok_and(|n| n.trunc().contains(&a))
            } else {
                x.addr == a
            }
        });
        Tri::from(hit)
    }
}

fn port_match(p: &PortItem, port: Option<u16>) -> Tri {
    let Some(port) = port else {
        return Tri::Maybe;
    };
    let val = |v: &SValue| port_value(v.node.text()).ok();
    match p {
        PortItem::Eq { value } => match value.node.text().split_once(':') {
            Some((a, b)) => match (port_value(a).ok(), port_value(b).ok()) {
                (Some(a), Some(b)) => Tri::from(a <= port && port <= b),
                _ => Tri::Maybe,
            },
            None => val(value).map_or(Tri::Maybe, |v| Tri::from(v == port)),
        },
        PortItem::Unary { op, value } => val(value).map_or(Tri::Maybe, |v| {
            Tri::from(match op.as_str() {
                "=" => port == v,
                "!=" => port != v,
                "<" => port < v,
                "<=" => port <= v,
                ">" => port > v,
                ">=" => port >= v,
                _ => false,
            })
        }),
        PortItem::Binary { low, op, high } => match (val(low), val(high)) {
            (Some(a), Some(b)) => Tri::from(if op == "><" {
                a < port && port < b
            } else {
                port < a || port > b
            }),
            _ => Tri::Maybe,
        },
    }
}

/// CARP advertisement (proto 112 to 224.0.0.18) on `interface`.
pub fn carp_packet(interface: &str, direction: Direction) -> Packet {
    Packet {
        direction: Some(direction),
        interface: Some(interface.to_string()),
        af: Some(AddressFamily::Inet),
        proto: Some(112),
        src: None,
        dst: Some(IpAddr::V4(std::net::Ipv4Addr::new(224, 0, 0, 18))),
        ..Packet::default()
    }
}

/// pfsync packet (proto 240, to the pfsync group 224.0.0.240) on
/// `interface`.
pub fn pfsync_packet(interface: &str, direction: Direction) -> Packet {
    Packet {
        direction: Some(direction),
        interface: Some(interface.to_string()),
        af: Some(AddressFamily::Inet),
        proto: Some(240),
        src: None,
        dst: Some(IpAddr::V4(std::net::Ipv4Addr::new(224, 0, 0, 240))),
        ..Packet::default()
    }
}

#[cfg(test)]
mod tests;

/// Reads a packet written in pf's rule vocabulary:
/// `in on em0 inet proto tcp from 198.51.100.7 port 40000 to 203.0.113.1
/// port 443 tagged T`. Unknown parts stay unknown.
pub fn parse_packet(text: &str) -> Result<Packet, String> {
    let rule_text = format!("pass {text}");
    let map = crate::parser::PosMap::Direct {
        file: crate::span::FileId(0),
        offset: 0,
    };
    let kind = crate::parser::parse_statement(&rule_text, &map).map_err(|d| {
        let col = d.span.start.saturating_sub(5) + 1;
        format!("{} (at column {col})", d.message)
    })?;
    let StatementKind::Rule(r) = kind else {
        return Err("not a packet description".into());
    };
    let mut p = Packet {
        direction: r.direction,
        af: r.af.as_ref().map(|a| a.node),
        ..Packet::default()
    };
    match r.interfaces.as_slice() {
        [] => {}
        [i] => match (&i.node.target, i.node.not) {
            (IfTarget::Name(n), false) => p.interface = Some(n.node.text().to_string()),
            _ => return Err("`on` takes one interface name".into()),
        },
        _ => return Err("`on` takes one interface name".into()),
    }
    match r.protos.as_slice() {
        [] => {}
        [x] => {
            let t = x.node.text();
            p.proto = Some(
                t.parse::<u8>()
                    .ok()
                    .or_else(|| names::protocol_number(t))
                    .ok_or_else(|| format!("unknown protocol {t}"))?,
            );
        }
        _ => return Err("`proto` takes one protocol".into()),
    }
    let side = |e: &Option<Box<Endpoint>>| -> Result<(Option<IpAddr>, Option<u16>), String> {
        let Some(e) = e else {
            return Ok((None, None));
        };
        let addr = match e.hosts.as_slice() {
            [] => None,
            [h] => match &h.node.kind {
                HostKind::Address { addr, mask: None } if !h.node.not => Some(
                    addr.node
                        .text()
                        .split('%')
                        .next()
                        .unwrap_or("")
                        .parse::<IpAddr>()
                        .map_err(|_| format!("{} is not an address", addr.node.text()))?,
                ),
                _ => return Err("a packet has one address per side".into()),
            },
            _ => return Err("a packet has one address per side".into()),
        };
        let port = match e.ports.as_slice() {
            [] => None,
            [x] => match &x.node {
                PortItem::Eq { value } => Some(port_value(value.node.text())?),
                _ => return Err("a packet has one port per side".into()),
            },
            _ => return Err("a packet has one port per side".into()),
        };
        Ok((addr, port))
    };
    (p.src, p.src_port) = side(&r.hosts.from)?;
    (p.dst, p.dst_port) = side(&r.hosts.to)?;
    for a in [p.src, p.dst].into_iter().flatten() {
        let fam = if a.is_ipv4() {
            AddressFamily::Inet
        } else {
            AddressFamily::Inet6
        };
        if p.af.is_some_and(|x| x != fam) {
            return Err("the addresses do not match the address family".into());
        }
        p.af = Some(fam);
    }
    for o in &r.options {
        match &o.node {
            FilterOpt::Tagged { not: false, value } => {
                p.tags.push(value.iter().map(|v| v.node.text()).collect::<Vec<_>>().join(" "))
            }
            FilterOpt::Flags { .. } | FilterOpt::IcmpType { .. } => {}
            _ => return Err("a packet description takes direction, on, af, proto, from, to, flags, icmp-type and tagged only".into()),
        }
    }
    Ok(p)
}

/// What pf decides for CARP advertisements (in and out) on an interface:
/// `Some(true)` when both surely pass (or the interface is skipped),
/// `Some(false)` when one of them is surely blocked, `None` when it depends.
pub fn carp_passed(resolved: &Resolved, interface: &str) -> Option<bool> {
    passed(resolved, |d| carp_packet(interface, d))
}

/// The same question for pfsync on an interface.
pub fn pfsync_passed(resolved: &Resolved, interface: &str) -> Option<bool> {
    passed(resolved, |d| pfsync_packet(interface, d))
}

fn passed(resolved: &Resolved, pkt: impl Fn(Direction) -> Packet) -> Option<bool> {
    let mut all = true;
    for d in [Direction::In, Direction::Out] {
        let o = evaluate(resolved, &pkt(d));
        if o.surely_blocked() {
            return Some(false);
        }
        let ok = o.certain().is_some_and(|x| x.verdict != Verdict::Block);
        all &= ok;
    }
    all.then_some(true)
}

/// The interfaces named in the ruleset on which pfsync from anywhere is
/// (surely or possibly) passed in, with the verdicts possible on each.
pub fn interfaces_passing_pfsync(resolved: &Resolved) -> Vec<(String, Vec<Verdict>)> {
    let mut names: Vec<String> = Vec::new();
    crate::lint::walk_rules(&resolved.ruleset, &mut |r| {
        for i in &r.interfaces {
            if let IfTarget::Name(n) = &i.node.target {
                if !names.iter().any(|x| x == n.node.text()) {
                    names.push(n.node.text().to_string());
                }
            }
        }
    });
    names
        .into_iter()
        .filter_map(|n| {
            let o = evaluate(resolved, &pfsync_packet(&n, Direction::In));
            let v = o.verdicts();
            v.iter()
                .any(|x| matches!(x, Verdict::Pass | Verdict::Skip | Verdict::DefaultPass))
                .then_some((n, v))
        })
        .collect()
}
