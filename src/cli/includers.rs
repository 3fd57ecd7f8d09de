//! Fragments checked through the rulesets that include them.
//!
//! A PATH that another ruleset includes (by `include` or `load anchor ...
//! from`, directly or through other files) is checked through its top
//! includers: one run, whose findings in the fragment carry the
//! fragment's path. The includers are looked for among the PATHs and,
//! with `--find-includers` (what the pre-commit hooks use, since they pass
//! only the changed files), among the rulesets of the repository. The
//! discovery is the library's [`pfconf::includers`] (the language server
//! uses it too); this module turns its answers into targets.
//!
//! Absolute paths in an includer that lies in a node directory
//! (`X/etc/...`), and with `--find-includers` in any PATH there, resolve
//! under `X`, as `--node X` does; files read there are shown by
//! their repository path, so that two nodes' `/etc/pf/lan.conf` stay
//! apart.

use super::Target;
pub(crate) use pfconf::includers::absolute;
use pfconf::includers::{node_root_of, read_candidate, repository_root, rulesets_under, Includes};
use std::path::{Path, PathBuf};

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
    let includes = Includes::scan(&candidates, root, &read_candidate);
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
        let tops = includes.top_includers(&full);
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
