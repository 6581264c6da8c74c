//! Evaluation through table indices: a configuration held as the index of each locus's table
//! entry, so that a one-bit flip touches only the loci that read the flipped decision, and
//! fitness is re-summed from the indices without gathering any bits.
//!
//! Fitness stays the floating-point sum of [`Landscape::fitness`] (contributions added in locus
//! order, then divided by `N`): every fitness these functions return is bit for bit the one
//! [`Landscape::fitness`] gives. The contributions scaled by 2⁵³ to integers ([`SCALE`]) serve
//! to *screen* comparisons: a contribution drawn by [`crate::rng::unit`] is a multiple of 2⁻⁵³,
//! so its scaled value and sums of them are exact, and when two configurations' integer sums
//! differ by more than [`SCREEN_SCALED`], the sign of the difference is the answer the float
//! comparison gives (the rounding of float sums cannot reach that far). Only closer calls sum
//! both sides in full. So a decision taken here is the decision the full float comparison
//! takes, and nothing accumulates: no running float sum is kept from one configuration to the
//! next.

use super::{Config, Landscape};

/// 2⁵³: a contribution `x` drawn as `m · 2⁻⁵³` scales to the integer `m`.
pub const SCALE: f64 = (1u64 << 53) as f64;

/// How far apart (in units of 2⁻⁵³, on the scale of a sum of contributions, fitness × N) two
/// configurations' scaled integer sums must be for the float comparison of their fitness to
/// follow the integer one without summing anything.
///
/// Contributions lie in [0, 1) and `N ≤ 64`, so every partial sum is below 64 and each of the
/// at most 63 additions of a float sum rounds by at most 2⁻⁴⁸: a float sum is within 2⁻⁴² of
/// the exact one. A scaled integer sum is exact for drawn contributions and less than
/// 64 · 2⁻⁵³ = 2⁻⁴⁷ off for any others. So the float and the integer comparison of two
/// configurations see differences less than 2⁻⁴⁰ apart; the screen, 2⁻³⁶ (2¹⁷ units), leaves a
/// factor of 16. Beyond it the float sums differ by far more than their own ulp, so the
/// division by `N` keeps them strictly ordered.
pub const SCREEN_SCALED: i64 = 1 << 17;

/// An integer type table indices are kept in: `u8` for landscapes whose tables all have at most
/// 256 entries (rows of indices are then a quarter the size, and cheaper to copy), `u32` for
/// any landscape.
pub trait TableIndex: Copy + Default + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// The most decisions a locus may read for its table indices to fit.
    const MAX_READS: usize;
    /// The index as a `usize`.
    fn get(self) -> usize;
    /// An index that fits (see [`TableIndex::fits`]).
    fn new(x: u64) -> Self;
    /// The index with bit `bit` flipped.
    fn flip(self, bit: u8) -> Self;
    /// Whether every table index of `land` fits.
    fn fits(land: &Landscape) -> bool {
        (0..land.n()).all(|i| land.locus_vars(i).len() <= Self::MAX_READS)
    }
}

impl TableIndex for u8 {
    const MAX_READS: usize = 8;
    #[inline]
    fn get(self) -> usize {
        self as usize
    }
    #[inline]
    fn new(x: u64) -> u8 {
        x as u8
    }
    #[inline]
    fn flip(self, bit: u8) -> u8 {
        self ^ 1 << bit
    }
}

impl TableIndex for u32 {
    const MAX_READS: usize = 32;
    #[inline]
    fn get(self) -> usize {
        self as usize
    }
    #[inline]
    fn new(x: u64) -> u32 {
        x as u32
    }
    #[inline]
    fn flip(self, bit: u8) -> u32 {
        self ^ 1 << bit
    }
}

impl Landscape {
    /// The offset in `levels` of locus `i`'s contribution table.
    #[inline]
    fn table_at(&self, i: usize) -> usize {
        self.table_start[i]
    }

    /// Writes the table index of every locus under `c` into `out` (`out.len() == N`; the
    /// indices must fit `I`, see [`TableIndex::fits`]).
    pub fn indices<I: TableIndex>(&self, c: Config, out: &mut [I]) {
        super::gather::gather_all(c.0, &self.masks, out);
    }

    /// Fitness from table indices: bit for bit [`Landscape::fitness`] of the configuration
    /// whose [`Landscape::indices`] they are (the same additions in the same order).
    #[inline]
    pub fn fitness_at<I: TableIndex>(&self, idx: &[I]) -> f64 {
        self.sum_at(idx) / self.spec.n as f64
    }

    /// The sum of contributions from table indices, in locus order (fitness × N).
    #[inline]
    pub fn sum_at<I: TableIndex>(&self, idx: &[I]) -> f64 {
        debug_assert_eq!(idx.len(), self.spec.n, "one index per locus");
        let mut sum = 0.0;
        for (&start, &x) in self.table_start.iter().zip(idx) {
            sum += self.levels[start + x.get()];
        }
        sum
    }

    /// Flips decision `bit` in the table indices `idx`: only the loci reading it change.
    #[inline]
    pub fn flip_at<I: TableIndex>(&self, idx: &mut [I], bit: usize) {
        for &(locus, pos) in self.uses(bit) {
            idx[locus as usize] = idx[locus as usize].flip(pos);
        }
    }

    /// The contribution tables scaled by [`SCALE`] to integers, packed locus after locus, and
    /// the offset of each locus's table in them.
    pub(crate) fn scaled_tables(&self) -> (Vec<usize>, Vec<i64>) {
        let n = self.spec.n;
        let mut start = Vec::with_capacity(n + 1);
        let mut out = Vec::new();
        for i in 0..n {
            start.push(out.len());
            let len = self.var_start[i + 1] - self.var_start[i];
            let table = &self.levels[self.table_at(i)..self.table_at(i) + (1 << len)];
            out.extend(table.iter().map(|&x| scaled(x)));
        }
        start.push(out.len());
        (start, out)
    }

    /// Visits every configuration of the `N` decisions in Gray-code order (`0` first; each next
    /// one differs in one decision), with its table indices and its scaled integer sum, which
    /// are updated only where the flipped decision is read (`N ≤ 32`).
    pub(crate) fn gray_walk(&self, mut visit: impl FnMut(u64, &[u32], i64)) {
        let n = self.spec.n;
        assert!(n <= 32, "enumerating 2^{n} configurations");
        let (start, scaled) = self.scaled_tables();
        let mut idx = vec![0u32; n];
        let mut sum: i64 = (0..n).map(|i| scaled[start[i]]).sum();
        let mut config = 0u64;
        visit(config, &idx, sum);
        for g in 1u64..(1u64 << n) {
            let j = g.trailing_zeros() as usize;
            config ^= 1 << j;
            for &(locus, pos) in self.uses(j) {
                let l = locus as usize;
                let old = scaled[start[l] + idx[l] as usize];
                idx[l] ^= 1 << pos;
                sum += scaled[start[l] + idx[l] as usize] - old;
            }
            visit(config, &idx, sum);
        }
    }
}

/// One locus reading a decision, as exploration needs it.
#[derive(Debug, Clone, Copy)]
struct Reader {
    locus: u32,
    /// The decision's bit in the locus's table index.
    bit: u32,
    /// Where the locus's table starts in [`Kernel::scaled`].
    table: usize,
}

/// The evaluation kernel of one landscape for searches that flip one decision at a time: the
/// scaled contribution tables and, for each decision, the loci that read it.
#[derive(Debug, Clone)]
pub struct Kernel<'a> {
    land: &'a Landscape,
    scaled: Vec<i64>,
    /// `readers[start[j]..start[j + 1]]`: the loci reading decision `j`.
    readers: Vec<Reader>,
    start: Vec<usize>,
}

impl<'a> Kernel<'a> {
    /// The kernel of `land` (its tables as they are now).
    pub fn new(land: &'a Landscape) -> Kernel<'a> {
        let (table, scaled) = land.scaled_tables();
        let mut readers = Vec::with_capacity(land.uses.len());
        let mut start = Vec::with_capacity(land.n() + 1);
        for j in 0..land.n() {
            start.push(readers.len());
            readers.extend(land.uses(j).iter().map(|&(locus, bit)| Reader {
                locus: u32::from(locus),
                bit: u32::from(bit),
                table: table[locus as usize],
            }));
        }
        start.push(readers.len());
        Kernel {
            land,
            scaled,
            readers,
            start,
        }
    }

    /// The landscape evaluated.
    pub fn landscape(&self) -> &'a Landscape {
        self.land
    }

    /// The exact change of the scaled sum when decision `bit` flips in the table indices `idx`.
    #[inline]
    pub fn flip_delta<I: TableIndex>(&self, idx: &[I], bit: usize) -> i64 {
        let mut delta = 0;
        for r in &self.readers[self.start[bit]..self.start[bit + 1]] {
            let x = idx[r.locus as usize].get();
            delta += self.scaled[r.table + (x ^ 1 << r.bit)] - self.scaled[r.table + x];
        }
        delta
    }

    /// Exploration's test: if flipping decision `bit` gives a strictly higher fitness than
    /// `fitness` (the fitness of `idx`), flips it in `idx` and returns the new fitness; otherwise
    /// leaves `idx` alone and returns `None`. Decides exactly as comparing
    /// [`Landscape::fitness`] of both configurations would.
    #[inline]
    pub fn flip_if_fitter<I: TableIndex>(
        &self,
        idx: &mut [I],
        fitness: f64,
        bit: usize,
    ) -> Option<f64> {
        let delta = self.flip_delta(idx, bit);
        if delta < -SCREEN_SCALED {
            return None;
        }
        self.land.flip_at(idx, bit);
        let f = self.land.fitness_at(idx);
        // Beyond the screen the rise is certain; within it, the full sums decide.
        if delta > SCREEN_SCALED || f > fitness {
            Some(f)
        } else {
            self.land.flip_at(idx, bit);
            None
        }
    }
}

/// A contribution scaled by [`SCALE`] to an integer: exact for `rng::unit` draws (multiples of
/// 2⁻⁵³), truncated (less than one unit off) for any other value in [0, 1).
#[inline]
pub(crate) fn scaled(x: f64) -> i64 {
    (x * SCALE) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::{LinkRule, NkSpec, low_mask};
    use crate::rng::{self, Purpose, stream};

    fn land(n: usize, k: usize, seed: u64) -> Landscape {
        let spec = NkSpec {
            links: LinkRule::WithReplacement,
            ..NkSpec::random(n, k)
        };
        Landscape::generate(&spec, &mut stream(seed, Purpose::Landscape, &[])).unwrap()
    }

    /// Random walks of one-bit flips, with table indices kept as `I`: fitness from indices,
    /// exact deltas, exploration's decisions and flipped indices all agree with evaluating the
    /// configurations afresh.
    fn walk<I: TableIndex>(l: &Landscape, seed: u64) {
        let n = l.n();
        let kernel = Kernel::new(l);
        let mut r = stream(seed, Purpose::Sampling, &[]);
        let mut c = Config::random(n, &mut r);
        let mut idx = vec![I::default(); n];
        l.indices(c, &mut idx);
        for _ in 0..500 {
            assert_eq!(l.fitness_at(&idx).to_bits(), l.fitness(c).to_bits());
            let bit = rng::below(&mut r, n);
            let exact = l.fitness(c.flipped(1 << bit)) - l.fitness(c);
            let delta = kernel.flip_delta(&idx, bit) as f64 / SCALE;
            assert!((delta / n as f64 - exact).abs() < 1e-12);
            let before = idx.clone();
            let (f, g) = (l.fitness(c), l.fitness(c.flipped(1 << bit)));
            match kernel.flip_if_fitter(&mut idx, f, bit) {
                Some(h) => assert!(g > f && h.to_bits() == g.to_bits()),
                None => assert!(g <= f && idx == before),
            }
            idx = before;
            l.flip_at(&mut idx, bit);
            c = c.flipped(1 << bit);
            let mut fresh = vec![I::default(); n];
            l.indices(c, &mut fresh);
            assert_eq!(idx, fresh);
        }
    }

    #[test]
    fn indexed_fitness_is_fitness_bit_for_bit_and_flips_follow_configurations() {
        for (n, k, seed) in [(20, 5, 1), (12, 11, 2), (32, 3, 3), (1, 0, 4), (9, 2, 5)] {
            let l = land(n, k, seed);
            walk::<u32>(&l, seed);
            assert_eq!(u8::fits(&l), k < 8);
            if u8::fits(&l) {
                walk::<u8>(&l, seed);
            }
        }
    }

    #[test]
    fn scaled_contributions_are_exact() {
        let l = land(16, 4, 7);
        let (start, scaled) = l.scaled_tables();
        for i in 0..16 {
            let len = l.locus_vars(i).len();
            assert_eq!(start[i + 1] - start[i], 1 << len);
            for (x, &v) in l.level(i, len).iter().enumerate() {
                assert_eq!(scaled[start[i] + x] as f64 / SCALE, v);
            }
        }
    }

    /// A landscape whose contributions make many flips near-ties: two tables whose entries
    /// differ by one unit in the last place, so exploration's screen has to fall back on the
    /// full sums, which must decide exactly as `fitness` comparisons do.
    #[test]
    fn flip_if_fitter_decides_as_the_full_comparison_even_for_near_ties() {
        for seed in 0..40u64 {
            let mut l = land(10, 2, seed);
            let mut r = stream(seed, Purpose::Sampling, &[1]);
            // Make every entry of every table one of two values a few ulps apart, so the
            // fitness of many neighbours differs only by rounding.
            let base = 0.3 + rng::unit(&mut r) * 0.1;
            for i in 0..10 {
                let len = l.locus_vars(i).len();
                let at = l.table_at(i);
                for x in 0..(1usize << len) {
                    let ulps = rng::below(&mut r, 4) as i64 - 2;
                    l.levels[at + x] = f64::from_bits((base.to_bits() as i64 + ulps) as u64);
                }
            }
            let kernel = Kernel::new(&l);
            for _ in 0..200 {
                let c = Config::random(10, &mut r);
                let bit = rng::below(&mut r, 10);
                let (f, g) = (l.fitness(c), l.fitness(c.flipped(1 << bit)));
                let mut idx = vec![0u32; 10];
                l.indices(c, &mut idx);
                let got = kernel.flip_if_fitter(&mut idx, f, bit);
                let mut expect_idx = vec![0u32; 10];
                if g > f {
                    assert_eq!(got.map(f64::to_bits), Some(g.to_bits()));
                    l.indices(c.flipped(1 << bit), &mut expect_idx);
                } else {
                    assert_eq!(got, None);
                    l.indices(c, &mut expect_idx);
                }
                assert_eq!(idx, expect_idx);
            }
        }
    }

    #[test]
    fn gray_walk_visits_every_configuration_once_with_its_exact_sum() {
        let l = land(12, 3, 9);
        let (start, scaled) = l.scaled_tables();
        let mut seen = vec![false; 1 << 12];
        l.gray_walk(|c, idx, sum| {
            assert!(!seen[c as usize]);
            seen[c as usize] = true;
            let mut fresh = vec![0u32; 12];
            l.indices(Config(c), &mut fresh);
            assert_eq!(idx, &fresh[..]);
            let exact: i64 = (0..12).map(|i| scaled[start[i] + idx[i] as usize]).sum();
            assert_eq!(sum, exact);
        });
        assert!(seen.iter().all(|&s| s));
        assert_eq!(low_mask(12), (1 << 12) - 1);
    }
}
