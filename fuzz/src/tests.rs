//! What the generators reach, on pseudo-random bytes: most rulesets pass
//! `check`, packets read back, sessions are answered. `cargo test` in this
//! crate runs them (no libFuzzer needed).

use crate::structured::{run, Input, Stages, STATS};
use arbitrary::{Arbitrary, Unstructured};
use std::sync::atomic::Ordering::Relaxed;

/// xorshift64*: bytes that do not depend on a crate.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[test]
fn most_generated_rulesets_pass_check_and_packets_are_evaluated() {
    let (mut ok, mut n, mut failures) = (0, 0, Vec::new());
    for seed in 0..400u64 {
        let data = bytes(seed, 256 + (seed as usize % 8) * 1024);
        let Ok(input) = Input::arbitrary(&mut Unstructured::new(&data)) else {
            continue;
        };
        let text = input.ruleset.to_text();
        let report = pfconf::check_str("fuzz.conf", &text);
        n += 1;
        if report.is_ok() {
            ok += 1;
        } else if failures.len() < 12 {
            let codes: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let l = report.sources.location(d.span);
                    format!(
                        "{} {} at {:?}: {:?}",
                        d.code,
                        d.message,
                        l,
                        report.sources.slice(d.span)
                    )
                })
                .collect();
            failures.push(codes);
        }
        run(
            &input,
            Stages {
                lint: false,
                fmt_diff: false,
            },
        );
    }
    let rate = ok as f64 / n as f64;
    eprintln!("{}", STATS.line());
    eprintln!("first failures: {failures:#?}");
    assert!(rate >= 0.8, "{ok} of {n} pass check: {failures:#?}");
    assert!(STATS.evaluated.load(Relaxed) > 0);
}

#[test]
fn sessions_are_answered() {
    for seed in 0..40u64 {
        let data = bytes(seed, 2048);
        if let Ok(s) = crate::lsp::Session::arbitrary(&mut Unstructured::new(&data)) {
            crate::lsp::run(&s);
        }
    }
}

/// Prints a few generated inputs (`cargo test --lib -- --ignored --nocapture show`).
#[test]
#[ignore]
fn show() {
    for seed in 0..3u64 {
        let data = bytes(seed + 1000, 6000);
        let input = Input::arbitrary(&mut Unstructured::new(&data)).unwrap();
        let text = input.ruleset.to_text();
        println!("==== ruleset {seed}\n{text}");
        for p in input.packets() {
            println!("packet: {:?}", p.text());
        }
        if let Some(n) = &input.node {
            for (name, t) in n.files() {
                println!("--- {name}\n{t}");
            }
        }
        let report = pfconf::check_str("fuzz.conf", &text);
        for d in report.diagnostics.iter().filter(|d| d.is_error()) {
            println!(
                "ERROR {} {} {:?}",
                d.code,
                d.message,
                report.sources.slice(d.span)
            );
        }
    }
}

/// Time per stage on generated inputs (`cargo test --release --lib -- --ignored --nocapture timing`).
#[test]
#[ignore]
fn timing() {
    use std::time::{Duration, Instant};
    let mut t = [Duration::ZERO; 7];
    let names = [
        "check",
        "eval",
        "lint",
        "lint+node",
        "fmt (all)",
        "format_str",
        "diff",
    ];
    // One file (an artifact) with PFCONF_FUZZ_INPUT, else generated ones.
    let inputs: Vec<Vec<u8>> = match std::env::var_os("PFCONF_FUZZ_INPUT") {
        Some(path) => vec![std::fs::read(path).unwrap()],
        None => (0..300u64)
            .map(|seed| bytes(seed, 256 + (seed as usize % 8) * 1024))
            .collect(),
    };
    for data in &inputs {
        let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
            continue;
        };
        let text = input.ruleset.to_text();
        if inputs.len() == 1 {
            // The ruleset, to read it.
            std::fs::write(std::env::temp_dir().join("pfconf-fuzz-input.conf"), &text).unwrap();
            let report = pfconf::check_str("fuzz.conf", &text);
            for l in pfconf::lint::registry() {
                let config = pfconf::lint::LintConfig {
                    select: vec![l.info.name.to_string()],
                    ..Default::default()
                };
                let s = Instant::now();
                pfconf::lint::run(&report, &config);
                let took = s.elapsed();
                if took > Duration::from_millis(5) {
                    println!("lint {}: {took:?}", l.info.name);
                }
            }
            let ev = pfconf::eval::Evaluator::new(&report.resolved, None);
            for p in input.packets() {
                let p = p.packet().unwrap();
                let s = Instant::now();
                let full = ev.evaluate(&p);
                let a = s.elapsed();
                let s = Instant::now();
                let brief = ev.decide(&p);
                let b = s.elapsed();
                println!(
                    "packet {p}: evaluate {a:?} ({} decisions, {} matches), decide {b:?} ({} decisions)",
                    full.decisions.len(),
                    full.decisions.iter().map(|d| d.matches.len()).sum::<usize>(),
                    brief.decisions.len()
                );
            }
        }
        let s = Instant::now();
        let report = pfconf::check_str("fuzz.conf", &text);
        t[0] += s.elapsed();
        if !report.is_ok() {
            continue;
        }
        let s = Instant::now();
        let ev = pfconf::eval::Evaluator::new(&report.resolved, None);
        for p in input.packets() {
            crate::oracles::eval(&ev, &p.packet().unwrap(), &text);
        }
        t[1] += s.elapsed();
        let s = Instant::now();
        crate::oracles::lint(&report, &pfconf::lint::LintConfig::default());
        t[2] += s.elapsed();
        if let Some(n) = &input.node {
            let s = Instant::now();
            let config = pfconf::lint::LintConfig {
                node: Some(n.node()),
                ..Default::default()
            };
            crate::oracles::lint(&report, &config);
            t[3] += s.elapsed();
        }
        let s = Instant::now();
        let f = crate::oracles::fmt_with(&text, text.len() % 4 == 0);
        t[4] += s.elapsed();
        let s = Instant::now();
        let _ = pfconf::fmt::format_str("a", &text, &Default::default());
        t[5] += s.elapsed();
        let s = Instant::now();
        crate::oracles::diff(&text, f.as_deref());
        t[6] += s.elapsed();
    }
    for (n, d) in names.iter().zip(t) {
        println!("{n}: {d:?}");
    }
}
