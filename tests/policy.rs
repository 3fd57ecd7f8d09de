//! `pfconf test`: flow expectations checked against a ruleset, reported
//! like a test runner, in every format; `--record`; flows found next to
//! the ruleset and in pfconf.toml.

use assert_cmd::Command;
use std::path::Path;

fn pfconf(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("pfconf").expect("binary");
    c.current_dir(dir).env_remove("NO_COLOR");
    c
}

const RULESET: &str = "\
ext_if = \"em0\"
int_if = \"em1\"
sync_if = \"em2\"
table <bad> const { 198.51.100.7 }
table <dyn> persist
block all
pass quick on $sync_if proto pfsync keep state (no-sync)
pass in on $ext_if proto tcp to 203.0.113.10 port 22 rdr-to 10.0.0.10
block in quick on $ext_if from <bad>
match out on $ext_if from 10.0.0.0/24 nat-to (carp0)
pass out on $ext_if
pass in on $int_if
block in on $int_if from <dyn>
";

fn repo(flows: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    std::fs::write(d.path().join("pf.conf"), RULESET).unwrap();
    std::fs::write(d.path().join("flows.pft"), flows).unwrap();
    d
}

#[test]
fn passing_flows_exit_0_with_a_summary() {
    let d = repo(
        "# ssh: bad address blocked, others redirected\n\
         in on $ext_if proto tcp from 198.51.100.7 to 203.0.113.10 port 22 => block quick\n\
         in on em0 proto tcp from 192.0.2.5 to 203.0.113.10 port 22 => pass rdr-to 10.0.0.10\n\
         in on em2 proto pfsync => pass quick\n\
         out on em0 proto tcp from 10.0.0.5 to 192.0.2.80 port 443 => pass nat-to (carp0)\n\
         in on em1 proto udp from 10.0.0.9 to 10.0.0.1 port 53 => undecided\n",
    );
    let out = pfconf(d.path())
        .args(["test", "flows.pft"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(text.matches(" ... ok\n").count(), 5, "{text}");
    assert!(
        text.ends_with("test result: ok. 5 passed; 0 failed; 0 without expectation\n"),
        "{text}"
    );
}

#[test]
fn a_failure_names_the_deciding_rule_and_the_rule_probably_meant() {
    // The pass rule with rdr-to matches, but the later quick block of
    // <bad> decides.
    let d = repo("in on em0 proto tcp from 198.51.100.7 to 203.0.113.10 port 22 => pass\n");
    let out = pfconf(d.path())
        .args(["test", "flows.pft"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "flows.pft:1: in on em0 proto tcp from 198.51.100.7 to 203.0.113.10 port 22 ... FAILED"
        ),
        "{text}"
    );
    assert!(text.contains("expected pass, got block"), "{text}");
    assert!(
        text.contains("got:      block quick by pf.conf:9:1: block in quick on $ext_if from <bad>"),
        "{text}"
    );
    assert!(text.contains("probably meant: pf.conf:8:1: pass in on $ext_if proto tcp to 203.0.113.10 port 22 rdr-to 10.0.0.10"), "{text}");
    assert!(
        text.contains("test result: FAILED. 0 passed; 1 failed"),
        "{text}"
    );
    // A wrong translation is a failure too, and so is an expectation of
    // certainty where a run-time table leaves the verdict open.
    let d = repo(
        "out on em0 proto tcp from 10.0.0.5 to 192.0.2.80 port 443 => pass nat-to (em0)\n\
         in on em1 proto udp from 10.0.0.9 to 10.0.0.1 port 53 => pass\n",
    );
    let out = pfconf(d.path())
        .args(["test", "--format", "concise", "flows.pft"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "flows.pft:1:1: error[flow-failed]: expected nat-to (em0), got nat-to (carp0)"
        ),
        "{text}"
    );
    assert!(
        text.contains("flows.pft:2:1: error[flow-failed]: the verdict is not certain"),
        "{text}"
    );
}

#[test]
fn machine_formats_report_every_flow() {
    let d = repo(
        "in on em2 proto pfsync => pass\nin on em0 proto tcp from 192.0.2.5 to 203.0.113.99 port 80 => pass\n",
    );
    let out = pfconf(d.path())
        .args(["test", "--format", "json", "flows.pft"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/schema/test.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&v), "{v:#}");
    assert_eq!(v["results"][0]["status"], "passed");
    assert_eq!(v["results"][1]["status"], "failed");
    assert_eq!(v["results"][1]["got"], "block");
    assert_eq!(v["results"][1]["rule"]["line"], 6);
    let out = pfconf(d.path())
        .args(["test", "--format", "junit", "flows.pft"])
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&out.stdout);
    assert_eq!(xml.matches("<testcase ").count(), 2, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    let out = pfconf(d.path())
        .args(["test", "--format", "github", "flows.pft"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("::error file=flows.pft,line=2"));
}

#[test]
fn record_writes_todays_verdicts_and_keeps_comments() {
    let d = repo("# snapshot\nin on em2 proto pfsync\nin on em0 proto tcp from 192.0.2.5 to 203.0.113.99 port 80 => pass # was wrong\n");
    pfconf(d.path())
        .args(["test", "--record", "flows.pft"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(d.path().join("flows.pft")).unwrap(),
        "# snapshot\nin on em2 proto pfsync => pass quick\nin on em0 proto tcp from 192.0.2.5 to 203.0.113.99 port 80 => block # was wrong\n"
    );
    pfconf(d.path())
        .args(["test", "flows.pft"])
        .assert()
        .code(0);
}

#[test]
fn flows_are_found_next_to_the_ruleset_and_in_pfconf_toml() {
    let d = repo("in on em2 proto pfsync => pass\n");
    std::fs::write(
        d.path().join("pfconf.toml"),
        "[test]\nflows = [\"in on em0 proto tcp from 192.0.2.5 to 203.0.113.99 port 80 => block\"]\n",
    )
    .unwrap();
    let out = pfconf(d.path()).arg("test").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("flows.pft:1:") && text.contains("pfconf.toml [test]:1:"),
        "{text}"
    );
    // A typo in the section is an error, as everywhere.
    std::fs::write(d.path().join("pfconf.toml"), "[test]\nflow = []\n").unwrap();
    pfconf(d.path()).arg("test").assert().code(2);
}

#[test]
fn exit_codes_follow_the_contract() {
    let d = repo("in on em0 => maybe\n");
    // A flow file that cannot be read as flows: pfconf cannot do its job.
    pfconf(d.path())
        .args(["test", "flows.pft"])
        .assert()
        .code(2);
    // A ruleset with a syntax error: the input has problems.
    std::fs::write(d.path().join("bad.conf"), "pass in frm any\n").unwrap();
    std::fs::write(d.path().join("ok.pft"), "in on em0 => pass\n").unwrap();
    pfconf(d.path())
        .args(["test", "bad.conf", "ok.pft"])
        .assert()
        .code(1);
    // No flows at all.
    let e = tempfile::tempdir().unwrap();
    std::fs::write(e.path().join("pf.conf"), "pass\n").unwrap();
    pfconf(e.path()).arg("test").assert().code(2);
}

#[test]
fn log_is_expected_from_the_deciding_rule_or_a_match_rule_on_the_way() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("pf.conf"),
        "block log all\nmatch in log on em1 proto udp\npass in on em1\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("flows.pft"),
        "in on em0 proto tcp from 192.0.2.5 to 192.0.2.1 port 22 => block log\n\
         in on em1 proto udp from 10.0.0.5 to 10.0.0.1 port 53 => pass log\n\
         in on em1 proto tcp from 10.0.0.5 to 10.0.0.1 port 22 => pass log\n",
    )
    .unwrap();
    let out = pfconf(d.path())
        .args(["test", "--format", "concise", "flows.pft"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    // Only the tcp flow on em1 is not logged: no rule with log decides it
    // and no match rule with log matches it.
    assert_eq!(
        text,
        "flows.pft:3:1: error[flow-failed]: expected the packet to be logged (got pass)\n"
    );
}

/// `pfconf lint` runs the flows found next to the ruleset (#18: "the LSP
/// and lint can run them"): each failure a finding in its flow file, with
/// the deciding rule as a label; `--no-flows` leaves them out; `--lints-only`
/// keeps them (they are the user's own tests, not check errors).
#[test]
fn lint_runs_the_flows_next_to_the_ruleset() {
    let d = repo(
        "# from the outside\n\
         in on em0 proto tcp from 192.0.2.5 to 203.0.113.10 port 22 => pass rdr-to 10.0.0.10\n\
         in on em0 proto tcp from 198.51.100.7 to 203.0.113.10 port 22 => pass\n\
         in on em0 proto frob => pass\n",
    );
    std::fs::write(
        d.path().join("pfconf.toml"),
        "[test]\nflows = [\"in on $sync_if proto pfsync => block\"]\n",
    )
    .unwrap();
    let out = pfconf(d.path())
        .args(["lint", "--format", "json", "pf.conf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut flows: Vec<(String, u64, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].as_str().unwrap().starts_with("flow-"))
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    flows.sort();
    // <bad> is blocked quick (line 3); `frob` is no protocol (line 4);
    // pfsync on the sync interface passes quick (the [test] flow).
    assert_eq!(
        flows,
        vec![
            ("flows.pft".into(), 3, "flow-failed".into()),
            ("flows.pft".into(), 4, "flow-invalid".into()),
            ("pfconf.toml [test]".into(), 1, "flow-failed".into()),
        ]
    );
    let blocked = found
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["line"] == 3)
        .unwrap();
    assert_eq!(blocked["labels"][0]["file"], "pf.conf");
    assert_eq!(
        blocked["labels"][0]["line"], 9,
        "block in quick ... from <bad>"
    );

    let concise = |args: &[&str]| {
        let out = pfconf(d.path()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, text) = concise(&["lint", "--no-flows", "--format", "concise", "pf.conf"]);
    assert!(!text.contains("flow-"), "{text}");
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = concise(&["lint", "--lints-only", "--format", "concise", "pf.conf"]);
    assert!(text.contains("flows.pft:3:1: error[flow-failed]"), "{text}");
    assert_eq!(code, Some(1));
    // Standard input has no directory to look in, unless it is named.
    let out = pfconf(d.path())
        .args(["lint", "--format", "concise", "-"])
        .write_stdin(RULESET)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("flow-"));
    let out = pfconf(d.path())
        .args([
            "lint",
            "--format",
            "concise",
            "--stdin-filename",
            "pf.conf",
            "-",
        ])
        .write_stdin(RULESET)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("flows.pft:3:1: error[flow-failed]"));
}
