//! What resolution returns: `Resolved` (the expanded statements with
//! every macro's definition and uses, the includes and loaded anchors
//! with the statement that read each file, and the table files) and the
//! `Options` it takes. Plain data; spans point into the run's
//! `SourceMap`.

use crate::ast::*;
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};
use serde::Serialize;
use std::sync::Arc;

/// Resolution settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-D name=value` definitions; they win over the file's.
    pub defines: Vec<(String, String)>,
    /// Keep the main file's source AST (statements as written, with their
    /// trivia) in [`Resolved::source`], for a caller that formats the file
    /// after checking it ([`crate::Report::format`]) without parsing it
    /// again. Off by default: it costs the memory of a second AST.
    pub keep_source: bool,
}

/// A macro definition seen during resolution.
#[derive(Debug, Clone, Serialize)]
pub struct MacroInfo {
    /// Name.
    pub name: String,
    /// Expanded value.
    pub value: String,
    /// The definition (None for `-D`).
    pub span: Option<Span>,
    /// Referenced at least once.
    pub used: bool,
}

/// What was learnt of a `table ... file`.
#[derive(Debug, Clone, Serialize)]
pub struct TableFile {
    /// Table name.
    pub table: String,
    /// Path as written.
    pub path: String,
    /// The `file "..."` option.
    pub span: Span,
    /// Entries read (0 when missing).
    pub entries: usize,
    /// Whether the file could be read.
    pub found: bool,
    /// The addresses read, with their `!` (for the evaluator); None when
    /// the file holds host names, which only the host can resolve.
    #[serde(skip)]
    pub addresses: Option<Vec<(bool, ipnet::IpNet)>>,
}

/// An anchor loaded with `load anchor NAME from FILE`.
#[derive(Debug, Clone, Serialize)]
pub struct LoadedAnchor {
    /// Anchor path.
    pub name: String,
    /// The statement.
    pub span: Span,
    /// The file read.
    pub file: FileId,
    /// Its resolved rules.
    pub ruleset: Ruleset,
}

/// An `include` statement and the file it read.
#[derive(Debug, Clone, Serialize)]
pub struct Included {
    /// The statement.
    pub span: Span,
    /// The path as written (after macro expansion: the `$macro` when one
    /// gives it).
    pub path: Span,
    /// The file read; None when it could not be (missing, a cycle, a
    /// limit).
    pub file: Option<FileId>,
}

impl Resolved {
    /// Every pass/block/match rule with its statement's span: the main
    /// ruleset, inline anchor bodies and anchors loaded from files (`load
    /// anchor ... from`).
    ///
    /// ```
    /// let report = pfconf::check_str("pf.conf", "block all\nanchor \"web\" {\n  pass in proto tcp to port 443\n}\n");
    /// assert_eq!(report.resolved.every_rule().len(), 2);
    /// ```
    pub fn every_rule(&self) -> Vec<(&FilterRule, Span)> {
        fn walk<'r>(rs: &'r Ruleset, out: &mut Vec<(&'r FilterRule, Span)>) {
            for s in &rs.statements {
                match &s.kind {
                    StatementKind::Rule(r) => out.push((r, s.span)),
                    StatementKind::Anchor(a) => {
                        if let Some(b) = &a.body {
                            walk(b, out);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.ruleset, &mut out);
        for l in &self.loaded_anchors {
            walk(&l.ruleset, &mut out);
        }
        out
    }

    /// The rules loaded for the anchor at `path` (`one/two` for an
    /// `anchor "two"` inside anchor `one`), if a `load anchor` read them.
    pub fn loaded(&self, path: &str) -> Option<&Ruleset> {
        if let Some(l) = self.loaded_anchors.iter().find(|l| l.name == path) {
            return Some(&l.ruleset);
        }
        // `anchor "block/default"` with `load anchor "block" from FILE`:
        // the rules of the inline anchor `default` inside the loaded file.
        let (prefix, rest) = self
            .loaded_anchors
            .iter()
            .filter_map(|l| {
                path.strip_prefix(l.name.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .map(|r| (l, r))
            })
            .max_by_key(|(l, _)| l.name.len())?;
        let mut rs = &prefix.ruleset;
        for part in rest.split('/') {
            rs = rs.statements.iter().find_map(|s| match &s.kind {
                StatementKind::Anchor(a)
                    if a.name.as_ref().is_some_and(|n| n.node.text() == part) =>
                {
                    a.body.as_ref()
                }
                _ => None,
            })?;
        }
        Some(rs)
    }
}

/// A ruleset after resolution.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Resolved {
    /// The main ruleset: includes inlined, macros expanded, macro
    /// definitions removed (see `macros`).
    pub ruleset: Ruleset,
    /// Anchors loaded from files.
    pub loaded_anchors: Vec<LoadedAnchor>,
    /// Every macro definition.
    pub macros: Vec<MacroInfo>,
    /// Every table file.
    pub table_files: Vec<TableFile>,
    /// Every expanded `$ref`, in the order met (for diagnostics that point
    /// at a reference and want the definition as a second label).
    pub macro_uses: Vec<MacroUse>,
    /// Macros defined again after a first definition.
    pub macro_redefinitions: Vec<MacroRedefinition>,
    /// Every definition in the order read, with the value it had then
    /// (`macros` keeps only the last value of each name).
    pub macro_definitions: Vec<MacroInfo>,
    /// Every `include` statement met, in the order read (for editors:
    /// which statement read which file).
    pub includes: Vec<Included>,
    /// The main file as parsed, before resolution: its statements as
    /// written (macros unexpanded, includes not inlined) with their
    /// trivia, as the formatter reads them. Only with
    /// [`Options::keep_source`].
    pub source: Option<Ruleset>,
    /// Errors of [`Resolved::source`] the resolution does not report: a
    /// statement with macros is parsed as written only for the source
    /// form (the formatter refuses a file with such an error).
    pub(crate) source_errors: Vec<Diagnostic>,
}

/// A macro defined a second time (the later value wins from there on).
#[derive(Debug, Clone, Serialize)]
pub struct MacroRedefinition {
    /// Name.
    pub name: String,
    /// The earlier definition.
    pub first: Span,
    /// The later one.
    pub again: Span,
    /// Whether the earlier value was used before being replaced.
    pub first_used: bool,
}

/// One expanded `$name` reference (24 bytes: what it expanded to is
/// shared by every use of one definition). Serialized with the fields of
/// its [`UsedDefinition`] beside `reference`.
#[derive(Debug, Clone, Serialize)]
pub struct MacroUse {
    /// The `$name` in the source.
    pub reference: Span,
    /// The definition it expanded.
    #[serde(flatten)]
    pub definition: Arc<UsedDefinition>,
}

/// The macro definition a [`MacroUse`] expanded, as the use saw it.
#[derive(Debug, Clone, Serialize)]
pub struct UsedDefinition {
    /// Macro name.
    pub name: String,
    /// Where it is defined (None for `-D`).
    #[serde(rename = "definition")]
    pub span: Option<Span>,
    /// Its value when used (cut to 80 characters).
    pub value: String,
}

impl Resolved {
    /// The macro reference whose `$name` covers `span`, if any.
    pub fn macro_use_at(&self, span: Span) -> Option<&MacroUse> {
        // Sorted by position (see `resolve`): the candidate is the last
        // reference starting at or before the span.
        let i = self.macro_uses.partition_point(|u| {
            (u.reference.file, u.reference.start()) <= (span.file, span.start())
        });
        let u = self.macro_uses.get(i.checked_sub(1)?)?;
        (u.reference.file == span.file && span.end() <= u.reference.end()).then_some(u)
    }
}
