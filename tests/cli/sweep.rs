//! Sweeps: designs, thread independence, interruption and resume, shards and merge.

use crate::run::read_csv;
use crate::{Env, repo};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BASE: &str = "seed = 4\nsteps = 40\nreplications = 2\n[landscape]\nn = 10\nk = 2\n[organization]\nmembers = 16\ndomains = 4\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n[[events]]\nkind = \"landscape_shock\"\nname = \"shock\"\nat = 20\n";

const SWEEP: &str = "base = \"base.toml\"\nreplications = 3\n[[axes]]\npath = \"organization.members\"\nvalues = [8, 16]\n[[axes]]\npath = \"models.centralized.review_capacity\"\nfrom = 1\nto = 3\nsteps = 2\n[[axes]]\npath = \"events.shock.fraction\"\nvalues = [0.2, 0.8]\n";

const FILES: [&str; 6] = [
    "timeseries.csv",
    "summary.csv",
    "shocks.csv",
    "stats.csv",
    "manifest.json",
    "plan.json",
];

fn setup(env: &Env) -> String {
    env.write("base.toml", BASE);
    env.write("s.toml", SWEEP).display().to_string()
}

/// Asserts two result folders hold byte-identical files.
fn same(a: &Path, b: &Path) {
    for f in FILES {
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

#[test]
fn a_sweep_writes_one_row_per_point_model_and_replicate() {
    let env = Env::new();
    let s = setup(&env);
    let out = env.run(&["check", &s]).ok().stdout();
    assert!(
        out.contains("8 points × 2 models × 3 replicates = 48 runs"),
        "{out}"
    );
    assert!(
        out.contains("4 distinct worlds"),
        "model parameters do not change the world: {out}"
    );
    // Members 8 or 16 at two points each, 40 steps, 6 runs per point; 41 rows per run.
    assert!(
        out.contains("work: 23.0 k member-steps") && out.contains("(2.0 k time-series rows"),
        "{out}"
    );
    let done = env.run(&["sweep", &s, "-o", "out", "-q"]).ok().stdout();
    // The console says where the per-point statistics and the report are, when run and when
    // found finished.
    let pointer =
        "Every point's statistics, the charts and what every measure means: out/report.html\n";
    assert!(done.ends_with(pointer), "{done}");
    let again = env.run(&["sweep", &s, "-o", "out", "-q"]).ok().stdout();
    assert_eq!(again, pointer);
    let summary = read_csv(&env.path("out/summary.csv"));
    assert_eq!(
        &summary.0[..7],
        [
            "point",
            "organization.members",
            "models.centralized.review_capacity",
            "events.shock.fraction",
            "model",
            "replicate",
            "seed"
        ]
    );
    assert_eq!(summary.1.len(), 48);
    // Points in grid order, first axis slowest.
    assert_eq!(&summary.1[0][..4], ["0", "8", "1", "0.2"]);
    assert_eq!(&summary.1[47][..4], ["7", "16", "3", "0.8"]);
    // Common random numbers across points that differ only in a model parameter.
    let seeds: Vec<(String, String)> = summary
        .1
        .iter()
        .map(|r| (r[0].clone(), r[6].clone()))
        .collect();
    let seed_of = |point: &str| seeds.iter().find(|(p, _)| p == point).unwrap().1.clone();
    assert_eq!(
        seed_of("0"),
        seed_of("2"),
        "capacity 1 vs 3 at the same world"
    );
    assert_ne!(
        seed_of("0"),
        seed_of("1"),
        "a different shock is a different world"
    );
    let stats = read_csv(&env.path("out/stats.csv"));
    assert_eq!(
        &stats.0[..5],
        [
            "point",
            "organization.members",
            "models.centralized.review_capacity",
            "events.shock.fraction",
            "metric"
        ]
    );
    assert!(stats.1.iter().any(|r| r[0] == "7"
        && r[4] == "performance_final"
        && r[5] == "outcome"
        && r[6] == "shared"
        && r[7] == "centralized"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("out/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["kind"], "sweep");
    assert_eq!(m["points"].as_array().unwrap().len(), 8);
    assert_eq!(
        m["inputs"].as_array().unwrap().len(),
        2,
        "sweep and base texts are recorded"
    );
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let env = Env::new();
    let s = setup(&env);
    env.run(&["sweep", &s, "-o", "one", "-q", "--threads", "1"])
        .ok();
    env.run(&["sweep", &s, "-o", "two", "-q", "--threads", "2"])
        .ok();
    same(&env.path("one"), &env.path("two"));
}

#[test]
fn shards_merge_into_the_unsharded_result_and_bad_sets_are_refused() {
    let env = Env::new();
    let s = setup(&env);
    env.run(&["sweep", &s, "-o", "whole", "-q"]).ok();
    for i in 1..=3 {
        let out = env
            .run(&[
                "sweep",
                &s,
                "--shard",
                &format!("{i}/3"),
                "-o",
                &format!("s{i}"),
                "-q",
            ])
            .ok();
        assert!(
            out.stdout()
                .contains(&format!("shard {i}/3, 16 of 48 runs")),
            "{}",
            out.stdout()
        );
    }
    env.run(&["merge", "s1", "s2", "-o", "m"])
        .fails(2, &["missing 3/3"]);
    assert!(!env.path("m").exists());
    env.run(&["merge", "s1", "s2", "s2", "s3", "-o", "m"])
        .fails(2, &["shard 2/3 is given twice"]);
    env.run(&["merge", "s3", "s1", "s2", "-o", "merged"]).ok();
    same(&env.path("whole"), &env.path("merged"));
    // A shard of another sweep is foreign.
    env.write("t.toml", &SWEEP.replace("[0.2, 0.8]", "[0.3, 0.8]"));
    env.run(&["sweep", "t.toml", "--shard", "3/3", "-o", "t3", "-q"])
        .ok();
    env.run(&["merge", "s1", "s2", "t3", "-o", "m2"])
        .fails(2, &["belongs to another experiment"]);
    env.run(&["merge", "whole", "-o", "m3"])
        .fails(2, &["not a shard"]);
    env.run(&["merge", "nowhere", "-o", "m4"])
        .fails(2, &["nowhere", "not a leadsim result folder"]);
}

/// A long sweep for the interruption tests: enough runs that a kill lands in the middle.
fn long_sweep(env: &Env) -> String {
    env.write("base.toml", &BASE.replace("steps = 40", "steps = 300"));
    env.write(
        "long.toml",
        "base = \"base.toml\"\nreplications = 40\n[design]\nkind = \"lhs\"\nsamples = 10\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.0\nto = 0.2\n",
    )
    .display()
    .to_string()
}

/// Bytes of finished runs in a result folder's journals.
pub(crate) fn journaled(dir: &Path) -> u64 {
    std::fs::read_dir(dir.join("runs"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "runs"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Starts `leadsim sweep` on one thread, waits until some runs are journaled, and signals it.
pub(crate) fn interrupt(env: &Env, sweep: &str, out: &str, signal: &str) -> std::process::Output {
    let child = Command::new(env!("CARGO_BIN_EXE_leadsim"))
        .args(["sweep", sweep, "-o", out, "-q", "--threads", "1"])
        .current_dir(env.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let dir = env.path(out);
    let start = Instant::now();
    while journaled(&dir) < 50_000 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no run finished in time"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

#[test]
fn a_sweep_killed_with_sigkill_resumes_to_the_same_result() {
    let env = Env::new();
    let s = long_sweep(&env);
    let out = interrupt(&env, &s, "killed", "-KILL");
    assert!(!out.status.success());
    assert!(
        !env.path("killed/manifest.json").exists(),
        "an interrupted sweep is not marked complete"
    );
    let before = journaled(&env.path("killed"));
    env.run(&["sweep", &s, "-o", "killed", "-q"])
        .fails(2, &["unfinished", "--resume"]);
    env.run(&["sweep", &s, "-o", "killed", "-q", "--resume"])
        .ok();
    env.run(&["sweep", &s, "-o", "clean", "-q"]).ok();
    same(&env.path("killed"), &env.path("clean"));
    assert!(before > 0);
}

#[test]
fn ctrl_c_stops_cleanly_says_how_to_resume_and_loses_nothing() {
    let env = Env::new();
    let s = long_sweep(&env);
    let out = interrupt(&env, &s, "stopped", "-INT");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("interrupted") && err.contains("--resume"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    env.run(&["sweep", &s, "-o", "stopped", "-q", "--resume"])
        .ok();
    env.run(&["sweep", &s, "-o", "clean", "-q"]).ok();
    same(&env.path("stopped"), &env.path("clean"));
}

/// SIGTERM stops a run in progress (not only the runs not yet started): a single run of a
/// large organization over many steps (about half a minute here) must not hold up the stop, and
/// the abandoned run is not recorded.
#[test]
fn a_stop_abandons_a_long_run_in_progress_and_journals_nothing() {
    let env = Env::new();
    let s = env.write(
        "long.toml",
        "seed = 4\nsteps = 1000000\nreplications = 1\n[landscape]\nn = 10\nk = 2\n[organization]\nmembers = 1000\n[output]\nevery = 100000\n[[models]]\nkind = \"shared\"\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadsim"))
        .args(["run", &s.display().to_string(), "-o", "long", "-q"])
        .current_dir(env.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !env.path("long/runs").is_dir() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    // A prompt stop takes milliseconds; finishing the run instead would take far longer.
    while child.try_wait().unwrap().is_none() {
        if signalled.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the run in progress did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("0 of 1 runs are finished") && err.contains("--resume"),
        "{err}"
    );
    assert_eq!(journaled(&env.path("long")), 0);
    assert!(!env.path("long/manifest.json").exists());
}

#[test]
fn bad_sweeps_exit_2_before_running() {
    let env = Env::new();
    env.write("base.toml", BASE);
    let cases: [(&str, &[&str]); 5] = [
        (
            "base = \"base.toml\"\n[[axes]]\npath = \"organization.membres\"\nvalues = [5]\n",
            &[
                "the swept parameter organization.membres at point 0 (organization.membres = 5): unknown key",
                "did you mean \"members\"",
            ],
        ),
        (
            "base = \"nothere.toml\"\n[[axes]]\npath = \"landscape.k\"\nvalues = [1]\n",
            &["nothere.toml"],
        ),
        (
            "base = \"base.toml\"\n[[axes]]\npath = \"models.ghost.review_capacity\"\nvalues = [1]\n",
            &["no [[models]] is named \"ghost\""],
        ),
        (
            "base = \"base.toml\"\nmax_runs = 5\n[[axes]]\npath = \"landscape.k\"\nvalues = [1, 2]\n",
            &["= 8 runs, more than max_runs = 5"],
        ),
        (
            "base = \"base.toml\"\n[design]\nkind = \"lhs\"\nsamples = 4\n[[axes]]\npath = \"landscape.k\"\nfrom = 0\nto = 5\nsteps = 3\n",
            &["remove steps"],
        ),
    ];
    for (i, (text, needles)) in cases.iter().enumerate() {
        let f = env
            .write(&format!("bad{i}.toml"), text)
            .display()
            .to_string();
        env.run(&["sweep", &f, "-o", &format!("o{i}")])
            .fails(2, needles);
        assert!(!env.path(&format!("o{i}")).exists());
    }
    env.run(&["sweep", &setup(&env), "--shard", "4/3"])
        .fails(2, &["4/3 is not a shard"]);
    // The wrong command for the file says which one to use.
    env.run(&["sweep", "base.toml", "-o", "w1"])
        .fails(2, &["looks like a scenario file", "leadsim run base.toml"]);
    env.run(&["run", "s.toml", "-o", "w2"])
        .fails(2, &["is a sweep file", "leadsim sweep s.toml"]);
    assert!(!env.path("w1").exists() && !env.path("w2").exists());
}

#[test]
fn every_example_sweep_is_valid() {
    let env = Env::new();
    let mut n = 0;
    for e in std::fs::read_dir(repo("scenarios")).unwrap() {
        let p = e.unwrap().path();
        let name = p.to_string_lossy();
        if ["-sweep.toml", "-morris.toml", "-sobol.toml"]
            .iter()
            .any(|s| name.ends_with(s))
        {
            let out = env.run(&["check", &p.display().to_string()]).ok().stdout();
            assert!(out.contains("valid sweep"), "{out}");
            n += 1;
        }
    }
    assert!(n >= 5, "the grid, Morris and Sobol' examples");
}

/// Issue 19, item 4: `check` lists a sweep's points with one precision per parameter (`0.0`,
/// `0.1` … and `2.0`, `2.5`, not `0`, `0.1`, `2`, `2.5`), in columns under their names; the
/// report's table of points does the same.
#[test]
fn sweep_points_are_listed_with_one_precision_per_parameter() {
    let env = Env::new();
    env.write("base.toml", BASE);
    env.write(
        "mixed.toml",
        "base = \"base.toml\"\nreplications = 2\n[[axes]]\npath = \"behaviour.propose_rate\"\nfrom = 0.0\nto = 0.3\nsteps = 4\n[[axes]]\npath = \"models.centralized.review_capacity\"\nvalues = [2, 2.5]\n",
    );
    let out = env.run(&["check", "mixed.toml"]).ok().stdout();
    let listing: Vec<Vec<&str>> = out
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("point "))
        .skip(1)
        .take(8)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(listing.len(), 8, "{out}");
    let rates: Vec<&str> = listing.iter().map(|r| r[1]).collect();
    let capacities: Vec<&str> = listing.iter().map(|r| r[2]).collect();
    assert_eq!(
        rates,
        ["0.0", "0.0", "0.1", "0.1", "0.2", "0.2", "0.3", "0.3"],
        "{out}"
    );
    assert_eq!(capacities[..2], ["2.0", "2.5"], "{out}");
    // The values sit under their parameter's name, right-aligned.
    let header = out
        .lines()
        .find(|l| l.trim_start().starts_with("point "))
        .unwrap();
    let first = out
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("point "))
        .nth(1)
        .unwrap();
    assert_eq!(header.len(), first.len(), "{header}\n{first}");
    env.run(&["sweep", "mixed.toml", "-o", "mixed", "-q"]).ok();
    let html = std::fs::read_to_string(env.path("mixed/report.html")).unwrap();
    assert!(html.contains("<td>0.0</td><td>2.0</td>"), "report's points");
    assert!(!html.contains("<td>0</td><td>2</td>"), "report's points");
}
