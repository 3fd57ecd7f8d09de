//! Interface roles for the HA lints, from evidence in the ruleset: an
//! interface named in `on` of a pass rule for `proto carp` is a CARP
//! parent; one named for `proto pfsync` carries pfsync. (Roles from
//! `--node DIR` and `pfconf.toml [ha]` are not read yet.) A lint without
//! evidence stays silent.

use super::walk_rules;
use crate::ast::*;
use crate::span::Span;

/// What the ruleset says about its interfaces.
#[derive(Debug, Default)]
pub struct Roles {
    /// CARP parents, with the pass rule that names each.
    pub carp_parents: Vec<(String, Span)>,
    /// pfsync interfaces, with the pass rule that names each.
    pub sync: Vec<(String, Span)>,
    /// Names in `set skip on`.
    pub skipped: Vec<String>,
}

/// The protocol numbers a rule names.
pub(crate) fn protos(r: &FilterRule) -> Vec<u8> {
    r.protos
        .iter()
        .filter_map(|p| {
            p.node
                .text()
                .parse::<u8>()
                .ok()
                .or_else(|| crate::names::protocol_number(p.node.text()))
        })
        .collect()
}

/// Spans of statements are what findings point at; rules are walked with
/// their statement.
pub(crate) fn main_rules(rs: &Ruleset) -> Vec<(&FilterRule, Span)> {
    rs.statements
        .iter()
        .filter_map(|s| match &s.kind {
            StatementKind::Rule(r) => Some((&**r, s.span)),
            _ => None,
        })
        .collect()
}

impl Roles {
    /// Collects the roles of a resolved ruleset.
    pub fn of(rs: &Ruleset) -> Roles {
        let mut roles = Roles::default();
        for (r, span) in main_rules(rs) {
            if r.action.node != Action::Pass {
                continue;
            }
            let p = protos(r);
            for i in &r.interfaces {
                if let (false, IfTarget::Name(n)) = (i.node.not, &i.node.target) {
                    let name = n.node.text().to_string();
                    if p.contains(&112) && !roles.carp_parents.iter().any(|(x, _)| *x == name) {
                        roles.carp_parents.push((name.clone(), span));
                    }
                    if p.contains(&240) && !roles.sync.iter().any(|(x, _)| *x == name) {
                        roles.sync.push((name, span));
                    }
                }
            }
        }
        let _ = walk_rules;
        for s in &rs.statements {
            if let StatementKind::Option(o) = &s.kind {
                if let SetOption::Skip { interfaces } = &**o {
                    for i in interfaces {
                        if let IfTarget::Name(n) = &i.node.target {
                            roles.skipped.push(n.node.text().to_string());
                        }
                    }
                }
            }
        }
        roles
    }
}

/// A rule that blocks everything: `block [drop|return...] [all]` with no
/// direction, interface, family, protocol, address or option restriction.
pub(crate) fn blocks_everything(r: &FilterRule) -> bool {
    matches!(r.action.node, Action::Block { .. })
        && r.direction.is_none()
        && r.interfaces.is_empty()
        && r.af.is_none()
        && r.protos.is_empty()
        && r.hosts.from.is_none()
        && r.hosts.to.is_none()
        && r.hosts.os.is_empty()
        && r.options
            .iter()
            .all(|o| matches!(o.node, FilterOpt::Label { .. } | FilterOpt::Tag { .. }))
}

/// A default-deny rule for `no-default-block`: a block rule with no
/// interface, protocol, address or match option; a direction (`block in
/// all`, the common inbound default), a family, `quick`, `log`, a label or
/// `no state` still count.
pub(crate) fn default_deny(r: &FilterRule) -> bool {
    let any = |e: &Option<Box<Endpoint>>| {
        e.as_ref()
            .is_none_or(|e| e.hosts.is_empty() && e.ports.is_empty())
    };
    matches!(r.action.node, Action::Block { .. })
        && r.interfaces.is_empty()
        && r.protos.is_empty()
        && any(&r.hosts.from)
        && any(&r.hosts.to)
        && r.hosts.os.is_empty()
        && r.options.iter().all(|o| {
            matches!(
                o.node,
                FilterOpt::Label { .. }
                    | FilterOpt::Tag { .. }
                    | FilterOpt::State {
                        kind: StateKind::No,
                        ..
                    }
            )
        })
}
