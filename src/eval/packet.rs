//! Packets: reading one written in pf's rule vocabulary, and the CARP and
//! pfsync packets the HA lints ask about.

use super::Packet;
use crate::ast::*;
use crate::names;
use crate::values::port_value;
use std::net::IpAddr;

/// CARP advertisement (proto 112 to 224.0.0.18) on `interface`.
pub fn carp_packet(interface: &str, direction: Direction) -> Packet {
    Packet {
        direction: Some(direction),
        interface: Some(interface.to_string()),
        af: Some(AddressFamily::Inet),
        proto: Some(112),
        src: None,
        dst: Some(IpAddr::V4(std::net::Ipv4Addr::new(224, 0, 0, 18))),
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
        proto: Some(240),
        src: None,
        dst: Some(IpAddr::V4(std::net::Ipv4Addr::new(224, 0, 0, 240))),
        ..Packet::default()
    }
}

/// Reads a packet written in pf's rule vocabulary:
/// `in on em0 inet proto tcp from 198.51.100.7 port 40000 to 203.0.113.1
/// port 443 tagged T`. Unknown parts stay unknown.
pub fn parse_packet(text: &str) -> Result<Packet, String> {
    let rule_text = format!("pass {text}");
    let map = crate::parser::PosMap::Direct {
        file: crate::span::FileId(0),
        offset: 0,
    };
    let kind = crate::parser::parse_statement(&rule_text, &map).map_err(|d| {
        let col = d.span.start.saturating_sub(5) + 1;
        format!("{} (at column {col})", d.message)
    })?;
    let StatementKind::Rule(r) = kind else {
        return Err("not a packet description".into());
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
            _ => return Err("`on` takes one interface name".into()),
        },
        _ => return Err("`on` takes one interface name".into()),
    }
    match r.protos.as_slice() {
        [] => {}
        [x] => {
            let t = x.node.text();
            p.proto = Some(
                t.parse::<u8>()
                    .ok()
                    .or_else(|| names::protocol_number(t))
                    .ok_or_else(|| format!("unknown protocol {t}"))?,
            );
        }
        _ => return Err("`proto` takes one protocol".into()),
    }
    let side = |e: &Option<Box<Endpoint>>| -> Result<(Option<IpAddr>, Option<u16>), String> {
        let Some(e) = e else {
            return Ok((None, None));
        };
        let addr = match e.hosts.as_slice() {
            [] => None,
            [h] => match &h.node.kind {
                HostKind::Address { addr, mask: None } if !h.node.not => Some(
                    addr.node
                        .text()
                        .split('%')
                        .next()
                        .unwrap_or("")
                        .parse::<IpAddr>()
                        .map_err(|_| format!("{} is not an address", addr.node.text()))?,
                ),
                _ => return Err("a packet has one address per side".into()),
            },
            _ => return Err("a packet has one address per side".into()),
        };
        let port = match e.ports.as_slice() {
            [] => None,
            [x] => match &x.node {
                PortItem::Eq { value } => Some(port_value(value.node.text())?),
                _ => return Err("a packet has one port per side".into()),
            },
            _ => return Err("a packet has one port per side".into()),
        };
        Ok((addr, port))
    };
    (p.src, p.src_port) = side(&r.hosts.from)?;
    (p.dst, p.dst_port) = side(&r.hosts.to)?;
    for a in [p.src, p.dst].into_iter().flatten() {
        let fam = if a.is_ipv4() {
            AddressFamily::Inet
        } else {
            AddressFamily::Inet6
        };
        if p.af.is_some_and(|x| x != fam) {
            return Err("the addresses do not match the address family".into());
        }
        p.af = Some(fam);
    }
    for o in &r.options {
        match &o.node {
            FilterOpt::Tagged { not: false, value } => {
                p.tags.push(value.iter().map(|v| v.node.text()).collect::<Vec<_>>().join(" "))
            }
            FilterOpt::Flags { .. } | FilterOpt::IcmpType { .. } => {}
            _ => return Err("a packet description takes direction, on, af, proto, from, to, flags, icmp-type and tagged only".into()),
        }
    }
    Ok(p)
}
