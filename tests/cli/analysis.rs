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
    assert!(chosen.is_multiple_of(3) && (3..=24).contains(&chosen), "{chosen}");
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
