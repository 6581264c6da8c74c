//! The Sobol' low-discrepancy sequence (Sobol' 1967), unscrambled, in Gray-code order, with Joe &
//! Kuo's (2008) direction numbers: point for point the sequence SciPy's
//! `qmc.Sobol(d, scramble=False)` returns, and so the one SALib 1.6 builds its Saltelli samples
//! from when scrambling is off.
//!
//! Each coordinate is an exact dyadic fraction `x / 2^32`, so the values are the same on every
//! platform and equal SciPy's (which keeps 30 bits) for the first 2^30 points: more bits change
//! only points SciPy cannot produce.

use super::Error;
use super::directions::{JOE_KUO, MAX_DIMENSIONS};

/// Bits of every coordinate; the sequence has 2^BITS points.
const BITS: u32 = 32;

/// A Sobol' sequence of a fixed dimension, positioned at some index.
///
/// ```
/// use leadsim::analysis::SobolSequence;
/// let mut seq = SobolSequence::new(2).unwrap();
/// let first: Vec<Vec<f64>> = (0..4).map(|_| seq.next_point()).collect();
/// assert_eq!(first, [[0.0, 0.0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75]]);
/// ```
#[derive(Debug, Clone)]
pub struct SobolSequence {
    /// `directions[j][b]`: direction number `v_{b+1}` of dimension `j`, scaled by 2^32.
    directions: Vec<[u32; BITS as usize]>,
    /// The integer coordinates of the point at `index`.
    state: Vec<u32>,
    /// Index (in Gray-code order) of the next point to return.
    index: u64,
}

impl SobolSequence {
    /// The sequence in `dims` dimensions (1 ..= [`MAX_DIMENSIONS`]), positioned at its first
    /// point (the origin).
    pub fn new(dims: usize) -> Result<Self, Error> {
        if dims == 0 || dims > MAX_DIMENSIONS {
            return Err(Error::Dimensions {
                dims,
                max: MAX_DIMENSIONS,
            });
        }
        let directions = (0..dims).map(directions_of).collect();
        Ok(SobolSequence {
            directions,
            state: vec![0; dims],
            index: 0,
        })
    }

    /// Number of coordinates of each point.
    pub fn dims(&self) -> usize {
        self.directions.len()
    }

    /// Moves to point `index` (0 is the origin), as SciPy's `fast_forward` does from the start.
    ///
    /// In Gray-code order point `i` is the XOR of the direction numbers selected by the bits of
    /// `i ^ (i >> 1)`, so any point is reached directly, without generating those before it.
    pub fn seek(&mut self, index: u64) -> Result<(), Error> {
        if index >= 1u64 << BITS {
            return Err(Error::SequenceExhausted { index });
        }
        let gray = index ^ (index >> 1);
        for (x, v) in self.state.iter_mut().zip(&self.directions) {
            *x = (0..BITS)
                .filter(|b| gray >> b & 1 == 1)
                .fold(0, |acc, b| acc ^ v[b as usize]);
        }
        self.index = index;
        Ok(())
    }

    /// Index of the point the next call to [`next_point`](Self::next_point) returns.
    pub fn position(&self) -> u64 {
        self.index
    }

    /// The next point, each coordinate in [0, 1).
    ///
    /// # Panics
    /// After 2^32 points, where the 32-bit direction numbers run out.
    pub fn next_point(&mut self) -> Vec<f64> {
        assert!(self.index < 1u64 << BITS, "Sobol' sequence exhausted");
        let scale = 1.0 / (1u64 << BITS) as f64;
        let point = self.state.iter().map(|&x| x as f64 * scale).collect();
        // Gray-code step: going from point i to i + 1 flips the direction number of the lowest
        // zero bit of i (Antonov & Saleev 1979).
        let bit = self.index.trailing_ones();
        if bit < BITS {
            for (x, v) in self.state.iter_mut().zip(&self.directions) {
                *x ^= v[bit as usize];
            }
        }
        self.index += 1;
        point
    }
}

/// The first `n` points after skipping `skip`, in `dims` dimensions: SciPy's
/// `qmc.Sobol(dims, scramble=False)` after `fast_forward(skip)`, then `random(n)`.
pub fn sobol_points(dims: usize, skip: u64, n: usize) -> Result<Vec<Vec<f64>>, Error> {
    let mut seq = SobolSequence::new(dims)?;
    let end = skip.saturating_add(n as u64);
    if end > 1u64 << BITS {
        return Err(Error::SequenceExhausted { index: end - 1 });
    }
    seq.seek(skip)?;
    Ok((0..n).map(|_| seq.next_point()).collect())
}

/// Direction numbers of dimension `j` (0-based), scaled by 2^32.
///
/// Dimension 0 is van der Corput's sequence (every `m_i = 1`). The others extend Joe & Kuo's
/// initial numbers by Sobol's recurrence for the primitive polynomial
/// `x^s + a_1 x^{s−1} + … + a_{s−1} x + 1`:
/// `v_i = a_1 v_{i−1} ⊕ … ⊕ a_{s−1} v_{i−s+1} ⊕ v_{i−s} ⊕ (v_{i−s} >> s)`.
fn directions_of(j: usize) -> [u32; BITS as usize] {
    let mut v = [0u32; BITS as usize];
    if j == 0 {
        for (i, vi) in v.iter_mut().enumerate() {
            *vi = 1 << (BITS - 1 - i as u32);
        }
        return v;
    }
    let row = &JOE_KUO[j - 1];
    let s = row.s as usize;
    for i in 0..BITS as usize {
        v[i] = if i < s {
            row.m[i] << (BITS - 1 - i as u32)
        } else {
            let mut x = v[i - s] ^ (v[i - s] >> s);
            for k in 1..s {
                if row.a >> (s - 1 - k) & 1 == 1 {
                    x ^= v[i - k];
                }
            }
            x
        };
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares the first points with published values.
    fn check(dims: usize, expected: &[&[f64]]) {
        let got = sobol_points(dims, 0, expected.len()).unwrap();
        for (i, (g, e)) in got.iter().zip(expected).enumerate() {
            assert_eq!(
                g.as_slice(),
                *e,
                "point {i} of the {dims}-dimensional sequence"
            );
        }
    }

    /// The first eight points of `scipy.stats.qmc.Sobol(3, scramble=False).random(8)` (SciPy
    /// 1.17), which are also those of Joe & Kuo's own `sobol.cc` with this table.
    #[test]
    fn first_points_match_scipy() {
        check(
            3,
            &[
                &[0.0, 0.0, 0.0],
                &[0.5, 0.5, 0.5],
                &[0.75, 0.25, 0.25],
                &[0.25, 0.75, 0.75],
                &[0.375, 0.375, 0.625],
                &[0.875, 0.875, 0.125],
                &[0.625, 0.125, 0.875],
                &[0.125, 0.625, 0.375],
            ],
        );
    }

    /// Points 1 and 3 of the 10-dimensional sequence (SciPy 1.17): every dimension's second
    /// direction number shows in point 3, which catches a wrong row in the table's first ten
    /// lines.
    #[test]
    fn tenth_dimension_matches_scipy() {
        let p = sobol_points(10, 0, 4).unwrap();
        assert_eq!(p[1], vec![0.5; 10]);
        assert_eq!(
            p[3],
            vec![0.25, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25, 0.25, 0.25]
        );
    }

    /// SciPy's values for the last dimension, `qmc.Sobol(64, scramble=False).random(8)[:, 63]`,
    /// and for a few dimensions of point 1000 (after `fast_forward(1000)`), where the
    /// recurrence has used every initial number of those rows.
    #[test]
    fn sixty_fourth_dimension_matches_scipy() {
        let p = sobol_points(64, 0, 8).unwrap();
        let last: Vec<f64> = p.iter().map(|x| x[63]).collect();
        assert_eq!(last, [0.0, 0.5, 0.75, 0.25, 0.125, 0.625, 0.875, 0.375]);
        let deep = &sobol_points(64, 1000, 1).unwrap()[0];
        let picked: Vec<f64> = [0, 1, 9, 31, 62, 63].iter().map(|&j| deep[j]).collect();
        assert_eq!(
            picked,
            [
                0.2197265625,
                0.0966796875,
                0.0693359375,
                0.1455078125,
                0.2587890625,
                0.4462890625
            ]
        );
    }

    #[test]
    fn seeking_equals_stepping() {
        let mut stepped = SobolSequence::new(7).unwrap();
        let all: Vec<Vec<f64>> = (0..300).map(|_| stepped.next_point()).collect();
        for start in [0u64, 1, 2, 3, 64, 127, 128, 200] {
            let mut seq = SobolSequence::new(7).unwrap();
            seq.seek(start).unwrap();
            assert_eq!(seq.position(), start);
            assert_eq!(seq.next_point(), all[start as usize], "seek({start})");
        }
    }

    /// A Sobol' sequence is a (t, s)-sequence in base 2: the first 2^m points of any single
    /// dimension are exactly the multiples of 2^-m.
    #[test]
    fn each_dimension_is_stratified() {
        let m = 8;
        let points = sobol_points(MAX_DIMENSIONS, 0, 1 << m).unwrap();
        for j in 0..MAX_DIMENSIONS {
            let mut cells: Vec<u64> = points
                .iter()
                .map(|p| (p[j] * (1u64 << m) as f64) as u64)
                .collect();
            cells.sort_unstable();
            assert_eq!(cells, (0..1u64 << m).collect::<Vec<_>>(), "dimension {j}");
        }
    }

    #[test]
    fn bad_dimensions_are_refused() {
        assert!(SobolSequence::new(0).is_err());
        assert!(SobolSequence::new(MAX_DIMENSIONS + 1).is_err());
        assert!(sobol_points(2, u32::MAX as u64, 2).is_err());
        assert!(sobol_points(2, u32::MAX as u64, 1).is_ok());
    }
}
