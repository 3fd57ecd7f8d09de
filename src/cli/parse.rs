//! `pfconf parse --json`: the source AST as JSON.

use super::*;

/// Prints the source AST of `path` (default ./pf.conf). A file that
/// cannot be read gives the same document with no AST and an `io-error`
/// diagnostic (and the message on stderr).
pub(crate) fn run(g: &Global, path: Option<String>) -> ExitCode {
    if g.style.format != OutputFormat::Full {
        if let Err(e) = g.style.format_for("parse", &[OutputFormat::Json]) {
            return fail(&e);
        }
    }
    let path = path.unwrap_or_else(|| "pf.conf".to_string());
    let (name, text) = match g.read(&path) {
        Ok(x) => x,
        Err(e) => {
            let name = if path == "-" { g.stdin_name() } else { &path };
            let failure = FileReport::failure(name, &e);
            let doc = serde_json::json!({"file": name, "ast": null});
            out(&format!("{}\n", failure.into_json(doc)));
            return ExitCode::from(2);
        }
    };
    let (map, ast, diags) = pfconf::parse_str(&name, &text);
    let ast = match serde_json::to_value(&ast) {
        Ok(v) => v,
        Err(e) => {
            err(&format!(
                "pfconf: internal error: the AST has no JSON form: {e}\n"
            ));
            return ExitCode::from(2);
        }
    };
    let doc = serde_json::json!({
        "file": name,
        "ast": ast,
        "diagnostics": diags.iter().map(|d| json_diag(d, &map)).collect::<Vec<_>>(),
    });
    out(&format!("{doc}\n"));
    if diags.iter().any(Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
