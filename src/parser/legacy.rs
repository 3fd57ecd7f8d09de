//! Legacy syntax: FreeBSD/macOS and pre-4.7 OpenBSD statements (`nat on
//! ... ->`, `rdr on ... ->`, `scrub in`, `altq on`, old `route-to`
//! placement, old `queue` definitions) get an error naming the modern
//! form, with a fix where the rewrite is mechanical (`legacy_fix`).
//!
//! Checked before either parser runs, on the statement's text; a statement
//! that is not legacy costs one scan of its first words (`first_two_words`,
//! `scan_dashes`). Never a bare "syntax error" for these.

use super::PosMap;
use crate::diag::Diagnostic;
use crate::span::Span;

/// FreeBSD/macOS and pre-4.7 OpenBSD statements, named with their modern form.
pub(super) fn legacy(text: &str, map: &PosMap) -> Option<Diagnostic> {
    legacy_with(text, map, first_two_words(text), || {
        let (arrow, route) = scan_dashes(text.as_bytes());
        (
            route.then(|| old_route_to_full(text)).flatten(),
            arrow.filter(|_| !text.contains("\"->")),
        )
    })
}

/// [`legacy`], given the statement's first two words and a function
/// that finds, when no word decides, the offset of an old `route-to (if
/// addr)` and that of a `->` outside quotes (the tests give it slower
/// references of each).
pub(super) fn legacy_with(
    text: &str,
    map: &PosMap,
    (first, second): (&str, &str),
    forms: impl FnOnce() -> (Option<usize>, Option<usize>),
) -> Option<Diagnostic> {
    // `binat = "..."` defines a macro: old keywords are free names now.
    if second.starts_with('=') {
        return None;
    }
    let scrub_help;
    let (msg, help): (String, &str) = match first {
        "nat" | "rdr" | "binat" => (
            format!("`{first}` rules are legacy syntax (removed in OpenBSD 4.7)"),
            match first {
                "nat" => "translate on a match or pass rule: `match out on $ext_if from $lan to any nat-to ($ext_if)`",
                "rdr" => "redirect on a pass or match rule: `pass in on $ext_if proto tcp to port 80 rdr-to $server`",
                _ => "use `match on $ext_if from $host to any binat-to $public`",
            },
        ),
        "no" if matches!(second, "nat" | "rdr" | "binat") => (
            format!("`no {second}` rules are legacy syntax (removed in OpenBSD 4.7)"),
            "put a `match` or `pass` rule without nat-to/rdr-to after the translating rule, or use `quick`",
        ),
        "nat-anchor" | "rdr-anchor" | "binat-anchor" => (
            format!("`{first}` is legacy syntax (removed in OpenBSD 4.7)"),
            "a plain `anchor` now holds translation rules too: `anchor \"name\"`",
        ),
        "scrub" => {
            scrub_help = modern_scrub(text);
            (
                "the `scrub` statement is legacy syntax (removed in OpenBSD 4.6)".to_string(),
                scrub_help.as_str(),
            )
        }
        "altq" => (
            "ALTQ (`altq on`) is legacy syntax (removed in OpenBSD 5.5)".to_string(),
            "define queues with `queue NAME on IF bandwidth N` and assign them with `set queue`",
        ),
        "dummynet-anchor" | "dnpipe" | "dnqueue" | "ether" | "scrub-anchor" => (
            format!("`{first}` is FreeBSD/macOS syntax that OpenBSD pf does not have"),
            "remove it, or keep this ruleset for the platform it was written for",
        ),
        _ if second == "+=" => (
            "`+=` (appending to a macro) is legacy syntax that current pfctl rejects".to_string(),
            "define the whole value at once: `name = \"$name more values\"`",
        ),
        "queue" if legacy_queue(text) => (
            "ALTQ-style queue definition (cbq/priq/hfsc) is legacy syntax (removed in OpenBSD 5.5)"
                .to_string(),
            "use `queue NAME on IF bandwidth N` / `queue NAME parent P bandwidth N` (pf.conf(5) QUEUEING)",
        ),
        "set"
            if matches!(
                second,
                "require-order" | "fail-policy" | "keepcounters" | "timestamp" | "scrub"
            ) =>
        (
            format!("`set {second}` is FreeBSD/macOS syntax that OpenBSD pf does not have"),
            "remove the option",
        ),
        _ => {
            let (pos, len, msg, help) = match forms() {
                (Some(pos), _) => (
                    pos,
                    1,
                    "`route-to (interface address)` is legacy syntax (changed in OpenBSD 7.0)",
                    "route-to, reply-to and dup-to now take the next-hop address only: `route-to 192.0.2.1`",
                ),
                (None, Some(pos)) => (
                    pos,
                    2,
                    "`->` translation is legacy syntax (removed in OpenBSD 4.7)",
                    "use nat-to, rdr-to or binat-to on a match or pass rule",
                ),
                (None, None) => return None,
            };
            return Some(
                Diagnostic::error("legacy", map.span(pos, pos + len), msg).with_help(help),
            );
        }
    };
    let span = map.span(0, first.len());
    let mut d = Diagnostic::error("legacy", span, msg).with_help(help);
    if let Some(fix) = modern_form(text, map, first, second) {
        d = d.with_fix(fix);
    }
    Some(d)
}

/// The fix of a legacy statement, from its text as written at `span`
/// (the resolver parses statements with macros only once expanded).
pub(crate) fn legacy_fix(text: &str, span: Span) -> Option<crate::fix::Fix> {
    let map = PosMap::Direct {
        file: span.file,
        offset: span.start(),
    };
    let (first, second) = first_two_words(text);
    modern_form(text, &map, first, second)
}

/// The modern statement for a one-line legacy translation or scrub rule,
/// as a fix replacing the statement, where the mapping is mechanical:
/// `nat [pass] ... -> A` is `match out ... nat-to A` (`pass out` with
/// `pass`), `rdr [pass] ... -> A` is `match in ... rdr-to A` (`pass in`),
/// `binat [pass] ... -> A` is `match ... binat-to A` (`pass`), and `scrub
/// FILTER (OPTS)` is `match FILTER scrub (OPTS)`. Unsafe: the old
/// translation rules were first-match, match rules apply the last
/// matching translation.
fn modern_form(text: &str, map: &PosMap, first: &str, second: &str) -> Option<crate::fix::Fix> {
    use crate::fix::{Edit, Fix};
    // The statement as written (not its macro expansion), on one line,
    // without quotes: the rest of it is kept as written.
    if !matches!(map, PosMap::Direct { .. })
        || text.contains('\n')
        || text.contains('"')
        || text.contains('#')
    {
        return None;
    }
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let modern = match first {
        "nat" | "rdr" | "binat" => {
            let pass = second == "pass";
            let (head, to) = match (first, pass) {
                ("nat", false) => ("match out", "nat-to"),
                ("nat", true) => ("pass out", "nat-to"),
                ("rdr", false) => ("match in", "rdr-to"),
                ("rdr", true) => ("pass in", "rdr-to"),
                (_, false) => ("match", "binat-to"),
                (_, true) => ("pass", "binat-to"),
            };
            let keyword_end = if pass {
                trimmed.find("pass")? + "pass".len()
            } else {
                first.len()
            };
            let rest = &trimmed[keyword_end..];
            let arrow = rest.find("->")?;
            if rest[arrow + 2..].contains("->") {
                return None;
            }
            format!("{head}{}{to}{}", &rest[..arrow], &rest[arrow + 2..])
        }
        "scrub" => {
            let help = modern_scrub(text);
            let start = help.find("`match ")? + 1;
            let end = start + help[start..].find('`')?;
            help[start..end].to_string()
        }
        _ => return None,
    };
    let why = if first == "scrub" {
        "the options apply through a match rule, which the rules after it can change"
    } else if second == "pass" {
        "old translation rules were first-match and `pass` skipped the filter rules; a pass rule is overridden by a later matching rule unless it is `quick`, and the last matching translation applies"
    } else {
        "old translation rules were first-match; match rules apply the last matching translation, so with several such rules check their order"
    };
    Some(Fix::risky(
        format!("rewrite as `{modern}`"),
        why,
        vec![Edit {
            span: map.span(lead, text.len()),
            replacement: modern,
        }],
    ))
}

/// The first two whitespace-separated words (`split_whitespace`), by a
/// byte scan when they are ASCII.
pub(super) fn first_two_words(text: &str) -> (&str, &str) {
    // char::is_whitespace on ASCII: also the vertical tab.
    let ws = |c: u8| c.is_ascii_whitespace() || c == 0x0b;
    let b = text.as_bytes();
    let mut words = [(0, 0); 2];
    let mut i = 0;
    for w in &mut words {
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        let start = i;
        while i < b.len() && !ws(b[i]) {
            if !b[i].is_ascii() {
                // Unicode whitespace may separate words: let std decide.
                let mut it = text.split_whitespace();
                return (it.next().unwrap_or(""), it.next().unwrap_or(""));
            }
            i += 1;
        }
        *w = (start, i);
    }
    let word = |(s, e): (usize, usize)| text.get(s..e).unwrap_or("");
    (word(words[0]), word(words[1]))
}

/// One pass over the `-` of a statement: the offset of the first `->`,
/// and whether `route-to`, `reply-to` or `dup-to` occurs (only then can
/// [`old_route_to_full`] find anything).
fn scan_dashes(bytes: &[u8]) -> (Option<usize>, bool) {
    let mut arrow = None;
    let mut route = false;
    for (i, &c) in bytes.iter().enumerate() {
        if c != b'-' {
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'>') if arrow.is_none() => arrow = Some(i),
            Some(b't') if bytes.get(i + 2) == Some(&b'o') => {
                let before = bytes.get(..i).unwrap_or(&[]);
                route |= before.ends_with(b"route")
                    || before.ends_with(b"reply")
                    || before.ends_with(b"dup");
            }
            _ => {}
        }
    }
    (arrow, route)
}

/// Offset of the `(` in `route-to (if addr)`, the pre-7.0 form.
#[cfg(test)]
pub(super) fn old_route_to(text: &str) -> Option<usize> {
    if scan_dashes(text.as_bytes()).1 {
        old_route_to_full(text)
    } else {
        None
    }
}

/// `old_route_to` without the quick test.
pub(super) fn old_route_to_full(text: &str) -> Option<usize> {
    for kw in ["route-to", "reply-to", "dup-to"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(kw) {
            let at = from + i + kw.len();
            let rest = &text[at..];
            let trimmed = rest.trim_start_matches([' ', '\t', '{']);
            if let Some(inner) = trimmed.strip_prefix('(') {
                let inside = inner.split(')').next().unwrap_or("");
                if inside.split_whitespace().count() >= 2 {
                    return Some(at + (rest.len() - trimmed.len()));
                }
            }
            from = at;
        }
    }
    None
}

/// The match rule that does what a legacy `scrub` statement did, with
/// the same filter and only its options (`fragment reassemble` is what pf
/// does by default now: `set reassemble yes`).
fn modern_scrub(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().skip(1).collect();
    let mut filter: Vec<&str> = Vec::new();
    let mut opts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].trim_matches(|c| c == '(' || c == ')' || c == ',');
        let next = words
            .get(i + 1)
            .map(|n| n.trim_matches(|c| c == '(' || c == ')' || c == ','));
        match (w, next) {
            ("no-df" | "random-id", _) => opts.push(w.to_string()),
            ("min-ttl" | "max-mss" | "set-tos", Some(n)) => {
                opts.push(format!("{w} {n}"));
                i += 1;
            }
            ("reassemble", Some("tcp")) => {
                opts.push("reassemble tcp".into());
                i += 1;
            }
            ("fragment", Some(_)) => i += 1,
            ("", _) => {}
            _ if opts.is_empty() => filter.push(words[i]),
            _ => {}
        }
        i += 1;
    }
    let filter = if filter.is_empty() {
        "all".to_string()
    } else {
        filter.join(" ")
    };
    if opts.is_empty() {
        "fragments are reassembled by default now (`set reassemble yes`): the statement can go"
            .to_string()
    } else {
        format!(
            "normalize with a match rule: `match {filter} scrub ({})`",
            opts.join(" ")
        )
    }
}

fn legacy_queue(text: &str) -> bool {
    text.split(|c: char| {
        c.is_whitespace() || c == '(' || c == ')' || c == '{' || c == '}' || c == ','
    })
    .any(|w| {
        matches!(
            w,
            "cbq"
                | "priq"
                | "hfsc"
                | "codel"
                | "fairq"
                | "borrow"
                | "red"
                | "ecn"
                | "realtime"
                | "upperlimit"
                | "linkshare"
                | "priority"
        )
    })
}
