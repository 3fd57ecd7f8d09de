//! The formatter over the corpora: every file that parses is formatted
//! without changing meaning or losing a comment, formatting twice changes
//! nothing, no formatted line runs past the width (unless it is one token
//! longer than the width), and the same ruleset laid out differently
//! formats to the same text. Reads `PFCONF_CORPUS`; skips with a notice
//! when unset.

use pfconf::fmt::{format_checked, format_safely_on_two_threads, FormatError, FormatOptions};
use std::path::{Path, PathBuf};

/// Files formatted safely and idempotently today; the test fails below.
/// (Files with syntax errors, also those that only show after macro
/// expansion, are refused as invalid and not counted.)
const PFCTL_FLOOR: usize = 117;
const REALWORLD_FLOOR: usize = 71;
/// Every realworld file pfconf accepts, whatever its dialect.
const REALWORLD_ACCEPTED_FLOOR: usize = 76;

mod common;
use common::corpus;

fn name_of(f: &Path) -> String {
    f.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// (ok, invalid input skipped, failures)
fn run(files: &[PathBuf]) -> (usize, usize, Vec<String>) {
    let opts = FormatOptions::default();
    let mut ok = 0;
    let mut invalid = 0;
    let mut failures = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let name = name_of(f);
        match format_checked(&name, &text, &opts) {
            Ok(out) => match format_checked(&name, &out, &opts) {
                // The same on two threads, as for large files.
                Ok(again)
                    if again == out
                        && format_safely_on_two_threads(&name, &text, &opts)
                            .is_ok_and(|f| f.text == out) =>
                {
                    ok += 1
                }
                Ok(_) => failures.push(format!("{name}: not idempotent")),
                Err(e) => failures.push(format!("{name}: second pass: {e}")),
            },
            Err(FormatError::Invalid(_)) => invalid += 1,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    (ok, invalid, failures)
}

fn manifest(dir: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(dir.join("MANIFEST.tsv"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn formatter_over_the_corpora() {
    let Some(root) = corpus() else {
        return;
    };
    let pfctl = root.join("pfctl");
    let files: Vec<PathBuf> = manifest(&pfctl)
        .into_iter()
        .filter(|r| {
            r.len() > 2 && r[2] == "modern" && r[0].starts_with("pf") && r[0].ends_with(".in")
        })
        .map(|r| pfctl.join(&r[0]))
        .collect();
    let (ok, invalid, fails) = run(&files);
    println!(
        "fmt pfctl: {ok}/{} formatted safely and idempotently ({invalid} not parseable)",
        files.len()
    );
    for f in &fails {
        println!("    FAIL {f}");
    }
    let rw = root.join("realworld");
    let files: Vec<PathBuf> = manifest(&rw)
        .into_iter()
        .filter(|r| r.len() > 4 && r[4] == "openbsd")
        .map(|r| rw.join(&r[0]))
        .collect();
    let (ok2, invalid2, fails2) = run(&files);
    println!("fmt realworld (openbsd): {ok2}/{} formatted safely and idempotently ({invalid2} not parseable)", files.len());
    for f in &fails2 {
        println!("    FAIL {f}");
    }
    assert!(ok >= PFCTL_FLOOR, "pfctl: {ok} < {PFCTL_FLOOR}");
    assert!(
        ok2 >= REALWORLD_FLOOR,
        "realworld: {ok2} < {REALWORLD_FLOOR}"
    );
}

/// Every file of both corpora that pfconf formats, with its formatted
/// text.
fn accepted(root: &Path) -> Vec<(String, String, String)> {
    let opts = FormatOptions::default();
    corpus_files(root)
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            let name = name_of(f);
            let out = format_checked(&name, &text, &opts).ok()?;
            Some((name, text, out))
        })
        .collect()
}

/// The rulesets of both corpora (`.in` and `.conf` files), sorted.
fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["pfctl", "realworld"] {
        let mut names: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        names.retain(|p| name_of(p).ends_with(".conf") || name_of(p).ends_with(".in"));
        names.sort();
        files.extend(names);
    }
    files
}

/// True for a line that is only a comment.
fn comment_only(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// True for a line that holds one token (with its indentation and a
/// final ` \`): nothing to break it at.
fn one_token(line: &str) -> bool {
    let t = line.trim();
    let t = t.strip_suffix('\\').unwrap_or(t).trim_end();
    let mut quote = None;
    let mut prev = ' ';
    for c in t.chars() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ' ' || c == '\t' => return false,
            None => {}
        }
        prev = c;
    }
    true
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn formatted_lines_fit_the_width() {
    let Some(root) = corpus() else {
        return;
    };
    let files = accepted(&root);
    let realworld = files
        .iter()
        .filter(|(n, _, _)| n.ends_with(".conf"))
        .count();
    println!(
        "fmt width: {} files accepted ({realworld} realworld)",
        files.len()
    );
    assert!(
        realworld >= REALWORLD_ACCEPTED_FLOOR,
        "realworld: {realworld} accepted < {REALWORLD_ACCEPTED_FLOOR}"
    );
    let mut long = Vec::new();
    let mut tokens = 0;
    for (name, _, out) in &files {
        for (i, line) in out.lines().enumerate() {
            if line.chars().count() <= 80 || comment_only(line) {
                continue;
            }
            if one_token(line) {
                tokens += 1;
            } else {
                long.push(format!("{name}:{}: {line}", i + 1));
            }
        }
    }
    println!(
        "fmt width: {} lines past 80 columns, {tokens} of them a single token",
        long.len() + tokens
    );
    assert!(
        long.is_empty(),
        "lines past the width:\n{}",
        long.join("\n")
    );
}

/// A small deterministic generator of choices.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Blanks that mean what one space means between two tokens: more
/// spaces, tabs, a line continuation.
fn blanks(d: &mut Dice) -> &'static str {
    [" ", "  ", "\t", " \t  ", " \\\n\t  ", "   \\\n  "][d.roll(6) as usize]
}

/// True when a quoted string (without its quotes) is a `{ }` list, whose
/// blanks mean nothing to pfctl once the macro holding it is expanded.
fn list_value(inner: &str) -> bool {
    let t = inner.trim();
    t.starts_with('{') && t.ends_with('}') && !inner.contains(['"', '\'', '#', '\\'])
}

/// The same ruleset laid out differently, as pfctl's lexer and grammar
/// allow, with the same meaning: every run of blanks between two tokens
/// (outside quoted strings and comments, and inside list macro values)
/// replaced by other blanks or a line continuation (`\` and a newline,
/// which pfctl's lexer drops, in quoted strings too); a blank added after
/// commas; the commas of `{ }` lists dropped where the line has no macro
/// (pfctl's `comma` is optional); a one-word macro value unquoted.
fn scramble(text: &str, d: &mut Dice) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    // A quoted string or a comment going on from the line before.
    let mut quote: Option<char> = None;
    let mut list_quote = false;
    let mut comment = false;
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if comment {
            // A comment ending in a backslash swallows the next line.
            out.push_str(line);
            comment = ends_in_escape(body);
            continue;
        }
        let body = if quote.is_none() {
            unquote_macro(body, d)
        } else {
            body.to_string()
        };
        let indent = body.len() - body.trim_start_matches([' ', '\t']).len();
        out.push_str(&body[..indent]);
        let chars: Vec<char> = body[indent..].chars().collect();
        let has_macro = body.contains('$');
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if let Some(q) = quote {
                if c == '\\' && chars.get(i + 1) == Some(&q) {
                    out.push(c);
                    out.push(q);
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                } else if list_quote && (c == ' ' || c == '\t') {
                    while matches!(chars.get(i + 1), Some(' ' | '\t')) {
                        i += 1;
                    }
                    if !matches!(chars.get(i + 1), Some('\\') | None) {
                        out.push_str(blanks(d));
                        i += 1;
                        continue;
                    }
                }
                out.push(c);
                i += 1;
                continue;
            }
            match c {
                '#' => {
                    out.extend(&chars[i..]);
                    comment = ends_in_escape(body.trim_end_matches([' ', '\t', '\r']));
                    break;
                }
                '"' | '\'' => {
                    quote = Some(c);
                    let end = chars[i + 1..].iter().position(|&x| x == c);
                    list_quote = end.is_some_and(|e| {
                        let inner: String = chars[i + 1..i + 1 + e].iter().collect();
                        list_value(&inner)
                    });
                    out.push(c);
                }
                ' ' | '\t' => {
                    let start = i;
                    while matches!(chars.get(i + 1), Some(' ' | '\t')) {
                        i += 1;
                    }
                    // Trailing blanks, blanks before a comment or a
                    // continuation, stay as they are.
                    if matches!(chars.get(i + 1), None | Some('#' | '\\')) {
                        out.extend(&chars[start..=i]);
                    } else {
                        out.push_str(blanks(d));
                    }
                }
                ',' if !has_macro && d.roll(2) == 0 && comma_in_braces(&chars[..i]) => {
                    out.push(' ');
                }
                ',' => {
                    out.push(',');
                    if !matches!(chars.get(i + 1), Some(' ' | '\t') | None) {
                        out.push(' ');
                    }
                }
                _ => out.push(c),
            }
            i += 1;
        }
        out.push_str(nl);
    }
    out
}

/// True when `s` ends in an unescaped backslash.
fn ends_in_escape(s: &str) -> bool {
    s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// True when the comma after `before` (one line's text) is inside a
/// `{ }` list, not inside `( )`.
fn comma_in_braces(before: &[char]) -> bool {
    let mut stack = Vec::new();
    let mut quote = None;
    for &c in before {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '{' | '(' => stack.push(c),
                '}' | ')' => {
                    stack.pop();
                }
                _ => {}
            },
        }
    }
    stack.last() == Some(&'{')
}

/// `name = "word"` written `name = word` (half the time), for a word
/// pfctl reads as one string.
fn unquote_macro(line: &str, d: &mut Dice) -> String {
    let Some((name, rest)) = line.split_once('=') else {
        return line.to_string();
    };
    let value = rest.trim_start();
    // An interface name or the like: a keyword (`log`, `any`, `inet6`)
    // unquoted would not be a string to pfctl.
    let simple = |w: &str| {
        w.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && w.chars().any(|c| c.is_ascii_digit())
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.:".contains(c))
            && w != "inet6"
    };
    if !name
        .trim()
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.trim().is_empty()
    {
        return line.to_string();
    }
    if let Some(inner) = value.strip_prefix('"') {
        if let Some(end) = inner.find('"') {
            let (word, after) = (&inner[..end], &inner[end + 1..]);
            if simple(word)
                && (after.is_empty() || after.starts_with([' ', '\t']))
                && d.roll(2) == 0
            {
                return format!("{name}= {word}{after}");
            }
        }
    }
    line.to_string()
}

#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn the_same_ruleset_laid_out_differently_formats_the_same() {
    let Some(root) = corpus() else {
        return;
    };
    let opts = FormatOptions::default();
    let files = accepted(&root);
    let mut differ = Vec::new();
    let mut changed = 0;
    for (seed, (name, text, out)) in files.iter().enumerate() {
        for round in 0..3u64 {
            let mut d = Dice(seed as u64 * 7919 + round);
            let other = scramble(text, &mut d);
            if other != *text {
                changed += 1;
            }
            match format_checked(name, &other, &opts) {
                Ok(again) if again == *out => {}
                Ok(again) => {
                    let at = out
                        .lines()
                        .zip(again.lines())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0);
                    differ.push(format!(
                        "{name} (round {round}) line {}:\n    {:?}\n    {:?}",
                        at + 1,
                        out.lines().nth(at).unwrap_or(""),
                        again.lines().nth(at).unwrap_or("")
                    ));
                }
                Err(e) => differ.push(format!("{name} (round {round}): {e}\n{other}")),
            }
        }
    }
    println!(
        "fmt canonical: {} files, {changed} scrambled layouts, {} differ",
        files.len(),
        differ.len()
    );
    assert!(changed >= files.len() * 2, "too few files were scrambled");
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// `Report::format` (#16) gives what `format_safely` gives, on every file
/// of both corpora: the same text, or both refuse the file as invalid.
/// Checked with the source AST kept and without it, with no file access
/// (as `format_safely` reads) and with the files beside it (includes read,
/// the output resolved through the same loader).
#[test]
#[cfg_attr(
    not(pfconf_corpus),
    ignore = "needs the corpus: set PFCONF_CORPUS (CI: ../shared/corpus)"
)]
fn formatting_a_report_gives_what_formatting_the_text_gives() {
    use pfconf::{check_with, FsLoader, Loader, MemoryLoader, Options};
    let Some(root) = corpus() else {
        return;
    };
    let opts = FormatOptions::default();
    let files = corpus_files(&root);
    let (mut same, mut refused, mut disagree) = (0, 0, Vec::new());
    let memory = MemoryLoader::default();
    let disk = FsLoader { root: None };
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let name = f.to_string_lossy().into_owned();
        let expected = pfconf::fmt::format_safely(&name, &text, &opts);
        let loaders: [&(dyn Loader + Sync); 2] = [&memory, &disk];
        for (loader, keep_source) in loaders.iter().flat_map(|l| [(*l, true), (*l, false)]) {
            let check = Options {
                keep_source,
                ..Options::default()
            };
            let report = check_with(&name, &text, loader, &check);
            assert_eq!(report.resolved.source.is_some(), keep_source);
            let got = report.format(loader, &opts);
            match (&expected, &got) {
                (Ok(a), Ok(b)) if a.text == b.text => same += 1,
                (Err(FormatError::Invalid(_)), Err(FormatError::Invalid(_))) => refused += 1,
                _ => disagree.push(format!(
                    "{}: keep_source {keep_source}: {:?} vs {:?}",
                    name_of(f),
                    expected.as_ref().map(|f| f.text.len()),
                    got.as_ref().map(|f| f.text.len())
                )),
            }
        }
    }
    println!(
        "fmt from a report: {same} agree, {refused} refused by both, {} disagree ({} files, 4 ways each)",
        disagree.len(),
        files.len()
    );
    assert!(disagree.is_empty(), "{disagree:#?}");
    assert!(same > 4 * 150, "only {same} formatted");
}
