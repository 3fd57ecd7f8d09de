//! Value words as pfctl reads them, shared by resolution, the checks,
//! expansion, the evaluator, lints and diff: address words
//! (`parse_addr_word`, after pfctl's `host()`), literal prefixes
//! (`addr_net`, `host_net`), table file entries, port values (numbers and
//! OpenBSD's service names, pfctl's `atoul`), the TCP flag letters and
//! pfctl's order of timeout names.
//!
//! Its public items are re-exported at `pfconf::check`, where they have
//! always been.
//!
//! Invariants: pure functions of their input (no DNS, no interfaces, no
//! files); an error is the message pfctl would print. This module sits
//! below every stage that uses it: it depends only on [`crate::ast`],
//! [`crate::numbers`] and [`crate::names`], so that data flows one way
//! (resolve, then check, then expand) without any of them importing
//! another for a value.

use crate::ast::*;
pub(crate) use crate::numbers::atoul;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Address family of an address word, when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// IPv4
    V4,
    /// IPv6
    V6,
}

/// What an address word turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrWord {
    /// An IPv4 address or abbreviated network (`10`, `172.16` before a mask).
    V4(Ipv4Addr),
    /// An IPv6 address (scope removed).
    V6(Ipv6Addr),
    /// An interface, group, `self` or host name, with `:` modifiers.
    Name {
        /// The name.
        name: String,
        /// Modifiers (`network`, `broadcast`, `peer`, `0`).
        modifiers: Vec<String>,
    },
}

impl AddrWord {
    /// The family, if the word is an address.
    pub fn family(&self) -> Option<Family> {
        match self {
            AddrWord::V4(_) => Some(Family::V4),
            AddrWord::V6(_) => Some(Family::V6),
            AddrWord::Name { .. } => None,
        }
    }
}

fn parse_v4_abbrev(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut o = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        o[i] = p.parse().ok()?;
    }
    Some(Ipv4Addr::from(o))
}

/// Interprets an address word as pfctl's host() would (without DNS and
/// without knowing the interfaces). `with_mask` allows abbreviated IPv4
/// networks such as `10` in `10/8`.
pub fn parse_addr_word(word: &str, with_mask: bool) -> Result<AddrWord, String> {
    if let Ok(a) = word.parse::<Ipv4Addr>() {
        return Ok(AddrWord::V4(a));
    }
    if with_mask {
        if let Some(a) = parse_v4_abbrev(word) {
            return Ok(AddrWord::V4(a));
        }
    }
    let (base, scope) = match word.split_once('%') {
        Some((b, s)) => (b, Some(s)),
        None => (word, None),
    };
    if let Ok(a) = base.parse::<Ipv6Addr>() {
        if scope.is_some_and(str::is_empty) {
            return Err(format!("no IP address found for {word}"));
        }
        return Ok(AddrWord::V6(a));
    }
    let first = word.chars().next().unwrap_or(' ');
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Err(format!("no IP address found for {word}"));
    }
    let mut parts = word.split(':');
    let name = parts.next().unwrap_or("").to_string();
    let modifiers: Vec<String> = parts.map(str::to_string).collect();
    for m in &modifiers {
        if !matches!(m.as_str(), "network" | "broadcast" | "peer" | "0") {
            return Err(format!("no IP address found for {word}"));
        }
    }
    Ok(AddrWord::Name { name, modifiers })
}

/// The prefix a literal address (with an optional `/bits`) stands for,
/// host bits cleared; None for names, interfaces and invalid words.
pub fn addr_net(word: &str, mask: Option<&str>) -> Option<ipnet::IpNet> {
    let bits = match mask {
        Some(m) => Some(m.parse::<u8>().ok()?),
        None => None,
    };
    let net = match parse_addr_word(word, mask.is_some()).ok()? {
        AddrWord::V4(a) => ipnet::IpNet::new(a.into(), bits.unwrap_or(32)).ok()?,
        AddrWord::V6(a) => ipnet::IpNet::new(a.into(), bits.unwrap_or(128)).ok()?,
        AddrWord::Name { .. } => return None,
    };
    Some(net.trunc())
}

/// The prefix of a non-negated literal address host, if it is one.
pub fn host_net(h: &Host) -> Option<ipnet::IpNet> {
    match (&h.kind, h.not) {
        (HostKind::Address { addr, mask }, false) => {
            addr_net(addr.node.text(), mask.as_ref().map(|m| m.node.text()))
        }
        _ => None,
    }
}

/// Checks one entry of a table file (`!`, address, prefix or name).
pub fn table_file_entry(word: &str) -> Result<(), String> {
    let w = word.strip_prefix('!').unwrap_or(word);
    let (addr, mask) = match w.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (w, None),
    };
    let a = parse_addr_word(addr, mask.is_some())?;
    if let Some(m) = mask {
        let bits: u32 = m.parse().map_err(|_| format!("bad mask in {word}"))?;
        let max = if a.family() == Some(Family::V4) {
            32
        } else {
            128
        };
        if bits > max {
            return Err(format!("netmask {bits} invalid in {word}"));
        }
    }
    Ok(())
}

/// Port number of a word as pfctl's getservice(): a number up to 65535 or
/// a service name (see [`crate::Port`]).
pub fn port_value(word: &str) -> Result<u16, String> {
    word.parse::<crate::Port>()
        .map(u16::from)
        .map_err(|e| e.to_string())
}

/// The bit of a TCP flag letter in pf's `flags` (F S R P A U E W).
pub(crate) fn tcp_flag(c: char) -> Option<u8> {
    Some(match c {
        'F' => 0x01,
        'S' => 0x02,
        'R' => 0x04,
        'P' => 0x08,
        'A' => 0x10,
        'U' => 0x20,
        'E' => 0x40,
        'W' => 0x80,
        _ => return None,
    })
}

/// pfctl's timeout order (`PFTM_*`).
pub(crate) const TIMEOUT_ORDER: &[&str] = &[
    "tcp.first",
    "tcp.opening",
    "tcp.established",
    "tcp.closing",
    "tcp.finwait",
    "tcp.closed",
    "udp.first",
    "udp.single",
    "udp.multiple",
    "icmp.first",
    "icmp.error",
    "other.first",
    "other.single",
    "other.multiple",
    "frag",
    "interval",
    "adaptive.start",
    "adaptive.end",
    "src.track",
    "tcp.tsdiff",
];
