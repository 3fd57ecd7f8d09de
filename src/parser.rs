//! Parsing statements with the pest grammar and building the typed AST.
//!
//! [`parse`] cuts a file with [`crate::lexer`], parses every statement with
//! `grammar/pf.pest` and turns pest's pairs into [`crate::ast`] nodes.
//! Statements are independent: a syntax error is reported with its span and
//! parsing goes on with the next statement.
//!
//! The grammar and the pair-to-AST `Builder` (`parser/build.rs`) are the
//! reference. For speed, each statement is first offered to a hand-written
//! parser (`parser/fast.rs`) that returns an AST only when it is certain
//! that it is exactly the one pest and the Builder would build; otherwise,
//! and for every error message, pest runs. See that module for how the two
//! are kept identical.
//!
//! This file is the driver (`parse`, `parse_each`, `parse_statement`: the
//! legacy check, the fast path, then pest, with the retry through
//! `unescape`); the rooms beside it: `posmap.rs` (`PosMap`, offsets back
//! to spans), `build.rs` and `build/` (pairs → AST), `errors.rs`
//! (syntax-error messages), `legacy.rs` (FreeBSD and old OpenBSD forms),
//! `fast.rs` and `fast/`, `keywords.rs`, `tokens.rs`.

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::lexer::{self, RawStmt};
use crate::span::{FileId, Span};
use build::Builder;
use errors::syntax_error;
use legacy::legacy;
pub(crate) use legacy::legacy_fix;
use pest::Parser as _;
pub(crate) use posmap::{PosMap, Segment};

mod build;
mod errors;
mod fast;
pub mod keywords;
mod legacy;
mod posmap;
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
    let stmt_text = text.get(raw.span.start()..raw.span.end()).unwrap_or("");
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
    let stmt_text = text.get(raw.span.start()..raw.span.end()).unwrap_or("");
    let map = PosMap::Direct {
        file,
        offset: raw.span.start(),
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
        trivia: StatementTrivia {
            leading: raw.leading.clone(),
            trailing_comment: raw.trailing_comment,
            inner_comments: raw.inner_comments.clone(),
        }
        .boxed(),
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
