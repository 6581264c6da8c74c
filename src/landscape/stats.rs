//! Statistics of sampled landscapes, to check the substrate against Kauffman's known results:
//! number of local optima under one-bit moves, their mean fitness, the global maximum, and the
//! length of adaptive walks that move to a uniformly chosen fitter one-bit neighbour until none
//! is fitter.
//!
//! Counting local optima needs the fitness of all `2^N` configurations, so it is limited to
//! `N ≤ MAX_ENUMERATION_N`. Landscapes are sampled in parallel; each sample has its own streams
//! derived from the seed and its index, and the figures are reduced in sample order, so the
//! result does not depend on the number of threads.

use super::{Config, Landscape, LandscapeError, NkSpec, Normalization};
use crate::rng::{self, Purpose, SimRng};
use rayon::prelude::*;
use serde::Serialize;

/// The largest `N` whose `2^N` configurations are enumerated (2^24 × 8 bytes = 128 MiB per
/// landscape being analysed).
pub const MAX_ENUMERATION_N: usize = 24;

/// The largest number of landscapes or walks a request may ask for.
pub const MAX_SAMPLES: usize = 1_000_000;

/// Why a statistics request cannot be served.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// The landscape specification itself is invalid.
    #[error(transparent)]
    Landscape(#[from] LandscapeError),
    #[error(
        "counting local optima enumerates all 2^N configurations: N = {n} would need {mib} MiB per landscape; N must be at most {MAX_ENUMERATION_N}",
        mib = (8u128 << .n) >> 20
    )]
    /// N above [`MAX_ENUMERATION_N`]: counting local optima needs every configuration's fitness.
    TooLargeToEnumerate {
        /// The landscape's N.
        n: usize,
    },
    #[error("{what} = {value} is out of range: it must be between 1 and {MAX_SAMPLES}")]
    /// A count of landscapes or walks outside 1 ..= [`MAX_SAMPLES`].
    BadCount {
        /// Which count (`samples`, `walks`).
        what: &'static str,
        /// The count asked for.
        value: usize,
    },
}

/// Figures for one landscape.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LandscapeFigures {
    /// Configurations fitter than all of their `N` one-bit neighbours.
    pub local_optima: usize,
    /// Mean fitness of those local optima.
    pub local_optimum_fitness: f64,
    /// The global maximum fitness.
    pub global_max: f64,
    /// Mean number of moves of the adaptive walks.
    pub walk_length: f64,
}

/// Mean and standard deviation over samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanSd {
    /// Mean over the samples.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator; 0 for a single sample).
    pub sd: f64,
}

/// Figures over all sampled landscapes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LandscapeSummary {
    /// Landscapes sampled.
    pub samples: usize,
    /// Adaptive walks per landscape, each from a random configuration.
    pub walks: usize,
    /// Local optima per landscape (Kauffman 1993: one at K = 0, about 2^N/(N + 1) at K = N − 1).
    pub local_optima: MeanSd,
    /// Mean fitness of a landscape's local optima, in [0, 1].
    pub local_optimum_fitness: MeanSd,
    /// A landscape's global maximum fitness, in [0, 1].
    pub global_max: MeanSd,
    /// Mean moves of a landscape's adaptive walks (fitter one-bit neighbour until none is).
    pub walk_length: MeanSd,
}

/// The fitness of every configuration, indexed by the configuration's bits.
///
/// Enumerates in Gray-code order (the walk the exact maximum's enumeration also takes),
/// updating only the table indices a flipped decision touches, but sums the contributions
/// afresh in locus order for every configuration, so each value is exactly
/// [`Landscape::fitness`] of that configuration.
pub fn all_fitness(land: &Landscape) -> Vec<f64> {
    assert!(land.n() <= MAX_ENUMERATION_N);
    let mut out = vec![0.0; 1 << land.n()];
    land.gray_walk(|config, index, _| out[config as usize] = land.fitness_at(index));
    out
}

/// Local optima under one-bit moves: their number and mean fitness.
pub fn local_optima(fitness: &[f64], n: usize) -> (usize, f64) {
    let mut count = 0usize;
    let mut sum = 0.0;
    for (c, &f) in fitness.iter().enumerate() {
        if (0..n).all(|j| fitness[c ^ (1 << j)] < f) {
            count += 1;
            sum += f;
        }
    }
    (count, if count > 0 { sum / count as f64 } else { 0.0 })
}

/// Length of one adaptive walk from `start`: at each step move to a uniformly chosen fitter
/// one-bit neighbour; stop when none is fitter.
pub fn adaptive_walk(
    fitness: &[f64],
    n: usize,
    start: usize,
    rng: &mut SimRng,
    fitter: &mut Vec<usize>,
) -> usize {
    let mut c = start;
    let mut steps = 0;
    loop {
        fitter.clear();
        fitter.extend(
            (0..n)
                .map(|j| c ^ (1 << j))
                .filter(|&x| fitness[x] > fitness[c]),
        );
        if fitter.is_empty() {
            return steps;
        }
        c = fitter[rng::below(rng, fitter.len())];
        steps += 1;
    }
}

/// Draws landscape number `sample` and measures it with `walks` adaptive walks.
pub fn measure(
    spec: &NkSpec,
    seed: u64,
    sample: u64,
    walks: usize,
) -> Result<LandscapeFigures, StatsError> {
    // Every configuration is enumerated anyway, so the maximum comes from the enumeration and
    // the branch and bound (slow on the most rugged landscapes) is skipped.
    let enumerated = NkSpec {
        normalization: Normalization::Bound,
        ..*spec
    };
    let land = Landscape::generate(
        &enumerated,
        &mut rng::stream(seed, Purpose::Landscape, &[sample]),
    )?;
    let n = land.n();
    let fitness = all_fitness(&land);
    let global_max = fitness.iter().copied().fold(f64::MIN, f64::max);
    let (count, mean_opt) = local_optima(&fitness, n);
    let mut walk_rng = rng::stream(seed, Purpose::Sampling, &[sample]);
    let mut fitter = Vec::with_capacity(n);
    let mut total = 0usize;
    for _ in 0..walks {
        let start = Config::random(n, &mut walk_rng).0 as usize;
        total += adaptive_walk(&fitness, n, start, &mut walk_rng, &mut fitter);
    }
    Ok(LandscapeFigures {
        local_optima: count,
        local_optimum_fitness: mean_opt,
        global_max,
        walk_length: total as f64 / walks as f64,
    })
}

/// Samples `samples` landscapes from `spec` in parallel and summarizes them.
pub fn sample(
    spec: &NkSpec,
    seed: u64,
    samples: usize,
    walks: usize,
) -> Result<LandscapeSummary, StatsError> {
    check_request(spec, samples, walks)?;
    let figures: Vec<LandscapeFigures> = (0..samples as u64)
        .into_par_iter()
        .map(|s| measure(spec, seed, s, walks))
        .collect::<Result<_, _>>()?;
    let summarize = |f: fn(&LandscapeFigures) -> f64| mean_sd(figures.iter().map(f));
    Ok(LandscapeSummary {
        samples,
        walks,
        local_optima: summarize(|f| f.local_optima as f64),
        local_optimum_fitness: summarize(|f| f.local_optimum_fitness),
        global_max: summarize(|f| f.global_max),
        walk_length: summarize(|f| f.walk_length),
    })
}

/// Checks a request before any work: valid landscape, enumerable size, sane counts.
pub fn check_request(spec: &NkSpec, samples: usize, walks: usize) -> Result<(), StatsError> {
    spec.validate()?;
    if spec.n > MAX_ENUMERATION_N {
        return Err(StatsError::TooLargeToEnumerate { n: spec.n });
    }
    for (what, value) in [("samples", samples), ("walks", walks)] {
        if value == 0 || value > MAX_SAMPLES {
            return Err(StatsError::BadCount { what, value });
        }
    }
    Ok(())
}

/// The expected fitness of a local optimum of a K = N − 1 landscape: there every configuration's
/// fitness is an independent draw of the mean of N uniform contributions (a Bates
/// distribution), since flipping any decision re-draws every contribution. A configuration is a
/// local optimum when it beats its N neighbours, so the mean fitness over all local optima is
/// the expected maximum of N + 1 such draws, ∫₀¹ 1 − F(x)^(N+1) dx (Kauffman 1993, ch. 2: the
/// fitness of optima falls toward the mean 1/2 as N grows). F is the Irwin–Hall CDF, taken on
/// the lower half by its alternating sum and on the upper half by symmetry, F(x) = 1 − F(1 − x);
/// the sum cancels more and more as N grows (accurate to 1e-7 at N = 20, checked against a
/// 50-digit computation, but not far beyond), so larger N are refused. The integral uses Simpson's rule on 4,000 intervals.
///
/// # Panics
/// For `n` of 0 or above [`MAX_EXACT_OPTIMUM_N`].
pub fn uncorrelated_optimum_fitness(n: usize) -> f64 {
    assert!(
        (1..=MAX_EXACT_OPTIMUM_N).contains(&n),
        "uncorrelated_optimum_fitness is accurate for N = 1 to {MAX_EXACT_OPTIMUM_N}, not {n}"
    );
    let mut binom = vec![1.0f64; n + 1];
    for k in 1..=n {
        binom[k] = binom[k - 1] * (n + 1 - k) as f64 / k as f64;
    }
    let factorial: f64 = (1..=n).map(|i| i as f64).product();
    let lower = |x: f64| -> f64 {
        let y = n as f64 * x;
        let mut sum = 0.0;
        for (k, b) in binom.iter().enumerate().take(y.floor() as usize + 1) {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            sum += sign * b * (y - k as f64).powi(n as i32);
        }
        (sum / factorial).clamp(0.0, 1.0)
    };
    let cdf = |x: f64| {
        if x <= 0.5 {
            lower(x)
        } else {
            1.0 - lower(1.0 - x)
        }
    };
    let intervals = 4000;
    let h = 1.0 / intervals as f64;
    let mut total = 0.0;
    for i in 0..=intervals {
        let f = 1.0 - cdf(i as f64 * h).powi(n as i32 + 1);
        let w = if i == 0 || i == intervals {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        total += w * f;
    }
    total * h / 3.0
}

/// The largest N for which [`uncorrelated_optimum_fitness`] is known to be accurate (1e-7).
pub const MAX_EXACT_OPTIMUM_N: usize = 20;

/// Mean and sample standard deviation (0 for fewer than two values), summed in order.
fn mean_sd(values: impl Iterator<Item = f64> + Clone) -> MeanSd {
    let (mut n, mut sum) = (0usize, 0.0);
    for v in values.clone() {
        n += 1;
        sum += v;
    }
    let mean = sum / n as f64;
    let ss: f64 = values.map(|v| (v - mean) * (v - mean)).sum();
    let sd = if n > 1 {
        (ss / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    MeanSd { mean, sd }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_optimum_fitness_of_uncorrelated_landscapes() {
        // N = 1: the larger of two uniform draws.
        assert!((uncorrelated_optimum_fitness(1) - 2.0 / 3.0).abs() < 1e-9);
        // N = 2: the largest of three triangular draws on [0, 1]: 27/40.
        assert!((uncorrelated_optimum_fitness(2) - 0.675).abs() < 1e-9);
        // N = 14, checked against an independent computation (Python, 20,000 intervals).
        assert!((uncorrelated_optimum_fitness(14) - 0.633_452_59).abs() < 1e-6);
        // The complexity catastrophe: optima fall toward the mean as N grows.
        let f: Vec<f64> = (2..=20).map(uncorrelated_optimum_fitness).collect();
        assert!(f.windows(2).all(|w| w[1] < w[0]) && f[18] > 0.5);
        // N = 20 against an independent 50-digit computation (mpmath).
        assert!((uncorrelated_optimum_fitness(20) - 0.621_501_455).abs() < 1e-7);
        assert!(std::panic::catch_unwind(|| uncorrelated_optimum_fitness(21)).is_err());
    }
    use crate::landscape::Interaction;

    #[test]
    fn enumeration_matches_direct_fitness() {
        let spec = NkSpec {
            interaction: Interaction::Adjacent,
            ..NkSpec::random(10, 3)
        };
        let land =
            Landscape::generate(&spec, &mut rng::stream(4, Purpose::Landscape, &[])).unwrap();
        let all = all_fitness(&land);
        for (c, &f) in all.iter().enumerate() {
            assert_eq!(f, land.fitness(Config(c as u64)));
        }
        let max = all.iter().cloned().fold(f64::MIN, f64::max);
        assert_eq!(max, land.global_max());
        let figs = measure(&spec, 4, 0, 10).unwrap();
        let again =
            Landscape::generate(&spec, &mut rng::stream(4, Purpose::Landscape, &[0])).unwrap();
        assert_eq!(figs.global_max, again.global_max());
    }

    #[test]
    fn local_optima_on_a_hand_made_landscape() {
        // N = 2: configurations 00, 01, 10, 11 with 00 and 11 both peaks.
        let f = [0.9, 0.1, 0.2, 0.8];
        let (count, mean) = local_optima(&f, 2);
        assert_eq!(count, 2);
        assert!((mean - 0.85).abs() < 1e-12);
        let mut r = rng::from_seed(1);
        let mut scratch = Vec::new();
        assert_eq!(adaptive_walk(&f, 2, 1, &mut r, &mut scratch), 1);
        assert_eq!(adaptive_walk(&f, 2, 0, &mut r, &mut scratch), 0);
    }

    #[test]
    fn k_zero_has_one_optimum_and_walks_fix_wrong_bits() {
        let spec = NkSpec::random(12, 0);
        let figs = measure(&spec, 8, 0, 200).unwrap();
        assert_eq!(figs.local_optima, 1);
        assert_eq!(figs.local_optimum_fitness, figs.global_max);
    }

    #[test]
    fn refuses_sizes_it_cannot_enumerate() {
        let err = check_request(&NkSpec::random(30, 2), 1, 1).unwrap_err();
        assert!(err.to_string().contains("at most 24"), "{err}");
        assert!(check_request(&NkSpec::random(10, 2), 0, 1).is_err());
    }

    #[test]
    fn mean_sd_of_known_values() {
        let m = mean_sd([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0].into_iter());
        assert_eq!(m.mean, 5.0);
        assert!((m.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    }
}
