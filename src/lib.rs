//! # leadsim
//!
//! Agent-based simulation of centralized versus shared (network) leadership in organizations that
//! search a rugged task environment (an NK landscape) and live through change: shocks, the loss
//! of a leader, turnover, cut communication. The library holds the whole model and the
//! experiment machinery; the `leadsim` binary is a thin command line over it. The library never
//! prints and never reads the clock: every result is a pure function of its inputs and seeds.
//!
//! See `ARCHITECTURE.md` for the map of modules and `docs/ODD.md` for the model.
//!
//! ```
//! use leadsim::landscape::{stats, NkSpec};
//! // Kauffman's K = 0 landscapes have a single optimum.
//! let summary = stats::sample(&NkSpec::random(8, 0), 1, 4, 10).unwrap();
//! assert_eq!(summary.local_optima.mean, 1.0);
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod behaviour;
pub(crate) mod bounded;
pub(crate) mod cognition;
pub mod contrast;
pub mod discover;
pub mod events;
pub mod experiment;
pub mod format;
pub mod influence;
pub mod landscape;
pub mod leadership;
pub mod metrics;
pub mod network;
pub mod org;
pub mod output;
pub mod params;
pub mod patterns;
pub mod plot;
pub mod reference;
pub mod replicate;
pub mod report;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod sim;
pub mod slurm;
pub mod stats;
pub mod study;
pub(crate) mod trust;
pub(crate) mod voice;
pub mod world;
