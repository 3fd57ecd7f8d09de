//! The pages of the check codes (`docs/checks/<code>.md`, catalogued in
//! `pfconf::codes`): each page's failing example gets its code and its
//! fixed example checks clean, and every code that the sources, the pfctl
//! corpus and the fixtures produce is either a check code with a page or a
//! lint.
//!
//! A page's `## Example` holds the failing example, then `Use instead:` and
//! the fixed one. In each, the first ```` ```pf ```` block is the main file
//! and a block whose info string has `file=PATH` is another file the
//! example reads (an include, an anchor, a table file), served by a
//! `MemoryLoader`. Three failing examples cannot be written out on a page
//! (deep nesting, invisible carriage returns): the tests build them
//! in [`built`], and the pages say so.

use pfconf::codes::{self, CheckCode};
use pfconf::lint::LintConfig;
use pfconf::{check_with, Diagnostic, FsLoader, MemoryLoader, Options, Severity};
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

mod common;

/// Codes whose page has no example, and why.
const NO_EXAMPLE: &[(&str, &str)] = &[
    (
        "fmt-kept",
        "only a bug in the formatter produces it; the unit tests of src/fmt provoke it by sabotage",
    ),
    (
        "io-error",
        "the command line gives it for a file it cannot read; tests/cli_contract.rs runs it",
    ),
    (
        "unformatted",
        "`pfconf fmt --check` gives it; tests/cli_contract.rs runs it",
    ),
    (
        "flow-failed",
        "`pfconf test` gives it for a flow file; tests/policy.rs runs it",
    ),
    (
        "flow-invalid",
        "`pfconf test` gives it for a flow file; tests/policy.rs runs it",
    ),
    (
        "unknown-user",
        "it needs a node's passwd file; tests/cli.rs runs `check --node` on one",
    ),
    (
        "unknown-group",
        "it needs a node's group file; src/accounts.rs's tests run it",
    ),
];

/// One side of an example: the main file and the other files it reads.
#[derive(Debug, Default)]
struct Example {
    main: String,
    files: Vec<(String, String)>,
}

impl Example {
    /// Checks the example as `pf.conf`, the other files read from memory;
    /// returns the checks' diagnostics and, when there are no errors, the
    /// lints' (which is where `unknown-lint` comes from).
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut loader = MemoryLoader::default();
        for (path, text) in &self.files {
            loader = loader.with(path, text);
        }
        let report = check_with("pf.conf", &self.main, &loader, &Options::default());
        report.lint(&LintConfig::default())
    }
}

/// A page's failing and fixed examples.
struct Examples {
    failing: Example,
    fixed: Example,
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks")
}

/// The fenced blocks of `text`: (info string, content).
fn fenced_blocks(text: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_string(), String::new())),
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "unclosed code block");
    blocks
}

/// The blocks of one side of an example as files.
fn example(text: &str, code: &str) -> Example {
    let mut ex = Example::default();
    let mut main = None;
    for (info, body) in fenced_blocks(text) {
        match info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
        {
            Some(path) => ex.files.push((path.to_string(), body)),
            None => {
                assert!(
                    info == "pf" && main.is_none(),
                    "{code}: a second main block, or one that is not ```pf"
                );
                main = Some(body);
            }
        }
    }
    ex.main = main.unwrap_or_else(|| panic!("{code}: no ```pf block in an example"));
    ex
}

/// The examples of a page, or None for the codes in [`NO_EXAMPLE`].
fn examples(c: &CheckCode) -> Option<Examples> {
    let (_, section) = c
        .doc
        .split_once("\n## Example\n")
        .unwrap_or_else(|| panic!("{}: no `## Example` section", c.name));
    if NO_EXAMPLE.iter().any(|(n, _)| *n == c.name) {
        // Such a page may illustrate with plain blocks, never with `pf`
        // ones (those are the examples the tests run).
        assert!(
            fenced_blocks(section)
                .iter()
                .all(|(info, _)| info.is_empty()),
            "{}: listed as having no example, but its page shows one",
            c.name
        );
        return None;
    }
    let (failing, fixed) = section
        .split_once("\nUse instead")
        .unwrap_or_else(|| panic!("{}: no `Use instead` in its example", c.name));
    Some(Examples {
        failing: built(c.name, example(failing, c.name)),
        fixed: example(fixed, c.name),
    })
}

/// The failing example of `code` as the tests check it: the page's, or
/// for three codes one built as their pages describe it.
fn built(code: &str, page: Example) -> Example {
    match code {
        // The page shows the text; the file has CRLF line ends.
        "carriage-return" => Example {
            main: page.main.replace('\n', "\r\n"),
            files: page.files,
        },
        // pf.conf includes /etc/pf/1.conf, which includes 2.conf, ... 65.conf.
        "include-limit" => Example {
            main: "include \"/etc/pf/1.conf\"\n".to_string(),
            files: (1..=65)
                .map(|i| {
                    let text = if i < 65 {
                        format!("include \"/etc/pf/{}.conf\"\n", i + 1)
                    } else {
                        "pass in on em1\n".to_string()
                    };
                    (format!("/etc/pf/{i}.conf"), text)
                })
                .collect(),
        },
        // 64 inline anchors, each inside the previous one.
        "too-deep" => Example {
            main: (1..=64)
                .map(|i| format!("anchor \"a{i}\" {{\n"))
                .chain(std::iter::once("pass\n".to_string()))
                .chain((1..=64).map(|_| "}\n".to_string()))
                .collect(),
            files: Vec::new(),
        },
        _ => page,
    }
}

/// Fails with every message, one per line, when there are any.
fn assert_none(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_check_code_has_a_page_and_every_page_a_code() {
    let pages: BTreeSet<String> = std::fs::read_dir(docs_dir())
        .expect("docs/checks")
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".md"))
                .map(str::to_string)
        })
        .collect();
    let known: BTreeSet<String> = codes::checks().iter().map(|c| c.name.to_string()).collect();
    assert_eq!(pages, known);
}

#[test]
fn pages_have_the_sections_of_a_lint_page_in_order() {
    let mut problems = Vec::new();
    for c in codes::checks() {
        let mut at = 0;
        for part in [
            format!("# {}\n\nSeverity: {} (", c.name, c.severity),
            "\n## What it finds\n".to_string(),
            "\n## Why it matters\n".to_string(),
            "\n## Example\n".to_string(),
        ] {
            match c.doc[at..].find(&part) {
                Some(i) => at += i + part.len(),
                None => problems.push(format!(
                    "{}: `{}` missing or out of order",
                    c.name,
                    part.trim()
                )),
            }
        }
    }
    assert_none(problems);
}

#[test]
fn pages_say_how_built_examples_are_set_up() {
    for (code, says) in [
        ("carriage-return", "CRLF line ends"),
        ("include-limit", "The test suite builds this example"),
        ("too-deep", "The test suite builds this example"),
    ] {
        let c = codes::find(code).unwrap();
        assert!(c.doc.contains(says), "{code}: the page should say `{says}`");
    }
}

#[test]
fn each_failing_example_gets_its_code_with_its_severity() {
    let mut problems = Vec::new();
    for c in codes::checks() {
        let Some(ex) = examples(c) else { continue };
        let diags = ex.failing.diagnostics();
        let mine: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == c.name).collect();
        if mine.is_empty() {
            let got: Vec<String> = diags
                .iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            problems.push(format!("{}: not reported; got {got:?}", c.name));
        }
        for d in mine.iter().filter(|d| d.severity != c.severity) {
            problems.push(format!(
                "{}: reported as {} (`{}`), its page says {}",
                c.name, d.severity, d.message, c.severity
            ));
        }
    }
    assert_none(problems);
}

#[test]
fn each_fixed_example_checks_clean() {
    let mut problems = Vec::new();
    for c in codes::checks() {
        let Some(ex) = examples(c) else { continue };
        for d in ex.fixed.diagnostics() {
            if d.code == c.name || d.severity == Severity::Error {
                problems.push(format!(
                    "{}: the fixed example gets {}: {}",
                    c.name, d.code, d.message
                ));
            }
        }
    }
    assert_none(problems);
}

#[test]
fn codes_without_an_example_say_why_on_their_page() {
    for (code, _why) in NO_EXAMPLE {
        let c = codes::find(code).unwrap_or_else(|| panic!("{code} is not a check code"));
        let (_, example) = c.doc.split_once("\n## Example\n").unwrap_or_default();
        assert!(example.trim_start().starts_with("None"), "{code}");
    }
}

// ------------------------------------------------------------ completeness

/// The code literals passed first to a diagnostic constructor
/// (`Diagnostic::error("code", ...`, `Diagnostic::warning(`, and the
/// checker's `self.err(` and `self.help(`) in `text`.
fn constructor_codes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in ["error(", "warning(", "err(", "help("] {
        let mut from = 0;
        while let Some(i) = text[from..].find(call) {
            let at = from + i;
            from = at + call.len();
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `with_help(`, `to_err(`...
            }
            let Some(rest) = text[from..].trim_start().strip_prefix('"') else {
                continue;
            };
            let Some(end) = rest.find('"') else { continue };
            let lit = &rest[..end];
            let kebab = lit.starts_with(|c: char| c.is_ascii_lowercase())
                && lit
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if kebab {
                found.push(lit.to_string());
            }
        }
    }
    found
}

/// `text` without an inline `#[cfg(test)] mod ... {` module and what
/// follows it (test modules close the files that have them).
fn without_inline_tests(text: &str) -> &str {
    let mut at = 0;
    while let Some(i) = text[at..].find("#[cfg(test)]") {
        let start = at + i;
        let next = text[start + "#[cfg(test)]".len()..].trim_start();
        if next.starts_with("mod ") && next.lines().next().is_some_and(|l| l.ends_with('{')) {
            return &text[..start];
        }
        at = start + 1;
    }
    text
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "tests" {
                rust_sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}

#[test]
fn every_code_the_sources_emit_has_a_page() {
    let mut sources = Vec::new();
    rust_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut sources,
    );
    let mut emitted = BTreeSet::new();
    let mut all_text = String::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).expect("source");
        emitted.extend(constructor_codes(without_inline_tests(&text)));
        all_text.push_str(without_inline_tests(&text));
    }
    // A scan that finds (almost) nothing has stopped matching the code.
    assert!(emitted.len() >= 50, "only {emitted:?} found");
    let undocumented: Vec<&String> = emitted
        .iter()
        .filter(|c| codes::find(c).is_none())
        .collect();
    assert!(
        undocumented.is_empty(),
        "codes without a page in docs/checks: {undocumented:?}"
    );
    let stale: Vec<&str> = codes::checks()
        .iter()
        .map(|c| c.name)
        // A code chosen by an expression (`if user { "unknown-user" }
        // else { ... }`) is not a constructor's first argument: its
        // literal in the sources is enough.
        .filter(|n| !emitted.contains(*n) && !all_text.contains(&format!("\"{n}\"")))
        .collect();
    assert!(stale.is_empty(), "pages of codes nothing emits: {stale:?}");
}

/// Checks and lints `path`, read from disk with its includes; returns the
/// codes that are neither a check code nor a lint, with the file.
fn unknown_codes(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8_lossy(&bytes);
    let name = path.display().to_string();
    let diags = catch_unwind(AssertUnwindSafe(|| {
        check_with(&name, &text, &FsLoader::default(), &Options::default())
            .lint(&LintConfig::default())
    }))
    .unwrap_or_else(|_| panic!("{name}: check panicked"));
    diags
        .iter()
        .filter(|d| codes::find(d.code).is_none() && pfconf::lint::find(d.code).is_none())
        .map(|d| format!("{name}: {} ({})", d.code, d.message))
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_code_the_fixtures_get_is_documented() {
    let mut files = Vec::new();
    files_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut files,
    );
    files.sort();
    assert!(!files.is_empty());
    assert_none(files.iter().flat_map(|f| unknown_codes(f)).collect());
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn every_code_the_pfctl_corpus_gets_is_documented() {
    let Some(root) = common::corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("pfctl"))
        .expect("pfctl corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "in"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .in files in the pfctl corpus");
    assert_none(files.iter().flat_map(|f| unknown_codes(f)).collect());
}
