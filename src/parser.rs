//! Parsing statements with the pest grammar and building the typed AST.
//!
//! [`parse`] cuts a file with [`crate::lexer`], parses every statement with
//! `grammar/pf.pest` and turns pest's pairs into [`crate::ast`] nodes.
//! Statements are independent: a syntax error is reported with its span and
//! parsing goes on with the next statement.
//!
//! The grammar and the pair-to-AST `Builder` below are the reference. For
//! speed, each statement is first offered to a hand-written parser
//! (`parser/fast.rs`) that returns an AST only when it is certain that
//! it is exactly the one pest and the Builder would build; otherwise, and
//! for every error message, pest runs. See that module for how the two are
//! kept identical.

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::lexer::{self, RawStmt};
use crate::span::{FileId, Span};
use keywords::OptKind;
use pest::iterators::Pair;
use pest::Parser as _;

mod fast;
pub mod keywords;
#[doc(hidden)]
pub mod tokens;

mod grammar {
    //! The pest parser generated from `grammar/pf.pest`.
    #![allow(missing_docs)]
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/pf.pest"]
    pub(crate) struct PfParser;
}
use grammar::{PfParser, Rule};

/// Maps byte offsets of a parsed text back to source spans.
#[derive(Debug, Clone)]
pub(crate) enum PosMap {
    /// The text is a slice of `file` starting at `offset`.
    Direct {
        /// File.
        file: FileId,
        /// Offset of the text in the file.
        offset: usize,
    },
    /// The text was built by macro expansion: each segment maps a range of
    /// the text to a span (a literal piece to itself, an expanded value to
    /// the `$ref` it replaced).
    Segments(Vec<Segment>),
}

/// One piece of an expanded statement.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    /// Start in the expanded text.
    pub text_start: usize,
    /// Where the piece comes from.
    pub span: Span,
    /// True for a copy of the source (offsets map one to one).
    pub literal: bool,
}

impl PosMap {
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        match self {
            PosMap::Direct { file, offset } => Span::new(*file, offset + start, offset + end),
            PosMap::Segments(segs) => {
                // Segments are in text order: the one holding `pos` is the
                // last that starts at or before it.
                let find = |pos: usize| -> Option<&Segment> {
                    let i = segs.partition_point(|s| s.text_start <= pos);
                    segs.get(i.checked_sub(1)?)
                };
                let (Some(a), Some(b)) = (find(start), find(end.saturating_sub(1).max(start)))
                else {
                    return segs.first().map(|s| s.span).unwrap_or_default();
                };
                let map_one = |s: &Segment, pos: usize, is_end: bool| -> usize {
                    if s.literal {
                        (s.span.start + pos.saturating_sub(s.text_start)).min(s.span.end)
                    } else if is_end {
                        s.span.end
                    } else {
                        s.span.start
                    }
                };
                let sa = map_one(a, start, false);
                let sb = map_one(b, end, true);
                if a.span.file == b.span.file && sa <= sb {
                    Span::new(a.span.file, sa, sb)
                } else {
                    Span::new(a.span.file, sa, a.span.end.max(sa))
                }
            }
        }
    }
}

/// Parses a whole file: returns the source AST and every diagnostic.
pub fn parse(text: &str, file: FileId) -> (Ruleset, Vec<Diagnostic>) {
    let mut statements = Vec::new();
    let (trailing, diags) = parse_each(text, file, &mut |s| statements.push(s));
    statements.shrink_to_fit();
    (
        Ruleset {
            statements,
            trailing,
        },
        diags,
    )
}

/// [`parse`], handing each statement to `each` as soon as it is built
/// instead of keeping them all (for callers that look at one at a time):
/// returns the file's trailing trivia and the diagnostics, the splitter's
/// first, as [`parse`] does.
pub fn parse_each(
    text: &str,
    file: FileId,
    each: &mut dyn FnMut(Statement),
) -> (Vec<Trivia>, Vec<Diagnostic>) {
    let mut stmt_diags = Vec::new();
    let (trailing, mut diags) = lexer::split_each(text, file, &mut |raw| {
        each(build_raw(text, file, &raw, &mut stmt_diags, false));
    });
    diags.append(&mut stmt_diags);
    (trailing, diags)
}

/// Builds one statement for the resolver: statements with `$macro`
/// references are left `Unparsed` (the resolver parses them once, after
/// expansion).
pub(crate) fn build_for_resolve(
    text: &str,
    file: FileId,
    raw: &RawStmt,
    diags: &mut Vec<Diagnostic>,
) -> Statement {
    build_raw(text, file, raw, diags, true)
}

/// The statement as [`parse_each`] builds it (the formatter's source
/// form), given the one [`build_for_resolve`] built from the same `raw`:
/// the two differ only for a statement with macros, which the resolver
/// leaves unparsed until they are expanded; any other is cloned, not
/// parsed again. `diags` gets what building the source form reports
/// beyond what the resolver's build did (only for such a statement).
pub(crate) fn build_source(
    text: &str,
    file: FileId,
    raw: &RawStmt,
    resolved: &Statement,
    diags: &mut Vec<Diagnostic>,
) -> Statement {
    let stmt_text = text.get(raw.span.start..raw.span.end).unwrap_or("");
    if raw.block.is_none() && !raw.broken && has_macro(stmt_text) {
        build_raw(text, file, raw, diags, false)
    } else {
        resolved.clone()
    }
}

fn build_raw(
    text: &str,
    file: FileId,
    raw: &RawStmt,
    diags: &mut Vec<Diagnostic>,
    defer_macros: bool,
) -> Statement {
    let stmt_text = text.get(raw.span.start..raw.span.end).unwrap_or("");
    let map = PosMap::Direct {
        file,
        offset: raw.span.start,
    };
    let deferred = defer_macros && raw.block.is_none() && has_macro(stmt_text);
    let mut kind = if (raw.broken && raw.block.is_none()) || deferred {
        StatementKind::Unparsed
    } else {
        match parse_statement(stmt_text, &map) {
            Ok(k) => k,
            Err(e) => {
                // A statement that only parses once its macros are expanded
                // is left for the resolver, which reports real errors.
                if !has_macro(stmt_text) || e.code == "legacy" {
                    diags.push(e);
                }
                StatementKind::Unparsed
            }
        }
    };
    let mut span = raw.span;
    if let Some(block) = &raw.block {
        let body = Ruleset {
            statements: block
                .body
                .iter()
                .map(|r| build_raw(text, file, r, diags, defer_macros))
                .collect(),
            trailing: block.trailing.clone(),
        };
        span = span.to(block.close);
        match &mut kind {
            StatementKind::Anchor(a) => a.body = Some(body),
            StatementKind::Unparsed => {}
            _ => diags.push(Diagnostic::error(
                "syntax",
                raw.span,
                "syntax error: only an anchor rule can open a `{` block",
            )),
        }
    }
    Statement {
        kind,
        span,
        leading: raw.leading.clone(),
        trailing_comment: raw.trailing_comment,
        inner_comments: raw.inner_comments.clone(),
    }
}

/// True when the text has a `$` outside quotes and comments.
pub(crate) fn has_macro(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Up to the first `$`, quote or `#` nothing matters; most statements
    // are decided there.
    let Some(first) = bytes
        .iter()
        .position(|&c| matches!(c, b'$' | b'"' | b'\'' | b'#'))
    else {
        return false;
    };
    // All the characters that matter are ASCII: a byte scan is exact.
    let mut quote = None;
    let mut comment = false;
    for &c in bytes.get(first..).unwrap_or(&[]) {
        match (quote, c) {
            (_, b'\n') if comment => comment = false,
            _ if comment => {}
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(c),
            (None, b'#') => comment = true,
            (None, b'$') => return true,
            _ => {}
        }
    }
    false
}

/// Parses one statement's text: the hand-written fast path
/// ([`fast::statement`]) when it is sure of the result, the pest grammar
/// otherwise (and for every error).
// The error is as large as a diagnostic (128 bytes, since diagnostics can
// carry a fix); a statement's kind is nearly as large, so boxing the error
// would save little on the path that succeeds.
#[allow(clippy::result_large_err)]
pub(crate) fn parse_statement(text: &str, map: &PosMap) -> Result<StatementKind, Diagnostic> {
    if let Some(d) = legacy(text, map) {
        return Err(d);
    }
    if fast_enabled() {
        if let Some(kind) = fast::statement(text, map) {
            return Ok(kind);
        }
    }
    match pest_statement(text, map) {
        Ok(k) => Ok(k),
        Err(e) => {
            if let Some((from, to)) = load_anchor_without_name(text) {
                return Err(Diagnostic::error(
                    "anchor-name",
                    map.span(from, to),
                    "anchor name is missing",
                )
                .with_help(
                    "name the anchor the file is loaded into: `load anchor \"name\" from \"file\"`",
                ));
            }
            // pfctl's lgetc (parse.y 1.719) drops a backslash outside
            // quotes that does not end a line and keeps the character
            // after it: `( \max-src-conn 5 )` reads `( max-src-conn 5 )`.
            match unescape(text, map) {
                Some((plain, plain_map)) => parse_statement(&plain, &plain_map).map_err(|_| e),
                None => Err(e),
            }
        }
    }
}

/// `load anchor from FILE`: the offsets of its `from`. parse.y 1.719 lets
/// the anchor name be empty (`anchorname: STRING | /* empty */`) and the
/// `loadrule` action refuses it: `if ($3 == NULL) { yyerror("anchor name
/// is missing"); YYERROR; }`. pfconf's grammar requires the name, so a
/// statement that fails to parse is recognised here to give pfctl's
/// message rather than a syntax error.
fn load_anchor_without_name(text: &str) -> Option<(usize, usize)> {
    let mut words = Vec::with_capacity(4);
    let b = text.as_bytes();
    let mut i = 0;
    while words.len() < 4 && i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i > start {
            words.push((start, i));
        }
    }
    let word = |n: usize| words.get(n).map(|&(a, z)| &text[a..z]);
    (word(0) == Some("load")
        && word(1) == Some("anchor")
        && word(2) == Some("from")
        && word(3).is_some())
    .then(|| words[2])
}

/// `text` without the backslashes pfctl's lexer drops (outside quotes and
/// comments, not before a line end), with a map of the remaining pieces
/// to where they stand; None when there are none.
fn unescape(text: &str, map: &PosMap) -> Option<(String, PosMap)> {
    let b = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut comment = false;
    let mut cuts = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match (quote, comment, c) {
            (_, true, b'\n') => comment = false,
            (_, true, _) => {}
            (Some(q), _, b'\\') if i + 1 < b.len() => {
                // Inside quotes pfctl keeps the backslash unless the quote,
                // a blank or a newline follows; either way skip the pair.
                let _ = q;
                i += 1;
            }
            (Some(q), _, c) if c == q => quote = None,
            (Some(_), _, _) => {}
            (None, _, b'"' | b'\'') => quote = Some(c),
            (None, _, b'#') => comment = true,
            (None, _, b'\\') => match b.get(i + 1) {
                // A continuation inside a word joins it: lgetc drops the
                // backslash and the newline (`pr\` + newline + `oto` is
                // `proto`).
                Some(b'\n')
                    if i > 0
                        && !matches!(b[i - 1], b' ' | b'\t' | b'\n')
                        && b.get(i + 2)
                            .is_some_and(|c| !matches!(c, b' ' | b'\t' | b'\n')) =>
                {
                    cuts.push(i);
                    cuts.push(i + 1);
                    i += 1;
                }
                Some(b'\n') => i += 1,
                Some(b'\r') if b.get(i + 2) == Some(&b'\n') => i += 2,
                Some(_) => {
                    cuts.push(i);
                    i += 1;
                }
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    if cuts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut segs: Vec<Segment> = Vec::new();
    let mut from = 0;
    let mut push = |out: &mut String, from: usize, to: usize| {
        if to > from {
            let sp = map.span(from, to);
            let literal = match map {
                PosMap::Direct { .. } => true,
                PosMap::Segments(orig) => {
                    let k = orig.partition_point(|s| s.text_start <= from);
                    k.checked_sub(1)
                        .and_then(|k| orig.get(k))
                        .is_some_and(|s| s.literal && s.span.len() >= to - from)
                }
            };
            segs.push(Segment {
                text_start: out.len(),
                span: sp,
                literal,
            });
            out.push_str(&text[from..to]);
        }
    };
    for &c in &cuts {
        push(&mut out, from, c);
        from = c + 1;
    }
    push(&mut out, from, text.len());
    Some((out, PosMap::Segments(segs)))
}

#[cfg(test)]
thread_local! {
    /// Tests turn the fast path off to compare whole pipelines with and
    /// without it.
    static FAST_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn fast_enabled() -> bool {
    !FAST_OFF.with(|f| f.get())
}

#[cfg(not(test))]
fn fast_enabled() -> bool {
    true
}

/// Runs `f` with the fast path off (on this thread).
#[cfg(test)]
pub(crate) fn without_fast_path<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            FAST_OFF.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(FAST_OFF.with(|c| c.replace(true)));
    f()
}

/// Compares the fast path with pest on one statement (mapped directly at
/// offset 0 of file 0). Returns a description when the fast path gives a
/// result that differs from pest's, `None` when they agree or the fast
/// path declines. For the differential fuzz target and tests.
#[doc(hidden)]
pub fn fast_path_mismatch(stmt_text: &str) -> Option<String> {
    let map = PosMap::Direct {
        file: FileId(0),
        offset: 0,
    };
    if legacy(stmt_text, &map).is_some() {
        return None;
    }
    let fast = fast::statement(stmt_text, &map)?;
    match pest_statement(stmt_text, &map) {
        Ok(reference) if reference == fast => None,
        Ok(reference) => Some(format!(
            "fast path and pest differ on {stmt_text:?}\nfast: {fast:?}\npest: {reference:?}"
        )),
        Err(e) => Some(format!(
            "fast path accepts {stmt_text:?}, pest rejects it: {}\nfast: {fast:?}",
            e.message
        )),
    }
}

/// Parses one statement's text with the pest grammar and the Builder.
#[allow(clippy::result_large_err)] // as `parse_statement`
fn pest_statement(text: &str, map: &PosMap) -> Result<StatementKind, Diagnostic> {
    match PfParser::parse(Rule::statement, text) {
        Ok(mut pairs) => {
            let stmt = pairs.next().and_then(|p| p.into_inner().next());
            match stmt {
                Some(p) => Ok(Builder { map }.statement(p)),
                None => Err(Diagnostic::error(
                    "syntax",
                    map.span(0, text.len()),
                    "syntax error",
                )),
            }
        }
        Err(e) => Err(syntax_error(text, map, &e)),
    }
}

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

fn syntax_error(text: &str, map: &PosMap, e: &pest::error::Error<Rule>) -> Diagnostic {
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

/// FreeBSD/macOS and pre-4.7 OpenBSD statements, named with their modern form.
fn legacy(text: &str, map: &PosMap) -> Option<Diagnostic> {
    legacy_with(text, map, first_two_words(text), || {
        let (arrow, route) = scan_dashes(text.as_bytes());
        (
            route.then(|| old_route_to_full(text)).flatten(),
            arrow.filter(|_| !text.contains("\"->")),
        )
    })
}

/// [`legacy`], given the statement's first two words and a function
/// that finds, when no word decides, the offset of an old `route-to (if
/// addr)` and that of a `->` outside quotes (the tests give it slower
/// references of each).
fn legacy_with(
    text: &str,
    map: &PosMap,
    (first, second): (&str, &str),
    forms: impl FnOnce() -> (Option<usize>, Option<usize>),
) -> Option<Diagnostic> {
    // `binat = "..."` defines a macro: old keywords are free names now.
    if second.starts_with('=') {
        return None;
    }
    let scrub_help;
    let (msg, help): (String, &str) = match first {
        "nat" | "rdr" | "binat" => (
            format!("`{first}` rules are legacy syntax (removed in OpenBSD 4.7)"),
            match first {
                "nat" => "translate on a match or pass rule: `match out on $ext_if from $lan to any nat-to ($ext_if)`",
                "rdr" => "redirect on a pass or match rule: `pass in on $ext_if proto tcp to port 80 rdr-to $server`",
                _ => "use `match on $ext_if from $host to any binat-to $public`",
            },
        ),
        "no" if matches!(second, "nat" | "rdr" | "binat") => (
            format!("`no {second}` rules are legacy syntax (removed in OpenBSD 4.7)"),
            "put a `match` or `pass` rule without nat-to/rdr-to after the translating rule, or use `quick`",
        ),
        "nat-anchor" | "rdr-anchor" | "binat-anchor" => (
            format!("`{first}` is legacy syntax (removed in OpenBSD 4.7)"),
            "a plain `anchor` now holds translation rules too: `anchor \"name\"`",
        ),
        "scrub" => {
            scrub_help = modern_scrub(text);
            (
                "the `scrub` statement is legacy syntax (removed in OpenBSD 4.6)".to_string(),
                scrub_help.as_str(),
            )
        }
        "altq" => (
            "ALTQ (`altq on`) is legacy syntax (removed in OpenBSD 5.5)".to_string(),
            "define queues with `queue NAME on IF bandwidth N` and assign them with `set queue`",
        ),
        "dummynet-anchor" | "dnpipe" | "dnqueue" | "ether" | "scrub-anchor" => (
            format!("`{first}` is FreeBSD/macOS syntax that OpenBSD pf does not have"),
            "remove it, or keep this ruleset for the platform it was written for",
        ),
        _ if second == "+=" => (
            "`+=` (appending to a macro) is legacy syntax that current pfctl rejects".to_string(),
            "define the whole value at once: `name = \"$name more values\"`",
        ),
        "queue" if legacy_queue(text) => (
            "ALTQ-style queue definition (cbq/priq/hfsc) is legacy syntax (removed in OpenBSD 5.5)"
                .to_string(),
            "use `queue NAME on IF bandwidth N` / `queue NAME parent P bandwidth N` (pf.conf(5) QUEUEING)",
        ),
        "set"
            if matches!(
                second,
                "require-order" | "fail-policy" | "keepcounters" | "timestamp" | "scrub"
            ) =>
        (
            format!("`set {second}` is FreeBSD/macOS syntax that OpenBSD pf does not have"),
            "remove the option",
        ),
        _ => {
            let (pos, len, msg, help) = match forms() {
                (Some(pos), _) => (
                    pos,
                    1,
                    "`route-to (interface address)` is legacy syntax (changed in OpenBSD 7.0)",
                    "route-to, reply-to and dup-to now take the next-hop address only: `route-to 192.0.2.1`",
                ),
                (None, Some(pos)) => (
                    pos,
                    2,
                    "`->` translation is legacy syntax (removed in OpenBSD 4.7)",
                    "use nat-to, rdr-to or binat-to on a match or pass rule",
                ),
                (None, None) => return None,
            };
            return Some(
                Diagnostic::error("legacy", map.span(pos, pos + len), msg).with_help(help),
            );
        }
    };
    let span = map.span(0, first.len());
    let mut d = Diagnostic::error("legacy", span, msg).with_help(help);
    if let Some(fix) = modern_form(text, map, first, second) {
        d = d.with_fix(fix);
    }
    Some(d)
}

/// The fix of a legacy statement, from its text as written at `span`
/// (the resolver parses statements with macros only once expanded).
pub(crate) fn legacy_fix(text: &str, span: Span) -> Option<crate::fix::Fix> {
    let map = PosMap::Direct {
        file: span.file,
        offset: span.start,
    };
    let (first, second) = first_two_words(text);
    modern_form(text, &map, first, second)
}

/// The modern statement for a one-line legacy translation or scrub rule,
/// as a fix replacing the statement, where the mapping is mechanical:
/// `nat [pass] ... -> A` is `match out ... nat-to A` (`pass out` with
/// `pass`), `rdr [pass] ... -> A` is `match in ... rdr-to A` (`pass in`),
/// `binat [pass] ... -> A` is `match ... binat-to A` (`pass`), and `scrub
/// FILTER (OPTS)` is `match FILTER scrub (OPTS)`. Unsafe: the old
/// translation rules were first-match, match rules apply the last
/// matching translation.
fn modern_form(text: &str, map: &PosMap, first: &str, second: &str) -> Option<crate::fix::Fix> {
    use crate::fix::{Edit, Fix};
    // The statement as written (not its macro expansion), on one line,
    // without quotes: the rest of it is kept as written.
    if !matches!(map, PosMap::Direct { .. })
        || text.contains('\n')
        || text.contains('"')
        || text.contains('#')
    {
        return None;
    }
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let modern = match first {
        "nat" | "rdr" | "binat" => {
            let pass = second == "pass";
            let (head, to) = match (first, pass) {
                ("nat", false) => ("match out", "nat-to"),
                ("nat", true) => ("pass out", "nat-to"),
                ("rdr", false) => ("match in", "rdr-to"),
                ("rdr", true) => ("pass in", "rdr-to"),
                (_, false) => ("match", "binat-to"),
                (_, true) => ("pass", "binat-to"),
            };
            let keyword_end = if pass {
                trimmed.find("pass")? + "pass".len()
            } else {
                first.len()
            };
            let rest = &trimmed[keyword_end..];
            let arrow = rest.find("->")?;
            if rest[arrow + 2..].contains("->") {
                return None;
            }
            format!("{head}{}{to}{}", &rest[..arrow], &rest[arrow + 2..])
        }
        "scrub" => {
            let help = modern_scrub(text);
            let start = help.find("`match ")? + 1;
            let end = start + help[start..].find('`')?;
            help[start..end].to_string()
        }
        _ => return None,
    };
    let why = if first == "scrub" {
        "the options apply through a match rule, which the rules after it can change"
    } else if second == "pass" {
        "old translation rules were first-match and `pass` skipped the filter rules; a pass rule is overridden by a later matching rule unless it is `quick`, and the last matching translation applies"
    } else {
        "old translation rules were first-match; match rules apply the last matching translation, so with several such rules check their order"
    };
    Some(Fix::risky(
        format!("rewrite as `{modern}`"),
        why,
        vec![Edit {
            span: map.span(lead, text.len()),
            replacement: modern,
        }],
    ))
}

/// The first two whitespace-separated words (`split_whitespace`), by a
/// byte scan when they are ASCII.
fn first_two_words(text: &str) -> (&str, &str) {
    // char::is_whitespace on ASCII: also the vertical tab.
    let ws = |c: u8| c.is_ascii_whitespace() || c == 0x0b;
    let b = text.as_bytes();
    let mut words = [(0, 0); 2];
    let mut i = 0;
    for w in &mut words {
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && !ws(b[i]) {
            if !b[i].is_ascii() {
                // Unicode whitespace may separate words: let std decide.
                let mut it = text.split_whitespace();
                return (it.next().unwrap_or(""), it.next().unwrap_or(""));
            }
            i += 1;
        }
        *w = (start, i);
    }
    let word = |(s, e): (usize, usize)| text.get(s..e).unwrap_or("");
    (word(words[0]), word(words[1]))
}

/// One pass over the `-` of a statement: the offset of the first `->`,
/// and whether `route-to`, `reply-to` or `dup-to` occurs (only then can
/// [`old_route_to_full`] find anything).
fn scan_dashes(bytes: &[u8]) -> (Option<usize>, bool) {
    let mut arrow = None;
    let mut route = false;
    for (i, &c) in bytes.iter().enumerate() {
        if c != b'-' {
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'>') if arrow.is_none() => arrow = Some(i),
            Some(b't') if bytes.get(i + 2) == Some(&b'o') => {
                let before = bytes.get(..i).unwrap_or(&[]);
                route |= before.ends_with(b"route")
                    || before.ends_with(b"reply")
                    || before.ends_with(b"dup");
            }
            _ => {}
        }
    }
    (arrow, route)
}

/// Offset of the `(` in `route-to (if addr)`, the pre-7.0 form.
#[cfg(test)]
fn old_route_to(text: &str) -> Option<usize> {
    if scan_dashes(text.as_bytes()).1 {
        old_route_to_full(text)
    } else {
        None
    }
}

/// `old_route_to` without the quick test.
fn old_route_to_full(text: &str) -> Option<usize> {
    for kw in ["route-to", "reply-to", "dup-to"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(kw) {
            let at = from + i + kw.len();
            let rest = &text[at..];
            let trimmed = rest.trim_start_matches([' ', '\t', '{']);
            if let Some(inner) = trimmed.strip_prefix('(') {
                let inside = inner.split(')').next().unwrap_or("");
                if inside.split_whitespace().count() >= 2 {
                    return Some(at + (rest.len() - trimmed.len()));
                }
            }
            from = at;
        }
    }
    None
}

/// The match rule that does what a legacy `scrub` statement did, with
/// the same filter and only its options (`fragment reassemble` is what pf
/// does by default now: `set reassemble yes`).
fn modern_scrub(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().skip(1).collect();
    let mut filter: Vec<&str> = Vec::new();
    let mut opts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].trim_matches(|c| c == '(' || c == ')' || c == ',');
        let next = words
            .get(i + 1)
            .map(|n| n.trim_matches(|c| c == '(' || c == ')' || c == ','));
        match (w, next) {
            ("no-df" | "random-id", _) => opts.push(w.to_string()),
            ("min-ttl" | "max-mss" | "set-tos", Some(n)) => {
                opts.push(format!("{w} {n}"));
                i += 1;
            }
            ("reassemble", Some("tcp")) => {
                opts.push("reassemble tcp".into());
                i += 1;
            }
            ("fragment", Some(_)) => i += 1,
            ("", _) => {}
            _ if opts.is_empty() => filter.push(words[i]),
            _ => {}
        }
        i += 1;
    }
    let filter = if filter.is_empty() {
        "all".to_string()
    } else {
        filter.join(" ")
    };
    if opts.is_empty() {
        "fragments are reassembled by default now (`set reassemble yes`): the statement can go"
            .to_string()
    } else {
        format!(
            "normalize with a match rule: `match {filter} scrub ({})`",
            opts.join(" ")
        )
    }
}

fn legacy_queue(text: &str) -> bool {
    text.split(|c: char| {
        c.is_whitespace() || c == '(' || c == ')' || c == '{' || c == '}' || c == ','
    })
    .any(|w| {
        matches!(
            w,
            "cbq"
                | "priq"
                | "hfsc"
                | "codel"
                | "fairq"
                | "borrow"
                | "red"
                | "ecn"
                | "realtime"
                | "upperlimit"
                | "linkshare"
                | "priority"
        )
    })
}

struct Builder<'m> {
    map: &'m PosMap,
}

type P<'i> = Pair<'i, Rule>;

fn inner<'i>(p: P<'i>) -> Vec<P<'i>> {
    p.into_inner().collect()
}

/// The first keyword of a production, past a leading `!`: the text of
/// its first token.
fn first_word<'i>(p: &P<'i>) -> &'i str {
    let mut p = p.clone();
    while let Some(c) = p.clone().into_inner().find(|x| x.as_rule() != Rule::not) {
        p = c;
    }
    p.as_str()
}

fn is_kw(p: &P, r: Rule) -> bool {
    p.as_rule() == r
}

impl<'m> Builder<'m> {
    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        self.map.span(s.start(), s.end())
    }

    fn statement(&self, p: P) -> StatementKind {
        match p.as_rule() {
            Rule::include => {
                let span = self.span(&p);
                let s = inner(p);
                StatementKind::Include(Include {
                    path: self.value(s[1].clone()).unwrap_or_else(|| self.empty(span)),
                })
            }
            Rule::load_anchor => {
                let s = inner(p);
                StatementKind::LoadAnchor(LoadAnchor {
                    name: self.value_or(&s[2]),
                    file: self.values(s[4].clone()),
                })
            }
            Rule::varset => {
                let s = inner(p);
                let name = self.value_or(&s[0]);
                let value = s
                    .get(1)
                    .map(|v| {
                        v.clone()
                            .into_inner()
                            .filter_map(|x| self.value(x))
                            .collect()
                    })
                    .unwrap_or_default();
                StatementKind::Macro(MacroDef {
                    name: Spanned::new(name.node.text().to_string(), name.span),
                    value,
                })
            }
            Rule::option => StatementKind::Option(Box::new(self.option(p))),
            Rule::pf_rule => StatementKind::Rule(Box::new(self.filter_rule(p))),
            Rule::anchor_rule => StatementKind::Anchor(Box::new(self.anchor_rule(p))),
            Rule::antispoof => StatementKind::Antispoof(Box::new(self.antispoof(p))),
            Rule::table_def => StatementKind::Table(Box::new(self.table_def(p))),
            Rule::queue_def => StatementKind::Queue(Box::new(self.queue_def(p))),
            Rule::limiter_def => StatementKind::Limiter(Box::new(self.limiter_def(p))),
            _ => StatementKind::Unparsed,
        }
    }

    fn empty(&self, span: Span) -> SValue {
        Spanned::new(Value::Word(String::new()), span)
    }

    /// A token pair (string, numberstring, num, number, ident, quoted,
    /// macro_ref, anchor_name) as a value.
    fn value(&self, p: P) -> Option<SValue> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::string | Rule::numberstring | Rule::num | Rule::anchor_name => {
                p.into_inner().next().and_then(|x| self.value(x))
            }
            Rule::number | Rule::ident | Rule::word => {
                Some(Spanned::new(Value::Word(p.as_str().to_string()), span))
            }
            Rule::quoted => {
                let q = if p.as_str().starts_with('\'') {
                    '\''
                } else {
                    '"'
                };
                let raw = p.into_inner().next().map(|x| x.as_str()).unwrap_or("");
                Some(Spanned::new(Value::Quoted(unquote(raw, q)), span))
            }
            Rule::macro_ref => {
                let s = &p.as_str()[1..];
                let n = s
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(s.len());
                Some(Spanned::new(
                    Value::Macro(MacroRef {
                        name: s[..n].to_string(),
                        suffix: s[n..].to_string(),
                    }),
                    span,
                ))
            }
            _ => None,
        }
    }

    fn value_or(&self, p: &P) -> SValue {
        let span = self.span(p);
        self.value(p.clone()).unwrap_or_else(|| self.empty(span))
    }

    /// All values under a pair (string_seq and the like).
    fn values(&self, p: P) -> Vec<SValue> {
        p.into_inner().filter_map(|x| self.value(x)).collect()
    }

    fn option(&self, p: P) -> SetOption {
        let s = inner(p);
        let o = s[1].clone();
        let rule = o.as_rule();
        let mut it = inner(o);
        match rule {
            Rule::set_reassemble => {
                let yn = it[1].clone().into_inner().next();
                let value = match yn {
                    Some(x) if x.as_rule() == Rule::kw_no => {
                        Spanned::new(Value::Word("no".into()), self.span(&x))
                    }
                    Some(x) => self.value_or(&x),
                    None => self.empty(self.span(&it[1])),
                };
                SetOption::Reassemble {
                    value,
                    no_df: it.len() > 2,
                }
            }
            Rule::set_optimization => SetOption::Optimization {
                value: self.value_or(&it[1]),
            },
            Rule::set_ruleset_optimization => SetOption::RulesetOptimization {
                value: self.value_or(&it[1]),
            },
            Rule::set_timeout | Rule::set_limit => {
                let values = it
                    .drain(1..)
                    .map(|spec| {
                        let kv = inner(spec);
                        (self.value_or(&kv[0]), self.value_or(&kv[1]))
                    })
                    .collect();
                if rule == Rule::set_timeout {
                    SetOption::Timeout { values }
                } else {
                    SetOption::Limit { values }
                }
            }
            Rule::set_loginterface => {
                let x = &it[1];
                let value = if x.as_rule() == Rule::kw_all {
                    Spanned::new(Value::Word("all".into()), self.span(x))
                } else {
                    self.value_or(x)
                };
                SetOption::LogInterface { value }
            }
            Rule::set_hostid => SetOption::HostId {
                value: self.value_or(&it[1]),
            },
            Rule::set_block_policy => SetOption::BlockPolicy {
                value: if is_kw(&it[1], Rule::kw_drop) {
                    BlockPolicy::Drop
                } else {
                    BlockPolicy::Return
                },
            },
            Rule::set_fingerprints => SetOption::Fingerprints {
                value: self.value_or(&it[1]),
            },
            Rule::set_state_policy => SetOption::StatePolicy {
                value: if is_kw(&it[1], Rule::kw_if_bound) {
                    StatePolicy::IfBound
                } else {
                    StatePolicy::Floating
                },
            },
            Rule::set_debug => {
                let x = &it[1];
                let value = if x.as_rule() == Rule::kw_debug {
                    Spanned::new(Value::Word("debug".into()), self.span(x))
                } else {
                    self.value_or(x)
                };
                SetOption::Debug { value }
            }
            Rule::set_skip => SetOption::Skip {
                interfaces: it
                    .get(1)
                    .map(|i| self.interface(i.clone()))
                    .unwrap_or_default(),
            },
            Rule::set_state_defaults => SetOption::StateDefaults {
                opts: self.state_opts(it[1].clone()),
            },
            Rule::set_syncookies => {
                let mode = self.value_or(&it[1]);
                let opts = it
                    .drain(2..)
                    .map(|o| {
                        let kv = inner(o);
                        (self.value_or(&kv[0]), self.value_or(&kv[1]))
                    })
                    .collect();
                SetOption::Syncookies { mode, opts }
            }
            _ => SetOption::Debug {
                value: self.empty(Span::default()),
            },
        }
    }

    fn interface(&self, p: P) -> Vec<Spanned<IfItem>> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::if_item_not)
            .map(|x| {
                let span = self.span(&x);
                let mut not = false;
                let mut target = IfTarget::Any;
                for y in x.into_inner() {
                    match y.as_rule() {
                        Rule::not => not = true,
                        Rule::if_item => target = self.if_item(y),
                        _ => {}
                    }
                }
                Spanned::new(IfItem { not, target }, span)
            })
            .collect()
    }

    fn if_item(&self, p: P) -> IfTarget {
        let s = inner(p);
        match s.first() {
            Some(x) if x.as_rule() == Rule::kw_any => IfTarget::Any,
            Some(x) if x.as_rule() == Rule::kw_rdomain => IfTarget::Rdomain(
                s.get(1)
                    .map(|v| self.value_or(v))
                    .unwrap_or_else(|| self.empty(self.span(x))),
            ),
            Some(x) => IfTarget::Name(self.value_or(x)),
            None => IfTarget::Any,
        }
    }

    fn log(&self, p: P) -> LogOpts {
        let mut l = LogOpts::default();
        for o in p.into_inner().filter(|x| x.as_rule() == Rule::logopt) {
            let s = inner(o);
            match s[0].as_rule() {
                Rule::kw_all => l.all = true,
                Rule::kw_matches => l.matches = true,
                Rule::kw_user => l.user = true,
                Rule::kw_to => l.to = s.get(1).map(|v| self.value_or(v)),
                _ => {}
            }
        }
        l
    }

    fn filter_rule(&self, p: P) -> FilterRule {
        let mut rule = FilterRule::new(Spanned::new(Action::Pass, self.span(&p)));
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::action => rule.action = Spanned::new(self.action(x.clone()), self.span(&x)),
                _ => self.rule_part(&mut rule, x),
            }
        }
        rule
    }

    /// The parts shared by filter rules and anchor rules.
    fn rule_part(&self, rule: &mut FilterRule, x: P) {
        match x.as_rule() {
            Rule::dir => {
                rule.direction = Some(
                    if x.into_inner().next().map(|k| k.as_rule()) == Some(Rule::kw_in) {
                        Direction::In
                    } else {
                        Direction::Out
                    },
                )
            }
            Rule::logquick => {
                for y in x.into_inner() {
                    match y.as_rule() {
                        Rule::quick => rule.quick = true,
                        Rule::log => rule.log = Some(Box::new(self.log(y))),
                        _ => {}
                    }
                }
            }
            Rule::quick => rule.quick = true,
            Rule::interface => rule.interfaces = self.interface(x),
            Rule::af => rule.af = Some(Spanned::new(self.af(&x), self.span(&x))),
            Rule::proto => {
                rule.protos = x
                    .into_inner()
                    .filter(|y| y.as_rule() == Rule::proto_item)
                    .filter_map(|y| y.into_inner().next().and_then(|v| self.value(v)))
                    .collect()
            }
            Rule::fromto => rule.hosts = self.fromto(x),
            Rule::filter_opt => {
                let span = self.span(&x);
                self.push_filter_opt(rule, span, x);
            }
            _ => {}
        }
    }

    fn af(&self, p: &P) -> AddressFamily {
        if p.clone().into_inner().next().map(|k| k.as_rule()) == Some(Rule::kw_inet6) {
            AddressFamily::Inet6
        } else {
            AddressFamily::Inet
        }
    }

    fn action(&self, p: P) -> Action {
        let s = inner(p);
        match s[0].as_rule() {
            Rule::kw_pass => Action::Pass,
            Rule::kw_match => Action::Match,
            _ => Action::Block {
                policy: s.get(1).map(|b| Box::new(self.blockspec(b.clone()))),
            },
        }
    }

    fn blockspec(&self, p: P) -> BlockSpec {
        let s = inner(p);
        let vals: Vec<SValue> = s
            .iter()
            .skip(1)
            .filter(|x| matches!(x.as_rule(), Rule::num | Rule::reticmpspec))
            .map(|x| match x.as_rule() {
                Rule::reticmpspec => x
                    .clone()
                    .into_inner()
                    .next()
                    .map(|v| self.value_or(&v))
                    .unwrap_or_else(|| self.empty(self.span(x))),
                _ => self.value_or(x),
            })
            .collect();
        match s[0].as_rule() {
            Rule::kw_drop => BlockSpec::Drop,
            Rule::kw_return => BlockSpec::Return,
            Rule::kw_return_rst => BlockSpec::ReturnRst {
                ttl: vals.into_iter().next(),
            },
            Rule::kw_return_icmp6 => BlockSpec::ReturnIcmp6 {
                code: vals.into_iter().next(),
            },
            _ => {
                let mut v = vals.into_iter();
                BlockSpec::ReturnIcmp {
                    code: v.next(),
                    code6: v.next(),
                }
            }
        }
    }

    fn fromto(&self, p: P) -> Hosts {
        let mut h = Hosts::default();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::kw_all => h.all = true,
                Rule::from => h.from = Some(Box::new(self.endpoint(x))),
                Rule::to => h.to = Some(Box::new(self.endpoint(x))),
                Rule::os => h.os = self.values(x),
                _ => {}
            }
        }
        h
    }

    fn endpoint(&self, p: P) -> Endpoint {
        let mut e = Endpoint {
            hosts: Vec::new(),
            any: false,
            ports: Vec::new(),
            ports_span: None,
            span: self.span(&p),
        };
        let Some(spec) = p.into_inner().nth(1) else {
            return e;
        };
        for x in spec.into_inner() {
            match x.as_rule() {
                Rule::ipspec => {
                    e.span = self.span(&x);
                    match self.ipspec(x) {
                        None => e.any = true,
                        Some(hosts) => e.hosts = hosts,
                    }
                }
                Rule::kw_port => e.ports_span = Some(self.span(&x)),
                Rule::portspec => {
                    let sp = self.span(&x);
                    e.ports_span = Some(e.ports_span.map_or(sp, |k| k.to(sp)));
                    e.ports = self.port_items(x);
                }
                _ => {}
            }
        }
        e
    }

    /// None for a bare `any`.
    fn ipspec(&self, p: P) -> Option<Vec<Spanned<Host>>> {
        let span = self.span(&p);
        let first = p.into_inner().next()?;
        match first.as_rule() {
            Rule::kw_any => None,
            Rule::xhost => Some(vec![self.xhost(first)]),
            Rule::host_list => Some(self.host_list(first)),
            _ => Some(vec![Spanned::new(
                Host {
                    not: false,
                    kind: HostKind::Any,
                },
                span,
            )]),
        }
    }

    fn host_list(&self, p: P) -> Vec<Spanned<Host>> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::ipspec)
            .map(|x| {
                let span = self.span(&x);
                host_list_entry(self.ipspec(x), span)
            })
            .collect()
    }

    fn xhost(&self, p: P) -> Spanned<Host> {
        let span = self.span(&p);
        let mut not = false;
        let mut kind = HostKind::Any;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::not => not = true,
                Rule::kw_no_route => kind = HostKind::NoRoute,
                Rule::kw_urpf_failed => kind = HostKind::UrpfFailed,
                Rule::host => kind = self.host(x),
                _ => {}
            }
        }
        Spanned::new(Host { not, kind }, span)
    }

    fn host(&self, p: P) -> HostKind {
        let s = inner(p);
        match s[0].as_rule() {
            Rule::kw_route => HostKind::Route {
                label: self.value_or(&s[1]),
            },
            Rule::table_ref => HostKind::Table {
                name: s[0]
                    .clone()
                    .into_inner()
                    .next()
                    .map(|v| self.value_or(&v))
                    .unwrap_or_else(|| self.empty(self.span(&s[0]))),
            },
            Rule::dynaddr => HostKind::Dynamic {
                ifname: s[0]
                    .clone()
                    .into_inner()
                    .next()
                    .map(|v| self.value_or(&v))
                    .unwrap_or_else(|| self.empty(self.span(&s[0]))),
                mask: s.get(1).map(|m| self.value_or(m)),
            },
            _ => {
                let a = self.value_or(&s[0]);
                // `a - b`: the grammar keeps "-" silent, so two values remain
                // with no mask rule between; a mask is always a `num`.
                match s.get(1) {
                    Some(m) if m.as_rule() == Rule::num => HostKind::Address {
                        addr: a,
                        mask: Some(self.value_or(m)),
                    },
                    Some(b) => HostKind::Range {
                        from: a,
                        to: self.value_or(b),
                    },
                    None => HostKind::Address {
                        addr: a,
                        mask: None,
                    },
                }
            }
        }
    }

    fn port_items(&self, p: P) -> Vec<Spanned<PortItem>> {
        p.into_inner()
            .filter(|x| matches!(x.as_rule(), Rule::port_item | Rule::uid_item))
            .map(|x| {
                let span = self.span(&x);
                let s = inner(x);
                // The grammar admits only pf's operators (`unaryop`,
                // `port_binary`).
                let op = |o: &P| o.as_str().parse().unwrap_or(PortOperator::Eq);
                let item = match s.len() {
                    3 => PortItem::Binary {
                        low: self.value_or(&s[0]),
                        op: op(&s[1]),
                        high: self.value_or(&s[2]),
                    },
                    2 => PortItem::Unary {
                        op: op(&s[0]),
                        value: self.value_or(&s[1]),
                    },
                    _ => PortItem::Eq {
                        value: self.value_or(&s[0]),
                    },
                };
                Spanned::new(item, span)
            })
            .collect()
    }

    fn state_opts(&self, p: P) -> Vec<Spanned<StateOpt>> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::state_opt)
            .map(|x| {
                let span = self.span(&x);
                let s = inner(x);
                let v = |i: usize| {
                    s.get(i)
                        .map(|y| self.value_or(y))
                        .unwrap_or_else(|| self.empty(span))
                };
                let o = match s[0].as_rule() {
                    Rule::kw_max => StateOpt::Max { value: v(1) },
                    Rule::kw_no_sync => StateOpt::NoSync,
                    Rule::kw_max_src_states => StateOpt::MaxSrcStates { value: v(1) },
                    Rule::kw_max_src_conn_rate => StateOpt::MaxSrcConnRate {
                        limit: v(1),
                        seconds: v(2),
                    },
                    Rule::kw_max_src_conn => StateOpt::MaxSrcConn { value: v(1) },
                    Rule::kw_overload => StateOpt::Overload {
                        table: v(1),
                        flush: s.iter().any(|y| y.as_rule() == Rule::kw_flush),
                        global: s.iter().any(|y| y.as_rule() == Rule::kw_global),
                    },
                    Rule::kw_max_src_nodes => StateOpt::MaxSrcNodes { value: v(1) },
                    Rule::kw_source_track => StateOpt::SourceTrack {
                        scope: s.get(1).map(|y| {
                            if y.as_rule() == Rule::kw_global {
                                SourceTrackScope::Global
                            } else {
                                SourceTrackScope::Rule
                            }
                        }),
                    },
                    Rule::kw_if_bound => StateOpt::IfBound,
                    Rule::kw_floating => StateOpt::Floating,
                    Rule::kw_sloppy => StateOpt::Sloppy,
                    Rule::kw_pflow => StateOpt::Pflow,
                    _ => StateOpt::Timeout {
                        name: v(0),
                        value: v(1),
                    },
                };
                Spanned::new(o, span)
            })
            .collect()
    }

    fn redirect(&self, pool: Option<P>, opts: Option<P>) -> Redirect {
        let mut r = Redirect {
            hosts: Vec::new(),
            port: None,
            pool: PoolOpts::default(),
        };
        if let Some(pool) = pool {
            for x in pool.into_inner() {
                match x.as_rule() {
                    Rule::redirspec => r.hosts = self.redirspec(x),
                    Rule::numberstring => r.port = self.value(x),
                    _ => {}
                }
            }
        }
        if let Some(o) = opts {
            r.pool = self.pool_opts(o);
        }
        r
    }

    fn redirspec(&self, p: P) -> Vec<RedirHost> {
        p.into_inner()
            .filter(|x| x.as_rule() == Rule::redir_host)
            .map(|x| {
                let s = inner(x.clone());
                let span = self.span(&s[0]);
                RedirHost {
                    host: Spanned::new(
                        Host {
                            not: false,
                            kind: self.host(s[0].clone()),
                        },
                        span,
                    ),
                    weight: s.get(2).map(|w| self.value_or(w)),
                }
            })
            .collect()
    }

    fn pool_opts(&self, p: P) -> PoolOpts {
        PoolOpts {
            opts: p
                .into_inner()
                .map(|x| {
                    let span = self.span(&x);
                    let s = inner(x);
                    let o = match s[0].as_rule() {
                        Rule::kw_bitmask => PoolOpt::Bitmask,
                        Rule::kw_random => PoolOpt::Random,
                        Rule::kw_source_hash => PoolOpt::SourceHash {
                            key: s.get(1).map(|k| self.values(k.clone())).unwrap_or_default(),
                        },
                        Rule::kw_round_robin => PoolOpt::RoundRobin,
                        Rule::kw_least_states => PoolOpt::LeastStates,
                        Rule::kw_static_port => PoolOpt::StaticPort,
                        _ => PoolOpt::StickyAddress,
                    };
                    Spanned::new(o, span)
                })
                .collect(),
        }
    }

    fn qname(&self, p: &P) -> (SValue, Option<SValue>) {
        let s: Vec<SValue> = p
            .clone()
            .into_inner()
            .filter_map(|x| self.value(x))
            .collect();
        let mut it = s.into_iter();
        let a = it.next().unwrap_or_else(|| self.empty(self.span(p)));
        (a, it.next())
    }

    /// A filter option (`p` one of `filter_opt`'s alternatives other than
    /// `filter_sets`) or, with `set`, one `filter_set` item: its kind is
    /// looked up in the keyword table by its first word, and it is built
    /// in a `match` on the kind that lists every kind. `None` only for a
    /// grammar alternative the table lacks, which the tests of
    /// [`keywords`] rule out.
    fn filter_opt(&self, p: P, set: bool) -> Option<FilterOpt> {
        let word = first_word(&p).as_bytes();
        let spec = if set {
            keywords::set_option(word)
        } else {
            keywords::rule_option(word)
        }?;
        let span = self.span(&p);
        let s = inner(p);
        let v = |i: usize| -> SValue {
            s.get(i)
                .map(|y| self.value_or(y))
                .unwrap_or_else(|| self.empty(span))
        };
        let items = || {
            s.get(1)
                .map(|u| self.port_items(u.clone()))
                .unwrap_or_default()
        };
        let redirect = || self.redirect(s.get(1).cloned(), s.get(2).cloned());
        let not = || s[0].as_rule() == Rule::not;
        Some(match spec.kind {
            OptKind::User => FilterOpt::User { items: items() },
            OptKind::Group => FilterOpt::Group { items: items() },
            OptKind::Flags => {
                if s.get(1).map(|x| x.as_rule()) == Some(Rule::kw_any) {
                    FilterOpt::Flags {
                        set: None,
                        mask: None,
                    }
                } else {
                    let vals: Vec<SValue> = s[1..]
                        .iter()
                        .filter_map(|x| self.value(x.clone()))
                        .collect();
                    let text = s.iter().map(|x| x.as_str()).collect::<String>();
                    let slash_first = s.len() == 2 || text.starts_with("flags/");
                    if slash_first && vals.len() == 1 {
                        FilterOpt::Flags {
                            set: None,
                            mask: vals.into_iter().next(),
                        }
                    } else {
                        let mut it = vals.into_iter();
                        FilterOpt::Flags {
                            set: it.next(),
                            mask: it.next(),
                        }
                    }
                }
            }
            OptKind::IcmpType => FilterOpt::IcmpType {
                v6: s[0].as_rule() == Rule::kw_icmp6_type,
                items: s[1..]
                    .iter()
                    .filter(|x| x.as_rule() == Rule::icmp_item)
                    .map(|x| {
                        let ispan = self.span(x);
                        let parts = inner(x.clone());
                        let t = self.value_or(&parts[0]);
                        let code = parts.get(2).map(|c| self.value_or(c));
                        Spanned::new(IcmpItem { icmp_type: t, code }, ispan)
                    })
                    .collect(),
            },
            OptKind::Prio => FilterOpt::Prio { value: v(1) },
            OptKind::Tos => FilterOpt::Tos { value: v(1) },
            OptKind::State => {
                let kind = match s[0].as_rule() {
                    Rule::kw_no => StateKind::No,
                    Rule::kw_keep => StateKind::Keep,
                    Rule::kw_modulate => StateKind::Modulate,
                    _ => StateKind::Synproxy,
                };
                FilterOpt::State {
                    kind,
                    opts: s
                        .get(2)
                        .map(|o| self.state_opts(o.clone()))
                        .unwrap_or_default(),
                }
            }
            OptKind::Fragment => FilterOpt::Fragment,
            OptKind::AllowOpts => FilterOpt::AllowOpts,
            OptKind::Label => FilterOpt::Label { value: v(1) },
            OptKind::Queue => {
                let (name, prio_name) = self.qname(&s[1]);
                FilterOpt::Queue {
                    name,
                    prio_name,
                    set,
                }
            }
            OptKind::Tag => FilterOpt::Tag {
                value: s.get(1).map(|x| self.values(x.clone())).unwrap_or_default(),
            },
            OptKind::Tagged => FilterOpt::Tagged {
                not: not(),
                value: s.last().map(|x| self.values(x.clone())).unwrap_or_default(),
            },
            OptKind::Probability => FilterOpt::Probability { value: v(1) },
            OptKind::Rtable => FilterOpt::Rtable { value: v(1) },
            OptKind::DivertTo => FilterOpt::DivertTo {
                host: v(1),
                port: v(3),
            },
            OptKind::DivertReply => FilterOpt::DivertReply,
            OptKind::DivertPacket => FilterOpt::DivertPacket { port: v(2) },
            OptKind::Scrub => FilterOpt::Scrub {
                opts: s[1..]
                    .iter()
                    .map(|x| {
                        let xs = self.span(x);
                        let parts = inner(x.clone());
                        let pv = |i: usize| {
                            parts
                                .get(i)
                                .map(|y| self.value_or(y))
                                .unwrap_or_else(|| self.empty(xs))
                        };
                        let o = match parts[0].as_rule() {
                            Rule::kw_no_df => ScrubOpt::NoDf,
                            Rule::kw_min_ttl => ScrubOpt::MinTtl { value: pv(1) },
                            Rule::kw_max_mss => ScrubOpt::MaxMss { value: pv(1) },
                            Rule::kw_reassemble => ScrubOpt::Reassemble { value: pv(1) },
                            _ => ScrubOpt::RandomId,
                        };
                        Spanned::new(o, xs)
                    })
                    .collect(),
            },
            OptKind::NatTo => FilterOpt::NatTo(redirect()),
            OptKind::BinatTo => FilterOpt::BinatTo(redirect()),
            OptKind::RdrTo => FilterOpt::RdrTo(redirect()),
            OptKind::AfTo => {
                let af = self.af(&s[1]);
                let mut pools = Vec::new();
                let mut i = 3;
                while i < s.len() {
                    if s[i].as_rule() == Rule::redirpool {
                        let opts = s
                            .get(i + 1)
                            .filter(|x| x.as_rule() == Rule::pool_opts)
                            .cloned();
                        pools.push(self.redirect(Some(s[i].clone()), opts));
                    }
                    i += 1;
                }
                let mut it = pools.into_iter();
                FilterOpt::AfTo {
                    af,
                    from: it.next().unwrap_or(Redirect {
                        hosts: Vec::new(),
                        port: None,
                        pool: PoolOpts::default(),
                    }),
                    to: it.next(),
                }
            }
            OptKind::Route => {
                let kind = match s[0].as_rule() {
                    Rule::kw_route_to => RouteKind::RouteTo,
                    Rule::kw_reply_to => RouteKind::ReplyTo,
                    _ => RouteKind::DupTo,
                };
                let hosts = self.redirspec(s[1].clone());
                let pool = s
                    .get(2)
                    .map(|o| self.pool_opts(o.clone()))
                    .unwrap_or_default();
                FilterOpt::Route {
                    kind,
                    target: Redirect {
                        hosts,
                        port: None,
                        pool,
                    },
                }
            }
            OptKind::ReceivedOn => FilterOpt::ReceivedOn {
                not: not(),
                interface: s
                    .last()
                    .map(|x| self.if_item(x.clone()))
                    .unwrap_or(IfTarget::Any),
            },
            OptKind::Once => FilterOpt::Once,
            OptKind::MaxPktRate => FilterOpt::MaxPktRate {
                limit: v(1),
                seconds: v(2),
            },
            OptKind::SetPrio => {
                // `set_prio = { kw_prio ~ ("(" ~ num ~ ","? ~ num ~ ")" | num) }`
                let vals: Vec<SValue> = s[0]
                    .clone()
                    .into_inner()
                    .skip(1)
                    .filter_map(|x| self.value(x))
                    .collect();
                let mut it = vals.into_iter();
                FilterOpt::SetPrio {
                    prio: it.next().unwrap_or_else(|| self.empty(span)),
                    prio2: it.next(),
                }
            }
            OptKind::SetTos => FilterOpt::SetTos { value: v(1) },
            OptKind::SetDelay => FilterOpt::SetDelay { value: v(1) },
            OptKind::Limiter => FilterOpt::Limiter {
                kind: if s[0].as_rule() == Rule::kw_state {
                    LimiterKind::State
                } else {
                    LimiterKind::Source
                },
                name: v(2),
                actions: s[3..]
                    .iter()
                    .map(|x| {
                        if x.clone().into_inner().next().map(|k| k.as_rule())
                            == Some(Rule::kw_block)
                        {
                            LimiterAction::Block
                        } else {
                            LimiterAction::NoMatch
                        }
                    })
                    .collect(),
            },
        })
    }

    fn anchor_rule(&self, p: P) -> AnchorRule {
        let mut name = None;
        let mut filter = FilterRule::new(Spanned::new(Action::Pass, self.span(&p)));
        let mut pending_sets: Vec<(Span, P)> = Vec::new();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::anchor_name => name = self.value(x),
                Rule::kw_anchor | Rule::anchor_open => {}
                Rule::filter_opt => pending_sets.push((self.span(&x), x)),
                _ => self.rule_part(&mut filter, x),
            }
        }
        for (span, x) in pending_sets {
            self.push_filter_opt(&mut filter, span, x);
        }
        AnchorRule {
            name,
            filter,
            body: None,
        }
    }

    fn push_filter_opt(&self, rule: &mut FilterRule, span: Span, x: P) {
        if let Some(o) = x.into_inner().next() {
            if o.as_rule() == Rule::filter_sets {
                // `set (prio 1, queue q)`: one option per item.
                for item in o.into_inner().filter(|y| y.as_rule() == Rule::filter_set) {
                    let ispan = self.span(&item);
                    if let Some(opt) = self.filter_opt(item, true) {
                        rule.options.push(Spanned::new(opt, ispan));
                    }
                }
            } else if let Some(opt) = self.filter_opt(o, false) {
                rule.options.push(Spanned::new(opt, span));
            }
        }
    }

    fn antispoof(&self, p: P) -> Antispoof {
        let mut a = empty_antispoof();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::logquick => {
                    for y in x.into_inner() {
                        match y.as_rule() {
                            Rule::quick => a.quick = true,
                            Rule::log => a.log = Some(self.log(y)),
                            _ => {}
                        }
                    }
                }
                Rule::antispoof_ifspc => {
                    a.interfaces = x
                        .into_inner()
                        .filter(|y| y.as_rule() == Rule::antispoof_if)
                        .map(|y| {
                            let span = self.span(&y);
                            let dynamic = y.as_str().trim_start().starts_with('(');
                            let target = y
                                .into_inner()
                                .next()
                                .map(|i| self.if_item(i))
                                .unwrap_or(IfTarget::Any);
                            Spanned::new(AntispoofIf { dynamic, target }, span)
                        })
                        .collect()
                }
                Rule::af => a.af = Some(self.af(&x)),
                Rule::antispoof_opt => {
                    let s = inner(x);
                    if s[0].as_rule() == Rule::kw_label {
                        a.label = s.get(1).map(|v| self.value_or(v));
                    } else {
                        a.rtable = s.get(1).map(|v| self.value_or(v));
                    }
                }
                _ => {}
            }
        }
        a
    }

    fn table_def(&self, p: P) -> TableDef {
        let s = inner(p);
        let name = self.value_or(&s[1]);
        let opts = s[2..]
            .iter()
            .map(|x| {
                let span = self.span(x);
                let parts = inner(x.clone());
                let o = match parts.first().map(|y| y.as_rule()) {
                    Some(Rule::kw_file) => TableOpt::File(self.value_or(&parts[1])),
                    Some(Rule::kw_timeout) => TableOpt::Timeout(self.value_or(&parts[1])),
                    Some(Rule::table_host_list) => {
                        TableOpt::Addresses(self.table_host_list(parts[0].clone()))
                    }
                    Some(_) => TableOpt::Flag(self.value_or(&parts[0])),
                    None => TableOpt::Addresses(Vec::new()),
                };
                Spanned::new(o, span)
            })
            .collect();
        TableDef { name, opts }
    }

    fn table_host_list(&self, p: P) -> Vec<TableEntry> {
        let mut out = Vec::new();
        for x in p.into_inner().filter(|y| y.as_rule() == Rule::tablespec) {
            let parts = inner(x);
            match parts.first().map(|y| y.as_rule()) {
                Some(Rule::table_host_list) => out.extend(self.table_host_list(parts[0].clone())),
                Some(_) => out.push(TableEntry {
                    host: self.xhost(parts[0].clone()),
                    weight: parts.get(2).map(|w| self.value_or(w)),
                }),
                None => {}
            }
        }
        out
    }

    fn scspec(&self, p: P) -> ServiceCurve {
        let s = inner(p);
        ServiceCurve {
            bandwidth: self.value_or(&s[0]),
            burst: if s.len() >= 5 {
                Some((self.value_or(&s[2]), self.value_or(&s[4])))
            } else {
                None
            },
        }
    }

    fn queue_def(&self, p: P) -> QueueDef {
        let s = inner(p);
        let name = self.value_or(&s[1]);
        let mut q = QueueDef {
            name,
            interfaces: Vec::new(),
            opts: Vec::new(),
        };
        for x in s.into_iter().skip(2) {
            match x.as_rule() {
                Rule::interface => q.interfaces = self.interface(x),
                Rule::queue_opt_item => {
                    let span = self.span(&x);
                    let parts = inner(x);
                    let v = |i: usize| {
                        parts
                            .get(i)
                            .map(|y| self.value_or(y))
                            .unwrap_or_else(|| self.empty(span))
                    };
                    let o = match parts[0].as_rule() {
                        Rule::kw_bandwidth => {
                            let share = self.scspec(parts[1].clone());
                            let mut min = None;
                            let mut max = None;
                            if let Some(opt) = parts.get(2) {
                                let os = inner(opt.clone());
                                let mut i = 0;
                                while i + 1 < os.len() {
                                    let sc = self.scspec(os[i + 1].clone());
                                    if os[i].as_rule() == Rule::kw_min {
                                        min = Some(sc);
                                    } else {
                                        max = Some(sc);
                                    }
                                    i += 2;
                                }
                            }
                            QueueOpt::Bandwidth { share, min, max }
                        }
                        Rule::kw_parent => QueueOpt::Parent { value: v(1) },
                        Rule::kw_default => QueueOpt::Default,
                        Rule::kw_qlimit => QueueOpt::Qlimit { value: v(1) },
                        Rule::kw_flows => QueueOpt::Flows { value: v(1) },
                        _ => QueueOpt::Quantum { value: v(1) },
                    };
                    q.opts.push(Spanned::new(o, span));
                }
                _ => {}
            }
        }
        q
    }

    fn limiter_def(&self, p: P) -> LimiterDef {
        let s = inner(p);
        let kind = if s[0].as_rule() == Rule::kw_state {
            LimiterKind::State
        } else {
            LimiterKind::Source
        };
        let name = self.value_or(&s[2]);
        let opts = s[3..]
            .iter()
            .map(|x| {
                let span = self.span(x);
                let parts = inner(x.clone());
                let v = |i: usize| {
                    parts
                        .get(i)
                        .map(|y| self.value_or(y))
                        .unwrap_or_else(|| self.empty(span))
                };
                let o = match parts[0].as_rule() {
                    Rule::kw_id => LimiterOpt::Id { value: v(1) },
                    Rule::kw_limit => LimiterOpt::Limit { value: v(1) },
                    Rule::kw_rate => LimiterOpt::Rate {
                        limit: v(1),
                        seconds: v(2),
                    },
                    Rule::kw_entries => LimiterOpt::Entries { value: v(1) },
                    Rule::af => LimiterOpt::Mask {
                        af: self.af(&parts[0]),
                        value: v(2),
                    },
                    _ => LimiterOpt::Table {
                        name: v(1),
                        above: v(3),
                        below: parts.get(5).map(|y| self.value_or(y)),
                    },
                };
                Spanned::new(o, span)
            })
            .collect();
        LimiterDef { kind, name, opts }
    }
}

// Pieces of the AST that the Builder and the fast path make alike.

/// An antispoof statement with nothing set yet.
fn empty_antispoof() -> Antispoof {
    Antispoof {
        log: None,
        quick: false,
        interfaces: Vec::new(),
        af: None,
        label: None,
        rtable: None,
    }
}

/// One `ipspec` of a `host_list` (`hosts`: `None` for `any`) spanning
/// `span`: a single host that spans the whole ipspec (no braces of its
/// own) stands for itself, anything else becomes a host of kind `Any` or
/// `List`.
fn host_list_entry(hosts: Option<Vec<Spanned<Host>>>, span: Span) -> Spanned<Host> {
    let kind = match hosts {
        None => HostKind::Any,
        Some(mut v) => {
            if let [h] = v.as_slice() {
                if h.span == span && !matches!(h.node.kind, HostKind::List(_)) {
                    if let Some(h) = v.pop() {
                        return h;
                    }
                }
            }
            HostKind::List(v)
        }
    };
    Spanned::new(Host { not: false, kind }, span)
}

/// Resolves escapes inside a quoted string as pfctl's lexer does: a
/// backslash before the quote, a space or a tab yields that character, a
/// backslash-newline disappears, newlines are dropped, any other backslash
/// stays.
pub(crate) fn unquote(raw: &str, quote: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // As pfctl's lexer (parse.y 1.719 yylex): a backslash escapes
            // the string's own quote, a space or a tab, and drops a newline
            // after it; before anything else (another backslash, the other
            // quote) it is a plain character.
            '\\' => match chars.peek() {
                Some(&n) if n == quote || n == ' ' || n == '\t' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                Some('\n') => {
                    chars.next();
                }
                _ => out.push('\\'),
            },
            '\n' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
