//! `antispoof`: the block rules it stands for, from the interface's
//! networks and its own addresses (pfctl's parse.y `antispoof`).
//!
//! Invariant: the addresses come from the same lookup as an interface
//! name in a rule's hosts, so an interface the table does not know is
//! kept as written and noted; as in pfctl, a loopback interface gets no
//! rule for its own addresses.

use super::{
    expand_label, num, text, Addr, AddrModifier, Af, ExpandedRule, Expander, HostNode, Log,
    ReturnPolicy, RuleAction, Side,
};
use crate::ast::*;
use crate::span::Span;

impl<'a> Expander<'a> {
    pub(super) fn antispoof(&mut self, a: &Antispoof, span: Span, out: &mut Vec<ExpandedRule>) {
        let af: Option<Af> = a.af;
        for i in &a.interfaces {
            let IfTarget::Name(n) = &i.node.target else {
                continue;
            };
            let name = text(n).to_string();
            let dynamic = |mods: Vec<AddrModifier>| {
                vec![HostNode {
                    addr: Addr::Dynamic {
                        name: name.clone(),
                        mods,
                        bits: 128,
                    },
                    not: false,
                    af: None,
                    scope: None,
                }]
            };
            // `block drop in on ! IF from IF:network`.
            let networks: Vec<HostNode> = if i.node.dynamic {
                dynamic(vec![AddrModifier::Network])
            } else {
                let mut v = Vec::new();
                let word = format!("{name}:network");
                self.if_addrs(&word, &name, &["network".to_string()], None, false, &mut v);
                v
            };
            // Label macros of the first rules see the rule number the
            // first of them gets.
            let first = out.len();
            for h in networks.iter().filter(|h| af_agrees(af, h.af)) {
                let r = antispoof_rule(
                    a,
                    span,
                    Some(format!("! {name}")),
                    af.or(h.af),
                    h,
                    (Some(&name), first),
                    out.len(),
                );
                out.push(r);
            }
            // The second rule blocks the interface's own addresses arriving
            // from elsewhere; pfctl leaves it out only for an interface
            // flagged IFF_LOOPBACK (lo0, lo1...): a group, even `lo`, has
            // no flags (parse.y 1.719 antispoof, pfctl_parser.c 1.352
            // ifa_exists). A scoped (link-local) address puts the rule on
            // its interface (parse.y expand_rule: ifa_indextoname).
            if crate::node::is_loopback_interface(&name) {
                continue;
            }
            let own = if i.node.dynamic {
                dynamic(Vec::new())
            } else {
                let mut v = Vec::new();
                self.if_addrs(&name, &name, &[], None, false, &mut v);
                v
            };
            for h in own.iter().filter(|h| af_agrees(af, h.af)) {
                let nr = self.next_nr(out);
                let r = antispoof_rule(a, span, h.scope.clone(), af.or(h.af), h, (None, nr), nr);
                out.push(r);
            }
        }
    }
}

/// True unless both families are known and differ.
fn af_agrees(a: Option<Af>, b: Option<Af>) -> bool {
    !matches!((a, b), (Some(x), Some(y)) if x != y)
}

/// One rule of `antispoof`: `block drop in [on IFSPEC] [af] from HOST to
/// any` with the statement's `log`, `quick`, `label` (its macros expanded
/// with `label_at`: the interface name and rule number they see) and
/// `rtable`. pfctl sets no return flag on antispoof rules: they drop
/// whatever `set block-policy` says.
fn antispoof_rule(
    a: &Antispoof,
    span: Span,
    interface: Option<String>,
    af: Option<Af>,
    h: &HostNode,
    label_at: (Option<&str>, usize),
    nr: usize,
) -> ExpandedRule {
    let from = Side {
        not: false,
        addr: h.addr.clone(),
        port: None,
    };
    let to = Side {
        not: false,
        addr: Addr::Any,
        port: None,
    };
    let mut options = String::new();
    let label = a
        .label
        .as_ref()
        .map(|l| expand_label(text(l), label_at.0, af, &from, &to, None, label_at.1));
    if let Some(l) = label.filter(|l| !l.is_empty()) {
        options.push_str(&format!(" label \"{l}\""));
    }
    if let Some(t) = a.rtable.as_ref().and_then(num) {
        options.push_str(&format!(" rtable {t}"));
    }
    ExpandedRule {
        span,
        nr,
        action: RuleAction::Block,
        anchor: None,
        block: Some(ReturnPolicy::Drop),
        direction: Some(Direction::In),
        // pfctl prints an antispoof rule's `log` without its options.
        log: a.log.as_ref().map(|_| Log::default()),
        quick: a.quick,
        interface,
        af,
        proto: None,
        from,
        to,
        options,
        children: None,
    }
}
