//! Cost per member-step across organization sizes (500; 5,000; 50,000; 500,000 members): one
//! run of 20 steps per model of a 16-decision, K = 3 task in 8 domains. Linear cost shows as a
//! flat throughput (member-steps per second) across the sizes. Run with
//! `cargo bench --bench scaling`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use leadsim::scenario::Scenario;
use std::hint::black_box;

const STEPS: u32 = 20;

fn scenario(members: usize) -> Scenario {
    Scenario::from_text(
        &format!(
            "steps = {STEPS}\nseed = 3\n[landscape]\nn = 16\nk = 3\n[organization]\nmembers = {members}\ndomains = 8\n\
             [[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n[[models]]\nkind = \"hybrid\"\n"
        ),
        "scaling.toml",
    )
    .expect("valid scenario")
}

fn sizes(c: &mut Criterion) {
    let mut group = c.benchmark_group("member-steps by size");
    group.sample_size(10);
    for members in [500usize, 5_000, 50_000, 500_000] {
        let s = scenario(members);
        group.throughput(Throughput::Elements(
            members as u64 * u64::from(STEPS) * s.models.len() as u64,
        ));
        group.bench_with_input(BenchmarkId::from_parameter(members), &s, |b, s| {
            let mut seed = 0u64;
            b.iter(|| {
                seed += 1;
                for m in 0..s.models.len() {
                    black_box(leadsim::sim::run(s, m, seed).recorder.summary());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sizes);
criterion_main!(benches);
