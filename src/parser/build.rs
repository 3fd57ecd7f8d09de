//! Building the typed AST from pest's pairs: the reference parser.
//!
//! `Builder` walks the pairs of one `statement` of `grammar/pf.pest` and
//! makes the [`crate::ast`] nodes, every span through the statement's
//! [`PosMap`]. It never fails: pest has accepted the text, so every pair
//! is one the grammar allows, and an unexpected shape is skipped rather
//! than unwrapped. The fast path (`parser/fast.rs`) must return exactly
//! what this builds, spans included.
//!
//! This file holds the statements other than filter rules (macros, `set`
//! options, tables, anchors, antispoof, queues, limiters) and the value
//! words; `build/rules.rs` the filter rules and their options,
//! `build/hosts.rs` `from`/`to`, hosts and ports.

use super::grammar::Rule;
use super::{empty_antispoof, unquote, PosMap};
use crate::ast::*;
use crate::span::Span;
use pest::iterators::Pair;

mod hosts;
mod rules;

/// Makes AST nodes from pest's pairs, every span through `map`.
pub(super) struct Builder<'m> {
    pub(super) map: &'m PosMap,
}

type P<'i> = Pair<'i, Rule>;

fn inner<'i>(p: P<'i>) -> Vec<P<'i>> {
    p.into_inner().collect()
}

/// The first keyword of a production, past a leading `!`: the text of
/// its first token.
fn first_word<'i>(p: &P<'i>) -> &'i str {
    let mut p = p.clone();
    while let Some(c) = p.clone().into_inner().find(|x| x.as_rule() != Rule::not) {
        p = c;
    }
    p.as_str()
}

fn is_kw(p: &P, r: Rule) -> bool {
    p.as_rule() == r
}

impl<'m> Builder<'m> {
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        self.map.span(s.start(), s.end())
    }

    pub(super) fn statement(&self, p: P) -> StatementKind {
        match p.as_rule() {
            Rule::include => {
                let span = self.span(&p);
                let s = inner(p);
                StatementKind::Include(Box::new(Include {
                    path: self.value(s[1].clone()).unwrap_or_else(|| self.empty(span)),
                }))
            }
            Rule::load_anchor => {
                let s = inner(p);
                StatementKind::LoadAnchor(Box::new(LoadAnchor {
                    name: self.value_or(&s[2]),
                    file: self.values(s[4].clone()),
                }))
            }
            Rule::varset => {
                let s = inner(p);
                let name = self.value_or(&s[0]);
                let value = s
                    .get(1)
                    .map(|v| {
                        v.clone()
                            .into_inner()
                            .filter_map(|x| self.value(x))
                            .collect()
                    })
                    .unwrap_or_default();
                StatementKind::Macro(Box::new(MacroDef {
                    name: Spanned::new(name.node.text().to_string(), name.span),
                    value,
                }))
            }
            Rule::option => StatementKind::Option(Box::new(self.option(p))),
            Rule::pf_rule => StatementKind::Rule(Box::new(self.filter_rule(p))),
            Rule::anchor_rule => StatementKind::Anchor(Box::new(self.anchor_rule(p))),
            Rule::antispoof => StatementKind::Antispoof(Box::new(self.antispoof(p))),
            Rule::table_def => StatementKind::Table(Box::new(self.table_def(p))),
            Rule::queue_def => StatementKind::Queue(Box::new(self.queue_def(p))),
            Rule::limiter_def => StatementKind::Limiter(Box::new(self.limiter_def(p))),
            _ => StatementKind::Unparsed,
        }
    }

    fn empty(&self, span: Span) -> SValue {
        Spanned::new(Value::Word(Text::default()), span)
    }

    /// A token pair (string, numberstring, num, number, ident, quoted,
    /// macro_ref, anchor_name) as a value.
    fn value(&self, p: P) -> Option<SValue> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::string | Rule::numberstring | Rule::num | Rule::anchor_name => {
                p.into_inner().next().and_then(|x| self.value(x))
            }
            Rule::number | Rule::ident | Rule::word => {
                Some(Spanned::new(Value::Word(p.as_str().into()), span))
            }
            Rule::quoted => {
                let q = if p.as_str().starts_with('\'') {
                    '\''
                } else {
                    '"'
                };
                let raw = p.into_inner().next().map(|x| x.as_str()).unwrap_or("");
                Some(Spanned::new(Value::Quoted(unquote(raw, q).into()), span))
            }
            Rule::macro_ref => {
                let s = &p.as_str()[1..];
                let n = s
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(s.len());
                Some(Spanned::new(
                    Value::Macro(Box::new(MacroRef {
                        name: s[..n].to_string(),
                        suffix: s[n..].to_string(),
                    })),
                    span,
                ))
            }
            _ => None,
        }
    }

    fn value_or(&self, p: &P) -> SValue {
        let span = self.span(p);
        self.value(p.clone()).unwrap_or_else(|| self.empty(span))
    }

    /// All values under a pair (string_seq and the like).
    fn values(&self, p: P) -> Vec<SValue> {
        p.into_inner().filter_map(|x| self.value(x)).collect()
    }

    fn option(&self, p: P) -> SetOption {
        let s = inner(p);
        let o = s[1].clone();
        let rule = o.as_rule();
        let mut it = inner(o);
        match rule {
            Rule::set_reassemble => {
                let yn = it[1].clone().into_inner().next();
                let value = match yn {
                    Some(x) if x.as_rule() == Rule::kw_no => {
                        Spanned::new(Value::Word("no".into()), self.span(&x))
                    }
                    Some(x) => self.value_or(&x),
                    None => self.empty(self.span(&it[1])),
                };
                SetOption::Reassemble {
                    value,
                    no_df: it.len() > 2,
                }
            }
            Rule::set_optimization => SetOption::Optimization {
                value: self.value_or(&it[1]),
            },
            Rule::set_ruleset_optimization => SetOption::RulesetOptimization {
                value: self.value_or(&it[1]),
            },
            Rule::set_timeout | Rule::set_limit => {
                let values = it
                    .drain(1..)
                    .map(|spec| {
                        let kv = inner(spec);
                        (self.value_or(&kv[0]), self.value_or(&kv[1]))
                    })
                    .collect();
                if rule == Rule::set_timeout {
                    SetOption::Timeout { values }
                } else {
                    SetOption::Limit { values }
                }
            }
            Rule::set_loginterface => {
                let x = &it[1];
                let value = if x.as_rule() == Rule::kw_all {
                    Spanned::new(Value::Word("all".into()), self.span(x))
                } else {
                    self.value_or(x)
                };
                SetOption::LogInterface { value }
            }
            Rule::set_hostid => SetOption::HostId {
                value: self.value_or(&it[1]),
            },
            Rule::set_block_policy => SetOption::BlockPolicy {
                value: if is_kw(&it[1], Rule::kw_drop) {
                    BlockPolicy::Drop
                } else {
                    BlockPolicy::Return
                },
            },
            Rule::set_fingerprints => SetOption::Fingerprints {
                value: self.value_or(&it[1]),
            },
            Rule::set_state_policy => SetOption::StatePolicy {
                value: if is_kw(&it[1], Rule::kw_if_bound) {
                    StatePolicy::IfBound
                } else {
                    StatePolicy::Floating
                },
            },
            Rule::set_debug => {
                let x = &it[1];
                let value = if x.as_rule() == Rule::kw_debug {
                    Spanned::new(Value::Word("debug".into()), self.span(x))
                } else {
                    self.value_or(x)
                };
                SetOption::Debug { value }
            }
            Rule::set_skip => SetOption::Skip {
                interfaces: it
                    .get(1)
                    .map(|i| self.interface(i.clone()))
                    .unwrap_or_default(),
            },
            Rule::set_state_defaults => SetOption::StateDefaults {
                opts: self.state_opts(it[1].clone()),
            },
            Rule::set_syncookies => {
                let mode = self.value_or(&it[1]);
                let opts = it
                    .drain(2..)
                    .map(|o| {
                        let kv = inner(o);
                        (self.value_or(&kv[0]), self.value_or(&kv[1]))
                    })
                    .collect();
                SetOption::Syncookies { mode, opts }
            }
            _ => SetOption::Debug {
                value: self.empty(Span::default()),
            },
        }
    }

    fn interface(&self, p: P) -> Vec<Spanned<IfItem>> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::if_item_not)
            .map(|x| {
                let span = self.span(&x);
                let mut not = false;
                let mut target = IfTarget::Any;
                for y in x.into_inner() {
                    match y.as_rule() {
                        Rule::not => not = true,
                        Rule::if_item => target = self.if_item(y),
                        _ => {}
                    }
                }
                Spanned::new(IfItem { not, target }, span)
            })
            .collect()
    }

    fn if_item(&self, p: P) -> IfTarget {
        let s = inner(p);
        match s.first() {
            Some(x) if x.as_rule() == Rule::kw_any => IfTarget::Any,
            Some(x) if x.as_rule() == Rule::kw_rdomain => IfTarget::Rdomain(
                s.get(1)
                    .map(|v| self.value_or(v))
                    .unwrap_or_else(|| self.empty(self.span(x))),
            ),
            Some(x) => IfTarget::Name(self.value_or(x)),
            None => IfTarget::Any,
        }
    }

    fn log(&self, p: P) -> LogOpts {
        let mut l = LogOpts::default();
        for o in p.into_inner().filter(|x| x.as_rule() == Rule::logopt) {
            let s = inner(o);
            match s[0].as_rule() {
                Rule::kw_all => l.all = true,
                Rule::kw_matches => l.matches = true,
                Rule::kw_user => l.user = true,
                Rule::kw_to => l.to = s.get(1).map(|v| self.value_or(v)),
                _ => {}
            }
        }
        l
    }

    fn anchor_rule(&self, p: P) -> AnchorRule {
        let mut name = None;
        let mut filter = FilterRule::new(Spanned::new(Action::Pass, self.span(&p)));
        let mut pending_sets: Vec<(Span, P)> = Vec::new();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::anchor_name => name = self.value(x),
                Rule::kw_anchor | Rule::anchor_open => {}
                Rule::filter_opt => pending_sets.push((self.span(&x), x)),
                _ => self.rule_part(&mut filter, x),
            }
        }
        for (span, x) in pending_sets {
            self.push_filter_opt(&mut filter, span, x);
        }
        AnchorRule {
            name,
            filter,
            body: None,
        }
    }

    fn antispoof(&self, p: P) -> Antispoof {
        let mut a = empty_antispoof();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::logquick => {
                    for y in x.into_inner() {
                        match y.as_rule() {
                            Rule::quick => a.quick = true,
                            Rule::log => a.log = Some(self.log(y)),
                            _ => {}
                        }
                    }
                }
                Rule::antispoof_ifspc => {
                    a.interfaces = x
                        .into_inner()
                        .filter(|y| y.as_rule() == Rule::antispoof_if)
                        .map(|y| {
                            let span = self.span(&y);
                            let dynamic = y.as_str().trim_start().starts_with('(');
                            let target = y
                                .into_inner()
                                .next()
                                .map(|i| self.if_item(i))
                                .unwrap_or(IfTarget::Any);
                            Spanned::new(AntispoofIf { dynamic, target }, span)
                        })
                        .collect()
                }
                Rule::af => a.af = Some(self.af(&x)),
                Rule::antispoof_opt => {
                    let s = inner(x);
                    if s[0].as_rule() == Rule::kw_label {
                        a.label = s.get(1).map(|v| self.value_or(v));
                    } else {
                        a.rtable = s.get(1).map(|v| self.value_or(v));
                    }
                }
                _ => {}
            }
        }
        a
    }

    fn table_def(&self, p: P) -> TableDef {
        let s = inner(p);
        let name = self.value_or(&s[1]);
        let opts = s[2..]
            .iter()
            .map(|x| {
                let span = self.span(x);
                let parts = inner(x.clone());
                let o = match parts.first().map(|y| y.as_rule()) {
                    Some(Rule::kw_file) => TableOpt::File(self.value_or(&parts[1])),
                    Some(Rule::kw_timeout) => TableOpt::Timeout(self.value_or(&parts[1])),
                    Some(Rule::table_host_list) => {
                        TableOpt::Addresses(self.table_host_list(parts[0].clone()))
                    }
                    Some(_) => TableOpt::Flag(self.value_or(&parts[0])),
                    None => TableOpt::Addresses(Vec::new()),
                };
                Spanned::new(o, span)
            })
            .collect();
        TableDef { name, opts }
    }

    fn table_host_list(&self, p: P) -> Vec<TableEntry> {
        let mut out = Vec::new();
        for x in p.into_inner().filter(|y| y.as_rule() == Rule::tablespec) {
            let parts = inner(x);
            match parts.first().map(|y| y.as_rule()) {
                Some(Rule::table_host_list) => out.extend(self.table_host_list(parts[0].clone())),
                Some(_) => out.push(TableEntry {
                    host: self.xhost(parts[0].clone()),
                    weight: parts.get(2).map(|w| self.value_or(w)),
                }),
                None => {}
            }
        }
        out
    }

    fn scspec(&self, p: P) -> ServiceCurve {
        let s = inner(p);
        ServiceCurve {
            bandwidth: self.value_or(&s[0]),
            burst: if s.len() >= 5 {
                Some((self.value_or(&s[2]), self.value_or(&s[4])))
            } else {
                None
            },
        }
    }

    fn queue_def(&self, p: P) -> QueueDef {
        let s = inner(p);
        let name = self.value_or(&s[1]);
        let mut q = QueueDef {
            name,
            interfaces: Vec::new(),
            opts: Vec::new(),
        };
        for x in s.into_iter().skip(2) {
            match x.as_rule() {
                Rule::interface => q.interfaces = self.interface(x),
                Rule::queue_opt_item => {
                    let span = self.span(&x);
                    let parts = inner(x);
                    let v = |i: usize| {
                        parts
                            .get(i)
                            .map(|y| self.value_or(y))
                            .unwrap_or_else(|| self.empty(span))
                    };
                    let o = match parts[0].as_rule() {
                        Rule::kw_bandwidth => {
                            let share = self.scspec(parts[1].clone());
                            let mut min = None;
                            let mut max = None;
                            if let Some(opt) = parts.get(2) {
                                let os = inner(opt.clone());
                                let mut i = 0;
                                while i + 1 < os.len() {
                                    let sc = self.scspec(os[i + 1].clone());
                                    if os[i].as_rule() == Rule::kw_min {
                                        min = Some(sc);
                                    } else {
                                        max = Some(sc);
                                    }
                                    i += 2;
                                }
                            }
                            QueueOpt::Bandwidth { share, min, max }
                        }
                        Rule::kw_parent => QueueOpt::Parent { value: v(1) },
                        Rule::kw_default => QueueOpt::Default,
                        Rule::kw_qlimit => QueueOpt::Qlimit { value: v(1) },
                        Rule::kw_flows => QueueOpt::Flows { value: v(1) },
                        _ => QueueOpt::Quantum { value: v(1) },
                    };
                    q.opts.push(Spanned::new(o, span));
                }
                _ => {}
            }
        }
        q
    }

    fn limiter_def(&self, p: P) -> LimiterDef {
        let s = inner(p);
        let kind = if s[0].as_rule() == Rule::kw_state {
            LimiterKind::State
        } else {
            LimiterKind::Source
        };
        let name = self.value_or(&s[2]);
        let opts = s[3..]
            .iter()
            .map(|x| {
                let span = self.span(x);
                let parts = inner(x.clone());
                let v = |i: usize| {
                    parts
                        .get(i)
                        .map(|y| self.value_or(y))
                        .unwrap_or_else(|| self.empty(span))
                };
                let o = match parts[0].as_rule() {
                    Rule::kw_id => LimiterOpt::Id { value: v(1) },
                    Rule::kw_limit => LimiterOpt::Limit { value: v(1) },
                    Rule::kw_rate => LimiterOpt::Rate {
                        limit: v(1),
                        seconds: v(2),
                    },
                    Rule::kw_entries => LimiterOpt::Entries { value: v(1) },
                    Rule::af => LimiterOpt::Mask {
                        af: self.af(&parts[0]),
                        value: v(2),
                    },
                    _ => LimiterOpt::Table {
                        name: v(1),
                        above: v(3),
                        below: parts.get(5).map(|y| self.value_or(y)),
                    },
                };
                Spanned::new(o, span)
            })
            .collect();
        LimiterDef { kind, name, opts }
    }
}
