//! Checks of one pass, block or match rule (and of the rule part of an
//! `anchor` rule): the block policy, each filter option and whether it
//! fits the rule's protocol, family, direction and action, options given
//! twice, and the address-family decision over hosts and translations;
//! also anchor names, `antispoof` and `log (to ...)`.
//!
//! Invariant: every option is checked, whatever was found before it; the
//! check over the whole rule's address families ("rule expands to no
//! valid combination", as pfctl) runs only when nothing else was found in
//! the rule.

use super::addresses::{host_family, pool_has_family, some_host_without_family};
use super::{join, Checker, MAX_LABEL, MAX_TAG};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::names;
use crate::span::Span;
use crate::values::{parse_addr_word, Family};
use std::collections::{HashMap, HashSet};

impl Checker {
    pub(super) fn filter_rule(&mut self, r: &FilterRule, span: Span, is_anchor: bool) {
        let before = self.diags.len();
        let is_pass = r.action.node == Action::Pass;
        let is_match = r.action.node == Action::Match;
        let is_block = matches!(r.action.node, Action::Block { .. });

        // Block spec.
        let mut return_rst = false;
        if let Action::Block { policy: Some(p) } = &r.action.node {
            match &**p {
                BlockSpec::ReturnRst { ttl } => {
                    return_rst = true;
                    if let Some(t) = ttl {
                        let n = t.node.text().to_string();
                        self.ranged(t, 0, 255, format!("illegal ttl value {n}"));
                    }
                }
                BlockSpec::ReturnIcmp { code, code6 } => {
                    if let Some(c) = code {
                        self.icmp_return_code(c, false);
                    }
                    if let Some(c) = code6 {
                        self.icmp_return_code(c, true);
                    }
                }
                BlockSpec::ReturnIcmp6 { code: Some(c) } => self.icmp_return_code(c, true),
                _ => {}
            }
        }

        if let Some(l) = &r.log {
            self.log_to(l);
        }
        for i in &r.interfaces {
            self.if_target(&i.node.target);
        }
        let protos = self.protocols(&r.protos);
        let known_protos: Vec<u8> = protos.iter().flatten().copied().collect();
        let rule_af = r.af.as_ref().map(|a| match a.node {
            AddressFamily::Inet => Family::V4,
            AddressFamily::Inet6 => Family::V6,
        });

        // Hosts and ports.
        let mut src_f = Vec::new();
        let mut dst_f = Vec::new();
        let mut port_spans = Vec::new();
        if let Some(from) = &r.hosts.from {
            for h in &from.hosts {
                self.host(h, &mut src_f);
            }
            if !from.ports.is_empty() {
                self.ports(&from.ports);
                port_spans.push(from.ports_span.unwrap_or(from.ports[0].span));
            }
        }
        if let Some(to) = &r.hosts.to {
            for h in &to.hosts {
                if matches!(h.node.kind, HostKind::UrpfFailed) {
                    self.err(
                        "bad-address",
                        h.span,
                        "\"urpf-failed\" is not permitted in a destination address",
                    );
                }
                self.host(h, &mut dst_f);
            }
            if !to.ports.is_empty() {
                self.ports(&to.ports);
                port_spans.push(to.ports_span.unwrap_or(to.ports[0].span));
            }
        }
        // decide_address_family: all hosts of one family give the rule that family.
        let decide = |fams: &[Option<Family>]| -> Option<Family> {
            let first = *fams.first()?;
            if fams.iter().all(|f| *f == first) {
                first
            } else {
                None
            }
        };
        let mut af = rule_af
            .or_else(|| decide(&src_f))
            .or_else(|| decide(&dst_f));

        // Options.
        // The groups of options pfctl allows once per rule that were met.
        let mut given: Vec<&'static str> = Vec::new();
        let mut flags: Option<Span> = None;
        let mut icmp: Option<(bool, Span, &Vec<Spanned<IcmpItem>>)> = None;
        let mut state: Option<(StateKind, Span, &Vec<Spanned<StateOpt>>)> = None;
        let mut fragment = false;
        let mut allow_opts = None;
        let mut route: Option<(RouteKind, Span, &Redirect)> = None;
        let mut nat: Option<(Span, &Redirect, bool)> = None;
        let mut rdr: Option<(Span, &Redirect)> = None;
        let mut afto: Option<(Span, AddressFamily, &Redirect, Option<&Redirect>)> = None;
        let mut divert: Option<(Span, &FilterOpt)> = None;
        let mut once = None;
        let mut scrub_nodf_randomid = None;
        let mut users = None;
        let mut groups = None;
        for o in &r.options {
            if let Some(twice) = o.node.spec().given_twice {
                if given.contains(&twice.group) {
                    self.err("redefined", o.span, twice.message);
                } else {
                    given.push(twice.group);
                }
            }
            match &o.node {
                FilterOpt::User { items } => {
                    users = Some(o.span);
                    self.uids(items, "user");
                }
                FilterOpt::Group { items } => {
                    groups = Some(o.span);
                    self.uids(items, "group");
                }
                FilterOpt::Flags { set, mask } => {
                    flags = Some(o.span);
                    let a = set.as_ref().map(|v| self.flag_bits(v)).unwrap_or(Some(0));
                    let b = mask.as_ref().map(|v| self.flag_bits(v)).unwrap_or(Some(0));
                    if let (Some(a), Some(b)) = (a, b) {
                        if a & b != a {
                            self.help("flags-always-false", o.span, "flags always false",
                                "every flag that must be set has to be in the mask: e.g. `flags S/SA`");
                        }
                    }
                }
                FilterOpt::IcmpType { v6, items } => {
                    icmp = Some((*v6, o.span, items));
                    self.icmp_items(items, *v6);
                }
                FilterOpt::Prio { value } => {
                    self.ranged(value, 0, 7, "prio must be 0 - 7");
                }
                FilterOpt::Tos { value } | FilterOpt::SetTos { value } => self.tos(value),
                FilterOpt::State { kind, opts } => {
                    state = Some((*kind, o.span, opts));
                }
                FilterOpt::Fragment => fragment = true,
                FilterOpt::AllowOpts => allow_opts = Some(o.span),
                FilterOpt::Label { value } => {
                    if value.node.text().len() > MAX_LABEL {
                        self.err(
                            "too-long",
                            value.span,
                            format!("rule label too long (max {MAX_LABEL} chars)"),
                        );
                    }
                }
                FilterOpt::Queue {
                    name, prio_name, ..
                } => {
                    for q in std::iter::once(name).chain(prio_name.iter()) {
                        if !self.queues.contains(q.node.text()) {
                            let msg = format!("queue {} is not defined", q.node.text());
                            self.help(
                                "undefined-queue",
                                q.span,
                                msg,
                                "define the queue with `queue NAME ...` before this rule",
                            );
                        }
                    }
                }
                FilterOpt::Tag { value } | FilterOpt::Tagged { value, .. } => {
                    let t = join(value);
                    if t.len() > MAX_TAG {
                        let sp = value.first().map(|v| v.span).unwrap_or(o.span);
                        self.err("too-long", sp, format!("tag too long, max {MAX_TAG} chars"));
                    }
                }
                FilterOpt::Probability { value } => {
                    let t = value.node.text();
                    let p = match t.strip_suffix('%') {
                        Some(x) => x.parse::<f64>().ok().map(|v| v / 100.0),
                        None => t.parse::<f64>().ok(),
                    };
                    match p {
                        Some(p) if (0.0..=1.0).contains(&p) => {}
                        Some(p) => {
                            self.err(
                                "bad-value",
                                value.span,
                                format!("invalid probability: {}%", p * 100.0),
                            );
                        }
                        None => {
                            self.err("bad-value", value.span, format!("invalid probability: {t}"));
                        }
                    }
                }
                FilterOpt::Rtable { value } => {
                    self.ranged(value, 0, 255, "invalid rtable id");
                }
                FilterOpt::DivertTo { host, port } => {
                    divert = Some((o.span, &o.node));
                    if parse_addr_word(host.node.text(), false).is_err() {
                        self.err(
                            "bad-address",
                            host.span,
                            format!("could not parse divert address: {}", host.node.text()),
                        );
                    }
                    if let Some(0) = self.port_word_value(port) {
                        self.err("bad-port", port.span, "invalid divert port: 0");
                    }
                }
                FilterOpt::DivertReply => {
                    divert = Some((o.span, &o.node));
                }
                FilterOpt::DivertPacket { port } => {
                    divert = Some((o.span, &o.node));
                    if let Some(0) = self.port_word_value(port) {
                        self.err("bad-port", port.span, "invalid divert port: 0");
                    }
                }
                FilterOpt::Scrub { opts } => {
                    if let Some(sp) = self.scrub(opts) {
                        scrub_nodf_randomid = Some(sp);
                    }
                }
                FilterOpt::NatTo(red) | FilterOpt::BinatTo(red) => {
                    nat = Some((o.span, red, matches!(o.node, FilterOpt::BinatTo(_))));
                    self.redirect(red, true, Some(""));
                }
                FilterOpt::RdrTo(red) => {
                    rdr = Some((o.span, red));
                    self.redirect(red, true, Some("rdr-to"));
                }
                FilterOpt::AfTo {
                    af: target,
                    from,
                    to,
                } => {
                    afto = Some((o.span, *target, from, to.as_deref()));
                    self.redirect(from, true, Some(""));
                    if let Some(t) = to {
                        self.redirect(t, true, Some(""));
                    }
                }
                FilterOpt::Route { kind, target } => {
                    route = Some((*kind, o.span, target));
                    self.redirect(target, false, None);
                }
                FilterOpt::ReceivedOn { interface, .. } => self.if_target(interface),
                FilterOpt::Once => once = Some(o.span),
                FilterOpt::MaxPktRate { limit, seconds } => {
                    self.unsigned(limit, "only positive values permitted");
                    self.unsigned(seconds, "only positive values permitted");
                }
                FilterOpt::SetPrio { prio, prio2 } => {
                    self.ranged(prio, 0, 7, "prio must be 0 - 7");
                    if let Some(p) = prio2 {
                        self.ranged(p, 0, 7, "prio must be 0 - 7");
                    }
                }
                FilterOpt::SetDelay { value } => {
                    let n = value.node.text().to_string();
                    self.ranged(
                        value,
                        0,
                        0xffff,
                        format!("illegal delay value {n} (0-65535)"),
                    );
                }
                FilterOpt::Limiter { .. } => {}
            }
        }

        if let Some(sp) = once {
            if !(is_pass || is_block) || is_anchor {
                self.err("bad-option", sp, "'once' only applies to pass/block rules");
            }
        }
        // The family before af-to gives one: af-to does on pass and block
        // rules only (collapse_redirspec; anchor rules have no pools).
        let af_without_pools = af;
        // af-to
        if let Some((sp, target, from, to)) = afto {
            if r.direction != Some(Direction::In) {
                self.help(
                    "af-to-direction",
                    sp,
                    "af-to can only be used with direction in",
                    "write `pass in ... af-to ...`",
                );
            }
            if route.is_some() {
                self.err(
                    "af-to-route",
                    sp,
                    "af-to cannot be used together with route-to, reply-to, dup-to",
                );
            }
            let tf = if target == AddressFamily::Inet {
                Family::V4
            } else {
                Family::V6
            };
            let off_target = |h: &RedirHost| host_family(&h.host.node).is_some_and(|f| f != tf);
            // parse.y 1.719, the `AFTO af FROM redirpool pool_opts TO
            // redirpool pool_opts` action: `($4->host->af && $4->host->af
            // != $2) || ($7->host->af && $7->host->af != $2)`, the first
            // host of each pool.
            let first_off = |pool: &Redirect| pool.hosts.first().is_some_and(off_target);
            if to.is_some_and(|t| first_off(from) || first_off(t)) {
                self.err(
                    "af-to-family",
                    sp,
                    "af-to addresses must be in the target address family",
                );
            } else {
                // parse.y 1.719 collapse_redirspec, af-to case (r->naf set
                // from the af-to family), for every host of each pool, the
                // single-pool form too: `if (rs->af && rs->af != h->af)
                // yyerror("%s spec contains addresses that don't match
                // target address family", ...)`.
                for pool in std::iter::once(from).chain(to) {
                    if let Some(h) = pool.hosts.iter().find(|h| off_target(h)) {
                        self.help(
                            "af-to-family",
                            h.host.span,
                            "translation spec contains addresses that don't match target address family",
                            if tf == Family::V4 {
                                "af-to inet translates to IPv4: give IPv4 addresses"
                            } else {
                                "af-to inet6 translates to IPv6: give IPv6 addresses"
                            },
                        );
                    }
                }
            }
            if af == Some(tf) {
                self.err(
                    "af-to-family",
                    sp,
                    "must indicate different address family with af-to",
                );
            }
            if af.is_none() {
                af = Some(if tf == Family::V4 {
                    Family::V6
                } else {
                    Family::V4
                });
            }
            if is_match {
                self.err("bad-option", sp, "af-to is not supported on match rules");
            }
        }

        // Flags and os need tcp among the protocols (the pfrule and
        // anchorrule actions of parse.y 1.719, which word the os message
        // differently for the two).
        let os_without_tcp_list =
            !r.hosts.os.is_empty() && !protos.is_empty() && !known_protos.contains(&6);
        if (flags.is_some() || !r.hosts.os.is_empty())
            && !protos.is_empty()
            && !known_protos.contains(&6)
        {
            if let Some(sp) = flags {
                self.help(
                    "flags-without-tcp",
                    sp,
                    "flags only apply to tcp",
                    "add `proto tcp` or remove the flags",
                );
            }
            if os_without_tcp_list {
                self.err(
                    "os-without-tcp",
                    r.hosts.os[0].span,
                    if is_anchor {
                        "OS fingerprinting only applies to tcp"
                    } else {
                        "OS fingerprinting only apply to tcp"
                    },
                );
            }
        }

        // Per-protocol checks (rule_consistent for each expanded proto).
        let proto_list: Vec<Option<u8>> = if protos.is_empty() {
            vec![Some(0)]
        } else {
            protos.clone()
        };
        let mut reported: HashSet<&'static str> = HashSet::new();
        for p in proto_list.iter().flatten() {
            let p = *p;
            if !port_spans.is_empty() && p != 6 && p != 17 && reported.insert("port") {
                self.help(
                    "port-without-tcp-udp",
                    port_spans[0],
                    "port only applies to tcp/udp",
                    "add `proto tcp` or `proto udp` (or `proto { tcp udp }`) to the rule",
                );
            }
            if let Some(sp) = users {
                if p != 6 && p != 17 && reported.insert("user") {
                    self.help(
                        "user-without-tcp-udp",
                        sp,
                        "user only applies to tcp/udp",
                        "add `proto tcp` or `proto udp`",
                    );
                }
            }
            if let Some(sp) = groups {
                if p != 6 && p != 17 && reported.insert("group") {
                    self.help(
                        "user-without-tcp-udp",
                        sp,
                        "group only applies to tcp/udp",
                        "add `proto tcp` or `proto udp`",
                    );
                }
            }
            if let Some((v6, sp, items)) = icmp {
                let want = if v6 { 58 } else { 1 };
                if p != 1 && p != 58 {
                    if reported.insert("icmp") {
                        self.help(
                            "icmp-type-without-icmp",
                            sp,
                            "icmp-type/code only applies to icmp",
                            if v6 {
                                "add `proto icmp6`"
                            } else {
                                "add `proto icmp`"
                            },
                        );
                    }
                } else if p != want && reported.insert("icmp-mismatch") {
                    self.help(
                        "icmp-type-mismatch",
                        sp,
                        "icmp-type mismatch",
                        if v6 {
                            "icmp6-type goes with `proto icmp6`"
                        } else {
                            "icmp-type goes with `proto icmp`"
                        },
                    );
                }
                let _ = items;
            }
            if ((p == 1 && af == Some(Family::V6)) || (p == 58 && af == Some(Family::V4)))
                && reported.insert("proto-af")
            {
                {
                    let (pn, an) = if p == 1 {
                        ("icmp", "inet6")
                    } else {
                        ("icmp6", "inet")
                    };
                    let sp = r
                        .protos
                        .iter()
                        .find(|x| {
                            names::protocol_number(x.node.text()) == Some(p)
                                || x.node.text() == p.to_string()
                        })
                        .map(|x| x.span)
                        .unwrap_or(span);
                    self.help(
                        "proto-af-mismatch",
                        sp,
                        format!("proto {pn} doesn't match address family {an}"),
                        if p == 1 {
                            "use `proto icmp6` for IPv6"
                        } else {
                            "use `proto icmp` for IPv4"
                        },
                    );
                }
            }
            // parse.y 1.719 rule_consistent, run on every expanded rule
            // (anchor rules too): `if (r->proto != IPPROTO_TCP &&
            // r->os_fingerprint != PF_OSFP_ANY) yyerror("os only applies to
            // tcp")`. A rule without `proto` expands to proto 0, and a list
            // with tcp among others to one rule per protocol, so `os` needs
            // every protocol to be tcp (any os name is a fingerprint other
            // than PF_OSFP_ANY).
            if !r.hosts.os.is_empty() && p != 6 && !os_without_tcp_list && reported.insert("os") {
                self.help(
                    "os-without-tcp",
                    r.hosts.os[0].span,
                    "os only applies to tcp",
                    if protos.is_empty() {
                        "add `proto tcp`: pf fingerprints TCP SYN packets only"
                    } else {
                        "give `os` a rule of its own with `proto tcp`: every protocol of the rule must be tcp"
                    },
                );
            }
            if return_rst && p != 6 && reported.insert("rst") {
                self.help("return-rst-without-tcp", r.action.span, "return-rst can only be applied to TCP rules",
                    "add `proto tcp`, or use `return` which answers TCP with RST and others with ICMP");
            }
        }
        // parse.y 1.719 rule_consistent: `if (!r->af && (r->type ||
        // r->code)) yyerror("must indicate address family with
        // icmp-type/code")`. pfctl does not take the family from `proto
        // icmp`: r->af comes from `inet`/`inet6`, a divert-to address
        // (expand_divertspec, not on anchor rules), the pools of nat-to,
        // rdr-to, route-to and af-to (collapse_redirspec, not on anchor
        // rules) and, per expanded rule, the source or destination host
        // (expand_rule). So the type needs a family when a source host and
        // a destination host can both be without one.
        if let Some((_, sp, _)) = icmp {
            let pools_give_family = !is_anchor
                && (nat.iter().map(|n| n.1).chain(rdr.iter().map(|r| r.1)))
                    .chain(route.iter().map(|r| r.2))
                    .any(pool_has_family);
            let af = if is_anchor { af_without_pools } else { af };
            let divert_gives_family =
                !is_anchor && matches!(divert, Some((_, FilterOpt::DivertTo { .. })));
            let src_hosts = r.hosts.from.as_ref().map_or(&[][..], |e| &e.hosts[..]);
            let dst_hosts = r.hosts.to.as_ref().map_or(&[][..], |e| &e.hosts[..]);
            if af.is_none()
                && !pools_give_family
                && !divert_gives_family
                && some_host_without_family(src_hosts)
                && some_host_without_family(dst_hosts)
            {
                self.help(
                    "icmp-type-without-af",
                    sp,
                    "must indicate address family with icmp-type/code",
                    "add `inet` (icmp-type) or `inet6` (icmp6-type): pfctl does not take the family from the protocol",
                );
            }
        }
        if fragment && (!port_spans.is_empty() || flags.is_some() || icmp.is_some()) {
            self.err(
                "fragment",
                span,
                "fragments can be filtered only on IP header fields",
            );
        }
        if let Some(sp) = allow_opts {
            if !is_pass {
                self.err(
                    "bad-option",
                    sp,
                    "allow-opts can only be specified for pass rules",
                );
            }
        }

        // State.
        let keep_state = match state {
            Some((StateKind::No, _, _)) => false,
            Some(_) => true,
            None => is_pass,
        };
        if let Some((kind, sp, opts)) = state {
            if is_anchor && kind != StateKind::No {
                self.err("bad-option", sp, "cannot specify state handling on anchors");
            } else if !is_pass && kind != StateKind::No {
                self.help(
                    "state-on-non-pass",
                    sp,
                    "keep state is great, but only for pass rules",
                    "remove the state option from block and match rules",
                );
            }
            self.state_opts(opts, Some(kind), false);
        }
        if let Some((_, sp, _)) = route {
            if is_anchor {
                self.err("bad-option", sp, "cannot specify route handling on anchors");
            }
        }

        // Routing.
        if let Some((kind, sp, target)) = route {
            if kind != RouteKind::DupTo && r.direction.is_none() {
                self.help(
                    "route-direction",
                    sp,
                    "direction must be explicit with rules that specify routing",
                    "add `in` or `out`",
                );
            }
            if !keep_state && !is_anchor {
                self.err(
                    "route-without-state",
                    sp,
                    "route-to, reply-to and dup-to require keep state",
                );
            }
            if is_block {
                self.err(
                    "bad-option",
                    sp,
                    "route-to, reply-to and dup-to are not supported on block rules",
                );
            }
            if is_match {
                self.err(
                    "bad-option",
                    sp,
                    "route-to, reply-to and dup-to are not supported on match rules",
                );
            }
            self.af_mismatch(target, af, sp, "routing");
            for h in &target.hosts {
                if let HostKind::Dynamic { ifname, .. } = &h.host.node.kind {
                    if !ifname.node.text().ends_with(":peer") {
                        self.err(
                            "route-dynamic",
                            h.host.span,
                            "route spec requires :peer with dynamic interface addresses",
                        );
                    }
                }
            }
        }
        // Translation.
        if let Some((sp, red, binat)) = nat {
            if !is_match && !keep_state {
                self.err(
                    "nat-without-state",
                    sp,
                    "nat-to and rdr-to require keep state",
                );
            }
            // parse.y 1.719 rule_consistent: only `r->direction == PF_INOUT`
            // is refused ("nat-to and rdr-to require a direction"); the
            // older "nat-to can only be used outbound" check is gone, so
            // nat-to on an `in` rule is accepted.
            if r.direction.is_none() && !binat {
                self.help(
                    "nat-direction",
                    sp,
                    "nat-to and rdr-to require a direction",
                    "add `out` (nat-to is usually applied outbound) or `in`",
                );
            }
            if binat && r.direction.is_some() {
                self.err(
                    "binat-direction",
                    sp,
                    "binat-to cannot be specified with a direction",
                );
            }
            self.af_mismatch(red, af, sp, "translation");
            if binat {
                self.binat(r, red, sp);
            }
            self.pool(red, sp, false);
        }
        if let Some((sp, red)) = rdr {
            if !is_match && !keep_state {
                self.err(
                    "nat-without-state",
                    sp,
                    "nat-to and rdr-to require keep state",
                );
            }
            // parse.y 1.719 rule_consistent: as for nat-to, only a rule
            // without a direction is refused; rdr-to on `out` is accepted.
            if r.direction.is_none() {
                self.help(
                    "rdr-direction",
                    sp,
                    "nat-to and rdr-to require a direction",
                    "add `in` (rdr-to is usually applied inbound) or `out`",
                );
            }
            self.af_mismatch(red, af, sp, "translation");
            self.pool(red, sp, true);
        }
        // Divert.
        if let Some((sp, d)) = divert {
            match d {
                FilterOpt::DivertTo { host, .. } => {
                    if r.direction == Some(Direction::Out) {
                        self.err("divert-direction", sp, "divert-to used with outgoing rule");
                    } else if let (Some(raf), Ok(a)) =
                        (af, parse_addr_word(host.node.text(), false))
                    {
                        if a.family().is_some()
                            && a.family() != Some(raf)
                            && host.node.text() != "localhost"
                        {
                            self.err("divert-af", sp, "divert-to address family mismatch");
                        }
                    }
                }
                FilterOpt::DivertReply if r.direction == Some(Direction::In) => {
                    self.err(
                        "divert-direction",
                        sp,
                        "divert-reply used with incoming rule",
                    );
                }
                _ => {}
            }
            if is_match {
                self.err("bad-option", sp, "divert is not supported on match rules");
            }
        }
        if let Some(sp) = scrub_nodf_randomid {
            if af == Some(Family::V6) {
                self.err(
                    "scrub-inet6",
                    sp,
                    "address family inet6 does not support scrub options no-df, random-id",
                );
            }
        }

        // Families: a rule whose fixed family excludes every source or every
        // destination expands to nothing.
        if self.diags.len() == before {
            let fits = |fams: &[Option<Family>]| {
                fams.is_empty() || fams.iter().any(|f| f.is_none() || af.is_none() || *f == af)
            };
            let cross = src_f
                .iter()
                .any(|s| dst_f.iter().any(|d| s.is_none() || d.is_none() || s == d))
                || src_f.is_empty()
                || dst_f.is_empty();
            if !fits(&src_f) || !fits(&dst_f) || !cross {
                self.help(
                    "no-valid-combination",
                    span,
                    "rule expands to no valid combination",
                    "the addresses do not fit the rule's address family (inet/inet6)",
                );
            }
        }
    }

    fn log_to(&mut self, l: &LogOpts) {
        if let Some(to) = &l.to {
            let t = to.node.text();
            match t.strip_prefix("pflog") {
                None => {
                    self.err(
                        "bad-value",
                        to.span,
                        format!("{t}: should be a pflog interface"),
                    );
                }
                Some(n) if !matches!(n.parse::<u32>(), Ok(0..=255)) => {
                    self.err("bad-value", to.span, format!("{t}: invalid"));
                }
                _ => {}
            }
        }
    }

    pub(super) fn anchor(
        &mut self,
        a: &AnchorRule,
        span: Span,
        inline: &mut HashMap<String, Span>,
    ) {
        if let Some(n) = &a.name {
            let t = n.node.text();
            if t.is_empty() {
                self.err("anchor-name", n.span, "anchor name must not be empty");
            } else if t.starts_with('_') || t.contains("/_") {
                self.err(
                    "anchor-name",
                    n.span,
                    "anchor names beginning with '_' are reserved for internal use",
                );
            } else if a.body.is_some() && t.contains('/') {
                self.err(
                    "anchor-name",
                    n.span,
                    "anchor paths containing '/' cannot be used for inline anchors.",
                );
            } else if a.body.is_some() {
                if let Some(prev) = inline.get(t) {
                    let prev = *prev;
                    self.diags.push(
                        Diagnostic::error(
                            "anchor-name",
                            n.span,
                            format!("inline anchor '{t}' already exists"),
                        )
                        .with_label(prev, "first defined here"),
                    );
                }
                inline.insert(t.to_string(), n.span);
            }
        } else if a.body.is_none() {
            self.help(
                "anchor-name",
                span,
                "anchors without explicit rules must specify a name",
                "name the anchor: `anchor \"name\"`",
            );
        }
        self.filter_rule(&a.filter, span, true);
    }

    pub(super) fn antispoof(&mut self, a: &Antispoof) {
        if let Some(l) = &a.label {
            if l.node.text().len() > MAX_LABEL {
                self.err(
                    "too-long",
                    l.span,
                    format!("rule label too long (max {MAX_LABEL} chars)"),
                );
            }
        }
        if let Some(r) = &a.rtable {
            self.ranged(r, 0, 255, "invalid rtable id");
        }
        for i in &a.interfaces {
            self.if_target(&i.node.target);
        }
        if let Some(l) = &a.log {
            self.log_to(l);
        }
    }
}
