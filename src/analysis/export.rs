//! Writes our samples, outputs and estimates for `.ci/analysis/check.py`, which recomputes them
//! with SciPy, SALib 1.6 and EMA Workbench and compares. Test code only: the library does no
//! I/O. Does nothing unless `LEADSIM_ANALYSIS_EXPORT` names a folder; then it writes
//! `analysis.json` there:
//!
//! ```sh
//! LEADSIM_ANALYSIS_EXPORT=/tmp/x cargo test --release --lib analysis::export
//! ```

use super::morris::{self, MorrisDesign};
use super::prim::{self, Objective, PrimOptions, Trajectory};
use super::saltelli::{self, SaltelliDesign};
use super::sobol_seq::sobol_points;
use super::{Axis, Distribution, Estimate, SimRng, precision};
use crate::rng::{self, Purpose};
use serde_json::{Value, json};
use std::f64::consts::PI;

fn stream(id: u64) -> SimRng {
    rng::stream(2026, Purpose::Sampling, &[id])
}

fn values(e: &[Estimate]) -> Value {
    json!(e.iter().map(|e| e.value).collect::<Vec<_>>())
}

fn confs(e: &[Estimate]) -> Value {
    json!(e.iter().map(|e| e.conf).collect::<Vec<_>>())
}

/// SALib's name and bounds for a distribution (`truncnorm` bounds are [lo, hi, mean, sd]).
fn salib_dist(d: &Distribution) -> (&'static str, Vec<f64>) {
    match d {
        Distribution::Uniform { lo, hi } => ("unif", vec![*lo, *hi]),
        Distribution::LogUniform { lo, hi } => ("logunif", vec![*lo, *hi]),
        Distribution::Normal { mean, sd, lo, hi } => ("truncnorm", vec![*lo, *hi, *mean, *sd]),
        Distribution::Discrete { .. } => ("discrete", vec![]),
    }
}

/// One Sobol'-index case: the design, axis values, outputs and our estimates.
fn sobol_case(
    name: &str,
    design: SaltelliDesign,
    axes: &[Axis],
    f: &dyn Fn(&[f64], usize) -> f64,
) -> Value {
    let unit = design.points();
    let mapped: Vec<Vec<f64>> = unit
        .iter()
        .map(|u| u.iter().zip(axes).map(|(u, a)| a.value(*u)).collect())
        .collect();
    let y: Vec<f64> = mapped.iter().enumerate().map(|(i, x)| f(x, i)).collect();
    let si = saltelli::indices(&design, &y, 100, &mut stream(1)).unwrap();
    let s2 = si.s2.as_ref().map(|m| {
        m.iter()
            .map(|row| row.iter().map(|e| e.value).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    });
    let dists: Vec<_> = axes.iter().map(|a| salib_dist(a.distribution())).collect();
    json!({
        "name": name, "params": design.params(), "base": design.base(),
        "second_order": design.second_order(), "skip": design.skip(),
        "dists": dists.iter().map(|d| d.0).collect::<Vec<_>>(),
        "bounds": dists.iter().map(|d| d.1.clone()).collect::<Vec<_>>(),
        "unit": unit, "x": mapped, "y": y,
        "S1": values(&si.s1), "ST": values(&si.st), "S2": s2,
        "S1_conf": confs(&si.s1), "ST_conf": confs(&si.st),
    })
}

fn ishigami(x: &[f64], _: usize) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn uniform(lo: f64, hi: f64) -> Axis {
    Distribution::Uniform { lo, hi }.validate().unwrap()
}

fn sobol_cases() -> Vec<Value> {
    let pi = vec![uniform(-PI, PI); 3];
    let unit = |k: usize| vec![uniform(0.0, 1.0); k];
    let g_a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
    let g = move |x: &[f64], _: usize| {
        x.iter()
            .zip(&g_a)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product::<f64>()
    };
    let mixed = vec![
        uniform(0.0, 10.0),
        Distribution::LogUniform {
            lo: 0.01,
            hi: 100.0,
        }
        .validate()
        .unwrap(),
        Distribution::Normal {
            mean: 5.0,
            sd: 2.0,
            lo: 1.0,
            hi: 12.0,
        }
        .validate()
        .unwrap(),
        Distribution::Normal {
            mean: 0.0,
            sd: 1.0,
            lo: 0.5,
            hi: 3.0,
        }
        .validate()
        .unwrap(),
    ];
    // Replicate noise: a fixed pseudo-random term per point, as a simulation's mean would carry.
    let noise: Vec<f64> = {
        let mut r = stream(2);
        (0..4096).map(|_| rng::normal(&mut r)).collect()
    };
    let noisy = move |x: &[f64], i: usize| {
        x[0] * x[1].ln() + (x[2] - 5.0).powi(2) * x[3] + 0.5 * noise[i % noise.len()]
    };
    vec![
        sobol_case(
            "ishigami",
            SaltelliDesign::new(3, 1024, true).unwrap(),
            &pi,
            &ishigami,
        ),
        sobol_case(
            "g_function",
            SaltelliDesign::new(6, 512, false).unwrap(),
            &unit(6),
            &g,
        ),
        sobol_case(
            "mixed_noisy",
            SaltelliDesign::new(4, 256, true).unwrap(),
            &mixed,
            &noisy,
        ),
        sobol_case(
            "constant",
            SaltelliDesign::new(2, 16, true).unwrap(),
            &unit(2),
            &|_, _| 4.0,
        ),
        sobol_case(
            "skip_zero",
            SaltelliDesign::new(2, 64, false).unwrap().with_skip(0),
            &unit(2),
            &|x, _| x[0] * x[1] + x[0],
        ),
        sobol_case(
            "coarse",
            SaltelliDesign::new(3, 128, true).unwrap(),
            &pi,
            &|x, i| (ishigami(x, i) * 2.0).round() / 2.0,
        ),
    ]
}

fn morris_case(
    name: &str,
    design: MorrisDesign,
    axes: &[Axis],
    f: &dyn Fn(&[f64], usize) -> f64,
) -> Value {
    let sample = design.sample(&mut rng::stream(
        2026,
        Purpose::Design,
        &[design.params() as u64],
    ));
    let (unit, x) = (sample.unit(), sample.values(axes).unwrap());
    let y: Vec<f64> = x.iter().enumerate().map(|(i, p)| f(p, i)).collect();
    let on_values = morris::indices(&x, &y, design.levels(), 100, &mut stream(3)).unwrap();
    let on_unit = morris::indices(&unit, &y, design.levels(), 100, &mut stream(3)).unwrap();
    assert_eq!(on_values.effects, on_unit.effects, "{name}");
    json!({
        "name": name, "params": design.params(), "levels": design.levels(),
        "unit": unit, "x": x, "y": y,
        "mu": on_values.mu, "mu_star": values(&on_values.mu_star), "sigma": on_values.sigma,
        "mu_star_conf": confs(&on_values.mu_star),
    })
}

fn morris_cases() -> Vec<Value> {
    let mixed = vec![
        Distribution::Discrete {
            values: vec![2.0, 3.0, 5.0, 8.0, 13.0],
        }
        .validate()
        .unwrap(),
        Distribution::LogUniform { lo: 0.1, hi: 10.0 }
            .validate()
            .unwrap(),
        Distribution::Normal {
            mean: 0.0,
            sd: 1.0,
            lo: -2.0,
            hi: 2.0,
        }
        .validate()
        .unwrap(),
    ];
    let noise: Vec<f64> = {
        let mut r = stream(4);
        (0..1000).map(|_| rng::normal(&mut r)).collect()
    };
    vec![
        morris_case(
            "interactions",
            MorrisDesign::new(4, 30, 4).unwrap(),
            &vec![uniform(0.0, 1.0); 4],
            &|x, _| x[0] * x[1] + (3.0 * x[2]).sin() + 0.1 * x[3],
        ),
        morris_case(
            "ishigami",
            MorrisDesign::new(3, 50, 6).unwrap(),
            &vec![uniform(-PI, PI); 3],
            &ishigami,
        ),
        morris_case(
            "mixed_noisy",
            MorrisDesign::new(3, 20, 6).unwrap(),
            &mixed,
            &move |x, i| x[0] * x[1] + x[2].powi(3) + 0.3 * noise[i],
        ),
    ]
}

fn trajectory(t: &Trajectory) -> Value {
    json!(
        t.boxes
            .iter()
            .map(|b| json!({
                "n": b.points, "k": b.cases, "coverage": b.coverage, "density": b.density,
                "mass": b.mass, "res_dim": b.restricted, "lower": b.lower, "upper": b.upper,
            }))
            .collect::<Vec<_>>()
    )
}

fn prim_case(name: &str, x: Vec<Vec<f64>>, y: Vec<bool>, opts: PrimOptions) -> Value {
    let t = prim::prim(&x, &y, &opts).unwrap();
    let objective = match opts.objective {
        Objective::Lenient1 => "lenient1",
        Objective::Lenient2 => "lenient2",
        Objective::Original => "original",
    };
    json!({
        "name": name, "x": x, "y": y, "objective": objective, "peel_alpha": opts.peel_alpha,
        "paste_alpha": opts.paste_alpha, "mass_min": opts.mass_min, "trajectory": trajectory(&t),
    })
}

/// Random points (uniform, or on `levels` grid levels when given) with a noisy box as the
/// cases of interest.
fn prim_data(n: usize, k: usize, levels: Option<u32>, id: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
    let mut r = stream(id);
    let x: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            (0..k)
                .map(|_| match levels {
                    Some(p) => rng::below(&mut r, p as usize) as f64 / (p - 1) as f64,
                    None => rng::unit(&mut r),
                })
                .collect()
        })
        .collect();
    let y = x
        .iter()
        .map(|p| (p[0] > 0.5 && p[1] < 0.6) != rng::chance(&mut r, 0.1))
        .collect();
    (x, y)
}

fn prim_cases() -> Vec<Value> {
    let d = PrimOptions::default();
    let sobol = {
        let x = sobol_points(3, 0, 200).unwrap();
        let y = x
            .iter()
            .enumerate()
            .map(|(i, p)| (p[0] > 0.6 && p[1] < 0.5) != (i % 7 == 0))
            .collect();
        (x, y)
    };
    let (ux, uy) = prim_data(1000, 4, None, 10);
    let (lx, ly) = prim_data(600, 3, Some(6), 11);
    let with = |objective| PrimOptions { objective, ..d };
    vec![
        prim_case("sobol", sobol.0, sobol.1, d),
        prim_case("uniform_lenient1", ux.clone(), uy.clone(), d),
        prim_case(
            "uniform_lenient2",
            ux.clone(),
            uy.clone(),
            with(Objective::Lenient2),
        ),
        prim_case(
            "uniform_original",
            ux.clone(),
            uy.clone(),
            with(Objective::Original),
        ),
        prim_case(
            "uniform_alphas",
            ux,
            uy,
            PrimOptions {
                peel_alpha: 0.1,
                paste_alpha: 0.02,
                mass_min: 0.1,
                ..d
            },
        ),
        prim_case("levels_ties", lx, ly, d),
    ]
}

fn precision_cases() -> Vec<Value> {
    let mut r = stream(20);
    [2usize, 3, 10, 57]
        .iter()
        .map(|&n| {
            let v: Vec<f64> = (0..n).map(|_| 5.0 + rng::normal(&mut r)).collect();
            json!({ "values": v, "half_width": precision::half_width(&v) })
        })
        .collect()
}

#[test]
fn export_for_the_python_check() {
    let Some(dir) = std::env::var_os("LEADSIM_ANALYSIS_EXPORT") else {
        return;
    };
    let out = json!({
        "sobol_sequence": [
            { "dims": 64, "skip": 0, "points": sobol_points(64, 0, 1024).unwrap() },
            { "dims": 5, "skip": 1000, "points": sobol_points(5, 1000, 37).unwrap() },
        ],
        "saltelli": sobol_cases(),
        "morris": morris_cases(),
        "prim": prim_cases(),
        "precision": precision_cases(),
    });
    let path = std::path::Path::new(&dir).join("analysis.json");
    std::fs::write(&path, serde_json::to_vec(&out).unwrap()).unwrap();
}
