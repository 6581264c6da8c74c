//! The statistics the patterns are judged by (docs/ODD.md §1): intervals of a mean at a chosen
//! level, Welch's interval for a difference of independent means, correlations with their
//! Fisher-z intervals, Steiger's test for two dependent correlations, partial correlation,
//! Holm's adjustment and a bootstrap interval for a slope over paired replicates.
//!
//! Every reduction runs in the order given, and the bootstrap draws from a stream of the given
//! seed, so the figures do not depend on the thread count.

use crate::rng::{self, Purpose};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower bound of its 95% interval (NaN without one).
    pub low: f64,
    /// Upper bound of its 95% interval (NaN without one).
    pub high: f64,
    /// Two-sided p-value of the test that the value is 0 (NaN when none applies).
    pub p: f64,
}

impl Estimate {
    /// An estimate without an interval.
    pub fn bare(value: f64) -> Estimate {
        Estimate {
            value,
            low: f64::NAN,
            high: f64::NAN,
            p: f64::NAN,
        }
    }
}

fn t_dist(df: f64) -> Option<StudentsT> {
    StudentsT::new(0.0, 1.0, df).ok()
}

fn normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal")
}

/// The two-sided quantile of the standard normal for confidence `level`.
pub fn z_quantile(level: f64) -> f64 {
    normal().inverse_cdf(1.0 - (1.0 - level) / 2.0)
}

/// The mean of the defined values with its Student-t interval at `level` and the p-value of a
/// one-sample t test of 0.
pub fn mean_ci(values: &[f64], level: f64) -> Estimate {
    let xs: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = xs.len();
    if n < 2 {
        return Estimate::bare(if n == 1 { xs[0] } else { f64::NAN });
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    let Some(t) = t_dist((n - 1) as f64) else {
        return Estimate::bare(mean);
    };
    if se == 0.0 {
        return Estimate {
            value: mean,
            low: mean,
            high: mean,
            p: if mean == 0.0 { 1.0 } else { 0.0 },
        };
    }
    let q = t.inverse_cdf(1.0 - (1.0 - level) / 2.0);
    Estimate {
        value: mean,
        low: mean - q * se,
        high: mean + q * se,
        p: 2.0 * (1.0 - t.cdf((mean / se).abs())),
    }
}

/// Welch's 95% interval for mean(a) − mean(b) of two independent samples, with its p-value.
pub fn welch(a: &[f64], b: &[f64]) -> Estimate {
    let w = crate::stats::welch(a, b);
    if w.diff.se > 0.0 && w.diff.ci_low.is_finite() {
        Estimate {
            value: w.diff.mean,
            low: w.diff.ci_low,
            high: w.diff.ci_high,
            p: w.p,
        }
    } else {
        Estimate::bare(w.diff.mean)
    }
}

/// The pairs of `x` and `y` where both are defined.
fn defined(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    x.iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip()
}

/// Pearson's correlation of the pairs where both values are defined, and their number.
pub fn pearson(x: &[f64], y: &[f64]) -> (f64, usize) {
    let (x, y) = defined(x, y);
    let n = x.len();
    if n < 3 {
        return (f64::NAN, n);
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(&y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxy / (sxx * syy).sqrt(), n)
}

/// A correlation `r` of `n` pairs with its Fisher-z 95% interval and the p-value of r = 0.
pub fn fisher(r: f64, n: usize) -> Estimate {
    if r.is_nan() || n < 4 {
        return Estimate::bare(r);
    }
    let z = r.clamp(-0.999_999, 0.999_999).atanh();
    let se = 1.0 / ((n - 3) as f64).sqrt();
    let q = z_quantile(0.95);
    Estimate {
        value: r,
        low: (z - q * se).tanh(),
        high: (z + q * se).tanh(),
        p: 2.0 * (1.0 - normal().cdf((z / se).abs())),
    }
}

/// Ranks (1-based), ties given their mean rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = mean;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation of the pairs where both values are defined.
pub fn spearman(x: &[f64], y: &[f64]) -> (f64, usize) {
    let (x, y) = defined(x, y);
    pearson(&ranks(&x), &ranks(&y))
}

/// The partial correlation of `x` and `y` given `z` (over the triples where all are defined).
pub fn partial(x: &[f64], y: &[f64], z: &[f64]) -> (f64, usize) {
    let keep: Vec<usize> = (0..x.len())
        .filter(|&i| !x[i].is_nan() && !y[i].is_nan() && !z[i].is_nan())
        .collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let (x, y, z) = (pick(x), pick(y), pick(z));
    let (rxy, n) = pearson(&x, &y);
    let (rxz, _) = pearson(&x, &z);
    let (ryz, _) = pearson(&y, &z);
    (
        (rxy - rxz * ryz) / ((1.0 - rxz * rxz) * (1.0 - ryz * ryz)).sqrt(),
        // One variable partialled out: one fewer degree of freedom for the interval.
        n.saturating_sub(1),
    )
}

/// Steiger's (1980) test of two dependent correlations sharing a variable: r12 (variables 1
/// and 2) against r13 (1 and 3), with r23 between the other two, over `n` cases. Returns the
/// difference of the Fisher z's, z12 − z13, with its 95% interval and p-value (his equation
/// 14, with the pooled correlation in the covariance term).
pub fn steiger(r12: f64, r13: f64, r23: f64, n: usize) -> Estimate {
    if n < 4 || [r12, r13, r23].iter().any(|r| r.is_nan()) {
        return Estimate::bare(f64::NAN);
    }
    let rm = (r12 + r13) / 2.0;
    let r2 = rm * rm;
    let s = (r23 * (1.0 - 2.0 * r2) - 0.5 * r2 * (1.0 - 2.0 * r2 - r23 * r23)) / (1.0 - r2).powi(2);
    let d = r12.atanh() - r13.atanh();
    let se = ((2.0 - 2.0 * s) / (n - 3) as f64).sqrt();
    let q = z_quantile(0.95);
    Estimate {
        value: d,
        low: d - q * se,
        high: d + q * se,
        p: 2.0 * (1.0 - normal().cdf((d / se).abs())),
    }
}

/// The difference of two independent correlations (Fisher z: z1 − z2) with its 95% interval.
pub fn independent_correlations(r1: f64, n1: usize, r2: f64, n2: usize) -> Estimate {
    if n1 < 4 || n2 < 4 || r1.is_nan() || r2.is_nan() {
        return Estimate::bare(f64::NAN);
    }
    let d = r1.atanh() - r2.atanh();
    let se = (1.0 / (n1 - 3) as f64 + 1.0 / (n2 - 3) as f64).sqrt();
    let q = z_quantile(0.95);
    Estimate {
        value: d,
        low: d - q * se,
        high: d + q * se,
        p: 2.0 * (1.0 - normal().cdf((d / se).abs())),
    }
}

pub use crate::stats::holm;

/// The least-squares slope of `y` on `x`.
pub fn slope(x: &[f64], y: &[f64]) -> f64 {
    let (x, y) = defined(x, y);
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

/// Resamples for bootstrap intervals.
pub const RESAMPLES: usize = 1000;

/// The slope of y on x over replicates, each replicate a set of (x, y) pairs (paired
/// differences at several levels of x), with a 95% percentile bootstrap interval that resamples
/// whole replicates, so the pairing within a replicate is kept; draws from a stream of `seed`.
pub fn slope_over_replicates(replicates: &[Vec<(f64, f64)>], seed: u64) -> Estimate {
    let flat = |reps: &mut dyn Iterator<Item = &Vec<(f64, f64)>>| {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for r in reps {
            for &(a, b) in r {
                x.push(a);
                y.push(b);
            }
        }
        slope(&x, &y)
    };
    let value = flat(&mut replicates.iter());
    let n = replicates.len();
    if n < 2 {
        return Estimate::bare(value);
    }
    let mut rng = rng::stream(seed, Purpose::Sampling, &[0x534c_4f50]);
    let mut picks = vec![0usize; n];
    let mut slopes = Vec::with_capacity(RESAMPLES);
    for _ in 0..RESAMPLES {
        for p in picks.iter_mut() {
            *p = rng::below(&mut rng, n);
        }
        let s = flat(&mut picks.iter().map(|&i| &replicates[i]));
        if !s.is_nan() {
            slopes.push(s);
        }
    }
    slopes.sort_by(f64::total_cmp);
    let at =
        |q: f64| slopes[((q * (slopes.len() - 1) as f64).round() as usize).min(slopes.len() - 1)];
    let (low, high) = if slopes.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        (at(0.025), at(0.975))
    };
    // The share of resamples on the other side of 0, twice: a percentile-bootstrap p-value.
    let other = slopes
        .iter()
        .filter(|&&s| if value > 0.0 { s <= 0.0 } else { s >= 0.0 })
        .count();
    Estimate {
        value,
        low,
        high,
        p: (2.0 * other as f64 / slopes.len().max(1) as f64).min(1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn means_and_intervals_by_hand() {
        // 1..5: mean 3, sd √2.5, se √0.5; t(0.975, 4) = 2.776445.
        let e = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95);
        assert_eq!(e.value, 3.0);
        assert!(close(e.high - 3.0, 2.776445 * 0.5f64.sqrt(), 1e-5));
        // At 90%: t(0.95, 4) = 2.131847.
        let e = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.90);
        assert!(close(e.high - 3.0, 2.131847 * 0.5f64.sqrt(), 1e-5));
        // Welch: equal variances and sizes give the pooled t interval with df = 2n − 2.
        let w = welch(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
        assert_eq!(w.value, -3.0);
        // se = √(1/3 + 1/3); t(0.975, 4) = 2.776445.
        assert!(close(w.high + 3.0, 2.776445 * (2.0f64 / 3.0).sqrt(), 1e-5));
    }

    #[test]
    fn correlations_by_hand() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!(close(
            pearson(&x, &[2.0, 4.0, 6.0, 8.0, 10.0]).0,
            1.0,
            1e-12
        ));
        assert!(close(
            pearson(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]).0,
            -1.0,
            1e-12
        ));
        // Monotone but not linear: Spearman 1, Pearson below 1.
        let y = [1.0, 4.0, 9.0, 16.0, 100.0];
        assert!(close(spearman(&x, &y).0, 1.0, 1e-12));
        assert!(pearson(&x, &y).0 < 0.99);
        // Ties get mean ranks.
        assert_eq!(ranks(&[3.0, 1.0, 3.0]), vec![2.5, 1.0, 2.5]);
        // Fisher: r = 0.5, n = 103: z = 0.549306, se = 0.1.
        let f = fisher(0.5, 103);
        assert!(close(f.low, (0.549306_f64 - 0.195996).tanh(), 1e-5));
        assert!(close(f.high, (0.549306_f64 + 0.195996).tanh(), 1e-5));
        // a = z + e1 and b = z + e2 with e1, e2 orthogonal to z and to each other: correlated
        // through z alone, so the partial correlation given z is 0; and b' = z + 2·e1 shares
        // a's residual, so its partial correlation with a is 1.
        let z = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let e1 = [1.0, -1.0, 0.0, 0.0, -1.0, 1.0];
        let e2 = [1.0, 1.0, -2.0, -2.0, 1.0, 1.0];
        let a: Vec<f64> = z.iter().zip(&e1).map(|(z, e)| z + e).collect();
        let b: Vec<f64> = z.iter().zip(&e2).map(|(z, e)| z + e).collect();
        assert!(pearson(&a, &b).0 > 0.5);
        assert!(close(partial(&a, &b, &z).0, 0.0, 1e-12));
        let b2: Vec<f64> = z.iter().zip(&e1).map(|(z, e)| z + 2.0 * e).collect();
        assert!(close(partial(&a, &b2, &z).0, 1.0, 1e-12));
    }

    #[test]
    fn steiger_and_holm_by_hand() {
        // Equal correlations: no difference.
        let s = steiger(0.4, 0.4, 0.3, 200);
        assert_eq!(s.value, 0.0);
        assert!(s.low < 0.0 && s.high > 0.0);
        // A large difference at n = 1000 is significant.
        assert!(steiger(0.5, 0.1, 0.2, 1000).p < 1e-6);
        // Holm: p = (0.01, 0.04, 0.03) → 0.03, 0.06, 0.06.
        let h = holm(&[0.01, 0.04, 0.03]);
        assert!(close(h[0], 0.03, 1e-12) && close(h[1], 0.06, 1e-12) && close(h[2], 0.06, 1e-12));
        assert!(holm(&[f64::NAN, 0.2])[0].is_nan());
    }

    #[test]
    fn a_slope_over_replicates_and_its_interval() {
        // y = 2x + noise per replicate: slope 2, interval around it; reproducible.
        let reps: Vec<Vec<(f64, f64)>> = (0..30)
            .map(|r| {
                [0.0, 0.5, 1.0]
                    .iter()
                    .map(|&x| (x, 2.0 * x + ((r * 7 % 5) as f64 - 2.0) * 0.1))
                    .collect()
            })
            .collect();
        let s = slope_over_replicates(&reps, 3);
        assert!(close(s.value, 2.0, 1e-9));
        assert!(s.low <= 2.0 && s.high >= 2.0 && s.p == 0.0);
        assert_eq!(s, slope_over_replicates(&reps, 3));
    }
}
