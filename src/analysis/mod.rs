//! Analysing sweeps: the numerical core of sensitivity analysis and scenario discovery.
//!
//! Researchers sweep parameters to learn which of them drive an outcome and where in the
//! parameter space shared leadership beats centralized leadership. This module holds the pure
//! functions that answer those questions from points and outputs; designs, tables and charts
//! call them. Everything here is a function of its arguments: no I/O, no printing, no clock, and
//! randomness (Morris trajectories, bootstrap resamples) only from a [`SimRng`] the caller
//! derives through [`crate::rng`] (`Purpose::Design` for samples, `Purpose::Sampling` for
//! resamples), so results depend on seeds only, never on threads or the clock.
//!
//! - [`sobol_seq`] — the Sobol' low-discrepancy sequence with Joe & Kuo (2008) direction
//!   numbers, point for point SciPy's unscrambled `qmc.Sobol`.
//! - [`saltelli`] — the Saltelli (2010) sample in SALib 1.6's row order and the variance-based
//!   indices: first order S1 (Saltelli et al. 2010), total ST (Jansen 1999), second order S2
//!   (Saltelli 2002), with bootstrap confidence intervals; point estimates equal SALib's
//!   `sobol.analyze`.
//! - [`morris`] — Morris (1991) elementary-effect trajectories and μ, μ* (Campolongo, Cariboni &
//!   Saltelli 2007), σ, with a bootstrap interval for μ*; estimates equal SALib's
//!   `morris.analyze`.
//! - [`distribution`] — what a unit coordinate means on an axis: uniform, log-uniform,
//!   truncated normal, discrete values.
//! - [`prim`] — PRIM scenario discovery (Friedman & Fisher 1999): the peeling and pasting
//!   trajectory and the choice of a box; the trajectory equals EMA Workbench's `Prim`.
//! - [`precision`] — replications by precision: the 95% half-width and a stopping rule over
//!   completed batches.
//!
//! `docs/ANALYSIS.md` describes each estimator, what exactly matches SALib 1.6 and EMA
//! Workbench, and what differs and why; `.ci/analysis/` holds the Python check against both.
//!
//! ```
//! use leadsim::analysis::{saltelli::{self, SaltelliDesign}, SimRng};
//! use leadsim::rng::{self, Purpose};
//! // y = x0 + 2 x1 on the unit square: S1 = (1/5, 4/5), nothing else.
//! let design = SaltelliDesign::new(2, 1024, false).unwrap();
//! let y: Vec<f64> = design.points().iter().map(|x| x[0] + 2.0 * x[1]).collect();
//! let mut r: SimRng = rng::stream(1, Purpose::Sampling, &[0]);
//! let si = saltelli::indices(&design, &y, 100, &mut r).unwrap();
//! assert!((si.s1[0].value - 0.2).abs() < 0.01 && (si.s1[1].value - 0.8).abs() < 0.01);
//! ```

pub mod distribution;
pub mod morris;
pub mod precision;
pub mod prim;
pub mod saltelli;
pub mod sobol_seq;

mod directions;
#[cfg(test)]
mod export;
mod numeric;

pub use crate::rng::SimRng;
pub use directions::MAX_DIMENSIONS;
pub use distribution::{Axis, Distribution};
pub use sobol_seq::SobolSequence;

/// A point estimate with the half-width of its 95% bootstrap confidence interval (SALib's
/// `*_conf`: the normal quantile times the bootstrap standard deviation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Half-width of the 95% interval, `1.96 × sd` of the bootstrap replicates.
    pub conf: f64,
}

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

impl Error {
    /// A parameter outside its domain.
    pub(crate) fn parameter(what: &'static str, value: impl ToString, why: &'static str) -> Self {
        Error::Parameter {
            what,
            value: value.to_string(),
            why,
        }
    }
}
