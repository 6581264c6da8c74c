use super::*;
use crate::rng::{self, Purpose};
use proptest::prelude::*;
use std::f64::consts::PI;

fn stream() -> SimRng {
    rng::stream(17, Purpose::Sampling, &[0])
}

/// Runs a design through `f` (on unit coordinates) and returns its indices.
fn analyse(design: &SaltelliDesign, f: impl Fn(&[f64]) -> f64) -> SobolIndices {
    let y: Vec<f64> = design.points().iter().map(|x| f(x)).collect();
    indices(design, &y, 100, &mut stream()).unwrap()
}

/// Asserts each estimate is within `tol` of the expected value.
fn check(what: &str, got: &[Estimate], expected: &[f64], tol: f64) {
    for (j, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!(
            (g.value - e).abs() <= tol,
            "{what}[{j}] = {} ± {}, expected {e} (tolerance {tol})",
            g.value,
            g.conf
        );
    }
}

#[test]
fn rows_follow_salib_order() {
    // SALib 1.6: sobol.sample({'num_vars': 2, …}, 8, calc_second_order=True, scramble=False,
    // skip_values=8)[:6] — A, AB_1, AB_2, BA_1, BA_2, B of the first base row.
    let d = SaltelliDesign::new(2, 8, true).unwrap();
    assert_eq!(d.skip(), 8);
    let p = d.points();
    assert_eq!(p.len(), 8 * 6);
    let expected = [
        [0.1875, 0.3125],
        [0.9375, 0.3125],
        [0.1875, 0.4375],
        [0.1875, 0.4375],
        [0.9375, 0.3125],
        [0.9375, 0.4375],
    ];
    for (i, e) in expected.iter().enumerate() {
        assert_eq!(p[i], e, "row {i}");
    }
    // Without skipping, the first two base rows are the degenerate points 0 and (½, ½).
    let p0 = d.with_skip(0).points();
    assert!(p0[..6].iter().all(|r| r == &[0.0, 0.0]));
    assert!(p0[6..12].iter().all(|r| r == &[0.5, 0.5]));
    assert_eq!(SaltelliDesign::new(3, 100, false).unwrap().len(), 100 * 5);
    assert_eq!(default_skip(100), 128);
}

/// Point estimates of SALib 1.6's `sobol.analyze` for `sin(2 x0) + x1² x2 + 0.3 x2` on
/// `sobol.sample(problem, 16, scramble=False, skip_values=16)` (printed with 17 digits).
#[test]
fn small_case_equals_salib() {
    let d = SaltelliDesign::new(3, 16, true).unwrap();
    let si = analyse(&d, |x| (2.0 * x[0]).sin() + x[1] * x[1] * x[2] + 0.3 * x[2]);
    let tol = 1e-13;
    check(
        "S1",
        &si.s1,
        &[1.0291109878245548, 0.19081351993283366, 0.09134838779432923],
        tol,
    );
    check(
        "ST",
        &si.st,
        &[0.6975319473944693, 0.20061517871451104, 0.30012127300411306],
        tol,
    );
    let s2 = si.s2.unwrap();
    check(
        "S2",
        &[s2[0][1], s2[0][2], s2[1][2]],
        &[
            -0.38832874861868116,
            -0.3986223534302276,
            0.16553321227948853,
        ],
        tol,
    );
    assert!(s2[1][0].value.is_nan() && s2[2][2].value.is_nan());
}

/// The Ishigami function (Ishigami & Homma 1990) on [−π, π]³, a = 7, b = 0.1.
fn ishigami(x: &[f64]) -> f64 {
    let x: Vec<f64> = x.iter().map(|u| -PI + 2.0 * PI * u).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

/// Its analytic indices: V1 = ½(1 + bπ⁴/5)², V2 = a²/8, V13 = b²π⁸(1/18 − 1/50),
/// V = V1 + V2 + V13.
fn ishigami_truth() -> ([f64; 3], [f64; 3]) {
    let (a, b) = (7.0, 0.1);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

/// Ishigami at N = 2^13 (65 536 evaluations). Analytic values: S1 = (0.3139, 0.4424, 0),
/// ST = (0.5576, 0.4424, 0.2437), S13 = 0.2437. The points are a fixed Sobol' block, so the
/// estimates are fixed numbers (no flakiness): measured S1 = (0.3159, 0.4424, 0.0021),
/// ST = (0.5580, 0.4424, 0.2439), S13 = 0.2418, largest error 0.0021. Their bootstrap
/// half-widths are 0.01–0.03, the sampling error SALib would report. A tolerance of 0.01 is five
/// times the measured error and below those half-widths: a broken estimator (A and B swapped,
/// the wrong variance, S1 from the wrong AB column) misses it by far more.
#[test]
fn ishigami_indices_match_analytic_values() {
    let d = SaltelliDesign::new(3, 1 << 13, true).unwrap();
    let si = analyse(&d, ishigami);
    let (s1, st) = ishigami_truth();
    check("S1", &si.s1, &s1, 0.02);
    check("ST", &si.st, &st, 0.02);
    let s2 = si.s2.unwrap();
    // Only x1 and x3 interact: S13 = V13 / V = ST3, the other pairs are 0.
    check(
        "S2",
        &[s2[0][1], s2[0][2], s2[1][2]],
        &[0.0, st[2], 0.0],
        0.03,
    );
    for e in si.s1.iter().chain(&si.st) {
        assert!(e.conf > 0.0 && e.conf < 0.1, "interval {e:?}");
    }
}

/// Sobol's G function: `Π (|4x − 2| + a_i) / (1 + a_i)`, with V_i = 1 / (3 (1 + a_i)²),
/// S_i = V_i / V and ST_i = V_i Π_{j≠i} (1 + V_j) / V where V = Π (1 + V_i) − 1.
#[test]
fn g_function_indices_match_analytic_values() {
    let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
    let g = |x: &[f64]| {
        x.iter()
            .zip(&a)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product::<f64>()
    };
    let vi: Vec<f64> = a
        .iter()
        .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
        .collect();
    let v = vi.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
    let s1: Vec<f64> = vi.iter().map(|x| x / v).collect();
    let st: Vec<f64> = vi.iter().map(|x| x * (v + 1.0) / (1.0 + x) / v).collect();
    let d = SaltelliDesign::new(6, 1 << 12, false).unwrap();
    let si = analyse(&d, g);
    // Analytic S1 = (0.7163, 0.1791, 0.0237, 0.0072, 0.00007, 0.00007), ST = (0.7873, 0.2422,
    // 0.0343, 0.0105, 0.0001, 0.0001). Measured at N = 4096: S1 = (0.7174, 0.1801, 0.0240,
    // 0.0071, 0.0002, 0.0001), ST = (0.7876, 0.2430, 0.0341, 0.0108, 0.0001, 0.0001), largest
    // error 0.0011 (bootstrap half-widths up to 0.034). 0.005 is 4.5 times that and still
    // tells every index from its neighbour.
    check("S1", &si.s1, &s1, 0.005);
    check("ST", &si.st, &st, 0.005);
    // The unimportant parameters must come out unimportant, not merely within tolerance.
    assert!(si.st[4].value < 0.002 && si.st[5].value < 0.002);
    assert!(si.s2.is_none());
}

#[test]
fn constant_outputs_give_zero_indices() {
    let d = SaltelliDesign::new(2, 8, true).unwrap();
    let si = analyse(&d, |_| 3.0);
    for e in si.s1.iter().chain(&si.st) {
        assert_eq!((e.value, e.conf), (0.0, 0.0));
    }
    assert_eq!(si.s2.unwrap()[0][1].value, 0.0);
}

#[test]
fn bad_inputs_are_refused() {
    assert!(SaltelliDesign::new(0, 8, false).is_err());
    assert!(SaltelliDesign::new(33, 8, false).is_err());
    assert!(SaltelliDesign::new(32, 8, false).is_ok());
    assert!(SaltelliDesign::new(2, 1, false).is_err());
    let d = SaltelliDesign::new(2, 4, false).unwrap();
    let mut r = stream();
    let err = indices(&d, &[1.0; 15], 100, &mut r).unwrap_err();
    assert_eq!(err.to_string(), "15 outputs for a design of 16 points");
    let mut y = vec![1.0; 16];
    y[5] = f64::NAN;
    let err = indices(&d, &y, 100, &mut r).unwrap_err();
    assert!(matches!(err, Error::NonFinite { row: 5, value } if value.is_nan()));
    assert!(indices(&d, &[1.0; 16], 1, &mut r).is_err());
}

/// The same stream gives the same intervals; another stream other intervals but the same
/// point estimates.
#[test]
fn intervals_depend_only_on_the_stream() {
    let d = SaltelliDesign::new(3, 64, true).unwrap();
    let y: Vec<f64> = d.points().iter().map(|x| ishigami(x)).collect();
    let one = indices(&d, &y, 50, &mut stream()).unwrap();
    let again = indices(&d, &y, 50, &mut stream()).unwrap();
    let other = indices(&d, &y, 50, &mut rng::stream(18, Purpose::Sampling, &[0])).unwrap();
    assert_eq!(format!("{one:?}"), format!("{again:?}"));
    assert_eq!(one.s1[0].value, other.s1[0].value);
    assert_ne!(one.s1[0].conf, other.s1[0].conf);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every row is A, B or a cross of them: AB_j equals A except column j, which is B's; BA_j
    /// equals B except column j, which is A's; all coordinates in [0, 1).
    #[test]
    fn saltelli_rows_are_crosses_of_a_and_b(k in 1usize..=8, n in 2usize..40, second in any::<bool>(), skip in 0u64..3000) {
        let d = SaltelliDesign::new(k, n, second).unwrap().with_skip(skip);
        let p = d.points();
        let step = d.rows_per_base();
        prop_assert_eq!(p.len(), n * step);
        prop_assert_eq!(step, if second { 2 * k + 2 } else { k + 2 });
        for block in p.chunks(step) {
            let (a, b) = (&block[0], &block[step - 1]);
            for j in 0..k {
                for c in 0..k {
                    let ab = &block[1 + j];
                    prop_assert_eq!(ab[c], if c == j { b[c] } else { a[c] });
                    if second {
                        let ba = &block[1 + k + j];
                        prop_assert_eq!(ba[c], if c == j { a[c] } else { b[c] });
                    }
                }
            }
            for row in block {
                prop_assert!(row.iter().all(|u| (0.0..1.0).contains(u)));
            }
        }
    }

    /// Sobol' points lie in [0, 1) and seeking anywhere agrees with stepping there.
    #[test]
    fn sobol_points_are_in_the_unit_cube(dims in 1usize..=64, skip in 0u64..1_000_000, n in 1usize..20) {
        let pts = sobol_points(dims, skip, n).unwrap();
        let mut seq = crate::analysis::SobolSequence::new(dims).unwrap();
        seq.seek(skip).unwrap();
        for p in &pts {
            prop_assert_eq!(p.len(), dims);
            prop_assert!(p.iter().all(|u| (0.0..1.0).contains(u)));
            prop_assert_eq!(p, &seq.next_point());
        }
    }

    /// Indices do not depend on the output's location and scale (SALib standardizes first).
    #[test]
    fn indices_ignore_affine_changes_of_the_output(shift in -1e3f64..1e3, scale in 0.01f64..100.0) {
        let d = SaltelliDesign::new(3, 32, true).unwrap();
        let y: Vec<f64> = d.points().iter().map(|x| ishigami(x)).collect();
        let moved: Vec<f64> = y.iter().map(|v| shift + scale * v).collect();
        let a = indices(&d, &y, 10, &mut stream()).unwrap();
        let b = indices(&d, &moved, 10, &mut stream()).unwrap();
        for (x, z) in a.s1.iter().zip(&b.s1).chain(a.st.iter().zip(&b.st)) {
            prop_assert!((x.value - z.value).abs() < 1e-9, "{} vs {}", x.value, z.value);
        }
    }
}
