//! Configuration parity between the two nodes of a cluster.
//!
//! Drift is a difference in what pf would load: the expanded rules in order
//! (per anchor), options, tables (as sets of entries) and queues. Macro
//! names, formatting, comments and list spelling are not drift, since both
//! sides are compared in their expanded `pfctl -nv` form. Macros declared
//! per node (`--ignore-macro NAME`) are set to node A's value on node B
//! before comparing, so rules that differ only through them count as
//! expected differences.
//!
//! Rule sequences are aligned with a patience diff ([`diff_ids`]: anchors on
//! rules that occur once on each side, Myers from `similar` between them);
//! a rule is reported as added, removed, changed (a replaced rule paired
//! with its replacement) or moved (the same rule removed in one place and
//! added in another), each with its place in both files.
//!
//! In node-directory mode the cluster is checked too: the same CARP
//! interfaces with the same `vhid`, `carpdev` and password (a differing
//! password is reported as "differs", never printed), exactly one preferred
//! node per VHID (an `advskew` tie is a finding), `net.inet.carp.preempt`
//! the same on both, a pfsync `syncdev` on both, the HA lints on each node,
//! and other files (`relayd.conf`...) compared as text.

use crate::expand::{expand, Interfaces};
use crate::node::{Node, Secret};
use crate::span::{SourceMap, Span};
use crate::{check_with, FsLoader, Loader, Options, Report};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Where a difference is, on one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// File.
    pub file: String,
    /// Line (0 when unknown).
    pub line: usize,
    /// The expanded text (or a description).
    pub text: String,
}

/// One difference between the nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// `rule-added`, `rule-removed`, `rule-changed`, `rule-moved`,
    /// `option`, `table`, `queue`, `carp`, `sysctl`, `pfsync`, `ha-lint`,
    /// `file`, `error`.
    pub kind: &'static str,
    /// What it is about.
    pub message: String,
    /// Node A's side.
    pub a: Option<Place>,
    /// Node B's side.
    pub b: Option<Place>,
}

/// The result of a comparison.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Parity {
    /// Drift and cluster findings.
    pub differences: Vec<Difference>,
    /// Rule differences explained by per-node macros.
    pub expected: usize,
    /// The expanded rulesets, for a unified diff.
    pub text_a: String,
    /// Node B's expanded ruleset.
    pub text_b: String,
}

/// One side as compared: header lines and rule lines with their spans.
struct Side {
    report: Report,
    header: Vec<(String, Option<Span>)>,
    rules: Vec<(String, Span)>,
    text: String,
}

fn place(map: &SourceMap, span: Option<Span>, text: &str) -> Place {
    Place {
        file: span
            .and_then(|s| map.get(s.file))
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        line: span.map(|s| map.line(s)).unwrap_or(0),
        text: text.to_string(),
    }
}

/// A table line with its entries sorted (tables are sets).
fn normalize_header(line: &str) -> String {
    if let (true, Some(open), Some(close)) =
        (line.starts_with("table "), line.find('{'), line.rfind('}'))
    {
        if open < close {
            let mut entries: Vec<&str> = line[open + 1..close].split_whitespace().collect();
            entries.sort_unstable();
            return format!(
                "{}{{ {} }}{}",
                &line[..open],
                entries.join(" "),
                &line[close + 1..]
            );
        }
    }
    line.to_string()
}

fn side(name: &str, text: &str, loader: &dyn Loader, opts: &Options) -> Side {
    let report = check_with(name, text, loader, opts);
    let ex = expand(&report.resolved, &Interfaces::new());
    let macro_spans: Vec<Span> = report
        .resolved
        .macro_definitions
        .iter()
        .filter_map(|m| m.span)
        .collect();
    let header: Vec<(String, Option<Span>)> = ex
        .header
        .iter()
        .filter(|l| !l.span.is_some_and(|s| macro_spans.contains(&s)))
        .map(|l| (normalize_header(&l.text), l.span))
        .collect();
    let mut rules = Vec::new();
    fn walk(rs: &[crate::expand::ExpandedRule], path: &str, out: &mut Vec<(String, Span)>) {
        for r in rs {
            let key = if path.is_empty() {
                r.head()
            } else {
                format!("[{path}] {}", r.head())
            };
            out.push((key, r.span));
            if let Some(c) = &r.children {
                let p = match (&r.anchor, path.is_empty()) {
                    (Some(a), true) => a.clone(),
                    (Some(a), false) => format!("{path}/{a}"),
                    (None, _) => path.to_string(),
                };
                walk(c, &p, out);
            }
        }
    }
    walk(&ex.rules, "", &mut rules);
    let mut text: String = header.iter().map(|(l, _)| format!("{l}\n")).collect();
    for (r, _) in &rules {
        text.push_str(r);
        text.push('\n');
    }
    Side {
        report,
        header,
        rules,
        text,
    }
}

/// Interns lines (or rules) as ids: equal texts get equal ids.
fn intern<'t>(
    ids: &mut std::collections::HashMap<&'t str, u32>,
    items: impl Iterator<Item = &'t str>,
) -> Vec<u32> {
    items
        .map(|s| {
            let next = ids.len() as u32;
            *ids.entry(s).or_insert(next)
        })
        .collect()
}

/// Diffs two id sequences. The common prefix and suffix are cut; the rest
/// is anchored on ids that occur exactly once on each side, taken in the
/// longest order both sides agree on (patience diff); Myers (`similar`)
/// aligns the gaps between anchors. Near-linear when many items changed,
/// where Myers alone is O(N·D).
pub fn diff_ids(a: &[u32], b: &[u32]) -> Vec<similar::DiffOp> {
    use similar::{capture_diff_slices, Algorithm, DiffOp};
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ea, eb) = (a.len() - suf, b.len() - suf);
    let mut ops = Vec::new();
    // Equal runs are merged with the run before them, so that hunks split
    // where the context is long.
    let equal = |ops: &mut Vec<DiffOp>, i: usize, j: usize, len: usize| {
        if len == 0 {
            return;
        }
        if let Some(DiffOp::Equal {
            old_index,
            new_index,
            len: l,
        }) = ops.last_mut()
        {
            if *old_index + *l == i && *new_index + *l == j {
                *l += len;
                return;
            }
        }
        ops.push(DiffOp::Equal {
            old_index: i,
            new_index: j,
            len,
        });
    };
    equal(&mut ops, 0, 0, pre);
    // Occurrences of each id in the middle parts: (count in a, count in b,
    // last position in a, last position in b).
    let max = a[pre..ea].iter().chain(&b[pre..eb]).copied().max();
    let mut seen: Vec<(u32, u32, usize, usize)> =
        vec![(0, 0, 0, 0); max.map_or(0, |m| m as usize + 1)];
    for (i, &x) in a.iter().enumerate().take(ea).skip(pre) {
        let e = &mut seen[x as usize];
        e.0 += 1;
        e.2 = i;
    }
    for (j, &x) in b.iter().enumerate().take(eb).skip(pre) {
        let e = &mut seen[x as usize];
        e.1 += 1;
        e.3 = j;
    }
    let mut pairs: Vec<(usize, usize)> = a[pre..ea]
        .iter()
        .filter_map(|&x| {
            let e = seen[x as usize];
            (e.0 == 1 && e.1 == 1).then_some((e.2, e.3))
        })
        .collect();
    pairs.sort_unstable();
    let anchors = longest_increasing(&pairs);
    // Gaps between anchors, aligned by Myers.
    let (mut i, mut j) = (pre, pre);
    for (ai, bj) in anchors.into_iter().chain([(ea, eb)]) {
        // Myers' operations come in order; their positions are rebuilt
        // from the lengths (similar reports the other side's position of a
        // deletion or an insertion loosely).
        let (mut ci, mut cj) = (i, j);
        for op in capture_diff_slices(Algorithm::Myers, &a[i..ai], &b[j..bj]) {
            let (tag, ro, rn) = op.as_tag_tuple();
            let (old_len, new_len) = (ro.len(), rn.len());
            match tag {
                similar::DiffTag::Equal => equal(&mut ops, ci, cj, old_len),
                similar::DiffTag::Delete => ops.push(DiffOp::Delete {
                    old_index: ci,
                    old_len,
                    new_index: cj,
                }),
                similar::DiffTag::Insert => ops.push(DiffOp::Insert {
                    old_index: ci,
                    new_index: cj,
                    new_len,
                }),
                similar::DiffTag::Replace => ops.push(DiffOp::Replace {
                    old_index: ci,
                    old_len,
                    new_index: cj,
                    new_len,
                }),
            }
            (ci, cj) = (ci + old_len, cj + new_len);
        }
        if ai < ea {
            equal(&mut ops, ai, bj, 1);
        }
        (i, j) = (ai + 1, bj + 1);
    }
    equal(&mut ops, ea, eb, suf);
    ops
}

/// The longest subsequence of `pairs` (sorted by the first item) whose
/// second items increase, in O(n log n).
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[k]: index of the smallest tail of an increasing run of k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; pairs.len()];
    for (n, &(_, y)) in pairs.iter().enumerate() {
        let k = tails.partition_point(|&t| pairs[t].1 < y);
        prev[n] = k.checked_sub(1).map(|p| tails[p]);
        if k == tails.len() {
            tails.push(n);
        } else {
            tails[k] = n;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(n) = cur {
        out.push(pairs[n]);
        cur = prev[n];
    }
    out.reverse();
    out
}

/// A unified diff (3 lines of context) of two texts, aligned with
/// [`diff_ids`]; empty when they are equal.
pub fn unified(old_name: &str, new_name: &str, old: &str, new: &str) -> String {
    use similar::DiffTag;
    let la: Vec<&str> = old.split_inclusive('\n').collect();
    let lb: Vec<&str> = new.split_inclusive('\n').collect();
    let mut ids = std::collections::HashMap::new();
    let ia = intern(&mut ids, la.iter().copied());
    let ib = intern(&mut ids, lb.iter().copied());
    let groups = similar::group_diff_ops(diff_ids(&ia, &ib), 3);
    if groups.is_empty() {
        return String::new();
    }
    let range = |r: std::ops::Range<usize>| match r.len() {
        0 => format!("{},0", r.start),
        1 => format!("{}", r.start + 1),
        n => format!("{},{n}", r.start + 1),
    };
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let line = |out: &mut String, sign: char, l: &str| {
        out.push(sign);
        out.push_str(l);
        if !l.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    };
    for g in groups {
        let (Some(first), Some(last)) = (g.first(), g.last()) else {
            continue;
        };
        let old_r = first.old_range().start..last.old_range().end;
        let new_r = first.new_range().start..last.new_range().end;
        out.push_str(&format!("@@ -{} +{} @@\n", range(old_r), range(new_r)));
        for op in &g {
            let (tag, ro, rn) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => ro.for_each(|i| line(&mut out, ' ', la[i])),
                DiffTag::Delete => ro.for_each(|i| line(&mut out, '-', la[i])),
                DiffTag::Insert => rn.for_each(|j| line(&mut out, '+', lb[j])),
                DiffTag::Replace => {
                    ro.for_each(|i| line(&mut out, '-', la[i]));
                    rn.for_each(|j| line(&mut out, '+', lb[j]));
                }
            }
        }
    }
    out
}

/// Aligns two rule sequences; returns the differences.
fn align(a: &Side, b: &Side) -> Vec<Difference> {
    use similar::DiffOp;
    let ka: Vec<&str> = a.rules.iter().map(|(k, _)| k.as_str()).collect();
    let kb: Vec<&str> = b.rules.iter().map(|(k, _)| k.as_str()).collect();
    // Rules are compared as interned ids: one hash per rule instead of a
    // string comparison per step of the diff.
    let mut ids = std::collections::HashMap::new();
    let ia = intern(&mut ids, ka.iter().copied());
    let ib = intern(&mut ids, kb.iter().copied());
    let (ma, mb) = (&a.report.sources, &b.report.sources);
    let pa = |i: usize| place(ma, Some(a.rules[i].1), &a.rules[i].0);
    let pb = |j: usize| place(mb, Some(b.rules[j].1), &b.rules[j].0);
    let set_a: std::collections::HashSet<&str> = ka.iter().copied().collect();
    let set_b: std::collections::HashSet<&str> = kb.iter().copied().collect();
    let mut removed: Vec<usize> = Vec::new();
    let mut added: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for op in diff_ids(&ia, &ib) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => removed.extend(old_index..old_index + old_len),
            DiffOp::Insert {
                new_index, new_len, ..
            } => added.extend(new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let n = old_len.min(new_len);
                for k in 0..n {
                    let (i, j) = (old_index + k, new_index + k);
                    // A replacement that is a rule moved from elsewhere is
                    // sorted out below with the other moves.
                    if set_b.contains(ka[i]) || set_a.contains(kb[j]) {
                        removed.push(i);
                        added.push(j);
                    } else {
                        out.push(Difference {
                            kind: "rule-changed",
                            message: "rule changed".into(),
                            a: Some(pa(i)),
                            b: Some(pb(j)),
                        });
                    }
                }
                removed.extend(old_index + n..old_index + old_len);
                added.extend(new_index + n..new_index + new_len);
            }
        }
    }
    // Moves: the same rule removed in one place and added in another.
    let mut used = vec![false; added.len()];
    let mut by_key: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (k, &j) in added.iter().enumerate().rev() {
        by_key.entry(kb[j]).or_default().push(k);
    }
    for &i in &removed {
        match by_key.get_mut(ka[i]).and_then(Vec::pop) {
            Some(k) => {
                used[k] = true;
                out.push(Difference {
                    kind: "rule-moved",
                    message: "rule moved (order matters: pf applies the last matching rule)".into(),
                    a: Some(pa(i)),
                    b: Some(pb(added[k])),
                });
            }
            None => out.push(Difference {
                kind: "rule-removed",
                message: "rule only on node A".into(),
                a: Some(pa(i)),
                b: None,
            }),
        }
    }
    for (k, &j) in added.iter().enumerate() {
        if !used[k] {
            out.push(Difference {
                kind: "rule-added",
                message: "rule only on node B".into(),
                a: None,
                b: Some(pb(j)),
            });
        }
    }
    out
}

fn header_kind(line: &str) -> &'static str {
    if line.starts_with("table ") {
        "table"
    } else if line.starts_with("queue ") {
        "queue"
    } else {
        "option"
    }
}

fn compare_headers(a: &Side, b: &Side) -> Vec<Difference> {
    let mut out = Vec::new();
    for (l, s) in &a.header {
        if !b.header.iter().any(|(m, _)| m == l) {
            out.push(Difference {
                kind: header_kind(l),
                message: format!("{} only on node A", header_kind(l)),
                a: Some(place(&a.report.sources, *s, l)),
                b: None,
            });
        }
    }
    for (l, s) in &b.header {
        if !a.header.iter().any(|(m, _)| m == l) {
            out.push(Difference {
                kind: header_kind(l),
                message: format!("{} only on node B", header_kind(l)),
                a: None,
                b: Some(place(&b.report.sources, *s, l)),
            });
        }
    }
    out
}

/// Input size (both sides) from which the two sides are read on two
/// threads.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// Compares two rulesets given as text. `ignore_macros` are per-node
/// macros: node B gets node A's values for them.
pub fn compare_rulesets(
    a: (&str, &str),
    b: (&str, &str),
    loader_a: &(dyn Loader + Sync),
    loader_b: &(dyn Loader + Sync),
    ignore_macros: &[String],
) -> Parity {
    // The two sides are independent: on two threads when they are large.
    let side_a = || side(a.0, a.1, loader_a, &Options::default());
    let side_b = || side(b.0, b.1, loader_b, &Options::default());
    let (sa, raw_b) = crate::both(a.1.len() + b.1.len() >= PARALLEL_FROM_BYTES, side_a, side_b);
    let mut defines = Vec::new();
    for name in ignore_macros {
        if let Some(m) = sa.report.resolved.macros.iter().find(|m| &m.name == name) {
            defines.push((name.clone(), m.value.clone()));
        }
    }
    // With per-node macros, node B is read again with node A's values; the
    // differences that go away are the expected ones.
    let (sb, raw_count) = if defines.is_empty() {
        (raw_b, 0)
    } else {
        let raw_count = align(&sa, &raw_b).len();
        (side(b.0, b.1, loader_b, &Options { defines }), raw_count)
    };
    let mut differences = Vec::new();
    for (s, which) in [(&sa, "A"), (&sb, "B")] {
        for d in s.report.diagnostics.iter().filter(|d| d.is_error()) {
            differences.push(Difference {
                kind: "error",
                message: format!("node {which}: {}", d.message),
                a: (which == "A").then(|| place(&s.report.sources, Some(d.span), &d.message)),
                b: (which == "B").then(|| place(&s.report.sources, Some(d.span), &d.message)),
            });
        }
    }
    differences.extend(compare_headers(&sa, &sb));
    let rules = align(&sa, &sb);
    let expected = raw_count.saturating_sub(rules.len());
    differences.extend(rules);
    Parity {
        differences,
        expected,
        text_a: sa.text,
        text_b: sb.text,
    }
}

/// The ruleset of a node directory: `etc/pf.conf` or `pf.conf`.
pub fn node_ruleset(dir: &Path) -> Option<PathBuf> {
    [dir.join("etc").join("pf.conf"), dir.join("pf.conf")]
        .into_iter()
        .find(|p| p.is_file())
}

/// One CARP interface as the parity check compares it.
struct CarpSide {
    name: String,
    vhid: Option<u32>,
    carpdev: Option<String>,
    advskew: Option<u32>,
    pass: Option<Secret>,
}

fn carp_sides(n: &Node) -> Vec<CarpSide> {
    n.carp_interfaces()
        .map(|i| {
            let c = i.carp.clone().unwrap_or_default();
            CarpSide {
                name: i.name.clone(),
                vhid: c.vhid,
                carpdev: c.carpdev,
                advskew: c.advskew,
                pass: c.pass,
            }
        })
        .collect()
}

fn node_file(dir: &Path) -> String {
    dir.display().to_string()
}

/// Compares two node directories: rulesets (includes resolved inside each
/// directory), CARP and pfsync configuration, sysctl, HA lints and other
/// files.
pub fn compare_nodes(a: &Path, b: &Path, ignore_macros: &[String]) -> Result<Parity, String> {
    let pa =
        node_ruleset(a).ok_or_else(|| format!("{}: no etc/pf.conf or pf.conf", a.display()))?;
    let pb =
        node_ruleset(b).ok_or_else(|| format!("{}: no etc/pf.conf or pf.conf", b.display()))?;
    let ta = crate::resolve::read_text(&pa).map_err(|e| format!("{e:?}"))?;
    let tb = crate::resolve::read_text(&pb).map_err(|e| format!("{e:?}"))?;
    let la = FsLoader {
        root: Some(a.to_path_buf()),
    };
    let lb = FsLoader {
        root: Some(b.to_path_buf()),
    };
    let (na, nb) = (pa.display().to_string(), pb.display().to_string());
    let mut parity = compare_rulesets((&na, &ta), (&nb, &tb), &la, &lb, ignore_macros);
    let node_a = Node::read_dir(a)?;
    let node_b = Node::read_dir(b)?;
    let ra = carp_sides(&node_a);
    let rb = carp_sides(&node_b);
    let d = &mut parity.differences;
    let carp_place = |dir: &Path, text: String| Place {
        file: node_file(dir),
        line: 0,
        text,
    };
    for ca in &ra {
        let Some(cb) = rb.iter().find(|c| c.name == ca.name) else {
            d.push(Difference {
                kind: "carp",
                message: format!("{} only on node A", ca.name),
                a: Some(carp_place(a, format!("hostname.{}", ca.name))),
                b: None,
            });
            continue;
        };
        let show = |v: &Option<u32>| v.map_or("-".to_string(), |x| x.to_string());
        if ca.vhid != cb.vhid {
            d.push(Difference {
                kind: "carp",
                message: format!(
                    "{}: vhid {} on node A, {} on node B",
                    ca.name,
                    show(&ca.vhid),
                    show(&cb.vhid)
                ),
                a: Some(carp_place(a, format!("hostname.{}", ca.name))),
                b: Some(carp_place(b, format!("hostname.{}", cb.name))),
            });
        }
        if ca.carpdev != cb.carpdev {
            d.push(Difference {
                kind: "carp",
                message: format!(
                    "{}: carpdev {} on node A, {} on node B",
                    ca.name,
                    ca.carpdev.as_deref().unwrap_or("-"),
                    cb.carpdev.as_deref().unwrap_or("-")
                ),
                a: Some(carp_place(a, format!("hostname.{}", ca.name))),
                b: Some(carp_place(b, format!("hostname.{}", cb.name))),
            });
        }
        let same_pass = match (&ca.pass, &cb.pass) {
            (Some(x), Some(y)) => x.same(y),
            (None, None) => true,
            _ => false,
        };
        if !same_pass {
            d.push(Difference {
                kind: "carp",
                message: format!("{}: CARP password differs", ca.name),
                a: Some(carp_place(a, format!("hostname.{}", ca.name))),
                b: Some(carp_place(b, format!("hostname.{}", cb.name))),
            });
        }
        if ca.vhid == cb.vhid && ca.advskew.unwrap_or(0) == cb.advskew.unwrap_or(0) {
            d.push(Difference {
                kind: "carp",
                message: format!(
                    "{}: advskew {} on both nodes: no node is preferred for vhid {}",
                    ca.name,
                    ca.advskew.unwrap_or(0),
                    show(&ca.vhid)
                ),
                a: Some(carp_place(a, format!("hostname.{}", ca.name))),
                b: Some(carp_place(b, format!("hostname.{}", cb.name))),
            });
        }
    }
    for cb in &rb {
        if !ra.iter().any(|c| c.name == cb.name) {
            d.push(Difference {
                kind: "carp",
                message: format!("{} only on node B", cb.name),
                a: None,
                b: Some(carp_place(b, format!("hostname.{}", cb.name))),
            });
        }
    }
    let key = "net.inet.carp.preempt";
    let (xa, xb) = (node_a.sysctl(key), node_b.sysctl(key));
    if xa != xb {
        d.push(Difference {
            kind: "sysctl",
            message: format!(
                "{key} is {} on node A and {} on node B",
                xa.unwrap_or("unset"),
                xb.unwrap_or("unset")
            ),
            a: Some(carp_place(a, "sysctl.conf".into())),
            b: Some(carp_place(b, "sysctl.conf".into())),
        });
    }
    for (node, dir, which) in [(&node_a, a, "A"), (&node_b, b, "B")] {
        if node.syncdev().is_none() && !(ra.is_empty() && rb.is_empty()) {
            d.push(Difference {
                kind: "pfsync",
                message: format!("node {which} has no pfsync syncdev (hostname.pfsync0)"),
                a: (which == "A").then(|| carp_place(dir, "hostname.pfsync0".into())),
                b: (which == "B").then(|| carp_place(dir, "hostname.pfsync0".into())),
            });
        }
    }
    // HA lints on each node.
    for (text, name, loader, node, which) in
        [(&ta, &na, &la, &node_a, "A"), (&tb, &nb, &lb, &node_b, "B")]
    {
        let report = check_with(name, text, loader, &Options::default());
        if !report.is_ok() {
            continue;
        }
        let cfg = crate::lint::LintConfig {
            node: Some(node.clone()),
            ..Default::default()
        };
        for f in crate::lint::run(&report, &cfg) {
            let ha = matches!(
                f.code,
                "carp-blocked" | "pfsync-blocked" | "pfsync-exposed" | "block-after-pass"
            );
            if ha && f.is_error() {
                let p = place(&report.sources, Some(f.span), &f.message);
                d.push(Difference {
                    kind: "ha-lint",
                    message: format!("node {which}: {} [{}]", f.message, f.code),
                    a: (which == "A").then(|| p.clone()),
                    b: (which == "B").then_some(p),
                });
            }
        }
    }
    // Other files, as text (hostname.*, sysctl.conf and pf.conf are
    // compared above; unicast addresses are expected to differ).
    let etc = |dir: &Path| {
        if dir.join("etc").is_dir() {
            dir.join("etc")
        } else {
            dir.to_path_buf()
        }
    };
    let list = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(etc(dir))
            .map(|r| {
                r.flatten()
                    .filter(|e| e.path().is_file())
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|n| !n.starts_with("hostname.") && n != "sysctl.conf" && n != "pf.conf")
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let (fa, fb) = (list(a), list(b));
    for n in fa.iter().chain(fb.iter().filter(|n| !fa.contains(n))) {
        let x = std::fs::read_to_string(etc(a).join(n)).ok();
        let y = std::fs::read_to_string(etc(b).join(n)).ok();
        if x != y {
            d.push(Difference {
                kind: "file",
                message: match (&x, &y) {
                    (Some(_), None) => format!("{n} only on node A"),
                    (None, Some(_)) => format!("{n} only on node B"),
                    _ => format!("{n} differs"),
                },
                a: x.as_ref().map(|_| carp_place(a, n.clone())),
                b: y.as_ref().map(|_| carp_place(b, n.clone())),
            });
        }
    }
    Ok(parity)
}

#[cfg(test)]
mod tests;
