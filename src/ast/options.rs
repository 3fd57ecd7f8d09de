//! `set` options (`SetOption`) and the policies they name. Each
//! option keeps its values as words; the checks interpret them.

use super::*;

/// `set ...`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "option", rename_all = "kebab-case")]
pub enum SetOption {
    /// `set reassemble yes|no [no-df]`
    Reassemble {
        /// `yes` or `no`.
        value: SValue,
        /// `no-df` given.
        no_df: bool,
    },
    /// `set optimization NAME`
    Optimization {
        /// The profile name.
        value: SValue,
    },
    /// `set ruleset-optimization none|basic|profile`
    RulesetOptimization {
        /// The level.
        value: SValue,
    },
    /// `set timeout name n` or `set timeout { ... }`
    Timeout {
        /// Name and seconds pairs.
        values: Vec<(SValue, SValue)>,
    },
    /// `set limit name n` or `set limit { ... }`
    Limit {
        /// Name and value pairs.
        values: Vec<(SValue, SValue)>,
    },
    /// `set loginterface IF|none`
    LogInterface {
        /// Interface (or `none`).
        value: SValue,
    },
    /// `set hostid n`
    HostId {
        /// The id.
        value: SValue,
    },
    /// `set block-policy drop|return`
    BlockPolicy {
        /// True for `return`.
        value: BlockPolicy,
    },
    /// `set fingerprints "file"`
    Fingerprints {
        /// The file.
        value: SValue,
    },
    /// `set state-policy if-bound|floating`
    StatePolicy {
        /// The policy.
        value: StatePolicy,
    },
    /// `set debug LEVEL`
    Debug {
        /// The level.
        value: SValue,
    },
    /// `set skip on IFSPEC`
    Skip {
        /// Interfaces (empty: `set skip` alone, meaning none).
        interfaces: Vec<Spanned<IfItem>>,
    },
    /// `set state-defaults OPTS`
    StateDefaults {
        /// The state options.
        opts: Vec<Spanned<StateOpt>>,
    },
    /// `set syncookies never|always|adaptive [(start n%, end n%)]`
    Syncookies {
        /// The mode.
        mode: SValue,
        /// Watermark pairs.
        opts: Vec<(SValue, SValue)>,
    },
}

/// `set block-policy`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockPolicy {
    /// drop
    Drop,
    /// return
    Return,
}

keywords!(BlockPolicy, "block policy" {
    Drop => "drop",
    Return => "return",
});

/// `set state-policy`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatePolicy {
    /// if-bound
    IfBound,
    /// floating
    Floating,
}

keywords!(StatePolicy, "state policy" {
    IfBound => "if-bound",
    Floating => "floating",
});
