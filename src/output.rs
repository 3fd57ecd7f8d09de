//! Diagnostics for programs: the JSON object every command prints (its
//! schema is `docs/schema/diagnostic.schema.json`), SARIF 2.1.0 for
//! code-scanning services and GitHub workflow annotations. The rich and
//! one-line forms for people are [`crate::diag::render`] and
//! [`Diagnostic::short`].
//!
//! Invariant: one object shape. Every diagnostic, whether a check, a
//! lint or pfconf failing to read a file (`io-error`), has the same keys,
//! each said once.

use crate::diag::{Diagnostic, Severity};
use crate::lint::registry;
use crate::span::SourceMap;
use serde_json::{json, Value};

/// One diagnostic as the documented JSON object: `file`, `line`,
/// `column`, `end_line`, `end_column` (lines and columns from 1), `severity`
/// (`error`, `warning`, `info`), `code` (a check code or a lint name),
/// `message`, `help` (or null), `labels` (other places involved, each
/// with its `file`, positions and `message`) and `fix` (null, or the
/// edits that remedy it: `title`, `applicability` `safe` or `unsafe`,
/// `why_unsafe`, `edits` with their places and `replacement`).
///
/// ```
/// let report = pfconf::check_str("pf.conf", "pass in proto icmp to port 22\n");
/// let v = pfconf::output::json_diagnostic(&report.diagnostics[0], &report.sources);
/// assert_eq!(v["code"], "port-without-tcp-udp");
/// assert_eq!((v["line"].as_u64(), v["column"].as_u64()), (Some(1), Some(23)));
/// assert_eq!(v["severity"], "error");
/// ```
pub fn json_diagnostic(d: &Diagnostic, map: &SourceMap) -> Value {
    let place = |s: crate::Span| {
        let f = map.get(s.file);
        let (l, c) = f.map(|f| f.line_col(s.start())).unwrap_or((1, 1));
        let (el, ec) = f.map(|f| f.line_col(s.end())).unwrap_or((l, c));
        (f.map(|f| f.name.clone()).unwrap_or_default(), l, c, el, ec)
    };
    let (file, line, column, end_line, end_column) = place(d.span);
    // A place and one more key (a label's message, an edit's text).
    let at = |span: crate::Span, key: &str, value: &str| {
        let (f, li, c, el, ec) = place(span);
        json!({"file": f, "line": li, "column": c, "end_line": el, "end_column": ec, key: value})
    };
    json!({
        "file": file,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "help": d.help,
        "labels": d.labels.iter().map(|l| at(l.span, "message", &l.message)).collect::<Vec<_>>(),
        "fix": d.fix.as_ref().map(|fix| json!({
            "title": fix.title,
            "applicability": fix.applicability,
            "why_unsafe": fix.why_unsafe,
            "edits": fix.edits.iter().map(|e| at(e.span, "replacement", &e.replacement)).collect::<Vec<_>>(),
        })),
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// FNV-1a, for stable fingerprints.
fn fnv(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// A SARIF 2.1.0 log with one run over every file: rules from the lint
/// catalogue (plus the check codes that occur, with their pages), results with locations
/// and partial fingerprints that survive line moves (code + file + the
/// text of the line).
///
/// ```
/// let report = pfconf::check_str("pf.conf", "pass in proto icmp to port 22\n");
/// let log = pfconf::output::sarif(&[(&report.diagnostics, &report.sources)]);
/// assert_eq!(log["version"], "2.1.0");
/// assert_eq!(log["runs"][0]["results"][0]["ruleId"], "port-without-tcp-udp");
/// ```
pub fn sarif(files: &[(&[Diagnostic], &SourceMap)]) -> Value {
    let mut rules: Vec<Value> = registry()
        .iter()
        .map(|l| {
            json!({
                "id": l.info.name,
                "name": l.info.name,
                "shortDescription": {"text": l.info.summary},
                "fullDescription": {"text": l.info.summary},
                "help": {"text": l.info.doc, "markdown": l.info.doc},
                "defaultConfiguration": {"level": match l.info.level {
                    crate::lint::Level::Error => "error",
                    crate::lint::Level::Warning => "warning",
                    crate::lint::Level::Info => "note",
                    crate::lint::Level::Off => "none",
                }},
            })
        })
        .collect();
    let mut ids: Vec<String> = rules
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    let mut results = Vec::new();
    for (d, map) in files
        .iter()
        .flat_map(|(ds, m)| ds.iter().map(move |d| (d, *m)))
    {
        match ids.iter().position(|i| i == d.code) {
            Some(_) => {}
            None => {
                ids.push(d.code.to_string());
                rules.push(match crate::codes::find(d.code) {
                    Some(c) => json!({
                        "id": c.name,
                        "name": c.name,
                        "shortDescription": {"text": c.summary},
                        "fullDescription": {"text": c.summary},
                        "help": {"text": c.doc, "markdown": c.doc},
                        "defaultConfiguration": {"level": sarif_level(c.severity)},
                    }),
                    None => json!({
                        "id": d.code,
                        "name": d.code,
                        "shortDescription": {"text": d.code},
                        "defaultConfiguration": {"level": sarif_level(d.severity)},
                    }),
                });
            }
        }
        let f = map.get(d.span.file);
        let (l, _) = f.map(|f| f.line_col(d.span.start())).unwrap_or((1, 1));
        let name = f.map(|f| f.name.clone()).unwrap_or_default();
        let line_text = f
            .and_then(|f| f.text.split('\n').nth(l.saturating_sub(1)))
            .unwrap_or("")
            .trim();
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str(&format!(" (help: {h})"));
        }
        let mut result = json!({
            "ruleId": d.code,
            "level": sarif_level(d.severity),
            "message": {"text": message},
            "locations": [{"physicalLocation": sarif_place(map, d.span)}],
            "partialFingerprints": {"pfconf/v1": fnv(&format!("{}\u{0}{}\u{0}{}", d.code, name, line_text))},
        });
        // Labels (the pass rule a block overrides, the first definition...)
        // become related locations, numbered from 1.
        let related: Vec<Value> = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, lb)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": sarif_place(map, lb.span),
                    "message": {"text": lb.message},
                })
            })
            .collect();
        if !related.is_empty() {
            result["relatedLocations"] = Value::Array(related);
        }
        results.push(result);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pfconf",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// A SARIF `physicalLocation`: the file and the region of a span.
fn sarif_place(map: &SourceMap, span: crate::span::Span) -> Value {
    let f = map.get(span.file);
    let (l, c) = f.map(|f| f.line_col(span.start())).unwrap_or((1, 1));
    let (el, ec) = f.map(|f| f.line_col(span.end())).unwrap_or((l, c));
    let name = f.map(|f| f.name.clone()).unwrap_or_default();
    json!({
        "artifactLocation": {"uri": name.trim_start_matches("./")},
        "region": {"startLine": l, "startColumn": c, "endLine": el, "endColumn": ec.max(1)},
    })
}

/// GitHub Actions workflow command lines (`::error file=...::message`).
pub fn github(diags: &[Diagnostic], map: &SourceMap) -> String {
    let esc = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| esc(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in diags {
        let f = map.get(d.span.file);
        let (l, c) = f.map(|f| f.line_col(d.span.start())).unwrap_or((1, 1));
        let (el, ec) = f.map(|f| f.line_col(d.span.end())).unwrap_or((l, c));
        let name = f.map(|f| f.name.clone()).unwrap_or_default();
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str(&format!("\nhelp: {h}"));
        }
        out.push_str(&format!(
            "::{kind} file={},line={l},col={c},endLine={el},endColumn={ec},title={}::{}\n",
            prop(&name),
            prop(&format!("pfconf {}", d.code)),
            esc(&msg)
        ));
    }
    out
}
