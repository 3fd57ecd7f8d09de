//! Checks of address translation and routing targets: `nat-to`, `rdr-to`,
//! `binat-to`, `af-to` and `route-to`-style pools (their hosts, weights,
//! port ranges, pool types and options, hash keys) and whether a target's
//! address family fits the rule's.
//!
//! Invariant: only addresses can be listed in a pool; a table or a
//! dynamic interface stands alone, as pfctl requires.

use super::addresses::host_family;
use super::{join, Checker};
use crate::ast::*;
use crate::span::Span;
use crate::values::Family;
use std::collections::HashSet;

impl Checker {
    pub(super) fn af_mismatch(&mut self, red: &Redirect, af: Option<Family>, sp: Span, what: &str) {
        let fams: Vec<Option<Family>> = red
            .hosts
            .iter()
            .map(|h| host_family(&h.host.node))
            .collect();
        if let Some(af) = af {
            if !fams.is_empty() && fams.iter().all(|f| f.is_some() && *f != Some(af)) {
                self.help(
                    "af-mismatch",
                    sp,
                    format!("af mismatch in {what} spec"),
                    "the target address must be of the rule's address family",
                );
            }
        } else {
            let known: HashSet<Family> = fams.iter().flatten().copied().collect();
            if known.len() > 1 {
                self.help(
                    "af-mismatch",
                    sp,
                    format!("{what} spec contains addresses with different address families"),
                    "add `inet` or `inet6` to the rule",
                );
            }
        }
    }

    pub(super) fn binat(&mut self, r: &FilterRule, red: &Redirect, sp: Span) {
        let src = r
            .hosts
            .from
            .as_ref()
            .map(|f| f.hosts.as_slice())
            .unwrap_or(&[]);
        for h in src {
            match &h.node.kind {
                HostKind::Table { name } => {
                    self.err(
                        "binat",
                        sp,
                        format!(
                            "invalid use of table <{}> as the source address of a binat-to rule",
                            name.node.text()
                        ),
                    );
                }
                HostKind::Dynamic { ifname, .. } if !ifname.node.text().ends_with(":0") => {
                    self.err("binat", sp, format!("invalid use of interface ({}) as the source address of a binat-to rule", ifname.node.text()));
                }
                HostKind::Address { .. } | HostKind::Dynamic { .. } if !h.node.not => {}
                _ => {
                    self.err(
                        "binat",
                        sp,
                        "binat-to requires a specified source and redirect address",
                    );
                }
            }
        }
        if src.is_empty() {
            self.err(
                "binat",
                sp,
                "binat-to requires a specified source and redirect address",
            );
        }
        for t in &red.hosts {
            match &t.host.node.kind {
                HostKind::Table { .. } => {
                    self.err(
                        "binat",
                        sp,
                        "tables cannot be used as the redirect address of a binat-to rule",
                    );
                }
                HostKind::Dynamic { ifname, .. } if !ifname.node.text().ends_with(":0") => {
                    self.err(
                        "binat",
                        sp,
                        "dynamic interfaces must be used with :0 in a binat-to rule",
                    );
                }
                HostKind::Address { .. } | HostKind::Dynamic { .. } => {}
                _ => {
                    self.err(
                        "binat",
                        sp,
                        "binat-to requires a specified source and redirect address",
                    );
                }
            }
        }
    }

    pub(super) fn pool(&mut self, red: &Redirect, sp: Span, is_rdr: bool) {
        let ptype = red
            .pool
            .opts
            .iter()
            .find(|o| !matches!(o.node, PoolOpt::StaticPort | PoolOpt::StickyAddress));
        let dyn_type = |o: &PoolOpt| {
            matches!(
                o,
                PoolOpt::RoundRobin
                    | PoolOpt::LeastStates
                    | PoolOpt::Random
                    | PoolOpt::SourceHash { .. }
            )
        };
        let multi = red.hosts.len() > 1;
        if multi {
            if let Some(t) = ptype {
                if !dyn_type(&t.node) {
                    self.err(
                        "pool",
                        t.span,
                        "pool type is not valid for multiple translation or routing addresses",
                    );
                }
            }
        }
        let has_table = red
            .hosts
            .iter()
            .any(|h| matches!(h.host.node.kind, HostKind::Table { .. }));
        if has_table {
            if let Some(t) = ptype {
                if !dyn_type(&t.node) {
                    self.err("pool", t.span, "tables are not supported by pool type");
                }
            }
        }
        if red
            .pool
            .opts
            .iter()
            .any(|o| matches!(o.node, PoolOpt::StaticPort))
        {
            if is_rdr {
                self.err(
                    "pool",
                    sp,
                    "the 'static-port' option is only valid with nat rules",
                );
            } else if red.port.is_some() {
                self.err(
                    "pool",
                    sp,
                    "the 'static-port' option can't be used when specifying a port range",
                );
            }
        }
        for o in &red.pool.opts {
            if let PoolOpt::SourceHash { key } = &o.node {
                let k = join(key);
                if let Some(h) = k.strip_prefix("0x") {
                    if h.len() != 32 {
                        self.err(
                            "pool",
                            o.span,
                            "hex key must be 128 bits (32 hex digits) long",
                        );
                    } else if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                        self.err("pool", o.span, "invalid hex key");
                    }
                }
            }
        }
        let mut kinds = HashSet::new();
        for o in &red.pool.opts {
            let k = std::mem::discriminant(&o.node);
            let is_type = !matches!(o.node, PoolOpt::StaticPort | PoolOpt::StickyAddress);
            if is_type && kinds.iter().any(|(t, _)| *t) {
                self.err("redefined", o.span, "pool type cannot be redefined");
            } else if kinds.contains(&(is_type, k)) {
                let msg = if matches!(o.node, PoolOpt::StaticPort) {
                    "static-port cannot be redefined"
                } else {
                    "sticky-address cannot be redefined"
                };
                self.err("redefined", o.span, msg);
            }
            kinds.insert((is_type, k));
        }
    }

    /// `order`: None for filter ports; Some("rdr-to") validates the range
    /// order; Some("") skips it (nat-to, as pfctl does).
    pub(super) fn redirect(&mut self, red: &Redirect, star: bool, order: Option<&str>) {
        let mut fams = Vec::new();
        for h in &red.hosts {
            self.host(&h.host, &mut fams);
            if let Some(w) = &h.weight {
                self.ranged(w, 1, 65535, "weight out of range");
            }
            if red.hosts.len() > 1
                && !matches!(h.host.node.kind, HostKind::Address { .. })
                && red.hosts.len() > 1
            {
                if matches!(
                    h.host.node.kind,
                    HostKind::Table { .. } | HostKind::Dynamic { .. }
                ) {
                    // Allowed once; "multiple tables or dynamic interfaces" below.
                } else {
                    self.err(
                        "pool",
                        h.host.span,
                        "only addresses can be listed for redirection pools ",
                    );
                }
            }
        }
        let dynamic = red
            .hosts
            .iter()
            .filter(|h| {
                matches!(
                    h.host.node.kind,
                    HostKind::Table { .. } | HostKind::Dynamic { .. }
                )
            })
            .count();
        if dynamic > 1 || (dynamic == 1 && red.hosts.len() > 1) {
            if let Some(h) = red.hosts.get(1) {
                self.err("pool", h.host.span, "multiple tables or dynamic interfaces not supported for translation or routing");
            }
        }
        if let Some(p) = &red.port {
            self.port_range_ordered(p, star, order);
        }
    }
}
