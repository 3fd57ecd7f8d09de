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
    run(&report, &LintConfig::default())
        .into_iter()
        .filter(|d| d.code == name)
        .collect()
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
    let report = check_str("t.conf", "block all\npass # pfconf: allow(no-such-lint)\n");
    let d = run(&report, &LintConfig::default());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "unknown-lint");
}

#[test]
fn levels_come_from_the_config() {
    let cfg =
        LintConfig::from_toml("[lints]\nunused-macro = \"error\"\nduplicate-rule = \"off\"\n")
            .unwrap();
    let report = check_str("t.conf", "x = \"1\"\nblock all\npass\npass\n");
    let d = run(&report, &cfg);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "unused-macro");
    assert_eq!(d[0].severity, Severity::Error);
    assert!(LintConfig::from_toml("[lints]\nbogus = \"error\"\n").is_err());
    assert!(LintConfig::from_toml("[lints]\nunused-macro = \"loud\"\n").is_err());
}
