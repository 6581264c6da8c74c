//! Reading the project's own result tables back (for charts, the report, `replicate` and the
//! console summary): the manifest, `stats.csv`, `summary.csv` and `shocks.csv` as typed rows, and
//! any table as a stream of records with checked columns. One reader, so every consumer refuses a
//! missing, unfinished, foreign or malformed folder with the same message naming the file and
//! line.

use super::manifest::Manifest;
use super::tables::STATS_COLUMNS;
use super::{MANIFEST, PLAN, SHOCKS, STATS, SUMMARY};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a result folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The folder does not exist.
    #[error("{path}: no such result folder")]
    NoFolder {
        /// The folder given.
        path: PathBuf,
    },
    /// The folder holds a plan but no manifest: its experiment did not finish.
    #[error(
        "{path} is an unfinished result (it has {PLAN} but no {MANIFEST}): finish it with --resume, then draw"
    )]
    Unfinished {
        /// The folder given.
        path: PathBuf,
    },
    /// The folder holds neither a manifest nor a plan.
    #[error(
        "{path} is not a leadsim result folder (it has no {MANIFEST}); give a folder written by `leadsim run` or `leadsim sweep`"
    )]
    NotResult {
        /// The folder given.
        path: PathBuf,
    },
    /// The folder holds one shard of a sweep: its runs, but no tables.
    #[error(
        "{path} holds shard {shard} of a sweep, not a whole result: merge the shards first (`leadsim merge <every shard folder> -o <folder>`), then use the merged folder"
    )]
    Shard {
        /// The folder given.
        path: PathBuf,
        /// Which shard (`i/n`).
        shard: String,
    },
    /// A file of the folder is not what leadsim writes.
    #[error("{path}: {detail}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where (the line, the column).
        detail: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error of the system.
        source: std::io::Error,
    },
}

impl ReadError {
    /// Whether the folder given is at fault (exit 2) rather than the machine (exit 1).
    pub fn is_input(&self) -> bool {
        !matches!(self, ReadError::Io { .. })
    }
}

/// One row of `stats.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    /// The sweep point (`None` for a run).
    pub point: Option<usize>,
    /// The values of the swept parameters (empty for a run).
    pub(crate) axis_values: Vec<String>,
    /// The metric (a summary column or a shock statistic).
    pub metric: String,
    /// What the measure is for (`outcome`, `cost`, `process`, `check`; empty in results of
    /// versions before the column existed).
    pub kind: String,
    /// The model (for a paired difference, the first of the pair).
    pub model: String,
    /// Set for a paired difference `model − versus`.
    pub versus: Option<String>,
    pub(crate) n: usize,
    /// The mean over replicates (NaN for NA).
    pub mean: f64,
    pub(crate) sd: f64,
    pub(crate) se: f64,
    /// The lower end of the mean's 95% confidence interval (`ci_low`).
    pub low: f64,
    /// The upper end of the mean's 95% confidence interval (`ci_high`).
    pub high: f64,
    pub(crate) effect_size: f64,
    /// A paired difference's two-sided p-value (NaN otherwise, and in results of versions
    /// before the column existed).
    pub p_value: f64,
    /// `p_value` adjusted by Holm's method within its family (docs/ODD.md §7.7).
    pub p_holm: f64,
    /// Whether `stats.csv` has the p-value columns: results of earlier versions have neither
    /// p-values nor intervals kept inside each measure's range.
    pub p_recorded: bool,
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SummaryRow {
    pub(crate) point: usize,
    pub(crate) axis_values: Vec<String>,
    /// Index into the manifest's models.
    pub(crate) model: usize,
    pub(crate) replicate: String,
    /// One value per summary column (NaN for NA).
    pub(crate) values: Vec<f64>,
}

/// One row of `shocks.csv`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShockRow {
    pub(crate) model: usize,
    pub(crate) event: String,
    pub(crate) kind: String,
    pub(crate) step: u32,
    /// Steps of its adaptation window (0 when not given).
    pub(crate) window: u32,
    /// A key naming the run it belongs to (its point, model and replicate).
    pub(crate) run: String,
}

/// Reads `manifest.json`, telling a missing, unfinished or foreign folder apart.
pub(crate) fn manifest(dir: &Path) -> Result<Manifest, ReadError> {
    if !dir.exists() {
        return Err(ReadError::NoFolder {
            path: dir.to_path_buf(),
        });
    }
    if !dir.is_dir() {
        return Err(ReadError::Malformed {
            path: dir.to_path_buf(),
            detail: "not a folder; give a result folder written by `leadsim run` or `sweep`".into(),
        });
    }
    let path = dir.join(MANIFEST);
    if !path.exists() {
        return Err(if dir.join(PLAN).exists() {
            ReadError::Unfinished {
                path: dir.to_path_buf(),
            }
        } else {
            ReadError::NotResult {
                path: dir.to_path_buf(),
            }
        });
    }
    let bytes = std::fs::read(&path).map_err(|source| ReadError::Io {
        path: path.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| ReadError::Malformed {
        path,
        detail: format!("not a leadsim manifest: {e}"),
    })?;
    if !manifest.shard.is_empty() {
        return Err(ReadError::Shard {
            path: dir.to_path_buf(),
            shard: manifest.shard,
        });
    }
    Ok(manifest)
}

/// A result folder being read: its manifest's axes and models, against which every row is
/// checked.
pub(crate) struct Folder<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) axes: &'a [String],
    pub(crate) sweep: bool,
    /// Model name → index (the manifest's order).
    pub(crate) models: &'a HashMap<String, usize>,
}

/// A CSV table's name and header (its rows are read from the reader [`Ctx::open`] returns).
pub(crate) struct Table {
    pub(crate) path: PathBuf,
    pub(crate) header: Vec<String>,
}

pub(crate) type Reader = csv::Reader<std::io::BufReader<std::fs::File>>;

/// The identifying columns of a table.
pub(crate) struct Ids {
    pub(crate) point: Option<usize>,
    pub(crate) axes: Vec<usize>,
    pub(crate) model: usize,
    pub(crate) replicate: Option<usize>,
}

impl Table {
    pub(crate) fn column(&self, name: &str) -> Result<usize, ReadError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ReadError::Malformed {
                path: self.path.clone(),
                detail: format!(
                    "no column `{name}` (the header is: {})",
                    self.header.join(",")
                ),
            })
    }

    pub(crate) fn optional(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    pub(crate) fn bad(&self, record: &csv::StringRecord, detail: String) -> ReadError {
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        ReadError::Malformed {
            path: self.path.clone(),
            detail: format!("line {line}: {detail}"),
        }
    }

    /// The next row, `None` at the end.
    pub(crate) fn next(
        &self,
        reader: &mut Reader,
        record: &mut csv::StringRecord,
    ) -> Result<bool, ReadError> {
        reader
            .read_record(record)
            .map_err(|e| ReadError::Malformed {
                path: self.path.clone(),
                detail: format!("not a valid table: {e}"),
            })
    }

    /// The number in `record[col]`; an empty cell is NA (NaN).
    pub(crate) fn number(&self, record: &csv::StringRecord, col: usize) -> Result<f64, ReadError> {
        let cell = record.get(col).unwrap_or("");
        super::parse_number(cell).ok_or_else(|| {
            self.bad(
                record,
                format!(
                    "column `{}` holds \"{cell}\", which is not a number",
                    self.header[col]
                ),
            )
        })
    }

    pub(crate) fn unsigned(
        &self,
        record: &csv::StringRecord,
        col: usize,
    ) -> Result<u64, ReadError> {
        let cell = record.get(col).unwrap_or("");
        cell.parse().map_err(|_| {
            self.bad(
                record,
                format!(
                    "column `{}` holds \"{cell}\", which is not a whole number",
                    self.header[col]
                ),
            )
        })
    }
}

impl Folder<'_> {
    pub(crate) fn open(&self, name: &str) -> Result<(Table, Reader), ReadError> {
        open(self.dir, name)
    }

    pub(crate) fn ids(&self, t: &Table, replicate: bool) -> Result<Ids, ReadError> {
        let point = if self.sweep {
            Some(t.column("point")?)
        } else {
            None
        };
        let axes = self
            .axes
            .iter()
            .map(|a| t.column(a))
            .collect::<Result<_, _>>()?;
        Ok(Ids {
            point,
            axes,
            model: t.column("model")?,
            replicate: if replicate {
                Some(t.column("replicate")?)
            } else {
                None
            },
        })
    }

    pub(crate) fn model(
        &self,
        t: &Table,
        record: &csv::StringRecord,
        col: usize,
    ) -> Result<usize, ReadError> {
        let name = record.get(col).unwrap_or("");
        self.models.get(name).copied().ok_or_else(|| {
            t.bad(
                record,
                format!("model \"{name}\" is not one of the models in {MANIFEST}"),
            )
        })
    }

    /// A key naming the run of a row (its point, model and replicate).
    pub(crate) fn run_key(&self, ids: &Ids, record: &csv::StringRecord) -> String {
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
        format!(
            "{}\u{1f}{}\u{1f}{}",
            cell(ids.point),
            cell(Some(ids.model)),
            cell(ids.replicate)
        )
    }

    /// `shocks.csv`: each row and its window length; also the rows' run keys.
    pub(crate) fn shocks(&self) -> Result<Vec<ShockRow>, ReadError> {
        let (t, mut reader) = self.open(SHOCKS)?;
        let ids = self.ids(&t, true)?;
        let (event, kind, step) = (t.column("event")?, t.column("kind")?, t.column("step")?);
        let window = t.optional("window_steps");
        let mut out = Vec::new();
        let mut record = csv::StringRecord::new();
        while t.next(&mut reader, &mut record)? {
            let model = self.model(&t, &record, ids.model)?;
            let s = t.unsigned(&record, step)?;
            let s =
                u32::try_from(s).map_err(|_| t.bad(&record, format!("step {s} is too large")))?;
            let w = match window {
                Some(c) if !record.get(c).unwrap_or("").is_empty() => {
                    t.unsigned(&record, c)?.min(u32::MAX as u64) as u32
                }
                _ => 0,
            };
            out.push(ShockRow {
                model,
                event: record.get(event).unwrap_or("").to_string(),
                kind: record.get(kind).unwrap_or("").to_string(),
                step: s,
                window: w,
                run: self.run_key(&ids, &record),
            });
        }
        Ok(out)
    }

    /// One numeric column of `shocks.csv`, row by row with the shock's event name: rows of
    /// one value each, keyed like those of `summary.csv`.
    pub(crate) fn shock_column(
        &self,
        column: &str,
    ) -> Result<Vec<(String, SummaryRow)>, ReadError> {
        let (t, mut reader) = self.open(SHOCKS)?;
        let ids = self.ids(&t, true)?;
        let (event, value) = (t.column("event")?, t.column(column)?);
        let point = ids.point;
        let mut out = Vec::new();
        let mut record = csv::StringRecord::new();
        while t.next(&mut reader, &mut record)? {
            let p = match point {
                Some(c) => t.unsigned(&record, c)? as usize,
                None => 0,
            };
            out.push((
                record.get(event).unwrap_or("").to_string(),
                SummaryRow {
                    point: p,
                    axis_values: Vec::new(),
                    model: self.model(&t, &record, ids.model)?,
                    replicate: ids
                        .replicate
                        .and_then(|c| record.get(c))
                        .unwrap_or("")
                        .to_string(),
                    values: vec![t.number(&record, value)?],
                },
            ));
        }
        Ok(out)
    }

    pub(crate) fn summary(&self) -> Result<(Vec<String>, Vec<SummaryRow>), ReadError> {
        let (t, mut reader) = self.open(SUMMARY)?;
        let ids = self.ids(&t, true)?;
        let seed = t.optional("seed");
        let mut id_cols: Vec<usize> = ids.axes.clone();
        id_cols.extend(ids.point);
        id_cols.push(ids.model);
        id_cols.extend(ids.replicate);
        id_cols.extend(seed);
        let value_cols: Vec<usize> = (0..t.header.len())
            .filter(|c| !id_cols.contains(c))
            .collect();
        let columns = value_cols.iter().map(|&c| t.header[c].clone()).collect();
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        while t.next(&mut reader, &mut record)? {
            let point = match ids.point {
                Some(c) => t.unsigned(&record, c)? as usize,
                None => 0,
            };
            rows.push(SummaryRow {
                point,
                axis_values: ids
                    .axes
                    .iter()
                    .map(|&c| record.get(c).unwrap_or("").to_string())
                    .collect(),
                model: self.model(&t, &record, ids.model)?,
                replicate: ids
                    .replicate
                    .and_then(|c| record.get(c))
                    .unwrap_or("")
                    .to_string(),
                values: value_cols
                    .iter()
                    .map(|&c| t.number(&record, c))
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok((columns, rows))
    }

    pub(crate) fn stats(&self) -> Result<Vec<StatRow>, ReadError> {
        let (t, mut reader) = self.open(STATS)?;
        let ids = self.ids(&t, false)?;
        // The model column is among the identifying ones; `kind` and the p-values are optional
        // (results of earlier versions lack them).
        let [metric, versus, n, mean, sd, se, low, high, effect] = STATS_COLUMNS
            .iter()
            .filter(|c| !matches!(**c, "model" | "kind" | "p_value" | "p_holm"))
            .map(|c| t.column(c))
            .collect::<Vec<_>>()
            .try_into()
            .unwrap_or_else(|_| unreachable!("nine columns besides model and kind"));
        let (metric, versus, n, mean, sd, se, low, high, effect) =
            (metric?, versus?, n?, mean?, sd?, se?, low?, high?, effect?);
        let (p_value, p_holm) = (t.optional("p_value"), t.optional("p_holm"));
        let optional = |record: &csv::StringRecord, c: Option<usize>| match c {
            Some(c) => t.number(record, c),
            None => Ok(f64::NAN),
        };
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        while t.next(&mut reader, &mut record)? {
            let model = record.get(ids.model).unwrap_or("").to_string();
            self.model(&t, &record, ids.model)?;
            let vs = record.get(versus).unwrap_or("").to_string();
            if !vs.is_empty() && !self.models.contains_key(&vs) {
                return Err(t.bad(
                    &record,
                    format!("versus \"{vs}\" is not one of the models in {MANIFEST}"),
                ));
            }
            rows.push(StatRow {
                point: match ids.point {
                    Some(c) => Some(t.unsigned(&record, c)? as usize),
                    None => None,
                },
                axis_values: ids
                    .axes
                    .iter()
                    .map(|&c| record.get(c).unwrap_or("").to_string())
                    .collect(),
                metric: record.get(metric).unwrap_or("").to_string(),
                kind: t
                    .optional("kind")
                    .and_then(|c| record.get(c))
                    .unwrap_or("")
                    .to_string(),
                model,
                versus: (!vs.is_empty()).then_some(vs),
                n: t.unsigned(&record, n)? as usize,
                mean: t.number(&record, mean)?,
                sd: t.number(&record, sd)?,
                se: t.number(&record, se)?,
                low: t.number(&record, low)?,
                high: t.number(&record, high)?,
                effect_size: t.number(&record, effect)?,
                p_value: optional(&record, p_value)?,
                p_holm: optional(&record, p_holm)?,
                p_recorded: p_holm.is_some(),
            });
        }
        Ok(rows)
    }
}

/// Checks every table `manifest` lists against the checksum it records (`crc32:…`; others are
/// not checked) and fails naming the first that is missing or was changed since leadsim wrote
/// it: charts, a report or a resume must not rest on edited or damaged results.
pub fn verify(dir: &Path, manifest: &Manifest) -> Result<(), ReadError> {
    use std::io::Read;
    for (name, recorded) in &manifest.files {
        let Some(hex) = recorded.strip_prefix("crc32:") else {
            continue;
        };
        let path = dir.join(name);
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadError::Malformed {
                    path,
                    detail: format!(
                        "missing: the result folder is incomplete ({MANIFEST} lists it); run the experiment again (its command is in {MANIFEST}) with --force"
                    ),
                });
            }
            Err(source) => return Err(ReadError::Io { path, source }),
        };
        let mut summer = crc32fast::Hasher::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf).map_err(|source| ReadError::Io {
                path: path.clone(),
                source,
            })?;
            if n == 0 {
                break;
            }
            summer.update(&buf[..n]);
        }
        let got = format!("{:08x}", summer.finalize());
        if !got.eq_ignore_ascii_case(hex) {
            return Err(ReadError::Malformed {
                path,
                detail: format!(
                    "changed since leadsim wrote it (its CRC-32 is {got}, {MANIFEST} records {hex}): restore it, or run the experiment again (its command is in {MANIFEST}) with --force"
                ),
            });
        }
    }
    Ok(())
}

/// The manifest of the finished result folder `dir` after [`verify`]ing its tables.
pub fn verified(dir: &Path) -> Result<Manifest, ReadError> {
    let manifest = manifest(dir)?;
    verify(dir, &manifest)?;
    Ok(manifest)
}

/// The manifest and the statistics rows of the result folder `dir`.
pub fn stats(dir: &Path) -> Result<(Manifest, Vec<StatRow>), ReadError> {
    let manifest = manifest(dir)?;
    let models = model_index(&manifest);
    let folder = Folder {
        dir,
        axes: &manifest.axes,
        sweep: manifest.kind == "sweep" || !manifest.axes.is_empty(),
        models: &models,
    };
    let rows = folder.stats()?;
    Ok((manifest, rows))
}

/// Model name → index, in the manifest's order (a repeated name keeps its first index).
pub(crate) fn model_index(manifest: &Manifest) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    for m in &manifest.models {
        let next = index.len();
        index.entry(m.name.clone()).or_insert(next);
    }
    index
}

/// Opens the table `name` of the result folder `dir`: its header, and a reader of its records.
pub(crate) fn open(dir: &Path, name: &str) -> Result<(Table, Reader), ReadError> {
    let path = dir.join(name);
    let file = std::fs::File::open(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ReadError::Malformed {
                path: path.clone(),
                detail: "missing: the result folder is incomplete".into(),
            }
        } else {
            ReadError::Io {
                path: path.clone(),
                source,
            }
        }
    })?;
    let mut reader =
        csv::ReaderBuilder::new().from_reader(std::io::BufReader::with_capacity(1 << 16, file));
    let header = reader
        .headers()
        .map_err(|e| ReadError::Malformed {
            path: path.clone(),
            detail: format!("not a valid table: {e}"),
        })?
        .iter()
        .map(String::from)
        .collect::<Vec<_>>();
    if header.len() <= 1 {
        return Err(ReadError::Malformed {
            path,
            detail: "empty or not a CSV table".into(),
        });
    }
    Ok((Table { path, header }, reader))
}
