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

/// One direction of an exchange with the peer: where its packets come
/// from (an address, or the set the peer's lies in) and go, with the
/// words naming each end.
struct Ends {
    src: Option<IpAddr>,
    src_set: Option<AddrSet>,
    from: String,
    dst: IpAddr,
    to: String,
}

/// The two flows of one exchange on `ifname`, in then out; `what` words
/// each from its direction and ends.
impl Ends {
    /// `from X to Y`, leaving out an end that is not known.
    fn text(&self) -> String {
        [self.from.as_str(), self.to.as_str()]
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn exchange(
    proto: Proto,
    ifname: &str,
    origin: Option<Span>,
    what: impl Fn(Direction, &Ends) -> String,
    inbound: Ends,
    outbound: Ends,
) -> [Flow; 2] {
    [(Direction::In, inbound), (Direction::Out, outbound)].map(|(d, e)| Flow {
        proto,
        describe: what(d, &e),
        packet: packet(proto.protocol(), ifname, d, e.src, e.src_set, e.dst),
        origin,
    })
}

/// Where a CARP interface's advertisements go.
#[derive(Clone, Copy)]
enum CarpTarget {
    /// IPv4 multicast to 224.0.0.18, the peer somewhere in the parent's
    /// network.
    GroupV4,
    /// IPv4 unicast to and from a `carppeer`.
    Peer(IpAddr),
    /// IPv6 multicast to ff02::12, from link-local addresses.
    GroupV6,
}

/// What the CARP flows of one interface share.
struct CarpIf<'a> {
    /// The CARP interface (None: a placeholder of `pfconf.toml [ha]`).
    name: Option<&'a str>,
    /// ` (vhid N)`, or empty.
    vhid: String,
    /// Its `carpdev`, where every path is filtered.
    parent: &'a str,
    /// This node's IPv4 address on the parent.
    own4: Option<&'a NodeAddr>,
    /// This node's addresses on the parent and the CARP interface: the
    /// peer has none of them.
    except: Vec<IpAddr>,
    origin: Option<Span>,
}

/// The in and out flows of one CARP interface towards one target.
fn carp_flows(c: &CarpIf, target: CarpTarget) -> [Flow; 2] {
    let own = c.own4.map(|a| a.addr);
    let from_own = || own.map(|a| format!("from {a}")).unwrap_or_default();
    let (af, inbound, outbound) = match target {
        CarpTarget::GroupV4 => {
            let set = c.own4.map(|a| AddrSet {
                net: a.network(),
                except: c.except.clone(),
            });
            let from = match &set {
                Some(s) => format!("from the peer (in {})", s.net),
                None => "from the peer".to_string(),
            };
            let to = || "to 224.0.0.18".to_string();
            (
                "IPv4",
                Ends {
                    src: None,
                    src_set: set,
                    from,
                    dst: CARP_GROUP_V4,
                    to: to(),
                },
                Ends {
                    src: own,
                    src_set: None,
                    from: from_own(),
                    dst: CARP_GROUP_V4,
                    to: to(),
                },
            )
        }
        CarpTarget::Peer(p) => (
            "IPv4 unicast",
            Ends {
                src: Some(p),
                src_set: None,
                from: format!("from the carppeer {p}"),
                dst: own.unwrap_or(CARP_GROUP_V4),
                to: own.map(|a| format!("to {a}")).unwrap_or_default(),
            },
            Ends {
                src: own,
                src_set: None,
                from: from_own(),
                dst: p,
                to: format!("to the carppeer {p}"),
            },
        ),
        CarpTarget::GroupV6 => {
            // IPv6 advertisements come from the parent's link-local
            // address: the peer's is some fe80::/64 address.
            let ll = AddrSet {
                net: "fe80::/64"
                    .parse()
                    .unwrap_or_else(|_| ipnet::IpNet::from(CARP_GROUP_V6)),
                except: Vec::new(),
            };
            let end = |set: AddrSet, from: &str| Ends {
                src: None,
                src_set: Some(set),
                from: from.to_string(),
                dst: CARP_GROUP_V6,
                to: "to ff02::12".to_string(),
            };
            (
                "IPv6",
                end(ll.clone(), "from the peer's link-local address"),
                end(ll, "from this node's link-local address"),
            )
        }
    };
    let what = |d: Direction, e: &Ends| {
        let ends = e.text();
        let of = match c.name {
            Some(name) => format!("{name}{}", c.vhid),
            None => format!("the CARP interfaces on {} (pfconf.toml [ha])", c.parent),
        };
        format!(
            "CARP advertisements of {of}, {af}, {} on {} {ends}",
            d.as_str(),
            c.parent,
        )
    };
    exchange(Proto::Carp, c.parent, c.origin, what, inbound, outbound)
}

/// The CARP and pfsync flows a node needs, in the order the module
/// documentation gives.
pub fn flows(n: &Node) -> Vec<Flow> {
    let mut flows: Vec<Flow> = Vec::new();
    for c in n.carp_interfaces() {
        // Without carpdev the kernel refuses the CARP address: no
        // flows (the node's notes say why, `node-config`).
        let Ok(parent) = n.carpdev(c) else {
            continue;
        };
        let conf = c.carp.clone().unwrap_or_default();
        let mut except: Vec<IpAddr> = n
            .interface(&parent)
            .map(|p| p.addrs.iter().map(|a| a.addr).collect())
            .unwrap_or_default();
        except.extend(c.addrs.iter().map(|a| a.addr));
        let carp = CarpIf {
            name: (!n.is_synthetic(&c.name)).then_some(c.name.as_str()),
            vhid: conf
                .vhid
                .map(|v| format!(" (vhid {v})"))
                .unwrap_or_default(),
            parent: &parent,
            own4: n
                .interface(&parent)
                .and_then(|p| p.addrs.iter().find(|a| a.addr.is_ipv4())),
            except,
            origin: n.interface_span(&c.name),
        };
        let mut targets = Vec::new();
        if c.addrs.iter().any(|a| a.addr.is_ipv4()) || c.addrs.is_empty() {
            let peers = conf.carppeer.iter().copied().filter(IpAddr::is_ipv4);
            targets.extend(peers.map(CarpTarget::Peer));
            if targets.is_empty() {
                targets.push(CarpTarget::GroupV4);
            }
        }
        if c.addrs.iter().any(|a| a.addr.is_ipv6()) {
            targets.push(CarpTarget::GroupV6);
        }
        for target in targets {
            flows.extend(carp_flows(&carp, target));
        }
    }
    if let Some((pif, conf)) = n.pfsync() {
        if let Some(dev) = conf.syncdev.clone() {
            let own = n
                .interface(&dev)
                .and_then(|i| i.addrs.iter().find(|a| a.addr.is_ipv4()));
            let (inbound, outbound) = match conf.syncpeer {
                Some(peer) => (
                    Ends {
                        src: Some(peer),
                        src_set: None,
                        from: format!("from the syncpeer {peer}"),
                        dst: own.map_or(PFSYNC_GROUP, |a| a.addr),
                        to: String::new(),
                    },
                    Ends {
                        src: own.map(|a| a.addr),
                        src_set: None,
                        from: String::new(),
                        dst: peer,
                        to: format!("to the syncpeer {peer}"),
                    },
                ),
                None => (
                    Ends {
                        src: None,
                        src_set: own.map(|a| AddrSet {
                            net: a.network(),
                            except: n
                                .interface(&dev)
                                .map(|i| i.addrs.iter().map(|x| x.addr).collect())
                                .unwrap_or_default(),
                        }),
                        from: "from the peer".to_string(),
                        dst: PFSYNC_GROUP,
                        to: "to 224.0.0.240".to_string(),
                    },
                    Ends {
                        src: own.map(|a| a.addr),
                        src_set: None,
                        from: String::new(),
                        dst: PFSYNC_GROUP,
                        to: "to 224.0.0.240".to_string(),
                    },
                ),
            };
            let what = |d: Direction, e: &Ends| {
                format!("pfsync packets, {} on {dev} {}", d.as_str(), e.text())
            };
            let origin = n.interface_span(&pif.name);
            flows.extend(exchange(
                Proto::Pfsync,
                &dev,
                origin,
                what,
                inbound,
                outbound,
            ));
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
