//! Writes the generated benchmark ruleset: `cargo run --release --example bench_gen -- N > file`.
#[path = "../benches/gen.rs"]
mod gen;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    print!("{}", gen::generate(n));
}
