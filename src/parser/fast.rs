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
//!   rolled back when that iteration fails. Each parsing function below
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

use super::{unquote, PosMap};
use crate::ast::*;

/// Deepest nesting of `{ }` host lists (and table lists) handled here;
/// deeper lists go to pest.
const MAX_DEPTH: usize = 8;

/// The `keyword` rule of the grammar: reserved words grouped by first
/// letter, each group in the grammar's order.
pub(super) const KEYWORD_GROUPS: &[&[&str]] = &[
    &["allow-opts", "antispoof", "anchor", "af-to", "all", "any"],
    &[
        "block-policy",
        "bandwidth",
        "binat-to",
        "bitmask",
        "block",
        "burst",
    ],
    &["code"],
    &[
        "divert-packet",
        "divert-reply",
        "divert-to",
        "default",
        "dup-to",
        "debug",
        "delay",
        "drop",
    ],
    &[
        "fingerprints",
        "floating",
        "fragment",
        "flags",
        "flows",
        "flush",
        "file",
        "from",
        "for",
    ],
    &["global", "group"],
    &["hostid"],
    &[
        "icmp6-type",
        "icmp-type",
        "if-bound",
        "include",
        "inet6",
        "inet",
        "in",
    ],
    &["keep"],
    &[
        "least-states",
        "loginterface",
        "label",
        "limit",
        "load",
        "log",
    ],
    &[
        "max-src-conn-rate",
        "max-src-states",
        "max-src-nodes",
        "max-pkt-rate",
        "max-src-conn",
        "modulate",
        "matches",
        "max-mss",
        "min-ttl",
        "match",
        "max",
        "min",
    ],
    &["no-route", "no-sync", "nat-to", "no-df", "no"],
    &["optimization", "overload", "once", "out", "on", "os"],
    &[
        "probability",
        "parent",
        "pflow",
        "proto",
        "pass",
        "port",
        "prio",
    ],
    &["quantum", "qlimit", "queue", "quick"],
    &[
        "ruleset-optimization",
        "return-icmp6",
        "received-on",
        "return-icmp",
        "round-robin",
        "reassemble",
        "return-rst",
        "random-id",
        "reply-to",
        "route-to",
        "rdomain",
        "random",
        "rdr-to",
        "return",
        "rtable",
        "route",
        "rule",
    ],
    &[
        "state-defaults",
        "sticky-address",
        "source-track",
        "state-policy",
        "source-hash",
        "static-port",
        "syncookies",
        "synproxy",
        "sloppy",
        "scrub",
        "state",
        "skip",
        "set",
    ],
    &["timeout", "tagged", "table", "tag", "tos", "ttl", "to"],
    &["urpf-failed", "user"],
    &["weight"],
];

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
    KEYWORD_GROUPS.get(i).copied().unwrap_or(&[])
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

    fn eat2(&mut self, a: u8, b: u8) -> bool {
        if self.pos + 1 < self.s.len() && self.peek() == a && self.at(self.pos + 1) == b {
            self.pos += 2;
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

    /// pest's repetition `E*`: iterations after the first are preceded by
    /// a skip, and a failing iteration (skip included) is rolled back.
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
        let mut first = true;
        loop {
            let save = self.pos;
            if !first {
                self.skip();
            }
            match e(self) {
                Some(x) => keep(x, &mut n),
                None => {
                    self.pos = save;
                    break;
                }
            }
            first = false;
        }
        let mut out = Vec::with_capacity(n);
        out.extend(inline.into_iter().flatten());
        out.append(&mut spill);
        out
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
                    // COMMENT: '#' ~ ("\\" ~ NEWLINE | !NEWLINE ~ ANY)*
                    self.pos += 1;
                    while self.pos < self.s.len() {
                        if self.peek() == b'\\' {
                            let n = self.newline_at(self.pos + 1);
                            if n > 0 {
                                self.pos += 1 + n;
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
    /// (`"k" ~ !word_char`) exactly when this run equals `k`.
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
                // "\\" ~ ANY; at the end the backslash is a plain char and
                // the closing quote is missing either way.
                b'\\' => i += 2,
                c if c == q => break,
                _ => i += 1,
            }
        }
        let inner = self.text.get(start + 1..i)?;
        let end = i + 1;
        self.pos = end;
        Some(Spanned::new(
            Value::Quoted(unquote(inner)),
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

    /// `string_seq = { string+ }`, i.e. `string ~ string*`: the skip after
    /// the first string is kept even when no second string follows.
    fn string_seq(&mut self) -> Option<Vec<SValue>> {
        let head = self.string()?;
        self.skip();
        let v = self.rep(Some(head), |p| p.string());
        Some(v)
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

    /// `"{" ~ optnl ~ ITEM ~ optnl ~ (","? ~ ITEM ~ optnl)* ~ "}"`.
    fn brace_list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let save = self.pos;
        let r = self.brace_list_inner(&mut item);
        if r.is_none() {
            self.pos = save;
        }
        r
    }

    fn brace_list_inner<T>(
        &mut self,
        item: &mut impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        if !self.eat(b'{') {
            return None;
        }
        self.skip_nl();
        let head = item(self)?;
        self.skip_nl();
        let out = self.rep(Some(head), |p| {
            p.eat(b',');
            p.skip();
            let x = item(p)?;
            p.skip();
            p.optnl();
            Some(x)
        });
        self.skip();
        self.eat(b'}').then_some(out)
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
            b"include" => {
                self.kw("include");
                self.skip();
                StatementKind::Include(Include {
                    path: self.string()?,
                })
            }
            b"antispoof" => StatementKind::Antispoof(Box::new(self.antispoof()?)),
            b"queue" => StatementKind::Queue(Box::new(self.queue_def()?)),
            b"load" => {
                // load_anchor = { kw_load ~ kw_anchor ~ string ~ kw_from ~ string_seq }
                self.kw("load");
                self.skip();
                if !self.kw("anchor") {
                    return None;
                }
                self.skip();
                let name = self.string()?;
                self.skip();
                if !self.kw("from") {
                    return None;
                }
                self.skip();
                StatementKind::LoadAnchor(LoadAnchor {
                    name,
                    file: self.string_seq()?,
                })
            }
            b"state" => StatementKind::Limiter(Box::new(self.limiter_def()?)),
            // limiter_def comes before varset, and `source` is no keyword.
            b"source" => match self.opt(|p| p.limiter_def()) {
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
        let name = self.string()?;
        self.skip();
        if !self.eat(b'=') {
            return None;
        }
        self.skip();
        let value = self.rep(None, |p| p.numberstring());
        Some(MacroDef {
            name: Spanned::new(name.node.text().to_string(), name.span),
            value,
        })
    }

    /// `option = { kw_set ~ (...) }`: the options with a plain shape.
    fn option(&mut self) -> Option<SetOption> {
        self.kw("set");
        self.skip();
        let start = self.pos;
        let w = self.word();
        let keyword = |p: &mut Self, k: &str| {
            let s = p.pos;
            p.kw(k)
                .then(|| Spanned::new(Value::Word(k.to_string()), p.span(s, p.pos)))
        };
        Some(match w {
            b"skip" => {
                // set_skip = { kw_skip ~ interface? }
                self.kw("skip");
                self.skip();
                SetOption::Skip {
                    interfaces: self.opt(|p| p.interface()).unwrap_or_default(),
                }
            }
            b"block-policy" => {
                self.kw("block-policy");
                self.skip();
                let value = if self.kw("drop") {
                    BlockPolicy::Drop
                } else if self.kw("return") {
                    BlockPolicy::Return
                } else {
                    return None;
                };
                SetOption::BlockPolicy { value }
            }
            b"state-policy" => {
                self.kw("state-policy");
                self.skip();
                let value = if self.kw("if-bound") {
                    StatePolicy::IfBound
                } else if self.kw("floating") {
                    StatePolicy::Floating
                } else {
                    return None;
                };
                SetOption::StatePolicy { value }
            }
            b"optimization" => {
                self.kw("optimization");
                self.skip();
                SetOption::Optimization {
                    value: self.string()?,
                }
            }
            b"ruleset-optimization" => {
                self.kw("ruleset-optimization");
                self.skip();
                SetOption::RulesetOptimization {
                    value: self.string()?,
                }
            }
            b"fingerprints" => {
                self.kw("fingerprints");
                self.skip();
                SetOption::Fingerprints {
                    value: self.string()?,
                }
            }
            b"hostid" => {
                self.kw("hostid");
                self.skip();
                SetOption::HostId {
                    value: self.numberstring()?,
                }
            }
            b"loginterface" => {
                // set_loginterface = { kw_loginterface ~ (kw_all | string) }
                self.kw("loginterface");
                self.skip();
                let value = match keyword(self, "all") {
                    Some(v) => v,
                    None => self.string()?,
                };
                SetOption::LogInterface { value }
            }
            b"debug" => {
                // set_debug = { kw_debug ~ (kw_debug | string) }
                self.kw("debug");
                self.skip();
                let value = match keyword(self, "debug") {
                    Some(v) => v,
                    None => self.string()?,
                };
                SetOption::Debug { value }
            }
            b"reassemble" => {
                // set_reassemble = { kw_reassemble ~ yesno ~ kw_no_df? },
                // yesno = { kw_no | string }
                self.kw("reassemble");
                self.skip();
                let value = match keyword(self, "no") {
                    Some(v) => v,
                    None => self.string()?,
                };
                self.skip();
                let no_df = self.kw("no-df");
                SetOption::Reassemble { value, no_df }
            }
            b"state-defaults" => {
                self.kw("state-defaults");
                self.skip();
                SetOption::StateDefaults {
                    opts: self.state_opt_list()?,
                }
            }
            b"syncookies" => {
                // kw_syncookies ~ string ~ ("(" ~ syncookie_opt ~
                // (","? ~ syncookie_opt)* ~ ")")?, syncookie_opt = { string ~ string }
                self.kw("syncookies");
                self.skip();
                let mode = self.string()?;
                self.skip();
                let pair = |p: &mut Self| {
                    let k = p.string()?;
                    p.skip();
                    Some((k, p.string()?))
                };
                let opts = self
                    .opt(|p| {
                        p.eat(b'(').then_some(())?;
                        p.skip();
                        let head = pair(p)?;
                        p.skip();
                        let v = p.rep(Some(head), |p| {
                            p.eat(b',');
                            p.skip();
                            pair(p)
                        });
                        p.skip();
                        p.eat(b')').then_some(v)
                    })
                    .unwrap_or_default();
                SetOption::Syncookies { mode, opts }
            }
            b"timeout" | b"limit" => {
                // kw ~ ("{" ~ optnl ~ spec ~ optnl ~ (","? ~ spec ~ optnl)* ~ "}" | spec)
                let timeout = w == b"timeout";
                self.pos = start + w.len();
                self.skip();
                let values = self.list_or_one(|p| {
                    let k = p.string()?;
                    p.skip();
                    let v = p.num()?;
                    Some((k, v))
                })?;
                if timeout {
                    SetOption::Timeout { values }
                } else {
                    SetOption::Limit { values }
                }
            }
            _ => return None,
        })
    }

    // ------------------------------------------------------------ rules

    fn empty_rule(action: Spanned<Action>) -> FilterRule {
        FilterRule {
            action,
            direction: None,
            log: None,
            quick: false,
            interfaces: Vec::new(),
            af: None,
            protos: Vec::new(),
            hosts: Hosts::default(),
            options: Vec::new(),
        }
    }

    /// `pf_rule = { action ~ dir? ~ logquick? ~ interface? ~ af? ~ proto?
    /// ~ fromto? ~ filter_opt* }`
    fn pf_rule(&mut self) -> Option<FilterRule> {
        let action = self.action()?;
        let mut r = Self::empty_rule(action);
        self.skip();
        r.direction = self.dir();
        self.skip();
        if let Some((log, quick)) = self.opt(|p| p.logquick()) {
            r.log = log;
            r.quick = quick;
        }
        self.rule_tail(&mut r, true);
        Some(r)
    }

    /// `interface? ~ af? ~ proto? ~ fromto? ~ filter_opt*`, each after a
    /// skip (the caller has parsed the element before).
    fn rule_tail(&mut self, r: &mut FilterRule, skip_first: bool) {
        if skip_first {
            self.skip();
        }
        r.interfaces = self.opt(|p| p.interface()).unwrap_or_default();
        self.skip();
        r.af = self.af();
        self.skip();
        r.protos = self.opt(|p| p.proto()).unwrap_or_default();
        self.skip();
        r.hosts = self.opt(|p| p.fromto()).unwrap_or_default();
        self.skip();
        // filter_opt*, each option pushed in place (`set (...)` pushes
        // several); a failing iteration is rolled back.
        let mut opts = Vec::new();
        let mut first = true;
        loop {
            let (save, len) = (self.pos, opts.len());
            if !first {
                self.skip();
            }
            if self.filter_opt(&mut opts).is_none() {
                self.pos = save;
                opts.truncate(len);
                break;
            }
            first = false;
        }
        opts.shrink_to_fit();
        r.options = opts;
    }

    /// `anchor_rule = { kw_anchor ~ anchor_name? ~ dir? ~ quick? ~
    /// interface? ~ af? ~ proto? ~ fromto? ~ filter_opt* ~ anchor_open? }`
    fn anchor_rule(&mut self) -> Option<AnchorRule> {
        let start = self.pos;
        self.kw("anchor");
        self.skip();
        // anchor_name = { quoted | ident | macro_ref }, the same tokens as string.
        let name = self.opt(|p| p.string());
        self.skip();
        let direction = self.dir();
        self.skip();
        let quick = self.kw("quick");
        let mut r = Self::empty_rule(Spanned::new(Action::Pass, Default::default()));
        r.direction = direction;
        r.quick = quick;
        self.rule_tail(&mut r, true);
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
        let start = self.pos;
        let a = if self.kw("pass") {
            Action::Pass
        } else if self.kw("match") {
            Action::Match
        } else if self.kw("block") {
            self.skip();
            Action::Block {
                policy: self.opt(|p| p.blockspec()).map(Box::new),
            }
        } else {
            return None;
        };
        Some(Spanned::new(a, self.span(start, self.pos)))
    }

    fn blockspec(&mut self) -> Option<BlockSpec> {
        match self.word() {
            b"drop" => {
                self.kw("drop");
                Some(BlockSpec::Drop)
            }
            b"return-rst" => {
                // kw_return_rst ~ ("(" ~ kw_ttl ~ num ~ ")")?
                self.kw("return-rst");
                self.skip();
                let ttl = self.opt(|p| {
                    p.eat(b'(').then_some(())?;
                    p.skip();
                    p.kw("ttl").then_some(())?;
                    p.skip();
                    let v = p.num()?;
                    p.skip();
                    p.eat(b')').then_some(v)
                });
                Some(BlockSpec::ReturnRst { ttl })
            }
            b"return-icmp6" => {
                // kw_return_icmp6 ~ ("(" ~ reticmpspec ~ ")")?
                self.kw("return-icmp6");
                self.skip();
                let code = self.opt(|p| {
                    p.eat(b'(').then_some(())?;
                    p.skip();
                    let v = p.numberstring()?;
                    p.skip();
                    p.eat(b')').then_some(v)
                });
                Some(BlockSpec::ReturnIcmp6 { code })
            }
            b"return-icmp" => {
                // kw_return_icmp ~ ("(" ~ reticmpspec ~ (","? ~ reticmpspec)? ~ ")")?
                self.kw("return-icmp");
                self.skip();
                let codes = self.opt(|p| {
                    p.eat(b'(').then_some(())?;
                    p.skip();
                    let a = p.numberstring()?;
                    p.skip();
                    let b = p.opt(|p| {
                        p.eat(b',');
                        p.skip();
                        p.numberstring()
                    });
                    p.skip();
                    p.eat(b')').then_some((a, b))
                });
                let (code, code6) = match codes {
                    Some((a, b)) => (Some(a), b),
                    None => (None, None),
                };
                Some(BlockSpec::ReturnIcmp { code, code6 })
            }
            b"return" => {
                self.kw("return");
                Some(BlockSpec::Return)
            }
            _ => None,
        }
    }

    /// `dir = { kw_in | kw_out }`
    fn dir(&mut self) -> Option<Direction> {
        if self.kw("in") {
            Some(Direction::In)
        } else if self.kw("out") {
            Some(Direction::Out)
        } else {
            None
        }
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
        self.kw("log");
        self.skip();
        self.opt(|p| {
            p.eat(b'(').then_some(())?;
            p.skip();
            let mut l = LogOpts::default();
            p.logopt(&mut l)?;
            p.skip();
            // The options set fields of `l`; the list itself is not kept.
            p.rep(None, |p| {
                p.eat(b',');
                p.skip();
                p.logopt(&mut l)
            });
            p.skip();
            p.eat(b')').then_some(l)
        })
        .unwrap_or_default()
    }

    /// `logopt = { kw_all | kw_matches | kw_user | kw_to ~ string }`
    fn logopt(&mut self, l: &mut LogOpts) -> Option<()> {
        if self.kw("all") {
            l.all = true;
        } else if self.kw("matches") {
            l.matches = true;
        } else if self.kw("user") {
            l.user = true;
        } else if self.kw("to") {
            self.skip();
            l.to = Some(self.string()?);
        } else {
            return None;
        }
        Some(())
    }

    /// `interface = { kw_on ~ ("{" ... "}" | if_item_not) }`
    fn interface(&mut self) -> Option<Vec<Spanned<IfItem>>> {
        if !self.kw("on") {
            return None;
        }
        self.skip();
        self.list_or_one(|p| p.if_item_not())
    }

    /// `if_item_not = { not? ~ if_item }`
    fn if_item_not(&mut self) -> Option<Spanned<IfItem>> {
        let start = self.pos;
        let not = self.not();
        self.skip();
        let target = self.if_item()?;
        Some(Spanned::new(
            IfItem { not, target },
            self.span(start, self.pos),
        ))
    }

    /// `if_item = { kw_any | kw_rdomain ~ num | string }`
    fn if_item(&mut self) -> Option<IfTarget> {
        if self.kw("any") {
            return Some(IfTarget::Any);
        }
        if self.kw("rdomain") {
            // The `string` alternative cannot match the keyword either.
            self.skip();
            return self.num().map(IfTarget::Rdomain);
        }
        self.string().map(IfTarget::Name)
    }

    /// `af = { kw_inet6 | kw_inet }`
    fn af(&mut self) -> Option<Spanned<AddressFamily>> {
        let start = self.pos;
        let af = if self.kw("inet6") {
            AddressFamily::Inet6
        } else if self.kw("inet") {
            AddressFamily::Inet
        } else {
            return None;
        };
        Some(Spanned::new(af, self.span(start, self.pos)))
    }

    /// `proto = { kw_proto ~ ("{" ... "}" | proto_item) }`
    fn proto(&mut self) -> Option<Vec<SValue>> {
        if !self.kw("proto") {
            return None;
        }
        self.skip();
        self.list_or_one(|p| p.numberstring())
    }

    /// `fromto = { kw_all | from ~ os? ~ to? | os ~ to? | to }`
    fn fromto(&mut self) -> Option<Hosts> {
        match self.word() {
            b"all" => {
                self.kw("all");
                Some(Hosts {
                    all: true,
                    ..Hosts::default()
                })
            }
            b"from" => {
                let from = self.endpoint("from")?;
                self.skip();
                let os = self.opt(|p| p.os()).unwrap_or_default();
                self.skip();
                let to = self.opt(|p| p.endpoint("to"));
                Some(Hosts {
                    all: false,
                    from: Some(Box::new(from)),
                    os,
                    to: to.map(Box::new),
                })
            }
            b"os" => {
                let os = self.os()?;
                self.skip();
                let to = self.opt(|p| p.endpoint("to"));
                Some(Hosts {
                    all: false,
                    from: None,
                    os,
                    to: to.map(Box::new),
                })
            }
            b"to" => {
                let to = self.endpoint("to")?;
                Some(Hosts {
                    to: Some(Box::new(to)),
                    ..Hosts::default()
                })
            }
            _ => None,
        }
    }

    /// `os = { kw_os ~ ("{" ~ optnl ~ string ~ optnl ~ (","? ~ string ~
    /// optnl)* ~ "}" | string) }`
    fn os(&mut self) -> Option<Vec<SValue>> {
        if !self.kw("os") {
            return None;
        }
        self.skip();
        self.list_or_one(|p| p.string())
    }

    /// `from = { kw_from ~ ipportspec }` (or `to`), with
    /// `ipportspec = { ipspec ~ (kw_port ~ portspec)? | kw_port ~ portspec }`.
    fn endpoint(&mut self, kw: &str) -> Option<Endpoint> {
        let start = self.pos;
        if !self.kw(kw) {
            return None;
        }
        self.skip();
        let mut e = Endpoint {
            hosts: Vec::new(),
            any: false,
            ports: Vec::new(),
            ports_span: None,
            span: Default::default(),
        };
        if let Some((hosts, hs, he)) = self.opt(|p| p.ipspec()) {
            e.span = self.span(hs, he);
            match hosts {
                None => e.any = true,
                Some(h) => e.hosts = h,
            }
            self.skip();
            if let Some((ports, span)) = self.opt(|p| p.ports()) {
                e.ports = ports;
                e.ports_span = Some(span);
            }
        } else {
            let (ports, span) = self.ports()?;
            e.ports = ports;
            e.ports_span = Some(span);
            // No ipspec: the endpoint's span is the `from`/`to` pair's.
            e.span = self.span(start, self.pos);
        }
        Some(e)
    }

    /// `kw_port ~ portspec`; the span runs from `port` to the last port.
    fn ports(&mut self) -> Option<(Vec<Spanned<PortItem>>, crate::span::Span)> {
        let (ks, ke) = self.kw_at("port")?;
        self.skip();
        let ps = self.pos;
        let items = self.list_or_one(|p| p.port_item())?;
        let span = self.span(ks, ke).to(self.span(ps, self.pos));
        Some((items, span))
    }

    /// `port_item` and `uid_item`: `numberstring ~ port_binary ~
    /// numberstring | unaryop ~ numberstring | numberstring`.
    fn port_item(&mut self) -> Option<Spanned<PortItem>> {
        let start = self.pos;
        if let Some(low) = self.numberstring() {
            let end = self.pos;
            self.skip();
            let op = if self.eat2(b'<', b'>') {
                Some("<>")
            } else if self.eat2(b'>', b'<') {
                Some("><")
            } else {
                None
            };
            if let Some(op) = op {
                self.skip();
                if let Some(high) = self.numberstring() {
                    let item = PortItem::Binary {
                        low,
                        op: op.to_string(),
                        high,
                    };
                    return Some(Spanned::new(item, self.span(start, self.pos)));
                }
            }
            // A unary operator cannot start where a value did.
            self.pos = end;
            return Some(Spanned::new(
                PortItem::Eq { value: low },
                self.span(start, end),
            ));
        }
        self.pos = start;
        // unaryop = { "!=" | "<=" | ">=" | "=" | "<" | ">" }
        let op = if self.eat2(b'!', b'=') {
            "!="
        } else if self.eat2(b'<', b'=') {
            "<="
        } else if self.eat2(b'>', b'=') {
            ">="
        } else if self.eat(b'=') {
            "="
        } else if self.eat(b'<') {
            "<"
        } else if self.eat(b'>') {
            ">"
        } else {
            return None;
        };
        self.skip();
        let value = self.numberstring()?;
        Some(Spanned::new(
            PortItem::Unary {
                op: op.to_string(),
                value,
            },
            self.span(start, self.pos),
        ))
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
            let hosts = self.nested(|p| p.brace_list(|p| p.list_host()))?;
            return Some((Some(hosts), start, self.pos));
        }
        let h = self.xhost()?;
        Some((Some(vec![h]), start, self.pos))
    }

    /// One `ipspec` of a `host_list`, as the Builder's `host_list` makes it.
    fn list_host(&mut self) -> Option<Spanned<Host>> {
        let (hosts, s, e) = self.ipspec()?;
        let span = self.span(s, e);
        Some(match hosts {
            None => Spanned::new(
                Host {
                    not: false,
                    kind: HostKind::Any,
                },
                span,
            ),
            Some(mut v)
                if v.len() == 1
                    && !matches!(v.first().map(|h| &h.node.kind), Some(HostKind::List(_)))
                    && v.first().map(|h| h.span) == Some(span) =>
            {
                v.pop()?
            }
            Some(v) => Spanned::new(
                Host {
                    not: false,
                    kind: HostKind::List(v),
                },
                span,
            ),
        })
    }

    /// `xhost = { not? ~ (kw_no_route | kw_urpf_failed | host) }`
    fn xhost(&mut self) -> Option<Spanned<Host>> {
        let start = self.pos;
        let not = self.not();
        self.skip();
        let kind = if self.kw("no-route") {
            HostKind::NoRoute
        } else if self.kw("urpf-failed") {
            HostKind::UrpfFailed
        } else {
            self.host()?
        };
        Some(Spanned::new(Host { not, kind }, self.span(start, self.pos)))
    }

    /// `host = { kw_route ~ string | table_ref | dynaddr ~ ("/" ~ num)? |
    /// string ~ "-" ~ string | string ~ "/" ~ num | number ~ "/" ~ num |
    /// string }`
    fn host(&mut self) -> Option<HostKind> {
        if self.kw("route") {
            // No other alternative matches at a keyword.
            self.skip();
            return Some(HostKind::Route {
                label: self.string()?,
            });
        }
        match self.peek() {
            b'<' => {
                self.pos += 1;
                self.skip();
                let name = self.string()?;
                self.skip();
                self.eat(b'>').then_some(HostKind::Table { name })
            }
            b'(' => {
                self.pos += 1;
                self.skip();
                let ifname = self.string()?;
                self.skip();
                if !self.eat(b')') {
                    return None;
                }
                self.skip();
                let mask = self.opt(|p| {
                    p.eat(b'/').then_some(())?;
                    p.skip();
                    p.num()
                });
                Some(HostKind::Dynamic { ifname, mask })
            }
            _ => {
                let start = self.pos;
                if let Some(a) = self.string() {
                    let end = self.pos;
                    self.skip();
                    if self.eat(b'-') {
                        self.skip();
                        if let Some(b) = self.string() {
                            return Some(HostKind::Range { from: a, to: b });
                        }
                    }
                    self.pos = end;
                    self.skip();
                    if self.eat(b'/') {
                        self.skip();
                        if let Some(m) = self.num() {
                            return Some(HostKind::Address {
                                addr: a,
                                mask: Some(m),
                            });
                        }
                    }
                    // `number ~ "/" ~ num` cannot match where a string did.
                    self.pos = end;
                    return Some(HostKind::Address {
                        addr: a,
                        mask: None,
                    });
                }
                self.pos = start;
                let a = self.number()?;
                self.skip();
                if !self.eat(b'/') {
                    return None;
                }
                self.skip();
                let m = self.num()?;
                Some(HostKind::Address {
                    addr: a,
                    mask: Some(m),
                })
            }
        }
    }

    // ------------------------------------------------------------ options

    /// One `filter_opt` (several for `set (...)`).
    fn filter_opt(&mut self, out: &mut Vec<Spanned<FilterOpt>>) -> Option<()> {
        let start = self.pos;
        let w = self.word();
        let o = match w {
            b"user" | b"group" => {
                self.pos += w.len();
                self.skip();
                let items = self.list_or_one(|p| p.port_item())?;
                if w == b"user" {
                    FilterOpt::User { items }
                } else {
                    FilterOpt::Group { items }
                }
            }
            b"flags" => {
                // kw_flags ~ (kw_any | string? ~ "/" ~ string)
                self.kw("flags");
                self.skip();
                if self.kw("any") {
                    FilterOpt::Flags {
                        set: None,
                        mask: None,
                    }
                } else {
                    let set = self.opt(|p| p.string());
                    self.skip();
                    if !self.eat(b'/') {
                        return None;
                    }
                    self.skip();
                    let mask = Some(self.string()?);
                    FilterOpt::Flags { set, mask }
                }
            }
            b"icmp-type" | b"icmp6-type" => {
                self.pos += w.len();
                self.skip();
                let items = self.list_or_one(|p| p.icmp_item())?;
                FilterOpt::IcmpType {
                    v6: w == b"icmp6-type",
                    items,
                }
            }
            b"prio" => {
                self.kw("prio");
                self.skip();
                FilterOpt::Prio { value: self.num()? }
            }
            b"tos" => {
                self.kw("tos");
                self.skip();
                FilterOpt::Tos {
                    value: self.numberstring()?,
                }
            }
            b"no" => {
                self.kw("no");
                self.skip();
                if !self.kw("state") {
                    return None;
                }
                FilterOpt::State {
                    kind: StateKind::No,
                    opts: Vec::new(),
                }
            }
            b"keep" | b"modulate" | b"synproxy" => {
                let kind = match w {
                    b"keep" => StateKind::Keep,
                    b"modulate" => StateKind::Modulate,
                    _ => StateKind::Synproxy,
                };
                self.pos += w.len();
                self.skip();
                if !self.kw("state") {
                    return None;
                }
                self.skip();
                let opts = self
                    .opt(|p| {
                        p.eat(b'(').then_some(())?;
                        p.skip();
                        let opts = p.state_opt_list()?;
                        p.skip();
                        p.eat(b')').then_some(opts)
                    })
                    .unwrap_or_default();
                FilterOpt::State { kind, opts }
            }
            b"fragment" => {
                self.kw("fragment");
                FilterOpt::Fragment
            }
            b"allow-opts" => {
                self.kw("allow-opts");
                FilterOpt::AllowOpts
            }
            b"divert-reply" => {
                self.kw("divert-reply");
                FilterOpt::DivertReply
            }
            b"once" => {
                self.kw("once");
                FilterOpt::Once
            }
            b"label" => {
                self.kw("label");
                self.skip();
                FilterOpt::Label {
                    value: self.string()?,
                }
            }
            b"queue" => {
                self.kw("queue");
                self.skip();
                let (name, prio_name) = self.qname()?;
                FilterOpt::Queue {
                    name,
                    prio_name,
                    set: false,
                }
            }
            b"tag" => {
                self.kw("tag");
                self.skip();
                FilterOpt::Tag {
                    value: self.string_seq()?,
                }
            }
            b"tagged" => {
                self.kw("tagged");
                self.skip();
                FilterOpt::Tagged {
                    not: false,
                    value: self.string_seq()?,
                }
            }
            b"received-on" => {
                self.kw("received-on");
                self.skip();
                FilterOpt::ReceivedOn {
                    not: false,
                    interface: self.if_item()?,
                }
            }
            b"probability" => {
                self.kw("probability");
                self.skip();
                FilterOpt::Probability {
                    value: self.numberstring()?,
                }
            }
            b"rtable" => {
                self.kw("rtable");
                self.skip();
                FilterOpt::Rtable { value: self.num()? }
            }
            b"divert-to" => {
                // kw_divert_to ~ string ~ kw_port ~ numberstring
                self.kw("divert-to");
                self.skip();
                let host = self.string()?;
                self.skip();
                if !self.kw("port") {
                    return None;
                }
                self.skip();
                FilterOpt::DivertTo {
                    host,
                    port: self.numberstring()?,
                }
            }
            b"divert-packet" => {
                self.kw("divert-packet");
                self.skip();
                if !self.kw("port") {
                    return None;
                }
                self.skip();
                FilterOpt::DivertPacket {
                    port: self.numberstring()?,
                }
            }
            b"scrub" => {
                // kw_scrub ~ "(" ~ scrub_item ~ (","? ~ scrub_item)* ~ ")"
                self.kw("scrub");
                self.skip();
                if !self.eat(b'(') {
                    return None;
                }
                self.skip();
                let head = self.scrub_item()?;
                self.skip();
                let opts = self.rep(Some(head), |p| {
                    p.eat(b',');
                    p.skip();
                    p.scrub_item()
                });
                self.skip();
                if !self.eat(b')') {
                    return None;
                }
                FilterOpt::Scrub { opts }
            }
            b"nat-to" | b"binat-to" | b"rdr-to" => {
                // kw ~ redirpool ~ pool_opts?
                self.pos += w.len();
                self.skip();
                let r = self.redirpool_opts()?;
                match w {
                    b"nat-to" => FilterOpt::NatTo(r),
                    b"binat-to" => FilterOpt::BinatTo(r),
                    _ => FilterOpt::RdrTo(r),
                }
            }
            b"route-to" | b"reply-to" | b"dup-to" => {
                // kw ~ redirspec ~ pool_opts?
                let kind = match w {
                    b"route-to" => RouteKind::RouteTo,
                    b"reply-to" => RouteKind::ReplyTo,
                    _ => RouteKind::DupTo,
                };
                self.pos += w.len();
                self.skip();
                let hosts = self.redirspec()?;
                self.skip();
                let pool = self.opt(|p| p.pool_opts()).unwrap_or_default();
                FilterOpt::Route {
                    kind,
                    target: Redirect {
                        hosts,
                        port: None,
                        pool,
                    },
                }
            }
            b"max-pkt-rate" => {
                self.kw("max-pkt-rate");
                self.skip();
                let limit = self.num()?;
                self.skip();
                if !self.eat(b'/') {
                    return None;
                }
                self.skip();
                FilterOpt::MaxPktRate {
                    limit,
                    seconds: self.num()?,
                }
            }
            b"set" => {
                for o in self.filter_sets()? {
                    push(out, o);
                }
                return Some(());
            }
            b"af-to" => {
                // kw_af_to ~ af ~ kw_from ~ redirpool ~ pool_opts? ~
                // (kw_to ~ redirpool ~ pool_opts?)?
                self.kw("af-to");
                self.skip();
                let af = self.af()?.node;
                self.skip();
                if !self.kw("from") {
                    return None;
                }
                self.skip();
                let from = self.redirpool_opts()?;
                self.skip();
                let to = self.opt(|p| {
                    p.kw("to").then_some(())?;
                    p.skip();
                    p.redirpool_opts()
                });
                FilterOpt::AfTo { af, from, to }
            }
            b"state" | b"source" => {
                // limiter_use = { (kw_state | kw_source) ~ kw_limiter ~ string ~
                //   ("(" ~ limiter_opt ~ (","? ~ limiter_opt)* ~ ")")? }
                let kind = if w == b"state" {
                    LimiterKind::State
                } else {
                    LimiterKind::Source
                };
                self.pos += w.len();
                self.skip();
                if !self.kw("limiter") {
                    return None;
                }
                self.skip();
                let name = self.string()?;
                self.skip();
                let actions = self
                    .opt(|p| {
                        p.eat(b'(').then_some(())?;
                        p.skip();
                        let head = p.limiter_action()?;
                        p.skip();
                        let v = p.rep(Some(head), |p| {
                            p.eat(b',');
                            p.skip();
                            p.limiter_action()
                        });
                        p.skip();
                        p.eat(b')').then_some(v)
                    })
                    .unwrap_or_default();
                FilterOpt::Limiter {
                    kind,
                    name,
                    actions,
                }
            }
            _ if self.peek() == b'!' => {
                // not? ~ kw_tagged ~ string_seq | not? ~ kw_received_on ~ if_item
                if !self.not() {
                    return None;
                }
                self.skip();
                if self.kw("tagged") {
                    self.skip();
                    FilterOpt::Tagged {
                        not: true,
                        value: self.string_seq()?,
                    }
                } else if self.kw("received-on") {
                    self.skip();
                    FilterOpt::ReceivedOn {
                        not: true,
                        interface: self.if_item()?,
                    }
                } else {
                    return None;
                }
            }
            _ => return None,
        };
        push(out, Spanned::new(o, self.span(start, self.pos)));
        Some(())
    }

    /// `limiter_opt = { kw_block | kw_no_match }`
    fn limiter_action(&mut self) -> Option<LimiterAction> {
        if self.kw("block") {
            Some(LimiterAction::Block)
        } else if self.kw("no-match") {
            Some(LimiterAction::NoMatch)
        } else {
            None
        }
    }

    /// `redirpool ~ pool_opts?` of af-to: `redirpool = { redirspec ~
    /// (kw_port ~ numberstring)? }`.
    fn redirpool_opts(&mut self) -> Option<Redirect> {
        let hosts = self.redirspec()?;
        self.skip();
        let port = self.opt(|p| {
            p.kw("port").then_some(())?;
            p.skip();
            p.numberstring()
        });
        self.skip();
        let pool = self.opt(|p| p.pool_opts()).unwrap_or_default();
        Some(Redirect { hosts, port, pool })
    }

    /// `filter_sets = { kw_set ~ ("(" ~ filter_set ~ (","? ~ filter_set)*
    /// ~ ")" | filter_set) }`: one option per item.
    fn filter_sets(&mut self) -> Option<Vec<Spanned<FilterOpt>>> {
        self.kw("set");
        self.skip();
        if self.eat(b'(') {
            // filter_set cannot start with `(`.
            self.skip();
            let head = self.filter_set()?;
            self.skip();
            let v = self.rep(Some(head), |p| {
                p.eat(b',');
                p.skip();
                p.filter_set()
            });
            self.skip();
            self.eat(b')').then_some(v)
        } else {
            Some(vec![self.filter_set()?])
        }
    }

    /// `filter_set = { set_prio | kw_queue ~ qname | kw_tos ~ numberstring
    /// | kw_delay ~ num }`
    fn filter_set(&mut self) -> Option<Spanned<FilterOpt>> {
        let start = self.pos;
        let o = if self.kw("prio") {
            // set_prio = { kw_prio ~ ("(" ~ num ~ ","? ~ num ~ ")" | num) }
            self.skip();
            if self.eat(b'(') {
                self.skip();
                let a = self.num()?;
                self.skip();
                self.eat(b',');
                self.skip();
                let b = self.num()?;
                self.skip();
                if !self.eat(b')') {
                    return None;
                }
                FilterOpt::SetPrio {
                    prio: a,
                    prio2: Some(b),
                }
            } else {
                FilterOpt::SetPrio {
                    prio: self.num()?,
                    prio2: None,
                }
            }
        } else if self.kw("queue") {
            self.skip();
            let (name, prio_name) = self.qname()?;
            FilterOpt::Queue {
                name,
                prio_name,
                set: true,
            }
        } else if self.kw("tos") {
            self.skip();
            FilterOpt::SetTos {
                value: self.numberstring()?,
            }
        } else if self.kw("delay") {
            self.skip();
            FilterOpt::SetDelay { value: self.num()? }
        } else {
            return None;
        };
        Some(Spanned::new(o, self.span(start, self.pos)))
    }

    /// `qname = { "(" ~ string ~ (","? ~ string)? ~ ")" | string }`
    fn qname(&mut self) -> Option<(SValue, Option<SValue>)> {
        if self.eat(b'(') {
            // string cannot start with `(`.
            self.skip();
            let a = self.string()?;
            self.skip();
            let b = self.opt(|p| {
                p.eat(b',');
                p.skip();
                p.string()
            });
            self.skip();
            self.eat(b')').then_some((a, b))
        } else {
            Some((self.string()?, None))
        }
    }

    /// `icmp_item = { numberstring ~ (kw_code ~ numberstring)? }`
    fn icmp_item(&mut self) -> Option<Spanned<IcmpItem>> {
        let start = self.pos;
        let icmp_type = self.numberstring()?;
        self.skip();
        let code = self.opt(|p| {
            p.kw("code").then_some(())?;
            p.skip();
            p.numberstring()
        });
        Some(Spanned::new(
            IcmpItem { icmp_type, code },
            self.span(start, self.pos),
        ))
    }

    /// `state_opt_list = { state_opt ~ (","? ~ state_opt)* }`
    fn state_opt_list(&mut self) -> Option<Vec<Spanned<StateOpt>>> {
        let head = self.state_opt()?;
        self.skip();
        let v = self.rep(Some(head), |p| {
            p.eat(b',');
            p.skip();
            p.state_opt()
        });
        Some(v)
    }

    fn state_opt(&mut self) -> Option<Spanned<StateOpt>> {
        let start = self.pos;
        let w = self.word();
        let o = match w {
            b"max" | b"max-src-states" | b"max-src-conn" | b"max-src-nodes" => {
                self.pos += w.len();
                self.skip();
                let value = self.num()?;
                match w {
                    b"max" => StateOpt::Max { value },
                    b"max-src-states" => StateOpt::MaxSrcStates { value },
                    b"max-src-conn" => StateOpt::MaxSrcConn { value },
                    _ => StateOpt::MaxSrcNodes { value },
                }
            }
            b"no-sync" => {
                self.kw("no-sync");
                StateOpt::NoSync
            }
            b"max-src-conn-rate" => {
                self.kw("max-src-conn-rate");
                self.skip();
                let limit = self.num()?;
                self.skip();
                if !self.eat(b'/') {
                    return None;
                }
                self.skip();
                StateOpt::MaxSrcConnRate {
                    limit,
                    seconds: self.num()?,
                }
            }
            b"overload" => {
                // kw_overload ~ "<" ~ string ~ ">" ~ (kw_flush ~ kw_global?)?
                self.kw("overload");
                self.skip();
                if !self.eat(b'<') {
                    return None;
                }
                self.skip();
                let table = self.string()?;
                self.skip();
                if !self.eat(b'>') {
                    return None;
                }
                self.skip();
                let mut flush = false;
                let mut global = false;
                if self.kw("flush") {
                    flush = true;
                    self.skip();
                    global = self.kw("global");
                }
                StateOpt::Overload {
                    table,
                    flush,
                    global,
                }
            }
            b"source-track" => {
                self.kw("source-track");
                self.skip();
                let scope = if self.kw("global") {
                    Some(SourceTrackScope::Global)
                } else if self.kw("rule") {
                    Some(SourceTrackScope::Rule)
                } else {
                    None
                };
                StateOpt::SourceTrack { scope }
            }
            b"if-bound" => {
                self.kw("if-bound");
                StateOpt::IfBound
            }
            b"floating" => {
                self.kw("floating");
                StateOpt::Floating
            }
            b"sloppy" => {
                self.kw("sloppy");
                StateOpt::Sloppy
            }
            b"pflow" => {
                self.kw("pflow");
                StateOpt::Pflow
            }
            _ => {
                // string ~ num (a keyword is never a string)
                let name = self.string()?;
                self.skip();
                StateOpt::Timeout {
                    name,
                    value: self.num()?,
                }
            }
        };
        Some(Spanned::new(o, self.span(start, self.pos)))
    }

    /// `scrub_item = { kw_no_df | kw_min_ttl ~ num | kw_max_mss ~ num |
    /// kw_reassemble ~ string | kw_random_id }`
    fn scrub_item(&mut self) -> Option<Spanned<ScrubOpt>> {
        let start = self.pos;
        let o = if self.kw("no-df") {
            ScrubOpt::NoDf
        } else if self.kw("min-ttl") {
            self.skip();
            ScrubOpt::MinTtl { value: self.num()? }
        } else if self.kw("max-mss") {
            self.skip();
            ScrubOpt::MaxMss { value: self.num()? }
        } else if self.kw("reassemble") {
            self.skip();
            ScrubOpt::Reassemble {
                value: self.string()?,
            }
        } else if self.kw("random-id") {
            ScrubOpt::RandomId
        } else {
            return None;
        };
        Some(Spanned::new(o, self.span(start, self.pos)))
    }

    /// `redirspec = { "{" ... "}" | redir_host }`
    fn redirspec(&mut self) -> Option<Vec<RedirHost>> {
        self.list_or_one(|p| p.redir_host())
    }

    /// `redir_host = { host ~ (kw_weight ~ num)? }`
    fn redir_host(&mut self) -> Option<RedirHost> {
        let start = self.pos;
        let kind = self.host()?;
        let span = self.span(start, self.pos);
        self.skip();
        let weight = self.opt(|p| {
            p.kw("weight").then_some(())?;
            p.skip();
            p.num()
        });
        Some(RedirHost {
            host: Spanned::new(Host { not: false, kind }, span),
            weight,
        })
    }

    /// `pool_opts = { pool_opt+ }`, i.e. `pool_opt ~ pool_opt*`.
    fn pool_opts(&mut self) -> Option<PoolOpts> {
        let head = self.pool_opt()?;
        self.skip();
        let opts = self.rep(Some(head), |p| p.pool_opt());
        Some(PoolOpts { opts })
    }

    fn pool_opt(&mut self) -> Option<Spanned<PoolOpt>> {
        let start = self.pos;
        let o = match self.word() {
            b"bitmask" => PoolOpt::Bitmask,
            b"random" => PoolOpt::Random,
            b"round-robin" => PoolOpt::RoundRobin,
            b"least-states" => PoolOpt::LeastStates,
            b"static-port" => PoolOpt::StaticPort,
            b"sticky-address" => PoolOpt::StickyAddress,
            b"source-hash" => {
                // kw_source_hash ~ string_seq?
                self.kw("source-hash");
                self.skip();
                let key = self.opt(|p| p.string_seq()).unwrap_or_default();
                let o = PoolOpt::SourceHash { key };
                return Some(Spanned::new(o, self.span(start, self.pos)));
            }
            _ => return None,
        };
        self.pos = self.word_end(start);
        Some(Spanned::new(o, self.span(start, self.pos)))
    }

    // ------------------------------------------------------------ others

    /// `antispoof = { kw_antispoof ~ logquick? ~ kw_for ~ antispoof_ifspc ~
    /// af? ~ antispoof_opt* }`
    fn antispoof(&mut self) -> Option<Antispoof> {
        self.kw("antispoof");
        self.skip();
        let mut a = Antispoof {
            log: None,
            quick: false,
            interfaces: Vec::new(),
            af: None,
            label: None,
            rtable: None,
        };
        if let Some((log, quick)) = self.opt(|p| p.logquick()) {
            a.log = log.map(|l| *l);
            a.quick = quick;
        }
        self.skip();
        if !self.kw("for") {
            return None;
        }
        self.skip();
        a.interfaces = self.list_or_one(|p| p.antispoof_if())?;
        self.skip();
        a.af = self.af().map(|s| s.node);
        self.skip();
        // antispoof_opt = { kw_label ~ string | kw_rtable ~ num }; the
        // last of each kind wins, as in the Builder.
        let opts = self.rep(None, |p| {
            if p.kw("label") {
                p.skip();
                Some((true, p.string()?))
            } else if p.kw("rtable") {
                p.skip();
                Some((false, p.num()?))
            } else {
                None
            }
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
        let start = self.pos;
        let dynamic = self.eat(b'(');
        if dynamic {
            // if_item cannot start with `(`.
            self.skip();
        }
        let target = self.if_item()?;
        if dynamic {
            self.skip();
            if !self.eat(b')') {
                return None;
            }
        }
        Some(Spanned::new(
            AntispoofIf { dynamic, target },
            self.span(start, self.pos),
        ))
    }

    /// `queue_def = { kw_queue ~ string ~ interface? ~ queue_opt_item+ }`
    fn queue_def(&mut self) -> Option<QueueDef> {
        self.kw("queue");
        self.skip();
        let name = self.string()?;
        self.skip();
        let interfaces = self.opt(|p| p.interface()).unwrap_or_default();
        self.skip();
        let head = self.queue_opt_item()?;
        self.skip();
        let opts = self.rep(Some(head), |p| p.queue_opt_item());
        Some(QueueDef {
            name,
            interfaces,
            opts,
        })
    }

    /// `queue_opt_item = { kw_bandwidth ~ scspec ~ optscs? | kw_parent ~
    /// string | kw_default | kw_qlimit ~ num | kw_flows ~ num | kw_quantum ~ num }`
    fn queue_opt_item(&mut self) -> Option<Spanned<QueueOpt>> {
        let start = self.pos;
        let w = self.word();
        let o = match w {
            b"bandwidth" => {
                self.kw("bandwidth");
                self.skip();
                let share = self.scspec()?;
                self.skip();
                let (min, max) = self.opt(|p| p.optscs()).unwrap_or_default();
                QueueOpt::Bandwidth { share, min, max }
            }
            b"parent" => {
                self.kw("parent");
                self.skip();
                QueueOpt::Parent {
                    value: self.string()?,
                }
            }
            b"default" => {
                self.kw("default");
                QueueOpt::Default
            }
            b"qlimit" | b"flows" | b"quantum" => {
                self.pos += w.len();
                self.skip();
                let value = self.num()?;
                match w {
                    b"qlimit" => QueueOpt::Qlimit { value },
                    b"flows" => QueueOpt::Flows { value },
                    _ => QueueOpt::Quantum { value },
                }
            }
            _ => return None,
        };
        Some(Spanned::new(o, self.span(start, self.pos)))
    }

    /// `optscs = { ","? ~ (kw_min ~ scspec ~ (","? ~ kw_max ~ scspec)? |
    /// kw_max ~ scspec ~ (","? ~ kw_min ~ scspec)?) }`
    #[allow(clippy::type_complexity)]
    fn optscs(&mut self) -> Option<(Option<ServiceCurve>, Option<ServiceCurve>)> {
        self.eat(b',');
        self.skip();
        let first_min = if self.kw("min") {
            true
        } else if self.kw("max") {
            false
        } else {
            return None;
        };
        self.skip();
        let a = self.scspec()?;
        self.skip();
        let second = if first_min { "max" } else { "min" };
        let b = self.opt(|p| {
            p.eat(b',');
            p.skip();
            p.kw(second).then_some(())?;
            p.skip();
            p.scspec()
        });
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
            p.kw("burst").then_some(())?;
            p.skip();
            let b = p.numberstring()?;
            p.skip();
            p.kw("for").then_some(())?;
            p.skip();
            Some((b, p.numberstring()?))
        });
        Some(ServiceCurve { bandwidth, burst })
    }

    /// `limiter_def = { (kw_state | kw_source) ~ kw_limiter ~ string ~
    /// limiter_def_opt* }`
    fn limiter_def(&mut self) -> Option<LimiterDef> {
        let kind = if self.kw("state") {
            LimiterKind::State
        } else if self.kw("source") {
            LimiterKind::Source
        } else {
            return None;
        };
        self.skip();
        if !self.kw("limiter") {
            return None;
        }
        self.skip();
        let name = self.string()?;
        self.skip();
        let opts = self.rep(None, |p| p.limiter_def_opt());
        Some(LimiterDef { kind, name, opts })
    }

    /// `limiter_def_opt = { kw_id ~ num | kw_limit ~ num | kw_rate ~ num ~
    /// "/" ~ num | kw_entries ~ num | af ~ kw_mask ~ num | kw_table ~ "<" ~
    /// string ~ ">" ~ kw_above ~ num ~ (kw_below ~ num)? }`
    fn limiter_def_opt(&mut self) -> Option<Spanned<LimiterOpt>> {
        let start = self.pos;
        let w = self.word();
        let o = match w {
            b"id" | b"limit" | b"entries" => {
                self.pos += w.len();
                self.skip();
                let value = self.num()?;
                match w {
                    b"id" => LimiterOpt::Id { value },
                    b"limit" => LimiterOpt::Limit { value },
                    _ => LimiterOpt::Entries { value },
                }
            }
            b"rate" => {
                self.kw("rate");
                self.skip();
                let limit = self.num()?;
                self.skip();
                if !self.eat(b'/') {
                    return None;
                }
                self.skip();
                LimiterOpt::Rate {
                    limit,
                    seconds: self.num()?,
                }
            }
            b"inet" | b"inet6" => {
                let af = self.af()?.node;
                self.skip();
                if !self.kw("mask") {
                    return None;
                }
                self.skip();
                LimiterOpt::Mask {
                    af,
                    value: self.num()?,
                }
            }
            b"table" => {
                self.kw("table");
                self.skip();
                if !self.eat(b'<') {
                    return None;
                }
                self.skip();
                let name = self.string()?;
                self.skip();
                if !self.eat(b'>') {
                    return None;
                }
                self.skip();
                if !self.kw("above") {
                    return None;
                }
                self.skip();
                let above = self.num()?;
                self.skip();
                let below = self.opt(|p| {
                    p.kw("below").then_some(())?;
                    p.skip();
                    p.num()
                });
                LimiterOpt::Table { name, above, below }
            }
            _ => return None,
        };
        Some(Spanned::new(o, self.span(start, self.pos)))
    }

    // ------------------------------------------------------------ tables

    /// `table_def = { kw_table ~ "<" ~ string ~ ">" ~ table_opt* }`
    fn table_def(&mut self) -> Option<TableDef> {
        self.kw("table");
        self.skip();
        if !self.eat(b'<') {
            return None;
        }
        self.skip();
        let name = self.string()?;
        self.skip();
        if !self.eat(b'>') {
            return None;
        }
        self.skip();
        let opts = self.rep(None, |p| p.table_opt());
        Some(TableDef { name, opts })
    }

    /// `table_opt = { kw_file ~ string | kw_timeout ~ "(" ~ num ~ ")" |
    /// "{" ~ optnl ~ table_host_list? ~ "}" | string }`
    fn table_opt(&mut self) -> Option<Spanned<TableOpt>> {
        let start = self.pos;
        // A keyword alternative that fails leaves nothing else: `string`
        // cannot match a keyword.
        let o = if self.kw("file") {
            self.skip();
            TableOpt::File(self.string()?)
        } else if self.kw("timeout") {
            self.skip();
            if !self.eat(b'(') {
                return None;
            }
            self.skip();
            let v = self.num()?;
            self.skip();
            if !self.eat(b')') {
                return None;
            }
            TableOpt::Timeout(v)
        } else if self.eat(b'{') {
            self.skip_nl();
            let entries = self
                .opt(|p| p.nested(|p| p.table_host_list()))
                .unwrap_or_default();
            self.skip();
            if !self.eat(b'}') {
                return None;
            }
            TableOpt::Addresses(entries)
        } else {
            TableOpt::Flag(self.string()?)
        };
        Some(Spanned::new(o, self.span(start, self.pos)))
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
        // (","? ~ tablespec ~ optnl)*, rolled back entry by entry.
        loop {
            let (save, len) = (self.pos, out.len());
            self.skip();
            self.eat(b',');
            self.skip();
            if self.tablespec(out).is_none() {
                self.pos = save;
                out.truncate(len);
                return Some(());
            }
            self.skip();
            self.optnl();
        }
    }

    /// `tablespec = { "{" ~ optnl ~ table_host_list ~ "}" | xhost ~ (kw_weight ~ num)? }`
    /// Pushes the entries (a nested list flattened); on `None` the caller
    /// truncates `out`.
    fn tablespec(&mut self, out: &mut Vec<TableEntry>) -> Option<()> {
        if self.eat(b'{') {
            // xhost cannot start with `{`.
            self.skip_nl();
            self.nested(|p| p.table_host_list_into(out))?;
            self.skip();
            return self.eat(b'}').then_some(());
        }
        let host = self.xhost()?;
        self.skip();
        let weight = self.opt(|p| {
            p.kw("weight").then_some(())?;
            p.skip();
            p.num()
        });
        push(out, TableEntry { host, weight });
        Some(())
    }
}

#[cfg(test)]
mod tests;
