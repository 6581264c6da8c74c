use super::*;
use crate::analysis::Distribution;
use crate::rng::{self, Purpose};
use proptest::prelude::*;

fn stream(seed: u64) -> SimRng {
    rng::stream(seed, Purpose::Design, &[0])
}

fn analyse(x: &[Vec<f64>], y: &[f64], levels: usize) -> MorrisIndices {
    indices(
        x,
        y,
        levels,
        100,
        &mut rng::stream(5, Purpose::Sampling, &[0]),
    )
    .unwrap()
}

/// Asserts values within `tol`.
fn check(what: &str, got: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(got.len(), expected.len(), "{what}");
    for (j, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!((g - e).abs() <= tol, "{what}[{j}] = {g}, expected {e}");
    }
}

fn mu_star(m: &MorrisIndices) -> Vec<f64> {
    m.mu_star.iter().map(|e| e.value).collect()
}

/// Three hand-written trajectories with increases and decreases; the expected values are SALib
/// 1.6's `morris.analyze(problem, X, Y, num_levels=4)` (and follow by hand: Δ = 2/3, e.g. the
/// effects of a are 1.5/Δ, −4.5/Δ, −2.5/Δ).
#[test]
fn hand_trajectories_equal_salib() {
    let t = 1.0 / 3.0;
    let x = vec![
        vec![0.0, t],
        vec![2.0 * t, t],
        vec![2.0 * t, 1.0],
        vec![1.0, 2.0 * t],
        vec![1.0, 0.0],
        vec![t, 0.0],
        vec![t, 1.0],
        vec![t, t],
        vec![1.0, t],
    ];
    let y = [1.0, 2.5, 2.0, 4.0, 3.0, 7.5, 0.5, 1.5, -1.0];
    let m = analyse(&x, &y, 4);
    check("mu", &m.mu, &[-2.75, -0.25], 1e-14);
    check("mu*", &mu_star(&m), &[4.25, 1.25], 1e-14);
    check(
        "sigma",
        &m.sigma,
        &[4.58257569495584, 1.5612494995995996],
        1e-14,
    );
    check("effects of a", &m.effects[0], &[2.25, -6.75, -3.75], 1e-14);
}

#[test]
fn trajectories_move_one_parameter_at_a_time() {
    let d = MorrisDesign::new(5, 30, 6).unwrap();
    let s = d.sample(&mut stream(1));
    assert_eq!(s.grid().len(), d.len());
    for traj in s.grid().chunks(6) {
        let mut moved = [0; 5];
        for step in traj.windows(2) {
            let changed: Vec<usize> = (0..5).filter(|&c| step[0][c] != step[1][c]).collect();
            assert_eq!(changed.len(), 1, "{traj:?}");
            let c = changed[0];
            assert_eq!(step[0][c].abs_diff(step[1][c]), 3, "Δ is p/2 = 3 levels");
            moved[c] += 1;
        }
        assert_eq!(moved, [1; 5]);
        assert!(traj.iter().flatten().all(|&l| l < 6));
    }
    let u = s.unit();
    assert!(
        u.iter()
            .flatten()
            .all(|v| [0.0, 0.2, 0.4, 0.6, 0.8, 1.0].contains(v))
    );
}

/// A linear function `Σ c_i x_i` over axes [lo_i, hi_i]: every elementary effect of x_i is
/// c_i (hi_i − lo_i) (an up-step of Δ in the unit interval is Δ (hi − lo) on the axis, and the
/// effect divides by Δ), so μ = c_i (hi_i − lo_i), μ* = |μ|, σ = 0.
#[test]
fn linear_function_has_known_effects() {
    let axes: Vec<Axis> = [(0.0, 1.0), (-2.0, 2.0), (10.0, 20.0)]
        .iter()
        .map(|&(lo, hi)| Distribution::Uniform { lo, hi }.validate().unwrap())
        .collect();
    let c = [3.0, -0.5, 0.0];
    let d = MorrisDesign::new(3, 20, 4).unwrap();
    let x = d.sample(&mut stream(2)).values(&axes).unwrap();
    let y: Vec<f64> = x
        .iter()
        .map(|p| p.iter().zip(&c).map(|(v, c)| v * c).sum())
        .collect();
    let m = analyse(&x, &y, 4);
    check("mu", &m.mu, &[3.0, -2.0, 0.0], 1e-12);
    check("mu*", &mu_star(&m), &[3.0, 2.0, 0.0], 1e-12);
    check("sigma", &m.sigma, &[0.0, 0.0, 0.0], 1e-12);
    assert!(m.mu_star.iter().all(|e| e.conf.abs() < 1e-12));
}

/// `y = x0 · x1 + x2` on the unit square: the effect of x0 is x1 (it depends on where x1 is),
/// so σ > 0 for the interacting pair and σ = 0 for the additive x2, whose μ* is 1.
#[test]
fn interaction_shows_in_sigma() {
    let d = MorrisDesign::new(3, 40, 4).unwrap();
    let x = d.sample(&mut stream(3)).unit();
    let y: Vec<f64> = x.iter().map(|p| p[0] * p[1] + p[2]).collect();
    let m = analyse(&x, &y, 4);
    assert!(m.sigma[0] > 0.2 && m.sigma[1] > 0.2, "{:?}", m.sigma);
    check("x2", &[m.mu_star[2].value, m.sigma[2]], &[1.0, 0.0], 1e-12);
    // E|effect of x0| = E[x1] over the levels reached, between 0 and 1.
    assert!(m.mu_star[0].value > 0.2 && m.mu_star[0].value < 0.8);
}

/// A discrete axis's values replace its unit coordinate in X without changing any effect,
/// because every Morris step moves the value in the same direction as the level.
#[test]
fn discrete_and_log_axes_keep_the_effects() {
    let axes = vec![
        Distribution::Discrete {
            values: vec![1.0, 2.0, 7.0],
        }
        .validate()
        .unwrap(),
        Distribution::LogUniform {
            lo: 0.01,
            hi: 100.0,
        }
        .validate()
        .unwrap(),
    ];
    let d = MorrisDesign::new(2, 25, 4).unwrap();
    let s = d.sample(&mut stream(4));
    let (unit, values) = (s.unit(), s.values(&axes).unwrap());
    let y: Vec<f64> = values.iter().map(|v| v[0] * v[1].ln()).collect();
    let a = analyse(&unit, &y, 4);
    let b = analyse(&values, &y, 4);
    assert_eq!(a.effects, b.effects);
    // ln v1 is never 0 on these levels, so every step of the discrete x0 shows an effect.
    assert!(a.effects[0].iter().all(|&e| e != 0.0));
}

#[test]
fn bad_inputs_are_refused() {
    assert!(MorrisDesign::new(0, 10, 4).is_err());
    assert!(MorrisDesign::new(2, 1, 4).is_err());
    assert!(MorrisDesign::new(2, 10, 5).is_err());
    assert!(MorrisDesign::new(2, 10, 0).is_err());
    let mut r = stream(9);
    let x = vec![vec![0.0, 0.0]; 6];
    assert!(indices(&x, &[0.0; 5], 4, 100, &mut r).is_err());
    assert!(indices(&x[..5], &[0.0; 5], 4, 100, &mut r).is_err());
    assert!(indices(&x, &[0.0; 6], 4, 1, &mut r).is_err());
    let ragged = vec![vec![0.0, 0.0], vec![0.0], vec![0.0, 0.0]];
    assert!(matches!(
        indices(&ragged, &[0.0; 3], 4, 100, &mut r),
        Err(Error::PointShape { row: 1, .. })
    ));
    assert!(indices(&x, &[f64::INFINITY; 6], 4, 100, &mut r).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any design: r (k + 1) points, each step one coordinate by p/2 levels, every parameter
    /// once per trajectory, the same stream gives the same sample.
    #[test]
    fn morris_samples_are_valid_trajectories(k in 1usize..8, r in 2usize..12, half in 1usize..5, seed in any::<u64>()) {
        let p = 2 * half;
        let d = MorrisDesign::new(k, r, p).unwrap();
        let s = d.sample(&mut stream(seed));
        prop_assert_eq!(&s, &d.sample(&mut stream(seed)));
        prop_assert_eq!(s.grid().len(), r * (k + 1));
        for traj in s.grid().chunks(k + 1) {
            let mut moved = vec![0; k];
            for step in traj.windows(2) {
                let changed: Vec<usize> = (0..k).filter(|&c| step[0][c] != step[1][c]).collect();
                prop_assert_eq!(changed.len(), 1);
                prop_assert_eq!(step[0][changed[0]].abs_diff(step[1][changed[0]]), half);
                moved[changed[0]] += 1;
            }
            prop_assert!(moved.iter().all(|&m| m == 1));
        }
        prop_assert!(s.unit().iter().flatten().all(|u| (0.0..=1.0).contains(u)));
    }
}
