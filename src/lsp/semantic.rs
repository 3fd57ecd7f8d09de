//! Semantic tokens (`textDocument/semanticTokens/full` and `/range`): the
//! document's words classified so that editor themes colour pf.conf.
//!
//! The legend uses the protocol's standard types, which themes know:
//! `keyword` for reserved words, `variable` for macros (`declaration`
//! where defined), `type` for tables (`declaration` in `table <t>`),
//! `enumMember` for addresses and prefixes, `number`, `string`,
//! `comment` and `operator`. Other words (interface, host, service
//! names) are left to the editor.
//!
//! Invariants: tokens come from the lexical scan ([`super::words`]), in
//! order and never overlapping; positions (and lengths) count in the
//! agreed encoding and are relative, as the protocol encodes them; no token spans lines. One pass over the text:
//! the line and column advance with the tokens, never searched again.

use super::position::{Encoding, LineIndex};
use super::server::{invalid_params, Server};
use super::words::{self, Kind};
use lsp_server::ResponseError;
use lsp_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
    SemanticTokensParams, SemanticTokensRangeParams, SemanticTokensRangeResult,
    SemanticTokensResult,
};

/// The token types, in legend order.
pub(crate) const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::TYPE,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::NUMBER,
    SemanticTokenType::STRING,
    SemanticTokenType::COMMENT,
    SemanticTokenType::OPERATOR,
];

/// The token modifiers, in legend order (bit 0: declaration).
pub(crate) const MODIFIERS: &[SemanticTokenModifier] = &[SemanticTokenModifier::DECLARATION];

/// The legend `initialize` advertises.
pub(crate) fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

/// The legend index of a kind's type; None for words left uncoloured.
fn type_index(kind: Kind) -> Option<u32> {
    Some(match kind {
        Kind::Keyword => 0,
        Kind::Macro => 1,
        Kind::Table => 2,
        Kind::Address => 3,
        Kind::Number => 4,
        Kind::String => 5,
        Kind::Comment => 6,
        Kind::Operator => 7,
        Kind::Word | Kind::Punct => return None,
    })
}

/// `textDocument/semanticTokens/full`.
pub(crate) fn full(
    server: &Server,
    params: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>, ResponseError> {
    let doc = server.document(&params.text_document.uri)?;
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data: encode(&doc.text, server.encoding),
    })))
}

/// `textDocument/semanticTokens/range`: the tokens of the lines the
/// range touches (from the start of the statement holding its start), so
/// an editor showing part of a large document asks for that part only.
pub(crate) fn range(
    server: &Server,
    params: SemanticTokensRangeParams,
) -> Result<Option<SemanticTokensRangeResult>, ResponseError> {
    let doc = server.document(&params.text_document.uri)?;
    let text: &str = &doc.text;
    let index = LineIndex::new(text, server.encoding);
    let (Some(start), Some(end)) = (
        index.offset(params.range.start),
        index.offset(params.range.end),
    ) else {
        return Err(invalid_params("range outside the document".to_string()));
    };
    let from = words::statement_start(text, start.min(end));
    let to = text[end.max(start)..]
        .find('\n')
        .map_or(text.len(), |i| end.max(start) + i);
    Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
        result_id: None,
        data: encode_lines(text, from, to, index.position(from).line, server.encoding),
    })))
}

/// The text's tokens, encoded.
pub(crate) fn encode(text: &str, encoding: Encoding) -> Vec<SemanticToken> {
    encode_lines(text, 0, text.len(), 0, encoding)
}

/// The tokens of `text[from..to]` encoded, `from` being the start of line
/// `first_line`.
fn encode_lines(
    text: &str,
    from: usize,
    to: usize,
    first_line: u32,
    encoding: Encoding,
) -> Vec<SemanticToken> {
    let tokens = words::scan(text, from, to);
    let mut out = Vec::with_capacity(tokens.len());
    // Where the walk is: byte offset, line, column there (in `encoding`).
    let (mut at, mut line, mut column) = (from, first_line, 0u32);
    // Positions are relative to the previous token, the first one to the
    // document's start.
    let (mut last_line, mut last_start) = (0u32, 0u32);
    let bytes = text.as_bytes();
    for t in tokens {
        let Some(token_type) = type_index(t.kind) else {
            continue;
        };
        // Advance to the token's start.
        while at < t.start {
            match bytes[at] {
                b'\n' => {
                    line += 1;
                    column = 0;
                    at += 1;
                }
                b'\r' if bytes.get(at + 1) != Some(&b'\n') => {
                    line += 1;
                    column = 0;
                    at += 1;
                }
                b if b < 0x80 => {
                    column += 1;
                    at += 1;
                }
                _ => {
                    let c = text[at..].chars().next().unwrap_or(' ');
                    column += encoding.units(c) as u32;
                    at += c.len_utf8();
                }
            }
        }
        let length = encoding.len(&text[t.start..t.end]) as u32;
        let delta_line = line - last_line;
        let delta_start = if delta_line == 0 {
            column - last_start
        } else {
            column
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type,
            token_modifiers_bitset: u32::from(t.definition),
        });
        last_line = line;
        last_start = column;
        column += length;
        at = t.end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decoded tokens: (line, column, length, type name, declaration).
    fn decode(text: &str) -> Vec<(u32, u32, u32, &'static str, bool)> {
        let (mut line, mut col) = (0, 0);
        encode(text, Encoding::Utf16)
            .into_iter()
            .map(|t| {
                if t.delta_line > 0 {
                    line += t.delta_line;
                    col = t.delta_start;
                } else {
                    col += t.delta_start;
                }
                let kind = TYPES[t.token_type as usize].as_str();
                (line, col, t.length, kind, t.token_modifiers_bitset == 1)
            })
            .collect()
    }

    #[test]
    fn each_kind_of_word_has_its_type() {
        let text = "ext = \"em0\" # é\ntable <bad> { 10/8, 2001:db8::/32 }\npass in on $ext from <bad> port 1024:2048 flags S/SA\n";
        assert_eq!(
            decode(text),
            vec![
                (0, 0, 3, "variable", true),
                (0, 4, 1, "operator", false),
                (0, 6, 5, "string", false),
                (0, 12, 3, "comment", false),
                (1, 0, 5, "keyword", false),
                (1, 6, 5, "type", true),
                (1, 14, 4, "enumMember", false),
                (1, 20, 13, "enumMember", false),
                (2, 0, 4, "keyword", false),
                (2, 5, 2, "keyword", false),
                (2, 8, 2, "keyword", false),
                (2, 11, 4, "variable", false),
                (2, 16, 4, "keyword", false),
                (2, 21, 5, "type", false),
                (2, 27, 4, "keyword", false),
                (2, 32, 9, "number", false),
                (2, 42, 5, "keyword", false),
            ]
        );
    }

    #[test]
    fn a_range_gives_the_same_tokens_as_the_whole_text_there() {
        let text = "# x\npass in \\\n  on $e to <t>\nblock all\nmatch out\n";
        let whole = decode(text);
        let from = words::statement_start(text, text.find("on $e").unwrap());
        assert_eq!(from, text.find("pass").unwrap());
        let to = text.find("\nmatch").unwrap();
        let part = encode_lines(text, from, to, 1, Encoding::Utf16);
        assert_eq!(part[0].delta_line, 1, "relative to the document's start");
        let lines: Vec<u32> = whole.iter().map(|t| t.0).collect();
        let inside = whole.iter().filter(|t| (1..=3).contains(&t.0)).count();
        assert_eq!(part.len(), inside, "{lines:?}");
    }

    #[test]
    fn columns_are_utf16_and_continuations_do_not_start_statements() {
        let text = "# 😀\nlabel_x = \"😀\" \\\n  y = 1\n";
        let d = decode(text);
        assert_eq!(d[0], (0, 0, 4, "comment", false));
        assert_eq!(d[1], (1, 0, 7, "variable", true));
        assert_eq!(d[3], (1, 10, 4, "string", false));
        // `y` continues the line above: a word, not a definition.
        assert!(d.iter().all(|t| t.0 != 2 || t.3 != "variable"));
    }

    #[test]
    fn in_utf8_columns_and_lengths_are_bytes() {
        let text = "# 😀\nlabel_x = \"😀\"\n";
        let tokens = encode(text, Encoding::Utf8);
        assert_eq!((tokens[0].delta_start, tokens[0].length), (0, 6));
        // The string `"😀"` starts at byte 10 of its line and is 6 bytes.
        assert_eq!((tokens[3].delta_start, tokens[3].length), (2, 6));
    }
}
