//! Whether a moved rule matters. pf applies the last matching rule (or the
//! first `quick` one), so the order of two rules matters only when some
//! packet can match both and they decide differently. A move that crosses
//! only rules it shares no packet with, or rules that decide the same way
//! (same action and options), cannot change a verdict: it is a neutral
//! reorder.
//!
//! Overlap is judged on the expanded rules (one address, port range,
//! protocol and family each): two rules are disjoint when their direction,
//! interface name, family, protocol, addresses or ports exclude each
//! other. Anything the expanded form does not pin down (groups, tables,
//! dynamic addresses, `!` negations of non-nested prefixes, options such
//! as `flags`, `tagged`, `user`) counts as a possible overlap.

use crate::ast::Direction;
use crate::eval::Packet;
use crate::expand::{Addr, Af, ExpandedRule, PortOp, RuleAction, Side};
use crate::Port;
use ipnet::IpNet;
use std::net::IpAddr;

/// Ports as inclusive intervals.
fn port_ranges(p: &Option<PortOp>) -> Vec<(u32, u32)> {
    const MAX: u32 = 65535;
    let Some(p) = p else {
        return vec![(0, MAX)];
    };
    let (a, b) = (p.a, p.b);
    let v = match p.op.as_str() {
        "=" => vec![(a, a)],
        "!=" => vec![(0, a.saturating_sub(1)), (a + 1, MAX)],
        "<" => vec![(0, a.saturating_sub(1))],
        "<=" => vec![(0, a)],
        ">" => vec![(a + 1, MAX)],
        ">=" => vec![(a, MAX)],
        ":" => vec![(a, b)],
        "><" => vec![(a + 1, b.saturating_sub(1))],
        "<>" => vec![(0, a.saturating_sub(1)), (b + 1, MAX)],
        _ => vec![(0, MAX)],
    };
    v.into_iter().filter(|(x, y)| x <= y).collect()
}

/// The first port both sides allow, if any.
fn common_port(x: &Option<PortOp>, y: &Option<PortOp>) -> Option<u32> {
    let (rx, ry) = (port_ranges(x), port_ranges(y));
    let mut best: Option<u32> = None;
    for (a1, b1) in &rx {
        for (a2, b2) in &ry {
            let (lo, hi) = ((*a1).max(*a2), (*b1).min(*b2));
            if lo <= hi {
                best = Some(best.map_or(lo, |b: u32| b.min(lo)));
            }
        }
    }
    best
}

fn net(a: &Addr) -> Option<IpNet> {
    match a {
        Addr::Net { ip, bits } => IpNet::new(*ip, *bits).ok(),
        _ => None,
    }
}

/// Whether two sides can hold a common address; the address when one is
/// known.
fn common_addr(x: &Side, y: &Side) -> (bool, Option<IpAddr>) {
    match (net(&x.addr), net(&y.addr), x.not, y.not) {
        (Some(a), Some(b), false, false) => {
            if a.contains(&b) {
                (true, Some(b.network()))
            } else if b.contains(&a) {
                (true, Some(a.network()))
            } else {
                (false, None)
            }
        }
        // `! a` and `b`: nothing in common when b lies inside a.
        (Some(a), Some(b), true, false) => (!a.contains(&b), None),
        (Some(a), Some(b), false, true) => (!b.contains(&a), None),
        (Some(a), None, false, _) if matches!(y.addr, Addr::Any) && !y.not => {
            (true, Some(a.network()))
        }
        (None, Some(b), _, false) if matches!(x.addr, Addr::Any) && !x.not => {
            (true, Some(b.network()))
        }
        _ => (true, None),
    }
}

fn family_of(r: &ExpandedRule) -> Option<Af> {
    r.af.or_else(|| {
        [&r.from.addr, &r.to.addr]
            .into_iter()
            .find_map(|a| match a {
                Addr::Net { ip, .. } => Some(if ip.is_ipv4() { Af::Inet } else { Af::Inet6 }),
                _ => None,
            })
    })
}

fn is_interface_name(n: &str) -> bool {
    n.ends_with(|c: char| c.is_ascii_digit())
}

/// A packet both rules may match, or None when they cannot share one.
pub(super) fn common_packet(x: &ExpandedRule, y: &ExpandedRule) -> Option<Packet> {
    if let (Some(a), Some(b)) = (x.direction, y.direction) {
        if a != b {
            return None;
        }
    }
    let positive = |r: &ExpandedRule| {
        r.interface
            .as_deref()
            .filter(|i| !i.starts_with('!') && !i.starts_with("rdomain"))
            .map(str::to_string)
    };
    let (ix, iy) = (positive(x), positive(y));
    if let (Some(a), Some(b)) = (&ix, &iy) {
        if a != b && is_interface_name(a) && is_interface_name(b) {
            return None;
        }
    }
    let (fx, fy) = (family_of(x), family_of(y));
    if let (Some(a), Some(b)) = (fx, fy) {
        if a != b {
            return None;
        }
    }
    if let (Some(a), Some(b)) = (x.proto, y.proto) {
        if a != b {
            return None;
        }
    }
    let (src_ok, src) = common_addr(&x.from, &y.from);
    let (dst_ok, dst) = common_addr(&x.to, &y.to);
    if !src_ok || !dst_ok {
        return None;
    }
    let sport = common_port(&x.from.port, &y.from.port)?;
    let dport = common_port(&x.to.port, &y.to.port)?;
    let interface = [ix, iy]
        .into_iter()
        .flatten()
        .find(|i| is_interface_name(i));
    let port_given = |a: &Option<PortOp>, b: &Option<PortOp>, v: u32| {
        (a.is_some() || b.is_some()).then_some(Port(v as u16))
    };
    Some(Packet {
        direction: Some(x.direction.or(y.direction).unwrap_or(Direction::In)),
        interface,
        af: fx.or(fy),
        proto: x.proto.or(y.proto),
        src,
        dst,
        src_port: port_given(&x.from.port, &y.from.port, sport),
        dst_port: port_given(&x.to.port, &y.to.port, dport),
        ..Packet::default()
    })
}

/// Whether two rules decide a packet they both match the same way: the
/// same action, return policy, `quick`, logging and options.
pub(super) fn same_decision(x: &ExpandedRule, y: &ExpandedRule) -> bool {
    x.action == y.action
        && x.block == y.block
        && x.quick == y.quick
        && x.log == y.log
        && x.options == y.options
        && x.action != RuleAction::Anchor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> ExpandedRule {
        let r = crate::check_str("t.conf", text);
        let ex = crate::expand::expand(&r.resolved, &crate::expand::Interfaces::new());
        ex.rules.into_iter().next().expect("one rule")
    }

    #[test]
    fn different_ports_interfaces_families_and_prefixes_are_disjoint() {
        let base = rule("pass in on em0 proto tcp to 10.0.0.0/24 port 22");
        for other in [
            "block in on em0 proto tcp to 10.0.0.0/24 port 80",
            "block in on em1 proto tcp to 10.0.0.0/24 port 22",
            "block out on em0 proto tcp to 10.0.0.0/24 port 22",
            "block in on em0 proto udp to 10.0.0.0/24 port 22",
            "block in on em0 proto tcp to 10.1.0.0/24 port 22",
            "block in on em0 inet6 proto tcp to 2001:db8::/32 port 22",
            "block in on em0 proto tcp to 10.0.0.0/24 port > 1023",
        ] {
            assert!(common_packet(&base, &rule(other)).is_none(), "{other}");
        }
    }

    #[test]
    fn nested_prefixes_ranges_groups_and_tables_overlap() {
        let base = rule("pass in on em0 proto tcp to 10.0.0.0/24 port 22");
        for (other, want) in [
            (
                "block in proto tcp to 10.0.0.0/8",
                "in on em0 proto tcp to 10.0.0.0 port 22",
            ),
            (
                "block in on egress",
                "in on em0 proto tcp to 10.0.0.0 port 22",
            ),
            (
                "block in on em0 proto tcp to <t> port 20:30",
                "in on em0 inet proto tcp port 22",
            ),
            ("block all", "in on em0 proto tcp to 10.0.0.0 port 22"),
        ] {
            let p = common_packet(&base, &rule(other)).expect(other);
            assert_eq!(
                p.to_string().replace(" to any port", " port"),
                want,
                "{other}"
            );
        }
    }

    #[test]
    fn negated_prefix_excludes_what_it_holds() {
        let a = rule("pass in from ! 10.0.0.0/8");
        assert!(common_packet(&a, &rule("block in from 10.1.0.0/16")).is_none());
        assert!(common_packet(&a, &rule("block in from 192.0.2.0/24")).is_some());
    }

    #[test]
    fn decisions_compare_action_and_options() {
        let a = rule("pass in proto tcp to port 22");
        assert!(same_decision(&a, &rule("pass in proto tcp to port 80")));
        assert!(!same_decision(&a, &rule("block in proto tcp to port 80")));
        assert!(!same_decision(
            &a,
            &rule("pass in quick proto tcp to port 80")
        ));
        assert!(!same_decision(
            &a,
            &rule("pass in proto tcp to port 80 label x")
        ));
    }
}
