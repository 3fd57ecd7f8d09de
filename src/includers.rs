//! Which rulesets include a file: the discovery behind checking a
//! fragment through its includers (`pfconf check --find-includers`, and
//! the language server for a fragment opened on its own).
//!
//! A file such as `pf/lan.conf` often uses the macros its includer
//! defines: checked alone it reports `undefined-macro` while `pfconf check
//! pf.conf` is clean. Its *top includers* are the rulesets that read it
//! (by `include` or `load anchor ... from`, directly or through other
//! files, inline anchors included) and that nothing else reads; checking
//! one of them checks the fragment as pf loads it. Candidates are given
//! ([`Includes::scan`]), typically the files named `pf.conf`, `pf.conf.*`,
//! `*.pf` or `*.conf` under the repository root (the directory holding
//! `.git`, [`repository_root`], [`rulesets_under`]).
//!
//! Absolute paths in a candidate resolve under the given root (`--root`,
//! or the editor's workspace folder), else under the node directory the
//! candidate lies in (`X` for `X/etc/...`, [`node_root_of`]), as `--node
//! X` does; relative paths from the candidate's directory.
//!
//! Bounds: the scan visits at most [`SCAN_LIMIT`] directory entries and
//! reads no candidate larger than [`MAX_RULESET_BYTES`]; a cycle of
//! includes ends a chain.
//!
//! ```
//! use pfconf::includers::Includes;
//! use std::path::{Path, PathBuf};
//!
//! let texts = [
//!     ("/repo/pf.conf", "lan = \"em1\"\ninclude \"pf/lan.conf\"\n"),
//!     ("/repo/pf/lan.conf", "pass on $lan\n"),
//! ];
//! let candidates: Vec<PathBuf> = texts.iter().map(|(p, _)| PathBuf::from(p)).collect();
//! let text_of = |p: &Path| texts.iter().find(|(n, _)| Path::new(n) == p).map(|(_, t)| t.to_string());
//! let includes = Includes::scan(&candidates, None, &text_of);
//! assert_eq!(includes.top_includers(Path::new("/repo/pf/lan.conf")), [PathBuf::from("/repo/pf.conf")]);
//! assert!(includes.top_includers(Path::new("/repo/pf.conf")).is_empty());
//! ```

use crate::ast::{Ruleset, StatementKind};
use crate::resolve::FsLoader;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// How many directory entries [`rulesets_under`] visits at most.
pub const SCAN_LIMIT: usize = 50_000;
/// Files larger than this are not rulesets worth parsing for includes.
pub const MAX_RULESET_BYTES: u64 = 16 << 20;

/// Who reads whom among a set of candidate rulesets.
#[derive(Debug, Clone, Default)]
pub struct Includes {
    /// For each file read, the candidates that read it directly.
    read_by: HashMap<PathBuf, Vec<PathBuf>>,
}

impl Includes {
    /// Parses each candidate (its text from `text_of`; None: unreadable,
    /// it reads nothing) and records the files its `include` and `load
    /// anchor ... from` statements name. Absolute paths resolve under
    /// `root`, else under the candidate's node directory.
    pub fn scan(
        candidates: &[PathBuf],
        root: Option<&Path>,
        text_of: &dyn Fn(&Path) -> Option<String>,
    ) -> Includes {
        let mut read_by: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        for c in candidates {
            for r in reads(c, root, text_of) {
                let parents = read_by.entry(r).or_default();
                if !parents.contains(c) {
                    parents.push(c.clone());
                }
            }
        }
        Includes { read_by }
    }

    /// The rulesets that read `file` (through every chain of includes)
    /// and that no candidate reads, sorted; empty when nothing reads
    /// `file`.
    pub fn top_includers(&self, file: &Path) -> Vec<PathBuf> {
        let file = absolute(file);
        let mut seen: HashSet<PathBuf> = HashSet::from([file.clone()]);
        let mut stack = vec![file.clone()];
        let mut tops = Vec::new();
        while let Some(f) = stack.pop() {
            let parents = self.read_by.get(&f).map(Vec::as_slice).unwrap_or_default();
            if parents.is_empty() && f != file {
                tops.push(f.clone());
            }
            for p in parents {
                if seen.insert(p.clone()) {
                    stack.push(p.clone());
                }
            }
        }
        tops.sort();
        tops
    }
}

/// A candidate's text read from the disk: None when it cannot be read or
/// is larger than [`MAX_RULESET_BYTES`].
pub fn read_candidate(file: &Path) -> Option<String> {
    let meta = std::fs::metadata(file).ok()?;
    if meta.len() > MAX_RULESET_BYTES {
        return None;
    }
    crate::resolve::read_text(file).ok()
}

/// The files `file` reads by `include` and `load anchor ... from`
/// (inline anchors included), as full paths.
fn reads(
    file: &Path,
    root: Option<&Path>,
    text_of: &dyn Fn(&Path) -> Option<String>,
) -> Vec<PathBuf> {
    let Some(text) = text_of(file) else {
        return Vec::new();
    };
    let name = file.display().to_string();
    let (_, ast, _) = crate::parse_str(&name, &text);
    let loader = FsLoader {
        root: root.map(Path::to_path_buf).or_else(|| node_root_of(file)),
    };
    let mut written = Vec::new();
    collect_paths(&ast, &mut written, 0);
    written
        .iter()
        .filter_map(|p| loader.locate(p, &name).ok())
        .collect()
}

/// The paths of the `include` and `load anchor ... from` statements of a
/// ruleset and of its inline anchors (nested up to pfctl's limits).
fn collect_paths(rs: &Ruleset, into: &mut Vec<String>, depth: usize) {
    if depth > crate::lexer::MAX_ANCHOR_DEPTH {
        return;
    }
    for s in &rs.statements {
        match &s.kind {
            StatementKind::Include(i) => into.push(i.path.node.text().to_string()),
            StatementKind::LoadAnchor(l) => {
                into.extend(l.file.iter().map(|f| f.node.text().to_string()))
            }
            StatementKind::Anchor(a) => {
                if let Some(body) = &a.body {
                    collect_paths(body, into, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// The node directory a file lies in: `X` for `X/etc/...`.
pub fn node_root_of(file: &Path) -> Option<PathBuf> {
    let mut prefix = PathBuf::new();
    for c in file.components() {
        if c == Component::Normal("etc".as_ref()) {
            return Some(prefix);
        }
        prefix.push(c);
    }
    None
}

/// The directory holding `.git` at or above `dir`.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The files under `dir` that may be rulesets ([`is_ruleset_name`]),
/// skipping hidden directories and build output; at most [`SCAN_LIMIT`]
/// entries visited.
pub fn rulesets_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut visited = 0usize;
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            visited += 1;
            if visited > SCAN_LIMIT {
                return found;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                if !name.starts_with('.') && !matches!(name.as_str(), "target" | "node_modules") {
                    stack.push(e.path());
                }
            } else if kind.is_file() && is_ruleset_name(&name) {
                found.push(absolute(&e.path()));
            }
        }
    }
    found
}

/// `pf.conf`, `pf.conf.*`, `*.pf`, `*.conf`.
pub fn is_ruleset_name(name: &str) -> bool {
    name == "pf.conf"
        || name.starts_with("pf.conf.")
        || name.ends_with(".pf")
        || name.ends_with(".conf")
}

/// `p` made absolute (against the working directory) and normalized (no
/// `.` or `..`), so that two ways of naming a file compare equal.
pub fn absolute(p: &Path) -> PathBuf {
    crate::resolve::absolute(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn includes(texts: &[(&str, &str)], root: Option<&Path>) -> Includes {
        let candidates: Vec<PathBuf> = texts.iter().map(|(p, _)| PathBuf::from(p)).collect();
        let text_of = |p: &Path| {
            texts
                .iter()
                .find(|(n, _)| Path::new(n) == p)
                .map(|(_, t)| t.to_string())
        };
        Includes::scan(&candidates, root, &text_of)
    }

    #[test]
    fn the_top_of_every_chain_is_an_includer_and_cycles_end() {
        let inc = includes(
            &[
                (
                    "/r/pf.conf",
                    "include \"mid.conf\"\nanchor \"a\" {\n  load anchor x from \"/r/x.conf\"\n}\n",
                ),
                ("/r/mid.conf", "include \"leaf.conf\"\n"),
                ("/r/other.pf", "include \"leaf.conf\"\n"),
                ("/r/leaf.conf", "pass\n"),
                ("/r/c1.conf", "include \"c2.conf\"\n"),
                ("/r/c2.conf", "include \"c1.conf\"\n"),
            ],
            None,
        );
        assert_eq!(
            inc.top_includers(Path::new("/r/leaf.conf")),
            [PathBuf::from("/r/other.pf"), PathBuf::from("/r/pf.conf")]
        );
        assert_eq!(
            inc.top_includers(Path::new("/r/x.conf")),
            [PathBuf::from("/r/pf.conf")]
        );
        assert!(inc.top_includers(Path::new("/r/pf.conf")).is_empty());
        // A cycle without a way in has no top.
        assert!(inc.top_includers(Path::new("/r/c1.conf")).is_empty());
    }

    #[test]
    fn absolute_paths_resolve_under_the_root_else_the_node_directory() {
        let texts = [
            ("/r/nodes/a/etc/pf.conf", "include \"/etc/pf/lan.conf\"\n"),
            ("/w/pf.conf", "include \"/etc/lan.conf\"\n"),
        ];
        let inc = includes(&texts, None);
        assert_eq!(
            inc.top_includers(Path::new("/r/nodes/a/etc/pf/lan.conf")),
            [PathBuf::from("/r/nodes/a/etc/pf.conf")]
        );
        let inc = includes(&texts[1..], Some(Path::new("/w")));
        assert_eq!(
            inc.top_includers(Path::new("/w/etc/lan.conf")),
            [PathBuf::from("/w/pf.conf")]
        );
        assert_eq!(node_root_of(Path::new("/x/y.conf")), None);
    }

    #[test]
    fn ruleset_names() {
        for n in ["pf.conf", "pf.conf.old", "lan.pf", "lan.conf"] {
            assert!(is_ruleset_name(n), "{n}");
        }
        for n in ["pfconf.toml", "hostname.em0", "README.md"] {
            assert!(!is_ruleset_name(n), "{n}");
        }
    }
}
