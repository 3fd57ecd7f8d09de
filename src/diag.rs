//! Diagnostics: errors and warnings as values, with spans.
//!
//! One type, [`Diagnostic`], serves every stage (splitting, parsing,
//! resolution, checks). It carries a stable `code`, a message in pfctl's
//! terse voice, a primary span, secondary labels (possibly in other files:
//! a macro definition, an including file) and an optional help line.
//! It implements [`miette::Diagnostic`]; multi-file rendering goes through
//! `codespan-reporting` in [`render`].

use crate::span::{SourceMap, Span};
use serde::Serialize;
use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// pfctl would still load the ruleset.
    Warning,
    /// pfctl would refuse the ruleset.
    Error,
}

crate::keyword::keywords!(Severity, "severity" {
    Info => "info",
    Warning => "warning",
    Error => "error",
});

/// A secondary location with its own message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it has to do with the finding.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error, warning or info.
    pub severity: Severity,
    /// Stable kebab-case code (`syntax`, `undefined-macro`, ...).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where it is wrong.
    pub span: Span,
    /// Other places involved.
    pub labels: Vec<Label>,
    /// What to do instead, when known.
    pub help: Option<String>,
    /// The edits that remedy it, when they are mechanical (boxed: most
    /// diagnostics have none).
    pub fix: Option<Box<crate::fix::Fix>>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// A warning.
    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// Adds a fix.
    pub fn with_fix(mut self, fix: crate::fix::Fix) -> Self {
        self.fix = Some(Box::new(fix));
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col: severity[code]: message`, the `--format short` line.
    pub fn short(&self, map: &SourceMap) -> String {
        format!(
            "{}: {}[{}]: {}",
            map.location(self.span),
            self.severity,
            self.code,
            self.message
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let primary = std::iter::once(miette::LabeledSpan::new_primary_with_span(
            None,
            (self.span.start(), self.span.len()),
        ));
        let file = self.span.file;
        let others = self
            .labels
            .iter()
            .filter(move |l| l.span.file == file)
            .map(|l| {
                miette::LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    (l.span.start(), l.span.len()),
                )
            });
        Some(Box::new(primary.chain(others)))
    }
}

/// Sorts diagnostics by file, position, then severity (errors first).
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.span.file, a.span.start(), std::cmp::Reverse(a.severity)).cmp(&(
            b.span.file,
            b.span.start(),
            std::cmp::Reverse(b.severity),
        ))
    });
}

/// Renders diagnostics as rich reports (source excerpt, underline, labels in
/// any file, help) with `codespan-reporting`.
pub fn render(diags: &[Diagnostic], map: &SourceMap, color: bool) -> String {
    use codespan_reporting::diagnostic as cs;
    use codespan_reporting::files::SimpleFiles;
    use codespan_reporting::term;

    let mut files = SimpleFiles::new();
    for f in map.files() {
        files.add(f.name.clone(), f.text.clone());
    }
    let mut out = Vec::new();
    let config = term::Config::default();
    for d in diags {
        let sev = match d.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
            Severity::Info => cs::Severity::Note,
        };
        let mut labels = vec![cs::Label::primary(
            d.span.file.0 as usize,
            d.span.start()..d.span.end(),
        )];
        for l in &d.labels {
            labels.push(
                cs::Label::secondary(l.span.file.0 as usize, l.span.start()..l.span.end())
                    .with_message(l.message.clone()),
            );
        }
        let mut cd = cs::Diagnostic::new(sev)
            .with_code(d.code)
            .with_message(d.message.clone())
            .with_labels(labels);
        if let Some(h) = &d.help {
            cd = cd.with_notes(vec![format!("help: {h}")]);
        }
        if color {
            let mut w = codespan_reporting::term::termcolor::Ansi::new(&mut out);
            let _ = term::emit(&mut w, &config, &files, &cd);
        } else {
            let mut w = codespan_reporting::term::termcolor::NoColor::new(&mut out);
            let _ = term::emit(&mut w, &config, &files, &cd);
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Levenshtein distance, for "did you mean" hints. Names whose lengths
/// differ by more than 3, or longer than 64 characters, are reported as
/// far apart without computing (hints are for typos in short names). No
/// allocation: two rows on the stack.
pub fn edit_distance(a: &str, b: &str) -> usize {
    const FAR: usize = usize::MAX / 2;
    const MAX: usize = 64;
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.abs_diff(lb) > 3 || la > MAX || lb > MAX {
        return FAR;
    }
    let mut bc = ['\0'; MAX];
    for (slot, c) in bc.iter_mut().zip(b.chars()) {
        *slot = c;
    }
    let bc = &bc[..lb];
    let mut prev = [0usize; MAX + 1];
    let mut cur = [0usize; MAX + 1];
    for (j, p) in prev.iter_mut().enumerate().take(lb + 1) {
        *p = j;
    }
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in bc.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[lb]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_edits_and_skips_far_names() {
        assert_eq!(edit_distance("ext_if", "ext_if"), 0);
        assert_eq!(edit_distance("ext_if", "ext_iff"), 1);
        assert_eq!(edit_distance("lan", "wan"), 1);
        assert!(edit_distance("a", "abcdefgh") > 3);
        assert!(edit_distance(&"x".repeat(100), &"x".repeat(100)) > 3);
    }
}
