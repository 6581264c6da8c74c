//! Reading a sweep file: the declared keys (documented in `docs/FORMAT.md` from [`params`]),
//! the base scenario, the replications (a count or a precision rule), the design, the axes and
//! the `[analysis]` table. Every error names the file, the line and the key.

use super::design::grid_values;
use super::{AnalysisSpec, Axis, AxisValues, Design, PrecisionSpec, Scale};
use crate::analysis::Distribution;
use crate::analysis::morris::MorrisDesign;
use crate::analysis::saltelli::SaltelliDesign;
use crate::experiment::MAX_RUNS;
use crate::params::{DefaultValue as D, InputError, Kind, Param, Reader, Source, describe};
use std::path::{Path, PathBuf};

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
    meaning: "replicates per model at every point, or a table { target, metric, max, batch } to run replicates until a precision is reached",
};
pub(crate) const TARGET: Param = Param {
    key: "target",
    kind: Kind::Real {
        min: f64::MIN_POSITIVE,
        max: f64::MAX,
    },
    default: D::Required,
    meaning: "stop when the 95% confidence half-width of the metric's mean is below this at every point (and for every model it names)",
};
pub(crate) const METRIC: Param = Param {
    key: "metric",
    kind: Kind::Text,
    default: D::Required,
    meaning: "what must be precise: a summary column (every model), MODEL:column, or the paired difference MODEL-MODEL:column",
};
pub(crate) const PRECISION_MAX: Param = Param {
    key: "max",
    kind: Kind::Whole {
        min: 2,
        max: 1_000_000,
    },
    default: D::Required,
    meaning: "the most replicates per model and point (the runs are numbered and capped as if every point ran this many)",
};
pub(crate) const BATCH: Param = Param {
    key: "batch",
    kind: Kind::Whole {
        min: 2,
        max: 1_000_000,
    },
    default: D::Whole(10),
    meaning: "replicates added at a time; the rule is checked after each whole batch",
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
    kind: Kind::Choice(&["grid", "random", "lhs", "morris", "sobol"]),
    default: D::Word("grid"),
    meaning: "grid (every combination), random (independent draws), lhs (Latin hypercube), morris (elementary effects) or sobol (Saltelli's design for Sobol' indices)",
};
pub(crate) const SAMPLES: Param = Param {
    key: "samples",
    kind: Kind::Whole {
        min: 1,
        max: 10_000_000,
    },
    default: D::Derived("required for random, lhs and sobol"),
    meaning: "random, lhs: number of points; sobol: base sample size N (N(k+2) points for k axes, N(2k+2) with second_order; a power of two balances the Sobol' sequence best)",
};
pub(crate) const TRAJECTORIES: Param = Param {
    key: "trajectories",
    kind: Kind::Whole {
        min: 2,
        max: 1_000_000,
    },
    default: D::Derived("required for morris"),
    meaning: "morris: number of trajectories r (r(k+1) points for k axes)",
};
pub(crate) const LEVELS: Param = Param {
    key: "levels",
    kind: Kind::Whole { min: 2, max: 1_000 },
    default: D::Whole(4),
    meaning: "morris: grid levels p, even (each step moves an axis by p/(2(p-1)) of its range)",
};
pub(crate) const SECOND_ORDER: Param = Param {
    key: "second_order",
    kind: Kind::Flag,
    default: D::Flag(false),
    meaning: "sobol: also the points for second-order indices S2",
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
    meaning: "space a range geometrically (from and to must be positive): distribution = \"log_uniform\"",
};
pub(crate) const DISTRIBUTION: Param = Param {
    key: "distribution",
    kind: Kind::Choice(&["uniform", "log_uniform", "normal"]),
    default: D::Word("uniform"),
    meaning: "how a range is sampled: uniform; log_uniform (uniform in the logarithm, from > 0; a grid spaces it geometrically); normal with mean and sd, truncated to from..to (sampled designs only)",
};
pub(crate) const MEAN: Param = Param {
    key: "mean",
    kind: Kind::Real {
        min: f64::MIN,
        max: f64::MAX,
    },
    default: D::Derived("required for a normal distribution"),
    meaning: "normal: mean of the normal before truncation",
};
pub(crate) const SD: Param = Param {
    key: "sd",
    kind: Kind::Real {
        min: f64::MIN_POSITIVE,
        max: f64::MAX,
    },
    default: D::Derived("required for a normal distribution"),
    meaning: "normal: standard deviation before truncation",
};
pub(crate) const QUANTITIES: Param = Param {
    key: "quantities",
    kind: Kind::List("texts"),
    default: D::Derived("the headline measures of every model"),
    meaning: "what leadsim sensitivity analyses (morris, sobol): a summary column (every model), MODEL:column, or the paired difference MODEL-MODEL:column",
};
pub(crate) const RESAMPLES: Param = Param {
    key: "resamples",
    kind: Kind::Whole {
        min: 10,
        max: 100_000,
    },
    default: D::Whole(1000),
    meaning: "bootstrap resamples for the confidence intervals of the indices",
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
        ("replications", vec![TARGET, METRIC, PRECISION_MAX, BATCH]),
        (
            "design",
            vec![DESIGN_KIND, SAMPLES, TRAJECTORIES, LEVELS, SECOND_ORDER],
        ),
        (
            "axes",
            vec![
                PATH,
                VALUES,
                FROM,
                TO,
                STEPS,
                DISTRIBUTION,
                MEAN,
                SD,
                LOG,
                INTEGER,
            ],
        ),
        ("analysis", vec![QUANTITIES, RESAMPLES]),
    ]
}

/// Whether a parsed TOML file is a sweep rather than a scenario.
pub fn is_sweep(table: &toml::Table) -> bool {
    table.contains_key("base") || table.contains_key("axes") || table.contains_key("design")
}

/// The sweep's `base`: a file (resolved against the sweep file's folder, read by `read_base`)
/// or an inline table (written out as TOML); the file's path, if any, and the text.
pub(super) fn base_file<E: From<InputError>>(
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

/// The `[design]` table; each kind takes only its own keys.
pub(super) fn read_design(r: &mut Reader) -> Result<Design, InputError> {
    let mut d = r.table("design")?;
    let kind = d.choice(&DESIGN_KIND)?;
    let own: &[&str] = match kind {
        "grid" => &[],
        "random" | "lhs" => &["samples"],
        "morris" => &["trajectories", "levels"],
        _ => &["samples", "second_order"],
    };
    for key in ["samples", "trajectories", "levels", "second_order"] {
        if !own.contains(&key) && d.has(key) {
            let why = if kind == "grid" && key == "samples" {
                "a grid has no samples: its points are every combination of the axes' values"
                    .to_string()
            } else {
                format!(
                    "applies to {} designs, not to a {kind} design",
                    key_owner(key)
                )
            };
            return Err(d.error(key, why));
        }
    }
    let samples = |d: &mut Reader, what: &str| -> Result<usize, InputError> {
        Ok(d.whole_opt(&SAMPLES)?.ok_or_else(|| {
            d.missing(
                "samples",
                format!("is required for a {kind} design: {what}"),
            )
        })? as usize)
    };
    let design = match kind {
        "grid" => Design::Grid,
        "random" => Design::Random {
            samples: samples(&mut d, "the number of points")?,
        },
        "lhs" => Design::Lhs {
            samples: samples(&mut d, "the number of points")?,
        },
        "morris" => read_morris(&mut d)?,
        _ => {
            let samples = samples(&mut d, "the base sample size N")?;
            if samples < 2 {
                return Err(d.error(
                    "samples",
                    "a sobol design needs a base sample of at least 2 (the bootstrap resamples its rows)",
                ));
            }
            Design::Sobol {
                samples,
                second_order: d.flag(&SECOND_ORDER)?,
            }
        }
    };
    d.finish()?;
    Ok(design)
}

/// Which designs take `key`, in words.
fn key_owner(key: &str) -> &'static str {
    match key {
        "samples" => "random, lhs and sobol",
        "second_order" => "sobol",
        _ => "morris",
    }
}

/// A Morris design's `trajectories` and `levels` (even: SALib's Δ = p/(2(p−1)) moves a
/// coordinate by p/2 levels, which needs an even p).
fn read_morris(d: &mut Reader) -> Result<Design, InputError> {
    let trajectories = d.whole_opt(&TRAJECTORIES)?.ok_or_else(|| {
        d.missing(
            "trajectories",
            "is required for a morris design: the number of trajectories r (10 to 50 is usual)",
        )
    })? as usize;
    let levels = d.whole(&LEVELS)? as usize;
    if !levels.is_multiple_of(2) {
        return Err(d.error(
            "levels",
            format!("{levels} is odd: a morris design needs an even number of levels (4 is usual)"),
        ));
    }
    Ok(Design::Morris {
        trajectories,
        levels,
    })
}

/// The `[[axes]]` tables: at least one, no path twice, and as many as the design can take.
pub(super) fn read_axes(
    r: &mut Reader,
    source: &Source,
    design: Design,
) -> Result<Vec<Axis>, InputError> {
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
    let k = axes.len();
    let checked = match design {
        Design::Morris {
            trajectories,
            levels,
        } => MorrisDesign::new(k, trajectories, levels).map(|_| ()),
        Design::Sobol {
            samples,
            second_order,
        } => SaltelliDesign::new(k, samples, second_order).map(|_| ()),
        _ => Ok(()),
    };
    checked.map_err(|e| {
        source.error(
            "design",
            format!("a {} design of {k} axes: {e}", design.kind()),
        )
    })?;
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

/// An axis' `values` (given, so no range keys). Sampled designs give each value an equal
/// share of the unit interval; Morris maps its levels onto them.
fn read_value_list(a: &mut Reader) -> Result<AxisValues, InputError> {
    for key in [
        "from",
        "to",
        "steps",
        "log",
        "integer",
        "distribution",
        "mean",
        "sd",
    ] {
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
            // A value given twice would repeat its points, as a range rounded to whole numbers
            // would (refused in read_range): both are refused alike.
            for (i, v) in items.iter().enumerate() {
                if let Some(j) = items[..i].iter().position(|w| same_value(w, v)) {
                    return Err(a.error(
                        "values",
                        format!(
                            "{} is given twice (items {} and {}): give every value once, or its points would repeat",
                            describe(v),
                            j + 1,
                            i + 1
                        ),
                    ));
                }
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

/// Whether two listed values set the parameter alike (2 and 2.0 do).
fn same_value(a: &toml::Value, b: &toml::Value) -> bool {
    match (a, b) {
        (toml::Value::Integer(x), toml::Value::Float(y))
        | (toml::Value::Float(y), toml::Value::Integer(x)) => *x as f64 == *y,
        _ => a == b,
    }
}

/// An axis' range: `from`, `to`, its distribution and, for a grid, `steps`; `integer`.
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
    if design.has_indices() && to == from {
        return Err(a.error(
            "to",
            format!(
                "equals from = {from}: a {} design needs a range with from < to (a fixed value belongs in the base scenario)",
                design.kind()
            ),
        ));
    }
    let scale = read_scale(a, design, from, to)?;
    let integer = a.flag(&INTEGER)?;
    if integer && from.ceil() > to.floor() {
        return Err(a.error(
            "integer",
            format!(
                "the range from {from} to {to} holds no whole number: widen it or remove integer"
            ),
        ));
    }
    if integer && scale != Scale::Uniform && matches!(design, Design::Morris { .. }) {
        // Rounding would let some Morris steps leave the value unchanged, and the effect of a
        // step that changed nothing is not an elementary effect.
        return Err(a.error(
            "integer",
            "a morris design takes whole numbers only on a uniform range (its levels then fall on distinct whole numbers)",
        ));
    }
    let steps = read_steps(a, design)?;
    let values = AxisValues::Range {
        from,
        to,
        steps,
        scale,
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

/// A range's `steps`: required for a grid, refused by designs that draw from the range.
fn read_steps(a: &mut Reader, design: Design) -> Result<Option<usize>, InputError> {
    let steps = a.whole_opt(&STEPS)?.map(|s| s as usize);
    match (design, steps) {
        (Design::Grid, None) => Err(a.missing(
            "steps",
            "is required for a grid range: the number of values from from to to",
        )),
        (Design::Random { .. } | Design::Lhs { .. }, Some(_)) => Err(a.error(
            "steps",
            "a random or Latin-hypercube design draws from the range: remove steps",
        )),
        (Design::Morris { .. } | Design::Sobol { .. }, Some(_)) => Err(a.error(
            "steps",
            format!(
                "a {} design places its points itself: remove steps",
                design.kind()
            ),
        )),
        _ => Ok(steps),
    }
}

/// A range's distribution: `distribution` (or the older `log = true`), with `mean` and `sd`
/// for a normal one; checked as the analysis core will use it.
fn read_scale(a: &mut Reader, design: Design, from: f64, to: f64) -> Result<Scale, InputError> {
    let dist = a.choice(&DISTRIBUTION)?;
    let log = a.flag(&LOG)?;
    if dist != "normal" {
        for key in ["mean", "sd"] {
            if a.has(key) {
                return Err(a.error(
                    key,
                    format!("applies to distribution = \"normal\", not to a {dist} range"),
                ));
            }
        }
    }
    let scale = match (dist, log) {
        ("normal", true) => {
            return Err(a.error(
                "log",
                "log = true means distribution = \"log_uniform\": remove it from a normal range",
            ));
        }
        ("log_uniform", _) | (_, true) => {
            if from <= 0.0 {
                return Err(a.error(
                    "from",
                    format!("{from} is not positive: a log range needs from > 0"),
                ));
            }
            Scale::LogUniform
        }
        ("normal", false) => {
            if design == Design::Grid {
                return Err(a.error(
                    "distribution",
                    "a grid spaces a range evenly: a normal distribution needs a sampled design (random, lhs, morris or sobol)",
                ));
            }
            let mean = a
                .real_opt(&MEAN)?
                .ok_or_else(|| a.missing("mean", "is required for a normal distribution"))?;
            let sd = a
                .real_opt(&SD)?
                .ok_or_else(|| a.missing("sd", "is required for a normal distribution"))?;
            Scale::Normal { mean, sd }
        }
        _ => Scale::Uniform,
    };
    if let Scale::Normal { mean, sd } = scale
        && let Err(e) = (Distribution::Normal {
            mean,
            sd,
            lo: from,
            hi: to,
        })
        .validate()
    {
        return Err(a.error(
            "distribution",
            format!("a normal range from {from} to {to}: {e}"),
        ));
    }
    Ok(scale)
}

/// `replications`: a count, or a table `{ target, metric, max, batch }` for replications by
/// precision (whose metric is checked against the base scenario when the plan is made).
pub(super) fn read_replications(
    r: &mut Reader,
) -> Result<(Option<u32>, Option<PrecisionSpec>), InputError> {
    if !matches!(r.raw_value("replications"), Some(toml::Value::Table(_))) {
        return Ok((r.whole_opt(&REPLICATIONS)?.map(|x| x as u32), None));
    }
    let mut p = r.table("replications")?;
    let target = p.real(&TARGET)?;
    let metric = p.text(&METRIC)?.ok_or_else(|| {
        p.missing(
            "metric",
            "is required: the summary column whose mean must be precise, e.g. \"performance_mean\" or \"shared-centralized:performance_mean\"",
        )
    })?;
    let max = p.whole(&PRECISION_MAX)? as u32;
    let batch = p.whole(&BATCH)? as u32;
    if batch > max {
        return Err(p.error(
            "batch",
            format!("{batch} is more than max = {max}: a batch cannot exceed the most replicates"),
        ));
    }
    p.finish()?;
    Ok((
        None,
        Some(PrecisionSpec {
            target,
            metric,
            max,
            batch,
        }),
    ))
}

/// The `[analysis]` table, which only Morris and Sobol' designs take.
pub(super) fn read_analysis(r: &mut Reader, design: Design) -> Result<AnalysisSpec, InputError> {
    let given = r.has("analysis");
    let mut t = r.table("analysis")?;
    if given && !design.has_indices() {
        return Err(r.error(
            "analysis",
            format!(
                "a {} design has no sensitivity indices: [analysis] applies to morris and sobol designs (leadsim discover works on any sweep)",
                design.kind()
            ),
        ));
    }
    let quantities = match t.raw_value("quantities") {
        None => Vec::new(),
        Some(toml::Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| match v {
                toml::Value::String(s) => Ok(s.clone()),
                other => Err(t.error(
                    "quantities",
                    format!(
                        "expected texts such as \"performance_mean\", found {}",
                        describe(other)
                    ),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(toml::Value::Array(_)) => {
            return Err(t.error(
                "quantities",
                "is empty: name at least one, or leave it out for the headline measures",
            ));
        }
        Some(v) => {
            return Err(t.error(
                "quantities",
                format!("expected a list of texts, found {}", describe(v)),
            ));
        }
    };
    let resamples = t.whole(&RESAMPLES)? as usize;
    t.finish()?;
    Ok(AnalysisSpec {
        quantities,
        resamples,
    })
}
