//! Translation and routing pools (`nat-to`, `rdr-to`, `binat-to`,
//! `af-to`, `route-to`, `reply-to`, `dup-to`): the pool's addresses of
//! the rule's family (pfctl's `collapse_redirspec`, a pool of several
//! addresses becoming an anonymous table printed at parse time) and the
//! pool as pfctl's `print_pool` prints it, with its port range and
//! options (`source-hash` keys as MD5 digests).
//!
//! Invariant: a pool may set the rule's address family when the rule
//! has none, in pfctl's order: rdr, nat, route.

use super::{text, Addr, AddrModifier, Af, Collapsed, Expander, Line, PoolKind, PortOp};
use crate::ast::*;
use crate::values::port_value;

impl<'a> Expander<'a> {
    /// pfctl's `collapse_redirspec`: the pool's addresses of the rule's
    /// family; a pool of several addresses becomes an anonymous table,
    /// printed at parse time.
    pub(super) fn collapse(&mut self, rd: &Redirect, af: &mut Option<Af>, afto: bool) -> Collapsed {
        let hosts = self.hosts(&redir_hosts(rd));
        let mut chosen = None;
        let mut kept = Vec::new();
        for h in hosts {
            if let (Some(a), Some(b), false) = (*af, h.af, afto) {
                if a != b {
                    continue;
                }
            }
            if af.is_none() && chosen.is_none() {
                chosen = h.af;
            }
            kept.push(h);
        }
        if af.is_none() {
            *af = chosen;
        }
        let mut table = None;
        if kept.len() > 1 {
            let name = format!("__automatic_{}", self.auto_tables);
            self.auto_tables += 1;
            let entries: Vec<String> = kept.iter().map(|h| h.addr.render(h.af)).collect();
            self.header.push(Line {
                text: format!("table <{name}> const {{ {} }}", entries.join(" ")),
                span: None,
            });
            table = Some(name);
        }
        Collapsed { hosts: kept, table }
    }
}

/// The addresses of a redirection as AST hosts.
pub(super) fn redir_hosts(rd: &Redirect) -> Vec<Spanned<Host>> {
    rd.hosts.iter().map(|h| h.host.clone()).collect()
}

/// pfctl's `print_pool`.
pub(super) fn pool(
    rd: &Redirect,
    c: Option<&Collapsed>,
    af: Option<Af>,
    kind: PoolKind,
    dport: Option<&PortOp>,
) -> String {
    let empty = Vec::new();
    let hosts = c.map(|c| &c.hosts).unwrap_or(&empty);
    let table = c.and_then(|c| c.table.clone());
    let multi = table.is_some();
    let mut s = String::new();
    if let Some(t) = &table {
        s.push_str(&format!("<{t}>"));
    } else if let Some(h) = hosts.first() {
        s.push_str(&h.addr.render(af));
    }
    // Ports.
    let (p1, p2) = match &rd.port {
        Some(p) => {
            let t = text(p);
            match t.split_once(':') {
                Some((a, b)) => (
                    port_value(a).map(u32::from).unwrap_or(0),
                    if b == "*" {
                        u32::MAX
                    } else {
                        port_value(b).map(u32::from).unwrap_or(0)
                    },
                ),
                None => (port_value(t).map(u32::from).unwrap_or(0), 0),
            }
        }
        None => (0, 0),
    };
    let mut static_port = rd.pool.opts.iter().any(|o| o.node == PoolOpt::StaticPort);
    match kind {
        PoolKind::Nat | PoolKind::Binat => {
            if kind == PoolKind::Binat {
                static_port = true;
            }
            if !static_port && (p1 != 0 || p2 != 0) {
                let p2 = if p2 == 0 { p1 } else { p2 };
                if (p1, p2) != (50001, 65535) {
                    if p1 == p2 {
                        s.push_str(&format!(" port {p1}"));
                    } else {
                        s.push_str(&format!(" port {p1}:{p2}"));
                    }
                }
            }
        }
        PoolKind::Rdr => {
            if p1 != 0 {
                s.push_str(&format!(" port {p1}"));
                let p2 = if p2 == u32::MAX {
                    // `port p:*`: as wide as the matched range.
                    match dport {
                        Some(d) if d.op == PortOperator::Range => p1 + d.b.saturating_sub(d.a),
                        _ => p1,
                    }
                } else {
                    p2
                };
                if p2 != 0 && p2 != p1 {
                    s.push_str(&format!(":{p2}"));
                }
            }
        }
        PoolKind::Route => {}
    }
    let mut ty = None;
    let mut sticky = false;
    for o in &rd.pool.opts {
        match &o.node {
            PoolOpt::Bitmask => ty = Some("bitmask".to_string()),
            PoolOpt::Random => ty = Some("random".into()),
            PoolOpt::RoundRobin => ty = Some("round-robin".into()),
            PoolOpt::LeastStates => ty = Some("least-states".into()),
            PoolOpt::SourceHash { key } => {
                ty = Some(match key.first() {
                    Some(k) => format!("source-hash {}", source_hash_key(text(k))),
                    None => "source-hash".into(),
                })
            }
            PoolOpt::StickyAddress => sticky = true,
            PoolOpt::StaticPort => {}
        }
    }
    if ty.is_none() {
        // parse.y 1.719 DYNIF_MULTIADDR: a dynamic address may hold
        // several addresses unless it is `:0` of an interface (a name
        // ending in a digit); a group (`egress:0`) may hold several.
        let dynamic_multi = hosts.iter().any(|h| match &h.addr {
            Addr::Table { .. } => true,
            Addr::Dynamic { name, mods, .. } => {
                !mods.contains(&AddrModifier::NoAliases)
                    || !name.ends_with(|c: char| c.is_ascii_digit())
            }
            _ => false,
        });
        if dynamic_multi || multi {
            ty = Some("round-robin".into());
        }
    }
    if let Some(t) = ty {
        s.push(' ');
        s.push_str(&t);
    }
    if sticky {
        s.push_str(" sticky-address");
    }
    if matches!(kind, PoolKind::Nat | PoolKind::Binat) && static_port {
        s.push_str(" static-port");
    }
    s
}

/// A `source-hash` key as pfctl prints it: a hex key as given, a text key
/// as its MD5 digest (parse.y hashes text keys with MD5).
fn source_hash_key(k: &str) -> String {
    if let Some(h) = k.strip_prefix("0x") {
        format!("0x{:0>32}", h.to_ascii_lowercase())
    } else {
        use md5::{Digest, Md5};
        let digest = Md5::digest(k.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("0x{hex}")
    }
}
