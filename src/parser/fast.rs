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

use super::keywords::{self, OptKind, RESERVED};
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

    // ------------------------------------------------------------ tokens

    /// End of the run of word characters starting at `i`.
    fn word_end(&self, mut i: usize) -> usize {
        while i < self.s.len() && is_word_char(self.at(i)) {
            i += 1;
        }
        i
    }

    /// The run of word characters at the position: a keyword `k` matches
    /// (`"k" ~ !word_char`) exactly when this run equals `k`, so a `match`
    /// on it is pest's ordered choice of keywords.
    /// Several rules look at the same position in turn, so the last run
    /// computed is remembered.
    fn word(&self) -> &'a [u8] {
        let (at, end) = self.word_cache.get();
        let end = if at == self.pos && end >= at {
            end
        } else {
            let end = self.word_end(self.pos);
            self.word_cache.set((self.pos, end));
            end
        };
        self.s.get(self.pos..end).unwrap_or(&[])
    }

    /// Matches the keyword `k` at the position (`"k" ~ !word_char`).
    fn kw(&mut self, k: &str) -> bool {
        let k = k.as_bytes();
        let end = self.pos + k.len();
        if self.s.get(self.pos..end) == Some(k) && !is_word_char(self.at(end)) {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// Matches the keyword `k`; returns its offsets.
    fn kw_at(&mut self, k: &str) -> Option<(usize, usize)> {
        let start = self.pos;
        self.kw(k).then_some((start, self.pos))
    }

    fn word_value(&self, start: usize, end: usize) -> Option<SValue> {
        let w = self.text.get(start..end)?;
        Some(Spanned::new(
            Value::Word(w.to_string()),
            self.span(start, end),
        ))
    }

    /// End of a NUMBER token at `i`: `"-"? ~ ASCII_DIGIT+ ~ &end_number`.
    fn number_end(&self, i: usize) -> Option<usize> {
        let mut j = i;
        if self.at(j) == b'-' {
            j += 1;
        }
        let digits = j;
        while self.at(j).is_ascii_digit() {
            j += 1;
        }
        if j == digits {
            return None;
        }
        if j < self.s.len() && CLASS[self.at(j) as usize] & C_END_NUMBER == 0 {
            return None;
        }
        Some(j)
    }

    fn number(&mut self) -> Option<SValue> {
        let start = self.pos;
        let end = self.number_end(start)?;
        let v = self.word_value(start, end)?;
        self.pos = end;
        Some(v)
    }

    /// `ident = @{ !keyword ~ !number ~ word }`.
    fn ident(&mut self) -> Option<SValue> {
        let start = self.pos;
        if CLASS[self.peek() as usize] & C_START == 0 {
            return None;
        }
        let w = self.word();
        if is_keyword(w) || self.number_end(start).is_some() {
            return None;
        }
        let end = start + w.len();
        let v = self.word_value(start, end)?;
        self.pos = end;
        Some(v)
    }

    /// `quoted`: the value is the unquoted inner text.
    fn quoted(&mut self) -> Option<SValue> {
        let start = self.pos;
        let q = self.peek();
        if !(q == b'"' || q == b'\'') || start >= self.s.len() {
            return None;
        }
        let mut i = start + 1;
        loop {
            if i >= self.s.len() {
                return None;
            }
            match self.at(i) {
                // An escaped quote; any other backslash is a plain char.
                b'\\' if self.at(i + 1) == q => i += 2,
                c if c == q => break,
                _ => i += 1,
            }
        }
        let inner = self.text.get(start + 1..i)?;
        let end = i + 1;
        self.pos = end;
        Some(Spanned::new(
            Value::Quoted(unquote(inner, char::from(q))),
            self.span(start, end),
        ))
    }

    /// `macro_ref = @{ "$" ~ (ASCII_ALPHANUMERIC | "_")+ ~ word_char* }`.
    fn macro_ref(&mut self) -> Option<SValue> {
        let start = self.pos;
        if self.peek() != b'$' || CLASS[self.at(start + 1) as usize] & C_NAME == 0 {
            return None;
        }
        let mut n = start + 1;
        while CLASS[self.at(n) as usize] & C_NAME != 0 && n < self.s.len() {
            n += 1;
        }
        let end = self.word_end(n);
        let name = self.text.get(start + 1..n)?.to_string();
        let suffix = self.text.get(n..end)?.to_string();
        self.pos = end;
        Some(Spanned::new(
            Value::Macro(MacroRef { name, suffix }),
            self.span(start, end),
        ))
    }

    /// `string = { quoted | ident | macro_ref }`.
    fn string(&mut self) -> Option<SValue> {
        match self.peek() {
            b'"' | b'\'' => self.quoted(),
            b'$' => self.macro_ref(),
            _ => self.ident(),
        }
    }

    /// `numberstring = { number | string }`.
    fn numberstring(&mut self) -> Option<SValue> {
        match self.peek() {
            b'-' | b'0'..=b'9' => match self.number() {
                Some(v) => Some(v),
                None => self.string(),
            },
            _ => self.string(),
        }
    }

    /// `num = { number | macro_ref }`.
    fn num(&mut self) -> Option<SValue> {
        if self.peek() == b'$' {
            self.macro_ref()
        } else {
            self.number()
        }
    }

    /// `string_seq = { string+ }`.
    fn string_seq(&mut self) -> Option<Vec<SValue>> {
        self.rep1(Self::string)
    }

    /// `not = { "!" ~ !"=" }` (a normal rule: blanks may follow the `!`).
    fn not(&mut self) -> bool {
        if self.peek() != b'!' {
            return false;
        }
        let save = self.pos;
        self.pos += 1;
        self.skip();
        if self.peek() == b'=' {
            self.pos = save;
            return false;
        }
        true
    }

    /// `kw_k | string`, the keyword kept as a word value.
    fn keyword_or_string(&mut self, k: &str) -> Option<SValue> {
        match self.kw_at(k) {
            Some((start, end)) => self.word_value(start, end),
            None => self.string(),
        }
    }

    // ------------------------------------------------------------ combinators
    //
    // Pieces of the grammar's sequences. Each puts a skip exactly where pest
    // puts one, between two elements (`A ~ B`), and none skips before its
    // first element or after its last: as in the grammar, that is up to the
    // sequence the piece stands in. None of them puts the position back on
    // failure, except where said.

    /// `"c"`, or the sequence fails.
    fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    /// `kw_k`, or the sequence fails.
    fn expect_kw(&mut self, k: &str) -> Option<()> {
        self.kw(k).then_some(())
    }

    /// `A ~ B`.
    fn pair<A, B>(
        &mut self,
        a: impl FnOnce(&mut Self) -> Option<A>,
        b: impl FnOnce(&mut Self) -> Option<B>,
    ) -> Option<(A, B)> {
        let x = a(self)?;
        self.skip();
        Some((x, b(self)?))
    }

    /// `"c" ~ ITEM`.
    fn prefixed<T>(&mut self, c: u8, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.expect(c)?;
        self.skip();
        item(self)
    }

    /// `kw_k ~ ITEM`.
    fn kw_arg<T>(&mut self, k: &str, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.expect_kw(k)?;
        self.skip();
        item(self)
    }

    /// Consumes the keyword at the position, which the caller has matched
    /// as the whole of [`Parser::word`], and the blanks after it.
    fn skip_word(&mut self) {
        self.pos += self.word().len();
        self.skip();
    }

    /// `kw ~ ITEM` for the keyword at the position, which the caller has
    /// matched as the whole of [`Parser::word`].
    fn word_arg<T>(&mut self, item: impl FnOnce(&mut Self) -> T) -> T {
        self.skip_word();
        item(self)
    }

    /// `kw ~ ITEM` for the keyword at the position, as
    /// [`Parser::word_arg`], the item made into a node by `node` (a
    /// keyword option with one value: `qlimit 10`, `label "x"`, ...).
    fn arg<T, U>(
        &mut self,
        item: impl FnOnce(&mut Self) -> Option<T>,
        node: impl FnOnce(T) -> U,
    ) -> Option<U> {
        self.word_arg(item).map(node)
    }

    /// A keyword alone: consumes the keyword at the position, which the
    /// caller has matched as the whole of [`Parser::word`], and returns
    /// `value`.
    fn word_flag<T>(&mut self, value: T) -> T {
        self.pos += self.word().len();
        value
    }

    /// The value of the first keyword of `choices` at the position (an
    /// ordered choice of keywords).
    fn one_of<T: Copy>(&mut self, choices: &[(&str, T)]) -> Option<T> {
        choices.iter().find(|(k, _)| self.kw(k)).map(|&(_, v)| v)
    }

    /// The first of the string literals `ops` at the position (an ordered
    /// choice of operators).
    fn operator(&mut self, ops: &[&'static str]) -> Option<&'static str> {
        ops.iter().copied().find(|op| self.eat_str(op))
    }

    /// `","? ~ ITEM`.
    fn comma_then<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.eat(b',');
        self.skip();
        item(self)
    }

    /// `ITEM ~ ITEM*` (pest's `ITEM+`): the skip after the first item is
    /// kept even when no second item follows.
    fn rep1<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let head = item(self)?;
        self.skip();
        Some(self.rep(Some(head), item))
    }

    /// `ITEM ~ (","? ~ ITEM)*`.
    fn comma_list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let head = item(self)?;
        self.skip();
        Some(self.rep(Some(head), |p| p.comma_then(&mut item)))
    }

    /// `ITEM ~ (","? ~ ITEM)?`.
    fn one_or_two<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<(T, Option<T>)> {
        let a = item(self)?;
        self.skip();
        Some((a, self.opt(|p| p.comma_then(item))))
    }

    /// `open ~ ITEM ~ close`.
    fn delimited<T>(
        &mut self,
        open: u8,
        close: u8,
        item: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        let v = self.prefixed(open, item)?;
        self.skip();
        self.expect(close)?;
        Some(v)
    }

    /// `"(" ~ ITEM ~ ")"`.
    fn parens<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.delimited(b'(', b')', item)
    }

    /// `("(" ~ ITEM ~ ")")?`, the position put back when absent.
    fn opt_parens<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.opt(|p| p.parens(item))
    }

    /// `"(" ~ ITEM ~ (","? ~ ITEM)* ~ ")"`.
    fn paren_list<T>(&mut self, item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.parens(|p| p.comma_list(item))
    }

    /// `"{" ~ optnl ~ ITEM ~ "}"`.
    fn braces<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.delimited(b'{', b'}', |p| {
            p.optnl();
            p.skip();
            item(p)
        })
    }

    /// `"<" ~ string ~ ">"`, a table name.
    fn angle_name(&mut self) -> Option<SValue> {
        self.delimited(b'<', b'>', Self::string)
    }

    /// `num ~ "/" ~ num`, a number of events in a number of seconds.
    fn rate(&mut self) -> Option<(SValue, SValue)> {
        self.pair(Self::num, |p| p.prefixed(b'/', Self::num))
    }

    /// `"{" ~ optnl ~ ITEM ~ optnl ~ (","? ~ ITEM ~ optnl)* ~ "}"`; the
    /// position is put back on failure.
    fn brace_list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        self.opt(|p| {
            p.braces(|p| {
                let head = item(p)?;
                p.skip_nl();
                Some(p.rep(Some(head), |p| {
                    let x = p.comma_then(&mut item)?;
                    p.skip();
                    p.optnl();
                    Some(x)
                }))
            })
        })
    }

    /// `"{" ... "}" | ITEM`: a brace list or one item.
    fn list_or_one<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        if self.peek() == b'{' {
            // The single-item alternative cannot start with `{`.
            self.brace_list(item)
        } else {
            item(self).map(|x| vec![x])
        }
    }

    /// Runs `f`; its node is spanned from the position before to the
    /// position after.
    fn spanned<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Spanned<T>> {
        let start = self.pos;
        let node = f(self)?;
        Some(Spanned::new(node, self.span(start, self.pos)))
    }

    /// Runs `f` one list level deeper; bails beyond [`MAX_DEPTH`].
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            return self.bail();
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    // ------------------------------------------------------------ statements

    fn statement(&mut self) -> Option<StatementKind> {
        // SOI ~ (...) ~ EOI
        self.skip();
        let kind = match self.word() {
            b"pass" | b"block" | b"match" => StatementKind::Rule(Box::new(self.pf_rule()?)),
            b"anchor" => StatementKind::Anchor(Box::new(self.anchor_rule()?)),
            b"table" => StatementKind::Table(Box::new(self.table_def()?)),
            b"set" => StatementKind::Option(Box::new(self.option()?)),
            b"include" => StatementKind::Include(Include {
                path: self.word_arg(Self::string)?,
            }),
            b"antispoof" => StatementKind::Antispoof(Box::new(self.antispoof()?)),
            b"queue" => StatementKind::Queue(Box::new(self.queue_def()?)),
            b"load" => {
                // load_anchor = { kw_load ~ kw_anchor ~ string ~ kw_from ~ string_seq }
                let name = self.word_arg(|p| p.kw_arg("anchor", Self::string))?;
                self.skip();
                let file = self.kw_arg("from", Self::string_seq)?;
                StatementKind::LoadAnchor(LoadAnchor { name, file })
            }
            b"state" => StatementKind::Limiter(Box::new(self.limiter_def()?)),
            // limiter_def comes before varset, and `source` is no keyword.
            b"source" => match self.opt(Self::limiter_def) {
                Some(l) => StatementKind::Limiter(Box::new(l)),
                None => StatementKind::Macro(self.varset()?),
            },
            w if is_keyword(w) => return None,
            _ => StatementKind::Macro(self.varset()?),
        };
        self.skip();
        (self.pos == self.s.len()).then_some(kind)
    }

    /// `varset = { string ~ "=" ~ varstring }`, `varstring = { numberstring* }`.
    fn varset(&mut self) -> Option<MacroDef> {
        let (name, value) = self.pair(Self::string, |p| {
            p.prefixed(b'=', |p| Some(p.rep(None, Self::numberstring)))
        })?;
        Some(MacroDef {
            name: Spanned::new(name.node.text().to_string(), name.span),
            value,
        })
    }

    /// `option = { kw_set ~ (...) }`.
    fn option(&mut self) -> Option<SetOption> {
        self.skip_word();
        Some(match self.word() {
            // set_skip = { kw_skip ~ interface? }
            b"skip" => SetOption::Skip {
                interfaces: self.word_arg(|p| p.opt_or_default(Self::interface)),
            },
            b"block-policy" => SetOption::BlockPolicy {
                value: self.word_arg(|p| {
                    p.one_of(&[("drop", BlockPolicy::Drop), ("return", BlockPolicy::Return)])
                })?,
            },
            b"state-policy" => SetOption::StatePolicy {
                value: self.word_arg(|p| {
                    p.one_of(&[
                        ("if-bound", StatePolicy::IfBound),
                        ("floating", StatePolicy::Floating),
                    ])
                })?,
            },
            b"optimization" => self.arg(Self::string, |value| SetOption::Optimization { value })?,
            b"ruleset-optimization" => self.arg(Self::string, |value| {
                SetOption::RulesetOptimization { value }
            })?,
            b"fingerprints" => self.arg(Self::string, |value| SetOption::Fingerprints { value })?,
            b"hostid" => self.arg(Self::numberstring, |value| SetOption::HostId { value })?,
            // set_loginterface = { kw_loginterface ~ (kw_all | string) }
            b"loginterface" => self.arg(
                |p| p.keyword_or_string("all"),
                |value| SetOption::LogInterface { value },
            )?,
            // set_debug = { kw_debug ~ (kw_debug | string) }
            b"debug" => self.arg(
                |p| p.keyword_or_string("debug"),
                |value| SetOption::Debug { value },
            )?,
            b"reassemble" => {
                // set_reassemble = { kw_reassemble ~ yesno ~ kw_no_df? },
                // yesno = { kw_no | string }
                let value = self.word_arg(|p| p.keyword_or_string("no"))?;
                self.skip();
                let no_df = self.kw("no-df");
                SetOption::Reassemble { value, no_df }
            }
            b"state-defaults" => self.arg(Self::state_opt_list, |opts| {
                SetOption::StateDefaults { opts }
            })?,
            b"syncookies" => {
                // kw_syncookies ~ string ~ ("(" ~ syncookie_opt ~
                // (","? ~ syncookie_opt)* ~ ")")?, syncookie_opt = { string ~ string }
                let mode = self.word_arg(Self::string)?;
                self.skip();
                let opts =
                    self.opt_or_default(|p| p.paren_list(|p| p.pair(Self::string, Self::string)));
                SetOption::Syncookies { mode, opts }
            }
            b"timeout" => self.arg(Self::limit_values, |values| SetOption::Timeout { values })?,
            b"limit" => self.arg(Self::limit_values, |values| SetOption::Limit { values })?,
            _ => return None,
        })
    }

    /// The values of `set timeout` and `set limit`: `"{" ~ optnl ~ spec ~
    /// optnl ~ (","? ~ spec ~ optnl)* ~ "}" | spec`, `spec = { string ~ num }`.
    fn limit_values(&mut self) -> Option<Vec<(SValue, SValue)>> {
        self.list_or_one(|p| p.pair(Self::string, Self::num))
    }

    // ------------------------------------------------------------ rules

    /// `pf_rule = { action ~ dir? ~ logquick? ~ interface? ~ af? ~ proto?
    /// ~ fromto? ~ filter_opt* }`
    fn pf_rule(&mut self) -> Option<FilterRule> {
        let action = self.action()?;
        let mut r = FilterRule::new(action);
        self.skip();
        r.direction = self.dir();
        self.skip();
        if let Some((log, quick)) = self.opt(Self::logquick) {
            r.log = log;
            r.quick = quick;
        }
        self.rule_tail(&mut r);
        Some(r)
    }

    /// `interface? ~ af? ~ proto? ~ fromto? ~ filter_opt*`, each after a
    /// skip (the caller has parsed the element before).
    fn rule_tail(&mut self, r: &mut FilterRule) {
        self.skip();
        r.interfaces = self.opt_or_default(Self::interface);
        self.skip();
        r.af = self.af();
        self.skip();
        r.protos = self.opt_or_default(Self::proto);
        self.skip();
        r.hosts = self.opt_or_default(Self::fromto);
        self.skip();
        // filter_opt*, each option pushed in place (`set (...)` pushes
        // several).
        let mut opts = Vec::new();
        self.rep_into(&mut opts, Self::filter_opt);
        opts.shrink_to_fit();
        r.options = opts;
    }

    /// `anchor_rule = { kw_anchor ~ anchor_name? ~ dir? ~ quick? ~
    /// interface? ~ af? ~ proto? ~ fromto? ~ filter_opt* ~ anchor_open? }`
    fn anchor_rule(&mut self) -> Option<AnchorRule> {
        let start = self.pos;
        // anchor_name = { quoted | ident | macro_ref }, the same tokens as string.
        let name = self.word_arg(|p| p.opt(Self::string));
        self.skip();
        let mut r = FilterRule::new(Spanned::new(Action::Pass, Default::default()));
        r.direction = self.dir();
        self.skip();
        r.quick = self.kw("quick");
        self.rule_tail(&mut r);
        self.skip();
        self.eat(b'{');
        r.action = Spanned::new(Action::Pass, self.span(start, self.pos));
        Some(AnchorRule {
            name,
            filter: r,
            body: None,
        })
    }

    /// `action = { kw_pass | kw_match | kw_block ~ blockspec? }`
    fn action(&mut self) -> Option<Spanned<Action>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"pass" => p.word_flag(Action::Pass),
                b"match" => p.word_flag(Action::Match),
                b"block" => Action::Block {
                    policy: p.word_arg(|p| p.opt(Self::blockspec)).map(Box::new),
                },
                _ => return None,
            })
        })
    }

    fn blockspec(&mut self) -> Option<BlockSpec> {
        Some(match self.word() {
            b"drop" => self.word_flag(BlockSpec::Drop),
            // kw_return_rst ~ ("(" ~ kw_ttl ~ num ~ ")")?
            b"return-rst" => BlockSpec::ReturnRst {
                ttl: self.word_arg(|p| p.opt_parens(|p| p.kw_arg("ttl", Self::num))),
            },
            // kw_return_icmp6 ~ ("(" ~ reticmpspec ~ ")")?
            b"return-icmp6" => BlockSpec::ReturnIcmp6 {
                code: self.word_arg(|p| p.opt_parens(Self::numberstring)),
            },
            b"return-icmp" => {
                // kw_return_icmp ~ ("(" ~ reticmpspec ~ (","? ~ reticmpspec)? ~ ")")?
                let codes = self.word_arg(|p| p.opt_parens(|p| p.one_or_two(Self::numberstring)));
                let (code, code6) = match codes {
                    Some((a, b)) => (Some(a), b),
                    None => (None, None),
                };
                BlockSpec::ReturnIcmp { code, code6 }
            }
            b"return" => self.word_flag(BlockSpec::Return),
            _ => return None,
        })
    }

    /// `dir = { kw_in | kw_out }`
    fn dir(&mut self) -> Option<Direction> {
        self.one_of(&[("in", Direction::In), ("out", Direction::Out)])
    }

    /// `logquick = { log ~ quick? | quick ~ log? }`
    fn logquick(&mut self) -> Option<(Option<Box<LogOpts>>, bool)> {
        if self.word() == b"log" {
            let log = self.log();
            self.skip();
            let quick = self.kw("quick");
            Some((Some(Box::new(log)), quick))
        } else if self.kw("quick") {
            self.skip();
            let log = (self.word() == b"log").then(|| Box::new(self.log()));
            Some((log, true))
        } else {
            None
        }
    }

    /// `log = { kw_log ~ ("(" ~ logopt ~ (","? ~ logopt)* ~ ")")? }`;
    /// the caller has seen `log`.
    fn log(&mut self) -> LogOpts {
        self.word_arg(|p| {
            p.opt_parens(|p| {
                let mut l = LogOpts::default();
                // The options set fields of `l`; the list itself is not kept.
                p.comma_list(|p| p.logopt(&mut l))?;
                Some(l)
            })
        })
        .unwrap_or_default()
    }

    /// `logopt = { kw_all | kw_matches | kw_user | kw_to ~ string }`
    fn logopt(&mut self, l: &mut LogOpts) -> Option<()> {
        match self.word() {
            b"all" => l.all = self.word_flag(true),
            b"matches" => l.matches = self.word_flag(true),
            b"user" => l.user = self.word_flag(true),
            b"to" => l.to = Some(self.word_arg(Self::string)?),
            _ => return None,
        }
        Some(())
    }

    /// `interface = { kw_on ~ ("{" ... "}" | if_item_not) }`
    fn interface(&mut self) -> Option<Vec<Spanned<IfItem>>> {
        self.kw_arg("on", |p| p.list_or_one(Self::if_item_not))
    }

    /// `if_item_not = { not? ~ if_item }`
    fn if_item_not(&mut self) -> Option<Spanned<IfItem>> {
        self.spanned(|p| {
            let not = p.not();
            p.skip();
            let target = p.if_item()?;
            Some(IfItem { not, target })
        })
    }

    /// `if_item = { kw_any | kw_rdomain ~ num | string }`
    fn if_item(&mut self) -> Option<IfTarget> {
        match self.word() {
            b"any" => Some(self.word_flag(IfTarget::Any)),
            // The `string` alternative cannot match the keyword either.
            b"rdomain" => self.word_arg(Self::num).map(IfTarget::Rdomain),
            _ => self.string().map(IfTarget::Name),
        }
    }

    /// `af = { kw_inet6 | kw_inet }`
    fn af(&mut self) -> Option<Spanned<AddressFamily>> {
        self.spanned(|p| {
            p.one_of(&[
                ("inet6", AddressFamily::Inet6),
                ("inet", AddressFamily::Inet),
            ])
        })
    }

    /// `proto = { kw_proto ~ ("{" ... "}" | proto_item) }`
    fn proto(&mut self) -> Option<Vec<SValue>> {
        self.kw_arg("proto", |p| p.list_or_one(Self::numberstring))
    }

    /// `fromto = { kw_all | from ~ os? ~ to? | os ~ to? | to }`
    fn fromto(&mut self) -> Option<Hosts> {
        let w = self.word();
        let mut h = Hosts::default();
        match w {
            b"all" => {
                h.all = true;
                return Some(self.word_flag(h));
            }
            b"from" => {
                h.from = Some(Box::new(self.endpoint("from")?));
                self.skip();
                h.os = self.opt_or_default(Self::os);
                self.skip();
            }
            b"os" => {
                h.os = self.os()?;
                self.skip();
            }
            b"to" => {}
            _ => return None,
        }
        h.to = self.opt(|p| p.endpoint("to")).map(Box::new);
        // `to` is optional after `from` or `os` only.
        (w != b"to" || h.to.is_some()).then_some(h)
    }

    /// `os = { kw_os ~ ("{" ~ optnl ~ string ~ optnl ~ (","? ~ string ~
    /// optnl)* ~ "}" | string) }`
    fn os(&mut self) -> Option<Vec<SValue>> {
        self.kw_arg("os", |p| p.list_or_one(Self::string))
    }

    /// `from = { kw_from ~ ipportspec }` (or `to`), with
    /// `ipportspec = { ipspec ~ (kw_port ~ portspec)? | kw_port ~ portspec }`.
    fn endpoint(&mut self, kw: &str) -> Option<Endpoint> {
        let start = self.pos;
        self.expect_kw(kw)?;
        self.skip();
        let mut e = Endpoint {
            hosts: Vec::new(),
            any: false,
            ports: Vec::new(),
            ports_span: None,
            span: Default::default(),
        };
        let ports = if let Some((hosts, hs, he)) = self.opt(Self::ipspec) {
            e.span = self.span(hs, he);
            match hosts {
                None => e.any = true,
                Some(h) => e.hosts = h,
            }
            self.skip();
            self.opt(Self::ports)
        } else {
            let ports = self.ports()?;
            // No ipspec: the endpoint's span is the `from`/`to` pair's.
            e.span = self.span(start, self.pos);
            Some(ports)
        };
        if let Some((ports, span)) = ports {
            e.ports = ports;
            e.ports_span = Some(span);
        }
        Some(e)
    }

    /// `kw_port ~ portspec`; the span runs from `port` to the last port.
    fn ports(&mut self) -> Option<(Vec<Spanned<PortItem>>, crate::span::Span)> {
        let (ks, ke) = self.kw_at("port")?;
        self.skip();
        let ps = self.pos;
        let items = self.port_items()?;
        let span = self.span(ks, ke).to(self.span(ps, self.pos));
        Some((items, span))
    }

    /// `"{" ... "}" | port_item` (also for users and groups).
    fn port_items(&mut self) -> Option<Vec<Spanned<PortItem>>> {
        self.list_or_one(Self::port_item)
    }

    /// `port_item` and `uid_item`: `numberstring ~ port_binary ~
    /// numberstring | unaryop ~ numberstring | numberstring`.
    fn port_item(&mut self) -> Option<Spanned<PortItem>> {
        self.spanned(|p| {
            let Some(low) = p.numberstring() else {
                // unaryop = { "!=" | "<=" | ">=" | "=" | "<" | ">" }
                let op = p
                    .operator(&["!=", "<=", ">=", "=", "<", ">"])?
                    .parse()
                    .ok()?;
                p.skip();
                let value = p.numberstring()?;
                return Some(PortItem::Unary { op, value });
            };
            let binary = p.opt(|p| {
                p.skip();
                let op = p.operator(&["<>", "><"])?.parse().ok()?;
                p.skip();
                Some((op, p.numberstring()?))
            });
            Some(match binary {
                Some((op, high)) => PortItem::Binary { low, op, high },
                // A unary operator cannot start where a value did.
                None => PortItem::Eq { value: low },
            })
        })
    }

    // ------------------------------------------------------------ hosts

    /// `ipspec = { kw_any | "{" ~ optnl ~ host_list ~ "}" | xhost }`:
    /// `None` hosts for `any`, with the ipspec's offsets.
    #[allow(clippy::type_complexity)]
    fn ipspec(&mut self) -> Option<(Option<Vec<Spanned<Host>>>, usize, usize)> {
        let start = self.pos;
        if self.kw("any") {
            return Some((None, start, self.pos));
        }
        if self.peek() == b'{' {
            // xhost cannot start with `{`.
            let hosts = self.nested(|p| p.brace_list(Self::list_host))?;
            return Some((Some(hosts), start, self.pos));
        }
        let h = self.xhost()?;
        Some((Some(vec![h]), start, self.pos))
    }

    /// One `ipspec` of a `host_list`, as the Builder's `host_list` makes it.
    fn list_host(&mut self) -> Option<Spanned<Host>> {
        let (hosts, s, e) = self.ipspec()?;
        Some(host_list_entry(hosts, self.span(s, e)))
    }

    /// `xhost = { not? ~ (kw_no_route | kw_urpf_failed | host) }`
    fn xhost(&mut self) -> Option<Spanned<Host>> {
        self.spanned(|p| {
            let not = p.not();
            p.skip();
            let kind = match p.word() {
                b"no-route" => p.word_flag(HostKind::NoRoute),
                b"urpf-failed" => p.word_flag(HostKind::UrpfFailed),
                _ => p.host()?,
            };
            Some(Host { not, kind })
        })
    }

    /// `host = { kw_route ~ string | table_ref | dynaddr ~ ("/" ~ num)? |
    /// string ~ "-" ~ string | string ~ "/" ~ num | number ~ "/" ~ num |
    /// string }`
    fn host(&mut self) -> Option<HostKind> {
        if self.word() == b"route" {
            // No other alternative matches at a keyword.
            let label = self.word_arg(Self::string)?;
            return Some(HostKind::Route { label });
        }
        match self.peek() {
            b'<' => Some(HostKind::Table {
                name: self.angle_name()?,
            }),
            b'(' => {
                let ifname = self.parens(Self::string)?;
                self.skip();
                let mask = self.opt(|p| p.prefixed(b'/', Self::num));
                Some(HostKind::Dynamic { ifname, mask })
            }
            _ => self.address(),
        }
    }

    /// The alternatives of `host` that start with a value: `string ~ "-" ~
    /// string | string ~ "/" ~ num | number ~ "/" ~ num | string`.
    fn address(&mut self) -> Option<HostKind> {
        let Some(addr) = self.string() else {
            let (addr, mask) = self.pair(Self::number, |p| p.prefixed(b'/', Self::num))?;
            return Some(HostKind::Address {
                addr,
                mask: Some(mask),
            });
        };
        let range = self.opt(|p| {
            p.skip();
            p.prefixed(b'-', Self::string)
        });
        if let Some(to) = range {
            return Some(HostKind::Range { from: addr, to });
        }
        // `number ~ "/" ~ num` cannot match where a string did.
        let mask = self.opt(|p| {
            p.skip();
            p.prefixed(b'/', Self::num)
        });
        Some(HostKind::Address { addr, mask })
    }

    // ------------------------------------------------------------ options

    /// One `filter_opt` (several for `set (...)`).
    fn filter_opt(&mut self, out: &mut Vec<Spanned<FilterOpt>>) -> Option<()> {
        let start = self.pos;
        let w = self.word();
        if w == b"set" {
            for o in self.filter_sets()? {
                push(out, o);
            }
            return Some(());
        }
        let o = match keywords::rule_option(w) {
            Some(spec) => self.filter_option(spec.kind, false, false)?,
            None if self.peek() == b'!' => {
                if !self.not() {
                    return None;
                }
                self.skip();
                let spec = keywords::rule_option(self.word()).filter(|s| s.negatable)?;
                self.filter_option(spec.kind, true, false)?
            }
            None => return None,
        };
        push(out, Spanned::new(o, self.span(start, self.pos)));
        Some(())
    }

    /// The option `kind`, whose first word is at the position: after a
    /// `!` when `not`, a `set` item when `set`.
    #[inline]
    fn filter_option(&mut self, kind: OptKind, not: bool, set: bool) -> Option<FilterOpt> {
        let w = self.word();
        Some(match kind {
            OptKind::User => self.arg(Self::port_items, |items| FilterOpt::User { items })?,
            OptKind::Group => self.arg(Self::port_items, |items| FilterOpt::Group { items })?,
            OptKind::Flags => self.word_arg(Self::flags)?,
            OptKind::IcmpType => FilterOpt::IcmpType {
                v6: w == b"icmp6-type",
                items: self.word_arg(|p| p.list_or_one(Self::icmp_item))?,
            },
            OptKind::Prio => self.arg(Self::num, |value| FilterOpt::Prio { value })?,
            OptKind::Tos => self.arg(Self::numberstring, |value| FilterOpt::Tos { value })?,
            OptKind::State if w == b"no" => {
                self.word_arg(|p| p.expect_kw("state"))?;
                FilterOpt::State {
                    kind: StateKind::No,
                    opts: Vec::new(),
                }
            }
            OptKind::State => {
                // kw ~ kw_state ~ ("(" ~ state_opt_list ~ ")")?
                let kind = match w {
                    b"keep" => StateKind::Keep,
                    b"modulate" => StateKind::Modulate,
                    _ => StateKind::Synproxy,
                };
                self.word_arg(|p| p.expect_kw("state"))?;
                self.skip();
                let opts = self.opt_parens(Self::state_opt_list).unwrap_or_default();
                FilterOpt::State { kind, opts }
            }
            OptKind::Fragment => self.word_flag(FilterOpt::Fragment),
            OptKind::AllowOpts => self.word_flag(FilterOpt::AllowOpts),
            OptKind::Label => self.arg(Self::string, |value| FilterOpt::Label { value })?,
            OptKind::Queue => {
                // kw_queue ~ qname, a rule's option or one of `set`'s.
                let (name, prio_name) = self.word_arg(Self::qname)?;
                FilterOpt::Queue {
                    name,
                    prio_name,
                    set,
                }
            }
            OptKind::Tag => self.arg(Self::string_seq, |value| FilterOpt::Tag { value })?,
            OptKind::Tagged => FilterOpt::Tagged {
                not,
                value: self.word_arg(Self::string_seq)?,
            },
            OptKind::Probability => {
                self.arg(Self::numberstring, |value| FilterOpt::Probability { value })?
            }
            OptKind::Rtable => self.arg(Self::num, |value| FilterOpt::Rtable { value })?,
            OptKind::DivertTo => {
                // kw_divert_to ~ string ~ kw_port ~ numberstring
                let (host, port) = self
                    .word_arg(|p| p.pair(Self::string, |p| p.kw_arg("port", Self::numberstring)))?;
                FilterOpt::DivertTo { host, port }
            }
            OptKind::DivertReply => self.word_flag(FilterOpt::DivertReply),
            OptKind::DivertPacket => self.arg(
                |p| p.kw_arg("port", Self::numberstring),
                |port| FilterOpt::DivertPacket { port },
            )?,
            // kw_scrub ~ "(" ~ scrub_item ~ (","? ~ scrub_item)* ~ ")"
            OptKind::Scrub => self.arg(
                |p| p.paren_list(Self::scrub_item),
                |opts| FilterOpt::Scrub { opts },
            )?,
            // kw ~ redirpool ~ pool_opts?
            OptKind::NatTo => FilterOpt::NatTo(self.word_arg(|p| p.redirect(true))?),
            OptKind::BinatTo => FilterOpt::BinatTo(self.word_arg(|p| p.redirect(true))?),
            OptKind::RdrTo => FilterOpt::RdrTo(self.word_arg(|p| p.redirect(true))?),
            OptKind::AfTo => self.word_arg(Self::af_to)?,
            OptKind::Route => {
                // kw ~ redirspec ~ pool_opts?
                let kind = match w {
                    b"route-to" => RouteKind::RouteTo,
                    b"reply-to" => RouteKind::ReplyTo,
                    _ => RouteKind::DupTo,
                };
                let target = self.word_arg(|p| p.redirect(false))?;
                FilterOpt::Route { kind, target }
            }
            OptKind::ReceivedOn => FilterOpt::ReceivedOn {
                not,
                interface: self.word_arg(Self::if_item)?,
            },
            OptKind::Once => self.word_flag(FilterOpt::Once),
            OptKind::MaxPktRate => {
                let (limit, seconds) = self.word_arg(Self::rate)?;
                FilterOpt::MaxPktRate { limit, seconds }
            }
            OptKind::SetPrio => {
                let (prio, prio2) = self.word_arg(Self::set_prio)?;
                FilterOpt::SetPrio { prio, prio2 }
            }
            OptKind::SetTos => self.arg(Self::numberstring, |value| FilterOpt::SetTos { value })?,
            OptKind::SetDelay => self.arg(Self::num, |value| FilterOpt::SetDelay { value })?,
            OptKind::Limiter => {
                // limiter_use = { (kw_state | kw_source) ~ kw_limiter ~ string ~
                //   ("(" ~ limiter_opt ~ (","? ~ limiter_opt)* ~ ")")? }
                let (kind, name) = self.limiter_head()?;
                self.skip();
                let actions = self
                    .opt_parens(|p| p.comma_list(Self::limiter_action))
                    .unwrap_or_default();
                FilterOpt::Limiter {
                    kind,
                    name,
                    actions,
                }
            }
        })
    }

    /// `kw_any | string? ~ "/" ~ string`, after `kw_flags`.
    fn flags(&mut self) -> Option<FilterOpt> {
        if self.kw("any") {
            return Some(FilterOpt::Flags {
                set: None,
                mask: None,
            });
        }
        let set = self.opt(Self::string);
        self.skip();
        let mask = Some(self.prefixed(b'/', Self::string)?);
        Some(FilterOpt::Flags { set, mask })
    }

    /// `af ~ kw_from ~ redirpool ~ pool_opts? ~ (kw_to ~ redirpool ~
    /// pool_opts?)?`, after `kw_af_to`.
    fn af_to(&mut self) -> Option<FilterOpt> {
        let af = self.af()?.node;
        self.skip();
        let from = self.kw_arg("from", |p| p.redirect(true))?;
        self.skip();
        let to = self.opt(|p| p.kw_arg("to", |p| p.redirect(true)));
        Some(FilterOpt::AfTo { af, from, to })
    }

    /// `(kw_state | kw_source) ~ kw_limiter ~ string`, the start of
    /// `limiter_def` and `limiter_use`.
    fn limiter_head(&mut self) -> Option<(LimiterKind, SValue)> {
        let kind = match self.word() {
            b"state" => LimiterKind::State,
            b"source" => LimiterKind::Source,
            _ => return None,
        };
        let name = self.word_arg(|p| p.kw_arg("limiter", Self::string))?;
        Some((kind, name))
    }

    /// `limiter_opt = { kw_block | kw_no_match }`
    fn limiter_action(&mut self) -> Option<LimiterAction> {
        self.one_of(&[
            ("block", LimiterAction::Block),
            ("no-match", LimiterAction::NoMatch),
        ])
    }

    /// `redirpool ~ pool_opts?` with `redirpool = { redirspec ~ (kw_port ~
    /// numberstring)? }`, or without the port part (`redirspec ~
    /// pool_opts?` of route-to, reply-to and dup-to).
    fn redirect(&mut self, with_port: bool) -> Option<Redirect> {
        let hosts = self.redirspec()?;
        self.skip();
        let mut port = None;
        if with_port {
            port = self.opt(|p| p.kw_arg("port", Self::numberstring));
            self.skip();
        }
        let pool = self.opt_or_default(Self::pool_opts);
        Some(Redirect { hosts, port, pool })
    }

    /// `filter_sets = { kw_set ~ ("(" ~ filter_set ~ (","? ~ filter_set)*
    /// ~ ")" | filter_set) }`: one option per item.
    fn filter_sets(&mut self) -> Option<Vec<Spanned<FilterOpt>>> {
        self.skip_word();
        if self.peek() == b'(' {
            // filter_set cannot start with `(`.
            self.paren_list(Self::filter_set)
        } else {
            Some(vec![self.filter_set()?])
        }
    }

    /// `filter_set = { set_prio | kw_queue ~ qname | kw_tos ~ numberstring
    /// | kw_delay ~ num }`
    fn filter_set(&mut self) -> Option<Spanned<FilterOpt>> {
        self.spanned(|p| {
            let spec = keywords::set_option(p.word())?;
            p.filter_option(spec.kind, false, true)
        })
    }

    /// `"(" ~ num ~ ","? ~ num ~ ")" | num`, after `kw_prio` in `set_prio`.
    fn set_prio(&mut self) -> Option<(SValue, Option<SValue>)> {
        if self.peek() == b'(' {
            // num cannot start with `(`.
            let (a, b) = self.parens(|p| p.pair(Self::num, |p| p.comma_then(Self::num)))?;
            Some((a, Some(b)))
        } else {
            Some((self.num()?, None))
        }
    }

    /// `qname = { "(" ~ string ~ (","? ~ string)? ~ ")" | string }`
    fn qname(&mut self) -> Option<(SValue, Option<SValue>)> {
        if self.peek() == b'(' {
            // string cannot start with `(`.
            self.parens(|p| p.one_or_two(Self::string))
        } else {
            Some((self.string()?, None))
        }
    }

    /// `icmp_item = { numberstring ~ (kw_code ~ numberstring)? }`
    fn icmp_item(&mut self) -> Option<Spanned<IcmpItem>> {
        self.spanned(|p| {
            let icmp_type = p.numberstring()?;
            p.skip();
            let code = p.opt(|p| p.kw_arg("code", Self::numberstring));
            Some(IcmpItem { icmp_type, code })
        })
    }

    /// `state_opt_list = { state_opt ~ (","? ~ state_opt)* }`
    fn state_opt_list(&mut self) -> Option<Vec<Spanned<StateOpt>>> {
        self.comma_list(Self::state_opt)
    }

    fn state_opt(&mut self) -> Option<Spanned<StateOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"max" => p.arg(Self::num, |value| StateOpt::Max { value })?,
                b"max-src-states" => p.arg(Self::num, |value| StateOpt::MaxSrcStates { value })?,
                b"max-src-conn" => p.arg(Self::num, |value| StateOpt::MaxSrcConn { value })?,
                b"max-src-nodes" => p.arg(Self::num, |value| StateOpt::MaxSrcNodes { value })?,
                b"no-sync" => p.word_flag(StateOpt::NoSync),
                b"max-src-conn-rate" => {
                    let (limit, seconds) = p.word_arg(Self::rate)?;
                    StateOpt::MaxSrcConnRate { limit, seconds }
                }
                b"overload" => {
                    // kw_overload ~ "<" ~ string ~ ">" ~ (kw_flush ~ kw_global?)?
                    let table = p.word_arg(Self::angle_name)?;
                    p.skip();
                    let flush = p.kw("flush");
                    let global = flush && {
                        p.skip();
                        p.kw("global")
                    };
                    StateOpt::Overload {
                        table,
                        flush,
                        global,
                    }
                }
                b"source-track" => StateOpt::SourceTrack {
                    scope: p.word_arg(|p| {
                        p.one_of(&[
                            ("global", SourceTrackScope::Global),
                            ("rule", SourceTrackScope::Rule),
                        ])
                    }),
                },
                b"if-bound" => p.word_flag(StateOpt::IfBound),
                b"floating" => p.word_flag(StateOpt::Floating),
                b"sloppy" => p.word_flag(StateOpt::Sloppy),
                b"pflow" => p.word_flag(StateOpt::Pflow),
                _ => {
                    // string ~ num (a keyword is never a string)
                    let (name, value) = p.pair(Self::string, Self::num)?;
                    StateOpt::Timeout { name, value }
                }
            })
        })
    }

    /// `scrub_item = { kw_no_df | kw_min_ttl ~ num | kw_max_mss ~ num |
    /// kw_reassemble ~ string | kw_random_id }`
    fn scrub_item(&mut self) -> Option<Spanned<ScrubOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"no-df" => p.word_flag(ScrubOpt::NoDf),
                b"min-ttl" => p.arg(Self::num, |value| ScrubOpt::MinTtl { value })?,
                b"max-mss" => p.arg(Self::num, |value| ScrubOpt::MaxMss { value })?,
                b"reassemble" => p.arg(Self::string, |value| ScrubOpt::Reassemble { value })?,
                b"random-id" => p.word_flag(ScrubOpt::RandomId),
                _ => return None,
            })
        })
    }

    /// `redirspec = { "{" ... "}" | redir_host }`
    fn redirspec(&mut self) -> Option<Vec<RedirHost>> {
        self.list_or_one(Self::redir_host)
    }

    /// `redir_host = { host ~ (kw_weight ~ num)? }`
    fn redir_host(&mut self) -> Option<RedirHost> {
        let host = self.spanned(|p| {
            let kind = p.host()?;
            Some(Host { not: false, kind })
        })?;
        self.skip();
        let weight = self.opt(Self::weight);
        Some(RedirHost { host, weight })
    }

    /// `kw_weight ~ num`
    fn weight(&mut self) -> Option<SValue> {
        self.kw_arg("weight", Self::num)
    }

    /// `pool_opts = { pool_opt+ }`.
    fn pool_opts(&mut self) -> Option<PoolOpts> {
        let opts = self.rep1(Self::pool_opt)?;
        Some(PoolOpts { opts })
    }

    fn pool_opt(&mut self) -> Option<Spanned<PoolOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"bitmask" => p.word_flag(PoolOpt::Bitmask),
                b"random" => p.word_flag(PoolOpt::Random),
                b"round-robin" => p.word_flag(PoolOpt::RoundRobin),
                b"least-states" => p.word_flag(PoolOpt::LeastStates),
                b"static-port" => p.word_flag(PoolOpt::StaticPort),
                b"sticky-address" => p.word_flag(PoolOpt::StickyAddress),
                // kw_source_hash ~ string_seq?
                b"source-hash" => PoolOpt::SourceHash {
                    key: p.word_arg(|p| p.opt_or_default(Self::string_seq)),
                },
                _ => return None,
            })
        })
    }

    // ------------------------------------------------------------ others

    /// `antispoof = { kw_antispoof ~ logquick? ~ kw_for ~ antispoof_ifspc ~
    /// af? ~ antispoof_opt* }`
    fn antispoof(&mut self) -> Option<Antispoof> {
        let mut a = empty_antispoof();
        if let Some((log, quick)) = self.word_arg(|p| p.opt(Self::logquick)) {
            a.log = log.map(|l| *l);
            a.quick = quick;
        }
        self.skip();
        a.interfaces = self.kw_arg("for", |p| p.list_or_one(Self::antispoof_if))?;
        self.skip();
        a.af = self.af().map(|s| s.node);
        self.skip();
        // antispoof_opt = { kw_label ~ string | kw_rtable ~ num }; the
        // last of each kind wins, as in the Builder.
        let opts = self.rep(None, |p| match p.word() {
            b"label" => Some((true, p.word_arg(Self::string)?)),
            b"rtable" => Some((false, p.word_arg(Self::num)?)),
            _ => None,
        });
        for (label, v) in opts {
            if label {
                a.label = Some(v);
            } else {
                a.rtable = Some(v);
            }
        }
        Some(a)
    }

    /// `antispoof_if = { "(" ~ if_item ~ ")" | if_item }`
    fn antispoof_if(&mut self) -> Option<Spanned<AntispoofIf>> {
        self.spanned(|p| {
            // if_item cannot start with `(`.
            let dynamic = p.peek() == b'(';
            let target = if dynamic {
                p.parens(Self::if_item)?
            } else {
                p.if_item()?
            };
            Some(AntispoofIf { dynamic, target })
        })
    }

    /// `queue_def = { kw_queue ~ string ~ interface? ~ queue_opt_item+ }`
    fn queue_def(&mut self) -> Option<QueueDef> {
        let name = self.word_arg(Self::string)?;
        self.skip();
        let interfaces = self.opt_or_default(Self::interface);
        self.skip();
        let opts = self.rep1(Self::queue_opt_item)?;
        Some(QueueDef {
            name,
            interfaces,
            opts,
        })
    }

    /// `queue_opt_item = { kw_bandwidth ~ scspec ~ optscs? | kw_parent ~
    /// string | kw_default | kw_qlimit ~ num | kw_flows ~ num | kw_quantum ~ num }`
    fn queue_opt_item(&mut self) -> Option<Spanned<QueueOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"bandwidth" => {
                    let share = p.word_arg(Self::scspec)?;
                    p.skip();
                    let (min, max) = p.opt_or_default(Self::optscs);
                    QueueOpt::Bandwidth { share, min, max }
                }
                b"parent" => p.arg(Self::string, |value| QueueOpt::Parent { value })?,
                b"default" => p.word_flag(QueueOpt::Default),
                b"qlimit" => p.arg(Self::num, |value| QueueOpt::Qlimit { value })?,
                b"flows" => p.arg(Self::num, |value| QueueOpt::Flows { value })?,
                b"quantum" => p.arg(Self::num, |value| QueueOpt::Quantum { value })?,
                _ => return None,
            })
        })
    }

    /// `optscs = { ","? ~ (kw_min ~ scspec ~ (","? ~ kw_max ~ scspec)? |
    /// kw_max ~ scspec ~ (","? ~ kw_min ~ scspec)?) }`
    #[allow(clippy::type_complexity)]
    fn optscs(&mut self) -> Option<(Option<ServiceCurve>, Option<ServiceCurve>)> {
        self.eat(b',');
        self.skip();
        let (first_min, second) = match self.word() {
            b"min" => (true, "max"),
            b"max" => (false, "min"),
            _ => return None,
        };
        let a = self.word_arg(Self::scspec)?;
        self.skip();
        let b = self.opt(|p| p.comma_then(|p| p.kw_arg(second, Self::scspec)));
        Some(if first_min {
            (Some(a), b)
        } else {
            (b, Some(a))
        })
    }

    /// `scspec = { numberstring ~ (kw_burst ~ numberstring ~ kw_for ~ numberstring)? }`
    fn scspec(&mut self) -> Option<ServiceCurve> {
        let bandwidth = self.numberstring()?;
        self.skip();
        let burst = self.opt(|p| {
            p.kw_arg("burst", |p| {
                p.pair(Self::numberstring, |p| p.kw_arg("for", Self::numberstring))
            })
        });
        Some(ServiceCurve { bandwidth, burst })
    }

    /// `limiter_def = { (kw_state | kw_source) ~ kw_limiter ~ string ~
    /// limiter_def_opt* }`
    fn limiter_def(&mut self) -> Option<LimiterDef> {
        let (kind, name) = self.limiter_head()?;
        self.skip();
        let opts = self.rep(None, Self::limiter_def_opt);
        Some(LimiterDef { kind, name, opts })
    }

    /// `limiter_def_opt = { kw_id ~ num | kw_limit ~ num | kw_rate ~ num ~
    /// "/" ~ num | kw_entries ~ num | af ~ kw_mask ~ num | kw_table ~ "<" ~
    /// string ~ ">" ~ kw_above ~ num ~ (kw_below ~ num)? }`
    fn limiter_def_opt(&mut self) -> Option<Spanned<LimiterOpt>> {
        self.spanned(|p| {
            Some(match p.word() {
                b"id" => p.arg(Self::num, |value| LimiterOpt::Id { value })?,
                b"limit" => p.arg(Self::num, |value| LimiterOpt::Limit { value })?,
                b"rate" => {
                    let (limit, seconds) = p.word_arg(Self::rate)?;
                    LimiterOpt::Rate { limit, seconds }
                }
                b"entries" => p.arg(Self::num, |value| LimiterOpt::Entries { value })?,
                b"inet" | b"inet6" => {
                    let af = p.af()?.node;
                    p.skip();
                    let value = p.kw_arg("mask", Self::num)?;
                    LimiterOpt::Mask { af, value }
                }
                b"table" => {
                    let name = p.word_arg(Self::angle_name)?;
                    p.skip();
                    let above = p.kw_arg("above", Self::num)?;
                    p.skip();
                    let below = p.opt(|p| p.kw_arg("below", Self::num));
                    LimiterOpt::Table { name, above, below }
                }
                _ => return None,
            })
        })
    }

    // ------------------------------------------------------------ tables

    /// `table_def = { kw_table ~ "<" ~ string ~ ">" ~ table_opt* }`
    fn table_def(&mut self) -> Option<TableDef> {
        let name = self.word_arg(Self::angle_name)?;
        self.skip();
        let opts = self.rep(None, Self::table_opt);
        Some(TableDef { name, opts })
    }

    /// `table_opt = { kw_file ~ string | kw_timeout ~ "(" ~ num ~ ")" |
    /// "{" ~ optnl ~ table_host_list? ~ "}" | string }`
    fn table_opt(&mut self) -> Option<Spanned<TableOpt>> {
        self.spanned(|p| {
            // A keyword alternative that fails leaves nothing else: `string`
            // cannot match a keyword.
            Some(match p.word() {
                b"file" => TableOpt::File(p.word_arg(Self::string)?),
                b"timeout" => TableOpt::Timeout(p.word_arg(|p| p.parens(Self::num))?),
                _ if p.peek() == b'{' => TableOpt::Addresses(
                    p.braces(|p| Some(p.opt_or_default(|p| p.nested(Self::table_host_list))))?,
                ),
                _ => TableOpt::Flag(p.string()?),
            })
        })
    }

    /// `table_host_list = { tablespec ~ optnl ~ (","? ~ tablespec ~ optnl)* }`,
    /// nested lists flattened as the Builder does.
    fn table_host_list(&mut self) -> Option<Vec<TableEntry>> {
        let mut out = Vec::new();
        self.table_host_list_into(&mut out)?;
        out.shrink_to_fit();
        Some(out)
    }

    fn table_host_list_into(&mut self, out: &mut Vec<TableEntry>) -> Option<()> {
        self.tablespec(out)?;
        self.skip_nl();
        self.rep_into(out, |p, out| {
            p.comma_then(|p| p.tablespec(out))?;
            p.skip();
            p.optnl();
            Some(())
        });
        Some(())
    }

    /// `tablespec = { "{" ~ optnl ~ table_host_list ~ "}" | xhost ~ (kw_weight ~ num)? }`
    /// Pushes the entries (a nested list flattened); on `None` the caller
    /// truncates `out`.
    fn tablespec(&mut self, out: &mut Vec<TableEntry>) -> Option<()> {
        if self.peek() == b'{' {
            // xhost cannot start with `{`.
            return self.braces(|p| p.nested(|p| p.table_host_list_into(out)));
        }
        let host = self.xhost()?;
        self.skip();
        let weight = self.opt(Self::weight);
        push(out, TableEntry { host, weight });
        Some(())
    }
}

#[cfg(test)]
mod tests;
