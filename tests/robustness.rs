//! Robustness: no input makes the library panic, hang, overflow its stack
//! or exhaust memory (DESIGN.md, "Invariants").
//!
//! * Property tests feed arbitrary text, arbitrary bytes (lossily decoded)
//!   and random sequences of pf tokens to `parse_str` and `check_str`; a
//!   panic anywhere fails the property.
//! * Limit tests push each bound (brace nesting, anchor nesting, include
//!   depth, line length, file size) well past its limit and expect a clear
//!   diagnostic. Each runs on its own thread with a deadline, so a hang
//!   fails the test instead of blocking the suite, and prints its duration
//!   (`cargo test --test robustness -- --nocapture` shows them).
//!
//! A limit test that exposes a problem in the library is marked `#[ignore]`
//! with the reason, never weakened.

use pfconf::{
    check_str, check_with, parse_str, Diagnostic, MemoryLoader, Options, Report, Severity,
};
use proptest::prelude::*;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Runs `f` on a fresh thread with the default (2 MiB) stack, fails if it
/// panics or takes longer than `deadline`, and prints how long it took.
fn timed<T: Send + 'static>(
    name: &str,
    deadline: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    let handle = thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let out = f();
            let _ = tx.send(out);
        })
        .expect("spawn worker thread");
    match rx.recv_timeout(deadline) {
        Ok(out) => {
            let elapsed = start.elapsed();
            eprintln!("[robustness] {name}: {elapsed:.2?}");
            handle.join().expect("worker thread");
            out
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The worker dropped the sender without sending: it panicked.
            match handle.join() {
                Err(e) => std::panic::resume_unwind(e),
                Ok(()) => panic!("{name}: worker ended without a result"),
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name}: still running after {deadline:?} (hang or super-linear blow-up)")
        }
    }
}

/// Generous deadline for the limit tests in debug builds; the timings they
/// print are what to watch.
const DEADLINE: Duration = Duration::from_secs(60);

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

fn errors(report: &Report) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            format!(
                "{}: {}: {}",
                report.sources.location(d.span),
                d.code,
                d.message
            )
        })
        .collect()
}

/// Everything a consumer may do with a report must work too: locations
/// and slices of every span (including labels) stay in bounds.
fn touch_report(report: &Report) {
    for d in &report.diagnostics {
        let _ = report.sources.location(d.span);
        let _ = report.sources.slice(d.span);
        for l in &d.labels {
            let _ = report.sources.location(l.span);
            let _ = report.sources.slice(l.span);
        }
    }
}

// ------------------------------------------------------------ properties

/// Tokens of pf.conf, glued into random statements by the token property.
const TOKENS: &[&str] = &[
    "pass",
    "block",
    "match",
    "in",
    "out",
    "quick",
    "log",
    "on",
    "em0",
    "lo0",
    "egress",
    "inet",
    "inet6",
    "from",
    "to",
    "port",
    "proto",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "any",
    "all",
    "self",
    "keep",
    "modulate",
    "synproxy",
    "state",
    "no",
    "flags",
    "S/SA",
    "S/",
    "/SA",
    "any",
    "{",
    "}",
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    "!",
    "!=",
    ",",
    "=",
    "<>",
    "><",
    ":",
    "/",
    "-",
    "$macro",
    "$ext_if",
    "$",
    "ext_if",
    "\"quoted\"",
    "'single'",
    "\"",
    "\"a b\"",
    "0",
    "1",
    "22",
    "65535",
    "65536",
    "-1",
    "4294967296",
    "10.0.0.1",
    "10/8",
    "10.0.0.0/33",
    "::1",
    "fe80::1%em0",
    "2001:db8::/32",
    "(em0)",
    "(em0:network)",
    "em0:0",
    "<bad>",
    "table",
    "persist",
    "const",
    "file",
    "anchor",
    "\"a/b\"",
    "load",
    "include",
    "\"inc.conf\"",
    "set",
    "skip",
    "limit",
    "timeout",
    "states",
    "block-policy",
    "return",
    "drop",
    "return-rst",
    "return-icmp",
    "nat-to",
    "rdr-to",
    "binat-to",
    "af-to",
    "route-to",
    "reply-to",
    "dup-to",
    "divert-to",
    "round-robin",
    "source-hash",
    "static-port",
    "label",
    "tag",
    "tagged",
    "queue",
    "parent",
    "bandwidth",
    "10M",
    "default",
    "antispoof",
    "for",
    "user",
    "group",
    "icmp-type",
    "echoreq",
    "code",
    "prio",
    "tos",
    "rtable",
    "scrub",
    "max-mss",
    "once",
    "max-src-conn",
    "overload",
    "flush",
    "state-defaults",
    "limiter",
    "id",
    "nat",
    "rdr",
    "altq",
    "\n",
    "\n",
    "\n",
    "\\\n",
    "\\",
    "# comment\n",
    "#",
    "\t",
    "\r\n",
    "anchor x {\n",
    "\n}\n",
    "\u{0}",
    "é",
    "\u{ffff}",
];

fn token_program() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..80).prop_map(|toks| toks.join(" "))
}

/// Short programs made of whole lines taken from real-looking rules, with
/// macro definitions in front: exercises the resolver's expansion path.
fn macro_program() -> impl Strategy<Value = String> {
    let defs = prop::collection::vec(
        (
            prop::sample::select(&["a", "b", "ext_if", "lan", "ports"][..]),
            prop::collection::vec(prop::sample::select(TOKENS), 0..8),
        ),
        0..6,
    );
    (defs, token_program()).prop_map(|(defs, body)| {
        let mut s = String::new();
        for (name, value) in defs {
            s.push_str(&format!(
                "{name} = \"{}\"\n",
                value.join(" ").replace('"', "")
            ));
        }
        s.push_str(&body.replace("$macro", "$a"));
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let (_map, _rs, _diags) = parse_str("fuzz.conf", &text);
        let report = check_str("fuzz.conf", &text);
        touch_report(&report);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let text = String::from_utf8_lossy(&bytes);
        let (_map, _rs, _diags) = parse_str("fuzz.conf", &text);
        let report = check_str("fuzz.conf", &text);
        touch_report(&report);
    }

    #[test]
    fn token_sequences_never_panic(text in token_program()) {
        let (_map, _rs, _diags) = parse_str("tokens.conf", &text);
        let report = check_str("tokens.conf", &text);
        touch_report(&report);
    }

    #[test]
    fn token_sequences_with_macros_never_panic(text in macro_program()) {
        let report = check_str("macros.conf", &text);
        touch_report(&report);
    }

    #[test]
    fn token_lines_never_panic(
        lines in prop::collection::vec(token_program().prop_map(|l| l.replace('\n', " ")), 0..12)
    ) {
        // One statement a line, as real rulesets are written.
        let text = lines.join("\n");
        let report = check_str("lines.conf", &text);
        touch_report(&report);
    }
}

// ---------------------------------------------------------------- limits

#[test]
fn deeply_nested_braces_are_too_deep_not_a_stack_overflow() {
    let report = timed("100k nested braces", DEADLINE, || {
        let text = format!(
            "pass from {} 10.0.0.1 {}\n",
            "{ ".repeat(100_000),
            "} ".repeat(100_000)
        );
        check_str("deep.conf", &text)
    });
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "too-deep" && d.is_error()),
        "expected a too-deep error, got {:?}",
        codes(&report.diagnostics)
    );
    let unclosed = timed("100k unclosed braces", DEADLINE, || {
        parse_str("deep.conf", &format!("pass from {}", "{".repeat(100_000)))
    });
    assert!(unclosed.2.iter().any(|d| d.code == "too-deep"));
}

#[test]
fn braces_at_the_limit_parse_on_a_small_stack() {
    // 64 levels is allowed: the grammar recurses once per level, in a debug
    // build, on a thread with the default 2 MiB stack.
    let report = timed("64 nested braces", DEADLINE, || {
        let depth = 64;
        let text = format!(
            "pass from {} 10.0.0.1 {}\n",
            "{ ".repeat(depth),
            "} ".repeat(depth)
        );
        check_str("limit.conf", &text)
    });
    assert!(
        !report.diagnostics.iter().any(|d| d.code == "too-deep"),
        "64 levels must be accepted: {:?}",
        errors(&report)
    );
}

#[test]
fn deeply_nested_inline_anchors_are_too_deep() {
    let report = timed("100 nested anchors", DEADLINE, || {
        let mut text = String::new();
        for i in 0..100 {
            text.push_str(&format!("anchor a{i} {{\n pass\n"));
        }
        for _ in 0..100 {
            text.push_str("}\n");
        }
        text.push_str("pass out\n");
        check_str("anchors.conf", &text)
    });
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "too-deep" && d.is_error()),
        "expected too-deep, got {:?}",
        codes(&report.diagnostics)
    );
    // The limit is 64: 64 levels are fine.
    let ok = timed("64 nested anchors", DEADLINE, || {
        let mut text = String::new();
        for i in 0..64 {
            text.push_str(&format!("anchor a{i} {{\n pass\n"));
        }
        for _ in 0..64 {
            text.push_str("}\n");
        }
        check_str("anchors.conf", &text)
    });
    assert!(
        !ok.diagnostics.iter().any(|d| d.code == "too-deep"),
        "{:?}",
        errors(&ok)
    );
}

#[test]
fn deeply_nested_anchors_unclosed_and_in_one_line() {
    // Opening braces that are never closed, and 100k anchors on one line
    // (only the first `{` at the end of a line opens a block).
    let text = "anchor a {\n".repeat(100_000);
    let report = timed("100k unclosed anchors", DEADLINE, move || {
        check_str("anchors.conf", &text)
    });
    assert!(report.diagnostics.iter().any(|d| d.code == "too-deep"));
    let text = format!("{}\n", "anchor a { ".repeat(100_000));
    let report = timed("100k anchors on one line", DEADLINE, move || {
        check_str("anchors.conf", &text)
    });
    assert!(!report.is_ok());
}

/// `pass from { 10.0.0.1 10.0.0.2 ... }` grown to `bytes`.
fn long_address_list(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 64);
    text.push_str("pass in proto tcp from { ");
    let mut i = 0u32;
    while text.len() < bytes {
        let [_, b, c, d] = i.to_be_bytes();
        text.push_str(&format!("10.{b}.{c}.{d} "));
        i += 1;
    }
    text.push_str("} to any port 22\n");
    text
}

#[test]
#[ignore = "debug builds parse at ~0.3 MB/s (issue #2: parse speed target missed); run with --release -- --ignored"]
fn fifty_megabyte_line_of_addresses_returns() {
    let text = long_address_list(50 << 20);
    let len = text.len();
    let report = timed("50 MB line (address list)", DEADLINE, move || {
        check_str("long.conf", &text)
    });
    eprintln!(
        "[robustness]   {} bytes, {} diagnostics",
        len,
        report.diagnostics.len()
    );
    touch_report(&report);
}

#[test]
fn fifty_megabyte_macro_value_returns() {
    let text = format!(
        "big = \"{}\"\npass from $big\n",
        "10.0.0.1 ".repeat((50 << 20) / 9)
    );
    let report = timed("50 MB line (macro value)", DEADLINE, move || {
        check_str("long.conf", &text)
    });
    assert!(!report.is_ok(), "a 50 MB expansion cannot be accepted");
    touch_report(&report);
}

#[test]
fn fifty_megabyte_word_returns() {
    // One unbroken word: an interface name, a port name, a table name.
    let word = "a".repeat(50 << 20);
    let text = format!("pass on {word} proto tcp to <{word}> port {word}\n");
    let report = timed("50 MB word", DEADLINE, move || {
        check_str("long.conf", &text)
    });
    assert!(!report.is_ok());
}

#[test]
fn fifty_megabyte_comment_and_string_return() {
    let text = format!(
        "# {}\npass\nlbl = \"{}\"\n",
        "x".repeat(25 << 20),
        "y".repeat(25 << 20)
    );
    let report = timed("50 MB comment + quoted string", DEADLINE, move || {
        check_str("long.conf", &text)
    });
    assert!(report.is_ok(), "{:?}", errors(&report));
}

#[test]
fn include_chain_of_a_thousand_files_hits_the_limit() {
    let report = timed("1000-file include chain", DEADLINE, || {
        let mut loader = MemoryLoader::default();
        for i in 1..=1000 {
            loader = loader.with(
                &format!("f{i}.conf"),
                &format!("include \"f{}.conf\"\npass\n", i + 1),
            );
        }
        check_with(
            "f0.conf",
            "include \"f1.conf\"\n",
            &loader,
            &Options::default(),
        )
    });
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "include-limit" && d.is_error()),
        "expected include-limit, got {:?}",
        codes(&report.diagnostics)
    );
    // The chain stops at the limit: 64 files read besides the main one.
    assert!(
        report.sources.files().len() <= 66,
        "{} files read",
        report.sources.files().len()
    );
}

#[test]
fn include_cycles_and_fan_out_terminate() {
    let report = timed("include cycle", DEADLINE, || {
        let loader = MemoryLoader::default()
            .with("a.conf", "include \"b.conf\"\n")
            .with("b.conf", "include \"a.conf\"\n");
        check_with(
            "main.conf",
            "include \"a.conf\"\n",
            &loader,
            &Options::default(),
        )
    });
    assert!(
        report.diagnostics.iter().any(|d| d.code == "include-cycle"),
        "{:?}",
        codes(&report.diagnostics)
    );
    // A file that includes the same leaf many times is not a cycle, but it
    // must stay bounded: 20 levels of a file including the next one twice
    // would be 2^20 includes.
    let report = timed("include fan-out 2^20", DEADLINE, || {
        let mut loader = MemoryLoader::default();
        for i in 0..20 {
            loader = loader.with(
                &format!("f{i}.conf"),
                &format!("include \"f{n}.conf\"\ninclude \"f{n}.conf\"\n", n = i + 1),
            );
        }
        loader = loader.with("f20.conf", "pass\n");
        check_with(
            "main.conf",
            "include \"f0.conf\"\n",
            &loader,
            &Options::default(),
        )
    });
    assert!(
        report.sources.files().len() <= 10_001,
        "{} files read",
        report.sources.files().len()
    );
}

#[test]
fn binary_garbage_is_diagnosed_not_a_panic() {
    let all_bytes: Vec<u8> = (0..=255u8).collect();
    let mut inputs: Vec<Vec<u8>> = vec![
        all_bytes.clone(),
        all_bytes.iter().rev().copied().collect(),
        all_bytes.repeat(4096), // 1 MiB
        vec![0; 1 << 20],
        b"pass\0in\0on\0em0\n\0\0\0block all\n".to_vec(),
        b"pass in on em\xff0 from \xc0\x80 to \xed\xa0\x80 port \xf4\x90\x80\x80\n".to_vec(),
        b"ext_if = \"\xfe\xff\"\npass on $ext_if\n".to_vec(),
        b"\xef\xbb\xbfpass all\n".to_vec(), // byte order mark
    ];
    // Every byte value in every position of a small rule.
    for b in 0..=255u8 {
        inputs.push(
            [
                b"pass in on em0 from ".as_slice(),
                &[b],
                b" to any port 22\n",
            ]
            .concat(),
        );
    }
    let n = inputs.len();
    timed("binary garbage", DEADLINE, move || {
        for bytes in &inputs {
            // check_str takes &str: callers with bytes decode lossily.
            let text = String::from_utf8_lossy(bytes);
            let _ = parse_str("garbage.conf", &text);
            let report = check_str("garbage.conf", &text);
            touch_report(&report);
        }
    });
    eprintln!("[robustness]   {n} inputs");
    let report = check_str("garbage.conf", &String::from_utf8_lossy(&all_bytes));
    assert!(!report.is_ok(), "garbage must not be accepted");
}

#[test]
fn invalid_utf8_files_are_reported_by_the_fs_loader() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.conf"), b"pass on em\xff0\n").expect("write");
    std::fs::write(dir.path().join("tables.txt"), b"10.0.0.1\n\xff\xfe\n").expect("write");
    let main = dir.path().join("pf.conf");
    let text = "include \"bad.conf\"\ntable <t> file \"tables.txt\"\n";
    std::fs::write(&main, text).expect("write");
    let loader = pfconf::FsLoader::default();
    let report = check_with(
        &main.display().to_string(),
        text,
        &loader,
        &Options::default(),
    );
    let inc = report
        .diagnostics
        .iter()
        .find(|d| d.code == "include-missing")
        .unwrap_or_else(|| {
            panic!(
                "expected include-missing, got {:?}",
                codes(&report.diagnostics)
            )
        });
    assert!(
        inc.help.as_deref().unwrap_or("").contains("invalid UTF-8"),
        "{inc:?}"
    );
}

/// A valid ruleset of simple rules, about `bytes` long.
fn valid_ruleset(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 256);
    text.push_str(
        "ext_if = \"em0\"\ntable <bad> persist { 192.0.2.0/24 }\nset skip on lo\nblock all\n",
    );
    let mut i = 0usize;
    while text.len() < bytes {
        let line = match i % 4 {
            0 => format!(
                "pass in on $ext_if proto tcp from any to 10.{}.{}.{} port {}\n",
                (i >> 16) & 255,
                (i >> 8) & 255,
                i & 255,
                1 + i % 65535
            ),
            1 => format!("block in quick on em1 from <bad> to any label \"r{i}\"\n"),
            2 => format!(
                "pass out on $ext_if inet proto udp to any port {} keep state\n",
                1 + i % 65535
            ),
            _ => format!(
                "match out on em0 inet from 10.0.0.0/8 to any nat-to (em0) tag t{}\n",
                i % 100
            ),
        };
        text.push_str(&line);
        i += 1;
    }
    text
}

#[test]
#[ignore = "debug builds parse at ~0.3 MB/s (issue #2: parse speed target missed); run with --release -- --ignored"]
fn twenty_megabyte_valid_ruleset_checks_clean() {
    let text = valid_ruleset(20 << 20);
    let lines = text.lines().count();
    let report = timed("20 MB valid ruleset", DEADLINE, move || {
        check_str("big.conf", &text)
    });
    eprintln!(
        "[robustness]   {lines} lines, {} diagnostics",
        report.diagnostics.len()
    );
    let errs = errors(&report);
    assert!(
        errs.is_empty(),
        "{} errors, first: {:?}",
        errs.len(),
        errs.first()
    );
}

#[test]
#[ignore = "debug builds parse at ~0.3 MB/s (issue #2: parse speed target missed); run with --release -- --ignored"]
fn ruleset_of_many_tiny_statements() {
    // Two million one-word statements and two million blank lines.
    let text = "pass\n\n".repeat(2_000_000);
    let report = timed("2M tiny statements", DEADLINE, move || {
        check_str("tiny.conf", &text)
    });
    assert!(report.is_ok(), "{:?}", errors(&report).first());
}

#[test]
fn many_errors_are_reported_without_blow_up() {
    // 200k broken statements: one diagnostic each, sorted, in linear time.
    let text = "pass in bogus\n".repeat(200_000);
    let report = timed("200k syntax errors", DEADLINE, move || {
        check_str("errors.conf", &text)
    });
    assert!(report.diagnostics.len() >= 200_000);
}

#[test]
fn unterminated_quote_at_the_start_of_a_large_file() {
    let text = format!("x = \"{}", "pass all\n".repeat(1 << 20));
    let report = timed("unterminated quote + 9 MB", DEADLINE, move || {
        check_str("quote.conf", &text)
    });
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.code == "unterminated-string"));
}

#[test]
fn backslash_continuations_join_a_huge_statement() {
    let text = format!("pass in {}on em0\n", "\\\n".repeat(1 << 20));
    let report = timed("1M continuation lines", DEADLINE, move || {
        check_str("cont.conf", &text)
    });
    touch_report(&report);
}

#[test]
fn exponential_macro_growth_is_bounded() {
    // m1 = $m0 $m0, m2 = $m1 $m1, ...: 2^60 bytes if unbounded.
    let mut text = String::from("m0 = \"10.0.0.1\"\n");
    for i in 1..=60 {
        text.push_str(&format!("m{i} = $m{p} $m{p}\n", p = i - 1));
    }
    text.push_str("pass from { $m60 }\n");
    let report = timed("macro doubling x60", DEADLINE, move || {
        check_str("laughs.conf", &text)
    });
    assert!(
        report.diagnostics.iter().any(|d| d.code == "too-long"),
        "expected too-long, got {:?}",
        codes(&report.diagnostics)
    );
}

#[test]
fn anchors_nested_through_includes_stay_bounded() {
    // Each file nests 60 inline anchors and includes the next file from
    // the innermost one: 60 anchors x 64 include levels.
    let report = timed("anchors x includes", DEADLINE, || {
        let mut loader = MemoryLoader::default();
        let nf: usize = std::env::var("NF")
            .map(|v| v.parse().unwrap())
            .unwrap_or(100);
        let na: usize = std::env::var("NA")
            .map(|v| v.parse().unwrap())
            .unwrap_or(60);
        for i in 1..=nf {
            let mut t = String::new();
            for k in 0..na {
                t.push_str(&format!("anchor a{k} {{\n"));
            }
            t.push_str(&format!("pass\ninclude \"f{}.conf\"\n", i + 1));
            t.push_str(&"}\n".repeat(na));
            loader = loader.with(&format!("f{i}.conf"), &t);
        }
        check_with(
            "f0.conf",
            "include \"f1.conf\"\n",
            &loader,
            &Options::default(),
        )
    });
    eprintln!("{:?}", codes(&report.diagnostics));
}
