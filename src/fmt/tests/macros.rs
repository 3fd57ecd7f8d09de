//! Macros: statements built from them, list macros' values, a list macro
//! in braces.

use super::{fmt, fmt_at, format_safely, FormatOptions};
use crate::fmt::tokens::normal_list;

/// The value pfctl gives the macro `name` in `text` (the resolver's).
fn value_of(text: &str, name: &str) -> String {
    let (resolved, _) = crate::fmt::verify::resolved_only("t.conf", text);
    resolved
        .macro_definitions
        .iter()
        .rev()
        .find(|m| m.name == name)
        .map(|m| m.value.clone())
        .unwrap_or_else(|| panic!("no macro {name} in\n{text}"))
}

#[test]
fn statements_built_from_macros_get_single_spaces() {
    let src = "logicmp = \"log\"\n\
               pass in  $logicmp inet proto icmp to   (self) icmp-type  3 code  2 max-pkt-rate 200/10\n\
               nat_rule = \"match out on\"\n\
               ext_if = \"em0\"\n\
               $nat_rule $ext_if from {10.0.0.1 10.0.0.2} to < bad > nat-to ( $ext_if )\n";
    assert_eq!(
        fmt(src),
        "logicmp = \"log\"\n\
         pass in $logicmp inet proto icmp to (self) icmp-type 3 code 2 \\\n    \
         max-pkt-rate 200/10\n\
         nat_rule = \"match out on\"\n\
         ext_if = \"em0\"\n\
         $nat_rule $ext_if from { 10.0.0.1, 10.0.0.2 } to <bad> nat-to ($ext_if)\n"
    );
}

#[test]
fn a_statement_built_from_macros_is_the_same_however_it_was_laid_out() {
    let head = "log_opt = \"log\"\n";
    let a =
        format!("{head}pass $log_opt inet proto icmp icmp-type {{ echoreq unreach }} keep state\n");
    let b = format!(
        "{head}pass\t$log_opt   inet \\\n   proto icmp icmp-type {{echoreq,unreach}} \\\n keep  state\n"
    );
    let c = format!(
        "{head}pass $log_opt inet proto icmp \\\n icmp-type {{ echoreq , unreach }}\tkeep state\n"
    );
    assert_eq!(fmt(&a), fmt(&b));
    assert_eq!(fmt(&a), fmt(&c));
    assert_eq!(
        fmt(&a),
        format!(
            "{head}pass $log_opt inet proto icmp icmp-type {{ echoreq, unreach }} keep state\n"
        )
    );
}

#[test]
fn lists_with_more_than_single_tokens_keep_their_commas() {
    // `3 code 0` is one item of two words: no comma is added inside it.
    let src = "l = \"log\"\npass $l inet proto icmp icmp-type { 3 code 0 11 }\n\
               pass $l inet proto icmp icmp-type { 3 code 0, 11 }\n";
    assert_eq!(
        fmt(src),
        "l = \"log\"\npass $l inet proto icmp icmp-type { 3 code 0 11 }\n\
         pass $l inet proto icmp icmp-type { 3 code 0, 11 }\n"
    );
}

#[test]
fn a_statement_that_swallowed_a_comment_or_an_anchor_body_is_kept_as_written() {
    let src = "l = \"log\"\npass $l  proto tcp to port { 22 # ssh\n  80 }\n";
    assert_eq!(fmt(src), src);
}

#[test]
fn a_list_macro_has_its_blanks_made_single_spaces() {
    // The blanks of a list macro mean nothing to pfctl's tokenizer once it
    // is expanded; a string quoted inside it is one token, kept byte for
    // byte. A newline inside quotes is dropped by pfctl's lexer, with or
    // without a backslash; the next line's blanks stay in the value.
    let src =
        "ports = \"{ 22,\t 80,   \\\n            443 }\"\nq = \"{ 'a  b', \\\"c\\td\\\" }\"\n\
               t = \"{ echoreq\n    unreach }\"\npass proto tcp to port $ports\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "ports = \"{ 22, 80, 443 }\"\nq = \"{ 'a  b', \\\"c\\td\\\" }\"\n\
         t = \"{ echoreq unreach }\"\npass proto tcp to port $ports\n"
    );
    assert_eq!(value_of(src, "ports"), "{ 22,\t 80,               443 }");
    assert_eq!(value_of(&out, "ports"), "{ 22, 80, 443 }");
}

#[test]
fn a_long_list_macro_is_filled_inside_its_quotes() {
    let src = "badports = \"{ kerberos-sec, vnc, bootps, bootpc, netbios-ns, epmap, netbios-dgm, netbios-ssn, snmp, snmp-trap, microsoft-ds, dhcpv6-client }\"\n\
               block in proto { tcp, udp } to port $badports\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "badports = \"{ kerberos-sec, vnc, bootps, bootpc, netbios-ns, epmap, \\\n    \
         netbios-dgm, netbios-ssn, snmp, snmp-trap, microsoft-ds, dhcpv6-client }\"\n\
         block in proto { tcp, udp } to port $badports\n"
    );
    // pfctl drops the backslash-newline inside the quotes and keeps the
    // blanks around it: the same tokens.
    let value = value_of(&out, "badports");
    assert!(value.contains("epmap,     netbios-dgm"), "{value:?}");
    assert_eq!(
        normal_list(&value).as_deref(),
        Some(&*value_of(src, "badports"))
    );
}

#[test]
fn other_quoted_values_are_kept_byte_for_byte() {
    // Not a list: its blanks may matter (a label, a string compared...).
    // One continued over several lines keeps the author's line breaks, the
    // blanks that start them being part of the value.
    let src = "a = \"x   y\"\nmyrule = \"pass in on em0 \\\n        proto tcp\"\n";
    assert_eq!(fmt(src), src);
    assert_eq!(value_of(src, "myrule"), "pass in on em0         proto tcp");
}

#[test]
fn macro_values_in_parts_are_broken_between_their_parts() {
    // pfctl joins the parts of a value with single spaces (`varstring`),
    // whatever separates them.
    let src =
        "long = \"first part of the value\" \"second part of the value\" \"third part of it\"\n";
    let out = fmt_at(src, 60);
    assert_eq!(
        out,
        "long = \"first part of the value\" \\\n    \
         \"second part of the value\" \"third part of it\"\n"
    );
    assert_eq!(value_of(&out, "long"), value_of(src, "long"));
}

#[test]
fn a_lone_list_macro_in_braces_formats_like_any_list() {
    // `{ $bad }` is written `$bad`, as `{ 10.0.0.1 }` is written
    // `10.0.0.1`: pfctl reads a list inside a host list as its hosts
    // (`host_list` of `ipspec` in parse.y), so both mean the same. The
    // safety net used to see a list in a list and keep the statement as
    // written, calling it a pfconf bug.
    let src = "bad = \"{ 10.0.0.1, 10.0.0.2 }\"\nblock in from { $bad } to { 10.0.0.3 }\n\
               table <t> { $bad, 10.0.0.9 }\n";
    let f = format_safely("t.conf", src, &FormatOptions::default()).unwrap();
    assert!(f.kept.is_empty(), "{:?}", f.kept);
    assert_eq!(
        f.text,
        "bad = \"{ 10.0.0.1, 10.0.0.2 }\"\nblock in from $bad to 10.0.0.3\n\
         table <t> { $bad, 10.0.0.9 }\n"
    );
}

#[test]
fn the_safety_net_still_sees_a_changed_list_macro() {
    // Blanks are canonical; anything else in the value is compared.
    assert!(crate::fmt::verify("t.conf", "p = \"{ 22,  80 }\"\n", "p = \"{ 22, 80 }\"\n").is_ok());
    assert!(crate::fmt::verify("t.conf", "p = \"{ 22,  80 }\"\n", "p = \"{ 22 80 }\"\n").is_err());
    assert!(crate::fmt::verify("t.conf", "p = \"{ 'a  b' }\"\n", "p = \"{ 'a b' }\"\n").is_err());
    // A value that is not a list keeps its blanks.
    assert!(crate::fmt::verify("t.conf", "p = \"a  b\"\n", "p = \"a b\"\n").is_err());
}

/// `format_str` (no safety net), checked by `verify` and for idempotence:
/// the fuzz target's oracle.
fn unchecked(src: &str) -> String {
    let opts = FormatOptions::default();
    let out = crate::fmt::format_str("t.conf", src, &opts).unwrap();
    crate::fmt::verify("t.conf", src, &out).unwrap_or_else(|e| panic!("{e}\n{out}"));
    assert_eq!(crate::fmt::format_str("t.conf", &out, &opts).unwrap(), out);
    out
}

#[test]
fn a_statement_built_from_macros_that_parses_once_respaced_is_printed_as_parsed() {
    // `< bad >` kept it from parsing; respaced, it parses, and formatting
    // the output again would print it as the parser reads it.
    assert_eq!(
        fmt("ext_if = \"em0\"\npass on $ext_if from < bad > to { 10.0.0.1 }\n"),
        "ext_if = \"em0\"\npass on $ext_if from <bad> to 10.0.0.1\n"
    );
}

#[test]
fn what_pfconf_reads_otherwise_than_pfctl_is_kept_as_written() {
    // A continuation inside a word glues its halves for pfctl, not for
    // pfconf's parser; a stray comma is a syntax error the formatter must
    // not mend; an unclosed brace swallows the lines after it, comments
    // included.
    for src in [
        "l = \"log\"\npass $l inet pr\\\noto tcp to port 22\n",
        "l = \"log\"\npass $l proto tcp to port { 22,, 80 }\n",
        "l = \"log\"\npass $l proto tcp to port { 22, 80, }\n",
        "l = \"log\"\npass $l from { to any\n# a comment inside\npass in proto { tcp } to any\n",
    ] {
        assert_eq!(unchecked(src), src, "{src}");
    }
}
