//! Formatting at the level of pfctl's tokens, where the AST cannot help:
//! statements whose shape depends on what their macros expand to
//! (`$nat_rule $ext_if from ...`, `pass in $logicmp inet proto icmp ...`),
//! which the parser leaves unparsed, and the values of list macros
//! (`ports = "{ 22, 80 }"`).
//!
//! Such a statement is cut into tokens as pfctl's lexer cuts it (`yylex`
//! in parse.y: blanks separate tokens, `{ } ( ) , < > ! = /` are tokens of
//! their own, a backslash-newline disappears, a quoted string is one
//! token) and written again with the spacing the printer gives typed
//! statements: single spaces, `{ a, b }`, `(self)`, `<table>`,
//! `10.0.0.0/8`, `! em0`. The tokens are the same, so the statement means
//! the same once its macros are expanded (and the safety net checks it).
//! A `{ }` list whose items are single tokens gets its commas (pfctl's
//! `comma` is optional); other lists keep the commas written.

use super::print::quote;
use crate::parser::keywords;

/// A token of a statement as pfctl's lexer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// A word: a keyword, a name, an address, a number, a `$macro`
    /// reference (with what is glued to it), a `<table>`.
    Word(String),
    /// A quoted string, as it is to be written (quotes included).
    Quoted(String),
    /// Punctuation: `{ } ( ) , / ! = < > <= >= != <> ><`.
    Punct(&'static str),
}

impl Tok {
    fn is(&self, p: &str) -> bool {
        matches!(self, Tok::Punct(q) if *q == p)
    }

    fn word(&self) -> Option<&str> {
        match self {
            Tok::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// The tokens of a statement's text, or `None` when the text holds what
/// this module does not rewrite (a comment, a string glued to a word, a
/// backslash at the very end, unbalanced brackets, a control character
/// other than a blank or a line end, which pfctl's lexer takes for a
/// token of its own).
fn tokenize(text: &str) -> Option<Vec<Tok>> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut word = String::new();
    // Whether the last thing read was a quoted string, with nothing after
    // it yet: a word character there would be glued to it.
    let mut after_quote = false;
    let flush = |word: &mut String, toks: &mut Vec<Tok>| {
        if !word.is_empty() {
            toks.push(Tok::Word(std::mem::take(word)));
        }
    };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                flush(&mut word, &mut toks);
                after_quote = false;
                i += 1;
            }
            b'\\' => match b.get(i + 1) {
                // A continuation is nothing at all to pfctl: inside a word
                // it glues the word's halves, which pfconf's parser does
                // not do. Such a statement is kept as written.
                Some(b'\n' | b'\r') => {
                    let n = if b[i + 1] == b'\r' { 3 } else { 2 };
                    if b[i + 1] == b'\r' && b.get(i + 2) != Some(&b'\n') {
                        return None;
                    }
                    let next = b.get(i + n).copied().unwrap_or(b' ');
                    if (!word.is_empty() || after_quote)
                        && !matches!(next, b' ' | b'\t' | b'\r' | b'\n')
                    {
                        return None;
                    }
                    i += n;
                }
                // An escaped blank is a blank.
                Some(b' ' | b'\t') => {
                    flush(&mut word, &mut toks);
                    after_quote = false;
                    i += 2;
                }
                Some(_) => {
                    if after_quote {
                        return None;
                    }
                    let n = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    word.push_str(&text[i..i + 1 + n]);
                    i += 1 + n;
                }
                None => return None,
            },
            b'"' | b'\'' => {
                if !word.is_empty() || after_quote {
                    return None;
                }
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return None,
                        Some(&b'\\') if b.get(i + 1) == Some(&c) => i += 2,
                        Some(&q) if q == c => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
                toks.push(Tok::Quoted(requote(&text[start..i])));
                after_quote = true;
            }
            b'#' => return None,
            c if c.is_ascii_control() => return None,
            b'{' | b'}' | b'(' | b')' | b',' | b'/' | b'!' | b'=' | b'<' | b'>' => {
                flush(&mut word, &mut toks);
                after_quote = false;
                let next = b.get(i + 1).copied();
                let (p, n): (&'static str, usize) = match (c, next) {
                    (b'<', Some(b'>')) => ("<>", 2),
                    (b'<', Some(b'=')) => ("<=", 2),
                    (b'>', Some(b'<')) => ("><", 2),
                    (b'>', Some(b'=')) => (">=", 2),
                    (b'!', Some(b'=')) => ("!=", 2),
                    (b'{', _) => ("{", 1),
                    (b'}', _) => ("}", 1),
                    (b'(', _) => ("(", 1),
                    (b')', _) => (")", 1),
                    (b',', _) => (",", 1),
                    (b'/', _) => ("/", 1),
                    (b'!', _) => ("!", 1),
                    (b'=', _) => ("=", 1),
                    (b'<', _) => ("<", 1),
                    _ => (">", 1),
                };
                toks.push(Tok::Punct(p));
                i += n;
            }
            _ => {
                if after_quote {
                    return None;
                }
                let n = text[i..].chars().next().map_or(1, char::len_utf8);
                word.push_str(&text[i..i + n]);
                i += n;
            }
        }
    }
    flush(&mut word, &mut toks);
    // `< name >` is a table name: one word, as the printer writes it.
    let mut merged: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut k = 0;
    while k < toks.len() {
        if toks[k].is("<") {
            if let (Some(Tok::Word(w)), Some(close)) = (toks.get(k + 1), toks.get(k + 2)) {
                if close.is(">") {
                    merged.push(Tok::Word(format!("<{w}>")));
                    k += 3;
                    continue;
                }
            }
        }
        merged.push(toks[k].clone());
        k += 1;
    }
    // Brackets must pair up (the splitter only ends a statement outside
    // braces; a stray one means a broken statement).
    let mut open: Vec<&str> = Vec::new();
    for t in &merged {
        match t {
            Tok::Punct(p @ ("{" | "(")) => open.push(p),
            Tok::Punct("}") if open.pop() != Some("{") => return None,
            Tok::Punct(")") if open.pop() != Some("(") => return None,
            _ => {}
        }
    }
    open.is_empty().then_some(merged)
}

/// A quoted string written with double quotes when that spells the same
/// value, else as it was.
fn requote(raw: &str) -> String {
    let q = raw.chars().next().unwrap_or('"');
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let value = crate::parser::unquote(inner, q);
    let again = quote(&value);
    let again_inner = &again[1..again.len() - 1];
    if crate::parser::unquote(again_inner, '"') == value {
        again
    } else {
        raw.to_string()
    }
}

/// Words that make a `{ }` list item more than one token.
const IN_ITEMS: &[&str] = &["code", "weight", "port", "-"];

/// Writes the lists whose items are single tokens with commas between
/// them (pfctl's `comma` is optional: `{ a b }` is `{ a, b }`).
fn with_commas(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len() + 4);
    let mut i = 0;
    while i < toks.len() {
        if toks[i].is("{") {
            // The list's own tokens, up to its `}` (a nested bracket makes
            // it not simple).
            let mut j = i + 1;
            let mut simple = true;
            while j < toks.len() && !toks[j].is("}") {
                match &toks[j] {
                    Tok::Word(w) if !IN_ITEMS.contains(&w.as_str()) => {}
                    Tok::Quoted(_) => {}
                    Tok::Punct(",") => {}
                    _ => simple = false,
                }
                j += 1;
            }
            // Commas only between items: a stray one is a syntax error
            // for pfctl, which this must not mend.
            let inner = &toks[i + 1..j.min(toks.len())];
            let stray = inner.first().is_some_and(|t| t.is(","))
                || inner.last().is_some_and(|t| t.is(","))
                || inner.windows(2).any(|w| w[0].is(",") && w[1].is(","));
            if simple && !stray && j < toks.len() {
                out.push(Tok::Punct("{"));
                let items: Vec<&Tok> = toks[i + 1..j].iter().filter(|t| !t.is(",")).collect();
                for (k, t) in items.iter().enumerate() {
                    if k > 0 {
                        out.push(Tok::Punct(","));
                    }
                    out.push((*t).clone());
                }
                out.push(Tok::Punct("}"));
                i = j + 1;
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// Appends `t` to `s` with the spacing the printer uses after `prev`.
fn push_spaced(s: &mut String, prev: Option<&Tok>, t: &Tok) {
    let text = match t {
        Tok::Word(w) | Tok::Quoted(w) => w.as_str(),
        Tok::Punct(p) => p,
    };
    let space = match prev {
        None => false,
        Some(p) => {
            !(p.is("(")
                || t.is(")")
                || t.is(",")
                || (t.is("/") && p.word() != Some("flags"))
                || p.is("/"))
        }
    };
    if space {
        s.push(' ');
    }
    s.push_str(text);
}

/// True for a word that starts a piece of the layout (see
/// [`super::layout`]) as the printer cuts typed rules: the parts of a rule
/// after its head, and the first word of every filter option.
fn starts_piece(w: &str) -> bool {
    matches!(w, "on" | "from" | "to" | "all" | "os") || keywords::starts_option(w)
}

/// A `set` item's first word (`prio`, `queue`...).
fn set_item(w: &str) -> bool {
    keywords::set_option(w.as_bytes()).is_some()
}

/// The first word of an option a `!` may come before.
fn negatable(w: &str) -> bool {
    keywords::rule_option(w.as_bytes()).is_some_and(|s| s.negatable)
}

/// The pieces of a statement the parser left unparsed (its shape depends
/// on its macros), its tokens written canonically; `None` when it is to
/// be kept as written (see [`tokenize`]).
pub(super) fn unparsed_pieces(text: &str) -> Option<Vec<String>> {
    let toks = with_commas(tokenize(text)?);
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    // The word that started the current piece.
    let mut head: Option<&str> = None;
    let mut depth = 0usize;
    let mut prev: Option<&Tok> = None;
    for (i, t) in toks.iter().enumerate() {
        let starts = depth == 0
            && i > 0
            && match t {
                Tok::Word(w) => {
                    let after = prev.and_then(Tok::word);
                    let w = w.as_str();
                    match w {
                        // Words that go on the piece before them: `keep
                        // state`, `set prio`, `af-to inet6 from a to b`,
                        // `! tagged`, `on em0 inet proto tcp`.
                        "state" => !matches!(after, Some("keep" | "modulate" | "synproxy" | "no")),
                        _ if after == Some("set") && set_item(w) => false,
                        "from" | "to" => head != Some("af-to"),
                        _ if negatable(w) => !prev.is_some_and(|p| p.is("!")),
                        "inet" | "inet6" | "proto" => {
                            !matches!(head, Some("on" | "af-to" | "inet" | "inet6"))
                        }
                        _ => starts_piece(w),
                    }
                }
                Tok::Punct("!") => toks.get(i + 1).and_then(Tok::word).is_some_and(negatable),
                _ => false,
            };
        if starts && !cur.is_empty() {
            pieces.push(std::mem::take(&mut cur));
            prev = None;
            head = match t {
                Tok::Word(w) => Some(w.as_str()),
                _ => None,
            };
        }
        push_spaced(&mut cur, prev, t);
        if t.is("{") || t.is("(") {
            depth += 1;
        } else if t.is("}") || t.is(")") {
            depth = depth.saturating_sub(1);
        }
        prev = Some(t);
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    (!pieces.is_empty()).then_some(pieces)
}

/// A list macro's value with its blanks made canonical: `None` unless the
/// value is a `{ }` list (its first and last characters past any blanks),
/// with balanced braces and quotes and no comment, backslash or carriage
/// return outside quotes. Each run of blanks outside quoted strings
/// becomes one space (runs at the ends stay one space: they separate the
/// value from what it is glued to); quoted strings stay byte for byte.
pub(crate) fn normal_list(v: &str) -> Option<String> {
    let t = v.trim_matches(|c| c == ' ' || c == '\t');
    if !t.starts_with('{') || !t.ends_with('}') {
        return None;
    }
    let mut out = String::with_capacity(v.len());
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut blank = false;
    let mut chars = v.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' && chars.peek() == Some(&q) {
                out.push(q);
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            ' ' | '\t' => {
                if !blank {
                    out.push(' ');
                }
                blank = true;
                continue;
            }
            '"' | '\'' => quote = Some(c),
            '{' => depth += 1,
            '}' => depth = depth.checked_sub(1)?,
            '#' | '\\' | '\r' | '\n' => return None,
            _ => {}
        }
        blank = false;
        out.push(c);
    }
    (quote.is_none() && depth == 0).then_some(out)
}
