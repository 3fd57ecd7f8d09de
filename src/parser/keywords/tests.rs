//! The table against the grammar (`grammar/pf.pest`, read as text here
//! since pest_derive reads it at compile time), and against the AST.

use super::*;
use crate::ast::{Statement, StatementKind};
use crate::parser::parse;
use crate::span::FileId;
use std::collections::{BTreeMap, BTreeSet};

const GRAMMAR: &str = include_str!("../../../grammar/pf.pest");

/// The body of the grammar rule `name` (between its outer braces).
fn rule_body(name: &str) -> &'static str {
    let head = GRAMMAR
        .lines()
        .find(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .unwrap_or_else(|| panic!("the grammar has no rule {name}"));
    let start = GRAMMAR.find(head).unwrap() + head.find('{').unwrap() + 1;
    let mut depth = 1;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in GRAMMAR[start..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return GRAMMAR[start..start + i].trim();
                }
            }
            _ => {}
        }
    }
    panic!("rule {name} does not end")
}

/// `text` cut at `sep` outside parentheses and quotes, each part trimmed.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut from) = (0i32, false, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c == sep && !quoted && depth == 0 => {
                parts.push(text[from..i].trim());
                from = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text[from..].trim());
    parts
}

/// The word of a keyword token: `kw_max_pkt_rate` is `max-pkt-rate`.
fn kw_word(token: &str) -> String {
    let body = rule_body(token);
    let word = body.split('"').nth(1).expect("a kw_ rule is a literal");
    assert_eq!(body, format!("\"{word}\" ~ !word_char"), "{token}");
    word.to_string()
}

/// The words of the grammar's `keyword` rule, grouped as written.
fn grammar_keyword_groups() -> Vec<Vec<String>> {
    rule_body("keyword")
        .lines()
        .filter(|l| l.contains("~ ("))
        .map(|l| {
            let inner = &l[l.find("~ (").unwrap_or(0)..];
            inner
                .split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn reserved_words_match_the_grammar() {
    let ours: Vec<Vec<String>> = RESERVED
        .iter()
        .map(|g| g.iter().map(|w| w.to_string()).collect())
        .collect();
    assert_eq!(
        ours,
        grammar_keyword_groups(),
        "RESERVED drifted from the grammar's keyword rule"
    );
    assert!(ours.iter().map(Vec::len).sum::<usize>() > 100);
    for g in &ours {
        let first = g[0].as_bytes()[0];
        for (i, a) in g.iter().enumerate() {
            assert!(is_reserved(a), "{a}");
            assert_eq!(a.as_bytes()[0], first, "{a} is in another letter's group");
            // The first-prefix-wins rule equals whole-word lookup only if
            // no word comes after a shorter word that is its prefix.
            for b in &g[i + 1..] {
                assert!(!b.starts_with(a.as_str()), "{a} listed before {b}");
            }
        }
    }
    for w in ["inetx", "in6", "tagg", "ta", "", "Pass", "pass-", "source"] {
        assert!(!is_reserved(w), "{w}");
    }
}

#[test]
fn keyword_tokens_are_the_reserved_and_unreserved_words() {
    let tokens: BTreeMap<String, String> = GRAMMAR
        .lines()
        .filter_map(|l| l.strip_prefix("kw_")?.split_once(" = "))
        .map(|(name, _)| (kw_word(&format!("kw_{name}")), name.to_string()))
        .collect();
    for (word, name) in &tokens {
        assert_eq!(name, &word.replace('-', "_"), "kw_{name} matches {word}");
    }
    let ours: BTreeSet<String> = RESERVED
        .iter()
        .flat_map(|g| g.iter())
        .chain(UNRESERVED)
        .map(|w| w.to_string())
        .collect();
    let theirs: BTreeSet<String> = tokens.into_keys().collect();
    assert_eq!(
        ours, theirs,
        "RESERVED and UNRESERVED are not the grammar's kw_ tokens"
    );
    for w in UNRESERVED {
        assert!(!is_reserved(w), "{w} is both reserved and unreserved");
    }
}

/// What the grammar says of one option: its first words, whether `!` may
/// come first, and what follows the first word.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Production {
    words: Vec<String>,
    negatable: bool,
    shape: String,
}

/// The option production `item` (a rule name, or a sequence such as
/// `kw_tos ~ numberstring`) as a [`Production`]; `None` for `filter_sets`.
fn production(item: &str) -> Option<Production> {
    if item == "filter_sets" {
        return None;
    }
    // A rule's body, unless the item is already a sequence or a token.
    let body = if item.contains('~') || item.starts_with("kw_") {
        item
    } else {
        rule_body(item)
    };
    let alternatives = split_top(body, '|');
    let mut seq = split_top(alternatives[0], '~');
    let negatable = seq[0] == "not?";
    if negatable {
        seq.remove(0);
    }
    let first = seq.remove(0);
    let words: Vec<String> = if alternatives.len() > 1 {
        // `kw_no ~ kw_state | (kw_keep | ...) ~ ...`: each first keyword.
        alternatives
            .iter()
            .flat_map(|a| first_keywords(split_top(a, '~')[0]))
            .collect()
    } else {
        first_keywords(first)
    };
    let shape = match (alternatives.len(), seq.as_slice()) {
        (1, []) => "Flag",
        (1, ["num"]) => "Num",
        (1, ["numberstring"]) => "NumberString",
        (1, ["string"]) => "String",
        (1, ["string_seq"]) => "StringSeq",
        (1, ["num", "\"/\"", "num"]) => "Rate",
        _ => "Other",
    };
    Some(Production {
        words,
        negatable,
        shape: shape.to_string(),
    })
}

/// The words of `kw_x` or `(kw_x | kw_y)`.
fn first_keywords(element: &str) -> Vec<String> {
    let inner = element
        .strip_prefix('(')
        .and_then(|e| e.strip_suffix(')'))
        .unwrap_or(element);
    split_top(inner, '|')
        .into_iter()
        .map(|k| {
            assert!(k.starts_with("kw_"), "an option starts with {k}");
            kw_word(k)
        })
        .collect()
}

/// Asserts both lists hold the same productions, naming those that differ.
fn assert_same(mut table: Vec<Production>, mut grammar: Vec<Production>, rule: &str) {
    table.sort();
    grammar.sort();
    let only_grammar: Vec<_> = grammar.iter().filter(|p| !table.contains(p)).collect();
    let only_table: Vec<_> = table.iter().filter(|p| !grammar.contains(p)).collect();
    assert!(
        only_grammar.is_empty() && only_table.is_empty(),
        "FILTER_OPTIONS drifted from {rule}: in the grammar only {only_grammar:#?}, \
         in the table only {only_table:#?}"
    );
    assert_eq!(table.len(), grammar.len(), "{rule}");
}

fn table_production(words: &[&str], negatable: bool, shape: Shape) -> Production {
    Production {
        words: words.iter().map(|w| w.to_string()).collect(),
        negatable,
        shape: format!("{shape:?}"),
    }
}

#[test]
fn filter_options_match_the_grammar() {
    // Rule options: the alternatives of `filter_opt`.
    let grammar: Vec<Production> = split_top(rule_body("filter_opt"), '|')
        .into_iter()
        .filter_map(production)
        .collect();
    let table: Vec<Production> = FILTER_OPTIONS
        .iter()
        .filter(|s| !s.words.is_empty())
        .map(|s| table_production(s.words, s.negatable, s.shape))
        .collect();
    assert_same(table, grammar, "filter_opt");
    assert!(split_top(rule_body("filter_opt"), '|').contains(&"filter_sets"));
    assert!(rule_body("filter_sets").starts_with("kw_set ~"));

    // `set` items: the alternatives of `filter_set`.
    let grammar: Vec<Production> = split_top(rule_body("filter_set"), '|')
        .into_iter()
        .filter_map(production)
        .collect();
    let table: Vec<Production> = FILTER_OPTIONS
        .iter()
        .filter_map(|s| Some(table_production(&[s.after_set?], false, s.shape)))
        .collect();
    assert_same(table, grammar, "filter_set");
}

#[test]
fn option_words_are_keywords_and_find_one_option() {
    let mut seen = BTreeSet::new();
    for s in FILTER_OPTIONS {
        assert!(
            !s.words.is_empty() || s.after_set.is_some(),
            "{}: no way to write it",
            s.name
        );
        for w in s.words {
            assert!(is_reserved(w) || UNRESERVED.contains(w), "{w}");
            assert!(seen.insert(*w), "{w} starts two options");
            assert_eq!(rule_option(w.as_bytes()).map(|o| o.kind), Some(s.kind));
            assert!(starts_option(w));
        }
        if let Some(w) = s.after_set {
            assert!(is_reserved(w), "{w}");
            assert_eq!(set_option(w.as_bytes()).map(|o| o.kind), Some(s.kind));
        }
    }
    assert!(starts_option("set"));
    for w in ["set", "from", "delay", "", "quick"] {
        assert!(rule_option(w.as_bytes()).is_none(), "{w}");
    }
}

#[test]
fn a_given_twice_group_of_one_option_is_named_after_it() {
    let groups: BTreeSet<&str> = FILTER_OPTIONS
        .iter()
        .filter_map(|s| Some(s.given_twice?.group))
        .collect();
    for g in groups {
        let members: Vec<&str> = FILTER_OPTIONS
            .iter()
            .filter(|s| s.given_twice.is_some_and(|t| t.group == g))
            .map(|s| s.name)
            .collect();
        assert!(
            members.len() > 1 || members[0] == g,
            "group {g}: {members:?}"
        );
    }
}

/// The options of `pass in <text>`, parsed by pest and the Builder (and
/// the fast path first, as always).
fn options_of(text: &str) -> Vec<FilterOpt> {
    let src = format!("pass in {text}");
    let (rs, diags) = parse(&src, FileId(0));
    assert!(diags.is_empty(), "{src}: {diags:?}");
    let [Statement {
        kind: StatementKind::Rule(r),
        ..
    }] = rs.statements.as_slice()
    else {
        panic!("{src}: not one rule");
    };
    r.options.iter().map(|o| o.node.clone()).collect()
}

#[test]
fn every_example_is_one_option_of_its_kind_named_as_in_json() {
    for s in FILTER_OPTIONS {
        let opts = options_of(s.example);
        assert_eq!(opts.len(), 1, "{}: {opts:?}", s.example);
        let o = &opts[0];
        assert_eq!(o.kind(), s.kind, "{}", s.example);
        assert_eq!(o.spec(), s);
        let json = serde_json::to_value(o).unwrap();
        assert_eq!(json["opt"], s.name, "{}: the JSON tag", s.example);
        // The example starts with one of the option's words.
        let first = s
            .example
            .trim_start_matches("! ")
            .split(' ')
            .next()
            .unwrap();
        let second = s.example.split(' ').nth(1).unwrap_or("");
        assert!(
            s.words.contains(&first) || first == "set" && s.after_set == Some(second),
            "{}",
            s.example
        );
        if s.example.starts_with("! ") {
            assert!(s.negatable, "{}", s.example);
        }
    }
}

#[test]
fn every_kind_is_its_rows_index() {
    for (i, s) in FILTER_OPTIONS.iter().enumerate() {
        assert_eq!(s.kind as usize, i);
        assert_eq!(s.kind.spec(), s);
    }
}
