//! Filter rules (`pass`, `block`, `match`, the filter part of `anchor`)
//! from pest's pairs: action, block policy, state options, redirections
//! and pools, and every `filter_opt`. The `Builder`'s methods for them;
//! hosts and ports are in `hosts.rs`.

use super::{first_word, inner, Builder, P};
use crate::ast::*;
use crate::parser::grammar::Rule;
use crate::parser::keywords::{self, OptKind};
use crate::span::Span;

impl Builder<'_> {
    pub(super) fn filter_rule(&self, p: P) -> FilterRule {
        let mut rule = FilterRule::new(Spanned::new(Action::Pass, self.span(&p)));
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::action => rule.action = Spanned::new(self.action(x.clone()), self.span(&x)),
                _ => self.rule_part(&mut rule, x),
            }
        }
        rule
    }

    /// The parts shared by filter rules and anchor rules.
    pub(super) fn rule_part(&self, rule: &mut FilterRule, x: P) {
        match x.as_rule() {
            Rule::dir => {
                rule.direction = Some(
                    if x.into_inner().next().map(|k| k.as_rule()) == Some(Rule::kw_in) {
                        Direction::In
                    } else {
                        Direction::Out
                    },
                )
            }
            Rule::logquick => {
                for y in x.into_inner() {
                    match y.as_rule() {
                        Rule::quick => rule.quick = true,
                        Rule::log => rule.log = Some(Box::new(self.log(y))),
                        _ => {}
                    }
                }
            }
            Rule::quick => rule.quick = true,
            Rule::interface => rule.interfaces = self.interface(x),
            Rule::af => rule.af = Some(Spanned::new(self.af(&x), self.span(&x))),
            Rule::proto => {
                rule.protos = x
                    .into_inner()
                    .filter(|y| y.as_rule() == Rule::proto_item)
                    .filter_map(|y| y.into_inner().next().and_then(|v| self.value(v)))
                    .collect()
            }
            Rule::fromto => rule.hosts = self.fromto(x),
            Rule::filter_opt => {
                let span = self.span(&x);
                self.push_filter_opt(rule, span, x);
            }
            _ => {}
        }
    }

    pub(super) fn af(&self, p: &P) -> AddressFamily {
        if p.clone().into_inner().next().map(|k| k.as_rule()) == Some(Rule::kw_inet6) {
            AddressFamily::Inet6
        } else {
            AddressFamily::Inet
        }
    }

    pub(super) fn action(&self, p: P) -> Action {
        let s = inner(p);
        match s[0].as_rule() {
            Rule::kw_pass => Action::Pass,
            Rule::kw_match => Action::Match,
            _ => Action::Block {
                policy: s.get(1).map(|b| Box::new(self.blockspec(b.clone()))),
            },
        }
    }

    pub(super) fn blockspec(&self, p: P) -> BlockSpec {
        let s = inner(p);
        let vals: Vec<SValue> = s
            .iter()
            .skip(1)
            .filter(|x| matches!(x.as_rule(), Rule::num | Rule::reticmpspec))
            .map(|x| match x.as_rule() {
                Rule::reticmpspec => x
                    .clone()
                    .into_inner()
                    .next()
                    .map(|v| self.value_or(&v))
                    .unwrap_or_else(|| self.empty(self.span(x))),
                _ => self.value_or(x),
            })
            .collect();
        match s[0].as_rule() {
            Rule::kw_drop => BlockSpec::Drop,
            Rule::kw_return => BlockSpec::Return,
            Rule::kw_return_rst => BlockSpec::ReturnRst {
                ttl: vals.into_iter().next(),
            },
            Rule::kw_return_icmp6 => BlockSpec::ReturnIcmp6 {
                code: vals.into_iter().next(),
            },
            _ => {
                let mut v = vals.into_iter();
                BlockSpec::ReturnIcmp {
                    code: v.next(),
                    code6: v.next(),
                }
            }
        }
    }

    pub(super) fn state_opts(&self, p: P) -> Vec<Spanned<StateOpt>> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::state_opt)
            .map(|x| {
                let span = self.span(&x);
                let s = inner(x);
                let v = |i: usize| {
                    s.get(i)
                        .map(|y| self.value_or(y))
                        .unwrap_or_else(|| self.empty(span))
                };
                let o = match s[0].as_rule() {
                    Rule::kw_max => StateOpt::Max { value: v(1) },
                    Rule::kw_no_sync => StateOpt::NoSync,
                    Rule::kw_max_src_states => StateOpt::MaxSrcStates { value: v(1) },
                    Rule::kw_max_src_conn_rate => StateOpt::MaxSrcConnRate {
                        limit: v(1),
                        seconds: v(2),
                    },
                    Rule::kw_max_src_conn => StateOpt::MaxSrcConn { value: v(1) },
                    Rule::kw_overload => StateOpt::Overload {
                        table: v(1),
                        flush: s.iter().any(|y| y.as_rule() == Rule::kw_flush),
                        global: s.iter().any(|y| y.as_rule() == Rule::kw_global),
                    },
                    Rule::kw_max_src_nodes => StateOpt::MaxSrcNodes { value: v(1) },
                    Rule::kw_source_track => StateOpt::SourceTrack {
                        scope: s.get(1).map(|y| {
                            if y.as_rule() == Rule::kw_global {
                                SourceTrackScope::Global
                            } else {
                                SourceTrackScope::Rule
                            }
                        }),
                    },
                    Rule::kw_if_bound => StateOpt::IfBound,
                    Rule::kw_floating => StateOpt::Floating,
                    Rule::kw_sloppy => StateOpt::Sloppy,
                    Rule::kw_pflow => StateOpt::Pflow,
                    _ => StateOpt::Timeout {
                        name: v(0),
                        value: v(1),
                    },
                };
                Spanned::new(o, span)
            })
            .collect()
    }

    pub(super) fn redirect(&self, pool: Option<P>, opts: Option<P>) -> Redirect {
        let mut r = Redirect {
            hosts: Vec::new(),
            port: None,
            pool: PoolOpts::default(),
        };
        if let Some(pool) = pool {
            for x in pool.into_inner() {
                match x.as_rule() {
                    Rule::redirspec => r.hosts = self.redirspec(x),
                    Rule::numberstring => r.port = self.value(x),
                    _ => {}
                }
            }
        }
        if let Some(o) = opts {
            r.pool = self.pool_opts(o);
        }
        r
    }

    pub(super) fn redirspec(&self, p: P) -> Vec<RedirHost> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::redir_host)
            .map(|x| {
                let s = inner(x.clone());
                let span = self.span(&s[0]);
                RedirHost {
                    host: Spanned::new(
                        Host {
                            not: false,
                            kind: self.host(s[0].clone()),
                        },
                        span,
                    ),
                    weight: s.get(2).map(|w| self.value_or(w)),
                }
            })
            .collect()
    }

    pub(super) fn pool_opts(&self, p: P) -> PoolOpts {
        PoolOpts {
            opts: p
                .into_inner()
                .map(|x| {
                    let span = self.span(&x);
                    let s = inner(x);
                    let o = match s[0].as_rule() {
                        Rule::kw_bitmask => PoolOpt::Bitmask,
                        Rule::kw_random => PoolOpt::Random,
                        Rule::kw_source_hash => PoolOpt::SourceHash {
                            key: s.get(1).map(|k| self.values(k.clone())).unwrap_or_default(),
                        },
                        Rule::kw_round_robin => PoolOpt::RoundRobin,
                        Rule::kw_least_states => PoolOpt::LeastStates,
                        Rule::kw_static_port => PoolOpt::StaticPort,
                        _ => PoolOpt::StickyAddress,
                    };
                    Spanned::new(o, span)
                })
                .collect(),
        }
    }

    pub(super) fn qname(&self, p: &P) -> (SValue, Option<SValue>) {
        let s: Vec<SValue> = p
            .clone()
            .into_inner()
            .filter_map(|x| self.value(x))
            .collect();
        let mut it = s.into_iter();
        let a = it.next().unwrap_or_else(|| self.empty(self.span(p)));
        (a, it.next())
    }

    /// A filter option (`p` one of `filter_opt`'s alternatives other than
    /// `filter_sets`) or, with `set`, one `filter_set` item: its kind is
    /// looked up in the keyword table by its first word, and it is built
    /// in a `match` on the kind that lists every kind. `None` only for a
    /// grammar alternative the table lacks, which the tests of
    /// [`keywords`] rule out.
    pub(super) fn filter_opt(&self, p: P, set: bool) -> Option<FilterOpt> {
        let word = first_word(&p).as_bytes();
        let spec = if set {
            keywords::set_option(word)
        } else {
            keywords::rule_option(word)
        }?;
        let span = self.span(&p);
        let s = inner(p);
        let v = |i: usize| -> SValue {
            s.get(i)
                .map(|y| self.value_or(y))
                .unwrap_or_else(|| self.empty(span))
        };
        let items = || {
            s.get(1)
                .map(|u| self.port_items(u.clone()))
                .unwrap_or_default()
        };
        let redirect = || self.redirect(s.get(1).cloned(), s.get(2).cloned());
        let not = || s[0].as_rule() == Rule::not;
        Some(match spec.kind {
            OptKind::User => FilterOpt::User { items: items() },
            OptKind::Group => FilterOpt::Group { items: items() },
            OptKind::Flags => {
                if s.get(1).map(|x| x.as_rule()) == Some(Rule::kw_any) {
                    FilterOpt::Flags {
                        set: None,
                        mask: None,
                    }
                } else {
                    let vals: Vec<SValue> = s[1..]
                        .iter()
                        .filter_map(|x| self.value(x.clone()))
                        .collect();
                    let text = s.iter().map(|x| x.as_str()).collect::<String>();
                    let slash_first = s.len() == 2 || text.starts_with("flags/");
                    if slash_first && vals.len() == 1 {
                        FilterOpt::Flags {
                            set: None,
                            mask: vals.into_iter().next().map(Box::new),
                        }
                    } else {
                        let mut it = vals.into_iter();
                        FilterOpt::Flags {
                            set: it.next().map(Box::new),
                            mask: it.next().map(Box::new),
                        }
                    }
                }
            }
            OptKind::IcmpType => FilterOpt::IcmpType {
                v6: s[0].as_rule() == Rule::kw_icmp6_type,
                items: s[1..]
                    .iter()
                    .filter(|x| x.as_rule() == Rule::icmp_item)
                    .map(|x| {
                        let ispan = self.span(x);
                        let parts = inner(x.clone());
                        let t = self.value_or(&parts[0]);
                        let code = parts.get(2).map(|c| self.value_or(c));
                        Spanned::new(IcmpItem { icmp_type: t, code }, ispan)
                    })
                    .collect(),
            },
            OptKind::Prio => FilterOpt::Prio { value: v(1) },
            OptKind::Tos => FilterOpt::Tos { value: v(1) },
            OptKind::State => {
                let kind = match s[0].as_rule() {
                    Rule::kw_no => StateKind::No,
                    Rule::kw_keep => StateKind::Keep,
                    Rule::kw_modulate => StateKind::Modulate,
                    _ => StateKind::Synproxy,
                };
                FilterOpt::State {
                    kind,
                    opts: s
                        .get(2)
                        .map(|o| self.state_opts(o.clone()))
                        .unwrap_or_default(),
                }
            }
            OptKind::Fragment => FilterOpt::Fragment,
            OptKind::AllowOpts => FilterOpt::AllowOpts,
            OptKind::Label => FilterOpt::Label { value: v(1) },
            OptKind::Queue => {
                let (name, prio_name) = self.qname(&s[1]);
                FilterOpt::Queue {
                    name: Box::new(name),
                    prio_name: prio_name.map(Box::new),
                    set,
                }
            }
            OptKind::Tag => FilterOpt::Tag {
                value: s.get(1).map(|x| self.values(x.clone())).unwrap_or_default(),
            },
            OptKind::Tagged => FilterOpt::Tagged {
                not: not(),
                value: s.last().map(|x| self.values(x.clone())).unwrap_or_default(),
            },
            OptKind::Probability => FilterOpt::Probability { value: v(1) },
            OptKind::Rtable => FilterOpt::Rtable { value: v(1) },
            OptKind::DivertTo => FilterOpt::DivertTo {
                host: Box::new(v(1)),
                port: Box::new(v(3)),
            },
            OptKind::DivertReply => FilterOpt::DivertReply,
            OptKind::DivertPacket => FilterOpt::DivertPacket { port: v(2) },
            OptKind::Scrub => FilterOpt::Scrub {
                opts: s[1..]
                    .iter()
                    .map(|x| {
                        let xs = self.span(x);
                        let parts = inner(x.clone());
                        let pv = |i: usize| {
                            parts
                                .get(i)
                                .map(|y| self.value_or(y))
                                .unwrap_or_else(|| self.empty(xs))
                        };
                        let o = match parts[0].as_rule() {
                            Rule::kw_no_df => ScrubOpt::NoDf,
                            Rule::kw_min_ttl => ScrubOpt::MinTtl { value: pv(1) },
                            Rule::kw_max_mss => ScrubOpt::MaxMss { value: pv(1) },
                            Rule::kw_reassemble => ScrubOpt::Reassemble { value: pv(1) },
                            _ => ScrubOpt::RandomId,
                        };
                        Spanned::new(o, xs)
                    })
                    .collect(),
            },
            OptKind::NatTo => FilterOpt::NatTo(Box::new(redirect())),
            OptKind::BinatTo => FilterOpt::BinatTo(Box::new(redirect())),
            OptKind::RdrTo => FilterOpt::RdrTo(Box::new(redirect())),
            OptKind::AfTo => {
                let af = self.af(&s[1]);
                let mut pools = Vec::new();
                let mut i = 3;
                while i < s.len() {
                    if s[i].as_rule() == Rule::redirpool {
                        let opts = s
                            .get(i + 1)
                            .filter(|x| x.as_rule() == Rule::pool_opts)
                            .cloned();
                        pools.push(self.redirect(Some(s[i].clone()), opts));
                    }
                    i += 1;
                }
                let mut it = pools.into_iter();
                FilterOpt::AfTo {
                    af,
                    from: Box::new(it.next().unwrap_or(Redirect {
                        hosts: Vec::new(),
                        port: None,
                        pool: PoolOpts::default(),
                    })),
                    to: it.next().map(Box::new),
                }
            }
            OptKind::Route => {
                let kind = match s[0].as_rule() {
                    Rule::kw_route_to => RouteKind::RouteTo,
                    Rule::kw_reply_to => RouteKind::ReplyTo,
                    _ => RouteKind::DupTo,
                };
                let hosts = self.redirspec(s[1].clone());
                let pool = s
                    .get(2)
                    .map(|o| self.pool_opts(o.clone()))
                    .unwrap_or_default();
                FilterOpt::Route {
                    kind,
                    target: Box::new(Redirect {
                        hosts,
                        port: None,
                        pool,
                    }),
                }
            }
            OptKind::ReceivedOn => FilterOpt::ReceivedOn {
                not: not(),
                interface: Box::new(
                    s.last()
                        .map(|x| self.if_item(x.clone()))
                        .unwrap_or(IfTarget::Any),
                ),
            },
            OptKind::Once => FilterOpt::Once,
            OptKind::MaxPktRate => FilterOpt::MaxPktRate {
                limit: Box::new(v(1)),
                seconds: Box::new(v(2)),
            },
            OptKind::SetPrio => {
                // `set_prio = { kw_prio ~ ("(" ~ num ~ ","? ~ num ~ ")" | num) }`
                let vals: Vec<SValue> = s[0]
                    .clone()
                    .into_inner()
                    .skip(1)
                    .filter_map(|x| self.value(x))
                    .collect();
                let mut it = vals.into_iter();
                FilterOpt::SetPrio {
                    prio: Box::new(it.next().unwrap_or_else(|| self.empty(span))),
                    prio2: it.next().map(Box::new),
                }
            }
            OptKind::SetTos => FilterOpt::SetTos { value: v(1) },
            OptKind::SetDelay => FilterOpt::SetDelay { value: v(1) },
            OptKind::Limiter => FilterOpt::Limiter {
                kind: if s[0].as_rule() == Rule::kw_state {
                    LimiterKind::State
                } else {
                    LimiterKind::Source
                },
                name: Box::new(v(2)),
                actions: s[3..]
                    .iter()
                    .map(|x| {
                        if x.clone().into_inner().next().map(|k| k.as_rule())
                            == Some(Rule::kw_block)
                        {
                            LimiterAction::Block
                        } else {
                            LimiterAction::NoMatch
                        }
                    })
                    .collect(),
            },
        })
    }

    pub(super) fn push_filter_opt(&self, rule: &mut FilterRule, span: Span, x: P) {
        if let Some(o) = x.into_inner().next() {
            if o.as_rule() == Rule::filter_sets {
                // `set (prio 1, queue q)`: one option per item.
                for item in o.into_inner().filter(|y| y.as_rule() == Rule::filter_set) {
                    let ispan = self.span(&item);
                    if let Some(opt) = self.filter_opt(item, true) {
                        rule.options.push(Spanned::new(opt, ispan));
                    }
                }
            } else if let Some(opt) = self.filter_opt(o, false) {
                rule.options.push(Spanned::new(opt, span));
            }
        }
    }
}
