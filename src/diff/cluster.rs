//! The cluster half of parity: what the two nodes' `/etc` must agree on
//! for CARP and pfsync to work as a pair. Unicast addresses are expected
//! to differ; these are not:
//!
//! - Per CARP interface (paired by name, else by vhid): the vhids, the
//!   parents' network, the virtual addresses (CARP's HMAC covers every
//!   address of the interface: ip_carp.c 1.370 `carp_hmac_prepare_ctx`,
//!   so a node rejects advertisements from a peer whose addresses differ),
//!   the password (compared, never printed), `balancing`, and `carppeer`
//!   (`carp_proto_input_c` takes a multicast advertisement only when no
//!   carppeer is set and a unicast one only when one is; each node's peer
//!   must be an address of the other node).
//! - Which node is preferred, per vhid: the one advertising more often,
//!   `advbase + advskew/256` seconds (`carp_proto_input_c` compares both
//!   together); equal values on both nodes are a tie.
//! - pfsync: a `syncdev` on both, on one network; `syncpeer` pointing at
//!   the other node; the same `defer` and `maxupd`.
//! - `sysctl.conf`: `net.inet.carp.preempt`, `net.inet.carp.allow`,
//!   `net.inet.ip.forwarding`, `net.inet6.ip6.forwarding` (kernel defaults
//!   when unset: 0, 1, 0, 0).

use super::{Difference, DifferenceKind, Place};
use crate::node::{Interface, Node, Origin};
use std::net::IpAddr;

/// A place in a node file.
fn at(n: &Node, o: Option<Origin>, fallback: &str, text: &str) -> Place {
    match o {
        Some(o) => {
            let (file, line) = n.locate(o);
            Place {
                file,
                line,
                text: text.to_string(),
            }
        }
        None => Place {
            file: fallback.to_string(),
            line: 0,
            text: text.to_string(),
        },
    }
}

fn carp_place(n: &Node, i: &Interface) -> Place {
    let origin = i.carp.as_ref().and_then(|c| c.origin);
    at(n, origin, &n.interface_path(&i.name), &i.name)
}

fn diff(kind: DifferenceKind, message: String, a: Option<Place>, b: Option<Place>) -> Difference {
    Difference {
        kind,
        message,
        a,
        b,
    }
}

/// The vhids of a CARP interface with their advskew (`carpnodes`, else
/// `vhid` and `advskew`).
fn vhids(i: &Interface) -> Vec<(u32, u32)> {
    let Some(c) = &i.carp else {
        return Vec::new();
    };
    if !c.carpnodes.is_empty() {
        return c.carpnodes.clone();
    }
    c.vhid
        .map(|v| vec![(v, c.advskew.unwrap_or(0))])
        .unwrap_or_default()
}

/// carp(4): advbase defaults to 1 second.
const DEFAULT_ADVBASE: u32 = 1;

/// Every static address of a node.
fn node_addresses(n: &Node) -> (Vec<IpAddr>, bool) {
    let addrs = n
        .interfaces
        .iter()
        .flat_map(|i| i.addrs.iter().map(|a| a.addr))
        .collect();
    let dynamic = n.interfaces.iter().any(|i| !i.dynamic.is_empty());
    (addrs, dynamic)
}

/// The networks of an interface's static addresses (None when it has
/// none or is configured at run time).
fn networks(n: &Node, ifname: &str) -> Option<Vec<ipnet::IpNet>> {
    let i = n.interface(ifname)?;
    if i.addrs.is_empty() || !i.dynamic.is_empty() {
        return None;
    }
    Some(i.addrs.iter().map(|a| a.network()).collect())
}

fn list(v: &[String]) -> String {
    v.join(", ")
}

/// Compares the cluster configuration of two nodes.
pub(super) fn compare(a: &Node, b: &Node) -> Vec<Difference> {
    let mut out = Vec::new();
    let carps_a: Vec<&Interface> = a.carp_interfaces().collect();
    let carps_b: Vec<&Interface> = b.carp_interfaces().collect();
    // Pairs: by name, else by a shared vhid.
    let mut paired_b: Vec<&str> = Vec::new();
    let mut pairs: Vec<(&Interface, &Interface)> = Vec::new();
    for ca in &carps_a {
        let by_name = carps_b.iter().find(|cb| cb.name == ca.name);
        let by_vhid = || {
            carps_b.iter().find(|cb| {
                !carps_a.iter().any(|x| x.name == cb.name)
                    && !paired_b.contains(&cb.name.as_str())
                    && vhids(cb)
                        .iter()
                        .any(|(v, _)| vhids(ca).iter().any(|(w, _)| v == w))
            })
        };
        match by_name.or_else(by_vhid) {
            Some(cb) => {
                paired_b.push(&cb.name);
                pairs.push((ca, cb));
            }
            None => out.push(diff(
                DifferenceKind::Carp,
                format!(
                    "{} only on node A: node B does not back up {}",
                    ca.name,
                    addresses_text(ca)
                ),
                Some(carp_place(a, ca)),
                None,
            )),
        }
    }
    for cb in &carps_b {
        if !paired_b.contains(&cb.name.as_str()) {
            out.push(diff(
                DifferenceKind::Carp,
                format!(
                    "{} only on node B: node A does not back up {}",
                    cb.name,
                    addresses_text(cb)
                ),
                None,
                Some(carp_place(b, cb)),
            ));
        }
    }
    for (ca, cb) in pairs {
        compare_carp(a, b, ca, cb, &mut out);
    }
    compare_pfsync(a, b, !(carps_a.is_empty() && carps_b.is_empty()), &mut out);
    compare_sysctl(a, b, &mut out);
    out
}

fn addresses_text(i: &Interface) -> String {
    if i.addrs.is_empty() {
        return "its addresses".into();
    }
    i.addrs
        .iter()
        .map(|a| a.addr.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare_carp(a: &Node, b: &Node, ca: &Interface, cb: &Interface, out: &mut Vec<Difference>) {
    let (pa, pb) = (carp_place(a, ca), carp_place(b, cb));
    let both = |kind, msg: String| diff(kind, msg, Some(pa.clone()), Some(pb.clone()));
    let name = if ca.name == cb.name {
        ca.name.clone()
    } else {
        out.push(both(
            DifferenceKind::Carp,
            format!(
                "the same vhid is {} on node A and {} on node B: rules naming one of them do not apply on the other node",
                ca.name, cb.name
            ),
        ));
        format!("{}/{}", ca.name, cb.name)
    };
    let (conf_a, conf_b) = (
        ca.carp.clone().unwrap_or_default(),
        cb.carp.clone().unwrap_or_default(),
    );
    let (va, vb) = (vhids(ca), vhids(cb));
    let ids = |v: &[(u32, u32)]| v.iter().map(|(x, _)| *x).collect::<Vec<_>>();
    let show_ids = |v: &[(u32, u32)]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            ids(v)
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    let mut sorted = (ids(&va), ids(&vb));
    sorted.0.sort_unstable();
    sorted.1.sort_unstable();
    if sorted.0 != sorted.1 {
        out.push(both(
            DifferenceKind::Carp,
            format!(
                "{name}: vhid {} on node A, {} on node B: each node ignores the other's advertisements and both become MASTER",
                show_ids(&va),
                show_ids(&vb)
            ),
        ));
    }
    // Parents on one network.
    match (a.carpdev(ca), b.carpdev(cb)) {
        (Ok(da), Ok(db)) => match (networks(a, &da), networks(b, &db)) {
            (Some(na), Some(nb)) if !na.iter().any(|x| nb.contains(x)) => {
                let show = |v: &[ipnet::IpNet]| {
                    v.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
                };
                out.push(both(
                    DifferenceKind::Carp,
                    format!(
                        "{name}: the parents are on different networks ({da}: {} on node A, {db}: {} on node B): the advertisements never meet and both nodes become MASTER",
                        show(&na),
                        show(&nb)
                    ),
                ));
            }
            (Some(_), Some(_)) => {}
            _ if da != db => out.push(both(
                DifferenceKind::Carp,
                format!(
                    "{name}: carpdev {da} on node A, {db} on node B (their networks are not known from the files: check that they share one)"
                ),
            )),
            _ => {}
        },
        (ra, rb) => {
            for (r, which) in [(ra, "A"), (rb, "B")] {
                if let Err(why) = r {
                    out.push(both(DifferenceKind::Carp, format!("node {which}: {why}")));
                }
            }
        }
    }
    // Virtual addresses: covered by the HMAC.
    let addrs = |i: &Interface| {
        let mut v: Vec<IpAddr> = i.addrs.iter().map(|x| x.addr).collect();
        v.sort();
        v.dedup();
        v
    };
    let (xa, xb) = (addrs(ca), addrs(cb));
    let only = |x: &[IpAddr], y: &[IpAddr]| -> Vec<String> {
        x.iter()
            .filter(|v| !y.contains(v))
            .map(|v| v.to_string())
            .collect()
    };
    let (oa, ob) = (only(&xa, &xb), only(&xb, &xa));
    if !(oa.is_empty() && ob.is_empty()) {
        let mut parts = Vec::new();
        if !oa.is_empty() {
            parts.push(format!("{} only on node A", list(&oa)));
        }
        if !ob.is_empty() {
            parts.push(format!("{} only on node B", list(&ob)));
        }
        out.push(both(
            DifferenceKind::Carp,
            format!(
                "{name}: the virtual addresses differ ({}): CARP's HMAC covers every address of the interface, so each node rejects the other's advertisements and both become MASTER",
                parts.join("; ")
            ),
        ));
    } else {
        for x in &ca.addrs {
            if let Some(y) = cb
                .addrs
                .iter()
                .find(|y| y.addr == x.addr && y.prefix != x.prefix)
            {
                out.push(both(
                    DifferenceKind::Carp,
                    format!(
                        "{name}: {} has prefix /{} on node A and /{} on node B: the nodes route the virtual network differently after a failover",
                        x.addr, x.prefix, y.prefix
                    ),
                ));
            }
        }
    }
    // Password.
    let same_pass = match (&conf_a.pass, &conf_b.pass) {
        (Some(x), Some(y)) => x.same(y),
        (None, None) => true,
        _ => false,
    };
    if !same_pass {
        out.push(both(
            DifferenceKind::Carp,
            format!("{name}: the CARP password differs: each node rejects the other's advertisements and both become MASTER"),
        ));
    }
    // Balancing.
    let mode = |c: &crate::node::Carp| c.balancing.clone().unwrap_or_else(|| "none".into());
    if mode(&conf_a) != mode(&conf_b) {
        out.push(both(
            DifferenceKind::Carp,
            format!(
                "{name}: balancing {} on node A, {} on node B",
                mode(&conf_a),
                mode(&conf_b)
            ),
        ));
    }
    // Preference per vhid: advbase and advskew together.
    let base = |c: &crate::node::Carp| c.advbase.unwrap_or(DEFAULT_ADVBASE);
    for (vhid, skew_a) in &va {
        let Some((_, skew_b)) = vb.iter().find(|(v, _)| v == vhid) else {
            continue;
        };
        let (ia, ib) = (base(&conf_a) * 256 + skew_a, base(&conf_b) * 256 + skew_b);
        if ia == ib {
            out.push(both(
                DifferenceKind::Carp,
                format!(
                    "{name} (vhid {vhid}): advbase {} and advskew {skew_a} on both nodes: neither is preferred, so the MASTER is whichever node came up first",
                    base(&conf_a)
                ),
            ));
        }
    }
    // carppeer: both or neither, each pointing at the other node.
    match (conf_a.carppeer.is_empty(), conf_b.carppeer.is_empty()) {
        (false, true) | (true, false) => {
            let which = if conf_a.carppeer.is_empty() { "B" } else { "A" };
            out.push(both(
                DifferenceKind::Carp,
                format!(
                    "{name}: carppeer only on node {which}: that node sends and accepts only unicast advertisements, the other only multicast ones, so each ignores the other and both become MASTER"
                ),
            ));
        }
        (false, false) => {
            for (conf, other, which, other_which) in
                [(&conf_a, b, "A", "B"), (&conf_b, a, "B", "A")]
            {
                let (addrs, dynamic) = node_addresses(other);
                for p in &conf.carppeer {
                    if !addrs.contains(p) && !dynamic {
                        out.push(both(
                            DifferenceKind::Carp,
                            format!(
                                "{name}: node {which}'s carppeer {p} is not an address of node {other_which}: node {other_which} never receives its advertisements"
                            ),
                        ));
                    }
                }
            }
        }
        (true, true) => {}
    }
}

fn compare_pfsync(a: &Node, b: &Node, has_carp: bool, out: &mut Vec<Difference>) {
    let place = |n: &Node| {
        n.pfsync()
            .map(|(i, p)| at(n, p.origin, &n.interface_path(&i.name), &i.name))
            .unwrap_or_else(|| Place {
                file: "/etc/hostname.pfsync0".into(),
                line: 0,
                text: "no pfsync interface".into(),
            })
    };
    let (pa, pb) = (place(a), place(b));
    let both = |msg: String| {
        diff(
            DifferenceKind::Pfsync,
            msg,
            Some(pa.clone()),
            Some(pb.clone()),
        )
    };
    let (sa, sb) = (a.pfsync().map(|x| x.1), b.pfsync().map(|x| x.1));
    for (n, s, which) in [(a, sa, "A"), (b, sb, "B")] {
        if has_carp && s.and_then(|p| p.syncdev.as_ref()).is_none() {
            let p = place(n);
            out.push(diff(
                DifferenceKind::Pfsync,
                format!("node {which} has no pfsync syncdev (hostname.pfsync0): states do not replicate, and a failover drops every connection"),
                (which == "A").then(|| p.clone()),
                (which == "B").then_some(p),
            ));
        }
    }
    let (Some(sa), Some(sb)) = (sa, sb) else {
        return;
    };
    if let (Some(da), Some(db)) = (&sa.syncdev, &sb.syncdev) {
        if let (Some(na), Some(nb), None, None) =
            (networks(a, da), networks(b, db), sa.syncpeer, sb.syncpeer)
        {
            if !na.iter().any(|x| nb.contains(x)) {
                out.push(both(format!(
                    "the sync interfaces are on different networks ({da} on node A, {db} on node B): multicast pfsync updates never reach the peer"
                )));
            }
        }
    }
    match (sa.syncpeer, sb.syncpeer) {
        (Some(_), None) | (None, Some(_)) => {
            let which = if sa.syncpeer.is_some() { "A" } else { "B" };
            out.push(both(format!(
                "syncpeer only on node {which}: that node sends unicast updates and does not join 224.0.0.240, so the other node's multicast updates may never reach it"
            )));
        }
        (Some(x), Some(y)) => {
            for (peer, other, which, other_which) in [(x, b, "A", "B"), (y, a, "B", "A")] {
                let (addrs, dynamic) = node_addresses(other);
                if !addrs.contains(&peer) && !dynamic {
                    out.push(both(format!(
                        "node {which}'s syncpeer {peer} is not an address of node {other_which}: node {other_which} never receives its state updates"
                    )));
                }
            }
        }
        (None, None) => {}
    }
    let onoff = |d: Option<bool>| if d == Some(true) { "on" } else { "off" };
    if sa.defer.unwrap_or(false) != sb.defer.unwrap_or(false) {
        out.push(both(format!(
            "pfsync defer is {} on node A and {} on node B: the nodes hold the first packet of a new state differently",
            onoff(sa.defer),
            onoff(sb.defer)
        )));
    }
    // pfsync(4): maxupd defaults to 128.
    let (ma, mb) = (sa.maxupd.unwrap_or(128), sb.maxupd.unwrap_or(128));
    if ma != mb {
        out.push(both(format!(
            "pfsync maxupd is {ma} on node A and {mb} on node B"
        )));
    }
}

/// sysctl keys whose values must match, with the kernel default.
const PAIR_SYSCTLS: [(&str, &str, &str); 4] = [
    (
        "net.inet.carp.preempt",
        "0",
        "after a failover the preferred node takes MASTER back on one node only",
    ),
    (
        "net.inet.carp.allow",
        "1",
        "a node that does not allow CARP ignores every advertisement and both become MASTER",
    ),
    (
        "net.inet.ip.forwarding",
        "0",
        "the node that becomes MASTER does not route IPv4 the way the other did",
    ),
    (
        "net.inet6.ip6.forwarding",
        "0",
        "the node that becomes MASTER does not route IPv6 the way the other did",
    ),
];

fn compare_sysctl(a: &Node, b: &Node, out: &mut Vec<Difference>) {
    for (key, default, why) in PAIR_SYSCTLS {
        let (xa, xb) = (
            a.sysctl(key).unwrap_or(default),
            b.sysctl(key).unwrap_or(default),
        );
        if xa == xb {
            continue;
        }
        let place = |n: &Node| {
            let o = n
                .sysctl
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|x| x.2);
            at(
                n,
                o,
                "/etc/sysctl.conf",
                &format!("{key}={}", n.sysctl(key).unwrap_or(default)),
            )
        };
        let shown = |n: &Node, v: &str| {
            if n.sysctl(key).is_some() {
                v.to_string()
            } else {
                format!("{v} (unset)")
            }
        };
        out.push(diff(
            DifferenceKind::Sysctl,
            format!(
                "{key} is {} on node A and {} on node B: {why}",
                shown(a, xa),
                shown(b, xb)
            ),
            Some(place(a)),
            Some(place(b)),
        ));
    }
}
