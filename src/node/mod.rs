//! The node model: what a firewall node's `/etc` says about its network.
//!
//! A node directory is an `/etc`-like tree (`DIR/etc` when it exists, else
//! `DIR`). It is read as OpenBSD's netstart(8) reads it
//! (hostname.if(5), carp(4), pfsync(4)):
//!
//! - every `hostname.<if>`: addresses with prefixes (dotted, hex or `/len`
//!   netmasks, `inet6 ADDR PREFIXLEN`, `alias`), `dhcp` / `autoconf`
//!   (addresses that exist but are not known here), `up`/`down`,
//!   `description`, `group` lines, `parent`/`vlandev`, `trunkport`, bridge
//!   `add`, `rdomain`; `!command` lines run nothing here, except that a
//!   `!route add default GW` gives a default gateway;
//! - CARP: `vhid`, `advbase`, `advskew`, `pass` (kept as a [`Secret`]),
//!   `carpdev`, `carppeer`, `balancing`, `carpnodes`;
//! - pfsync: `syncdev`, `syncpeer`, `defer`, `maxupd`;
//! - `mygate` (default gateways), `myname`, `sysctl.conf`.
//!
//! Quoting is read as netstart's split-then-`eval` reads it (see
//! [`words`]). On top of the files the model answers what pf and the
//! kernel derive: interface groups (explicit, the driver name of a cloned
//! interface, `egress`, `all`) and a CARP interface's parent.
//!
//! Kernel facts the model follows (OpenBSD sources of 2025):
//! - `if_clone_create()` (net/if.c 1.741) puts a cloned interface in the
//!   group of its driver name (`carp1` in `carp`, `vlan10` in `vlan`);
//!   physical interfaces join only `all` (`if_attachsetup()`), so `em0`
//!   is not in a group `em`. `pfsync0` is also in `carp`
//!   (`pfsync_clone_create()`, if_pfsync.c 1.332).
//! - `egress` holds the interfaces of the default routes of routing table
//!   0 (`if_group_egress_build()`).
//! - A CARP interface takes an address only once `carpdev` is set: the
//!   kernel does not pick a parent by subnet (ip_carp.c 1.370,
//!   `carp_ioctl` SIOCSIFADDR returns EINVAL without one). ifconfig
//!   applies a line's address after its other settings, so `carpdev` on
//!   the address line or before it counts.
//! - netstart 1.229: `mygate` gives the first IPv4 and the first IPv6
//!   gateway, each ignored when some interface autoconfigures that family
//!   (`dhcp`, `inet autoconf`, `inet6 autoconf`).
//!
//! Invariant: the model never invents a value the files leave open. Every
//! question it cannot answer comes back as [`Known::Unknown`] with the
//! reason, for the caller to report as undecided.

pub mod probes;
mod read;
pub(crate) mod words;

use crate::ast::AddressFamily;
use crate::span::{FileId, SourceMap, Span};
use ipnet::IpNet;
use serde::Serialize;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// An answer that may be open: yes, no, or unknown with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Known {
    /// Surely so.
    Yes,
    /// Surely not.
    No,
    /// The node's files leave it open; the text says why.
    Unknown(String),
}

impl Known {
    fn from(b: bool) -> Known {
        if b {
            Known::Yes
        } else {
            Known::No
        }
    }
}

/// A secret value: compared, never shown (`Debug` prints `<secret>`).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// A secret holding `s`.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

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

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<secret>")
    }
}

/// Where something was read: a node file and a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Index into [`Node::files`].
    pub file: usize,
    /// Byte range of the line in that file.
    pub start: usize,
    /// End of the line.
    pub end: usize,
}

/// A file of the node, named as the node sees it (`/etc/hostname.em0`).
#[derive(Debug, Clone, Serialize)]
pub struct NodeFile {
    /// The path on the node.
    pub path: String,
    /// Its text.
    #[serde(skip)]
    pub text: String,
    /// Its id once added to a [`SourceMap`] ([`Node::attach_sources`]).
    #[serde(skip)]
    pub id: Option<FileId>,
    /// Made from settings (`pfconf.toml [ha]`), not read from the node:
    /// its path and interface names are placeholders, never shown as a
    /// location nor named in a message.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub synthetic: bool,
}

/// One configured address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeAddr {
    /// The address.
    pub addr: IpAddr,
    /// Prefix length of its network.
    pub prefix: u8,
    /// Where it is configured.
    pub origin: Origin,
}

impl NodeAddr {
    /// The network the address is in.
    pub fn network(&self) -> IpNet {
        IpNet::new(self.addr, self.prefix)
            .map(|n| n.trunc())
            .unwrap_or_else(|_| IpNet::from(self.addr))
    }

    /// Its address family.
    pub fn af(&self) -> AddressFamily {
        family(&self.addr)
    }
}

/// The address family of an address.
pub fn family(a: &IpAddr) -> AddressFamily {
    match a {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    }
}

/// CARP settings of a `carpN` interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Carp {
    /// Virtual host id.
    pub vhid: Option<u32>,
    /// Advertisement base interval (seconds).
    pub advbase: Option<u32>,
    /// Advertisement skew.
    pub advskew: Option<u32>,
    /// The password (compared, never printed).
    pub pass: Option<Secret>,
    /// The parent interface as written.
    pub carpdev: Option<String>,
    /// Unicast peer addresses (`carppeer`).
    pub carppeer: Vec<IpAddr>,
    /// `balancing` mode.
    pub balancing: Option<String>,
    /// `carpnodes vhid:advskew,...`.
    pub carpnodes: Vec<(u32, u32)>,
    /// Where the CARP settings are.
    pub origin: Option<Origin>,
}

/// pfsync settings of a `pfsyncN` interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pfsync {
    /// The sync interface.
    pub syncdev: Option<String>,
    /// Unicast peer (instead of the multicast group 224.0.0.240).
    pub syncpeer: Option<IpAddr>,
    /// `defer` (true) or `-defer` (false).
    pub defer: Option<bool>,
    /// `maxupd`.
    pub maxupd: Option<u32>,
    /// Where `syncdev` is set.
    pub origin: Option<Origin>,
}

/// A dynamically configured address family (`dhcp`, `inet6 autoconf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dynamic {
    /// Which family.
    pub af: AddressFamily,
    /// Where.
    pub origin: Origin,
}

/// One interface, as its `hostname.<if>` file configures it.
#[derive(Debug, Clone, Serialize)]
pub struct Interface {
    /// `em0`, `carp1`, `vlan10`...
    pub name: String,
    /// Index of its file in [`Node::files`].
    pub file: usize,
    /// Static addresses.
    pub addrs: Vec<NodeAddr>,
    /// Families configured at run time (addresses unknown, not absent).
    pub dynamic: Vec<Dynamic>,
    /// `group` lines.
    pub groups: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// `down` was the last of `up`/`down`.
    pub down: bool,
    /// `parent` / `vlandev`.
    pub parent: Option<String>,
    /// `trunkport` and bridge `add` members.
    pub members: Vec<String>,
    /// `rdomain`.
    pub rdomain: Option<u32>,
    /// CARP settings (carp interfaces).
    pub carp: Option<Carp>,
    /// pfsync settings (pfsync interfaces).
    pub pfsync: Option<Pfsync>,
}

impl Interface {
    fn new(name: &str, file: usize) -> Interface {
        Interface {
            name: name.to_string(),
            file,
            addrs: Vec::new(),
            dynamic: Vec::new(),
            groups: Vec::new(),
            description: None,
            down: false,
            parent: None,
            members: Vec::new(),
            rdomain: None,
            carp: None,
            pfsync: None,
        }
    }

    /// The driver name (`em` for em0): also the name of a group holding it.
    pub fn driver(&self) -> &str {
        driver(&self.name)
    }

    /// True for a `carpN` interface.
    pub fn is_carp(&self) -> bool {
        self.driver() == "carp"
    }

    /// True when the family's addresses are (partly) set at run time.
    pub fn is_dynamic(&self, af: AddressFamily) -> bool {
        self.dynamic.iter().any(|d| d.af == af)
    }
}

/// True for a loopback interface (`lo0`, `lo1`...), the only kind pfctl
/// sees flagged IFF_LOOPBACK; the group `lo` has no flags (pfctl_parser.c
/// 1.352 `ifa_exists` fakes a host with none for a group).
pub fn is_loopback_interface(name: &str) -> bool {
    name.strip_prefix("lo")
        .is_some_and(|u| !u.is_empty() && u.bytes().all(|b| b.is_ascii_digit()))
}

/// The driver part of an interface name (`vlan` of `vlan10`).
pub fn driver(name: &str) -> &str {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
}

/// A default gateway (`mygate`, `!route add default`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gateway {
    /// The gateway address.
    pub addr: IpAddr,
    /// Where.
    pub origin: Origin,
}

/// A line the model could not read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeNote {
    /// Where.
    pub origin: Origin,
    /// What.
    pub message: String,
    /// What to do instead, when known.
    pub help: Option<String>,
}

/// A node's network configuration.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Node {
    /// The files read, in the order read.
    pub files: Vec<NodeFile>,
    /// Interfaces with a `hostname.<if>` file, sorted by name.
    pub interfaces: Vec<Interface>,
    /// Default gateways (`mygate`, `!route add default`).
    pub gateways: Vec<Gateway>,
    /// `sysctl.conf` settings (`key`, `value`, where).
    pub sysctl: Vec<(String, String, Origin)>,
    /// `myname`.
    pub myname: Option<String>,
    /// Lines that could not be read.
    pub notes: Vec<NodeNote>,
    /// The password and group databases (`master.passwd` or `passwd`,
    /// `group`), when the directory has them.
    #[serde(skip)]
    pub accounts: Option<crate::accounts::Accounts>,
    /// `egress`, derived once from the interfaces and gateways.
    #[serde(skip)]
    egress: Egress,
}

/// Where the members of `egress` come from, per family.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Egress {
    /// Interfaces surely in `egress`.
    pub members: Vec<String>,
    /// Interfaces that may be in it (several candidates for one route).
    pub maybe: Vec<String>,
    /// Set when nothing in the files gives a default route: then any
    /// interface may be in `egress` (a routing daemon may add one).
    pub unknown: Option<String>,
}

/// What to do about a CARP address the kernel refuses.
pub(crate) const CARPDEV_HELP: &str =
    "set `carpdev IF` on the CARP interface's address line (or before it)";

/// The most files read from a node directory.
const MAX_FILES: usize = 4096;
/// The largest node file read.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// Why a node directory could not be read. `Display` names the
/// directory, or the file as the node sees it (`/etc/hostname.em0`).
///
/// ```
/// use pfconf::node::{Node, NodeError};
///
/// let empty = tempfile::tempdir().unwrap();
/// let e = Node::read_dir(empty.path()).unwrap_err();
/// assert!(matches!(&e, NodeError::NotANode { dir } if dir == empty.path()));
/// assert!(e.to_string().ends_with(": no hostname.* files: not a node directory"));
/// ```
#[derive(Debug)]
pub enum NodeError {
    /// The directory could not be listed.
    ReadDir {
        /// The directory (`DIR/etc` or `DIR`).
        dir: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The directory holds no `hostname.*` file.
    NotANode {
        /// The directory (`DIR/etc` or `DIR`).
        dir: PathBuf,
    },
    /// A file is larger than the node model reads (1 MiB).
    TooLarge {
        /// The file as the node sees it (`/etc/hostname.em0`).
        file: String,
    },
    /// A file could not be read.
    ReadFile {
        /// The file as the node sees it.
        file: String,
        /// Why.
        error: std::io::Error,
    },
}

impl std::fmt::Display for NodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeError::ReadDir { dir, error } => write!(f, "{}: {error}", dir.display()),
            NodeError::NotANode { dir } => write!(
                f,
                "{}: no hostname.* files: not a node directory",
                dir.display()
            ),
            NodeError::TooLarge { file } => write!(f, "{file}: larger than 1 MiB"),
            NodeError::ReadFile { file, error } => write!(f, "{file}: {error}"),
        }
    }
}

impl std::error::Error for NodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NodeError::ReadDir { error, .. } | NodeError::ReadFile { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A CARP interface without `carpdev`: the kernel refuses its addresses.
/// `Display` says so and names the interface sharing its subnet, if one
/// does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoCarpdev {
    /// The CARP interface.
    pub interface: String,
    /// The one interface that shares its subnet (the parent probably
    /// meant), if exactly one does.
    pub shares_subnet: Option<String>,
}

impl std::fmt::Display for NoCarpdev {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} has no carpdev: the kernel does not pick a parent by subnet and refuses its addresses",
            self.interface
        )?;
        if let Some(one) = &self.shares_subnet {
            write!(f, " (add `carpdev {one}`: {one} shares its subnet)")?;
        }
        Ok(())
    }
}

impl std::error::Error for NoCarpdev {}

impl Node {
    /// Reads a node directory (`DIR/etc` when it exists, else `DIR`):
    /// `hostname.*`, `mygate`, `myname`, `sysctl.conf`. A directory
    /// without any `hostname.*` file is an error (it is not a node).
    pub fn read_dir(dir: &Path) -> Result<Node, NodeError> {
        let etc = if dir.join("etc").is_dir() {
            dir.join("etc")
        } else {
            dir.to_path_buf()
        };
        let entries = std::fs::read_dir(&etc).map_err(|error| NodeError::ReadDir {
            dir: etc.clone(),
            error,
        })?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| {
                n.starts_with("hostname.")
                    || matches!(
                        n.as_str(),
                        "mygate" | "myname" | "sysctl.conf" | "master.passwd" | "passwd" | "group"
                    )
            })
            .take(MAX_FILES)
            .collect();
        names.sort();
        if !names.iter().any(|n| n.starts_with("hostname.")) {
            return Err(NodeError::NotANode { dir: etc });
        }
        let mut texts = Vec::new();
        for n in names {
            let path = etc.join(&n);
            let too_big = std::fs::metadata(&path)
                .map(|m| m.len() > MAX_FILE_BYTES)
                .unwrap_or(false);
            if too_big {
                return Err(NodeError::TooLarge {
                    file: format!("/etc/{n}"),
                });
            }
            let bytes = std::fs::read(&path).map_err(|error| NodeError::ReadFile {
                file: format!("/etc/{n}"),
                error,
            })?;
            // Bytes that are not UTF-8 (a Latin-1 description) are kept,
            // as netstart reads them.
            let (text, _) = crate::encoding::decode(bytes);
            texts.push((n, text));
        }
        Ok(Node::from_files(
            texts.iter().map(|(n, t)| (n.as_str(), t.as_str())),
        ))
    }

    /// Builds a node from file names (as in `/etc`: `hostname.em0`,
    /// `mygate`, `sysctl.conf`, `myname`) and texts; other names are
    /// ignored.
    ///
    /// ```
    /// use pfconf::node::Node;
    ///
    /// let node = Node::from_files([
    ///     ("hostname.em0", "inet 192.0.2.2 255.255.255.0\n"),
    ///     ("hostname.carp0", "inet 192.0.2.1 255.255.255.0 vhid 1 carpdev em0 pass s\n"),
    ///     ("mygate", "192.0.2.254\n"),
    /// ]);
    /// let carp0 = node.interface("carp0").unwrap();
    /// assert_eq!(node.carpdev(carp0).as_deref(), Ok("em0"));
    /// assert_eq!(node.egress().members, ["em0"]);
    /// ```
    pub fn from_files<'t>(files: impl IntoIterator<Item = (&'t str, &'t str)>) -> Node {
        let mut node = Node::default();
        let mut files: Vec<(&str, &str)> = files
            .into_iter()
            .map(|(n, t)| (n.rsplit('/').next().unwrap_or(n), t))
            .collect();
        // The interfaces first: `mygate` depends on them.
        files.sort_by_key(|(n, _)| !n.starts_with("hostname."));
        let text_of = |wanted: &str| files.iter().find(|(n, _)| *n == wanted).map(|(_, t)| *t);
        // getpwnam reads master.passwd (its spwd.db); passwd is the public
        // copy without passwords.
        let passwd = text_of("master.passwd").or_else(|| text_of("passwd"));
        let group = text_of("group");
        if passwd.is_some() || group.is_some() {
            node.accounts = Some(crate::accounts::Accounts::parse(
                passwd.unwrap_or(""),
                group.unwrap_or(""),
            ));
        }
        for (name, text) in files {
            let file = node.files.len();
            node.files.push(NodeFile {
                path: format!("/etc/{name}"),
                text: text.to_string(),
                id: None,
                synthetic: false,
            });
            if let Some(ifname) = name.strip_prefix("hostname.") {
                read::hostname_file(&mut node, ifname, file);
            } else if name == "mygate" {
                read::mygate(&mut node, file);
            } else if name == "sysctl.conf" {
                read::sysctl(&mut node, file);
            } else if name == "myname" {
                node.myname = text
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string);
            }
        }
        node.interfaces.sort_by(|a, b| a.name.cmp(&b.name));
        node.note_carp_without_carpdev();
        node.egress = node.compute_egress();
        node
    }

    /// A CARP interface that never gets `carpdev` is noted once, at its
    /// file, unless one of its address lines already was (refused before
    /// carpdev).
    fn note_carp_without_carpdev(&mut self) {
        let mut notes = Vec::new();
        for c in self.interfaces.iter().filter(|i| i.is_carp()) {
            let noted = self.notes.iter().any(|n| n.origin.file == c.file);
            if let (Err(why), false) = (self.carpdev(c), noted) {
                let first = self.files[c.file]
                    .text
                    .find('\n')
                    .unwrap_or(self.files[c.file].text.len());
                notes.push(NodeNote {
                    origin: Origin {
                        file: c.file,
                        start: 0,
                        end: first,
                    },
                    message: why.to_string(),
                    help: Some(CARPDEV_HELP.into()),
                });
            }
        }
        self.notes.extend(notes);
    }

    /// Completes this node with another's CARP parents and sync interface
    /// where this one has none (`pfconf.toml [ha]` behind a node
    /// directory): a CARP interface whose parent is not a parent here is
    /// added, and a pfsync interface when this node has none.
    pub fn fill_from(&mut self, other: &Node) {
        let parents: Vec<String> = self
            .carp_interfaces()
            .filter_map(|c| self.carpdev(c).ok())
            .collect();
        let has_pfsync = self.pfsync().is_some();
        for i in &other.interfaces {
            let new_parent = i.carp.is_some()
                && other.carpdev(i).is_ok_and(|d| !parents.contains(&d))
                && self.interface(&i.name).is_none();
            let new_sync = i.pfsync.is_some() && !has_pfsync && self.interface(&i.name).is_none();
            if new_parent || new_sync {
                let Some(file) = other.files.get(i.file) else {
                    continue;
                };
                let mut i = i.clone();
                i.file = self.files.len();
                self.files.push(file.clone());
                self.interfaces.push(i);
            }
        }
        self.interfaces.sort_by(|a, b| a.name.cmp(&b.name));
        self.egress = self.compute_egress();
    }

    /// Adds the node's files to a source map so that findings can point
    /// into them (`/etc/hostname.carp1:1:1`).
    /// Synthetic files ([`NodeFile::synthetic`]) are left out: nothing
    /// points into them.
    pub fn attach_sources(&mut self, map: &mut SourceMap) {
        for f in &mut self.files {
            if f.id.is_none() && !f.synthetic {
                f.id = Some(map.add(f.path.clone(), f.text.clone()));
            }
        }
    }

    /// The span of an origin, once the files are attached.
    pub fn span(&self, o: Origin) -> Option<Span> {
        let id = self.files.get(o.file)?.id?;
        Some(Span::new(id, o.start, o.end))
    }

    /// Where an origin is, as the node sees it: the file's path
    /// (`/etc/hostname.carp1`) and the line number (from 1).
    pub fn locate(&self, o: Origin) -> (String, usize) {
        match self.files.get(o.file) {
            Some(f) => {
                let upto = o.start.min(f.text.len());
                let line = f.text.as_bytes()[..upto]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1;
                (f.path.clone(), line)
            }
            None => (String::new(), 0),
        }
    }

    /// The path of an interface's file (`/etc/hostname.em0`).
    pub fn interface_path(&self, ifname: &str) -> String {
        self.interface(ifname)
            .and_then(|i| self.files.get(i.file))
            .map(|f| f.path.clone())
            .unwrap_or_else(|| format!("/etc/hostname.{ifname}"))
    }

    /// The span of an interface's file (its first line), once attached.
    pub fn interface_span(&self, ifname: &str) -> Option<Span> {
        let i = self.interface(ifname)?;
        let f = self.files.get(i.file)?;
        let end = f.text.find('\n').unwrap_or(f.text.len());
        Some(Span::new(f.id?, 0, end))
    }

    /// True when the interface comes from settings (`pfconf.toml [ha]`),
    /// not from a file of the node: its name is a placeholder.
    pub fn is_synthetic(&self, ifname: &str) -> bool {
        self.interface(ifname)
            .and_then(|i| self.files.get(i.file))
            .is_some_and(|f| f.synthetic)
    }

    /// The interface of that name.
    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }

    /// A `sysctl.conf` value.
    pub fn sysctl(&self, key: &str) -> Option<&str> {
        self.sysctl
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
    }

    /// The CARP interfaces.
    pub fn carp_interfaces(&self) -> impl Iterator<Item = &Interface> {
        self.interfaces
            .iter()
            .filter(|i| i.carp.is_some() || i.is_carp())
    }

    /// The pfsync interface with its settings, if configured.
    pub fn pfsync(&self) -> Option<(&Interface, &Pfsync)> {
        self.interfaces
            .iter()
            .find_map(|i| i.pfsync.as_ref().map(|p| (i, p)))
    }

    /// The sync interface (`syncdev` of `hostname.pfsync0`).
    pub fn syncdev(&self) -> Option<&str> {
        self.pfsync().and_then(|(_, p)| p.syncdev.as_deref())
    }

    /// The parent of a CARP interface (`carpdev`). Without one the kernel
    /// refuses the interface's addresses (ip_carp.c 1.370: SIOCSIFADDR
    /// fails with EINVAL) and does not pick a parent by subnet; the error
    /// says so and names the interface that shares the subnet, if any.
    pub fn carpdev(&self, carp: &Interface) -> Result<String, NoCarpdev> {
        if let Some(d) = carp.carp.as_ref().and_then(|c| c.carpdev.clone()) {
            return Ok(d);
        }
        let mut found: Vec<&str> = Vec::new();
        for a in &carp.addrs {
            for i in &self.interfaces {
                if i.is_carp() || i.name == carp.name {
                    continue;
                }
                let shares = i
                    .addrs
                    .iter()
                    .any(|b| b.af() == a.af() && b.network().contains(&a.addr));
                if shares && !found.contains(&i.name.as_str()) {
                    found.push(&i.name);
                }
            }
        }
        Err(NoCarpdev {
            interface: carp.name.clone(),
            shares_subnet: match found.as_slice() {
                [one] => Some(one.to_string()),
                _ => None,
            },
        })
    }

    /// Interfaces in `egress`: the ones holding a default route. A
    /// gateway (`mygate`, `!route add default`) is reached through the
    /// interface whose network holds it (a physical one before a CARP
    /// interface on the same network: netstart configures it first, so it
    /// owns the connected route); a single `dhcp` / `autoconf` interface of
    /// a family holds that family's default route.
    pub fn egress(&self) -> &Egress {
        &self.egress
    }

    fn compute_egress(&self) -> Egress {
        let mut e = Egress {
            members: Vec::new(),
            maybe: Vec::new(),
            unknown: None,
        };
        let mut sourced = false;
        for af in [AddressFamily::Inet, AddressFamily::Inet6] {
            let gws: Vec<&Gateway> = self
                .gateways
                .iter()
                .filter(|g| family(&g.addr) == af)
                .collect();
            let dynamic: Vec<&Interface> = self
                .interfaces
                .iter()
                .filter(|i| i.is_dynamic(af))
                .collect();
            for g in &gws {
                sourced = true;
                let holds = |carp: bool| -> Vec<&str> {
                    self.interfaces
                        .iter()
                        .filter(|i| i.is_carp() == carp)
                        .filter(|i| {
                            i.addrs
                                .iter()
                                .any(|a| a.af() == af && a.network().contains(&g.addr))
                        })
                        .map(|i| i.name.as_str())
                        .collect()
                };
                let mut via = holds(false);
                if via.is_empty() {
                    via = holds(true);
                }
                match via.as_slice() {
                    [one] => push_unique(&mut e.members, one),
                    [] => {
                        // Reached through an interface configured at run time.
                        for d in &dynamic {
                            push_unique(&mut e.maybe, &d.name);
                        }
                    }
                    many => {
                        for m in many {
                            push_unique(&mut e.maybe, m);
                        }
                    }
                }
            }
            if gws.is_empty() && !dynamic.is_empty() {
                sourced = true;
                match dynamic.as_slice() {
                    [one] => push_unique(&mut e.members, &one.name),
                    many => {
                        for m in many {
                            push_unique(&mut e.maybe, &m.name);
                        }
                    }
                }
            }
        }
        e.maybe.retain(|m| !e.members.contains(m));
        if !sourced {
            e.unknown = Some("no mygate, `!route add default` or dhcp/autoconf line gives a default route, so egress is unknown".into());
        }
        e
    }

    /// Whether interface `ifname` is in group `group` (or is `group`):
    /// the driver group, `all`, `group` lines, `egress`. A group that no
    /// file of the node names is unknown.
    pub fn in_group(&self, ifname: &str, group: &str) -> Known {
        if ifname == group || group == "all" {
            return Known::Yes;
        }
        if group.ends_with(|c: char| c.is_ascii_digit()) {
            // An interface name, not a group.
            return Known::No;
        }
        if is_driver_group(group) && driver(ifname) == group {
            return Known::Yes;
        }
        if group == "carp" && driver(ifname) == "pfsync" {
            return Known::Yes;
        }
        if group == "egress" {
            let e = self.egress();
            if e.members.iter().any(|m| m == ifname) {
                return Known::Yes;
            }
            if e.maybe.iter().any(|m| m == ifname) {
                return Known::Unknown(format!("{ifname} may hold the default route (egress)"));
            }
            return match &e.unknown {
                Some(why) => Known::Unknown(why.clone()),
                None => Known::No,
            };
        }
        if self
            .interfaces
            .iter()
            .any(|i| i.groups.iter().any(|g| g == group))
            || is_driver_group(group)
        {
            let member = self
                .interface(ifname)
                .is_some_and(|i| i.groups.iter().any(|g| g == group));
            return Known::from(member);
        }
        Known::Unknown(format!(
            "no hostname.if file puts an interface in group `{group}`"
        ))
    }

    /// The members of a group (or the interface of that name), as far as
    /// the node knows them, and whether others may join.
    pub fn members(&self, group: &str) -> (Vec<String>, bool) {
        let mut out = Vec::new();
        let mut open = false;
        for i in &self.interfaces {
            match self.in_group(&i.name, group) {
                Known::Yes => out.push(i.name.clone()),
                Known::Unknown(_) => open = true,
                Known::No => {}
            }
        }
        // `in_group` already answers unknown for a group no file declares
        // and for an unknown `egress`. A name ending in a digit is one
        // interface, described by a file or not.
        if group.ends_with(|c: char| c.is_ascii_digit()) && out.is_empty() {
            out.push(group.to_string());
        }
        (out, open)
    }

    /// The addresses of an interface or group: known ones, and whether
    /// some are set at run time (dhcp, autoconf) or the name is unknown.
    pub fn addresses(&self, name: &str) -> (Vec<&NodeAddr>, bool) {
        let mut out = Vec::new();
        let mut open = false;
        let (members, members_open) = if name == "self" {
            (
                self.interfaces.iter().map(|i| i.name.clone()).collect(),
                true,
            )
        } else {
            self.members(name)
        };
        open |= members_open;
        for m in &members {
            match self.interface(m) {
                Some(i) => {
                    out.extend(i.addrs.iter());
                    open |= !i.dynamic.is_empty();
                }
                None => open = true,
            }
        }
        (out, open)
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// Interface groups that are driver names: the drivers of cloned
/// interfaces, which `if_clone_create()` puts in the group of their name
/// (`lo` holds lo0, `vlan` every vlanN). Physical drivers (`em`, `ix`,
/// `vio`...) have no such group.
pub const DRIVER_GROUPS: &[&str] = &[
    "aggr", "bpe", "bridge", "carp", "egre", "enc", "eoip", "etherip", "gif", "gre", "lo", "mgre",
    "mpe", "mpip", "mpw", "nvgre", "pair", "pflog", "pflow", "pfsync", "ppp", "pppoe", "sec",
    "svlan", "tap", "tpmr", "trunk", "tun", "veb", "vether", "vlan", "vxlan", "wg",
];

/// True for a driver group name.
pub fn is_driver_group(name: &str) -> bool {
    DRIVER_GROUPS.contains(&name)
}

#[cfg(test)]
mod tests;
