//! The HA probes of a node: the CARP and pfsync flows that must pass for
//! the pair to work, each a packet description ([`Packet`]) with the words
//! that name it and the node file it comes from, and the interfaces they
//! run on (CARP parents, the sync interface). This module says which
//! flows there are; the HA lints (`lint::ha`) judge them with the
//! evaluator. It imports the packet types and the node model, never the
//! evaluator or the lints.
//!
//! The flows (carp(4), pfsync(4); ip_carp.c 1.370, if_pfsync.c 1.332):
//! - CARP, per CARP interface and per address family it carries, on its
//!   `carpdev`: IPv4 advertisements to 224.0.0.18, or unicast to each
//!   `carppeer`; IPv6 advertisements to ff02::12 (carppeer is IPv4 only).
//!   Outbound from this node's address on the parent; inbound from the
//!   peer, whose address is some address of the parent's network other
//!   than this node's (or the `carppeer`), to the group or to this node.
//! - pfsync on `syncdev`, IPv4 only: to 224.0.0.240, or unicast to and
//!   from `syncpeer`.
//!
//! Why on the parent: multicast advertisements leave through the CARP
//! interface (`carp_join_multicast` makes it the multicast interface, and
//! `ip_output` sends multicast out of it) and arrive as copies on each
//! CARP interface as well as on the parent (`carp_input`); but `pf_test`
//! (pf.c 1.1218) filters a packet on a CARP interface with its parent's
//! `pfi_kif`, so every path is filtered as on the parent, and rules
//! naming `carpN` never match it.
//!
//! Invariants: the probes come from the node's files alone and guess
//! nothing. What the files leave open stays open in the packet (no source
//! address, or an [`AddrSet`] when only the peer's network is known), for
//! the evaluator to answer *maybe*. A CARP interface without `carpdev` has
//! no parent and no flows (the kernel refuses its address; the node's
//! notes say why, `node-config`). The order is fixed: CARP interfaces in
//! the node's order, for each IPv4 then IPv6, in before out (per
//! `carppeer`), then pfsync in before out, the same on every run.

use super::{family, Node, NodeAddr};
use crate::ast::Direction;
use crate::packet::{
    carp_packet, pfsync_packet, AddrSet, Packet, CARP_GROUP_V4, CARP_GROUP_V6, PFSYNC_GROUP,
};
use crate::span::Span;
use crate::Protocol;
use std::net::IpAddr;

/// Which protocol a flow belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// CARP advertisements.
    Carp,
    /// pfsync updates.
    Pfsync,
}

impl Proto {
    /// The IP protocol of the flow's packets.
    pub fn protocol(self) -> Protocol {
        match self {
            Proto::Carp => Protocol::CARP,
            Proto::Pfsync => Protocol::PFSYNC,
        }
    }
}

/// One flow the pair needs.
#[derive(Debug, Clone)]
pub struct Flow {
    /// CARP or pfsync.
    pub proto: Proto,
    /// The packet, as far as it is known.
    pub packet: Packet,
    /// `CARP advertisements of carp1 (vhid 2), IPv4, in on em1 from the
    /// peer to 224.0.0.18`.
    pub describe: String,
    /// Where the interface is defined (node file), if known.
    pub origin: Option<Span>,
}

/// A CARP parent and where it comes from.
#[derive(Debug, Clone)]
pub struct Parent {
    /// The parent interface.
    pub name: String,
    /// The node file or the pass rule naming it.
    pub span: Option<Span>,
}

fn packet(
    proto: Protocol,
    ifname: &str,
    d: Direction,
    src: Option<IpAddr>,
    src_set: Option<AddrSet>,
    dst: IpAddr,
) -> Packet {
    Packet {
        direction: Some(d),
        interface: Some(ifname.to_string()),
        af: Some(family(&dst)),
        proto: Some(proto),
        src,
        dst: Some(dst),
        src_set,
        ..Packet::default()
    }
}

/// The CARP parents of a node, in the order of its CARP interfaces, each
/// with the file of the first CARP interface on it. A CARP interface
/// without `carpdev` has none.
pub fn parents(n: &Node) -> Vec<Parent> {
    let mut parents: Vec<Parent> = Vec::new();
    for c in n.carp_interfaces() {
        let Ok(parent) = n.carpdev(c) else {
            continue;
        };
        if !parents.iter().any(|p| p.name == parent) {
            parents.push(Parent {
                name: parent,
                span: n.interface_span(&c.name),
            });
        }
    }
    parents
}

/// The sync interface of a node (`syncdev` of its pfsync interface), with
/// the pfsync interface's file.
pub fn syncdev(n: &Node) -> Option<Parent> {
    let (pif, conf) = n.pfsync()?;
    let dev = conf.syncdev.clone()?;
    Some(Parent {
        name: dev,
        span: n.interface_span(&pif.name),
    })
}

/// The CARP and pfsync flows a node needs, in the order the module
/// documentation gives.
pub fn flows(n: &Node) -> Vec<Flow> {
    let mut flows: Vec<Flow> = Vec::new();
    for c in n.carp_interfaces() {
        let origin = n.interface_span(&c.name);
        // Without carpdev the kernel refuses the CARP address: no
        // flows (the node's notes say why, `node-config`).
        let Ok(parent) = n.carpdev(c) else {
            continue;
        };
        let conf = c.carp.clone().unwrap_or_default();
        let vhid = conf
            .vhid
            .map(|v| format!(" (vhid {v})"))
            .unwrap_or_default();
        let own4: Option<&NodeAddr> = n
            .interface(&parent)
            .and_then(|p| p.addrs.iter().find(|a| a.addr.is_ipv4()));
        let v4 = c.addrs.iter().any(|a| a.addr.is_ipv4()) || c.addrs.is_empty();
        let v6 = c.addrs.iter().any(|a| a.addr.is_ipv6());
        let mut except: Vec<IpAddr> = n
            .interface(&parent)
            .map(|p| p.addrs.iter().map(|a| a.addr).collect())
            .unwrap_or_default();
        except.extend(c.addrs.iter().map(|a| a.addr));
        let what = |af: &str, d: Direction, peer: &str, dst: &str| {
            format!(
                "CARP advertisements of {}{vhid}, {af}, {} on {parent} {peer} {dst}",
                c.name,
                d.as_str()
            )
        };
        if v4 {
            let v4peers: Vec<IpAddr> = conf
                .carppeer
                .iter()
                .copied()
                .filter(IpAddr::is_ipv4)
                .collect();
            if v4peers.is_empty() {
                let set = own4.map(|a| AddrSet {
                    net: a.network(),
                    except: except.clone(),
                });
                let peer_text = match &set {
                    Some(s) => format!("from the peer (in {})", s.net),
                    None => "from the peer".to_string(),
                };
                flows.push(Flow {
                    proto: Proto::Carp,
                    packet: packet(
                        Protocol::CARP,
                        &parent,
                        Direction::In,
                        None,
                        set,
                        CARP_GROUP_V4,
                    ),
                    describe: what("IPv4", Direction::In, &peer_text, "to 224.0.0.18"),
                    origin,
                });
                flows.push(Flow {
                    proto: Proto::Carp,
                    packet: packet(
                        Protocol::CARP,
                        &parent,
                        Direction::Out,
                        own4.map(|a| a.addr),
                        None,
                        CARP_GROUP_V4,
                    ),
                    describe: what(
                        "IPv4",
                        Direction::Out,
                        &own4.map(|a| format!("from {}", a.addr)).unwrap_or_default(),
                        "to 224.0.0.18",
                    ),
                    origin,
                });
            } else {
                for p in v4peers {
                    flows.push(Flow {
                        proto: Proto::Carp,
                        packet: packet(
                            Protocol::CARP,
                            &parent,
                            Direction::In,
                            Some(p),
                            None,
                            own4.map_or(CARP_GROUP_V4, |a| a.addr),
                        ),
                        describe: what(
                            "IPv4 unicast",
                            Direction::In,
                            &format!("from the carppeer {p}"),
                            &own4.map(|a| format!("to {}", a.addr)).unwrap_or_default(),
                        ),
                        origin,
                    });
                    flows.push(Flow {
                        proto: Proto::Carp,
                        packet: packet(
                            Protocol::CARP,
                            &parent,
                            Direction::Out,
                            own4.map(|a| a.addr),
                            None,
                            p,
                        ),
                        describe: what(
                            "IPv4 unicast",
                            Direction::Out,
                            &own4.map(|a| format!("from {}", a.addr)).unwrap_or_default(),
                            &format!("to the carppeer {p}"),
                        ),
                        origin,
                    });
                }
            }
        }
        if v6 {
            // IPv6 advertisements come from the parent's link-local
            // address: the peer's is some fe80::/64 address.
            let ll = AddrSet {
                net: "fe80::/64"
                    .parse()
                    .unwrap_or_else(|_| ipnet::IpNet::from(CARP_GROUP_V6)),
                except: Vec::new(),
            };
            for d in [Direction::In, Direction::Out] {
                flows.push(Flow {
                    proto: Proto::Carp,
                    packet: packet(
                        Protocol::CARP,
                        &parent,
                        d,
                        None,
                        Some(ll.clone()),
                        CARP_GROUP_V6,
                    ),
                    describe: what(
                        "IPv6",
                        d,
                        if d == Direction::In {
                            "from the peer's link-local address"
                        } else {
                            "from this node's link-local address"
                        },
                        "to ff02::12",
                    ),
                    origin,
                });
            }
        }
    }
    if let Some((pif, conf)) = n.pfsync() {
        let origin = n.interface_span(&pif.name);
        if let Some(dev) = conf.syncdev.clone() {
            let own = n
                .interface(&dev)
                .and_then(|i| i.addrs.iter().find(|a| a.addr.is_ipv4()));
            let what = |d: Direction, rest: &str| {
                format!("pfsync packets, {} on {dev} {rest}", d.as_str())
            };
            match conf.syncpeer {
                Some(peer) => {
                    flows.push(Flow {
                        proto: Proto::Pfsync,
                        packet: packet(
                            Protocol::PFSYNC,
                            &dev,
                            Direction::In,
                            Some(peer),
                            None,
                            own.map_or(PFSYNC_GROUP, |a| a.addr),
                        ),
                        describe: what(Direction::In, &format!("from the syncpeer {peer}")),
                        origin,
                    });
                    flows.push(Flow {
                        proto: Proto::Pfsync,
                        packet: packet(
                            Protocol::PFSYNC,
                            &dev,
                            Direction::Out,
                            own.map(|a| a.addr),
                            None,
                            peer,
                        ),
                        describe: what(Direction::Out, &format!("to the syncpeer {peer}")),
                        origin,
                    });
                }
                None => {
                    let set = own.map(|a| AddrSet {
                        net: a.network(),
                        except: n
                            .interface(&dev)
                            .map(|i| i.addrs.iter().map(|x| x.addr).collect())
                            .unwrap_or_default(),
                    });
                    flows.push(Flow {
                        proto: Proto::Pfsync,
                        packet: packet(
                            Protocol::PFSYNC,
                            &dev,
                            Direction::In,
                            None,
                            set,
                            PFSYNC_GROUP,
                        ),
                        describe: what(Direction::In, "from the peer to 224.0.0.240"),
                        origin,
                    });
                    flows.push(Flow {
                        proto: Proto::Pfsync,
                        packet: packet(
                            Protocol::PFSYNC,
                            &dev,
                            Direction::Out,
                            own.map(|a| a.addr),
                            None,
                            PFSYNC_GROUP,
                        ),
                        describe: what(Direction::Out, "to 224.0.0.240"),
                        origin,
                    });
                }
            }
        }
    }
    flows
}

/// The flows on an interface known only by name (evidence in the
/// ruleset): [`carp_packet`] or [`pfsync_packet`] in and out, IPv4
/// multicast, addresses unknown, no origin.
pub fn bare_flows(proto: Proto, ifname: &str) -> Vec<Flow> {
    let (plain, group, what): (fn(&str, Direction) -> Packet, IpAddr, &str) = match proto {
        Proto::Carp => (carp_packet, CARP_GROUP_V4, "CARP advertisements, IPv4"),
        Proto::Pfsync => (pfsync_packet, PFSYNC_GROUP, "pfsync packets"),
    };
    [Direction::In, Direction::Out]
        .into_iter()
        .map(|d| Flow {
            proto,
            packet: plain(ifname, d),
            describe: format!("{what}, {} on {ifname} to {group}", d.as_str()),
            origin: None,
        })
        .collect()
}
