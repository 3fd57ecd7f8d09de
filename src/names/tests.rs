use super::services::{tcp_service_port, udp_service_port};
use super::*;
use crate::Protocol;
const TCP: Protocol = Protocol::TCP;
const UDP: Protocol = Protocol::UDP;

#[test]
fn well_known_services() {
    assert_eq!(service_port("ssh"), Some(22));
    assert_eq!(service_port("www"), Some(80));
    assert_eq!(service_port("http"), Some(80));
    assert_eq!(service_port("https"), Some(443));
    assert_eq!(service_port("domain"), Some(53));
    assert_eq!(service_port("ntp"), Some(123));
    assert_eq!(service_port("smtp"), Some(25));
    assert_eq!(service_port("mail"), Some(25));
    assert_eq!(service_port("submission"), Some(587));
    assert_eq!(service_port("auth"), Some(113));
    assert_eq!(service_port("ident"), Some(113));
    assert_eq!(service_port("ftp"), Some(21));
    assert_eq!(service_port("ftp-data"), Some(20));
    assert_eq!(service_port("imaps"), Some(993));
    assert_eq!(service_port("bgp"), Some(179));
}

#[test]
fn newer_services() {
    assert_eq!(service_port("domain-s"), Some(853));
    assert_eq!(service_port("submissions"), Some(465));
    assert_eq!(service_port("smtps"), Some(465));
    assert_eq!(service_port("mdns"), Some(5353));
    assert_eq!(service_port("matter"), Some(5540));
    assert_eq!(service_port("ssdp"), Some(1900));
}

#[test]
fn udp_only_services_fall_back_to_udp() {
    assert_eq!(service_port("tftp"), Some(69));
    assert_eq!(service_port("snmp"), Some(161));
    assert_eq!(service_port("snmptrap"), Some(162));
    assert_eq!(service_port("syslog"), Some(514));
    assert_eq!(service_port("isakmp"), Some(500));
    assert_eq!(service_port("ipsec-nat-t"), Some(4500));
    assert_eq!(service_port("radius"), Some(1812));
    assert_eq!(service_port("spamd-sync"), Some(8025));
    assert_eq!(service_port("hunt"), Some(26740));
}

#[test]
fn first_entry_wins() {
    // "readnews" aliases nntp (119) before netnews (532).
    assert_eq!(service_port("readnews"), Some(119));
    // tcp is searched before udp: "shell"/514 is tcp, "syslog"/514 udp.
    assert_eq!(service_port("shell"), Some(514));
    assert_eq!(service_port("exec"), Some(512));
    assert_eq!(service_port("biff"), Some(512));
}

#[test]
fn unknown_services() {
    assert_eq!(service_port("no-such-service"), None);
    assert_eq!(service_port(""), None);
    assert_eq!(service_port("SSH"), None);
    assert_eq!(service_port("22"), None);
    // Appletalk (ddp) entries are not tcp/udp services.
    assert_eq!(service_port("rtmp"), None);
    assert_eq!(service_port("zip"), None);
}

#[test]
fn service_names_by_port() {
    assert_eq!(service_name(22, TCP), Some("ssh"));
    assert_eq!(service_name(80, TCP), Some("www"));
    assert_eq!(service_name(80, UDP), Some("www"));
    assert_eq!(service_name(443, TCP), Some("https"));
    assert_eq!(service_name(53, UDP), Some("domain"));
    assert_eq!(service_name(465, TCP), Some("submissions"));
    assert_eq!(service_name(465, UDP), None);
    assert_eq!(service_name(514, TCP), Some("shell"));
    assert_eq!(service_name(514, UDP), Some("syslog"));
    assert_eq!(service_name(2049, UDP), Some("nfsd"));
    assert_eq!(service_name(8025, TCP), Some("spamd"));
    assert_eq!(service_name(8025, UDP), Some("spamd-sync"));
    assert_eq!(service_name(25, UDP), None);
    assert_eq!(service_name(22, crate::Protocol(132)), None);
    assert_eq!(service_name(0, TCP), None);
    assert_eq!(service_name(65535, UDP), None);
}

#[test]
fn service_round_trip() {
    for port in 0..=u16::MAX {
        for proto in [TCP, UDP] {
            if let Some(name) = service_name(port, proto) {
                let back = match proto {
                    TCP => tcp_service_port(name),
                    _ => udp_service_port(name),
                };
                assert_eq!(back, Some(port), "{name}/{proto}");
            }
        }
    }
}

#[test]
fn protocols_by_name() {
    assert_eq!(protocol_number("ip"), Some(0));
    assert_eq!(protocol_number("icmp"), Some(1));
    assert_eq!(protocol_number("igmp"), Some(2));
    assert_eq!(protocol_number("tcp"), Some(6));
    assert_eq!(protocol_number("TCP"), Some(6));
    assert_eq!(protocol_number("udp"), Some(17));
    assert_eq!(protocol_number("UDP"), Some(17));
    assert_eq!(protocol_number("ipv6"), Some(41));
    assert_eq!(protocol_number("IPv6"), Some(41));
    assert_eq!(protocol_number("gre"), Some(47));
    assert_eq!(protocol_number("esp"), Some(50));
    assert_eq!(protocol_number("ESP"), Some(50));
    assert_eq!(protocol_number("ah"), Some(51));
    assert_eq!(protocol_number("icmp6"), Some(58));
    assert_eq!(protocol_number("ipv6-icmp"), Some(58));
    assert_eq!(protocol_number("IPV6-ICMP"), Some(58));
    assert_eq!(protocol_number("etherip"), Some(97));
    assert_eq!(protocol_number("ospf"), Some(89));
    assert_eq!(protocol_number("OSPFIGP"), Some(89));
    assert_eq!(protocol_number("pim"), Some(103));
    assert_eq!(protocol_number("ipcomp"), Some(108));
    assert_eq!(protocol_number("carp"), Some(112));
    assert_eq!(protocol_number("vrrp"), Some(112));
    assert_eq!(protocol_number("sctp"), Some(132));
    assert_eq!(protocol_number("udplite"), Some(136));
    assert_eq!(protocol_number("pfsync"), Some(240));
    assert_eq!(protocol_number("reserved"), Some(255));
    assert_eq!(protocol_number("tp++"), Some(39));
    assert_eq!(protocol_number("ax.25"), Some(93));
    // "any" is listed four times; the first (61) wins.
    assert_eq!(protocol_number("any"), Some(61));
}

#[test]
fn protocols_case_and_unknown() {
    assert_eq!(protocol_number("Tcp"), None);
    assert_eq!(protocol_number("ICMP6"), None);
    assert_eq!(protocol_number("IPV6"), None);
    assert_eq!(protocol_number("nosuchproto"), None);
    assert_eq!(protocol_number(""), None);
    assert_eq!(protocol_number("6"), None);
    // divert (258) does not fit an IP protocol number.
    assert_eq!(protocol_number("divert"), None);
    assert_eq!(protocol_number("DIVERT"), None);
}

#[test]
fn protocols_by_number() {
    assert_eq!(protocol_name(0), Some("ip"));
    assert_eq!(protocol_name(1), Some("icmp"));
    assert_eq!(protocol_name(6), Some("tcp"));
    assert_eq!(protocol_name(17), Some("udp"));
    assert_eq!(protocol_name(47), Some("gre"));
    assert_eq!(protocol_name(50), Some("esp"));
    assert_eq!(protocol_name(51), Some("ah"));
    assert_eq!(protocol_name(58), Some("ipv6-icmp"));
    assert_eq!(protocol_name(89), Some("ospf"));
    assert_eq!(protocol_name(103), Some("pim"));
    assert_eq!(protocol_name(112), Some("carp"));
    assert_eq!(protocol_name(240), Some("pfsync"));
    assert_eq!(protocol_name(63), Some("any"));
    assert_eq!(protocol_name(56), None);
    assert_eq!(protocol_name(114), None);
    assert_eq!(protocol_name(143), None);
    assert_eq!(protocol_name(254), None);
}

#[test]
fn protocol_round_trip() {
    for number in 0..=u8::MAX {
        if let Some(name) = protocol_name(number) {
            if name != "any" {
                assert_eq!(protocol_number(name), Some(number), "{name}");
            }
        }
    }
}

#[test]
fn icmp_types() {
    assert_eq!(icmp_type("echoreq", false), Some(8));
    assert_eq!(icmp_type("echorep", false), Some(0));
    assert_eq!(icmp_type("unreach", false), Some(3));
    assert_eq!(icmp_type("squench", false), Some(4));
    assert_eq!(icmp_type("redir", false), Some(5));
    assert_eq!(icmp_type("routeradv", false), Some(9));
    assert_eq!(icmp_type("timex", false), Some(11));
    assert_eq!(icmp_type("paramprob", false), Some(12));
    assert_eq!(icmp_type("photuris", false), Some(40));
    assert_eq!(icmp_type("toobig", false), None);
    assert_eq!(icmp_type("EchoReq", false), None);
    assert_eq!(icmp_type("", false), None);

    assert_eq!(icmp_type_name(8, false), Some("echoreq"));
    assert_eq!(icmp_type_name(0, false), Some("echorep"));
    assert_eq!(icmp_type_name(3, false), Some("unreach"));
    assert_eq!(icmp_type_name(11, false), Some("timex"));
    assert_eq!(icmp_type_name(1, false), None);
    assert_eq!(icmp_type_name(128, false), None);
}

#[test]
fn icmp6_types() {
    assert_eq!(icmp_type("unreach", true), Some(1));
    assert_eq!(icmp_type("toobig", true), Some(2));
    assert_eq!(icmp_type("timex", true), Some(3));
    assert_eq!(icmp_type("paramprob", true), Some(4));
    assert_eq!(icmp_type("echoreq", true), Some(128));
    assert_eq!(icmp_type("echorep", true), Some(129));
    assert_eq!(icmp_type("listqry", true), Some(130));
    assert_eq!(icmp_type("routersol", true), Some(133));
    assert_eq!(icmp_type("routeradv", true), Some(134));
    assert_eq!(icmp_type("neighbrsol", true), Some(135));
    assert_eq!(icmp_type("neighbradv", true), Some(136));
    assert_eq!(icmp_type("redir", true), Some(137));
    assert_eq!(icmp_type("niqry", true), Some(139));
    assert_eq!(icmp_type("listenrepv2", true), Some(143));
    assert_eq!(icmp_type("mtrace", true), Some(201));
    assert_eq!(icmp_type("squench", true), None);

    assert_eq!(icmp_type_name(128, true), Some("echoreq"));
    assert_eq!(icmp_type_name(135, true), Some("neighbrsol"));
    assert_eq!(icmp_type_name(130, true), Some("groupqry"));
    assert_eq!(icmp_type_name(139, true), Some("wrureq"));
    assert_eq!(icmp_type_name(140, true), Some("wrurep"));
    assert_eq!(icmp_type_name(8, true), None);
}

#[test]
fn icmp_codes() {
    assert_eq!(icmp_code(3, "net-unr", false), Some(0));
    assert_eq!(icmp_code(3, "port-unr", false), Some(3));
    assert_eq!(icmp_code(3, "needfrag", false), Some(4));
    assert_eq!(icmp_code(3, "filter-prohib", false), Some(13));
    assert_eq!(icmp_code(5, "redir-host", false), Some(1));
    assert_eq!(icmp_code(9, "common-adv", false), Some(16));
    assert_eq!(icmp_code(11, "reassemb", false), Some(1));
    assert_eq!(icmp_code(12, "badlen", false), Some(2));
    assert_eq!(icmp_code(40, "decrypt-fail", false), Some(3));
    // A code name only counts under its own type.
    assert_eq!(icmp_code(11, "port-unr", false), None);
    assert_eq!(icmp_code(3, "transit", false), None);
    assert_eq!(icmp_code(3, "PORT-UNR", false), None);

    assert_eq!(icmp_code_name(3, 3, false), Some("port-unr"));
    assert_eq!(icmp_code_name(3, 4, false), Some("needfrag"));
    assert_eq!(icmp_code_name(9, 16, false), Some("common-adv"));
    assert_eq!(icmp_code_name(3, 16, false), None);
    assert_eq!(icmp_code_name(8, 0, false), None);
}

#[test]
fn icmp6_codes() {
    assert_eq!(icmp_code(1, "noroute-unr", true), Some(0));
    assert_eq!(icmp_code(1, "admin-unr", true), Some(1));
    assert_eq!(icmp_code(1, "beyond-unr", true), Some(2));
    assert_eq!(icmp_code(1, "addr-unr", true), Some(3));
    assert_eq!(icmp_code(1, "port-unr", true), Some(4));
    assert_eq!(icmp_code(3, "transit", true), Some(0));
    assert_eq!(icmp_code(4, "nxthdr", true), Some(1));
    assert_eq!(icmp_code(137, "redirrouter", true), Some(1));
    assert_eq!(icmp_code(3, "port-unr", true), None);
    assert_eq!(icmp_code(1, "needfrag", true), None);

    assert_eq!(icmp_code_name(1, 4, true), Some("port-unr"));
    assert_eq!(icmp_code_name(1, 0, true), Some("noroute-unr"));
    assert_eq!(icmp_code_name(137, 0, true), Some("redironlink"));
    assert_eq!(icmp_code_name(1, 5, true), None);
}

#[test]
fn icmp_round_trip() {
    for v6 in [false, true] {
        for t in 0..=u8::MAX {
            if let Some(name) = icmp_type_name(t, v6) {
                assert_eq!(icmp_type(name, v6), Some(t), "{name}");
            }
            for c in 0..=u8::MAX {
                if let Some(name) = icmp_code_name(t, c, v6) {
                    assert_eq!(icmp_code(t, name, v6), Some(c), "{name}");
                }
            }
        }
    }
}

#[test]
fn tos_keywords() {
    assert_eq!(tos_value("lowdelay"), Some(0x10));
    assert_eq!(tos_value("throughput"), Some(0x08));
    assert_eq!(tos_value("reliability"), Some(0x04));
    assert_eq!(tos_value("ef"), Some(0xb8));
    assert_eq!(tos_value("cs0"), Some(0x00));
    assert_eq!(tos_value("cs1"), Some(0x20));
    assert_eq!(tos_value("cs7"), Some(0xe0));
    assert_eq!(tos_value("af11"), Some(0x28));
    assert_eq!(tos_value("af23"), Some(0x58));
    assert_eq!(tos_value("af43"), Some(0x98));
    assert_eq!(tos_value("critical"), Some(0xa0));
    assert_eq!(tos_value("inetcontrol"), Some(0xc0));
    assert_eq!(tos_value("netcontrol"), Some(0xe0));
    // Case-insensitive, like pfctl.
    assert_eq!(tos_value("LowDelay"), Some(0x10));
    assert_eq!(tos_value("EF"), Some(0xb8));
    assert_eq!(tos_value("AF11"), Some(0x28));
    assert_eq!(tos_value("lowcost"), None);
    assert_eq!(tos_value("af14"), None);
    assert_eq!(tos_value("0x10"), None);
    assert_eq!(tos_value(""), None);
    assert_eq!(tos_value("ef\u{0}"), None);
    assert_eq!(tos_value("\u{212a}"), None);
}

#[test]
fn tos_table_is_sorted_and_dscp_consistent() {
    assert!(TOS_KEYWORDS.windows(2).all(|w| w[0].0 < w[1].0));
    for &(keyword, value) in TOS_KEYWORDS {
        assert_eq!(tos_value(keyword), Some(value));
    }
    assert_eq!(tos_value("ef"), Some(46 << 2));
    assert_eq!(tos_value("af11"), Some(10 << 2));
    assert_eq!(tos_value("cs5"), Some(40 << 2));
}
