//! The reference scenario's HA skeleton (tests/fixtures/ha): as written it
//! blocks CARP on the WAN parent and pfsync on the sync interface; with
//! `block all` first it is clean; each single edit of the kind the HA lints
//! describe gives exactly the expected lint, at the right place.

use pfconf::lint::{run, LintConfig};

const HA: &[&str] = &[
    "carp-blocked",
    "pfsync-blocked",
    "pfsync-exposed",
    "carp-unrestricted",
    "sync-not-skipped",
    "no-default-block",
    "block-after-pass",
    "nat-to-interface-address",
];

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/ha/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// (lint, line) of every HA finding.
fn ha_findings(text: &str) -> Vec<(String, usize)> {
    let report = pfconf::check_str("pf.conf", text);
    assert!(report.is_ok(), "{:?}", report.diagnostics);
    ha_findings_with(&report, &LintConfig::default())
}

/// (lint, line) of every HA finding under a configuration.
fn ha_findings_with(report: &pfconf::Report, cfg: &LintConfig) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = run(report, cfg)
        .into_iter()
        .filter(|d| HA.contains(&d.code))
        .map(|d| (d.code.to_string(), report.sources.line(d.span)))
        .collect();
    v.sort();
    v
}

fn pairs(v: &[(&str, usize)]) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = v.iter().map(|(a, b)| (a.to_string(), *b)).collect();
    v.sort();
    v
}

#[test]
fn the_skeleton_as_written_blocks_carp_and_pfsync() {
    let text = fixture("skeleton.conf");
    assert_eq!(
        ha_findings(&text),
        pairs(&[
            ("block-after-pass", 16),
            ("carp-blocked", 16),
            ("pfsync-blocked", 16),
            ("sync-not-skipped", 3)
        ])
    );
    let report = pfconf::check_str("pf.conf", &text);
    let d = run(&report, &LintConfig::default());
    let carp = d.iter().find(|d| d.code == "carp-blocked").unwrap();
    assert!(
        carp.message.contains("in on em0") && carp.message.contains("out on em0"),
        "{}",
        carp.message
    );
    assert_eq!(
        report.sources.line(carp.labels[0].span),
        11,
        "the overridden pass rule"
    );
}

#[test]
fn the_skeleton_with_block_all_first_is_clean() {
    assert_eq!(ha_findings(&fixture("skeleton-fixed.conf")), vec![]);
}

#[test]
fn each_single_edit_gives_its_lint() {
    let fixed = fixture("skeleton-fixed.conf");
    let cases: &[(&str, &str, &str, usize)] = &[
        (
            "pass on $sync proto pfsync",
            "pass proto pfsync",
            "pfsync-exposed",
            13,
        ),
        (
            "pass on $wan proto carp",
            "pass proto carp",
            "carp-unrestricted",
            11,
        ),
        (
            // The handbook's own line: pfsync0 is skipped, em2 is not.
            "set skip on { lo, pfsync0, em2 }",
            "set skip on { lo, pfsync0 }",
            "sync-not-skipped",
            3,
        ),
        ("block all\n", "\n", "no-default-block", 11),
        (
            "pass on $lan\n",
            "pass on $lan\nmatch out on $wan from 10/8 to any nat-to ($wan)\n",
            "nat-to-interface-address",
            16,
        ),
    ];
    for (from, to, lint, line) in cases {
        assert!(fixed.contains(from), "{from}");
        let text = fixed.replacen(from, to, 1);
        assert_eq!(
            ha_findings(&text),
            pairs(&[(lint, *line)]),
            "edit {from:?} -> {to:?}"
        );
    }
}

#[test]
fn a_quick_pass_survives_a_later_block_all() {
    let text = fixture("skeleton.conf")
        .replace("pass on $wan proto carp", "pass quick on $wan proto carp")
        .replace(
            "pass on $sync proto pfsync",
            "pass quick on $sync proto pfsync",
        );
    // The handbook's `set skip on { lo, pfsync0 }` leaves em2 filtered.
    assert_eq!(
        ha_findings(&text),
        pairs(&[("block-after-pass", 16), ("sync-not-skipped", 3)])
    );
}

#[test]
fn node_directories_give_the_roles() {
    use pfconf::node::Node;
    let dir = format!("{}/tests/fixtures/ha/nodeA", env!("CARGO_MANIFEST_DIR"));
    let node = Node::read_dir(std::path::Path::new(&dir)).unwrap();
    assert_eq!(node.syncdev(), Some("em2"));
    let carps: Vec<&pfconf::node::Interface> = node.carp_interfaces().collect();
    assert_eq!(carps.len(), 2);
    assert_eq!(node.carpdev(carps[0]).as_deref(), Ok("em0"));
    let c = carps[0].carp.clone().unwrap();
    assert_eq!((c.vhid, c.advskew), (Some(1), Some(0)));

    // The node says pfsync runs on em3: passing it on em2 exposes it, and
    // nothing passes it on em3.
    let text = fixture("skeleton-fixed.conf");
    let node = Node::from_files([
        ("hostname.em0", "inet 198.51.100.2 255.255.255.0\n"),
        ("hostname.em1", "inet 10.10.10.2 255.255.255.0\n"),
        ("hostname.em3", "inet 192.168.254.1 255.255.255.252\n"),
        (
            "hostname.carp0",
            "inet 198.51.100.1 255.255.255.0 NONE vhid 1 carpdev em0 pass a\n",
        ),
        (
            "hostname.carp1",
            "inet 10.10.10.1 255.255.255.0 NONE vhid 2 carpdev em1 pass b\n",
        ),
        ("hostname.pfsync0", "syncdev em3\nup\n"),
    ]);
    let report = pfconf::check_str("pf.conf", &text);
    let cfg = LintConfig {
        node: Some(node),
        ..LintConfig::default()
    };
    let got = ha_findings_with(&report, &cfg);
    assert!(got.contains(&("pfsync-blocked".to_string(), 9)), "{got:?}");
    assert!(got.contains(&("pfsync-exposed".to_string(), 13)), "{got:?}");
    assert!(
        got.contains(&("sync-not-skipped".to_string(), 3)),
        "{got:?}"
    );
}

#[test]
fn lint_node_reads_the_node_directory() {
    // Node A's directory with the skeleton as the scenario writes it.
    let tmp = std::env::temp_dir().join(format!("pfconf-ha-node-{}", std::process::id()));
    let etc = tmp.join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    let src = format!("{}/tests/fixtures/ha/nodeA/etc", env!("CARGO_MANIFEST_DIR"));
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        std::fs::copy(e.path(), etc.join(e.file_name())).unwrap();
    }
    std::fs::write(etc.join("pf.conf"), fixture("skeleton.conf")).unwrap();
    let dir = tmp.display().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pfconf"))
        .args(["lint", "--format", "short", "--node", &dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("error[carp-blocked]: CARP advertisements are blocked by this rule"),
        "{text}"
    );
    assert!(
        text.contains("in on em0 from the peer (in 198.51.100.0/24) to 224.0.0.18"),
        "{text}"
    );
    assert!(text.contains("error[pfsync-blocked]"), "{text}");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn pfconf_toml_ha_gives_the_roles() {
    // Same case as the node directory above, with the roles from [ha]:
    // pfsync belongs on em3, so em2's pass exposes it and em3 has none.
    let cfg = LintConfig::from_toml(
        "[ha]\ncarpdev = [\"em0\", \"em1\"]\nsyncdev = \"em3\"\n[lints]\nunused-macro = \"off\"\n",
    )
    .unwrap();
    let node = cfg.node.clone().unwrap();
    assert_eq!(node.syncdev(), Some("em3"));
    let devs: Vec<_> = node
        .carp_interfaces()
        .map(|c| node.carpdev(c).ok())
        .collect();
    assert_eq!(devs, [Some("em0".to_string()), Some("em1".to_string())]);
    let report = pfconf::check_str("pf.conf", &fixture("skeleton-fixed.conf"));
    assert_eq!(
        ha_findings_with(&report, &cfg),
        pairs(&[
            ("pfsync-blocked", 9),
            ("pfsync-exposed", 13),
            ("sync-not-skipped", 3)
        ])
    );

    // A CARP parent the ruleset never passes CARP on is blocked there.
    let cfg = LintConfig::from_toml("[ha]\ncarpdev = \"em5\"\n").unwrap();
    let got: Vec<String> = run(&report, &cfg)
        .into_iter()
        .filter(|d| d.code == "carp-blocked")
        .map(|d| d.message)
        .collect();
    assert!(got.iter().any(|m| m.contains("em5")), "{got:?}");
}

#[test]
fn pfconf_toml_ha_rejects_mistakes() {
    for (toml, want) in [
        (
            "[ha]\nsyncdevs = \"em2\"\n",
            "pfconf.toml:2: unknown key `syncdevs` in [ha]: did you mean `syncdev`?",
        ),
        (
            "[ha]\nsyncdev = 2\n",
            "[ha] syncdev: expected an interface name",
        ),
        (
            "[ha]\ncarpdev = [1]\n",
            "[ha] carpdev: expected interface names",
        ),
        (
            "[ha]\ncarpdev = \"em 0\"\n",
            "`em 0` is not an interface name",
        ),
        (
            "ha = 1\n",
            "`ha` must be a section ([ha]), not a single value",
        ),
    ] {
        let e = LintConfig::from_toml(toml).unwrap_err().to_string();
        assert!(e.contains(want), "{toml:?}: {e}");
    }
}

#[test]
fn node_directory_comes_before_pfconf_toml_ha() {
    // nodeA says syncdev em2; [ha] says em3 and adds a CARP parent em4.
    let dir = format!("{}/tests/fixtures/ha/nodeA", env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("pfconf.toml");
    std::fs::write(&conf, "[ha]\nsyncdev = \"em3\"\ncarpdev = \"em4\"\n").unwrap();
    let rules = tmp.path().join("pf.conf");
    std::fs::write(&rules, fixture("skeleton-fixed.conf")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pfconf"))
        .args(["lint", "--format", "short", "--config"])
        .arg(&conf)
        .arg("--node")
        .arg(&dir)
        .arg(&rules)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // em2 is the sync interface (node), so nothing about pfsync; em4 (from
    // [ha]) is a CARP parent whose advertisements `block all` drops.
    assert!(!text.contains("pfsync-"), "{text}");
    assert!(
        text.contains("error[carp-blocked]: CARP advertisements are blocked by this rule: CARP advertisements of the CARP interfaces on em4 (pfconf.toml [ha]), IPv4, in on em4"),
        "{text}"
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
}

/// `[ha]` names parents and the sync interface, not CARP interfaces nor
/// node files: no finding names a made-up interface or points into a
/// file the node does not have, and a flow whose source is unknown (no
/// address on the parent) reads without a gap.
#[test]
fn findings_from_ha_settings_name_only_what_the_settings_say() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("pfconf.toml"),
        "[ha]\ncarpdev = [\"em0\", \"em1\"]\nsyncdev = \"em2\"\n",
    )
    .unwrap();
    let rules = tmp.path().join("pf.conf");
    std::fs::write(
        &rules,
        "block all\npass on em0 proto carp\nblock in on em0\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pfconf"))
        .args(["lint", "--format", "json"])
        .arg(&rules)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = found.as_array().unwrap();
    let codes: Vec<&str> = found.iter().map(|d| d["code"].as_str().unwrap()).collect();
    // em0's inbound advertisements die at `block in on em0`, em1's at
    // `block all` (pass only on em0); pfsync on em2 at `block all`.
    assert!(
        codes.contains(&"carp-blocked") && codes.contains(&"pfsync-blocked"),
        "{codes:?}"
    );
    for d in found {
        let message = d["message"].as_str().unwrap();
        assert!(
            !message.contains("carp90") && !message.contains("  "),
            "{message}"
        );
        assert!(d["file"].as_str().unwrap().ends_with("pf.conf"), "{d}");
        for l in d["labels"].as_array().unwrap() {
            assert!(l["file"].as_str().unwrap().ends_with("pf.conf"), "{l}");
        }
    }
    let em1 = found
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .find(|m| m.contains("on em1"))
        .expect("em1's advertisements are blocked");
    assert!(em1.contains("out on em1 to 224.0.0.18"), "{em1}");
}
