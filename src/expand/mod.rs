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
//!
//! Layout: this module holds the entry points ([`expand`],
//! [`expand_with_accounts`]), the expander's state, the walk over
//! statements and anchors, and the private values the topics pass each
//! other (a rule's settings, one combination of its lists, its options,
//! its pools); each topic adds its methods to the same expander in its
//! own module:
//!
//! - `interfaces`: the [`Interfaces`] table;
//! - `expanded`: what expansion returns ([`Expanded`], [`ExpandedRule`]
//!   and their values), its `pfctl -nv` text and its JSON form;
//! - `header`: the parse-time lines (`set` options, tables, queues);
//! - `hosts`: addresses (interface names to addresses) and ports, user
//!   and group ids;
//! - `rules`: a rule's lists multiplied out, and each combination built;
//! - `opts`: a rule's options as pfctl prints them (block policy, flags,
//!   state options, scrub...);
//! - `pools`: translation and routing pools (`nat-to`, `rdr-to`,
//!   `route-to`...);
//! - `antispoof`: the rules `antispoof` stands for.
//!
//! Invariants: expansion never fails (what it cannot model is kept as
//! written, see "Not modelled" above); anchor nesting is followed to
//! `MAX_DEPTH` levels and at most [`MAX_COMBINATIONS`] combinations are
//! expanded in one run.

use crate::ast::*;
use crate::resolve::Resolved;
use crate::span::Span;
use crate::Protocol;
use std::collections::BTreeSet;
use std::net::IpAddr;

mod antispoof;
mod expanded;
mod header;
mod hosts;
mod interfaces;
mod opts;
mod pools;
mod rules;

pub use expanded::{
    expand_label, Addr, AddrModifier, Af, Expanded, ExpandedRule, Line, Log, PortOp, ReturnPolicy,
    RuleAction, Side,
};
pub use interfaces::{IfAddr, Interfaces, InterfacesError, InterfacesErrorKind};

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
    let mut rules = Vec::new();
    let mut expanded = expand_each(resolved, interfaces, accounts, &mut |r| rules.push(r));
    expanded.rules = rules;
    expanded
}

/// [`expand_with_accounts`] handing each rule of the main ruleset to
/// `each` as soon as its statement is expanded, in order (an anchor rule
/// with its children), so that a consumer that prints them holds one
/// statement's rules at a time instead of the whole expansion. The
/// [`Expanded`] it returns has everything else (the header, loaded anchors
/// no rule calls, notes) and no `rules`.
///
/// ```
/// use pfconf::expand::{expand_each, Interfaces};
///
/// let report = pfconf::check_str("pf.conf", "pass in proto tcp to port { 22 443 }\n");
/// let mut heads = Vec::new();
/// let rest = expand_each(
///     &report.resolved,
///     &Interfaces::new(),
///     pfconf::accounts::Accounts::openbsd(),
///     &mut |rule| heads.push(format!("@{} {}", rule.nr, rule.head())),
/// );
/// assert!(rest.rules.is_empty());
/// assert_eq!(
///     heads,
///     [
///         "@0 pass in proto tcp from any to any port = 22 flags S/SA",
///         "@1 pass in proto tcp from any to any port = 443 flags S/SA",
///     ]
/// );
/// ```
pub fn expand_each(
    resolved: &Resolved,
    interfaces: &Interfaces,
    accounts: &crate::accounts::Accounts,
    each: &mut dyn FnMut(ExpandedRule),
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
        each: Some(each),
        handed: 0,
    };
    x.ruleset(&resolved.ruleset, None);
    // Rule numbers of what follows count from 0 again.
    x.each = None;
    x.handed = 0;
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
        rules: Vec::new(),
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
    /// Where the main ruleset's rules go as each statement is expanded
    /// (taken by the main ruleset's walk: the rulesets it nests keep
    /// their rules for their anchor).
    each: Option<&'a mut dyn FnMut(ExpandedRule)>,
    /// Rules of the ruleset being expanded already handed to `each`: the
    /// number of the next rule is this plus those still in its list
    /// ([`Expander::next_nr`]).
    handed: usize,
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
    action: RuleAction,
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
                if ms.file != b.file || ms.start() > b.start() {
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
        // Only the first call, the main ruleset's, streams.
        let mut each = self.each.take();
        for st in &rs.statements {
            match &st.kind {
                StatementKind::Option(o) => self.option(o, st.span),
                StatementKind::Table(t) => self.table(t, st.span),
                StatementKind::Queue(q) => self.queue(q, st.span),
                StatementKind::Rule(r) => {
                    let base = Base {
                        rule: r,
                        span: st.span,
                        action: RuleAction::from(&r.action.node),
                        anchor: None,
                        is_anchor: false,
                        af: r.af.as_ref().map(|a| a.node),
                    };
                    self.rule(&base, &mut out);
                }
                StatementKind::Anchor(a) => self.anchor(a, st.span, anchor_path, &mut out),
                StatementKind::Antispoof(a) => self.antispoof(a, st.span, &mut out),
                _ => {}
            }
            if let Some(each) = each.as_mut() {
                self.handed += out.len();
                out.drain(..).for_each(&mut **each);
            }
        }
        out
    }

    /// The number of the next rule of the ruleset whose list is `out`
    /// (pfctl's `@nr`): the rules already handed on count.
    fn next_nr(&self, out: &[ExpandedRule]) -> usize {
        self.handed + out.len()
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
            action: RuleAction::Anchor,
            anchor: name.clone(),
            is_anchor: true,
            af: a.filter.af.as_ref().map(|x| x.node),
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
            // An anchor's rules are numbered from 0.
            let handed = std::mem::take(&mut self.handed);
            let children = self.ruleset(body, Some(&path));
            self.handed = handed;
            self.depth -= 1;
            for r in out.iter_mut().skip(start) {
                r.children = Some(children.clone());
            }
        }
    }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PoolKind {
    Nat,
    Binat,
    Rdr,
    Route,
}

/// A block rule's answer before the rule's family is known: the ICMP
/// code (type 3) and the ICMP6 type and code, as parse.y keeps them.
#[derive(Debug, Clone, Copy)]
enum BlockAnswer {
    Drop,
    Return,
    Rst(u64),
    Icmp(u8, (u8, u8)),
}

impl BlockAnswer {
    /// The policy on a rule of family `af` (pfctl prints the code of the
    /// rule's family, both without one).
    fn policy(self, af: Option<Af>) -> ReturnPolicy {
        match self {
            BlockAnswer::Drop => ReturnPolicy::Drop,
            BlockAnswer::Return => ReturnPolicy::Return,
            BlockAnswer::Rst(ttl) => ReturnPolicy::ReturnRst { ttl },
            BlockAnswer::Icmp(code, (type6, code6)) => match af {
                Some(Af::Inet) => ReturnPolicy::ReturnIcmp { code },
                Some(Af::Inet6) => ReturnPolicy::ReturnIcmp6 { type6, code: code6 },
                None => ReturnPolicy::ReturnIcmpBoth { code, type6, code6 },
            },
        }
    }
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
    block: Option<BlockAnswer>,
    log: Option<Log>,
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
    proto: Option<Protocol>,
    icmp: Option<IcmpNode>,
    src: &'c HostNode,
    dst: &'c HostNode,
    sport: &'c Option<PortOp>,
    dport: &'c Option<PortOp>,
    uid: &'c Option<PortOp>,
    gid: &'c Option<PortOp>,
}
