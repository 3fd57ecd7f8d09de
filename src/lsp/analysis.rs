//! One document resolved for navigation: its macros, tables, tags,
//! anchors and the files it reads, with where each is defined and used.
//!
//! An [`Analysis`] is [`crate::resolve::resolve`] of the document's
//! latest text with the same loader as its diagnostics (open files from
//! the editor, absolute paths under the workspace folder), without the
//! checks or lints. The server keeps the latest analysis of each document
//! it was asked about and builds a new one only when a document changed
//! (see `Server::analysis`): a burst of hovers costs one resolution.
//!
//! The [`Occurrence`]s are every place a name is written, each marked a
//! definition or a use: macros (`x = ...`, `$x`), tables (`table <t>`,
//! `<t>`), tags (`tag t`, `tagged t`), anchors (`load anchor a`, inline
//! `anchor a { }`, `anchor a`) and files (`include`, `load anchor ... from`,
//! `table ... file`), in every file the document reads. Definition,
//! references, rename and symbols are all filters over them.
//!
//! Invariants: spans are the resolver's, so a name that came from a
//! macro's expansion points at the `$macro` (its occurrence is not
//! `literal`, and rename refuses rather than rewrite the macro); a name is
//! a name across the files read (pf's anchors scope tables and macros,
//! but an editor's rename by name is what users expect; see README).

use super::documents::path_to_uri;
use super::position::{Encoding, LineIndex};
use super::workspace::{OpenFiles, WorkspaceLoader};
use crate::ast::*;
use crate::resolve::{self, Resolved};
use crate::{FileId, SourceMap, Span};
use lsp_types::{Location, Range, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Symbol {
    /// A macro.
    Macro,
    /// A table.
    Table,
    /// A tag.
    Tag,
    /// An anchor.
    Anchor,
    /// A file named by `include`, `load anchor ... from` or `table ... file`.
    File,
}

/// One place a name is written.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    /// What it names.
    pub(crate) symbol: Symbol,
    /// The name (without `$` or `<>`; a file's path as written).
    pub(crate) name: String,
    /// Where it is written (`$x` with its `$`, a table's name inside its
    /// brackets, a path with its quotes).
    pub(crate) span: Span,
    /// A definition, not a use.
    pub(crate) definition: bool,
    /// The name's own bytes when the source has it written out (not
    /// through a macro): what a rename replaces.
    pub(crate) literal: Option<Span>,
    /// A definition's whole statement (tables, anchors).
    pub(crate) statement: Option<Span>,
    /// The file it leads to (includes, anchors loaded from files, table
    /// files), when it could be found.
    pub(crate) target: Option<PathBuf>,
}

/// A document resolved, and what is known of its names.
pub(crate) struct Analysis {
    /// The document's version when analysed.
    pub(crate) version: i32,
    /// The server's generation of open texts when analysed (any change to
    /// any open document makes a new one).
    pub(crate) generation: u64,
    /// The files read: 0 is the document.
    pub(crate) sources: SourceMap,
    /// The resolved ruleset.
    pub(crate) resolved: Resolved,
    /// Each file's URI.
    uris: Vec<Option<Uri>>,
    /// The workspace folder (for table files' paths).
    root: Option<PathBuf>,
    occurrences: OnceLock<Vec<Occurrence>>,
}

/// The document itself in [`Analysis::sources`].
pub(crate) const MAIN: FileId = FileId(0);

impl Analysis {
    /// Resolves `text` (the document at `uri`, named `name`).
    pub(crate) fn build(
        uri: &Uri,
        name: &str,
        text: &str,
        version: i32,
        generation: u64,
        root: Option<PathBuf>,
        open: &OpenFiles,
    ) -> Analysis {
        let loader = WorkspaceLoader::new(root.clone(), open);
        let mut sources = SourceMap::new();
        let id = sources.add(name, text);
        let (resolved, _) = resolve::resolve(&mut sources, id, &loader, &crate::Options::default());
        let uris = sources
            .files()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == 0 {
                    return Some(uri.clone());
                }
                let path = PathBuf::from(&f.name);
                match open.get(&path) {
                    Some((u, _)) => Some(u.clone()),
                    None => path_to_uri(&path),
                }
            })
            .collect();
        Analysis {
            version,
            generation,
            sources,
            resolved,
            uris,
            root,
            occurrences: OnceLock::new(),
        }
    }

    /// The text of a file read.
    pub(crate) fn text(&self, file: FileId) -> &str {
        self.sources.get(file).map_or("", |f| f.text.as_str())
    }

    /// The document's text.
    pub(crate) fn main_text(&self) -> &str {
        self.text(MAIN)
    }

    /// The URI of a file read.
    pub(crate) fn uri(&self, file: FileId) -> Option<&Uri> {
        self.uris.get(file.0 as usize)?.as_ref()
    }

    /// The URI of a file by path: the open document's, else `file:`.
    pub(crate) fn uri_of_path(&self, path: &Path) -> Option<Uri> {
        let name = path.display().to_string();
        let known = self
            .sources
            .files()
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| self.uris.get(i).cloned().flatten());
        known.or_else(|| path_to_uri(path))
    }

    /// Every occurrence of a name, in every file read.
    pub(crate) fn occurrences(&self) -> &[Occurrence] {
        self.occurrences.get_or_init(|| self.collect())
    }

    /// The occurrence under `offset` in `file` (the document, [`MAIN`],
    /// or a fragment seen through its includer): one written there
    /// literally first (a table name written inside a macro's value
    /// points at the `$macro` too, where the macro is what is under the
    /// cursor).
    pub(crate) fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        let here = |o: &&Occurrence| {
            o.span.file == file && o.span.start() <= offset && offset <= o.span.end()
        };
        let all = self.occurrences();
        all.iter()
            .filter(here)
            .find(|o| o.literal.is_some())
            .or_else(|| all.iter().find(here))
    }

    /// Every occurrence of the same name as `o` (for a file: naming the
    /// same file, when it was found).
    pub(crate) fn same<'s>(&'s self, o: &'s Occurrence) -> impl Iterator<Item = &'s Occurrence> {
        self.occurrences().iter().filter(move |x| {
            x.symbol == o.symbol
                && match (&o.target, o.symbol) {
                    (Some(t), Symbol::File) => x.target.as_ref() == Some(t),
                    _ => x.name == o.name,
                }
        })
    }

    fn collect(&self) -> Vec<Occurrence> {
        let mut c = Collector {
            analysis: self,
            out: Vec::new(),
        };
        c.macros();
        c.includes();
        c.ruleset(&self.resolved.ruleset);
        for l in &self.resolved.loaded_anchors {
            c.ruleset(&l.ruleset);
        }
        c.tables();
        let mut out = c.out;
        out.sort_by_key(|o| (o.span.file, o.span.start(), o.span.end()));
        out
    }

    /// The file a path in `file` names, as the loader found it.
    fn locate(&self, path: &str, file: FileId) -> Option<PathBuf> {
        let from = self.sources.get(file)?.name.as_str();
        let full = crate::FsLoader {
            root: self.root.clone(),
        }
        .locate(path, from)
        .ok()?;
        Some(full)
    }

    /// The path of a file read.
    fn path(&self, file: FileId) -> Option<PathBuf> {
        let name = &self.sources.get(file)?.name;
        Some(PathBuf::from(name)).filter(|p| p.is_absolute())
    }
}

/// Builds the occurrences.
struct Collector<'a> {
    analysis: &'a Analysis,
    out: Vec<Occurrence>,
}

impl Collector<'_> {
    /// `span` when its text is `name` (or `name` quoted): the span of the
    /// name alone.
    fn literal(&self, span: Span, name: &str) -> Option<Span> {
        let written = self
            .analysis
            .text(span.file)
            .get(span.start()..span.end())?;
        if written == name {
            return Some(span);
        }
        let inner = written
            .strip_prefix('"')
            .and_then(|w| w.strip_suffix('"'))
            .or_else(|| {
                written
                    .strip_prefix('\'')
                    .and_then(|w| w.strip_suffix('\''))
            });
        (inner == Some(name)).then(|| Span::new(span.file, span.start() + 1, span.end() - 1))
    }

    fn push(
        &mut self,
        symbol: Symbol,
        name: &str,
        span: Span,
        definition: bool,
    ) -> &mut Occurrence {
        let literal = match symbol {
            Symbol::Macro if !definition => self
                .literal(span, &format!("${name}"))
                .map(|s| Span::new(s.file, s.start() + 1, s.end())),
            _ => self.literal(span, name),
        };
        self.out.push(Occurrence {
            symbol,
            name: name.to_string(),
            span,
            definition,
            literal,
            statement: None,
            target: None,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    fn macros(&mut self) {
        let a = self.analysis;
        let r = &a.resolved;
        for d in &r.macro_definitions {
            if let Some(span) = d.span {
                // Seeded definitions (none here) have empty spans.
                if !span.is_empty() {
                    self.push(Symbol::Macro, &d.name, span, true);
                }
            }
        }
        for u in &r.macro_uses {
            self.push(Symbol::Macro, &u.definition.name, u.reference, false);
        }
    }

    fn includes(&mut self) {
        let a = self.analysis;
        for inc in &a.resolved.includes {
            let written = a.text(inc.path.file).get(inc.path.start()..inc.path.end());
            let name = written
                .unwrap_or("")
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string();
            let target = inc.file.and_then(|f| a.path(f));
            let o = self.push(Symbol::File, &name, inc.path, false);
            o.statement = Some(inc.span);
            o.target = target;
        }
    }

    fn ruleset(&mut self, rs: &Ruleset) {
        for s in &rs.statements {
            match &s.kind {
                StatementKind::Table(t) => {
                    let name = t.name.node.text().to_string();
                    let o = self.push(Symbol::Table, &name, t.name.span, true);
                    o.statement = Some(s.span);
                    for opt in &t.opts {
                        if let TableOpt::File(f) = &opt.node {
                            let target = self.analysis.locate(f.node.text(), f.span.file);
                            let o = self.push(Symbol::File, f.node.text(), f.span, false);
                            o.target = target;
                        }
                    }
                }
                StatementKind::Rule(r) => self.rule(r),
                StatementKind::Anchor(a) => {
                    self.rule(&a.filter);
                    if let Some(n) = &a.name {
                        let name = n.node.text().to_string();
                        let o = self.push(Symbol::Anchor, &name, n.span, a.body.is_some());
                        o.statement = Some(s.span);
                    }
                    if let Some(b) = &a.body {
                        self.ruleset(b);
                    }
                }
                StatementKind::LoadAnchor(l) => {
                    let name = l.name.node.text().to_string();
                    let loaded = self
                        .analysis
                        .resolved
                        .loaded_anchors
                        .iter()
                        .find(|x| x.span == s.span)
                        .and_then(|x| self.analysis.path(x.file));
                    let o = self.push(Symbol::Anchor, &name, l.name.span, true);
                    o.statement = Some(s.span);
                    o.target = loaded.clone();
                    if let (Some(first), Some(last)) = (l.file.first(), l.file.last()) {
                        let path: Vec<&str> = l.file.iter().map(|v| v.node.text()).collect();
                        let o = self.push(
                            Symbol::File,
                            &path.join(" "),
                            first.span.to(last.span),
                            false,
                        );
                        o.target = loaded;
                    }
                }
                _ => {}
            }
        }
    }

    fn rule(&mut self, r: &FilterRule) {
        for o in &r.options {
            let (values, definition) = match &o.node {
                FilterOpt::Tag { value } => (value, true),
                FilterOpt::Tagged { value, .. } => (value, false),
                _ => continue,
            };
            let (Some(first), Some(last)) = (values.first(), values.last()) else {
                continue;
            };
            let name: Vec<&str> = values.iter().map(|v| v.node.text()).collect();
            self.push(
                Symbol::Tag,
                &name.join(" "),
                first.span.to(last.span),
                definition,
            );
        }
    }

    fn tables(&mut self) {
        let a = self.analysis;
        for (name, span) in crate::lint::tables::references(&a.resolved) {
            self.push(Symbol::Table, name, span, false);
        }
    }
}

/// Spans as LSP ranges and locations, indexing each file's lines once.
pub(crate) struct Ranges<'a> {
    analysis: &'a Analysis,
    lines: HashMap<FileId, LineIndex<'a>>,
    encoding: Encoding,
}

impl<'a> Ranges<'a> {
    /// Ranges in the files of `analysis`, columns in `encoding`.
    pub(crate) fn new(analysis: &'a Analysis, encoding: Encoding) -> Ranges<'a> {
        Ranges {
            analysis,
            lines: HashMap::new(),
            encoding,
        }
    }

    /// The range of a span in its file.
    pub(crate) fn range(&mut self, span: Span) -> Range {
        let a = self.analysis;
        let encoding = self.encoding;
        let index = self
            .lines
            .entry(span.file)
            .or_insert_with(|| LineIndex::new(a.text(span.file), encoding));
        Range::new(index.position(span.start()), index.position(span.end()))
    }

    /// The location of a span.
    pub(crate) fn location(&mut self, span: Span) -> Option<Location> {
        let uri = self.analysis.uri(span.file)?.clone();
        Some(Location::new(uri, self.range(span)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn analyse(text: &str) -> Analysis {
        let uri = Uri::from_str("file:///nonexistent-root/pf.conf").unwrap();
        Analysis::build(
            &uri,
            "/nonexistent-root/pf.conf",
            text,
            1,
            0,
            None,
            &OpenFiles::new(),
        )
    }

    #[test]
    fn every_name_is_an_occurrence_marked_definition_or_use() {
        let text = "ext = \"em0\"\ntable <t> persist\nt2 = \"<t>\"\npass on $ext from <t> tag a\npass from $t2 tagged a\nanchor \"x\" {\n  pass\n}\nanchor x\n";
        let a = analyse(text);
        let seen: Vec<(Symbol, &str, bool, bool, &str)> = a
            .occurrences()
            .iter()
            .map(|o| {
                let written = &text[o.span.start()..o.span.end()];
                (
                    o.symbol,
                    o.name.as_str(),
                    o.definition,
                    o.literal.is_some(),
                    written,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (Symbol::Macro, "ext", true, true, "ext"),
                (Symbol::Table, "t", true, true, "t"),
                (Symbol::Macro, "t2", true, true, "t2"),
                (Symbol::Macro, "ext", false, true, "$ext"),
                (Symbol::Table, "t", false, true, "t"),
                (Symbol::Tag, "a", true, true, "a"),
                (Symbol::Macro, "t2", false, true, "$t2"),
                // The table named in `t2`'s value points at `$t2`.
                (Symbol::Table, "t", false, false, "$t2"),
                (Symbol::Tag, "a", false, true, "a"),
                (Symbol::Anchor, "x", true, true, "\"x\""),
                (Symbol::Anchor, "x", false, true, "x"),
            ]
        );
        // Under the cursor: the literal name first.
        let at = text.find("$t2 tagged").unwrap() + 1;
        assert_eq!(a.at(MAIN, at).unwrap().symbol, Symbol::Macro);
    }

    #[test]
    fn any_text_analyses_and_every_offset_answers() {
        for text in [
            "",
            "pass on $nope\n",
            "x = \"$x\"\ninclude \"$x\"\nload anchor \"\" from \"\"\ntable <> file \"\"\n",
            "anchor \"a\" {\n  table <t> { 10/8 }\n  pass from <t> tag \"\"\n}\n",
        ] {
            let a = analyse(text);
            let mut ranges = Ranges::new(&a, Encoding::Utf16);
            for o in a.occurrences() {
                let _ = ranges.location(o.span);
            }
            for offset in 0..=text.len() {
                if let Some(o) = a.at(MAIN, offset) {
                    assert!(a.same(o).count() >= 1);
                }
            }
        }
    }
}
