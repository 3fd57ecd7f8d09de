use super::*;

fn node(files: &[(&str, &str)]) -> Node {
    Node::from_files(files.iter().copied())
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

#[test]
fn packed_inet_forms_give_address_and_prefix() {
    // hostname.if(5): inet [alias] addr netmask broadcast_addr options.
    let n = node(&[(
        "hostname.em0",
        "media 100baseTX description Uplink\ninet 10.0.1.12 255.255.255.0 10.0.1.255\ninet alias 10.0.1.13 255.255.255.255 10.0.1.13\ninet alias 10.0.1.16 0xffffff00\ninet6 alias 2001:db8::1 64\ninet 192.0.2.7/28\n!route add 65.65.65.65 10.0.1.13\nup\n",
    )]);
    let em0 = n.interface("em0").unwrap();
    let got: Vec<(String, u8)> = em0
        .addrs
        .iter()
        .map(|a| (a.addr.to_string(), a.prefix))
        .collect();
    assert_eq!(
        got,
        [
            ("10.0.1.12".to_string(), 24),
            ("10.0.1.13".to_string(), 32),
            ("10.0.1.16".to_string(), 24),
            ("2001:db8::1".to_string(), 64),
            ("192.0.2.7".to_string(), 28),
        ]
    );
    assert_eq!(em0.description.as_deref(), Some("Uplink"));
    assert!(!em0.down);
}

#[test]
fn carp_settings_on_the_inet_line_and_on_their_own() {
    let n = node(&[
        ("hostname.carp0", "inet 198.51.100.1 255.255.255.0 NONE vhid 1 carpdev em0 pass \"two  words\" advskew 100 advbase 2\n"),
        ("hostname.carp1", "vhid 2 carppeer 10.0.0.3 pass x\ninet6 2001:db8:1::1 64\nbalancing ip carpnodes 1:0,2:100\n"),
    ]);
    let c0 = n.interface("carp0").unwrap().carp.clone().unwrap();
    assert_eq!(
        (c0.vhid, c0.advskew, c0.advbase),
        (Some(1), Some(100), Some(2))
    );
    assert_eq!(c0.carpdev.as_deref(), Some("em0"));
    // netstart splits on blanks, joins with one blank, then evals.
    assert!(c0.pass.unwrap().same(&Secret::new("two words")));
    let c1 = n.interface("carp1").unwrap().carp.clone().unwrap();
    assert_eq!(c1.carppeer, vec!["10.0.0.3".parse::<IpAddr>().unwrap()]);
    assert_eq!(c1.balancing.as_deref(), Some("ip"));
    assert_eq!(c1.carpnodes, vec![(1, 0), (2, 100)]);
    assert!(c1.pass.unwrap().same(&Secret::new("x")));
    assert_eq!(n.interface("carp1").unwrap().addrs[0].prefix, 64);
}

#[test]
fn quoted_and_bare_passwords_are_the_same() {
    let a = node(&[(
        "hostname.carp0",
        "inet 10.0.0.1 255.255.255.0 NONE vhid 1 pass \"s3cret\"\n",
    )]);
    let b = node(&[(
        "hostname.carp0",
        "inet 10.0.0.1 255.255.255.0 NONE vhid 1 pass s3cret\n",
    )]);
    let pa = a.interfaces[0].carp.as_ref().unwrap().pass.clone().unwrap();
    let pb = b.interfaces[0].carp.as_ref().unwrap().pass.clone().unwrap();
    assert!(pa.same(&pb));
    assert_eq!(format!("{pa:?}"), "<secret>");
}

#[test]
fn carpdev_is_not_inferred_by_the_kernel() {
    // ip_carp.c 1.370: SIOCSIFADDR on a carp interface without carpdev
    // fails with EINVAL; the parent is never picked by subnet.
    let n = node(&[
        ("hostname.em0", "inet 198.51.100.2 255.255.255.0\n"),
        (
            "hostname.carp0",
            "inet 198.51.100.1 255.255.255.0 NONE vhid 1\n",
        ),
        (
            "hostname.carp1",
            "inet 10.0.0.1 255.255.255.0 NONE vhid 2 carpdev em1\n",
        ),
        (
            "hostname.carp2",
            "vhid 3 carpdev em2\ninet 10.0.2.1 255.255.255.0\n",
        ),
        (
            "hostname.carp3",
            "inet 10.0.3.1 255.255.255.0\nvhid 4 carpdev em3\n",
        ),
    ]);
    let e = n.carpdev(n.interface("carp0").unwrap()).unwrap_err();
    assert_eq!(
        (e.interface.as_str(), e.shares_subnet.as_deref()),
        ("carp0", Some("em0"))
    );
    let e = e.to_string();
    assert!(e.contains("no carpdev") && e.contains("carpdev em0"), "{e}");
    assert_eq!(
        n.carpdev(n.interface("carp1").unwrap()),
        Ok("em1".to_string())
    );
    assert_eq!(
        n.carpdev(n.interface("carp2").unwrap()),
        Ok("em2".to_string())
    );
    // An address line before the carpdev line is refused at boot.
    let before: Vec<&str> = n.notes.iter().map(|x| x.message.as_str()).collect();
    assert!(
        before
            .iter()
            .any(|m| m.starts_with("carp3: address 10.0.3.1 is set before carpdev")),
        "{before:?}"
    );
    assert!(
        before.iter().any(|m| m.starts_with("carp0: address")),
        "{before:?}"
    );
    assert!(
        !before
            .iter()
            .any(|m| m.starts_with("carp1") || m.starts_with("carp2")),
        "{before:?}"
    );
}

#[test]
fn physical_interfaces_are_not_in_a_driver_group() {
    // net/if.c 1.741: only if_clone_create() adds the driver group.
    let n = node(&[
        ("hostname.em0", "up\n"),
        ("hostname.vlan5", "parent em0 vnetid 5\n"),
    ]);
    assert!(matches!(n.in_group("em0", "em"), Known::Unknown(_)));
    assert_eq!(n.in_group("vlan5", "vlan"), Known::Yes);
    assert_eq!(n.in_group("carp1", "carp"), Known::Yes);
    assert_eq!(n.in_group("pfsync0", "carp"), Known::Yes);
    assert_eq!(n.in_group("lo0", "lo"), Known::Yes);
}

#[test]
fn mygate_takes_the_first_gateway_of_a_family_unless_autoconfigured() {
    let n = node(&[
        ("mygate", "192.0.2.1\n192.0.2.99\n2001:db8::1\n"),
        (
            "hostname.em0",
            "inet 192.0.2.2 255.255.255.0\ninet6 autoconf\n",
        ),
    ]);
    let gws: Vec<String> = n.gateways.iter().map(|g| g.addr.to_string()).collect();
    assert_eq!(gws, ["192.0.2.1"]);
    assert_eq!(n.notes.len(), 2);
}

#[test]
fn pfsync_settings() {
    let n = node(&[(
        "hostname.pfsync0",
        "syncdev em2 syncpeer 10.10.10.2 defer\nup\n",
    )]);
    let (_, p) = n.pfsync().unwrap();
    assert_eq!(p.syncdev.as_deref(), Some("em2"));
    assert_eq!(p.syncpeer, Some("10.10.10.2".parse().unwrap()));
    assert_eq!(p.defer, Some(true));
    assert_eq!(n.syncdev(), Some("em2"));
}

#[test]
fn groups_explicit_driver_all_and_unknown() {
    let n = node(&[
        (
            "hostname.em0",
            "inet 198.51.100.2 255.255.255.0\ngroup wan\n",
        ),
        ("hostname.em1", "inet 10.0.0.2 255.255.255.0\n"),
    ]);
    assert_eq!(n.in_group("em0", "wan"), Known::Yes);
    assert_eq!(n.in_group("em1", "wan"), Known::No);
    assert_eq!(n.in_group("vlan5", "vlan"), Known::Yes);
    assert!(matches!(n.in_group("vlan5", "em"), Known::Unknown(_)));
    assert_eq!(n.in_group("em1", "all"), Known::Yes);
    assert!(matches!(n.in_group("em1", "dmz"), Known::Unknown(_)));
    assert_eq!(n.members("wan"), (vec!["em0".to_string()], false));
}

#[test]
fn egress_from_mygate_prefers_the_physical_interface() {
    let n = node(&[
        ("hostname.em0", "inet 198.51.100.2 255.255.255.0\n"),
        (
            "hostname.carp0",
            "inet 198.51.100.1 255.255.255.0 NONE vhid 1 carpdev em0\n",
        ),
        ("hostname.em1", "inet 10.0.0.2 255.255.255.0\n"),
        ("mygate", "198.51.100.254\n"),
    ]);
    assert_eq!(n.in_group("em0", "egress"), Known::Yes);
    assert_eq!(n.in_group("em1", "egress"), Known::No);
    assert_eq!(n.in_group("carp0", "egress"), Known::No);
}

#[test]
fn egress_from_dhcp_and_from_a_route_command() {
    let n = node(&[
        ("hostname.em0", "dhcp\n"),
        ("hostname.em1", "inet 10.0.0.2 255.255.255.0\n"),
    ]);
    assert_eq!(n.in_group("em0", "egress"), Known::Yes);
    assert_eq!(n.in_group("em1", "egress"), Known::No);
    let n = node(&[(
        "hostname.em1",
        "inet 10.0.0.2 255.255.255.0\n!route add default 10.0.0.1\n",
    )]);
    assert_eq!(n.in_group("em1", "egress"), Known::Yes);
}

#[test]
fn egress_without_a_default_route_is_unknown() {
    let n = node(&[("hostname.em0", "inet 198.51.100.2 255.255.255.0\n")]);
    assert!(matches!(n.in_group("em0", "egress"), Known::Unknown(_)));
}

#[test]
fn dhcp_addresses_are_unknown_not_absent() {
    let n = node(&[("hostname.em0", "inet autoconf\ninet6 autoconf\n")]);
    let (addrs, open) = n.addresses("em0");
    assert!(addrs.is_empty());
    assert!(open);
    let em0 = n.interface("em0").unwrap();
    assert!(em0.is_dynamic(AddressFamily::Inet) && em0.is_dynamic(AddressFamily::Inet6));
}

#[test]
fn vlan_trunk_and_bridge_members() {
    let n = node(&[
        (
            "hostname.vlan10",
            "parent em1 vnetid 10\ninet 10.10.0.2 255.255.255.0\n",
        ),
        (
            "hostname.trunk0",
            "trunkproto lacp trunkport em3 trunkport em4\nup\n",
        ),
        ("hostname.bridge0", "add em5 add vether0\nup\n"),
    ]);
    assert_eq!(
        n.interface("vlan10").unwrap().parent.as_deref(),
        Some("em1")
    );
    assert_eq!(
        n.interface("vlan10").unwrap().addrs[0].network(),
        net("10.10.0.0/24")
    );
    assert_eq!(n.interface("trunk0").unwrap().members, ["em3", "em4"]);
    assert_eq!(n.interface("bridge0").unwrap().members, ["em5", "vether0"]);
}

#[test]
fn comments_and_commands_are_not_settings() {
    let n = node(&[(
        "hostname.carp0",
        "# vhid 9\ninet 10.0.0.1 255.255.255.0 NONE vhid 1 # pass notthis\n!echo pass x\n",
    )]);
    let c = n.interfaces[0].carp.clone().unwrap();
    assert_eq!(c.vhid, Some(1));
    assert!(c.pass.is_none());
}

#[test]
fn sysctl_and_myname() {
    let n = node(&[
        ("hostname.em0", "up\n"),
        (
            "sysctl.conf",
            "net.inet.carp.preempt=1 # prefer A\nnet.inet.ip.forwarding=1\n",
        ),
        ("myname", "fw-a.example.org\n"),
    ]);
    assert_eq!(n.sysctl("net.inet.carp.preempt"), Some("1"));
    assert_eq!(n.sysctl("net.inet.ip.forwarding"), Some("1"));
    assert_eq!(n.myname.as_deref(), Some("fw-a.example.org"));
}

#[test]
fn origins_point_at_the_line_and_files_are_named_as_on_the_node() {
    let mut n = node(&[(
        "hostname.carp1",
        "\ninet 10.0.0.1 255.255.255.0 NONE vhid 2\n",
    )]);
    let mut map = SourceMap::new();
    n.attach_sources(&mut map);
    let a = &n.interfaces[0].addrs[0];
    let span = n.span(a.origin).unwrap();
    assert_eq!(
        map.location(span).split(':').take(2).collect::<Vec<_>>(),
        ["/etc/hostname.carp1", "2"]
    );
}

#[test]
fn probes_are_the_flows_of_each_carp_interface_then_pfsync_in_before_out() {
    let n = node(&[
        ("hostname.em0", "inet 198.51.100.2 255.255.255.0\n"),
        ("hostname.em2", "inet 192.168.254.1 255.255.255.252\n"),
        (
            "hostname.carp0",
            "inet 198.51.100.1 255.255.255.0 NONE vhid 1 carpdev em0 pass x\ninet6 2001:db8::1 64\n",
        ),
        (
            "hostname.carp1",
            "vhid 2 carpdev em0 carppeer 198.51.100.3 pass y\ninet 198.51.100.9 255.255.255.0\n",
        ),
        // No carpdev: the kernel refuses the address, so no parent, no flows.
        ("hostname.carp2", "inet 10.0.0.1 255.255.255.0 NONE vhid 3 pass z\n"),
        ("hostname.pfsync0", "syncdev em2\nup\n"),
    ]);
    let parents: Vec<String> = probes::parents(&n).into_iter().map(|p| p.name).collect();
    assert_eq!(parents, ["em0"]);
    assert_eq!(probes::syncdev(&n).map(|p| p.name).as_deref(), Some("em2"));
    let flows = probes::flows(&n);
    let got: Vec<(probes::Proto, &str, String)> = flows
        .iter()
        .map(|f| (f.proto, f.describe.as_str(), f.packet.to_string()))
        .collect();
    use probes::Proto::{Carp, Pfsync};
    let want = [
        (Carp, "CARP advertisements of carp0 (vhid 1), IPv4, in on em0 from the peer (in 198.51.100.0/24) to 224.0.0.18", "in on em0 proto carp to 224.0.0.18"),
        (Carp, "CARP advertisements of carp0 (vhid 1), IPv4, out on em0 from 198.51.100.2 to 224.0.0.18", "out on em0 proto carp from 198.51.100.2 to 224.0.0.18"),
        (Carp, "CARP advertisements of carp0 (vhid 1), IPv6, in on em0 from the peer's link-local address to ff02::12", "in on em0 proto carp to ff02::12"),
        (Carp, "CARP advertisements of carp0 (vhid 1), IPv6, out on em0 from this node's link-local address to ff02::12", "out on em0 proto carp to ff02::12"),
        (Carp, "CARP advertisements of carp1 (vhid 2), IPv4 unicast, in on em0 from the carppeer 198.51.100.3 to 198.51.100.2", "in on em0 proto carp from 198.51.100.3 to 198.51.100.2"),
        (Carp, "CARP advertisements of carp1 (vhid 2), IPv4 unicast, out on em0 from 198.51.100.2 to the carppeer 198.51.100.3", "out on em0 proto carp from 198.51.100.2 to 198.51.100.3"),
        (Pfsync, "pfsync packets, in on em2 from the peer to 224.0.0.240", "in on em2 proto pfsync to 224.0.0.240"),
        (Pfsync, "pfsync packets, out on em2 to 224.0.0.240", "out on em2 proto pfsync from 192.168.254.1 to 224.0.0.240"),
    ];
    let want: Vec<(probes::Proto, &str, String)> = want
        .iter()
        .map(|(p, d, k)| (*p, *d, k.to_string()))
        .collect();
    assert_eq!(got, want);
    // The peer is some other address of the parent's network: neither
    // this node's address on it nor the CARP addresses.
    let peer = flows[0].packet.src_set.as_ref().unwrap();
    assert_eq!(peer.net, net("198.51.100.0/24"));
    for own in ["198.51.100.2", "198.51.100.1"] {
        assert!(peer.except.contains(&own.parse().unwrap()), "{own}");
    }
    assert_eq!(
        flows[6].packet.src_set.as_ref().map(|s| s.net),
        Some(net("192.168.254.0/30"))
    );
}

#[test]
fn bare_probes_are_the_plain_carp_and_pfsync_packets() {
    use crate::ast::Direction;
    use crate::packet::{carp_packet, pfsync_packet};
    let carp = probes::bare_flows(probes::Proto::Carp, "em1");
    let sync = probes::bare_flows(probes::Proto::Pfsync, "em3");
    let packets: Vec<&crate::packet::Packet> =
        carp.iter().chain(&sync).map(|f| &f.packet).collect();
    let plain = [
        carp_packet("em1", Direction::In),
        carp_packet("em1", Direction::Out),
        pfsync_packet("em3", Direction::In),
        pfsync_packet("em3", Direction::Out),
    ];
    assert_eq!(packets, plain.iter().collect::<Vec<_>>());
    let describe: Vec<&str> = carp
        .iter()
        .chain(&sync)
        .map(|f| f.describe.as_str())
        .collect();
    assert_eq!(
        describe,
        [
            "CARP advertisements, IPv4, in on em1 to 224.0.0.18",
            "CARP advertisements, IPv4, out on em1 to 224.0.0.18",
            "pfsync packets, in on em3 to 224.0.0.240",
            "pfsync packets, out on em3 to 224.0.0.240",
        ]
    );
}
