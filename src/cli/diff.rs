//! `pfconf diff`: parity of two rulesets or two node directories.

use super::*;

pub(crate) fn run(
    a: &std::path::Path,
    b: &std::path::Path,
    format: EvalFormat,
    ignore: &[String],
    color: bool,
) -> ExitCode {
    use pfconf::diff::{compare_nodes, compare_rulesets};
    let parity = match (a.is_dir(), b.is_dir()) {
        (true, true) => compare_nodes(a, b, ignore),
        (false, false) => {
            let read = |p: &std::path::Path| read_text(p).map_err(|e| load_error_text(&e));
            match (read(a), read(b)) {
                (Ok(ta), Ok(tb)) => {
                    let l = FsLoader::default();
                    let (na, nb) = (a.display().to_string(), b.display().to_string());
                    Ok(compare_rulesets((&na, &ta), (&nb, &tb), &l, &l, ignore))
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
        _ => Err("compare two rulesets or two node directories, not one of each".to_string()),
    };
    let parity = match parity {
        Ok(p) => p,
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
            return ExitCode::from(2);
        }
    };
    match format {
        EvalFormat::Json => out(&format!(
            "{}\n",
            serde_json::json!({"differences": parity.differences, "neutral": parity.neutral, "expected": parity.expected})
        )),
        EvalFormat::Human => {
            let mut text = format!(
                "{} difference(s){}\n",
                parity.differences.len(),
                if parity.expected > 0 {
                    format!(", {} expected (per-node macros)", parity.expected)
                } else {
                    String::new()
                }
            );
            if !parity.neutral.is_empty() {
                text.push_str(&format!(
                    "{} neutral reorder(s) (no verdict changes; not drift)\n",
                    parity.neutral.len()
                ));
            }
            for d in parity.differences.iter().chain(&parity.neutral) {
                text.push_str(&format!("{}: {}\n", d.kind, d.message));
                for (side, p) in [("A", &d.a), ("B", &d.b)] {
                    if let Some(p) = p {
                        if p.line > 0 {
                            text.push_str(&format!("  {side} {}:{}: {}\n", p.file, p.line, p.text));
                        } else {
                            text.push_str(&format!("  {side} {}: {}\n", p.file, p.text));
                        }
                    }
                }
            }
            if parity.differences.iter().any(|d| {
                d.kind.starts_with("rule") || matches!(d.kind, "option" | "table" | "queue")
            }) {
                text.push('\n');
                text.push_str(&unified_diff(
                    "expanded",
                    &parity.text_a,
                    &parity.text_b,
                    color && std::io::stdout().is_terminal(),
                ));
            }
            out(&text);
        }
    }
    if parity.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
