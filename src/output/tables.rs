//! The tidy tables: their columns, and the assembly of every run's part, in run order, into
//! `timeseries.csv`, `summary.csv`, `shocks.csv` and `stats.csv`.
//!
//! Every table starts with the columns that identify a run: for sweeps `point` and one column
//! per swept parameter (named by its dotted path), then `model`, `replicate` and `seed` (the run's
//! world seed). Numbers are written in the shortest form that reads back exactly; NA is an empty
//! cell, which R's `read.csv` and pandas' `read_csv` read as missing without options.
//!
//! This module knows an experiment only through its [`Layout`] (columns, models, points,
//! measured events), which the experiment layer builds; the statistics come from
//! [`crate::results`], computed on the runs' typed values.

use super::part::{self, Part};
use super::{AtomicFile, NUMBER_LEN, OutputError, io_at, number};
use crate::results::compare::{self, Stat};
use crate::results::{self, SHOCK_COLUMNS, Shock, Summary};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the tables of an experiment hold: the shape of its runs, without the experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Whether the experiment is a sweep (its tables start with `point` and the axes).
    pub(crate) sweep: bool,
    /// Dotted paths of the swept parameters.
    pub(crate) axes: Vec<String>,
    /// Per point, the values of the swept parameters as cells.
    pub(crate) points: Vec<Vec<String>>,
    /// Model names, in run order.
    pub(crate) models: Vec<String>,
    pub(crate) replications: u32,
    /// The replicates per point the journals' run numbers count with: `replications`, except
    /// for replications by precision, whose runs are numbered as if every point ran the rule's
    /// most (`crate::experiment::precision`).
    pub(crate) journal_replications: u32,
    /// The per-step metrics, in column order.
    pub(crate) metrics: Vec<String>,
    /// What each metric is for (`outcome`, `cost`, `process`, `check`), in the same order.
    pub(crate) kinds: Vec<&'static str>,
    /// Per point, the names of the measured events, in scenario order.
    pub(crate) measured: Vec<Vec<String>>,
}

impl Layout {
    /// Total number of runs.
    pub(crate) fn runs(&self) -> u64 {
        self.points.len() as u64 * self.replications as u64 * self.models.len() as u64
    }

    /// Runs per point.
    fn per_point(&self) -> u64 {
        self.replications as u64 * self.models.len() as u64
    }

    /// The journal's number of table row `i` (the same number unless the journals count more
    /// replicates per point than the tables hold).
    fn journal_index(&self, i: u64) -> u64 {
        let m = self.models.len() as u64;
        let r = self.replications as u64;
        let (point, rest) = (i / (m * r), i % (m * r));
        point * self.journal_replications as u64 * m + rest
    }

    /// Header cells identifying a point (sweeps only).
    fn point_header(&self) -> Vec<String> {
        let mut h = Vec::new();
        if self.sweep {
            h.push("point".to_string());
            h.extend(self.axes.iter().cloned());
        }
        h
    }

    /// Cells identifying point `p` (sweeps only).
    pub(crate) fn point_cells(&self, p: usize) -> Vec<String> {
        let mut c = Vec::new();
        if self.sweep {
            c.push(p.to_string());
            c.extend(self.points[p].iter().cloned());
        }
        c
    }

    /// Header cells identifying a run.
    pub(crate) fn id_header(&self) -> Vec<String> {
        let mut h = self.point_header();
        h.extend(["model", "replicate", "seed"].map(String::from));
        h
    }

    /// The header of `timeseries.csv`.
    pub(crate) fn timeseries_header(&self) -> Vec<u8> {
        let mut h = self.id_header();
        h.push("step".into());
        h.extend(self.metrics.iter().cloned());
        csv_line(&h)
    }

    /// The columns of `summary.csv` after the identifying ones.
    pub(crate) fn summary_columns(&self) -> Vec<String> {
        results::summary_columns(self.metrics.iter().map(String::as_str))
    }

    /// The header of `summary.csv`.
    pub(crate) fn summary_header(&self) -> Vec<u8> {
        let mut h = self.id_header();
        h.extend(self.summary_columns());
        csv_line(&h)
    }

    /// The header of `shocks.csv`.
    pub(crate) fn shocks_header(&self) -> Vec<u8> {
        let mut h = self.id_header();
        h.extend(SHOCK_COLUMNS.iter().map(|c| c.to_string()));
        csv_line(&h)
    }

    /// The header of `stats.csv`.
    pub(crate) fn stats_header(&self) -> Vec<u8> {
        let mut h = self.point_header();
        h.extend(STATS_COLUMNS.map(String::from));
        csv_line(&h)
    }
}

/// A TOML value as a CSV cell.
pub fn cell(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => number(*x),
        toml::Value::String(s) => s.clone(),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::with_capacity(256));
    // Writing to memory cannot fail.
    w.write_record(cells).expect("in-memory CSV");
    w.into_inner().expect("in-memory CSV")
}

/// The columns of `stats.csv` after the identifying ones.
pub(crate) const STATS_COLUMNS: [&str; 13] = [
    "metric",
    "kind",
    "model",
    "versus",
    "n",
    "mean",
    "sd",
    "se",
    "ci_low",
    "ci_high",
    "effect_size",
    "p_value",
    "p_holm",
];

/// The identifying cells of a run as the start of a CSV line (quoted where needed, with the
/// separator after the last cell), to be followed by the row's own cells.
pub(crate) fn row_prefix(id: &[String]) -> Vec<u8> {
    let mut line = csv_line(id);
    line.pop();
    line.push(b',');
    line
}

/// Appends a time-series row (`prefix` from `row_prefix`) to `out`.
pub fn push_timeseries_row(out: &mut Vec<u8>, prefix: &[u8], step: u32, values: &[f64]) {
    RowWriter::new(prefix).push(out, step, values);
}

/// Writes the consecutive time-series rows of one run (as [`push_timeseries_row`] does, the
/// same bytes, faster). Each row is built in a scratch line that starts with the run's prefix
/// and appended in one copy; the text of each value is kept, so a value equal (bit for bit) to
/// the previous row's, as many metrics are for steps at a time, is copied instead of formatted.
#[derive(Debug)]
pub struct RowWriter {
    /// Per value: its bits, the length of its text, and the text.
    cells: Vec<(u64, usize, [u8; NUMBER_LEN])>,
    /// The prefix, then room for the step (at most 10 digits), each value after its comma and
    /// the newline: every value is copied whole (`NUMBER_LEN` bytes), the line then moving on
    /// by its length.
    line: Vec<u8>,
    prefix: usize,
}

impl RowWriter {
    /// A writer of the rows of the run whose identifying cells are `prefix` (from
    /// `row_prefix`).
    pub fn new(prefix: &[u8]) -> RowWriter {
        RowWriter {
            cells: Vec::new(),
            line: prefix.to_vec(),
            prefix: prefix.len(),
        }
    }

    /// Appends the row of `step` with `values` to `out`.
    pub fn push(&mut self, out: &mut Vec<u8>, step: u32, values: &[f64]) {
        if self.cells.len() != values.len() {
            self.cells = values
                .iter()
                .map(|&v| {
                    let mut text = [0; NUMBER_LEN];
                    let len = super::write_number(&mut text, v);
                    (v.to_bits(), len, text)
                })
                .collect();
            self.line
                .resize(self.prefix + 16 + values.len() * (NUMBER_LEN + 1), 0);
        }
        let line = &mut self.line[self.prefix..];
        let mut digits = itoa::Buffer::new();
        let step_text = digits.format(step).as_bytes();
        line[..step_text.len()].copy_from_slice(step_text);
        let mut pos = step_text.len();
        for (&v, cell) in values.iter().zip(self.cells.iter_mut()) {
            let bits = v.to_bits();
            if cell.0 != bits {
                cell.0 = bits;
                cell.1 = super::write_number(&mut cell.2, v);
            }
            line[pos] = b',';
            line[pos + 1..pos + 1 + NUMBER_LEN].copy_from_slice(&cell.2);
            pos += 1 + cell.1;
        }
        line[pos] = b'\n';
        out.extend_from_slice(&self.line[..self.prefix + pos + 1]);
    }
}

/// A `summary.csv` row: the run's identifying cells, then each metric's final value and mean.
fn summary_row(prefix: &[u8], summary: &Summary) -> Vec<u8> {
    let mut line = prefix.to_vec();
    for (i, x) in summary.interleaved().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        super::push_number(&mut line, x);
    }
    line.push(b'\n');
    line
}

/// The `shocks.csv` rows of a run.
fn shock_rows(prefix: &[u8], shocks: &[Shock]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, s) in shocks.iter().enumerate() {
        let a = &s.adaptability;
        out.extend_from_slice(prefix);
        out.extend(csv_line(&[
            i.to_string(),
            s.event.clone(),
            s.kind.clone(),
            s.step.to_string(),
            number(s.capacity_lost),
            number(a.before),
            number(a.after),
            number(a.drop),
            number(a.trough),
            number(a.max_drop),
            a.recovery_steps.to_string(),
            a.censored.to_string(),
            number(a.window_mean),
            a.window_steps.to_string(),
            number(a.effect),
            number(a.effect_min),
        ]));
    }
    out
}

/// The `stats.csv` rows of point `point`.
pub(crate) fn stats_rows(layout: &Layout, point: usize, stats: &[Stat]) -> Vec<u8> {
    let prefix = layout.point_cells(point);
    let mut out = Vec::new();
    for s in stats {
        let d = &s.describe;
        let mut c = prefix.clone();
        c.extend([
            s.metric.clone(),
            s.kind.to_string(),
            layout.models[s.model].clone(),
            s.versus
                .map_or_else(String::new, |v| layout.models[v].clone()),
            d.n.to_string(),
        ]);
        c.extend(
            [
                d.mean,
                d.sd,
                d.se,
                d.ci_low,
                d.ci_high,
                s.effect_size,
                s.p_value,
                s.p_holm,
            ]
            .map(number),
        );
        out.extend(csv_line(&c));
    }
    out
}

/// Checks, before anything is written, that the finished folders `dirs` (the shards of a
/// merge) hold every run of `layout` in journals of the experiment `identity`, none of them
/// damaged: a journal of another experiment or a damaged one is named.
pub fn check(layout: &Layout, identity: &str, dirs: &[PathBuf]) -> Result<(), OutputError> {
    let index = super::journal::scan(dirs, identity)?;
    index.undamaged()?;
    let first = dirs.first().cloned().unwrap_or_default();
    check_complete(layout, &index.runs, dirs, &first)
}

/// Fails unless `records` hold every run of `layout` (found in `dirs`, for `out`).
fn check_complete(
    layout: &Layout,
    records: &BTreeMap<u64, super::journal::Location>,
    dirs: &[PathBuf],
    out: &Path,
) -> Result<(), OutputError> {
    match (0..layout.runs()).find(|&i| !records.contains_key(&layout.journal_index(i))) {
        None => Ok(()),
        Some(i) => Err(OutputError::Corrupt {
            path: out.to_path_buf(),
            detail: format!(
                "run {i} has no result in {}: the experiment is not complete",
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// Assembles the final tables in `out` from the runs journaled in `dirs` (one folder for a run,
/// the shard folders for a merge). With `series`, the complete ordered time-series file of the
/// one folder becomes `timeseries.csv`; without, the time series is copied from the journals.
/// Fails, writing nothing, if a run is missing or damaged. Returns the checksum of each table
/// written (`crc32:` and 8 hex digits), by file name.
pub fn assemble(
    layout: &Layout,
    identity: &str,
    dirs: &[PathBuf],
    out: &Path,
    series: Option<&super::series::Complete>,
) -> Result<BTreeMap<String, String>, OutputError> {
    let runs = layout.runs();
    let index = super::journal::scan(dirs, identity)?;
    // A run's record: with the ordered file, the one saying where its rows are in it. Every
    // run must be there before anything is written.
    let records = [&index.runs, &index.ordered][usize::from(series.is_some())];
    check_complete(layout, records, dirs, out)?;
    if let Some(complete) = series {
        let header = layout.timeseries_header().len() as u64;
        super::series::check(complete, &index, runs, header)?;
    }
    let mut reader = super::journal::Reader::default();
    let mut ts = match series {
        Some(_) => None,
        None => Some(AtomicFile::create_checksummed(
            &out.join(super::TIMESERIES),
        )?),
    };
    let mut sum = AtomicFile::create_checksummed(&out.join(super::SUMMARY))?;
    let mut sh = AtomicFile::create_checksummed(&out.join(super::SHOCKS))?;
    let mut st = AtomicFile::create_checksummed(&out.join(super::STATS))?;
    // A write error names the table being written.
    let w = |f: &mut AtomicFile, b: &[u8]| {
        f.write_all(b).map_err(|e| OutputError::Io {
            path: f.dest().to_path_buf(),
            source: e,
        })
    };
    if let Some(ts) = ts.as_mut() {
        w(ts, &layout.timeseries_header())?;
    }
    w(&mut sum, &layout.summary_header())?;
    w(&mut sh, &layout.shocks_header())?;
    w(&mut st, &layout.stats_header())?;
    let columns = layout.summary_columns();
    let kinds: Vec<&'static str> = layout.kinds.iter().flat_map(|&k| [k, k]).collect();
    let per_point = layout.per_point();
    let mut point_runs: Vec<Part> = Vec::with_capacity(per_point as usize);
    for i in 0..runs {
        let journaled = layout.journal_index(i);
        let loc = &records[&journaled];
        let bytes = reader.read_at(loc)?;
        let mut part = part::decode(&loc.file, journaled, &bytes)?;
        if let Some(ts) = ts.as_mut() {
            w(ts, &part.timeseries)?;
        }
        // The time series is written; only the values are needed from here on.
        part.timeseries = Vec::new();
        w(&mut sum, &summary_row(&part.prefix, &part.summary))?;
        w(&mut sh, &shock_rows(&part.prefix, &part.shocks))?;
        point_runs.push(part);
        if (i + 1) % per_point == 0 {
            let p = (i / per_point) as usize;
            let summaries: Vec<&Summary> = point_runs.iter().map(|r| &r.summary).collect();
            let shocks: Vec<&[Shock]> = point_runs.iter().map(|r| r.shocks.as_slice()).collect();
            let stats = compare::point(
                &columns,
                &kinds,
                &compare::Point {
                    models: layout.models.len(),
                    replications: layout.replications as usize,
                    summaries: &summaries,
                    shocks: &shocks,
                    measured: &layout.measured[p],
                },
            );
            w(&mut st, &stats_rows(layout, p, &stats))?;
            point_runs.clear();
        }
    }
    let mut hashes = BTreeMap::new();
    for (name, file) in [
        (super::SUMMARY, sum),
        (super::SHOCKS, sh),
        (super::STATS, st),
    ] {
        hashes.insert(name.to_string(), file.commit_checksummed()?);
    }
    // The time series last: once the ordered file is moved, a resume would have to redo it.
    match (ts, series) {
        (Some(ts), _) => {
            hashes.insert(super::TIMESERIES.to_string(), ts.commit_checksummed()?);
        }
        (None, Some(complete)) => {
            let dest = out.join(super::TIMESERIES);
            std::fs::rename(&complete.path, &dest).map_err(io_at(&dest))?;
            hashes.insert(super::TIMESERIES.to_string(), complete.checksum.clone());
        }
        (None, None) => unreachable!("no time series without the ordered file"),
    }
    Ok(hashes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cached_rows_are_the_same_bytes() {
        let rows: [&[f64]; 4] = [
            &[0.5, 1.0, f64::NAN, 0.1 + 0.2],
            &[0.5, 2.0, f64::NAN, 0.1 + 0.2],
            &[0.25, 2.0, 7.0, 0.3],
            &[0.25, 2.0, 7.0, 0.3],
        ];
        let mut plain = Vec::new();
        let mut cached = Vec::new();
        let mut writer = RowWriter::new(b"m,0,1,");
        for (t, r) in rows.iter().enumerate() {
            push_timeseries_row(&mut plain, b"m,0,1,", t as u32, r);
            writer.push(&mut cached, t as u32, r);
        }
        assert_eq!(
            String::from_utf8(cached).unwrap(),
            String::from_utf8(plain).unwrap()
        );
    }

    proptest! {
        /// Rows written from the previous row's text are the rows written afresh, whatever
        /// changes between steps: values (NaN, integers, lengths) and the step's digits.
        #[test]
        fn cached_rows_equal_fresh_rows(
            rows in proptest::collection::vec(
                (0u32..2000, proptest::collection::vec(
                    prop_oneof![
                        Just(f64::NAN),
                        Just(0.5),
                        (0i64..2000).prop_map(|i| i as f64),
                        any::<f64>(),
                        (0.0f64..1.0),
                    ], 3)), 1..40)
        ) {
            let mut plain = Vec::new();
            let mut cached = Vec::new();
            let prefix = b"m,\"a,b\",1,";
            let mut writer = RowWriter::new(prefix);
            let mut step = 0;
            for (jump, r) in &rows {
                step += jump % 7 * jump;
                push_timeseries_row(&mut plain, prefix, step, r);
                writer.push(&mut cached, step, r);
            }
            prop_assert_eq!(String::from_utf8(cached).unwrap(), String::from_utf8(plain).unwrap());
        }
    }

    #[test]
    fn cells_of_values() {
        assert_eq!(cell(&toml::Value::Float(0.5)), "0.5");
        assert_eq!(cell(&toml::Value::Integer(3)), "3");
        assert_eq!(cell(&toml::Value::String("vote".into())), "vote");
        assert_eq!(csv_line(&["a,b".into(), "c".into()]), b"\"a,b\",c\n");
    }
}
