//! Code actions: for each pfconf diagnostic under the cursor, its fix
//! (when the finding carries one, see [`crate::fix`]), a comment that
//! suppresses a lint on that line, and the command that explains the
//! code; `workspace/executeCommand` runs that command.
//!
//! The diagnostics job prepares the edits when it checks (it has the
//! texts, the spans and the statements at hand) and sends them in each
//! diagnostic's `data` ([`Data`]), which the protocol gives back with
//! the diagnostics of a `textDocument/codeAction` request. The request
//! then costs nothing; when the data is missing (a client that drops it)
//! or was made for another version of the document, the document is
//! checked again and the diagnostic found by code and range.
//!
//! Invariants: every action is of kind `quickfix`; a safe fix is the
//! preferred action, an unsafe one says so in its title and is never
//! preferred; edits are a `WorkspaceEdit` with changes per URI (a fix or
//! a suppression in an included file edits that file); a suppression is
//! offered only where the comment can go without breaking the statement
//! (see [`suppression`]).

use super::diagnostics;
use super::position::LineIndex;
use super::server::{invalid_params, request_failed, Server};
use lsp_server::ResponseError;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, Command,
    ExecuteCommandParams, MessageType, NumberOrString, Uri, WorkspaceEdit,
};
use serde::{Deserialize, Serialize};

/// The command that explains a code; its one argument is the code.
pub(crate) const EXPLAIN: &str = "pfconf.explain";

/// What a diagnostic carries for its code actions (its `data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Data {
    /// The command line that prints the code's page.
    pub(crate) explain: String,
    /// The document version the edits apply to.
    pub(crate) version: i32,
    /// The finding's fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fix: Option<FixData>,
    /// The comment that suppresses the lint (lints only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) suppress: Option<WorkspaceEdit>,
}

/// A fix as a code action needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FixData {
    /// `Fix.title`.
    pub(crate) title: String,
    /// Safe: cannot change what pf loads.
    pub(crate) safe: bool,
    /// For an unsafe fix, what it may change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) why_unsafe: Option<String>,
    /// The edits, per file.
    pub(crate) edit: WorkspaceEdit,
}

/// `textDocument/codeAction`.
pub(crate) fn code_action(
    server: &Server,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>, ResponseError> {
    let uri = &params.text_document.uri;
    let doc = server.document(uri)?;
    let index = LineIndex::new(&doc.text, server.encoding);
    if index.offset(params.range.start).is_none() || index.offset(params.range.end).is_none() {
        return Err(invalid_params("range outside the document".to_string()));
    }
    let wanted = |kind: &CodeActionKind| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|k| {
                kind.as_str() == k.as_str()
                    || kind.as_str().starts_with(&format!("{}.", k.as_str()))
            })
        })
    };
    if !wanted(&CodeActionKind::QUICKFIX) {
        return Ok(Some(Vec::new()));
    }
    let mut fresh: Option<Vec<lsp_types::Diagnostic>> = None;
    let mut out = Vec::new();
    for d in &params.context.diagnostics {
        if d.source.as_deref() != Some("pfconf") {
            continue;
        }
        let Some(NumberOrString::String(code)) = &d.code else {
            continue;
        };
        let data = match data_of(d).filter(|x| x.version == doc.version) {
            Some(x) => Some(x),
            None => {
                // Made for another text (or dropped by the client): check
                // the current text and find the same finding.
                let current = fresh.get_or_insert_with(|| {
                    server
                        .job(uri)
                        .map(|j| diagnostics::compute(&j).diagnostics)
                        .unwrap_or_default()
                });
                current
                    .iter()
                    .find(|f| f.code == d.code && f.range == d.range)
                    .and_then(data_of)
            }
        };
        if let Some(data) = &data {
            out.extend(actions_for(uri, d, code, data));
        }
        if explainable(code) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("explain `{code}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                command: Some(Command::new(
                    format!("explain `{code}`"),
                    EXPLAIN.to_string(),
                    Some(vec![serde_json::Value::String(code.clone())]),
                )),
                ..CodeAction::default()
            }));
        }
    }
    Ok(Some(out))
}

/// A diagnostic's data, if it is ours.
fn data_of(d: &lsp_types::Diagnostic) -> Option<Data> {
    serde_json::from_value(d.data.clone()?).ok()
}

/// The fix and the suppression of one diagnostic.
fn actions_for(
    document: &Uri,
    d: &lsp_types::Diagnostic,
    code: &str,
    data: &Data,
) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    if let Some(fix) = &data.fix {
        let title = match (&fix.safe, &fix.why_unsafe) {
            (true, _) => fix.title.clone(),
            (false, why) => format!(
                "{} (unsafe: {})",
                fix.title,
                shorten(why.as_deref().unwrap_or("may change what pf does"), 48)
            ),
        };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(fix.edit.clone()),
            is_preferred: Some(fix.safe),
            ..CodeAction::default()
        }));
    }
    if let Some(edit) = &data.suppress {
        // In an included file, say where the comment goes.
        let elsewhere = edit
            .changes
            .iter()
            .flatten()
            .find(|(uri, _)| *uri != document);
        let title = match elsewhere {
            Some((uri, edits)) => {
                let file = uri.path().as_str().rsplit('/').next().unwrap_or("");
                let file = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
                let line = edits.first().map_or(0, |e| e.range.start.line + 1);
                format!("suppress `{code}` in {file} (line {line})")
            }
            None => format!("suppress `{code}` on this line"),
        };
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![d.clone()]),
            edit: Some(edit.clone()),
            ..CodeAction::default()
        }));
    }
    out
}

/// `text` cut at a word boundary to at most `max` characters, with `…`.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// A code `pfconf explain` has a page for.
fn explainable(code: &str) -> bool {
    crate::lint::find(code).is_some() || crate::codes::find(code).is_some()
}

/// The page of a code: a lint's or a check's.
pub(crate) fn page(code: &str) -> Option<&'static str> {
    crate::lint::find(code)
        .map(|l| l.info.doc)
        .or_else(|| crate::codes::find(code).map(|c| c.doc))
}

/// `workspace/executeCommand`: `pfconf.explain CODE` answers with the
/// code's page (and shows it, for clients that drop a command's result).
pub(crate) fn execute_command(
    server: &Server,
    params: ExecuteCommandParams,
) -> Result<Option<serde_json::Value>, ResponseError> {
    if params.command != EXPLAIN {
        return Err(invalid_params(format!(
            "unknown command {}",
            params.command
        )));
    }
    let Some(code) = params.arguments.first().and_then(|a| a.as_str()) else {
        return Err(invalid_params(format!(
            "{EXPLAIN} takes the code to explain"
        )));
    };
    let Some(text) = page(code) else {
        return Err(request_failed(format!(
            "unknown code `{code}` (see `pfconf explain --list`)"
        )));
    };
    server.show_message(MessageType::INFO, text.to_string());
    Ok(Some(serde_json::Value::String(text.to_string())))
}

/// Where `# pfconf: allow(NAME)` goes so that the finding at byte `at` of
/// `text` (in the statement `statement`, a byte range) is suppressed: the
/// edit as (start, end, replacement).
///
/// A suppression comment counts on the finding's line and on the line
/// before (`lint::Suppressions`). So: a name added to an allow comment
/// already on one of those lines; else a comment line before the
/// finding's line, indented like it, when the statement starts on that
/// line; else a comment at the end of the line, when the statement ends
/// on it; else nothing (a comment inside a continued statement would cut
/// it).
pub(crate) fn suppression(
    text: &str,
    statement: Option<(usize, usize)>,
    at: usize,
    name: &str,
) -> Option<(usize, usize, String)> {
    let at = at.min(text.len());
    let start = super::words::line_start(text, at);
    let end = content_end(text, start);
    const ALLOW: &str = "pfconf: allow(";
    let before = (start > 0).then(|| super::words::line_start(text, start - 1));
    for line in std::iter::once(start).chain(before) {
        let line_end = content_end(text, line);
        let Some(pos) = text[line..line_end].find(ALLOW) else {
            continue;
        };
        let list = line + pos + ALLOW.len();
        let close = text[list..line_end].find(')').map(|i| list + i)?;
        let names = &text[list..close];
        if names.split(',').any(|n| n.trim() == name) {
            return None;
        }
        let sep = if names.trim().is_empty() { "" } else { ", " };
        let at_end = list + names.trim_end().len();
        return Some((at_end, at_end, format!("{sep}{name}")));
    }
    let (s, e) = statement.unwrap_or((at, at));
    let newline = if text[end..].starts_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    if super::words::line_start(text, s) == start {
        let indent: String = text[start..end]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        return Some((start, start, format!("{indent}# {ALLOW}{name}){newline}")));
    }
    let last_line = super::words::line_start(text, e.max(s).min(text.len()));
    if last_line == start && !text[start..end].trim_end().ends_with('\\') {
        let content = start + text[start..end].trim_end().len();
        return Some((content, content, format!(" # {ALLOW}{name})")));
    }
    None
}

/// Where the line starting at `start` ends (before its line break).
fn content_end(text: &str, start: usize) -> usize {
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    if end > start && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suppressed(text: &str, statement: (usize, usize), at: usize, name: &str) -> Option<String> {
        let (s, e, r) = suppression(text, Some(statement), at, name)?;
        Some(format!("{}{r}{}", &text[..s], &text[e..]))
    }

    #[test]
    fn a_comment_line_goes_before_the_statement_with_its_indentation() {
        let text = "anchor \"a\" {\n  x = \"1\"\n}\n";
        let at = text.find('x').unwrap();
        assert_eq!(
            suppressed(text, (at, at + 7), at, "unused-macro").unwrap(),
            "anchor \"a\" {\n  # pfconf: allow(unused-macro)\n  x = \"1\"\n}\n"
        );
        let crlf = "pass\r\nx = \"1\"\r\n";
        let at = crlf.find('x').unwrap();
        assert_eq!(
            suppressed(crlf, (at, at + 7), at, "unused-macro").unwrap(),
            "pass\r\n# pfconf: allow(unused-macro)\r\nx = \"1\"\r\n"
        );
    }

    #[test]
    fn an_existing_allow_comment_gets_the_name() {
        let text = "# pfconf: allow(unused-table)\nx = \"1\"\n";
        let at = text.find('x').unwrap();
        assert_eq!(
            suppressed(text, (at, at + 7), at, "unused-macro").unwrap(),
            "# pfconf: allow(unused-table, unused-macro)\nx = \"1\"\n"
        );
        let text = "x = \"1\" # pfconf: allow()\n";
        assert_eq!(
            suppressed(text, (0, 7), 0, "unused-macro").unwrap(),
            "x = \"1\" # pfconf: allow(unused-macro)\n"
        );
        // Already there: nothing to add.
        let text = "x = \"1\" # pfconf: allow(unused-macro)\n";
        assert_eq!(suppression(text, Some((0, 7)), 0, "unused-macro"), None);
    }

    #[test]
    fn inside_a_continued_statement_the_comment_ends_its_last_line_or_is_not_offered() {
        let text = "pass in \\\n  proto tcp \\\n  to port 22\n";
        let stmt = (0, text.len() - 1);
        let last = text.find("22").unwrap();
        assert_eq!(
            suppressed(text, stmt, last, "duplicate-rule").unwrap(),
            "pass in \\\n  proto tcp \\\n  to port 22 # pfconf: allow(duplicate-rule)\n"
        );
        let middle = text.find("tcp").unwrap();
        assert_eq!(
            suppression(text, Some(stmt), middle, "duplicate-rule"),
            None
        );
    }

    #[test]
    fn long_reasons_are_shortened_at_a_word() {
        assert_eq!(shorten("short", 48), "short");
        let s = shorten(
            "a later rule may decide differently for packets this rule no longer sees",
            48,
        );
        assert!(s.ends_with('…') && s.chars().count() <= 49, "{s}");
        assert!(!s.contains("  "));
    }
}
