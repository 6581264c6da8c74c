//! Which parameters drive an outcome: Morris and Sobol' sensitivity indices of a finished
//! sweep, computed from its files (`manifest.json`, `stats.csv`) and written next to them as
//! `sensitivity.csv`, with the sweep as SALib's problem in `problem.json`.
//!
//! `leadsim sweep` writes both after its tables; `leadsim sensitivity DIR` redoes them from the
//! files (say, for other quantities). The design's points are rebuilt from the sweep file the
//! manifest holds and its master seed, so nothing but the result folder is needed.
//!
//! - **What is analysed.** A quantity ([`Quantity`]) per design point: a measure of one model,
//!   or the paired difference between two models (replicate by replicate, so common random
//!   numbers cancel the shared noise), averaged over the point's replicates: the `mean` of its
//!   `stats.csv` row. Indices are computed from these per-point means, in the design's order,
//!   by the analysis core ([`crate::analysis`]), whose point estimates equal SALib 1.6's.
//! - **Replicate noise.** A per-point mean carries the noise of its replicates: its variance
//!   is `se²`. The *noise share* of a quantity is the mean `se²` over the points divided by the
//!   variance of the per-point means over the points (capped at 1): the part of the variance
//!   the indices decompose that is noise rather than the parameters. Noise spreads over every
//!   index (it inflates total effects and shrinks first-order ones); at a share of
//!   [`NOISE_SWAMPS`] or more it swamps the effects, and the rows are flagged `noisy`: run more
//!   replicates (or replications by precision) before reading the indices.
//! - **Intervals.** Bootstrap 95% intervals over the design's base rows (Sobol') or
//!   trajectories (Morris μ*), `resamples` resamples drawn from a stream derived from the
//!   sweep's master seed and the quantity's text, so the same folder always gives the same
//!   file. SALib's method, but SALib's own resamples come from NumPy, so its `*_conf` differ.

use crate::analysis::morris;
use crate::analysis::saltelli::{self, SaltelliDesign};
use crate::experiment::sweep::{Design, Sweep};
use crate::experiment::{RebuildError, sweep_from_manifest};
use crate::output::analysis::{IndexRow, Problem, ProblemAxis, ProblemNotes};
use crate::output::manifest::Manifest;
use crate::output::read::{self, ReadError, StatRow};
use crate::output::{self, OutputError};
use crate::results::Quantity;
use crate::rng::{self, Purpose};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A noise share at or above this swamps the effects (the `noisy` flag): half of the variance
/// of the per-point means is then replicate noise.
pub const NOISE_SWAMPS: f64 = 0.5;

/// Stream identifier of the bootstrap resamples under `Purpose::Sampling` ("SENS").
const SENSITIVITY_STREAM: u64 = 0x5345_4E53;

/// Why a sweep could not be analysed.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// The result folder could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The sweep file in the manifest could not be rebuilt.
    #[error("{path}: the sweep it records cannot be rebuilt: {source}")]
    Rebuild {
        /// The manifest.
        path: PathBuf,
        /// Why.
        source: RebuildError,
    },
    /// The folder or the request does not fit an analysis (a run, not a sweep; an unknown
    /// quantity; points that do not match the design).
    #[error("{0}")]
    Input(String),
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl SensitivityError {
    /// Whether the folder or the request is at fault (exit 2) rather than the machine (exit 1).
    pub fn is_input(&self) -> bool {
        match self {
            SensitivityError::Read(e) => e.is_input(),
            SensitivityError::Output(e) => e.is_input(),
            SensitivityError::Rebuild { .. } | SensitivityError::Input(_) => true,
        }
    }
}

/// What to analyse; empty fields take the sweep file's `[analysis]` table, then the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Quantities as text (see [`Quantity`]).
    pub quantities: Vec<String>,
    /// Bootstrap resamples.
    pub resamples: Option<usize>,
}

/// The indices of one quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantityIndices {
    /// What was analysed.
    pub quantity: Quantity,
    /// Its `sensitivity.csv` rows.
    pub rows: Vec<IndexRow>,
    /// The noise share (NaN when the replicates cannot tell: fewer than two per point).
    pub noise_share: f64,
}

/// A sweep's analysis: its problem and the indices of each quantity.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The sweep's design.
    pub design: Design,
    /// The sweep as SALib's problem (sampled designs; `None` for a grid).
    pub problem: Option<Problem>,
    /// The indices of each quantity analysed (empty unless Morris or Sobol').
    pub indices: Vec<QuantityIndices>,
    /// Quantities that could not be analysed, and why (an NA mean at some point).
    pub skipped: Vec<(Quantity, String)>,
}

impl Analysis {
    /// The quantities whose replicate noise swamps their effects.
    pub fn noisy(&self) -> impl Iterator<Item = &QuantityIndices> {
        self.indices
            .iter()
            .filter(|q| q.noise_share >= NOISE_SWAMPS)
    }
}

/// Analyses the finished sweep in `dir`.
pub fn analyse(dir: &Path, opts: &Options) -> Result<Analysis, SensitivityError> {
    let manifest = read::manifest(dir)?;
    if manifest.kind != "sweep" {
        return Err(SensitivityError::Input(format!(
            "{} is the result of a run, not a sweep: sensitivity indices need a sweep with a morris or sobol design",
            dir.display()
        )));
    }
    let sweep = sweep_from_manifest(&manifest).map_err(|source| SensitivityError::Rebuild {
        path: dir.join(output::MANIFEST),
        source,
    })?;
    let problem = sweep.design.is_sampled().then(|| problem(&sweep));
    let mut analysis = Analysis {
        design: sweep.design,
        problem,
        indices: Vec::new(),
        skipped: Vec::new(),
    };
    if !sweep.design.has_indices() {
        return Ok(analysis);
    }
    // Read only when there are indices to compute: stats.csv of a large grid is large.
    let (_, stats) = read::stats(dir)?;
    let unit = sweep.unit_points().unwrap_or_default();
    if unit.len() != manifest.points.len() {
        return Err(SensitivityError::Input(format!(
            "{}: {} points, but its sweep file's {} design has {}: the folder does not hold that sweep's result",
            dir.join(output::MANIFEST).display(),
            manifest.points.len(),
            sweep.design.kind(),
            unit.len()
        )));
    }
    let models: Vec<String> = manifest.models.iter().map(|m| m.name.clone()).collect();
    let quantities = quantities(&sweep, opts, &models, &stats, dir)?;
    let resamples = opts.resamples.unwrap_or(sweep.analysis.resamples);
    let point_means = PointMeans::new(&stats, manifest.points.len());
    for q in quantities {
        match indices_of(&sweep, &manifest, &unit, &point_means, &q, resamples) {
            Ok(found) => analysis.indices.push(found),
            Err(why) => analysis.skipped.push((q, why)),
        }
    }
    Ok(analysis)
}

/// Writes `problem.json` and (Morris, Sobol') `sensitivity.csv` into `dir`; returns the files.
pub fn write(dir: &Path, analysis: &Analysis) -> Result<Vec<PathBuf>, SensitivityError> {
    let mut out = Vec::new();
    if let Some(p) = &analysis.problem {
        out.push(output::analysis::write_problem(dir, p)?);
    }
    if analysis.design.has_indices() {
        let rows: Vec<IndexRow> = analysis
            .indices
            .iter()
            .flat_map(|q| q.rows.iter().cloned())
            .collect();
        out.push(output::analysis::write_sensitivity(dir, &rows)?);
    }
    Ok(out)
}

/// The quantities to analyse, each measure of every model expanded to one per model: those
/// asked for, else the sweep file's, else the headline measures of every model and the paired
/// difference of every later model from the first (as the heatmaps show).
fn quantities(
    sweep: &Sweep,
    opts: &Options,
    models: &[String],
    stats: &[StatRow],
    dir: &Path,
) -> Result<Vec<Quantity>, SensitivityError> {
    let mut metrics: Vec<String> = Vec::new();
    for s in stats {
        if !metrics.contains(&s.metric) {
            metrics.push(s.metric.clone());
        }
    }
    let texts: Vec<String> = if !opts.quantities.is_empty() {
        opts.quantities.clone()
    } else if !sweep.analysis.quantities.is_empty() {
        sweep.analysis.quantities.clone()
    } else {
        let headline = crate::plot::SWEEP_METRICS
            .iter()
            .filter(|m| metrics.iter().any(|x| x == *m));
        headline
            .flat_map(|m| {
                std::iter::once(m.to_string()).chain(
                    models
                        .iter()
                        .skip(1)
                        .map(move |later| format!("{later}-{}:{m}", models[0])),
                )
            })
            .collect()
    };
    let mut out = Vec::new();
    for text in texts {
        let q = Quantity::parse(&text, models, &metrics).map_err(|e| {
            SensitivityError::Input(format!("{}: quantity \"{text}\": {e}", dir.display()))
        })?;
        for each in q.expand(models) {
            if !out.contains(&each) {
                out.push(each);
            }
        }
    }
    Ok(out)
}

/// The per-point mean and standard error of every `stats.csv` statistic, by (metric, model,
/// versus).
struct PointMeans<'a> {
    rows: BTreeMap<(&'a str, &'a str, &'a str), Vec<Option<&'a StatRow>>>,
}

impl<'a> PointMeans<'a> {
    fn new(stats: &'a [StatRow], points: usize) -> PointMeans<'a> {
        let mut rows: BTreeMap<(&str, &str, &str), Vec<Option<&StatRow>>> = BTreeMap::new();
        for s in stats {
            let key = (
                s.metric.as_str(),
                s.model.as_str(),
                s.versus.as_deref().unwrap_or(""),
            );
            let per_point = rows.entry(key).or_insert_with(|| vec![None; points]);
            if let Some(p) = s.point.filter(|&p| p < points) {
                per_point[p] = Some(s);
            }
        }
        PointMeans { rows }
    }

    /// The quantity's mean and standard error at every point, with the replicates of each;
    /// a paired difference stored the other way round (`stats.csv` has later − earlier) is
    /// negated.
    fn of(&self, q: &Quantity) -> Result<Vec<(f64, f64, usize)>, String> {
        let model = q.model.as_deref().unwrap_or("");
        let versus = q.versus.as_deref().unwrap_or("");
        let (rows, sign) = match self.rows.get(&(q.metric.as_str(), model, versus)) {
            Some(r) => (r, 1.0),
            None => match self.rows.get(&(q.metric.as_str(), versus, model)) {
                Some(r) if !versus.is_empty() => (r, -1.0),
                _ => return Err("stats.csv has no rows of it".to_string()),
            },
        };
        rows.iter()
            .enumerate()
            .map(|(p, r)| match r {
                Some(r) => Ok((sign * r.mean, r.se, r.n)),
                None => Err(format!("stats.csv has no row of it at point {p}")),
            })
            .collect()
    }
}

/// The indices of quantity `q`, or why it cannot be analysed.
fn indices_of(
    sweep: &Sweep,
    manifest: &Manifest,
    unit: &[Vec<f64>],
    means: &PointMeans,
    q: &Quantity,
    resamples: usize,
) -> Result<QuantityIndices, String> {
    let per_point = means.of(q)?;
    if let Some(p) = per_point.iter().position(|(m, _, _)| !m.is_finite()) {
        return Err(format!(
            "its mean is NA at point {p} (no replicate defined it), and indices need a value at every point"
        ));
    }
    let y: Vec<f64> = per_point.iter().map(|&(m, _, _)| m).collect();
    let noise_share = noise_share(&per_point);
    let replicates = per_point.iter().map(|&(_, _, n)| n).min().unwrap_or(0);
    let text = q.to_string();
    let mut r = rng::stream(
        manifest.seed,
        Purpose::Sampling,
        &[SENSITIVITY_STREAM, crc32fast::hash(text.as_bytes()) as u64],
    );
    let names: Vec<String> = sweep.axis_summaries().into_iter().map(|a| a.path).collect();
    let row = |parameter: &str, other: &str, index: &str, estimate: f64, conf: f64| IndexRow {
        quantity: text.clone(),
        metric: q.metric.clone(),
        model: q.model.clone().unwrap_or_default(),
        versus: q.versus.clone().unwrap_or_default(),
        parameter: parameter.to_string(),
        other: other.to_string(),
        index: index.to_string(),
        estimate,
        conf,
        points: y.len(),
        replicates,
        noise_share,
        noisy: noise_share >= NOISE_SWAMPS,
    };
    let mut rows = Vec::new();
    match sweep.design {
        Design::Sobol {
            samples,
            second_order,
        } => {
            let design = SaltelliDesign::new(names.len(), samples, second_order)
                .map_err(|e| e.to_string())?;
            let si =
                saltelli::indices(&design, &y, resamples, &mut r).map_err(|e| e.to_string())?;
            for (j, name) in names.iter().enumerate() {
                rows.push(row(name, "", "S1", si.s1[j].value, si.s1[j].conf));
                rows.push(row(name, "", "ST", si.st[j].value, si.st[j].conf));
            }
            for (j, per) in si.s2.iter().flatten().enumerate() {
                for (l, e) in per.iter().enumerate().skip(j + 1) {
                    rows.push(row(&names[j], &names[l], "S2", e.value, e.conf));
                }
            }
        }
        Design::Morris { levels, .. } => {
            let mi =
                morris::indices(unit, &y, levels, resamples, &mut r).map_err(|e| e.to_string())?;
            for (j, name) in names.iter().enumerate() {
                rows.push(row(name, "", "mu", mi.mu[j], f64::NAN));
                rows.push(row(
                    name,
                    "",
                    "mu_star",
                    mi.mu_star[j].value,
                    mi.mu_star[j].conf,
                ));
                rows.push(row(name, "", "sigma", mi.sigma[j], f64::NAN));
            }
        }
        _ => return Err(format!("a {} design has no indices", sweep.design.kind())),
    }
    Ok(QuantityIndices {
        quantity: q.clone(),
        rows,
        noise_share,
    })
}

/// The share of the variance of the per-point means (sample variance over the points) that
/// their standard errors account for (mean `se²`), capped at 1; NaN when a point has fewer than
/// two replicates (its noise is unknown).
pub fn noise_share(per_point: &[(f64, f64, usize)]) -> f64 {
    let n = per_point.len();
    if n < 2 || per_point.iter().any(|(_, se, _)| !se.is_finite()) {
        return f64::NAN;
    }
    let mean = per_point.iter().map(|p| p.0).sum::<f64>() / n as f64;
    let var = per_point.iter().map(|p| (p.0 - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let noise = per_point.iter().map(|p| p.1 * p.1).sum::<f64>() / n as f64;
    if var <= 0.0 {
        return if noise > 0.0 { 1.0 } else { 0.0 };
    }
    (noise / var).min(1.0)
}

/// The sweep as SALib's problem: bounds and distributions SALib samples the same values from
/// (a discrete axis as the unit coordinate that selects its value).
fn problem(sweep: &Sweep) -> Problem {
    let axes = sweep.axis_summaries();
    let mut bounds = Vec::new();
    let mut dists = Vec::new();
    let mut notes = Vec::new();
    for a in &axes {
        let discrete = a.distribution == "values";
        let whole_uniform = a.integer && a.distribution == "uniform";
        let (b, d) = match (a.distribution, a.normal) {
            _ if discrete => (vec![0.0, 1.0], "unif"),
            // u·m whole numbers from ⌈from⌉: ⌊x⌋ of x uniform on [⌈from⌉, ⌊to⌋ + 1].
            _ if whole_uniform => (vec![a.from.ceil(), a.to.floor() + 1.0], "unif"),
            ("log_uniform", _) => (vec![a.from, a.to], "logunif"),
            ("normal", Some((mean, sd))) => (vec![a.from, a.to, mean, sd], "truncnorm"),
            _ => (vec![a.from, a.to], "unif"),
        };
        bounds.push(b);
        dists.push(d.to_string());
        notes.push(ProblemAxis {
            name: a.path.clone(),
            distribution: a.distribution.to_string(),
            values: if discrete {
                a.values.clone()
            } else {
                Vec::new()
            },
            integer: a.integer,
        });
    }
    let mut parameters = BTreeMap::new();
    let mut set = |k: &str, v: serde_json::Value| {
        parameters.insert(k.to_string(), v);
    };
    match sweep.design {
        Design::Sobol {
            samples,
            second_order,
        } => {
            set("N", samples.into());
            set("calc_second_order", second_order.into());
            set("scramble", false.into());
            set("skip_values", saltelli::default_skip(samples).into());
        }
        Design::Morris {
            trajectories,
            levels,
        } => {
            set("N", trajectories.into());
            set("num_levels", levels.into());
        }
        Design::Random { samples } | Design::Lhs { samples } => set("N", samples.into()),
        Design::Grid => {}
    }
    Problem {
        num_vars: axes.len(),
        names: axes.iter().map(|a| a.path.clone()).collect(),
        bounds,
        dists,
        leadsim: ProblemNotes {
            design: sweep.design.kind().to_string(),
            parameters,
            axes: notes,
            note: "SALib's sample of this problem with these parameters gives the sweep's points \
                   (Sobol': SALib.sample.sobol.sample; Morris trajectories are drawn from leadsim's \
                   seed, so only their analysis matches). A discrete axis (values) is sampled as u \
                   on [0, 1] and takes value ⌊u·m⌋ of its m values; an integer uniform axis takes \
                   ⌊x⌋, other integer axes round x."
                .to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_noise_share_is_the_replicate_variance_over_the_variance_of_the_means() {
        // Means 0, 2, 4 (variance 4) with standard errors 1: noise 1 of 4.
        let pts = [(0.0, 1.0, 5), (2.0, 1.0, 5), (4.0, 1.0, 5)];
        assert_eq!(noise_share(&pts), 0.25);
        // Noise larger than the spread of the means is all of it.
        assert_eq!(noise_share(&[(0.0, 3.0, 5), (1.0, 3.0, 5)]), 1.0);
        assert_eq!(noise_share(&[(1.0, 0.0, 5), (1.0, 0.0, 5)]), 0.0);
        assert!(noise_share(&[(0.0, f64::NAN, 1), (1.0, f64::NAN, 1)]).is_nan());
    }
}
