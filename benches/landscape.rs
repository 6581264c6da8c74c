//! Landscape kernels: fitness evaluation (from a configuration and from table indices), one-flip
//! delta and exploration's test, and the exact global maximum.
//! Run with `cargo bench --bench landscape` (add `--profile profiling` to profile it with
//! symbols and line tables).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use leadsim::landscape::indexed::Kernel;
use leadsim::landscape::{Config, Landscape, NkSpec, Normalization, low_mask};
use leadsim::rng::{self, Purpose};
use std::hint::black_box;

fn landscape(n: usize, k: usize, seed: u64) -> Landscape {
    Landscape::generate(
        &NkSpec::random(n, k),
        &mut rng::stream(seed, Purpose::Landscape, &[]),
    )
    .unwrap()
}

fn evaluation(c: &mut Criterion) {
    let land = landscape(20, 5, 1);
    let configs: Vec<Config> = (0..1024u64)
        .map(|i| Config(rng::mix64(i) & low_mask(20)))
        .collect();
    c.bench_function("fitness N=20 K=5", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & 1023;
            black_box(land.fitness(black_box(configs[i])))
        })
    });
    c.bench_function("one-flip delta N=20 K=5", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & 1023;
            black_box(land.delta(black_box(configs[i]), 1 << (i % 20)))
        })
    });
    let indices: Vec<[u8; 20]> = configs
        .iter()
        .map(|&c| {
            let mut idx = [0u8; 20];
            land.indices(c, &mut idx);
            idx
        })
        .collect();
    c.bench_function("fitness from table indices N=20 K=5", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & 1023;
            black_box(land.fitness_at(black_box(&indices[i])))
        })
    });
    let kernel = Kernel::new(&land);
    let fitness: Vec<f64> = configs.iter().map(|&c| land.fitness(c)).collect();
    c.bench_function("exploration's flip test N=20 K=5", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) & 1023;
            let mut idx = indices[i];
            black_box(kernel.flip_if_fitter(&mut idx, fitness[i], i % 20))
        })
    });
}

fn global_max(c: &mut Criterion) {
    for (n, k) in [(16, 5), (20, 5), (20, 19)] {
        // Generation with bound normalization does not search; the timed part is the search.
        let spec = NkSpec {
            normalization: Normalization::Bound,
            ..NkSpec::random(n, k)
        };
        let mut seed = 0u64;
        c.bench_function(&format!("exact global max N={n} K={k}"), |b| {
            b.iter_batched(
                || {
                    seed += 1;
                    Landscape::generate(&spec, &mut rng::stream(seed, Purpose::Landscape, &[]))
                        .unwrap()
                },
                |land| black_box(leadsim::landscape::optimum::exact_max(&land, None)),
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, evaluation, global_max);
criterion_main!(benches);
