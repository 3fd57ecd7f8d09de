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

/// Most possibilities followed at once before the outcome is called
/// incomplete.
const MAX_STATES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    last: Option<(Verdict, Span, Option<BlockKind>)>,
    quick: bool,
    matches: Vec<Span>,
    /// Tags set by the rules that matched.
    tags: Vec<String>,
    /// The translation of the last matching rule that has one.
    translation: Option<String>,
    /// State handling of the deciding pass rule.
    state: Option<StateKind>,
    /// Route option of the deciding pass rule.
    route: Option<String>,
    /// The deciding rule has `log`.
    last_log: bool,
    /// A match rule with `log` matched (pf logs the packet there).
    match_logged: bool,
    /// A rule of this evaluation set the tag (the packet's own tag, if
    /// any, is replaced: a packet has one tag at a time).
    tagged_here: bool,
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
    /// The top-level statements that may match (from the index), in order.
    top: Option<Vec<usize>>,
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
    index: index::Index,
    skip_names: Vec<String>,
}

impl<'a> Evaluator<'a> {
    /// Prepares a resolved ruleset for evaluation.
    pub fn new(resolved: &'a Resolved, interfaces: Option<&'a crate::expand::Interfaces>) -> Self {
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
        Evaluator {
            resolved,
            interfaces,
            node: None,
            tags_set,
            tables: known_tables(resolved),
            block_policy,
            index: index::Index::build(&resolved.ruleset),
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
                let mut o = self.evaluate_indexed(&on_parent, true, false);
                o.filtered_on = Some(parent);
                return o;
            }
            return self.evaluate_indexed(pkt, false, true);
        }
        self.evaluate_indexed(pkt, true, false)
    }

    fn evaluate_indexed(&self, pkt: &Packet, indexed: bool, carp_parent_unknown: bool) -> Outcome {
        let resolved = self.resolved;
        let mut e = Eval {
            resolved,
            pkt,
            incomplete: false,
            tags_set: &self.tags_set,
            interfaces: self.interfaces,
            node: self.node,
            tables: &self.tables,
            block_policy: self.block_policy,
            top: if indexed {
                self.index.candidates(pkt, &self.tables)
            } else {
                None
            },
            skip_names: &self.skip_names,
            why: RefCell::new(None),
            undecided: Vec::new(),
            carp_parent_unknown,
            anchor_path: String::new(),
        };
        e.run()
    }
}

/// What a rule's address is compared with: a known address, a set of
/// addresses, or nothing known.
#[derive(Clone, Copy)]
enum Want<'p> {
    Addr(IpAddr),
    Set(&'p AddrSet),
    Unknown,
}

impl<'p> Want<'p> {
    fn of(addr: Option<IpAddr>, set: Option<&'p AddrSet>) -> Want<'p> {
        match (addr, set) {
            (Some(a), _) => Want::Addr(a),
            (None, Some(s)) => Want::Set(s),
            _ => Want::Unknown,
        }
    }
}

/// Whether a prefix holds every, none or some of a set's addresses.
fn net_vs_set(n: &IpNet, s: &AddrSet) -> Tri {
    if n.contains(&s.net) {
        Tri::Yes
    } else if !s.net.contains(n) {
        // Two prefixes either nest or are disjoint.
        Tri::No
    } else if n.prefix_len() == n.max_prefix_len() && s.except.contains(&n.addr()) {
        Tri::No
    } else {
        Tri::Maybe
    }
}

impl<'a> Eval<'a> {
    /// Records why the match being computed is undecided (first reason
    /// wins) and answers Maybe.
    fn maybe(&self, why: impl FnOnce() -> String) -> Tri {
        let mut w = self.why.borrow_mut();
        if w.is_none() {
            *w = Some(why());
        }
        Tri::Maybe
    }

    fn run(&mut self) -> Outcome {
        let resolved = self.resolved;
        let e = self;
        // set skip on
        let mut skip = Tri::No;
        for n in e.skip_names {
            skip = skip.or(e.interface_name(n));
        }
        if skip == Tri::Maybe {
            let why = e.why.borrow_mut().take();
            e.undecided.push((
                None,
                format!(
                    "whether the interface is skipped: {}",
                    why.unwrap_or_default()
                ),
            ));
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
                route: None,
                log: false,
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
                route: None,
                last_log: false,
                match_logged: false,
                tagged_here: false,
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
                        route: s.route,
                        log: s.last_log || s.match_logged,
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
                        route: None,
                        log: s.match_logged,
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
        let mut undecided: Vec<(Option<Span>, String)> = Vec::new();
        for u in std::mem::take(&mut e.undecided) {
            if !undecided.contains(&u) {
                undecided.push(u);
            }
        }
        Outcome {
            decisions: uniq,
            incomplete: e.incomplete,
            undecided,
            filtered_on: None,
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

    /// A rule's match, with the reason recorded when it is undecided.
    fn judge(&mut self, r: &FilterRule, span: Span) -> Tri {
        *self.why.borrow_mut() = None;
        let m = self.rule_matches(r);
        let why = self.why.borrow_mut().take();
        if m == Tri::Maybe {
            self.undecided.push((
                Some(span),
                why.unwrap_or_else(|| "the packet leaves it open".into()),
            ));
        }
        m
    }

    fn statements(&mut self, stmts: Vec<&'a Statement>, mut states: Vec<State>) -> Vec<State> {
        for s in stmts {
            if states.iter().all(|x| x.quick) {
                break;
            }
            match &s.kind {
                StatementKind::Rule(r) => {
                    let m = self.judge(r, s.span);
                    states = self.apply(states, m, r, s.span);
                }
                StatementKind::Antispoof(a) => {
                    for r in self.antispoof_rules(a) {
                        let m = self.judge(&r, s.span);
                        states = self.apply(states, m, &r, s.span);
                    }
                }
                StatementKind::Anchor(a) => {
                    let m = self.judge(&a.filter, s.span);
                    if m == Tri::No {
                        continue;
                    }
                    let path = match (&a.name, self.anchor_path.is_empty()) {
                        (Some(n), true) => n.node.text().to_string(),
                        (Some(n), false) => format!("{}/{}", self.anchor_path, n.node.text()),
                        (None, _) => self.anchor_path.clone(),
                    };
                    let body: Option<&'a Ruleset> = match &a.body {
                        Some(b) => Some(b),
                        None => self.resolved.loaded(&path),
                    };
                    let Some(body) = body else {
                        // Rules loaded at run time (or from a file not read):
                        // anything may happen here.
                        self.incomplete = true;
                        self.undecided.push((
                            Some(s.span),
                            "this anchor's rules are loaded at run time (or from a file not read)"
                                .into(),
                        ));
                        continue;
                    };
                    let (active, done): (Vec<State>, Vec<State>) =
                        states.into_iter().partition(|x| !x.quick);
                    let outer = std::mem::replace(&mut self.anchor_path, path);
                    let mut inside = self.ruleset(body, active.clone());
                    self.anchor_path = outer;
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

    /// The rules pfctl makes of `antispoof [log] [quick] for IF [af]`
    /// (parse.y, `antispoof:`): `block drop in on ! IF from IF:network`,
    /// and for a non-loopback interface `block drop in from IF's
    /// addresses` on any interface. Each is one filter rule here, with the
    /// interface's addresses as a dynamic `:network` / plain host.
    fn antispoof_rules(&self, a: &Antispoof) -> Vec<FilterRule> {
        let mut out = Vec::new();
        for i in &a.interfaces {
            let IfTarget::Name(n) = &i.node.target else {
                continue;
            };
            let name = n.node.text();
            let base = |not_on: bool| {
                let mut r = FilterRule::new(Spanned::new(
                    Action::Block {
                        policy: Some(Box::new(BlockSpec::Drop)),
                    },
                    n.span,
                ));
                r.direction = Some(Direction::In);
                r.quick = a.quick;
                r.af = a.af.map(|f| Spanned::new(f, n.span));
                if not_on {
                    r.interfaces = vec![Spanned::new(
                        IfItem {
                            not: true,
                            target: IfTarget::Name(n.clone()),
                        },
                        n.span,
                    )];
                }
                r
            };
            let host = |mods: &str| {
                let word = if mods.is_empty() {
                    name.to_string()
                } else {
                    format!("{name}:{mods}")
                };
                Spanned::new(
                    Host {
                        not: false,
                        kind: HostKind::Dynamic {
                            ifname: Spanned::new(Value::Word(word), n.span),
                            mask: None,
                        },
                    },
                    n.span,
                )
            };
            let mut on_others = base(true);
            on_others.hosts.from = Some(Box::new(Endpoint {
                any: false,
                hosts: vec![host("network")],
                ports: Vec::new(),
                ports_span: None,
                span: n.span,
            }));
            out.push(on_others);
            // pfctl leaves the second rule out only for an IFF_LOOPBACK
            // interface (parse.y 1.719 antispoof).
            if !crate::node::is_loopback_interface(name) {
                let mut own = base(false);
                own.hosts.from = Some(Box::new(Endpoint {
                    any: false,
                    hosts: vec![host("")],
                    ports: Vec::new(),
                    ports_span: None,
                    span: n.span,
                }));
                out.push(own);
            }
        }
        out
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
            self.undecided.push((
                None,
                format!("more than {MAX_STATES} possibilities were followed"),
            ));
            uniq.truncate(MAX_STATES);
        }
        uniq
    }

    /// `tagged` against one possibility: tags are set in rule order, so a
    /// tag only some later rule sets is not there yet. An inbound packet
    /// arrives untagged; an outbound one may carry the tag its inbound
    /// state set, unless a rule of this pass replaced it.
    fn tagged(&self, s: &State, not: bool, tag: &str) -> Tri {
        let t = if s.tags.iter().any(|x| x == tag) {
            Tri::Yes
        } else if !s.tagged_here
            && self.pkt.tags.is_empty()
            && self.pkt.direction != Some(Direction::In)
            && self.tags_set.iter().any(|x| x == tag)
        {
            Tri::Maybe
        } else {
            Tri::No
        };
        t.not(not)
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
                    None => self.block_policy.into(),
                    Some(spec) => spec.kind(),
                }),
            )),
            Action::Match => None,
        };
        let tag_tests: Vec<(bool, String)> = r
            .options
            .iter()
            .filter_map(|o| match &o.node {
                FilterOpt::Tagged { not, value } => Some((
                    *not,
                    value
                        .iter()
                        .map(|v| v.node.text())
                        .collect::<Vec<_>>()
                        .join(" "),
                )),
                _ => None,
            })
            .collect();
        let mut out = Vec::with_capacity(states.len() * 2);
        for s in states {
            if s.quick {
                out.push(s);
                continue;
            }
            let mut sm = m;
            for (not, tag) in &tag_tests {
                sm = sm.and(self.tagged(&s, *not, tag));
            }
            if sm == Tri::No {
                out.push(s);
                continue;
            }
            if sm == Tri::Maybe && m == Tri::Yes {
                self.undecided.push((
                    Some(span),
                    "whether the packet carries the tag from its inbound state".into(),
                ));
            }
            let mut hit = s.clone();
            hit.matches.push(span);
            for o in &r.options {
                match &o.node {
                    FilterOpt::Tag { value } => {
                        // A packet has one tag at a time: a new one
                        // replaces it.
                        let t = value
                            .iter()
                            .map(|v| v.node.text())
                            .collect::<Vec<_>>()
                            .join(" ");
                        hit.tags = vec![t];
                        hit.tagged_here = true;
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
            if verdict.is_none() && r.log.is_some() {
                hit.match_logged = true;
            }
            if let Some((v, how)) = verdict {
                hit.last = Some((v, span, how));
                hit.last_log = r.log.is_some();
                hit.quick = r.quick;
                hit.route = (v == Verdict::Pass)
                    .then(|| {
                        r.options.iter().find_map(|o| match &o.node {
                            FilterOpt::Route { .. } => Some(crate::fmt::filter_opt(&o.node)),
                            _ => None,
                        })
                    })
                    .flatten();
                hit.state = (v == Verdict::Pass).then(|| {
                    r.options
                        .iter()
                        .find_map(|o| match &o.node {
                            FilterOpt::State { kind, .. } => Some(*kind),
                            _ => None,
                        })
                        .unwrap_or(StateKind::Keep)
                });
            }
            out.push(hit);
            if sm == Tri::Maybe {
                out.push(s);
            }
        }
        self.bound(out)
    }

    /// Interface name or group against the packet's interface.
    fn interface_name(&self, name: &str) -> Tri {
        let Some(pi) = &self.pkt.interface else {
            return self.maybe(|| "the packet's interface is not given".into());
        };
        if self.carp_parent_unknown {
            // pf filters it with the parent's kif: the CARP interface's
            // own name and the `carp` group never match; `any` does.
            if name == "any" {
                return Tri::Yes;
            }
            if name == pi || name == "carp" {
                return Tri::No;
            }
            return self.maybe(|| {
                format!(
                    "pf filters {pi}'s packets as on its carpdev, which is not known (give --node)"
                )
            });
        }
        if name == pi || name == "any" {
            return Tri::Yes;
        }
        if let Some(node) = self.node {
            return match node.in_group(pi, name) {
                Known::Yes => Tri::Yes,
                Known::No => Tri::No,
                Known::Unknown(why) => self.maybe(|| why),
            };
        }
        let driver = crate::node::driver(pi);
        if !name.ends_with(|c: char| c.is_ascii_digit()) {
            // A group: the driver group (`em` holds em0) is known; other
            // groups (`egress`, user groups) are not without a node.
            if name == driver {
                return Tri::Yes;
            }
            // A driver's own group holds only that driver's interfaces.
            if crate::node::is_driver_group(name) {
                return Tri::No;
            }
            return self
                .maybe(|| format!("the members of group `{name}` are not known (give --node)"));
        }
        Tri::No
    }

    fn rule_matches(&self, r: &FilterRule) -> Tri {
        let p = self.pkt;
        let mut m = Tri::Yes;
        if let Some(d) = r.direction {
            m = m.and(match p.direction {
                Some(pd) => Tri::from(pd == d),
                None => self.maybe(|| "the packet's direction is not given".into()),
            });
        }
        if !r.interfaces.is_empty() {
            let mut any = Tri::No;
            for i in &r.interfaces {
                let t = match &i.node.target {
                    // pfi_kif_match (pf_if.c 1.112): `any` is every
                    // interface but loopback ones.
                    IfTarget::Any => match &p.interface {
                        Some(pi) => Tri::from(crate::node::driver(pi) != "lo"),
                        None => self.maybe(|| "the packet's interface is not given".into()),
                    },
                    IfTarget::Rdomain(_) => {
                        self.maybe(|| "the interface's rdomain is not known".into())
                    }
                    IfTarget::Name(n) => self.interface_name(n.node.text()),
                };
                any = any.or(t.not(i.node.not));
            }
            m = m.and(any);
        }
        if m == Tri::No {
            return m;
        }
        if let Some(af) = &r.af {
            m = m.and(match p.af {
                Some(pa) => Tri::from(pa == af.node),
                None => self.maybe(|| "the packet's address family is not given".into()),
            });
        }
        if !r.protos.is_empty() {
            let mut any = Tri::No;
            for x in &r.protos {
                let n = x.node.text().parse::<Protocol>().ok();
                any = any.or(match (n, p.proto) {
                    (Some(a), Some(b)) => Tri::from(a == b),
                    _ => self.maybe(|| "the packet's protocol is not given".into()),
                });
            }
            m = m.and(any);
        }
        if m == Tri::No {
            return m;
        }
        if let Some(f) = &r.hosts.from {
            m = m.and(self.endpoint(f, Want::of(p.src, p.src_set.as_ref()), p.src_port, "source"));
        }
        if let Some(t) = &r.hosts.to {
            m = m.and(self.endpoint(t, Want::of(p.dst, None), p.dst_port, "destination"));
        }
        if m == Tri::No {
            return m;
        }
        if !r.hosts.os.is_empty() {
            m = m.and(self.maybe(|| "the sender's operating system (os) is not known".into()));
        }
        for o in &r.options {
            m = m.and(self.option_matches(&o.node));
        }
        m
    }

    /// Whether option `o` lets the packet match: surely when it does not
    /// narrow what the rule matches ([`FilterOpt::narrows`]), a *maybe*
    /// with the reason when it tests what the packet description does not
    /// fix.
    fn option_matches(&self, o: &FilterOpt) -> Tri {
        if !o.narrows() {
            return Tri::Yes;
        }
        let p = self.pkt;
        match o {
            FilterOpt::User { .. } | FilterOpt::Group { .. } => {
                self.maybe(|| "the socket's user or group is not known".into())
            }
            FilterOpt::Probability { .. } => {
                self.maybe(|| "the rule matches by probability".into())
            }
            FilterOpt::ReceivedOn { .. } => {
                self.maybe(|| "the interface the packet was received on is not known".into())
            }
            FilterOpt::Prio { .. } | FilterOpt::Tos { .. } => {
                self.maybe(|| "the packet's priority or TOS is not known".into())
            }
            // Flags are tested on TCP packets only.
            FilterOpt::Flags { .. } if p.proto == Some(Protocol::TCP) => {
                self.maybe(|| "the packet's TCP flags are not given".into())
            }
            FilterOpt::Flags { .. } => Tri::Yes,
            FilterOpt::IcmpType { .. }
                if matches!(p.proto, Some(Protocol::ICMP | Protocol::ICMP6)) =>
            {
                self.maybe(|| "the packet's ICMP type is not given".into())
            }
            FilterOpt::IcmpType { .. } => Tri::Yes,
            FilterOpt::Fragment => {
                self.maybe(|| "whether the packet is a fragment is not given".into())
            }
            FilterOpt::Once => {
                self.maybe(|| "a `once` rule stops matching after its first match".into())
            }
            FilterOpt::MaxPktRate { .. } => {
                self.maybe(|| "the rule's packet rate (max-pkt-rate) is not known".into())
            }
            FilterOpt::Limiter { .. } => {
                self.maybe(|| "whether the limiter has room is not known".into())
            }
            // Judged per possibility, in rule order (see `tagged`).
            FilterOpt::Tagged { .. } => Tri::Yes,
            // Actions: `narrows` is false for them.
            FilterOpt::State { .. }
            | FilterOpt::AllowOpts
            | FilterOpt::Label { .. }
            | FilterOpt::Queue { .. }
            | FilterOpt::Tag { .. }
            | FilterOpt::Rtable { .. }
            | FilterOpt::DivertTo { .. }
            | FilterOpt::DivertReply
            | FilterOpt::DivertPacket { .. }
            | FilterOpt::Scrub { .. }
            | FilterOpt::NatTo(_)
            | FilterOpt::BinatTo(_)
            | FilterOpt::RdrTo(_)
            | FilterOpt::AfTo { .. }
            | FilterOpt::Route { .. }
            | FilterOpt::SetPrio { .. }
            | FilterOpt::SetTos { .. }
            | FilterOpt::SetDelay { .. } => Tri::Yes,
        }
    }

    fn endpoint(&self, e: &Endpoint, addr: Want, port: Option<Port>, side: &str) -> Tri {
        let mut m = Tri::Yes;
        if !e.any && !e.hosts.is_empty() {
            let mut any = Tri::No;
            for h in &e.hosts {
                any = any.or(self.host(&h.node, addr, side));
            }
            m = m.and(any);
        }
        if !e.ports.is_empty() {
            let mut any = Tri::No;
            for p in &e.ports {
                any = any.or(match port {
                    Some(_) => port_match(&p.node, port),
                    None => self.maybe(|| format!("the packet's {side} port is not given")),
                });
            }
            m = m.and(any);
        }
        m
    }

    /// A literal prefix against what is wanted.
    fn net_match(&self, n: IpNet, want: Want, side: &str) -> Tri {
        match want {
            Want::Addr(a) => Tri::from(n.contains(&a)),
            Want::Set(s) => match net_vs_set(&n, s) {
                Tri::Maybe => self.maybe(|| format!("the peer's {side} address within {} is not known, and {n} covers only part of it", s.net)),
                t => t,
            },
            Want::Unknown => self.maybe(|| format!("the packet's {side} address is not given")),
        }
    }

    fn host(&self, h: &Host, want: Want, side: &str) -> Tri {
        let t = match &h.kind {
            HostKind::Any => Tri::Yes,
            HostKind::List(v) => v
                .iter()
                .fold(Tri::No, |acc, x| acc.or(self.host(&x.node, want, side))),
            HostKind::Address { addr: w, mask } => {
                match parse_addr_word(w.node.text(), mask.is_some()) {
                    Ok(AddrWord::Name { name, modifiers }) => {
                        self.interface_addr(&name, &modifiers, want, side)
                    }
                    Ok(_) => match crate::values::addr_net(
                        w.node.text(),
                        mask.as_ref().map(|m| m.node.text()),
                    ) {
                        Some(n) => match (n, want) {
                            (IpNet::V4(_), Want::Addr(IpAddr::V6(_)))
                            | (IpNet::V6(_), Want::Addr(IpAddr::V4(_))) => Tri::No,
                            _ => self.net_match(n, want, side),
                        },
                        None => self
                            .maybe(|| format!("the rule's {side} address is not a plain prefix")),
                    },
                    Err(_) => self.maybe(|| format!("the rule's {side} address is not understood")),
                }
            }
            HostKind::Dynamic { ifname, .. } => {
                let mut parts = ifname.node.text().split(':');
                let name = parts.next().unwrap_or("").to_string();
                let mods: Vec<String> = parts.map(str::to_string).collect();
                self.interface_addr(&name, &mods, want, side)
            }
            HostKind::Table { name } => self.table(name.node.text(), want, side),
            HostKind::Range { from, to } => match (
                parse_addr_word(from.node.text(), false),
                parse_addr_word(to.node.text(), false),
                want,
            ) {
                (Ok(AddrWord::V4(a)), Ok(AddrWord::V4(b)), Want::Addr(IpAddr::V4(p))) => {
                    Tri::from(a <= p && p <= b)
                }
                (Ok(AddrWord::V6(a)), Ok(AddrWord::V6(b)), Want::Addr(IpAddr::V6(p))) => {
                    Tri::from(a <= p && p <= b)
                }
                _ => self.maybe(|| {
                    format!("the {side} address range is not judged against this packet")
                }),
            },
            _ => self.maybe(|| format!("the rule's {side} address is resolved at run time")),
        };
        t.not(h.not)
    }

    fn table(&self, name: &str, want: Want, side: &str) -> Tri {
        let Some((entries, may_grow)) = self.tables.get(name) else {
            return self
                .maybe(|| format!("table <{name}> is filled at run time or from a file not read"));
        };
        let grows = || {
            self.maybe(|| format!("table <{name}> may gain entries at run time (it is not const)"))
        };
        match want {
            Want::Addr(a) => {
                // The longest matching prefix decides; `!` entries exclude.
                let best = entries
                    .iter()
                    .filter(|(_, n)| n.contains(&a))
                    .max_by_key(|(_, n)| n.prefix_len());
                match best {
                    Some((false, _)) => Tri::Yes,
                    _ if *may_grow => grows(),
                    _ => Tri::No,
                }
            }
            Want::Set(s) => {
                let base = entries
                    .iter()
                    .filter(|(_, n)| n.contains(&s.net))
                    .max_by_key(|(_, n)| n.prefix_len())
                    .is_some_and(|(neg, _)| !neg);
                let inner_differs = entries
                    .iter()
                    .filter(|(_, n)| s.net.contains(n) && *n != s.net)
                    .any(|(neg, n)| *neg == base && net_vs_set(n, s) != Tri::No);
                if inner_differs {
                    self.maybe(|| format!("table <{name}> holds part of {}, and the peer's {side} address there is not known", s.net))
                } else if base {
                    Tri::Yes
                } else if *may_grow {
                    grows()
                } else {
                    Tri::No
                }
            }
            Want::Unknown => self.maybe(|| format!("the packet's {side} address is not given")),
        }
    }
}

impl Eval<'_> {
    /// An interface name (or group, or `self`) as an address: its
    /// addresses, or with `:network` its networks. With a node, its
    /// addresses come from the node model (unknown where set at run
    /// time); else from `--interfaces`. `:broadcast` and `:peer` are not
    /// modelled.
    fn interface_addr(&self, name: &str, modifiers: &[String], want: Want, side: &str) -> Tri {
        if modifiers.iter().any(|m| m == "broadcast" || m == "peer") {
            return self.maybe(|| format!("{name}:{} is not modelled", modifiers.join(":")));
        }
        let network = modifiers.iter().any(|m| m == "network");
        let first_only = modifiers.iter().any(|m| m == "0");
        // A dotted name is no interface: pfctl resolved it through DNS
        // when it loaded the ruleset.
        if name.contains('.') && self.node.is_none_or(|n| n.interface(name).is_none()) {
            return self.maybe(|| {
                format!("{name} is a host name: pf holds the addresses DNS gave for it when the ruleset was loaded")
            });
        }
        let (nets, open): (Vec<(IpAddr, u8)>, bool) = if let Some(node) = self.node {
            let (addrs, open) = node.addresses(name);
            let mut v: Vec<(IpAddr, u8)> = Vec::new();
            for a in addrs {
                if first_only && v.iter().any(|(x, _)| x.is_ipv4() == a.addr.is_ipv4()) {
                    continue;
                }
                v.push((a.addr, a.prefix));
            }
            if name == "self" {
                // Loopback addresses are the node's too.
                v.push((
                    "127.0.0.1"
                        .parse()
                        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
                    8,
                ));
                v.push((IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), 128));
            }
            (v, open)
        } else if let Some(ifs) = self.interfaces {
            match ifs.lookup(name) {
                Some(addrs) => (
                    addrs.iter().map(|(_, x)| (x.addr, x.prefix)).collect(),
                    false,
                ),
                None => return self.maybe(|| format!("the addresses of {name} are not known")),
            }
        } else {
            return self.maybe(|| {
                format!("the addresses of {name} are not known (give --node or --interfaces)")
            });
        };
        let mut t = Tri::No;
        for (addr, prefix) in nets {
            let n = if network {
                IpNet::new(addr, prefix)
                    .map(|n| n.trunc())
                    .unwrap_or(IpNet::from(addr))
            } else {
                IpNet::from(addr)
            };
            let one = match want {
                Want::Addr(a) => Tri::from(n.contains(&a)),
                Want::Set(s) => net_vs_set(&n, s),
                Want::Unknown => Tri::Maybe,
            };
            t = t.or(one);
        }
        match t {
            Tri::Yes => Tri::Yes,
            Tri::No if !open => Tri::No,
            Tri::No => self.maybe(|| format!("some addresses of {name} are set at run time (dhcp, autoconf) or its members are not all known")),
            Tri::Maybe => match want {
                Want::Unknown => self.maybe(|| format!("the packet's {side} address is not given")),
                _ => self.maybe(|| format!("the peer's {side} address is not known, and {name} covers only part of its network")),
            },
        }
    }
}

fn port_match(p: &PortItem, port: Option<Port>) -> Tri {
    let Some(Port(port)) = port else {
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
            Tri::from(op.matches(port.into(), v.into(), 0))
        }),
        PortItem::Binary { low, op, high } => match (val(low), val(high)) {
            (Some(a), Some(b)) => Tri::from(op.matches(port.into(), a.into(), b.into())),
            _ => Tri::Maybe,
        },
    }
}

mod index;
pub use crate::packet::{
    carp_packet, parse_packet, pfsync_packet, AddrSet, Packet, PacketError, PacketErrorKind,
};

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
