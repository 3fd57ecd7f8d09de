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
//! Safety net ([`format_checked`]): the output is parsed and resolved again
//! and must give the same resolved ruleset (spans and trivia aside) and
//! contain every comment of the input; otherwise nothing is returned but an
//! error naming the first statement that differs.

use crate::ast::*;
use crate::span::{SourceMap, Span};
use crate::{check_with, Diagnostic, MemoryLoader, Options};

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
    let (map, ast, diags) = crate::parse_str(name, text);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(FormatError::Invalid(diags));
    }
    Ok(format_ast(&ast, &map, opts))
}

/// Formats a parsed file (its source text must be in `map`).
pub fn format_ast(ast: &Ruleset, map: &SourceMap, opts: &FormatOptions) -> String {
    format_keeping(ast, map, opts, &[])
}

/// [`format_ast`], keeping the statements that start at `keep` as written.
fn format_keeping(ast: &Ruleset, map: &SourceMap, opts: &FormatOptions, keep: &[usize]) -> String {
    let mut out = String::new();
    ruleset(&mut out, ast, &Printer { map, opts, keep }, 0);
    while out.ends_with("\n\n") {
        out.pop();
    }
    if out.trim().is_empty() {
        return String::new();
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
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

/// Input size from which the input is checked on a second thread.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// How many statements the safety net may keep as written before it gives
/// up on the file.
const MAX_KEPT: usize = 16;

/// Formats, then verifies that the output resolves to the same ruleset and
/// keeps every comment. A statement whose canonical layout would change
/// the meaning is kept as written (and reported in [`Formatted::kept`]);
/// when that does not make the output safe, nothing is returned but
/// [`FormatError::Unsafe`].
pub fn format_safely(
    name: &str,
    text: &str,
    opts: &FormatOptions,
) -> Result<Formatted, FormatError> {
    // The input is checked (for the comparison) while it is parsed and
    // formatted: on two threads when the file is large.
    let check_input = || check_with(name, text, &MemoryLoader::default(), &Options::default());
    let parse_and_format = || {
        let (map, ast, diags) = crate::parse_str(name, text);
        let first = (!diags.iter().any(Diagnostic::is_error))
            .then(|| format_keeping(&ast, &map, opts, &[]));
        (map, ast, diags, first)
    };
    let ((map, ast, diags, mut first), report) = if text.len() >= PARALLEL_FROM_BYTES {
        std::thread::scope(|scope| {
            let checking = scope.spawn(check_input);
            let parsed = parse_and_format();
            let report = checking
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (parsed, report)
        })
    } else {
        (parse_and_format(), check_input())
    };
    if diags.iter().any(Diagnostic::is_error) {
        return Err(FormatError::Invalid(diags));
    }
    // Syntax errors that only show once macros are expanded make the input
    // invalid too (exit 1, not an internal error).
    let syntax: Vec<Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| is_syntax_error(d))
        .cloned()
        .collect();
    if !syntax.is_empty() {
        return Err(FormatError::Invalid(syntax));
    }
    // An already formatted file (what `fmt --check` sees most) is its own
    // output: nothing to compare.
    if first.as_deref() == Some(text) {
        return Ok(Formatted {
            text: text.to_string(),
            kept: Vec::new(),
        });
    }
    // The file being formatted is the first the report read.
    let main = crate::span::FileId(0);
    let mut keep: Vec<usize> = Vec::new();
    loop {
        let out = match first.take() {
            Some(out) => out,
            None => format_keeping(&ast, &map, opts, &keep),
        };
        // The input's report serves both the syntax test and the comparison.
        match compare(&report, name, text, &out) {
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
                if span.file == main
                    && keep.len() < MAX_KEPT
                    && !keep.contains(&span.start)
                    && find_statement(&ast.statements, span.start).is_some() =>
            {
                keep.push(span.start);
            }
            Err(Mismatch::Statement(_, msg) | Mismatch::Other(msg)) => {
                return Err(FormatError::Unsafe(msg))
            }
        }
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
    let a = check_with(name, before, &MemoryLoader::default(), &Options::default());
    compare(&a, name, before, after).map_err(|m| match m {
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
            "syntax" | "legacy" | "unterminated-string" | "too-deep"
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

/// [`verify`] with the input already checked (`a` is `before`'s report).
fn compare(a: &crate::Report, name: &str, before: &str, after: &str) -> Result<(), Mismatch> {
    // The output only needs resolving: what it means is compared with the
    // input's meaning, not checked again.
    let (b, diags) = resolved_only(name, after);
    // Output with syntax errors the input does not have is refused, even
    // when what did parse compares equal.
    let known = a.diagnostics.iter().filter(|d| is_syntax_error(d)).count();
    if let Some(d) = diags.iter().filter(|d| is_syntax_error(d)).nth(known) {
        let (line, col) = crate::span::SourceFile::new(name, after).line_col(d.span.start);
        return Err(Mismatch::Other(format!(
            "the output would not parse at {line}:{col}: {}",
            d.message
        )));
    }
    if let Some(r) = first_difference(&a.resolved.ruleset.statements, &b.ruleset.statements) {
        return Err(match r {
            Ok(span) => Mismatch::Statement(
                span,
                format!(
                    "statement at {} would change meaning",
                    a.sources.location(span)
                ),
            ),
            Err(()) => Mismatch::Other("the number of statements would change".into()),
        });
    }
    if a.resolved.macros.len() != b.macros.len()
        || a.resolved
            .macros
            .iter()
            .zip(&b.macros)
            .any(|(x, y)| x.name != y.name || x.value != y.value)
    {
        return Err(Mismatch::Other(
            "a macro definition would change".to_string(),
        ));
    }
    let ca = comments(before);
    let cb = comments(after);
    if ca != cb {
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
    let slice = |sp: Span| {
        text.get(sp.start..sp.end)
            .unwrap_or("")
            .trim_end()
            .to_string()
    };
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
}

fn ruleset(out: &mut String, rs: &Ruleset, p: &Printer, depth: usize) {
    let map = p.map;
    let pad = INDENT.repeat(depth);
    let mut first = out.is_empty() || out.ends_with("{\n");
    for s in &rs.statements {
        leading(out, &s.leading, map, &pad, first);
        statement(out, s, p, depth);
        first = false;
    }
    leading(out, &rs.trailing, map, &pad, first);
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
                out.push_str(map.slice(*span).trim_end());
                out.push('\n');
            }
        }
    }
    if blank && wrote {
        out.push('\n');
    }
}

fn statement(out: &mut String, s: &Statement, p: &Printer, depth: usize) {
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
        if block.is_some() || parses_alone(&buf) {
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
                out.push_str(line.trim());
            } else {
                out.push_str(line.trim_end());
            }
            out.push('\n');
        }
        out.pop();
    }
    if block.is_none() {
        if let Some(c) = s.trailing_comment {
            out.push(' ');
            out.push_str(map.slice(c).trim_end());
        }
    } else if let Some(c) = open_comment {
        out.push(' ');
        out.push_str(map.slice(c).trim_end());
    }
    out.push('\n');
    if let Some(body) = block {
        ruleset(out, body, p, depth + 1);
        out.push_str(&pad);
        out.push('}');
        if let Some(c) = s.trailing_comment {
            out.push(' ');
            out.push_str(map.slice(c).trim_end());
        }
        out.push('\n');
    }
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
            b'\\' if quote => escaped = true,
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
                    items.push(piece[item_start..i].trim().to_string());
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
                items.push(piece[item_start..i].trim().to_string());
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
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            o.push('\\');
        }
        // pfctl reads `\ ` and `\<tab>` as a blank: a backslash before one
        // is written twice (the first stays a backslash). A backslash before
        // a quote or at the end cannot be written; the safety net then keeps
        // the statement as written.
        if c == '\\' && matches!(chars.peek(), Some(' ' | '\t')) {
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
