//! The interface table expansion reads addresses from: names and their
//! addresses in the order the system lists them, from `--interfaces`
//! lines or from a node's model of its hostname.if(5) files; lookups by interface
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

    /// Adds the static addresses a node's `/etc` configures, interface by
    /// interface in name order, as the node model reads hostname.if(5)
    /// (packed `inet` forms, netmasks in any notation, `alias`, quoting);
    /// dynamic configuration (`dhcp`, `autoconf`) has no address to add.
    /// Returns how many addresses were added.
    ///
    /// ```
    /// use pfconf::expand::Interfaces;
    /// use pfconf::node::Node;
    ///
    /// let node = Node::from_files([("hostname.em0", "inet 192.0.2.1 255.255.255.0\n")]);
    /// let mut ifs = Interfaces::new();
    /// assert_eq!(ifs.add_node(&node), 1);
    /// let found = ifs.lookup("em0").unwrap();
    /// assert_eq!((found[0].1.addr.to_string(), found[0].1.prefix), ("192.0.2.1".to_string(), 24));
    /// ```
    pub fn add_node(&mut self, node: &crate::node::Node) -> usize {
        let mut n = 0;
        for i in &node.interfaces {
            let addrs: Vec<IfAddr> = i
                .addrs
                .iter()
                .map(|a| IfAddr {
                    addr: a.addr,
                    prefix: a.prefix,
                    scope: None,
                })
                .collect();
            n += addrs.len();
            match self.ifs.iter_mut().find(|(name, _)| *name == i.name) {
                Some((_, v)) => v.extend(addrs),
                None => self.ifs.push((i.name.clone(), addrs)),
            }
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
        let node = crate::node::Node::from_files([(
            "hostname.em0",
            "inet 192.0.2.1 255.255.255.0\ninet alias 192.0.2.2 0xffffff00\ninet6 2001:db8::1 64\ndhcp\n",
        )]);
        let n = i.add_node(&node);
        assert_eq!(n, 3);
        let a = i.lookup("em0").unwrap_or_default();
        assert_eq!(a[0].1.prefix, 24);
        assert_eq!(a[1].1.prefix, 24);
        assert_eq!(a[2].1.prefix, 64);
    }
}
