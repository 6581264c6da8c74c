//! Tests of reading and expanding sweep files.

use super::*;
use crate::rng::{self, Purpose};

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
fn points_one_at_a_time_are_the_plan_points() {
    // A grid's points made from their numbers, and a sampled design's, equal the expanded ones;
    // the outline validates and counts what the plan holds.
    for text in [
        "base = \"base.toml\"\n[[axes]]\npath = \"organization.members\"\nvalues = [10, 20, 30]\n[[axes]]\npath = \"models.flat.review_capacity\"\nfrom = 1\nto = 2\nsteps = 3\n[[axes]]\npath = \"behaviour.propose_rate\"\nvalues = [0.1, 0.2]\n",
        "base = \"base.toml\"\n[design]\nkind = \"lhs\"\nsamples = 7\n[[axes]]\npath = \"organization.members\"\nfrom = 10\nto = 40\ninteger = true\n",
    ] {
        let s = sweep(text).unwrap();
        let mut one_by_one = Vec::new();
        s.each_point(|i, v| {
            assert_eq!(i, one_by_one.len());
            one_by_one.push(v);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(one_by_one, s.points());
        let plan = s.plan(None, None).unwrap();
        let mut keys = Vec::new();
        let outline = s
            .outline(None, None, |_, p| keys.push(p.world_key))
            .unwrap();
        assert_eq!(outline.points, plan.points.len() as u64);
        assert_eq!(outline.runs(), plan.runs());
        assert_eq!(
            keys,
            plan.points.iter().map(|p| p.world_key).collect::<Vec<_>>()
        );
        let worlds: std::collections::BTreeSet<u64> = keys.into_iter().collect();
        assert_eq!(outline.worlds, worlds.len() as u64);
    }
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
    let s = crate::scenario::Scenario::from_text(&toml::to_string(&t).unwrap(), "x.toml").unwrap();
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
    assert!(e("[[axes]]\npath = \"landscape.k\"\nvalues = [1]\n").contains("base: is required"));
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
    let huge: String = [
        "adopted",
        "autonomy",
        "rejected",
        "expired",
        "overload",
        "relax",
        "leave_below",
    ]
    .iter()
    .map(|k| {
        format!(
            "[[axes]]\npath = \"behaviour.engagement.{k}\"\nfrom = 0\nto = 0.5\nsteps = 1000000\n"
        )
    })
    .collect();
    assert!(e(&format!("base = \"base.toml\"\n{huge}")).contains("more than 10^38 points"));
    let msg = e(
        "base = \"base.toml\"\n[design]\nkind = \"random\"\nsamples = 3\n[[axes]]\npath = \"organization.members\"\nfrom = 20.2\nto = 20.8\ninteger = true\n",
    );
    assert!(
        msg.contains("s.toml:9: axes[0].integer") && msg.contains("no whole number"),
        "{msg}"
    );
    let msg =
        e("base = \"base.toml\"\n\n[[axes]]\npath = \"behaviour.radical\"\nvalues = [0.5, 1.5]\n");
    assert!(
        msg.contains("s.toml:4: axes[0].path: the swept parameter behaviour.radical at point 1"),
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

#[test]
fn sobol_points_are_salib_order_through_each_distribution() {
    let s = sweep("base = \"base.toml\"\n[design]\nkind = \"sobol\"\nsamples = 4\nsecond_order = true\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.1\nto = 0.5\n[[axes]]\npath = \"models.flat.review_capacity\"\nfrom = 0.5\nto = 8\ndistribution = \"log_uniform\"\n[[axes]]\npath = \"organization.members\"\nvalues = [8, 10, 12]\n").unwrap();
    let pts = s.points();
    assert_eq!(pts.len(), 4 * (2 * 3 + 2));
    assert_eq!(s.point_count(), 32);
    let unit = crate::analysis::saltelli::SaltelliDesign::new(3, 4, true)
        .unwrap()
        .points();
    assert_eq!(s.unit_points().unwrap(), unit);
    for (p, u) in pts.iter().zip(&unit) {
        // SALib's unif and logunif, bit for bit; a list by equal shares.
        assert_eq!(f(&p[0]), u[0] * (0.5 - 0.1) + 0.1);
        assert_eq!(
            f(&p[1]),
            (0.5f64.ln() + u[1] * (8f64.ln() - 0.5f64.ln())).exp()
        );
        assert_eq!(
            p[2],
            toml::Value::Integer([8, 10, 12][(u[2] * 3.0) as usize])
        );
    }
    // Row 1 of each base row is AB_1: A with the first coordinate from B.
    assert_eq!(pts[1][1], pts[0][1]);
    assert_eq!(pts[1][0], pts[7][0]);
    let plan = s.plan(None, None).unwrap();
    assert_eq!(plan.runs(), 32 * 2 * 2);
}

#[test]
fn morris_trajectories_move_one_axis_at_a_time() {
    let text = "base = \"base.toml\"\nseed = 5\n[design]\nkind = \"morris\"\ntrajectories = 6\nlevels = 4\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.3\n[[axes]]\npath = \"organization.members\"\nfrom = 8\nto = 10\ninteger = true\n[[axes]]\npath = \"models.flat.coordination\"\nvalues = [\"none\", \"consult\", \"vote\"]\n";
    let s = sweep(text).unwrap();
    let plan = s.plan(None, None).unwrap();
    let pts: Vec<&Vec<toml::Value>> = plan.points.iter().map(|p| &p.values).collect();
    assert_eq!(pts.len(), 6 * 4);
    for t in 0..6 {
        let traj = &pts[t * 4..(t + 1) * 4];
        let mut moved = std::collections::BTreeSet::new();
        for w in traj.windows(2) {
            let changed: Vec<usize> = (0..3).filter(|&j| w[0][j] != w[1][j]).collect();
            assert_eq!(changed.len(), 1, "trajectory {t}: {w:?}");
            moved.insert(changed[0]);
        }
        assert_eq!(moved.len(), 3, "every axis moves once per trajectory");
    }
    // Whole numbers and words are discrete axes: every value is one of theirs.
    assert!(
        pts.iter()
            .all(|p| matches!(p[1], toml::Value::Integer(8..=10)))
    );
    // The same seed gives the same trajectories; another seed others.
    let again = sweep(text).unwrap().plan(None, None).unwrap();
    assert!(
        again
            .points
            .iter()
            .zip(&plan.points)
            .all(|(a, b)| a.values == b.values)
    );
    let other = sweep(text).unwrap().plan(Some(6), None).unwrap();
    assert!(
        other
            .points
            .iter()
            .zip(&plan.points)
            .any(|(a, b)| a.values != b.values)
    );
}

#[test]
fn normal_axes_stay_within_their_bounds() {
    let s = sweep("base = \"base.toml\"\n[design]\nkind = \"lhs\"\nsamples = 50\n[[axes]]\npath = \"behaviour.noise\"\ndistribution = \"normal\"\nmean = 0.1\nsd = 0.05\nfrom = 0.05\nto = 0.3\n").unwrap();
    let xs: Vec<f64> = s.points().iter().map(|p| f(&p[0])).collect();
    assert!(xs.iter().all(|&x| (0.05..=0.3).contains(&x)));
    let below_mean = xs.iter().filter(|&&x| x < 0.1).count();
    // Φ(0) − Φ(−1) of the mass is below the mean: about 0.34/0.81 ≈ 42% of the points.
    assert!((15..=27).contains(&below_mean), "{below_mean}");
}

#[test]
fn grid_random_and_lhs_points_are_unchanged() {
    // The values issue 17 must not move: the first points of each design, as before it.
    let grid = sweep("base = \"base.toml\"\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.1\nto = 0.7\nsteps = 3\nlog = true\n").unwrap();
    let g: Vec<f64> = grid.points().iter().map(|p| f(&p[0])).collect();
    assert_eq!(g, [0.1, 0.264575131106, 0.7]);
    let random = sweep("base = \"base.toml\"\nseed = 3\n[design]\nkind = \"random\"\nsamples = 2\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 1\n").unwrap();
    let lhs = sweep("base = \"base.toml\"\nseed = 3\n[design]\nkind = \"lhs\"\nsamples = 2\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 1\n").unwrap();
    let mut r = rng::stream(3, Purpose::Design, &[0]);
    let want: Vec<f64> = (0..2)
        .map(|_| format!("{:.12}", rng::unit(&mut r)).parse().unwrap())
        .collect();
    let got: Vec<f64> = random.points().iter().map(|p| f(&p[0])).collect();
    assert_eq!(got, want);
    let l: Vec<f64> = lhs.points().iter().map(|p| f(&p[0])).collect();
    assert!(l[0] < 0.5 && l[1] >= 0.5 || l[1] < 0.5 && l[0] >= 0.5);
}

#[test]
fn bad_morris_and_sobol_sweeps_name_the_key() {
    let e = |text: &str| match sweep(text).and_then(|s| s.plan(None, None)) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted: {text}"),
    };
    let axis = "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\n";
    let cases = [
        (
            "[design]\nkind = \"morris\"\nlevels = 4\n",
            "s.toml:2: design.trajectories: is required",
        ),
        (
            "[design]\nkind = \"morris\"\ntrajectories = 5\nlevels = 5\n",
            "design.levels: 5 is odd",
        ),
        (
            "[design]\nkind = \"morris\"\ntrajectories = 5\nsamples = 5\n",
            "design.samples: applies to random, lhs and sobol designs, not to a morris design",
        ),
        (
            "[design]\nkind = \"sobol\"\n",
            "design.samples: is required for a sobol design: the base sample size N",
        ),
        (
            "[design]\nkind = \"sobol\"\nsamples = 8\nlevels = 4\n",
            "design.levels: applies to morris designs",
        ),
        (
            "[design]\nkind = \"grid\"\nsecond_order = true\n",
            "design.second_order: applies to sobol designs",
        ),
    ];
    for (design, want) in cases {
        let msg = e(&format!("base = \"base.toml\"\n{design}{axis}"));
        assert!(msg.contains(want), "{msg}\nwanted: {want}");
    }
    let sobol = "base = \"base.toml\"\n[design]\nkind = \"sobol\"\nsamples = 8\n";
    let axes = [
        (
            "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\nsteps = 3\n",
            "axes[0].steps: a sobol design places its points itself",
        ),
        (
            "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.5\nto = 0.5\n",
            "axes[0].to: equals from = 0.5",
        ),
        (
            "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\ndistribution = \"normal\"\nsd = 0.1\n",
            "axes[0].mean: is required for a normal distribution",
        ),
        (
            "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\nmean = 0.1\n",
            "axes[0].mean: applies to distribution = \"normal\"",
        ),
        (
            "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\ndistribution = \"normal\"\nmean = 90\nsd = 0.001\n",
            "axes[0].distribution: a normal range from 0 to 0.5",
        ),
        (
            "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\ndistribution = \"gamma\"\n",
            "axes[0].distribution: \"gamma\" is not valid",
        ),
        (
            "[[axes]]\npath = \"behaviour.noise\"\nvalues = [0.1]\ndistribution = \"normal\"\n",
            "axes[0].distribution: give either values or a range",
        ),
    ];
    for (axis, want) in axes {
        let msg = e(&format!("{sobol}{axis}"));
        assert!(msg.contains(want), "{msg}\nwanted: {want}");
    }
    let grid_normal = e(
        "base = \"base.toml\"\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\nsteps = 2\ndistribution = \"normal\"\nmean = 0.1\nsd = 0.1\n",
    );
    assert!(
        grid_normal.contains("a normal distribution needs a sampled design"),
        "{grid_normal}"
    );
    let morris_int = e(
        "base = \"base.toml\"\n[design]\nkind = \"morris\"\ntrajectories = 4\n[[axes]]\npath = \"organization.members\"\nfrom = 8\nto = 20\ninteger = true\ndistribution = \"log_uniform\"\n",
    );
    assert!(
        morris_int.contains(
            "axes[0].integer: a morris design takes whole numbers only on a uniform range"
        ),
        "{morris_int}"
    );
    let many: String = (0..33)
        .map(|i| format!("[[axes]]\npath = \"x{i}\"\nfrom = 0\nto = 1\n"))
        .collect();
    let msg = e(&format!("{sobol}{many}"));
    assert!(msg.contains("design: a sobol design of 33 axes"), "{msg}");
}

#[test]
fn precision_and_analysis_are_checked_against_the_base() {
    let e = |text: &str| match sweep(text).and_then(|s| s.plan(None, None)) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("accepted: {text}"),
    };
    let axis = "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.5\n";
    let msg = e(&format!(
        "base = \"base.toml\"\nreplications = {{ target = 0.01, metric = \"performance_men\", max = 50 }}\n[design]\nkind = \"lhs\"\nsamples = 3\n{axis}"
    ));
    assert!(msg.contains("s.toml:2: replications.metric: \"performance_men\" is not a measure of this experiment (did you mean \"performance_mean\"?)"), "{msg}");
    let msg = e(&format!(
        "base = \"base.toml\"\nreplications = {{ target = 0.01, metric = \"flat-ghost:performance_mean\", max = 50 }}\n[design]\nkind = \"lhs\"\nsamples = 3\n{axis}"
    ));
    assert!(
        msg.contains("its models: \"centralized\", \"flat\""),
        "{msg}"
    );
    let msg = e(&format!(
        "base = \"base.toml\"\nreplications = {{ target = 0.01, metric = \"performance_mean\", max = 5, batch = 10 }}\n[design]\nkind = \"lhs\"\nsamples = 3\n{axis}"
    ));
    assert!(
        msg.contains("replications.batch: 10 is more than max = 5"),
        "{msg}"
    );
    let msg = e(&format!(
        "base = \"base.toml\"\n[design]\nkind = \"lhs\"\nsamples = 3\n{axis}[analysis]\nquantities = [\"performance_mean\"]\n"
    ));
    assert!(
        msg.contains("analysis: a lhs design has no sensitivity indices"),
        "{msg}"
    );
    let msg = e(&format!(
        "base = \"base.toml\"\n[design]\nkind = \"sobol\"\nsamples = 4\n{axis}[analysis]\nquantities = [\"flat-centralized:performance_mea\"]\n"
    ));
    assert!(
        msg.contains("analysis.quantities: \"performance_mea\" is not a measure"),
        "{msg}"
    );
    let ok = sweep(&format!("base = \"base.toml\"\nreplications = {{ target = 0.01, metric = \"flat-centralized:performance_mean\", max = 40, batch = 4 }}\n[design]\nkind = \"sobol\"\nsamples = 4\n{axis}[analysis]\nquantities = [\"flat-centralized:performance_mean\", \"engagement_mean\"]\n")).unwrap();
    let plan = ok.plan(None, None).unwrap();
    let p = plan.precision.as_ref().unwrap();
    assert_eq!((p.rule.batch(), p.rule.max()), (4, 40));
    assert_eq!(
        plan.replications, 40,
        "runs are numbered as if every point ran max"
    );
    // A replications override replaces the rule.
    let fixed = ok.plan(None, Some(3)).unwrap();
    assert!(fixed.precision.is_none() && fixed.replications == 3);
}

#[test]
fn a_log_grid_ends_on_its_end_and_values_are_given_once() {
    // exp(ln(1e6)) is 1000000.0000000013, past the range; the ends are pinned.
    let grid = sweep("base = \"base.toml\"\n[[axes]]\npath = \"models.flat.review_capacity\"\nfrom = 1\nto = 1000000\nsteps = 7\nlog = true\n").unwrap();
    let g: Vec<f64> = grid.points().iter().map(|p| f(&p[0])).collect();
    assert_eq!((g[0], g[6]), (1.0, 1_000_000.0));
    assert!(g.iter().all(|&x| (1.0..=1_000_000.0).contains(&x)), "{g:?}");
    // A value listed twice is refused as a rounded range whose values repeat is.
    let twice = |values: &str| {
        sweep(&format!(
            "base = \"base.toml\"\n[[axes]]\npath = \"organization.members\"\nvalues = {values}\n"
        ))
    };
    let msg = twice("[10, 20, 10]").unwrap_err().to_string();
    assert!(msg.contains("given twice (items 1 and 3)"), "{msg}");
    assert!(
        twice("[2, 2.0]").is_err(),
        "2 and 2.0 set the parameter alike"
    );
    assert!(twice("[\"a\", \"b\"]").is_ok());
    let rounded = sweep(
        "base = \"base.toml\"\n[[axes]]\npath = \"organization.members\"\nfrom = 10\nto = 11\nsteps = 5\ninteger = true\n",
    );
    assert!(rounded.unwrap_err().to_string().contains("repeat"));
}
