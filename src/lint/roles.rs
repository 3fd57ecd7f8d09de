//! Interface roles for the HA lints. Sources, in order: a node directory
//! (`hostname.carpN` gives `carpdev`, `hostname.pfsync0` gives `syncdev`),
//! then evidence in the ruleset: an interface named in `on` of a pass rule
//! for `proto carp` is a CARP parent, one named for `proto pfsync` carries
//! pfsync. `pfconf.toml [ha]` (read by [`NodeRoles::from_ha_table`]) fills
//! what a node directory does not say. A lint without evidence stays silent.

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
    /// The sync device named by the node (`hostname.pfsync0`), if known.
    pub syncdev: Option<String>,
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

/// What a node directory says: CARP interfaces and the pfsync sync device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeRoles {
    /// (carp interface, carpdev, vhid, advskew) per `hostname.carpN`.
    pub carp: Vec<CarpIf>,
    /// `syncdev` of `hostname.pfsync0`.
    pub syncdev: Option<String>,
}

/// One CARP interface of a node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CarpIf {
    /// `carp0`...
    pub name: String,
    /// Its parent interface.
    pub carpdev: Option<String>,
    /// Virtual host id.
    pub vhid: Option<u32>,
    /// Advertisement skew.
    pub advskew: Option<u32>,
    /// The CARP password (compared, never printed).
    pub pass: Option<Secret>,
}

/// A secret value: compared, never shown (`Debug` prints `<secret>`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// True when both hold the same secret.
    pub fn same(&self, other: &Secret) -> bool {
        self.0 == other.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<secret>")
    }
}

impl NodeRoles {
    /// Reads the `[ha]` table of `pfconf.toml`:
    ///
    /// ```toml
    /// [ha]
    /// carpdev = ["em0", "em1"]   # CARP parent interfaces
    /// syncdev = "em2"            # the pfsync sync interface
    /// ```
    ///
    /// `carpdev` may also be a single string. Unknown keys and wrong types
    /// are errors, so that a typo does not silently switch a lint off.
    pub fn from_ha_table(table: &toml::Table) -> Result<NodeRoles, String> {
        let mut roles = NodeRoles::default();
        for (k, v) in table {
            match k.as_str() {
                "carpdev" => {
                    let devs: Vec<&str> = match v {
                        toml::Value::String(s) => vec![s.as_str()],
                        toml::Value::Array(a) => a
                            .iter()
                            .map(|x| x.as_str())
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| {
                                "pfconf.toml: [ha] carpdev: expected interface names, \
                                 e.g. carpdev = [\"em0\"]"
                                    .to_string()
                            })?,
                        _ => {
                            return Err("pfconf.toml: [ha] carpdev: expected an interface name \
                                        or a list of them, e.g. carpdev = [\"em0\"]"
                                .into())
                        }
                    };
                    for d in devs {
                        check_ifname("carpdev", d)?;
                        roles.carp.push(CarpIf {
                            carpdev: Some(d.to_string()),
                            ..CarpIf::default()
                        });
                    }
                }
                "syncdev" => {
                    let d = v.as_str().ok_or_else(|| {
                        "pfconf.toml: [ha] syncdev: expected an interface name, \
                         e.g. syncdev = \"em2\""
                            .to_string()
                    })?;
                    check_ifname("syncdev", d)?;
                    roles.syncdev = Some(d.to_string());
                }
                other => {
                    return Err(format!(
                        "pfconf.toml: [ha] {other}: unknown key (expected carpdev or syncdev)"
                    ))
                }
            }
        }
        Ok(roles)
    }

    /// Completes these roles with another source's: CARP parents and the
    /// sync device this one does not name are taken from `other`.
    pub fn fill_from(&mut self, other: &NodeRoles) {
        for c in &other.carp {
            let known = self
                .carp
                .iter()
                .any(|x| x.carpdev.is_some() && x.carpdev == c.carpdev);
            if !known {
                self.carp.push(c.clone());
            }
        }
        if self.syncdev.is_none() {
            self.syncdev = other.syncdev.clone();
        }
    }

    /// Reads the `hostname.*` files of an `/etc`-like directory (`DIR/etc`
    /// when it exists, else `DIR`).
    pub fn from_dir(dir: &std::path::Path) -> Result<NodeRoles, String> {
        let etc = if dir.join("etc").is_dir() {
            dir.join("etc")
        } else {
            dir.to_path_buf()
        };
        let entries = std::fs::read_dir(&etc).map_err(|e| format!("{}: {e}", etc.display()))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.starts_with("hostname."))
            .collect();
        names.sort();
        let mut roles = NodeRoles::default();
        for n in names {
            let ifname = &n["hostname.".len()..];
            let text = std::fs::read_to_string(etc.join(&n)).map_err(|e| format!("{n}: {e}"))?;
            roles.read(ifname, &text);
        }
        Ok(roles)
    }

    /// Reads one `hostname.IF` text.
    pub fn read(&mut self, ifname: &str, text: &str) {
        let words: Vec<&str> = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .flat_map(str::split_whitespace)
            .collect();
        let after = |k: &str| {
            words
                .iter()
                .position(|w| *w == k)
                .and_then(|i| words.get(i + 1))
                .map(|s| s.to_string())
        };
        if ifname.starts_with("carp") {
            self.carp.push(CarpIf {
                name: ifname.to_string(),
                carpdev: after("carpdev"),
                vhid: after("vhid").and_then(|v| v.parse().ok()),
                advskew: after("advskew").and_then(|v| v.parse().ok()),
                pass: after("pass").map(Secret),
            });
        } else if ifname.starts_with("pfsync") {
            self.syncdev = after("syncdev");
        }
    }
}

impl Roles {
    /// Roles from the ruleset, completed by a node's configuration: the
    /// node's `carpdev`s and `syncdev` come first.
    pub fn with_node(rs: &Ruleset, node: Option<&NodeRoles>) -> Roles {
        let mut roles = Roles::of(rs);
        if let Some(n) = node {
            let span_of = |list: &[(String, Span)], name: &str| {
                list.iter().find(|(x, _)| x == name).map(|(_, s)| *s)
            };
            let mut carp: Vec<(String, Span)> = Vec::new();
            for c in &n.carp {
                if let Some(dev) = &c.carpdev {
                    if carp.iter().any(|(x, _)| x == dev) {
                        continue;
                    }
                    // The finding needs a rule to point at; a parent the
                    // ruleset never mentions is reported at the first rule.
                    let span = span_of(&roles.carp_parents, dev)
                        .or_else(|| main_rules(rs).first().map(|(_, s)| *s));
                    if let Some(s) = span {
                        carp.push((dev.clone(), s));
                    }
                }
            }
            for (x, s) in &roles.carp_parents {
                if !carp.iter().any(|(y, _)| y == x) {
                    carp.push((x.clone(), *s));
                }
            }
            roles.carp_parents = carp;
            if let Some(dev) = &n.syncdev {
                let span =
                    span_of(&roles.sync, dev).or_else(|| main_rules(rs).first().map(|(_, s)| *s));
                roles.sync.retain(|(x, _)| x == dev);
                if roles.sync.is_empty() {
                    if let Some(s) = span {
                        roles.sync.push((dev.clone(), s));
                    }
                }
                roles.syncdev = Some(dev.clone());
            }
        }
        roles
    }

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

fn check_ifname(key: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "pfconf.toml: [ha] {key}: `{name}` is not an interface name"
        ))
    }
}

/// True for a filter option that narrows what a rule matches (as
/// opposed to an action option: `log`, `return`, `set prio`, `set tos`,
/// `rtable`, `label`, `tag`, state and translation options).
pub(crate) fn narrows_match(o: &FilterOpt) -> bool {
    matches!(
        o,
        FilterOpt::User { .. }
            | FilterOpt::Group { .. }
            | FilterOpt::Flags { .. }
            | FilterOpt::IcmpType { .. }
            | FilterOpt::Prio { .. }
            | FilterOpt::Tos { .. }
            | FilterOpt::Tagged { .. }
            | FilterOpt::Probability { .. }
            | FilterOpt::ReceivedOn { .. }
            | FilterOpt::Once
            | FilterOpt::MaxPktRate { .. }
    )
}

/// A block rule that matches every packet of its direction and family:
/// no interface, protocol, address, port, `os` or narrowing option.
pub(crate) fn blocks_all_of_its_kind(r: &FilterRule) -> bool {
    let any = |e: &Option<Box<Endpoint>>| {
        e.as_ref()
            .is_none_or(|e| (e.any || e.hosts.is_empty()) && e.ports.is_empty())
    };
    matches!(r.action.node, Action::Block { .. })
        && r.interfaces.is_empty()
        && r.protos.is_empty()
        && any(&r.hosts.from)
        && any(&r.hosts.to)
        && r.hosts.os.is_empty()
        && !r.options.iter().any(|o| narrows_match(&o.node))
}

/// A rule that blocks everything: `block [drop|return...] [all]` with no
/// direction, family or match restriction (action options allowed).
pub(crate) fn blocks_everything(r: &FilterRule) -> bool {
    blocks_all_of_its_kind(r) && r.direction.is_none() && r.af.is_none()
}

/// A default-deny candidate for `no-default-block` (direction and family
/// are judged by the lint).
pub(crate) fn default_deny(r: &FilterRule) -> bool {
    blocks_all_of_its_kind(r)
}
