//! Summary statistics for replicated runs: mean, standard deviation, Student-t 95% confidence
//! intervals, and paired differences between models with their effect size.
//!
//! Values are reduced in the order given (the runs' fixed order), never in the order runs
//! finished, so figures are identical whatever the thread count. `NaN` values (NA) are skipped;
//! paired differences use only replicates where both values are defined.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Confidence level of every interval.
pub(crate) const LEVEL: f64 = 0.95;

/// Descriptive statistics of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Describe {
    pub(crate) n: usize,
    pub(crate) mean: f64,
    /// Sample standard deviation (n − 1); NaN for n < 2.
    pub(crate) sd: f64,
    /// Standard error of the mean; NaN for n < 2.
    pub(crate) se: f64,
    /// 95% confidence interval of the mean (Student t with n − 1 degrees of freedom); NaN for
    /// n < 2.
    pub(crate) ci_low: f64,
    pub(crate) ci_high: f64,
}

/// The two-sided 95% Student-t quantile for `df` degrees of freedom (t₀.₉₇₅,df).
pub(crate) fn t_quantile(df: usize) -> f64 {
    match StudentsT::new(0.0, 1.0, df as f64) {
        Ok(t) => t.inverse_cdf(1.0 - (1.0 - LEVEL) / 2.0),
        Err(_) => f64::NAN,
    }
}

/// Mean, sd and 95% CI of the defined values.
pub(crate) fn describe(values: impl IntoIterator<Item = f64>) -> Describe {
    let xs: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
    let n = xs.len();
    if n == 0 {
        return Describe {
            n,
            mean: f64::NAN,
            sd: f64::NAN,
            se: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let mut sum = 0.0;
    for &x in &xs {
        sum += x;
    }
    let mean = sum / n as f64;
    if n < 2 {
        return Describe {
            n,
            mean,
            sd: f64::NAN,
            se: f64::NAN,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
    }
    let mut ss = 0.0;
    for &x in &xs {
        ss += (x - mean) * (x - mean);
    }
    let sd = (ss / (n - 1) as f64).sqrt();
    let se = sd / (n as f64).sqrt();
    let half = t_quantile(n - 1) * se;
    Describe {
        n,
        mean,
        sd,
        se,
        ci_low: mean - half,
        ci_high: mean + half,
    }
}

/// A paired comparison of `a` against `b` over the same replicates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Paired {
    /// Statistics of the differences a − b.
    pub(crate) diff: Describe,
    /// Paired effect size (Cohen's d_z): mean difference / sd of the differences. NaN when the
    /// differences do not vary.
    pub(crate) effect_size: f64,
}

/// Paired differences `a[i] − b[i]`, skipping pairs where either is NA.
pub(crate) fn paired(a: &[f64], b: &[f64]) -> Paired {
    assert_eq!(a.len(), b.len(), "paired samples of different lengths");
    let diff = describe(
        a.iter()
            .zip(b)
            .filter(|(x, y)| !x.is_nan() && !y.is_nan())
            .map(|(x, y)| x - y),
    );
    let effect_size = if diff.sd > 0.0 {
        diff.mean / diff.sd
    } else {
        f64::NAN
    };
    Paired { diff, effect_size }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    #[test]
    fn t_quantiles_match_tables() {
        // Standard tables: t(0.975; 1) = 12.706, t(0.975; 9) = 2.262, t(0.975; 29) = 2.045.
        close(t_quantile(1), 12.7062, 1e-3);
        close(t_quantile(9), 2.2622, 1e-3);
        close(t_quantile(29), 2.0452, 1e-3);
        close(t_quantile(100_000), 1.95996, 1e-3);
    }

    #[test]
    fn describe_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sd sqrt(32/7) = 2.13809, se = 0.75593,
        // half-width 2.36462 × 0.75593 = 1.78749 (t(0.975; 7) = 2.364624).
        let d = describe([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0, f64::NAN]);
        assert_eq!(d.n, 8);
        assert_eq!(d.mean, 5.0);
        close(d.sd, 2.138090, 1e-6);
        close(d.se, 0.755929, 1e-6);
        close(d.ci_low, 5.0 - 1.787484, 1e-5);
        close(d.ci_high, 5.0 + 1.787484, 1e-5);
        let one = describe([3.0]);
        assert_eq!(one.mean, 3.0);
        assert!(one.sd.is_nan() && one.ci_low.is_nan());
        assert!(describe([f64::NAN]).mean.is_nan());
    }

    #[test]
    fn paired_differences_by_hand() {
        // Differences 1, 2, 3, 4 (the NA pair is dropped): mean 2.5, sd 1.290994,
        // d_z = 1.936492; CI 2.5 ± 3.182446 × 0.645497 = 2.5 ± 2.054260.
        let a = [2.0, 4.0, 6.0, 8.0, f64::NAN];
        let b = [1.0, 2.0, 3.0, 4.0, 1.0];
        let p = paired(&a, &b);
        assert_eq!(p.diff.n, 4);
        assert_eq!(p.diff.mean, 2.5);
        close(p.diff.sd, 1.290994, 1e-6);
        close(p.effect_size, 1.936492, 1e-6);
        close(p.diff.ci_low, 2.5 - 2.054260, 1e-5);
        let same = paired(&[1.0, 2.0], &[0.0, 1.0]);
        assert_eq!(same.diff.sd, 0.0);
        assert!(same.effect_size.is_nan());
    }
}
