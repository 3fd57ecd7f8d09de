//! The formatter: one canonical layout for pf.conf, never a change of
//! meaning.
//!
//! Layout: one statement per line, single spaces between tokens, lists as
//! `{ a, b, c }`, macro values double-quoted, anchor bodies indented by
//! four spaces, runs of blank lines collapsed to one, no trailing blanks, a
//! final newline. A statement longer than the line width is broken at
//! option boundaries with ` \` continuations indented by four spaces.
//! Keywords stay in pfctl's grammar order and filter options in the order
//! written (pf.conf gives them no other order that keeps meaning obvious).
//! Macro references are printed exactly as written.
//!
//! Comments stay where they are: on their own lines, at the end of a
//! statement's line. A statement with comments inside it (a multi-line
//! list), or whose shape depends on its macros, is kept as written (only
//! trailing blanks are removed and continuation lines re-indented is not
//! attempted).
//!
//! Safety net ([`format_safely`]): the output is parsed and resolved again
//! and must give the same resolved ruleset (spans and trivia aside), the
//! same macro definitions and every comment of the input. Both files are
//! compared by digests taken in one pass each (see [`format_safely`]); a
//! statement whose layout differs is kept as written, and when that does
//! not help nothing is returned but an error naming the statement.

use crate::ast::*;
use crate::span::{SourceMap, Span};
use crate::{Diagnostic, MemoryLoader, Options};

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

/// The safety net's slow path, once the digests differ: resolves both
/// files in full, keeps each statement whose layout changes its meaning
/// as written, and formats again, until the output is safe or
/// [`MAX_KEPT`] statements have been kept.
fn keep_as_written(
    name: &str,
    text: &str,
    opts: &FormatOptions,
    mut out: String,
    mut placed: Vec<Placed>,
) -> Result<Formatted, FormatError> {
    let (map, ast, _) = crate::parse_str(name, text);
    let (before, before_diags) = resolved_only(name, text);
    let known = before_diags.iter().filter(|d| is_syntax_error(d)).count();
    let mut sources = SourceMap::new();
    sources.add(name, text);
    let mut keep: Vec<usize> = Vec::new();
    loop {
        let at = |span: Span| sources.location(span);
        match compare(&before, known, text, &out, &placed, &at) {
            Ok(()) => {
                let kept = keep
                    .iter()
                    .filter_map(|&start| find_statement(&ast.statements, start))
                    .map(|span| {
                        Diagnostic::warning(
                            "fmt-kept",
                            span,
                            "statement kept as written: its canonical layout would change its meaning",
                        )
                        .with_help("this is a pfconf bug; please report it with this statement")
                    })
                    .collect();
                return Ok(Formatted { text: out, kept });
            }
            Err(Mismatch::Statement(span, _))
                if span.file == crate::span::FileId(0)
                    && keep.len() < MAX_KEPT
                    && !keep.contains(&span.start)
                    && find_statement(&ast.statements, span.start).is_some() =>
            {
                keep.push(span.start);
                (out, placed) = print(&ast, &map, opts, &keep, false);
            }
            Err(Mismatch::Statement(_, msg) | Mismatch::Other(msg)) => {
                return Err(FormatError::Unsafe(msg))
            }
        }
    }
}

/// What the safety net compares of a file, gathered in one pass over its
/// resolved statements (which are dropped as they come).
#[derive(PartialEq)]
struct Digest {
    /// The meaning keys of the resolved top-level statements, back to back.
    keys: Vec<u8>,
    /// Where each statement's key ends in `keys`.
    ends: Vec<usize>,
    /// A statement had no key (then the digest agrees with nothing).
    keyless: bool,
    /// Every macro definition in the order read: name and value.
    macros: Vec<(String, String)>,
    /// Where each definition starts in the file (None when it is in
    /// another file).
    macro_at: Vec<Option<usize>>,
    /// Syntax errors, including those that show once macros are expanded.
    syntax: Vec<Diagnostic>,
    /// Comment texts in order.
    comments: Vec<String>,
}

impl Digest {
    /// True when the two files mean the same and hold the same comments.
    fn agrees(&self, other: &Digest) -> bool {
        !self.keyless
            && !other.keyless
            && self.syntax.is_empty()
            && other.syntax.is_empty()
            && self.ends == other.ends
            && self.keys == other.keys
            && self.macros == other.macros
            && self.comments == other.comments
    }

    /// The digest of a file made of this one's text followed by `next`'s,
    /// when `next` was taken with this file's macros defined (see
    /// [`output_digest`]); `next`'s text starts at `offset`.
    fn then(mut self, next: Digest, offset: usize) -> Digest {
        let shift = self.keys.len();
        self.keys.extend_from_slice(&next.keys);
        self.ends.extend(next.ends.iter().map(|e| e + shift));
        self.keyless |= next.keyless;
        self.macros.extend(next.macros);
        self.macro_at
            .extend(next.macro_at.iter().map(|a| a.map(|a| a + offset)));
        self.syntax.extend(next.syntax);
        self.comments.extend(next.comments);
        self
    }
}

/// A summary: a digest is too large to print whole.
impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Digest")
            .field("statements", &self.ends.len())
            .field("key_bytes", &self.keys.len())
            .field("keyless", &self.keyless)
            .field("macros", &self.macros.len())
            .field("syntax", &self.syntax)
            .field("comments", &self.comments.len())
            .finish()
    }
}

/// The output's digest; for a large file, in two halves on two threads.
///
/// The output is cut before a statement of the file itself near its
/// middle, at a line start whose previous line does not continue. The
/// second half is taken with the macros the input defined before that
/// statement. The halves add up to the whole file's digest when the first
/// half ends where a statement may start (it has no syntax error, so no
/// quote or brace is left open) and defines exactly those macros: then
/// reading the second half alone starts from the state reading the whole
/// output would be in. Otherwise the output is digested in one pass.
fn output_digest(
    name: &str,
    out: &str,
    placed: &[Placed],
    input: &Digest,
    parallel: bool,
) -> Digest {
    let cut = parallel.then(|| cut_point(out, placed, input)).flatten();
    if let Some((at, defined)) = cut {
        let seed = input.macros.get(..defined).unwrap_or_default();
        let (first, second) = crate::both(
            true,
            || digest(name, out.get(..at).unwrap_or_default()),
            || digest_after(name, out.get(at..).unwrap_or_default(), seed),
        );
        if first.syntax.is_empty() && first.macros == seed {
            return first.then(second, at);
        }
    }
    digest(name, out)
}

/// Where to cut the output in two (see [`output_digest`]), and how many
/// of the input's macro definitions come before that point.
fn cut_point(out: &str, placed: &[Placed], input: &Digest) -> Option<(usize, usize)> {
    let middle = out.len() / 2;
    let p = placed
        .iter()
        .filter(|p| p.top && p.start > 0)
        .min_by_key(|p| p.start.abs_diff(middle))?;
    let before = out.get(..p.start)?;
    let last_line = before.strip_suffix('\n')?.rsplit('\n').next()?;
    if last_line.ends_with('\\') {
        return None;
    }
    // Definitions are in file order when all are in the file itself.
    let at: Vec<usize> = input.macro_at.iter().copied().collect::<Option<_>>()?;
    Some((p.start, at.partition_point(|&s| s < p.input.start)))
}

/// The [`Digest`] of `text`, resolved with no file access.
fn digest(name: &str, text: &str) -> Digest {
    digest_after(name, text, &[])
}

/// The [`Digest`] of `text` read with the macros `seed` already defined.
fn digest_after(name: &str, text: &str, seed: &[(String, String)]) -> Digest {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let mut keys = Vec::with_capacity(text.len() * 3);
    let mut ends = Vec::new();
    let mut keyless = false;
    let (resolved, diags) = crate::resolve::resolve_after(
        &mut sources,
        id,
        &MemoryLoader::default(),
        &Options::default(),
        seed,
        &mut |stmt| {
            keyless |= crate::meaning::key_into(&stmt.kind, &mut keys).is_err();
            ends.push(keys.len());
        },
    );
    Digest {
        keys,
        ends,
        keyless,
        macro_at: resolved
            .macro_definitions
            .iter()
            .map(|m| m.span.filter(|s| s.file == id).map(|s| s.start))
            .collect(),
        macros: resolved
            .macro_definitions
            .into_iter()
            .map(|m| (m.name, m.value))
            .collect(),
        syntax: diags.into_iter().filter(is_syntax_error).collect(),
        comments: comments(text),
    }
}

/// The source statement (at any anchor depth) that starts at `start`.
fn find_statement(stmts: &[Statement], start: usize) -> Option<Span> {
    stmts.iter().find_map(|s| {
        if s.span.start == start {
            return Some(s.span);
        }
        match &s.kind {
            StatementKind::Anchor(a) => find_statement(&a.body.as_ref()?.statements, start),
            _ => None,
        }
    })
}

/// Checks that `after` means what `before` means and keeps its comments.
pub fn verify(name: &str, before: &str, after: &str) -> Result<(), FormatError> {
    let (a, diags) = resolved_only(name, before);
    let known = diags.iter().filter(|d| is_syntax_error(d)).count();
    let mut sources = SourceMap::new();
    sources.add(name, before);
    let at = |span: Span| sources.location(span);
    compare(&a, known, before, after, &[], &at).map_err(|m| match m {
        Mismatch::Statement(_, msg) | Mismatch::Other(msg) => FormatError::Unsafe(msg),
    })
}

/// `text` resolved with no file access (no semantic checks), with its
/// diagnostics.
fn resolved_only(name: &str, text: &str) -> (crate::resolve::Resolved, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    crate::resolve::resolve(
        &mut sources,
        id,
        &MemoryLoader::default(),
        &Options::default(),
    )
}

/// Errors that make a file unparseable (as opposed to pfctl's checks).
fn is_syntax_error(d: &Diagnostic) -> bool {
    d.is_error()
        && matches!(
            d.code,
            "syntax" | "legacy" | "unterminated-string" | "too-deep" | "too-long"
        )
}

/// What the safety net found.
enum Mismatch {
    /// This statement of the input (the innermost that differs) would
    /// change meaning.
    Statement(Span, String),
    /// Anything else (a macro, a comment, the number of statements).
    Other(String),
}

/// Compares `after` with `before`, resolved as `a` (with `known` syntax
/// errors). `placed` says where the input's statements went in `after`
/// (empty when unknown): an output syntax error inside one of them names
/// that statement. `at` writes an input span as `file:line:col`.
fn compare(
    a: &crate::resolve::Resolved,
    known: usize,
    before: &str,
    after: &str,
    placed: &[Placed],
    at: &dyn Fn(Span) -> String,
) -> Result<(), Mismatch> {
    // The output only needs resolving: what it means is compared with the
    // input's meaning, not checked again.
    let name = "output";
    let (b, diags) = resolved_only(name, after);
    // Output with syntax errors the input does not have is refused, even
    // when what did parse compares equal.
    if let Some(d) = diags.iter().filter(|d| is_syntax_error(d)).nth(known) {
        // The innermost statement whose output holds the error.
        let inside = placed
            .iter()
            .filter(|p| p.start <= d.span.start && d.span.start < p.end)
            .max_by_key(|p| p.start);
        if let Some(p) = inside {
            return Err(Mismatch::Statement(
                p.input,
                format!(
                    "statement at {} would not parse once formatted",
                    at(p.input)
                ),
            ));
        }
        let (line, col) = crate::span::SourceFile::new(name, after).line_col(d.span.start);
        return Err(Mismatch::Other(format!(
            "the output would not parse at {line}:{col}: {}",
            d.message
        )));
    }
    if let Some(r) = first_difference(&a.ruleset.statements, &b.ruleset.statements) {
        return Err(match r {
            Ok(span) => Mismatch::Statement(
                span,
                format!("statement at {} would change meaning", at(span)),
            ),
            Err(()) => Mismatch::Other("the number of statements would change".into()),
        });
    }
    let defs = |r: &crate::resolve::Resolved| {
        r.macro_definitions
            .iter()
            .map(|m| (m.name.clone(), m.value.clone()))
            .collect::<Vec<_>>()
    };
    if defs(a) != defs(&b) {
        return Err(Mismatch::Other(
            "a macro definition would change".to_string(),
        ));
    }
    if comments(before) != comments(after) {
        return Err(Mismatch::Other(
            "a comment would be lost or changed".to_string(),
        ));
    }
    Ok(())
}

/// The innermost statement of `xs` whose meaning differs from its
/// counterpart in `ys` (`Err` when the counts differ and no statement
/// can be named). Compared one statement at a time by meaning key
/// ([`crate::meaning`]: spans and trivia left out).
fn first_difference(xs: &[Statement], ys: &[Statement]) -> Option<Result<Span, ()>> {
    for (x, y) in xs.iter().zip(ys) {
        if crate::meaning::same(&x.kind, &y.kind) {
            continue;
        }
        // An anchor whose body differs: name the body's statement.
        if let (StatementKind::Anchor(ax), StatementKind::Anchor(ay)) = (&x.kind, &y.kind) {
            if let (Some(bx), Some(by)) = (&ax.body, &ay.body) {
                let mut hx = ax.clone();
                let mut hy = ay.clone();
                hx.body = None;
                hy.body = None;
                let same_header = crate::meaning::same(&hx, &hy);
                if same_header {
                    if let Some(Ok(inner)) = first_difference(&bx.statements, &by.statements) {
                        return Some(Ok(inner));
                    }
                }
            }
        }
        return Some(Ok(x.span));
    }
    if xs.len() != ys.len() {
        return Some(match xs.get(ys.len()) {
            Some(x) => Ok(x.span),
            None => Err(()),
        });
    }
    None
}

/// Comment texts of a file, in order (found by the splitter's rules; no
/// parse needed).
fn comments(text: &str) -> Vec<String> {
    let split = crate::lexer::split(text, crate::span::FileId(0));
    let mut v = Vec::new();
    collect_raw(&split.stmts, &split.trailing, text, &mut v);
    v
}

fn collect_raw(
    stmts: &[crate::lexer::RawStmt],
    trailing: &[Trivia],
    text: &str,
    out: &mut Vec<String>,
) {
    let slice = |sp: Span| comment_text(text.get(sp.start..sp.end).unwrap_or(""));
    let trivia = |t: &Trivia, out: &mut Vec<String>| {
        if let Trivia::Comment { span } = t {
            out.push(slice(*span));
        }
    };
    for s in stmts {
        for t in &s.leading {
            trivia(t, out);
        }
        for c in &s.inner_comments {
            out.push(slice(*c));
        }
        if let Some(b) = &s.block {
            collect_raw(&b.body, &b.trailing, text, out);
        }
        if let Some(c) = s.trailing_comment {
            out.push(slice(c));
        }
    }
    for t in trailing {
        trivia(t, out);
    }
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
}

impl<'a> Printer<'a> {
    fn new(map: &'a SourceMap, opts: &'a FormatOptions, keep: &'a [usize], alone: bool) -> Self {
        Printer {
            map,
            opts,
            keep,
            alone,
            placed: std::cell::RefCell::new(Vec::new()),
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
        (out, self.placed.into_inner())
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
    leading(out, &s.leading, p.map, &INDENT.repeat(depth), first);
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
    let block = match &s.kind {
        StatementKind::Anchor(a) => a.body.as_ref(),
        _ => None,
    };
    // For an inline anchor: the header ends at its `{`; a comment after
    // the brace is printed after it again.
    let full = map.slice(s.span);
    let header_end = match block {
        Some(_) => {
            crate::resolve::find_block_open(full).map_or(s.span.end, |i| s.span.start + i + 1)
        }
        None => s.span.end,
    };
    let open_comment = s
        .inner_comments
        .iter()
        .find(|c| c.start >= header_end)
        .copied();
    // A macro definition whose name is empty in the AST was written `""`
    // or `$name = ...` (a reference where the name goes): the AST cannot
    // tell which, so it is kept as written.
    let verbatim = s.inner_comments.iter().any(|c| c.start < header_end)
        || matches!(s.kind, StatementKind::Unparsed)
        || matches!(&s.kind, StatementKind::Macro(m) if m.name.node.is_empty())
        || p.keep.contains(&s.span.start);
    let mut laid_out = None;
    if !verbatim {
        let pieces = pieces(&s.kind, block.is_some());
        #[cfg(test)]
        let pieces = tests::sabotage(s.span.start, pieces);
        // An anchor's header keeps its lists on one line: a line ending
        // in `{` there would open the anchor's body.
        let explode = !matches!(s.kind, StatementKind::Anchor(_));
        let mut buf = String::new();
        layout(&mut buf, &pieces, &pad, opts.width, explode);
        // A layout that does not parse on its own (a printer bug, such as
        // a word the grammar only accepts glued to what follows) is not
        // used: the statement is kept as written.
        if block.is_some() || !p.alone || parses_alone(&buf) {
            laid_out = Some(buf);
        }
    }
    if let Some(buf) = laid_out {
        out.push_str(&buf);
    } else {
        // Keep as written, line by line, without trailing blanks.
        // A broken statement (an unclosed `{`...) can hold comments past its
        // last token: keep them in the verbatim text.
        let end = match block {
            Some(_) => header_end,
            None => s
                .inner_comments
                .iter()
                .map(|c| c.end)
                .fold(header_end, usize::max),
        };
        let text = map.slice(Span::new(s.span.file, s.span.start, end));
        for (i, line) in text.split('\n').enumerate() {
            if i == 0 {
                out.push_str(&pad);
                push_trimmed(out, line.trim_start_matches(is_blank));
            } else {
                push_trimmed(out, line);
            }
            out.push('\n');
        }
        out.pop();
    }
    // A backslash that ends a statement did not join the next line (blanks
    // or the end of the file followed it): keep it from doing so.
    if ends_in_escape(out) {
        out.push(' ');
    }
    if block.is_none() {
        if let Some(c) = s.trailing_comment {
            out.push(' ');
            push_comment(out, map.slice(c));
        }
    } else if let Some(c) = open_comment {
        out.push(' ');
        push_comment(out, map.slice(c));
    }
    out.push('\n');
    if let Some(body) = block {
        ruleset(out, body, p, depth + 1);
        out.push_str(&pad);
        out.push('}');
        if let Some(c) = s.trailing_comment {
            out.push(' ');
            push_comment(out, map.slice(c));
        }
        out.push('\n');
    }
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

/// A comment as the safety net compares it: what the formatter may change
/// (trailing blanks of each line, a final newline) left out.
fn comment_text(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .split('\n')
        .map(|l| l.trim_end_matches(is_blank))
        .collect();
    lines.join("\n").trim_end_matches('\n').to_string()
}

/// True when a statement's printed text parses with no error.
fn parses_alone(text: &str) -> bool {
    !crate::parser::parse(text, crate::span::FileId(0))
        .1
        .iter()
        .any(Diagnostic::is_error)
}

/// Joins pieces with spaces; breaks before a piece when the line would
/// exceed `width`. A piece that alone is too long and holds a `{ }` list
/// is written one list item per line (pfctl allows newlines after items).
fn layout(out: &mut String, pieces: &[String], pad: &str, width: usize, explode: bool) {
    let mut line = String::from(pad);
    let cont = format!("{pad}{INDENT}");
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            if line.len() + 1 + p.len() + 2 > width && !line.trim().is_empty() && p != "{" {
                out.push_str(&line);
                out.push_str(" \\\n");
                line = cont.clone();
            } else {
                line.push(' ');
            }
        }
        let indent = if i == 0 { pad } else { cont.as_str() };
        if explode && line.len() + p.len() > width {
            if let Some(exploded) = explode_list(p, indent) {
                line.push_str(&exploded);
                continue;
            }
        }
        line.push_str(p);
    }
    out.push_str(&line);
}

/// Rewrites the first top-level `{ a, b, c }` of `piece` with one item per
/// line, items indented one level deeper than `indent`.
fn explode_list(piece: &str, indent: &str) -> Option<String> {
    let b = piece.as_bytes();
    let mut depth = 0usize;
    let mut quote = false;
    let mut open = None;
    let mut items = Vec::new();
    let mut item_start = 0;
    let mut escaped = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            _ if escaped => escaped = false,
            b'\\' if quote && b.get(i + 1) == Some(&b'"') => escaped = true,
            b'"' => quote = !quote,
            _ if quote => {}
            b'{' => {
                depth += 1;
                if depth == 1 && open.is_none() {
                    open = Some(i);
                    item_start = i + 1;
                }
            }
            b'}' => {
                if depth == 1 && open.is_some() {
                    items.push(piece[item_start..i].trim_matches(is_blank).to_string());
                    let start = open?;
                    if items.len() < 2 {
                        return None;
                    }
                    let inner = format!("{indent}{INDENT}");
                    let mut s = String::new();
                    s.push_str(&piece[..start]);
                    s.push_str("{\n");
                    for it in &items {
                        s.push_str(&inner);
                        s.push_str(it);
                        s.push('\n');
                    }
                    s.push_str(indent);
                    s.push('}');
                    s.push_str(&piece[i + 1..]);
                    return Some(s);
                }
                depth = depth.saturating_sub(1);
            }
            b',' if depth == 1 && open.is_some() => {
                items.push(piece[item_start..i].trim_matches(is_blank).to_string());
                item_start = i + 1;
            }
            _ => {}
        }
    }
    None
}

// ------------------------------------------------------------- printing

fn v(x: &SValue) -> String {
    value(&x.node)
}

fn value(x: &Value) -> String {
    match x {
        Value::Word(w) => w.clone(),
        Value::Quoted(q) => quote(q),
        Value::Macro(m) => format!("${}{}", m.name, m.suffix),
    }
}

fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        // pfctl's lexer reads `\"` as a quote, and a backslash before
        // anything else as itself (`\\"` is a backslash and a quote). A
        // backslash at the end, or before a newline (which pfctl drops with
        // it), cannot be written: the safety net then keeps the statement as
        // written.
        if c == '"' {
            o.push('\\');
        }
        o.push(c);
    }
    o.push('"');
    o
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    if items.len() == 1 {
        f(&items[0])
    } else {
        format!(
            "{{ {} }}",
            items.iter().map(f).collect::<Vec<_>>().join(", ")
        )
    }
}

fn braced<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    format!(
        "{{ {} }}",
        items.iter().map(f).collect::<Vec<_>>().join(", ")
    )
}

fn af(a: AddressFamily) -> &'static str {
    match a {
        AddressFamily::Inet => "inet",
        AddressFamily::Inet6 => "inet6",
    }
}

fn if_target(t: &IfTarget) -> String {
    match t {
        IfTarget::Any => "any".into(),
        IfTarget::Rdomain(n) => format!("rdomain {}", v(n)),
        IfTarget::Name(n) => v(n),
    }
}

fn if_item(i: &Spanned<IfItem>) -> String {
    format!(
        "{}{}",
        if i.node.not { "! " } else { "" },
        if_target(&i.node.target)
    )
}

fn host(h: &Host) -> String {
    let not = if h.not { "! " } else { "" };
    let body = match &h.kind {
        HostKind::Any => "any".to_string(),
        HostKind::NoRoute => "no-route".into(),
        HostKind::UrpfFailed => "urpf-failed".into(),
        HostKind::Address { addr, mask } => match mask {
            Some(m) => format!("{}/{}", v(addr), v(m)),
            None => v(addr),
        },
        HostKind::Range { from, to } => format!("{} - {}", v(from), v(to)),
        HostKind::Table { name } => format!("<{}>", v(name)),
        HostKind::Dynamic { ifname, mask } => match mask {
            Some(m) => format!("({})/{}", v(ifname), v(m)),
            None => format!("({})", v(ifname)),
        },
        HostKind::Route { label } => format!("route {}", v(label)),
        HostKind::List(items) => braced(items, |x| host(&x.node)),
    };
    format!("{not}{body}")
}

fn port_item(p: &Spanned<PortItem>) -> String {
    match &p.node {
        PortItem::Eq { value } => v(value),
        PortItem::Unary { op, value } => format!("{op} {}", v(value)),
        PortItem::Binary { low, op, high } => format!("{} {op} {}", v(low), v(high)),
    }
}

fn endpoint(kw: &str, e: &Endpoint) -> String {
    let mut s = kw.to_string();
    if e.any {
        s.push_str(" any");
    } else if !e.hosts.is_empty() {
        s.push(' ');
        s.push_str(&list(&e.hosts, |h| host(&h.node)));
    }
    if !e.ports.is_empty() {
        s.push_str(" port ");
        s.push_str(&list(&e.ports, port_item));
    }
    s
}

fn log(l: &LogOpts) -> String {
    let mut o = Vec::new();
    if l.all {
        o.push("all".to_string());
    }
    if l.matches {
        o.push("matches".to_string());
    }
    if l.user {
        o.push("user".to_string());
    }
    if let Some(t) = &l.to {
        o.push(format!("to {}", v(t)));
    }
    if o.is_empty() {
        "log".into()
    } else {
        format!("log ({})", o.join(", "))
    }
}

fn state_opt(o: &StateOpt) -> String {
    match o {
        StateOpt::Max { value } => format!("max {}", v(value)),
        StateOpt::NoSync => "no-sync".into(),
        StateOpt::MaxSrcStates { value } => format!("max-src-states {}", v(value)),
        StateOpt::MaxSrcConn { value } => format!("max-src-conn {}", v(value)),
        StateOpt::MaxSrcConnRate { limit, seconds } => {
            format!("max-src-conn-rate {}/{}", v(limit), v(seconds))
        }
        StateOpt::Overload {
            table,
            flush,
            global,
        } => {
            let mut s = format!("overload <{}>", v(table));
            if *flush {
                s.push_str(" flush");
                if *global {
                    s.push_str(" global");
                }
            }
            s
        }
        StateOpt::MaxSrcNodes { value } => format!("max-src-nodes {}", v(value)),
        StateOpt::SourceTrack { scope } => match scope {
            None => "source-track".into(),
            Some(SourceTrackScope::Rule) => "source-track rule".into(),
            Some(SourceTrackScope::Global) => "source-track global".into(),
        },
        StateOpt::IfBound => "if-bound".into(),
        StateOpt::Floating => "floating".into(),
        StateOpt::Sloppy => "sloppy".into(),
        StateOpt::Pflow => "pflow".into(),
        StateOpt::Timeout { name, value } => format!("{} {}", v(name), v(value)),
    }
}

fn pool(p: &PoolOpts) -> String {
    p.opts
        .iter()
        .map(|o| match &o.node {
            PoolOpt::Bitmask => "bitmask".to_string(),
            PoolOpt::Random => "random".into(),
            PoolOpt::SourceHash { key } => {
                let mut s = "source-hash".to_string();
                for k in key {
                    s.push(' ');
                    s.push_str(&v(k));
                }
                s
            }
            PoolOpt::RoundRobin => "round-robin".into(),
            PoolOpt::LeastStates => "least-states".into(),
            PoolOpt::StaticPort => "static-port".into(),
            PoolOpt::StickyAddress => "sticky-address".into(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn redirect(r: &Redirect) -> String {
    let hosts = list(&r.hosts, |h| match &h.weight {
        Some(w) => format!("{} weight {}", host(&h.host.node), v(w)),
        None => host(&h.host.node),
    });
    let mut s = hosts;
    if let Some(p) = &r.port {
        s.push_str(" port ");
        s.push_str(&v(p));
    }
    let po = pool(&r.pool);
    if !po.is_empty() {
        s.push(' ');
        s.push_str(&po);
    }
    s
}

fn words(vs: &[SValue]) -> String {
    vs.iter().map(v).collect::<Vec<_>>().join(" ")
}

pub(crate) fn filter_opt(o: &FilterOpt) -> String {
    match o {
        FilterOpt::User { items } => format!("user {}", list(items, port_item)),
        FilterOpt::Group { items } => format!("group {}", list(items, port_item)),
        FilterOpt::Flags { set, mask } => match (set, mask) {
            (None, None) => "flags any".into(),
            (s, m) => format!(
                "flags {}/{}",
                s.as_ref().map(v).unwrap_or_default(),
                m.as_ref().map(v).unwrap_or_default()
            ),
        },
        FilterOpt::IcmpType { v6, items } => format!(
            "{} {}",
            if *v6 { "icmp6-type" } else { "icmp-type" },
            list(items, |i| match &i.node.code {
                Some(c) => format!("{} code {}", v(&i.node.icmp_type), v(c)),
                None => v(&i.node.icmp_type),
            })
        ),
        FilterOpt::Prio { value } => format!("prio {}", v(value)),
        FilterOpt::Tos { value } => format!("tos {}", v(value)),
        FilterOpt::State { kind, opts } => {
            let k = match kind {
                StateKind::No => "no state",
                StateKind::Keep => "keep state",
                StateKind::Modulate => "modulate state",
                StateKind::Synproxy => "synproxy state",
            };
            if opts.is_empty() {
                k.to_string()
            } else {
                format!(
                    "{k} ({})",
                    opts.iter()
                        .map(|o| state_opt(&o.node))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        FilterOpt::Fragment => "fragment".into(),
        FilterOpt::AllowOpts => "allow-opts".into(),
        FilterOpt::Label { value } => format!("label {}", v(value)),
        FilterOpt::Queue {
            name,
            prio_name,
            set,
        } => {
            let q = match prio_name {
                Some(p) => format!("({}, {})", v(name), v(p)),
                None => v(name),
            };
            if *set {
                format!("set queue {q}")
            } else {
                format!("queue {q}")
            }
        }
        FilterOpt::Tag { value } => format!("tag {}", words(value)),
        FilterOpt::Tagged { not, value } => {
            format!("{}tagged {}", if *not { "! " } else { "" }, words(value))
        }
        FilterOpt::Probability { value } => format!("probability {}", v(value)),
        FilterOpt::Rtable { value } => format!("rtable {}", v(value)),
        FilterOpt::DivertTo { host, port } => format!("divert-to {} port {}", v(host), v(port)),
        FilterOpt::DivertReply => "divert-reply".into(),
        FilterOpt::DivertPacket { port } => format!("divert-packet port {}", v(port)),
        FilterOpt::Scrub { opts } => format!(
            "scrub ({})",
            opts.iter()
                .map(|o| match &o.node {
                    ScrubOpt::NoDf => "no-df".to_string(),
                    ScrubOpt::MinTtl { value } => format!("min-ttl {}", v(value)),
                    ScrubOpt::MaxMss { value } => format!("max-mss {}", v(value)),
                    ScrubOpt::Reassemble { value } => format!("reassemble {}", v(value)),
                    ScrubOpt::RandomId => "random-id".into(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FilterOpt::NatTo(r) => format!("nat-to {}", redirect(r)),
        FilterOpt::BinatTo(r) => format!("binat-to {}", redirect(r)),
        FilterOpt::RdrTo(r) => format!("rdr-to {}", redirect(r)),
        FilterOpt::AfTo { af: a, from, to } => {
            let mut s = format!("af-to {} from {}", af(*a), redirect(from));
            if let Some(t) = to {
                s.push_str(" to ");
                s.push_str(&redirect(t));
            }
            s
        }
        FilterOpt::Route { kind, target } => {
            let k = match kind {
                RouteKind::RouteTo => "route-to",
                RouteKind::ReplyTo => "reply-to",
                RouteKind::DupTo => "dup-to",
            };
            format!("{k} {}", redirect(target))
        }
        FilterOpt::ReceivedOn { not, interface } => {
            format!(
                "{}received-on {}",
                if *not { "! " } else { "" },
                if_target(interface)
            )
        }
        FilterOpt::Once => "once".into(),
        FilterOpt::MaxPktRate { limit, seconds } => {
            format!("max-pkt-rate {}/{}", v(limit), v(seconds))
        }
        FilterOpt::SetPrio { prio, prio2 } => match prio2 {
            Some(p) => format!("set prio ({}, {})", v(prio), v(p)),
            None => format!("set prio {}", v(prio)),
        },
        FilterOpt::SetTos { value } => format!("set tos {}", v(value)),
        FilterOpt::SetDelay { value } => format!("set delay {}", v(value)),
        FilterOpt::Limiter {
            kind,
            name,
            actions,
        } => {
            let k = match kind {
                LimiterKind::State => "state",
                LimiterKind::Source => "source",
            };
            let mut s = format!("{k} limiter {}", v(name));
            if !actions.is_empty() {
                let a: Vec<&str> = actions
                    .iter()
                    .map(|a| match a {
                        LimiterAction::Block => "block",
                        LimiterAction::NoMatch => "no-match",
                    })
                    .collect();
                s.push_str(&format!(" ({})", a.join(", ")));
            }
            s
        }
    }
}

/// The rule's head (everything up to the filter options) and its options,
/// each a piece the layout may break between.
fn rule_pieces(r: &FilterRule, head: String) -> Vec<String> {
    let mut h = head;
    let mut push = |s: &str| {
        if !h.is_empty() {
            h.push(' ');
        }
        h.push_str(s);
    };
    if let Some(d) = r.direction {
        push(match d {
            Direction::In => "in",
            Direction::Out => "out",
        });
    }
    if let Some(l) = &r.log {
        push(&log(l));
    }
    if r.quick {
        push("quick");
    }
    let mut pieces = vec![h];
    let mut mid = Vec::new();
    if !r.interfaces.is_empty() {
        mid.push(format!("on {}", list(&r.interfaces, if_item)));
    }
    if let Some(a) = &r.af {
        mid.push(af(a.node).to_string());
    }
    if !r.protos.is_empty() {
        mid.push(format!("proto {}", list(&r.protos, v)));
    }
    if !mid.is_empty() {
        pieces.push(mid.join(" "));
    }
    let hs = &r.hosts;
    if hs.all {
        pieces.push("all".into());
    } else {
        if let Some(f) = &hs.from {
            pieces.push(endpoint("from", f));
        }
        if !hs.os.is_empty() {
            pieces.push(format!("os {}", list(&hs.os, v)));
        }
        if let Some(t) = &hs.to {
            pieces.push(endpoint("to", t));
        }
    }
    pieces.extend(r.options.iter().map(|o| filter_opt(&o.node)));
    pieces
}

fn service_curve(c: &ServiceCurve) -> String {
    match &c.burst {
        Some((b, t)) => format!("{} burst {} for {}", v(&c.bandwidth), v(b), v(t)),
        None => v(&c.bandwidth),
    }
}

fn pieces(k: &StatementKind, open_block: bool) -> Vec<String> {
    match k {
        StatementKind::Macro(m) => {
            let val = if m.value.len() == 1 {
                match &m.value[0].node {
                    Value::Word(w) | Value::Quoted(w) => quote(w),
                    Value::Macro(_) => v(&m.value[0]),
                }
            } else {
                m.value
                    .iter()
                    .map(|p| match &p.node {
                        Value::Word(w) | Value::Quoted(w) => quote(w),
                        Value::Macro(_) => v(p),
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let name = if m
                .name
                .node
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-:".contains(c))
                && !m.name.node.is_empty()
            {
                m.name.node.clone()
            } else {
                quote(&m.name.node)
            };
            vec![format!("{name} = {val}")]
        }
        StatementKind::Include(i) => vec![format!("include {}", v(&i.path))],
        StatementKind::LoadAnchor(l) => vec![format!(
            "load anchor {} from {}",
            v(&l.name),
            words(&l.file)
        )],
        StatementKind::Table(t) => {
            let mut p = vec![format!("table <{}>", v(&t.name))];
            for o in &t.opts {
                p.push(match &o.node {
                    TableOpt::Flag(f) => v(f),
                    TableOpt::Timeout(n) => format!("timeout ({})", v(n)),
                    TableOpt::File(f) => format!("file {}", v(f)),
                    TableOpt::Addresses(a) => {
                        if a.is_empty() {
                            "{ }".to_string()
                        } else {
                            braced(a, |e| match &e.weight {
                                Some(w) => format!("{} weight {}", host(&e.host.node), v(w)),
                                None => host(&e.host.node),
                            })
                        }
                    }
                });
            }
            vec![p.join(" ")]
        }
        StatementKind::Option(o) => vec![option(o)],
        StatementKind::Rule(r) => {
            let head = match &r.action.node {
                Action::Pass => "pass".to_string(),
                Action::Match => "match".to_string(),
                Action::Block { policy } => match policy.as_deref() {
                    None => "block".into(),
                    Some(BlockSpec::Drop) => "block drop".into(),
                    Some(BlockSpec::Return) => "block return".into(),
                    Some(BlockSpec::ReturnRst { ttl }) => match ttl {
                        Some(t) => format!("block return-rst (ttl {})", v(t)),
                        None => "block return-rst".into(),
                    },
                    Some(BlockSpec::ReturnIcmp { code, code6 }) => match (code, code6) {
                        (Some(c), Some(c6)) => format!("block return-icmp ({}, {})", v(c), v(c6)),
                        (Some(c), None) => format!("block return-icmp ({})", v(c)),
                        _ => "block return-icmp".into(),
                    },
                    Some(BlockSpec::ReturnIcmp6 { code }) => match code {
                        Some(c) => format!("block return-icmp6 ({})", v(c)),
                        None => "block return-icmp6".into(),
                    },
                },
            };
            rule_pieces(r, head)
        }
        StatementKind::Anchor(a) => {
            let head = match &a.name {
                Some(n) => format!("anchor {}", v(n)),
                None => "anchor".to_string(),
            };
            let mut p = rule_pieces(&a.filter, head);
            if open_block {
                p.push("{".into());
            }
            p
        }
        StatementKind::Antispoof(a) => {
            let mut s = "antispoof".to_string();
            if let Some(l) = &a.log {
                s.push(' ');
                s.push_str(&log(l));
            }
            if a.quick {
                s.push_str(" quick");
            }
            s.push_str(" for ");
            s.push_str(&list(&a.interfaces, |i| {
                if i.node.dynamic {
                    format!("({})", if_target(&i.node.target))
                } else {
                    if_target(&i.node.target)
                }
            }));
            if let Some(x) = a.af {
                s.push(' ');
                s.push_str(af(x));
            }
            if let Some(l) = &a.label {
                s.push_str(&format!(" label {}", v(l)));
            }
            if let Some(r) = &a.rtable {
                s.push_str(&format!(" rtable {}", v(r)));
            }
            vec![s]
        }
        StatementKind::Queue(q) => {
            let mut p = vec![format!("queue {}", v(&q.name))];
            if !q.interfaces.is_empty() {
                p[0].push_str(&format!(" on {}", list(&q.interfaces, if_item)));
            }
            for o in &q.opts {
                p.push(match &o.node {
                    QueueOpt::Bandwidth { share, min, max } => {
                        let mut s = format!("bandwidth {}", service_curve(share));
                        if let Some(m) = min {
                            s.push_str(&format!(", min {}", service_curve(m)));
                        }
                        if let Some(m) = max {
                            s.push_str(&format!(", max {}", service_curve(m)));
                        }
                        s
                    }
                    QueueOpt::Parent { value } => format!("parent {}", v(value)),
                    QueueOpt::Default => "default".into(),
                    QueueOpt::Qlimit { value } => format!("qlimit {}", v(value)),
                    QueueOpt::Flows { value } => format!("flows {}", v(value)),
                    QueueOpt::Quantum { value } => format!("quantum {}", v(value)),
                });
            }
            p
        }
        StatementKind::Limiter(l) => {
            let k = match l.kind {
                LimiterKind::State => "state",
                LimiterKind::Source => "source",
            };
            let mut p = vec![format!("{k} limiter {}", v(&l.name))];
            for o in &l.opts {
                p.push(match &o.node {
                    LimiterOpt::Id { value } => format!("id {}", v(value)),
                    LimiterOpt::Limit { value } => format!("limit {}", v(value)),
                    LimiterOpt::Rate { limit, seconds } => {
                        format!("rate {}/{}", v(limit), v(seconds))
                    }
                    LimiterOpt::Entries { value } => format!("entries {}", v(value)),
                    LimiterOpt::Mask { af: a, value } => format!("{} mask {}", af(*a), v(value)),
                    LimiterOpt::Table { name, above, below } => {
                        let mut s = format!("table <{}> above {}", v(name), v(above));
                        if let Some(b) = below {
                            s.push_str(&format!(" below {}", v(b)));
                        }
                        s
                    }
                });
            }
            p
        }
        StatementKind::Unparsed => Vec::new(),
    }
}

fn pairs(vals: &[(SValue, SValue)]) -> String {
    if vals.len() == 1 {
        format!("{} {}", v(&vals[0].0), v(&vals[0].1))
    } else {
        braced(vals, |(a, b)| format!("{} {}", v(a), v(b)))
    }
}

fn option(o: &SetOption) -> String {
    match o {
        SetOption::Reassemble { value, no_df } => {
            format!(
                "set reassemble {}{}",
                v(value),
                if *no_df { " no-df" } else { "" }
            )
        }
        SetOption::Optimization { value } => format!("set optimization {}", v(value)),
        SetOption::RulesetOptimization { value } => {
            format!("set ruleset-optimization {}", v(value))
        }
        SetOption::Timeout { values } => format!("set timeout {}", pairs(values)),
        SetOption::Limit { values } => format!("set limit {}", pairs(values)),
        SetOption::LogInterface { value } => format!("set loginterface {}", v(value)),
        SetOption::HostId { value } => format!("set hostid {}", v(value)),
        SetOption::BlockPolicy { value } => format!(
            "set block-policy {}",
            match value {
                BlockPolicy::Drop => "drop",
                BlockPolicy::Return => "return",
            }
        ),
        SetOption::Fingerprints { value } => format!("set fingerprints {}", v(value)),
        SetOption::StatePolicy { value } => format!(
            "set state-policy {}",
            match value {
                StatePolicy::IfBound => "if-bound",
                StatePolicy::Floating => "floating",
            }
        ),
        SetOption::Debug { value } => format!("set debug {}", v(value)),
        SetOption::Skip { interfaces } => {
            if interfaces.is_empty() {
                "set skip".into()
            } else {
                format!("set skip on {}", list(interfaces, if_item))
            }
        }
        SetOption::StateDefaults { opts } => format!(
            "set state-defaults {}",
            opts.iter()
                .map(|o| state_opt(&o.node))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SetOption::Syncookies { mode, opts } => {
            let mut s = format!("set syncookies {}", v(mode));
            if !opts.is_empty() {
                s.push_str(&format!(
                    " ({})",
                    opts.iter()
                        .map(|(a, b)| format!("{} {}", v(a), v(b)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            s
        }
    }
}

#[cfg(test)]
mod tests;
