use super::*;
use crate::analysis::sobol_seq::sobol_points;
use proptest::prelude::*;

/// EMA Workbench 2.5.3's `get_quantile` on the same data.
#[test]
fn quantiles_equal_ema() {
    let cases: [(&[f64], f64, f64); 6] = [
        (&[1.0, 2.0, 2.0, 2.0, 3.0], 0.95, 2.5),
        (&[1.0, 2.0, 2.0, 2.0, 3.0], 0.05, 1.5),
        (&[5.0, 5.0, 5.0], 0.95, 5.0),
        (&[1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 3.0], 0.05, 1.5),
        (&[4.0], 0.05, 4.0),
        (&[0.1, 0.3, 0.2, 0.9], 0.95, 0.6),
    ];
    for (data, q, expected) in cases {
        assert_eq!(quantile(data, q), expected, "{data:?} at {q}");
    }
}

/// 200 Sobol' points in 3 dimensions; the cases of interest are the box x0 > 0.6, x1 < 0.5,
/// with every seventh point's outcome flipped as noise.
fn sobol_data() -> (Vec<Vec<f64>>, Vec<bool>) {
    let x = sobol_points(3, 0, 200).unwrap();
    let y = x
        .iter()
        .enumerate()
        .map(|(i, p)| (p[0] > 0.6 && p[1] < 0.5) != (i % 7 == 0))
        .collect();
    (x, y)
}

/// Points and cases of interest on the trajectory, with restricted parameters.
fn summary(t: &Trajectory) -> Vec<(usize, usize, usize)> {
    t.boxes
        .iter()
        .map(|b| (b.points, b.cases, b.restricted))
        .collect()
}

/// The trajectory EMA Workbench 2.5.3 finds on the same data: `Prim(df, y, threshold=1e-9)`
/// `.find_box().peeling_trajectory` (n, k, res_dim) and the last box's limits.
#[test]
fn trajectory_equals_ema() {
    let (x, y) = sobol_data();
    let t = prim(&x, &y, &PrimOptions::default()).unwrap();
    let ema = [
        (200, 60, 0),
        (190, 59, 1),
        (180, 57, 1),
        (171, 56, 1),
        (162, 54, 1),
        (153, 53, 1),
        (145, 52, 1),
        (137, 51, 1),
        (130, 51, 1),
        (123, 50, 1),
        (116, 49, 1),
        (110, 48, 2),
        (104, 47, 2),
        (98, 46, 2),
        (93, 46, 2),
        (88, 46, 2),
        (83, 44, 2),
        (78, 42, 2),
        (74, 42, 2),
        (70, 41, 2),
        (66, 40, 2),
        (62, 40, 2),
        (58, 39, 2),
        (55, 38, 2),
        (52, 38, 2),
        (49, 37, 2),
        (46, 37, 2),
        (43, 36, 2),
        (40, 34, 2),
        (38, 33, 2),
        (36, 32, 2),
        (37, 33, 2),
    ];
    assert_eq!(summary(&t), ema);
    let last = t.boxes.last().unwrap();
    assert_eq!(last.step, Step::Paste);
    assert_eq!(last.lower, [0.60546875, 0.0, 0.0]);
    assert_eq!(last.upper, [0.98046875, 0.48046875, 0.99609375]);
    assert_eq!((t.total_cases, t.total_points), (60, 200));

    let original = PrimOptions {
        objective: Objective::Original,
        ..PrimOptions::default()
    };
    let t = prim(&x, &y, &original).unwrap();
    assert_eq!(t.boxes.len(), 49);
    assert_eq!(summary(&t)[48], (10, 9, 2));
    assert_eq!(t.boxes[48].upper, [0.69921875, 0.48046875, 0.99609375]);
}

#[test]
fn chosen_box_is_the_densest_with_enough_coverage() {
    let (x, y) = sobol_data();
    let t = prim(&x, &y, &PrimOptions::default()).unwrap();
    let i = t.choose(0.5);
    let b = &t.boxes[i];
    assert!(b.coverage >= 0.5);
    for other in &t.boxes {
        assert!(other.coverage < 0.5 || other.density <= b.density);
    }
    // 33 of 37 points, covering 33 of 60: the last (pasted) box is the densest overall.
    assert_eq!(i, t.boxes.len() - 1);
    // Box 4 holds 54 of the 60 cases (coverage exactly 0.9) at density 54/162.
    assert_eq!(t.choose(0.9), 4, "the densest box keeping 90% of the cases");
    assert_eq!(t.choose(2.0), 0);
}

#[test]
fn statistics_are_consistent() {
    let (x, y) = sobol_data();
    let t = prim(&x, &y, &PrimOptions::default()).unwrap();
    for b in &t.boxes {
        let inside: Vec<usize> = (0..x.len()).filter(|&i| b.contains(&x[i])).collect();
        assert_eq!(inside.len(), b.points);
        assert_eq!(inside.iter().filter(|&&i| y[i]).count(), b.cases);
        assert_eq!(b.coverage, b.cases as f64 / 60.0);
        assert_eq!(b.density, b.cases as f64 / b.points as f64);
        assert_eq!(b.mass, b.points as f64 / 200.0);
    }
}

#[test]
fn without_pasting_the_trajectory_stops_after_peeling() {
    let (x, y) = sobol_data();
    let opts = PrimOptions {
        paste: false,
        ..PrimOptions::default()
    };
    let t = prim(&x, &y, &opts).unwrap();
    assert_eq!(t.boxes.len(), 31);
    assert!(t.boxes.iter().all(|b| b.step != Step::Paste));
}

#[test]
fn bad_inputs_are_refused() {
    let (x, y) = sobol_data();
    let opts = PrimOptions::default();
    assert!(
        prim(&x, &[false; 200], &opts).is_err(),
        "no case of interest"
    );
    assert!(prim(&x, &y[1..], &opts).is_err());
    assert!(prim(&[], &[], &opts).is_err());
    let mut bad = x.clone();
    bad[3] = vec![0.0, f64::NAN, 0.0];
    assert!(prim(&bad, &y, &opts).is_err());
    bad[3] = vec![0.0];
    assert!(prim(&bad, &y, &opts).is_err());
    for o in [
        PrimOptions {
            peel_alpha: 0.0,
            ..opts
        },
        PrimOptions {
            paste_alpha: 1.0,
            ..opts
        },
        PrimOptions {
            mass_min: 1.5,
            ..opts
        },
    ] {
        assert!(prim(&x, &y, &o).is_err(), "{o:?}");
    }
    // Every point a case of interest: nothing to improve, the initial box alone.
    let t = prim(&x, &[true; 200], &opts).unwrap();
    assert_eq!(t.boxes.len(), 1);
}

fn data_strategy() -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<bool>)> {
    (1usize..4, 20usize..120).prop_flat_map(|(k, n)| {
        (
            // Values on a coarse grid, so ties are common, as with Morris levels.
            prop::collection::vec(prop::collection::vec(0u8..6, k), n).prop_map(|rows| {
                rows.into_iter()
                    .map(|r| r.into_iter().map(f64::from).collect())
                    .collect()
            }),
            prop::collection::vec(any::<bool>(), n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Peeled boxes are nested, pasted boxes contain their predecessor, every box after the
    /// first holds at least `mass_min` of the points, and the chosen box is at least as dense as
    /// the data overall.
    #[test]
    fn boxes_nest_and_the_choice_beats_the_base_rate((x, y) in data_strategy(), min_cov in 0.0f64..1.0, alpha in 0.02f64..0.3) {
        prop_assume!(y.iter().any(|&c| c));
        let opts = PrimOptions { peel_alpha: alpha, ..PrimOptions::default() };
        let t = prim(&x, &y, &opts).unwrap();
        for pair in t.boxes.windows(2) {
            let (outer, inner) = match pair[1].step {
                Step::Peel => (&pair[0], &pair[1]),
                _ => (&pair[1], &pair[0]),
            };
            for j in 0..outer.lower.len() {
                prop_assert!(outer.lower[j] <= inner.lower[j] && inner.upper[j] <= outer.upper[j]);
            }
            prop_assert!(outer.points > inner.points);
            prop_assert!(pair[1].mass >= opts.mass_min);
        }
        let base = t.boxes[0].density;
        prop_assert!(t.boxes[t.choose(min_cov)].density >= base);
        prop_assert!(t.boxes[t.choose(min_cov)].coverage >= min_cov);
    }
}
