//! What every command shares to show its results: the choice of format
//! (and which formats a command can produce), colour, and the writer of
//! diagnostics in each format.
//!
//! The contract (DESIGN, "Command line"): diagnostics go to stdout in every
//! format; only pfconf's own failures (an unreadable file, a bad flag) go
//! to stderr. A program reading a machine format always gets that format:
//! a file pfconf could not read is an `io-error` diagnostic there (as well
//! as a line on stderr), never an empty array.

use super::args::{Color, OutputFormat};
use pfconf::{Diagnostic, SourceMap};
use std::io::IsTerminal;

/// What a command reports about one input: its diagnostics over the
/// sources they point into, or why it could not be read.
pub(crate) struct FileReport {
    /// The input as the user named it.
    pub(crate) name: String,
    /// Diagnostics, sorted.
    pub(crate) diags: Vec<Diagnostic>,
    /// The files the spans point into.
    pub(crate) sources: SourceMap,
    /// True when pfconf could not read the input: `diags` holds one
    /// `io-error` at its first line.
    pub(crate) failed: bool,
}

impl FileReport {
    /// A checked input.
    pub(crate) fn checked(name: &str, diags: Vec<Diagnostic>, sources: SourceMap) -> FileReport {
        FileReport {
            name: name.to_string(),
            diags,
            sources,
            failed: false,
        }
    }

    /// The errors that stop a command needing an error-free ruleset
    /// (`expand`, `eval`), under the ruleset's name.
    pub(crate) fn errors_of(report: pfconf::Report) -> FileReport {
        let errors: Vec<Diagnostic> = report
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        let name = report
            .sources
            .files()
            .first()
            .map(|f| f.name.clone())
            .unwrap_or_default();
        FileReport::checked(&name, errors, report.sources)
    }

    /// `doc` (a command's JSON document with nothing in it) with these
    /// diagnostics as its `diagnostics`; a failure to read is also said
    /// on stderr.
    pub(crate) fn into_json(self, mut doc: serde_json::Value) -> serde_json::Value {
        if self.failed {
            for d in &self.diags {
                super::err(&format!("pfconf: {}\n", d.message));
            }
        }
        doc["diagnostics"] = self
            .diags
            .iter()
            .map(|d| pfconf::output::json_diagnostic(d, &self.sources))
            .collect();
        doc
    }

    /// An input pfconf could not read (`message` says why).
    pub(crate) fn failure(name: &str, message: &str) -> FileReport {
        let mut sources = SourceMap::new();
        let file = sources.add(name, "");
        let span = pfconf::Span::new(file, 0, 0);
        FileReport {
            name: name.to_string(),
            diags: vec![Diagnostic::error("io-error", span, message)],
            sources,
            failed: true,
        }
    }
}

/// How a command writes: the format, colour and `-q`.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    pub(crate) format: OutputFormat,
    pub(crate) color: Color,
    pub(crate) quiet: bool,
}

impl Style {
    /// The format, checked against those `command` can produce; `Err`
    /// holds the message for a usage error (exit 2).
    pub(crate) fn format_for(
        &self,
        command: &str,
        allowed: &[OutputFormat],
    ) -> Result<OutputFormat, String> {
        if allowed.contains(&self.format) {
            return Ok(self.format);
        }
        let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
        Err(format!(
            "`{command}` cannot write --format {}; it writes {}",
            self.format.name(),
            names.join(", ")
        ))
    }

    /// Whether to colour what goes to stdout.
    pub(crate) fn color_stdout(&self) -> bool {
        use_color(self.color, std::io::stdout().is_terminal())
    }

    /// Whether to colour what goes to stderr.
    pub(crate) fn color_stderr(&self) -> bool {
        use_color(self.color, std::io::stderr().is_terminal())
    }
}

/// `--color`, then the environment: `always` and `never` are final; for
/// `auto`, a non-empty `NO_COLOR` turns colour off, `FORCE_COLOR`
/// (non-empty) or `CLICOLOR_FORCE` (other than `0`) turns it on, and
/// otherwise the stream being a terminal decides.
pub(crate) fn use_color(choice: Color, terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            if set("FORCE_COLOR").is_some() || set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else if set("NO_COLOR").is_some() {
                false
            } else {
                terminal
            }
        }
    }
}

/// Every format that reports diagnostics.
pub(crate) const DIAGNOSTIC_FORMATS: &[OutputFormat] = &[
    OutputFormat::Full,
    OutputFormat::Concise,
    OutputFormat::Json,
    OutputFormat::JsonLines,
    OutputFormat::Sarif,
    OutputFormat::Github,
    OutputFormat::Junit,
];

/// The formats of a listing (`lint --list`, `explain --list`).
pub(crate) const LIST_FORMATS: &[OutputFormat] = &[
    OutputFormat::Full,
    OutputFormat::Concise,
    OutputFormat::Json,
    OutputFormat::JsonLines,
];

/// Writes a listing: `rows` as JSON objects (`json`, `json-lines`) or
/// the lines `table` gives (the formats people read).
pub(crate) fn emit_list(format: OutputFormat, rows: &[serde_json::Value], table: &[String]) {
    match format {
        OutputFormat::Json => super::out(&format!("{}\n", serde_json::Value::Array(rows.to_vec()))),
        OutputFormat::JsonLines => rows.iter().for_each(|r| super::out(&format!("{r}\n"))),
        _ => table.iter().for_each(|l| super::out(&format!("{l}\n"))),
    }
}

/// Writes the reports of `command` (its name in JUnit) in `format` on
/// stdout, and the inputs that could not be read on stderr. With `quiet`, only errors.
pub(crate) fn emit(reports: &[FileReport], format: OutputFormat, style: &Style, command: &str) {
    super::out(&render(
        reports,
        format,
        style,
        command,
        style.color_stdout(),
    ));
}

/// [`emit`]'s text, for a command whose stdout carries something else
/// (`fmt -` writes the formatted text there, so its diagnostics go to
/// stderr). Failures to read are written on stderr here.
pub(crate) fn render(
    reports: &[FileReport],
    format: OutputFormat,
    style: &Style,
    command: &str,
    color: bool,
) -> String {
    let shown = |r: &FileReport| -> Vec<Diagnostic> {
        r.diags
            .iter()
            .filter(|d| !style.quiet || d.is_error())
            .cloned()
            .collect()
    };
    // pfconf's own failures are said on stderr in every format; machine
    // formats also carry them as `io-error` objects.
    for r in reports.iter().filter(|r| r.failed) {
        for d in &r.diags {
            super::err(&format!("pfconf: {}\n", d.message));
        }
    }
    let checked = reports.iter().filter(|r| !format.is_machine() && !r.failed);
    let mut text = String::new();
    match format {
        OutputFormat::Full => {
            for r in checked {
                text.push_str(&pfconf::diag::render(&shown(r), &r.sources, color));
            }
        }
        OutputFormat::Concise => {
            for r in checked {
                for d in shown(r) {
                    text.push_str(&format!("{}\n", d.short(&r.sources)));
                }
            }
        }
        OutputFormat::Json => {
            let all: Vec<serde_json::Value> = reports
                .iter()
                .flat_map(|r| {
                    shown(r)
                        .iter()
                        .map(|d| pfconf::output::json_diagnostic(d, &r.sources))
                        .collect::<Vec<_>>()
                })
                .collect();
            text = format!("{}\n", serde_json::Value::Array(all));
        }
        OutputFormat::JsonLines => {
            for r in reports {
                for d in shown(r) {
                    text.push_str(&format!(
                        "{}\n",
                        pfconf::output::json_diagnostic(&d, &r.sources)
                    ));
                }
            }
        }
        OutputFormat::Sarif => {
            let owned: Vec<(Vec<Diagnostic>, &SourceMap)> =
                reports.iter().map(|r| (shown(r), &r.sources)).collect();
            let files: Vec<(&[Diagnostic], &SourceMap)> =
                owned.iter().map(|(d, m)| (d.as_slice(), *m)).collect();
            text = format!("{}\n", pfconf::output::sarif(&files));
        }
        OutputFormat::Github => {
            for r in reports {
                text.push_str(&pfconf::output::github(&shown(r), &r.sources));
            }
        }
        OutputFormat::Junit => text = junit(reports, &shown, command),
    }
    text
}

/// A JUnit XML report: one test suite per input, one failing test case
/// per diagnostic (its code and place), and one passing case for an input
/// with nothing to report; an unreadable input is an error case.
fn junit(
    reports: &[FileReport],
    shown: &dyn Fn(&FileReport) -> Vec<Diagnostic>,
    command: &str,
) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new(format!("pfconf {command}"));
    for r in reports {
        let mut suite = TestSuite::new(r.name.clone());
        let diags = shown(r);
        if diags.is_empty() {
            suite.add_test_case(TestCase::new(
                format!("pfconf {command}"),
                TestCaseStatus::success(),
            ));
        }
        for d in &diags {
            let kind = if r.failed {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(d.message.clone());
            status.set_type(d.code);
            let mut text = d.short(&r.sources);
            if let Some(h) = &d.help {
                text.push_str(&format!("\nhelp: {h}"));
            }
            status.set_description(text);
            let name = format!("{} {}", d.code, r.sources.location(d.span));
            let mut case = TestCase::new(name, status);
            case.set_classname(format!("pfconf.{command}"));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .unwrap_or_else(|e| format!("<!-- pfconf: cannot write JUnit XML: {e} -->\n"))
}
