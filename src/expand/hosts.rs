//! Addresses and ports of a rule as pfctl loads them: each host of a list
//! becomes one or more address candidates (interface names and
//! `(interface)` become the interface's addresses from the table, with
//! `:network`, `:broadcast`, `:peer` and `:0`), port operators and
//! ranges become numbers, `user` and `group` names become ids through
//! the accounts.
//!
//! Invariant: a name that cannot be resolved here (not in the interface
//! table, not in the accounts) is kept as written and noted once, never
//! dropped.

use super::expanded::mask_ip;
use super::{text, Addr, AddrModifier, Af, Expander, HostNode, PortOp};
use crate::accounts::AccountKind;
use crate::ast::*;
use crate::values::{parse_addr_word, port_value, AddrWord};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

impl<'a> Expander<'a> {
    pub(super) fn hosts(&mut self, hosts: &[Spanned<Host>]) -> Vec<HostNode> {
        let mut out = Vec::new();
        for h in hosts {
            self.host(&h.node, false, &mut out);
        }
        out
    }

    fn host(&mut self, h: &Host, outer_not: bool, out: &mut Vec<HostNode>) {
        let not = h.not ^ outer_not;
        let simple = |addr: Addr| HostNode {
            addr,
            not,
            af: None,
            scope: None,
        };
        match &h.kind {
            HostKind::Any => out.push(simple(Addr::Any)),
            HostKind::NoRoute => out.push(simple(Addr::NoRoute)),
            HostKind::UrpfFailed => out.push(simple(Addr::UrpfFailed)),
            HostKind::Table { name } => out.push(simple(Addr::Table {
                name: text(name).to_string(),
            })),
            HostKind::Route { label } => out.push(simple(Addr::Route {
                label: text(label).to_string(),
            })),
            HostKind::List(items) => {
                for i in items {
                    self.host(&i.node, not, out);
                }
            }
            HostKind::Range { from, to } => {
                let (a, b) = (text(from).parse::<IpAddr>(), text(to).parse::<IpAddr>());
                match (a, b) {
                    (Ok(a), Ok(b)) => out.push(HostNode {
                        addr: Addr::Range { from: a, to: b },
                        not,
                        af: Some(Af::of(&a)),
                        scope: None,
                    }),
                    _ => out.push(simple(Addr::Name {
                        text: format!("{} - {}", text(from), text(to)),
                    })),
                }
            }
            HostKind::Dynamic { ifname, mask } => {
                let word = text(ifname);
                let mut parts = word.split(':');
                let name = parts.next().unwrap_or("").to_string();
                let given: Vec<&str> = parts.collect();
                let mods: Vec<AddrModifier> = AddrModifier::ALL
                    .iter()
                    .copied()
                    .filter(|m| given.contains(&m.as_str()))
                    .collect();
                let bits = mask
                    .as_ref()
                    .and_then(|m| text(m).parse::<u8>().ok())
                    .unwrap_or(128);
                out.push(simple(Addr::Dynamic { name, mods, bits }));
            }
            HostKind::Address { addr, mask } => {
                let word = text(addr);
                let (word, inline_mask) = match word.split_once('/') {
                    Some((w, m)) => (w, Some(m)),
                    None => (word, None),
                };
                let mask: Option<u8> = mask
                    .as_deref()
                    .map(text)
                    .or(inline_mask)
                    .and_then(|m| m.parse().ok());
                match parse_addr_word(word, mask.is_some()) {
                    Ok(AddrWord::V4(a)) => {
                        let bits = mask.unwrap_or(32).min(32);
                        out.push(HostNode {
                            addr: Addr::Net {
                                ip: mask_ip(IpAddr::V4(a), bits),
                                bits,
                            },
                            not,
                            af: Some(Af::Inet),
                            scope: None,
                        });
                    }
                    Ok(AddrWord::V6(a)) => {
                        let bits = mask.unwrap_or(128).min(128);
                        let scope = word.split_once('%').map(|(_, s)| s.to_string());
                        out.push(HostNode {
                            addr: Addr::Net {
                                ip: mask_ip(IpAddr::V6(a), bits),
                                bits,
                            },
                            not,
                            af: Some(Af::Inet6),
                            scope,
                        });
                    }
                    Ok(AddrWord::Name { name, modifiers }) => {
                        self.if_addrs(word, &name, &modifiers, mask, not, out)
                    }
                    Err(_) => out.push(simple(Addr::Name {
                        text: word.to_string(),
                    })),
                }
            }
        }
    }

    /// An interface name in address position: its addresses (pfctl's
    /// `host_if` / `ifa_lookup`).
    pub(super) fn if_addrs(
        &mut self,
        word: &str,
        name: &str,
        mods: &[String],
        mask: Option<u8>,
        not: bool,
        out: &mut Vec<HostNode>,
    ) {
        if name == "localhost" && mods.is_empty() && !self.ifs.exists(name) {
            // The one host name every system resolves (/etc/hosts).
            for ip in [
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ] {
                let af = Af::of(&ip);
                let bits = mask.map_or(af.bits(), |m| m.min(af.bits()));
                out.push(HostNode {
                    addr: Addr::Net {
                        ip: mask_ip(ip, bits),
                        bits,
                    },
                    not,
                    af: Some(af),
                    scope: None,
                });
            }
            return;
        }
        let Some(addrs) = self.ifs.lookup(name) else {
            if name.contains('.') {
                self.note(format!(
                    "{name}: a host name, kept as written; pf loads the addresses DNS gives for it when the ruleset is loaded"
                ));
            } else {
                self.note(format!(
                    "{name}: no address known for this interface or host; kept as written"
                ));
            }
            let text = match mask {
                Some(m) => format!("{word}/{m}"),
                None => word.to_string(),
            };
            // `:broadcast` finds IPv4 broadcast addresses only
            // (pfctl_parser.c 1.352 ifa_lookup), so the rule is inet.
            let af = mods.iter().any(|m| m == "broadcast").then_some(Af::Inet);
            out.push(HostNode {
                addr: Addr::Name { text },
                not,
                af,
                scope: None,
            });
            return;
        };
        let has = |m: &str| mods.iter().any(|x| x == m);
        let (network, broadcast, peer, noalias) =
            (has("network"), has("broadcast"), has("peer"), has("0"));
        let mut got = (false, false);
        let mut last_if = "";
        let before = out.len();
        for (ifname, a) in addrs {
            if broadcast {
                // ifa_lookup: IPv4 addresses of a broadcast-capable
                // interface (not loopback, not a /31 or /32 link).
                if let (IpAddr::V4(v4), false, true) = (
                    a.addr,
                    crate::node::is_loopback_interface(ifname),
                    a.prefix <= 30,
                ) {
                    let host_bits = u32::MAX.checked_shr(u32::from(a.prefix)).unwrap_or(0);
                    let bcast = Ipv4Addr::from(u32::from(v4) | host_bits);
                    out.push(HostNode {
                        addr: Addr::Net {
                            ip: IpAddr::V4(bcast),
                            bits: 32,
                        },
                        not,
                        af: Some(Af::Inet),
                        scope: None,
                    });
                }
                continue;
            }
            if peer {
                // A point-to-point peer is not known from an address list.
                continue;
            }
            if network && a.scope.is_some() {
                continue;
            }
            if ifname != last_if {
                got = (false, false);
            }
            last_if = ifname;
            let af = Af::of(&a.addr);
            if noalias && ((af == Af::Inet && got.0) || (af == Af::Inet6 && got.1)) {
                continue;
            }
            if af == Af::Inet {
                got.0 = true;
            } else {
                got.1 = true;
            }
            let bits = match mask {
                Some(m) => m.min(af.bits()),
                None if network => a.prefix,
                None => af.bits(),
            };
            out.push(HostNode {
                addr: Addr::Net {
                    ip: mask_ip(a.addr, bits),
                    bits,
                },
                not,
                af: Some(af),
                scope: a.scope.clone(),
            });
        }
        if out.len() == before && (broadcast || peer) {
            // Nothing known to print: keep the word, never drop the value.
            self.note(format!(
                "{word}: no such address known for {name}; kept as written"
            ));
            out.push(HostNode {
                addr: Addr::Name {
                    text: word.to_string(),
                },
                not,
                af: broadcast.then_some(Af::Inet),
                scope: None,
            });
        }
    }

    pub(super) fn ports(
        &mut self,
        items: &[Spanned<PortItem>],
        ugid: Option<AccountKind>,
    ) -> Vec<Option<PortOp>> {
        let mut out = Vec::new();
        for i in items {
            let p = match &i.node {
                PortItem::Eq { value } => {
                    let t = text(value);
                    match t.split_once(':') {
                        Some((a, b)) if ugid.is_none() => {
                            let a = port_value(a).map(u32::from).unwrap_or(0);
                            let b = if b == "*" {
                                a
                            } else {
                                port_value(b).map(u32::from).unwrap_or(0)
                            };
                            PortOp {
                                op: PortOperator::Range,
                                a,
                                b,
                                ..PortOp::default()
                            }
                        }
                        // `user 1000:2000`: a range of ids (parse.y
                        // 1.719 uid_item: `uid PORTBINARY uid`).
                        Some((a, b)) => {
                            let (a, name_a) = self.id_word(a, ugid);
                            let (b, name_b) = self.id_word(b, ugid);
                            PortOp {
                                op: PortOperator::Range,
                                a,
                                b,
                                name_a,
                                name_b,
                            }
                        }
                        None => {
                            let (a, name_a) = self.port_or_id(value, ugid);
                            PortOp {
                                op: PortOperator::Eq,
                                a,
                                name_a,
                                ..PortOp::default()
                            }
                        }
                    }
                }
                PortItem::Unary { op, value } => {
                    let (a, name_a) = self.port_or_id(value, ugid);
                    PortOp {
                        op: *op,
                        a,
                        name_a,
                        ..PortOp::default()
                    }
                }
                PortItem::Binary { low, op, high } => {
                    let (a, name_a) = self.port_or_id(low, ugid);
                    let (b, name_b) = self.port_or_id(high, ugid);
                    PortOp {
                        op: *op,
                        a,
                        b,
                        name_a,
                        name_b,
                    }
                }
            };
            out.push(Some(p));
        }
        if out.is_empty() {
            out.push(None);
        }
        out
    }

    /// A port number, or (with `ugid`) the id of a user or group
    /// name as the accounts give it (parse.y 1.719 `uid`/`gid`); a name no
    /// database knows is kept, with a note.
    fn port_or_id(&mut self, v: &SValue, ugid: Option<AccountKind>) -> (u32, Option<String>) {
        self.id_word(text(v), ugid)
    }

    /// [`Self::port_or_id`] of a word.
    fn id_word(&mut self, t: &str, ugid: Option<AccountKind>) -> (u32, Option<String>) {
        let Some(kind) = ugid else {
            return (port_value(t).map(u32::from).unwrap_or(0), None);
        };
        if let Ok(n) = t.parse::<u32>() {
            return (n, None);
        }
        if t == "unknown" {
            return (u32::MAX, None);
        }
        match self.accounts.id(kind, t) {
            Some(id) => (id, None),
            None => {
                let whose = match self.accounts.origin {
                    crate::accounts::AccountsOrigin::Node => "the node's files",
                    crate::accounts::AccountsOrigin::OpenBsdBase => {
                        "OpenBSD's system accounts (give --node with etc/passwd and etc/group)"
                    }
                };
                self.note(format!(
                    "{kind} {t}: not in {whose}; kept as a name, pf loads the id the node gives it"
                ));
                (u32::MAX, Some(t.to_string()))
            }
        }
    }
}
