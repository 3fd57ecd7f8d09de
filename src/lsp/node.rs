//! The node in the editor: what the node directory (`[node] dir` of
//! `pfconf.toml`, or `initializationOptions.node`) says about an
//! interface or a group, for hover, and the names it knows, for
//! completion after `on`.
//!
//! What is said comes from [`crate::node::Node`] as the HA lints read it:
//! an interface's addresses (and the families configured at run time),
//! its groups as the kernel forms them, its CARP role (vhid, carpdev,
//! advbase/advskew, the peer the advertisements go to) or pfsync role
//! (syncdev, syncpeer), and which CARP or pfsync interfaces use it as
//! their parent; a group's members. What the files leave open is said to
//! be open, never guessed. Without a node directory the hover says how
//! to name one.

use super::server::Server;
use super::workspace::ProjectConfig;
use crate::node::{Known, Node};
use lsp_server::ResponseError;
use lsp_types::Uri;

/// The node of a document's project: the node, or why there is none.
pub(crate) fn of(server: &Server, uri: &Uri) -> Result<Result<Node, String>, ResponseError> {
    let doc = server.document(uri)?;
    let root = server.workspace.root_for(doc.path.as_deref());
    let (config, error) = ProjectConfig::load(
        doc.path.as_deref(),
        root.as_deref(),
        server.workspace.node.as_deref(),
    );
    Ok(match (config.node_dir, config.lints.node, error) {
        (Some(_), Some(node), _) => Ok(node),
        (_, _, Some(error)) => Err(format!("no node: {error}")),
        _ => Err(NO_NODE.to_string()),
    })
}

/// What a hover says without a node directory.
pub(crate) const NO_NODE: &str = "no node is configured: name its directory in `pfconf.toml` (`[node] dir = \"nodes/fw1\"`) or in the editor's `initializationOptions` (`{\"node\": \"nodes/fw1\"}`) to see its addresses and CARP/pfsync roles";

/// An interface or group name as written in a rule: without a `:network`
/// (or other) modifier.
pub(crate) fn bare(word: &str) -> &str {
    word.split(':').next().unwrap_or(word)
}

/// True when the node knows `name` as an interface or a group.
pub(crate) fn knows(node: &Node, name: &str) -> bool {
    node.interface(name).is_some() || groups(node).iter().any(|(g, _)| g == name)
}

/// The hover text for an interface or group `name`.
pub(crate) fn describe(node: &Node, name: &str) -> String {
    match node.interface(name) {
        Some(_) => interface(node, name),
        None if !roles_of(node, name).is_empty() => interface(node, name),
        None if name.ends_with(|c: char| c.is_ascii_digit()) => {
            format!("interface `{name}`: not configured on this node (no `hostname.{name}`)")
        }
        None => group(node, name),
    }
}

/// What other interfaces make of `name`: the CARP interfaces it is the
/// parent of, the pfsync interface it is the sync interface of.
fn roles_of(node: &Node, name: &str) -> Vec<String> {
    let mut roles = Vec::new();
    let children: Vec<String> = node
        .carp_interfaces()
        .filter(|c| node.carpdev(c).is_ok_and(|d| d == name))
        .map(|c| {
            let vhid = c.carp.as_ref().and_then(|x| x.vhid);
            match vhid {
                // A placeholder of pfconf.toml [ha] has no real name.
                _ if node.is_synthetic(&c.name) => "CARP interfaces (pfconf.toml [ha])".into(),
                Some(v) => format!("`{}` (vhid {v})", c.name),
                None => format!("`{}`", c.name),
            }
        })
        .collect();
    if !children.is_empty() {
        roles.push(format!(
            "CARP parent of {}: its rules decide their advertisements",
            children.join(", ")
        ));
    }
    if let Some((sync, _)) = node
        .pfsync()
        .filter(|(_, p)| p.syncdev.as_deref() == Some(name))
    {
        roles.push(if node.is_synthetic(&sync.name) {
            "the pfsync sync interface (pfconf.toml [ha])".to_string()
        } else {
            format!("sync interface of `{}`", sync.name)
        });
    }
    roles
}

fn interface(node: &Node, name: &str) -> String {
    let Some(i) = node.interface(name) else {
        // A parent or sync interface only named by others (or by
        // pfconf.toml [ha]) still has its roles.
        let roles = roles_of(node, name);
        if roles.is_empty() {
            return String::new();
        }
        let mut out = format!("interface `{name}` (no `hostname.{name}` in the node)");
        for l in roles {
            out.push_str("\n\n");
            out.push_str(&l);
        }
        return out;
    };
    let mut out = format!("interface `{name}` (`{}`)", node.interface_path(name));
    if let Some(d) = &i.description {
        out.push_str(&format!(": {d}"));
    }
    if i.down {
        out.push_str(", down");
    }
    let mut lines: Vec<String> = Vec::new();
    let mut addrs: Vec<String> = i
        .addrs
        .iter()
        .map(|a| format!("{}/{}", a.addr, a.prefix))
        .collect();
    addrs.extend(i.dynamic.iter().map(|d| {
        format!(
            "{} configured at run time (dhcp/autoconf)",
            match d.af {
                crate::ast::AddressFamily::Inet => "IPv4",
                crate::ast::AddressFamily::Inet6 => "IPv6",
            }
        )
    }));
    lines.push(match addrs.is_empty() {
        true => "addresses: none".to_string(),
        false => format!("addresses: {}", addrs.join(", ")),
    });
    let mut member_of: Vec<String> = Vec::new();
    for (g, _) in groups(node) {
        match node.in_group(name, &g) {
            Known::Yes if g != name => member_of.push(format!("`{g}`")),
            Known::Unknown(_) if g == "egress" => member_of.push("`egress` (maybe)".into()),
            _ => {}
        }
    }
    member_of.push("`all`".into());
    lines.push(format!("groups: {}", member_of.join(", ")));
    if let Some(c) = &i.carp {
        let mut role = vec![format!(
            "vhid {}",
            c.vhid.map_or("not set".to_string(), |v| v.to_string())
        )];
        role.push(match node.carpdev(i) {
            Ok(d) => format!("carpdev {d}"),
            Err(e) => format!("no carpdev ({e})"),
        });
        role.push(format!("advbase {}", c.advbase.unwrap_or(1)));
        role.push(format!("advskew {}", c.advskew.unwrap_or(0)));
        if c.pass.is_some() {
            role.push("password set".into());
        }
        lines.push(format!("CARP: {}", role.join(", ")));
        lines.push(match c.carppeer.as_slice() {
            [] => format!(
                "advertisements: multicast to {} (IPv4) / {} (IPv6), proto carp",
                crate::packet::CARP_GROUP_V4,
                crate::packet::CARP_GROUP_V6
            ),
            peers => format!(
                "advertisements: unicast to the peer {} (carppeer), proto carp",
                peers
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if let Some(p) = &i.pfsync {
        let mut role = vec![match &p.syncdev {
            Some(d) => format!("syncdev {d}"),
            None => "no syncdev".to_string(),
        }];
        role.push(match p.syncpeer {
            Some(peer) => format!("syncpeer {peer}"),
            None => format!("multicast to {}", crate::packet::PFSYNC_GROUP),
        });
        if let Some(d) = p.defer {
            role.push(if d { "defer" } else { "-defer" }.into());
        }
        lines.push(format!("pfsync: {}", role.join(", ")));
    }
    lines.extend(roles_of(node, name));
    for l in lines {
        out.push_str("\n\n");
        out.push_str(&l);
    }
    out
}

fn group(node: &Node, name: &str) -> String {
    let (members, open) = node.members(name);
    let mut out = match members.as_slice() {
        [] => format!("group `{name}`: no member known"),
        many => format!(
            "group `{name}`: {}",
            many.iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if open {
        let why = match node.in_group("", name) {
            Known::Unknown(why) => why,
            _ if name == "egress" => node
                .egress()
                .unknown
                .clone()
                .unwrap_or_else(|| "another interface may hold a default route".into()),
            _ => "interfaces configured at run time may join".into(),
        };
        out.push_str(&format!("\n\nmay hold others: {why}"));
    }
    out
}

/// The names the node knows, for completion: its interfaces (detail:
/// their addresses or role) then its groups (detail: their members).
pub(crate) fn names(node: &Node) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = node
        .interfaces
        .iter()
        .map(|i| {
            let detail = match (&i.carp, &i.pfsync, i.addrs.first()) {
                (Some(c), _, _) => format!(
                    "CARP vhid {}",
                    c.vhid.map_or("?".to_string(), |v| v.to_string())
                ),
                (_, Some(p), _) => format!(
                    "pfsync on {}",
                    p.syncdev.clone().unwrap_or_else(|| "?".into())
                ),
                (_, _, Some(a)) => format!("{}/{}", a.addr, a.prefix),
                _ => "interface".to_string(),
            };
            (i.name.clone(), detail)
        })
        .collect();
    out.extend(groups(node));
    out
}

/// The groups the node forms (explicit `group` lines, driver groups of
/// cloned interfaces, `egress` when it has a member), with their members.
fn groups(node: &Node) -> Vec<(String, String)> {
    let mut names: Vec<String> = Vec::new();
    for i in &node.interfaces {
        for g in &i.groups {
            if !names.contains(g) {
                names.push(g.clone());
            }
        }
        let d = i.driver().to_string();
        if crate::node::is_driver_group(&d) && !names.contains(&d) {
            names.push(d);
        }
    }
    let e = node.egress();
    if !(e.members.is_empty() && e.maybe.is_empty()) {
        names.push("egress".into());
    }
    names.sort();
    names
        .into_iter()
        .map(|g| {
            let (members, _) = node.members(&g);
            let detail = format!("group: {}", members.join(", "));
            (g, detail)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The handbook's first node (em0 WAN, em1 LAN, em2 sync, carp0 and
    /// carp1 on em0 and em1, pfsync0 on em2).
    fn handbook() -> Node {
        Node::from_files([
            ("hostname.em0", "inet 203.0.113.2 255.255.255.248\n"),
            ("hostname.em1", "inet 10.10.10.2 255.255.255.0\n"),
            ("hostname.em2", "inet 192.168.254.1 255.255.255.252\n"),
            (
                "hostname.carp0",
                "inet 203.0.113.1 255.255.255.248 vhid 10 carpdev em0 pass sharedsecret advskew 0\n",
            ),
            (
                "hostname.carp1",
                "inet 10.10.10.1 255.255.255.0 vhid 20 carpdev em1 pass sharedsecret advskew 100\n",
            ),
            ("hostname.pfsync0", "up syncdev em2\n"),
            ("mygate", "203.0.113.6\n"),
        ])
    }

    #[test]
    fn an_interface_says_its_addresses_groups_and_role() {
        let n = handbook();
        let carp1 = describe(&n, "carp1");
        assert!(
            carp1.starts_with("interface `carp1` (`/etc/hostname.carp1`)"),
            "{carp1}"
        );
        assert!(carp1.contains("addresses: 10.10.10.1/24"), "{carp1}");
        assert!(carp1.contains("groups: `carp`, `all`"), "{carp1}");
        assert!(
            carp1.contains("CARP: vhid 20, carpdev em1, advbase 1, advskew 100, password set"),
            "{carp1}"
        );
        assert!(
            !carp1.contains("sharedsecret"),
            "the password is never shown"
        );
        assert!(carp1.contains("multicast to 224.0.0.18"), "{carp1}");
        let em0 = describe(&n, "em0");
        assert!(em0.contains("groups: `egress`, `all`"), "{em0}");
        assert!(em0.contains("CARP parent of `carp0` (vhid 10)"), "{em0}");
        let em2 = describe(&n, "em2");
        assert!(em2.contains("sync interface of `pfsync0`"), "{em2}");
        let pfsync0 = describe(&n, "pfsync0");
        assert!(
            pfsync0.contains("pfsync: syncdev em2, multicast to 224.0.0.240"),
            "{pfsync0}"
        );
        assert!(
            pfsync0.contains("groups: `carp`, `pfsync`, `all`"),
            "{pfsync0}"
        );
        assert_eq!(
            describe(&n, "em9"),
            "interface `em9`: not configured on this node (no `hostname.em9`)"
        );
    }

    #[test]
    fn a_group_says_its_members_and_what_is_open() {
        let n = handbook();
        assert_eq!(
            describe(&n, "carp"),
            "group `carp`: `carp0`, `carp1`, `pfsync0`"
        );
        assert_eq!(describe(&n, "egress"), "group `egress`: `em0`");
        let lan = describe(&n, "lan");
        assert!(lan.starts_with("group `lan`: no member known"), "{lan}");
        assert!(
            lan.contains("no hostname.if file puts an interface in group `lan`"),
            "{lan}"
        );
    }

    #[test]
    fn completion_names_interfaces_then_groups() {
        let names: Vec<String> = names(&handbook()).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            ["carp0", "carp1", "em0", "em1", "em2", "pfsync0", "carp", "egress", "pfsync"]
        );
        assert!(knows(&handbook(), "egress"));
        assert!(!knows(&handbook(), "lan"));
        assert_eq!(bare("em0:network"), "em0");
    }

    #[test]
    fn interfaces_named_only_by_ha_settings_say_their_roles_without_placeholders() {
        let mut cfg =
            crate::lint::LintConfig::from_toml("[ha]\ncarpdev = [\"em0\"]\nsyncdev = \"em2\"\n")
                .unwrap();
        let n = cfg.node.take().unwrap();
        let em0 = describe(&n, "em0");
        assert!(
            em0.starts_with("interface `em0` (no `hostname.em0` in the node)"),
            "{em0}"
        );
        assert!(
            em0.contains("CARP parent of CARP interfaces (pfconf.toml [ha])"),
            "{em0}"
        );
        let em2 = describe(&n, "em2");
        assert!(
            em2.contains("the pfsync sync interface (pfconf.toml [ha])"),
            "{em2}"
        );
        for text in [em0, em2] {
            assert!(
                !text.contains("carp90") && !text.contains("/etc/"),
                "{text}"
            );
        }
        assert!(describe(&n, "em5").contains("not configured on this node"));
    }
}
