//! The formatter: one canonical layout for pf.conf, never a change of
//! meaning.
//!
//! Layout: one statement per line, single spaces between tokens, lists as
//! `{ a, b, c }`, macro values double-quoted, anchor bodies indented by
//! four spaces, runs of blank lines collapsed to one, no trailing blanks, a
//! final newline. Keywords stay in pfctl's grammar order and filter options
//! in the order written (pf.conf gives them no other order that keeps
//! meaning obvious). Macro references are printed exactly as written. The
//! layout depends on what the file says, never on how it was laid out:
//! the same ruleset written with other blanks, continuations or list
//! spellings formats to the same text.
//!
//! The modules, in the order a statement goes through them:
//!
//! * `print`: the canonical text of each AST node, a statement as the
//!   pieces the layout may break between;
//! * `tokens`: statements whose shape depends on their macros (the parser
//!   leaves them unparsed) written again token by token, and the values of
//!   list macros with their blanks made canonical;
//! * `layout`: line breaking at the width, with ` \` continuations;
//! * `comments`: lists with a comment per item, trailing comments aligned
//!   in columns or moved above a statement they do not fit beside;
//! * `verify`: the safety net;
//! * `report`: formatting from a [`crate::Report`], its check standing
//!   for the input's side of the safety net.
//!
//! Safety net ([`format_safely`]): the output is parsed and resolved again
//! and must give the same resolved ruleset (spans and trivia aside), the
//! same macro definitions and every comment of the input. Both files are
//! compared by digests taken in one pass each (see [`format_safely`]); a
//! statement whose layout differs is kept as written, and when that does
//! not help nothing is returned but an error naming the statement.

mod comments;
mod layout;
mod print;
mod report;
mod tokens;
mod verify;

pub(crate) use print::filter_opt;
pub(crate) use verify::syntax_errors_of;
pub use verify::verify;

use crate::ast::*;
use crate::span::{SourceMap, Span};
use crate::Diagnostic;
use layout::{cols, layout, Quotes};
use print::pieces;
pub(crate) use report::format_report;
#[cfg(test)]
use verify::{cut_point, digest_after};
use verify::{digest, keep_as_written, output_digest};

/// Formatter settings (`pfconf.toml [format]`).
#[derive(Debug, Clone)]
pub struct FormatOptions {
    /// Longest line before a statement is broken (default 80).
    pub width: usize,
}

impl Default for FormatOptions {
    fn default() -> Self {
        FormatOptions { width: 80 }
    }
}

/// Why a file was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The input does not parse: the diagnostics say why.
    Invalid(Vec<Diagnostic>),
    /// The formatted text would not mean the same (an internal error):
    /// what differs.
    Unsafe(String),
}

impl std::error::Error for FormatError {}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Invalid(d) => write!(f, "the file has {} syntax error(s)", d.len()),
            FormatError::Unsafe(m) => write!(f, "internal error, file left untouched: {m}"),
        }
    }
}

const INDENT: &str = "    ";

/// Formats `text` without the safety net (see [`format_checked`]).
pub fn format_str(name: &str, text: &str, opts: &FormatOptions) -> Result<String, FormatError> {
    let (out, _, diags) = print_while_parsing(name, text, opts, true);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(FormatError::Invalid(diags));
    }
    Ok(out)
}

/// Formats a parsed file (its source text must be in `map`). A statement
/// whose layout would not parse on its own is kept as written.
pub fn format_ast(ast: &Ruleset, map: &SourceMap, opts: &FormatOptions) -> String {
    print(ast, map, opts, &[], true).0
}

/// Where a statement went in the output: its byte range there, and its
/// span in the input.
#[derive(Debug, Clone, Copy)]
struct Placed {
    start: usize,
    end: usize,
    input: Span,
    /// A statement of the file itself, not of an anchor's body.
    top: bool,
}

/// Prints `ast`, keeping the statements that start at `keep` as written;
/// with `alone`, each laid-out statement is parsed on its own and kept as
/// written when it does not parse (the safety net, which parses the whole
/// output anyway, does without). Also says where each statement went.
fn print(
    ast: &Ruleset,
    map: &SourceMap,
    opts: &FormatOptions,
    keep: &[usize],
    alone: bool,
) -> (String, Vec<Placed>) {
    let mut out =
        String::with_capacity(map.get(crate::span::FileId(0)).map_or(0, |f| f.text.len()));
    let p = Printer::new(map, opts, keep, alone);
    ruleset(&mut out, ast, &p, 0);
    p.finish(out)
}

/// [`print`] of a whole file, with no statement kept as written, while it
/// is parsed: each statement is printed as soon as it is built and then
/// dropped, so the file's AST is never held. Returns the diagnostics as
/// well (the output is only meaningful when none is an error).
fn print_while_parsing(
    name: &str,
    text: &str,
    opts: &FormatOptions,
    alone: bool,
) -> (String, Vec<Placed>, Vec<Diagnostic>) {
    let mut map = SourceMap::new();
    let id = map.add(name, text);
    let p = Printer::new(&map, opts, &[], alone);
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut first = true;
    let (trailing, diags) = crate::parser::parse_each(text, id, &mut |s| {
        item(&mut out, &s, &p, 0, first);
        first = false;
    });
    leading(&mut out, &trailing, &map, "", first);
    let (out, placed) = p.finish(out);
    (out, placed, diags)
}

/// Formats and verifies: same resolved ruleset, every comment kept (see
/// [`format_safely`], which also says which statements were kept as
/// written).
///
/// ```
/// use pfconf::fmt::{format_checked, FormatOptions};
///
/// let out = format_checked("pf.conf", "pass   in  proto {tcp,udp}  to port 53\n", &FormatOptions::default()).unwrap();
/// assert_eq!(out, "pass in proto { tcp, udp } to port 53\n");
/// ```
pub fn format_checked(name: &str, text: &str, opts: &FormatOptions) -> Result<String, FormatError> {
    format_safely(name, text, opts).map(|f| f.text)
}

/// A verified formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// The formatted file.
    pub text: String,
    /// Statements the canonical layout would have changed, kept as written
    /// instead: a warning each (code `fmt-kept`), with spans into the input.
    /// Empty unless the formatter has a bug.
    pub kept: Vec<Diagnostic>,
}

/// Input size from which the two sides are digested on two threads.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// How many statements the safety net may keep as written before it gives
/// up on the file.
const MAX_KEPT: usize = 16;

/// Formats, then verifies that the output resolves to the same ruleset and
/// keeps every comment. A statement whose canonical layout would change
/// the meaning is kept as written (and reported in [`Formatted::kept`]);
/// when that does not make the output safe, nothing is returned but
/// [`FormatError::Unsafe`].
///
/// The verification first compares digests of the two files (the meaning
/// key of every resolved statement, the macro definitions, the comments),
/// each gathered in one pass without holding the resolved rulesets; only
/// when they differ are both resolved in full to find the statements.
pub fn format_safely(
    name: &str,
    text: &str,
    opts: &FormatOptions,
) -> Result<Formatted, FormatError> {
    format_safely_with(name, text, opts, text.len() >= PARALLEL_FROM_BYTES)
}

/// [`format_safely`] on two threads, the output digested in two halves,
/// whatever the size of the file (as it runs from
/// [`PARALLEL_FROM_BYTES`]): for the fuzz target and tests.
#[doc(hidden)]
pub fn format_safely_on_two_threads(
    name: &str,
    text: &str,
    opts: &FormatOptions,
) -> Result<Formatted, FormatError> {
    format_safely_with(name, text, opts, true)
}

fn format_safely_with(
    name: &str,
    text: &str,
    opts: &FormatOptions,
    parallel: bool,
) -> Result<Formatted, FormatError> {
    // The input is parsed and printed while its digest is taken.
    let ((out, placed, diags), input) = crate::both(
        parallel,
        || print_while_parsing(name, text, opts, false),
        || digest(name, text),
    );
    if diags.iter().any(Diagnostic::is_error) {
        return Err(FormatError::Invalid(diags));
    }
    // Syntax errors that only show once macros are expanded make the input
    // invalid too (exit 1, not an internal error).
    if !input.syntax.is_empty() {
        return Err(FormatError::Invalid(input.syntax));
    }
    // An already formatted file (what `fmt --check` sees most) is its own
    // output: nothing to compare.
    if out == text {
        return Ok(Formatted {
            text: out,
            kept: Vec::new(),
        });
    }
    let output = output_digest(name, &out, &placed, &input, parallel);
    if input.agrees(&output) {
        return Ok(Formatted {
            text: out,
            kept: Vec::new(),
        });
    }
    drop((input, output));
    keep_as_written(name, text, opts, out, placed)
}

/// What printing needs besides the AST: the sources, the options, and the
/// statements (by start offset) that the safety net keeps as written.
struct Printer<'a> {
    map: &'a SourceMap,
    opts: &'a FormatOptions,
    keep: &'a [usize],
    /// Parse each laid-out statement on its own (see [`print`]).
    alone: bool,
    /// Where each statement went in the output, in the order printed.
    placed: std::cell::RefCell<Vec<Placed>>,
    /// Lines ending in a trailing comment that may line up with their
    /// neighbours', in the order printed.
    trails: std::cell::RefCell<Vec<comments::Trail>>,
}

impl<'a> Printer<'a> {
    fn new(map: &'a SourceMap, opts: &'a FormatOptions, keep: &'a [usize], alone: bool) -> Self {
        Printer {
            map,
            opts,
            keep,
            alone,
            placed: std::cell::RefCell::new(Vec::new()),
            trails: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The printed file made canonical at its end (one final newline,
    /// nothing for a file with no statement or comment), and where each
    /// statement went.
    fn finish(self, mut out: String) -> (String, Vec<Placed>) {
        while out.ends_with("\n\n") {
            out.pop();
        }
        if out.trim_matches(|c| is_blank(c) || c == '\n').is_empty() {
            return (String::new(), Vec::new());
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        let mut placed = self.placed.into_inner();
        let out = comments::align(out, &self.trails.into_inner(), &mut placed, self.opts.width);
        (out, placed)
    }
}

fn ruleset(out: &mut String, rs: &Ruleset, p: &Printer, depth: usize) {
    let pad = INDENT.repeat(depth);
    let mut first = out.is_empty() || out.ends_with("{\n");
    for s in &rs.statements {
        item(out, s, p, depth, first);
        first = false;
    }
    leading(out, &rs.trailing, p.map, &pad, first);
}

/// A statement with the comments and blank lines before it (`first`: at
/// the start of the file or block).
fn item(out: &mut String, s: &Statement, p: &Printer, depth: usize, first: bool) {
    leading(out, s.leading(), p.map, &INDENT.repeat(depth), first);
    statement(out, s, p, depth);
}

/// Comments and blank lines before a statement: runs of blank lines become
/// one, none at the start of a file or block.
fn leading(out: &mut String, trivia: &[Trivia], map: &SourceMap, pad: &str, at_start: bool) {
    let mut blank = false;
    let mut wrote = !at_start;
    for t in trivia {
        match t {
            Trivia::Blank => blank = true,
            Trivia::Comment { span } => {
                if blank && wrote {
                    out.push('\n');
                }
                blank = false;
                wrote = true;
                out.push_str(pad);
                push_comment(out, map.slice(*span));
                out.push('\n');
            }
        }
    }
    if blank && wrote {
        out.push('\n');
    }
}

fn statement(out: &mut String, s: &Statement, p: &Printer, depth: usize) {
    let from = out.len();
    let at = p.placed.borrow().len();
    p.placed.borrow_mut().push(Placed {
        start: from,
        end: from,
        input: s.span,
        top: depth == 0,
    });
    laid_out(out, s, p, depth);
    if let Some(placed) = p.placed.borrow_mut().get_mut(at) {
        placed.end = out.len();
    }
}

fn laid_out(out: &mut String, s: &Statement, p: &Printer, depth: usize) {
    let (map, opts) = (p.map, p.opts);
    let pad = INDENT.repeat(depth);
    let cont = format!("{pad}{INDENT}");
    let block = match &s.kind {
        StatementKind::Anchor(a) => a.body.as_ref(),
        _ => None,
    };
    // For an inline anchor: the header ends at its `{`; a comment after
    // the brace is printed after it again.
    let full = map.slice(s.span);
    let header_end = match block {
        Some(_) => {
            crate::resolve::find_block_open(full).map_or(s.span.end(), |i| s.span.start() + i + 1)
        }
        None => s.span.end(),
    };
    let open_comment = s
        .inner_comments()
        .iter()
        .find(|c| c.start() >= header_end)
        .copied();
    // Comments inside the statement (for an inline anchor, inside its
    // header; a broken statement, an unclosed `{`, can hold some past its
    // last token).
    let inner: Vec<Span> = s
        .inner_comments()
        .iter()
        .filter(|c| block.is_none() || c.start() < header_end)
        .copied()
        .collect();
    // A macro definition whose name is empty in the AST was written `""`
    // or `$name = ...` (a reference where the name goes): the AST cannot
    // tell which, so it is kept as written.
    let kept = p.keep.contains(&s.span.start())
        || matches!(&s.kind, StatementKind::Macro(m) if m.name.node.is_empty());
    let laid = if kept {
        None
    } else {
        let at = Indent {
            pad: &pad,
            cont: &cont,
        };
        statement_code(s, p, at, block.is_some(), full, &inner)
    };
    let (mut code, trails) = laid.unwrap_or_else(|| {
        let mut code = String::new();
        verbatim(&mut code, s, map, &pad, block.is_some(), header_end);
        (code, Vec::new())
    });
    // A backslash that ends a statement did not join the next line (blanks
    // or the end of the file followed it): keep it from doing so.
    if ends_in_escape(&code) {
        code.push(' ');
    }
    // The comment on the statement's last line: beside it when it fits,
    // else on its own line above the statement.
    let trailing = if block.is_none() {
        s.trailing_comment()
    } else {
        open_comment
    };
    let last_line = code.rfind('\n').map_or(0, |i| i + 1);
    let beside = trailing.filter(|&c| {
        let text = map.slice(c);
        cols(&code[last_line..]) + 1 + cols(text) <= opts.width
            || !comments::movable(text)
            || !inner.is_empty()
    });
    if let (Some(c), None) = (trailing, beside) {
        out.push_str(&pad);
        push_comment(out, map.slice(c));
        out.push('\n');
        // The statement starts after it (its body is not printed yet:
        // the last place recorded is its own).
        if let Some(pl) = p.placed.borrow_mut().last_mut() {
            pl.start = out.len();
        }
    }
    let at = out.len();
    out.push_str(&code);
    let mut record = p.trails.borrow_mut();
    record.extend(trails.iter().map(|t| comments::Trail {
        line: at + t.line,
        code: at + t.code,
        end: at + t.end,
        ..*t
    }));
    if let Some(c) = beside {
        let code_end = out.len();
        out.push(' ');
        push_comment(out, map.slice(c));
        // A one-line statement's comment lines up with its neighbours'.
        if block.is_none() && !code.contains('\n') && comments::movable(map.slice(c)) {
            record.push(comments::Trail {
                line: at,
                code: code_end,
                end: out.len(),
                code_cols: cols(&code),
                comment_cols: cols(map.slice(c).trim_end_matches(is_blank)),
            });
        }
    }
    drop(record);
    out.push('\n');
    if let Some(body) = block {
        ruleset(out, body, p, depth + 1);
        out.push_str(&pad);
        out.push('}');
        if let Some(c) = s.trailing_comment() {
            out.push(' ');
            push_comment(out, map.slice(c));
        }
        out.push('\n');
    }
}

/// The indentation of a statement's first line and of its continuation
/// lines.
#[derive(Clone, Copy)]
struct Indent<'a> {
    pad: &'a str,
    cont: &'a str,
}

/// A statement's text in the canonical layout (without its trailing
/// comment), with the lines of its items that end in comments; `None` when
/// it is to be kept as written.
fn statement_code(
    s: &Statement,
    p: &Printer,
    at: Indent,
    block: bool,
    full: &str,
    inner: &[Span],
) -> Option<(String, Vec<comments::Trail>)> {
    let (map, width) = (p.map, p.opts.width);
    let mut code = String::new();
    if matches!(s.kind, StatementKind::Unparsed) {
        // Its shape depends on its macros: written again token by token,
        // unless it holds comments or swallowed an anchor's body.
        let swallowed = full.trim_start().starts_with("anchor")
            && crate::resolve::find_block_open(full).is_some();
        if !inner.is_empty() || swallowed {
            return None;
        }
        let mut pieces = tokens::unparsed_pieces(full)?;
        // Written token by token it may parse (what kept it from parsing
        // was blanks inside `< >`...): then it is printed as the parser
        // reads it, as it will be when formatted again.
        let flat = pieces.join(" ");
        let (again, diags) = crate::parser::parse(&flat, crate::span::FileId(0));
        if let [one] = again.statements.as_slice() {
            if !matches!(one.kind, StatementKind::Unparsed | StatementKind::Macro(_))
                && !diags.iter().any(Diagnostic::is_error)
            {
                pieces = print::pieces(&one.kind, false);
            }
        }
        layout(&mut code, &pieces, at.pad, at.cont, width, Quotes::Atomic);
        return (!p.alone || parses_alone(&code)).then_some((code, Vec::new()));
    }
    if !inner.is_empty() {
        // Comments inside a list: one item per line (not in an anchor's
        // header, where a line ending in `{` would open its body). Parsed
        // again whatever `alone` says: a comment glued to an item (`1#x`)
        // is not read as the item alone is.
        if matches!(s.kind, StatementKind::Anchor(_)) {
            return None;
        }
        let trails = comments::commented_list(
            &mut code,
            &pieces(&s.kind, false),
            &print::lists_of(&s.kind),
            inner,
            map,
            (at.pad, at.cont),
            width,
        )?;
        return parses_alone(&code).then_some((code, trails));
    }
    let (pieces, quotes) = match &s.kind {
        StatementKind::Macro(m) => print::macro_pieces(m, &|sp| Some(map.slice(sp).to_string())),
        k => (pieces(k, block), Quotes::Atomic),
    };
    #[cfg(test)]
    let pieces = tests::sabotage(s.span.start(), pieces);
    match pieces.as_slice() {
        // A quoted value kept as written (see `macro_pieces`).
        [one] if one.contains('\n') => {
            code.push_str(at.pad);
            code.push_str(one);
        }
        _ => {
            layout(&mut code, &pieces, at.pad, at.cont, width, quotes);
        }
    }
    // A layout that does not parse on its own (a printer bug, such as a
    // word the grammar only accepts glued to what follows) is not used:
    // the statement is kept as written.
    (block || !p.alone || parses_alone(&code)).then_some((code, Vec::new()))
}

/// A statement as written, line by line, without trailing blanks (for an
/// inline anchor, its header).
fn verbatim(
    code: &mut String,
    s: &Statement,
    map: &SourceMap,
    pad: &str,
    block: bool,
    header_end: usize,
) {
    // A broken statement (an unclosed `{`...) can hold comments past its
    // last token: keep them in the verbatim text.
    let end = if block {
        header_end
    } else {
        s.inner_comments()
            .iter()
            .map(|c| c.end())
            .fold(header_end, usize::max)
    };
    let text = map.slice(Span::new(s.span.file, s.span.start(), end));
    for (i, line) in text.split('\n').enumerate() {
        if i == 0 {
            code.push_str(pad);
            push_trimmed(code, line.trim_start_matches(is_blank));
        } else {
            push_trimmed(code, line);
        }
        code.push('\n');
    }
    code.pop();
}

/// Writes a comment without trailing blanks. A comment that ends in a
/// backslash goes on over the next line (pfctl joins the lines), which
/// may be blank: each line loses its trailing blanks, but none is dropped,
/// so that the comment swallows the same line once formatted and not the
/// line after it. A comment whose text ends in an unescaped backslash had
/// blanks after it (the splitter leaves them out), which stopped it from
/// going on: it keeps one.
fn push_comment(out: &mut String, text: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.trim_end_matches(is_blank));
    }
    if ends_in_escape(text) {
        out.push(' ');
    }
}

/// True when `s` ends in an odd run of backslashes: its last backslash is
/// not escaped, and before a newline it would join the next line.
fn ends_in_escape(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The blanks between words: what pfctl's lexer skips (space and tab),
/// and the `\r` of a CRLF line end, which the splitter skips too. Other
/// white space (a vertical tab...) is part of a word for pfctl, and kept.
fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r')
}

/// Writes `line` without trailing blanks, except one after a final
/// unescaped backslash that a blank followed (an escaped blank), which
/// right before the newline would join the next line. (A backslash
/// before `\r\n` joins the next line already.)
fn push_trimmed(out: &mut String, line: &str) {
    let t = line.trim_end_matches(is_blank);
    out.push_str(t);
    if ends_in_escape(t) && line[t.len()..].starts_with([' ', '\t']) {
        out.push(' ');
    }
}

/// True when a statement's printed text parses with no error.
fn parses_alone(text: &str) -> bool {
    !crate::parser::parse(text, crate::span::FileId(0))
        .1
        .iter()
        .any(Diagnostic::is_error)
}

#[cfg(test)]
mod tests;
