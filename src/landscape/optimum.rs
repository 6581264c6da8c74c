//! The exact global maximum of an NK landscape by depth-first branch and bound.
//!
//! Decisions are fixed one at a time in a search order ([`search_order`]). At a node, each
//! locus's contribution is bounded by the largest table entry consistent with its decisions fixed
//! so far, and the bound of the node is the sum of these. Fixing one more decision changes only
//! the terms of the loci that read it, so a child's bound costs O(K), not O(N).
//!
//! Exactness: the search adds the contributions scaled to integers ([`SCALE`]; exact for drawn
//! contributions), so every bound is an exact upper bound of the integer sums below it. A subtree
//! is pruned only when its bound falls short of the best integer sum found by more than
//! [`SCREEN_SCALED`], far more than the rounding of a float sum: every configuration that could
//! hold the largest *float* sum is reached. Among those reached within that margin of the best,
//! the float sums are taken afresh in locus order, exactly as [`Landscape::fitness`] sums, and
//! the largest is returned — bit for bit `fitness(argmax) × N`, and no configuration's fitness
//! exceeds it. No random stream is consumed.

use super::indexed::{SCALE, SCREEN_SCALED, scaled};
use super::{Config, Landscape, MAX_N};

/// One locus reading the decision fixed at some depth of the search.
#[derive(Debug, Clone, Copy)]
struct Step {
    locus: u32,
    /// `2^p`, where `p` is the decision's bit in the locus's re-ordered table index (the number
    /// of its decisions fixed before it): the size of the level the locus's term is in.
    size: u32,
}

/// What the search reads: the loci to update at each depth and the scaled bound levels.
struct Tree {
    /// `steps[step_start[d]..step_start[d + 1]]`: the loci reading the decision of depth `d`.
    steps: Vec<Step>,
    step_start: Vec<usize>,
    /// Per locus from `base[l]`, levels `p = 0..=len` of `2^p` entries, level `p` at
    /// `base[l] + 2^p − 1` (level `len` is its table with bits in search order): entry `x` of
    /// level `p` is the largest scaled contribution whose first `p` decisions (in search order)
    /// are the bits of `x`. Entry `x` of level `p` and its two refinements `x` and `x | 2^p` of
    /// level `p + 1` are `2^p` and `2 · 2^p` places apart, so a locus's place in its levels moves
    /// by a constant when a decision is fixed, whatever was fixed before.
    levels: Vec<i64>,
    base: Vec<usize>,
}

impl Tree {
    /// The tables of `land` for fixing decisions by `rank` (rank `r` is fixed at depth `r`).
    fn new(land: &Landscape, rank: &[u8]) -> Tree {
        let n = land.n();
        let mut levels = Vec::with_capacity(land.levels.len());
        let mut base = Vec::with_capacity(n);
        // Steps sorted by depth (counting sort), loci ascending within a depth.
        let mut step_start = vec![0; n + 1];
        for &v in &land.vars {
            step_start[rank[v as usize] as usize + 1] += 1;
        }
        for d in 0..n {
            step_start[d + 1] += step_start[d];
        }
        let mut fill = step_start.clone();
        let mut steps = vec![Step { locus: 0, size: 0 }; land.vars.len()];
        for l in 0..n {
            let vars = land.locus_vars(l);
            let table = land.level(l, vars.len());
            let len = vars.len();
            // order[b]: the position in `vars` (the bit of the original index) of the decision
            // that becomes bit b of the re-ordered index.
            let mut order = [0usize; MAX_N];
            let order = &mut order[..len];
            for (b, o) in order.iter_mut().enumerate() {
                *o = b;
            }
            order.sort_unstable_by_key(|&b| rank[vars[b] as usize]);
            let at = levels.len();
            base.push(at);
            levels.resize(at + (2 << len) - 1, 0);
            let top = at + (1 << len) - 1;
            for new_idx in 0..(1usize << len) {
                let mut old_idx = 0;
                for (b, &o) in order.iter().enumerate() {
                    old_idx |= (new_idx >> b & 1) << o;
                }
                levels[top + new_idx] = scaled(table[old_idx]);
            }
            for p in (0..len).rev() {
                let (dst, src) = (at + (1 << p) - 1, at + (2 << p) - 1);
                for x in 0..(1usize << p) {
                    levels[dst + x] = levels[src + x].max(levels[src + (x | 1 << p)]);
                }
            }
            for (b, &o) in order.iter().enumerate() {
                let depth = rank[vars[o] as usize] as usize;
                steps[fill[depth]] = Step {
                    locus: l as u32,
                    size: 1 << b,
                };
                fill[depth] += 1;
            }
        }
        Tree {
            steps,
            step_start,
            levels,
            base,
        }
    }
}

struct Search<'a> {
    tree: &'a Tree,
    n: usize,
    /// Each locus's place in its levels: its bound term is `tree.levels[at[l]]` (a fixed
    /// length, so that `l % MAX_N` needs no bounds check).
    at: [usize; MAX_N],
    /// The best integer sum reached.
    best: i64,
    /// Leaves reached within the margin of the best at the time (configurations with bit `d`
    /// the decision fixed at depth `d`), with their integer sums.
    near: Vec<(i64, u64)>,
}

impl Search<'_> {
    /// Explores the subtree below `depth` fixed decisions (the low bits of `config`) whose bound
    /// is `bound`.
    fn dfs(&mut self, depth: usize, config: u64, bound: i64) {
        let tree = self.tree;
        let steps = &tree.steps[tree.step_start[depth]..tree.step_start[depth + 1]];
        let (mut d0, mut d1) = (0, 0);
        for s in steps {
            let at = self.at[s.locus as usize % MAX_N];
            let (size, term) = (s.size as usize, tree.levels[at]);
            d0 += tree.levels[at + size] - term;
            d1 += tree.levels[at + 2 * size] - term;
        }
        let children = if d1 > d0 {
            [(1u64, bound + d1), (0, bound + d0)]
        } else {
            [(0, bound + d0), (1, bound + d1)]
        };
        for (value, child_bound) in children {
            if child_bound < self.best - SCREEN_SCALED {
                continue;
            }
            let child = config | value << depth;
            if depth + 1 == self.n {
                // A leaf: its bound is its exact integer sum.
                self.best = self.best.max(child_bound);
                self.near.push((child_bound, child));
                continue;
            }
            for s in steps {
                self.at[s.locus as usize % MAX_N] += (s.size as usize) << value;
            }
            self.dfs(depth + 1, child, child_bound);
            for s in steps {
                self.at[s.locus as usize % MAX_N] -= (s.size as usize) << value;
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
    let rank = search_order(land);
    let tree = Tree::new(land, &rank);
    let root_bound = tree.base.iter().map(|&at| tree.levels[at]).sum();
    let best = hint.map_or(i64::MIN / 2, |c| {
        (0..n).map(|i| scaled(land.contribution(i, c))).sum()
    });
    let mut search = Search {
        tree: &tree,
        n,
        at: {
            let mut at = [0; MAX_N];
            at[..n].copy_from_slice(&tree.base);
            at
        },
        best,
        near: Vec::new(),
    };
    search.dfs(0, 0, root_bound);
    let (mut best_sum, mut best) = (f64::MIN, Config(0));
    for &(sum, c) in &search.near {
        if sum >= search.best - SCREEN_SCALED {
            let c = Config(unrename(c, &rank));
            let s = full_sum(land, c);
            if s > best_sum {
                best_sum = s;
                best = c;
            }
        }
    }
    debug_assert!((best_sum - search.best as f64 / SCALE).abs() < 1e-9);
    (best_sum, best)
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

/// Moves bit `rank[j]` of `c` back to bit `j`.
fn unrename(c: u64, rank: &[u8]) -> u64 {
    (0..rank.len()).fold(0, |acc, j| acc | (c >> rank[j] & 1) << j)
}

/// The largest `N` for which rugged landscapes are enumerated rather than searched.
pub const ENUMERATE_MAX_N: usize = 24;

/// The maximum by enumerating every configuration in Gray-code order. The float sum (taken in
/// locus order, exactly as [`Landscape::fitness`] sums) is computed only for configurations
/// whose exact integer sum is within [`SCREEN_SCALED`] of the best so far — any other one is
/// certainly below a float sum already seen — so the result, the first configuration in Gray
/// order with the largest float sum, is the one full enumeration gives.
pub fn enumerate_max(land: &Landscape) -> (f64, Config) {
    let (mut best_scaled, mut best_sum, mut best) = (i64::MIN / 2, f64::MIN, 0u64);
    land.gray_walk(|config, index, sum| {
        if sum >= best_scaled - SCREEN_SCALED {
            best_scaled = best_scaled.max(sum);
            let s = land.sum_at(index);
            if s > best_sum {
                best_sum = s;
                best = config;
            }
        }
    });
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

    /// Tables whose entries are a few ulps apart make many configurations' float sums tie or
    /// cross their exact order; the search must still return the largest float sum (the first
    /// configuration in Gray order holding it, when enumerating).
    #[test]
    fn near_ties_give_the_largest_float_sum() {
        for seed in 0..30u64 {
            let k = if seed % 3 == 0 { 11 } else { 2 };
            let mut land = Landscape::generate(
                &NkSpec::random(12, k),
                &mut stream(seed, Purpose::Landscape, &[]),
            )
            .unwrap();
            let mut r = stream(seed, Purpose::Sampling, &[]);
            let base = 0.25 + crate::rng::unit(&mut r) * 0.5;
            for i in 0..12 {
                let len = land.locus_vars(i).len();
                let at = land.level_start[i] + (1 << len) - 1;
                for x in 0..(1usize << len) {
                    let ulps = crate::rng::below(&mut r, 5) as i64 - 2;
                    land.levels[at + x] = f64::from_bits((base.to_bits() as i64 + ulps) as u64);
                }
            }
            let sums: Vec<f64> = (0..1u64 << 12)
                .map(|c| full_sum(&land, Config(c)))
                .collect();
            let max = sums.iter().copied().fold(f64::MIN, f64::max);
            let (sum, best) = exact_max(&land, None);
            assert_eq!(sum.to_bits(), max.to_bits(), "seed {seed}");
            assert_eq!(full_sum(&land, best).to_bits(), max.to_bits());
            let (sum, best) = enumerate_max(&land);
            let mut first = 0u64;
            for g in 0..1u64 << 12 {
                let c = g ^ (g >> 1);
                if sums[c as usize] == max {
                    first = c;
                    break;
                }
            }
            assert_eq!((sum.to_bits(), best), (max.to_bits(), Config(first)));
        }
    }
}
