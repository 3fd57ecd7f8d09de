//! Checks of what a rule matches on beyond its protocol: hosts (address
//! words, masks, ranges, `(interface)` with modifiers, tables, route
//! labels, host names pfctl would resolve through DNS), interface names
//! and `rdomain`, ports and port ranges, and `user`/`group` ids.
//!
//! Invariant: `host` reports the address family of every host it accepts
//! (None when unknown or `any`), so that the rule checks can decide the
//! rule's family as pfctl's `decide_address_family` does.

use super::{number, Checker, MAX_IFNAME, MAX_TABLE_NAME};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::values::{parse_addr_word, port_value, AddrWord, Family};

impl Checker {
    pub(super) fn if_target(&mut self, t: &IfTarget) {
        match t {
            IfTarget::Name(n) if n.node.text().len() > MAX_IFNAME => {
                self.err("bad-value", n.span, "interface name too long");
            }
            IfTarget::Rdomain(v) => {
                self.ranged(
                    v,
                    0,
                    255,
                    format!("rdomain {} outside range", v.node.text()),
                );
            }
            _ => {}
        }
    }

    /// A word in address position that is neither an address nor a
    /// known keyword: pfctl tries an interface or group of that name, then
    /// DNS (pfctl_parser.c 1.352 `host`). A word no DNS name and no
    /// interface group can be (a placeholder such as `YOU_IP_ADDRESS`)
    /// makes it fail with `no IP address found`; a dotted host name is
    /// resolved when the ruleset loads, which the note says.
    fn host_name(&mut self, name: &str, span: Span) {
        let dns_chars = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        let group_like = name.len() < 16
            && !name.bytes().any(|b| b.is_ascii_uppercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !dns_chars && !group_like {
            self.diags.push(
                Diagnostic::error(
                    "bad-address",
                    span,
                    format!("no IP address found for {name}: could not parse host specification"),
                )
                .with_help(
                    "it is neither an address, an interface, a group nor a host name: replace the placeholder with an address, a `<table>` or a `$macro`",
                ),
            );
        } else if dns_chars && name.contains('.') && !name.ends_with('.') {
            self.diags.push(Diagnostic {
                severity: crate::diag::Severity::Info,
                ..Diagnostic::error(
                    "host-name",
                    span,
                    format!("{name} is resolved through DNS when pfctl loads the ruleset; the rule holds the addresses it gets then"),
                )
                .with_help("pf does not follow later DNS changes: reload the ruleset, or use a table that a script refreshes")
            });
        }
    }

    /// Checks one host; returns its family (None: unknown or any).
    pub(super) fn host(&mut self, h: &Spanned<Host>, families: &mut Vec<Option<Family>>) {
        match &h.node.kind {
            HostKind::Address { addr, mask } => {
                let word = addr.node.text();
                match parse_addr_word(word, mask.is_some()) {
                    Ok(a) => {
                        let fam = a.family();
                        if let Some(m) = mask {
                            match number(m) {
                                Some(bits) if !(0..=128).contains(&bits) => {
                                    self.help(
                                        "bad-address",
                                        h.span,
                                        "could not parse host specification",
                                        format!("netmask is too large: /{bits}"),
                                    );
                                    return;
                                }
                                Some(bits) if bits > 32 && fam == Some(Family::V4) => {
                                    self.help(
                                        "bad-address",
                                        m.span,
                                        format!("netmask {bits} invalid for IPv4 address"),
                                        "an IPv4 prefix is at most /32",
                                    );
                                    return;
                                }
                                _ => {}
                            }
                        }
                        if let AddrWord::Name { name, modifiers } = &a {
                            if modifiers.is_empty() {
                                self.host_name(name, addr.span);
                            }
                            if modifiers.len() > 1
                                && modifiers.iter().filter(|m| *m != "0").count() > 1
                            {
                                self.err(
                                    "bad-address",
                                    addr.span,
                                    "illegal combination of interface modifiers",
                                );
                            }
                        }
                        families.push(fam);
                    }
                    Err(msg) => {
                        self.help(
                            "bad-address",
                            addr.span,
                            "could not parse host specification",
                            msg,
                        );
                    }
                }
            }
            HostKind::Range { from, to } => {
                let a = parse_addr_word(from.node.text(), false);
                let b = parse_addr_word(to.node.text(), false);
                match (a, b) {
                    (Ok(a), Ok(b)) if a.family().is_some() && a.family() == b.family() => {
                        families.push(a.family())
                    }
                    (Ok(_), Ok(_)) => {
                        self.err("bad-address", h.span, "invalid address range");
                    }
                    _ => {
                        self.err("bad-address", h.span, "could not parse host specification");
                    }
                }
            }
            HostKind::Dynamic { ifname, mask } => {
                let w = ifname.node.text();
                if !w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.help(
                        "bad-address",
                        ifname.span,
                        format!("invalid interface name '{w}'"),
                        "parentheses take an interface name, e.g. `(em0)`",
                    );
                    return;
                }
                let mut parts = w.split(':');
                let _ = parts.next();
                let mods: Vec<&str> = parts.collect();
                for m in &mods {
                    if !matches!(*m, "network" | "broadcast" | "peer" | "0") {
                        self.help(
                            "bad-address",
                            ifname.span,
                            format!("interface {w} has bad modifier"),
                            "modifiers are :network, :broadcast, :peer and :0",
                        );
                        return;
                    }
                }
                if mods.iter().filter(|m| **m != "0").count() > 1 {
                    self.err(
                        "bad-address",
                        ifname.span,
                        "illegal combination of interface modifiers",
                    );
                }
                if let Some(m) = mask {
                    if !matches!(number(m), Some(0..=128)) {
                        self.err("bad-address", m.span, "bit number too big");
                    }
                }
                families.push(None);
            }
            HostKind::Table { name } => {
                if name.node.text().len() > MAX_TABLE_NAME {
                    self.err(
                        "bad-value",
                        name.span,
                        format!("table name '{}' too long", name.node.text()),
                    );
                }
                families.push(None);
            }
            HostKind::Route { label } => {
                if label.node.text().len() > 31 {
                    self.err(
                        "bad-value",
                        label.span,
                        "route label too long, max 31 chars",
                    );
                }
                families.push(None);
            }
            HostKind::List(v) => {
                for x in v {
                    self.host(x, families);
                }
            }
            HostKind::Any | HostKind::NoRoute | HostKind::UrpfFailed => families.push(None),
        }
    }

    pub(super) fn ports(&mut self, items: &[Spanned<PortItem>]) -> bool {
        let mut ok = true;
        for p in items {
            ok &= match &p.node {
                PortItem::Eq { value } => self.port_range(value, false),
                PortItem::Unary { value, .. } => {
                    if value.node.text().contains(':') {
                        self.err(
                            "bad-port",
                            p.span,
                            "':' cannot be used with an other port operator",
                        );
                        false
                    } else {
                        self.port_word(value)
                    }
                }
                PortItem::Binary { low, op, high } => {
                    if low.node.text().contains(':') || high.node.text().contains(':') {
                        self.err(
                            "bad-port",
                            p.span,
                            "':' cannot be used with an other port operator",
                        );
                        false
                    } else {
                        let a = self.port_word_value(low);
                        let b = self.port_word_value(high);
                        if let (Some(a), Some(b)) = (a, b) {
                            if (*op == PortOperator::Inside && a >= b)
                                || (*op == PortOperator::Outside && a > b)
                            {
                                self.help(
                                    "bad-port",
                                    p.span,
                                    "invalid port range",
                                    "the first port must be lower than the second",
                                );
                                return false;
                            }
                            true
                        } else {
                            false
                        }
                    }
                }
            };
        }
        ok
    }

    pub(super) fn port_word_value(&mut self, v: &SValue) -> Option<u16> {
        match port_value(v.node.text()) {
            Ok(n) => Some(n),
            Err(msg) => {
                let mut d = Diagnostic::error("bad-port", v.span, msg);
                if !v.node.text().bytes().all(|b| b.is_ascii_digit()) {
                    d = d.with_help(
                        "use a port number or a service name from OpenBSD's /etc/services",
                    );
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn port_word(&mut self, v: &SValue) -> bool {
        self.port_word_value(v).is_some()
    }

    /// `p`, `p:q` (and `p:*` when `star`); only `rdr` ranges must ascend.
    fn port_range(&mut self, v: &SValue, star: bool) -> bool {
        self.port_range_ordered(v, star, None)
    }

    pub(super) fn port_range_ordered(
        &mut self,
        v: &SValue,
        star: bool,
        order: Option<&str>,
    ) -> bool {
        let t = v.node.text();
        match t.split_once(':') {
            None => self.port_word(v),
            Some((a, "*")) if star => {
                self.port_word(&Spanned::new(Value::Word(Text::from(a)), v.span))
            }
            Some((a, b)) => {
                let x = self.port_word_value(&Spanned::new(Value::Word(Text::from(a)), v.span));
                let y = self.port_word_value(&Spanned::new(Value::Word(Text::from(b)), v.span));
                match (x, y) {
                    (Some(x), Some(y)) if x > y && order != Some("") => {
                        let msg = order.map_or("invalid port range".to_string(), |o| {
                            format!("invalid {o} port range")
                        });
                        self.help("bad-port", v.span, msg, "write the lower port first");
                        false
                    }
                    (Some(_), Some(_)) => true,
                    _ => false,
                }
            }
        }
    }

    pub(super) fn uids(&mut self, items: &[Spanned<PortItem>], what: &str) {
        for it in items {
            let vals: Vec<(&SValue, Option<PortOperator>)> = match &it.node {
                PortItem::Eq { value } => vec![(value, None)],
                PortItem::Unary { op, value } => vec![(value, Some(*op))],
                PortItem::Binary { low, op, high } => vec![(low, Some(*op)), (high, Some(*op))],
            };
            for (v, op) in vals {
                let t = v.node.text();
                if t == "unknown" {
                    if let Some(op) = op {
                        if !matches!(op, PortOperator::Eq | PortOperator::Ne) {
                            self.err(
                                "bad-value",
                                it.span,
                                format!("{what} unknown requires operator = or !="),
                            );
                        }
                    }
                } else if let Ok(n) = t.parse::<i64>() {
                    if !(0..i64::from(u32::MAX)).contains(&n) {
                        let msg = if what == "user" {
                            format!("illegal uid value {n}")
                        } else {
                            format!("illegal gid value {n}")
                        };
                        self.err("bad-value", v.span, msg);
                    }
                }
            }
        }
    }
}

pub(super) fn host_family(h: &Host) -> Option<Family> {
    match &h.kind {
        HostKind::Address { addr, mask } => parse_addr_word(addr.node.text(), mask.is_some())
            .ok()
            .and_then(|a| a.family()),
        HostKind::Range { from, .. } => parse_addr_word(from.node.text(), false)
            .ok()
            .and_then(|a| a.family()),
        _ => None,
    }
}

/// Whether pfctl can leave an expanded rule without an address family on
/// this side: true when a host of the list has none in pfctl's
/// `node_host` (`any` and an empty side, tables, `(interface)`, route
/// labels, `no-route`, `urpf-failed`). Addresses have their family; a name
/// (interface, group, `self`, DNS name) becomes addresses that have one.
pub(super) fn some_host_without_family(hosts: &[Spanned<Host>]) -> bool {
    hosts.is_empty()
        || hosts.iter().any(|h| match &h.node.kind {
            HostKind::Address { .. } | HostKind::Range { .. } => false,
            HostKind::List(v) => some_host_without_family(v),
            _ => true,
        })
}

/// Whether a translation or routing pool gives a rule without one an
/// address family (parse.y 1.719 `collapse_redirspec`: the family of the
/// first pool host that has one): true when a host is an address or a name.
pub(super) fn pool_has_family(pool: &Redirect) -> bool {
    fn has(h: &Host) -> bool {
        match &h.kind {
            HostKind::Address { .. } | HostKind::Range { .. } => true,
            HostKind::List(v) => v.iter().any(|x| has(&x.node)),
            _ => false,
        }
    }
    pool.hosts.iter().any(|h| has(&h.host.node))
}
