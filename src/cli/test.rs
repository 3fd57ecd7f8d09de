//! `pfconf test`: flow expectations checked against a ruleset
//! ([`pfconf::policy`]), reported like a test runner.

use super::*;
use pfconf::policy::{self, FlowResult, Status};

/// The formats `test` writes.
const FORMATS: &[OutputFormat] = DIAGNOSTIC_FORMATS;

/// One flow file (or the `[test]` section): its name, text, flows'
/// results.
struct Suite {
    name: String,
    text: String,
    results: Vec<FlowResult>,
}

pub(crate) fn run(
    g: &Global,
    files: Vec<String>,
    record: bool,
    (interfaces, node): (Option<PathBuf>, Option<PathBuf>),
    common: Common,
) -> ExitCode {
    let (flow_files, rulesets): (Vec<String>, Vec<String>) =
        files.into_iter().partition(|f| f.ends_with(".pft"));
    if rulesets.len() > 1 {
        return fail(&format!(
            "one ruleset at a time, not {} (flow files end in .pft)",
            rulesets.join(" and ")
        ));
    }
    let config_paths: Vec<String> = rulesets.iter().chain(&flow_files).cloned().collect();
    let (format, ifs, node_model) =
        match g.setup("test", FORMATS, &config_paths, (&interfaces, &node)) {
            Ok(s) => s,
            Err(code) => return code,
        };
    let node_model = node_model.filter(|_| interfaces.is_none());
    let ruleset = rulesets.into_iter().next();
    let report = match valid_ruleset(
        g,
        ruleset.clone(),
        node.as_deref(),
        &common,
        (format, "test"),
    ) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // The flows: the files given, else the `*.pft` next to the ruleset
    // and `[test] flows`.
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut wanted = flow_files;
    if wanted.is_empty() {
        match found_flows(g, ruleset.as_deref(), node.as_deref(), &config_paths) {
            Ok((found, config)) => {
                wanted = found;
                sources.extend(config);
            }
            Err(e) => return fail(&e),
        }
    }
    for f in &wanted {
        match g.read(f) {
            Ok((name, text)) => sources.push((name, text)),
            Err(e) => return fail(&e),
        }
    }
    if sources.is_empty() {
        return fail(
            "no flows: give FLOWS.pft files, put *.pft next to the ruleset, or list them in pfconf.toml [test] flows",
        );
    }
    let evaluator = match &node_model {
        Some(n) => pfconf::eval::Evaluator::with_node(&report.resolved, n),
        None => pfconf::eval::Evaluator::new(&report.resolved, ifs.as_ref()),
    };
    let mut suites = Vec::new();
    for (name, text) in sources {
        let flows = match policy::parse_flows(&text) {
            Ok(f) => f,
            Err(errors) => {
                let msgs: Vec<String> = errors
                    .iter()
                    .map(|(l, m)| format!("{name}:{l}: {m}"))
                    .collect();
                return fail(&format!("bad flow file\n{}", msgs.join("\n")));
            }
        };
        let results = policy::run(&flows, &evaluator, &report.resolved);
        suites.push(Suite {
            name,
            text,
            results,
        });
    }
    if record {
        return write_records(&suites, &wanted);
    }
    let failed = suites
        .iter()
        .flat_map(|s| &s.results)
        .any(|r| matches!(r.status, Status::Failed(_) | Status::Invalid(_)));
    match format {
        OutputFormat::Full => out(&runner_text(&suites, &report.sources)),
        OutputFormat::Json => out(&format!(
            "{}\n",
            serde_json::json!({
                "results": suites.iter().flat_map(|s| s.results.iter().map(|r| result_json(s, r, &report.sources))).collect::<Vec<_>>(),
                "diagnostics": [],
            })
        )),
        OutputFormat::JsonLines => {
            for s in &suites {
                for r in &s.results {
                    out(&format!("{}\n", result_json(s, r, &report.sources)));
                }
            }
        }
        OutputFormat::Junit => out(&junit(&suites, &report.sources)),
        _ => {
            let reports = as_reports(&suites, report.sources);
            emit(&reports, format, &g.style, "test");
        }
    }
    ExitCode::from(u8::from(failed))
}

/// `--record`: each flow file rewritten with today's verdicts.
fn write_records(suites: &[Suite], files: &[String]) -> ExitCode {
    let mut status = 0;
    for s in suites {
        let Some(path) = files.iter().find(|f| **f == s.name) else {
            err(&format!(
                "pfconf: {}: flows in pfconf.toml are not rewritten; copy them to a .pft file\n",
                s.name
            ));
            continue;
        };
        let text = policy::record(&s.text, &s.results);
        if text != s.text {
            if let Err(e) = super::fmt::write_atomically(path, text.as_bytes()) {
                err(&format!("pfconf: {path}: cannot write: {e}\n"));
                status = 2;
                continue;
            }
            err(&format!(
                "pfconf: recorded {} flow(s) in {path}\n",
                s.results.len()
            ));
        }
    }
    ExitCode::from(status)
}

/// `name:line`.
fn at(s: &Suite, r: &FlowResult) -> String {
    format!("{}:{}", s.name, r.flow.line)
}

/// The test runner's report: one line per flow, the failures explained,
/// a summary.
fn runner_text(suites: &[Suite], map: &SourceMap) -> String {
    let mut text = String::new();
    let (mut passed, mut failed, mut unchecked) = (0, 0, 0);
    for s in suites {
        for r in &s.results {
            let flow = &r.flow.packet;
            match &r.status {
                Status::Passed => {
                    passed += 1;
                    text.push_str(&format!("{}: {flow} ... ok\n", at(s, r)));
                }
                Status::Unchecked => {
                    unchecked += 1;
                    text.push_str(&format!(
                        "{}: {flow} ... no expectation (got {})\n",
                        at(s, r),
                        r.got
                    ));
                }
                Status::Failed(why) => {
                    failed += 1;
                    text.push_str(&format!("{}: {flow} ... FAILED\n", at(s, r)));
                    text.push_str(&format!("    {why}\n"));
                    if let Some(x) = &r.flow.expect {
                        text.push_str(&format!("    expected: {}\n", x.text));
                    }
                    text.push_str(&format!("    got:      {}", r.got));
                    match r.rule {
                        Some(rule) => text.push_str(&format!(
                            " by {}: {}\n",
                            map.location(rule),
                            map.slice(rule).lines().next().unwrap_or("")
                        )),
                        None => text.push('\n'),
                    }
                    if let Some(m) = r.meant {
                        text.push_str(&format!(
                            "    probably meant: {}: {}\n",
                            map.location(m),
                            map.slice(m).lines().next().unwrap_or("")
                        ));
                    }
                }
                Status::Invalid(why) => {
                    failed += 1;
                    text.push_str(&format!("{}: {flow} ... INVALID: {why}\n", at(s, r)));
                }
            }
        }
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    text.push_str(&format!(
        "\ntest result: {verdict}. {passed} passed; {failed} failed; {unchecked} without expectation\n"
    ));
    text
}

/// One flow's result as JSON (docs/schema/test.schema.json).
fn result_json(s: &Suite, r: &FlowResult, map: &SourceMap) -> serde_json::Value {
    let rule = |span: Option<pfconf::Span>| {
        span.map(|sp| {
            let f = map.get(sp.file);
            serde_json::json!({
                "file": f.map(|f| f.name.clone()).unwrap_or_default(),
                "line": map.line(sp),
                "text": map.slice(sp),
            })
        })
    };
    let (status, why) = match &r.status {
        Status::Passed => ("passed", None),
        Status::Failed(w) => ("failed", Some(w.clone())),
        Status::Unchecked => ("unchecked", None),
        Status::Invalid(w) => ("invalid", Some(w.clone())),
    };
    serde_json::json!({
        "file": s.name,
        "line": r.flow.line,
        "flow": r.flow.packet,
        "expected": r.flow.expect.as_ref().map(|x| x.text.clone()),
        "got": r.got,
        "status": status,
        "why": why,
        "rule": rule(r.rule),
        "meant": rule(r.meant),
    })
}

/// A JUnit report: a suite per flow file, a case per flow.
fn junit(suites: &[Suite], map: &SourceMap) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("pfconf test");
    for s in suites {
        let mut suite = TestSuite::new(s.name.clone());
        for r in &s.results {
            let status = match &r.status {
                Status::Passed => TestCaseStatus::success(),
                Status::Unchecked => TestCaseStatus::skipped(),
                Status::Failed(why) | Status::Invalid(why) => {
                    let kind = if matches!(r.status, Status::Invalid(_)) {
                        NonSuccessKind::Error
                    } else {
                        NonSuccessKind::Failure
                    };
                    let mut st = TestCaseStatus::non_success(kind);
                    st.set_message(why.clone());
                    let mut text = format!("got: {}", r.got);
                    if let Some(rule) = r.rule {
                        text.push_str(&format!(" by {}", map.location(rule)));
                    }
                    if let Some(m) = r.meant {
                        text.push_str(&format!("\nprobably meant: {}", map.location(m)));
                    }
                    st.set_description(text);
                    st
                }
            };
            let mut case = TestCase::new(format!("{}: {}", at(s, r), r.flow.packet), status);
            case.set_classname("pfconf.test");
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- pfconf: cannot write JUnit XML: {e} -->\n"))
}

/// Failures as diagnostics (code `flow-failed`, `flow-invalid`) at their
/// line of the flow file ([`policy::diagnostics`]): for the one-line,
/// SARIF and GitHub formats.
fn as_reports(suites: &[Suite], mut sources: SourceMap) -> Vec<FileReport> {
    let mut diags = Vec::new();
    for s in suites {
        let id = sources.add(s.name.clone(), s.text.clone());
        diags.extend(policy::diagnostics(&s.results, &s.text, id));
    }
    vec![FileReport::checked("flows", diags, sources)]
}
