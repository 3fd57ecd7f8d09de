//! Completion: what may be typed at the cursor, from the words before it
//! in the statement ([`super::words`]) — the text being typed seldom
//! parses.
//!
//! - after `$`: the macros the document defines (with their values);
//! - after `<`: the tables it defines;
//! - after `port` (or in its `{ }` list): service names, with their port;
//! - after `proto`: protocol names;
//! - after `from` or `to`: address keywords, tables and macros;
//! - after `on` (`received-on`, `antispoof for`): the node's interfaces
//!   and groups ([`super::node`]) and the macros;
//! - the first word of a statement: the statement keywords;
//! - after `set` starting a statement: the options; in a rule: `prio`,
//!   `queue`, `tos`, `delay`;
//! - in a `pass`, `block`, `match` or `anchor` rule: the rule's keywords
//!   (and, in `block`, how to block); in `table`, `antispoof`, `load`,
//!   `queue` statements, theirs;
//! - elsewhere: every keyword.
//!
//! The keywords come from the parser's table ([`crate::parser::keywords`]:
//! the filter options and their first words, what `set` takes in a rule)
//! and the reserved words ([`words::keywords`]), so a new option is
//! offered without a second list here; what the table does not hold (a
//! rule's own parameters, `set`'s options, a table's flags) is listed
//! below, and a test holds every word offered to the grammar's words.
//!
//! Invariants: each item replaces the word being typed (a `textEdit` over
//! it: the name after `$` or `<`, the partial word otherwise), so clients
//! with any notion of a word insert the same text; nothing is offered
//! inside a comment or a string.

use super::analysis::Symbol;
use super::position::LineIndex;
use super::server::{invalid_params, Server};
use super::words::{self, Kind, Token};
use crate::parser::keywords::{OptKind, FILTER_OPTIONS};
use crate::Protocol;
use lsp_server::ResponseError;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Range, TextEdit,
};
use std::sync::OnceLock;

/// Words that start a statement.
const STATEMENTS: &[&str] = &[
    "pass",
    "block",
    "match",
    "anchor",
    "load anchor",
    "table",
    "set",
    "include",
    "antispoof",
    "queue",
    "state limiter",
    "source limiter",
];

/// A rule's own parameters before its options, in pf.conf(5)'s order
/// (the options come from [`FILTER_OPTIONS`], see [`rule_words`]).
const RULE_HEAD: &[&str] = &[
    "in", "out", "log", "quick", "on", "inet", "inet6", "proto", "from", "to", "all", "any",
    "self", "port", "os",
];

/// The pool options of `nat-to`, `rdr-to`, `binat-to` and `route-to`.
const POOL: &[&str] = &[
    "round-robin",
    "random",
    "source-hash",
    "least-states",
    "bitmask",
    "static-port",
    "sticky-address",
];

/// What may come in a filter rule: its own parameters, every filter
/// option by the words it starts with (`keep state`, `state limiter`),
/// `set` and the items it takes, and the pool options.
fn rule_words() -> &'static [String] {
    static WORDS: OnceLock<Vec<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut out: Vec<String> = RULE_HEAD.iter().map(|w| w.to_string()).collect();
        for spec in FILTER_OPTIONS {
            for w in spec.words {
                let word = match spec.kind {
                    // Two words: `keep state`, `state limiter`.
                    OptKind::State => format!("{w} state"),
                    OptKind::Limiter => format!("{w} limiter"),
                    _ => w.to_string(),
                };
                if !out.contains(&word) {
                    out.push(word);
                }
            }
        }
        out.extend(set_in_rule().iter().map(|w| format!("set {w}")));
        out.extend(POOL.iter().map(|w| w.to_string()));
        out
    })
}

/// What `set` may change in a rule (`set prio`, `set queue`...).
fn set_in_rule() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| FILTER_OPTIONS.iter().filter_map(|s| s.after_set).collect())
}

/// How a `block` rule refuses.
const BLOCK: &[&str] = &[
    "drop",
    "return",
    "return-rst",
    "return-icmp",
    "return-icmp6",
];

/// The options of `set`.
const SET: &[&str] = &[
    "skip on",
    "block-policy",
    "state-policy",
    "limit",
    "timeout",
    "optimization",
    "ruleset-optimization",
    "loginterface",
    "hostid",
    "fingerprints",
    "debug",
    "reassemble",
    "state-defaults",
    "syncookies",
];

/// The options of a table.
const TABLE: &[&str] = &["persist", "const", "counters", "file", "timeout"];

/// The parameters of antispoof.
const ANTISPOOF: &[&str] = &["log", "quick", "for", "inet", "inet6", "label", "rtable"];

/// The parameters of a queue.
const QUEUE: &[&str] = &[
    "on",
    "parent",
    "bandwidth",
    "min",
    "max",
    "burst",
    "for",
    "default",
    "qlimit",
    "flows",
    "quantum",
];

/// Addresses that are keywords.
const ADDRESSES: &[&str] = &["any", "self", "no-route", "urpf-failed", "route"];

/// `textDocument/completion`.
pub(crate) fn completion(
    server: &Server,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>, ResponseError> {
    let at = params.text_document_position;
    let doc = server.document(&at.text_document.uri)?;
    let text: &str = &doc.text;
    let index = LineIndex::new(text, server.encoding);
    let offset = index
        .offset(at.position)
        .ok_or_else(|| invalid_params("position outside the document".to_string()))?;
    let start = words::statement_start(text, offset);
    let tokens = words::scan(text, start, offset);
    let Some(place) = place(text, &tokens, offset) else {
        return Ok(None);
    };
    let range = Range::new(index.position(place.replace), index.position(offset));
    let item = |label: &str, kind, detail: Option<String>, new_text: String| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, new_text))),
        ..CompletionItem::default()
    };
    let keywords = |list: &[&str]| -> Vec<CompletionItem> {
        list.iter()
            .map(|k| item(k, CompletionItemKind::KEYWORD, None, k.to_string()))
            .collect()
    };
    let names = |symbol: Symbol| -> Result<Vec<(String, Option<String>)>, ResponseError> {
        let analysis = server.analysis(&at.text_document.uri)?;
        let mut found: Vec<(String, Option<String>)> = Vec::new();
        match symbol {
            Symbol::Macro => {
                for m in &analysis.resolved.macros {
                    found.push((m.name.clone(), Some(format!("\"{}\"", m.value))));
                }
            }
            _ => {
                for o in analysis
                    .occurrences()
                    .iter()
                    .filter(|o| o.symbol == symbol && o.definition)
                {
                    if !found.iter().any(|(n, _)| *n == o.name) {
                        found.push((o.name.clone(), None));
                    }
                }
            }
        }
        found.sort();
        Ok(found)
    };
    let items: Vec<CompletionItem> = match place.what {
        What::Macro => names(Symbol::Macro)?
            .into_iter()
            .map(|(n, v)| item(&n, CompletionItemKind::VARIABLE, v, n.clone()))
            .collect(),
        What::Table { closed } => names(Symbol::Table)?
            .into_iter()
            .map(|(n, _)| {
                let new = if closed { n.clone() } else { format!("{n}>") };
                item(&n, CompletionItemKind::CONSTANT, Some("table".into()), new)
            })
            .collect(),
        What::Ports => services()
            .iter()
            .map(|(name, detail)| {
                item(
                    name,
                    CompletionItemKind::VALUE,
                    Some(detail.clone()),
                    name.to_string(),
                )
            })
            .collect(),
        What::Protocols => protocols()
            .iter()
            .map(|(name, n)| {
                item(
                    name,
                    CompletionItemKind::VALUE,
                    Some(format!("protocol {n}")),
                    name.to_string(),
                )
            })
            .collect(),
        What::Addresses => {
            let mut v = keywords(ADDRESSES);
            v.extend(names(Symbol::Table)?.into_iter().map(|(n, _)| {
                let label = format!("<{n}>");
                item(
                    &label,
                    CompletionItemKind::CONSTANT,
                    Some("table".into()),
                    label.clone(),
                )
            }));
            v.extend(names(Symbol::Macro)?.into_iter().map(|(n, value)| {
                let label = format!("${n}");
                item(&label, CompletionItemKind::VARIABLE, value, label.clone())
            }));
            v
        }
        What::Keywords(list) => keywords(list),
        What::SetInRule => keywords(set_in_rule()),
        What::Every => keywords(words::keywords()),
        What::Rule { block } => {
            let rule: Vec<&str> = rule_words().iter().map(String::as_str).collect();
            let mut v = keywords(&rule);
            if block {
                v.extend(keywords(BLOCK));
            }
            v
        }
        What::Interfaces => {
            let mut v = Vec::new();
            if let Ok(n) = super::node::of(server, &at.text_document.uri)? {
                v.extend(super::node::names(&n).into_iter().map(|(name, detail)| {
                    item(
                        &name,
                        CompletionItemKind::MODULE,
                        Some(detail),
                        name.clone(),
                    )
                }));
            }
            v.extend(names(Symbol::Macro)?.into_iter().map(|(n, value)| {
                let label = format!("${n}");
                item(&label, CompletionItemKind::VARIABLE, value, label.clone())
            }));
            v
        }
    };
    Ok(Some(CompletionResponse::Array(items)))
}

/// What to offer at the cursor, and from where the typed text is replaced.
#[derive(Debug, PartialEq)]
struct Place {
    what: What,
    replace: usize,
}

#[derive(Debug, PartialEq)]
enum What {
    Macro,
    Table {
        /// A `>` follows already.
        closed: bool,
    },
    Ports,
    Protocols,
    Addresses,
    Interfaces,
    Keywords(&'static [&'static str]),
    SetInRule,
    Every,
    Rule {
        block: bool,
    },
}

/// What may be typed at `offset`, given the statement's tokens before it
/// (`tokens` end at `offset`). None inside a comment or a string.
fn place(text: &str, tokens: &[Token], offset: usize) -> Option<Place> {
    let bytes = text.as_bytes();
    // The name being typed after `$` or `<`.
    let mut name_start = offset;
    while name_start > 0 && words::is_name_byte(bytes[name_start - 1]) {
        name_start -= 1;
    }
    let before = name_start.checked_sub(1).map(|i| bytes[i]);
    if let Some(last) = tokens.last() {
        let inside = match last.kind {
            Kind::Comment => last.end >= offset,
            Kind::String => last.end >= offset && !closed_string(last.text(text)),
            _ => false,
        };
        if inside {
            return None;
        }
    }
    if before == Some(b'$') {
        return Some(Place {
            what: What::Macro,
            replace: name_start,
        });
    }
    if before == Some(b'<') && (name_start < 2 || bytes[name_start - 2] != b'<') {
        let closed = bytes.get(offset) == Some(&b'>');
        return Some(Place {
            what: What::Table { closed },
            replace: name_start,
        });
    }
    // The word being typed is the last token when it ends at the cursor.
    let (typed, done) = match tokens.last() {
        Some(t)
            if t.end == offset && matches!(t.kind, Kind::Word | Kind::Keyword | Kind::Number) =>
        {
            (Some(*t), &tokens[..tokens.len() - 1])
        }
        _ => (None, tokens),
    };
    let replace = typed.map_or(offset, |t| t.start);
    let done: Vec<&Token> = done.iter().filter(|t| t.kind != Kind::Comment).collect();
    let word = |t: &Token| t.text(text);
    let keyword_before = |i: usize| {
        done[..i]
            .iter()
            .rev()
            .find(|t| t.kind == Kind::Keyword)
            .map(|t| word(t))
    };
    // The keyword whose value is being typed: the one just before, the
    // one before an operator (`port >= `), or the one opening the `{ }`
    // list the cursor is in.
    let slot = match done.last() {
        Some(t) if t.kind == Kind::Keyword => Some(word(t)),
        Some(t) if t.kind == Kind::Operator => keyword_before(done.len()),
        _ => open_list(text, &done).and_then(keyword_before),
    };
    let what = match (done.first().map(|t| word(t)), slot) {
        (None, _) => What::Keywords(STATEMENTS),
        (_, Some("port")) => What::Ports,
        (_, Some("proto")) => What::Protocols,
        (_, Some("from" | "to")) => What::Addresses,
        (_, Some("on" | "received-on")) | (Some("antispoof"), Some("for")) => What::Interfaces,
        (Some("set"), Some("set")) if done.len() == 1 => What::Keywords(SET),
        (_, Some("set")) => What::SetInRule,
        (Some("pass" | "match" | "anchor"), _) => What::Rule { block: false },
        (Some("block"), _) => What::Rule { block: true },
        (Some("table"), _) => What::Keywords(TABLE),
        (Some("antispoof"), _) => What::Keywords(ANTISPOOF),
        (Some("load"), _) => What::Keywords(&["anchor", "from"]),
        (Some("queue"), _) => What::Keywords(QUEUE),
        _ => What::Every,
    };
    Some(Place { what, replace })
}

/// The index of the `{` of the innermost list still open at the end.
fn open_list(text: &str, tokens: &[&Token]) -> Option<usize> {
    let mut open = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match (t.kind, t.text(text)) {
            (Kind::Punct, "{") => open.push(i),
            (Kind::Punct, "}") => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// A string token with its closing quote.
fn closed_string(s: &str) -> bool {
    s.len() >= 2 && s.as_bytes()[0] == s.as_bytes()[s.len() - 1]
}

/// Service names (tcp, then udp ones tcp lacks) with their port, in port
/// order.
fn services() -> &'static [(&'static str, String)] {
    static SERVICES: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        for port in 1..=u16::MAX {
            let tcp = crate::names::service_name(port, Protocol::TCP);
            let udp = crate::names::service_name(port, Protocol::UDP);
            match (tcp, udp) {
                (Some(t), Some(u)) if t == u => out.push((t, format!("port {port}"))),
                (t, u) => {
                    out.extend(t.map(|t| (t, format!("port {port} (tcp)"))));
                    out.extend(u.map(|u| (u, format!("port {port} (udp)"))));
                }
            }
        }
        out
    })
}

/// Protocol names with their number.
fn protocols() -> &'static [(&'static str, u8)] {
    static PROTOCOLS: OnceLock<Vec<(&'static str, u8)>> = OnceLock::new();
    PROTOCOLS.get_or_init(|| {
        (0..=u8::MAX)
            .filter_map(|n| crate::names::protocol_name(n).map(|p| (p, n)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is offered at `|` in `text`.
    fn at(text: &str) -> Option<Place> {
        let offset = text.find('|').unwrap();
        let text = text.replace('|', "");
        let start = words::statement_start(&text, offset);
        let tokens = words::scan(&text, start, offset);
        place(&text, &tokens, offset)
    }

    #[test]
    fn statement_keywords_first_then_the_rules_own() {
        assert_eq!(at("|").unwrap().what, What::Keywords(STATEMENTS));
        assert_eq!(
            at("block all\npa|").unwrap(),
            Place {
                what: What::Keywords(STATEMENTS),
                replace: 10
            }
        );
        assert_eq!(at("pass |").unwrap().what, What::Rule { block: false });
        assert_eq!(at("block in qu|").unwrap().what, What::Rule { block: true });
        assert_eq!(at("set |").unwrap().what, What::Keywords(SET));
        assert_eq!(at("pass in set |").unwrap().what, What::SetInRule);
        assert_eq!(at("table <t> |").unwrap().what, What::Keywords(TABLE));
    }

    #[test]
    fn values_after_their_keyword_even_in_a_list_or_on_the_next_line() {
        assert_eq!(at("pass in proto tcp to port |").unwrap().what, What::Ports);
        assert_eq!(
            at("pass in proto tcp to port { ssh, ht|").unwrap(),
            Place {
                what: What::Ports,
                replace: 33
            }
        );
        assert_eq!(
            at("pass in proto tcp to port {\n  ssh,\n  |").unwrap().what,
            What::Ports
        );
        assert_eq!(
            at("pass in proto tcp \\\n  to port |").unwrap().what,
            What::Ports
        );
        assert_eq!(at("pass in proto |").unwrap().what, What::Protocols);
        assert_eq!(
            at("pass in proto tcp to port 22 |").unwrap().what,
            What::Rule { block: false }
        );
        assert_eq!(at("pass in from |").unwrap().what, What::Addresses);
        assert_eq!(
            at("pass in from { 10.0.0.1, |").unwrap().what,
            What::Addresses
        );
    }

    #[test]
    fn macros_and_tables_after_their_sigil() {
        assert_eq!(
            at("pass on $ex|").unwrap(),
            Place {
                what: What::Macro,
                replace: 9
            }
        );
        assert_eq!(
            at("pass from <|").unwrap(),
            Place {
                what: What::Table { closed: false },
                replace: 11
            }
        );
        assert_eq!(
            at("pass from <ba|> to any").unwrap(),
            Place {
                what: What::Table { closed: true },
                replace: 11
            }
        );
    }

    #[test]
    fn nothing_in_comments_or_strings() {
        assert_eq!(at("pass # pa|"), None);
        assert_eq!(at("pass label \"pa|"), None);
        assert!(at("pass label \"x\" |").is_some());
    }

    #[test]
    fn every_keyword_offered_is_a_word_of_the_grammar() {
        let lists: [&[&str]; 6] = [STATEMENTS, BLOCK, SET, TABLE, ANTISPOOF, QUEUE];
        let mut offered: Vec<String> = lists
            .iter()
            .flat_map(|l| l.iter().map(|w| w.to_string()))
            .collect();
        offered.extend(rule_words().iter().cloned());
        offered.extend(ADDRESSES.iter().map(|w| w.to_string()));
        for phrase in &offered {
            for w in phrase.split(' ') {
                assert!(words::is_keyword(w), "{phrase}: {w} is not a keyword");
            }
        }
        // Every filter option is offered in a rule, by its first words.
        let rule = rule_words();
        for spec in FILTER_OPTIONS {
            for w in spec.words {
                assert!(
                    rule.iter().any(|r| r.split(' ').any(|x| x == *w)),
                    "{}: {w}",
                    spec.name
                );
            }
            if let Some(w) = spec.after_set {
                assert!(rule.contains(&format!("set {w}")), "{}", spec.name);
            }
        }
        for w in [
            "keep state",
            "no state",
            "state limiter",
            "set prio",
            "received-on",
        ] {
            assert!(rule.iter().any(|r| r == w), "{w}");
        }
    }

    #[test]
    fn interfaces_after_on() {
        assert_eq!(at("pass in on |").unwrap().what, What::Interfaces);
        assert_eq!(at("set skip on { lo, |").unwrap().what, What::Interfaces);
        assert_eq!(at("antispoof for |").unwrap().what, What::Interfaces);
        assert_eq!(
            at("pass in on em0 |").unwrap().what,
            What::Rule { block: false }
        );
    }

    #[test]
    fn services_and_protocols_come_from_the_tables() {
        assert!(services()
            .iter()
            .any(|(n, d)| *n == "ssh" && d == "port 22"));
        assert!(protocols().contains(&("tcp", 6)));
    }
}

/// Every lexical helper on odd text, at every offset: no panic, and
/// answers inside the text.
#[cfg(test)]
mod robustness {
    use super::super::{actions, hover, semantic, words};
    use super::place;
    use crate::parser::tokens::{statement, TOKENS};

    /// Texts from grammar tokens (a small linear congruential generator:
    /// the same texts on every run), plus hand-picked odd ones.
    fn texts() -> Vec<String> {
        let mut seed: u64 = 17;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        let mut out: Vec<String> = (0..300)
            .map(|_| {
                let n = next() % 24;
                statement((0..n).map(|_| (next() % TOKENS.len(), next() % 4 == 0)))
            })
            .collect();
        out.extend(
            [
                "",
                "\\",
                "\"",
                "<",
                "$",
                "#",
                "\r\n\r",
                "a\\\r\n\\\n{{{{\n}}}}}\n",
                "pass \"é\\😀\" <é> $é é/8 10.0.0.0/ :: ::/ 0x 1: -",
                "anchor \"a\" {\n  anchor {\n pass { \n",
                "x = 1\n  y = 2 \\\n = 3",
            ]
            .map(String::from),
        );
        out
    }

    #[test]
    fn no_offset_of_any_text_makes_a_helper_panic() {
        for text in texts() {
            let tokens = words::scan(&text, 0, text.len());
            for w in tokens.windows(2) {
                assert!(w[0].end <= w[1].start, "{text:?}: {w:?}");
            }
            assert!(tokens
                .iter()
                .all(|t| t.start < t.end && t.end <= text.len()));
            let _ = semantic::encode(&text, super::super::position::Encoding::Utf8);
            for offset in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let start = words::statement_start(&text, offset);
                assert!(start <= offset);
                let before = words::scan(&text, start, offset);
                if let Some(p) = place(&text, &before, offset) {
                    assert!(p.replace <= offset, "{text:?} at {offset}");
                }
                let (tokens, i) = hover::token_at(&text, offset);
                if let Some(i) = i {
                    let _ = hover::context(&text, &tokens, i);
                }
                let statement = Some((start, offset));
                if let Some((s, e, _)) = actions::suppression(&text, statement, offset, "x") {
                    assert!(s <= e && e <= text.len() && text.is_char_boundary(s));
                }
            }
        }
    }
}
