//! What expansion returns: [`Expanded`] (parse-time lines, the rules,
//! loaded anchors no rule calls, notes), each [`ExpandedRule`] with its
//! typed values ([`Af`], [`Addr`], [`Side`], [`PortOp`]); their text as
//! `pfctl -nv` prints it (`Display`, [`ExpandedRule::head`],
//! [`Expanded::rules_text`]), their JSON form (`Serialize`) and pfctl's
//! label macros ([`expand_label`]).
//!
//! Invariant: the text is pfctl's byte for byte where we know it; the
//! JSON holds the same rules as data, in the same order.

use crate::ast::*;
use crate::names;
use crate::span::Span;
use serde::Serialize;
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
    pub(super) fn bits(self) -> u8 {
        match self {
            Af::Inet => 32,
            Af::Inet6 => 128,
        }
    }

    pub(super) fn of(ip: &IpAddr) -> Af {
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
    pub(super) fn render(&self, af: Option<Af>) -> String {
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
pub(super) fn ip_text(ip: &IpAddr) -> String {
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

pub(super) fn mask_ip(ip: IpAddr, bits: u8) -> IpAddr {
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
    pub(super) fn render(&self, a1: &str) -> String {
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
