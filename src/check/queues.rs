//! Checks of `queue` definitions (names, parents, bandwidth and service
//! curves, options) and of the queue tree as a whole (a default queue,
//! leaves, as pfctl_check_queues does).
//!
//! Invariant: a parent is defined before its children (the names of the
//! queues seen so far are kept on the checker); the tree check runs once,
//! over the main ruleset's queues.

use super::{Checker, MAX_QNAME};
use crate::ast::*;
use crate::span::Span;
use std::collections::{HashMap, HashSet};

impl Checker {
    pub(super) fn queue(&mut self, q: &QueueDef, span: Span) {
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        let mut parent = None;
        let mut bw = false;
        let mut flows = false;
        for o in &q.opts {
            let (key, msg) = match &o.node {
                QueueOpt::Bandwidth { share, min, max } => {
                    bw = true;
                    for sc in std::iter::once(share).chain(min.iter()).chain(max.iter()) {
                        self.bandwidth(&sc.bandwidth);
                        if let Some((b, t)) = &sc.burst {
                            self.bandwidth(b);
                            let tt = t.node.text();
                            if !(tt.ends_with("ms")
                                && tt[..tt.len() - 2].bytes().all(|c| c.is_ascii_digit())
                                && tt.len() > 2)
                            {
                                self.err("bad-value", t.span, "time in scspec must be in ms");
                            }
                        }
                    }
                    ("bandwidth", "bandwidth cannot be respecified")
                }
                QueueOpt::Parent { value } => {
                    parent = Some(value);
                    ("parent", "parent cannot be respecified")
                }
                QueueOpt::Default => ("default", "default cannot be respecified"),
                QueueOpt::Qlimit { value } => {
                    self.ranged(value, 0, 65535, "qlimit out of range: max 65535");
                    ("qlimit", "qlimit cannot be respecified")
                }
                QueueOpt::Flows { value } => {
                    flows = true;
                    self.ranged(value, 1, 32767, "number of flows out of range: max 32767");
                    ("flows", "number of flows cannot be respecified")
                }
                QueueOpt::Quantum { value } => {
                    self.ranged(value, 1, 65535, "quantum out of range: max 65535");
                    ("quantum", "quantum cannot be respecified")
                }
            };
            if seen.insert(key, o.span).is_some() {
                self.err("redefined", o.span, msg);
            }
        }
        if q.interfaces.is_empty() && parent.is_none() {
            self.help(
                "queue",
                span,
                "root queue without interface",
                "add `on IF` to the root queue, or `parent NAME` to a child queue",
            );
        }
        if !bw && !flows {
            self.help(
                "queue",
                span,
                "no bandwidth or flow specification",
                "add `bandwidth N` (or `flows N`)",
            );
        }
        if let Some(p) = parent {
            if !self.queues.contains(p.node.text()) {
                // pfctl finds the parent when building the tree.
                let msg = format!(
                    "parent {} of queue {} is not defined",
                    p.node.text(),
                    q.name.node.text()
                );
                self.help(
                    "undefined-queue",
                    p.span,
                    msg,
                    "define the parent queue before its children",
                );
            }
        }
        if q.name.node.text().len() > MAX_QNAME {
            self.err("too-long", q.name.span, "queuename too long");
        }
        self.queues.insert(q.name.node.text().to_string());
    }

    fn bandwidth(&mut self, v: &SValue) {
        let t = v.node.text();
        let digits_end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(digits_end);
        if num.is_empty() || num.parse::<f64>().is_err() {
            self.err("bad-value", v.span, format!("unknown unit \"{t}\""));
            return;
        }
        let unit = unit
            .trim_end_matches("bit")
            .trim_end_matches("Bit")
            .trim_end_matches('b')
            .trim_end_matches('B');
        match unit {
            "" | "K" | "M" | "G" => {}
            "%" => {
                self.err("bad-value", v.span, "no bandwidth in % yet");
            }
            u => {
                self.help(
                    "bad-value",
                    v.span,
                    format!("unknown unit \"{u}\""),
                    "bandwidth units are K, M and G (bits per second)",
                );
            }
        }
    }

    /// Checks over all queues: default queue, leaves (pfctl_check_queues).
    pub(super) fn queue_tree(&mut self, rs: &Ruleset) {
        let mut queues: Vec<(&QueueDef, Span)> = Vec::new();
        for s in &rs.statements {
            if let StatementKind::Queue(q) = &s.kind {
                queues.push((q, s.span));
            }
        }
        if queues.is_empty() {
            return;
        }
        let parent_of = |q: &QueueDef| {
            q.opts.iter().find_map(|o| match &o.node {
                QueueOpt::Parent { value } => Some(value.node.text().to_string()),
                _ => None,
            })
        };
        let has = |q: &QueueDef, f: fn(&QueueOpt) -> bool| q.opts.iter().any(|o| f(&o.node));
        let children: HashSet<String> = queues.iter().filter_map(|(q, _)| parent_of(q)).collect();
        let mut any_default = false;
        let mut first_error: Option<(Span, String)> = None;
        for (q, span) in &queues {
            let name = q.name.node.text();
            let is_leaf = !children.contains(name);
            let flows = has(q, |o| matches!(o, QueueOpt::Flows { .. }));
            let bw = has(q, |o| matches!(o, QueueOpt::Bandwidth { .. }));
            let default = has(q, |o| matches!(o, QueueOpt::Default));
            if default {
                any_default = true;
                if !is_leaf && first_error.is_none() {
                    first_error =
                        Some((*span, format!("default queue {name} is not a leaf queue")));
                }
            }
            if flows && !is_leaf && first_error.is_none() {
                first_error = Some((*span, format!("flow queue {name} is not a leaf queue")));
            }
            if flows && !bw && parent_of(q).is_some() && first_error.is_none() {
                first_error = Some((*span, format!("queue {name}: no bandwidth was specified")));
            }
        }
        if let Some((sp, msg)) = first_error {
            self.err("queue", sp, msg);
        } else if !any_default && queues.iter().any(|(q, _)| parent_of(q).is_some()) {
            let sp = queues[0].1;
            self.help(
                "queue",
                sp,
                "no default queue specified",
                "mark one leaf queue with `default`",
            );
        }
    }
}
