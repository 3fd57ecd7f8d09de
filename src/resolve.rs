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

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::parser::{self, PosMap, Segment};
use crate::span::{FileId, SourceMap, Span};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

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

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// No such file.
    NotFound(String),
    /// The path leaves the `--root` directory.
    EscapesRoot(String),
    /// Not UTF-8: byte offset of the first bad byte. [`read_text`] no
    /// longer gives it (it carries such bytes); a [`Loader`] may.
    InvalidUtf8(String, usize),
    /// Any other I/O problem.
    Io(String, String),
}

impl LoadError {
    /// The path that could not be read.
    pub fn path(&self) -> &str {
        match self {
            LoadError::NotFound(p)
            | LoadError::EscapesRoot(p)
            | LoadError::InvalidUtf8(p, _)
            | LoadError::Io(p, _) => p,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotFound(p) => write!(f, "{p}: No such file or directory"),
            LoadError::EscapesRoot(p) => write!(f, "{p}: path escapes the root directory"),
            LoadError::InvalidUtf8(p, off) => write!(f, "{p}: invalid UTF-8 at byte {off}"),
            LoadError::Io(p, e) => write!(f, "{p}: {e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads the files a ruleset names.
pub trait Loader {
    /// Reads `path` as written in a statement of the file `from` (the name
    /// the loader itself returned for it earlier, or the main file's name).
    /// Returns the name to display for the file and its text.
    fn load(&self, path: &str, from: &str) -> Result<(String, String), LoadError>;
}

/// Files held in memory, by exact path (for tests and embedders).
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    /// Path to contents.
    pub files: HashMap<String, String>,
}

impl MemoryLoader {
    /// Adds a file.
    pub fn with(mut self, path: &str, text: &str) -> Self {
        self.files.insert(path.to_string(), text.to_string());
        self
    }
}

impl Loader for MemoryLoader {
    fn load(&self, path: &str, _from: &str) -> Result<(String, String), LoadError> {
        self.files
            .get(path)
            .map(|t| (path.to_string(), t.clone()))
            .ok_or_else(|| LoadError::NotFound(path.to_string()))
    }
}

/// Reads files from disk. Relative paths are taken from the including
/// file's directory; absolute paths are taken under `root` when one is set.
#[derive(Debug, Clone, Default)]
pub struct FsLoader {
    /// `--root DIR`: absolute paths resolve inside it and may not leave it.
    pub root: Option<PathBuf>,
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// `p` made absolute against the working directory, without `.`/`..`.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        normalize(p)
    } else {
        let cwd = std::env::current_dir().unwrap_or_default();
        normalize(&cwd.join(p))
    }
}

impl FsLoader {
    /// The file `path` names when written in the file `from`: relative to
    /// `from`'s directory, absolute ones under the root; an error when it
    /// would leave the root.
    pub fn locate(&self, path: &str, from: &str) -> Result<PathBuf, LoadError> {
        let p = Path::new(path);
        let root = self.root.as_deref().map(absolute);
        // A file inside the root is named as the node sees it
        // (`/etc/pf.conf`, see `load`): its directory is under the root.
        let from_path = match &root {
            Some(r) if from.starts_with('/') => {
                let inside = r.join(from.trim_start_matches('/'));
                if inside.is_file() {
                    inside
                } else {
                    PathBuf::from(from)
                }
            }
            _ => PathBuf::from(from),
        };
        let base = from_path.parent().unwrap_or(Path::new(""));
        let full = if p.is_absolute() {
            match &root {
                Some(root) => root.join(p.strip_prefix("/").unwrap_or(p)),
                None => p.to_path_buf(),
            }
        } else {
            base.join(p)
        };
        let full = absolute(&full);
        // Absolute paths, and relative paths written in a file inside the
        // root, must stay inside the root.
        if let Some(root) = &root {
            let from_inside = absolute(base).starts_with(root);
            if (p.is_absolute() || from_inside) && !full.starts_with(root) {
                return Err(LoadError::EscapesRoot(path.to_string()));
            }
        }
        Ok(full)
    }
}

/// Reads a file as text, bounded in size; bytes that are not UTF-8 are
/// carried as [`crate::encoding`] says (pfctl reads bytes).
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    read_bytes_as_text(path).map(|(text, _)| text)
}

/// [`read_text`], and whether the file held bytes that are not UTF-8
/// (then [`crate::encoding::encode`] writes them back).
pub fn read_bytes_as_text(path: &Path) -> Result<(String, bool), LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound(name.clone()),
        _ => LoadError::Io(name.clone(), e.to_string()),
    })?;
    if meta.len() > MAX_FILE_SIZE {
        return Err(LoadError::Io(
            name,
            format!("file larger than {} MiB", MAX_FILE_SIZE / (1024 * 1024)),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io(name.clone(), e.to_string()))?;
    Ok(crate::encoding::decode(bytes))
}

impl FsLoader {
    /// A file's name as the ruleset sees it: under `root`, the path from
    /// the root (`/etc/pf/lan.conf`), never the host path; otherwise the
    /// path from the working directory when the file lies below it.
    pub fn shown(&self, full: &Path) -> String {
        if let Some(root) = self.root.as_deref().map(absolute) {
            if let Ok(rel) = absolute(full).strip_prefix(&root) {
                return format!("/{}", rel.display());
            }
        }
        // Below the working directory, the path from there (what a
        // terminal or an editor opens); elsewhere, the full path.
        let cwd = absolute(Path::new("."));
        match absolute(full).strip_prefix(&cwd) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
            _ => full.display().to_string(),
        }
    }
}

impl Loader for FsLoader {
    fn load(&self, path: &str, from: &str) -> Result<(String, String), LoadError> {
        let full = self.locate(path, from)?;
        let text = read_text(&full)?;
        Ok((self.shown(&full), text))
    }
}

/// Resolution settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-D name=value` definitions; they win over the file's.
    pub defines: Vec<(String, String)>,
    /// Keep the main file's source AST (statements as written, with their
    /// trivia) in [`Resolved::source`], for a caller that formats the file
    /// after checking it ([`crate::Report::format`]) without parsing it
    /// again. Off by default: it costs the memory of a second AST.
    pub keep_source: bool,
}

/// A macro definition seen during resolution.
#[derive(Debug, Clone, Serialize)]
pub struct MacroInfo {
    /// Name.
    pub name: String,
    /// Expanded value.
    pub value: String,
    /// The definition (None for `-D`).
    pub span: Option<Span>,
    /// Referenced at least once.
    pub used: bool,
}

/// What was learnt of a `table ... file`.
#[derive(Debug, Clone, Serialize)]
pub struct TableFile {
    /// Table name.
    pub table: String,
    /// Path as written.
    pub path: String,
    /// The `file "..."` option.
    pub span: Span,
    /// Entries read (0 when missing).
    pub entries: usize,
    /// Whether the file could be read.
    pub found: bool,
    /// The addresses read, with their `!` (for the evaluator); None when
    /// the file holds host names, which only the host can resolve.
    #[serde(skip)]
    pub addresses: Option<Vec<(bool, ipnet::IpNet)>>,
}

/// An anchor loaded with `load anchor NAME from FILE`.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedAnchor {
    /// Anchor path.
    pub name: String,
    /// The statement.
    pub span: Span,
    /// The file read.
    pub file: FileId,
    /// Its resolved rules.
    pub ruleset: Ruleset,
}

/// An `include` statement and the file it read.
#[derive(Debug, Clone, Serialize)]
pub struct Included {
    /// The statement.
    pub span: Span,
    /// The path as written (after macro expansion: the `$macro` when one
    /// gives it).
    pub path: Span,
    /// The file read; None when it could not be (missing, a cycle, a
    /// limit).
    pub file: Option<FileId>,
}

impl Resolved {
    /// Every pass/block/match rule with its statement's span: the main
    /// ruleset, inline anchor bodies and anchors loaded from files (`load
    /// anchor ... from`).
    ///
    /// ```
    /// let report = pfconf::check_str("pf.conf", "block all\nanchor \"web\" {\n  pass in proto tcp to port 443\n}\n");
    /// assert_eq!(report.resolved.every_rule().len(), 2);
    /// ```
    pub fn every_rule(&self) -> Vec<(&FilterRule, Span)> {
        fn walk<'r>(rs: &'r Ruleset, out: &mut Vec<(&'r FilterRule, Span)>) {
            for s in &rs.statements {
                match &s.kind {
                    StatementKind::Rule(r) => out.push((r, s.span)),
                    StatementKind::Anchor(a) => {
                        if let Some(b) = &a.body {
                            walk(b, out);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.ruleset, &mut out);
        for l in &self.loaded_anchors {
            walk(&l.ruleset, &mut out);
        }
        out
    }

    /// The rules loaded for the anchor at `path` (`one/two` for an
    /// `anchor "two"` inside anchor `one`), if a `load anchor` read them.
    pub fn loaded(&self, path: &str) -> Option<&Ruleset> {
        if let Some(l) = self.loaded_anchors.iter().find(|l| l.name == path) {
            return Some(&l.ruleset);
        }
        // `anchor "block/default"` with `load anchor "block" from FILE`:
        // the rules of the inline anchor `default` inside the loaded file.
        let (prefix, rest) = self
            .loaded_anchors
            .iter()
            .filter_map(|l| {
                path.strip_prefix(l.name.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .map(|r| (l, r))
            })
            .max_by_key(|(l, _)| l.name.len())?;
        let mut rs = &prefix.ruleset;
        for part in rest.split('/') {
            rs = rs.statements.iter().find_map(|s| match &s.kind {
                StatementKind::Anchor(a)
                    if a.name.as_ref().is_some_and(|n| n.node.text() == part) =>
                {
                    a.body.as_ref()
                }
                _ => None,
            })?;
        }
        Some(rs)
    }
}

/// A ruleset after resolution.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Resolved {
    /// The main ruleset: includes inlined, macros expanded, macro
    /// definitions removed (see `macros`).
    pub ruleset: Ruleset,
    /// Anchors loaded from files.
    pub loaded_anchors: Vec<LoadedAnchor>,
    /// Every macro definition.
    pub macros: Vec<MacroInfo>,
    /// Every table file.
    pub table_files: Vec<TableFile>,
    /// Every expanded `$ref`, in the order met (for diagnostics that point
    /// at a reference and want the definition as a second label).
    pub macro_uses: Vec<MacroUse>,
    /// Macros defined again after a first definition.
    pub macro_redefinitions: Vec<MacroRedefinition>,
    /// Every definition in the order read, with the value it had then
    /// (`macros` keeps only the last value of each name).
    pub macro_definitions: Vec<MacroInfo>,
    /// Every `include` statement met, in the order read (for editors:
    /// which statement read which file).
    pub includes: Vec<Included>,
    /// The main file as parsed, before resolution: its statements as
    /// written (macros unexpanded, includes not inlined) with their
    /// trivia, as the formatter reads them. Only with
    /// [`Options::keep_source`].
    pub source: Option<Ruleset>,
    /// Errors of [`Resolved::source`] the resolution does not report: a
    /// statement with macros is parsed as written only for the source
    /// form (the formatter refuses a file with such an error).
    pub(crate) source_errors: Vec<Diagnostic>,
}

/// A macro defined a second time (the later value wins from there on).
#[derive(Debug, Clone, Serialize)]
pub struct MacroRedefinition {
    /// Name.
    pub name: String,
    /// The earlier definition.
    pub first: Span,
    /// The later one.
    pub again: Span,
    /// Whether the earlier value was used before being replaced.
    pub first_used: bool,
}

/// One expanded `$name` reference.
#[derive(Debug, Clone, Serialize)]
pub struct MacroUse {
    /// The `$name` in the source.
    pub reference: Span,
    /// Macro name.
    pub name: String,
    /// Its definition (None for `-D`).
    pub definition: Option<Span>,
    /// Its value when used (cut to 80 characters).
    pub value: String,
}

impl Resolved {
    /// The macro reference whose `$name` covers `span`, if any.
    pub fn macro_use_at(&self, span: Span) -> Option<&MacroUse> {
        // Sorted by position (see `resolve`): the candidate is the last
        // reference starting at or before the span.
        let i = self
            .macro_uses
            .partition_point(|u| (u.reference.file, u.reference.start) <= (span.file, span.start));
        let u = self.macro_uses.get(i.checked_sub(1)?)?;
        (u.reference.file == span.file && span.end <= u.reference.end).then_some(u)
    }
}

struct Resolver<'a> {
    map: &'a mut SourceMap,
    loader: &'a dyn Loader,
    diags: Vec<Diagnostic>,
    macros: Vec<MacroInfo>,
    /// Name to index in `macros`.
    macro_index: HashMap<String, usize>,
    macro_uses: Vec<MacroUse>,
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
    r.macro_uses
        .sort_by_key(|u| (u.reference.file, u.reference.start));
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
        let text = self.map.get(id).map(|f| f.text.clone()).unwrap_or_default();
        // Statements are built one at a time and resolved at once, so the
        // parsed form of the whole file is never held beside the resolved one.
        let split = crate::lexer::split(&text, id);
        // Inside anchor blocks, the statement check below reaches the
        // limit on pfctl's anchor stack before the splitter (which counts
        // from this file's top) does, at this anchor or at one enclosing
        // it, and drops what is inside: the splitter's report would be a
        // second one.
        self.diags.extend(split.diags.into_iter().filter(|d| {
            anchor_depth == 0
                || !(d.code == "too-deep" && d.message.starts_with(crate::lexer::ANCHORS_TOO_DEEP))
        }));
        let base = std::mem::replace(&mut self.file_anchor_base, anchor_depth);
        let keep_source = depth == 0 && anchor_depth == 0 && self.source.is_some();
        for raw in &split.stmts {
            let mut diags = Vec::new();
            let stmt = parser::build_for_resolve(&text, id, raw, &mut diags);
            self.diags.extend(diags);
            if keep_source {
                let source = parser::build_source(&text, id, raw, &stmt, &mut self.source_errors);
                self.source.get_or_insert_with(Vec::new).push(source);
            }
            self.statement(stmt, &text, depth, anchor_depth, out);
        }
        self.file_anchor_base = base;
        split.trailing
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
                let t = text.get(stmt.span.start..stmt.span.end).unwrap_or("");
                let end = find_block_open(t)
                    .map(|i| stmt.span.start + i + 1)
                    .unwrap_or(stmt.span.end);
                Span::new(stmt.span.file, stmt.span.start, end)
            }
            _ => stmt.span,
        };
        let stmt_text = text.get(header.start..header.end).unwrap_or("");
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
                    let mut inner = Vec::new();
                    self.statements(body.statements, text, depth, anchor_depth + 1, &mut inner);
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

    fn define(&mut self, name: String, value: String, span: Span) {
        self.definitions.push(MacroInfo {
            name: name.clone(),
            value: value.clone(),
            span: Some(span),
            used: false,
        });
        if let Some(m) = self
            .macro_index
            .get(&name)
            .and_then(|&i| self.macros.get_mut(i))
        {
            if m.span.is_none() {
                // `-D` wins, as pfctl's persistent symbols do.
                return;
            }
            if let Some(first) = m.span {
                self.redefinitions.push(MacroRedefinition {
                    name: name.clone(),
                    first,
                    again: span,
                    first_used: m.used,
                });
            }
            m.value = value;
            m.span = Some(span);
            m.used = false;
            return;
        }
        self.macro_index.insert(name.clone(), self.macros.len());
        self.macros.push(MacroInfo {
            name,
            value,
            span: Some(span),
            used: false,
        });
    }

    /// Expands macros in `text` (which sits at `span`). None when a macro
    /// is undefined (reported).
    fn expand(&mut self, text: &str, span: Span) -> Option<(String, PosMap)> {
        let mut out = String::with_capacity(text.len());
        let mut segs: Vec<Segment> = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut lit_start = 0;
        let mut quote: Option<u8> = None;
        let mut comment = false;
        let mut ok = true;
        let push_lit = |out: &mut String, segs: &mut Vec<Segment>, from: usize, to: usize| {
            if to > from {
                let ts = out.len();
                out.push_str(&text[from..to]);
                segs.push(Segment {
                    text_start: ts,
                    span: Span::new(span.file, span.start + from, span.start + to),
                    literal: true,
                });
            }
        };
        while i < bytes.len() {
            let c = bytes[i];
            if comment {
                if c == b'\n' {
                    comment = false;
                }
                i += 1;
                continue;
            }
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(q), b'\\') if bytes.get(i + 1) == Some(&q) => i += 1,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(c),
                (None, b'#') => comment = true,
                // Like pfctl's lexer, only a `$` that starts a token
                // expands; inside a word (`e$b`) it is a plain character.
                (None, b'$') if i == 0 || !is_word_byte(bytes[i - 1]) => {
                    let name_start = i + 1;
                    let mut j = name_start;
                    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_')
                    {
                        j += 1;
                    }
                    let name = &text[name_start..j];
                    let ref_span = Span::new(span.file, span.start + i, span.start + j);
                    push_lit(&mut out, &mut segs, lit_start, i);
                    let found = self.macro_index.get(name).copied();
                    match found.and_then(|i| self.macros.get_mut(i)) {
                        Some(m) => {
                            m.used = true;
                            let ts = out.len();
                            out.push_str(&m.value);
                            let mut value: String = m.value.chars().take(80).collect();
                            if value.len() < m.value.len() {
                                value.push_str("...");
                            }
                            self.macro_uses.push(MacroUse {
                                reference: ref_span,
                                name: m.name.clone(),
                                definition: m.span,
                                value,
                            });
                            segs.push(Segment {
                                text_start: ts,
                                span: ref_span,
                                literal: false,
                            });
                        }
                        None => {
                            let mut d = Diagnostic::error(
                                "undefined-macro",
                                ref_span,
                                format!("macro '{name}' not defined"),
                            );
                            // Hints compare the name with the defined
                            // macros; the total work is bounded so that a
                            // file of many undefined references stays linear.
                            let budget = HINT_BUDGET.saturating_sub(self.hints);
                            let candidates = self.macros.len().min(budget);
                            self.hints += candidates;
                            let close = self.macros[..candidates]
                                .iter()
                                .filter(|m| edit_distance(&m.name, name) <= 2)
                                .map(|m| m.name.clone())
                                .next();
                            d = match close {
                                Some(c) => d.with_help(format!("did you mean `${c}`?")),
                                None => d.with_help(format!(
                                    "define it before this line (`{name} = \"...\"`) or pass `-D {name}=...`"
                                )),
                            };
                            self.diags.push(d);
                            ok = false;
                        }
                    }
                    lit_start = j;
                    i = j;
                    if out.len() > MAX_EXPANDED_LEN {
                        self.diags.push(Diagnostic::error(
                            "too-long",
                            span,
                            format!("statement longer than {MAX_EXPANDED_LEN} bytes after macro expansion"),
                        ));
                        return None;
                    }
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        push_lit(&mut out, &mut segs, lit_start, bytes.len());
        if !ok {
            return None;
        }
        Some((out, PosMap::Segments(segs)))
    }

    /// Adds "expands to" labels for the macros used in a failing statement.
    fn label_macros(&self, mut d: Diagnostic, text: &str, span: Span) -> Diagnostic {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let ref_span = Span::new(span.file, span.start + i, span.start + j);
                if ref_span.start <= d.span.start && d.span.end <= ref_span.end.max(d.span.start) {
                    let m = self
                        .macro_index
                        .get(&text[i + 1..j])
                        .and_then(|&k| self.macros.get(k));
                    if let Some(m) = m {
                        if let Some(def) = m.span {
                            d = d.with_label(
                                def,
                                format!("`${}` is defined as \"{}\"", m.name, m.value),
                            );
                        }
                    }
                }
                i = j;
            } else {
                i += 1;
            }
        }
        d
    }

    fn chain_labels(&self, mut d: Diagnostic) -> Diagnostic {
        for (_, span) in self.chain.iter().rev() {
            d = d.with_label(*span, "included from here");
        }
        d
    }

    fn include(
        &mut self,
        path: &str,
        span: Span,
        depth: usize,
        anchor_depth: usize,
        out: &mut dyn Out,
    ) -> Option<FileId> {
        let from = self.file_name(span.file);
        if depth + 1 > MAX_INCLUDE_DEPTH || self.files_read >= MAX_FILES {
            let d = Diagnostic::error(
                "include-limit",
                span,
                format!("includes nested more than {MAX_INCLUDE_DEPTH} deep or more than {MAX_FILES} files"),
            );
            let d = self.chain_labels(d);
            self.diags.push(d);
            return None;
        }
        match self.loader.load(path, &from) {
            Ok((name, text)) => {
                if name == from || self.chain.iter().any(|(f, _)| self.file_name(*f) == name) {
                    let d = Diagnostic::error(
                        "include-cycle",
                        span,
                        format!("include cycle: {name} includes itself"),
                    )
                    .with_help("remove one of the include statements");
                    let d = self.chain_labels(d);
                    self.diags.push(d);
                    return None;
                }
                self.files_read += 1;
                let id = self.map.add(name, text);
                self.chain.push((span.file, span));
                let _trailing = self.file(id, depth + 1, anchor_depth, out);
                self.chain.pop();
                Some(id)
            }
            Err(e) => {
                let d = Diagnostic::error(
                    "include-missing",
                    span,
                    format!("failed to include file {path}"),
                )
                .with_help(e.to_string());
                let d = self.chain_labels(d);
                self.diags.push(d);
                None
            }
        }
    }

    /// Loads an anchor's file; returns the `load anchor` statements in it
    /// (their names under this anchor's path), to be loaded after it.
    fn load_anchor(
        &mut self,
        name: &str,
        path: &str,
        span: Span,
        _main: FileId,
    ) -> Vec<(String, String, Span)> {
        if name.split('/').count() > crate::lexer::MAX_ANCHOR_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    "anchor-too-deep",
                    span,
                    format!(
                        "anchor {name} is nested more than {} deep",
                        crate::lexer::MAX_ANCHOR_DEPTH
                    ),
                )
                .with_help("a file that loads itself as a sub-anchor nests without end"),
            );
            return Vec::new();
        }
        let from = self.file_name(span.file);
        match self.loader.load(path, &from) {
            Ok((fname, text)) => {
                if self.files_read >= MAX_FILES {
                    return Vec::new();
                }
                self.files_read += 1;
                let id = self.map.add(fname, text);
                // pfctl parses each loaded anchor with a fresh symbol table;
                // only -D definitions survive.
                let saved = std::mem::take(&mut self.macros);
                self.macros = saved.iter().filter(|m| m.span.is_none()).cloned().collect();
                self.reindex();
                let mut statements = Vec::new();
                let trailing = self.file(id, 1, 0, &mut statements);
                let mine = std::mem::replace(&mut self.macros, saved);
                self.macros
                    .extend(mine.into_iter().filter(|m| m.span.is_some()));
                let mut nested = Vec::new();
                collect_loads(&statements, name, &mut nested);
                self.loaded.push(LoadedAnchor {
                    name: name.to_string(),
                    span,
                    file: id,
                    ruleset: Ruleset {
                        statements,
                        trailing,
                    },
                });
                nested
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "anchor-missing",
                        span,
                        format!("cannot load anchor {name} from {path}"),
                    )
                    .with_help(e.to_string()),
                );
                Vec::new()
            }
        }
    }

    fn table_file(&mut self, table: &str, path: &str, span: Span) {
        let from = self.file_name(span.file);
        match self.loader.load(path, &from) {
            Ok((_, text)) => {
                let mut entries = 0usize;
                let mut addresses = Some(Vec::new());
                for (lineno, line) in text.lines().enumerate() {
                    for word in table_line_words(line) {
                        entries += 1;
                        match (table_file_net(word), &mut addresses) {
                            (Some(n), Some(v)) => v.push(n),
                            _ => addresses = None,
                        }
                        if let Err(msg) = crate::values::table_file_entry(word) {
                            self.diags.push(
                                Diagnostic::error(
                                    "table-file-bad-data",
                                    span,
                                    format!("file \"{path}\" contains bad data: line {}: {msg}", lineno + 1),
                                )
                                .with_help("each entry is an address, a prefix or a host name, optionally with `!`"),
                            );
                            return;
                        }
                    }
                }
                self.table_files.push(TableFile {
                    table: table.to_string(),
                    path: path.to_string(),
                    span,
                    entries,
                    found: true,
                    addresses,
                });
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::warning(
                        "table-file-missing",
                        span,
                        format!("cannot load \"{path}\": table <{table}> is checked as empty"),
                    )
                    .with_help(format!(
                        "{e}; table files are often generated on the host at run time"
                    )),
                );
                self.table_files.push(TableFile {
                    table: table.to_string(),
                    path: path.to_string(),
                    span,
                    entries: 0,
                    found: false,
                    addresses: None,
                });
            }
        }
    }
}

/// The entries of a table file as pfctl reads them (pfr_buf_load):
/// words separated by blanks and newlines, `#` to the end of a line a
/// comment.
pub fn table_file_words(text: &str) -> impl Iterator<Item = &str> {
    text.lines().flat_map(table_line_words)
}

/// The entries on one line of a table file (before a `#`).
fn table_line_words(line: &str) -> std::str::SplitWhitespace<'_> {
    line.split('#').next().unwrap_or("").split_whitespace()
}

/// Characters that continue a pfctl word (letters, digits and the
/// punctuation pfctl allows inside strings).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._:-$%&*+;?@[]^`|~".contains(&b)
}

/// A table file entry as a prefix (with its `!`), None for a host name.
fn table_file_net(word: &str) -> Option<(bool, ipnet::IpNet)> {
    let (neg, w) = match word.strip_prefix('!') {
        Some(w) => (true, w),
        None => (false, word),
    };
    let (addr, mask) = match w.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (w, None),
    };
    crate::values::addr_net(addr, mask).map(|n| (neg, n))
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
