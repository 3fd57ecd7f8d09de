//! The evaluator's index, built once per ruleset: every rule in document
//! order, inline anchors' bodies included (a [`Node`] each), filed by what
//! a packet must have for the rule to match — direction, interface,
//! protocol, destination prefix or table, destination port, source prefix
//! or table. A rule inside an inline anchor is filed under its own keys
//! and, for what it leaves open, its anchors' keys: it can only count when
//! both match.
//!
//! A packet reads the rules it may match from the few lists its values
//! lead to ([`Index::query`]); every rule the index leaves out surely does
//! not match, so evaluating only the rest gives the same outcome. Broad
//! rules (`any`, negation, groups, `(if)`, unknown tables) sit under the
//! wildcard of the field they leave open and are read by every packet, as
//! pf's skip steps leave them in place.
//!
//! Each rule is also classed *plain* or not: a plain rule is a non-quick
//! pass or block with no tag, `tagged`, translation or undecidable test,
//! in anchors that are just as plain. A plain rule that matches only
//! replaces the decision of the one before; when the list of matching
//! rules is not wanted, of a run of plain rules only the last that matches
//! counts (see `walk.rs`).

use super::{KnownTables, Packet};
use crate::ast::*;
use crate::values::{addr_net, parse_addr_word, port_value, AddrWord};
use crate::Protocol;
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::IpAddr;

/// Packet fields, as bits: the fields a rule needs to be judged surely
/// (without a *maybe*), or the fields a packet gives.
pub(super) type Fields = u8;
const DIR: Fields = 1;
pub(super) const IFACE: Fields = 2;
const AF: Fields = 4;
const PROTO: Fields = 8;
const SRC: Fields = 16;
const DST: Fields = 32;
const SPORT: Fields = 64;
const DPORT: Fields = 128;

/// The fields `p` gives (a source known only as a set does not count).
pub(super) fn given(p: &Packet) -> Fields {
    let mut f = 0;
    for (yes, bit) in [
        (p.direction.is_some(), DIR),
        (p.interface.is_some(), IFACE),
        (p.af.is_some(), AF),
        (p.proto.is_some(), PROTO),
        (p.src.is_some(), SRC),
        (p.dst.is_some(), DST),
        (p.src_port.is_some(), SPORT),
        (p.dst_port.is_some(), DPORT),
    ] {
        if yes {
            f |= bit;
        }
    }
    f
}

/// One rule, antispoof or anchor of the ruleset, in document order.
pub(super) struct Node<'a> {
    pub(super) stmt: &'a Statement,
    /// The inline anchor whose body holds it (None at the top).
    pub(super) parent: Option<u32>,
    /// One past its last descendant (its own position + 1 but for an
    /// inline anchor).
    pub(super) end: u32,
}

/// The rules of one key, in document order.
#[derive(Default)]
pub(super) struct Lists {
    /// Plain rules (see the module doc).
    pub(super) plain: Vec<u32>,
    /// The others.
    pub(super) other: Vec<u32>,
}

impl Lists {
    fn push(&mut self, pos: u32, plain: bool) {
        let v = if plain {
            &mut self.plain
        } else {
            &mut self.other
        };
        // A rule whose keys repeat one value is filed once.
        if v.last() != Some(&pos) {
            v.push(pos);
        }
    }
}

/// What one lookup needs from the packet.
pub(super) struct Query<'q> {
    dir: Option<Direction>,
    /// The names the packet's interface answers to (itself, its driver
    /// group, `carp` for pfsync (node::in_group), `any`), or None.
    ifnames: Option<[&'q str; 4]>,
    proto: Option<u8>,
    dst: Option<IpAddr>,
    dport: Option<u16>,
    src: Option<IpAddr>,
    tables: &'q KnownTables<'q>,
}

impl<'q> Query<'q> {
    /// `interface` is None to read every interface's rules (the
    /// packet's interface is unknown or judged as another's).
    pub(super) fn new(p: &'q Packet, interface: Option<&'q str>, tables: &'q KnownTables) -> Self {
        Query {
            dir: p.direction,
            ifnames: interface.map(|i| {
                let d = crate::node::driver(i);
                [i, d, if d == "pfsync" { "carp" } else { d }, "any"]
            }),
            proto: p.proto.map(|x| x.number()),
            dst: p.dst,
            dport: p.dst_port.map(|x| x.0),
            // A source known only as a set reads every source's rules.
            src: p.src,
            tables,
        }
    }

    /// A table that surely does not hold `a`: known, constant, and its
    /// longest matching entry (if any) is a `!` one.
    fn surely_not_in(&self, table: &str, a: IpAddr) -> bool {
        self.tables.get(table).is_some_and(|(entries, may_grow)| {
            let holds = entries
                .iter()
                .filter(|(_, n)| n.contains(&a))
                .max_by_key(|(_, n)| n.prefix_len())
                .is_some_and(|(neg, _)| !neg);
            !may_grow && !holds
        })
    }
}

/// One level of the index: read the children a query's value leads to.
trait Level: Default {
    fn visit<'s>(&'s self, q: &Query, out: &mut Vec<&'s Lists>);
}

impl Level for Lists {
    fn visit<'s>(&'s self, _: &Query, out: &mut Vec<&'s Lists>) {
        if !self.plain.is_empty() || !self.other.is_empty() {
            out.push(self);
        }
    }
}

#[derive(Default)]
struct ByDir<C> {
    any: C,
    inbound: C,
    outbound: C,
}

impl<C: Level> ByDir<C> {
    fn slot(&mut self, d: Option<Direction>) -> &mut C {
        match d {
            None => &mut self.any,
            Some(Direction::In) => &mut self.inbound,
            Some(Direction::Out) => &mut self.outbound,
        }
    }
}

impl<C: Level> Level for ByDir<C> {
    fn visit<'s>(&'s self, q: &Query, out: &mut Vec<&'s Lists>) {
        self.any.visit(q, out);
        if q.dir != Some(Direction::Out) {
            self.inbound.visit(q, out);
        }
        if q.dir != Some(Direction::In) {
            self.outbound.visit(q, out);
        }
    }
}

/// Keyed levels: a wildcard child and children by value.
#[derive(Default)]
struct ByKey<K, C> {
    any: C,
    // Boxed: a map's free slots then cost a pointer, not a level.
    keyed: HashMap<K, Box<C>>,
}

impl<K: std::hash::Hash + Eq, C: Level> ByKey<K, C> {
    fn slot(&mut self, k: Option<K>) -> &mut C {
        match k {
            None => &mut self.any,
            Some(k) => self.keyed.entry(k).or_default(),
        }
    }

    fn visit_all<'s>(&'s self, q: &Query, out: &mut Vec<&'s Lists>) {
        self.any.visit(q, out);
        for c in self.keyed.values() {
            c.visit(q, out);
        }
    }

    /// The wildcard and the packet's value, or every child when the
    /// packet does not give it.
    fn visit_value<'s>(&'s self, v: Option<&K>, q: &Query, out: &mut Vec<&'s Lists>) {
        let Some(v) = v else {
            return self.visit_all(q, out);
        };
        self.any.visit(q, out);
        if let Some(c) = self.keyed.get(v) {
            c.visit(q, out);
        }
    }
}

impl<C: Level> Level for ByKey<Box<str>, C> {
    fn visit<'s>(&'s self, q: &Query, out: &mut Vec<&'s Lists>) {
        let Some(names) = q.ifnames else {
            return self.visit_all(q, out);
        };
        self.any.visit(q, out);
        for (i, n) in names.iter().enumerate() {
            // The driver may be the name itself, or `carp` the driver.
            if names[..i].contains(n) {
                continue;
            }
            if let Some(c) = self.keyed.get(*n) {
                c.visit(q, out);
            }
        }
    }
}

/// Protocols by number.
#[derive(Default)]
struct ByProto<C>(ByKey<u8, C>);

impl<C: Level> Level for ByProto<C> {
    fn visit<'s>(&'s self, q: &Query, out: &mut Vec<&'s Lists>) {
        self.0.visit_value(q.proto.as_ref(), q, out);
    }
}

/// Destination ports (single values).
#[derive(Default)]
struct ByPort<C>(ByKey<u16, C>);

impl<C: Level> Level for ByPort<C> {
    fn visit<'s>(&'s self, q: &Query, out: &mut Vec<&'s Lists>) {
        self.0.visit_value(q.dport.as_ref(), q, out);
    }
}

/// An address key: a prefix or a table the address must be in.
#[derive(Clone)]
enum AddrKey {
    Net(IpNet),
    Table(Box<str>),
}

/// Addresses: by prefix (with the prefix lengths filed, so that a lookup
/// tries only those), by table, and the rest. `SOURCE` says which of the
/// packet's addresses is read.
#[derive(Default)]
struct ByAddr<C, const SOURCE: bool> {
    any: C,
    nets: HashMap<IpNet, Box<C>>,
    /// Prefix lengths in `nets`, per family (IPv4, IPv6).
    lens: [Vec<u8>; 2],
    tables: Vec<(Box<str>, C)>,
}

impl<C: Level, const SOURCE: bool> ByAddr<C, SOURCE> {
    fn slot(&mut self, k: Option<&AddrKey>) -> &mut C {
        match k {
            None => &mut self.any,
            Some(AddrKey::Net(n)) => {
                let lens = &mut self.lens[usize::from(n.addr().is_ipv6())];
                if !lens.contains(&n.prefix_len()) {
                    lens.push(n.prefix_len());
                }
                self.nets.entry(n.trunc()).or_default()
            }
            Some(AddrKey::Table(t)) => {
                let i = match self.tables.iter().position(|(n, _)| n == t) {
                    Some(i) => i,
                    None => {
                        self.tables.push((t.clone(), C::default()));
                        self.tables.len() - 1
                    }
                };
                &mut self.tables[i].1
            }
        }
    }
}

impl<C: Level, const SOURCE: bool> Level for ByAddr<C, SOURCE> {
    fn visit<'s>(&'s self, q: &Query, out: &mut Vec<&'s Lists>) {
        self.any.visit(q, out);
        let Some(a) = (if SOURCE { q.src } else { q.dst }) else {
            for c in self.nets.values() {
                c.visit(q, out);
            }
            for (_, c) in &self.tables {
                c.visit(q, out);
            }
            return;
        };
        for &len in &self.lens[usize::from(a.is_ipv6())] {
            if let Some(c) = IpNet::new(a, len)
                .ok()
                .and_then(|n| self.nets.get(&n.trunc()))
            {
                c.visit(q, out);
            }
        }
        for (t, c) in &self.tables {
            if !q.surely_not_in(t, a) {
                c.visit(q, out);
            }
        }
    }
}

type Tree = ByDir<ByKey<Box<str>, ByProto<ByAddr<ByPort<ByAddr<Lists, true>>, false>>>>;

/// What a rule (with its anchors) asks of a packet, field by field: the
/// values one of which the packet must have, or None for any.
#[derive(Clone, Default)]
struct Keys {
    dir: Option<Direction>,
    ifs: Option<Vec<Box<str>>>,
    protos: Option<Vec<u8>>,
    dst: Option<Vec<AddrKey>>,
    dports: Option<Vec<u16>>,
    src: Option<Vec<AddrKey>>,
}

/// Most index entries one rule makes (lists multiply); beyond, the
/// longest list is left open.
const MAX_ENTRIES: usize = 256;

impl Keys {
    /// The keys of `r` alone.
    fn of(r: &FilterRule) -> Keys {
        let ifs = (!r.interfaces.is_empty())
            .then(|| {
                r.interfaces
                    .iter()
                    .map(|i| match &i.node.target {
                        _ if i.node.not => None,
                        IfTarget::Any => Some("any".into()),
                        IfTarget::Name(n) if keyed_interface(n.node.text()) => {
                            Some(n.node.text().into())
                        }
                        _ => None,
                    })
                    .collect::<Option<Vec<Box<str>>>>()
            })
            .flatten();
        let protos = (!r.protos.is_empty())
            .then(|| {
                r.protos
                    .iter()
                    .map(|p| p.node.text().parse::<Protocol>().ok().map(|p| p.number()))
                    .collect::<Option<Vec<u8>>>()
            })
            .flatten();
        let to = r.hosts.to.as_deref();
        Keys {
            dir: r.direction,
            ifs,
            protos,
            dst: to.and_then(addr_keys),
            dports: to.and_then(port_keys),
            src: r.hosts.from.as_deref().and_then(addr_keys),
        }
    }

    /// These keys, with what they leave open taken from `outer` (an
    /// enclosing anchor's).
    fn within(mut self, outer: &Keys) -> Keys {
        self.dir = self.dir.or(outer.dir);
        self.ifs = self.ifs.or_else(|| outer.ifs.clone());
        self.protos = self.protos.or_else(|| outer.protos.clone());
        self.dst = self.dst.or_else(|| outer.dst.clone());
        self.dports = self.dports.or_else(|| outer.dports.clone());
        self.src = self.src.or_else(|| outer.src.clone());
        self
    }

    /// Leaves open the longest lists until the entries are few enough.
    fn bounded(mut self) -> Keys {
        loop {
            let lens = [
                self.ifs.as_ref().map_or(1, Vec::len),
                self.protos.as_ref().map_or(1, Vec::len),
                self.dst.as_ref().map_or(1, Vec::len),
                self.dports.as_ref().map_or(1, Vec::len),
                self.src.as_ref().map_or(1, Vec::len),
            ];
            if lens.iter().product::<usize>() <= MAX_ENTRIES {
                return self;
            }
            let widest = (0..lens.len()).max_by_key(|&i| lens[i]).unwrap_or(0);
            match widest {
                0 => self.ifs = None,
                1 => self.protos = None,
                2 => self.dst = None,
                3 => self.dports = None,
                _ => self.src = None,
            }
        }
    }
}

/// Interface names the evaluation judges by name alone, with or without
/// a node: interfaces (`em0`) and driver groups (`carp`). Other groups
/// are known only to the node.
fn keyed_interface(n: &str) -> bool {
    n.ends_with(|c: char| c.is_ascii_digit()) || crate::node::is_driver_group(n)
}

/// The address keys of an endpoint, or None when any address may match.
fn addr_keys(e: &Endpoint) -> Option<Vec<AddrKey>> {
    if e.any || e.hosts.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for h in &e.hosts {
        host_keys(&h.node, &mut out)?;
    }
    Some(out)
}

fn host_keys(h: &Host, out: &mut Vec<AddrKey>) -> Option<()> {
    if h.not {
        return None;
    }
    match &h.kind {
        HostKind::Address { addr, mask } => out.push(AddrKey::Net(literal_net(
            addr.node.text(),
            mask.as_ref().map(|m| m.node.text()),
        )?)),
        HostKind::Table { name } => out.push(AddrKey::Table(name.node.text().into())),
        HostKind::List(v) => {
            for x in v {
                host_keys(&x.node, out)?;
            }
        }
        _ => return None,
    }
    Some(())
}

/// A literal address as the evaluator reads it (not an interface name).
fn literal_net(addr: &str, mask: Option<&str>) -> Option<IpNet> {
    match parse_addr_word(addr, mask.is_some()) {
        Ok(AddrWord::Name { .. }) | Err(_) => None,
        Ok(_) => addr_net(addr, mask),
    }
}

/// The destination ports of an endpoint when all are single numbers.
fn port_keys(e: &Endpoint) -> Option<Vec<u16>> {
    if e.ports.is_empty() {
        return None;
    }
    e.ports
        .iter()
        .map(|p| match &p.node {
            PortItem::Eq { value } if !value.node.text().contains(':') => {
                port_value(value.node.text()).ok()
            }
            _ => None,
        })
        .collect()
}

/// The fields `r` needs to be judged surely, or None when some part of it
/// is never sure (a group, `(if)`, a table that may grow, an option...).
fn needs(r: &FilterRule, tables: &KnownTables) -> Option<Fields> {
    let mut f = 0;
    if r.direction.is_some() {
        f |= DIR;
    }
    if !r.interfaces.is_empty() {
        f |= IFACE;
        for i in &r.interfaces {
            match &i.node.target {
                IfTarget::Any => {}
                IfTarget::Name(n) if keyed_interface(n.node.text()) => {}
                _ => return None,
            }
        }
    }
    if r.af.is_some() {
        f |= AF;
    }
    if !r.protos.is_empty() {
        f |= PROTO;
        for p in &r.protos {
            p.node.text().parse::<Protocol>().ok()?;
        }
    }
    for (e, addr, port) in [
        (r.hosts.from.as_deref(), SRC, SPORT),
        (r.hosts.to.as_deref(), DST, DPORT),
    ] {
        let Some(e) = e else { continue };
        if !e.any && !e.hosts.is_empty() {
            f |= addr;
            for h in &e.hosts {
                sure_host(&h.node, tables)?;
            }
        }
        if !e.ports.is_empty() {
            f |= port;
            for p in &e.ports {
                sure_port(&p.node)?;
            }
        }
    }
    if !r.hosts.os.is_empty() || r.options.iter().any(|o| o.node.narrows()) {
        return None;
    }
    Some(f)
}

fn sure_host(h: &Host, tables: &KnownTables) -> Option<()> {
    match &h.kind {
        HostKind::Any => Some(()),
        HostKind::Address { addr, mask } => {
            literal_net(addr.node.text(), mask.as_ref().map(|m| m.node.text())).map(|_| ())
        }
        HostKind::Table { name } => tables
            .get(name.node.text())
            .is_some_and(|(_, may_grow)| !may_grow)
            .then_some(()),
        HostKind::List(v) => v.iter().try_for_each(|x| sure_host(&x.node, tables)),
        _ => None,
    }
}

fn sure_port(p: &PortItem) -> Option<()> {
    let num = |v: &SValue| port_value(v.node.text()).ok().map(|_| ());
    match p {
        PortItem::Eq { value } => match value.node.text().split_once(':') {
            Some((a, b)) => port_value(a).ok().and(port_value(b).ok()).map(|_| ()),
            None => num(value),
        },
        PortItem::Unary { value, .. } => num(value),
        PortItem::Binary { low, high, .. } => num(low).and(num(high)),
    }
}

/// A pass or block that is not quick and whose match does nothing but
/// decide: no tag, `tagged`, translation or match-rule log.
fn decides_only(r: &FilterRule) -> bool {
    !r.quick
        && !matches!(r.action.node, Action::Match)
        && !r.options.iter().any(|o| {
            matches!(
                o.node,
                FilterOpt::Tag { .. }
                    | FilterOpt::Tagged { .. }
                    | FilterOpt::NatTo(_)
                    | FilterOpt::RdrTo(_)
                    | FilterOpt::BinatTo(_)
                    | FilterOpt::AfTo { .. }
            )
        })
}

pub(super) struct Index<'a> {
    pub(super) nodes: Vec<Node<'a>>,
    /// Rules, antispoof, anchors without an inline body, and inline
    /// anchors whose filter is never sure.
    main: Tree,
    /// Inline anchors whose filter is sure when a packet gives
    /// `selves_need`: read only for packets that do not.
    selves: Tree,
    selves_need: Fields,
    /// What every plain rule (with its anchors) needs.
    pub(super) plain_need: Fields,
}

/// An inline anchor being filed: its keys (with its anchors'), what its
/// filter needs, and whether its rules can be plain.
struct Scope {
    keys: Keys,
    need: Fields,
    plain: bool,
}

impl<'a> Index<'a> {
    /// With `only`, rules whose protocols are none of these numbers are
    /// not filed (never candidates): for an evaluator of those protocols'
    /// packets alone.
    pub(super) fn build(rs: &'a Ruleset, tables: &KnownTables, only: Option<&[u8]>) -> Index<'a> {
        let mut ix = Index {
            nodes: Vec::new(),
            main: Tree::default(),
            selves: Tree::default(),
            selves_need: 0,
            plain_need: 0,
        };
        let top = Scope {
            keys: Keys::default(),
            need: 0,
            plain: true,
        };
        ix.file(rs, None, &top, (tables, only));
        ix
    }

    fn file(
        &mut self,
        rs: &'a Ruleset,
        parent: Option<u32>,
        scope: &Scope,
        (tables, only): (&KnownTables, Option<&[u8]>),
    ) {
        for s in &rs.statements {
            let pos = self.nodes.len() as u32;
            let r = match &s.kind {
                StatementKind::Rule(r) => r,
                StatementKind::Anchor(a) => &a.filter,
                StatementKind::Antispoof(_) => {
                    self.nodes.push(Node {
                        stmt: s,
                        parent,
                        end: pos + 1,
                    });
                    // Made from the node's addresses: always read.
                    insert(&mut self.main, &scope.keys, pos, false);
                    continue;
                }
                _ => continue,
            };
            self.nodes.push(Node {
                stmt: s,
                parent,
                end: pos + 1,
            });
            let keys = Keys::of(r).within(&scope.keys);
            let need = needs(r, tables).map(|n| n | scope.need);
            match &s.kind {
                StatementKind::Anchor(a) => match &a.body {
                    Some(body) => {
                        match need {
                            Some(n) => {
                                self.selves_need |= n;
                                insert(&mut self.selves, &keys, pos, false);
                            }
                            None => insert(&mut self.main, &keys, pos, false),
                        }
                        let inner = Scope {
                            keys,
                            need: need.unwrap_or(0),
                            plain: scope.plain && need.is_some() && !r.quick,
                        };
                        self.file(body, Some(pos), &inner, (tables, only));
                        let end = self.nodes.len() as u32;
                        if let Some(n) = self.nodes.get_mut(pos as usize) {
                            n.end = end;
                        }
                    }
                    // Loaded from a file (or at run time): walked as a whole.
                    None => insert(&mut self.main, &keys, pos, false),
                },
                // A rule of other protocols than the evaluator's.
                _ if keys.protos.as_ref().is_some_and(|ps| {
                    only.is_some_and(|only| !ps.iter().any(|p| only.contains(p)))
                }) => {}
                _ => {
                    let plain = match need {
                        Some(n) if scope.plain && decides_only(r) => {
                            self.plain_need |= n;
                            true
                        }
                        _ => false,
                    };
                    insert(&mut self.main, &keys, pos, plain);
                }
            }
        }
    }

    /// The lists of rules `q` may match; for a packet that does not give
    /// every field the inline anchors' filters need (`given`), also those
    /// anchors themselves, whose filter may then be undecided (the others
    /// are reached through their rules).
    pub(super) fn query<'s>(&'s self, q: &Query, given: Fields) -> Vec<&'s Lists> {
        let mut out = Vec::new();
        self.main.visit(q, &mut out);
        if given & self.selves_need != self.selves_need {
            self.selves.visit(q, &mut out);
        }
        out
    }
}

/// Files `pos` under every combination of its keys.
fn insert(t: &mut Tree, keys: &Keys, pos: u32, plain: bool) {
    let k = keys.clone().bounded();
    fn each<T: Clone>(v: &Option<Vec<T>>) -> Vec<Option<T>> {
        match v {
            None => vec![None],
            Some(v) => v.iter().cloned().map(Some).collect(),
        }
    }
    let (ifs, protos, dsts, dports, srcs) = (
        each(&k.ifs),
        each(&k.protos),
        each(&k.dst),
        each(&k.dports),
        each(&k.src),
    );
    let by_if = t.slot(k.dir);
    for i in &ifs {
        let by_proto = by_if.slot(i.clone());
        for p in &protos {
            let by_dst = by_proto.0.slot(*p);
            for d in &dsts {
                let by_port = by_dst.slot(d.as_ref());
                for dp in &dports {
                    let by_src = by_port.0.slot(*dp);
                    for s in &srcs {
                        by_src.slot(s.as_ref()).push(pos, plain);
                    }
                }
            }
        }
    }
}
