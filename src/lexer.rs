//! Splitting a file into statements, the way pfctl's lexer sees lines.
//!
//! pf.conf is line-oriented: a statement ends at a newline, except after a
//! backslash (continuation), inside quotes (a quoted string may span lines)
//! and inside `{ }` lists. An `anchor` whose line ends in `{` opens an inline
//! ruleset that runs to a line starting with `}`. Comments run from `#` to
//! the end of the line; a comment line ending in a backslash swallows the
//! next line too, as pf.conf(5) warns.
//!
//! The splitter only cuts; each statement's text is then parsed by
//! [`crate::parser`]. Cutting first is what gives per-statement error
//! recovery: a broken statement costs one diagnostic and parsing resumes
//! at the next. Comments and blank lines are recorded as trivia for the
//! formatter. [`split`] returns all statements; the parser uses
//! `split_each`, which hands them over one at a time so that a large file's
//! raw statements are never all held at once.

use crate::ast::Trivia;
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};

/// Deepest `{ }` nesting inside one statement.
pub const MAX_BRACE_DEPTH: usize = 64;
/// pfctl's PFCTL_ANCHOR_STACK_DEPTH (pfctl.h): the size of its stack of
/// open rulesets, the main ruleset in slot 0.
pub const MAX_ANCHOR_DEPTH: usize = 64;
/// Most inline anchors one inside another that pfctl accepts: 63. parse.y
/// 1.719 `pfa_anchor`, on each anchor's `{`: `pf->asd++; if (pf->asd >=
/// PFCTL_ANCHOR_STACK_DEPTH) errx(1, "pfa_anchor: anchors too deep");`.
pub const MAX_INLINE_ANCHOR_DEPTH: usize = MAX_ANCHOR_DEPTH - 1;
/// How the message of an inline anchor nested too deep starts (the
/// resolver recognises the splitter's).
pub(crate) const ANCHORS_TOO_DEEP: &str = "anchors too deep";
/// Most statements in one file; memory grows with the statement count
/// (a few hundred bytes each), so a huge file of tiny statements is cut
/// off with an error rather than exhausting memory.
pub const MAX_STATEMENTS: usize = 2_000_000;

/// One statement as cut from the text.
#[derive(Debug, Clone)]
pub struct RawStmt {
    /// From the first to the last token. For an inline anchor: the header,
    /// through its opening brace.
    pub span: Span,
    /// Comments and blank lines before the statement.
    pub leading: Vec<Trivia>,
    /// A comment after the statement on its last line.
    pub trailing_comment: Option<Span>,
    /// Comments inside a statement spread over several lines.
    pub inner_comments: Vec<Span>,
    /// The inline ruleset of an `anchor ... {`.
    pub block: Option<Box<RawBlock>>,
    /// The splitter already reported an error for this statement.
    pub broken: bool,
}

/// The body of an inline anchor.
#[derive(Debug, Clone)]
pub struct RawBlock {
    /// Statements inside the braces.
    pub body: Vec<RawStmt>,
    /// Comments after the last statement of the body.
    pub trailing: Vec<Trivia>,
    /// The closing brace.
    pub close: Span,
}

/// Statements of a whole file.
#[derive(Debug, Clone, Default)]
pub struct Split {
    /// Top-level statements.
    pub stmts: Vec<RawStmt>,
    /// Comments and blank lines after the last statement.
    pub trailing: Vec<Trivia>,
    /// Problems found while cutting (unterminated quote, unclosed anchor...).
    pub diags: Vec<Diagnostic>,
}

/// Trailing trivia and, inside an anchor, the closing brace with the
/// comment after it (the statements go to the caller's sink).
type Sequence = (Vec<Trivia>, Option<(Span, Option<Span>)>);

/// Bytes with no meaning to the splitter: they only extend a statement.
fn is_plain(c: u8) -> bool {
    !matches!(
        c,
        b'"' | b'\'' | b'\\' | b'#' | b'{' | b'}' | b'\n' | b' ' | b'\t' | b'\r'
    )
}

struct Splitter<'a> {
    text: &'a [u8],
    pos: usize,
    count: usize,
    file: FileId,
    diags: Vec<Diagnostic>,
}

/// Cuts `text` (the contents of `file`) into statements.
pub fn split(text: &str, file: FileId) -> Split {
    let mut stmts = Vec::new();
    let (trailing, diags) = split_each(text, file, &mut |st| stmts.push(st));
    Split {
        stmts,
        trailing,
        diags,
    }
}

/// [`split`] handing each top-level statement to `each` as soon as it is
/// cut, so that a caller building something from every statement never
/// holds all of them at once. Returns the trailing trivia and the
/// diagnostics.
pub(crate) fn split_each(
    text: &str,
    file: FileId,
    each: &mut dyn FnMut(RawStmt),
) -> (Vec<Trivia>, Vec<Diagnostic>) {
    let mut s = Splitter {
        text: text.as_bytes(),
        pos: 0,
        count: 0,
        file,
        diags: Vec::new(),
    };
    let (trailing, close) = s.sequence(0, each);
    debug_assert!(close.is_none());
    (trailing, s.diags)
}

impl<'a> Splitter<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.text.get(self.pos + n).copied()
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// Bytes taken by the backslash at `pos` and the character after it,
    /// which pfctl's lexer reads as one: a newline (a continuation) or any
    /// other character, whole (1 when the file ends after the backslash).
    fn escaped_len(&self) -> usize {
        let len = match self.peek_at(1) {
            None => 0,
            Some(b) if b < 0x80 => 1,
            Some(b) if b >= 0xf0 => 4,
            Some(b) if b >= 0xe0 => 3,
            Some(_) => 2,
        };
        (1 + len).min(self.text.len() - self.pos)
    }

    /// Skips a comment starting at `#`; stops before the newline.
    fn comment(&mut self) -> Span {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == b'\\' && self.peek_at(1) == Some(b'\r') && self.peek_at(2) == Some(b'\n') {
                self.pos += 3;
                continue;
            }
            if c == b'\\' {
                // A backslash and what follows go together: before a
                // newline it goes on over the next line; `\\` is one
                // backslash, so `\\` before a newline ends the comment.
                self.pos += self.escaped_len();
                continue;
            }
            if c == b'\n' {
                break;
            }
            self.pos += 1;
        }
        let mut end = self.pos;
        while end > start && matches!(self.text[end - 1], b'\r' | b' ' | b'\t') {
            end -= 1;
        }
        self.span(start, end)
    }

    /// Statements until end of input or, inside an anchor, a closing brace.
    fn sequence(&mut self, depth: usize, sink: &mut dyn FnMut(RawStmt)) -> Sequence {
        let mut trivia = Vec::new();
        let mut line_has_content = false;
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
                self.pos += 1;
            }
            let Some(c) = self.peek() else {
                return (trivia, None);
            };
            match c {
                b'\n' => {
                    if !line_has_content {
                        trivia.push(Trivia::Blank);
                    }
                    line_has_content = false;
                    self.pos += 1;
                }
                b'\\' if self.peek_at(1) == Some(b'\n') => {
                    self.pos += 2;
                }
                b'#' => {
                    let span = self.comment();
                    trivia.push(Trivia::Comment { span });
                    line_has_content = true;
                }
                b'}' if depth > 0 => {
                    let close = self.span(self.pos, self.pos + 1);
                    self.pos += 1;
                    let trailing = self.rest_of_line("`}` closing an anchor");
                    return (trivia, Some((close, trailing)));
                }
                _ => {
                    self.count += 1;
                    if self.count > MAX_STATEMENTS {
                        let end = self.text.len();
                        self.diags.push(
                            Diagnostic::error(
                                "too-long",
                                self.span(self.pos, self.pos),
                                format!("more than {MAX_STATEMENTS} statements in one file"),
                            )
                            .with_help(
                                "split the ruleset, or load long address lists from a table file",
                            ),
                        );
                        self.pos = end;
                        return (trivia, None);
                    }
                    let leading = std::mem::take(&mut trivia);
                    let stmt = self.statement(depth, leading);
                    sink(stmt);
                    line_has_content = false;
                }
            }
        }
    }

    /// After a closing brace or an anchor's opening brace: only a comment
    /// may follow on the line. Consumes through the newline.
    fn rest_of_line(&mut self, what: &str) -> Option<Span> {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r')) {
            self.pos += 1;
        }
        let mut comment = None;
        match self.peek() {
            None => {}
            Some(b'\n') => self.pos += 1,
            Some(b'#') => {
                comment = Some(self.comment());
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
            }
            Some(_) => {
                let start = self.pos;
                while !matches!(self.peek(), None | Some(b'\n')) {
                    self.pos += 1;
                }
                self.diags.push(
                    Diagnostic::error(
                        "syntax",
                        self.span(start, self.pos),
                        format!("syntax error: unexpected text after {what}"),
                    )
                    .with_help("put the next statement on its own line"),
                );
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
            }
        }
        comment
    }

    fn first_word_is_anchor(&self, start: usize) -> bool {
        let rest = &self.text[start..];
        rest.starts_with(b"anchor")
            && !matches!(rest.get(6), Some(c) if c.is_ascii_alphanumeric() || b"-_.:".contains(c))
    }

    /// True when only blanks or a comment follow `pos` on its line.
    fn line_ends_after(&self, mut pos: usize) -> bool {
        while let Some(&c) = self.text.get(pos) {
            match c {
                b' ' | b'\t' | b'\r' => pos += 1,
                b'\n' | b'#' => return true,
                _ => return false,
            }
        }
        true
    }

    fn statement(&mut self, depth: usize, leading: Vec<Trivia>) -> RawStmt {
        let start = self.pos;
        let is_anchor = self.first_word_is_anchor(start);
        let mut braces = 0usize;
        let mut last = start;
        let mut inner_comments = Vec::new();
        let mut trailing_comment = None;
        let mut broken = false;
        let mut too_deep_reported = false;
        while let Some(c) = self.peek() {
            match c {
                b'"' | b'\'' => {
                    let qstart = self.pos;
                    self.pos += 1;
                    loop {
                        match self.peek() {
                            None => {
                                self.diags.push(
                                    Diagnostic::error(
                                        "unterminated-string",
                                        self.span(qstart, self.pos),
                                        "reached end of file while parsing quoted string",
                                    )
                                    .with_help("close the string with a matching quote"),
                                );
                                broken = true;
                                break;
                            }
                            // Only the string's own quote is escaped.
                            Some(b'\\') if self.peek_at(1) == Some(c) => self.pos += 2,
                            Some(q) if q == c => {
                                self.pos += 1;
                                break;
                            }
                            Some(_) => self.pos += 1,
                        }
                    }
                    self.pos = self.pos.min(self.text.len());
                    last = self.pos;
                }
                b'\\' => {
                    // Continuation or an escaped character. An escaped
                    // blank is a blank; a backslash that ends the file is
                    // nothing (pfctl reads the end of the file).
                    let n = self.escaped_len();
                    self.pos += n;
                    if n > 1
                        && !matches!(
                            self.text.get(self.pos - 1),
                            Some(b'\n' | b'\r' | b' ' | b'\t')
                        )
                    {
                        last = self.pos;
                    }
                    if self.text.get(self.pos - 1) == Some(&b'\r') && self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                }
                b'#' => {
                    let span = self.comment();
                    if braces == 0 {
                        trailing_comment = Some(span);
                        if self.peek() == Some(b'\n') {
                            self.pos += 1;
                        }
                        break;
                    }
                    inner_comments.push(span);
                }
                b'{' => {
                    if braces == 0 && is_anchor && self.line_ends_after(self.pos + 1) {
                        let header = self.span(start, self.pos + 1);
                        self.pos += 1;
                        let header_comment = self.rest_of_line("an anchor's `{`");
                        return self.anchor_block(
                            depth,
                            header,
                            header_comment,
                            leading,
                            inner_comments,
                        );
                    }
                    braces += 1;
                    if braces > MAX_BRACE_DEPTH && !too_deep_reported {
                        self.diags.push(Diagnostic::error(
                            "too-deep",
                            self.span(self.pos, self.pos + 1),
                            format!("lists nested more than {MAX_BRACE_DEPTH} deep"),
                        ));
                        too_deep_reported = true;
                        broken = true;
                    }
                    self.pos += 1;
                    last = self.pos;
                }
                b'}' => {
                    braces = braces.saturating_sub(1);
                    self.pos += 1;
                    last = self.pos;
                }
                b'\n' => {
                    if braces == 0 {
                        self.pos += 1;
                        break;
                    }
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                _ => {
                    // A run of ordinary bytes (most of a statement).
                    self.pos += 1;
                    while self.peek().is_some_and(is_plain) {
                        self.pos += 1;
                    }
                    last = self.pos;
                }
            }
        }
        RawStmt {
            span: self.span(start, last),
            leading,
            trailing_comment,
            inner_comments,
            block: None,
            broken,
        }
    }

    fn anchor_block(
        &mut self,
        depth: usize,
        header: Span,
        header_comment: Option<Span>,
        leading: Vec<Trivia>,
        inner_comments: Vec<Span>,
    ) -> RawStmt {
        let mut broken = false;
        // This anchor is number depth + 1 on pfctl's stack.
        if depth + 1 > MAX_INLINE_ANCHOR_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    "too-deep",
                    header,
                    format!(
                        "{ANCHORS_TOO_DEEP}: more than {MAX_INLINE_ANCHOR_DEPTH} inline anchors nested"
                    ),
                )
                .with_help(format!(
                    "pfctl keeps the main ruleset and the open inline anchors on a stack of {MAX_ANCHOR_DEPTH}"
                )),
            );
            broken = true;
        }
        let (body, trailing, close) = if broken {
            // Skip the rest without recursing further.
            self.skip_block();
            (Vec::new(), Vec::new(), None)
        } else {
            let mut body = Vec::new();
            let (trailing, close) = self.sequence(depth + 1, &mut |st| body.push(st));
            (body, trailing, close)
        };
        let (close, trailing_comment) = match close {
            Some((c, t)) => (c, t),
            None => {
                if !broken {
                    self.diags.push(
                        Diagnostic::error("syntax", header, "anchor block is not closed")
                            .with_help("add a line with `}` after the anchor's rules"),
                    );
                }
                broken = true;
                let end = self.text.len();
                (self.span(end, end), None)
            }
        };
        let mut inner = inner_comments;
        if let Some(c) = header_comment {
            inner.push(c);
        }
        RawStmt {
            span: header,
            leading,
            trailing_comment,
            inner_comments: inner,
            block: Some(Box::new(RawBlock {
                body,
                trailing,
                close,
            })),
            broken,
        }
    }

    /// Skips to the brace that closes the current block, ignoring nesting
    /// inside quotes and comments.
    fn skip_block(&mut self) {
        let mut depth = 1usize;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        self.rest_of_line("`}`");
                        return;
                    }
                }
                _ => {}
            }
        }
    }
}

/// Calls `each(offset, byte)` for every byte of `text` that lies outside
/// quoted strings and comments, read as the splitter reads them: a quote
/// (`"` or `'`) runs to the same quote, inside it only that quote can be
/// escaped (`\"`), and `#` outside quotes starts a comment that runs to the
/// end of the line. Stops at the first `Break` and returns its value.
pub(crate) fn scan_outside_quotes<B>(
    text: &str,
    mut each: impl FnMut(usize, u8) -> std::ops::ControlFlow<B>,
) -> Option<B> {
    let b = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && b.get(i + 1) == Some(&q) {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'#' => {
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                _ => {
                    if let std::ops::ControlFlow::Break(v) = each(i, c) {
                        return Some(v);
                    }
                }
            },
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanner_skips_quotes_and_comments_as_the_splitter_does() {
        use std::ops::ControlFlow;
        let seen = |t: &str| {
            let mut out = String::new();
            scan_outside_quotes::<()>(t, |_, c| {
                out.push(c as char);
                ControlFlow::Continue(())
            });
            out
        };
        // Inside quotes only the string's own quote is escaped, so
        // `\\"` still escapes: the string runs on to the last quote.
        assert_eq!(seen("a \"b\\\\\" {\" c"), "a  c");
        assert_eq!(seen("x 'y\" z' w"), "x  w");
        assert_eq!(seen("p # { not code\nq {"), "p \nq {");
        let first_brace = scan_outside_quotes("\"{\" # {\n{", |i, c| {
            if c == b'{' {
                ControlFlow::Break(i)
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(first_brace, Some(8));
    }

    fn texts(src: &str) -> Vec<String> {
        split(src, FileId(0))
            .stmts
            .iter()
            .map(|s| src[s.span.start()..s.span.end()].to_string())
            .collect()
    }

    #[test]
    fn statements_end_at_newlines() {
        assert_eq!(texts("pass\nblock all\n"), vec!["pass", "block all"]);
    }

    #[test]
    fn continuation_and_braces_join_lines() {
        assert_eq!(
            texts("pass in \\\n  on em0\ntable <t> { 1.2.3.4\n 5.6.7.8 }\n"),
            vec!["pass in \\\n  on em0", "table <t> { 1.2.3.4\n 5.6.7.8 }"]
        );
    }

    #[test]
    fn trailing_comment_is_separated() {
        let s = split("pass # hi\n", FileId(0));
        assert_eq!(s.stmts.len(), 1);
        assert_eq!(s.stmts[0].span.end(), 4);
        assert_eq!(
            s.stmts[0].trailing_comment,
            Some(Span::new(FileId(0), 5, 9))
        );
    }

    #[test]
    fn comment_with_backslash_swallows_next_line() {
        let s = split("# a \\\npass\nblock\n", FileId(0));
        assert_eq!(s.stmts.len(), 1);
    }

    #[test]
    fn backslashes_go_with_the_character_after_them() {
        // `\\` is one backslash: the comment ends at its newline.
        let s = split("# a \\\\\npass\nblock\n", FileId(0));
        assert_eq!(s.stmts.len(), 2);
        // An odd run still goes on over the next line.
        let s = split("# a \\\\\\\npass\nblock\n", FileId(0));
        assert_eq!(s.stmts.len(), 1);
        // A backslash that ends the file is not part of the statement, nor
        // is an escaped blank at its end.
        for src in ["pass in\\", "pass in\\ \n", "pass in \\\t\n"] {
            let s = split(src, FileId(0));
            assert_eq!(
                &src[s.stmts[0].span.start()..s.stmts[0].span.end()],
                "pass in",
                "{src:?}"
            );
        }
        let s = split("pass in\\\\", FileId(0));
        assert_eq!(s.stmts[0].span.end(), 9);
        // The escaped character is taken whole, so spans stay on character
        // boundaries.
        let src = "pass in \\\u{e9}x # \\\u{1f600}\n";
        let s = split(src, FileId(0));
        let st = &s.stmts[0];
        assert_eq!(&src[st.span.start()..st.span.end()], "pass in \\\u{e9}x");
        let c = st.trailing_comment.unwrap();
        assert_eq!(&src[c.start()..c.end()], "# \\\u{1f600}");
    }

    #[test]
    fn anchor_blocks_nest() {
        let src = "anchor foo {\n pass\n anchor bar {\n  block\n }\n}\npass\n";
        let s = split(src, FileId(0));
        assert_eq!(s.stmts.len(), 2);
        let b = s.stmts[0].block.as_ref().unwrap();
        assert_eq!(b.body.len(), 2);
        assert_eq!(b.body[1].block.as_ref().unwrap().body.len(), 1);
        assert!(s.diags.is_empty());
    }

    #[test]
    fn unclosed_anchor_is_an_error() {
        let s = split("anchor foo {\npass\n", FileId(0));
        assert_eq!(s.diags.len(), 1);
        assert_eq!(s.diags[0].message, "anchor block is not closed");
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        let s = split("foo = \"bar\n", FileId(0));
        assert_eq!(s.diags[0].code, "unterminated-string");
    }

    /// parse.y 1.719 `pfa_anchor`: `pf->asd++; if (pf->asd >=
    /// PFCTL_ANCHOR_STACK_DEPTH) errx(...)` with a stack of 64, slot 0 the
    /// main ruleset: 63 nested inline anchors pass, the 64th is refused.
    #[test]
    fn inline_anchors_nest_63_deep() {
        let nested = |n: usize| {
            let mut t = String::new();
            for i in 0..n {
                t.push_str(&format!("anchor a{i} {{\n"));
            }
            t.push_str("pass\n");
            t.push_str(&"}\n".repeat(n));
            t
        };
        assert!(split(&nested(63), FileId(0)).diags.is_empty());
        let s = split(&nested(64), FileId(0));
        assert_eq!(s.diags.len(), 1);
        assert_eq!(s.diags[0].code, "too-deep");
        assert_eq!(
            s.diags[0].message,
            "anchors too deep: more than 63 inline anchors nested"
        );
        // At the 64th `anchor`, on line 64.
        assert_eq!(
            s.diags[0].span.start(),
            nested(64).find("anchor a63").unwrap()
        );
    }

    #[test]
    fn deep_braces_are_bounded() {
        let src = format!("pass from {}", "{".repeat(100_000));
        let s = split(&src, FileId(0));
        assert_eq!(s.diags.len(), 1);
        assert_eq!(s.diags[0].code, "too-deep");
    }

    #[test]
    fn statement_count_is_bounded() {
        let src = "pass\n".repeat(MAX_STATEMENTS + 3);
        let s = split(&src, FileId(0));
        assert_eq!(s.stmts.len(), MAX_STATEMENTS);
        assert_eq!(s.diags.len(), 1);
        assert_eq!(s.diags[0].code, "too-long");
    }

    #[test]
    fn blank_lines_are_trivia() {
        let s = split("\n\npass\n", FileId(0));
        assert_eq!(s.stmts[0].leading, vec![Trivia::Blank, Trivia::Blank]);
    }
}
