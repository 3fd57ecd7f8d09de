//! The source AST: one typed node per pf.conf(5) construct, each with a span.
//!
//! Names follow pf.conf(5) and pfctl's parse.y (`FilterRule`, `HostSpec`,
//! `PoolOpts`, ...). Values that pfctl only interprets after lexing (an
//! address, a port name, a protocol name) are kept as the word the user
//! wrote, typed by position, and interpreted by the checks; this is what
//! lets `$macro` references stand in any value position: a [`Value`] is
//! either the literal word or a [`MacroRef`].
//!
//! After resolution (see [`crate::resolve`]) the same types hold the
//! expanded ruleset; there no `Value::Macro` remains.
//!
//! This file holds the ruleset, statements, values, spans and trivia; the
//! node types by topic are in `ast/tables.rs`, `ast/options.rs` (`set`),
//! `ast/rules.rs` (filter rules, anchors, antispoof), `ast/hosts.rs`
//! (`from`/`to`, hosts, ports), `ast/filter_opts.rs` (filter options,
//! redirections, pools, state) and `ast/queues.rs` (queues, limiters),
//! all re-exported here so that every type is `pfconf::ast::Name`. The AST
//! imports nothing above `keyword` and `span`.

use crate::keyword::keywords;
use crate::span::Span;
use serde::Serialize;

mod filter_opts;
mod hosts;
mod options;
mod queues;
mod rules;
mod tables;
mod text;

pub use filter_opts::*;
pub use hosts::*;
pub use options::*;
pub use queues::*;
pub use rules::*;
pub use tables::*;
pub use text::Text;

/// A node with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    /// The node.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a node.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// `$name` as written, with any word characters glued after it
/// (`$ext_if:network` has `suffix` `:network`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroRef {
    /// Macro name without `$`.
    pub name: String,
    /// Literal characters that follow the name in the same word.
    pub suffix: String,
}

/// A token in a value position: the literal text or a macro reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Value {
    /// An unquoted word or a number, as written.
    Word(Text),
    /// A quoted string (quotes removed, escapes resolved).
    Quoted(Text),
    /// A `$macro` reference (boxed: rarer than words after resolution,
    /// and it keeps every value 16 bytes smaller).
    Macro(Box<MacroRef>),
}

impl Value {
    /// The literal text (empty for a macro).
    pub fn text(&self) -> &str {
        match self {
            Value::Word(s) | Value::Quoted(s) => s,
            Value::Macro(_) => "",
        }
    }

    /// True for a macro reference.
    pub fn is_macro(&self) -> bool {
        matches!(self, Value::Macro(_))
    }
}

/// A value with its span.
pub type SValue = Spanned<Value>;

/// A whole file (or an inline anchor body): statements in order, plus the
/// comments after the last statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Ruleset {
    /// The statements.
    pub statements: Vec<Statement>,
    /// Comments and blank lines after the last statement.
    pub trailing: Vec<Trivia>,
}

/// Comments and blank lines, kept for the formatter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Trivia {
    /// A `#` comment on its own line (span covers `#` to end of line).
    Comment {
        /// Where.
        span: Span,
    },
    /// An empty line.
    Blank,
}

/// One statement with its trivia.
///
/// Serialized as `kind`, `span`, `leading`, `trailing_comment` and
/// `inner_comments`, whether or not it has trivia.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// What it says.
    pub kind: StatementKind,
    /// The statement's text, from its first to its last token (for an
    /// inline anchor, through the closing brace).
    pub span: Span,
    /// Its comments and blank lines; None when it has none (most
    /// statements: kept apart so that a statement is small).
    pub trivia: Option<Box<StatementTrivia>>,
}

/// The comments and blank lines of one [`Statement`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StatementTrivia {
    /// Comments and blank lines before it.
    pub leading: Vec<Trivia>,
    /// A comment at the end of its last line.
    pub trailing_comment: Option<Span>,
    /// Comments inside a statement spread over several lines.
    pub inner_comments: Vec<Span>,
}

impl StatementTrivia {
    /// The trivia, boxed, or None when there is none.
    pub fn boxed(self) -> Option<Box<StatementTrivia>> {
        let none = self.leading.is_empty()
            && self.trailing_comment.is_none()
            && self.inner_comments.is_empty();
        (!none).then(|| Box::new(self))
    }
}

impl Statement {
    /// A statement without trivia.
    pub fn new(kind: StatementKind, span: Span) -> Self {
        Statement {
            kind,
            span,
            trivia: None,
        }
    }

    /// Comments and blank lines before it.
    pub fn leading(&self) -> &[Trivia] {
        self.trivia.as_ref().map_or(&[], |t| &t.leading)
    }

    /// A comment at the end of its last line.
    pub fn trailing_comment(&self) -> Option<Span> {
        self.trivia.as_ref().and_then(|t| t.trailing_comment)
    }

    /// Comments inside a statement spread over several lines.
    pub fn inner_comments(&self) -> &[Span] {
        self.trivia.as_ref().map_or(&[], |t| &t.inner_comments)
    }
}

impl Serialize for Statement {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Statement", 5)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("span", &self.span)?;
        st.serialize_field("leading", self.leading())?;
        st.serialize_field("trailing_comment", &self.trailing_comment())?;
        st.serialize_field("inner_comments", self.inner_comments())?;
        st.end()
    }
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum StatementKind {
    /// `name = value` (this and the other rare kinds are boxed, so that a
    /// statement is no larger than its span, trivia and one pointer).
    Macro(Box<MacroDef>),
    /// `table <name> ...`
    Table(Box<TableDef>),
    /// `set ...`
    Option(Box<SetOption>),
    /// `pass`, `block` or `match` (boxed: rules are large and most
    /// statements of a big ruleset are rules; this keeps `Statement` small).
    Rule(Box<FilterRule>),
    /// `anchor ...`, with an optional inline body.
    Anchor(Box<AnchorRule>),
    /// `load anchor NAME from "file"`
    LoadAnchor(Box<LoadAnchor>),
    /// `antispoof ...`
    Antispoof(Box<Antispoof>),
    /// `queue ...`
    Queue(Box<QueueDef>),
    /// `include "file"`
    Include(Box<Include>),
    /// `state limiter ...` / `source limiter ...`
    Limiter(Box<LimiterDef>),
    /// A statement whose shape depends on what its macros expand to; it is
    /// parsed after macro expansion. Kept as written.
    Unparsed,
}

/// `name = value`: the value is the concatenation of its parts with single
/// spaces, as pfctl's `varstring`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MacroDef {
    /// The macro name.
    pub name: Spanned<String>,
    /// The parts of the value.
    pub value: Vec<SValue>,
}

/// `include "file"`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Include {
    /// The path as written.
    pub path: SValue,
}

/// `load anchor NAME from "file"`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadAnchor {
    /// Anchor name.
    pub name: SValue,
    /// File to load.
    pub file: Vec<SValue>,
}

/// Calls `f` on every filter rule of a ruleset: pass/block/match rules and
/// the filter part of anchor rules, inline anchor bodies included.
pub(crate) fn walk_rules<'a>(rs: &'a Ruleset, f: &mut dyn FnMut(&'a FilterRule)) {
    for s in &rs.statements {
        match &s.kind {
            StatementKind::Rule(r) => f(r),
            StatementKind::Anchor(a) => {
                f(&a.filter);
                if let Some(b) = &a.body {
                    walk_rules(b, f);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
