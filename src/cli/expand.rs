//! `pfconf expand`: the rules pf loads, as `pfctl -nv` prints them.

use super::*;

/// `pfconf expand`: check first (errors: print them, exit 1), then print
/// the expanded ruleset.
pub(crate) fn run(
    path: Option<String>,
    format: ExpandFormat,
    interfaces: Option<PathBuf>,
    node: Option<PathBuf>,
    common: Common,
    color: bool,
) -> ExitCode {
    let ifs = match load_interfaces(&interfaces, &node) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let report = match read_and_check(path, node.as_deref(), &common) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if !report.is_ok() {
        let errors: Vec<Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        err(&pfconf::diag::render(&errors, &report.sources, color));
        return ExitCode::from(1);
    }
    let known = ifs.is_some();
    let ifs = ifs.unwrap_or_default();
    // `user` and `group` names resolve through the node's passwd and
    // group files when it has them.
    let accounts = node
        .as_deref()
        .and_then(|d| pfconf::node::Node::read_dir(d).ok())
        .and_then(|n| n.accounts);
    let expanded = match &accounts {
        Some(a) => pfconf::expand::expand_with_accounts(&report.resolved, &ifs, a),
        None => pfconf::expand::expand(&report.resolved, &ifs),
    };
    let (ugid_notes, if_notes): (Vec<&String>, Vec<&String>) = expanded
        .notes
        .iter()
        .partition(|n| n.starts_with("user ") || n.starts_with("group "));
    if !known && !if_notes.is_empty() {
        err("pfconf: no --interfaces given: interface names are kept as written\n");
    } else {
        for n in &if_notes {
            err(&format!("pfconf: note: {n}\n"));
        }
    }
    for n in &ugid_notes {
        err(&format!("pfconf: note: {n}\n"));
    }
    match format {
        ExpandFormat::Text => out(&expanded.to_string()),
        ExpandFormat::Json => {
            let rules: Vec<serde_json::Value> = expanded
                .all_rules()
                .iter()
                .map(|r| {
                    let (file, line, column) = report
                        .sources
                        .get(r.span.file)
                        .map(|f| {
                            let (l, c) = f.line_col(r.span.start);
                            (f.name.clone(), l, c)
                        })
                        .unwrap_or_default();
                    let mut v = serde_json::to_value(r).unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("children");
                        o.insert("text".into(), r.head().into());
                        o.insert(
                            "source".into(),
                            serde_json::json!({"file": file, "line": line, "column": column}),
                        );
                    }
                    v
                })
                .collect();
            let doc = serde_json::json!({
                "header": expanded.header.iter().map(|l| l.text.clone()).collect::<Vec<_>>(),
                "rules": rules,
                "notes": expanded.notes,
            });
            out(&format!("{doc}\n"));
        }
    }
    ExitCode::SUCCESS
}
