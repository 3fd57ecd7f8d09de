//! Unit tests of the semantic checks: exact code, message and span.

use crate::check_str;

/// (code, message, line, column) of the first error.
fn first_error(src: &str) -> (String, String, usize, usize) {
    let r = check_str("t.conf", src);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .unwrap_or_else(|| panic!("no error for {src:?}"));
    let f = r.sources.get(d.span.file).unwrap();
    let (l, c) = f.line_col(d.span.start());
    (d.code.to_string(), d.message.clone(), l, c)
}

fn clean(src: &str) {
    let r = check_str("t.conf", src);
    let errs: Vec<_> = r.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errs.is_empty(), "unexpected errors for {src:?}: {errs:?}");
}

fn assert_err(src: &str, code: &str, msg: &str, line: usize, col: usize) {
    assert_eq!(
        first_error(src),
        (code.to_string(), msg.to_string(), line, col),
        "for {src:?}"
    );
}

#[test]
fn port_without_tcp_udp_is_rejected() {
    assert_err(
        "pass in proto icmp to port 22\n",
        "port-without-tcp-udp",
        "port only applies to tcp/udp",
        1,
        23,
    );
    assert_err(
        "pass in from any port <= 1024 to any\n",
        "port-without-tcp-udp",
        "port only applies to tcp/udp",
        1,
        18,
    );
    clean("pass in proto { tcp udp } to port 53\n");
}

#[test]
fn flags_without_tcp_is_rejected() {
    assert_err(
        "pass in proto udp flags S/SA\n",
        "flags-without-tcp",
        "flags only apply to tcp",
        1,
        19,
    );
    clean("pass in proto { tcp udp } flags S/SA\n");
    clean("pass in flags S/SA\n");
}

#[test]
fn flags_always_false() {
    assert_err(
        "pass proto tcp flags SA/S\n",
        "flags-always-false",
        "flags always false",
        1,
        16,
    );
}

#[test]
fn icmp_family_mismatch() {
    assert_err(
        "pass in inet6 proto icmp all\n",
        "proto-af-mismatch",
        "proto icmp doesn't match address family inet6",
        1,
        21,
    );
    assert_err(
        "pass in inet6 proto ipv6-icmp all icmp-type 0\n",
        "icmp-type-mismatch",
        "icmp-type mismatch",
        1,
        35,
    );
    assert_err(
        "pass in proto tcp icmp-type echoreq\n",
        "icmp-type-without-icmp",
        "icmp-type/code only applies to icmp",
        1,
        19,
    );
    assert_err(
        "pass inet proto icmp icmp-type bogus\n",
        "bad-icmp",
        "unknown icmp-type bogus",
        1,
        32,
    );
}

#[test]
fn bad_addresses() {
    assert_err(
        "block from 10.0.0.0.1\n",
        "bad-address",
        "could not parse host specification",
        1,
        12,
    );
    assert_err(
        "block from 256.0.0.1\n",
        "bad-address",
        "could not parse host specification",
        1,
        12,
    );
    assert_err(
        "block from 2000:0:0:0:0:0:0:0:0:1\n",
        "bad-address",
        "could not parse host specification",
        1,
        12,
    );
    assert_err(
        "pass in from 10.0.0.0/64\n",
        "bad-address",
        "netmask 64 invalid for IPv4 address",
        1,
        23,
    );
    assert_err(
        "match out nat-to (10.1.2.3)\n",
        "bad-address",
        "invalid interface name '10.1.2.3'",
        1,
        19,
    );
    clean(
        "pass from { 10/8, 172.16/12, 192.168.1.1, fe80::1%lo0, em0:network, self, (egress:0) }\n",
    );
}

#[test]
fn ports_are_resolved_from_openbsd_services() {
    assert_err(
        "pass proto tcp to port 65536\n",
        "bad-port",
        "illegal port value 65536",
        1,
        24,
    );
    assert_err(
        "pass proto tcp to port nosuchservice\n",
        "bad-port",
        "unknown port nosuchservice",
        1,
        24,
    );
    assert_err(
        "pass proto tcp to port 2000:1000\n",
        "bad-port",
        "invalid port range",
        1,
        24,
    );
    clean("pass proto tcp to port { ssh, domain-s, submissions, 1024:65535, > 1023, 10 >< 20 }\n");
    clean("pass proto udp to port { mdns, ssdp, matter }\n");
}

#[test]
fn protocols_are_resolved() {
    assert_err(
        "pass proto nosuchproto\n",
        "bad-proto",
        "unknown protocol nosuchproto",
        1,
        12,
    );
    assert_err(
        "pass proto 0\n",
        "bad-proto",
        "proto 0 cannot be used",
        1,
        12,
    );
    clean("pass proto { carp pfsync 112 gre esp }\n");
}

#[test]
fn state_options_on_non_pass_rules() {
    assert_err(
        "block keep state\n",
        "state-on-non-pass",
        "keep state is great, but only for pass rules",
        1,
        7,
    );
    assert_err(
        "block allow-opts\n",
        "bad-option",
        "allow-opts can only be specified for pass rules",
        1,
        7,
    );
}

#[test]
fn route_to_needs_direction_and_state() {
    assert_err(
        "pass route-to 10.0.0.1\n",
        "route-direction",
        "direction must be explicit with rules that specify routing",
        1,
        6,
    );
    assert_err(
        "pass in route-to 10.0.0.1 no state\n",
        "route-without-state",
        "route-to, reply-to and dup-to require keep state",
        1,
        9,
    );
    assert_err(
        "block in dup-to 10.0.0.1\n",
        "route-without-state",
        "route-to, reply-to and dup-to require keep state",
        1,
        10,
    );
}

#[test]
fn nat_and_rdr_need_direction() {
    assert_err(
        "pass nat-to 10.0.0.1\n",
        "nat-direction",
        "nat-to and rdr-to require a direction",
        1,
        6,
    );
    assert_err(
        "pass rdr-to 10.0.0.1\n",
        "rdr-direction",
        "nat-to and rdr-to require a direction",
        1,
        6,
    );
    clean("match out on egress from 10/8 nat-to (egress)\npass in on egress proto tcp to port 80 rdr-to 10.0.0.2\n");
}

/// parse.y 1.719 `rule_consistent` refuses translation only on a rule
/// without a direction (`r->direction == PF_INOUT && (r->nat.addr.type !=
/// PF_ADDR_NONE || r->rdr.addr.type != PF_ADDR_NONE)`); the older
/// "nat-to can only be used outbound" / "rdr-to can only be used inbound"
/// checks are gone, so either direction is accepted.
#[test]
fn nat_to_inbound_and_rdr_to_outbound_are_accepted() {
    clean("pass in on em0 from 10.0.0.0/8 nat-to 192.0.2.1\n");
    clean("match in on em0 from 10.0.0.0/8 nat-to 192.0.2.1\n");
    clean("pass out on em0 proto tcp to port 80 rdr-to 10.0.0.5\n");
    clean("match out proto tcp to port 80 rdr-to 10.0.0.5 port 8080\n");
}

#[test]
fn af_to_rules() {
    assert_err(
        "pass out inet af-to inet6 from 2001:db8::1\n",
        "af-to-direction",
        "af-to can only be used with direction in",
        1,
        15,
    );
    assert_err(
        "pass in inet af-to inet6 from 2001:db8::1 route-to lo0\n",
        "af-to-route",
        "af-to cannot be used together with route-to, reply-to, dup-to",
        1,
        14,
    );
    clean("pass in inet af-to inet6 from 2001:db8::1\n");
}

/// parse.y 1.719: the two-pool af-to action checks the first host of each
/// pool ("af-to addresses must be in the target address family");
/// collapse_redirspec checks every host of each pool, the single-pool form
/// too: `if (rs->af && rs->af != h->af) yyerror("%s spec contains
/// addresses that don't match target address family", "translation")`.
#[test]
fn af_to_addresses_must_be_of_the_target_family() {
    assert_err(
        "pass in inet af-to inet6 from 192.0.2.1\n",
        "af-to-family",
        "translation spec contains addresses that don't match target address family",
        1,
        31,
    );
    assert_err(
        "pass in inet6 af-to inet from { 192.0.2.1 2001:db8::1 }\n",
        "af-to-family",
        "translation spec contains addresses that don't match target address family",
        1,
        43,
    );
    assert_err(
        "pass in inet af-to inet6 from 2001:db8::1 to 192.0.2.1\n",
        "af-to-family",
        "af-to addresses must be in the target address family",
        1,
        14,
    );
    assert_err(
        "pass in inet af-to inet6 from 2001:db8::1 to { 64:ff9b::1 192.0.2.1 }\n",
        "af-to-family",
        "translation spec contains addresses that don't match target address family",
        1,
        59,
    );
    let r = check_str("t.conf", "pass in inet af-to inet6 from 192.0.2.1\n");
    assert_eq!(r.diagnostics.iter().filter(|d| d.is_error()).count(), 1);
    clean("pass in inet6 af-to inet from 192.0.2.1\n");
    clean("pass in inet6 af-to inet from (egress:0)\n");
    clean("pass in inet af-to inet6 from 2001:db8::1 to 64:ff9b::/96\n");
}

#[test]
fn divert_rules() {
    assert_err(
        "pass divert-to 127.0.0.1 port 1 divert-reply\n",
        "redefined",
        "more than one divert option",
        1,
        33,
    );
    assert_err(
        "pass out divert-to 127.0.0.1 port 1\n",
        "divert-direction",
        "divert-to used with outgoing rule",
        1,
        10,
    );
    assert_err(
        "pass in divert-reply\n",
        "divert-direction",
        "divert-reply used with incoming rule",
        1,
        9,
    );
    assert_err(
        "pass in inet6 proto tcp to port 25 divert-to 127.0.0.1 port 8025\n",
        "divert-af",
        "divert-to address family mismatch",
        1,
        36,
    );
}

#[test]
fn scrub_options() {
    assert_err(
        "match scrub(no-df no-df)\n",
        "redefined",
        "no-df cannot be respecified",
        1,
        19,
    );
    assert_err(
        "match in all scrub(min-ttl 256)\n",
        "bad-value",
        "illegal min-ttl value 256",
        1,
        28,
    );
}

#[test]
fn tags_labels_and_tables_are_bounded() {
    let long = "a".repeat(64);
    assert_err(
        &format!("block in tag {long}\n"),
        "too-long",
        "tag too long, max 63 chars",
        1,
        14,
    );
    assert_err(
        &format!("table <{}> {{ 1.2.3.4 }}\n", "t".repeat(32)),
        "too-long",
        "table name too long, max 31 chars",
        1,
        8,
    );
}

#[test]
fn table_entries() {
    assert_err(
        "table <foo> const { <bar> }\n",
        "table-entry",
        "tables cannot contain tables",
        1,
        21,
    );
    assert_err(
        "table <foo> { (lo0) }\n",
        "table-entry",
        "dynamic addresses are not permitted inside tables",
        1,
        15,
    );
    assert_err(
        "table <foo> { ::1 no-route }\n",
        "table-entry",
        "\"no-route\" is not permitted inside tables",
        1,
        19,
    );
    assert_err(
        "table <foo> bogus\n",
        "bad-value",
        "invalid table option 'bogus'",
        1,
        13,
    );
}

#[test]
fn options() {
    assert_err(
        "set hostid 0\n",
        "bad-value",
        "hostid must be non-zero",
        1,
        12,
    );
    assert_err(
        "set state-defaults pflow\nset state-defaults no-sync\n",
        "redefined",
        "cannot redefine state-defaults",
        2,
        1,
    );
    assert_err(
        "set timeout tcp.bogus 5\n",
        "bad-value",
        "unknown timeout tcp.bogus",
        1,
        13,
    );
    assert_err(
        "set optimization fast\n",
        "bad-value",
        "unknown optimization fast",
        1,
        18,
    );
}

#[test]
fn source_track_conflicts() {
    assert_err(
        "pass in proto tcp to port 123 \\\n\tkeep state (source-track global, max-src-nodes 1000)\n",
        "source-track",
        "'max-src-nodes' is incompatible with 'source-track global'",
        2,
        35,
    );
    assert_err(
        "pass keep state (overload <t>)\n",
        "overload",
        "'overload' requires 'max-src-conn' or 'max-src-conn-rate'",
        1,
        18,
    );
}

#[test]
fn prio_range() {
    assert_err(
        "pass set prio 8\n",
        "bad-value",
        "prio must be 0 - 7",
        1,
        15,
    );
    assert_err(
        "pass set prio -1\n",
        "bad-value",
        "prio must be 0 - 7",
        1,
        15,
    );
}

#[test]
fn queues() {
    assert_err("queue root on em0 bandwidth 1G\nqueue def parent root bandwidth 1M default\npass set queue x\n", "undefined-queue", "queue x is not defined", 3, 16);
    assert_err(
        "queue rootq on em0 bandwidth 100M\nqueue defq parent rootq bandwidth 50M\n",
        "queue",
        "no default queue specified",
        1,
        1,
    );
    assert_err(
        "queue rootq on em0 bandwidth 1M\nqueue defq parent rootq default\n",
        "queue",
        "no bandwidth or flow specification",
        2,
        1,
    );
    clean("queue rootq on em0 bandwidth 1M\nqueue defq parent rootq bandwidth 500K default\npass set queue defq\n");
}

#[test]
fn binat_restrictions() {
    assert_err(
        "match on lo0 from <t> to any binat-to 1.1.1.1\n",
        "binat",
        "invalid use of table <t> as the source address of a binat-to rule",
        1,
        30,
    );
    assert_err(
        "match on lo0 from 1.1.1.1 to any binat-to <t>\n",
        "binat",
        "tables cannot be used as the redirect address of a binat-to rule",
        1,
        34,
    );
}

#[test]
fn anchors() {
    assert_err(
        "anchor _foo\n",
        "anchor-name",
        "anchor names beginning with '_' are reserved for internal use",
        1,
        8,
    );
    assert_err(
        "anchor foo keep state\n",
        "bad-option",
        "cannot specify state handling on anchors",
        1,
        12,
    );
    assert_err(
        "anchor in on em0\n",
        "anchor-name",
        "anchors without explicit rules must specify a name",
        1,
        1,
    );
    clean("anchor {\n pass\n}\nanchor \"x\" in on em0 {\n block\n}\n");
}

#[test]
fn macros_expand_and_undefined_macros_are_reported() {
    clean("lan = \"{ 10.0.0.0/8 192.168.0.0/16 }\"\nports = \"{ 22 443 }\"\npass in proto tcp from $lan to port $ports\n");
    assert_err(
        "pass in on $ext_if\n",
        "undefined-macro",
        "macro 'ext_if' not defined",
        1,
        12,
    );
    clean("a = \"10.0.0.1\"\nb = \"{\" $a \"10.0.0.2 }\"\npass from $b\n");
    clean("ext_if = \"em0\"\npass on $ext_if from ($ext_if:network)\n");
}

#[test]
fn errors_inside_macro_values_point_at_the_reference() {
    let r = check_str("t.conf", "p = \"icmp\"\npass proto $p to port 22\n");
    let d = r.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.message, "port only applies to tcp/udp");
    assert_eq!(r.sources.location(d.span), "t.conf:2:18");
    let r = check_str("t.conf", "p = \"icmp\"\npass proto $p to port 22\n");
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "port-without-tcp-udp")
        .unwrap();
    let _ = d;
    let r = check_str("t.conf", "p = \"bogus\"\npass proto $p\n");
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "bad-proto")
        .unwrap();
    assert_eq!(r.sources.location(d.span), "t.conf:2:12");
    assert_eq!(d.labels.len(), 1);
    assert_eq!(r.sources.location(d.labels[0].span), "t.conf:1:1");
    assert_eq!(d.labels[0].message, "`$p` is defined as \"bogus\"");
}

#[test]
fn includes_and_table_files_go_through_the_loader() {
    use crate::{check_with, MemoryLoader, Options};
    let loader = MemoryLoader::default()
        .with("inc.conf", "pass in proto tcp to port 22\n")
        .with("loop.conf", "include \"loop.conf\"\n")
        .with("bad.tbl", "10.0.0.1\n10.0.0.0.1\n");
    let r = check_with(
        "t.conf",
        "include \"inc.conf\"\n",
        &loader,
        &Options::default(),
    );
    assert!(r.is_ok());
    assert_eq!(r.resolved.ruleset.statements.len(), 1);
    let r = check_with(
        "t.conf",
        "include \"missing.conf\"\n",
        &loader,
        &Options::default(),
    );
    assert_eq!(r.diagnostics[0].code, "include-missing");
    let r = check_with(
        "t.conf",
        "include \"loop.conf\"\n",
        &loader,
        &Options::default(),
    );
    assert_eq!(r.diagnostics[0].code, "include-cycle");
    let r = check_with(
        "t.conf",
        "table <t> file \"nope\"\n",
        &loader,
        &Options::default(),
    );
    assert!(r.is_ok());
    assert_eq!(r.diagnostics[0].code, "table-file-missing");
    let r = check_with(
        "t.conf",
        "table <t> file \"bad.tbl\"\n",
        &loader,
        &Options::default(),
    );
    assert_eq!(r.diagnostics[0].code, "table-file-bad-data");
}

#[test]
fn defines_override_file_macros() {
    use crate::{check_with, MemoryLoader, Options};
    let opts = Options {
        defines: vec![("p".into(), "tcp".into())],
        ..Options::default()
    };
    let r = check_with(
        "t.conf",
        "p = \"icmp\"\npass proto $p to port 22\n",
        &MemoryLoader::default(),
        &opts,
    );
    assert!(r.is_ok(), "{:?}", r.diagnostics);
}

#[test]
fn statements_not_allowed_in_anchor_blocks() {
    assert_err(
        "anchor foo {\n set skip on lo0\n}\n",
        "syntax",
        "syntax error: `set` options are not allowed inside an anchor block",
        2,
        2,
    );
}

/// One line each: (statement, code, message, line, column) of the first
/// error. Messages follow pfctl's wording.
#[test]
fn each_check_reports_its_exact_diagnostic() {
    let cases: &[(&str, &str, &str, usize, usize)] = &[
        (
            "set syncookies sometimes",
            "bad-value",
            "illegal value for syncookies",
            1,
            16,
        ),
        (
            "set syncookies adaptive (start 25%, end 120%)",
            "bad-value",
            "illegal percentage value",
            1,
            41,
        ),
        (
            "set syncookies adaptive (begin 25%, end 12%)",
            "bad-value",
            "illegal syncookie option",
            1,
            26,
        ),
        (
            "state limiter \"dns\" limit 10",
            "limiter",
            "state limiter dns requires an id",
            1,
            1,
        ),
        (
            "state limiter \"dns\" id 0 limit 10",
            "bad-value",
            "limiter id must be between 1 and 255",
            1,
            24,
        ),
        (
            "source limiter \"web\" id 1 limit 10",
            "limiter",
            "source limiter web requires entries",
            1,
            1,
        ),
        (
            "match out on em0 nat-to { 10.0.0.1, 10.0.0.2 } bitmask",
            "pool",
            "pool type is not valid for multiple translation or routing addresses",
            1,
            48,
        ),
        (
            "match out on em0 nat-to <pool> bitmask",
            "pool",
            "tables are not supported by pool type",
            1,
            32,
        ),
        (
            "match out on em0 nat-to 10.0.0.1 round-robin random",
            "redefined",
            "pool type cannot be redefined",
            1,
            46,
        ),
        (
            "match out on em0 nat-to 10.0.0.1 static-port static-port",
            "redefined",
            "static-port cannot be redefined",
            1,
            46,
        ),
        (
            "pass in on em0 proto tcp to port 80 rdr-to 10.0.0.1 static-port",
            "pool",
            "the 'static-port' option is only valid with nat rules",
            1,
            37,
        ),
        (
            "match out on em0 nat-to 10.0.0.1 port 1024:2000 static-port",
            "pool",
            "the 'static-port' option can't be used when specifying a port range",
            1,
            18,
        ),
        (
            "match out on em0 nat-to 10.0.0.1 source-hash 0x1234",
            "pool",
            "hex key must be 128 bits (32 hex digits) long",
            1,
            34,
        ),
        (
            "pass in inet af-to inet6 from 2001:db8::1 to 10.0.0.1",
            "af-to-family",
            "af-to addresses must be in the target address family",
            1,
            14,
        ),
        (
            "pass in inet6 af-to inet6 from 2001:db8::1",
            "af-to-family",
            "must indicate different address family with af-to",
            1,
            15,
        ),
        (
            "queue q on em0 bandwidth 1M bandwidth 2M default",
            "redefined",
            "bandwidth cannot be respecified",
            1,
            29,
        ),
        (
            "queue q on em0 bandwidth 1M qlimit 70000 default",
            "bad-value",
            "qlimit out of range: max 65535",
            1,
            36,
        ),
        (
            "queue q on em0 bandwidth 1M flows 0 default",
            "bad-value",
            "number of flows out of range: max 32767",
            1,
            35,
        ),
        (
            "queue q on em0 bandwidth 1Q default",
            "bad-value",
            "unknown unit \"Q\"",
            1,
            26,
        ),
        (
            "queue q bandwidth 1M default",
            "queue",
            "root queue without interface",
            1,
            1,
        ),
        (
            "match once",
            "bad-option",
            "'once' only applies to pass/block rules",
            1,
            7,
        ),
        (
            "pass inet proto icmp icmp-type unreach code bogus",
            "bad-icmp",
            "unknown icmp-code bogus",
            1,
            45,
        ),
        (
            "pass inet proto icmp icmp-type 300",
            "bad-icmp",
            "illegal icmp-type 300",
            1,
            32,
        ),
        ("pass tos 300", "bad-value", "illegal tos value 300", 1, 10),
        (
            "pass set tos bogus",
            "bad-value",
            "illegal tos value bogus",
            1,
            14,
        ),
        (
            "pass log (to em0) all",
            "bad-value",
            "em0: should be a pflog interface",
            1,
            14,
        ),
        (
            "set reassemble maybe",
            "bad-value",
            "invalid value 'maybe', expected 'yes' or 'no'",
            1,
            16,
        ),
        ("pass rtable 300", "bad-value", "invalid rtable id", 1, 13),
        (
            "pass on rdomain 300",
            "bad-value",
            "rdomain 300 outside range",
            1,
            17,
        ),
        (
            "table <t> { 10.0.0.1 weight 0 }",
            "bad-value",
            "weight out of range",
            1,
            29,
        ),
        (
            "table <t> timeout (-1)",
            "bad-value",
            "only positive values permitted",
            1,
            20,
        ),
        (
            "set skip on ! lo0",
            "bad-value",
            "skip on ! <interface> is not supported",
            1,
            13,
        ),
        (
            "set skip on rdomain 1",
            "bad-value",
            "skip on rdomain <num> is not supported",
            1,
            13,
        ),
        (
            "pass out route-to (em0)",
            "route-dynamic",
            "route spec requires :peer with dynamic interface addresses",
            1,
            19,
        ),
        (
            "pass out route-to { <t>, 10.0.0.1 }",
            "pool",
            "multiple tables or dynamic interfaces not supported for translation or routing",
            1,
            26,
        ),
        (
            "block return-rst all",
            "return-rst-without-tcp",
            "return-rst can only be applied to TCP rules",
            1,
            1,
        ),
        (
            "pass proto tcp flags XY/SA",
            "bad-flags",
            "bad flags XY",
            1,
            22,
        ),
        (
            "pass fragment proto tcp to port 80",
            "syntax",
            "syntax error: unexpected `proto`",
            1,
            15,
        ),
        (
            "pass keep state (max 10, max 20)",
            "redefined",
            "state option 'max' multiple definitions",
            1,
            26,
        ),
        (
            "pass keep state (no-sync, no-sync)",
            "redefined",
            "state option 'sync' multiple definitions",
            1,
            27,
        ),
        (
            "pass keep state (if-bound, floating)",
            "redefined",
            "state locking option: multiple definitions",
            1,
            28,
        ),
        (
            "pass keep state (tcp.established 10, tcp.established 20)",
            "redefined",
            "state timeout tcp.established multiple definitions",
            1,
            38,
        ),
        (
            "pass keep state (frag 10)",
            "bad-value",
            "illegal state timeout frag",
            1,
            18,
        ),
        (
            "pass modulate state (sloppy)",
            "sloppy",
            "sloppy state matching cannot be used with synproxy state or modulate state",
            1,
            22,
        ),
        (
            "pass keep state (max-src-conn 0)",
            "bad-value",
            "'max-src-conn' must be > 0",
            1,
            31,
        ),
        (
            "pass keep state (max-src-conn-rate 0/5)",
            "bad-value",
            "'max-src-conn-rate' values must be > 0",
            1,
            18,
        ),
        (
            "pass label \"a\" label \"b\"",
            "redefined",
            "label cannot be redefined",
            1,
            16,
        ),
        (
            "pass probability 150%",
            "bad-value",
            "invalid probability: 150%",
            1,
            18,
        ),
        (
            "pass max-pkt-rate 10/5 max-pkt-rate 10/5",
            "redefined",
            "cannot respecify max-pkt-rate",
            1,
            24,
        ),
        (
            "pass received-on em0 received-on em1",
            "redefined",
            "cannot respecify received-on",
            1,
            22,
        ),
        (
            "pass from 10.0.0.1 - 10.0.0.0/8",
            "syntax",
            "syntax error: unexpected `/`",
            1,
            30,
        ),
        (
            "pass from (em0:network:broadcast)",
            "bad-address",
            "illegal combination of interface modifiers",
            1,
            12,
        ),
        (
            "pass from (em0:bogus)",
            "bad-address",
            "interface em0:bogus has bad modifier",
            1,
            12,
        ),
        (
            "pass out on em0 from any to any dup-to 10.0.0.1 no state",
            "route-without-state",
            "route-to, reply-to and dup-to require keep state",
            1,
            33,
        ),
        (
            "pass on em0 user { unknown, > unknown }",
            "user-without-tcp-udp",
            "user only applies to tcp/udp",
            1,
            13,
        ),
        (
            "match in on em0 scrub (reassemble udp)",
            "bad-value",
            "scrub reassemble supports only tcp, not 'udp'",
            1,
            35,
        ),
        (
            "pass from route thisisaverylongroutelabelnamethatexceedsthirtyone",
            "bad-value",
            "route label too long, max 31 chars",
            1,
            17,
        ),
        (
            "pass in on em0 all divert-packet port 0",
            "bad-port",
            "invalid divert port: 0",
            1,
            39,
        ),
        (
            "pass from any to urpf-failed",
            "bad-address",
            "\"urpf-failed\" is not permitted in a destination address",
            1,
            18,
        ),
    ];
    for (src, code, msg, line, col) in cases {
        assert_err(&format!("{src}\n"), code, msg, *line, *col);
    }
}

#[test]
fn carriage_returns_are_rejected_once_per_file() {
    // pfctl skips only spaces and tabs: `\r` is a character no rule takes.
    let r = crate::check_str("t.conf", "ext = \"em0\"\r\npass in on $ext\r\n");
    let crs: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "carriage-return")
        .collect();
    assert_eq!(crs.len(), 1, "{:?}", r.diagnostics);
    assert!(crs[0].is_error());
    assert_eq!(r.sources.location(crs[0].span), "t.conf:1:12");
    assert!(crs[0].message.contains("CRLF"));
    assert!(crate::check_str("t.conf", "pass in\n").is_ok());
    // fmt writes the file with LF line ends, which pfctl accepts.
    let out = crate::fmt::format_checked(
        "t.conf",
        "ext = \"em0\"\r\npass in on $ext # c\r\n",
        &Default::default(),
    )
    .unwrap();
    assert_eq!(out, "ext = \"em0\"\npass in on $ext # c\n");
    assert!(crate::check_str("t.conf", &out).is_ok());
}

/// pfctl_parser.c 1.352 string_to_loglevel: syslog priority names in any
/// case (the deprecated `error`, `warn`, `panic` too), a quoted number
/// 0-7; `none` and old pf's `urgent`/`misc`/`loud` are rejected, the old
/// names with the modern one to use.
#[test]
fn set_debug_takes_syslog_priorities() {
    for ok in [
        "emerg", "alert", "crit", "err", "error", "warning", "warn", "WARN", "Notice", "info",
        "debug", "panic", "\"0\"", "\"7\"",
    ] {
        clean(&format!("set debug {ok}\n"));
    }
    assert_err(
        "set debug \"8\"\n",
        "bad-value",
        "unknown debug level \"8\": error setting debuglevel 8",
        1,
        11,
    );
    assert_err(
        "set debug none\n",
        "legacy",
        "`set debug none` is an old pf level: OpenBSD's pfctl takes syslog priority names (unknown debug level \"none\")",
        1,
        11,
    );
    let (code, _, _, _) = first_error("set debug 3\n");
    assert_eq!(code, "syntax", "a bare number lexes as NUMBER");
}

/// pfctl_parser.c 1.352 `host`: a word that is no address, no interface
/// or group and no DNS name fails with "no IP address found" and "could
/// not parse host specification"; a dotted host name is resolved when the
/// ruleset loads (a note, not an error); lowercase words may be groups.
#[test]
fn placeholder_host_names_are_rejected_and_dns_names_noted() {
    assert_err(
        "pass in from YOU_IP_ADDRESS\n",
        "bad-address",
        "no IP address found for YOU_IP_ADDRESS: could not parse host specification",
        1,
        14,
    );
    clean("pass in from my_group\npass in from egress\n");
    let r = check_str("t.conf", "pass in from www.example.org\n");
    let notes: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "host-name")
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(notes[0].severity, crate::diag::Severity::Info);
    assert!(r.is_ok());
}

/// parse.y 1.719 `rule_consistent`, which `expand_rule` runs on every
/// expanded rule, anchor rules included: `if (r->proto != IPPROTO_TCP &&
/// r->os_fingerprint != PF_OSFP_ANY) yyerror("os only applies to tcp")`.
/// Without `proto` the rule's protocol is 0; with a list, each protocol is
/// a rule of its own. The earlier test in the pfrule and anchorrule actions
/// (a list without tcp) has its own wording.
#[test]
fn os_needs_every_protocol_to_be_tcp() {
    assert_err(
        "pass in from any os OpenBSD\n",
        "os-without-tcp",
        "os only applies to tcp",
        1,
        21,
    );
    assert_err(
        "anchor \"a\" in from any os OpenBSD\n",
        "os-without-tcp",
        "os only applies to tcp",
        1,
        27,
    );
    assert_err(
        "pass in proto { tcp udp } from any os OpenBSD\n",
        "os-without-tcp",
        "os only applies to tcp",
        1,
        39,
    );
    assert_err(
        "pass in proto udp from any os OpenBSD\n",
        "os-without-tcp",
        "OS fingerprinting only apply to tcp",
        1,
        31,
    );
    assert_err(
        "anchor \"a\" in proto udp from any os OpenBSD\n",
        "os-without-tcp",
        "OS fingerprinting only applies to tcp",
        1,
        37,
    );
    // One report per rule.
    let r = check_str("t.conf", "pass in from any os OpenBSD\n");
    assert_eq!(r.diagnostics.iter().filter(|d| d.is_error()).count(), 1);
    clean("pass in proto tcp from any os OpenBSD\n");
    clean("anchor \"a\" in proto tcp from any os { OpenBSD Linux }\n");
}

/// parse.y 1.719 `rule_consistent`: `if (!r->af && (r->type || r->code))
/// yyerror("must indicate address family with icmp-type/code")`. `proto
/// icmp` gives no family; `inet`/`inet6`, the hosts of each expanded rule
/// (`expand_rule`), the pools (`collapse_redirspec`) and a divert-to
/// address (`expand_divertspec`) do.
#[test]
fn icmp_type_needs_an_address_family() {
    assert_err(
        "pass in proto icmp icmp-type echoreq\n",
        "icmp-type-without-af",
        "must indicate address family with icmp-type/code",
        1,
        20,
    );
    assert_err(
        "pass in proto icmp6 icmp6-type echoreq\n",
        "icmp-type-without-af",
        "must indicate address family with icmp-type/code",
        1,
        21,
    );
    assert_err(
        "pass in proto icmp from <t> to (em0) icmp-type echoreq code 0\n",
        "icmp-type-without-af",
        "must indicate address family with icmp-type/code",
        1,
        38,
    );
    // One expanded rule (from <t>) has no family.
    assert_err(
        "pass in proto icmp from { 10.0.0.1 <t> } icmp-type echoreq\n",
        "icmp-type-without-af",
        "must indicate address family with icmp-type/code",
        1,
        42,
    );
    assert_err(
        "anchor \"a\" in proto icmp icmp-type echoreq\n",
        "icmp-type-without-af",
        "must indicate address family with icmp-type/code",
        1,
        26,
    );
    clean("pass in inet proto icmp icmp-type echoreq\n");
    clean("pass in inet6 proto icmp6 icmp6-type echoreq\n");
    clean("pass in proto icmp to 192.0.2.1 icmp-type echoreq\n");
    clean("pass in proto icmp from 10.0.0.0/8 to <t> icmp-type echoreq\n");
    clean("pass in proto icmp6 from { 2001:db8::1 2001:db8::2 } icmp6-type echoreq\n");
    // A name becomes the addresses of an interface, group or DNS name.
    clean("pass in on em0 proto icmp to em0 icmp-type echoreq\n");
    clean("pass out proto icmp icmp-type echoreq nat-to 192.0.2.1\n");
    clean("pass in proto icmp icmp-type echoreq rdr-to 10.0.0.1\n");
    clean("pass out proto icmp icmp-type echoreq route-to 192.0.2.1\n");
    clean("pass in proto icmp icmp-type echoreq af-to inet6 from 2001:db8::1\n");
    clean("pass in proto icmp icmp-type echoreq divert-to 127.0.0.1 port 8080\n");
}

/// parse.y 1.719: `load anchor` names go through the `anchorname` action
/// (`if ($1[0] == '\0') yyerror("anchor name must not be empty")`, the
/// `_` prefix reserved), which may also be empty, refused by `loadrule`:
/// `if ($3 == NULL) yyerror("anchor name is missing")`. Either way the
/// statement is dropped before the load is recorded: one error, and no
/// attempt to read the file.
#[test]
fn load_anchor_names_are_checked_once() {
    let errors = |src: &str| -> Vec<(String, String, usize)> {
        let r = check_str("t.conf", src);
        r.diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let f = r.sources.get(d.span.file).unwrap();
                (
                    d.code.to_string(),
                    d.message.clone(),
                    f.line_col(d.span.start()).1,
                )
            })
            .collect()
    };
    let one = |code: &str, msg: &str, col: usize| vec![(code.to_string(), msg.to_string(), col)];
    assert_eq!(
        errors("load anchor from \"/etc/pf/x.conf\"\n"),
        one("anchor-name", "anchor name is missing", 13)
    );
    assert_eq!(
        errors("load anchor \"\" from \"/etc/pf/x.conf\"\n"),
        one("anchor-name", "anchor name must not be empty", 13)
    );
    assert_eq!(
        errors("load anchor \"_x\" from \"/etc/pf/x.conf\"\n"),
        one(
            "anchor-name",
            "anchor names beginning with '_' are reserved for internal use",
            13
        )
    );
    // A macro that expands to nothing leaves no name either.
    assert_eq!(
        errors("n = \"\"\nload anchor $n from \"/etc/pf/x.conf\"\n"),
        one("anchor-name", "anchor name is missing", 16)
    );
    // A name: the file is read (and is missing here).
    assert_eq!(
        errors("load anchor \"x\" from \"/etc/pf/x.conf\"\n"),
        one(
            "anchor-missing",
            "cannot load anchor x from /etc/pf/x.conf",
            1
        )
    );
}

#[test]
fn options_given_twice_get_the_message_of_the_table() {
    // Every option pfctl allows once per rule (or once per group, as for
    // nat-to, binat-to and af-to), given after another of its group: the
    // second one is `redefined`, with its message from the keyword table.
    use crate::parser::keywords::FILTER_OPTIONS;
    for a in FILTER_OPTIONS {
        let Some(first) = a.given_twice else { continue };
        for b in FILTER_OPTIONS {
            let Some(second) = b.given_twice.filter(|t| t.group == first.group) else {
                continue;
            };
            let src = format!("pass in {} {}\n", a.example, b.example);
            let r = check_str("t.conf", &src);
            let redefined: Vec<_> = r
                .diagnostics
                .iter()
                .filter(|d| d.code == "redefined")
                .map(|d| (d.message.as_str(), d.span.start()))
                .collect();
            // A `set` item's span leaves out the `set`.
            let set = if b.example.starts_with("set ") { 4 } else { 0 };
            let at = "pass in ".len() + a.example.len() + 1 + set;
            assert_eq!(redefined, [(second.message, at)], "for {src:?}");
        }
    }
    for a in FILTER_OPTIONS.iter().filter(|s| s.given_twice.is_none()) {
        let src = format!("pass in {} {}\n", a.example, a.example);
        let r = check_str("t.conf", &src);
        assert!(
            r.diagnostics.iter().all(|d| d.code != "redefined"),
            "for {src:?}: {:?}",
            r.diagnostics
        );
    }
}
