//! Expanding a design into points: the values of every axis at every point, in point order, and
//! (for Morris and Sobol') the points' unit coordinates the sensitivity analysis reads.
//!
//! Grid, random and Latin-hypercube points are what they always were (the same values, bit for
//! bit). Morris and Sobol' points come from the analysis core in SALib's order and are mapped
//! through each axis's distribution exactly as SALib maps them (`crate::analysis::Axis`),
//! without the rounding to 12 decimals that grid and random values get, so a sweep's points
//! equal SALib's `sample` of the same problem. A list of values, or a range of whole numbers,
//! is a discrete axis: value `i` of `m` owns `[i/m, (i+1)/m)` of the unit interval, and Morris
//! level `l` of `p` selects value `⌊l·m/(p−1)⌋` (capped at `m − 1`), so every Morris step
//! changes the value.

use super::{AxisValues, Design, Scale, Sweep};
use crate::analysis::distribution::{discrete_index, discrete_index_at_level};
use crate::analysis::morris::MorrisDesign;
use crate::analysis::saltelli::SaltelliDesign;
use crate::analysis::{self, Distribution};
use crate::rng::{self, Purpose};

/// Stream identifier of the Morris trajectories under `Purpose::Design` (random designs use 0,
/// Latin hypercubes 1).
const MORRIS_STREAM: u64 = 2;

/// Where a Morris or Sobol' point puts an axis: a unit coordinate, or a grid level of `levels`.
#[derive(Debug, Clone, Copy)]
enum Place {
    Unit(f64),
    Level(usize, usize),
}

/// How an axis turns a place into a value.
enum Sampler<'a> {
    /// One of these values (a list, or the whole numbers of a range).
    Discrete(Discrete<'a>),
    /// A continuous distribution; `integer` rounds its values.
    Continuous { axis: analysis::Axis, integer: bool },
}

enum Discrete<'a> {
    List(&'a [toml::Value]),
    /// The whole numbers `first, first + 1, …`, `count` of them.
    Whole {
        first: i64,
        count: usize,
    },
}

impl Discrete<'_> {
    fn len(&self) -> usize {
        match self {
            Discrete::List(v) => v.len(),
            Discrete::Whole { count, .. } => *count,
        }
    }

    fn get(&self, i: usize) -> toml::Value {
        match self {
            Discrete::List(v) => v[i].clone(),
            Discrete::Whole { first, .. } => toml::Value::Integer(first + i as i64),
        }
    }
}

impl<'a> Sampler<'a> {
    fn of(values: &'a AxisValues) -> Sampler<'a> {
        match values {
            AxisValues::List(v) => Sampler::Discrete(Discrete::List(v)),
            AxisValues::Range {
                from,
                to,
                scale: Scale::Uniform,
                integer: true,
                ..
            } => {
                let (lo, hi) = whole_range(*from, *to);
                Sampler::Discrete(Discrete::Whole {
                    first: lo as i64,
                    count: (hi - lo) as usize + 1,
                })
            }
            AxisValues::Range {
                from,
                to,
                scale,
                integer,
                ..
            } => Sampler::Continuous {
                axis: distribution(*from, *to, *scale)
                    .validate()
                    .expect("the distribution was checked when the axis was read"),
                integer: *integer,
            },
        }
    }

    fn value(&self, place: Place) -> toml::Value {
        match self {
            Sampler::Discrete(d) => d.get(match place {
                Place::Unit(u) => discrete_index(u, d.len()),
                Place::Level(l, p) => discrete_index_at_level(l, p, d.len()),
            }),
            Sampler::Continuous { axis, integer } => {
                let x = match place {
                    Place::Unit(u) => axis.value(u),
                    Place::Level(l, p) => axis.value_at_level(l, p),
                };
                if *integer {
                    toml::Value::Integer(x.round() as i64)
                } else {
                    toml::Value::Float(x)
                }
            }
        }
    }
}

/// The whole numbers of `[from, to]`: their least and greatest (at least one, checked when the
/// axis was read).
fn whole_range(from: f64, to: f64) -> (f64, f64) {
    let lo = from.ceil();
    (lo, to.floor().max(lo))
}

/// The analysis core's distribution of a range.
pub(super) fn distribution(from: f64, to: f64, scale: Scale) -> Distribution {
    match scale {
        Scale::Uniform => Distribution::Uniform { lo: from, hi: to },
        Scale::LogUniform => Distribution::LogUniform { lo: from, hi: to },
        Scale::Normal { mean, sd } => Distribution::Normal {
            mean,
            sd,
            lo: from,
            hi: to,
        },
    }
}

impl Sweep {
    /// The values of every point, in point order.
    pub(crate) fn points(&self) -> Vec<Vec<toml::Value>> {
        let seed = self.seed.unwrap_or(0);
        match self.design {
            Design::Grid => self.grid(),
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
            Design::Lhs { samples } => self.latin_hypercube(seed, samples),
            Design::Morris { levels, .. } => {
                let samplers: Vec<Sampler> =
                    self.axes.iter().map(|a| Sampler::of(&a.values)).collect();
                self.morris_levels(seed)
                    .iter()
                    .map(|row| {
                        row.iter()
                            .zip(&samplers)
                            .map(|(&l, s)| s.value(Place::Level(l, levels)))
                            .collect()
                    })
                    .collect()
            }
            Design::Sobol { .. } => {
                let samplers: Vec<Sampler> =
                    self.axes.iter().map(|a| Sampler::of(&a.values)).collect();
                self.unit_points()
                    .unwrap_or_default()
                    .iter()
                    .map(|row| {
                        row.iter()
                            .zip(&samplers)
                            .map(|(&u, s)| s.value(Place::Unit(u)))
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// The points of a Morris or Sobol' design in the unit hypercube, in point order (for
    /// Morris, level / (levels − 1)): what the sensitivity analysis reads. `None` for other
    /// designs. The sweep's seed must be set (as in a plan) for Morris.
    pub fn unit_points(&self) -> Option<Vec<Vec<f64>>> {
        let k = self.axes.len();
        match self.design {
            Design::Sobol {
                samples,
                second_order,
            } => Some(
                SaltelliDesign::new(k, samples, second_order)
                    .expect("the design was checked when the sweep was read")
                    .points(),
            ),
            Design::Morris { levels, .. } => {
                let top = (levels - 1) as f64;
                Some(
                    self.morris_levels(self.seed.unwrap_or(0))
                        .iter()
                        .map(|row| row.iter().map(|&l| l as f64 / top).collect())
                        .collect(),
                )
            }
            _ => None,
        }
    }

    /// The Morris trajectories as grid levels, drawn from the sweep's seed.
    fn morris_levels(&self, seed: u64) -> Vec<Vec<usize>> {
        let Design::Morris {
            trajectories,
            levels,
        } = self.design
        else {
            return Vec::new();
        };
        let design = MorrisDesign::new(self.axes.len(), trajectories, levels)
            .expect("the design was checked when the sweep was read");
        let mut r = rng::stream(seed, Purpose::Design, &[MORRIS_STREAM]);
        design.sample(&mut r).grid().to_vec()
    }

    /// Calls `visit` with the values of every point, in point order, stopping at its first
    /// error. A grid's points are made one at a time (from the point's number, the last axis
    /// fastest), so a large grid is never held in memory; a sampled design's points are drawn
    /// together, as the design needs them.
    pub(crate) fn each_point<E>(
        &self,
        mut visit: impl FnMut(usize, Vec<toml::Value>) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.design != Design::Grid {
            for (i, vals) in self.points().into_iter().enumerate() {
                visit(i, vals)?;
            }
            return Ok(());
        }
        let lists: Vec<Vec<toml::Value>> =
            self.axes.iter().map(|a| grid_values(&a.values)).collect();
        if lists.iter().any(Vec::is_empty) {
            return Ok(());
        }
        let count: usize = lists.iter().map(Vec::len).product();
        let mut digits = vec![0usize; lists.len()];
        for i in 0..count {
            visit(
                i,
                lists
                    .iter()
                    .zip(&digits)
                    .map(|(l, &d)| l[d].clone())
                    .collect(),
            )?;
            // The next combination: the last axis fastest.
            for (d, list) in digits.iter_mut().zip(&lists).rev() {
                *d += 1;
                if *d < list.len() {
                    break;
                }
                *d = 0;
            }
        }
        Ok(())
    }

    /// Every combination of the axes' values, the first axis slowest.
    fn grid(&self) -> Vec<Vec<toml::Value>> {
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

    /// One point in each of `samples` strata of every axis, strata permuted per axis.
    fn latin_hypercube(&self, seed: u64, samples: usize) -> Vec<Vec<toml::Value>> {
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

    /// Number of points the design gives, computed without expanding it (saturating at
    /// `u128::MAX` for absurd grids).
    pub fn point_count(&self) -> u128 {
        let k = self.axes.len() as u128;
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
            Design::Morris { trajectories, .. } => trajectories as u128 * (k + 1),
            Design::Sobol {
                samples,
                second_order,
            } => samples as u128 * if second_order { 2 * k + 2 } else { k + 2 },
        }
    }
}

/// The values of an axis in a grid.
pub(super) fn grid_values(values: &AxisValues) -> Vec<toml::Value> {
    match values {
        AxisValues::List(v) => v.clone(),
        AxisValues::Range {
            from,
            to,
            steps,
            scale,
            integer,
        } => {
            let n = steps.unwrap_or(1);
            let log = *scale == Scale::LogUniform;
            (0..n)
                .map(|i| {
                    let u = if n == 1 {
                        0.0
                    } else {
                        i as f64 / (n - 1) as f64
                    };
                    number_value(interpolate(*from, *to, u, log), *integer)
                })
                .collect()
        }
    }
}

/// The value at quantile `u` ∈ [0, 1) of an axis for a random or Latin-hypercube design (a
/// uniform choice for a list).
fn value_at(values: &AxisValues, u: f64) -> toml::Value {
    match values {
        AxisValues::List(v) => v[discrete_index(u, v.len())].clone(),
        AxisValues::Range {
            from,
            to,
            scale,
            integer,
            ..
        } => match scale {
            // Every whole number in [from, to] gets an equal share of [0, 1) (whatever the
            // scale: whole numbers were drawn so before distributions existed).
            _ if *integer && !matches!(scale, Scale::Normal { .. }) => {
                let (lo, hi) = whole_range(*from, *to);
                let k = (u * (hi - lo + 1.0)).floor().min(hi - lo);
                toml::Value::Integer((lo + k) as i64)
            }
            Scale::Normal { .. } => {
                let axis = distribution(*from, *to, *scale)
                    .validate()
                    .expect("the distribution was checked when the axis was read");
                number_value(axis.value(u), *integer)
            }
            _ => number_value(
                interpolate(*from, *to, u, *scale == Scale::LogUniform),
                false,
            ),
        },
    }
}

fn interpolate(from: f64, to: f64, u: f64, log: bool) -> f64 {
    // The ends are the ends: exp(ln(to)) may miss `to` by an ulp, which would put a grid's
    // last value outside its own range (1000000.0000000013 for to = 1000000).
    if u == 0.0 {
        return from;
    }
    if u == 1.0 {
        return to;
    }
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

/// One swept axis as a person (the report, `check`) or SALib's problem (`problem.json`) reads
/// it: its path, its distribution and its range or values.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisSummary {
    /// Dotted path of the parameter.
    pub path: String,
    /// `uniform`, `log_uniform`, `normal` or `values` (a list; also a sampled range of whole
    /// numbers, whose whole numbers are its values).
    pub distribution: &'static str,
    /// The range's ends (for a normal range, its truncation bounds); NaN for a list.
    pub from: f64,
    /// See `from`.
    pub to: f64,
    /// A normal range's mean and sd.
    pub normal: Option<(f64, f64)>,
    /// The values of a list (or of a sampled range of whole numbers), as cells.
    pub values: Vec<String>,
    /// A grid range's number of values.
    pub steps: Option<usize>,
    /// Whether a range's values are rounded to whole numbers.
    pub integer: bool,
}

impl AxisSummary {
    /// The axis in words: "uniform on [0.5, 4]", "values 10, 20, 40", "normal (mean 2, sd 1)
    /// truncated to [0, 4]", "5 evenly spaced values from 1 to 3"…
    pub fn describe(&self) -> String {
        let n = crate::params::number;
        let whole = if self.integer { ", whole numbers" } else { "" };
        if let Some(steps) = self.steps {
            let spacing = if self.distribution == "log_uniform" {
                "geometrically"
            } else {
                "evenly"
            };
            return format!(
                "{steps} {spacing} spaced values from {} to {}{whole}",
                n(self.from),
                n(self.to)
            );
        }
        match (self.distribution, self.normal) {
            ("values", _) => {
                let mut shown: Vec<&str> =
                    self.values.iter().take(12).map(String::as_str).collect();
                let more = if self.values.len() > 12 {
                    shown.push("…");
                    format!(" ({} values)", self.values.len())
                } else {
                    String::new()
                };
                format!("values {}{more}", shown.join(", "))
            }
            ("normal", Some((mean, sd))) => format!(
                "normal (mean {}, sd {}) truncated to [{}, {}]{whole}",
                n(mean),
                n(sd),
                n(self.from),
                n(self.to)
            ),
            (dist, _) => format!(
                "{} on [{}, {}]{whole}",
                dist.replace('_', "-"),
                n(self.from),
                n(self.to)
            ),
        }
    }
}

impl Sweep {
    /// The axes as [`AxisSummary`]s, in axis order.
    pub fn axis_summaries(&self) -> Vec<AxisSummary> {
        self.axes
            .iter()
            .map(|a| {
                let mut s = AxisSummary {
                    path: a.path.clone(),
                    distribution: "values",
                    from: f64::NAN,
                    to: f64::NAN,
                    normal: None,
                    values: Vec::new(),
                    steps: None,
                    integer: false,
                };
                match &a.values {
                    AxisValues::List(v) => s.values = v.iter().map(crate::output::cell).collect(),
                    AxisValues::Range {
                        from,
                        to,
                        steps,
                        scale,
                        integer,
                    } => {
                        (s.from, s.to, s.steps, s.integer) = (*from, *to, *steps, *integer);
                        s.distribution = match scale {
                            Scale::Uniform => "uniform",
                            Scale::LogUniform => "log_uniform",
                            Scale::Normal { mean, sd } => {
                                s.normal = Some((*mean, *sd));
                                "normal"
                            }
                        };
                        // Sampled whole numbers are a discrete axis (each an equal share).
                        if *integer && *scale == Scale::Uniform && steps.is_none() {
                            let (lo, hi) = whole_range(*from, *to);
                            if hi - lo < 1000.0 {
                                s.values = (lo as i64..=hi as i64).map(|i| i.to_string()).collect();
                            }
                        }
                    }
                }
                s
            })
            .collect()
    }
}
