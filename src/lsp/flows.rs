//! Policy tests in the editor: the flows found next to a ruleset (`*.pft`
//! files in its directory, open buffers read before the disk, and
//! `pfconf.toml [test] flows`), run on the document as `pfconf lint` runs
//! them. A failure is shown in the document, at the rule that decides the
//! flow (at the top when no rule of the document decides it), with the
//! flow's line as related information: while editing the ruleset, the
//! rule that breaks a policy test is the one marked.
//!
//! Invariant: only a document checked clean of errors runs its flows
//! (the evaluator needs the resolved ruleset), and only as itself, not
//! as a fragment checked through an includer.

use super::workspace::OpenFiles;
use crate::span::{FileId, Span};
use crate::{Diagnostic, Report};
use std::path::Path;

/// The flow sources for a document at `path`: (name, text), the `[test]`
/// flows first, then the `*.pft` files of its directory in name order.
pub(crate) fn sources(
    path: &Path,
    config_flows: &[String],
    open: &OpenFiles,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !config_flows.is_empty() {
        out.push((
            format!("{} [test]", crate::config::FILE_NAME),
            config_flows.join("\n") + "\n",
        ));
    }
    let Some(dir) = path.parent() else {
        return out;
    };
    let mut files = crate::policy::flow_files_in(dir);
    // Open flow files not saved yet count too.
    files.extend(
        open.keys()
            .filter(|p| p.parent() == Some(dir) && p.extension().is_some_and(|x| x == "pft"))
            .cloned(),
    );
    files.sort();
    files.dedup();
    for f in files {
        let text = match open.get(&f) {
            Some((_, text)) => Some(text.to_string()),
            None => std::fs::read(&f).ok().map(|b| crate::encoding::decode(b).0),
        };
        if let Some(text) = text {
            out.push((f.display().to_string(), text));
        }
    }
    out
}

/// Runs the flows on the checked document and gives a `flow-failed` or
/// `flow-invalid` finding in the document for each failure. The flow
/// files are added to the report's sources (for the related locations).
pub(crate) fn run(
    report: &mut Report,
    main: FileId,
    node: Option<&crate::node::Node>,
    sources: Vec<(String, String)>,
) -> Vec<Diagnostic> {
    if sources.is_empty() || !report.is_ok() {
        return Vec::new();
    }
    let evaluator = match node {
        Some(n) => crate::eval::Evaluator::with_node(&report.resolved, n),
        None => crate::eval::Evaluator::new(&report.resolved, None),
    };
    let mut found = Vec::new();
    for (name, text) in sources {
        let id = report.sources.add(name, text.clone());
        let in_flows = crate::policy::findings(&text, id, &evaluator, &report.resolved);
        for d in in_flows {
            found.push(in_document(d, main, &report.sources));
        }
    }
    found
}

/// A finding of a flow file moved into the document: at the deciding
/// rule when it is the document's, else at its first line; the flow as a
/// label.
fn in_document(d: Diagnostic, main: FileId, sources: &crate::span::SourceMap) -> Diagnostic {
    let flow = d.span;
    let decided = d
        .labels
        .iter()
        .find(|l| l.span.file == main && l.message == crate::policy::DECIDING_RULE)
        .map(|l| l.span);
    let at = decided.unwrap_or(Span::new(main, 0, 0));
    let line = sources.location(flow);
    let text = sources.slice(flow).trim().to_string();
    let mut moved = Diagnostic::error(
        d.code,
        at,
        format!("policy test {line} `{text}` fails: {}", d.message),
    )
    .with_label(flow, "the flow");
    for l in d.labels.into_iter().filter(|l| Some(l.span) != decided) {
        moved = moved.with_label(l.span, l.message);
    }
    moved
}
