//! `from ... to ...`: endpoints, hosts (addresses, tables, interfaces,
//! nested lists), port items with their operators and ICMP items. A host
//! list is one `Host` of kind `List` whose span covers its braces.

use super::*;

/// `from ... to ...` or `all`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Hosts {
    /// `all` was written.
    pub all: bool,
    /// The source (None: not written, any).
    pub from: Option<Box<Endpoint>>,
    /// `os` fingerprints.
    pub os: Vec<SValue>,
    /// The destination.
    pub to: Option<Box<Endpoint>>,
}

/// One side of `from`/`to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Addresses (empty with `any` or when only a port is given).
    pub hosts: Vec<Spanned<Host>>,
    /// `any` was written.
    pub any: bool,
    /// Ports (empty: no `port`).
    pub ports: Vec<Spanned<PortItem>>,
    /// `port ...` from the keyword to the last port.
    pub ports_span: Option<Span>,
    /// Span of the address part (for diagnostics).
    pub span: Span,
}

/// One address specification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Host {
    /// `!`
    pub not: bool,
    /// What.
    pub kind: HostKind,
}

/// The kinds of address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HostKind {
    /// `any` inside a list.
    Any,
    /// `no-route`
    NoRoute,
    /// `urpf-failed`
    UrpfFailed,
    /// An address, hostname, interface, group or `self`, with an optional
    /// `/bits` written separately.
    Address {
        /// The word (e.g. `10.0.0.1`, `em0:network`, `self`, `$lan`).
        addr: SValue,
        /// `/bits`
        mask: Option<Box<SValue>>,
    },
    /// `a - b`
    Range {
        /// First address.
        from: SValue,
        /// Last address.
        to: Box<SValue>,
    },
    /// `<table>`
    Table {
        /// Table name.
        name: SValue,
    },
    /// `(if[:mod])[/bits]`
    Dynamic {
        /// Interface with modifiers, as written inside the parentheses.
        ifname: SValue,
        /// `/bits`
        mask: Option<Box<SValue>>,
    },
    /// `route LABEL`
    Route {
        /// The route label.
        label: SValue,
    },
    /// A nested `{ ... }` list. (Serialized as `{"kind": "list", "items":
    /// [...]}`: an internally tagged variant cannot hold a bare sequence.)
    #[serde(serialize_with = "host_list_items")]
    List(Vec<Spanned<Host>>),
}

/// A port, uid or gid comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "form", rename_all = "kebab-case")]
pub enum PortItem {
    /// A bare value (`80`, `www`, `1024:2048`, `$p`).
    Eq {
        /// The value.
        value: SValue,
    },
    /// `op value` with op one of `= != < <= > >=`.
    Unary {
        /// The operator.
        op: PortOperator,
        /// The value.
        value: SValue,
    },
    /// `a <> b` or `a >< b`.
    Binary {
        /// Low bound.
        low: SValue,
        /// [`PortOperator::Outside`] or [`PortOperator::Inside`].
        op: PortOperator,
        /// High bound.
        high: Box<SValue>,
    },
}

/// A comparison of a port, uid or gid with one value (`<= 1023`) or two
/// (`1024:2048`, `2000 >< 2004`), as pf.conf(5) writes it and pf's
/// `pf_match()` applies it.
///
/// ```
/// use pfconf::ast::PortOperator;
///
/// let op: PortOperator = "><".parse().unwrap();
/// assert_eq!(op, PortOperator::Inside);
/// assert!(op.matches(2001, 2000, 2004) && !op.matches(2000, 2000, 2004));
/// assert!(PortOperator::Range.matches(2000, 2000, 2004));
/// assert_eq!(PortOperator::Le.to_string(), "<=");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PortOperator {
    /// `=`: equal (the default: what a bare value means).
    #[default]
    Eq,
    /// `!=`: not equal.
    Ne,
    /// `<`: less than.
    Lt,
    /// `<=`: less than or equal.
    Le,
    /// `>`: greater than.
    Gt,
    /// `>=`: greater than or equal.
    Ge,
    /// `a:b`: from a to b, both included.
    Range,
    /// `a >< b`: between a and b, both excluded.
    Inside,
    /// `a <> b`: outside a to b (less than a or greater than b).
    Outside,
}

keywords!(serialize PortOperator, "port operator" {
    Eq => "=",
    Ne => "!=",
    Lt => "<",
    Le => "<=",
    Gt => ">",
    Ge => ">=",
    Range => ":",
    Inside => "><",
    Outside => "<>",
});

impl PortOperator {
    /// True when the operator compares with two values.
    pub fn is_binary(self) -> bool {
        matches!(
            self,
            PortOperator::Range | PortOperator::Inside | PortOperator::Outside
        )
    }

    /// Whether `value` satisfies the comparison with `a` (and `b` for the
    /// binary operators).
    pub fn matches(self, value: u32, a: u32, b: u32) -> bool {
        match self {
            PortOperator::Eq => value == a,
            PortOperator::Ne => value != a,
            PortOperator::Lt => value < a,
            PortOperator::Le => value <= a,
            PortOperator::Gt => value > a,
            PortOperator::Ge => value >= a,
            PortOperator::Range => a <= value && value <= b,
            PortOperator::Inside => a < value && value < b,
            PortOperator::Outside => value < a || value > b,
        }
    }
}

/// An ICMP type with an optional code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IcmpItem {
    /// Type name or number.
    pub icmp_type: SValue,
    /// Code name or number.
    pub code: Option<SValue>,
}

/// Serializes a nested host list as a struct with an `items` field, so that
/// it fits [`HostKind`]'s internal `kind` tag.
fn host_list_items<S: serde::Serializer>(items: &[Spanned<Host>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("List", 1)?;
    st.serialize_field("items", items)?;
    st.end()
}
