//! The `structured` target's input and its run: a ruleset, packets and
//! maybe a node, through check, eval, lint, fmt and diff with their
//! oracles.

use crate::oracles;
use crate::packet::{NodeDesc, PacketDesc};
use crate::ruleset::Ruleset;
use arbitrary::Arbitrary;
use pfconf::eval::Evaluator;
use pfconf::lint::LintConfig;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// One input of the `structured` target.
#[derive(Arbitrary, Debug, Clone)]
pub struct Input {
    /// A node for the HA lints and for evaluation on it.
    pub node: Option<NodeDesc>,
    /// Packets to evaluate: four at least.
    pub first_packets: [PacketDesc; 4],
    /// More packets.
    pub packets: Vec<PacketDesc>,
    /// The ruleset, last: it takes the rest of the bytes.
    pub ruleset: Ruleset,
}

impl Input {
    /// Every packet (at most 32).
    pub fn packets(&self) -> impl Iterator<Item = &PacketDesc> {
        self.first_packets.iter().chain(&self.packets).take(32)
    }
}

/// What the runs reached, for `PFCONF_FUZZ_STATS`.
#[derive(Debug, Default)]
pub struct Stats {
    /// Inputs run.
    pub inputs: AtomicU64,
    /// Rulesets that pass `check`.
    pub checked: AtomicU64,
    /// Packets described.
    pub packets: AtomicU64,
    /// Packets evaluated (their ruleset passed `check`).
    pub evaluated: AtomicU64,
    /// Evaluations with one certain decision.
    pub certain: AtomicU64,
    /// Evaluations decided by a rule (not by default or skip).
    pub by_rule: AtomicU64,
    /// Inputs with a node.
    pub with_node: AtomicU64,
    /// Rulesets that format.
    pub formatted: AtomicU64,
    /// Total bytes of ruleset text.
    pub bytes: AtomicU64,
    /// The largest ruleset text.
    pub largest: AtomicU64,
    /// The most rules (lines) in one ruleset.
    pub most_lines: AtomicU64,
}

/// The counters of this process.
pub static STATS: Stats = Stats {
    inputs: AtomicU64::new(0),
    checked: AtomicU64::new(0),
    packets: AtomicU64::new(0),
    evaluated: AtomicU64::new(0),
    certain: AtomicU64::new(0),
    by_rule: AtomicU64::new(0),
    with_node: AtomicU64::new(0),
    formatted: AtomicU64::new(0),
    bytes: AtomicU64::new(0),
    largest: AtomicU64::new(0),
    most_lines: AtomicU64::new(0),
};

impl Stats {
    /// One line of figures.
    pub fn line(&self) -> String {
        let n = self.inputs.load(Relaxed).max(1);
        let p = self.packets.load(Relaxed).max(1);
        let e = self.evaluated.load(Relaxed).max(1);
        format!(
            "inputs {n}, check ok {:.1}%, formatted {:.1}%, with node {:.1}%, packets {p} evaluated {:.1}% (certain {:.1}%, by a rule {:.1}% of evaluated), mean text {} B, largest {} B, most lines {}",
            100.0 * self.checked.load(Relaxed) as f64 / n as f64,
            100.0 * self.formatted.load(Relaxed) as f64 / n as f64,
            100.0 * self.with_node.load(Relaxed) as f64 / n as f64,
            100.0 * self.evaluated.load(Relaxed) as f64 / p as f64,
            100.0 * self.certain.load(Relaxed) as f64 / e as f64,
            100.0 * self.by_rule.load(Relaxed) as f64 / e as f64,
            self.bytes.load(Relaxed) / n,
            self.largest.load(Relaxed),
            self.most_lines.load(Relaxed),
        )
    }
}

/// Which stages to run (all in the fuzz target; the counting test runs
/// check and eval only).
#[derive(Debug, Clone, Copy)]
pub struct Stages {
    /// lint, with and without the node.
    pub lint: bool,
    /// fmt and diff.
    pub fmt_diff: bool,
}

impl Stages {
    /// Every stage.
    pub const ALL: Stages = Stages {
        lint: true,
        fmt_diff: true,
    };
}

/// Runs one input through every stage and its oracle.
pub fn run(input: &Input, stages: Stages) {
    let text = input.ruleset.to_text();
    STATS.inputs.fetch_add(1, Relaxed);
    STATS.bytes.fetch_add(text.len() as u64, Relaxed);
    STATS.largest.fetch_max(text.len() as u64, Relaxed);
    STATS
        .most_lines
        .fetch_max(text.lines().count() as u64, Relaxed);
    STATS
        .packets
        .fetch_add(input.packets().count() as u64, Relaxed);
    let node = input.node.as_ref().map(|n| n.node());
    if node.is_some() {
        STATS.with_node.fetch_add(1, Relaxed);
    }

    let report = pfconf::check_str("fuzz.conf", &text);
    if report.is_ok() {
        STATS.checked.fetch_add(1, Relaxed);
        let ev = Evaluator::new(&report.resolved, None);
        let on_node = node
            .as_ref()
            .map(|n| Evaluator::with_node(&report.resolved, n));
        for p in input.packets() {
            let packet = match p.packet() {
                Ok(p) => p,
                Err(e) => panic!("the generator wrote a packet eval cannot read: {e}"),
            };
            STATS.evaluated.fetch_add(1, Relaxed);
            let o = oracles::eval(&ev, &packet, &text);
            if let Some(d) = o.certain() {
                STATS.certain.fetch_add(1, Relaxed);
                if d.rule.is_some() {
                    STATS.by_rule.fetch_add(1, Relaxed);
                }
            }
            if let Some(ev) = &on_node {
                oracles::eval(ev, &packet, &text);
            }
        }
        if stages.lint {
            oracles::lint(&report, &LintConfig::default());
            if let Some(node) = node {
                let config = LintConfig {
                    node: Some(node),
                    ..LintConfig::default()
                };
                oracles::lint(&report, &config);
            }
        }
    }
    if stages.fmt_diff {
        // The safety net's half of the fmt oracle costs as much as the
        // rest of the run: one input in four (by its length, so that a
        // crash replays) goes through it.
        let formatted = oracles::fmt_with(&text, text.len() % 4 == 0);
        if formatted.is_some() {
            STATS.formatted.fetch_add(1, Relaxed);
        }
        oracles::diff(&text, formatted.as_deref());
    }
    if std::env::var_os("PFCONF_FUZZ_STATS").is_some() {
        let n = STATS.inputs.load(Relaxed);
        if n.is_power_of_two() || n % 10_000 == 0 {
            eprintln!("structured: {}", STATS.line());
        }
    }
}
