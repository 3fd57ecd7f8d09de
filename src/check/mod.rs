//! pfctl's semantic checks on a resolved ruleset.
//!
//! These are the errors pfctl reports after a statement parsed: values out
//! of range, options given twice, options that do not fit the rule's
//! protocol, family, direction or action, bad addresses and ports, and the
//! checks over the whole ruleset (queues, tables, anchors). Messages keep
//! pfctl's wording so that operators recognise them; the span points at
//! the offending part and a help line says what to do instead.
//!
//! Service, protocol and ICMP names resolve through [`crate::names`]
//! (OpenBSD's tables, not the host's). Interface, user and host names are
//! accepted without resolution: we run where they do not exist.
//!
//! Layout: this module holds the entry point [`check`], the driver that
//! walks every statement of the main ruleset and of each loaded anchor,
//! and the helpers all topics share (error constructors, number parsing,
//! "did you mean" hints). Each topic adds its methods to the same private
//! checker in its own module:
//!
//! - `options`: `set` options;
//! - `rules`: pass/block/match rules, anchor rules, `antispoof`, `log`;
//! - `addresses`: hosts, interfaces, ports, user and group ids;
//! - `protocols`: `proto`, TCP `flags`, ICMP types and codes, `tos`;
//! - `translation`: `nat-to`, `rdr-to`, `binat-to` and their pools;
//! - `state`: state options, `scrub (...)`, state and source limiters;
//! - `tables` and `queues`: their definitions and the queue tree.
//!
//! The value parsers other stages share too (address words, ports, table
//! file entries, TCP flags, timeout names) live below this module, in
//! `crate::values`; their public items are re-exported here.
//!
//! Invariants: the checker only reads the resolved ruleset and appends to
//! its list of diagnostics; a finding never stops the walk, so one run
//! reports every error; every finding carries a stable code and the span
//! of the part at fault.

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::resolve::Resolved;
use crate::span::{SourceMap, Span};
use std::collections::{HashMap, HashSet};

mod addresses;
mod options;
mod protocols;
mod queues;
mod rules;
mod state;
mod tables;
mod translation;

pub use crate::values::{
    addr_net, host_net, parse_addr_word, port_value, table_file_entry, AddrWord, Family,
};

/// PF_TABLE_NAME_SIZE - 1
pub const MAX_TABLE_NAME: usize = 31;

/// PF_TAG_NAME_SIZE - 1
pub const MAX_TAG: usize = 63;

/// PF_RULE_LABEL_SIZE - 1
pub const MAX_LABEL: usize = 63;

/// PF_QNAME_SIZE - 1
pub const MAX_QNAME: usize = 63;

/// IFNAMSIZ - 1
pub const MAX_IFNAME: usize = 15;

/// Parses a number as pfctl's lexer would (decimal, optional minus).
fn number(v: &SValue) -> Option<i64> {
    v.node.text().parse::<i64>().ok()
}

/// Timeout names (`set timeout`, state options), in pfctl's print order.
const TIMEOUTS: &[&str] = crate::values::TIMEOUT_ORDER;

struct Checker {
    diags: Vec<Diagnostic>,
    queues: HashSet<String>,
    state_defaults_seen: bool,
    block_policy_return: bool,
}

/// Runs every check over a resolved ruleset.
pub fn check(resolved: &Resolved, map: &SourceMap) -> Vec<Diagnostic> {
    let mut c = Checker {
        diags: Vec::new(),
        queues: HashSet::new(),
        state_defaults_seen: false,
        block_policy_return: false,
    };
    carriage_returns(map, &mut c.diags);
    let mut tables = HashMap::new();
    c.ruleset(&resolved.ruleset, &mut tables);
    c.queue_tree(&resolved.ruleset);
    for a in &resolved.loaded_anchors {
        let mut t = HashMap::new();
        c.ruleset(&a.ruleset, &mut t);
    }
    // A finding inside an expanded macro points at the `$ref`; show the
    // definition too.
    if !resolved.macro_uses.is_empty() {
        for d in &mut c.diags {
            if let Some(u) = resolved.macro_use_at(d.span) {
                if let Some(def) = u.definition.span {
                    let label = format!(
                        "`${}` is defined as \"{}\"",
                        u.definition.name, u.definition.value
                    );
                    d.labels.push(crate::diag::Label {
                        span: def,
                        message: label,
                    });
                }
            }
        }
    }
    c.diags
}

/// pfctl's lexer skips only spaces and tabs between words: a carriage
/// return (a file saved with CRLF line ends) is a character of its own,
/// which no rule accepts. pfconf's splitter reads past it, so this is
/// where the file is rejected: once per file, at the first one.
fn carriage_returns(map: &SourceMap, diags: &mut Vec<Diagnostic>) {
    for (f, id) in map.files().iter().zip(0u32..) {
        if let Some(at) = f.text.find('\r') {
            let line = f.line_col(at).0;
            let what = if f.text[at..].starts_with("\r\n") {
                " (the file has CRLF line ends)"
            } else {
                ""
            };
            diags.push(
                Diagnostic::error(
                    "carriage-return",
                    Span::new(crate::span::FileId(id), at, at + 1),
                    format!("carriage return on line {line}{what}: pfctl reads it as a character and rejects the file"),
                )
                .with_help("save the file with Unix line ends (LF only): `pfconf fmt FILE` rewrites them, or use `dos2unix`"),
            );
        }
    }
}

impl Checker {
    fn err(&mut self, code: &'static str, span: Span, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::error(code, span, msg));
        let n = self.diags.len() - 1;
        &mut self.diags[n]
    }

    fn help(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(code, span, msg).with_help(help));
    }

    fn ruleset(&mut self, rs: &Ruleset, tables: &mut HashMap<String, Span>) {
        let mut inline_anchors: HashMap<String, Span> = HashMap::new();
        for s in &rs.statements {
            match &s.kind {
                StatementKind::Option(o) => self.option(o, s.span),
                StatementKind::Rule(r) => self.filter_rule(r, s.span, false),
                StatementKind::Anchor(a) => {
                    self.anchor(a, s.span, &mut inline_anchors);
                    if let Some(body) = &a.body {
                        let mut t = HashMap::new();
                        self.ruleset(body, &mut t);
                    }
                }
                StatementKind::Table(t) => self.table(t, tables),
                StatementKind::Queue(q) => self.queue(q, s.span),
                StatementKind::Antispoof(a) => self.antispoof(a),
                StatementKind::Limiter(l) => self.limiter(l, s.span),
                StatementKind::LoadAnchor(l) => self.load_anchor_name(&l.name),
                _ => {}
            }
        }
    }

    /// The name of a `load anchor`, through parse.y 1.719's `anchorname`
    /// action as an anchor rule's (`load anchor from FILE`, with no name
    /// at all, is the parser's: "anchor name is missing").
    fn load_anchor_name(&mut self, name: &SValue) {
        let t = name.node.text();
        if t.is_empty() {
            self.err("anchor-name", name.span, "anchor name must not be empty");
        } else if t.starts_with('_') || t.contains("/_") {
            self.err(
                "anchor-name",
                name.span,
                "anchor names beginning with '_' are reserved for internal use",
            );
        }
    }

    fn unsigned(&mut self, v: &SValue, msg: &str) -> Option<u64> {
        match number(v) {
            Some(n) if (0..=i64::from(u32::MAX)).contains(&n) => Some(n as u64),
            Some(_) => {
                self.err("bad-value", v.span, msg.to_string());
                None
            }
            None => {
                self.err(
                    "bad-value",
                    v.span,
                    format!("{} is not a number", v.node.text()),
                );
                None
            }
        }
    }

    fn ranged(&mut self, v: &SValue, lo: i64, hi: i64, msg: impl Into<String>) -> Option<i64> {
        match number(v) {
            Some(n) if n >= lo && n <= hi => Some(n),
            _ => {
                self.err("bad-value", v.span, msg);
                None
            }
        }
    }
}

fn join(v: &[SValue]) -> String {
    v.iter()
        .map(|x| x.node.text())
        .collect::<Vec<_>>()
        .join(" ")
}

fn closest<'s>(word: &str, candidates: &[&'s str]) -> Option<&'s str> {
    candidates
        .iter()
        .map(|c| (crate::diag::edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests;
