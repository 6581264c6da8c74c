//! Analysing sweeps: the numerical core of sensitivity analysis and scenario discovery.
//!
//! Researchers sweep parameters to learn which of them drive an outcome and where in the
//! parameter space shared leadership beats centralized leadership. This module holds the pure
//! functions that answer those questions from points and outputs; designs, tables and charts
//! call them. Everything here is a function of its arguments: no I/O, no printing, no clock, and
//! randomness (Morris trajectories, bootstrap resamples) only from a
//! [`SimRng`](crate::rng::SimRng) the caller derives through [`crate::rng`] (`Purpose::Design`
//! for samples, `Purpose::Sampling` for resamples), so results depend on seeds only, never on
//! threads or the clock.
//!
//! - [`sobol_seq`] — the Sobol' low-discrepancy sequence with Joe & Kuo (2008) direction
//!   numbers, point for point SciPy's unscrambled `qmc.Sobol`.
//! - [`distribution`] — what a unit coordinate means on an axis: uniform, log-uniform,
//!   truncated normal, discrete values.

pub mod distribution;
pub mod sobol_seq;

mod directions;

pub use directions::MAX_DIMENSIONS;
pub use distribution::{Axis, Distribution};
pub use sobol_seq::SobolSequence;

/// Why an analysis could not be done; each message names the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A Sobol' sequence of more dimensions than the embedded table has, or of none.
    #[error("a Sobol' point has 1 to {max} coordinates, not {dims}")]
    Dimensions {
        /// Dimensions asked for.
        dims: usize,
        /// The most the table allows.
        max: usize,
    },
    /// A point past the 2^32 the 32-bit direction numbers give.
    #[error("the Sobol' sequence has 2^32 points; point {index} is past its end")]
    SequenceExhausted {
        /// Index of the point asked for.
        index: u64,
    },
    /// A design or analysis parameter outside its domain.
    #[error("{what} = {value}: {why}")]
    Parameter {
        /// The parameter's name.
        what: &'static str,
        /// Its value as given.
        value: String,
        /// What it must be.
        why: &'static str,
    },
    /// Outputs that do not match the design's points one to one.
    #[error("{got} outputs for a design of {expected} points")]
    OutputCount {
        /// Outputs the design needs.
        expected: usize,
        /// Outputs given.
        got: usize,
    },
    /// A NaN or infinite output (an NA metric, say), which would poison every index.
    #[error("output {row} is {value}; indices need finite outputs")]
    NonFinite {
        /// Row of the first such output.
        row: usize,
        /// Its value.
        value: f64,
    },
    /// A point with the wrong number of coordinates.
    #[error("point {row} has {got} coordinates, expected {expected}")]
    PointShape {
        /// Row of the point.
        row: usize,
        /// Coordinates expected.
        expected: usize,
        /// Coordinates it has.
        got: usize,
    },
    /// An axis distribution with invalid parameters.
    #[error("distribution {dist}: {why}")]
    Distribution {
        /// The distribution as given.
        dist: String,
        /// What is wrong with it.
        why: String,
    },
}
