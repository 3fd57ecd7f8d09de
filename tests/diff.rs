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

/// The first difference's message after editing node B.
fn first_message(file: &str, from: &str, to: &str) -> (i32, String, Value) {
    let (_t, b) = copy_node("nodeB");
    edit(&b, file, from, to);
    let (code, v, _) = diff(&fixture("nodeA"), &b);
    let m = v["differences"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (code, m, v)
}

/// A move matters only when the rules it crosses share packets and
/// decide differently (pf: the last matching rule wins).
#[test]
fn moves_are_drift_only_when_they_can_change_a_verdict() {
    // The two CARP passes are on different interfaces: no packet matches
    // both, so their order cannot matter.
    let (_t, b) = copy_node("nodeB");
    edit(
        &b,
        "pf.conf",
        "pass on $wan proto carp\npass on $lan proto carp\n",
        "pass on $lan proto carp\npass on $wan proto carp\n",
    );
    let (code, v, human) = diff(&fixture("nodeA"), &b);
    assert_eq!(code, 0, "{v}");
    assert_eq!(kinds(&v), Vec::<String>::new());
    assert_eq!(v["neutral"][0]["kind"], "rule-reordered", "{v}");
    assert!(human.contains("1 neutral reorder(s)"), "{human}");

    // A pass and a block of the same packets, in the opposite order on the
    // two nodes: ssh to the firewall passes on A and is blocked on B.
    let (_ta, a) = copy_node("nodeA");
    let (_tb, b) = copy_node("nodeB");
    let tail = "pass on $lan\n";
    edit(
        &a,
        "pf.conf",
        tail,
        "pass on $lan\nblock in on $wan proto tcp\npass in on $wan proto tcp to port 22\n",
    );
    edit(
        &b,
        "pf.conf",
        tail,
        "pass on $lan\npass in on $wan proto tcp to port 22\nblock in on $wan proto tcp\n",
    );
    let (code, v, _) = diff(&a, &b);
    assert_eq!(code, 1, "{v}");
    assert_eq!(kinds(&v), vec!["rule-moved".to_string()], "{v}");
    let m = v["differences"][0]["message"].as_str().unwrap();
    assert!(m.contains("in on em0 proto tcp to any port 22"), "{m}");
    assert!(m.contains("pass (line") && m.contains("block (line"), "{m}");
}

#[test]
fn cluster_findings() {
    let (code, m, _) = first_message("hostname.carp0", "vhid 1", "vhid 7");
    assert_eq!(code, 1);
    assert!(m.contains("vhid 1 on node A, 7 on node B"), "{m}");

    // advskew 0 on both (advbase 1 by default): a tie.
    let (_, m, _) = first_message("hostname.carp1", "advskew 100", "advskew 0");
    assert!(m.contains("neither is preferred"), "{m}");
    // advbase and advskew together: B advertises every 2 s, A every 1 s:
    // A is preferred although both have advskew 0.
    let (code, _, v) = first_message("hostname.carp1", "advskew 100", "advbase 2 advskew 0");
    assert_eq!(code, 0, "{v}");

    let (code, m, v) = first_message("hostname.carp0", "ExampleSecretWan", "AnotherSecret");
    assert_eq!(code, 1);
    assert!(m.starts_with("carp0: the CARP password differs"), "{m}");
    for secret in ["ExampleSecretWan", "AnotherSecret"] {
        assert!(!v.to_string().contains(secret), "secret printed");
    }

    // The HMAC covers every address of the CARP interface.
    let (code, m, _) = first_message(
        "hostname.carp1",
        "inet 10.10.10.1 255.255.255.0 NONE",
        "inet 10.10.10.1 255.255.255.0 NONE\ninet alias 10.10.10.9 255.255.255.0",
    );
    assert_eq!(code, 1);
    assert!(
        m.contains("10.10.10.9 only on node B") && m.contains("HMAC"),
        "{m}"
    );

    // carppeer on one node only: multicast and unicast never meet.
    let (code, m, _) = first_message(
        "hostname.carp1",
        "advskew 100",
        "advskew 100 carppeer 10.10.10.2",
    );
    assert_eq!(code, 1);
    assert!(m.contains("carppeer only on node B"), "{m}");

    // Parents on different networks.
    let (_, m, _) = first_message("hostname.em1", "10.10.10.3", "10.20.10.3");
    assert!(m.contains("different networks"), "{m}");

    // pfsync: defer on one node only; a syncpeer that is not the peer.
    let (_, m, _) = first_message("hostname.pfsync0", "syncdev em2", "syncdev em2 defer");
    assert!(m.contains("defer is off on node A and on on node B"), "{m}");

    let (_t, b) = copy_node("nodeB");
    edit(&b, "sysctl.conf", "net.inet.carp.preempt=1\n", "");
    let (_, v, _) = diff(&fixture("nodeA"), &b);
    assert_eq!(kinds(&v), vec!["sysctl".to_string()]);
    let (_, m, _) = first_message(
        "sysctl.conf",
        "net.inet.ip.forwarding=1",
        "net.inet.ip.forwarding=0",
    );
    assert!(
        m.starts_with("net.inet.ip.forwarding is 1 on node A and 0 on node B"),
        "{m}"
    );
}

/// pf loads a table file as a set of entries: order, duplicates,
/// comments and spacing are not drift; a different entry is.
#[test]
fn table_files_are_compared_as_sets() {
    let (_ta, a) = copy_node("nodeA");
    let (_tb, b) = copy_node("nodeB");
    for (d, text) in [
        (&a, "# scanners\n192.0.2.0/24\n198.51.100.7\n"),
        (&b, "198.51.100.7  192.0.2.0/24\n198.51.100.7/32 # again\n"),
    ] {
        std::fs::write(d.join("etc/blocked"), text).unwrap();
        edit(
            d,
            "pf.conf",
            "block all\n",
            "table <blocked> file \"/etc/blocked\"\nblock all\nblock in from <blocked>\n",
        );
    }
    let (code, v, _) = diff(&a, &b);
    assert_eq!(code, 0, "{v}");
    std::fs::write(b.join("etc/blocked"), "192.0.2.0/24\n203.0.113.9\n").unwrap();
    let (code, v, _) = diff(&a, &b);
    assert_eq!(code, 1, "{v}");
    assert_eq!(kinds(&v), vec!["table".to_string()], "{v}");
    let m = v["differences"][0]["message"].as_str().unwrap();
    assert!(
        m.contains("198.51.100.7 only on node A") && m.contains("203.0.113.9 only on node B"),
        "{m}"
    );
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

/// A parity check must never call two nodes equal when a rule lets a
/// different user through: users are compared by the id each node's
/// database gives them, and a name nobody knows stays a name.
#[test]
fn users_are_compared_by_id_and_by_name() {
    let (_ta, a) = copy_node("nodeA");
    let (_tb, b) = copy_node("nodeB");
    let rule = |u: &str| format!("pass on $lan\npass out on $wan proto tcp user {u}\n");
    edit(&a, "pf.conf", "pass on $lan\n", &rule("alice"));
    edit(&b, "pf.conf", "pass on $lan\n", &rule("bob"));
    let (code, v, _) = diff(&a, &b);
    assert_eq!(code, 1, "{v}");
    assert_eq!(kinds(&v), vec!["rule-changed".to_string()], "{v}");
    // The same name with the same id on both nodes' databases: parity; a
    // different id: drift.
    for (d, uid) in [(&a, "1000"), (&b, "1000")] {
        std::fs::write(
            d.join("etc/master.passwd"),
            format!(
                "root:*:0:0::0:0:r:/root:/bin/ksh\nalice:*:{uid}:1000::0:0:a:/home/a:/bin/ksh\n"
            ),
        )
        .unwrap();
    }
    edit(&b, "pf.conf", "user bob", "user alice");
    let (code, v, _) = diff(&a, &b);
    assert_eq!(code, 0, "{v}");
    std::fs::write(
        b.join("etc/master.passwd"),
        "root:*:0:0::0:0:r:/root:/bin/ksh\nalice:*:1001:1000::0:0:a:/home/a:/bin/ksh\n",
    )
    .unwrap();
    let (code, v, _) = diff(&a, &b);
    assert_eq!(code, 1, "{v}");
    assert_eq!(kinds(&v), vec!["rule-changed".to_string()], "{v}");
}
