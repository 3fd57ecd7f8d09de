//! Formatting a file that was just checked, from its [`Report`]: the
//! report's resolved ruleset stands for the input in the safety net, and
//! its source AST (kept when checked with [`Options::keep_source`]) is
//! what is printed, so the input is neither parsed nor resolved again.
//! Only the output is read, as the safety net always does.
//!
//! Invariant: the result is the text [`super::format_safely`] gives for
//! the same file. Both refuse the same inputs (syntax errors of the main
//! file); the safety net's comparison is the same digest, the output
//! resolved with the report's files and `-D` definitions; when it finds a
//! difference (a formatter bug), the file goes through
//! [`super::format_safely`]'s slow path, which keeps statements as written.

use super::verify::{digest_of_report, output_digest_with};
use super::{
    format_safely, print, print_while_parsing, FormatError, FormatOptions, Formatted,
    PARALLEL_FROM_BYTES,
};
use crate::span::FileId;
use crate::{Diagnostic, Loader, Options, Report};

/// See [`Report::format`]; `syntax` are the main file's syntax errors
/// (see [`super::verify::syntax_errors_of`]).
pub(crate) fn format_report(
    report: &Report,
    syntax: &[Diagnostic],
    loader: &(dyn Loader + Sync),
    opts: &FormatOptions,
) -> Result<Formatted, FormatError> {
    let main = FileId(0);
    let Some(file) = report.sources.get(main) else {
        return Err(FormatError::Unsafe("the report holds no file".into()));
    };
    let input = digest_of_report(report, syntax);
    if !input.syntax.is_empty() {
        return Err(FormatError::Invalid(input.syntax));
    }
    let (out, placed) = match &report.resolved.source {
        Some(ast) => print(ast, &report.sources, opts, &[], false),
        None => {
            let (out, placed, diags) = print_while_parsing(&file.name, &file.text, opts, false);
            if diags.iter().any(Diagnostic::is_error) {
                return Err(FormatError::Invalid(diags));
            }
            (out, placed)
        }
    };
    if out == file.text {
        return Ok(Formatted {
            text: out,
            kept: Vec::new(),
        });
    }
    // The `-D` definitions are the macros no statement defined.
    let resolve = Options {
        defines: report
            .resolved
            .macros
            .iter()
            .filter(|m| m.span.is_none())
            .map(|m| (m.name.clone(), m.value.clone()))
            .collect(),
        keep_source: false,
    };
    let parallel = file.text.len() >= PARALLEL_FROM_BYTES;
    let output = output_digest_with(
        &file.name, &out, &placed, &input, parallel, loader, &resolve,
    );
    if input.agrees(&output) {
        return Ok(Formatted {
            text: out,
            kept: Vec::new(),
        });
    }
    format_safely(&file.name, &file.text, opts)
}

#[cfg(test)]
mod tests {
    use super::super::format_safely;
    use crate::fmt::{FormatError, FormatOptions};
    use crate::{check_with, MemoryLoader, Options};

    fn keep() -> Options {
        Options {
            keep_source: true,
            ..Options::default()
        }
    }

    #[test]
    fn the_source_ast_is_kept_only_when_asked() {
        let text = "ext = \"em0\"\n# web\npass in on $ext proto tcp to port 443\n";
        let none = MemoryLoader::default();
        let kept = check_with("pf.conf", text, &none, &keep());
        let source = kept.resolved.source.as_ref().unwrap();
        // As written: the macro definition is a statement, `$ext` unexpanded,
        // the comment in the rule's trivia.
        assert_eq!(source.statements.len(), 2);
        assert_eq!(*source, crate::parse_str("pf.conf", text).1);
        assert!(check_with("pf.conf", text, &none, &Options::default())
            .resolved
            .source
            .is_none());
    }

    #[test]
    fn defines_from_the_command_line_hold_for_the_output_too() {
        // `$p` is only defined by `-D`: the output must be resolved with it.
        let opts = Options {
            defines: vec![("p".into(), "tcp".into())],
            keep_source: true,
        };
        let text = "pass  proto $p to port 22\n";
        let report = check_with("pf.conf", text, &MemoryLoader::default(), &opts);
        assert!(report.is_ok(), "{:?}", report.diagnostics);
        let out = report
            .format(&MemoryLoader::default(), &FormatOptions::default())
            .unwrap();
        assert_eq!(out.text, "pass proto $p to port 22\n");
        assert!(out.kept.is_empty());
    }

    #[test]
    fn a_syntax_error_refuses_the_file_a_check_error_does_not() {
        let none = MemoryLoader::default();
        let fmt = FormatOptions::default();
        let broken = check_with("pf.conf", "pass in from\n", &none, &keep());
        assert!(
            matches!(broken.format(&none, &fmt), Err(FormatError::Invalid(d)) if !d.is_empty())
        );
        // pfctl refuses a tag over 63 characters in its checks (parse.y
        // 1.719, `tag too long`): a check error, under the code `too-long`
        // the splitter also uses for statements; the file still formats.
        let long = format!("pass  in tag {}\n", "t".repeat(64));
        let report = check_with("pf.conf", &long, &none, &keep());
        assert!(report.diagnostics.iter().any(|d| d.code == "too-long"));
        assert_eq!(
            report.format(&none, &fmt).unwrap().text,
            format!("pass in tag {}\n", "t".repeat(64))
        );
    }

    #[test]
    fn another_loader_falls_back_to_reading_the_text() {
        // Checked with one include, formatted with a loader that gives
        // another: the output's meaning differs from the report's, so the
        // file is formatted from its text as `format_safely` does.
        let a = MemoryLoader::default().with("x.conf", "pass in all\n");
        let b = MemoryLoader::default().with("x.conf", "block in all\n");
        let text = "include  \"x.conf\"\n";
        let report = check_with("pf.conf", text, &a, &keep());
        let fmt = FormatOptions::default();
        assert_eq!(
            report.format(&b, &fmt).unwrap(),
            format_safely("pf.conf", text, &fmt).unwrap()
        );
    }

    #[test]
    fn a_large_file_is_read_back_in_two_halves_with_its_macros() {
        // Past PARALLEL_FROM_BYTES the output is digested in two halves on
        // two threads, the second seeded with the macros defined before
        // the cut: rules there use macros of the first half.
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 2 * super::PARALLEL_FROM_BYTES {
            text.push_str(&format!(
                "m{i} = \"{{ 10.0.{}.0/24,  10.1.{}.0/24 }}\"\n# rule {i}\npass  in on em0 proto {{tcp,udp}} from $m{i} to port {}\n",
                i % 256,
                (i / 256) % 256,
                1 + i % 60000
            ));
            i += 1;
        }
        text.push_str("pass   out from $m0\n");
        let none = MemoryLoader::default();
        let fmt = FormatOptions::default();
        let report = check_with("pf.conf", &text, &none, &keep());
        assert!(report.is_ok());
        let got = report.format(&none, &fmt).unwrap();
        assert_eq!(got, format_safely("pf.conf", &text, &fmt).unwrap());
        assert!(got.text.ends_with("pass out from $m0\n"));
    }

    #[test]
    fn an_error_only_the_source_form_shows_refuses_the_file() {
        // Found by the robustness property: an unclosed `{` makes the rest
        // one statement; with a macro in it the resolver defers it, fails
        // to expand `$lan` and never parses it, while the source form is
        // parsed as written and shows the legacy `->`. format_safely
        // refuses the file for it; so must the report, kept or not.
        let text = "{\npass in on $lan\nnat on em0 from 10.0.0.0/8 to any -> (em0)\n";
        let none = MemoryLoader::default();
        let fmt = FormatOptions::default();
        assert!(matches!(
            format_safely("pf.conf", text, &fmt),
            Err(FormatError::Invalid(_))
        ));
        for opts in [keep(), Options::default()] {
            let report = check_with("pf.conf", text, &none, &opts);
            assert!(!report.diagnostics.iter().any(|d| d.code == "legacy"));
            assert!(
                matches!(report.format(&none, &fmt), Err(FormatError::Invalid(d)) if d[0].code == "legacy")
            );
        }
    }
}
