//! Where finished runs go while an experiment runs: this process's journal
//! ([`super::journal`]) and, for a whole experiment (not a shard), the ordered time-series file
//! ([`super::series`]), into which each run's rows go when every run before it is there. A run
//! finishing ahead of an earlier one waits in memory (up to [`PENDING_RUNS_PER_WORKER`] runs per
//! worker and [`PENDING_BYTES`] of rows); beyond that it is journaled whole and copied in when
//! its turn comes. Interrupted or failing, the store journals the runs still waiting.

use super::journal::{self, Journal, Location};
use super::part::{self, Part};
use super::series::{Complete, Series};
use super::{self as output, OutputError};
use std::collections::BTreeMap;
use std::path::Path;

/// Time-series rows of runs waiting for an earlier run, at most; more are journaled whole.
pub(crate) const PENDING_BYTES: usize = 64 << 20;

/// Runs waiting for an earlier run, at most, per worker. A waiting run is not recorded yet (a
/// SIGKILL loses it), so a long run holding up many short ones must not keep them all waiting.
pub(crate) const PENDING_RUNS_PER_WORKER: usize = 2;

/// How much may wait for an earlier run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    pub(crate) bytes: usize,
    pub(crate) runs: usize,
}

/// What records finished runs (behind a lock shared by the workers).
pub(crate) struct Store<'a> {
    runs_dir: &'a Path,
    /// The experiment's identity, which its journals carry.
    identity: &'a str,
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
    /// Runs journaled whole when the store was opened.
    journaled: std::collections::BTreeSet<u64>,
}

impl<'a> Store<'a> {
    /// A writer of `runs` runs into `runs_dir`, with the ordered file if given its `header`.
    pub(crate) fn open(
        runs_dir: &'a Path,
        identity: &'a str,
        header: Option<&[u8]>,
        runs: u64,
        pending_limit: Limit,
    ) -> Result<Store<'a>, OutputError> {
        let index = journal::scan(&[runs_dir.to_path_buf()], identity)?;
        let series = match header {
            Some(h) => Some(Series::open(runs_dir, h, &index)?),
            None => None,
        };
        let next = series.as_ref().map_or(0, Series::next);
        let mut writer = Store {
            runs_dir,
            identity,
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
            journaled: index.runs.keys().copied().collect(),
        };
        // Runs journaled whole by an earlier process may follow the ordered file's end.
        writer.advance()?;
        Ok(writer)
    }

    /// Whether run `i` was finished before the store was opened (and is kept).
    pub(crate) fn has(&self, i: u64) -> bool {
        self.journaled.contains(&i) || self.streamed(i)
    }

    /// Whether run `i` is in the ordered file.
    pub(crate) fn streamed(&self, i: u64) -> bool {
        self.series.as_ref().is_some_and(|s| i < s.next())
    }

    fn journal(&mut self) -> Result<&mut Journal, OutputError> {
        if self.journal.is_none() {
            self.journal = Some(Journal::create(self.runs_dir, 0, self.identity)?);
        }
        Ok(self.journal.as_mut().expect("created"))
    }

    /// Records finished run `i`.
    pub(crate) fn receive(&mut self, i: u64, part: Part) -> Result<(), OutputError> {
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
                let part = part::decode(&loc.file, next, &bytes)?;
                self.stream(next, &part)?;
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Journals the runs still waiting (after an interruption), so none is lost.
    pub(crate) fn set_aside_pending(&mut self) -> Result<(), OutputError> {
        for (i, part) in std::mem::take(&mut self.pending) {
            let at = self.journal()?.append(i, &part)?;
            self.inline.insert(i, at);
        }
        self.pending_bytes = 0;
        Ok(())
    }

    /// The complete ordered file, for a whole experiment.
    pub(crate) fn finish(self) -> Result<Option<Complete>, OutputError> {
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

/// The summaries of every run journaled in `runs_dir` (by run number), read once: what a
/// resumed precision run decides on for the runs an earlier process finished.
pub(crate) fn journaled_summaries(
    runs_dir: &Path,
    identity: &str,
) -> Result<BTreeMap<u64, crate::results::Summary>, OutputError> {
    let index = journal::scan(&[runs_dir.to_path_buf()], identity)?;
    let mut reader = journal::Reader::default();
    let mut out = BTreeMap::new();
    for (&i, loc) in index.runs.iter().chain(&index.ordered) {
        if out.contains_key(&i) {
            continue;
        }
        let part = part::decode(&loc.file, i, &reader.read_at(loc)?)?;
        out.insert(i, part.summary);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::output::part::sample as part;

    fn open<'a>(runs: &'a Path, bytes: usize, count: usize) -> Store<'a> {
        let limit = Limit { bytes, runs: count };
        Store::open(runs, "id", Some(b"h\n"), 8, limit).unwrap()
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
        let index = journal::scan(std::slice::from_ref(&runs), "id").unwrap();
        assert_eq!(
            index.runs.keys().copied().collect::<Vec<_>>(),
            vec![3, 6, 7]
        );
        let mut w = open(&runs, 1 << 20, 0);
        assert_eq!(w.series.as_ref().unwrap().next(), 4);
        assert!(w.streamed(3) && !w.streamed(4));
        assert!(w.has(3) && w.has(0) && !w.has(4));
        w.receive(5, part(5)).unwrap();
        w.receive(4, part(4)).unwrap();
        let complete = w.finish().unwrap().expect("every run is in");
        let mut want = b"h\n".to_vec();
        for i in 0..8 {
            want.extend(part(i).timeseries);
        }
        assert_eq!(std::fs::read(&complete.path).unwrap(), want);
        let index = journal::scan(&[runs], "id").unwrap();
        crate::output::series::check(&complete, &index, 8, 2).unwrap();
        for i in 0..8 {
            let bytes = journal::read_record(&index.ordered[&i]).unwrap();
            let p = part::decode(Path::new("j"), i, &bytes).unwrap();
            assert_eq!(p.summary, part(i).summary);
            assert_eq!(p.prefix, part(i).prefix);
            assert!(p.timeseries.is_empty(), "the rows are in the ordered file");
        }
    }

    #[test]
    fn a_writer_that_has_not_every_run_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        std::fs::create_dir_all(&runs).unwrap();
        let mut w = open(&runs, 1 << 20, 8);
        w.receive(0, part(0)).unwrap();
        let e = w.finish().unwrap_err().to_string();
        assert!(e.contains("holds 1 of 8 runs"), "{e}");
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
        let limit = Limit {
            bytes: 1 << 20,
            runs: 2,
        };
        let mut w = Store::open(&runs, "id", Some(b"h\n"), 6, limit).unwrap();
        let part = |i: u64| Part {
            timeseries: format!("{i}\n").into_bytes(),
            ..Part::default()
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
