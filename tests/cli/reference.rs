//! Reference models from scenario files, and `leadsim replicate`.

use crate::run::{column, read_csv};
use crate::{Env, repo};

#[test]
fn reference_scenarios_run_like_any_other() {
    let env = Env::new();
    let text = std::fs::read_to_string(repo("scenarios/reference/march1991.toml"))
        .unwrap()
        .replace("every = 10", "every = 1");
    let f = env.write("march.toml", &text).display().to_string();
    let out = env
        .run(&["run", &f, "-o", "march", "-q", "--replications", "5"])
        .ok()
        .stdout();
    // The headline printed after the run shows the family's own metrics.
    assert!(out.contains("code_knowledge_final"), "{out}");
    let ts = read_csv(&env.path("march/timeseries.csv"));
    assert_eq!(
        &ts.0[4..],
        [
            "code_knowledge",
            "individual_knowledge",
            "equilibrium",
            "period"
        ]
    );
    let summary = read_csv(&env.path("march/summary.csv"));
    // Every run stops at equilibrium: its last record says so.
    assert!(
        column(&summary, "equilibrium_final")
            .iter()
            .all(|e| *e == "1")
    );
    // Common random numbers: both variants start from the same reality and beliefs.
    let first: Vec<&Vec<String>> = ts.1.iter().filter(|r| r[1] == "0" && r[3] == "1").collect();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0][4..], first[1][4..]);
    let stats = read_csv(&env.path("march/stats.csv"));
    assert!(
        stats
            .1
            .iter()
            .any(|r| r[0] == "code_knowledge_final" && r[2] == "fast" && r[3] == "slow")
    );

    let lf = env.write(
        "lf.toml",
        "family = \"lazer_friedman2007\"\nsteps = 20\nreplications = 4\n[lazer_friedman2007]\nagents = 30\n[[models]]\nkind = \"linear\"\n[[models]]\nkind = \"small_world\"\ndegree = 4\nrewirings = 5\n[[models]]\nkind = \"random\"\np = 0.2\ncopy_error = 0.1\n",
    );
    env.run(&["run", &lf.display().to_string(), "-o", "lf", "-q"])
        .ok();
    let ts = read_csv(&env.path("lf/timeseries.csv"));
    assert_eq!(ts.1.len(), 3 * 4 * 21);
    for s in column(&ts, "mean_score") {
        let s: f64 = s.parse().unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
}

#[test]
fn a_reference_parameter_can_be_swept() {
    let env = Env::new();
    env.write(
        "s.toml",
        "replications = 10\n[base]\nfamily = \"march1991\"\nsteps = 2000\n[base.march1991]\nm = 20\nn = 20\n[[base.models]]\nname = \"org\"\n[[axes]]\npath = \"models.org.p1\"\nvalues = [0.1, 0.9]\n",
    );
    env.run(&["sweep", "s.toml", "-o", "out", "-q"]).ok();
    let stats = read_csv(&env.path("out/stats.csv"));
    let mean = |p1: &str| -> f64 {
        stats
            .1
            .iter()
            .find(|r| r[1] == p1 && r[2] == "code_knowledge_final" && r[5].is_empty())
            .unwrap()[7]
            .parse()
            .unwrap()
    };
    // March's central result: slow socialization lets the code learn more.
    assert!(
        mean("0.1") > mean("0.9"),
        "{} vs {}",
        mean("0.1"),
        mean("0.9")
    );
}

#[test]
fn replications_pass_with_fewer_runs_and_report_the_table() {
    let env = Env::new();
    for (name, runs) in [
        ("nk", "10"),
        ("march1991", "200"),
        ("lazer-friedman-2007", "200"),
    ] {
        let out = env
            .run(&["replicate", name, "--runs", runs, "-q", "-o", name])
            .ok()
            .stdout();
        assert!(
            out.contains("published") && out.contains("checks passed"),
            "{name}: {out}"
        );
    }
    let csv = read_csv(&env.path("march1991/replication.csv"));
    assert_eq!(
        csv.0,
        [
            "check",
            "published",
            "reading",
            "published_se",
            "ours",
            "se",
            "tolerance",
            "pass"
        ]
    );
    assert_eq!(csv.1.len(), 11);
    assert!(env.path("lazer-friedman-2007/manifest.json").is_file());
    // A second call compares the finished results again without re-running.
    let again = env
        .run(&[
            "replicate",
            "march1991",
            "--runs",
            "200",
            "-q",
            "-o",
            "march1991",
        ])
        .ok();
    assert!(
        again
            .stderr()
            .contains("already holds this experiment's finished result"),
        "{}",
        again.stderr()
    );
    // The NK check writes no manifest: a second call must not silently overwrite its results.
    let before = std::fs::read(env.path("nk/replication.csv")).unwrap();
    env.run(&["replicate", "nk", "--runs", "10", "-q", "-o", "nk"])
        .fails(2, &["already holds results", "--force"]);
    assert_eq!(
        std::fs::read(env.path("nk/replication.csv")).unwrap(),
        before
    );
    env.run(&[
        "replicate",
        "nk",
        "--runs",
        "10",
        "-q",
        "-o",
        "nk",
        "--force",
    ])
    .ok();
}

#[test]
fn a_replication_that_misses_the_figure_exits_1() {
    let env = Env::new();
    // Lazer & Friedman with K distinct links (not the authors' generator) ends lower.
    let text = std::fs::read_to_string(repo("scenarios/reference/lazer-friedman-2007.toml"))
        .unwrap()
        .replace("links = \"with_replacement\"", "links = \"distinct\"")
        .replace("k = 5", "k = 10");
    let f = env.write("varied.toml", &text);
    let run = env.run(&[
        "replicate",
        "lazer-friedman-2007",
        "--scenario",
        &f.display().to_string(),
        "--runs",
        "100",
        "-q",
        "-o",
        "v",
    ]);
    assert_eq!(run.code(), 1, "{}", run.stdout());
    assert!(run.stdout().contains("FAILED"));
    assert!(run.stderr().contains("checks failed"));
    // A sweep that does not cover Fig. 1's grid is bad input.
    let f = env.write("partial.toml", "replications = 5\n[base]\nfamily = \"march1991\"\nsteps = 100\n[[base.models]]\nname = \"m\"\n[[axes]]\npath = \"models.m.p1\"\nvalues = [0.1, 0.9]\n");
    env.run(&[
        "replicate",
        "march1991",
        "--scenario",
        &f.display().to_string(),
        "-q",
        "-o",
        "p",
    ])
    .fails(
        2,
        &["Fig. 1 needs a sweep over models.<name>.p1 and models.<name>.p2"],
    );
}

/// A `--scenario` that cannot replicate the figure is refused before anything runs.
#[test]
fn a_replication_of_the_wrong_shape_is_refused_before_running() {
    let env = Env::new();
    let file = |name: &str| {
        repo(&format!("scenarios/reference/{name}"))
            .display()
            .to_string()
    };
    let cases = [
        (
            "march1991",
            file("march1991.toml"),
            "needs a sweep over models.<name>.p1 and models.<name>.p2",
        ),
        (
            "march1991",
            file("lazer-friedman-2007.toml"),
            "needs family = \"march1991\"",
        ),
        (
            "lazer-friedman-2007",
            file("march1991-fig1-sweep.toml"),
            "needs family = \"lazer_friedman2007\"",
        ),
        (
            "nk",
            file("march1991.toml"),
            "--scenario does not apply to nk",
        ),
    ];
    for (i, (name, scenario, needle)) in cases.iter().enumerate() {
        let out = format!("r{i}");
        env.run(&["replicate", name, "--scenario", scenario, "-o", &out])
            .fails(2, &[needle]);
        assert!(!env.path(&out).exists(), "{name}: nothing is written");
    }
    // Right family, wrong shape: a thinned time series; a grid missing a published point.
    let lf = std::fs::read_to_string(file("lazer-friedman-2007.toml")).unwrap();
    let thinned = env.write("thin.toml", &format!("{lf}\n[output]\nevery = 5\n"));
    env.run(&[
        "replicate",
        "lazer-friedman-2007",
        "--scenario",
        &thinned.display().to_string(),
        "-o",
        "t",
    ])
    .fails(2, &["read off every round"]);
    let march = std::fs::read_to_string(file("march1991-fig1-sweep.toml")).unwrap();
    assert!(march.contains("0.9]"), "the reference grid ends at 0.9");
    let short = env.write("short.toml", &march.replacen(", 0.9]", "]", 1));
    env.run(&[
        "replicate",
        "march1991",
        "--scenario",
        &short.display().to_string(),
        "-o",
        "s",
    ])
    .fails(2, &["needs every point", "no point"]);
    assert!(!env.path("t").exists() && !env.path("s").exists());
}
