//! Reference-model kernels: one Lazer & Friedman landscape run and one March run.
//! Run with `cargo bench --bench reference`.

use criterion::{Criterion, criterion_group, criterion_main};
use leadsim::landscape::{Config, Landscape};
use leadsim::reference::{lazer_friedman as lf, march1991};
use leadsim::rng::{self, Purpose};
use std::hint::black_box;

fn lazer_friedman(c: &mut Criterion) {
    let params = lf::Params::default();
    let land =
        Landscape::generate(&params.spec(), &mut rng::stream(1, Purpose::Landscape, &[])).unwrap();
    let mut starts = rng::stream(1, Purpose::Reference, &[0]);
    let start: Vec<Config> = (0..params.agents)
        .map(|_| Config::random(params.n, &mut starts))
        .collect();
    for network in [lf::Network::Linear, lf::Network::Complete] {
        let graph = network.build(params.agents, &mut rng::stream(1, Purpose::Reference, &[1]));
        c.bench_function(
            &format!(
                "LF one landscape, {} network, 100 agents x 100 rounds",
                network.label()
            ),
            |b| {
                b.iter(|| {
                    let mut r = rng::stream(1, Purpose::Reference, &[2]);
                    black_box(lf::run(&land, (&graph).into(), &start, &params, &mut r))
                })
            },
        );
    }
}

fn march(c: &mut Criterion) {
    for (p1, p2) in [(0.1, 0.9), (0.5, 0.5)] {
        let params = march1991::Params {
            p1,
            p2,
            ..march1991::Params::default()
        };
        let mut run = 0u64;
        c.bench_function(
            &format!("March one run to equilibrium, m=30 n=50 p1={p1} p2={p2}"),
            |b| {
                b.iter(|| {
                    run += 1;
                    black_box(march1991::run_to_equilibrium(&params, 20_000, 1, run).unwrap())
                })
            },
        );
    }
}

criterion_group!(benches, lazer_friedman, march);
criterion_main!(benches);
