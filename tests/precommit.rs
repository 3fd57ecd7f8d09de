//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run as pre-commit
//! runs them: the hook's `entry` with the changed files its `files`
//! pattern selects, in the repository's top directory.

use std::path::Path;
use std::process::Output;

/// One hook: (id, entry, files pattern).
fn hooks() -> Vec<(String, String, regex::Regex)> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect("hooks file");
    let mut hooks = Vec::new();
    let (mut id, mut entry) = (String::new(), String::new());
    for line in text.lines() {
        let line = line.trim_start_matches("- ").trim();
        let value = |key: &str| {
            line.strip_prefix(key)
                .map(|v| v.trim().trim_matches('\'').to_string())
        };
        if let Some(v) = value("id:") {
            id = v;
        } else if let Some(v) = value("entry:") {
            entry = v;
        } else if let Some(v) = value("files:") {
            let re = regex::Regex::new(&v).expect("files is a regex");
            hooks.push((id.clone(), entry.clone(), re));
        }
    }
    assert_eq!(hooks.len(), 3, "{hooks:?}");
    hooks
}

/// Runs hook `id` on `changed` (paths from the repository top), keeping
/// those its pattern selects, as pre-commit does.
fn run_hook(repo: &Path, id: &str, changed: &[&str]) -> Output {
    let (_, entry, files) = hooks()
        .into_iter()
        .find(|(i, _, _)| i == id)
        .expect("hook exists");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("pfconf"));
    let selected: Vec<&&str> = changed.iter().filter(|f| files.is_match(f)).collect();
    assert!(!selected.is_empty(), "{id} selects none of {changed:?}");
    std::process::Command::new(env!("CARGO_BIN_EXE_pfconf"))
        .current_dir(repo)
        .args(words)
        .args(selected.iter().map(|s| **s))
        .env_remove("NO_COLOR")
        .output()
        .expect("pfconf runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A repository with a main ruleset that includes a fragment using its
/// macros, and a node directory whose ruleset includes an absolute path.
fn repository(lan_rule: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("temp dir");
    let p = d.path();
    for dir in [".git", "pf", "nodeA/etc/pf"] {
        std::fs::create_dir_all(p.join(dir)).unwrap();
    }
    std::fs::write(
        p.join("pf.conf"),
        "lan_if = \"em1\"\nblock all\ninclude \"pf/lan.conf\"\n",
    )
    .unwrap();
    std::fs::write(p.join("pf/lan.conf"), lan_rule).unwrap();
    std::fs::write(
        p.join("nodeA/etc/pf.conf"),
        "wan = \"em0\"\nblock all\ninclude \"/etc/pf/wan.conf\"\n",
    )
    .unwrap();
    std::fs::write(p.join("nodeA/etc/pf/wan.conf"), "pass out on $wan\n").unwrap();
    d
}

#[test]
fn a_fragment_is_checked_through_its_includer_not_alone() {
    let repo = repository("pass in on $lan_if\n");
    // Only the fragments changed: checked alone they would report
    // undefined macros.
    let out = run_hook(
        repo.path(),
        "pfconf-check",
        &["pf/lan.conf", "nodeA/etc/pf/wan.conf"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("undefined-macro"), "{}", text(&out));
    // Every file changed: still one run per includer, still clean.
    let out = run_hook(
        repo.path(),
        "pfconf-check",
        &[
            "pf.conf",
            "pf/lan.conf",
            "nodeA/etc/pf.conf",
            "nodeA/etc/pf/wan.conf",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_finding_in_a_fragment_is_reported_once_with_the_fragments_path() {
    let repo = repository("pass in on $lan_if proto icmp to port 22\n");
    let out = run_hook(repo.path(), "pfconf-check", &["pf.conf", "pf/lan.conf"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "pf/lan.conf:1:34: error[port-without-tcp-udp]: port only applies to tcp/udp\n"
    );
}

#[test]
fn the_lint_hook_reports_lints_and_leaves_check_errors_to_the_check_hook() {
    let repo = repository("pass in on $lan_if proto icmp to port 22\npass in on em1\n");
    let out = run_hook(repo.path(), "pfconf-lint", &["pf/lan.conf"]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(!all.contains("port-without-tcp-udp"), "{all}");
    assert!(all.contains("not linted: it has check errors"), "{all}");
    // A clean ruleset gets its lint findings, in the node's fragment too.
    std::fs::write(
        repo.path().join("nodeA/etc/pf/wan.conf"),
        "pass out on $wan\npass out on $wan\n",
    )
    .unwrap();
    let out = run_hook(repo.path(), "pfconf-lint", &["nodeA/etc/pf/wan.conf"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("nodeA/etc/pf/wan.conf:2:1: warning[duplicate-rule]"),
        "{stdout}"
    );
    assert!(!stdout.contains("error["), "{stdout}");
}

#[test]
fn the_fmt_hook_formats_the_changed_files() {
    let repo = repository("pass   in on $lan_if\n");
    let out = run_hook(repo.path(), "pfconf-fmt", &["pf/lan.conf"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(repo.path().join("pf/lan.conf")).unwrap(),
        "pass in on $lan_if\n"
    );
}

#[test]
fn among_the_paths_given_a_fragment_goes_through_its_includer_without_the_flag() {
    let repo = repository("pass in on $lan_if proto icmp to port 22\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pfconf"))
        .current_dir(repo.path())
        .args(["check", "--format", "concise", "pf/lan.conf", "pf.conf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "pf/lan.conf:1:34: error[port-without-tcp-udp]: port only applies to tcp/udp\n"
    );
    // Alone and without --find-includers, the fragment is checked as
    // given (its includer is not known).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pfconf"))
        .current_dir(repo.path())
        .args(["check", "--format", "concise", "pf/lan.conf"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("undefined-macro"));
}
