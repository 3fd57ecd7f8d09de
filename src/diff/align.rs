//! Rule alignment: which rules of node A and node B are the same, added,
//! removed, changed or moved. Rules are compared as interned ids, aligned
//! with a patience diff (anchors on rules that occur once on each side,
//! Myers from `similar` between them).

use super::{place, Difference, DifferenceKind, Side};

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

/// The alignment of two rule sequences.
pub(super) struct Alignment {
    /// Added, removed and changed rules.
    pub differences: Vec<Difference>,
    /// Moved rules: (index on A, index on B).
    pub moves: Vec<(usize, usize)>,
    /// For each rule of A, its index on B when it is on both (equal or
    /// moved).
    pub pairs: Vec<Option<usize>>,
}

/// Aligns two rule sequences.
pub(super) fn align(a: &Side, b: &Side) -> Alignment {
    use similar::DiffOp;
    let ka: Vec<&str> = (0..a.rules.len()).map(|i| a.key(i)).collect();
    let kb: Vec<&str> = (0..b.rules.len()).map(|j| b.key(j)).collect();
    // Rules are compared as interned ids: one hash per rule instead of a
    // string comparison per step of the diff.
    let mut ids = std::collections::HashMap::new();
    let ia = intern(&mut ids, ka.iter().copied());
    let ib = intern(&mut ids, kb.iter().copied());
    let (ma, mb) = (&a.report.sources, &b.report.sources);
    let pa = |i: usize| place(ma, a.span(i), a.key(i));
    let pb = |j: usize| place(mb, b.span(j), b.key(j));
    let set_a: std::collections::HashSet<&str> = ka.iter().copied().collect();
    let set_b: std::collections::HashSet<&str> = kb.iter().copied().collect();
    let mut removed: Vec<usize> = Vec::new();
    let mut added: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    let mut pairs: Vec<Option<usize>> = vec![None; ka.len()];
    for op in diff_ids(&ia, &ib) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    pairs[old_index + k] = Some(new_index + k);
                }
            }
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
                            kind: DifferenceKind::RuleChanged,
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
    let mut moves = Vec::new();
    let mut used = vec![false; added.len()];
    let mut by_key: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    for (k, &j) in added.iter().enumerate().rev() {
        by_key.entry(kb[j]).or_default().push(k);
    }
    for &i in &removed {
        match by_key.get_mut(ka[i]).and_then(Vec::pop) {
            Some(k) => {
                used[k] = true;
                pairs[i] = Some(added[k]);
                moves.push((i, added[k]));
            }
            None => out.push(Difference {
                kind: DifferenceKind::RuleRemoved,
                message: "rule only on node A".into(),
                a: Some(pa(i)),
                b: None,
            }),
        }
    }
    for (k, &j) in added.iter().enumerate() {
        if !used[k] {
            out.push(Difference {
                kind: DifferenceKind::RuleAdded,
                message: "rule only on node B".into(),
                a: None,
                b: Some(pb(j)),
            });
        }
    }
    Alignment {
        differences: out,
        moves,
        pairs,
    }
}
