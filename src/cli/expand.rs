//! `pfconf expand`: the rules pf loads, as `pfctl -nv` prints them.

use super::*;

/// The formats `expand` writes: pfctl's text, or the rules as JSON.
const FORMATS: &[OutputFormat] = &[
    OutputFormat::Full,
    OutputFormat::Json,
    OutputFormat::JsonLines,
];

/// `pfconf expand`: check first (errors: print them, exit 1), then print
/// the expanded ruleset.
pub(crate) fn run(
    g: &Global,
    path: Option<String>,
    interfaces: Option<PathBuf>,
    node: Option<PathBuf>,
    common: Common,
) -> ExitCode {
    let (format, ifs, node_model) =
        match g.setup("expand", FORMATS, path.as_slice(), (&interfaces, &node)) {
            Ok(s) => s,
            Err(code) => return code,
        };
    let report = match valid_ruleset(g, path, node.as_deref(), &common, (format, "expand")) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let known = ifs.is_some();
    let ifs = ifs.unwrap_or_default();
    // `user` and `group` names resolve through the node's passwd and
    // group files when it has them.
    let accounts = node_model.and_then(|n| n.accounts);
    let accounts = accounts
        .as_ref()
        .unwrap_or_else(|| pfconf::accounts::Accounts::openbsd());
    let rule_json = |r: &pfconf::expand::ExpandedRule| {
        let (file, line, column) = report
            .sources
            .get(r.span.file)
            .map(|f| {
                let (l, c) = f.line_col(r.span.start());
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
    };
    // One rule's JSON, separated as the format wants: an item of the
    // document's `rules` array (a comma before each but the first) or a
    // line.
    let push_json = |into: &mut String, r: &pfconf::expand::ExpandedRule| {
        if format == OutputFormat::Json && !into.is_empty() {
            into.push(',');
        }
        into.push_str(&rule_json(r).to_string());
        if format == OutputFormat::JsonLines {
            into.push('\n');
        }
    };
    // Every format is written as each statement is expanded (one
    // statement's rules held at a time): the text, or the rules' JSON,
    // depth first. The output is kept for after the header and the
    // notes, which the expansion's end gives.
    let mut streamed = String::new();
    let expanded =
        pfconf::expand::expand_each(&report.resolved, &ifs, accounts, &mut |r| match format {
            OutputFormat::Json | OutputFormat::JsonLines => {
                for x in r.depth_first() {
                    push_json(&mut streamed, x);
                }
            }
            _ => streamed.push_str(&r.to_string()),
        });
    let (ugid_notes, if_notes): (Vec<&String>, Vec<&String>) = expanded
        .notes
        .iter()
        .partition(|n| n.starts_with("user ") || n.starts_with("group "));
    if !g.style.quiet {
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
    }
    match format {
        OutputFormat::Json => {
            // The rules not yet written: the loaded anchors no rule calls.
            for r in expanded.all_rules() {
                push_json(&mut streamed, r);
            }
            // The document's keys in the order serde_json writes an object
            // (sorted), the rules written above spliced in.
            let header: Vec<&str> = expanded.header.iter().map(|l| l.text.as_str()).collect();
            let header = serde_json::to_string(&header).unwrap_or_default();
            let notes = serde_json::to_string(&expanded.notes).unwrap_or_default();
            out(&format!(
                "{{\"diagnostics\":[],\"header\":{header},\"notes\":{notes},\"rules\":[{streamed}]}}\n"
            ));
        }
        OutputFormat::JsonLines => {
            for r in expanded.all_rules() {
                push_json(&mut streamed, r);
            }
            out(&streamed);
        }
        // Bytes of the input that were not UTF-8 (in a label, say) are
        // printed as they were, as pfctl prints them. The header, the
        // main ruleset's rules, then the loaded anchors no rule calls.
        _ => {
            let header: String = expanded
                .header
                .iter()
                .map(|l| format!("{}\n", l.text))
                .collect();
            out_text(&header, true);
            out_text(&streamed, true);
            // `rules` is empty: what is left are the uncalled anchors.
            out_text(&expanded.rules_text(), true);
        }
    }
    ExitCode::SUCCESS
}
