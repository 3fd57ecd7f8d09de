//! The fast path's filter rules (`pass`, `block`, `match`, `anchor`):
//! action, `log`/`quick`, interfaces, address family, protocols, and
//! `from`/`to` with hosts and ports. Spans follow the Builder's choices
//! (an endpoint's `ipspec` span, a port list from `port` to its last item,
//! a host list collapsing to its only element via `host_list_entry`).

use super::{host_list_entry, Parser};
use crate::ast::*;

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ rules

    /// `pf_rule = { action ~ dir? ~ logquick? ~ interface? ~ af? ~ proto?
    /// ~ fromto? ~ filter_opt* }`
    pub(super) fn pf_rule(&mut self) -> Option<FilterRule> {
        let action = self.action()?;
        let mut r = FilterRule::new(action);
        self.skip();
        r.direction = self.dir();
        self.skip();
        if let Some((log, quick)) = self.opt(Self::logquick) {
            r.log = log;
            r.quick = quick;
        }
        self.rule_tail(&mut r);
        Some(r)
    }

    /// `interface? ~ af? ~ proto? ~ fromto? ~ filter_opt*`, each after a
    /// skip (the caller has parsed the element before).
    pub(super) fn rule_tail(&mut self, r: &mut FilterRule) {
        self.skip();
        r.interfaces = self.opt_or_default(Self::interface);
        self.skip();
        r.af = self.af();
        self.skip();
        r.protos = self.opt_or_default(Self::proto);
        self.skip();
        r.hosts = self.opt_or_default(Self::fromto);
        self.skip();
        // filter_opt*, each option pushed in place (`set (...)` pushes
        // several).
        let mut opts = Vec::new();
        self.rep_into(&mut opts, Self::filter_opt);
        opts.shrink_to_fit();
        r.options = opts;
    }

    /// `anchor_rule = { kw_anchor ~ anchor_name? ~ dir? ~ quick? ~
    /// interface? ~ af? ~ proto? ~ fromto? ~ filter_opt* ~ anchor_open? }`
    pub(super) fn anchor_rule(&mut self) -> Option<AnchorRule> {
        let start = self.pos;
        // anchor_name = { quoted | ident | macro_ref }, the same tokens as string.
        let name = self.word_arg(|p| p.opt(Self::string));
        self.skip();
        let mut r = FilterRule::new(Spanned::new(Action::Pass, Default::default()));
        r.direction = self.dir();
        self.skip();
        r.quick = self.kw("quick");
        self.rule_tail(&mut r);
        self.skip();
        self.eat(b'{');
        r.action = Spanned::new(Action::Pass, self.span(start, self.pos));
        Some(AnchorRule {
            name,
            filter: r,
            body: None,
        })
    }

    /// `action = { kw_pass | kw_match | kw_block ~ blockspec? }`
    pub(super) fn action(&mut self) -> Option<Spanned<Action>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"pass" => p.word_flag(Action::Pass),
                b"match" => p.word_flag(Action::Match),
                b"block" => Action::Block {
                    policy: p.word_arg(|p| p.opt(Self::blockspec)).map(Box::new),
                },
                _ => return None,
            })
        })
    }

    pub(super) fn blockspec(&mut self) -> Option<BlockSpec> {
        Some(match self.word() {
            b"drop" => self.word_flag(BlockSpec::Drop),
            // kw_return_rst ~ ("(" ~ kw_ttl ~ num ~ ")")?
            b"return-rst" => BlockSpec::ReturnRst {
                ttl: self.word_arg(|p| p.opt_parens(|p| p.kw_arg("ttl", Self::num))),
            },
            // kw_return_icmp6 ~ ("(" ~ reticmpspec ~ ")")?
            b"return-icmp6" => BlockSpec::ReturnIcmp6 {
                code: self.word_arg(|p| p.opt_parens(Self::numberstring)),
            },
            b"return-icmp" => {
                // kw_return_icmp ~ ("(" ~ reticmpspec ~ (","? ~ reticmpspec)? ~ ")")?
                let codes = self.word_arg(|p| p.opt_parens(|p| p.one_or_two(Self::numberstring)));
                let (code, code6) = match codes {
                    Some((a, b)) => (Some(a), b),
                    None => (None, None),
                };
                BlockSpec::ReturnIcmp { code, code6 }
            }
            b"return" => self.word_flag(BlockSpec::Return),
            _ => return None,
        })
    }

    /// `dir = { kw_in | kw_out }`
    pub(super) fn dir(&mut self) -> Option<Direction> {
        self.one_of(&[("in", Direction::In), ("out", Direction::Out)])
    }

    /// `logquick = { log ~ quick? | quick ~ log? }`
    pub(super) fn logquick(&mut self) -> Option<(Option<Box<LogOpts>>, bool)> {
        if self.word() == b"log" {
            let log = self.log();
            self.skip();
            let quick = self.kw("quick");
            Some((Some(Box::new(log)), quick))
        } else if self.kw("quick") {
            self.skip();
            let log = (self.word() == b"log").then(|| Box::new(self.log()));
            Some((log, true))
        } else {
            None
        }
    }

    /// `log = { kw_log ~ ("(" ~ logopt ~ (","? ~ logopt)* ~ ")")? }`;
    /// the caller has seen `log`.
    pub(super) fn log(&mut self) -> LogOpts {
        self.word_arg(|p| {
            p.opt_parens(|p| {
                let mut l = LogOpts::default();
                // The options set fields of `l`; the list itself is not kept.
                p.comma_list(|p| p.logopt(&mut l))?;
                Some(l)
            })
        })
        .unwrap_or_default()
    }

    /// `logopt = { kw_all | kw_matches | kw_user | kw_to ~ string }`
    pub(super) fn logopt(&mut self, l: &mut LogOpts) -> Option<()> {
        match self.word() {
            b"all" => l.all = self.word_flag(true),
            b"matches" => l.matches = self.word_flag(true),
            b"user" => l.user = self.word_flag(true),
            b"to" => l.to = Some(self.word_arg(Self::string)?),
            _ => return None,
        }
        Some(())
    }

    /// `interface = { kw_on ~ ("{" ... "}" | if_item_not) }`
    pub(super) fn interface(&mut self) -> Option<Vec<Spanned<IfItem>>> {
        self.kw_arg("on", |p| p.list_or_one(Self::if_item_not))
    }

    /// `if_item_not = { not? ~ if_item }`
    pub(super) fn if_item_not(&mut self) -> Option<Spanned<IfItem>> {
        self.spanned(|p| {
            let not = p.not();
            p.skip();
            let target = p.if_item()?;
            Some(IfItem { not, target })
        })
    }

    /// `if_item = { kw_any | kw_rdomain ~ num | string }`
    pub(super) fn if_item(&mut self) -> Option<IfTarget> {
        match self.word() {
            b"any" => Some(self.word_flag(IfTarget::Any)),
            // The `string` alternative cannot match the keyword either.
            b"rdomain" => self.word_arg(Self::num).map(IfTarget::Rdomain),
            _ => self.string().map(IfTarget::Name),
        }
    }

    /// `af = { kw_inet6 | kw_inet }`
    pub(super) fn af(&mut self) -> Option<Spanned<AddressFamily>> {
        self.spanned(|p| {
            p.one_of(&[
                ("inet6", AddressFamily::Inet6),
                ("inet", AddressFamily::Inet),
            ])
        })
    }

    /// `proto = { kw_proto ~ ("{" ... "}" | proto_item) }`
    pub(super) fn proto(&mut self) -> Option<Vec<SValue>> {
        self.kw_arg("proto", |p| p.list_or_one(Self::numberstring))
    }

    /// `fromto = { kw_all | from ~ os? ~ to? | os ~ to? | to }`
    pub(super) fn fromto(&mut self) -> Option<Hosts> {
        let w = self.word();
        let mut h = Hosts::default();
        match w {
            b"all" => {
                h.all = true;
                return Some(self.word_flag(h));
            }
            b"from" => {
                h.from = Some(Box::new(self.endpoint("from")?));
                self.skip();
                h.os = self.opt_or_default(Self::os);
                self.skip();
            }
            b"os" => {
                h.os = self.os()?;
                self.skip();
            }
            b"to" => {}
            _ => return None,
        }
        h.to = self.opt(|p| p.endpoint("to")).map(Box::new);
        // `to` is optional after `from` or `os` only.
        (w != b"to" || h.to.is_some()).then_some(h)
    }

    /// `os = { kw_os ~ ("{" ~ optnl ~ string ~ optnl ~ (","? ~ string ~
    /// optnl)* ~ "}" | string) }`
    pub(super) fn os(&mut self) -> Option<Vec<SValue>> {
        self.kw_arg("os", |p| p.list_or_one(Self::string))
    }

    /// `from = { kw_from ~ ipportspec }` (or `to`), with
    /// `ipportspec = { ipspec ~ (kw_port ~ portspec)? | kw_port ~ portspec }`.
    pub(super) fn endpoint(&mut self, kw: &str) -> Option<Endpoint> {
        let start = self.pos;
        self.expect_kw(kw)?;
        self.skip();
        let mut e = Endpoint {
            hosts: Vec::new(),
            any: false,
            ports: Vec::new(),
            ports_span: None,
            span: Default::default(),
        };
        let ports = if let Some((hosts, hs, he)) = self.opt(Self::ipspec) {
            e.span = self.span(hs, he);
            match hosts {
                None => e.any = true,
                Some(h) => e.hosts = h,
            }
            self.skip();
            self.opt(Self::ports)
        } else {
            let ports = self.ports()?;
            // No ipspec: the endpoint's span is the `from`/`to` pair's.
            e.span = self.span(start, self.pos);
            Some(ports)
        };
        if let Some((ports, span)) = ports {
            e.ports = ports;
            e.ports_span = Some(span);
        }
        Some(e)
    }

    /// `kw_port ~ portspec`; the span runs from `port` to the last port.
    pub(super) fn ports(&mut self) -> Option<(Vec<Spanned<PortItem>>, crate::span::Span)> {
        let (ks, ke) = self.kw_at("port")?;
        self.skip();
        let ps = self.pos;
        let items = self.port_items()?;
        let span = self.span(ks, ke).to(self.span(ps, self.pos));
        Some((items, span))
    }

    /// `"{" ... "}" | port_item` (also for users and groups).
    pub(super) fn port_items(&mut self) -> Option<Vec<Spanned<PortItem>>> {
        self.list_or_one(Self::port_item)
    }

    /// `port_item` and `uid_item`: `numberstring ~ port_binary ~
    /// numberstring | unaryop ~ numberstring | numberstring`.
    pub(super) fn port_item(&mut self) -> Option<Spanned<PortItem>> {
        self.spanned(|p| {
            let Some(low) = p.numberstring() else {
                // unaryop = { "!=" | "<=" | ">=" | "=" | "<" | ">" }
                let op = p
                    .operator(&["!=", "<=", ">=", "=", "<", ">"])?
                    .parse()
                    .ok()?;
                p.skip();
                let value = p.numberstring()?;
                return Some(PortItem::Unary { op, value });
            };
            let binary = p.opt(|p| {
                p.skip();
                let op = p.operator(&["<>", "><"])?.parse().ok()?;
                p.skip();
                Some((op, p.numberstring()?))
            });
            Some(match binary {
                Some((op, high)) => PortItem::Binary {
                    low,
                    op,
                    high: Box::new(high),
                },
                // A unary operator cannot start where a value did.
                None => PortItem::Eq { value: low },
            })
        })
    }

    // ------------------------------------------------------------ hosts

    /// `ipspec = { kw_any | "{" ~ optnl ~ host_list ~ "}" | xhost }`:
    /// `None` hosts for `any`, with the ipspec's offsets.
    #[allow(clippy::type_complexity)]
    pub(super) fn ipspec(&mut self) -> Option<(Option<Vec<Spanned<Host>>>, usize, usize)> {
        let start = self.pos;
        if self.kw("any") {
            return Some((None, start, self.pos));
        }
        if self.peek() == b'{' {
            // xhost cannot start with `{`.
            let hosts = self.nested(|p| p.brace_list(Self::list_host))?;
            return Some((Some(hosts), start, self.pos));
        }
        let h = self.xhost()?;
        Some((Some(vec![h]), start, self.pos))
    }

    /// One `ipspec` of a `host_list`, as the Builder's `host_list` makes it.
    pub(super) fn list_host(&mut self) -> Option<Spanned<Host>> {
        let (hosts, s, e) = self.ipspec()?;
        Some(host_list_entry(hosts, self.span(s, e)))
    }

    /// `xhost = { not? ~ (kw_no_route | kw_urpf_failed | host) }`
    pub(super) fn xhost(&mut self) -> Option<Spanned<Host>> {
        self.spanned(|p| {
            let not = p.not();
            p.skip();
            let kind = match p.word() {
                b"no-route" => p.word_flag(HostKind::NoRoute),
                b"urpf-failed" => p.word_flag(HostKind::UrpfFailed),
                _ => p.host()?,
            };
            Some(Host { not, kind })
        })
    }

    /// `host = { kw_route ~ string | table_ref | dynaddr ~ ("/" ~ num)? |
    /// string ~ "-" ~ string | string ~ "/" ~ num | number ~ "/" ~ num |
    /// string }`
    pub(super) fn host(&mut self) -> Option<HostKind> {
        if self.word() == b"route" {
            // No other alternative matches at a keyword.
            let label = self.word_arg(Self::string)?;
            return Some(HostKind::Route { label });
        }
        match self.peek() {
            b'<' => Some(HostKind::Table {
                name: self.angle_name()?,
            }),
            b'(' => {
                let ifname = self.parens(Self::string)?;
                self.skip();
                let mask = self.opt(|p| p.prefixed(b'/', Self::num));
                Some(HostKind::Dynamic {
                    ifname,
                    mask: mask.map(Box::new),
                })
            }
            _ => self.address(),
        }
    }

    /// The alternatives of `host` that start with a value: `string ~ "-" ~
    /// string | string ~ "/" ~ num | number ~ "/" ~ num | string`.
    pub(super) fn address(&mut self) -> Option<HostKind> {
        let Some(addr) = self.string() else {
            let (addr, mask) = self.pair(Self::number, |p| p.prefixed(b'/', Self::num))?;
            return Some(HostKind::Address {
                addr,
                mask: Some(Box::new(mask)),
            });
        };
        let range = self.opt(|p| {
            p.skip();
            p.prefixed(b'-', Self::string)
        });
        if let Some(to) = range {
            return Some(HostKind::Range {
                from: addr,
                to: Box::new(to),
            });
        }
        // `number ~ "/" ~ num` cannot match where a string did.
        let mask = self.opt(|p| {
            p.skip();
            p.prefixed(b'/', Self::num)
        });
        Some(HostKind::Address {
            addr,
            mask: mask.map(Box::new),
        })
    }
}
