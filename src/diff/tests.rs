//! Parity: rulesets and node directories.

use super::*;
use crate::node::NodeError;

fn cmp(a: &str, b: &str) -> Parity {
    let l = FsLoader::default();
    compare_rulesets(("a.conf", a), ("b.conf", b), &l, &l, &[])
}

fn kinds(p: &Parity) -> Vec<(&'static str, usize, usize)> {
    p.differences
        .iter()
        .map(|d| {
            (
                d.kind.as_str(),
                d.a.as_ref().map_or(0, |x| x.line),
                d.b.as_ref().map_or(0, |x| x.line),
            )
        })
        .collect()
}

const BASE: &str = "ext = \"em0\"\nblock all\npass in on $ext proto tcp to port 22\npass in on $ext proto tcp to port 443\npass out on $ext\n";

#[test]
fn formatting_comments_macro_names_and_list_spelling_are_not_drift() {
    let b = "# node B\nwan=\"em0\"\nblock all\npass in on $wan proto tcp \\\n   to port ssh\npass in on $wan proto {tcp} to port https\npass out on em0 # same\n";
    assert_eq!(kinds(&cmp(BASE, b)), vec![]);
}

#[test]
fn added_removed_changed_and_moved_rules() {
    let added = format!("{BASE}pass in proto udp to port 53\n");
    assert_eq!(kinds(&cmp(BASE, &added)), vec![("rule-added", 0, 6)]);
    assert_eq!(kinds(&cmp(&added, BASE)), vec![("rule-removed", 6, 0)]);
    let changed = BASE.replace("port 443", "port 8443");
    assert_eq!(kinds(&cmp(BASE, &changed)), vec![("rule-changed", 4, 4)]);
    let moved = "ext = \"em0\"\npass out on $ext\nblock all\npass in on $ext proto tcp to port 22\npass in on $ext proto tcp to port 443\n";
    assert_eq!(kinds(&cmp(BASE, moved)), vec![("rule-moved", 5, 2)]);
}

#[test]
fn options_and_tables_are_compared_as_sets() {
    let a = "table <t> { 10.0.0.1 10.0.0.2 }\nset block-policy drop\nblock all\npass from <t>\n";
    let b = "table <t> { 10.0.0.2, 10.0.0.1 }\nset block-policy drop\nblock all\npass from <t>\n";
    assert_eq!(kinds(&cmp(a, b)), vec![]);
    let c = a.replace("drop", "return");
    let k = kinds(&cmp(a, &c));
    assert!(
        k.contains(&("option", 2, 0)) && k.contains(&("option", 0, 2)),
        "{k:?}"
    );
}

#[test]
fn per_node_macros_are_expected_differences() {
    let a = "me = \"192.0.2.2\"\nblock all\npass in to $me\n";
    let b = "me = \"192.0.2.3\"\nblock all\npass in to $me\n";
    assert_eq!(kinds(&cmp(a, b)), vec![("rule-changed", 3, 3)]);
    let l = FsLoader::default();
    let p = compare_rulesets(("a.conf", a), ("b.conf", b), &l, &l, &["me".to_string()]);
    assert_eq!(kinds(&p), vec![]);
    assert_eq!(p.expected, 1);
}

#[test]
fn long_rulesets_align_many_insertions_and_deletions() {
    let a: String = (0..2000)
        .map(|i| format!("pass in proto tcp to port {}\n", 1000 + i))
        .collect();
    let mut lines: Vec<String> = a.lines().map(str::to_string).collect();
    lines.retain(|l| !l.ends_with("00")); // delete 20
    for i in 0..15 {
        lines.insert(
            i * 100 + 7,
            format!("block in proto udp to port {}", 50 + i),
        ); // insert 15
    }
    let b = lines.join("\n") + "\n";
    let p = cmp(&a, &b);
    let added = p
        .differences
        .iter()
        .filter(|d| d.kind == DifferenceKind::RuleAdded)
        .count();
    let removed = p
        .differences
        .iter()
        .filter(|d| d.kind == DifferenceKind::RuleRemoved)
        .count();
    let changed = p
        .differences
        .iter()
        .filter(|d| d.kind == DifferenceKind::RuleChanged)
        .count();
    assert_eq!(added + changed, 15, "{:?}", kinds(&p));
    assert_eq!(removed + changed, 20);
}

/// Rebuilds `b` from `a` and the operations, checking that equal runs are
/// equal and that the operations cover both sides in order.
fn apply(a: &[u32], b: &[u32], ops: &[similar::DiffOp]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    for op in ops {
        let (tag, ro, rn) = op.as_tag_tuple();
        assert_eq!((ro.start, rn.start), (i, j), "ops out of order: {ops:?}");
        if tag == similar::DiffTag::Equal {
            assert_eq!(a[ro.clone()], b[rn.clone()], "unequal Equal run");
        }
        out.extend_from_slice(&b[rn.clone()]);
        (i, j) = (ro.end, rn.end);
    }
    assert_eq!((i, j), (a.len(), b.len()), "ops do not cover both sides");
    out
}

proptest::proptest! {
    #[test]
    fn diff_ids_transforms_a_into_b(
        a in proptest::collection::vec(0u32..12, 0..60),
        b in proptest::collection::vec(0u32..12, 0..60),
        uniques in proptest::collection::vec((0usize..60, 0usize..60), 0..10),
    ) {
        // Mix in ids that occur once on each side, the anchors.
        let (mut a, mut b) = (a, b);
        for (k, (x, y)) in uniques.into_iter().enumerate() {
            let id = 100 + k as u32;
            a.insert(x.min(a.len()), id);
            b.insert(y.min(b.len()), id);
        }
        let ops = diff_ids(&a, &b);
        proptest::prop_assert_eq!(apply(&a, &b, &ops), b.clone());
        // Equal runs are merged: no two are adjacent.
        for w in ops.windows(2) {
            let both_equal = matches!(
                (w[0], w[1]),
                (similar::DiffOp::Equal { .. }, similar::DiffOp::Equal { .. })
            );
            proptest::prop_assert!(!both_equal, "adjacent equal runs: {:?}", ops);
        }
    }
}

#[test]
fn diff_ids_keeps_long_runs_equal_around_many_changes() {
    // 1,000 unique rules, every tenth changed: 100 replacements, nothing else.
    let a: Vec<u32> = (0..1000).collect();
    let b: Vec<u32> = (0..1000)
        .map(|i| if i % 10 == 5 { 5000 + i } else { i })
        .collect();
    let ops = diff_ids(&a, &b);
    let changed: usize = ops
        .iter()
        .filter(|o| o.tag() != similar::DiffTag::Equal)
        .map(|o| o.old_range().len())
        .sum();
    assert_eq!(changed, 100);
    assert_eq!(apply(&a, &b, &ops), b);
}

#[test]
fn unified_diff_format() {
    let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
    let new = "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk";
    assert_eq!(
        unified("a/x", "b/x", old, new),
        "--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -8,3 +8,4 @@\n h\n i\n j\n+k\n\\ No newline at end of file\n"
    );
    assert_eq!(unified("a", "b", old, old), "");
    assert_eq!(
        unified("a", "b", "", "x\n"),
        "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"
    );
}

/// Loaded anchors are compared per anchor: a rule that differs in an
/// anchor's file is reported with the anchor's path, whether a rule calls
/// the anchor or not.
#[test]
fn loaded_anchors_are_compared_per_anchor() {
    let main = "anchor \"one\"\nload anchor \"one\" from \"one.conf\"\nload anchor \"x\" from \"x.conf\"\npass out\n";
    let la = crate::MemoryLoader::default()
        .with("one.conf", "pass in proto tcp to port 22\n")
        .with("x.conf", "block in from 10.9.9.9\n");
    let lb = crate::MemoryLoader::default()
        .with("one.conf", "pass in proto tcp to port 23\n")
        .with("x.conf", "block in from 10.9.9.8\n");
    let p = compare_rulesets(("a.conf", main), ("b.conf", main), &la, &lb, &[]);
    let changed: Vec<&str> = p
        .differences
        .iter()
        .filter(|d| d.kind == DifferenceKind::RuleChanged)
        .filter_map(|d| d.a.as_ref().map(|x| x.text.as_str()))
        .collect();
    assert_eq!(changed.len(), 2, "{:?}", p.differences);
    assert!(changed[0].starts_with("[one] pass in"), "{changed:?}");
    assert!(changed[1].starts_with("[x] block drop in"), "{changed:?}");
}

#[test]
fn difference_kinds_keep_their_kebab_case_names() {
    for k in DifferenceKind::ALL {
        assert_eq!(k.to_string().parse::<DifferenceKind>(), Ok(*k));
        assert_eq!(serde_json::json!(k), serde_json::json!(k.as_str()));
    }
    let names: Vec<&str> = DifferenceKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "rule-added",
            "rule-removed",
            "rule-changed",
            "rule-moved",
            "rule-reordered",
            "option",
            "table",
            "queue",
            "carp",
            "sysctl",
            "pfsync",
            "ha-lint",
            "file",
            "error"
        ]
    );
    assert!(DifferenceKind::Table.is_ruleset() && !DifferenceKind::Carp.is_ruleset());
    assert!(DifferenceKind::RuleAdded.is_rule() && !DifferenceKind::Option.is_rule());
}

#[test]
fn node_directories_without_a_ruleset_are_errors_naming_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hostname.em0"), "inet 192.0.2.1/24\n").unwrap();
    let e = compare_nodes(dir.path(), dir.path(), &[]).unwrap_err();
    assert!(matches!(&e, DiffError::NoRuleset { dir: d } if d == dir.path()));
    std::fs::write(dir.path().join("pf.conf"), "pass\n").unwrap();
    std::fs::remove_file(dir.path().join("hostname.em0")).unwrap();
    let e = compare_nodes(dir.path(), dir.path(), &[]).unwrap_err();
    assert!(
        matches!(e, DiffError::Node(NodeError::NotANode { .. })),
        "{e}"
    );
    assert!(std::error::Error::source(&e).is_some());
}
