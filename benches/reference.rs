//! Reference models: one Lazer & Friedman landscape run, the Lazer & Friedman reference scenario
//! as `leadsim run` computes it (without writing files), and one March run.
//! Run with `cargo bench --bench reference` (add `--profile profiling` to profile it with
//! symbols and line tables).

use criterion::{Criterion, criterion_group, criterion_main};
use leadsim::landscape::{Config, Landscape};
use leadsim::reference::{lazer_friedman as lf, march1991};
use leadsim::rng::{self, Purpose};
use leadsim::study::Study;
use std::hint::black_box;
use std::sync::atomic::AtomicBool;

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

/// The runs of `scenarios/reference/lazer-friedman-2007.toml` (1,000 replicates × linear and
/// complete network) as `leadsim run` simulates them — landscape, exact Fmax, 100 rounds of 100
/// agents, the time series — without formatting or files: one replicate's two runs, and all
/// 2,000 (issue 18's workload less its writing; `leadsim run … --threads 1` measures it whole).
fn lazer_friedman_scenario(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/reference/lazer-friedman-2007.toml"
    );
    let text = std::fs::read_to_string(path).expect("reference scenario");
    let study = Study::from_text(&text, path).expect("valid scenario");
    let models = study.model_names().len();
    let stop = AtomicBool::new(false);
    let mut next = 0u64;
    c.bench_function("LF scenario, one replicate (both networks)", |b| {
        b.iter(|| {
            // A different world (landscape) each time, as the workload has.
            next += 1;
            for m in 0..models {
                black_box(study.simulate(m, next, &stop));
            }
        })
    });
    let mut group = c.benchmark_group("LF scenario");
    group.sample_size(10);
    group.bench_function("all 2,000 runs, one thread, no files", |b| {
        b.iter(|| {
            for seed in 0..1000 {
                for m in 0..models {
                    black_box(study.simulate(m, seed, &stop));
                }
            }
        })
    });
    group.finish();
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

criterion_group!(benches, lazer_friedman, lazer_friedman_scenario, march);
criterion_main!(benches);
