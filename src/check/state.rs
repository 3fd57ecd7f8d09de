//! Checks of state: `keep`/`modulate`/`synproxy state (...)` options and
//! `set state-defaults` (limits, source tracking, timeouts, `overload`),
//! `scrub (...)` options, and state and source limiter definitions.
//!
//! Invariant: an option given twice is reported at its second place, in
//! pfctl's words for that option.

use super::{closest, Checker, MAX_TABLE_NAME, TIMEOUTS};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::span::Span;
use std::collections::{HashMap, HashSet};

impl Checker {
    pub(super) fn scrub(&mut self, opts: &[Spanned<ScrubOpt>]) -> Option<Span> {
        let mut seen = HashSet::new();
        let mut nodf_randomid = None;
        for o in opts {
            let (key, msg) = match &o.node {
                ScrubOpt::NoDf => {
                    nodf_randomid = Some(o.span);
                    ("no-df", "no-df cannot be respecified")
                }
                ScrubOpt::MinTtl { value } => {
                    let n = value.node.text().to_string();
                    if seen.contains("min-ttl") {
                        self.err("redefined", o.span, "min-ttl cannot be respecified");
                        continue;
                    }
                    self.ranged(value, 0, 255, format!("illegal min-ttl value {n}"));
                    ("min-ttl", "min-ttl cannot be respecified")
                }
                ScrubOpt::MaxMss { value } => {
                    let n = value.node.text().to_string();
                    if seen.contains("max-mss") {
                        self.err("redefined", o.span, "max-mss cannot be respecified");
                        continue;
                    }
                    self.ranged(value, 0, 65535, format!("illegal max-mss value {n}"));
                    ("max-mss", "max-mss cannot be respecified")
                }
                ScrubOpt::Reassemble { value } => {
                    if !value.node.text().eq_ignore_ascii_case("tcp") {
                        self.err(
                            "bad-value",
                            value.span,
                            format!(
                                "scrub reassemble supports only tcp, not '{}'",
                                value.node.text()
                            ),
                        );
                    }
                    ("reassemble", "reassemble tcp cannot be respecified")
                }
                ScrubOpt::RandomId => {
                    nodf_randomid = Some(o.span);
                    ("random-id", "random-id cannot be respecified")
                }
            };
            if !seen.insert(key) {
                self.err("redefined", o.span, msg);
            }
        }
        nodf_randomid
    }

    pub(super) fn state_opts(
        &mut self,
        opts: &[Spanned<StateOpt>],
        kind: Option<StateKind>,
        defaults: bool,
    ) {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut global = false;
        let mut max_src_nodes = None;
        let mut max_src_conn = None;
        let mut max_src_conn_rate = None;
        let mut overload = None;
        for o in opts {
            let key = match &o.node {
                StateOpt::Timeout { name, .. } => name.node.text().to_string(),
                other => opt_key(other).to_string(),
            };
            let msg = match &o.node {
                StateOpt::Max { .. } => "state option 'max' multiple definitions".to_string(),
                StateOpt::NoSync => "state option 'sync' multiple definitions".to_string(),
                StateOpt::SourceTrack { .. } => {
                    "state option 'source-track' multiple definitions".to_string()
                }
                StateOpt::IfBound | StateOpt::Floating => {
                    "state locking option: multiple definitions".to_string()
                }
                StateOpt::Sloppy => "state sloppy option: multiple definitions".to_string(),
                StateOpt::Pflow => "state pflow option: multiple definitions".to_string(),
                StateOpt::Overload { .. } => "multiple 'overload' table definitions".to_string(),
                StateOpt::Timeout { name, .. } => {
                    format!("state timeout {} multiple definitions", name.node.text())
                }
                other => format!("state option '{}' multiple definitions", opt_key(other)),
            };
            let lock_key = if matches!(o.node, StateOpt::IfBound | StateOpt::Floating) {
                "statelock".to_string()
            } else {
                key
            };
            if seen.contains_key(&lock_key) && !defaults {
                self.err("redefined", o.span, msg);
            }
            seen.insert(lock_key, o.span);
            match &o.node {
                StateOpt::Max { value } => {
                    self.unsigned(value, "only positive values permitted");
                }
                StateOpt::MaxSrcStates { value } => {
                    let n = self.unsigned(value, "only positive values permitted");
                    if n == Some(0) {
                        self.err("bad-value", value.span, "'max-src-states' must be > 0");
                    }
                }
                StateOpt::MaxSrcConn { value } => {
                    max_src_conn = Some(o.span);
                    if self.unsigned(value, "only positive values permitted") == Some(0) {
                        self.err("bad-value", value.span, "'max-src-conn' must be > 0");
                    }
                }
                StateOpt::MaxSrcNodes { value } => {
                    max_src_nodes = Some(o.span);
                    if self.unsigned(value, "only positive values permitted") == Some(0) {
                        self.err("bad-value", value.span, "'max-src-nodes' must be > 0");
                    }
                }
                StateOpt::MaxSrcConnRate { limit, seconds } => {
                    max_src_conn_rate = Some(o.span);
                    let a = self.unsigned(limit, "only positive values permitted");
                    let b = self.unsigned(seconds, "only positive values permitted");
                    if a == Some(0) || b == Some(0) {
                        self.err(
                            "bad-value",
                            o.span,
                            "'max-src-conn-rate' values must be > 0",
                        );
                    }
                }
                StateOpt::Overload { table, .. } => {
                    overload = Some(o.span);
                    if table.node.text().len() > MAX_TABLE_NAME {
                        self.err(
                            "bad-value",
                            table.span,
                            format!("table name '{}' too long", table.node.text()),
                        );
                    }
                }
                StateOpt::SourceTrack { scope } => {
                    global = *scope == Some(SourceTrackScope::Global)
                }
                StateOpt::Timeout { name, value } => {
                    let n = name.node.text();
                    if !TIMEOUTS.contains(&n) {
                        let mut d = Diagnostic::error(
                            "bad-value",
                            name.span,
                            format!("illegal timeout name {n}"),
                        );
                        if let Some(best) = closest(n, TIMEOUTS) {
                            d = d.with_help(format!("did you mean `{best}`?"));
                        }
                        self.diags.push(d);
                    } else if !n.contains('.') {
                        self.err("bad-value", name.span, format!("illegal state timeout {n}"));
                    }
                    self.unsigned(value, "only positive values permitted");
                }
                _ => {}
            }
        }
        if global {
            if let Some(sp) = max_src_nodes {
                self.err(
                    "source-track",
                    sp,
                    "'max-src-nodes' is incompatible with 'source-track global'",
                );
            }
            if let Some(sp) = max_src_conn {
                self.err(
                    "source-track",
                    sp,
                    "'max-src-conn' is incompatible with 'source-track global'",
                );
            }
            if let Some(sp) = max_src_conn_rate {
                self.err(
                    "source-track",
                    sp,
                    "'max-src-conn-rate' is incompatible with 'source-track global'",
                );
            }
        }
        if let Some(sp) = overload {
            if max_src_conn.is_none() && max_src_conn_rate.is_none() {
                self.help(
                    "overload",
                    sp,
                    "'overload' requires 'max-src-conn' or 'max-src-conn-rate'",
                    "add `max-src-conn N` or `max-src-conn-rate N/S`",
                );
            }
        }
        if let Some(k) = kind {
            if matches!(k, StateKind::Modulate | StateKind::Synproxy) && seen.contains_key("sloppy")
            {
                self.err(
                    "sloppy",
                    opts[0].span,
                    "sloppy state matching cannot be used with synproxy state or modulate state",
                );
            }
        }
    }

    pub(super) fn limiter(&mut self, l: &LimiterDef, span: Span) {
        let mut id = false;
        let mut limit = false;
        let mut entries = false;
        for o in &l.opts {
            match &o.node {
                LimiterOpt::Id { value } => {
                    id = true;
                    self.ranged(value, 1, 255, "limiter id must be between 1 and 255");
                }
                LimiterOpt::Limit { value } => {
                    limit = true;
                    self.unsigned(value, "only positive values permitted");
                }
                LimiterOpt::Entries { value } => {
                    entries = true;
                    self.unsigned(value, "only positive values permitted");
                }
                LimiterOpt::Rate { limit, seconds } => {
                    self.unsigned(limit, "only positive values permitted");
                    self.unsigned(seconds, "only positive values permitted");
                }
                LimiterOpt::Mask { af, value } => {
                    let max = if *af == AddressFamily::Inet { 32 } else { 128 };
                    self.ranged(value, 0, max, format!("mask must be 0 - {max}"));
                }
                LimiterOpt::Table { above, below, .. } => {
                    self.unsigned(above, "only positive values permitted");
                    if let Some(b) = below {
                        self.unsigned(b, "only positive values permitted");
                    }
                }
            }
        }
        let what = if l.kind == LimiterKind::State {
            "state"
        } else {
            "source"
        };
        if !id {
            self.help(
                "limiter",
                span,
                format!("{what} limiter {} requires an id", l.name.node.text()),
                "add `id N` (1-255)",
            );
        }
        if !limit {
            self.help(
                "limiter",
                span,
                format!("{what} limiter {} requires a limit", l.name.node.text()),
                "add `limit N`",
            );
        }
        if l.kind == LimiterKind::Source && !entries {
            self.help(
                "limiter",
                span,
                format!("source limiter {} requires entries", l.name.node.text()),
                "add `entries N`",
            );
        }
    }
}

fn opt_key(o: &StateOpt) -> &'static str {
    match o {
        StateOpt::Max { .. } => "max",
        StateOpt::NoSync => "no-sync",
        StateOpt::MaxSrcStates { .. } => "max-src-states",
        StateOpt::MaxSrcConn { .. } => "max-src-conn",
        StateOpt::MaxSrcConnRate { .. } => "max-src-conn-rate",
        StateOpt::Overload { .. } => "overload",
        StateOpt::MaxSrcNodes { .. } => "max-src-nodes",
        StateOpt::SourceTrack { .. } => "source-track",
        StateOpt::IfBound => "if-bound",
        StateOpt::Floating => "floating",
        StateOpt::Sloppy => "sloppy",
        StateOpt::Pflow => "pflow",
        StateOpt::Timeout { .. } => "timeout",
    }
}
