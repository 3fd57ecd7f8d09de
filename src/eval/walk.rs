//! The walk through the rules: possibilities (`State`), quick, anchors,
//! what a matching rule does to a possibility.

use super::matching::Tri;
use super::*;
use std::rc::Rc;

/// Most possibilities followed at once before the outcome is called
/// incomplete.
const MAX_STATES: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct State {
    last: Option<(Verdict, Span, Option<BlockKind>)>,
    quick: bool,
    matches: Matches,
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
    /// How many rules matched: without the list of matches, possibilities
    /// that matched different rules stay apart as they do with it (so an
    /// outcome is certain or not alike).
    nmatch: u32,
    /// Bit d: a rule matched inside the open `anchor quick` at depth d
    /// (counting those only); such an anchor ends the evaluation.
    hit_mask: u64,
}

impl<'a> Eval<'a> {
    pub(super) fn run(&mut self) -> Outcome {
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
            decisions.push((
                0,
                Decision {
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
                },
            ));
        }
        if skip != Tri::Yes {
            let start = vec![State {
                last: None,
                quick: false,
                matches: Matches::default(),
                tags: e.pkt.tags.clone(),
                translation: None,
                state: None,
                route: None,
                last_log: false,
                match_logged: false,
                tagged_here: false,
                nmatch: 0,
                hit_mask: 0,
            }];
            let end = match e.index {
                Some(ix) => {
                    e.cands = e.candidates(ix);
                    e.walk(ix, None, u32::MAX, start)
                }
                None => e.statements(resolved.ruleset.statements.iter().collect(), start),
            };
            for s in end {
                let n = s.nmatch;
                decisions.push((
                    n,
                    match s.last {
                        Some((v, span, block)) => Decision {
                            verdict: v,
                            rule: Some(span),
                            quick: s.quick,
                            matches: s.matches.into_vec(),
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
                            matches: s.matches.into_vec(),
                            block: None,
                            state: None,
                            tags: s.tags,
                            translation: s.translation,
                            route: None,
                            log: s.match_logged,
                        },
                    },
                ));
            }
        }
        // Without the list of matches, the number of matches keeps apart
        // what the list would.
        let mut uniq: Vec<(u32, Decision)> = Vec::new();
        for d in decisions {
            if !uniq.contains(&d) {
                uniq.push(d);
            }
        }
        // Each reason once, in the order met (a set, not a search of the
        // list: a packet undecided on 20,000 table rules has as many).
        let mut seen = std::collections::HashSet::new();
        let undecided: Vec<(Option<Span>, String)> = std::mem::take(&mut e.undecided)
            .into_iter()
            .filter(|u| seen.insert(u.clone()))
            .collect();
        Outcome {
            decisions: uniq.into_iter().map(|(_, d)| d).collect(),
            incomplete: e.incomplete,
            undecided,
            filtered_on: None,
        }
    }
}

/// The rules that matched, shared between possibilities: a possibility
/// forks on every rule that maybe matches, and comparing every pair's
/// whole list made a packet that maybe matches 1,900 rules take seconds
/// (found by the `structured` fuzz target). The list is shared by the
/// forks until one adds to it (copy on write: a lone possibility, the
/// common case, pushes in place), and carries a digest of its spans in
/// order: lists are told apart by length and digest, and read through
/// only when both agree.
#[derive(Debug, Clone, Default)]
struct Matches {
    list: Rc<Vec<Span>>,
    digest: u64,
}

impl Matches {
    fn push(&mut self, span: Span) {
        let x = (span.start() as u64) ^ ((span.end() as u64) << 32) ^ ((span.file.0 as u64) << 56);
        self.digest = (self.digest ^ x)
            .wrapping_mul(0x0000_0100_0000_01b3)
            .rotate_left(17);
        Rc::make_mut(&mut self.list).push(span);
    }

    /// Oldest first, as `Decision::matches` lists them (copied only when
    /// another possibility shares the list).
    fn into_vec(self) -> Vec<Span> {
        Rc::try_unwrap(self.list).unwrap_or_else(|shared| shared.to_vec())
    }
}

impl PartialEq for Matches {
    fn eq(&self, other: &Self) -> bool {
        self.list.len() == other.list.len()
            && self.digest == other.digest
            && (Rc::ptr_eq(&self.list, &other.list) || self.list == other.list)
    }
}

impl Eq for Matches {}

impl std::hash::Hash for Matches {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.list.len(), self.digest).hash(state);
    }
}

impl<'a> Eval<'a> {
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

    /// Every statement of a ruleset in order (anchors loaded from files,
    /// and packets evaluated without the index).
    fn statements(&mut self, stmts: Vec<&'a Statement>, mut states: Vec<State>) -> Vec<State> {
        for s in stmts {
            if states.iter().all(|x| x.quick) {
                break;
            }
            states = self.statement(s, states, None);
        }
        states
    }

    /// One statement. `inline` is the index and the anchor's node when
    /// an inline anchor's body is walked through the index.
    fn statement(
        &mut self,
        s: &'a Statement,
        mut states: Vec<State>,
        inline: Option<(&'a Index<'a>, u32)>,
    ) -> Vec<State> {
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
            StatementKind::Anchor(a) => states = self.anchor(a, s.span, states, inline),
            _ => {}
        }
        states
    }

    /// An anchor where it stands: its filter, then its rules for the
    /// possibilities it may hold, `anchor quick` ending those where a rule
    /// inside matched.
    fn anchor(
        &mut self,
        a: &'a AnchorRule,
        span: Span,
        mut states: Vec<State>,
        inline: Option<(&'a Index<'a>, u32)>,
    ) -> Vec<State> {
        let m = self.judge(&a.filter, span);
        if m == Tri::No {
            return states;
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
            // Rules loaded at run time (or from a file not read): anything
            // may happen here.
            self.incomplete = true;
            self.undecided.push((
                Some(span),
                "this anchor's rules are loaded at run time (or from a file not read)".into(),
            ));
            return states;
        };
        // The possibilities for which the filter did not match.
        let unmatched: Vec<State> = match m {
            Tri::Maybe => states.iter().filter(|x| !x.quick).cloned().collect(),
            _ => Vec::new(),
        };
        let bit = 1u64 << self.open_quick.min(63);
        if a.filter.quick {
            for s in &mut states {
                s.hit_mask &= !bit;
            }
            self.open_quick += 1;
        }
        let outer = std::mem::replace(&mut self.anchor_path, path);
        states = match inline {
            Some((ix, at)) if a.body.is_some() => {
                let end = ix.nodes.get(at as usize).map_or(at + 1, |n| n.end);
                self.walk(ix, Some(at), end, states)
            }
            _ => self.statements(body.statements.iter().collect(), states),
        };
        self.anchor_path = outer;
        if a.filter.quick {
            self.open_quick -= 1;
            for s in &mut states {
                // `anchor quick`: a match inside ends the evaluation.
                if s.hit_mask & bit != 0 && s.last.is_some() {
                    s.quick = true;
                }
                s.hit_mask &= !bit;
            }
        }
        states.extend(unmatched);
        self.bound(&mut states);
        states
    }

    /// The candidates (positions in `ix.nodes`, in order) for this
    /// packet: what the index gives, and of each run of plain rules only
    /// the last that matches when the list of matches is not wanted.
    fn candidates(&mut self, ix: &'a Index<'a>) -> Vec<u32> {
        let pkt = self.pkt;
        let mut given = index::given(pkt);
        // A CARP packet whose parent is unknown: interface names undecided.
        let interface = match self.carp_parent_unknown {
            true => {
                given &= !index::IFACE;
                None
            }
            false => pkt.interface.as_deref(),
        };
        let q = index::Query::new(pkt, interface, self.tables);
        let lists = ix.query(&q, given);
        let collapse = !self.record && given & ix.plain_need == ix.plain_need;
        let mut cands: Vec<u32> = lists.iter().flat_map(|l| l.other.iter().copied()).collect();
        if !collapse {
            cands.extend(lists.iter().flat_map(|l| l.plain.iter().copied()));
        }
        cands.sort_unstable();
        cands.dedup();
        if collapse {
            let kept = self.last_plain(ix, &lists, &cands);
            if !kept.is_empty() {
                cands.extend(kept);
                cands.sort_unstable();
                cands.dedup();
            }
        }
        cands
    }

    /// Between two consecutive non-plain candidates (`bounds`), the last
    /// plain rule that matches: the ones before it only decide what it
    /// decides again, those after it do not match.
    fn last_plain(
        &mut self,
        ix: &'a Index<'a>,
        lists: &[&index::Lists],
        bounds: &[u32],
    ) -> Vec<u32> {
        // The plain rules of every list, in one ordered list: a packet
        // whose source may be in each of 8,000 tables gets 8,000 lists,
        // and searching each of them between every two bounds was
        // quadratic.
        let mut plain: Vec<u32> = lists.iter().flat_map(|l| l.plain.iter().copied()).collect();
        plain.sort_unstable();
        plain.dedup();
        let mut kept = Vec::new();
        let mut from = 0;
        for end in bounds.iter().copied().chain([u32::MAX]) {
            let run = plain.get(from..).unwrap_or_default();
            let to = from + run.partition_point(|&x| x < end);
            let run = plain.get(from..to).unwrap_or_default();
            // From the last of the run back: the first that surely or
            // maybe matches.
            for &pos in run.iter().rev() {
                match self.surely(ix, pos) {
                    Tri::No => continue,
                    Tri::Yes => kept.push(pos),
                    // Not plain after all: every one is walked.
                    Tri::Maybe => kept.extend(run),
                }
                break;
            }
            from = to;
        }
        kept
    }

    /// Whether the rule at `pos` and every anchor around it match, with
    /// nothing recorded.
    fn surely(&self, ix: &'a Index<'a>, pos: u32) -> Tri {
        let mut at = Some(pos);
        let mut m = Tri::Yes;
        while let Some(n) = at.and_then(|p| ix.nodes.get(p as usize)) {
            let r = match &n.stmt.kind {
                StatementKind::Rule(r) => r,
                StatementKind::Anchor(a) => &a.filter,
                _ => return Tri::Maybe,
            };
            m = m.and(self.rule_matches(r));
            if m == Tri::No {
                break;
            }
            at = n.parent;
        }
        *self.why.borrow_mut() = None;
        m
    }

    /// The candidates inside `parent`'s body (the top when None), up to
    /// `end`, in order.
    fn walk(
        &mut self,
        ix: &'a Index<'a>,
        parent: Option<u32>,
        end: u32,
        mut states: Vec<State>,
    ) -> Vec<State> {
        while let Some(&c) = self.cands.get(self.cursor) {
            if c >= end || states.iter().all(|x| x.quick) {
                break;
            }
            // The statement of this level that holds the candidate.
            let mut at = c;
            while let Some(n) = ix.nodes.get(at as usize) {
                match n.parent {
                    p if p == parent => break,
                    Some(p) => at = p,
                    None => break,
                }
            }
            let Some(node) = ix.nodes.get(at as usize) else {
                break;
            };
            if at == c {
                self.cursor += 1;
            }
            states = self.statement(node.stmt, states, Some((ix, at)));
            // What an anchor left (its filter did not match, or it ended).
            while self.cands.get(self.cursor).is_some_and(|&x| x < node.end) {
                self.cursor += 1;
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
                            ifname: Spanned::new(Value::Word(word.into()), n.span),
                            mask: None,
                        },
                    },
                    n.span,
                )
            };
            let from = |mods: &str| {
                Some(Box::new(Endpoint {
                    any: false,
                    hosts: vec![host(mods)],
                    ports: Vec::new(),
                    ports_span: None,
                    span: n.span,
                }))
            };
            let mut on_others = base(true);
            on_others.hosts.from = from("network");
            out.push(on_others);
            // pfctl leaves the second rule out only for an IFF_LOOPBACK
            // interface (parse.y 1.719 antispoof).
            if !crate::node::is_loopback_interface(name) {
                let mut own = base(false);
                own.hosts.from = from("");
                out.push(own);
            }
        }
        out
    }

    /// Drops repeated possibilities (the first of each stays), and calls
    /// the outcome incomplete beyond [`MAX_STATES`].
    fn bound(&mut self, states: &mut Vec<State>) {
        // A few possibilities are compared pairwise (their lists by
        // length and digest first); more, by hash (the list of matches
        // hashes by its length and digest): comparing every pair was
        // quadratic in the possibilities.
        if (2..=8).contains(&states.len()) {
            let mut i = 1;
            while i < states.len() {
                if states[..i].contains(&states[i]) {
                    states.remove(i);
                } else {
                    i += 1;
                }
            }
        } else if states.len() > 8 {
            use std::hash::{BuildHasher, RandomState};
            let hasher = RandomState::new();
            let mut seen: std::collections::HashMap<u64, Vec<usize>> =
                std::collections::HashMap::with_capacity(states.len());
            let mut keep = vec![true; states.len()];
            for (i, s) in states.iter().enumerate() {
                let same = seen.entry(hasher.hash_one(s)).or_default();
                if same.iter().any(|&j| states[j] == *s) {
                    keep[i] = false;
                } else {
                    same.push(i);
                }
            }
            let mut keep = keep.into_iter();
            states.retain(|_| keep.next().unwrap_or(true));
        }
        if states.len() > MAX_STATES {
            self.incomplete = true;
            self.undecided.push((
                None,
                format!("more than {MAX_STATES} possibilities were followed"),
            ));
            states.truncate(MAX_STATES);
        }
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

    /// A rule's match applied to every possibility still open: a sure
    /// match changes it in place, a *maybe* adds the possibility where
    /// the rule matched before the one where it did not.
    fn apply(&mut self, mut states: Vec<State>, m: Tri, r: &FilterRule, span: Span) -> Vec<State> {
        if m == Tri::No {
            return states;
        }
        let tag_tests: Vec<(bool, String)> = r
            .options
            .iter()
            .filter_map(|o| match &o.node {
                FilterOpt::Tagged { not, value } => Some((*not, words(value))),
                _ => None,
            })
            .collect();
        let mut i = 0;
        while let Some(s) = states.get(i) {
            if s.quick {
                i += 1;
                continue;
            }
            let mut sm = m;
            for (not, tag) in &tag_tests {
                sm = sm.and(self.tagged(s, *not, tag));
            }
            if sm == Tri::No {
                i += 1;
                continue;
            }
            if sm == Tri::Maybe && m == Tri::Yes {
                self.undecided.push((
                    Some(span),
                    "whether the packet carries the tag from its inbound state".into(),
                ));
            }
            let missed = (sm == Tri::Maybe).then(|| s.clone());
            if let Some(s) = states.get_mut(i) {
                self.hit(s, r, span);
            }
            i += 1;
            if let Some(missed) = missed {
                states.insert(i, missed);
                i += 1;
            }
        }
        self.bound(&mut states);
        states
    }

    /// What a matching rule does to one possibility.
    fn hit(&self, hit: &mut State, r: &FilterRule, span: Span) {
        if self.record {
            hit.matches.push(span);
        }
        hit.nmatch = hit.nmatch.saturating_add(1);
        hit.hit_mask |= match self.open_quick {
            0 => 0,
            d @ 1..=63 => (1u64 << d) - 1,
            _ => u64::MAX,
        };
        for o in &r.options {
            match &o.node {
                FilterOpt::Tag { value } => {
                    // A packet has one tag at a time: a new one replaces it.
                    hit.tags = vec![words(value)];
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
        let verdict = match &r.action.node {
            Action::Pass => Verdict::Pass,
            Action::Block { policy } => {
                let how = match policy.as_deref() {
                    None => self.block_policy.into(),
                    Some(spec) => spec.kind(),
                };
                hit.last = Some((Verdict::Block, span, Some(how)));
                Verdict::Block
            }
            Action::Match => {
                if r.log.is_some() {
                    hit.match_logged = true;
                }
                return;
            }
        };
        if verdict == Verdict::Pass {
            hit.last = Some((Verdict::Pass, span, None));
        }
        hit.last_log = r.log.is_some();
        hit.quick = r.quick;
        hit.route = (verdict == Verdict::Pass)
            .then(|| {
                r.options.iter().find_map(|o| match &o.node {
                    FilterOpt::Route { .. } => Some(crate::fmt::filter_opt(&o.node)),
                    _ => None,
                })
            })
            .flatten();
        hit.state = (verdict == Verdict::Pass).then(|| {
            r.options
                .iter()
                .find_map(|o| match &o.node {
                    FilterOpt::State { kind, .. } => Some(*kind),
                    _ => None,
                })
                .unwrap_or(StateKind::Keep)
        });
    }
}

/// A tag as written (its words joined by spaces).
fn words(v: &[SValue]) -> String {
    match v {
        [one] => one.node.text().to_string(),
        _ => v
            .iter()
            .map(|x| x.node.text())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::FileId;

    fn span(i: usize) -> Span {
        Span::new(FileId(0), i, i + 1)
    }

    /// Forks share their list until one adds to it, and compare by
    /// content, in order.
    #[test]
    fn lists_of_matches_are_shared_and_compared_in_order() {
        let mut a = Matches::default();
        for i in 0..1_000_000 {
            a.push(span(i));
        }
        let fork = a.clone();
        assert_eq!(a, fork);
        a.push(span(7));
        assert_ne!(a, fork);
        let mut b = Matches::default();
        let mut c = Matches::default();
        for i in [1, 2, 3] {
            b.push(span(i));
        }
        for i in [1, 3, 2] {
            c.push(span(i));
        }
        assert_ne!(b, c, "order counts");
        assert_eq!(b.into_vec(), [span(1), span(2), span(3)]);
        // The fork kept its list when `a` added to its own.
        assert!(!Rc::ptr_eq(&a.list, &fork.list));
        assert_eq!(fork.into_vec().len(), 1_000_000);
        assert_eq!(a.into_vec().len(), 1_000_001);
    }
}
