//! Formatting: `textDocument/formatting` and `textDocument/rangeFormatting`
//! through [`crate::fmt::format_safely`], the formatter with its safety net.
//! When the document's latest check is for its current text (the usual
//! case: a format on save comes after the diagnostics), the text is
//! formatted from that check's report ([`crate::Report::format`]), which
//! neither parses nor resolves the document again and gives the same text.
//!
//! Edits are the changed runs of lines between the document and its
//! formatted text (a line diff), so that the editor keeps the cursor and
//! marks on the lines that do not change.
//!
//! Range formatting formats the whole document, then keeps the changes of
//! the statements touching the range (whole lines; an inline anchor's
//! first and last lines count as statements of their own, and so do the
//! statements inside it) and of the comments and blank lines between them.
//! The formatter keeps statements in order, so the document and its
//! formatted text cut into the same sequence of statements and gaps, and
//! the chosen ones are replaced by their formatted counterparts. When the
//! two sequences do not pair up (statements sharing a line), the changed
//! runs of lines touching the range are taken instead, grown until no
//! chosen run reaches into a statement left out. Either way the result
//! must be safe on its own: formatting it must give exactly the formatted
//! document, which the safety net has proved means the same as the
//! document; otherwise the request fails rather than guess.
//!
//! Invariants: a document with syntax errors gets no edits (an empty
//! list, not an error); `[format] width` of the document's `pfconf.toml`
//! applies, as for `pfconf fmt`; edits never overlap and all refer to the
//! text as the request found it.

use super::position::{Encoding, LineIndex};
use super::server::{invalid_params, request_failed, Server};
use super::workspace::ProjectConfig;
use crate::ast::{Ruleset, StatementKind};
use crate::fmt::{format_safely, FormatError, FormatOptions};
use lsp_server::ResponseError;
use lsp_types::{DocumentFormattingParams, DocumentRangeFormattingParams, TextEdit, Uri};
use std::ops::Range;

/// `textDocument/formatting`: the edits that make the document formatted.
pub(crate) fn document(
    server: &Server,
    params: DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>, ResponseError> {
    let uri = &params.text_document.uri;
    let (name, text, opts) = prepare(server, uri)?;
    let Some(formatted) = formatted(server, uri, &name, &text, &opts)? else {
        return Ok(Some(Vec::new()));
    };
    let hunks = hunks(&text, &formatted);
    Ok(Some(edits(&text, &formatted, &hunks, server.encoding)))
}

/// `textDocument/rangeFormatting`: the edits of the statements touching
/// the range.
pub(crate) fn range(
    server: &Server,
    params: DocumentRangeFormattingParams,
) -> Result<Option<Vec<TextEdit>>, ResponseError> {
    let uri = &params.text_document.uri;
    let (name, text, opts) = prepare(server, uri)?;
    let index = LineIndex::new(&text, server.encoding);
    let (Some(start), Some(end)) = (
        index.offset(params.range.start),
        index.offset(params.range.end),
    ) else {
        return Err(invalid_params("range outside the document".to_string()));
    };
    let Some(formatted) = formatted(server, uri, &name, &text, &opts)? else {
        return Ok(Some(Vec::new()));
    };
    let chosen = range_hunks(&name, &text, &formatted, start.min(end)..start.max(end));
    let partial = apply(&text, &formatted, &chosen);
    if partial != formatted {
        let again = format_safely(&name, &partial, &opts).map(|f| f.text);
        if again.as_deref() != Ok(formatted.as_str()) {
            return Err(request_failed(
                "the range cannot be formatted on its own; format the whole document".to_string(),
            ));
        }
    }
    Ok(Some(edits(&text, &formatted, &chosen, server.encoding)))
}

/// The document's name, text and format options (an error for a document
/// that is not open, or a `pfconf.toml` in error).
fn prepare(server: &Server, uri: &Uri) -> Result<(String, String, FormatOptions), ResponseError> {
    let doc = server.document(uri)?;
    let root = server.workspace.root_for(doc.path.as_deref());
    let config =
        ProjectConfig::find(doc.path.as_deref(), root.as_deref()).map_err(request_failed)?;
    let opts = FormatOptions {
        width: config.width.unwrap_or(FormatOptions::default().width),
    };
    Ok((doc.name(uri), doc.text.to_string(), opts))
}

/// The formatted text (from the latest check when it is of this text);
/// None when the document has syntax errors.
fn formatted(
    server: &Server,
    uri: &Uri,
    name: &str,
    text: &str,
    opts: &FormatOptions,
) -> Result<Option<String>, ResponseError> {
    let result = match server.checked(uri) {
        Some(checked) => checked.format(opts),
        None => format_safely(name, text, opts),
    };
    match result {
        Ok(f) => Ok(Some(f.text)),
        Err(FormatError::Invalid(_)) => Ok(None),
        Err(e @ FormatError::Unsafe(_)) => Err(request_failed(e.to_string())),
    }
}

/// A run of changed lines: bytes of the document and of the formatted text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hunk {
    old: Range<usize>,
    new: Range<usize>,
}

/// Past this many line comparisons (Myers' diff costs about (N + M) × D
/// for N and M lines, D of them changed), the changed lines between the
/// common first and last ones are one edit: what the diff would give when
/// its deadline passes, without waiting for it (formatting a large file
/// written in another style changes most of its lines).
const MAX_DIFF_WORK: u64 = 100_000_000;

/// The changed runs of lines, in order, disjoint.
fn hunks(before: &str, after: &str) -> Vec<Hunk> {
    if before == after {
        return Vec::new();
    }
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let new: Vec<&str> = after.split_inclusive('\n').collect();
    let first = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let last = old[first..]
        .iter()
        .rev()
        .zip(new[first..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (o, n) = (&old[first..old.len() - last], &new[first..new.len() - last]);
    // At least this many lines are deleted or inserted: those without a
    // counterpart on the other side.
    let mut counts: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for l in o {
        *counts.entry(l).or_default() += 1;
    }
    for l in n {
        *counts.entry(l).or_default() -= 1;
    }
    let changed: u64 = counts.values().map(|c| c.unsigned_abs()).sum();
    if changed.saturating_mul((o.len() + n.len()) as u64) > MAX_DIFF_WORK {
        let start = |lines: &[&str]| lines[..first].iter().map(|l| l.len()).sum::<usize>();
        let (at_old, at_new) = (start(&old), start(&new));
        let len = |lines: &[&str]| lines.iter().map(|l| l.len()).sum::<usize>();
        return vec![Hunk {
            old: at_old..at_old + len(o),
            new: at_new..at_new + len(n),
        }];
    }
    let diff = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(before, after);
    let offsets = |lines: &[&str]| {
        let mut v = Vec::with_capacity(lines.len() + 1);
        let mut at = 0;
        v.push(0);
        for l in lines {
            at += l.len();
            v.push(at);
        }
        v
    };
    let (old, new) = (offsets(diff.old_slices()), offsets(diff.new_slices()));
    let mut out: Vec<Hunk> = Vec::new();
    let mut last_equal = true;
    for op in diff.ops() {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            last_equal = true;
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        let hunk = Hunk {
            old: old[o.start]..old[o.end],
            new: new[n.start]..new[n.end],
        };
        match out.last_mut() {
            Some(prev) if !last_equal => {
                prev.old.end = hunk.old.end;
                prev.new.end = hunk.new.end;
            }
            _ => out.push(hunk),
        }
        last_equal = false;
    }
    out
}

/// The hunks as edits of the document.
fn edits(before: &str, after: &str, hunks: &[Hunk], encoding: Encoding) -> Vec<TextEdit> {
    let index = LineIndex::new(before, encoding);
    hunks
        .iter()
        .map(|h| TextEdit {
            range: lsp_types::Range::new(index.position(h.old.start), index.position(h.old.end)),
            new_text: after[h.new.clone()].to_string(),
        })
        .collect()
}

/// The document with only the chosen hunks applied.
fn apply(before: &str, after: &str, hunks: &[Hunk]) -> String {
    let mut out = String::with_capacity(after.len());
    let mut at = 0;
    for h in hunks {
        out.push_str(&before[at..h.old.start]);
        out.push_str(&after[h.new.clone()]);
        at = h.old.end;
    }
    out.push_str(&before[at..]);
    out
}

/// The hunks that format the statements touching `request` (see the
/// module doc).
fn range_hunks(name: &str, text: &str, formatted: &str, request: Range<usize>) -> Vec<Hunk> {
    let (_, before, _) = crate::parse_str(name, text);
    let (_, after, _) = crate::parse_str(name, formatted);
    let old_units = statement_lines(&before, text);
    let new_units = statement_lines(&after, formatted);
    match (segments(text, &old_units), segments(formatted, &new_units)) {
        (Some(old), Some(new)) if old.len() == new.len() => {
            let mut out: Vec<Hunk> = Vec::new();
            let mut last = None;
            for (k, (o, n)) in old.into_iter().zip(new).enumerate() {
                if !touch(&o, &request) || text[o.clone()] == formatted[n.clone()] {
                    continue;
                }
                match out.last_mut() {
                    // Next to the previous one: one edit.
                    Some(prev) if last == Some(k - 1) => {
                        prev.old.end = o.end;
                        prev.new.end = n.end;
                    }
                    _ => out.push(Hunk { old: o, new: n }),
                }
                last = Some(k);
            }
            out
        }
        _ => select(&merged(old_units), &hunks(text, formatted), request),
    }
}

/// The whole lines of each statement (with its trailing comment), in
/// order; an inline anchor gives its first line, its statements and its
/// last line.
fn statement_lines(rs: &Ruleset, text: &str) -> Vec<Range<usize>> {
    fn collect(rs: &Ruleset, text: &str, out: &mut Vec<Range<usize>>) {
        for s in &rs.statements {
            let end = s
                .trailing_comment()
                .map_or(s.span.end(), |c| c.end().max(s.span.end()));
            match &s.kind {
                StatementKind::Anchor(a) if a.body.is_some() => {
                    out.push(whole_lines(text, s.span.start(), s.span.start()));
                    if let Some(body) = &a.body {
                        collect(body, text, out);
                    }
                    out.push(whole_lines(text, s.span.end().saturating_sub(1), end));
                }
                _ => out.push(whole_lines(text, s.span.start(), end)),
            }
        }
    }
    let mut all = Vec::new();
    collect(rs, text, &mut all);
    all
}

/// The text cut into gap, statement, gap, ..., statement, gap (each
/// statement's whole lines, the gaps between them); None when statements
/// share a line.
fn segments(text: &str, units: &[Range<usize>]) -> Option<Vec<Range<usize>>> {
    let mut out = Vec::with_capacity(2 * units.len() + 1);
    let mut at = 0;
    for u in units {
        if u.start < at {
            return None;
        }
        out.push(at..u.start);
        out.push(u.clone());
        at = u.end;
    }
    out.push(at..text.len());
    Some(out)
}

/// Ranges sorted, overlapping ones merged.
fn merged(mut all: Vec<Range<usize>>) -> Vec<Range<usize>> {
    all.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in all {
        match out.last_mut() {
            Some(m) if r.start < m.end => m.end = m.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// From the start of `start`'s line to past the line break of `end`'s.
fn whole_lines(text: &str, start: usize, end: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let start = start.min(bytes.len());
    let end = end.clamp(start, bytes.len());
    let from = bytes[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let to = bytes[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| end + i + 1);
    from..to
}

/// Whether two byte ranges meet: overlap, or an empty one lies within or
/// at an end of the other.
fn touch(a: &Range<usize>, b: &Range<usize>) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => a.start == b.start,
        (true, false) => b.start <= a.start && a.start <= b.end,
        (false, true) => a.start <= b.start && b.start <= a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// Indexes of the items of a sorted, disjoint list that touch `r`.
fn touching(items: &[Range<usize>], r: &Range<usize>) -> Vec<usize> {
    let lo = items.partition_point(|x| x.end < r.start);
    let hi = items.partition_point(|x| x.start <= r.end);
    (lo..hi.max(lo)).filter(|&i| touch(&items[i], r)).collect()
}

/// The hunks to apply for `request`: those touching it or a statement
/// touching it, then every hunk touching a statement a chosen hunk
/// touches, until nothing changes.
fn select(statements: &[Range<usize>], hunks: &[Hunk], request: Range<usize>) -> Vec<Hunk> {
    enum Item {
        Statement(usize),
        Hunk(usize),
    }
    let olds: Vec<Range<usize>> = hunks.iter().map(|h| h.old.clone()).collect();
    let mut statement_on = vec![false; statements.len()];
    let mut hunk_on = vec![false; hunks.len()];
    let mut work = Vec::new();
    for i in touching(statements, &request) {
        statement_on[i] = true;
        work.push(Item::Statement(i));
    }
    for j in touching(&olds, &request) {
        hunk_on[j] = true;
        work.push(Item::Hunk(j));
    }
    while let Some(item) = work.pop() {
        match item {
            Item::Statement(i) => {
                for j in touching(&olds, &statements[i]) {
                    if !hunk_on[j] {
                        hunk_on[j] = true;
                        work.push(Item::Hunk(j));
                    }
                }
            }
            Item::Hunk(j) => {
                for i in touching(statements, &olds[j]) {
                    if !statement_on[i] {
                        statement_on[i] = true;
                        work.push(Item::Statement(i));
                    }
                }
            }
        }
    }
    hunks
        .iter()
        .zip(hunk_on)
        .filter(|(_, on)| *on)
        .map(|(h, _)| h.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(text: &str) -> String {
        format_safely("pf.conf", text, &FormatOptions::default())
            .unwrap()
            .text
    }

    /// Applies LSP edits the way a client does.
    fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
        let index = LineIndex::new(text, Encoding::Utf16);
        let mut spans: Vec<(usize, usize, &str)> = edits
            .iter()
            .map(|e| {
                let s = index.offset(e.range.start).unwrap();
                let t = index.offset(e.range.end).unwrap();
                (s, t, e.new_text.as_str())
            })
            .collect();
        spans.sort();
        let mut out = text.to_string();
        for (s, t, new) in spans.into_iter().rev() {
            out.replace_range(s..t, new);
        }
        out
    }

    fn range_format(text: &str, request: Range<usize>) -> String {
        let formatted = format(text);
        apply(
            text,
            &formatted,
            &range_hunks("pf.conf", text, &formatted, request),
        )
    }

    /// The fallback: changed runs of lines, grown over whole statements.
    fn by_line_runs(text: &str, request: Range<usize>) -> String {
        let formatted = format(text);
        let (_, ast, _) = crate::parse_str("pf.conf", text);
        let units = merged(statement_lines(&ast, text));
        let chosen = select(&units, &hunks(text, &formatted), request);
        apply(text, &formatted, &chosen)
    }

    #[test]
    fn edits_turn_the_text_into_the_formatted_text() {
        let text = "# é😀\nblock   all\n\n\n\npass in on em0 proto {tcp udp}\npass out\ntable <t>   { 10.0.0.1 }";
        let formatted = format(text);
        let e = edits(text, &formatted, &hunks(text, &formatted), Encoding::Utf16);
        assert_eq!(apply_edits(text, &e), formatted);
        assert!(e.iter().all(|e| e.range.start.line != 0), "{e:?}");
        assert!(hunks(&formatted, &formatted).is_empty());
    }

    #[test]
    fn a_range_formats_the_statements_it_touches() {
        let text = "block   all\npass  in on em0 \\\n   proto tcp\npass   out\n";
        // A cursor inside the second statement's continuation line.
        let at = text.find("proto").unwrap();
        assert_eq!(
            range_format(text, at..at),
            "block   all\npass in on em0 proto tcp\npass   out\n"
        );
        // The first line only.
        assert_eq!(
            range_format(text, 0..3),
            "block all\npass  in on em0 \\\n   proto tcp\npass   out\n"
        );
    }

    #[test]
    fn a_range_in_an_anchor_formats_that_statement() {
        let text = "anchor \"x\" {\n  pass   in\n  pass   out\n}\n";
        let at = text.find("out").unwrap();
        assert_eq!(
            range_format(text, at..at),
            "anchor \"x\" {\n  pass   in\n    pass out\n}\n"
        );
    }

    #[test]
    fn runs_of_lines_are_the_fallback_and_grow_over_whole_statements() {
        // pf puts every statement on lines of its own; were two to share
        // a line, the cut into statements and gaps would not exist.
        assert_eq!(segments("ab\n", &[0..3, 2..3]), None);
        let one = [Range { start: 3, end: 6 }];
        assert_eq!(segments("ab\ncd\n", &one), Some(vec![0..3, 3..6, 6..6]));
        // Runs of lines grow over the statements they reach into: the
        // table's second item is the same line before and after, cutting
        // its changes in two runs.
        let text = "pass in\ntable <t> {   10.0.0.1 # a\n    10.0.0.2 # b\n  10.0.0.3 # c\n}\nblock   all\n";
        let formatted = format(text);
        let (first, second) = (
            text.find("10.0.0.1").unwrap(),
            text.find("10.0.0.3").unwrap(),
        );
        assert_eq!(hunks(text, &formatted).len(), 3, "{formatted}");
        let expected = formatted.replace("block all", "block   all");
        assert_eq!(by_line_runs(text, first..first), expected);
        assert_eq!(by_line_runs(text, second..second), expected);
    }

    #[test]
    fn a_diff_too_costly_is_one_edit_of_the_changed_lines() {
        let before: String = (0..20_000).map(|i| format!("pass in on em{i}\n")).collect();
        let after = format!("# same\n{}# end\n", before.replace("pass in", "pass  in"));
        let before = format!("# same\n{before}# end\n");
        let h = hunks(&before, &after);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].old, 7..before.len() - 6);
        assert_eq!(h[0].new, 7..after.len() - 6);
        assert_eq!(apply(&before, &after, &h), after);
        // A few changed lines are still found one by one.
        let few = before
            .replacen("em5\n", "em5 \n", 1)
            .replacen("em9\n", "em9 \n", 1);
        assert_eq!(hunks(&before, &few).len(), 2);
    }

    #[test]
    fn ranges_touch_as_the_selection_means() {
        assert!(touch(&(0..5), &(4..9)));
        assert!(!touch(&(0..5), &(5..9)));
        assert!(touch(&(5..5), &(0..5)));
        assert!(touch(&(0..5), &(0..0)));
        assert!(!touch(&(6..6), &(0..5)));
        assert_eq!(whole_lines("ab\ncd\nef", 4, 4), 3..6);
        assert_eq!(whole_lines("ab\ncd\nef", 7, 8), 6..8);
        assert_eq!(touching(&[0..2, 3..5, 6..9], &(4..7)), vec![1, 2]);
    }
}
