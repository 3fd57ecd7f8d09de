//! `pfconf lint --fix`: applying the fixes findings carry
//! ([`pfconf::fix`]), checking the result, and writing it.
//!
//! Invariants: nothing is written before the fixed files have been
//! checked again; a safe fix that changes the expanded ruleset (what pf
//! loads) is a bug, caught here, and nothing of that target is written;
//! fixes are applied in passes (a fix whose edits overlap one already
//! taken waits for the next pass), at most [`MAX_PASSES`].

use super::includers::absolute;
use super::*;
use pfconf::fix::Fix;
use pfconf::resolve::{LoadError, Loader};
use std::collections::HashMap;
use std::path::Path;

/// Files read from memory instead of the disk, by full path.
pub(crate) type Overrides = HashMap<PathBuf, String>;

/// Passes of fixing before giving up on reaching a fixed point.
const MAX_PASSES: usize = 10;

/// The file-system loader with some files replaced by their fixed text.
pub(crate) struct Overlay<'a> {
    pub(crate) base: &'a FsLoader,
    pub(crate) files: &'a Overrides,
}

impl Loader for Overlay<'_> {
    fn load(&self, path: &str, from: &str) -> Result<(String, String), LoadError> {
        if !self.files.is_empty() {
            let full = self.base.locate(path, from)?;
            if let Some(text) = self.files.get(&full) {
                return Ok((self.base.shown(&full), text.clone()));
            }
        }
        self.base.load(path, from)
    }
}

/// What fixing one target came to.
pub(crate) struct Fixed {
    /// The diagnostics left, over the fixed files.
    pub(crate) report: FileReport,
    /// Fixes applied.
    pub(crate) applied: usize,
    /// Unsafe fixes left out (without `--unsafe-fixes`).
    pub(crate) hidden: usize,
    /// Files changed: (path, before, after); the main file of standard
    /// input has the path `-`.
    pub(crate) changed: Vec<(PathBuf, String, String)>,
}

/// Fixes one target in memory: check, lint (`lints`), apply the fixes
/// allowed, again until none applies. `Err` for a file that cannot be
/// read or a safe fix that changed the expanded ruleset.
pub(crate) fn fix_target(
    g: &Global,
    inputs: &Inputs,
    t: &Target,
    accounts: Option<&pfconf::accounts::Accounts>,
    lints: &dyn Fn(&mut pfconf::Report) -> Vec<Diagnostic>,
    unsafe_ok: bool,
) -> Result<Fixed, String> {
    let (name, original) = read_target(g, t)?;
    let main_path = if t.path == "-" {
        PathBuf::from("-")
    } else {
        absolute(Path::new(&t.path))
    };
    let root = inputs.root_of(t);
    let mut main = original.clone();
    let mut overrides = Overrides::new();
    let mut before: HashMap<PathBuf, String> = HashMap::new();
    let mut applied = 0usize;
    let mut last_expanded: Option<(String, bool)> = None;
    for pass in 0..=MAX_PASSES {
        let mut report = inputs.check_text(t, &name, &main, accounts, &overrides);
        let clean = report.is_ok();
        let mut diags = report.diagnostics.clone();
        if clean {
            diags.extend(lints(&mut report));
        }
        pfconf::diag::sort(&mut diags);
        // The safety net: fixes never make a valid ruleset invalid, and a
        // pass of safe fixes leaves pf's ruleset as it was.
        if last_expanded.is_some() && !clean {
            return Err(format!(
                "{name}: internal error: a fix made the ruleset invalid; nothing of it is written (please report this)"
            ));
        }
        let expanded = clean.then(|| expanded_text(&report.resolved));
        if let (Some((was, true)), Some(now)) = (&last_expanded, &expanded) {
            if was != now {
                return Err(format!(
                    "{name}: internal error: a safe fix changed the rules pf loads; nothing of it is written (please report this)"
                ));
            }
        }
        let hidden = diags
            .iter()
            .filter_map(|d| d.fix.as_deref())
            .filter(|f| !f.is_safe() && !unsafe_ok)
            .count();
        let fixes: Vec<&Fix> = diags
            .iter()
            .filter_map(|d| d.fix.as_deref())
            .filter(|f| f.is_safe() || unsafe_ok)
            .collect();
        if fixes.is_empty() || pass == MAX_PASSES {
            let mut changed = Vec::new();
            if main != original {
                changed.push((main_path.clone(), original.clone(), main.clone()));
            }
            for (p, after) in overrides {
                let was = before.remove(&p).unwrap_or_default();
                if was != after {
                    changed.push((p, was, after));
                }
            }
            changed.sort_by(|a, b| a.0.cmp(&b.0));
            let name = target_name(g, t);
            return Ok(Fixed {
                report: FileReport::checked(&name, diags, report.sources),
                applied,
                hidden,
                changed,
            });
        }
        let mut taken = vec![false; fixes.len()];
        for (i, file) in report.sources.files().iter().enumerate() {
            let id = pfconf::FileId(i as u32);
            if !fixes
                .iter()
                .any(|f| f.edits.iter().any(|e| e.span.file == id))
            {
                continue;
            }
            let path = if i == 0 {
                main_path.clone()
            } else {
                real_path(&file.name, root.as_deref())
            };
            let (text, done) = pfconf::fix::apply(&file.text, id, &fixes);
            for k in done {
                taken[k] = true;
            }
            if i == 0 {
                main = text;
            } else {
                before
                    .entry(path.clone())
                    .or_insert_with(|| file.text.clone());
                overrides.insert(path, text);
            }
        }
        let now = taken.iter().filter(|x| **x).count();
        if now == 0 {
            // Nothing could be placed (edits outside the files read).
            let name = target_name(g, t);
            return Ok(Fixed {
                report: FileReport::checked(&name, diags, report.sources),
                applied,
                hidden,
                changed: Vec::new(),
            });
        }
        applied += now;
        let only_safe = fixes.iter().zip(&taken).all(|(f, t)| !t || f.is_safe());
        last_expanded = expanded.map(|e| (e, only_safe));
    }
    Err(format!("{name}: the fixes did not settle"))
}

/// What pf loads, for comparing: the expanded ruleset as `pfctl -nv`
/// prints it, less the macro definitions it echoes (a macro is text,
/// not something pf loads; removing an unused one changes nothing).
fn expanded_text(resolved: &pfconf::Resolved) -> String {
    let e = pfconf::expand::expand(resolved, &pfconf::expand::Interfaces::new());
    let is_macro = |l: &str| {
        resolved
            .macro_definitions
            .iter()
            .any(|m| l.starts_with(&format!("{} = \"", m.name)))
    };
    let mut text: String = e
        .header
        .iter()
        .filter(|l| !is_macro(&l.text))
        .map(|l| format!("{}\n", l.text))
        .collect();
    for r in e.all_rules() {
        text.push_str(&r.head());
        text.push('\n');
    }
    text
}

/// The file behind a name the loader showed: under the root when it is
/// named as the node sees it (`/etc/...`), else as named.
fn real_path(name: &str, root: Option<&Path>) -> PathBuf {
    match (root, name.strip_prefix('/')) {
        (Some(r), Some(rest)) => absolute(&r.join(rest)),
        _ => absolute(Path::new(name)),
    }
}
