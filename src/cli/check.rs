//! `pfconf check`: parse, resolve and check rulesets as `pfctl -nf` would.

use super::*;

/// Runs `pfconf check`.
pub(crate) fn run(
    g: &Global,
    paths: Vec<String>,
    node: Option<PathBuf>,
    find_includers: bool,
    common: Common,
) -> ExitCode {
    let format = match g.style.format_for("check", DIAGNOSTIC_FORMATS) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    // A project configuration with a typo stops every command.
    if let Err(e) = g.lint_config(&paths) {
        return fail(&e);
    }
    let mut inputs = match Inputs::new(paths, node.as_deref(), &common) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    inputs.through_includers(find_includers);
    let node_accounts = node
        .as_deref()
        .and_then(|d| pfconf::node::Node::read_dir(d).ok())
        .and_then(|n| n.accounts);
    let (reports, status) = inputs.check_all(g, node_accounts.as_ref(), |_| Vec::new());
    emit(&reports, format, &g.style, "check");
    print_summary(g, format, &reports);
    ExitCode::from(status)
}

/// On a terminal, a newcomer sees that the check ran: one line at the
/// end, as ruff prints "All checks passed!". Pipes and machine formats
/// are unchanged; -q silences it.
pub(crate) fn print_summary(g: &Global, format: OutputFormat, reports: &[FileReport]) {
    let checked: Vec<&FileReport> = reports.iter().filter(|r| !r.failed).collect();
    if format != OutputFormat::Full
        || g.style.quiet
        || !std::io::stdout().is_terminal()
        || checked.is_empty()
    {
        return;
    }
    let count = |s: pfconf::Severity| {
        checked
            .iter()
            .flat_map(|r| &r.diags)
            .filter(|d| d.severity == s)
            .count()
    };
    let names: Vec<&str> = checked.iter().map(|r| r.name.as_str()).collect();
    out(&summary_line(
        &names,
        (
            count(pfconf::Severity::Error),
            count(pfconf::Severity::Warning),
        ),
    ));
}

/// `check`'s closing line on a terminal: `pf.conf: 0 errors, 2 warnings`
/// (`3 files: ...` for several), or `All checks passed.` when there is
/// nothing to report.
fn summary_line(names: &[&str], (errors, warnings): (usize, usize)) -> String {
    if errors == 0 && warnings == 0 {
        return "All checks passed.\n".to_string();
    }
    let what = match names {
        [one] => one.to_string(),
        _ => format!("{} files", names.len()),
    };
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{what}: {}, {}\n",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
