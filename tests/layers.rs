//! The layering ARCHITECTURE.md's dependency order states for the HA
//! probes (#16): `packet` (packet descriptions) sits below `node` and
//! `eval`; `node` (with its probes) never reaches up into `eval` or
//! `lint`; `eval` never reaches into `lint`; the includer discovery
//! (`includers`, shared by the CLI and the language server) reaches into
//! none of its consumers. Checked on the crate paths
//! the library source names outside tests and comments.

use std::path::{Path, PathBuf};

fn sources(under: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let start = root.join(under);
    let mut out = Vec::new();
    let mut stack = vec![start];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap().flatten() {
                stack.push(e.path());
            }
        } else if p.extension().is_some_and(|x| x == "rs")
            && p.file_name().is_some_and(|n| n != "tests.rs")
            && !p.components().any(|c| c.as_os_str() == "tests")
        {
            out.push(p);
        }
    }
    assert!(!out.is_empty(), "no sources under src/{under}");
    out.sort();
    out
}

/// The code of a file: inline `mod tests` and comment lines left out.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_never_imports(under: &str, forbidden: &[&str]) {
    for path in sources(under) {
        let code = code(&path);
        for module in forbidden {
            let direct = format!("crate::{module}");
            let listed = code.match_indices("crate::{").any(|(i, _)| {
                let rest = &code[i + "crate::{".len()..];
                let list = &rest[..rest.find('}').unwrap_or(rest.len())];
                list.split(',')
                    .any(|item| item.trim().split("::").next() == Some(module))
            });
            let named = code.match_indices(&direct).any(|(i, _)| {
                !code[i + direct.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            let shown = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(&path);
            assert!(
                !named && !listed,
                "{} imports crate::{module}",
                shown.display()
            );
        }
    }
}

#[test]
fn packet_descriptions_import_neither_node_nor_eval_nor_lint() {
    assert_never_imports("packet.rs", &["node", "eval", "lint", "diff", "policy"]);
}

#[test]
fn the_node_model_and_its_probes_import_neither_eval_nor_lint() {
    assert_never_imports("node", &["eval", "lint", "diff", "policy"]);
}

#[test]
fn the_evaluator_does_not_reach_into_the_lint_engine() {
    assert_never_imports("eval", &["lint", "diff", "policy"]);
}

#[test]
fn the_scan_sees_imports_that_exist() {
    // Lint does import eval and node: the same scan must see it.
    let lint = sources("lint").iter().map(|p| code(p)).collect::<String>();
    assert!(lint.contains("crate::eval::"));
    assert!(lint.contains("crate::node::"));
}

#[test]
fn the_includer_discovery_sits_below_the_consumers() {
    assert_never_imports(
        "includers.rs",
        &["lsp", "lint", "eval", "diff", "fmt", "node", "policy"],
    );
}
