//! A filter rule's options (`FilterOpt`, in written order) and the
//! parts they carry: state and scrub options, redirections (`nat-to`,
//! `rdr-to`, `route-to`...) with their pools, limiters. Whether an
//! option narrows the packets a rule matches is `FilterOpt::narrows`.

use super::*;

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
        set: Option<Box<SValue>>,
        /// Flags examined (None with `any`).
        mask: Option<Box<SValue>>,
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
        name: Box<SValue>,
        /// Priority queue.
        prio_name: Option<Box<SValue>>,
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
        host: Box<SValue>,
        /// Port.
        port: Box<SValue>,
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
    NatTo(Box<Redirect>),
    /// `binat-to ...`
    BinatTo(Box<Redirect>),
    /// `rdr-to ...`
    RdrTo(Box<Redirect>),
    /// `af-to inet|inet6 from ... [to ...]`
    AfTo {
        /// Target family.
        af: AddressFamily,
        /// Source translation.
        from: Box<Redirect>,
        /// Destination translation.
        to: Option<Box<Redirect>>,
    },
    /// `route-to|reply-to|dup-to ...`
    Route {
        /// Which.
        kind: RouteKind,
        /// Where.
        target: Box<Redirect>,
    },
    /// `[!] received-on if`
    ReceivedOn {
        /// `!`
        not: bool,
        /// Interface.
        interface: Box<IfTarget>,
    },
    /// once
    Once,
    /// `max-pkt-rate n/s`
    MaxPktRate {
        /// n
        limit: Box<SValue>,
        /// s
        seconds: Box<SValue>,
    },
    /// `set prio n` / `set prio (n, m)`
    SetPrio {
        /// First priority.
        prio: Box<SValue>,
        /// Second priority.
        prio2: Option<Box<SValue>>,
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
        name: Box<SValue>,
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
