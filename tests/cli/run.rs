//! `leadsim run`, `check` and `models` on small scenario files.

use crate::{Env, TABLES, assert_golden, repo};
use std::collections::BTreeMap;
use std::path::Path;

/// Reads a CSV into its header and rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The column `name` of a table.
pub fn column<'a>(t: &'a (Vec<String>, Vec<Vec<String>>), name: &str) -> Vec<&'a str> {
    let i =
        t.0.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", t.0));
    t.1.iter().map(|r| r[i].as_str()).collect()
}

fn small(env: &Env) -> String {
    let text = std::fs::read_to_string(repo("tests/data/small.toml")).unwrap();
    env.write("small.toml", &text).display().to_string()
}

#[test]
fn run_writes_tidy_tables_and_a_manifest() {
    let env = Env::new();
    let file = small(&env);
    let out = env.run(&["run", &file, "-o", "out", "-q"]).ok();
    // 3 models × 3 replicates.
    assert!(
        out.stdout()
            .starts_with("small: 9 runs (3 models × 3 replicates) → out\n"),
        "{}",
        out.stdout()
    );
    // The console summary says what its figures are: the header, each measure's reduction, unit
    // and range, and where the report is (issue 19, item 1).
    let text = out.stdout();
    assert!(
        text.contains("Outcomes and costs — mean [95% CI] over replicates\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "performance_final  (value at the last step; share of the maximum, 0 to 1)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("innovations_mean  (mean over the steps of a run; adoptions per step, ≥ 0)"),
        "{text}"
    );
    assert!(
        text.ends_with("what every measure means: out/report.html\n"),
        "{text}"
    );
    let dir = env.path("out");
    for t in TABLES {
        assert!(dir.join(t).is_file(), "{t} missing");
    }
    assert!(
        !dir.join("runs").exists(),
        "the journals are removed once the tables are assembled"
    );
    let ts = read_csv(&dir.join("timeseries.csv"));
    assert_eq!(&ts.0[..4], ["model", "replicate", "seed", "step"]);
    for m in [
        "performance",
        "innovations",
        "engagement",
        "leadership_skill",
        "messages",
        "harmful_adoptions",
        "disputes",
        "improvements",
        "reversals",
        "utilization",
        "expired",
        "latency",
        "leadership_centralization",
        "decision_makers",
        "participation",
        "distinct_configs",
        "radical_adoptions",
        "adoptions",
        "proposals",
    ] {
        assert!(ts.0.iter().any(|h| h == m), "column {m}");
    }
    // 3 models × 3 replicates × 31 steps (0..=30).
    assert_eq!(ts.1.len(), 3 * 3 * 31);
    for p in column(&ts, "performance") {
        let p: f64 = p.parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    let summary = read_csv(&dir.join("summary.csv"));
    assert_eq!(summary.1.len(), 9);
    let stats = read_csv(&dir.join("stats.csv"));
    assert_eq!(&stats.0[..4], ["metric", "kind", "model", "versus"]);
    // Every metric has one row per model and one per pair of models.
    let perf: Vec<_> = stats
        .1
        .iter()
        .filter(|r| r[0] == "performance_final")
        .collect();
    assert_eq!(perf.len(), 3 + 3);
    assert!(
        perf.iter()
            .any(|r| r[1] == "outcome" && r[2] == "shared" && r[3] == "centralized")
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 2024);
    assert_eq!(manifest["runs"], 9);
    assert!(
        manifest["inputs"][0]["text"]
            .as_str()
            .unwrap()
            .contains("name = \"small\"")
    );
    for t in ["timeseries.csv", "summary.csv", "shocks.csv", "stats.csv"] {
        let bytes = std::fs::read(dir.join(t)).unwrap();
        assert_eq!(
            manifest["files"][t].as_str().unwrap(),
            leadsim::output::checksum(&bytes),
            "the manifest's checksum of {t}"
        );
    }
    assert!(
        manifest["command"]
            .as_str()
            .unwrap()
            .starts_with("leadsim run")
    );
}

/// Golden output for a fixed seed: any change to the model, the streams or the formatting shows
/// up here. Regenerate deliberately with `LEADSIM_UPDATE_GOLDEN=1 cargo test --release golden`.
#[test]
fn golden_output_of_the_small_scenario() {
    let env = Env::new();
    let file = small(&env);
    env.run(&["run", &file, "-o", "out", "-q"]).ok();
    let golden = repo("tests/data/golden/small");
    for t in ["timeseries.csv", "summary.csv", "stats.csv"] {
        let got = std::fs::read_to_string(env.path("out").join(t)).unwrap();
        assert_golden(t, &got, &golden.join(t));
    }
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let env = Env::new();
    let file = small(&env);
    env.run(&["run", &file, "-o", "one", "--threads", "1", "-q"])
        .ok();
    env.run(&["run", &file, "-o", "two", "--threads", "2", "-q"])
        .ok();
    for t in TABLES {
        let a = std::fs::read(env.path("one").join(t)).unwrap();
        let b = std::fs::read(env.path("two").join(t)).unwrap();
        assert!(a == b, "{t} differs between 1 and 2 threads");
    }
}

#[test]
fn every_model_of_a_replicate_starts_from_the_same_state() {
    let env = Env::new();
    let file = small(&env);
    env.run(&["run", &file, "-o", "out", "-q"]).ok();
    let ts = read_csv(&env.path("out").join("timeseries.csv"));
    let mut step0: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for row in &ts.1 {
        if row[3] == "0" {
            // Everything but the model name.
            step0
                .entry(row[1].clone())
                .or_default()
                .push(row[2..].to_vec());
        }
    }
    assert_eq!(step0.len(), 3);
    for (rep, rows) in step0 {
        assert_eq!(rows.len(), 3);
        assert!(
            rows.iter().all(|r| r == &rows[0]),
            "replicate {rep}: {rows:?}"
        );
    }
}

#[test]
fn decision_makers_match_the_model() {
    let env = Env::new();
    let file = small(&env);
    env.run(&["run", &file, "-o", "out", "-q"]).ok();
    let ts = read_csv(&env.path("out").join("timeseries.csv"));
    let models = column(&ts, "model");
    let dm = column(&ts, "decision_makers");
    let mut shared_max = 0;
    for (m, d) in models.iter().zip(dm) {
        let d: u32 = d.parse().unwrap();
        match *m {
            "centralized" => assert!(d <= 1, "centralized has one decision maker, got {d}"),
            "shared" => {
                // At most one lead per domain, plus consulted leads of the same domains.
                assert!(d <= 3, "shared with 3 domains: at most 3 deciders, got {d}");
                shared_max = shared_max.max(d);
            }
            _ => {}
        }
    }
    assert!(shared_max >= 2, "shared leadership spreads decisions");
}

#[test]
fn flat_landscape_without_noise_is_climbed_to_the_top() {
    let env = Env::new();
    let file = env.write(
        "k0.toml",
        "steps = 200\nreplications = 3\n[landscape]\nn = 10\nk = 0\ndrift = 0\n[behaviour]\nnoise = 0\n[organization]\nmembers = 12\ndomains = 2\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n[[models]]\nkind = \"hybrid\"\n[[models]]\nkind = \"shared\"\nname = \"votes\"\ncoordination = \"vote\"\n",
    );
    env.run(&["run", &file.display().to_string(), "-o", "out", "-q"])
        .ok();
    let summary = read_csv(&env.path("out").join("summary.csv"));
    for (m, p) in column(&summary, "model")
        .iter()
        .zip(column(&summary, "performance_final"))
    {
        assert_eq!(p, "1", "{m} did not reach the global optimum");
    }
}

#[test]
fn results_are_never_silently_overwritten() {
    let env = Env::new();
    let file = small(&env);
    env.run(&["run", &file, "-o", "out", "-q"]).ok();
    let before = std::fs::read(env.path("out/summary.csv")).unwrap();
    // The same command again finds its result there; another experiment is refused.
    env.run(&["run", &file, "-o", "out", "-q"]).ok();
    env.run(&["run", &file, "-o", "out", "-q", "--seed", "3"])
        .fails(2, &["holds a different experiment", "--force"]);
    assert_eq!(std::fs::read(env.path("out/summary.csv")).unwrap(), before);
    env.run(&["run", &file, "-o", "out", "-q", "--force"]).ok();
    env.run(&["run", &file, "-o", "out", "-q", "--resume"]).ok();
    // A resume of another experiment says what differs.
    env.run(&[
        "run",
        &file,
        "-o",
        "out",
        "-q",
        "--resume",
        "--replications",
        "5",
    ])
    .fails(2, &["different experiment", "replications 3 versus 5"]);
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("steps = 30", "steps = 31")).unwrap();
    env.run(&["run", &file, "-o", "out", "-q", "--resume"])
        .fails(2, &["the scenario file", "differs"]);
    std::fs::write(&file, text).unwrap();
    std::fs::create_dir(env.path("mine")).unwrap();
    std::fs::write(env.path("mine/notes.txt"), "keep").unwrap();
    env.run(&["run", &file, "-o", "mine", "-q"])
        .fails(2, &["not a leadsim result folder"]);
}

#[test]
fn default_output_folder_is_named_after_the_scenario() {
    let env = Env::new();
    let file = small(&env);
    env.run(&["run", &file, "-q", "--replications", "1"]).ok();
    assert!(env.path("output/small/manifest.json").is_file());
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.path("output/small/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(m["replications"], 1);
    assert_eq!(m["overrides"]["replications"], "1");
}

#[test]
fn bad_scenarios_exit_2_name_the_key_and_write_nothing() {
    let env = Env::new();
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "unknown-key.toml",
            "[organization]\nmembres = 10\n[[models]]\nkind = \"shared\"\n",
            &[
                "unknown-key.toml:2",
                "organization.membres",
                "did you mean \"members\"",
            ],
        ),
        (
            "wrong-type.toml",
            "steps = \"ten\"\n[[models]]\nkind = \"shared\"\n",
            &["wrong-type.toml:1", "steps", "whole number"],
        ),
        (
            "k-too-big.toml",
            "[landscape]\nn = 6\nk = 6\n[[models]]\nkind = \"shared\"\n",
            &["landscape.k", "between 0 and N - 1 = 5"],
        ),
        (
            "no-members.toml",
            "[organization]\nmembers = 0\n[[models]]\nkind = \"shared\"\n",
            &["organization.members", "0 is out of range"],
        ),
        (
            "unknown-model.toml",
            "[[models]]\nkind = \"democracy\"\n",
            &[
                "models[0].kind",
                "unknown leadership model \"democracy\"",
                "\"centralized\"",
            ],
        ),
        (
            "negative-rate.toml",
            "[behaviour]\npropose_rate = -0.2\n[[models]]\nkind = \"shared\"\n",
            &[
                "behaviour.propose_rate",
                "-0.2 is out of range",
                "between 0 and 1",
            ],
        ),
        (
            "syntax.toml",
            "seed = \n",
            &["syntax.toml:1", "not valid TOML"],
        ),
    ];
    for (name, text, needles) in cases {
        let file = env.write(name, text);
        let out = format!("out-{name}");
        env.run(&["run", &file.display().to_string(), "-o", &out])
            .fails(2, needles);
        assert!(
            !env.path(&out).exists(),
            "{name}: an output folder was written"
        );
        env.run(&["check", &file.display().to_string()])
            .fails(2, needles);
    }
    env.run(&["run", "missing.toml"])
        .fails(2, &["missing.toml"]);
}

#[test]
fn check_shows_the_runs_and_models_lists_the_kinds() {
    let env = Env::new();
    let file = small(&env);
    let out = env.run(&["check", &file]).ok().stdout();
    assert!(out.contains("valid scenario \"small\""), "{out}");
    assert!(
        out.contains("3 models × 3 replicates = 9 runs of 30 steps"),
        "{out}"
    );
    assert!(!env.path("output").exists(), "check runs nothing");
    assert!(out.contains("events: none"), "{out}");
    // 12 members × 30 steps × 9 runs, and the rows the run will write (9 × steps 0…30).
    assert!(out.contains("work: 3.2 k member-steps"), "{out}");
    assert!(out.contains("(279 time-series rows)"), "{out}");
    env.run(&["run", &file, "-o", "r", "-q", "--no-charts"])
        .ok();
    assert_eq!(read_csv(&env.path("r/timeseries.csv")).1.len(), 279);
    let shocked = env.write(
        "shocked.toml",
        &std::fs::read_to_string(&file).unwrap().replace(
            "[[models]]\nkind = \"centralized\"",
            "[[events]]\nkind = \"turnover\"\nname = \"exodus\"\nat = [10, 20]\nfraction = 0.25\n\n[[models]]\nkind = \"centralized\"",
        ),
    );
    let out = env
        .run(&["check", &shocked.display().to_string()])
        .ok()
        .stdout();
    assert!(
        out.contains(
            "events:\n    exodus: turnover (fraction = 0.25) at steps 10, 20; a measured shock"
        ),
        "{out}"
    );
    assert!(out.contains("up to 18 shock rows"), "{out}");
    let models = env.run(&["models"]).ok().stdout();
    for kind in [
        "centralized",
        "shared",
        "hybrid",
        "power_sharing",
        "coordination",
        "consent",
        "review_capacity",
        "interim",
    ] {
        assert!(models.contains(kind), "{kind} not listed");
    }
}

/// `--help` everywhere with an example; the top level lists the exit codes (README, "Exit
/// codes") and `sweep` lists every key of a sweep file (docs/FORMAT.md, "Sweep files").
#[test]
fn every_command_has_help_with_an_example() {
    let env = Env::new();
    for cmd in [
        "run",
        "sweep",
        "merge",
        "slurm",
        "check",
        "models",
        "events",
        "replicate",
        "landscape",
        "plot",
        "report",
    ] {
        let text = env.run(&[cmd, "--help"]).ok().stdout();
        assert!(
            text.contains("Example") && text.contains(&format!("leadsim {cmd}")),
            "{cmd}: {text}"
        );
    }
    let top = env.run(&["--help"]).ok().stdout();
    assert!(top.contains("leadsim run scenarios/baseline.toml") && top.contains("2 bad input"));
    let sweep = env.run(&["sweep", "--help"]).ok().stdout();
    for p in leadsim::experiment::sweep::params()
        .iter()
        .flat_map(|(_, ps)| ps)
    {
        assert!(
            sweep.contains(&format!("  {} ", p.key)),
            "{}: {sweep}",
            p.key
        );
    }
}

/// Output that cannot be written (a full disk behind `>`) is a failure, exit 1; a reader that
/// stops early (`| head`) is not.
#[test]
fn unwritable_standard_output_fails_but_a_closed_pipe_does_not() {
    use std::process::{Command, Stdio};
    let env = Env::new();
    let file = small(&env);
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = Command::new(env!("CARGO_BIN_EXE_leadsim"))
            .args(["check", &file])
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadsim"))
        .args(["events"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close our end at once, as `head` does after its lines.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
