//! `pfconf lint`: the checks, then the lints, with the node and the project configuration.

use super::*;

pub(crate) struct LintArgs {
    pub(crate) paths: Vec<String>,
    pub(crate) select: Vec<String>,
    pub(crate) ignore: Vec<String>,
    pub(crate) deny: Option<String>,
    pub(crate) list: bool,
    pub(crate) lints_only: bool,
    pub(crate) find_includers: bool,
    pub(crate) no_flows: bool,
    pub(crate) fix: FixMode,
    pub(crate) node: Option<PathBuf>,
    pub(crate) common: Common,
}

/// `--fix`, `--unsafe-fixes`, `--diff`.
#[derive(Clone, Copy)]
pub(crate) struct FixMode {
    pub(crate) apply: bool,
    pub(crate) unsafe_fixes: bool,
    pub(crate) diff: bool,
}

pub(crate) fn run(g: &Global, a: LintArgs) -> ExitCode {
    use pfconf::lint::{self, Level};
    if a.list {
        return list(g);
    }
    let format = match g.style.format_for("lint", DIAGNOSTIC_FORMATS) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let deny_warnings = match a.deny.as_deref() {
        None => false,
        Some("warnings") => true,
        Some(other) => {
            return fail(&format!(
                "--deny {other}: only `--deny warnings` is supported"
            ))
        }
    };
    let mut cfg = match g.lint_config(&a.paths) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    for n in a.select.iter().chain(a.ignore.iter()) {
        if lint::find(n).is_none() {
            return fail(&format!("unknown lint `{n}` (see `pfconf lint --list`)"));
        }
    }
    cfg.select = a.select.clone();
    // `--node DIR`, else `pfconf.toml [node] dir`.
    let node_dir = match (&a.node, &cfg.node_dir) {
        (Some(dir), _) => Some((dir.clone(), "--node")),
        (None, Some(dir)) => Some((dir.clone(), "[node] dir")),
        (None, None) => None,
    };
    if let Some((dir, from)) = node_dir {
        if let Err(e) = cfg.read_node(&dir) {
            return fail(&format!("{from}: {e}"));
        }
    }
    for n in &a.ignore {
        cfg.levels.insert(n.clone(), Level::Off);
    }
    let mut inputs = match Inputs::new(a.paths.clone(), a.node.as_deref(), &a.common) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    inputs.through_includers(a.find_includers);
    let accounts = cfg.node.as_ref().and_then(|n| n.accounts.as_ref());
    let lints = |report: &mut pfconf::Report| {
        // Findings about the node point into its files.
        let mut cfg = cfg.clone();
        if let Some(n) = &mut cfg.node {
            n.attach_sources(&mut report.sources);
        }
        let mut found = lint::run(report, &cfg);
        if !a.no_flows {
            found.extend(flows(g, report, &cfg, a.node.as_deref()));
        }
        found
    };
    if a.fix.apply || a.fix.diff {
        return fix_all(g, &inputs, accounts, &lints, a.fix, format, deny_warnings);
    }
    let (mut reports, mut status) = inputs.check_all(g, accounts, lints);
    if a.lints_only {
        // The check hook reports check errors; the lint hook does not
        // repeat them, and a ruleset with errors is not linted.
        status = reports
            .iter()
            .map(|r| if r.failed { 2 } else { 0 })
            .max()
            .unwrap_or(0);
        for r in reports.iter_mut().filter(|r| !r.failed) {
            // Policy test findings are the user's own tests: kept.
            let is_check = |d: &Diagnostic| {
                pfconf::lint::find(d.code).is_none()
                    && !matches!(d.code, "flow-failed" | "flow-invalid")
            };
            if r.diags.iter().any(|d| d.is_error() && is_check(d)) {
                err(&format!(
                    "pfconf: {}: not linted: it has check errors (`pfconf check` reports them)\n",
                    r.name
                ));
            }
            r.diags.retain(|d| !is_check(d));
            let deny = |d: &Diagnostic| {
                d.is_error() || (deny_warnings && d.severity == pfconf::Severity::Warning)
            };
            if r.diags.iter().any(deny) {
                status = status.max(1);
            }
        }
    }
    if deny_warnings
        && reports
            .iter()
            .flat_map(|r| &r.diags)
            .any(|d| d.severity == pfconf::Severity::Warning)
    {
        status = status.max(1);
    }
    emit(&reports, format, &g.style, "lint");
    check::print_summary(g, format, &reports);
    ExitCode::from(status)
}

/// The policy tests found next to a ruleset (`*.pft`, `pfconf.toml [test]
/// flows`, as `pfconf test` finds them) run on it: each failure a
/// `flow-failed` or `flow-invalid` finding in its flow file. Standard
/// input without `--stdin-filename` has no place to look.
fn flows(
    g: &Global,
    report: &mut pfconf::Report,
    cfg: &pfconf::lint::LintConfig,
    node: Option<&std::path::Path>,
) -> Vec<Diagnostic> {
    let Some(main) = report
        .sources
        .get(pfconf::FileId(0))
        .map(|f| f.name.clone())
    else {
        return Vec::new();
    };
    if main == "-" || (main == g.stdin_name() && g.stdin_name.is_none()) {
        return Vec::new();
    }
    // pfconf.toml was read and checked before any ruleset.
    let Ok((files, config)) = found_flows(g, Some(&main), node, std::slice::from_ref(&main)) else {
        return Vec::new();
    };
    let mut sources: Vec<(String, String)> = config.into_iter().collect();
    sources.extend(files.iter().filter_map(|f| g.read(f).ok()));
    if sources.is_empty() {
        return Vec::new();
    }
    let evaluator = match &cfg.node {
        Some(n) => pfconf::eval::Evaluator::with_node(&report.resolved, n),
        None => pfconf::eval::Evaluator::new(&report.resolved, None),
    };
    let mut found = Vec::new();
    for (name, text) in sources {
        let id = report.sources.add(name, text.clone());
        found.extend(pfconf::policy::findings(
            &text,
            id,
            &evaluator,
            &report.resolved,
        ));
    }
    found
}

/// `lint --list`: every lint with its default level and summary, as a
/// table or (`--format json`) an array of objects.
fn list(g: &Global) -> ExitCode {
    let format = match g.style.format_for("lint --list", LIST_FORMATS) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let lints = pfconf::lint::registry();
    let rows: Vec<serde_json::Value> = lints
        .iter()
        .map(|l| {
            serde_json::json!({
                "name": l.info.name,
                "level": l.info.level.as_str(),
                "summary": l.info.summary,
            })
        })
        .collect();
    let table: Vec<String> = lints
        .iter()
        .map(|l| {
            format!(
                "{:<20} {:<8} {}",
                l.info.name,
                l.info.level.as_str(),
                l.info.summary
            )
        })
        .collect();
    emit_list(format, &rows, &table);
    ExitCode::SUCCESS
}

/// `lint --fix` / `--diff`: each target fixed in memory and checked again
/// ([`super::fix`]), then written (or shown as a diff); the findings left
/// are reported as `lint` reports them. Standard input's fixed text goes
/// to stdout, its findings to stderr.
fn fix_all(
    g: &Global,
    inputs: &Inputs,
    accounts: Option<&pfconf::accounts::Accounts>,
    lints: &dyn Fn(&mut pfconf::Report) -> Vec<Diagnostic>,
    mode: FixMode,
    format: OutputFormat,
    deny_warnings: bool,
) -> ExitCode {
    let mut status = 0u8;
    let mut reports = Vec::new();
    let (mut applied, mut hidden) = (0usize, 0usize);
    let mut stdin_text = None;
    for t in &inputs.targets {
        let fixed = match super::fix::fix_target(g, inputs, t, accounts, lints, mode.unsafe_fixes) {
            Ok(f) => f,
            Err(e) => {
                status = 2;
                reports.push(FileReport::failure(&target_name(g, t), &e));
                continue;
            }
        };
        applied += fixed.applied;
        hidden += fixed.hidden;
        for (path, before, after) in &fixed.changed {
            let shown = super::includers::shown_path(path);
            if mode.diff {
                status = status.max(1);
                if !format.is_machine() {
                    out(&unified_diff(&shown, before, after, g.style.color_stdout()));
                }
            } else if path.as_os_str() == "-" {
                stdin_text = Some(after.clone());
            } else if let Err(e) = super::fmt::write_atomically(
                &path.display().to_string(),
                &pfconf::encoding::encode(after, true),
            ) {
                status = 2;
                reports.push(FileReport::failure(
                    &shown,
                    &format!("{shown}: cannot write: {e}"),
                ));
            }
        }
        let bad = |d: &Diagnostic| {
            d.is_error() || (deny_warnings && d.severity == pfconf::Severity::Warning)
        };
        if !mode.diff && fixed.report.diags.iter().any(bad) {
            status = status.max(1);
        }
        reports.push(fixed.report);
    }
    match stdin_text {
        Some(text) => {
            out_text(&text, true);
            err(&output::render(
                &reports,
                format,
                &g.style,
                "lint",
                g.style.color_stderr(),
            ));
        }
        None if !mode.diff || format.is_machine() => emit(&reports, format, &g.style, "lint"),
        None => {}
    }
    if format == OutputFormat::Full && !g.style.quiet {
        let left: usize = reports.iter().map(|r| r.diags.len()).sum();
        let verb = if mode.diff { "Would fix" } else { "Fixed" };
        let mut line = format!("{verb} {applied} finding(s), {left} left.");
        if hidden > 0 {
            line.push_str(&format!(
                " {hidden} more fix(es) with --unsafe-fixes (they may change what pf loads)."
            ));
        }
        err(&format!("{line}\n"));
    }
    ExitCode::from(status)
}
