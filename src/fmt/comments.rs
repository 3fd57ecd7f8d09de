//! Comments in the layout: lists written with a comment per item, and
//! trailing comments aligned in columns.
//!
//! A `{ }` list with comments inside it (a table of martians with a
//! comment on each prefix) is written one item per line, each comment
//! beside its item or on its own line where it was on its own line,
//! the closing brace on a line of its own. pfctl's grammar allows a
//! newline after `{` and after each item (`optnl` in parse.y) but not
//! after a comma, so the items of such a list are separated by newlines
//! alone (pfctl's `comma` is optional).
//!
//! Trailing comments on consecutive lines are aligned in one column, as
//! gofmt aligns them: one space after the longest line of the run, a run
//! being broken by a line without a trailing comment, a blank line or a
//! comment line. A line that the column would push past the width starts
//! a new run. A trailing comment that does not fit beside its statement
//! even one space away goes on its own line above the statement, at the
//! statement's indentation.

use super::layout::{cols, layout, Quotes};
use super::print::ListItem;
use super::{push_comment, Placed, INDENT};
use crate::span::{SourceMap, Span};

/// A line ending in a trailing comment that may be aligned with its
/// neighbours: offsets into the output.
#[derive(Debug, Clone, Copy)]
pub(super) struct Trail {
    /// Where the line starts.
    pub line: usize,
    /// Where its code ends (the comment follows after one space).
    pub code: usize,
    /// Where the line ends (its newline).
    pub end: usize,
    /// Width of the code and of the comment.
    pub code_cols: usize,
    pub comment_cols: usize,
}

/// Aligns the trailing comments of consecutive lines (see the module
/// documentation), moving the statements' output positions along.
pub(super) fn align(out: String, trails: &[Trail], placed: &mut [Placed], width: usize) -> String {
    // Spaces to insert before each trail's comment.
    let mut pads: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < trails.len() {
        // A run: lines that follow each other.
        let mut j = i + 1;
        while j < trails.len() && trails[j].line == trails[j - 1].end + 1 {
            j += 1;
        }
        // Groups within the run, each as wide as it can be.
        let mut g = i;
        while g < j {
            let mut col = trails[g].code_cols + 1;
            let mut widest = trails[g].comment_cols;
            let mut h = g + 1;
            while h < j {
                let c = col.max(trails[h].code_cols + 1);
                let w = widest.max(trails[h].comment_cols);
                if c + w > width {
                    break;
                }
                col = c;
                widest = w;
                h += 1;
            }
            if h - g > 1 {
                for t in &trails[g..h] {
                    let pad = col - (t.code_cols + 1);
                    if pad > 0 {
                        pads.push((t.code, pad));
                    }
                }
            }
            g = h;
        }
        i = j;
    }
    if pads.is_empty() {
        return out;
    }
    // Spaces inserted in place, from the end (no second copy of a large
    // output).
    let extra: usize = pads.iter().map(|p| p.1).sum();
    let mut bytes = out.into_bytes();
    let mut src_end = bytes.len();
    bytes.resize(src_end + extra, b' ');
    let mut dst_end = bytes.len();
    for &(at, pad) in pads.iter().rev() {
        let len = src_end - at;
        bytes.copy_within(at..src_end, dst_end - len);
        dst_end -= len;
        bytes[dst_end - pad..dst_end].fill(b' ');
        dst_end -= pad;
        src_end = at;
    }
    // Only ASCII spaces were inserted, between characters.
    let s = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    // Positions at or after an insertion move by the spaces inserted
    // before them.
    let shift = |pos: usize| -> usize {
        let k = pads.partition_point(|&(at, _)| at <= pos);
        pos + pads[..k].iter().map(|p| p.1).sum::<usize>()
    };
    for p in placed.iter_mut() {
        p.start = shift(p.start);
        p.end = shift(p.end);
    }
    s
}

/// True when a comment may be moved to a line of its own or written
/// beside an item: it is one line and does not end in a backslash (which
/// would join the next line to it).
pub(super) fn movable(text: &str) -> bool {
    !text.contains('\n') && !super::ends_in_escape(text.trim_end_matches(super::is_blank))
}

/// Where a comment inside a list goes.
#[derive(Debug, Default)]
struct Slots {
    /// After the `{` on its line.
    open: Option<Span>,
    /// On lines of their own before each item.
    before: Vec<Vec<Span>>,
    /// Beside each item.
    beside: Vec<Option<Span>>,
    /// On lines of their own before the `}`.
    close: Vec<Span>,
}

/// The comments of a list, each in its slot; `None` when one is not
/// between the list's braces, sits inside an item, or cannot be moved.
fn slots<'t>(
    items: &[ListItem],
    comments: &[Span],
    text: &str,
    comment_text: &dyn Fn(Span) -> &'t str,
) -> Option<Slots> {
    let first = items.first()?.0;
    let last = items.last()?.0;
    let open = open_brace(text, first.start(), comments)?;
    let close = close_brace(text, last.end(), comments)?;
    let mut s = Slots {
        before: vec![Vec::new(); items.len()],
        beside: vec![None; items.len()],
        ..Slots::default()
    };
    for &c in comments {
        if c.start() <= open || c.start() >= close || !movable(comment_text(c)) {
            return None;
        }
        if items
            .iter()
            .any(|(sp, _)| sp.start() <= c.start() && c.start() < sp.end())
        {
            return None;
        }
        let i = items.partition_point(|(sp, _)| sp.end() <= c.start());
        let gap_from = if i == 0 {
            open + 1
        } else {
            items[i - 1].0.end()
        };
        let same_line = !text.get(gap_from..c.start())?.contains('\n');
        match (i, same_line) {
            (0, true) => {
                if s.open.replace(c).is_some() {
                    return None;
                }
            }
            (_, true) => {
                if s.beside[i - 1].replace(c).is_some() {
                    return None;
                }
            }
            (_, false) if i < items.len() => s.before[i].push(c),
            _ => s.close.push(c),
        }
    }
    Some(s)
}

/// Skips what may stand between list items besides comments: blanks,
/// newlines, continuations and escaped blanks.
fn skippable(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\\')
}

/// The `{` before the first item at `from`, past blanks and comments.
fn open_brace(text: &str, from: usize, comments: &[Span]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = from;
    loop {
        while pos > 0 && skippable(b[pos - 1]) {
            pos -= 1;
        }
        if let Some(c) = comments.iter().find(|c| c.end() == pos && c.start() < pos) {
            pos = c.start();
            continue;
        }
        return (pos > 0 && b[pos - 1] == b'{').then(|| pos - 1);
    }
}

/// The `}` after the last item ending at `from`, past blanks, commas and
/// comments.
fn close_brace(text: &str, from: usize, comments: &[Span]) -> Option<usize> {
    let b = text.as_bytes();
    let mut pos = from;
    loop {
        while pos < b.len() && (skippable(b[pos]) || b[pos] == b',') {
            pos += 1;
        }
        if let Some(c) = comments.iter().find(|c| c.start() == pos && c.end() > pos) {
            pos = c.end();
            continue;
        }
        return (b.get(pos) == Some(&b'}')).then_some(pos);
    }
}

/// Lays out a statement whose comments (`comments`, all inside its `{ }`
/// lists) sit in one list of `lists`: the pieces up to the list's `{`, its
/// items one per line one level deeper, then `}` and the rest. Writes
/// into `code` and returns the item lines with comments (offsets into
/// `code`); `None` (and nothing written) when the comments are not all in
/// one list or the list cannot be found in the printed pieces.
pub(super) fn commented_list(
    code: &mut String,
    pieces: &[String],
    lists: &[Vec<ListItem>],
    comments: &[Span],
    map: &SourceMap,
    (pad, cont): (&str, &str),
    width: usize,
) -> Option<Vec<Trail>> {
    let file_text = map.get(comments.first()?.file)?.text.as_str();
    let mut trails = Vec::new();
    let comment_text = |c: Span| map.slice(c);
    let (items, slots) = lists
        .iter()
        .find_map(|l| slots(l, comments, file_text, &comment_text).map(|s| (l, s)))?;
    // The list as the printer wrote it, found in exactly one place.
    let needle = format!(
        "{{ {} }}",
        items
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut found = None;
    for (k, p) in pieces.iter().enumerate() {
        for (at, _) in p.match_indices(&needle) {
            if found.replace((k, at)).is_some() {
                return None;
            }
        }
    }
    let (k, at) = found?;
    // Up to and with the `{`.
    let mut head: Vec<String> = pieces[..k].to_vec();
    head.push(pieces[k][..at + 1].to_string());
    layout(code, &head, pad, cont, width, Quotes::Atomic);
    let line_start = code.rfind('\n').map_or(0, |i| i + 1);
    let indent = code[line_start..].len() - code[line_start..].trim_start_matches(' ').len();
    let open_indent = " ".repeat(indent);
    let item_indent = format!("{open_indent}{INDENT}");
    let mut before_first: Vec<Span> = Vec::new();
    if let Some(c) = slots.open {
        if cols(&code[line_start..]) + 1 + cols(comment_text(c)) <= width {
            code.push(' ');
            push_comment(code, comment_text(c));
        } else {
            before_first.push(c);
        }
    }
    for (i, (_, item)) in items.iter().enumerate() {
        let own = before_first
            .iter()
            .filter(|_| i == 0)
            .chain(&slots.before[i]);
        for &c in own {
            code.push('\n');
            code.push_str(&item_indent);
            push_comment(code, comment_text(c));
        }
        code.push('\n');
        let line = code.len();
        code.push_str(&item_indent);
        code.push_str(item);
        if let Some(c) = slots.beside[i] {
            let code_end = code.len();
            code.push(' ');
            push_comment(code, comment_text(c));
            trails.push(Trail {
                line,
                code: code_end,
                end: code.len(),
                code_cols: cols(&code[line..code_end]),
                comment_cols: cols(comment_text(c)),
            });
        }
    }
    for &c in &slots.close {
        code.push('\n');
        code.push_str(&item_indent);
        push_comment(code, comment_text(c));
    }
    code.push('\n');
    // `}` and what follows it.
    let mut tail = vec![pieces[k][at + needle.len() - 1..].to_string()];
    tail.extend(pieces[k + 1..].iter().cloned());
    layout(code, &tail, &open_indent, cont, width, Quotes::Atomic);
    Some(trails)
}
