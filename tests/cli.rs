//! The `pfconf` command line: exit codes, output formats, inputs.
//!
//! Every command runs in the package directory so that fixture paths (and
//! the file names in diagnostics) are the relative `tests/fixtures/...`.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn pfconf() -> Command {
    let mut cmd = Command::cargo_bin("pfconf").expect("the pfconf binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The lines a command printed on stdout, where diagnostics go.
fn stdout_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn clean_file_exits_0() {
    pfconf()
        .args(["check", "tests/fixtures/clean.conf"])
        .assert()
        .code(0);
}

#[test]
fn clean_file_short_format_prints_nothing() {
    pfconf()
        .args(["check", "--format", "short", "tests/fixtures/clean.conf"])
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
}

#[test]
fn errors_exit_1_with_short_lines_on_stdout() {
    let out = pfconf()
        .args(["check", "--format", "short", "tests/fixtures/errors.conf"])
        .assert()
        .code(1)
        .stderr("")
        .get_output()
        .clone();
    assert_eq!(
        stdout_lines(&out),
        [
            "tests/fixtures/errors.conf:3:23: error[port-without-tcp-udp]: port only applies to tcp/udp",
            "tests/fixtures/errors.conf:4:21: error[proto-af-mismatch]: proto icmp6 doesn't match address family inet",
        ]
    );
}

#[test]
fn errors_exit_1_in_default_format() {
    pfconf()
        .args(["check", "tests/fixtures/errors.conf"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("port only applies to tcp/udp"))
        .stdout(predicate::str::contains(
            "proto icmp6 doesn't match address family inet",
        ));
}

#[test]
fn dash_reads_stdin() {
    pfconf()
        .args(["check", "--format", "short", "-"])
        .write_stdin("block all\npass in proto icmp to port 22\n")
        .assert()
        .code(1)
        .stdout("stdin:2:23: error[port-without-tcp-udp]: port only applies to tcp/udp\n");
    pfconf()
        .args(["check", "--format", "short", "-"])
        .write_stdin("block all\npass out proto tcp to port 22\n")
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn missing_file_exits_2() {
    pfconf()
        .args(["check", "tests/fixtures/no-such-file.conf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tests/fixtures/no-such-file.conf"))
        .stderr(predicate::str::contains("No such file"));
}

#[test]
fn missing_file_among_others_still_exits_2() {
    pfconf()
        .args([
            "check",
            "tests/fixtures/errors.conf",
            "tests/fixtures/no-such-file.conf",
        ])
        .assert()
        .code(2);
}

#[test]
fn a_byte_that_is_not_utf8_is_an_error_at_its_line_and_column_outside_comments() {
    // pfctl reads bytes: 0xff in a word is refused there (line 2, the
    // seventh byte), as it is here, with its place.
    pfconf()
        .args(["check", "--format", "concise", "tests/fixtures/invalid-utf8.conf"])
        .assert()
        .code(1)
        .stdout(
            "tests/fixtures/invalid-utf8.conf:2:7: error[syntax]: syntax error: byte 0xFF (not UTF-8) outside a comment or a quoted string\n",
        );
}

#[test]
fn bytes_that_are_not_utf8_are_accepted_in_comments_and_strings_and_fmt_keeps_them() {
    // Latin-1 `é` (0xe9) in a comment and in a label, as real files have.
    let bytes: &[u8] = b"# r\xe9seau local\npass   in on em0 label \"caf\xe9\"  # d\xe9j\xe0\n";
    let (_d, path) = temp_file("latin1.conf", bytes);
    pfconf().arg("check").arg(&path).assert().code(0);
    pfconf().arg("fmt").arg(&path).assert().code(0);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"# r\xe9seau local\npass in on em0 label \"caf\xe9\" # d\xe9j\xe0\n"
    );
    // Standard input to standard output, byte for byte.
    let out = pfconf()
        .args(["fmt", "-"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        b"# r\xe9seau local\npass in on em0 label \"caf\xe9\" # d\xe9j\xe0\n"
    );
}

#[test]
fn json_format_prints_an_array_on_stdout() {
    let out = pfconf()
        .args(["check", "--format", "json", "tests/fixtures/errors.conf"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let arr = v.as_array().expect("a JSON array");
    assert_eq!(arr.len(), 2, "{v}");
    let expected = [
        (
            3,
            23,
            "port-without-tcp-udp",
            "port only applies to tcp/udp",
        ),
        (
            4,
            21,
            "proto-af-mismatch",
            "proto icmp6 doesn't match address family inet",
        ),
    ];
    for (d, (line, column, code, message)) in arr.iter().zip(expected) {
        assert_eq!(d["file"], "tests/fixtures/errors.conf", "{d}");
        assert_eq!(d["line"], line, "{d}");
        assert_eq!(d["column"], column, "{d}");
        assert_eq!(d["severity"], "error", "{d}");
        assert_eq!(d["code"], code, "{d}");
        assert_eq!(d["message"], message, "{d}");
    }
}

#[test]
fn json_format_on_a_clean_file_is_an_empty_array() {
    let out = pfconf()
        .args(["check", "--format", "json", "tests/fixtures/clean.conf"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(v, Value::Array(Vec::new()));
}

#[test]
fn define_overrides_a_macro() {
    // The file sets p = "icmp", which makes `port 80` an error.
    pfconf()
        .args(["check", "--format", "short", "tests/fixtures/macro.conf"])
        .assert()
        .code(1)
        .stdout(
            "tests/fixtures/macro.conf:3:21: error[port-without-tcp-udp]: port only applies to tcp/udp\n",
        );
    pfconf()
        .args([
            "check",
            "--format",
            "short",
            "-D",
            "p=tcp",
            "tests/fixtures/macro.conf",
        ])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn define_without_value_is_a_usage_error() {
    pfconf()
        .args(["check", "-D", "p", "tests/fixtures/macro.conf"])
        .assert()
        .code(2);
}

#[test]
fn relative_include_resolves_from_the_including_file() {
    // The macro used on line 3 is defined in inc/included.conf: an include
    // that did not resolve would also leave it undefined.
    pfconf()
        .args([
            "check",
            "--format",
            "short",
            "tests/fixtures/include-main.conf",
        ])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn relative_include_resolves_from_another_working_directory() {
    pfconf()
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
        .args(["check", "--format", "short", "fixtures/include-main.conf"])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn root_maps_absolute_include_paths() {
    pfconf()
        .args([
            "check",
            "--format",
            "short",
            "--root",
            "tests/fixtures/root",
            "tests/fixtures/root-main.conf",
        ])
        .assert()
        .code(0)
        .stderr("");
}

#[test]
fn absolute_include_without_root_is_missing() {
    // Without --root, /etc/x.conf is read from the real /etc (where it
    // does not exist), and the macro it would define stays undefined.
    if std::path::Path::new("/etc/x.conf").exists() {
        println!("/etc/x.conf exists on this host: skipping");
        return;
    }
    let out = pfconf()
        .args([
            "check",
            "--format",
            "short",
            "tests/fixtures/root-main.conf",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let lines = stdout_lines(&out);
    assert_eq!(
        lines.first().map(String::as_str),
        Some("tests/fixtures/root-main.conf:2:1: error[include-missing]: failed to include file /etc/x.conf"),
        "{lines:?}"
    );
}

#[test]
fn parse_json_prints_an_object_with_ast() {
    let out = pfconf()
        .args(["parse", "--json", "tests/fixtures/clean.conf"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let obj = v.as_object().expect("a JSON object");
    let ast = obj.get("ast").expect("an `ast` field");
    assert!(ast.is_object(), "{ast}");
}

#[test]
fn parse_json_writes_nested_host_lists() {
    // A nested `{ }` host list once made serde refuse the AST (and the
    // command panic): it is written as {"kind": "list", "items": [...]}.
    let (_d, path) = temp_file("n.conf", b"pass from { { 192.0.2.1 }, 192.0.2.2 } to any\n");
    let out = pfconf()
        .args(["parse", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let hosts = &v["ast"]["statements"][0]["kind"]["hosts"]["from"]["hosts"];
    assert_eq!(hosts[0]["node"]["kind"]["kind"], "list", "{hosts}");
    assert_eq!(
        hosts[0]["node"]["kind"]["items"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(hosts.as_array().map(Vec::len), Some(2));
}

#[test]
fn unknown_subcommand_exits_2() {
    pfconf().arg("frobnicate").assert().code(2);
}

#[test]
fn unknown_format_exits_2() {
    pfconf()
        .args(["check", "--format", "xml", "tests/fixtures/clean.conf"])
        .assert()
        .code(2);
}

// ------------------------------------------------------------------ fmt

fn temp_file(name: &str, text: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write fixture");
    (dir, path)
}

#[test]
fn fmt_check_lists_files_that_would_change_and_exits_1() {
    let (_d, path) = temp_file("a.conf", b"pass   in\n");
    let out = pfconf()
        .args(["fmt", "--check"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("would be reformatted"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "pass   in\n");
    let (_d2, clean) = temp_file("b.conf", b"pass in\n");
    pfconf()
        .args(["fmt", "--check"])
        .arg(&clean)
        .assert()
        .code(0);
}

#[test]
fn fmt_diff_prints_a_unified_diff_without_writing() {
    let (_d, path) = temp_file("a.conf", b"pass   in\n");
    let out = pfconf()
        .args(["fmt", "--diff", "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("-pass   in\n+pass in\n"), "{text}");
    assert!(text.contains("@@ -1 +1 @@"), "{text}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "pass   in\n");
}

#[test]
fn fmt_rewrites_in_place_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let (_d, path) = temp_file("a.conf", b"# c\npass   in   # t\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    pfconf().arg("fmt").arg(&path).assert().code(0);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# c\npass in # t\n"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn fmt_dash_formats_stdin_to_stdout() {
    pfconf()
        .args(["fmt", "-"])
        .write_stdin("block   all\n")
        .assert()
        .code(0)
        .stdout("block all\n");
}

#[test]
fn fmt_leaves_an_invalid_file_untouched_and_exits_1() {
    let (_d, path) = temp_file("bad.conf", b"pass quick in\n");
    let out = pfconf().arg("fmt").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("untouched"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "pass quick in\n");
}

#[test]
fn fmt_unreadable_file_exits_2() {
    pfconf().args(["fmt", "no/such/file.conf"]).assert().code(2);
    // A directory is not a file to read.
    let d = tempfile::tempdir().unwrap();
    pfconf().arg("fmt").arg(d.path()).assert().code(2);
    // Bytes are read: a binary file is an input with problems (1), not
    // a file pfconf could not read.
    let (_d, path) = temp_file("bin.conf", b"pass \xff\n");
    pfconf().arg("fmt").arg(&path).assert().code(1);
}

#[test]
fn fmt_reads_the_width_from_pfconf_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pfconf.toml"), "[format]\nwidth = 30\n").unwrap();
    let mut cmd = Command::cargo_bin("pfconf").unwrap();
    cmd.current_dir(dir.path())
        .args(["fmt", "-"])
        .write_stdin("pass in on em0 proto tcp to port 22 keep state\n")
        .assert()
        .code(0)
        .stdout("pass in on em0 proto tcp \\\n    to port 22 keep state\n");
    std::fs::write(
        dir.path().join("pfconf.toml"),
        "[format]\nwidth = \"wide\"\n",
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("pfconf").unwrap();
    cmd.current_dir(dir.path())
        .args(["fmt", "-"])
        .write_stdin("pass\n")
        .assert()
        .code(2);
}

// ------------------------------------------------------------------ lint

#[test]
fn lint_reports_findings_and_exit_codes_follow_the_levels() {
    let (_d, path) = temp_file("l.conf", b"x = \"1\"\nblock all\npass in on em0\n");
    let out = pfconf()
        .args(["lint", "--format", "short"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings alone exit 0");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(":1:1: warning[unused-macro]: macro `x` is never used"),
        "{text}"
    );
    pfconf()
        .args(["lint", "--deny", "warnings"])
        .arg(&path)
        .assert()
        .code(1);
    pfconf()
        .args(["lint", "--ignore", "unused-macro", "--deny", "warnings"])
        .arg(&path)
        .assert()
        .code(0);
    pfconf()
        .args(["lint", "--select", "no-such-lint"])
        .arg(&path)
        .assert()
        .code(2);
}

#[test]
fn lint_machine_formats() {
    let (_d, path) = temp_file("l.conf", b"x = \"1\"\nblock all\npass in on em0\n");
    let out = pfconf()
        .args(["lint", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["code"], "unused-macro");
    assert_eq!(v[0]["line"], 1);
    let out = pfconf()
        .args(["lint", "--format", "sarif"])
        .arg(&path)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert!(run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "unused-macro"));
    assert_eq!(run["results"][0]["ruleId"], "unused-macro");
    assert_eq!(
        run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    assert!(run["results"][0]["partialFingerprints"]["pfconf/v1"].is_string());
    let out = pfconf()
        .args(["lint", "--format", "github"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("::warning file="), "{text}");
    assert!(text.contains("line=1,col=1"), "{text}");
}

#[test]
fn lint_config_file_sets_levels() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pfconf.toml"),
        "[lints]\nunused-macro = \"error\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pf.conf"),
        "x = \"1\"\nblock all\npass in on em0\n",
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("pfconf").unwrap();
    cmd.current_dir(dir.path()).arg("lint").assert().code(1);
    std::fs::write(
        dir.path().join("pfconf.toml"),
        "[lints]\nnope = \"error\"\n",
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("pfconf").unwrap();
    cmd.current_dir(dir.path()).arg("lint").assert().code(2);
}

#[test]
fn explain_and_list() {
    pfconf()
        .args(["explain", "unused-table"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("# unused-table\n"));
    pfconf().args(["explain", "nope"]).assert().code(2);
    let out = pfconf().args(["lint", "--list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("duplicate-rule"));
}

// ------------------------------------------------------------------ eval

#[test]
fn eval_names_the_verdict_and_the_deciding_rule() {
    let out = pfconf()
        .args([
            "eval",
            "tests/fixtures/ha/skeleton.conf",
            "--format",
            "json",
            "--matches",
        ])
        .args(["--packet", "in on em0 proto carp to 224.0.0.18"])
        .args(["--packet", "in on em2 proto pfsync"])
        .args([
            "--packet",
            "in on em3 proto tcp from 10.0.0.1 to 10.0.0.2 port 22",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &v["results"];
    assert_eq!(v[0]["verdict"], "block");
    assert_eq!(v[0]["rule"]["line"], 16);
    assert_eq!(v[0]["rule"]["text"], "block all");
    assert_eq!(v[0]["quick"], false);
    assert_eq!(v[0]["matches"].as_array().unwrap().len(), 2);
    assert_eq!(v[1]["verdict"], "block");
    assert_eq!(v[2]["verdict"], "block");
    assert_eq!(v[2]["possible"], serde_json::json!(["block"]));
}

#[test]
fn eval_exit_codes() {
    pfconf()
        .args([
            "eval",
            "tests/fixtures/ha/skeleton.conf",
            "--packet",
            "sideways on em0",
        ])
        .assert()
        .code(1);
    pfconf()
        .args([
            "eval",
            "tests/fixtures/errors.conf",
            "--packet",
            "in on em0",
        ])
        .assert()
        .code(1);
    pfconf()
        .args(["eval", "tests/fixtures/clean.conf"])
        .assert()
        .code(2);
}

// ------------------------------------------------------------------ README

/// The `pfconf` commands of the README's GitHub Actions workflow, run on a
/// clean ruleset (exit 0) and on one with a finding (exit 1 for lint).
#[test]
fn readme_workflow_commands_run() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```yaml")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("runs-on:"))
        .expect("a workflow yaml block in README");
    let commands: Vec<Vec<String>> = block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- run: pfconf "))
        .map(|c| {
            c.split(" > ")
                .next()
                .unwrap_or(c)
                .split_whitespace()
                .map(str::to_string)
                .collect()
        })
        .collect();
    assert_eq!(commands.len(), 3, "{block}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pf.conf"), "block all\npass out on em0\n").unwrap();
    for args in &commands {
        let out = Command::cargo_bin("pfconf")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if args.contains(&"sarif".to_string()) {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["version"], "2.1.0");
        }
    }
    std::fs::write(dir.path().join("pf.conf"), "pass proto pfsync\n").unwrap();
    let out = Command::cargo_bin("pfconf")
        .unwrap()
        .current_dir(dir.path())
        .args(["lint", "--format", "github", "pf.conf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("::error file=pf.conf,line=1"));
}

/// The SARIF log is checked against serde-sarif's types, which are generated
/// from the official SARIF 2.1.0 JSON schema: it must deserialize, and
/// serializing it back must give the same JSON, so no property is unknown to
/// the schema, misspelled or of the wrong type.
#[test]
fn lint_sarif_matches_the_sarif_schema() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/ha/skeleton.conf",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // Findings with related locations (carp-blocked points at the pass rule
    // it overrides), and one from each severity.
    let text = format!("x = \"1\"\ntable <t> {{ 10.0.0.1 }}\n{text}");
    let (_d, path) = temp_file("s.conf", text.as_bytes());
    let out = pfconf()
        .args(["lint", "--format", "sarif"])
        .arg(&path)
        .output()
        .unwrap();
    let original: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = original["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 4, "{original:#}");
    assert!(
        results.iter().any(|r| r["relatedLocations"].is_array()),
        "{original:#}"
    );
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(original.clone())
        .unwrap_or_else(|e| panic!("not SARIF 2.1.0: {e}\n{original:#}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(back, original, "properties outside the SARIF schema");
}

/// A node directory for the `--node` tests: its ruleset includes an
/// absolute path, which must resolve inside the directory.
fn node_dir(lan_rule: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(etc.join("pf")).unwrap();
    std::fs::write(etc.join("hostname.em1"), "inet 10.10.10.2 255.255.255.0\n").unwrap();
    std::fs::write(
        etc.join("hostname.carp1"),
        "inet 10.10.10.1 255.255.255.0 vhid 2 carpdev em1 pass s\n",
    )
    .unwrap();
    std::fs::write(
        etc.join("pf.conf"),
        "set skip on lo\nblock all\ninclude \"/etc/pf/lan.conf\"\npass on em1 proto carp\n",
    )
    .unwrap();
    std::fs::write(etc.join("pf/lan.conf"), lan_rule).unwrap();
    dir
}

#[test]
fn node_without_path_reads_the_nodes_ruleset_and_names_files_as_the_node_does() {
    let dir = node_dir("pass in on em1 proto tcp to port 99999\n");
    for cmd in ["check", "lint", "expand"] {
        let out = pfconf()
            .args([cmd, "--node"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("/etc/pf/lan.conf:1:34"), "{cmd}: {all}");
        let host = dir.path().display().to_string();
        assert!(!all.contains(&host), "{cmd} shows the host path: {all}");
    }
    let dir = node_dir("pass in on em1 proto tcp to port 22\n");
    pfconf()
        .args(["check", "--node"])
        .arg(dir.path())
        .assert()
        .code(0);
    // A packet on carp1 is filtered as on its parent em1 (pf_test).
    pfconf()
        .args(["eval", "--format", "json", "--node"])
        .arg(dir.path())
        .args([
            "--packet",
            "in on carp1 proto tcp from 10.10.10.9 to 10.10.10.1 port 22",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"filtered_on\":\"em1\""))
        .stdout(predicate::str::contains("\"file\":\"/etc/pf/lan.conf\""));
}

/// `pfconf.toml [node] dir` names the node directory as `--node` does
/// (relative to the configuration file): its CARP interface needs
/// advertisements (proto carp) passed on its carpdev, which a bare
/// `block all` stops; without a node nothing says CARP is in use.
#[test]
fn lint_reads_the_node_directory_named_in_pfconf_toml() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    let etc = root.join("nodes/fw1/etc");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(etc.join("hostname.em0"), "inet 192.0.2.2 255.255.255.0\n").unwrap();
    std::fs::write(
        etc.join("hostname.carp0"),
        "inet 192.0.2.1 255.255.255.0 vhid 1 carpdev em0 pass s\n",
    )
    .unwrap();
    let ruleset = root.join("pf.conf");
    std::fs::write(&ruleset, "set skip on lo\nblock all\npass out\n").unwrap();
    let lint = || {
        let out = pfconf()
            .args(["lint", "--format", "concise"])
            .arg(&ruleset)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, _) = lint();
    assert_eq!(code, Some(0), "{stdout}");
    assert!(!stdout.contains("carp-blocked"), "{stdout}");
    std::fs::write(root.join("pfconf.toml"), "[node]\ndir = \"nodes/fw1\"\n").unwrap();
    let (code, stdout, _) = lint();
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains(":2:1: error[carp-blocked]"), "{stdout}");
    // `--node` wins over the file.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("hostname.em0"), "inet 192.0.2.2/24\n").unwrap();
    pfconf()
        .args(["lint", "--format", "concise", "--node"])
        .arg(other.path())
        .arg(&ruleset)
        .assert()
        .code(0);
    // A directory that is not a node is an error naming the key.
    std::fs::write(root.join("pfconf.toml"), "[node]\ndir = \"nodes\"\n").unwrap();
    let (code, _, stderr) = lint();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("[node] dir: ") && stderr.contains("not a node directory"),
        "{stderr}"
    );
    std::fs::write(root.join("pfconf.toml"), "[node]\ndri = \"nodes/fw1\"\n").unwrap();
    let (code, _, stderr) = lint();
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("unknown key `dri` in [node]: did you mean `dir`?"),
        "{stderr}"
    );
}

/// With a node's passwd and group files, a `user` the node does not
/// define is reported: pfctl there stops with `unknown user`.
#[test]
fn check_node_reports_users_the_node_does_not_define() {
    let dir = node_dir("pass in on em1 proto tcp to port 22 user alice\npass in on em1 proto tcp to port 23 user root\n");
    std::fs::write(
        dir.path().join("etc/master.passwd"),
        "root:*:0:0::0:0:r:/root:/bin/ksh\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("etc/group"), "wheel:*:0:root\n").unwrap();
    pfconf()
        .args(["check", "--format", "short", "--node"])
        .arg(dir.path())
        .assert()
        .stdout(predicate::str::contains(
            "/etc/pf/lan.conf:1:42: warning[unknown-user]: unknown user alice",
        ))
        .stdout(predicate::str::contains("user root").not());
}

/// With `--root DIR`, a diagnostic in an included file names it as the
/// ruleset does (`/etc/pf/bad.conf`), never as the host path it was
/// read from.
#[test]
fn root_diagnostics_name_files_as_the_ruleset_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("etc/pf")).unwrap();
    std::fs::write(
        dir.path().join("etc/pf/bad.conf"),
        "pass in proto icmp to port 22\n",
    )
    .unwrap();
    let main = dir.path().join("main.conf");
    std::fs::write(&main, "include \"/etc/pf/bad.conf\"\n").unwrap();
    let out = pfconf()
        .args(["check", "--format", "short", "--root"])
        .arg(dir.path())
        .arg(&main)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("/etc/pf/bad.conf:1:23: error[port-without-tcp-udp]"),
        "{all}"
    );
    let host = dir.path().join("etc").display().to_string();
    assert!(!all.contains(&host), "{all}");
}

/// `pfconf.toml` is found in the file's directory or a parent (up to the
/// repository root), and a typo in it is an error (exit 2) with the file,
/// the line and the name probably meant, as ruff does.
#[test]
fn project_config_is_found_upwards_and_typos_are_errors() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".git")).unwrap();
    let deep = repo.path().join("fw/site-a");
    std::fs::create_dir_all(&deep).unwrap();
    let conf = deep.join("pf.conf");
    std::fs::write(&conf, "x = \"1\"\npass\n").unwrap();
    // Found in a parent: unused-macro turned off there.
    std::fs::write(
        repo.path().join("pfconf.toml"),
        "[lints]\nunused-macro = \"off\"\n",
    )
    .unwrap();
    let out = pfconf()
        .args(["lint", "--format", "short"])
        .arg(&conf)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("unused-macro"), "{all}");
    // A typo in a section name.
    std::fs::write(
        repo.path().join("pfconf.toml"),
        "[lint]\nunused-macro = \"off\"\n",
    )
    .unwrap();
    let out = pfconf().args(["lint"]).arg(&conf).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("pfconf.toml:1: unknown section [lint]: did you mean [lints]?"),
        "{e}"
    );
    // A typo in a key, for fmt.
    std::fs::write(repo.path().join("pfconf.toml"), "[format]\nwidht = 60\n").unwrap();
    let out = pfconf()
        .args(["fmt", "--check"])
        .arg(&conf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("pfconf.toml:2: unknown key `widht` in [format]: did you mean `width`?"),
        "{e}"
    );
}

/// On a terminal `check` ends with one line, as ruff does; piped, and with
/// `-q`, it prints nothing more. The terminal comes from script(1), when
/// the machine has it.
#[test]
fn check_on_a_terminal_ends_with_a_summary() {
    if !std::path::Path::new("/usr/bin/script").exists() {
        eprintln!("script(1) is not installed: the terminal case is not run");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("pfconf");
    let run = |args: &str| -> String {
        let out = std::process::Command::new("/usr/bin/script")
            .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).replace('\r', "")
    };
    assert!(run("check tests/fixtures/clean.conf").ends_with("All checks passed.\n"));
    assert!(run("check tests/fixtures/errors.conf")
        .ends_with("tests/fixtures/errors.conf: 2 errors, 0 warnings\n"));
    assert!(!run("check -q tests/fixtures/clean.conf").contains("All checks passed."));
    pfconf()
        .args(["check", "tests/fixtures/clean.conf"])
        .assert()
        .stdout("");
}

/// `check` reads the project configuration too: a typo in it stops the
/// command (exit 2), and `--config FILE` names another file.
#[test]
fn check_reads_the_project_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pf.conf"), "pass\n").unwrap();
    std::fs::write(dir.path().join("pfconf.toml"), "[formt]\nwidth = 60\n").unwrap();
    let out = pfconf()
        .arg("check")
        .arg(dir.path().join("pf.conf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("pfconf.toml:1: unknown section [formt]: did you mean [format]?"));
    let good = dir.path().join("good.toml");
    std::fs::write(&good, "[format]\nwidth = 60\n").unwrap();
    pfconf()
        .arg("check")
        .arg("--config")
        .arg(&good)
        .arg(dir.path().join("pf.conf"))
        .assert()
        .code(0);
}

/// Shell completions and the manual page come from the same definitions
/// as `--help`.
#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = pfconf().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("pfconf") && text.contains("lint"),
            "{shell}: {text}"
        );
    }
    pfconf()
        .arg("man")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(".TH pfconf 1"))
        .stdout(predicate::str::contains("expand"));
    pfconf().args(["completions", "tcsh"]).assert().code(2);
}

/// Exit codes: a ruleset with errors is the input's problem (1) for eval
/// and expand too, not pfconf's (2).
#[test]
fn eval_and_expand_exit_1_on_a_ruleset_with_errors() {
    for cmd in [
        vec![
            "eval",
            "tests/fixtures/errors.conf",
            "--packet",
            "in on em0 proto tcp to 10.0.0.1 port 22",
        ],
        vec!["expand", "tests/fixtures/errors.conf"],
    ] {
        pfconf().args(&cmd).assert().code(1);
    }
}
