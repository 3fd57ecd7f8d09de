//! Packets and a node, described with the same pools as the ruleset
//! (interfaces, networks, ports, tags), so that rules match them.

use crate::ruleset::{Addr, PortValue, IFACES, NETS4, TAGS};
use arbitrary::Arbitrary;
use pfconf::ast::Direction;
use pfconf::eval::{carp_packet, parse_packet, pfsync_packet, Packet};
use std::fmt::Write;

/// A packet's protocol.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketProto {
    /// tcp
    Tcp,
    /// udp
    Udp,
    /// icmp or icmp6
    Icmp,
    /// carp
    Carp,
    /// pfsync
    Pfsync,
    /// Not said.
    Unknown,
}

/// A packet, as `pfconf eval` reads it.
#[derive(Arbitrary, Debug, Clone)]
pub enum PacketDesc {
    /// Written in pf's rule vocabulary and read with `parse_packet`.
    Text {
        /// Inbound when true.
        inbound: bool,
        /// The interface, if said.
        iface: Option<u8>,
        /// IPv6 when true.
        v6: bool,
        /// The protocol.
        proto: PacketProto,
        /// The source, if known.
        src: Option<Addr>,
        /// The destination, if known.
        dst: Option<Addr>,
        /// Ports (tcp and udp only).
        sport: Option<PortValue>,
        /// Destination port.
        dport: Option<PortValue>,
        /// A tag it carries.
        tagged: Option<u8>,
    },
    /// `carp_packet(if, dir)`
    Carp(u8, bool),
    /// `pfsync_packet(if, dir)`
    Pfsync(u8, bool),
}

impl PacketDesc {
    /// The packet's text (None for those built through the library).
    pub fn text(&self) -> Option<String> {
        let PacketDesc::Text {
            inbound,
            iface,
            v6,
            proto,
            src,
            dst,
            sport,
            dport,
            tagged,
        } = self
        else {
            return None;
        };
        let mut s = String::from(if *inbound { "in" } else { "out" });
        if let Some(i) = iface {
            let _ = write!(s, " on {}", IFACES[*i as usize % IFACES.len()]);
        }
        if src.is_none() && dst.is_none() {
            s.push_str(if *v6 { " inet6" } else { " inet" });
        }
        let ports = matches!(proto, PacketProto::Tcp | PacketProto::Udp);
        match proto {
            PacketProto::Tcp => s.push_str(" proto tcp"),
            PacketProto::Udp => s.push_str(" proto udp"),
            PacketProto::Icmp => s.push_str(if *v6 { " proto icmp6" } else { " proto icmp" }),
            PacketProto::Carp => s.push_str(" proto carp"),
            PacketProto::Pfsync => s.push_str(" proto pfsync"),
            PacketProto::Unknown => {}
        }
        for (kw, a, p) in [("from", src, sport), ("to", dst, dport)] {
            let p = p.filter(|_| ports);
            match (a, p) {
                (Some(a), _) => {
                    let _ = write!(s, " {kw} {}", a.text(*v6));
                }
                (None, Some(_)) => {
                    let _ = write!(s, " {kw} any");
                }
                (None, None) => {}
            }
            if let Some(p) = p {
                let _ = write!(s, " port {}", p.text_number());
            }
        }
        if let Some(t) = tagged {
            let _ = write!(s, " tagged {}", TAGS[*t as usize % TAGS.len()]);
        }
        Some(s)
    }

    /// The packet, or the error reading its text.
    pub fn packet(&self) -> Result<Packet, String> {
        match self {
            PacketDesc::Carp(i, inbound) => Ok(carp_packet(
                IFACES[*i as usize % IFACES.len()],
                if *inbound {
                    Direction::In
                } else {
                    Direction::Out
                },
            )),
            PacketDesc::Pfsync(i, inbound) => Ok(pfsync_packet(
                IFACES[*i as usize % IFACES.len()],
                if *inbound {
                    Direction::In
                } else {
                    Direction::Out
                },
            )),
            PacketDesc::Text { .. } => {
                let text = self.text().unwrap_or_default();
                parse_packet(&text).map_err(|e| format!("{text:?}: {e}"))
            }
        }
    }
}

impl PortValue {
    /// The port as a number (packets say numbers).
    pub fn text_number(self) -> String {
        match self {
            PortValue::Number(n) => n.max(1).to_string(),
            PortValue::Pool(i) => {
                crate::ruleset::PORTS[i as usize % crate::ruleset::PORTS.len()].to_string()
            }
            PortValue::Service(i) => [22, 53, 80, 443, 123, 25][i as usize % 6].to_string(),
        }
    }
}

/// One `hostname.if` file.
#[derive(Arbitrary, Debug, Clone)]
pub enum IfFile {
    /// A physical interface with an address (and maybe a group).
    Phys {
        /// em0, em1, em2 or vio0.
        name: u8,
        /// The network (a /24 of the pool) and host.
        addr: Addr,
        /// `inet6` too.
        v6: bool,
        /// `group lan` / `group wan`.
        group: Option<bool>,
        /// `dhcp` instead of the address.
        dhcp: bool,
    },
    /// carp0 or carp1.
    Carp {
        /// carp0 or carp1.
        name: bool,
        /// The parent.
        carpdev: u8,
        /// vhid.
        vhid: u8,
        /// advskew.
        advskew: u8,
        /// carppeer.
        carppeer: Option<Addr>,
        /// The shared address.
        addr: Addr,
        /// Said without carpdev (pfconf notes it).
        no_carpdev: bool,
    },
    /// pfsync0.
    Pfsync {
        /// syncdev.
        syncdev: u8,
        /// syncpeer.
        syncpeer: Option<Addr>,
        /// `defer`.
        defer: bool,
    },
}

/// A node: a few `hostname.if` files and `mygate`.
#[derive(Arbitrary, Debug, Clone)]
pub struct NodeDesc {
    /// The interface files (a later one for the same name wins).
    pub files: Vec<IfFile>,
    /// `mygate`.
    pub gateway: Option<Addr>,
}

const PHYS: &[&str] = &["em0", "em1", "em2", "vio0"];

fn v4(a: Addr) -> String {
    a.text(false)
}

impl NodeDesc {
    /// The files, by name.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for f in self.files.iter().take(8) {
            let (name, text) = match f {
                IfFile::Phys {
                    name,
                    addr,
                    v6,
                    group,
                    dhcp,
                } => {
                    let mut t = if *dhcp {
                        "dhcp\n".to_string()
                    } else {
                        format!("inet {} 255.255.255.0\n", v4(*addr))
                    };
                    if *v6 {
                        let _ = writeln!(t, "inet6 {} 64", addr.text(true));
                    }
                    if let Some(lan) = group {
                        let _ = writeln!(t, "group {}", if *lan { "lan" } else { "wan" });
                    }
                    t.push_str("up\n");
                    (PHYS[*name as usize % PHYS.len()].to_string(), t)
                }
                IfFile::Carp {
                    name,
                    carpdev,
                    vhid,
                    advskew,
                    carppeer,
                    addr,
                    no_carpdev,
                } => {
                    let mut t = format!(
                        "inet {} 255.255.255.0 NONE vhid {} pass s3cret advskew {}",
                        v4(*addr),
                        vhid.max(&1),
                        advskew
                    );
                    if !no_carpdev {
                        let _ = write!(t, " carpdev {}", PHYS[*carpdev as usize % PHYS.len()]);
                    }
                    if let Some(p) = carppeer {
                        let _ = write!(t, " carppeer {}", v4(*p));
                    }
                    t.push('\n');
                    let name = if *name { "carp1" } else { "carp0" };
                    (name.to_string(), t)
                }
                IfFile::Pfsync {
                    syncdev,
                    syncpeer,
                    defer,
                } => {
                    let mut t = format!("syncdev {}\n", PHYS[*syncdev as usize % PHYS.len()]);
                    if let Some(p) = syncpeer {
                        let _ = writeln!(t, "syncpeer {}", v4(*p));
                    }
                    if *defer {
                        t.push_str("defer\n");
                    }
                    t.push_str("up\n");
                    ("pfsync0".to_string(), t)
                }
            };
            let name = format!("hostname.{name}");
            out.retain(|(n, _)| *n != name);
            out.push((name, text));
        }
        if let Some(g) = self.gateway {
            let n = NETS4[g.net as usize % NETS4.len()];
            out.push(("mygate".into(), format!("{}.{}.{}.254\n", n[0], n[1], n[2])));
        }
        out
    }

    /// The node the files describe.
    pub fn node(&self) -> pfconf::node::Node {
        let files = self.files();
        pfconf::node::Node::from_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
    }
}
