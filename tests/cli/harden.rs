//! The second round of hardening (issue 19): zero work, data loss under `--force` and `merge`,
//! integrity of journals and tables, resources, silent nonsense and messages. Hostile scenario
//! files live in `tests/data/bad/` (`bad_input.rs`); these are the cases that need a command
//! line, a result folder or several invocations.

use crate::Env;

const BASE: &str = "seed = 11\nsteps = 20\nreplications = 2\n[landscape]\nn = 8\nk = 2\n[organization]\nmembers = 10\ndomains = 2\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n";

const SWEEP: &str = "base = \"base.toml\"\n[[axes]]\npath = \"steps\"\nvalues = [10, 20]\n";

/// A folder with the base scenario and a 2-point sweep of it (8 runs).
fn setup() -> Env {
    let env = Env::new();
    env.write("base.toml", BASE);
    env.write("s.toml", SWEEP);
    env
}

/// Zero work is bad input, refused before any file is written and naming the option: zero
/// replicates (run, sweep, a shard, slurm, replicate) and a shard that holds no runs.
#[test]
fn zero_work_is_refused_naming_the_option_and_writes_nothing() {
    let env = setup();
    let cases: [(&[&str], &[&str]); 8] = [
        (
            &["run", "base.toml", "--replications", "0", "-o", "out"],
            &["--replications 0 is not valid", "between 1 and 1000000"],
        ),
        (
            &["sweep", "s.toml", "--replications", "0", "-o", "out"],
            &["--replications 0 is not valid"],
        ),
        (
            &[
                "sweep",
                "s.toml",
                "--replications",
                "0",
                "--shard",
                "1/2",
                "-o",
                "out",
            ],
            &["--replications 0 is not valid"],
        ),
        (
            &["sweep", "s.toml", "--shard", "9/9", "-o", "out"],
            &["--shard 9/9 holds no runs", "8 runs", "at most 8 shards"],
        ),
        (
            &["slurm", "s.toml", "--replications", "0", "-o", "out"],
            &["--replications 0 is not valid"],
        ),
        (
            &["replicate", "march1991", "--runs", "0", "-o", "out"],
            &["--runs 0 is not valid"],
        ),
        (
            &[
                "replicate",
                "lazer-friedman-2007",
                "--runs",
                "0",
                "-o",
                "out",
            ],
            &["--runs 0 is not valid"],
        ),
        (
            &["replicate", "nk", "--runs", "0", "-o", "out"],
            &["--runs 0 is not valid"],
        ),
    ];
    for (args, needles) in cases {
        let run = env.run(args).fails(2, needles);
        // The error names the option, not a line of the file that says something else.
        assert!(!run.stderr().contains("base.toml:"), "{}", run.stderr());
        assert!(!env.path("out").exists(), "{args:?} wrote out/");
    }
    // A valid run afterwards is not blocked by anything left behind.
    env.run(&["sweep", "s.toml", "--shard", "8/8", "-o", "out", "-q"])
        .ok();
    env.run(&["run", "base.toml", "--replications", "1", "-o", "run", "-q"])
        .ok();
}

/// A value given on the command line is reported as the option, not at the line of the file,
/// which says something else (issue 19: `base.toml:3: replications: 0` for a file saying 2).
#[test]
fn command_line_overrides_are_reported_as_options() {
    let env = Env::new();
    let mut text = "replications = 2\n".to_string();
    for i in 0..101 {
        text += &format!("[[models]]\nkind = \"shared\"\nname = \"m{i}\"\n");
    }
    env.write("many.toml", &text);
    let run = env
        .run(&["run", "many.toml", "--replications", "1000000", "-o", "out"])
        .fails(
            2,
            &[
                "given as --replications 1000000 on the command line",
                "101000000 runs",
            ],
        );
    assert!(!run.stderr().contains("many.toml:1"), "{}", run.stderr());
    assert!(!env.path("out").exists());
}

/// Slurm options that would make scripts that cannot work are refused, creating nothing: a
/// `--leadsim` that is missing, a folder or not a program; an empty partition name; a time
/// whose minutes or seconds reach 60.
#[test]
fn slurm_refuses_nonsense_options() {
    let env = setup();
    env.write("notes.txt", "not a program");
    std::fs::create_dir(env.path("bin")).unwrap();
    let cases: [(&[&str], &[&str]); 8] = [
        (
            &["--leadsim", "missing/leadsim"],
            &["--leadsim missing/leadsim", "no such file"],
        ),
        (
            &["--leadsim", "bin"],
            &["--leadsim bin", "a folder, not a program"],
        ),
        (
            &["--leadsim", "notes.txt"],
            &["--leadsim notes.txt", "not executable"],
        ),
        (
            &["--partition", ","],
            &["--partition \",\"", "not a partition name"],
        ),
        (&["--partition", "short,"], &["not a partition name"]),
        (
            &["--time", "1:60:00"],
            &["--time \"1:60:00\"", "not a Slurm time limit"],
        ),
        (&["--time", "2-24:00:00"], &["not a Slurm time limit"]),
        (&["--time", "90:75"], &["not a Slurm time limit"]),
    ];
    for (extra, needles) in cases {
        let mut args = vec!["slurm", "s.toml", "-o", "cluster"];
        args.extend_from_slice(extra);
        env.run(&args).fails(2, needles);
        assert!(
            !env.path("cluster").exists(),
            "{extra:?} created the folder"
        );
    }
    env.run(&[
        "slurm",
        "s.toml",
        "-o",
        "cluster",
        "--time",
        "1:59:59",
        "--partition",
        "a,b",
    ])
    .ok();
}

/// Messages that said something beside the point now say what is wrong (issue 19, item 15):
/// `plot`/`report` of a shard say to merge first; a resume refused because only comments of
/// the file changed says so. (File-level cases are in `tests/data/bad/`: a base that is a
/// sweep or the file itself, whole numbers beyond 2^63, Lazer & Friedman degrees.)
#[test]
fn messages_say_what_is_wrong() {
    let env = setup();
    env.run(&["sweep", "s.toml", "--shard", "1/2", "-o", "shard", "-q"])
        .ok();
    for cmd in ["plot", "report"] {
        env.run(&[cmd, "shard"]).fails(
            2,
            &["shard holds shard 1/2 of a sweep", "merge the shards first"],
        );
    }
    assert!(!env.path("shard/charts").exists() && !env.path("shard/report.html").exists());
    // A comment-only edit: the identity changes (it is the text's), and the message says why.
    env.run(&["run", "base.toml", "-o", "out", "-q", "--no-charts"])
        .ok();
    env.write("base.toml", &format!("# tuned\n{BASE}"));
    env.run(&["run", "base.toml", "-o", "out", "-q", "--resume"])
        .fails(2, &["differs only in comments or layout"]);
}

/// Runs `leadsim ARGS` in `env` through `sh` with `limits` (`ulimit` commands) applied first.
fn limited(env: &Env, limits: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{limits}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_leadsim"))
        .args(args)
        .current_dir(env.dir.path())
        .output()
        .unwrap()
}

/// Resources are bounded (issue 19, item 10): `--threads` has an upper bound; threads that
/// cannot be started are a clear failure saying what to do, before the folder is created; a
/// long description is held once, not once per sweep point.
#[test]
fn threads_and_memory_are_bounded() {
    let env = setup();
    let start = std::time::Instant::now();
    env.run(&["run", "base.toml", "-o", "out", "--threads", "100000"])
        .fails(2, &["--threads 100000 is not valid", "between 1 and 1024"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    env.run(&["slurm", "s.toml", "-o", "out", "--cpus", "5000"])
        .fails(2, &["--cpus 5000 is not valid"]);
    // 1,000 threads' stacks do not fit in 400 MB of address space.
    let out = limited(
        &env,
        "ulimit -v 400000",
        &["run", "base.toml", "-o", "out", "-q", "--threads", "1000"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot start 1000 worker threads")
            && err.contains("give fewer with --threads"),
        "{err}"
    );
    assert!(!env.path("out").exists());
    // 4,000 points of a base with a 100 KB description: 400 MB if each point held a copy.
    env.write(
        "long.toml",
        &format!("description = \"{}\"\n{BASE}", "d".repeat(100_000)),
    );
    env.write(
        "long-sweep.toml",
        "base = \"long.toml\"\n[design]\nkind = \"random\"\nsamples = 4000\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0\nto = 0.2\n",
    );
    let out = limited(&env, "ulimit -v 200000", &["check", "long-sweep.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
