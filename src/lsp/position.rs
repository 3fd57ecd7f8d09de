//! Positions as the protocol counts them.
//!
//! pfconf's spans are byte offsets; LSP positions are a line and a column
//! counted in the position encoding agreed in `initialize` ([`Encoding`]):
//! UTF-8 bytes when the client offers `utf-8` in
//! `general.positionEncodings` (our offsets as they are), else UTF-16 code
//! units, the protocol's default. A [`LineIndex`] converts both ways for
//! one text.
//!
//! Invariants: lines end at `\n`, `\r\n` or a lone `\r`, as the protocol
//! says (pfctl refuses a carriage return, but an editor may still send
//! one); a column beyond the end of its line means the end of the line;
//! an offset is never returned inside a character (a column in the middle
//! of a surrogate pair, or of a UTF-8 sequence, falls back to the
//! character's start); a line beyond the last one is out of range.

use lsp_types::{Position, PositionEncodingKind};

/// How a column counts: the position encoding agreed with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Encoding {
    /// UTF-8 code units (bytes): offsets as pfconf keeps them.
    Utf8,
    /// UTF-16 code units, the protocol's default.
    #[default]
    Utf16,
}

impl Encoding {
    /// What the server uses given what the client offers (LSP 3.17
    /// `general.positionEncodings`): UTF-8 when offered, else UTF-16,
    /// which every client speaks.
    pub(crate) fn choose(offered: &[PositionEncodingKind]) -> Encoding {
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The encoding as `initialize` announces it.
    pub(crate) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// The code units of one character.
    pub(crate) fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }

    /// The code units of a text.
    pub(crate) fn len(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        }
    }
}

/// Line starts of one text, for converting offsets and positions.
#[derive(Debug)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the first character of each line.
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`'s lines, for columns counted in `encoding`.
    pub(crate) fn new(text: &'a str, encoding: Encoding) -> LineIndex<'a> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            text,
            starts,
            encoding,
        }
    }

    /// Where line `line`'s content ends (before its line break).
    fn content_end(&self, line: usize) -> usize {
        let Some(&next) = self.starts.get(line + 1) else {
            return self.text.len();
        };
        let bytes = self.text.as_bytes();
        if next >= 2 && bytes[next - 2] == b'\r' && bytes[next - 1] == b'\n' {
            next - 2
        } else {
            next - 1
        }
    }

    /// The position of a byte offset (clamped to the text, to the line's
    /// content and to a character boundary).
    pub(crate) fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let offset = offset.min(self.content_end(line));
        let column = self.encoding.len(&self.text[start..offset]);
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of a position, or None when its line is beyond the
    /// last line. A column beyond the line's end is the line's end.
    pub(crate) fn offset(&self, position: Position) -> Option<usize> {
        let line = usize::try_from(position.line).ok()?;
        let start = *self.starts.get(line)?;
        let end = self.content_end(line);
        let wanted = usize::try_from(position.character).unwrap_or(usize::MAX);
        if self.encoding == Encoding::Utf8 {
            let mut at = start.saturating_add(wanted).min(end);
            while !self.text.is_char_boundary(at) {
                at -= 1;
            }
            return Some(at);
        }
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units + c.len_utf16() > wanted {
                return Some(start + i);
            }
            units += c.len_utf16();
        }
        Some(end)
    }
}

/// Protocol numbers are u32; texts that long are refused well before.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn columns_count_utf16_code_units() {
        // é is 2 bytes and 1 unit; 😀 is 4 bytes and 2 units (a surrogate pair).
        let text = "# é😀 x\npass\n";
        let index = LineIndex::new(text, Encoding::Utf16);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x), pos(0, 6));
        assert_eq!(index.offset(pos(0, 6)), Some(x));
        assert_eq!(index.position(text.find("pass").unwrap()), pos(1, 0));
    }

    #[test]
    fn a_column_inside_a_surrogate_pair_falls_back_to_the_character() {
        let text = "a😀b";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.offset(pos(0, 2)), Some(1));
        assert_eq!(index.offset(pos(0, 3)), Some(5));
        // An offset inside a character is taken back to its start.
        assert_eq!(index.position(3), pos(0, 1));
    }

    #[test]
    fn every_line_break_the_protocol_knows_ends_a_line() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.position(text.find('b').unwrap()), pos(1, 0));
        assert_eq!(index.position(text.find('c').unwrap()), pos(2, 0));
        assert_eq!(index.position(text.find('d').unwrap()), pos(3, 0));
        // The line break is not part of the line: its offset is the line's end.
        assert_eq!(index.position(1), pos(0, 1));
        assert_eq!(index.position(2), pos(0, 1));
        assert_eq!(index.offset(pos(0, 9)), Some(1));
    }

    #[test]
    fn out_of_range_positions_are_clamped_or_refused() {
        let text = "pass\nblock\n";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.offset(pos(0, 100)), Some(4));
        assert_eq!(index.offset(pos(2, 0)), Some(text.len()));
        assert_eq!(index.offset(pos(3, 0)), None);
        assert_eq!(index.offset(pos(u32::MAX, u32::MAX)), None);
        assert_eq!(index.position(1000), pos(2, 0));
        assert_eq!(index.position(text.len()), pos(2, 0));
        assert_eq!(LineIndex::new("", Encoding::Utf16).position(0), pos(0, 0));
        assert_eq!(LineIndex::new("ab", Encoding::Utf16).position(2), pos(0, 2));
    }

    #[test]
    fn columns_count_bytes_in_utf8() {
        let text = "# é😀 x\npass\n";
        let index = LineIndex::new(text, Encoding::Utf8);
        let x = text.find('x').unwrap();
        assert_eq!(x, 9);
        assert_eq!(index.position(x), pos(0, 9));
        assert_eq!(index.offset(pos(0, 9)), Some(x));
        // Inside 😀 (bytes 4..8): its start; beyond the line: its end.
        assert_eq!(index.offset(pos(0, 6)), Some(4));
        assert_eq!(index.offset(pos(0, 99)), Some(10));
        assert_eq!(index.offset(pos(1, 2)), Some(13));
        assert_eq!(index.offset(pos(3, 0)), None);
        assert_eq!(index.position(5), pos(0, 4));
    }

    #[test]
    fn utf8_is_chosen_when_offered() {
        use lsp_types::PositionEncodingKind as K;
        assert_eq!(Encoding::choose(&[]), Encoding::Utf16);
        assert_eq!(Encoding::choose(&[K::UTF16, K::UTF8]), Encoding::Utf8);
        assert_eq!(Encoding::choose(&[K::UTF32, K::UTF16]), Encoding::Utf16);
        assert_eq!(Encoding::Utf8.kind(), K::UTF8);
    }
}
