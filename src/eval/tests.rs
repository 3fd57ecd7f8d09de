//! One test per semantic of pf's evaluation.

use super::*;
use crate::check_str;

fn eval(src: &str, pkt: &Packet) -> Outcome {
    let r = check_str("t.conf", src);
    assert!(r.is_ok(), "{:?}", r.diagnostics);
    evaluate(&r.resolved, pkt)
}

fn line_of(src: &str, o: &Outcome) -> Option<usize> {
    let r = check_str("t.conf", src);
    o.certain().and_then(|d| d.rule).map(|s| r.sources.line(s))
}

fn tcp(dir: Direction, ifname: &str, dst: &str, port: u16) -> Packet {
    Packet {
        direction: Some(dir),
        interface: Some(ifname.into()),
        af: Some(AddressFamily::Inet),
        proto: Some(Protocol::TCP),
        src: Some("198.51.100.7".parse().unwrap()),
        dst: Some(dst.parse().unwrap()),
        src_port: Some(Port(40000)),
        dst_port: Some(Port(port)),
        tags: Vec::new(),
        src_set: None,
    }
}

#[test]
fn the_reference_skeleton_blocks_carp_on_the_wan_and_pfsync() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ha/skeleton.conf"
    ))
    .unwrap();
    for dir in [Direction::In, Direction::Out] {
        let o = eval(&src, &carp_packet("em0", dir));
        assert!(o.surely_blocked(), "{o:?}");
        assert_eq!(line_of(&src, &o), Some(16), "block all decides");
        let o = eval(&src, &pfsync_packet("em2", dir));
        assert!(o.surely_blocked());
        assert_eq!(line_of(&src, &o), Some(16));
        // `pass on $lan` after `block all` passes CARP on the LAN.
        let o = eval(&src, &carp_packet("em1", dir));
        assert_eq!(o.certain().unwrap().verdict, Verdict::Pass);
        assert_eq!(line_of(&src, &o), Some(17));
        // pfsync0 is skipped.
        let o = eval(&src, &pfsync_packet("pfsync0", dir));
        assert_eq!(o.certain().unwrap().verdict, Verdict::Skip);
    }
    let fixed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ha/skeleton-fixed.conf"
    ))
    .unwrap();
    let o = eval(&fixed, &carp_packet("em0", Direction::In));
    assert_eq!(o.certain().unwrap().verdict, Verdict::Pass);
    // The fixed skeleton skips the sync interface em2.
    let o = eval(&fixed, &pfsync_packet("em2", Direction::Out));
    assert_eq!(o.certain().unwrap().verdict, Verdict::Skip);
}

#[test]
fn last_match_wins_and_quick_stops() {
    let src = "block all\npass in proto tcp to port 22\n";
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 23))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
    let src = "block quick all\npass in proto tcp to port 22\n";
    let o = eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22));
    let d = o.certain().unwrap();
    assert_eq!((d.verdict, d.quick), (Verdict::Block, true));
}

#[test]
fn no_match_passes_by_default() {
    let src = "block in on em1\n";
    let o = eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22));
    assert_eq!(o.certain().unwrap().verdict, Verdict::DefaultPass);
}

#[test]
fn negation_addresses_and_port_ranges() {
    let src = "block all\npass in proto tcp from ! 10.0.0.0/8 to 192.0.2.0/24 port 1000:2000\n";
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "192.0.2.9", 1500))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "192.0.2.9", 2500))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "192.0.3.9", 1500))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
}

#[test]
fn match_rules_tag_and_tagged_follows() {
    let src = "block all\nmatch in proto tcp to port 22 tag SSH\npass in tagged SSH\n";
    let o = eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22));
    // The tag is set by a rule this evaluator follows as "maybe": both
    // outcomes stay possible unless the packet says it carries the tag.
    assert!(o.verdicts().contains(&Verdict::Pass));
    let mut p = tcp(Direction::In, "em0", "10.0.0.1", 22);
    p.tags.push("SSH".into());
    assert_eq!(eval(src, &p).certain().unwrap().verdict, Verdict::Pass);
}

#[test]
fn anchors_are_evaluated_in_place_with_their_filters() {
    let src = "block all\nanchor \"a\" on em0 {\n pass in proto tcp to port 22\n}\n";
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        eval(src, &tcp(Direction::In, "em1", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
    let src = "anchor \"a\" quick {\n block in proto tcp to port 22\n}\npass all\n";
    let o = eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22));
    assert_eq!(o.certain().unwrap().verdict, Verdict::Block);
    let src = "anchor \"runtime\"\npass all\n";
    assert!(eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22)).incomplete);
}

#[test]
fn unknown_facts_give_every_possible_verdict() {
    let src = "block all\npass in from <friends>\n";
    let o = eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22));
    assert_eq!(o.verdicts(), vec![Verdict::Pass, Verdict::Block]);
    assert!(o.certain().is_none());
    let src = "block all\npass on egress\n";
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22))
            .verdicts()
            .len(),
        2
    );
    let src = "block all\npass on em\n";
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Pass
    );
}

#[test]
fn address_families_must_agree() {
    let src = "block all\npass inet6 all\n";
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
}

#[test]
fn packets_are_written_in_pf_vocabulary() {
    let p = parse_packet(
        "in on em0 proto tcp from 198.51.100.7 port 40000 to 203.0.113.1 port https tagged T",
    )
    .unwrap();
    assert_eq!(p.direction, Some(Direction::In));
    assert_eq!(p.interface.as_deref(), Some("em0"));
    assert_eq!(p.proto, Some(Protocol::TCP));
    assert_eq!(p.af, Some(AddressFamily::Inet));
    assert_eq!(p.dst_port, Some(Port(443)));
    assert_eq!(p.tags, vec!["T".to_string()]);
    assert!(parse_packet("in on { em0 em1 }").is_err());
    assert!(parse_packet("in from 10/8").is_err());
    assert!(parse_packet("sideways").is_err());
}

#[test]
fn tables_are_known_when_defined_inline() {
    let p = tcp(Direction::In, "em0", "10.0.0.1", 22);
    // Source 198.51.100.7: in the const table -> certain.
    let src = "table <t> const { 198.51.100.0/24, !198.51.100.7 }\nblock all\npass in from <t>\n";
    assert_eq!(
        eval(src, &p).certain().unwrap().verdict,
        Verdict::Block,
        "the ! entry wins"
    );
    let src = "table <t> const { 198.51.100.0/24 }\nblock all\npass in from <t>\n";
    assert_eq!(eval(src, &p).certain().unwrap().verdict, Verdict::Pass);
    let src = "table <t> const { 192.0.2.0/24 }\nblock all\npass in from <t>\n";
    assert_eq!(eval(src, &p).certain().unwrap().verdict, Verdict::Block);
    // A table that may grow at run time (not const) may still match.
    let src = "table <t> persist { 192.0.2.0/24 }\nblock all\npass in from <t>\n";
    assert_eq!(
        eval(src, &p).verdicts(),
        vec![Verdict::Pass, Verdict::Block]
    );
    // A table from a file is unknown.
    let src = "table <t> const file \"/nonexistent\"\nblock all\npass in from <t>\n";
    let r = check_str("t.conf", src);
    assert_eq!(evaluate(&r.resolved, &p).verdicts().len(), 2);
}

#[test]
fn block_policy_and_return_types() {
    let p = tcp(Direction::In, "em0", "10.0.0.1", 22);
    assert_eq!(
        eval("block all\n", &p).certain().unwrap().block,
        Some(BlockKind::Drop)
    );
    assert_eq!(
        eval("set block-policy return\nblock all\n", &p)
            .certain()
            .unwrap()
            .block,
        Some(BlockKind::Return)
    );
    assert_eq!(
        eval("set block-policy return\nblock drop all\n", &p)
            .certain()
            .unwrap()
            .block,
        Some(BlockKind::Drop)
    );
    assert_eq!(
        eval("block return-rst proto tcp all\n", &p)
            .certain()
            .unwrap()
            .block,
        Some(BlockKind::ReturnRst)
    );
    assert_eq!(eval("pass all\n", &p).certain().unwrap().block, None);
}

#[test]
fn interface_addresses_with_interface_data() {
    let ifs =
        crate::expand::Interfaces::parse("em0 10.0.0.1/24 2001:db8::1/64\nem1 192.168.1.1/24\n")
            .unwrap();
    let r = check_str(
        "t.conf",
        "block all\npass in to (em0)\npass in from em1:network\n",
    );
    let ev = |p: &Packet| evaluate_with(&r.resolved, Some(&ifs), p);
    assert_eq!(
        ev(&tcp(Direction::In, "em0", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        ev(&tcp(Direction::In, "em0", "10.0.0.2", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
    let mut p = tcp(Direction::In, "em1", "10.0.0.9", 22);
    p.src = Some("192.168.1.77".parse().unwrap());
    assert_eq!(
        ev(&p).certain().unwrap().verdict,
        Verdict::Pass,
        "em1:network holds 192.168.1.77"
    );
    // Without interface data the same rules are undecided.
    assert!(
        evaluate(&r.resolved, &tcp(Direction::In, "em0", "10.0.0.1", 22))
            .certain()
            .is_none()
    );
}

#[test]
fn questions_the_ha_lints_ask() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ha/skeleton.conf"
    ))
    .unwrap();
    let r = check_str("t.conf", &src);
    assert_eq!(carp_passed(&r.resolved, "em0"), Some(false));
    assert_eq!(carp_passed(&r.resolved, "em1"), Some(true));
    assert_eq!(pfsync_passed(&r.resolved, "em2"), Some(false));
    let names: Vec<String> = interfaces_passing_pfsync(&r.resolved)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        vec!["em1".to_string()],
        "pass on $lan passes pfsync from anywhere on em1"
    );
}

/// The index (with and without the list of matches) answers what every
/// statement judged in order answers: the same decisions in the same
/// order, the same undecided rules and reasons.
pub(super) fn assert_same_as_linear(ev: &Evaluator, p: &Packet, src: &str) {
    for (indexed, linear) in [
        (ev.evaluate(p), ev.evaluate_linear(p, true)),
        (ev.decide(p), ev.evaluate_linear(p, false)),
    ] {
        assert_eq!(indexed.decisions, linear.decisions, "{src}\n{p}");
        assert_eq!(indexed.incomplete, linear.incomplete, "{src}\n{p}");
        assert_eq!(indexed.undecided, linear.undecided, "{src}\n{p}");
        assert_eq!(indexed.filtered_on, linear.filtered_on, "{src}\n{p}");
    }
    // Without the list of matches, the same answer but that list, unless
    // the possibilities overflowed (lists keep more of them apart).
    if let Err(why) = ev.evaluate(p).same_answer(&ev.decide(p)) {
        panic!("{why}\n{src}\n{p}");
    }
}

#[test]
fn the_index_gives_the_same_answers_as_a_full_scan() {
    let rulesets = [
        "block all\npass in on em0 proto tcp to 10.0.0.0/8 port 22\npass out on em\nblock in quick on egress proto udp\n",
        "table <t> const { 192.0.2.0/24 }\nblock return\npass in proto tcp from <t> to 10.1.0.0/16\nanchor \"a\" on em1 {\n pass in proto tcp to 10.1.2.3\n}\npass in on !em1 proto { tcp udp } to { 10.0.0.1, 2001:db8::/32 } port 53\n",
        "set skip on lo\npass\nblock in on em0 inet6\nblock in proto tcp to 10.0.0.0/8 port > 1000\n",
        "anchor \"x\" in on em1 proto tcp to 10.1.0.0/16 {\n block in all\n}\nanchor \"y\" out {\n pass all\n}\nanchor \"z\" quick on em0 from 198.51.100.0/24 {\n block all\n}\n",
        "table <bad> const { 198.51.100.0/24, !198.51.100.7 }\ntable <grow> persist { 198.51.100.0/24 }\npass\nblock in quick on em0 from <bad>\nblock in on em0 from 198.51.100.0/25 to any\nblock in from <grow>\npass in from ! 10.0.0.0/8\n",
    ];
    let mut packets = Vec::new();
    for dir in [Direction::In, Direction::Out] {
        for ifname in ["em0", "em1", "lo0", "vio0"] {
            for dst in ["10.0.0.1", "10.1.2.3", "192.0.2.9", "2001:db8::1"] {
                for (proto, port) in [(6u8, 22u16), (6, 2000), (17, 53), (1, 0)] {
                    let mut p = tcp(dir, ifname, dst, port);
                    p.proto = Some(Protocol(proto));
                    if dst.contains(':') {
                        p.af = Some(AddressFamily::Inet6);
                        p.src = Some("2001:db8:ffff::7".parse().unwrap());
                    }
                    packets.push(p);
                }
            }
        }
    }
    for src in rulesets {
        let r = check_str("t.conf", src);
        assert!(r.is_ok(), "{:?}", r.diagnostics);
        let ev = Evaluator::new(&r.resolved, None);
        for p in &packets {
            assert_same_as_linear(&ev, p, src);
        }
    }
}

#[test]
fn state_tags_and_translation_are_reported() {
    let src = "match out on em0 from 10.0.0.0/8 to any nat-to 192.0.2.1 tag NAT\nblock all\npass out on em0 proto tcp modulate state\n";
    let mut p = tcp(Direction::Out, "em0", "198.51.100.1", 443);
    p.src = Some("10.1.2.3".parse().unwrap());
    let o = eval(src, &p);
    let d = o.certain().unwrap();
    assert_eq!(d.verdict, Verdict::Pass);
    assert_eq!(d.state, Some(StateKind::Modulate));
    assert_eq!(d.tags, vec!["NAT".to_string()]);
    assert_eq!(d.translation.as_deref(), Some("nat-to 192.0.2.1"));
    assert_eq!(d.matches.len(), 3);
    let src = "pass in proto tcp to port 80 rdr-to 10.0.0.2 port 8080\n";
    let d = eval(src, &tcp(Direction::In, "em0", "192.0.2.1", 80))
        .certain()
        .unwrap()
        .clone();
    assert_eq!(
        (d.state, d.translation.as_deref()),
        (Some(StateKind::Keep), Some("rdr-to 10.0.0.2 port 8080"))
    );
}

#[test]
fn nested_anchors_apply_their_own_filters() {
    let src = "block all\nanchor \"outer\" in on em0 {\n anchor \"inner\" proto tcp {\n  pass proto tcp to port 22\n }\n pass proto udp\n}\n";
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Pass
    );
    assert_eq!(
        eval(src, &tcp(Direction::In, "em0", "10.0.0.1", 23))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
    assert_eq!(
        eval(src, &tcp(Direction::Out, "em0", "10.0.0.1", 22))
            .certain()
            .unwrap()
            .verdict,
        Verdict::Block
    );
    let mut p = tcp(Direction::In, "em0", "10.0.0.1", 53);
    p.proto = Some(Protocol::UDP);
    assert_eq!(eval(src, &p).certain().unwrap().verdict, Verdict::Pass);
}

#[test]
fn table_files_read_at_resolution_count() {
    use crate::{check_with, MemoryLoader, Options};
    let loader = MemoryLoader::default()
        .with("bad.txt", "# scanners\n198.51.100.0/24\n!198.51.100.9\n")
        .with("names.txt", "scanner.example.org\n");
    let p = tcp(Direction::In, "em0", "10.0.0.1", 22);
    let src = "table <bad> const file \"bad.txt\"\npass all\nblock in from <bad>\n";
    let r = check_with("t.conf", src, &loader, &Options::default());
    assert_eq!(
        evaluate(&r.resolved, &p).certain().unwrap().verdict,
        Verdict::Block
    );
    let mut q = p.clone();
    q.src = Some("198.51.100.9".parse().unwrap());
    assert_eq!(
        evaluate(&r.resolved, &q).certain().unwrap().verdict,
        Verdict::Pass,
        "! entry"
    );
    let src = "table <bad> const file \"names.txt\"\npass all\nblock in from <bad>\n";
    let r = check_with("t.conf", src, &loader, &Options::default());
    assert!(
        evaluate(&r.resolved, &p).certain().is_none(),
        "host names are unknown here"
    );
}

/// pf.c 1.1218, `pf_test`: a packet on a CARP interface is filtered with
/// its carpdev's kif, so rules on the parent decide it and rules naming
/// the CARP interface (or the `carp` group) never match it.
#[test]
fn packets_on_a_carp_interface_are_filtered_as_on_its_parent() {
    let node = crate::node::Node::from_files([
        ("hostname.em1", "inet 10.0.0.2 255.255.255.0\n"),
        (
            "hostname.carp1",
            "inet 10.0.0.1 255.255.255.0 vhid 1 carpdev em1 pass x\n",
        ),
    ]);
    let src = "block all\npass in on em1 proto tcp\nblock in on carp1 proto tcp\nblock in on carp proto tcp\n";
    let r = crate::check_str("t.conf", src);
    let ev = Evaluator::with_node(&r.resolved, &node);
    let p = tcp(Direction::In, "carp1", "10.0.0.1", 22);
    let o = ev.evaluate(&p);
    let d = o.certain().expect("decided on the parent");
    assert_eq!(d.verdict, Verdict::Pass);
    assert_eq!(r.sources.line(d.rule.unwrap()), 2);
    assert_eq!(o.filtered_on.as_deref(), Some("em1"));
    // Without the node the parent is unknown: the rule on em1 may or may
    // not be the parent's; the rules on carp1 and `carp` surely do not
    // match.
    let o = evaluate(&r.resolved, &p);
    assert!(o.certain().is_none());
    assert!(o
        .undecided
        .iter()
        .all(|(s, why)| { s.is_some_and(|s| r.sources.line(s) == 2) && why.contains("carpdev") }));
    assert!(o.verdicts().contains(&Verdict::Block) && o.verdicts().contains(&Verdict::Pass));
}

#[test]
fn verdicts_read_back_their_names() {
    for v in Verdict::ALL {
        assert_eq!(v.to_string().parse::<Verdict>(), Ok(*v));
        assert_eq!(serde_json::json!(v), serde_json::json!(v.as_str()));
    }
    assert_eq!(Verdict::DefaultPass.to_string(), "default-pass");
}

#[test]
fn packet_errors_say_where_and_what() {
    let e = parse_packet("in on em0 proto nonsense").unwrap_err();
    assert_eq!(e.to_string(), "unknown protocol nonsense");
    assert_eq!(e.column, 17);
    assert!(matches!(&e.kind, PacketErrorKind::Protocol(p) if p.word == "nonsense"));
    let e = parse_packet("in on em0 sideways").unwrap_err();
    assert!(matches!(e.kind, PacketErrorKind::Syntax(_)));
    assert!(
        e.to_string()
            .ends_with(&format!("(at column {})", e.column)),
        "{e}"
    );
    let e = parse_packet("in from 10.0.0.1 to ::1").unwrap_err();
    assert_eq!((e.kind.clone(), e.column), (PacketErrorKind::Family, 21));
    let e = parse_packet("in proto tcp to port 22 keep state").unwrap_err();
    assert_eq!((e.kind.clone(), e.column), (PacketErrorKind::Option, 25));
    assert_eq!(
        e.expected(),
        "direction, on, af, proto, from, to, flags, icmp-type or tagged"
    );
    let e = parse_packet("in on { em0 em1 }").unwrap_err();
    assert_eq!(e.kind, PacketErrorKind::Interface);
}

#[test]
fn packets_print_as_they_are_read() {
    for text in [
        "in on em0 proto tcp from 192.0.2.7 port 40000 to 10.0.0.1 port 22",
        "out inet6 proto udp",
        "in proto icmp to any port 7 tagged lan",
        "out on carp0 proto carp to 224.0.0.18",
    ] {
        let p: Packet = text.parse().unwrap();
        assert_eq!(p.to_string(), text);
        assert_eq!(p.to_string().parse::<Packet>().unwrap(), p);
    }
}

#[test]
fn options_that_narrow_are_maybe_and_actions_match() {
    // `FilterOpt::narrows` decides: an option that narrows what the rule
    // matches and that the packet does not fix leaves both verdicts open,
    // with its reason; an action option does not stop the rule matching.
    let pkt = tcp(Direction::In, "em0", "10.0.0.1", 22);
    for (opt, why) in [
        ("fragment", "whether the packet is a fragment is not given"),
        ("once", "a `once` rule stops matching after its first match"),
        (
            "max-pkt-rate 10/1",
            "the rule's packet rate (max-pkt-rate) is not known",
        ),
        ("tos lowdelay", "the packet's priority or TOS is not known"),
        ("flags S/SA", "the packet's TCP flags are not given"),
        ("user root", "the socket's user or group is not known"),
    ] {
        let src = format!("block all\npass in proto tcp {opt}\n");
        let o = eval(&src, &pkt);
        assert_eq!(o.verdicts(), vec![Verdict::Pass, Verdict::Block], "{opt}");
        assert!(
            o.undecided.iter().any(|(_, r)| r == why),
            "{opt}: {:?}",
            o.undecided
        );
    }
    for opt in [
        "rtable 1",
        "flags any",
        "label x",
        "tag t",
        "set prio 3",
        "keep state",
        "allow-opts",
        "route-to 192.0.2.1",
    ] {
        let src = format!("block all\npass in proto tcp {opt}\n");
        let o = eval(&src, &pkt);
        assert_eq!(o.certain().map(|d| d.verdict), Some(Verdict::Pass), "{opt}");
    }
}
