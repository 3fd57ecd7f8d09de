//! The interface table expansion reads addresses from: names and their
//! addresses in the order the system lists them, from `--interfaces`
//! lines or from a node's hostname.if(5) files; lookups by interface
//! name, by group (driver name) and `self`.
//!
//! Invariant: we run where the interfaces do not exist, so a name the
//! table does not hold is never an error here: the caller keeps it as
//! written and notes it.

use super::Af;
use serde::Serialize;
use std::net::IpAddr;

/// One address of an interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IfAddr {
    /// The address.
    pub addr: IpAddr,
    /// Prefix length of its network.
    pub prefix: u8,
    /// Scope interface of a scoped (link-local) IPv6 address.
    pub scope: Option<String>,
}

/// Interface names and their addresses, in the order the system lists
/// them (pfctl's `getifaddrs()` order matters for list expansion).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interfaces {
    ifs: Vec<(String, Vec<IfAddr>)>,
}

impl Interfaces {
    /// No interfaces known.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table pfctl's regression suite was run with: `lo0` with `::1`,
    /// `fe80::1%lo0` and `127.0.0.1/8` (in the order OpenBSD lists them).
    pub fn regress() -> Self {
        let mut i = Self::new();
        let _ = i.add_line("lo0 ::1 fe80::1%lo0/64 127.0.0.1/8");
        i
    }

    /// Parses a description: one `name address[/prefix][%scope]...` per
    /// line; `#` starts a comment. Errors name the line.
    ///
    /// ```
    /// use pfconf::expand::{Interfaces, InterfacesError};
    ///
    /// let ifs = Interfaces::parse("em0 192.0.2.1/24 2001:db8::1/64\n").unwrap();
    /// assert_eq!(ifs.lookup("em0").map(|a| a.len()), Some(2));
    /// let e = Interfaces::parse("em0 192.0.2.1/24\nem1 192.0.2.300\n").unwrap_err();
    /// assert_eq!(e.to_string(), "line 2: bad address 192.0.2.300");
    /// assert_eq!((e.line, e.word.as_str()), (Some(2), "192.0.2.300"));
    /// ```
    pub fn parse(text: &str) -> Result<Self, InterfacesError> {
        let mut i = Self::new();
        for (n, line) in text.lines().enumerate() {
            i.add_line(line).map_err(|e| InterfacesError {
                line: Some(n + 1),
                ..e
            })?;
        }
        Ok(i)
    }

    /// Adds one `name address...` line (blank and comment lines are ignored).
    pub fn add_line(&mut self, line: &str) -> Result<(), InterfacesError> {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else {
            return Ok(());
        };
        let mut addrs = Vec::new();
        for w in words {
            let bad = |kind| InterfacesError {
                line: None,
                word: w.to_string(),
                kind,
            };
            let (a, prefix) = match w.split_once('/') {
                Some((a, p)) => (
                    a,
                    Some(
                        p.parse::<u8>()
                            .map_err(|_| bad(InterfacesErrorKind::Prefix))?,
                    ),
                ),
                None => (w, None),
            };
            let (a, scope) = match a.split_once('%') {
                Some((a, s)) => (a, Some(s.to_string())),
                None => (a, None),
            };
            let addr: IpAddr = a.parse().map_err(|_| bad(InterfacesErrorKind::Address))?;
            let max = Af::of(&addr).bits();
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(bad(InterfacesErrorKind::Prefix));
            }
            addrs.push(IfAddr {
                addr,
                prefix,
                scope,
            });
        }
        match self.ifs.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => v.extend(addrs),
            None => self.ifs.push((name.to_string(), addrs)),
        }
        Ok(())
    }

    /// Adds the static addresses of an OpenBSD `hostname.IF` file
    /// (`inet ADDR NETMASK`, `inet ADDR/LEN`, `inet alias ...`,
    /// `inet6 ADDR PREFIXLEN`, `inet6 ADDR/LEN`); dynamic configuration
    /// (`dhcp`, `autoconf`) has no address to add. Returns how many
    /// addresses were added.
    pub fn add_hostname_file(&mut self, ifname: &str, text: &str) -> usize {
        let mut addrs = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let w: Vec<&str> = line.split_whitespace().collect();
            let (v6, rest) = match w.first() {
                Some(&"inet") => (false, &w[1..]),
                Some(&"inet6") => (true, &w[1..]),
                _ => continue,
            };
            let rest: Vec<&str> = rest.iter().copied().filter(|x| *x != "alias").collect();
            let Some(first) = rest.first() else { continue };
            let (a, mut prefix) = match first.split_once('/') {
                Some((a, p)) => (a, p.parse::<u8>().ok()),
                None => (*first, None),
            };
            let Ok(addr) = a.parse::<IpAddr>() else {
                continue;
            };
            if v6 != matches!(addr, IpAddr::V6(_)) {
                continue;
            }
            if prefix.is_none() {
                prefix = rest.get(1).and_then(|m| netmask_bits(m, v6));
            }
            let max = Af::of(&addr).bits();
            addrs.push(IfAddr {
                addr,
                prefix: prefix.unwrap_or(max).min(max),
                scope: None,
            });
        }
        let n = addrs.len();
        match self.ifs.iter_mut().find(|(name, _)| name == ifname) {
            Some((_, v)) => v.extend(addrs),
            None => self.ifs.push((ifname.to_string(), addrs)),
        }
        n
    }

    /// The addresses of an interface, or of an interface group (a name
    /// without trailing digits matches every `name<digits>` interface, as
    /// OpenBSD's driver groups do); `self` names every interface.
    pub fn lookup(&self, name: &str) -> Option<Vec<(&str, &IfAddr)>> {
        let mut out = Vec::new();
        let mut found = false;
        for (n, addrs) in &self.ifs {
            if name == "self" || n == name || group_match(name, n) {
                found = true;
                out.extend(addrs.iter().map(|a| (n.as_str(), a)));
            }
        }
        found.then_some(out)
    }

    /// True when the name is a known interface or group.
    pub fn exists(&self, name: &str) -> bool {
        self.ifs
            .iter()
            .any(|(n, _)| n == name || group_match(name, n))
    }
}

/// A word of an interface description that is no address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfacesError {
    /// The line (from 1), when read by [`Interfaces::parse`].
    pub line: Option<usize>,
    /// The word at fault (`192.0.2.1/33`).
    pub word: String,
    /// What is wrong with it.
    pub kind: InterfacesErrorKind,
}

/// What is wrong with a word of an interface description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfacesErrorKind {
    /// Not an IP address.
    Address,
    /// A prefix length that is no number or too long for the family.
    Prefix,
}

impl std::fmt::Display for InterfacesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(n) = self.line {
            write!(f, "line {n}: ")?;
        }
        match self.kind {
            InterfacesErrorKind::Address => write!(f, "bad address {}", self.word),
            InterfacesErrorKind::Prefix => write!(f, "bad prefix in {}", self.word),
        }
    }
}

impl std::error::Error for InterfacesError {}

/// A netmask as `hostname.if` writes it: dotted, `0x` hex, or a prefix
/// length for IPv6.
fn netmask_bits(m: &str, v6: bool) -> Option<u8> {
    if v6 {
        return m.parse::<u8>().ok().filter(|b| *b <= 128);
    }
    crate::node::netmask_bits(m)
}

fn group_match(group: &str, ifname: &str) -> bool {
    if group.is_empty() || group.ends_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    match ifname.strip_prefix(group) {
        Some(rest) => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interfaces_parse_and_lookup() {
        let i = Interfaces::parse("em0 10.0.0.1/24 # lan\n\nlo0 127.0.0.1/8\n").unwrap_or_default();
        assert_eq!(i.lookup("em0").map(|v| v.len()), Some(1));
        assert_eq!(i.lookup("em").map(|v| v.len()), Some(1));
        assert!(i.lookup("em1").is_none());
        assert!(Interfaces::parse("em0 nonsense").is_err());
    }

    #[test]
    fn hostname_files() {
        let mut i = Interfaces::new();
        let n = i.add_hostname_file(
            "em0",
            "inet 192.0.2.1 255.255.255.0\ninet alias 192.0.2.2 0xffffff00\ninet6 2001:db8::1 64\ndhcp\n",
        );
        assert_eq!(n, 3);
        let a = i.lookup("em0").unwrap_or_default();
        assert_eq!(a[0].1.prefix, 24);
        assert_eq!(a[1].1.prefix, 24);
        assert_eq!(a[2].1.prefix, 64);
    }
}
