//! Generated rulesets for benchmarks.

/// A ruleset of `n` rules with macros, tables, lists and anchors.
#[allow(dead_code)]
pub fn generate(n: usize) -> String {
    let mut s = String::new();
    s.push_str("ext_if = \"em0\"\nint_if = \"em1\"\nlan = \"{ 10.0.0.0/8 172.16.0.0/12 }\"\n");
    s.push_str("table <bad> const { 192.0.2.0/24, 198.51.100.0/24 }\nset skip on lo\nblock all\n");
    for i in 0..n {
        match i % 5 {
            0 => s.push_str(&format!(
                "pass in on $ext_if proto tcp from any to 10.{}.{}.{} port {{ 22 80 443 }}\n",
                (i >> 16) & 255,
                (i >> 8) & 255,
                i & 255
            )),
            1 => s.push_str(&format!(
                "block in quick on $ext_if from <bad> to any label \"r{i}\"\n"
            )),
            2 => s.push_str(&format!(
                "pass out on $ext_if inet proto udp from $lan to any port {} keep state\n",
                1024 + (i % 60000)
            )),
            3 => s.push_str(&format!(
                "match out on $ext_if from $lan to any nat-to ($ext_if) tag t{}\n",
                i % 100
            )),
            _ => s.push_str(&format!(
                "anchor \"a{i}\" in on $int_if {{\n  pass inet proto icmp icmp-type echoreq\n}}\n"
            )),
        }
    }
    s
}

/// A ruleset of about `n` rules shaped like a real cluster's: `set skip`,
/// CARP and pfsync passes, a default block, broad `pass in on $if proto
/// tcp to port N rdr-to` rules, `match out ... nat-to` to the CARP
/// address, tables, inline anchors with their own filters, `keep state
/// (...)` options, and a quick block from a table.
#[allow(dead_code)]
pub fn realistic(n: usize) -> String {
    let mut s = String::new();
    s.push_str(
        "ext_if = \"em0\"\nint_if = \"em1\"\nsync_if = \"em2\"\nvip = \"198.51.100.1\"\n\
         table <martians> const { 0.0.0.0/8 127.0.0.0/8 169.254.0.0/16 192.0.2.0/24 }\n\
         table <admins> { 10.10.10.0/28 }\ntable <bruteforce> persist\n\
         set skip on { lo $sync_if }\nset block-policy drop\n\
         block log all\n\
         pass quick on { $ext_if $int_if } proto carp keep state (no-sync)\n\
         pass quick on $sync_if proto pfsync keep state (no-sync)\n\
         block in quick on $ext_if from { <martians> <bruteforce> }\n\
         match out on $ext_if inet from 10.10.10.0/24 to any nat-to $vip\n\
         pass out on $ext_if keep state\n",
    );
    for i in 0..n {
        let host = format!("10.10.{}.{}", (i >> 8) & 255, i & 255);
        match i % 6 {
            0 | 1 => s.push_str(&format!(
                "pass in on $ext_if proto tcp to $vip port {} rdr-to {host} port {} keep state (max-src-conn 100, max-src-conn-rate 15/5, overload <bruteforce> flush)\n",
                1024 + (i % 50000),
                80 + (i % 3)
            )),
            2 => s.push_str(&format!(
                "pass in on $int_if proto {{ tcp udp }} from 10.10.10.0/24 to {host} port {{ 53 123 }}\n"
            )),
            3 => s.push_str(&format!(
                "match out on $ext_if proto udp from {host} to any nat-to $vip static-port\n"
            )),
            4 => s.push_str(&format!(
                "pass in on $int_if proto tcp from <admins> to {host} port 22 keep state (max 200)\n"
            )),
            _ => s.push_str(&format!(
                "anchor \"svc{i}\" in on $ext_if proto tcp to $vip {{\n  pass proto tcp to port 443\n  block proto tcp to port 8443\n}}\n"
            )),
        }
    }
    s
}

/// The `/etc` of the cluster node [`realistic`] runs on.
#[allow(dead_code)]
pub fn realistic_node() -> pfconf::node::Node {
    pfconf::node::Node::from_files([
        ("hostname.em0", "inet 198.51.100.2 255.255.255.0\n"),
        ("hostname.em1", "inet 10.10.10.2 255.255.255.0\n"),
        ("hostname.em2", "inet 192.168.254.1 255.255.255.252\n"),
        (
            "hostname.carp0",
            "inet 198.51.100.1 255.255.255.0 vhid 1 carpdev em0 pass s1 advskew 0\n",
        ),
        (
            "hostname.carp1",
            "inet 10.10.10.1 255.255.255.0 vhid 2 carpdev em1 pass s2 advskew 0\n",
        ),
        ("hostname.pfsync0", "syncdev em2\nup\n"),
        ("mygate", "198.51.100.254\n"),
    ])
}

/// `n` packets of the shapes a cluster sees, for [`realistic`] on
/// [`realistic_node`]: services to the VIP from many sources, outbound
/// traffic from the LAN, CARP and pfsync, blocked sources.
#[allow(dead_code)]
pub fn realistic_packets(n: usize) -> Vec<pfconf::eval::Packet> {
    (0..n)
        .map(|i| {
            let a = (i % 250) + 1;
            let b = (i / 250) % 250 + 1;
            let text = match i % 6 {
                0 => format!("in on em0 proto tcp from 203.0.{b}.{a} to 198.51.100.1 port 443"),
                1 => format!(
                    "in on em0 proto tcp from 192.0.{b}.{a} to 198.51.100.1 port {}",
                    20 + i % 200
                ),
                2 => format!("out on em0 proto tcp from 10.0.{b}.{a} to 203.0.113.{a} port 443"),
                3 => "in on em0 proto carp from 198.51.100.3 to 224.0.0.18".to_string(),
                4 => "in on em2 proto pfsync from 10.99.0.3 to 224.0.0.240".to_string(),
                _ => format!("in on em1 proto udp from 10.0.{b}.{a} to 10.0.0.1 port 53"),
            };
            pfconf::eval::parse_packet(&text).unwrap_or_default()
        })
        .collect()
}

/// `n` packets for [`generate`]: TCP from outside to the services of its
/// `pass in` rules and to ports no rule opens.
#[allow(dead_code)]
pub fn packets(n: usize) -> Vec<pfconf::eval::Packet> {
    (0..n)
        .map(|i| {
            let desc = format!(
                "in on em0 proto tcp from 203.0.113.{} port 40000 to 10.{}.{}.{} port {}",
                i % 250,
                i % 2,
                (i * 7) % 256,
                (i * 13) % 256,
                [22, 80, 443, 8080][i % 4]
            );
            pfconf::eval::parse_packet(&desc).unwrap_or_default()
        })
        .collect()
}
