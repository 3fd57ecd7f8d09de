//! A rule's options as pfctl prints them: the block policy and return
//! codes, `log`, TCP `flags` (with pass rules' default `flags S/SA`),
//! `keep`/`modulate`/`synproxy state` and its options in pfctl's order
//! (timeouts in `PFTM_*` order), `scrub (...)`, tags, labels, queues,
//! probabilities, `tos`, `divert-to`; it also collects the rule's
//! translation and routing options for the pools.
//!
//! Invariant: the printer shows only what differs from pfctl's defaults
//! (`no state`, `flags any`, `keep state` with options).

use super::{num, text, Base, BlockAnswer, Expander, Log, PoolKind, RuleOpts};
use crate::ast::*;
use crate::names;
use crate::values::{port_value, TIMEOUT_ORDER};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

impl<'a> Expander<'a> {
    pub(super) fn rule_opts(&mut self, base: &Base<'_>) -> RuleOpts {
        let r = base.rule;
        let mut o = RuleOpts::default();
        let is_pass = matches!(r.action.node, Action::Pass) && !base.is_anchor;
        if let Action::Block { policy } = &r.action.node {
            o.block = Some(match policy.as_deref() {
                None if self.block_return => BlockAnswer::Return,
                None | Some(BlockSpec::Drop) => BlockAnswer::Drop,
                Some(BlockSpec::Return) => BlockAnswer::Return,
                Some(BlockSpec::ReturnRst { ttl }) => {
                    BlockAnswer::Rst(ttl.as_ref().and_then(num).unwrap_or(0))
                }
                // pfctl keeps (type, code) pairs; a lone IPv4 code leaves
                // the IPv6 pair at the IPv4 default, as parse.y does.
                Some(BlockSpec::ReturnIcmp { code, code6 }) => {
                    let c4 = code.as_ref().map(|c| icmp_code_value(c, false));
                    let c6 = code6.as_ref().map(|c| (1, icmp_code_value(c, true)));
                    match (c4, c6) {
                        (None, _) => BlockAnswer::Icmp(3, c6.unwrap_or((1, 4))),
                        (Some(a), None) => BlockAnswer::Icmp(a, (3, 3)),
                        (Some(a), Some(b)) => BlockAnswer::Icmp(a, b),
                    }
                }
                Some(BlockSpec::ReturnIcmp6 { code }) => BlockAnswer::Icmp(
                    3,
                    (
                        1,
                        code.as_ref().map(|c| icmp_code_value(c, true)).unwrap_or(4),
                    ),
                ),
            });
        }
        if let Some(l) = &r.log {
            let to = l.to.as_ref().map(text).filter(|t| *t != "pflog0");
            o.log = Some(Log {
                all: l.all,
                matches: l.matches,
                user: l.user,
                to: to.map(str::to_string),
            });
        }
        let mut state: Option<(StateKind, Vec<Spanned<StateOpt>>)> = None;
        let mut flags_given = false;
        for opt in &r.options {
            match &opt.node {
                FilterOpt::Flags { set, mask } => {
                    flags_given = true;
                    o.flags = set.as_ref().map(|s| parse_flags(text(s))).unwrap_or(0);
                    o.flagset = mask.as_ref().map(|s| parse_flags(text(s))).unwrap_or(0);
                }
                FilterOpt::State { kind, opts } => state = Some((*kind, opts.clone())),
                FilterOpt::Fragment => o.fragment = true,
                FilterOpt::AllowOpts => o.allow_opts = true,
                FilterOpt::Label { value } => o.label = Some(text(value).to_string()),
                FilterOpt::Tag { value } => {
                    o.tag = Some(value.iter().map(text).collect::<Vec<_>>().join(" "))
                }
                FilterOpt::Tagged { not, value } => {
                    o.tagged = Some((*not, value.iter().map(text).collect::<Vec<_>>().join(" ")))
                }
                FilterOpt::Prio { value } => o.prio = num(value),
                FilterOpt::Tos { value } => o.tos = Some(tos(value)),
                FilterOpt::Probability { value } => o.prob = probability(text(value)),
                FilterOpt::Rtable { value } => o.rtable = num(value),
                FilterOpt::Once => o.once = true,
                FilterOpt::MaxPktRate { limit, seconds } => {
                    o.pktrate = Some((num(limit).unwrap_or(0), num(seconds).unwrap_or(0)))
                }
                FilterOpt::SetPrio { prio, prio2 } => {
                    let a = num(prio).unwrap_or(0);
                    o.set_prio = Some((a, prio2.as_deref().and_then(num).unwrap_or(a)));
                }
                FilterOpt::SetTos { value } => o.set_tos = Some(tos(value)),
                FilterOpt::SetDelay { value } => o.set_delay = num(value),
                FilterOpt::Queue {
                    name, prio_name, ..
                } => {
                    o.queue = Some((
                        text(name).to_string(),
                        prio_name.as_ref().map(|p| text(p).to_string()),
                    ))
                }
                FilterOpt::ReceivedOn { not, interface } => {
                    let n = match &**interface {
                        IfTarget::Name(n) => text(n).to_string(),
                        IfTarget::Any => "any".into(),
                        IfTarget::Rdomain(n) => format!("rdomain {}", text(n)),
                    };
                    o.received_on =
                        Some(format!(" {}received-on {n}", if *not { "!" } else { "" }));
                }
                FilterOpt::Scrub { opts } => {
                    for s in opts {
                        match &s.node {
                            ScrubOpt::NoDf => o.scrub.no_df = true,
                            ScrubOpt::RandomId => o.scrub.random_id = true,
                            ScrubOpt::MinTtl { value } => o.scrub.min_ttl = num(value),
                            ScrubOpt::MaxMss { value } => o.scrub.max_mss = num(value),
                            ScrubOpt::Reassemble { .. } => o.scrub.reassemble_tcp = true,
                        }
                    }
                }
                FilterOpt::DivertTo { host, port } => {
                    let p = port_value(text(port)).unwrap_or(0);
                    let h = text(host);
                    let addrs: Vec<IpAddr> = match h {
                        "localhost" => vec![
                            IpAddr::V4(Ipv4Addr::LOCALHOST),
                            IpAddr::V6(Ipv6Addr::LOCALHOST),
                        ],
                        _ => h.parse().ok().into_iter().collect(),
                    };
                    o.divert_to = Some((h.to_string(), addrs, p));
                }
                FilterOpt::DivertReply => o.divert = Some(" divert-reply".into()),
                FilterOpt::DivertPacket { port } => {
                    let p = port_value(text(port)).unwrap_or(0);
                    o.divert = Some(format!(" divert-packet port {p}"));
                }
                FilterOpt::NatTo(rd) => o.nat = Some((PoolKind::Nat, (**rd).clone())),
                FilterOpt::BinatTo(rd) => {
                    o.nat = Some((PoolKind::Nat, (**rd).clone()));
                    o.binat = true;
                }
                FilterOpt::RdrTo(rd) => o.rdr = Some((**rd).clone()),
                FilterOpt::AfTo { af, from, to } => {
                    o.afto = Some((*af, (**from).clone(), to.as_deref().cloned()));
                }
                FilterOpt::Route { kind, target } => o.route = Some((*kind, (**target).clone())),
                // Multiplied out with the rule's other lists (`rules.rs`).
                FilterOpt::User { .. } | FilterOpt::Group { .. } | FilterOpt::IcmpType { .. } => {}
                // Not in the expanded text: pfconf does not print limiters
                // yet.
                FilterOpt::Limiter { .. } => {}
            }
        }
        // Keep state by default on pass rules, with `set state-defaults`.
        match state {
            Some((kind, opts)) => {
                o.keep = Some(kind);
                o.state_opts = opts;
            }
            None if is_pass => {
                o.keep = Some(StateKind::Keep);
                o.state_opts = self.state_defaults.clone();
            }
            None => o.keep = Some(StateKind::No),
        }
        if is_pass && !flags_given && !o.fragment && o.keep != Some(StateKind::No) {
            o.flags = parse_flags("S");
            o.flagset = parse_flags("SA");
        }
        let keeps = o.keep.is_some_and(|k| k != StateKind::No);
        o.ropts = self.state_text(&o.state_opts, keeps, &mut o.ropts_any);
        o
    }

    /// pfctl's rule-options parenthesis (after `keep state`).
    fn state_text(&self, opts: &[Spanned<StateOpt>], keeps: bool, any: &mut bool) -> String {
        let mut statelock = false;
        let mut max = None;
        let mut nosync = false;
        let mut track: Option<Option<SourceTrackScope>> = None;
        let mut max_src_states = None;
        let mut max_src_conn = None;
        let mut rate = None;
        let mut max_src_nodes = None;
        let mut overload: Option<(String, bool, bool)> = None;
        let (mut ifbound, mut sloppy, mut pflow) = (false, false, false);
        let mut timeouts: Vec<(usize, String, u64)> = Vec::new();
        for o in opts {
            match &o.node {
                StateOpt::Max { value } => max = num(value),
                StateOpt::NoSync => nosync = true,
                StateOpt::MaxSrcStates { value } => max_src_states = num(value),
                StateOpt::MaxSrcConn { value } => max_src_conn = num(value),
                StateOpt::MaxSrcConnRate { limit, seconds } => {
                    rate = Some((num(limit).unwrap_or(0), num(seconds).unwrap_or(0)))
                }
                StateOpt::Overload {
                    table,
                    flush,
                    global,
                } => overload = Some((text(table).to_string(), *flush, *global)),
                StateOpt::MaxSrcNodes { value } => max_src_nodes = num(value),
                StateOpt::SourceTrack { scope } => track = Some(*scope),
                StateOpt::IfBound => {
                    ifbound = true;
                    statelock = true;
                }
                StateOpt::Floating => statelock = true,
                StateOpt::Sloppy => sloppy = true,
                StateOpt::Pflow => pflow = true,
                StateOpt::Timeout { name, value } => {
                    let n = text(name);
                    let idx = TIMEOUT_ORDER.iter().position(|t| *t == n).unwrap_or(99);
                    timeouts.retain(|t| t.1 != n);
                    timeouts.push((idx, n.to_string(), num(value).unwrap_or(0)));
                }
            }
        }
        // `set state-policy if-bound` applies to stateful rules without
        // their own `if-bound`/`floating`.
        if keeps && !statelock && self.if_bound_default {
            ifbound = true;
        }
        // pfctl derives the adaptive timeouts from `max`.
        if let Some(m) = max {
            if !timeouts.iter().any(|t| t.1.starts_with("adaptive.")) && m / 10 > 0 {
                for (n, f) in [("adaptive.start", 6), ("adaptive.end", 12)] {
                    let idx = TIMEOUT_ORDER.iter().position(|t| *t == n).unwrap_or(99);
                    timeouts.push((idx, n.to_string(), m / 10 * f));
                }
            }
        }
        // pfctl's PFRULE_SRCTRACK / PFRULE_RULESRCTRACK: every per-source
        // limit tracks sources; connection limits and max-src-nodes track
        // them per rule, as does `source-track rule`. A rate limit raises
        // the `src.track` timeout to its period.
        let per_rule = track == Some(Some(SourceTrackScope::Rule))
            || max_src_conn.is_some()
            || rate.is_some()
            || max_src_nodes.is_some();
        if track.is_some() || per_rule || max_src_states.is_some() {
            track = Some(Some(if per_rule {
                SourceTrackScope::Rule
            } else {
                SourceTrackScope::Global
            }));
            if let Some((_, sec)) = rate {
                let idx = TIMEOUT_ORDER
                    .iter()
                    .position(|t| *t == "src.track")
                    .unwrap_or(99);
                match timeouts.iter_mut().find(|t| t.1 == "src.track") {
                    Some(t) => t.2 = t.2.max(sec),
                    None if sec > 0 => timeouts.push((idx, "src.track".to_string(), sec)),
                    None => {}
                }
            }
        }
        timeouts.sort_by_key(|t| t.0);
        let on = max.is_some()
            || max_src_nodes.is_some()
            || max_src_states.is_some()
            || nosync
            || track.is_some()
            || ifbound
            || sloppy
            || pflow
            || !timeouts.is_empty();
        *any = on;
        if !on {
            return String::new();
        }
        // `first` mirrors pfctl's `ropts` flag, including its quirk after
        // `overload` (no comma is printed before the next item).
        let mut s = String::from(" (");
        let mut first = true;
        let item = |s: &mut String, t: &str, first: &mut bool| {
            if !*first {
                s.push_str(", ");
            }
            s.push_str(t);
            *first = false;
        };
        if let Some(m) = max {
            item(&mut s, &format!("max {m}"), &mut first);
        }
        if nosync {
            item(&mut s, "no-sync", &mut first);
        }
        if let Some(t) = track {
            let scope = match t {
                Some(SourceTrackScope::Rule) => "rule",
                _ => "global",
            };
            item(&mut s, &format!("source-track {scope}"), &mut first);
        }
        if let Some(m) = max_src_states {
            item(&mut s, &format!("max-src-states {m}"), &mut first);
        }
        if let Some(m) = max_src_conn {
            item(&mut s, &format!("max-src-conn {m}"), &mut first);
        }
        if let Some((l, sec)) = rate {
            item(&mut s, &format!("max-src-conn-rate {l}/{sec}"), &mut first);
        }
        if let Some(m) = max_src_nodes {
            item(&mut s, &format!("max-src-nodes {m}"), &mut first);
        }
        if let Some((t, flush, global)) = overload {
            if !first {
                s.push_str(", ");
            }
            s.push_str(&format!("overload <{t}>"));
            if flush {
                s.push_str(" flush");
            }
            if global {
                s.push_str(" global");
            }
        }
        if ifbound {
            item(&mut s, "if-bound", &mut first);
        }
        if sloppy {
            item(&mut s, "sloppy", &mut first);
        }
        if pflow {
            item(&mut s, "pflow", &mut first);
        }
        for (_, n, v) in timeouts {
            item(&mut s, &format!("{n} {v}"), &mut first);
        }
        s.push(')');
        s
    }
}

fn icmp_code_value(v: &SValue, v6: bool) -> u8 {
    let t = text(v);
    t.parse::<u8>()
        .ok()
        .or_else(|| names::icmp_code(if v6 { 1 } else { 3 }, t, v6))
        .unwrap_or(0)
}

const TCP_FLAGS: &[u8] = b"FSRPAUEW";

fn parse_flags(s: &str) -> u8 {
    let mut f = 0u8;
    for c in s.bytes() {
        if let Some(i) = TCP_FLAGS.iter().position(|&x| x == c) {
            f |= 1 << i;
        }
    }
    f
}

pub(super) fn flags_text(f: u8) -> String {
    TCP_FLAGS
        .iter()
        .enumerate()
        .filter(|(i, _)| f & (1 << i) != 0)
        .map(|(_, &c)| c as char)
        .collect()
}

fn tos(v: &SValue) -> u8 {
    let t = text(v);
    names::tos_value(t)
        .or_else(|| num(v).and_then(|n| u8::try_from(n).ok()))
        .unwrap_or(0)
}

fn probability(s: &str) -> Option<u32> {
    let (n, pct) = match s.strip_suffix('%') {
        Some(n) => (n, true),
        None => (s, false),
    };
    let mut p: f64 = n.parse().ok()?;
    if pct {
        p *= 0.01;
    }
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    let v = (p * f64::from(u32::MAX) + 0.5).floor() as u32;
    Some(v.max(1))
}

pub(super) fn prob_text(p: u32) -> String {
    let v = f64::from(p) * 100.0 / (f64::from(u32::MAX) + 1.0);
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_text() {
        assert_eq!(probability("50%").map(prob_text), Some("50".to_string()));
    }
}
