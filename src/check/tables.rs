//! Checks of `table` definitions: names, options (flags, `timeout`),
//! entries (addresses and prefixes as in rules, no ranges, interfaces or
//! nested tables) and a table defined twice in the same ruleset.
//!
//! Invariant: table names are per ruleset: the main ruleset and each
//! anchor keep their own map of defined tables.

use super::{Checker, MAX_TABLE_NAME};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::span::Span;
use std::collections::HashMap;

impl Checker {
    pub(super) fn table(&mut self, t: &TableDef, tables: &mut HashMap<String, Span>) {
        let name = t.name.node.text();
        if name.len() > MAX_TABLE_NAME {
            self.err(
                "too-long",
                t.name.span,
                format!("table name too long, max {MAX_TABLE_NAME} chars"),
            );
        }
        if let Some(prev) = tables.get(name) {
            let prev = *prev;
            self.diags.push(
                Diagnostic::error(
                    "redefined",
                    t.name.span,
                    format!("table <{name}> is defined twice"),
                )
                .with_label(prev, "first defined here")
                .with_help("merge the two definitions"),
            );
        } else {
            tables.insert(name.to_string(), t.name.span);
        }
        for o in &t.opts {
            match &o.node {
                TableOpt::Flag(f) => {
                    let w = f.node.text();
                    if !matches!(w, "const" | "persist" | "counters") {
                        self.help("bad-value", f.span, format!("invalid table option '{w}'"), "table options are persist, const, counters, timeout (n), file \"path\" and { addresses }");
                    }
                }
                TableOpt::Timeout(v) => {
                    self.unsigned(v, "only positive values permitted");
                }
                TableOpt::File(_) => {}
                TableOpt::Addresses(entries) => {
                    for e in entries {
                        self.table_entry(&e.host);
                        if let Some(w) = &e.weight {
                            self.ranged(w, 1, 65535, "weight out of range");
                        }
                    }
                }
            }
        }
    }

    fn table_entry(&mut self, h: &Spanned<Host>) {
        match &h.node.kind {
            HostKind::Range { .. } => {
                self.err(
                    "table-entry",
                    h.span,
                    "address ranges are not permitted inside tables",
                );
            }
            HostKind::Dynamic { .. } => {
                self.err(
                    "table-entry",
                    h.span,
                    "dynamic addresses are not permitted inside tables",
                );
            }
            HostKind::Table { .. } => {
                self.err("table-entry", h.span, "tables cannot contain tables");
            }
            HostKind::NoRoute => {
                self.err(
                    "table-entry",
                    h.span,
                    "\"no-route\" is not permitted inside tables",
                );
            }
            HostKind::UrpfFailed => {
                self.err(
                    "table-entry",
                    h.span,
                    "\"urpf-failed\" is not permitted inside tables",
                );
            }
            HostKind::Route { .. } | HostKind::Any => {
                self.err("table-entry", h.span, "could not parse host specification");
            }
            HostKind::List(v) => {
                for x in v {
                    self.table_entry(x);
                }
            }
            HostKind::Address { .. } => {
                let mut f = Vec::new();
                self.host(h, &mut f);
            }
        }
    }
}
