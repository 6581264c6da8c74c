//! Sweep files: a base scenario, axes addressed by dotted path into any scenario parameter, and a
//! design, expanded up front into a flat, capped list of validated points.
//!
//! ```toml
//! base = "baseline.toml"          # a path relative to this file, or a [base] table inline
//! replications = 10               # or { target = 0.01, metric = "performance_mean", max = 200 }
//! [design]
//! kind = "grid"                   # random / lhs with samples = S; morris with trajectories and
//!                                 # levels; sobol with samples = N (base size), second_order
//! [[axes]]
//! path = "organization.members"
//! values = [20, 50, 100]
//! [[axes]]
//! path = "models.centralized.review_capacity"   # a model by name (or kind), an event by name
//! from = 1
//! to = 8
//! steps = 4                       # a grid's; sampled designs draw from the distribution:
//!                                 # uniform, log_uniform, or normal (mean, sd) within from/to
//! ```
//!
//! Paths: `landscape.k`, `organization.network.degree`, `behaviour.engagement.relax`,
//! `models.<name>.<param>`, `events.<name>.<param>` … — any key a scenario file accepts.
//! Every point is validated when the sweep is loaded, so a bad axis fails before anything runs.
//!
//! Reading the file is [`read`]; expanding a design into points is [`design`]; the
//! `[analysis]` table (what `leadsim sensitivity` analyses) and replications by precision are
//! read here and checked against the base scenario's models and measures when the plan is made.

mod design;
mod read;
#[cfg(test)]
mod tests;

pub use design::AxisSummary;
use read::{
    DESCRIPTION, MAX, NAME, SEED, base_file, read_analysis, read_axes, read_design,
    read_replications,
};
pub use read::{is_sweep, params};

use super::precision::Precision;
use super::{MAX_RUNS, Origin, Plan, Point};
use crate::analysis::precision::PrecisionRule;
use crate::params::{InputError, Reader, Source};
use crate::results::Quantity;
use crate::scenario::text_of;
use crate::study::Study;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The most points a sweep may expand to: `leadsim sweep` holds every point as a validated
/// scenario (about 1.5 kB each), `leadsim check` validates them one at a time
/// ([`Sweep::outline`]). A sweep of more is refused, naming its count.
pub const MAX_POINTS: u64 = 1_000_000;

/// A sweep's plan as [`Sweep::outline`] gathers it, point by point.
#[derive(Debug)]
pub struct Outline {
    /// The plan without its points (`points` is empty; its `runs()` is zero).
    pub plan: Plan,
    /// How many points the sweep has.
    pub points: u64,
    /// How many distinct worlds each replicate meets (points whose non-model values are equal
    /// share one).
    pub worlds: u64,
}

impl Outline {
    /// Total number of runs: points × models × replicates.
    pub fn runs(&self) -> u64 {
        self.points * self.plan.models.len() as u64 * u64::from(self.plan.replications)
    }
}

/// A count for a message: exact, or "more than 10^38" when it saturated.
fn count_text(x: u128) -> String {
    if x == u128::MAX {
        "more than 10^38".to_string()
    } else {
        x.to_string()
    }
}

/// How the values of one axis are given.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AxisValues {
    /// Explicit values (any TOML scalars); sampled designs give each an equal share.
    List(Vec<toml::Value>),
    /// A numeric range: `steps` evenly spaced values for a grid (geometrically for a log scale),
    /// or draws from the distribution on `[from, to]` for sampled designs; rounded with
    /// `integer`.
    Range {
        from: f64,
        to: f64,
        steps: Option<usize>,
        scale: Scale,
        integer: bool,
    },
}

/// How a range's values are spread between `from` and `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Uniformly (a grid: evenly spaced).
    Uniform,
    /// Uniformly in the logarithm (a grid: geometrically spaced); `from > 0`.
    LogUniform,
    /// Normal with this mean and sd, truncated to `[from, to]` (sampled designs only).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
    },
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Axis {
    pub(crate) path: String,
    pub(crate) values: AxisValues,
}

/// How points are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Every combination of the axes' values (the first axis varies slowest).
    Grid,
    /// `samples` points, each axis drawn independently from its distribution.
    Random {
        /// The number of points.
        samples: usize,
    },
    /// `samples` points, one in each of `samples` equally likely strata of every axis (McKay,
    /// Beckman & Conover 1979), strata matched at random across axes.
    Lhs {
        /// The number of points (and of strata per axis).
        samples: usize,
    },
    /// Morris (1991) elementary-effect trajectories on a grid of `levels` levels, in SALib's
    /// order: trajectory by trajectory, `k + 1` points each.
    Morris {
        /// Trajectories r.
        trajectories: usize,
        /// Grid levels p (even).
        levels: usize,
    },
    /// The Saltelli (2010) arrangement of a Sobol' sequence for variance-based indices, in
    /// SALib's order: per base row `A, AB_1 … AB_k, [BA_1 … BA_k], B`.
    Sobol {
        /// Base sample size N.
        samples: usize,
        /// Whether the `BA_j` rows for second-order indices are included.
        second_order: bool,
    },
}

impl Design {
    /// The design's kind as a sweep file names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Design::Grid => "grid",
            Design::Random { .. } => "random",
            Design::Lhs { .. } => "lhs",
            Design::Morris { .. } => "morris",
            Design::Sobol { .. } => "sobol",
        }
    }

    /// Whether points are drawn (or placed by a sequence) rather than every combination.
    pub fn is_sampled(&self) -> bool {
        !matches!(self, Design::Grid)
    }

    /// Whether the design supports sensitivity indices (Morris or Sobol').
    pub fn has_indices(&self) -> bool {
        matches!(self, Design::Morris { .. } | Design::Sobol { .. })
    }

    /// The design in words, e.g. "Sobol' (Saltelli), N = 256, first and total order".
    pub fn describe(&self) -> String {
        match *self {
            Design::Grid => "grid (every combination)".to_string(),
            Design::Random { samples } => format!("random, {samples} samples"),
            Design::Lhs { samples } => format!("Latin hypercube, {samples} samples"),
            Design::Morris {
                trajectories,
                levels,
            } => format!("Morris, {trajectories} trajectories on {levels} levels"),
            Design::Sobol {
                samples,
                second_order,
            } => format!(
                "Sobol' (Saltelli 2010), base sample N = {samples}, {} indices",
                if second_order {
                    "first, second and total order"
                } else {
                    "first and total order"
                }
            ),
        }
    }
}

/// The `[analysis]` table: what `leadsim sensitivity` analyses after a Morris or Sobol' sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSpec {
    /// The quantities as written (see [`Quantity`]); empty for the default, the headline
    /// measures of every model.
    pub quantities: Vec<String>,
    /// Bootstrap resamples for the confidence intervals.
    pub resamples: usize,
}

/// `replications = { target, metric, max, batch }` as written, checked when the plan is made.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PrecisionSpec {
    pub(crate) target: f64,
    pub(crate) metric: String,
    pub(crate) max: u32,
    pub(crate) batch: u32,
}

/// A sweep file, parsed but not yet expanded.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub(crate) name: String,
    /// The sweep's `description` (empty when it has none).
    pub description: String,
    pub(crate) path: PathBuf,
    /// The sweep file's text, as read (the manifest keeps it to rebuild the plan).
    pub text: Arc<str>,
    /// The base scenario's file as resolved; `None` for an inline `[base]`.
    pub base_path: Option<PathBuf>,
    /// The base scenario's text (for an inline `[base]`, that table written out as TOML).
    pub base_text: Arc<str>,
    base_table: toml::Table,
    base_source: Arc<Source>,
    /// The sweep file's own key lines, for errors.
    source: Arc<Source>,
    pub(crate) seed: Option<u64>,
    pub(crate) replications: Option<u32>,
    /// Replications by precision, when `replications` is a table.
    pub(crate) precision: Option<PrecisionSpec>,
    pub(crate) max_runs: u64,
    /// How the points are chosen.
    pub design: Design,
    pub(crate) axes: Vec<Axis>,
    /// What a sensitivity analysis of the sweep looks at.
    pub analysis: AnalysisSpec,
}

impl Sweep {
    /// Loads a sweep file and its base scenario from disk.
    pub fn load(path: &Path) -> Result<Sweep, crate::scenario::LoadError> {
        let bytes =
            crate::scenario::read_file(path).map_err(|source| crate::scenario::LoadError::Io {
                file: path.display().to_string(),
                source,
            })?;
        let text = text_of(path, bytes)?;
        let read_base = |p: &Path| -> Result<String, crate::scenario::LoadError> {
            // A base that cannot be read is the sweep file's error, at its `base` key.
            let bytes = crate::scenario::read_file(p).map_err(|e| InputError {
                file: path.to_path_buf(),
                line: Source::parse(path, &text)
                    .ok()
                    .and_then(|(_, s)| s.line("base")),
                key: "base".into(),
                message: format!("cannot read the base scenario {}: {e}", p.display()),
            })?;
            Ok(text_of(p, bytes)?)
        };
        Sweep::parse(&text, path, read_base)
    }

    /// Parses a sweep's text; `read_base` reads the base scenario's file (from disk, or from a
    /// manifest when merging).
    pub fn parse<E: From<InputError>>(
        text: &str,
        path: &Path,
        read_base: impl FnOnce(&Path) -> Result<String, E>,
    ) -> Result<Sweep, E> {
        let (table, source) = Source::parse(path, text)?;
        let mut r = Reader::new(&table, "", &source);
        let name = r
            .text(&NAME)?
            .unwrap_or_else(|| crate::params::default_name(path, "sweep"));
        if !crate::params::valid_label(&name) {
            return Err(r
                .error(
                    "name",
                    format!("\"{name}\" is not a valid name: use letters, digits, '_' and '-'"),
                )
                .into());
        }
        let description = r.text(&DESCRIPTION)?.unwrap_or_default();
        let (base_path, base_text) = base_file(&mut r, path, read_base)?;
        let (base_table, base_source) = match &base_path {
            Some(p) => Source::parse(p, &base_text)?,
            // An inline base keeps the sweep file's lines of the keys under `base.`.
            None => {
                let t = match table.get("base") {
                    Some(toml::Value::Table(t)) => t.clone(),
                    _ => toml::Table::new(),
                };
                (t, source.within("base"))
            }
        };
        let seed = r.whole_opt(&SEED)?;
        let (replications, precision) = read_replications(&mut r)?;
        let max_runs = r.whole(&MAX)?;
        let design = read_design(&mut r)?;
        let axes = read_axes(&mut r, &source, design)?;
        let analysis = read_analysis(&mut r, design)?;
        r.finish()?;
        Ok(Sweep {
            name,
            description,
            path: path.to_path_buf(),
            text: Arc::from(text),
            base_path,
            base_text: Arc::from(base_text.as_str()),
            base_table,
            base_source: Arc::new(base_source),
            source: Arc::new(source),
            seed,
            replications,
            precision,
            max_runs,
            design,
            axes,
            analysis,
        })
    }

    /// Expands the sweep into a validated plan. `seed` and `replications` (command-line
    /// options) replace the sweep's; a replications override also replaces a precision rule.
    pub fn plan(&self, seed: Option<u64>, replications: Option<u32>) -> Result<Plan, InputError> {
        let mut points = Vec::new();
        let outline = self.expand(seed, replications, |p| {
            points.push(p);
            Ok(())
        })?;
        Ok(Plan {
            points,
            ..outline.plan
        })
    }

    /// Validates every point of the sweep as [`Sweep::plan`] does, one at a time, without
    /// holding them: `visit` sees each point (its number and validated scenario) and drops it.
    /// What `leadsim check` needs of a large sweep, in memory that does not grow with the
    /// number of points (up to [`MAX_POINTS`]).
    pub fn outline(
        &self,
        seed: Option<u64>,
        replications: Option<u32>,
        mut visit: impl FnMut(usize, &Point),
    ) -> Result<Outline, InputError> {
        let mut i = 0;
        self.expand(seed, replications, |p| {
            visit(i, &p);
            i += 1;
            Ok(())
        })
    }

    /// The plan of the sweep without its points, each validated point handed to `each` in
    /// point order.
    fn expand(
        &self,
        seed: Option<u64>,
        replications: Option<u32>,
        mut each: impl FnMut(Point) -> Result<(), InputError>,
    ) -> Result<Outline, InputError> {
        let base = self.base()?;
        let seed = seed.or(self.seed).unwrap_or(base.seed());
        let models: Vec<String> = base.model_names();
        let columns = crate::results::summary_columns(base.metrics().iter().map(|m| m.name));
        let precision = match (&self.precision, replications) {
            (Some(spec), None) => Some(self.precision(spec, &models, &columns)?),
            _ => None,
        };
        // A precision plan numbers its runs as if every point ran `max` replicates, so the
        // numbers of the runs of every batch are known before the first batch starts.
        let replications = match &precision {
            Some(p) => p.rule.max() as u32,
            None => replications
                .or(self.replications)
                .unwrap_or(base.replications()),
        };
        self.analysis_quantities(&models, &analysed_measures(&base, &columns))?;
        self.check_size(models.len(), replications)?;
        let sweep = Sweep {
            seed: Some(seed),
            ..self.clone()
        };
        let mut world_keys: BTreeMap<Vec<KeyPart>, u64> = BTreeMap::new();
        let mut count = 0u64;
        sweep.each_point(|i, vals| {
            let scenario = self.point_scenario(i, &vals)?;
            let key: Vec<KeyPart> = self
                .axes
                .iter()
                .zip(&vals)
                .filter(|(a, _)| !a.path.starts_with("models."))
                .map(|(_, v)| KeyPart::of(v))
                .collect();
            let next = world_keys.len() as u64;
            let world_key = *world_keys.entry(key).or_insert(next);
            count += 1;
            each(Point {
                values: vals,
                world_key,
                scenario,
            })
        })?;
        Ok(Outline {
            plan: Plan {
                origin: Origin::Sweep,
                name: self.name.clone(),
                seed,
                replications,
                axes: self.axes.iter().map(|a| a.path.clone()).collect(),
                points: Vec::new(),
                models,
                precision,
            },
            points: count,
            worlds: world_keys.len() as u64,
        })
    }

    /// The precision rule of `spec`, its metric checked against the experiment's `models` and
    /// summary `columns` (errors at `replications.metric`).
    fn precision(
        &self,
        spec: &PrecisionSpec,
        models: &[String],
        columns: &[String],
    ) -> Result<Precision, InputError> {
        let quantity = Quantity::parse(&spec.metric, models, columns)
            .map_err(|e| self.error("replications.metric", e))?;
        let rule = PrecisionRule::new(spec.batch as usize, spec.target, spec.max as usize)
            .map_err(|e| self.error("replications", e.to_string()))?;
        Ok(Precision { rule, quantity })
    }

    /// The quantities of the `[analysis]` table, checked against the experiment's `models`
    /// and summary `columns` (errors at `analysis.quantities`); the default when it names
    /// none: the headline measures of every model.
    pub fn analysis_quantities(
        &self,
        models: &[String],
        columns: &[String],
    ) -> Result<Vec<Quantity>, InputError> {
        self.analysis
            .quantities
            .iter()
            .map(|q| {
                Quantity::parse(q, models, columns)
                    .map_err(|e| self.error("analysis.quantities", e))
            })
            .collect()
    }

    /// The validated base scenario.
    pub fn base(&self) -> Result<Study, InputError> {
        Study::from_table(
            &self.base_table,
            &self.base_source,
            &self.base_text,
            &self.name,
        )
        .map_err(|e| self.error("base", format!("the base scenario is not valid: {e}")))
    }

    /// Refuses a sweep of more runs than its `max_runs`, or of more points than can be
    /// expanded ([`MAX_POINTS`]).
    fn check_size(&self, models: usize, replications: u32) -> Result<(), InputError> {
        let count = self.point_count();
        let runs = count
            .saturating_mul(models as u128)
            .saturating_mul(replications as u128);
        if runs > self.max_runs as u128 {
            return Err(self.error(
                "max_runs",
                format!(
                    "the sweep asks for {} points × {models} models × {replications} replicates = {} runs, more than max_runs = {}; raise max_runs (up to {MAX_RUNS}) or sweep fewer values",
                    count_text(count),
                    count_text(runs),
                    self.max_runs
                ),
            ));
        }
        if count > MAX_POINTS as u128 {
            return Err(self.error(
                "axes",
                format!(
                    "the sweep has {count} points; at most {MAX_POINTS} can be expanded (every point is a validated scenario held in memory): sweep fewer values"
                ),
            ));
        }
        Ok(())
    }

    /// The validated scenario of point `i`, whose axes take `vals`: the base with each swept
    /// parameter set.
    fn point_scenario(&self, i: usize, vals: &[toml::Value]) -> Result<Study, InputError> {
        let mut table = self.base_table.clone();
        for (axis, v) in self.axes.iter().zip(vals) {
            set_path(&mut table, &axis.path, v.clone()).map_err(|msg| {
                self.error(&format!("axes[{}].path", self.axis_index(&axis.path)), msg)
            })?;
        }
        Study::from_table(&table, &self.base_source, &self.base_text, &self.name)
            .map_err(|e| self.point_error(i, vals, &e))
    }

    /// The error of point `i` (values `vals`) that did not validate: the sweep file's, at the
    /// axis whose parameter `e` names if one does, else at `axes`.
    fn point_error(&self, i: usize, vals: &[toml::Value], e: &InputError) -> InputError {
        let at: Vec<String> = self
            .axes
            .iter()
            .zip(vals)
            .map(|(a, v)| format!("{} = {}", a.path, crate::output::cell(v)))
            .collect();
        let hit = self.axes.iter().position(|a| {
            let key = self.key_path(&a.path);
            e.key == key || e.key.starts_with(&format!("{key}."))
        });
        match hit {
            Some(k) => {
                let hint = match &self.axes[k].values {
                    AxisValues::Range { integer: false, .. }
                        if e.message.contains("whole number") =>
                    {
                        " (add integer = true to the axis to draw whole numbers)"
                    }
                    _ => "",
                };
                self.error(
                    &format!("axes[{k}].path"),
                    format!(
                        "the swept parameter {} at point {i} ({}): {}{hint}",
                        self.axes[k].path,
                        at.join(", "),
                        e.message
                    ),
                )
            }
            None => self.error(
                "axes",
                format!("point {i} ({}) is not a valid scenario: {e}", at.join(", ")),
            ),
        }
    }

    fn axis_index(&self, path: &str) -> usize {
        self.axes.iter().position(|a| a.path == path).unwrap_or(0)
    }

    /// The key path a dotted sweep path reaches in the base scenario, with `[[models]]` and
    /// `[[events]]` named by their position (`models.shared.review_capacity` → `models[1].review_capacity`).
    fn key_path(&self, path: &str) -> String {
        let parts: Vec<&str> = path.split('.').collect();
        if parts.len() >= 2
            && (parts[0] == "models" || parts[0] == "events")
            && let Some(toml::Value::Array(items)) = self.base_table.get(parts[0])
            && let Some(i) = items.iter().position(|v| entry_label(v) == parts[1])
        {
            let mut out = format!("{}[{i}]", parts[0]);
            for p in &parts[2..] {
                out.push('.');
                out.push_str(p);
            }
            return out;
        }
        path.to_string()
    }

    fn error(&self, key: &str, message: String) -> InputError {
        InputError {
            file: self.path.clone(),
            line: self.source.line(key),
            key: key.to_string(),
            message,
        }
    }
}

/// The measures a sensitivity analysis can look at (the rows of `stats.csv`): the summary
/// `columns` and, when the base scenario measures events, the shock statistics (and, with
/// several measured events, each event's).
fn analysed_measures(base: &Study, columns: &[String]) -> Vec<String> {
    let mut out = columns.to_vec();
    let events = base.measured_events();
    if events.is_empty() {
        return out;
    }
    let shock = crate::results::shocks::NAMES
        .iter()
        .chain([&crate::results::shocks::RECOVERY_MEDIAN]);
    for name in shock {
        out.push(name.to_string());
        if events.len() > 1 {
            out.extend(events.iter().map(|e| format!("{name}@{e}")));
        }
    }
    out
}

/// Sets the value at a dotted `path` in a scenario table. `models.<name>` and `events.<name>`
/// select an entry of those arrays by its `name` (or, without one, its `kind`).
pub(crate) fn set_path(
    table: &mut toml::Table,
    path: &str,
    value: toml::Value,
) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut current = table;
    let mut i = 0;
    while i + 1 < parts.len() {
        let key = parts[i];
        if key == "models" || key == "events" {
            let label = parts[i + 1];
            let Some(toml::Value::Array(items)) = current.get_mut(key) else {
                return Err(format!("\"{path}\": the base scenario has no [[{key}]]"));
            };
            let names: Vec<String> = items.iter().map(entry_label).collect();
            let Some(pos) = names.iter().position(|n| n == label) else {
                return Err(format!(
                    "\"{path}\": no [[{key}]] is named \"{label}\"; the base scenario has {}",
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let Some(toml::Value::Table(t)) = items.get_mut(pos) else {
                return Err(format!("\"{path}\": [[{key}]] entry is not a table"));
            };
            if i + 2 >= parts.len() {
                return Err(format!(
                    "\"{path}\" names a whole [[{key}]] entry: add the parameter, e.g. {key}.{label}.review_capacity"
                ));
            }
            current = t;
            i += 2;
            continue;
        }
        let entry = current
            .entry(key.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match entry {
            toml::Value::Table(t) => current = t,
            _ => return Err(format!("\"{path}\": {key} is a value, not a table")),
        }
        i += 1;
    }
    current.insert(parts[parts.len() - 1].to_string(), value);
    Ok(())
}

/// The label of a `[[models]]` or `[[events]]` entry: its name, else its kind.
fn entry_label(v: &toml::Value) -> String {
    v.get("name")
        .or_else(|| v.get("kind"))
        .and_then(|x| x.as_str())
        .unwrap_or("")
        .to_string()
}

/// A swept value as part of a world key: points whose non-model values are equal share worlds.
/// Numbers compare by value (`2` and `2.0` are one value, as are `0.0` and `-0.0`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Whole(i64),
    /// The bits of a real that is not a whole number.
    Real(u64),
    Text(String),
    Flag(bool),
    Other(String),
}

impl KeyPart {
    fn of(v: &toml::Value) -> KeyPart {
        match v {
            toml::Value::Integer(i) => KeyPart::Whole(*i),
            // Within ±2^62 every whole real converts to i64 exactly.
            toml::Value::Float(x) if x.fract() == 0.0 && x.abs() < 4.6e18 => {
                KeyPart::Whole(*x as i64)
            }
            toml::Value::Float(x) => KeyPart::Real((x + 0.0).to_bits()),
            toml::Value::String(s) => KeyPart::Text(s.clone()),
            toml::Value::Boolean(b) => KeyPart::Flag(*b),
            other => KeyPart::Other(other.to_string()),
        }
    }
}
