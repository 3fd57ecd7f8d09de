//! pfctl's semantic checks on a resolved ruleset.
//!
//! These are the errors pfctl reports after a statement parsed: values out
//! of range, options given twice, options that do not fit the rule's
//! protocol, family, direction or action, bad addresses and ports, and the
//! checks over the whole ruleset (queues, tables, anchors). Messages keep
//! pfctl's wording so that operators recognise them; the span points at
//! the offending part and a help line says what to do instead.
//!
//! Service, protocol and ICMP names resolve through [`crate::names`]
//! (OpenBSD's tables, not the host's). Interface, user and host names are
//! accepted without resolution: we run where they do not exist.

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::names;
use crate::resolve::Resolved;
use crate::span::{SourceMap, Span};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

/// PF_TABLE_NAME_SIZE - 1
pub const MAX_TABLE_NAME: usize = 31;
/// PF_TAG_NAME_SIZE - 1
pub const MAX_TAG: usize = 63;
/// PF_RULE_LABEL_SIZE - 1
pub const MAX_LABEL: usize = 63;
/// PF_QNAME_SIZE - 1
pub const MAX_QNAME: usize = 63;
/// IFNAMSIZ - 1
pub const MAX_IFNAME: usize = 15;

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
/// a service name.
pub fn port_value(word: &str) -> Result<u16, String> {
    // pfctl's atoul() takes decimal, 0x hex and 0 octal.
    if let Some(n) = atoul(word) {
        return match n {
            0..=65535 => Ok(n as u16),
            _ => Err(format!("illegal port value {word}")),
        };
    }
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("illegal port value {word}"));
    }
    names::service_port(word).ok_or_else(|| format!("unknown port {word}"))
}

/// Parses a number as pfctl's lexer would (decimal, optional minus).
fn number(v: &SValue) -> Option<i64> {
    v.node.text().parse::<i64>().ok()
}

fn atoul(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// Timeout names (`set timeout`, state options), in pfctl's print order.
const TIMEOUTS: &[&str] = crate::expand::TIMEOUT_ORDER;

const LIMITS: &[&str] = &[
    "states",
    "frags",
    "src-nodes",
    "tables",
    "table-entries",
    "pktdelay-pkts",
    "anchors",
];

struct Checker {
    diags: Vec<Diagnostic>,
    queues: HashSet<String>,
    state_defaults_seen: bool,
    block_policy_return: bool,
}

/// Runs every check over a resolved ruleset.
pub fn check(resolved: &Resolved, map: &SourceMap) -> Vec<Diagnostic> {
    let mut c = Checker {
        diags: Vec::new(),
        queues: HashSet::new(),
        state_defaults_seen: false,
        block_policy_return: false,
    };
    carriage_returns(map, &mut c.diags);
    let mut tables = HashMap::new();
    c.ruleset(&resolved.ruleset, &mut tables);
    c.queue_tree(&resolved.ruleset);
    for a in &resolved.loaded_anchors {
        let mut t = HashMap::new();
        c.ruleset(&a.ruleset, &mut t);
    }
    // A finding inside an expanded macro points at the `$ref`; show the
    // definition too.
    if !resolved.macro_uses.is_empty() {
        for d in &mut c.diags {
            if let Some(u) = resolved.macro_use_at(d.span) {
                if let Some(def) = u.definition {
                    let label = format!("`${}` is defined as \"{}\"", u.name, u.value);
                    d.labels.push(crate::diag::Label {
                        span: def,
                        message: label,
                    });
                }
            }
        }
    }
    c.diags
}

/// pfctl's lexer skips only spaces and tabs between words: a carriage
/// return (a file saved with CRLF line ends) is a character of its own,
/// which no rule accepts. pfconf's splitter reads past it, so this is
/// where the file is rejected: once per file, at the first one.
fn carriage_returns(map: &SourceMap, diags: &mut Vec<Diagnostic>) {
    for (f, id) in map.files().iter().zip(0u32..) {
        if let Some(at) = f.text.find('\r') {
            let line = f.line_col(at).0;
            let what = if f.text[at..].starts_with("\r\n") {
                " (the file has CRLF line ends)"
            } else {
                ""
            };
            diags.push(
                Diagnostic::error(
                    "carriage-return",
                    Span::new(crate::span::FileId(id), at, at + 1),
                    format!("carriage return on line {line}{what}: pfctl reads it as a character and rejects the file"),
                )
                .with_help("save the file with Unix line ends (LF only): `pfconf fmt FILE` rewrites them, or use `dos2unix`"),
            );
        }
    }
}

impl Checker {
    fn err(&mut self, code: &'static str, span: Span, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, span, msg));
        let n = self.diags.len() - 1;
        &mut self.diags[n]
    }

    fn help(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(code, span, msg).with_help(help));
    }

    fn ruleset(&mut self, rs: &Ruleset, tables: &mut HashMap<String, Span>) {
        let mut inline_anchors: HashMap<String, Span> = HashMap::new();
        for s in &rs.statements {
            match &s.kind {
                StatementKind::Option(o) => self.option(o, s.span),
                StatementKind::Rule(r) => self.filter_rule(r, s.span, false),
                StatementKind::Anchor(a) => {
                    self.anchor(a, s.span, &mut inline_anchors);
                    if let Some(body) = &a.body {
                        let mut t = HashMap::new();
                        self.ruleset(body, &mut t);
                    }
                }
                StatementKind::Table(t) => self.table(t, tables),
                StatementKind::Queue(q) => self.queue(q, s.span),
                StatementKind::Antispoof(a) => self.antispoof(a),
                StatementKind::Limiter(l) => self.limiter(l, s.span),
                StatementKind::LoadAnchor(l) if l.name.node.text().is_empty() => {
                    self.err("anchor-name", l.name.span, "anchor name is missing");
                }
                _ => {}
            }
        }
    }

    // ------------------------------------------------------------ options

    fn option(&mut self, o: &SetOption, span: Span) {
        match o {
            SetOption::Reassemble { value, .. } => {
                let t = value.node.text();
                if t != "yes" && t != "no" {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("invalid value '{t}', expected 'yes' or 'no'"),
                        "write `set reassemble yes` or `set reassemble no`",
                    );
                }
            }
            SetOption::Optimization { value } => {
                let t = value.node.text();
                if !matches!(
                    t,
                    "default"
                        | "normal"
                        | "high-latency"
                        | "satellite"
                        | "aggressive"
                        | "conservative"
                ) {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("unknown optimization {t}"),
                        "one of default, normal, high-latency, satellite, aggressive, conservative",
                    );
                }
            }
            SetOption::RulesetOptimization { value } => {
                let t = value.node.text();
                if !matches!(t, "none" | "basic" | "profile") {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("unknown ruleset-optimization {t}"),
                        "one of none, basic, profile",
                    );
                }
            }
            SetOption::Timeout { values } => {
                for (k, v) in values {
                    let name = k.node.text();
                    if !TIMEOUTS.contains(&name) {
                        let mut d = Diagnostic::error(
                            "bad-value",
                            k.span,
                            format!("unknown timeout {name}"),
                        );
                        if let Some(best) = closest(name, TIMEOUTS) {
                            d = d.with_help(format!("did you mean `{best}`?"));
                        }
                        self.diags.push(d);
                    }
                    self.unsigned(v, "only positive values permitted");
                }
            }
            SetOption::Limit { values } => {
                for (k, v) in values {
                    let name = k.node.text();
                    if !LIMITS.contains(&name) {
                        let n = v.node.text();
                        self.help(
                            "bad-value",
                            k.span,
                            format!("unable to set limit {name} {n}"),
                            "limits are states, frags, src-nodes, tables, table-entries",
                        );
                    }
                    self.unsigned(v, "only positive values permitted");
                }
            }
            SetOption::HostId { value } => {
                let n = atoul(value.node.text());
                match n {
                    Some(0) => {
                        self.help(
                            "bad-value",
                            value.span,
                            "hostid must be non-zero",
                            "use a number from 1 to 4294967295",
                        );
                    }
                    Some(n) if n > u64::from(u32::MAX) => {
                        self.err("bad-value", value.span, "hostid must be non-zero");
                    }
                    Some(_) => {}
                    None => {
                        self.err(
                            "bad-value",
                            value.span,
                            format!("{} is not a number", value.node.text()),
                        );
                    }
                }
            }
            SetOption::Debug { value } => {
                // pfctl_parser.c 1.352 string_to_loglevel: a quoted number
                // 0-7, or a syslog priority name in any case (the
                // deprecated `error`, `warn` and `panic` too, not `none`);
                // a bare number lexes as NUMBER, which `set debug` does
                // not take (parse.y 1.719).
                let t = value.node.text();
                let legacy = match t {
                    "none" => Some("emerg"),
                    "urgent" => Some("err"),
                    "misc" => Some("notice"),
                    "loud" => Some("debug"),
                    _ => None,
                };
                if let (Some(modern), false) = (legacy, value.node.is_macro()) {
                    // The levels of old pf (FreeBSD, macOS) before pfctl
                    // took syslog priorities.
                    self.help(
                        "legacy",
                        value.span,
                        format!("`set debug {t}` is an old pf level: OpenBSD's pfctl takes syslog priority names (unknown debug level \"{t}\")"),
                        format!("write `set debug {modern}`"),
                    );
                } else if !value.node.is_macro() && debug_level(t).is_none() {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("unknown debug level \"{t}\": error setting debuglevel {t}"),
                        "one of emerg, alert, crit, err, warning, notice, info, debug (any case), or a quoted number 0-7",
                    );
                }
            }
            SetOption::Skip { interfaces } => {
                for i in interfaces {
                    if i.node.not {
                        self.err(
                            "bad-value",
                            i.span,
                            "skip on ! <interface> is not supported",
                        );
                    } else if matches!(i.node.target, IfTarget::Rdomain(_)) {
                        self.err(
                            "bad-value",
                            i.span,
                            "skip on rdomain <num> is not supported",
                        );
                    }
                    self.if_target(&i.node.target);
                }
            }
            SetOption::StateDefaults { opts } => {
                if self.state_defaults_seen {
                    self.help(
                        "redefined",
                        span,
                        "cannot redefine state-defaults",
                        "merge the options into one `set state-defaults` line",
                    );
                }
                self.state_defaults_seen = true;
                self.state_opts(opts, None, true);
            }
            SetOption::Syncookies { mode, opts } => {
                if !matches!(mode.node.text(), "never" | "adaptive" | "always") {
                    self.help(
                        "bad-value",
                        mode.span,
                        "illegal value for syncookies",
                        "one of never, always, adaptive",
                    );
                }
                for (k, v) in opts {
                    let t = v.node.text();
                    let pct = t.strip_suffix('%').and_then(|x| x.parse::<f64>().ok());
                    match pct {
                        Some(p) if p > 0.0 && p <= 100.0 => {}
                        Some(_) => {
                            self.err("bad-value", v.span, "illegal percentage value");
                        }
                        None => {
                            self.err("syntax", v.span, "syntax error");
                        }
                    }
                    if !matches!(k.node.text(), "start" | "end") {
                        self.err("bad-value", k.span, "illegal syncookie option");
                    }
                }
            }
            SetOption::BlockPolicy { value } => {
                self.block_policy_return = *value == BlockPolicy::Return;
            }
            SetOption::LogInterface { value } => {
                if value.node.text().len() > MAX_IFNAME {
                    self.err(
                        "bad-value",
                        value.span,
                        format!("error setting loginterface {}", value.node.text()),
                    );
                }
            }
            SetOption::Fingerprints { .. } | SetOption::StatePolicy { .. } => {}
        }
    }

    fn unsigned(&mut self, v: &SValue, msg: &str) -> Option<u64> {
        match number(v) {
            Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => Some(n as u64),
            Some(_) => {
                self.err("bad-value", v.span, msg.to_string());
                None
            }
            None => {
                self.err(
                    "bad-value",
                    v.span,
                    format!("{} is not a number", v.node.text()),
                );
                None
            }
        }
    }

    fn ranged(&mut self, v: &SValue, lo: i64, hi: i64, msg: impl Into<String>) -> Option<i64> {
        match number(v) {
            Some(n) if n >= lo && n <= hi => Some(n),
            _ => {
                self.err("bad-value", v.span, msg);
                None
            }
        }
    }

    fn if_target(&mut self, t: &IfTarget) {
        match t {
            IfTarget::Name(n) if n.node.text().len() > MAX_IFNAME => {
                self.err("bad-value", n.span, "interface name too long");
            }
            IfTarget::Rdomain(v) => {
                self.ranged(
                    v,
                    0,
                    255,
                    format!("rdomain {} outside range", v.node.text()),
                );
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------ hosts

    /// A word in address position that is neither an address nor a
    /// known keyword: pfctl tries an interface or group of that name, then
    /// DNS (pfctl_parser.c 1.352 `host`). A word no DNS name and no
    /// interface group can be (a placeholder such as `YOU_IP_ADDRESS`)
    /// makes it fail with `no IP address found`; a dotted host name is
    /// resolved when the ruleset loads, which the note says.
    fn host_name(&mut self, name: &str, span: Span) {
        let dns_chars = name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        let group_like = name.len() < 16
            && !name.bytes().any(|b| b.is_ascii_uppercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !dns_chars && !group_like {
            self.diags.push(
                Diagnostic::error(
                    "bad-address",
                    span,
                    format!("no IP address found for {name}: could not parse host specification"),
                )
                .with_help(
                    "it is neither an address, an interface, a group nor a host name: replace the placeholder with an address, a `<table>` or a `$macro`",
                ),
            );
        } else if dns_chars && name.contains('.') && !name.ends_with('.') {
            self.diags.push(Diagnostic {
                severity: crate::diag::Severity::Info,
                ..Diagnostic::error(
                    "host-name",
                    span,
                    format!("{name} is resolved through DNS when pfctl loads the ruleset; the rule holds the addresses it gets then"),
                )
                .with_help("pf does not follow later DNS changes: reload the ruleset, or use a table that a script refreshes")
            });
        }
    }

    /// Checks one host; returns its family (None: unknown or any).
    fn host(&mut self, h: &Spanned<Host>, families: &mut Vec<Option<Family>>) {
        match &h.node.kind {
            HostKind::Address { addr, mask } => {
                let word = addr.node.text();
                match parse_addr_word(word, mask.is_some()) {
                    Ok(a) => {
                        let fam = a.family();
                        if let Some(m) = mask {
                            match number(m) {
                                Some(bits) if !(0..=128).contains(&bits) => {
                                    self.help(
                                        "bad-address",
                                        h.span,
                                        "could not parse host specification",
                                        format!("netmask is too large: /{bits}"),
                                    );
                                    return;
                                }
                                Some(bits) if bits > 32 && fam == Some(Family::V4) => {
                                    self.help(
                                        "bad-address",
                                        m.span,
                                        format!("netmask {bits} invalid for IPv4 address"),
                                        "an IPv4 prefix is at most /32",
                                    );
                                    return;
                                }
                                _ => {}
                            }
                        }
                        if let AddrWord::Name { name, modifiers } = &a {
                            if modifiers.is_empty() {
                                self.host_name(name, addr.span);
                            }
                            if modifiers.len() > 1
                                && modifiers.iter().filter(|m| *m != "0").count() > 1
                            {
                                self.err(
                                    "bad-address",
                                    addr.span,
                                    "illegal combination of interface modifiers",
                                );
                            }
                        }
                        families.push(fam);
                    }
                    Err(msg) => {
                        self.help(
                            "bad-address",
                            addr.span,
                            "could not parse host specification",
                            msg,
                        );
                    }
                }
            }
            HostKind::Range { from, to } => {
                let a = parse_addr_word(from.node.text(), false);
                let b = parse_addr_word(to.node.text(), false);
                match (a, b) {
                    (Ok(a), Ok(b)) if a.family().is_some() && a.family() == b.family() => {
                        families.push(a.family())
                    }
                    (Ok(_), Ok(_)) => {
                        self.err("bad-address", h.span, "invalid address range");
                    }
                    _ => {
                        self.err("bad-address", h.span, "could not parse host specification");
                    }
                }
            }
            HostKind::Dynamic { ifname, mask } => {
                let w = ifname.node.text();
                if !w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.help(
                        "bad-address",
                        ifname.span,
                        format!("invalid interface name '{w}'"),
                        "parentheses take an interface name, e.g. `(em0)`",
                    );
                    return;
                }
                let mut parts = w.split(':');
                let _ = parts.next();
                let mods: Vec<&str> = parts.collect();
                for m in &mods {
                    if !matches!(*m, "network" | "broadcast" | "peer" | "0") {
                        self.help(
                            "bad-address",
                            ifname.span,
                            format!("interface {w} has bad modifier"),
                            "modifiers are :network, :broadcast, :peer and :0",
                        );
                        return;
                    }
                }
                if mods.iter().filter(|m| **m != "0").count() > 1 {
                    self.err(
                        "bad-address",
                        ifname.span,
                        "illegal combination of interface modifiers",
                    );
                }
                if let Some(m) = mask {
                    if !matches!(number(m), Some(0..=128)) {
                        self.err("bad-address", m.span, "bit number too big");
                    }
                }
                families.push(None);
            }
            HostKind::Table { name } => {
                if name.node.text().len() > MAX_TABLE_NAME {
                    self.err(
                        "bad-value",
                        name.span,
                        format!("table name '{}' too long", name.node.text()),
                    );
                }
                families.push(None);
            }
            HostKind::Route { label } => {
                if label.node.text().len() > 31 {
                    self.err(
                        "bad-value",
                        label.span,
                        "route label too long, max 31 chars",
                    );
                }
                families.push(None);
            }
            HostKind::List(v) => {
                for x in v {
                    self.host(x, families);
                }
            }
            HostKind::Any | HostKind::NoRoute | HostKind::UrpfFailed => families.push(None),
        }
    }

    fn ports(&mut self, items: &[Spanned<PortItem>]) -> bool {
        let mut ok = true;
        for p in items {
            ok &= match &p.node {
                PortItem::Eq { value } => self.port_range(value, false),
                PortItem::Unary { value, .. } => {
                    if value.node.text().contains(':') {
                        self.err(
                            "bad-port",
                            p.span,
                            "':' cannot be used with an other port operator",
                        );
                        false
                    } else {
                        self.port_word(value)
                    }
                }
                PortItem::Binary { low, op, high } => {
                    if low.node.text().contains(':') || high.node.text().contains(':') {
                        self.err(
                            "bad-port",
                            p.span,
                            "':' cannot be used with an other port operator",
                        );
                        false
                    } else {
                        let a = self.port_word_value(low);
                        let b = self.port_word_value(high);
                        if let (Some(a), Some(b)) = (a, b) {
                            if (op == "><" && a >= b) || (op == "<>" && a > b) {
                                self.help(
                                    "bad-port",
                                    p.span,
                                    "invalid port range",
                                    "the first port must be lower than the second",
                                );
                                return false;
                            }
                            true
                        } else {
                            false
                        }
                    }
                }
            };
        }
        ok
    }

    fn port_word_value(&mut self, v: &SValue) -> Option<u16> {
        match port_value(v.node.text()) {
            Ok(n) => Some(n),
            Err(msg) => {
                let mut d = Diagnostic::error("bad-port", v.span, msg);
                if !v.node.text().bytes().all(|b| b.is_ascii_digit()) {
                    d = d.with_help(
                        "use a port number or a service name from OpenBSD's /etc/services",
                    );
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn port_word(&mut self, v: &SValue) -> bool {
        self.port_word_value(v).is_some()
    }

    /// `p`, `p:q` (and `p:*` when `star`); only `rdr` ranges must ascend.
    fn port_range(&mut self, v: &SValue, star: bool) -> bool {
        self.port_range_ordered(v, star, None)
    }

    fn port_range_ordered(&mut self, v: &SValue, star: bool, order: Option<&str>) -> bool {
        let t = v.node.text();
        match t.split_once(':') {
            None => self.port_word(v),
            Some((a, "*")) if star => {
                self.port_word(&Spanned::new(Value::Word(a.to_string()), v.span))
            }
            Some((a, b)) => {
                let x = self.port_word_value(&Spanned::new(Value::Word(a.to_string()), v.span));
                let y = self.port_word_value(&Spanned::new(Value::Word(b.to_string()), v.span));
                match (x, y) {
                    (Some(x), Some(y)) if x > y && order != Some("") => {
                        let msg = order.map_or("invalid port range".to_string(), |o| {
                            format!("invalid {o} port range")
                        });
                        self.help("bad-port", v.span, msg, "write the lower port first");
                        false
                    }
                    (Some(_), Some(_)) => true,
                    _ => false,
                }
            }
        }
    }

    fn protocols(&mut self, protos: &[SValue]) -> Vec<Option<u8>> {
        protos
            .iter()
            .map(|p| {
                let t = p.node.text();
                if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                    match t.parse::<i64>() {
                        Ok(0) => {
                            self.err("bad-proto", p.span, "proto 0 cannot be used");
                            None
                        }
                        Ok(n @ 1..=255) => Some(n as u8),
                        _ => {
                            self.err("bad-proto", p.span, "protocol outside range");
                            None
                        }
                    }
                } else {
                    match names::protocol_number(t) {
                        Some(0) => {
                            self.err("bad-proto", p.span, "proto 0 cannot be used");
                            None
                        }
                        Some(n) => Some(n),
                        None => {
                            self.help("bad-proto", p.span, format!("unknown protocol {t}"),
                                "use a name from OpenBSD's /etc/protocols (tcp, udp, icmp, icmp6, carp, pfsync...) or a number");
                            None
                        }
                    }
                }
            })
            .collect()
    }

    // ------------------------------------------------------------ rules

    fn filter_rule(&mut self, r: &FilterRule, span: Span, is_anchor: bool) {
        let before = self.diags.len();
        let is_pass = r.action.node == Action::Pass;
        let is_match = r.action.node == Action::Match;
        let is_block = matches!(r.action.node, Action::Block { .. });

        // Block spec.
        let mut return_rst = false;
        if let Action::Block { policy: Some(p) } = &r.action.node {
            match &**p {
                BlockSpec::ReturnRst { ttl } => {
                    return_rst = true;
                    if let Some(t) = ttl {
                        let n = t.node.text().to_string();
                        self.ranged(t, 0, 255, format!("illegal ttl value {n}"));
                    }
                }
                BlockSpec::ReturnIcmp { code, code6 } => {
                    if let Some(c) = code {
                        self.icmp_return_code(c, false);
                    }
                    if let Some(c) = code6 {
                        self.icmp_return_code(c, true);
                    }
                }
                BlockSpec::ReturnIcmp6 { code: Some(c) } => self.icmp_return_code(c, true),
                _ => {}
            }
        }

        if let Some(l) = &r.log {
            self.log_to(l);
        }
        for i in &r.interfaces {
            self.if_target(&i.node.target);
        }
        let protos = self.protocols(&r.protos);
        let known_protos: Vec<u8> = protos.iter().flatten().copied().collect();
        let rule_af = r.af.as_ref().map(|a| match a.node {
            AddressFamily::Inet => Family::V4,
            AddressFamily::Inet6 => Family::V6,
        });

        // Hosts and ports.
        let mut src_f = Vec::new();
        let mut dst_f = Vec::new();
        let mut port_spans = Vec::new();
        if let Some(from) = &r.hosts.from {
            for h in &from.hosts {
                self.host(h, &mut src_f);
            }
            if !from.ports.is_empty() {
                self.ports(&from.ports);
                port_spans.push(from.ports_span.unwrap_or(from.ports[0].span));
            }
        }
        if let Some(to) = &r.hosts.to {
            for h in &to.hosts {
                if matches!(h.node.kind, HostKind::UrpfFailed) {
                    self.err(
                        "bad-address",
                        h.span,
                        "\"urpf-failed\" is not permitted in a destination address",
                    );
                }
                self.host(h, &mut dst_f);
            }
            if !to.ports.is_empty() {
                self.ports(&to.ports);
                port_spans.push(to.ports_span.unwrap_or(to.ports[0].span));
            }
        }
        // decide_address_family: all hosts of one family give the rule that family.
        let decide = |fams: &[Option<Family>]| -> Option<Family> {
            let first = *fams.first()?;
            if fams.iter().all(|f| *f == first) {
                first
            } else {
                None
            }
        };
        let mut af = rule_af
            .or_else(|| decide(&src_f))
            .or_else(|| decide(&dst_f));

        // Options.
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut flags: Option<Span> = None;
        let mut icmp: Option<(bool, Span, &Vec<Spanned<IcmpItem>>)> = None;
        let mut state: Option<(StateKind, Span, &Vec<Spanned<StateOpt>>)> = None;
        let mut fragment = false;
        let mut allow_opts = None;
        let mut route: Option<(RouteKind, Span, &Redirect)> = None;
        let mut nat: Option<(Span, &Redirect, bool)> = None;
        let mut rdr: Option<(Span, &Redirect)> = None;
        let mut afto: Option<(Span, AddressFamily, &Redirect, Option<&Redirect>)> = None;
        let mut divert: Option<(Span, &FilterOpt)> = None;
        let mut once = None;
        let mut scrub_nodf_randomid = None;
        let mut users = None;
        let mut groups = None;
        for o in &r.options {
            let name = opt_name(&o.node);
            if let Some(msg) = redefinition_message(name) {
                if seen.contains_key(name) {
                    self.err("redefined", o.span, msg);
                }
                seen.insert(name, o.span);
            }
            match &o.node {
                FilterOpt::User { items } => {
                    users = Some(o.span);
                    self.uids(items, "user");
                }
                FilterOpt::Group { items } => {
                    groups = Some(o.span);
                    self.uids(items, "group");
                }
                FilterOpt::Flags { set, mask } => {
                    flags = Some(o.span);
                    let a = set.as_ref().map(|v| self.flag_bits(v)).unwrap_or(Some(0));
                    let b = mask.as_ref().map(|v| self.flag_bits(v)).unwrap_or(Some(0));
                    if let (Some(a), Some(b)) = (a, b) {
                        if a & b != a {
                            self.help("flags-always-false", o.span, "flags always false",
                                "every flag that must be set has to be in the mask: e.g. `flags S/SA`");
                        }
                    }
                }
                FilterOpt::IcmpType { v6, items } => {
                    icmp = Some((*v6, o.span, items));
                    self.icmp_items(items, *v6);
                }
                FilterOpt::Prio { value } => {
                    self.ranged(value, 0, 7, "prio must be 0 - 7");
                }
                FilterOpt::Tos { value } | FilterOpt::SetTos { value } => self.tos(value),
                FilterOpt::State { kind, opts } => {
                    state = Some((*kind, o.span, opts));
                }
                FilterOpt::Fragment => fragment = true,
                FilterOpt::AllowOpts => allow_opts = Some(o.span),
                FilterOpt::Label { value } => {
                    if value.node.text().len() > MAX_LABEL {
                        self.err(
                            "too-long",
                            value.span,
                            format!("rule label too long (max {MAX_LABEL} chars)"),
                        );
                    }
                }
                FilterOpt::Queue {
                    name, prio_name, ..
                } => {
                    for q in std::iter::once(name).chain(prio_name.iter()) {
                        if !self.queues.contains(q.node.text()) {
                            let msg = format!("queue {} is not defined", q.node.text());
                            self.help(
                                "undefined-queue",
                                q.span,
                                msg,
                                "define the queue with `queue NAME ...` before this rule",
                            );
                        }
                    }
                }
                FilterOpt::Tag { value } | FilterOpt::Tagged { value, .. } => {
                    let t = join(value);
                    if t.len() > MAX_TAG {
                        let sp = value.first().map(|v| v.span).unwrap_or(o.span);
                        self.err("too-long", sp, format!("tag too long, max {MAX_TAG} chars"));
                    }
                }
                FilterOpt::Probability { value } => {
                    let t = value.node.text();
                    let p = match t.strip_suffix('%') {
                        Some(x) => x.parse::<f64>().ok().map(|v| v / 100.0),
                        None => t.parse::<f64>().ok(),
                    };
                    match p {
                        Some(p) if (0.0..=1.0).contains(&p) => {}
                        Some(p) => {
                            self.err(
                                "bad-value",
                                value.span,
                                format!("invalid probability: {}%", p * 100.0),
                            );
                        }
                        None => {
                            self.err("bad-value", value.span, format!("invalid probability: {t}"));
                        }
                    }
                }
                FilterOpt::Rtable { value } => {
                    self.ranged(value, 0, 255, "invalid rtable id");
                }
                FilterOpt::DivertTo { host, port } => {
                    if divert.is_some() {
                        self.err("redefined", o.span, "more than one divert option");
                    }
                    divert = Some((o.span, &o.node));
                    if parse_addr_word(host.node.text(), false).is_err() {
                        self.err(
                            "bad-address",
                            host.span,
                            format!("could not parse divert address: {}", host.node.text()),
                        );
                    }
                    if let Some(0) = self.port_word_value(port) {
                        self.err("bad-port", port.span, "invalid divert port: 0");
                    }
                }
                FilterOpt::DivertReply => {
                    if divert.is_some() {
                        self.err("redefined", o.span, "more than one divert option");
                    }
                    divert = Some((o.span, &o.node));
                }
                FilterOpt::DivertPacket { port } => {
                    if divert.is_some() {
                        self.err("redefined", o.span, "more than one divert option");
                    }
                    divert = Some((o.span, &o.node));
                    if let Some(0) = self.port_word_value(port) {
                        self.err("bad-port", port.span, "invalid divert port: 0");
                    }
                }
                FilterOpt::Scrub { opts } => {
                    if let Some(sp) = self.scrub(opts) {
                        scrub_nodf_randomid = Some(sp);
                    }
                }
                FilterOpt::NatTo(red) | FilterOpt::BinatTo(red) => {
                    if nat.is_some() || afto.is_some() {
                        self.err("redefined", o.span, "cannot respecify nat-to/binat-to");
                    }
                    nat = Some((o.span, red, matches!(o.node, FilterOpt::BinatTo(_))));
                    self.redirect(red, true, Some(""));
                }
                FilterOpt::RdrTo(red) => {
                    if rdr.is_some() {
                        self.err("redefined", o.span, "cannot respecify rdr-to");
                    }
                    rdr = Some((o.span, red));
                    self.redirect(red, true, Some("rdr-to"));
                }
                FilterOpt::AfTo {
                    af: target,
                    from,
                    to,
                } => {
                    if nat.is_some() || afto.is_some() {
                        self.err("redefined", o.span, "cannot respecify af-to");
                    }
                    afto = Some((o.span, *target, from, to.as_ref()));
                    self.redirect(from, true, Some(""));
                    if let Some(t) = to {
                        self.redirect(t, true, Some(""));
                    }
                }
                FilterOpt::Route { kind, target } => {
                    if route.is_some() {
                        self.err(
                            "redefined",
                            o.span,
                            "cannot respecify route-to/reply-to/dup-to",
                        );
                    }
                    route = Some((*kind, o.span, target));
                    self.redirect(target, false, None);
                }
                FilterOpt::ReceivedOn { interface, .. } => self.if_target(interface),
                FilterOpt::Once => once = Some(o.span),
                FilterOpt::MaxPktRate { limit, seconds } => {
                    self.unsigned(limit, "only positive values permitted");
                    self.unsigned(seconds, "only positive values permitted");
                }
                FilterOpt::SetPrio { prio, prio2 } => {
                    self.ranged(prio, 0, 7, "prio must be 0 - 7");
                    if let Some(p) = prio2 {
                        self.ranged(p, 0, 7, "prio must be 0 - 7");
                    }
                }
                FilterOpt::SetDelay { value } => {
                    let n = value.node.text().to_string();
                    self.ranged(
                        value,
                        0,
                        0xffff,
                        format!("illegal delay value {n} (0-65535)"),
                    );
                }
                FilterOpt::Limiter { .. } => {}
            }
        }

        if let Some(sp) = once {
            if !(is_pass || is_block) || is_anchor {
                self.err("bad-option", sp, "'once' only applies to pass/block rules");
            }
        }
        // af-to
        if let Some((sp, target, from, to)) = afto {
            if r.direction != Some(Direction::In) {
                self.help(
                    "af-to-direction",
                    sp,
                    "af-to can only be used with direction in",
                    "write `pass in ... af-to ...`",
                );
            }
            if route.is_some() {
                self.err(
                    "af-to-route",
                    sp,
                    "af-to cannot be used together with route-to, reply-to, dup-to",
                );
            }
            let tf = if target == AddressFamily::Inet {
                Family::V4
            } else {
                Family::V6
            };
            if let Some(t) = to {
                let fams: Vec<Option<Family>> = from
                    .hosts
                    .iter()
                    .chain(t.hosts.iter())
                    .map(|h| host_family(&h.host.node))
                    .collect();
                if fams.iter().any(|f| f.is_some() && *f != Some(tf)) {
                    self.err(
                        "af-to-family",
                        sp,
                        "af-to addresses must be in the target address family",
                    );
                }
            }
            if af == Some(tf) {
                self.err(
                    "af-to-family",
                    sp,
                    "must indicate different address family with af-to",
                );
            }
            if af.is_none() {
                af = Some(if tf == Family::V4 {
                    Family::V6
                } else {
                    Family::V4
                });
            }
            if is_match {
                self.err("bad-option", sp, "af-to is not supported on match rules");
            }
        }

        // Flags and os need tcp among the protocols.
        if (flags.is_some() || !r.hosts.os.is_empty())
            && !protos.is_empty()
            && !known_protos.contains(&6)
        {
            if let Some(sp) = flags {
                self.help(
                    "flags-without-tcp",
                    sp,
                    "flags only apply to tcp",
                    "add `proto tcp` or remove the flags",
                );
            }
            if !r.hosts.os.is_empty() {
                self.err(
                    "os-without-tcp",
                    r.hosts.os[0].span,
                    "OS fingerprinting only apply to tcp",
                );
            }
        }

        // Per-protocol checks (rule_consistent for each expanded proto).
        let proto_list: Vec<Option<u8>> = if protos.is_empty() {
            vec![Some(0)]
        } else {
            protos.clone()
        };
        let mut reported: HashSet<&'static str> = HashSet::new();
        for p in proto_list.iter().flatten() {
            let p = *p;
            if !port_spans.is_empty() && p != 6 && p != 17 && reported.insert("port") {
                self.help(
                    "port-without-tcp-udp",
                    port_spans[0],
                    "port only applies to tcp/udp",
                    "add `proto tcp` or `proto udp` (or `proto { tcp udp }`) to the rule",
                );
            }
            if let Some(sp) = users {
                if p != 6 && p != 17 && reported.insert("user") {
                    self.help(
                        "user-without-tcp-udp",
                        sp,
                        "user only applies to tcp/udp",
                        "add `proto tcp` or `proto udp`",
                    );
                }
            }
            if let Some(sp) = groups {
                if p != 6 && p != 17 && reported.insert("group") {
                    self.help(
                        "user-without-tcp-udp",
                        sp,
                        "group only applies to tcp/udp",
                        "add `proto tcp` or `proto udp`",
                    );
                }
            }
            if let Some((v6, sp, items)) = icmp {
                let want = if v6 { 58 } else { 1 };
                if p != 1 && p != 58 {
                    if reported.insert("icmp") {
                        self.help(
                            "icmp-type-without-icmp",
                            sp,
                            "icmp-type/code only applies to icmp",
                            if v6 {
                                "add `proto icmp6`"
                            } else {
                                "add `proto icmp`"
                            },
                        );
                    }
                } else if p != want && reported.insert("icmp-mismatch") {
                    self.help(
                        "icmp-type-mismatch",
                        sp,
                        "icmp-type mismatch",
                        if v6 {
                            "icmp6-type goes with `proto icmp6`"
                        } else {
                            "icmp-type goes with `proto icmp`"
                        },
                    );
                }
                let _ = items;
                if af.is_none() && p == want && reported.insert("icmp-af") {
                    // pfctl infers the family from an icmp/icmp6 protocol.
                }
            }
            if ((p == 1 && af == Some(Family::V6)) || (p == 58 && af == Some(Family::V4)))
                && reported.insert("proto-af")
            {
                {
                    let (pn, an) = if p == 1 {
                        ("icmp", "inet6")
                    } else {
                        ("icmp6", "inet")
                    };
                    let sp = r
                        .protos
                        .iter()
                        .find(|x| {
                            names::protocol_number(x.node.text()) == Some(p)
                                || x.node.text() == p.to_string()
                        })
                        .map(|x| x.span)
                        .unwrap_or(span);
                    self.help(
                        "proto-af-mismatch",
                        sp,
                        format!("proto {pn} doesn't match address family {an}"),
                        if p == 1 {
                            "use `proto icmp6` for IPv6"
                        } else {
                            "use `proto icmp` for IPv4"
                        },
                    );
                }
            }
            if return_rst && p != 6 && reported.insert("rst") {
                self.help("return-rst-without-tcp", r.action.span, "return-rst can only be applied to TCP rules",
                    "add `proto tcp`, or use `return` which answers TCP with RST and others with ICMP");
            }
        }
        if fragment && (!port_spans.is_empty() || flags.is_some() || icmp.is_some()) {
            self.err(
                "fragment",
                span,
                "fragments can be filtered only on IP header fields",
            );
        }
        if let Some(sp) = allow_opts {
            if !is_pass {
                self.err(
                    "bad-option",
                    sp,
                    "allow-opts can only be specified for pass rules",
                );
            }
        }

        // State.
        let keep_state = match state {
            Some((StateKind::No, _, _)) => false,
            Some(_) => true,
            None => is_pass,
        };
        if let Some((kind, sp, opts)) = state {
            if is_anchor && kind != StateKind::No {
                self.err("bad-option", sp, "cannot specify state handling on anchors");
            } else if !is_pass && kind != StateKind::No {
                self.help(
                    "state-on-non-pass",
                    sp,
                    "keep state is great, but only for pass rules",
                    "remove the state option from block and match rules",
                );
            }
            self.state_opts(opts, Some(kind), false);
        }
        if let Some((_, sp, _)) = route {
            if is_anchor {
                self.err("bad-option", sp, "cannot specify route handling on anchors");
            }
        }

        // Routing.
        if let Some((kind, sp, target)) = route {
            if kind != RouteKind::DupTo && r.direction.is_none() {
                self.help(
                    "route-direction",
                    sp,
                    "direction must be explicit with rules that specify routing",
                    "add `in` or `out`",
                );
            }
            if !keep_state && !is_anchor {
                self.err(
                    "route-without-state",
                    sp,
                    "route-to, reply-to and dup-to require keep state",
                );
            }
            if is_block {
                self.err(
                    "bad-option",
                    sp,
                    "route-to, reply-to and dup-to are not supported on block rules",
                );
            }
            if is_match {
                self.err(
                    "bad-option",
                    sp,
                    "route-to, reply-to and dup-to are not supported on match rules",
                );
            }
            self.af_mismatch(target, af, sp, "routing");
            for h in &target.hosts {
                if let HostKind::Dynamic { ifname, .. } = &h.host.node.kind {
                    if !ifname.node.text().ends_with(":peer") {
                        self.err(
                            "route-dynamic",
                            h.host.span,
                            "route spec requires :peer with dynamic interface addresses",
                        );
                    }
                }
            }
        }
        // Translation.
        if let Some((sp, red, binat)) = nat {
            if !is_match && !keep_state {
                self.err(
                    "nat-without-state",
                    sp,
                    "nat-to and rdr-to require keep state",
                );
            }
            if r.direction.is_none() && !binat {
                self.help(
                    "nat-direction",
                    sp,
                    "nat-to and rdr-to require a direction",
                    "nat-to goes on `out` rules",
                );
            }
            if binat && r.direction.is_some() {
                self.err(
                    "binat-direction",
                    sp,
                    "binat-to cannot be specified with a direction",
                );
            }
            if r.direction == Some(Direction::In) && !binat {
                self.help(
                    "nat-direction",
                    sp,
                    "nat-to can only be used outbound",
                    "use `out` (nat-to rewrites the source of outgoing packets)",
                );
            }
            self.af_mismatch(red, af, sp, "translation");
            if binat {
                self.binat(r, red, sp);
            }
            self.pool(red, sp, false);
        }
        if let Some((sp, red)) = rdr {
            if !is_match && !keep_state {
                self.err(
                    "nat-without-state",
                    sp,
                    "nat-to and rdr-to require keep state",
                );
            }
            if r.direction.is_none() {
                self.help(
                    "rdr-direction",
                    sp,
                    "nat-to and rdr-to require a direction",
                    "rdr-to goes on `in` rules",
                );
            } else if r.direction == Some(Direction::Out) {
                self.help(
                    "rdr-direction",
                    sp,
                    "rdr-to can only be used inbound",
                    "use `in` (rdr-to rewrites the destination of incoming packets)",
                );
            }
            self.af_mismatch(red, af, sp, "translation");
            self.pool(red, sp, true);
        }
        // Divert.
        if let Some((sp, d)) = divert {
            match d {
                FilterOpt::DivertTo { host, .. } => {
                    if r.direction == Some(Direction::Out) {
                        self.err("divert-direction", sp, "divert-to used with outgoing rule");
                    } else if let (Some(raf), Ok(a)) =
                        (af, parse_addr_word(host.node.text(), false))
                    {
                        if a.family().is_some()
                            && a.family() != Some(raf)
                            && host.node.text() != "localhost"
                        {
                            self.err("divert-af", sp, "divert-to address family mismatch");
                        }
                    }
                }
                FilterOpt::DivertReply if r.direction == Some(Direction::In) => {
                    self.err(
                        "divert-direction",
                        sp,
                        "divert-reply used with incoming rule",
                    );
                }
                _ => {}
            }
            if is_match {
                self.err("bad-option", sp, "divert is not supported on match rules");
            }
        }
        if let Some(sp) = scrub_nodf_randomid {
            if af == Some(Family::V6) {
                self.err(
                    "scrub-inet6",
                    sp,
                    "address family inet6 does not support scrub options no-df, random-id",
                );
            }
        }

        // Families: a rule whose fixed family excludes every source or every
        // destination expands to nothing.
        if self.diags.len() == before {
            let fits = |fams: &[Option<Family>]| {
                fams.is_empty() || fams.iter().any(|f| f.is_none() || af.is_none() || *f == af)
            };
            let cross = src_f
                .iter()
                .any(|s| dst_f.iter().any(|d| s.is_none() || d.is_none() || s == d))
                || src_f.is_empty()
                || dst_f.is_empty();
            if !fits(&src_f) || !fits(&dst_f) || !cross {
                self.help(
                    "no-valid-combination",
                    span,
                    "rule expands to no valid combination",
                    "the addresses do not fit the rule's address family (inet/inet6)",
                );
            }
        }
    }

    fn af_mismatch(&mut self, red: &Redirect, af: Option<Family>, sp: Span, what: &str) {
        let fams: Vec<Option<Family>> = red
            .hosts
            .iter()
            .map(|h| host_family(&h.host.node))
            .collect();
        if let Some(af) = af {
            if !fams.is_empty() && fams.iter().all(|f| f.is_some() && *f != Some(af)) {
                self.help(
                    "af-mismatch",
                    sp,
                    format!("af mismatch in {what} spec"),
                    "the target address must be of the rule's address family",
                );
            }
        } else {
            let known: HashSet<Family> = fams.iter().flatten().copied().collect();
            if known.len() > 1 {
                self.help(
                    "af-mismatch",
                    sp,
                    format!("{what} spec contains addresses with different address families"),
                    "add `inet` or `inet6` to the rule",
                );
            }
        }
    }

    fn binat(&mut self, r: &FilterRule, red: &Redirect, sp: Span) {
        let src = r
            .hosts
            .from
            .as_ref()
            .map(|f| f.hosts.as_slice())
            .unwrap_or(&[]);
        for h in src {
            match &h.node.kind {
                HostKind::Table { name } => {
                    self.err(
                        "binat",
                        sp,
                        format!(
                            "invalid use of table <{}> as the source address of a binat-to rule",
                            name.node.text()
                        ),
                    );
                }
                HostKind::Dynamic { ifname, .. } if !ifname.node.text().ends_with(":0") => {
                    self.err("binat", sp, format!("invalid use of interface ({}) as the source address of a binat-to rule", ifname.node.text()));
                }
                HostKind::Address { .. } | HostKind::Dynamic { .. } if !h.node.not => {}
                _ => {
                    self.err(
                        "binat",
                        sp,
                        "binat-to requires a specified source and redirect address",
                    );
                }
            }
        }
        if src.is_empty() {
            self.err(
                "binat",
                sp,
                "binat-to requires a specified source and redirect address",
            );
        }
        for t in &red.hosts {
            match &t.host.node.kind {
                HostKind::Table { .. } => {
                    self.err(
                        "binat",
                        sp,
                        "tables cannot be used as the redirect address of a binat-to rule",
                    );
                }
                HostKind::Dynamic { ifname, .. } if !ifname.node.text().ends_with(":0") => {
                    self.err(
                        "binat",
                        sp,
                        "dynamic interfaces must be used with :0 in a binat-to rule",
                    );
                }
                HostKind::Address { .. } | HostKind::Dynamic { .. } => {}
                _ => {
                    self.err(
                        "binat",
                        sp,
                        "binat-to requires a specified source and redirect address",
                    );
                }
            }
        }
    }

    fn pool(&mut self, red: &Redirect, sp: Span, is_rdr: bool) {
        let ptype = red
            .pool
            .opts
            .iter()
            .find(|o| !matches!(o.node, PoolOpt::StaticPort | PoolOpt::StickyAddress));
        let dyn_type = |o: &PoolOpt| {
            matches!(
                o,
                PoolOpt::RoundRobin
                    | PoolOpt::LeastStates
                    | PoolOpt::Random
                    | PoolOpt::SourceHash { .. }
            )
        };
        let multi = red.hosts.len() > 1;
        if multi {
            if let Some(t) = ptype {
                if !dyn_type(&t.node) {
                    self.err(
                        "pool",
                        t.span,
                        "pool type is not valid for multiple translation or routing addresses",
                    );
                }
            }
        }
        let has_table = red
            .hosts
            .iter()
            .any(|h| matches!(h.host.node.kind, HostKind::Table { .. }));
        if has_table {
            if let Some(t) = ptype {
                if !dyn_type(&t.node) {
                    self.err("pool", t.span, "tables are not supported by pool type");
                }
            }
        }
        if red
            .pool
            .opts
            .iter()
            .any(|o| matches!(o.node, PoolOpt::StaticPort))
        {
            if is_rdr {
                self.err(
                    "pool",
                    sp,
                    "the 'static-port' option is only valid with nat rules",
                );
            } else if red.port.is_some() {
                self.err(
                    "pool",
                    sp,
                    "the 'static-port' option can't be used when specifying a port range",
                );
            }
        }
        for o in &red.pool.opts {
            if let PoolOpt::SourceHash { key } = &o.node {
                let k = join(key);
                if let Some(h) = k.strip_prefix("0x") {
                    if h.len() != 32 {
                        self.err(
                            "pool",
                            o.span,
                            "hex key must be 128 bits (32 hex digits) long",
                        );
                    } else if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                        self.err("pool", o.span, "invalid hex key");
                    }
                }
            }
        }
        let mut kinds = HashSet::new();
        for o in &red.pool.opts {
            let k = std::mem::discriminant(&o.node);
            let is_type = !matches!(o.node, PoolOpt::StaticPort | PoolOpt::StickyAddress);
            if is_type && kinds.iter().any(|(t, _)| *t) {
                self.err("redefined", o.span, "pool type cannot be redefined");
            } else if kinds.contains(&(is_type, k)) {
                let msg = if matches!(o.node, PoolOpt::StaticPort) {
                    "static-port cannot be redefined"
                } else {
                    "sticky-address cannot be redefined"
                };
                self.err("redefined", o.span, msg);
            }
            kinds.insert((is_type, k));
        }
    }

    /// `order`: None for filter ports; Some("rdr-to") validates the range
    /// order; Some("") skips it (nat-to, as pfctl does).
    fn redirect(&mut self, red: &Redirect, star: bool, order: Option<&str>) {
        let mut fams = Vec::new();
        for h in &red.hosts {
            self.host(&h.host, &mut fams);
            if let Some(w) = &h.weight {
                self.ranged(w, 1, 65535, "weight out of range");
            }
            if red.hosts.len() > 1
                && !matches!(h.host.node.kind, HostKind::Address { .. })
                && red.hosts.len() > 1
            {
                if matches!(
                    h.host.node.kind,
                    HostKind::Table { .. } | HostKind::Dynamic { .. }
                ) {
                    // Allowed once; "multiple tables or dynamic interfaces" below.
                } else {
                    self.err(
                        "pool",
                        h.host.span,
                        "only addresses can be listed for redirection pools ",
                    );
                }
            }
        }
        let dynamic = red
            .hosts
            .iter()
            .filter(|h| {
                matches!(
                    h.host.node.kind,
                    HostKind::Table { .. } | HostKind::Dynamic { .. }
                )
            })
            .count();
        if dynamic > 1 || (dynamic == 1 && red.hosts.len() > 1) {
            if let Some(h) = red.hosts.get(1) {
                self.err("pool", h.host.span, "multiple tables or dynamic interfaces not supported for translation or routing");
            }
        }
        if let Some(p) = &red.port {
            self.port_range_ordered(p, star, order);
        }
    }

    fn uids(&mut self, items: &[Spanned<PortItem>], what: &str) {
        for it in items {
            let vals: Vec<(&SValue, Option<&str>)> = match &it.node {
                PortItem::Eq { value } => vec![(value, None)],
                PortItem::Unary { op, value } => vec![(value, Some(op.as_str()))],
                PortItem::Binary { low, high, .. } => vec![(low, Some("<>")), (high, Some("<>"))],
            };
            for (v, op) in vals {
                let t = v.node.text();
                if t == "unknown" {
                    if let Some(op) = op {
                        if op != "=" && op != "!=" {
                            self.err(
                                "bad-value",
                                it.span,
                                format!("{what} unknown requires operator = or !="),
                            );
                        }
                    }
                } else if let Ok(n) = t.parse::<i64>() {
                    if !(0..i64::from(u32::MAX)).contains(&n) {
                        let msg = if what == "user" {
                            format!("illegal uid value {n}")
                        } else {
                            format!("illegal gid value {n}")
                        };
                        self.err("bad-value", v.span, msg);
                    }
                }
            }
        }
    }

    fn flag_bits(&mut self, v: &SValue) -> Option<u8> {
        let mut bits = 0u8;
        for c in v.node.text().chars() {
            bits |= match tcp_flag(c) {
                Some(b) => b,
                None => {
                    self.help(
                        "bad-flags",
                        v.span,
                        format!("bad flags {}", v.node.text()),
                        "flags are F S R P A U E W",
                    );
                    return None;
                }
            };
        }
        Some(bits)
    }

    fn icmp_items(&mut self, items: &[Spanned<IcmpItem>], v6: bool) {
        let kind = if v6 { "icmp6-type" } else { "icmp-type" };
        for it in items {
            let t = it.node.icmp_type.node.text();
            let ty = if let Ok(n) = t.parse::<i64>() {
                if !(0..=255).contains(&n) {
                    self.err(
                        "bad-icmp",
                        it.node.icmp_type.span,
                        format!("illegal {kind} {n}"),
                    );
                    continue;
                }
                n as u8
            } else {
                match names::icmp_type(t, v6) {
                    Some(n) => n,
                    None => {
                        self.help("bad-icmp", it.node.icmp_type.span, format!("unknown {kind} {t}"),
                            if v6 { "e.g. echoreq, echorep, unreach, toobig, timex, neighbrsol, neighbradv, routersol, routeradv" } else { "e.g. echoreq, echorep, unreach, timex, paramprob" });
                        continue;
                    }
                }
            };
            if let Some(c) = &it.node.code {
                let ct = c.node.text();
                if let Ok(n) = ct.parse::<i64>() {
                    if !(0..=255).contains(&n) {
                        self.err("bad-icmp", c.span, format!("illegal icmp-code {n}"));
                    }
                } else if names::icmp_code(ty, ct, v6).is_none() {
                    let k = if v6 { "icmp6-code" } else { "icmp-code" };
                    self.err("bad-icmp", c.span, format!("unknown {k} {ct}"));
                }
            }
        }
    }

    fn icmp_return_code(&mut self, c: &SValue, v6: bool) {
        let t = c.node.text();
        if let Ok(n) = t.parse::<i64>() {
            if !(0..=255).contains(&n) {
                self.err("bad-icmp", c.span, format!("invalid icmp code {n}"));
            }
        } else {
            let ty = if v6 { 1 } else { 3 };
            if names::icmp_code(ty, t, v6).is_none() {
                self.err("bad-icmp", c.span, format!("unknown icmp code {t}"));
            }
        }
    }

    fn tos(&mut self, v: &SValue) {
        let t = v.node.text();
        let ok = if let Ok(n) = t.parse::<i64>() {
            (0..=255).contains(&n)
        } else if names::tos_value(t).is_some() {
            true
        } else if let Some(h) = t.strip_prefix("0x") {
            matches!(u32::from_str_radix(h, 16), Ok(0..=255))
        } else {
            false
        };
        if !ok {
            self.help("bad-value", v.span, format!("illegal tos value {t}"),
                "use 0-255, 0x00-0xff, lowdelay, throughput, reliability, or a DSCP name (ef, af11..af43, cs0..cs7)");
        }
    }

    fn log_to(&mut self, l: &LogOpts) {
        if let Some(to) = &l.to {
            let t = to.node.text();
            match t.strip_prefix("pflog") {
                None => {
                    self.err(
                        "bad-value",
                        to.span,
                        format!("{t}: should be a pflog interface"),
                    );
                }
                Some(n) if !matches!(n.parse::<u32>(), Ok(0..=255)) => {
                    self.err("bad-value", to.span, format!("{t}: invalid"));
                }
                _ => {}
            }
        }
    }

    fn scrub(&mut self, opts: &[Spanned<ScrubOpt>]) -> Option<Span> {
        let mut seen = HashSet::new();
        let mut nodf_randomid = None;
        for o in opts {
            let (key, msg) = match &o.node {
                ScrubOpt::NoDf => {
                    nodf_randomid = Some(o.span);
                    ("no-df", "no-df cannot be respecified")
                }
                ScrubOpt::MinTtl { value } => {
                    let n = value.node.text().to_string();
                    if seen.contains("min-ttl") {
                        self.err("redefined", o.span, "min-ttl cannot be respecified");
                        continue;
                    }
                    self.ranged(value, 0, 255, format!("illegal min-ttl value {n}"));
                    ("min-ttl", "min-ttl cannot be respecified")
                }
                ScrubOpt::MaxMss { value } => {
                    let n = value.node.text().to_string();
                    if seen.contains("max-mss") {
                        self.err("redefined", o.span, "max-mss cannot be respecified");
                        continue;
                    }
                    self.ranged(value, 0, 65535, format!("illegal max-mss value {n}"));
                    ("max-mss", "max-mss cannot be respecified")
                }
                ScrubOpt::Reassemble { value } => {
                    if !value.node.text().eq_ignore_ascii_case("tcp") {
                        self.err(
                            "bad-value",
                            value.span,
                            format!(
                                "scrub reassemble supports only tcp, not '{}'",
                                value.node.text()
                            ),
                        );
                    }
                    ("reassemble", "reassemble tcp cannot be respecified")
                }
                ScrubOpt::RandomId => {
                    nodf_randomid = Some(o.span);
                    ("random-id", "random-id cannot be respecified")
                }
            };
            if !seen.insert(key) {
                self.err("redefined", o.span, msg);
            }
        }
        nodf_randomid
    }

    fn state_opts(&mut self, opts: &[Spanned<StateOpt>], kind: Option<StateKind>, defaults: bool) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut global = false;
        let mut max_src_nodes = None;
        let mut max_src_conn = None;
        let mut max_src_conn_rate = None;
        let mut overload = None;
        for o in opts {
            let key = match &o.node {
                StateOpt::Timeout { name, .. } => name.node.text().to_string(),
                other => opt_key(other).to_string(),
            };
            let msg = match &o.node {
                StateOpt::Max { .. } => "state option 'max' multiple definitions".to_string(),
                StateOpt::NoSync => "state option 'sync' multiple definitions".to_string(),
                StateOpt::SourceTrack { .. } => {
                    "state option 'source-track' multiple definitions".to_string()
                }
                StateOpt::IfBound | StateOpt::Floating => {
                    "state locking option: multiple definitions".to_string()
                }
                StateOpt::Sloppy => "state sloppy option: multiple definitions".to_string(),
                StateOpt::Pflow => "state pflow option: multiple definitions".to_string(),
                StateOpt::Overload { .. } => "multiple 'overload' table definitions".to_string(),
                StateOpt::Timeout { name, .. } => {
                    format!("state timeout {} multiple definitions", name.node.text())
                }
                other => format!("state option '{}' multiple definitions", opt_key(other)),
            };
            let lock_key = if matches!(o.node, StateOpt::IfBound | StateOpt::Floating) {
                "statelock".to_string()
            } else {
                key
            };
            if seen.contains_key(&lock_key) && !defaults {
                self.err("redefined", o.span, msg);
            }
            seen.insert(lock_key, o.span);
            match &o.node {
                StateOpt::Max { value } => {
                    self.unsigned(value, "only positive values permitted");
                }
                StateOpt::MaxSrcStates { value } => {
                    let n = self.unsigned(value, "only positive values permitted");
                    if n == Some(0) {
                        self.err("bad-value", value.span, "'max-src-states' must be > 0");
                    }
                }
                StateOpt::MaxSrcConn { value } => {
                    max_src_conn = Some(o.span);
                    if self.unsigned(value, "only positive values permitted") == Some(0) {
                        self.err("bad-value", value.span, "'max-src-conn' must be > 0");
                    }
                }
                StateOpt::MaxSrcNodes { value } => {
                    max_src_nodes = Some(o.span);
                    if self.unsigned(value, "only positive values permitted") == Some(0) {
                        self.err("bad-value", value.span, "'max-src-nodes' must be > 0");
                    }
                }
                StateOpt::MaxSrcConnRate { limit, seconds } => {
                    max_src_conn_rate = Some(o.span);
                    let a = self.unsigned(limit, "only positive values permitted");
                    let b = self.unsigned(seconds, "only positive values permitted");
                    if a == Some(0) || b == Some(0) {
                        self.err(
                            "bad-value",
                            o.span,
                            "'max-src-conn-rate' values must be > 0",
                        );
                    }
                }
                StateOpt::Overload { table, .. } => {
                    overload = Some(o.span);
                    if table.node.text().len() > MAX_TABLE_NAME {
                        self.err(
                            "bad-value",
                            table.span,
                            format!("table name '{}' too long", table.node.text()),
                        );
                    }
                }
                StateOpt::SourceTrack { scope } => {
                    global = *scope == Some(SourceTrackScope::Global)
                }
                StateOpt::Timeout { name, value } => {
                    let n = name.node.text();
                    if !TIMEOUTS.contains(&n) {
                        let mut d = Diagnostic::error(
                            "bad-value",
                            name.span,
                            format!("illegal timeout name {n}"),
                        );
                        if let Some(best) = closest(n, TIMEOUTS) {
                            d = d.with_help(format!("did you mean `{best}`?"));
                        }
                        self.diags.push(d);
                    } else if !n.contains('.') {
                        self.err("bad-value", name.span, format!("illegal state timeout {n}"));
                    }
                    self.unsigned(value, "only positive values permitted");
                }
                _ => {}
            }
        }
        if global {
            if let Some(sp) = max_src_nodes {
                self.err(
                    "source-track",
                    sp,
                    "'max-src-nodes' is incompatible with 'source-track global'",
                );
            }
            if let Some(sp) = max_src_conn {
                self.err(
                    "source-track",
                    sp,
                    "'max-src-conn' is incompatible with 'source-track global'",
                );
            }
            if let Some(sp) = max_src_conn_rate {
                self.err(
                    "source-track",
                    sp,
                    "'max-src-conn-rate' is incompatible with 'source-track global'",
                );
            }
        }
        if let Some(sp) = overload {
            if max_src_conn.is_none() && max_src_conn_rate.is_none() {
                self.help(
                    "overload",
                    sp,
                    "'overload' requires 'max-src-conn' or 'max-src-conn-rate'",
                    "add `max-src-conn N` or `max-src-conn-rate N/S`",
                );
            }
        }
        if let Some(k) = kind {
            if matches!(k, StateKind::Modulate | StateKind::Synproxy) && seen.contains_key("sloppy")
            {
                self.err(
                    "sloppy",
                    opts[0].span,
                    "sloppy state matching cannot be used with synproxy state or modulate state",
                );
            }
        }
    }

    // ------------------------------------------------------------ others

    fn anchor(&mut self, a: &AnchorRule, span: Span, inline: &mut HashMap<String, Span>) {
        if let Some(n) = &a.name {
            let t = n.node.text();
            if t.is_empty() {
                self.err("anchor-name", n.span, "anchor name must not be empty");
            } else if t.starts_with('_') || t.contains("/_") {
                self.err(
                    "anchor-name",
                    n.span,
                    "anchor names beginning with '_' are reserved for internal use",
                );
            } else if a.body.is_some() && t.contains('/') {
                self.err(
                    "anchor-name",
                    n.span,
                    "anchor paths containing '/' cannot be used for inline anchors.",
                );
            } else if a.body.is_some() {
                if let Some(prev) = inline.get(t) {
                    let prev = *prev;
                    self.diags.push(
                        Diagnostic::error(
                            "anchor-name",
                            n.span,
                            format!("inline anchor '{t}' already exists"),
                        )
                        .with_label(prev, "first defined here"),
                    );
                }
                inline.insert(t.to_string(), n.span);
            }
        } else if a.body.is_none() {
            self.help(
                "anchor-name",
                span,
                "anchors without explicit rules must specify a name",
                "name the anchor: `anchor \"name\"`",
            );
        }
        self.filter_rule(&a.filter, span, true);
    }

    fn table(&mut self, t: &TableDef, tables: &mut HashMap<String, Span>) {
        let name = t.name.node.text();
        if name.len() > MAX_TABLE_NAME {
            self.err(
                "too-long",
                t.name.span,
                format!("table name too long, max {MAX_TABLE_NAME} chars"),
            );
        }
        if let Some(prev) = tables.get(name) {
            let prev = *prev;
            self.diags.push(
                Diagnostic::error(
                    "redefined",
                    t.name.span,
                    format!("table <{name}> is defined twice"),
                )
                .with_label(prev, "first defined here")
                .with_help("merge the two definitions"),
            );
        } else {
            tables.insert(name.to_string(), t.name.span);
        }
        for o in &t.opts {
            match &o.node {
                TableOpt::Flag(f) => {
                    let w = f.node.text();
                    if !matches!(w, "const" | "persist" | "counters") {
                        self.help("bad-value", f.span, format!("invalid table option '{w}'"), "table options are persist, const, counters, timeout (n), file \"path\" and { addresses }");
                    }
                }
                TableOpt::Timeout(v) => {
                    self.unsigned(v, "only positive values permitted");
                }
                TableOpt::File(_) => {}
                TableOpt::Addresses(entries) => {
                    for e in entries {
                        self.table_entry(&e.host);
                        if let Some(w) = &e.weight {
                            self.ranged(w, 1, 65535, "weight out of range");
                        }
                    }
                }
            }
        }
    }

    fn table_entry(&mut self, h: &Spanned<Host>) {
        match &h.node.kind {
            HostKind::Range { .. } => {
                self.err(
                    "table-entry",
                    h.span,
                    "address ranges are not permitted inside tables",
                );
            }
            HostKind::Dynamic { .. } => {
                self.err(
                    "table-entry",
                    h.span,
                    "dynamic addresses are not permitted inside tables",
                );
            }
            HostKind::Table { .. } => {
                self.err("table-entry", h.span, "tables cannot contain tables");
            }
            HostKind::NoRoute => {
                self.err(
                    "table-entry",
                    h.span,
                    "\"no-route\" is not permitted inside tables",
                );
            }
            HostKind::UrpfFailed => {
                self.err(
                    "table-entry",
                    h.span,
                    "\"urpf-failed\" is not permitted inside tables",
                );
            }
            HostKind::Route { .. } | HostKind::Any => {
                self.err("table-entry", h.span, "could not parse host specification");
            }
            HostKind::List(v) => {
                for x in v {
                    self.table_entry(x);
                }
            }
            HostKind::Address { .. } => {
                let mut f = Vec::new();
                self.host(h, &mut f);
            }
        }
    }

    fn queue(&mut self, q: &QueueDef, span: Span) {
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut parent = None;
        let mut bw = false;
        let mut flows = false;
        for o in &q.opts {
            let (key, msg) = match &o.node {
                QueueOpt::Bandwidth { share, min, max } => {
                    bw = true;
                    for sc in std::iter::once(share).chain(min.iter()).chain(max.iter()) {
                        self.bandwidth(&sc.bandwidth);
                        if let Some((b, t)) = &sc.burst {
                            self.bandwidth(b);
                            let tt = t.node.text();
                            if !(tt.ends_with("ms")
                                && tt[..tt.len() - 2].bytes().all(|c| c.is_ascii_digit())
                                && tt.len() > 2)
                            {
                                self.err("bad-value", t.span, "time in scspec must be in ms");
                            }
                        }
                    }
                    ("bandwidth", "bandwidth cannot be respecified")
                }
                QueueOpt::Parent { value } => {
                    parent = Some(value);
                    ("parent", "parent cannot be respecified")
                }
                QueueOpt::Default => ("default", "default cannot be respecified"),
                QueueOpt::Qlimit { value } => {
                    self.ranged(value, 0, 65535, "qlimit out of range: max 65535");
                    ("qlimit", "qlimit cannot be respecified")
                }
                QueueOpt::Flows { value } => {
                    flows = true;
                    self.ranged(value, 1, 32767, "number of flows out of range: max 32767");
                    ("flows", "number of flows cannot be respecified")
                }
                QueueOpt::Quantum { value } => {
                    self.ranged(value, 1, 65535, "quantum out of range: max 65535");
                    ("quantum", "quantum cannot be respecified")
                }
            };
            if seen.insert(key, o.span).is_some() {
                self.err("redefined", o.span, msg);
            }
        }
        if q.interfaces.is_empty() && parent.is_none() {
            self.help(
                "queue",
                span,
                "root queue without interface",
                "add `on IF` to the root queue, or `parent NAME` to a child queue",
            );
        }
        if !bw && !flows {
            self.help(
                "queue",
                span,
                "no bandwidth or flow specification",
                "add `bandwidth N` (or `flows N`)",
            );
        }
        if let Some(p) = parent {
            if !self.queues.contains(p.node.text()) {
                // pfctl finds the parent when building the tree.
                let msg = format!(
                    "parent {} of queue {} is not defined",
                    p.node.text(),
                    q.name.node.text()
                );
                self.help(
                    "undefined-queue",
                    p.span,
                    msg,
                    "define the parent queue before its children",
                );
            }
        }
        if q.name.node.text().len() > MAX_QNAME {
            self.err("too-long", q.name.span, "queuename too long");
        }
        self.queues.insert(q.name.node.text().to_string());
    }

    fn bandwidth(&mut self, v: &SValue) {
        let t = v.node.text();
        let digits_end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(digits_end);
        if num.is_empty() || num.parse::<f64>().is_err() {
            self.err("bad-value", v.span, format!("unknown unit \"{t}\""));
            return;
        }
        let unit = unit
            .trim_end_matches("bit")
            .trim_end_matches("Bit")
            .trim_end_matches('b')
            .trim_end_matches('B');
        match unit {
            "" | "K" | "M" | "G" => {}
            "%" => {
                self.err("bad-value", v.span, "no bandwidth in % yet");
            }
            u => {
                self.help(
                    "bad-value",
                    v.span,
                    format!("unknown unit \"{u}\""),
                    "bandwidth units are K, M and G (bits per second)",
                );
            }
        }
    }

    /// Checks over all queues: default queue, leaves (pfctl_check_queues).
    fn queue_tree(&mut self, rs: &Ruleset) {
        let mut queues: Vec<(&QueueDef, Span)> = Vec::new();
        for s in &rs.statements {
            if let StatementKind::Queue(q) = &s.kind {
                queues.push((q, s.span));
            }
        }
        if queues.is_empty() {
            return;
        }
        let parent_of = |q: &QueueDef| {
            q.opts.iter().find_map(|o| match &o.node {
                QueueOpt::Parent { value } => Some(value.node.text().to_string()),
                _ => None,
            })
        };
        let has = |q: &QueueDef, f: fn(&QueueOpt) -> bool| q.opts.iter().any(|o| f(&o.node));
        let children: HashSet<String> = queues.iter().filter_map(|(q, _)| parent_of(q)).collect();
        let mut any_default = false;
        let mut first_error: Option<(Span, String)> = None;
        for (q, span) in &queues {
            let name = q.name.node.text();
            let is_leaf = !children.contains(name);
            let flows = has(q, |o| matches!(o, QueueOpt::Flows { .. }));
            let bw = has(q, |o| matches!(o, QueueOpt::Bandwidth { .. }));
            let default = has(q, |o| matches!(o, QueueOpt::Default));
            if default {
                any_default = true;
                if !is_leaf && first_error.is_none() {
                    first_error =
                        Some((*span, format!("default queue {name} is not a leaf queue")));
                }
            }
            if flows && !is_leaf && first_error.is_none() {
                first_error = Some((*span, format!("flow queue {name} is not a leaf queue")));
            }
            if flows && !bw && parent_of(q).is_some() && first_error.is_none() {
                first_error = Some((*span, format!("queue {name}: no bandwidth was specified")));
            }
        }
        if let Some((sp, msg)) = first_error {
            self.err("queue", sp, msg);
        } else if !any_default && queues.iter().any(|(q, _)| parent_of(q).is_some()) {
            let sp = queues[0].1;
            self.help(
                "queue",
                sp,
                "no default queue specified",
                "mark one leaf queue with `default`",
            );
        }
    }

    fn antispoof(&mut self, a: &Antispoof) {
        if let Some(l) = &a.label {
            if l.node.text().len() > MAX_LABEL {
                self.err(
                    "too-long",
                    l.span,
                    format!("rule label too long (max {MAX_LABEL} chars)"),
                );
            }
        }
        if let Some(r) = &a.rtable {
            self.ranged(r, 0, 255, "invalid rtable id");
        }
        for i in &a.interfaces {
            self.if_target(&i.node.target);
        }
        if let Some(l) = &a.log {
            self.log_to(l);
        }
    }

    fn limiter(&mut self, l: &LimiterDef, span: Span) {
        let mut id = false;
        let mut limit = false;
        let mut entries = false;
        for o in &l.opts {
            match &o.node {
                LimiterOpt::Id { value } => {
                    id = true;
                    self.ranged(value, 1, 255, "limiter id must be between 1 and 255");
                }
                LimiterOpt::Limit { value } => {
                    limit = true;
                    self.unsigned(value, "only positive values permitted");
                }
                LimiterOpt::Entries { value } => {
                    entries = true;
                    self.unsigned(value, "only positive values permitted");
                }
                LimiterOpt::Rate { limit, seconds } => {
                    self.unsigned(limit, "only positive values permitted");
                    self.unsigned(seconds, "only positive values permitted");
                }
                LimiterOpt::Mask { af, value } => {
                    let max = if *af == AddressFamily::Inet { 32 } else { 128 };
                    self.ranged(value, 0, max, format!("mask must be 0 - {max}"));
                }
                LimiterOpt::Table { above, below, .. } => {
                    self.unsigned(above, "only positive values permitted");
                    if let Some(b) = below {
                        self.unsigned(b, "only positive values permitted");
                    }
                }
            }
        }
        let what = if l.kind == LimiterKind::State {
            "state"
        } else {
            "source"
        };
        if !id {
            self.help(
                "limiter",
                span,
                format!("{what} limiter {} requires an id", l.name.node.text()),
                "add `id N` (1-255)",
            );
        }
        if !limit {
            self.help(
                "limiter",
                span,
                format!("{what} limiter {} requires a limit", l.name.node.text()),
                "add `limit N`",
            );
        }
        if l.kind == LimiterKind::Source && !entries {
            self.help(
                "limiter",
                span,
                format!("source limiter {} requires entries", l.name.node.text()),
                "add `entries N`",
            );
        }
    }
}

fn host_family(h: &Host) -> Option<Family> {
    match &h.kind {
        HostKind::Address { addr, mask } => parse_addr_word(addr.node.text(), mask.is_some())
            .ok()
            .and_then(|a| a.family()),
        HostKind::Range { from, .. } => parse_addr_word(from.node.text(), false)
            .ok()
            .and_then(|a| a.family()),
        _ => None,
    }
}

fn join(v: &[SValue]) -> String {
    v.iter()
        .map(|x| x.node.text())
        .collect::<Vec<_>>()
        .join(" ")
}

fn opt_name(o: &FilterOpt) -> &'static str {
    match o {
        FilterOpt::Flags { .. } => "flags",
        FilterOpt::IcmpType { .. } => "icmp-type",
        FilterOpt::Prio { .. } => "prio",
        FilterOpt::Tos { .. } => "tos",
        FilterOpt::State { .. } => "state",
        FilterOpt::Label { .. } => "label",
        FilterOpt::Queue { .. } => "queue",
        FilterOpt::ReceivedOn { .. } => "received-on",
        FilterOpt::MaxPktRate { .. } => "max-pkt-rate",
        FilterOpt::SetPrio { .. } => "set-prio",
        FilterOpt::SetTos { .. } => "set-tos",
        FilterOpt::SetDelay { .. } => "delay",
        _ => "",
    }
}

fn redefinition_message(name: &str) -> Option<&'static str> {
    Some(match name {
        "flags" => "flags cannot be redefined",
        "icmp-type" => "icmp-type cannot be redefined",
        "prio" => "prio cannot be redefined",
        "tos" => "tos cannot be redefined",
        "state" => "modulate or keep cannot be redefined",
        "label" => "label cannot be redefined",
        "queue" => "queue cannot be redefined",
        "received-on" => "cannot respecify received-on",
        "max-pkt-rate" => "cannot respecify max-pkt-rate",
        "set-prio" => "prio cannot be redefined",
        "set-tos" => "tos cannot be respecified",
        "delay" => "delay cannot be respecified",
        _ => return None,
    })
}

fn opt_key(o: &StateOpt) -> &'static str {
    match o {
        StateOpt::Max { .. } => "max",
        StateOpt::NoSync => "no-sync",
        StateOpt::MaxSrcStates { .. } => "max-src-states",
        StateOpt::MaxSrcConn { .. } => "max-src-conn",
        StateOpt::MaxSrcConnRate { .. } => "max-src-conn-rate",
        StateOpt::Overload { .. } => "overload",
        StateOpt::MaxSrcNodes { .. } => "max-src-nodes",
        StateOpt::SourceTrack { .. } => "source-track",
        StateOpt::IfBound => "if-bound",
        StateOpt::Floating => "floating",
        StateOpt::Sloppy => "sloppy",
        StateOpt::Pflow => "pflow",
        StateOpt::Timeout { .. } => "timeout",
    }
}

fn closest<'s>(word: &str, candidates: &[&'s str]) -> Option<&'s str> {
    candidates
        .iter()
        .map(|c| (crate::resolve::edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
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

/// The syslog priority pfctl takes for `set debug` (pfctl_parser.c 1.352
/// `string_to_loglevel` over syslog.h 1.19 `prioritynames`).
pub(crate) fn debug_level(t: &str) -> Option<u8> {
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        return t.parse::<u8>().ok().filter(|v| *v <= 7);
    }
    Some(match t.to_ascii_lowercase().as_str() {
        "emerg" | "panic" => 0,
        "alert" => 1,
        "crit" => 2,
        "err" | "error" => 3,
        "warning" | "warn" => 4,
        "notice" => 5,
        "info" => 6,
        "debug" => 7,
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
