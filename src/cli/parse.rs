//! `pfconf parse --json`: the source AST as JSON.

use super::*;

/// Prints the source AST of `path` (default ./pf.conf).
pub(crate) fn run(path: Option<String>) -> ExitCode {
    let path = path.unwrap_or_else(|| "pf.conf".to_string());
    let (name, text) = match read_input(&path) {
        Ok(x) => x,
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
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
