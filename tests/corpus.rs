//! Accuracy of `check` on the shared corpora.
//!
//! The corpora live outside the project: the tests read them from the
//! directory named by the environment variable `PFCONF_CORPUS` (CI sets it
//! to `../shared/corpus`) and skip with a notice when it is unset.
//!
//! * `pfctl/`: pfctl's regression suite. `pfN.in` (syntax `modern`) and the
//!   2022 `pfN.ok` files (pfctl's output is valid input) must be accepted;
//!   `pfailN.in` whose `.ok` holds an error must be rejected, and the line of
//!   our first error is compared with pfctl's first `stdin:LINE:`.
//! * `realworld/`: public rulesets with a reviewed `expect` column.
//!
//! Every category asserts its count against a floor below: the floors are
//! the counts measured when they were last raised, so accuracy only goes up.
//! Run `cargo test --test corpus -- --nocapture` to see the summary.

use pfconf::{check_with, Diagnostic, FsLoader, Options, Report};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// `pfN.in` (syntax `modern`, plus accepted `pfailN.in`) that pass.
const PFCTL_ACCEPT_FLOOR: usize = 74;
/// 2022 `pfN.ok` (syntax `modern`) that pass.
const PFCTL_OK_ACCEPT_FLOOR: usize = 93;
/// `pfailN.in` with an error in their `.ok` that we reject.
const PFCTL_REJECT_FLOOR: usize = 42;
/// ... whose first error is on pfctl's first error line.
const PFCTL_REJECT_LINE_FLOOR: usize = 41;
/// realworld `accept` files that pass.
const REALWORLD_ACCEPT_FLOOR: usize = 62;
/// realworld `reject:legacy` files rejected with a first error `legacy`.
const REALWORLD_LEGACY_FLOOR: usize = 34;
/// realworld `reject:REASON` (other reasons) files rejected.
const REALWORLD_REJECT_FLOOR: usize = 14;
/// realworld `any` files checked without a panic.
const REALWORLD_ANY_FLOOR: usize = 6;

mod common;
use common::corpus;

/// Reads a TSV manifest: rows of columns, header dropped.
fn manifest(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Outcome of checking one file.
enum Outcome {
    Checked(Box<Report>),
    Panicked(String),
}

/// Checks the file at `path`, named by its path so relative includes
/// resolve; a panic is caught and returned as a value.
fn check_file(path: &Path) -> Outcome {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    };
    let name = path.display().to_string();
    let loader = FsLoader { root: None };
    let result = catch_unwind(AssertUnwindSafe(|| {
        check_with(&name, &text, &loader, &Options::default())
    }));
    match result {
        Ok(report) => Outcome::Checked(Box::new(report)),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string payload)".to_string());
            Outcome::Panicked(msg)
        }
    }
}

fn first_error(report: &Report) -> Option<&Diagnostic> {
    report.diagnostics.iter().find(|d| d.is_error())
}

/// 1-based line of a diagnostic.
fn line_of(report: &Report, d: &Diagnostic) -> usize {
    report
        .sources
        .get(d.span.file)
        .map(|f| f.line_col(d.span.start()).0)
        .unwrap_or(0)
}

/// `file:line:col code message`, the file shown relative to the corpus.
fn describe(report: &Report, d: &Diagnostic, root: &Path) -> String {
    let (file, line, col) = match report.sources.get(d.span.file) {
        Some(f) => {
            let (l, c) = f.line_col(d.span.start());
            (relative(&f.name, root), l, c)
        }
        None => ("?".to_string(), 0, 0),
    };
    format!("{file}:{line}:{col} {} {}", d.code, d.message)
}

fn relative(name: &str, root: &Path) -> String {
    Path::new(name)
        .strip_prefix(root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| name.to_string())
}

/// Sorts `pfN.in`-style names by their number.
fn by_number(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| {
        let digits: String = s
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        (
            s.chars().take_while(|c| !c.is_ascii_digit()).count(),
            digits.parse::<u64>().unwrap_or(0),
            s.to_string(),
        )
    };
    key(a).cmp(&key(b))
}

/// The lines of a `.ok` that are pfctl errors.
fn error_lines(ok: &str) -> Vec<&str> {
    ok.lines()
        .filter(|l| stdin_line(l).is_some() || l.starts_with("pfctl:"))
        .collect()
}

/// `N` of a `stdin:N:` line.
fn stdin_line(l: &str) -> Option<usize> {
    let rest = l.strip_prefix("stdin:")?;
    let (n, _) = rest.split_once(':')?;
    n.parse().ok()
}

/// Accumulates one category's results and its printed section.
struct Tally {
    title: String,
    passed: usize,
    total: usize,
    failures: Vec<String>,
}

impl Tally {
    fn new(title: &str) -> Self {
        Tally {
            title: title.to_string(),
            passed: 0,
            total: 0,
            failures: Vec::new(),
        }
    }

    fn pass(&mut self) {
        self.total += 1;
        self.passed += 1;
    }

    fn fail(&mut self, line: String) {
        self.total += 1;
        self.failures.push(line);
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(out, "{}: {}/{}", self.title, self.passed, self.total);
        for f in &self.failures {
            let _ = writeln!(out, "    FAIL {f}");
        }
    }
}

/// Checks that `path` is accepted, recording the result in `tally`;
/// `note` (from the manifest) is shown next to a failure.
fn expect_accept(path: &Path, root: &Path, note: &str, tally: &mut Tally) {
    let shown = relative(&path.display().to_string(), root);
    match check_file(path) {
        Outcome::Panicked(msg) => tally.fail(format!("{shown}: PANIC {msg}")),
        Outcome::Checked(report) => match first_error(&report) {
            None => tally.pass(),
            Some(d) => {
                let n = report.diagnostics.iter().filter(|d| d.is_error()).count();
                tally.fail(format!("{} ({n} errors){note}", describe(&report, d, root)));
            }
        },
    }
}

/// What the pfctl manifest says about a file that explains a failure.
fn manifest_hint(note: &str) -> &'static str {
    if note.contains("not in corpus") {
        "  [manifest: needed file not in corpus]"
    } else if note.contains("no .in could be retrieved") {
        "  [manifest: standalone .ok]"
    } else if note.contains("stale?") || note.contains("mismatch?") {
        "  [manifest: stale/mismatched revision]"
    } else {
        ""
    }
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n===== {title} =====");
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn pfctl_accept() {
    let Some(root) = corpus() else { return };
    let dir = root.join("pfctl");
    let rows = manifest(&dir.join("MANIFEST.tsv"));
    let notes: HashMap<&str, &str> = rows.iter().map(|r| (r[0].as_str(), col(r, 3))).collect();
    let mut ins = Vec::new();
    let mut oks = Vec::new();
    for r in &rows {
        let (file, syntax, note) = (&r[0], col(r, 2), col(r, 3));
        if syntax != "modern" {
            continue;
        }
        if file.starts_with("pf") && !file.starts_with("pfail") && file.ends_with(".in") {
            ins.push(file.clone());
        } else if file.starts_with("pfail") && file.ends_with(".in") {
            // A pfail whose .ok holds no error is accepted by current pfctl
            // (pfail14: its .ok is the translated rule).
            let ok = dir.join(file.replace(".in", ".ok"));
            if let Ok(text) = std::fs::read_to_string(ok) {
                if error_lines(&text).is_empty() {
                    ins.push(file.clone());
                }
            }
        } else if file.starts_with("pf")
            && !file.starts_with("pfail")
            && file.ends_with(".ok")
            && note.contains("src=regress-2022")
        {
            oks.push(file.clone());
        }
    }
    ins.sort_by(|a, b| by_number(a, b));
    oks.sort_by(|a, b| by_number(a, b));

    let mut accept = Tally::new("pfctl accept");
    for f in &ins {
        let hint = manifest_hint(notes.get(f.as_str()).copied().unwrap_or(""));
        expect_accept(&dir.join(f), &root, hint, &mut accept);
    }
    let mut ok_accept = Tally::new("pfctl .ok accept");
    for f in &oks {
        let hint = manifest_hint(notes.get(f.as_str()).copied().unwrap_or(""));
        expect_accept(&dir.join(f), &root, hint, &mut ok_accept);
    }

    let mut out = String::new();
    section(
        &mut out,
        "pfctl accept set (pfN.in, syntax modern; pfctl output as input)",
    );
    accept.render(&mut out);
    ok_accept.render(&mut out);
    let _ = writeln!(
        out,
        "SUMMARY pfctl accept: {}/{}  |  pfctl .ok accept: {}/{}",
        accept.passed, accept.total, ok_accept.passed, ok_accept.total
    );
    println!("{out}");

    assert!(
        accept.passed >= PFCTL_ACCEPT_FLOOR,
        "pfctl accept dropped: {} < floor {PFCTL_ACCEPT_FLOOR}",
        accept.passed
    );
    assert!(
        ok_accept.passed >= PFCTL_OK_ACCEPT_FLOOR,
        "pfctl .ok accept dropped: {} < floor {PFCTL_OK_ACCEPT_FLOOR}",
        ok_accept.passed
    );
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn pfctl_reject() {
    let Some(root) = corpus() else { return };
    let dir = root.join("pfctl");
    let mut files: Vec<String> = manifest(&dir.join("MANIFEST.tsv"))
        .into_iter()
        .map(|r| r[0].clone())
        .filter(|f| f.starts_with("pfail") && f.ends_with(".in"))
        .collect();
    files.sort_by(|a, b| by_number(a, b));

    let (mut total, mut rejected, mut line_ok) = (0, 0, 0);
    let mut not_rejected = Vec::new();
    let mut mismatches = Vec::new();
    let mut no_ok = Vec::new();
    for f in &files {
        let Ok(ok) = std::fs::read_to_string(dir.join(f.replace(".in", ".ok"))) else {
            no_ok.push(f.clone());
            continue;
        };
        let errors = error_lines(&ok);
        if errors.is_empty() {
            continue; // accepted by current pfctl: in the accept set
        }
        total += 1;
        // pfctl's first `stdin:LINE:`; errors reported after parsing
        // (`pfctl: ...`) have no line and any line of ours matches.
        let expected = errors.iter().find_map(|l| stdin_line(l));
        let expected_text = errors[0];
        let path = dir.join(f);
        let report = match check_file(&path) {
            Outcome::Panicked(msg) => {
                not_rejected.push(format!("{f}: PANIC {msg}"));
                continue;
            }
            Outcome::Checked(r) => r,
        };
        let Some(d) = first_error(&report) else {
            not_rejected.push(format!("{f}: accepted; pfctl says `{expected_text}`"));
            continue;
        };
        rejected += 1;
        let ours = line_of(&report, d);
        match expected {
            Some(line) if line != ours => mismatches.push(format!(
                "{f}: expected line {line} (`{expected_text}`), ours {}",
                describe(&report, d, &root)
            )),
            _ => line_ok += 1,
        }
    }

    let mut out = String::new();
    section(
        &mut out,
        "pfctl reject set (pfailN.in with an error in .ok)",
    );
    let _ = writeln!(out, "rejected: {rejected}/{total}");
    for f in &not_rejected {
        let _ = writeln!(out, "    NOT REJECTED {f}");
    }
    let _ = writeln!(out, "first-error line matches: {line_ok}/{total}");
    for m in &mismatches {
        let _ = writeln!(out, "    LINE {m}");
    }
    if !no_ok.is_empty() {
        let _ = writeln!(
            out,
            "not counted (no .ok in the corpus): {}",
            no_ok.join(" ")
        );
    }
    let _ = writeln!(
        out,
        "SUMMARY pfctl reject: {rejected}/{total} rejected, {line_ok}/{total} first-error line matches"
    );
    println!("{out}");

    assert!(
        rejected >= PFCTL_REJECT_FLOOR,
        "pfctl reject dropped: {rejected} < floor {PFCTL_REJECT_FLOOR}"
    );
    assert!(
        line_ok >= PFCTL_REJECT_LINE_FLOOR,
        "pfctl first-error line matches dropped: {line_ok} < floor {PFCTL_REJECT_LINE_FLOOR}"
    );
}

fn col(row: &[String], i: usize) -> &str {
    row.get(i).map(String::as_str).unwrap_or("")
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn realworld() {
    let Some(root) = corpus() else { return };
    let dir = root.join("realworld");
    let rows = manifest(&dir.join("MANIFEST.tsv"));

    let mut accept = Tally::new("realworld accept");
    let mut legacy = Tally::new("realworld reject:legacy (first error `legacy`)");
    let mut reject = Tally::new("realworld reject:other");
    let mut any = Tally::new("realworld any (no panic)");
    let mut rejected_notes = Vec::new();
    let mut unknown: HashMap<String, Vec<String>> = HashMap::new();

    for r in &rows {
        let file = &r[0];
        let expect = col(r, 7);
        let path = dir.join(file);
        if expect == "accept" {
            expect_accept(&path, &root, "", &mut accept);
            continue;
        }
        let report = match check_file(&path) {
            Outcome::Panicked(msg) => {
                let tally = match expect {
                    "any" => &mut any,
                    "reject:legacy" => &mut legacy,
                    _ => &mut reject,
                };
                tally.fail(format!("{file}: PANIC {msg}"));
                continue;
            }
            Outcome::Checked(report) => report,
        };
        let first = first_error(&report);
        if expect == "any" {
            any.pass();
        } else if expect == "reject:legacy" {
            match first {
                Some(d) if d.code == "legacy" => legacy.pass(),
                Some(d) => legacy.fail(format!(
                    "{file}: first error is not `legacy`: {}",
                    describe(&report, d, &root)
                )),
                None => legacy.fail(format!("{file}: accepted")),
            }
        } else if let Some(reason) = expect.strip_prefix("reject:") {
            match first {
                Some(d) => {
                    reject.pass();
                    rejected_notes.push(format!(
                        "{file}\n        expected: {reason}\n        ours:     {}",
                        describe(&report, d, &root)
                    ));
                }
                None => reject.fail(format!("{file}: accepted; expected {reason}")),
            }
        } else {
            unknown
                .entry(expect.to_string())
                .or_default()
                .push(file.clone());
        }
    }

    let mut out = String::new();
    section(&mut out, "realworld");
    accept.render(&mut out);
    legacy.render(&mut out);
    reject.render(&mut out);
    for n in &rejected_notes {
        let _ = writeln!(out, "    ok   {n}");
    }
    any.render(&mut out);
    for (expect, files) in &unknown {
        let _ = writeln!(out, "unknown expect `{expect}`: {}", files.join(" "));
    }
    let _ = writeln!(
        out,
        "SUMMARY realworld accept: {}/{}  |  reject:legacy: {}/{}  |  reject:other: {}/{}  |  any: {}/{}",
        accept.passed,
        accept.total,
        legacy.passed,
        legacy.total,
        reject.passed,
        reject.total,
        any.passed,
        any.total
    );
    println!("{out}");

    assert!(unknown.is_empty(), "unknown expect values: {unknown:?}");
    for (tally, floor) in [
        (&accept, REALWORLD_ACCEPT_FLOOR),
        (&legacy, REALWORLD_LEGACY_FLOOR),
        (&reject, REALWORLD_REJECT_FLOOR),
        (&any, REALWORLD_ANY_FLOOR),
    ] {
        assert!(
            tally.passed >= floor,
            "{} dropped: {} < floor {floor}",
            tally.title,
            tally.passed
        );
    }
}
