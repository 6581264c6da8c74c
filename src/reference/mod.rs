//! Reference models of organizational learning, used to validate the substrate and as classic
//! baselines: March (1991) and Lazer & Friedman (2007).
//!
//! Each model is a module of plain rule functions over plain state, a driver that runs one
//! simulation from a seed, and a replication harness that runs the published experiment in
//! parallel and compares it with the published figure; [`scenario`] reads their scenario files
//! (`family = "march1991"`, `"lazer_friedman2007"`), so they also run in the ordinary engine:
//!
//! - [`march1991`]: mutual learning between an organizational code and its members
//!   (socialization `p1`, code learning `p2`, turnover `p3`, turbulence `p4`);
//!   [`march1991::replicate_fig1`] reruns Fig. 1 (equilibrium knowledge against `p1` and `p2`).
//! - [`lazer_friedman`]: agents on a network searching one NK landscape by copying better
//!   neighbours and exploring; [`lazer_friedman::replicate_fig4`] reruns Fig. 4 (linear against
//!   complete network over 100 rounds).
//!
//! A replication returns a [`Replication`]: a table of [`Check`]s (published value, ours, its
//! standard error, the tolerance and the verdict) and the full curves as [`Figure`]s, so a chart
//! can be drawn later from the same data without rerunning anything.
//!
//! How a check is judged: a published value read off a figure is itself uncertain in two ways —
//! the reading (a printed curve is read to about ±0.01) and the sampling noise of the original
//! experiment (a mean over 80 runs for March, 1,000 landscapes for Lazer & Friedman). The second
//! is estimated from our own runs as `sd / √(original sample size)`. A check passes when
//! `|ours − published| ≤ reading + Z·√(se_ours² + se_published²)` with `Z` = 3: a two-sample
//! test at about the 0.3 % level per check, so a table of a dozen checks fails by chance well
//! under one time in twenty. Wrong rules still fail: acting on 0 beliefs as 0 moves Fig. 1 by
//! 0.25 or more, one-step socialization or counting ties with the code as superior moves its
//! p2 = 0.9, p1 = 0.9 point to 0.67–0.68 (published 0.75), and agents that do not explore after
//! looking leave both networks of Fig. 4 near 0.26.
//!
//! Every random draw comes from [`crate::rng`] streams derived from the seed and the run's
//! indices, runs are distributed with rayon and collected in index order, and every mean is
//! summed sequentially in that order: results are identical for any number of threads.
//!
//! ```
//! use leadsim::reference::march1991;
//! // A small Fig. 1 rerun: 40 runs per point (the tests and the CLI use far more).
//! let rep = march1991::replicate_fig1(40, 7).unwrap();
//! assert_eq!(rep.figures[0].series.len(), 3);
//! assert!(rep.checks.iter().all(|c| c.ours > 0.5 && c.ours <= 1.0));
//! ```

pub mod lazer_friedman;
pub mod march1991;
pub(crate) mod scenario;

use serde::Serialize;

/// The number of combined standard errors a check allows beyond the reading margin.
pub(crate) const Z: f64 = 3.0;

/// One row of a replication table: a published value against ours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What is compared, e.g. `"p2=0.9 p1=0.1 equilibrium code knowledge"`.
    pub label: String,
    /// The published value (read off the paper's figure).
    pub published: f64,
    /// How precisely the published value can be read off the figure (± this much).
    pub(crate) reading: f64,
    /// The estimated standard error of the published value from the original sample size
    /// (`None` when the figure is not a sample mean, e.g. a crossing round).
    pub(crate) published_se: Option<f64>,
    /// Our estimate.
    pub ours: f64,
    /// The standard error of our estimate (`None` when it has none).
    pub se: Option<f64>,
    /// The largest difference that passes: `reading + Z·√(se² + published_se²)`.
    pub tolerance: f64,
    /// `|ours − published| ≤ tolerance`.
    pub pass: bool,
}

impl Check {
    /// Judges `ours` (with standard error `se`) against `published` (read to ± `reading`, with
    /// sampling standard error `published_se`).
    pub(crate) fn new(
        label: impl Into<String>,
        published: f64,
        reading: f64,
        published_se: Option<f64>,
        ours: f64,
        se: Option<f64>,
    ) -> Check {
        let noise = (se.unwrap_or(0.0).powi(2) + published_se.unwrap_or(0.0).powi(2)).sqrt();
        let tolerance = reading + Z * noise;
        Check {
            label: label.into(),
            published,
            reading,
            published_se,
            ours,
            se,
            tolerance,
            pass: (ours - published).abs() <= tolerance,
        }
    }
}

/// One curve of a figure: a mean and its standard error at each `x`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// The legend entry, e.g. `"p2=0.9"` or `"linear"`.
    pub label: String,
    /// The abscissae.
    pub x: Vec<f64>,
    /// The mean over runs at each `x`.
    pub mean: Vec<f64>,
    /// The standard error of each mean.
    pub se: Vec<f64>,
}

/// The data of one chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// A short file-friendly name, e.g. `"fig1"`.
    pub name: String,
    /// The chart title.
    pub title: String,
    /// The x-axis label.
    pub x_label: String,
    /// The y-axis label.
    pub y_label: String,
    /// The curves.
    pub series: Vec<Series>,
}

/// The result of rerunning a published experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replication {
    /// The replication's name, e.g. `"march1991-fig1"`.
    pub name: String,
    /// The publication and figure replicated.
    pub source: String,
    /// Runs (March) or landscapes (Lazer & Friedman) per point.
    pub samples: usize,
    /// The master seed.
    pub seed: u64,
    /// The comparison table.
    pub checks: Vec<Check>,
    /// The full curves.
    pub figures: Vec<Figure>,
    /// Facts a reader of the table needs, e.g. how many runs hit a period cap.
    pub notes: Vec<String>,
}

impl Replication {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }

    /// One line per failed check: its label, the published value, ours and the tolerance.
    #[cfg(test)]
    pub(crate) fn failures(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter(|c| !c.pass)
            .map(|c| {
                format!(
                    "{}: published {} ours {:.4} tolerance {:.4}",
                    c.label, c.published, c.ours, c.tolerance
                )
            })
            .collect()
    }
}

/// Mean and standard error of the mean (sample sd / √len), summed in slice order so the result
/// does not depend on how the values were computed. The standard error is 0 for fewer than two
/// values.
pub(crate) fn mean_se(values: &[f64]) -> (f64, f64) {
    let len = values.len();
    if len == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut sum = 0.0;
    for &v in values {
        sum += v;
    }
    let mean = sum / len as f64;
    if len < 2 {
        return (mean, 0.0);
    }
    let mut ss = 0.0;
    for &v in values {
        ss += (v - mean) * (v - mean);
    }
    let sd = (ss / (len - 1) as f64).sqrt();
    (mean, sd / (len as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_tolerance_combines_reading_and_both_standard_errors() {
        let c = Check::new("x", 0.5, 0.01, Some(0.003), 0.53, Some(0.004));
        assert!((c.tolerance - (0.01 + 3.0 * 0.005)).abs() < 1e-12);
        assert!(!c.pass, "0.03 off with tolerance 0.025 must fail");
        let c = Check::new("x", 0.5, 0.01, None, 0.505, None);
        assert!(c.pass && c.tolerance == 0.01);
    }

    #[test]
    fn mean_se_of_known_values() {
        let (m, se) = mean_se(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        // sd = sqrt(5/3); se = sd / 2.
        assert!((se - (5.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-12);
        assert_eq!(mean_se(&[7.0]), (7.0, 0.0));
        assert!(mean_se(&[]).0.is_nan());
    }
}
