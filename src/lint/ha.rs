//! The HA picture the HA lints share: which interfaces carry CARP and
//! pfsync, the flows that must pass for the pair to work, and one
//! evaluator for the ruleset (its index built once for every probe).
//!
//! Sources, in order: the node model ([`crate::node::Node`], from `--node`
//! or `pfconf.toml [ha]`), then evidence in the ruleset (an interface in
//! `on` of a pass rule for `proto carp` is a CARP parent, one for `proto
//! pfsync` the sync interface). Without either, the HA lints stay silent.
//!
//! The flows, where pf sees them (ip_carp.c 1.370, ip_output.c,
//! if_pfsync.c 1.332):
//! - CARP, per CARP interface and per address family it carries:
//!   - IPv4 to 224.0.0.18. Out: `carp_send_ad` sends through the socket
//!     options `carp_join_multicast` set up, whose `imo_ifidx` is the
//!     CARP interface, and `ip_output` sends multicast out of
//!     `imo_ifidx`: pf sees it **out on the CARP interface**, from the
//!     parent's address. In: `carp_input` copies every multicast frame on
//!     the parent to each CARP interface on it, and the original goes on
//!     up the parent; `carp_proto_input_if` takes the advertisement from
//!     either (`IFT_CARP`, or `IFT_ETHER` for multicast): it arrives if pf
//!     passes it **in on the parent or in on the CARP interface**.
//!   - IPv4 unicast to each `carppeer`: out through the route to the
//!     peer (the parent, whose network holds the peer), in **on the
//!     parent** only (the frame is addressed to the parent's MAC).
//!     `carp_proto_input_c` matches a multicast advertisement only when no
//!     carppeer is set, and a unicast one only when it is.
//!   - IPv6 to ff02::12: out through `im6o_ifidx`, the CARP interface; in
//!     only on the CARP interface (`carp6_proto_input_if` drops what
//!     arrives on the parent).
//!   The peer's source is some address of the parent's network other than
//!   this node's (or the `carppeer`).
//! - pfsync on `syncdev`, IPv4 only: to 224.0.0.240, or unicast to and
//!   from `syncpeer`.
//!
//! A flow with several paths (IPv4 multicast in) arrives when one of them
//! passes. An inbound flow passed by a rule with `route-to` is handed to
//! `pf_route()` and forwarded (pf.c 1.1218, `pf_test`): it never reaches
//! carp(4) or pfsync(4), so it counts as lost.

use super::roles::{main_rules, protos};
use crate::ast::*;
use crate::eval::{AddrSet, Evaluator, Outcome, Packet, Verdict};
use crate::node::Node;
use crate::span::Span;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Which protocol a flow belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// CARP advertisements.
    Carp,
    /// pfsync updates.
    Pfsync,
}

/// One flow the pair needs.
#[derive(Debug, Clone)]
pub struct Flow {
    /// CARP or pfsync.
    pub proto: Proto,
    /// The ways pf may see it, as far as they are known: the flow arrives
    /// when pf passes one of them (an inbound IPv4 CARP advertisement is
    /// seen on the parent and on the CARP interface).
    pub paths: Vec<Packet>,
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

fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::In => "in",
        Direction::Out => "out",
    }
}

fn packet(
    proto: u8,
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
            self.flows.extend(carp_flows(n, c, &parent, origin));
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
                    format!("pfsync packets, {} on {dev} {rest}", dir_word(d))
                };
                match conf.syncpeer {
                    Some(peer) => {
                        self.flows.push(Flow {
                            proto: Proto::Pfsync,
                            paths: vec![packet(
                                240,
                                &dev,
                                Direction::In,
                                Some(peer),
                                None,
                                own.map_or(PFSYNC_V4, |a| a.addr),
                            )],
                            describe: what(Direction::In, &format!("from the syncpeer {peer}")),
                            origin,
                        });
                        self.flows.push(Flow {
                            proto: Proto::Pfsync,
                            paths: vec![packet(
                                240,
                                &dev,
                                Direction::Out,
                                own.map(|a| a.addr),
                                None,
                                peer,
                            )],
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
                            paths: vec![packet(240, &dev, Direction::In, None, set, PFSYNC_V4)],
                            describe: what(Direction::In, "from the peer to 224.0.0.240"),
                            origin,
                        });
                        self.flows.push(Flow {
                            proto: Proto::Pfsync,
                            paths: vec![packet(
                                240,
                                &dev,
                                Direction::Out,
                                own.map(|a| a.addr),
                                None,
                                PFSYNC_V4,
                            )],
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

    /// Evaluates one flow: an outcome per path.
    pub fn judge(&self, f: &Flow) -> Vec<Outcome> {
        f.paths.iter().map(|p| self.evaluator.evaluate(p)).collect()
    }
}

/// A packet on a CARP interface: by name, or unnamed when the node only
/// knows it as a placeholder (`[ha]`).
fn on_carp(
    c: &crate::node::Interface,
    d: Direction,
    src: Option<IpAddr>,
    src_set: Option<AddrSet>,
    dst: IpAddr,
) -> Packet {
    let mut p = packet(112, &c.name, d, src, src_set, dst);
    if c.unnamed {
        p.interface = None;
        p.unnamed_carp = true;
    }
    p
}

/// The CARP flows of one CARP interface on its parent (see the module
/// documentation for where pf sees each).
fn carp_flows(
    n: &Node,
    c: &crate::node::Interface,
    parent: &str,
    origin: Option<Span>,
) -> Vec<Flow> {
    let mut flows = Vec::new();
    let conf = c.carp.clone().unwrap_or_default();
    let vhid = conf
        .vhid
        .map(|v| format!(" (vhid {v})"))
        .unwrap_or_default();
    let carp_name = if c.unnamed {
        format!("the CARP interface on {parent}")
    } else {
        c.name.clone()
    };
    let own4: Option<&crate::node::NodeAddr> = n
        .interface(parent)
        .and_then(|p| p.addrs.iter().find(|a| a.addr.is_ipv4()))
        .or_else(|| c.addrs.iter().find(|a| a.addr.is_ipv4()));
    let v4 = c.addrs.iter().any(|a| a.addr.is_ipv4()) || c.addrs.is_empty();
    let v6 = c.addrs.iter().any(|a| a.addr.is_ipv6());
    let mut except: Vec<IpAddr> = n
        .interface(parent)
        .map(|p| p.addrs.iter().map(|a| a.addr).collect())
        .unwrap_or_default();
    except.extend(c.addrs.iter().map(|a| a.addr));
    let what = |af: &str, d: Direction, on: &str, peer: &str, dst: &str| {
        let who = if c.unnamed {
            format!("the CARP interface on {parent}")
        } else {
            c.name.clone()
        };
        format!(
            "CARP advertisements of {who}{vhid}, {af}, {} on {on} {peer} {dst}",
            dir_word(d)
        )
    };
    let from_own = own4.map(|a| format!("from {}", a.addr)).unwrap_or_default();
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
                paths: vec![
                    packet(112, parent, Direction::In, None, set.clone(), CARP_V4),
                    on_carp(c, Direction::In, None, set, CARP_V4),
                ],
                describe: what(
                    "IPv4",
                    Direction::In,
                    &format!("{parent} or {carp_name}"),
                    &peer_text,
                    "to 224.0.0.18",
                ),
                origin,
            });
            flows.push(Flow {
                proto: Proto::Carp,
                paths: vec![on_carp(
                    c,
                    Direction::Out,
                    own4.map(|a| a.addr),
                    None,
                    CARP_V4,
                )],
                describe: what("IPv4", Direction::Out, &carp_name, &from_own, "to 224.0.0.18"),
                origin,
            });
        } else {
            for p in v4peers {
                flows.push(Flow {
                    proto: Proto::Carp,
                    paths: vec![packet(
                        112,
                        parent,
                        Direction::In,
                        Some(p),
                        None,
                        own4.map_or(CARP_V4, |a| a.addr),
                    )],
                    describe: what(
                        "IPv4 unicast",
                        Direction::In,
                        parent,
                        &format!("from the carppeer {p}"),
                        &own4.map(|a| format!("to {}", a.addr)).unwrap_or_default(),
                    ),
                    origin,
                });
                flows.push(Flow {
                    proto: Proto::Carp,
                    paths: vec![packet(
                        112,
                        parent,
                        Direction::Out,
                        own4.map(|a| a.addr),
                        None,
                        p,
                    )],
                    describe: what(
                        "IPv4 unicast",
                        Direction::Out,
                        parent,
                        &from_own,
                        &format!("to the carppeer {p}"),
                    ),
                    origin,
                });
            }
        }
    }
    if v6 {
        // IPv6 advertisements come from the parent's link-local address:
        // the peer's is some fe80::/64 address.
        let ll = AddrSet {
            net: "fe80::/64"
                .parse()
                .unwrap_or_else(|_| ipnet::IpNet::from(CARP_V6)),
            except: Vec::new(),
        };
        for d in [Direction::In, Direction::Out] {
            flows.push(Flow {
                proto: Proto::Carp,
                paths: vec![on_carp(c, d, None, Some(ll.clone()), CARP_V6)],
                describe: what(
                    "IPv6",
                    d,
                    &carp_name,
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
    flows
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

/// Reads the outcomes of a flow's paths: it passes when one path passes;
/// it is blocked (or routed away) when every path is, and the first
/// path's deciding rule is reported.
pub fn read(f: &Flow, outcomes: &[Outcome]) -> FlowResult {
    let mut results: Vec<FlowResult> = f
        .paths
        .iter()
        .zip(outcomes)
        .map(|(p, o)| read_path(p, o))
        .collect();
    if results.iter().any(|r| matches!(r, FlowResult::Passes)) || results.is_empty() {
        return FlowResult::Passes;
    }
    let mut why = Vec::new();
    for r in &results {
        if let FlowResult::Undecided(w) = r {
            for x in w {
                if !why.contains(x) {
                    why.push(x.clone());
                }
            }
        }
    }
    if !why.is_empty() {
        return FlowResult::Undecided(why);
    }
    results.swap_remove(0)
}

fn read_path(p: &Packet, o: &Outcome) -> FlowResult {
    if o.surely_blocked() {
        return FlowResult::Blocked(o.decisions.first().and_then(|d| d.rule));
    }
    if let Some(d) = o.certain() {
        if d.verdict == Verdict::Block {
            return FlowResult::Blocked(d.rule);
        }
        if let Some(r) = &d.route {
            if p.direction == Some(Direction::In) && r.starts_with("route-to") {
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
/// ruleset): IPv4 multicast, addresses unknown. CARP advertisements also
/// travel on a CARP interface on that parent whose name is not known.
fn bare_flows(proto: Proto, ifname: &str) -> Vec<Flow> {
    match proto {
        Proto::Carp => {
            let unnamed = |d: Direction| {
                let mut p = packet(112, ifname, d, None, None, CARP_V4);
                p.interface = None;
                p.unnamed_carp = true;
                p
            };
            vec![
                Flow {
                    proto,
                    paths: vec![
                        packet(112, ifname, Direction::In, None, None, CARP_V4),
                        unnamed(Direction::In),
                    ],
                    describe: format!("CARP advertisements, IPv4, in on {ifname} (or the CARP interface on it) to {CARP_V4}"),
                    origin: None,
                },
                Flow {
                    proto,
                    paths: vec![unnamed(Direction::Out)],
                    describe: format!("CARP advertisements, IPv4, out on the CARP interface on {ifname} to {CARP_V4}"),
                    origin: None,
                },
            ]
        }
        Proto::Pfsync => [Direction::In, Direction::Out]
            .into_iter()
            .map(|d| Flow {
                proto,
                paths: vec![packet(240, ifname, d, None, None, PFSYNC_V4)],
                describe: format!("pfsync packets, {} on {ifname} to {PFSYNC_V4}", dir_word(d)),
                origin: None,
            })
            .collect(),
    }
}

/// Every pass/block/match rule of a resolved ruleset with its statement's
/// span: the main ruleset, inline anchor bodies and anchors loaded from
/// files (`load anchor ... from`).
pub(crate) fn every_rule(rs: &crate::resolve::Resolved) -> Vec<(&FilterRule, Span)> {
    fn walk<'r>(rs: &'r Ruleset, out: &mut Vec<(&'r FilterRule, Span)>) {
        for s in &rs.statements {
            match &s.kind {
                StatementKind::Rule(r) => out.push((r, s.span)),
                StatementKind::Anchor(a) => {
                    if let Some(b) = &a.body {
                        walk(b, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&rs.ruleset, &mut out);
    for l in &rs.loaded_anchors {
        walk(&l.ruleset, &mut out);
    }
    out
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
