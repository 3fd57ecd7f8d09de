//! The safety net: the formatted text must resolve to the same ruleset,
//! define the same macros and keep every comment of the input. Each file
//! is read once into a [`Digest`]; only when the digests differ are both
//! files resolved in full, to find the statements to keep as written.

use super::tokens::normal_list;
use super::{is_blank, print, FormatError, FormatOptions, Formatted, Placed, MAX_KEPT};
use crate::ast::*;
use crate::span::{SourceMap, Span};
use crate::{Diagnostic, Loader, MemoryLoader, Options};
use std::borrow::Cow;

/// The safety net's slow path, once the digests differ: resolves both
/// files in full, keeps each statement whose layout changes its meaning
/// as written, and formats again, until the output is safe or
/// [`MAX_KEPT`] statements have been kept.
pub(super) fn keep_as_written(
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
                    && !keep.contains(&span.start())
                    && find_statement(&ast.statements, span.start()).is_some() =>
            {
                keep.push(span.start());
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
pub(super) struct Digest {
    /// The meaning keys of the resolved top-level statements, back to back.
    keys: Vec<u8>,
    /// Where each statement's key ends in `keys`.
    ends: Vec<usize>,
    /// A statement had no key (then the digest agrees with nothing).
    keyless: bool,
    /// Every macro definition in the order read: name and value.
    pub(super) macros: Vec<(String, String)>,
    /// Where each definition starts in the file (None when it is in
    /// another file).
    macro_at: Vec<Option<usize>>,
    /// Syntax errors, including those that show once macros are expanded.
    pub(super) syntax: Vec<Diagnostic>,
    /// Comment texts in order.
    comments: Vec<String>,
}

impl Digest {
    /// True when the two files mean the same and hold the same comments.
    pub(super) fn agrees(&self, other: &Digest) -> bool {
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
    pub(super) fn then(mut self, next: Digest, offset: usize) -> Digest {
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
pub(super) fn output_digest(
    name: &str,
    out: &str,
    placed: &[Placed],
    input: &Digest,
    parallel: bool,
) -> Digest {
    output_digest_with(
        name,
        out,
        placed,
        input,
        parallel,
        &MemoryLoader::default(),
        &Options::default(),
    )
}

/// [`output_digest`] with the output's includes read through `files` and
/// resolved with `opts` (the `-D` definitions); `Sync` because the halves
/// are read on two threads.
pub(super) fn output_digest_with(
    name: &str,
    out: &str,
    placed: &[Placed],
    input: &Digest,
    parallel: bool,
    files: &(dyn Loader + Sync),
    opts: &Options,
) -> Digest {
    let cut = parallel.then(|| cut_point(out, placed, input)).flatten();
    if let Some((at, defined)) = cut {
        let seed = input.macros.get(..defined).unwrap_or_default();
        let (first, second) = crate::both(
            true,
            || digest_with(name, out.get(..at).unwrap_or_default(), files, opts, &[]),
            || digest_with(name, out.get(at..).unwrap_or_default(), files, opts, seed),
        );
        if first.syntax.is_empty() && first.macros == seed {
            return first.then(second, at);
        }
    }
    digest_with(name, out, files, opts, &[])
}

/// Where to cut the output in two (see [`output_digest`]), and how many
/// of the input's macro definitions come before that point.
pub(super) fn cut_point(out: &str, placed: &[Placed], input: &Digest) -> Option<(usize, usize)> {
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
    Some((p.start, at.partition_point(|&s| s < p.input.start())))
}

/// The [`Digest`] of `text`, resolved with no file access.
pub(super) fn digest(name: &str, text: &str) -> Digest {
    digest_after(name, text, &[])
}

/// The [`Digest`] of `text` read with the macros `seed` already defined.
pub(super) fn digest_after(name: &str, text: &str, seed: &[(String, String)]) -> Digest {
    digest_with(
        name,
        text,
        &MemoryLoader::default(),
        &Options::default(),
        seed,
    )
}

/// The [`Digest`] of `text` resolved through `loader` with `opts`, the
/// macros `seed` already defined.
pub(super) fn digest_with(
    name: &str,
    text: &str,
    loader: &dyn Loader,
    opts: &Options,
    seed: &[(String, String)],
) -> Digest {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let mut keys = Vec::with_capacity(text.len() * 3);
    let mut ends = Vec::new();
    let mut keyless = false;
    let (resolved, diags) =
        crate::resolve::resolve_after(&mut sources, id, loader, opts, seed, &mut |stmt| {
            keyless |= crate::meaning::key_into(&*canonical(&stmt.kind), &mut keys).is_err();
            ends.push(keys.len());
        });
    Digest {
        keys,
        ends,
        keyless,
        macro_at: macro_at(&resolved.macro_definitions, id),
        macros: macros(resolved.macro_definitions),
        syntax: diags.into_iter().filter(is_syntax_error).collect(),
        comments: comments(text),
    }
}

/// The [`Digest`] of a checked file (the report's main file), from what
/// the check already resolved: nothing is parsed or resolved again.
pub(super) fn digest_of_report(report: &crate::Report, syntax: &[Diagnostic]) -> Digest {
    let main = crate::span::FileId(0);
    let mut keys = Vec::new();
    let mut ends = Vec::new();
    let mut keyless = false;
    for stmt in &report.resolved.ruleset.statements {
        keyless |= crate::meaning::key_into(&*canonical(&stmt.kind), &mut keys).is_err();
        ends.push(keys.len());
    }
    let defs = &report.resolved.macro_definitions;
    Digest {
        keys,
        ends,
        keyless,
        macro_at: macro_at(defs, main),
        macros: macros(defs.clone()),
        syntax: syntax.to_vec(),
        comments: report
            .sources
            .get(main)
            .map_or_else(Vec::new, |f| comments(&f.text)),
    }
}

/// Where each definition starts in the file `id` (None elsewhere).
fn macro_at(defs: &[crate::resolve::MacroInfo], id: crate::span::FileId) -> Vec<Option<usize>> {
    defs.iter()
        .map(|m| m.span.filter(|s| s.file == id).map(|s| s.start()))
        .collect()
}

/// Each definition's name and value as the formatter may write it.
fn macros(defs: Vec<crate::resolve::MacroInfo>) -> Vec<(String, String)> {
    defs.into_iter()
        .map(|m| (m.name, canonical_value(m.value)))
        .collect()
}

/// The source statement (at any anchor depth) that starts at `start`.
fn find_statement(stmts: &[Statement], start: usize) -> Option<Span> {
    stmts.iter().find_map(|s| {
        if s.span.start() == start {
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
pub(super) fn resolved_only(name: &str, text: &str) -> (crate::resolve::Resolved, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    crate::resolve::resolve(
        &mut sources,
        id,
        &MemoryLoader::default(),
        &Options::default(),
    )
}

/// The errors among a resolution's `diags` that make the file `id`
/// unparseable: those the safety net refuses a file for.
pub(crate) fn syntax_errors_of(diags: &[Diagnostic], id: crate::span::FileId) -> Vec<Diagnostic> {
    diags
        .iter()
        .filter(|d| d.span.file == id && is_syntax_error(d))
        .cloned()
        .collect()
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
            .filter(|p| p.start <= d.span.start() && d.span.start() < p.end)
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
        let (line, col) = crate::span::SourceFile::new(name, after).line_col(d.span.start());
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
            .map(|m| (m.name.clone(), canonical_value(m.value.clone())))
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
        if crate::meaning::same(&*canonical(&x.kind), &*canonical(&y.kind)) {
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
pub(super) fn comments(text: &str) -> Vec<String> {
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
    let slice = |sp: Span| comment_text(text.get(sp.start()..sp.end()).unwrap_or(""));
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

/// A comment as the safety net compares it: what the formatter may change
/// (trailing blanks of each line, a final newline) left out.
fn comment_text(raw: &str) -> String {
    let lines: Vec<&str> = raw
        .split('\n')
        .map(|l| l.trim_end_matches(is_blank))
        .collect();
    lines.join("\n").trim_end_matches('\n').to_string()
}

/// A macro's value as the formatter may write it: a `{ }` list's blanks
/// made single spaces (see [`normal_list`]), any other value as it is.
fn canonical_value(v: String) -> String {
    normal_list(&v).unwrap_or(v)
}

/// A statement as the safety net compares it: a macro definition whose
/// value is a `{ }` list with its blanks made canonical; host lists inside
/// host lists (rules, tables) spliced into them, as pfctl's grammar does
/// (`host_list` of `ipspec`, `table_host_list` of `tablespec`): the
/// printer writes `{ $list }` as `$list`, which expands to the same hosts
/// without the extra braces.
fn canonical(k: &StatementKind) -> Cow<'_, StatementKind> {
    match k {
        StatementKind::Macro(m) => {
            if let [SValue {
                node: Value::Quoted(q),
                span,
            }] = m.value.as_slice()
            {
                if let Some(n) = normal_list(q).filter(|n| n.as_str() != q.as_str()) {
                    let mut m = m.clone();
                    m.value = vec![SValue::new(Value::Quoted(n.into()), *span)];
                    return Cow::Owned(StatementKind::Macro(m));
                }
            }
        }
        StatementKind::Rule(r) if nests(r) => {
            let mut r = r.clone();
            splice_rule(&mut r);
            return Cow::Owned(StatementKind::Rule(r));
        }
        StatementKind::Anchor(a) if nests(&a.filter) => {
            let mut a = a.clone();
            splice_rule(&mut a.filter);
            return Cow::Owned(StatementKind::Anchor(a));
        }
        StatementKind::Table(t)
            if t.opts.iter().any(|o| match &o.node {
                TableOpt::Addresses(es) => {
                    es.iter().any(|e| e.weight.is_none() && is_list(&e.host))
                }
                _ => false,
            }) =>
        {
            let mut t = t.clone();
            for o in &mut t.opts {
                if let TableOpt::Addresses(es) = &mut o.node {
                    let mut flat = Vec::with_capacity(es.len());
                    splice_entries(std::mem::take(es), &mut flat);
                    *es = flat;
                }
            }
            return Cow::Owned(StatementKind::Table(t));
        }
        _ => {}
    }
    Cow::Borrowed(k)
}

/// A host that is a list of hosts (not negated).
fn is_list(h: &Spanned<Host>) -> bool {
    !h.node.not && matches!(h.node.kind, HostKind::List(_))
}

/// True when a rule's `from` or `to` holds a list inside its list.
fn nests(r: &FilterRule) -> bool {
    [&r.hosts.from, &r.hosts.to]
        .into_iter()
        .flatten()
        .any(|e| e.hosts.iter().any(is_list))
}

fn splice_rule(r: &mut FilterRule) {
    for e in [&mut r.hosts.from, &mut r.hosts.to].into_iter().flatten() {
        let mut flat = Vec::with_capacity(e.hosts.len());
        splice_hosts(std::mem::take(&mut e.hosts), &mut flat);
        e.hosts = flat;
    }
}

fn splice_hosts(hosts: Vec<Spanned<Host>>, out: &mut Vec<Spanned<Host>>) {
    for h in hosts {
        if is_list(&h) {
            if let HostKind::List(inner) = h.node.kind {
                splice_hosts(inner, out);
            }
        } else {
            out.push(h);
        }
    }
}

fn splice_entries(entries: Vec<TableEntry>, out: &mut Vec<TableEntry>) {
    for e in entries {
        if e.weight.is_none() && is_list(&e.host) {
            if let HostKind::List(inner) = e.host.node.kind {
                let inner = inner
                    .into_iter()
                    .map(|host| TableEntry { host, weight: None })
                    .collect();
                splice_entries(inner, out);
            }
        } else {
            out.push(e);
        }
    }
}
