//! Unit tests of the grammar: one or more per production.

use super::*;

fn parse_ok(src: &str) -> Vec<StatementKind> {
    let (rs, diags) = parse(src, FileId(0));
    assert!(
        diags.is_empty(),
        "unexpected diagnostics for {src:?}: {diags:?}"
    );
    rs.statements.into_iter().map(|s| s.kind).collect()
}

fn one(src: &str) -> StatementKind {
    let mut v = parse_ok(src);
    assert_eq!(v.len(), 1, "{src:?}");
    v.remove(0)
}

fn rule(src: &str) -> FilterRule {
    match one(src) {
        StatementKind::Rule(r) => *r,
        k => panic!("not a rule: {k:?}"),
    }
}

fn err(src: &str) -> Diagnostic {
    let (_, diags) = parse(src, FileId(0));
    assert!(!diags.is_empty(), "expected an error for {src:?}");
    diags.into_iter().next().unwrap()
}

fn word(v: &SValue) -> &str {
    v.node.text()
}

#[test]
fn macro_definition_with_several_strings() {
    match one("all = \"{\" $a \"b c\" 22 }") {
        StatementKind::Unparsed => {}
        k => panic!("{k:?}"),
    }
    match one("ext_if = \"em0\"") {
        StatementKind::Macro(m) => {
            assert_eq!(m.name.node, "ext_if");
            assert_eq!(m.value.len(), 1);
            assert_eq!(m.value[0].node, Value::Quoted("em0".into()));
        }
        k => panic!("{k:?}"),
    }
    match one("every = \"{\" $a $b \"}\"") {
        StatementKind::Macro(m) => {
            assert_eq!(m.value.len(), 4);
            assert!(m.value[1].node.is_macro());
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn macro_names_may_contain_dots() {
    match one("net.inet6.ip6.forwarding=1") {
        StatementKind::Macro(m) => assert_eq!(m.name.node, "net.inet6.ip6.forwarding"),
        k => panic!("{k:?}"),
    }
}

#[test]
fn pass_rule_with_everything_in_order() {
    let r = rule("pass in log (all, to pflog1) quick on { em0 !em1 } inet proto { tcp udp } from 10/8 port > 1024 to ! <bad> port { 22, 80:90 } flags S/SA keep state (max 10, source-track rule) label \"x\"");
    assert_eq!(r.action.node, Action::Pass);
    assert_eq!(r.direction, Some(Direction::In));
    assert!(r.quick);
    let log = r.log.unwrap();
    assert!(log.all);
    assert_eq!(word(log.to.as_ref().unwrap()), "pflog1");
    assert_eq!(r.interfaces.len(), 2);
    assert!(r.interfaces[1].node.not);
    assert_eq!(r.protos.len(), 2);
    let from = r.hosts.from.unwrap();
    match &from.hosts[0].node.kind {
        HostKind::Address { addr, mask } => {
            assert_eq!(word(addr), "10");
            assert_eq!(word(mask.as_ref().unwrap()), "8");
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(
        &from.ports[0].node,
        PortItem::Unary {
            op: PortOperator::Gt,
            ..
        }
    ));
    let to = r.hosts.to.unwrap();
    assert!(to.hosts[0].node.not);
    assert!(matches!(&to.hosts[0].node.kind, HostKind::Table { name } if word(name) == "bad"));
    assert_eq!(to.ports.len(), 2);
    assert_eq!(r.options.len(), 3);
    assert!(
        matches!(&r.options[1].node, FilterOpt::State { kind: StateKind::Keep, opts } if opts.len() == 2)
    );
}

#[test]
fn rule_order_is_strict_like_pfctl() {
    let d = err("pass quick in all");
    assert_eq!(d.code, "syntax");
    assert_eq!(d.message, "syntax error: unexpected `in`");
    assert_eq!((d.span.start(), d.span.end()), (11, 13));
}

#[test]
fn block_return_variants() {
    for (src, want) in [
        ("block drop all", "Drop"),
        ("block return all", "Return"),
        ("block return-rst (ttl 100) proto tcp all", "ReturnRst"),
        ("block return-icmp (port-unr, 4) all", "ReturnIcmp"),
        ("block return-icmp6 (port-unr) all", "ReturnIcmp6"),
    ] {
        let r = rule(src);
        match &r.action.node {
            Action::Block { policy: Some(p) } => {
                assert!(format!("{p:?}").starts_with(want), "{src}")
            }
            a => panic!("{a:?}"),
        }
    }
    assert!(matches!(
        rule("block").action.node,
        Action::Block { policy: None }
    ));
}

#[test]
fn hosts_every_kind() {
    let r = rule("pass from { any, no-route, urpf-failed, self, (em0:network), (em0)/24, 10.0.0.1 - 10.0.0.9, route foo, fe80::1%lo0, <t>, { 1.2.3.4 5.6.7.8 } } to any");
    let h = &r.hosts.from.unwrap().hosts;
    assert_eq!(h.len(), 11);
    assert!(matches!(h[0].node.kind, HostKind::Any));
    assert!(matches!(h[1].node.kind, HostKind::NoRoute));
    assert!(matches!(h[2].node.kind, HostKind::UrpfFailed));
    assert!(
        matches!(&h[3].node.kind, HostKind::Address { addr, mask: None } if word(addr) == "self")
    );
    assert!(
        matches!(&h[4].node.kind, HostKind::Dynamic { ifname, mask: None } if word(ifname) == "em0:network")
    );
    assert!(matches!(
        &h[5].node.kind,
        HostKind::Dynamic { mask: Some(_), .. }
    ));
    assert!(
        matches!(&h[6].node.kind, HostKind::Range { from, to } if word(from) == "10.0.0.1" && word(to) == "10.0.0.9")
    );
    assert!(matches!(&h[7].node.kind, HostKind::Route { label } if word(label) == "foo"));
    assert!(
        matches!(&h[8].node.kind, HostKind::Address { addr, .. } if word(addr) == "fe80::1%lo0")
    );
    assert!(matches!(&h[9].node.kind, HostKind::Table { .. }));
    assert!(matches!(&h[10].node.kind, HostKind::List(v) if v.len() == 2));
    assert!(r.hosts.to.unwrap().any);
}

#[test]
fn ports_without_hosts() {
    let r = rule("pass proto udp from port 68 to port 67");
    assert_eq!(r.hosts.from.unwrap().ports.len(), 1);
    assert_eq!(r.hosts.to.unwrap().ports.len(), 1);
}

#[test]
fn port_operators() {
    let r = rule(
        "pass proto tcp to port { = 1, != 2, < 3, <= 4, > 5, >= 6, 7 <> 9, 10 >< 12, 13:14, www }",
    );
    let ports = r.hosts.to.unwrap().ports;
    assert_eq!(ports.len(), 10);
    assert!(matches!(
        &ports[6].node,
        PortItem::Binary {
            op: PortOperator::Outside,
            ..
        }
    ));
    assert!(matches!(
        &ports[7].node,
        PortItem::Binary {
            op: PortOperator::Inside,
            ..
        }
    ));
    assert!(matches!(&ports[8].node, PortItem::Eq { value } if word(value) == "13:14"));
}

#[test]
fn newlines_inside_braces() {
    let r = rule("pass to { 1.2.3.4 # first\n 5.6.7.8\n } port 22");
    assert_eq!(r.hosts.to.unwrap().hosts.len(), 2);
}

#[test]
fn filter_options_all_kinds() {
    let r = rule(
        "pass in proto tcp user { root, > 1000 } group wheel flags any tos lowdelay \
         modulate state (no-sync, pflow, sloppy, if-bound, tcp.established 60, max-src-conn 5, \
         max-src-conn-rate 10/5, overload <bad> flush global, max-src-nodes 3, max-src-states 2) \
         fragment allow-opts once label foo tag bar ! tagged baz probability 50% rtable 1 \
         max-pkt-rate 100/10 set prio (1, 2) set queue (q1, q2) set tos 0x10 set delay 5 \
         prio 3 received-on em0 queue q3 scrub (no-df, min-ttl 5, max-mss 1400, reassemble tcp, random-id) \
         state limiter \"dns\" (block) source limiter web",
    );
    let kinds: Vec<String> = r
        .options
        .iter()
        .map(|o| {
            format!("{:?}", o.node)
                .split([' ', '{', '('])
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            "User",
            "Group",
            "Flags",
            "Tos",
            "State",
            "Fragment",
            "AllowOpts",
            "Once",
            "Label",
            "Tag",
            "Tagged",
            "Probability",
            "Rtable",
            "MaxPktRate",
            "SetPrio",
            "Queue",
            "SetTos",
            "SetDelay",
            "Prio",
            "ReceivedOn",
            "Queue",
            "Scrub",
            "Limiter",
            "Limiter"
        ]
    );
}

#[test]
fn icmp_types_with_codes() {
    let r = rule("pass inet proto icmp icmp-type { echoreq, unreach code needfrag, 3 code 1 }");
    match &r.options[0].node {
        FilterOpt::IcmpType { v6: false, items } => {
            assert_eq!(items.len(), 3);
            assert_eq!(word(items[1].node.code.as_ref().unwrap()), "needfrag");
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn translation_and_pools() {
    let r = rule("match out on egress inet from 10/8 to any nat-to { 1.2.3.4 weight 2, 1.2.3.5 } port 1024:65535 round-robin sticky-address");
    match &r.options[0].node {
        FilterOpt::NatTo(red) => {
            assert_eq!(red.hosts.len(), 2);
            assert_eq!(word(red.hosts[0].weight.as_ref().unwrap()), "2");
            assert_eq!(word(red.port.as_ref().unwrap()), "1024:65535");
            assert_eq!(red.pool.opts.len(), 2);
        }
        o => panic!("{o:?}"),
    }
    let r = rule("pass in inet af-to inet6 from 2001:db8::1 to 2001:db8::2/96");
    assert!(matches!(
        &r.options[0].node,
        FilterOpt::AfTo {
            af: AddressFamily::Inet6,
            to: Some(_),
            ..
        }
    ));
    let r = rule("pass out route-to { 10.0.0.1, 10.0.0.2 } least-states");
    assert!(
        matches!(&r.options[0].node, FilterOpt::Route { kind: RouteKind::RouteTo, target } if target.hosts.len() == 2)
    );
    assert_eq!(err("pass out route-to (em1 10.0.0.1)").code, "legacy");
    let r = rule("pass in on em0 proto tcp to port 80 rdr-to 10.0.0.2 port 8080 source-hash 0x0123456789abcdef0123456789abcdef");
    assert!(matches!(&r.options[0].node, FilterOpt::RdrTo(red) if red.pool.opts.len() == 1));
    let r = rule("pass in divert-to 127.0.0.1 port 8080");
    assert!(matches!(&r.options[0].node, FilterOpt::DivertTo { .. }));
    let r = rule("pass out divert-packet port 700");
    assert!(matches!(&r.options[0].node, FilterOpt::DivertPacket { .. }));
}

#[test]
fn options_set() {
    for src in [
        "set timeout { tcp.first 10, tcp.opening 20 }",
        "set timeout interval 10",
        "set limit { states 1000, frags 100 }",
        "set limit table-entries 100000",
        "set ruleset-optimization basic",
        "set optimization aggressive",
        "set loginterface em0",
        "set loginterface none",
        "set block-policy return",
        "set state-policy if-bound",
        "set state-defaults pflow, no-sync",
        "set fingerprints \"/etc/pf.os\"",
        "set skip on { lo0 enc0 }",
        "set skip on lo",
        "set debug warning",
        "set debug debug",
        "set reassemble yes no-df",
        "set reassemble no",
        "set hostid 0xdeadbeef",
        "set syncookies adaptive (start 25%, end 12%)",
    ] {
        assert!(matches!(one(src), StatementKind::Option(_)), "{src}");
    }
}

#[test]
fn tables() {
    match one("table <t> persist const counters timeout (60) file \"/etc/x\" { 1.2.3.4, !10/8, self, em0, 2001:db8::/32 weight 3 }") {
        StatementKind::Table(t) => {
            assert_eq!(word(&t.name), "t");
            assert_eq!(t.opts.len(), 6);
            match &t.opts[5].node {
                TableOpt::Addresses(a) => {
                    assert_eq!(a.len(), 5);
                    assert!(a[1].host.node.not);
                    assert!(a[4].weight.is_some());
                }
                o => panic!("{o:?}"),
            }
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(one("table <e> {}"), StatementKind::Table(_)));
}

#[test]
fn anchors_inline_and_nested() {
    let kinds = parse_ok("anchor \"ext\" in on egress {\n  pass\n  anchor {\n   block\n  }\n}\nanchor \"foo/bar\"\nload anchor foo from \"/etc/foo\"\n");
    assert_eq!(kinds.len(), 3);
    match &kinds[0] {
        StatementKind::Anchor(a) => {
            assert_eq!(word(a.name.as_ref().unwrap()), "ext");
            assert_eq!(a.filter.direction, Some(Direction::In));
            let body = a.body.as_ref().unwrap();
            assert_eq!(body.statements.len(), 2);
            match &body.statements[1].kind {
                StatementKind::Anchor(inner) => {
                    assert!(inner.name.is_none());
                    assert_eq!(inner.body.as_ref().unwrap().statements.len(), 1);
                }
                k => panic!("{k:?}"),
            }
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(&kinds[2], StatementKind::LoadAnchor(_)));
}

#[test]
fn antispoof_queue_include_limiters() {
    assert!(
        matches!(one("antispoof log quick for { em0 (em1) } inet label \"spoof\""), StatementKind::Antispoof(a) if a.interfaces.len() == 2 && a.interfaces[1].node.dynamic)
    );
    match one(
        "queue std parent root bandwidth 10M burst 20M for 100ms, min 5M, max 9M qlimit 50 default",
    ) {
        StatementKind::Queue(q) => {
            assert_eq!(q.opts.len(), 4);
            assert!(
                matches!(&q.opts[1].node, QueueOpt::Bandwidth { min: Some(_), max: Some(_), share } if share.burst.is_some())
            );
        }
        k => panic!("{k:?}"),
    }
    assert!(
        matches!(one("queue root on { em0 em1 } bandwidth 1G flows 1024 quantum 1500"), StatementKind::Queue(q) if q.interfaces.len() == 2)
    );
    assert!(matches!(
        one("include \"/etc/pf.d/x.conf\""),
        StatementKind::Include(_)
    ));
    assert!(
        matches!(one("state limiter \"dns-server\" id 1 limit 1000 rate 10/5"), StatementKind::Limiter(l) if l.opts.len() == 3)
    );
    assert!(
        matches!(one("source limiter \"internet\" id 1 entries 10000 limit 1000 rate 100/10 inet6 mask 64 table <over> above 900 below 100"), StatementKind::Limiter(l) if l.opts.len() == 6)
    );
}

#[test]
fn macros_in_value_positions() {
    let r = rule(
        "pass in on $ext_if proto $protos from $lan to ($ext_if:network) port $ports label $l",
    );
    assert!(matches!(&r.interfaces[0].node.target, IfTarget::Name(v) if v.node.is_macro()));
    assert!(
        matches!(&r.hosts.to.as_ref().unwrap().hosts[0].node.kind, HostKind::Dynamic { ifname, .. } if matches!(&ifname.node, Value::Macro(m) if m.name == "ext_if" && m.suffix == ":network"))
    );
    assert!(r.protos[0].node.is_macro());
}

#[test]
fn comment_continuation_and_backslash_space() {
    let kinds = parse_ok("pass in \\\n  proto tcp # c\n# x \\\nblock all\n");
    assert_eq!(kinds.len(), 1);
}

#[test]
fn legacy_syntax_names_the_modern_form() {
    let d = err("nat on $ext_if from $lan to any -> ($ext_if)");
    assert_eq!(d.code, "legacy");
    assert!(d.help.as_ref().unwrap().contains("nat-to"));
    assert_eq!(err("scrub in all").code, "legacy");
    assert_eq!(
        err("altq on em0 cbq bandwidth 1Mb queue { a }").code,
        "legacy"
    );
    assert_eq!(err("rdr-anchor \"x\"").code, "legacy");
    assert_eq!(
        err("queue a bandwidth 10% priority 1 cbq(default)").code,
        "legacy"
    );
}

#[test]
fn labels_and_tags_must_be_strings() {
    assert_eq!(err("pass keep state label 88").code, "syntax");
    assert_eq!(err("pass keep state tag 57").code, "syntax");
}

#[test]
fn prio_needs_a_number() {
    assert_eq!(err("pass set prio high").code, "syntax");
}

#[test]
fn flags_need_a_slash() {
    assert_eq!(err("pass proto tcp flags S").code, "syntax");
}

#[test]
fn per_statement_recovery_reports_every_error() {
    let (rs, diags) = parse("pass quick in\nblock all\npass from\n", FileId(0));
    assert_eq!(rs.statements.len(), 3);
    assert_eq!(diags.len(), 2);
}

mod legacy_prechecks {
    use super::super::legacy::{
        first_two_words, legacy, legacy_with, old_route_to, old_route_to_full,
    };
    use super::super::PosMap;
    use crate::diag::Diagnostic;
    use crate::span::FileId;
    use proptest::prelude::*;

    /// `legacy` without its quick tests: words by `split_whitespace`, an
    /// old `route-to` and a `->` by plain searches.
    fn reference_legacy(text: &str, map: &PosMap) -> Option<Diagnostic> {
        legacy_with(text, map, reference_words(text), || {
            let arrow = text.find("->").filter(|_| !text.contains("\"->"));
            (old_route_to_full(text), arrow)
        })
    }

    fn same(a: Option<Diagnostic>, b: Option<Diagnostic>) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    fn reference_words(t: &str) -> (&str, &str) {
        let mut it = t.split_whitespace();
        (it.next().unwrap_or(""), it.next().unwrap_or(""))
    }

    #[test]
    fn words_on_fixed_cases() {
        for t in [
            "",
            " ",
            "pass",
            "  pass  in ",
            "\x0bpass\x0bin",
            "no\tnat",
            "x\u{a0}y z",
            "\u{2003}nat on",
            "é è",
            "a\u{85}b",
        ] {
            assert_eq!(first_two_words(t), reference_words(t), "{t:?}");
        }
    }

    proptest! {
        #[test]
        fn words_match_split_whitespace(t in "[a-z \\t\\n\\r\\x0b\\x0c\u{a0}\u{85}\u{2003}é-]{0,16}") {
            prop_assert_eq!(first_two_words(&t), reference_words(&t));
        }

        #[test]
        fn legacy_matches_its_reference(
            t in "(nat|rdr|binat|no|scrub|altq|queue|set|pass|match|route-to|reply-to|dup-to|->|\"->\"|\\+=|require-order|cbq|nat-anchor|ether|-|>|\\(|\\)|\\{|em0|1\\.2\\.3\\.4| |\\t|\\n|\u{a0}){0,10}"
        ) {
            let map = PosMap::Direct { file: FileId(0), offset: 3 };
            prop_assert!(same(legacy(&t, &map), reference_legacy(&t, &map)), "{:?}", t);
        }

        #[test]
        fn old_route_to_quick_test_is_exact(

            t in "(route-to|reply-to|dup-to|route|-to|rdr-to|nat-to| |\\t|\\{|\\(|\\)|em0|1\\.2\\.3\\.4|x){0,10}"
        ) {
            prop_assert_eq!(old_route_to(&t), old_route_to_full(&t));
        }
    }
}

mod has_macro_scan {
    use super::super::has_macro;
    use proptest::prelude::*;

    /// The plain character loop `has_macro` replaced.
    fn reference(text: &str) -> bool {
        let mut quote = None;
        let mut comment = false;
        for c in text.chars() {
            match (quote, c) {
                (_, '\n') if comment => comment = false,
                _ if comment => {}
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => comment = true,
                (None, '$') => return true,
                _ => {}
            }
        }
        false
    }

    proptest! {
        #[test]
        fn matches_the_character_loop(t in "[a$\"'#\\n é]{0,20}") {
            prop_assert_eq!(has_macro(&t), reference(&t));
        }
    }
}

#[test]
fn quoted_strings_escape_only_their_own_quote() {
    // pfctl's lexer (parse.y 1.719 yylex): inside quotes `\` + the quote,
    // a space or a tab is that character, `\` + newline is nothing, and a
    // backslash before anything else is itself (so `\\"` is a backslash
    // and a quote, which does not close).
    fn value(src: &str) -> String {
        match one(src) {
            StatementKind::Macro(m) => m.value[0].node.text().to_string(),
            k => panic!("{k:?}"),
        }
    }
    assert_eq!(value("x = \"a\\\"b\""), "a\"b");
    assert_eq!(value("x = 'it\\'s'"), "it's");
    assert_eq!(value("x = \"a\\'b\""), "a\\'b");
    assert_eq!(value("x = \"a\\ b\\\tc\""), "a b\tc");
    assert_eq!(value("x = \"a\\\\\" b\""), "a\\\" b");
    assert_eq!(value("x = \"one\\\ntwo\""), "onetwo");
    // `"a\\"` does not close: the string runs on to the next quote.
    assert!(!parse("x = \"a\\\\\"\n", FileId(0)).1.is_empty());
}

#[test]
fn a_comment_ends_at_a_newline_after_an_escaped_backslash() {
    // `\\` is one backslash: the newline after it ends the comment, and
    // the list goes on.
    match one("table <t> { 10.0.0.1 # c \\\\\n 10.0.0.2 }") {
        StatementKind::Table(t) => {
            let json = serde_json::to_string(&t.opts).unwrap_or_default();
            assert!(
                json.contains("10.0.0.1") && json.contains("10.0.0.2"),
                "{json}"
            );
        }
        k => panic!("{k:?}"),
    }
    // An odd run goes on over the next line: here the closing brace.
    assert!(
        !parse("table <t> { 10.0.0.1 # c \\\\\\\n 10.0.0.2 }\n", FileId(0))
            .1
            .is_empty()
    );
}

/// parse.y 1.719 `lgetc`: outside quotes a backslash that does not end a
/// line is dropped and the next character kept; inside quotes it stays
/// unless the quote or a blank follows. Spans still point into the file.
#[test]
fn stray_backslashes_are_dropped_outside_quotes() {
    let r = rule("pass in proto tcp keep state ( \\max-src-conn 5 )\n");
    let opts = r
        .options
        .iter()
        .find_map(|o| match &o.node {
            FilterOpt::State { opts, .. } => Some(opts.len()),
            _ => None,
        })
        .expect("keep state");
    assert_eq!(opts, 1, "max-src-conn 5");
    let r = rule("pass in on e\\m0 from 10.0.0.1\n");
    let IfTarget::Name(n) = &r.interfaces[0].node.target else {
        panic!("{r:?}")
    };
    assert_eq!(n.node.text(), "em0");
    // The name's span covers `e\m0` in the source (0-based 11..15).
    assert_eq!((n.span.start(), n.span.end()), (11, 15));
    let r = rule("pass in proto tcp to port 22 label \"a\\b\"\n");
    let label = r
        .options
        .iter()
        .find_map(|o| match &o.node {
            FilterOpt::Label { value } => Some(value.node.text().to_string()),
            _ => None,
        })
        .expect("label");
    assert_eq!(label, "a\\b", "kept inside quotes");
}

/// Legacy forms get an error naming the modern form: an ALTQ queue with
/// `priority` (no `cbq`/`priq` word on its line), and `scrub` turned into
/// the match rule with the same filter and only the original's options.
#[test]
fn legacy_queue_priority_and_scrub_name_the_modern_form() {
    let d = err("queue ssh priority 7 qlimit 50\n");
    assert_eq!(d.code, "legacy");
    assert!(
        d.help.as_deref().unwrap_or("").contains("bandwidth"),
        "{d:?}"
    );
    let help = |src: &str| err(src).help.unwrap_or_default();
    assert_eq!(
        help("scrub out on em0 all random-id\n"),
        "normalize with a match rule: `match out on em0 all scrub (random-id)`"
    );
    assert_eq!(
        help("scrub in all no-df max-mss 1440\n"),
        "normalize with a match rule: `match in all scrub (no-df max-mss 1440)`"
    );
    assert!(help("scrub in on em0 all fragment reassemble\n").contains("set reassemble yes"));
}

/// parse.y 1.719: a backslash-newline inside a word joins it (lgetc drops
/// both), and inside quotes a backslash before a blank yields the blank.
#[test]
fn continuations_inside_words_join_them_and_quoted_blanks_are_unescaped() {
    let r = rule("pass in pr\\\noto tcp to port 22\n");
    assert_eq!(r.protos.len(), 1, "{r:?}");
    assert_eq!(r.protos[0].node.text(), "tcp");
    let r = rule("pass in proto tcp to port 22 label \"a\\ b\\\tc\"\n");
    let label = r
        .options
        .iter()
        .find_map(|o| match &o.node {
            FilterOpt::Label { value } => Some(value.node.text().to_string()),
            _ => None,
        })
        .expect("label");
    assert_eq!(label, "a b\tc");
}

/// A misspelt keyword gets the keyword it is closest to.
#[test]
fn keyword_typos_get_did_you_mean() {
    for (src, want) in [
        ("pas in all\n", "did you mean `pass`?"),
        ("blokc all\n", "did you mean `block`?"),
        (
            "pass in proto tcp to port 22 keep stat\n",
            "did you mean `state`?",
        ),
    ] {
        let d = err(src);
        assert_eq!(d.code, "syntax");
        assert!(
            d.help.as_deref().unwrap_or("").starts_with(want),
            "{src:?}: {d:?}"
        );
    }
    // Far from every keyword: no guess.
    assert!(!err("xyzzy all\n")
        .help
        .unwrap_or_default()
        .contains("did you mean"));
}

/// An unclosed `{` or `(` is labelled where it opened, besides where the
/// parser gave up.
#[test]
fn unclosed_brackets_are_labelled_at_their_opening() {
    let d = err("pass in proto tcp to port { 22 80\npass out all\n");
    let label = d.labels.first().expect("a label at the `{`");
    assert_eq!((label.span.start(), label.span.end()), (26, 27));
    assert!(label.message.contains("never closed"), "{d:?}");
    let d = err("pass in proto tcp keep state (max 5\n");
    assert_eq!(d.labels.first().map(|l| l.span.start()), Some(29));
}
