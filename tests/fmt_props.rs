//! Property tests of the formatter: random valid rulesets (built from the
//! grammar's parts, with comments, blank lines, continuations and nested
//! anchors) format to text that resolves to the same ruleset, keeps every
//! comment, and formats to itself.

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

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => rule(),
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

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
