//! Fixes: the edits that remedy a finding, shared by `pfconf lint --fix`
//! and the language server's code actions.
//!
//! A fix is **safe** when it cannot change what pf loads (removing a macro
//! nothing uses), **unsafe** otherwise (a new `quick` pass, another
//! translation address); an unsafe fix says why, and is applied only on
//! request (`--unsafe-fixes`), as ruff does.
//!
//! Invariants: edits of one fix never overlap; [`apply`] applies whole
//! fixes or nothing of a fix, the first of two overlapping fixes winning;
//! the caller re-checks the result (the command line refuses to write a
//! safe fix that changes the expanded ruleset).

use crate::span::{FileId, Span};
use serde::Serialize;

/// Whether a fix may change what pf loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Cannot change the loaded ruleset: `--fix` applies it.
    Safe,
    /// Changes what pf decides or loads: only with `--unsafe-fixes`.
    Unsafe,
}

/// Replace the text of `span` by `replacement` (an empty span inserts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// What is replaced.
    pub span: Span,
    /// By what.
    pub replacement: String,
}

/// The edits that remedy one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, in the imperative: `remove the macro \`x\``.
    pub title: String,
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// For an unsafe fix: what it may change.
    pub why_unsafe: Option<String>,
    /// Non-overlapping edits, possibly in several files.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A safe fix.
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            why_unsafe: None,
            edits,
        }
    }

    /// An unsafe fix, with what it may change.
    pub fn risky(title: impl Into<String>, why: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Unsafe,
            why_unsafe: Some(why.into()),
            edits,
        }
    }

    /// True for a safe fix.
    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

/// `text` (the file `file`) with the edits of `fixes` that touch it
/// applied; a fix whose edit overlaps one already taken is skipped whole
/// (a later run applies it). Returns the new text and the indices in
/// `fixes` of the fixes applied (those with no edit in `file` count as
/// applied when their other edits are).
///
/// ```
/// use pfconf::fix::{apply, Edit, Fix};
/// use pfconf::{FileId, Span};
///
/// let text = "x = \"1\"\npass\n";
/// let f = Fix::safe("remove x", vec![Edit { span: Span::new(FileId(0), 0, 8), replacement: String::new() }]);
/// let (out, applied) = apply(text, FileId(0), &[&f]);
/// assert_eq!(out, "pass\n");
/// assert_eq!(applied, vec![0]);
/// ```
pub fn apply(text: &str, file: FileId, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut taken: Vec<(usize, usize, usize, &str)> = Vec::new();
    let mut applied = Vec::new();
    for (i, f) in fixes.iter().enumerate() {
        let mine: Vec<&Edit> = f.edits.iter().filter(|e| e.span.file == file).collect();
        let fits = mine.iter().all(|e| {
            e.span.start() <= e.span.end()
                && e.span.end() <= text.len()
                && text.is_char_boundary(e.span.start())
                && text.is_char_boundary(e.span.end())
                && !taken
                    .iter()
                    .any(|(s, end, _, _)| overlaps((e.span.start(), e.span.end()), (*s, *end)))
        });
        if !fits {
            continue;
        }
        for e in mine {
            taken.push((e.span.start(), e.span.end(), i, e.replacement.as_str()));
        }
        applied.push(i);
    }
    taken.sort_by_key(|(s, e, _, _)| (*s, *e));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e, _, r) in taken {
        out.push_str(&text[at..s]);
        out.push_str(r);
        at = e;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// Two ranges overlap, or two insertions meet at one point (their order
/// would be arbitrary).
fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    (a.0 < b.1 && b.0 < a.1) || (a.0 == b.0 && (a.0 == a.1 || b.0 == b.1))
}

/// The span that removes the statement at `span` with its line: from the
/// line's start when only blanks precede it, through the newline when only
/// blanks follow it (a trailing comment stays, and so does the line, the
/// comment moving to where the statement began).
pub fn statement_line(text: &str, span: Span) -> Span {
    let (s, e) = (span.start().min(text.len()), span.end().min(text.len()));
    let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    let blank = |t: &str| t.chars().all(|c| c == ' ' || c == '\t');
    let rest_end = text[e..].find('\n').map_or(text.len(), |i| e + i);
    if blank(&text[line_start..s]) && blank(&text[e..rest_end]) {
        let end = if rest_end < text.len() {
            rest_end + 1
        } else {
            rest_end
        };
        Span::new(span.file, line_start, end)
    } else if blank(&text[line_start..s]) {
        // A comment follows on the line: it moves to where the statement
        // began.
        let after = text[e..rest_end]
            .find(|c| c != ' ' && c != '\t')
            .map_or(rest_end, |i| e + i);
        Span::new(span.file, s, after)
    } else {
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(s: usize, e: usize, r: &str) -> Edit {
        Edit {
            span: Span::new(FileId(0), s, e),
            replacement: r.to_string(),
        }
    }

    #[test]
    fn overlapping_fixes_are_applied_one_at_a_time() {
        let a = Fix::safe("a", vec![edit(0, 4, "AAAA")]);
        let b = Fix::safe("b", vec![edit(2, 6, "BB")]);
        let c = Fix::safe("c", vec![edit(6, 7, "C")]);
        let (out, applied) = apply("0123456789", FileId(0), &[&a, &b, &c]);
        assert_eq!(out, "AAAA45C789");
        assert_eq!(applied, vec![0, 2]);
    }

    #[test]
    fn a_fix_with_one_bad_edit_is_not_applied_at_all() {
        let f = Fix::safe("f", vec![edit(0, 1, "x"), edit(5, 99, "y")]);
        let (out, applied) = apply("abcdef", FileId(0), &[&f]);
        assert_eq!((out.as_str(), applied.len()), ("abcdef", 0));
    }

    #[test]
    fn removing_a_statement_takes_its_line_unless_a_comment_shares_it() {
        let t = "a = \"1\"\n  b = \"2\"  \nc = \"3\" # keep\n";
        let s = |a, b| statement_line(t, Span::new(FileId(0), a, b));
        assert_eq!(s(0, 7), Span::new(FileId(0), 0, 8));
        assert_eq!(s(10, 17), Span::new(FileId(0), 8, 20));
        assert_eq!(s(20, 27), Span::new(FileId(0), 20, 28));
    }
}
