//! The lint engine and its catalogue.
//!
//! A lint is one small module (`src/lint/<name>.rs`) holding its
//! [`LintInfo`] and its check, plus a page `lints/<name>.md` (what it finds,
//! why it matters, a failing and a fixed example). Registering a lint is one
//! line in [`registry`]. Levels come from the lint's default, `pfconf.toml
//! [lints]` and the command line; `# pfconf: allow(name)` at the end of a
//! statement's line or on the line before it suppresses a finding there.
//!
//! Lints run on the resolved ruleset of a file that passed `check`.

use crate::config::ConfigError;
use crate::diag::{Diagnostic, Severity};
use crate::keyword::keywords;
use crate::resolve::Resolved;
use crate::span::{SourceMap, Span};
use crate::Report;
use std::collections::HashMap;

mod block_after_pass;
mod carp_blocked;
mod carp_interface_rule;
mod carp_unrestricted;
mod duplicate_rule;
pub mod ha;
mod ha_flow_undecided;
mod nat_to_interface_address;
mod no_default_block;
mod node_config;
mod pfsync_blocked;
mod pfsync_exposed;
mod redefined_macro;
pub mod roles;
mod shadowed_rule;
mod sync_not_skipped;
pub(crate) mod tables;
mod unused_macro;

/// How loud a lint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Disabled.
    Off,
    /// Informational.
    Info,
    /// Warning.
    Warning,
    /// Error.
    Error,
}

keywords!(Level, "lint level" {
    Off => "off" | "allow",
    Info => "info",
    Warning => "warning" | "warn",
    Error => "error" | "deny",
});

impl Level {
    /// Parses `off` (or `allow`), `info`, `warning` (or `warn`), `error`
    /// (or `deny`): `FromStr` without the error.
    pub fn parse(s: &str) -> Option<Level> {
        s.parse().ok()
    }

    fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// What a lint is.
#[derive(Debug)]
pub struct LintInfo {
    /// Stable kebab-case name.
    pub name: &'static str,
    /// Default level.
    pub level: Level,
    /// One line.
    pub summary: &'static str,
    /// Its page (`lints/<name>.md`).
    pub doc: &'static str,
}

/// A finding before levels and suppressions are applied.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Where.
    pub span: Span,
    /// What.
    pub message: String,
    /// Other places (e.g. the first definition).
    pub labels: Vec<(Span, String)>,
    /// What to do instead.
    pub help: Option<String>,
    /// The edits that remedy it, when they are mechanical.
    pub fix: Option<crate::fix::Fix>,
}

/// What a lint sees.
pub struct Context<'a> {
    /// The resolved ruleset.
    pub resolved: &'a Resolved,
    /// Its sources.
    pub sources: &'a SourceMap,
    /// The node (`--node`, or `pfconf.toml [ha]`), if given.
    pub node: Option<&'a crate::node::Node>,
    /// The HA picture, computed once for all lints.
    ha: std::sync::OnceLock<ha::Ha<'a>>,
}

impl<'a> Context<'a> {
    /// A context for one ruleset.
    pub fn new(
        resolved: &'a Resolved,
        sources: &'a SourceMap,
        node: Option<&'a crate::node::Node>,
    ) -> Self {
        Context {
            resolved,
            sources,
            node,
            ha: std::sync::OnceLock::new(),
        }
    }

    /// The HA picture: node first, then evidence in the ruleset.
    pub fn ha(&self) -> &ha::Ha<'a> {
        self.ha
            .get_or_init(|| ha::Ha::new(self.resolved, self.node))
    }

    /// Where a finding about the node goes when it has no place of its
    /// own: the first statement of the ruleset.
    pub fn fallback_span(&self) -> Span {
        self.resolved
            .ruleset
            .statements
            .first()
            .map(|s| s.span)
            .unwrap_or(Span::new(crate::span::FileId(0), 0, 0))
    }
}

/// One lint: its description and its check.
pub struct Lint {
    /// Description.
    pub info: &'static LintInfo,
    /// The check.
    pub run: fn(&Context, &mut Vec<Finding>),
}

/// Every lint, in the order `--list` shows them.
pub fn registry() -> Vec<Lint> {
    vec![
        carp_blocked::LINT,
        pfsync_blocked::LINT,
        ha_flow_undecided::LINT,
        node_config::LINT,
        pfsync_exposed::LINT,
        carp_unrestricted::LINT,
        carp_interface_rule::LINT,
        sync_not_skipped::LINT,
        no_default_block::LINT,
        block_after_pass::LINT,
        nat_to_interface_address::LINT,
        unused_macro::LINT,
        redefined_macro::LINT,
        tables::UNUSED_TABLE,
        tables::UNDEFINED_TABLE,
        duplicate_rule::LINT,
        shadowed_rule::LINT,
    ]
}

/// Finds a lint by name.
pub fn find(name: &str) -> Option<Lint> {
    registry().into_iter().find(|l| l.info.name == name)
}

/// Levels per lint and `--deny warnings`.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    /// Overrides of the default levels.
    pub levels: HashMap<String, Level>,
    /// Only these lints (`--select`), when not empty.
    pub select: Vec<String>,
    /// The node: from a node directory, or `[ha]` of `pfconf.toml`.
    pub node: Option<crate::node::Node>,
    /// `pfconf.toml [node] dir`, not read yet: [`Self::read_node`] reads
    /// it (or the directory `--node` names instead).
    pub node_dir: Option<std::path::PathBuf>,
}

impl LintConfig {
    /// Reads the `[lints]` table of a `pfconf.toml` text
    /// (`name = "warning"` lines) and its `[ha]` table (interface roles, see
    /// [`roles::NodeRoles::from_ha_table`]). Unknown names, keys and levels
    /// are errors.
    pub fn from_toml(text: &str) -> Result<LintConfig, ConfigError> {
        Self::from_toml_file(text, crate::config::FILE_NAME)
    }

    /// [`Self::from_toml`] of the file `file` (named in errors, with the
    /// line: unknown sections and keys are errors, see [`crate::config`]).
    ///
    /// ```
    /// use pfconf::lint::LintConfig;
    ///
    /// let e = LintConfig::from_toml("[lints]\nunused-macros = \"off\"\n").unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "pfconf.toml:2: [lints] unused-macros: unknown lint: did you mean `unused-macro`?"
    /// );
    /// assert_eq!(e.suggestion.as_deref(), Some("unused-macro"));
    /// ```
    pub fn from_toml_file(text: &str, file: &str) -> Result<LintConfig, ConfigError> {
        Self::from_table(text, file).map_err(|e| ConfigError {
            file: file.to_string(),
            ..e.located(text)
        })
    }

    fn from_table(text: &str, file: &str) -> Result<LintConfig, ConfigError> {
        let table = crate::config::check_keys(text, file)?;
        let mut cfg = LintConfig {
            node_dir: crate::config::node_dir(&table, file)?,
            ..LintConfig::default()
        };
        match table.get("ha") {
            None => {}
            Some(toml::Value::Table(ha)) => {
                cfg.node = Some(roles::NodeRoles::from_ha_table(ha)?.to_node())
            }
            Some(_) => {
                return Err(ConfigError::new(
                    crate::config::FILE_NAME,
                    Some("ha".into()),
                    "`ha` must be a table ([ha])".into(),
                ))
            }
        }
        if let Some(lints) = table.get("lints").and_then(|l| l.as_table()) {
            for (k, v) in lints {
                let key = Some(format!("lints.{k}"));
                if find(k).is_none() {
                    let meant = registry()
                        .into_iter()
                        .map(|l| l.info.name)
                        .find(|n| crate::diag::edit_distance(k, n) <= 2);
                    let close = meant
                        .map(|n| format!(": did you mean `{n}`?"))
                        .unwrap_or_else(|| " (see `pfconf lint --list`)".to_string());
                    return Err(ConfigError {
                        suggestion: meant.map(str::to_string),
                        ..ConfigError::new(file, key, format!("[lints] {k}: unknown lint{close}"))
                    });
                }
                let level = v.as_str().and_then(Level::parse).ok_or_else(|| {
                    ConfigError::new(
                        file,
                        key,
                        format!(
                            "[lints] {k}: level must be \"off\", \"info\", \"warning\" or \"error\""
                        ),
                    )
                })?;
                cfg.levels.insert(k.clone(), level);
            }
        }
        Ok(cfg)
    }

    /// Reads the node directory `dir` into [`Self::node`], as `pfconf
    /// lint --node DIR` does: the directory comes first, and `[ha]` (the
    /// node already there) fills the CARP parents and sync interface it
    /// does not name.
    ///
    /// ```
    /// use pfconf::lint::LintConfig;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("hostname.pfsync0"), "up syncdev em2\n").unwrap();
    /// let mut cfg = LintConfig::from_toml("[ha]\ncarpdev = \"em0\"\n").unwrap();
    /// cfg.read_node(dir.path()).unwrap();
    /// let node = cfg.node.as_ref().unwrap();
    /// assert_eq!(node.syncdev(), Some("em2"));
    /// assert!(node.carp_interfaces().count() == 1, "em0's CARP from [ha]");
    /// ```
    pub fn read_node(&mut self, dir: &std::path::Path) -> Result<(), crate::node::NodeError> {
        let mut n = crate::node::Node::read_dir(dir)?;
        if let Some(ha) = &self.node {
            n.fill_from(ha);
        }
        self.node = Some(n);
        Ok(())
    }
}

/// Runs every enabled lint over a checked report; returns diagnostics whose
/// `code` is the lint name.
///
/// ```
/// use pfconf::lint::{run, LintConfig};
///
/// let report = pfconf::check_str("pf.conf", "x = \"1\"\npass\n");
/// let findings = run(&report, &LintConfig::default());
/// assert!(findings.iter().any(|f| f.code == "unused-macro"));
/// ```
pub fn run(report: &Report, config: &LintConfig) -> Vec<Diagnostic> {
    let cx = Context::new(&report.resolved, &report.sources, config.node.as_ref());
    let allows = Suppressions::scan(&report.sources);
    let enabled: Vec<(Lint, Severity)> = registry()
        .into_iter()
        .filter(|l| config.select.is_empty() || config.select.iter().any(|s| s == l.info.name))
        .filter_map(|l| {
            let level = config
                .levels
                .get(l.info.name)
                .copied()
                .unwrap_or(l.info.level);
            Some((l, level.severity()?))
        })
        .collect();
    let findings = run_parallel(&cx, &enabled);
    let mut out = Vec::new();
    for ((lint, severity), findings) in enabled.iter().zip(findings) {
        let (name, severity) = (lint.info.name, *severity);
        for f in findings {
            if allows.allows(&report.sources, f.span, name) {
                continue;
            }
            let mut d = Diagnostic::error(name, f.span, f.message);
            d.severity = severity;
            d.help = f.help;
            d.fix = f.fix.map(Box::new);
            for (s, m) in f.labels {
                d = d.with_label(s, m);
            }
            out.push(d);
        }
    }
    out.extend(allows.unknown);
    crate::diag::sort(&mut out);
    out
}

/// Statements from which the lints run on several threads (below, a
/// thread costs more than it saves).
const PARALLEL_FROM: usize = 5_000;

/// Runs the lints, on as many threads as there are cores when the ruleset
/// is large (lints are independent); the findings come back in the order
/// of `lints`.
fn run_parallel(cx: &Context, lints: &[(Lint, Severity)]) -> Vec<Vec<Finding>> {
    let one = |l: &Lint| {
        let mut f = Vec::new();
        (l.run)(cx, &mut f);
        f
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(lints.len());
    if workers < 2 || cx.resolved.ruleset.statements.len() < PARALLEL_FROM {
        return lints.iter().map(|(l, _)| one(l)).collect();
    }
    // The HA picture is shared by several lints: compute it once, first.
    cx.ha();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<(usize, Vec<Finding>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((l, _)) = lints.get(i) else {
                            break mine;
                        };
                        mine.push((i, one(l)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out: Vec<Vec<Finding>> = lints.iter().map(|_| Vec::new()).collect();
    for (i, f) in done {
        if let Some(slot) = out.get_mut(i) {
            *slot = f;
        }
    }
    out
}

/// `# pfconf: allow(a, b)` comments, by file and line.
struct Suppressions {
    /// (file, line) -> names
    by_line: HashMap<(u32, usize), Vec<String>>,
    unknown: Vec<Diagnostic>,
}

impl Suppressions {
    fn scan(map: &SourceMap) -> Suppressions {
        let mut by_line = HashMap::new();
        let mut unknown = Vec::new();
        let names: Vec<&str> = registry().iter().map(|l| l.info.name).collect();
        for (fi, f) in map.files().iter().enumerate() {
            let mut offset = 0;
            for (li, line) in f.text.split('\n').enumerate() {
                if let Some(pos) = line.find("pfconf: allow(") {
                    let rest = &line[pos + "pfconf: allow(".len()..];
                    let inner = rest.split(')').next().unwrap_or("");
                    let list: Vec<String> = inner
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect();
                    for n in &list {
                        if !names.contains(&n.as_str()) {
                            let start = offset + pos;
                            unknown.push(
                                Diagnostic::warning(
                                    "unknown-lint",
                                    Span::new(
                                        crate::span::FileId(fi as u32),
                                        start,
                                        start + line.len() - pos,
                                    ),
                                    format!("unknown lint `{n}` in suppression comment"),
                                )
                                .with_help("`pfconf lint --list` lists the lints"),
                            );
                        }
                    }
                    by_line.insert((fi as u32, li + 1), list);
                }
                offset += line.len() + 1;
            }
        }
        Suppressions { by_line, unknown }
    }

    /// A finding at `span` is allowed by a comment on its line or the line
    /// before.
    fn allows(&self, map: &SourceMap, span: Span, name: &str) -> bool {
        let line = map.line(span);
        [line, line.saturating_sub(1)].iter().any(|l| {
            self.by_line
                .get(&(span.file.0, *l))
                .is_some_and(|v| v.iter().any(|n| n == name))
        })
    }
}

#[cfg(test)]
mod tests;
