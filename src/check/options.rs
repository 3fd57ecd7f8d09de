//! Checks of `set` options: each option's value (ranges, names, units),
//! timeouts and limits by name with "did you mean" hints, `set debug`
//! levels, `set skip` interfaces and `set state-defaults` (through the
//! state option checks).
//!
//! Invariant: each option is checked on its own, except that the checker
//! remembers whether `set state-defaults` was given (pfctl takes it once)
//! and records `set block-policy`.

use super::{closest, Checker, MAX_IFNAME, TIMEOUTS};
use crate::ast::*;
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::values::atoul;

const LIMITS: &[&str] = &[
    "states",
    "frags",
    "src-nodes",
    "tables",
    "table-entries",
    "pktdelay-pkts",
    "anchors",
];

impl Checker {
    pub(super) fn option(&mut self, o: &SetOption, span: Span) {
        match o {
            SetOption::Reassemble { value, .. } => {
                let t = value.node.text();
                if t != "yes" && t != "no" {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("invalid value '{t}', expected 'yes' or 'no'"),
                        "write `set reassemble yes` or `set reassemble no`",
                    );
                }
            }
            SetOption::Optimization { value } => {
                let t = value.node.text();
                if !matches!(
                    t,
                    "default"
                        | "normal"
                        | "high-latency"
                        | "satellite"
                        | "aggressive"
                        | "conservative"
                ) {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("unknown optimization {t}"),
                        "one of default, normal, high-latency, satellite, aggressive, conservative",
                    );
                }
            }
            SetOption::RulesetOptimization { value } => {
                let t = value.node.text();
                if !matches!(t, "none" | "basic" | "profile") {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("unknown ruleset-optimization {t}"),
                        "one of none, basic, profile",
                    );
                }
            }
            SetOption::Timeout { values } => {
                for (k, v) in values {
                    let name = k.node.text();
                    if !TIMEOUTS.contains(&name) {
                        let mut d = Diagnostic::error(
                            "bad-value",
                            k.span,
                            format!("unknown timeout {name}"),
                        );
                        if let Some(best) = closest(name, TIMEOUTS) {
                            d = d.with_help(format!("did you mean `{best}`?"));
                        }
                        self.diags.push(d);
                    }
                    self.unsigned(v, "only positive values permitted");
                }
            }
            SetOption::Limit { values } => {
                for (k, v) in values {
                    let name = k.node.text();
                    if !LIMITS.contains(&name) {
                        let n = v.node.text();
                        self.help(
                            "bad-value",
                            k.span,
                            format!("unable to set limit {name} {n}"),
                            "limits are states, frags, src-nodes, tables, table-entries",
                        );
                    }
                    self.unsigned(v, "only positive values permitted");
                }
            }
            SetOption::HostId { value } => {
                let n = atoul(value.node.text());
                match n {
                    Some(0) => {
                        self.help(
                            "bad-value",
                            value.span,
                            "hostid must be non-zero",
                            "use a number from 1 to 4294967295",
                        );
                    }
                    Some(n) if n > u64::from(u32::MAX) => {
                        self.err("bad-value", value.span, "hostid must be non-zero");
                    }
                    Some(_) => {}
                    None => {
                        self.err(
                            "bad-value",
                            value.span,
                            format!("{} is not a number", value.node.text()),
                        );
                    }
                }
            }
            SetOption::Debug { value } => {
                // pfctl_parser.c 1.352 string_to_loglevel: a quoted number
                // 0-7, or a syslog priority name in any case (the
                // deprecated `error`, `warn` and `panic` too, not `none`);
                // a bare number lexes as NUMBER, which `set debug` does
                // not take (parse.y 1.719).
                let t = value.node.text();
                let legacy = match t {
                    "none" => Some("emerg"),
                    "urgent" => Some("err"),
                    "misc" => Some("notice"),
                    "loud" => Some("debug"),
                    _ => None,
                };
                if let (Some(modern), false) = (legacy, value.node.is_macro()) {
                    // The levels of old pf (FreeBSD, macOS) before pfctl
                    // took syslog priorities.
                    self.help(
                        "legacy",
                        value.span,
                        format!("`set debug {t}` is an old pf level: OpenBSD's pfctl takes syslog priority names (unknown debug level \"{t}\")"),
                        format!("write `set debug {modern}`"),
                    );
                    // The modern spelling, as a fix: unsafe, since pfctl
                    // refuses the old one and loads the new.
                    if let Some(d) = self.diags.last_mut() {
                        d.fix = Some(Box::new(crate::fix::Fix::risky(
                            format!("write `set debug {modern}`"),
                            "pfctl refuses the old level, so the ruleset did not load; it loads with this syslog priority",
                            vec![crate::fix::Edit {
                                span: value.span,
                                replacement: modern.to_string(),
                            }],
                        )));
                    }
                } else if !value.node.is_macro() && debug_level(t).is_none() {
                    self.help(
                        "bad-value",
                        value.span,
                        format!("unknown debug level \"{t}\": error setting debuglevel {t}"),
                        "one of emerg, alert, crit, err, warning, notice, info, debug (any case), or a quoted number 0-7",
                    );
                }
            }
            SetOption::Skip { interfaces } => {
                for i in interfaces {
                    if i.node.not {
                        self.err(
                            "bad-value",
                            i.span,
                            "skip on ! <interface> is not supported",
                        );
                    } else if matches!(i.node.target, IfTarget::Rdomain(_)) {
                        self.err(
                            "bad-value",
                            i.span,
                            "skip on rdomain <num> is not supported",
                        );
                    }
                    self.if_target(&i.node.target);
                }
            }
            SetOption::StateDefaults { opts } => {
                if self.state_defaults_seen {
                    self.help(
                        "redefined",
                        span,
                        "cannot redefine state-defaults",
                        "merge the options into one `set state-defaults` line",
                    );
                }
                self.state_defaults_seen = true;
                self.state_opts(opts, None, true);
            }
            SetOption::Syncookies { mode, opts } => {
                if !matches!(mode.node.text(), "never" | "adaptive" | "always") {
                    self.help(
                        "bad-value",
                        mode.span,
                        "illegal value for syncookies",
                        "one of never, always, adaptive",
                    );
                }
                for (k, v) in opts {
                    let t = v.node.text();
                    let pct = t.strip_suffix('%').and_then(|x| x.parse::<f64>().ok());
                    match pct {
                        Some(p) if p > 0.0 && p <= 100.0 => {}
                        Some(_) => {
                            self.err("bad-value", v.span, "illegal percentage value");
                        }
                        None => {
                            self.err("syntax", v.span, "syntax error");
                        }
                    }
                    if !matches!(k.node.text(), "start" | "end") {
                        self.err("bad-value", k.span, "illegal syncookie option");
                    }
                }
            }
            SetOption::BlockPolicy { value } => {
                self.block_policy_return = *value == BlockPolicy::Return;
            }
            SetOption::LogInterface { value } => {
                if value.node.text().len() > MAX_IFNAME {
                    self.err(
                        "bad-value",
                        value.span,
                        format!("error setting loginterface {}", value.node.text()),
                    );
                }
            }
            SetOption::Fingerprints { .. } | SetOption::StatePolicy { .. } => {}
        }
    }
}

/// The syslog priority pfctl takes for `set debug` (pfctl_parser.c 1.352
/// `string_to_loglevel` over syslog.h 1.19 `prioritynames`).
pub(crate) fn debug_level(t: &str) -> Option<u8> {
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        return t.parse::<u8>().ok().filter(|v| *v <= 7);
    }
    Some(match t.to_ascii_lowercase().as_str() {
        "emerg" | "panic" => 0,
        "alert" => 1,
        "crit" => 2,
        "err" | "error" => 3,
        "warning" | "warn" => 4,
        "notice" => 5,
        "info" => 6,
        "debug" => 7,
        _ => return None,
    })
}
