//! The source AST: one typed node per pf.conf(5) construct, each with a span.
//!
//! Names follow pf.conf(5) and pfctl's parse.y (`FilterRule`, `HostSpec`,
//! `PoolOpts`, ...). Values that pfctl only interprets after lexing (an
//! address, a port name, a protocol name) are kept as the word the user
//! wrote, typed by position, and interpreted by the checks; this is what
//! lets `$macro` references stand in any value position: a [`Value`] is
//! either the literal word or a [`MacroRef`].
//!
//! After resolution (see [`crate::resolve`]) the same types hold the
//! expanded ruleset; there no `Value::Macro` remains.

use crate::keyword::keywords;
use crate::span::Span;
use serde::Serialize;

/// A node with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    /// The node.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a node.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// `$name` as written, with any word characters glued after it
/// (`$ext_if:network` has `suffix` `:network`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroRef {
    /// Macro name without `$`.
    pub name: String,
    /// Literal characters that follow the name in the same word.
    pub suffix: String,
}

/// A token in a value position: the literal text or a macro reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Value {
    /// An unquoted word or a number, as written.
    Word(String),
    /// A quoted string (quotes removed, escapes resolved).
    Quoted(String),
    /// A `$macro` reference.
    Macro(MacroRef),
}

impl Value {
    /// The literal text (empty for a macro).
    pub fn text(&self) -> &str {
        match self {
            Value::Word(s) | Value::Quoted(s) => s,
            Value::Macro(_) => "",
        }
    }

    /// True for a macro reference.
    pub fn is_macro(&self) -> bool {
        matches!(self, Value::Macro(_))
    }
}

/// A value with its span.
pub type SValue = Spanned<Value>;

/// A whole file (or an inline anchor body): statements in order, plus the
/// comments after the last statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Ruleset {
    /// The statements.
    pub statements: Vec<Statement>,
    /// Comments and blank lines after the last statement.
    pub trailing: Vec<Trivia>,
}

/// Comments and blank lines, kept for the formatter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Trivia {
    /// A `#` comment on its own line (span covers `#` to end of line).
    Comment {
        /// Where.
        span: Span,
    },
    /// An empty line.
    Blank,
}

/// One statement with its trivia.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// What it says.
    pub kind: StatementKind,
    /// The statement's text, from its first to its last token (for an
    /// inline anchor, through the closing brace).
    pub span: Span,
    /// Comments and blank lines before it.
    pub leading: Vec<Trivia>,
    /// A comment at the end of its last line.
    pub trailing_comment: Option<Span>,
    /// Comments inside a statement spread over several lines.
    pub inner_comments: Vec<Span>,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum StatementKind {
    /// `name = value`
    Macro(MacroDef),
    /// `table <name> ...`
    Table(Box<TableDef>),
    /// `set ...`
    Option(Box<SetOption>),
    /// `pass`, `block` or `match` (boxed: rules are large and most
    /// statements of a big ruleset are rules; this keeps `Statement` small).
    Rule(Box<FilterRule>),
    /// `anchor ...`, with an optional inline body.
    Anchor(Box<AnchorRule>),
    /// `load anchor NAME from "file"`
    LoadAnchor(LoadAnchor),
    /// `antispoof ...`
    Antispoof(Box<Antispoof>),
    /// `queue ...`
    Queue(Box<QueueDef>),
    /// `include "file"`
    Include(Include),
    /// `state limiter ...` / `source limiter ...`
    Limiter(Box<LimiterDef>),
    /// A statement whose shape depends on what its macros expand to; it is
    /// parsed after macro expansion. Kept as written.
    Unparsed,
}

/// `name = value`: the value is the concatenation of its parts with single
/// spaces, as pfctl's `varstring`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroDef {
    /// The macro name.
    pub name: Spanned<String>,
    /// The parts of the value.
    pub value: Vec<SValue>,
}

/// `include "file"`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Include {
    /// The path as written.
    pub path: SValue,
}

/// `load anchor NAME from "file"`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadAnchor {
    /// Anchor name.
    pub name: SValue,
    /// File to load.
    pub file: Vec<SValue>,
}

/// `table <name> [persist] [const] [counters] [timeout (n)] [file "f"] [{ ... }]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableDef {
    /// Table name without `<>`.
    pub name: SValue,
    /// Options in the order written.
    pub opts: Vec<Spanned<TableOpt>>,
}

/// One table option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", content = "value", rename_all = "kebab-case")]
pub enum TableOpt {
    /// A flag word: `persist`, `const` or `counters` (others are errors).
    Flag(SValue),
    /// `timeout (n)` (2026 syntax).
    Timeout(SValue),
    /// `file "path"`
    File(SValue),
    /// `{ addr, ... }`
    Addresses(Vec<TableEntry>),
}

/// One entry of a table's brace list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableEntry {
    /// The address.
    pub host: Spanned<Host>,
    /// `weight n`
    pub weight: Option<SValue>,
}

/// `set ...`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "option", rename_all = "kebab-case")]
pub enum SetOption {
    /// `set reassemble yes|no [no-df]`
    Reassemble {
        /// `yes` or `no`.
        value: SValue,
        /// `no-df` given.
        no_df: bool,
    },
    /// `set optimization NAME`
    Optimization {
        /// The profile name.
        value: SValue,
    },
    /// `set ruleset-optimization none|basic|profile`
    RulesetOptimization {
        /// The level.
        value: SValue,
    },
    /// `set timeout name n` or `set timeout { ... }`
    Timeout {
        /// Name and seconds pairs.
        values: Vec<(SValue, SValue)>,
    },
    /// `set limit name n` or `set limit { ... }`
    Limit {
        /// Name and value pairs.
        values: Vec<(SValue, SValue)>,
    },
    /// `set loginterface IF|none`
    LogInterface {
        /// Interface (or `none`).
        value: SValue,
    },
    /// `set hostid n`
    HostId {
        /// The id.
        value: SValue,
    },
    /// `set block-policy drop|return`
    BlockPolicy {
        /// True for `return`.
        value: BlockPolicy,
    },
    /// `set fingerprints "file"`
    Fingerprints {
        /// The file.
        value: SValue,
    },
    /// `set state-policy if-bound|floating`
    StatePolicy {
        /// The policy.
        value: StatePolicy,
    },
    /// `set debug LEVEL`
    Debug {
        /// The level.
        value: SValue,
    },
    /// `set skip on IFSPEC`
    Skip {
        /// Interfaces (empty: `set skip` alone, meaning none).
        interfaces: Vec<Spanned<IfItem>>,
    },
    /// `set state-defaults OPTS`
    StateDefaults {
        /// The state options.
        opts: Vec<Spanned<StateOpt>>,
    },
    /// `set syncookies never|always|adaptive [(start n%, end n%)]`
    Syncookies {
        /// The mode.
        mode: SValue,
        /// Watermark pairs.
        opts: Vec<(SValue, SValue)>,
    },
}

/// `set block-policy`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockPolicy {
    /// drop
    Drop,
    /// return
    Return,
}

keywords!(BlockPolicy, "block policy" {
    Drop => "drop",
    Return => "return",
});

/// `set state-policy`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatePolicy {
    /// if-bound
    IfBound,
    /// floating
    Floating,
}

keywords!(StatePolicy, "state policy" {
    IfBound => "if-bound",
    Floating => "floating",
});

/// pass, block or match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Action {
    /// pass
    Pass,
    /// match
    Match,
    /// block, with its return policy
    Block {
        /// None: the `set block-policy` default.
        policy: Option<Box<BlockSpec>>,
    },
}

/// How a block rule answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum BlockSpec {
    /// drop
    Drop,
    /// return
    Return,
    /// return-rst [(ttl n)]
    ReturnRst {
        /// TTL of the RST.
        ttl: Option<SValue>,
    },
    /// return-icmp [(code [, code6])]
    ReturnIcmp {
        /// ICMP code for IPv4.
        code: Option<SValue>,
        /// ICMP6 code for IPv6.
        code6: Option<SValue>,
    },
    /// return-icmp6 [(code)]
    ReturnIcmp6 {
        /// ICMP6 code.
        code: Option<SValue>,
    },
}

impl BlockSpec {
    /// Which answer, without its TTL or ICMP codes.
    pub fn kind(&self) -> BlockKind {
        match self {
            BlockSpec::Drop => BlockKind::Drop,
            BlockSpec::Return => BlockKind::Return,
            BlockSpec::ReturnRst { .. } => BlockKind::ReturnRst,
            BlockSpec::ReturnIcmp { .. } => BlockKind::ReturnIcmp,
            BlockSpec::ReturnIcmp6 { .. } => BlockKind::ReturnIcmp6,
        }
    }
}

/// How a block rule answers, without parameters: a [`BlockSpec`]'s kind,
/// or what `set block-policy` makes of a plain `block`.
///
/// ```
/// use pfconf::ast::{BlockKind, BlockPolicy};
///
/// assert_eq!(BlockKind::from(BlockPolicy::Return), BlockKind::Return);
/// assert_eq!("return-rst".parse::<BlockKind>(), Ok(BlockKind::ReturnRst));
/// assert_eq!(BlockKind::ReturnIcmp6.to_string(), "return-icmp6");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BlockKind {
    /// drop: the packet is dropped silently.
    Drop,
    /// return: a TCP RST for TCP, ICMP unreachable for the rest.
    Return,
    /// return-rst: a TCP RST.
    ReturnRst,
    /// return-icmp: an ICMP (or ICMP6) unreachable.
    ReturnIcmp,
    /// return-icmp6: an ICMP6 unreachable.
    ReturnIcmp6,
}

keywords!(serialize BlockKind, "block policy" {
    Drop => "drop",
    Return => "return",
    ReturnRst => "return-rst",
    ReturnIcmp => "return-icmp",
    ReturnIcmp6 => "return-icmp6",
});

impl From<BlockPolicy> for BlockKind {
    fn from(p: BlockPolicy) -> Self {
        match p {
            BlockPolicy::Drop => BlockKind::Drop,
            BlockPolicy::Return => BlockKind::Return,
        }
    }
}

/// in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// in
    In,
    /// out
    Out,
}

keywords!(Direction, "direction" {
    In => "in",
    Out => "out",
});

/// inet or inet6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressFamily {
    /// IPv4
    Inet,
    /// IPv6
    Inet6,
}

keywords!(AddressFamily, "address family" {
    Inet => "inet",
    Inet6 => "inet6",
});

impl AddressFamily {
    /// The family of an address.
    pub fn of(ip: &std::net::IpAddr) -> AddressFamily {
        match ip {
            std::net::IpAddr::V4(_) => AddressFamily::Inet,
            std::net::IpAddr::V6(_) => AddressFamily::Inet6,
        }
    }

    /// Bits in an address (32 or 128).
    pub fn bits(self) -> u8 {
        match self {
            AddressFamily::Inet => 32,
            AddressFamily::Inet6 => 128,
        }
    }
}

/// `log [(all, matches, user, to pflogN)]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct LogOpts {
    /// `all`
    pub all: bool,
    /// `matches`
    pub matches: bool,
    /// `user`
    pub user: bool,
    /// `to pflogN`
    pub to: Option<SValue>,
}

/// One item of `on ...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IfItem {
    /// `!`
    pub not: bool,
    /// What.
    pub target: IfTarget,
}

/// An interface, group, `any` or `rdomain n`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum IfTarget {
    /// `any`
    Any,
    /// `rdomain n`
    Rdomain(SValue),
    /// An interface or group name.
    Name(SValue),
}

/// `from ... to ...` or `all`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Hosts {
    /// `all` was written.
    pub all: bool,
    /// The source (None: not written, any).
    pub from: Option<Box<Endpoint>>,
    /// `os` fingerprints.
    pub os: Vec<SValue>,
    /// The destination.
    pub to: Option<Box<Endpoint>>,
}

/// One side of `from`/`to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Addresses (empty with `any` or when only a port is given).
    pub hosts: Vec<Spanned<Host>>,
    /// `any` was written.
    pub any: bool,
    /// Ports (empty: no `port`).
    pub ports: Vec<Spanned<PortItem>>,
    /// `port ...` from the keyword to the last port.
    pub ports_span: Option<Span>,
    /// Span of the address part (for diagnostics).
    pub span: Span,
}

/// One address specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Host {
    /// `!`
    pub not: bool,
    /// What.
    pub kind: HostKind,
}

/// The kinds of address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HostKind {
    /// `any` inside a list.
    Any,
    /// `no-route`
    NoRoute,
    /// `urpf-failed`
    UrpfFailed,
    /// An address, hostname, interface, group or `self`, with an optional
    /// `/bits` written separately.
    Address {
        /// The word (e.g. `10.0.0.1`, `em0:network`, `self`, `$lan`).
        addr: SValue,
        /// `/bits`
        mask: Option<SValue>,
    },
    /// `a - b`
    Range {
        /// First address.
        from: SValue,
        /// Last address.
        to: SValue,
    },
    /// `<table>`
    Table {
        /// Table name.
        name: SValue,
    },
    /// `(if[:mod])[/bits]`
    Dynamic {
        /// Interface with modifiers, as written inside the parentheses.
        ifname: SValue,
        /// `/bits`
        mask: Option<SValue>,
    },
    /// `route LABEL`
    Route {
        /// The route label.
        label: SValue,
    },
    /// A nested `{ ... }` list. (Serialized as `{"kind": "list", "items":
    /// [...]}`: an internally tagged variant cannot hold a bare sequence.)
    #[serde(serialize_with = "host_list_items")]
    List(Vec<Spanned<Host>>),
}

/// A port, uid or gid comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", rename_all = "kebab-case")]
pub enum PortItem {
    /// A bare value (`80`, `www`, `1024:2048`, `$p`).
    Eq {
        /// The value.
        value: SValue,
    },
    /// `op value` with op one of `= != < <= > >=`.
    Unary {
        /// The operator.
        op: PortOperator,
        /// The value.
        value: SValue,
    },
    /// `a <> b` or `a >< b`.
    Binary {
        /// Low bound.
        low: SValue,
        /// [`PortOperator::Outside`] or [`PortOperator::Inside`].
        op: PortOperator,
        /// High bound.
        high: SValue,
    },
}

/// A comparison of a port, uid or gid with one value (`<= 1023`) or two
/// (`1024:2048`, `2000 >< 2004`), as pf.conf(5) writes it and pf's
/// `pf_match()` applies it.
///
/// ```
/// use pfconf::ast::PortOperator;
///
/// let op: PortOperator = "><".parse().unwrap();
/// assert_eq!(op, PortOperator::Inside);
/// assert!(op.matches(2001, 2000, 2004) && !op.matches(2000, 2000, 2004));
/// assert!(PortOperator::Range.matches(2000, 2000, 2004));
/// assert_eq!(PortOperator::Le.to_string(), "<=");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PortOperator {
    /// `=`: equal (the default: what a bare value means).
    #[default]
    Eq,
    /// `!=`: not equal.
    Ne,
    /// `<`: less than.
    Lt,
    /// `<=`: less than or equal.
    Le,
    /// `>`: greater than.
    Gt,
    /// `>=`: greater than or equal.
    Ge,
    /// `a:b`: from a to b, both included.
    Range,
    /// `a >< b`: between a and b, both excluded.
    Inside,
    /// `a <> b`: outside a to b (less than a or greater than b).
    Outside,
}

keywords!(serialize PortOperator, "port operator" {
    Eq => "=",
    Ne => "!=",
    Lt => "<",
    Le => "<=",
    Gt => ">",
    Ge => ">=",
    Range => ":",
    Inside => "><",
    Outside => "<>",
});

impl PortOperator {
    /// True when the operator compares with two values.
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            PortOperator::Range | PortOperator::Inside | PortOperator::Outside
        )
    }

    /// Whether `value` satisfies the comparison with `a` (and `b` for the
    /// binary operators).
    pub fn matches(self, value: u32, a: u32, b: u32) -> bool {
        match self {
            PortOperator::Eq => value == a,
            PortOperator::Ne => value != a,
            PortOperator::Lt => value < a,
            PortOperator::Le => value <= a,
            PortOperator::Gt => value > a,
            PortOperator::Ge => value >= a,
            PortOperator::Range => a <= value && value <= b,
            PortOperator::Inside => a < value && value < b,
            PortOperator::Outside => value < a || value > b,
        }
    }
}

/// An ICMP type with an optional code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IcmpItem {
    /// Type name or number.
    pub icmp_type: SValue,
    /// Code name or number.
    pub code: Option<SValue>,
}

/// `no state`, `keep state`, `modulate state`, `synproxy state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    /// no state
    No,
    /// keep state
    Keep,
    /// modulate state
    Modulate,
    /// synproxy state
    Synproxy,
}

// `Display` writes the words of pf.conf (`keep state`); the JSON AST
// keeps the single word (`keep`) of the derived `Serialize`.
keywords!(StateKind, "state kind" {
    No => "no state",
    Keep => "keep state",
    Modulate => "modulate state",
    Synproxy => "synproxy state",
});

/// One state option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum StateOpt {
    /// `max n`
    Max {
        /// n
        value: SValue,
    },
    /// `no-sync`
    NoSync,
    /// `max-src-states n`
    MaxSrcStates {
        /// n
        value: SValue,
    },
    /// `max-src-conn n`
    MaxSrcConn {
        /// n
        value: SValue,
    },
    /// `max-src-conn-rate n/s`
    MaxSrcConnRate {
        /// n
        limit: SValue,
        /// s
        seconds: SValue,
    },
    /// `overload <t> [flush [global]]`
    Overload {
        /// Table name.
        table: SValue,
        /// `flush`
        flush: bool,
        /// `flush global`
        global: bool,
    },
    /// `max-src-nodes n`
    MaxSrcNodes {
        /// n
        value: SValue,
    },
    /// `source-track [rule|global]`
    SourceTrack {
        /// None, `rule` or `global`.
        scope: Option<SourceTrackScope>,
    },
    /// `if-bound`
    IfBound,
    /// `floating`
    Floating,
    /// `sloppy`
    Sloppy,
    /// `pflow`
    Pflow,
    /// `tcp.established 3600` and the like.
    Timeout {
        /// Timeout name.
        name: SValue,
        /// Seconds.
        value: SValue,
    },
}

/// `source-track rule|global`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceTrackScope {
    /// rule
    Rule,
    /// global
    Global,
}

keywords!(SourceTrackScope, "source-track scope" {
    Rule => "rule",
    Global => "global",
});

/// One `scrub (...)` option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum ScrubOpt {
    /// no-df
    NoDf,
    /// min-ttl n
    MinTtl {
        /// n
        value: SValue,
    },
    /// max-mss n
    MaxMss {
        /// n
        value: SValue,
    },
    /// reassemble tcp
    Reassemble {
        /// The protocol word (only `tcp` is valid).
        value: SValue,
    },
    /// random-id
    RandomId,
}

/// Addresses and options of nat-to, rdr-to, binat-to, af-to, route-to...
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redirect {
    /// Target addresses, each with an optional weight.
    pub hosts: Vec<RedirHost>,
    /// `port p[:q|:*]`
    pub port: Option<SValue>,
    /// Pool options.
    pub pool: PoolOpts,
}

/// One target address of a redirection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedirHost {
    /// The address.
    pub host: Spanned<Host>,
    /// `weight n`
    pub weight: Option<SValue>,
}

/// Pool options (`round-robin sticky-address`...), each with its span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PoolOpts {
    /// The options in the order written.
    pub opts: Vec<Spanned<PoolOpt>>,
}

/// One pool option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum PoolOpt {
    /// bitmask
    Bitmask,
    /// random
    Random,
    /// source-hash [key]
    SourceHash {
        /// The key words.
        key: Vec<SValue>,
    },
    /// round-robin
    RoundRobin,
    /// least-states
    LeastStates,
    /// static-port
    StaticPort,
    /// sticky-address
    StickyAddress,
}

/// route-to, reply-to, dup-to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteKind {
    /// route-to
    RouteTo,
    /// reply-to
    ReplyTo,
    /// dup-to
    DupTo,
}

keywords!(RouteKind, "route option" {
    RouteTo => "route-to",
    ReplyTo => "reply-to",
    DupTo => "dup-to",
});

/// `block` or `no-match` in a limiter reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimiterAction {
    /// block
    Block,
    /// no-match
    NoMatch,
}

keywords!(LimiterAction, "limiter action" {
    Block => "block",
    NoMatch => "no-match",
});

/// state limiter or source limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LimiterKind {
    /// state limiter
    State,
    /// source limiter
    Source,
}

// As for `StateKind`: pf.conf's words here, one word in the JSON AST.
keywords!(LimiterKind, "limiter kind" {
    State => "state limiter",
    Source => "source limiter",
});

/// One filter option of a pass/block/match/anchor rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum FilterOpt {
    /// `user ...`
    User {
        /// Comparisons.
        items: Vec<Spanned<PortItem>>,
    },
    /// `group ...`
    Group {
        /// Comparisons.
        items: Vec<Spanned<PortItem>>,
    },
    /// `flags a/b` or `flags any`
    Flags {
        /// Flags that must be set (None with `any` or `/b`).
        set: Option<SValue>,
        /// Flags examined (None with `any`).
        mask: Option<SValue>,
    },
    /// `icmp-type ...` / `icmp6-type ...`
    IcmpType {
        /// True for icmp6-type.
        v6: bool,
        /// Items.
        items: Vec<Spanned<IcmpItem>>,
    },
    /// `prio n` (match criterion)
    Prio {
        /// n
        value: SValue,
    },
    /// `tos v` (match criterion)
    Tos {
        /// v
        value: SValue,
    },
    /// `no|keep|modulate|synproxy state [(opts)]`
    State {
        /// Which.
        kind: StateKind,
        /// Options.
        opts: Vec<Spanned<StateOpt>>,
    },
    /// fragment
    Fragment,
    /// allow-opts
    AllowOpts,
    /// `label "text"`
    Label {
        /// Text.
        value: SValue,
    },
    /// `queue q` / `set queue q` / `queue (q, p)`
    Queue {
        /// Queue.
        name: SValue,
        /// Priority queue.
        prio_name: Option<SValue>,
        /// Written as `set queue`.
        set: bool,
    },
    /// `tag name`
    Tag {
        /// Name words.
        value: Vec<SValue>,
    },
    /// `[!] tagged name`
    Tagged {
        /// `!`
        not: bool,
        /// Name words.
        value: Vec<SValue>,
    },
    /// `probability n%`
    Probability {
        /// As written.
        value: SValue,
    },
    /// `rtable n`
    Rtable {
        /// n
        value: SValue,
    },
    /// `divert-to host port p`
    DivertTo {
        /// Address.
        host: SValue,
        /// Port.
        port: SValue,
    },
    /// divert-reply
    DivertReply,
    /// `divert-packet port p`
    DivertPacket {
        /// Port.
        port: SValue,
    },
    /// `scrub (...)`
    Scrub {
        /// Options.
        opts: Vec<Spanned<ScrubOpt>>,
    },
    /// `nat-to ...`
    NatTo(Redirect),
    /// `binat-to ...`
    BinatTo(Redirect),
    /// `rdr-to ...`
    RdrTo(Redirect),
    /// `af-to inet|inet6 from ... [to ...]`
    AfTo {
        /// Target family.
        af: AddressFamily,
        /// Source translation.
        from: Redirect,
        /// Destination translation.
        to: Option<Redirect>,
    },
    /// `route-to|reply-to|dup-to ...`
    Route {
        /// Which.
        kind: RouteKind,
        /// Where.
        target: Redirect,
    },
    /// `[!] received-on if`
    ReceivedOn {
        /// `!`
        not: bool,
        /// Interface.
        interface: IfTarget,
    },
    /// once
    Once,
    /// `max-pkt-rate n/s`
    MaxPktRate {
        /// n
        limit: SValue,
        /// s
        seconds: SValue,
    },
    /// `set prio n` / `set prio (n, m)`
    SetPrio {
        /// First priority.
        prio: SValue,
        /// Second priority.
        prio2: Option<SValue>,
    },
    /// `set tos v`
    SetTos {
        /// v
        value: SValue,
    },
    /// `set delay ms`
    SetDelay {
        /// ms
        value: SValue,
    },
    /// `state limiter NAME [(opts)]` / `source limiter NAME [(opts)]`
    Limiter {
        /// Which.
        kind: LimiterKind,
        /// Limiter name.
        name: SValue,
        /// Options.
        actions: Vec<LimiterAction>,
    },
}

impl FilterOpt {
    /// True when a packet can fail to match the rule because of this
    /// option: a match criterion, which pf.c tests before the rule counts
    /// as matching, as opposed to an action (what the rule does to the
    /// packets it matches). The lints that compare what rules match and
    /// the evaluator ask this; an option that narrows and that a packet
    /// description does not fix makes the evaluator answer *maybe*.
    ///
    /// ```
    /// use pfconf::ast::FilterOpt;
    ///
    /// assert!(FilterOpt::Fragment.narrows());
    /// assert!(!FilterOpt::AllowOpts.narrows());
    /// assert!(!FilterOpt::Flags { set: None, mask: None }.narrows()); // flags any
    /// ```
    pub fn narrows(&self) -> bool {
        match self {
            // Match criteria (pf_match_rule's tests): the socket's user
            // and group, ICMP type and code, the packet's priority, TOS
            // and tag, chance, the interface it came in on, and only
            // fragments (which pf sees when it does not reassemble).
            FilterOpt::User { .. }
            | FilterOpt::Group { .. }
            | FilterOpt::IcmpType { .. }
            | FilterOpt::Prio { .. }
            | FilterOpt::Tos { .. }
            | FilterOpt::Tagged { .. }
            | FilterOpt::Probability { .. }
            | FilterOpt::ReceivedOn { .. }
            | FilterOpt::Fragment => true,
            // TCP flags, unless `flags any`, which checks none.
            FilterOpt::Flags { set, mask } => set.is_some() || mask.is_some(),
            // The rule stops matching: an expired `once` rule is skipped,
            // and so is a rule over its packet rate.
            FilterOpt::Once | FilterOpt::MaxPktRate { .. } => true,
            // A full limiter skips a `no-match` rule; otherwise the rule
            // matches and blocks the packet.
            FilterOpt::Limiter { actions, .. } => actions.contains(&LimiterAction::NoMatch),
            // Actions. `rtable` picks the routing table for what the rule
            // passes (pf_rule_to_actions), it does not test the packet's;
            // `keep state` is what pass rules do anyway; `allow-opts`
            // lets more packets through, never fewer.
            FilterOpt::State { .. }
            | FilterOpt::AllowOpts
            | FilterOpt::Label { .. }
            | FilterOpt::Queue { .. }
            | FilterOpt::Tag { .. }
            | FilterOpt::Rtable { .. }
            | FilterOpt::DivertTo { .. }
            | FilterOpt::DivertReply
            | FilterOpt::DivertPacket { .. }
            | FilterOpt::Scrub { .. }
            | FilterOpt::NatTo(_)
            | FilterOpt::BinatTo(_)
            | FilterOpt::RdrTo(_)
            | FilterOpt::AfTo { .. }
            | FilterOpt::Route { .. }
            | FilterOpt::SetPrio { .. }
            | FilterOpt::SetTos { .. }
            | FilterOpt::SetDelay { .. } => false,
        }
    }
}

/// A pass, block or match rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterRule {
    /// pass / block / match
    pub action: Spanned<Action>,
    /// in / out
    pub direction: Option<Direction>,
    /// `log ...`
    pub log: Option<Box<LogOpts>>,
    /// `quick`
    pub quick: bool,
    /// `on ...` (empty: not given)
    pub interfaces: Vec<Spanned<IfItem>>,
    /// inet / inet6
    pub af: Option<Spanned<AddressFamily>>,
    /// `proto ...`
    pub protos: Vec<SValue>,
    /// `all` / `from ... to ...`
    pub hosts: Hosts,
    /// Filter options in the order written.
    pub options: Vec<Spanned<FilterOpt>>,
}

impl FilterRule {
    /// A rule with this action and nothing else (`pass`, `block`...): no
    /// direction, interface, address family, protocol or option, `all`.
    pub fn new(action: Spanned<Action>) -> Self {
        FilterRule {
            action,
            direction: None,
            log: None,
            quick: false,
            interfaces: Vec::new(),
            af: None,
            protos: Vec::new(),
            hosts: Hosts::default(),
            options: Vec::new(),
        }
    }
}

/// `anchor [name] [filter] [{ body }]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorRule {
    /// Name or path (None for an unnamed inline anchor).
    pub name: Option<SValue>,
    /// The filter part: direction, quick, on, af, proto, hosts, options.
    pub filter: FilterRule,
    /// The inline ruleset, when written with braces.
    pub body: Option<Ruleset>,
}

/// `antispoof [log] [quick] for IFSPEC [af] [label s] [rtable n]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Antispoof {
    /// `log ...`
    pub log: Option<LogOpts>,
    /// `quick`
    pub quick: bool,
    /// Interfaces; `(if)` sets `dynamic`.
    pub interfaces: Vec<Spanned<AntispoofIf>>,
    /// inet / inet6
    pub af: Option<AddressFamily>,
    /// `label`
    pub label: Option<SValue>,
    /// `rtable`
    pub rtable: Option<SValue>,
}

/// One interface of an antispoof rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AntispoofIf {
    /// Written in parentheses.
    pub dynamic: bool,
    /// The interface.
    pub target: IfTarget,
}

/// `queue NAME [on IF] opts...`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueDef {
    /// Queue name.
    pub name: SValue,
    /// `on ...`
    pub interfaces: Vec<Spanned<IfItem>>,
    /// Options in order.
    pub opts: Vec<Spanned<QueueOpt>>,
}

/// A bandwidth with an optional burst.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceCurve {
    /// Bandwidth.
    pub bandwidth: SValue,
    /// `burst b for t`
    pub burst: Option<(SValue, SValue)>,
}

/// One queue option.
#[allow(clippy::large_enum_variant)] // AST nodes are built once and read in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum QueueOpt {
    /// `bandwidth b [burst ...] [, min b] [, max b]`
    Bandwidth {
        /// Link share.
        share: ServiceCurve,
        /// `min`
        min: Option<ServiceCurve>,
        /// `max`
        max: Option<ServiceCurve>,
    },
    /// `parent q`
    Parent {
        /// q
        value: SValue,
    },
    /// default
    Default,
    /// `qlimit n`
    Qlimit {
        /// n
        value: SValue,
    },
    /// `flows n`
    Flows {
        /// n
        value: SValue,
    },
    /// `quantum n`
    Quantum {
        /// n
        value: SValue,
    },
}

/// `state limiter ...` or `source limiter ...`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimiterDef {
    /// Which.
    pub kind: LimiterKind,
    /// Name.
    pub name: SValue,
    /// Options.
    pub opts: Vec<Spanned<LimiterOpt>>,
}

/// One limiter definition option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum LimiterOpt {
    /// `id n`
    Id {
        /// n
        value: SValue,
    },
    /// `limit n`
    Limit {
        /// n
        value: SValue,
    },
    /// `rate n/s`
    Rate {
        /// n
        limit: SValue,
        /// s
        seconds: SValue,
    },
    /// `entries n`
    Entries {
        /// n
        value: SValue,
    },
    /// `inet|inet6 mask n`
    Mask {
        /// Family.
        af: AddressFamily,
        /// Prefix length.
        value: SValue,
    },
    /// `table <t> above n [below m]`
    Table {
        /// Table.
        name: SValue,
        /// High water mark.
        above: SValue,
        /// Low water mark.
        below: Option<SValue>,
    },
}

/// Serializes a nested host list as a struct with an `items` field, so that
/// it fits [`HostKind`]'s internal `kind` tag.
fn host_list_items<S: serde::Serializer>(items: &[Spanned<Host>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("List", 1)?;
    st.serialize_field("items", items)?;
    st.end()
}

/// Calls `f` on every filter rule of a ruleset: pass/block/match rules and
/// the filter part of anchor rules, inline anchor bodies included.
pub(crate) fn walk_rules<'a>(rs: &'a Ruleset, f: &mut dyn FnMut(&'a FilterRule)) {
    for s in &rs.statements {
        match &s.kind {
            StatementKind::Rule(r) => f(r),
            StatementKind::Anchor(a) => {
                f(&a.filter);
                if let Some(b) = &a.body {
                    walk_rules(b, f);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod keyword_tests {
    use super::*;
    use std::fmt::Display;
    use std::str::FromStr;

    fn round_trip<T>(all: &[T])
    where
        T: Copy + Display + FromStr + PartialEq + std::fmt::Debug,
        T::Err: std::fmt::Debug,
    {
        for v in all {
            assert_eq!(v.to_string().parse::<T>().ok(), Some(*v), "{v}");
        }
    }

    #[test]
    fn keywords_read_back_what_they_write() {
        round_trip(Direction::ALL);
        round_trip(AddressFamily::ALL);
        round_trip(StateKind::ALL);
        round_trip(BlockPolicy::ALL);
        round_trip(BlockKind::ALL);
        round_trip(StatePolicy::ALL);
        round_trip(SourceTrackScope::ALL);
        round_trip(RouteKind::ALL);
        round_trip(LimiterAction::ALL);
        round_trip(LimiterKind::ALL);
        round_trip(PortOperator::ALL);
    }

    #[test]
    fn display_writes_pf_conf_words() {
        assert_eq!(Direction::Out.to_string(), "out");
        assert_eq!(AddressFamily::Inet6.to_string(), "inet6");
        assert_eq!(StateKind::No.to_string(), "no state");
        assert_eq!(StatePolicy::IfBound.to_string(), "if-bound");
        assert_eq!(RouteKind::ReplyTo.to_string(), "reply-to");
        assert_eq!(LimiterKind::Source.to_string(), "source limiter");
        assert_eq!(PortOperator::Outside.to_string(), "<>");
        assert_eq!(format!("[{:>4}]", Direction::In), "[  in]");
    }

    #[test]
    fn json_forms_stay_as_the_schemas_publish_them() {
        let json = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        // The AST keeps its single words; the new enums write their word.
        assert_eq!(json(serde_json::json!(StateKind::Keep)), "keep");
        assert_eq!(json(serde_json::json!(LimiterKind::State)), "state");
        for op in PortOperator::ALL {
            assert_eq!(json(serde_json::json!(op)), op.to_string());
        }
        for k in BlockKind::ALL {
            assert_eq!(json(serde_json::json!(k)), k.to_string());
        }
    }

    #[test]
    fn unknown_words_are_errors_that_name_the_choices() {
        let e = "modulate".parse::<StateKind>().unwrap_err();
        assert_eq!(e.word, "modulate");
        assert_eq!(
            e.to_string(),
            "unknown state kind `modulate`: expected no state, keep state, modulate state or synproxy state"
        );
        assert!("IN".parse::<Direction>().is_err());
    }

    #[test]
    fn port_operators_compare_as_pf_match_does() {
        use PortOperator::*;
        let cases = [
            (Eq, 80, true),
            (Ne, 80, false),
            (Lt, 79, true),
            (Le, 80, true),
            (Gt, 80, false),
            (Ge, 80, true),
        ];
        for (op, v, want) in cases {
            assert_eq!(op.matches(v, 80, 0), want, "{v} {op} 80");
        }
        assert!(Range.matches(1024, 1024, 2048) && Range.matches(2048, 1024, 2048));
        assert!(!Inside.matches(1024, 1024, 2048) && Inside.matches(1025, 1024, 2048));
        assert!(Outside.matches(1023, 1024, 2048) && !Outside.matches(2048, 1024, 2048));
        assert!(Range.is_binary() && !Le.is_binary());
    }

    #[test]
    fn block_specs_have_a_kind() {
        let s = Span::default();
        let rst = BlockSpec::ReturnRst {
            ttl: Some(Spanned::new(Value::Word("5".into()), s)),
        };
        assert_eq!(rst.kind(), BlockKind::ReturnRst);
        assert_eq!(BlockKind::from(BlockPolicy::Drop), BlockKind::Drop);
    }
}

#[cfg(test)]
mod size_tests {
    /// Memory per statement matters on 100,000-rule rulesets: keep the
    /// node small (large variants are boxed).
    #[test]
    fn statement_stays_small() {
        assert!(std::mem::size_of::<super::Statement>() <= 200);
        assert!(std::mem::size_of::<super::StatementKind>() <= 96);
    }
}

#[cfg(test)]
mod narrows_tests {
    use super::*;
    use crate::parser::keywords::FILTER_OPTIONS;
    use crate::span::FileId;

    /// Options that test the packet: they narrow.
    const CRITERIA: &[&str] = &[
        "user { root, > 1000 }",
        "group wheel",
        "icmp-type echoreq code 0",
        "icmp6-type neighbrsol",
        "prio 0",
        "tos lowdelay",
        "tagged INTERNAL",
        "! tagged INTERNAL",
        "probability 50%",
        "received-on em0",
        "! received-on any",
        "fragment",
    ];

    /// Options that do something to the packets the rule matches.
    const ACTIONS: &[&str] = &[
        "keep state",
        "no state",
        "modulate state (max 10)",
        "synproxy state",
        "allow-opts",
        "label \"x\"",
        "queue (bulk, ack)",
        "set queue q",
        "tag INTERNAL",
        "rtable 1",
        "divert-to 127.0.0.1 port 8080",
        "divert-reply",
        "divert-packet port 700",
        "scrub (no-df, max-mss 1440)",
        "nat-to 192.0.2.1",
        "binat-to 192.0.2.2",
        "rdr-to 10.0.0.1 port 8080",
        "af-to inet6 from 2001:db8::1",
        "route-to 192.0.2.254",
        "reply-to 192.0.2.254",
        "dup-to 192.0.2.254",
        "set prio (1, 2)",
        "set tos lowdelay",
        "set delay 5",
    ];

    const FLAGS: &[&str] = &["flags S/SA", "flags /SFRA", "flags S/S", "flags $f/SA"];
    const EXPIRING: &[&str] = &["once", "max-pkt-rate 100/10"];
    const LIMITERS_NO_MATCH: &[&str] = &[
        "state limiter dns (no-match)",
        "source limiter web (block, no-match)",
    ];
    const LIMITERS_BLOCK: &[&str] = &["state limiter dns", "source limiter web (block)"];

    /// The option of `pass in TEXT`.
    fn opt(text: &str) -> FilterOpt {
        let (rs, diags) = crate::parser::parse(&format!("pass in {text}"), FileId(0));
        assert!(diags.is_empty(), "{text}: {diags:?}");
        match &rs.statements[0].kind {
            StatementKind::Rule(r) if r.options.len() == 1 => r.options[0].node.clone(),
            k => panic!("{text}: {k:?}"),
        }
    }

    fn narrows(text: &str) -> bool {
        opt(text).narrows()
    }

    #[test]
    fn match_criteria_narrow() {
        for t in CRITERIA {
            assert!(narrows(t), "{t}");
        }
    }

    #[test]
    fn flags_narrow_unless_any() {
        for t in FLAGS {
            assert!(narrows(t), "{t}");
        }
        assert!(!narrows("flags any"));
    }

    #[test]
    fn once_and_max_pkt_rate_narrow() {
        // The rule stops matching: after its first match, or over its rate.
        for t in EXPIRING {
            assert!(narrows(t), "{t}");
        }
    }

    #[test]
    fn a_limiter_narrows_only_with_no_match() {
        for t in LIMITERS_NO_MATCH {
            assert!(narrows(t), "{t}");
        }
        // Without it, a full limiter blocks the packet: the rule matched.
        for t in LIMITERS_BLOCK {
            assert!(!narrows(t), "{t}");
        }
    }

    #[test]
    fn actions_do_not_narrow() {
        for t in ACTIONS {
            assert!(!narrows(t), "{t}");
        }
    }

    #[test]
    fn the_tests_above_meet_every_option_kind() {
        let met: Vec<_> = [
            CRITERIA,
            ACTIONS,
            FLAGS,
            EXPIRING,
            LIMITERS_NO_MATCH,
            LIMITERS_BLOCK,
        ]
        .concat()
        .iter()
        .map(|t| opt(t).kind())
        .collect();
        for spec in FILTER_OPTIONS {
            assert!(
                met.contains(&spec.kind),
                "no narrows test for {}",
                spec.name
            );
        }
    }
}
