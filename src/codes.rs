//! The catalogue of check codes: every code that parsing, resolution, the
//! checks, the formatter's safety net and lint suppressions give their
//! diagnostics, with its severity, a one-line summary and its page in
//! `docs/checks/<code>.md` (what it finds, why it matters, a failing and
//! a fixed example). Lints have their own catalogue in [`crate::lint`].
//!
//! ```
//! use pfconf::{codes, Severity};
//!
//! let report = pfconf::check_str("pf.conf", "pass in to port 22\n");
//! let code = codes::find(report.diagnostics[0].code).unwrap();
//! assert_eq!(code.name, "port-without-tcp-udp");
//! assert_eq!(code.severity, Severity::Error);
//! assert!(code.doc.starts_with("# port-without-tcp-udp\n"));
//! ```

use crate::Severity;

/// One diagnostic code that is not a lint.
#[derive(Debug)]
pub struct CheckCode {
    /// Stable kebab-case code, as in [`crate::Diagnostic::code`].
    pub name: &'static str,
    /// The severity its diagnostics have.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Its page (`docs/checks/<name>.md`).
    pub doc: &'static str,
}

macro_rules! code {
    ($name:literal, $severity:ident, $summary:literal) => {
        CheckCode {
            name: $name,
            severity: Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!("../docs/checks/", $name, ".md")),
        }
    };
}

/// Sorted by name (the unit tests keep it so).
static CHECKS: &[CheckCode] = &[
    code!(
        "af-mismatch",
        Error,
        "a translation or routing target does not fit the rule's address family"
    ),
    code!(
        "af-to-direction",
        Error,
        "af-to on a rule that is not inbound"
    ),
    code!(
        "af-to-family",
        Error,
        "af-to does not translate between IPv4 and IPv6"
    ),
    code!(
        "af-to-route",
        Error,
        "af-to together with route-to, reply-to or dup-to"
    ),
    code!(
        "anchor-missing",
        Error,
        "the file of a `load anchor` cannot be read"
    ),
    code!(
        "anchor-name",
        Error,
        "an anchor name pfctl does not accept, or a missing one"
    ),
    code!(
        "anchor-too-deep",
        Error,
        "anchors loaded by `load anchor` nested more than 64 deep"
    ),
    code!(
        "bad-address",
        Error,
        "a host that cannot be parsed as an address"
    ),
    code!(
        "bad-flags",
        Error,
        "a `flags` letter that is not a TCP flag"
    ),
    code!(
        "bad-icmp",
        Error,
        "an unknown or out-of-range ICMP type or code"
    ),
    code!(
        "bad-option",
        Error,
        "a rule option not allowed on that kind of rule"
    ),
    code!(
        "bad-port",
        Error,
        "an unknown service, a port above 65535 or an invalid port range"
    ),
    code!(
        "bad-proto",
        Error,
        "an unknown protocol, protocol 0 or a number above 255"
    ),
    code!("bad-value", Error, "an option value pfctl does not accept"),
    code!(
        "binat",
        Error,
        "binat-to addresses that cannot form a one-to-one mapping"
    ),
    code!(
        "binat-direction",
        Error,
        "binat-to on a rule with a direction"
    ),
    code!(
        "carriage-return",
        Error,
        "a carriage return (CRLF line ends) in the file"
    ),
    code!(
        "divert-af",
        Error,
        "a divert-to address of the other address family"
    ),
    code!(
        "divert-direction",
        Error,
        "divert-to on an outbound rule or divert-reply on an inbound one"
    ),
    code!(
        "flags-always-false",
        Error,
        "`flags F/M` with a flag of F outside the mask M"
    ),
    code!(
        "flags-without-tcp",
        Error,
        "`flags` on a rule whose protocols do not include tcp"
    ),
    code!(
        "flow-failed",
        Error,
        "a policy test flow does not get the verdict written for it"
    ),
    code!(
        "flow-invalid",
        Error,
        "a policy test flow that cannot be read"
    ),
    code!(
        "fmt-kept",
        Warning,
        "pfconf fmt kept a statement as written to preserve its meaning"
    ),
    code!(
        "fragment",
        Error,
        "a `fragment` rule that matches on ports, flags or ICMP types"
    ),
    code!(
        "host-name",
        Info,
        "a host name that pfctl resolves through DNS when it loads the ruleset"
    ),
    code!(
        "icmp-type-mismatch",
        Error,
        "icmp-type with proto icmp6, or icmp6-type with proto icmp"
    ),
    code!(
        "icmp-type-without-af",
        Error,
        "icmp-type or icmp6-type on a rule whose address family is not known"
    ),
    code!(
        "icmp-type-without-icmp",
        Error,
        "icmp-type or icmp6-type on a rule that is not ICMP"
    ),
    code!(
        "include-cycle",
        Error,
        "a file that includes itself, directly or through others"
    ),
    code!(
        "include-limit",
        Error,
        "includes nested more than 64 deep or more than 10,000 files"
    ),
    code!("include-missing", Error, "an included file cannot be read"),
    code!(
        "io-error",
        Error,
        "a file named on the command line cannot be read"
    ),
    code!(
        "legacy",
        Error,
        "syntax of older pf versions or other systems that pfctl rejects"
    ),
    code!(
        "limiter",
        Error,
        "a state or source limiter without a required setting"
    ),
    code!(
        "nat-direction",
        Error,
        "nat-to on a rule without a direction"
    ),
    code!(
        "nat-without-state",
        Error,
        "nat-to, rdr-to or binat-to on a rule that keeps no state"
    ),
    code!(
        "no-valid-combination",
        Error,
        "a rule whose address families leave nothing to match"
    ),
    code!(
        "os-without-tcp",
        Error,
        "an `os` match on a rule that is not tcp only"
    ),
    code!(
        "overload",
        Error,
        "overload without max-src-conn or max-src-conn-rate"
    ),
    code!(
        "pool",
        Error,
        "a translation or routing pool pfctl cannot build"
    ),
    code!(
        "port-without-tcp-udp",
        Error,
        "a port on a rule whose protocol is not tcp or udp"
    ),
    code!(
        "proto-af-mismatch",
        Error,
        "proto icmp on an inet6 rule, or proto icmp6 on an inet rule"
    ),
    code!(
        "queue",
        Error,
        "queue definitions that do not form a valid queue tree"
    ),
    code!(
        "rdr-direction",
        Error,
        "rdr-to on a rule without a direction"
    ),
    code!(
        "redefined",
        Error,
        "an option, definition or setting given twice"
    ),
    code!(
        "return-rst-without-tcp",
        Error,
        "block return-rst on a rule that is not tcp"
    ),
    code!(
        "route-direction",
        Error,
        "route-to or reply-to on a rule without a direction"
    ),
    code!(
        "route-dynamic",
        Error,
        "a routing target that is an interface without :peer"
    ),
    code!(
        "route-without-state",
        Error,
        "route-to, reply-to or dup-to on a rule that keeps no state"
    ),
    code!(
        "scrub-inet6",
        Error,
        "scrub no-df or random-id on an inet6 rule"
    ),
    code!(
        "sloppy",
        Error,
        "sloppy state with modulate state or synproxy state"
    ),
    code!(
        "source-track",
        Error,
        "per-rule source limits with source-track global"
    ),
    code!(
        "state-on-non-pass",
        Error,
        "keep, modulate or synproxy state on a block or match rule"
    ),
    code!(
        "syntax",
        Error,
        "a statement that does not follow the pf.conf grammar"
    ),
    code!(
        "table-entry",
        Error,
        "a table entry that a table cannot hold"
    ),
    code!(
        "table-file-bad-data",
        Error,
        "a table file entry that is not an address, network or host name"
    ),
    code!(
        "table-file-missing",
        Warning,
        "a table file cannot be read; the table is checked as empty"
    ),
    code!(
        "too-deep",
        Error,
        "inline anchors nested more than 63 deep, or lists more than 64"
    ),
    code!(
        "too-long",
        Error,
        "a name longer than pf's fixed-size field, or an oversized file or statement"
    ),
    code!(
        "undefined-macro",
        Error,
        "a macro used before it is defined, or never defined"
    ),
    code!(
        "undefined-queue",
        Error,
        "a queue or parent queue used before it is defined"
    ),
    code!(
        "unformatted",
        Error,
        "fmt --check: the file is not in pfconf's layout"
    ),
    code!(
        "unknown-group",
        Warning,
        "a group name the node's group file does not define"
    ),
    code!(
        "unknown-lint",
        Warning,
        "a suppression comment names no known lint"
    ),
    code!(
        "unknown-user",
        Warning,
        "a user name the node's passwd file does not define"
    ),
    code!(
        "unterminated-string",
        Error,
        "a quoted string not closed before the end of the file"
    ),
    code!(
        "user-without-tcp-udp",
        Error,
        "user or group on a rule whose protocol is not tcp or udp"
    ),
];

/// Every check code, sorted by name.
///
/// ```
/// let names: Vec<&str> = pfconf::codes::checks().iter().map(|c| c.name).collect();
/// assert!(names.windows(2).all(|w| w[0] < w[1]));
/// assert!(names.contains(&"undefined-macro"));
/// ```
pub fn checks() -> &'static [CheckCode] {
    CHECKS
}

/// The check code named `name`, if there is one (lints are found with
/// [`crate::lint::find`]).
///
/// ```
/// use pfconf::Severity;
///
/// let missing = pfconf::codes::find("table-file-missing").unwrap();
/// assert_eq!(missing.severity, Severity::Warning);
/// assert!(pfconf::codes::find("unused-macro").is_none()); // a lint
/// ```
pub fn find(name: &str) -> Option<&'static CheckCode> {
    CHECKS
        .binary_search_by(|c| c.name.cmp(name))
        .ok()
        .map(|i| &CHECKS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_and_unique() {
        assert!(CHECKS.windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn every_code_is_found_by_name() {
        for c in CHECKS {
            assert!(std::ptr::eq(find(c.name).unwrap(), c), "{}", c.name);
        }
        assert!(find("no-such-code").is_none());
    }

    #[test]
    fn each_page_is_titled_with_its_code_and_states_its_severity() {
        for c in CHECKS {
            let mut lines = c.doc.lines();
            assert_eq!(lines.next(), Some(format!("# {}", c.name).as_str()));
            assert_eq!(lines.next(), Some(""), "{}", c.name);
            let level = lines.next().unwrap_or("");
            assert!(
                level.starts_with(&format!("Severity: {} (", c.severity)),
                "{}: {level}",
                c.name
            );
        }
    }

    #[test]
    fn summaries_are_one_line() {
        for c in CHECKS {
            assert!(
                !c.summary.is_empty() && !c.summary.contains('\n'),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn no_code_is_also_a_lint() {
        for c in CHECKS {
            assert!(crate::lint::find(c.name).is_none(), "{}", c.name);
        }
    }
}
