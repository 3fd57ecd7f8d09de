//! The canonical text of each AST node: single spaces, lists as
//! `{ a, b, c }`, macro values double-quoted. A statement is printed as
//! pieces the layout may break between (see [`super::layout`]).

use super::layout::Quotes;
use super::tokens::normal_list;
use crate::ast::*;
use crate::span::Span;

fn v(x: &SValue) -> String {
    value(&x.node)
}

fn value(x: &Value) -> String {
    match x {
        Value::Word(w) => w.to_string(),
        Value::Quoted(q) => quote(q),
        Value::Macro(m) => format!("${}{}", m.name, m.suffix),
    }
}

pub(super) fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        // pfctl's lexer (parse.y 1.719 yylex) reads `\"`, `\ ` and `\<tab>`
        // as the quote or the blank, and a backslash before anything else
        // as itself (`\\"` is a backslash and a quote). So a backslash
        // before a blank is written `\\`: the first stays, the second
        // escapes the blank. A backslash at the end, or before a newline
        // (which pfctl drops with it), cannot be written: the safety net
        // then keeps the statement as written.
        if c == '"' || (c == '\\' && matches!(chars.peek(), Some(' ' | '\t'))) {
            o.push('\\');
        }
        o.push(c);
    }
    o.push('"');
    o
}

/// A list as written in a rule: `{ a, b }`, or the item alone.
fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    if items.len() == 1 {
        f(&items[0])
    } else {
        format!(
            "{{ {} }}",
            items.iter().map(f).collect::<Vec<_>>().join(", ")
        )
    }
}

fn braced<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    format!(
        "{{ {} }}",
        items.iter().map(f).collect::<Vec<_>>().join(", ")
    )
}

fn af(a: AddressFamily) -> &'static str {
    match a {
        AddressFamily::Inet => "inet",
        AddressFamily::Inet6 => "inet6",
    }
}

fn if_target(t: &IfTarget) -> String {
    match t {
        IfTarget::Any => "any".into(),
        IfTarget::Rdomain(n) => format!("rdomain {}", v(n)),
        IfTarget::Name(n) => v(n),
    }
}

fn if_item(i: &Spanned<IfItem>) -> String {
    format!(
        "{}{}",
        if i.node.not { "! " } else { "" },
        if_target(&i.node.target)
    )
}

fn host(h: &Host) -> String {
    let not = if h.not { "! " } else { "" };
    let body = match &h.kind {
        HostKind::Any => "any".to_string(),
        HostKind::NoRoute => "no-route".into(),
        HostKind::UrpfFailed => "urpf-failed".into(),
        HostKind::Address { addr, mask } => match mask {
            Some(m) => format!("{}/{}", v(addr), v(m)),
            None => v(addr),
        },
        HostKind::Range { from, to } => format!("{} - {}", v(from), v(to)),
        HostKind::Table { name } => format!("<{}>", v(name)),
        HostKind::Dynamic { ifname, mask } => match mask {
            Some(m) => format!("({})/{}", v(ifname), v(m)),
            None => format!("({})", v(ifname)),
        },
        HostKind::Route { label } => format!("route {}", v(label)),
        HostKind::List(items) => braced(items, |x| host(&x.node)),
    };
    format!("{not}{body}")
}

fn port_item(p: &Spanned<PortItem>) -> String {
    match &p.node {
        PortItem::Eq { value } => v(value),
        PortItem::Unary { op, value } => format!("{op} {}", v(value)),
        PortItem::Binary { low, op, high } => format!("{} {op} {}", v(low), v(high)),
    }
}

fn endpoint(kw: &str, e: &Endpoint) -> String {
    let mut s = kw.to_string();
    if e.any {
        s.push_str(" any");
    } else if !e.hosts.is_empty() {
        s.push(' ');
        s.push_str(&list(&e.hosts, |h| host(&h.node)));
    }
    if !e.ports.is_empty() {
        s.push_str(" port ");
        s.push_str(&list(&e.ports, port_item));
    }
    s
}

fn log(l: &LogOpts) -> String {
    let mut o = Vec::new();
    if l.all {
        o.push("all".to_string());
    }
    if l.matches {
        o.push("matches".to_string());
    }
    if l.user {
        o.push("user".to_string());
    }
    if let Some(t) = &l.to {
        o.push(format!("to {}", v(t)));
    }
    if o.is_empty() {
        "log".into()
    } else {
        format!("log ({})", o.join(", "))
    }
}

fn state_opt(o: &StateOpt) -> String {
    match o {
        StateOpt::Max { value } => format!("max {}", v(value)),
        StateOpt::NoSync => "no-sync".into(),
        StateOpt::MaxSrcStates { value } => format!("max-src-states {}", v(value)),
        StateOpt::MaxSrcConn { value } => format!("max-src-conn {}", v(value)),
        StateOpt::MaxSrcConnRate { limit, seconds } => {
            format!("max-src-conn-rate {}/{}", v(limit), v(seconds))
        }
        StateOpt::Overload {
            table,
            flush,
            global,
        } => {
            let mut s = format!("overload <{}>", v(table));
            if *flush {
                s.push_str(" flush");
                if *global {
                    s.push_str(" global");
                }
            }
            s
        }
        StateOpt::MaxSrcNodes { value } => format!("max-src-nodes {}", v(value)),
        StateOpt::SourceTrack { scope } => match scope {
            None => "source-track".into(),
            Some(SourceTrackScope::Rule) => "source-track rule".into(),
            Some(SourceTrackScope::Global) => "source-track global".into(),
        },
        StateOpt::IfBound => "if-bound".into(),
        StateOpt::Floating => "floating".into(),
        StateOpt::Sloppy => "sloppy".into(),
        StateOpt::Pflow => "pflow".into(),
        StateOpt::Timeout { name, value } => format!("{} {}", v(name), v(value)),
    }
}

fn pool(p: &PoolOpts) -> String {
    p.opts
        .iter()
        .map(|o| match &o.node {
            PoolOpt::Bitmask => "bitmask".to_string(),
            PoolOpt::Random => "random".into(),
            PoolOpt::SourceHash { key } => {
                let mut s = "source-hash".to_string();
                for k in key {
                    s.push(' ');
                    s.push_str(&v(k));
                }
                s
            }
            PoolOpt::RoundRobin => "round-robin".into(),
            PoolOpt::LeastStates => "least-states".into(),
            PoolOpt::StaticPort => "static-port".into(),
            PoolOpt::StickyAddress => "sticky-address".into(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn table_entry(e: &TableEntry) -> String {
    match &e.weight {
        Some(w) => format!("{} weight {}", host(&e.host.node), v(w)),
        None => host(&e.host.node),
    }
}

fn redir_host(h: &RedirHost) -> String {
    match &h.weight {
        Some(w) => format!("{} weight {}", host(&h.host.node), v(w)),
        None => host(&h.host.node),
    }
}

fn icmp_item(i: &Spanned<IcmpItem>) -> String {
    match &i.node.code {
        Some(c) => format!("{} code {}", v(&i.node.icmp_type), v(c)),
        None => v(&i.node.icmp_type),
    }
}

fn redirect(r: &Redirect) -> String {
    let hosts = list(&r.hosts, redir_host);
    let mut s = hosts;
    if let Some(p) = &r.port {
        s.push_str(" port ");
        s.push_str(&v(p));
    }
    let po = pool(&r.pool);
    if !po.is_empty() {
        s.push(' ');
        s.push_str(&po);
    }
    s
}

fn words(vs: &[SValue]) -> String {
    vs.iter().map(v).collect::<Vec<_>>().join(" ")
}

pub(crate) fn filter_opt(o: &FilterOpt) -> String {
    match o {
        FilterOpt::User { items } => format!("user {}", list(items, port_item)),
        FilterOpt::Group { items } => format!("group {}", list(items, port_item)),
        FilterOpt::Flags { set, mask } => match (set, mask) {
            (None, None) => "flags any".into(),
            (s, m) => format!(
                "flags {}/{}",
                s.as_deref().map(v).unwrap_or_default(),
                m.as_deref().map(v).unwrap_or_default()
            ),
        },
        FilterOpt::IcmpType { v6, items } => format!(
            "{} {}",
            if *v6 { "icmp6-type" } else { "icmp-type" },
            list(items, icmp_item)
        ),
        FilterOpt::Prio { value } => format!("prio {}", v(value)),
        FilterOpt::Tos { value } => format!("tos {}", v(value)),
        FilterOpt::State { kind, opts } => {
            let k = match kind {
                StateKind::No => "no state",
                StateKind::Keep => "keep state",
                StateKind::Modulate => "modulate state",
                StateKind::Synproxy => "synproxy state",
            };
            if opts.is_empty() {
                k.to_string()
            } else {
                format!(
                    "{k} ({})",
                    opts.iter()
                        .map(|o| state_opt(&o.node))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        FilterOpt::Fragment => "fragment".into(),
        FilterOpt::AllowOpts => "allow-opts".into(),
        FilterOpt::Label { value } => format!("label {}", v(value)),
        FilterOpt::Queue {
            name,
            prio_name,
            set,
        } => {
            let q = match prio_name {
                Some(p) => format!("({}, {})", v(name), v(p)),
                None => v(name),
            };
            if *set {
                format!("set queue {q}")
            } else {
                format!("queue {q}")
            }
        }
        FilterOpt::Tag { value } => format!("tag {}", words(value)),
        FilterOpt::Tagged { not, value } => {
            format!("{}tagged {}", if *not { "! " } else { "" }, words(value))
        }
        FilterOpt::Probability { value } => format!("probability {}", v(value)),
        FilterOpt::Rtable { value } => format!("rtable {}", v(value)),
        FilterOpt::DivertTo { host, port } => format!("divert-to {} port {}", v(host), v(port)),
        FilterOpt::DivertReply => "divert-reply".into(),
        FilterOpt::DivertPacket { port } => format!("divert-packet port {}", v(port)),
        FilterOpt::Scrub { opts } => format!(
            "scrub ({})",
            opts.iter()
                .map(|o| match &o.node {
                    ScrubOpt::NoDf => "no-df".to_string(),
                    ScrubOpt::MinTtl { value } => format!("min-ttl {}", v(value)),
                    ScrubOpt::MaxMss { value } => format!("max-mss {}", v(value)),
                    ScrubOpt::Reassemble { value } => format!("reassemble {}", v(value)),
                    ScrubOpt::RandomId => "random-id".into(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FilterOpt::NatTo(r) => format!("nat-to {}", redirect(r)),
        FilterOpt::BinatTo(r) => format!("binat-to {}", redirect(r)),
        FilterOpt::RdrTo(r) => format!("rdr-to {}", redirect(r)),
        FilterOpt::AfTo { af: a, from, to } => {
            let mut s = format!("af-to {} from {}", af(*a), redirect(from));
            if let Some(t) = to {
                s.push_str(" to ");
                s.push_str(&redirect(t));
            }
            s
        }
        FilterOpt::Route { kind, target } => {
            let k = match kind {
                RouteKind::RouteTo => "route-to",
                RouteKind::ReplyTo => "reply-to",
                RouteKind::DupTo => "dup-to",
            };
            format!("{k} {}", redirect(target))
        }
        FilterOpt::ReceivedOn { not, interface } => {
            format!(
                "{}received-on {}",
                if *not { "! " } else { "" },
                if_target(interface)
            )
        }
        FilterOpt::Once => "once".into(),
        FilterOpt::MaxPktRate { limit, seconds } => {
            format!("max-pkt-rate {}/{}", v(limit), v(seconds))
        }
        FilterOpt::SetPrio { prio, prio2 } => match prio2 {
            Some(p) => format!("set prio ({}, {})", v(prio), v(p)),
            None => format!("set prio {}", v(prio)),
        },
        FilterOpt::SetTos { value } => format!("set tos {}", v(value)),
        FilterOpt::SetDelay { value } => format!("set delay {}", v(value)),
        FilterOpt::Limiter {
            kind,
            name,
            actions,
        } => {
            let k = match kind {
                LimiterKind::State => "state",
                LimiterKind::Source => "source",
            };
            let mut s = format!("{k} limiter {}", v(name));
            if !actions.is_empty() {
                let a: Vec<&str> = actions
                    .iter()
                    .map(|a| match a {
                        LimiterAction::Block => "block",
                        LimiterAction::NoMatch => "no-match",
                    })
                    .collect();
                s.push_str(&format!(" ({})", a.join(", ")));
            }
            s
        }
    }
}

/// The rule's head (everything up to the filter options) and its options,
/// each a piece the layout may break between.
fn rule_pieces(r: &FilterRule, head: String) -> Vec<String> {
    let mut h = head;
    let mut push = |s: &str| {
        if !h.is_empty() {
            h.push(' ');
        }
        h.push_str(s);
    };
    if let Some(d) = r.direction {
        push(match d {
            Direction::In => "in",
            Direction::Out => "out",
        });
    }
    if let Some(l) = &r.log {
        push(&log(l));
    }
    if r.quick {
        push("quick");
    }
    let mut pieces = vec![h];
    let mut mid = Vec::new();
    if !r.interfaces.is_empty() {
        mid.push(format!("on {}", list(&r.interfaces, if_item)));
    }
    if let Some(a) = &r.af {
        mid.push(af(a.node).to_string());
    }
    if !r.protos.is_empty() {
        mid.push(format!("proto {}", list(&r.protos, v)));
    }
    if !mid.is_empty() {
        pieces.push(mid.join(" "));
    }
    let hs = &r.hosts;
    if hs.all {
        pieces.push("all".into());
    } else {
        if let Some(f) = &hs.from {
            pieces.push(endpoint("from", f));
        }
        if !hs.os.is_empty() {
            pieces.push(format!("os {}", list(&hs.os, v)));
        }
        if let Some(t) = &hs.to {
            pieces.push(endpoint("to", t));
        }
    }
    pieces.extend(r.options.iter().map(|o| filter_opt(&o.node)));
    pieces
}

/// A macro definition's pieces (`name = value`, then each further part of
/// a value written in parts, which pfctl joins with single spaces
/// wherever the lines break) and how the layout may read their quotes.
///
/// A value that is a `{ }` list has its blanks made single spaces (they
/// mean nothing to pfctl's tokenizer once the macro is expanded; strings
/// quoted inside it are kept byte for byte) and may be broken inside its
/// quotes. Any other quoted value that the file continues over several
/// lines (`raw` gives the source text of a part, when known) is kept as
/// written: its line breaks and the blanks that start its lines are part
/// of the value.
pub(super) fn macro_pieces(
    m: &MacroDef,
    raw: &dyn Fn(Span) -> Option<String>,
) -> (Vec<String>, Quotes) {
    let name = if m
        .name
        .node
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-:".contains(c))
        && !m.name.node.is_empty()
    {
        m.name.node.clone()
    } else {
        quote(&m.name.node)
    };
    let part = |p: &SValue| match &p.node {
        Value::Word(w) | Value::Quoted(w) => quote(w),
        Value::Macro(_) => v(p),
    };
    if let [one] = m.value.as_slice() {
        if let Value::Quoted(q) = &one.node {
            if let Some(list) = normal_list(q) {
                return (
                    vec![format!("{name} = {}", quote(&list))],
                    Quotes::ListValue,
                );
            }
            if let Some(r) = raw(one.span) {
                let quote_char = r.chars().next().unwrap_or('"');
                let inner = r.get(1..r.len().saturating_sub(1)).unwrap_or("");
                if r.contains('\n')
                    && r.len() >= 2
                    && r.ends_with(quote_char)
                    && crate::parser::unquote(inner, quote_char) == q.as_str()
                {
                    return (vec![format!("{name} = {r}")], Quotes::Atomic);
                }
            }
        }
    }
    let mut pieces: Vec<String> = Vec::with_capacity(m.value.len());
    for (i, p) in m.value.iter().enumerate() {
        if i == 0 {
            pieces.push(format!("{name} = {}", part(p)));
        } else {
            pieces.push(part(p));
        }
    }
    if pieces.is_empty() {
        pieces.push(format!("{name} = "));
    }
    (pieces, Quotes::Atomic)
}

fn service_curve(c: &ServiceCurve) -> String {
    match &c.burst {
        Some((b, t)) => format!("{} burst {} for {}", v(&c.bandwidth), v(b), v(t)),
        None => v(&c.bandwidth),
    }
}

pub(super) fn pieces(k: &StatementKind, open_block: bool) -> Vec<String> {
    match k {
        StatementKind::Macro(m) => macro_pieces(m, &|_| None).0,
        StatementKind::Include(i) => vec![format!("include {}", v(&i.path))],
        StatementKind::LoadAnchor(l) => vec![format!(
            "load anchor {} from {}",
            v(&l.name),
            words(&l.file)
        )],
        StatementKind::Table(t) => {
            let mut p = vec![format!("table <{}>", v(&t.name))];
            for o in &t.opts {
                p.push(match &o.node {
                    TableOpt::Flag(f) => v(f),
                    TableOpt::Timeout(n) => format!("timeout ({})", v(n)),
                    TableOpt::File(f) => format!("file {}", v(f)),
                    TableOpt::Addresses(a) => {
                        if a.is_empty() {
                            "{ }".to_string()
                        } else {
                            braced(a, table_entry)
                        }
                    }
                });
            }
            p
        }
        StatementKind::Option(o) => vec![option(o)],
        StatementKind::Rule(r) => {
            let head = match &r.action.node {
                Action::Pass => "pass".to_string(),
                Action::Match => "match".to_string(),
                Action::Block { policy } => match policy.as_deref() {
                    None => "block".into(),
                    Some(BlockSpec::Drop) => "block drop".into(),
                    Some(BlockSpec::Return) => "block return".into(),
                    Some(BlockSpec::ReturnRst { ttl }) => match ttl {
                        Some(t) => format!("block return-rst (ttl {})", v(t)),
                        None => "block return-rst".into(),
                    },
                    Some(BlockSpec::ReturnIcmp { code, code6 }) => match (code, code6) {
                        (Some(c), Some(c6)) => format!("block return-icmp ({}, {})", v(c), v(c6)),
                        (Some(c), None) => format!("block return-icmp ({})", v(c)),
                        _ => "block return-icmp".into(),
                    },
                    Some(BlockSpec::ReturnIcmp6 { code }) => match code {
                        Some(c) => format!("block return-icmp6 ({})", v(c)),
                        None => "block return-icmp6".into(),
                    },
                },
            };
            rule_pieces(r, head)
        }
        StatementKind::Anchor(a) => {
            let head = match &a.name {
                Some(n) => format!("anchor {}", v(n)),
                None => "anchor".to_string(),
            };
            let mut p = rule_pieces(&a.filter, head);
            if open_block {
                p.push("{".into());
            }
            p
        }
        StatementKind::Antispoof(a) => {
            let mut s = "antispoof".to_string();
            if let Some(l) = &a.log {
                s.push(' ');
                s.push_str(&log(l));
            }
            if a.quick {
                s.push_str(" quick");
            }
            s.push_str(" for ");
            s.push_str(&list(&a.interfaces, |i| {
                if i.node.dynamic {
                    format!("({})", if_target(&i.node.target))
                } else {
                    if_target(&i.node.target)
                }
            }));
            if let Some(x) = a.af {
                s.push(' ');
                s.push_str(af(x));
            }
            if let Some(l) = &a.label {
                s.push_str(&format!(" label {}", v(l)));
            }
            if let Some(r) = &a.rtable {
                s.push_str(&format!(" rtable {}", v(r)));
            }
            vec![s]
        }
        StatementKind::Queue(q) => {
            let mut p = vec![format!("queue {}", v(&q.name))];
            if !q.interfaces.is_empty() {
                p[0].push_str(&format!(" on {}", list(&q.interfaces, if_item)));
            }
            for o in &q.opts {
                p.push(match &o.node {
                    QueueOpt::Bandwidth { share, min, max } => {
                        let mut s = format!("bandwidth {}", service_curve(share));
                        if let Some(m) = min {
                            s.push_str(&format!(", min {}", service_curve(m)));
                        }
                        if let Some(m) = max {
                            s.push_str(&format!(", max {}", service_curve(m)));
                        }
                        s
                    }
                    QueueOpt::Parent { value } => format!("parent {}", v(value)),
                    QueueOpt::Default => "default".into(),
                    QueueOpt::Qlimit { value } => format!("qlimit {}", v(value)),
                    QueueOpt::Flows { value } => format!("flows {}", v(value)),
                    QueueOpt::Quantum { value } => format!("quantum {}", v(value)),
                });
            }
            p
        }
        StatementKind::Limiter(l) => {
            let k = match l.kind {
                LimiterKind::State => "state",
                LimiterKind::Source => "source",
            };
            let mut p = vec![format!("{k} limiter {}", v(&l.name))];
            for o in &l.opts {
                p.push(match &o.node {
                    LimiterOpt::Id { value } => format!("id {}", v(value)),
                    LimiterOpt::Limit { value } => format!("limit {}", v(value)),
                    LimiterOpt::Rate { limit, seconds } => {
                        format!("rate {}/{}", v(limit), v(seconds))
                    }
                    LimiterOpt::Entries { value } => format!("entries {}", v(value)),
                    LimiterOpt::Mask { af: a, value } => format!("{} mask {}", af(*a), v(value)),
                    LimiterOpt::Table { name, above, below } => {
                        let mut s = format!("table <{}> above {}", v(name), v(above));
                        if let Some(b) = below {
                            s.push_str(&format!(" below {}", v(b)));
                        }
                        s
                    }
                });
            }
            p
        }
        StatementKind::Unparsed => Vec::new(),
    }
}

fn pairs(vals: &[(SValue, SValue)]) -> String {
    if vals.len() == 1 {
        format!("{} {}", v(&vals[0].0), v(&vals[0].1))
    } else {
        braced(vals, |(a, b)| format!("{} {}", v(a), v(b)))
    }
}

fn option(o: &SetOption) -> String {
    match o {
        SetOption::Reassemble { value, no_df } => {
            format!(
                "set reassemble {}{}",
                v(value),
                if *no_df { " no-df" } else { "" }
            )
        }
        SetOption::Optimization { value } => format!("set optimization {}", v(value)),
        SetOption::RulesetOptimization { value } => {
            format!("set ruleset-optimization {}", v(value))
        }
        SetOption::Timeout { values } => format!("set timeout {}", pairs(values)),
        SetOption::Limit { values } => format!("set limit {}", pairs(values)),
        SetOption::LogInterface { value } => format!("set loginterface {}", v(value)),
        SetOption::HostId { value } => format!("set hostid {}", v(value)),
        SetOption::BlockPolicy { value } => format!(
            "set block-policy {}",
            match value {
                BlockPolicy::Drop => "drop",
                BlockPolicy::Return => "return",
            }
        ),
        SetOption::Fingerprints { value } => format!("set fingerprints {}", v(value)),
        SetOption::StatePolicy { value } => format!(
            "set state-policy {}",
            match value {
                StatePolicy::IfBound => "if-bound",
                StatePolicy::Floating => "floating",
            }
        ),
        SetOption::Debug { value } => format!("set debug {}", v(value)),
        SetOption::Skip { interfaces } => {
            if interfaces.is_empty() {
                "set skip".into()
            } else {
                format!("set skip on {}", list(interfaces, if_item))
            }
        }
        SetOption::StateDefaults { opts } => format!(
            "set state-defaults {}",
            opts.iter()
                .map(|o| state_opt(&o.node))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        SetOption::Syncookies { mode, opts } => {
            let mut s = format!("set syncookies {}", v(mode));
            if !opts.is_empty() {
                s.push_str(&format!(
                    " ({})",
                    opts.iter()
                        .map(|(a, b)| format!("{} {}", v(a), v(b)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            s
        }
    }
}

/// A list item: where it was written and how it is printed.
pub(super) type ListItem = (Span, String);

/// The `{ }` lists of a statement (those a comment may sit in, each item
/// with its span), for the layout of lists with comments.
pub(super) fn lists_of(k: &StatementKind) -> Vec<Vec<ListItem>> {
    fn items<T>(xs: &[T], span: impl Fn(&T) -> Span, text: impl Fn(&T) -> String) -> Vec<ListItem> {
        xs.iter().map(|x| (span(x), text(x))).collect()
    }
    let with_weight = |h: &Spanned<Host>, w: &Option<SValue>| match w {
        Some(w) => h.span.to(w.span),
        None => h.span,
    };
    let mut out = Vec::new();
    match k {
        StatementKind::Table(t) => {
            for o in &t.opts {
                if let TableOpt::Addresses(a) = &o.node {
                    out.push(items(a, |e| with_weight(&e.host, &e.weight), table_entry));
                }
            }
        }
        StatementKind::Rule(r) => {
            out.push(items(&r.interfaces, |i| i.span, if_item));
            out.push(items(&r.protos, |p| p.span, v));
            for e in [&r.hosts.from, &r.hosts.to].into_iter().flatten() {
                out.push(items(&e.hosts, |h| h.span, |h| host(&h.node)));
                out.push(items(&e.ports, |p| p.span, port_item));
            }
            out.push(items(&r.hosts.os, |o| o.span, v));
            for o in &r.options {
                match &o.node {
                    FilterOpt::User { items: xs } | FilterOpt::Group { items: xs } => {
                        out.push(items(xs, |p| p.span, port_item));
                    }
                    FilterOpt::IcmpType { items: xs, .. } => {
                        out.push(items(xs, |i| i.span, icmp_item));
                    }
                    FilterOpt::NatTo(r)
                    | FilterOpt::BinatTo(r)
                    | FilterOpt::RdrTo(r)
                    | FilterOpt::Route { target: r, .. } => {
                        out.push(items(
                            &r.hosts,
                            |h| with_weight(&h.host, &h.weight),
                            redir_host,
                        ));
                    }
                    FilterOpt::AfTo { from, to, .. } => {
                        for r in std::iter::once(from).chain(to) {
                            out.push(items(
                                &r.hosts,
                                |h| with_weight(&h.host, &h.weight),
                                redir_host,
                            ));
                        }
                    }
                    _ => {}
                }
            }
        }
        StatementKind::Option(o) => match o.as_ref() {
            SetOption::Skip { interfaces } => out.push(items(interfaces, |i| i.span, if_item)),
            SetOption::Timeout { values } | SetOption::Limit { values } => {
                out.push(items(
                    values,
                    |(a, b)| a.span.to(b.span),
                    |(a, b)| format!("{} {}", v(a), v(b)),
                ));
            }
            _ => {}
        },
        StatementKind::Antispoof(a) => out.push(items(
            &a.interfaces,
            |i| i.span,
            |i| {
                if i.node.dynamic {
                    format!("({})", if_target(&i.node.target))
                } else {
                    if_target(&i.node.target)
                }
            },
        )),
        StatementKind::Queue(q) => out.push(items(&q.interfaces, |i| i.span, if_item)),
        _ => {}
    }
    out.retain(|l| !l.is_empty());
    out
}
