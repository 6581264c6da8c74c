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
