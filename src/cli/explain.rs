//! `pfconf explain`: the page of a lint or a check code, and the list of
//! every code.

use super::*;

/// Prints the page of `code` (a lint or a check code), or with `list`
/// every code with its kind, level and summary.
pub(crate) fn run(g: &Global, code: Option<&str>, list: bool) -> ExitCode {
    if list {
        return print_list(g);
    }
    let code = code.unwrap_or_default();
    if let Some(l) = pfconf::lint::find(code) {
        out(l.info.doc);
        return ExitCode::SUCCESS;
    }
    if let Some(c) = pfconf::codes::find(code) {
        out(c.doc);
        return ExitCode::SUCCESS;
    }
    let known = rows();
    let hint = known
        .iter()
        .map(|(n, ..)| (pfconf::diag::edit_distance(code, n), *n))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| format!("did you mean `{n}`? "))
        .unwrap_or_default();
    fail(&format!(
        "unknown code `{code}` ({hint}see `pfconf explain --list`)"
    ))
}

/// One row of `explain --list`: (name, kind, level, summary); lints
/// first, then the check codes, each sorted by name.
fn rows() -> Vec<(&'static str, &'static str, String, &'static str)> {
    let mut rows: Vec<_> = pfconf::lint::registry()
        .iter()
        .map(|l| {
            (
                l.info.name,
                "lint",
                l.info.level.as_str().to_string(),
                l.info.summary,
            )
        })
        .collect();
    rows.sort();
    rows.extend(
        pfconf::codes::checks()
            .iter()
            .map(|c| (c.name, "check", c.severity.to_string(), c.summary)),
    );
    rows
}

fn print_list(g: &Global) -> ExitCode {
    let format = match g.style.format_for("explain --list", LIST_FORMATS) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let rows = rows();
    let json: Vec<serde_json::Value> = rows
        .iter()
        .map(|(name, kind, level, summary)| {
            serde_json::json!({"name": name, "kind": kind, "level": level, "summary": summary})
        })
        .collect();
    let table: Vec<String> = rows
        .iter()
        .map(|(name, kind, level, summary)| format!("{name:<24} {kind:<6} {level:<8} {summary}"))
        .collect();
    emit_list(format, &json, &table);
    ExitCode::SUCCESS
}
