//! The index against the plain walk: random rulesets made of broad shapes
//! (`any`, negation, tables that may grow or not, `(if)`, `:network`,
//! groups, `self`, ranges, port operators, inline anchors with their own
//! filters, `anchor quick`, `quick`, match rules with `nat-to`, tags and
//! `tagged`), random packets (some fields left out), evaluated without a
//! node, with `--interfaces` and on a node: every answer, through the
//! index, with and without the list of matches, is the walk's.

use super::tests::assert_same_as_linear;
use super::*;
use proptest::prelude::*;

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(options).prop_map(str::to_string)
}

const IFACES: &[&str] = &[
    "",
    "",
    " on em0",
    " on em1",
    " on ! em0",
    " on any",
    " on egress",
    " on carp",
    " on lan",
    " on lo0",
    " on { em0 em1 }",
    " on em",
    " on carp0",
];

const ADDRS: &[&str] = &[
    "any",
    "any",
    "10.0.0.0/8",
    "! 10.0.0.0/8",
    "10.1.2.3",
    "192.0.2.0/24",
    "{ 10.1.0.0/16 198.51.100.0/24 }",
    "{ 10.0.0.5 ! 10.0.0.0/8 }",
    "<fixed>",
    "! <fixed>",
    "<grows>",
    "<fromfile>",
    "(em0)",
    "em1:network",
    "self",
    "10.0.0.1 - 10.0.0.9",
    "2001:db8::/32",
    "198.51.100.9",
];

const PORTS: &[&str] = &[
    "",
    "",
    " port 22",
    " port 53",
    " port { 22 80 443 }",
    " port > 1024",
    " port 1000:2000",
    " port != 80",
    " port domain",
];

const PROTOS: &[&str] = &[
    "",
    "",
    " proto tcp",
    " proto udp",
    " proto { tcp udp }",
    " proto icmp",
    " proto carp",
];

/// The direction, then `[on interface][proto] from A [port] to B
/// [port]`, ports only with tcp or udp.
fn filter() -> impl Strategy<Value = (String, String)> {
    (
        pick(&["", " in", " out"]),
        pick(IFACES),
        pick(PROTOS),
        pick(ADDRS),
        pick(PORTS),
        pick(ADDRS),
        pick(PORTS),
    )
        .prop_map(|(dir, on, proto, from, sport, to, dport)| {
            let ports = proto.contains("tcp") || proto.contains("udp");
            let (sport, dport) = if ports {
                (sport, dport)
            } else {
                (String::new(), String::new())
            };
            (
                dir,
                format!("{on}{proto} from {from}{sport} to {to}{dport}"),
            )
        })
}

fn rule() -> impl Strategy<Value = String> {
    (
        pick(&["pass", "pass", "block", "block return", "match"]),
        pick(&["", "", " log"]),
        any::<bool>(),
        filter(),
        pick(&[
            "",
            "",
            "",
            " tag T1",
            " tagged T1",
            " ! tagged T1",
            " keep state",
            " user root",
            " nat-to 192.0.2.1",
            " rdr-to 10.0.0.7",
            " route-to 10.0.0.254",
        ]),
    )
        .prop_map(|(action, log, quick, (dir, f), opt)| {
            let quick = if quick && action != "match" {
                " quick"
            } else {
                ""
            };
            // Translations where pfctl accepts them.
            let tcp_udp = f.contains("tcp") || f.contains("udp");
            let opt = match opt.as_str() {
                " nat-to 192.0.2.1" if dir != " out" || action.starts_with("block") => "",
                " rdr-to 10.0.0.7" if dir != " in" || action.starts_with("block") => "",
                " route-to 10.0.0.254" | " keep state" if action != "pass" => "",
                " user root" if !tcp_udp => "",
                o => o,
            };
            format!("{action}{dir}{log}{quick}{f}{opt}\n")
        })
}

/// Rules and inline anchors (two levels at most).
fn statements(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop::collection::vec(rule(), 0..6)
        .prop_map(|v| v.concat())
        .boxed();
    if depth == 0 {
        return leaf;
    }
    let anchor =
        (any::<bool>(), filter(), statements(depth - 1)).prop_map(|(quick, (dir, f), body)| {
            let quick = if quick { " quick" } else { "" };
            format!("anchor{dir}{quick}{f} {{\n{body}}}\n")
        });
    prop::collection::vec(prop_oneof![3 => rule(), 1 => anchor], 0..10)
        .prop_map(|v| v.concat())
        .boxed()
}

fn ruleset() -> impl Strategy<Value = String> {
    (
        pick(&["", "set skip on lo0\n", "set skip on em1\n"]),
        pick(&["", "antispoof for em1\n"]),
        statements(2),
    )
        .prop_map(|(skip, antispoof, body)| {
            format!(
                "table <fixed> const {{ 10.0.0.0/8 !10.0.0.5 192.0.2.7 }}\n\
                 table <grows> persist {{ 198.51.100.0/24 }}\n\
                 table <fromfile> persist file \"/etc/t\"\n\
                 {skip}{antispoof}{body}"
            )
        })
}

fn packet() -> impl Strategy<Value = Packet> {
    let addr = proptest::sample::select(&[
        "10.1.2.3",
        "10.0.0.5",
        "10.0.0.3",
        "192.0.2.7",
        "198.51.100.9",
        "203.0.113.4",
        "10.1.0.1",
        "2001:db8::1",
    ]);
    let port = proptest::sample::select(&[None, Some(22u16), Some(53), Some(80), Some(1500)]);
    (
        proptest::sample::select(&[None, Some(Direction::In), Some(Direction::Out)]),
        proptest::sample::select(&[
            None,
            Some("em0"),
            Some("em1"),
            Some("lo0"),
            Some("carp0"),
            Some("pfsync0"),
            Some("vio0"),
        ]),
        proptest::sample::select(&[None, Some(6u8), Some(17), Some(1), Some(112)]),
        (proptest::option::weighted(0.8, addr.clone()), addr),
        (port.clone(), port),
        proptest::sample::select(&[None, Some("T1")]),
    )
        .prop_map(|(direction, interface, proto, (src, dst), (sp, dp), tag)| {
            let dst: IpAddr = dst
                .parse()
                .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
            // One family: the source follows the destination's.
            let src = src
                .and_then(|s| s.parse::<IpAddr>().ok())
                .filter(|s| s.is_ipv4() == dst.is_ipv4());
            let ports = matches!(proto, Some(6 | 17));
            Packet {
                direction,
                interface: interface.map(str::to_string),
                af: Some(if dst.is_ipv4() {
                    AddressFamily::Inet
                } else {
                    AddressFamily::Inet6
                }),
                proto: proto.map(Protocol),
                src,
                dst: Some(dst),
                src_port: sp.filter(|_| ports).map(Port),
                dst_port: dp.filter(|_| ports).map(Port),
                tags: tag.map(|t| vec![t.to_string()]).unwrap_or_default(),
                src_set: None,
            }
        })
}

fn node() -> Node {
    Node::from_files([
        ("hostname.em0", "inet 198.51.100.2 255.255.255.0\n"),
        ("hostname.em1", "inet 10.0.0.1 255.0.0.0\ngroup lan\n"),
        (
            "hostname.carp0",
            "inet 198.51.100.1 255.255.255.0 vhid 1 carpdev em0 pass s1\n",
        ),
        ("hostname.pfsync0", "syncdev em1\nup\n"),
        ("mygate", "198.51.100.254\n"),
    ])
}

proptest! {
    // About half the random rulesets are refused by the checks.
    #![proptest_config(ProptestConfig {
        cases: 256,
        max_global_rejects: 1_000_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_index_answers_as_every_rule_judged_in_order(
        src in ruleset(),
        packets in prop::collection::vec(packet(), 1..12),
    ) {
        let loader = crate::MemoryLoader::default().with("/etc/t", "10.1.0.0/16\n");
        let r = crate::check_with("t.conf", &src, &loader, &crate::Options::default());
        // Shapes pfctl refuses (a family clash, a port on a list) are
        // left out.
        prop_assume!(r.is_ok());
        let node = node();
        let ifs = crate::expand::Interfaces::parse("em0 198.51.100.2/24\nem1 10.0.0.1/8\n")
            .unwrap_or_default();
        for ev in [
            Evaluator::new(&r.resolved, None),
            Evaluator::new(&r.resolved, Some(&ifs)),
            Evaluator::with_node(&r.resolved, &node),
        ] {
            for p in &packets {
                assert_same_as_linear(&ev, p, &src);
            }
        }
    }

    /// The HA probes' evaluator files only the rules that may match CARP
    /// or pfsync: for packets of those protocols it answers as every rule
    /// judged in order.
    #[test]
    fn an_evaluator_of_carp_and_pfsync_answers_as_every_rule_for_them(
        src in ruleset(),
        packets in prop::collection::vec(packet(), 1..12),
        pfsync in prop::collection::vec(any::<bool>(), 12),
    ) {
        let loader = crate::MemoryLoader::default().with("/etc/t", "10.1.0.0/16\n");
        let r = crate::check_with("t.conf", &src, &loader, &crate::Options::default());
        prop_assume!(r.is_ok());
        let node = node();
        let ha = [Protocol(112), Protocol(240)];
        for ev in [
            Evaluator::for_protocols(&r.resolved, None, &ha),
            Evaluator::for_protocols(&r.resolved, Some(&node), &ha),
        ] {
            for (p, pfsync) in packets.iter().zip(&pfsync) {
                let p = Packet {
                    proto: Some(Protocol(if *pfsync { 240 } else { 112 })),
                    src_port: None,
                    dst_port: None,
                    ..p.clone()
                };
                assert_same_as_linear(&ev, &p, &src);
            }
        }
    }
}
