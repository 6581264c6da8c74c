//! Small reductions shared by the estimators, written to give NumPy's results.
//!
//! NumPy sums by pairwise blocks, whose rounding differs from a left-to-right sum; a
//! compensated (Neumaier 1974) sum is within an ulp or two of the exact sum and so of NumPy's
//! too, which keeps our estimates within ~1e-14 of SALib's whatever the order of summation.

use super::{Error, SimRng};
use crate::rng;
use statrs::distribution::{ContinuousCDF, Normal};

/// Sum of `xs` with Neumaier's compensation, in the order given.
pub(super) fn sum(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for x in xs {
        let t = s + x;
        c += if s.abs() >= x.abs() {
            (s - t) + x
        } else {
            (x - t) + s
        };
        s = t;
    }
    s + c
}

/// Arithmetic mean (NaN when empty, as NumPy's).
pub(super) fn mean(xs: &[f64]) -> f64 {
    sum(xs.iter().copied()) / xs.len() as f64
}

/// Variance with `ddof` degrees of freedom removed: `np.var(xs, ddof=ddof)`.
pub(super) fn var(xs: &[f64], ddof: usize) -> f64 {
    let m = mean(xs);
    sum(xs.iter().map(|x| (x - m) * (x - m))) / (xs.len() as f64 - ddof as f64)
}

/// Range, `max − min`: NumPy's `np.ptp`.
pub(super) fn ptp(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (lo, hi) = xs
        .into_iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
    hi - lo
}

/// The two-sided 95% standard normal quantile, `norm.ppf(0.975)`, SALib's `Z`.
pub(super) fn z95() -> f64 {
    Normal::standard().inverse_cdf(0.5 + crate::stats::LEVEL / 2.0)
}

/// `resamples` bootstrap resamples of `0..n` (with replacement), resample by resample.
pub(super) fn resample_indices(n: usize, resamples: usize, rng: &mut SimRng) -> Vec<Vec<usize>> {
    (0..resamples)
        .map(|_| (0..n).map(|_| rng::below(rng, n)).collect())
        .collect()
}

/// Refuses NaN and infinite outputs, naming the first.
pub(super) fn check_finite(y: &[f64]) -> Result<(), Error> {
    match y.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(Error::NonFinite { row, value: y[row] }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_recovers_lost_bits() {
        // 1 + 1e-16 + … loses every small term in a naive sum.
        let xs: Vec<f64> = std::iter::once(1.0)
            .chain(std::iter::repeat_n(1e-16, 1000))
            .collect();
        assert!((sum(xs.iter().copied()) - (1.0 + 1e-13)).abs() < 1e-16);
        assert_eq!(sum([1e100, 1.0, -1e100]), 1.0);
    }

    #[test]
    fn moments_by_hand() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&xs), 5.0);
        assert_eq!(var(&xs, 0), 4.0);
        assert!((var(&xs, 1) - 32.0 / 7.0).abs() < 1e-15);
        assert_eq!(ptp(xs), 7.0);
        assert!((z95() - 1.959963984540054).abs() < 1e-12);
    }
}
