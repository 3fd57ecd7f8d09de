//! The evaluator's index of the top-level rules: by direction,
//! interface, protocol and destination prefix (and, for rules to any
//! destination, by source), so that a packet is compared with the rules
//! that can match it, not with every rule. Built once per ruleset.

use super::{KnownTables, Packet};
use crate::ast::*;
use crate::names;
use ipnet::IpNet;
use std::net::IpAddr;

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
        _ => crate::values::host_net(h).map_or(HostKey::Other, HostKey::Net),
    }
}

#[derive(Default)]
pub(super) struct Index {
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
    pub(super) fn build(rs: &Ruleset) -> Index {
        let mut ix = Index::default();
        for (i, s) in rs.statements.iter().enumerate() {
            // An anchor is keyed by its own filter: its rules only count
            // when that filter matches.
            let r: &FilterRule = match &s.kind {
                StatementKind::Rule(r) => r,
                StatementKind::Anchor(a) => &a.filter,
                // Antispoof rules are made from the node's addresses.
                StatementKind::Antispoof(_) => {
                    ix.always.push(i);
                    continue;
                }
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
                                    || crate::node::DRIVER_GROUPS.contains(&n.node.text())) =>
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
                    .map(|h| crate::values::host_net(&h.node))
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
    pub(super) fn candidates(&self, p: &Packet, tables: &KnownTables) -> Option<Vec<usize>> {
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
                for pr in ["*".to_string(), proto.number().to_string()] {
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
