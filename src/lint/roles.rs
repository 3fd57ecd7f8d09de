//! Rule helpers the lints share, and the `[ha]` table of `pfconf.toml`
//! (CARP parents and the sync interface, for rulesets checked without a
//! node directory), read by [`NodeRoles::from_ha_table`] and turned into a
//! node model by [`NodeRoles::to_node`].

use crate::ast::*;
use crate::config::ConfigError;
use crate::span::Span;

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

/// What `pfconf.toml [ha]` says: CARP parents and the sync interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeRoles {
    /// CARP parent interfaces (`carpdev`).
    pub carpdev: Vec<String>,
    /// The pfsync sync interface (`syncdev`).
    pub syncdev: Option<String>,
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
    pub fn from_ha_table(table: &toml::Table) -> Result<NodeRoles, ConfigError> {
        // The messages name `pfconf.toml`: the table has no file of its own.
        let bad = |key: &str, message: String| {
            ConfigError::new(
                crate::config::FILE_NAME,
                Some(format!("ha.{key}")),
                format!("[ha] {key}: {message}"),
            )
        };
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
                                bad(
                                    k,
                                    "expected interface names, e.g. carpdev = [\"em0\"]".into(),
                                )
                            })?,
                        _ => {
                            return Err(bad(
                                k,
                                "expected an interface name or a list of them, \
                                 e.g. carpdev = [\"em0\"]"
                                    .into(),
                            ))
                        }
                    };
                    for d in devs {
                        if !is_ifname(d) {
                            return Err(bad(k, format!("`{d}` is not an interface name")));
                        }
                        roles.carpdev.push(d.to_string());
                    }
                }
                "syncdev" => {
                    let d = v.as_str().ok_or_else(|| {
                        bad(
                            k,
                            "expected an interface name, e.g. syncdev = \"em2\"".into(),
                        )
                    })?;
                    if !is_ifname(d) {
                        return Err(bad(k, format!("`{d}` is not an interface name")));
                    }
                    roles.syncdev = Some(d.to_string());
                }
                other => {
                    return Err(bad(
                        other,
                        "unknown key (expected carpdev or syncdev)".into(),
                    ))
                }
            }
        }
        Ok(roles)
    }

    /// The roles as a node: `carpN` interfaces with their `carpdev` and a
    /// `pfsync0` with its `syncdev`, nothing else known. Their files are
    /// synthetic ([`crate::node::NodeFile::synthetic`]): the names are
    /// placeholders that no message shows.
    pub fn to_node(&self) -> crate::node::Node {
        let mut texts: Vec<(String, String)> = Vec::new();
        for (i, d) in self.carpdev.iter().enumerate() {
            texts.push((
                format!("hostname.carp{}", 900 + i),
                format!("carpdev {d}\n"),
            ));
        }
        if let Some(d) = &self.syncdev {
            texts.push(("hostname.pfsync0".into(), format!("syncdev {d}\n")));
        }
        let mut node =
            crate::node::Node::from_files(texts.iter().map(|(a, b)| (a.as_str(), b.as_str())));
        for f in &mut node.files {
            f.synthetic = true;
        }
        node
    }
}

fn is_ifname(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// A block rule that matches every packet of its direction and family:
/// no interface, protocol, address, port, `os` or option that narrows
/// ([`FilterOpt::narrows`]).
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
        && !r.options.iter().any(|o| o.node.narrows())
}

/// A rule that blocks everything: `block [drop|return...] [all]` with no
/// direction, family or match restriction (action options allowed).
pub(crate) fn blocks_everything(r: &FilterRule) -> bool {
    blocks_all_of_its_kind(r) && r.direction.is_none() && r.af.is_none()
}
