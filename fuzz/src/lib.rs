//! What the structure-aware fuzz targets share: a pf.conf ruleset, packets
//! and a node described as Rust values (`arbitrary` derives them from the
//! fuzzer's bytes) and printed as text; LSP sessions likewise; and the
//! oracles of the text targets, which the structured target reuses.

pub mod lsp;
pub mod oracles;
pub mod packet;
pub mod ruleset;
pub mod structured;

#[cfg(test)]
mod tests;
