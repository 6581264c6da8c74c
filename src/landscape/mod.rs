//! The task environment: Kauffman's NK fitness landscape (Kauffman 1993; Levinthal 1997).
//!
//! `N` binary decisions; the contribution of decision `i` depends on its own value and on the
//! values of the decisions it interacts with, through a table of U(0,1) draws. Fitness is the mean
//! of the `N` contributions. A configuration is a [`Config`], a 64-bit set, so `N ≤ 64`.
//!
//! Interaction patterns ([`Interaction`]): `random`, `adjacent` (ring neighbours) and `modular`
//! (interactions inside blocks of decisions, plus a set number or probability of links across
//! blocks, the structure Rivkin & Siggelkow 2003 use to make decentralization hard or easy).
//!
//! Performance is fitness divided by a normalizer ([`Normalization`]): by default the exact
//! global maximum, found by branch and bound ([`optimum`]) once per landscape and cached, so
//! performance is in [0, 1] and equals 1 only at a global optimum.
//!
//! ```
//! use leadsim::landscape::{Config, Landscape, NkSpec};
//! use leadsim::rng::{self, Purpose};
//! let spec = NkSpec::random(10, 2);
//! let land = Landscape::generate(&spec, &mut rng::stream(1, Purpose::Landscape, &[])).unwrap();
//! let c = Config(0b1011);
//! let f = land.fitness(c);
//! assert!((0.0..=1.0).contains(&f) && land.global_max() >= f);
//! let d = land.delta(c, 1 << 4);
//! assert!((land.fitness(Config(c.0 ^ (1 << 4))) - f - d).abs() < 1e-12);
//! ```

mod gather;
pub mod indexed;
pub mod optimum;
pub mod stats;

use crate::rng::{self, SimRng};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest number of decisions a configuration can hold.
pub const MAX_N: usize = 64;

/// The largest `N` for which the exact global maximum is the default normalizer. Above it the
/// branch and bound may take exponential time on rugged landscapes; a scenario must ask for
/// `normalization = "bound"` instead (see [`Normalization`]).
pub const EXACT_MAX_N: usize = 32;

/// The most memory one landscape's tables may take (bytes).
pub const MAX_TABLE_BYTES: u64 = 1 << 30;

/// A configuration of up to 64 binary decisions: bit `i` is decision `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Config(pub u64);

impl Config {
    /// The value of decision `i`.
    #[inline]
    pub fn get(self, i: usize) -> bool {
        self.0 >> i & 1 == 1
    }
    /// This configuration with the decisions in `mask` flipped.
    #[inline]
    pub fn flipped(self, mask: u64) -> Config {
        Config(self.0 ^ mask)
    }
    /// This configuration with the decisions in `mask` set to the bits of `values`.
    #[inline]
    pub fn with(self, mask: u64, values: u64) -> Config {
        Config((self.0 & !mask) | (values & mask))
    }
    /// A uniformly random configuration of `n` decisions.
    pub fn random(n: usize, rng: &mut SimRng) -> Config {
        Config(rng_bits(rng) & low_mask(n))
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

fn rng_bits(rng: &mut SimRng) -> u64 {
    use rand::Rng;
    rng.next_u64()
}

/// A mask of the lowest `n` bits (`n ≤ 64`).
#[inline]
pub fn low_mask(n: usize) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}

/// How the decisions interact.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Interaction {
    /// Each decision depends on `K` others chosen uniformly at random.
    Random,
    /// Each decision depends on its `K` nearest neighbours on a ring (`⌈K/2⌉` after it and
    /// `⌊K/2⌋` before it).
    Adjacent,
    /// Decisions are split into `modules` contiguous blocks; links fall inside a decision's block
    /// except for the cross-module ones.
    Modular {
        /// Number of blocks.
        modules: usize,
        /// How many of each decision's `K` links cross into other blocks.
        cross: CrossModule,
    },
}

/// The cross-module links of a modular landscape.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossModule {
    /// Exactly this many of each decision's `K` links go to other blocks.
    Count(usize),
    /// Each of a decision's `K` links goes to another block with this probability.
    Probability(f64),
}

/// How a decision's `K` links are drawn in a `random` landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkRule {
    /// `K` distinct other decisions (Kauffman's definition).
    Distinct,
    /// `K` draws with replacement from all `N` decisions, possibly the decision itself — the
    /// rule of the generator distributed with Lazer & Friedman (2007), which gives on average
    /// fewer than `K` distinct links and a smoother landscape.
    WithReplacement,
}

/// What performance is divided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// The exact global maximum (branch and bound); allowed for `N ≤ EXACT_MAX_N`.
    Exact,
    /// The sum over decisions of each table's largest entry, divided by `N`: an upper bound on
    /// the global maximum that is cheap for any `N`. Performance stays in [0, 1] but may never
    /// reach 1, and is not comparable with exact-normalized figures.
    Bound,
}

/// Everything that defines the distribution an NK landscape is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NkSpec {
    /// Number of decisions.
    pub n: usize,
    /// Number of other decisions each decision's contribution depends on.
    pub k: usize,
    /// Interaction pattern.
    pub interaction: Interaction,
    /// Link rule for random interactions.
    pub links: LinkRule,
    /// Normalizer of performance.
    pub normalization: Normalization,
}

/// Why a landscape specification is invalid. Each message says what would be valid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LandscapeError {
    /// N outside 1 ..= [`MAX_N`] (a configuration is one 64-bit word).
    #[error("N = {n} is out of range: N must be between 1 and {MAX_N}")]
    BadN {
        /// The N asked for.
        n: usize,
    },
    #[error("K = {k} is out of range for N = {n}: K must be between 0 and N - 1 = {max}", max = .n.saturating_sub(1))]
    /// K outside 0 ..= N − 1.
    BadK {
        /// The landscape's N.
        n: usize,
        /// The K asked for.
        k: usize,
    },
    #[error(
        "modules = {modules} is out of range for N = {n}: it must be between 1 and N, and every module must hold at least K + 1 = {need} decisions when links stay inside modules"
    , need = .k + 1)]
    /// A modular landscape's module count outside 1 ..= N, or a module too small to hold a
    /// decision's K links inside it.
    BadModules {
        /// The landscape's N.
        n: usize,
        /// The landscape's K.
        k: usize,
        /// The module count asked for.
        modules: usize,
    },
    #[error(
        "cross = {cross} cross-module links is not possible with K = {k} and modules of {min_size} to {max_size} decisions: it must be between {lo} and {hi}"
    )]
    /// A number of cross-module links per decision that modules of these sizes cannot hold.
    BadCrossCount {
        /// The cross-module links per decision asked for.
        cross: usize,
        /// The landscape's K (links per decision in all).
        k: usize,
        /// Decisions in the smallest module.
        min_size: usize,
        /// Decisions in the largest module.
        max_size: usize,
        /// The fewest cross-module links possible.
        lo: usize,
        /// The most cross-module links possible.
        hi: usize,
    },
    #[error("cross-module probability {p} must be a number between 0 and 1")]
    /// A cross-module link probability outside [0, 1] (or NaN).
    BadCrossProbability {
        /// The probability asked for.
        p: f64,
    },
    /// Links drawn with replacement asked for an interaction pattern other than `random`.
    #[error(
        "links = \"with_replacement\" is only defined for interaction \"random\" (the Lazer & Friedman generator); use links = \"distinct\""
    )]
    ReplacementNeedsRandom,
    #[error(
        "exact normalization is limited to N <= {EXACT_MAX_N} (N = {n} asked for); set normalization = \"bound\" to divide by an upper bound instead"
    )]
    /// Exact normalization (the true maximum found by search) asked for above
    /// [`EXACT_MAX_N`] decisions.
    ExactTooLarge {
        /// The landscape's N.
        n: usize,
    },
    #[error(
        "N = {n}, K = {k} needs about {mib} MiB of contribution tables per landscape; the limit is {limit} MiB (lower K)",
        mib = .bytes / (1 << 20), limit = MAX_TABLE_BYTES / (1 << 20)
    )]
    /// Contribution tables (N · 2^(K+1) values) larger than [`MAX_TABLE_BYTES`].
    TooLarge {
        /// The landscape's N.
        n: usize,
        /// The landscape's K.
        k: usize,
        /// Bytes the tables would take.
        bytes: u64,
    },
}

impl NkSpec {
    /// A random-interaction landscape with distinct links and exact normalization.
    pub fn random(n: usize, k: usize) -> NkSpec {
        NkSpec {
            n,
            k,
            interaction: Interaction::Random,
            links: LinkRule::Distinct,
            normalization: Normalization::Exact,
        }
    }

    /// Bytes taken by one landscape's tables (contributions plus branch-and-bound levels).
    pub fn table_bytes(&self) -> u64 {
        let per_locus = 1u64.checked_shl(self.k as u32 + 2).unwrap_or(u64::MAX);
        per_locus.saturating_mul(8).saturating_mul(self.n as u64)
    }

    /// Checks every constraint; a landscape can be generated from a spec that passes.
    pub fn validate(&self) -> Result<(), LandscapeError> {
        let (n, k) = (self.n, self.k);
        if n == 0 || n > MAX_N {
            return Err(LandscapeError::BadN { n });
        }
        if k >= n {
            return Err(LandscapeError::BadK { n, k });
        }
        let bytes = self.table_bytes();
        if bytes > MAX_TABLE_BYTES {
            return Err(LandscapeError::TooLarge { n, k, bytes });
        }
        if self.links == LinkRule::WithReplacement && self.interaction != Interaction::Random {
            return Err(LandscapeError::ReplacementNeedsRandom);
        }
        if self.normalization == Normalization::Exact && n > EXACT_MAX_N {
            return Err(LandscapeError::ExactTooLarge { n });
        }
        if let Interaction::Modular { modules, cross } = self.interaction {
            if modules == 0 || modules > n {
                return Err(LandscapeError::BadModules { n, k, modules });
            }
            let (min_size, max_size) = (n / modules, n.div_ceil(modules));
            match cross {
                CrossModule::Count(c) => {
                    // Inside links need room in the smallest module; cross links need room outside
                    // the largest one.
                    let lo = k.saturating_sub(min_size - 1);
                    let hi = k.min(n - max_size);
                    if c < lo || c > hi {
                        return Err(LandscapeError::BadCrossCount {
                            cross: c,
                            k,
                            min_size,
                            max_size,
                            lo,
                            hi,
                        });
                    }
                }
                CrossModule::Probability(p) => {
                    if !(0.0..=1.0).contains(&p) {
                        return Err(LandscapeError::BadCrossProbability { p });
                    }
                    if min_size < k + 1 {
                        return Err(LandscapeError::BadModules { n, k, modules });
                    }
                }
            }
        }
        Ok(())
    }
}

/// The block of decision `i` when `n` decisions are split into `modules` contiguous blocks.
#[inline]
pub fn module_of(i: usize, n: usize, modules: usize) -> usize {
    i * modules / n
}

/// One NK landscape: interaction structure, contribution tables and the cached normalizer.
///
/// Each decision ("locus") `i` has a sorted list of the distinct decisions its contribution reads
/// (always including `i`), and a table with one U(0,1) entry per assignment of those decisions.
/// Bit `b` of a table's index is the `b`-th of those decisions, so the index is the decisions'
/// bits gathered in order. Beside each table the landscape keeps, for every prefix length `p`,
/// the largest entry consistent with each assignment of the first `p` of those decisions,
/// rebuilt only for re-drawn tables (level 0, the table's largest entry, is what the bound
/// normalizer adds up; the exact search builds the same levels in its own decision order).
#[derive(Debug, Clone)]
pub struct Landscape {
    spec: NkSpec,
    /// Decisions each locus reads, sorted ascending; `vars[var_start[i]..var_start[i+1]]`.
    vars: Vec<u8>,
    var_start: Vec<usize>,
    /// The same decisions as a bit set per locus, to gather table indices from.
    masks: Vec<u64>,
    /// Per locus, levels `p = 0..=len` of sizes `2^p`; level `len` is the contribution table.
    levels: Vec<f64>,
    level_start: Vec<usize>,
    /// Where each locus's contribution table (its level `len`) starts in `levels`.
    table_start: Vec<usize>,
    /// `readers[j]`: the loci whose contribution reads decision `j`, as a bit set.
    readers: Vec<u64>,
    /// `(locus, bit position in that locus's table index)` for each decision, flattened.
    uses: Vec<(u8, u8)>,
    use_start: Vec<usize>,
    normalizer: f64,
    argmax: Option<Config>,
}

impl Landscape {
    /// Draws a landscape from `spec` using `rng` for the links and the tables.
    pub fn generate(spec: &NkSpec, rng: &mut SimRng) -> Result<Landscape, LandscapeError> {
        spec.validate()?;
        let n = spec.n;
        let mut vars = Vec::with_capacity(n * (spec.k + 1));
        let mut var_start = Vec::with_capacity(n + 1);
        let mut masks = Vec::with_capacity(n);
        let (mut scratch, mut picked) = (Vec::new(), Vec::new());
        for i in 0..n {
            var_start.push(vars.len());
            let mut set: u64 = 1 << i;
            draw_links(spec, i, rng, &mut scratch, &mut picked, &mut set);
            masks.push(set);
            let mut s = set;
            while s != 0 {
                vars.push(s.trailing_zeros() as u8);
                s &= s - 1;
            }
        }
        var_start.push(vars.len());
        let mut level_start = Vec::with_capacity(n + 1);
        let mut table_start = Vec::with_capacity(n);
        let mut total = 0usize;
        for i in 0..n {
            level_start.push(total);
            let len = var_start[i + 1] - var_start[i];
            table_start.push(total + (1 << len) - 1);
            total += (1usize << (len + 1)) - 1;
        }
        level_start.push(total);
        let mut land = Landscape {
            spec: *spec,
            vars,
            var_start,
            masks,
            levels: vec![0.0; total],
            level_start,
            table_start,
            readers: vec![0; n],
            uses: Vec::new(),
            use_start: Vec::new(),
            normalizer: 1.0,
            argmax: None,
        };
        land.index_readers();
        for i in 0..n {
            land.draw_table(i, rng);
        }
        land.renormalize();
        Ok(land)
    }

    fn index_readers(&mut self) {
        let n = self.spec.n;
        self.use_start.clear();
        let mut per_var: Vec<Vec<(u8, u8)>> = vec![Vec::new(); n];
        for i in 0..n {
            for (pos, &v) in self.vars[self.var_start[i]..self.var_start[i + 1]]
                .iter()
                .enumerate()
            {
                self.readers[v as usize] |= 1 << i;
                per_var[v as usize].push((i as u8, pos as u8));
            }
        }
        for list in &per_var {
            self.use_start.push(self.uses.len());
            self.uses.extend_from_slice(list);
        }
        self.use_start.push(self.uses.len());
    }

    /// Fills locus `i`'s table with fresh U(0,1) draws and rebuilds its bound levels.
    fn draw_table(&mut self, i: usize, rng: &mut SimRng) {
        let len = self.var_start[i + 1] - self.var_start[i];
        let table_off = self.level_start[i] + (1 << len) - 1;
        for x in &mut self.levels[table_off..table_off + (1 << len)] {
            *x = rng::unit(rng);
        }
        self.build_levels(i);
    }

    /// Rebuilds locus `i`'s bound levels from its table. Level p holds, for each assignment of
    /// the first p decisions, the best entry over the rest: M_p[x] = max(M_{p+1}[x], M_{p+1}[x | 1 << p]).
    fn build_levels(&mut self, i: usize) {
        let len = self.var_start[i + 1] - self.var_start[i];
        let start = self.level_start[i];
        for p in (0..len).rev() {
            let (lo, hi) = self.levels[start..].split_at_mut((1 << (p + 1)) - 1);
            let dst = &mut lo[(1 << p) - 1..];
            let src = &hi[..1 << (p + 1)];
            for x in 0..(1usize << p) {
                dst[x] = src[x].max(src[x | 1 << p]);
            }
        }
    }

    fn renormalize(&mut self) {
        match self.spec.normalization {
            Normalization::Exact => {
                let (sum, best) = optimum::exact_max(self, self.argmax);
                self.normalizer = sum / self.spec.n as f64;
                self.argmax = Some(best);
            }
            Normalization::Bound => {
                let sum: f64 = (0..self.spec.n).map(|i| self.level(i, 0)[0]).sum();
                self.normalizer = sum / self.spec.n as f64;
                self.argmax = None;
            }
        }
    }

    /// The specification this landscape was drawn from.
    pub fn spec(&self) -> &NkSpec {
        &self.spec
    }
    /// Number of decisions.
    pub fn n(&self) -> usize {
        self.spec.n
    }
    /// Interactions per decision.
    pub fn k(&self) -> usize {
        self.spec.k
    }

    /// The distinct decisions locus `i` reads, ascending (including `i`).
    #[inline]
    pub fn locus_vars(&self, i: usize) -> &[u8] {
        &self.vars[self.var_start[i]..self.var_start[i + 1]]
    }

    /// Bound level `p` of locus `i` (level `len` is the contribution table).
    #[inline]
    pub(crate) fn level(&self, i: usize, p: usize) -> &[f64] {
        let off = self.level_start[i] + (1 << p) - 1;
        &self.levels[off..off + (1 << p)]
    }

    /// The loci whose contribution reads decision `j`, as a bit set.
    #[inline]
    pub fn readers(&self, j: usize) -> u64 {
        self.readers[j]
    }

    /// `(locus, bit position)` pairs: where decision `j` enters each table index.
    #[inline]
    pub(crate) fn uses(&self, j: usize) -> &[(u8, u8)] {
        &self.uses[self.use_start[j]..self.use_start[j + 1]]
    }

    /// The loci whose contributions change when the decisions in `mask` change.
    #[inline]
    pub fn affected(&self, mut mask: u64) -> u64 {
        let mut out = 0;
        while mask != 0 {
            out |= self.readers[mask.trailing_zeros() as usize];
            mask &= mask - 1;
        }
        out
    }

    /// The table index of locus `i` under configuration `c`: the bits of the decisions it
    /// reads, gathered in ascending order (by BMI2 `pext` where it is fast).
    #[inline]
    pub fn table_index(&self, i: usize, c: Config) -> usize {
        gather::gather(c.0, self.masks[i]) as usize
    }

    /// The contribution of locus `i` under configuration `c`.
    #[inline]
    pub fn contribution(&self, i: usize, c: Config) -> f64 {
        self.levels[self.table_start[i] + self.table_index(i, c)]
    }

    /// Fitness: the mean of the `N` contributions, summed in locus order.
    pub fn fitness(&self, c: Config) -> f64 {
        let mut sum = 0.0;
        for i in 0..self.spec.n {
            sum += self.contribution(i, c);
        }
        sum / self.spec.n as f64
    }

    /// `fitness(c with mask flipped) − fitness(c)`, computed from the affected contributions
    /// only: the cost grows with the number of loci that read a flipped decision.
    #[inline]
    pub fn delta(&self, c: Config, flip: u64) -> f64 {
        self.delta_within(c, flip, u64::MAX)
    }

    /// The part of [`Landscape::delta`] that falls on the loci in `view`: what a decision maker
    /// who only sees those contributions perceives. Summed in locus order, divided by `N`.
    #[inline]
    pub fn delta_within(&self, c: Config, flip: u64, view: u64) -> f64 {
        let next = c.flipped(flip);
        let mut loci = self.affected(flip) & view;
        let mut sum = 0.0;
        while loci != 0 {
            let i = loci.trailing_zeros() as usize;
            sum += self.contribution(i, next) - self.contribution(i, c);
            loci &= loci - 1;
        }
        sum / self.spec.n as f64
    }

    /// The value performance is divided by: the exact global maximum (default) or the bound.
    #[inline]
    pub fn normalizer(&self) -> f64 {
        self.normalizer
    }

    /// The exact global maximum fitness (or the bound, under `normalization = "bound"`).
    #[inline]
    pub fn global_max(&self) -> f64 {
        self.normalizer
    }

    /// A configuration attaining the exact global maximum (`None` under bound normalization).
    pub fn argmax(&self) -> Option<Config> {
        self.argmax
    }

    /// Fitness divided by the normalizer: in [0, 1], and 1 exactly at a global optimum under
    /// exact normalization.
    #[inline]
    pub fn performance(&self, c: Config) -> f64 {
        // The exact maximum is the same floating-point sum as fitness(argmax), so the ratio
        // cannot exceed 1; the clamp only guards the bound normalizer's division rounding.
        (self.fitness(c) / self.normalizer).min(1.0)
    }

    /// Re-draws the contribution tables of `round(fraction · N)` loci chosen uniformly without
    /// replacement, keeping the interaction structure, and recomputes the normalizer. Returns
    /// the loci re-drawn as a bit set. `fraction` is clamped to [0, 1].
    pub fn redraw(&mut self, fraction: f64, rng: &mut SimRng) -> u64 {
        let n = self.spec.n;
        let count = (fraction.clamp(0.0, 1.0) * n as f64).round() as usize;
        if count == 0 {
            return 0;
        }
        let (mut scratch, mut picked) = (Vec::new(), Vec::new());
        rng::choose_distinct(rng, n, count, &mut scratch, &mut picked);
        picked.sort_unstable();
        let mut mask = 0u64;
        for &i in &picked {
            self.draw_table(i, rng);
            mask |= 1 << i;
        }
        self.renormalize();
        mask
    }

    /// Best-improvement hill climb from `start` until no single flip raises fitness.
    pub fn hill_climb(&self, start: Config) -> Config {
        let mut c = start;
        loop {
            let mut best = 0.0;
            let mut best_flip = None;
            for j in 0..self.spec.n {
                let d = self.delta(c, 1 << j);
                if d > best {
                    best = d;
                    best_flip = Some(j);
                }
            }
            match best_flip {
                Some(j) => c = c.flipped(1 << j),
                None => return c,
            }
        }
    }
}

/// Adds decision `i`'s links to `set` according to `spec`.
fn draw_links(
    spec: &NkSpec,
    i: usize,
    rng: &mut SimRng,
    scratch: &mut Vec<usize>,
    picked: &mut Vec<usize>,
    set: &mut u64,
) {
    let (n, k) = (spec.n, spec.k);
    match (spec.interaction, spec.links) {
        (Interaction::Random, LinkRule::WithReplacement) => {
            for _ in 0..k {
                *set |= 1 << rng::below(rng, n);
            }
        }
        (Interaction::Random, LinkRule::Distinct) => {
            // K distinct from the N - 1 others: index into 0..n-1 skipping i.
            rng::choose_distinct(rng, n - 1, k, scratch, picked);
            for &j in picked.iter() {
                *set |= 1 << if j >= i { j + 1 } else { j };
            }
        }
        (Interaction::Adjacent, _) => {
            let after = k.div_ceil(2);
            for d in 1..=after {
                *set |= 1 << ((i + d) % n);
            }
            for d in 1..=(k - after) {
                *set |= 1 << ((i + n - d) % n);
            }
        }
        (Interaction::Modular { modules, cross }, _) => {
            let m = module_of(i, n, modules);
            let inside: Vec<usize> = (0..n)
                .filter(|&j| j != i && module_of(j, n, modules) == m)
                .collect();
            let outside: Vec<usize> = (0..n).filter(|&j| module_of(j, n, modules) != m).collect();
            let mut n_cross = match cross {
                CrossModule::Count(c) => c,
                CrossModule::Probability(p) => (0..k).filter(|_| rng::chance(rng, p)).count(),
            };
            // Validation guarantees room for Count; for Probability move any excess across.
            n_cross = n_cross
                .max(k.saturating_sub(inside.len()))
                .min(outside.len());
            let n_inside = k - n_cross;
            rng::choose_distinct(rng, inside.len(), n_inside, scratch, picked);
            for &j in picked.iter() {
                *set |= 1 << inside[j];
            }
            rng::choose_distinct(rng, outside.len(), n_cross, scratch, picked);
            for &j in picked.iter() {
                *set |= 1 << outside[j];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};

    fn land(spec: NkSpec, seed: u64) -> Landscape {
        Landscape::generate(&spec, &mut stream(seed, Purpose::Landscape, &[])).unwrap()
    }

    fn brute_max(l: &Landscape) -> f64 {
        (0..1u64 << l.n())
            .map(|c| l.fitness(Config(c)))
            .fold(f64::MIN, f64::max)
    }

    #[test]
    fn links_have_the_right_counts() {
        for (interaction, n, k) in [
            (Interaction::Random, 12, 3),
            (Interaction::Adjacent, 12, 3),
            (Interaction::Adjacent, 9, 4),
            (
                Interaction::Modular {
                    modules: 3,
                    cross: CrossModule::Count(1),
                },
                12,
                3,
            ),
        ] {
            let spec = NkSpec {
                interaction,
                ..NkSpec::random(n, k)
            };
            let l = land(spec, 3);
            for i in 0..n {
                let vars = l.locus_vars(i);
                assert_eq!(vars.len(), k + 1, "{interaction:?} locus {i}: {vars:?}");
                assert!(vars.contains(&(i as u8)));
            }
        }
    }

    #[test]
    fn modular_cross_count_is_respected() {
        let spec = NkSpec {
            interaction: Interaction::Modular {
                modules: 4,
                cross: CrossModule::Count(1),
            },
            ..NkSpec::random(16, 3)
        };
        let l = land(spec, 9);
        for i in 0..16 {
            let m = module_of(i, 16, 4);
            let cross = l
                .locus_vars(i)
                .iter()
                .filter(|&&v| module_of(v as usize, 16, 4) != m)
                .count();
            assert_eq!(cross, 1, "locus {i}");
        }
        let none = NkSpec {
            interaction: Interaction::Modular {
                modules: 4,
                cross: CrossModule::Count(0),
            },
            ..NkSpec::random(16, 3)
        };
        let l = land(none, 9);
        for i in 0..16 {
            let m = module_of(i, 16, 4);
            assert!(
                l.locus_vars(i)
                    .iter()
                    .all(|&v| module_of(v as usize, 16, 4) == m)
            );
        }
    }

    #[test]
    fn adjacent_links_are_ring_neighbours() {
        let l = land(
            NkSpec {
                interaction: Interaction::Adjacent,
                ..NkSpec::random(8, 3)
            },
            1,
        );
        assert_eq!(l.locus_vars(0), &[0, 1, 2, 7]);
        assert_eq!(l.locus_vars(7), &[0, 1, 6, 7]);
    }

    #[test]
    fn replacement_links_can_be_fewer_than_k() {
        let spec = NkSpec {
            links: LinkRule::WithReplacement,
            ..NkSpec::random(20, 5)
        };
        let l = land(spec, 2);
        let mean_other: f64 = (0..20)
            .map(|i| l.locus_vars(i).len() as f64 - 1.0)
            .sum::<f64>()
            / 20.0;
        assert!(
            (0..20).all(|i| l.locus_vars(i).len() <= 6),
            "at most K + 1 decisions"
        );
        // Expected distinct others ≈ 19·(1 − (19/20)^5) ≈ 4.3: clearly below 5 on average.
        assert!(mean_other < 5.0 && mean_other > 3.0, "{mean_other}");
    }

    #[test]
    fn exact_max_matches_brute_force() {
        for (n, k, seed) in [(1, 0, 1), (6, 0, 2), (8, 2, 3), (10, 5, 4), (12, 11, 5)] {
            let l = land(NkSpec::random(n, k), seed);
            let brute = brute_max(&l);
            assert_eq!(l.global_max(), brute, "N={n} K={k}");
            assert_eq!(l.fitness(l.argmax().unwrap()), brute);
        }
    }

    #[test]
    fn bound_normalization_is_an_upper_bound() {
        let spec = NkSpec {
            normalization: Normalization::Bound,
            ..NkSpec::random(10, 3)
        };
        let l = land(spec, 4);
        assert!(l.global_max() >= brute_max(&l));
        assert!(l.argmax().is_none());
    }

    #[test]
    fn redraw_zero_changes_nothing_and_one_changes_every_table() {
        let mut l = land(NkSpec::random(10, 2), 6);
        let before = l.clone();
        let mut r = stream(6, Purpose::Turbulence, &[]);
        assert_eq!(l.redraw(0.0, &mut r), 0);
        assert_eq!(l.levels, before.levels);
        assert_eq!(l.redraw(1.0, &mut r), low_mask(10));
        for i in 0..10 {
            assert_ne!(l.level(i, 3), before.level(i, 3), "table {i} kept");
        }
        assert_eq!(l.global_max(), brute_max(&l));
        let half = l.redraw(0.5, &mut r);
        assert_eq!(half.count_ones(), 5);
    }

    #[test]
    fn validation_names_what_is_valid() {
        let e = NkSpec::random(8, 8).validate().unwrap_err();
        assert!(e.to_string().contains("between 0 and N - 1 = 7"), "{e}");
        assert!(matches!(
            NkSpec::random(0, 0).validate(),
            Err(LandscapeError::BadN { .. })
        ));
        assert!(matches!(
            NkSpec::random(40, 3).validate(),
            Err(LandscapeError::ExactTooLarge { .. })
        ));
        assert!(matches!(
            NkSpec::random(64, 40).validate(),
            Err(LandscapeError::TooLarge { .. })
        ));
        let modular = NkSpec {
            interaction: Interaction::Modular {
                modules: 4,
                cross: CrossModule::Count(0),
            },
            ..NkSpec::random(12, 3)
        };
        assert!(matches!(
            modular.validate(),
            Err(LandscapeError::BadCrossCount { lo: 1, .. })
        ));
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_spec() -> impl Strategy<Value = NkSpec> {
            (1usize..=16, 0usize..16, 0u8..4, 1usize..5, 0usize..3).prop_map(
                |(n, k, pattern, modules, cross)| {
                    let k = k % n;
                    let interaction = match pattern {
                        0 => Interaction::Random,
                        1 => Interaction::Adjacent,
                        _ => Interaction::Modular {
                            modules: modules.min(n),
                            cross: CrossModule::Probability(cross as f64 / 2.0),
                        },
                    };
                    let links = if pattern == 3 && k > 0 {
                        LinkRule::WithReplacement
                    } else {
                        LinkRule::Distinct
                    };
                    let interaction = if links == LinkRule::WithReplacement {
                        Interaction::Random
                    } else {
                        interaction
                    };
                    NkSpec {
                        n,
                        k,
                        interaction,
                        links,
                        normalization: Normalization::Exact,
                    }
                },
            )
        }

        proptest! {
            #[test]
            fn delta_equals_full_reevaluation(
                spec in any_spec(), seed in any::<u64>(), c in any::<u64>(), flip in any::<u64>()
            ) {
                prop_assume!(spec.validate().is_ok());
                let l = land(spec, seed);
                let m = low_mask(spec.n);
                let (c, flip) = (Config(c & m), flip & m);
                let full = l.fitness(c.flipped(flip)) - l.fitness(c);
                prop_assert!((l.delta(c, flip) - full).abs() < 1e-12);
                // A view of every locus is the whole delta; disjoint views add up to it.
                let view = c.0 & m;
                let parts = l.delta_within(c, flip, view) + l.delta_within(c, flip, !view);
                prop_assert!((parts - full).abs() < 1e-12);
            }

            #[test]
            fn fitness_is_in_unit_interval_and_below_the_maximum(
                spec in any_spec(), seed in any::<u64>(), cs in proptest::collection::vec(any::<u64>(), 1..20)
            ) {
                prop_assume!(spec.validate().is_ok());
                let l = land(spec, seed);
                for c in cs {
                    let c = Config(c & low_mask(spec.n));
                    let f = l.fitness(c);
                    prop_assert!((0.0..=1.0).contains(&f));
                    prop_assert!(f <= l.global_max());
                    let p = l.performance(c);
                    prop_assert!((0.0..=1.0).contains(&p));
                }
                let best = l.argmax().unwrap();
                prop_assert_eq!(l.performance(best), 1.0);
            }
        }
    }
}
