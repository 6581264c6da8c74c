//! One run of the baseline scenario (50 members, N = 12, 500 steps) per leadership model.
//! Run with `cargo bench --bench run`; member-steps per second = 50 × 500 / time.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadsim::scenario::Scenario;
use std::hint::black_box;

fn baseline(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml");
    let s = Scenario::load(std::path::Path::new(path)).expect("baseline scenario");
    let mut group = c.benchmark_group("baseline run");
    group.throughput(Throughput::Elements(
        s.organization.members as u64 * s.steps as u64,
    ));
    for (m, model) in s.models.iter().enumerate() {
        let mut seed = 0u64;
        group.bench_function(&model.name, |b| {
            b.iter(|| {
                seed += 1;
                black_box(leadsim::sim::run(&s, m, seed).recorder.summary())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, baseline);
criterion_main!(benches);
