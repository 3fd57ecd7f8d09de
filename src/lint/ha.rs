//! The HA picture the HA lints share: which interfaces carry CARP and
//! pfsync, the flows that must pass for the pair to work, and one
//! evaluator for the ruleset (its index built once for every probe), with
//! [`read`], which turns an evaluator's outcome for a flow into what the
//! lints report ([`FlowResult`]).
//!
//! Sources, in order: the node model ([`crate::node::Node`], from `--node`
//! or `pfconf.toml [ha]`) through its probes ([`crate::node::probes`]:
//! CARP parents, the sync interface, the flows); then evidence in the
//! ruleset (an interface in `on` of a pass rule for `proto carp` is a CARP
//! parent, one for `proto pfsync` the sync interface), used when the node
//! has no CARP interface, respectively no pfsync interface, with
//! [`probes::bare_flows`] on each. Without either, the HA lints stay
//! silent. Which flows a node needs, and why they are filtered on the
//! parent, is documented with the probes; this module judges them.
//!
//! An inbound flow passed by a rule with `route-to` is handed to
//! `pf_route()` and forwarded (pf.c 1.1218, `pf_test`): it never reaches
//! carp(4) or pfsync(4), so it counts as lost.

use super::roles::{main_rules, protos};
use crate::ast::*;
use crate::eval::{Evaluator, Outcome, Verdict};
use crate::node::probes;
use crate::node::Node;
use crate::span::Span;

pub use crate::node::probes::{Flow, Parent, Proto};

/// The shared picture.
pub struct Ha<'a> {
    /// The node, if known.
    pub node: Option<&'a Node>,
    /// CARP parents.
    pub parents: Vec<Parent>,
    /// The sync interface and where it comes from.
    pub syncdev: Option<Parent>,
    /// The flows to probe.
    pub flows: Vec<Flow>,
    /// The evaluator (one index for every probe), built by the first
    /// probe: a ruleset with no CARP or pfsync flow to probe never pays
    /// for its index.
    evaluator: std::sync::OnceLock<Evaluator<'a>>,
    resolved: &'a crate::resolve::Resolved,
}

impl<'a> Ha<'a> {
    /// Builds the picture of a ruleset on a node.
    pub fn new(rs: &'a crate::resolve::Resolved, node: Option<&'a Node>) -> Ha<'a> {
        let mut ha = Ha {
            node,
            parents: Vec::new(),
            syncdev: None,
            flows: Vec::new(),
            evaluator: std::sync::OnceLock::new(),
            resolved: rs,
        };
        let evidence = evidence(&rs.ruleset);
        if let Some(n) = node {
            ha.parents = probes::parents(n);
            ha.syncdev = probes::syncdev(n);
            ha.flows = probes::flows(n);
        }
        // Evidence from the ruleset completes what the node does not say.
        for (name, span) in evidence.carp {
            if !ha.parents.iter().any(|p| p.name == name)
                && node.is_none_or(|n| n.carp_interfaces().next().is_none())
            {
                ha.flows.extend(probes::bare_flows(Proto::Carp, &name));
                ha.parents.push(Parent {
                    name,
                    span: Some(span),
                });
            }
        }
        if ha.syncdev.is_none() && node.is_none_or(|n| n.pfsync().is_none()) {
            if let [(name, span)] = evidence.sync.as_slice() {
                ha.flows.extend(probes::bare_flows(Proto::Pfsync, name));
                ha.syncdev = Some(Parent {
                    name: name.clone(),
                    span: Some(*span),
                });
            }
        }
        ha
    }

    /// Whether `ifname` is a CARP parent (by name or as a member of the
    /// named group): yes, no, or unknown.
    pub fn is_parent_or_group(&self, name: &str) -> Option<bool> {
        if self.parents.iter().any(|p| p.name == name) {
            return Some(true);
        }
        let n = self.node?;
        let (members, open) = n.members(name);
        if open {
            return None;
        }
        Some(
            !members.is_empty()
                && members
                    .iter()
                    .all(|m| self.parents.iter().any(|p| &p.name == m)),
        )
    }

    /// Evaluates one flow.
    /// The evaluator files only the rules that may match CARP or pfsync
    /// (every flow probed is one or the other).
    pub fn judge(&self, f: &Flow) -> Outcome {
        self.evaluator
            .get_or_init(|| {
                let probed = [Proto::Carp.protocol(), Proto::Pfsync.protocol()];
                Evaluator::for_protocols(self.resolved, self.node, &probed)
            })
            .evaluate(&f.packet)
    }
}

/// Outcome of a flow, as the HA lints read it.
pub enum FlowResult {
    /// Passed (or skipped) on every possible path, and delivered.
    Passes,
    /// Surely blocked: the deciding rule.
    Blocked(Option<Span>),
    /// Passed inbound by a rule with `route-to`: forwarded, not delivered.
    RoutedAway(Option<Span>, String),
    /// It depends: on what.
    Undecided(Vec<(Option<Span>, String)>),
}

/// Reads an outcome for a flow.
pub fn read(f: &Flow, o: &Outcome) -> FlowResult {
    if o.surely_blocked() {
        return FlowResult::Blocked(o.decisions.first().and_then(|d| d.rule));
    }
    if let Some(d) = o.certain() {
        if d.verdict == Verdict::Block {
            return FlowResult::Blocked(d.rule);
        }
        if let Some(r) = &d.route {
            if f.packet.direction == Some(Direction::In) && r.starts_with("route-to") {
                return FlowResult::RoutedAway(d.rule, r.clone());
            }
        }
        return FlowResult::Passes;
    }
    if !o.incomplete && o.decisions.iter().all(|d| d.verdict != Verdict::Block) {
        return FlowResult::Passes;
    }
    let mut why = o.undecided.clone();
    if why.is_empty() {
        why.push((None, "the ruleset leaves it open".into()));
    }
    FlowResult::Undecided(why)
}

/// The CARP parents and sync interfaces a ruleset's pass rules name.
struct Evidence {
    carp: Vec<(String, Span)>,
    sync: Vec<(String, Span)>,
}

fn evidence(rs: &Ruleset) -> Evidence {
    let mut ev = Evidence {
        carp: Vec::new(),
        sync: Vec::new(),
    };
    for (r, span) in main_rules(rs) {
        if r.action.node != Action::Pass {
            continue;
        }
        let p = protos(r);
        for i in &r.interfaces {
            if let (false, IfTarget::Name(n)) = (i.node.not, &i.node.target) {
                let name = n.node.text().to_string();
                if p.contains(&112) && !ev.carp.iter().any(|(x, _)| *x == name) {
                    ev.carp.push((name.clone(), span));
                }
                if p.contains(&240) && name != "pfsync0" && !ev.sync.iter().any(|(x, _)| *x == name)
                {
                    ev.sync.push((name, span));
                }
            }
        }
    }
    ev
}

/// The interfaces a rule's `on` may reach beyond `allowed`: `None` when
/// it stays within them (or it is not known), else a description.
pub(crate) fn reaches_beyond(
    r: &FilterRule,
    node: Option<&Node>,
    allowed: &dyn Fn(&str) -> bool,
) -> Option<String> {
    if r.interfaces.is_empty() {
        return Some("on every interface (no `on`)".into());
    }
    for i in &r.interfaces {
        match (&i.node.target, i.node.not) {
            (IfTarget::Any, _) => return Some("on any interface (`on any`)".into()),
            (IfTarget::Name(n), true) => {
                return Some(format!(
                    "on every interface but {} (`on ! {}`)",
                    n.node.text(),
                    n.node.text()
                ))
            }
            (IfTarget::Name(n), false) => {
                let name = n.node.text();
                if allowed(name) {
                    continue;
                }
                let is_group = !name.ends_with(|c: char| c.is_ascii_digit());
                if is_group {
                    let Some(node) = node else {
                        continue;
                    };
                    let (members, open) = node.members(name);
                    if open {
                        continue;
                    }
                    let extra: Vec<&String> = members.iter().filter(|m| !allowed(m)).collect();
                    if !extra.is_empty() {
                        return Some(format!(
                            "on group {name}, which holds {}",
                            extra
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                } else {
                    return Some(format!("on {name}"));
                }
            }
            (IfTarget::Rdomain(_), _) => {}
        }
    }
    None
}
