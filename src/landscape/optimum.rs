//! The exact global maximum of an NK landscape by depth-first branch and bound.
//!
//! Decisions are fixed in index order. At a node where the first `d` decisions are fixed, each
//! locus's contribution is bounded by the largest table entry consistent with its decisions fixed
//! so far (the precomputed bound levels of [`Landscape`]); the bound of the node is the sum of
//! these. Fixing one more decision changes only the terms of the loci that read it, so a child's
//! bound costs O(K) to compute, not O(N). A subtree is pruned when its bound cannot beat the
//! incumbent, which starts from deterministic hill climbs (no random stream is consumed).
//!
//! Exactness: the incremental bound carries rounding error, far below [`SLACK`], so a subtree is
//! pruned only when its bound is below the incumbent by more than `SLACK`: a configuration whose
//! fitness beats the incumbent is never pruned. Leaves are compared by their fitness summed
//! afresh in locus order, exactly as [`Landscape::fitness`] sums, so the maximum returned is
//! bit for bit `fitness(argmax)` and no configuration's fitness exceeds it.

use super::{Config, Landscape, low_mask};
use crate::rng::mix64;

/// Number of deterministic hill-climb starts used to seed the incumbent.
const CLIMBS: u64 = 8;

/// Margin (in units of summed contributions) by which a bound must fall short of the incumbent
/// before its subtree is pruned; many orders of magnitude above the rounding of the incremental
/// sums (at most N·(K+1) additions of numbers below N, each off by under 2⁻⁴⁵).
pub const SLACK: f64 = 1e-9;

struct Search<'a> {
    /// The relabeled copy searched (decisions fixed in index order).
    land: &'a Landscape,
    /// The landscape as given, for the exact comparison of leaves.
    original: &'a Landscape,
    rank: &'a [u8],
    n: usize,
    /// Number of fixed decisions of each locus (a prefix of its sorted decisions).
    fixed: Vec<u8>,
    /// Table index bits of each locus's fixed decisions.
    index: Vec<usize>,
    /// Each locus's current bound term.
    term: Vec<f64>,
    best_sum: f64,
    best: Config,
}

impl Search<'_> {
    /// The bounds of the two children that fix `var` to 0 and to 1, relative to the current.
    #[inline]
    fn child_deltas(&self, var: usize) -> (f64, f64) {
        let (mut d0, mut d1) = (0.0, 0.0);
        for &(locus, pos) in self.land.uses(var) {
            let l = locus as usize;
            let level = self.land.level(l, self.fixed[l] as usize + 1);
            let idx = self.index[l];
            d0 += level[idx] - self.term[l];
            d1 += level[idx | 1 << pos] - self.term[l];
        }
        (d0, d1)
    }

    #[inline]
    fn set(&mut self, var: usize, value: bool) {
        for &(locus, pos) in self.land.uses(var) {
            let l = locus as usize;
            debug_assert_eq!(self.fixed[l], pos);
            self.index[l] |= (value as usize) << pos;
            self.fixed[l] += 1;
            self.term[l] = self.land.level(l, self.fixed[l] as usize)[self.index[l]];
        }
    }

    #[inline]
    fn unset(&mut self, var: usize) {
        for &(locus, pos) in self.land.uses(var) {
            let l = locus as usize;
            self.fixed[l] -= 1;
            self.index[l] &= !(1 << pos);
            self.term[l] = self.land.level(l, self.fixed[l] as usize)[self.index[l]];
        }
    }

    /// Explores the subtree below `depth` fixed decisions (the low bits of `config`) whose bound
    /// is `bound`.
    fn dfs(&mut self, depth: usize, config: u64, bound: f64) {
        let var = depth;
        let (d0, d1) = self.child_deltas(var);
        let children = if d1 > d0 {
            [(1u64, bound + d1), (0, bound + d0)]
        } else {
            [(0, bound + d0), (1, bound + d1)]
        };
        for (value, child_bound) in children {
            if child_bound + SLACK <= self.best_sum {
                continue;
            }
            let child = config | value << var;
            if depth + 1 == self.n {
                // A leaf: compare by the exact, ordered sum.
                let sum = full_sum(self.original, Config(unrename(child, self.rank)));
                if sum > self.best_sum {
                    self.best_sum = sum;
                    self.best = Config(child);
                }
            } else {
                self.set(var, value == 1);
                self.dfs(depth + 1, child, child_bound);
                self.unset(var);
            }
        }
    }
}

/// Returns the exact maximum of the *sum* of contributions (fitness × N) and a configuration
/// attaining it. `hint`, a configuration expected to be good (the previous optimum of a landscape
/// that was partly re-drawn), seeds the incumbent.
pub fn exact_max(land: &Landscape, hint: Option<Config>) -> (f64, Config) {
    let n = land.n();
    // On rugged landscapes (most loci read most decisions) bounds stay loose until the leaves, so
    // the search visits nearly every configuration at a higher cost per node than plain
    // enumeration: enumerate instead.
    let mean_reads = (0..n).map(|i| land.locus_vars(i).len()).sum::<usize>() as f64 / n as f64;
    if n <= ENUMERATE_MAX_N && 2.0 * mean_reads > n as f64 + 1.0 {
        return enumerate_max(land);
    }
    let mask = low_mask(n);
    let mut best = Config(0);
    let mut best_sum = f64::MIN;
    let starts = hint.into_iter().chain((0..CLIMBS).map(|s| match s {
        0 => Config(0),
        1 => Config(mask),
        _ => Config(mix64(s) & mask),
    }));
    for start in starts {
        let c = land.hill_climb(start);
        let sum = full_sum(land, c);
        if sum > best_sum {
            best_sum = sum;
            best = c;
        }
    }
    let rank = search_order(land);
    let relabeled = land.relabeled(&rank);
    let term: Vec<f64> = (0..n).map(|i| relabeled.level(i, 0)[0]).collect();
    let root_bound = term.iter().sum();
    let mut search = Search {
        land: &relabeled,
        original: land,
        rank: &rank,
        n,
        fixed: vec![0; n],
        index: vec![0; n],
        term,
        best_sum,
        best: Config(rename(best.0, &rank)),
    };
    search.dfs(0, 0, root_bound);
    let best = Config(unrename(search.best.0, &rank));
    (search.best_sum, best)
}

/// The order in which decisions are fixed, as a rank per decision: greedily, the decision that
/// brings the loci reading it closest to completion (score Σ 1/unfixed over those loci; ties to
/// the lowest index), so loci's bounds become exact early and prune more.
pub fn search_order(land: &Landscape) -> Vec<u8> {
    let n = land.n();
    let mut unfixed: Vec<f64> = (0..n).map(|i| land.locus_vars(i).len() as f64).collect();
    let mut rank = vec![0u8; n];
    let mut chosen = 0u64;
    for r in 0..n {
        let mut best_var = usize::MAX;
        let mut best_score = f64::MIN;
        for v in 0..n {
            if chosen >> v & 1 == 1 {
                continue;
            }
            let score: f64 = land
                .uses(v)
                .iter()
                .map(|&(l, _)| 1.0 / unfixed[l as usize])
                .sum();
            if score > best_score {
                best_score = score;
                best_var = v;
            }
        }
        chosen |= 1 << best_var;
        rank[best_var] = r as u8;
        for &(l, _) in land.uses(best_var) {
            unfixed[l as usize] -= 1.0;
        }
    }
    rank
}

/// Moves bit `j` of `c` to bit `rank[j]`.
fn rename(c: u64, rank: &[u8]) -> u64 {
    (0..rank.len()).fold(0, |acc, j| acc | (c >> j & 1) << rank[j])
}

/// Moves bit `rank[j]` of `c` back to bit `j`.
fn unrename(c: u64, rank: &[u8]) -> u64 {
    (0..rank.len()).fold(0, |acc, j| acc | (c >> rank[j] & 1) << j)
}

/// The largest `N` for which rugged landscapes are enumerated rather than searched.
pub const ENUMERATE_MAX_N: usize = 24;

/// The maximum by enumerating every configuration in Gray-code order, each sum taken afresh in
/// locus order (exactly as [`Landscape::fitness`] sums), so the result is bit for bit the same
/// kind of value the search returns.
pub fn enumerate_max(land: &Landscape) -> (f64, Config) {
    let n = land.n();
    let len: Vec<usize> = (0..n).map(|i| land.locus_vars(i).len()).collect();
    let mut index = vec![0usize; n];
    let mut contrib: Vec<f64> = (0..n).map(|i| land.level(i, len[i])[0]).collect();
    let sum = |contrib: &[f64]| {
        let mut s = 0.0;
        for &x in contrib {
            s += x;
        }
        s
    };
    let mut config = 0u64;
    let (mut best_sum, mut best) = (sum(&contrib), 0u64);
    for g in 1u64..(1u64 << n) {
        let j = g.trailing_zeros() as usize;
        config ^= 1 << j;
        for &(locus, pos) in land.uses(j) {
            let l = locus as usize;
            index[l] ^= 1 << pos;
            contrib[l] = land.level(l, len[l])[index[l]];
        }
        let s = sum(&contrib);
        if s > best_sum {
            best_sum = s;
            best = config;
        }
    }
    (best_sum, Config(best))
}

/// The sum of contributions in locus order (fitness × N without the division).
fn full_sum(land: &Landscape, c: Config) -> f64 {
    let mut sum = 0.0;
    for i in 0..land.n() {
        sum += land.contribution(i, c);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::{Interaction, NkSpec};
    use crate::rng::{Purpose, stream};

    #[test]
    fn enumeration_and_search_agree() {
        for (k, seed) in [(2usize, 1u64), (9, 2), (13, 3)] {
            let land = Landscape::generate(
                &NkSpec::random(14, k),
                &mut stream(seed, Purpose::Landscape, &[]),
            )
            .unwrap();
            let (s1, c1) = enumerate_max(&land);
            assert_eq!(s1 / 14.0, land.fitness(c1));
            assert_eq!(s1 / 14.0, land.global_max(), "K = {k}");
        }
    }

    #[test]
    fn exact_max_is_fitness_of_argmax_bit_for_bit() {
        for seed in 0..20 {
            let spec = NkSpec {
                interaction: if seed % 2 == 0 {
                    Interaction::Random
                } else {
                    Interaction::Adjacent
                },
                ..NkSpec::random(14, (seed % 6) as usize)
            };
            let land =
                Landscape::generate(&spec, &mut stream(seed, Purpose::Landscape, &[])).unwrap();
            let (sum, best) = exact_max(&land, None);
            assert_eq!(sum / 14.0, land.fitness(best));
            let brute = (0..1u64 << 14)
                .map(|c| land.fitness(Config(c)))
                .fold(f64::MIN, f64::max);
            assert_eq!(land.fitness(best), brute, "seed {seed}");
        }
    }
}
