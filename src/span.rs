//! Source files and byte spans.
//!
//! Every AST node carries a [`Span`]: a file id plus a byte range into that
//! file's text. The [`SourceMap`] owns the texts and turns offsets into
//! `line:column` pairs for diagnostics.

use serde::Serialize;

/// Index of a file inside a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one file.
///
/// The offsets are kept as `u32` (a span is 12 bytes, and every node of
/// the AST has one): files are at most
/// [`MAX_FILE_SIZE`](crate::resolve::MAX_FILE_SIZE) bytes, far below 4 GiB.
/// Read them with [`Span::start`] and [`Span::end`]; the `Debug` form and
/// the JSON form name them `start` and `end`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    lo: u32,
    hi: u32,
}

/// An offset as a span keeps it (offsets past `u32::MAX` cannot occur:
/// files are far smaller).
fn offset(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

impl Span {
    /// A span in `file` from `start` to `end`.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            lo: offset(start),
            hi: offset(end),
        }
    }

    /// First byte.
    pub fn start(&self) -> usize {
        self.lo as usize
    }

    /// One past the last byte.
    pub fn end(&self) -> usize {
        self.hi as usize
    }

    /// The byte range, for slicing the file's text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }

    /// The same span starting at `start`.
    pub fn with_start(self, start: usize) -> Span {
        Span {
            lo: offset(start),
            ..self
        }
    }

    /// The same span ending at `end`.
    pub fn with_end(self, end: usize) -> Span {
        Span {
            hi: offset(end),
            ..self
        }
    }

    /// The smallest span covering both (same file assumed; `self`'s file kept).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.hi.saturating_sub(self.lo) as usize
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Span")
            .field("file", &self.file)
            .field("start", &self.lo)
            .field("end", &self.hi)
            .finish()
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Span", 3)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("start", &self.lo)?;
        st.serialize_field("end", &self.hi)?;
        st.end()
    }
}

/// One source file: its name as the user gave it and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Display name (`pf.conf`, `stdin`, `etc/pf/anchors.conf`...).
    pub name: String,
    /// The text.
    pub text: String,
    line_starts: Vec<usize>,
    /// Per line: true when it is pure ASCII (column = byte offset).
    ascii_lines: Vec<bool>,
}

impl SourceFile {
    /// Builds a file and indexes its line starts.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii_lines = line_starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let end = line_starts.get(i + 1).copied().unwrap_or(text.len());
                text.as_bytes()[start..end].is_ascii()
            })
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
            ascii_lines,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = if self.ascii_lines.get(line).copied().unwrap_or(false) {
            offset - start
        } else {
            self.text
                .get(start..offset)
                .map(|s| s.chars().count())
                .unwrap_or(offset - start)
        };
        (line + 1, col + 1)
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// All files read during one run: the main file, includes, anchors.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(name, text));
        id
    }

    /// The file behind an id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Takes a file's text out (empty in the map until
    /// [`SourceMap::put_text`] gives it back): the resolver reads a file
    /// while adding others to the map, without copying it.
    pub(crate) fn take_text(&mut self, id: FileId) -> String {
        self.files
            .get_mut(id.0 as usize)
            .map(|f| std::mem::take(&mut f.text))
            .unwrap_or_default()
    }

    /// Gives back a text [`SourceMap::take_text`] took.
    pub(crate) fn put_text(&mut self, id: FileId, text: String) {
        if let Some(f) = self.files.get_mut(id.0 as usize) {
            f.text = text;
        }
    }

    /// Gives a file another name (how a command shows it); the text and
    /// every span stay as they are.
    pub fn rename(&mut self, id: FileId, name: impl Into<String>) {
        if let Some(f) = self.files.get_mut(id.0 as usize) {
            f.name = name.into();
        }
    }

    /// All files, in id order.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The text a span covers ("" when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|f| f.text.get(span.range()))
            .unwrap_or("")
    }

    /// `name:line:col` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        match self.get(span.file) {
            Some(f) => {
                let (l, c) = f.line_col(span.start());
                format!("{}:{}:{}", f.name, l, c)
            }
            None => "?:0:0".to_string(),
        }
    }

    /// 1-based line of the start of a span.
    pub fn line(&self, span: Span) -> usize {
        self.get(span.file)
            .map(|f| f.line_col(span.start()).0)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let f = SourceFile::new("x", "ab\ncd\n\nef");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(1), (1, 2));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (3, 1));
        assert_eq!(f.line_col(7), (4, 1));
        assert_eq!(f.line_col(100), (4, 3));
    }
}
