//! Symbols: the document's outline (`textDocument/documentSymbol`) and a
//! search across the open documents and the files they read
//! (`workspace/symbol`).
//!
//! The outline lists, in order, the document's macros, tables, `set`
//! options, includes and anchors, each anchor's statements nested under
//! it (its rules by their first line, its tables, its anchors). Top-level
//! rules are left out: the outline is for finding definitions, and a large
//! ruleset's rules would bury them.
//!
//! Invariants: only statements written in the document itself are in its
//! outline (an included file's statements are in that file's); each
//! symbol's selection range (its name) lies within its range (the
//! statement); a workspace search answers at most [`MAX_FOUND`] symbols,
//! each place once even when several open documents read its file.

use super::analysis::{Analysis, Ranges, Symbol, MAIN};
use super::server::Server;
use crate::ast::{Ruleset, SetOption, StatementKind};
use crate::Span;
use lsp_server::ResponseError;
use lsp_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, OneOf, SymbolKind,
    WorkspaceSymbol, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

/// Most symbols a workspace search answers.
pub(crate) const MAX_FOUND: usize = 2000;

/// Longest symbol name taken from a statement's text.
const NAME_WIDTH: usize = 80;

/// `textDocument/documentSymbol`.
pub(crate) fn document(
    server: &Server,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>, ResponseError> {
    let analysis = server.analysis(&params.text_document.uri)?;
    let mut ranges = Ranges::new(&analysis, server.encoding);
    let mut top = outline(&analysis, &analysis.resolved.ruleset, &mut ranges, false);
    for d in &analysis.resolved.macro_definitions {
        let Some(span) = d.span.filter(|s| s.file == MAIN && !s.is_empty()) else {
            continue;
        };
        let text = analysis.main_text();
        let end = text[span.end()..]
            .find('\n')
            .map_or(text.len(), |i| span.end() + i);
        let statement = Span::new(MAIN, span.start(), end);
        top.push(symbol(
            &mut ranges,
            d.name.clone(),
            Some(format!("\"{}\"", d.value)),
            SymbolKind::CONSTANT,
            statement,
            span,
            Vec::new(),
        ));
    }
    for inc in analysis
        .resolved
        .includes
        .iter()
        .filter(|i| i.span.file == MAIN)
    {
        let path = analysis
            .main_text()
            .get(inc.path.start()..inc.path.end())
            .unwrap_or("")
            .to_string();
        top.push(symbol(
            &mut ranges,
            format!("include {path}"),
            None,
            SymbolKind::FILE,
            inc.span,
            inc.path,
            Vec::new(),
        ));
    }
    top.sort_by_key(|s| (s.range.start.line, s.range.start.character));
    Ok(Some(DocumentSymbolResponse::Nested(top)))
}

/// The symbols of a ruleset's statements written in the document;
/// `inside` an anchor, rules too.
fn outline(
    analysis: &Analysis,
    rs: &Ruleset,
    ranges: &mut Ranges,
    inside: bool,
) -> Vec<DocumentSymbol> {
    let text = analysis.main_text();
    let first_line = |span: Span| -> String {
        let written = text.get(span.start()..span.end()).unwrap_or("");
        let line = written.lines().next().unwrap_or("");
        let line = line.trim_end_matches(['\\', '{', ' ', '\t']);
        let words: Vec<&str> = line.split_whitespace().collect();
        let joined = words.join(" ");
        if joined.chars().count() > NAME_WIDTH {
            let cut: String = joined.chars().take(NAME_WIDTH).collect();
            format!("{cut}…")
        } else {
            joined
        }
    };
    let mut out = Vec::new();
    for s in rs.statements.iter().filter(|s| s.span.file == MAIN) {
        match &s.kind {
            StatementKind::Table(t) => out.push(symbol(
                ranges,
                format!("<{}>", t.name.node.text()),
                None,
                SymbolKind::ARRAY,
                s.span,
                t.name.span,
                Vec::new(),
            )),
            StatementKind::Option(o) => {
                let name = first_line(s.span);
                let detail = option_name(o);
                out.push(symbol(
                    ranges,
                    name,
                    Some(detail.to_string()),
                    SymbolKind::PROPERTY,
                    s.span,
                    s.span,
                    Vec::new(),
                ));
            }
            StatementKind::Anchor(a) => {
                let name = match &a.name {
                    Some(n) => format!("anchor \"{}\"", n.node.text()),
                    None => "anchor".to_string(),
                };
                let selection = a.name.as_ref().map_or(s.span, |n| n.span);
                let children = a
                    .body
                    .as_ref()
                    .map(|b| outline(analysis, b, ranges, true))
                    .unwrap_or_default();
                out.push(symbol(
                    ranges,
                    name,
                    None,
                    SymbolKind::NAMESPACE,
                    s.span,
                    selection,
                    children,
                ));
            }
            StatementKind::LoadAnchor(l) => out.push(symbol(
                ranges,
                format!("load anchor \"{}\"", l.name.node.text()),
                None,
                SymbolKind::NAMESPACE,
                s.span,
                l.name.span,
                Vec::new(),
            )),
            StatementKind::Rule(_) if inside => {
                let name = first_line(s.span);
                out.push(symbol(
                    ranges,
                    name,
                    None,
                    SymbolKind::FUNCTION,
                    s.span,
                    s.span,
                    Vec::new(),
                ));
            }
            _ => {}
        }
    }
    out
}

/// The word after `set`.
fn option_name(o: &SetOption) -> &'static str {
    match o {
        SetOption::Reassemble { .. } => "reassemble",
        SetOption::Optimization { .. } => "optimization",
        SetOption::RulesetOptimization { .. } => "ruleset-optimization",
        SetOption::Timeout { .. } => "timeout",
        SetOption::Limit { .. } => "limit",
        SetOption::LogInterface { .. } => "loginterface",
        SetOption::HostId { .. } => "hostid",
        SetOption::BlockPolicy { .. } => "block-policy",
        SetOption::Fingerprints { .. } => "fingerprints",
        SetOption::StatePolicy { .. } => "state-policy",
        SetOption::Debug { .. } => "debug",
        SetOption::Skip { .. } => "skip",
        SetOption::StateDefaults { .. } => "state-defaults",
        SetOption::Syncookies { .. } => "syncookies",
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
fn symbol(
    ranges: &mut Ranges,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    statement: Span,
    selection: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    // The selection lies within the range, whatever the spans say.
    let range = ranges.range(statement.to(selection));
    DocumentSymbol {
        name: if name.is_empty() {
            "?".to_string()
        } else {
            name
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: ranges.range(selection),
        children: (!children.is_empty()).then_some(children),
    }
}

/// `workspace/symbol`: the macros, tables, tags and anchors defined in the
/// open documents and the files they read whose name holds the query
/// (ignoring case).
pub(crate) fn workspace(
    server: &Server,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>, ResponseError> {
    let query = params.query.to_lowercase();
    let mut uris = server.open_uris();
    uris.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    'docs: for uri in uris {
        let analysis = server.analysis(&uri)?;
        let mut ranges = Ranges::new(&analysis, server.encoding);
        for o in analysis.occurrences().iter().filter(|o| o.definition) {
            let (name, kind) = match o.symbol {
                Symbol::Macro => (format!("${}", o.name), SymbolKind::CONSTANT),
                Symbol::Table => (format!("<{}>", o.name), SymbolKind::ARRAY),
                Symbol::Tag => (format!("tag {}", o.name), SymbolKind::KEY),
                Symbol::Anchor => (format!("anchor {}", o.name), SymbolKind::NAMESPACE),
                Symbol::File => continue,
            };
            if !name.to_lowercase().contains(&query) {
                continue;
            }
            let Some(location) = ranges.location(o.span) else {
                continue;
            };
            let key = (
                location.uri.as_str().to_string(),
                location.range.start.line,
                location.range.start.character,
                name.clone(),
            );
            if !seen.insert(key) {
                continue;
            }
            let container = analysis
                .sources
                .get(o.span.file)
                .and_then(|f| std::path::Path::new(&f.name).file_name())
                .map(|n| n.to_string_lossy().into_owned());
            found.push(WorkspaceSymbol {
                name,
                kind,
                tags: None,
                container_name: container,
                location: OneOf::Left(location),
                data: None,
            });
            if found.len() >= MAX_FOUND {
                break 'docs;
            }
        }
    }
    Ok(Some(WorkspaceSymbolResponse::Nested(found)))
}
