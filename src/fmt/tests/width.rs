//! The width: every line fits, counting its ` \`; breaks are continuations
//! pfctl's lexer drops; lists and option groups are filled after commas.

use super::fmt_at;

/// Lines longer than `width` that hold more than one token.
fn too_long(out: &str, width: usize) -> Vec<String> {
    out.lines()
        .filter(|l| l.chars().count() > width && !l.trim_start().starts_with('#'))
        .filter(|l| {
            let t = l.trim().trim_end_matches('\\').trim_end();
            t.contains(' ')
        })
        .map(str::to_string)
        .collect()
}

/// The statement as pfctl's lexer reads it: backslash-newlines dropped,
/// blanks made single spaces (outside quotes there are none in these
/// tests).
fn joined(out: &str) -> String {
    out.replace("\\\n", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const LONG: &str = "\
pass in log (all, to pflog1) quick on { em0, em1, em2 } inet proto { tcp, udp } from { 192.0.2.1, 192.0.2.2, 192.0.2.3, 198.51.100.0/24 } port { 1024:2048, 3000:4000 } to { 203.0.113.10, 203.0.113.11 } port { ssh, smtp, domain, www, pop3, auth, https, pop3s, imaps, submission } flags S/SA modulate state (max 1000, max-src-states 10, max-src-conn 100, max-src-conn-rate 15/5, overload <bad> flush global, source-track rule, tcp.established 600) label \"a long label for a long rule\" tag incoming rtable 0
table <rfc1918> const { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16, 198.18.0.0/15, 192.0.0.0/24 }
set skip on { lo0, enc0, pflog0, pfsync0, vether0, wg0, wg1, wg2, tun0, tun1, tun2, tun3 }
set timeout { tcp.first 120, tcp.opening 30, tcp.established 86400, tcp.closing 900, tcp.finwait 45, tcp.closed 90 }
match out on egress inet from ! (egress:network) to any nat-to (egress:0) port 1024:65535 static-port
pass in on egress proto tcp to port 443 rdr-to { 10.0.0.2 weight 2, 10.0.0.3 weight 1, 10.0.0.4 weight 1, 10.0.0.5 } port 8443 least-states sticky-address
ports = \"{ kerberos-sec, vnc, bootps, bootpc, netbios-ns, epmap, netbios-dgm, netbios-ssn, snmp, snmp-trap, microsoft-ds }\"
anchor \"outer\" in on egress from { 192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5 } {
  pass in proto tcp to port { ssh, smtp, domain, www, pop3, auth, https, pop3s, imaps, submission } keep state
}
";

#[test]
fn no_line_runs_past_the_width_counting_its_continuation() {
    for width in [40, 50, 60, 72, 80, 100, 120] {
        let out = fmt_at(LONG, width);
        assert!(
            too_long(&out, width).is_empty(),
            "width {width}:\n{}\n---\n{out}",
            too_long(&out, width).join("\n")
        );
    }
}

#[test]
fn the_last_line_may_use_the_full_width() {
    // 80 columns exactly: one line (a line that went on would need ` \`).
    let src =
        "pass in on em0 proto tcp from 192.0.2.1 to 198.51.100.2 port 8080 label \"abcdef\"\n";
    assert_eq!(src.len() - 1, 80);
    assert_eq!(fmt_at(src, 80), src);
    // One column more: broken before the last piece.
    let src =
        "pass in on em0 proto tcp from 192.0.2.1 to 198.51.100.2 port 8080 label \"abcdefg\"\n";
    assert_eq!(
        fmt_at(src, 80),
        "pass in on em0 proto tcp from 192.0.2.1 to 198.51.100.2 port 8080 \\\n    \
         label \"abcdefg\"\n"
    );
    // A piece that fits only if nothing follows it on its line: the line
    // before the last piece reserves two columns for ` \`.
    let src =
        "pass in on em0 proto tcp from 192.0.2.1 to 198.51.100.2 port 8080 tag abcdefghi label x\n";
    let out = fmt_at(src, 80);
    assert!(out.lines().all(|l| l.len() <= 80), "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn option_groups_break_inside_their_parentheses_with_continuations() {
    // pfctl's grammar has no `optnl` inside `( )` (state_opt_spec, parse.y):
    // a break there must be a backslash-newline. The group starts on the
    // line where its first part fits; its items go on one level deeper
    // than the statement's continuation lines.
    let src = "pass in on em0 proto tcp to port 22 keep state (max 1000, max-src-states 10, max-src-conn 100, max-src-conn-rate 15/5, overload <bad> flush global) label \"ssh\"\n";
    let out = fmt_at(src, 80);
    assert_eq!(
        out,
        "pass in on em0 proto tcp to port 22 keep state (max 1000, max-src-states 10, \\\n        \
         max-src-conn 100, max-src-conn-rate 15/5, overload <bad> flush global) \\\n    \
         label \"ssh\"\n"
    );
    assert_eq!(joined(&out), joined(src));
    // The group ends the statement on its first line: its items go on one
    // level deeper than that line.
    let src = "pass in on em0 proto tcp to port 22 keep state (max 1000, max-src-states 10, max-src-conn 100, max-src-conn-rate 15/5, overload <bad> flush global)\n";
    assert_eq!(
        fmt_at(src, 80),
        "pass in on em0 proto tcp to port 22 keep state (max 1000, max-src-states 10, \\\n    \
         max-src-conn 100, max-src-conn-rate 15/5, overload <bad> flush global)\n"
    );
}

#[test]
fn lists_are_filled_after_commas_and_never_end_a_line_without_a_backslash() {
    let out = fmt_at(LONG, 80);
    for line in out.lines() {
        // A newline after a comma is a syntax error for pfctl (`comma` is
        // not followed by `optnl` in parse.y): only a continuation may
        // follow one.
        assert!(!line.trim_end().ends_with(','), "{line}\n---\n{out}");
    }
    // As many items on a line as fit: no line of a filled list could take
    // the next item.
    let lines: Vec<&str> = out.lines().collect();
    for w in lines.windows(2) {
        if let (Some(cur), true) = (w[0].strip_suffix(", \\"), w[1].starts_with("        ")) {
            let next = w[1].trim_start().split(", ").next().unwrap_or("");
            assert!(
                cur.len() + 2 + next.len() + 3 > 80,
                "{next:?} would fit after {cur:?}\n---\n{out}"
            );
        }
    }
    assert_eq!(joined(&out), joined(LONG));
}

#[test]
fn a_list_ending_the_statement_goes_on_one_level_deeper_than_its_first_line() {
    assert_eq!(
        fmt_at(
            "set skip on { lo0, enc0, pflog0, pfsync0, vether0, wg0, wg1, wg2, tun0, tun1, tun2, tun3 }\n",
            80
        ),
        "set skip on { lo0, enc0, pflog0, pfsync0, vether0, wg0, wg1, wg2, tun0, tun1, \\\n    \
         tun2, tun3 }\n"
    );
    // In an anchor body: one level deeper than the statement's own
    // indentation.
    assert_eq!(
        fmt_at(
            "anchor \"a\" {\ntable <t> { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, 169.254.0.0/16 }\n}\n",
            80
        ),
        "anchor \"a\" {\n    \
         table <t> { 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, \\\n        \
         169.254.0.0/16 }\n}\n"
    );
}

#[test]
fn a_list_without_commas_is_filled_at_its_blanks() {
    // pfctl's `comma` is optional; the printer adds commas to the lists it
    // parses, the token printer to lists of single tokens. In a list macro
    // the commas are the author's.
    let src =
        "icmp6 = \"{ 130 131 132 133 134 135 136 137 141 142 143 148 149 151 152 153 128 129 }\"\n";
    assert_eq!(
        fmt_at(src, 60),
        "icmp6 = \"{ 130 131 132 133 134 135 136 137 141 142 143 148 \\\n    \
         149 151 152 153 128 129 }\"\n"
    );
}

#[test]
fn an_anchor_header_never_puts_its_brace_on_a_line_of_its_own() {
    let src = "anchor \"outer\" in on egress from { 192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6, 192.0.2.7 } {\n  pass\n}\n";
    let out = fmt_at(src, 80);
    assert!(out.lines().all(|l| l.trim() != "{"), "{out}");
    assert!(out.contains("192.0.2.7 } {\n    pass\n}\n"), "{out}");
    assert!(out.lines().all(|l| l.len() <= 80), "{out}");
}

#[test]
fn a_token_longer_than_the_width_stays_whole() {
    let label = "x".repeat(90);
    let src = format!("pass in on em0 label \"{label}\"\n");
    let out = fmt_at(&src, 80);
    // Broken so that the line past the width holds the token alone.
    assert_eq!(out, format!("pass in on em0 label \\\n    \"{label}\"\n"));
}
