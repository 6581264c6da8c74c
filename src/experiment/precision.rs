//! Replications by precision: a sweep whose `replications = { target, metric, max, batch }`
//! runs replicates in batches until the 95% confidence half-width of the metric's mean is below
//! the target at every point (for every model the metric names, or for the paired difference),
//! or until `max` replicates.
//!
//! Every point gets the same number of replicates, so the result is an ordinary rectangular
//! experiment: its tables are byte-identical to those of the same sweep with `replications` set
//! to the number the rule chose. To get there without renumbering anything, a precision plan
//! numbers its runs as if every point ran `max` replicates (`index = (point · max + replicate)
//! · M + model`): the runs of every batch have known, fixed numbers before the first batch
//! starts, the journals record them under those numbers, and the tables are assembled at the
//! end by mapping each row of the final, smaller numbering back to its run
//! (`Layout::journal_replications`). The time series is copied from the journals at assembly,
//! as for a merge: the final order is not known while batches run.
//!
//! The decision after each batch uses only replicates `0 … b·batch − 1` of every point, which
//! are all finished when it is taken ([`crate::analysis::precision::decide`]), so the number of
//! replicates is the same for any thread count and any interruption: a resumed run reads the
//! journaled runs' values back, replays the decisions and continues with the batch it stopped
//! in. Shards cannot decide alone (the rule needs every point), so a precision sweep runs on
//! one machine.

use super::runner::{self, RunError};
use super::{Plan, RunSpec};
use crate::analysis::precision::{self, Precision as Decision, PrecisionRule};
use crate::output;
use crate::results::Quantity;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

/// A validated precision rule: when to stop, and what must be precise.
#[derive(Debug, Clone, PartialEq)]
pub struct Precision {
    /// Batch size, target half-width and the most replicates.
    pub rule: PrecisionRule,
    /// The summary column of every model, one model, or a paired difference.
    pub quantity: Quantity,
}

impl Precision {
    /// The rule in words, as `check` and the manifest's identity give it.
    pub fn describe(&self) -> String {
        format!(
            "batches of {} until the 95% half-width of {} is below {} at every point, at most {} replicates",
            self.rule.batch(),
            self.quantity,
            crate::params::number(self.rule.target()),
            self.rule.max()
        )
    }
}

/// What the rule decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Replicates every point ran.
    pub replicates: u32,
    /// The widest 95% half-width over the points (and models) at that count.
    pub half_width: f64,
    /// Whether the target was reached (else `max` replicates were run without reaching it).
    pub reached: bool,
}

impl Plan {
    /// The same plan with `replications` replicates per model and point (the plan a precision
    /// run's tables describe once the rule has chosen).
    pub fn with_replications(&self, replications: u32) -> Plan {
        Plan {
            replications,
            ..self.clone()
        }
    }

    /// The numbers of the runs of replicates `from..to` at every point, ascending.
    pub(crate) fn replicate_runs(&self, from: u32, to: u32) -> Vec<u64> {
        let (m, r) = (self.models.len() as u64, self.replications as u64);
        let mut out = Vec::new();
        for p in 0..self.points.len() as u64 {
            for rep in from as u64..to as u64 {
                out.extend((0..m).map(|k| (p * r + rep) * m + k));
            }
        }
        out
    }
}

/// Runs batches of `plan` (a precision plan, numbered with `max` replicates) into `runs_dir`, in
/// journals of the experiment `identity`,
/// until the rule decides; returns its decision. `on_batch(from, to, widest)` is called before
/// each batch runs replicates `from..to` (`widest`: the widest half-width so far, infinite
/// before the first batch); `progress` is the runner's, per batch. Interrupted, the finished
/// runs are journaled and a resume continues from them.
pub fn execute(
    plan: &Plan,
    identity: &str,
    runs_dir: &Path,
    stop: &AtomicBool,
    progress: &(dyn Fn(u64, u64) + Sync),
    on_batch: &dyn Fn(u32, u32, f64),
) -> Result<Outcome, RunError> {
    let p = plan
        .precision
        .as_ref()
        .expect("a precision plan has a precision rule");
    let columns = crate::results::summary_columns(plan.metrics().iter().map(|m| m.name));
    let column = columns
        .iter()
        .position(|c| *c == p.quantity.metric)
        .expect("the metric was checked when the plan was made");
    // The quantity's value of every finished run, by run number: read back from the journals
    // of an earlier process once, then from each run as it finishes.
    let values: Mutex<BTreeMap<u64, f64>> = Mutex::new(
        output::store::journaled_summaries(runs_dir, identity)?
            .into_iter()
            .map(|(i, s)| (i, s.column(column)))
            .collect(),
    );
    let mut widest = f64::INFINITY;
    let mut done = 0u32;
    loop {
        let series = series(
            plan,
            &p.quantity,
            &values.lock().unwrap_or_else(|e| e.into_inner()),
            done,
        );
        let refs: Vec<&[f64]> = series.iter().map(Vec::as_slice).collect();
        match precision::decide(&p.rule, &refs) {
            Decision::Continue { until } => {
                let until = until as u32;
                on_batch(done, until, widest);
                let indices = plan.replicate_runs(done, until);
                let record = |i: u64, s: &crate::results::Summary| {
                    values
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(i, s.column(column));
                };
                runner::execute_observed(
                    plan, identity, runs_dir, &indices, stop, progress, &record,
                )?;
                done = until;
                widest = widest_after(plan, &p.quantity, &values, done);
            }
            Decision::Reached {
                replicates,
                half_width,
            } => {
                return Ok(Outcome {
                    replicates: replicates as u32,
                    half_width,
                    reached: true,
                });
            }
            Decision::Exhausted {
                replicates,
                half_width,
            } => {
                return Ok(Outcome {
                    replicates: replicates as u32,
                    half_width,
                    reached: false,
                });
            }
        }
    }
}

/// The widest half-width after `done` replicates (for the progress message).
fn widest_after(
    plan: &Plan,
    quantity: &Quantity,
    values: &Mutex<BTreeMap<u64, f64>>,
    done: u32,
) -> f64 {
    let values = values.lock().unwrap_or_else(|e| e.into_inner());
    series(plan, quantity, &values, done)
        .iter()
        .map(|s| precision::half_width(s))
        .map(|h| if h.is_nan() { f64::INFINITY } else { h })
        .fold(0.0, f64::max)
}

/// The series the rule watches, each over replicates `0..done` in order: per point, the
/// quantity's model (each model, for a measure of every model) or the paired difference. A run
/// missing from `values` ends its series there (the rule then waits for it).
fn series(
    plan: &Plan,
    quantity: &Quantity,
    values: &BTreeMap<u64, f64>,
    done: u32,
) -> Vec<Vec<f64>> {
    let (a, b) = quantity.indices(&plan.models);
    let models: Vec<usize> = match a {
        Some(m) => vec![m],
        None => (0..plan.models.len()).collect(),
    };
    let value = |point: usize, replicate: u32, model: usize| {
        let spec = RunSpec {
            index: 0,
            point,
            replicate,
            model,
            world_seed: 0,
        };
        values.get(&plan.index_of(&spec)).copied()
    };
    let mut out = Vec::new();
    for point in 0..plan.points.len() {
        for &m in &models {
            let mut s = Vec::with_capacity(done as usize);
            for rep in 0..done {
                let v = match b {
                    Some(v) => value(point, rep, m)
                        .zip(value(point, rep, v))
                        .map(|(x, y)| x - y),
                    None => value(point, rep, m),
                };
                match v {
                    Some(x) => s.push(x),
                    None => break,
                }
            }
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::Study;

    #[test]
    fn batches_number_their_runs_in_the_max_plan() {
        let s = Study::from_text(
            "replications = 4\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n",
            "p.toml",
        )
        .unwrap();
        let mut plan = Plan::single(s);
        plan.points.push(plan.points[0].clone());
        assert_eq!(plan.replicate_runs(0, 1), vec![0, 1, 8, 9]);
        assert_eq!(plan.replicate_runs(2, 4), vec![4, 5, 6, 7, 12, 13, 14, 15]);
        for i in plan.replicate_runs(1, 3) {
            let spec = plan.spec(i);
            assert!((1..3).contains(&spec.replicate));
            assert_eq!(plan.index_of(&spec), i);
        }
    }
}
