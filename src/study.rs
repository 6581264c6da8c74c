//! What a scenario file simulates: the leadership model (`family = "leadership"`, the default) or
//! one of the reference models (`"march1991"`, `"lazer_friedman2007"`). Every family runs through
//! the same plans, runner, tables, statistics and charts; a family only supplies its metrics and
//! how one run of one of its models produces rows of them.

use crate::metrics::{METRICS, Metric};
use crate::output::manifest::ModelInfo;
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader, Source, default_name};
use crate::reference::scenario::{self as refs, LF_METRICS, LfStudy, MARCH_METRICS, MarchStudy};
use crate::results::{RunResult, Series, Shock, Summary};
use crate::scenario::{self, Scenario};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub(crate) use crate::scenario::FAMILY;

/// The settings every reference study shares with a leadership scenario.
#[derive(Debug, Clone)]
pub struct Common {
    pub(crate) name: String,
    pub(crate) description: Arc<str>,
    pub(crate) seed: u64,
    pub(crate) steps: u32,
    pub(crate) replications: u32,
    pub(crate) every: u32,
    pub(crate) models: Vec<String>,
}

/// The cost of one run, for `leadsim check`'s estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Work {
    /// Agents (members, individuals) × steps: what the run time grows with.
    pub agent_steps: u128,
    /// Rows of `timeseries.csv` at most.
    pub rows: u64,
    /// Measured shock firings at most (rows of `shocks.csv`; hazards counted at every step).
    pub shocks: u64,
}

impl std::ops::AddAssign for Work {
    fn add_assign(&mut self, o: Work) {
        self.agent_steps = self.agent_steps.saturating_add(o.agent_steps);
        self.rows = self.rows.saturating_add(o.rows);
        self.shocks = self.shocks.saturating_add(o.shocks);
    }
}

impl Work {
    /// `self` repeated `runs` times.
    pub fn times(self, runs: u64) -> Work {
        Work {
            agent_steps: self.agent_steps.saturating_mul(u128::from(runs)),
            rows: self.rows.saturating_mul(runs),
            shocks: self.shocks.saturating_mul(runs),
        }
    }

    /// Bytes of CSV the runs write, roughly: about 130 bytes per time-series row (measured on
    /// the example scenarios), 300 per run summary and 190 per shock row.
    pub fn csv_bytes(&self, runs: u64) -> u64 {
        self.rows
            .saturating_mul(130)
            .saturating_add(runs.saturating_mul(300))
            .saturating_add(self.shocks.saturating_mul(190))
    }
}

/// Sets `seed` and `replications` in a parsed scenario table: the values given on the command
/// line override the file's.
pub fn set_overrides(table: &mut toml::Table, seed: Option<u64>, replications: Option<u32>) {
    if let Some(s) = seed {
        table.insert("seed".into(), toml::Value::Integer(s as i64));
    }
    if let Some(r) = replications {
        table.insert("replications".into(), toml::Value::Integer(r as i64));
    }
}

/// A validated scenario of any family.
#[derive(Debug, Clone)]
pub enum Study {
    /// The leadership model (`family = "leadership"`, the default).
    Leadership(Box<Scenario>),
    /// March (1991), mutual learning (`family = "march1991"`).
    March(Common, MarchStudy),
    /// Lazer & Friedman (2007), networks searching an NK landscape
    /// (`family = "lazer_friedman2007"`).
    LazerFriedman(Common, LfStudy),
}

impl Study {
    /// Validates a parsed scenario file of any family.
    pub fn from_table(
        table: &toml::Table,
        source: &Arc<Source>,
        text: &Arc<str>,
        default_name: &str,
    ) -> Result<Study, InputError> {
        let family = match table.get("family") {
            None => "leadership",
            Some(_) => {
                let mut r = Reader::new(table, "", source);
                r.choice(&FAMILY)?
            }
        };
        if family == "leadership" {
            return Scenario::from_table(table, source, text, default_name)
                .map(|s| Study::Leadership(Box::new(s)));
        }
        let mut r = Reader::new(table, "", source);
        r.choice(&FAMILY)?;
        let name = scenario::read_name(&mut r, default_name)?;
        let description = r.shared_text(&scenario::DESCRIPTION)?.unwrap_or_default();
        let seed = r.whole(&scenario::SEED)?;
        let steps = r.whole(&scenario::STEPS)? as u32;
        let replications = r.whole(&scenario::REPLICATIONS)? as u32;
        let mut out = r.table("output")?;
        let every = out.whole(&scenario::EVERY)? as u32;
        out.finish()?;
        let mut models = r.tables("models")?;
        if models.is_empty() {
            return Err(r.missing(
                "models",
                format!("no model to run: add at least one [[models]] table (see `leadsim models`) for family \"{family}\""),
            ));
        }
        let mut names = Vec::new();
        for m in models.iter_mut() {
            let kind = if family == "march1991" {
                if let Some(k) = m.text(&Param {
                    key: "kind",
                    kind: Kind::Text,
                    default: D::Word("march1991"),
                    meaning: "",
                })? && k != "march1991"
                {
                    return Err(m.error("kind", format!("\"{k}\" is not a model of family \"march1991\": its models are all kind = \"march1991\" with their own rates")));
                }
                "march1991".to_string()
            } else {
                m.text(&Param {
                    kind: Kind::Text,
                    ..refs::NETWORK
                })?
                .ok_or_else(|| {
                    m.error(
                        "kind",
                        format!("is required: give {}", refs::NETWORK.valid()),
                    )
                })?
            };
            let label = scenario::read_model_name(m, &kind, names.iter().map(String::as_str))?;
            names.push(label);
        }
        scenario::check_runs(&r, names.len(), replications as u64)?;
        let common = Common {
            name,
            description,
            seed,
            steps,
            replications,
            every,
            models: names,
        };
        let mut t = r.table(family)?;
        let study = if family == "march1991" {
            let s = refs::read_march(&mut t, &mut models)?;
            t.finish()?;
            Study::March(common, s)
        } else {
            let s = refs::read_lf(&mut t, &mut models)?;
            t.finish()?;
            Study::LazerFriedman(common, s)
        };
        for m in models {
            m.finish()?;
        }
        r.finish()?;
        Ok(study)
    }

    /// Validates the text of a scenario file of any family; `file` names it in errors.
    pub fn from_text(text: &str, file: &str) -> Result<Study, InputError> {
        let path = Path::new(file);
        let (table, source) = Source::parse(path, text)?;
        Study::from_file(path, text, &table, source)
    }

    /// Validates the scenario file `path` of any family, whose `text` was parsed into `table`
    /// and `source` (with any overrides set, see [`set_overrides`]); a scenario without a
    /// `name` is named after the file.
    pub fn from_file(
        path: &Path,
        text: &str,
        table: &toml::Table,
        source: Source,
    ) -> Result<Study, InputError> {
        let name = default_name(path, "scenario");
        Study::from_table(table, &Arc::new(source), &Arc::from(text), &name)
    }

    /// The family's name.
    pub fn family(&self) -> &'static str {
        match self {
            Study::Leadership(_) => "leadership",
            Study::March(..) => "march1991",
            Study::LazerFriedman(..) => "lazer_friedman2007",
        }
    }

    /// The scenario's name (the default result folder is `output/<name>`).
    pub fn name(&self) -> &str {
        match self {
            Study::Leadership(s) => &s.name,
            Study::March(c, _) | Study::LazerFriedman(c, _) => &c.name,
        }
    }

    /// The scenario's description (empty when it has none).
    pub fn description(&self) -> &str {
        match self {
            Study::Leadership(s) => &s.description,
            Study::March(c, _) | Study::LazerFriedman(c, _) => &c.description,
        }
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        match self {
            Study::Leadership(s) => s.seed,
            Study::March(c, _) | Study::LazerFriedman(c, _) => c.seed,
        }
    }

    /// Steps (periods, rounds) per run; for March runs that stop at equilibrium, the cap.
    pub fn steps(&self) -> u32 {
        match self {
            Study::Leadership(s) => s.steps,
            Study::March(c, _) | Study::LazerFriedman(c, _) => c.steps,
        }
    }

    /// Replicates per model.
    pub fn replications(&self) -> u32 {
        match self {
            Study::Leadership(s) => s.replications,
            Study::March(c, _) | Study::LazerFriedman(c, _) => c.replications,
        }
    }

    /// What one run of one model costs: agent-steps of work and rows of `timeseries.csv`
    /// (upper bounds for March runs, which may stop at equilibrium).
    pub fn work_per_run(&self) -> Work {
        let (agents, every, events) = match self {
            Study::Leadership(s) => {
                let grown: u64 = s.events.iter().map(|e| e.added_members() as u64).sum();
                let shocks = s
                    .events
                    .iter()
                    .filter(|e| e.measure)
                    .map(|e| e.timing.firings() as u64)
                    .fold(0u64, u64::saturating_add);
                (s.organization.members as u64 + grown, s.every, shocks)
            }
            Study::March(c, m) => (m.n as u64, c.every, 0),
            Study::LazerFriedman(c, l) => (l.agents as u64, c.every, 0),
        };
        let steps = u64::from(self.steps());
        let every = u64::from(every.max(1));
        let rows = match self {
            // Step 0 and every `every`-th step.
            Study::Leadership(_) => steps / every + 1,
            // Every `every`-th period from 1 and the last.
            Study::March(..) => steps / every + u64::from(!steps.is_multiple_of(every)),
            // Round 0, every `every`-th round and the last.
            Study::LazerFriedman(..) => steps / every + 1 + u64::from(!steps.is_multiple_of(every)),
        };
        Work {
            agent_steps: u128::from(agents) * u128::from(steps),
            rows,
            shocks: events,
        }
    }

    /// Names of the models compared, in file order.
    pub fn model_names(&self) -> Vec<String> {
        match self {
            Study::Leadership(s) => s.models.iter().map(|m| m.name.clone()).collect(),
            Study::March(c, _) | Study::LazerFriedman(c, _) => c.models.clone(),
        }
    }

    /// The per-step metrics of the family, in column order.
    pub(crate) fn metrics(&self) -> &'static [Metric] {
        match self {
            Study::Leadership(_) => &METRICS,
            Study::March(..) => &MARCH_METRICS,
            Study::LazerFriedman(..) => &LF_METRICS,
        }
    }

    /// The models as run, for the manifest.
    pub fn model_info(&self) -> Vec<ModelInfo> {
        let params = |v: Vec<(&'static str, String)>| {
            v.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
        };
        match self {
            Study::Leadership(s) => s
                .models
                .iter()
                .map(|m| ModelInfo {
                    name: m.name.clone(),
                    kind: m.config.kind().into(),
                    params: params(m.config.describe()),
                })
                .collect(),
            Study::March(c, m) => c
                .models
                .iter()
                .enumerate()
                .map(|(i, name)| ModelInfo {
                    name: name.clone(),
                    kind: "march1991".into(),
                    params: params(m.describe(i)),
                })
                .collect(),
            Study::LazerFriedman(c, l) => c
                .models
                .iter()
                .enumerate()
                .map(|(i, name)| ModelInfo {
                    name: name.clone(),
                    kind: l.variants[i].0.label(),
                    params: params(l.describe(i)),
                })
                .collect(),
        }
    }

    /// The leadership scenario, if this is one.
    pub fn leadership(&self) -> Option<&Scenario> {
        match self {
            Study::Leadership(s) => Some(s),
            _ => None,
        }
    }

    /// The names of the measured events (whose firings are shocks), in scenario order.
    pub(crate) fn measured_events(&self) -> Vec<String> {
        match self {
            Study::Leadership(s) => s
                .events
                .iter()
                .filter(|e| e.measure)
                .map(|e| e.name.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Runs model `model` on the world of `world_seed`. `None` when `stop` was set before the
    /// run finished (checked every few hundred steps of a leadership or March run; a Lazer &
    /// Friedman run, bounded by its size guard, always finishes).
    pub fn simulate(&self, model: usize, world_seed: u64, stop: &AtomicBool) -> Option<RunResult> {
        match self {
            Study::Leadership(s) => {
                let out = crate::sim::run_until(s, model, world_seed, stop)?;
                let mut series = Series::with_capacity(METRICS.len(), out.recorder.rows.len());
                for (step, row) in &out.recorder.rows {
                    series.push(*step, row);
                }
                let sum = out.recorder.summary();
                let window = s.adaptation_window as usize;
                // The counterfactual twin: the same run without its shocks (docs/ODD.md §7.6).
                let twin = if s.counterfactual && !out.shocks.is_empty() {
                    Some(crate::sim::run_twin(s, model, world_seed, stop)?.performance)
                } else {
                    None
                };
                let shocks = out
                    .shocks
                    .iter()
                    .map(|r| {
                        let ev = &s.events[r.event];
                        let mut shock = Shock::measure(
                            &ev.name,
                            ev.kind_name(),
                            r.step,
                            r.after,
                            &out.performance,
                            twin.as_deref(),
                            window,
                        );
                        shock.capacity_lost = r.capacity_lost;
                        shock
                    })
                    .collect();
                Some(RunResult {
                    series,
                    summary: Summary {
                        finals: sum.finals.to_vec(),
                        means: sum.means.to_vec(),
                    },
                    shocks,
                })
            }
            Study::March(c, m) => {
                let rows = m.run_until(model, c.steps, world_seed, stop)?;
                Some(reference_result(&rows, c.every, MARCH_METRICS.len()))
            }
            Study::LazerFriedman(c, l) => {
                let rows = l.run(model, c.steps, world_seed);
                Some(reference_result(&rows, c.every, LF_METRICS.len()))
            }
        }
    }
}

/// The result of a reference run from all its rows: the time series keeps every `every`-th step
/// and the last; the summary is the final value and the mean over steps 1…T.
fn reference_result(rows: &[(u32, Vec<f64>)], every: u32, width: usize) -> RunResult {
    let last = rows.last().map(|r| r.0);
    let mut series = Series::with_capacity(width, rows.len() / every.max(1) as usize + 2);
    for (t, row) in rows {
        if t.is_multiple_of(every.max(1)) || Some(*t) == last {
            series.push(*t, row);
        }
    }
    RunResult {
        series,
        summary: Summary::of_rows(width, rows.iter().map(|(t, r)| (*t, r.as_slice()))),
        shocks: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_estimate_counts_the_rows_a_run_writes() {
        let s = Study::from_text(
            "steps = 30\n[organization]\nmembers = 10\n[output]\nevery = 7\n[[models]]\nkind = \"shared\"\n[[events]]\nkind = \"growth\"\nat = 10\nmembers = 5\n[[events]]\nkind = \"landscape_shock\"\nat = [12, 20]\n",
            "w.toml",
        )
        .unwrap();
        let w = s.work_per_run();
        assert_eq!(w.agent_steps, 15 * 30, "growth counts towards the members");
        assert_eq!(
            w.shocks, 3,
            "growth (it changes the members) and two landscape shocks"
        );
        let result = s.simulate(0, 9, &AtomicBool::new(false)).unwrap();
        let rows = result.series.len() as u64;
        assert_eq!(w.rows, rows, "steps 0, 7, 14, 21 and 28");
        let total = {
            let mut t = Work::default();
            t += w;
            t += w;
            t
        };
        assert_eq!(total, w.times(2));
        assert!(w.csv_bytes(1) > rows * 100);
        let count = |s: &Study| {
            let r = s.simulate(0, 9, &AtomicBool::new(false)).unwrap();
            r.series.len() as u64
        };
        let lf = Study::from_text(
            "family = \"lazer_friedman2007\"\nsteps = 10\n[output]\nevery = 4\n[lazer_friedman2007]\nagents = 20\nn = 10\nk = 3\n[[models]]\nkind = \"linear\"\n",
            "l.toml",
        )
        .unwrap();
        assert_eq!(lf.work_per_run().rows, count(&lf), "rounds 0, 4, 8 and 10");
        let march = Study::from_text(
            "family = \"march1991\"\nsteps = 10\n[output]\nevery = 4\n[march1991]\nm = 20\nn = 10\nstop_at_equilibrium = false\n[[models]]\np1 = 0.1\n",
            "m.toml",
        )
        .unwrap();
        assert_eq!(
            march.work_per_run().rows,
            count(&march),
            "periods 4, 8 and 10"
        );
    }

    #[test]
    fn a_set_stop_flag_abandons_a_long_march_run() {
        let s = Study::from_text(
            "family = \"march1991\"\nsteps = 600\n[march1991]\nm = 10\nn = 8\nstop_at_equilibrium = false\n[[models]]\np1 = 0.1\n",
            "m.toml",
        )
        .unwrap();
        assert!(s.simulate(0, 4, &AtomicBool::new(true)).is_none());
        let Study::March(_, m) = &s else { panic!() };
        let free = m.run_until(0, 600, 4, &AtomicBool::new(false)).unwrap();
        assert_eq!(free, m.run(0, 600, 4));
        assert_eq!(free.len(), 600);
    }

    #[test]
    fn reference_scenarios_parse_and_run_with_common_random_numbers() {
        let march = Study::from_text(
            "family = \"march1991\"\nsteps = 200\n[march1991]\nm = 20\nn = 10\n[[models]]\nname = \"slow\"\np1 = 0.1\n[[models]]\nname = \"fast\"\np1 = 0.9\n",
            "m.toml",
        )
        .unwrap();
        assert_eq!(march.model_names(), vec!["slow", "fast"]);
        assert_eq!(march.metrics()[0].name, "code_knowledge");
        let Study::March(_, m) = &march else { panic!() };
        let (a, b) = (m.run(0, 200, 3), m.run(1, 200, 3));
        // The same reality and beliefs: period 1 is recorded before any learning.
        assert_eq!(a[0].1, b[0].1);
        assert!(a.len() <= 200 && a.last().unwrap().1[2] == 1.0 || a.len() == 200);
        let lf = Study::from_text(
            "family = \"lazer_friedman2007\"\nsteps = 10\n[lazer_friedman2007]\nagents = 20\nn = 10\nk = 3\n[[models]]\nkind = \"linear\"\n[[models]]\nkind = \"complete\"\n",
            "l.toml",
        )
        .unwrap();
        let Study::LazerFriedman(_, l) = &lf else {
            panic!()
        };
        let (a, b) = (l.run(0, 10, 5), l.run(1, 10, 5));
        assert_eq!(a.len(), 11);
        assert_eq!(
            a[0].1, b[0].1,
            "both networks start from the same solutions"
        );
        assert!(a.iter().all(|r| (0.0..=1.0).contains(&r.1[0])));
    }

    #[test]
    fn reference_scenarios_are_validated() {
        let err = |t: &str| Study::from_text(t, "r.toml").unwrap_err().to_string();
        assert!(
            err("family = \"march1991\"\n[[models]]\np1 = 2\n")
                .contains("models[0].p1: 2 is out of range")
        );
        assert!(
            err("family = \"march1991\"\n[landscape]\nn = 3\n[[models]]\n")
                .contains("landscape: unknown key")
        );
        assert!(
            err("family = \"lazer_friedman2007\"\n[[models]]\nkind = \"star\"\n")
                .contains("\"star\" is not valid")
        );
        assert!(err("family = \"lazer_friedman2007\"\n[lazer_friedman2007]\nn = 5\nk = 5\n[[models]]\nkind = \"linear\"\n").contains("lazer_friedman2007.k"));
        assert!(err("family = \"march1911\"\n").contains("did you mean \"march1991\""));
        assert!(err("family = \"march1991\"\n").contains("no model to run"));
    }
}
