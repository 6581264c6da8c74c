//! Screening by elementary effects: Morris (1991) trajectories and the μ, μ*, σ statistics.
//!
//! **Sample.** Each coordinate takes one of `levels` (p, even) grid levels `0, 1/(p−1), …, 1`.
//! A trajectory starts at a random base point whose levels lie in the lower half
//! (`0 … p/2 − 1`), then moves one parameter at a time, in a random order, by
//! Δ = p / (2 (p − 1)) — p/2 levels — up or down (a random sign per parameter, the base point
//! shifted up by Δ where the sign is down): k + 1 points, each differing from the previous one
//! in exactly one coordinate (Morris 1991, the B* = (J x* + (Δ/2)((2B − J) D* + J)) P*
//! construction SALib's `morris.sample` uses without optimisation). Points are listed
//! trajectory by trajectory, r (k + 1) rows. Levels map to axis values through
//! [`Axis::value_at_level`]; discrete axes map levels onto their values so that every step
//! changes the value (see [`super::distribution::discrete_index_at_level`]).
//!
//! **Analysis**, exactly as SALib 1.6's `morris.analyze(problem, X, Y, num_levels=p)` with its
//! defaults (unscaled, no groups): within each trajectory, for each step from point s to s + 1
//! and each coordinate that changed, the elementary effect of that parameter is
//! `(y_{s+1} − y_s) / Δ` if the coordinate increased and `(y_s − y_{s+1}) / Δ` if it decreased —
//! the effect of moving up by Δ in the unit hypercube, whatever the axis's scale (a linear
//! `c · x` over [lo, hi] has effect `c (hi − lo)`). The direction is read from X, so X may hold
//! unit coordinates or any increasing map of them (axis values). Then per parameter over the r
//! trajectories: μ = mean effect, μ* = mean |effect| (Campolongo, Cariboni & Saltelli 2007), σ =
//! standard deviation (n − 1; NaN for one trajectory). A parameter that never changes in a
//! trajectory gets effect 0 there, as in SALib. μ*'s interval is SALib's: `resamples` bootstrap
//! resamples of the r effects, half-width `z_0.975 × sd` of the resampled μ*; drawn from our
//! generator, so equal to SALib's in distribution only.

use super::numeric::{check_finite, mean, var, z95};
use super::{Axis, Error, Estimate, SimRng};
use crate::rng;

/// A Morris design: k parameters, r trajectories, p grid levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisDesign {
    params: usize,
    trajectories: usize,
    levels: usize,
}

impl MorrisDesign {
    /// A design with `params` ≥ 1, `trajectories` ≥ 2 (σ needs two) and an even number of
    /// `levels` ≥ 2 (SALib refuses odd ones: Δ = p/2 levels must be a whole number of levels).
    pub fn new(params: usize, trajectories: usize, levels: usize) -> Result<Self, Error> {
        if params == 0 {
            return Err(Error::parameter("parameters", params, "need at least one"));
        }
        if trajectories < 2 {
            return Err(Error::parameter(
                "trajectories",
                trajectories,
                "σ needs at least 2 trajectories",
            ));
        }
        if levels < 2 || levels % 2 == 1 {
            return Err(Error::parameter(
                "levels",
                levels,
                "Morris needs an even number of levels, at least 2",
            ));
        }
        Ok(MorrisDesign {
            params,
            trajectories,
            levels,
        })
    }

    /// Number of parameters k.
    pub fn params(&self) -> usize {
        self.params
    }

    /// Number of trajectories r.
    pub fn trajectories(&self) -> usize {
        self.trajectories
    }

    /// Number of grid levels p.
    pub fn levels(&self) -> usize {
        self.levels
    }

    /// The step Δ = p / (2 (p − 1)) in the unit interval.
    pub fn delta(&self) -> f64 {
        delta(self.levels)
    }

    /// Number of points, r (k + 1).
    pub fn len(&self) -> usize {
        self.trajectories * (self.params + 1)
    }

    /// Always false: a design has at least 2 trajectories.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Draws the trajectories. Each takes exactly 3k draws from `rng` (k base levels, k signs,
    /// k for the order), so trajectory t depends only on the stream's position t·3k.
    pub fn sample(&self, rng: &mut SimRng) -> MorrisSample {
        let (k, p) = (self.params, self.levels);
        let mut grid = Vec::with_capacity(self.len());
        let (mut scratch, mut order) = (Vec::new(), Vec::new());
        for _ in 0..self.trajectories {
            let base: Vec<usize> = (0..k).map(|_| rng::below(rng, p / 2)).collect();
            let down: Vec<bool> = (0..k).map(|_| rng::below(rng, 2) == 1).collect();
            rng::choose_distinct(rng, k, k, &mut scratch, &mut order);
            // A parameter moving down starts Δ (p/2 levels) up and ends at its base level.
            let mut point: Vec<usize> =
                (0..k).map(|c| base[c] + down[c] as usize * p / 2).collect();
            grid.push(point.clone());
            for &c in &order {
                point[c] = if down[c] { base[c] } else { base[c] + p / 2 };
                grid.push(point.clone());
            }
        }
        MorrisSample { levels: p, grid }
    }
}

/// Δ = p / (2 (p − 1)), computed as SALib computes it.
fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// Trajectories as grid levels, point by point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MorrisSample {
    levels: usize,
    grid: Vec<Vec<usize>>,
}

impl MorrisSample {
    /// The grid level (0 ..= p − 1) of every coordinate of every point.
    pub fn grid(&self) -> &[Vec<usize>] {
        &self.grid
    }

    /// The points in the unit hypercube: level / (p − 1).
    pub fn unit(&self) -> Vec<Vec<f64>> {
        let top = (self.levels - 1) as f64;
        self.grid
            .iter()
            .map(|row| row.iter().map(|&l| l as f64 / top).collect())
            .collect()
    }

    /// The points as axis values, one axis per coordinate.
    pub fn values(&self, axes: &[Axis]) -> Result<Vec<Vec<f64>>, Error> {
        self.grid
            .iter()
            .enumerate()
            .map(|(row, levels)| {
                if levels.len() != axes.len() {
                    return Err(Error::PointShape {
                        row,
                        expected: levels.len(),
                        got: axes.len(),
                    });
                }
                Ok(levels
                    .iter()
                    .zip(axes)
                    .map(|(&l, a)| a.value_at_level(l, self.levels))
                    .collect())
            })
            .collect()
    }
}

/// μ, μ*, σ per parameter and the elementary effects they come from.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisIndices {
    /// Mean elementary effect μ.
    pub mu: Vec<f64>,
    /// Mean absolute elementary effect μ*, with its bootstrap interval.
    pub mu_star: Vec<Estimate>,
    /// Standard deviation σ of the elementary effects (n − 1).
    pub sigma: Vec<f64>,
    /// `effects[j][t]`: elementary effect of parameter j in trajectory t.
    pub effects: Vec<Vec<f64>>,
}

/// Elementary effects and their statistics from points `x` (trajectory by trajectory, k + 1
/// rows each, in unit coordinates or axis values) and outputs `y`, for a design of `levels`
/// grid levels; `resamples` bootstrap resamples (SALib's default 100) drawn from `rng`.
pub fn indices(
    x: &[Vec<f64>],
    y: &[f64],
    levels: usize,
    resamples: usize,
    rng: &mut SimRng,
) -> Result<MorrisIndices, Error> {
    let k = check_shape(x, y, levels, resamples)?;
    check_finite(y)?;
    let effects = elementary_effects(x, y, k, delta(levels));
    let z = z95();
    let mu_star = effects
        .iter()
        .map(|ee| {
            let abs: Vec<f64> = ee.iter().map(|e| e.abs()).collect();
            let reps: Vec<f64> = (0..resamples)
                .map(|_| {
                    let pick: Vec<f64> = (0..abs.len())
                        .map(|_| abs[rng::below(rng, abs.len())])
                        .collect();
                    mean(&pick)
                })
                .collect();
            Estimate {
                value: mean(&abs),
                conf: z * var(&reps, 1).sqrt(),
            }
        })
        .collect();
    Ok(MorrisIndices {
        mu: effects.iter().map(|ee| mean(ee)).collect(),
        mu_star,
        sigma: effects.iter().map(|ee| var(ee, 1).sqrt()).collect(),
        effects,
    })
}

/// Checks the arguments and returns k.
fn check_shape(x: &[Vec<f64>], y: &[f64], levels: usize, resamples: usize) -> Result<usize, Error> {
    if levels < 2 {
        return Err(Error::parameter("levels", levels, "need at least 2"));
    }
    if resamples < 2 {
        return Err(Error::parameter(
            "resamples",
            resamples,
            "a bootstrap needs at least 2 resamples",
        ));
    }
    let k = x.first().map_or(0, Vec::len);
    if k == 0 {
        return Err(Error::parameter(
            "points",
            x.len(),
            "need points with coordinates",
        ));
    }
    if let Some(row) = x.iter().position(|r| r.len() != k) {
        return Err(Error::PointShape {
            row,
            expected: k,
            got: x[row].len(),
        });
    }
    if y.len() != x.len() || !x.len().is_multiple_of(k + 1) {
        return Err(Error::OutputCount {
            expected: x.len().next_multiple_of(k + 1),
            got: y.len(),
        });
    }
    Ok(k)
}

/// `effects[j][t]`, as SALib's `_compute_elementary_effects`: the outputs after and before every
/// increase (before and after every decrease) of coordinate j are summed separately, then
/// subtracted and divided by Δ.
fn elementary_effects(x: &[Vec<f64>], y: &[f64], k: usize, delta: f64) -> Vec<Vec<f64>> {
    let r = x.len() / (k + 1);
    let mut effects = vec![vec![0.0; r]; k];
    for t in 0..r {
        let (xs, ys) = (&x[t * (k + 1)..][..k + 1], &y[t * (k + 1)..][..k + 1]);
        for (j, column) in effects.iter_mut().enumerate() {
            let (mut up, mut lo) = (0.0, 0.0);
            for s in 0..k {
                let change = xs[s + 1][j] - xs[s][j];
                if change > 0.0 {
                    up += ys[s + 1];
                    lo += ys[s];
                } else if change < 0.0 {
                    up += ys[s];
                    lo += ys[s + 1];
                }
            }
            column[t] = (up - lo) / delta;
        }
    }
    effects
}

#[cfg(test)]
mod tests;
