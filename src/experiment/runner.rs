//! Executes a plan's runs in parallel (rayon), appending each run's rows to a journal in `runs/`
//! as soon as it finishes ([`crate::output::journal`]). Memory stays bounded by the runs in flight, however many runs
//! the plan holds; finished runs survive any interruption, and a resumed execution skips them.
//! The final tables are assembled afterwards, in run order ([`crate::output::tables`]), so the
//! output does not depend on which thread finished first.

use super::{Plan, RunSpec};
use crate::output::journal::{self, Journal};
use crate::output::tables::{self, Part};
use crate::output::{self, OutputError};
use rayon::prelude::*;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Why an execution stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("interrupted after {done} of {total} runs")]
    Interrupted { done: u64, total: u64 },
}

/// Simulates run `spec` of `plan` and formats its rows; `None` when `stop` was set before the
/// run finished.
pub fn simulate(plan: &Plan, spec: &RunSpec, stop: &AtomicBool) -> Option<Part> {
    let id = tables::id_cells(plan, spec);
    plan.points[spec.point]
        .scenario
        .simulate(spec.model, spec.world_seed, &id, stop)
}

/// Runs every index in `indices` that has no record in `runs_dir` yet, appending each finished
/// run to this process's journals. `progress(done, total)` is called after each run (from worker
/// threads); `stop` is checked before each run starts and every few hundred steps within one: a
/// run it stops is abandoned and not journaled (a resume runs it again), so a long run does not
/// hold up Ctrl-C, and no partial run is ever recorded.
pub fn execute(
    plan: &Plan,
    runs_dir: &Path,
    indices: &[u64],
    stop: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(), RunError> {
    std::fs::create_dir_all(runs_dir).map_err(output::io_at(runs_dir))?;
    let index = journal::scan(&[runs_dir.to_path_buf()])?;
    let todo: Vec<u64> = indices
        .iter()
        .copied()
        .filter(|i| !index.runs.contains_key(i))
        .collect();
    let total = indices.len() as u64;
    let done = AtomicU64::new(total - todo.len() as u64);
    progress(done.load(Ordering::Relaxed), total);
    // One journal per worker thread, opened when the worker finishes its first run.
    let journals: Vec<Mutex<Option<Journal>>> = (0..rayon::current_num_threads() + 1)
        .map(|_| Mutex::new(None))
        .collect();
    let result = todo.par_iter().try_for_each(|&i| {
        if stop.load(Ordering::Relaxed) {
            return Err(None);
        }
        let spec = plan.spec(i);
        let Some(part) = simulate(plan, &spec, stop) else {
            return Err(None);
        };
        let worker =
            rayon::current_thread_index().map_or(journals.len() - 1, |w| w.min(journals.len() - 1));
        let mut slot = journals[worker].lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Journal::create(runs_dir, worker).map_err(Some)?);
        }
        slot.as_mut()
            .expect("opened")
            .append(i, &part)
            .map_err(Some)?;
        drop(slot);
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
