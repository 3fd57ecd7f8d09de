//! The `pfconf` command line.
//!
//! Exit status: 0 clean, 1 the input has problems, 2 usage error,
//! unreadable file or internal error.
#![forbid(unsafe_code)]

/// The command line uses mimalloc: pfconf allocates many small AST nodes,
/// and the system allocator spent a quarter of `check`'s time freeing them.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand, ValueEnum};
use pfconf::resolve::{read_text, LoadError};
use pfconf::{check_with, Diagnostic, FsLoader, Options, SourceMap};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "pfconf",
    version,
    about = "Check, lint, format and compare OpenBSD pf.conf rulesets"
)]
struct Cli {
    /// When to color output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Print only errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    /// Source excerpts, underlines and help.
    Rich,
    /// `file:line:col: severity[code]: message`
    Short,
    /// A JSON array of diagnostics on stdout.
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum ExpandFormat {
    /// `pfctl -nv` text.
    Text,
    /// One JSON object per rule, with the source span it came from.
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum LintFormat {
    /// Source excerpts, underlines and help.
    Rich,
    /// `file:line:col: level[lint]: message`
    Short,
    /// A JSON array on stdout.
    Json,
    /// SARIF 2.1.0 on stdout.
    Sarif,
    /// GitHub workflow annotations on stdout.
    Github,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum EvalFormat {
    /// Verdict and deciding rule per packet.
    Human,
    /// A JSON array, one object per packet.
    Json,
}

#[derive(clap::Args)]
struct Common {
    /// Resolve absolute include/anchor/table paths under DIR.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Define a macro, overriding the file's definition (like pfctl -D).
    #[arg(short = 'D', value_name = "NAME=VALUE")]
    define: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Parse, resolve and check rulesets as `pfctl -nf` would.
    Check {
        /// Files to check (`-` for standard input); default ./pf.conf.
        paths: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Rich)]
        format: Format,
        /// A node directory: its `etc/pf.conf` (or `pf.conf`) when no PATH
        /// is given, with absolute paths resolved inside it.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        /// Project configuration (default: the nearest pfconf.toml);
        /// checked for typos like every command's.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Format rulesets in place (`-`: stdin to stdout).
    Fmt {
        /// Files to format; default ./pf.conf.
        paths: Vec<String>,
        /// Do not write: list the files that would change and exit 1.
        #[arg(long)]
        check: bool,
        /// Do not write: print a unified diff of the changes.
        #[arg(long)]
        diff: bool,
        /// Line width before statements are broken (default: `[format]
        /// width` of ./pfconf.toml, else 80).
        #[arg(long)]
        width: Option<usize>,
    },
    /// Print the expanded ruleset as `pfctl -nv` would.
    Expand {
        /// File to expand (`-` for standard input); default ./pf.conf.
        path: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExpandFormat::Text)]
        format: ExpandFormat,
        /// Interface addresses: one `name address[/prefix]...` per line.
        #[arg(long, value_name = "FILE")]
        interfaces: Option<PathBuf>,
        /// Node directory: interface addresses from its `hostname.*` files
        /// (in DIR/etc or DIR).
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Lint rulesets (after the checks of `check`).
    Lint {
        /// Files to lint (`-` for standard input); default ./pf.conf.
        paths: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Rich)]
        format: LintFormat,
        /// Lint configuration (default: ./pfconf.toml when present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Run only these lints.
        #[arg(long, value_name = "LINT")]
        select: Vec<String>,
        /// Turn these lints off.
        #[arg(long, value_name = "LINT")]
        ignore: Vec<String>,
        /// `--deny warnings`: exit 1 on any finding.
        #[arg(long, value_name = "warnings")]
        deny: Option<String>,
        /// List the lints with their level and summary.
        #[arg(long)]
        list: bool,
        /// A node directory (`/etc`-like: hostname.carpN, hostname.pfsync0,
        /// pf.conf): interface roles for the HA lints, and the ruleset when
        /// no PATH is given.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// What pf decides for packets, and which rule decides.
    Eval {
        /// Ruleset; default ./pf.conf.
        path: Option<String>,
        /// A packet in pf's rule vocabulary, e.g. 'in on em0 proto tcp from
        /// 198.51.100.7 to 203.0.113.1 port 443' (repeatable).
        #[arg(long)]
        packet: Vec<String>,
        /// A file with one packet description per line.
        #[arg(long, value_name = "FILE")]
        packets: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Human)]
        format: EvalFormat,
        /// Interface addresses: one `name address[/prefix]...` per line.
        #[arg(long, value_name = "FILE")]
        interfaces: Option<PathBuf>,
        /// A node directory whose `hostname.*` files give interface
        /// addresses.
        #[arg(long, value_name = "DIR")]
        node: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Compare the rulesets (or node directories) of two cluster nodes.
    Diff {
        /// Node A: a ruleset or a node directory.
        a: PathBuf,
        /// Node B: a ruleset or a node directory.
        b: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EvalFormat::Human)]
        format: EvalFormat,
        /// A macro that is expected to differ between the nodes.
        #[arg(long = "ignore-macro", value_name = "NAME")]
        ignore_macro: Vec<String>,
    },
    /// Print a lint's documentation.
    Explain {
        /// Lint name.
        lint: String,
    },
    /// Print the source AST.
    Parse {
        /// Print JSON (the only format).
        #[arg(long, required = true)]
        json: bool,
        /// File to parse (`-` for standard input); default ./pf.conf.
        path: Option<String>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from the same definitions
    /// as --help.
    Man,
}

fn read_input(path: &str) -> Result<(String, String), String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("stdin: {e}"))?;
        return String::from_utf8(buf)
            .map(|t| ("stdin".to_string(), t))
            .map_err(|e| {
                format!(
                    "stdin: invalid UTF-8 at byte {}",
                    e.utf8_error().valid_up_to()
                )
            });
    }
    read_text(std::path::Path::new(path))
        .map(|t| (path.to_string(), t))
        .map_err(|e| match e {
            LoadError::NotFound(p) => format!("{p}: No such file or directory"),
            LoadError::InvalidUtf8(p, o) => format!("{p}: invalid UTF-8 at byte {o}"),
            LoadError::EscapesRoot(p) => format!("{p}: path escapes the root directory"),
            LoadError::Io(p, e) => format!("{p}: {e}"),
        })
}

/// The rulesets a command reads. With `--node DIR` and no PATH it is
/// DIR's `etc/pf.conf` (or `pf.conf`), named as the node sees it
/// (`/etc/pf.conf`), and absolute paths inside it (`include`, `load
/// anchor ... from`, `table ... file`) resolve under DIR unless `--root`
/// says otherwise; included files are named as the node sees them too.
/// Each entry: (path to read, name to show).
fn node_targets(
    paths: Vec<String>,
    node: Option<&std::path::Path>,
    root: &mut Option<PathBuf>,
) -> Result<Vec<(String, Option<String>)>, String> {
    match (paths.is_empty(), node) {
        (true, Some(dir)) => {
            let found = pfconf::diff::node_ruleset(dir)
                .ok_or_else(|| format!("{}: no etc/pf.conf or pf.conf", dir.display()))?;
            if root.is_none() {
                *root = Some(dir.to_path_buf());
            }
            let shown = FsLoader { root: root.clone() }.shown(&found);
            Ok(vec![(found.display().to_string(), Some(shown))])
        }
        (true, None) => Ok(vec![("pf.conf".to_string(), None)]),
        (false, _) => Ok(paths.into_iter().map(|p| (p, None)).collect()),
    }
}

/// Reads one target of [`node_targets`]: (name to show, text).
fn read_target(t: &(String, Option<String>)) -> Result<(String, String), String> {
    let (name, text) = read_input(&t.0)?;
    Ok((t.1.clone().unwrap_or(name), text))
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn out(s: &str) {
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

/// Writes to stderr, ignoring a closed stream.
fn err(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

/// Writes `text` to `path` through a temporary file and a rename, keeping
/// the file's permissions.
fn write_atomically(path: &str, text: &str) -> std::io::Result<()> {
    let target = std::path::Path::new(path);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.pfconf-fmt.{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(target) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn unified_diff(path: &str, before: &str, after: &str, color: bool) -> String {
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

/// Reads one ruleset (default ./pf.conf) and checks it with the common
/// options (`--root`, `-D`); usage and read errors print and give exit 2.
fn read_and_check(
    path: Option<String>,
    node: Option<&std::path::Path>,
    common: &Common,
) -> Result<pfconf::Report, ExitCode> {
    let defines = parse_defines(&common.define).map_err(|e| {
        err(&format!("pfconf: {e}\n"));
        ExitCode::from(2)
    })?;
    let mut root = common.root.clone();
    let targets = node_targets(path.into_iter().collect(), node, &mut root).map_err(|e| {
        err(&format!("pfconf: {e}\n"));
        ExitCode::from(2)
    })?;
    let (name, text) = read_target(&targets[0]).map_err(|e| {
        err(&format!("pfconf: {e}\n"));
        ExitCode::from(2)
    })?;
    let loader = FsLoader { root };
    Ok(check_with(&name, &text, &loader, &Options { defines }))
}

/// Interface addresses from `--interfaces FILE` and the `hostname.*` files
/// of `--node DIR` (shared by `expand` and `eval`).
fn load_interfaces(
    interfaces: &Option<PathBuf>,
    node: &Option<PathBuf>,
) -> Result<Option<pfconf::expand::Interfaces>, ExitCode> {
    let ifs = match &interfaces {
        Some(f) => match read_text(f) {
            Ok(t) => match pfconf::expand::Interfaces::parse(&t) {
                Ok(i) => Some(i),
                Err(e) => {
                    err(&format!("pfconf: {}: {e}\n", f.display()));
                    return Err(ExitCode::from(2));
                }
            },
            Err(e) => {
                err(&format!("pfconf: {}\n", load_error_text(&e)));
                return Err(ExitCode::from(2));
            }
        },
        None => None,
    };
    let ifs = match &node {
        Some(dir) => {
            let mut ifs = ifs.unwrap_or_default();
            let mut found = false;
            for d in [dir.join("etc"), dir.clone()] {
                let Ok(entries) = std::fs::read_dir(&d) else {
                    continue;
                };
                let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                files.sort();
                for f in files {
                    let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    if let Some(ifname) = name.strip_prefix("hostname.") {
                        if let Ok(text) = read_text(&f) {
                            ifs.add_hostname_file(ifname, &text);
                            found = true;
                        }
                    }
                }
            }
            if !found {
                err(&format!(
                    "pfconf: {}: no hostname.* files found\n",
                    dir.display()
                ));
            }
            Some(ifs)
        }
        None => ifs,
    };
    Ok(ifs)
}

fn eval_command(
    path: Option<String>,
    mut packets: Vec<String>,
    file: Option<PathBuf>,
    format: EvalFormat,
    (interfaces, node): (Option<PathBuf>, Option<PathBuf>),
    common: Common,
) -> ExitCode {
    use pfconf::eval::{parse_packet, Evaluator};
    // With a node directory (and no --interfaces), groups, egress, self
    // and antispoof come from the node model; its files are read once.
    let node_model = match (&node, &interfaces) {
        (Some(dir), None) => match pfconf::node::Node::read_dir(dir) {
            Ok(n) => Some(n),
            Err(e) => {
                err(&format!("pfconf: --node: {e}\n"));
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let ifs = match node_model {
        Some(_) => None,
        None => match load_interfaces(&interfaces, &node) {
            Ok(i) => i,
            Err(code) => return code,
        },
    };
    if let Some(f) = file {
        match std::fs::read_to_string(&f) {
            Ok(t) => packets.extend(
                t.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            ),
            Err(e) => {
                err(&format!("pfconf: {}: {e}\n", f.display()));
                return ExitCode::from(2);
            }
        }
    }
    if packets.is_empty() {
        err("pfconf: give at least one --packet or --packets FILE\n");
        return ExitCode::from(2);
    }
    let report = match read_and_check(path, node.as_deref(), &common) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if !report.is_ok() {
        err(&pfconf::diag::render(
            &report.diagnostics,
            &report.sources,
            false,
        ));
        err("pfconf: the ruleset has errors; not evaluated\n");
        return ExitCode::from(1);
    }
    let map = &report.sources;
    let rule_json = |s: pfconf::Span| {
        let f = map.get(s.file);
        serde_json::json!({
            "file": f.map(|f| f.name.clone()).unwrap_or_default(),
            "line": map.line(s),
            "text": map.slice(s),
        })
    };
    let evaluator = match &node_model {
        Some(n) => Evaluator::with_node(&report.resolved, n),
        None => Evaluator::new(&report.resolved, ifs.as_ref()),
    };
    let mut status = 0u8;
    let mut json = Vec::new();
    for pk in &packets {
        let p = match parse_packet(pk) {
            Ok(p) => p,
            Err(e) => {
                err(&format!("pfconf: packet `{pk}`: {e}\n"));
                status = 1;
                if format == EvalFormat::Json {
                    json.push(serde_json::json!({"packet": pk, "error": e}));
                }
                continue;
            }
        };
        let o = evaluator.evaluate(&p);
        let certain = o.certain();
        let verdict = certain.map_or("undecided", |d| d.verdict.as_str());
        match format {
            EvalFormat::Json => {
                let d = certain.or(o.decisions.first());
                json.push(serde_json::json!({
                    "packet": pk,
                    "verdict": verdict,
                    "quick": certain.is_some_and(|d| d.quick),
                    "block": certain.and_then(|d| d.block),
                    "state": certain.and_then(|d| d.state),
                    "tags": certain.map(|d| d.tags.clone()).unwrap_or_default(),
                    "translation": certain.and_then(|d| d.translation.clone()),
                    "route": certain.and_then(|d| d.route.clone()),
                    "filtered_on": o.filtered_on,
                    "undecided": o.undecided.iter().map(|(s, why)| serde_json::json!({
                        "rule": s.map(rule_json),
                        "because": why,
                    })).collect::<Vec<_>>(),
                    "rule": certain.and_then(|d| d.rule).map(rule_json),
                    "matches": d.map(|d| d.matches.iter().map(|s| rule_json(*s)).collect::<Vec<_>>()).unwrap_or_default(),
                    "possible": o.verdicts().iter().map(|v| v.as_str()).collect::<Vec<_>>(),
                }));
            }
            EvalFormat::Human => {
                let mut line = format!("{pk}\n  => {verdict}");
                if let Some(parent) = &o.filtered_on {
                    line.push_str(&format!(
                        " (filtered on {parent}: pf filters a CARP interface's packets as on its carpdev)"
                    ));
                }
                match certain {
                    Some(d) => {
                        if let Some(b) = d.block {
                            line.push_str(&format!(" ({b})"));
                        }
                        if d.quick {
                            line.push_str(" (quick)");
                        }
                        if let Some(st) = d.state {
                            line.push_str(&format!(", {st}"));
                        }
                        if let Some(t) = &d.translation {
                            line.push_str(&format!(", {t}"));
                        }
                        if let Some(r) = &d.route {
                            line.push_str(&format!(", {r}"));
                        }
                        if !d.tags.is_empty() {
                            line.push_str(&format!(", tagged {}", d.tags.join(" ")));
                        }
                        if let Some(r) = d.rule {
                            line.push_str(&format!(
                                "\n     by {}: {}",
                                map.location(r),
                                map.slice(r)
                            ));
                        }
                    }
                    None => {
                        let v: Vec<&str> = o.verdicts().iter().map(|v| v.as_str()).collect();
                        line.push_str(&format!(
                            ": possible {} (the packet description leaves rules undecided{})",
                            v.join(", "),
                            if o.incomplete {
                                "; an anchor's rules are not known"
                            } else {
                                ""
                            }
                        ));
                        for (sp, why) in &o.undecided {
                            match sp {
                                Some(r) => line.push_str(&format!(
                                    "\n     undecided at {}: {why}",
                                    map.location(*r)
                                )),
                                None => line.push_str(&format!("\n     undecided: {why}")),
                            }
                        }
                    }
                }
                out(&format!("{line}\n"));
            }
        }
    }
    if format == EvalFormat::Json {
        out(&format!("{}\n", serde_json::Value::Array(json)));
    }
    ExitCode::from(status)
}

fn diff_command(
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

struct LintArgs {
    paths: Vec<String>,
    format: LintFormat,
    config: Option<PathBuf>,
    select: Vec<String>,
    ignore: Vec<String>,
    deny: Option<String>,
    list: bool,
    node: Option<PathBuf>,
    common: Common,
}

fn lint_command(a: LintArgs, color: bool, quiet: bool) -> ExitCode {
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
    let defines = match parse_defines(&a.common.define) {
        Ok(d) => d,
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
            return ExitCode::from(2);
        }
    };
    let opts = Options { defines };
    let mut root = a.common.root.clone();
    let paths = match node_targets(a.paths.clone(), a.node.as_deref(), &mut root) {
        Ok(t) => t,
        Err(e) => {
            err(&format!("pfconf: {e}\n"));
            return ExitCode::from(2);
        }
    };
    let loader = FsLoader { root };
    let mut status = 0u8;
    let mut all: Vec<(Vec<Diagnostic>, SourceMap)> = Vec::new();
    for p in &paths {
        let (name, text) = match read_target(p) {
            Ok(x) => x,
            Err(e) => {
                err(&format!("pfconf: {e}\n"));
                status = 2;
                continue;
            }
        };
        let mut report = check_with(&name, &text, &loader, &opts);
        if let Some(acc) = cfg.node.as_ref().and_then(|n| n.accounts.as_ref()) {
            let extra = pfconf::accounts::unknown_names(&report.resolved, acc);
            report.diagnostics.extend(extra);
        }
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

/// The project's `pfconf.toml`: `--config FILE`, else the nearest one to
/// the first PATH's directory (or the working directory), up to the
/// repository root. Its path and text, or None.
fn project_config(
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

/// `[format] width` from the project's `pfconf.toml`, if there is one.
fn config_width(paths: &[String]) -> Result<Option<usize>, String> {
    let Some((path, text)) = project_config(None, paths)? else {
        return Ok(None);
    };
    let name = path.display().to_string();
    let table = pfconf::config::check_keys(&text, &name)?;
    pfconf::config::format_width(&table, &name)
}

fn fmt_command(
    paths: Vec<String>,
    check: bool,
    diff: bool,
    width: Option<usize>,
    color: bool,
) -> ExitCode {
    use pfconf::fmt::{format_safely, FormatError, FormatOptions};
    let width = match width {
        Some(w) => w,
        None => match config_width(&paths) {
            Ok(w) => w.unwrap_or(80),
            Err(e) => {
                err(&format!("pfconf: {e}\n"));
                return ExitCode::from(2);
            }
        },
    };
    let opts = FormatOptions { width };
    let paths = if paths.is_empty() {
        vec!["pf.conf".to_string()]
    } else {
        paths
    };
    let mut status = 0u8;
    let out_color = color && std::io::stdout().is_terminal();
    for p in &paths {
        let (name, text) = match read_input(p) {
            Ok(x) => x,
            Err(e) => {
                err(&format!("pfconf: {e}\n"));
                status = 2;
                continue;
            }
        };
        let formatted = match format_safely(&name, &text, &opts) {
            Ok(f) => {
                if !f.kept.is_empty() {
                    let (map, _, _) = pfconf::parse_str(&name, &text);
                    err(&pfconf::diag::render(&f.kept, &map, color));
                }
                f.text
            }
            Err(FormatError::Invalid(diags)) => {
                let (map, _, _) = pfconf::parse_str(&name, &text);
                err(&pfconf::diag::render(&diags, &map, color));
                err(&format!(
                    "pfconf: {name}: not formatted (syntax errors); the file is untouched\n"
                ));
                status = status.max(1);
                continue;
            }
            Err(e) => {
                err(&format!("pfconf: {name}: {e}\n"));
                status = 2;
                continue;
            }
        };
        if p == "-" && !check && !diff {
            out(&formatted);
            continue;
        }
        if formatted == text {
            continue;
        }
        if diff {
            out(&unified_diff(&name, &text, &formatted, out_color));
        }
        if check {
            err(&format!("{name}: would be reformatted\n"));
            status = status.max(1);
        } else if diff {
            status = status.max(1);
        } else if let Err(e) = write_atomically(p, &formatted) {
            err(&format!("pfconf: {name}: cannot write: {e}\n"));
            status = 2;
        }
    }
    ExitCode::from(status)
}

fn parse_defines(defs: &[String]) -> Result<Vec<(String, String)>, String> {
    defs.iter()
        .map(|d| match d.rsplit_once('=') {
            Some((n, v)) if !n.is_empty() => Ok((n.to_string(), v.to_string())),
            _ => Err(format!("-D {d}: expected NAME=VALUE")),
        })
        .collect()
}

fn json_diag(d: &Diagnostic, map: &SourceMap) -> serde_json::Value {
    pfconf::lint::output::json_diagnostic(d, map)
}

/// `pfconf expand`: check first (errors: print them, exit 1), then print
/// the expanded ruleset.
fn expand_command(
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

fn load_error_text(e: &LoadError) -> String {
    match e {
        LoadError::NotFound(p) => format!("{p}: No such file or directory"),
        LoadError::InvalidUtf8(p, o) => format!("{p}: invalid UTF-8 at byte {o}"),
        LoadError::EscapesRoot(p) => format!("{p}: path escapes the root directory"),
        LoadError::Io(p, e) => format!("{p}: {e}"),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal(),
    };
    match cli.command {
        Command::Check {
            paths,
            format,
            node,
            config,
            common,
        } => {
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
            let defines = match parse_defines(&common.define) {
                Ok(d) => d,
                Err(e) => {
                    err(&format!("pfconf: {e}\n"));
                    return ExitCode::from(2);
                }
            };
            let opts = Options { defines };
            let mut root = common.root;
            let paths = match node_targets(paths, node.as_deref(), &mut root) {
                Ok(t) => t,
                Err(e) => {
                    err(&format!("pfconf: {e}\n"));
                    return ExitCode::from(2);
                }
            };
            let loader = FsLoader { root };
            let node_accounts = node
                .as_deref()
                .and_then(|d| pfconf::node::Node::read_dir(d).ok())
                .and_then(|n| n.accounts);
            let mut status = 0u8;
            let mut json = Vec::new();
            // (errors, warnings) over every file, and the files read.
            let mut counts = (0usize, 0usize);
            let mut checked = 0usize;
            for p in &paths {
                let (name, text) = match read_target(p) {
                    Ok(x) => x,
                    Err(e) => {
                        err(&format!("pfconf: {e}\n"));
                        status = 2;
                        continue;
                    }
                };
                let mut report = check_with(&name, &text, &loader, &opts);
                // With the node's passwd and group files: names pfctl
                // could not resolve there.
                if let Some(acc) = node_accounts.as_ref() {
                    let extra = pfconf::accounts::unknown_names(&report.resolved, acc);
                    report.diagnostics.extend(extra);
                }
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
                    .filter(|d| !cli.quiet || d.is_error())
                    .collect();
                match format {
                    Format::Json => {
                        json.extend(shown.iter().map(|d| json_diag(d, &report.sources)))
                    }
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
            if format == Format::Rich
                && !cli.quiet
                && std::io::stdout().is_terminal()
                && checked > 0
            {
                out(&summary_line(&paths, counts));
            }
            ExitCode::from(status)
        }
        Command::Fmt {
            paths,
            check,
            diff,
            width,
        } => fmt_command(paths, check, diff, width, color),
        Command::Expand {
            path,
            format,
            interfaces,
            node,
            common,
        } => expand_command(path, format, interfaces, node, common, color),
        Command::Eval {
            path,
            packet,
            packets,
            format,
            interfaces,
            node,
            common,
        } => eval_command(path, packet, packets, format, (interfaces, node), common),
        Command::Diff {
            a,
            b,
            format,
            ignore_macro,
        } => diff_command(&a, &b, format, &ignore_macro, color),
        Command::Explain { lint } => match pfconf::lint::find(&lint) {
            Some(l) => {
                out(l.info.doc);
                ExitCode::SUCCESS
            }
            None => {
                err(&format!(
                    "pfconf: unknown lint `{lint}` (see `pfconf lint --list`)\n"
                ));
                ExitCode::from(2)
            }
        },
        Command::Lint {
            paths,
            format,
            config,
            select,
            ignore,
            deny,
            list,
            node,
            common,
        } => lint_command(
            LintArgs {
                paths,
                format,
                config,
                select,
                ignore,
                deny,
                list,
                node,
                common,
            },
            color,
            cli.quiet,
        ),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "pfconf", &mut buf);
            out(&String::from_utf8_lossy(&buf));
            ExitCode::SUCCESS
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => {
                    out(&String::from_utf8_lossy(&buf));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    err(&format!("pfconf: man: {e}\n"));
                    ExitCode::from(2)
                }
            }
        }
        Command::Parse { json: _, path } => {
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
    }
}
