//! Reading the node's files: `hostname.<if>` lines as netstart(8) turns
//! them into ifconfig(8) calls, `mygate`, `sysctl.conf`.

use super::words::shell_words;
use super::*;
use std::net::Ipv4Addr;

/// The lines of a node file with their byte ranges.
fn lines(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut start = 0;
    text.split('\n').map(move |l| {
        let s = start;
        start += l.len() + 1;
        (s, s + l.len(), l)
    })
}

/// ifconfig(8) keywords that take one value; others are flags.
const WITH_VALUE: &[&str] = &[
    "vhid",
    "advbase",
    "advskew",
    "pass",
    "carpdev",
    "carppeer",
    "balancing",
    "carpnodes",
    "syncdev",
    "syncpeer",
    "maxupd",
    "group",
    "-group",
    "description",
    "descr",
    "parent",
    "vlandev",
    "vnetid",
    "vlan",
    "trunkport",
    "-trunkport",
    "trunkproto",
    "add",
    "del",
    "rdomain",
    "media",
    "mediaopt",
    "-mediaopt",
    "mtu",
    "lladdr",
    "nwid",
    "join",
    "-join",
    "wpakey",
    "chan",
    "mode",
    "netmask",
    "broadcast",
    "prefixlen",
    "llprio",
    "priority",
    "txpower",
    "state",
    "metric",
    "vltime",
    "pltime",
    "tunneldomain",
    "rxprio",
    "txprio",
    "hwfeatures",
    "lacpmode",
    "lacptimeout",
];

pub(super) fn hostname_file(node: &mut Node, ifname: &str, file: usize) {
    if ifname.contains(':') {
        // hostname.<lladdr>: the interface name is known only on the node.
        node.notes.push(NodeNote {
            origin: Origin { file, start: 0, end: 0 },
            message: format!("hostname.{ifname} names an interface by its link-layer address; its name is not known here"),
            help: None,
        });
        return;
    }
    let mut ifc = Interface::new(ifname, file);
    if driver(ifname) == "carp" {
        ifc.carp = Some(Carp::default());
    }
    if driver(ifname) == "pfsync" {
        ifc.pfsync = Some(Pfsync::default());
    }
    let text = node.files[file].text.clone();
    for (start, end, line) in lines(&text) {
        let origin = Origin { file, start, end };
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(cmd) = trimmed.strip_prefix('!') {
            command_line(node, cmd, origin);
            continue;
        }
        let w = shell_words(line);
        read_line(node, &mut ifc, &w, origin);
    }
    node.interfaces.push(ifc);
}

/// A `!command` line: runs nothing here; `route add default GW` (and
/// `route add -inet6 default GW`) gives a default gateway.
fn command_line(node: &mut Node, cmd: &str, origin: Origin) {
    let w = shell_words(cmd);
    // Flags (`-n`, `-q`, `-inet6`) do not change which route is added.
    let w: Vec<&str> = w
        .iter()
        .map(String::as_str)
        .filter(|x| !x.starts_with('-'))
        .collect();
    if let ["route" | "/sbin/route", "add", "default", gw, ..] = w.as_slice() {
        if let Ok(a) = gw.parse::<IpAddr>() {
            node.gateways.push(Gateway { addr: a, origin });
        }
    }
}

/// A netmask as netstart's packed `inet` form takes it: dotted or `0x`
/// hex. `None` when the word is no netmask.
pub(crate) fn netmask_bits(m: &str) -> Option<u8> {
    let mask = if let Some(h) = m.strip_prefix("0x") {
        u32::from_str_radix(h, 16).ok()?
    } else {
        u32::from(m.parse::<Ipv4Addr>().ok()?)
    };
    (mask.leading_ones() + mask.trailing_zeros() == 32).then(|| mask.leading_ones() as u8)
}

/// `ADDR` or `ADDR/LEN`.
fn addr_word(w: &str) -> Option<(IpAddr, Option<u8>)> {
    let (a, len) = match w.split_once('/') {
        Some((a, l)) => (a, Some(l.parse::<u8>().ok()?)),
        None => (w, None),
    };
    let a = a.split('%').next().unwrap_or(a);
    let addr: IpAddr = a.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if len.is_some_and(|l| l > max) {
        return None;
    }
    Some((addr, len))
}

fn read_line(node: &mut Node, ifc: &mut Interface, w: &[String], origin: Origin) {
    let Some(first) = w.first() else {
        return;
    };
    let mut i = 0;
    match first.as_str() {
        "inet" | "inet6" => {
            let v6 = first == "inet6";
            let af = if v6 {
                AddressFamily::Inet6
            } else {
                AddressFamily::Inet
            };
            i = 1;
            if w.get(i).map(String::as_str) == Some("alias") {
                i += 1;
            }
            match w.get(i).map(String::as_str) {
                Some("autoconf") => {
                    ifc.dynamic.push(Dynamic { af, origin });
                    i += 1;
                }
                Some(word) => match addr_word(word) {
                    Some((addr, len)) if addr.is_ipv6() == v6 => {
                        i += 1;
                        let mut prefix = len;
                        if !v6 {
                            // Packed form: inet ADDR NETMASK BROADCAST.
                            if let Some(m) = w.get(i) {
                                if let Some(b) = netmask_bits(m) {
                                    prefix = prefix.or(Some(b));
                                    i += 1;
                                } else if m == "NONE" {
                                    i += 1;
                                }
                            }
                            if let Some(b) = w.get(i) {
                                if b == "NONE" || b.parse::<Ipv4Addr>().is_ok() {
                                    i += 1;
                                }
                            }
                        } else if let Some(p) = w.get(i).and_then(|p| p.parse::<u8>().ok()) {
                            // Packed form: inet6 ADDR PREFIXLEN.
                            if p <= 128 {
                                prefix = prefix.or(Some(p));
                                i += 1;
                            }
                        }
                        let max = if v6 { 128 } else { 32 };
                        if ifc.is_carp() && !carpdev_set(ifc, &w[i..]) {
                            node.notes.push(NodeNote {
                                origin,
                                message: format!(
                                    "{}: address {addr} is set before carpdev: the kernel refuses it (EINVAL)",
                                    ifc.name
                                ),
                                help: Some(super::CARPDEV_HELP.into()),
                            });
                        }
                        ifc.addrs.push(NodeAddr {
                            addr,
                            prefix: prefix
                                .unwrap_or(if v6 { 64 } else { default_v4_prefix(addr) })
                                .min(max),
                            origin,
                        });
                    }
                    _ => {}
                },
                None => {}
            }
        }
        "dhcp" => {
            ifc.dynamic.push(Dynamic {
                af: AddressFamily::Inet,
                origin,
            });
            i = 1;
        }
        "autoconf" => {
            ifc.dynamic.push(Dynamic {
                af: AddressFamily::Inet6,
                origin,
            });
            i = 1;
        }
        "dest" => return,
        other => {
            // `ifconfig carp0 192.0.2.1/24 vhid 1`: an address first.
            if let Some((addr, len)) = addr_word(other) {
                let v6 = addr.is_ipv6();
                ifc.addrs.push(NodeAddr {
                    addr,
                    prefix: len.unwrap_or(if v6 { 64 } else { default_v4_prefix(addr) }),
                    origin,
                });
                i = 1;
            }
        }
    }
    options(node, ifc, &w[i.min(w.len())..], origin);
}

/// True when the CARP interface has `carpdev` by the time a line's
/// address is applied (ifconfig sets the address after the line's other
/// settings).
fn carpdev_set(ifc: &Interface, rest: &[String]) -> bool {
    ifc.carp.as_ref().is_some_and(|c| c.carpdev.is_some()) || rest.iter().any(|w| w == "carpdev")
}

/// ifconfig(8) without a netmask gives an IPv4 address its classful
/// network (`in_ioctl`, IN_CLASSA/B/C).
fn default_v4_prefix(a: IpAddr) -> u8 {
    match a {
        IpAddr::V4(v) => match v.octets()[0] {
            0..=127 => 8,
            128..=191 => 16,
            _ => 24,
        },
        IpAddr::V6(_) => 64,
    }
}

fn options(node: &mut Node, ifc: &mut Interface, w: &[String], origin: Origin) {
    let mut k = 0;
    while k < w.len() {
        let key = w[k].as_str();
        let val = w.get(k + 1).map(String::as_str);
        let takes = WITH_VALUE.contains(&key);
        let num = || val.and_then(|v| v.parse::<u32>().ok());
        match key {
            "up" => ifc.down = false,
            "down" => ifc.down = true,
            "group" => {
                if let Some(g) = val {
                    if !ifc.groups.iter().any(|x| x == g) {
                        ifc.groups.push(g.to_string());
                    }
                }
            }
            "-group" => {
                if let Some(g) = val {
                    ifc.groups.retain(|x| x != g);
                }
            }
            "description" | "descr" => ifc.description = val.map(str::to_string),
            "parent" | "vlandev" => ifc.parent = val.map(str::to_string),
            "-parent" | "-vlandev" => ifc.parent = None,
            "trunkport" | "add" => {
                if let Some(m) = val {
                    if !ifc.members.iter().any(|x| x == m) {
                        ifc.members.push(m.to_string());
                    }
                }
            }
            "-trunkport" | "del" => {
                if let Some(m) = val {
                    ifc.members.retain(|x| x != m);
                }
            }
            "rdomain" => ifc.rdomain = num(),
            "vhid" | "advbase" | "advskew" | "pass" | "carpdev" | "carppeer" | "balancing"
            | "carpnodes" | "-carppeer" => {
                let c = ifc.carp.get_or_insert_with(Carp::default);
                c.origin.get_or_insert(origin);
                match key {
                    "vhid" => c.vhid = num(),
                    "advbase" => c.advbase = num(),
                    "advskew" => c.advskew = num(),
                    "pass" => c.pass = val.map(Secret::new),
                    "carpdev" => c.carpdev = val.map(str::to_string),
                    "carppeer" => match val.and_then(|v| v.parse::<IpAddr>().ok()) {
                        Some(a) => {
                            if !c.carppeer.contains(&a) {
                                c.carppeer.push(a)
                            }
                        }
                        None => node.notes.push(NodeNote {
                            origin,
                            message: format!("carppeer {}: not an address", val.unwrap_or("")),
                            help: None,
                        }),
                    },
                    "-carppeer" => c.carppeer.clear(),
                    "balancing" => c.balancing = val.map(str::to_string),
                    _ => {
                        c.carpnodes = val
                            .unwrap_or("")
                            .split(',')
                            .filter_map(|n| {
                                let (a, b) = n.split_once(':')?;
                                Some((a.parse().ok()?, b.parse().ok()?))
                            })
                            .collect()
                    }
                }
            }
            "syncdev" | "-syncdev" | "syncpeer" | "-syncpeer" | "defer" | "-defer" | "maxupd" => {
                let p = ifc.pfsync.get_or_insert_with(Pfsync::default);
                match key {
                    "syncdev" => {
                        p.syncdev = val.map(str::to_string);
                        p.origin = Some(origin);
                    }
                    "-syncdev" => p.syncdev = None,
                    "syncpeer" => match val.and_then(|v| v.parse::<IpAddr>().ok()) {
                        Some(a) => p.syncpeer = Some(a),
                        None => node.notes.push(NodeNote {
                            origin,
                            message: format!("syncpeer {}: not an address", val.unwrap_or("")),
                            help: None,
                        }),
                    },
                    "-syncpeer" => p.syncpeer = None,
                    "defer" => p.defer = Some(true),
                    "-defer" => p.defer = Some(false),
                    _ => p.maxupd = num(),
                }
            }
            _ => {}
        }
        // `-carppeer`, `-syncdev`, `-syncpeer`, `defer`, `-defer` are flags.
        let flag = matches!(
            key,
            "-carppeer" | "-syncdev" | "-syncpeer" | "defer" | "-defer" | "-parent" | "-vlandev"
        );
        k += if takes && !flag { 2 } else { 1 };
    }
}

/// `mygate` as netstart's `defaultroute` (1.229) reads it: the first
/// IPv4 and the first IPv6 address, each ignored when an interface
/// autoconfigures that family; `!` lines are commands. Runs after the
/// hostname files.
pub(super) fn mygate(node: &mut Node, file: usize) {
    let text = node.files[file].text.clone();
    let (mut v4, mut v6) = (false, false);
    for (start, end, line) in lines(&text) {
        let origin = Origin { file, start, end };
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(cmd) = t.strip_prefix('!') {
            command_line(node, cmd, origin);
            continue;
        }
        let word = t.split_whitespace().next().unwrap_or("");
        match word.parse::<IpAddr>() {
            Ok(a) => {
                let af = family(&a);
                let auto = node.interfaces.iter().any(|i| i.is_dynamic(af));
                let set = if a.is_ipv4() { &mut v4 } else { &mut v6 };
                if auto || *set {
                    let why = if auto {
                        "an interface autoconfigures this family"
                    } else {
                        "only the first gateway of a family is used"
                    };
                    node.notes.push(NodeNote {
                        origin,
                        message: format!("mygate: {a} is ignored: {why}"),
                        help: None,
                    });
                    continue;
                }
                *set = true;
                node.gateways.push(Gateway { addr: a, origin });
            }
            Err(_) => node.notes.push(NodeNote {
                origin,
                message: format!("mygate: `{word}` is not an address"),
                help: None,
            }),
        }
    }
}

pub(super) fn sysctl(node: &mut Node, file: usize) {
    let text = node.files[file].text.clone();
    for (start, end, line) in lines(&text) {
        let t = line.split('#').next().unwrap_or("").trim();
        if let Some((k, v)) = t.split_once('=') {
            node.sysctl.push((
                k.trim().to_string(),
                v.trim().to_string(),
                Origin { file, start, end },
            ));
        }
    }
}
