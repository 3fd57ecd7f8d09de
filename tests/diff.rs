//! `pfconf diff` on the reference scenario as node directories
//! (tests/fixtures/ha/nodeA, nodeB): as given they are in parity; each kind
//! of drift or cluster mistake is reported with exit 1, and a CARP password
//! is never printed.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(node: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ha")
        .join(node)
}

/// A copy of a node directory that a test may edit.
fn copy_node(node: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    for e in std::fs::read_dir(fixture(node).join("etc"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(e.path(), etc.join(e.file_name())).unwrap();
    }
    let p = dir.path().to_path_buf();
    (dir, p)
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join("etc").join(file);
    let t = std::fs::read_to_string(&p).unwrap();
    assert!(t.contains(from), "{file}: {from}");
    std::fs::write(&p, t.replacen(from, to, 1)).unwrap();
}

fn diff(a: &Path, b: &Path) -> (i32, Value, String) {
    let out = Command::cargo_bin("pfconf")
        .unwrap()
        .args(["diff", "--format", "json"])
        .arg(a)
        .arg(b)
        .output()
        .unwrap();
    let human = Command::cargo_bin("pfconf")
        .unwrap()
        .arg("diff")
        .arg(a)
        .arg(b)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&human.stdout).into_owned(),
    )
}

fn kinds(v: &Value) -> Vec<String> {
    v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_two_nodes_as_given_are_in_parity() {
    let (code, v, _) = diff(&fixture("nodeA"), &fixture("nodeB"));
    assert_eq!(code, 0, "{v}");
    assert_eq!(kinds(&v), Vec::<String>::new());
}

#[test]
fn rule_edits_on_node_b_are_drift_with_both_places() {
    for (from, to, kind) in [
        ("pass on $lan\n", "pass on $lan proto tcp\n", "rule-changed"),
        (
            "pass on $lan\n",
            "pass on $lan\npass in on $wan proto tcp to port 22\n",
            "rule-added",
        ),
        ("pass on $lan\n", "", "rule-removed"),
        (
            "pass on $wan proto carp\npass on $lan proto carp\n",
            "pass on $lan proto carp\npass on $wan proto carp\n",
            "rule-moved",
        ),
    ] {
        let (_t, b) = copy_node("nodeB");
        edit(&b, "pf.conf", from, to);
        let (code, v, _) = diff(&fixture("nodeA"), &b);
        assert_eq!(code, 1, "{from:?} -> {to:?}");
        assert_eq!(kinds(&v), vec![kind.to_string()], "{v}");
        let d = &v["differences"][0];
        if kind == "rule-changed" || kind == "rule-moved" {
            assert!(
                d["a"]["line"].as_u64().unwrap() > 0 && d["b"]["line"].as_u64().unwrap() > 0,
                "{d}"
            );
        }
    }
}

#[test]
fn whitespace_comments_continuations_and_list_punctuation_are_not_drift() {
    let (_t, b) = copy_node("nodeB");
    edit(&b, "pf.conf", "pass out on $wan proto { tcp udp icmp } from ($wan) to any keep state", "# outbound\npass   out on $wan \\\n  proto {tcp, udp, icmp} from ($wan) to any keep state   # same");
    let (code, v, _) = diff(&fixture("nodeA"), &b);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn cluster_findings() {
    let (_t, b) = copy_node("nodeB");
    edit(&b, "hostname.carp0", "vhid 1", "vhid 7");
    let (code, v, _) = diff(&fixture("nodeA"), &b);
    assert_eq!(code, 1);
    assert!(
        v["differences"][0]["message"]
            .as_str()
            .unwrap()
            .contains("vhid 1 on node A, 7 on node B"),
        "{v}"
    );

    let (_t, b) = copy_node("nodeB");
    edit(&b, "hostname.carp1", "advskew 100", "advskew 0");
    let (_, v, _) = diff(&fixture("nodeA"), &b);
    assert!(
        v["differences"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no node is preferred"),
        "{v}"
    );

    let (_t, b) = copy_node("nodeB");
    edit(&b, "hostname.carp0", "ExampleSecretWan", "AnotherSecret");
    let (code, v, human) = diff(&fixture("nodeA"), &b);
    assert_eq!(code, 1);
    assert_eq!(
        v["differences"][0]["message"],
        "carp0: CARP password differs"
    );
    for secret in ["ExampleSecretWan", "AnotherSecret"] {
        assert!(
            !v.to_string().contains(secret) && !human.contains(secret),
            "secret printed"
        );
    }

    let (_t, b) = copy_node("nodeB");
    edit(&b, "sysctl.conf", "net.inet.carp.preempt=1\n", "");
    let (_, v, _) = diff(&fixture("nodeA"), &b);
    assert_eq!(kinds(&v), vec!["sysctl".to_string()]);
}

#[test]
fn per_node_macros_can_be_declared() {
    let (_ta, a) = copy_node("nodeA");
    let (_tb, b) = copy_node("nodeB");
    edit(
        &a,
        "pf.conf",
        "sync = \"em2\"\n",
        "sync = \"em2\"\nself_ip = \"198.51.100.2\"\n",
    );
    edit(
        &b,
        "pf.conf",
        "sync = \"em2\"\n",
        "sync = \"em2\"\nself_ip = \"198.51.100.3\"\n",
    );
    edit(
        &a,
        "pf.conf",
        "pass on $lan\n",
        "pass on $lan\npass in on $wan proto tcp to $self_ip port 22\n",
    );
    edit(
        &b,
        "pf.conf",
        "pass on $lan\n",
        "pass in on $wan proto tcp to $self_ip port 22\npass on $lan\n",
    );
    let out = Command::cargo_bin("pfconf")
        .unwrap()
        .args(["diff", "--format", "json"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "differs (and moved)");
    let out = Command::cargo_bin("pfconf").unwrap();
    let _ = out;
    // Same order, only the per-node address differs: expected.
    edit(
        &b,
        "pf.conf",
        "pass in on $wan proto tcp to $self_ip port 22\npass on $lan\n",
        "pass on $lan\npass in on $wan proto tcp to $self_ip port 22\n",
    );
    let out = Command::cargo_bin("pfconf")
        .unwrap()
        .args(["diff", "--format", "json", "--ignore-macro", "self_ip"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["expected"], 1);
}

#[test]
fn two_files_and_usage_errors() {
    let a = fixture("nodeA").join("etc/pf.conf");
    let b = fixture("nodeB").join("etc/pf.conf");
    Command::cargo_bin("pfconf")
        .unwrap()
        .arg("diff")
        .arg(&a)
        .arg(&b)
        .assert()
        .code(0);
    Command::cargo_bin("pfconf")
        .unwrap()
        .arg("diff")
        .arg(&a)
        .arg(fixture("nodeB"))
        .assert()
        .code(2);
    Command::cargo_bin("pfconf")
        .unwrap()
        .arg("diff")
        .arg(&a)
        .arg("no/such/file")
        .assert()
        .code(2);
}
