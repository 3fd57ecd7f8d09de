//! The formatter over the corpora: every file that parses is formatted
//! without changing meaning or losing a comment, and formatting twice
//! changes nothing. Reads `PFCONF_CORPUS`; skips with a notice when unset.

use pfconf::fmt::{format_checked, format_safely_on_two_threads, FormatError, FormatOptions};
use std::path::PathBuf;

/// Files formatted safely and idempotently today; the test fails below.
/// (Files with syntax errors, also those that only show after macro
/// expansion, are refused as invalid and not counted.)
const PFCTL_FLOOR: usize = 117;
const REALWORLD_FLOOR: usize = 71;

fn corpus() -> Option<PathBuf> {
    match std::env::var_os("PFCONF_CORPUS") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            eprintln!("PFCONF_CORPUS is not set: skipping the formatter corpus test");
            None
        }
    }
}

/// (ok, invalid input skipped, failures)
fn run(files: &[PathBuf]) -> (usize, usize, Vec<String>) {
    let opts = FormatOptions::default();
    let mut ok = 0;
    let mut invalid = 0;
    let mut failures = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match format_checked(&name, &text, &opts) {
            Ok(out) => match format_checked(&name, &out, &opts) {
                // The same on two threads, as for large files.
                Ok(again)
                    if again == out
                        && format_safely_on_two_threads(&name, &text, &opts)
                            .is_ok_and(|f| f.text == out) =>
                {
                    ok += 1
                }
                Ok(_) => failures.push(format!("{name}: not idempotent")),
                Err(e) => failures.push(format!("{name}: second pass: {e}")),
            },
            Err(FormatError::Invalid(_)) => invalid += 1,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    (ok, invalid, failures)
}

fn manifest(dir: &std::path::Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn formatter_over_the_corpora() {
    let Some(root) = corpus() else {
        return;
    };
    let pfctl = root.join("pfctl");
    let files: Vec<PathBuf> = manifest(&pfctl)
        .into_iter()
        .filter(|r| {
            r.len() > 2 && r[2] == "modern" && r[0].starts_with("pf") && r[0].ends_with(".in")
        })
        .map(|r| pfctl.join(&r[0]))
        .collect();
    let (ok, invalid, fails) = run(&files);
    println!(
        "fmt pfctl: {ok}/{} formatted safely and idempotently ({invalid} not parseable)",
        files.len()
    );
    for f in &fails {
        println!("    FAIL {f}");
    }
    let rw = root.join("realworld");
    let files: Vec<PathBuf> = manifest(&rw)
        .into_iter()
        .filter(|r| r.len() > 4 && r[4] == "openbsd")
        .map(|r| rw.join(&r[0]))
        .collect();
    let (ok2, invalid2, fails2) = run(&files);
    println!("fmt realworld (openbsd): {ok2}/{} formatted safely and idempotently ({invalid2} not parseable)", files.len());
    for f in &fails2 {
        println!("    FAIL {f}");
    }
    assert!(ok >= PFCTL_FLOOR, "pfctl: {ok} < {PFCTL_FLOOR}");
    assert!(
        ok2 >= REALWORLD_FLOOR,
        "realworld: {ok2} < {REALWORLD_FLOOR}"
    );
}
