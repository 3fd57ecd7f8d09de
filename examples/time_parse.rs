//! Times parse and check of a file: `cargo run --release --example time_parse -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "pf.conf".into());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mb = text.len() as f64 / 1e6;
    let t = Instant::now();
    let (_, rs, d) = pfconf::parse_str(&path, &text);
    let p = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let r = pfconf::check_str(&path, &text);
    let c = t.elapsed().as_secs_f64();
    println!(
        "{} statements, {} parse diags, {} check diags; parse {:.3}s ({:.1} MB/s), parse+resolve+check {:.3}s ({:.1} MB/s)",
        rs.statements.len(), d.len(), r.diagnostics.len(), p, mb / p, c, mb / c
    );
}
