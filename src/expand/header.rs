//! The parse-time lines `pfctl -nv` prints before the rules: `set`
//! options (with pfctl's defaults and units), tables (flags, entries,
//! files) and queues (bandwidth and service curves).
//!
//! Invariant: every line made here goes to the header through
//! `Expander::head`, so that the macro definitions made before its
//! statement are printed first, in order.

use super::{num, text, Expander};
use crate::ast::*;
use crate::span::Span;

impl<'a> Expander<'a> {
    pub(super) fn option(&mut self, o: &SetOption, span: Span) {
        let lines: Vec<String> = match o {
            SetOption::Reassemble { value, no_df } => vec![format!(
                "set reassemble {} {}",
                text(value),
                if *no_df { "no-df" } else { "" }
            )],
            SetOption::Optimization { value } => {
                vec![format!("set optimization {}", text(value))]
            }
            // parse.y 1.719 prints nothing for it.
            SetOption::RulesetOptimization { .. } => vec![],
            SetOption::Timeout { values } => values
                .iter()
                .map(|(n, v)| format!("set timeout {} {}", text(n), num(v).unwrap_or(0)))
                .collect(),
            SetOption::Limit { values } => values
                .iter()
                .map(|(n, v)| format!("set limit {} {}", text(n), num(v).unwrap_or(0)))
                .collect(),
            SetOption::LogInterface { value } => {
                vec![format!("set loginterface {}", text(value))]
            }
            SetOption::HostId { value } => {
                vec![format!(
                    "set hostid 0x{:08x}",
                    num(value).unwrap_or(0) as u32
                )]
            }
            SetOption::BlockPolicy { value } => {
                self.block_return = *value == BlockPolicy::Return;
                vec![format!(
                    "set block-policy {}",
                    if self.block_return { "return" } else { "drop" }
                )]
            }
            SetOption::StatePolicy { value } => {
                self.if_bound_default = *value == StatePolicy::IfBound;
                vec![format!(
                    "set state-policy {}",
                    match value {
                        StatePolicy::IfBound => "if-bound",
                        StatePolicy::Floating => "floating",
                    }
                )]
            }
            SetOption::Debug { value } => vec![format!("set debug {}", text(value))],
            SetOption::Skip { interfaces } => {
                let names: Vec<String> = interfaces
                    .iter()
                    .filter_map(|i| match &i.node.target {
                        IfTarget::Name(n) => Some(text(n).to_string()),
                        _ => None,
                    })
                    .collect();
                if names.is_empty() || (names.len() == 1 && names[0] == "none") {
                    vec!["set skip on none".into()]
                } else {
                    vec![format!("set skip on {{ {} }}", names.join(" "))]
                }
            }
            SetOption::StateDefaults { opts } => {
                self.state_defaults = opts.clone();
                vec![]
            }
            SetOption::Fingerprints { value } => {
                vec![format!("set fingerprints \"{}\"", text(value))]
            }
            SetOption::Syncookies { mode, opts } => vec![syncookies_line(text(mode), opts)],
        };
        for l in lines {
            self.head(l, span);
        }
    }

    pub(super) fn table(&mut self, t: &TableDef, span: Span) {
        let (mut c, mut p, mut k) = (false, false, false);
        let mut parts = String::new();
        let mut in_list = false;
        for o in &t.opts {
            match &o.node {
                TableOpt::Flag(f) => match text(f) {
                    "const" => c = true,
                    "persist" => p = true,
                    "counters" => k = true,
                    _ => {}
                },
                TableOpt::File(f) => {
                    if in_list {
                        parts.push_str(" }");
                        in_list = false;
                    }
                    parts.push_str(&format!(" file \"{}\"", text(f)));
                }
                TableOpt::Addresses(entries) => {
                    if !in_list {
                        parts.push_str(" {");
                        in_list = true;
                    }
                    for e in entries {
                        for h in self.hosts(std::slice::from_ref(&e.host)) {
                            parts.push_str(if h.not { " !" } else { " " });
                            parts.push_str(&h.addr.render(h.af));
                        }
                    }
                }
                TableOpt::Timeout(_) => {}
            }
        }
        if in_list {
            parts.push_str(" }");
        }
        let mut s = format!("table <{}>", text(&t.name));
        if c {
            s.push_str(" const");
        }
        if p {
            s.push_str(" persist");
        }
        if k {
            s.push_str(" counters");
        }
        s.push_str(&parts);
        self.head(s, span);
    }

    pub(super) fn queue(&mut self, q: &QueueDef, span: Span) {
        let mut parent = None;
        let mut tail = String::new();
        let mut flows = String::new();
        let mut bw = String::new();
        let mut default = false;
        let mut qlimit = None;
        for o in &q.opts {
            match &o.node {
                QueueOpt::Parent { value } => parent = Some(text(value).to_string()),
                QueueOpt::Flows { value } => {
                    flows = format!(" flows {}{flows}", num(value).unwrap_or(0));
                }
                QueueOpt::Quantum { value } => {
                    flows.push_str(&format!(" quantum {}", num(value).unwrap_or(0)));
                }
                QueueOpt::Default => default = true,
                QueueOpt::Qlimit { value } => qlimit = num(value),
                QueueOpt::Bandwidth { share, min, max } => {
                    bw.push_str(&sc_spec(" bandwidth ", share));
                    if let Some(m) = min {
                        bw.push_str(&sc_spec(", min ", m));
                    }
                    if let Some(m) = max {
                        bw.push_str(&sc_spec(", max ", m));
                    }
                }
            }
        }
        tail.push_str(&flows);
        tail.push_str(&bw);
        if default {
            tail.push_str(" default");
        }
        if let Some(l) = qlimit {
            if l > 0 {
                tail.push_str(&format!(" qlimit {l}"));
            }
        }
        let name = text(&q.name);
        match parent {
            Some(p) => self.head(format!("queue {name} parent {p}{tail}"), span),
            None => {
                let ifs: Vec<String> = q
                    .interfaces
                    .iter()
                    .filter_map(|i| match &i.node.target {
                        IfTarget::Name(n) => Some(text(n).to_string()),
                        _ => None,
                    })
                    .collect();
                if ifs.is_empty() {
                    self.head(format!("queue {name}{tail}"), span);
                }
                for i in ifs {
                    self.head(format!("queue {name} on {i}{tail}"), span);
                }
            }
        }
    }
}

/// User or group name to id (only the names every OpenBSD system has).
fn sc_spec(prefix: &str, sc: &ServiceCurve) -> String {
    let mut s = bw_spec(prefix, text(&sc.bandwidth));
    if let Some((b, t)) = &sc.burst {
        s.push_str(&bw_spec(" burst ", text(b)));
        let ms = text(t).trim_end_matches("ms");
        s.push_str(&format!(" for {ms}ms"));
    }
    s
}

/// pfctl's `print_bwspec` applied to a bandwidth as written.
fn bw_spec(prefix: &str, w: &str) -> String {
    if let Some(p) = w.strip_suffix('%') {
        return format!("{prefix}{p}%");
    }
    let (n, mult) = match w
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
    {
        Some((i, _)) => {
            let mult: f64 = match &w[i..] {
                "K" | "Kb" => 1e3,
                "M" | "Mb" => 1e6,
                "G" | "Gb" => 1e9,
                _ => 1.0,
            };
            (&w[..i], mult)
        }
        None => (w, 1.0),
    };
    let mut rate = (n.parse::<f64>().unwrap_or(0.0) * mult) as u64;
    let units = [' ', 'K', 'M', 'G'];
    let mut i = 0;
    while rate >= 1000 && i <= 3 && rate.is_multiple_of(1000) {
        rate /= 1000;
        i += 1;
    }
    let u = units.get(i).copied().unwrap_or('G');
    if u == ' ' {
        format!("{prefix}{rate}")
    } else {
        format!("{prefix}{rate}{u}")
    }
}

/// `set syncookies` as pfctl.c 1.397 `pfctl_set_syncookies` prints it:
/// adaptive with watermarks as `(start HI%, end LO%)`, where a missing
/// start is PF_SYNCOOKIES_HIWATPCT (25) and a missing end half the start.
fn syncookies_line(mode: &str, opts: &[(SValue, SValue)]) -> String {
    let pct = |name: &str| {
        opts.iter()
            .find(|(k, _)| text(k) == name)
            .and_then(|(_, v)| text(v).trim_end_matches('%').parse::<f64>().ok())
            .map(|v| v as u32)
    };
    if mode != "adaptive" || opts.is_empty() {
        return format!("set syncookies {mode}");
    }
    let hi = pct("start").unwrap_or(25);
    let lo = pct("end").unwrap_or(hi / 2);
    format!("set syncookies adaptive (start {hi}%, end {lo}%)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_units() {
        assert_eq!(bw_spec(" bandwidth ", "1M"), " bandwidth 1M");
        assert_eq!(bw_spec(" bandwidth ", "1500K"), " bandwidth 1500K");
        assert_eq!(bw_spec(" bandwidth ", "50%"), " bandwidth 50%");
    }
}
