//! The words of a pf.conf text as an editor sees them: a lexical scan
//! that needs no parse, for colouring (semantic tokens) and for what lies
//! at and before the cursor (hover, completion), where the text is often
//! half typed and does not parse.
//!
//! It follows pfctl's lexer where that matters: `#` starts a comment
//! outside quotes and runs to the end of the line; a quote runs to the
//! same quote (a backslash escapes it) or, unterminated, to the end of the
//! line; `$name` is a macro reference where a word starts (`e$b` is one
//! word); `<name>` is a table; words are made of pfctl's word characters.
//! Classification is by the word alone: a reserved word ([`keywords`]) is
//! a keyword, a word that reads as an address or a prefix is an address,
//! one that reads as a number (`22`, `0x10`, `1024:65535`, `50%`, `10M`)
//! a number.
//!
//! Invariants: tokens are in order, never overlap, lie on character
//! boundaries, and none but a comment or string spans a line break
//! (neither does: both end at the line's end); scanning from any line
//! start gives the same tokens as the whole text gives there (lines are
//! independent), so a caller may scan only the lines it needs. The work
//! is linear in the text scanned.

use std::net::{Ipv4Addr, Ipv6Addr};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `# ...` to the end of the line.
    Comment,
    /// A quoted string, quotes included.
    String,
    /// `$name` (or, with `definition`, the name of `name = ...`).
    Macro,
    /// `<name>`, brackets included.
    Table,
    /// A reserved word.
    Keyword,
    /// A number, a port range, a percentage, a bandwidth.
    Number,
    /// An IPv4 or IPv6 address or prefix.
    Address,
    /// Any other word (interface names, service names, host names...).
    Word,
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`, `<>`, `><`, `!`, `-` between words.
    Operator,
    /// `{`, `}`, `(`, `)`, `,`, `/`, `\`.
    Punct,
}

/// One token: its kind and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub(crate) kind: Kind,
    /// First byte.
    pub(crate) start: usize,
    /// One past the last byte.
    pub(crate) end: usize,
    /// A definition: the name of `name = ...`, or the `<name>` of `table
    /// <name>`.
    pub(crate) definition: bool,
}

impl Token {
    /// The token's text.
    pub(crate) fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Words that act as keywords where they stand without being grammar
/// tokens: the address `self`, and table flags.
const ALSO_KEYWORDS: &[&str] = &["const", "counters", "persist", "self"];

/// pfctl's reserved words and the grammar's unreserved keywords (the
/// parser's table, [`crate::parser::keywords::RESERVED`] and
/// [`crate::parser::keywords::UNRESERVED`]), and the words that act as
/// keywords in their place ([`ALSO_KEYWORDS`]): sorted, once each.
pub(crate) fn keywords() -> &'static [&'static str] {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        use crate::parser::keywords::{RESERVED, UNRESERVED};
        let mut all: Vec<&'static str> = RESERVED
            .iter()
            .flat_map(|g| g.iter().copied())
            .chain(UNRESERVED.iter().copied())
            .chain(ALSO_KEYWORDS.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    })
}

/// True for a keyword.
pub(crate) fn is_keyword(word: &str) -> bool {
    keywords().binary_search(&word).is_ok()
}

/// A byte that continues a pfctl word (and any byte of a non-ASCII
/// character: pfctl reads bytes, and such words are names).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._:-$%&*+;?@[]^`|~".contains(&b) || b >= 0x80
}

/// A byte of a macro name.
pub(crate) fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The tokens of `text[from..to]` (`from` a line start, or 0), in order.
pub(crate) fn scan(text: &str, from: usize, to: usize) -> Vec<Token> {
    let bytes = text.as_bytes();
    let to = to.min(bytes.len());
    let mut out: Vec<Token> = Vec::new();
    let mut i = from.min(to);
    // The first token of a line that does not continue the one before.
    let mut line_start = true;
    let mut continued = false;
    let push = |out: &mut Vec<Token>, kind, start, end| {
        out.push(Token {
            kind,
            start,
            end,
            definition: false,
        })
    };
    while i < to {
        let b = bytes[i];
        let first = line_start && !continued;
        match b {
            b'\n' => {
                line_start = true;
                // A backslash ending the line (before blanks) continues it.
                continued = matches!(out.last(), Some(t) if t.kind == Kind::Punct
                    && bytes.get(t.start) == Some(&b'\\')
                    && text[t.end..i].trim_matches([' ', '\t', '\r']).is_empty());
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        line_start = false;
        let start = i;
        match b {
            b'#' => {
                let end = line_end(bytes, i, to);
                push(&mut out, Kind::Comment, start, end);
                i = end;
            }
            b'"' | b'\'' => {
                let mut j = i + 1;
                while j < to && bytes[j] != b && bytes[j] != b'\n' {
                    j += if bytes[j] == b'\\' && j + 1 < to && bytes[j + 1] != b'\n' {
                        2
                    } else {
                        1
                    };
                }
                let end = if j < to && bytes[j] == b {
                    j + 1
                } else {
                    j.min(to)
                };
                let end = if bytes.get(end.wrapping_sub(1)) == Some(&b'\r') {
                    end - 1
                } else {
                    end
                };
                push(&mut out, Kind::String, start, end.max(start + 1));
                i = end.max(start + 1);
            }
            b'$' if bytes.get(i + 1).is_some_and(|&c| is_name_byte(c)) => {
                let mut j = i + 1;
                while j < to && is_name_byte(bytes[j]) {
                    j += 1;
                }
                push(&mut out, Kind::Macro, start, j);
                i = j;
            }
            b'<' => {
                let mut j = i + 1;
                while j < to && is_word_byte(bytes[j]) && bytes[j] != b'$' {
                    j += 1;
                }
                if j > i + 1 && j < to && bytes[j] == b'>' {
                    let definition = matches!(out.last(), Some(t) if t.kind == Kind::Keyword
                        && t.text(text) == "table");
                    out.push(Token {
                        kind: Kind::Table,
                        start,
                        end: j + 1,
                        definition,
                    });
                    i = j + 1;
                } else {
                    let end = if matches!(bytes.get(i + 1), Some(b'=' | b'>')) {
                        i + 2
                    } else {
                        i + 1
                    };
                    push(&mut out, Kind::Operator, start, end);
                    i = end;
                }
            }
            b'>' | b'!' | b'=' => {
                let end = match (b, bytes.get(i + 1)) {
                    (b'>', Some(b'=' | b'<')) | (b'!', Some(b'=')) => i + 2,
                    _ => i + 1,
                };
                push(&mut out, Kind::Operator, start, end);
                i = end;
            }
            b'-' if !bytes.get(i + 1).is_some_and(|&c| is_word_byte(c)) => {
                push(&mut out, Kind::Operator, start, i + 1);
                i += 1;
            }
            b'{' | b'}' | b'(' | b')' | b',' | b'/' | b'\\' => {
                push(&mut out, Kind::Punct, start, i + 1);
                i += 1;
            }
            _ if is_word_byte(b) => {
                let mut j = i;
                while j < to && is_word_byte(bytes[j]) {
                    j += 1;
                }
                // A prefix length belongs to its address: `10.0.0.0/8`.
                let mut end = j;
                if j + 1 < to && bytes[j] == b'/' && bytes[j + 1].is_ascii_digit() {
                    let mut k = j + 1;
                    while k < to && bytes[k].is_ascii_digit() {
                        k += 1;
                    }
                    if (k >= to || !is_word_byte(bytes[k])) && is_address(&text[i..k]) {
                        end = k;
                    }
                }
                let word = &text[i..end];
                let kind = classify(word);
                let definition = first
                    && kind != Kind::Keyword
                    && word.bytes().all(is_name_byte)
                    && next_significant(bytes, end, to) == Some(b'=')
                    && bytes.get(next_index(bytes, end, to) + 1) != Some(&b'=');
                out.push(Token {
                    kind: if definition { Kind::Macro } else { kind },
                    start,
                    end,
                    definition,
                });
                i = end;
            }
            _ => {
                // Any other byte: skip the whole character.
                let mut j = i + 1;
                while j < to && !text.is_char_boundary(j) {
                    j += 1;
                }
                push(&mut out, Kind::Punct, start, j);
                i = j;
            }
        }
    }
    out
}

/// The end of the line holding `i` (before its `\r\n` or `\n`).
fn line_end(bytes: &[u8], i: usize, to: usize) -> usize {
    let mut j = i;
    while j < to && bytes[j] != b'\n' {
        j += 1;
    }
    if j > i && bytes[j - 1] == b'\r' {
        j - 1
    } else {
        j
    }
}

fn next_index(bytes: &[u8], mut i: usize, to: usize) -> usize {
    while i < to && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

fn next_significant(bytes: &[u8], i: usize, to: usize) -> Option<u8> {
    let j = next_index(bytes, i, to);
    (j < to).then(|| bytes[j])
}

/// What a word is, by its text alone.
fn classify(word: &str) -> Kind {
    if is_keyword(word) {
        Kind::Keyword
    } else if is_address(word) {
        Kind::Address
    } else if is_number(word) {
        Kind::Number
    } else {
        Kind::Word
    }
}

/// An IPv4 or IPv6 address or prefix, or a short IPv4 prefix (`10/8`,
/// `172.16/12`).
pub(crate) fn is_address(word: &str) -> bool {
    let (addr, mask) = match word.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (word, None),
    };
    if mask.is_some_and(|m| m.is_empty() || !m.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if addr.parse::<Ipv4Addr>().is_ok() || addr.parse::<Ipv6Addr>().is_ok() {
        return true;
    }
    // `10/8`, `172.16/12`: digits and dots with a prefix length.
    mask.is_some()
        && !addr.is_empty()
        && addr.split('.').count() <= 4
        && addr
            .split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A number as pf.conf writes them: decimal, `0x` hex, a range `a:b`, a
/// percentage, a bandwidth or size with its unit.
fn is_number(word: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let w = word.strip_prefix('-').unwrap_or(word);
    if digits(w) {
        return true;
    }
    if let Some(hex) = w.strip_prefix("0x").or_else(|| w.strip_prefix("0X")) {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some((a, b)) = w.split_once(':') {
        return digits(a) && (digits(b) || b == "*");
    }
    let unit = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == '%');
    digits(unit) && matches!(&w[unit.len()..], "%" | "K" | "M" | "G" | "ms" | "s")
}

/// Where the statement holding `offset` starts, as far as its words go:
/// the start of its line, moved back over lines that the line continues
/// (a `\` at the end of the one before) and over the lines of a `{ }`
/// list left open before it. An inline anchor's `{` is no list: the
/// statements inside start on their own lines. Looks back at most
/// [`LOOK_BACK`] lines.
pub(crate) fn statement_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let mut start = line_start(text, offset);
    for _ in 0..LOOK_BACK {
        if start == 0 {
            break;
        }
        let prev = line_start(text, start - 1);
        let line = text[prev..start - 1].trim_end_matches([' ', '\t', '\r']);
        // A comment ending in a backslash continues nothing.
        let tokens = scan(text, prev, start - 1);
        let ends_continued = line.ends_with('\\')
            && !tokens
                .last()
                .is_some_and(|t| t.kind == Kind::Comment || t.kind == Kind::String);
        if ends_continued {
            start = prev;
            continue;
        }
        // An open list on an earlier line: find the line opening it.
        let Some(open) = open_list_line(text, start, offset) else {
            break;
        };
        start = open;
    }
    start
}

/// Lines looked back for the start of a statement.
pub(crate) const LOOK_BACK: usize = 64;

/// The start of the line before `start` that opens a `{ }` list still open
/// at `offset`, if one does within [`LOOK_BACK`] lines.
fn open_list_line(text: &str, start: usize, offset: usize) -> Option<usize> {
    // Braces closed between `start` and `offset` close lists opened
    // before `start`; those opened there are the statement's own.
    let mut depth: i64 = 0;
    let mut lowest: i64 = 0;
    for t in scan(text, start, offset) {
        depth += depth_change(text, std::slice::from_ref(&t));
        lowest = lowest.min(depth);
    }
    let mut depth = lowest;
    let mut p = start;
    for _ in 0..LOOK_BACK {
        if p == 0 {
            return None;
        }
        let prev = line_start(text, p - 1);
        let tokens = scan(text, prev, p);
        if is_block_header(text, &tokens) {
            return None;
        }
        depth += depth_change(text, &tokens);
        if depth > 0 {
            return Some(prev);
        }
        p = prev;
    }
    None
}

/// `{` minus `}` in these tokens.
fn depth_change(text: &str, tokens: &[Token]) -> i64 {
    tokens
        .iter()
        .filter(|t| t.kind == Kind::Punct)
        .map(|t| match t.text(text) {
            "{" => 1,
            "}" => -1,
            _ => 0,
        })
        .sum()
}

/// An `anchor ... {` line opening an inline ruleset.
fn is_block_header(text: &str, tokens: &[Token]) -> bool {
    let significant: Vec<&Token> = tokens.iter().filter(|t| t.kind != Kind::Comment).collect();
    significant
        .first()
        .is_some_and(|t| t.kind == Kind::Keyword && t.text(text) == "anchor")
        && significant
            .last()
            .is_some_and(|t| t.kind == Kind::Punct && t.text(text) == "{")
}

/// The start of the line holding `offset`.
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_word_of_the_grammar_is_a_keyword() {
        assert!(
            keywords().windows(2).all(|w| w[0] < w[1]),
            "sorted, once each"
        );
        let grammar = include_str!("../../grammar/pf.pest");
        let start = grammar.find("keyword = @{").unwrap();
        let end = start + grammar[start..].find("~ !word_char").unwrap();
        let reserved: Vec<&str> = grammar[start..end]
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|w| w.len() > 1)
            .collect();
        assert!(reserved.len() > 100, "{reserved:?}");
        for w in reserved {
            assert!(is_keyword(w), "{w}");
        }
    }

    fn kinds(text: &str) -> Vec<(&str, Kind)> {
        scan(text, 0, text.len())
            .iter()
            .map(|t| (t.text(text), t.kind))
            .collect()
    }

    #[test]
    fn words_are_cut_as_pfctl_cuts_them() {
        assert_eq!(
            kinds("pass in on $ext:network to <t> port != 22 # c\n"),
            [
                ("pass", Kind::Keyword),
                ("in", Kind::Keyword),
                ("on", Kind::Keyword),
                ("$ext", Kind::Macro),
                (":network", Kind::Word),
                ("to", Kind::Keyword),
                ("<t>", Kind::Table),
                ("port", Kind::Keyword),
                ("!=", Kind::Operator),
                ("22", Kind::Number),
                ("# c", Kind::Comment),
            ]
        );
        assert_eq!(
            kinds("x = \"a # b\" 'c\\'d' e$f 10.0.0.1 - 10.0.0.9 fe80::1%em0 \"open"),
            [
                ("x", Kind::Macro),
                ("=", Kind::Operator),
                ("\"a # b\"", Kind::String),
                ("'c\\'d'", Kind::String),
                ("e$f", Kind::Word),
                ("10.0.0.1", Kind::Address),
                ("-", Kind::Operator),
                ("10.0.0.9", Kind::Address),
                ("fe80::1%em0", Kind::Word),
                ("\"open", Kind::String),
            ]
        );
        assert_eq!(
            kinds("port < 1024 <> 2048 >< 3 probability 50% bandwidth 10M"),
            [
                ("port", Kind::Keyword),
                ("<", Kind::Operator),
                ("1024", Kind::Number),
                ("<>", Kind::Operator),
                ("2048", Kind::Number),
                ("><", Kind::Operator),
                ("3", Kind::Number),
                ("probability", Kind::Keyword),
                ("50%", Kind::Number),
                ("bandwidth", Kind::Keyword),
                ("10M", Kind::Number),
            ]
        );
    }

    #[test]
    fn a_statement_starts_before_its_continuations_and_open_lists() {
        let text = "block all\npass in \\\n  proto tcp to port {\n  22,\n  80 }\nanchor \"a\" {\n  pass\n}\n";
        let at = |s: &str| statement_start(text, text.find(s).unwrap());
        assert_eq!(at("80"), text.find("pass in").unwrap());
        assert_eq!(at("proto"), text.find("pass in").unwrap());
        assert_eq!(at("block"), 0);
        // Inside an inline anchor, statements start on their own line.
        assert_eq!(at("  pass\n"), text.find("  pass\n").unwrap());
    }
}
