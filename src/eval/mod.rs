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
use crate::keyword::keywords;
use crate::node::{Known, Node};
use crate::resolve::Resolved;
use crate::span::Span;
use crate::values::{parse_addr_word, port_value, AddrWord};
use crate::{Port, Protocol};
use ipnet::IpNet;
use std::cell::RefCell;
use std::net::IpAddr;

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

keywords!(serialize Verdict, "verdict" {
    Pass => "pass",
    Block => "block",
    Skip => "skip",
    DefaultPass => "default-pass",
});

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
    /// For a block: how, from the rule or `set block-policy`.
    pub block: Option<BlockKind>,
    /// For a pass: how it keeps state (`keep state`, pf's default, unless
    /// the rule says otherwise).
    pub state: Option<StateKind>,
    /// Tags the packet carries at the end (given ones and those set).
    pub tags: Vec<String>,
    /// The translation that applies (`nat-to ...`, `rdr-to ...`), from the
    /// last matching rule that has one.
    pub translation: Option<String>,
    /// `route-to`, `reply-to` or `dup-to` of the deciding pass rule: an
    /// inbound packet passed with `route-to` is handed to `pf_route()` and
    /// forwarded, not delivered to the node.
    pub route: Option<String>,
    /// pf logs the packet: the deciding rule has `log`, or a `match`
    /// rule with `log` matched on the way.
    pub log: bool,
}

/// The answer: every decision still possible (one when certain).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Possible decisions, deduplicated; one element when certain.
    pub decisions: Vec<Decision>,
    /// Some part of the ruleset could not be judged at all (an anchor
    /// loaded from a file that was not read, too many possibilities).
    pub incomplete: bool,
    /// Why the outcome is not certain: each rule whose match could not be
    /// decided, with what it depends on (and the unjudged parts).
    pub undecided: Vec<(Option<Span>, String)>,
    /// The interface pf filtered the packet on when it is not the
    /// packet's own: a CARP interface's packets are filtered as on its
    /// parent (pf.c 1.1218, `pf_test` takes the carpdev's `pfi_kif`).
    pub filtered_on: Option<String>,
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

    /// Whether `other`, for the same packet, gives the same answer: the
    /// same certain decision (its list of matches aside), verdicts,
    /// undecided rules and completeness. [`Evaluator::evaluate`] and
    /// [`Evaluator::decide`] do, unless either followed too many
    /// possibilities (keeping lists of matches keeps more of them apart),
    /// when they may differ and this is `Ok`. The error names what
    /// differs.
    pub fn same_answer(&self, other: &Outcome) -> Result<(), String> {
        let overflow = |o: &Outcome| {
            o.undecided
                .iter()
                .any(|(_, why)| why.contains("possibilities"))
        };
        if overflow(self) || overflow(other) {
            return Ok(());
        }
        let strip = |d: &Decision| Decision {
            matches: Vec::new(),
            ..d.clone()
        };
        let differs = |what: &str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
            Err(format!("{what} differ: {a:?} against {b:?}"))
        };
        let (a, b) = (self.certain().map(strip), other.certain().map(strip));
        if a != b {
            return differs("certain decisions", &a, &b);
        }
        if self.verdicts() != other.verdicts() {
            return differs("verdicts", &self.verdicts(), &other.verdicts());
        }
        if self.undecided != other.undecided {
            return differs("undecided rules", &self.undecided, &other.undecided);
        }
        if self.incomplete != other.incomplete {
            return differs("completeness", &self.incomplete, &other.incomplete);
        }
        Ok(())
    }
}

struct Eval<'a> {
    resolved: &'a Resolved,
    pkt: &'a Packet,
    incomplete: bool,
    tags_set: &'a [String],
    interfaces: Option<&'a crate::expand::Interfaces>,
    /// The node whose interfaces, groups and addresses are known.
    node: Option<&'a Node>,
    /// Tables whose contents are known: name -> (entries, may grow at run
    /// time). A table read from a file is not known.
    tables: &'a KnownTables<'a>,
    block_policy: BlockPolicy,
    /// The index, or None to walk every statement.
    index: Option<&'a Index<'a>>,
    /// Record every matching rule (`Decision::matches`).
    record: bool,
    /// The index's candidates for this packet, in order, and the next one.
    cands: Vec<u32>,
    cursor: usize,
    /// `anchor quick`s open around the rule being applied.
    open_quick: u32,
    /// Interfaces in `set skip on`.
    skip_names: &'a [String],
    /// Why the match being computed is undecided (first reason kept).
    why: RefCell<Option<String>>,
    /// Undecided rules and parts, for the outcome.
    undecided: Vec<(Option<Span>, String)>,
    /// The packet is on a CARP interface whose parent is not known: pf
    /// filters it as on that parent.
    carp_parent_unknown: bool,
    /// The path of the anchor being evaluated (`one/two`), empty at the
    /// top.
    anchor_path: String,
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
                            HostKind::Address { addr, mask } => crate::values::addr_net(
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
    node: Option<&'a Node>,
    tags_set: Vec<String>,
    tables: KnownTables<'a>,
    block_policy: BlockPolicy,
    index: Index<'a>,
    skip_names: Vec<String>,
}

impl<'a> Evaluator<'a> {
    /// Prepares a resolved ruleset for evaluation.
    pub fn new(resolved: &'a Resolved, interfaces: Option<&'a crate::expand::Interfaces>) -> Self {
        Self::build(resolved, interfaces, None)
    }

    /// An evaluator for packets of these protocols only, on `node` (the
    /// HA probes: CARP and pfsync). Rules that match none of them are left
    /// out of the index, which is most of a real ruleset. Invariant: it
    /// answers as [`Evaluator::new`] / [`Evaluator::with_node`] for a
    /// packet whose protocol is one of `protocols`; for any other packet
    /// its answer means nothing.
    pub(crate) fn for_protocols(
        resolved: &'a Resolved,
        node: Option<&'a Node>,
        protocols: &[Protocol],
    ) -> Self {
        let numbers: Vec<u8> = protocols.iter().map(|p| p.number()).collect();
        let mut e = Self::build(resolved, None, Some(&numbers));
        e.node = node;
        e
    }

    fn build(
        resolved: &'a Resolved,
        interfaces: Option<&'a crate::expand::Interfaces>,
        only: Option<&[u8]>,
    ) -> Self {
        let mut tags_set = Vec::new();
        crate::ast::walk_rules(&resolved.ruleset, &mut |r| {
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
                    SetOption::BlockPolicy { value } => Some(*value),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or(BlockPolicy::Drop);
        let tables = known_tables(resolved);
        Evaluator {
            index: Index::build(&resolved.ruleset, &tables, only),
            tables,
            resolved,
            interfaces,
            node: None,
            tags_set,
            block_policy,
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

    /// Prepares a resolved ruleset for evaluation on a node: interface
    /// groups (explicit, driver, `egress`, `all`), `self`, `(if)`,
    /// `if:network` and `antispoof` are judged against the node model.
    pub fn with_node(resolved: &'a Resolved, node: &'a Node) -> Self {
        let mut e = Evaluator::new(resolved, None);
        e.node = Some(node);
        e
    }

    /// What pf decides for `pkt`. A packet on a CARP interface is
    /// filtered as on its parent (pf.c 1.1218, `pf_test`: a packet on an
    /// `IFT_CARP` interface gets its carpdev's `pfi_kif`, so rules, groups
    /// and `set skip` are those of the parent, and a rule naming the CARP
    /// interface never matches). Without a node that names the parent,
    /// rules naming other interfaces are undecided.
    ///
    /// ```
    /// use pfconf::eval::{parse_packet, Evaluator, Verdict};
    ///
    /// let report = pfconf::check_str("pf.conf", "block all\npass in on em0 proto tcp to port 22\n");
    /// let ev = Evaluator::new(&report.resolved, None);
    /// let ssh = parse_packet("in on em0 proto tcp from 192.0.2.7 to 10.0.0.1 port 22").unwrap();
    /// assert_eq!(ev.evaluate(&ssh).certain().unwrap().verdict, Verdict::Pass);
    /// let web = parse_packet("in on em0 proto tcp from 192.0.2.7 to 10.0.0.1 port 80").unwrap();
    /// assert_eq!(ev.evaluate(&web).certain().unwrap().verdict, Verdict::Block);
    /// ```
    pub fn evaluate(&self, pkt: &Packet) -> Outcome {
        self.evaluate_as(pkt, Mode::Indexed, true)
    }

    /// What pf decides for `pkt`, as [`Evaluator::evaluate`] answers but
    /// without the list of every matching rule (`Decision::matches` is
    /// empty): of a run of rules that only decide, the last that matches
    /// is all that counts, so the others need not be judged. This is
    /// what `pfconf eval` asks unless `--matches` is given.
    ///
    /// ```
    /// use pfconf::eval::{parse_packet, Evaluator, Verdict};
    ///
    /// let report = pfconf::check_str("pf.conf", "block all\npass in proto tcp\npass in to port 22\n");
    /// let ev = Evaluator::new(&report.resolved, None);
    /// let ssh = parse_packet("in on em0 proto tcp from 192.0.2.7 to 10.0.0.1 port 22").unwrap();
    /// let d = ev.decide(&ssh);
    /// let d = d.certain().unwrap();
    /// assert_eq!((d.verdict, d.matches.len()), (Verdict::Pass, 0));
    /// assert_eq!(ev.evaluate(&ssh).certain().unwrap().matches.len(), 3);
    /// ```
    pub fn decide(&self, pkt: &Packet) -> Outcome {
        self.evaluate_as(pkt, Mode::Indexed, false)
    }

    /// Every statement judged in order, without the index: what the
    /// index must answer too (the tests compare them).
    #[cfg(test)]
    fn evaluate_linear(&self, pkt: &Packet, record: bool) -> Outcome {
        self.evaluate_as(pkt, Mode::Linear, record)
    }

    fn evaluate_as(&self, pkt: &Packet, mode: Mode, record: bool) -> Outcome {
        let carp = pkt
            .interface
            .as_deref()
            .filter(|i| crate::node::driver(i) == "carp");
        if let Some(name) = carp {
            let parent = self
                .node
                .and_then(|n| n.interface(name).and_then(|c| n.carpdev(c).ok()));
            if let Some(parent) = parent {
                let mut on_parent = pkt.clone();
                on_parent.interface = Some(parent.clone());
                let mut o = self.run(&on_parent, mode, record, false);
                o.filtered_on = Some(parent);
                return o;
            }
            return self.run(pkt, mode, record, true);
        }
        self.run(pkt, mode, record, false)
    }

    fn run(&self, pkt: &Packet, mode: Mode, record: bool, carp_parent_unknown: bool) -> Outcome {
        let mut e = Eval {
            resolved: self.resolved,
            pkt,
            incomplete: false,
            tags_set: &self.tags_set,
            interfaces: self.interfaces,
            node: self.node,
            tables: &self.tables,
            block_policy: self.block_policy,
            index: (mode == Mode::Indexed).then_some(&self.index),
            record,
            cands: Vec::new(),
            cursor: 0,
            open_quick: 0,
            skip_names: &self.skip_names,
            why: RefCell::new(None),
            undecided: Vec::new(),
            carp_parent_unknown,
            anchor_path: String::new(),
        };
        e.run()
    }
}

/// Through the index, or every statement in order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Indexed,
    #[cfg_attr(not(test), allow(dead_code))]
    Linear,
}

mod index;
use index::Index;
mod matching;
mod walk;
pub use crate::packet::{
    carp_packet, parse_packet, pfsync_packet, AddrSet, Packet, PacketError, PacketErrorKind,
};

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

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
    crate::ast::walk_rules(&resolved.ruleset, &mut |r| {
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
