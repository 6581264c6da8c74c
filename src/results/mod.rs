//! Typed results of runs and the statistics computed from them.
//!
//! One run of one model gives a [`RunResult`]: its time series (every kept step's metric
//! values), its summary (each metric's final value and mean over steps 1…T) and its shocks
//! (adaptability around each measured event firing). Statistics over replicates and the paired
//! comparisons of models ([`compare`]) are computed from these values, never from text: writing
//! CSV is the output layer's job alone, as hyperfine's exporters take typed results.
//!
//! This layer sits above the model (it knows nothing of worlds or leadership) and below
//! `output` (which writes what it computes).

pub(crate) mod compare;
pub mod quantity;
pub(crate) mod shocks;

pub use quantity::Quantity;
pub use shocks::{Adaptability, SHOCK_COLUMNS, Shock};

use crate::metrics::Metric;

/// A column of `summary.csv` or a metric of `stats.csv`, read back to the measure it is of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    /// The per-step metric (with `_final` or `_mean`) or the adaptability measure.
    pub metric: &'static Metric,
    /// How a run's values were reduced: `Some("final")` (the value at the last step),
    /// `Some("mean")` (the mean over steps 1…T), or `None` for an adaptability measure.
    pub reduced: Option<&'static str>,
}

impl Measure {
    /// How the run's value was taken, in words.
    pub fn reduction(&self) -> &'static str {
        match self.reduced {
            Some("final") => "value at the last step",
            Some(_) => "mean over the steps of a run",
            None => "per run, over its shocks",
        }
    }
}

/// Every measure leadsim writes: the per-step metrics of every family, then adaptability.
pub fn registry() -> impl Iterator<Item = &'static Metric> {
    crate::metrics::METRICS
        .iter()
        .chain(crate::reference::scenario::MARCH_METRICS.iter())
        .chain(crate::reference::scenario::LF_METRICS.iter())
        .chain(shocks::MEASURES.iter())
}

/// The measure of a `summary.csv` column (`performance_final`) or a `stats.csv` metric
/// (`shock_drop`, `shock_drop@market`); `None` for a name leadsim does not write.
pub fn measure(column: &str) -> Option<Measure> {
    // One event's adaptability measure: `shock_drop@market`.
    let column = column.split_once('@').map_or(column, |(c, _)| c);
    if let Some(m) = shocks::MEASURES.iter().find(|m| m.name == column) {
        return Some(Measure {
            metric: m,
            reduced: None,
        });
    }
    let (base, reduced) = column
        .strip_suffix("_final")
        .map(|b| (b, "final"))
        .or_else(|| column.strip_suffix("_mean").map(|b| (b, "mean")))?;
    registry().find(|m| m.name == base).map(|metric| Measure {
        metric,
        reduced: Some(reduced),
    })
}

/// The range of the values of a column or metric ([`measure`]), or of a per-step metric by its
/// bare name (`performance`); any value for a name leadsim does not write.
pub fn range_of(column: &str) -> crate::metrics::Range {
    match measure(column) {
        Some(m) => m.metric.range,
        None => registry()
            .find(|m| m.name == column)
            .map_or(crate::metrics::Range::ANY, |m| m.range),
    }
}

/// The kept rows of a run's time series: for each kept step, one value per metric, stored flat.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    width: usize,
    steps: Vec<u32>,
    values: Vec<f64>,
}

impl Series {
    /// An empty series of rows of `width` values, with room for `rows` rows.
    pub fn with_capacity(width: usize, rows: usize) -> Series {
        Series {
            width,
            steps: Vec::with_capacity(rows),
            values: Vec::with_capacity(rows * width),
        }
    }

    /// Appends the row of `step`. `values` must hold `width` values.
    pub fn push(&mut self, step: u32, values: &[f64]) {
        debug_assert_eq!(values.len(), self.width, "a row of the wrong width");
        self.steps.push(step);
        self.values.extend_from_slice(values);
    }

    /// Values per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The rows in order: `(step, values)`.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = (u32, &[f64])> + '_ {
        self.steps
            .iter()
            .copied()
            .zip(self.values.chunks_exact(self.width.max(1)))
    }
}

/// Each metric's final value and its mean over steps 1…T (NaN when never defined).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Each metric's value at the last step, in the study's metric order.
    pub finals: Vec<f64>,
    /// Each metric's mean over steps 1…T, NaN steps skipped.
    pub means: Vec<f64>,
}

impl Summary {
    /// The summary of `rows` (`(step, values)` of `width` values, in step order): the last row's
    /// values and the mean of each metric over the rows from step 1 on, skipping NaN.
    pub fn of_rows<'a>(width: usize, rows: impl IntoIterator<Item = (u32, &'a [f64])>) -> Summary {
        let mut finals = vec![f64::NAN; width];
        let mut sums = vec![0.0f64; width];
        let mut counts = vec![0usize; width];
        for (t, row) in rows {
            finals.copy_from_slice(row);
            if t < 1 {
                continue;
            }
            for (i, &v) in row.iter().enumerate() {
                if !v.is_nan() {
                    sums[i] += v;
                    counts[i] += 1;
                }
            }
        }
        let means = sums
            .iter()
            .zip(&counts)
            .map(|(&s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
            .collect();
        Summary { finals, means }
    }

    /// The value of summary column `c` (in `summary.csv` order: final, mean, final, …).
    pub fn column(&self, c: usize) -> f64 {
        let of = if c.is_multiple_of(2) {
            &self.finals
        } else {
            &self.means
        };
        of.get(c / 2).copied().unwrap_or(f64::NAN)
    }

    /// The values in `summary.csv` column order: each metric's final value, then its mean.
    pub fn interleaved(&self) -> impl Iterator<Item = f64> + '_ {
        self.finals
            .iter()
            .zip(&self.means)
            .flat_map(|(&f, &m)| [f, m])
    }
}

/// The names of the summary columns of `metrics`, in `summary.csv` order.
pub fn summary_columns<'a>(metrics: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    metrics
        .into_iter()
        .flat_map(|m| [format!("{m}_final"), format!("{m}_mean")])
        .collect()
}

/// What one run of one model gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunResult {
    /// The kept time-series rows (`timeseries.csv`).
    pub series: Series,
    /// Each metric's final value and mean (`summary.csv`).
    pub summary: Summary,
    /// The measured shocks with their adaptability (`shocks.csv`; empty for a reference model).
    pub shocks: Vec<Shock>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_read_back_to_their_measures() {
        use super::{measure, range_of};
        use crate::metrics::Range;
        let m = measure("performance_final").unwrap();
        assert_eq!((m.metric.name, m.reduced), ("performance", Some("final")));
        assert_eq!(m.metric.range, Range::UNIT);
        let m = measure("shock_window_mean@market").unwrap();
        assert_eq!((m.metric.name, m.reduced), ("shock_window_mean", None));
        assert_eq!(
            measure("code_knowledge_mean").unwrap().metric.range,
            Range::SIGNED_UNIT
        );
        assert_eq!(range_of("innovations_mean"), Range::NON_NEGATIVE);
        assert_eq!(range_of("shock_recovery_median"), Range::NON_NEGATIVE);
        assert!(
            measure("performance").is_none(),
            "a metric without its reduction"
        );
        assert!(measure("nothing_final").is_none());
        assert_eq!(range_of("nothing"), Range::ANY);
        assert_eq!(range_of("voice"), Range::UNIT, "a bare time-series metric");
    }

    #[test]
    fn every_measure_has_a_unit_a_meaning_and_an_odd_section() {
        let names: Vec<&str> = super::registry().map(|m| m.name).collect();
        for m in super::registry() {
            assert!(!m.unit.is_empty() && !m.meaning.is_empty(), "{}", m.name);
            assert!(m.odd.starts_with("Part I"), "{}", m.name);
            assert!(m.range.low < m.range.high, "{}", m.name);
            assert_eq!(
                names.iter().filter(|n| **n == m.name).count(),
                1,
                "{}",
                m.name
            );
        }
        for (n, m) in super::shocks::NAMES.iter().zip(&super::shocks::MEASURES) {
            assert_eq!(*n, m.name);
        }
    }

    use super::*;

    #[test]
    fn a_summary_is_the_last_row_and_the_mean_from_step_one() {
        let mut s = Series::with_capacity(2, 3);
        s.push(0, &[10.0, f64::NAN]);
        s.push(1, &[1.0, f64::NAN]);
        s.push(2, &[3.0, 4.0]);
        assert_eq!(s.len(), 3);
        let rows: Vec<(u32, Vec<f64>)> = s.rows().map(|(t, r)| (t, r.to_vec())).collect();
        assert_eq!(rows[2], (2, vec![3.0, 4.0]));
        let sum = Summary::of_rows(2, s.rows());
        assert_eq!(sum.finals, vec![3.0, 4.0]);
        // Step 0 (the initial state) is not part of the mean; NaN cells are skipped.
        assert_eq!(sum.means, vec![2.0, 4.0]);
        assert_eq!(
            sum.interleaved().collect::<Vec<_>>(),
            vec![3.0, 2.0, 4.0, 4.0]
        );
        let empty = Summary::of_rows(1, Series::with_capacity(1, 0).rows());
        assert!(empty.finals[0].is_nan() && empty.means[0].is_nan());
        assert_eq!(
            summary_columns(["a", "b"]),
            ["a_final", "a_mean", "b_final", "b_mean"]
        );
    }
}
