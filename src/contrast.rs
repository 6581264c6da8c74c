//! `leadsim compare A B`: two finished results of `leadsim run` (two variants of a scenario)
//! as one result folder, with the statistics and charts of a run.
//!
//! The compared folder holds every model of both results, named `LABEL:model`, where `LABEL` is
//! the name of the result's folder (`A` and `B` when the two folders have the same name). Its
//! `timeseries.csv`, `summary.csv` and `shocks.csv` are A's rows then B's, with the models so
//! renamed; its `stats.csv` has the columns of a run's and holds, metric by metric:
//!
//! - every model of A and of B alone, and the paired differences between the models of each
//!   result: the rows of A's and B's own `stats.csv`, recomputed from their tables;
//! - for every model both results have (by name), `B:model − A:model`: what the change from
//!   A to B did to that model.
//!
//! Whether the differences between the results are paired is decided from the manifests
//! ([`pairing`]): replicate r of A and replicate r of B met the same world when their world
//! seeds agree and what builds the world is the same (for the leadership family the
//! `[landscape]` and `[organization]` as read, defaults included; for the reference families
//! everything but the models, the replications, the steps, the name and the description).
//! Then the difference is over the replicates both have, replicate by replicate (mean, sd, t
//! interval and Cohen's d_z, as between the models of a run). Otherwise it is Welch's: the
//! difference of the two means, its standard error `sqrt(s_A²/n_A + s_B²/n_B)`, a t interval
//! with the Welch–Satterthwaite degrees of freedom, `n` the replicates of both, `sd` empty (NA)
//! and as effect size Cohen's d with the mean of the two variances,
//! `(m_B − m_A) / sqrt((s_A² + s_B²)/2)`. Kaplan–Meier recovery medians have no differences.

use crate::experiment::plan_from_manifest;
use crate::output::manifest::{CompareInfo, ComparedResult, InputFile, Manifest, ModelInfo};
use crate::output::read::{self, ReadError, Table};
use crate::output::tables::Layout;
use crate::output::{AtomicFile, OutputError};
use crate::results::compare::{self, Stat};
use crate::results::shocks::{self, Adaptability};
use crate::results::{SHOCK_COLUMNS, Shock, Summary};
use crate::stats;
use crate::study::Study;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why two results could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A result folder could not be read, is not finished, or was changed since it was written.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The folders cannot be compared.
    #[error("{path}: {detail}")]
    Input {
        /// The folder at fault.
        path: PathBuf,
        /// What is wrong, and what to do.
        detail: String,
    },
    /// The compared folder could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl CompareError {
    /// Whether the folders given are at fault (exit 2) rather than the machine (exit 1).
    pub fn is_input(&self) -> bool {
        match self {
            CompareError::Read(e) => e.is_input(),
            CompareError::Input { .. } => true,
            CompareError::Output(e) => e.is_input(),
        }
    }
}

/// One of the two results: its folder, label and manifest, and its runs as typed values.
#[derive(Debug)]
struct Side {
    dir: PathBuf,
    label: String,
    manifest: Manifest,
    study: Study,
    /// Summary columns, in `summary.csv` order.
    columns: Vec<String>,
    kinds: Vec<&'static str>,
    measured: Vec<String>,
    models: Vec<String>,
    replications: usize,
    /// Run order (replicate-major, then model).
    summaries: Vec<Summary>,
    shocks: Vec<Vec<Shock>>,
}

/// Two results read and checked, ready to be written as one ([`Comparison::write`]).
#[derive(Debug)]
pub struct Comparison {
    a: Side,
    b: Side,
    paired: bool,
    pairing: String,
}

/// Reads and checks the finished results `a` and `b` (their tables against their manifests'
/// checksums) and decides whether they are paired. Refuses a missing, unfinished or edited
/// folder, a shard, a sweep, the same folder twice, and results of different measures.
pub fn open(a: &Path, b: &Path) -> Result<Comparison, CompareError> {
    let (ma, mb) = (read::verified(a)?, read::verified(b)?);
    if let (Ok(x), Ok(y)) = (std::fs::canonicalize(a), std::fs::canonicalize(b))
        && x == y
    {
        return Err(CompareError::Input {
            path: b.to_path_buf(),
            detail: format!(
                "is the same result folder as {}: compare two different results",
                a.display()
            ),
        });
    }
    let label = |d: &Path| {
        d.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let (mut la, mut lb) = (label(a), label(b));
    if la == lb || la.is_empty() || lb.is_empty() {
        (la, lb) = ("A".into(), "B".into());
    }
    let a = side(a, la, ma)?;
    let b = side(b, lb, mb)?;
    if a.columns != b.columns {
        return Err(CompareError::Input {
            path: b.dir.clone(),
            detail: format!(
                "measures other things than {} (its summary.csv columns differ: {} family versus {}): compare results of the same family and metrics",
                a.dir.display(),
                b.study.family(),
                a.study.family()
            ),
        });
    }
    // The time series of both go into one table.
    let header = |s: &Side| read::open(&s.dir, crate::output::TIMESERIES).map(|(t, _)| t.header);
    if header(&a)? != header(&b)? {
        return Err(CompareError::Input {
            path: b.dir.join(crate::output::TIMESERIES),
            detail: format!(
                "its columns differ from those of {}: compare results that record the same metrics",
                a.dir.join(crate::output::TIMESERIES).display()
            ),
        });
    }
    let (paired, pairing) = pairing(&a, &b);
    Ok(Comparison {
        a,
        b,
        paired,
        pairing,
    })
}

/// Reads one result.
fn side(dir: &Path, label: String, manifest: Manifest) -> Result<Side, CompareError> {
    let bad = |detail: String| CompareError::Input {
        path: dir.to_path_buf(),
        detail,
    };
    if manifest.is_sweep() || !manifest.axes.is_empty() {
        return Err(bad(
            "is a sweep: `leadsim compare` compares two results of `leadsim run`; a sweep compares its points itself (its stats.csv, charts and report)".into(),
        ));
    }
    if manifest.compare.is_some() {
        return Err(bad(
            "is itself a comparison: compare the results of `leadsim run` it was made from".into(),
        ));
    }
    let plan = plan_from_manifest(&manifest).map_err(|e| {
        bad(format!(
            "its experiment cannot be rebuilt from its manifest ({e}); it was written by another version of leadsim"
        ))
    })?;
    let layout = plan.layout();
    let study = plan.points[0].scenario.clone();
    let models: Vec<String> = manifest.models.iter().map(|m| m.name.clone()).collect();
    let replications = manifest.replications as usize;
    let (summaries, columns) = summaries(dir, &manifest, &models, replications)?;
    let shocks = shock_rows(dir, &models, replications)?;
    Ok(Side {
        dir: dir.to_path_buf(),
        label,
        manifest,
        study,
        columns,
        kinds: layout.kinds.iter().flat_map(|&k| [k, k]).collect(),
        measured: layout.measured.first().cloned().unwrap_or_default(),
        models,
        replications,
        summaries,
        shocks,
    })
}

/// The run index of `(model, replicate)` cells of a row, in run order.
fn run_of(
    t: &Table,
    record: &csv::StringRecord,
    model_col: usize,
    rep_col: usize,
    models: &[String],
    replications: usize,
) -> Result<usize, ReadError> {
    let name = record.get(model_col).unwrap_or("");
    let m = models.iter().position(|x| x == name).ok_or_else(|| {
        t.bad(
            record,
            format!("model \"{name}\" is not one of the models in manifest.json"),
        )
    })?;
    let r = t.unsigned(record, rep_col)? as usize;
    if r >= replications {
        return Err(t.bad(
            record,
            format!("replicate {r} is beyond the manifest's {replications} replicates"),
        ));
    }
    Ok(r * models.len() + m)
}

/// `summary.csv` as each run's summary, in run order, and its summary columns.
fn summaries(
    dir: &Path,
    manifest: &Manifest,
    models: &[String],
    replications: usize,
) -> Result<(Vec<Summary>, Vec<String>), ReadError> {
    let index = read::model_index(manifest);
    let folder = read::Folder {
        dir,
        axes: &[],
        sweep: false,
        models: &index,
    };
    let (columns, rows) = folder.summary()?;
    let mut out = vec![None; models.len() * replications];
    let path = dir.join(crate::output::SUMMARY);
    for row in rows {
        let r: usize = row.replicate.parse().unwrap_or(usize::MAX);
        let i = r.saturating_mul(models.len()).saturating_add(row.model);
        let slot = out.get_mut(i).ok_or_else(|| ReadError::Malformed {
            path: path.clone(),
            detail: format!(
                "replicate \"{}\" is not one of the manifest's",
                row.replicate
            ),
        })?;
        let (mut finals, mut means) = (Vec::new(), Vec::new());
        for (c, v) in row.values.iter().enumerate() {
            if c % 2 == 0 {
                finals.push(*v);
            } else {
                means.push(*v);
            }
        }
        *slot = Some(Summary { finals, means });
    }
    let missing = out.iter().position(Option::is_none);
    if let Some(i) = missing {
        return Err(ReadError::Malformed {
            path,
            detail: format!(
                "no row of model {} replicate {}: the result is incomplete",
                models[i % models.len()],
                i / models.len()
            ),
        });
    }
    Ok((out.into_iter().flatten().collect(), columns))
}

/// `shocks.csv` as each run's shocks, in run order.
fn shock_rows(
    dir: &Path,
    models: &[String],
    replications: usize,
) -> Result<Vec<Vec<Shock>>, ReadError> {
    let (t, mut reader) = read::open(dir, crate::output::SHOCKS)?;
    let col = |name: &str| t.column(name);
    let (model, rep) = (col("model")?, col("replicate")?);
    // Every column after `shock`, in the order of `SHOCK_COLUMNS` (the writer's).
    let columns: Vec<usize> = SHOCK_COLUMNS[1..]
        .iter()
        .map(|name| col(name))
        .collect::<Result<_, _>>()?;
    let [
        event,
        kind,
        step,
        lost,
        before,
        after,
        drop,
        trough,
        max_drop,
        recovery,
        censored,
        window_mean,
        window_steps,
        effect,
        effect_min,
    ] = columns[..]
    else {
        unreachable!("shocks.csv has 15 columns after `shock`")
    };
    let mut out = vec![Vec::new(); models.len() * replications];
    let mut record = csv::StringRecord::new();
    let whole = |record: &csv::StringRecord, c: usize| -> Result<u32, ReadError> {
        let v = t.unsigned(record, c)?;
        u32::try_from(v).map_err(|_| t.bad(record, format!("{v} is too large")))
    };
    while t.next(&mut reader, &mut record)? {
        let i = run_of(&t, &record, model, rep, models, replications)?;
        let cens = match record.get(censored).unwrap_or("") {
            "true" => true,
            "false" => false,
            other => {
                return Err(t.bad(
                    &record,
                    format!("column `censored` holds \"{other}\", not true or false"),
                ));
            }
        };
        out[i].push(Shock {
            event: record.get(event).unwrap_or("").to_string(),
            kind: record.get(kind).unwrap_or("").to_string(),
            step: whole(&record, step)?,
            capacity_lost: t.number(&record, lost)?,
            adaptability: Adaptability {
                before: t.number(&record, before)?,
                after: t.number(&record, after)?,
                drop: t.number(&record, drop)?,
                trough: t.number(&record, trough)?,
                max_drop: t.number(&record, max_drop)?,
                recovery_steps: whole(&record, recovery)?,
                censored: cens,
                window_mean: t.number(&record, window_mean)?,
                window_steps: whole(&record, window_steps)?,
                effect: t.number(&record, effect)?,
                effect_min: t.number(&record, effect_min)?,
            },
        });
    }
    Ok(out)
}

/// Whether replicate r of `a` and of `b` met the same world, and why (see the module's
/// documentation).
fn pairing(a: &Side, b: &Side) -> (bool, String) {
    let seeds = |s: &Side| -> BTreeMap<u32, u64> {
        s.manifest
            .seeds
            .iter()
            .filter(|x| x.world_key == 0)
            .map(|x| (x.replicate, x.seed))
            .collect()
    };
    let (sa, sb) = (seeds(a), seeds(b));
    let common = a.replications.min(b.replications) as u32;
    let same_seeds =
        common > 0 && (0..common).all(|r| sa.contains_key(&r) && sa.get(&r) == sb.get(&r));
    if !same_seeds {
        return (
            false,
            format!(
                "the results met different worlds (master seed {} versus {}): each difference between them is Welch's",
                a.manifest.seed, b.manifest.seed
            ),
        );
    }
    let world = match (&a.study, &b.study) {
        (Study::Leadership(x), Study::Leadership(y)) => {
            if x.landscape != y.landscape {
                Err("[landscape]")
            } else if x.organization != y.organization {
                Err("[organization]")
            } else {
                Ok(())
            }
        }
        _ => {
            let table = |s: &Side| {
                let text = s
                    .manifest
                    .inputs
                    .iter()
                    .find(|f| f.role == "scenario")
                    .map(|f| f.text.clone())
                    .unwrap_or_default();
                let mut t: toml::Table = text.parse().unwrap_or_default();
                for key in ["name", "description", "replications", "steps", "models"] {
                    t.remove(key);
                }
                t
            };
            if a.study.family() == b.study.family() && table(a) == table(b) {
                Ok(())
            } else {
                Err("scenario (apart from its models)")
            }
        }
    };
    match world {
        Ok(()) => (
            true,
            format!(
                "the results met the same worlds (master seed {}, the same landscape and organization): differences between them are paired over their {common} common replicates",
                a.manifest.seed
            ),
        ),
        Err(what) => (
            false,
            format!(
                "the results share the master seed {} but their {what} differs, so their worlds differ: each difference between them is Welch's",
                a.manifest.seed
            ),
        ),
    }
}

impl Side {
    /// Every statistic of this result alone (models and their paired differences), with model
    /// indices shifted by `offset`.
    fn stats(&self, offset: usize) -> Vec<Stat> {
        let summaries: Vec<&Summary> = self.summaries.iter().collect();
        let shocks: Vec<&[Shock]> = self.shocks.iter().map(Vec::as_slice).collect();
        let mut out = compare::point(
            &self.columns,
            &self.kinds,
            &compare::Point {
                models: self.models.len(),
                replications: self.replications,
                summaries: &summaries,
                shocks: &shocks,
                measured: &self.measured,
            },
        );
        for s in &mut out {
            s.model += offset;
            s.versus = s.versus.map(|v| v + offset);
        }
        out
    }

    /// `[metric] → (kind, [model][replicate])`: the summary columns and the shock statistics.
    fn values(&self) -> Vec<(String, &'static str, Vec<Vec<f64>>)> {
        let (m, r) = (self.models.len(), self.replications);
        let mut out: Vec<(String, &'static str, Vec<Vec<f64>>)> = self
            .columns
            .iter()
            .enumerate()
            .map(|(c, name)| {
                let mut per_model = vec![vec![f64::NAN; r]; m];
                for (i, s) in self.summaries.iter().enumerate() {
                    per_model[i % m][i / m] = s.column(c);
                }
                (name.clone(), self.kinds[c], per_model)
            })
            .collect();
        let runs: Vec<&[Shock]> = self.shocks.iter().map(Vec::as_slice).collect();
        for (name, per_model) in shocks::shock_stats(m, r, &runs, &self.measured) {
            out.push((name, "outcome", per_model));
        }
        out
    }
}

impl Comparison {
    /// The combined model names: A's, then B's, each `LABEL:model`.
    fn models(&self) -> Vec<String> {
        let named = |s: &Side| -> Vec<String> {
            s.models
                .iter()
                .map(|m| format!("{}:{m}", s.label))
                .collect()
        };
        let mut out = named(&self.a);
        out.extend(named(&self.b));
        out
    }

    /// Whether the results' differences are paired, and why, in words.
    pub fn pairing(&self) -> (bool, &str) {
        (self.paired, &self.pairing)
    }

    /// The labels of the two results (`A`'s, `B`'s).
    pub fn labels(&self) -> (&str, &str) {
        (&self.a.label, &self.b.label)
    }

    /// The models both results have, by name, in A's order.
    pub fn common_models(&self) -> Vec<String> {
        self.a
            .models
            .iter()
            .filter(|m| self.b.models.contains(m))
            .cloned()
            .collect()
    }

    /// Every statistic, metric by metric: A's, B's, then `B:model − A:model` for each common
    /// model.
    fn stats(&self) -> Vec<Stat> {
        let offset = self.a.models.len();
        let (own_a, own_b) = (self.a.stats(0), self.b.stats(offset));
        let (va, vb) = (self.a.values(), self.b.values());
        let common = self.a.replications.min(self.b.replications);
        let mut metrics: Vec<String> = Vec::new();
        for s in own_a.iter().chain(&own_b) {
            if !metrics.contains(&s.metric) {
                metrics.push(s.metric.clone());
            }
        }
        let mut out = Vec::new();
        // The rows `B:model − A:model`: a family of their own (per kind), apart from each
        // result's own comparisons of its models, which keep their adjustment.
        let mut cross = Vec::new();
        for metric in &metrics {
            out.extend(own_a.iter().filter(|s| &s.metric == metric).cloned());
            out.extend(own_b.iter().filter(|s| &s.metric == metric).cloned());
            let (Some(xa), Some(xb)) = (
                va.iter().find(|(n, ..)| n == metric),
                vb.iter().find(|(n, ..)| n == metric),
            ) else {
                continue;
            };
            for (ma, name) in self.a.models.iter().enumerate() {
                let Some(mb) = self.b.models.iter().position(|m| m == name) else {
                    continue;
                };
                let (a, b) = (&xa.2[ma], &xb.2[mb]);
                let (describe, effect_size, p) = if self.paired {
                    let p = stats::paired(&b[..common], &a[..common]);
                    (p.diff, p.effect_size, p.p)
                } else {
                    let w = stats::welch(b, a);
                    (w.diff, w.effect_size, w.p)
                };
                cross.push(out.len());
                out.push(Stat {
                    metric: metric.clone(),
                    kind: xa.1,
                    model: offset + mb,
                    versus: Some(ma),
                    describe,
                    effect_size,
                    p_value: p,
                    p_holm: p,
                });
            }
        }
        compare::adjust_among(&mut out, &cross);
        out
    }

    /// The manifest of the comparison (its tables' checksums are added when it is written).
    /// `command` reproduces it.
    pub fn manifest(&self, command: &str) -> Manifest {
        let (a, b) = (&self.a.manifest, &self.b.manifest);
        let version = env!("CARGO_PKG_VERSION").to_string();
        let identity = crate::output::sha256(
            format!(
                "leadsim {version}\ncompare\n{} {}\n{} {}\n",
                self.a.label, a.identity, self.b.label, b.identity
            )
            .as_bytes(),
        );
        let labelled = |s: &Side| -> (Vec<InputFile>, Vec<ModelInfo>) {
            let inputs = s
                .manifest
                .inputs
                .iter()
                .map(|f| InputFile {
                    role: format!("{} {}", s.label, f.role),
                    ..f.clone()
                })
                .collect();
            let models = s
                .manifest
                .models
                .iter()
                .map(|m| ModelInfo {
                    name: format!("{}:{}", s.label, m.name),
                    ..m.clone()
                })
                .collect();
            (inputs, models)
        };
        let (mut inputs, mut models) = labelled(&self.a);
        let (ib, mb) = labelled(&self.b);
        inputs.extend(ib);
        models.extend(mb);
        let mut steps = a.steps.clone();
        steps.extend(b.steps.iter().filter(|s| !a.steps.contains(s)));
        let mut seeds = a.seeds.clone();
        if !self.paired {
            seeds.extend(b.seeds.iter().map(|s| crate::output::manifest::SeedInfo {
                world_key: 1,
                ..s.clone()
            }));
        }
        let compared = |s: &Side| ComparedResult {
            label: s.label.clone(),
            path: s.dir.display().to_string(),
            identity: s.manifest.identity.clone(),
            command: s.manifest.command.clone(),
        };
        Manifest {
            tool: "leadsim".into(),
            version,
            kind: "compare".into(),
            name: format!("{}-vs-{}", self.a.label, self.b.label),
            identity,
            command: command.to_string(),
            overrides: BTreeMap::new(),
            inputs,
            seed: a.seed,
            replications: a.replications.max(b.replications),
            steps,
            runs: a.runs + b.runs,
            models,
            axes: Vec::new(),
            points: a.points.clone(),
            seeds,
            shard: String::new(),
            files: BTreeMap::new(),
            precision: None,
            compare: Some(CompareInfo {
                a: compared(&self.a),
                b: compared(&self.b),
                paired: self.paired,
                pairing: self.pairing.clone(),
            }),
        }
    }

    /// Writes the tables of the comparison into the folder `out` (each under a temporary name
    /// renamed into place) and then `manifest` (from [`Comparison::manifest`]) with their
    /// checksums, last.
    pub fn write(&self, out: &Path, manifest: Manifest) -> Result<Manifest, CompareError> {
        let mut files = BTreeMap::new();
        for name in [
            crate::output::TIMESERIES,
            crate::output::SUMMARY,
            crate::output::SHOCKS,
        ] {
            files.insert(name.to_string(), self.concatenate(name, out)?);
        }
        let layout = Layout {
            sweep: false,
            axes: Vec::new(),
            points: vec![Vec::new()],
            models: self.models(),
            replications: manifest.replications,
            journal_replications: manifest.replications,
            metrics: Vec::new(),
            kinds: Vec::new(),
            measured: vec![Vec::new()],
        };
        let mut st = AtomicFile::create_checksummed(&out.join(crate::output::STATS))?;
        let mut bytes = layout.stats_header();
        bytes.extend(crate::output::tables::stats_rows(&layout, 0, &self.stats()));
        st.write_all(&bytes).map_err(|e| OutputError::Io {
            path: out.join(crate::output::STATS),
            source: e,
        })?;
        files.insert(crate::output::STATS.to_string(), st.commit_checksummed()?);
        Ok(manifest.write_manifest(out, files)?)
    }

    /// Writes the table `name` of A then of B into `out`, each row's model renamed
    /// `LABEL:model`; returns its checksum.
    fn concatenate(&self, name: &str, out: &Path) -> Result<String, CompareError> {
        let dest = out.join(name);
        let mut file = AtomicFile::create_checksummed(&dest)?;
        let io = |e: std::io::Error| OutputError::Io {
            path: dest.clone(),
            source: e,
        };
        let mut header: Option<Vec<String>> = None;
        {
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(&mut file);
            for side in [&self.a, &self.b] {
                let (t, mut reader) = read::open(&side.dir, name)?;
                match &header {
                    None => {
                        writer.write_record(&t.header).map_err(|e| io(e.into()))?;
                        header = Some(t.header.clone());
                    }
                    Some(h) if *h != t.header => {
                        return Err(CompareError::Input {
                            path: t.path.clone(),
                            detail: format!(
                                "its columns differ from {}'s: compare results of the same metrics",
                                self.a.dir.join(name).display()
                            ),
                        });
                    }
                    Some(_) => {}
                }
                let model = t.column("model")?;
                let mut record = csv::StringRecord::new();
                let mut cells: Vec<String> = Vec::with_capacity(t.header.len());
                while t.next(&mut reader, &mut record)? {
                    cells.clear();
                    for (c, cell) in record.iter().enumerate() {
                        cells.push(if c == model {
                            format!("{}:{cell}", side.label)
                        } else {
                            cell.to_string()
                        });
                    }
                    writer.write_record(&cells).map_err(|e| io(e.into()))?;
                }
            }
            writer.flush().map_err(io)?;
        }
        Ok(file.commit_checksummed()?)
    }
}
