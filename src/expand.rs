//! Expansion: the rules pf loads, printed as `pfctl -nv` prints them.
//!
//! [`expand`] turns a [`Resolved`] ruleset into an [`Expanded`] value: the
//! lines pfctl prints while parsing (macro definitions, `set` options,
//! tables, queues) followed by the rules it loads, each rule with the span
//! of the statement it came from. `Display` gives pfctl's text byte for
//! byte where we know it; `Serialize` gives the same rules as data.
//!
//! Decisions, following pfctl's `parse.y` (`expand_rule`) and
//! `pfctl_parser.c` (`print_rule` and friends):
//!
//! * Lists are multiplied out in pfctl's loop order: interface, protocol,
//!   ICMP type, source host, destination host, source port, destination
//!   port, user, group. Combinations whose address families disagree are
//!   dropped silently, as pfctl does; the rule family is taken from the
//!   `inet`/`inet6` keyword, then the translation pool, then the source,
//!   then the destination.
//! * Pass rules keep state and get `flags S/SA` unless told otherwise;
//!   flags are cleared on non-TCP protocols, `modulate`/`synproxy` turn into
//!   `keep state` on them. The printer then shows only what differs from
//!   the defaults (`no state`, `flags any`, `keep state` with options).
//! * Ports and protocols are printed as numbers and pfctl's protocol names
//!   (OpenBSD's tables from [`crate::names`]); ICMP types and codes by name
//!   where pfctl's tables have one.
//! * Interface names in address position become the interface's addresses
//!   from an [`Interfaces`] table (we run where the interfaces do not
//!   exist). A name not in the table is kept as written and reported once
//!   in [`Expanded::notes`]. Scoped IPv6 addresses (`fe80::1%lo0`) bind
//!   the rule to their interface and print without the scope.
//! * pfctl prints parse-time lines (macros, options, tables, queues) before
//!   the rules, which it prints at load time; [`Expanded`] keeps them apart.
//! * Not modelled: DNS host names (kept as written), anonymous tables that
//!   pfctl builds for multi-address translation pools (printed as a brace
//!   list), `source-hash` keys pfctl generates at random, OS fingerprints
//!   (printed as written) and the ruleset optimizer.

use crate::ast::*;
use crate::check::{parse_addr_word, port_value, AddrWord};
use crate::names;
use crate::resolve::Resolved;
use crate::span::Span;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Af {
    /// IPv4
    Inet,
    /// IPv6
    Inet6,
}

impl Af {
    fn bits(self) -> u8 {
        match self {
            Af::Inet => 32,
            Af::Inet6 => 128,
        }
    }
    fn of(ip: &IpAddr) -> Af {
        match ip {
            IpAddr::V4(_) => Af::Inet,
            IpAddr::V6(_) => Af::Inet6,
        }
    }
}

impl From<AddressFamily> for Af {
    fn from(a: AddressFamily) -> Self {
        match a {
            AddressFamily::Inet => Af::Inet,
            AddressFamily::Inet6 => Af::Inet6,
        }
    }
}

// ---------------------------------------------------------------------------
// Interfaces
// ---------------------------------------------------------------------------

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
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut i = Self::new();
        for (n, line) in text.lines().enumerate() {
            i.add_line(line)
                .map_err(|e| format!("line {}: {e}", n + 1))?;
        }
        Ok(i)
    }

    /// Adds one `name address...` line (blank and comment lines are ignored).
    pub fn add_line(&mut self, line: &str) -> Result<(), String> {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else {
            return Ok(());
        };
        let mut addrs = Vec::new();
        for w in words {
            let (a, prefix) = match w.split_once('/') {
                Some((a, p)) => (
                    a,
                    Some(p.parse::<u8>().map_err(|_| format!("bad prefix in {w}"))?),
                ),
                None => (w, None),
            };
            let (a, scope) = match a.split_once('%') {
                Some((a, s)) => (a, Some(s.to_string())),
                None => (a, None),
            };
            let addr: IpAddr = a.parse().map_err(|_| format!("bad address {w}"))?;
            let max = Af::of(&addr).bits();
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(format!("bad prefix in {w}"));
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

// ---------------------------------------------------------------------------
// Typed expanded values
// ---------------------------------------------------------------------------

/// An address as loaded into a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Addr {
    /// An address with a prefix length (the address is masked);
    /// `0.0.0.0/0` or `::/0` prints as `any`.
    Net {
        /// The (masked) address.
        ip: IpAddr,
        /// Prefix length.
        bits: u8,
    },
    /// `any` without a family.
    Any,
    /// `(ifname[:mod...])[/bits]`
    Dynamic {
        /// Interface name.
        name: String,
        /// Modifiers in pfctl's order (`network`, `broadcast`, `peer`, `0`).
        mods: Vec<String>,
        /// Prefix length (128 when not given).
        bits: u8,
    },
    /// `<table>`
    Table {
        /// Name.
        name: String,
    },
    /// `a - b`
    Range {
        /// First.
        from: IpAddr,
        /// Last.
        to: IpAddr,
    },
    /// no-route
    NoRoute,
    /// urpf-failed
    UrpfFailed,
    /// `route "label"`
    Route {
        /// Label.
        label: String,
    },
    /// A name we could not resolve (host or unknown interface), as written.
    Name {
        /// The text.
        text: String,
    },
}

impl Addr {
    fn is_zero(&self) -> bool {
        match self {
            Addr::Any => true,
            Addr::Net { ip, bits } => *bits == 0 && ip_is_zero(ip),
            _ => false,
        }
    }

    /// pfctl's `print_addr` with the rule's family.
    fn render(&self, af: Option<Af>) -> String {
        match self {
            Addr::Any => "any".into(),
            Addr::Net { ip, bits } => {
                if self.is_zero() {
                    return "any".into();
                }
                let max = af.map(Af::bits).unwrap_or(128);
                if *bits < max {
                    format!("{}/{bits}", ip_text(ip))
                } else {
                    ip_text(ip)
                }
            }
            Addr::Dynamic { name, mods, bits } => {
                let mut s = format!("({name}");
                for m in mods {
                    s.push(':');
                    s.push_str(m);
                }
                s.push(')');
                let mut b = *bits;
                if af == Some(Af::Inet) && b > 32 {
                    b = 32;
                }
                let max = af.map(Af::bits).unwrap_or(128);
                if b < max {
                    s.push_str(&format!("/{b}"));
                }
                s
            }
            Addr::Table { name } => format!("<{name}>"),
            Addr::Range { from, to } => format!("{} - {}", ip_text(from), ip_text(to)),
            Addr::NoRoute => "no-route".into(),
            Addr::UrpfFailed => "urpf-failed".into(),
            Addr::Route { label } => format!("route \"{label}\""),
            Addr::Name { text } => text.clone(),
        }
    }
}

fn ip_is_zero(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_unspecified(),
        IpAddr::V6(a) => a.is_unspecified(),
    }
}

/// `inet_ntop` text.
fn ip_text(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => {
            let seg = a.segments();
            // inet_ntop prints IPv4-compatible addresses (::a.b.c.d) in
            // dotted form when exactly six leading words are zero.
            if seg[..6].iter().all(|&s| s == 0) && seg[6] != 0 {
                let o = a.octets();
                return format!("::{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
            }
            a.to_string()
        }
    }
}

fn mask_ip(ip: IpAddr, bits: u8) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let b = u32::from(bits.min(32));
            let m = if b == 0 { 0 } else { u32::MAX << (32 - b) };
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & m))
        }
        IpAddr::V6(a) => {
            let b = u32::from(bits.min(128));
            let m = if b == 0 { 0 } else { u128::MAX << (128 - b) };
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & m))
        }
    }
}

/// One side of a rule: address, negation and port comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// `!`
    pub not: bool,
    /// The address.
    pub addr: Addr,
    /// Port comparison.
    pub port: Option<PortOp>,
}

/// A port, user or group comparison with numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PortOp {
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`, `:` (range), `<>` or `><`.
    pub op: String,
    /// First value.
    pub a: u32,
    /// Second value (ranges).
    pub b: u32,
    /// A user or group name no database knows, printed in place of the
    /// first value (pf loads the id the node's database gives it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_a: Option<String>,
    /// The same for the second value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_b: Option<String>,
}

impl PortOp {
    fn render(&self, a1: &str) -> String {
        let a2 = self.name_b.clone().unwrap_or_else(|| self.b.to_string());
        match self.op.as_str() {
            "><" | "<>" => format!(" {a1} {} {a2}", self.op),
            ":" => format!(" {a1}:{a2}"),
            op => format!(" {op} {a1}"),
        }
    }

    fn label(&self) -> String {
        let (a1, a2) = (self.a, self.b);
        match self.op.as_str() {
            "=" => a1.to_string(),
            "!=" | "<" | "<=" | ">" | ">=" => format!("{}{a1}", self.op),
            "><" | "<>" => format!("{a1}{}{a2}", self.op),
            _ => String::new(),
        }
    }
}

/// One rule as pf loads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpandedRule {
    /// The statement it came from.
    pub span: Span,
    /// Rule number within its ruleset (pfctl's `@nr`).
    pub nr: usize,
    /// `pass`, `block`, `match`, `anchor`.
    pub action: String,
    /// Anchor name for anchor rules (None for unnamed inline anchors).
    pub anchor: Option<String>,
    /// Return policy text of block rules (`drop`, `return-rst`...).
    pub block: Option<String>,
    /// `in`, `out` or None for both.
    pub direction: Option<Direction>,
    /// Log options as printed (`log`, `log (all)`...).
    pub log: Option<String>,
    /// quick
    pub quick: bool,
    /// Interface (with `!` for negation, or `rdomain n`).
    pub interface: Option<String>,
    /// Address family.
    pub af: Option<Af>,
    /// Protocol number.
    pub proto: Option<u8>,
    /// Source.
    pub from: Side,
    /// Destination.
    pub to: Side,
    /// Every other option, printed as pfctl prints them (leading space).
    pub options: String,
    /// Rules of an inline or loaded anchor.
    pub children: Option<Vec<ExpandedRule>>,
}

impl ExpandedRule {
    fn write(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let indent = "  ".repeat(depth);
        write!(f, "{indent}{}", self.head())?;
        match &self.children {
            Some(children) => {
                writeln!(f, " {{")?;
                for c in children {
                    c.write(f, depth + 1)?;
                }
                writeln!(f, "{indent}}}")
            }
            None => writeln!(f),
        }
    }

    /// The rule's line, without children.
    pub fn head(&self) -> String {
        let mut s = String::new();
        match (&self.anchor, self.action.as_str()) {
            (Some(name), "anchor") => s.push_str(&format!("anchor \"{name}\"")),
            _ => s.push_str(&self.action),
        }
        if let Some(b) = &self.block {
            s.push(' ');
            s.push_str(b);
        }
        match self.direction {
            Some(Direction::In) => s.push_str(" in"),
            Some(Direction::Out) => s.push_str(" out"),
            None => {}
        }
        if let Some(l) = &self.log {
            s.push(' ');
            s.push_str(l);
        }
        if self.quick {
            s.push_str(" quick");
        }
        if let Some(i) = &self.interface {
            s.push_str(" on ");
            s.push_str(i);
        }
        match self.af {
            Some(Af::Inet) => s.push_str(" inet"),
            Some(Af::Inet6) => s.push_str(" inet6"),
            None => {}
        }
        if let Some(p) = self.proto {
            match names::protocol_name(p) {
                Some(n) => s.push_str(&format!(" proto {n}")),
                None => s.push_str(&format!(" proto {p}")),
            }
        }
        let all = self.from.addr.is_zero()
            && self.to.addr.is_zero()
            && !self.from.not
            && !self.to.not
            && self.from.port.is_none()
            && self.to.port.is_none();
        if all {
            s.push_str(" all");
        } else {
            let pname = if self.proto == Some(6) { "tcp" } else { "udp" };
            for (kw, side) in [(" from ", &self.from), (" to ", &self.to)] {
                s.push_str(kw);
                if side.not {
                    s.push_str("! ");
                }
                s.push_str(&side.addr.render(self.af));
                if let Some(p) = &side.port {
                    let _ = pname;
                    s.push_str(" port");
                    s.push_str(&p.render(&p.a.to_string()));
                }
            }
        }
        s.push_str(&self.options);
        s
    }
}

/// A line pfctl prints while parsing (macro, option, table, queue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The text, without newline.
    pub text: String,
    /// The statement it came from.
    pub span: Option<Span>,
}

/// An expanded ruleset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Expanded {
    /// Parse-time lines, in source order.
    pub header: Vec<Line>,
    /// The main ruleset's rules (anchors carry their children).
    pub rules: Vec<ExpandedRule>,
    /// Loaded anchors no anchor rule calls, by path, with their rules:
    /// pfctl -nv prints them after the main ruleset (regress pf103).
    pub uncalled: Vec<(String, Vec<ExpandedRule>)>,
    /// Things worth telling the user (unknown interfaces...), each once.
    pub notes: Vec<String>,
}

impl Expanded {
    /// Every rule, depth first (anchor children after their anchor).
    pub fn all_rules(&self) -> Vec<&ExpandedRule> {
        fn walk<'a>(rules: &'a [ExpandedRule], out: &mut Vec<&'a ExpandedRule>) {
            for r in rules {
                out.push(r);
                if let Some(c) = &r.children {
                    walk(c, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.rules, &mut out);
        for (_, rules) in &self.uncalled {
            walk(rules, &mut out);
        }
        out
    }
}

impl fmt::Display for Expanded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.header {
            writeln!(f, "{}", l.text)?;
        }
        self.write_rules(f)
    }
}

impl Expanded {
    /// The main ruleset's rules, then those of loaded anchors no rule
    /// calls.
    fn write_rules(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uncalled = self.uncalled.iter().flat_map(|(_, v)| v);
        for r in self.rules.iter().chain(uncalled) {
            r.write(f, 0)?;
        }
        Ok(())
    }

    /// The rules alone, as `pfctl -sr` lists a loaded ruleset (anchors
    /// nested, no options, tables or macros).
    pub fn rules_text(&self) -> String {
        struct Rules<'e>(&'e Expanded);
        impl fmt::Display for Rules<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write_rules(f)
            }
        }
        Rules(self).to_string()
    }
}

// ---------------------------------------------------------------------------
// Expansion
// ---------------------------------------------------------------------------

/// Expands a resolved ruleset with the given interface table; `user`
/// and `group` names resolve through OpenBSD's system accounts.
///
/// ```
/// use pfconf::expand::{expand, Interfaces};
///
/// let report = pfconf::check_str("pf.conf", "pass in proto tcp to port { 22 443 }\n");
/// let text = expand(&report.resolved, &Interfaces::new()).to_string();
/// assert_eq!(
///     text,
///     "pass in proto tcp from any to any port = 22 flags S/SA\n\
///      pass in proto tcp from any to any port = 443 flags S/SA\n"
/// );
/// ```
pub fn expand(resolved: &Resolved, interfaces: &Interfaces) -> Expanded {
    expand_with_accounts(resolved, interfaces, crate::accounts::Accounts::openbsd())
}

/// [`expand`] with a node's password and group databases.
pub fn expand_with_accounts(
    resolved: &Resolved,
    interfaces: &Interfaces,
    accounts: &crate::accounts::Accounts,
) -> Expanded {
    let mut x = Expander {
        ifs: interfaces,
        resolved,
        header: Vec::new(),
        notes: BTreeSet::new(),
        block_return: false,
        state_defaults: Vec::new(),
        macros_done: 0,
        depth: 0,
        auto_tables: 0,
        combos: 0,
        if_bound_default: false,
        referenced: BTreeSet::new(),
        accounts,
    };
    let rules = x.ruleset(&resolved.ruleset, None);
    let mut uncalled = Vec::new();
    // A loaded anchor no anchor rule calls: pfctl -nv prints its rules
    // where it loads them, after the main ruleset, without nesting
    // (regress pf103).
    for l in &resolved.loaded_anchors {
        // Called directly, or through a sub-anchor (`anchor "block/x"`).
        let called = x
            .referenced
            .iter()
            .any(|r| r == &l.name || r.starts_with(&format!("{}/", l.name)));
        if !called && x.depth < MAX_DEPTH {
            let inner = x.ruleset(&l.ruleset, Some(&l.name));
            uncalled.push((l.name.clone(), inner));
        }
    }
    // Macro definitions left (after the last parse-time line).
    x.flush_macros(None);
    Expanded {
        header: x.header,
        rules,
        uncalled,
        notes: x.notes.into_iter().collect(),
    }
}

/// Deepest anchor nesting followed.
const MAX_DEPTH: usize = 64;
/// Most list combinations expanded in one run (bounds memory on rules
/// whose lists multiply out to absurd sizes).
pub const MAX_COMBINATIONS: usize = 10_000_000;

struct Expander<'a> {
    ifs: &'a Interfaces,
    resolved: &'a Resolved,
    header: Vec<Line>,
    notes: BTreeSet<String>,
    block_return: bool,
    state_defaults: Vec<Spanned<StateOpt>>,
    macros_done: usize,
    depth: usize,
    auto_tables: usize,
    combos: usize,
    if_bound_default: bool,
    /// Anchor paths an anchor rule calls.
    referenced: BTreeSet<String>,
    /// The user and group names `user` and `group` resolve through.
    accounts: &'a crate::accounts::Accounts,
}

fn text(v: &SValue) -> &str {
    v.node.text()
}

fn num(v: &SValue) -> Option<u64> {
    let s = text(v);
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

/// One address candidate of a list.
#[derive(Debug, Clone)]
struct HostNode {
    addr: Addr,
    not: bool,
    af: Option<Af>,
    scope: Option<String>,
}

impl HostNode {
    fn any() -> Self {
        HostNode {
            addr: Addr::Any,
            not: false,
            af: None,
            scope: None,
        }
    }
}

#[derive(Debug, Clone)]
struct IfNode {
    name: Option<String>,
    not: bool,
    rdomain: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct IcmpNode {
    ty: u8,
    code: Option<u8>,
    v6: bool,
}

/// The rule-level settings shared by every expanded combination.
struct Base<'r> {
    rule: &'r FilterRule,
    span: Span,
    action: String,
    anchor: Option<String>,
    is_anchor: bool,
    af: Option<Af>,
}

impl<'a> Expander<'a> {
    fn note(&mut self, s: String) {
        self.notes.insert(s);
    }

    fn flush_macros(&mut self, before: Option<Span>) {
        let macros = &self.resolved.macro_definitions;
        while self.macros_done < macros.len() {
            let m = &macros[self.macros_done];
            let Some(ms) = m.span else {
                self.macros_done += 1;
                continue;
            };
            if let Some(b) = before {
                if ms.file != b.file || ms.start > b.start {
                    break;
                }
            }
            self.header.push(Line {
                text: format!("{} = \"{}\"", m.name, m.value),
                span: Some(ms),
            });
            self.macros_done += 1;
        }
    }

    fn head(&mut self, text: String, span: Span) {
        self.flush_macros(Some(span));
        self.header.push(Line {
            text,
            span: Some(span),
        });
    }

    fn ruleset(&mut self, rs: &Ruleset, anchor_path: Option<&str>) -> Vec<ExpandedRule> {
        let mut out = Vec::new();
        for st in &rs.statements {
            match &st.kind {
                StatementKind::Option(o) => self.option(o, st.span),
                StatementKind::Table(t) => self.table(t, st.span),
                StatementKind::Queue(q) => self.queue(q, st.span),
                StatementKind::Rule(r) => {
                    let action = match &r.action.node {
                        Action::Pass => "pass",
                        Action::Match => "match",
                        Action::Block { .. } => "block",
                    };
                    let base = Base {
                        rule: r,
                        span: st.span,
                        action: action.into(),
                        anchor: None,
                        is_anchor: false,
                        af: r.af.as_ref().map(|a| a.node.into()),
                    };
                    self.rule(&base, &mut out);
                }
                StatementKind::Anchor(a) => self.anchor(a, st.span, anchor_path, &mut out),
                StatementKind::Antispoof(a) => self.antispoof(a, st.span, &mut out),
                _ => {}
            }
        }
        out
    }

    fn anchor(
        &mut self,
        a: &AnchorRule,
        span: Span,
        parent: Option<&str>,
        out: &mut Vec<ExpandedRule>,
    ) {
        let name = a.name.as_ref().map(|n| text(n).to_string());
        let base = Base {
            rule: &a.filter,
            span,
            action: "anchor".into(),
            anchor: name.clone(),
            is_anchor: true,
            af: a.filter.af.as_ref().map(|x| x.node.into()),
        };
        let start = out.len();
        self.rule(&base, out);
        let path = match (&name, parent) {
            (Some(n), Some(p)) => format!("{p}/{n}"),
            (Some(n), None) => n.clone(),
            (None, _) => String::new(),
        };
        let body: Option<&Ruleset> = match &a.body {
            Some(b) => Some(b),
            None => {
                self.referenced.insert(path.clone());
                self.resolved.loaded(&path)
            }
        };
        if let Some(body) = body {
            if self.depth >= MAX_DEPTH {
                return;
            }
            self.depth += 1;
            let children = self.ruleset(body, Some(&path));
            self.depth -= 1;
            for r in out.iter_mut().skip(start) {
                r.children = Some(children.clone());
            }
        }
    }

    // -- options -----------------------------------------------------------

    fn option(&mut self, o: &SetOption, span: Span) {
        let lines: Vec<String> = match o {
            SetOption::Reassemble { value, no_df } => vec![format!(
                "set reassemble {} {}",
                text(value),
                if *no_df { "no-df" } else { "" }
            )],
            SetOption::Optimization { value } => {
                vec![format!("set optimization {}", text(value))]
            }
            // parse.y 1.719 prints nothing for it.
            SetOption::RulesetOptimization { .. } => vec![],
            SetOption::Timeout { values } => values
                .iter()
                .map(|(n, v)| format!("set timeout {} {}", text(n), num(v).unwrap_or(0)))
                .collect(),
            SetOption::Limit { values } => values
                .iter()
                .map(|(n, v)| format!("set limit {} {}", text(n), num(v).unwrap_or(0)))
                .collect(),
            SetOption::LogInterface { value } => {
                vec![format!("set loginterface {}", text(value))]
            }
            SetOption::HostId { value } => {
                vec![format!(
                    "set hostid 0x{:08x}",
                    num(value).unwrap_or(0) as u32
                )]
            }
            SetOption::BlockPolicy { value } => {
                self.block_return = *value == BlockPolicy::Return;
                vec![format!(
                    "set block-policy {}",
                    if self.block_return { "return" } else { "drop" }
                )]
            }
            SetOption::StatePolicy { value } => {
                self.if_bound_default = *value == StatePolicy::IfBound;
                vec![format!(
                    "set state-policy {}",
                    match value {
                        StatePolicy::IfBound => "if-bound",
                        StatePolicy::Floating => "floating",
                    }
                )]
            }
            SetOption::Debug { value } => vec![format!("set debug {}", text(value))],
            SetOption::Skip { interfaces } => {
                let names: Vec<String> = interfaces
                    .iter()
                    .filter_map(|i| match &i.node.target {
                        IfTarget::Name(n) => Some(text(n).to_string()),
                        _ => None,
                    })
                    .collect();
                if names.is_empty() || (names.len() == 1 && names[0] == "none") {
                    vec!["set skip on none".into()]
                } else {
                    vec![format!("set skip on {{ {} }}", names.join(" "))]
                }
            }
            SetOption::StateDefaults { opts } => {
                self.state_defaults = opts.clone();
                vec![]
            }
            SetOption::Fingerprints { value } => {
                vec![format!("set fingerprints \"{}\"", text(value))]
            }
            SetOption::Syncookies { mode, opts } => vec![syncookies_line(text(mode), opts)],
        };
        for l in lines {
            self.head(l, span);
        }
    }

    // -- tables ------------------------------------------------------------

    fn table(&mut self, t: &TableDef, span: Span) {
        let (mut c, mut p, mut k) = (false, false, false);
        let mut parts = String::new();
        let mut in_list = false;
        for o in &t.opts {
            match &o.node {
                TableOpt::Flag(f) => match text(f) {
                    "const" => c = true,
                    "persist" => p = true,
                    "counters" => k = true,
                    _ => {}
                },
                TableOpt::File(f) => {
                    if in_list {
                        parts.push_str(" }");
                        in_list = false;
                    }
                    parts.push_str(&format!(" file \"{}\"", text(f)));
                }
                TableOpt::Addresses(entries) => {
                    if !in_list {
                        parts.push_str(" {");
                        in_list = true;
                    }
                    for e in entries {
                        for h in self.hosts(std::slice::from_ref(&e.host)) {
                            parts.push_str(if h.not { " !" } else { " " });
                            parts.push_str(&h.addr.render(h.af));
                        }
                    }
                }
                TableOpt::Timeout(_) => {}
            }
        }
        if in_list {
            parts.push_str(" }");
        }
        let mut s = format!("table <{}>", text(&t.name));
        if c {
            s.push_str(" const");
        }
        if p {
            s.push_str(" persist");
        }
        if k {
            s.push_str(" counters");
        }
        s.push_str(&parts);
        self.head(s, span);
    }

    // -- queues ------------------------------------------------------------

    fn queue(&mut self, q: &QueueDef, span: Span) {
        let mut parent = None;
        let mut tail = String::new();
        let mut flows = String::new();
        let mut bw = String::new();
        let mut default = false;
        let mut qlimit = None;
        for o in &q.opts {
            match &o.node {
                QueueOpt::Parent { value } => parent = Some(text(value).to_string()),
                QueueOpt::Flows { value } => {
                    flows = format!(" flows {}{flows}", num(value).unwrap_or(0));
                }
                QueueOpt::Quantum { value } => {
                    flows.push_str(&format!(" quantum {}", num(value).unwrap_or(0)));
                }
                QueueOpt::Default => default = true,
                QueueOpt::Qlimit { value } => qlimit = num(value),
                QueueOpt::Bandwidth { share, min, max } => {
                    bw.push_str(&sc_spec(" bandwidth ", share));
                    if let Some(m) = min {
                        bw.push_str(&sc_spec(", min ", m));
                    }
                    if let Some(m) = max {
                        bw.push_str(&sc_spec(", max ", m));
                    }
                }
            }
        }
        tail.push_str(&flows);
        tail.push_str(&bw);
        if default {
            tail.push_str(" default");
        }
        if let Some(l) = qlimit {
            if l > 0 {
                tail.push_str(&format!(" qlimit {l}"));
            }
        }
        let name = text(&q.name);
        match parent {
            Some(p) => self.head(format!("queue {name} parent {p}{tail}"), span),
            None => {
                let ifs: Vec<String> = q
                    .interfaces
                    .iter()
                    .filter_map(|i| match &i.node.target {
                        IfTarget::Name(n) => Some(text(n).to_string()),
                        _ => None,
                    })
                    .collect();
                if ifs.is_empty() {
                    self.head(format!("queue {name}{tail}"), span);
                }
                for i in ifs {
                    self.head(format!("queue {name} on {i}{tail}"), span);
                }
            }
        }
    }

    // -- addresses ---------------------------------------------------------

    fn hosts(&mut self, hosts: &[Spanned<Host>]) -> Vec<HostNode> {
        let mut out = Vec::new();
        for h in hosts {
            self.host(&h.node, false, &mut out);
        }
        out
    }

    fn host(&mut self, h: &Host, outer_not: bool, out: &mut Vec<HostNode>) {
        let not = h.not ^ outer_not;
        let simple = |addr: Addr| HostNode {
            addr,
            not,
            af: None,
            scope: None,
        };
        match &h.kind {
            HostKind::Any => out.push(simple(Addr::Any)),
            HostKind::NoRoute => out.push(simple(Addr::NoRoute)),
            HostKind::UrpfFailed => out.push(simple(Addr::UrpfFailed)),
            HostKind::Table { name } => out.push(simple(Addr::Table {
                name: text(name).to_string(),
            })),
            HostKind::Route { label } => out.push(simple(Addr::Route {
                label: text(label).to_string(),
            })),
            HostKind::List(items) => {
                for i in items {
                    self.host(&i.node, not, out);
                }
            }
            HostKind::Range { from, to } => {
                let (a, b) = (text(from).parse::<IpAddr>(), text(to).parse::<IpAddr>());
                match (a, b) {
                    (Ok(a), Ok(b)) => out.push(HostNode {
                        addr: Addr::Range { from: a, to: b },
                        not,
                        af: Some(Af::of(&a)),
                        scope: None,
                    }),
                    _ => out.push(simple(Addr::Name {
                        text: format!("{} - {}", text(from), text(to)),
                    })),
                }
            }
            HostKind::Dynamic { ifname, mask } => {
                let word = text(ifname);
                let mut parts = word.split(':');
                let name = parts.next().unwrap_or("").to_string();
                let given: Vec<&str> = parts.collect();
                let mods: Vec<String> = ["network", "broadcast", "peer", "0"]
                    .iter()
                    .filter(|m| given.contains(m))
                    .map(|m| m.to_string())
                    .collect();
                let bits = mask
                    .as_ref()
                    .and_then(|m| text(m).parse::<u8>().ok())
                    .unwrap_or(128);
                out.push(simple(Addr::Dynamic { name, mods, bits }));
            }
            HostKind::Address { addr, mask } => {
                let word = text(addr);
                let (word, inline_mask) = match word.split_once('/') {
                    Some((w, m)) => (w, Some(m)),
                    None => (word, None),
                };
                let mask: Option<u8> = mask
                    .as_ref()
                    .map(text)
                    .or(inline_mask)
                    .and_then(|m| m.parse().ok());
                match parse_addr_word(word, mask.is_some()) {
                    Ok(AddrWord::V4(a)) => {
                        let bits = mask.unwrap_or(32).min(32);
                        out.push(HostNode {
                            addr: Addr::Net {
                                ip: mask_ip(IpAddr::V4(a), bits),
                                bits,
                            },
                            not,
                            af: Some(Af::Inet),
                            scope: None,
                        });
                    }
                    Ok(AddrWord::V6(a)) => {
                        let bits = mask.unwrap_or(128).min(128);
                        let scope = word.split_once('%').map(|(_, s)| s.to_string());
                        out.push(HostNode {
                            addr: Addr::Net {
                                ip: mask_ip(IpAddr::V6(a), bits),
                                bits,
                            },
                            not,
                            af: Some(Af::Inet6),
                            scope,
                        });
                    }
                    Ok(AddrWord::Name { name, modifiers }) => {
                        self.if_addrs(word, &name, &modifiers, mask, not, out)
                    }
                    Err(_) => out.push(simple(Addr::Name {
                        text: word.to_string(),
                    })),
                }
            }
        }
    }

    /// An interface name in address position: its addresses (pfctl's
    /// `host_if` / `ifa_lookup`).
    fn if_addrs(
        &mut self,
        word: &str,
        name: &str,
        mods: &[String],
        mask: Option<u8>,
        not: bool,
        out: &mut Vec<HostNode>,
    ) {
        if name == "localhost" && mods.is_empty() && !self.ifs.exists(name) {
            // The one host name every system resolves (/etc/hosts).
            for ip in [
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ] {
                let af = Af::of(&ip);
                let bits = mask.map_or(af.bits(), |m| m.min(af.bits()));
                out.push(HostNode {
                    addr: Addr::Net {
                        ip: mask_ip(ip, bits),
                        bits,
                    },
                    not,
                    af: Some(af),
                    scope: None,
                });
            }
            return;
        }
        let Some(addrs) = self.ifs.lookup(name) else {
            if name.contains('.') {
                self.note(format!(
                    "{name}: a host name, kept as written; pf loads the addresses DNS gives for it when the ruleset is loaded"
                ));
            } else {
                self.note(format!(
                    "{name}: no address known for this interface or host; kept as written"
                ));
            }
            let text = match mask {
                Some(m) => format!("{word}/{m}"),
                None => word.to_string(),
            };
            // `:broadcast` finds IPv4 broadcast addresses only
            // (pfctl_parser.c 1.352 ifa_lookup), so the rule is inet.
            let af = mods.iter().any(|m| m == "broadcast").then_some(Af::Inet);
            out.push(HostNode {
                addr: Addr::Name { text },
                not,
                af,
                scope: None,
            });
            return;
        };
        let has = |m: &str| mods.iter().any(|x| x == m);
        let (network, broadcast, peer, noalias) =
            (has("network"), has("broadcast"), has("peer"), has("0"));
        let mut got = (false, false);
        let mut last_if = "";
        let before = out.len();
        for (ifname, a) in addrs {
            if broadcast {
                // ifa_lookup: IPv4 addresses of a broadcast-capable
                // interface (not loopback, not a /31 or /32 link).
                if let (IpAddr::V4(v4), false, true) = (
                    a.addr,
                    crate::node::is_loopback_interface(ifname),
                    a.prefix <= 30,
                ) {
                    let host_bits = u32::MAX.checked_shr(u32::from(a.prefix)).unwrap_or(0);
                    let bcast = Ipv4Addr::from(u32::from(v4) | host_bits);
                    out.push(HostNode {
                        addr: Addr::Net {
                            ip: IpAddr::V4(bcast),
                            bits: 32,
                        },
                        not,
                        af: Some(Af::Inet),
                        scope: None,
                    });
                }
                continue;
            }
            if peer {
                // A point-to-point peer is not known from an address list.
                continue;
            }
            if network && a.scope.is_some() {
                continue;
            }
            if ifname != last_if {
                got = (false, false);
            }
            last_if = ifname;
            let af = Af::of(&a.addr);
            if noalias && ((af == Af::Inet && got.0) || (af == Af::Inet6 && got.1)) {
                continue;
            }
            if af == Af::Inet {
                got.0 = true;
            } else {
                got.1 = true;
            }
            let bits = match mask {
                Some(m) => m.min(af.bits()),
                None if network => a.prefix,
                None => af.bits(),
            };
            out.push(HostNode {
                addr: Addr::Net {
                    ip: mask_ip(a.addr, bits),
                    bits,
                },
                not,
                af: Some(af),
                scope: a.scope.clone(),
            });
        }
        if out.len() == before && (broadcast || peer) {
            // Nothing known to print: keep the word, never drop the value.
            self.note(format!(
                "{word}: no such address known for {name}; kept as written"
            ));
            out.push(HostNode {
                addr: Addr::Name {
                    text: word.to_string(),
                },
                not,
                af: broadcast.then_some(Af::Inet),
                scope: None,
            });
        }
    }

    // -- ports ---------------------------------------------------------------

    fn ports(&mut self, items: &[Spanned<PortItem>], ugid: Option<&str>) -> Vec<Option<PortOp>> {
        let mut out = Vec::new();
        for i in items {
            let p = match &i.node {
                PortItem::Eq { value } => {
                    let t = text(value);
                    match t.split_once(':') {
                        Some((a, b)) if ugid.is_none() => {
                            let a = port_value(a).map(u32::from).unwrap_or(0);
                            let b = if b == "*" {
                                a
                            } else {
                                port_value(b).map(u32::from).unwrap_or(0)
                            };
                            PortOp {
                                op: ":".into(),
                                a,
                                b,
                                ..PortOp::default()
                            }
                        }
                        // `user 1000:2000`: a range of ids (parse.y
                        // 1.719 uid_item: `uid PORTBINARY uid`).
                        Some((a, b)) => {
                            let (a, name_a) = self.id_word(a, ugid);
                            let (b, name_b) = self.id_word(b, ugid);
                            PortOp {
                                op: ":".into(),
                                a,
                                b,
                                name_a,
                                name_b,
                            }
                        }
                        None => {
                            let (a, name_a) = self.port_or_id(value, ugid);
                            PortOp {
                                op: "=".into(),
                                a,
                                name_a,
                                ..PortOp::default()
                            }
                        }
                    }
                }
                PortItem::Unary { op, value } => {
                    let (a, name_a) = self.port_or_id(value, ugid);
                    PortOp {
                        op: op.clone(),
                        a,
                        name_a,
                        ..PortOp::default()
                    }
                }
                PortItem::Binary { low, op, high } => {
                    let (a, name_a) = self.port_or_id(low, ugid);
                    let (b, name_b) = self.port_or_id(high, ugid);
                    PortOp {
                        op: op.clone(),
                        a,
                        b,
                        name_a,
                        name_b,
                    }
                }
            };
            out.push(Some(p));
        }
        if out.is_empty() {
            out.push(None);
        }
        out
    }

    /// A port number, or (`ugid` "user"/"group") the id of a user or group
    /// name as the accounts give it (parse.y 1.719 `uid`/`gid`); a name no
    /// database knows is kept, with a note.
    fn port_or_id(&mut self, v: &SValue, ugid: Option<&str>) -> (u32, Option<String>) {
        self.id_word(text(v), ugid)
    }

    /// [`Self::port_or_id`] of a word.
    fn id_word(&mut self, t: &str, ugid: Option<&str>) -> (u32, Option<String>) {
        let Some(kind) = ugid else {
            return (port_value(t).map(u32::from).unwrap_or(0), None);
        };
        if let Ok(n) = t.parse::<u32>() {
            return (n, None);
        }
        if t == "unknown" {
            return (u32::MAX, None);
        }
        match self.accounts.id(kind, t) {
            Some(id) => (id, None),
            None => {
                let whose = match self.accounts.origin {
                    crate::accounts::AccountsOrigin::Node => "the node's files",
                    crate::accounts::AccountsOrigin::OpenBsdBase => {
                        "OpenBSD's system accounts (give --node with etc/passwd and etc/group)"
                    }
                };
                self.note(format!(
                    "{kind} {t}: not in {whose}; kept as a name, pf loads the id the node gives it"
                ));
                (u32::MAX, Some(t.to_string()))
            }
        }
    }

    // -- rules ---------------------------------------------------------------

    fn rule(&mut self, base: &Base<'_>, out: &mut Vec<ExpandedRule>) {
        let r = base.rule;
        // Interfaces.
        let mut ifaces: Vec<IfNode> = Vec::new();
        for i in &r.interfaces {
            match &i.node.target {
                IfTarget::Any => ifaces.push(IfNode {
                    name: Some("any".into()),
                    not: i.node.not,
                    rdomain: None,
                }),
                IfTarget::Name(n) => ifaces.push(IfNode {
                    name: Some(text(n).to_string()),
                    not: i.node.not,
                    rdomain: None,
                }),
                IfTarget::Rdomain(n) => ifaces.push(IfNode {
                    name: None,
                    not: i.node.not,
                    rdomain: Some(text(n).to_string()),
                }),
            }
        }
        if ifaces.is_empty() {
            ifaces.push(IfNode {
                name: None,
                not: false,
                rdomain: None,
            });
        }
        // Protocols.
        let mut protos: Vec<Option<u8>> = r
            .protos
            .iter()
            .map(|p| {
                let t = text(p);
                t.parse::<u8>().ok().or_else(|| names::protocol_number(t))
            })
            .collect();
        if protos.is_empty() {
            protos.push(None);
        }
        // ICMP types.
        let mut icmps: Vec<Option<IcmpNode>> = Vec::new();
        for o in &r.options {
            if let FilterOpt::IcmpType { v6, items } = &o.node {
                for it in items {
                    let t = text(&it.node.icmp_type);
                    let ty = t
                        .parse::<u8>()
                        .ok()
                        .or_else(|| names::icmp_type(t, *v6))
                        .unwrap_or(0);
                    let code = it.node.code.as_ref().map(|c| {
                        let c = text(c);
                        c.parse::<u8>()
                            .ok()
                            .or_else(|| names::icmp_code(ty, c, *v6))
                            .unwrap_or(0)
                    });
                    icmps.push(Some(IcmpNode { ty, code, v6: *v6 }));
                }
            }
        }
        if icmps.is_empty() {
            icmps.push(None);
        }
        // Hosts and ports.
        let (src_hosts, src_ports) = self.endpoint(r.hosts.from.as_deref());
        let (dst_hosts, dst_ports) = self.endpoint(r.hosts.to.as_deref());
        // A later `user`/`group` option is put in front of the earlier ones.
        let mut uids: Vec<Option<PortOp>> = Vec::new();
        let mut gids: Vec<Option<PortOp>> = Vec::new();
        for o in &r.options {
            match &o.node {
                FilterOpt::User { items } => {
                    let mut v = self.ports(items, Some("user"));
                    v.extend(uids);
                    uids = v;
                }
                FilterOpt::Group { items } => {
                    let mut v = self.ports(items, Some("group"));
                    v.extend(gids);
                    gids = v;
                }
                _ => {}
            }
        }
        if uids.is_empty() {
            uids.push(None);
        }
        if gids.is_empty() {
            gids.push(None);
        }
        // pfctl's decide_address_family: a list whose addresses all have
        // one family gives the rule that family.
        let mut base_af = base.af;
        for list in [&src_hosts, &dst_hosts] {
            if base_af.is_none() {
                let first = list.first().and_then(|h| h.af);
                if first.is_some() && list.iter().all(|h| h.af == first) {
                    base_af = first;
                }
            }
        }
        if base_af.is_none() {
            let opts = &base.rule.options;
            if let Some(ip) = opts.iter().find_map(|o| match &o.node {
                FilterOpt::DivertTo { host, .. } => match text(host) {
                    "localhost" => Some(Af::Inet),
                    h => h.parse::<IpAddr>().ok().map(|ip| Af::of(&ip)),
                },
                _ => None,
            }) {
                base_af = Some(ip);
            }
        }
        let base = &Base {
            rule: base.rule,
            span: base.span,
            action: base.action.clone(),
            anchor: base.anchor.clone(),
            is_anchor: base.is_anchor,
            af: base_af,
        };
        let opts = self.rule_opts(base);
        for iface in &ifaces {
            for proto in &protos {
                for icmp in &icmps {
                    for sh in &src_hosts {
                        for dh in &dst_hosts {
                            for sp in &src_ports {
                                for dp in &dst_ports {
                                    for uid in &uids {
                                        for gid in &gids {
                                            let combo = Combo {
                                                iface,
                                                proto: *proto,
                                                icmp: *icmp,
                                                src: sh,
                                                dst: dh,
                                                sport: sp,
                                                dport: dp,
                                                uid,
                                                gid,
                                            };
                                            if self.combos >= MAX_COMBINATIONS {
                                                self.note(format!(
                                                    "expansion stopped after {MAX_COMBINATIONS} combinations"
                                                ));
                                                return;
                                            }
                                            self.combos += 1;
                                            self.emit(base, &opts, &combo, out);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn endpoint(&mut self, e: Option<&Endpoint>) -> (Vec<HostNode>, Vec<Option<PortOp>>) {
        match e {
            None => (vec![HostNode::any()], vec![None]),
            Some(e) => {
                let mut hosts = self.hosts(&e.hosts);
                if hosts.is_empty() {
                    hosts.push(HostNode::any());
                }
                (hosts, self.ports(&e.ports, None))
            }
        }
    }

    fn rule_opts(&mut self, base: &Base<'_>) -> RuleOpts {
        let r = base.rule;
        let mut o = RuleOpts::default();
        let is_pass = matches!(r.action.node, Action::Pass) && !base.is_anchor;
        if let Action::Block { policy } = &r.action.node {
            o.block = Some(match policy.as_deref() {
                None if self.block_return => BlockKind::Return,
                None | Some(BlockSpec::Drop) => BlockKind::Drop,
                Some(BlockSpec::Return) => BlockKind::Return,
                Some(BlockSpec::ReturnRst { ttl }) => {
                    BlockKind::Rst(ttl.as_ref().and_then(num).unwrap_or(0))
                }
                // pfctl keeps (type, code) pairs; a lone IPv4 code leaves
                // the IPv6 one at the IPv4 default, as parse.y does.
                Some(BlockSpec::ReturnIcmp { code, code6 }) => {
                    let c4 = code.as_ref().map(|c| (3, icmp_code_value(c, false)));
                    let c6 = code6.as_ref().map(|c| (1, icmp_code_value(c, true)));
                    match (c4, c6) {
                        (None, _) => BlockKind::Icmp((3, 3), c6.unwrap_or((1, 4))),
                        (Some(a), None) => BlockKind::Icmp(a, (3, 3)),
                        (Some(a), Some(b)) => BlockKind::Icmp(a, b),
                    }
                }
                Some(BlockSpec::ReturnIcmp6 { code }) => BlockKind::Icmp(
                    (3, 3),
                    (
                        1,
                        code.as_ref().map(|c| icmp_code_value(c, true)).unwrap_or(4),
                    ),
                ),
            });
        }
        if let Some(l) = &r.log {
            let mut items = Vec::new();
            if l.all {
                items.push("all".to_string());
            }
            if l.matches {
                items.push("matches".into());
            }
            if l.user {
                items.push("user".into());
            }
            if let Some(t) = &l.to {
                let t = text(t);
                if t != "pflog0" {
                    items.push(format!("to {t}"));
                }
            }
            o.log = Some(if items.is_empty() {
                "log".into()
            } else {
                format!("log ({})", items.join(", "))
            });
        }
        let mut state: Option<(StateKind, Vec<Spanned<StateOpt>>)> = None;
        let mut flags_given = false;
        for opt in &r.options {
            match &opt.node {
                FilterOpt::Flags { set, mask } => {
                    flags_given = true;
                    o.flags = set.as_ref().map(|s| parse_flags(text(s))).unwrap_or(0);
                    o.flagset = mask.as_ref().map(|s| parse_flags(text(s))).unwrap_or(0);
                }
                FilterOpt::State { kind, opts } => state = Some((*kind, opts.clone())),
                FilterOpt::Fragment => o.fragment = true,
                FilterOpt::AllowOpts => o.allow_opts = true,
                FilterOpt::Label { value } => o.label = Some(text(value).to_string()),
                FilterOpt::Tag { value } => {
                    o.tag = Some(value.iter().map(text).collect::<Vec<_>>().join(" "))
                }
                FilterOpt::Tagged { not, value } => {
                    o.tagged = Some((*not, value.iter().map(text).collect::<Vec<_>>().join(" ")))
                }
                FilterOpt::Prio { value } => o.prio = num(value),
                FilterOpt::Tos { value } => o.tos = Some(tos(value)),
                FilterOpt::Probability { value } => o.prob = probability(text(value)),
                FilterOpt::Rtable { value } => o.rtable = num(value),
                FilterOpt::Once => o.once = true,
                FilterOpt::MaxPktRate { limit, seconds } => {
                    o.pktrate = Some((num(limit).unwrap_or(0), num(seconds).unwrap_or(0)))
                }
                FilterOpt::SetPrio { prio, prio2 } => {
                    let a = num(prio).unwrap_or(0);
                    o.set_prio = Some((a, prio2.as_ref().and_then(num).unwrap_or(a)));
                }
                FilterOpt::SetTos { value } => o.set_tos = Some(tos(value)),
                FilterOpt::SetDelay { value } => o.set_delay = num(value),
                FilterOpt::Queue {
                    name, prio_name, ..
                } => {
                    o.queue = Some((
                        text(name).to_string(),
                        prio_name.as_ref().map(|p| text(p).to_string()),
                    ))
                }
                FilterOpt::ReceivedOn { not, interface } => {
                    let n = match interface {
                        IfTarget::Name(n) => text(n).to_string(),
                        IfTarget::Any => "any".into(),
                        IfTarget::Rdomain(n) => format!("rdomain {}", text(n)),
                    };
                    o.received_on =
                        Some(format!(" {}received-on {n}", if *not { "!" } else { "" }));
                }
                FilterOpt::Scrub { opts } => {
                    for s in opts {
                        match &s.node {
                            ScrubOpt::NoDf => o.scrub.no_df = true,
                            ScrubOpt::RandomId => o.scrub.random_id = true,
                            ScrubOpt::MinTtl { value } => o.scrub.min_ttl = num(value),
                            ScrubOpt::MaxMss { value } => o.scrub.max_mss = num(value),
                            ScrubOpt::Reassemble { .. } => o.scrub.reassemble_tcp = true,
                        }
                    }
                }
                FilterOpt::DivertTo { host, port } => {
                    let p = port_value(text(port)).unwrap_or(0);
                    let h = text(host);
                    let addrs: Vec<IpAddr> = match h {
                        "localhost" => vec![
                            IpAddr::V4(Ipv4Addr::LOCALHOST),
                            IpAddr::V6(Ipv6Addr::LOCALHOST),
                        ],
                        _ => h.parse().ok().into_iter().collect(),
                    };
                    o.divert_to = Some((h.to_string(), addrs, p));
                }
                FilterOpt::DivertReply => o.divert = Some(" divert-reply".into()),
                FilterOpt::DivertPacket { port } => {
                    let p = port_value(text(port)).unwrap_or(0);
                    o.divert = Some(format!(" divert-packet port {p}"));
                }
                FilterOpt::NatTo(rd) => o.nat = Some((PoolKind::Nat, rd.clone())),
                FilterOpt::BinatTo(rd) => {
                    o.nat = Some((PoolKind::Nat, rd.clone()));
                    o.binat = true;
                }
                FilterOpt::RdrTo(rd) => o.rdr = Some(rd.clone()),
                FilterOpt::AfTo { af, from, to } => {
                    o.afto = Some(((*af).into(), from.clone(), to.clone()));
                }
                FilterOpt::Route { kind, target } => o.route = Some((*kind, target.clone())),
                _ => {}
            }
        }
        // Keep state by default on pass rules, with `set state-defaults`.
        match state {
            Some((kind, opts)) => {
                o.keep = Some(kind);
                o.state_opts = opts;
            }
            None if is_pass => {
                o.keep = Some(StateKind::Keep);
                o.state_opts = self.state_defaults.clone();
            }
            None => o.keep = Some(StateKind::No),
        }
        if is_pass && !flags_given && !o.fragment && o.keep != Some(StateKind::No) {
            o.flags = parse_flags("S");
            o.flagset = parse_flags("SA");
        }
        let keeps = o.keep.is_some_and(|k| k != StateKind::No);
        o.ropts = self.state_text(&o.state_opts, keeps, &mut o.ropts_any);
        o
    }

    /// pfctl's rule-options parenthesis (after `keep state`).
    fn state_text(&self, opts: &[Spanned<StateOpt>], keeps: bool, any: &mut bool) -> String {
        let mut statelock = false;
        let mut max = None;
        let mut nosync = false;
        let mut track: Option<Option<SourceTrackScope>> = None;
        let mut max_src_states = None;
        let mut max_src_conn = None;
        let mut rate = None;
        let mut max_src_nodes = None;
        let mut overload: Option<(String, bool, bool)> = None;
        let (mut ifbound, mut sloppy, mut pflow) = (false, false, false);
        let mut timeouts: Vec<(usize, String, u64)> = Vec::new();
        for o in opts {
            match &o.node {
                StateOpt::Max { value } => max = num(value),
                StateOpt::NoSync => nosync = true,
                StateOpt::MaxSrcStates { value } => max_src_states = num(value),
                StateOpt::MaxSrcConn { value } => max_src_conn = num(value),
                StateOpt::MaxSrcConnRate { limit, seconds } => {
                    rate = Some((num(limit).unwrap_or(0), num(seconds).unwrap_or(0)))
                }
                StateOpt::Overload {
                    table,
                    flush,
                    global,
                } => overload = Some((text(table).to_string(), *flush, *global)),
                StateOpt::MaxSrcNodes { value } => max_src_nodes = num(value),
                StateOpt::SourceTrack { scope } => track = Some(*scope),
                StateOpt::IfBound => {
                    ifbound = true;
                    statelock = true;
                }
                StateOpt::Floating => statelock = true,
                StateOpt::Sloppy => sloppy = true,
                StateOpt::Pflow => pflow = true,
                StateOpt::Timeout { name, value } => {
                    let n = text(name);
                    let idx = TIMEOUT_ORDER.iter().position(|t| *t == n).unwrap_or(99);
                    timeouts.retain(|t| t.1 != n);
                    timeouts.push((idx, n.to_string(), num(value).unwrap_or(0)));
                }
            }
        }
        // `set state-policy if-bound` applies to stateful rules without
        // their own `if-bound`/`floating`.
        if keeps && !statelock && self.if_bound_default {
            ifbound = true;
        }
        // pfctl derives the adaptive timeouts from `max`.
        if let Some(m) = max {
            if !timeouts.iter().any(|t| t.1.starts_with("adaptive.")) && m / 10 > 0 {
                for (n, f) in [("adaptive.start", 6), ("adaptive.end", 12)] {
                    let idx = TIMEOUT_ORDER.iter().position(|t| *t == n).unwrap_or(99);
                    timeouts.push((idx, n.to_string(), m / 10 * f));
                }
            }
        }
        // pfctl's PFRULE_SRCTRACK / PFRULE_RULESRCTRACK: every per-source
        // limit tracks sources; connection limits and max-src-nodes track
        // them per rule, as does `source-track rule`. A rate limit raises
        // the `src.track` timeout to its period.
        let per_rule = track == Some(Some(SourceTrackScope::Rule))
            || max_src_conn.is_some()
            || rate.is_some()
            || max_src_nodes.is_some();
        if track.is_some() || per_rule || max_src_states.is_some() {
            track = Some(Some(if per_rule {
                SourceTrackScope::Rule
            } else {
                SourceTrackScope::Global
            }));
            if let Some((_, sec)) = rate {
                let idx = TIMEOUT_ORDER
                    .iter()
                    .position(|t| *t == "src.track")
                    .unwrap_or(99);
                match timeouts.iter_mut().find(|t| t.1 == "src.track") {
                    Some(t) => t.2 = t.2.max(sec),
                    None if sec > 0 => timeouts.push((idx, "src.track".to_string(), sec)),
                    None => {}
                }
            }
        }
        timeouts.sort_by_key(|t| t.0);
        let on = max.is_some()
            || max_src_nodes.is_some()
            || max_src_states.is_some()
            || nosync
            || track.is_some()
            || ifbound
            || sloppy
            || pflow
            || !timeouts.is_empty();
        *any = on;
        if !on {
            return String::new();
        }
        // `first` mirrors pfctl's `ropts` flag, including its quirk after
        // `overload` (no comma is printed before the next item).
        let mut s = String::from(" (");
        let mut first = true;
        let item = |s: &mut String, t: &str, first: &mut bool| {
            if !*first {
                s.push_str(", ");
            }
            s.push_str(t);
            *first = false;
        };
        if let Some(m) = max {
            item(&mut s, &format!("max {m}"), &mut first);
        }
        if nosync {
            item(&mut s, "no-sync", &mut first);
        }
        if let Some(t) = track {
            let scope = match t {
                Some(SourceTrackScope::Rule) => "rule",
                _ => "global",
            };
            item(&mut s, &format!("source-track {scope}"), &mut first);
        }
        if let Some(m) = max_src_states {
            item(&mut s, &format!("max-src-states {m}"), &mut first);
        }
        if let Some(m) = max_src_conn {
            item(&mut s, &format!("max-src-conn {m}"), &mut first);
        }
        if let Some((l, sec)) = rate {
            item(&mut s, &format!("max-src-conn-rate {l}/{sec}"), &mut first);
        }
        if let Some(m) = max_src_nodes {
            item(&mut s, &format!("max-src-nodes {m}"), &mut first);
        }
        if let Some((t, flush, global)) = overload {
            if !first {
                s.push_str(", ");
            }
            s.push_str(&format!("overload <{t}>"));
            if flush {
                s.push_str(" flush");
            }
            if global {
                s.push_str(" global");
            }
        }
        if ifbound {
            item(&mut s, "if-bound", &mut first);
        }
        if sloppy {
            item(&mut s, "sloppy", &mut first);
        }
        if pflow {
            item(&mut s, "pflow", &mut first);
        }
        for (_, n, v) in timeouts {
            item(&mut s, &format!("{n} {v}"), &mut first);
        }
        s.push(')');
        s
    }

    fn emit(&mut self, base: &Base<'_>, o: &RuleOpts, c: &Combo<'_>, out: &mut Vec<ExpandedRule>) {
        let mut af = base.af;
        // Translation pools may set the family (pfctl's
        // collapse_redirspec, in its order: rdr, nat, route).
        let rdr = o.rdr.as_ref().map(|rd| self.collapse(rd, &mut af, false));
        let nat = match &o.afto {
            Some((_, from, _)) => Some(self.collapse(from, &mut af, true)),
            None => o
                .nat
                .as_ref()
                .map(|(_, rd)| self.collapse(rd, &mut af, false)),
        };
        if af.is_none() {
            if let Some((afto, _, _)) = &o.afto {
                af = Some(match afto {
                    Af::Inet => Af::Inet6,
                    Af::Inet6 => Af::Inet,
                });
            }
        }
        let route = o
            .route
            .as_ref()
            .map(|(_, rd)| self.collapse(rd, &mut af, false));
        let pools = Pools { rdr, nat, route };
        let (s, d) = (c.src, c.dst);
        if let (Some(a), Some(b)) = (af, s.af) {
            if a != b {
                return;
            }
        }
        if let (Some(a), Some(b)) = (af, d.af) {
            if a != b {
                return;
            }
        }
        if let (Some(a), Some(b)) = (s.af, d.af) {
            if a != b {
                return;
            }
        }
        if let (Some(a), Some(b)) = (&s.scope, &d.scope) {
            if a != b {
                return;
            }
        }
        if let Some(name) = &c.iface.name {
            for sc in [&s.scope, &d.scope].into_iter().flatten() {
                if sc != name {
                    return;
                }
            }
        }
        if af.is_none() {
            af = s.af.or(d.af);
        }
        let ifname = c
            .iface
            .name
            .clone()
            .or_else(|| s.scope.clone())
            .or_else(|| d.scope.clone());
        let nr = out.len();
        let binat = o.binat;
        let dir = if binat {
            Some(Direction::Out)
        } else {
            base.rule.direction
        };
        let mut rule = self.build(base, o, c, af, ifname.clone(), dir, nr, false, &pools);
        if base.is_anchor {
            rule.children = None;
        }
        out.push(rule);
        if binat {
            // The inbound half of binat-to: swap source and destination,
            // destination is the translation address, rdr-to the source.
            let nr = out.len();
            let rule = self.build(
                base,
                o,
                c,
                af,
                ifname,
                Some(Direction::In),
                nr,
                true,
                &pools,
            );
            out.push(rule);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &mut self,
        base: &Base<'_>,
        o: &RuleOpts,
        c: &Combo<'_>,
        af: Option<Af>,
        ifname: Option<String>,
        dir: Option<Direction>,
        nr: usize,
        binat_in: bool,
        pools: &Pools,
    ) -> ExpandedRule {
        let proto = c.proto.filter(|p| *p != 0).or(c.proto);
        let is_tcp = matches!(proto, None | Some(6));
        let interface = match (&ifname, &c.iface.rdomain) {
            (Some(n), _) => Some(format!("{}{n}", if c.iface.not { "! " } else { "" })),
            (None, Some(d)) => Some(format!(
                "{}rdomain {d}",
                if c.iface.not { "! " } else { "" }
            )),
            (None, None) => None,
        };
        let mut from = Side {
            not: c.src.not,
            addr: c.src.addr.clone(),
            port: c.sport.clone(),
        };
        let mut to = Side {
            not: c.dst.not,
            addr: c.dst.addr.clone(),
            port: c.dport.clone(),
        };
        let mut options = String::new();
        if binat_in {
            let nat_host = pools.nat.as_ref().and_then(|p| p.hosts.first().cloned());
            from = Side {
                not: c.dst.not,
                addr: c.dst.addr.clone(),
                port: c.dport.clone(),
            };
            to = Side {
                not: false,
                addr: nat_host.map(|h| h.addr).unwrap_or(Addr::Any),
                port: c.sport.clone(),
            };
        }
        // Label and tag macros.
        let lbl =
            |s: &str| -> String { expand_label(s, ifname.as_deref(), af, &from, &to, proto, nr) };
        let keep0 = o.keep.unwrap_or(StateKind::No);
        let keep = if matches!(keep0, StateKind::Modulate | StateKind::Synproxy)
            && proto.is_some()
            && proto != Some(6)
        {
            StateKind::Keep
        } else {
            keep0
        };
        let (flags, flagset) = if proto.is_some() && proto != Some(6) {
            (0, 0)
        } else {
            (o.flags, o.flagset)
        };
        if let Some(r) = &o.received_on {
            options.push_str(r);
        }
        for (kind, v) in [("user", c.uid), ("group", c.gid)] {
            if let Some(p) = v {
                options.push_str(&format!(" {kind}"));
                let a1 = if let Some(n) = &p.name_a {
                    n.clone()
                } else if p.a == u32::MAX && matches!(p.op.as_str(), "=" | "!=") {
                    "unknown".to_string()
                } else {
                    p.a.to_string()
                };
                options.push_str(&p.render(&a1));
            }
        }
        let is_pass_or_match =
            matches!(base.rule.action.node, Action::Pass | Action::Match) && !base.is_anchor;
        if flags != 0 || flagset != 0 {
            options.push_str(&format!(
                " flags {}/{}",
                flags_text(flags),
                flags_text(flagset)
            ));
        } else if is_pass_or_match && is_tcp && !o.fragment && keep != StateKind::No {
            options.push_str(" flags any");
        }
        if let Some(i) = c.icmp {
            let v6 = af == Some(Af::Inet6);
            options.push_str(if v6 { " icmp6-type" } else { " icmp-type" });
            match names::icmp_type_name(i.ty, v6) {
                Some(n) => options.push_str(&format!(" {n}")),
                None => options.push_str(&format!(" {}", i.ty)),
            }
            if let Some(code) = i.code {
                match names::icmp_code_name(i.ty, code, v6) {
                    Some(n) => options.push_str(&format!(" code {n}")),
                    None => options.push_str(&format!(" code {code}")),
                }
            }
            let _ = i.v6;
        }
        if let Some(t) = o.tos {
            if t != 0 {
                options.push_str(&format!(" tos 0x{t:02x}"));
            }
        }
        if let Some(p) = o.prio {
            options.push_str(&format!(" prio {p}"));
        }
        if let Some((l, s)) = o.pktrate {
            options.push_str(&format!(" max-pkt-rate {l}/{s}"));
        }
        if o.set_prio.is_some() || o.queue.is_some() || o.set_tos.is_some() || o.set_delay.is_some()
        {
            let mut items = Vec::new();
            if let Some((a, b)) = o.set_prio {
                if a == b {
                    items.push(format!("prio {a}"));
                } else {
                    items.push(format!("prio({a}, {b})"));
                }
            }
            if let Some((q, p)) = &o.queue {
                match p {
                    Some(p) => items.push(format!("queue({q}, {p})")),
                    None => items.push(format!("queue {q}")),
                }
            }
            if let Some(t) = o.set_tos {
                items.push(format!("tos 0x{t:02x}"));
            }
            if let Some(d) = o.set_delay {
                items.push(format!("delay {d}"));
            }
            options.push_str(&format!(" set ({})", items.join(", ")));
        }
        let is_pass = matches!(base.rule.action.node, Action::Pass) && !base.is_anchor;
        match keep {
            StateKind::No if is_pass => options.push_str(" no state"),
            StateKind::Keep if o.ropts_any => options.push_str(" keep state"),
            StateKind::Modulate => options.push_str(" modulate state"),
            StateKind::Synproxy => options.push_str(" synproxy state"),
            _ => {}
        }
        if let Some(p) = o.prob {
            options.push_str(&format!(" probability {}%", prob_text(p)));
        }
        if keep != StateKind::No {
            options.push_str(&o.ropts);
        }
        if o.fragment {
            options.push_str(" fragment");
        }
        let sc = &o.scrub;
        if sc.no_df
            || sc.random_id
            || sc.min_ttl.is_some()
            || sc.max_mss.is_some()
            || sc.reassemble_tcp
        {
            let mut items = Vec::new();
            if sc.no_df {
                items.push("no-df".to_string());
            }
            if sc.random_id {
                items.push("random-id".into());
            }
            if let Some(t) = sc.min_ttl {
                items.push(format!("min-ttl {t}"));
            }
            if sc.reassemble_tcp {
                items.push("reassemble tcp".into());
            }
            if let Some(m) = sc.max_mss {
                items.push(format!("max-mss {m}"));
            }
            options.push_str(&format!(" scrub ({})", items.join(" ")));
        }
        if o.allow_opts {
            options.push_str(" allow-opts");
        }
        if let Some(l) = &o.label {
            let l = lbl(l);
            if !l.is_empty() {
                options.push_str(&format!(" label \"{l}\""));
            }
        }
        if o.once {
            options.push_str(" once");
        }
        if let Some(t) = &o.tag {
            options.push_str(&format!(" tag {}", lbl(t)));
        }
        if let Some((not, t)) = &o.tagged {
            if *not {
                options.push_str(" !");
            }
            options.push_str(&format!(" tagged {}", lbl(t)));
        }
        if let Some(t) = o.rtable {
            options.push_str(&format!(" rtable {t}"));
        }
        if let Some((h, addrs, p)) = &o.divert_to {
            let a = addrs
                .iter()
                .find(|a| af.is_none() || Some(Af::of(a)) == af)
                .map(ip_text)
                .unwrap_or_else(|| h.clone());
            options.push_str(&format!(" divert-to {a} port {p}"));
        }
        if let Some(d) = &o.divert {
            options.push_str(d);
        }
        if !base.is_anchor {
            if binat_in {
                let src = c.src.addr.render(af);
                options.push_str(&format!(" rdr-to {src}"));
            } else if let Some((to_af, from_rd, to_rd)) = &o.afto {
                options.push_str(&format!(
                    " af-to {} from ",
                    if *to_af == Af::Inet { "inet" } else { "inet6" }
                ));
                options.push_str(&pool(
                    from_rd,
                    pools.nat.as_ref(),
                    Some(*to_af),
                    PoolKind::Nat,
                    None,
                ));
                if let Some(t) = to_rd {
                    let p = Collapsed::plain(self.hosts(&redir_hosts(t)));
                    options.push_str(" to ");
                    options.push_str(&pool(t, Some(&p), Some(*to_af), PoolKind::Rdr, None));
                }
            } else if let Some((_, rd)) = &o.nat {
                options.push_str(" nat-to ");
                let kind = if o.binat {
                    PoolKind::Binat
                } else {
                    PoolKind::Nat
                };
                options.push_str(&pool(rd, pools.nat.as_ref(), af, kind, None));
            } else if let Some(rd) = &o.rdr {
                options.push_str(" rdr-to ");
                options.push_str(&pool(
                    rd,
                    pools.rdr.as_ref(),
                    af,
                    PoolKind::Rdr,
                    c.dport.as_ref(),
                ));
            }
        }
        if let Some((kind, rd)) = &o.route {
            options.push_str(match kind {
                RouteKind::RouteTo => " route-to ",
                RouteKind::ReplyTo => " reply-to ",
                RouteKind::DupTo => " dup-to ",
            });
            options.push_str(&pool(rd, pools.route.as_ref(), af, PoolKind::Route, None));
        }
        ExpandedRule {
            span: base.span,
            nr,
            action: base.action.clone(),
            anchor: base
                .anchor
                .as_ref()
                .filter(|n| !n.rsplit('/').next().unwrap_or("").starts_with('_'))
                .cloned(),
            block: o.block.map(|b| b.render(af)),
            direction: dir,
            log: o.log.clone(),
            quick: base.rule.quick,
            interface,
            af,
            proto,
            from,
            to,
            options,
            children: None,
        }
    }

    /// pfctl's `collapse_redirspec`: the pool's addresses of the rule's
    /// family; a pool of several addresses becomes an anonymous table,
    /// printed at parse time.
    fn collapse(&mut self, rd: &Redirect, af: &mut Option<Af>, afto: bool) -> Collapsed {
        let hosts = self.hosts(&redir_hosts(rd));
        let mut chosen = None;
        let mut kept = Vec::new();
        for h in hosts {
            if let (Some(a), Some(b), false) = (*af, h.af, afto) {
                if a != b {
                    continue;
                }
            }
            if af.is_none() && chosen.is_none() {
                chosen = h.af;
            }
            kept.push(h);
        }
        if af.is_none() {
            *af = chosen;
        }
        let mut table = None;
        if kept.len() > 1 {
            let name = format!("__automatic_{}", self.auto_tables);
            self.auto_tables += 1;
            let entries: Vec<String> = kept.iter().map(|h| h.addr.render(h.af)).collect();
            self.header.push(Line {
                text: format!("table <{name}> const {{ {} }}", entries.join(" ")),
                span: None,
            });
            table = Some(name);
        }
        Collapsed { hosts: kept, table }
    }
}

/// The addresses of a redirection as AST hosts.
fn redir_hosts(rd: &Redirect) -> Vec<Spanned<Host>> {
    rd.hosts.iter().map(|h| h.host.clone()).collect()
}

/// A collapsed translation or routing pool.
#[derive(Debug, Clone)]
struct Collapsed {
    hosts: Vec<HostNode>,
    table: Option<String>,
}

impl Collapsed {
    fn plain(hosts: Vec<HostNode>) -> Self {
        Collapsed { hosts, table: None }
    }
}

struct Pools {
    rdr: Option<Collapsed>,
    nat: Option<Collapsed>,
    route: Option<Collapsed>,
}

/// pfctl's `print_pool`.
fn pool(
    rd: &Redirect,
    c: Option<&Collapsed>,
    af: Option<Af>,
    kind: PoolKind,
    dport: Option<&PortOp>,
) -> String {
    let empty = Vec::new();
    let hosts = c.map(|c| &c.hosts).unwrap_or(&empty);
    let table = c.and_then(|c| c.table.clone());
    let multi = table.is_some();
    let mut s = String::new();
    if let Some(t) = &table {
        s.push_str(&format!("<{t}>"));
    } else if let Some(h) = hosts.first() {
        s.push_str(&h.addr.render(af));
    }
    // Ports.
    let (p1, p2) = match &rd.port {
        Some(p) => {
            let t = text(p);
            match t.split_once(':') {
                Some((a, b)) => (
                    port_value(a).map(u32::from).unwrap_or(0),
                    if b == "*" {
                        u32::MAX
                    } else {
                        port_value(b).map(u32::from).unwrap_or(0)
                    },
                ),
                None => (port_value(t).map(u32::from).unwrap_or(0), 0),
            }
        }
        None => (0, 0),
    };
    let mut static_port = rd.pool.opts.iter().any(|o| o.node == PoolOpt::StaticPort);
    match kind {
        PoolKind::Nat | PoolKind::Binat => {
            if kind == PoolKind::Binat {
                static_port = true;
            }
            if !static_port && (p1 != 0 || p2 != 0) {
                let p2 = if p2 == 0 { p1 } else { p2 };
                if (p1, p2) != (50001, 65535) {
                    if p1 == p2 {
                        s.push_str(&format!(" port {p1}"));
                    } else {
                        s.push_str(&format!(" port {p1}:{p2}"));
                    }
                }
            }
        }
        PoolKind::Rdr => {
            if p1 != 0 {
                s.push_str(&format!(" port {p1}"));
                let p2 = if p2 == u32::MAX {
                    // `port p:*`: as wide as the matched range.
                    match dport {
                        Some(d) if d.op == ":" => p1 + d.b.saturating_sub(d.a),
                        _ => p1,
                    }
                } else {
                    p2
                };
                if p2 != 0 && p2 != p1 {
                    s.push_str(&format!(":{p2}"));
                }
            }
        }
        PoolKind::Route => {}
    }
    let mut ty = None;
    let mut sticky = false;
    for o in &rd.pool.opts {
        match &o.node {
            PoolOpt::Bitmask => ty = Some("bitmask".to_string()),
            PoolOpt::Random => ty = Some("random".into()),
            PoolOpt::RoundRobin => ty = Some("round-robin".into()),
            PoolOpt::LeastStates => ty = Some("least-states".into()),
            PoolOpt::SourceHash { key } => {
                ty = Some(match key.first() {
                    Some(k) => format!("source-hash {}", source_hash_key(text(k))),
                    None => "source-hash".into(),
                })
            }
            PoolOpt::StickyAddress => sticky = true,
            PoolOpt::StaticPort => {}
        }
    }
    if ty.is_none() {
        // parse.y 1.719 DYNIF_MULTIADDR: a dynamic address may hold
        // several addresses unless it is `:0` of an interface (a name
        // ending in a digit); a group (`egress:0`) may hold several.
        let dynamic_multi = hosts.iter().any(|h| match &h.addr {
            Addr::Table { .. } => true,
            Addr::Dynamic { name, mods, .. } => {
                !mods.iter().any(|m| m == "0") || !name.ends_with(|c: char| c.is_ascii_digit())
            }
            _ => false,
        });
        if dynamic_multi || multi {
            ty = Some("round-robin".into());
        }
    }
    if let Some(t) = ty {
        s.push(' ');
        s.push_str(&t);
    }
    if sticky {
        s.push_str(" sticky-address");
    }
    if matches!(kind, PoolKind::Nat | PoolKind::Binat) && static_port {
        s.push_str(" static-port");
    }
    s
}

impl<'a> Expander<'a> {
    // -- antispoof ---------------------------------------------------------

    fn antispoof(&mut self, a: &Antispoof, span: Span, out: &mut Vec<ExpandedRule>) {
        let af: Option<Af> = a.af.map(Into::into);
        for i in &a.interfaces {
            let IfTarget::Name(n) = &i.node.target else {
                continue;
            };
            let name = text(n).to_string();
            let dynamic = |mods: Vec<String>| {
                vec![HostNode {
                    addr: Addr::Dynamic {
                        name: name.clone(),
                        mods,
                        bits: 128,
                    },
                    not: false,
                    af: None,
                    scope: None,
                }]
            };
            // `block drop in on ! IF from IF:network`.
            let networks: Vec<HostNode> = if i.node.dynamic {
                dynamic(vec!["network".into()])
            } else {
                let mut v = Vec::new();
                let word = format!("{name}:network");
                self.if_addrs(&word, &name, &["network".to_string()], None, false, &mut v);
                v
            };
            // Label macros of the first rules see the rule number the
            // first of them gets.
            let first = out.len();
            for h in networks.iter().filter(|h| af_agrees(af, h.af)) {
                let r = antispoof_rule(
                    a,
                    span,
                    Some(format!("! {name}")),
                    af.or(h.af),
                    h,
                    (Some(&name), first),
                    out.len(),
                );
                out.push(r);
            }
            // The second rule blocks the interface's own addresses arriving
            // from elsewhere; pfctl leaves it out only for an interface
            // flagged IFF_LOOPBACK (lo0, lo1...): a group, even `lo`, has
            // no flags (parse.y 1.719 antispoof, pfctl_parser.c 1.352
            // ifa_exists). A scoped (link-local) address puts the rule on
            // its interface (parse.y expand_rule: ifa_indextoname).
            if crate::node::is_loopback_interface(&name) {
                continue;
            }
            let own = if i.node.dynamic {
                dynamic(Vec::new())
            } else {
                let mut v = Vec::new();
                self.if_addrs(&name, &name, &[], None, false, &mut v);
                v
            };
            for h in own.iter().filter(|h| af_agrees(af, h.af)) {
                let nr = out.len();
                let r = antispoof_rule(a, span, h.scope.clone(), af.or(h.af), h, (None, nr), nr);
                out.push(r);
            }
        }
    }
}

/// True unless both families are known and differ.
fn af_agrees(a: Option<Af>, b: Option<Af>) -> bool {
    !matches!((a, b), (Some(x), Some(y)) if x != y)
}

/// One rule of `antispoof`: `block drop in [on IFSPEC] [af] from HOST to
/// any` with the statement's `log`, `quick`, `label` (its macros expanded
/// with `label_at`: the interface name and rule number they see) and
/// `rtable`. pfctl sets no return flag on antispoof rules: they drop
/// whatever `set block-policy` says.
fn antispoof_rule(
    a: &Antispoof,
    span: Span,
    interface: Option<String>,
    af: Option<Af>,
    h: &HostNode,
    label_at: (Option<&str>, usize),
    nr: usize,
) -> ExpandedRule {
    let from = Side {
        not: false,
        addr: h.addr.clone(),
        port: None,
    };
    let to = Side {
        not: false,
        addr: Addr::Any,
        port: None,
    };
    let mut options = String::new();
    let label = a
        .label
        .as_ref()
        .map(|l| expand_label(text(l), label_at.0, af, &from, &to, None, label_at.1));
    if let Some(l) = label.filter(|l| !l.is_empty()) {
        options.push_str(&format!(" label \"{l}\""));
    }
    if let Some(t) = a.rtable.as_ref().and_then(num) {
        options.push_str(&format!(" rtable {t}"));
    }
    ExpandedRule {
        span,
        nr,
        action: "block".into(),
        anchor: None,
        block: Some("drop".into()),
        direction: Some(Direction::In),
        log: a.log.as_ref().map(|_| "log".to_string()),
        quick: a.quick,
        interface,
        af,
        proto: None,
        from,
        to,
        options,
        children: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PoolKind {
    Nat,
    Binat,
    Rdr,
    Route,
}

#[derive(Debug, Clone, Copy)]
enum BlockKind {
    Drop,
    Return,
    Rst(u64),
    Icmp((u8, u8), (u8, u8)),
}

impl BlockKind {
    fn render(self, af: Option<Af>) -> String {
        match self {
            BlockKind::Drop => "drop".into(),
            BlockKind::Return => "return".into(),
            BlockKind::Rst(0) => "return-rst".into(),
            BlockKind::Rst(t) => format!("return-rst(ttl {t})"),
            BlockKind::Icmp((t4, c4), (t6, c6)) => {
                let n4 = names::icmp_code_name(t4, c4, false)
                    .map(str::to_string)
                    .unwrap_or_else(|| c4.to_string());
                let n6 = names::icmp_code_name(t6, c6, true)
                    .map(str::to_string)
                    .unwrap_or_else(|| c6.to_string());
                match af {
                    Some(Af::Inet) => format!("return-icmp({n4})"),
                    Some(Af::Inet6) => format!("return-icmp6({n6})"),
                    None => format!("return-icmp({n4}, {n6})"),
                }
            }
        }
    }
}

fn icmp_code_value(v: &SValue, v6: bool) -> u8 {
    let t = text(v);
    t.parse::<u8>()
        .ok()
        .or_else(|| names::icmp_code(if v6 { 1 } else { 3 }, t, v6))
        .unwrap_or(0)
}

#[derive(Default)]
struct Scrub {
    no_df: bool,
    random_id: bool,
    min_ttl: Option<u64>,
    max_mss: Option<u64>,
    reassemble_tcp: bool,
}

#[derive(Default)]
struct RuleOpts {
    block: Option<BlockKind>,
    log: Option<String>,
    flags: u8,
    flagset: u8,
    keep: Option<StateKind>,
    state_opts: Vec<Spanned<StateOpt>>,
    ropts: String,
    ropts_any: bool,
    fragment: bool,
    allow_opts: bool,
    label: Option<String>,
    tag: Option<String>,
    tagged: Option<(bool, String)>,
    prio: Option<u64>,
    tos: Option<u8>,
    prob: Option<u32>,
    rtable: Option<u64>,
    once: bool,
    pktrate: Option<(u64, u64)>,
    set_prio: Option<(u64, u64)>,
    set_tos: Option<u8>,
    set_delay: Option<u64>,
    queue: Option<(String, Option<String>)>,
    received_on: Option<String>,
    scrub: Scrub,
    divert: Option<String>,
    divert_to: Option<(String, Vec<IpAddr>, u16)>,
    nat: Option<(PoolKind, Redirect)>,
    binat: bool,
    rdr: Option<Redirect>,
    afto: Option<(Af, Redirect, Option<Redirect>)>,
    route: Option<(RouteKind, Redirect)>,
}

struct Combo<'c> {
    iface: &'c IfNode,
    proto: Option<u8>,
    icmp: Option<IcmpNode>,
    src: &'c HostNode,
    dst: &'c HostNode,
    sport: &'c Option<PortOp>,
    dport: &'c Option<PortOp>,
    uid: &'c Option<PortOp>,
    gid: &'c Option<PortOp>,
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

const TCP_FLAGS: &[u8] = b"FSRPAUEW";

fn parse_flags(s: &str) -> u8 {
    let mut f = 0u8;
    for c in s.bytes() {
        if let Some(i) = TCP_FLAGS.iter().position(|&x| x == c) {
            f |= 1 << i;
        }
    }
    f
}

fn flags_text(f: u8) -> String {
    TCP_FLAGS
        .iter()
        .enumerate()
        .filter(|(i, _)| f & (1 << i) != 0)
        .map(|(_, &c)| c as char)
        .collect()
}

fn tos(v: &SValue) -> u8 {
    let t = text(v);
    names::tos_value(t)
        .or_else(|| num(v).and_then(|n| u8::try_from(n).ok()))
        .unwrap_or(0)
}

fn probability(s: &str) -> Option<u32> {
    let (n, pct) = match s.strip_suffix('%') {
        Some(n) => (n, true),
        None => (s, false),
    };
    let mut p: f64 = n.parse().ok()?;
    if pct {
        p *= 0.01;
    }
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    let v = (p * f64::from(u32::MAX) + 0.5).floor() as u32;
    Some(v.max(1))
}

fn prob_text(p: u32) -> String {
    let v = f64::from(p) * 100.0 / (f64::from(u32::MAX) + 1.0);
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// A `source-hash` key as pfctl prints it: a hex key as given, a text key
/// as its MD5 digest (parse.y hashes text keys with MD5).
fn source_hash_key(k: &str) -> String {
    if let Some(h) = k.strip_prefix("0x") {
        format!("0x{:0>32}", h.to_ascii_lowercase())
    } else {
        use md5::{Digest, Md5};
        let digest = Md5::digest(k.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("0x{hex}")
    }
}

/// User or group name to id (only the names every OpenBSD system has).
fn sc_spec(prefix: &str, sc: &ServiceCurve) -> String {
    let mut s = bw_spec(prefix, text(&sc.bandwidth));
    if let Some((b, t)) = &sc.burst {
        s.push_str(&bw_spec(" burst ", text(b)));
        let ms = text(t).trim_end_matches("ms");
        s.push_str(&format!(" for {ms}ms"));
    }
    s
}

/// pfctl's `print_bwspec` applied to a bandwidth as written.
fn bw_spec(prefix: &str, w: &str) -> String {
    if let Some(p) = w.strip_suffix('%') {
        return format!("{prefix}{p}%");
    }
    let (n, mult) = match w
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
    {
        Some((i, _)) => {
            let mult: f64 = match &w[i..] {
                "K" | "Kb" => 1e3,
                "M" | "Mb" => 1e6,
                "G" | "Gb" => 1e9,
                _ => 1.0,
            };
            (&w[..i], mult)
        }
        None => (w, 1.0),
    };
    let mut rate = (n.parse::<f64>().unwrap_or(0.0) * mult) as u64;
    let units = [' ', 'K', 'M', 'G'];
    let mut i = 0;
    while rate >= 1000 && i <= 3 && rate % 1000 == 0 {
        rate /= 1000;
        i += 1;
    }
    let u = units.get(i).copied().unwrap_or('G');
    if u == ' ' {
        format!("{prefix}{rate}")
    } else {
        format!("{prefix}{rate}{u}")
    }
}

/// pfctl's `expand_label`: `$if`, `$srcaddr`, `$dstaddr`, `$srcport`,
/// `$dstport`, `$proto` and `$nr` inside a label or tag.
pub fn expand_label(
    label: &str,
    ifname: Option<&str>,
    af: Option<Af>,
    from: &Side,
    to: &Side,
    proto: Option<u8>,
    nr: usize,
) -> String {
    if !label.contains('$') {
        return label.to_string();
    }
    let addr = |s: &Side| -> String {
        let a = if s.addr.is_zero() || af.is_none() && matches!(s.addr, Addr::Net { .. }) {
            "any".to_string()
        } else {
            s.addr.render(af)
        };
        if s.not {
            format!("! {a}")
        } else {
            a
        }
    };
    let port = |s: &Side| s.port.as_ref().map(PortOp::label).unwrap_or_default();
    let proto_s = match proto {
        None => "ip".to_string(),
        Some(p) => names::protocol_name(p)
            .map(str::to_string)
            .unwrap_or_else(|| p.to_string()),
    };
    let subs: [(&str, String); 7] = [
        ("$if", ifname.unwrap_or("any").to_string()),
        ("$srcaddr", addr(from)),
        ("$dstaddr", addr(to)),
        ("$srcport", port(from)),
        ("$dstport", port(to)),
        ("$proto", proto_s),
        ("$nr", nr.to_string()),
    ];
    let mut s = label.to_string();
    for (name, val) in subs {
        s = s.replace(name, &val);
    }
    s
}

/// `set syncookies` as pfctl.c 1.397 `pfctl_set_syncookies` prints it:
/// adaptive with watermarks as `(start HI%, end LO%)`, where a missing
/// start is PF_SYNCOOKIES_HIWATPCT (25) and a missing end half the start.
fn syncookies_line(mode: &str, opts: &[(SValue, SValue)]) -> String {
    let pct = |name: &str| {
        opts.iter()
            .find(|(k, _)| text(k) == name)
            .and_then(|(_, v)| text(v).trim_end_matches('%').parse::<f64>().ok())
            .map(|v| v as u32)
    };
    if mode != "adaptive" || opts.is_empty() {
        return format!("set syncookies {mode}");
    }
    let hi = pct("start").unwrap_or(25);
    let lo = pct("end").unwrap_or(hi / 2);
    format!("set syncookies adaptive (start {hi}%, end {lo}%)")
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

    #[test]
    fn bandwidth_units() {
        assert_eq!(bw_spec(" bandwidth ", "1M"), " bandwidth 1M");
        assert_eq!(bw_spec(" bandwidth ", "1500K"), " bandwidth 1500K");
        assert_eq!(bw_spec(" bandwidth ", "50%"), " bandwidth 50%");
    }

    #[test]
    fn probability_text() {
        assert_eq!(probability("50%").map(prob_text), Some("50".to_string()));
    }
}
