//! Variance-based sensitivity: the Saltelli (2010) sample and Sobol' indices.
//!
//! The Sobol' indices of an output `Y = f(X_1 … X_k)` with independent inputs are shares of its
//! variance: the first-order index `S_i = V[E(Y|X_i)] / V(Y)` is what `X_i` explains alone; the
//! total index `ST_i = E[V(Y|X_~i)] / V(Y)` is what it explains with all its interactions; the
//! second-order `S_ij` is the interaction of a pair (Sobol' 1993, 2001).
//!
//! **Sample** (Saltelli 2002; Saltelli et al. 2010). Two independent base matrices `A` and `B`
//! (N × k) and, for each parameter `j`, `AB_j` = `A` with column `j` taken from `B` (and, for
//! second-order indices, `BA_j` = `B` with column `j` from `A`). Rows are in SALib 1.6's order,
//! base row by base row: `A_i, AB_1,i … AB_k,i, [BA_1,i … BA_k,i,] B_i`, so N (k + 2) points, or
//! N (2k + 2) with second order. `A_i` and `B_i` are the first and last k coordinates of point
//! `skip + i` of the 2k-dimensional Sobol' sequence, as in SALib's `sobol.sample`.
//!
//! **Skipped points.** SALib 1.6 scrambles the sequence by default and skips nothing; we do not
//! scramble (scrambling draws random numbers, and the unscrambled sequence is a published,
//! reproducible object), so we skip instead: the design starts at point `2^⌈log₂ N⌉`. The first
//! points of an unscrambled sequence are degenerate for this design — point 0 is the origin and
//! point 1 is (½, …, ½), so their `A_i` equals `B_i` and the row carries no information, and point
//! 0 sends truncated axes to their bounds. Skipping a power of two at least N keeps the block's
//! net properties (Owen 2020 warns against skipping other counts, such as dropping only the first
//! point). This equals SALib's `sobol.sample(problem, N, scramble=False, skip_values=2^⌈log₂ N⌉)`.
//!
//! **Estimators**, exactly as SALib 1.6's `sobol.analyze` computes them: `Y` is first
//! standardized with its mean and population standard deviation over all rows; then with
//! `V = var([A; B])` (population variance over the 2N base outputs)
//! - `S_j  = mean(B · (AB_j − A)) / V` (Saltelli et al. 2010, table 2 (b)),
//! - `ST_j = ½ mean((A − AB_j)²) / V` (Jansen 1999),
//! - `S_jk = mean(BA_j · AB_k − A · B) / V − S_j − S_k` (Saltelli 2002), for j < k,
//!
//! each 0 when the range of `[A; B]` or `V` is at most machine epsilon (constant outputs).
//! Confidence intervals as SALib's: `resamples` bootstrap resamples of the N base rows (shared
//! by every index), and the half-width `z_0.975 × sd` of the resampled estimates (`sd` with
//! n − 1). The resamples come from our generator, so the intervals agree with SALib's only in
//! distribution, not digit for digit.

use super::numeric::{check_finite, mean, ptp, resample_indices, var, z95};
use super::sobol_seq::sobol_points;
use super::{Error, Estimate, MAX_DIMENSIONS, SimRng};

/// A Saltelli design: k parameters, base size N, with or without second-order indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaltelliDesign {
    params: usize,
    base: usize,
    second_order: bool,
    skip: u64,
}

/// The number of Sobol' points skipped before a design of base size `base`: the smallest power
/// of two at least `base` (see the module documentation for why).
pub fn default_skip(base: usize) -> u64 {
    (base as u64).next_power_of_two()
}

impl SaltelliDesign {
    /// A design for `params` parameters (1 ..= 32, since a point needs 2k Sobol' dimensions) and
    /// base size `base` ≥ 2, skipping [`default_skip`]`(base)` points. A power of two for `base`
    /// keeps the base sample a balanced Sobol' net.
    pub fn new(params: usize, base: usize, second_order: bool) -> Result<Self, Error> {
        if params == 0 || 2 * params > MAX_DIMENSIONS {
            return Err(Error::parameter(
                "parameters",
                params,
                "a Sobol' design takes 1 to 32 parameters",
            ));
        }
        if base < 2 {
            return Err(Error::parameter(
                "samples",
                base,
                "the base sample needs at least 2 rows",
            ));
        }
        Ok(SaltelliDesign {
            params,
            base,
            second_order,
            skip: default_skip(base),
        })
    }

    /// The same design starting at Sobol' point `skip` instead (0 reproduces SALib's
    /// `skip_values=0` with `scramble=False`).
    pub fn with_skip(self, skip: u64) -> Self {
        SaltelliDesign { skip, ..self }
    }

    /// Number of parameters k.
    pub fn params(&self) -> usize {
        self.params
    }

    /// Base sample size N.
    pub fn base(&self) -> usize {
        self.base
    }

    /// Whether the `BA_j` rows for second-order indices are included.
    pub fn second_order(&self) -> bool {
        self.second_order
    }

    /// Index of the first Sobol' point used.
    pub fn skip(&self) -> u64 {
        self.skip
    }

    /// Rows per base row: k + 2, or 2k + 2 with second order.
    pub fn rows_per_base(&self) -> usize {
        if self.second_order {
            2 * self.params + 2
        } else {
            self.params + 2
        }
    }

    /// Total number of points, N × [`rows_per_base`](Self::rows_per_base).
    pub fn len(&self) -> usize {
        self.base * self.rows_per_base()
    }

    /// Always false: a design has at least 2 base rows.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The points in the unit hypercube, in SALib's order; map each coordinate through its
    /// axis ([`super::Axis::value`]).
    pub fn points(&self) -> Vec<Vec<f64>> {
        let k = self.params;
        let base = sobol_points(2 * k, self.skip, self.base)
            .expect("the design's size was checked when it was made");
        let mut rows = Vec::with_capacity(self.len());
        for p in &base {
            let (a, b) = p.split_at(k);
            rows.push(a.to_vec());
            for j in 0..k {
                let mut ab = a.to_vec();
                ab[j] = b[j];
                rows.push(ab);
            }
            if self.second_order {
                for j in 0..k {
                    let mut ba = b.to_vec();
                    ba[j] = a[j];
                    rows.push(ba);
                }
            }
            rows.push(b.to_vec());
        }
        rows
    }
}

/// First, total and (if the design has them) second-order indices.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order indices S1, one per parameter.
    pub s1: Vec<Estimate>,
    /// Total indices ST, one per parameter.
    pub st: Vec<Estimate>,
    /// Second-order indices: `s2[j][k]` for j < k; entries with j ≥ k are NaN (as SALib's).
    pub s2: Option<Vec<Vec<Estimate>>>,
}

/// The outputs split by role; `ab[j]` and `ba[j]` are columns per parameter.
struct Blocks {
    a: Vec<f64>,
    b: Vec<f64>,
    ab: Vec<Vec<f64>>,
    ba: Vec<Vec<f64>>,
}

impl Blocks {
    /// Splits standardized outputs, as SALib's `separate_output_values`.
    fn split(y: &[f64], design: &SaltelliDesign) -> Blocks {
        let (k, step) = (design.params, design.rows_per_base());
        let col = |offset: usize| y.iter().skip(offset).step_by(step).copied().collect();
        Blocks {
            a: col(0),
            b: col(step - 1),
            ab: (0..k).map(|j| col(j + 1)).collect(),
            ba: if design.second_order {
                (0..k).map(|j| col(j + 1 + k)).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The same blocks at base rows `rows` (a bootstrap resample).
    fn gather(&self, rows: &[usize]) -> Blocks {
        let pick = |v: &Vec<f64>| rows.iter().map(|&i| v[i]).collect();
        Blocks {
            a: pick(&self.a),
            b: pick(&self.b),
            ab: self.ab.iter().map(pick).collect(),
            ba: self.ba.iter().map(pick).collect(),
        }
    }

    /// `var([A; B])`, or `None` where SALib returns 0: the range or the variance of `[A; B]` at
    /// most machine epsilon.
    fn variance(&self) -> Option<f64> {
        let both: Vec<f64> = self.a.iter().chain(&self.b).copied().collect();
        if ptp(both.iter().copied()) <= f64::EPSILON {
            return None;
        }
        let v = var(&both, 0);
        (v > f64::EPSILON).then_some(v)
    }

    fn first(&self, j: usize, v: Option<f64>) -> f64 {
        let Some(v) = v else { return 0.0 };
        let terms: Vec<f64> = (0..self.a.len())
            .map(|i| self.b[i] * (self.ab[j][i] - self.a[i]))
            .collect();
        mean(&terms) / v
    }

    fn total(&self, j: usize, v: Option<f64>) -> f64 {
        let Some(v) = v else { return 0.0 };
        let terms: Vec<f64> = (0..self.a.len())
            .map(|i| (self.a[i] - self.ab[j][i]).powi(2))
            .collect();
        0.5 * mean(&terms) / v
    }

    fn second(&self, j: usize, k: usize, v: Option<f64>) -> f64 {
        let Some(var) = v else { return 0.0 };
        let terms: Vec<f64> = (0..self.a.len())
            .map(|i| self.ba[j][i] * self.ab[k][i] - self.a[i] * self.b[i])
            .collect();
        mean(&terms) / var - self.first(j, v) - self.first(k, v)
    }
}

/// Sobol' indices from outputs `y` in the order of `design.points()`, with `resamples`
/// bootstrap resamples (SALib's default is 100) drawn from `rng` for the intervals.
pub fn indices(
    design: &SaltelliDesign,
    y: &[f64],
    resamples: usize,
    rng: &mut SimRng,
) -> Result<SobolIndices, Error> {
    if y.len() != design.len() {
        return Err(Error::OutputCount {
            expected: design.len(),
            got: y.len(),
        });
    }
    if resamples < 2 {
        return Err(Error::parameter(
            "resamples",
            resamples,
            "a bootstrap needs at least 2 resamples",
        ));
    }
    check_finite(y)?;
    let blocks = Blocks::split(&standardize(y), design);
    let boot: Vec<Blocks> = resample_indices(design.base, resamples, rng)
        .iter()
        .map(|rows| blocks.gather(rows))
        .collect();
    let v = blocks.variance();
    let boot_v: Vec<Option<f64>> = boot.iter().map(Blocks::variance).collect();
    // SALib reports a zero interval when every resampled A and B output is the same.
    let boot_constant = ptp(boot.iter().flat_map(|b| b.a.iter().chain(&b.b)).copied()) == 0.0;
    let z = z95();
    let conf = |f: &dyn Fn(&Blocks, Option<f64>) -> f64| {
        let reps: Vec<f64> = boot.iter().zip(&boot_v).map(|(b, &v)| f(b, v)).collect();
        z * var(&reps, 1).sqrt()
    };
    let estimate = |f: &dyn Fn(&Blocks, Option<f64>) -> f64, guard: bool| Estimate {
        value: f(&blocks, v),
        conf: if guard && boot_constant { 0.0 } else { conf(f) },
    };
    let k = design.params;
    let s1 = (0..k)
        .map(|j| estimate(&|b: &Blocks, v| b.first(j, v), true))
        .collect();
    let st = (0..k)
        .map(|j| estimate(&|b: &Blocks, v| b.total(j, v), true))
        .collect();
    let s2 = design.second_order.then(|| {
        let nan = Estimate {
            value: f64::NAN,
            conf: f64::NAN,
        };
        (0..k)
            .map(|j| {
                (0..k)
                    .map(|l| match l > j {
                        true => estimate(&|b: &Blocks, v| b.second(j, l, v), false),
                        false => nan,
                    })
                    .collect()
            })
            .collect()
    });
    Ok(SobolIndices { s1, st, s2 })
}

/// `(y − mean) / sd` with the population sd, as SALib does first. Constant outputs give NaN in
/// NumPy (0/0), which SALib's guards then turn into zero indices; we keep them constant (all
/// zeros), which the same guards turn into the same zeros without the division.
fn standardize(y: &[f64]) -> Vec<f64> {
    let (m, sd) = (mean(y), var(y, 0).sqrt());
    if sd > 0.0 {
        y.iter().map(|v| (v - m) / sd).collect()
    } else {
        vec![0.0; y.len()]
    }
}

#[cfg(test)]
mod tests;
