//! The walk through the rules: possibilities (`State`), quick, anchors,
//! what a matching rule does to a possibility.

use super::matching::Tri;
use super::*;

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
}
