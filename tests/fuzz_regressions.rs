//! Regressions found by the cargo-fuzz targets of `fuzz/` (issue #8).
//!
//! Each helper replays an input through the code path of one fuzz target
//! and checks that target's oracle:
//!
//! * `fmt`: a formatted file means what the input means and keeps its
//!   comments (`fmt::verify`), and formatting it again changes nothing;
//! * `expand`: expanding a checked ruleset twice gives the same text;
//! * `lint`: the lints run without panicking;
//! * `eval`: the first line is a packet, the rest a ruleset; the outcome
//!   has a decision unless it is marked incomplete;
//! * `diff`: a ruleset has no drift from itself nor from its formatted
//!   version (check errors, reported per node, are not drift);
//! * `structured`: a generated ruleset, packets and a node: the ruleset
//!   passes `check`; for each packet a decision unless incomplete, the
//!   deciding rule among the matches, `Evaluator::decide` agreeing with
//!   `Evaluator::evaluate` (without and with the node); the lints run with
//!   and without the node; then the `fmt` and `diff` oracles.
//!
//! Tests marked `` expose a bug in the library and
//! will pass once it is fixed.

use pfconf::check_str;
use pfconf::diff::DifferenceKind;
use pfconf::eval::{evaluate, parse_packet};
use pfconf::expand::{expand, Interfaces};
use pfconf::fmt::{format_str, verify, FormatError, FormatOptions};
use pfconf::lint::{run, LintConfig};

const NAME: &str = "fuzz.conf";

/// The `fmt` target: `Ok(None)` when the input is not formatted (syntax
/// errors), `Ok(Some(out))` when every oracle holds.
fn fmt_oracle(text: &str) -> Result<Option<String>, String> {
    let opts = FormatOptions::default();
    let out = match format_str(NAME, text, &opts) {
        Ok(out) => out,
        Err(FormatError::Invalid(_)) => return Ok(None),
        Err(e) => return Err(format!("format_str: {e}")),
    };
    verify(NAME, text, &out).map_err(|e| format!("verify: {e}\n--- output\n{out}"))?;
    let again = format_str(NAME, &out, &opts)
        .map_err(|e| format!("output does not format: {e}\n--- output\n{out}"))?;
    if again != out {
        return Err(format!(
            "not idempotent\n--- first\n{out}\n--- second\n{again}"
        ));
    }
    Ok(Some(out))
}

/// The `expand` target: the expansion (None when the ruleset has errors).
fn expand_oracle(text: &str) -> Option<String> {
    let report = check_str(NAME, text);
    if !report.is_ok() {
        return None;
    }
    let ifs = Interfaces::regress();
    let first = expand(&report.resolved, &ifs).to_string();
    let second = expand(&report.resolved, &ifs).to_string();
    assert_eq!(first, second, "expand is not deterministic");
    Some(first)
}

/// The `lint` target: the lint diagnostics (None when the ruleset has
/// errors).
fn lint_oracle(text: &str) -> Option<usize> {
    let report = check_str(NAME, text);
    if !report.is_ok() {
        return None;
    }
    let diagnostics = run(&report, &LintConfig::default());
    for d in &diagnostics {
        let _ = report.sources.location(d.span);
        let _ = report.sources.slice(d.span);
    }
    Some(diagnostics.len())
}

/// The `eval` target: the verdicts (None when the packet or the ruleset
/// is invalid).
fn eval_oracle(input: &str) -> Option<Vec<&'static str>> {
    let (line, rules) = input.split_once('\n').unwrap_or((input, ""));
    let packet = parse_packet(line).ok()?;
    let report = check_str(NAME, rules);
    if !report.is_ok() {
        return None;
    }
    let outcome = evaluate(&report.resolved, &packet);
    assert!(
        outcome.incomplete || !outcome.decisions.is_empty(),
        "no decision for packet {line:?}"
    );
    Some(outcome.verdicts().into_iter().map(|v| v.as_str()).collect())
}

/// The `diff` target: the number of rule differences of the text with
/// itself and with its formatting (both must be 0).
fn diff_oracle(text: &str) -> Result<(), String> {
    use pfconf::diff::compare_rulesets;
    let loader = pfconf::MemoryLoader::default();
    let drift = |other: &str| -> Vec<String> {
        compare_rulesets(("a.conf", text), ("b.conf", other), &loader, &loader, &[])
            .differences
            .into_iter()
            .filter(|d| d.kind != DifferenceKind::Error)
            .map(|d| format!("{}: {}", d.kind, d.message))
            .collect()
    };
    let d = drift(text);
    if !d.is_empty() {
        return Err(format!("drift from itself: {d:?}"));
    }
    if let Ok(out) = format_str(NAME, text, &FormatOptions::default()) {
        let d = drift(&out);
        if !d.is_empty() {
            return Err(format!("formatting is drift: {d:?}\n--- output\n{out}"));
        }
    }
    Ok(())
}

/// Small rulesets from the seed corpus (pfctl's regression inputs and
/// public rulesets) that exercise macros, lists, anchors, tables, NAT and
/// comments in awkward places.
const SEEDS: &[&str] = &[
    "ext_if = \"em0\"\nblock all\npass out on $ext_if proto tcp to port 443\n",
    "ext_if  = em0\npass   in on $ext_if proto {tcp udp} to port {22 443}   # public services\nanchor \"lan\" {\npass on em1\n}\n",
    "table <bad> persist { 10.0.0.0/8, !10.1.0.0/16 }\nblock in quick from <bad>\npass in on lo0 proto tcp to port { 22, 80:90 } keep state\n",
    "set skip on lo\nmatch out on egress inet nat-to (egress)\nblock return log\npass in inet6 to 64:ff9b::/96 af-to inet from (egress)\n",
    "# leading comment\n\n\npass in inet proto icmp icmp-type echoreq # trailing\nanchor \"a\" { # open\n    block quick from any to ! 10.0.0.0/8\n}\n",
    "pass in on lo0 proto tcp from 10.0.0.1 to 10.0.0.2 port 22 \\\n    flags S/SA modulate state (max 100, source-track rule)\n",
];

#[test]
fn seeds_pass_every_oracle() {
    let packets = [
        "in on lo0 proto tcp from 10.0.0.1 to 10.0.0.2 port 22",
        "out on em0 proto udp from 192.168.1.5 to 8.8.8.8 port 53",
        "in proto icmp from 10.1.1.1 to 10.2.2.2",
    ];
    for seed in SEEDS {
        let out = fmt_oracle(seed).unwrap_or_else(|e| panic!("{e}\n--- input\n{seed}"));
        assert!(out.is_some(), "seed does not format:\n{seed}");
        assert!(expand_oracle(seed).is_some(), "seed has errors:\n{seed}");
        assert!(lint_oracle(seed).is_some());
        diff_oracle(seed).unwrap_or_else(|e| panic!("{e}\n--- input\n{seed}"));
        for p in packets {
            let input = format!("{p}\n{seed}");
            assert!(eval_oracle(&input).is_some(), "not evaluated:\n{input}");
        }
    }
}

/// fmt: a statement kept as written (its shape depends on a macro, so it
/// is `Unparsed`) with an unclosed `{` loses the comment after the brace:
/// the splitter records `# c` as an inner comment lying after the
/// statement's span, and the verbatim path prints neither.
#[test]

fn fmt_keeps_comment_in_unclosed_brace_with_macro() {
    for input in ["pass on { $x # c", "{$#", "x = \"em0\"\n{ $x # c\n"] {
        if let Err(e) = fmt_oracle(input) {
            panic!("{e}\n--- input\n{input}");
        }
    }
}

/// fmt: an unquoted macro value containing `$` (`w = e$b`) is rewritten as
/// a quoted string (`w = "e$b"`). The resolver expands `$b` in unquoted
/// text but not inside quotes, so `$w` goes from `em0` to `e$b`: a
/// ruleset `check` accepts changes meaning.
#[test]

fn fmt_keeps_macro_reference_in_unquoted_macro_value() {
    let input = "b = \"m0\"\nw = e$b\npass on $w\n";
    assert!(check_str(NAME, input).is_ok());
    if let Err(e) = fmt_oracle(input) {
        panic!("{e}\n--- input\n{input}");
    }
}

/// diff: a ruleset that `check` rejects (`divert-reply` on an inbound
/// rule) gives an `error` difference for each node; the first version of
/// the oracle counted them as drift. Errors are reported, drift is not.
#[test]
fn diff_of_an_invalid_ruleset_reports_errors_not_drift() {
    let input = "pass in divert-reply";
    diff_oracle(input).unwrap_or_else(|e| panic!("{e}\n--- input\n{input}"));
    let loader = pfconf::MemoryLoader::default();
    let p =
        pfconf::diff::compare_rulesets(("a.conf", input), ("b.conf", input), &loader, &loader, &[]);
    let kinds: Vec<&str> = p.differences.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(kinds, ["error", "error"]);
}

/// fmt: a macro definition named by a reference (`$intf = "lo0"`) has an
/// empty name in the AST and was printed `"" = "lo0"`, which defines a
/// different macro. It is now kept as written.
#[test]
fn fmt_keeps_a_macro_definition_named_by_a_reference() {
    for input in [
        "$intf = \"lo0\"\npass out on $intf inet proto tcp to any port 22\n",
        "\"\" = \"lo0\"\npass\n",
    ] {
        match fmt_oracle(input) {
            Ok(Some(out)) => assert_eq!(out.lines().next(), input.lines().next(), "{out}"),
            Ok(None) => {}
            Err(e) => panic!("{e}\n--- input\n{input}"),
        }
    }
}

/// fmt: `\'` inside a double-quoted string lost its backslash on every
/// pass (not idempotent). pfctl only unescapes the string's own quote
/// character and blanks; before the other quote a backslash is a plain
/// character, and the parser now reads it that way.
#[test]
fn fmt_is_idempotent_on_a_backslash_before_the_other_quote() {
    for input in [
        "pass label \"a\\'b\"\n",
        "pass label \"a\\\\\\\\'b\"\n",
        "pass label 'a\\'b'\n",
        "include \"inc/x\\\\\\'y.conf\"\n",
    ] {
        if let Err(e) = fmt_oracle(input) {
            panic!("{e}\n--- input\n{input}");
        }
    }
    let report = check_str(NAME, "pass label \"a\\'b\"\npass label 'c\\'d'\n");
    let labels: Vec<String> = report
        .resolved
        .ruleset
        .statements
        .iter()
        .filter_map(|s| match &s.kind {
            pfconf::ast::StatementKind::Rule(r) => r.options.iter().find_map(|o| match &o.node {
                pfconf::ast::FilterOpt::Label { value } => Some(value.node.text().to_string()),
                _ => None,
            }),
            _ => None,
        })
        .collect();
    assert_eq!(labels, ["a\\'b", "c'd"]);
}

/// fmt: `binat="x"` (a macro named like an old keyword, no blank before
/// `=`) was formatted `binat = "x"`, which the legacy-syntax check then
/// rejected. A statement whose second word starts with `=` is a macro
/// definition, never legacy syntax.
#[test]
fn a_macro_named_like_an_old_keyword_is_not_legacy() {
    for input in [
        "binat=\"pass\"\npass\n",
        "nat = \"em0\"\npass out on $nat\n",
        "rdr =\"x\"\n",
    ] {
        assert!(check_str(NAME, input).is_ok(), "{input}");
        if let Err(e) = fmt_oracle(input) {
            panic!("{e}\n--- input\n{input}");
        }
    }
    assert!(!check_str(NAME, "nat on em0 from any to any -> (em0)\n").is_ok());
}

/// fmt: `20!0::1` in a host list parses (`20` glued to `!` is a word) but
/// was printed `20, ! 0::1`, where the bare number is not a host; the
/// safety net refused the file. A statement whose layout does not parse
/// on its own is now kept as written.
#[test]
fn fmt_keeps_a_statement_whose_layout_would_not_parse() {
    let input = "pass in from any to { 127.0.0.1, 20!0::1 }\n";
    match fmt_oracle(input) {
        Ok(Some(out)) => assert_eq!(out, input),
        Ok(None) => panic!("input rejected"),
        Err(e) => panic!("{e}\n--- input\n{input}"),
    }
}

/// The same statement through the safety net, which prints without the
/// per-statement parse check: the output's syntax error is traced back to
/// the statement, which is kept as written (and reported).
#[test]
fn the_safety_net_keeps_a_statement_whose_layout_would_not_parse() {
    let input = "pass in from any to { 127.0.0.1, 20!0::1 }\npass   out\n";
    let f = pfconf::fmt::format_safely(NAME, input, &FormatOptions::default()).unwrap();
    assert_eq!(
        f.text,
        "pass in from any to { 127.0.0.1, 20!0::1 }\npass out\n"
    );
    assert_eq!(f.kept.len(), 1);
    assert_eq!(f.kept[0].span.start(), 0);
}

/// fmt (found by the safety-net oracle on a repeated input): a comment
/// ending in a backslash swallows the next line, here a blank one. Its
/// trailing blanks were trimmed with that line, so once formatted the
/// comment swallowed the line after instead, and a second pass merged two
/// comments ("a comment would be lost or changed"). The swallowed line is
/// kept, empty.
#[test]
fn fmt_keeps_the_line_a_continued_comment_swallows() {
    let input = "# a \\\n  \n\n# b \\\n \npass\n";
    let out = fmt_oracle(input).unwrap().unwrap();
    assert_eq!(out, "# a \\\n\n\n# b \\\n\npass\n");
    let safe = pfconf::fmt::format_safely(NAME, input, &FormatOptions::default()).unwrap();
    assert_eq!(safe.text, out);
    let again = pfconf::fmt::format_safely(NAME, &out, &FormatOptions::default()).unwrap();
    assert_eq!(again.text, out);
}

/// fmt (found by the fmt fuzz target): a statement kept as written (its
/// macros hide a syntax error: pfctl reads a vertical tab as part of a
/// word) lost its leading vertical tabs, which Rust's `trim` takes for
/// white space; once formatted it parsed, and the next pass laid it out.
/// Only spaces and tabs (and a CRLF's `\r`) are trimmed now.
#[test]
fn fmt_trims_only_the_blanks_pfctl_skips() {
    let input = "\u{b}\u{b}block in proto udp from $inside port { 5\nse}\n";
    assert_eq!(fmt_oracle(input).unwrap().unwrap(), input);
}

/// fmt: a backslash followed by blanks does not continue the line, but
/// trimming the blanks would make it do so (and swallow the next line).
/// One blank is kept after such a backslash, in comments and in
/// statements kept as written.
#[test]
fn fmt_keeps_a_blank_after_a_final_backslash() {
    for (input, expected) in [
        ("# c \\   \npass\n", "# c \\ \npass\n"),
        ("pass # c \\  \nblock\n", "pass # c \\ \nblock\n"),
        ("# a \\\n b \\ \npass\n", "# a \\\n b \\ \npass\n"),
    ] {
        assert_eq!(fmt_oracle(input).unwrap().unwrap(), expected);
        let safe = pfconf::fmt::format_safely(NAME, input, &FormatOptions::default()).unwrap();
        assert_eq!(safe.text, expected);
        assert!(safe.kept.is_empty());
    }
}

/// fmt (found by the fmt fuzz target): a statement ending in a lone
/// backslash at the end of the file got the final newline, which made the
/// backslash join the next line: one backslash fewer on each pass. For
/// pfctl such a backslash is nothing (its lexer reads the end of the
/// file), and the splitter now leaves it out of the statement; `\\` is
/// one escaped backslash and stays.
#[test]
fn fmt_keeps_a_backslash_at_the_end_of_the_file_from_joining() {
    let input = "x = \"lo0\"\npass out on $y inet proto\\\\\\";
    let out = fmt_oracle(input).unwrap().unwrap();
    assert_eq!(out, "x = \"lo0\"\npass out on $y inet proto\\\\\n");
}

/// fmt (found by the fmt fuzz target): a comment continued by a backslash
/// before `\r\n` lost its `\r` and then got a blank after the backslash,
/// which ended the comment. The blank is kept only where one followed the
/// backslash; comments are compared without trailing blanks per line.
#[test]
fn fmt_keeps_a_crlf_continuation_of_a_comment() {
    for (input, expected) in [
        ("pass # c \\\r\nblock\r\n", "pass # c \\\nblock\n"),
        ("pass # c \\\r\n", "pass # c \\\n"),
        ("# c \\\r\n\r\npass\r\n", "# c \\\n\npass\n"),
    ] {
        assert_eq!(fmt_oracle(input).unwrap().unwrap(), expected, "{input:?}");
    }
}

/// Quoted strings as pfctl reads them (parse.y 1.719 yylex): a backslash
/// escapes the string's own quote, a space or a tab, so `\ ` is a blank;
/// before anything else it stays, and `\\"` is a backslash and an escaped
/// quote. Formatting writes the values so that they read back the same.
#[test]
fn fmt_writes_back_backslashes_in_quoted_strings() {
    for (input, expected) in [
        ("x = \"a\\ b\"\n", "x = \"a b\"\n"),
        ("x = 'it\"s \\ ok'\n", "x = \"it\\\"s  ok\"\n"),
        ("x = \"a\\\\ b\"\n", "x = \"a\\\\ b\"\n"),
        ("x = \"a\\\\\" b\"\n", "x = \"a\\\\\" b\"\n"),
        ("pass label 'a\\\"b'\n", "pass label \"a\\\\\"b\"\n"),
    ] {
        let out = fmt_oracle(input).unwrap();
        assert_eq!(out.as_deref(), Some(expected), "{input:?}");
    }
}

/// The `structured` target: every oracle on a ruleset that passes
/// `check`, its packets and (`node`: `hostname.if` files) its node.
fn structured_oracle(text: &str, packets: &[&str], node: &[(&str, &str)]) {
    use pfconf::eval::Evaluator;
    let report = check_str(NAME, text);
    assert!(
        report.is_ok(),
        "{:?}\n--- input\n{text}",
        report.diagnostics
    );
    let node = (!node.is_empty()).then(|| pfconf::node::Node::from_files(node.iter().copied()));
    let plain = Evaluator::new(&report.resolved, None);
    let on_node = node
        .as_ref()
        .map(|n| Evaluator::with_node(&report.resolved, n));
    for line in packets {
        let packet = parse_packet(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        for ev in std::iter::once(&plain).chain(on_node.as_ref()) {
            let full = ev.evaluate(&packet);
            assert!(full.incomplete || !full.decisions.is_empty(), "{line}");
            for d in &full.decisions {
                if let Some(rule) = d.rule {
                    assert!(
                        d.matches.contains(&rule),
                        "{line}: deciding rule not matched"
                    );
                }
            }
            if let Err(why) = full.same_answer(&ev.decide(&packet)) {
                panic!("{line}: {why}");
            }
        }
    }
    lint_oracle(text).expect("checked");
    if let Some(node) = node {
        let config = LintConfig {
            node: Some(node),
            ..LintConfig::default()
        };
        let _ = run(&report, &config);
    }
    fmt_oracle(text).unwrap_or_else(|e| panic!("{e}\n--- input\n{text}"));
    diff_oracle(text).unwrap_or_else(|e| panic!("{e}\n--- input\n{text}"));
}

/// What the `structured` target's generator writes: macros used as
/// interfaces, addresses and ports, tables, inline anchors with filters,
/// translations, CARP and pfsync passes, on a node with a CARP pair and
/// pfsync. Every oracle holds.
#[test]
fn a_generated_ruleset_passes_the_structured_oracles() {
    let text = "\
if0 = \"{ em0 em1 }\"
net0 = \"{ 10.0.0.5, 192.0.2.0/24 }\"
ports0 = \"{ 22 443 }\"
table <t0> persist counters { 10.0.0.0/24, !10.0.0.5 }
table <t1> const { 2001:db8::1 }
set skip on { lo0 pfsync0 }
set block-policy return
block return log
pass quick on em2 proto pfsync
pass on em0 proto carp
match out on egress inet from 10.0.0.0/24 nat-to (em0)
pass in on em0 inet proto tcp from ! <t0> to 192.0.2.10 port 443 flags S/SA keep state (max-src-conn 10, source-track rule) rdr-to 10.0.0.10 port 8443
pass out on $if0 proto { tcp udp } from $net0 port != 53 to any port $ports0 tag t0 label \"out-1\"
block in log quick on ! em1 inet6 proto tcp from <t1> to self port 1024:65535 \\
    tagged t0
anchor \"a1\" in on egress proto udp to port 53 {
    pass quick proto udp from any port 1000 >< 2000 probability 50%
    anchor out {
        block drop from no-route
    }
}
anchor \"ext0\" out on em1
antispoof quick for em1 inet
pass in on em1 inet6 from 2001:db8::/64 to 64:ff9b::/96 af-to inet from 198.51.100.1
# ---- HA ----
";
    let packets = [
        "in on em0 proto tcp from 203.0.113.7 port 40000 to 192.0.2.10 port 443",
        "out on em1 proto udp from 10.0.0.5 port 1234 to 198.51.100.2 port 22",
        "in on em1 inet6 proto tcp from 2001:db8::1 to 2001:db8::2 port 2000 tagged t0",
        "in on em2 proto pfsync from 192.0.2.2 to 224.0.0.240",
        "in on carp0 proto carp from 192.0.2.2 to 224.0.0.18",
        "out on em0 proto udp from 10.0.0.1 port 1500 to 192.0.2.53 port 53",
    ];
    let node = [
        ("hostname.em0", "inet 192.0.2.2 255.255.255.0\ngroup wan\nup\n"),
        ("hostname.em1", "inet 10.0.0.2 255.255.255.0\ninet6 2001:db8::2 64\ngroup lan\nup\n"),
        ("hostname.em2", "inet 198.51.100.2 255.255.255.0\nup\n"),
        (
            "hostname.carp0",
            "inet 192.0.2.1 255.255.255.0 NONE vhid 1 pass s3cret advskew 100 carpdev em0 carppeer 192.0.2.3\n",
        ),
        ("hostname.pfsync0", "syncdev em2\nsyncpeer 198.51.100.3\ndefer\nup\n"),
        ("mygate", "192.0.2.254\n"),
    ];
    structured_oracle(text, &packets, &node);
}

/// eval (found by the `structured` target as a timeout): a packet whose
/// protocol is not known maybe matches each `match out log proto carp`;
/// each such rule forks the possibilities (64 at most are followed), and
/// each fork copied its list of matches, and every possibility was
/// compared with every other, lists included, on every rule: a ruleset
/// of 1,900 such rules took 5 s with `evaluate` (0.08 s with `decide`),
/// now 0.12 s (release builds). The forks now share their lists. Match
/// rules never decide: whatever the protocol, `block all` does.
#[test]
fn many_rules_that_maybe_match_are_evaluated_in_time() {
    use pfconf::eval::{Evaluator, Verdict};
    let mut text = String::from("block all\n");
    for _ in 0..1500 {
        text.push_str("match out log proto carp\n");
    }
    let report = check_str(NAME, &text);
    assert!(report.is_ok());
    let ev = Evaluator::new(&report.resolved, None);
    let packet = parse_packet("out from 203.0.113.1 to 192.0.2.1").unwrap();
    let start = std::time::Instant::now();
    let full = ev.evaluate(&packet);
    let took = start.elapsed();
    // 16 s before, under 1 s after in a debug build.
    assert!(
        took < std::time::Duration::from_secs(8),
        "evaluate took {took:?}"
    );
    assert!(full.incomplete, "more than 64 possibilities");
    assert_eq!(full.verdicts(), [Verdict::Block]);
    assert_eq!(full.decisions.len(), 64);
    assert!(full
        .decisions
        .iter()
        .all(|d| d.rule.is_some_and(|r| d.matches.first() == Some(&r))));
    assert_eq!(ev.decide(&packet).verdicts(), [Verdict::Block]);
    // A packet that says its protocol matches every rule, surely.
    let carp = parse_packet("out proto carp from 203.0.113.1 to 192.0.2.1").unwrap();
    let d = ev.evaluate(&carp);
    let d = d.certain().expect("certain");
    assert_eq!(
        (d.verdict, d.matches.len(), d.log),
        (Verdict::Block, 1501, true)
    );
}
