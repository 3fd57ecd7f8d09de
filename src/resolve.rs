//! Resolution: what pfctl does between reading text and loading rules.
//!
//! * Macros are expanded as pfctl's lexer does: textually, outside quotes,
//!   in file order; a definition may use earlier macros; a value is its
//!   words joined by single spaces. The expanded statement is parsed again,
//!   and diagnostics map back to the `$ref`, with the definition as a label.
//!   `-D name=value` definitions win over definitions in the file.
//! * `include` and `load anchor ... from` files are read through a
//!   [`Loader`]; cycles, missing files and paths escaping `--root` are
//!   errors with the include chain as labels.
//! * `table ... file` files are streamed: entries are counted and checked,
//!   never kept as AST nodes. A missing table file is a warning (such files
//!   are often generated on the host).
//!
//! This file is the driver (`resolve`, `resolve_each`, `resolve_after`,
//! the `Resolver` walking statements); the rooms beside it:
//! `resolve/loader.rs` (`Loader`, `FsLoader`, `MemoryLoader`, reading
//! bytes), `resolve/resolved.rs` (`Resolved`, `Options` and what they
//! carry), `resolve/macros.rs` (definition and expansion),
//! `resolve/files.rs` (`include`, `load anchor`, `table ... file`).
//! Resolution imports the parser, never the reverse.

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::parser::{self, PosMap, Segment};
use crate::span::{FileId, SourceMap, Span};
use std::collections::HashMap;
use std::sync::Arc;

mod files;
mod loader;
mod macros;
mod resolved;

pub use files::table_file_words;
pub(crate) use loader::absolute;
pub use loader::{read_bytes_as_text, read_text, FsLoader, LoadError, Loader, MemoryLoader};
pub use resolved::{
    Included, LoadedAnchor, MacroInfo, MacroRedefinition, MacroUse, Options, Resolved, TableFile,
    UsedDefinition,
};

use crate::diag::edit_distance;

/// Most nested includes.
pub const MAX_INCLUDE_DEPTH: usize = 64;
/// Most files read in one run.
pub const MAX_FILES: usize = 10_000;
/// Largest file read (bytes).
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;
/// Macro-name comparisons spent on "did you mean" hints in one run.
const HINT_BUDGET: usize = 100_000;
/// Longest expanded statement (bytes).
pub const MAX_EXPANDED_LEN: usize = 1024 * 1024;

struct Resolver<'a> {
    map: &'a mut SourceMap,
    loader: &'a dyn Loader,
    diags: Vec<Diagnostic>,
    macros: Vec<MacroInfo>,
    /// Name to index in `macros`.
    macro_index: HashMap<String, usize>,
    macro_uses: Vec<MacroUse>,
    /// Per entry of `macros`: its current definition as every
    /// [`MacroUse`] of it shares it (None until the first use after a
    /// definition).
    use_texts: Vec<Option<Arc<UsedDefinition>>>,
    redefinitions: Vec<MacroRedefinition>,
    definitions: Vec<MacroInfo>,
    /// Comparisons spent on undefined-macro hints (bounded by HINT_BUDGET).
    hints: usize,
    table_files: Vec<TableFile>,
    loaded: Vec<LoadedAnchor>,
    includes: Vec<Included>,
    /// Include chain: (file, statement that included it).
    chain: Vec<(FileId, Span)>,
    files_read: usize,
    /// Inline anchors open around the file being read (its `include`
    /// inside anchor blocks): the splitter counts only the file's own.
    file_anchor_base: usize,
    /// The main file's statements as parsed ([`Options::keep_source`]).
    source: Option<Vec<Statement>>,
    /// What building them reported beyond the resolution's diagnostics.
    source_errors: Vec<Diagnostic>,
}

/// Where resolved statements go.
trait Out {
    fn push(&mut self, stmt: Statement);
}

impl Out for Vec<Statement> {
    fn push(&mut self, stmt: Statement) {
        Vec::push(self, stmt);
    }
}

/// Hands each top-level statement to a function, remembering the
/// `load anchor` statements (loaded once the file is read).
struct Each<'f> {
    each: &'f mut dyn FnMut(Statement),
    loads: Vec<(String, String, Span)>,
}

impl Out for Each<'_> {
    fn push(&mut self, stmt: Statement) {
        collect_loads(std::slice::from_ref(&stmt), "", &mut self.loads);
        (self.each)(stmt);
    }
}

/// Resolves the file `main` (already in `map`).
pub fn resolve(
    map: &mut SourceMap,
    main: FileId,
    loader: &dyn Loader,
    opts: &Options,
) -> (Resolved, Vec<Diagnostic>) {
    let mut statements = Vec::new();
    let (mut resolved, diags) = resolve_each(map, main, loader, opts, &mut |s| statements.push(s));
    resolved.ruleset.statements = statements;
    (resolved, diags)
}

/// [`resolve`], handing each resolved top-level statement (includes
/// inlined, anchor bodies inside their anchor) to `each` in order instead
/// of keeping it: the returned ruleset has no statements. For callers
/// that look at one statement at a time and need not hold them all.
pub fn resolve_each(
    map: &mut SourceMap,
    main: FileId,
    loader: &dyn Loader,
    opts: &Options,
    each: &mut dyn FnMut(Statement),
) -> (Resolved, Vec<Diagnostic>) {
    resolve_after(map, main, loader, opts, &[], each)
}

/// [`resolve_each`] for a file that continues another: the macros the
/// other defined (`seed`: name and value, in the order defined) are
/// defined first, as if by the file itself, and left out of the result's
/// definitions.
pub(crate) fn resolve_after(
    map: &mut SourceMap,
    main: FileId,
    loader: &dyn Loader,
    opts: &Options,
    seed: &[(String, String)],
    each: &mut dyn FnMut(Statement),
) -> (Resolved, Vec<Diagnostic>) {
    let mut r = Resolver {
        map,
        loader,
        diags: Vec::new(),
        macros: opts
            .defines
            .iter()
            .map(|(n, v)| MacroInfo {
                name: n.clone(),
                value: v.clone(),
                span: None,
                used: false,
            })
            .collect(),
        macro_index: HashMap::new(),
        macro_uses: Vec::new(),
        use_texts: Vec::new(),
        redefinitions: Vec::new(),
        definitions: Vec::new(),
        hints: 0,
        table_files: Vec::new(),
        loaded: Vec::new(),
        includes: Vec::new(),
        chain: Vec::new(),
        files_read: 1,
        file_anchor_base: 0,
        source: opts.keep_source.then(Vec::new),
        source_errors: Vec::new(),
    };
    r.reindex();
    for (name, value) in seed {
        r.define(name.clone(), value.clone(), Span::new(main, 0, 0));
    }
    r.definitions.clear();
    r.redefinitions.clear();
    let mut sink = Each {
        each,
        loads: Vec::new(),
    };
    let trailing = r.file(main, 0, 0, &mut sink);
    // pfctl_load_anchors: the loads in order, those of loaded files
    // appended to the queue as they are read.
    let mut queue: std::collections::VecDeque<(String, String, Span)> = sink.loads.into();
    while let Some((name, file, span)) = queue.pop_front() {
        queue.extend(r.load_anchor(&name, &file, span, main));
    }
    // Read in file order, the uses are sorted unless includes interleave
    // files (sorting allocates a buffer as large as the list).
    let key = |u: &MacroUse| (u.reference.file, u.reference.start());
    if !r.macro_uses.is_sorted_by_key(key) {
        r.macro_uses.sort_by_key(key);
    }
    r.macro_uses.shrink_to_fit();
    let source = r.source.take().map(|statements| Ruleset {
        statements,
        trailing: trailing.clone(),
    });
    let resolved = Resolved {
        ruleset: Ruleset {
            statements: Vec::new(),
            trailing,
        },
        loaded_anchors: r.loaded,
        macros: r.macros,
        table_files: r.table_files,
        macro_uses: r.macro_uses,
        macro_redefinitions: r.redefinitions,
        macro_definitions: r.definitions,
        includes: r.includes,
        source,
        source_errors: std::mem::take(&mut r.source_errors),
    };
    (resolved, r.diags)
}

/// The `load anchor` statements of a ruleset, inline anchor bodies
/// included, with the anchor path pfctl gives them: inside an anchor, the
/// name is taken under the anchor's path (parse.y 1.719 `loadrule`:
/// `"%s/%s", pf->anchor->path, name`).
fn collect_loads(stmts: &[Statement], anchor: &str, out: &mut Vec<(String, String, Span)>) {
    for s in stmts {
        match &s.kind {
            // pfctl refuses these names in the `anchorname` action
            // (parse.y 1.719), before `loadrule` records the load: the
            // checks report the name, and nothing is loaded.
            StatementKind::LoadAnchor(l)
                if l.name.node.text().is_empty()
                    || l.name.node.text().starts_with('_')
                    || l.name.node.text().contains("/_") => {}
            StatementKind::LoadAnchor(l) => {
                let file = l
                    .file
                    .iter()
                    .map(|v| v.node.text())
                    .collect::<Vec<_>>()
                    .join(" ");
                let name = l.name.node.text();
                let path = if anchor.is_empty() {
                    name.to_string()
                } else {
                    format!("{anchor}/{name}")
                };
                out.push((path, file, s.span));
            }
            StatementKind::Anchor(a) => {
                if let (Some(body), Some(n)) = (&a.body, &a.name) {
                    let path = if anchor.is_empty() {
                        n.node.text().to_string()
                    } else {
                        format!("{anchor}/{}", n.node.text())
                    };
                    collect_loads(&body.statements, &path, out);
                }
            }
            _ => {}
        }
    }
}

impl<'a> Resolver<'a> {
    fn reindex(&mut self) {
        self.macro_index = self
            .macros
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
    }

    fn file_name(&self, id: FileId) -> String {
        self.map.get(id).map(|f| f.name.clone()).unwrap_or_default()
    }

    /// Resolves one file's statements into `out`; returns its trailing trivia.
    /// `anchor_depth`: inline anchors open around the include, which count
    /// against the same limit (pfctl's anchor stack spans includes).
    fn file(
        &mut self,
        id: FileId,
        depth: usize,
        anchor_depth: usize,
        out: &mut dyn Out,
    ) -> Vec<Trivia> {
        // The text is lent out of the map while its statements are read
        // (nothing reads a file's text from the map during its own
        // resolution), rather than copied; it goes back at the end.
        let text = self.map.take_text(id);
        let base = std::mem::replace(&mut self.file_anchor_base, anchor_depth);
        let keep_source = depth == 0 && anchor_depth == 0 && self.source.is_some();
        // Statements are cut, built and resolved one at a time, so neither
        // the split nor the parsed form of the whole file is held beside
        // the resolved one. The splitter's diagnostics come first, as if it
        // had run before: they are put in at this position once it ends.
        let at = self.diags.len();
        let (trailing, split_diags) = crate::lexer::split_each(&text, id, &mut |raw| {
            let mut diags = Vec::new();
            let stmt = parser::build_for_resolve(&text, id, &raw, &mut diags);
            self.diags.extend(diags);
            if keep_source {
                let source = parser::build_source(&text, id, &raw, &stmt, &mut self.source_errors);
                self.source.get_or_insert_with(Vec::new).push(source);
            }
            self.statement(stmt, &text, depth, anchor_depth, out);
        });
        // Inside anchor blocks, the statement check below reaches the
        // limit on pfctl's anchor stack before the splitter (which counts
        // from this file's top) does, at this anchor or at one enclosing
        // it, and drops what is inside: the splitter's report would be a
        // second one.
        let split_diags = split_diags.into_iter().filter(|d| {
            anchor_depth == 0
                || !(d.code == "too-deep" && d.message.starts_with(crate::lexer::ANCHORS_TOO_DEEP))
        });
        self.diags.splice(at..at, split_diags);
        self.file_anchor_base = base;
        self.map.put_text(id, text);
        trailing
    }

    /// `anchor_depth` > 0 inside inline anchor blocks.
    fn statements(
        &mut self,
        stmts: Vec<Statement>,
        text: &str,
        depth: usize,
        anchor_depth: usize,
        out: &mut dyn Out,
    ) {
        for stmt in stmts {
            self.statement(stmt, text, depth, anchor_depth, out);
        }
    }

    fn statement(
        &mut self,
        mut stmt: Statement,
        text: &str,
        depth: usize,
        anchor_depth: usize,
        out: &mut dyn Out,
    ) {
        let header = match &stmt.kind {
            StatementKind::Anchor(a) if a.body.is_some() => {
                // The header is the statement text up to its `{`.
                let t = text.get(stmt.span.start()..stmt.span.end()).unwrap_or("");
                let end = find_block_open(t)
                    .map(|i| stmt.span.start() + i + 1)
                    .unwrap_or(stmt.span.end());
                Span::new(stmt.span.file, stmt.span.start(), end)
            }
            _ => stmt.span,
        };
        let stmt_text = text.get(header.start()..header.end()).unwrap_or("");
        // Re-parse with macros expanded where the text has any.
        if parser::has_macro(stmt_text) || matches!(stmt.kind, StatementKind::Unparsed) {
            if parser::has_macro(stmt_text) {
                match self.expand(stmt_text, header) {
                    Some((expanded, map)) => match parser::parse_statement(&expanded, &map) {
                        Ok(kind) => {
                            let body = match &mut stmt.kind {
                                StatementKind::Anchor(a) => a.body.take(),
                                _ => None,
                            };
                            stmt.kind = kind;
                            if let (StatementKind::Anchor(a), Some(b)) = (&mut stmt.kind, body) {
                                a.body = Some(b);
                            }
                        }
                        Err(d) => {
                            let mut d = self.label_macros(d, stmt_text, header);
                            // A legacy rule's rewrite keeps its `$macros`:
                            // it is made from the text as written.
                            if d.code == "legacy" && d.fix.is_none() {
                                d.fix = parser::legacy_fix(stmt_text, header).map(Box::new);
                            }
                            self.diags.push(d);
                            return;
                        }
                    },
                    None => return,
                }
            } else {
                // Unparsed without macros: the parser already reported it.
                return;
            }
        }
        if anchor_depth > 0 {
            let what = match &stmt.kind {
                StatementKind::Macro(_) => Some("macro definitions"),
                StatementKind::Option(_) => Some("`set` options"),
                StatementKind::Queue(_) => Some("queue definitions"),
                StatementKind::Antispoof(_) => Some("antispoof rules"),
                StatementKind::LoadAnchor(_) => Some("`load anchor`"),
                StatementKind::Limiter(_) => Some("limiter definitions"),
                _ => None,
            };
            if let Some(what) = what {
                self.diags.push(
                    Diagnostic::error(
                        "syntax",
                        stmt.span,
                        format!("syntax error: {what} are not allowed inside an anchor block"),
                    )
                    .with_help("move the statement to the main ruleset, before the anchor"),
                );
                return;
            }
        }
        match &mut stmt.kind {
            StatementKind::Macro(m) => {
                let name = m.name.node.clone();
                let value = m
                    .value
                    .iter()
                    .map(|v| v.node.text().to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                if name.chars().any(char::is_whitespace) {
                    self.diags.push(Diagnostic::error(
                        "syntax",
                        m.name.span,
                        "macro name cannot contain whitespace",
                    ));
                    return;
                }
                self.define(name, value, m.name.span);
            }
            StatementKind::Include(inc) => {
                let path = inc.path.node.text().to_string();
                let span = stmt.span;
                let at = self.includes.len();
                self.includes.push(Included {
                    span,
                    path: inc.path.span,
                    file: None,
                });
                let file = self.include(&path, span, depth, anchor_depth, out);
                if let Some(i) = self.includes.get_mut(at) {
                    i.file = file;
                }
            }
            StatementKind::Table(t) => {
                let name = t.name.node.text().to_string();
                for o in &t.opts {
                    if let TableOpt::File(f) = &o.node {
                        self.table_file(&name, f.node.text(), o.span);
                    }
                }
                out.push(stmt);
            }
            StatementKind::Anchor(a) => {
                // parse.y 1.719 `pfa_anchor`: `pf->asd++; if (pf->asd >=
                // PFCTL_ANCHOR_STACK_DEPTH) errx(1, "pfa_anchor: anchors
                // too deep")`; the stack spans included files. Counted
                // within this file alone the splitter has refused the
                // anchor already; what includes add is reported here.
                let limit = crate::lexer::MAX_INLINE_ANCHOR_DEPTH;
                if a.body.is_some() && anchor_depth + 1 > limit {
                    if anchor_depth - self.file_anchor_base < limit {
                        self.diags.push(
                            Diagnostic::error(
                                "too-deep",
                                header,
                                format!(
                                    "{}: more than {limit} inline anchors nested (across includes)",
                                    crate::lexer::ANCHORS_TOO_DEEP
                                ),
                            )
                            .with_help(format!(
                                "pfctl keeps the main ruleset and the open inline anchors on a stack of {}, through included files",
                                crate::lexer::MAX_ANCHOR_DEPTH
                            )),
                        );
                    }
                    return;
                }
                if let Some(body) = a.body.take() {
                    let mut inner = Vec::with_capacity(body.statements.len());
                    self.statements(body.statements, text, depth, anchor_depth + 1, &mut inner);
                    // Built once and kept: no spare capacity.
                    inner.shrink_to_fit();
                    a.body = Some(Ruleset {
                        statements: inner,
                        trailing: body.trailing,
                    });
                }
                out.push(stmt);
            }
            _ => out.push(stmt),
        }
    }
}

/// Position of the `{` that opens an inline anchor body: the first brace
/// outside quotes, comments and lists that ends its line (as the splitter
/// decided).
pub(crate) fn find_block_open(t: &str) -> Option<usize> {
    use std::ops::ControlFlow;
    let mut depth = 0usize;
    crate::lexer::scan_outside_quotes(t, |i, c| {
        match c {
            b'{' => {
                let rest = &t[i + 1..];
                let line = rest.split('\n').next().unwrap_or("");
                let line = line.split('#').next().unwrap_or("");
                // Blanks as the splitter counts them (a vertical tab is
                // not one).
                let blank = |c: char| matches!(c, ' ' | '\t' | '\r');
                if depth == 0 && line.trim_matches(blank).is_empty() {
                    return ControlFlow::Break(i);
                }
                depth += 1;
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        ControlFlow::Continue(())
    })
}

/// Characters that continue a pfctl word (letters, digits and the
/// punctuation pfctl allows inside strings).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._:-$%&*+;?@[]^`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::find_block_open;

    #[test]
    fn a_block_opens_where_the_splitter_says() {
        assert_eq!(find_block_open("anchor \"a\" { \t\r\n pass\n}"), Some(11));
        assert_eq!(find_block_open("anchor \"a\" { # c\n pass\n}"), Some(11));
        // A vertical tab is part of a word for pfctl, not a blank.
        assert_eq!(find_block_open("anchor \"a\" {\u{b}\n pass\n}"), None);
        assert_eq!(find_block_open("anchor \"{\" { a }"), None);
    }
}
