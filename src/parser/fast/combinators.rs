//! The fast path's tokens and combinators: `word`, `number`, `ident`,
//! quoted strings and `$macro` references exactly as the grammar's atomic
//! rules match them, and the small combinators (`pair`, `kw_arg`,
//! `parens`, `comma_list`, `brace_list`...) that call `skip` where pest's
//! implicit whitespace goes, so that every rule's end offset, and every
//! span, matches pest's. A combinator that fails restores the position;
//! only `bail` forces the whole statement back to pest.

use super::unquote;
use super::{is_keyword, is_word_char, Parser, CLASS, C_END_NUMBER, C_NAME, C_START, MAX_DEPTH};
use crate::ast::*;

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ tokens

    /// End of the run of word characters starting at `i`.
    pub(super) fn word_end(&self, mut i: usize) -> usize {
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
    pub(super) fn word(&self) -> &'a [u8] {
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
    pub(super) fn kw(&mut self, k: &str) -> bool {
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
    pub(super) fn kw_at(&mut self, k: &str) -> Option<(usize, usize)> {
        let start = self.pos;
        self.kw(k).then_some((start, self.pos))
    }

    pub(super) fn word_value(&self, start: usize, end: usize) -> Option<SValue> {
        let w = self.text.get(start..end)?;
        Some(Spanned::new(Value::Word(w.into()), self.span(start, end)))
    }

    /// End of a NUMBER token at `i`: `"-"? ~ ASCII_DIGIT+ ~ &end_number`.
    pub(super) fn number_end(&self, i: usize) -> Option<usize> {
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

    pub(super) fn number(&mut self) -> Option<SValue> {
        let start = self.pos;
        let end = self.number_end(start)?;
        let v = self.word_value(start, end)?;
        self.pos = end;
        Some(v)
    }

    /// `ident = @{ !keyword ~ !number ~ word }`.
    pub(super) fn ident(&mut self) -> Option<SValue> {
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
    pub(super) fn quoted(&mut self) -> Option<SValue> {
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
            Value::Quoted(unquote(inner, char::from(q)).into()),
            self.span(start, end),
        ))
    }

    /// `macro_ref = @{ "$" ~ (ASCII_ALPHANUMERIC | "_")+ ~ word_char* }`.
    pub(super) fn macro_ref(&mut self) -> Option<SValue> {
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
            Value::Macro(Box::new(MacroRef { name, suffix })),
            self.span(start, end),
        ))
    }

    /// `string = { quoted | ident | macro_ref }`.
    pub(super) fn string(&mut self) -> Option<SValue> {
        match self.peek() {
            b'"' | b'\'' => self.quoted(),
            b'$' => self.macro_ref(),
            _ => self.ident(),
        }
    }

    /// `numberstring = { number | string }`.
    pub(super) fn numberstring(&mut self) -> Option<SValue> {
        match self.peek() {
            b'-' | b'0'..=b'9' => match self.number() {
                Some(v) => Some(v),
                None => self.string(),
            },
            _ => self.string(),
        }
    }

    /// `num = { number | macro_ref }`.
    pub(super) fn num(&mut self) -> Option<SValue> {
        if self.peek() == b'$' {
            self.macro_ref()
        } else {
            self.number()
        }
    }

    /// `string_seq = { string+ }`.
    pub(super) fn string_seq(&mut self) -> Option<Vec<SValue>> {
        self.rep1(Self::string)
    }

    /// `not = { "!" ~ !"=" }` (a normal rule: blanks may follow the `!`).
    pub(super) fn not(&mut self) -> bool {
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
    pub(super) fn keyword_or_string(&mut self, k: &str) -> Option<SValue> {
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
    pub(super) fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    /// `kw_k`, or the sequence fails.
    pub(super) fn expect_kw(&mut self, k: &str) -> Option<()> {
        self.kw(k).then_some(())
    }

    /// `A ~ B`.
    pub(super) fn pair<A, B>(
        &mut self,
        a: impl FnOnce(&mut Self) -> Option<A>,
        b: impl FnOnce(&mut Self) -> Option<B>,
    ) -> Option<(A, B)> {
        let x = a(self)?;
        self.skip();
        Some((x, b(self)?))
    }

    /// `"c" ~ ITEM`.
    pub(super) fn prefixed<T>(
        &mut self,
        c: u8,
        item: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        self.expect(c)?;
        self.skip();
        item(self)
    }

    /// `kw_k ~ ITEM`.
    pub(super) fn kw_arg<T>(
        &mut self,
        k: &str,
        item: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        self.expect_kw(k)?;
        self.skip();
        item(self)
    }

    /// Consumes the keyword at the position, which the caller has matched
    /// as the whole of [`Parser::word`], and the blanks after it.
    pub(super) fn skip_word(&mut self) {
        self.pos += self.word().len();
        self.skip();
    }

    /// `kw ~ ITEM` for the keyword at the position, which the caller has
    /// matched as the whole of [`Parser::word`].
    pub(super) fn word_arg<T>(&mut self, item: impl FnOnce(&mut Self) -> T) -> T {
        self.skip_word();
        item(self)
    }

    /// `kw ~ ITEM` for the keyword at the position, as
    /// [`Parser::word_arg`], the item made into a node by `node` (a
    /// keyword option with one value: `qlimit 10`, `label "x"`, ...).
    pub(super) fn arg<T, U>(
        &mut self,
        item: impl FnOnce(&mut Self) -> Option<T>,
        node: impl FnOnce(T) -> U,
    ) -> Option<U> {
        self.word_arg(item).map(node)
    }

    /// A keyword alone: consumes the keyword at the position, which the
    /// caller has matched as the whole of [`Parser::word`], and returns
    /// `value`.
    pub(super) fn word_flag<T>(&mut self, value: T) -> T {
        self.pos += self.word().len();
        value
    }

    /// The value of the first keyword of `choices` at the position (an
    /// ordered choice of keywords).
    pub(super) fn one_of<T: Copy>(&mut self, choices: &[(&str, T)]) -> Option<T> {
        choices.iter().find(|(k, _)| self.kw(k)).map(|&(_, v)| v)
    }

    /// The first of the string literals `ops` at the position (an ordered
    /// choice of operators).
    pub(super) fn operator(&mut self, ops: &[&'static str]) -> Option<&'static str> {
        ops.iter().copied().find(|op| self.eat_str(op))
    }

    /// `","? ~ ITEM`.
    pub(super) fn comma_then<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.eat(b',');
        self.skip();
        item(self)
    }

    /// `ITEM ~ ITEM*` (pest's `ITEM+`): the skip after the first item is
    /// kept even when no second item follows.
    pub(super) fn rep1<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let head = item(self)?;
        self.skip();
        Some(self.rep(Some(head), item))
    }

    /// `ITEM ~ (","? ~ ITEM)*`.
    pub(super) fn comma_list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let head = item(self)?;
        self.skip();
        Some(self.rep(Some(head), |p| p.comma_then(&mut item)))
    }

    /// `ITEM ~ (","? ~ ITEM)?`.
    pub(super) fn one_or_two<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<(T, Option<T>)> {
        let a = item(self)?;
        self.skip();
        Some((a, self.opt(|p| p.comma_then(item))))
    }

    /// `open ~ ITEM ~ close`.
    pub(super) fn delimited<T>(
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
    pub(super) fn parens<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.delimited(b'(', b')', item)
    }

    /// `("(" ~ ITEM ~ ")")?`, the position put back when absent.
    pub(super) fn opt_parens<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.opt(|p| p.parens(item))
    }

    /// `"(" ~ ITEM ~ (","? ~ ITEM)* ~ ")"`.
    pub(super) fn paren_list<T>(
        &mut self,
        item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.parens(|p| p.comma_list(item))
    }

    /// `"{" ~ optnl ~ ITEM ~ "}"`.
    pub(super) fn braces<T>(&mut self, item: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        self.delimited(b'{', b'}', |p| {
            p.optnl();
            p.skip();
            item(p)
        })
    }

    /// `"<" ~ string ~ ">"`, a table name.
    pub(super) fn angle_name(&mut self) -> Option<SValue> {
        self.delimited(b'<', b'>', Self::string)
    }

    /// `num ~ "/" ~ num`, a number of events in a number of seconds.
    pub(super) fn rate(&mut self) -> Option<(SValue, SValue)> {
        self.pair(Self::num, |p| p.prefixed(b'/', Self::num))
    }

    /// `"{" ~ optnl ~ ITEM ~ optnl ~ (","? ~ ITEM ~ optnl)* ~ "}"`; the
    /// position is put back on failure.
    pub(super) fn brace_list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
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
    pub(super) fn list_or_one<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        if self.peek() == b'{' {
            // The single-item alternative cannot start with `{`.
            self.brace_list(item)
        } else {
            item(self).map(|x| vec![x])
        }
    }

    /// Runs `f`; its node is spanned from the position before to the
    /// position after.
    pub(super) fn spanned<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let start = self.pos;
        let node = f(self)?;
        Some(Spanned::new(node, self.span(start, self.pos)))
    }

    /// Runs `f` one list level deeper; bails beyond [`MAX_DEPTH`].
    pub(super) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            return self.bail();
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }
}
