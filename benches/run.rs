//! One run of the baseline scenario (50 members, N = 12, 500 steps) per leadership model.
//! Run with `cargo bench --bench run`; member-steps per second = 50 × 500 / time.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leadsim::scenario::Scenario;
use std::hint::black_box;

fn baseline(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/baseline.toml");
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

/// Formatting one baseline run's time series (501 rows) as CSV, the main cost of writing results.
fn timeseries_rows(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/baseline.toml");
    let s = Scenario::load(std::path::Path::new(path)).expect("baseline scenario");
    let out = leadsim::sim::run(&s, 1, 7);
    let prefix = b"0,0.125,shared,3,9684035594177376579,";
    let mut buf = Vec::new();
    let mut group = c.benchmark_group("time-series rows");
    let mut bytes = 0;
    for (step, row) in &out.recorder.rows {
        leadsim::output::tables::push_timeseries_row(&mut buf, prefix, *step, row);
        bytes = buf.len();
    }
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("one baseline run", |b| {
        b.iter(|| {
            buf.clear();
            let mut rows = leadsim::output::tables::RowWriter::new(prefix);
            for (step, row) in &out.recorder.rows {
                rows.push(&mut buf, *step, row);
            }
            black_box(buf.len())
        })
    });
    group.finish();
}

criterion_group!(benches, baseline, timeseries_rows);
criterion_main!(benches);
