//! `leadsim slurm`: the generated scripts (golden files), the scripts run as Slurm would run
//! them (with a stand-in `sbatch`), and refusals. The real round trip on a one-node Slurm is
//! `.ci/slurm/roundtrip.sh`.

use crate::{Env, TABLES, assert_golden, repo};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCRIPTS: [&str; 3] = ["submit.sh", "array.sbatch", "merge.sbatch"];

/// The test sweep (12 runs), by its canonical path as the scripts hold it.
fn sweep() -> PathBuf {
    std::fs::canonicalize(repo("tests/data/slurm/sweep.toml")).unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The generated scripts match `tests/data/slurm/` with the folder written as `@DIR@` and the
/// repository as `@REPO@`. Regenerate deliberately with
/// `LEADSIM_UPDATE_GOLDEN=1 cargo test --release slurm`.
#[test]
fn slurm_scripts_match_the_golden_files() {
    let env = Env::new();
    let s = sweep();
    // `--leadsim` must name a program; the scripts then show it as /opt/leadsim/bin/leadsim.
    let bin = env.write("opt/leadsim/bin/leadsim", "#!/bin/sh\n");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let bin = bin.to_str().unwrap();
    env.run(&[
        "slurm",
        s.to_str().unwrap(),
        "--tasks",
        "3",
        "--cpus",
        "2",
        "--partition",
        "short",
        "--time",
        "0:30:00",
        "--replications",
        "2",
        "--leadsim",
        bin,
        "-o",
        "cluster",
    ])
    .ok();
    let dir = std::fs::canonicalize(env.path("cluster")).unwrap();
    let root = std::fs::canonicalize(repo("")).unwrap();
    for name in SCRIPTS {
        let got = read(&dir.join(name))
            .replace(bin, "/opt/leadsim/bin/leadsim")
            .replace(dir.to_str().unwrap(), "@DIR@")
            .replace(root.to_str().unwrap(), "@REPO@");
        assert_golden(name, &got, &repo("tests/data/slurm").join(name));
    }
}

/// Runs a script with `sh` in `env`'s folder, with extra environment variables.
fn sh(env: &Env, script: &Path, vars: &[(&str, &str)]) -> std::process::Output {
    let out = Command::new("sh")
        .arg(script)
        .current_dir(env.dir.path())
        .envs(vars.iter().copied())
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "sh {} failed: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        script.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Without Slurm: `submit.sh` against a stand-in `sbatch` that records its arguments, then every
/// array task and the merge run by `sh` as Slurm would, one task twice. The merged folder holds
/// the same bytes as one machine's run of the sweep.
#[test]
fn slurm_scripts_run_as_slurm_would_and_merge_to_one_machines_result() {
    let env = Env::new();
    let s = sweep();
    let out = env
        .run(&[
            "slurm",
            s.to_str().unwrap(),
            "--tasks",
            "3",
            "-o",
            "cluster",
        ])
        .ok();
    let dir = std::fs::canonicalize(env.path("cluster")).unwrap();
    let submit = dir.join("submit.sh");
    assert!(
        out.stdout()
            .contains(&format!("submit with: sh {}", submit.display())),
        "{}",
        out.stdout()
    );
    assert!(dir.join("logs").is_dir(), "Slurm needs the log folder");

    // A stand-in sbatch: numbers its calls from 41 and answers as `--parsable` does on a
    // federated cluster ("id;cluster").
    let calls = env.path("sbatch-calls");
    env.write(
        "bin/sbatch",
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{0}'\necho \"$(( $(wc -l < '{0}') + 40 ));cluster\"\n",
            calls.display()
        ),
    );
    let path = format!(
        "{}:{}",
        env.path("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("chmod")
        .arg("+x")
        .arg(env.path("bin/sbatch"))
        .status()
        .unwrap();
    let submitted = sh(&env, &submit, &[("PATH", &path)]);
    let printed = String::from_utf8_lossy(&submitted.stdout);
    assert!(printed.contains("array job: 41 (3 tasks)"), "{printed}");
    assert!(printed.contains("merge job: 42"), "{printed}");
    let calls = read(&calls);
    let calls: Vec<&str> = calls.lines().collect();
    let (array, merge) = (dir.join("array.sbatch"), dir.join("merge.sbatch"));
    assert_eq!(
        calls,
        [
            format!("--parsable {}", array.display()),
            format!(
                "--parsable --dependency=afterok:41 --kill-on-invalid-dep=yes {}",
                merge.display()
            ),
        ]
    );

    for task in ["2", "0", "1", "0"] {
        sh(
            &env,
            &array,
            &[("SLURM_ARRAY_TASK_ID", task), ("SLURM_CPUS_PER_TASK", "2")],
        );
    }
    for i in 1..=3 {
        assert!(dir.join(format!("shard-{i}-of-3/manifest.json")).is_file());
    }
    sh(&env, &merge, &[]);
    // Submitting the merge again (after resubmitting a task) merges again.
    sh(&env, &merge, &[]);
    env.run(&["sweep", s.to_str().unwrap(), "-o", "one", "-q"])
        .ok();
    for t in TABLES {
        let a = std::fs::read(dir.join("merged").join(t)).unwrap();
        let b = std::fs::read(env.path("one").join(t)).unwrap();
        assert!(
            a == b,
            "{t} of the merged shards differs from one machine's"
        );
    }
}

#[test]
fn slurm_refuses_bad_input_and_creates_nothing() {
    let env = Env::new();
    let s = sweep();
    let s = s.to_str().unwrap();
    env.write("base.toml", &read(&repo("tests/data/small.toml")));
    let bad = env.write(
        "bad.toml",
        "base = \"base.toml\"\n[[axes]]\npath = \"landscape.q\"\nvalues = [1]\n",
    );
    let bad = bad.to_str().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (
            &["--tasks", "0"],
            "--tasks 0 is not valid: give between 1 and 12",
        ),
        (&["--tasks", "13"], "the sweep has 12 runs"),
        (&["--replications", "1", "--tasks", "7"], "between 1 and 6"),
        (&["--cpus", "0"], "--cpus 0"),
        (&["--time", "2h"], "not a Slurm time limit"),
        (&["--partition", "a b"], "not a partition name"),
        (&["-o", "my results"], "which #SBATCH lines cannot carry"),
        (&["--seed", "18446744073709551615"], "too large"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["slurm", s];
        args.extend_from_slice(extra);
        if !extra.contains(&"-o") {
            args.extend(["-o", "cluster"]);
        }
        env.run(&args).fails(2, &[needle]);
    }
    env.run(&["slurm", "missing.toml", "-o", "cluster"])
        .fails(2, &["missing.toml"]);
    env.run(&["slurm", bad, "-o", "cluster"])
        .fails(2, &["bad.toml", "axes[0].path: the swept parameter landscape.q at point 0 (landscape.q = 1): unknown key"]);
    assert!(
        !env.path("cluster").exists(),
        "bad input created the folder"
    );
    assert!(
        !env.path("my results").exists(),
        "bad input created the folder"
    );
}

#[test]
fn slurm_keeps_other_scripts_unless_forced() {
    let env = Env::new();
    let s = sweep();
    let s = s.to_str().unwrap();
    // Without --tasks: 10 tasks, fewer when the sweep has fewer runs.
    env.run(&["slurm", s, "-o", "cluster"]).ok();
    let array = env.path("cluster/array.sbatch");
    assert!(read(&array).contains("#SBATCH --array=0-9\n"));
    env.run(&["slurm", s, "--replications", "1", "-o", "small"])
        .ok();
    assert!(read(&env.path("small/array.sbatch")).contains("#SBATCH --array=0-5\n"));
    // The same options again are harmless; other options need --force.
    env.run(&["slurm", s, "-o", "cluster"]).ok();
    env.run(&["slurm", s, "--tasks", "4", "-o", "cluster"])
        .fails(2, &["already holds Slurm scripts", "--force"]);
    assert!(read(&array).contains("#SBATCH --array=0-9\n"), "kept");
    env.run(&["slurm", s, "--tasks", "4", "-o", "cluster", "--force"])
        .ok();
    assert!(read(&array).contains("#SBATCH --array=0-3\n"), "replaced");
}
/// One CI folder (issue 19): everything CI runs is under `.ci/`, there is no `ci/` beside it,
/// and every `.ci/…` path the documentation, the scripts and the tests name exists.
#[test]
fn ci_lives_in_one_folder_and_every_path_to_it_exists() {
    assert!(
        !repo("ci").exists(),
        "ci/ and .ci/ are two CI folders: keep everything under .ci/"
    );
    let mut named = Vec::new();
    for file in [
        "README.md",
        "ARCHITECTURE.md",
        ".ci/run",
        ".ci/slurm/roundtrip.sh",
        ".ci/analysis/run.sh",
        "docs/ANALYSIS.md",
        "tests/cli/slurm.rs",
    ] {
        let text = read(&repo(file));
        for (at, _) in text.match_indices(".ci/") {
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "._/-".contains(*c))
                .collect();
            let path = path.trim_end_matches(['.', '/']);
            named.push((file, path.to_string()));
        }
    }
    assert!(named.len() >= 5, "{named:?}");
    for (file, path) in named {
        assert!(
            repo(&path).exists(),
            "{file} names {path}, which does not exist"
        );
    }
}
