//! Sweep files: a base scenario, axes addressed by dotted path into any scenario parameter, and a
//! design (`grid`, `random`, Latin hypercube `lhs`), expanded up front into a flat, capped list of
//! validated points.
//!
//! ```toml
//! base = "baseline.toml"          # a path relative to this file, or a [base] table inline
//! replications = 10
//! [design]
//! kind = "grid"                   # or "random" / "lhs" with samples = S
//! [[axes]]
//! path = "organization.members"
//! values = [20, 50, 100]
//! [[axes]]
//! path = "models.centralized.review_capacity"   # a model by name (or kind), an event by name
//! from = 1
//! to = 8
//! steps = 4
//! ```
//!
//! Paths: `landscape.k`, `organization.network.degree`, `behaviour.engagement.relax`,
//! `models.<name>.<param>`, `events.<name>.<param>` … — any key a scenario file accepts.
//! Every point is validated when the sweep is loaded, so a bad axis fails before anything runs.

use super::{MAX_RUNS, Origin, Plan, Point};
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader, Source, describe};
use crate::rng::{self, Purpose};
use crate::scenario::text_of;
use crate::study::Study;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The most points a sweep may expand to.
pub(crate) const MAX_POINTS: u64 = 1_000_000;

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
    /// Explicit values (any TOML scalars).
    List(Vec<toml::Value>),
    /// A numeric range: `steps` evenly spaced values for a grid (geometrically with `log`), or
    /// draws in `[from, to]` for random and Latin-hypercube designs; rounded with `integer`.
    Range {
        from: f64,
        to: f64,
        steps: Option<usize>,
        log: bool,
        integer: bool,
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
    /// `samples` points, each axis drawn independently and uniformly.
    Random {
        /// The number of points.
        samples: usize,
    },
    /// `samples` points, one in each of `samples` equal strata of every axis (McKay, Beckman &
    /// Conover 1979), strata matched at random across axes.
    Lhs {
        /// The number of points (and of strata per axis).
        samples: usize,
    },
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
    pub(crate) max_runs: u64,
    /// How the points are chosen.
    pub design: Design,
    pub(crate) axes: Vec<Axis>,
}

pub(crate) const NAME: Param = Param {
    key: "name",
    kind: Kind::Text,
    default: D::Derived("the file name without .toml"),
    meaning: "name of the sweep (names the output folder)",
};
pub(crate) const DESCRIPTION: Param = Param {
    key: "description",
    kind: Kind::Text,
    default: D::Derived("empty"),
    meaning: "what the sweep is about",
};
pub(crate) const BASE: Param = Param {
    key: "base",
    kind: Kind::Text,
    default: D::Required,
    meaning: "the base scenario: a file path relative to the sweep file, or an inline [base] table",
};
pub(crate) const SEED: Param = Param {
    key: "seed",
    kind: Kind::Whole {
        min: 0,
        max: i64::MAX as u64,
    },
    default: D::Derived("the base scenario's seed"),
    meaning: "master seed of the sweep",
};
pub(crate) const REPLICATIONS: Param = Param {
    key: "replications",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Derived("the base scenario's replications"),
    meaning: "replicates per model at every point",
};
pub(crate) const MAX: Param = Param {
    key: "max_runs",
    kind: Kind::Whole {
        min: 1,
        max: MAX_RUNS,
    },
    default: D::Whole(1_000_000),
    meaning: "refuse a sweep of more runs than this (points × models × replicates)",
};
pub(crate) const DESIGN_KIND: Param = Param {
    key: "kind",
    kind: Kind::Choice(&["grid", "random", "lhs"]),
    default: D::Word("grid"),
    meaning: "grid (every combination), random (independent uniform draws) or lhs (Latin hypercube)",
};
pub(crate) const SAMPLES: Param = Param {
    key: "samples",
    kind: Kind::Whole {
        min: 1,
        max: 10_000_000,
    },
    default: D::Derived("required for random and lhs"),
    meaning: "number of points of a random or Latin-hypercube design",
};
pub(crate) const PATH: Param = Param {
    key: "path",
    kind: Kind::Text,
    default: D::Required,
    meaning: "dotted path of the parameter, e.g. organization.members or models.shared.review_capacity",
};
pub(crate) const VALUES: Param = Param {
    key: "values",
    kind: Kind::List("numbers, words or true/false"),
    default: D::Derived("unset: use from/to"),
    meaning: "list of values (numbers, words or true/false)",
};
pub(crate) const FROM: Param = Param {
    key: "from",
    kind: Kind::Real {
        min: f64::MIN,
        max: f64::MAX,
    },
    default: D::Derived("required without values"),
    meaning: "lower end of a numeric range",
};
pub(crate) const TO: Param = Param {
    key: "to",
    kind: Kind::Real {
        min: f64::MIN,
        max: f64::MAX,
    },
    default: D::Derived("required without values"),
    meaning: "upper end of a numeric range",
};
pub(crate) const STEPS: Param = Param {
    key: "steps",
    kind: Kind::Whole {
        min: 1,
        max: 1_000_000,
    },
    default: D::Derived("required for a grid range"),
    meaning: "grid: number of evenly spaced values from from to to",
};
pub(crate) const LOG: Param = Param {
    key: "log",
    kind: Kind::Flag,
    default: D::Flag(false),
    meaning: "space a range geometrically (from and to must be positive)",
};
pub(crate) const INTEGER: Param = Param {
    key: "integer",
    kind: Kind::Flag,
    default: D::Flag(false),
    meaning: "round a range's values to whole numbers",
};

/// Every parameter of a sweep file, by table, for documentation.
pub fn params() -> Vec<(&'static str, Vec<Param>)> {
    vec![
        ("", vec![NAME, DESCRIPTION, BASE, SEED, REPLICATIONS, MAX]),
        ("design", vec![DESIGN_KIND, SAMPLES]),
        ("axes", vec![PATH, VALUES, FROM, TO, STEPS, LOG, INTEGER]),
    ]
}

/// Whether a parsed TOML file is a sweep rather than a scenario.
pub fn is_sweep(table: &toml::Table) -> bool {
    table.contains_key("base") || table.contains_key("axes") || table.contains_key("design")
}

impl Sweep {
    /// Loads a sweep file and its base scenario from disk.
    pub fn load(path: &Path) -> Result<Sweep, crate::scenario::LoadError> {
        let bytes = std::fs::read(path).map_err(|source| crate::scenario::LoadError::Io {
            file: path.display().to_string(),
            source,
        })?;
        let text = text_of(path, bytes)?;
        let read_base = |p: &Path| -> Result<String, crate::scenario::LoadError> {
            // A base that cannot be read is the sweep file's error, at its `base` key.
            let bytes = std::fs::read(p).map_err(|e| InputError {
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
        let replications = r.whole_opt(&REPLICATIONS)?.map(|x| x as u32);
        let max_runs = r.whole(&MAX)?;
        let design = read_design(&mut r)?;
        let axes = read_axes(&mut r, &source, design)?;
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
            max_runs,
            design,
            axes,
        })
    }

    /// The values of every point, in point order.
    pub(crate) fn points(&self) -> Vec<Vec<toml::Value>> {
        let seed = self.seed.unwrap_or(0);
        match self.design {
            Design::Grid => {
                let lists: Vec<Vec<toml::Value>> =
                    self.axes.iter().map(|a| grid_values(&a.values)).collect();
                let mut out: Vec<Vec<toml::Value>> = vec![Vec::new()];
                for list in &lists {
                    let mut next = Vec::with_capacity(out.len() * list.len());
                    for prefix in &out {
                        for v in list {
                            let mut p = prefix.clone();
                            p.push(v.clone());
                            next.push(p);
                        }
                    }
                    out = next;
                }
                out
            }
            Design::Random { samples } => {
                let mut r = rng::stream(seed, Purpose::Design, &[0]);
                (0..samples)
                    .map(|_| {
                        self.axes
                            .iter()
                            .map(|a| value_at(&a.values, rng::unit(&mut r)))
                            .collect()
                    })
                    .collect()
            }
            Design::Lhs { samples } => {
                let columns: Vec<Vec<toml::Value>> = self
                    .axes
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let mut r = rng::stream(seed, Purpose::Design, &[1, i as u64]);
                        let (mut scratch, mut perm) = (Vec::new(), Vec::new());
                        rng::choose_distinct(&mut r, samples, samples, &mut scratch, &mut perm);
                        perm.iter()
                            .map(|&stratum| {
                                let u = (stratum as f64 + rng::unit(&mut r)) / samples as f64;
                                value_at(&a.values, u)
                            })
                            .collect()
                    })
                    .collect();
                (0..samples)
                    .map(|p| columns.iter().map(|c| c[p].clone()).collect())
                    .collect()
            }
        }
    }

    /// Number of points the design gives, computed without expanding it (saturating at
    /// `u128::MAX` for absurd grids).
    pub fn point_count(&self) -> u128 {
        match self.design {
            Design::Grid => self
                .axes
                .iter()
                .map(|a| match &a.values {
                    AxisValues::List(v) => v.len() as u128,
                    AxisValues::Range { steps, .. } => steps.unwrap_or(1) as u128,
                })
                .fold(1u128, u128::saturating_mul),
            Design::Random { samples } | Design::Lhs { samples } => samples as u128,
        }
    }

    /// Expands the sweep into a validated plan. `overrides` replace the sweep's seed and
    /// replications (command-line options).
    pub fn plan(&self, seed: Option<u64>, replications: Option<u32>) -> Result<Plan, InputError> {
        let base = Study::from_table(
            &self.base_table,
            &self.base_source,
            &self.base_text,
            &self.name,
        )
        .map_err(|e| self.error("base", format!("the base scenario is not valid: {e}")))?;
        let seed = seed.or(self.seed).unwrap_or(base.seed());
        let replications = replications
            .or(self.replications)
            .unwrap_or(base.replications());
        let models: Vec<String> = base.model_names();
        self.check_size(models.len(), replications)?;
        let sweep = Sweep {
            seed: Some(seed),
            ..self.clone()
        };
        let values = sweep.points();
        let mut points = Vec::with_capacity(values.len());
        let mut world_keys: BTreeMap<Vec<KeyPart>, u64> = BTreeMap::new();
        for (i, vals) in values.into_iter().enumerate() {
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
            points.push(Point {
                values: vals,
                world_key,
                scenario,
            });
        }
        Ok(Plan {
            origin: Origin::Sweep,
            name: self.name.clone(),
            seed,
            replications,
            axes: self.axes.iter().map(|a| a.path.clone()).collect(),
            points,
            models,
        })
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

/// The sweep's `base`: a file (resolved against the sweep file's folder, read by `read_base`)
/// or an inline table (written out as TOML); the file's path, if any, and the text.
fn base_file<E: From<InputError>>(
    r: &mut Reader,
    path: &Path,
    read_base: impl FnOnce(&Path) -> Result<String, E>,
) -> Result<(Option<PathBuf>, String), E> {
    Ok(match r.raw_value("base") {
        Some(toml::Value::String(p)) => {
            let resolved = path.parent().unwrap_or(Path::new("")).join(p);
            let text = read_base(&resolved)?;
            (Some(resolved), text)
        }
        Some(toml::Value::Table(t)) => (None, toml::to_string(t).unwrap_or_default()),
        Some(v) => {
            return Err(r
                .error(
                    "base",
                    format!(
                        "expected a file path or a [base] table, found {}",
                        describe(v)
                    ),
                )
                .into());
        }
        None => {
            // The commonest slip: a scenario file given to `sweep`.
            let hint = if r.raw_value("models").is_some() {
                format!(
                    "; {} looks like a scenario file: run it with `leadsim run {}`",
                    path.display(),
                    path.display()
                )
            } else {
                String::new()
            };
            return Err(r
                .missing("base", format!("is required: base = \"scenario.toml\" (relative to this file) or a [base] table{hint}"))
                .into());
        }
    })
}

/// The `[design]` table.
fn read_design(r: &mut Reader) -> Result<Design, InputError> {
    let mut d = r.table("design")?;
    let design = match d.choice(&DESIGN_KIND)? {
        "grid" => {
            if d.has("samples") {
                return Err(d.error(
                    "samples",
                    "a grid has no samples: its points are every combination of the axes' values",
                ));
            }
            Design::Grid
        }
        kind => {
            let samples = d.whole_opt(&SAMPLES)?.ok_or_else(|| {
                d.missing(
                    "samples",
                    format!("is required for a {kind} design: the number of points"),
                )
            })? as usize;
            if kind == "random" {
                Design::Random { samples }
            } else {
                Design::Lhs { samples }
            }
        }
    };
    d.finish()?;
    Ok(design)
}

/// The `[[axes]]` tables: at least one, no path twice.
fn read_axes(r: &mut Reader, source: &Source, design: Design) -> Result<Vec<Axis>, InputError> {
    let mut axes = Vec::new();
    let axis_tables = r.tables("axes")?;
    if axis_tables.is_empty() {
        return Err(source.error(
            "axes",
            "a sweep needs at least one [[axes]] table with path and values (or from/to)",
        ));
    }
    for mut a in axis_tables {
        let axis = read_axis(&mut a, design)?;
        if axes.iter().any(|x: &Axis| x.path == axis.path) {
            return Err(a.error("path", format!("\"{}\" is swept twice", axis.path)));
        }
        a.finish()?;
        axes.push(axis);
    }
    Ok(axes)
}

/// One `[[axes]]` table: its path and its values (a list, or a range for the `design`).
fn read_axis(a: &mut Reader, design: Design) -> Result<Axis, InputError> {
    let path = read_axis_path(a)?;
    let values = if a.has("values") {
        read_value_list(a)?
    } else {
        read_range(a, design)?
    };
    Ok(Axis { path, values })
}

/// An axis' `path`: a dotted path to a parameter that can be swept.
fn read_axis_path(a: &mut Reader) -> Result<String, InputError> {
    let path = a.text(&PATH)?.ok_or_else(|| {
        a.missing(
            "path",
            "is required: the dotted path of a scenario parameter, e.g. organization.members",
        )
    })?;
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(a.error(
            "path",
            format!("\"{path}\" is not a dotted path like organization.members"),
        ));
    }
    for fixed in ["seed", "replications", "name", "family"] {
        if path == fixed {
            return Err(a.error(
                "path",
                format!("{fixed} cannot be swept: set it at the top of the sweep file"),
            ));
        }
    }
    if path.ends_with(".name") && (path.starts_with("models.") || path.starts_with("events.")) {
        return Err(a.error("path", "model and event names cannot be swept"));
    }
    Ok(path)
}

/// An axis' `values` (given, so no range keys).
fn read_value_list(a: &mut Reader) -> Result<AxisValues, InputError> {
    for key in ["from", "to", "steps", "log", "integer"] {
        if a.has(key) {
            return Err(a.error(key, "give either values or a range (from/to), not both"));
        }
    }
    match a.raw_value("values") {
        Some(toml::Value::Array(items)) if !items.is_empty() => {
            if let Some(bad) = items
                .iter()
                .find(|v| matches!(v, toml::Value::Array(_) | toml::Value::Table(_)))
            {
                return Err(a.error(
                    "values",
                    format!(
                        "expected numbers, words or true/false, found {}",
                        describe(bad)
                    ),
                ));
            }
            Ok(AxisValues::List(items.clone()))
        }
        Some(toml::Value::Array(_)) => Err(a.error("values", "is empty: give at least one value")),
        Some(v) => Err(a.error(
            "values",
            format!("expected a list of values, found {}", describe(v)),
        )),
        None => unreachable!("checked by has"),
    }
}

/// An axis' range: `from`, `to` and, for a grid, `steps`; `log` and `integer`.
fn read_range(a: &mut Reader, design: Design) -> Result<AxisValues, InputError> {
    let from = a.real_opt(&FROM)?.ok_or_else(|| {
        a.missing_one_of(
            &["from", "values"],
            "is required: give values = [...] or a range from = a, to = b",
        )
    })?;
    let to = a
        .real_opt(&TO)?
        .ok_or_else(|| a.missing("to", "is required with from"))?;
    if to < from {
        return Err(a.error(
            "to",
            format!("{to} is below from = {from}: expected from <= to"),
        ));
    }
    let log = a.flag(&LOG)?;
    if log && from <= 0.0 {
        return Err(a.error(
            "from",
            format!("{from} is not positive: a log range needs from > 0"),
        ));
    }
    let integer = a.flag(&INTEGER)?;
    if integer && from.ceil() > to.floor() {
        return Err(a.error(
            "integer",
            format!(
                "the range from {from} to {to} holds no whole number: widen it or remove integer"
            ),
        ));
    }
    let steps = a.whole_opt(&STEPS)?.map(|s| s as usize);
    match (design, steps) {
        (Design::Grid, None) => {
            return Err(a.missing(
                "steps",
                "is required for a grid range: the number of values from from to to",
            ));
        }
        (Design::Random { .. } | Design::Lhs { .. }, Some(_)) => {
            return Err(a.error(
                "steps",
                "a random or Latin-hypercube design draws from the range: remove steps",
            ));
        }
        _ => {}
    }
    let values = AxisValues::Range {
        from,
        to,
        steps,
        log,
        integer,
    };
    if let (Design::Grid, true) = (design, integer) {
        let list = grid_values(&values);
        let mut seen = list.clone();
        seen.dedup();
        if seen.len() != list.len() {
            return Err(a.error(
                "steps",
                "rounding to whole numbers makes values repeat: use fewer steps",
            ));
        }
    }
    Ok(values)
}

/// The values of an axis in a grid.
fn grid_values(values: &AxisValues) -> Vec<toml::Value> {
    match values {
        AxisValues::List(v) => v.clone(),
        AxisValues::Range {
            from,
            to,
            steps,
            log,
            integer,
        } => {
            let n = steps.unwrap_or(1);
            (0..n)
                .map(|i| {
                    let u = if n == 1 {
                        0.0
                    } else {
                        i as f64 / (n - 1) as f64
                    };
                    number_value(interpolate(*from, *to, u, *log), *integer)
                })
                .collect()
        }
    }
}

/// The value at quantile `u` ∈ [0, 1) of an axis (a uniform choice for a list).
fn value_at(values: &AxisValues, u: f64) -> toml::Value {
    match values {
        AxisValues::List(v) => v[((u * v.len() as f64) as usize).min(v.len() - 1)].clone(),
        AxisValues::Range {
            from,
            to,
            log,
            integer,
            ..
        } => {
            if *integer {
                // Every whole number in [from, to] gets an equal share of [0, 1).
                let lo = from.ceil();
                let hi = to.floor().max(lo);
                let k = (u * (hi - lo + 1.0)).floor().min(hi - lo);
                toml::Value::Integer((lo + k) as i64)
            } else {
                number_value(interpolate(*from, *to, u, *log), false)
            }
        }
    }
}

fn interpolate(from: f64, to: f64, u: f64, log: bool) -> f64 {
    if log {
        (from.ln() + u * (to.ln() - from.ln())).exp()
    } else {
        from + u * (to - from)
    }
}

fn number_value(x: f64, integer: bool) -> toml::Value {
    if integer {
        toml::Value::Integer(x.round() as i64)
    } else {
        // Trim floating-point noise of the interpolation (0.30000000000000004 → 0.3).
        let rounded = format!("{x:.12}").parse::<f64>().unwrap_or(x);
        toml::Value::Float(rounded)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "steps = 20\nreplications = 2\n[organization]\nmembers = 10\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\nname = \"flat\"\n[[events]]\nkind = \"landscape_shock\"\nname = \"shock\"\nat = 10\n";

    fn sweep(text: &str) -> Result<Sweep, InputError> {
        Sweep::parse(text, Path::new("dir/s.toml"), |p: &Path| {
            assert_eq!(p, Path::new("dir/base.toml"));
            Ok::<String, InputError>(BASE.to_string())
        })
    }

    fn f(v: &toml::Value) -> f64 {
        v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap()
    }

    #[test]
    fn world_keys_compare_swept_values_by_value() {
        use toml::Value::{Float, Integer, String as Text};
        let k = KeyPart::of;
        assert_eq!(k(&Integer(2)), k(&Float(2.0)));
        assert_eq!(k(&Float(0.0)), k(&Float(-0.0)));
        assert_ne!(k(&Float(0.5)), k(&Float(0.25)));
        assert_ne!(k(&Integer(1)), k(&Text("1".into())));
        assert_ne!(k(&Float(1e300)), k(&Float(1.0000000000000002e300)));
    }

    #[test]
    fn grid_is_every_combination_first_axis_slowest() {
        let s = sweep("base = \"base.toml\"\n[[axes]]\npath = \"organization.members\"\nvalues = [10, 20]\n[[axes]]\npath = \"models.flat.review_capacity\"\nfrom = 1\nto = 2\nsteps = 3\n").unwrap();
        let pts = s.points();
        assert_eq!(pts.len(), 6);
        let got: Vec<(f64, f64)> = pts.iter().map(|p| (f(&p[0]), f(&p[1]))).collect();
        assert_eq!(
            got,
            vec![
                (10.0, 1.0),
                (10.0, 1.5),
                (10.0, 2.0),
                (20.0, 1.0),
                (20.0, 1.5),
                (20.0, 2.0)
            ]
        );
        let plan = s.plan(None, None).unwrap();
        assert_eq!(plan.runs(), 6 * 2 * 2);
        // Points that differ only in a model parameter share their world.
        let keys: Vec<u64> = plan.points.iter().map(|p| p.world_key).collect();
        assert_eq!(keys, vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(
            plan.points[4]
                .scenario
                .leadership()
                .unwrap()
                .organization
                .members,
            20
        );
    }

    #[test]
    fn latin_hypercube_puts_one_sample_in_each_stratum_of_every_axis() {
        let s = sweep("base = \"base.toml\"\nseed = 3\n[design]\nkind = \"lhs\"\nsamples = 10\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.0\nto = 1.0\n[[axes]]\npath = \"events.shock.fraction\"\nfrom = 0.2\nto = 0.7\n").unwrap();
        let pts = s.points();
        assert_eq!(pts.len(), 10);
        for (axis, (lo, hi)) in [(0.0, 1.0), (0.2, 0.7)].into_iter().enumerate() {
            let mut strata: Vec<usize> = pts
                .iter()
                .map(|p| (((f(&p[axis]) - lo) / (hi - lo)) * 10.0).floor() as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..10).collect::<Vec<_>>(), "axis {axis}");
        }
        assert_eq!(s.points(), pts, "the design is a function of the seed");
        s.plan(None, None).unwrap();
    }

    #[test]
    fn random_designs_stay_in_range_and_respect_integers() {
        let s = sweep("base = \"base.toml\"\n[design]\nkind = \"random\"\nsamples = 50\n[[axes]]\npath = \"organization.members\"\nfrom = 5\nto = 9\ninteger = true\n[[axes]]\npath = \"behaviour.noise\"\nvalues = [0.0, 0.1]\n").unwrap();
        let pts = s.points();
        assert!(
            pts.iter()
                .all(|p| matches!(p[0], toml::Value::Integer(5..=9)))
        );
        let seen: std::collections::BTreeSet<i64> =
            pts.iter().map(|p| p[0].as_integer().unwrap()).collect();
        assert_eq!(seen.len(), 5, "every whole number is drawn");
        assert!(
            pts.iter()
                .all(|p| p[1] == toml::Value::Float(0.0) || p[1] == toml::Value::Float(0.1))
        );
    }

    #[test]
    fn paths_reach_models_events_and_nested_tables() {
        let mut t: toml::Table = toml::from_str(BASE).unwrap();
        set_path(
            &mut t,
            "models.centralized.review_capacity",
            toml::Value::Integer(7),
        )
        .unwrap();
        set_path(
            &mut t,
            "models.flat.coordination",
            toml::Value::String("vote".into()),
        )
        .unwrap();
        set_path(&mut t, "events.shock.fraction", toml::Value::Float(0.9)).unwrap();
        set_path(
            &mut t,
            "organization.expertise.own.mean",
            toml::Value::Float(0.7),
        )
        .unwrap();
        let s =
            crate::scenario::Scenario::from_text(&toml::to_string(&t).unwrap(), "x.toml").unwrap();
        assert_eq!(
            s.models[0].config.describe()[0],
            ("review_capacity", "7".to_string())
        );
        assert!(
            set_path(
                &mut t,
                "models.nobody.review_capacity",
                toml::Value::Integer(1)
            )
            .unwrap_err()
            .contains("\"centralized\", \"flat\"")
        );
        assert!(set_path(&mut t, "steps.x", toml::Value::Integer(1)).is_err());
    }

    #[test]
    fn bad_sweeps_are_refused_before_running() {
        let e = |text: &str| match sweep(text).and_then(|s| s.plan(None, None)) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted: {text}"),
        };
        assert!(
            e("[[axes]]\npath = \"landscape.k\"\nvalues = [1]\n").contains("base: is required")
        );
        assert!(e("base = \"base.toml\"\n").contains("at least one [[axes]]"));
        assert!(
            e("base = \"base.toml\"\n[[axes]]\npath = \"organization.membres\"\nvalues = [5]\n")
                .contains("axes[0].path: the swept parameter organization.membres at point 0 (organization.membres = 5): unknown key")
        );
        assert!(
            e("base = \"base.toml\"\n[[axes]]\npath = \"landscape.k\"\nvalues = [99]\n")
                .contains("point 0 (landscape.k = 99)")
        );
        assert!(
            e("base = \"base.toml\"\n[[axes]]\npath = \"landscape.k\"\nfrom = 1\nto = 3\n")
                .contains("steps: is required")
        );
        assert!(e("base = \"base.toml\"\n[design]\nkind = \"lhs\"\n[[axes]]\npath = \"landscape.k\"\nfrom = 1\nto = 3\n").contains("samples"));
        assert!(
            e("base = \"base.toml\"\nseed = 1\n[[axes]]\npath = \"seed\"\nvalues = [1]\n")
                .contains("cannot be swept")
        );
        assert!(e("base = \"base.toml\"\nmax_runs = 10\n[[axes]]\npath = \"landscape.k\"\nvalues = [1, 2, 3]\n").contains("3 points × 2 models × 2 replicates = 12 runs"));
        assert!(
            e("base = \"base.toml\"\n[[axes]]\npath = \"models.ghost.review_capacity\"\nvalues = [1]\n")
                .contains("no [[models]] is named \"ghost\"")
        );
        // A bad value of a model's or an event's parameter is the sweep file's error at the
        // axis (the base names `models[1]`, the axis `models.flat`).
        let msg = e(
            "base = \"base.toml\"\n[[axes]]\npath = \"models.flat.review_capacity\"\nvalues = [2, -1]\n",
        );
        assert!(
            msg.contains(
                "s.toml:3: axes[0].path: the swept parameter models.flat.review_capacity at point 1"
            ),
            "{msg}"
        );
        let msg =
            e("base = \"base.toml\"\n[[axes]]\npath = \"events.shock.fraction\"\nvalues = [1.5]\n");
        assert!(
            msg.contains("axes[0].path: the swept parameter events.shock.fraction at point 0"),
            "{msg}"
        );
    }

    /// Issue 8: absurd sweeps are refused with the sweep file's line, and never overflow.
    #[test]
    fn hostile_sweeps_are_refused_with_lines() {
        let e = |text: &str| match sweep(text).and_then(|s| s.plan(None, None)) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted: {text}"),
        };
        let huge: String = ["adopted", "autonomy", "rejected", "expired", "overload", "relax", "leave_below"]
            .iter()
            .map(|k| format!("[[axes]]\npath = \"behaviour.engagement.{k}\"\nfrom = 0\nto = 0.5\nsteps = 1000000\n"))
            .collect();
        assert!(e(&format!("base = \"base.toml\"\n{huge}")).contains("more than 10^38 points"));
        let msg = e(
            "base = \"base.toml\"\n[design]\nkind = \"random\"\nsamples = 3\n[[axes]]\npath = \"organization.members\"\nfrom = 20.2\nto = 20.8\ninteger = true\n",
        );
        assert!(
            msg.contains("s.toml:9: axes[0].integer") && msg.contains("no whole number"),
            "{msg}"
        );
        let msg = e(
            "base = \"base.toml\"\n\n[[axes]]\npath = \"behaviour.radical\"\nvalues = [0.5, 1.5]\n",
        );
        assert!(
            msg.contains(
                "s.toml:4: axes[0].path: the swept parameter behaviour.radical at point 1"
            ),
            "{msg}"
        );
        let msg = e(
            "[base]\nsteps = 10\n[base.landscape]\nn = 8\nk = 9\n[[base.models]]\nkind = \"shared\"\n[[axes]]\npath = \"landscape.n\"\nvalues = [8]\n",
        );
        assert!(msg.contains("s.toml:5: landscape.k"), "{msg}");
        let msg = e(
            "base = \"base.toml\"\n[design]\nkind = \"lhs\"\nsampels = 4\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 1\n",
        );
        assert!(
            msg.contains("s.toml:4: design.sampels: unknown key (did you mean \"samples\"?)"),
            "{msg}"
        );
    }
}
