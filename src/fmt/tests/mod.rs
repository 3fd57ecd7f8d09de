//! Golden tests of the formatter: input, expected output, idempotence and
//! the safety net.

use super::*;

mod comments;
mod macros;
mod width;

/// Formats with the safety net at `width`, checking that nothing was kept
/// as written, that formatting again changes nothing, and that the output
/// on two threads is the same.
fn fmt_at(src: &str, width: usize) -> String {
    let opts = FormatOptions { width };
    let f = format_safely("t.conf", src, &opts)
        .unwrap_or_else(|e| panic!("format failed for {src:?}: {e}"));
    assert!(f.kept.is_empty(), "kept as written: {:?}\n{src}", f.kept);
    let again = format_checked("t.conf", &f.text, &opts).unwrap();
    assert_eq!(again, f.text, "not idempotent for {src:?}");
    let two = format_safely_on_two_threads("t.conf", src, &opts).unwrap();
    assert_eq!(two.text, f.text, "two threads, for {src:?}");
    f.text
}

fn fmt(src: &str) -> String {
    let out = format_checked("t.conf", src, &FormatOptions::default())
        .unwrap_or_else(|e| panic!("format failed for {src:?}: {e}"));
    let again = format_checked("t.conf", &out, &FormatOptions::default()).unwrap();
    assert_eq!(again, out, "not idempotent for {src:?}");
    // As it runs on large files: on two threads, the output in two halves.
    let two = format_safely_on_two_threads("t.conf", src, &FormatOptions::default()).unwrap();
    assert_eq!(two.text, out, "two threads, for {src:?}");
    out
}

#[test]
fn spacing_lists_and_quotes_become_canonical() {
    assert_eq!(
        fmt("ext_if=em0\npass   in  on $ext_if proto {tcp udp} from {10.0.0.1,10.0.0.2} to any port {22 80}\n"),
        "ext_if = \"em0\"\npass in on $ext_if proto { tcp, udp } from { 10.0.0.1, 10.0.0.2 } \\\n    to any port { 22, 80 }\n"
    );
}

#[test]
fn macro_values_are_double_quoted_and_refs_kept() {
    assert_eq!(
        fmt("a = 'x y'\nb = \"{\" $a \"z }\"\n"),
        "a = \"x y\"\nb = \"{\" $a \"z }\"\n"
    );
}

#[test]
fn comments_stay_where_they_are() {
    let src = "# head\n\n\n# about pass\npass # trailing\n\nblock all   \n# tail\n";
    assert_eq!(
        fmt(src),
        "# head\n\n# about pass\npass # trailing\n\nblock all\n# tail\n"
    );
}

#[test]
fn comments_inside_a_list_stay_beside_their_items() {
    let src = "table <t> { 10.0.0.1 # one\n  10.0.0.2 }   \npass\n";
    assert_eq!(
        fmt(src),
        "table <t> {\n    10.0.0.1 # one\n    10.0.0.2\n}\npass\n"
    );
}

#[test]
fn continuations_are_joined_when_short() {
    assert_eq!(
        fmt("pass in \\\n   proto tcp \\\n   to port 22\n"),
        "pass in proto tcp to port 22\n"
    );
}

#[test]
fn long_statements_break_at_options_and_inside_option_groups() {
    let src = "pass in on em0 proto tcp from 192.168.100.0/24 to 10.0.0.0/8 port 443 flags S/SA keep state (max-src-conn 100, max-src-conn-rate 15/5, overload <bad> flush global) label \"web\"\n";
    assert_eq!(
        fmt(src),
        "pass in on em0 proto tcp from 192.168.100.0/24 to 10.0.0.0/8 port 443 \\\n    \
         flags S/SA keep state (max-src-conn 100, max-src-conn-rate 15/5, \\\n        \
         overload <bad> flush global) \\\n    \
         label \"web\"\n"
    );
}

#[test]
fn anchors_are_indented_and_nested() {
    let src = "anchor \"ext\" in on em0 { # the external side\npass\n  anchor {\nblock all\n}\n}\n";
    assert_eq!(
        fmt(src),
        "anchor \"ext\" in on em0 { # the external side\n    pass\n    anchor {\n        block all\n    }\n}\n"
    );
}

#[test]
fn every_statement_kind_round_trips() {
    let src = "\
include \"/etc/pf.d/x.conf\"
table <t> persist counters file \"/etc/t\" { 10.0.0.0/8, !10.1.0.0/16, self }
set skip on { lo0, enc0 }
set timeout { tcp.first 10, tcp.opening 20 }
set limit states 10000
set block-policy return
set state-defaults pflow, no-sync
set syncookies adaptive (start 25%, end 12%)
set reassemble yes no-df
block return-icmp (port-unr, port-unr) in log (all, to pflog1) quick on ! em0 inet6 proto icmp6 all
match out on egress inet from 10/8 to any nat-to (egress:0) port 1024:65535 round-robin sticky-address
pass in on egress proto tcp to port www rdr-to { 10.0.0.2 weight 2, 10.0.0.3 } port 8080 least-states
pass in inet af-to inet6 from 2001:db8::1 to 2001:db8::2
pass out route-to 192.0.2.1 tag outbound ! tagged inbound set prio (1, 2) set queue (q, p) set delay 10
pass proto tcp from any os \"OpenBSD\" to any user { root, > 1000 } group wheel flags any received-on em0
pass divert-to 127.0.0.1 port 8080 scrub (no-df, max-mss 1440) max-pkt-rate 10/5 probability 50% once
anchor \"foo/bar\" in on em0
load anchor \"foo\" from \"/etc/foo\"
antispoof log quick for { em0, (em1) } inet label \"spoof\"
queue std parent root bandwidth 10M burst 20M for 100ms, min 5M, max 9M qlimit 50 default
state limiter \"dns\" id 1 limit 1000 rate 10/5
pass in state limiter \"dns\" (block)
";
    let out = fmt(src);
    let joined = out.replace(" \\\n    ", " ");
    assert_eq!(joined.lines().count(), src.lines().count(), "{out}");
    assert!(out.lines().all(|l| l.len() <= 80), "{out}");
}

#[test]
fn invalid_input_is_refused() {
    assert!(matches!(
        format_checked("t.conf", "pass quick in\n", &FormatOptions::default()),
        Err(FormatError::Invalid(_))
    ));
}

#[test]
fn the_safety_net_catches_a_change_of_meaning() {
    assert!(matches!(
        verify("t.conf", "pass in\n", "pass out\n"),
        Err(FormatError::Unsafe(_))
    ));
    assert!(matches!(
        verify("t.conf", "pass # hi\n", "pass\n"),
        Err(FormatError::Unsafe(_))
    ));
    assert!(verify("t.conf", "pass  in\n", "pass in\n").is_ok());
}

#[test]
fn blank_lines_collapse_and_the_file_ends_with_one_newline() {
    assert_eq!(fmt("\n\npass\n\n\n\nblock\n\n\n"), "pass\n\nblock\n");
    assert_eq!(fmt(""), "");
}

#[test]
fn long_lists_are_filled_with_as_many_items_per_line_as_fit() {
    // A list that ends the statement goes on one level deeper than the
    // statement's first line.
    let src = "table <rfc1918> const { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16, 198.18.0.0/15 }\n";
    assert_eq!(
        fmt(src),
        "table <rfc1918> const { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, \\\n    \
         100.64.0.0/10, 169.254.0.0/16, 198.18.0.0/15 }\n"
    );
    // Followed by more of the statement: two levels deep, the rest one.
    let src = "pass in on em0 proto tcp to port { ssh, smtp, domain, www, pop3, auth, https, pop3s, imaps, submission } keep state\n";
    assert_eq!(
        fmt(src),
        "pass in on em0 proto tcp to port { ssh, smtp, domain, www, pop3, auth, https, \\\n        \
         pop3s, imaps, submission } \\\n    \
         keep state\n"
    );
}

thread_local! {
    /// The start offset of a statement whose layout [`sabotage`] breaks.
    static SABOTAGE: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Test hook called by the printer: turns the sabotaged statement's
/// `pass` into `block`, standing in for a layout bug.
pub(super) fn sabotage(start: usize, mut pieces: Vec<String>) -> Vec<String> {
    if SABOTAGE.with(|s| s.get()) == Some(start) {
        if let Some(p) = pieces.iter_mut().find(|p| p.starts_with("pass")) {
            *p = p.replacen("pass", "block", 1);
        }
    }
    pieces
}

fn with_sabotage<T>(start: usize, f: impl FnOnce() -> T) -> T {
    SABOTAGE.with(|s| s.set(Some(start)));
    let r = f();
    SABOTAGE.with(|s| s.set(None));
    r
}

#[test]
fn a_statement_the_layout_would_change_is_kept_as_written() {
    let src = "ext = \"em0\"\npass   in on $ext   proto tcp\nblock   all\n";
    let start = src.find("pass").unwrap();
    let f = with_sabotage(start, || {
        format_safely("t.conf", src, &FormatOptions::default()).unwrap()
    });
    // The broken statement is kept as written; the others are formatted.
    assert_eq!(
        f.text,
        "ext = \"em0\"\npass   in on $ext   proto tcp\nblock all\n"
    );
    assert_eq!(f.kept.len(), 1);
    assert_eq!(f.kept[0].code, "fmt-kept");
    assert_eq!(f.kept[0].span.start(), start);
    assert!(f.kept[0].message.contains("kept as written"));
}

#[test]
fn a_statement_in_an_anchor_body_is_kept_alone() {
    let src = "anchor \"a\" {\n  pass  in  proto udp\n  pass   out\n}\n";
    let start = src.find("pass   out").unwrap();
    let f = with_sabotage(start, || {
        format_safely("t.conf", src, &FormatOptions::default()).unwrap()
    });
    assert_eq!(
        f.text,
        "anchor \"a\" {\n    pass in proto udp\n    pass   out\n}\n"
    );
    assert_eq!(f.kept.len(), 1);
}

#[test]
fn without_sabotage_nothing_is_kept() {
    let f = format_safely(
        "t.conf",
        "pass   in\nanchor {\n pass out\n}\n",
        &FormatOptions::default(),
    )
    .unwrap();
    assert!(f.kept.is_empty());
    assert_eq!(f.text, "pass in\nanchor {\n    pass out\n}\n");
}

/// A file over [`PARALLEL_FROM_BYTES`]: macros defined and redefined all
/// along, anchors with bodies, comments in every place, lines continued.
fn large_input() -> String {
    let mut s = String::from("# a large file\next = \"em0\"\n");
    let mut i = 0;
    while s.len() < PARALLEL_FROM_BYTES + 64 * 1024 {
        s.push_str(&format!(
            "m{i}   =   \"10.0.{}.0/24\"\n# before {i}\npass   in on $ext proto tcp \\\n  from $m{i} to any port {{ 22 80 }} # after {i}\n",
            i % 250
        ));
        if i % 97 == 0 {
            s.push_str(&format!(
                "ext = \"em{}\"\nanchor \"a{i}\" {{ # open\n pass  out on $ext\n # inside\n}}\n\n\n",
                i % 7
            ));
        }
        i += 1;
    }
    s
}

#[test]
fn large_files_are_verified_in_two_halves() {
    let src = large_input();
    assert!(src.len() >= PARALLEL_FROM_BYTES);
    let opts = FormatOptions::default();
    let f = format_safely("t.conf", &src, &opts).unwrap();
    assert!(f.kept.is_empty());
    // The same text as the unchecked formatter's.
    assert_eq!(f.text, format_str("t.conf", &src, &opts).unwrap());
    assert!(f
        .text
        .contains("m7 = \"10.0.7.0/24\"\n# before 7\npass in on $ext"));
    // A statement broken in either half is found and kept as written.
    for at in [src.len() / 5, src.len() * 4 / 5] {
        let start = at + src[at..].find("\npass").unwrap() + 1;
        let f = with_sabotage(start, || format_safely("t.conf", &src, &opts).unwrap());
        assert_eq!(f.kept.len(), 1, "at {at}");
        assert_eq!(f.kept[0].span.start(), start);
        let line = src[start..].lines().next().unwrap();
        assert!(f.text.contains(line), "{line}");
    }
}

#[test]
fn the_halves_add_up_to_the_whole() {
    let src = large_input();
    let (out, placed, diags) =
        print_while_parsing("t.conf", &src, &FormatOptions::default(), false);
    assert!(diags.is_empty());
    let input = digest("t.conf", &src);
    let whole = digest("t.conf", &out);
    assert!(input.agrees(&whole));
    let (at, defined) = cut_point(&out, &placed, &input).unwrap();
    assert!(at > out.len() / 3 && at < out.len() * 2 / 3);
    assert!(defined > 100 && defined < input.macros.len() - 100);
    // The halves are used (no fallback to one pass): the first half ends
    // cleanly and defines what the input defined before the cut.
    let first = digest("t.conf", &out[..at]);
    assert!(first.syntax.is_empty());
    assert_eq!(first.macros, input.macros[..defined]);
    let second = digest_after("t.conf", &out[at..], &input.macros[..defined]);
    assert_eq!(first.then(second, at), whole);
    assert_eq!(output_digest("t.conf", &out, &placed, &input, true), whole);

    // A cut where a statement does not start (inside a list spread over
    // lines, after a continued line): the halves would not add up, and the
    // output is read whole.
    let text = format!("{out}table <t> {{ 10.0.0.1\n 10.0.0.2 }}\nx = \"a\nb\"\npass \\\n in\n");
    let whole = digest("t.conf", &text);
    assert!(whole.syntax.is_empty(), "{:?}", whole.syntax);
    let line_at = |l: &str| out.len() + text[out.len()..].find(l).unwrap();
    for cut in [line_at(" 10.0.0.2"), line_at("b\""), line_at(" in")] {
        let bad = [Placed {
            start: cut,
            end: cut,
            input: Span::new(crate::span::FileId(0), src.len(), src.len()),
            top: true,
        }];
        assert_eq!(
            output_digest("t.conf", &text, &bad, &input, true),
            whole,
            "{cut}"
        );
    }

    // Macros the first half does not define as the input did (the second
    // half uses `$ext`): read whole.
    let other = digest("t.conf", &src.replace("ext = \"em", "ext = \"xm"));
    let whole = digest("t.conf", &out);
    assert_eq!(output_digest("t.conf", &out, &placed, &other, true), whole);
    assert!(!other.agrees(&whole));
}

/// The code block after `marker` in the README's "Formatting" section.
fn readme_block(readme: &str, marker: &str) -> String {
    let section = &readme[readme.find("## Formatting").expect("a Formatting section")..];
    let after = &section[section.find(marker).expect(marker)..];
    // The opening fence, whatever its language tag.
    let fence = after.find("```").expect("a code block");
    let start = fence + after[fence..].find('\n').expect("a fence line") + 1;
    let end = after[start..].find("```").expect("a closed code block");
    after[start..start + end].to_string()
}

#[test]
fn the_readme_example_is_what_fmt_writes() {
    let readme = include_str!("../../../README.md");
    let before = readme_block(readme, "Before:");
    let after = readme_block(readme, "After:");
    assert_eq!(fmt(&before), after);
}
