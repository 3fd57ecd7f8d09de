//! The `pfconf` command line: the argument definitions ([`args`]), one
//! module per command, and what the commands share (reading inputs, the
//! node directory's ruleset, the project configuration, writing output).
//!
//! Exit status, the same on every command: 0 clean, 1 the input has
//! problems, 2 pfconf could not do its job (usage error, unreadable file,
//! bad configuration, internal error).

mod args;
mod check;
mod diff;
mod eval;
mod expand;
mod explain;
mod fix;
mod fmt;
mod includers;
mod lint;
mod lsp;
mod output;
mod parse;
mod shell;
mod test;

pub(crate) use args::*;
pub(crate) use output::{emit, emit_list, FileReport, Style, DIAGNOSTIC_FORMATS, LIST_FORMATS};
use pfconf::resolve::read_text;
use pfconf::{check_with, Diagnostic, FsLoader, Options, SourceMap};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// What every command shares from the global options: how to write,
/// the project configuration named by `--config`, and the name of
/// standard input.
pub(crate) struct Global {
    pub(crate) style: Style,
    config: Option<PathBuf>,
    stdin_name: Option<String>,
}

impl Global {
    /// Standard input's name in diagnostics: `--stdin-filename`, else
    /// `stdin`.
    pub(crate) fn stdin_name(&self) -> &str {
        self.stdin_name.as_deref().unwrap_or("stdin")
    }

    /// Reads a PATH argument (`-`: standard input): its shown name and
    /// text.
    pub(crate) fn read(&self, path: &str) -> Result<(String, String), String> {
        self.read_raw(path).map(|(n, t, _)| (n, t))
    }

    /// [`Global::read`], and whether the input held bytes that are not
    /// UTF-8.
    pub(crate) fn read_raw(&self, path: &str) -> Result<(String, String, bool), String> {
        let (name, text, raw) = read_input(path)?;
        if path == "-" {
            return Ok((self.stdin_name().to_string(), text, raw));
        }
        Ok((name, text, raw))
    }

    /// The project configuration for these PATHs ([`project_config`]),
    /// with `-` standing for `--stdin-filename`.
    pub(crate) fn config_text(
        &self,
        paths: &[String],
    ) -> Result<Option<(PathBuf, String)>, String> {
        let named: Vec<String> = paths
            .iter()
            .filter_map(|p| match (p.as_str(), &self.stdin_name) {
                ("-", Some(n)) => Some(n.clone()),
                ("-", None) => None,
                _ => Some(p.clone()),
            })
            .collect();
        project_config(self.config.as_deref(), &named)
    }

    /// The lint configuration of the project (default when there is no
    /// pfconf.toml). Every command reads it, so that a typo in it stops
    /// every command (exit 2), as ruff does.
    pub(crate) fn lint_config(&self, paths: &[String]) -> Result<pfconf::lint::LintConfig, String> {
        match self.config_text(paths)? {
            Some((path, text)) => {
                let name = includers::shown_path(&path);
                let cfg = pfconf::lint::LintConfig::from_toml_file(&text, &name)
                    .map_err(|e| e.to_string())?;
                // The other sections' values too: a bad `[format] width`
                // stops `lint` as it stops `fmt`.
                pfconf::config::check_keys(&text, &name)
                    .and_then(|t| pfconf::config::check_values(&t, &name))
                    .map_err(|e| e.located(&text).to_string())?;
                Ok(cfg)
            }
            None => Ok(pfconf::lint::LintConfig::default()),
        }
    }

    /// The preamble of the commands that evaluate one ruleset (`eval`,
    /// `expand`, `test`): `--format` checked against what `command`
    /// writes, the `pfconf.toml` of `config_paths` read (a typo stops the
    /// command), then `--interfaces` and `--node` read
    /// ([`load_interfaces`]): the format, the interfaces and the node
    /// model. A failure has been reported: exit 2.
    pub(crate) fn setup(
        &self,
        command: &str,
        formats: &[OutputFormat],
        config_paths: &[String],
        (interfaces, node): (&Option<PathBuf>, &Option<PathBuf>),
    ) -> Result<
        (
            OutputFormat,
            Option<pfconf::expand::Interfaces>,
            Option<pfconf::node::Node>,
        ),
        ExitCode,
    > {
        let format = self
            .style
            .format_for(command, formats)
            .map_err(|e| fail(&e))?;
        self.lint_config(config_paths).map_err(|e| fail(&e))?;
        let (interfaces, node) = load_interfaces(interfaces, node)?;
        Ok((format, interfaces, node))
    }
}

/// The `*.pft` paths found, and `[test] flows` as a (name, text) source.
pub(crate) type FoundFlows = (Vec<String>, Option<(String, String)>);

/// The flows of a ruleset when no flow file is named: the paths of the
/// `*.pft` files next to it (or in the node's `etc`, or the working
/// directory for standard input), sorted, and the `[test] flows` of the
/// project's `pfconf.toml` as one more (name, text) source.
pub(crate) fn found_flows(
    g: &Global,
    ruleset: Option<&str>,
    node: Option<&std::path::Path>,
    config_paths: &[String],
) -> Result<FoundFlows, String> {
    let dir = match (node, ruleset) {
        (_, Some(p)) if p != "-" => std::path::Path::new(p)
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default(),
        (Some(d), _) => {
            let etc = d.join("etc");
            if etc.is_dir() {
                etc
            } else {
                d.to_path_buf()
            }
        }
        _ => PathBuf::new(),
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let found: Vec<String> = pfconf::policy::flow_files_in(&dir)
        .iter()
        .map(|p| {
            let shown = p.display().to_string();
            shown
                .strip_prefix("./")
                .map(str::to_string)
                .unwrap_or(shown)
        })
        .collect();
    let config = match g.config_text(config_paths)? {
        Some((path, text)) => {
            let name = includers::shown_path(&path);
            let lines = pfconf::config::check_keys(&text, &name)
                .and_then(|t| pfconf::config::test_flows(&t, &name))
                .map_err(|e| e.located(&text).to_string())?;
            (!lines.is_empty()).then(|| (format!("{name} [test]"), lines.join("\n") + "\n"))
        }
        None => None,
    };
    Ok((found, config))
}

/// Prints `pfconf: MESSAGE` on stderr and gives exit status 2 (pfconf
/// could not do its job).
pub(crate) fn fail(message: &str) -> ExitCode {
    err(&format!("pfconf: {message}\n"));
    ExitCode::from(2)
}

/// Reads a PATH argument (`-`: standard input) as text: its name, the
/// text, and whether it held bytes that are not UTF-8 (see
/// [`pfconf::encoding`]; `fmt` writes them back).
pub(crate) fn read_input(path: &str) -> Result<(String, String, bool), String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("stdin: {e}"))?;
        let (text, raw) = pfconf::encoding::decode(buf);
        return Ok(("stdin".to_string(), text, raw));
    }
    pfconf::resolve::read_bytes_as_text(std::path::Path::new(path))
        .map(|(t, raw)| (path.to_string(), t, raw))
        .map_err(|e| e.to_string())
}

/// One ruleset a command reads.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Target {
    /// The path to read (`-`: standard input).
    pub(crate) path: String,
    /// The name to show, when it is not `path` (`/etc/pf.conf` for a
    /// node's ruleset).
    pub(crate) shown: Option<String>,
    /// Where absolute paths in it resolve, when not `--root`'s (the node
    /// directory of an includer found in the repository).
    pub(crate) root: Option<PathBuf>,
}

impl Target {
    /// A PATH as given.
    pub(crate) fn path(path: String) -> Target {
        Target {
            path,
            shown: None,
            root: None,
        }
    }
}

/// The rulesets a command reads. With `--node DIR` and no PATH it is
/// DIR's `etc/pf.conf` (or `pf.conf`), named as the node sees it
/// (`/etc/pf.conf`), and absolute paths inside it (`include`, `load
/// anchor ... from`, `table ... file`) resolve under DIR unless `--root`
/// says otherwise; included files are named as the node sees them too.
pub(crate) fn node_targets(
    paths: Vec<String>,
    node: Option<&std::path::Path>,
    root: &mut Option<PathBuf>,
) -> Result<Vec<Target>, String> {
    match (paths.is_empty(), node) {
        (true, Some(dir)) => {
            let found = pfconf::diff::node_ruleset(dir)
                .ok_or_else(|| format!("{}: no etc/pf.conf or pf.conf", dir.display()))?;
            if root.is_none() {
                *root = Some(dir.to_path_buf());
            }
            let shown = FsLoader { root: root.clone() }.shown(&found);
            Ok(vec![Target {
                path: found.display().to_string(),
                shown: Some(shown),
                root: None,
            }])
        }
        (true, None) => Ok(vec![Target::path("pf.conf".to_string())]),
        (false, _) => Ok(paths.into_iter().map(Target::path).collect()),
    }
}

/// Reads one target of [`node_targets`]: (name to show, text).
pub(crate) fn read_target(g: &Global, t: &Target) -> Result<(String, String), String> {
    let (name, text) = g.read(&t.path)?;
    Ok((t.shown.clone().unwrap_or(name), text))
}

/// The name a target is shown by.
pub(crate) fn target_name(g: &Global, t: &Target) -> String {
    match (&t.shown, t.path.as_str()) {
        (Some(shown), _) => shown.clone(),
        (None, "-") => g.stdin_name().to_string(),
        (None, p) => p.to_string(),
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
pub(crate) fn out(s: &str) {
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

/// Writes ruleset text to stdout with the bytes that were not UTF-8 in
/// the input (`raw`) written back as they were.
pub(crate) fn out_text(s: &str, raw: bool) {
    let _ = std::io::stdout()
        .lock()
        .write_all(&pfconf::encoding::encode(s, raw));
}

/// Writes to stderr, ignoring a closed stream.
pub(crate) fn err(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

pub(crate) fn unified_diff(path: &str, before: &str, after: &str, color: bool) -> String {
    let path = path.trim_start_matches('/');
    let text = pfconf::diff::unified(&format!("a/{path}"), &format!("b/{path}"), before, after);
    if !color {
        return text;
    }
    text.lines()
        .map(|l| {
            if l.starts_with('+') && !l.starts_with("+++") {
                format!("\x1b[32m{l}\x1b[0m\n")
            } else if l.starts_with('-') && !l.starts_with("---") {
                format!("\x1b[31m{l}\x1b[0m\n")
            } else if l.starts_with("@@") {
                format!("\x1b[36m{l}\x1b[0m\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// The rulesets a command checks: the targets ([`node_targets`]), the
/// loader (absolute paths under `--root` or the node directory) and the
/// resolution options (`-D`).
pub(crate) struct Inputs {
    /// The rulesets.
    pub(crate) targets: Vec<Target>,
    loader: FsLoader,
    opts: Options,
}

impl Inputs {
    /// From PATHs, `--node DIR`, `--root` and `-D`.
    pub(crate) fn new(
        paths: Vec<String>,
        node: Option<&std::path::Path>,
        common: &Common,
    ) -> Result<Inputs, String> {
        let defines = parse_defines(&common.define)?;
        let mut root = common.root.clone();
        let targets = node_targets(paths, node, &mut root)?;
        Ok(Inputs {
            targets,
            loader: FsLoader { root },
            opts: Options {
                defines,
                ..Options::default()
            },
        })
    }

    /// Checks a PATH that another ruleset includes through that ruleset
    /// (see [`includers`]): among the PATHs, and in the whole repository
    /// with `find_in_repository`.
    pub(crate) fn through_includers(&mut self, find_in_repository: bool) {
        let targets = std::mem::take(&mut self.targets);
        self.targets =
            includers::through_includers(targets, self.loader.root.as_deref(), find_in_repository);
    }

    /// Reads and checks one target; with a node's passwd and group files,
    /// the `user` and `group` names pfctl could not resolve there are
    /// reported too.
    pub(crate) fn check(
        &self,
        g: &Global,
        target: &Target,
        accounts: Option<&pfconf::accounts::Accounts>,
    ) -> Result<pfconf::Report, String> {
        let (name, text) = read_target(g, target)?;
        Ok(self.check_text(target, &name, &text, accounts, &fix::Overrides::new()))
    }

    /// Where absolute paths of `target` resolve: its own root (an
    /// includer in a node directory), else `--root` or the node's.
    pub(crate) fn root_of(&self, target: &Target) -> Option<PathBuf> {
        target.root.clone().or_else(|| self.loader.root.clone())
    }

    /// Checks `text` as `target` (named `name`), with the files of
    /// `overrides` read from memory instead of the disk (the fixes not
    /// yet written).
    pub(crate) fn check_text(
        &self,
        target: &Target,
        name: &str,
        text: &str,
        accounts: Option<&pfconf::accounts::Accounts>,
        overrides: &fix::Overrides,
    ) -> pfconf::Report {
        let base = FsLoader {
            root: self.root_of(target),
        };
        let loader = fix::Overlay {
            base: &base,
            files: overrides,
        };
        let mut report = check_with(name, text, &loader, &self.opts);
        if let Some(root) = &target.root {
            includers::show_repository_paths(&mut report, root);
        }
        if let Some(acc) = accounts {
            let extra = pfconf::accounts::unknown_names(&report.resolved, acc);
            report.diagnostics.extend(extra);
        }
        report
    }

    /// Reads and checks every target, each into a [`FileReport`]: the
    /// checks' diagnostics plus what `more` adds for a report without
    /// errors (the lints), sorted; an unreadable target is a failure
    /// report. Also the exit status so far: 2 if a target could not be
    /// read, else 1 if one has an error.
    pub(crate) fn check_all(
        &self,
        g: &Global,
        accounts: Option<&pfconf::accounts::Accounts>,
        mut more: impl FnMut(&mut pfconf::Report) -> Vec<Diagnostic>,
    ) -> (Vec<FileReport>, u8) {
        let mut status = 0u8;
        let mut reports = Vec::new();
        for t in &self.targets {
            let name = target_name(g, t);
            match self.check(g, t, accounts) {
                Ok(mut report) => {
                    let mut diags = std::mem::take(&mut report.diagnostics);
                    if !diags.iter().any(Diagnostic::is_error) {
                        report.diagnostics = diags.clone();
                        diags.extend(more(&mut report));
                    }
                    pfconf::diag::sort(&mut diags);
                    if diags.iter().any(Diagnostic::is_error) {
                        status = status.max(1);
                    }
                    reports.push(FileReport::checked(&name, diags, report.sources));
                }
                Err(e) => {
                    status = 2;
                    reports.push(FileReport::failure(&name, &e));
                }
            }
        }
        (reports, status)
    }
}

/// Reads and checks the one ruleset of `expand`, `eval` and `test`. When
/// it cannot be read (exit 2) or has errors (exit 1), says so in the
/// command's format ([`no_ruleset`]) and gives the exit status.
pub(crate) fn valid_ruleset(
    g: &Global,
    path: Option<String>,
    node: Option<&std::path::Path>,
    common: &Common,
    (format, command): (OutputFormat, &str),
) -> Result<pfconf::Report, ExitCode> {
    let inputs = Inputs::new(path.into_iter().collect(), node, common).map_err(|e| fail(&e))?;
    let t = &inputs.targets[0];
    let report = match inputs.check(g, t, None) {
        Ok(r) => r,
        Err(e) => {
            no_ruleset(
                g,
                format,
                FileReport::failure(&target_name(g, t), &e),
                command,
            );
            return Err(ExitCode::from(2));
        }
    };
    if !report.is_ok() {
        no_ruleset(g, format, FileReport::errors_of(report), command);
        if command != "expand" {
            err("pfconf: the ruleset has errors; nothing was evaluated\n");
        }
        return Err(ExitCode::from(1));
    }
    Ok(report)
}

/// Writes why there is no ruleset to work on: the diagnostics in the
/// command's format. In JSON, the command's document has its usual keys
/// and nothing in them, so a program reading it always gets JSON.
pub(crate) fn no_ruleset(g: &Global, format: OutputFormat, report: FileReport, command: &str) {
    match format {
        OutputFormat::Json => {
            let empty = if command == "expand" {
                serde_json::json!({"header": [], "rules": [], "notes": []})
            } else {
                serde_json::json!({"results": []})
            };
            out(&format!("{}\n", report.into_json(empty)));
        }
        _ => emit(&[report], format, &g.style, command),
    }
}

/// Interface addresses from `--interfaces FILE` and the node model of
/// `--node DIR` (for [`Global::setup`]), and that node, read once.
fn load_interfaces(
    interfaces: &Option<PathBuf>,
    node: &Option<PathBuf>,
) -> Result<
    (
        Option<pfconf::expand::Interfaces>,
        Option<pfconf::node::Node>,
    ),
    ExitCode,
> {
    let mut ifs = match &interfaces {
        Some(f) => match read_text(f) {
            Ok(t) => match pfconf::expand::Interfaces::parse(&t) {
                Ok(i) => Some(i),
                Err(e) => return Err(fail(&format!("{}: {e}", f.display()))),
            },
            Err(e) => return Err(fail(&e.to_string())),
        },
        None => None,
    };
    let model = match &node {
        Some(dir) => match pfconf::node::Node::read_dir(dir) {
            Ok(n) => Some(n),
            Err(e) => return Err(fail(&format!("--node: {e}"))),
        },
        None => None,
    };
    if let Some(n) = &model {
        let mut all = ifs.unwrap_or_default();
        if n.interfaces.is_empty() {
            err(&format!(
                "pfconf: {}: no hostname.* files found\n",
                node.as_deref()
                    .unwrap_or(std::path::Path::new(""))
                    .display()
            ));
        }
        all.add_node(n);
        ifs = Some(all);
    }
    Ok((ifs, model))
}

/// The project's `pfconf.toml`: `--config FILE`, else the nearest one to
/// the first PATH's directory (or the working directory), up to the
/// repository root. Its path and text, or None.
pub(crate) fn project_config(
    explicit: Option<&std::path::Path>,
    paths: &[String],
) -> Result<Option<(PathBuf, String)>, String> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let first = paths.iter().find(|p| p.as_str() != "-");
            let dir = match first.map(std::path::Path::new) {
                Some(p) => p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map(|d| d.to_path_buf())
                    .unwrap_or_else(|| PathBuf::from(".")),
                None => PathBuf::from("."),
            };
            let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
            pfconf::config::find(&dir)
        }
    };
    match path {
        Some(p) => std::fs::read_to_string(&p)
            .map(|t| Some((p.clone(), t)))
            .map_err(|e| format!("{}: {e}", p.display())),
        None => Ok(None),
    }
}

pub(crate) fn parse_defines(defs: &[String]) -> Result<Vec<(String, String)>, String> {
    defs.iter()
        .map(|d| match d.rsplit_once('=') {
            Some((n, v)) if !n.is_empty() => Ok((n.to_string(), v.to_string())),
            _ => Err(format!("-D {d}: expected NAME=VALUE")),
        })
        .collect()
}

pub(crate) fn json_diag(d: &Diagnostic, map: &SourceMap) -> serde_json::Value {
    pfconf::output::json_diagnostic(d, map)
}

/// Runs the command the arguments name.
pub(crate) fn run(cli: Cli) -> ExitCode {
    let g = Global {
        style: Style {
            format: cli.format.unwrap_or(OutputFormat::Full),
            color: cli.color,
            quiet: cli.quiet,
        },
        config: cli.config,
        stdin_name: cli.stdin_filename,
    };
    match cli.command {
        Command::Check {
            paths,
            node,
            find_includers,
            common,
        } => check::run(&g, paths, node, find_includers, common),
        Command::Fmt {
            paths,
            check,
            diff,
            width,
        } => fmt::run(&g, paths, check, diff, width),
        Command::Expand {
            path,
            interfaces,
            node,
            common,
        } => expand::run(&g, path, interfaces, node, common),
        Command::Eval {
            path,
            packet,
            packets,
            interfaces,
            node,
            matches,
            common,
        } => eval::run(
            &g,
            path,
            packet,
            packets,
            (interfaces, node),
            matches,
            common,
        ),
        Command::Diff { a, b, ignore_macro } => diff::run(&g, &a, &b, &ignore_macro),
        Command::Test {
            files,
            record,
            interfaces,
            node,
            common,
        } => test::run(&g, files, record, (interfaces, node), common),
        Command::Explain { code, list } => explain::run(&g, code.as_deref(), list),
        Command::Lint {
            paths,
            select,
            ignore,
            deny,
            list,
            lints_only,
            no_flows,
            find_includers,
            fix,
            unsafe_fixes,
            diff,
            node,
            common,
        } => lint::run(
            &g,
            lint::LintArgs {
                paths,
                select,
                ignore,
                deny,
                list,
                lints_only,
                find_includers,
                no_flows,
                fix: lint::FixMode {
                    apply: fix,
                    unsafe_fixes,
                    diff,
                },
                node,
                common,
            },
        ),
        Command::Lsp => lsp::run(&g),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man => shell::man(),
        Command::Parse { json: _, path } => parse::run(&g, path),
    }
}
