//! Fragments checked through the rulesets that include them.
//!
//! A file such as `pf/lan.conf` often uses the macros its includer
//! defines: checked alone it reports `undefined-macro` while `pfconf check
//! pf.conf` is clean. So a PATH that another ruleset includes (by
//! `include` or `load anchor ... from`, directly or through other files)
//! is checked through its top includers: one run, whose findings in the
//! fragment carry the fragment's path. The includers are looked for among
//! the PATHs and, with `--find-includers` (what the pre-commit hooks use,
//! since they pass only the changed files), among the rulesets of the
//! repository: files named `pf.conf`, `pf.conf.*`, `*.pf` or `*.conf`
//! under the directory holding `.git`.
//!
//! Absolute paths in an includer that lies in a node directory
//! (`X/etc/...`), and with `--find-includers` in any PATH there, resolve
//! under `X`, as `--node X` does; files read there are shown by
//! their repository path, so that two nodes' `/etc/pf/lan.conf` stay
//! apart.

use super::Target;
use pfconf::FsLoader;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// How many directory entries the repository scan visits at most.
const SCAN_LIMIT: usize = 50_000;
/// Files larger than this are not rulesets worth parsing for includes.
const MAX_RULESET_BYTES: u64 = 16 << 20;

/// The targets to check for `paths`: each PATH included by another
/// ruleset is replaced by its top includers (each once, in order).
pub(crate) fn through_includers(
    paths: Vec<Target>,
    root: Option<&Path>,
    find_in_repository: bool,
) -> Vec<Target> {
    let given: Vec<PathBuf> = paths
        .iter()
        .filter(|t| t.path != "-")
        .map(|t| absolute(Path::new(&t.path)))
        .collect();
    let mut candidates: Vec<PathBuf> = given.clone();
    if find_in_repository {
        let start = given
            .first()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| absolute(Path::new(".")));
        if let Some(repo) = repository_root(&start) {
            candidates.extend(rulesets_under(&repo));
        }
    }
    candidates.sort();
    candidates.dedup();
    // Who reads whom, and who is read by whom.
    let mut read_by: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    for c in &candidates {
        for r in reads(c, root) {
            read_by.entry(r).or_default().push(c.clone());
        }
    }
    let mut out: Vec<Target> = Vec::new();
    let push = |t: Target, out: &mut Vec<Target>| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for t in paths {
        if t.path == "-" {
            push(t, &mut out);
            continue;
        }
        let full = absolute(Path::new(&t.path));
        let tops = top_includers(&full, &read_by);
        if tops.is_empty() {
            // In the repository's view, a ruleset in a node directory
            // reads its absolute paths there, as its includes were found.
            let root = match (find_in_repository, root, &t.root) {
                (true, None, None) => node_root_of(&full),
                _ => t.root.clone(),
            };
            push(Target { root, ..t }, &mut out);
            continue;
        }
        for top in tops {
            // With `--root`, the command's loader already has the root.
            let node_root = match root {
                Some(_) => None,
                None => node_root_of(&top),
            };
            push(
                Target {
                    path: shown_path(&top),
                    shown: None,
                    root: node_root,
                },
                &mut out,
            );
        }
    }
    out
}

/// The rulesets that read `file` and that nothing else reads (through
/// every chain of includes; a cycle ends a chain).
fn top_includers(file: &Path, read_by: &HashMap<PathBuf, Vec<PathBuf>>) -> Vec<PathBuf> {
    let mut seen: HashSet<PathBuf> = HashSet::from([file.to_path_buf()]);
    let mut stack = vec![file.to_path_buf()];
    let mut tops = Vec::new();
    while let Some(f) = stack.pop() {
        let parents = read_by.get(&f).map(Vec::as_slice).unwrap_or_default();
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

/// The files `file` reads by `include` and `load anchor ... from`
/// (inline anchors included), as full paths; unreadable files read
/// nothing.
fn reads(file: &Path, root: Option<&Path>) -> Vec<PathBuf> {
    let Ok(meta) = std::fs::metadata(file) else {
        return Vec::new();
    };
    if meta.len() > MAX_RULESET_BYTES {
        return Vec::new();
    }
    let Ok(text) = pfconf::resolve::read_text(file) else {
        return Vec::new();
    };
    let name = file.display().to_string();
    let (_, ast, _) = pfconf::parse_str(&name, &text);
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
fn collect_paths(rs: &pfconf::ast::Ruleset, into: &mut Vec<String>, depth: usize) {
    use pfconf::ast::StatementKind;
    if depth > 64 {
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
fn node_root_of(file: &Path) -> Option<PathBuf> {
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
fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The files under `dir` that may be rulesets, skipping hidden
/// directories and build output; at most [`SCAN_LIMIT`] entries visited.
fn rulesets_under(dir: &Path) -> Vec<PathBuf> {
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
fn is_ruleset_name(name: &str) -> bool {
    name == "pf.conf"
        || name.starts_with("pf.conf.")
        || name.ends_with(".pf")
        || name.ends_with(".conf")
}

/// `p` made absolute and normalized (no `.` or `..`), so that two ways of
/// naming a file compare equal.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let full = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in full.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// How to show a file found by the scan: relative to the working
/// directory when it lies below it.
pub(crate) fn shown_path(p: &Path) -> String {
    let cwd = absolute(Path::new("."));
    p.strip_prefix(&cwd)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

/// Renames the files of a report read under a node root (named as the
/// node sees them, `/etc/pf/lan.conf`) by their repository path.
pub(crate) fn show_repository_paths(report: &mut pfconf::Report, root: &Path) {
    let ids: Vec<(pfconf::FileId, String)> = report
        .sources
        .files()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name.starts_with('/'))
        .map(|(i, f)| {
            let full = absolute(&root.join(f.name.trim_start_matches('/')));
            (pfconf::FileId(i as u32), shown_path(&full))
        })
        .collect();
    for (id, name) in ids {
        report.sources.rename(id, name);
    }
}
