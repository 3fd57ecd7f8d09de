//! Position maps: byte offsets of a parsed text back to source spans.
//!
//! A statement's text is either a slice of its file ([`PosMap::Offset`])
//! or, after macro expansion, pieces of several texts
//! ([`PosMap::Segments`]): each [`Segment`] says where a run of the
//! expanded text came from. Every span the parsers build goes through
//! [`PosMap::span`], so diagnostics and AST spans point into the files the
//! user wrote, even through `$macro` substitution.

use crate::span::{FileId, Span};

/// Maps byte offsets of a parsed text back to source spans.
#[derive(Debug, Clone)]
pub(crate) enum PosMap {
    /// The text is a slice of `file` starting at `offset`.
    Direct {
        /// File.
        file: FileId,
        /// Offset of the text in the file.
        offset: usize,
    },
    /// The text was built by macro expansion: each segment maps a range of
    /// the text to a span (a literal piece to itself, an expanded value to
    /// the `$ref` it replaced).
    Segments(Vec<Segment>),
}

/// One piece of an expanded statement.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    /// Start in the expanded text.
    pub text_start: usize,
    /// Where the piece comes from.
    pub span: Span,
    /// True for a copy of the source (offsets map one to one).
    pub literal: bool,
}

impl PosMap {
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        match self {
            PosMap::Direct { file, offset } => Span::new(*file, offset + start, offset + end),
            PosMap::Segments(segs) => {
                // Segments are in text order: the one holding `pos` is the
                // last that starts at or before it.
                let find = |pos: usize| -> Option<&Segment> {
                    let i = segs.partition_point(|s| s.text_start <= pos);
                    segs.get(i.checked_sub(1)?)
                };
                let (Some(a), Some(b)) = (find(start), find(end.saturating_sub(1).max(start)))
                else {
                    return segs.first().map(|s| s.span).unwrap_or_default();
                };
                let map_one = |s: &Segment, pos: usize, is_end: bool| -> usize {
                    if s.literal {
                        (s.span.start() + pos.saturating_sub(s.text_start)).min(s.span.end())
                    } else if is_end {
                        s.span.end()
                    } else {
                        s.span.start()
                    }
                };
                let sa = map_one(a, start, false);
                let sb = map_one(b, end, true);
                if a.span.file == b.span.file && sa <= sb {
                    Span::new(a.span.file, sa, sb)
                } else {
                    Span::new(a.span.file, sa, a.span.end().max(sa))
                }
            }
        }
    }
}
