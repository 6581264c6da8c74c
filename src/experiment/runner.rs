//! Executes a plan's runs in parallel (rayon), writing each run's rows to its own part file in
//! `runs/` as soon as it finishes. Memory stays bounded by the runs in flight, however many runs
//! the plan holds; finished runs survive any interruption, and a resumed execution skips them.
//! The final tables are assembled afterwards, in run order ([`crate::output::tables`]), so the
//! output does not depend on which thread finished first.

use super::{Plan, RunSpec};
use crate::output::tables::{self, Part};
use crate::output::{self, OutputError};
use crate::sim;
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Why an execution stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("interrupted after {done} of {total} runs")]
    Interrupted { done: u64, total: u64 },
}

/// Simulates run `spec` of `plan` and formats its rows.
pub fn simulate(plan: &Plan, spec: &RunSpec) -> Part {
    let scenario = &plan.points[spec.point].scenario;
    let out = sim::run(scenario, spec.model, spec.world_seed);
    let id = tables::id_cells(plan, spec);
    let mut part = Part::default();
    for (step, row) in &out.recorder.rows {
        part.timeseries
            .extend(tables::timeseries_row(&id, *step, row));
    }
    part.summary = tables::summary_row(&id, &out.recorder.summary());
    part.shocks = out.shocks(&id);
    part
}

/// The runs among `indices` whose part is already in `runs_dir` and readable.
pub fn finished(runs_dir: &Path, indices: &[u64]) -> Vec<u64> {
    indices
        .iter()
        .copied()
        .filter(|&i| {
            let p = runs_dir.join(tables::part_name(i));
            std::fs::read(&p).is_ok_and(|b| tables::decode_part(&p, i, &b).is_ok())
        })
        .collect()
}

/// Runs every index in `indices` that has no part in `runs_dir` yet. `progress(done, total)` is
/// called after each run (from worker threads); `stop` is checked before each run starts, and
/// runs in flight finish and are kept.
pub fn execute(
    plan: &Plan,
    runs_dir: &Path,
    indices: &[u64],
    stop: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(), RunError> {
    std::fs::create_dir_all(runs_dir).map_err(output::io_at(runs_dir))?;
    let done_before = finished(runs_dir, indices);
    let todo: Vec<u64> = {
        let done: std::collections::BTreeSet<u64> = done_before.iter().copied().collect();
        indices
            .iter()
            .copied()
            .filter(|i| !done.contains(i))
            .collect()
    };
    let total = indices.len() as u64;
    let done = AtomicU64::new(done_before.len() as u64);
    progress(done.load(Ordering::Relaxed), total);
    let result = todo.par_iter().try_for_each(|&i| {
        if stop.load(Ordering::Relaxed) {
            return Err(None);
        }
        let spec = plan.spec(i);
        let part = simulate(plan, &spec);
        let path = runs_dir.join(tables::part_name(i));
        output::write_atomic_fast(&path, &tables::encode_part(i, &part)).map_err(Some)?;
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(d, total);
        Ok(())
    });
    match result {
        Ok(()) => Ok(()),
        Err(Some(e)) => Err(RunError::Output(e)),
        Err(None) => Err(RunError::Interrupted {
            done: done.load(Ordering::Relaxed),
            total,
        }),
    }
}
