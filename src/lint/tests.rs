//! Every lint page's examples: the lint fires on the failing one and not on
//! the fixed one; plus suppression and configuration.

use super::*;
use crate::check_str;

/// The ```pf blocks of a page, in order.
fn examples(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in doc.lines() {
        match (&mut cur, line.trim()) {
            (None, "```pf") => cur = Some(String::new()),
            (Some(_), "```") => out.extend(cur.take()),
            (Some(c), _) => {
                c.push_str(line);
                c.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn fired(src: &str, name: &str) -> Vec<Diagnostic> {
    let report = check_str("t.conf", src);
    assert!(
        report.is_ok(),
        "example does not check clean: {:?}",
        report.diagnostics
    );
    let cfg = LintConfig {
        node: example_node(src),
        ..LintConfig::default()
    };
    run(&report, &cfg)
        .into_iter()
        .filter(|d| d.code == name)
        .collect()
}

/// A page example's node: comment lines `# /etc/NAME: TEXT` give the
/// node's files, one line of TEXT each.
fn example_node(src: &str) -> Option<crate::node::Node> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in src.lines() {
        let Some(rest) = line.strip_prefix("# /etc/") else {
            continue;
        };
        let Some((name, text)) = rest.split_once(':') else {
            continue;
        };
        let text = format!("{}\n", text.trim());
        match files.iter_mut().find(|(n, _)| n == name) {
            Some((_, t)) => t.push_str(&text),
            None => files.push((name.to_string(), text)),
        }
    }
    (!files.is_empty())
        .then(|| crate::node::Node::from_files(files.iter().map(|(a, b)| (a.as_str(), b.as_str()))))
}

#[test]
fn every_page_has_a_failing_and_a_fixed_example_that_behave() {
    for lint in registry() {
        let name = lint.info.name;
        assert!(
            lint.info.doc.starts_with(&format!("# {name}\n")),
            "{name}: page title"
        );
        let ex = examples(lint.info.doc);
        assert_eq!(
            ex.len(),
            2,
            "{name}: expected a failing and a fixed example"
        );
        assert!(
            !fired(&ex[0], name).is_empty(),
            "{name} does not fire on its failing example"
        );
        assert!(
            fired(&ex[1], name).is_empty(),
            "{name} fires on its fixed example"
        );
    }
}

#[test]
fn findings_have_exact_spans_and_labels() {
    let src = "lan = \"10/8\"\npass from $lan\nlan = \"192.168/16\"\npass to $lan\n";
    let report = check_str("t.conf", src);
    let d = &fired(src, "redefined-macro")[0];
    assert_eq!(report.sources.location(d.span), "t.conf:3:1");
    assert_eq!(report.sources.location(d.labels[0].span), "t.conf:1:1");
    let src = "table <t> persist\nblock from <u>\n";
    let d = &fired(src, "undefined-table")[0];
    assert_eq!(d.message, "table <u> is used but never defined");
    assert_eq!(d.help.as_deref(), Some("did you mean <t>?"));
}

#[test]
fn suppression_comments_on_the_line_or_the_line_before() {
    assert!(fired(
        "x = \"1\" # pfconf: allow(unused-macro)\npass\n",
        "unused-macro"
    )
    .is_empty());
    assert!(fired(
        "# pfconf: allow(unused-macro)\nx = \"1\"\npass\n",
        "unused-macro"
    )
    .is_empty());
    assert_eq!(
        fired(
            "# pfconf: allow(unused-table)\nx = \"1\"\npass\n",
            "unused-macro"
        )
        .len(),
        1
    );
    let report = check_str(
        "t.conf",
        "block all\npass in on em0 # pfconf: allow(no-such-lint)\n",
    );
    let d = run(&report, &LintConfig::default());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "unknown-lint");
}

#[test]
fn levels_come_from_the_config() {
    let cfg = LintConfig::from_toml(
        "[lints]\nunused-macro = \"error\"\nduplicate-rule = \"off\"\nshadowed-rule = \"off\"\n",
    )
    .unwrap();
    let report = check_str("t.conf", "x = \"1\"\nblock all\npass\npass\n");
    let d = run(&report, &cfg);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "unused-macro");
    assert_eq!(d[0].severity, Severity::Error);
    let e = LintConfig::from_toml("[lints]\nbogus = \"error\"\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "pfconf.toml:2: [lints] bogus: unknown lint (see `pfconf lint --list`)"
    );
    assert_eq!(
        (e.key.as_deref(), e.suggestion),
        (Some("lints.bogus"), None)
    );
    let e = LintConfig::from_toml("[lints]\nunused-macro = \"loud\"\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "pfconf.toml:2: [lints] unused-macro: level must be \"off\", \"info\", \"warning\" or \"error\""
    );
}

#[test]
fn levels_and_severities_read_their_names_and_aliases() {
    for l in Level::ALL {
        assert_eq!(l.to_string().parse::<Level>(), Ok(*l));
    }
    for (alias, l) in [
        ("allow", Level::Off),
        ("warn", Level::Warning),
        ("deny", Level::Error),
    ] {
        assert_eq!(Level::parse(alias), Some(l));
        assert_eq!(alias.parse::<Level>(), Ok(l));
    }
    let e = "loud".parse::<Level>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown lint level `loud`: expected off, info, warning or error"
    );
    for s in Severity::ALL {
        assert_eq!(s.to_string().parse::<Severity>(), Ok(*s));
        assert_eq!(serde_json::json!(s), serde_json::json!(s.as_str()));
    }
}

#[test]
fn ha_table_errors_name_the_key() {
    let e = LintConfig::from_toml("[ha]\ncarpdev = \"em 0\"\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "pfconf.toml:2: [ha] carpdev: `em 0` is not an interface name"
    );
    assert_eq!(e.key.as_deref(), Some("ha.carpdev"));
}

#[test]
fn shadowing_needs_a_real_superset() {
    let names = |src: &str| -> Vec<(String, usize)> {
        let r = check_str("t.conf", src);
        run(&r, &LintConfig::default())
            .into_iter()
            .filter(|d| d.code == "shadowed-rule")
            .map(|d| (d.code.to_string(), r.sources.line(d.span)))
            .collect()
    };
    // A narrower prefix after a broader quick block: shadowed.
    assert_eq!(
        names("block all\nblock in quick from 10/8\npass in proto tcp from 10.1/16\n"),
        vec![("shadowed-rule".to_string(), 3)]
    );
    // Not a superset: different port, a table, a user option.
    assert!(
        names("block all\npass in quick proto tcp to port 22\npass in proto tcp to port 23\n")
            .is_empty()
    );
    assert!(names("block all\nblock in quick from <t>\npass in from 10/8\n").is_empty());
    assert!(names("block all\npass in quick proto tcp user root\nblock in proto tcp\n").is_empty());
    // A later broader rule overrides a non-quick earlier one.
    assert_eq!(names("block all\npass in on em0 proto tcp to port 1024:2048\nblock in on em0 proto tcp to port > 1000\n"), vec![("shadowed-rule".to_string(), 2)]);
    // OpenBSD's stock `block return` + `pass`: pass keeps state with
    // `flags S/SA`, so the block still decides for non-SYN TCP packets.
    assert!(names("block return\npass\n").is_empty());
    // Without TCP in play the stateless block is shadowed.
    assert_eq!(
        names("block in proto udp\npass in proto udp\n"),
        vec![("shadowed-rule".to_string(), 1)]
    );
}

#[test]
fn a_list_mixing_a_table_and_prefixes_covers_what_its_prefixes_hold() {
    // pf matches a destination list when any of its items matches, so
    // `{ 10.1.2.0/24 <t> }` holds every packet to 10.1.2.0/24 whatever
    // <t> holds: the later block overrides the pass (it was missed when
    // the index filed a list with a table apart from the prefixes).
    let src = "table <t> { 10.9.0.0/16 }\n\
               pass out on em0 proto tcp to 10.1.2.0/24\n\
               block out on { em0 em1 } proto tcp to { 10.1.2.0/24 <t> }\n";
    let r = check_str("t.conf", src);
    assert!(r.is_ok(), "{:?}", r.diagnostics);
    let found: Vec<(usize, usize)> = run(&r, &LintConfig::default())
        .into_iter()
        .filter(|d| d.code == "shadowed-rule")
        .map(|d| (r.sources.line(d.span), r.sources.line(d.labels[0].span)))
        .collect();
    assert_eq!(found, [(2, 3)]);
    // The same with a source list.
    let src = "table <t> { 10.9.0.0/16 }\n\
               block in quick from { <t> 10.0.0.0/8 }\n\
               pass in from 10.1.2.3\n";
    assert_eq!(shadowed_with_comparisons(src).0, [3]);
    // `no-route` is the same set wherever it is written (pfctl's
    // regress pf82): the later rule without a family overrides.
    let src = "pass inet from no-route\npass from no-route\n";
    assert_eq!(shadowed_with_comparisons(src).0, [1]);
}

/// Compares rules as `shadowed-rule` does on `src`: the lines it reports
/// and how many pairs of rules it compared.
fn shadowed_with_comparisons(src: &str) -> (Vec<usize>, usize) {
    let r = check_str("t.conf", src);
    assert!(r.is_ok(), "{:?}", r.diagnostics);
    super::shadowed_rule::COMPARED.with(|c| c.set(0));
    let lines = run(&r, &LintConfig::default())
        .into_iter()
        .filter(|d| d.code == "shadowed-rule")
        .map(|d| r.sources.line(d.span))
        .collect();
    (lines, super::shadowed_rule::COMPARED.with(|c| c.get()))
}

#[test]
fn thousands_of_alike_rules_are_not_compared_pair_by_pair() {
    let n = 3000;
    // `block all`, then rule `i` of `each` for every i below n.
    let rules = |each: &dyn Fn(usize) -> String| -> String {
        let mut src = String::from("block all\n");
        for i in 0..n {
            src.push_str(&each(i));
        }
        src
    };
    // A block list written as rules: each source its own /24, none covers
    // another; every pair sits under the same direction, interface and
    // protocol (3000 rules: 4.5 million pairs).
    let block_list = rules(&|i| {
        format!(
            "block in quick on em0 from 10.{}.{}.0/24\n",
            i / 256,
            i % 256
        )
    });
    let (lines, compared) = shadowed_with_comparisons(&block_list);
    assert!(lines.is_empty(), "{lines:?}");
    assert!(compared < 5 * n, "{compared} comparisons for {n} rules");
    // Services: one port each, to one address.
    let services = rules(&|i| format!("pass in on em0 proto tcp to 192.0.2.1 port {}\n", 1000 + i));
    let (lines, compared) = shadowed_with_comparisons(&services);
    assert!(lines.is_empty(), "{lines:?}");
    assert!(compared < 5 * n, "{compared} comparisons for {n} rules");
    // The same rule again and again: each but the last is overridden by
    // the next one, found at the first comparison.
    let repeated = rules(&|i| format!("pass in on em0 proto tcp to port 22 label \"r{i}\"\n"));
    let (lines, compared) = shadowed_with_comparisons(&repeated);
    assert_eq!(lines.len(), n - 1);
    assert_eq!(lines.first(), Some(&2));
    assert!(compared < 5 * n, "{compared} comparisons for {n} rules");
    // A narrower rule after the block list is still found.
    let src = format!(
        "{block_list}pass in on em0 proto tcp from 10.3.4.5 to port 22\n\
         block in on em0 from 10.3.0.0/16\n"
    );
    let (lines, _) = shadowed_with_comparisons(&src);
    // The pass is shadowed twice over: the quick block of 10.3.4.0/24
    // decides first (reported once).
    assert_eq!(lines, [n + 2]);
}

#[test]
fn only_options_that_narrow_keep_a_rule_from_being_covered() {
    // `FilterOpt::narrows` decides which options shadowed-rule compares.
    let lines = |src: &str| -> Vec<usize> {
        let r = check_str("t.conf", src);
        assert!(r.is_ok(), "{src}: {:?}", r.diagnostics);
        run(&r, &LintConfig::default())
            .into_iter()
            .filter(|d| d.code == "shadowed-rule")
            .map(|d| r.sources.line(d.span))
            .collect()
    };
    // Actions do not change what the later rule matches: `rtable`
    // chooses a routing table, it does not test the packet's.
    for opt in ["rtable 1", "label x", "tag t", "state limiter l"] {
        let src = format!(
            "state limiter l id 1 limit 10\nblock in on em0 proto udp\n\
             pass in on em0 proto udp {opt}\n"
        );
        assert_eq!(lines(&src), vec![2], "{opt}");
    }
    // Match criteria and rules that stop matching do.
    for opt in [
        "fragment",
        "once",
        "max-pkt-rate 10/1",
        "probability 50%",
        "state limiter l (no-match)",
    ] {
        let src = format!(
            "state limiter l id 1 limit 10\nblock in on em0 proto udp\n\
             pass in on em0 proto udp {opt}\n"
        );
        assert!(lines(&src).is_empty(), "{opt}");
    }
}

#[test]
fn a_block_narrowed_by_an_option_does_not_block_all() {
    // no-default-block and block-after-pass ask whether a block rule
    // blocks everything of its kind: not when an option narrows it.
    let fired_on = |src: &str, name: &str| !fired(src, name).is_empty();
    assert!(!fired_on(
        "block all\npass in proto tcp to port 22\n",
        "no-default-block"
    ));
    for opt in [
        "fragment",
        "flags S/SA",
        "probability 50%",
        "once",
        "received-on em1",
    ] {
        let src = format!("block {opt}\npass in proto tcp to port 22\n");
        assert!(fired_on(&src, "no-default-block"), "{opt}");
    }
    for opt in ["flags any", "label x", "rtable 1", "state limiter l"] {
        let src =
            format!("state limiter l id 1 limit 10\nblock {opt}\npass in proto tcp to port 22\n");
        assert!(!fired_on(&src, "no-default-block"), "{opt}");
    }
}

#[test]
fn lints_on_threads_give_the_findings_of_one_thread() {
    // Large enough for the threaded path; duplicates and shadowed rules
    // (rule i and i + 1000 are equal), an unused macro and table.
    let mut text = String::from("x = \"1\"\ntable <t> { 10.0.0.1 }\nblock all\n");
    for i in 0..6000 {
        text.push_str(&format!(
            "pass in on em0 proto tcp to 10.0.{}.{} port 22\n",
            (i / 250) % 4,
            i % 250
        ));
    }
    let report = crate::check_str("t.conf", &text);
    assert!(report.resolved.ruleset.statements.len() >= PARALLEL_FROM);
    let cx = Context::new(&report.resolved, &report.sources, None);
    let lints: Vec<(Lint, Severity)> = registry()
        .into_iter()
        .map(|l| (l, Severity::Warning))
        .collect();
    let key = |v: Vec<Vec<Finding>>| -> Vec<Vec<(Span, String)>> {
        v.into_iter()
            .map(|f| f.into_iter().map(|f| (f.span, f.message)).collect())
            .collect()
    };
    let threaded = key(run_parallel(&cx, &lints));
    let single = key(lints
        .iter()
        .map(|(l, _)| {
            let mut f = Vec::new();
            (l.run)(&cx, &mut f);
            f
        })
        .collect());
    assert_eq!(threaded.len(), lints.len());
    assert_eq!(threaded, single);
    let total: usize = threaded.iter().map(Vec::len).sum();
    assert!(total >= 5000, "{total}");
}

/// A non-quick rule covered by a later rule never decides, whatever the
/// later rule's action (its `log` never happens); TCP flag sets cover
/// when every packet one matches the other matches too (pf matches
/// `flags F/M` when the flags masked by M are F); the help fits the
/// reason.
#[test]
fn shadowing_by_any_later_rule_and_by_flag_sets() {
    let found = |src: &str| -> Vec<(usize, String)> {
        let r = check_str("t.conf", src);
        run(&r, &LintConfig::default())
            .into_iter()
            .filter(|d| d.code == "shadowed-rule")
            .map(|d| (r.sources.line(d.span), d.help.clone().unwrap_or_default()))
            .collect()
    };
    let v = found("block in log on em0 from 10/8\nblock all\n");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].0, 1);
    assert!(v[0].1.contains("make it `quick`"), "{v:?}");
    // FUP/FUP packets all match F/F; not all match S/SA.
    assert_eq!(
        found(
            "pass in on em0 proto tcp flags FUP/FUP\npass in on em0 proto tcp flags F/F label x\n"
        )
        .len(),
        1
    );
    assert!(found(
        "pass in on em0 proto tcp flags FUP/FUP\npass in on em0 proto tcp flags S/SA label x\n"
    )
    .is_empty());
    // An earlier quick rule: making this one quick does not help.
    let v = found("block all\nblock in quick from 10/8\npass in proto tcp from 10.1/16\n");
    assert!(v[0].1.contains("move it above the quick rule"), "{v:?}");
}

#[test]
fn an_undefined_tables_hint_is_the_closest_name_the_same_on_every_run() {
    // <ad> is one edit from both <ab> and <ac>: the tie goes to the first
    // name, whatever order the definitions are held in.
    let src =
        "table <ac> persist\ntable <ab> persist\npass from <ab>\npass from <ac>\npass from <ad>\n";
    for _ in 0..20 {
        let f = fired(src, "undefined-table");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].help.as_deref(), Some("did you mean <ab>?"));
    }
}
