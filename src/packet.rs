//! Packet descriptions: what is known of one packet ([`Packet`], with
//! [`AddrSet`] for a source known only to lie in a network), reading and
//! writing one in pf's rule vocabulary ([`parse_packet`], `FromStr`,
//! `Display`, [`PacketError`]), and the plain CARP and pfsync packets on
//! an interface ([`carp_packet`], [`pfsync_packet`]).
//!
//! The module sits below the node model and the evaluator: the HA probes
//! of a node ([`crate::node::probes`]) describe packets, the evaluator
//! ([`crate::eval`]) judges them, and neither has to import the other for
//! it. It imports only `ast`, `numbers`, `span` and, to read a
//! description, `parser`. It is private; its items are public at
//! `pfconf::eval` (`pfconf::eval::Packet`, `pfconf::eval::parse_packet`...).
//!
//! Invariants: a field left `None` is not known, and the evaluator treats
//! it so (a rule depending on it *maybe* matches); nothing here fills one
//! in by guessing. [`parse_packet`] accepts only what describes one packet
//! (one interface, one protocol, one address and one port per side, the
//! family agreeing with the addresses) and answers anything else with a
//! [`PacketError`] at its column. `Display` writes the vocabulary
//! [`parse_packet`] reads, except [`Packet::src_set`], which it cannot say.

use crate::ast::*;
use crate::numbers::{PortError, ProtocolError};
use crate::span::Span;
use crate::{Port, Protocol};
use ipnet::IpNet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// Addresses a packet's source is known to lie in: a network less some
/// addresses. The peer of a CARP pair sends from "some address on the
/// parent's network that is not ours": a rule by source then matches
/// surely (a table holding the whole network), surely not (another
/// network), or undecided (a single host inside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrSet {
    /// The network.
    pub net: IpNet,
    /// Addresses of the network that are not in the set.
    pub except: Vec<IpAddr>,
}

/// A packet, as far as it is known. `FromStr` reads it in pf's rule
/// vocabulary ([`parse_packet`]); `Display` writes it so (without
/// [`Packet::src_set`], which that vocabulary cannot say).
///
/// ```
/// use pfconf::eval::Packet;
/// use pfconf::{Port, Protocol};
///
/// let p: Packet = "in on em0 proto tcp from 192.0.2.7 to 10.0.0.1 port https".parse().unwrap();
/// assert_eq!((p.proto, p.dst_port), (Some(Protocol::TCP), Some(Port(443))));
/// assert_eq!(p.to_string(), "in on em0 proto tcp from 192.0.2.7 to 10.0.0.1 port 443");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packet {
    /// in or out.
    pub direction: Option<Direction>,
    /// Interface (e.g. `em0`).
    pub interface: Option<String>,
    /// Address family.
    pub af: Option<AddressFamily>,
    /// IP protocol.
    pub proto: Option<Protocol>,
    /// Source address.
    pub src: Option<IpAddr>,
    /// Destination address.
    pub dst: Option<IpAddr>,
    /// Source port.
    pub src_port: Option<Port>,
    /// Destination port.
    pub dst_port: Option<Port>,
    /// Tags the packet already carries.
    pub tags: Vec<String>,
    /// When `src` is not known: the addresses it is known to lie in.
    pub src_set: Option<AddrSet>,
}

/// The group CARP advertises to over IPv4 (carp(4)).
pub(crate) const CARP_GROUP_V4: IpAddr = IpAddr::V4(Ipv4Addr::new(224, 0, 0, 18));
/// The group CARP advertises to over IPv6 (carp(4)).
pub(crate) const CARP_GROUP_V6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12));
/// The group pfsync sends to without `syncpeer` (pfsync(4), IPv4 only).
pub(crate) const PFSYNC_GROUP: IpAddr = IpAddr::V4(Ipv4Addr::new(224, 0, 0, 240));

/// CARP advertisement (proto 112 to 224.0.0.18) on `interface`.
pub fn carp_packet(interface: &str, direction: Direction) -> Packet {
    Packet {
        direction: Some(direction),
        interface: Some(interface.to_string()),
        af: Some(AddressFamily::Inet),
        proto: Some(Protocol::CARP),
        src: None,
        dst: Some(CARP_GROUP_V4),
        ..Packet::default()
    }
}

/// pfsync packet (proto 240, to the pfsync group 224.0.0.240) on
/// `interface`.
pub fn pfsync_packet(interface: &str, direction: Direction) -> Packet {
    Packet {
        direction: Some(direction),
        interface: Some(interface.to_string()),
        af: Some(AddressFamily::Inet),
        proto: Some(Protocol::PFSYNC),
        src: None,
        dst: Some(PFSYNC_GROUP),
        ..Packet::default()
    }
}

/// Reads a packet written in pf's rule vocabulary:
/// `in on em0 inet proto tcp from 198.51.100.7 port 40000 to 203.0.113.1
/// port 443 tagged T`. Unknown parts stay unknown.
///
/// ```
/// use pfconf::eval::{parse_packet, PacketErrorKind};
///
/// let e = parse_packet("in on em0 proto tcp to 10.0.0.1 port 99999").unwrap_err();
/// assert_eq!(e.to_string(), "illegal port value 99999");
/// assert_eq!(e.column, 38);
/// assert!(matches!(e.kind, PacketErrorKind::Port(_)));
/// assert_eq!(e.expected(), "a port number or service name");
/// ```
pub fn parse_packet(text: &str) -> Result<Packet, PacketError> {
    const PREFIX: &str = "pass ";
    let rule_text = format!("{PREFIX}{text}");
    let map = crate::parser::PosMap::Direct {
        file: crate::span::FileId(0),
        offset: 0,
    };
    // Columns in `text`, from 1.
    let column = |s: Span| s.start().saturating_sub(PREFIX.len()) + 1;
    let fail = |s: Span, kind: PacketErrorKind| PacketError {
        column: column(s),
        kind,
    };
    let kind = crate::parser::parse_statement(&rule_text, &map)
        .map_err(|d| fail(d.span, PacketErrorKind::Syntax(d.message)))?;
    let StatementKind::Rule(r) = kind else {
        return Err(PacketError {
            column: 1,
            kind: PacketErrorKind::NotAPacket,
        });
    };
    let mut p = Packet {
        direction: r.direction,
        af: r.af.as_ref().map(|a| a.node),
        ..Packet::default()
    };
    match r.interfaces.as_slice() {
        [] => {}
        [i] => match (&i.node.target, i.node.not) {
            (IfTarget::Name(n), false) => p.interface = Some(n.node.text().to_string()),
            _ => return Err(fail(i.span, PacketErrorKind::Interface)),
        },
        [_, i, ..] => return Err(fail(i.span, PacketErrorKind::Interface)),
    }
    match r.protos.as_slice() {
        [] => {}
        [x] => {
            let proto = x.node.text().parse::<Protocol>();
            p.proto = Some(proto.map_err(|e| fail(x.span, PacketErrorKind::Protocol(e)))?);
        }
        [_, x, ..] => return Err(fail(x.span, PacketErrorKind::Protocols)),
    }
    type SideOf = (Option<(IpAddr, Span)>, Option<Port>);
    let side = |e: &Option<Box<Endpoint>>| -> Result<SideOf, PacketError> {
        let Some(e) = e else {
            return Ok((None, None));
        };
        let addr = match e.hosts.as_slice() {
            [] => None,
            [h] => match &h.node.kind {
                HostKind::Address { addr, mask: None } if !h.node.not => {
                    let word = addr.node.text();
                    let ip = word.split('%').next().unwrap_or("").parse::<IpAddr>();
                    let ip = ip
                        .map_err(|_| fail(addr.span, PacketErrorKind::Address(word.to_string())))?;
                    Some((ip, addr.span))
                }
                _ => return Err(fail(h.span, PacketErrorKind::Addresses)),
            },
            [_, h, ..] => return Err(fail(h.span, PacketErrorKind::Addresses)),
        };
        let port = match e.ports.as_slice() {
            [] => None,
            [x] => match &x.node {
                PortItem::Eq { value } => Some(
                    value
                        .node
                        .text()
                        .parse::<Port>()
                        .map_err(|e| fail(value.span, PacketErrorKind::Port(e)))?,
                ),
                _ => return Err(fail(x.span, PacketErrorKind::Ports)),
            },
            [_, x, ..] => return Err(fail(x.span, PacketErrorKind::Ports)),
        };
        Ok((addr, port))
    };
    let (src, src_port) = side(&r.hosts.from)?;
    let (dst, dst_port) = side(&r.hosts.to)?;
    (p.src_port, p.dst_port) = (src_port, dst_port);
    for (a, span) in [src, dst].into_iter().flatten() {
        let fam = AddressFamily::of(&a);
        if p.af.is_some_and(|x| x != fam) {
            return Err(fail(span, PacketErrorKind::Family));
        }
        p.af = Some(fam);
    }
    (p.src, p.dst) = (src.map(|(a, _)| a), dst.map(|(a, _)| a));
    for o in &r.options {
        match &o.node {
            FilterOpt::Tagged { not: false, value } => p.tags.push(
                value
                    .iter()
                    .map(|v| v.node.text())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            FilterOpt::Flags { .. } | FilterOpt::IcmpType { .. } => {}
            _ => return Err(fail(o.span, PacketErrorKind::Option)),
        }
    }
    Ok(p)
}

impl FromStr for Packet {
    type Err = PacketError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_packet(s)
    }
}

impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = Vec::new();
        if let Some(d) = self.direction {
            words.push(d.to_string());
        }
        if let Some(i) = &self.interface {
            words.push(format!("on {i}"));
        }
        // The addresses say the family when there are any.
        if let (Some(af), None, None) = (self.af, self.src, self.dst) {
            words.push(af.to_string());
        }
        if let Some(p) = self.proto {
            words.push(format!("proto {p}"));
        }
        for (kw, addr, port) in [
            ("from", self.src, self.src_port),
            ("to", self.dst, self.dst_port),
        ] {
            match (addr, port) {
                (Some(a), _) => words.push(format!("{kw} {a}")),
                (None, Some(_)) => words.push(format!("{kw} any")),
                (None, None) => {}
            }
            if let Some(port) = port {
                words.push(format!("port {port}"));
            }
        }
        for t in &self.tags {
            words.push(format!("tagged {t}"));
        }
        f.write_str(&words.join(" "))
    }
}

/// Why a packet description could not be read: where, and what is wrong.
/// `Display` gives the message `pfconf eval` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketError {
    /// Column (from 1, in bytes) of the part at fault in the description.
    pub column: usize,
    /// What is wrong.
    pub kind: PacketErrorKind,
}

/// What is wrong with a packet description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketErrorKind {
    /// It is no rule body: the parser's message.
    Syntax(String),
    /// It reads as some other statement.
    NotAPacket,
    /// `on` names a list, a negation, `any` or `rdomain`, not one interface.
    Interface,
    /// `proto` names no protocol.
    Protocol(ProtocolError),
    /// `proto` names more than one.
    Protocols,
    /// An address that is no IP address (a host or interface name).
    Address(String),
    /// A side has a list, network, range, table or negation, not one address.
    Addresses,
    /// A port that is no port.
    Port(PortError),
    /// A side has a list or a comparison, not one port.
    Ports,
    /// An address of the other family than `inet`/`inet6` or the other address.
    Family,
    /// A rule option that does not describe a packet (`keep state`, `label`...).
    Option,
}

impl PacketError {
    /// What the description should have at [`column`](Self::column), in
    /// words.
    pub fn expected(&self) -> &'static str {
        match &self.kind {
            PacketErrorKind::Syntax(_) | PacketErrorKind::NotAPacket => {
                "a packet in pf's rule vocabulary: [in|out] [on IF] [inet|inet6] [proto P] \
                 [from A [port N]] [to A [port N]] [tagged T]"
            }
            PacketErrorKind::Interface => "one interface name",
            PacketErrorKind::Protocol(_) => "a protocol name or number",
            PacketErrorKind::Protocols => "one protocol",
            PacketErrorKind::Address(_) => "an IP address",
            PacketErrorKind::Addresses => "one address",
            PacketErrorKind::Port(_) => "a port number or service name",
            PacketErrorKind::Ports => "one port",
            PacketErrorKind::Family => "an address of the packet's family",
            PacketErrorKind::Option => {
                "direction, on, af, proto, from, to, flags, icmp-type or tagged"
            }
        }
    }
}

impl fmt::Display for PacketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            PacketErrorKind::Syntax(m) => write!(f, "{m} (at column {})", self.column),
            PacketErrorKind::NotAPacket => f.write_str("not a packet description"),
            PacketErrorKind::Interface => f.write_str("`on` takes one interface name"),
            PacketErrorKind::Protocol(e) => e.fmt(f),
            PacketErrorKind::Protocols => f.write_str("`proto` takes one protocol"),
            PacketErrorKind::Address(a) => write!(f, "{a} is not an address"),
            PacketErrorKind::Addresses => f.write_str("a packet has one address per side"),
            PacketErrorKind::Port(e) => e.fmt(f),
            PacketErrorKind::Ports => f.write_str("a packet has one port per side"),
            PacketErrorKind::Family => f.write_str("the addresses do not match the address family"),
            PacketErrorKind::Option => f.write_str(
                "a packet description takes direction, on, af, proto, from, to, flags, \
                 icmp-type and tagged only",
            ),
        }
    }
}

impl std::error::Error for PacketError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            PacketErrorKind::Protocol(e) => Some(e),
            PacketErrorKind::Port(e) => Some(e),
            _ => None,
        }
    }
}
