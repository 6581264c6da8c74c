//! Executes a plan's runs in parallel and records each run as soon as it finishes, so memory stays
//! bounded however many runs the plan holds, finished runs survive any interruption, and a
//! resumed execution skips them.
//!
//! Worker threads (rayon's pool) take runs in run order from a shared counter; the worker that
//! finishes a run records it, under a lock, in this process's journal (`output::journal`). For a
//! whole experiment (not a shard) the writer also puts each run's time-series rows straight into
//! the ordered time-series file (`output::series`) when every run before it is there; a run
//! finishing ahead of an earlier one waits in memory (up to `PENDING_RUNS_PER_WORKER` runs per
//! worker and `PENDING_BYTES` of rows, both in `output::store`; beyond that it is journaled whole
//! and copied in when its turn comes). Because runs are handed out in order, a run rarely waits
//! for long, unless there are more worker threads than cores (a descheduled worker then holds up
//! the others' runs, which end up journaled whole: correct, only slower). The ordered file
//! becomes `timeseries.csv`; the other tables are assembled afterwards, in run order
//! (`output::tables`). Either way the output does not depend on which thread finished first.

use super::{Plan, RunSpec};
use crate::output::part::Part;
use crate::output::series::Complete;
use crate::output::store::{Limit, PENDING_BYTES, PENDING_RUNS_PER_WORKER, Store};
use crate::output::{self, OutputError};
use crate::results::Summary;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Why an execution stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Recording a run failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The stop flag was set (Ctrl-C, SIGTERM): the finished runs are recorded, the others not.
    #[error("interrupted after {done} of {total} runs")]
    Interrupted {
        /// Runs finished and recorded, counting those finished before.
        done: u64,
        /// Runs asked for.
        total: u64,
    },
}

/// Simulates run `spec` of `plan` and formats its rows; `None` when `stop` was set before the
/// run finished.
pub(crate) fn simulate(plan: &Plan, spec: &RunSpec, stop: &AtomicBool) -> Option<Part> {
    let result = plan.points[spec.point]
        .scenario
        .simulate(spec.model, spec.world_seed, stop)?;
    Some(Part::format(&plan.id_cells(spec), result))
}

/// Runs every index in `indices` that is not finished in `runs_dir` yet, recording each
/// finished run there in journals of the experiment `identity` (the manifest's). With `ordered`
/// (`indices` must then be every run of the plan) the time series also goes into the ordered
/// file, which is returned once it holds every run.
///
/// `progress(done, total)` is called after each run; `stop` is checked before each run starts
/// and every few hundred steps within one: a run it stops is abandoned and not recorded (a
/// resume runs it again), so a long run does not hold up Ctrl-C, and no partial run is ever
/// recorded. Finished runs still waiting for an earlier one are journaled before returning.
pub fn execute(
    plan: &Plan,
    identity: &str,
    runs_dir: &Path,
    indices: &[u64],
    ordered: bool,
    stop: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Option<Complete>, RunError> {
    execute_with(
        plan,
        identity,
        runs_dir,
        indices,
        ordered,
        stop,
        progress,
        &|_, _| {},
    )
}

/// Like [`execute`] without the ordered file, calling `on_run(index, summary)` for each run
/// this process finishes (before it is recorded): how replications by precision learn the
/// values they decide on without reading the journals again.
pub(crate) fn execute_observed(
    plan: &Plan,
    identity: &str,
    runs_dir: &Path,
    indices: &[u64],
    stop: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
    on_run: &(dyn Fn(u64, &Summary) + Sync),
) -> Result<(), RunError> {
    execute_with(
        plan, identity, runs_dir, indices, false, stop, progress, on_run,
    )
    .map(|_| ())
}

#[allow(clippy::too_many_arguments)]
fn execute_with(
    plan: &Plan,
    identity: &str,
    runs_dir: &Path,
    indices: &[u64],
    ordered: bool,
    stop: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
    on_run: &(dyn Fn(u64, &Summary) + Sync),
) -> Result<Option<Complete>, RunError> {
    std::fs::create_dir_all(runs_dir).map_err(output::io_at(runs_dir))?;
    let header = plan.layout().timeseries_header();
    let series = ordered.then_some(header.as_slice());
    let limit = Limit {
        bytes: PENDING_BYTES,
        runs: PENDING_RUNS_PER_WORKER * rayon::current_num_threads().max(1),
    };
    let writer = Store::open(runs_dir, identity, series, plan.runs(), limit)?;
    let todo: Vec<u64> = indices
        .iter()
        .copied()
        .filter(|&i| !writer.has(i))
        .collect();
    let total = indices.len() as u64;
    let done = AtomicU64::new(total - todo.len() as u64);
    progress(done.load(Ordering::Relaxed), total);
    let cursor = AtomicUsize::new(0);
    // The worker that finishes a run records it: its rows are still in that core's cache, and
    // the lock is held for a write of tens of microseconds once a run of about a millisecond.
    let writer = Mutex::new(writer);
    let failure: Mutex<Option<OutputError>> = Mutex::new(None);
    let halt = AtomicBool::new(false);
    rayon::broadcast(|_| {
        while !stop.load(Ordering::Relaxed) && !halt.load(Ordering::Relaxed) {
            let Some(&i) = todo.get(cursor.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let Some(part) = simulate(plan, &plan.spec(i), stop) else {
                break;
            };
            on_run(i, &part.summary);
            let recorded = writer
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .receive(i, part);
            if let Err(e) = recorded {
                halt.store(true, Ordering::Relaxed);
                failure
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(e);
                break;
            }
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
        }
    });
    let mut writer = writer.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
        // Keep what can still be kept; the first error is the one to report.
        let _ = writer.set_aside_pending();
        return Err(e.into());
    }
    // Runs finished after an earlier one that was stopped wait in memory: journal them.
    writer.set_aside_pending()?;
    let done = done.load(Ordering::Relaxed);
    if done < total {
        return Err(RunError::Interrupted { done, total });
    }
    Ok(writer.finish()?)
}
