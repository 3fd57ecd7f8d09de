//! The fast path's filter options (`filter_opt`): every option of
//! `keywords::FILTER_OPTIONS` by its `OptKind`, TCP flags, `af-to`,
//! limiters, redirections and pools, `set (...)` lists, ICMP items, state
//! and scrub options. An option the Builder would read differently is left
//! to pest with `bail`.

use super::{
    keywords::{self, OptKind},
    push, Parser,
};
use crate::ast::*;

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ options

    /// One `filter_opt` (several for `set (...)`).
    pub(super) fn filter_opt(&mut self, out: &mut Vec<Spanned<FilterOpt>>) -> Option<()> {
        let start = self.pos;
        let w = self.word();
        if w == b"set" {
            for o in self.filter_sets()? {
                push(out, o);
            }
            return Some(());
        }
        let o = match keywords::rule_option(w) {
            Some(spec) => self.filter_option(spec.kind, false, false)?,
            None if self.peek() == b'!' => {
                if !self.not() {
                    return None;
                }
                self.skip();
                let spec = keywords::rule_option(self.word()).filter(|s| s.negatable)?;
                self.filter_option(spec.kind, true, false)?
            }
            None => return None,
        };
        push(out, Spanned::new(o, self.span(start, self.pos)));
        Some(())
    }

    /// The option `kind`, whose first word is at the position: after a
    /// `!` when `not`, a `set` item when `set`.
    #[inline]
    pub(super) fn filter_option(
        &mut self,
        kind: OptKind,
        not: bool,
        set: bool,
    ) -> Option<FilterOpt> {
        let w = self.word();
        Some(match kind {
            OptKind::User => self.arg(Self::port_items, |items| FilterOpt::User { items })?,
            OptKind::Group => self.arg(Self::port_items, |items| FilterOpt::Group { items })?,
            OptKind::Flags => self.word_arg(Self::flags)?,
            OptKind::IcmpType => FilterOpt::IcmpType {
                v6: w == b"icmp6-type",
                items: self.word_arg(|p| p.list_or_one(Self::icmp_item))?,
            },
            OptKind::Prio => self.arg(Self::num, |value| FilterOpt::Prio { value })?,
            OptKind::Tos => self.arg(Self::numberstring, |value| FilterOpt::Tos { value })?,
            OptKind::State if w == b"no" => {
                self.word_arg(|p| p.expect_kw("state"))?;
                FilterOpt::State {
                    kind: StateKind::No,
                    opts: Vec::new(),
                }
            }
            OptKind::State => {
                // kw ~ kw_state ~ ("(" ~ state_opt_list ~ ")")?
                let kind = match w {
                    b"keep" => StateKind::Keep,
                    b"modulate" => StateKind::Modulate,
                    _ => StateKind::Synproxy,
                };
                self.word_arg(|p| p.expect_kw("state"))?;
                self.skip();
                let opts = self.opt_parens(Self::state_opt_list).unwrap_or_default();
                FilterOpt::State { kind, opts }
            }
            OptKind::Fragment => self.word_flag(FilterOpt::Fragment),
            OptKind::AllowOpts => self.word_flag(FilterOpt::AllowOpts),
            OptKind::Label => self.arg(Self::string, |value| FilterOpt::Label { value })?,
            OptKind::Queue => {
                // kw_queue ~ qname, a rule's option or one of `set`'s.
                let (name, prio_name) = self.word_arg(Self::qname)?;
                FilterOpt::Queue {
                    name: Box::new(name),
                    prio_name: prio_name.map(Box::new),
                    set,
                }
            }
            OptKind::Tag => self.arg(Self::string_seq, |value| FilterOpt::Tag { value })?,
            OptKind::Tagged => FilterOpt::Tagged {
                not,
                value: self.word_arg(Self::string_seq)?,
            },
            OptKind::Probability => {
                self.arg(Self::numberstring, |value| FilterOpt::Probability { value })?
            }
            OptKind::Rtable => self.arg(Self::num, |value| FilterOpt::Rtable { value })?,
            OptKind::DivertTo => {
                // kw_divert_to ~ string ~ kw_port ~ numberstring
                let (host, port) = self
                    .word_arg(|p| p.pair(Self::string, |p| p.kw_arg("port", Self::numberstring)))?;
                FilterOpt::DivertTo {
                    host: Box::new(host),
                    port: Box::new(port),
                }
            }
            OptKind::DivertReply => self.word_flag(FilterOpt::DivertReply),
            OptKind::DivertPacket => self.arg(
                |p| p.kw_arg("port", Self::numberstring),
                |port| FilterOpt::DivertPacket { port },
            )?,
            // kw_scrub ~ "(" ~ scrub_item ~ (","? ~ scrub_item)* ~ ")"
            OptKind::Scrub => self.arg(
                |p| p.paren_list(Self::scrub_item),
                |opts| FilterOpt::Scrub { opts },
            )?,
            // kw ~ redirpool ~ pool_opts?
            OptKind::NatTo => FilterOpt::NatTo(Box::new(self.word_arg(|p| p.redirect(true))?)),
            OptKind::BinatTo => FilterOpt::BinatTo(Box::new(self.word_arg(|p| p.redirect(true))?)),
            OptKind::RdrTo => FilterOpt::RdrTo(Box::new(self.word_arg(|p| p.redirect(true))?)),
            OptKind::AfTo => self.word_arg(Self::af_to)?,
            OptKind::Route => {
                // kw ~ redirspec ~ pool_opts?
                let kind = match w {
                    b"route-to" => RouteKind::RouteTo,
                    b"reply-to" => RouteKind::ReplyTo,
                    _ => RouteKind::DupTo,
                };
                let target = self.word_arg(|p| p.redirect(false))?;
                FilterOpt::Route {
                    kind,
                    target: Box::new(target),
                }
            }
            OptKind::ReceivedOn => FilterOpt::ReceivedOn {
                not,
                interface: Box::new(self.word_arg(Self::if_item)?),
            },
            OptKind::Once => self.word_flag(FilterOpt::Once),
            OptKind::MaxPktRate => {
                let (limit, seconds) = self.word_arg(Self::rate)?;
                FilterOpt::MaxPktRate {
                    limit: Box::new(limit),
                    seconds: Box::new(seconds),
                }
            }
            OptKind::SetPrio => {
                let (prio, prio2) = self.word_arg(Self::set_prio)?;
                FilterOpt::SetPrio {
                    prio: Box::new(prio),
                    prio2: prio2.map(Box::new),
                }
            }
            OptKind::SetTos => self.arg(Self::numberstring, |value| FilterOpt::SetTos { value })?,
            OptKind::SetDelay => self.arg(Self::num, |value| FilterOpt::SetDelay { value })?,
            OptKind::Limiter => {
                // limiter_use = { (kw_state | kw_source) ~ kw_limiter ~ string ~
                //   ("(" ~ limiter_opt ~ (","? ~ limiter_opt)* ~ ")")? }
                let (kind, name) = self.limiter_head()?;
                self.skip();
                let actions = self
                    .opt_parens(|p| p.comma_list(Self::limiter_action))
                    .unwrap_or_default();
                FilterOpt::Limiter {
                    kind,
                    name: Box::new(name),
                    actions,
                }
            }
        })
    }

    /// `kw_any | string? ~ "/" ~ string`, after `kw_flags`.
    pub(super) fn flags(&mut self) -> Option<FilterOpt> {
        if self.kw("any") {
            return Some(FilterOpt::Flags {
                set: None,
                mask: None,
            });
        }
        let set = self.opt(Self::string);
        self.skip();
        let mask = Some(self.prefixed(b'/', Self::string)?);
        Some(FilterOpt::Flags {
            set: set.map(Box::new),
            mask: mask.map(Box::new),
        })
    }

    /// `af ~ kw_from ~ redirpool ~ pool_opts? ~ (kw_to ~ redirpool ~
    /// pool_opts?)?`, after `kw_af_to`.
    pub(super) fn af_to(&mut self) -> Option<FilterOpt> {
        let af = self.af()?.node;
        self.skip();
        let from = self.kw_arg("from", |p| p.redirect(true))?;
        self.skip();
        let to = self.opt(|p| p.kw_arg("to", |p| p.redirect(true)));
        Some(FilterOpt::AfTo {
            af,
            from: Box::new(from),
            to: to.map(Box::new),
        })
    }

    /// `(kw_state | kw_source) ~ kw_limiter ~ string`, the start of
    /// `limiter_def` and `limiter_use`.
    pub(super) fn limiter_head(&mut self) -> Option<(LimiterKind, SValue)> {
        let kind = match self.word() {
            b"state" => LimiterKind::State,
            b"source" => LimiterKind::Source,
            _ => return None,
        };
        let name = self.word_arg(|p| p.kw_arg("limiter", Self::string))?;
        Some((kind, name))
    }

    /// `limiter_opt = { kw_block | kw_no_match }`
    pub(super) fn limiter_action(&mut self) -> Option<LimiterAction> {
        self.one_of(&[
            ("block", LimiterAction::Block),
            ("no-match", LimiterAction::NoMatch),
        ])
    }

    /// `redirpool ~ pool_opts?` with `redirpool = { redirspec ~ (kw_port ~
    /// numberstring)? }`, or without the port part (`redirspec ~
    /// pool_opts?` of route-to, reply-to and dup-to).
    pub(super) fn redirect(&mut self, with_port: bool) -> Option<Redirect> {
        let hosts = self.redirspec()?;
        self.skip();
        let mut port = None;
        if with_port {
            port = self.opt(|p| p.kw_arg("port", Self::numberstring));
            self.skip();
        }
        let pool = self.opt_or_default(Self::pool_opts);
        Some(Redirect { hosts, port, pool })
    }

    /// `filter_sets = { kw_set ~ ("(" ~ filter_set ~ (","? ~ filter_set)*
    /// ~ ")" | filter_set) }`: one option per item.
    pub(super) fn filter_sets(&mut self) -> Option<Vec<Spanned<FilterOpt>>> {
        self.skip_word();
        if self.peek() == b'(' {
            // filter_set cannot start with `(`.
            self.paren_list(Self::filter_set)
        } else {
            Some(vec![self.filter_set()?])
        }
    }

    /// `filter_set = { set_prio | kw_queue ~ qname | kw_tos ~ numberstring
    /// | kw_delay ~ num }`
    pub(super) fn filter_set(&mut self) -> Option<Spanned<FilterOpt>> {
        self.spanned(|p| {
            let spec = keywords::set_option(p.word())?;
            p.filter_option(spec.kind, false, true)
        })
    }

    /// `"(" ~ num ~ ","? ~ num ~ ")" | num`, after `kw_prio` in `set_prio`.
    pub(super) fn set_prio(&mut self) -> Option<(SValue, Option<SValue>)> {
        if self.peek() == b'(' {
            // num cannot start with `(`.
            let (a, b) = self.parens(|p| p.pair(Self::num, |p| p.comma_then(Self::num)))?;
            Some((a, Some(b)))
        } else {
            Some((self.num()?, None))
        }
    }

    /// `qname = { "(" ~ string ~ (","? ~ string)? ~ ")" | string }`
    pub(super) fn qname(&mut self) -> Option<(SValue, Option<SValue>)> {
        if self.peek() == b'(' {
            // string cannot start with `(`.
            self.parens(|p| p.one_or_two(Self::string))
        } else {
            Some((self.string()?, None))
        }
    }

    /// `icmp_item = { numberstring ~ (kw_code ~ numberstring)? }`
    pub(super) fn icmp_item(&mut self) -> Option<Spanned<IcmpItem>> {
        self.spanned(|p| {
            let icmp_type = p.numberstring()?;
            p.skip();
            let code = p.opt(|p| p.kw_arg("code", Self::numberstring));
            Some(IcmpItem { icmp_type, code })
        })
    }

    /// `state_opt_list = { state_opt ~ (","? ~ state_opt)* }`
    pub(super) fn state_opt_list(&mut self) -> Option<Vec<Spanned<StateOpt>>> {
        self.comma_list(Self::state_opt)
    }

    pub(super) fn state_opt(&mut self) -> Option<Spanned<StateOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"max" => p.arg(Self::num, |value| StateOpt::Max { value })?,
                b"max-src-states" => p.arg(Self::num, |value| StateOpt::MaxSrcStates { value })?,
                b"max-src-conn" => p.arg(Self::num, |value| StateOpt::MaxSrcConn { value })?,
                b"max-src-nodes" => p.arg(Self::num, |value| StateOpt::MaxSrcNodes { value })?,
                b"no-sync" => p.word_flag(StateOpt::NoSync),
                b"max-src-conn-rate" => {
                    let (limit, seconds) = p.word_arg(Self::rate)?;
                    StateOpt::MaxSrcConnRate { limit, seconds }
                }
                b"overload" => {
                    // kw_overload ~ "<" ~ string ~ ">" ~ (kw_flush ~ kw_global?)?
                    let table = p.word_arg(Self::angle_name)?;
                    p.skip();
                    let flush = p.kw("flush");
                    let global = flush && {
                        p.skip();
                        p.kw("global")
                    };
                    StateOpt::Overload {
                        table,
                        flush,
                        global,
                    }
                }
                b"source-track" => StateOpt::SourceTrack {
                    scope: p.word_arg(|p| {
                        p.one_of(&[
                            ("global", SourceTrackScope::Global),
                            ("rule", SourceTrackScope::Rule),
                        ])
                    }),
                },
                b"if-bound" => p.word_flag(StateOpt::IfBound),
                b"floating" => p.word_flag(StateOpt::Floating),
                b"sloppy" => p.word_flag(StateOpt::Sloppy),
                b"pflow" => p.word_flag(StateOpt::Pflow),
                _ => {
                    // string ~ num (a keyword is never a string)
                    let (name, value) = p.pair(Self::string, Self::num)?;
                    StateOpt::Timeout { name, value }
                }
            })
        })
    }

    /// `scrub_item = { kw_no_df | kw_min_ttl ~ num | kw_max_mss ~ num |
    /// kw_reassemble ~ string | kw_random_id }`
    pub(super) fn scrub_item(&mut self) -> Option<Spanned<ScrubOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"no-df" => p.word_flag(ScrubOpt::NoDf),
                b"min-ttl" => p.arg(Self::num, |value| ScrubOpt::MinTtl { value })?,
                b"max-mss" => p.arg(Self::num, |value| ScrubOpt::MaxMss { value })?,
                b"reassemble" => p.arg(Self::string, |value| ScrubOpt::Reassemble { value })?,
                b"random-id" => p.word_flag(ScrubOpt::RandomId),
                _ => return None,
            })
        })
    }

    /// `redirspec = { "{" ... "}" | redir_host }`
    pub(super) fn redirspec(&mut self) -> Option<Vec<RedirHost>> {
        self.list_or_one(Self::redir_host)
    }

    /// `redir_host = { host ~ (kw_weight ~ num)? }`
    pub(super) fn redir_host(&mut self) -> Option<RedirHost> {
        let host = self.spanned(|p| {
            let kind = p.host()?;
            Some(Host { not: false, kind })
        })?;
        self.skip();
        let weight = self.opt(Self::weight);
        Some(RedirHost { host, weight })
    }

    /// `kw_weight ~ num`
    pub(super) fn weight(&mut self) -> Option<SValue> {
        self.kw_arg("weight", Self::num)
    }

    /// `pool_opts = { pool_opt+ }`.
    pub(super) fn pool_opts(&mut self) -> Option<PoolOpts> {
        let opts = self.rep1(Self::pool_opt)?;
        Some(PoolOpts { opts })
    }

    pub(super) fn pool_opt(&mut self) -> Option<Spanned<PoolOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"bitmask" => p.word_flag(PoolOpt::Bitmask),
                b"random" => p.word_flag(PoolOpt::Random),
                b"round-robin" => p.word_flag(PoolOpt::RoundRobin),
                b"least-states" => p.word_flag(PoolOpt::LeastStates),
                b"static-port" => p.word_flag(PoolOpt::StaticPort),
                b"sticky-address" => p.word_flag(PoolOpt::StickyAddress),
                // kw_source_hash ~ string_seq?
                b"source-hash" => PoolOpt::SourceHash {
                    key: p.word_arg(|p| p.opt_or_default(Self::string_seq)),
                },
                _ => return None,
            })
        })
    }
}
