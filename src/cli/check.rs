//! `pfconf check`: parse, resolve and check rulesets as `pfctl -nf` would.

use super::*;

/// Runs `pfconf check`.
pub(crate) fn run(
    paths: Vec<String>,
    format: Format,
    node: Option<PathBuf>,
    config: Option<PathBuf>,
    common: Common,
    quiet: bool,
    color: bool,
) -> ExitCode {
    // A project configuration with a typo stops every command.
    match project_config(config.as_deref(), &paths) {
        Ok(Some((path, text))) => {
            if let Err(e) =
                pfconf::lint::LintConfig::from_toml_file(&text, &path.display().to_string())
            {
                err(&format!("pfconf: {e}\n"));
                return ExitCode::from(2);
            }
        }
        Ok(None) => {}
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
            return ExitCode::from(2);
        }
    }
    let inputs = match Inputs::new(paths, node.as_deref(), &common) {
        Ok(i) => i,
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
            return ExitCode::from(2);
        }
    };
    let node_accounts = node
        .as_deref()
        .and_then(|d| pfconf::node::Node::read_dir(d).ok())
        .and_then(|n| n.accounts);
    let mut status = 0u8;
    let mut json = Vec::new();
    // (errors, warnings) over every file, and the files read.
    let mut counts = (0usize, 0usize);
    let mut checked = 0usize;
    for p in &inputs.targets {
        let report = match inputs.check(p, node_accounts.as_ref()) {
            Ok(r) => r,
            Err(e) => {
                err(&format!("pfconf: {e}\n"));
                status = 2;
                continue;
            }
        };
        if !report.is_ok() && status == 0 {
            status = 1;
        }
        for d in &report.diagnostics {
            match d.severity {
                pfconf::diag::Severity::Error => counts.0 += 1,
                pfconf::diag::Severity::Warning => counts.1 += 1,
                pfconf::diag::Severity::Info => {}
            }
        }
        checked += 1;
        let shown: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| !quiet || d.is_error())
            .collect();
        match format {
            Format::Json => json.extend(shown.iter().map(|d| json_diag(d, &report.sources))),
            Format::Short => {
                for d in shown {
                    err(&format!("{}\n", d.short(&report.sources)));
                }
            }
            Format::Rich => {
                let owned: Vec<Diagnostic> = shown.into_iter().cloned().collect();
                err(&pfconf::diag::render(&owned, &report.sources, color));
            }
        }
    }
    if format == Format::Json {
        out(&format!("{}\n", serde_json::Value::Array(json)));
    }
    // On a terminal, a newcomer sees that the check ran: one line at
    // the end, as ruff prints "All checks passed!". Pipes and
    // machine formats are unchanged; -q silences it.
    if format == Format::Rich && !quiet && std::io::stdout().is_terminal() && checked > 0 {
        out(&summary_line(&inputs.targets, counts));
    }
    ExitCode::from(status)
}

/// `check`'s closing line on a terminal: `pf.conf: 0 errors, 2 warnings`
/// (`3 files: ...` for several), or `All checks passed.` when there is
/// nothing to report.
fn summary_line(paths: &[(String, Option<String>)], (errors, warnings): (usize, usize)) -> String {
    if errors == 0 && warnings == 0 {
        return "All checks passed.\n".to_string();
    }
    let what = match paths {
        [(p, shown)] => shown.clone().unwrap_or_else(|| p.clone()),
        _ => format!("{} files", paths.len()),
    };
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{what}: {}, {}\n",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
