//! What a swept axis's coordinate means: designs place points in the unit hypercube (Sobol',
//! Morris) and each axis maps its unit coordinate `u` to a parameter value through the inverse
//! of its distribution function, so a uniform design over [0, 1) becomes a design over the
//! axis's distribution.
//!
//! - `uniform [lo, hi]`: `lo + u (hi − lo)` — SALib's `unif`, the same operations bit for bit.
//! - `log_uniform [lo, hi]` (0 < lo < hi): uniform in `ln x`, `exp(ln lo + u (ln hi − ln lo))` —
//!   SciPy's `loguniform.ppf`, SALib's `logunif`. For parameters spanning orders of magnitude.
//! - `normal` with mean μ, sd σ and bounds [lo, hi]: the normal distribution truncated to the
//!   bounds, `μ + σ Φ⁻¹(Φ(a) + u (Φ(b) − Φ(a)))` with `a = (lo − μ)/σ`, `b = (hi − μ)/σ` —
//!   SciPy's `truncnorm.ppf`, SALib's `truncnorm`. Bounds are required: an unbounded normal
//!   axis would send a design's corner points to ±∞. When the whole interval lies above the mean
//!   the mirror image is used (`−Φ⁻¹(Φ(−b) + (1 − u)(Φ(−a) − Φ(−b)))`), as SciPy does, because
//!   `Φ` near 1 has no precision left. `Φ` is computed here to ~1e-15 relative error (a series
//!   for erf below 1, Laplace's continued fraction for erfc above): `statrs`' `cdf` is off by up
//!   to ~1e-10, which would move the bounds themselves. Its `inverse_cdf` is polished by two
//!   Newton steps on our `Φ`.
//! - discrete values `v_0 … v_{m−1}`: value `v_i` with `i = min(⌊u m⌋, m − 1)`, each value an equal
//!   share of the unit interval. Morris grid levels use the same rule in integer arithmetic
//!   ([`discrete_index_at_level`]); see there why every Morris step then changes the value.

use super::Error;
use statrs::distribution::{ContinuousCDF, Normal};
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// A distribution as a sweep file describes it; [`Distribution::validate`] checks it and gives
/// the [`Axis`] designs use.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Uniform on [lo, hi].
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Uniform in the logarithm on [lo, hi], 0 < lo.
    LogUniform {
        /// Lower bound, positive.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Normal with `mean` and `sd`, truncated to [lo, hi].
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower truncation bound.
        lo: f64,
        /// Upper truncation bound.
        hi: f64,
    },
    /// A list of values, each equally likely, in the order given.
    Discrete {
        /// The values, in the order levels and unit coordinates reach them.
        values: Vec<f64>,
    },
}

/// A checked distribution that maps unit coordinates to values.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    dist: Distribution,
    /// For `Normal`: (mirrored, Φ(a′), Φ(b′) − Φ(a′)) of the standardized bounds a′ < b′, where
    /// the bounds are mirrored when the interval lies above the mean.
    normal: Option<(bool, f64, f64)>,
}

impl Distribution {
    /// Checks the parameters: finite numbers, `lo < hi`, `lo > 0` for `LogUniform`, `sd > 0`
    /// and a truncation interval with representable probability for `Normal`, at least one
    /// finite value for `Discrete`.
    pub fn validate(self) -> Result<Axis, Error> {
        let bad = |why: &str| Error::Distribution {
            dist: format!("{self:?}"),
            why: why.to_string(),
        };
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        let normal = match &self {
            Distribution::Uniform { lo, hi } | Distribution::LogUniform { lo, hi } => {
                if !finite(&[*lo, *hi]) || lo >= hi {
                    return Err(bad("needs finite bounds with lo < hi"));
                }
                if matches!(self, Distribution::LogUniform { .. }) && *lo <= 0.0 {
                    return Err(bad("a log-uniform axis needs lo > 0"));
                }
                None
            }
            Distribution::Normal { mean, sd, lo, hi } => {
                if !finite(&[*mean, *sd, *lo, *hi]) || *sd <= 0.0 || lo >= hi {
                    return Err(bad("needs a finite mean, sd > 0 and finite bounds lo < hi"));
                }
                let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
                let mirrored = a >= 0.0;
                let (a, b) = if mirrored { (-b, -a) } else { (a, b) };
                let (pa, pb) = (phi(a), phi(b));
                if pb <= pa || pb.is_nan() {
                    return Err(bad(
                        "the bounds hold no probability the normal can represent",
                    ));
                }
                Some((mirrored, pa, pb - pa))
            }
            Distribution::Discrete { values } => {
                if values.is_empty() || !finite(values) {
                    return Err(bad("needs at least one value, all finite"));
                }
                None
            }
        };
        Ok(Axis { dist: self, normal })
    }
}

impl Axis {
    /// The distribution this axis was built from.
    pub fn distribution(&self) -> &Distribution {
        &self.dist
    }

    /// The value at unit coordinate `u` (clamped to [0, 1]).
    pub fn value(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match &self.dist {
            Distribution::Uniform { lo, hi } => u * (hi - lo) + lo,
            Distribution::LogUniform { lo, hi } => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
            Distribution::Normal { mean, sd, lo, hi } => {
                let (mirrored, pa, mass) = self.normal.expect("validated normal axis");
                let z = if mirrored {
                    -phi_inverse(pa + (1.0 - u) * mass)
                } else {
                    phi_inverse(pa + u * mass)
                };
                (mean + sd * z).clamp(*lo, *hi)
            }
            Distribution::Discrete { values } => values[discrete_index(u, values.len())],
        }
    }

    /// The value at Morris grid level `level` of `levels` (0 ≤ level < levels): the value at
    /// `u = level / (levels − 1)`, computed exactly for discrete axes.
    pub fn value_at_level(&self, level: usize, levels: usize) -> f64 {
        match &self.dist {
            Distribution::Discrete { values } => {
                values[discrete_index_at_level(level, levels, values.len())]
            }
            _ => self.value(level as f64 / (levels - 1) as f64),
        }
    }
}

/// The standard normal distribution function Φ(x) = erfc(−x/√2) / 2.
fn phi(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// Φ⁻¹(p): `statrs`' quantile, polished by two Newton steps on [`phi`] so that it inverts our
/// Φ to its precision.
fn phi_inverse(p: f64) -> f64 {
    let mut z = Normal::standard().inverse_cdf(p);
    for _ in 0..2 {
        if !z.is_finite() {
            break;
        }
        let density = (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
        z -= (phi(z) - p) / density;
    }
    z
}

/// The complementary error function to ~1e-15 relative error: `1 − erf(x)` by its Taylor
/// series for |x| < 1 (no cancellation there), Laplace's continued fraction
/// `e^{−x²}/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …))))` by Lentz's method above (at most ~200
/// terms at x = 1, fewer further out), and `erfc(−x) = 2 − erfc(x)`.
fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 1.0 {
        let (mut sum, mut power, mut n) = (0.0, x, 0.0);
        loop {
            let term = power / (2.0 * n + 1.0);
            sum += term;
            if term.abs() <= 1e-17 * sum.abs() {
                break;
            }
            n += 1.0;
            power *= -x * x / n;
        }
        return 1.0 - 2.0 / PI.sqrt() * sum;
    }
    if x > 27.3 {
        return 0.0; // below the smallest subnormal
    }
    let (mut f, mut c, mut d) = (x, x, 0.0);
    for n in 1..1000 {
        let a = n as f64 / 2.0;
        d = 1.0 / (x + a * d);
        c = x + a / c;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() <= 2.0 * f64::EPSILON {
            break;
        }
    }
    (-x * x).exp() / PI.sqrt() / f
}

/// Index of the value a unit coordinate `u` selects among `count` discrete values:
/// `min(⌊u · count⌋, count − 1)`, so each value owns an equal share of [0, 1).
pub fn discrete_index(u: f64, count: usize) -> usize {
    debug_assert!(count > 0);
    ((u.clamp(0.0, 1.0) * count as f64) as usize).min(count - 1)
}

/// Index of the value Morris grid level `level` of `levels` selects among `count` discrete
/// values: [`discrete_index`] at `u = level / (levels − 1)`, in exact integer arithmetic.
///
/// A Morris step moves a coordinate by Δ = levels / (2 (levels − 1)) > 1/2, so `u · count`
/// moves by more than 1 whenever `count ≥ 2`: every step changes the discrete value, in the
/// same direction as the level, and elementary effects stay defined. With `count = levels` the
/// map is the identity.
pub fn discrete_index_at_level(level: usize, levels: usize, count: usize) -> usize {
    debug_assert!(levels >= 2 && level < levels && count > 0);
    (level * count / (levels - 1)).min(count - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(d: Distribution) -> Axis {
        d.validate().unwrap()
    }

    /// Checks an axis's values at the given unit coordinates.
    fn check(d: Distribution, cases: &[(f64, f64)], tol: f64) {
        let a = axis(d);
        for &(u, expected) in cases {
            let got = a.value(u);
            assert!(
                (got - expected).abs() <= tol * expected.abs().max(1.0),
                "{:?} at u = {u}: {got} vs {expected}",
                a.distribution()
            );
        }
    }

    #[test]
    fn uniform_and_log_uniform() {
        check(
            Distribution::Uniform { lo: 2.0, hi: 6.0 },
            &[(0.0, 2.0), (0.25, 3.0), (1.0, 6.0), (1.5, 6.0)],
            0.0,
        );
        // Geometric midpoint of [1, 100] is 10; a quarter of the way in logs is 10^0.5.
        check(
            Distribution::LogUniform { lo: 1.0, hi: 100.0 },
            &[(0.0, 1.0), (0.5, 10.0), (0.25, 10f64.sqrt()), (1.0, 100.0)],
            1e-14,
        );
    }

    /// Truncated normal quantiles: a symmetric interval has the mean as median and its bounds
    /// as ends; SciPy 1.17's `truncnorm.ppf(u, a, b, loc, scale)` gives the asymmetric cases
    /// (one wholly above the mean, which takes the mirrored path).
    #[test]
    fn truncated_normal_matches_scipy() {
        let d = Distribution::Normal {
            mean: 10.0,
            sd: 2.0,
            lo: 8.0,
            hi: 12.0,
        };
        check(d, &[(0.0, 8.0), (0.5, 10.0), (1.0, 12.0)], 1e-14);
        // truncnorm.ppf([0.1, 0.5, 0.9], a=0.5, b=3, loc=0, scale=1)
        check(
            Distribution::Normal {
                mean: 0.0,
                sd: 1.0,
                lo: 0.5,
                hi: 3.0,
            },
            &[
                (0.1, 0.5893335405904022),
                (0.5, 1.0154582534059824),
                (0.9, 1.8512240709778356),
            ],
            1e-12,
        );
        // truncnorm.ppf([0.1, 0.5, 0.9], a=-2, b=1, loc=5, scale=3)
        check(
            Distribution::Normal {
                mean: 5.0,
                sd: 3.0,
                lo: -1.0,
                hi: 8.0,
            },
            &[
                (0.1, 1.2328539075493543),
                (0.5, 4.486508245946526),
                (0.9, 7.113943463284236),
            ],
            1e-12,
        );
    }

    /// Φ against SciPy 1.17's `ndtr` (printed with 17 digits), across the series, the
    /// continued fraction and the far tail.
    #[test]
    fn phi_matches_scipy() {
        let cases = [
            (-1.0, 0.15865525393145707),
            (-3.0, 0.0013498980316300933),
            (-0.5, 0.3085375387259869),
            (2.0, 0.9772498680518208),
            (-8.0, 6.22096057427174e-16),
            (-20.0, 2.7536241186061556e-89),
            (-1.4, 0.08075665923377107),
        ];
        for (x, expected) in cases {
            let got = phi(x);
            assert!(
                ((got - expected) / expected).abs() < 1e-14,
                "Φ({x}) = {got:e}, SciPy {expected:e}"
            );
            let back = phi_inverse(got);
            assert!(
                (back - x).abs() < 1e-13 * x.abs().max(1.0),
                "Φ⁻¹(Φ({x})) = {back}"
            );
        }
        assert_eq!(phi(-40.0), 0.0);
    }

    #[test]
    fn discrete_values_share_the_interval() {
        let d = Distribution::Discrete {
            values: vec![3.0, 5.0, 9.0],
        };
        check(
            d.clone(),
            &[
                (0.0, 3.0),
                (0.33, 3.0),
                (0.34, 5.0),
                (0.99, 9.0),
                (1.0, 9.0),
            ],
            0.0,
        );
        let a = axis(d);
        let by_level: Vec<f64> = (0..4).map(|l| a.value_at_level(l, 4)).collect();
        assert_eq!(by_level, [3.0, 5.0, 9.0, 9.0]);
    }

    /// Every Morris step (Δ = levels / 2 grid levels) changes a discrete axis's value, whatever
    /// the number of values, and the index never decreases with the level.
    #[test]
    fn morris_steps_always_change_discrete_values() {
        for levels in (2..=20).step_by(2) {
            for count in 2..=25 {
                let idx = |l| discrete_index_at_level(l, levels, count);
                assert_eq!(idx(levels - 1), count - 1);
                for l in 0..levels / 2 {
                    assert!(
                        idx(l + levels / 2) > idx(l),
                        "levels {levels} count {count}"
                    );
                }
                for l in 1..levels {
                    assert!(idx(l) >= idx(l - 1));
                }
            }
        }
        // Identity when there are as many values as levels.
        assert_eq!(
            (0..6)
                .map(|l| discrete_index_at_level(l, 6, 6))
                .collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn continuous_levels_span_the_range() {
        let a = axis(Distribution::Uniform { lo: 0.0, hi: 3.0 });
        let by_level: Vec<f64> = (0..4).map(|l| a.value_at_level(l, 4)).collect();
        assert_eq!(by_level, [0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn invalid_distributions_are_refused() {
        let bad = [
            Distribution::Uniform { lo: 1.0, hi: 1.0 },
            Distribution::Uniform {
                lo: 0.0,
                hi: f64::INFINITY,
            },
            Distribution::LogUniform { lo: 0.0, hi: 1.0 },
            Distribution::Normal {
                mean: 0.0,
                sd: 0.0,
                lo: -1.0,
                hi: 1.0,
            },
            Distribution::Normal {
                mean: 0.0,
                sd: 1.0,
                lo: 60.0,
                hi: 70.0,
            },
            Distribution::Discrete { values: vec![] },
            Distribution::Discrete {
                values: vec![f64::NAN],
            },
        ];
        for d in bad {
            let text = format!("{d:?}");
            let err = d.validate().expect_err(&text);
            assert!(err.to_string().contains(&text), "{err}");
        }
    }
}
