//! Experiments: the flat list of runs a scenario or a sweep ([`sweep`]) asks for, their seeds,
//! the plan's identity and manifest, and the runner that executes them in parallel ([`runner`]).
//!
//! A [`Plan`] is a list of points (a scenario with some parameters set), each run with every
//! model and every replicate. Runs are numbered point-major, then replicate, then model:
//! `index = (point · R + replicate) · M + model`. This order is the order of every output file.
//!
//! Seeds are derived, never drawn: the *world seed* of a run is
//! `derive_seed(master, [WORLD, world_key, replicate])` (`WORLD` is "WORLD" in ASCII), where
//! `world_key` numbers the distinct combinations of the point's non-model parameters. So every
//! model of a replicate meets the same world (common random numbers), and so do points that
//! differ only in a model parameter.

mod manifest;
pub mod precision;
pub mod runner;
pub mod sweep;

use crate::metrics::Metric;
use crate::output::tables::Layout;
use crate::rng::derive_seed;
use crate::study::Study;

/// Stream identifier of world seeds ("WORLD" in ASCII).
const WORLD: u64 = 0x0057_4F52_4C44;

/// The most shards a plan is split into (`leadsim sweep --shard I/N`, `leadsim slurm --tasks`).
pub const MAX_SHARDS: u64 = 100_000;

/// The largest number of runs a plan may hold.
pub(crate) use crate::scenario::MAX_RUNS;

/// One point of an experiment: a validated scenario and the swept values that made it.
#[derive(Debug, Clone)]
pub struct Point {
    /// Values of the sweep axes at this point (in axis order); empty for a plain run.
    pub values: Vec<toml::Value>,
    /// Points with equal world keys share worlds (they differ only in model parameters).
    pub world_key: u64,
    /// The scenario of this point: the base with the point's values set, validated.
    pub scenario: Study,
}

/// What a plan came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// `leadsim run SCENARIO`.
    Run,
    /// `leadsim sweep SWEEP`.
    Sweep,
}

/// Everything an experiment will run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) origin: Origin,
    /// The experiment's name: the default result folder is `output/<name>`.
    pub name: String,
    /// The master seed every run's world seed is derived from.
    pub seed: u64,
    /// Replicates per model and point.
    pub replications: u32,
    /// Dotted paths of the swept parameters (empty for a plain run).
    pub axes: Vec<String>,
    /// The points, in the order their runs are numbered.
    pub points: Vec<Point>,
    /// Model names, the same at every point.
    pub models: Vec<String>,
    /// Replications by precision: then `replications` is the rule's `max`, which numbers the
    /// runs, and the rule decides how many replicates run ([`precision`]).
    pub precision: Option<precision::Precision>,
}

/// One run of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunSpec {
    pub(crate) index: u64,
    pub(crate) point: usize,
    pub(crate) replicate: u32,
    pub(crate) model: usize,
    pub(crate) world_seed: u64,
}

impl Plan {
    /// The plan of a single scenario (`leadsim run`).
    pub fn single(s: Study) -> Plan {
        Plan {
            origin: Origin::Run,
            name: s.name().to_string(),
            seed: s.seed(),
            replications: s.replications(),
            axes: Vec::new(),
            models: s.model_names(),
            points: vec![Point {
                values: Vec::new(),
                world_key: 0,
                scenario: s,
            }],
            precision: None,
        }
    }

    /// The per-step metrics of the plan's family (the same at every point).
    pub(crate) fn metrics(&self) -> &'static [Metric] {
        self.points[0].scenario.metrics()
    }

    /// Total number of runs.
    pub fn runs(&self) -> u64 {
        self.points.len() as u64 * self.replications as u64 * self.models.len() as u64
    }

    /// The run numbered `index`.
    pub(crate) fn spec(&self, index: u64) -> RunSpec {
        let m = self.models.len() as u64;
        let r = self.replications as u64;
        let model = (index % m) as usize;
        let replicate = ((index / m) % r) as u32;
        let point = (index / (m * r)) as usize;
        RunSpec {
            index,
            point,
            replicate,
            model,
            world_seed: self.world_seed(point, replicate),
        }
    }

    /// The number of the run `spec` describes (its `index` field aside).
    pub(crate) fn index_of(&self, spec: &RunSpec) -> u64 {
        let m = self.models.len() as u64;
        let r = self.replications as u64;
        (spec.point as u64 * r + spec.replicate as u64) * m + spec.model as u64
    }

    /// The world seed of `replicate` at `point`.
    pub(crate) fn world_seed(&self, point: usize, replicate: u32) -> u64 {
        derive_seed(
            self.seed,
            &[WORLD, self.points[point].world_key, replicate as u64],
        )
    }

    /// The runs of shard `i` of `n` (1-based): every run whose index is `i − 1` modulo `n`, which
    /// spreads every point's runs evenly over the shards.
    pub fn shard(&self, i: u64, n: u64) -> Vec<u64> {
        (0..self.runs()).filter(|x| x % n == i - 1).collect()
    }

    /// Whether this plan sweeps parameters.
    pub(crate) fn is_sweep(&self) -> bool {
        self.origin == Origin::Sweep
    }

    /// The shape of the plan's tables, for the output layer.
    pub fn layout(&self) -> Layout {
        Layout {
            sweep: self.is_sweep(),
            axes: self.axes.clone(),
            points: self
                .points
                .iter()
                .map(|p| p.values.iter().map(crate::output::cell).collect())
                .collect(),
            models: self.models.clone(),
            replications: self.replications,
            journal_replications: self
                .precision
                .as_ref()
                .map_or(self.replications, |p| p.rule.max() as u32),
            metrics: self.metrics().iter().map(|m| m.name.to_string()).collect(),
            kinds: self.metrics().iter().map(|m| m.kind.name()).collect(),
            measured: self
                .points
                .iter()
                .map(|p| p.scenario.measured_events())
                .collect(),
        }
    }

    /// The cells identifying run `spec` in every table: for a sweep the point and its swept
    /// values, then the model, the replicate and the world seed.
    pub(crate) fn id_cells(&self, spec: &RunSpec) -> Vec<String> {
        let mut c = Vec::new();
        if self.is_sweep() {
            c.push(spec.point.to_string());
            c.extend(
                self.points[spec.point]
                    .values
                    .iter()
                    .map(crate::output::cell),
            );
        }
        c.push(self.models[spec.model].clone());
        c.push(spec.replicate.to_string());
        c.push(spec.world_seed.to_string());
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        let s = Study::from_text(
            "replications = 3\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n",
            "p.toml",
        )
        .unwrap();
        Plan::single(s)
    }

    #[test]
    fn runs_are_numbered_point_replicate_model() {
        let p = plan();
        assert_eq!(p.runs(), 6);
        let s = p.spec(3);
        assert_eq!((s.point, s.replicate, s.model), (0, 1, 1));
        // Every model of a replicate shares the world seed; replicates differ.
        assert_eq!(p.spec(2).world_seed, p.spec(3).world_seed);
        assert_ne!(p.spec(1).world_seed, p.spec(2).world_seed);
    }

    #[test]
    fn shards_cover_every_run_once() {
        let p = plan();
        let mut all: Vec<u64> = (1..=4).flat_map(|i| p.shard(i, 4)).collect();
        all.sort_unstable();
        assert_eq!(all, (0..6).collect::<Vec<_>>());
        assert_eq!(p.shard(1, 4), vec![0, 4]);
    }
}

/// Why a plan could not be rebuilt from a manifest.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// An input text the manifest holds no longer validates.
    #[error("{0}")]
    Input(#[from] crate::params::InputError),
    /// The manifest holds no input of this role (`scenario`, `sweep` or `base`).
    #[error("the manifest lacks its {0} input")]
    Missing(&'static str),
}

/// Rebuilds the plan a manifest describes from the input texts it holds (no file is read), so
/// shards can be merged anywhere.
pub fn plan_from_manifest(m: &crate::output::manifest::Manifest) -> Result<Plan, RebuildError> {
    let seed = m.overrides.get("seed").and_then(|s| s.parse().ok());
    let replications = m.overrides.get("replications").and_then(|s| s.parse().ok());
    if m.kind == "sweep" {
        Ok(sweep_from_manifest(m)?.plan(seed, replications)?)
    } else {
        let f = m
            .inputs
            .iter()
            .find(|f| f.role == "scenario")
            .ok_or(RebuildError::Missing("scenario"))?;
        let path = std::path::Path::new(&f.path);
        let (mut table, source) = crate::params::Source::parse(path, &f.text)?;
        crate::study::set_overrides(&mut table, seed, replications);
        Ok(Plan::single(Study::from_file(
            path, &f.text, &table, source,
        )?))
    }
}

/// The sweep a sweep's manifest describes, from the texts it holds, with the master seed it
/// ran with (which places Morris trajectories).
pub fn sweep_from_manifest(
    m: &crate::output::manifest::Manifest,
) -> Result<sweep::Sweep, RebuildError> {
    let sweep_file = m
        .inputs
        .iter()
        .find(|f| f.role == "sweep")
        .ok_or(RebuildError::Missing("sweep"))?;
    let base = m
        .inputs
        .iter()
        .find(|f| f.role == "base")
        .map(|f| f.text.clone());
    let mut sweep = sweep::Sweep::parse(
        &sweep_file.text,
        std::path::Path::new(&sweep_file.path),
        |_| base.ok_or(RebuildError::Missing("base")),
    )?;
    sweep.seed = Some(m.seed);
    Ok(sweep)
}
