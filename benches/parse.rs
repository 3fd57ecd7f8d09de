//! Parse and check throughput on generated rulesets.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

mod gen;
use gen::generate;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("pfconf");
    g.sample_size(10);
    for n in [10_000usize, 100_000] {
        let text = generate(n);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", n), &text, |b, t| {
            b.iter(|| pfconf::parse_str("bench.conf", t))
        });
        g.bench_with_input(BenchmarkId::new("check", n), &text, |b, t| {
            b.iter(|| pfconf::check_str("bench.conf", t))
        });
    }
    g.finish();

    // eval: packets per second against the 100,000-rule ruleset.
    let text = generate(100_000);
    let report = pfconf::check_str("bench.conf", &text);
    let ev = pfconf::eval::Evaluator::new(&report.resolved, None);
    let packets = gen::packets(1000);
    let mut g = c.benchmark_group("eval");
    g.sample_size(10);
    g.throughput(Throughput::Elements(packets.len() as u64));
    g.bench_function("1000 packets x 100000 rules", |b| {
        b.iter(|| {
            packets
                .iter()
                .map(|p| ev.evaluate(p).decisions.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
