//! A hand-written parser for pf.conf statements, run before the pest
//! grammar.
//!
//! # Relation to the pest grammar
//!
//! `grammar/pf.pest` and the pest-pair → AST `Builder` in `parser.rs` stay
//! the reference: they define what a statement means, produce every error
//! message and decide every case this module declines. This module only
//! makes the common case fast. [`statement`] either returns exactly the
//! [`StatementKind`] that pest plus the Builder would produce for the same
//! text and position map (spans included), or `None`, in which case the
//! caller runs pest. `None` is always a correct answer; `Some` must be
//! certain.
//!
//! To stay exact, the code follows the grammar's structure rule by rule and
//! reproduces pest's behaviour precisely:
//!
//! * Implicit whitespace. pest inserts `skip` (WHITESPACE and COMMENT,
//!   including backslash-newline continuations) between the elements of a
//!   sequence and between the iterations of a repetition. The skip before
//!   an optional element is consumed even when the element is absent, so a
//!   rule ending in an absent optional (`(em0)` before `/N`, `keep state`
//!   before `(...)`, the first word of `tag a b`) ends *after* the
//!   following blanks. The skip before a repetition's next iteration is
//!   rolled back when that iteration fails. Each parsing function below,
//!   and each of the small combinators they are written with (`A ~ B` is
//!   [`Parser::pair`], `kw ~ X` [`Parser::kw_arg`], `"(" ~ X ~ ")"`
//!   [`Parser::parens`], `X ~ (","? ~ X)*` [`Parser::comma_list`], ...),
//!   calls [`Parser::skip`] in exactly the places pest does, so that every
//!   rule's end offset, and therefore every span, matches.
//! * `optnl` (newlines allowed inside `{ }` lists) is only accepted where
//!   the grammar has it; a newline anywhere else ends the parse.
//! * Ordered choice: alternatives are tried in the grammar's order, and a
//!   choice commits to the first one that matches, even when a later one
//!   would have let the statement continue.
//! * Tokens: `word`, `number` (with its `end_number` lookahead), the
//!   reserved `keyword` list (an `ident` is never a keyword or a number),
//!   quoted strings with escapes, `$macro` references with a glued suffix.
//! * The Builder's choices of spans (the `ipspec` span of an endpoint, a
//!   port list's span from `port` to the last port, nested host lists that
//!   collapse when their span equals their only element's...) are repeated
//!   here, and every span goes through [`PosMap::span`] with the same
//!   offsets the Builder uses, so macro-expanded statements (mapped by
//!   segments) come out the same too.
//!
//! Every production of the grammar is handled, so in practice pest runs
//! for statements with errors (which it reports) and for `{ }` lists
//! nested deeper than [`MAX_DEPTH`]. A construct this module leaves to
//! pest sets [`Parser::bail`], which forces `None` even when the
//! surrounding optional or repetition would otherwise carry on; that is
//! the way to drop support for something without risking a different
//! parse.
//!
//! When the grammar changes, this module must change with it: the
//! differential tests in `fast/tests.rs` compare both paths on every
//! statement of the corpora and fixtures (also through macro-expansion
//! position maps), on whole-pipeline runs with and without the fast path,
//! on hand-written token-boundary cases and on random statements (grammar
//! tokens, and a generator of mostly valid statements); a test checks
//! that the reserved words here are the grammar's; and
//! `fuzz/fuzz_targets/fast_path.rs` compares both with cargo-fuzz through
//! `parser::fast_path_mismatch`.
//!
//! Lists are allocated once at their exact size (see [`Parser::rep`]):
//! on large rulesets, building the AST in fresh memory is most of the
//! cost of parsing.
//!
//! This file holds the `Parser` state, the reserved-word tables and the
//! basics (`skip`, `optnl`, positions); the grammar's rules are methods of
//! `Parser` in `fast/combinators.rs` (tokens and combinators),
//! `fast/statements.rs` (every statement but filter rules),
//! `fast/rules.rs` (filter rules, hosts, ports) and `fast/options.rs`
//! (filter options).

use super::keywords::{self, RESERVED};
use super::{empty_antispoof, host_list_entry, unquote, PosMap};
use crate::ast::*;

/// Deepest nesting of `{ }` host lists (and table lists) handled here;
/// deeper lists go to pest.
const MAX_DEPTH: usize = 8;

/// The group of reserved words starting with `c`.
fn keyword_group(c: u8) -> &'static [&'static str] {
    let i = match c {
        b'a' => 0,
        b'b' => 1,
        b'c' => 2,
        b'd' => 3,
        b'f' => 4,
        b'g' => 5,
        b'h' => 6,
        b'i' => 7,
        b'k' => 8,
        b'l' => 9,
        b'm' => 10,
        b'n' => 11,
        b'o' => 12,
        b'p' => 13,
        b'q' => 14,
        b'r' => 15,
        b's' => 16,
        b't' => 17,
        b'u' => 18,
        b'w' => 19,
        _ => return &[],
    };
    RESERVED.get(i).copied().unwrap_or(&[])
}

/// True when the whole word `w` is a reserved word.
///
/// The grammar's `keyword` rule takes the first listed word that is a
/// prefix of the input and then requires a non-word character. Reserved
/// words consist of word characters only, and no reserved word is listed
/// after a longer one it is a prefix of (checked by a unit test), so the
/// rule matches exactly when the maximal run of word characters is one of
/// the words.
fn is_keyword(w: &[u8]) -> bool {
    match w.first() {
        Some(&c) => keyword_group(c).iter().any(|k| k.as_bytes() == w),
        None => false,
    }
}

const C_WORD: u8 = 1; // word_char
const C_START: u8 = 2; // first character of a word
const C_END_NUMBER: u8 = 4; // end_number (EOI handled apart)
const C_NAME: u8 = 8; // ASCII_ALPHANUMERIC | "_" (macro names)

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() {
            t[c] = C_WORD | C_START | C_NAME;
        }
        c += 1;
    }
    let punct = b"._:-$%&*+;?@[]^`|~";
    let mut i = 0;
    while i < punct.len() {
        t[punct[i] as usize] |= C_WORD;
        i += 1;
    }
    t[b':' as usize] |= C_START;
    t[b'_' as usize] |= C_START | C_NAME;
    let ends = b" \t\r\n),/}=\\";
    let mut i = 0;
    while i < ends.len() {
        t[ends[i] as usize] |= C_END_NUMBER;
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = classes();

fn is_word_char(b: u8) -> bool {
    CLASS[b as usize] & C_WORD != 0
}

/// Elements of a repetition gathered on the stack before allocating.
const INLINE: usize = 8;

/// Pushes with growth 1, 2, 4, ... instead of `Vec`'s first step to 4.
fn push<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.len().max(1));
    }
    v.push(x);
}

/// Parses one statement's text; `None` when pest must decide.
pub(super) fn statement(text: &str, map: &PosMap) -> Option<StatementKind> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        pos: 0,
        map,
        bail: false,
        depth: 0,
        word_cache: std::cell::Cell::new((usize::MAX, 0)),
    };
    let kind = p.statement();
    if p.bail {
        return None;
    }
    kind
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    pos: usize,
    map: &'a PosMap,
    /// Set on a construct this module leaves to pest.
    bail: bool,
    /// Current `{ }` nesting of host and table lists.
    depth: usize,
    /// Start and end of the last word run computed ([`Parser::word`]).
    word_cache: std::cell::Cell<(usize, usize)>,
}

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ basics

    /// The byte at `i`, 0 past the end (callers never compare with 0).
    fn at(&self, i: usize) -> u8 {
        self.s.get(i).copied().unwrap_or(0)
    }

    fn peek(&self) -> u8 {
        self.at(self.pos)
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.pos < self.s.len() && self.peek() == b {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Matches the literal `t` at the position (no word boundary needed).
    fn eat_str(&mut self, t: &str) -> bool {
        let end = self.pos + t.len();
        if self.s.get(self.pos..end) == Some(t.as_bytes()) {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// Marks the statement as one for pest and fails.
    fn bail<T>(&mut self) -> Option<T> {
        self.bail = true;
        None
    }

    /// Runs `f`; on `None` puts the position back (pest's optional).
    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let save = self.pos;
        let r = f(self);
        if r.is_none() {
            self.pos = save;
        }
        r
    }

    /// [`Parser::opt`] for an element whose absence means an empty value.
    fn opt_or_default<T: Default>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> T {
        self.opt(f).unwrap_or_default()
    }

    /// The skeleton of pest's repetition `E*`: runs `iteration` until it
    /// fails, with a skip before every iteration after the first. A failing
    /// iteration, skip included, is rolled back (the position here; what it
    /// stored, by the caller).
    fn repeat(&mut self, mut iteration: impl FnMut(&mut Self) -> bool) {
        let mut first = true;
        loop {
            let save = self.pos;
            if !first {
                self.skip();
            }
            if !iteration(self) {
                self.pos = save;
                return;
            }
            first = false;
        }
    }

    /// pest's repetition `E*` ([`Parser::repeat`]) collected in a vector.
    /// `head`, when given, is an element the caller parsed before (the
    /// `X ~ (sep ~ X)*` shapes); it comes first in the result.
    ///
    /// The vector is allocated once, at its exact size: AST lists are
    /// small and their elements large, and a 100,000-rule ruleset should
    /// carry neither reallocation chains nor the spare capacity of
    /// doubling growth.
    fn rep<T>(&mut self, head: Option<T>, mut e: impl FnMut(&mut Self) -> Option<T>) -> Vec<T> {
        // Items wait on the stack so that the list is allocated once.
        let mut inline: [Option<T>; INLINE] = Default::default();
        let mut n = 0;
        let mut spill = Vec::new();
        let mut keep = |x: T, n: &mut usize| {
            match inline.get_mut(*n) {
                Some(slot) => *slot = Some(x),
                None => spill.push(x),
            }
            *n += 1;
        };
        if let Some(h) = head {
            keep(h, &mut n);
        }
        self.repeat(|p| match e(p) {
            Some(x) => {
                keep(x, &mut n);
                true
            }
            None => false,
        });
        let mut out = Vec::with_capacity(n);
        out.extend(inline.into_iter().flatten());
        out.append(&mut spill);
        out
    }

    /// pest's repetition `E*` ([`Parser::repeat`]) for elements that push
    /// their results into `out` (some push several); a failing iteration's
    /// pushes are removed.
    fn rep_into<T>(
        &mut self,
        out: &mut Vec<T>,
        mut e: impl FnMut(&mut Self, &mut Vec<T>) -> Option<()>,
    ) {
        self.repeat(|p| {
            let len = out.len();
            let ok = e(p, out).is_some();
            if !ok {
                out.truncate(len);
            }
            ok
        });
    }

    fn span(&self, start: usize, end: usize) -> crate::span::Span {
        self.map.span(start, end)
    }

    /// Length of a NEWLINE (`\n`, `\r\n` or `\r`) at `i`, 0 if none.
    fn newline_at(&self, i: usize) -> usize {
        match self.at(i) {
            b'\n' => 1,
            b'\r' if self.at(i + 1) == b'\n' => 2,
            b'\r' => 1,
            _ => 0,
        }
    }

    /// pest's implicit `skip`: WHITESPACE* ~ (COMMENT ~ WHITESPACE*)*.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' => match self.at(self.pos + 1) {
                    b'\n' => self.pos += 2,
                    b'\r' if self.at(self.pos + 2) == b'\n' => self.pos += 3,
                    // Lookahead only: the blank is consumed next round.
                    b' ' | b'\t' => self.pos += 1,
                    _ => return,
                },
                b'#' => {
                    // COMMENT: '#' ~ ("\\" ~ NEWLINE | "\\" ~ !NEWLINE ~ ANY
                    //   | !NEWLINE ~ ANY)*
                    self.pos += 1;
                    while self.pos < self.s.len() {
                        if self.peek() == b'\\' {
                            let n = self.newline_at(self.pos + 1);
                            if n > 0 {
                                self.pos += 1 + n;
                                continue;
                            }
                            // A backslash and the byte after it (the rest
                            // of a multibyte character follows as plain
                            // bytes).
                            if self.pos + 1 < self.s.len() {
                                self.pos += 2;
                                continue;
                            }
                        }
                        if self.newline_at(self.pos) > 0 {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// `optnl = _{ NEWLINE* }`, a repetition with skips between newlines.
    fn optnl(&mut self) {
        let n = self.newline_at(self.pos);
        if n == 0 {
            return;
        }
        self.pos += n;
        loop {
            let save = self.pos;
            self.skip();
            let n = self.newline_at(self.pos);
            if n == 0 {
                self.pos = save;
                return;
            }
            self.pos += n;
        }
    }

    /// `skip ~ optnl ~ skip`, the blanks around an `optnl` in a sequence.
    fn skip_nl(&mut self) {
        self.skip();
        self.optnl();
        self.skip();
    }
}

mod combinators;
mod options;
mod rules;
mod statements;

#[cfg(test)]
mod tests;
