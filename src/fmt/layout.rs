//! Line breaking: a statement's pieces joined on one line, or broken with
//! ` \` continuations when they do not fit the width.
//!
//! The width counts the whole printed line: a line that goes on ends in
//! ` \`, which must fit too; the statement's last line may use the full
//! width. Pieces (the parts pfctl's grammar puts side by side: the rule's
//! head, `on ... proto ...`, `from ...`, `to ...`, each option) are
//! filled greedily, a new line, indented one level deeper than the
//! statement, starting before the piece that does not fit.
//!
//! A piece too long for a line of its own is broken inside, starting on
//! the current line when its first part fits there: inside its `{ }` list
//! or `( )` group after commas (as many items on a line as fit), in a list
//! without commas at its blanks, and an item (or a piece with no list)
//! longer than a line at any blank between its tokens. Its items go on
//! one level deeper than the statement's continuation lines, or, when it
//! ends the statement on its first line, one level deeper than that line.
//! After a piece broken inside, the next piece starts a line.
//!
//! A backslash-newline is dropped by pfctl's lexer wherever it stands
//! (inside quoted strings too), so a break at a blank never changes the
//! tokens; a newline without a backslash could (pfctl's grammar only
//! takes one after an item of a `{ }` list, see `optnl` in parse.y), so
//! the layout never writes one.

use super::INDENT;

/// How a piece's quoted strings are read when looking for places to
/// break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quotes {
    /// A quoted string is one token: never broken.
    Atomic,
    /// The piece is `name = "{ ... }"`, a list macro whose blanks mean
    /// nothing to pfctl's tokenizer: the list inside the quotes may be
    /// broken at its blanks (outside the strings quoted inside it).
    ListValue,
}

/// Display width of `s`, in characters.
pub(super) fn cols(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Lays out `pieces` into `out`: the first line starts with `first` (the
/// statement's indentation), continuation lines with `cont`. Returns the
/// width of the last line.
pub(super) fn layout(
    out: &mut String,
    pieces: &[String],
    first: &str,
    cont: &str,
    width: usize,
    quotes: Quotes,
) -> usize {
    out.push_str(first);
    let mut line = cols(first);
    // The next piece starts a line (the last one was broken inside).
    let mut fresh = false;
    let mut first_line = true;
    let n = pieces.len();
    for (i, p) in pieces.iter().enumerate() {
        // An anchor's `{` opens its body only at the end of the header's
        // last line: it never starts a line.
        if i > 0 && p == "{" {
            out.push_str(" {");
            line += 2;
            continue;
        }
        let w = cols(p);
        let last = i + 1 == n;
        // A line that goes on ends in ` \`; so does a line followed by
        // more of the statement (at least ` x`).
        let reserve = if last { 0 } else { 2 };
        let sep = usize::from(i > 0);
        if !fresh && line + sep + w + reserve <= width {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(p);
            line += sep + w;
            continue;
        }
        let fits_fresh = cols(cont) + w + reserve <= width;
        let mut here = i > 0;
        if i > 0 && (fresh || fits_fresh) {
            out.push_str(" \\\n");
            out.push_str(cont);
            line = cols(cont);
            first_line = false;
            fresh = false;
            here = false;
            if fits_fresh {
                out.push_str(p);
                line += w;
                continue;
            }
        }
        // Too long for any line: broken inside, starting on this line
        // when its first part fits. Its items go one level deeper than
        // the statement's continuation lines, or than its first line when
        // it ends the statement there.
        let base = if first_line && last { first } else { cont };
        let (end, broke) = fill(
            out,
            p,
            Line {
                width: line,
                here: here.then_some(cont),
                base,
            },
            width,
            reserve,
            quotes,
        );
        line = end;
        if broke {
            first_line = false;
            fresh = true;
        }
    }
    line
}

/// Where a blank inside a piece may become a line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Never: after `{` or `(`, before `}` or `)`, after `!`, outside a
    /// list macro's quotes.
    Never,
    /// After a comma: between two items.
    Comma,
    /// Any other blank between tokens.
    Plain,
}

/// A blank of a piece: its byte offset, how deep in `{ }`/`( )` it is,
/// and what may happen there.
#[derive(Debug, Clone, Copy)]
struct Blank {
    at: usize,
    depth: usize,
    kind: Kind,
}

/// The blanks between the tokens of `p` (blanks inside quoted strings are
/// part of the string).
fn blanks(p: &str, quotes: Quotes) -> Vec<Blank> {
    let b = p.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    // Atomic: inside a quoted string. ListValue: inside the value's outer
    // quotes (`outer`), and inside a string quoted in the value (`inner`,
    // its quote character: `"` written `\"`, or `'`).
    let mut quoted: Option<u8> = None;
    let mut outer = false;
    let mut inner: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quotes {
            Quotes::Atomic => {
                if let Some(q) = quoted {
                    if c == b'\\' && b.get(i + 1) == Some(&q) {
                        i += 2;
                        continue;
                    }
                    if c == q {
                        quoted = None;
                    }
                    i += 1;
                    continue;
                }
                if c == b'"' || c == b'\'' {
                    quoted = Some(c);
                    i += 1;
                    continue;
                }
            }
            Quotes::ListValue => {
                if !outer {
                    if c == b'"' {
                        outer = true;
                    } else if c == b' ' {
                        out.push(Blank {
                            at: i,
                            depth,
                            kind: Kind::Never,
                        });
                    }
                    i += 1;
                    continue;
                }
                match inner {
                    Some(q) => {
                        // `\"` is a `"` of the value; inside a string quoted
                        // with it, `\\"` is its escaped quote.
                        if q == b'"' && b[i..].starts_with(b"\\\\\"") {
                            i += 3;
                        } else if q == b'"' && b[i..].starts_with(b"\\\"") {
                            inner = None;
                            i += 2;
                        } else if q == b'\'' && b[i..].starts_with(b"\\'") {
                            i += 2;
                        } else {
                            if c == q {
                                inner = None;
                            }
                            i += 1;
                        }
                        continue;
                    }
                    None => {
                        if b[i..].starts_with(b"\\\"") {
                            inner = Some(b'"');
                            i += 2;
                            continue;
                        }
                        if c == b'\'' {
                            inner = Some(b'\'');
                            i += 1;
                            continue;
                        }
                        if c == b'"' {
                            outer = false;
                            i += 1;
                            continue;
                        }
                    }
                }
            }
        }
        match c {
            b'{' | b'(' => depth += 1,
            b'}' | b')' => depth = depth.saturating_sub(1),
            b' ' => {
                let prev = if i > 0 { b[i - 1] } else { b' ' };
                let next = b.get(i + 1).copied().unwrap_or(b' ');
                let kind = if matches!(prev, b'{' | b'(' | b'!') || matches!(next, b'}' | b')') {
                    Kind::Never
                } else if prev == b',' {
                    Kind::Comma
                } else {
                    Kind::Plain
                };
                out.push(Blank { at: i, depth, kind });
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Where [`fill`] starts a piece.
struct Line<'a> {
    /// The width of the line so far.
    width: usize,
    /// Some: the piece may start on this line after a space, else on a
    /// new line begun with this indentation. None: it starts here.
    here: Option<&'a str>,
    /// The indentation its items are continued one level deeper than.
    base: &'a str,
}

/// Writes the piece `p`, too long for one line, breaking it at its
/// blanks. Returns the width of the last line and whether a line was
/// broken.
fn fill(
    out: &mut String,
    p: &str,
    at: Line,
    width: usize,
    reserve: usize,
    quotes: Quotes,
) -> (usize, bool) {
    let all = blanks(p, quotes);
    let usable = |k: Kind| k != Kind::Never;
    // The preferred breaks: after the commas of its lists; in lists
    // without commas, the blanks inside them; else any blank.
    let primary: Vec<Blank> = if all.iter().any(|b| b.kind == Kind::Comma) {
        all.iter()
            .filter(|b| b.kind == Kind::Comma)
            .copied()
            .collect()
    } else if all.iter().any(|b| b.kind == Kind::Plain && b.depth > 0) {
        all.iter()
            .filter(|b| b.kind == Kind::Plain && b.depth > 0)
            .copied()
            .collect()
    } else {
        all.iter().filter(|b| usable(b.kind)).copied().collect()
    };
    let mut st = Filler {
        out,
        line: at.width,
        base: at.base,
        width,
        broke: false,
    };
    // Chunks: the text between two preferred breaks.
    let mut start = 0;
    let mut before: Option<Blank> = None;
    for end in primary
        .iter()
        .map(|b| Some(*b))
        .chain(std::iter::once(None))
    {
        let stop = end.map_or(p.len(), |b| b.at);
        let chunk = &p[start..stop];
        let r = if end.is_none() { reserve } else { 2 };
        let w = cols(chunk);
        match (before, at.here) {
            (Some(b), _) => {
                if st.line + 1 + w + r <= width {
                    st.out.push(' ');
                    st.line += 1;
                } else {
                    st.newline(b.depth);
                }
            }
            (None, Some(cont)) => {
                if st.line + 1 + w + r <= width {
                    st.out.push(' ');
                    st.line += 1;
                } else {
                    // Not even its first part fits here: it starts the
                    // next line, and goes on one level deeper than that.
                    st.out.push_str(" \\\n");
                    st.out.push_str(cont);
                    st.line = cols(cont);
                    st.base = cont;
                    st.broke = true;
                }
            }
            (None, None) => {}
        }
        if st.line + w + r <= width {
            st.out.push_str(chunk);
            st.line += w;
        } else {
            // Too long for a line of its own: break it at any blank.
            let inner: Vec<Blank> = all
                .iter()
                .filter(|b| b.at > start && b.at < stop && usable(b.kind))
                .map(|b| Blank {
                    at: b.at - start,
                    ..*b
                })
                .collect();
            st.words(chunk, &inner, r);
        }
        start = stop + 1;
        before = end;
    }
    (st.line, st.broke)
}

/// The state of [`fill`]: what is written and where the line stands.
struct Filler<'a> {
    out: &'a mut String,
    line: usize,
    base: &'a str,
    width: usize,
    broke: bool,
}

impl Filler<'_> {
    /// Ends the line with ` \` and starts the next, indented one level
    /// deeper than the piece's first line per level of nesting.
    fn newline(&mut self, depth: usize) {
        self.out.push_str(" \\\n");
        self.out.push_str(self.base);
        let levels = depth.max(1);
        for _ in 0..levels {
            self.out.push_str(INDENT);
        }
        self.line = cols(self.base) + levels * INDENT.len();
        self.broke = true;
    }

    /// Writes `text` word by word (breaking at `blanks`, offsets into
    /// `text`), the last line keeping `reserve` columns free.
    fn words(&mut self, text: &str, blanks: &[Blank], reserve: usize) {
        let mut start = 0;
        let mut before: Option<Blank> = None;
        for end in blanks.iter().map(|b| Some(*b)).chain(std::iter::once(None)) {
            let stop = end.map_or(text.len(), |b| b.at);
            let word = &text[start..stop];
            let r = if end.is_none() { reserve } else { 2 };
            let w = cols(word);
            if let Some(b) = before {
                if self.line + 1 + w + r <= self.width {
                    self.out.push(' ');
                    self.line += 1;
                } else {
                    self.newline(b.depth);
                }
            }
            self.out.push_str(word);
            self.line += w;
            start = stop + 1;
            before = end;
        }
    }
}
