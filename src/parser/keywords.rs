//! pf.conf's keywords in one table: the words pfctl reserves, and every
//! filter option of pass, block, match and anchor rules with its shape.
//!
//! The grammar (`grammar/pf.pest`) stays hand-written, since pest_derive
//! reads it at compile time; the tests at the end of this module hold it
//! to this table: its `keyword` rule is [`RESERVED`], its `kw_*` tokens are
//! [`RESERVED`] and [`UNRESERVED`], and its `filter_opt` and `filter_set`
//! alternatives are [`FILTER_OPTIONS`], first words, `!` and shapes
//! included.
//!
//! Who reads the table: both parsers find an option's [`OptKind`] by its
//! first word ([`rule_option`], [`set_option`]) and then build it in a
//! `match` on the kind that lists every kind, so that a new
//! [`FilterOpt`] variant does not compile until both build it; the fast
//! path also takes its reserved words from [`RESERVED`]; `check` takes
//! the "given twice" messages from [`OptSpec::given_twice`]; the formatter
//! breaks macro-shaped rules before every option's first word
//! ([`starts_option`]); and the tests take their lists of keywords and
//! options, and an example of every option, from here.
//!
//! Two facts are not columns: every option starts a piece the formatter
//! may break a line before, so that needs none; and whether an option
//! narrows what a rule matches can depend on its values (`flags any`
//! does not, a limiter with `no-match` does), so it is the exhaustive
//! [`FilterOpt::narrows`].
//!
//! ```
//! use pfconf::ast::FilterOpt;
//! use pfconf::parser::keywords::{self, OptKind, Shape};
//!
//! assert!(keywords::is_reserved("max-pkt-rate"));
//! assert!(!keywords::is_reserved("limiter"));
//! let spec = keywords::rule_option(b"max-pkt-rate").unwrap();
//! assert_eq!((spec.kind, spec.shape), (OptKind::MaxPktRate, Shape::Rate));
//! assert_eq!(FilterOpt::Once.kind().spec().name, "once");
//! ```

use crate::ast::FilterOpt;

/// pfctl's reserved words, as the grammar's `keyword` rule lists them:
/// grouped by first letter, and within a group every word before any
/// shorter word that is its prefix (`max-src-conn-rate` before
/// `max-src-conn`), since the rule takes the first word that matches.
/// A reserved word is never an unquoted name.
pub const RESERVED: &[&[&str]] = &[
    &["allow-opts", "antispoof", "anchor", "af-to", "all", "any"],
    &[
        "block-policy",
        "bandwidth",
        "binat-to",
        "bitmask",
        "block",
        "burst",
    ],
    &["code"],
    &[
        "divert-packet",
        "divert-reply",
        "divert-to",
        "default",
        "dup-to",
        "debug",
        "delay",
        "drop",
    ],
    &[
        "fingerprints",
        "floating",
        "fragment",
        "flags",
        "flows",
        "flush",
        "file",
        "from",
        "for",
    ],
    &["global", "group"],
    &["hostid"],
    &[
        "icmp6-type",
        "icmp-type",
        "if-bound",
        "include",
        "inet6",
        "inet",
        "in",
    ],
    &["keep"],
    &[
        "least-states",
        "loginterface",
        "label",
        "limit",
        "load",
        "log",
    ],
    &[
        "max-src-conn-rate",
        "max-src-states",
        "max-src-nodes",
        "max-pkt-rate",
        "max-src-conn",
        "modulate",
        "matches",
        "max-mss",
        "min-ttl",
        "match",
        "max",
        "min",
    ],
    &["no-route", "no-sync", "nat-to", "no-df", "no"],
    &["optimization", "overload", "once", "out", "on", "os"],
    &[
        "probability",
        "parent",
        "pflow",
        "proto",
        "pass",
        "port",
        "prio",
    ],
    &["quantum", "qlimit", "queue", "quick"],
    &[
        "ruleset-optimization",
        "return-icmp6",
        "received-on",
        "return-icmp",
        "round-robin",
        "reassemble",
        "return-rst",
        "random-id",
        "reply-to",
        "route-to",
        "rdomain",
        "random",
        "rdr-to",
        "return",
        "rtable",
        "route",
        "rule",
    ],
    &[
        "state-defaults",
        "sticky-address",
        "source-track",
        "state-policy",
        "source-hash",
        "static-port",
        "syncookies",
        "synproxy",
        "sloppy",
        "scrub",
        "state",
        "skip",
        "set",
    ],
    &["timeout", "tagged", "table", "tag", "tos", "ttl", "to"],
    &["urpf-failed", "user"],
    &["weight"],
];

/// Keywords of the grammar (`kw_*` tokens) that pfctl does not reserve:
/// the 2026 limiter syntax's words. They are names elsewhere (`source` is
/// a fine macro name), so they are not in the `keyword` rule.
pub const UNRESERVED: &[&str] = &[
    "source", "limiter", "id", "rate", "entries", "mask", "above", "below", "no-match",
];

/// True when `word`, whole, is one of pfctl's [`RESERVED`] words.
pub fn is_reserved(word: &str) -> bool {
    RESERVED.iter().flat_map(|g| g.iter()).any(|k| *k == word)
}

/// What follows an option's first word, as the grammar writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// Nothing: the word alone (`fragment`, `once`).
    Flag,
    /// `num`: a number or a macro (`prio 3`, `rtable 1`).
    Num,
    /// `numberstring`: a number or a string (`tos 0x10`, `probability 50%`).
    NumberString,
    /// `string` (`label "ssh"`).
    String,
    /// `string_seq`: strings joined with spaces (`tag a b`).
    StringSeq,
    /// `num / num` (`max-pkt-rate 100/10`).
    Rate,
    /// A production of its own (lists, hosts, pools, parentheses...).
    Other,
}

/// pfctl refuses a rule that gives two options of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GivenTwice {
    /// The group: options that a rule may have only one of between them
    /// (`nat-to`, `binat-to` and `af-to` are `"nat"`); most options are a
    /// group of their own.
    pub group: &'static str,
    /// pfctl's message for the second one (`label cannot be redefined`).
    pub message: &'static str,
}

/// One filter option: what the parsers, `check` and the formatter need
/// to know about it besides how to read and print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptSpec {
    /// Which option.
    pub kind: OptKind,
    /// Its name: the `opt` tag of the option in the JSON AST
    /// (`max-pkt-rate`, `set-tos`).
    pub name: &'static str,
    /// The words it can start with as a rule option, in the grammar's
    /// order (`keep`, `modulate`...); none for an option written only
    /// after `set`.
    pub words: &'static [&'static str],
    /// The word it starts with after `set` (`set prio 3`, `set (prio 3,
    /// queue q)`), when it is one of `set`'s items.
    pub after_set: Option<&'static str>,
    /// True when a `!` may come before it (`! tagged`, `! received-on`).
    pub negatable: bool,
    /// What follows the first word.
    pub shape: Shape,
    /// pfctl's refusal when the rule has another option of its group.
    pub given_twice: Option<GivenTwice>,
    /// The option as one writes it, for documentation and tests.
    pub example: &'static str,
}

/// The fields a row of [`FILTER_OPTIONS`] does not give.
const ROW: OptSpec = OptSpec {
    kind: OptKind::Once, // always given: the macro writes it
    name: "",
    words: &[],
    after_set: None,
    negatable: false,
    shape: Shape::Other,
    given_twice: None,
    example: "",
};

/// A [`GivenTwice`]: at most one option of `group` per rule, and the
/// message for this one when it comes second.
const fn twice(group: &'static str, message: &'static str) -> Option<GivenTwice> {
    Some(GivenTwice { group, message })
}

/// Writes [`OptKind`], [`FilterOpt::kind`] (one arm per variant, so a new
/// variant needs its row here) and [`FILTER_OPTIONS`] from one row per
/// option.
macro_rules! filter_options {
    ($(
        $(#[$doc:meta])*
        $kind:ident { $($field:ident : $value:expr),* $(,)? }
    )*) => {
        /// Which filter option: one value per [`FilterOpt`] variant, with
        /// the same name. Both parsers build options in a `match` on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OptKind {
            $($(#[$doc])* $kind,)*
        }

        impl FilterOpt {
            /// Which option this is.
            pub fn kind(&self) -> OptKind {
                match self {
                    $(FilterOpt::$kind { .. } => OptKind::$kind,)*
                }
            }
        }

        /// Every filter option, in [`OptKind`]'s order.
        pub const FILTER_OPTIONS: &[OptSpec] = &[
            $(OptSpec { kind: OptKind::$kind, $($field: $value,)* ..ROW },)*
        ];
    };
}

filter_options! {
    /// `user ...`
    User {
        name: "user",
        words: &["user"],
        example: "user { root, > 1000 }",
    }
    /// `group ...`
    Group {
        name: "group",
        words: &["group"],
        example: "group wheel",
    }
    /// `flags a/b`, `flags any`
    Flags {
        name: "flags",
        words: &["flags"],
        given_twice: twice("flags", "flags cannot be redefined"),
        example: "flags S/SA",
    }
    /// `icmp-type ...`, `icmp6-type ...`
    IcmpType {
        name: "icmp-type",
        words: &["icmp-type", "icmp6-type"],
        given_twice: twice("icmp-type", "icmp-type cannot be redefined"),
        example: "icmp-type echoreq code 0",
    }
    /// `prio n`
    Prio {
        name: "prio",
        words: &["prio"],
        shape: Shape::Num,
        given_twice: twice("prio", "prio cannot be redefined"),
        example: "prio 3",
    }
    /// `tos v`
    Tos {
        name: "tos",
        words: &["tos"],
        shape: Shape::NumberString,
        given_twice: twice("tos", "tos cannot be redefined"),
        example: "tos lowdelay",
    }
    /// `no state`, `keep state`, `modulate state`, `synproxy state`
    State {
        name: "state",
        words: &["no", "keep", "modulate", "synproxy"],
        given_twice: twice("state", "modulate or keep cannot be redefined"),
        example: "keep state (max 100, source-track rule)",
    }
    /// `fragment`
    Fragment {
        name: "fragment",
        words: &["fragment"],
        shape: Shape::Flag,
        example: "fragment",
    }
    /// `allow-opts`
    AllowOpts {
        name: "allow-opts",
        words: &["allow-opts"],
        shape: Shape::Flag,
        example: "allow-opts",
    }
    /// `label "text"`
    Label {
        name: "label",
        words: &["label"],
        shape: Shape::String,
        given_twice: twice("label", "label cannot be redefined"),
        example: "label \"ssh\"",
    }
    /// `queue q`, `set queue q`
    Queue {
        name: "queue",
        words: &["queue"],
        after_set: Some("queue"),
        given_twice: twice("queue", "queue cannot be redefined"),
        example: "queue (bulk, ack)",
    }
    /// `tag name`
    Tag {
        name: "tag",
        words: &["tag"],
        shape: Shape::StringSeq,
        example: "tag INTERNAL",
    }
    /// `[!] tagged name`
    Tagged {
        name: "tagged",
        words: &["tagged"],
        negatable: true,
        shape: Shape::StringSeq,
        example: "! tagged INTERNAL",
    }
    /// `probability n%`
    Probability {
        name: "probability",
        words: &["probability"],
        shape: Shape::NumberString,
        example: "probability 50%",
    }
    /// `rtable n`
    Rtable {
        name: "rtable",
        words: &["rtable"],
        shape: Shape::Num,
        example: "rtable 1",
    }
    /// `divert-to host port p`
    DivertTo {
        name: "divert-to",
        words: &["divert-to"],
        given_twice: twice("divert", "more than one divert option"),
        example: "divert-to 127.0.0.1 port 8080",
    }
    /// `divert-reply`
    DivertReply {
        name: "divert-reply",
        words: &["divert-reply"],
        shape: Shape::Flag,
        given_twice: twice("divert", "more than one divert option"),
        example: "divert-reply",
    }
    /// `divert-packet port p`
    DivertPacket {
        name: "divert-packet",
        words: &["divert-packet"],
        given_twice: twice("divert", "more than one divert option"),
        example: "divert-packet port 700",
    }
    /// `scrub (...)`
    Scrub {
        name: "scrub",
        words: &["scrub"],
        example: "scrub (no-df, max-mss 1440)",
    }
    /// `nat-to ...`
    NatTo {
        name: "nat-to",
        words: &["nat-to"],
        given_twice: twice("nat", "cannot respecify nat-to/binat-to"),
        example: "nat-to 192.0.2.1 port 1024:65535 static-port",
    }
    /// `binat-to ...`
    BinatTo {
        name: "binat-to",
        words: &["binat-to"],
        given_twice: twice("nat", "cannot respecify nat-to/binat-to"),
        example: "binat-to 192.0.2.2",
    }
    /// `rdr-to ...`
    RdrTo {
        name: "rdr-to",
        words: &["rdr-to"],
        given_twice: twice("rdr-to", "cannot respecify rdr-to"),
        example: "rdr-to { 10.0.0.1, 10.0.0.2 } port 8080 round-robin",
    }
    /// `af-to inet|inet6 from ... [to ...]`
    AfTo {
        name: "af-to",
        words: &["af-to"],
        given_twice: twice("nat", "cannot respecify af-to"),
        example: "af-to inet6 from 2001:db8::1 to 64:ff9b::/96",
    }
    /// `route-to ...`, `reply-to ...`, `dup-to ...`
    Route {
        name: "route",
        words: &["route-to", "reply-to", "dup-to"],
        given_twice: twice("route", "cannot respecify route-to/reply-to/dup-to"),
        example: "route-to 192.0.2.254",
    }
    /// `[!] received-on if`
    ReceivedOn {
        name: "received-on",
        words: &["received-on"],
        negatable: true,
        given_twice: twice("received-on", "cannot respecify received-on"),
        example: "received-on em0",
    }
    /// `once`
    Once {
        name: "once",
        words: &["once"],
        shape: Shape::Flag,
        example: "once",
    }
    /// `max-pkt-rate n/s`
    MaxPktRate {
        name: "max-pkt-rate",
        words: &["max-pkt-rate"],
        shape: Shape::Rate,
        given_twice: twice("max-pkt-rate", "cannot respecify max-pkt-rate"),
        example: "max-pkt-rate 100/10",
    }
    /// `set prio n`, `set prio (n, m)`
    SetPrio {
        name: "set-prio",
        after_set: Some("prio"),
        given_twice: twice("set-prio", "prio cannot be redefined"),
        example: "set prio (1, 2)",
    }
    /// `set tos v`
    SetTos {
        name: "set-tos",
        after_set: Some("tos"),
        shape: Shape::NumberString,
        given_twice: twice("set-tos", "tos cannot be respecified"),
        example: "set tos lowdelay",
    }
    /// `set delay ms`
    SetDelay {
        name: "set-delay",
        after_set: Some("delay"),
        shape: Shape::Num,
        given_twice: twice("set-delay", "delay cannot be respecified"),
        example: "set delay 5",
    }
    /// `state limiter NAME [(...)]`, `source limiter NAME [(...)]`
    Limiter {
        name: "limiter",
        words: &["state", "source"],
        example: "state limiter dns (no-match)",
    }
}

// The table is in `OptKind`'s order, so that `OptKind::spec` is an index.
const _: () = {
    let mut i = 0;
    while i < FILTER_OPTIONS.len() {
        assert!(FILTER_OPTIONS[i].kind as usize == i);
        i += 1;
    }
};

impl OptKind {
    /// This option's row of [`FILTER_OPTIONS`].
    #[inline]
    pub fn spec(self) -> &'static OptSpec {
        &FILTER_OPTIONS[self as usize]
    }
}

impl FilterOpt {
    /// This option's row of [`FILTER_OPTIONS`].
    pub fn spec(&self) -> &'static OptSpec {
        self.kind().spec()
    }
}

/// The option a rule's option starting with `word` is (`keep` is
/// [`OptKind::State`], `state` is [`OptKind::Limiter`]); `None` for
/// `set`, whose items [`set_option`] finds, and for any other word.
#[inline]
pub fn rule_option(word: &[u8]) -> Option<&'static OptSpec> {
    // The fast path asks this for every option: look only at the words
    // with the same first letter.
    let first = word.first()?.wrapping_sub(b'a') as usize;
    BY_LETTER
        .get(first)?
        .iter()
        .map_while(|w| *w)
        .find(|(w, _)| w.as_bytes() == word)
        .map(|(_, kind)| kind.spec())
}

/// Most option words sharing a first letter (`r`: rtable, rdr-to,
/// route-to, reply-to, received-on).
const PER_LETTER: usize = 8;

/// [`OptSpec::words`] by first letter (`a` to `z`), with their option.
const BY_LETTER: [[Option<(&str, OptKind)>; PER_LETTER]; 26] = {
    let mut t: [[Option<(&str, OptKind)>; PER_LETTER]; 26] = [[None; PER_LETTER]; 26];
    let mut i = 0;
    while i < FILTER_OPTIONS.len() {
        let words = FILTER_OPTIONS[i].words;
        let mut j = 0;
        while j < words.len() {
            let letter = words[j].as_bytes()[0];
            assert!(letter.is_ascii_lowercase());
            let slot = &mut t[(letter - b'a') as usize];
            let mut k = 0;
            while slot[k].is_some() {
                k += 1; // past PER_LETTER: a compile error, raise it
            }
            slot[k] = Some((words[j], FILTER_OPTIONS[i].kind));
            j += 1;
        }
        i += 1;
    }
    t
};

/// The option a `set` item starting with `word` is (`prio` is
/// [`OptKind::SetPrio`], `queue` is [`OptKind::Queue`]).
pub fn set_option(word: &[u8]) -> Option<&'static OptSpec> {
    FILTER_OPTIONS
        .iter()
        .find(|s| s.after_set.is_some_and(|w| w.as_bytes() == word))
}

/// True when a filter option can start with `word`: one of its
/// [`OptSpec::words`], or `set`.
pub fn starts_option(word: &str) -> bool {
    word == "set" || rule_option(word.as_bytes()).is_some()
}

#[cfg(test)]
mod tests;
