//! Files a ruleset reads: `include` (depth and file count bounded, cycles
//! and `--root` escapes reported with the include chain), `load anchor
//! ... from` (the anchor's statements resolved into its body) and `table
//! ... file` (streamed: entries counted and checked, addresses kept for
//! eval, a missing file only a warning). Methods of `Resolver`, and the
//! table-file word scanner `table_file_words`.

use super::*;

impl Resolver<'_> {
    pub(super) fn include(
        &mut self,
        path: &str,
        span: Span,
        depth: usize,
        anchor_depth: usize,
        out: &mut dyn Out,
    ) -> Option<FileId> {
        let from = self.file_name(span.file);
        if depth + 1 > MAX_INCLUDE_DEPTH || self.files_read >= MAX_FILES {
            let d = Diagnostic::error(
                "include-limit",
                span,
                format!("includes nested more than {MAX_INCLUDE_DEPTH} deep or more than {MAX_FILES} files"),
            );
            let d = self.chain_labels(d);
            self.diags.push(d);
            return None;
        }
        match self.loader.load(path, &from) {
            Ok((name, text)) => {
                if name == from || self.chain.iter().any(|(f, _)| self.file_name(*f) == name) {
                    let d = Diagnostic::error(
                        "include-cycle",
                        span,
                        format!("include cycle: {name} includes itself"),
                    )
                    .with_help("remove one of the include statements");
                    let d = self.chain_labels(d);
                    self.diags.push(d);
                    return None;
                }
                self.files_read += 1;
                let id = self.map.add(name, text);
                self.chain.push((span.file, span));
                let _trailing = self.file(id, depth + 1, anchor_depth, out);
                self.chain.pop();
                Some(id)
            }
            Err(e) => {
                let d = Diagnostic::error(
                    "include-missing",
                    span,
                    format!("failed to include file {path}"),
                )
                .with_help(e.to_string());
                let d = self.chain_labels(d);
                self.diags.push(d);
                None
            }
        }
    }

    /// Loads an anchor's file; returns the `load anchor` statements in it
    /// (their names under this anchor's path), to be loaded after it.
    pub(super) fn load_anchor(
        &mut self,
        name: &str,
        path: &str,
        span: Span,
        _main: FileId,
    ) -> Vec<(String, String, Span)> {
        if name.split('/').count() > crate::lexer::MAX_ANCHOR_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    "anchor-too-deep",
                    span,
                    format!(
                        "anchor {name} is nested more than {} deep",
                        crate::lexer::MAX_ANCHOR_DEPTH
                    ),
                )
                .with_help("a file that loads itself as a sub-anchor nests without end"),
            );
            return Vec::new();
        }
        let from = self.file_name(span.file);
        match self.loader.load(path, &from) {
            Ok((fname, text)) => {
                if self.files_read >= MAX_FILES {
                    return Vec::new();
                }
                self.files_read += 1;
                let id = self.map.add(fname, text);
                // pfctl parses each loaded anchor with a fresh symbol table;
                // only -D definitions survive.
                let saved = std::mem::take(&mut self.macros);
                self.macros = saved.iter().filter(|m| m.span.is_none()).cloned().collect();
                self.reindex();
                let mut statements = Vec::new();
                let trailing = self.file(id, 1, 0, &mut statements);
                let mine = std::mem::replace(&mut self.macros, saved);
                self.macros
                    .extend(mine.into_iter().filter(|m| m.span.is_some()));
                let mut nested = Vec::new();
                collect_loads(&statements, name, &mut nested);
                self.loaded.push(LoadedAnchor {
                    name: name.to_string(),
                    span,
                    file: id,
                    ruleset: Ruleset {
                        statements,
                        trailing,
                    },
                });
                nested
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "anchor-missing",
                        span,
                        format!("cannot load anchor {name} from {path}"),
                    )
                    .with_help(e.to_string()),
                );
                Vec::new()
            }
        }
    }

    pub(super) fn table_file(&mut self, table: &str, path: &str, span: Span) {
        let from = self.file_name(span.file);
        match self.loader.load(path, &from) {
            Ok((_, text)) => {
                let mut entries = 0usize;
                let mut addresses = Some(Vec::new());
                for (lineno, line) in text.lines().enumerate() {
                    for word in table_line_words(line) {
                        entries += 1;
                        match (table_file_net(word), &mut addresses) {
                            (Some(n), Some(v)) => v.push(n),
                            _ => addresses = None,
                        }
                        if let Err(msg) = crate::values::table_file_entry(word) {
                            self.diags.push(
                                Diagnostic::error(
                                    "table-file-bad-data",
                                    span,
                                    format!("file \"{path}\" contains bad data: line {}: {msg}", lineno + 1),
                                )
                                .with_help("each entry is an address, a prefix or a host name, optionally with `!`"),
                            );
                            return;
                        }
                    }
                }
                self.table_files.push(TableFile {
                    table: table.to_string(),
                    path: path.to_string(),
                    span,
                    entries,
                    found: true,
                    addresses,
                });
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::warning(
                        "table-file-missing",
                        span,
                        format!("cannot load \"{path}\": table <{table}> is checked as empty"),
                    )
                    .with_help(format!(
                        "{e}; table files are often generated on the host at run time"
                    )),
                );
                self.table_files.push(TableFile {
                    table: table.to_string(),
                    path: path.to_string(),
                    span,
                    entries: 0,
                    found: false,
                    addresses: None,
                });
            }
        }
    }
}

/// The entries of a table file as pfctl reads them (pfr_buf_load):
/// words separated by blanks and newlines, `#` to the end of a line a
/// comment.
pub fn table_file_words(text: &str) -> impl Iterator<Item = &str> {
    text.lines().flat_map(table_line_words)
}

/// The entries on one line of a table file (before a `#`).
fn table_line_words(line: &str) -> std::str::SplitWhitespace<'_> {
    line.split('#').next().unwrap_or("").split_whitespace()
}

/// A table file entry as a prefix (with its `!`), None for a host name.
fn table_file_net(word: &str) -> Option<(bool, ipnet::IpNet)> {
    let (neg, w) = match word.strip_prefix('!') {
        Some(w) => (true, w),
        None => (false, word),
    };
    let (addr, mask) = match w.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (w, None),
    };
    crate::values::addr_net(addr, mask).map(|n| (neg, n))
}
