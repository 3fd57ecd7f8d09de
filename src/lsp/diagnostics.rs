//! Diagnostics: what `pfconf lint` reports for one open document, as
//! `textDocument/publishDiagnostics` carries it.
//!
//! A [`Job`] is a snapshot (URI, version, text, root, the other open
//! texts); [`compute`] runs on the server's diagnostics thread, so a slow
//! check never delays an answer, and its [`Outcome`] carries the version
//! it was computed for: the server publishes it only if the document still
//! has that version (see `server.rs`).
//!
//! What is reported: [`crate::Report::lint`] with the levels of the
//! document's `pfconf.toml` (checks, then lints when there is no error),
//! code = the diagnostic code, source `pfconf`, the help line appended to
//! the message, `data.explain` = the `pfconf explain CODE` command,
//! `data.version` the version checked, `data.fix` the finding's fix and
//! `data.suppress` the comment that suppresses a lint, as workspace edits
//! (what the code actions offer, see `actions.rs`), and
//! labels as related information (in any file). A finding inside a file
//! the document includes (or loads as an anchor) is shown at the
//! statement of the document that leads to it, its message prefixed with
//! `FILE:LINE:COL:` and the exact place as the first related location.
//!
//! A fragment that other rulesets of the workspace include (found with
//! [`crate::includers`], as `pfconf check --find-includers` finds them) is
//! checked through each of its top includers, as pf loads it: the
//! macros and tables they define are defined in it, and what is shown is
//! what lies in the fragment (or in files it includes, at the statement
//! leading to them). The includers are looked for once per document (the
//! server keeps the answer until a watched file changes).
//!
//! The node (`[node] dir` of `pfconf.toml` or the editor's
//! `initializationOptions.node`) is read at each check, so the HA lints
//! run as with `pfconf lint --node DIR`; findings point into its files.

use super::actions::{suppression, Data, FixData};
use super::documents::path_to_uri;
use super::position::{Encoding, LineIndex};
use super::workspace::{OpenFiles, ProjectConfig, Read, WorkspaceLoader};
use crate::ast::{Ruleset, StatementKind};
use crate::{Diagnostic, FileId, Severity, SourceMap, Span};
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, TextEdit,
    Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What to check: one document as it is now.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// The document.
    pub(crate) uri: Uri,
    /// Its version.
    pub(crate) version: i32,
    /// Its file, for a `file:` URI.
    pub(crate) path: Option<PathBuf>,
    /// Its text.
    pub(crate) text: Arc<str>,
    /// The workspace folder holding it (absolute paths resolve inside).
    pub(crate) root: Option<PathBuf>,
    /// Every open document by path (what includes read).
    pub(crate) open: Arc<OpenFiles>,
    /// The node directory the editor names (`initializationOptions.node`).
    pub(crate) node: Option<PathBuf>,
    /// The rulesets that include the document, when already known.
    pub(crate) includers: Option<Vec<PathBuf>>,
    /// How positions count columns.
    pub(crate) encoding: Encoding,
}

/// What a check found.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// The document.
    pub(crate) uri: Uri,
    /// The version checked.
    pub(crate) version: i32,
    /// What to publish.
    pub(crate) diagnostics: Vec<lsp_types::Diagnostic>,
    /// The files the check read (includes, anchors, table files).
    pub(crate) reads: Vec<PathBuf>,
    /// Why the project configuration or the node could not be used.
    pub(crate) config_error: Option<String>,
    /// The rulesets that include the document (it was checked through
    /// them).
    pub(crate) includers: Vec<PathBuf>,
    /// Why nothing could be computed (an internal error).
    pub(crate) failure: Option<String>,
    /// The check of the document alone, kept to format from (None for a
    /// fragment checked through its includers).
    pub(crate) checked: Option<Arc<Checked>>,
}

/// Largest document whose check is kept to format from. Keeping it
/// costs about 55 times the text (the resolved ruleset and the source
/// AST: 280 MB more for a 5 MB document) and saves about a third of the
/// formatting time (0.47 s instead of 0.71 s at 5 MB); past this size
/// the memory matters more, and formatting reads the text again.
const KEEP_REPORT_UP_TO: usize = 1 << 20;

/// A document's check, kept so that formatting the same text reuses it
/// ([`crate::Report::format`]: the source AST printed, the resolved
/// ruleset standing for the input in the safety net).
#[derive(Debug)]
pub(crate) struct Checked {
    /// The version checked.
    pub(crate) version: i32,
    /// The text checked.
    pub(crate) text: Arc<str>,
    /// The report, with the source AST ([`crate::Options::keep_source`]).
    report: crate::Report,
    /// What the check's loader read from: the workspace folder and the
    /// open texts then.
    root: Option<PathBuf>,
    open: Arc<OpenFiles>,
}

impl Checked {
    /// The checked text formatted: what [`crate::fmt::format_safely`]
    /// gives for it.
    pub(crate) fn format(
        &self,
        opts: &crate::fmt::FormatOptions,
    ) -> Result<crate::fmt::Formatted, crate::fmt::FormatError> {
        let loader = WorkspaceLoader::new(self.root.clone(), &self.open);
        self.report.format(&loader, opts)
    }
}

impl Outcome {
    /// The outcome of a job that failed (a panic in pfconf).
    pub(crate) fn failed(job: &Job, why: String) -> Outcome {
        Outcome {
            uri: job.uri.clone(),
            version: job.version,
            diagnostics: Vec::new(),
            reads: Vec::new(),
            config_error: None,
            includers: job.includers.clone().unwrap_or_default(),
            failure: Some(why),
            checked: None,
        }
    }
}

/// At most this many includers of one fragment are checked.
const MAX_INCLUDERS: usize = 4;

/// Checks and lints a document: alone, or through the rulesets that
/// include it.
pub(crate) fn compute(job: &Job) -> Outcome {
    let (mut config, config_error) = ProjectConfig::load(
        job.path.as_deref(),
        job.root.as_deref(),
        job.node.as_deref(),
    );
    config.name_node_files();
    let includers = match &job.includers {
        Some(known) => known.clone(),
        None => find_includers(job),
    };
    let mut diagnostics: Vec<lsp_types::Diagnostic> = Vec::new();
    let mut reads = Vec::new();
    let mut checked = false;
    for includer in includers.iter().take(MAX_INCLUDERS) {
        let Some(text) = text_of(job, includer) else {
            continue;
        };
        let name = includer.display().to_string();
        if let Some((found, read, _)) = check(job, &config, &name, &text, Some(includer)) {
            checked = true;
            reads.push(includer.clone());
            reads.extend(read);
            for d in found {
                if !diagnostics.iter().any(|x| same(x, &d)) {
                    diagnostics.push(d);
                }
            }
        }
    }
    let mut kept = None;
    if !checked {
        let name = match &job.path {
            Some(p) => p.display().to_string(),
            None => job.uri.as_str().to_string(),
        };
        if let Some((found, read, report)) = check(job, &config, &name, &job.text, None) {
            diagnostics = found;
            reads = read;
            kept = (job.text.len() <= KEEP_REPORT_UP_TO).then(|| {
                Arc::new(Checked {
                    version: job.version,
                    text: job.text.clone(),
                    report,
                    root: job.root.clone(),
                    open: job.open.clone(),
                })
            });
        }
    }
    Outcome {
        uri: job.uri.clone(),
        version: job.version,
        diagnostics,
        reads,
        config_error,
        includers,
        failure: None,
        checked: kept,
    }
}

/// Two diagnostics that say the same at the same place.
fn same(a: &lsp_types::Diagnostic, b: &lsp_types::Diagnostic) -> bool {
    a.range == b.range && a.code == b.code && a.message == b.message
}

/// An includer's text: from the editor when open, else from the disk.
fn text_of(job: &Job, path: &std::path::Path) -> Option<String> {
    match job.open.get(path) {
        Some((_, text)) => Some(text.to_string()),
        None => crate::includers::read_candidate(path),
    }
}

/// The rulesets of the workspace folder (or of the repository holding
/// the document) that include the document, open ones read from the
/// editor.
fn find_includers(job: &Job) -> Vec<PathBuf> {
    use crate::includers::{repository_root, rulesets_under, Includes};
    let Some(path) = &job.path else {
        return Vec::new();
    };
    let top = job
        .root
        .clone()
        .or_else(|| path.parent().and_then(repository_root));
    let Some(top) = top else {
        return Vec::new();
    };
    let mut candidates = rulesets_under(&top);
    candidates.extend(job.open.keys().filter(|p| p.starts_with(&top)).cloned());
    candidates.sort();
    candidates.dedup();
    let text_of = |p: &std::path::Path| text_of(job, p);
    Includes::scan(&candidates, job.root.as_deref(), &text_of).top_includers(path)
}

/// Checks and lints `text` (named `name`) as the document (`includer`
/// None) or as an includer of it: the document's diagnostics, the files
/// read and the report (with the source AST when it is the document's,
/// to format from). None when the includer does not read the document
/// after all.
fn check(
    job: &Job,
    config: &ProjectConfig,
    name: &str,
    text: &str,
    includer: Option<&PathBuf>,
) -> Option<(Vec<lsp_types::Diagnostic>, Vec<PathBuf>, crate::Report)> {
    let loader = WorkspaceLoader::new(job.root.clone(), &job.open);
    let opts = crate::Options {
        keep_source: includer.is_none() && text.len() <= KEEP_REPORT_UP_TO,
        ..crate::Options::default()
    };
    let mut report = crate::check_with(name, text, &loader, &opts);
    let main = match (includer, &job.path) {
        (None, _) => MAIN,
        (Some(_), Some(path)) => {
            let path = crate::includers::absolute(path);
            let i =
                report.sources.files().iter().position(|f| {
                    crate::includers::absolute(std::path::Path::new(&f.name)) == path
                })?;
            FileId(i as u32)
        }
        (Some(_), None) => return None,
    };
    // Findings about the node point into its files.
    let mut lints = config.lints.clone();
    if let Some(n) = &mut lints.node {
        n.attach_sources(&mut report.sources);
    }
    let mut found = report.lint(&lints);
    if let (None, Some(path)) = (includer, &job.path) {
        let sources = super::flows::sources(path, &config.flows, &job.open);
        found.extend(super::flows::run(
            &mut report,
            main,
            lints.node.as_ref(),
            sources,
        ));
    }
    let reads = loader.into_reads();
    // Where included files come in is only needed for findings in them.
    let elsewhere = found.iter().any(|d| d.span.file != main);
    let files = Files::new(
        job,
        &report.sources,
        if elsewhere { &reads } else { &[] },
        main,
    );
    let mut statements = HashMap::new();
    let diagnostics = found
        .iter()
        // Through an includer, what lies outside the document and the
        // files it reads is the includer's to show.
        .filter(|d| includer.is_none() || files.leads_here(d.span.file))
        .map(|d| files.convert(d, job.version, &mut statements))
        .collect();
    Some((
        diagnostics,
        reads.into_iter().map(|r| r.full).collect(),
        report,
    ))
}

/// The main file's id in a [`crate::Report`] (the first file added).
const MAIN: FileId = FileId(0);

/// The files of one report: their URIs and line indexes, and where in the
/// document each included file comes in.
struct Files<'a> {
    sources: &'a SourceMap,
    /// The document's file.
    main: FileId,
    uris: Vec<Option<Uri>>,
    lines: Vec<LineIndex<'a>>,
    /// Per file: the span in the document of the statement leading to it.
    entries: Vec<Option<Span>>,
    /// The document's directory, to name included files shortly.
    dir: Option<PathBuf>,
}

impl<'a> Files<'a> {
    fn new(job: &Job, sources: &'a SourceMap, reads: &[Read], main: FileId) -> Files<'a> {
        let files = sources.files();
        let uris = files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == main.0 as usize {
                    return Some(job.uri.clone());
                }
                let path = PathBuf::from(&f.name);
                match job.open.get(&path) {
                    Some((uri, _)) => Some(uri.clone()),
                    // A node file `[ha]` stands for is nowhere.
                    None if path.is_file() => path_to_uri(&path),
                    None => None,
                }
            })
            .collect();
        let lines = files
            .iter()
            .map(|f| LineIndex::new(&f.text, job.encoding))
            .collect();
        Files {
            sources,
            main,
            uris,
            lines,
            entries: entries(sources, reads, main),
            dir: job
                .path
                .as_ref()
                .and_then(|p| p.parent())
                .map(|d| d.to_path_buf()),
        }
    }

    /// The document itself, or a file it reads.
    fn leads_here(&self, file: FileId) -> bool {
        file == self.main
            || self
                .entries
                .get(file.0 as usize)
                .is_some_and(Option::is_some)
    }

    fn range(&self, span: Span) -> Option<Range> {
        let index = self.lines.get(span.file.0 as usize)?;
        Some(Range::new(
            index.position(span.start()),
            index.position(span.end()),
        ))
    }

    fn location(&self, span: Span) -> Option<Location> {
        let uri = self.uris.get(span.file.0 as usize)?.clone()?;
        Some(Location::new(uri, self.range(span)?))
    }

    /// A file's name as shown in a message: from the document's
    /// directory when below it.
    fn shown(&self, file: FileId) -> String {
        let name = self
            .sources
            .get(file)
            .map(|f| f.name.as_str())
            .unwrap_or("?");
        match &self.dir {
            Some(dir) => match PathBuf::from(name).strip_prefix(dir) {
                Ok(rel) => rel.display().to_string(),
                Err(_) => name.to_string(),
            },
            None => name.to_string(),
        }
    }

    /// A span as an edit's range and URI.
    fn edit(&self, span: Span, new_text: String) -> Option<(Uri, TextEdit)> {
        let uri = self.uris.get(span.file.0 as usize)?.clone()?;
        Some((uri, TextEdit::new(self.range(span)?, new_text)))
    }

    /// Edits as a workspace edit (None when one cannot be placed).
    // `Uri` caches its parsed authority in a cell; hashing and equality
    // read the text only.
    #[allow(clippy::mutable_key_type)]
    fn workspace_edit(
        &self,
        edits: impl IntoIterator<Item = (Span, String)>,
    ) -> Option<WorkspaceEdit> {
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for (span, text) in edits {
            let (uri, edit) = self.edit(span, text)?;
            changes.entry(uri).or_default().push(edit);
        }
        Some(WorkspaceEdit::new(changes))
    }

    /// What a diagnostic's code actions need (see `actions.rs`).
    fn data(&self, d: &Diagnostic, version: i32, statements: &mut Statements) -> Data {
        let fix = d.fix.as_deref().and_then(|f| {
            let edit =
                self.workspace_edit(f.edits.iter().map(|e| (e.span, e.replacement.clone())))?;
            Some(FixData {
                title: f.title.clone(),
                safe: f.is_safe(),
                why_unsafe: f.why_unsafe.clone(),
                edit,
            })
        });
        let suppress = crate::lint::find(d.code).and_then(|_| {
            let text = &self.sources.get(d.span.file)?.text;
            let spans = statements
                .entry(d.span.file)
                .or_insert_with(|| statement_spans(text, d.span.file));
            // The innermost statement holding the finding.
            let i = spans.partition_point(|(s, _)| *s <= d.span.start());
            let statement = spans[..i]
                .iter()
                .rev()
                .find(|(_, e)| d.span.start() <= *e)
                .copied();
            let (start, end, replacement) = suppression(text, statement, d.span.start(), d.code)?;
            self.workspace_edit([(Span::new(d.span.file, start, end), replacement)])
        });
        Data {
            explain: format!("pfconf explain {}", d.code),
            version,
            fix,
            suppress,
        }
    }

    fn convert(
        &self,
        d: &Diagnostic,
        version: i32,
        statements: &mut Statements,
    ) -> lsp_types::Diagnostic {
        let mut message = d.message.clone();
        let mut related = Vec::new();
        let range = if d.span.file == self.main {
            self.range(d.span)
        } else {
            let (line, col) = self
                .sources
                .get(d.span.file)
                .map(|f| f.line_col(d.span.start()))
                .unwrap_or((0, 0));
            message = format!("{}:{line}:{col}: {message}", self.shown(d.span.file));
            related.extend(
                self.location(d.span)
                    .map(|location| DiagnosticRelatedInformation {
                        location,
                        message: d.message.clone(),
                    }),
            );
            let entry = self.entries.get(d.span.file.0 as usize).copied().flatten();
            entry.and_then(|s| self.range(s))
        };
        for l in &d.labels {
            if let Some(location) = self.location(l.span) {
                related.push(DiagnosticRelatedInformation {
                    location,
                    message: l.message.clone(),
                });
            }
        }
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        lsp_types::Diagnostic {
            range: range.unwrap_or_default(),
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(d.code.to_string())),
            code_description: None,
            source: Some("pfconf".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: serde_json::to_value(self.data(d, version, statements)).ok(),
        }
    }
}

/// Per file, the byte ranges of its statements (inline anchors' headers
/// and the statements inside them), by start.
type Statements = HashMap<FileId, Vec<(usize, usize)>>;

/// The statements of one file as the splitter cuts them.
fn statement_spans(text: &str, file: FileId) -> Vec<(usize, usize)> {
    fn walk(s: &crate::lexer::RawStmt, out: &mut Vec<(usize, usize)>) {
        out.push((s.span.start(), s.span.end()));
        if let Some(b) = &s.block {
            for inner in &b.body {
                walk(inner, out);
            }
        }
    }
    let mut out = Vec::new();
    crate::lexer::split_each(text, file, &mut |s| walk(&s, &mut out));
    out.sort_unstable();
    out
}

/// For each file of the report, the statement of the main file (the
/// document, `main`) that leads to it: the `include` or `load anchor` naming it, or naming the file
/// that does, up the chain. Found by the path the statement gives (after
/// macro expansion, as the loader saw it); a statement whose path is
/// built from macros is matched by its `$`. None when nothing matches
/// (and for every file when `reads` is empty).
///
/// The resolver does not record which statement read which file, so the
/// main file's statements are parsed again to find them; only when a
/// finding lies outside the main file.
fn entries(sources: &SourceMap, reads: &[Read], main_id: FileId) -> Vec<Option<Span>> {
    let files = sources.files();
    let Some(main) = files.get(main_id.0 as usize) else {
        return vec![None; files.len()];
    };
    if reads.is_empty() {
        return vec![None; files.len()];
    }
    // The main file's include and load statements: (path as written, span).
    let (_, ast, _) = crate::parse_str(&main.name, &main.text);
    let mut statements = Vec::new();
    loading_statements(&ast, &mut statements);
    let entry_of = |path: &str| {
        statements
            .iter()
            .find(|(written, _)| written == path)
            .or_else(|| statements.iter().find(|(written, _)| written.contains('$')))
            .map(|(_, span)| Span::new(main_id, span.start(), span.end()))
    };
    let by_name: HashMap<String, &Read> = reads
        .iter()
        .map(|r| (r.full.display().to_string(), r))
        .collect();
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if i == main_id.0 as usize {
                return None;
            }
            // Up the chain of includers to the one the main file names.
            let mut name = f.name.as_str();
            for _ in 0..=crate::resolve::MAX_INCLUDE_DEPTH {
                let read = by_name.get(name)?;
                if read.from == main.name {
                    return entry_of(&read.path);
                }
                name = read.from.as_str();
            }
            None
        })
        .collect()
}

/// The `include` and `load anchor` statements of a ruleset and its inline
/// anchors, with the path as written (`$` for a macro).
fn loading_statements(rs: &Ruleset, out: &mut Vec<(String, Span)>) {
    for s in &rs.statements {
        let written = |v: &crate::ast::SValue| match &v.node {
            crate::ast::Value::Macro(_) => "$".to_string(),
            other => other.text().to_string(),
        };
        match &s.kind {
            StatementKind::Include(inc) => out.push((written(&inc.path), s.span)),
            StatementKind::LoadAnchor(load) => {
                let path: String = load.file.iter().map(written).collect();
                out.push((path, s.span));
            }
            StatementKind::Anchor(a) => {
                if let Some(body) = &a.body {
                    loading_statements(body, out);
                }
            }
            // A statement whose path is built from macros only parses
            // after expansion: it may be the include.
            StatementKind::Unparsed => out.push(("$".to_string(), s.span)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn job(path: &str, text: &str, open: OpenFiles) -> Job {
        Job {
            uri: path_to_uri(std::path::Path::new(path)).unwrap(),
            version: 7,
            path: Some(PathBuf::from(path)),
            text: Arc::from(text),
            root: Some(PathBuf::from("/nonexistent-root")),
            open: Arc::new(open),
            node: None,
            includers: None,
            encoding: Encoding::Utf16,
        }
    }

    fn open_file(path: &str, text: &str) -> (PathBuf, (Uri, Arc<str>)) {
        let uri = Uri::from_str(&format!("file://{path}")).unwrap();
        (PathBuf::from(path), (uri, Arc::from(text)))
    }

    #[test]
    fn a_check_error_has_its_code_range_help_and_explain_command() {
        let text = "# é😀\npass in proto icmp to port 22\n";
        let out = compute(&job("/nonexistent-root/pf.conf", text, OpenFiles::new()));
        assert_eq!(out.version, 7);
        let d = &out.diagnostics[0];
        assert_eq!(
            d.code,
            Some(NumberOrString::String("port-without-tcp-udp".into()))
        );
        assert_eq!(d.range.start, lsp_types::Position::new(1, 22));
        assert_eq!(d.severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(d.source.as_deref(), Some("pfconf"));
        assert!(d.message.starts_with("port only applies to tcp/udp"));
        assert_eq!(
            d.data,
            Some(
                serde_json::json!({ "explain": "pfconf explain port-without-tcp-udp", "version": 7 })
            )
        );
    }

    #[test]
    fn a_finding_in_an_included_file_is_shown_at_the_include() {
        let open: OpenFiles = [open_file(
            "/nonexistent-root/etc/lan.conf",
            "pass\npas out\n",
        )]
        .into_iter()
        .collect();
        let text = "# main\ninclude \"/etc/lan.conf\"\n";
        let out = compute(&job("/nonexistent-root/pf.conf", text, open));
        let d = &out.diagnostics[0];
        assert_eq!(d.code, Some(NumberOrString::String("syntax".into())));
        assert_eq!(d.range.start, lsp_types::Position::new(1, 0));
        assert!(
            d.message.starts_with("etc/lan.conf:2:1: syntax error"),
            "{}",
            d.message
        );
        let related = d.related_information.as_ref().unwrap();
        assert_eq!(
            related[0].location.uri.as_str(),
            "file:///nonexistent-root/etc/lan.conf"
        );
        assert_eq!(
            related[0].location.range.start,
            lsp_types::Position::new(1, 0)
        );
        assert_eq!(
            out.reads,
            vec![PathBuf::from("/nonexistent-root/etc/lan.conf")]
        );
    }

    #[test]
    fn nested_includes_lead_back_to_the_outermost_statement() {
        let open: OpenFiles = [
            open_file("/nonexistent-root/a.conf", "include \"b.conf\"\n"),
            open_file("/nonexistent-root/b.conf", "pas\n"),
        ]
        .into_iter()
        .collect();
        let text = "pass\nanchor \"x\" {\n  pass\n}\ninclude \"a.conf\"\n";
        let out = compute(&job("/nonexistent-root/pf.conf", text, open));
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("b.conf:1:1"))
            .unwrap();
        assert_eq!(d.range.start, lsp_types::Position::new(4, 0));
    }

    #[test]
    fn labels_become_related_information() {
        let text = "ext = \"em0\"\next = \"em1\"\npass on $ext\n";
        let out = compute(&job("/nonexistent-root/pf.conf", text, OpenFiles::new()));
        let d = out
            .diagnostics
            .iter()
            .find(|d| d.code == Some(NumberOrString::String("redefined-macro".into())))
            .unwrap();
        let related = d.related_information.as_ref().unwrap();
        assert_eq!(
            related[0].location.uri,
            job("/nonexistent-root/pf.conf", "", OpenFiles::new()).uri
        );
        assert_eq!(related[0].location.range.start.line, 0);
    }
}
