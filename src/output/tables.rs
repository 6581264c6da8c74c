//! The tidy tables: their columns, one run's rows (a *part*), and the assembly of all parts, in
//! run order, into `timeseries.csv`, `summary.csv`, `shocks.csv` and `stats.csv`.
//!
//! Every table starts with the columns that identify a run: for sweeps `point` and one column
//! per swept parameter (named by its dotted path), then `model`, `replicate` and `seed` (the run's
//! world seed). Numbers are written in the shortest form that reads back exactly; NA is an empty
//! cell, which R's `read.csv` and pandas' `read_csv` read as missing without options.

use super::{AtomicFile, NUMBER_LEN, OutputError, io_at, number, parse_number};
use crate::events::SHOCK_COLUMNS;
use crate::experiment::{Plan, RunSpec};
use crate::metrics::Metric;
use crate::stats;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Rows one run contributes to each table (CSV lines without header).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    pub timeseries: Vec<u8>,
    pub summary: Vec<u8>,
    pub shocks: Vec<u8>,
}

const MAGIC: &str = "#leadsim-part 2";

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

/// Header cells identifying a run.
pub fn id_header(plan: &Plan) -> Vec<String> {
    let mut h = Vec::new();
    if plan.is_sweep() {
        h.push("point".to_string());
        h.extend(plan.axes.iter().cloned());
    }
    h.extend(["model", "replicate", "seed"].map(String::from));
    h
}

/// Cells identifying run `spec`.
pub fn id_cells(plan: &Plan, spec: &RunSpec) -> Vec<String> {
    let mut c = Vec::new();
    if plan.is_sweep() {
        c.push(spec.point.to_string());
        c.extend(plan.points[spec.point].values.iter().map(cell));
    }
    c.push(plan.models[spec.model].clone());
    c.push(spec.replicate.to_string());
    c.push(spec.world_seed.to_string());
    c
}

/// The columns of `summary.csv` after the identifying ones.
pub fn summary_columns(metrics: &[Metric]) -> Vec<String> {
    let mut cols = Vec::with_capacity(2 * metrics.len());
    for m in metrics {
        cols.push(format!("{}_final", m.name));
        cols.push(format!("{}_mean", m.name));
    }
    cols
}

pub fn timeseries_header(plan: &Plan) -> Vec<u8> {
    let mut h = id_header(plan);
    h.push("step".into());
    h.extend(plan.metrics().iter().map(|m| m.name.to_string()));
    csv_line(&h)
}

pub fn summary_header(plan: &Plan) -> Vec<u8> {
    let mut h = id_header(plan);
    h.extend(summary_columns(plan.metrics()));
    csv_line(&h)
}

pub fn shocks_header(plan: &Plan) -> Vec<u8> {
    let mut h = id_header(plan);
    h.extend(SHOCK_COLUMNS.iter().map(|c| c.to_string()));
    csv_line(&h)
}

pub const STATS_COLUMNS: [&str; 10] = [
    "metric",
    "model",
    "versus",
    "n",
    "mean",
    "sd",
    "se",
    "ci_low",
    "ci_high",
    "effect_size",
];

pub fn stats_header(plan: &Plan) -> Vec<u8> {
    let mut h = Vec::new();
    if plan.is_sweep() {
        h.push("point".to_string());
        h.extend(plan.axes.iter().cloned());
    }
    h.extend(STATS_COLUMNS.map(String::from));
    csv_line(&h)
}

/// The identifying cells of a run as the start of a CSV line (quoted where needed, with the
/// separator after the last cell), to be followed by the row's own cells.
pub fn row_prefix(id: &[String]) -> Vec<u8> {
    let mut line = csv_line(id);
    line.pop();
    line.push(b',');
    line
}

/// Appends a time-series row (`prefix` from [`row_prefix`]) to `out`.
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

/// A summary row: each metric's final value and mean, interleaved.
pub fn summary_row(id: &[String], finals: &[f64], means: &[f64]) -> Vec<u8> {
    let mut c = id.to_vec();
    for (f, m) in finals.iter().zip(means) {
        c.push(number(*f));
        c.push(number(*m));
    }
    csv_line(&c)
}

/// Serializes a part for its journal record: a header line with the run and the length of each
/// section, then the three sections' bytes.
pub fn encode_part(index: u64, part: &Part) -> Vec<u8> {
    encode_sections(index, &part.timeseries, &part.summary, &part.shocks)
}

/// [`encode_part`] from the three sections.
pub fn encode_sections(index: u64, timeseries: &[u8], summary: &[u8], shocks: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(timeseries.len() + summary.len() + shocks.len() + 96);
    out.extend_from_slice(
        format!(
            "{MAGIC} run={index} timeseries={} summary={} shocks={}\n",
            timeseries.len(),
            summary.len(),
            shocks.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(timeseries);
    out.extend_from_slice(summary);
    out.extend_from_slice(shocks);
    out
}

/// A part read back, borrowing the record's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartRef<'a> {
    pub timeseries: &'a [u8],
    pub summary: &'a [u8],
    pub shocks: &'a [u8],
}

impl PartRef<'_> {
    pub fn to_owned(&self) -> Part {
        Part {
            timeseries: self.timeseries.to_vec(),
            summary: self.summary.to_vec(),
            shocks: self.shocks.to_vec(),
        }
    }
}

/// Reads a part back from its record; any damage is an error naming the file.
pub fn decode_part<'a>(
    path: &Path,
    index: u64,
    bytes: &'a [u8],
) -> Result<PartRef<'a>, OutputError> {
    let corrupt = |detail: &str| OutputError::Corrupt {
        path: path.to_path_buf(),
        detail: format!(
            "damaged run record ({detail}); delete the journal and resume to re-run its runs"
        ),
    };
    let nl = bytes
        .iter()
        .take(256)
        .position(|&b| b == b'\n')
        .ok_or_else(|| corrupt("no header"))?;
    let header = std::str::from_utf8(&bytes[..nl]).map_err(|_| corrupt("header not UTF-8"))?;
    let mut fields = header.split(' ');
    let (Some("#leadsim-part"), Some("2")) = (fields.next(), fields.next()) else {
        return Err(corrupt("wrong header"));
    };
    let mut field = |name: &str| -> Result<usize, OutputError> {
        fields
            .next()
            .and_then(|f| f.strip_prefix(name))
            .and_then(|f| f.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| corrupt(&format!("no {name} in the header")))
    };
    if field("run")? as u64 != index {
        return Err(corrupt("another run's record"));
    }
    let (ts, su, sh) = (field("timeseries")?, field("summary")?, field("shocks")?);
    let body = &bytes[nl + 1..];
    if body.len() != ts + su + sh {
        return Err(corrupt("truncated"));
    }
    Ok(PartRef {
        timeseries: &body[..ts],
        summary: &body[ts..ts + su],
        shocks: &body[ts + su..],
    })
}

/// Summary values of one point: `[model][replicate][column]`.
struct PointValues {
    values: Vec<Vec<Vec<f64>>>,
}

impl PointValues {
    fn new(models: usize, replications: usize) -> PointValues {
        PointValues {
            values: vec![vec![Vec::new(); replications]; models],
        }
    }
}

/// Assembles the final tables in `out` from the runs journaled in `dirs` (one folder for a run,
/// the shard folders for a merge). With `series`, the complete ordered time-series file of the
/// one folder becomes `timeseries.csv`; without, the time series is copied from the journals.
/// Fails, writing nothing, if a run is missing or damaged. Returns the checksum of each table
/// written ([`super::checksum_text`]), by file name.
pub fn assemble(
    plan: &Plan,
    dirs: &[PathBuf],
    out: &Path,
    series: Option<&super::series::Complete>,
) -> Result<std::collections::BTreeMap<String, String>, OutputError> {
    let runs = plan.runs();
    let index = super::journal::scan(dirs)?;
    // A run's record: with the ordered file, the one saying where its rows are in it.
    let records = if series.is_some() {
        &index.ordered
    } else {
        &index.runs
    };
    // Check that every run is there before writing anything.
    for i in 0..runs {
        if !records.contains_key(&i) {
            return Err(OutputError::Corrupt {
                path: out.to_path_buf(),
                detail: format!(
                    "run {i} has no result in {}: the experiment is not complete",
                    dirs.iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    if let Some(complete) = series {
        let header = timeseries_header(plan).len() as u64;
        super::series::check(complete, &index, runs, header)?;
    }
    let mut reader = index.reader();
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
        w(ts, &timeseries_header(plan))?;
    }
    w(&mut sum, &summary_header(plan))?;
    w(&mut sh, &shocks_header(plan))?;
    w(&mut st, &stats_header(plan))?;
    let n_id = id_header(plan).len();
    let models = plan.models.len();
    let reps = plan.replications as usize;
    let per_point = (models * reps) as u64;
    let mut point = PointValues::new(models, reps);
    let mut shock_rows: Vec<Vec<u8>> = Vec::new();
    for i in 0..runs {
        let loc = &records[&i];
        let bytes = reader.read_at(loc)?;
        let path = loc.file.clone();
        let part = decode_part(&path, i, &bytes)?;
        if let Some(ts) = ts.as_mut() {
            w(ts, part.timeseries)?;
        }
        w(&mut sum, part.summary)?;
        w(&mut sh, part.shocks)?;
        let spec = plan.spec(i);
        point.values[spec.model][spec.replicate as usize] =
            parse_values(&path, part.summary, n_id)?;
        shock_rows.push(part.shocks.to_vec());
        if (i + 1) % per_point == 0 {
            let rows = point_stats(plan, spec.point, &point, &shock_rows, n_id, &path)?;
            w(&mut st, &rows)?;
            point = PointValues::new(models, reps);
            shock_rows.clear();
        }
    }
    let mut hashes = std::collections::BTreeMap::new();
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

/// Splits CSV text written by this module into records of raw cells: a quoted cell keeps its
/// quotes (callers only skip such cells or read numbers, which are never quoted), and a quoted
/// cell may hold commas, doubled quotes and newlines. A hand-written splitter because building a
/// `csv` reader costs more than parsing one short row, and assembly parses a row per run.
pub(crate) fn records(text: &[u8]) -> Vec<Vec<&[u8]>> {
    let mut out = Vec::new();
    let mut cells = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut quoted = false;
    while i < text.len() {
        match text[i] {
            b'"' if i == start => quoted = true,
            b'"' if quoted => {
                // A doubled quote stays inside the cell; a single one closes it.
                if text.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
            b',' if !quoted => {
                cells.push(&text[start..i]);
                start = i + 1;
            }
            b'\n' if !quoted => {
                cells.push(&text[start..i]);
                out.push(std::mem::take(&mut cells));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < text.len() || !cells.is_empty() {
        cells.push(&text[start..]);
        out.push(cells);
    }
    out
}

/// A cell as a number (empty: NaN), if it is one.
pub(crate) fn number_cell(cell: &[u8]) -> Option<f64> {
    std::str::from_utf8(cell).ok().and_then(parse_number)
}

/// The numeric cells of a one-line CSV after the first `skip` cells.
fn parse_values(path: &Path, line: &[u8], skip: usize) -> Result<Vec<f64>, OutputError> {
    let rows = records(line);
    let record = rows.first().ok_or_else(|| OutputError::Corrupt {
        path: path.to_path_buf(),
        detail: "a summary row is missing".into(),
    })?;
    record
        .iter()
        .skip(skip)
        .map(|c| {
            number_cell(c).ok_or_else(|| OutputError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("\"{}\" is not a number", String::from_utf8_lossy(c)),
            })
        })
        .collect()
}

/// Statistics rows of one point: for each summary column, each model's mean, sd and 95% CI,
/// then the paired difference of every later model against every earlier one (`model` −
/// `versus`), replicate by replicate, with the paired effect size.
fn point_stats(
    plan: &Plan,
    point: usize,
    values: &PointValues,
    shock_rows: &[Vec<u8>],
    n_id: usize,
    path: &Path,
) -> Result<Vec<u8>, OutputError> {
    let mut prefix = Vec::new();
    if plan.is_sweep() {
        prefix.push(point.to_string());
        prefix.extend(plan.points[point].values.iter().map(cell));
    }
    let mut columns: crate::events::Columns = summary_columns(plan.metrics())
        .into_iter()
        .enumerate()
        .map(|(c, name)| {
            let per_model = values
                .values
                .iter()
                .map(|reps| {
                    reps.iter()
                        .map(|v| v.get(c).copied().unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            (name, per_model)
        })
        .collect();
    let measured: Vec<String> = plan.points[point]
        .scenario
        .leadership()
        .map(|s| {
            s.events
                .iter()
                .filter(|e| e.measure)
                .map(|e| e.name.clone())
                .collect()
        })
        .unwrap_or_default();
    columns.extend(crate::events::shock_stats(
        plan.models.len(),
        plan.replications as usize,
        shock_rows,
        n_id,
        path,
        &measured,
    )?);
    let mut out = Vec::new();
    for (name, per_model) in &columns {
        for (m, model) in plan.models.iter().enumerate() {
            let d = stats::describe(per_model[m].iter().copied());
            let mut c = prefix.clone();
            c.extend([name.clone(), model.clone(), String::new(), d.n.to_string()]);
            c.extend([d.mean, d.sd, d.se, d.ci_low, d.ci_high].map(number));
            c.push(String::new());
            out.extend(csv_line(&c));
        }
        for a in 0..plan.models.len() {
            for b in 0..a {
                let p = stats::paired(&per_model[a], &per_model[b]);
                let d = p.diff;
                let mut c = prefix.clone();
                c.extend([
                    name.clone(),
                    plan.models[a].clone(),
                    plan.models[b].clone(),
                    d.n.to_string(),
                ]);
                c.extend([d.mean, d.sd, d.se, d.ci_low, d.ci_high, p.effect_size].map(number));
                out.extend(csv_line(&c));
            }
        }
    }
    Ok(out)
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

    #[test]
    fn records_edge_cases() {
        assert!(records(b"").is_empty());
        assert_eq!(records(b"\n"), vec![vec![b"".as_slice()]]);
        assert_eq!(records(b"a,b"), vec![vec![b"a".as_slice(), b"b"]]);
        assert_eq!(
            records(b"a,,\n\"x,\ny\",2\n"),
            vec![
                vec![b"a".as_slice(), b"", b""],
                vec![b"\"x,\ny\"".as_slice(), b"2"]
            ]
        );
        assert!(number_cell(b"").unwrap().is_nan());
        assert_eq!(number_cell(b"0.25"), Some(0.25));
        assert_eq!(number_cell(b"x"), None);
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

        /// The splitter finds the cells the `csv` writer wrote, quoted or not.
        #[test]
        fn records_split_what_the_csv_writer_wrote(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-z0-9,\"\n .-]{0,6}", 1..5), 1..4)
        ) {
            let mut text = Vec::new();
            for r in &rows {
                text.extend(csv_line(r));
            }
            let got = records(&text);
            prop_assert_eq!(got.len(), rows.len());
            for (cells, want) in got.iter().zip(&rows) {
                prop_assert_eq!(cells.len(), want.len());
                for (c, w) in cells.iter().zip(want) {
                    // Unquote as a CSV reader would.
                    let c = String::from_utf8(c.to_vec()).unwrap();
                    let plain = match c.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                        Some(inner) => inner.replace("\"\"", "\""),
                        None => c,
                    };
                    prop_assert_eq!(&plain, w);
                }
            }
        }
    }

    #[test]
    fn parts_round_trip_and_damage_is_detected() {
        let part = Part {
            timeseries: b"a,1\nb,2\n".to_vec(),
            summary: b"a,3\n".to_vec(),
            shocks: Vec::new(),
        };
        let bytes = encode_part(7, &part);
        let p = Path::new("x.part");
        assert_eq!(decode_part(p, 7, &bytes).unwrap().to_owned(), part);
        assert!(decode_part(p, 8, &bytes).is_err(), "wrong run");
        assert!(
            decode_part(p, 7, &bytes[..bytes.len() - 3]).is_err(),
            "truncated"
        );
        let empty = Part::default();
        assert_eq!(
            decode_part(p, 1, &encode_part(1, &empty))
                .unwrap()
                .to_owned(),
            empty
        );
    }

    #[test]
    fn cells_of_values() {
        assert_eq!(cell(&toml::Value::Float(0.5)), "0.5");
        assert_eq!(cell(&toml::Value::Integer(3)), "3");
        assert_eq!(cell(&toml::Value::String("vote".into())), "vote");
        assert_eq!(csv_line(&["a,b".into(), "c".into()]), b"\"a,b\",c\n");
    }
}
