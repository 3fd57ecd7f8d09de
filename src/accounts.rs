//! User and group names as pfctl resolves them for `user` and `group`
//! (parse.y 1.719 `uid`/`gid`: `uid_from_user` / `gid_from_group` over the
//! host's password and group databases; the word `unknown` is -1).
//!
//! A node directory's `etc/master.passwd` (or `etc/passwd`) and
//! `etc/group` are the databases of that node. Without them, the names and
//! ids of OpenBSD's own system accounts are used: the base system's
//! `etc/master.passwd` (CVS rev 1.106, 2022-06-28) and `etc/group` (rev
//! 1.98, 2022-08-23), read from a mirror of the OpenBSD tree. Accounts
//! added to the base system later (such as `_dhcp6leased`) are not in
//! the list: a name found nowhere stays a name, never a guessed id.

use std::collections::HashMap;

/// Where the names come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountsOrigin {
    /// OpenBSD's base system accounts, built in.
    OpenBsdBase,
    /// A node directory's files.
    Node,
}

/// A user or a group: which database a name is looked up in.
///
/// ```
/// use pfconf::accounts::{AccountKind, Accounts};
///
/// let kind: AccountKind = "group".parse().unwrap();
/// assert_eq!(Accounts::openbsd().id(kind, "wheel"), Some(0));
/// assert_eq!(AccountKind::User.to_string(), "user");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKind {
    /// A user (`user` in a rule, the password database).
    User,
    /// A group (`group` in a rule, the group database).
    Group,
}

crate::keyword::keywords!(serialize AccountKind, "account kind" {
    User => "user",
    Group => "group",
});

/// A password and a group database.
#[derive(Debug, Clone)]
pub struct Accounts {
    users: HashMap<String, u32>,
    groups: HashMap<String, u32>,
    /// Where the names come from.
    pub origin: AccountsOrigin,
}

const USERS: &[(&str, u32)] = &[
    ("root", 0),
    ("daemon", 1),
    ("operator", 2),
    ("bin", 3),
    ("build", 21),
    ("sshd", 27),
    ("_portmap", 28),
    ("_identd", 29),
    ("_rstatd", 30),
    ("_rusersd", 32),
    ("_fingerd", 33),
    ("_x11", 35),
    ("_unwind", 48),
    ("_traceroute", 50),
    ("_ping", 51),
    ("_unbound", 53),
    ("_dpb", 54),
    ("_pbuild", 55),
    ("_pfetch", 56),
    ("_pkgfetch", 57),
    ("_pkguntar", 58),
    ("_spamd", 62),
    ("www", 67),
    ("_isakmpd", 68),
    ("_rpki-client", 70),
    ("_bgplgd", 71),
    ("_syslogd", 73),
    ("_pflogd", 74),
    ("_bgpd", 75),
    ("_tcpdump", 76),
    ("_dhcp", 77),
    ("_mopd", 78),
    ("_tftpd", 79),
    ("_rbootd", 80),
    ("_ppp", 82),
    ("_ntp", 83),
    ("_ftp", 84),
    ("_ospfd", 85),
    ("_hostapd", 86),
    ("_dvmrpd", 87),
    ("_ripd", 88),
    ("_relayd", 89),
    ("_ospf6d", 90),
    ("_snmpd", 91),
    ("_ypldap", 93),
    ("_rad", 94),
    ("_smtpd", 95),
    ("_rwalld", 96),
    ("_nsd", 97),
    ("_ldpd", 98),
    ("_sndio", 99),
    ("_ldapd", 100),
    ("_iked", 101),
    ("_iscsid", 102),
    ("_smtpq", 103),
    ("_file", 104),
    ("_radiusd", 105),
    ("_eigrpd", 106),
    ("_vmd", 107),
    ("_tftp_proxy", 108),
    ("_ftp_proxy", 109),
    ("_sndiop", 110),
    ("_syspatch", 112),
    ("_slaacd", 115),
    ("_tcpbench", 116),
    ("nobody", 32767),
];

const GROUPS: &[(&str, u32)] = &[
    ("wheel", 0),
    ("daemon", 1),
    ("kmem", 2),
    ("sys", 3),
    ("tty", 4),
    ("operator", 5),
    ("bin", 7),
    ("wsrc", 9),
    ("users", 10),
    ("auth", 11),
    ("games", 13),
    ("staff", 20),
    ("wobj", 21),
    ("sshd", 27),
    ("_portmap", 28),
    ("_identd", 29),
    ("_rstatd", 30),
    ("guest", 31),
    ("_rusersd", 32),
    ("_fingerd", 33),
    ("_sshagnt", 34),
    ("_x11", 35),
    ("utmp", 45),
    ("_unwind", 48),
    ("_traceroute", 50),
    ("_ping", 51),
    ("_unbound", 53),
    ("_dpb", 54),
    ("_pbuild", 55),
    ("_pfetch", 56),
    ("_pkgfetch", 57),
    ("_pkguntar", 58),
    ("_spamd", 62),
    ("_radius", 63),
    ("_token", 64),
    ("_shadow", 65),
    ("crontab", 66),
    ("www", 67),
    ("_isakmpd", 68),
    ("network", 69),
    ("_rpki-client", 70),
    ("_bgplgd", 71),
    ("authpf", 72),
    ("_syslogd", 73),
    ("_pflogd", 74),
    ("_bgpd", 75),
    ("_tcpdump", 76),
    ("_dhcp", 77),
    ("_mopd", 78),
    ("_tftpd", 79),
    ("_rbootd", 80),
    ("_ppp", 82),
    ("_ntp", 83),
    ("_ftp", 84),
    ("_ospfd", 85),
    ("_hostapd", 86),
    ("_dvmrpd", 87),
    ("_ripd", 88),
    ("_relayd", 89),
    ("_ospf6d", 90),
    ("_snmpd", 91),
    ("_agentx", 92),
    ("_ypldap", 93),
    ("_rad", 94),
    ("_smtpd", 95),
    ("_rwalld", 96),
    ("_nsd", 97),
    ("_ldpd", 98),
    ("_sndio", 99),
    ("_ldapd", 100),
    ("_iked", 101),
    ("_iscsid", 102),
    ("_smtpq", 103),
    ("_file", 104),
    ("_radiusd", 105),
    ("_eigrpd", 106),
    ("_vmd", 107),
    ("_tftp_proxy", 108),
    ("_ftp_proxy", 109),
    ("_sndiop", 110),
    ("_syspatch", 112),
    ("_slaacd", 115),
    ("_tcpbench", 116),
    ("dialer", 117),
    ("nogroup", 32766),
    ("nobody", 32767),
];

impl Accounts {
    /// OpenBSD's base system accounts.
    ///
    /// ```
    /// let base = pfconf::accounts::Accounts::openbsd();
    /// assert_eq!(base.uid("www"), Some(67));
    /// assert_eq!(base.gid("wheel"), Some(0));
    /// ```
    pub fn openbsd() -> &'static Accounts {
        static BASE: std::sync::OnceLock<Accounts> = std::sync::OnceLock::new();
        BASE.get_or_init(|| Accounts {
            users: USERS.iter().map(|(n, id)| (n.to_string(), *id)).collect(),
            groups: GROUPS.iter().map(|(n, id)| (n.to_string(), *id)).collect(),
            origin: AccountsOrigin::OpenBsdBase,
        })
    }

    /// A node's databases: `master.passwd` or `passwd` lines
    /// (`name:password:uid:gid:...`) and `group` lines
    /// (`name:password:gid:members`). Comments and lines that are not
    /// entries are skipped; the first entry of a name wins, as getpwnam's
    /// does.
    pub fn parse(passwd: &str, group: &str) -> Accounts {
        fn entries(text: &str, id_field: usize) -> HashMap<String, u32> {
            let mut out = HashMap::new();
            for line in text.lines() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                let fields: Vec<&str> = line.split(':').collect();
                let (Some(name), Some(id)) = (fields.first(), fields.get(id_field)) else {
                    continue;
                };
                if let Ok(id) = id.trim().parse::<u32>() {
                    out.entry(name.trim().to_string()).or_insert(id);
                }
            }
            out
        }
        Accounts {
            users: entries(passwd, 2),
            groups: entries(group, 2),
            origin: AccountsOrigin::Node,
        }
    }

    /// The uid of a user name.
    pub fn uid(&self, name: &str) -> Option<u32> {
        self.users.get(name).copied()
    }

    /// The gid of a group name.
    pub fn gid(&self, name: &str) -> Option<u32> {
        self.groups.get(name).copied()
    }

    /// The id of a user or group name.
    pub fn id(&self, kind: AccountKind, name: &str) -> Option<u32> {
        match kind {
            AccountKind::User => self.uid(name),
            AccountKind::Group => self.gid(name),
        }
    }
}

/// `user` and `group` names a node's databases do not define: pfctl on
/// that node stops with `unknown user NAME` / `unknown group NAME`
/// (parse.y 1.719), so the ruleset does not load there. Only for a node's
/// own files: OpenBSD's base accounts are not the node's whole database.
pub fn unknown_names(
    resolved: &crate::resolve::Resolved,
    accounts: &Accounts,
) -> Vec<crate::diag::Diagnostic> {
    use crate::ast::{FilterOpt, PortItem};
    let mut out = Vec::new();
    if accounts.origin != AccountsOrigin::Node {
        return out;
    }
    for (r, _) in resolved.every_rule() {
        for o in &r.options {
            let (kind, items, file) = match &o.node {
                FilterOpt::User { items } => (AccountKind::User, items, "/etc/master.passwd"),
                FilterOpt::Group { items } => (AccountKind::Group, items, "/etc/group"),
                _ => continue,
            };
            for it in items {
                let values = match &it.node {
                    PortItem::Eq { value } | PortItem::Unary { value, .. } => vec![value],
                    PortItem::Binary { low, high, .. } => vec![low, high],
                };
                for v in values {
                    for word in v.node.text().split(':') {
                        let numeric = word.parse::<u32>().is_ok();
                        if numeric || word == "unknown" || word.is_empty() {
                            continue;
                        }
                        if accounts.id(kind, word).is_none() {
                            out.push(
                                crate::diag::Diagnostic::warning(
                                    match kind {
                                        AccountKind::User => "unknown-user",
                                        AccountKind::Group => "unknown-group",
                                    },
                                    v.span,
                                    format!(
                                        "unknown {kind} {word}: the node's {file} does not define it, so pfctl there stops loading the ruleset"
                                    ),
                                )
                                .with_help(format!(
                                    "add {word} to the node's {file}, or write its numeric id"
                                )),
                            );
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_accounts_hold_openbsds_system_users_and_groups() {
        let a = Accounts::openbsd();
        assert_eq!(a.uid("root"), Some(0));
        assert_eq!(a.uid("www"), Some(67));
        assert_eq!(a.uid("_pbuild"), Some(55));
        assert_eq!(a.uid("_pfetch"), Some(56));
        assert_eq!(a.uid("_unbound"), Some(53));
        assert_eq!(a.uid("nobody"), Some(32767));
        assert_eq!(a.gid("wheel"), Some(0));
        assert_eq!(a.gid("operator"), Some(5));
        assert_eq!(a.gid("_agentx"), Some(92));
        assert_eq!(a.gid("nogroup"), Some(32766));
        assert_eq!(a.uid("alice"), None);
        // `build` has gid 21, the group `wobj`: there is no `build` group.
        assert_eq!(a.gid("build"), None);
        assert_eq!(USERS.len(), 66);
        assert_eq!(GROUPS.len(), 86);
    }

    #[test]
    fn node_files_are_read_as_getpwnam_reads_them() {
        let a = Accounts::parse(
            "# comment\nroot:*:0:0:daemon:0:0:Charlie &:/root:/bin/ksh\nalice:*:1000:1000::0:0:Alice:/home/alice:/bin/ksh\nalice:*:2000:1000::0:0::/:/sbin/nologin\nbroken line\n",
            "wheel:*:0:root\nstaff:*:20:root,alice\n",
        );
        assert_eq!(a.uid("alice"), Some(1000), "the first entry wins");
        assert_eq!(a.uid("www"), None, "only the node's own accounts");
        assert_eq!(a.gid("staff"), Some(20));
        assert_eq!(a.origin, AccountsOrigin::Node);
    }
}
