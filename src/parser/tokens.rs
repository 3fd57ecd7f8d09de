//! Grammar tokens from which the differential tests of the fast path
//! (`parser/fast/tests.rs`) and its fuzz target
//! (`fuzz/fuzz_targets/fast_path.rs`) build random statements: sequences of
//! them reach deep rules far more often than random bytes do. Not part of
//! the library's interface.

/// Tokens of the grammar: keywords, words, numbers, addresses, macros,
/// quotes, punctuation and blanks.
pub const TOKENS: &[&str] = &[
    "pass",
    "block",
    "match",
    "anchor",
    "table",
    "set",
    "include",
    "antispoof",
    "queue",
    "load",
    "in",
    "out",
    "log",
    "quick",
    "on",
    "inet",
    "inet6",
    "proto",
    "all",
    "from",
    "to",
    "any",
    "port",
    "no-route",
    "urpf-failed",
    "route",
    "self",
    "flags",
    "S/SA",
    "/",
    "icmp-type",
    "icmp6-type",
    "code",
    "keep",
    "modulate",
    "synproxy",
    "no",
    "state",
    "max",
    "max-src-conn-rate",
    "source-track",
    "rule",
    "global",
    "overload",
    "flush",
    "label",
    "tag",
    "tagged",
    "queue",
    "rtable",
    "probability",
    "prio",
    "tos",
    "user",
    "group",
    "delay",
    "nat-to",
    "rdr-to",
    "binat-to",
    "route-to",
    "reply-to",
    "dup-to",
    "af-to",
    "round-robin",
    "source-hash",
    "static-port",
    "sticky-address",
    "bitmask",
    "weight",
    "scrub",
    "no-df",
    "max-mss",
    "min-ttl",
    "random-id",
    "reassemble",
    "once",
    "fragment",
    "allow-opts",
    "received-on",
    "max-pkt-rate",
    "divert-to",
    "divert-reply",
    "divert-packet",
    "drop",
    "return",
    "return-rst",
    "return-icmp",
    "return-icmp6",
    "ttl",
    "rdomain",
    "skip",
    "const",
    "persist",
    "file",
    "timeout",
    "limit",
    "os",
    "for",
    "bandwidth",
    "parent",
    "default",
    "burst",
    "min",
    "limiter",
    "source",
    "id",
    "block-policy",
    "state-defaults",
    "syncookies",
    "tcp",
    "udp",
    "em0",
    "lo0",
    "egress",
    "em0:network",
    "10.0.0.1",
    "10.0.0.0",
    "10/8",
    "10",
    "8",
    "24",
    "-1",
    "-",
    "80",
    "1024:65535",
    "www",
    "::1",
    "fe80::",
    "$ext_if",
    "$lan",
    "$if:network",
    "$p",
    "$",
    "\"em0\"",
    "\"a b\"",
    "'x'",
    "\"\\\"\"",
    "\"",
    "{",
    "}",
    "(",
    ")",
    "<",
    ">",
    "<bad>",
    "!",
    "!=",
    "<=",
    ">=",
    "=",
    "<>",
    "><",
    ",",
    "\n",
    "\r\n",
    "\\\n",
    "\\",
    "#c\n",
    "# c",
    "\t",
    " ",
    "50%",
    "0x10",
    "S",
    "SA",
    "echoreq",
    "pflog0",
    "matches",
    "x",
    "é",
    "all,",
];

/// Joins tokens into a statement's text: each `(index, glue)` adds
/// `TOKENS[index % TOKENS.len()]`, after a space unless `glue` is set or
/// the token comes first.
pub fn statement(tokens: impl IntoIterator<Item = (usize, bool)>) -> String {
    let mut s = String::new();
    for (i, glue) in tokens {
        if !glue && !s.is_empty() {
            s.push(' ');
        }
        s.push_str(TOKENS[i % TOKENS.len()]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::TOKENS;
    use crate::parser::keywords::{is_reserved, FILTER_OPTIONS, UNRESERVED};

    /// Lower-case words among the tokens that are not keywords: names and
    /// values a rule takes.
    const VALUES: &[&str] = &[
        "self", "const", "persist", "tcp", "udp", "egress", "www", "echoreq",
    ];

    #[test]
    fn every_word_an_option_starts_with_is_a_token() {
        assert!(TOKENS.contains(&"set"));
        for spec in FILTER_OPTIONS {
            for w in spec.words.iter().chain(&spec.after_set) {
                assert!(TOKENS.contains(w), "{w} ({}) is not in TOKENS", spec.name);
            }
        }
    }

    #[test]
    fn every_word_suggested_is_a_keyword_or_a_listed_value() {
        // The words `keyword_like` picks its "did you mean" from.
        for t in TOKENS
            .iter()
            .filter(|t| t.len() >= 3 && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        {
            assert!(
                is_reserved(t) || UNRESERVED.contains(t) || VALUES.contains(t),
                "{t} is neither a keyword of parser::keywords nor in VALUES"
            );
        }
    }
}
