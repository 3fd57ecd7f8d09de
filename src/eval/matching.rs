//! Whether one rule matches a packet: yes, no, or maybe with the reason.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tri {
    Yes,
    No,
    Maybe,
}

impl Tri {
    pub(super) fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, Tri::Yes) => Tri::Yes,
            _ => Tri::Maybe,
        }
    }

    pub(super) fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, Tri::No) => Tri::No,
            _ => Tri::Maybe,
        }
    }

    pub(super) fn not(self, neg: bool) -> Tri {
        match (self, neg) {
            (t, false) => t,
            (Tri::Yes, true) => Tri::No,
            (Tri::No, true) => Tri::Yes,
            (Tri::Maybe, true) => Tri::Maybe,
        }
    }

    pub(super) fn from(b: bool) -> Tri {
        if b {
            Tri::Yes
        } else {
            Tri::No
        }
    }
}

/// What a rule's address is compared with: a known address, a set of
/// addresses, or nothing known.
#[derive(Clone, Copy)]
enum Want<'p> {
    Addr(IpAddr),
    Set(&'p AddrSet),
    Unknown,
}

impl<'p> Want<'p> {
    fn of(addr: Option<IpAddr>, set: Option<&'p AddrSet>) -> Want<'p> {
        match (addr, set) {
            (Some(a), _) => Want::Addr(a),
            (None, Some(s)) => Want::Set(s),
            _ => Want::Unknown,
        }
    }
}

/// Whether a prefix holds every, none or some of a set's addresses.
fn net_vs_set(n: &IpNet, s: &AddrSet) -> Tri {
    if n.contains(&s.net) {
        Tri::Yes
    } else if !s.net.contains(n) {
        // Two prefixes either nest or are disjoint.
        Tri::No
    } else if n.prefix_len() == n.max_prefix_len() && s.except.contains(&n.addr()) {
        Tri::No
    } else {
        Tri::Maybe
    }
}

impl<'a> Eval<'a> {
    /// Records why the match being computed is undecided (first reason
    /// wins) and answers Maybe.
    pub(super) fn maybe(&self, why: impl FnOnce() -> String) -> Tri {
        let mut w = self.why.borrow_mut();
        if w.is_none() {
            *w = Some(why());
        }
        Tri::Maybe
    }
}

impl<'a> Eval<'a> {
    /// Interface name or group against the packet's interface.
    pub(super) fn interface_name(&self, name: &str) -> Tri {
        let Some(pi) = &self.pkt.interface else {
            return self.maybe(|| "the packet's interface is not given".into());
        };
        if self.carp_parent_unknown {
            // pf filters it with the parent's kif: the CARP interface's
            // own name and the `carp` group never match; `any` does.
            if name == "any" {
                return Tri::Yes;
            }
            if name == pi || name == "carp" {
                return Tri::No;
            }
            return self.maybe(|| {
                format!(
                    "pf filters {pi}'s packets as on its carpdev, which is not known (give --node)"
                )
            });
        }
        if name == pi || name == "any" {
            return Tri::Yes;
        }
        if let Some(node) = self.node {
            return match node.in_group(pi, name) {
                Known::Yes => Tri::Yes,
                Known::No => Tri::No,
                Known::Unknown(why) => self.maybe(|| why),
            };
        }
        let driver = crate::node::driver(pi);
        if !name.ends_with(|c: char| c.is_ascii_digit()) {
            // A group: the driver group (`em` holds em0) is known; other
            // groups (`egress`, user groups) are not without a node.
            if name == driver {
                return Tri::Yes;
            }
            // A driver's own group holds only that driver's interfaces.
            if crate::node::is_driver_group(name) {
                return Tri::No;
            }
            return self
                .maybe(|| format!("the members of group `{name}` are not known (give --node)"));
        }
        Tri::No
    }

    pub(super) fn rule_matches(&self, r: &FilterRule) -> Tri {
        let p = self.pkt;
        let mut m = Tri::Yes;
        if let Some(d) = r.direction {
            m = m.and(match p.direction {
                Some(pd) => Tri::from(pd == d),
                None => self.maybe(|| "the packet's direction is not given".into()),
            });
        }
        if !r.interfaces.is_empty() {
            let mut any = Tri::No;
            for i in &r.interfaces {
                let t = match &i.node.target {
                    // pfi_kif_match (pf_if.c 1.112): `any` is every
                    // interface but loopback ones.
                    IfTarget::Any => match &p.interface {
                        Some(pi) => Tri::from(crate::node::driver(pi) != "lo"),
                        None => self.maybe(|| "the packet's interface is not given".into()),
                    },
                    IfTarget::Rdomain(_) => {
                        self.maybe(|| "the interface's rdomain is not known".into())
                    }
                    IfTarget::Name(n) => self.interface_name(n.node.text()),
                };
                any = any.or(t.not(i.node.not));
            }
            m = m.and(any);
        }
        if m == Tri::No {
            return m;
        }
        if let Some(af) = &r.af {
            m = m.and(match p.af {
                Some(pa) => Tri::from(pa == af.node),
                None => self.maybe(|| "the packet's address family is not given".into()),
            });
        }
        if !r.protos.is_empty() {
            let mut any = Tri::No;
            for x in &r.protos {
                let n = x.node.text().parse::<Protocol>().ok();
                any = any.or(match (n, p.proto) {
                    (Some(a), Some(b)) => Tri::from(a == b),
                    _ => self.maybe(|| "the packet's protocol is not given".into()),
                });
            }
            m = m.and(any);
        }
        if m == Tri::No {
            return m;
        }
        if let Some(f) = &r.hosts.from {
            m = m.and(self.endpoint(f, Want::of(p.src, p.src_set.as_ref()), p.src_port, "source"));
        }
        if let Some(t) = &r.hosts.to {
            m = m.and(self.endpoint(t, Want::of(p.dst, None), p.dst_port, "destination"));
        }
        if m == Tri::No {
            return m;
        }
        if !r.hosts.os.is_empty() {
            m = m.and(self.maybe(|| "the sender's operating system (os) is not known".into()));
        }
        for o in &r.options {
            m = m.and(self.option_matches(&o.node));
        }
        m
    }

    /// Whether option `o` lets the packet match: surely when it does not
    /// narrow what the rule matches ([`FilterOpt::narrows`]), a *maybe*
    /// with the reason when it tests what the packet description does not
    /// fix.
    fn option_matches(&self, o: &FilterOpt) -> Tri {
        if !o.narrows() {
            return Tri::Yes;
        }
        let p = self.pkt;
        match o {
            FilterOpt::User { .. } | FilterOpt::Group { .. } => {
                self.maybe(|| "the socket's user or group is not known".into())
            }
            FilterOpt::Probability { .. } => {
                self.maybe(|| "the rule matches by probability".into())
            }
            FilterOpt::ReceivedOn { .. } => {
                self.maybe(|| "the interface the packet was received on is not known".into())
            }
            FilterOpt::Prio { .. } | FilterOpt::Tos { .. } => {
                self.maybe(|| "the packet's priority or TOS is not known".into())
            }
            // Flags are tested on TCP packets only.
            FilterOpt::Flags { .. } if p.proto == Some(Protocol::TCP) => {
                self.maybe(|| "the packet's TCP flags are not given".into())
            }
            FilterOpt::Flags { .. } => Tri::Yes,
            FilterOpt::IcmpType { .. }
                if matches!(p.proto, Some(Protocol::ICMP | Protocol::ICMP6)) =>
            {
                self.maybe(|| "the packet's ICMP type is not given".into())
            }
            FilterOpt::IcmpType { .. } => Tri::Yes,
            FilterOpt::Fragment => {
                self.maybe(|| "whether the packet is a fragment is not given".into())
            }
            FilterOpt::Once => {
                self.maybe(|| "a `once` rule stops matching after its first match".into())
            }
            FilterOpt::MaxPktRate { .. } => {
                self.maybe(|| "the rule's packet rate (max-pkt-rate) is not known".into())
            }
            FilterOpt::Limiter { .. } => {
                self.maybe(|| "whether the limiter has room is not known".into())
            }
            // Judged per possibility, in rule order (see `tagged`).
            FilterOpt::Tagged { .. } => Tri::Yes,
            // Actions: `narrows` is false for them.
            FilterOpt::State { .. }
            | FilterOpt::AllowOpts
            | FilterOpt::Label { .. }
            | FilterOpt::Queue { .. }
            | FilterOpt::Tag { .. }
            | FilterOpt::Rtable { .. }
            | FilterOpt::DivertTo { .. }
            | FilterOpt::DivertReply
            | FilterOpt::DivertPacket { .. }
            | FilterOpt::Scrub { .. }
            | FilterOpt::NatTo(_)
            | FilterOpt::BinatTo(_)
            | FilterOpt::RdrTo(_)
            | FilterOpt::AfTo { .. }
            | FilterOpt::Route { .. }
            | FilterOpt::SetPrio { .. }
            | FilterOpt::SetTos { .. }
            | FilterOpt::SetDelay { .. } => Tri::Yes,
        }
    }

    fn endpoint(&self, e: &Endpoint, addr: Want, port: Option<Port>, side: &str) -> Tri {
        let mut m = Tri::Yes;
        if !e.any && !e.hosts.is_empty() {
            let mut any = Tri::No;
            for h in &e.hosts {
                any = any.or(self.host(&h.node, addr, side));
            }
            m = m.and(any);
        }
        if !e.ports.is_empty() {
            let mut any = Tri::No;
            for p in &e.ports {
                any = any.or(match port {
                    Some(_) => port_match(&p.node, port),
                    None => self.maybe(|| format!("the packet's {side} port is not given")),
                });
            }
            m = m.and(any);
        }
        m
    }

    /// A literal prefix against what is wanted.
    fn net_match(&self, n: IpNet, want: Want, side: &str) -> Tri {
        match want {
            Want::Addr(a) => Tri::from(n.contains(&a)),
            Want::Set(s) => match net_vs_set(&n, s) {
                Tri::Maybe => self.maybe(|| format!("the peer's {side} address within {} is not known, and {n} covers only part of it", s.net)),
                t => t,
            },
            Want::Unknown => self.maybe(|| format!("the packet's {side} address is not given")),
        }
    }

    fn host(&self, h: &Host, want: Want, side: &str) -> Tri {
        let t = match &h.kind {
            HostKind::Any => Tri::Yes,
            HostKind::List(v) => v
                .iter()
                .fold(Tri::No, |acc, x| acc.or(self.host(&x.node, want, side))),
            HostKind::Address { addr: w, mask } => {
                match parse_addr_word(w.node.text(), mask.is_some()) {
                    Ok(AddrWord::Name { name, modifiers }) => {
                        self.interface_addr(&name, &modifiers, want, side)
                    }
                    Ok(_) => match crate::values::addr_net(
                        w.node.text(),
                        mask.as_ref().map(|m| m.node.text()),
                    ) {
                        Some(n) => match (n, want) {
                            (IpNet::V4(_), Want::Addr(IpAddr::V6(_)))
                            | (IpNet::V6(_), Want::Addr(IpAddr::V4(_))) => Tri::No,
                            _ => self.net_match(n, want, side),
                        },
                        None => self
                            .maybe(|| format!("the rule's {side} address is not a plain prefix")),
                    },
                    Err(_) => self.maybe(|| format!("the rule's {side} address is not understood")),
                }
            }
            HostKind::Dynamic { ifname, .. } => {
                let mut parts = ifname.node.text().split(':');
                let name = parts.next().unwrap_or("").to_string();
                let mods: Vec<String> = parts.map(str::to_string).collect();
                self.interface_addr(&name, &mods, want, side)
            }
            HostKind::Table { name } => self.table(name.node.text(), want, side),
            HostKind::Range { from, to } => match (
                parse_addr_word(from.node.text(), false),
                parse_addr_word(to.node.text(), false),
                want,
            ) {
                (Ok(AddrWord::V4(a)), Ok(AddrWord::V4(b)), Want::Addr(IpAddr::V4(p))) => {
                    Tri::from(a <= p && p <= b)
                }
                (Ok(AddrWord::V6(a)), Ok(AddrWord::V6(b)), Want::Addr(IpAddr::V6(p))) => {
                    Tri::from(a <= p && p <= b)
                }
                _ => self.maybe(|| {
                    format!("the {side} address range is not judged against this packet")
                }),
            },
            _ => self.maybe(|| format!("the rule's {side} address is resolved at run time")),
        };
        t.not(h.not)
    }

    fn table(&self, name: &str, want: Want, side: &str) -> Tri {
        let Some((entries, may_grow)) = self.tables.get(name) else {
            return self
                .maybe(|| format!("table <{name}> is filled at run time or from a file not read"));
        };
        let grows = || {
            self.maybe(|| format!("table <{name}> may gain entries at run time (it is not const)"))
        };
        match want {
            Want::Addr(a) => {
                // The longest matching prefix decides; `!` entries exclude.
                let best = entries
                    .iter()
                    .filter(|(_, n)| n.contains(&a))
                    .max_by_key(|(_, n)| n.prefix_len());
                match best {
                    Some((false, _)) => Tri::Yes,
                    _ if *may_grow => grows(),
                    _ => Tri::No,
                }
            }
            Want::Set(s) => {
                let base = entries
                    .iter()
                    .filter(|(_, n)| n.contains(&s.net))
                    .max_by_key(|(_, n)| n.prefix_len())
                    .is_some_and(|(neg, _)| !neg);
                let inner_differs = entries
                    .iter()
                    .filter(|(_, n)| s.net.contains(n) && *n != s.net)
                    .any(|(neg, n)| *neg == base && net_vs_set(n, s) != Tri::No);
                if inner_differs {
                    self.maybe(|| format!("table <{name}> holds part of {}, and the peer's {side} address there is not known", s.net))
                } else if base {
                    Tri::Yes
                } else if *may_grow {
                    grows()
                } else {
                    Tri::No
                }
            }
            Want::Unknown => self.maybe(|| format!("the packet's {side} address is not given")),
        }
    }
}

impl Eval<'_> {
    /// An interface name (or group, or `self`) as an address: its
    /// addresses, or with `:network` its networks. With a node, its
    /// addresses come from the node model (unknown where set at run
    /// time); else from `--interfaces`. `:broadcast` and `:peer` are not
    /// modelled.
    fn interface_addr(&self, name: &str, modifiers: &[String], want: Want, side: &str) -> Tri {
        if modifiers.iter().any(|m| m == "broadcast" || m == "peer") {
            return self.maybe(|| format!("{name}:{} is not modelled", modifiers.join(":")));
        }
        let network = modifiers.iter().any(|m| m == "network");
        let first_only = modifiers.iter().any(|m| m == "0");
        // A dotted name is no interface: pfctl resolved it through DNS
        // when it loaded the ruleset.
        if name.contains('.') && self.node.is_none_or(|n| n.interface(name).is_none()) {
            return self.maybe(|| {
                format!("{name} is a host name: pf holds the addresses DNS gave for it when the ruleset was loaded")
            });
        }
        let (nets, open): (Vec<(IpAddr, u8)>, bool) = if let Some(node) = self.node {
            let (addrs, open) = node.addresses(name);
            let mut v: Vec<(IpAddr, u8)> = Vec::new();
            for a in addrs {
                if first_only && v.iter().any(|(x, _)| x.is_ipv4() == a.addr.is_ipv4()) {
                    continue;
                }
                v.push((a.addr, a.prefix));
            }
            if name == "self" {
                // Loopback addresses are the node's too.
                v.push((
                    "127.0.0.1"
                        .parse()
                        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
                    8,
                ));
                v.push((IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), 128));
            }
            (v, open)
        } else if let Some(ifs) = self.interfaces {
            match ifs.lookup(name) {
                Some(addrs) => (
                    addrs.iter().map(|(_, x)| (x.addr, x.prefix)).collect(),
                    false,
                ),
                None => return self.maybe(|| format!("the addresses of {name} are not known")),
            }
        } else {
            return self.maybe(|| {
                format!("the addresses of {name} are not known (give --node or --interfaces)")
            });
        };
        let mut t = Tri::No;
        for (addr, prefix) in nets {
            let n = if network {
                IpNet::new(addr, prefix)
                    .map(|n| n.trunc())
                    .unwrap_or(IpNet::from(addr))
            } else {
                IpNet::from(addr)
            };
            let one = match want {
                Want::Addr(a) => Tri::from(n.contains(&a)),
                Want::Set(s) => net_vs_set(&n, s),
                Want::Unknown => Tri::Maybe,
            };
            t = t.or(one);
        }
        match t {
            Tri::Yes => Tri::Yes,
            Tri::No if !open => Tri::No,
            Tri::No => self.maybe(|| format!("some addresses of {name} are set at run time (dhcp, autoconf) or its members are not all known")),
            Tri::Maybe => match want {
                Want::Unknown => self.maybe(|| format!("the packet's {side} address is not given")),
                _ => self.maybe(|| format!("the peer's {side} address is not known, and {name} covers only part of its network")),
            },
        }
    }
}

fn port_match(p: &PortItem, port: Option<Port>) -> Tri {
    let Some(Port(port)) = port else {
        return Tri::Maybe;
    };
    let val = |v: &SValue| port_value(v.node.text()).ok();
    match p {
        PortItem::Eq { value } => match value.node.text().split_once(':') {
            Some((a, b)) => match (port_value(a).ok(), port_value(b).ok()) {
                (Some(a), Some(b)) => Tri::from(a <= port && port <= b),
                _ => Tri::Maybe,
            },
            None => val(value).map_or(Tri::Maybe, |v| Tri::from(v == port)),
        },
        PortItem::Unary { op, value } => val(value).map_or(Tri::Maybe, |v| {
            Tri::from(op.matches(port.into(), v.into(), 0))
        }),
        PortItem::Binary { low, op, high } => match (val(low), val(high)) {
            (Some(a), Some(b)) => Tri::from(op.matches(port.into(), a.into(), b.into())),
            _ => Tri::Maybe,
        },
    }
}
