//! Rule multiplication: a rule's lists (interfaces, protocols, ICMP
//! types, source and destination hosts and ports, users, groups) are
//! multiplied out in pfctl's loop order, the rule's address family is
//! decided (`decide_address_family`, then translation pools), and each
//! combination is built into an [`ExpandedRule`] with its options text.
//!
//! Invariant: combinations whose address families (or scopes) disagree
//! are dropped silently, as pfctl does; the count of combinations stops
//! at `MAX_COMBINATIONS` with a note.

use super::expanded::ip_text;
use super::opts::{flags_text, prob_text};
use super::pools::{pool, redir_hosts};
use super::{
    expand_label, text, Addr, Af, Base, Collapsed, Combo, ExpandedRule, Expander, HostNode,
    IcmpNode, IfNode, PoolKind, Pools, PortOp, RuleOpts, Side, MAX_COMBINATIONS,
};
use crate::accounts::AccountKind;
use crate::ast::*;
use crate::names;
use crate::Protocol;
use std::net::IpAddr;

impl<'a> Expander<'a> {
    pub(super) fn rule(&mut self, base: &Base<'_>, out: &mut Vec<ExpandedRule>) {
        let r = base.rule;
        // Interfaces.
        let mut ifaces: Vec<IfNode> = Vec::new();
        for i in &r.interfaces {
            match &i.node.target {
                IfTarget::Any => ifaces.push(IfNode {
                    name: Some("any".into()),
                    not: i.node.not,
                    rdomain: None,
                }),
                IfTarget::Name(n) => ifaces.push(IfNode {
                    name: Some(text(n).to_string()),
                    not: i.node.not,
                    rdomain: None,
                }),
                IfTarget::Rdomain(n) => ifaces.push(IfNode {
                    name: None,
                    not: i.node.not,
                    rdomain: Some(text(n).to_string()),
                }),
            }
        }
        if ifaces.is_empty() {
            ifaces.push(IfNode {
                name: None,
                not: false,
                rdomain: None,
            });
        }
        // Protocols.
        let mut protos: Vec<Option<Protocol>> =
            r.protos.iter().map(|p| text(p).parse().ok()).collect();
        if protos.is_empty() {
            protos.push(None);
        }
        // ICMP types.
        let mut icmps: Vec<Option<IcmpNode>> = Vec::new();
        for o in &r.options {
            if let FilterOpt::IcmpType { v6, items } = &o.node {
                for it in items {
                    let t = text(&it.node.icmp_type);
                    let ty = t
                        .parse::<u8>()
                        .ok()
                        .or_else(|| names::icmp_type(t, *v6))
                        .unwrap_or(0);
                    let code = it.node.code.as_ref().map(|c| {
                        let c = text(c);
                        c.parse::<u8>()
                            .ok()
                            .or_else(|| names::icmp_code(ty, c, *v6))
                            .unwrap_or(0)
                    });
                    icmps.push(Some(IcmpNode { ty, code, v6: *v6 }));
                }
            }
        }
        if icmps.is_empty() {
            icmps.push(None);
        }
        // Hosts and ports.
        let (src_hosts, src_ports) = self.endpoint(r.hosts.from.as_deref());
        let (dst_hosts, dst_ports) = self.endpoint(r.hosts.to.as_deref());
        // A later `user`/`group` option is put in front of the earlier ones.
        let mut uids: Vec<Option<PortOp>> = Vec::new();
        let mut gids: Vec<Option<PortOp>> = Vec::new();
        for o in &r.options {
            match &o.node {
                FilterOpt::User { items } => {
                    let mut v = self.ports(items, Some(AccountKind::User));
                    v.extend(uids);
                    uids = v;
                }
                FilterOpt::Group { items } => {
                    let mut v = self.ports(items, Some(AccountKind::Group));
                    v.extend(gids);
                    gids = v;
                }
                _ => {}
            }
        }
        if uids.is_empty() {
            uids.push(None);
        }
        if gids.is_empty() {
            gids.push(None);
        }
        // pfctl's decide_address_family: a list whose addresses all have
        // one family gives the rule that family.
        let mut base_af = base.af;
        for list in [&src_hosts, &dst_hosts] {
            if base_af.is_none() {
                let first = list.first().and_then(|h| h.af);
                if first.is_some() && list.iter().all(|h| h.af == first) {
                    base_af = first;
                }
            }
        }
        if base_af.is_none() {
            let opts = &base.rule.options;
            if let Some(ip) = opts.iter().find_map(|o| match &o.node {
                FilterOpt::DivertTo { host, .. } => match text(host) {
                    "localhost" => Some(Af::Inet),
                    h => h.parse::<IpAddr>().ok().map(|ip| Af::of(&ip)),
                },
                _ => None,
            }) {
                base_af = Some(ip);
            }
        }
        let base = &Base {
            rule: base.rule,
            span: base.span,
            action: base.action,
            anchor: base.anchor.clone(),
            is_anchor: base.is_anchor,
            af: base_af,
        };
        let opts = self.rule_opts(base);
        for iface in &ifaces {
            for proto in &protos {
                for icmp in &icmps {
                    for sh in &src_hosts {
                        for dh in &dst_hosts {
                            for sp in &src_ports {
                                for dp in &dst_ports {
                                    for uid in &uids {
                                        for gid in &gids {
                                            let combo = Combo {
                                                iface,
                                                proto: *proto,
                                                icmp: *icmp,
                                                src: sh,
                                                dst: dh,
                                                sport: sp,
                                                dport: dp,
                                                uid,
                                                gid,
                                            };
                                            if self.combos >= MAX_COMBINATIONS {
                                                self.note(format!(
                                                    "expansion stopped after {MAX_COMBINATIONS} combinations"
                                                ));
                                                return;
                                            }
                                            self.combos += 1;
                                            self.emit(base, &opts, &combo, out);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn endpoint(&mut self, e: Option<&Endpoint>) -> (Vec<HostNode>, Vec<Option<PortOp>>) {
        match e {
            None => (vec![HostNode::any()], vec![None]),
            Some(e) => {
                let mut hosts = self.hosts(&e.hosts);
                if hosts.is_empty() {
                    hosts.push(HostNode::any());
                }
                (hosts, self.ports(&e.ports, None))
            }
        }
    }

    fn emit(&mut self, base: &Base<'_>, o: &RuleOpts, c: &Combo<'_>, out: &mut Vec<ExpandedRule>) {
        let mut af = base.af;
        // Translation pools may set the family (pfctl's
        // collapse_redirspec, in its order: rdr, nat, route).
        let rdr = o.rdr.as_ref().map(|rd| self.collapse(rd, &mut af, false));
        let nat = match &o.afto {
            Some((_, from, _)) => Some(self.collapse(from, &mut af, true)),
            None => o
                .nat
                .as_ref()
                .map(|(_, rd)| self.collapse(rd, &mut af, false)),
        };
        if af.is_none() {
            if let Some((afto, _, _)) = &o.afto {
                af = Some(match afto {
                    Af::Inet => Af::Inet6,
                    Af::Inet6 => Af::Inet,
                });
            }
        }
        let route = o
            .route
            .as_ref()
            .map(|(_, rd)| self.collapse(rd, &mut af, false));
        let pools = Pools { rdr, nat, route };
        let (s, d) = (c.src, c.dst);
        if let (Some(a), Some(b)) = (af, s.af) {
            if a != b {
                return;
            }
        }
        if let (Some(a), Some(b)) = (af, d.af) {
            if a != b {
                return;
            }
        }
        if let (Some(a), Some(b)) = (s.af, d.af) {
            if a != b {
                return;
            }
        }
        if let (Some(a), Some(b)) = (&s.scope, &d.scope) {
            if a != b {
                return;
            }
        }
        if let Some(name) = &c.iface.name {
            for sc in [&s.scope, &d.scope].into_iter().flatten() {
                if sc != name {
                    return;
                }
            }
        }
        if af.is_none() {
            af = s.af.or(d.af);
        }
        let ifname = c
            .iface
            .name
            .clone()
            .or_else(|| s.scope.clone())
            .or_else(|| d.scope.clone());
        let nr = self.next_nr(out);
        let binat = o.binat;
        let dir = if binat {
            Some(Direction::Out)
        } else {
            base.rule.direction
        };
        let mut rule = self.build(base, o, c, af, ifname.clone(), dir, nr, false, &pools);
        if base.is_anchor {
            rule.children = None;
        }
        out.push(rule);
        if binat {
            // The inbound half of binat-to: swap source and destination,
            // destination is the translation address, rdr-to the source.
            let nr = self.next_nr(out);
            let rule = self.build(
                base,
                o,
                c,
                af,
                ifname,
                Some(Direction::In),
                nr,
                true,
                &pools,
            );
            out.push(rule);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        &mut self,
        base: &Base<'_>,
        o: &RuleOpts,
        c: &Combo<'_>,
        af: Option<Af>,
        ifname: Option<String>,
        dir: Option<Direction>,
        nr: usize,
        binat_in: bool,
        pools: &Pools,
    ) -> ExpandedRule {
        let proto = c.proto.filter(|p| p.0 != 0).or(c.proto);
        let is_tcp = matches!(proto, None | Some(Protocol::TCP));
        let interface = match (&ifname, &c.iface.rdomain) {
            (Some(n), _) => Some(format!("{}{n}", if c.iface.not { "! " } else { "" })),
            (None, Some(d)) => Some(format!(
                "{}rdomain {d}",
                if c.iface.not { "! " } else { "" }
            )),
            (None, None) => None,
        };
        let mut from = Side {
            not: c.src.not,
            addr: c.src.addr.clone(),
            port: c.sport.clone(),
        };
        let mut to = Side {
            not: c.dst.not,
            addr: c.dst.addr.clone(),
            port: c.dport.clone(),
        };
        let mut options = String::new();
        if binat_in {
            let nat_host = pools.nat.as_ref().and_then(|p| p.hosts.first().cloned());
            from = Side {
                not: c.dst.not,
                addr: c.dst.addr.clone(),
                port: c.dport.clone(),
            };
            to = Side {
                not: false,
                addr: nat_host.map(|h| h.addr).unwrap_or(Addr::Any),
                port: c.sport.clone(),
            };
        }
        // Label and tag macros.
        let lbl =
            |s: &str| -> String { expand_label(s, ifname.as_deref(), af, &from, &to, proto, nr) };
        let keep0 = o.keep.unwrap_or(StateKind::No);
        let keep = if matches!(keep0, StateKind::Modulate | StateKind::Synproxy)
            && proto.is_some()
            && proto != Some(Protocol::TCP)
        {
            StateKind::Keep
        } else {
            keep0
        };
        let (flags, flagset) = if proto.is_some() && proto != Some(Protocol::TCP) {
            (0, 0)
        } else {
            (o.flags, o.flagset)
        };
        if let Some(r) = &o.received_on {
            options.push_str(r);
        }
        for (kind, v) in [(AccountKind::User, c.uid), (AccountKind::Group, c.gid)] {
            if let Some(p) = v {
                options.push_str(&format!(" {kind}"));
                let a1 = if let Some(n) = &p.name_a {
                    n.clone()
                } else if p.a == u32::MAX && matches!(p.op, PortOperator::Eq | PortOperator::Ne) {
                    "unknown".to_string()
                } else {
                    p.a.to_string()
                };
                options.push_str(&p.render(&a1));
            }
        }
        let is_pass_or_match =
            matches!(base.rule.action.node, Action::Pass | Action::Match) && !base.is_anchor;
        if flags != 0 || flagset != 0 {
            options.push_str(&format!(
                " flags {}/{}",
                flags_text(flags),
                flags_text(flagset)
            ));
        } else if is_pass_or_match && is_tcp && !o.fragment && keep != StateKind::No {
            options.push_str(" flags any");
        }
        if let Some(i) = c.icmp {
            let v6 = af == Some(Af::Inet6);
            options.push_str(if v6 { " icmp6-type" } else { " icmp-type" });
            match names::icmp_type_name(i.ty, v6) {
                Some(n) => options.push_str(&format!(" {n}")),
                None => options.push_str(&format!(" {}", i.ty)),
            }
            if let Some(code) = i.code {
                match names::icmp_code_name(i.ty, code, v6) {
                    Some(n) => options.push_str(&format!(" code {n}")),
                    None => options.push_str(&format!(" code {code}")),
                }
            }
            let _ = i.v6;
        }
        if let Some(t) = o.tos {
            if t != 0 {
                options.push_str(&format!(" tos 0x{t:02x}"));
            }
        }
        if let Some(p) = o.prio {
            options.push_str(&format!(" prio {p}"));
        }
        if let Some((l, s)) = o.pktrate {
            options.push_str(&format!(" max-pkt-rate {l}/{s}"));
        }
        if o.set_prio.is_some() || o.queue.is_some() || o.set_tos.is_some() || o.set_delay.is_some()
        {
            let mut items = Vec::new();
            if let Some((a, b)) = o.set_prio {
                if a == b {
                    items.push(format!("prio {a}"));
                } else {
                    items.push(format!("prio({a}, {b})"));
                }
            }
            if let Some((q, p)) = &o.queue {
                match p {
                    Some(p) => items.push(format!("queue({q}, {p})")),
                    None => items.push(format!("queue {q}")),
                }
            }
            if let Some(t) = o.set_tos {
                items.push(format!("tos 0x{t:02x}"));
            }
            if let Some(d) = o.set_delay {
                items.push(format!("delay {d}"));
            }
            options.push_str(&format!(" set ({})", items.join(", ")));
        }
        let is_pass = matches!(base.rule.action.node, Action::Pass) && !base.is_anchor;
        match keep {
            StateKind::No if is_pass => options.push_str(" no state"),
            StateKind::Keep if o.ropts_any => options.push_str(" keep state"),
            StateKind::Modulate => options.push_str(" modulate state"),
            StateKind::Synproxy => options.push_str(" synproxy state"),
            _ => {}
        }
        if let Some(p) = o.prob {
            options.push_str(&format!(" probability {}%", prob_text(p)));
        }
        if keep != StateKind::No {
            options.push_str(&o.ropts);
        }
        if o.fragment {
            options.push_str(" fragment");
        }
        let sc = &o.scrub;
        if sc.no_df
            || sc.random_id
            || sc.min_ttl.is_some()
            || sc.max_mss.is_some()
            || sc.reassemble_tcp
        {
            let mut items = Vec::new();
            if sc.no_df {
                items.push("no-df".to_string());
            }
            if sc.random_id {
                items.push("random-id".into());
            }
            if let Some(t) = sc.min_ttl {
                items.push(format!("min-ttl {t}"));
            }
            if sc.reassemble_tcp {
                items.push("reassemble tcp".into());
            }
            if let Some(m) = sc.max_mss {
                items.push(format!("max-mss {m}"));
            }
            options.push_str(&format!(" scrub ({})", items.join(" ")));
        }
        if o.allow_opts {
            options.push_str(" allow-opts");
        }
        if let Some(l) = &o.label {
            let l = lbl(l);
            if !l.is_empty() {
                options.push_str(&format!(" label \"{l}\""));
            }
        }
        if o.once {
            options.push_str(" once");
        }
        if let Some(t) = &o.tag {
            options.push_str(&format!(" tag {}", lbl(t)));
        }
        if let Some((not, t)) = &o.tagged {
            if *not {
                options.push_str(" !");
            }
            options.push_str(&format!(" tagged {}", lbl(t)));
        }
        if let Some(t) = o.rtable {
            options.push_str(&format!(" rtable {t}"));
        }
        if let Some((h, addrs, p)) = &o.divert_to {
            let a = addrs
                .iter()
                .find(|a| af.is_none() || Some(Af::of(a)) == af)
                .map(ip_text)
                .unwrap_or_else(|| h.clone());
            options.push_str(&format!(" divert-to {a} port {p}"));
        }
        if let Some(d) = &o.divert {
            options.push_str(d);
        }
        if !base.is_anchor {
            if binat_in {
                let src = c.src.addr.render(af);
                options.push_str(&format!(" rdr-to {src}"));
            } else if let Some((to_af, from_rd, to_rd)) = &o.afto {
                options.push_str(&format!(
                    " af-to {} from ",
                    if *to_af == Af::Inet { "inet" } else { "inet6" }
                ));
                options.push_str(&pool(
                    from_rd,
                    pools.nat.as_ref(),
                    Some(*to_af),
                    PoolKind::Nat,
                    None,
                ));
                if let Some(t) = to_rd {
                    let p = Collapsed::plain(self.hosts(&redir_hosts(t)));
                    options.push_str(" to ");
                    options.push_str(&pool(t, Some(&p), Some(*to_af), PoolKind::Rdr, None));
                }
            } else if let Some((_, rd)) = &o.nat {
                options.push_str(" nat-to ");
                let kind = if o.binat {
                    PoolKind::Binat
                } else {
                    PoolKind::Nat
                };
                options.push_str(&pool(rd, pools.nat.as_ref(), af, kind, None));
            } else if let Some(rd) = &o.rdr {
                options.push_str(" rdr-to ");
                options.push_str(&pool(
                    rd,
                    pools.rdr.as_ref(),
                    af,
                    PoolKind::Rdr,
                    c.dport.as_ref(),
                ));
            }
        }
        if let Some((kind, rd)) = &o.route {
            options.push_str(match kind {
                RouteKind::RouteTo => " route-to ",
                RouteKind::ReplyTo => " reply-to ",
                RouteKind::DupTo => " dup-to ",
            });
            options.push_str(&pool(rd, pools.route.as_ref(), af, PoolKind::Route, None));
        }
        ExpandedRule {
            span: base.span,
            nr,
            action: base.action,
            anchor: base
                .anchor
                .as_ref()
                .filter(|n| !n.rsplit('/').next().unwrap_or("").starts_with('_'))
                .cloned(),
            block: o.block.map(|b| b.policy(af)),
            direction: dir,
            log: o.log.clone(),
            quick: base.rule.quick,
            interface,
            af,
            proto,
            from,
            to,
            options,
            children: None,
        }
    }
}
