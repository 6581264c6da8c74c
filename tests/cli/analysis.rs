//! Analysing sweeps (issue 17): Morris and Sobol' designs, replications by precision,
//! `leadsim sensitivity` and `leadsim discover`.

use crate::Env;
use crate::run::{column, read_csv};
use crate::sweep::interrupt;
use std::path::Path;

/// A small, quick base: two models, 30 steps of 12 members.
const BASE: &str = "seed = 11\nsteps = 30\nreplications = 3\n[landscape]\nn = 8\nk = 2\n[organization]\nmembers = 12\ndomains = 3\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n";

const AXES: &str = "[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.0\nto = 0.3\n[[axes]]\npath = \"models.shared.review_capacity\"\nfrom = 0.25\nto = 4\ndistribution = \"log_uniform\"\n[[axes]]\npath = \"organization.members\"\nvalues = [8, 12, 16]\n";

/// Tables whose bytes must agree between two runs of one experiment.
const TABLES: [&str; 5] = [
    "timeseries.csv",
    "summary.csv",
    "shocks.csv",
    "stats.csv",
    "manifest.json",
];

fn same(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn setup(env: &Env, name: &str, design: &str, extra: &str) -> String {
    env.write("base.toml", BASE);
    env.write(
        name,
        &format!("base = \"base.toml\"\n{extra}[design]\n{design}{AXES}"),
    )
    .display()
    .to_string()
}

#[test]
fn sobol_and_morris_sweeps_run_their_points_in_salib_order() {
    let env = Env::new();
    let sobol = setup(
        &env,
        "sobol.toml",
        "kind = \"sobol\"\nsamples = 4\n",
        "replications = 2\n",
    );
    let check = env.run(&["check", &sobol]).ok().stdout();
    assert!(
        check.contains("20 points × 2 models × 2 replicates = 80 runs"),
        "{check}"
    );
    assert!(
        check.contains("models.shared.review_capacity: log-uniform on [0.25, 4]"),
        "{check}"
    );
    assert!(
        check.contains("organization.members: values 8, 12, 16"),
        "{check}"
    );
    env.run(&["sweep", &sobol, "-o", "s", "-q", "--no-charts"])
        .ok();
    let summary = read_csv(&env.path("s/summary.csv"));
    let points: Vec<&str> = column(&summary, "point");
    assert_eq!(points.len(), 80);
    // The first base row: A, AB_1, AB_2, AB_3, B. AB_j takes column j from B, the rest from A.
    let at = |p: usize, axis: &str| {
        let rows = column(&summary, axis);
        rows[p * 4].to_string()
    };
    for (j, axis) in [
        "behaviour.noise",
        "models.shared.review_capacity",
        "organization.members",
    ]
    .iter()
    .enumerate()
    {
        for row in 1..=3 {
            let want = if row == j + 1 {
                at(4, axis)
            } else {
                at(0, axis)
            };
            assert_eq!(at(row, axis), want, "AB_{row} column {axis}");
        }
    }
    // The first coordinate of an unscrambled Sobol' sequence is van der Corput's in Gray-code
    // order (0, 0.5, 0.75, 0.25, 0.375, …): after skipping 4 points, A's noise is 0.375 of
    // its range (SALib maps uniform axes as u·(hi − lo) + lo).
    assert_eq!(at(0, "behaviour.noise"), (0.375 * 0.3).to_string());

    let morris = setup(
        &env,
        "morris.toml",
        "kind = \"morris\"\ntrajectories = 5\nlevels = 4\n",
        "replications = 2\n",
    );
    env.run(&[
        "sweep",
        &morris,
        "-o",
        "m",
        "-q",
        "--no-charts",
        "--threads",
        "1",
    ])
    .ok();
    env.run(&[
        "sweep",
        &morris,
        "-o",
        "m2",
        "-q",
        "--no-charts",
        "--threads",
        "2",
    ])
    .ok();
    same(&env.path("m"), &env.path("m2"), &TABLES);
    let summary = read_csv(&env.path("m/summary.csv"));
    let axes = [
        "behaviour.noise",
        "models.shared.review_capacity",
        "organization.members",
    ];
    let value = |p: usize, a: &str| column(&summary, a)[p * 4].to_string();
    for t in 0..5 {
        for step in 0..3 {
            let p = t * 4 + step;
            let moved = axes
                .iter()
                .filter(|a| value(p, a) != value(p + 1, a))
                .count();
            assert_eq!(moved, 1, "trajectory {t}, step {step}: one axis moves");
        }
    }
}

#[test]
fn replications_by_precision_stop_at_the_same_count_for_any_thread_count() {
    let env = Env::new();
    let rule = "replications = { target = 0.08, metric = \"shared-centralized:performance_mean\", max = 24, batch = 3 }\n";
    let s = setup(&env, "p.toml", "kind = \"lhs\"\nsamples = 5\n", rule);
    let one = env
        .run(&["sweep", &s, "-o", "one", "--no-charts", "--threads", "1"])
        .ok();
    env.run(&["sweep", &s, "-o", "two", "--no-charts", "--threads", "2"])
        .ok();
    same(&env.path("one"), &env.path("two"), &TABLES);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path("one/manifest.json")).unwrap()).unwrap();
    let outcome = &manifest["precision"]["outcome"];
    let chosen = outcome["replicates"].as_u64().unwrap();
    assert_eq!(manifest["replications"].as_u64(), Some(chosen));
    assert!(
        chosen.is_multiple_of(3) && (3..=24).contains(&chosen),
        "{chosen}"
    );
    assert!(one.stderr().contains(&format!(
        "precision: {chosen} replicates per model and point"
    )));
    // The rule's half-width is the widest over the points of the paired difference's 95% CI,
    // recomputed here from stats.csv.
    let stats = read_csv(&env.path("one/stats.csv"));
    let widest = stats
        .1
        .iter()
        .filter(|r| r[stats.0.iter().position(|h| h == "metric").unwrap()] == "performance_mean")
        .filter(|r| r[stats.0.iter().position(|h| h == "versus").unwrap()] == "centralized")
        .map(|r| {
            let c = |n: &str| {
                r[stats.0.iter().position(|h| h == n).unwrap()]
                    .parse::<f64>()
                    .unwrap()
            };
            (c("ci_high") - c("ci_low")) / 2.0
        })
        .fold(0.0, f64::max);
    let hw = outcome["half_width"].as_f64().unwrap();
    assert!((hw - widest).abs() < 1e-12, "{hw} vs {widest}");
    assert_eq!(outcome["reached"].as_bool(), Some(hw < 0.08));
    // The tables are those of the same sweep with that many replicates fixed.
    env.run(&[
        "sweep",
        &s,
        "-o",
        "fixed",
        "-q",
        "--no-charts",
        "--replications",
        &chosen.to_string(),
    ])
    .ok();
    same(&env.path("one"), &env.path("fixed"), &TABLES[..4]);
    // Shards cannot decide alone.
    env.run(&["sweep", &s, "--shard", "1/2", "-o", "sh"]).fails(
        2,
        &["p.toml", "replications by precision cannot be sharded"],
    );
    env.run(&["slurm", &s, "-o", "sl"])
        .fails(2, &["cannot run as a job array"]);
}

#[test]
fn an_interrupted_precision_sweep_resumes_to_the_same_result() {
    let env = Env::new();
    env.write("base.toml", &BASE.replace("steps = 30", "steps = 300"));
    let s = env
        .write(
            "long.toml",
            "base = \"base.toml\"\nreplications = { target = 1e-9, metric = \"performance_mean\", max = 30, batch = 5 }\n[design]\nkind = \"lhs\"\nsamples = 8\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.0\nto = 0.2\n",
        )
        .display()
        .to_string();
    let out = interrupt(&env, &s, "killed", "-KILL");
    assert!(!out.status.success());
    env.run(&["sweep", &s, "-o", "killed", "-q", "--no-charts", "--resume"])
        .ok();
    env.run(&["sweep", &s, "-o", "clean", "-q", "--no-charts"])
        .ok();
    same(&env.path("killed"), &env.path("clean"), &TABLES);
    assert!(
        !env.path("killed/runs").exists(),
        "the journals are removed once the tables are written"
    );
}

/// Per point and model, the mean of `column` over replicates, from `summary.csv`; and per point
/// the mean and standard error of the paired difference `a − b`.
struct Means {
    per_model: Vec<Vec<f64>>,
    diff: Vec<(f64, f64)>,
}

fn means(dir: &Path, column: &str, points: usize, a: &str, b: &str) -> Means {
    let t = read_csv(&dir.join("summary.csv"));
    let (p, m, r, v) = (
        column_index(&t.0, "point"),
        column_index(&t.0, "model"),
        column_index(&t.0, "replicate"),
        column_index(&t.0, column),
    );
    let models = ["centralized", "shared"];
    let mut runs = vec![vec![Vec::new(); models.len()]; points];
    let mut pairs: Vec<std::collections::BTreeMap<String, (f64, f64)>> =
        vec![Default::default(); points];
    for row in &t.1 {
        let point: usize = row[p].parse().unwrap();
        let model = models.iter().position(|x| *x == row[m]).unwrap();
        let x: f64 = row[v].parse().unwrap();
        runs[point][model].push(x);
        let e = pairs[point]
            .entry(row[r].clone())
            .or_insert((f64::NAN, f64::NAN));
        if row[m] == a {
            e.0 = x;
        }
        if row[m] == b {
            e.1 = x;
        }
    }
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    Means {
        per_model: runs
            .iter()
            .map(|pm| pm.iter().map(|xs| mean(xs)).collect())
            .collect(),
        diff: pairs
            .iter()
            .map(|reps| {
                let d: Vec<f64> = reps.values().map(|(x, y)| x - y).collect();
                let m = mean(&d);
                let var = d.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (d.len() - 1) as f64;
                (m, (var / d.len() as f64).sqrt())
            })
            .collect(),
    }
}

fn column_index(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// The estimates of `sensitivity.csv` for one quantity: (parameter, index) → (estimate, row).
fn estimates(
    dir: &Path,
    quantity: &str,
) -> std::collections::BTreeMap<(String, String), Vec<String>> {
    let t = read_csv(&dir.join("sensitivity.csv"));
    let (q, p, i) = (
        column_index(&t.0, "quantity"),
        column_index(&t.0, "parameter"),
        column_index(&t.0, "index"),
    );
    t.1.iter()
        .filter(|r| r[q] == quantity)
        .map(|r| ((r[p].clone(), r[i].clone()), r.clone()))
        .collect()
}

/// Saltelli (2010) S1 and Jansen ST of outputs `y` in SALib's order (A, AB_1…AB_k, B per base
/// row), as SALib 1.6 computes them: outputs standardized first, V the population variance of
/// the A and B outputs.
fn sobol_by_hand(y: &[f64], k: usize) -> (Vec<f64>, Vec<f64>) {
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let y: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let rows = k + 2;
    let base = y.len() / rows;
    let a: Vec<f64> = (0..base).map(|i| y[i * rows]).collect();
    let b: Vec<f64> = (0..base).map(|i| y[i * rows + k + 1]).collect();
    let ab = |j: usize| -> Vec<f64> { (0..base).map(|i| y[i * rows + 1 + j]).collect() };
    let both: Vec<f64> = a.iter().chain(&b).copied().collect();
    let m = both.iter().sum::<f64>() / both.len() as f64;
    let v = both.iter().map(|x| (x - m).powi(2)).sum::<f64>() / both.len() as f64;
    let s1 = (0..k)
        .map(|j| {
            ab(j)
                .iter()
                .zip(&a)
                .zip(&b)
                .map(|((abj, ai), bi)| bi * (abj - ai))
                .sum::<f64>()
                / base as f64
                / v
        })
        .collect();
    let st = (0..k)
        .map(|j| {
            ab(j)
                .iter()
                .zip(&a)
                .map(|(abj, ai)| (ai - abj).powi(2))
                .sum::<f64>()
                / base as f64
                / 2.0
                / v
        })
        .collect();
    (s1, st)
}

#[test]
fn sensitivity_csv_holds_salib_s_indices_of_the_per_point_means() {
    let env = Env::new();
    let s = setup(
        &env,
        "s.toml",
        "kind = \"sobol\"\nsamples = 16\n",
        "replications = 3\n[analysis]\nquantities = [\"shared-centralized:performance_mean\", \"engagement_mean\"]\nresamples = 50\n",
    );
    let run = env.run(&["sweep", &s, "-o", "out", "--no-charts"]).ok();
    assert!(
        run.stdout()
            .contains("shared-centralized:performance_mean  (noise"),
        "{}",
        run.stdout()
    );
    let dir = env.path("out");
    let points = 16 * 5;
    let axes = [
        "behaviour.noise",
        "models.shared.review_capacity",
        "organization.members",
    ];
    let m = means(&dir, "performance_mean", points, "shared", "centralized");
    let diff: Vec<f64> = m.diff.iter().map(|d| d.0).collect();
    let (s1, st) = sobol_by_hand(&diff, 3);
    let got = estimates(&dir, "shared-centralized:performance_mean");
    assert_eq!(got.len(), 6, "S1 and ST of three parameters");
    let t = read_csv(&dir.join("sensitivity.csv"));
    let (est, noise, noisy) = (
        column_index(&t.0, "estimate"),
        column_index(&t.0, "noise_share"),
        column_index(&t.0, "noisy"),
    );
    for (j, axis) in axes.iter().enumerate() {
        let e = |index: &str| {
            got[&(axis.to_string(), index.to_string())][est]
                .parse::<f64>()
                .unwrap()
        };
        assert!(
            (e("S1") - s1[j]).abs() < 1e-12,
            "S1 {axis}: {} vs {}",
            e("S1"),
            s1[j]
        );
        assert!(
            (e("ST") - st[j]).abs() < 1e-12,
            "ST {axis}: {} vs {}",
            e("ST"),
            st[j]
        );
    }
    // The noise share: mean squared standard error of the per-point differences over their
    // variance across points.
    let mean = diff.iter().sum::<f64>() / points as f64;
    let var = diff.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (points - 1) as f64;
    let se2 = m.diff.iter().map(|d| d.1 * d.1).sum::<f64>() / points as f64;
    let row = got.values().next().unwrap();
    let share: f64 = row[noise].parse().unwrap();
    assert!((share - (se2 / var).min(1.0)).abs() < 1e-12, "{share}");
    assert_eq!(row[noisy] == "true", share >= 0.5);
    // A measure of every model is analysed per model, from that model's per-point means.
    let centralized: Vec<f64> = means(&dir, "engagement_mean", points, "shared", "centralized")
        .per_model
        .iter()
        .map(|pm| pm[0])
        .collect();
    let (s1, _) = sobol_by_hand(&centralized, 3);
    let got = estimates(&dir, "centralized:engagement_mean");
    let e: f64 = got[&(axes[0].to_string(), "S1".to_string())][est]
        .parse()
        .unwrap();
    assert!((e - s1[0]).abs() < 1e-12);
    assert!(!estimates(&dir, "shared:engagement_mean").is_empty());
    // problem.json is SALib's problem of the sweep.
    let problem: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("problem.json")).unwrap()).unwrap();
    assert_eq!(problem["num_vars"], 3);
    assert_eq!(problem["names"][1], "models.shared.review_capacity");
    assert_eq!(
        problem["dists"],
        serde_json::json!(["unif", "logunif", "unif"])
    );
    assert_eq!(problem["bounds"][1], serde_json::json!([0.25, 4.0]));
    assert_eq!(
        problem["leadsim"]["axes"][2]["values"],
        serde_json::json!(["8", "12", "16"])
    );
    assert_eq!(problem["leadsim"]["parameters"]["skip_values"], 16);
    // Redone from the files: the same bytes (bootstrap seeds derive from the sweep's seed).
    let before = std::fs::read(dir.join("sensitivity.csv")).unwrap();
    env.run(&["sensitivity", "out", "--no-charts"]).ok();
    assert_eq!(std::fs::read(dir.join("sensitivity.csv")).unwrap(), before);
    let one = env
        .run(&[
            "sensitivity",
            "out",
            "--no-charts",
            "--quantity",
            "shared:performance_final",
        ])
        .ok();
    assert!(one.stdout().contains("shared:performance_final"));
    assert_eq!(estimates(&dir, "shared:performance_final").len(), 6);
}

#[test]
fn morris_indices_are_the_mean_absolute_elementary_effects() {
    let env = Env::new();
    let s = setup(
        &env,
        "m.toml",
        "kind = \"morris\"\ntrajectories = 6\nlevels = 4\n",
        "replications = 2\n[analysis]\nquantities = [\"shared:performance_mean\"]\n",
    );
    env.run(&["sweep", &s, "-o", "out", "--no-charts"]).ok();
    let dir = env.path("out");
    let summary = read_csv(&dir.join("summary.csv"));
    let y: Vec<f64> = means(&dir, "performance_mean", 24, "shared", "centralized")
        .per_model
        .iter()
        .map(|pm| pm[1])
        .collect();
    let axes = [
        "behaviour.noise",
        "models.shared.review_capacity",
        "organization.members",
    ];
    let value = |p: usize, a: &str| -> f64 { column(&summary, a)[p * 4].parse().unwrap() };
    // Each step of a trajectory moves one axis up or down by Δ = 4 / (2 · 3) of its unit range.
    let delta = 4.0 / 6.0;
    let mut effects = vec![Vec::new(); 3];
    for t in 0..6 {
        for step in 0..3 {
            let p = t * 4 + step;
            let j = (0..3)
                .find(|&j| value(p, axes[j]) != value(p + 1, axes[j]))
                .unwrap();
            let up = value(p + 1, axes[j]) > value(p, axes[j]);
            let d = (y[p + 1] - y[p]) / delta;
            effects[j].push(if up { d } else { -d });
        }
    }
    let got = estimates(&dir, "shared:performance_mean");
    let est = column_index(&read_csv(&dir.join("sensitivity.csv")).0, "estimate");
    for (j, axis) in axes.iter().enumerate() {
        let mu_star = effects[j].iter().map(|e: &f64| e.abs()).sum::<f64>() / 6.0;
        let mu = effects[j].iter().sum::<f64>() / 6.0;
        let e = |index: &str| {
            got[&(axis.to_string(), index.to_string())][est]
                .parse::<f64>()
                .unwrap()
        };
        assert!(
            (e("mu_star") - mu_star).abs() < 1e-12,
            "{axis}: {} vs {mu_star}",
            e("mu_star")
        );
        assert!((e("mu") - mu).abs() < 1e-12, "{axis}");
    }
}

#[test]
fn sensitivity_refuses_what_it_cannot_analyse() {
    let env = Env::new();
    let lhs = setup(
        &env,
        "l.toml",
        "kind = \"lhs\"\nsamples = 4\n",
        "replications = 2\n",
    );
    env.run(&["sweep", &lhs, "-o", "lhs", "-q", "--no-charts"])
        .ok();
    assert!(
        env.path("lhs/problem.json").exists(),
        "a sampled design gets its problem"
    );
    assert!(!env.path("lhs/sensitivity.csv").exists());
    env.run(&["sensitivity", "lhs"])
        .fails(2, &["not a morris or sobol sweep"]);
    let sobol = setup(
        &env,
        "s.toml",
        "kind = \"sobol\"\nsamples = 4\n",
        "replications = 2\n",
    );
    env.run(&["sweep", &sobol, "-o", "s", "-q", "--no-charts"])
        .ok();
    env.run(&["sensitivity", "s", "--quantity", "shared:performance_men"])
        .fails(
            2,
            &[
                "\"performance_men\" is not a measure",
                "did you mean \"performance_mean\"",
            ],
        );
    env.run(&[
        "sensitivity",
        "s",
        "--quantity",
        "flat-centralized:performance_mean",
    ])
    .fails(2, &["its models: \"centralized\", \"shared\""]);
    env.run(&["sensitivity", "nowhere"])
        .fails(2, &["no such result folder"]);
}

/// A finished sweep written by hand: 10 × 10 points of (a, b) on [0, 1)², where the measure
/// `m` of model `x` is 1 exactly when a > 0.6 and b < 0.3.
fn constructed_sweep(env: &Env) {
    let mut points = Vec::new();
    let mut stats = String::from(
        "point,a,b,metric,kind,model,versus,n,mean,sd,se,ci_low,ci_high,effect_size\n",
    );
    for i in 0..100 {
        let (a, b) = ((i / 10) as f64 / 10.0, (i % 10) as f64 / 10.0);
        let m = if a > 0.6 && b < 0.3 { 1.0 } else { 0.0 };
        points.push(serde_json::json!({"point": i, "values": {"a": a.to_string(), "b": b.to_string()}, "world_key": i}));
        stats += &format!("{i},{a},{b},m,outcome,x,,2,{m},0,0,{m},{m},\n");
    }
    let manifest = serde_json::json!({
        "tool": "leadsim", "version": "0.1.0", "kind": "sweep", "name": "made", "identity": "",
        "command": "", "overrides": {}, "inputs": [], "seed": 1, "replications": 2, "steps": [10],
        "runs": 200, "models": [{"name": "x", "kind": "shared", "params": {}}], "axes": ["a", "b"],
        "points": points, "seeds": [], "shard": "", "files": {}
    });
    env.write(
        "made/manifest.json",
        &serde_json::to_string_pretty(&manifest).unwrap(),
    );
    env.write("made/stats.csv", &stats);
}

#[test]
fn discover_finds_the_box_where_a_constructed_condition_holds() {
    let env = Env::new();
    constructed_sweep(&env);
    let out = env
        .run(&["discover", "made", "--where", "x:m > 0.5", "--no-charts"])
        .ok()
        .stdout();
    assert!(out.contains("x:m > 0.5: holds at 9 of 100 points"), "{out}");
    // Peeled to exactly the nine points: a from 0.7 (bound between 0.6 and 0.7), b up to 0.2.
    assert!(
        out.contains("coverage 1, density 1 (base rate 0.09), 9 points"),
        "{out}"
    );
    assert!(out.contains("a: 0.65 ≤ x ≤ 0.9"), "{out}");
    assert!(out.contains("b: 0 ≤ x ≤ 0.25"), "{out}");
    let traj = read_csv(&env.path("made/discover-x_m_gt_0.5.csv"));
    let chosen: Vec<&str> = column(&traj, "chosen");
    assert_eq!(chosen.iter().filter(|c| **c == "true").count(), 1);
    assert_eq!(column(&traj, "coverage")[0], "1");
    let bounds = read_csv(&env.path("made/discover-x_m_gt_0.5-bounds.csv"));
    assert_eq!(bounds.1.len(), traj.1.len() * 2, "two parameters per box");
    // Errors name what is valid.
    env.run(&["discover", "made", "--where", "x:n > 0.5"])
        .fails(
            2,
            &["--where", "\"n\" is not a measure", "valid measures: \"m\""],
        );
    env.run(&["discover", "made", "--where", "y:m > 0.5"])
        .fails(2, &["its models: \"x\""]);
    env.run(&["discover", "made", "--where", "x:m > 2"])
        .fails(2, &["holds at none of the 100 points"]);
    env.run(&["discover", "made", "--where", "x:m = 2"])
        .fails(2, &["has no comparison"]);
}

/// `sensitivity` and `discover` check the tables against the manifest's checksums, as `plot`
/// and `report` do: indices or boxes of an edited table would show what no experiment gave.
#[test]
fn sensitivity_and_discover_refuse_edited_tables() {
    let env = Env::new();
    let sobol = setup(
        &env,
        "s.toml",
        "kind = \"sobol\"\nsamples = 4\n",
        "replications = 2\n",
    );
    env.run(&["sweep", &sobol, "-o", "s", "-q", "--no-charts"])
        .ok();
    env.run(&["sensitivity", "s", "--no-charts"]).ok();
    env.run(&[
        "discover",
        "s",
        "--where",
        "shared:performance_mean > 0",
        "--no-charts",
    ])
    .ok();
    let stats = env.path("s/stats.csv");
    let text = std::fs::read_to_string(&stats).unwrap();
    std::fs::write(
        &stats,
        text.replacen(",3,", ",4,", 1).replacen("0.", "1.", 1),
    )
    .unwrap();
    for args in [
        vec!["sensitivity", "s", "--no-charts"],
        vec![
            "discover",
            "s",
            "--where",
            "shared:performance_mean > 0",
            "--no-charts",
        ],
    ] {
        env.run(&args)
            .fails(2, &["stats.csv", "changed since leadsim wrote it"]);
    }
    std::fs::remove_file(env.path("s/summary.csv")).unwrap();
    std::fs::write(&stats, text).unwrap();
    env.run(&["sensitivity", "s", "--no-charts"])
        .fails(2, &["summary.csv", "missing"]);
}
