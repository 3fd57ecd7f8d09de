mod keyword_tests {
    use crate::ast::*;
    use std::fmt::Display;
    use std::str::FromStr;

    fn round_trip<T>(all: &[T])
    where
        T: Copy + Display + FromStr + PartialEq + std::fmt::Debug,
        T::Err: std::fmt::Debug,
    {
        for v in all {
            assert_eq!(v.to_string().parse::<T>().ok(), Some(*v), "{v}");
        }
    }

    #[test]
    fn keywords_read_back_what_they_write() {
        round_trip(Direction::ALL);
        round_trip(AddressFamily::ALL);
        round_trip(StateKind::ALL);
        round_trip(BlockPolicy::ALL);
        round_trip(BlockKind::ALL);
        round_trip(StatePolicy::ALL);
        round_trip(SourceTrackScope::ALL);
        round_trip(RouteKind::ALL);
        round_trip(LimiterAction::ALL);
        round_trip(LimiterKind::ALL);
        round_trip(PortOperator::ALL);
    }

    #[test]
    fn display_writes_pf_conf_words() {
        assert_eq!(Direction::Out.to_string(), "out");
        assert_eq!(AddressFamily::Inet6.to_string(), "inet6");
        assert_eq!(StateKind::No.to_string(), "no state");
        assert_eq!(StatePolicy::IfBound.to_string(), "if-bound");
        assert_eq!(RouteKind::ReplyTo.to_string(), "reply-to");
        assert_eq!(LimiterKind::Source.to_string(), "source limiter");
        assert_eq!(PortOperator::Outside.to_string(), "<>");
        assert_eq!(format!("[{:>4}]", Direction::In), "[  in]");
    }

    #[test]
    fn json_forms_stay_as_the_schemas_publish_them() {
        let json = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        // The AST keeps its single words; the new enums write their word.
        assert_eq!(json(serde_json::json!(StateKind::Keep)), "keep");
        assert_eq!(json(serde_json::json!(LimiterKind::State)), "state");
        for op in PortOperator::ALL {
            assert_eq!(json(serde_json::json!(op)), op.to_string());
        }
        for k in BlockKind::ALL {
            assert_eq!(json(serde_json::json!(k)), k.to_string());
        }
    }

    #[test]
    fn unknown_words_are_errors_that_name_the_choices() {
        let e = "modulate".parse::<StateKind>().unwrap_err();
        assert_eq!(e.word, "modulate");
        assert_eq!(
            e.to_string(),
            "unknown state kind `modulate`: expected no state, keep state, modulate state or synproxy state"
        );
        assert!("IN".parse::<Direction>().is_err());
    }

    #[test]
    fn port_operators_compare_as_pf_match_does() {
        use PortOperator::*;
        let cases = [
            (Eq, 80, true),
            (Ne, 80, false),
            (Lt, 79, true),
            (Le, 80, true),
            (Gt, 80, false),
            (Ge, 80, true),
        ];
        for (op, v, want) in cases {
            assert_eq!(op.matches(v, 80, 0), want, "{v} {op} 80");
        }
        assert!(Range.matches(1024, 1024, 2048) && Range.matches(2048, 1024, 2048));
        assert!(!Inside.matches(1024, 1024, 2048) && Inside.matches(1025, 1024, 2048));
        assert!(Outside.matches(1023, 1024, 2048) && !Outside.matches(2048, 1024, 2048));
        assert!(Range.is_binary() && !Le.is_binary());
    }

    #[test]
    fn block_specs_have_a_kind() {
        let s = Span::default();
        let rst = BlockSpec::ReturnRst {
            ttl: Some(Spanned::new(Value::Word("5".into()), s)),
        };
        assert_eq!(rst.kind(), BlockKind::ReturnRst);
        assert_eq!(BlockKind::from(BlockPolicy::Drop), BlockKind::Drop);
    }
}

mod size_tests {
    /// Memory per statement matters on 100,000-rule rulesets: keep the
    /// node small (large variants are boxed).
    #[test]
    fn statement_stays_small() {
        assert!(std::mem::size_of::<crate::ast::Statement>() <= 200);
        assert!(std::mem::size_of::<crate::ast::StatementKind>() <= 96);
    }
}

mod narrows_tests {
    use crate::ast::*;
    use crate::parser::keywords::FILTER_OPTIONS;
    use crate::span::FileId;

    /// Options that test the packet: they narrow.
    const CRITERIA: &[&str] = &[
        "user { root, > 1000 }",
        "group wheel",
        "icmp-type echoreq code 0",
        "icmp6-type neighbrsol",
        "prio 0",
        "tos lowdelay",
        "tagged INTERNAL",
        "! tagged INTERNAL",
        "probability 50%",
        "received-on em0",
        "! received-on any",
        "fragment",
    ];

    /// Options that do something to the packets the rule matches.
    const ACTIONS: &[&str] = &[
        "keep state",
        "no state",
        "modulate state (max 10)",
        "synproxy state",
        "allow-opts",
        "label \"x\"",
        "queue (bulk, ack)",
        "set queue q",
        "tag INTERNAL",
        "rtable 1",
        "divert-to 127.0.0.1 port 8080",
        "divert-reply",
        "divert-packet port 700",
        "scrub (no-df, max-mss 1440)",
        "nat-to 192.0.2.1",
        "binat-to 192.0.2.2",
        "rdr-to 10.0.0.1 port 8080",
        "af-to inet6 from 2001:db8::1",
        "route-to 192.0.2.254",
        "reply-to 192.0.2.254",
        "dup-to 192.0.2.254",
        "set prio (1, 2)",
        "set tos lowdelay",
        "set delay 5",
    ];

    const FLAGS: &[&str] = &["flags S/SA", "flags /SFRA", "flags S/S", "flags $f/SA"];
    const EXPIRING: &[&str] = &["once", "max-pkt-rate 100/10"];
    const LIMITERS_NO_MATCH: &[&str] = &[
        "state limiter dns (no-match)",
        "source limiter web (block, no-match)",
    ];
    const LIMITERS_BLOCK: &[&str] = &["state limiter dns", "source limiter web (block)"];

    /// The option of `pass in TEXT`.
    fn opt(text: &str) -> FilterOpt {
        let (rs, diags) = crate::parser::parse(&format!("pass in {text}"), FileId(0));
        assert!(diags.is_empty(), "{text}: {diags:?}");
        match &rs.statements[0].kind {
            StatementKind::Rule(r) if r.options.len() == 1 => r.options[0].node.clone(),
            k => panic!("{text}: {k:?}"),
        }
    }

    fn narrows(text: &str) -> bool {
        opt(text).narrows()
    }

    #[test]
    fn match_criteria_narrow() {
        for t in CRITERIA {
            assert!(narrows(t), "{t}");
        }
    }

    #[test]
    fn flags_narrow_unless_any() {
        for t in FLAGS {
            assert!(narrows(t), "{t}");
        }
        assert!(!narrows("flags any"));
    }

    #[test]
    fn once_and_max_pkt_rate_narrow() {
        // The rule stops matching: after its first match, or over its rate.
        for t in EXPIRING {
            assert!(narrows(t), "{t}");
        }
    }

    #[test]
    fn a_limiter_narrows_only_with_no_match() {
        for t in LIMITERS_NO_MATCH {
            assert!(narrows(t), "{t}");
        }
        // Without it, a full limiter blocks the packet: the rule matched.
        for t in LIMITERS_BLOCK {
            assert!(!narrows(t), "{t}");
        }
    }

    #[test]
    fn actions_do_not_narrow() {
        for t in ACTIONS {
            assert!(!narrows(t), "{t}");
        }
    }

    #[test]
    fn the_tests_above_meet_every_option_kind() {
        let met: Vec<_> = [
            CRITERIA,
            ACTIONS,
            FLAGS,
            EXPIRING,
            LIMITERS_NO_MATCH,
            LIMITERS_BLOCK,
        ]
        .concat()
        .iter()
        .map(|t| opt(t).kind())
        .collect();
        for spec in FILTER_OPTIONS {
            assert!(
                met.contains(&spec.kind),
                "no narrows test for {}",
                spec.name
            );
        }
    }
}
