//! Where a condition holds: scenario discovery with PRIM (Friedman & Fisher 1999) over the
//! swept parameters of a finished sweep (`leadsim discover DIR --where "…"`).
//!
//! The condition compares a quantity's per-point mean (its `stats.csv` mean over the point's
//! replicates) with a number: `shared-centralized:performance_mean > 0` ("shared beats
//! centralized"), `shared:engagement_mean >= 0.6`; `>`, `>=`, `<` and `<=`. A quantity names
//! one model or a pair (with a single model, a plain measure names it). Points where the mean is
//! NA are left out, and counted.
//!
//! Each point is a row of its swept values (an axis of words or true/false is numbered by the
//! position of its values, in the sweep file's order); PRIM ([`crate::analysis::prim`], as EMA
//! Workbench's `Prim` for float columns) peels from the box around every point towards denser
//! boxes, then pastes. The trajectory goes from coverage 1 and density the base rate to small,
//! dense boxes.
//!
//! **Which box.** The densest box on the trajectory whose coverage is at least `min_coverage`
//! (default [`MIN_COVERAGE`]: it still holds half of the points where the condition holds),
//! ties to the higher coverage, then to the earlier box ([`crate::analysis::prim::Trajectory::choose`]).
//! The initial box always qualifies, so the chosen box is never less dense than the data.

use crate::analysis::prim::{self, PrimOptions, Step};
use crate::experiment::sweep_from_manifest;
use crate::output::analysis::{BoxRow, Discovery, PointRow};
use crate::output::read::{self, ReadError};
use crate::output::{self, OutputError};
use crate::results::Quantity;
use std::path::{Path, PathBuf};

/// The default least coverage of the chosen box.
pub const MIN_COVERAGE: f64 = 0.5;

/// Why a discovery could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The result folder could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The condition, the options or the folder do not allow a discovery.
    #[error("{0}")]
    Input(String),
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl DiscoverError {
    /// Whether the folder or the request is at fault (exit 2) rather than the machine (exit 1).
    pub fn is_input(&self) -> bool {
        match self {
            DiscoverError::Read(e) => e.is_input(),
            DiscoverError::Output(e) => e.is_input(),
            DiscoverError::Input(_) => true,
        }
    }
}

/// A comparison of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `>`
    Greater,
    /// `>=`
    AtLeast,
    /// `<`
    Less,
    /// `<=`
    AtMost,
}

impl Comparison {
    fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Comparison::Greater => x > value,
            Comparison::AtLeast => x >= value,
            Comparison::Less => x < value,
            Comparison::AtMost => x <= value,
        }
    }
}

/// A condition on a quantity's per-point mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// One model's measure, or a paired difference.
    pub quantity: Quantity,
    /// How it is compared.
    pub comparison: Comparison,
    /// With what.
    pub value: f64,
}

impl Condition {
    /// Reads `text` (`QUANTITY OP NUMBER`) against the experiment's `models` and `metrics`;
    /// the error says what is valid.
    pub fn parse(text: &str, models: &[String], metrics: &[String]) -> Result<Condition, String> {
        let ops = [
            (">=", Comparison::AtLeast),
            ("<=", Comparison::AtMost),
            (">", Comparison::Greater),
            ("<", Comparison::Less),
        ];
        let Some((at, op, comparison)) = ops
            .iter()
            .find_map(|&(op, c)| text.find(op).map(|i| (i, op, c)))
        else {
            return Err(format!(
                "\"{text}\" has no comparison: write QUANTITY > VALUE (or >=, <, <=), e.g. \"shared-centralized:performance_mean > 0\""
            ));
        };
        let (left, right) = (text[..at].trim(), text[at + op.len()..].trim());
        let value: f64 = right
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("\"{right}\" (after {op}) is not a number"))?;
        let mut quantity = Quantity::parse(left, models, metrics)?;
        if quantity.model.is_none() {
            if models.len() != 1 {
                return Err(format!(
                    "\"{left}\" names every model: a condition needs one model (MODEL:{0}) or a paired difference (MODEL-MODEL:{0}); the models: {1}",
                    quantity.metric,
                    models.join(", ")
                ));
            }
            quantity.model = Some(models[0].clone());
        }
        Ok(Condition {
            quantity,
            comparison,
            value,
        })
    }
}

/// How to search and which box to choose.
#[derive(Debug, Clone)]
pub struct Options {
    /// PRIM's parameters (EMA Workbench's defaults).
    pub prim: PrimOptions,
    /// The chosen box is the densest with at least this coverage.
    pub min_coverage: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            prim: PrimOptions::default(),
            min_coverage: MIN_COVERAGE,
        }
    }
}

/// A discovery and what it was made from.
#[derive(Debug, Clone)]
pub struct Found {
    /// The trajectory and its boxes, the chosen one marked, as written.
    pub discovery: Discovery,
    /// The chosen box's index on the trajectory.
    pub chosen: usize,
    /// Points used (those with a defined mean).
    pub points: usize,
    /// Points where the condition holds.
    pub cases: usize,
    /// Points left out because the quantity's mean is NA there.
    pub excluded: usize,
    /// Per parameter, the values of an axis of words numbered by position (else `None`).
    pub labels: Vec<Option<Vec<String>>>,
}

/// Finds where `condition` holds in the finished sweep `dir`.
pub fn discover(dir: &Path, condition: &str, opts: &Options) -> Result<Found, DiscoverError> {
    let (manifest, stats) = read::stats(dir)?;
    if manifest.kind != "sweep" || manifest.axes.is_empty() {
        return Err(DiscoverError::Input(format!(
            "{} is the result of a run, not a sweep: discovery needs swept parameters",
            dir.display()
        )));
    }
    if !(0.0..=1.0).contains(&opts.min_coverage) {
        return Err(DiscoverError::Input(format!(
            "--min-coverage {} is not a share: give a number between 0 and 1",
            opts.min_coverage
        )));
    }
    let models: Vec<String> = manifest.models.iter().map(|m| m.name.clone()).collect();
    let mut metrics: Vec<String> = Vec::new();
    for s in &stats {
        if !metrics.contains(&s.metric) {
            metrics.push(s.metric.clone());
        }
    }
    let c = Condition::parse(condition, &models, &metrics)
        .map_err(|e| DiscoverError::Input(format!("--where: {e}")))?;
    let means = point_means(&stats, &c.quantity, manifest.points.len());
    let (x, labels) = coordinates(&manifest);
    let keep: Vec<usize> = (0..x.len()).filter(|&p| means[p].is_finite()).collect();
    let xs: Vec<Vec<f64>> = keep.iter().map(|&p| x[p].clone()).collect();
    let ys: Vec<bool> = keep
        .iter()
        .map(|&p| c.comparison.holds(means[p], c.value))
        .collect();
    let cases = ys.iter().filter(|&&b| b).count();
    if cases == 0 {
        return Err(DiscoverError::Input(format!(
            "\"{condition}\" holds at none of the {} points: there is no region to find (the quantity's per-point means range from {} to {})",
            xs.len(),
            short(keep.iter().map(|&p| means[p]).fold(f64::INFINITY, f64::min)),
            short(
                keep.iter()
                    .map(|&p| means[p])
                    .fold(f64::NEG_INFINITY, f64::max)
            )
        )));
    }
    let trajectory =
        prim::prim(&xs, &ys, &opts.prim).map_err(|e| DiscoverError::Input(format!("PRIM: {e}")))?;
    let chosen = trajectory.choose(opts.min_coverage);
    let first = &trajectory.boxes[0];
    let boxes = trajectory
        .boxes
        .iter()
        .enumerate()
        .map(|(i, b)| BoxRow {
            index: i,
            step: match b.step {
                Step::Initial => "initial",
                Step::Peel => "peel",
                Step::Paste => "paste",
            }
            .to_string(),
            points: b.points,
            cases: b.cases,
            coverage: b.coverage,
            density: b.density,
            mass: b.mass,
            restricted: b.restricted,
            chosen: i == chosen,
            bounds: (0..b.lower.len())
                .map(|j| {
                    let restricted = b.lower[j] != first.lower[j] || b.upper[j] != first.upper[j];
                    (b.lower[j], b.upper[j], restricted)
                })
                .collect(),
        })
        .collect();
    let points = keep
        .iter()
        .zip(&ys)
        .map(|(&p, &case)| PointRow {
            point: p,
            coords: x[p].clone(),
            mean: means[p],
            case,
        })
        .collect();
    Ok(Found {
        discovery: Discovery {
            condition: condition.trim().to_string(),
            parameters: manifest.axes.clone(),
            boxes,
            points,
        },
        chosen,
        points: xs.len(),
        cases,
        excluded: x.len() - xs.len(),
        labels,
    })
}

/// Writes the discovery's files into `dir`.
pub fn write(dir: &Path, found: &Found) -> Result<[PathBuf; 3], DiscoverError> {
    Ok(output::analysis::write_discovery(dir, &found.discovery)?)
}

/// The quantity's mean at every point (NaN where `stats.csv` has none or NA).
fn point_means(stats: &[read::StatRow], q: &Quantity, points: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; points];
    let model = q.model.as_deref();
    let versus = q.versus.as_deref();
    for s in stats.iter().filter(|s| s.metric == q.metric) {
        let Some(p) = s.point.filter(|&p| p < points) else {
            continue;
        };
        if s.model.as_str() == model.unwrap_or("") && s.versus.as_deref() == versus {
            out[p] = s.mean;
        } else if versus.is_some()
            && Some(s.model.as_str()) == versus
            && s.versus.as_deref() == model
        {
            // stats.csv holds later − earlier; the other way round is its negation.
            out[p] = -s.mean;
        }
    }
    out
}

/// Every point's swept values as numbers, in axis order: numbers as they are, an axis of words
/// (or true/false) by the position of the value among the axis's values (the sweep file's
/// order when the manifest holds it, else the order of first appearance), with those values.
fn coordinates(manifest: &output::manifest::Manifest) -> (Vec<Vec<f64>>, Vec<Option<Vec<String>>>) {
    let listed = sweep_from_manifest(manifest)
        .map(|s| s.axis_summaries())
        .unwrap_or_default();
    let cells = |a: &str| -> Vec<String> {
        manifest
            .points
            .iter()
            .map(|p| p.values.get(a).cloned().unwrap_or_default())
            .collect()
    };
    let mut columns = Vec::new();
    let mut labels = Vec::new();
    for a in &manifest.axes {
        let col = cells(a);
        let numbers: Option<Vec<f64>> = col
            .iter()
            .map(|c| c.parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        if let Some(n) = numbers {
            columns.push(n);
            labels.push(None);
            continue;
        }
        let mut values: Vec<String> = listed
            .iter()
            .find(|s| s.path == *a)
            .map(|s| s.values.clone())
            .unwrap_or_default();
        for c in &col {
            if !values.contains(c) {
                values.push(c.clone());
            }
        }
        columns.push(
            col.iter()
                .map(|c| values.iter().position(|v| v == c).unwrap_or(0) as f64)
                .collect(),
        );
        labels.push(Some(values));
    }
    let rows = (0..manifest.points.len())
        .map(|p| columns.iter().map(|c| c[p]).collect())
        .collect();
    (rows, labels)
}

fn short(x: f64) -> String {
    format!("{}", (x * 1e4).round() / 1e4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_name_a_model_or_a_pair_and_a_number() {
        let models = vec!["centralized".to_string(), "shared".to_string()];
        let metrics = vec!["performance_mean".to_string()];
        let c = Condition::parse(
            "shared-centralized:performance_mean >= -0.5",
            &models,
            &metrics,
        )
        .unwrap();
        assert_eq!(c.comparison, Comparison::AtLeast);
        assert_eq!(c.value, -0.5);
        assert_eq!(c.quantity.versus.as_deref(), Some("centralized"));
        let e = |t: &str| Condition::parse(t, &models, &metrics).unwrap_err();
        assert!(e("performance_mean > 0").contains("names every model"));
        assert!(e("shared:performance_mean = 0").contains("has no comparison"));
        assert!(e("shared:performance_mean > x").contains("\"x\" (after >) is not a number"));
        assert!(e("shared:perf > 0").contains("valid measures: \"performance_mean\""));
        assert!(
            e("hybrid:performance_mean > 0").contains("its models: \"centralized\", \"shared\"")
        );
        let one = Condition::parse("performance_mean < 0.3", &models[..1], &metrics).unwrap();
        assert_eq!(one.quantity.model.as_deref(), Some("centralized"));
        assert!(Comparison::Less.holds(0.2, 0.3) && !Comparison::AtMost.holds(0.4, 0.3));
    }
}
