//! A pf.conf ruleset described as Rust values that `arbitrary` derives
//! from the fuzzer's bytes, and printed as pf.conf text.
//!
//! The description is made so that what it prints passes `check` most of
//! the time: names come from small shared pools (interfaces, groups,
//! networks, ports, macros, tables, tags), so that packets and the node
//! speak of the same things; and the printer repairs what pf.conf(5)
//! forbids (ports without tcp or udp, `nat-to` on an inbound rule, state
//! options on a block rule, addresses of the other family...) instead of
//! printing it. What stays invalid is left for the text targets.

use arbitrary::Arbitrary;
use std::fmt::Write;

/// Interfaces named by rules, packets and the node.
pub const IFACES: &[&str] = &[
    "em0", "em1", "em2", "vio0", "lo0", "carp0", "carp1", "pfsync0",
];
/// Interface groups: `egress`, driver groups, and groups the node sets.
pub const GROUPS: &[&str] = &["egress", "lan", "wan", "carp", "em", "pfsync"];
/// The IPv4 networks (/24) addresses are taken from.
pub const NETS4: &[[u8; 3]] = &[[10, 0, 0], [192, 0, 2], [198, 51, 100], [203, 0, 113]];
/// The IPv6 networks (/64).
pub const NETS6: &[&str] = &["2001:db8::", "2001:db8:1::", "2001:db8:ff::", "fe80::"];
/// Host numbers within a network.
pub const HOSTS: &[u8] = &[1, 2, 5, 10, 100, 254];
/// Ports.
pub const PORTS: &[u16] = &[22, 25, 53, 80, 123, 443, 993, 1024, 3128, 8080, 65535];
/// Services pf knows by name.
pub const SERVICES: &[&str] = &["ssh", "domain", "www", "https", "ntp", "smtp"];
/// Tags and labels.
pub const TAGS: &[&str] = &["t0", "t1", "t2", "from_lan", "via_vpn"];
const USERS: &[&str] = &["root", "www", "_unbound", "1000"];
const ICMP_TYPES: &[&str] = &["echoreq", "echorep", "unreach", "timex", "3 code 4"];
const ICMP6_TYPES: &[&str] = &[
    "echoreq",
    "echorep",
    "neighbrsol",
    "neighbradv",
    "routersol",
];

fn pick<T: Copy>(pool: &[T], i: u8) -> T {
    pool[i as usize % pool.len()]
}

/// An address from the pools, printed in the rule's family.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addr {
    /// The network.
    pub net: u8,
    /// The host in it.
    pub host: u8,
}

impl Addr {
    /// The address as text.
    pub fn text(self, v6: bool) -> String {
        let h = pick(HOSTS, self.host);
        if v6 {
            format!("{}{:x}", pick(NETS6, self.net), h)
        } else {
            let n = pick(NETS4, self.net);
            format!("{}.{}.{}.{}", n[0], n[1], n[2], h)
        }
    }

    /// The address a few hosts further on (for ranges), never lower.
    fn plus(self, delta: u8, v6: bool) -> String {
        let h = pick(HOSTS, self.host);
        let h2 = h.saturating_add(delta % 16).max(h);
        if v6 {
            format!("{}{:x}", pick(NETS6, self.net), h2)
        } else {
            let n = pick(NETS4, self.net);
            format!("{}.{}.{}.{}", n[0], n[1], n[2], h2)
        }
    }

    /// The address's network with a prefix of its family's length range.
    fn prefix(self, len: u8, v6: bool) -> String {
        if v6 {
            let len = [32, 48, 64, 96, 128][len as usize % 5];
            format!("{}/{len}", self.text(true))
        } else {
            let len = [8, 16, 24, 25, 30, 32][len as usize % 6];
            format!("{}/{len}", self.text(false))
        }
    }
}

/// A port value.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum PortValue {
    /// From the pool.
    Pool(u8),
    /// A service name.
    Service(u8),
    /// Any number.
    Number(u16),
}

impl PortValue {
    fn number(self) -> u16 {
        match self {
            PortValue::Pool(i) => pick(PORTS, i),
            PortValue::Service(i) => [22, 53, 80, 443, 123, 25][i as usize % 6],
            PortValue::Number(n) => n.max(1),
        }
    }

    fn text(self) -> String {
        match self {
            PortValue::Service(i) => pick(SERVICES, i).to_string(),
            p => p.number().to_string(),
        }
    }
}

/// A port item: pf.conf(5)'s `port` operators.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum PortItem {
    /// `= p` or a bare `p`.
    Eq(PortValue, bool),
    /// `!= p`
    Ne(PortValue),
    /// `< p`
    Lt(PortValue),
    /// `<= p`
    Le(PortValue),
    /// `> p`
    Gt(PortValue),
    /// `>= p`
    Ge(PortValue),
    /// `a:b`
    Range(PortValue, PortValue),
    /// `a >< b`
    Inside(PortValue, PortValue),
    /// `a <> b`
    Outside(PortValue, PortValue),
    /// `$ports_n`
    Macro(u8),
}

/// `port` and what follows.
#[derive(Arbitrary, Debug, Clone)]
pub struct PortSpec {
    /// The items (a list when more than one).
    pub items: Vec<PortItem>,
}

/// One host of `from` or `to`.
#[derive(Arbitrary, Debug, Clone)]
pub enum Host {
    /// An address.
    Addr(Addr),
    /// A network.
    Prefix(Addr, u8),
    /// `a - b`
    Range(Addr, u8),
    /// `<t_n>`
    Table(u8),
    /// `(if)`
    IfAddr(u8),
    /// `if:network`
    IfNetwork(u8),
    /// `self`
    SelfHost,
    /// `no-route`
    NoRoute,
    /// `urpf-failed`
    UrpfFailed,
    /// `$net_n`
    Macro(u8),
    /// `route label`... kept simple: a host name pfctl resolves.
    Localhost,
}

/// A host with its `!`.
#[derive(Arbitrary, Debug, Clone)]
pub struct HostSpec {
    /// `!`
    pub not: bool,
    /// The host.
    pub host: Host,
}

/// `from ...` or `to ...`.
#[derive(Arbitrary, Debug, Clone)]
pub struct Endpoint {
    /// No hosts is `any`; more than one is a list.
    pub hosts: Vec<HostSpec>,
    /// The ports, if any.
    pub port: Option<PortSpec>,
}

/// pass, block or match.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `pass`
    Pass,
    /// `block` and how.
    Block(u8),
    /// `match`
    Match,
}

/// `in`, `out` or neither.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Both.
    Any,
    /// `in`
    In,
    /// `out`
    Out,
}

/// `on ...`
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum On {
    /// No `on`.
    Nothing,
    /// An interface.
    If(u8),
    /// `! if`
    NotIf(u8),
    /// A group.
    Group(u8),
    /// `$if_n`
    Macro(u8),
    /// `any`
    Any,
    /// `{ a b }`
    List(u8, u8),
    /// `rdomain n`
    Rdomain(u8),
}

/// `inet`, `inet6` or neither.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Af {
    /// Neither (the addresses say which, v6 when true).
    Unsaid(bool),
    /// `inet`
    Inet,
    /// `inet6`
    Inet6,
}

/// `proto ...`
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    /// None.
    Nothing,
    /// tcp
    Tcp,
    /// udp
    Udp,
    /// icmp (icmp6 in inet6 rules)
    Icmp,
    /// carp
    Carp,
    /// pfsync
    Pfsync,
    /// `{ tcp udp }`
    TcpUdp,
    /// A number.
    Number(u8),
}

/// State options in `keep state (...)`.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum StateOpt {
    /// `max n`
    Max(u16),
    /// `max-src-conn n`
    MaxSrcConn(u16),
    /// `max-src-conn-rate n/s`
    MaxSrcConnRate(u8, u8),
    /// `max-src-states n`
    MaxSrcStates(u16),
    /// `source-track rule`
    SourceTrack,
    /// `overload <t> flush global`
    Overload(u8, bool),
    /// `tcp.established n`
    TcpEstablished(u16),
    /// `no-sync`
    NoSync,
    /// `sloppy`
    Sloppy,
    /// `if-bound`
    IfBound,
    /// `pflow`
    Pflow,
}

/// `keep state`, `modulate state`, `synproxy state`, `no state`.
#[derive(Arbitrary, Debug, Clone)]
pub enum State {
    /// `keep state`
    Keep(Vec<StateOpt>),
    /// `modulate state`
    Modulate(Vec<StateOpt>),
    /// `synproxy state`
    Synproxy,
    /// `no state`
    No,
}

/// A pool for `nat-to`, `rdr-to`, `route-to`.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Pool {
    /// An address.
    Addr(Addr),
    /// `(if)`
    IfAddr(u8),
    /// `$net_n` (a single-address macro when there is one).
    Macro(u8),
    /// A network, with `round-robin`.
    RoundRobin(Addr),
    /// `<t_n> round-robin`
    Table(u8),
}

/// Filter options.
#[derive(Arbitrary, Debug, Clone)]
pub enum Opt {
    /// `flags S/SA`
    FlagsSsa,
    /// `flags any`
    FlagsAny,
    /// `keep state` and friends.
    State(State),
    /// `label "..."`
    Label(u8),
    /// `tag T`
    Tag(u8),
    /// `tagged T` / `! tagged T`
    Tagged(u8, bool),
    /// `nat-to`
    NatTo(Pool, bool),
    /// `rdr-to pool [port p]`
    RdrTo(Pool, Option<PortValue>),
    /// `binat-to addr`
    BinatTo(Addr),
    /// `route-to (if addr)` / `reply-to`
    RouteTo(u8, Addr, bool),
    /// `af-to`
    AfTo(Addr),
    /// `icmp-type`
    IcmpType(u8),
    /// `user u`
    User(u8),
    /// `group g`
    Group(u8),
    /// `rtable n`
    Rtable(u8),
    /// `probability n%`
    Probability(u8),
    /// `allow-opts`
    AllowOpts,
    /// `once`
    Once,
    /// `set prio n`
    Prio(u8),
    /// `max-pkt-rate n/s`
    MaxPktRate(u8, u8),
}

/// A filter rule.
#[derive(Arbitrary, Debug, Clone)]
pub struct Rule {
    /// pass/block/match.
    pub action: Action,
    /// in/out.
    pub dir: Dir,
    /// `log`
    pub log: bool,
    /// `quick`
    pub quick: bool,
    /// `on ...`
    pub on: On,
    /// The family.
    pub af: Af,
    /// The protocol.
    pub proto: Proto,
    /// `all` when both ends are empty and this is set.
    pub from: Endpoint,
    /// `to ...`
    pub to: Endpoint,
    /// Options.
    pub opts: Vec<Opt>,
    /// Broken over two lines with a backslash.
    pub continued: bool,
    /// A comment after the rule.
    pub comment: Option<u8>,
}

/// A statement inside an inline anchor.
#[derive(Arbitrary, Debug, Clone)]
pub enum Inner {
    /// A rule.
    Rule(Rule),
    /// A nested anchor (one level).
    Anchor(AnchorHead, Vec<Rule>),
}

/// An anchor's head: its filters.
#[derive(Arbitrary, Debug, Clone)]
pub struct AnchorHead {
    /// The name (none for an anonymous one).
    pub name: Option<u8>,
    /// in/out.
    pub dir: Dir,
    /// `quick`
    pub quick: bool,
    /// `on`
    pub on: On,
    /// The family.
    pub af: Af,
    /// The protocol.
    pub proto: Proto,
    /// `from`/`to`.
    pub from: Endpoint,
    /// `to`
    pub to: Endpoint,
    /// `tagged`
    pub tagged: Option<u8>,
}

/// A macro definition.
#[derive(Arbitrary, Debug, Clone)]
pub enum Macro {
    /// `if_n = "em0"` or a list of interfaces.
    Iface(Vec<u8>),
    /// `net_n = "..."`: addresses and networks.
    Net(Vec<(Addr, Option<u8>)>, bool),
    /// `ports_n = "{ 22 443 }"`
    Ports(Vec<PortValue>),
}

/// A table definition.
#[derive(Arbitrary, Debug, Clone)]
pub struct Table {
    /// `persist`
    pub persist: bool,
    /// `const`
    pub constant: bool,
    /// `counters`
    pub counters: bool,
    /// Entries: address, prefix, `!`.
    pub entries: Vec<(bool, Addr, Option<u8>, bool)>,
}

/// `set ...`
#[derive(Arbitrary, Debug, Clone)]
pub enum SetOption {
    /// `set skip on ...`
    Skip(Vec<u8>),
    /// `set block-policy drop|return`
    BlockPolicy(bool),
    /// `set limit states n`
    LimitStates(u16),
    /// `set state-policy if-bound|floating`
    StatePolicy(bool),
    /// `set loginterface if`
    LogInterface(u8),
    /// `set optimization ...`
    Optimization(u8),
    /// `set timeout tcp.established n`
    Timeout(u16),
    /// `set reassemble yes|no`
    Reassemble(bool),
    /// `set ruleset-optimization basic`
    RulesetOptimization(bool),
    /// `set state-defaults no-sync`
    StateDefaults,
}

/// A statement among the rules.
#[derive(Arbitrary, Debug, Clone)]
pub enum Statement {
    /// A filter rule.
    Rule(Rule),
    /// `count` copies of a rule, each with its own address and port (a
    /// cheap way to hundreds of rules).
    Bulk(u8, Rule),
    /// An inline anchor.
    Anchor(AnchorHead, Vec<Inner>),
    /// A named anchor whose rules are loaded elsewhere.
    NamedAnchor(u8, Dir, On),
    /// `antispoof [log] [quick] for if [af]`
    Antispoof(bool, bool, u8, Af),
    /// CARP passed on an interface.
    PassCarp(u8, bool),
    /// pfsync passed on an interface.
    PassPfsync(u8, bool),
    /// A comment line, or a blank one.
    Comment(u8),
}

/// A whole ruleset.
#[derive(Arbitrary, Debug, Clone)]
pub struct Ruleset {
    /// Macros, printed first.
    pub macros: Vec<Macro>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Options.
    pub options: Vec<SetOption>,
    /// A default `block` (and maybe `block return log`) before the rest.
    pub default_block: Option<bool>,
    /// From 224 on, the statements are printed `repeat % 8` more times,
    /// each copy with other addresses and ports: large rulesets from
    /// small inputs, now and then.
    pub repeat: u8,
    /// Rules and anchors.
    pub statements: Vec<Statement>,
}

const COMMENTS: &[&str] = &[
    "",
    "# rules for the LAN",
    "# TODO: tighten",
    "#",
    "# ---- HA ----",
];

/// What a rule is allowed to name: the macros and tables defined.
struct Names {
    ifs: usize,
    /// Each `net` macro: its family, and whether it is a list.
    nets: Vec<(bool, bool)>,
    /// Each `ports` macro: whether it is a list.
    ports: Vec<bool>,
    tables: usize,
}

impl Names {
    fn of(rs: &Ruleset) -> Names {
        let mut n = Names {
            ifs: 0,
            nets: Vec::new(),
            ports: Vec::new(),
            tables: rs.tables.len(),
        };
        for m in &rs.macros {
            match m {
                Macro::Iface(_) => n.ifs += 1,
                Macro::Net(list, v6) => n.nets.push((*v6, list.len().min(LIST) > 1)),
                Macro::Ports(list) => n.ports.push(list.len().min(LIST) > 1),
            }
        }
        n
    }
}

/// The largest number of list items printed (longer lists are cut).
const LIST: usize = 4;
/// The largest number of options on a rule.
const OPTS: usize = 5;

impl Ruleset {
    /// The ruleset as pf.conf text.
    pub fn to_text(&self) -> String {
        let names = Names::of(self);
        let mut out = String::new();
        let (mut ni, mut nn, mut np) = (0, 0, 0);
        for m in &self.macros {
            match m {
                Macro::Iface(list) => {
                    let list: Vec<&str> =
                        list.iter().take(LIST).map(|&i| pick(IFACES, i)).collect();
                    let value = match list.as_slice() {
                        [] => "em0".to_string(),
                        [one] => one.to_string(),
                        more => format!("{{ {} }}", more.join(" ")),
                    };
                    let _ = writeln!(out, "if{ni} = \"{value}\"");
                    ni += 1;
                }
                Macro::Net(list, v6) => {
                    let list: Vec<String> = list
                        .iter()
                        .take(LIST)
                        .map(|(a, len)| match len {
                            Some(l) => a.prefix(*l, *v6),
                            None => a.text(*v6),
                        })
                        .collect();
                    let value = match list.as_slice() {
                        [] => Addr { net: 0, host: 0 }.text(*v6),
                        [one] => one.clone(),
                        more => format!("{{ {} }}", more.join(", ")),
                    };
                    let _ = writeln!(out, "net{nn} = \"{value}\"");
                    nn += 1;
                }
                Macro::Ports(list) => {
                    let list: Vec<String> = list.iter().take(LIST).map(|p| p.text()).collect();
                    let value = match list.as_slice() {
                        [] => "22".to_string(),
                        [one] => one.clone(),
                        more => format!("{{ {} }}", more.join(" ")),
                    };
                    let _ = writeln!(out, "ports{np} = \"{value}\"");
                    np += 1;
                }
            }
        }
        for (i, t) in self.tables.iter().enumerate() {
            let mut line = format!("table <t{i}>");
            if t.persist {
                line.push_str(" persist");
            }
            if t.constant {
                line.push_str(" const");
            }
            if t.counters {
                line.push_str(" counters");
            }
            let entries: Vec<String> = t
                .entries
                .iter()
                .take(8)
                .map(|&(not, a, len, v6)| {
                    let a = match len {
                        Some(l) => a.prefix(l, v6),
                        None => a.text(v6),
                    };
                    if not {
                        format!("!{a}")
                    } else {
                        a
                    }
                })
                .collect();
            if !entries.is_empty() {
                let _ = write!(line, " {{ {} }}", entries.join(", "));
            }
            let _ = writeln!(out, "{line}");
        }
        // Each option once: some cannot be redefined.
        let mut said: Vec<std::mem::Discriminant<SetOption>> = Vec::new();
        for o in &self.options {
            if !said.contains(&std::mem::discriminant(o)) {
                said.push(std::mem::discriminant(o));
                let _ = writeln!(out, "{}", set_option(o));
            }
        }
        if let Some(ret) = self.default_block {
            out.push_str(if ret {
                "block return log\n"
            } else {
                "block all\n"
            });
        }
        let mut used = Vec::new();
        let copies = match self.repeat {
            224.. => 1 + self.repeat as usize % 8,
            _ => 1,
        };
        for copy in 0..copies {
            let bump = (copy > 0).then_some(copy * 256);
            self.statements_to_text(&mut out, &names, &mut used, copy, bump);
        }
        out
    }

    fn statements_to_text(
        &self,
        out: &mut String,
        names: &Names,
        used: &mut Vec<u8>,
        copy: usize,
        bump: Option<usize>,
    ) {
        for s in &self.statements {
            match s {
                Statement::Rule(r) => rule(out, r, names, "", bump),
                Statement::Bulk(count, r) => {
                    // Up to 31 copies; up to 255 now and then.
                    let count = match count {
                        224.. => *count as usize,
                        _ => *count as usize % 32,
                    };
                    for k in 0..count {
                        rule(out, r, names, "", Some(copy * 256 + k));
                    }
                }
                Statement::Anchor(head, inner) => {
                    let _ = writeln!(out, "{} {{", anchor_head(head, names, used));
                    let mut inner_used = Vec::new();
                    for i in inner.iter().take(32) {
                        match i {
                            Inner::Rule(r) => rule(out, r, names, "    ", None),
                            Inner::Anchor(h, rules) => {
                                let head = anchor_head(h, names, &mut inner_used);
                                let _ = writeln!(out, "    {head} {{");
                                for r in rules.iter().take(16) {
                                    rule(out, r, names, "        ", None);
                                }
                                out.push_str("    }\n");
                            }
                        }
                    }
                    out.push_str("}\n");
                }
                Statement::NamedAnchor(n, dir, on) => {
                    let mut line = format!("anchor \"ext{}\"", n % 4);
                    dir_text(&mut line, *dir);
                    on_text(&mut line, *on, names);
                    let _ = writeln!(out, "{line}");
                }
                Statement::Antispoof(log, quick, i, af) => {
                    let mut line = "antispoof".to_string();
                    if *log {
                        line.push_str(" log");
                    }
                    if *quick {
                        line.push_str(" quick");
                    }
                    let _ = write!(line, " for {}", pick(&IFACES[..4], *i));
                    match af {
                        Af::Inet => line.push_str(" inet"),
                        Af::Inet6 => line.push_str(" inet6"),
                        Af::Unsaid(_) => {}
                    }
                    let _ = writeln!(out, "{line}");
                }
                Statement::PassCarp(i, quick) => {
                    let q = if *quick { " quick" } else { "" };
                    let _ = writeln!(out, "pass{q} on {} proto carp", pick(&IFACES[..4], *i));
                }
                Statement::PassPfsync(i, quick) => {
                    let q = if *quick { " quick" } else { "" };
                    let _ = writeln!(out, "pass{q} on {} proto pfsync", pick(&IFACES[..4], *i));
                }
                Statement::Comment(c) => {
                    let _ = writeln!(out, "{}", pick(COMMENTS, *c));
                }
            }
        }
    }
}

fn set_option(o: &SetOption) -> String {
    match o {
        SetOption::Skip(list) => {
            let list: Vec<&str> = list.iter().take(3).map(|&i| pick(IFACES, i)).collect();
            match list.as_slice() {
                [] => "set skip on lo".to_string(),
                [one] => format!("set skip on {one}"),
                more => format!("set skip on {{ {} }}", more.join(" ")),
            }
        }
        SetOption::BlockPolicy(ret) => {
            format!("set block-policy {}", if *ret { "return" } else { "drop" })
        }
        SetOption::LimitStates(n) => format!("set limit states {}", n.max(&1)),
        SetOption::StatePolicy(b) => format!(
            "set state-policy {}",
            if *b { "if-bound" } else { "floating" }
        ),
        SetOption::LogInterface(i) => format!("set loginterface {}", pick(&IFACES[..4], *i)),
        SetOption::Optimization(i) => format!(
            "set optimization {}",
            pick(
                &[
                    "normal",
                    "high-latency",
                    "satellite",
                    "aggressive",
                    "conservative"
                ],
                *i
            )
        ),
        SetOption::Timeout(n) => format!("set timeout tcp.established {}", n),
        SetOption::Reassemble(b) => format!("set reassemble {}", if *b { "yes" } else { "no" }),
        SetOption::RulesetOptimization(b) => format!(
            "set ruleset-optimization {}",
            if *b { "basic" } else { "none" }
        ),
        SetOption::StateDefaults => "set state-defaults no-sync".to_string(),
    }
}

fn dir_text(line: &mut String, dir: Dir) {
    match dir {
        Dir::Any => {}
        Dir::In => line.push_str(" in"),
        Dir::Out => line.push_str(" out"),
    }
}

fn on_text(line: &mut String, on: On, names: &Names) {
    match on {
        On::Nothing => {}
        On::If(i) => {
            let _ = write!(line, " on {}", pick(IFACES, i));
        }
        On::NotIf(i) => {
            let _ = write!(line, " on ! {}", pick(IFACES, i));
        }
        On::Group(g) => {
            let _ = write!(line, " on {}", pick(GROUPS, g));
        }
        On::Macro(m) if names.ifs > 0 => {
            let _ = write!(line, " on $if{}", m as usize % names.ifs);
        }
        On::Macro(m) => {
            let _ = write!(line, " on {}", pick(IFACES, m));
        }
        On::Any => line.push_str(" on any"),
        On::List(a, b) => {
            let _ = write!(line, " on {{ {} {} }}", pick(IFACES, a), pick(IFACES, b));
        }
        On::Rdomain(n) => {
            let _ = write!(line, " on rdomain {}", n % 4);
        }
    }
}

/// The family a rule's addresses are written in.
fn v6_of(af: Af) -> bool {
    match af {
        Af::Unsaid(v6) => v6,
        Af::Inet => false,
        Af::Inet6 => true,
    }
}

fn af_text(line: &mut String, af: Af) {
    match af {
        Af::Unsaid(_) => {}
        Af::Inet => line.push_str(" inet"),
        Af::Inet6 => line.push_str(" inet6"),
    }
}

/// The protocol as printed, after the repairs: ports need tcp or udp.
fn proto_of(proto: Proto, ports: bool) -> Proto {
    match proto {
        Proto::Tcp | Proto::Udp | Proto::TcpUdp => proto,
        _ if ports => Proto::Tcp,
        Proto::Number(n) if matches!(n, 6 | 17) => Proto::Nothing,
        p => p,
    }
}

fn proto_text(line: &mut String, proto: Proto, v6: bool) {
    match proto {
        Proto::Nothing => {}
        Proto::Tcp => line.push_str(" proto tcp"),
        Proto::Udp => line.push_str(" proto udp"),
        Proto::Icmp => line.push_str(if v6 { " proto icmp6" } else { " proto icmp" }),
        Proto::Carp => line.push_str(" proto carp"),
        Proto::Pfsync => line.push_str(" proto pfsync"),
        Proto::TcpUdp => line.push_str(" proto { tcp udp }"),
        Proto::Number(n) => {
            let _ = write!(line, " proto {}", [47, 50, 51, 89, 132, 41][n as usize % 6]);
        }
    }
}

fn host_text(
    h: &HostSpec,
    v6: bool,
    names: &Names,
    bulk: Option<usize>,
    in_list: bool,
    source: bool,
) -> String {
    let bump = |a: Addr| match bulk {
        Some(k) => Addr {
            net: a.net,
            host: a.host.wrapping_add(k as u8),
        },
        None => a,
    };
    let (text, negatable) = match &h.host {
        Host::Addr(a) => (bump(*a).text(v6), true),
        Host::Prefix(a, l) => (bump(*a).prefix(*l, v6), true),
        Host::Range(a, d) => {
            let a = bump(*a);
            (format!("{} - {}", a.text(v6), a.plus(*d, v6)), false)
        }
        Host::Table(t) if names.tables > 0 => (format!("<t{}>", *t as usize % names.tables), true),
        Host::Table(_) => ("<missing>".to_string(), true),
        Host::IfAddr(i) => (format!("({})", pick(&IFACES[..6], *i)), true),
        Host::IfNetwork(i) => (format!("{}:network", pick(&IFACES[..4], *i)), true),
        Host::SelfHost => ("self".to_string(), true),
        Host::NoRoute => ("no-route".to_string(), false),
        Host::UrpfFailed if source => ("urpf-failed".to_string(), false),
        Host::UrpfFailed => ("no-route".to_string(), false),
        Host::Macro(m) => {
            // A macro of the rule's family (a single address inside a
            // list: lists do not nest), else a literal address.
            let fits = |(_, (f, list)): &(usize, &(bool, bool))| *f == v6 && !(*list && in_list);
            let n = names.nets.iter().enumerate().filter(fits).count();
            match names
                .nets
                .iter()
                .enumerate()
                .filter(fits)
                .nth(*m as usize % n.max(1))
            {
                Some((i, _)) => (format!("$net{i}"), true),
                None => (Addr { net: *m, host: *m }.text(v6), true),
            }
        }
        Host::Localhost => (if v6 { "::1" } else { "127.0.0.1" }.to_string(), true),
    };
    if h.not && negatable {
        format!("! {text}")
    } else {
        text
    }
}

fn port_item(p: &PortItem, names: &Names, bulk: Option<usize>, in_list: bool) -> String {
    let v = |p: &PortValue| match bulk {
        Some(k) => (p.number() as usize + k).min(65535).to_string(),
        None => p.text(),
    };
    let sorted = |a: &PortValue, b: &PortValue| {
        let (x, y) = (a.number(), b.number());
        (x.min(y), x.max(y))
    };
    match p {
        PortItem::Eq(a, bare) => {
            if *bare {
                v(a)
            } else {
                format!("= {}", v(a))
            }
        }
        PortItem::Ne(a) => format!("!= {}", v(a)),
        PortItem::Lt(a) => format!("< {}", v(a)),
        PortItem::Le(a) => format!("<= {}", v(a)),
        PortItem::Gt(a) => format!("> {}", v(a)),
        PortItem::Ge(a) => format!(">= {}", v(a)),
        PortItem::Range(a, b) => {
            let (x, y) = sorted(a, b);
            format!("{x}:{y}")
        }
        PortItem::Inside(a, b) => {
            let (x, y) = sorted(a, b);
            format!("{x} >< {}", y.max(x.saturating_add(2)))
        }
        PortItem::Outside(a, b) => {
            let (x, y) = sorted(a, b);
            format!("{x} <> {y}")
        }
        PortItem::Macro(m) => {
            let fits: Vec<usize> = (0..names.ports.len())
                .filter(|&i| !(names.ports[i] && in_list))
                .collect();
            match fits.get(*m as usize % fits.len().max(1)) {
                Some(i) => format!("$ports{i}"),
                None => pick(PORTS, *m).to_string(),
            }
        }
    }
}

fn endpoint_text(
    line: &mut String,
    kw: &str,
    e: &Endpoint,
    v6: bool,
    ports: bool,
    names: &Names,
    bulk: Option<usize>,
) {
    let hosts: Vec<String> = e
        .hosts
        .iter()
        .take(LIST)
        .map(|h| host_text(h, v6, names, bulk, e.hosts.len() > 1, kw == "from"))
        .collect();
    let port = e.port.as_ref().filter(|p| ports && !p.items.is_empty());
    if hosts.is_empty() && port.is_none() {
        return;
    }
    let _ = write!(line, " {kw} ");
    match hosts.as_slice() {
        [] => line.push_str("any"),
        [one] => line.push_str(one),
        more if more
            .iter()
            .any(|h| h.contains(" - ") || h == "no-route" || h == "urpf-failed") =>
        {
            line.push_str(&more[0])
        }
        more => {
            let _ = write!(line, "{{ {} }}", more.join(", "));
        }
    }
    if let Some(p) = port {
        let items: Vec<String> = p
            .items
            .iter()
            .take(LIST)
            .map(|i| port_item(i, names, bulk, p.items.len().min(LIST) > 1))
            .collect();
        match items.as_slice() {
            [one] => {
                let _ = write!(line, " port {one}");
            }
            more => {
                let _ = write!(line, " port {{ {} }}", more.join(", "));
            }
        }
    }
}

fn has_ports(e: &Endpoint) -> bool {
    e.port.as_ref().is_some_and(|p| !p.items.is_empty())
}

/// An anchor's head; `used` holds the names taken at its level (a name
/// already taken makes it anonymous: inline anchors are defined once).
fn anchor_head(h: &AnchorHead, names: &Names, used: &mut Vec<u8>) -> String {
    let mut line = "anchor".to_string();
    if let Some(n) = h.name.map(|n| n % 8).filter(|n| !used.contains(n)) {
        used.push(n);
        let _ = write!(line, " \"a{n}\"");
    }
    dir_text(&mut line, h.dir);
    if h.quick {
        line.push_str(" quick");
    }
    on_text(&mut line, h.on, names);
    af_text(&mut line, h.af);
    let v6 = v6_of(h.af);
    let ports = has_ports(&h.from) || has_ports(&h.to);
    let proto = proto_of(h.proto, ports);
    let ports = matches!(proto, Proto::Tcp | Proto::Udp | Proto::TcpUdp);
    proto_text(&mut line, proto, v6);
    endpoint_text(&mut line, "from", &h.from, v6, ports, names, None);
    endpoint_text(&mut line, "to", &h.to, v6, ports, names, None);
    if let Some(t) = h.tagged {
        let _ = write!(line, " tagged {}", pick(TAGS, t));
    }
    line
}

fn state_opts(opts: &[StateOpt]) -> String {
    let words: Vec<String> = opts
        .iter()
        .take(4)
        .map(|o| match o {
            StateOpt::Max(n) => format!("max {}", n.max(&1)),
            StateOpt::MaxSrcConn(n) => format!("max-src-conn {}", n.max(&1)),
            StateOpt::MaxSrcConnRate(n, s) => {
                format!("max-src-conn-rate {}/{}", n.max(&1), s.max(&1))
            }
            StateOpt::MaxSrcStates(n) => format!("max-src-states {}", n.max(&1)),
            StateOpt::SourceTrack => "source-track rule".to_string(),
            StateOpt::Overload(t, flush) => format!(
                "overload <bruteforce>{}",
                if *flush { " flush global" } else { "" }
            )
            .replace("<bruteforce>", &format!("<abuse{}>", t % 2)),
            StateOpt::TcpEstablished(n) => format!("tcp.established {n}"),
            StateOpt::NoSync => "no-sync".to_string(),
            StateOpt::Sloppy => "sloppy".to_string(),
            StateOpt::IfBound => "if-bound".to_string(),
            StateOpt::Pflow => "pflow".to_string(),
        })
        .collect();
    // Each option once: pfctl refuses repeats.
    let mut seen: Vec<&str> = Vec::new();
    let mut kept = Vec::new();
    for w in &words {
        let key = w.split(' ').next().unwrap_or("");
        if !seen.contains(&key) {
            seen.push(key);
            kept.push(w.clone());
        }
    }
    if kept.is_empty() {
        String::new()
    } else {
        format!(" ({})", kept.join(", "))
    }
}

fn pool_text(p: &Pool, v6: bool, names: &Names) -> String {
    match p {
        Pool::Addr(a) => a.text(v6),
        Pool::IfAddr(i) => format!("({})", pick(&IFACES[..4], *i)),
        Pool::Macro(m) => Addr {
            net: *m,
            host: m >> 4,
        }
        .text(v6),
        Pool::RoundRobin(a) => format!("{} round-robin", a.prefix(3, v6)),
        Pool::Table(t) if names.tables > 0 => {
            format!("<t{}> round-robin", *t as usize % names.tables)
        }
        Pool::Table(t) => Addr { net: *t, host: 0 }.text(v6),
    }
}

/// Prints one rule, repaired so that pf.conf(5) allows it.
fn rule(out: &mut String, r: &Rule, names: &Names, indent: &str, bulk: Option<usize>) {
    let mut line = String::from(indent);
    let pass = r.action == Action::Pass;
    let is_match = r.action == Action::Match;
    match r.action {
        Action::Pass => line.push_str("pass"),
        Action::Match => line.push_str("match"),
        Action::Block(how) => {
            // return-rst only for tcp rules.
            let tcp = matches!(
                proto_of(r.proto, has_ports(&r.from) || has_ports(&r.to)),
                Proto::Tcp
            );
            let how = match how as usize % 6 {
                4 if !tcp => 3,
                n => n,
            };
            line.push_str(
                [
                    "block",
                    "block",
                    "block drop",
                    "block return",
                    "block return-rst",
                    "block return-icmp",
                ][how],
            )
        }
    }
    // The translation (the first one; a rule has one at most) decides
    // the direction: rdr-to and af-to inbound, nat-to outbound, binat-to
    // none.
    let translation = r
        .opts
        .iter()
        .take(OPTS)
        .find(|o| {
            matches!(
                o,
                Opt::NatTo(..) | Opt::RdrTo(..) | Opt::BinatTo(_) | Opt::AfTo(_)
            )
        })
        .filter(|o| match o {
            Opt::AfTo(_) => pass,
            _ => !matches!(r.action, Action::Block(_)),
        });
    let dir = match translation {
        Some(Opt::RdrTo(..) | Opt::AfTo(_)) => Dir::In,
        Some(Opt::NatTo(..)) => Dir::Out,
        Some(_) => Dir::Any,
        None => r.dir,
    };
    dir_text(&mut line, dir);
    if r.log {
        line.push_str(" log");
    }
    if r.quick && !is_match {
        line.push_str(" quick");
    }
    on_text(&mut line, r.on, names);
    let wants_af_to = matches!(translation, Some(Opt::AfTo(_)));
    let af = match r.af {
        Af::Unsaid(v6) if wants_af_to => {
            if v6 {
                Af::Inet6
            } else {
                Af::Inet
            }
        }
        af => af,
    };
    af_text(&mut line, af);
    let v6 = v6_of(af);
    let ports = has_ports(&r.from) || has_ports(&r.to);
    let mut proto = proto_of(r.proto, ports);
    let tcp_only = r.opts.iter().take(OPTS).any(|o| {
        matches!(
            o,
            Opt::FlagsSsa
                | Opt::FlagsAny
                | Opt::State(State::Synproxy)
                | Opt::User(_)
                | Opt::Group(_)
        )
    });
    if tcp_only && proto == Proto::Nothing {
        proto = Proto::Tcp;
    }
    proto_text(&mut line, proto, v6);
    let ports = matches!(proto, Proto::Tcp | Proto::Udp | Proto::TcpUdp);
    // binat-to needs one source address.
    let from = match translation {
        Some(Opt::BinatTo(a)) => Endpoint {
            hosts: vec![HostSpec {
                not: false,
                host: Host::Addr(Addr {
                    net: a.net.wrapping_add(1),
                    host: a.host,
                }),
            }],
            port: r.from.port.clone(),
        },
        _ => r.from.clone(),
    };
    endpoint_text(&mut line, "from", &from, v6, ports, names, bulk);
    endpoint_text(&mut line, "to", &r.to, v6, ports, names, bulk);
    let mut seen: Vec<std::mem::Discriminant<Opt>> = Vec::new();
    let mut stated = false;
    for o in r.opts.iter().take(OPTS) {
        let d = std::mem::discriminant(o);
        if seen.contains(&d) {
            continue;
        }
        seen.push(d);
        let text = match o {
            Opt::FlagsSsa if proto == Proto::Tcp => " flags S/SA".to_string(),
            Opt::FlagsAny if proto == Proto::Tcp => " flags any".to_string(),
            Opt::State(s) if pass && !stated => {
                stated = true;
                match s {
                    State::Keep(o) => format!(" keep state{}", state_opts(o)),
                    State::Modulate(o) if proto == Proto::Tcp => {
                        format!(" modulate state{}", state_opts(o))
                    }
                    State::Synproxy if proto == Proto::Tcp => " synproxy state".to_string(),
                    State::No if translation.is_none() => " no state".to_string(),
                    _ => " keep state".to_string(),
                }
            }
            Opt::Label(l) => format!(" label \"{}-{}\"", pick(TAGS, *l), l % 3),
            Opt::Tag(t) if !matches!(r.action, Action::Block(_)) => {
                format!(" tag {}", pick(TAGS, *t))
            }
            Opt::Tagged(t, not) => {
                format!(" {}tagged {}", if *not { "! " } else { "" }, pick(TAGS, *t))
            }
            Opt::NatTo(p, static_port) if matches!(translation, Some(Opt::NatTo(..))) => {
                format!(
                    " nat-to {}{}",
                    pool_text(p, v6, names),
                    if *static_port { " static-port" } else { "" }
                )
            }
            Opt::RdrTo(p, port) if matches!(translation, Some(Opt::RdrTo(..))) => {
                let port = match port {
                    Some(p) if ports && proto != Proto::TcpUdp => format!(" port {}", p.number()),
                    _ => String::new(),
                };
                format!(" rdr-to {}{port}", pool_text(p, v6, names))
            }
            Opt::BinatTo(a) if matches!(translation, Some(Opt::BinatTo(_))) => {
                format!(" binat-to {}", a.text(v6))
            }
            // Since OpenBSD 7.0 the address alone says where.
            Opt::RouteTo(i, a, reply) if pass && dir != Dir::Any => format!(
                " {} {}",
                ["route-to", "reply-to", "dup-to"][*i as usize % 3],
                if *reply {
                    format!("{{ {}, {} }}", a.text(v6), a.plus(1, v6))
                } else {
                    a.text(v6)
                }
            ),
            Opt::AfTo(a) if wants_af_to => {
                let other = !v6;
                format!(
                    " af-to {} from {}",
                    if other { "inet6" } else { "inet" },
                    a.text(other)
                )
            }
            Opt::IcmpType(t) if proto == Proto::Icmp && !matches!(af, Af::Unsaid(_)) => {
                if v6 {
                    format!(" icmp6-type {}", pick(ICMP6_TYPES, *t))
                } else {
                    format!(" icmp-type {}", pick(ICMP_TYPES, *t))
                }
            }
            Opt::User(u) if ports => format!(" user {}", pick(USERS, *u)),
            Opt::Group(g) if ports => format!(" group {}", pick(&["wheel", "_pflogd", "0"], *g)),
            Opt::Rtable(n) => format!(" rtable {}", n % 4),
            Opt::Probability(p) => format!(" probability {}%", (p % 100).max(1)),
            Opt::AllowOpts if pass => " allow-opts".to_string(),
            Opt::Once if !is_match => " once".to_string(),
            Opt::Prio(p) if !matches!(r.action, Action::Block(_)) => format!(" set prio {}", p % 8),
            Opt::MaxPktRate(n, s) => format!(" max-pkt-rate {}/{}", n.max(&1), s.max(&1)),
            _ => String::new(),
        };
        if r.continued && !text.is_empty() {
            line.push_str(" \\\n   ");
        }
        line.push_str(&text);
    }
    if let Some(c) = r.comment {
        let c = pick(COMMENTS, c);
        if !c.is_empty() {
            line.push(' ');
            line.push_str(c);
        }
    }
    out.push_str(&line);
    out.push('\n');
}
