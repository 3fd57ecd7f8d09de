//! The HA picture the HA lints share: which interfaces carry CARP and
//! pfsync, the flows that must pass for the pair to work, and one
//! evaluator for the ruleset (its index built once for every probe).
//!
//! Sources, in order: the node model ([`crate::node::Node`], from `--node`
//! or `pfconf.toml [ha]`), then evidence in the ruleset (an interface in
//! `on` of a pass rule for `proto carp` is a CARP parent, one for `proto
//! pfsync` the sync interface). Without either, the HA lints stay silent.
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
//! An inbound flow passed by a rule with `route-to` is handed to
//! `pf_route()` and forwarded (pf.c 1.1218, `pf_test`): it never reaches
//! carp(4) or pfsync(4), so it counts as lost.

use super::roles::{main_rules, protos};
use crate::ast::*;
use crate::eval::{AddrSet, Evaluator, Outcome, Packet, Verdict};
use crate::node::Node;
use crate::span::Span;
use crate::Protocol;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

/// The shared picture.
pub struct Ha<'a> {
    /// The node, if known.
    pub node: Option<&'a Node>,
    /// CARP parents.
    pub parents: Vec<Parent>,
    /// The sync interface and where it comes from.
    pub syncdev: Option<Parent>,
    /// The flows to probe.
    pub flows: Vec<Flow>,
    /// The evaluator (one index for every probe).
    pub evaluator: Evaluator<'a>,
}

const CARP_V4: IpAddr = IpAddr::V4(Ipv4Addr::new(224, 0, 0, 18));
const CARP_V6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12));
const PFSYNC_V4: IpAddr = IpAddr::V4(Ipv4Addr::new(224, 0, 0, 240));

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
        af: Some(crate::node::family(&dst)),
        proto: Some(proto),
        src,
        dst: Some(dst),
        src_set,
        ..Packet::default()
    }
}

impl<'a> Ha<'a> {
    /// Builds the picture of a ruleset on a node.
    pub fn new(rs: &'a crate::resolve::Resolved, node: Option<&'a Node>) -> Ha<'a> {
        let evaluator = match node {
            Some(n) => Evaluator::with_node(rs, n),
            None => Evaluator::new(rs, None),
        };
        let mut ha = Ha {
            node,
            parents: Vec::new(),
            syncdev: None,
            flows: Vec::new(),
            evaluator,
        };
        let evidence = evidence(&rs.ruleset);
        if let Some(n) = node {
            ha.add_node(n);
        }
        // Evidence from the ruleset completes what the node does not say.
        for (name, span) in evidence.carp {
            if !ha.parents.iter().any(|p| p.name == name)
                && node.is_none_or(|n| n.carp_interfaces().next().is_none())
            {
                ha.flows.extend(bare_flows(Proto::Carp, &name));
                ha.parents.push(Parent {
                    name,
                    span: Some(span),
                });
            }
        }
        if ha.syncdev.is_none() && node.is_none_or(|n| n.pfsync().is_none()) {
            if let [(name, span)] = evidence.sync.as_slice() {
                ha.flows.extend(bare_flows(Proto::Pfsync, name));
                ha.syncdev = Some(Parent {
                    name: name.clone(),
                    span: Some(*span),
                });
            }
        }
        ha
    }

    fn add_node(&mut self, n: &'a Node) {
        for c in n.carp_interfaces() {
            let origin = n.interface_span(&c.name);
            // Without carpdev the kernel refuses the CARP address: no
            // flows (the node's notes say why, `node-config`).
            let Ok(parent) = n.carpdev(c) else {
                continue;
            };
            if !self.parents.iter().any(|p| p.name == parent) {
                self.parents.push(Parent {
                    name: parent.clone(),
                    span: origin,
                });
            }
            let conf = c.carp.clone().unwrap_or_default();
            let vhid = conf
                .vhid
                .map(|v| format!(" (vhid {v})"))
                .unwrap_or_default();
            let own4: Option<&crate::node::NodeAddr> = n
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
                    self.flows.push(Flow {
                        proto: Proto::Carp,
                        packet: packet(Protocol::CARP, &parent, Direction::In, None, set, CARP_V4),
                        describe: what("IPv4", Direction::In, &peer_text, "to 224.0.0.18"),
                        origin,
                    });
                    self.flows.push(Flow {
                        proto: Proto::Carp,
                        packet: packet(
                            Protocol::CARP,
                            &parent,
                            Direction::Out,
                            own4.map(|a| a.addr),
                            None,
                            CARP_V4,
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
                        self.flows.push(Flow {
                            proto: Proto::Carp,
                            packet: packet(
                                Protocol::CARP,
                                &parent,
                                Direction::In,
                                Some(p),
                                None,
                                own4.map_or(CARP_V4, |a| a.addr),
                            ),
                            describe: what(
                                "IPv4 unicast",
                                Direction::In,
                                &format!("from the carppeer {p}"),
                                &own4.map(|a| format!("to {}", a.addr)).unwrap_or_default(),
                            ),
                            origin,
                        });
                        let mut out = packet(
                            Protocol::CARP,
                            &parent,
                            Direction::Out,
                            own4.map(|a| a.addr),
                            None,
                            p,
                        );
                        out.dst = Some(p);
                        self.flows.push(Flow {
                            proto: Proto::Carp,
                            packet: out,
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
                        .unwrap_or_else(|_| ipnet::IpNet::from(CARP_V6)),
                    except: Vec::new(),
                };
                for d in [Direction::In, Direction::Out] {
                    self.flows.push(Flow {
                        proto: Proto::Carp,
                        packet: packet(Protocol::CARP, &parent, d, None, Some(ll.clone()), CARP_V6),
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
                self.syncdev = Some(Parent {
                    name: dev.clone(),
                    span: origin,
                });
                let own = n
                    .interface(&dev)
                    .and_then(|i| i.addrs.iter().find(|a| a.addr.is_ipv4()));
                let what = |d: Direction, rest: &str| {
                    format!("pfsync packets, {} on {dev} {rest}", d.as_str())
                };
                match conf.syncpeer {
                    Some(peer) => {
                        self.flows.push(Flow {
                            proto: Proto::Pfsync,
                            packet: packet(
                                Protocol::PFSYNC,
                                &dev,
                                Direction::In,
                                Some(peer),
                                None,
                                own.map_or(PFSYNC_V4, |a| a.addr),
                            ),
                            describe: what(Direction::In, &format!("from the syncpeer {peer}")),
                            origin,
                        });
                        self.flows.push(Flow {
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
                        self.flows.push(Flow {
                            proto: Proto::Pfsync,
                            packet: packet(
                                Protocol::PFSYNC,
                                &dev,
                                Direction::In,
                                None,
                                set,
                                PFSYNC_V4,
                            ),
                            describe: what(Direction::In, "from the peer to 224.0.0.240"),
                            origin,
                        });
                        self.flows.push(Flow {
                            proto: Proto::Pfsync,
                            packet: packet(
                                Protocol::PFSYNC,
                                &dev,
                                Direction::Out,
                                own.map(|a| a.addr),
                                None,
                                PFSYNC_V4,
                            ),
                            describe: what(Direction::Out, "to 224.0.0.240"),
                            origin,
                        });
                    }
                }
            }
        }
    }

    /// Whether `ifname` is a CARP parent (by name or as a member of the
    /// named group): yes, no, or unknown.
    pub fn is_parent_or_group(&self, name: &str) -> Option<bool> {
        if self.parents.iter().any(|p| p.name == name) {
            return Some(true);
        }
        let n = self.node?;
        let (members, open) = n.members(name);
        if open {
            return None;
        }
        Some(
            !members.is_empty()
                && members
                    .iter()
                    .all(|m| self.parents.iter().any(|p| &p.name == m)),
        )
    }

    /// Evaluates one flow.
    pub fn judge(&self, f: &Flow) -> Outcome {
        self.evaluator.evaluate(&f.packet)
    }
}

/// Outcome of a flow, as the HA lints read it.
pub enum FlowResult {
    /// Passed (or skipped) on every possible path, and delivered.
    Passes,
    /// Surely blocked: the deciding rule.
    Blocked(Option<Span>),
    /// Passed inbound by a rule with `route-to`: forwarded, not delivered.
    RoutedAway(Option<Span>, String),
    /// It depends: on what.
    Undecided(Vec<(Option<Span>, String)>),
}

/// Reads an outcome for a flow.
pub fn read(f: &Flow, o: &Outcome) -> FlowResult {
    if o.surely_blocked() {
        return FlowResult::Blocked(o.decisions.first().and_then(|d| d.rule));
    }
    if let Some(d) = o.certain() {
        if d.verdict == Verdict::Block {
            return FlowResult::Blocked(d.rule);
        }
        if let Some(r) = &d.route {
            if f.packet.direction == Some(Direction::In) && r.starts_with("route-to") {
                return FlowResult::RoutedAway(d.rule, r.clone());
            }
        }
        return FlowResult::Passes;
    }
    if !o.incomplete && o.decisions.iter().all(|d| d.verdict != Verdict::Block) {
        return FlowResult::Passes;
    }
    let mut why = o.undecided.clone();
    if why.is_empty() {
        why.push((None, "the ruleset leaves it open".into()));
    }
    FlowResult::Undecided(why)
}

/// The CARP parents and sync interfaces a ruleset's pass rules name.
struct Evidence {
    carp: Vec<(String, Span)>,
    sync: Vec<(String, Span)>,
}

fn evidence(rs: &Ruleset) -> Evidence {
    let mut ev = Evidence {
        carp: Vec::new(),
        sync: Vec::new(),
    };
    for (r, span) in main_rules(rs) {
        if r.action.node != Action::Pass {
            continue;
        }
        let p = protos(r);
        for i in &r.interfaces {
            if let (false, IfTarget::Name(n)) = (i.node.not, &i.node.target) {
                let name = n.node.text().to_string();
                if p.contains(&112) && !ev.carp.iter().any(|(x, _)| *x == name) {
                    ev.carp.push((name.clone(), span));
                }
                if p.contains(&240) && name != "pfsync0" && !ev.sync.iter().any(|(x, _)| *x == name)
                {
                    ev.sync.push((name, span));
                }
            }
        }
    }
    ev
}

/// The flows on an interface known only by name (evidence in the
/// ruleset, `[ha]` without addresses): IPv4 multicast, addresses unknown.
fn bare_flows(proto: Proto, ifname: &str) -> Vec<Flow> {
    let (dst, what) = match proto {
        Proto::Carp => (CARP_V4, "CARP advertisements, IPv4"),
        Proto::Pfsync => (PFSYNC_V4, "pfsync packets"),
    };
    [Direction::In, Direction::Out]
        .into_iter()
        .map(|d| Flow {
            proto,
            packet: packet(proto.protocol(), ifname, d, None, None, dst),
            describe: format!("{what}, {} on {ifname} to {dst}", d.as_str()),
            origin: None,
        })
        .collect()
}

/// The interfaces a rule's `on` may reach beyond `allowed`: `None` when
/// it stays within them (or it is not known), else a description.
pub(crate) fn reaches_beyond(
    r: &FilterRule,
    node: Option<&Node>,
    allowed: &dyn Fn(&str) -> bool,
) -> Option<String> {
    if r.interfaces.is_empty() {
        return Some("on every interface (no `on`)".into());
    }
    for i in &r.interfaces {
        match (&i.node.target, i.node.not) {
            (IfTarget::Any, _) => return Some("on any interface (`on any`)".into()),
            (IfTarget::Name(n), true) => {
                return Some(format!(
                    "on every interface but {} (`on ! {}`)",
                    n.node.text(),
                    n.node.text()
                ))
            }
            (IfTarget::Name(n), false) => {
                let name = n.node.text();
                if allowed(name) {
                    continue;
                }
                let is_group = !name.ends_with(|c: char| c.is_ascii_digit());
                if is_group {
                    let Some(node) = node else {
                        continue;
                    };
                    let (members, open) = node.members(name);
                    if open {
                        continue;
                    }
                    let extra: Vec<&String> = members.iter().filter(|m| !allowed(m)).collect();
                    if !extra.is_empty() {
                        return Some(format!(
                            "on group {name}, which holds {}",
                            extra
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                } else {
                    return Some(format!("on {name}"));
                }
            }
            (IfTarget::Rdomain(_), _) => {}
        }
    }
    None
}
