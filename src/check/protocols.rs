//! Checks of protocol-level values: `proto` names and numbers (OpenBSD's
//! /etc/protocols), TCP `flags` letters, ICMP and ICMPv6 types and codes
//! (and the codes of `return-icmp`), and `tos` values.
//!
//! Invariant: names resolve through [`crate::names`], OpenBSD's tables,
//! never the host's.

use super::Checker;
use crate::ast::*;
use crate::names;
use crate::values::tcp_flag;

impl Checker {
    pub(super) fn protocols(&mut self, protos: &[SValue]) -> Vec<Option<u8>> {
        protos
            .iter()
            .map(|p| {
                let t = p.node.text();
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    match t.parse::<i64>() {
                        Ok(0) => {
                            self.err("bad-proto", p.span, "proto 0 cannot be used");
                            None
                        }
                        Ok(n @ 1..=255) => Some(n as u8),
                        _ => {
                            self.err("bad-proto", p.span, "protocol outside range");
                            None
                        }
                    }
                } else {
                    match names::protocol_number(t) {
                        Some(0) => {
                            self.err("bad-proto", p.span, "proto 0 cannot be used");
                            None
                        }
                        Some(n) => Some(n),
                        None => {
                            self.help("bad-proto", p.span, format!("unknown protocol {t}"),
                                "use a name from OpenBSD's /etc/protocols (tcp, udp, icmp, icmp6, carp, pfsync...) or a number");
                            None
                        }
                    }
                }
            })
            .collect()
    }

    pub(super) fn flag_bits(&mut self, v: &SValue) -> Option<u8> {
        let mut bits = 0u8;
        for c in v.node.text().chars() {
            bits |= match tcp_flag(c) {
                Some(b) => b,
                None => {
                    self.help(
                        "bad-flags",
                        v.span,
                        format!("bad flags {}", v.node.text()),
                        "flags are F S R P A U E W",
                    );
                    return None;
                }
            };
        }
        Some(bits)
    }

    pub(super) fn icmp_items(&mut self, items: &[Spanned<IcmpItem>], v6: bool) {
        let kind = if v6 { "icmp6-type" } else { "icmp-type" };
        for it in items {
            let t = it.node.icmp_type.node.text();
            let ty = if let Ok(n) = t.parse::<i64>() {
                if !(0..=255).contains(&n) {
                    self.err(
                        "bad-icmp",
                        it.node.icmp_type.span,
                        format!("illegal {kind} {n}"),
                    );
                    continue;
                }
                n as u8
            } else {
                match names::icmp_type(t, v6) {
                    Some(n) => n,
                    None => {
                        self.help("bad-icmp", it.node.icmp_type.span, format!("unknown {kind} {t}"),
                            if v6 { "e.g. echoreq, echorep, unreach, toobig, timex, neighbrsol, neighbradv, routersol, routeradv" } else { "e.g. echoreq, echorep, unreach, timex, paramprob" });
                        continue;
                    }
                }
            };
            if let Some(c) = &it.node.code {
                let ct = c.node.text();
                if let Ok(n) = ct.parse::<i64>() {
                    if !(0..=255).contains(&n) {
                        self.err("bad-icmp", c.span, format!("illegal icmp-code {n}"));
                    }
                } else if names::icmp_code(ty, ct, v6).is_none() {
                    let k = if v6 { "icmp6-code" } else { "icmp-code" };
                    self.err("bad-icmp", c.span, format!("unknown {k} {ct}"));
                }
            }
        }
    }

    pub(super) fn icmp_return_code(&mut self, c: &SValue, v6: bool) {
        let t = c.node.text();
        if let Ok(n) = t.parse::<i64>() {
            if !(0..=255).contains(&n) {
                self.err("bad-icmp", c.span, format!("invalid icmp code {n}"));
            }
        } else {
            let ty = if v6 { 1 } else { 3 };
            if names::icmp_code(ty, t, v6).is_none() {
                self.err("bad-icmp", c.span, format!("unknown icmp code {t}"));
            }
        }
    }

    pub(super) fn tos(&mut self, v: &SValue) {
        let t = v.node.text();
        let ok = if let Ok(n) = t.parse::<i64>() {
            (0..=255).contains(&n)
        } else if names::tos_value(t).is_some() {
            true
        } else if let Some(h) = t.strip_prefix("0x") {
            matches!(u32::from_str_radix(h, 16), Ok(0..=255))
        } else {
            false
        };
        if !ok {
            self.help("bad-value", v.span, format!("illegal tos value {t}"),
                "use 0-255, 0x00-0xff, lowdelay, throughput, reliability, or a DSCP name (ef, af11..af43, cs0..cs7)");
        }
    }
}
