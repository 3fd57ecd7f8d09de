//! `pfconf eval`: what pf decides for packets, and which rule decides.

use super::*;

/// The formats `eval` writes.
const FORMATS: &[OutputFormat] = &[
    OutputFormat::Full,
    OutputFormat::Concise,
    OutputFormat::Json,
    OutputFormat::JsonLines,
];

pub(crate) fn run(
    g: &Global,
    path: Option<String>,
    mut packets: Vec<String>,
    file: Option<PathBuf>,
    (interfaces, node): (Option<PathBuf>, Option<PathBuf>),
    matches: bool,
    common: Common,
) -> ExitCode {
    use pfconf::eval::{parse_packet, Evaluator};
    // With a node directory (and no --interfaces), groups, egress, self
    // and antispoof come from the node model; its files are read once.
    let (format, ifs, node_model) =
        match g.setup("eval", FORMATS, path.as_slice(), (&interfaces, &node)) {
            Ok(s) => s,
            Err(code) => return code,
        };
    // --interfaces wins over the node's addresses: then the node model
    // is not used.
    let node_model = node_model.filter(|_| interfaces.is_none());
    if let Some(f) = file {
        match std::fs::read_to_string(&f) {
            Ok(t) => packets.extend(
                t.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_string),
            ),
            Err(e) => {
                err(&format!("pfconf: {}: {e}\n", f.display()));
                return ExitCode::from(2);
            }
        }
    }
    if packets.is_empty() {
        err("pfconf: give at least one --packet or --packets FILE\n");
        return ExitCode::from(2);
    }
    let report = match valid_ruleset(g, path, node.as_deref(), &common, (format, "eval")) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let map = &report.sources;
    let rule_json = |s: pfconf::Span| {
        let f = map.get(s.file);
        serde_json::json!({
            "file": f.map(|f| f.name.clone()).unwrap_or_default(),
            "line": map.line(s),
            "text": map.slice(s),
        })
    };
    let evaluator = match &node_model {
        Some(n) => Evaluator::with_node(&report.resolved, n),
        None => Evaluator::new(&report.resolved, ifs.as_ref()),
    };
    let mut status = 0u8;
    let mut json = Vec::new();
    for pk in &packets {
        let p = match parse_packet(pk) {
            Ok(p) => p,
            Err(e) => {
                err(&format!("pfconf: packet `{pk}`: {e}\n"));
                status = 1;
                if format.is_machine() {
                    json.push(serde_json::json!({"packet": pk, "error": e.to_string()}));
                }
                continue;
            }
        };
        // The list of every matching rule only when asked for: without
        // it, most rules a later one overrides need not be judged.
        let o = if matches {
            evaluator.evaluate(&p)
        } else {
            evaluator.decide(&p)
        };
        let certain = o.certain();
        let verdict = certain.map_or("undecided", |d| d.verdict.as_str());
        match format {
            OutputFormat::Json | OutputFormat::JsonLines => {
                let d = certain.or(o.decisions.first());
                let mut v = serde_json::json!({
                    "packet": pk,
                    "verdict": verdict,
                    "quick": certain.is_some_and(|d| d.quick),
                    "log": certain.is_some_and(|d| d.log),
                    "block": certain.and_then(|d| d.block).map(|b| b.as_str()),
                    "state": certain.and_then(|d| d.state).map(|s| s.as_str()),
                    "tags": certain.map(|d| d.tags.clone()).unwrap_or_default(),
                    "translation": certain.and_then(|d| d.translation.clone()),
                    "route": certain.and_then(|d| d.route.clone()),
                    "filtered_on": o.filtered_on,
                    "undecided": o.undecided.iter().map(|(s, why)| serde_json::json!({
                        "rule": s.map(rule_json),
                        "because": why,
                    })).collect::<Vec<_>>(),
                    "rule": certain.and_then(|d| d.rule).map(rule_json),
                    "possible": o.verdicts().iter().map(|v| v.as_str()).collect::<Vec<_>>(),
                });
                // Every matching rule only on request: kilobytes per
                // packet on broad rulesets.
                if matches {
                    v["matches"] = d
                        .map(|d| d.matches.iter().map(|s| rule_json(*s)).collect::<Vec<_>>())
                        .unwrap_or_default()
                        .into();
                }
                json.push(v);
            }
            OutputFormat::Concise => {
                let by = certain
                    .and_then(|d| d.rule)
                    .map(|r| format!(" by {}", map.location(r)))
                    .unwrap_or_default();
                out(&format!("{pk} => {verdict}{by}\n"));
            }
            _ => {
                let mut line = format!("{pk}\n  => {verdict}");
                if let Some(parent) = &o.filtered_on {
                    line.push_str(&format!(
                        " (filtered on {parent}: pf filters a CARP interface's packets as on its carpdev)"
                    ));
                }
                match certain {
                    Some(d) => {
                        if let Some(b) = d.block {
                            line.push_str(&format!(" ({b})"));
                        }
                        if d.quick {
                            line.push_str(" (quick)");
                        }
                        if d.log {
                            line.push_str(" (logged)");
                        }
                        if let Some(st) = d.state {
                            line.push_str(&format!(", {st}"));
                        }
                        if let Some(t) = &d.translation {
                            line.push_str(&format!(", {t}"));
                        }
                        if let Some(r) = &d.route {
                            line.push_str(&format!(", {r}"));
                        }
                        if !d.tags.is_empty() {
                            line.push_str(&format!(", tagged {}", d.tags.join(" ")));
                        }
                        if let Some(r) = d.rule {
                            line.push_str(&format!(
                                "\n     by {}: {}",
                                map.location(r),
                                map.slice(r)
                            ));
                        }
                    }
                    None => {
                        let v: Vec<&str> = o.verdicts().iter().map(|v| v.as_str()).collect();
                        line.push_str(&format!(
                            ": possible {} (the packet description leaves rules undecided{})",
                            v.join(", "),
                            if o.incomplete {
                                "; an anchor's rules are not known"
                            } else {
                                ""
                            }
                        ));
                        for (sp, why) in &o.undecided {
                            match sp {
                                Some(r) => line.push_str(&format!(
                                    "\n     undecided at {}: {why}",
                                    map.location(*r)
                                )),
                                None => line.push_str(&format!("\n     undecided: {why}")),
                            }
                        }
                    }
                }
                out(&format!("{line}\n"));
            }
        }
    }
    match format {
        OutputFormat::Json => out(&format!(
            "{}\n",
            serde_json::json!({"results": json, "diagnostics": []})
        )),
        OutputFormat::JsonLines => json.iter().for_each(|v| out(&format!("{v}\n"))),
        _ => {}
    }
    ExitCode::from(status)
}
