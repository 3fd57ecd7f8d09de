//! Configuration parity between the two nodes of a cluster.
//!
//! Drift is a difference in what pf would load: the expanded rules in order
//! (per anchor), options, tables (as sets of entries, files included) and
//! queues. Macro names, formatting, comments and list spelling are not
//! drift, since both sides are compared in their expanded `pfctl -nv`
//! form. Macros declared per node (`--ignore-macro NAME`) are set to node
//! A's value on node B before comparing, so rules that differ only through
//! them count as expected differences.
//!
//! Rule sequences are aligned ([`align`]: a patience diff, anchors on
//! rules that occur once on each side, Myers from `similar` between them);
//! a rule is reported as added, removed, changed (a replaced rule paired
//! with its replacement) or moved, each with its place in both files. A
//! move is drift only when it can change a verdict ([`moves`]): otherwise
//! it is listed as a neutral reorder, which does not fail the comparison.
//!
//! In node-directory mode the cluster is compared too ([`cluster`]: CARP,
//! pfsync and the sysctls a pair shares), the HA lints run on each node,
//! and other files (`relayd.conf`...) are compared as text; table files
//! are compared as the sets of entries pf loads from them.

mod align;
mod cluster;
mod moves;

pub use align::{diff_ids, unified};

use crate::expand::{expand, ExpandedRule, Interfaces};
use crate::keyword::keywords;
use crate::node::Node;
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

/// What a [`Difference`] is about. `Display`, `as_str` and JSON give the
/// kebab-case name (`rule-changed`), which is also the finding's code in
/// diagnostic formats.
///
/// ```
/// use pfconf::diff::DifferenceKind;
///
/// assert_eq!(DifferenceKind::HaLint.to_string(), "ha-lint");
/// assert_eq!("rule-moved".parse(), Ok(DifferenceKind::RuleMoved));
/// assert!(DifferenceKind::RuleMoved.is_rule() && DifferenceKind::RuleMoved.is_drift());
/// assert!(!DifferenceKind::RuleReordered.is_drift());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DifferenceKind {
    /// A rule only node B loads.
    RuleAdded,
    /// A rule only node A loads.
    RuleRemoved,
    /// A rule replaced by another at the same place.
    RuleChanged,
    /// A rule in another place, where the move can change a verdict.
    RuleMoved,
    /// A rule in another place where no verdict changes (neutral, not
    /// drift).
    RuleReordered,
    /// A `set` option (or another parse-time line) on one node only.
    Option,
    /// A table's definition or entries.
    Table,
    /// A queue definition.
    Queue,
    /// CARP configuration (vhid, advbase, advskew, password, carpdev...).
    Carp,
    /// A sysctl the pair shares.
    Sysctl,
    /// pfsync configuration.
    Pfsync,
    /// An HA lint error on one node.
    HaLint,
    /// Another file of the node directories.
    File,
    /// A ruleset that does not check.
    Error,
}

keywords!(serialize DifferenceKind, "difference kind" {
    RuleAdded => "rule-added",
    RuleRemoved => "rule-removed",
    RuleChanged => "rule-changed",
    RuleMoved => "rule-moved",
    RuleReordered => "rule-reordered",
    Option => "option",
    Table => "table",
    Queue => "queue",
    Carp => "carp",
    Sysctl => "sysctl",
    Pfsync => "pfsync",
    HaLint => "ha-lint",
    File => "file",
    Error => "error",
});

impl DifferenceKind {
    /// A difference in the rules (`rule-*`).
    pub fn is_rule(self) -> bool {
        matches!(
            self,
            DifferenceKind::RuleAdded
                | DifferenceKind::RuleRemoved
                | DifferenceKind::RuleChanged
                | DifferenceKind::RuleMoved
                | DifferenceKind::RuleReordered
        )
    }

    /// A difference in what pf loads: rules, options, tables, queues.
    pub fn is_ruleset(self) -> bool {
        self.is_rule()
            || matches!(
                self,
                DifferenceKind::Option | DifferenceKind::Table | DifferenceKind::Queue
            )
    }

    /// Drift: everything but a neutral reorder.
    pub fn is_drift(self) -> bool {
        self != DifferenceKind::RuleReordered
    }
}

/// One difference between the nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// What it is about.
    pub kind: DifferenceKind,
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
    /// Moves that cannot change a verdict (`rule-reordered`): not drift.
    pub neutral: Vec<Difference>,
    /// Rule differences explained by per-node macros.
    pub expected: usize,
    /// The expanded rulesets, for a unified diff.
    pub text_a: String,
    /// Node B's expanded ruleset.
    pub text_b: String,
}

/// One side as compared: header lines and rule lines with their spans.
///
/// Invariant: each rule's key is a line of `text` (`rules` holds where,
/// and the span of the statement it came from), so the keys are not held
/// twice.
struct Side {
    report: Report,
    header: Vec<(String, Option<Span>)>,
    rules: Vec<(std::ops::Range<usize>, Span)>,
    text: String,
}

impl Side {
    /// The key of rule `i` (`[anchor/path] rule`), as [`push_keys`] wrote it.
    fn key(&self, i: usize) -> &str {
        self.rules
            .get(i)
            .and_then(|(at, _)| self.text.get(at.clone()))
            .unwrap_or("")
    }

    /// The span of the statement rule `i` came from.
    fn span(&self, i: usize) -> Option<Span> {
        self.rules.get(i).map(|(_, span)| *span)
    }
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

fn side(
    name: &str,
    text: &str,
    loader: &dyn Loader,
    opts: &Options,
    accounts: &crate::accounts::Accounts,
) -> Side {
    let report = check_with(name, text, loader, opts);
    // Each statement's rules become keys as they are expanded: the whole
    // expansion is never held.
    let (mut text, mut rules) = (String::new(), Vec::new());
    let ex = crate::expand::expand_each(&report.resolved, &Interfaces::new(), accounts, &mut |r| {
        push_keys(&r, "", &mut text, &mut rules)
    });
    for (path, uncalled) in &ex.uncalled {
        for r in uncalled {
            push_keys(r, path, &mut text, &mut rules);
        }
    }
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
    // The header goes before the rules' lines, which move by its length.
    let head: String = header.iter().map(|(l, _)| format!("{l}\n")).collect();
    text.insert_str(0, &head);
    for (at, _) in &mut rules {
        *at = at.start + head.len()..at.end + head.len();
    }
    Side {
        report,
        header,
        rules,
        text,
    }
}

/// Appends the key of `r` (`[path] rule`, `path` the anchor it is in,
/// empty at the top) as a line of `text`, recording where, then those of
/// its anchor's rules, depth first: anchors' rules after their anchor
/// rule. Rules are compared per anchor through the key.
fn push_keys(
    r: &ExpandedRule,
    path: &str,
    text: &mut String,
    keys: &mut Vec<(std::ops::Range<usize>, Span)>,
) {
    let start = text.len();
    if !path.is_empty() {
        text.push('[');
        text.push_str(path);
        text.push_str("] ");
    }
    text.push_str(&r.head());
    keys.push((start..text.len(), r.span));
    text.push('\n');
    if let Some(children) = &r.children {
        let inner = match (&r.anchor, path.is_empty()) {
            (Some(a), true) => a.clone(),
            (Some(a), false) => format!("{path}/{a}"),
            (None, _) => path.to_string(),
        };
        for c in children {
            push_keys(c, &inner, text, keys);
        }
    }
}

/// The expanded rules in the order of [`push_keys`] (each anchor's rules
/// after it, then the rules of loaded anchors no rule calls), children
/// taken out: rule `i` here is key `i` of its side.
fn flat_rules(ex: crate::expand::Expanded) -> Vec<ExpandedRule> {
    fn walk(rs: Vec<ExpandedRule>, out: &mut Vec<ExpandedRule>) {
        for mut r in rs {
            let children = r.children.take();
            out.push(r);
            if let Some(c) = children {
                walk(c, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(ex.rules, &mut out);
    for (_, rules) in ex.uncalled {
        walk(rules, &mut out);
    }
    out
}

/// A header line as compared: a table's `file "..."` paths are left out
/// (the files' entries are compared as sets, [`compare_table_files`]).
fn header_key(line: &str) -> String {
    if !line.starts_with("table ") {
        return line.to_string();
    }
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(" file \"") {
        out.push_str(&rest[..i]);
        out.push_str(" file");
        let after = &rest[i + 7..];
        rest = match after.find('"') {
            Some(j) => &after[j + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// A table entry as pf loads it: `!`, then the address as a prefix
/// (`10.0.0.1`, `10.0.0.0/8`), or the word as written (host names,
/// interfaces).
fn table_entry_key(word: &str) -> String {
    let (neg, w) = match word.strip_prefix('!') {
        Some(w) => ("!", w),
        None => ("", word),
    };
    let (addr, mask) = match w.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (w, None),
    };
    match crate::values::addr_net(addr, mask) {
        Some(n) if n.prefix_len() == n.max_prefix_len() => format!("{neg}{}", n.addr()),
        Some(n) => format!("{neg}{}", n.trunc()),
        None => word.to_string(),
    }
}

/// The entries a side loads from files, per table: (entries, files not
/// found, span of the first `file` option). The files are read again
/// here: checking keeps only their addresses, not every entry's text.
fn table_file_sets<'s>(s: &'s Side, loader: &dyn Loader) -> TableSets<'s> {
    let mut out: TableSets = Default::default();
    for tf in &s.report.resolved.table_files {
        let e = out
            .entry(tf.table.as_str())
            .or_insert_with(|| (Default::default(), Vec::new(), tf.span));
        let from = s
            .report
            .sources
            .get(tf.span.file)
            .map(|f| f.name.clone())
            .unwrap_or_default();
        match (tf.found, loader.load(&tf.path, &from)) {
            (true, Ok((_, text))) => {
                e.0.extend(crate::resolve::table_file_words(&text).map(table_entry_key))
            }
            _ => e.1.push(tf.path.as_str()),
        }
    }
    out
}

/// Per table: the entries its files hold, the files not found, and the
/// first `file` option.
type TableSets<'s> =
    std::collections::BTreeMap<&'s str, (std::collections::BTreeSet<String>, Vec<&'s str>, Span)>;

/// Compares the entries tables load from files, as sets: order,
/// duplicates, comments and spacing are not drift.
fn compare_table_files(
    a: &Side,
    b: &Side,
    (loader_a, loader_b): (&dyn Loader, &dyn Loader),
) -> Vec<Difference> {
    let (ta, tb) = (table_file_sets(a, loader_a), table_file_sets(b, loader_b));
    let mut out = Vec::new();
    let show = |v: Vec<&String>| {
        const SHOWN: usize = 8;
        let n = v.len();
        let mut t = v
            .iter()
            .take(SHOWN)
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if n > SHOWN {
            t.push_str(&format!(" and {} more", n - SHOWN));
        }
        t
    };
    for (name, (ea, missing_a, span_a)) in &ta {
        let Some((eb, missing_b, span_b)) = tb.get(name) else {
            continue;
        };
        let pa = place(&a.report.sources, Some(*span_a), &format!("table <{name}>"));
        let pb = place(&b.report.sources, Some(*span_b), &format!("table <{name}>"));
        if !missing_a.is_empty() || !missing_b.is_empty() {
            if missing_a.len() + missing_b.len() > 0
                && (missing_a.is_empty() != missing_b.is_empty())
            {
                let (which, files) = if missing_a.is_empty() {
                    ("B", missing_b)
                } else {
                    ("A", missing_a)
                };
                out.push(Difference {
                    kind: DifferenceKind::Table,
                    message: format!(
                        "table <{name}>: {} not found on node {which}, so its entries cannot be compared",
                        files.join(", ")
                    ),
                    a: Some(pa),
                    b: Some(pb),
                });
            }
            continue;
        }
        let only_a: Vec<&String> = ea.difference(eb).collect();
        let only_b: Vec<&String> = eb.difference(ea).collect();
        if only_a.is_empty() && only_b.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        if !only_a.is_empty() {
            parts.push(format!("{} only on node A", show(only_a)));
        }
        if !only_b.is_empty() {
            parts.push(format!("{} only on node B", show(only_b)));
        }
        out.push(Difference {
            kind: DifferenceKind::Table,
            message: format!(
                "table <{name}>: the entries loaded from its files differ: {}",
                parts.join("; ")
            ),
            a: Some(pa),
            b: Some(pb),
        });
    }
    out
}

fn header_kind(line: &str) -> DifferenceKind {
    if line.starts_with("table ") {
        DifferenceKind::Table
    } else if line.starts_with("queue ") {
        DifferenceKind::Queue
    } else {
        DifferenceKind::Option
    }
}

fn compare_headers(a: &Side, b: &Side) -> Vec<Difference> {
    let mut out = Vec::new();
    let keys_a: std::collections::HashSet<String> =
        a.header.iter().map(|(l, _)| header_key(l)).collect();
    let keys_b: std::collections::HashSet<String> =
        b.header.iter().map(|(l, _)| header_key(l)).collect();
    for (s, keys, which) in [(a, &keys_b, "A"), (b, &keys_a, "B")] {
        for (l, sp) in &s.header {
            if !keys.contains(&header_key(l)) {
                let p = place(&s.report.sources, *sp, l);
                out.push(Difference {
                    kind: header_kind(l),
                    message: format!("{} only on node {which}", header_kind(l)),
                    a: (which == "A").then(|| p.clone()),
                    b: (which == "B").then_some(p),
                });
            }
        }
    }
    out
}

/// Input size (both sides) from which the two sides are read on two
/// threads.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// Compares two rulesets given as text. `ignore_macros` are per-node
/// macros: node B gets node A's values for them.
///
/// ```
/// use pfconf::diff::{compare_rulesets, DifferenceKind};
/// use pfconf::MemoryLoader;
///
/// let l = MemoryLoader::default();
/// let a = "block all\npass in proto tcp to port 22\n";
/// let b = "block all\npass in proto tcp to port 2222\n";
/// let parity = compare_rulesets(("a.conf", a), ("b.conf", b), &l, &l, &[]);
/// assert_eq!(parity.differences.len(), 1);
/// assert_eq!(parity.differences[0].kind, DifferenceKind::RuleChanged);
/// ```
pub fn compare_rulesets(
    a: (&str, &str),
    b: (&str, &str),
    loader_a: &(dyn Loader + Sync),
    loader_b: &(dyn Loader + Sync),
    ignore_macros: &[String],
) -> Parity {
    let base = crate::accounts::Accounts::openbsd();
    compare_sides(a, b, (loader_a, loader_b), (base, base), ignore_macros).0
}

/// Both sides' accounts: `user` and `group` names are compared by the id
/// each node's database gives them (a name neither knows stays a name).
type AccountsPair<'a> = (&'a crate::accounts::Accounts, &'a crate::accounts::Accounts);

fn compare_sides(
    a: (&str, &str),
    b: (&str, &str),
    (loader_a, loader_b): (&(dyn Loader + Sync), &(dyn Loader + Sync)),
    (acc_a, acc_b): AccountsPair,
    ignore_macros: &[String],
) -> (Parity, Side, Side) {
    // The two sides are independent: on two threads when they are large.
    let side_a = || side(a.0, a.1, loader_a, &Options::default(), acc_a);
    let side_b = || side(b.0, b.1, loader_b, &Options::default(), acc_b);
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
        let raw = align::align(&sa, &raw_b);
        let raw_count = raw.differences.len() + raw.moves.len();
        (
            side(
                b.0,
                b.1,
                loader_b,
                &Options {
                    defines,
                    ..Options::default()
                },
                acc_b,
            ),
            raw_count,
        )
    };
    let mut differences = Vec::new();
    for (s, which) in [(&sa, "A"), (&sb, "B")] {
        for d in s.report.diagnostics.iter().filter(|d| d.is_error()) {
            differences.push(Difference {
                kind: DifferenceKind::Error,
                message: format!("node {which}: {}", d.message),
                a: (which == "A").then(|| place(&s.report.sources, Some(d.span), &d.message)),
                b: (which == "B").then(|| place(&s.report.sources, Some(d.span), &d.message)),
            });
        }
    }
    differences.extend(compare_headers(&sa, &sb));
    differences.extend(compare_table_files(&sa, &sb, (loader_a, loader_b)));
    let al = align::align(&sa, &sb);
    let expected = raw_count.saturating_sub(al.differences.len() + al.moves.len());
    differences.extend(al.differences.iter().cloned());
    let (drift, neutral) = judge_moves(&sa, &sb, &al);
    differences.extend(drift);
    drop(al);
    let (mut sa, mut sb) = (sa, sb);
    let parity = Parity {
        differences,
        neutral,
        expected,
        text_a: std::mem::take(&mut sa.text),
        text_b: std::mem::take(&mut sb.text),
    };
    (parity, sa, sb)
}

/// Most rule comparisons spent on judging moves before the rest are
/// reported as drift without an example.
const MOVE_BUDGET: usize = 20_000_000;

/// The anchor path of a rule key (`[a/b] pass ...`), empty at the top.
fn anchor_of(key: &str) -> &str {
    key.strip_prefix('[')
        .and_then(|k| k.split_once("] "))
        .map_or("", |(p, _)| p)
}

/// Sorts moves into drift (the move can change a verdict, shown with a
/// packet) and neutral reorders.
fn judge_moves(a: &Side, b: &Side, al: &align::Alignment) -> (Vec<Difference>, Vec<Difference>) {
    let (mut drift, mut neutral) = (Vec::new(), Vec::new());
    if al.moves.is_empty() {
        return (drift, neutral);
    }
    let (ea, eb) = (
        crate::eval::Evaluator::new(&a.report.resolved, None),
        crate::eval::Evaluator::new(&b.report.resolved, None),
    );
    let (ma, mb) = (&a.report.sources, &b.report.sources);
    // The expanded rules are needed only here: built again rather than
    // kept for every comparison.
    let expanded_a = flat_rules(expand(&a.report.resolved, &Interfaces::new()));
    let mut budget = MOVE_BUDGET;
    for &(i, j) in &al.moves {
        let pa = place(ma, a.span(i), a.key(i));
        let pb = place(mb, b.span(j), b.key(j));
        let anchor = anchor_of(a.key(i));
        let r = &expanded_a[i];
        // The rules the move crosses: before it on one node, after it on
        // the other, in the same ruleset.
        let mut witness: Option<(usize, crate::eval::Packet)> = None;
        let mut exhausted = false;
        for (k, pair) in al.pairs.iter().enumerate() {
            let Some(kb) = *pair else { continue };
            if k == i || (k > i) == (kb > j) {
                continue;
            }
            if budget == 0 {
                exhausted = true;
                break;
            }
            budget -= 1;
            let x = &expanded_a[k];
            if anchor_of(a.key(k)) != anchor || moves::same_decision(r, x) {
                continue;
            }
            if let Some(p) = moves::common_packet(r, x) {
                witness = Some((k, p));
                break;
            }
        }
        match (witness, exhausted) {
            (Some((k, p)), _) => {
                let verdict = |e: &crate::eval::Evaluator, map: &crate::span::SourceMap| {
                    let o = e.evaluate(&p);
                    o.certain().map(|d| {
                        let at = d
                            .rule
                            .map(|s| format!(" (line {})", map.line(s)))
                            .unwrap_or_default();
                        format!("{}{at}", d.verdict.as_str())
                    })
                };
                let (va, vb) = (verdict(&ea, ma), verdict(&eb, mb));
                let shown = p.to_string();
                let message = match (va, vb) {
                    (Some(x), Some(y)) if x != y => format!(
                        "rule moved across `{}`, which matches some of the same packets and decides differently: `{shown}` is {x} on node A, {y} on node B",
                        a.key(k)
                    ),
                    _ => format!(
                        "rule moved across `{}`, which matches some of the same packets (e.g. `{shown}`) and decides differently: where no later rule decides, the two nodes differ",
                        a.key(k)
                    ),
                };
                drift.push(Difference {
                    kind: DifferenceKind::RuleMoved,
                    message,
                    a: Some(pa),
                    b: Some(pb),
                });
            }
            (None, true) => drift.push(Difference {
                kind: DifferenceKind::RuleMoved,
                message: "rule moved (not analysed: too many moves to compare)".into(),
                a: Some(pa),
                b: Some(pb),
            }),
            (None, false) => neutral.push(Difference {
                kind: DifferenceKind::RuleReordered,
                message: "rule moved, but it shares no packet with the rules it crossed (or they decide the same way): no verdict changes".into(),
                a: Some(pa),
                b: Some(pb),
            }),
        }
    }
    (drift, neutral)
}

/// The ruleset of a node directory: `etc/pf.conf` or `pf.conf`.
pub fn node_ruleset(dir: &Path) -> Option<PathBuf> {
    [dir.join("etc").join("pf.conf"), dir.join("pf.conf")]
        .into_iter()
        .find(|p| p.is_file())
}

/// The `/etc` of a node directory.
fn etc_of(dir: &Path) -> PathBuf {
    if dir.join("etc").is_dir() {
        dir.join("etc")
    } else {
        dir.to_path_buf()
    }
}

/// Why two node directories could not be compared.
///
/// ```
/// use pfconf::diff::{compare_nodes, DiffError};
///
/// let empty = tempfile::tempdir().unwrap();
/// let e = compare_nodes(empty.path(), empty.path(), &[]).unwrap_err();
/// assert!(matches!(&e, DiffError::NoRuleset { dir } if dir == empty.path()));
/// assert!(e.to_string().ends_with(": no etc/pf.conf or pf.conf"));
/// ```
#[derive(Debug)]
pub enum DiffError {
    /// A directory holds neither `etc/pf.conf` nor `pf.conf`.
    NoRuleset {
        /// The node directory.
        dir: PathBuf,
    },
    /// A ruleset could not be read.
    Read(crate::resolve::LoadError),
    /// A node directory could not be read.
    Node(crate::node::NodeError),
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiffError::NoRuleset { dir } => {
                write!(f, "{}: no etc/pf.conf or pf.conf", dir.display())
            }
            DiffError::Read(e) => e.fmt(f),
            DiffError::Node(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DiffError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DiffError::NoRuleset { .. } => None,
            DiffError::Read(e) => Some(e),
            DiffError::Node(e) => Some(e),
        }
    }
}

impl From<crate::node::NodeError> for DiffError {
    fn from(e: crate::node::NodeError) -> Self {
        DiffError::Node(e)
    }
}

impl From<crate::resolve::LoadError> for DiffError {
    fn from(e: crate::resolve::LoadError) -> Self {
        DiffError::Read(e)
    }
}

/// Compares two node directories: rulesets (includes resolved inside each
/// directory), CARP and pfsync configuration, sysctl, HA lints and other
/// files.
pub fn compare_nodes(a: &Path, b: &Path, ignore_macros: &[String]) -> Result<Parity, DiffError> {
    let ruleset = |dir: &Path| {
        node_ruleset(dir).ok_or_else(|| DiffError::NoRuleset {
            dir: dir.to_path_buf(),
        })
    };
    let (pa, pb) = (ruleset(a)?, ruleset(b)?);
    let ta = crate::resolve::read_text(&pa)?;
    let tb = crate::resolve::read_text(&pb)?;
    let la = FsLoader {
        root: Some(a.to_path_buf()),
    };
    let lb = FsLoader {
        root: Some(b.to_path_buf()),
    };
    let node_a = Node::read_dir(a)?;
    let node_b = Node::read_dir(b)?;
    // Paths as the nodes see them.
    let name = |p: &Path, dir: &Path| {
        p.strip_prefix(dir)
            .map(|r| format!("/{}", r.display()))
            .unwrap_or_else(|_| p.display().to_string())
    };
    let (na, nb) = (name(&pa, a), name(&pb, b));
    let base = crate::accounts::Accounts::openbsd();
    let accounts = (
        node_a.accounts.as_ref().unwrap_or(base),
        node_b.accounts.as_ref().unwrap_or(base),
    );
    let (mut parity, sa, sb) =
        compare_sides((&na, &ta), (&nb, &tb), (&la, &lb), accounts, ignore_macros);
    let d = &mut parity.differences;
    d.extend(cluster::compare(&node_a, &node_b));
    // HA lints on each node.
    for (s, node, which) in [(&sa, &node_a, "A"), (&sb, &node_b, "B")] {
        if !s.report.is_ok() {
            continue;
        }
        let cfg = crate::lint::LintConfig {
            node: Some(node.clone()),
            ..Default::default()
        };
        for f in crate::lint::run(&s.report, &cfg) {
            let ha = matches!(
                f.code,
                "carp-blocked" | "pfsync-blocked" | "pfsync-exposed" | "block-after-pass"
            );
            if ha && f.is_error() {
                let p = place(&s.report.sources, Some(f.span), &f.message);
                d.push(Difference {
                    kind: DifferenceKind::HaLint,
                    message: format!("node {which}: {} [{}]", f.message, f.code),
                    a: (which == "A").then(|| p.clone()),
                    b: (which == "B").then_some(p),
                });
            }
        }
    }
    // Other files, as text (hostname.*, sysctl.conf and pf.conf are
    // compared above, table files as sets; unicast addresses are expected
    // to differ).
    let table_files: Vec<String> = [&sa, &sb]
        .iter()
        .flat_map(|s| s.report.resolved.table_files.iter())
        .filter_map(|tf| {
            Path::new(&tf.path)
                .file_name()?
                .to_str()
                .map(str::to_string)
        })
        .collect();
    let list = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(etc_of(dir))
            .map(|r| {
                r.flatten()
                    .filter(|e| e.path().is_file())
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .filter(|n| {
                        // The password and group databases count through
                        // the ids the rules' `user`/`group` get.
                        !n.starts_with("hostname.")
                            && !matches!(
                                n.as_str(),
                                "sysctl.conf" | "pf.conf" | "master.passwd" | "passwd" | "group"
                            )
                            && !table_files.contains(n)
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let (fa, fb) = (list(a), list(b));
    let file_place = |n: &str| Place {
        file: format!("/etc/{n}"),
        line: 0,
        text: n.to_string(),
    };
    for n in fa.iter().chain(fb.iter().filter(|n| !fa.contains(n))) {
        let x = std::fs::read(etc_of(a).join(n)).ok();
        let y = std::fs::read(etc_of(b).join(n)).ok();
        if x != y {
            d.push(Difference {
                kind: DifferenceKind::File,
                message: match (&x, &y) {
                    (Some(_), None) => format!("{n} only on node A"),
                    (None, Some(_)) => format!("{n} only on node B"),
                    _ => format!("{n} differs"),
                },
                a: x.as_ref().map(|_| file_place(n)),
                b: y.as_ref().map(|_| file_place(n)),
            });
        }
    }
    Ok(parity)
}

#[cfg(test)]
mod tests;
