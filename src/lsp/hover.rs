//! Hover: what the word under the cursor is.
//!
//! - `$macro`, or the name of `name = ...`: the macro's value and where it
//!   is defined (the value it has at that reference, after expansion; in
//!   a fragment, as the ruleset including it defines it);
//! - `<table>`: its definition (the `table` statement, and for a table
//!   read from files how many entries they hold), or that it is not
//!   defined;
//! - a keyword: one paragraph on what it does ([`super::help`]);
//! - after `port`, `proto`, `icmp-type`/`icmp6-type` or `tos`: the number
//!   a name stands for (and the name of a number), from [`crate::names`];
//! - a tag after `tag` or `tagged`: which rules set it and which match it;
//! - an interface or group after `on`, `for` or `received-on` (and a
//!   macro there, through its value; elsewhere any name the node knows):
//!   what the node directory says of it ([`super::node`]), or that no
//!   node is configured.
//!
//! The word and its context come from the lexical scan of the statement
//! around the cursor ([`super::words`]), so half-typed text gets an
//! answer; macros, tables and tags from the document's analysis.

use super::analysis::{Analysis, Occurrence, Symbol, MAIN};
use super::help;
use super::node;
use super::position::LineIndex;
use super::server::{invalid_params, Server};
use super::words::{self, Kind, Token};
use crate::{FileId, Protocol, Span};
use lsp_server::ResponseError;
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind, Range};

/// `textDocument/hover`.
pub(crate) fn hover(server: &Server, params: HoverParams) -> Result<Option<Hover>, ResponseError> {
    let at = params.text_document_position_params;
    let doc = server.document(&at.text_document.uri)?;
    let text: &str = &doc.text;
    let index = LineIndex::new(text, server.encoding);
    let offset = index
        .offset(at.position)
        .ok_or_else(|| invalid_params("position outside the document".to_string()))?;
    let (tokens, i) = token_at(text, offset);
    let Some(i) = i else { return Ok(None) };
    let token = tokens[i];
    let word = token.text(text);
    let uri = &at.text_document.uri;
    let on_interface = matches!(
        context(text, &tokens, i),
        Some("on" | "for" | "received-on")
    );
    let value = match token.kind {
        Kind::Macro => {
            let mut analysis = server.analysis(uri)?;
            let mut file = MAIN;
            let name = word.trim_start_matches('$');
            let here = Span::new(MAIN, token.start, token.start);
            let used = analysis
                .resolved
                .macro_use_at(here)
                .is_some_and(|u| u.definition.name == name);
            if !token.definition && !used {
                // A fragment's macro, as the ruleset including it defines it.
                if let Some(scope) = server.through_includer(uri) {
                    (analysis, file) = scope;
                }
            }
            let mut out = macro_hover(&analysis, file, token, word);
            if on_interface && !token.definition {
                let here = Span::new(file, token.start, token.start);
                if let Some(u) = analysis.resolved.macro_use_at(here) {
                    let names: Vec<&str> = u
                        .definition
                        .value
                        .split(|c: char| c.is_whitespace() || "{},()".contains(c))
                        .filter(|w| !w.is_empty() && *w != "!")
                        .take(8)
                        .collect();
                    for section in interfaces_hover(server, uri, &names)? {
                        out.push_str(RULE);
                        out.push_str(&section);
                    }
                }
            }
            Some(out)
        }
        Kind::Word if on_interface => {
            Some(interfaces_hover(server, uri, &[node::bare(word)])?.join(RULE))
        }
        Kind::Table => {
            let (analysis, file) = server.scope(uri)?;
            let name = word.trim_start_matches('<').trim_end_matches('>');
            Some(table_hover(&analysis, file, name))
        }
        Kind::Keyword => keyword_hover(text, &tokens, i),
        Kind::Word | Kind::Number => match context(text, &tokens, i) {
            Some("tag" | "tagged") => {
                let (analysis, file) = server.scope(uri)?;
                tag_hover(&analysis, file, token)
            }
            Some(keyword) => match value_hover(keyword, word) {
                Some(v) => Some(v),
                // A name the node knows, wherever it is written
                // (`from em0:network`, `nat-to (carp0)`).
                None if token.kind == Kind::Word => match node::of(server, uri)? {
                    Ok(n) if node::knows(&n, node::bare(word)) => {
                        Some(node::describe(&n, node::bare(word)))
                    }
                    _ => None,
                },
                None => None,
            },
            None => None,
        },
        _ => None,
    };
    Ok(value.map(|value| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(Range::new(
            index.position(token.start),
            index.position(token.end),
        )),
    }))
}

/// Between two parts of a hover.
const RULE: &str = "\n\n---\n\n";

/// What the node says of each of `names`, or that there is no node.
fn interfaces_hover(
    server: &Server,
    uri: &lsp_types::Uri,
    names: &[&str],
) -> Result<Vec<String>, ResponseError> {
    Ok(match node::of(server, uri)? {
        Ok(n) => names.iter().map(|name| node::describe(&n, name)).collect(),
        Err(why) => vec![why],
    })
}

/// The tokens of the statement around `offset` (through the end of its
/// line) and the index of the one under it: the token holding the
/// offset, else the one ending there (the cursor just after a word).
pub(crate) fn token_at(text: &str, offset: usize) -> (Vec<Token>, Option<usize>) {
    let start = words::statement_start(text, offset);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let tokens = words::scan(text, start, end);
    let i = tokens
        .iter()
        .position(|t| t.start <= offset && offset < t.end)
        .or_else(|| tokens.iter().position(|t| t.end == offset));
    (tokens, i)
}

/// The keyword a value belongs to: the nearest keyword before it in the
/// statement (`port` for `ssh` in `port { ssh, www }`).
pub(crate) fn context<'t>(text: &'t str, tokens: &[Token], i: usize) -> Option<&'t str> {
    tokens[..i]
        .iter()
        .rev()
        .find(|t| t.kind == Kind::Keyword)
        .map(|t| t.text(text))
}

fn keyword_hover(text: &str, tokens: &[Token], i: usize) -> Option<String> {
    let word = tokens[i].text(text);
    let previous = i
        .checked_sub(1)
        .map(|p| tokens[p])
        .filter(|t| t.kind == Kind::Keyword)
        .map(|t| t.text(text));
    // Two-word keywords are explained at their first word.
    let key = match (previous, word) {
        (Some(p @ ("keep" | "modulate" | "synproxy" | "no")), "state") => p,
        (Some("load"), "anchor") => "load",
        _ => word,
    };
    help::keyword(key).map(|h| h.to_string())
}

/// A name or number after `port`, `proto`, `icmp-type`, `tos`.
fn value_hover(keyword: &str, word: &str) -> Option<String> {
    let number = word.parse::<u16>().ok();
    match keyword {
        "port" => match number {
            Some(n) => {
                let tcp = crate::names::service_name(n, Protocol::TCP);
                let udp = crate::names::service_name(n, Protocol::UDP);
                match (tcp, udp) {
                    (Some(t), Some(u)) if t == u => Some(format!("port {n}: `{t}`")),
                    (Some(t), Some(u)) => Some(format!("port {n}: `{t}` (tcp), `{u}` (udp)")),
                    (Some(t), None) => Some(format!("port {n}: `{t}` (tcp)")),
                    (None, Some(u)) => Some(format!("port {n}: `{u}` (udp)")),
                    (None, None) => None,
                }
            }
            None => crate::names::service_port(word).map(|p| format!("service `{word}`: port {p}")),
        },
        "proto" => match number.and_then(|n| u8::try_from(n).ok()) {
            Some(n) => crate::names::protocol_name(n).map(|p| format!("protocol {n}: `{p}`")),
            None => crate::names::protocol_number(word)
                .map(|n| format!("protocol `{word}`: number {n}")),
        },
        "icmp-type" | "icmp6-type" => {
            let v6 = keyword == "icmp6-type";
            let family = if v6 { "ICMPv6" } else { "ICMP" };
            match number.and_then(|n| u8::try_from(n).ok()) {
                Some(n) => {
                    crate::names::icmp_type_name(n, v6).map(|t| format!("{family} type {n}: `{t}`"))
                }
                None => crate::names::icmp_type(word, v6)
                    .map(|n| format!("{family} type `{word}`: number {n}")),
            }
        }
        "tos" => crate::names::tos_value(word).map(|v| format!("TOS `{word}`: 0x{v:02x}")),
        _ => None,
    }
}

/// Where a span is, as a hover says it: `line N` in the document (`doc`
/// in the analysis), `FILE line N` elsewhere.
fn place(analysis: &Analysis, doc: FileId, span: Span) -> String {
    let Some(file) = analysis.sources.get(span.file) else {
        return String::new();
    };
    let (line, _) = file.line_col(span.start());
    if span.file == doc {
        format!("line {line}")
    } else {
        let main = analysis
            .sources
            .get(doc)
            .map(|f| f.name.as_str())
            .unwrap_or("");
        let dir = std::path::Path::new(main).parent();
        let name = std::path::Path::new(&file.name);
        let shown = dir
            .map(|d| relative(d, name))
            .unwrap_or_else(|| name.to_path_buf())
            .display()
            .to_string();
        format!("`{shown}` line {line}")
    }
}

/// `path` from the directory `dir` (`lan.conf`, `../pf.conf`), or as it
/// is when they share no directory but the root.
fn relative(dir: &std::path::Path, path: &std::path::Path) -> std::path::PathBuf {
    let (d, p): (Vec<_>, Vec<_>) = (dir.components().collect(), path.components().collect());
    let common = d.iter().zip(&p).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return path.to_path_buf();
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    out.extend(&p[common..]);
    out
}

/// A macro's value at `token` of the document (`doc` in the analysis).
fn macro_hover(analysis: &Analysis, doc: FileId, token: Token, word: &str) -> String {
    let name = word.trim_start_matches('$');
    let here = Span::new(doc, token.start, token.start);
    let definition = |value: &str, span: Option<Span>| {
        let mut out = format!("```pf\n{name} = \"{value}\"\n```");
        match span {
            Some(s) => out.push_str(&format!("\n\ndefined on {}", place(analysis, doc, s))),
            None => out.push_str("\n\ndefined with `-D`"),
        }
        out
    };
    if token.definition {
        let span = Span::new(doc, token.start, token.end);
        if let Some(d) = analysis
            .resolved
            .macro_definitions
            .iter()
            .find(|d| d.span == Some(span))
        {
            let uses = analysis
                .occurrences()
                .iter()
                .filter(|o| o.symbol == Symbol::Macro && o.name == name && !o.definition)
                .count();
            return format!("{}\n\nused {uses} times", definition(&d.value, d.span));
        }
    }
    match analysis.resolved.macro_use_at(here) {
        Some(u) if u.definition.name == name => definition(&u.definition.value, u.definition.span),
        _ => format!("macro `{name}` is not defined here"),
    }
}

/// At most this many characters of a table's statement are shown.
const SHOWN: usize = 1200;

fn table_hover(analysis: &Analysis, doc: FileId, name: &str) -> String {
    let defs: Vec<&Occurrence> = analysis
        .occurrences()
        .iter()
        .filter(|o| o.symbol == Symbol::Table && o.definition && o.name == name)
        .collect();
    if defs.is_empty() {
        return format!("table `<{name}>` is not defined: pf creates it empty");
    }
    let mut out = String::new();
    for d in defs {
        let statement = d.statement.unwrap_or(d.span);
        let text = analysis.text(statement.file);
        let written = text.get(statement.start()..statement.end()).unwrap_or("");
        let mut shown: String = written.chars().take(SHOWN).collect();
        if shown.len() < written.len() {
            shown.push_str(" ...");
        }
        if !out.is_empty() {
            out.push_str(RULE);
        }
        out.push_str(&format!(
            "```pf\n{shown}\n```\n\ndefined on {}",
            place(analysis, doc, statement)
        ));
        for f in analysis.resolved.table_files.iter().filter(|f| {
            f.table == name
                && statement.start() <= f.span.start()
                && f.span.end() <= statement.end()
                && f.span.file == statement.file
        }) {
            if f.found {
                out.push_str(&format!("\n\n`{}`: {} entries", f.path, f.entries));
            } else {
                out.push_str(&format!("\n\n`{}`: not found", f.path));
            }
        }
    }
    out
}

fn tag_hover(analysis: &Analysis, doc: FileId, token: Token) -> Option<String> {
    let o = analysis
        .at(doc, token.start)
        .filter(|o| o.symbol == Symbol::Tag)?;
    let (set, matched) =
        analysis.same(o).fold(
            (0, 0),
            |(s, m), x| if x.definition { (s + 1, m) } else { (s, m + 1) },
        );
    Some(format!(
        "tag `{}`: set by {set} rule{}, matched by {matched}",
        o.name,
        if set == 1 { "" } else { "s" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover_of(text: &str, at: &str) -> Option<String> {
        let offset = text.find(at).unwrap();
        let (tokens, i) = token_at(text, offset);
        let i = i?;
        let token = tokens[i];
        match token.kind {
            Kind::Keyword => keyword_hover(text, &tokens, i),
            _ => value_hover(context(text, &tokens, i)?, token.text(text)),
        }
    }

    #[test]
    fn places_are_named_from_the_documents_directory() {
        use std::path::{Path, PathBuf};
        assert_eq!(
            relative(Path::new("/w/pf"), Path::new("/w/pf/a.conf")),
            PathBuf::from("a.conf")
        );
        assert_eq!(
            relative(Path::new("/w/pf"), Path::new("/w/pf.conf")),
            PathBuf::from("../pf.conf")
        );
        assert_eq!(
            relative(Path::new("/w"), Path::new("/v/pf.conf")),
            PathBuf::from("/v/pf.conf")
        );
    }

    #[test]
    fn keywords_are_explained_two_word_ones_at_their_first_word() {
        let text = "pass in quick proto tcp to port 22 keep state\n";
        assert!(hover_of(text, "quick")
            .unwrap()
            .starts_with("`quick` makes"));
        assert!(hover_of(text, "state").unwrap().starts_with("`keep state`"));
    }

    #[test]
    fn names_and_numbers_in_their_context() {
        let text =
            "pass in proto { tcp, 17 } to port { ssh, 80 } \\\n  icmp-type echoreq tos lowdelay\n";
        assert_eq!(hover_of(text, "tcp").unwrap(), "protocol `tcp`: number 6");
        assert_eq!(hover_of(text, "17").unwrap(), "protocol 17: `udp`");
        assert_eq!(hover_of(text, "ssh").unwrap(), "service `ssh`: port 22");
        assert_eq!(hover_of(text, "80").unwrap(), "port 80: `www`");
        assert_eq!(
            hover_of(text, "echoreq").unwrap(),
            "ICMP type `echoreq`: number 8"
        );
        assert_eq!(hover_of(text, "lowdelay").unwrap(), "TOS `lowdelay`: 0x10");
        // A port list on a line of its own still knows its keyword.
        let text = "pass in proto tcp to port {\n  ssh,\n  smtp }\n";
        assert_eq!(hover_of(text, "smtp").unwrap(), "service `smtp`: port 25");
    }
}
