//! `pfconf fmt`: format rulesets in place, check or show the changes.

use super::*;

/// `[format] width` from the project's `pfconf.toml`, if there is one.
fn config_width(paths: &[String]) -> Result<Option<usize>, String> {
    let Some((path, text)) = project_config(None, paths)? else {
        return Ok(None);
    };
    let name = path.display().to_string();
    let table = pfconf::config::check_keys(&text, &name)?;
    pfconf::config::format_width(&table, &name)
}

pub(crate) fn run(
    paths: Vec<String>,
    check: bool,
    diff: bool,
    width: Option<usize>,
    color: bool,
) -> ExitCode {
    use pfconf::fmt::{format_safely, FormatError, FormatOptions};
    let width = match width {
        Some(w) => w,
        None => match config_width(&paths) {
            Ok(w) => w.unwrap_or(80),
            Err(e) => {
                err(&format!("pfconf: {e}\n"));
                return ExitCode::from(2);
            }
        },
    };
    let opts = FormatOptions { width };
    let paths = if paths.is_empty() {
        vec!["pf.conf".to_string()]
    } else {
        paths
    };
    let mut status = 0u8;
    let out_color = color && std::io::stdout().is_terminal();
    for p in &paths {
        let (name, text) = match read_input(p) {
            Ok(x) => x,
            Err(e) => {
                err(&format!("pfconf: {e}\n"));
                status = 2;
                continue;
            }
        };
        let formatted = match format_safely(&name, &text, &opts) {
            Ok(f) => {
                if !f.kept.is_empty() {
                    let (map, _, _) = pfconf::parse_str(&name, &text);
                    err(&pfconf::diag::render(&f.kept, &map, color));
                }
                f.text
            }
            Err(FormatError::Invalid(diags)) => {
                let (map, _, _) = pfconf::parse_str(&name, &text);
                err(&pfconf::diag::render(&diags, &map, color));
                err(&format!(
                    "pfconf: {name}: not formatted (syntax errors); the file is untouched\n"
                ));
                status = status.max(1);
                continue;
            }
            Err(e) => {
                err(&format!("pfconf: {name}: {e}\n"));
                status = 2;
                continue;
            }
        };
        if p == "-" && !check && !diff {
            out(&formatted);
            continue;
        }
        if formatted == text {
            continue;
        }
        if diff {
            out(&unified_diff(&name, &text, &formatted, out_color));
        }
        if check {
            err(&format!("{name}: would be reformatted\n"));
            status = status.max(1);
        } else if diff {
            status = status.max(1);
        } else if let Err(e) = write_atomically(p, &formatted) {
            err(&format!("pfconf: {name}: cannot write: {e}\n"));
            status = 2;
        }
    }
    ExitCode::from(status)
}

/// Writes `text` to `path` through a temporary file and a rename, keeping
/// the file's permissions.
fn write_atomically(path: &str, text: &str) -> std::io::Result<()> {
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
