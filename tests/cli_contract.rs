//! The command line's contract (DESIGN, "Command line"), held on every
//! command: one set of `--format` names, diagnostics on stdout, a JSON
//! consumer always gets JSON that matches the published schema
//! (`docs/schema/`), the exit codes 0/1/2, colour by `--color`, NO_COLOR
//! and FORCE_COLOR, `-` with `--stdin-filename`, `--config` and `-q`
//! everywhere.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn pfconf() -> Command {
    let mut c = Command::cargo_bin("pfconf").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// A ruleset with one check error (port without tcp/udp, line 2).
const BROKEN: &str = "ext_if = \"em0\"\npass in on $ext_if proto icmp to port 22\n";
/// A clean ruleset with a lint finding (unused macro).
const CLEAN: &str = "ext_if = \"em0\"\nold = \"em1\"\nblock all\npass out on $ext_if\n";
const MISSING: &str = "tests/fixtures/no-such-file.conf";

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/schema")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("schema readable"))
        .expect("schema is JSON")
}

/// Asserts `doc` matches the schema `name`, listing every violation.
fn assert_matches(name: &str, doc: &Value) {
    let s = schema(name);
    let v = jsonschema::validator_for(&s).expect("schema compiles");
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\nin {doc:#}");
}

/// Asserts every line of `text` matches `$defs/<def>` of schema `name`.
fn assert_lines_match(name: &str, def: &str, text: &str) {
    let mut s = schema(name);
    s["$ref"] = format!("#/$defs/{def}").into();
    if let Some(o) = s.as_object_mut() {
        o.remove("type");
        o.remove("required");
        o.remove("properties");
        o.remove("additionalProperties");
        o.remove("items");
    }
    let v = jsonschema::validator_for(&s).expect("schema compiles");
    for line in text.lines() {
        let doc: Value = serde_json::from_str(line).expect("each line is JSON");
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}#{def}: {errors:?} in {line}");
    }
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", stdout(out)))
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(d.path().join(".git")).expect("repository root");
    for (name, text) in files {
        let p = d.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("dirs");
        }
        std::fs::write(p, text).expect("write fixture");
    }
    d
}

#[test]
fn every_diagnostic_schema_copy_is_the_published_one() {
    let mut one = schema("diagnostic.schema.json");
    if let Some(o) = one.as_object_mut() {
        o.remove("$schema");
        o.remove("title");
    }
    for name in [
        "diagnostics.schema.json",
        "eval.schema.json",
        "expand.schema.json",
        "diff.schema.json",
        "parse.schema.json",
        "test.schema.json",
    ] {
        assert_eq!(
            schema(name)["$defs"]["diagnostic"],
            one,
            "{name} carries an outdated copy of the diagnostic object"
        );
    }
}

#[test]
fn check_lint_and_fmt_json_match_the_schema_on_findings_and_on_unreadable_files() {
    let d = dir_with(&[("broken.conf", BROKEN), ("clean.conf", CLEAN)]);
    let broken = d.path().join("broken.conf");
    let clean = d.path().join("clean.conf");
    for (cmd, status) in [("check", 1), ("lint", 1)] {
        let out = pfconf()
            .args([cmd, "--format", "json"])
            .arg(&broken)
            .arg(&clean)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(status), "{cmd}");
        let doc = json(&out);
        assert_matches("diagnostics.schema.json", &doc);
        let codes: Vec<&str> = doc
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.contains(&"port-without-tcp-udp"), "{cmd}: {codes:?}");
        // One shape: no duplicated keys.
        assert!(doc[0].get("level").is_none() && doc[0].get("lint").is_none());
    }
    // Unreadable: an io-error object, exit 2, and the message on stderr.
    for args in [
        vec!["check", "--format", "json", MISSING],
        vec!["lint", "--format", "json", MISSING],
        vec!["fmt", "--check", "--format", "json", MISSING],
    ] {
        let out = pfconf().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc = json(&out);
        assert_matches("diagnostics.schema.json", &doc);
        assert_eq!(doc[0]["code"], "io-error", "{args:?}");
        assert_eq!(doc[0]["file"], MISSING);
        assert!(String::from_utf8_lossy(&out.stderr).contains("No such file"));
    }
    // json-lines: one diagnostic object per line.
    let out = pfconf()
        .args(["lint", "--format", "json-lines"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!stdout(&out).is_empty());
    assert_lines_match("diagnostics.schema.json", "diagnostic", &stdout(&out));
}

#[test]
fn eval_expand_diff_and_parse_json_match_their_schemas_in_success_and_failure() {
    let d = dir_with(&[("broken.conf", BROKEN), ("clean.conf", CLEAN)]);
    let (broken, clean) = (d.path().join("broken.conf"), d.path().join("clean.conf"));
    let packet = ["--packet", "out on em0 proto tcp to 192.0.2.1 port 443"];
    // eval
    let out = pfconf()
        .args(["eval", "--format", "json"])
        .args(packet)
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_matches("eval.schema.json", &doc);
    assert_eq!(doc["results"][0]["verdict"], "pass");
    // Every matching rule only on request (--matches).
    assert!(doc["results"][0].get("matches").is_none());
    for (file, status) in [(broken.as_path(), 1), (Path::new(MISSING), 2)] {
        let out = pfconf()
            .args(["eval", "--format", "json"])
            .args(packet)
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(status), "{file:?}");
        let doc = json(&out);
        assert_matches("eval.schema.json", &doc);
        assert_eq!(doc["results"], serde_json::json!([]));
        assert!(!doc["diagnostics"].as_array().unwrap().is_empty());
    }
    let out = pfconf()
        .args(["eval", "--format", "json-lines"])
        .args(packet)
        .args(["--packet", "nonsense"])
        .arg(&clean)
        .output()
        .unwrap();
    assert_lines_match("eval.schema.json", "result", &stdout(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    // expand
    let out = pfconf()
        .args(["expand", "--format", "json"])
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_matches("expand.schema.json", &doc);
    assert_eq!(doc["rules"][0]["text"], "block drop all");
    for (file, status) in [(broken.as_path(), 1), (Path::new(MISSING), 2)] {
        let out = pfconf()
            .args(["expand", "--format", "json"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(status), "{file:?}");
        assert_matches("expand.schema.json", &json(&out));
    }
    let out = pfconf()
        .args(["expand", "--format", "json-lines"])
        .arg(&clean)
        .output()
        .unwrap();
    assert_eq!(stdout(&out).lines().count(), 2);
    assert_lines_match("expand.schema.json", "rule", &stdout(&out));
    // diff
    let out = pfconf()
        .args(["diff", "--format", "json"])
        .arg(&clean)
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_matches("diff.schema.json", &json(&out));
    let out = pfconf()
        .args(["diff", "--format", "json"])
        .arg(&clean)
        .arg(MISSING)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    assert_matches("diff.schema.json", &doc);
    assert_eq!(doc["diagnostics"][0]["code"], "io-error");
    // parse
    for (file, status) in [(clean.as_path(), 0), (Path::new(MISSING), 2)] {
        let out = pfconf()
            .args(["parse", "--format", "json"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(status));
        assert_matches("parse.schema.json", &json(&out));
    }
    // lists
    for args in [
        ["lint", "--list", "--format", "json"],
        ["explain", "--list", "--format", "json"],
    ] {
        let out = pfconf().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let doc = json(&out);
        assert_matches("list.schema.json", &doc);
        assert!(doc
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "unused-macro"));
    }
}

#[test]
fn diagnostics_go_to_stdout_in_every_format_and_failures_to_stderr() {
    let d = dir_with(&[("broken.conf", BROKEN)]);
    let broken = d.path().join("broken.conf");
    for cmd in ["check", "lint"] {
        for format in [
            "full", "concise", "rich", "short", "github", "sarif", "junit",
        ] {
            let out = pfconf()
                .args([cmd, "--format", format])
                .arg(&broken)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{cmd} {format}");
            let text = stdout(&out);
            assert!(
                text.contains("port") && text.contains("port-without-tcp-udp"),
                "{cmd} {format}: {text}"
            );
            assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{cmd} {format}");
        }
    }
    // The concise form is gcc's, which editors parse.
    let out = pfconf()
        .args(["check", "--format", "concise"])
        .arg(&broken)
        .output()
        .unwrap();
    let line = stdout(&out);
    assert!(
        line.ends_with(":2:34: error[port-without-tcp-udp]: port only applies to tcp/udp\n"),
        "{line}"
    );
    // An unreadable file in a format people read: stderr, not stdout.
    let out = pfconf()
        .args(["check", "--format", "concise", MISSING])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("No such file"));
}

#[test]
fn junit_has_a_suite_per_file_and_a_failure_per_finding() {
    let d = dir_with(&[("broken.conf", BROKEN), ("clean.conf", "block all\n")]);
    let out = pfconf()
        .args(["check", "--format", "junit"])
        .arg(d.path().join("broken.conf"))
        .arg(d.path().join("clean.conf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(xml.contains("type=\"port-without-tcp-udp\""), "{xml}");
}

#[test]
fn a_format_a_command_cannot_write_is_a_usage_error_naming_those_it_can() {
    for args in [
        vec!["expand", "--format", "sarif", "examples/pf.conf"],
        vec![
            "eval",
            "--format",
            "junit",
            "--packet",
            "in on em0",
            "examples/pf.conf",
        ],
        vec!["parse", "--format", "concise", "examples/pf.conf"],
    ] {
        let out = pfconf().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("cannot write --format") && e.contains("json"),
            "{e}"
        );
        assert_eq!(stdout(&out), "");
    }
    // Older names stay as aliases.
    for (cmd, alias) in [("check", "rich"), ("check", "short"), ("expand", "text")] {
        pfconf()
            .args([cmd, "--format", alias, "examples/pf.conf"])
            .assert()
            .code(0);
    }
    pfconf()
        .args(["eval", "--format", "human", "--packet", "in on em0"])
        .arg("examples/pf.conf")
        .assert()
        .code(0);
}

#[test]
fn a_syntax_error_in_the_input_is_exit_1_on_every_command_that_reads_a_ruleset() {
    let d = dir_with(&[
        ("bad.conf", "pass in on em0 frm any\n"),
        ("ok.conf", "pass\n"),
    ]);
    let (bad, ok) = (d.path().join("bad.conf"), d.path().join("ok.conf"));
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["check".into(), bad.clone().into()],
        vec!["lint".into(), bad.clone().into()],
        vec!["fmt".into(), "--check".into(), bad.clone().into()],
        vec!["expand".into(), bad.clone().into()],
        vec![
            "eval".into(),
            "--packet".into(),
            "in on em0".into(),
            bad.clone().into(),
        ],
        vec!["diff".into(), ok.clone().into(), bad.clone().into()],
        vec!["parse".into(), bad.clone().into()],
    ];
    for args in runs {
        let out = pfconf().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
}

/// Every command that reads the project's configuration, run in a
/// directory holding `pf.conf` and `b.conf`.
fn every_command() -> Vec<Vec<&'static str>> {
    vec![
        vec!["check"],
        vec!["lint"],
        vec!["fmt", "--check"],
        vec!["expand"],
        vec!["eval", "--packet", "in on em0"],
        vec!["diff", "pf.conf", "b.conf"],
    ]
}

#[test]
fn a_bad_project_config_stops_every_command_with_exit_2() {
    let d = dir_with(&[
        ("pf.conf", "pass\n"),
        ("b.conf", "pass\n"),
        ("pfconf.toml", "[lint]\nunused-macro = \"off\"\n"),
    ]);
    for args in every_command() {
        let out = pfconf().current_dir(d.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("pfconf.toml:1") && e.contains("lints"),
            "{args:?}: {e}"
        );
    }
    // --config names another file, on any command.
    let good = d.path().join("good.toml");
    std::fs::write(&good, "[format]\nwidth = 60\n").unwrap();
    for args in [vec!["check"], vec!["fmt", "--check"], vec!["expand"]] {
        pfconf()
            .current_dir(d.path())
            .args(&args)
            .arg("--config")
            .arg(&good)
            .assert()
            .code(0);
    }
}

/// A bad value in any section stops every command, with the line of the
/// key at fault (#16: "report unknown sections and keys with the file,
/// line and a suggestion", and a value error in plain words).
#[test]
fn a_bad_value_in_any_section_names_its_line_on_every_command() {
    let configs = [
        (
            "# ha\n[ha]\ncarpdev = [\"em0\", \"e m1\"]\n",
            "pfconf.toml:3: [ha] carpdev",
        ),
        ("[ha]\nsyncdev = 3\n", "pfconf.toml:2: [ha] syncdev"),
        (
            "[lints]\nunused-macro = \"loud\"\n",
            "pfconf.toml:2: [lints] unused-macro",
        ),
        (
            "\n[format]\nwidth = \"x\"\n",
            "pfconf.toml:3: [format] width",
        ),
        ("[test]\nflows = 3\n", "pfconf.toml:2: [test] flows"),
    ];
    let mut runs = every_command();
    runs.push(vec!["test", "flows.pft"]);
    for (config, expected) in configs {
        let d = dir_with(&[
            ("pf.conf", "pass\n"),
            ("b.conf", "pass\n"),
            ("flows.pft", "in on em0 => pass\n"),
            ("pfconf.toml", config),
        ]);
        for args in &runs {
            let out = pfconf().current_dir(d.path()).args(args).output().unwrap();
            let e = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{config:?} {args:?}: {e}");
            assert!(e.contains(expected), "{config:?} {args:?}: {e}");
        }
    }
}

#[test]
fn standard_input_is_dash_everywhere_and_named_by_stdin_filename() {
    let runs: Vec<Vec<&str>> = vec![
        vec!["check", "--format", "concise", "-"],
        vec!["lint", "--format", "concise", "-"],
        vec!["expand", "-"],
        vec!["eval", "--packet", "in on em0 proto tcp to port 22", "-"],
        vec!["parse", "-"],
        vec!["fmt", "--check", "-"],
    ];
    for args in runs {
        // fmt names the file in what it reports: a syntax error here.
        let input = if args[0] == "fmt" {
            "pass in frm any\n"
        } else {
            BROKEN
        };
        let out = pfconf()
            .args(&args)
            .args(["--stdin-filename", "fw/pf.conf"])
            .write_stdin(input)
            .output()
            .unwrap();
        let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert!(all.contains("fw/pf.conf"), "{args:?}: {all}");
        assert!(!all.contains("stdin:"), "{args:?}: {all}");
    }
    // diff - B
    let d = dir_with(&[("b.conf", "block all\n")]);
    let out = pfconf()
        .args(["diff", "-"])
        .arg(d.path().join("b.conf"))
        .write_stdin("block all\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    pfconf().args(["diff", "-", "-"]).assert().code(2);
    // The project config is looked up from the stdin file name's place.
    let d = dir_with(&[("fw/pfconf.toml", "[lints]\nunused-macro = \"off\"\n")]);
    let out = pfconf()
        .current_dir(d.path())
        .args([
            "lint",
            "--format",
            "concise",
            "--stdin-filename",
            "fw/pf.conf",
            "-",
        ])
        .write_stdin(CLEAN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!stdout(&out).contains("unused-macro"), "{}", stdout(&out));
}

#[test]
fn select_and_ignore_take_comma_lists() {
    let d = dir_with(&[("pf.conf", "x = \"1\"\nblock all\npass in all\nblock all\n")]);
    let f = d.path().join("pf.conf");
    let out = pfconf()
        .args([
            "lint",
            "--format",
            "concise",
            "--select",
            "unused-macro,duplicate-rule",
        ])
        .arg(&f)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("[unused-macro]"), "{text}");
    assert!(!text.contains("[block-after-pass]"), "{text}");
    let out = pfconf()
        .args([
            "lint",
            "--format",
            "concise",
            "--ignore",
            "unused-macro,block-after-pass",
        ])
        .arg(&f)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        !text.contains("[unused-macro]") && !text.contains("[block-after-pass]"),
        "{text}"
    );
}

#[test]
fn colour_follows_the_flag_then_no_color_and_force_color() {
    let d = dir_with(&[("broken.conf", BROKEN), ("ugly.conf", "block   all\n")]);
    let broken = d.path().join("broken.conf");
    let esc = |o: &std::process::Output| o.stdout.contains(&0x1b);
    // Into a pipe, auto means no colour...
    let out = pfconf().arg("check").arg(&broken).output().unwrap();
    assert!(!esc(&out));
    // ...always means always, never means never, even with FORCE_COLOR.
    let out = pfconf()
        .args(["check", "--color", "always"])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(esc(&out));
    let out = pfconf()
        .args(["check", "--color", "never"])
        .arg(&broken)
        .env("FORCE_COLOR", "1")
        .output()
        .unwrap();
    assert!(!esc(&out));
    for (var, value, colored) in [
        ("FORCE_COLOR", "1", true),
        ("CLICOLOR_FORCE", "1", true),
        ("CLICOLOR_FORCE", "0", false),
        ("NO_COLOR", "1", false),
    ] {
        let out = pfconf()
            .arg("check")
            .arg(&broken)
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(esc(&out), colored, "{var}={value}");
    }
    // fmt --diff into a pipe with --color always is coloured too.
    let out = pfconf()
        .args(["fmt", "--diff", "--color", "always"])
        .arg(d.path().join("ugly.conf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(esc(&out), "{}", stdout(&out));
}

#[test]
fn quiet_keeps_only_errors_on_every_command() {
    let d = dir_with(&[("pf.conf", CLEAN)]);
    let f = d.path().join("pf.conf");
    let out = pfconf()
        .args(["lint", "-q", "--format", "concise"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "");
    // expand's notes about interfaces are silenced too.
    let out = pfconf().args(["expand", "-q"]).arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(stdout(&out).contains("block drop all"));
}

#[test]
fn fmt_check_reports_the_first_changed_line_in_every_format() {
    let d = dir_with(&[("pf.conf", "block all\npass   in all\n")]);
    let f = d.path().join("pf.conf");
    let out = pfconf()
        .args(["fmt", "--check", "--format", "concise"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).ends_with("pf.conf:2:1: error[unformatted]: would be reformatted\n"),
        "{}",
        stdout(&out)
    );
    let out = pfconf()
        .args(["fmt", "--check", "--format", "github"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("::error file="),
        "{}",
        stdout(&out)
    );
    // The file is untouched.
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "block all\npass   in all\n"
    );
}

#[test]
fn explain_covers_check_codes_as_well_as_lints() {
    for code in [
        "undefined-macro",
        "port-without-tcp-udp",
        "io-error",
        "unused-macro",
    ] {
        let out = pfconf().args(["explain", code]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{code}");
        assert!(stdout(&out).starts_with(&format!("# {code}\n")), "{code}");
    }
    let out = pfconf()
        .args(["explain", "--list", "--format", "json"])
        .output()
        .unwrap();
    let list = json(&out);
    let kind_of = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e["kind"].clone())
    };
    assert_eq!(kind_of("syntax"), Some("check".into()));
    assert_eq!(kind_of("carp-blocked"), Some("lint".into()));
    let out = pfconf()
        .args(["explain", "undefined-macr"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean `undefined-macro`?"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
