//! Cluster cases under tests/fixtures/cluster/: node directories written
//! from carp(4), pfsync(4), hostname.if(5) and the handbook, each with an
//! `expect.toml` worked out by hand from pf's semantics (see the README
//! there). Every HA lint named in `fires` must report, every one in
//! `silent` must not; every `[[eval]]` packet must get its verdict.

use pfconf::eval::{parse_packet, Evaluator, Verdict};
use pfconf::lint::{run, LintConfig};
use pfconf::node::Node;
use std::path::Path;

fn cases() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cluster");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expect.toml").is_file())
        .collect();
    v.sort();
    v
}

fn strings(t: &toml::Table, key: &str) -> Vec<String> {
    t.get(key)
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_cluster_case_agrees_with_its_hand_walk() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expect: toml::Table = std::fs::read_to_string(case.join("expect.toml"))
            .unwrap()
            .parse()
            .unwrap_or_else(|e| panic!("{name}: expect.toml: {e}"));
        let node = Node::read_dir(&case).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = std::fs::read_to_string(case.join("etc/pf.conf")).unwrap();
        let loader = pfconf::FsLoader {
            root: Some(case.clone()),
        };
        let mut report = pfconf::check_with("/etc/pf.conf", &text, &loader, &Default::default());
        assert!(report.is_ok(), "{name}: {:?}", report.diagnostics);
        let mut node_for_lint = node.clone();
        node_for_lint.attach_sources(&mut report.sources);
        let cfg = LintConfig {
            node: Some(node_for_lint),
            ..LintConfig::default()
        };
        let found = run(&report, &cfg);
        let lint = expect
            .get("lint")
            .and_then(|l| l.as_table())
            .cloned()
            .unwrap_or_default();
        for l in strings(&lint, "fires") {
            checked += 1;
            if !found.iter().any(|d| d.code == l) {
                failures.push(format!("{name}: {l} should fire and does not"));
            }
        }
        for l in strings(&lint, "silent") {
            checked += 1;
            if let Some(d) = found.iter().find(|d| d.code == l) {
                failures.push(format!(
                    "{name}: {l} should be silent, says at {}: {}",
                    report.sources.location(d.span),
                    d.message
                ));
            }
        }
        let ev = Evaluator::with_node(&report.resolved, &node);
        for e in expect
            .get("eval")
            .and_then(|v| v.as_array())
            .cloned()
            .unwrap_or_default()
        {
            let packet = e.get("packet").and_then(|v| v.as_str()).unwrap_or("");
            let want = e.get("verdict").and_then(|v| v.as_str()).unwrap_or("");
            let p = parse_packet(packet).unwrap_or_else(|x| panic!("{name}: {packet}: {x}"));
            let o = ev.evaluate(&p);
            let got = match o.certain() {
                Some(d) => d.verdict.as_str().to_string(),
                None if o.surely_blocked() => Verdict::Block.as_str().to_string(),
                None => "undecided".to_string(),
            };
            checked += 1;
            if got != want {
                failures.push(format!(
                    "{name}: {packet}: expected {want}, got {got} ({:?})",
                    o.undecided
                        .iter()
                        .map(|(_, w)| w.as_str())
                        .collect::<Vec<_>>()
                ));
            }
        }
    }
    println!(
        "cluster cases: {checked} expectations checked, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
