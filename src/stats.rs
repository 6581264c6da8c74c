//! Summary statistics for replicated runs: mean, standard deviation, Student-t 95% confidence
//! intervals (kept inside a measure's range), and paired differences between models with their
//! effect size, paired t-test p-value and Holm's adjustment for many comparisons.
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

/// The values a measure can take: a closed interval, with infinite ends for unbounded sides.
///
/// A confidence interval of a measure's mean is kept inside its range (docs/ODD.md §7.7): the
/// true mean of values in the range lies in the range, so intersecting an interval with it
/// removes only values the mean cannot take and keeps the interval's coverage exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// The smallest value (may be −∞).
    pub low: f64,
    /// The largest value (may be +∞).
    pub high: f64,
}

impl Range {
    /// Any real value.
    pub const ANY: Range = Range {
        low: f64::NEG_INFINITY,
        high: f64::INFINITY,
    };
    /// A count, a duration or any other quantity that cannot be negative.
    pub const NON_NEGATIVE: Range = Range {
        low: 0.0,
        high: f64::INFINITY,
    };
    /// A share or a normalized score, 0 to 1.
    pub const UNIT: Range = Range {
        low: 0.0,
        high: 1.0,
    };
    /// A signed share, −1 to 1 (a change of a 0–1 measure, a correlation-like score).
    pub const SIGNED_UNIT: Range = Range {
        low: -1.0,
        high: 1.0,
    };

    /// The range as text for tables: "0–1", "≥ 0", "−1–1", "any".
    pub fn text(&self) -> String {
        let num = |x: f64| {
            if x < 0.0 {
                format!("−{}", -x)
            } else {
                format!("{x}")
            }
        };
        match (self.low.is_finite(), self.high.is_finite()) {
            (true, true) => format!("{} to {}", num(self.low), num(self.high)),
            (true, false) => format!("≥ {}", num(self.low)),
            (false, true) => format!("≤ {}", num(self.high)),
            (false, false) => "any".into(),
        }
    }

    /// `d` with its confidence interval intersected with the range (NaN ends stay NaN).
    pub(crate) fn clip(&self, mut d: Describe) -> Describe {
        if !d.ci_low.is_nan() {
            d.ci_low = d.ci_low.clamp(self.low, self.high);
        }
        if !d.ci_high.is_nan() {
            d.ci_high = d.ci_high.clamp(self.low, self.high);
        }
        d
    }
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
    /// Two-sided p-value of the paired t test of a zero mean difference; NaN with fewer than two
    /// pairs or when the differences do not vary (no test: see [`t_test`]).
    pub(crate) p: f64,
}

/// The two-sided p-value of a one-sample t test of mean 0 from its `Describe`; NaN when there
/// is no test: fewer than two values, or values that do not vary. Differences that are all equal
/// come from a measure the models' definitions fix (no disputes without consultation, one
/// decider) or a discrete measure over few replicates; a t test says nothing of them (its
/// p-value would be 0 or 1 whatever n), and counting them in a Holm family would only make the
/// real tests more conservative.
pub(crate) fn t_test(d: &Describe) -> f64 {
    // Equal values can leave rounding residue in the sd (0.2 three times has a mean just off
    // 0.2): a spread below 1e-12 of the mean is none.
    if d.n < 2 || d.mean.is_nan() || d.se.is_nan() || d.sd <= 1e-12 * d.mean.abs() {
        return f64::NAN;
    }
    match StudentsT::new(0.0, 1.0, (d.n - 1) as f64) {
        // The survival function keeps small p-values (1 − cdf would round them to 0).
        Ok(t) => (2.0 * t.sf((d.mean / d.se).abs())).min(1.0),
        Err(_) => f64::NAN,
    }
}

/// Holm's (1979) step-down adjustment of the p-values of one family of tests: the i-th smallest
/// of m is multiplied by m − i + 1, and each adjusted value is at least the one before (capped
/// at 1). NaN stays NaN and does not count as a test.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let m = order.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
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
    Paired {
        diff,
        effect_size,
        p: t_test(&diff),
    }
}

/// Welch's comparison of two independent samples: the difference of the means `b − a`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Welch {
    /// n (both samples' values), the difference of the means, its standard error
    /// sqrt(s_b²/n_b + s_a²/n_a) and 95% interval on the Welch–Satterthwaite degrees of
    /// freedom; `sd` is NaN (there is no sample of differences).
    pub(crate) diff: Describe,
    /// Cohen's d with the mean of the two variances; NaN when neither varies.
    pub(crate) effect_size: f64,
    /// Two-sided p-value of Welch's t test; NaN when neither sample varies or one has fewer
    /// than two values (no test, as [`t_test`]).
    pub(crate) p: f64,
}

/// Welch's t comparison of the defined values of `b` against those of `a`.
pub(crate) fn welch(b: &[f64], a: &[f64]) -> Welch {
    let (db, da) = (describe(b.iter().copied()), describe(a.iter().copied()));
    let mean = db.mean - da.mean;
    let (vb, va) = (db.sd * db.sd, da.sd * da.sd);
    let (qb, qa) = (vb / db.n as f64, va / da.n as f64);
    let se = (qb + qa).sqrt();
    let df = (qb + qa).powi(2) / (qb * qb / (db.n as f64 - 1.0) + qa * qa / (da.n as f64 - 1.0));
    let t = (se > 0.0 && df.is_finite())
        .then(|| StudentsT::new(0.0, 1.0, df).ok())
        .flatten();
    let (half, p) = match t {
        Some(t) => (
            t.inverse_cdf(1.0 - (1.0 - LEVEL) / 2.0) * se,
            (2.0 * t.sf((mean / se).abs())).min(1.0),
        ),
        None if se == 0.0 => (0.0, f64::NAN),
        None => (f64::NAN, f64::NAN),
    };
    let pooled = ((vb + va) / 2.0).sqrt();
    Welch {
        diff: Describe {
            n: db.n + da.n,
            mean,
            sd: f64::NAN,
            se,
            ci_low: mean - half,
            ci_high: mean + half,
        },
        effect_size: if pooled > 0.0 {
            mean / pooled
        } else {
            f64::NAN
        },
        p,
    }
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
        assert!(same.p.is_nan(), "a constant difference is not tested");
        assert!(
            paired(&[1.0, 2.0], &[1.0, 2.0]).p.is_nan(),
            "no difference at all"
        );
        assert!(paired(&[1.0], &[0.0]).p.is_nan(), "one pair tests nothing");
        let rounding = describe([0.2, 0.2, 0.2]);
        assert!(rounding.sd > 0.0, "rounding residue in the sd");
        assert!(t_test(&rounding).is_nan(), "equal values, however rounded");
    }

    #[test]
    fn paired_t_test_by_hand() {
        // Differences 1, 2, 3, 4: t = 2.5 / 0.645497 = 3.872983 on 3 df; two-sided
        // p = 0.030466 (R: 2 * pt(-3.872983, 3)).
        let p = paired(&[2.0, 4.0, 6.0, 8.0], &[1.0, 2.0, 3.0, 4.0]);
        close(p.p, 0.030466, 1e-6);
        // Far in the tail the survival function keeps the digits: t = 100 on 9 df,
        // p = 5.1e-15 (R: 2 * pt(-100, 9) = 5.112e-15); 1 − cdf would give a multiple of 1e-16.
        let d = Describe {
            n: 10,
            mean: 100.0,
            sd: 10f64.sqrt(),
            se: 1.0,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        };
        let p = t_test(&d);
        assert!(p > 4e-15 && p < 6e-15, "{p}");
    }

    #[test]
    fn welch_by_hand() {
        // b = 1, 2, 3, 4 (mean 2.5, var 5/3); a = 2, 4, 6 (mean 4, var 4): se² = 5/12 + 4/3 =
        // 1.75, df = 1.75² / ((5/12)²/3 + (4/3)²/2) = 3.234719; t = −1.5/√1.75 = −1.133893;
        // p = 0.333824 (scipy.stats.ttest_ind(b, a, equal_var=False)).
        let w = welch(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0, 6.0]);
        assert_eq!(w.diff.mean, -1.5);
        assert_eq!(w.diff.n, 7);
        close(w.diff.se, 1.75f64.sqrt(), 1e-12);
        close(w.p, 0.333824, 1e-6);
        close(
            w.effect_size,
            -1.5 / ((5.0 / 3.0 + 4.0) / 2.0f64).sqrt(),
            1e-12,
        );
        // Neither varies: no test, a point interval.
        let flat = welch(&[1.0, 1.0], &[0.0, 0.0]);
        assert!(flat.p.is_nan());
        assert_eq!((flat.diff.ci_low, flat.diff.ci_high), (1.0, 1.0));
    }

    #[test]
    fn holm_by_hand() {
        // 0.01, 0.04, 0.03 → sorted 0.01×3 = 0.03, 0.03×2 = 0.06, 0.04×1 = 0.04 → max so far 0.06.
        let h = holm(&[0.01, 0.04, 0.03]);
        close(h[0], 0.03, 1e-15);
        close(h[1], 0.06, 1e-15);
        close(h[2], 0.06, 1e-15);
        let h = holm(&[f64::NAN, 0.2, 0.9]);
        assert!(h[0].is_nan());
        close(h[1], 0.4, 1e-15);
        close(h[2], 0.9, 1e-15);
        assert_eq!(holm(&[0.6, 0.7]), vec![1.0, 1.0], "capped at 1");
    }

    #[test]
    fn intervals_are_kept_inside_the_range() {
        // Counts 0, 0, 0, 1: mean 0.25, the t interval reaches −0.546.
        let d = describe([0.0, 0.0, 0.0, 1.0]);
        assert!(d.ci_low < 0.0);
        let c = Range::NON_NEGATIVE.clip(d);
        assert_eq!(c.ci_low, 0.0);
        assert_eq!(c.ci_high, d.ci_high, "the upper end is inside already");
        assert_eq!((c.mean, c.sd, c.se, c.n), (d.mean, d.sd, d.se, d.n));
        // Shares near 1 stay at or below 1.
        let s = Range::UNIT.clip(describe([1.0, 1.0, 0.9]));
        assert_eq!(s.ci_high, 1.0);
        assert!(s.ci_low < 0.97);
        // Undefined intervals stay undefined.
        assert!(Range::UNIT.clip(describe([0.5])).ci_low.is_nan());
        assert_eq!(Range::UNIT.text(), "0 to 1");
        assert_eq!(Range::NON_NEGATIVE.text(), "≥ 0");
        assert_eq!(Range::SIGNED_UNIT.text(), "−1 to 1");
        assert_eq!(Range::ANY.text(), "any");
    }
}
