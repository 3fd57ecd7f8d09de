//! Macros, as pfctl's lexer expands them: `define` (a definition's
//! value is its words joined by single spaces, earlier macros expanded,
//! `-D` definitions win), `expand` (textual substitution outside quotes,
//! building a `PosMap::Segments` so that spans of the expanded text point
//! back at the `$ref` and the definition, bounded by
//! `MAX_EXPANDED_LEN`), and the labels that show a diagnostic's macros and
//! include chain. Methods of `Resolver`.

use super::*;

impl Resolver<'_> {
    pub(super) fn define(&mut self, name: String, value: String, span: Span) {
        self.definitions.push(MacroInfo {
            name: name.clone(),
            value: value.clone(),
            span: Some(span),
            used: false,
        });
        if let Some(m) = self
            .macro_index
            .get(&name)
            .and_then(|&i| self.macros.get_mut(i))
        {
            if m.span.is_none() {
                // `-D` wins, as pfctl's persistent symbols do.
                return;
            }
            if let Some(first) = m.span {
                self.redefinitions.push(MacroRedefinition {
                    name: name.clone(),
                    first,
                    again: span,
                    first_used: m.used,
                });
            }
            m.value = value;
            m.span = Some(span);
            m.used = false;
            if let Some(&i) = self.macro_index.get(&name) {
                if let Some(t) = self.use_texts.get_mut(i) {
                    *t = None;
                }
            }
            return;
        }
        self.macro_index.insert(name.clone(), self.macros.len());
        self.macros.push(MacroInfo {
            name,
            value,
            span: Some(span),
            used: false,
        });
    }

    /// Expands macros in `text` (which sits at `span`). None when a macro
    /// is undefined (reported).
    pub(super) fn expand(&mut self, text: &str, span: Span) -> Option<(String, PosMap)> {
        let mut out = String::with_capacity(text.len());
        let mut segs: Vec<Segment> = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut lit_start = 0;
        let mut quote: Option<u8> = None;
        let mut comment = false;
        let mut ok = true;
        let push_lit = |out: &mut String, segs: &mut Vec<Segment>, from: usize, to: usize| {
            if to > from {
                let ts = out.len();
                out.push_str(&text[from..to]);
                segs.push(Segment {
                    text_start: ts,
                    span: Span::new(span.file, span.start() + from, span.start() + to),
                    literal: true,
                });
            }
        };
        while i < bytes.len() {
            let c = bytes[i];
            if comment {
                if c == b'\n' {
                    comment = false;
                }
                i += 1;
                continue;
            }
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(q), b'\\') if bytes.get(i + 1) == Some(&q) => i += 1,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(c),
                (None, b'#') => comment = true,
                // Like pfctl's lexer, only a `$` that starts a token
                // expands; inside a word (`e$b`) it is a plain character.
                (None, b'$') if i == 0 || !is_word_byte(bytes[i - 1]) => {
                    let name_start = i + 1;
                    let mut j = name_start;
                    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_')
                    {
                        j += 1;
                    }
                    let name = &text[name_start..j];
                    let ref_span = Span::new(span.file, span.start() + i, span.start() + j);
                    push_lit(&mut out, &mut segs, lit_start, i);
                    let found = self.macro_index.get(name).copied();
                    match found.and_then(|i| Some((i, self.macros.get_mut(i)?))) {
                        Some((at, m)) => {
                            m.used = true;
                            let ts = out.len();
                            out.push_str(&m.value);
                            if self.use_texts.len() <= at {
                                self.use_texts.resize(at + 1, None);
                            }
                            let definition = self.use_texts[at]
                                .get_or_insert_with(|| {
                                    let mut value: String = m.value.chars().take(80).collect();
                                    if value.len() < m.value.len() {
                                        value.push_str("...");
                                    }
                                    Arc::new(UsedDefinition {
                                        name: m.name.clone(),
                                        span: m.span,
                                        value,
                                    })
                                })
                                .clone();
                            self.macro_uses.push(MacroUse {
                                reference: ref_span,
                                definition,
                            });
                            segs.push(Segment {
                                text_start: ts,
                                span: ref_span,
                                literal: false,
                            });
                        }
                        None => {
                            let mut d = Diagnostic::error(
                                "undefined-macro",
                                ref_span,
                                format!("macro '{name}' not defined"),
                            );
                            // Hints compare the name with the defined
                            // macros; the total work is bounded so that a
                            // file of many undefined references stays linear.
                            let budget = HINT_BUDGET.saturating_sub(self.hints);
                            let candidates = self.macros.len().min(budget);
                            self.hints += candidates;
                            let close = self.macros[..candidates]
                                .iter()
                                .filter(|m| edit_distance(&m.name, name) <= 2)
                                .map(|m| m.name.clone())
                                .next();
                            d = match close {
                                Some(c) => d.with_help(format!("did you mean `${c}`?")),
                                None => d.with_help(format!(
                                    "define it before this line (`{name} = \"...\"`) or pass `-D {name}=...`"
                                )),
                            };
                            self.diags.push(d);
                            ok = false;
                        }
                    }
                    lit_start = j;
                    i = j;
                    if out.len() > MAX_EXPANDED_LEN {
                        self.diags.push(Diagnostic::error(
                            "too-long",
                            span,
                            format!("statement longer than {MAX_EXPANDED_LEN} bytes after macro expansion"),
                        ));
                        return None;
                    }
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        push_lit(&mut out, &mut segs, lit_start, bytes.len());
        if !ok {
            return None;
        }
        Some((out, PosMap::Segments(segs)))
    }

    /// Adds "expands to" labels for the macros used in a failing statement.
    pub(super) fn label_macros(&self, mut d: Diagnostic, text: &str, span: Span) -> Diagnostic {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                    j += 1;
                }
                let ref_span = Span::new(span.file, span.start() + i, span.start() + j);
                if ref_span.start() <= d.span.start()
                    && d.span.end() <= ref_span.end().max(d.span.start())
                {
                    let m = self
                        .macro_index
                        .get(&text[i + 1..j])
                        .and_then(|&k| self.macros.get(k));
                    if let Some(m) = m {
                        if let Some(def) = m.span {
                            d = d.with_label(
                                def,
                                format!("`${}` is defined as \"{}\"", m.name, m.value),
                            );
                        }
                    }
                }
                i = j;
            } else {
                i += 1;
            }
        }
        d
    }

    pub(super) fn chain_labels(&self, mut d: Diagnostic) -> Diagnostic {
        for (_, span) in self.chain.iter().rev() {
            d = d.with_label(*span, "included from here");
        }
        d
    }
}
