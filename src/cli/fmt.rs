//! `pfconf fmt`: format rulesets in place, check or show the changes.

use super::*;

/// `[format] width` from the project's `pfconf.toml`, if there is one
/// (the whole file is checked for typos first, as every command does).
fn config_width(g: &Global, paths: &[String]) -> Result<Option<usize>, String> {
    g.lint_config(paths)?;
    let Some((path, text)) = g.config_text(paths)? else {
        return Ok(None);
    };
    let name = super::includers::shown_path(&path);
    let table = pfconf::config::check_keys(&text, &name).map_err(|e| e.to_string())?;
    pfconf::config::format_width(&table, &name).map_err(|e| e.located(&text).to_string())
}

/// The `unformatted` finding of `fmt --check`: at the first line the
/// formatter changes.
fn unformatted(name: &str, before: &str, after: &str) -> FileReport {
    let mut sources = SourceMap::new();
    let file = sources.add(name, before);
    let first = before
        .split_inclusive('\n')
        .zip(after.split_inclusive('\n'))
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len())
        .sum::<usize>();
    let line_end = before[first..]
        .find('\n')
        .map_or(before.len(), |n| first + n);
    let span = pfconf::Span::new(file, first, line_end);
    let d = Diagnostic::error("unformatted", span, "would be reformatted").with_help(format!(
        "run `pfconf fmt {name}`; `pfconf fmt --diff {name}` shows the changes"
    ));
    FileReport::checked(name, vec![d], sources)
}

pub(crate) fn run(
    g: &Global,
    paths: Vec<String>,
    check: bool,
    diff: bool,
    width: Option<usize>,
) -> ExitCode {
    use pfconf::fmt::{format_safely, FormatError, FormatOptions};
    let format = match g.style.format_for("fmt", DIAGNOSTIC_FORMATS) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let width = match (width, config_width(g, &paths)) {
        (_, Err(e)) => return fail(&e),
        (Some(w), _) => w,
        (None, Ok(w)) => w.unwrap_or(80),
    };
    let opts = FormatOptions { width };
    let paths = if paths.is_empty() {
        vec!["pf.conf".to_string()]
    } else {
        paths
    };
    let mut status = 0u8;
    let mut reports = Vec::new();
    // `fmt -` writes the formatted text on stdout: its diagnostics go to
    // stderr so that the text stays clean.
    let to_stdout = paths.iter().any(|p| p == "-") && !check && !diff;
    for p in &paths {
        let (name, text, raw) = match g.read_raw(p) {
            Ok(x) => x,
            Err(e) => {
                status = 2;
                let name = if p == "-" { g.stdin_name() } else { p };
                reports.push(FileReport::failure(name, &e));
                continue;
            }
        };
        let formatted = match format_safely(&name, &text, &opts) {
            Ok(f) => {
                if !f.kept.is_empty() {
                    let (map, _, _) = pfconf::parse_str(&name, &text);
                    reports.push(FileReport::checked(&name, f.kept, map));
                }
                f.text
            }
            Err(FormatError::Invalid(diags)) => {
                let (map, _, _) = pfconf::parse_str(&name, &text);
                reports.push(FileReport::checked(&name, diags, map));
                if !format.is_machine() {
                    err(&format!(
                        "pfconf: {name}: not formatted (syntax errors); the file is untouched\n"
                    ));
                }
                status = status.max(1);
                continue;
            }
            Err(e) => {
                status = 2;
                reports.push(FileReport::failure(&name, &format!("{name}: {e}")));
                continue;
            }
        };
        if p == "-" && !check && !diff {
            out_text(&formatted, raw);
            continue;
        }
        if formatted == text {
            continue;
        }
        if check || diff {
            status = status.max(1);
        }
        if diff && !format.is_machine() {
            out(&unified_diff(
                &name,
                &text,
                &formatted,
                g.style.color_stdout(),
            ));
        } else if check || diff {
            reports.push(unformatted(&name, &text, &formatted));
        } else if let Err(e) = write_atomically(p, &pfconf::encoding::encode(&formatted, raw)) {
            status = 2;
            reports.push(FileReport::failure(
                &name,
                &format!("{name}: cannot write: {e}"),
            ));
        }
    }
    // A human reading `fmt` output on a clean run sees nothing (as
    // rustfmt); a program reading a machine format always gets it.
    if !reports.is_empty() || format.is_machine() {
        if to_stdout {
            err(&output::render(
                &reports,
                format,
                &g.style,
                "fmt",
                g.style.color_stderr(),
            ));
        } else {
            emit(&reports, format, &g.style, "fmt");
        }
    }
    ExitCode::from(status)
}

/// Writes `text` to `path` through a temporary file and a rename, keeping
/// the file's permissions.
pub(crate) fn write_atomically(path: &str, text: &[u8]) -> std::io::Result<()> {
    let target = std::path::Path::new(path);
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.pfconf-fmt.{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    if let Ok(meta) = std::fs::metadata(target) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
