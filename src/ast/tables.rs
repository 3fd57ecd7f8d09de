//! `table` definitions: the table's name, its options (`persist`,
//! `const`, `counters`, `file`) and its addresses as written.

use super::*;

/// `table <name> [persist] [const] [counters] [timeout (n)] [file "f"] [{ ... }]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableDef {
    /// Table name without `<>`.
    pub name: SValue,
    /// Options in the order written.
    pub opts: Vec<Spanned<TableOpt>>,
}

/// One table option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", content = "value", rename_all = "kebab-case")]
pub enum TableOpt {
    /// A flag word: `persist`, `const` or `counters` (others are errors).
    Flag(SValue),
    /// `timeout (n)` (2026 syntax).
    Timeout(SValue),
    /// `file "path"`
    File(SValue),
    /// `{ addr, ... }`
    Addresses(Vec<TableEntry>),
}

/// One entry of a table's brace list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableEntry {
    /// The address.
    pub host: Spanned<Host>,
    /// `weight n`
    pub weight: Option<SValue>,
}
