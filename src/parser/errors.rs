//! Syntax-error messages for what pest rejects.
//!
//! [`syntax_error`] turns a pest error into one `syntax` diagnostic in
//! pfctl's voice: the word at fault ("unexpected `pas`"), what the grammar
//! expected in pf.conf(5)'s words (`rule_name`), a "did you mean" for a
//! keyword typo (`keyword_like`, by edit distance over the grammar's
//! tokens) and, for an unclosed `{`, `(` or quote, a label at its opening
//! (`unclosed_before`). Pure functions of the statement's text.

use super::grammar::Rule;
use super::{tokens, PosMap};
use crate::diag::Diagnostic;
use crate::lexer;

fn word_at(text: &str, pos: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let start = pos.min(bytes.len());
    let mut end = start;
    while end < bytes.len() && !bytes[end].is_ascii_whitespace() {
        end += 1;
        if !is_word_byte(bytes[end - 1]) {
            break;
        }
    }
    (start, end)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._:-$%&*+;?@[]^`|~".contains(&b)
}

fn rule_name(r: &Rule) -> Option<String> {
    let s = format!("{r:?}");
    if let Some(k) = s.strip_prefix("kw_") {
        return Some(format!("`{}`", k.replace('_', "-")));
    }
    Some(
        match r {
            Rule::number | Rule::num => "a number",
            Rule::string | Rule::ident | Rule::quoted | Rule::string_seq => {
                "a name or quoted string"
            }
            Rule::numberstring => "a name or number",
            Rule::macro_ref => "a $macro",
            Rule::EOI => "end of line",
            Rule::filter_opt => "a filter option",
            Rule::host | Rule::xhost | Rule::ipspec => "an address",
            Rule::port_item | Rule::portspec => "a port",
            Rule::not => "`!`",
            Rule::unaryop => "a comparison operator",
            _ => return None,
        }
        .to_string(),
    )
}

pub(super) fn syntax_error(text: &str, map: &PosMap, e: &pest::error::Error<Rule>) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    // A character pf does not read outside comments and quotes (pfctl's
    // lexer ends a word at it and then meets it as a token of its own).
    if let Some(c) = text.get(pos..).and_then(|t| t.chars().next()) {
        if !c.is_ascii() {
            return Diagnostic::error(
                "syntax",
                map.span(pos, pos + c.len_utf8()),
                format!(
                    "syntax error: {} outside a comment or a quoted string",
                    crate::encoding::describe(c)
                ),
            )
            .with_help(
                "pf reads only ASCII here: quote the value (\"...\") or remove the character",
            );
        }
    }
    let (start, end) = word_at(text, pos);
    let found = text.get(start..end).unwrap_or("");
    let message = if found.is_empty() || start >= text.len() {
        "syntax error: statement ends too early".to_string()
    } else {
        format!("syntax error: unexpected `{found}`")
    };
    let mut d = Diagnostic::error("syntax", map.span(start, end.max(start)), message);
    let mut help = Vec::new();
    let close = keyword_like(found);
    if let Some(k) = close {
        help.push(format!("did you mean `{k}`?"));
    }
    if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
        let mut names: Vec<String> = positives.iter().filter_map(rule_name).collect();
        names.sort();
        names.dedup();
        let said = close.is_some_and(|k| names == [format!("`{k}`")]);
        if !names.is_empty() && names.len() <= 12 && !said {
            help.push(format!("expected {}", names.join(", ")));
        }
    }
    if !help.is_empty() {
        d = d.with_help(help.join("; "));
    }
    // An unclosed `{` or `(` before the error: where it opened, since the
    // parser only notices where the statement runs out.
    if let Some((open, c)) = unclosed_before(text, start) {
        let close = if c == b'{' { '}' } else { ')' };
        d = d.with_label(
            map.span(open, open + 1),
            format!("this `{}` is never closed with `{close}`", c as char),
        );
    }
    d
}

/// The innermost `{` or `(` left open before `pos` (outside quotes and
/// comments), with its offset.
fn unclosed_before(text: &str, pos: usize) -> Option<(usize, u8)> {
    use std::ops::ControlFlow;
    let mut stack: Vec<(usize, u8)> = Vec::new();
    lexer::scan_outside_quotes::<()>(text, |i, c| {
        if i >= pos {
            return ControlFlow::Break(());
        }
        match c {
            b'{' | b'(' => stack.push((i, c)),
            b'}' | b')' => {
                stack.pop();
            }
            _ => {}
        }
        ControlFlow::Continue(())
    });
    stack.pop()
}

/// The pf.conf keyword a misspelt word is closest to (`pas` -> `pass`,
/// `blokc` -> `block`, `stat` -> `state`): one or two edits away, for
/// words of three letters or more that are not keywords themselves.
fn keyword_like(word: &str) -> Option<&'static str> {
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') {
        return None;
    }
    let keywords = tokens::TOKENS
        .iter()
        .copied()
        .filter(|t| t.len() >= 3 && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
    if keywords.clone().any(|k| k == word) {
        return None;
    }
    let limit = if word.len() <= 4 { 1 } else { 2 };
    keywords
        .map(|k| (crate::diag::edit_distance(word, k), k))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, k)| k)
}
