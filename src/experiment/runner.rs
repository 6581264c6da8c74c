//! Executes a plan's runs in parallel and records each run as soon as it finishes, so memory stays
//! bounded however many runs the plan holds, finished runs survive any interruption, and a
//! resumed execution skips them.
//!
//! Worker threads (rayon's pool) take runs in run order from a shared counter; the worker that
//! finishes a run records it, under a lock, in this process's journal
//! ([`crate::output::journal`]). For a whole experiment (not a shard) the writer also puts each
//! run's time-series rows straight into the ordered time-series file
//! ([`crate::output::series`]) when every run before it is there; a run finishing ahead of an
//! earlier one waits in memory (up to [`PENDING_RUNS_PER_WORKER`] runs per worker and
//! [`PENDING_BYTES`] of rows; beyond that it is journaled whole and copied in when its turn
//! comes). Because runs are handed out in order, a run rarely waits for long, unless there are
//! more worker threads than cores (a descheduled worker then holds up the others' runs, which
//! end up journaled whole: correct, only slower). The ordered file becomes `timeseries.csv`; the other tables are assembled afterwards,
//! in run order ([`crate::output::tables`]). Either way the output does not depend on which thread
//! finished first.

use super::{Plan, RunSpec};
use crate::output::journal::{self, Journal, Location};
use crate::output::series::{Complete, Series};
use crate::output::tables::{self, Part};
use crate::output::{self, OutputError};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Time-series rows of runs waiting for an earlier run, at most; more are journaled whole.
pub const PENDING_BYTES: usize = 64 << 20;

/// Runs waiting for an earlier run, at most, per worker. A waiting run is not recorded yet (a
/// SIGKILL loses it), so a long run holding up many short ones must not keep them all waiting.
pub const PENDING_RUNS_PER_WORKER: usize = 2;

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

/// Runs every index in `indices` that is not finished in `runs_dir` yet, recording each
/// finished run there. With `ordered` (`indices` must then be every run of the plan) the time
/// series also goes into the ordered file, which is returned once it holds every run.
///
/// `progress(done, total)` is called after each run; `stop` is checked before each run starts
/// and every few hundred steps within one: a run it stops is abandoned and not recorded (a
/// resume runs it again), so a long run does not hold up Ctrl-C, and no partial run is ever
/// recorded. Finished runs still waiting for an earlier one are journaled before returning.
pub fn execute(
    plan: &Plan,
    runs_dir: &Path,
    indices: &[u64],
    ordered: bool,
    stop: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Option<Complete>, RunError> {
    std::fs::create_dir_all(runs_dir).map_err(output::io_at(runs_dir))?;
    let index = journal::scan(&[runs_dir.to_path_buf()])?;
    let header = tables::timeseries_header(plan);
    let series = ordered.then_some(header.as_slice());
    let limit = Limit {
        bytes: PENDING_BYTES,
        runs: PENDING_RUNS_PER_WORKER * rayon::current_num_threads().max(1),
    };
    let writer = Writer::open(runs_dir, series, plan.runs(), &index, limit)?;
    let todo: Vec<u64> = indices
        .iter()
        .copied()
        .filter(|i| !index.runs.contains_key(i) && !writer.streamed(*i))
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

/// How much may wait for an earlier run.
#[derive(Debug, Clone, Copy)]
struct Limit {
    bytes: usize,
    runs: usize,
}

/// What records finished runs (behind a lock shared by the workers).
struct Writer<'a> {
    runs_dir: &'a Path,
    journal: Option<Journal>,
    /// The ordered time-series file, for a whole experiment.
    series: Option<Series>,
    runs: u64,
    /// Finished runs waiting for an earlier run, and the size of their rows.
    pending: BTreeMap<u64, Part>,
    pending_bytes: usize,
    pending_limit: Limit,
    /// Runs journaled whole but not yet in the ordered file (by an earlier process, or set
    /// aside here).
    inline: BTreeMap<u64, Location>,
}

impl<'a> Writer<'a> {
    /// A writer of `runs` runs into `runs_dir`, with the ordered file if given its `header`.
    fn open(
        runs_dir: &'a Path,
        header: Option<&[u8]>,
        runs: u64,
        index: &journal::Index,
        pending_limit: Limit,
    ) -> Result<Writer<'a>, OutputError> {
        let series = match header {
            Some(h) => Some(Series::open(runs_dir, h, index)?),
            None => None,
        };
        let next = series.as_ref().map_or(0, Series::next);
        let mut writer = Writer {
            runs_dir,
            journal: None,
            series,
            runs,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            pending_limit,
            inline: index
                .runs
                .range(next..)
                .map(|(&i, l)| (i, l.clone()))
                .collect(),
        };
        // Runs journaled whole by an earlier process may follow the ordered file's end.
        writer.advance()?;
        Ok(writer)
    }

    /// Whether run `i` is in the ordered file.
    fn streamed(&self, i: u64) -> bool {
        self.series.as_ref().is_some_and(|s| i < s.next())
    }

    fn journal(&mut self) -> Result<&mut Journal, OutputError> {
        if self.journal.is_none() {
            self.journal = Some(Journal::create(self.runs_dir, 0)?);
        }
        Ok(self.journal.as_mut().expect("created"))
    }

    /// Records finished run `i`.
    fn receive(&mut self, i: u64, part: Part) -> Result<(), OutputError> {
        let Some(next) = self.series.as_ref().map(Series::next) else {
            self.journal()?.append(i, &part)?;
            return Ok(());
        };
        if i == next {
            self.stream(i, &part)?;
            self.advance()
        } else if self.pending.len() < self.pending_limit.runs
            && self.pending_bytes + part.timeseries.len() <= self.pending_limit.bytes
        {
            self.pending_bytes += part.timeseries.len();
            self.pending.insert(i, part);
            Ok(())
        } else {
            let at = self.journal()?.append(i, &part)?;
            self.inline.insert(i, at);
            Ok(())
        }
    }

    /// Puts run `i`'s rows in the ordered file, then journals the rest of the run.
    fn stream(&mut self, i: u64, part: &Part) -> Result<(), OutputError> {
        let series = self.series.as_mut().expect("ordered");
        let at = series.push(&part.timeseries)?;
        self.journal()?.append_ordered(i, part, at)?;
        Ok(())
    }

    /// Streams the runs that can follow the ordered file's end.
    fn advance(&mut self) -> Result<(), OutputError> {
        while let Some(next) = self.series.as_ref().map(Series::next) {
            if next >= self.runs {
                break;
            }
            if let Some(part) = self.pending.remove(&next) {
                self.pending_bytes -= part.timeseries.len();
                self.stream(next, &part)?;
            } else if let Some(loc) = self.inline.remove(&next) {
                let bytes = journal::read_record(&loc)?;
                let part = tables::decode_part(&loc.file, next, &bytes)?.to_owned();
                self.stream(next, &part)?;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Journals the runs still waiting (after an interruption), so none is lost.
    fn set_aside_pending(&mut self) -> Result<(), OutputError> {
        for (i, part) in std::mem::take(&mut self.pending) {
            let at = self.journal()?.append(i, &part)?;
            self.inline.insert(i, at);
        }
        self.pending_bytes = 0;
        Ok(())
    }

    /// The complete ordered file, for a whole experiment.
    fn finish(self) -> Result<Option<Complete>, OutputError> {
        let runs = self.runs;
        let Some(series) = self.series else {
            return Ok(None);
        };
        if series.next() != runs {
            return Err(OutputError::Corrupt {
                path: self.runs_dir.join(output::series::FILE),
                detail: format!(
                    "holds {} of {runs} runs after every run finished",
                    series.next()
                ),
            });
        }
        series.finish().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(i: u64) -> Part {
        Part {
            timeseries: format!("m,{i},0\nm,{i},1\n").into_bytes(),
            summary: format!("m,{i},s\n").into_bytes(),
            shocks: format!("m,{i},x\n").into_bytes(),
        }
    }

    fn open<'a>(runs: &'a Path, bytes: usize, count: usize) -> Writer<'a> {
        let index = journal::scan(&[runs.to_path_buf()]).unwrap();
        let limit = Limit { bytes, runs: count };
        Writer::open(runs, Some(b"h\n"), 8, &index, limit).unwrap()
    }

    /// Runs finishing out of order wait in memory, or past the limit are journaled whole and
    /// copied in at their turn; an interruption journals the waiting ones; a new process picks
    /// up both; the file ends as the runs in order, and every run has a record saying where.
    #[test]
    fn out_of_order_runs_reach_the_file_in_order_across_an_interruption() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        std::fs::create_dir_all(&runs).unwrap();
        let row = part(0).timeseries.len();
        let mut w = open(&runs, 2 * row, 3);
        for i in [1, 2, 3, 0, 6, 7] {
            w.receive(i, part(i)).unwrap();
        }
        // 0 released 1 and 2 (waiting) and 3 (journaled whole, over the bytes limit); 6 and 7
        // wait.
        assert_eq!(w.series.as_ref().unwrap().next(), 4);
        assert_eq!(w.pending.len(), 2);
        w.set_aside_pending().unwrap();
        drop(w);
        let index = journal::scan(std::slice::from_ref(&runs)).unwrap();
        assert_eq!(
            index.runs.keys().copied().collect::<Vec<_>>(),
            vec![3, 6, 7]
        );
        let mut w = open(&runs, 1 << 20, 0);
        assert_eq!(w.series.as_ref().unwrap().next(), 4);
        assert!(w.streamed(3) && !w.streamed(4));
        w.receive(5, part(5)).unwrap();
        w.receive(4, part(4)).unwrap();
        let complete = w.finish().unwrap().expect("every run is in");
        let mut want = b"h\n".to_vec();
        for i in 0..8 {
            want.extend(part(i).timeseries);
        }
        assert_eq!(std::fs::read(&complete.path).unwrap(), want);
        let index = journal::scan(&[runs]).unwrap();
        crate::output::series::check(&complete, &index, 8, 2).unwrap();
        for i in 0..8 {
            let bytes = journal::read_record(&index.ordered[&i]).unwrap();
            let p = tables::decode_part(Path::new("j"), i, &bytes).unwrap();
            assert_eq!(p.summary, part(i).summary.as_slice());
            assert_eq!(p.shocks, part(i).shocks.as_slice());
        }
    }

    #[test]
    fn a_writer_that_has_not_every_run_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        std::fs::create_dir_all(&runs).unwrap();
        let mut w = open(&runs, 1 << 20, 8);
        w.receive(0, part(0)).unwrap();
        assert!(w.finish().is_err());
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    /// Past the count limit a run is journaled whole at once, however small.
    #[test]
    fn at_most_the_limit_of_runs_wait() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        std::fs::create_dir_all(&runs).unwrap();
        let index = journal::scan(std::slice::from_ref(&runs)).unwrap();
        let limit = Limit {
            bytes: 1 << 20,
            runs: 2,
        };
        let mut w = Writer::open(&runs, Some(b"h\n"), 6, &index, limit).unwrap();
        let part = |i: u64| Part {
            timeseries: format!("{i}\n").into_bytes(),
            summary: format!("{i}\n").into_bytes(),
            shocks: Vec::new(),
        };
        for i in 1..6 {
            w.receive(i, part(i)).unwrap();
        }
        assert_eq!(w.pending.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(w.inline.keys().copied().collect::<Vec<_>>(), vec![3, 4, 5]);
        w.receive(0, part(0)).unwrap();
        let complete = w.finish().unwrap().unwrap();
        assert_eq!(
            std::fs::read(complete.path).unwrap(),
            b"h\n0\n1\n2\n3\n4\n5\n"
        );
    }
}
