//! Times parse and check of a file:
//! `cargo run --release --example time_parse -- FILE [--runs N] [--parse-only]`.
//!
//! With `--runs N` each stage runs N times and the fastest run is shown
//! (less noise when comparing changes); `--parse-only` skips the check
//! (for profiling the parser alone).
use std::time::Instant;

fn main() {
    let mut path = None;
    let mut runs = 1usize;
    let mut parse_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(1).max(1),
            "--parse-only" => parse_only = true,
            _ => path = Some(a),
        }
    }
    let path = path.unwrap_or_else(|| "pf.conf".into());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mb = text.len() as f64 / 1e6;
    let mut p = f64::INFINITY;
    let mut counts = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let (_, rs, d) = pfconf::parse_str(&path, &text);
        p = p.min(t.elapsed().as_secs_f64());
        counts = (rs.statements.len(), d.len());
    }
    if parse_only {
        println!(
            "{} statements, {} parse diags; parse {:.3}s ({:.1} MB/s)",
            counts.0,
            counts.1,
            p,
            mb / p
        );
        return;
    }
    let mut c = f64::INFINITY;
    let mut check_diags = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let r = pfconf::check_str(&path, &text);
        c = c.min(t.elapsed().as_secs_f64());
        check_diags = r.diagnostics.len();
    }
    println!(
        "{} statements, {} parse diags, {} check diags; parse {:.3}s ({:.1} MB/s), parse+resolve+check {:.3}s ({:.1} MB/s)",
        counts.0, counts.1, check_diags, p, mb / p, c, mb / c
    );
}
