//! Filter rules and the statements shaped like them: `FilterRule`
//! (action, direction, log, quick, interfaces, address family, protocols,
//! `from`/`to` and options in written order), `AnchorRule` and
//! `Antispoof`. Keyword enums print and parse as pf.conf(5) spells them.

use super::*;

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
