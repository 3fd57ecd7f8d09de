//! `from ... to ...` from pest's pairs: endpoints, `ipspec` host lists
//! (a list whose span equals its only element's collapses to it, as the
//! fast path repeats), single hosts and port items. The `Builder`'s
//! methods for them.

use super::{inner, Builder, P};
use crate::ast::*;
use crate::parser::grammar::Rule;
use crate::parser::host_list_entry;

impl Builder<'_> {
    pub(super) fn fromto(&self, p: P) -> Hosts {
        let mut h = Hosts::default();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::kw_all => h.all = true,
                Rule::from => h.from = Some(Box::new(self.endpoint(x))),
                Rule::to => h.to = Some(Box::new(self.endpoint(x))),
                Rule::os => h.os = self.values(x),
                _ => {}
            }
        }
        h
    }

    pub(super) fn endpoint(&self, p: P) -> Endpoint {
        let mut e = Endpoint {
            hosts: Vec::new(),
            any: false,
            ports: Vec::new(),
            ports_span: None,
            span: self.span(&p),
        };
        let Some(spec) = p.into_inner().nth(1) else {
            return e;
        };
        for x in spec.into_inner() {
            match x.as_rule() {
                Rule::ipspec => {
                    e.span = self.span(&x);
                    match self.ipspec(x) {
                        None => e.any = true,
                        Some(hosts) => e.hosts = hosts,
                    }
                }
                Rule::kw_port => e.ports_span = Some(self.span(&x)),
                Rule::portspec => {
                    let sp = self.span(&x);
                    e.ports_span = Some(e.ports_span.map_or(sp, |k| k.to(sp)));
                    e.ports = self.port_items(x);
                }
                _ => {}
            }
        }
        e
    }

    /// None for a bare `any`.
    pub(super) fn ipspec(&self, p: P) -> Option<Vec<Spanned<Host>>> {
        let span = self.span(&p);
        let first = p.into_inner().next()?;
        match first.as_rule() {
            Rule::kw_any => None,
            Rule::xhost => Some(vec![self.xhost(first)]),
            Rule::host_list => Some(self.host_list(first)),
            _ => Some(vec![Spanned::new(
                Host {
                    not: false,
                    kind: HostKind::Any,
                },
                span,
            )]),
        }
    }

    pub(super) fn host_list(&self, p: P) -> Vec<Spanned<Host>> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::ipspec)
            .map(|x| {
                let span = self.span(&x);
                host_list_entry(self.ipspec(x), span)
            })
            .collect()
    }

    pub(super) fn xhost(&self, p: P) -> Spanned<Host> {
        let span = self.span(&p);
        let mut not = false;
        let mut kind = HostKind::Any;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::not => not = true,
                Rule::kw_no_route => kind = HostKind::NoRoute,
                Rule::kw_urpf_failed => kind = HostKind::UrpfFailed,
                Rule::host => kind = self.host(x),
                _ => {}
            }
        }
        Spanned::new(Host { not, kind }, span)
    }

    pub(super) fn host(&self, p: P) -> HostKind {
        let s = inner(p);
        match s[0].as_rule() {
            Rule::kw_route => HostKind::Route {
                label: self.value_or(&s[1]),
            },
            Rule::table_ref => HostKind::Table {
                name: s[0]
                    .clone()
                    .into_inner()
                    .next()
                    .map(|v| self.value_or(&v))
                    .unwrap_or_else(|| self.empty(self.span(&s[0]))),
            },
            Rule::dynaddr => HostKind::Dynamic {
                ifname: s[0]
                    .clone()
                    .into_inner()
                    .next()
                    .map(|v| self.value_or(&v))
                    .unwrap_or_else(|| self.empty(self.span(&s[0]))),
                mask: s.get(1).map(|m| Box::new(self.value_or(m))),
            },
            _ => {
                let a = self.value_or(&s[0]);
                // `a - b`: the grammar keeps "-" silent, so two values remain
                // with no mask rule between; a mask is always a `num`.
                match s.get(1) {
                    Some(m) if m.as_rule() == Rule::num => HostKind::Address {
                        addr: a,
                        mask: Some(Box::new(self.value_or(m))),
                    },
                    Some(b) => HostKind::Range {
                        from: a,
                        to: Box::new(self.value_or(b)),
                    },
                    None => HostKind::Address {
                        addr: a,
                        mask: None,
                    },
                }
            }
        }
    }

    pub(super) fn port_items(&self, p: P) -> Vec<Spanned<PortItem>> {
        p.into_inner()
            .filter(|x| matches!(x.as_rule(), Rule::port_item | Rule::uid_item))
            .map(|x| {
                let span = self.span(&x);
                let s = inner(x);
                // The grammar admits only pf's operators (`unaryop`,
                // `port_binary`).
                let op = |o: &P| o.as_str().parse().unwrap_or(PortOperator::Eq);
                let item = match s.len() {
                    3 => PortItem::Binary {
                        low: self.value_or(&s[0]),
                        op: op(&s[1]),
                        high: Box::new(self.value_or(&s[2])),
                    },
                    2 => PortItem::Unary {
                        op: op(&s[0]),
                        value: self.value_or(&s[1]),
                    },
                    _ => PortItem::Eq {
                        value: self.value_or(&s[0]),
                    },
                };
                Spanned::new(item, span)
            })
            .collect()
    }
}
