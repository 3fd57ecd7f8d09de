//! `pfconf lint`: the checks, then the lints, with the node and the project configuration.

use super::*;

pub(crate) struct LintArgs {
    pub(crate) paths: Vec<String>,
    pub(crate) format: LintFormat,
    pub(crate) config: Option<PathBuf>,
    pub(crate) select: Vec<String>,
    pub(crate) ignore: Vec<String>,
    pub(crate) deny: Option<String>,
    pub(crate) list: bool,
    pub(crate) node: Option<PathBuf>,
    pub(crate) common: Common,
}

pub(crate) fn run(a: LintArgs, color: bool, quiet: bool) -> ExitCode {
    use pfconf::lint::{self, Level, LintConfig};
    if a.list {
        for l in lint::registry() {
            out(&format!(
                "{:<20} {:<8} {}\n",
                l.info.name,
                l.info.level.as_str(),
                l.info.summary
            ));
        }
        return ExitCode::SUCCESS;
    }
    let deny_warnings = match a.deny.as_deref() {
        None => false,
        Some("warnings") => true,
        Some(other) => {
            err(&format!(
                "pfconf: --deny {other}: only `--deny warnings` is supported\n"
            ));
            return ExitCode::from(2);
        }
    };
    let mut cfg = match project_config(a.config.as_deref(), &a.paths) {
        Ok(Some((path, text))) => {
            match LintConfig::from_toml_file(&text, &path.display().to_string()) {
                Ok(c) => c,
                Err(e) => {
                    err(&format!("pfconf: {e}\n"));
                    return ExitCode::from(2);
                }
            }
        }
        Ok(None) => LintConfig::default(),
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
            return ExitCode::from(2);
        }
    };
    for n in a.select.iter().chain(a.ignore.iter()) {
        if lint::find(n).is_none() {
            err(&format!(
                "pfconf: unknown lint `{n}` (see `pfconf lint --list`)\n"
            ));
            return ExitCode::from(2);
        }
    }
    cfg.select = a.select.clone();
    if let Some(dir) = &a.node {
        match pfconf::node::Node::read_dir(dir) {
            // The node directory comes first; `[ha]` fills the CARP
            // parents and sync interface it does not name.
            Ok(mut n) => {
                if let Some(ha) = &cfg.node {
                    n.fill_from(ha);
                }
                cfg.node = Some(n)
            }
            Err(e) => {
                err(&format!("pfconf: --node: {e}\n"));
                return ExitCode::from(2);
            }
        }
    }
    for n in &a.ignore {
        cfg.levels.insert(n.clone(), Level::Off);
    }
    let inputs = match Inputs::new(a.paths.clone(), a.node.as_deref(), &a.common) {
        Ok(i) => i,
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
            return ExitCode::from(2);
        }
    };
    let mut status = 0u8;
    let mut all: Vec<(Vec<Diagnostic>, SourceMap)> = Vec::new();
    let accounts = cfg.node.as_ref().and_then(|n| n.accounts.as_ref());
    for p in &inputs.targets {
        let mut report = match inputs.check(p, accounts) {
            Ok(r) => r,
            Err(e) => {
                err(&format!("pfconf: {e}\n"));
                status = 2;
                continue;
            }
        };
        let mut diags: Vec<Diagnostic> = report.diagnostics.clone();
        if report.is_ok() {
            // Findings about the node point into its files.
            let mut cfg = cfg.clone();
            if let Some(n) = &mut cfg.node {
                n.attach_sources(&mut report.sources);
            }
            diags.extend(lint::run(&report, &cfg));
        }
        pfconf::diag::sort(&mut diags);
        if diags
            .iter()
            .any(|d| d.is_error() || (deny_warnings && d.severity == pfconf::Severity::Warning))
        {
            status = status.max(1);
        }
        if quiet {
            diags.retain(Diagnostic::is_error);
        }
        all.push((diags, report.sources));
    }
    match a.format {
        LintFormat::Rich => {
            for (d, m) in &all {
                err(&pfconf::diag::render(d, m, color));
            }
        }
        LintFormat::Short => {
            for (d, m) in &all {
                for x in d {
                    err(&format!("{}\n", x.short(m)));
                }
            }
        }
        LintFormat::Json => {
            let v: Vec<serde_json::Value> = all
                .iter()
                .flat_map(|(d, m)| {
                    d.iter()
                        .map(|x| lint::output::json_diagnostic(x, m))
                        .collect::<Vec<_>>()
                })
                .collect();
            out(&format!("{}\n", serde_json::Value::Array(v)));
        }
        LintFormat::Sarif => {
            // One run over all files: merge by rendering each file's results.
            let mut runs: Option<serde_json::Value> = None;
            for (d, m) in &all {
                let s = lint::output::sarif(d, m);
                match &mut runs {
                    None => runs = Some(s),
                    Some(acc) => {
                        let extra = s["runs"][0]["results"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default();
                        if let Some(r) = acc["runs"][0]["results"].as_array_mut() {
                            r.extend(extra);
                        }
                        let rules = s["runs"][0]["tool"]["driver"]["rules"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default();
                        if let Some(have) = acc["runs"][0]["tool"]["driver"]["rules"].as_array_mut()
                        {
                            for r in rules {
                                if !have.iter().any(|h| h["id"] == r["id"]) {
                                    have.push(r);
                                }
                            }
                        }
                    }
                }
            }
            let doc = runs.unwrap_or_else(|| lint::output::sarif(&[], &SourceMap::new()));
            out(&format!("{doc}\n"));
        }
        LintFormat::Github => {
            for (d, m) in &all {
                out(&lint::output::github(d, m));
            }
        }
    }
    ExitCode::from(status)
}
