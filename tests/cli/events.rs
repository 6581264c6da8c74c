//! Change scenarios: events, hazards, adaptability, and `leadsim events`.

use crate::run::{column, read_csv};
use crate::{Env, repo};
use std::collections::BTreeMap;

const BASE: &str = "seed = 9\nsteps = 60\nreplications = 3\n[landscape]\nn = 10\nk = 2\n[organization]\nmembers = 16\ndomains = 4\n[behaviour]\npropose_rate = 0.4\n[behaviour.engagement]\nleave_rate = 0\n[[models]]\nkind = \"centralized\"\nreview_capacity = 2\n[[models]]\nkind = \"shared\"\n";

fn run(env: &Env, name: &str, events: &str) -> std::path::PathBuf {
    let file = env.write(&format!("{name}.toml"), &format!("{BASE}{events}"));
    env.run(&["run", &file.display().to_string(), "-o", name, "-q"])
        .ok();
    env.path(name)
}

/// Rows of a time series for one model and replicate, as (step, value of `col`).
fn series(
    ts: &(Vec<String>, Vec<Vec<String>>),
    model: &str,
    rep: &str,
    col: &str,
) -> Vec<(u32, f64)> {
    let i = ts.0.iter().position(|h| h == col).unwrap();
    ts.1.iter()
        .filter(|r| r[0] == model && r[1] == rep)
        .map(|r| (r[3].parse().unwrap(), r[i].parse().unwrap_or(f64::NAN)))
        .collect()
}

/// With no interim holder (the same rule in both models), the centralized organization stops
/// deciding while its one leader is gone, and the shared one, which lost one of four leads,
/// keeps deciding.
#[test]
fn a_vacant_central_seat_stops_all_decisions_but_shared_leads_keep_deciding() {
    let env = Env::new();
    let file = env.write(
        "loss.toml",
        &format!(
            "{}[[events]]\nkind = \"leader_loss\"\nat = 20\nvacancy = 25\n",
            BASE.replace("[[models]]\n", "[[models]]\ninterim = \"none\"\n")
        ),
    );
    env.run(&["run", &file.display().to_string(), "-o", "loss", "-q"])
        .ok();
    let dir = env.path("loss");
    let ts = read_csv(&dir.join("timeseries.csv"));
    for rep in ["0", "1", "2"] {
        let central = series(&ts, "centralized", rep, "adoptions");
        let during: f64 = central
            .iter()
            .filter(|(t, _)| (20..45).contains(t))
            .map(|x| x.1)
            .sum();
        assert_eq!(
            during, 0.0,
            "replicate {rep}: the centralized organization adopted while its only leader was gone"
        );
        let dm = series(&ts, "centralized", rep, "members");
        assert!(
            dm.iter()
                .filter(|(t, _)| (20..45).contains(t))
                .all(|x| x.1 == 15.0)
        );
        let reviews: f64 = series(&ts, "shared", rep, "decision_makers")
            .iter()
            .filter(|(t, _)| (25..45).contains(t))
            .map(|x| x.1)
            .sum();
        assert!(
            reviews > 0.0,
            "replicate {rep}: shared leads stopped deciding"
        );
    }
    let shared_adoptions: f64 = ["0", "1", "2"]
        .iter()
        .flat_map(|rep| series(&ts, "shared", rep, "adoptions"))
        .filter(|(t, _)| (20..45).contains(t))
        .map(|x| x.1)
        .sum();
    assert!(
        shared_adoptions > 0.0,
        "the shared organization kept adopting"
    );
    let shocks = read_csv(&dir.join("shocks.csv"));
    assert_eq!(shocks.1.len(), 6, "one shock per run");
    assert!(column(&shocks, "kind").iter().all(|k| *k == "leader_loss"));
}

#[test]
fn every_model_meets_the_same_events_at_the_same_steps_with_the_same_members() {
    let env = Env::new();
    let dir = run(
        &env,
        "crn",
        "[[events]]\nkind = \"turnover\"\nhazard = 0.05\nfraction = 0.25\n[[events]]\nkind = \"landscape_shock\"\nat = [15, 45]\nfraction = 0.3\n",
    );
    let shocks = read_csv(&dir.join("shocks.csv"));
    let mut by_run: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for r in &shocks.1 {
        by_run
            .entry((r[1].clone(), r[0].clone()))
            .or_default()
            .push((r[4].clone(), r[6].clone()));
    }
    for rep in ["0", "1", "2"] {
        let c = &by_run[&(rep.to_string(), "centralized".to_string())];
        let s = &by_run[&(rep.to_string(), "shared".to_string())];
        assert_eq!(c, s, "replicate {rep}: different events or steps");
        assert!(c.len() >= 2);
    }
    // With no departures by disengagement, the same members leave under both models.
    let ts = read_csv(&dir.join("timeseries.csv"));
    for rep in ["0", "1", "2"] {
        assert_eq!(
            series(&ts, "centralized", rep, "departures"),
            series(&ts, "shared", rep, "departures")
        );
    }
}

#[test]
fn adaptability_is_measured_per_shock_and_summarized_per_model() {
    let env = Env::new();
    let dir = run(
        &env,
        "shock",
        "[[events]]\nkind = \"landscape_shock\"\nname = \"market\"\nat = 30\nfraction = 1.0\n",
    );
    let shocks = read_csv(&dir.join("shocks.csv"));
    assert_eq!(
        &shocks.0[3..],
        [
            "shock",
            "event",
            "kind",
            "step",
            "capacity_lost",
            "before",
            "after",
            "drop",
            "trough",
            "max_drop",
            "recovery_steps",
            "censored",
            "window_mean",
            "window_steps",
            "effect",
            "effect_min"
        ]
    );
    let col = |name: &str| shocks.0.iter().position(|h| h == name).unwrap();
    let num = |r: &[String], name: &str| -> f64 { r[col(name)].parse().unwrap() };
    let ts = read_csv(&dir.join("timeseries.csv"));
    for r in &shocks.1 {
        let (model, rep) = (&r[0], &r[1]);
        let perf = series(&ts, model, rep, "performance");
        let before = num(r, "before");
        assert_eq!(
            before, perf[29].1,
            "before = performance at the end of step 29"
        );
        let (drop, after) = (num(r, "drop"), num(r, "after"));
        assert!((before - after - drop).abs() < 1e-12);
        let censored = &r[col("censored")];
        let recovery = num(r, "recovery_steps") as u32;
        if censored == "false" && recovery > 0 {
            assert!(
                perf[30 + recovery as usize].1 >= before,
                "recovered at the step it says"
            );
        }
        if censored == "true" {
            assert!(perf[30..].iter().all(|p| p.1 < before) || num(r, "trough") < before);
        }
        // The counterfactual effect: the twin without the shock is a different run after step
        // 30, the same before; the effect is a difference of performances.
        let (effect, worst) = (num(r, "effect"), num(r, "effect_min"));
        assert!(effect.abs() <= 1.0 && worst <= effect, "{effect} {worst}");
        assert!(r[col("capacity_lost")].is_empty(), "NA: not a leader loss");
    }
    let stats = read_csv(&dir.join("stats.csv"));
    for m in [
        "shock_drop",
        "shock_max_drop",
        "shock_recovered",
        "shock_recovery_median",
        "shock_window_mean",
        "shock_effect",
        "shock_effect_min",
    ] {
        assert!(
            stats
                .1
                .iter()
                .any(|r| r[0] == m && r[2] == "shared" && r[3].is_empty()),
            "{m} missing"
        );
        assert!(
            stats
                .1
                .iter()
                .any(|r| r[0] == m && r[2] == "shared" && r[3] == "centralized"),
            "paired {m} missing"
        );
    }
}

/// With two measured events, stats.csv also summarizes each event alone (`shock_drop@<event>`),
/// and those statistics are the means over the runs of that event's rows of shocks.csv; with
/// one event there are no per-event rows (they would repeat the overall ones).
#[test]
fn several_shocks_are_also_summarized_event_by_event() {
    let env = Env::new();
    let dir = run(
        &env,
        "two",
        "[[events]]\nkind = \"landscape_shock\"\nname = \"market\"\nat = 20\nfraction = 0.8\n[[events]]\nkind = \"turnover\"\nname = \"exodus\"\nat = [35, 45]\nfraction = 0.3\n",
    );
    let shocks = read_csv(&dir.join("shocks.csv"));
    let drop_col = shocks.0.iter().position(|h| h == "drop").unwrap();
    let stats = read_csv(&dir.join("stats.csv"));
    let stat = |metric: &str, model: &str| -> f64 {
        let row = stats
            .1
            .iter()
            .find(|r| r[0] == metric && r[2] == model && r[3].is_empty())
            .unwrap_or_else(|| panic!("{metric} {model} missing"));
        row[5].parse().unwrap()
    };
    for model in ["centralized", "shared"] {
        for event in ["market", "exodus"] {
            // Each run's mean drop over its firings of the event, then the mean over runs.
            let mut per_run: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for r in shocks.1.iter().filter(|r| r[0] == model && r[4] == event) {
                per_run
                    .entry(r[1].clone())
                    .or_default()
                    .push(r[drop_col].parse().unwrap());
            }
            assert_eq!(per_run.len(), 3, "{event} fired in every replicate");
            let means: Vec<f64> = per_run
                .values()
                .map(|v| v.iter().sum::<f64>() / v.len() as f64)
                .collect();
            let expected = means.iter().sum::<f64>() / means.len() as f64;
            let got = stat(&format!("shock_drop@{event}"), model);
            assert!(
                (got - expected).abs() < 1e-12,
                "{model} {event}: {got} vs {expected}"
            );
        }
        assert!(
            stats
                .1
                .iter()
                .any(|r| r[0] == "shock_window_mean@exodus" && r[2] == model)
        );
    }
    assert!(
        stats
            .1
            .iter()
            .any(|r| r[0] == "shock_recovery_median@market"
                && r[2] == "shared"
                && r[3] == "centralized"),
        "paired differences per event"
    );
    let one = run(
        &env,
        "one",
        "[[events]]\nkind = \"landscape_shock\"\nname = \"market\"\nat = 20\n",
    );
    let stats = read_csv(&one.join("stats.csv"));
    assert!(stats.1.iter().any(|r| r[0] == "shock_drop"));
    assert!(!stats.1.iter().any(|r| r[0].contains('@')));
}

#[test]
fn bad_events_exit_2_with_a_clear_message() {
    let env = Env::new();
    let cases: [(&str, &[&str]); 9] = [
        (
            "kind = \"landscape_shock\"\nat = 61\n",
            &["events[0].at", "step 61 is outside the run", "1 to 60"],
        ),
        (
            "kind = \"crisis\"\nat = 30\nuntil = 20\n",
            &[
                "events[0].until",
                "ends (step 20) before it starts (step 30)",
            ],
        ),
        (
            "kind = \"turnover\"\nat = 10\nfraction = 1.5\n",
            &[
                "events[0].fraction",
                "1.5 is out of range",
                "between 0 and 1",
            ],
        ),
        (
            "kind = \"reorg\"\nat = 10\nmodel = \"sharde\"\n",
            &[
                "events[0].model",
                "\"sharde\" is not one of the scenario's models",
                "did you mean \"shared\"",
            ],
        ),
        (
            "kind = \"leader_loss\"\nat = 10\ncount = 9\n",
            &["events[0].count", "at most 5"],
        ),
        (
            "kind = \"earthquake\"\nat = 10\n",
            &["events[0].kind", "unknown event kind \"earthquake\""],
        ),
        (
            "kind = \"landscape_shock\"\n",
            &["events[0].at", "is required"],
        ),
        (
            "kind = \"landscape_shock\"\nat = 5\nhazard = 0.1\n",
            &["either at", "or hazard"],
        ),
        (
            "kind = \"turnover\"\nat = 5\nduration = 3\n",
            &["events[0].duration", "has no end"],
        ),
    ];
    for (i, (event, needles)) in cases.iter().enumerate() {
        let file = env.write(
            &format!("bad{i}.toml"),
            &format!("{BASE}[[events]]\n{event}"),
        );
        let out = format!("out{i}");
        env.run(&["run", &file.display().to_string(), "-o", &out])
            .fails(2, needles);
        assert!(!env.path(&out).exists());
    }
}

#[test]
fn leadsim_events_lists_every_kind() {
    let env = Env::new();
    let out = env.run(&["events"]).ok().stdout();
    for kind in [
        "landscape_shock",
        "turbulence",
        "leader_loss",
        "turnover",
        "network_disruption",
        "crisis",
        "growth",
        "reorg",
        "mentoring",
        "cross_functional",
        "team_decisions",
        "hazard",
        "vacancy",
        "fraction",
        "until",
    ] {
        assert!(out.contains(kind), "{kind} not listed");
    }
}

/// Every bundled scenario runs and gives sane outputs (with two replicates to stay quick).
#[test]
fn every_example_scenario_runs() {
    let env = Env::new();
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/change", "scenarios/patterns"] {
        for e in std::fs::read_dir(repo(dir)).unwrap() {
            let p = e.unwrap().path();
            // Sweeps run elsewhere (tests/cli/sweep.rs; the sweeps of scenarios/patterns/ in
            // tests/cli/patterns.rs).
            let name = p.to_string_lossy();
            let sweep = ["-sweep.toml", "-morris.toml", "-sobol.toml"]
                .iter()
                .any(|s| name.ends_with(s))
                || std::fs::read_to_string(&p).is_ok_and(|t| t.contains("\n[base]"));
            if p.extension().is_some_and(|x| x == "toml") && !sweep {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 18, "{files:?}");
    for (i, f) in files.iter().enumerate() {
        let out = format!("ex{i}");
        env.run(&[
            "run",
            &f.display().to_string(),
            "-o",
            &out,
            "-q",
            "--replications",
            "2",
        ])
        .ok();
        let dir = env.path(&out);
        let ts = read_csv(&dir.join("timeseries.csv"));
        assert!(!ts.1.is_empty(), "{}", f.display());
        for p in column(&ts, "performance") {
            let p: f64 = p.parse().unwrap();
            assert!((0.0..=1.0).contains(&p), "{}: performance {p}", f.display());
        }
        let text = std::fs::read_to_string(f).unwrap();
        let shocks = read_csv(&dir.join("shocks.csv"));
        if text.contains("kind = \"landscape_shock\"") || text.contains("kind = \"leader_loss\"") {
            assert!(!shocks.1.is_empty(), "{}: no shocks recorded", f.display());
        }
        assert!(dir.join("manifest.json").is_file());
    }
}
