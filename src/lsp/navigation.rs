//! Go to definition, find references and rename, over the occurrences of
//! the document's analysis ([`super::analysis`]).
//!
//! - definition: of `$x`, the `x = ...` statements; of `<t>`, the `table
//!   <t>` statements; of `tagged t`, the rules with `tag t`; of an
//!   `include` path, a `load anchor ... from` path or a `table ... file`
//!   path, the file (its start); of `anchor a` or `load anchor a`, the
//!   file loaded for `a`, else the inline `anchor a { }`;
//! - references: every occurrence of the same name (the definitions
//!   when the request includes the declaration), in every file read;
//!   for a file, every statement naming it;
//! - rename: macros and tables, every definition and reference, in the
//!   document and in the files it reads, as one workspace edit.
//!
//! A fragment (a document other rulesets include, as its last check
//! found) is looked at through its first includer (`Server::scope`): `$lan`
//! in `lan.conf` leads to `lan = ...` in `pf.conf`, its references are
//! those of the includer and every file it reads, and a rename edits them
//! all.
//!
//! Invariants: a rename is refused (an error, nothing changed) when the
//! new name is not a valid name for pfctl, when it is taken, or when one
//! of the places is written through another macro's value (the edit would
//! have to change that macro); the edits never overlap.

use super::analysis::{Analysis, Occurrence, Ranges, Symbol};
use super::position::LineIndex;
use super::server::{invalid_params, request_failed, Server};
use lsp_server::ResponseError;
use lsp_types::{
    GotoDefinitionParams, GotoDefinitionResponse, Location, Position, PrepareRenameResponse, Range,
    ReferenceParams, RenameParams, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Where the document's names are looked up (see `Server::scope`), and
/// the occurrence at a position in it, if any.
fn locate(
    server: &Server,
    uri: &Uri,
    position: Position,
) -> Result<(Arc<Analysis>, Option<Occurrence>), ResponseError> {
    let doc = server.document(uri)?;
    let offset = LineIndex::new(&doc.text, server.encoding)
        .offset(position)
        .ok_or_else(|| invalid_params("position outside the document".to_string()))?;
    let (analysis, file) = server.scope(uri)?;
    let o = analysis.at(file, offset).cloned();
    Ok((analysis, o))
}

/// `textDocument/definition`.
pub(crate) fn definition(
    server: &Server,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>, ResponseError> {
    let at = params.text_document_position_params;
    let (analysis, o) = locate(server, &at.text_document.uri, at.position)?;
    let Some(o) = o else {
        return Ok(None);
    };
    let mut ranges = Ranges::new(&analysis, server.encoding);
    let file_start = |a: &Analysis, o: &Occurrence| {
        let uri = a.uri_of_path(o.target.as_deref()?)?;
        Some(Location::new(uri, Range::default()))
    };
    let locations: Vec<Location> = match o.symbol {
        Symbol::File => file_start(&analysis, &o).into_iter().collect(),
        Symbol::Anchor => {
            let defs: Vec<&Occurrence> = analysis.same(&o).filter(|x| x.definition).collect();
            let files: Vec<Location> = defs
                .iter()
                .filter_map(|x| file_start(&analysis, x))
                .collect();
            if files.is_empty() {
                defs.iter()
                    .filter_map(|x| ranges.location(x.span))
                    .collect()
            } else {
                files
            }
        }
        Symbol::Macro | Symbol::Table | Symbol::Tag => analysis
            .same(&o)
            .filter(|x| x.definition)
            .filter_map(|x| ranges.location(x.span))
            .collect(),
    };
    Ok(match locations.len() {
        0 => None,
        1 => locations
            .into_iter()
            .next()
            .map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(dedup(locations))),
    })
}

/// `textDocument/references`.
pub(crate) fn references(
    server: &Server,
    params: ReferenceParams,
) -> Result<Option<Vec<Location>>, ResponseError> {
    let at = params.text_document_position;
    let (analysis, o) = locate(server, &at.text_document.uri, at.position)?;
    let Some(o) = o else {
        return Ok(None);
    };
    let declarations = params.context.include_declaration;
    let mut ranges = Ranges::new(&analysis, server.encoding);
    let found: Vec<Location> = analysis
        .same(&o)
        .filter(|x| declarations || !x.definition)
        .filter_map(|x| ranges.location(x.span))
        .collect();
    Ok(Some(dedup(found)))
}

/// `textDocument/prepareRename`: the name under the cursor, if it can be
/// renamed.
pub(crate) fn prepare_rename(
    server: &Server,
    params: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, ResponseError> {
    let (analysis, o) = locate(server, &params.text_document.uri, params.position)?;
    let o = renamable(o)?;
    // Written here, in the document (the occurrence's file).
    let Some(span) = o.literal.filter(|s| s.file == o.span.file) else {
        return Err(request_failed(format!(
            "{} is written through a macro here: rename it where it is written",
            shown(&o)
        )));
    };
    let mut ranges = Ranges::new(&analysis, server.encoding);
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: ranges.range(span),
        placeholder: o.name.clone(),
    }))
}

/// `textDocument/rename`.
// `Uri` caches its parsed authority in a cell; hashing and equality read
// the text only.
#[allow(clippy::mutable_key_type)]
pub(crate) fn rename(
    server: &Server,
    params: RenameParams,
) -> Result<Option<WorkspaceEdit>, ResponseError> {
    let at = params.text_document_position;
    let (analysis, o) = locate(server, &at.text_document.uri, at.position)?;
    let o = renamable(o)?;
    let new = valid_name(o.symbol, &params.new_name).map_err(request_failed)?;
    if new == o.name {
        return Ok(Some(WorkspaceEdit::default()));
    }
    let taken = analysis
        .occurrences()
        .iter()
        .any(|x| x.symbol == o.symbol && x.name == new && x.definition);
    if taken {
        return Err(request_failed(format!(
            "{} is already defined",
            shown(&Occurrence {
                name: new.clone(),
                ..o.clone()
            })
        )));
    }
    let mut ranges = Ranges::new(&analysis, server.encoding);
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut done = std::collections::HashSet::new();
    for x in analysis.same(&o) {
        let Some(span) = x.literal else {
            let (line, _) = analysis
                .sources
                .get(x.span.file)
                .map_or((0, 0), |f| f.line_col(x.span.start()));
            let file = analysis
                .sources
                .get(x.span.file)
                .map_or("", |f| f.name.as_str());
            return Err(request_failed(format!(
                "{} is written through a macro at {file}:{line}: rename it in that macro's value",
                shown(&o)
            )));
        };
        if !done.insert(span) {
            continue;
        }
        let Some(uri) = analysis.uri(span.file).cloned() else {
            continue;
        };
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(ranges.range(span), new.clone()));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

/// The macro or table under the cursor.
fn renamable(o: Option<Occurrence>) -> Result<Occurrence, ResponseError> {
    match o {
        Some(o) if matches!(o.symbol, Symbol::Macro | Symbol::Table) => Ok(o),
        _ => Err(request_failed(
            "only macros and tables can be renamed: put the cursor on `$name`, `name =`, or `<name>`"
                .to_string(),
        )),
    }
}

fn shown(o: &Occurrence) -> String {
    match o.symbol {
        Symbol::Macro => format!("macro `{}`", o.name),
        Symbol::Table => format!("table `<{}>`", o.name),
        _ => format!("`{}`", o.name),
    }
}

/// Longest table name pfctl takes (`PF_TABLE_NAME_SIZE` - 1).
const MAX_TABLE_NAME: usize = 31;

/// The new name without its `$` or `<>`, or why it is no name.
pub(crate) fn valid_name(symbol: Symbol, new: &str) -> Result<String, String> {
    let name = match symbol {
        Symbol::Macro => new.strip_prefix('$').unwrap_or(new),
        _ => new
            .strip_prefix('<')
            .and_then(|n| n.strip_suffix('>'))
            .unwrap_or(new),
    };
    let what = if symbol == Symbol::Macro {
        "macro"
    } else {
        "table"
    };
    let word_ok = match symbol {
        // pf.conf(5): letters, digits and underscores.
        Symbol::Macro => name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        // A word pfctl reads between `<` and `>` without quotes.
        _ => {
            name.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        }
    };
    if name.is_empty() || !word_ok {
        let allowed = if symbol == Symbol::Macro {
            "letters, digits and underscores"
        } else {
            "letters, digits, `_`, `-` and `.`"
        };
        return Err(format!("`{new}` is not a valid {what} name: use {allowed}"));
    }
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{new}` is not a valid {what} name: a number is not a name"
        ));
    }
    if super::words::is_keyword(name) {
        return Err(format!(
            "`{new}` is not a valid {what} name: it is a reserved word"
        ));
    }
    if symbol == Symbol::Table && name.len() > MAX_TABLE_NAME {
        return Err(format!(
            "`{new}` is not a valid table name: longer than {MAX_TABLE_NAME} characters"
        ));
    }
    Ok(name.to_string())
}

/// Locations without repeats, in order.
fn dedup(locations: Vec<Location>) -> Vec<Location> {
    let mut seen = std::collections::HashSet::new();
    locations
        .into_iter()
        .filter(|l| {
            let r = l.range;
            seen.insert((
                l.uri.as_str().to_string(),
                (r.start.line, r.start.character),
                (r.end.line, r.end.character),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_names_are_checked_as_pfctl_reads_them() {
        assert_eq!(valid_name(Symbol::Macro, "$lan_if").unwrap(), "lan_if");
        assert_eq!(valid_name(Symbol::Macro, "wan2").unwrap(), "wan2");
        assert!(valid_name(Symbol::Macro, "lan-if").is_err());
        assert!(valid_name(Symbol::Macro, "").is_err());
        assert!(valid_name(Symbol::Macro, "pass")
            .unwrap_err()
            .contains("reserved"));
        assert!(valid_name(Symbol::Macro, "42").is_err());
        assert_eq!(
            valid_name(Symbol::Table, "<bad-hosts>").unwrap(),
            "bad-hosts"
        );
        assert!(valid_name(Symbol::Table, "bad hosts").is_err());
        assert!(valid_name(Symbol::Table, &"t".repeat(32)).is_err());
        assert!(valid_name(Symbol::Table, "-x").is_err());
    }
}
