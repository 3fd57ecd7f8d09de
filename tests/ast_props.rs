//! Property tests over typed ASTs (issue #8, item 2).
//!
//! `tests/fmt_props.rs` generates text from templates; this file generates
//! `pfconf::ast` values directly: proptest strategies build `Statement`s of
//! every kind (macros, include, load anchor, tables, every `set` option,
//! pass/block/match rules with every filter option, anchors nested up to
//! three deep with and without bodies, antispoof, queues, state and source
//! limiters), print them with the public formatter (`fmt::format_ast`) and
//! check:
//!
//! 1. print → parse gives no diagnostic and the same AST (by meaning:
//!    spans and trivia aside), statement by statement, into anchor bodies;
//! 2. with comment lines, trailing comments, blank lines and whitespace
//!    noise inserted into the printed text, `fmt::format_safely` succeeds
//!    without keeping anything as written, `fmt::verify` accepts the result,
//!    the parsed input and output are the same statement by statement,
//!    every comment is in the output and formatting the output again
//!    changes nothing;
//! 3. for rulesets `check_str` accepts (a second, conservative strategy
//!    builds mostly-valid ones), `expand` is deterministic and gives the
//!    same text for the printed, the noisy and the re-formatted file.
//!
//! Every property counts how many cases reached its core and asserts a
//! floor, so that none can pass vacuously (and property 1 that every
//! statement kind, `set` option and filter option was generated).
//! `PROPTEST_CASES=n` runs longer searches. The library bugs these
//! properties found are regression tests at the end. Values are syntactically valid
//! (words that are not reserved, numbers where the grammar wants a number,
//! quoted strings where the printer quotes); only property 3 needs semantic
//! validity.

use pfconf::ast::*;
use pfconf::expand::{expand, Interfaces};
use pfconf::fmt::{format_ast, format_checked, format_safely, verify, FormatOptions};
use pfconf::meaning::same;
use pfconf::parser::keywords::{self, FILTER_OPTIONS};
use pfconf::{check_str, parse_str, SourceMap, Span};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, Union};
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

type S<T> = BoxedStrategy<T>;

// ------------------------------------------------------------------ words

/// Words that are not reserved but that the parser treats specially
/// besides pfctl's reserved words (`keywords::RESERVED`) and the limiter
/// syntax's words (`keywords::UNRESERVED`: `source limiter` after a word
/// list would be read as part of it): first words the legacy-syntax check
/// rejects, and ALTQ's queue words (legacy syntax anywhere in a `queue`
/// statement).
const LEGACY_FIRST_WORDS: &str = "nat rdr binat altq ether dnpipe dnqueue";
const ALTQ_WORDS: &str = "cbq priq hfsc codel fairq borrow red ecn realtime upperlimit linkshare";

fn is_in(list: &str, w: &str) -> bool {
    list.split_whitespace().any(|k| k == w)
}

fn reserved(w: &str) -> bool {
    keywords::is_reserved(w)
        || keywords::UNRESERVED.contains(&w)
        || [LEGACY_FIRST_WORDS, ALTQ_WORDS].iter().any(|l| is_in(l, w))
}

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, Span::default())
}

fn word(s: impl Into<Text>) -> SValue {
    sp(Value::Word(s.into()))
}

fn quoted(s: impl Into<Text>) -> SValue {
    sp(Value::Quoted(s.into()))
}

fn mref(name: &str, suffix: &str) -> SValue {
    sp(Value::Macro(Box::new(MacroRef {
        name: name.into(),
        suffix: suffix.into(),
    })))
}

fn words(v: &'static [&'static str]) -> S<SValue> {
    select(v).prop_map(word).boxed()
}

/// A lower-case name that is not a reserved word.
fn ident() -> S<String> {
    "[a-z][a-z0-9_]{0,6}"
        .prop_filter("reserved word", |s| !reserved(s))
        .boxed()
}

/// An unquoted STRING token: names with dots, dashes, digits, a leading
/// underscore (the whole word checked again: `round` + `robin` is a
/// keyword).
fn name_word() -> S<String> {
    prop_oneof![
        5 => ident(),
        1 => (ident(), ident()).prop_map(|(a, b)| format!("{a}.{b}")),
        1 => (ident(), ident()).prop_map(|(a, b)| format!("{a}-{b}")),
        1 => (ident(), 0u32..100).prop_map(|(a, n)| format!("{a}{n}")),
        1 => "_[a-z]{1,5}",
    ]
    .prop_filter("reserved word", |s| !reserved(s))
    .boxed()
}

/// The text of a quoted string: printable characters, a `"` (which the
/// printer escapes), a backslash before a letter (kept as is); no `>`, so
/// that `->` (legacy syntax) never appears. A backslash before a blank, a
/// quote or the end is left out: the printer does not escape it (see
/// `backslash_in_quoted_string`). Strings holding an ALTQ word are left
/// out: in a `queue` statement they are legacy syntax.
fn qtext() -> S<String> {
    prop_oneof![
        12 => "[a-zA-Z0-9 _./:#{}'!,=-]{0,12}",
        2 => "[a-z ]{0,4}\"[a-z{},' ]{0,4}",
        1 => "[a-z:]{0,4}\\\\[a-z][a-z ]{0,4}",
    ]
    .prop_filter("legacy word", |s| {
        !s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| is_in(ALTQ_WORDS, w))
    })
    .boxed()
}

/// A NUMBER token (pfctl's lexer reads a leading `-` as part of it).
fn number() -> S<String> {
    prop_oneof![
        5 => (0u32..=10).prop_map(|n| n.to_string()),
        5 => (0u32..70_000).prop_map(|n| n.to_string()),
        1 => (1u32..100).prop_map(|n| format!("-{n}")),
    ]
    .boxed()
}

/// What the generators may use.
#[derive(Clone, Copy, Debug)]
struct G {
    /// `$macro` references in value positions (their macros are not
    /// defined: only for the print → parse property).
    macros: bool,
    /// Only what the resolver reads without a syntax error (the formatter's
    /// safety net resolves the file): anchor bodies hold rules, anchors,
    /// tables and includes only; syncookie watermarks are percentages.
    resolvable: bool,
}

/// Everything the grammar reads.
const WILD: G = G {
    macros: true,
    resolvable: false,
};

/// Everything the resolver reads.
const RESOLVABLE: G = G {
    macros: false,
    resolvable: true,
};

fn macro_ref() -> S<SValue> {
    (ident(), select(&["", "", ":network", ":0", ".1", "-x"][..]))
        .prop_map(|(n, s)| mref(&n, s))
        .boxed()
}

/// Adds a `$macro` alternative when the generator allows them.
fn with_macro(g: G, s: S<SValue>) -> S<SValue> {
    if g.macros {
        prop_oneof![8 => s, 1 => macro_ref()].boxed()
    } else {
        s
    }
}

/// A `string`: a name, a quoted string or a macro.
fn str_val(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            5 => name_word().prop_map(word),
            2 => qtext().prop_map(quoted),
        ]
        .boxed(),
    )
}

/// A `num`: a number or a macro.
fn num_val(g: G) -> S<SValue> {
    with_macro(g, number().prop_map(word).boxed())
}

/// A `numberstring`.
fn numstr_val(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            3 => number().prop_map(word),
            3 => name_word().prop_map(word),
            1 => qtext().prop_map(quoted),
        ]
        .boxed(),
    )
}

fn ipv4() -> S<String> {
    any::<[u8; 4]>()
        .prop_map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}"))
        .boxed()
}

fn ipv6() -> S<String> {
    prop_oneof![
        select(
            &[
                "::1",
                "::",
                "fe80::1",
                "2001:db8::",
                "fe80::1%em0",
                "::ffff:10.0.0.1"
            ][..]
        )
        .prop_map(str::to_string),
        any::<u16>().prop_map(|n| format!("2001:db8::{n:x}")),
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| format!("2001:db8:{a:x}::{b:x}")),
    ]
    .boxed()
}

/// A word in address position.
fn addr_val(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            4 => ipv4().prop_map(word),
            2 => ipv6().prop_map(word),
            1 => words(&["self", "em0", "em0:network", "egress:broadcast", "lo0:0", "em1:peer"]),
            1 => name_word().prop_map(word),
            1 => ipv4().prop_map(quoted),
        ]
        .boxed(),
    )
}

fn mask_val(g: G) -> S<SValue> {
    with_macro(g, (0u32..=128).prop_map(|n| word(n.to_string())).boxed())
}

/// An interface name (with modifiers, as in `(em0:network)`).
fn ifname_val(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            5 => words(&[
                "em0", "em1", "vio0", "lo0", "egress", "em0:network", "em0:broadcast",
                "em0:peer", "em0:0", "em0:network:0", "pppoe0",
            ]),
            1 => name_word().prop_map(word),
            1 => select(&["em0", "lo0"][..]).prop_map(quoted),
        ]
        .boxed(),
    )
}

fn port_val(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            4 => (0u32..65536).prop_map(|n| word(n.to_string())),
            2 => words(&["ssh", "www", "domain", "ntp", "https", "smtp", "imaps"]),
            1 => (1u32..1024, 1024u32..65536).prop_map(|(a, b)| word(format!("{a}:{b}"))),
            1 => (0u32..65536).prop_map(|n| quoted(n.to_string())),
        ]
        .boxed(),
    )
}

fn uid_val(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            2 => (0u32..70_000).prop_map(|n| word(n.to_string())),
            2 => words(&["root", "nobody", "_pflogd", "www", "unknown"]),
            1 => name_word().prop_map(word),
        ]
        .boxed(),
    )
}

// ------------------------------------------------------------ addresses

/// An address that `xhost` reads (`!` allowed); `redirect`: one that a
/// translation pool reads (no `no-route`/`urpf-failed`).
fn host_leaf(g: G, redirect: bool) -> S<HostKind> {
    let mut arms: Vec<(u32, S<HostKind>)> = vec![
        (
            6,
            (addr_val(g), proptest::option::weighted(0.3, mask_val(g)))
                .prop_map(|(addr, mask)| HostKind::Address {
                    addr,
                    mask: mask.map(Box::new),
                })
                .boxed(),
        ),
        (
            1,
            (addr_val(g), addr_val(g))
                .prop_map(|(from, to)| HostKind::Range {
                    from,
                    to: Box::new(to),
                })
                .boxed(),
        ),
        (
            2,
            str_val(g).prop_map(|name| HostKind::Table { name }).boxed(),
        ),
        (
            2,
            (ifname_val(g), proptest::option::weighted(0.2, mask_val(g)))
                .prop_map(|(ifname, mask)| HostKind::Dynamic {
                    ifname,
                    mask: mask.map(Box::new),
                })
                .boxed(),
        ),
        (
            1,
            str_val(g)
                .prop_map(|label| HostKind::Route { label })
                .boxed(),
        ),
        // `number/num`: a bare number is an address only with a mask.
        (
            1,
            (0u32..256, mask_val(g))
                .prop_map(|(n, m)| HostKind::Address {
                    addr: word(n.to_string()),
                    mask: Some(Box::new(m)),
                })
                .boxed(),
        ),
    ];
    if !redirect {
        arms.push((1, Just(HostKind::NoRoute).boxed()));
        arms.push((1, Just(HostKind::UrpfFailed).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

fn xhost(g: G) -> S<Host> {
    (proptest::bool::weighted(0.25), host_leaf(g, false))
        .prop_map(|(not, kind)| Host { not, kind })
        .boxed()
}

const ANY_HOST: Host = Host {
    not: false,
    kind: HostKind::Any,
};

/// An item of a `{ }` host list: an address, `any` or a nested list
/// (neither takes `!`: the grammar has no `! { }` and no `! any`).
fn host_in_list(g: G, depth: u32) -> S<Host> {
    let mut arms: Vec<(u32, S<Host>)> = vec![(8, xhost(g)), (1, Just(ANY_HOST).boxed())];
    if depth > 0 {
        arms.push((
            2,
            prop::collection::vec(host_in_list(g, depth - 1).prop_map(sp), 1..4)
                .prop_map(|v| Host {
                    not: false,
                    kind: HostKind::List(v),
                })
                .boxed(),
        ));
    }
    Union::new_weighted(arms).boxed()
}

/// The addresses of a `from`/`to`, in the shape the parser builds: a
/// single list item is printed without braces, so the top level never is
/// a one-element list of a list (its items are the top level) nor a lone
/// `any` in a list (that is `any` itself).
fn canonical_hosts(mut v: Vec<Spanned<Host>>) -> (bool, Vec<Spanned<Host>>) {
    loop {
        if v.len() != 1 {
            return (false, v);
        }
        match &v[0].node.kind {
            HostKind::List(xs) => v = xs.clone(),
            HostKind::Any => return (true, Vec::new()),
            _ => return (false, v),
        }
    }
}

fn port_item(val: S<SValue>) -> S<PortItem> {
    prop_oneof![
        4 => val.clone().prop_map(|value| PortItem::Eq { value }),
        2 => (select(&[PortOperator::Eq, PortOperator::Ne, PortOperator::Lt, PortOperator::Le, PortOperator::Gt, PortOperator::Ge][..]), val.clone())
            .prop_map(|(op, value)| PortItem::Unary { op, value }),
        1 => (val.clone(), select(&[PortOperator::Outside, PortOperator::Inside][..]), val)
            .prop_map(|(low, op, high)| PortItem::Binary { low, op, high: Box::new(high) }),
    ]
    .boxed()
}

fn endpoint(g: G) -> S<Endpoint> {
    let hosts = prop_oneof![
        2 => Just((true, Vec::new())),
        6 => prop::collection::vec(host_in_list(g, 2).prop_map(sp), 1..4).prop_map(canonical_hosts),
        1 => Just((false, Vec::new())),
    ];
    let ports = prop_oneof![
        2 => Just(Vec::new()),
        1 => prop::collection::vec(port_item(port_val(g)).prop_map(sp), 1..4),
    ];
    (hosts, ports)
        .prop_map(|((any, hosts), ports)| Endpoint {
            // `from` alone is not a rule: no address and no port is `any`.
            any: any || (hosts.is_empty() && ports.is_empty()),
            hosts,
            ports,
            ports_span: None,
            span: Span::default(),
        })
        .boxed()
}

fn os_val(g: G) -> S<SValue> {
    prop_oneof![
        2 => select(&["OpenBSD", "Linux", "Windows 2000", "unknown"][..]).prop_map(quoted),
        1 => str_val(g),
    ]
    .boxed()
}

fn hosts(g: G) -> S<Hosts> {
    prop_oneof![
        1 => Just(Hosts { all: true, ..Hosts::default() }),
        1 => Just(Hosts::default()),
        6 => (
            proptest::option::weighted(0.7, endpoint(g)),
            prop_oneof![6 => Just(Vec::new()), 1 => prop::collection::vec(os_val(g), 1..3)],
            proptest::option::weighted(0.7, endpoint(g)),
        )
            .prop_map(|(from, os, to)| Hosts {
                all: false,
                from: from.map(Box::new),
                os,
                to: to.map(Box::new),
            }),
    ]
    .boxed()
}

fn if_target(g: G) -> S<IfTarget> {
    prop_oneof![
        1 => Just(IfTarget::Any),
        1 => num_val(g).prop_map(IfTarget::Rdomain),
        6 => ifname_val(g).prop_map(IfTarget::Name),
    ]
    .boxed()
}

fn if_item(g: G) -> S<Spanned<IfItem>> {
    (proptest::bool::weighted(0.2), if_target(g))
        .prop_map(|(not, target)| sp(IfItem { not, target }))
        .boxed()
}

fn log_opts(g: G) -> S<LogOpts> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::weighted(0.3, with_macro(g, words(&["pflog0", "pflog1", "pflog2"]))),
    )
        .prop_map(|(all, matches, user, to)| LogOpts {
            all,
            matches,
            user,
            to,
        })
        .boxed()
}

// ------------------------------------------------------------- options

fn icmp_code(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            2 => words(&["port-unr", "host-unr", "net-unr", "needfrag", "admin-unr"]),
            1 => (0u32..256).prop_map(|n| word(n.to_string())),
        ]
        .boxed(),
    )
}

fn icmp_type_val(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            2 => words(&["echoreq", "echorep", "unreach", "timex", "toobig", "neighbrsol"]),
            1 => (0u32..256).prop_map(|n| word(n.to_string())),
        ]
        .boxed(),
    )
}

fn block_spec(g: G) -> S<Option<Box<BlockSpec>>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(BlockSpec::Drop)),
        1 => Just(Some(BlockSpec::Return)),
        1 => proptest::option::of(num_val(g)).prop_map(|ttl| Some(BlockSpec::ReturnRst { ttl })),
        // `return-icmp (, code6)` cannot be written: a second code needs a first.
        1 => proptest::option::of((icmp_code(g), proptest::option::of(icmp_code(g))))
            .prop_map(|c| Some(match c {
                Some((code, code6)) => BlockSpec::ReturnIcmp { code: Some(code), code6 },
                None => BlockSpec::ReturnIcmp { code: None, code6: None },
            })),
        1 => proptest::option::of(icmp_code(g)).prop_map(|code| Some(BlockSpec::ReturnIcmp6 { code })),
    ]
    .prop_map(|b| b.map(Box::new))
    .boxed()
}

fn action(g: G) -> S<Action> {
    prop_oneof![
        3 => Just(Action::Pass),
        1 => Just(Action::Match),
        2 => block_spec(g).prop_map(|policy| Action::Block { policy }),
    ]
    .boxed()
}

fn state_opt(g: G) -> S<StateOpt> {
    let arms: Vec<(u32, S<StateOpt>)> = vec![
        (
            2,
            num_val(g).prop_map(|value| StateOpt::Max { value }).boxed(),
        ),
        (1, Just(StateOpt::NoSync).boxed()),
        (
            1,
            num_val(g)
                .prop_map(|value| StateOpt::MaxSrcStates { value })
                .boxed(),
        ),
        (
            1,
            num_val(g)
                .prop_map(|value| StateOpt::MaxSrcConn { value })
                .boxed(),
        ),
        (
            1,
            (num_val(g), num_val(g))
                .prop_map(|(limit, seconds)| StateOpt::MaxSrcConnRate { limit, seconds })
                .boxed(),
        ),
        (
            1,
            (str_val(g), any::<bool>(), any::<bool>())
                .prop_map(|(table, flush, global)| StateOpt::Overload {
                    table,
                    flush,
                    // `global` only follows `flush`.
                    global: flush && global,
                })
                .boxed(),
        ),
        (
            1,
            num_val(g)
                .prop_map(|value| StateOpt::MaxSrcNodes { value })
                .boxed(),
        ),
        (
            1,
            proptest::option::of(prop_oneof![
                Just(SourceTrackScope::Rule),
                Just(SourceTrackScope::Global)
            ])
            .prop_map(|scope| StateOpt::SourceTrack { scope })
            .boxed(),
        ),
        (1, Just(StateOpt::IfBound).boxed()),
        (1, Just(StateOpt::Floating).boxed()),
        (1, Just(StateOpt::Sloppy).boxed()),
        (1, Just(StateOpt::Pflow).boxed()),
        (
            2,
            (
                prop_oneof![
                    3 => words(&["tcp.first", "tcp.established", "udp.single", "adaptive.start",
                        "icmp.error", "frag", "interval", "other.multiple"]),
                    1 => str_val(g),
                ],
                num_val(g),
            )
                .prop_map(|(name, value)| StateOpt::Timeout { name, value })
                .boxed(),
        ),
    ];
    Union::new_weighted(arms).boxed()
}

fn state_opts(g: G, min: usize) -> S<Vec<Spanned<StateOpt>>> {
    prop::collection::vec(state_opt(g).prop_map(sp), min..4).boxed()
}

fn pool_opt(g: G) -> S<PoolOpt> {
    prop_oneof![
        Just(PoolOpt::Bitmask),
        Just(PoolOpt::Random),
        prop::collection::vec(
            prop_oneof![
                1 => Just(word("0x0123456789abcdef0123456789abcdef")),
                1 => str_val(g),
            ],
            0..3
        )
        .prop_map(|key| PoolOpt::SourceHash { key }),
        Just(PoolOpt::RoundRobin),
        Just(PoolOpt::LeastStates),
        Just(PoolOpt::StaticPort),
        Just(PoolOpt::StickyAddress),
    ]
    .boxed()
}

fn redirect(g: G, with_port: bool) -> S<Redirect> {
    let host = (
        host_leaf(g, true),
        proptest::option::weighted(0.2, num_val(g)),
    )
        .prop_map(|(kind, weight)| RedirHost {
            host: sp(Host { not: false, kind }),
            weight,
        });
    let port = if with_port {
        proptest::option::weighted(
            0.4,
            with_macro(
                g,
                prop_oneof![
                    2 => (1u32..65536).prop_map(|n| word(n.to_string())),
                    1 => (1u32..1024, 1024u32..65536).prop_map(|(a, b)| word(format!("{a}:{b}"))),
                    1 => (1u32..65536).prop_map(|n| word(format!("{n}:*"))),
                    1 => words(&["www", "ssh"]),
                ]
                .boxed(),
            ),
        )
        .boxed()
    } else {
        Just(None).boxed()
    };
    (
        prop::collection::vec(host, 1..3),
        port,
        prop::collection::vec(pool_opt(g).prop_map(sp), 0..3),
    )
        .prop_map(|(hosts, port, opts)| Redirect {
            hosts,
            port,
            pool: PoolOpts { opts },
        })
        .boxed()
}

fn limiter_kind() -> S<LimiterKind> {
    prop_oneof![Just(LimiterKind::State), Just(LimiterKind::Source)].boxed()
}

fn af() -> S<AddressFamily> {
    prop_oneof![Just(AddressFamily::Inet), Just(AddressFamily::Inet6)].boxed()
}

/// Every filter option.
fn filter_opt(g: G) -> S<FilterOpt> {
    let items = |g: G| prop::collection::vec(port_item(uid_val(g)).prop_map(sp), 1..3);
    let qname = |g: G| (str_val(g), proptest::option::weighted(0.3, str_val(g)));
    let arms: Vec<(u32, S<FilterOpt>)> = vec![
        (
            1,
            items(g).prop_map(|items| FilterOpt::User { items }).boxed(),
        ),
        (
            1,
            items(g)
                .prop_map(|items| FilterOpt::Group { items })
                .boxed(),
        ),
        (
            2,
            prop_oneof![
                1 => Just((None, None)),
                // `flags S/` cannot be written: a mask is always there.
                1 => words(&["SA", "SAFR", "FSRPAUEW", "A"]).prop_map(|m| (None, Some(m))),
                3 => (words(&["S", "SA", "F", "R", "FPU"]), words(&["SA", "SAFR", "FSRPAUEW"]))
                    .prop_map(|(s, m)| (Some(s), Some(m))),
            ]
            .prop_map(|(set, mask)| FilterOpt::Flags {
                set: set.map(Box::new),
                mask: mask.map(Box::new),
            })
            .boxed(),
        ),
        (
            1,
            (
                any::<bool>(),
                prop::collection::vec(
                    (
                        icmp_type_val(g),
                        proptest::option::weighted(0.3, icmp_code(g)),
                    )
                        .prop_map(|(icmp_type, code)| sp(IcmpItem { icmp_type, code })),
                    1..3,
                ),
            )
                .prop_map(|(v6, items)| FilterOpt::IcmpType { v6, items })
                .boxed(),
        ),
        (
            1,
            num_val(g)
                .prop_map(|value| FilterOpt::Prio { value })
                .boxed(),
        ),
        (
            1,
            numstr_val(g)
                .prop_map(|value| FilterOpt::Tos { value })
                .boxed(),
        ),
        (
            3,
            prop_oneof![
                1 => Just(FilterOpt::State { kind: StateKind::No, opts: Vec::new() }),
                3 => (
                    prop_oneof![
                        Just(StateKind::Keep),
                        Just(StateKind::Modulate),
                        Just(StateKind::Synproxy)
                    ],
                    state_opts(g, 0),
                )
                    .prop_map(|(kind, opts)| FilterOpt::State { kind, opts }),
            ]
            .boxed(),
        ),
        (1, Just(FilterOpt::Fragment).boxed()),
        (1, Just(FilterOpt::AllowOpts).boxed()),
        (
            2,
            str_val(g)
                .prop_map(|value| FilterOpt::Label { value })
                .boxed(),
        ),
        (
            1,
            (qname(g), any::<bool>())
                .prop_map(|((name, prio_name), set)| FilterOpt::Queue {
                    name: Box::new(name),
                    prio_name: prio_name.map(Box::new),
                    set,
                })
                .boxed(),
        ),
        (
            2,
            prop::collection::vec(str_val(g), 1..3)
                .prop_map(|value| FilterOpt::Tag { value })
                .boxed(),
        ),
        (
            1,
            (any::<bool>(), prop::collection::vec(str_val(g), 1..3))
                .prop_map(|(not, value)| FilterOpt::Tagged { not, value })
                .boxed(),
        ),
        (
            1,
            with_macro(
                g,
                prop_oneof![
                    (0u32..=100).prop_map(|n| word(format!("{n}%"))),
                    words(&["0.5", "0.01"]),
                ]
                .boxed(),
            )
            .prop_map(|value| FilterOpt::Probability { value })
            .boxed(),
        ),
        (
            1,
            num_val(g)
                .prop_map(|value| FilterOpt::Rtable { value })
                .boxed(),
        ),
        (
            1,
            (addr_val(g), port_val(g))
                .prop_map(|(host, port)| FilterOpt::DivertTo {
                    host: Box::new(host),
                    port: Box::new(port),
                })
                .boxed(),
        ),
        (1, Just(FilterOpt::DivertReply).boxed()),
        (
            1,
            port_val(g)
                .prop_map(|port| FilterOpt::DivertPacket { port })
                .boxed(),
        ),
        (
            1,
            prop::collection::vec(
                prop_oneof![
                    Just(ScrubOpt::NoDf),
                    num_val(g).prop_map(|value| ScrubOpt::MinTtl { value }),
                    num_val(g).prop_map(|value| ScrubOpt::MaxMss { value }),
                    prop_oneof![3 => words(&["tcp"]), 1 => str_val(g)]
                        .prop_map(|value| ScrubOpt::Reassemble { value }),
                    Just(ScrubOpt::RandomId),
                ]
                .prop_map(sp),
                1..4,
            )
            .prop_map(|opts| FilterOpt::Scrub { opts })
            .boxed(),
        ),
        (
            2,
            redirect(g, true)
                .prop_map(|r| FilterOpt::NatTo(Box::new(r)))
                .boxed(),
        ),
        (
            1,
            redirect(g, true)
                .prop_map(|r| FilterOpt::BinatTo(Box::new(r)))
                .boxed(),
        ),
        (
            2,
            redirect(g, true)
                .prop_map(|r| FilterOpt::RdrTo(Box::new(r)))
                .boxed(),
        ),
        (
            1,
            (
                af(),
                redirect(g, true),
                proptest::option::of(redirect(g, true)),
            )
                .prop_map(|(af, from, to)| FilterOpt::AfTo {
                    af,
                    from: Box::new(from),
                    to: to.map(Box::new),
                })
                .boxed(),
        ),
        (
            2,
            (
                prop_oneof![
                    Just(RouteKind::RouteTo),
                    Just(RouteKind::ReplyTo),
                    Just(RouteKind::DupTo)
                ],
                // route-to has no `port`.
                redirect(g, false),
            )
                .prop_map(|(kind, target)| FilterOpt::Route {
                    kind,
                    target: Box::new(target),
                })
                .boxed(),
        ),
        (
            1,
            (any::<bool>(), if_target(g))
                .prop_map(|(not, interface)| FilterOpt::ReceivedOn {
                    not,
                    interface: Box::new(interface),
                })
                .boxed(),
        ),
        (1, Just(FilterOpt::Once).boxed()),
        (
            1,
            (num_val(g), num_val(g))
                .prop_map(|(limit, seconds)| FilterOpt::MaxPktRate {
                    limit: Box::new(limit),
                    seconds: Box::new(seconds),
                })
                .boxed(),
        ),
        (
            2,
            (num_val(g), proptest::option::of(num_val(g)))
                .prop_map(|(prio, prio2)| FilterOpt::SetPrio {
                    prio: Box::new(prio),
                    prio2: prio2.map(Box::new),
                })
                .boxed(),
        ),
        (
            1,
            numstr_val(g)
                .prop_map(|value| FilterOpt::SetTos { value })
                .boxed(),
        ),
        (
            1,
            num_val(g)
                .prop_map(|value| FilterOpt::SetDelay { value })
                .boxed(),
        ),
        (
            1,
            (
                limiter_kind(),
                str_val(g),
                prop::collection::vec(
                    prop_oneof![Just(LimiterAction::Block), Just(LimiterAction::NoMatch)],
                    0..3,
                ),
            )
                .prop_map(|(kind, name, actions)| FilterOpt::Limiter {
                    kind,
                    name: Box::new(name),
                    actions,
                })
                .boxed(),
        ),
    ];
    Union::new_weighted(arms).boxed()
}

/// True when the option's text ends in a word list (`tag a b`, `tagged a`,
/// a pool's `source-hash key`) that would take the next words as its own.
fn ends_in_word_list(o: &FilterOpt) -> bool {
    let pool_ends = |r: &Redirect| {
        matches!(
            r.pool.opts.last().map(|o| &o.node),
            Some(PoolOpt::SourceHash { .. })
        )
    };
    match o {
        FilterOpt::Tag { .. } | FilterOpt::Tagged { .. } => true,
        FilterOpt::NatTo(r) | FilterOpt::BinatTo(r) | FilterOpt::RdrTo(r) => pool_ends(r),
        FilterOpt::Route { target, .. } => pool_ends(target),
        FilterOpt::AfTo { from, to, .. } => pool_ends(to.as_ref().unwrap_or(from)),
        _ => false,
    }
}

/// `source` is not a reserved word: after a word list (`tag t`), `source
/// limiter x` is read as more words of the list, in pfctl's grammar as in
/// ours, so no text has a `source limiter` right after a word list. Such
/// generated option lists are turned into the writable `state limiter`.
fn writable_options(mut opts: Vec<Spanned<FilterOpt>>) -> Vec<Spanned<FilterOpt>> {
    for i in 1..opts.len() {
        if ends_in_word_list(&opts[i - 1].node) {
            if let FilterOpt::Limiter { kind, .. } = &mut opts[i].node {
                *kind = LimiterKind::State;
            }
        }
    }
    opts
}

fn filter_rule(g: G) -> S<FilterRule> {
    (
        (
            action(g),
            proptest::option::of(prop_oneof![Just(Direction::In), Just(Direction::Out)]),
            proptest::option::weighted(0.3, log_opts(g)),
            any::<bool>(),
        ),
        (
            prop_oneof![
                2 => Just(Vec::new()),
                1 => prop::collection::vec(if_item(g), 1..4),
            ],
            proptest::option::weighted(0.4, af()),
            prop_oneof![
                2 => Just(Vec::new()),
                1 => prop::collection::vec(
                    with_macro(g, prop_oneof![
                        4 => words(&["tcp", "udp", "icmp", "icmp6", "6", "17", "carp", "pfsync"]),
                        1 => name_word().prop_map(word),
                        1 => select(&["tcp", "gre"][..]).prop_map(quoted),
                    ].boxed()),
                    1..4,
                ),
            ],
        ),
        hosts(g),
        prop::collection::vec(filter_opt(g).prop_map(sp), 0..5),
    )
        .prop_map(
            |((action, direction, log, quick), (interfaces, af, protos), hosts, options)| {
                FilterRule {
                    action: sp(action),
                    direction,
                    log: log.map(Box::new),
                    quick,
                    interfaces,
                    af: af.map(sp),
                    protos,
                    hosts,
                    options: writable_options(options),
                }
            },
        )
        .boxed()
}

// ----------------------------------------------------------- statements

fn stmt(kind: StatementKind) -> Statement {
    Statement::new(kind, Span::default())
}

fn macro_def(g: G) -> S<StatementKind> {
    (ident(), prop::collection::vec(numstr_val(g), 0..3))
        .prop_map(|(name, value)| {
            StatementKind::Macro(Box::new(MacroDef {
                name: sp(name),
                value,
            }))
        })
        .boxed()
}

fn path_val(g: G) -> S<SValue> {
    prop_oneof![
        3 => "[a-z]{1,6}(/[a-z]{1,6}){0,2}\\.conf".prop_map(quoted),
        1 => str_val(g),
    ]
    .boxed()
}

fn table_def(g: G) -> S<StatementKind> {
    let entry = (xhost(g), proptest::option::weighted(0.15, num_val(g))).prop_map(|(h, weight)| {
        TableEntry {
            host: sp(h),
            weight,
        }
    });
    let opt = prop_oneof![
        3 => prop_oneof![
            4 => words(&["persist", "const", "counters"]),
            1 => str_val(g),
        ]
        .prop_map(TableOpt::Flag),
        1 => num_val(g).prop_map(TableOpt::Timeout),
        1 => path_val(g).prop_map(TableOpt::File),
        3 => prop::collection::vec(entry, 0..5).prop_map(TableOpt::Addresses),
    ];
    (str_val(g), prop::collection::vec(opt.prop_map(sp), 0..4))
        .prop_map(|(name, opts)| StatementKind::Table(Box::new(TableDef { name, opts })))
        .boxed()
}

fn set_option(g: G) -> S<StatementKind> {
    let pairs = |g: G, names: &'static [&'static str]| {
        prop::collection::vec(
            (prop_oneof![3 => words(names), 1 => str_val(g)], num_val(g)),
            1..4,
        )
    };
    let arms: Vec<(u32, S<SetOption>)> = vec![
        (
            1,
            (prop_oneof![3 => words(&["yes", "no"]), 1 => str_val(g)], any::<bool>())
                .prop_map(|(value, no_df)| SetOption::Reassemble { value, no_df })
                .boxed(),
        ),
        (
            1,
            prop_oneof![3 => words(&["normal", "aggressive", "high-latency"]), 1 => str_val(g)]
                .prop_map(|value| SetOption::Optimization { value })
                .boxed(),
        ),
        (
            1,
            prop_oneof![3 => words(&["none", "basic", "profile"]), 1 => str_val(g)]
                .prop_map(|value| SetOption::RulesetOptimization { value })
                .boxed(),
        ),
        (
            2,
            pairs(g, &["tcp.first", "tcp.closing", "udp.multiple", "interval", "frag", "src.track"])
                .prop_map(|values| SetOption::Timeout { values })
                .boxed(),
        ),
        (
            2,
            pairs(g, &["states", "frags", "src-nodes", "tables", "table-entries"])
                .prop_map(|values| SetOption::Limit { values })
                .boxed(),
        ),
        (
            1,
            prop_oneof![3 => words(&["all", "none", "em0"]), 1 => str_val(g)]
                .prop_map(|value| SetOption::LogInterface { value })
                .boxed(),
        ),
        (
            1,
            numstr_val(g)
                .prop_map(|value| SetOption::HostId { value })
                .boxed(),
        ),
        (
            1,
            prop_oneof![Just(BlockPolicy::Drop), Just(BlockPolicy::Return)]
                .prop_map(|value| SetOption::BlockPolicy { value })
                .boxed(),
        ),
        (
            1,
            path_val(g)
                .prop_map(|value| SetOption::Fingerprints { value })
                .boxed(),
        ),
        (
            1,
            prop_oneof![Just(StatePolicy::IfBound), Just(StatePolicy::Floating)]
                .prop_map(|value| SetOption::StatePolicy { value })
                .boxed(),
        ),
        (
            1,
            prop_oneof![3 => words(&["debug", "urgent", "misc", "loud", "none", "crit"]), 1 => str_val(g)]
                .prop_map(|value| SetOption::Debug { value })
                .boxed(),
        ),
        (
            2,
            prop::collection::vec(if_item(g), 0..4)
                .prop_map(|interfaces| SetOption::Skip { interfaces })
                .boxed(),
        ),
        (
            1,
            state_opts(g, 1)
                .prop_map(|opts| SetOption::StateDefaults { opts })
                .boxed(),
        ),
        (
            1,
            (
                prop_oneof![3 => words(&["never", "always", "adaptive"]), 1 => str_val(g)],
                // `syncookie_opt` is `string string`: no bare number.
                prop::collection::vec(
                    (
                        prop_oneof![3 => words(&["start", "end"]), 1 => str_val(g)],
                        if g.resolvable {
                            (1u32..=100).prop_map(|n| word(format!("{n}%"))).boxed()
                        } else {
                            prop_oneof![
                                3 => (0u32..=100).prop_map(|n| word(format!("{n}%"))),
                                1 => str_val(g),
                            ]
                            .boxed()
                        },
                    ),
                    0..3,
                ),
            )
                .prop_map(|(mode, opts)| SetOption::Syncookies { mode, opts })
                .boxed(),
        ),
    ];
    Union::new_weighted(arms)
        .prop_map(|o| StatementKind::Option(Box::new(o)))
        .boxed()
}

fn antispoof(g: G) -> S<StatementKind> {
    (
        proptest::option::weighted(0.3, log_opts(g)),
        any::<bool>(),
        prop::collection::vec(
            (proptest::bool::weighted(0.3), if_target(g))
                .prop_map(|(dynamic, target)| sp(AntispoofIf { dynamic, target })),
            1..3,
        ),
        proptest::option::of(af()),
        proptest::option::weighted(0.3, str_val(g)),
        proptest::option::weighted(0.2, num_val(g)),
    )
        .prop_map(|(log, quick, interfaces, af, label, rtable)| {
            StatementKind::Antispoof(Box::new(Antispoof {
                log,
                quick,
                interfaces,
                af,
                label,
                rtable,
            }))
        })
        .boxed()
}

fn queue_def(g: G) -> S<StatementKind> {
    let bw = || {
        with_macro(
            g,
            prop_oneof![
                2 => (1u32..1000, select(&["K", "M", "G", ""][..]))
                    .prop_map(|(n, u)| word(format!("{n}{u}"))),
                1 => name_word().prop_map(word),
            ]
            .boxed(),
        )
    };
    let sc = move || {
        (
            bw(),
            proptest::option::weighted(
                0.3,
                (bw(), (1u32..1000).prop_map(|n| word(format!("{n}ms")))),
            ),
        )
            .prop_map(|(bandwidth, burst)| ServiceCurve { bandwidth, burst })
    };
    let opt = prop_oneof![
        3 => (sc(), proptest::option::weighted(0.3, sc()), proptest::option::weighted(0.3, sc()))
            .prop_map(|(share, min, max)| QueueOpt::Bandwidth { share, min, max }),
        1 => str_val(g).prop_map(|value| QueueOpt::Parent { value }),
        1 => Just(QueueOpt::Default),
        1 => num_val(g).prop_map(|value| QueueOpt::Qlimit { value }),
        1 => num_val(g).prop_map(|value| QueueOpt::Flows { value }),
        1 => num_val(g).prop_map(|value| QueueOpt::Quantum { value }),
    ];
    (
        str_val(g),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec(if_item(g), 1..3),
        ],
        prop::collection::vec(opt.prop_map(sp), 1..4),
    )
        .prop_map(|(name, interfaces, opts)| {
            StatementKind::Queue(Box::new(QueueDef {
                name,
                interfaces,
                opts,
            }))
        })
        .boxed()
}

fn limiter_def(g: G) -> S<StatementKind> {
    let opt = prop_oneof![
        num_val(g).prop_map(|value| LimiterOpt::Id { value }),
        num_val(g).prop_map(|value| LimiterOpt::Limit { value }),
        (num_val(g), num_val(g)).prop_map(|(limit, seconds)| LimiterOpt::Rate { limit, seconds }),
        num_val(g).prop_map(|value| LimiterOpt::Entries { value }),
        (af(), num_val(g)).prop_map(|(af, value)| LimiterOpt::Mask { af, value }),
        (str_val(g), num_val(g), proptest::option::of(num_val(g)))
            .prop_map(|(name, above, below)| LimiterOpt::Table { name, above, below }),
    ];
    (
        limiter_kind(),
        str_val(g),
        prop::collection::vec(opt.prop_map(sp), 0..4),
    )
        .prop_map(|(kind, name, opts)| {
            StatementKind::Limiter(Box::new(LimiterDef { kind, name, opts }))
        })
        .boxed()
}

fn anchor_name(g: G) -> S<SValue> {
    with_macro(
        g,
        prop_oneof![
            3 => ident().prop_map(word),
            1 => "[a-z]{1,5}(/[a-z*]{1,5}){0,2}".prop_map(quoted),
            1 => qtext().prop_map(quoted),
        ]
        .boxed(),
    )
}

/// `anchor [name] [filter] [{ body }]`: the filter part has no action (the
/// parser records `pass`) and no `log` (the grammar has none for anchors).
fn anchor(g: G, depth: u32) -> S<StatementKind> {
    let body: S<Option<Ruleset>> = if depth == 0 {
        Just(None).boxed()
    } else {
        proptest::option::weighted(
            0.7,
            prop::collection::vec(statement(g, depth - 1, true), 0..4).prop_map(|statements| {
                Ruleset {
                    statements,
                    trailing: Vec::new(),
                }
            }),
        )
        .boxed()
    };
    (
        proptest::option::weighted(0.8, anchor_name(g)),
        filter_rule(g),
        body,
    )
        .prop_map(|(name, mut filter, body)| {
            filter.action = sp(Action::Pass);
            filter.log = None;
            // The same ambiguity as in `writable_options`: an unnamed
            // anchor whose text would start `anchor source limiter x` is
            // read as an anchor named `source`.
            let bare = FilterRule {
                action: sp(Action::Pass),
                options: Vec::new(),
                ..filter.clone()
            };
            let empty = FilterRule::new(sp(Action::Pass));
            if name.is_none() && bare == empty {
                if let Some(FilterOpt::Limiter { kind, .. }) =
                    filter.options.first_mut().map(|o| &mut o.node)
                {
                    *kind = LimiterKind::State;
                }
            }
            StatementKind::Anchor(Box::new(AnchorRule { name, filter, body }))
        })
        .boxed()
}

/// Any statement; `depth`: how many anchor bodies may still nest;
/// `in_body`: inside an anchor body.
fn statement(g: G, depth: u32, in_body: bool) -> S<Statement> {
    let mut arms: Vec<(u32, S<StatementKind>)> = vec![
        (
            8,
            filter_rule(g)
                .prop_map(|r| StatementKind::Rule(Box::new(r)))
                .boxed(),
        ),
        (if depth > 0 { 3 } else { 1 }, anchor(g, depth)),
        (
            1,
            path_val(g)
                .prop_map(|path| StatementKind::Include(Box::new(Include { path })))
                .boxed(),
        ),
        (2, table_def(g)),
    ];
    if in_body && g.resolvable {
        return Union::new_weighted(arms).prop_map(stmt).boxed();
    }
    arms.extend([
        (1, macro_def(g)),
        (
            1,
            (anchor_name(g), prop::collection::vec(path_val(g), 1..3))
                .prop_map(|(name, file)| {
                    StatementKind::LoadAnchor(Box::new(LoadAnchor { name, file }))
                })
                .boxed(),
        ),
        (3, set_option(g)),
        (1, antispoof(g)),
        (1, queue_def(g)),
        (1, limiter_def(g)),
    ]);
    Union::new_weighted(arms).prop_map(stmt).boxed()
}

/// An anchor with a body holding, among other statements, an anchor
/// `depth - 1` deep (anchors nest rarely by chance: this makes sure).
fn nested_anchor(g: G, depth: u32) -> S<StatementKind> {
    if depth == 0 {
        return anchor(g, 0);
    }
    (
        anchor(g, 0),
        prop::collection::vec(statement(g, depth - 1, true), 0..3),
        nested_anchor(g, depth - 1),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(header, mut body, inner, at)| {
            let StatementKind::Anchor(mut a) = header else {
                unreachable!("anchor() builds anchors")
            };
            body.insert(at.index(body.len() + 1), stmt(inner));
            a.body = Some(Ruleset {
                statements: body,
                trailing: Vec::new(),
            });
            StatementKind::Anchor(a)
        })
        .boxed()
}

fn ruleset(g: G) -> S<Ruleset> {
    (
        prop::collection::vec(statement(g, 3, false), 1..10),
        proptest::option::weighted(0.2, nested_anchor(g, 3)),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut statements, deep, at)| {
            if let Some(d) = deep {
                statements.insert(at.index(statements.len() + 1), stmt(d));
            }
            Ruleset {
                statements,
                trailing: Vec::new(),
            }
        })
        .boxed()
}

// ------------------------------------------------- printing, comparing

/// Prints a generated ruleset with the public formatter. Generated nodes
/// have no source text: the map holds one empty file, every span is
/// `Span::default()` (file 0, empty), so the printer works from the AST
/// alone (an anchor body is printed from `body`; with no `{` in the
/// source, `find_block_open` fails and the header ends at the span end,
/// which only matters for comments, of which there are none).
fn print(rs: &Ruleset, width: usize) -> String {
    let mut map = SourceMap::new();
    map.add("gen.conf", "");
    format_ast(rs, &map, &FormatOptions { width })
}

/// The AST the parser builds from the printed text of `rs`, where the
/// printer legitimately writes something in another (equivalent) form:
///
/// * a macro's value parts are always printed double-quoted (`x = "a"`:
///   pfctl's `varstring` joins the parts with spaces whether quoted or not),
///   so a `Word` part parses back as `Quoted`.
///
/// (Other shapes that have no text of their own are never generated: see
/// `canonical_hosts`, `writable_options` and the note in `anchor`; the
/// generators also leave out shapes the grammar cannot write, each noted
/// where it is left out.)
fn normalized(rs: &Ruleset) -> Ruleset {
    let mut rs = rs.clone();
    fn walk(rs: &mut Ruleset) {
        for s in &mut rs.statements {
            match &mut s.kind {
                StatementKind::Macro(m) => {
                    for v in &mut m.value {
                        if let Value::Word(w) = &v.node {
                            v.node = Value::Quoted(w.clone());
                        }
                    }
                }
                StatementKind::Anchor(a) => {
                    if let Some(b) = &mut a.body {
                        walk(b);
                    }
                }
                _ => {}
            }
        }
    }
    walk(&mut rs);
    rs
}

/// The Debug form of a node with every span blanked: a second, independent
/// equality that ignores spans (`ports_span` too) and nothing else.
/// `meaning::same` alone is blind past a nested host list (see
/// `meaning_sees_past_nested_lists`), so both are required.
fn shape<T: std::fmt::Debug>(node: &T) -> String {
    let text = format!("{node:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("Span { file: ") {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        let after = &rest[i..];
        let end = after.find(" }").map_or(after.len(), |e| e + 2);
        rest = &after[end..];
    }
    out.push_str(rest);
    out.replace("ports_span: Some(Span)", "ports_span: None")
}

/// Why two nodes differ, or `None` when they mean the same: equal by
/// `meaning::same` and by `shape`.
fn differ<T: serde::Serialize + std::fmt::Debug>(want: &T, got: &T) -> Option<String> {
    let by_meaning = same(want, got);
    let by_shape = shape(want) == shape(got);
    match (by_meaning, by_shape) {
        (true, true) => None,
        (true, false) => Some(format!(
            "(meaning::same misses this difference)\nwant: {}\n got: {}",
            shape(want),
            shape(got)
        )),
        _ => Some(format!("\nwant: {}\n got: {}", shape(want), shape(got))),
    }
}

/// The first statement (path of indexes into anchor bodies) whose meaning
/// differs.
fn first_difference(path: &str, want: &[Statement], got: &[Statement]) -> Option<String> {
    for (i, (a, b)) in want.iter().zip(got).enumerate() {
        let here = format!("{path}/{i}");
        if let (StatementKind::Anchor(x), StatementKind::Anchor(y)) = (&a.kind, &b.kind) {
            let (mut hx, mut hy) = (x.clone(), y.clone());
            hx.body = None;
            hy.body = None;
            if let Some(d) = differ(&hx, &hy) {
                return Some(format!("statement {here}: anchor header differs {d}"));
            }
            match (&x.body, &y.body) {
                (Some(bx), Some(by)) => {
                    if let Some(d) = first_difference(&here, &bx.statements, &by.statements) {
                        return Some(d);
                    }
                }
                (None, None) => {}
                _ => return Some(format!("statement {here}: anchor body present in only one")),
            }
        } else if let Some(d) = differ(&a.kind, &b.kind) {
            return Some(format!("statement {here} differs {d}"));
        }
    }
    if want.len() != got.len() {
        return Some(format!(
            "{path}: {} statements expected, {} parsed",
            want.len(),
            got.len()
        ));
    }
    None
}

// ----------------------------------------------- comments and noise

/// Where comments may go in a file, found from the statements' spans:
/// `(offset, true)` is the end of a line (a trailing comment goes there),
/// `(offset, false)` the start of a line (a comment line or a blank line).
fn slots(text: &str, stmts: &[Statement], out: &mut Vec<(usize, bool)>) {
    let line_start = |pos: usize| text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |pos: usize| text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    for s in stmts {
        out.push((line_start(s.span.start()), false));
        if let StatementKind::Anchor(a) = &s.kind {
            if let Some(body) = &a.body {
                let close = s.span.end() - 1;
                let first = body.statements.first().map_or(close, |b| b.span.start());
                if let Some(open) = text[s.span.start()..first].rfind('{') {
                    out.push((line_end(s.span.start() + open), true));
                }
                slots(text, &body.statements, out);
                out.push((line_start(close), false));
            }
        }
        out.push((line_end(s.span.end()), true));
    }
}

const COMMENT_TAILS: &[&str] = &[
    "",
    " pass in all",
    " { not, a list }",
    " \"quoted\" and 'single'",
    " $macro <table>",
    " back\\slash inside",
    " trailing blanks   ",
    " # twice",
];

/// `text` with comments and blank lines at statement boundaries (chosen
/// by `plan`, cycled); returns the new text and the comments (trimmed).
fn with_comments(text: &str, plan: &[u8]) -> Result<(String, Vec<String>), TestCaseError> {
    let (_, rs, diags) = parse_str("gen.conf", text);
    if !diags.is_empty() {
        return Err(fail(format!(
            "printed text does not parse: {diags:?}\n{text}"
        )));
    }
    let mut at = Vec::new();
    slots(text, &rs.statements, &mut at);
    if text.ends_with('\n') {
        at.push((text.len(), false));
    }
    at.sort();
    at.dedup();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut comments = Vec::new();
    for (i, &(pos, eol)) in at.iter().enumerate() {
        let choice = plan[i % plan.len()];
        let tail = COMMENT_TAILS[usize::from(choice) % COMMENT_TAILS.len()];
        let c = format!("# c{i}{tail}");
        let ins = match (eol, choice % 4) {
            (_, 0) => continue,
            (true, _) => format!(" {c}"),
            (false, 1) => "\n".to_string(),
            (false, 2) => format!("{c}\n"),
            (false, _) => format!("\n{c}\n\n"),
        };
        if ins.contains('#') {
            comments.push(c.trim_end().to_string());
        }
        inserts.push((pos, ins));
    }
    let mut out = text.to_string();
    for (pos, ins) in inserts.into_iter().rev() {
        out.insert_str(pos, &ins);
    }
    Ok((out, comments))
}

/// `text` with the blanks between tokens (outside quotes and comments)
/// replaced by other blanks: two spaces, a tab, a line continuation.
fn with_noise(text: &str, plan: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut k = 0usize;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches(' ');
        out.push_str(&line[..line.len() - body.len()]);
        let chars: Vec<char> = body.chars().collect();
        let mut quote = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if quote {
                out.push(c);
                if c == '\\' && i + 1 < chars.len() {
                    out.push(chars[i + 1]);
                    i += 1;
                } else if c == '"' {
                    quote = false;
                }
            } else if c == '#' {
                out.extend(&chars[i..]);
                break;
            } else if c == '"' {
                quote = true;
                out.push(c);
            } else if c == ' ' && !matches!(chars.get(i + 1), None | Some('#' | '\\' | '\n')) {
                k += 1;
                out.push_str(match plan[k % plan.len()] % 6 {
                    0 => "  ",
                    1 => "\t",
                    2 => " \\\n\t  ",
                    _ => " ",
                });
            } else {
                out.push(c);
            }
            i += 1;
        }
    }
    out
}

// -------------------------------------------------------- the runner

fn run<T: std::fmt::Debug>(
    cases: u32,
    strategy: impl Strategy<Value = T>,
    test: impl Fn(T) -> Result<(), TestCaseError>,
) {
    // PROPTEST_CASES (as for proptest! tests) runs longer searches.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    });
    match runner.run(&strategy, test) {
        Ok(()) => {}
        // The reason holds the printed text; the AST's Debug form is long.
        Err(TestError::Fail(reason, _)) => panic!("minimal failing case: {reason}"),
        Err(e) => panic!("{e}"),
    }
}

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

// -------------------------------------------------------- property 1

/// Print → parse gives no diagnostic and the same AST.
fn roundtrip(rs: &Ruleset, width: usize) -> Result<(), TestCaseError> {
    let text = print(rs, width);
    let (_, parsed, diags) = parse_str("gen.conf", &text);
    if !diags.is_empty() {
        return Err(fail(format!(
            "printed text does not parse: {:?}\n--- text (width {width}) ---\n{text}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        )));
    }
    let want = normalized(rs);
    if let Some(d) = first_difference("", &want.statements, &parsed.statements) {
        return Err(fail(format!("{d}\n--- text (width {width}) ---\n{text}")));
    }
    Ok(())
}

#[test]
fn print_then_parse_gives_the_same_ast() {
    let checked = AtomicUsize::new(0);
    let statements = AtomicUsize::new(0);
    let seen = Mutex::new(BTreeSet::new());
    let widths = prop_oneof![3 => Just(80usize), 1 => 30usize..120];
    run(256, (ruleset(WILD), widths), |(rs, width)| {
        roundtrip(&rs, width)?;
        checked.fetch_add(1, Relaxed);
        statements.fetch_add(count(&rs.statements), Relaxed);
        record(&rs.statements, 0, &mut seen.lock().unwrap());
        Ok(())
    });
    let (n, s) = (checked.into_inner(), statements.into_inner());
    eprintln!("print → parse: {n} rulesets, {s} statements compared");
    assert!(
        n >= 200 && s >= 1000,
        "too few cases: {n} rulesets, {s} statements"
    );
    // Every kind of statement, `set` option and filter option was met, and
    // anchor bodies three deep.
    let seen = seen.into_inner().unwrap();
    let missing: Vec<String> = STATEMENT_KINDS
        .split_whitespace()
        .map(|k| format!("statement {k}"))
        .chain(SET_OPTIONS.split_whitespace().map(|k| format!("set {k}")))
        .chain(
            FILTER_OPTIONS
                .iter()
                .map(|o| format!("option {:?}", o.kind)),
        )
        .chain(["anchor body at depth 3".to_string()])
        .filter(|k| !seen.contains(k))
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}

fn count(stmts: &[Statement]) -> usize {
    stmts
        .iter()
        .map(|s| match &s.kind {
            StatementKind::Anchor(a) => 1 + a.body.as_ref().map_or(0, |b| count(&b.statements)),
            _ => 1,
        })
        .sum()
}

const STATEMENT_KINDS: &str = "Macro Table Option Rule Anchor LoadAnchor Antispoof Queue Include \
     Limiter";

const SET_OPTIONS: &str = "Reassemble Optimization RulesetOptimization Timeout Limit LogInterface \
     HostId BlockPolicy Fingerprints StatePolicy Debug Skip StateDefaults \
     Syncookies";

/// Records the variants met (by the name their Debug form starts with).
fn record(stmts: &[Statement], depth: usize, seen: &mut BTreeSet<String>) {
    fn name(node: &impl std::fmt::Debug) -> String {
        format!("{node:?}")
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect()
    }
    let rule = |r: &FilterRule, seen: &mut BTreeSet<String>| {
        for o in &r.options {
            seen.insert(format!("option {:?}", o.node.kind()));
        }
    };
    for s in stmts {
        seen.insert(format!("statement {}", name(&s.kind)));
        match &s.kind {
            StatementKind::Option(o) => {
                seen.insert(format!("set {}", name(o)));
            }
            StatementKind::Rule(r) => rule(r, seen),
            StatementKind::Anchor(a) => {
                rule(&a.filter, seen);
                if let Some(b) = &a.body {
                    seen.insert(format!("anchor body at depth {}", depth + 1));
                    record(&b.statements, depth + 1, seen);
                }
            }
            _ => {}
        }
    }
}

// -------------------------------------------------------- property 2

/// Comments and blank lines at random boundaries, blanks changed between
/// tokens: the formatter keeps every comment, keeps the meaning (by its own
/// `verify` and by comparing the parsed input and output statement by
/// statement), keeps nothing as written, and its output is a fixed point.
/// Returns the number of comments.
fn comments_survive(text: &str, plan: &[u8], width: usize) -> Result<usize, TestCaseError> {
    let (commented, comments) = with_comments(text, plan)?;
    let input = with_noise(&commented, plan);
    let opts = FormatOptions { width };
    let show = |out: &str| format!("\n--- input ---\n{input}\n--- output ---\n{out}");
    let out = format_safely("gen.conf", &input, &opts)
        .map_err(|e| fail(format!("format_safely: {e:?}{}", show(""))))?;
    if !out.kept.is_empty() {
        return Err(fail(format!(
            "statements kept as written: {:?}{}",
            out.kept,
            show(&out.text)
        )));
    }
    let out = out.text;
    if let Err(e) = verify("gen.conf", &input, &out) {
        return Err(fail(format!("verify: {e:?}{}", show(&out))));
    }
    let (_, before, _) = parse_str("gen.conf", &input);
    let (_, after, diags) = parse_str("gen.conf", &out);
    if !diags.is_empty() {
        return Err(fail(format!(
            "output does not parse: {diags:?}{}",
            show(&out)
        )));
    }
    if let Some(d) = first_difference("", &before.statements, &after.statements) {
        return Err(fail(format!("formatting changed {d}{}", show(&out))));
    }
    for c in &comments {
        if !out.contains(c.as_str()) {
            return Err(fail(format!("comment {c:?} lost{}", show(&out))));
        }
    }
    let again = format_checked("gen.conf", &out, &opts)
        .map_err(|e| fail(format!("formatting the output: {e:?}{}", show(&out))))?;
    if again != out {
        return Err(fail(format!(
            "not idempotent\n--- first ---\n{out}\n--- second ---\n{again}"
        )));
    }
    Ok(comments.len())
}

#[test]
fn comments_and_noise_survive_formatting() {
    let cases = AtomicUsize::new(0);
    let comments = AtomicUsize::new(0);
    // No `$macro` in the wild strategy here: the formatter's safety net
    // resolves the file, and undefined macros make it invalid.
    let strategy = prop_oneof![
        1 => ruleset(RESOLVABLE),
        1 => conservative_ruleset(),
    ];
    run(
        64,
        (strategy, prop::collection::vec(any::<u8>(), 1..48)),
        |(rs, plan)| {
            let n = comments_survive(&print(&rs, 80), &plan, 80)?;
            cases.fetch_add(1, Relaxed);
            comments.fetch_add(n, Relaxed);
            Ok(())
        },
    );
    let (n, c) = (cases.into_inner(), comments.into_inner());
    eprintln!("comments: {n} files formatted, {c} comments kept");
    assert!(
        n >= 60 && c >= 200,
        "too few cases: {n} files, {c} comments"
    );
}

// -------------------------------------------------------- property 3

// --------------------------------------------- the conservative strategy

// Rulesets `pfconf check` mostly accepts: every file starts with the same
// macros and tables (and, when drawn, queues and limiters) that the rules
// refer to; rules combine options only where pfctl allows them (ports and
// flags with tcp/udp, state options on pass rules, nat-to outbound...).

fn c_ifname() -> S<SValue> {
    prop_oneof![
        3 => words(&["em0", "em1", "egress", "lo0"]),
        2 => select(&["ext_if", "int_if"][..]).prop_map(|n| mref(n, "")),
    ]
    .boxed()
}

fn c_interfaces() -> S<Vec<Spanned<IfItem>>> {
    let item = (proptest::bool::weighted(0.15), c_ifname()).prop_map(|(not, n)| {
        sp(IfItem {
            not,
            target: IfTarget::Name(n),
        })
    });
    prop_oneof![
        3 => Just(Vec::new()),
        3 => item.clone().prop_map(|i| vec![i]),
        1 => prop::collection::vec(item, 2..4),
    ]
    .boxed()
}

fn c_host_kind() -> S<HostKind> {
    let addr = |a: String| HostKind::Address {
        addr: word(a),
        mask: None,
    };
    prop_oneof![
        4 => (any::<u8>(), any::<u8>(), 1u8..255)
            .prop_map(move |(a, b, c)| addr(format!("10.{a}.{b}.{c}"))),
        2 => (any::<u8>(), select(&["16", "24", "32"][..])).prop_map(|(a, m)| HostKind::Address {
            addr: word(format!("10.{a}.0.0")),
            mask: Some(Box::new(word(m))),
        }),
        1 => select(&["t1", "t2"][..]).prop_map(|t| HostKind::Table { name: word(t) }),
        1 => Just(HostKind::Address { addr: mref("lan", ""), mask: None }),
        1 => Just(addr("self".into())),
        1 => prop_oneof![
            Just(word("em0")),
            Just(word("em1:network")),
            Just(mref("ext_if", "")),
        ]
        .prop_map(|ifname| HostKind::Dynamic { ifname, mask: None }),
    ]
    .boxed()
}

fn c_host() -> S<Host> {
    (proptest::bool::weighted(0.15), c_host_kind())
        .prop_map(|(not, kind)| Host { not, kind })
        .boxed()
}

fn c_port_item() -> S<PortItem> {
    let port = prop_oneof![
        3 => (1u32..65536).prop_map(|n| word(n.to_string())),
        1 => words(&["ssh", "www", "domain", "https"]),
    ];
    prop_oneof![
        4 => port.clone().prop_map(|value| PortItem::Eq { value }),
        1 => (1u32..30000, 1u32..30000).prop_map(|(a, b)| PortItem::Eq {
            value: word(format!("{}:{}", a.min(b), a.max(b))),
        }),
        2 => (select(&[PortOperator::Eq, PortOperator::Ne, PortOperator::Lt, PortOperator::Le, PortOperator::Gt, PortOperator::Ge][..]), (1u32..65536))
            .prop_map(|(op, n)| PortItem::Unary { op, value: word(n.to_string()) }),
        1 => (1u32..30000, 1u32..30000, select(&[PortOperator::Outside, PortOperator::Inside][..])).prop_map(|(a, b, op)| {
            PortItem::Binary {
                low: word(a.min(b).to_string()),
                op,
                high: Box::new(word((a.max(b) + 2).to_string())),
            }
        }),
    ]
    .boxed()
}

/// An endpoint; its ports are dropped by `c_rule` unless the rule is
/// tcp/udp.
fn c_endpoint() -> S<Endpoint> {
    let hosts = prop_oneof![
        2 => Just((true, Vec::new())),
        4 => c_host().prop_map(|h| (false, vec![sp(h)])),
        1 => prop::collection::vec(
            prop_oneof![
                6 => c_host(),
                1 => prop::collection::vec(c_host().prop_map(sp), 1..3)
                    .prop_map(|v| Host { not: false, kind: HostKind::List(v) }),
            ]
            .prop_map(sp),
            2..4,
        )
        .prop_map(canonical_hosts),
    ];
    (
        hosts,
        prop_oneof![
            6 => Just(Vec::new()),
            3 => prop::collection::vec(c_port_item().prop_map(sp), 1..3),
            // A list macro stands alone: lists do not nest in `port`.
            1 => Just(vec![sp(PortItem::Eq { value: mref("web_ports", "") })]),
        ],
    )
        .prop_map(|((any, hosts), ports)| Endpoint {
            any,
            hosts,
            ports,
            ports_span: None,
            span: Span::default(),
        })
        .boxed()
}

/// A label, tag or comment text pfctl takes (no macro expansion in it).
fn c_text() -> S<String> {
    "[a-z][a-z0-9 _-]{0,10}".boxed()
}

/// Option recipes of `c_rule`, numbered; each rule draws a few.
const C_OPTIONS: u8 = 26;

fn c_option(n: u8, tag: &str, text: &str, num: u32) -> FilterOpt {
    let host = |a: &str| RedirHost {
        host: sp(Host {
            not: false,
            kind: HostKind::Address {
                addr: word(a),
                mask: None,
            },
        }),
        weight: None,
    };
    let redirect = |hosts: Vec<RedirHost>, port: Option<SValue>, pool: Vec<PoolOpt>| Redirect {
        hosts,
        port,
        pool: PoolOpts {
            opts: pool.into_iter().map(sp).collect(),
        },
    };
    // At most two neighbours are taken: never both if-bound and floating.
    let state_opts = [
        StateOpt::IfBound,
        StateOpt::Max {
            value: word((num % 5000 + 1).to_string()),
        },
        StateOpt::NoSync,
        StateOpt::Pflow,
        StateOpt::Floating,
    ];
    match n {
        0 => FilterOpt::State {
            kind: StateKind::Keep,
            opts: state_opts
                .into_iter()
                .skip((num % 5) as usize)
                .take((num % 3) as usize)
                .map(sp)
                .collect(),
        },
        1 => FilterOpt::State {
            kind: StateKind::No,
            opts: Vec::new(),
        },
        2 => FilterOpt::State {
            kind: StateKind::Modulate,
            opts: Vec::new(),
        },
        3 => FilterOpt::Flags {
            set: Some(Box::new(word("S"))),
            mask: Some(Box::new(word("SA"))),
        },
        4 => FilterOpt::IcmpType {
            v6: false,
            items: vec![sp(IcmpItem {
                icmp_type: word(["echoreq", "unreach", "timex"][(num % 3) as usize]),
                code: None,
            })],
        },
        5 => FilterOpt::Label {
            value: quoted(text),
        },
        6 => FilterOpt::Tag {
            value: vec![word(tag)],
        },
        7 => FilterOpt::Tagged {
            not: num.is_multiple_of(2),
            value: vec![word(tag)],
        },
        8 => FilterOpt::SetPrio {
            prio: Box::new(word((num % 8).to_string())),
            prio2: num
                .is_multiple_of(3)
                .then(|| Box::new(word(((num + 1) % 8).to_string()))),
        },
        9 => FilterOpt::Prio {
            value: word((num % 8).to_string()),
        },
        10 => FilterOpt::SetTos {
            value: word(["lowdelay", "throughput", "0x10"][(num % 3) as usize]),
        },
        11 => FilterOpt::Probability {
            value: word(format!("{}%", num % 100 + 1)),
        },
        12 => FilterOpt::MaxPktRate {
            limit: Box::new(word((num % 1000 + 1).to_string())),
            seconds: Box::new(word((num % 60 + 1).to_string())),
        },
        13 => FilterOpt::AllowOpts,
        14 => FilterOpt::NatTo(Box::new(if num.is_multiple_of(2) {
            redirect(vec![host("192.0.2.1")], None, vec![PoolOpt::StaticPort])
        } else {
            redirect(
                vec![RedirHost {
                    host: sp(Host {
                        not: false,
                        kind: HostKind::Dynamic {
                            ifname: mref("ext_if", ""),
                            mask: None,
                        },
                    }),
                    weight: None,
                }],
                None,
                Vec::new(),
            )
        })),
        15 => FilterOpt::RdrTo(Box::new(redirect(
            vec![host("10.0.0.10")],
            Some(word((num % 60000 + 1).to_string())),
            Vec::new(),
        ))),
        16 => FilterOpt::Route {
            kind: RouteKind::RouteTo,
            target: Box::new(redirect(vec![host("10.0.0.254")], None, Vec::new())),
        },
        17 => FilterOpt::Queue {
            name: Box::new(word("std")),
            prio_name: num.is_multiple_of(2).then(|| Box::new(word("ssh"))),
            set: true,
        },
        18 => FilterOpt::Limiter {
            kind: LimiterKind::State,
            name: Box::new(word("lim1")),
            actions: Vec::new(),
        },
        19 => FilterOpt::User {
            items: vec![sp(PortItem::Eq {
                value: word(["root", "nobody", "1000"][(num % 3) as usize]),
            })],
        },
        20 => FilterOpt::Once,
        21 => FilterOpt::Rtable { value: word("0") },
        22 => FilterOpt::SetDelay {
            value: word((num % 1000).to_string()),
        },
        23 => FilterOpt::ReceivedOn {
            not: false,
            interface: Box::new(IfTarget::Name(word("em0"))),
        },
        24 => FilterOpt::DivertTo {
            host: Box::new(word("127.0.0.1")),
            port: Box::new(word((num % 60000 + 1).to_string())),
        },
        _ => FilterOpt::Scrub {
            opts: vec![
                sp(ScrubOpt::NoDf),
                sp(ScrubOpt::MaxMss {
                    value: word("1440"),
                }),
            ],
        },
    }
}

/// What a rule is, for the option rules of `c_rule`.
struct Shape {
    pass: bool,
    block: bool,
    tcp: bool,
    tcp_udp: bool,
    icmp: bool,
    dir: Option<Direction>,
}

/// Whether option recipe `n` is valid on a rule of this shape.
fn c_allowed(n: u8, s: &Shape) -> bool {
    match n {
        0 | 1 | 13 | 18 | 20 => s.pass,
        16 => s.pass && s.dir.is_some(),
        2 => s.pass && s.tcp,
        3 => s.tcp,
        4 => s.icmp,
        14 => !s.block && s.dir == Some(Direction::Out),
        15 => !s.block && s.dir == Some(Direction::In),
        19 => s.tcp_udp,
        24 => s.pass && s.dir == Some(Direction::In),
        25 => !s.pass && !s.block,
        _ => true,
    }
}

fn c_rule() -> S<FilterRule> {
    (
        (
            0u8..6,
            proptest::option::of(prop_oneof![Just(Direction::In), Just(Direction::Out)]),
            proptest::option::weighted(
                0.2,
                (any::<bool>(), any::<bool>()).prop_map(|(all, matches)| LogOpts {
                    all,
                    matches,
                    ..LogOpts::default()
                }),
            ),
            any::<bool>(),
        ),
        (c_interfaces(), any::<bool>(), 0u8..6),
        (
            proptest::option::weighted(0.6, c_endpoint()),
            proptest::option::weighted(0.8, c_endpoint()),
            proptest::bool::weighted(0.1),
        ),
        (
            prop::collection::vec(0..C_OPTIONS, 0..4),
            ident(),
            c_text(),
            any::<u32>(),
        ),
    )
        .prop_map(
            |(
                (act, direction, log, quick),
                (interfaces, inet, proto),
                (from, to, all),
                (recipes, tag, text, num),
            )| {
                let action = match act {
                    0 | 1 => Action::Pass,
                    2 => Action::Block { policy: None },
                    3 => Action::Block {
                        policy: Some(Box::new(BlockSpec::Return)),
                    },
                    4 => Action::Block {
                        policy: Some(Box::new(BlockSpec::Drop)),
                    },
                    _ => Action::Match,
                };
                let (protos, tcp, tcp_udp, icmp): (&[&str], _, _, _) = match proto {
                    1 => (&["tcp"], true, true, false),
                    2 => (&["udp"], false, true, false),
                    3 => (&["tcp", "udp"], false, true, false),
                    4 => (&["icmp"], false, false, true),
                    _ => (&[], false, false, false),
                };
                let shape = Shape {
                    pass: matches!(action, Action::Pass),
                    block: matches!(action, Action::Block { .. }),
                    tcp,
                    tcp_udp,
                    icmp,
                    dir: direction,
                };
                let ports = |e: Option<Endpoint>| {
                    e.map(|mut e| {
                        if !tcp_udp {
                            e.ports.clear();
                            e.any |= e.hosts.is_empty();
                        }
                        Box::new(e)
                    })
                };
                let mut seen = Vec::new();
                let mut options = Vec::new();
                for n in recipes {
                    // One of each; one translation or routing.
                    let group = if matches!(n, 14 | 15 | 16 | 24) {
                        14
                    } else {
                        n
                    };
                    let group = if n <= 2 { 0 } else { group };
                    if c_allowed(n, &shape) && !seen.contains(&group) {
                        seen.push(group);
                        options.push(sp(c_option(n, &tag, &text, num)));
                    }
                }
                // Translation and routing need state.
                if seen.contains(&14)
                    && options.iter().any(|o| {
                        matches!(
                            o.node,
                            FilterOpt::State {
                                kind: StateKind::No,
                                ..
                            }
                        )
                    })
                {
                    options.retain(|o| !matches!(o.node, FilterOpt::State { .. }));
                }
                FilterRule {
                    action: sp(action),
                    direction,
                    log: log.map(Box::new),
                    quick,
                    interfaces,
                    af: (inet || icmp).then(|| sp(AddressFamily::Inet)),
                    protos: protos.iter().map(|p| word(*p)).collect(),
                    hosts: if all {
                        Hosts {
                            all: true,
                            ..Hosts::default()
                        }
                    } else {
                        Hosts {
                            all: false,
                            from: ports(from),
                            os: Vec::new(),
                            to: ports(to),
                        }
                    },
                    options,
                }
            },
        )
        .boxed()
}

/// An anchor; names are made unique by `c_name_anchors`.
fn c_anchor(depth: u32) -> S<StatementKind> {
    let body: S<Option<Ruleset>> = if depth == 0 {
        Just(None).boxed()
    } else {
        proptest::option::weighted(
            0.8,
            prop::collection::vec(c_statement(depth - 1, true), 0..4).prop_map(|statements| {
                Ruleset {
                    statements,
                    trailing: Vec::new(),
                }
            }),
        )
        .boxed()
    };
    (
        any::<bool>(),
        proptest::option::of(prop_oneof![Just(Direction::In), Just(Direction::Out)]),
        any::<bool>(),
        c_interfaces(),
        proptest::option::weighted(0.5, c_endpoint()),
        body,
    )
        .prop_map(|(named, direction, quick, interfaces, to, body)| {
            let filter = FilterRule {
                action: sp(Action::Pass),
                direction,
                log: None,
                quick,
                interfaces,
                af: None,
                protos: Vec::new(),
                hosts: Hosts {
                    to: to.map(|mut e| {
                        e.ports.clear();
                        e.any |= e.hosts.is_empty();
                        Box::new(e)
                    }),
                    ..Hosts::default()
                },
                options: Vec::new(),
            };
            // Only an anchor with a body may be unnamed.
            let name = (named || body.is_none()).then(|| word("a"));
            StatementKind::Anchor(Box::new(AnchorRule { name, filter, body }))
        })
        .boxed()
}

fn c_set_option() -> S<SetOption> {
    let pairs = |names: &'static [&'static str], max: u32| {
        prop::collection::vec(
            (
                select(names).prop_map(word),
                (1..max).prop_map(|n| word(n.to_string())),
            ),
            1..3,
        )
    };
    prop_oneof![
        (words(&["yes", "no"]), any::<bool>())
            .prop_map(|(value, no_df)| SetOption::Reassemble { value, no_df }),
        words(&[
            "normal",
            "aggressive",
            "conservative",
            "high-latency",
            "satellite"
        ])
        .prop_map(|value| SetOption::Optimization { value }),
        words(&["none", "basic", "profile"])
            .prop_map(|value| SetOption::RulesetOptimization { value }),
        pairs(
            &[
                "tcp.first",
                "tcp.established",
                "udp.single",
                "interval",
                "frag"
            ],
            100_000
        )
        .prop_map(|values| SetOption::Timeout { values }),
        pairs(
            &["states", "frags", "src-nodes", "tables", "table-entries"],
            100_000
        )
        .prop_map(|values| SetOption::Limit { values }),
        words(&["em0", "none"]).prop_map(|value| SetOption::LogInterface { value }),
        (1u32..u32::MAX).prop_map(|n| SetOption::HostId {
            value: word(n.to_string())
        }),
        prop_oneof![Just(BlockPolicy::Drop), Just(BlockPolicy::Return)]
            .prop_map(|value| SetOption::BlockPolicy { value }),
        prop_oneof![Just(StatePolicy::IfBound), Just(StatePolicy::Floating)]
            .prop_map(|value| SetOption::StatePolicy { value }),
        words(&["urgent", "misc", "loud", "none", "crit", "debug"])
            .prop_map(|value| SetOption::Debug { value }),
        prop::collection::vec(words(&["lo0", "em2", "enc0"]), 1..3).prop_map(|names| {
            SetOption::Skip {
                interfaces: names
                    .into_iter()
                    .map(|n| {
                        sp(IfItem {
                            not: false,
                            target: IfTarget::Name(n),
                        })
                    })
                    .collect(),
            }
        }),
        (1u32..10_000).prop_map(|n| SetOption::StateDefaults {
            opts: vec![
                sp(StateOpt::Max {
                    value: word(n.to_string())
                }),
                sp(StateOpt::NoSync)
            ],
        }),
        (words(&["never", "always", "adaptive"]), 1u32..50).prop_map(|(mode, n)| {
            let adaptive = mode.node.text() == "adaptive";
            SetOption::Syncookies {
                mode,
                opts: if adaptive {
                    vec![
                        (word("start"), word(format!("{}%", n * 2))),
                        (word("end"), word(format!("{n}%"))),
                    ]
                } else {
                    Vec::new()
                },
            }
        }),
    ]
    .boxed()
}

fn c_table(name: &'static str) -> S<StatementKind> {
    (
        prop::collection::vec(words(&["persist", "const", "counters"]), 0..3),
        prop::collection::vec(
            (
                proptest::bool::weighted(0.2),
                any::<u8>(),
                any::<u8>(),
                select(&["", "/24", "/16"][..]),
            ),
            0..4,
        ),
    )
        .prop_map(move |(mut flags, hosts)| {
            flags.dedup_by(|a, b| a.node == b.node);
            let mut opts: Vec<Spanned<TableOpt>> =
                flags.into_iter().map(|f| sp(TableOpt::Flag(f))).collect();
            opts.push(sp(TableOpt::Addresses(
                hosts
                    .into_iter()
                    .map(|(not, a, b, m)| TableEntry {
                        host: sp(Host {
                            not,
                            kind: HostKind::Address {
                                addr: word(format!("10.{a}.{b}.0")),
                                mask: m.strip_prefix('/').map(|m| Box::new(word(m))),
                            },
                        }),
                        weight: None,
                    })
                    .collect(),
            )));
            StatementKind::Table(Box::new(TableDef {
                name: word(name),
                opts,
            }))
        })
        .boxed()
}

fn c_statement(depth: u32, in_body: bool) -> S<Statement> {
    let mut arms: Vec<(u32, S<StatementKind>)> = vec![
        (
            8,
            c_rule()
                .prop_map(|r| StatementKind::Rule(Box::new(r)))
                .boxed(),
        ),
        (if depth > 0 { 2 } else { 1 }, c_anchor(depth)),
    ];
    if !in_body {
        arms.extend([
            (
                1,
                c_set_option()
                    .prop_map(|o| StatementKind::Option(Box::new(o)))
                    .boxed(),
            ),
            (
                1,
                (
                    proptest::option::weighted(0.2, Just(LogOpts::default())),
                    any::<bool>(),
                    prop_oneof![
                        3 => c_ifname().prop_map(|n| vec![n]),
                        1 => Just(vec![word("em0"), word("em1")]),
                    ],
                    any::<bool>(),
                    proptest::option::weighted(0.3, c_text().prop_map(quoted)),
                )
                    .prop_map(|(log, quick, names, inet, label)| {
                        StatementKind::Antispoof(Box::new(Antispoof {
                            log,
                            quick,
                            interfaces: names
                                .into_iter()
                                .map(|n| {
                                    sp(AntispoofIf {
                                        dynamic: false,
                                        target: IfTarget::Name(n),
                                    })
                                })
                                .collect(),
                            af: inet.then_some(AddressFamily::Inet),
                            label,
                            rtable: None,
                        }))
                    })
                    .boxed(),
            ),
            (
                1,
                (ident(), ipv4())
                    .prop_map(|(name, a)| {
                        StatementKind::Macro(Box::new(MacroDef {
                            name: sp(format!("m_{name}")),
                            value: vec![quoted(a)],
                        }))
                    })
                    .boxed(),
            ),
        ]);
    }
    Union::new_weighted(arms).prop_map(stmt).boxed()
}

/// Gives every named anchor its own name (`a1`, `a2`...).
fn c_name_anchors(stmts: &mut [Statement], n: &mut usize) {
    for s in stmts {
        if let StatementKind::Anchor(a) = &mut s.kind {
            if a.name.is_some() {
                *n += 1;
                a.name = Some(word(format!("a{n}")));
            }
            if let Some(b) = &mut a.body {
                c_name_anchors(&mut b.statements, n);
            }
        }
    }
}

/// Removes the options that refer to queues or limiters not defined.
fn c_strip(stmts: &mut [Statement], queues: bool, limiters: bool) {
    for s in stmts {
        match &mut s.kind {
            StatementKind::Rule(r) => r.options.retain(|o| match o.node {
                FilterOpt::Queue { .. } => queues,
                FilterOpt::Limiter { .. } => limiters,
                _ => true,
            }),
            StatementKind::Anchor(a) => {
                if let Some(b) = &mut a.body {
                    c_strip(&mut b.statements, queues, limiters);
                }
            }
            _ => {}
        }
    }
}

fn conservative_ruleset() -> S<Ruleset> {
    (
        (c_table("t1"), c_table("t2")),
        (any::<bool>(), any::<bool>()),
        prop::collection::vec(c_statement(2, false), 1..8),
    )
        .prop_map(|((t1, t2), (queues, limiters), body)| {
            let mac = |name: &str, value: &str| {
                stmt(StatementKind::Macro(Box::new(MacroDef {
                    name: sp(name.to_string()),
                    value: vec![quoted(value)],
                })))
            };
            let mut statements = vec![
                mac("ext_if", "em0"),
                mac("int_if", "em1"),
                mac("lan", "10.0.0.0/24"),
                mac("web_ports", "{ 80 443 }"),
                stmt(t1),
                stmt(t2),
            ];
            if queues {
                let q = |name: &str, on: bool, opts: Vec<QueueOpt>| {
                    stmt(StatementKind::Queue(Box::new(QueueDef {
                        name: word(name),
                        interfaces: if on {
                            vec![sp(IfItem {
                                not: false,
                                target: IfTarget::Name(word("em0")),
                            })]
                        } else {
                            Vec::new()
                        },
                        opts: opts.into_iter().map(sp).collect(),
                    })))
                };
                let bw = |b: &str| QueueOpt::Bandwidth {
                    share: ServiceCurve {
                        bandwidth: word(b),
                        burst: None,
                    },
                    min: None,
                    max: None,
                };
                let parent = || QueueOpt::Parent {
                    value: word("rootq"),
                };
                statements.push(q("rootq", true, vec![bw("10M")]));
                statements.push(q("std", false, vec![parent(), bw("9M"), QueueOpt::Default]));
                statements.push(q(
                    "ssh",
                    false,
                    vec![parent(), bw("1M"), QueueOpt::Qlimit { value: word("50") }],
                ));
            }
            if limiters {
                statements.push(stmt(StatementKind::Limiter(Box::new(LimiterDef {
                    kind: LimiterKind::State,
                    name: word("lim1"),
                    opts: vec![
                        sp(LimiterOpt::Id { value: word("1") }),
                        sp(LimiterOpt::Limit { value: word("100") }),
                    ],
                }))));
            }
            statements.extend(body);
            c_name_anchors(&mut statements, &mut 0);
            c_strip(&mut statements, queues, limiters);
            Ruleset {
                statements,
                trailing: Vec::new(),
            }
        })
        .boxed()
}

/// The expansion of `text` (its rules and notes), or why it has none.
fn expanded(text: &str, ifs: &Interfaces) -> Result<String, String> {
    let report = check_str("gen.conf", text);
    if !report.is_ok() {
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", report.sources.location(d.span), d.message))
            .collect();
        return Err(format!("{errors:#?}"));
    }
    let x = expand(&report.resolved, ifs);
    Ok(format!("{x}notes: {:?}\n", x.notes))
}

#[test]
fn expand_is_deterministic() {
    // [conservative, wild]: how many generated, how many passed check.
    let generated = [AtomicUsize::new(0), AtomicUsize::new(0)];
    let passed = [AtomicUsize::new(0), AtomicUsize::new(0)];
    let ifs = Interfaces::regress();
    let strategy = prop_oneof![
        3 => conservative_ruleset().prop_map(|r| (0, r)),
        1 => ruleset(RESOLVABLE).prop_map(|r| (1, r)),
    ];
    run(
        96,
        (strategy, prop::collection::vec(any::<u8>(), 1..48)),
        |((which, rs), plan)| {
            generated[which].fetch_add(1, Relaxed);
            let text = print(&rs, 80);
            let Ok(first) = expanded(&text, &ifs) else {
                return Ok(());
            };
            passed[which].fetch_add(1, Relaxed);
            let report = check_str("gen.conf", &text);
            let a = expand(&report.resolved, &ifs).to_string();
            let b = expand(&report.resolved, &ifs).to_string();
            prop_assert_eq!(&a, &b, "two expansions of one check differ\n{}", text);
            let expect = |what: &str, t: &str| -> Result<(), TestCaseError> {
                match expanded(t, &ifs) {
                    Ok(x) if x == first => Ok(()),
                    Ok(x) => Err(fail(format!(
                        "{what} expands differently\n--- printed ---\n{text}\n--- {what} ---\n{t}\n\
                         --- expansion of the printed file ---\n{first}\n--- of the {what} ---\n{x}"
                    ))),
                    Err(e) => Err(fail(format!(
                        "{what} fails check: {e}\n--- printed ---\n{text}\n--- {what} ---\n{t}"
                    ))),
                }
            };
            expect("second check", &text)?;
            let (commented, _) = with_comments(&text, &plan)?;
            let noisy = with_noise(&commented, &plan);
            expect("noisy file", &noisy)?;
            let formatted = format_checked("gen.conf", &noisy, &FormatOptions { width: 80 })
                .map_err(|e| fail(format!("format_checked: {e:?}\n{noisy}")))?;
            expect("formatted file", &formatted)?;
            Ok(())
        },
    );
    let [gc, gw] = generated.map(AtomicUsize::into_inner);
    let [pc, pw] = passed.map(AtomicUsize::into_inner);
    eprintln!(
        "expand: conservative {pc} of {gc} passed check and were expanded, wild {pw} of {gw}"
    );
    assert!(
        pc >= 40 && pc * 5 >= gc * 4,
        "too few conservative rulesets pass check: {pc} of {gc}"
    );
}

// ----------------------------------------------- bugs found, now fixed

/// Minimal case of a bug found by `print_then_parse_gives_the_same_ast`.
#[test]
fn long_list_in_anchor_rule_without_body() {
    let text = "anchor \"ext\" from { 192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, \
                192.0.2.5, 192.0.2.6, 192.0.2.7 }\n";
    let (map, ast, diags) = parse_str("t.conf", text);
    assert!(diags.is_empty());
    let printed = format_ast(&ast, &map, &FormatOptions::default());
    let (_, _, diags) = parse_str("t.conf", &printed);
    assert!(diags.is_empty(), "printed text does not parse:\n{printed}");
    let out = format_safely("t.conf", text, &FormatOptions::default()).unwrap();
    assert!(out.kept.is_empty(), "kept as written: {:?}", out.kept);
}

/// Minimal case of a bug found by `print_then_parse_gives_the_same_ast`.
#[test]
fn escaped_quote_in_long_list() {
    let text = "pass os { \"OpenBSD\", \"Linux\", \"x\\\"}\", \"Windows 2000\", \
                \"Windows XP\", \"Mac OS X\", \"FreeBSD\" }\n";
    let (map, ast, diags) = parse_str("t.conf", text);
    assert!(diags.is_empty());
    let printed = format_ast(&ast, &map, &FormatOptions::default());
    let (_, again, diags) = parse_str("t.conf", &printed);
    assert!(diags.is_empty(), "printed text does not parse:\n{printed}");
    assert!(
        same(&ast.statements[0].kind, &again.statements[0].kind),
        "meaning changed:\n{printed}"
    );
    let out = format_safely("t.conf", text, &FormatOptions::default()).unwrap();
    assert!(out.kept.is_empty(), "kept as written: {:?}", out.kept);
}

/// Found by `comments_and_noise_survive_formatting` (the formatter's safety
/// net passed a broken file).
#[test]
fn meaning_sees_past_nested_lists() {
    let first = |t: &str| {
        let (_, rs, diags) = parse_str("t.conf", t);
        assert!(diags.is_empty(), "{diags:?}");
        rs.statements[0].kind.clone()
    };
    let a = "pass from { { 192.0.2.1 }, 192.0.2.2 } to 192.0.2.3\n";
    let b = "pass from { { 192.0.2.9 }, 10.0.0.1 } to 198.51.100.7 port 22\n";
    assert!(!same(&first(a), &first(b)), "meaning::same: equal");
    assert!(verify("t.conf", a, b).is_err(), "fmt::verify: equal");
}

/// The user-visible consequence of `meaning_sees_past_nested_lists`
/// together with `long_list_in_anchor_rule_without_body`.
#[test]
fn safety_net_sees_past_nested_lists() {
    let text = "anchor \"outer\" from { { 192.0.2.1 }, 192.0.2.2 } {\n    \
                anchor \"inner\" to { 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6, \
                192.0.2.7, 192.0.2.8, 192.0.2.9 }\n}\n";
    let out = format_safely("t.conf", text, &FormatOptions::default()).unwrap();
    let (_, _, diags) = parse_str("t.conf", &out.text);
    assert!(
        diags.is_empty(),
        "formatted file does not parse:\n{}",
        out.text
    );
}

/// Found while writing `qtext`: reachable from real input.
#[test]
fn backslash_in_quoted_string() {
    let text = "pass label \"a\\\\ b\"\n";
    let label = |t: &str| {
        let (_, rs, diags) = parse_str("t.conf", t);
        assert!(diags.is_empty(), "{diags:?}");
        match &rs.statements[0].kind {
            StatementKind::Rule(r) => r.options[0].node.clone(),
            k => panic!("{k:?}"),
        }
    };
    let (map, ast, _) = parse_str("t.conf", text);
    let printed = format_ast(&ast, &map, &FormatOptions::default());
    assert_eq!(
        shape(&label(&printed)),
        shape(&label(text)),
        "printed: {printed}"
    );
}
