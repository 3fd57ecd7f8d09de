//! `pfconf lint --fix`: every fix applied, the file checked again, the
//! finding gone and nothing else changed; unsafe fixes only on request;
//! `--diff` writes nothing.

use assert_cmd::Command;
use std::path::Path;
use std::process::Output;

fn pfconf(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("pfconf").expect("binary");
    c.current_dir(dir).env_remove("NO_COLOR");
    c
}

/// A temporary directory holding `pf.conf` with `text`.
fn dir_with(text: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("pf.conf"), text).unwrap();
    d
}

/// The text of `name` in `dir`.
fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// `pfconf ARGS` in `dir`, which must exit with `code` (its stderr shown
/// when it does not).
fn run(dir: &Path, args: &[&str], code: i32) -> Output {
    let out = pfconf(dir).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn lint_codes(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = pfconf(dir)
        .args(["lint", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn has(codes: &[String], code: &str) -> bool {
    codes.iter().any(|c| c == code)
}

#[test]
fn an_unused_macro_is_removed_with_its_line_and_pf_loads_the_same() {
    let d = dir_with("old = \"em1\"\next_if = \"em0\"\n# wan\nbackup = \"em2\" # spare\nlist = \"{ a \\\n  b }\"\nblock all\npass out on $ext_if\n");
    let expand = || {
        pfconf(d.path())
            .args(["expand", "-q"])
            .output()
            .unwrap()
            .stdout
    };
    let before = expand();
    let out = run(d.path(), &["lint", "--fix", "pf.conf"], 0);
    assert!(stderr(&out).contains("Fixed 3 finding(s), 0 left."));
    assert_eq!(
        read(d.path(), "pf.conf"),
        "ext_if = \"em0\"\n# wan\n# spare\nblock all\npass out on $ext_if\n"
    );
    assert!(lint_codes(d.path(), &["pf.conf"]).is_empty());
    // pfctl -nv echoes macros; the rules and options are the same.
    let after = expand();
    let rules = |t: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(t)
            .lines()
            .filter(|l| !l.contains(" = \""))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rules(&before), rules(&after));
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let text = "x = \"1\"\npass\n";
    let d = dir_with(text);
    let out = run(d.path(), &["lint", "--diff", "pf.conf"], 1);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("-x = \"1\"\n"), "{diff}");
    assert_eq!(read(d.path(), "pf.conf"), text);
}

#[test]
fn standard_input_is_fixed_to_standard_output() {
    let d = tempfile::tempdir().unwrap();
    let out = pfconf(d.path())
        .args(["lint", "--fix", "-"])
        .write_stdin("x = \"1\"\nblock all\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "block all\n");
}

/// A node whose CARP advertisements `block all` drops, and whose NAT
/// translates to the parent's own address.
fn cluster_node() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let etc = d.path().join("etc");
    std::fs::create_dir(&etc).unwrap();
    std::fs::write(etc.join("hostname.em0"), "inet 203.0.113.2/24\n").unwrap();
    std::fs::write(
        etc.join("hostname.carp0"),
        "inet 203.0.113.1/24 vhid 1 carpdev em0 pass secret\n",
    )
    .unwrap();
    std::fs::write(
        etc.join("pf.conf"),
        "block all\npass out on em0 all\nmatch out on em0 nat-to em0\n",
    )
    .unwrap();
    d
}

#[test]
fn unsafe_fixes_wait_for_unsafe_fixes_and_then_remove_the_findings() {
    let d = cluster_node();
    let codes = lint_codes(d.path(), &["--node", "."]);
    assert!(has(&codes, "carp-blocked"), "{codes:?}");
    assert!(has(&codes, "nat-to-interface-address"), "{codes:?}");
    // --fix alone: both fixes are unsafe, nothing is written, and the
    // summary says how to get them.
    let out = run(d.path(), &["lint", "--fix", "--node", "."], 1);
    assert!(
        stderr(&out).contains("2 more fix(es) with --unsafe-fixes"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        read(d.path(), "etc/pf.conf"),
        "block all\npass out on em0 all\nmatch out on em0 nat-to em0\n"
    );
    run(
        d.path(),
        &["lint", "--fix", "--unsafe-fixes", "--node", "."],
        0,
    );
    assert_eq!(
        read(d.path(), "etc/pf.conf"),
        "pass quick on em0 proto carp keep state (no-sync)\nblock all\npass out on em0 all\nmatch out on em0 nat-to (carp0)\n"
    );
    let codes = lint_codes(d.path(), &["--node", "."]);
    assert!(!has(&codes, "carp-blocked"), "{codes:?}");
    assert!(!has(&codes, "nat-to-interface-address"), "{codes:?}");
}

#[test]
fn a_fix_in_an_included_file_is_written_there() {
    let d = dir_with("include \"lan.conf\"\npass\n");
    std::fs::write(d.path().join("lan.conf"), "unused = \"1\"\nblock in all\n").unwrap();
    run(d.path(), &["lint", "--fix", "pf.conf"], 0);
    assert_eq!(read(d.path(), "lan.conf"), "block in all\n");
    assert_eq!(read(d.path(), "pf.conf"), "include \"lan.conf\"\npass\n");
}

#[test]
fn legacy_translation_and_scrub_rules_are_rewritten_keeping_their_macros() {
    let text = "ext_if = \"em0\"\nnat on $ext_if from 10.0.0.0/24 to any -> ($ext_if)\nrdr pass on $ext_if proto tcp to port 80 -> 10.0.0.5 port 8080\nscrub in all no-df random-id\nbinat on $ext_if from 10.0.0.9 to any -> 203.0.113.9\n";
    let d = dir_with(text);
    // They change how translations combine: unsafe, so --fix alone
    // leaves them.
    run(d.path(), &["lint", "--fix", "pf.conf"], 1);
    assert_eq!(read(d.path(), "pf.conf"), text);
    run(d.path(), &["lint", "--fix", "--unsafe-fixes", "pf.conf"], 0);
    assert_eq!(
        read(d.path(), "pf.conf"),
        "ext_if = \"em0\"\nmatch out on $ext_if from 10.0.0.0/24 to any nat-to ($ext_if)\npass in on $ext_if proto tcp to port 80 rdr-to 10.0.0.5 port 8080\nmatch in all scrub (no-df random-id)\nmatch on $ext_if from 10.0.0.9 to any binat-to 203.0.113.9\n"
    );
    run(d.path(), &["check", "pf.conf"], 0);
}

/// An old pf debug level (`set debug loud`, refused by OpenBSD's pfctl,
/// pfctl_parser.c 1.352 `string_to_loglevel` takes syslog priority names)
/// is rewritten to its syslog priority, an unsafe fix: the file did not
/// load before and loads after.
#[test]
fn an_old_debug_level_is_rewritten_to_its_syslog_priority_on_request() {
    let d = dir_with("set debug loud # chatty\nblock all\n");
    run(d.path(), &["lint", "--fix", "pf.conf"], 1);
    assert_eq!(
        read(d.path(), "pf.conf"),
        "set debug loud # chatty\nblock all\n"
    );
    run(d.path(), &["lint", "--fix", "--unsafe-fixes", "pf.conf"], 0);
    assert_eq!(
        read(d.path(), "pf.conf"),
        "set debug debug # chatty\nblock all\n"
    );
    assert!(!has(&lint_codes(d.path(), &["pf.conf"]), "legacy"));
    for (old, new) in [("none", "emerg"), ("urgent", "err"), ("misc", "notice")] {
        let d = dir_with(&format!("set debug {old}\n"));
        run(d.path(), &["lint", "--fix", "--unsafe-fixes", "pf.conf"], 0);
        assert_eq!(read(d.path(), "pf.conf"), format!("set debug {new}\n"));
    }
}
