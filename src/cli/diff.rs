//! `pfconf diff`: parity of two rulesets or two node directories.

use super::*;
use pfconf::diff::{Difference, Parity};

/// The formats `diff` writes.
const FORMATS: &[OutputFormat] = DIAGNOSTIC_FORMATS;

pub(crate) fn run(g: &Global, a: &str, b: &str, ignore: &[String]) -> ExitCode {
    use pfconf::diff::{compare_nodes, compare_rulesets};
    let format = match g.style.format_for("diff", FORMATS) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    if a == "-" && b == "-" {
        return fail("standard input can stand for one side of `diff`, not both");
    }
    let rulesets: Vec<String> = [a, b]
        .iter()
        .filter(|p| !std::path::Path::new(p).is_dir())
        .map(|p| p.to_string())
        .collect();
    if let Err(e) = g.lint_config(&rulesets) {
        return fail(&e);
    }
    let (pa, pb) = (std::path::Path::new(a), std::path::Path::new(b));
    let parity = match (pa.is_dir(), pb.is_dir()) {
        (true, true) => compare_nodes(pa, pb, ignore).map_err(|e| (a.to_string(), e.to_string())),
        (false, false) => match (g.read(a), g.read(b)) {
            (Ok((na, ta)), Ok((nb, tb))) => {
                let l = FsLoader::default();
                Ok(compare_rulesets((&na, &ta), (&nb, &tb), &l, &l, ignore))
            }
            (Err(e), _) => Err((a.to_string(), e)),
            (_, Err(e)) => Err((b.to_string(), e)),
        },
        _ => {
            return fail("compare two rulesets or two node directories, not one of each");
        }
    };
    let parity = match parity {
        Ok(p) => p,
        Err((name, e)) => {
            // A program reading JSON gets JSON with the failure in it.
            let failure = FileReport::failure(&name, &e);
            match format {
                OutputFormat::Json => out(&format!(
                    "{}\n",
                    failure.into_json(
                        serde_json::json!({"differences": [], "neutral": [], "expected": 0})
                    )
                )),
                _ => emit(&[failure], format, &g.style, "diff"),
            }
            return ExitCode::from(2);
        }
    };
    match format {
        OutputFormat::Json => out(&format!(
            "{}\n",
            serde_json::json!({
                "differences": parity.differences,
                "neutral": parity.neutral,
                "expected": parity.expected,
                "diagnostics": [],
            })
        )),
        OutputFormat::JsonLines => {
            for (d, drift) in parity
                .differences
                .iter()
                .map(|d| (d, true))
                .chain(parity.neutral.iter().map(|d| (d, false)))
            {
                let mut v = serde_json::to_value(d).unwrap_or_default();
                v["drift"] = drift.into();
                out(&format!("{v}\n"));
            }
        }
        OutputFormat::Full => out(&human(&parity, g.style.color_stdout())),
        _ => emit(&[as_report(&parity)], format, &g.style, "diff"),
    }
    if parity.differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The text a person reads: the count, each difference with its place on
/// both nodes, and the unified diff of the expanded rulesets when rules
/// differ.
fn human(parity: &Parity, color: bool) -> String {
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
    if parity.differences.iter().any(|d| d.kind.is_ruleset()) {
        text.push('\n');
        text.push_str(&unified_diff(
            "expanded",
            &parity.text_a,
            &parity.text_b,
            color,
        ));
    }
    text
}

/// The differences as diagnostics, for the one-line, SARIF, GitHub and
/// JUnit formats: each at its place on node A (else node B), with the
/// other node's place as a label; drift is an error, a neutral reorder
/// is info. The places are lines of files pfconf has already closed, so
/// the diagnostics point into a map that holds, at each such line, the
/// text the difference quotes.
fn as_report(parity: &Parity) -> FileReport {
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    let all: Vec<(&Difference, bool)> = parity
        .differences
        .iter()
        .map(|d| (d, true))
        .chain(parity.neutral.iter().map(|d| (d, false)))
        .collect();
    for p in all.iter().flat_map(|(d, _)| [&d.a, &d.b]).flatten() {
        let i = match lines.iter().position(|(f, _)| f == &p.file) {
            Some(i) => i,
            None => {
                lines.push((p.file.clone(), Vec::new()));
                lines.len() - 1
            }
        };
        let at = p.line.max(1);
        let file = &mut lines[i].1;
        if file.len() < at {
            file.resize(at, String::new());
        }
        if file[at - 1].is_empty() {
            file[at - 1] = p.text.clone();
        }
    }
    let mut sources = SourceMap::new();
    let ids: Vec<(String, pfconf::FileId, String)> = lines
        .into_iter()
        .map(|(name, ls)| {
            let text = ls.join("\n") + "\n";
            let id = sources.add(name.clone(), text.clone());
            (name, id, text)
        })
        .collect();
    let span_of = |p: &pfconf::diff::Place| {
        let (_, id, text) = ids.iter().find(|(n, _, _)| n == &p.file)?;
        let start: usize = text
            .split_inclusive('\n')
            .take(p.line.max(1) - 1)
            .map(str::len)
            .sum();
        let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
        Some(pfconf::Span::new(*id, start, end))
    };
    let mut diags = Vec::new();
    for (d, drift) in all {
        let (here, other, other_side) = match (&d.a, &d.b) {
            (Some(a), b) => (a, b.as_ref(), "node B"),
            (None, Some(b)) => (b, None, "node A"),
            (None, None) => continue,
        };
        let Some(span) = span_of(here) else { continue };
        let mut diag = if drift {
            Diagnostic::error(d.kind.as_str(), span, d.message.clone())
        } else {
            let mut x = Diagnostic::warning(d.kind.as_str(), span, d.message.clone());
            x.severity = pfconf::Severity::Info;
            x
        };
        if let Some(o) = other {
            if let Some(s) = span_of(o) {
                diag = diag.with_label(s, format!("{other_side}: {}", o.text));
            }
        }
        diags.push(diag);
    }
    FileReport::checked("diff", diags, sources)
}
