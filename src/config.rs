//! `pfconf.toml`, the project configuration: where it is found and what
//! it may hold. Like ruff's and rustfmt's configuration files, it is found
//! in the directory of the file being checked or in a parent (up to the
//! repository root, the directory holding `.git`), and a section or key it
//! does not know is an error with its line and, when one is close, the
//! name that was probably meant: a typo must never switch a setting off in
//! silence.
//!
//! Sections: `[lints]` (a level per lint), `[ha]` (CARP parents and the
//! sync interface when no node directory is given), `[node]` (`dir`: the
//! node directory the HA lints read, as `--node DIR` gives it), `[format]`
//! (`width`), `[test]` (`flows`, policy tests).

use crate::diag::edit_distance;
use std::path::{Path, PathBuf};

/// The configuration file's name.
pub const FILE_NAME: &str = "pfconf.toml";

/// The sections pfconf reads, with their keys (`None`: any key, checked by
/// the section's reader).
const SECTIONS: &[(&str, Option<&[&str]>)] = &[
    ("lints", None),
    ("ha", Some(&["carpdev", "syncdev"])),
    ("node", Some(&["dir"])),
    ("format", Some(&["width"])),
    ("test", Some(&["flows"])),
];

/// The nearest `pfconf.toml` for a file in `dir`: in `dir` or a parent,
/// stopping at the repository root (a directory holding `.git`).
pub fn find(dir: &Path) -> Option<PathBuf> {
    let mut d = Some(dir);
    while let Some(here) = d {
        let candidate = here.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if here.join(".git").exists() {
            return None;
        }
        d = here.parent();
    }
    None
}

/// The line (from 1) where `[section]` or, inside it, `key =` is written.
fn line_of(text: &str, section: &str, key: Option<&str>) -> usize {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = name.trim().to_string();
            if key.is_none() && current == section {
                return i + 1;
            }
            continue;
        }
        if let (Some(k), true) = (key, current == section) {
            let written = t.split('=').next().unwrap_or("").trim().trim_matches('"');
            if written == k {
                return i + 1;
            }
        }
    }
    0
}

/// The closest of `names` to `word`, if close enough to be a typo.
fn suggestion<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    names
        .into_iter()
        .map(|n| (edit_distance(word, n), n))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, n)| n)
}

/// A `pfconf.toml` that pfconf does not accept: where, what, and the name
/// probably meant. `Display` gives `FILE[:LINE]: MESSAGE`.
///
/// ```
/// let e = pfconf::config::check_keys("[format]\nwidht = 60\n", "pfconf.toml").unwrap_err();
/// assert_eq!(e.to_string(), "pfconf.toml:2: unknown key `widht` in [format]: did you mean `width`?");
/// assert_eq!(e.line, Some(2));
/// assert_eq!(e.key.as_deref(), Some("format.widht"));
/// assert_eq!(e.suggestion.as_deref(), Some("width"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as named in the message.
    pub file: String,
    /// The line (from 1) of the section or key at fault, when the message
    /// gives it (a TOML syntax error gives its own position in
    /// [`message`](Self::message)).
    pub line: Option<usize>,
    /// The section (`lint`) or `section.key` (`format.widht`) at fault,
    /// when there is one.
    pub key: Option<String>,
    /// What is wrong, with what to do (`unknown section [lint]: did you
    /// mean [lints]?`).
    pub message: String,
    /// The name probably meant (`lints`), when one is close.
    pub suggestion: Option<String>,
}

impl ConfigError {
    /// An error about `file` as a whole.
    pub(crate) fn new(file: &str, key: Option<String>, message: String) -> Self {
        ConfigError {
            file: file.to_string(),
            line: None,
            key,
            message,
            suggestion: None,
        }
    }
}

impl ConfigError {
    /// The error with its line in `text` (the file's content), found from
    /// its key (`ha.carpdev`: the `carpdev =` line of `[ha]`; `ha`: the
    /// section's header) when it has none yet.
    ///
    /// ```
    /// use pfconf::config::ConfigError;
    ///
    /// let text = "[format]\nwidth = 80\n\n[ha]\ncarpdev = \"e m0\"\n";
    /// let e = pfconf::lint::LintConfig::from_toml_file(text, "pfconf.toml").unwrap_err();
    /// assert_eq!((e.line, e.key.as_deref()), (Some(5), Some("ha.carpdev")));
    /// assert!(e.to_string().starts_with("pfconf.toml:5: [ha] carpdev: "));
    /// ```
    pub fn located(mut self, text: &str) -> Self {
        if self.line.is_none() {
            if let Some(key) = &self.key {
                let (section, key) = match key.split_once('.') {
                    Some((s, k)) => (s, Some(k)),
                    None => (key.as_str(), None),
                };
                let line = line_of(text, section, key);
                self.line = (line > 0).then_some(line);
            }
        }
        self
    }
}

/// Checks the values of the sections this module reads (`[format]`,
/// `[test]`) in a table [`check_keys`] accepted; `[lints]` and `[ha]` are
/// read by [`crate::lint::LintConfig::from_toml_file`].
pub fn check_values(table: &toml::Table, file: &str) -> Result<(), ConfigError> {
    format_width(table, file)?;
    test_flows(table, file)?;
    Ok(())
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(n) => write!(f, "{}:{n}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Checks that `text` (a `pfconf.toml` named `file`) holds only sections
/// and keys pfconf reads; the error names the file, the line and the
/// name probably meant.
///
/// ```
/// let e = pfconf::config::check_keys("[lint]\n", "pfconf.toml").unwrap_err();
/// assert_eq!(e.to_string(), "pfconf.toml:1: unknown section [lint]: did you mean [lints]?");
/// ```
pub fn check_keys(text: &str, file: &str) -> Result<toml::Table, ConfigError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::new(file, None, e.to_string()))?;
    for (name, value) in &table {
        let at = |message: String, suggestion: Option<&str>| ConfigError {
            file: file.to_string(),
            line: Some(line_of(text, name, None)),
            key: Some(name.clone()),
            message,
            suggestion: suggestion.map(str::to_string),
        };
        let Some((_, keys)) = SECTIONS.iter().find(|(s, _)| s == name) else {
            let meant = suggestion(name, SECTIONS.iter().map(|(s, _)| *s));
            let hint = meant
                .map(|s| format!(": did you mean [{s}]?"))
                .unwrap_or_else(|| {
                    format!(
                        ": pfconf reads {}",
                        SECTIONS
                            .iter()
                            .map(|(s, _)| format!("[{s}]"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            return Err(at(format!("unknown section [{name}]{hint}"), meant));
        };
        let Some(section) = value.as_table() else {
            return Err(at(
                format!("`{name}` must be a section ([{name}]), not a single value"),
                None,
            ));
        };
        if let Some(keys) = keys {
            for k in section.keys() {
                if !keys.contains(&k.as_str()) {
                    let meant = suggestion(k, keys.iter().copied());
                    let hint = meant
                        .map(|s| format!(": did you mean `{s}`?"))
                        .unwrap_or_else(|| format!(": [{name}] takes {}", keys.join(", ")));
                    return Err(ConfigError {
                        line: Some(line_of(text, name, Some(k))),
                        key: Some(format!("{name}.{k}")),
                        ..at(format!("unknown key `{k}` in [{name}]{hint}"), meant)
                    });
                }
            }
        }
    }
    Ok(table)
}

/// `[format] width`: a number of columns from 20 to 1000.
pub fn format_width(table: &toml::Table, file: &str) -> Result<Option<usize>, ConfigError> {
    match table.get("format").and_then(|f| f.get("width")) {
        None => Ok(None),
        Some(toml::Value::Integer(n)) if (20..=1000).contains(n) => Ok(Some(*n as usize)),
        Some(v) => Err(ConfigError::new(
            file,
            Some("format.width".into()),
            format!(
                "[format] width must be a number of columns from 20 to 1000, not {}",
                plain(v)
            ),
        )),
    }
}

/// `[node] dir`: the node directory (an `/etc`-like tree, see
/// [`crate::node`]), relative to the directory of the configuration file
/// `file`. Only its form is checked here; reading it is
/// [`crate::lint::LintConfig::read_node`]'s job.
///
/// ```
/// use std::path::Path;
///
/// let t = pfconf::config::check_keys("[node]\ndir = \"nodes/fw1\"\n", "site/pfconf.toml").unwrap();
/// let dir = pfconf::config::node_dir(&t, "site/pfconf.toml").unwrap();
/// assert_eq!(dir.as_deref(), Some(Path::new("site/nodes/fw1")));
/// ```
pub fn node_dir(table: &toml::Table, file: &str) -> Result<Option<PathBuf>, ConfigError> {
    match table.get("node").and_then(|n| n.get("dir")) {
        None => Ok(None),
        Some(toml::Value::String(s)) if !s.trim().is_empty() => {
            let base = Path::new(file).parent().unwrap_or(Path::new(""));
            Ok(Some(base.join(s)))
        }
        Some(v) => Err(ConfigError::new(
            file,
            Some("node.dir".into()),
            format!(
                "[node] dir must be the path of a node directory (\"nodes/fw1\", relative to {FILE_NAME}), not {}",
                plain(v)
            ),
        )),
    }
}

/// `[test] flows`: flow lines as a flow file holds them (see
/// [`crate::policy`]).
pub fn test_flows(table: &toml::Table, file: &str) -> Result<Vec<String>, ConfigError> {
    let bad = |v: &toml::Value| {
        ConfigError::new(
            file,
            Some("test.flows".into()),
            format!(
                "[test] flows must be a list of flow lines (\"in on em0 proto tcp to port 22 => block\"), not {}",
                plain(v)
            ),
        )
    };
    match table.get("test").and_then(|t| t.get("flows")) {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| bad(v)))
            .collect(),
        Some(v) => Err(bad(v)),
    }
}

/// A TOML value as a person writes it.
fn plain(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(_) => "a date".into(),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a section".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_in_sections_and_keys_are_errors_with_their_line_and_a_suggestion() {
        let e =
            check_keys("# levels\n[lint]\nunused-macro = \"off\"\n", "pfconf.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "pfconf.toml:2: unknown section [lint]: did you mean [lints]?"
        );
        assert_eq!(
            (e.line, e.key.as_deref(), e.suggestion.as_deref()),
            (Some(2), Some("lint"), Some("lints"))
        );
        assert_eq!(
            check_keys("[format]\nwidht = 60\n", "pfconf.toml")
                .unwrap_err()
                .to_string(),
            "pfconf.toml:2: unknown key `widht` in [format]: did you mean `width`?"
        );
        let e = check_keys("[ha]\ncarpdev = \"em0\"\nsyncif = \"em2\"\n", "p.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "p.toml:3: unknown key `syncif` in [ha]: [ha] takes carpdev, syncdev"
        );
        assert_eq!((e.key.as_deref(), e.suggestion), (Some("ha.syncif"), None));
        assert!(check_keys("[xyz]\n", "p.toml")
            .unwrap_err()
            .to_string()
            .contains("pfconf reads [lints], [ha], [node], [format]"));
        let e = check_keys("[lints\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml: TOML parse error"), "{e}");
        assert_eq!(e.line, None);
        assert!(check_keys(
            "[lints]\nunused-macro = \"off\"\n[format]\nwidth = 100\n",
            "p"
        )
        .is_ok());
    }

    #[test]
    fn the_node_directory_is_relative_to_the_configuration_file() {
        let t = check_keys("[node]\ndir = \"/srv/fw1\"\n", "/repo/pfconf.toml").unwrap();
        assert_eq!(
            node_dir(&t, "/repo/pfconf.toml").unwrap(),
            Some(PathBuf::from("/srv/fw1"))
        );
        let t = check_keys("[node]\ndir = \"nodes/fw1\"\n", "/repo/pfconf.toml").unwrap();
        assert_eq!(
            node_dir(&t, "/repo/pfconf.toml").unwrap(),
            Some(PathBuf::from("/repo/nodes/fw1"))
        );
        assert_eq!(node_dir(&check_keys("", "p").unwrap(), "p").unwrap(), None);
        let t = check_keys("[node]\ndir = 3\n", "pfconf.toml").unwrap();
        let e = node_dir(&t, "pfconf.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "pfconf.toml: [node] dir must be the path of a node directory (\"nodes/fw1\", relative to pfconf.toml), not 3"
        );
        assert_eq!(e.key.as_deref(), Some("node.dir"));
        let e = check_keys("[node]\ndirectory = \"x\"\n", "pfconf.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "pfconf.toml:2: unknown key `directory` in [node]: [node] takes dir"
        );
        let e = check_keys("[node]\ndri = \"x\"\n", "pfconf.toml").unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("dir"));
        let e = check_keys("[nodes]\ndir = \"x\"\n", "pfconf.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "pfconf.toml:1: unknown section [nodes]: did you mean [node]?"
        );
    }

    #[test]
    fn a_bad_width_is_said_in_plain_words() {
        let t = check_keys("[format]\nwidth = \"wide\"\n", "pfconf.toml").unwrap();
        let e = format_width(&t, "pfconf.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "pfconf.toml: [format] width must be a number of columns from 20 to 1000, not \"wide\""
        );
        assert_eq!(e.key.as_deref(), Some("format.width"));
    }

    #[test]
    fn the_file_is_found_in_a_parent_up_to_the_repository_root() {
        let top = tempfile::tempdir().unwrap();
        let repo = top.path().join("repo");
        let deep = repo.join("fw/site-a");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        assert_eq!(find(&deep), None);
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), Some(repo.join(FILE_NAME)));
        // Not above the repository root.
        std::fs::remove_file(repo.join(FILE_NAME)).unwrap();
        std::fs::write(top.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find(&deep), None);
    }
}
