//! `leadsim replicate`: compares the results of the reference scenario files — run by the normal
//! engine into a result folder — with the published figures, and checks the NK substrate against
//! Kauffman's known results.
//!
//! The comparison reads the result folder's tables (never the live model), so a replication can
//! be re-checked from old results, and a user who varies the scenario files in
//! `scenarios/reference/` sees how far the published figures depend on them.

use crate::landscape::NkSpec;
use crate::landscape::stats::{self as nk_stats, LandscapeSummary};
use crate::output::manifest::Manifest;
use crate::output::read::{self, ReadError};
use crate::reference::lazer_friedman::{self, Curve, Network};
use crate::reference::march1991::{self, FIG1_P1, FIG1_P2, Fig1Point};
use crate::reference::{Check, Figure, Replication, Series, mean_se};
use std::collections::BTreeMap;
use std::path::Path;

/// Why a plan cannot replicate March's Fig. 1, checked before anything runs: it must be a
/// `march1991` sweep over `models.<name>.p1` and `models.<name>.p2`.
pub fn march_fig1_shape(plan: &crate::experiment::Plan) -> Result<(), String> {
    let family = plan.points.first().map_or("", |p| p.scenario.family());
    if family != "march1991" {
        return Err(format!(
            "the file is a {family} scenario; March's Fig. 1 needs family = \"march1991\" (see {})",
            MARCH_FIG1.0
        ));
    }
    let axis = |suffix: &str| plan.axes.iter().position(|a| a.ends_with(suffix));
    let (Some(a1), Some(a2)) = (axis(".p1"), axis(".p2")) else {
        return Err(format!(
            "March's Fig. 1 needs a sweep over models.<name>.p1 and models.<name>.p2, not a single scenario: start from {}",
            MARCH_FIG1.0
        ));
    };
    // Every point of the published grid must be there, or the comparison cannot be read off.
    let value = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    for p2 in FIG1_P2 {
        for p1 in FIG1_P1 {
            let found = plan.points.iter().any(|pt| {
                let at = |a: usize, x: f64| {
                    pt.values
                        .get(a)
                        .and_then(value)
                        .is_some_and(|v| (v - x).abs() < 1e-9)
                };
                at(a1, p1) && at(a2, p2)
            });
            if !found {
                return Err(format!(
                    "March's Fig. 1 needs every point of p1 = 0.1, 0.2, …, 0.9 × p2 = 0.1, 0.5, 0.9; the sweep has no point p1 = {p1}, p2 = {p2}"
                ));
            }
        }
    }
    Ok(())
}

/// Why a plan cannot replicate Lazer & Friedman's Fig. 4, checked before anything runs: a
/// `lazer_friedman2007` scenario with a linear and a complete network over at least 100 rounds.
pub fn lf_fig4_shape(plan: &crate::experiment::Plan) -> Result<(), String> {
    let Some(study) = plan.points.first().map(|p| &p.scenario) else {
        return Err("the file holds no scenario".into());
    };
    if study.family() != "lazer_friedman2007" {
        return Err(format!(
            "the file is a {} scenario; Lazer & Friedman's Fig. 4 needs family = \"lazer_friedman2007\" (see {})",
            study.family(),
            LF_FIG4.0
        ));
    }
    let kinds: Vec<String> = study.model_info().into_iter().map(|m| m.kind).collect();
    for kind in ["linear", "complete"] {
        if !kinds.iter().any(|k| k == kind) {
            return Err(format!(
                "Fig. 4 compares a linear and a complete network: the scenario has no {kind} model"
            ));
        }
    }
    let rounds = fig4_rounds();
    if (study.steps() as usize) < rounds {
        return Err(format!(
            "Fig. 4 needs rounds 0 … {rounds}: the scenario has steps = {}",
            study.steps()
        ));
    }
    // Every round must be in timeseries.csv: [output] every must be 1.
    if study.work_per_run().rows < u64::from(study.steps()) + 1 {
        return Err(
            "Fig. 4 is read off every round: remove [output] every (or set it to 1)".into(),
        );
    }
    Ok(())
}

/// The bundled reference files, `(path, text)`, used when `scenarios/reference/` is not at hand.
///
/// March (1991) Fig. 1: a sweep over the two learning rates.
pub const MARCH_FIG1: (&str, &str) = (
    "scenarios/reference/march1991-fig1-sweep.toml",
    include_str!("../scenarios/reference/march1991-fig1-sweep.toml"),
);
/// Lazer & Friedman (2007) Fig. 4: the linear and the totally connected network.
pub const LF_FIG4: (&str, &str) = (
    "scenarios/reference/lazer-friedman-2007.toml",
    include_str!("../scenarios/reference/lazer-friedman-2007.toml"),
);

/// Why a result folder cannot be compared with a publication.
#[derive(Debug, thiserror::Error)]
pub enum ReplicateError {
    /// The result folder could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The result is not the experiment the figure needs (its axes, models or metrics).
    #[error("{0}")]
    Shape(String),
}

/// A metric's `(n, mean, sd, se)` at one point, from `stats.csv`.
type Described = (f64, f64, f64, f64);

/// March (1991) Fig. 1 from the results of a sweep over `models.<m>.p1` × `models.<m>.p2`.
pub fn march_fig1(dir: &Path, manifest: &Manifest) -> Result<Replication, ReplicateError> {
    let p1_axis = manifest.axes.iter().find(|a| a.ends_with(".p1"));
    let p2_axis = manifest.axes.iter().find(|a| a.ends_with(".p2"));
    let (Some(p1_axis), Some(p2_axis)) = (p1_axis, p2_axis) else {
        return Err(ReplicateError::Shape(
            "March's Fig. 1 needs a sweep over models.<name>.p1 and models.<name>.p2".into(),
        ));
    };
    let (_, stats) = read::stats(dir)?;
    let axis = |name: &String| manifest.axes.iter().position(|a| a == name);
    let (Some(a1), Some(a2)) = (axis(p1_axis), axis(p2_axis)) else {
        return Err(ReplicateError::Shape(
            "the manifest does not list the swept p1 and p2".into(),
        ));
    };
    let stats_file = dir.join(crate::output::STATS);
    let number = |cell: &str| -> Result<f64, ReplicateError> {
        cell.parse().map_err(|_| {
            ReplicateError::Read(ReadError::Malformed {
                path: stats_file.clone(),
                detail: format!("\"{cell}\" is not a number"),
            })
        })
    };
    let mut by_point: BTreeMap<(u64, u64), BTreeMap<String, Described>> = BTreeMap::new();
    for row in stats.iter().filter(|r| r.versus.is_none()) {
        let key = (
            number(&row.axis_values[a1])?.to_bits(),
            number(&row.axis_values[a2])?.to_bits(),
        );
        by_point
            .entry(key)
            .or_default()
            .insert(row.metric.clone(), (row.n as f64, row.mean, row.sd, row.se));
    }
    let mut points = Vec::new();
    let mut runs = 0usize;
    for &p2 in &FIG1_P2 {
        for &p1 in &FIG1_P1 {
            let found = by_point
                .iter()
                .find(|((a, b), _)| {
                    (f64::from_bits(*a) - p1).abs() < 1e-9 && (f64::from_bits(*b) - p2).abs() < 1e-9
                })
                .map(|(_, m)| m);
            let Some(m) = found else {
                return Err(ReplicateError::Shape(format!(
                    "the sweep has no point p1 = {p1}, p2 = {p2}: Fig. 1 needs p1 = 0.1 … 0.9 and p2 = 0.1, 0.5, 0.9"
                )));
            };
            let get = |k: &str| {
                m.get(k).copied().ok_or_else(|| {
                    ReplicateError::Read(ReadError::Malformed {
                        path: stats_file.clone(),
                        detail: format!("has no statistics of {k}"),
                    })
                })
            };
            let (n, mean, sd, se) = get("code_knowledge_final")?;
            let (_, periods, _, se_periods) = get("period_final")?;
            let (_, reached, _, _) = get("equilibrium_final")?;
            runs = n as usize;
            points.push(Fig1Point {
                p1,
                p2,
                mean,
                se,
                sd,
                mean_periods: periods,
                se_periods,
                censored: (n * (1.0 - reached)).round() as usize,
            });
        }
    }
    Ok(march1991::fig1_replication(&points, runs, manifest.seed))
}

/// Lazer & Friedman (2007) Fig. 4 from the results of a run comparing a `linear` and a
/// `complete` network.
pub fn lazer_friedman_fig4(dir: &Path, manifest: &Manifest) -> Result<Replication, ReplicateError> {
    let find = |kind: &str| {
        manifest
            .models
            .iter()
            .find(|m| m.kind == kind)
            .map(|m| m.name.clone())
            .ok_or_else(|| {
                ReplicateError::Shape(format!(
                    "Fig. 4 compares a linear and a complete network: the scenario has no {kind} model"
                ))
            })
    };
    let names = [find("linear")?, find("complete")?];
    // Every round of every run: `[name][round]` → values over runs.
    let mut score: Vec<BTreeMap<u32, Vec<f64>>> = vec![BTreeMap::new(); 2];
    let mut distinct: Vec<BTreeMap<u32, Vec<f64>>> = vec![BTreeMap::new(); 2];
    let (t, mut rows) = read::open(dir, crate::output::TIMESERIES)?;
    let (c_model, c_step, c_score, c_distinct) = (
        t.column("model")?,
        t.column("step")?,
        t.column("mean_score")?,
        t.column("distinct_solutions")?,
    );
    let mut record = csv::StringRecord::new();
    while t.next(&mut rows, &mut record)? {
        let model = record.get(c_model).unwrap_or("");
        let Some(k) = names.iter().position(|n| n == model) else {
            continue;
        };
        let step = u32::try_from(t.unsigned(&record, c_step)?)
            .map_err(|_| t.bad(&record, "the step is too large".into()))?;
        score[k]
            .entry(step)
            .or_default()
            .push(t.number(&record, c_score)?);
        distinct[k]
            .entry(step)
            .or_default()
            .push(t.number(&record, c_distinct)?);
    }
    let mut curves = Vec::new();
    for (k, (name, network)) in names
        .iter()
        .zip([Network::Linear, Network::Complete])
        .enumerate()
    {
        let (score, distinct) = (&score[k], &distinct[k]);
        let rounds = fig4_rounds();
        if score.len() < rounds + 1 {
            return Err(ReplicateError::Shape(format!(
                "Fig. 4 needs rounds 0 … {rounds} of every run: {name} has {} rounds in {}",
                score.len(),
                t.path.display()
            )));
        }
        let (mut ms, mut ss, mut md, mut sd) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (s, d) in score.values().zip(distinct.values()) {
            let (m, e) = mean_se(s);
            ms.push(m);
            ss.push(e);
            let (m, e) = mean_se(d);
            md.push(m);
            sd.push(e);
        }
        curves.push(Curve {
            network,
            mean_score: ms,
            se_score: ss,
            mean_distinct: md,
            se_distinct: sd,
        });
    }
    Ok(lazer_friedman::fig4_replication(
        &curves,
        manifest.replications as usize,
        manifest.seed,
    ))
}

/// The rounds after the start that Fig. 4 shows: those of the paper's baseline.
fn fig4_rounds() -> usize {
    lazer_friedman::Params::default().rounds
}

/// N of the smooth (K = 0) landscapes of `nk`.
const SMOOTH_N: usize = 16;
/// N of the rugged (K = N − 1) landscapes of `nk`, and of its curves against K.
const RUGGED_N: usize = 14;
/// Adaptive walks per landscape in `nk`.
const NK_WALKS: usize = 200;

/// Kauffman's known results for the NK substrate: K = 0 (one optimum of mean fitness 2/3, walks
/// of N/2 moves) and K = N − 1 (2^N/(N+1) local optima, whose mean fitness is the expected
/// maximum of N + 1 independent draws), on `samples` landscapes each.
pub fn nk(samples: usize, seed: u64) -> Result<Replication, nk_stats::StatsError> {
    let walks = NK_WALKS;
    let k0 = nk_stats::sample(&NkSpec::random(SMOOTH_N, 0), seed, samples, walks)?;
    let kmax = nk_stats::sample(
        &NkSpec::random(RUGGED_N, RUGGED_N - 1),
        seed,
        samples,
        walks,
    )?;
    let checks = nk_checks(&k0, &kmax, samples, walks);
    let figures = nk_figures(kmax, seed, samples, walks)?;
    Ok(Replication {
        name: "nk".into(),
        source: "Kauffman (1993), The Origins of Order, ch. 2; Kauffman & Levin (1987)".into(),
        samples,
        seed,
        checks,
        figures,
        notes: vec![format!(
            "{samples} landscapes per setting, {walks} adaptive walks each (random fitter neighbour)"
        )],
    })
}

/// Standard error of a mean of `n` values whose sd is `sd`.
fn se(sd: f64, n: usize) -> f64 {
    sd / (n as f64).sqrt()
}

/// Kauffman's results against the smooth (`k0`) and the rugged (`kmax`) landscapes.
fn nk_checks(
    k0: &LandscapeSummary,
    kmax: &LandscapeSummary,
    samples: usize,
    walks: usize,
) -> Vec<Check> {
    let n0 = SMOOTH_N as f64;
    let n1 = RUGGED_N as f64;
    vec![
        Check::new(
            format!("K = 0, N = {SMOOTH_N}: local optima (exactly one)"),
            1.0,
            0.0,
            None,
            k0.local_optima.mean,
            Some(se(k0.local_optima.sd, samples)),
        ),
        Check::new(
            format!("K = 0, N = {SMOOTH_N}: fitness of the optimum (2/3)"),
            2.0 / 3.0,
            0.0,
            Some((1.0 / (18.0 * n0 * samples as f64)).sqrt()),
            k0.global_max.mean,
            Some(se(k0.global_max.sd, samples)),
        ),
        Check::new(
            format!("K = 0, N = {SMOOTH_N}: adaptive-walk length (N/2)"),
            n0 / 2.0,
            0.0,
            Some((n0.sqrt() / 2.0) / ((samples * walks) as f64).sqrt()),
            k0.walk_length.mean,
            Some(se(k0.walk_length.sd, samples)),
        ),
        Check::new(
            format!("K = N - 1, N = {RUGGED_N}: local optima (2^N/(N+1))"),
            (1u64 << RUGGED_N) as f64 / (n1 + 1.0),
            0.0,
            None,
            kmax.local_optima.mean,
            Some(se(kmax.local_optima.sd, samples)),
        ),
        Check::new(
            format!("K = N - 1, N = {RUGGED_N}: optima's fitness (max of N+1 draws)"),
            nk_stats::uncorrelated_optimum_fitness(RUGGED_N),
            0.0,
            None,
            kmax.local_optimum_fitness.mean,
            Some(se(kmax.local_optimum_fitness.sd, samples)),
        ),
    ]
}

/// Ruggedness: local optima and walk lengths against K at N = RUGGED_N (`kmax`, K = N − 1, is
/// already sampled).
fn nk_figures(
    kmax: LandscapeSummary,
    seed: u64,
    samples: usize,
    walks: usize,
) -> Result<Vec<Figure>, nk_stats::StatsError> {
    let mut optima = Series {
        label: "local optima".into(),
        x: Vec::new(),
        mean: Vec::new(),
        se: Vec::new(),
    };
    let mut walk = Series {
        label: "adaptive-walk length".into(),
        ..optima.clone()
    };
    for k in 0..RUGGED_N {
        let s = if k == RUGGED_N - 1 {
            kmax.clone()
        } else {
            nk_stats::sample(&NkSpec::random(RUGGED_N, k), seed, samples, walks)?
        };
        optima.x.push(k as f64);
        optima.mean.push(s.local_optima.mean);
        optima.se.push(se(s.local_optima.sd, samples));
        walk.x.push(k as f64);
        walk.mean.push(s.walk_length.mean);
        walk.se.push(se(s.walk_length.sd, samples));
    }
    Ok(vec![
        Figure {
            name: "optima".into(),
            title: format!("NK landscapes (N = {RUGGED_N}): local optima against K"),
            x_label: "interactions per decision K".into(),
            y_label: "local optima per landscape".into(),
            series: vec![optima],
        },
        Figure {
            name: "walks".into(),
            title: format!("NK landscapes (N = {RUGGED_N}): adaptive-walk length against K"),
            x_label: "interactions per decision K".into(),
            y_label: "moves to a local optimum".into(),
            series: vec![walk],
        },
    ])
}

/// The comparison table as CSV (one row per check).
pub fn checks_csv(rep: &Replication) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record([
        "check",
        "published",
        "reading",
        "published_se",
        "ours",
        "se",
        "tolerance",
        "pass",
    ]);
    let num = crate::output::number;
    for c in &rep.checks {
        let _ = w.write_record([
            c.label.clone(),
            num(c.published),
            num(c.reading),
            c.published_se.map_or(String::new(), num),
            num(c.ours),
            c.se.map_or(String::new(), num),
            num(c.tolerance),
            c.pass.to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}
