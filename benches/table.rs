//! The README's benchmark table: every operation on generated rulesets of
//! 1,000, 10,000 and 100,000 rules, plus a 1,000,000-entry table file.
//! `check-real` and `lint-real` run on rulesets shaped like a real
//! cluster's (`gen::realistic`), `lint-real` with the node's `/etc`, so the
//! HA lints probe every CARP and pfsync flow. `eval-real` evaluates
//! [`EVAL_PACKETS`] packets of the shapes a cluster sees (services to the
//! VIP, outbound NAT, CARP, pfsync, blocked sources) on that ruleset and
//! node, the evaluator built once, as `pfconf eval` does (the deciding
//! rule); `eval-real-matches` as `pfconf eval --matches` does (every
//! matching rule listed); `eval` the same on the generated rulesets, with
//! `gen::packets`. Packets per second is `EVAL_PACKETS / time`; the eval
//! rows add 50,000 rules, the size #18 sets its target at.
//!
//! `cargo bench --bench table` prints a Markdown table. Each measurement
//! runs in a fresh child process (this binary with `--one OP N`), so the
//! peak memory it reports (`VmHWM` of `/proc/self/status`, Linux only) is
//! that operation's alone; the time is the best of three runs inside the
//! child, the generated text excluded. `--quick` stops at 10,000 rules.
//! `--sizes 10000,100000,500000` measures at those sizes instead (every
//! operation, eval's included) and `--ops parse,check` only those
//! operations: #18 reads `parse` and `check` at 500,000 rules with
//! `--ops parse,check --sizes 10000,100000,500000`, left out of the
//! default run for its time. Each row's peak memory is also printed as
//! a ratio to the input (`×`).
//! It allocates with mimalloc, as the pfconf binary does (the default
//! `mimalloc` feature); `benches/parse.rs` measures with the system
//! allocator.

mod gen;

/// Measured with the allocator the pfconf binary uses.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use pfconf::{check_with, MemoryLoader, Options};
use std::process::Command;
use std::time::Instant;

const OPS: &[&str] = &[
    "parse",
    "check",
    "lint",
    "fmt",
    "fmt-unchecked",
    "check+fmt",
    "expand",
    "diff",
    "check-real",
    "lint-real",
    "eval",
    "eval-real",
    "eval-real-matches",
];

/// Packets `eval-real` evaluates per run (its time is for all of them).
const EVAL_PACKETS: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `--text-real N`: the realistic ruleset itself, to reproduce a
    // measurement with the pfconf binary.
    if let Some(i) = args.iter().position(|a| a == "--text-real") {
        let n = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(1000);
        print!("{}", gen::realistic(n));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--one") {
        let op = args.get(i + 1).map(String::as_str).unwrap_or("");
        let n = args.get(i + 2).and_then(|s| s.parse().ok()).unwrap_or(1000);
        one(op, n);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test` (the README's test
    // command builds every target) runs this binary without it: then
    // every operation runs once on a small ruleset, a smoke test, not a
    // measurement in a debug build.
    if !args.iter().any(|a| a == "--bench" || a == "--quick") {
        for op in OPS {
            one(op, 200);
        }
        println!(
            "benchmark smoke test: every operation ran (measure with cargo bench --bench table)"
        );
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let list = |flag: &str| -> Option<Vec<String>> {
        let i = args.iter().position(|a| a == flag)?;
        Some(
            args.get(i + 1)?
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
        )
    };
    let chosen_sizes: Option<Vec<usize>> =
        list("--sizes").map(|l| l.iter().filter_map(|s| s.parse().ok()).collect());
    let chosen_ops = list("--ops");
    let sizes: &[usize] = match &chosen_sizes {
        Some(s) => s,
        None if quick => &[1_000, 10_000],
        None => &[1_000, 10_000, 100_000],
    };
    // eval's target is set at 50,000 rules (#18).
    let eval_sizes: &[usize] = match &chosen_sizes {
        Some(s) => s,
        None if quick => &[1_000, 10_000],
        None => &[1_000, 10_000, 50_000, 100_000],
    };
    let me = std::env::current_exe().expect("the benchmark's own path");
    let run = |op: &str, n: usize| -> Option<Measure> {
        let out = Command::new(&me)
            .args(["--one", op, &n.to_string()])
            .output()
            .ok()?;
        Measure::parse(&String::from_utf8_lossy(&out.stdout))
    };
    println!("| operation | rules | MB | time | MB/s | rules/s | peak memory |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut ratios = Vec::new();
    let ops = OPS.iter().filter(|op| {
        chosen_ops
            .as_ref()
            .is_none_or(|l| l.iter().any(|o| o == *op))
    });
    for op in ops {
        let mut at = Vec::new();
        let sizes = if op.starts_with("eval") {
            eval_sizes
        } else {
            sizes
        };
        for &n in sizes {
            let Some(m) = run(op, n) else {
                println!("| {op} | {n} | | failed | | | |");
                continue;
            };
            println!(
                "| {op} | {n} | {:.2} | {} | {:.1} | {:.0} | {:.0} MB ({:.0}×) |",
                m.bytes as f64 / 1e6,
                // eval's 200 packets take well under a millisecond.
                if m.secs < 0.01 {
                    format!("{:.3} ms", m.secs * 1e3)
                } else {
                    format!("{:.3} s", m.secs)
                },
                m.bytes as f64 / 1e6 / m.secs,
                n as f64 / m.secs,
                m.peak_kb as f64 / 1024.0,
                m.peak_kb as f64 * 1024.0 / m.bytes as f64
            );
            at.push((n, m.secs));
        }
        let t10 = at.iter().find(|(n, _)| *n == 10_000).map(|x| x.1);
        let t100 = at.iter().find(|(n, _)| *n == 100_000).map(|x| x.1);
        if let (Some(a), Some(b)) = (t10, t100) {
            ratios.push(format!("{op} {:.1}", b / a));
        }
    }
    let table_wanted = chosen_ops.is_none() && chosen_sizes.is_none();
    if let Some(m) = table_wanted.then(|| run("table", 1_000_000)).flatten() {
        println!(
            "| table file (check) | 1,000,000 entries | {:.2} | {:.3} s | {:.1} | {:.0} entries/s | {:.0} MB |",
            m.bytes as f64 / 1e6,
            m.secs,
            m.bytes as f64 / 1e6 / m.secs,
            1e6 / m.secs,
            m.peak_kb as f64 / 1024.0
        );
    }
    if !ratios.is_empty() {
        println!(
            "\n10k → 100k time ratio (linear = 10): {}",
            ratios.join(", ")
        );
    }
}

/// One child's result.
struct Measure {
    bytes: usize,
    secs: f64,
    peak_kb: u64,
}

impl Measure {
    fn parse(s: &str) -> Option<Measure> {
        let mut it = s.split_whitespace();
        Some(Measure {
            bytes: it.next()?.parse().ok()?,
            secs: it.next()?.parse().ok()?,
            peak_kb: it.next()?.parse().ok()?,
        })
    }
}

/// Peak resident memory of this process in kB (0 when unknown).
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Node B's ruleset for `diff`: node A's with one rule in a hundred changed.
fn drifted(text: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i % 100 == 50 && l.starts_with("pass in") {
                l.replace("port { 22 80 443 }", "port { 22 443 }")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs one operation three times and prints `bytes seconds peak_kb`.
fn one(op: &str, n: usize) {
    let (text, loader) = if op == "table" {
        let mut entries = String::with_capacity(n * 16);
        for i in 0..n {
            entries.push_str(&format!(
                "10.{}.{}.{}/32\n",
                (i >> 16) & 255,
                (i >> 8) & 255,
                i & 255
            ));
        }
        let rules = "table <big> persist file \"/etc/big\"\nblock all\npass in from <big>\n";
        let bytes = entries.len();
        let loader = MemoryLoader::default().with("/etc/big", &entries);
        (rules.to_string(), (loader, bytes))
    } else if op.contains("-real") {
        let t = gen::realistic(n);
        let len = t.len();
        (t, (MemoryLoader::default(), len))
    } else {
        let t = gen::generate(n);
        let len = t.len();
        (t, (MemoryLoader::default(), len))
    };
    let (loader, bytes) = loader;
    let other = if op == "diff" {
        drifted(&text)
    } else {
        String::new()
    };
    let opts = Options::default();
    // eval: the evaluator is built once (as every consumer does), and only
    // the packets are timed.
    let eval_report = op
        .starts_with("eval")
        .then(|| check_with("bench.conf", &text, &loader, &opts));
    let real_node = gen::realistic_node();
    let evaluator = eval_report.as_ref().map(|r| match op {
        "eval" => pfconf::eval::Evaluator::new(&r.resolved, None),
        _ => pfconf::eval::Evaluator::with_node(&r.resolved, &real_node),
    });
    let packets = match op {
        "eval" => gen::packets(EVAL_PACKETS),
        _ => gen::realistic_packets(EVAL_PACKETS),
    };
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let work = match op {
            // As `pfconf eval` asks: the deciding rule, not every match.
            "eval" | "eval-real" => match &evaluator {
                Some(ev) => packets.iter().map(|p| ev.decide(p).decisions.len()).sum(),
                None => 0,
            },
            // As `pfconf eval --matches` asks.
            "eval-real-matches" => match &evaluator {
                Some(ev) => packets.iter().map(|p| ev.evaluate(p).decisions.len()).sum(),
                None => 0,
            },
            "parse" => pfconf::parse_str("bench.conf", &text).1.statements.len(),
            "check" | "table" | "check-real" => check_with("bench.conf", &text, &loader, &opts)
                .diagnostics
                .len(),
            "lint" => {
                let r = check_with("bench.conf", &text, &loader, &opts);
                pfconf::lint::run(&r, &pfconf::lint::LintConfig::default()).len()
            }
            // The HA lints on the node the realistic ruleset runs on: every
            // CARP and pfsync flow through one evaluator.
            "lint-real" => {
                let r = check_with("bench.conf", &text, &loader, &opts);
                let cfg = pfconf::lint::LintConfig {
                    node: Some(gen::realistic_node()),
                    ..Default::default()
                };
                pfconf::lint::run(&r, &cfg).len()
            }
            "fmt" => pfconf::fmt::format_checked(
                "bench.conf",
                &text,
                &pfconf::fmt::FormatOptions::default(),
            )
            .map(|s| s.len())
            .unwrap_or(0),
            // What an editor or a CI bot does: check, then format from the
            // report (`Report::format`: the input is not read again).
            "check+fmt" => {
                let keep = Options {
                    keep_source: true,
                    ..Options::default()
                };
                let r = check_with("bench.conf", &text, &loader, &keep);
                r.format(&loader, &pfconf::fmt::FormatOptions::default())
                    .map(|f| f.text.len())
                    .unwrap_or(0)
            }
            // The formatter alone: parse and print, no safety net.
            "fmt-unchecked" => {
                pfconf::fmt::format_str("bench.conf", &text, &pfconf::fmt::FormatOptions::default())
                    .map(|s| s.len())
                    .unwrap_or(0)
            }
            // As `pfconf expand` prints: each statement's rules written
            // as they are expanded (`expand_each`), not the whole list.
            "expand" => {
                let r = check_with("bench.conf", &text, &loader, &opts);
                let mut out = String::new();
                let rest = pfconf::expand::expand_each(
                    &r.resolved,
                    &pfconf::expand::Interfaces::new(),
                    pfconf::accounts::Accounts::openbsd(),
                    &mut |rule| out.push_str(&rule.to_string()),
                );
                out.len() + rest.to_string().len()
            }
            "diff" => {
                // What `pfconf diff` does: compare, then a unified diff of
                // the two expanded rulesets.
                let p = pfconf::diff::compare_rulesets(
                    ("a.conf", &text),
                    ("b.conf", &other),
                    &loader,
                    &loader,
                    &[],
                );
                let unified = similar::TextDiff::from_lines(&p.text_a, &p.text_b)
                    .unified_diff()
                    .to_string();
                p.differences.len() + unified.len()
            }
            _ => {
                eprintln!("unknown operation {op}");
                std::process::exit(2);
            }
        };
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(work);
    }
    println!("{bytes} {best} {}", peak_kb());
}
