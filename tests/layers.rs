//! The layering ARCHITECTURE.md's dependency order states (#16): no
//! top-level module of the library imports one that imports it back
//! (directly or around a longer loop); and, for the HA probes, `packet`
//! (packet descriptions) sits below `node` and `eval`; `node` (with its
//! probes) never reaches up into `eval` or `lint`; `eval` never reaches
//! into `lint`; the includer discovery (`includers`, shared by the CLI
//! and the language server) reaches into none of its consumers. Checked
//! on the crate paths the library source names outside tests and
//! comments. The same scan holds "errors are values": no `unwrap()` /
//! `expect()` in `src/` outside tests.

use std::collections::{BTreeMap, BTreeSet};
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

/// The code of a file: `#[cfg(test)]` items (inline test modules,
/// test-only functions) and comment lines left out.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            // Skip the item it guards: one line ending in `;`, or up to
            // the `}` at the attribute's own indentation.
            let close = format!("{}}}", &line[..line.len() - trimmed.len()]);
            let mut first = true;
            for item in lines.by_ref() {
                if item.trim_start().starts_with("#[") {
                    continue;
                }
                let one_line = first && item.trim_end().ends_with(';') && !item.contains('{');
                first = false;
                if one_line || item == close {
                    break;
                }
            }
            continue;
        }
        out.push(line);
    }
    out.join("\n")
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

/// The library's top-level modules: `src/X.rs` and `src/X/`, the crate
/// root (`lib.rs`, the facade that re-exports and ties stages together)
/// and the binary's `cli` left out.
fn top_level_modules() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(&root).unwrap().flatten() {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        let is_module = p.is_dir() || p.extension().is_some_and(|x| x == "rs");
        if is_module && !["lib", "main", "cli"].contains(&name.as_str()) {
            out.insert(name);
        }
    }
    out
}

/// Names the crate root re-exports (`pub use numbers::{Port, Protocol};`),
/// each with the module it comes from: `crate::Protocol` is `numbers`.
fn root_reexports() -> BTreeMap<String, String> {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let mut out = BTreeMap::new();
    for line in code(&lib).lines() {
        let Some(rest) = line.strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items
            .trim_end_matches(';')
            .trim_matches(|c| c == '{' || c == '}');
        for item in items.split(',') {
            let item = item.trim();
            if !item.is_empty() {
                out.insert(item.to_string(), module.to_string());
            }
        }
    }
    out
}

/// The first segment of every `crate::` path in `code`, also inside
/// `crate::{a, b::c}` lists.
fn crate_paths(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            let list = &list[..list.find('}').unwrap_or(list.len())];
            out.extend(
                list.split(',')
                    .filter_map(|item| item.trim().split("::").next())
                    .filter(|s| !s.is_empty()),
            );
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            out.push(&rest[..end]);
        }
    }
    out
}

/// Module → the modules it imports, each with one file that does.
fn import_graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let modules = top_level_modules();
    let reexports = root_reexports();
    let mut graph = BTreeMap::new();
    for module in &modules {
        let under = if Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(module)
            .is_dir()
        {
            vec![format!("{module}.rs"), module.clone()]
        } else {
            vec![format!("{module}.rs")]
        };
        let mut edges = BTreeMap::new();
        for dir in under {
            if !Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src")
                .join(&dir)
                .exists()
            {
                continue;
            }
            for path in sources(&dir) {
                let code = code(&path);
                for name in crate_paths(&code) {
                    let target = if modules.contains(name) {
                        Some(name.to_string())
                    } else {
                        reexports.get(name).cloned()
                    };
                    if let Some(target) = target.filter(|t| t != module) {
                        let shown = path
                            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                            .unwrap_or(&path)
                            .display()
                            .to_string();
                        edges.entry(target).or_insert(shown);
                    }
                }
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// A loop in `graph` (module → imported modules), as the path around it.
fn find_cycle<V>(graph: &BTreeMap<String, BTreeMap<String, V>>) -> Option<Vec<String>> {
    fn visit<V>(
        node: &str,
        graph: &BTreeMap<String, BTreeMap<String, V>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|e| e.keys()) {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = import_graph();
    if let Some(cycle) = find_cycle(&graph) {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("{} -> {} (in {})", w[0], w[1], graph[&w[0]][&w[1]]))
            .collect();
        panic!("module import cycle:\n  {}", steps.join("\n  "));
    }
}

#[test]
fn the_cycle_scan_sees_imports_and_loops() {
    let graph = import_graph();
    // Edges that exist, through a plain path and through a root re-export.
    assert!(graph["lint"].contains_key("eval"));
    assert!(graph["numbers"].contains_key("names"));
    assert!(graph["values"].contains_key("numbers"));
    assert!(!graph.contains_key("cli") && !graph.contains_key("lib"));
    // A loop of three is found.
    let mut made_up: BTreeMap<String, BTreeMap<String, ()>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        made_up
            .entry(a.to_string())
            .or_default()
            .insert(b.to_string(), ());
    }
    assert_eq!(
        find_cycle(&made_up),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    made_up.get_mut("c").unwrap().remove("a");
    assert_eq!(find_cycle(&made_up), None);
}

#[test]
fn test_only_items_are_left_out_of_the_scan() {
    let dir = std::env::temp_dir().join(format!("pfconf-layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.rs");
    std::fs::write(
        &file,
        "use crate::a;\n#[cfg(test)]\nuse crate::b;\n#[cfg(test)]\nfn f() {\n    crate::c::x();\n}\n// crate::d\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use crate::e;\n}\nfn g() {\n    crate::f::y();\n}\n",
    )
    .unwrap();
    let code = code(&file);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(crate_paths(&code), ["a", "f"]);
}

/// ARCHITECTURE.md's "errors are values": no `unwrap()` / `expect()` in
/// the library, the command line or the language server outside tests
/// and doc examples. (`self.expect(c)` is the fast parser's own method.)
#[test]
fn no_unwrap_or_expect_outside_tests() {
    let mut found = Vec::new();
    for path in sources("") {
        let code = code(&path);
        for line in code.lines() {
            let expects = line
                .match_indices(".expect(")
                .any(|(i, _)| !line[..i].ends_with("self"));
            if line.contains(".unwrap()") || expects {
                let shown = path
                    .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                found.push(format!("{shown}: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "unwrap/expect outside tests:\n{}",
        found.join("\n")
    );
}
