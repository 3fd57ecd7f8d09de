//! Property tests of the formatter: random valid rulesets (built from the
//! grammar's parts, with comments, blank lines, continuations, long lists,
//! list macros and nested anchors) format to text that resolves to the
//! same ruleset, keeps every comment, formats to itself, fits the width
//! (but for single tokens longer than it), and does not depend on how the
//! input was laid out.

use pfconf::fmt::{format_str, verify, FormatOptions};
use proptest::prelude::*;

fn one_of(v: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(v).prop_map(str::to_string)
}

fn list(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(items), 1..4).prop_map(|v| {
        if v.len() == 1 {
            v[0].to_string()
        } else {
            let sep = if v.len() % 2 == 0 { " " } else { ", " };
            format!("{{{}}}", v.join(sep))
        }
    })
}

fn rule() -> impl Strategy<Value = String> {
    (
        one_of(&["pass", "block", "block drop", "block return", "match"]),
        one_of(&["", " in", " out"]),
        one_of(&["", " log", " quick", " log quick"]),
        prop::option::of(list(&["em0", "em1", "$ext_if", "egress", "!lo0"])),
        one_of(&["", " inet", " inet6"]),
        prop::option::of(list(&["tcp", "udp"])),
        prop::option::of(list(&[
            "any",
            "10.0.0.0/8",
            "<bad>",
            "($ext_if)",
            "!192.168.1.1",
            "self",
        ])),
        prop::option::of(list(&["22", "www", "1024:2048", "> 1023", "$ports"])),
        one_of(&[
            "",
            " label \"x\"",
            " tag t1",
            " keep state",
            " no state",
            " flags S/SA",
            " set prio 3",
        ]),
    )
        .prop_map(|(a, d, lq, on, af, proto, to, port, opt)| {
            let mut s = format!("{a}{d}{lq}");
            if let Some(o) = on {
                s.push_str(&format!(" on {o}"));
            }
            // Families and addresses must agree for the rule to be valid.
            if !af.is_empty() && to.is_none() {
                s.push_str(&af);
            }
            let is_tcp_udp = proto.is_some();
            if let Some(p) = proto {
                s.push_str(&format!(" proto {p}"));
            }
            if let Some(t) = to {
                s.push_str(&format!(" to {t}"));
                if is_tcp_udp {
                    if let Some(p) = port {
                        s.push_str(&format!(" port {p}"));
                    }
                }
            }
            let pass = a == "pass";
            let keeps = opt.contains("state");
            let flags = opt.contains("flags");
            if (pass || !keeps) && (!flags || is_tcp_udp) {
                s.push_str(&opt);
            }
            s
        })
}

/// A list of many items, written with or without commas.
fn long_list(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(items), 2..16),
        any::<bool>(),
    )
        .prop_map(|(v, commas)| format!("{{ {} }}", v.join(if commas { ", " } else { " " })))
}

/// Rules with long lists and option groups: what the layout breaks inside.
fn long_rule() -> impl Strategy<Value = String> {
    (
        long_list(&[
            "192.0.2.1",
            "198.51.100.0/24",
            "203.0.113.77",
            "10.11.12.13",
            "<bad>",
            "! 10.0.0.0/8",
            "2001:db8::1",
        ]),
        long_list(&["ssh", "smtp", "domain", "www", "https", "1024:2048", "> 6000"]),
        prop::sample::select(&[
            "",
            " keep state (max 1000, max-src-conn 100, max-src-conn-rate 15/5, overload <bad> flush global)",
            " modulate state (max-src-states 10, source-track rule, tcp.established 600, no-sync)",
            " label \"a label of some length for the rule\"",
        ][..]),
        one_of(&["pass in", "pass out quick", "pass in log (all, to pflog1)"]),
    )
        .prop_map(|(hosts, ports, opt, head)| {
            format!("{head} on $ext_if proto tcp from {hosts} to any port {ports}{opt}")
        })
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => rule(),
        2 => long_rule(),
        1 => long_list(&["kerberos-sec", "vnc", "bootps", "netbios-ns", "1024:2048", "snmp"])
            .prop_map(|l| format!("badports = \"{}\"", l.replace(", ", ",  \t"))),
        1 => long_list(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"])
            .prop_map(|l| format!("table <private> const {l}")),
        1 => one_of(&[
            "table <bad> persist { 192.0.2.1, 198.51.100.0/24 }",
            "set skip on lo",
            "set block-policy return",
            "set timeout { tcp.first 30, tcp.opening 40 }",
            "antispoof quick for em0 inet",
            "table <empty> {}",
        ]),
    ]
}

fn decorate(s: String, kind: u8) -> String {
    match kind {
        0 => s,
        1 => format!("{s}   # trailing"),
        2 => format!("# about it\n{s}"),
        3 => format!("\n\n{s}"),
        4 => s.replacen(' ', " \\\n    ", 1),
        _ => s.replace(' ', "  "),
    }
}

fn ruleset() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((statement(), 0u8..6), 1..12),
        prop::collection::vec((rule(), 0u8..6), 0..4),
        any::<bool>(),
    )
        .prop_map(|(stmts, inner, anchored)| {
            let mut text = String::from("ext_if = \"em0\"\nports = \"{ 22 443 }\"\n");
            for (s, k) in stmts {
                text.push_str(&decorate(s, k));
                text.push('\n');
            }
            if anchored && !inner.is_empty() {
                text.push_str("anchor \"a\" in on em0 { # block\n");
                for (s, k) in inner {
                    text.push_str("  ");
                    text.push_str(&decorate(s, k % 3));
                    text.push('\n');
                }
                text.push_str("  anchor {\n    pass\n  }\n}\n");
            }
            text
        })
}

/// Lines past `width` that hold more than one token (comment lines
/// aside).
fn too_long(out: &str, width: usize) -> Vec<&str> {
    out.lines()
        .filter(|l| l.chars().count() > width && !l.trim_start().starts_with('#'))
        .filter(|l| {
            // One token: no blank outside quotes.
            let t = l.trim().trim_end_matches('\\').trim_end();
            let mut quoted = false;
            !t.chars().all(|c| {
                if c == '"' {
                    quoted = !quoted;
                }
                quoted || c != ' '
            })
        })
        .collect()
}

/// `text` laid out again: each blank between two tokens (outside quoted
/// strings and comments) replaced by other blanks or a line continuation,
/// which pfctl's lexer reads as one blank.
fn relayout(text: &str, seed: u64) -> String {
    let mut k = seed;
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.split_inclusive('\n') {
        let mut quote = false;
        let chars: Vec<char> = line.chars().collect();
        let lead = chars.iter().take_while(|c| **c == ' ').count();
        out.extend(&chars[..lead]);
        for (i, &c) in chars.iter().enumerate().skip(lead) {
            if c == '#' && !quote {
                out.extend(&chars[i..]);
                break;
            }
            if c == '"' && (i == 0 || chars[i - 1] != '\\') {
                quote = !quote;
            }
            if c == ' '
                && !quote
                && !matches!(chars.get(i + 1), None | Some('#' | '\\' | '\n' | ' '))
            {
                k = k.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                out.push_str(["  ", "\t", " \\\n\t ", " "][(k >> 33) as usize % 4]);
            } else {
                out.push(c);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn lines_fit_the_width(text in ruleset(), width in 40usize..120) {
        let opts = FormatOptions { width };
        let out = format_str("p.conf", &text, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let long = too_long(&out, width);
        prop_assert!(long.is_empty(), "past {}: {:?}\n---\n{}", width, long, out);
    }

    #[test]
    fn the_layout_of_the_input_does_not_matter(text in ruleset(), seed in any::<u64>()) {
        let opts = FormatOptions::default();
        let out = format_str("p.conf", &text, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let other = relayout(&text, seed);
        let again = format_str("p.conf", &other, &opts)
            .map_err(|e| TestCaseError::fail(format!("{e} for\n{other}")))?;
        prop_assert_eq!(again, out, "laid out as\n{}", other);
    }

    #[test]
    fn formatting_keeps_meaning_and_comments_and_is_idempotent(text in ruleset()) {
        let opts = FormatOptions::default();
        let out = match format_str("p.conf", &text, &opts) {
            Ok(o) => o,
            Err(e) => return Err(TestCaseError::fail(format!("{e} for\n{text}"))),
        };
        prop_assert!(verify("p.conf", &text, &out).is_ok(), "meaning or comments changed:\n{}\n---\n{}", text, out);
        let again = format_str("p.conf", &out, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(again, out);
    }

    #[test]
    fn narrow_widths_still_keep_meaning(text in ruleset(), width in 20usize..60) {
        let opts = FormatOptions { width };
        let out = format_str("p.conf", &text, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(verify("p.conf", &text, &out).is_ok(), "changed at width {}:\n{}\n---\n{}", width, text, out);
        let again = format_str("p.conf", &out, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(again, out);
    }
}
