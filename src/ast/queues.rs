//! `queue` definitions with their service curves, and `limiter`
//! definitions with their options.

use super::*;

/// `queue NAME [on IF] opts...`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueDef {
    /// Queue name.
    pub name: SValue,
    /// `on ...`
    pub interfaces: Vec<Spanned<IfItem>>,
    /// Options in order.
    pub opts: Vec<Spanned<QueueOpt>>,
}

/// A bandwidth with an optional burst.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceCurve {
    /// Bandwidth.
    pub bandwidth: SValue,
    /// `burst b for t`
    pub burst: Option<(SValue, SValue)>,
}

/// One queue option.
#[allow(clippy::large_enum_variant)] // AST nodes are built once and read in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum QueueOpt {
    /// `bandwidth b [burst ...] [, min b] [, max b]`
    Bandwidth {
        /// Link share.
        share: ServiceCurve,
        /// `min`
        min: Option<ServiceCurve>,
        /// `max`
        max: Option<ServiceCurve>,
    },
    /// `parent q`
    Parent {
        /// q
        value: SValue,
    },
    /// default
    Default,
    /// `qlimit n`
    Qlimit {
        /// n
        value: SValue,
    },
    /// `flows n`
    Flows {
        /// n
        value: SValue,
    },
    /// `quantum n`
    Quantum {
        /// n
        value: SValue,
    },
}

/// `state limiter ...` or `source limiter ...`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LimiterDef {
    /// Which.
    pub kind: LimiterKind,
    /// Name.
    pub name: SValue,
    /// Options.
    pub opts: Vec<Spanned<LimiterOpt>>,
}

/// One limiter definition option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "opt", rename_all = "kebab-case")]
pub enum LimiterOpt {
    /// `id n`
    Id {
        /// n
        value: SValue,
    },
    /// `limit n`
    Limit {
        /// n
        value: SValue,
    },
    /// `rate n/s`
    Rate {
        /// n
        limit: SValue,
        /// s
        seconds: SValue,
    },
    /// `entries n`
    Entries {
        /// n
        value: SValue,
    },
    /// `inet|inet6 mask n`
    Mask {
        /// Family.
        af: AddressFamily,
        /// Prefix length.
        value: SValue,
    },
    /// `table <t> above n [below m]`
    Table {
        /// Table.
        name: SValue,
        /// High water mark.
        above: SValue,
        /// Low water mark.
        below: Option<SValue>,
    },
}
