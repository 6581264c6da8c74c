//! Output that is never corrupted: a second writer is refused, an unwritable folder is a clear
//! failure.

use crate::Env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BASE: &str = "seed = 4\nsteps = 300\nreplications = 40\n[landscape]\nn = 10\nk = 2\n[organization]\nmembers = 16\ndomains = 4\n[[models]]\nkind = \"centralized\"\n[[models]]\nkind = \"shared\"\n";

#[test]
fn a_second_writer_on_the_same_folder_is_refused_and_nothing_is_corrupted() {
    let env = Env::new();
    env.write("base.toml", BASE);
    let sweep = env
        .write(
            "s.toml",
            "base = \"base.toml\"\n[design]\nkind = \"lhs\"\nsamples = 10\n[[axes]]\npath = \"behaviour.noise\"\nfrom = 0.0\nto = 0.2\n",
        )
        .display()
        .to_string();
    let first = Command::new(env!("CARGO_BIN_EXE_leadsim"))
        .args([
            "sweep",
            &sweep,
            "-o",
            "out",
            "-q",
            "--threads",
            "1",
            "--no-charts",
        ])
        .current_dir(env.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !env.path("out/plan.json").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the first sweep never started"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    // While the first runs: a plain second run sees an unfinished folder; --resume and --force
    // get past that check and meet the lock.
    env.run(&["sweep", &sweep, "-o", "out", "-q"])
        .fails(2, &["unfinished"]);
    env.run(&["sweep", &sweep, "-o", "out", "-q", "--resume"])
        .fails(2, &["being written by another leadsim process"]);
    env.run(&["sweep", &sweep, "-o", "out", "-q", "--force"])
        .fails(2, &["being written by another leadsim process"]);
    env.run(&["run", "base.toml", "-o", "out", "-q", "--force"])
        .fails(2, &["being written by another leadsim process"]);
    let out = first.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.run(&["sweep", &sweep, "-o", "clean", "-q", "--no-charts"])
        .ok();
    for f in [
        "timeseries.csv",
        "summary.csv",
        "stats.csv",
        "manifest.json",
    ] {
        assert!(
            std::fs::read(env.path("out").join(f)).unwrap()
                == std::fs::read(env.path("clean").join(f)).unwrap(),
            "{f} was corrupted by the refused writers"
        );
    }
}

/// A folder nobody may write into, even root (`chattr +i`), undone on drop.
struct ReadOnly(PathBuf);

impl ReadOnly {
    fn new(path: &Path) -> ReadOnly {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(path).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o555)).unwrap();
        // Root ignores permissions: make the folder immutable instead.
        if std::fs::write(path.join("probe"), b"x").is_ok() {
            std::fs::remove_file(path.join("probe")).unwrap();
            let ok = Command::new("chattr")
                .arg("+i")
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                ok,
                "cannot make {} read-only (chattr +i failed)",
                path.display()
            );
        }
        assert!(std::fs::write(path.join("probe"), b"x").is_err());
        ReadOnly(path.to_path_buf())
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn an_unwritable_output_folder_is_a_clear_failure_with_exit_1() {
    let env = Env::new();
    env.write(
        "s.toml",
        &BASE.replace("replications = 40", "replications = 2"),
    );
    let _ro = ReadOnly::new(&env.path("locked"));
    env.run(&["run", "s.toml", "-o", "locked", "-q"])
        .fails(1, &["locked", "Operation not permitted"]);
    env.run(&["run", "s.toml", "-o", "locked/inside", "-q"])
        .fails(1, &["locked/inside"]);
    // A file where a folder should be.
    env.write("file", "not a folder");
    env.run(&["run", "s.toml", "-o", "file/out", "-q"])
        .fails(2, &["file is a file, not a folder"]);
    // A file given as the folder is bad input, and --force does not remove it.
    for force in [false, true] {
        let mut args = vec!["run", "s.toml", "-o", "file", "-q"];
        if force {
            args.push("--force");
        }
        env.run(&args).fails(2, &["file is a file, not a folder"]);
        assert_eq!(
            std::fs::read_to_string(env.path("file")).unwrap(),
            "not a folder"
        );
    }
}

/// A full disk in the middle of a run (simulated with a file-size limit, under which writes fail
/// with EFBIG) is exit 1 with the file and how to resume; the runs journaled before it are kept
/// and a resume gives the same tables as an uninterrupted run.
#[test]
fn a_full_disk_keeps_the_finished_runs_and_says_how_to_resume() {
    let env = Env::new();
    env.write(
        "s.toml",
        &BASE
            .replace("steps = 300", "steps = 40")
            .replace("replications = 40", "replications = 60"),
    );
    let bin = env!("CARGO_BIN_EXE_leadsim");
    // `trap "" XFSZ` makes an oversized write fail instead of killing the process.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 40; exec '{bin}' run s.toml -o full -q --no-charts --threads 1"
        ))
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("full/runs/") && err.contains("--resume"),
        "{err}"
    );
    assert!(!env.path("full/manifest.json").exists());
    let kept: u64 = std::fs::read_dir(env.path("full/runs"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(kept > 0, "runs finished before the disk filled are kept");
    env.run(&[
        "run",
        "s.toml",
        "-o",
        "full",
        "-q",
        "--no-charts",
        "--resume",
    ])
    .ok();
    env.run(&["run", "s.toml", "-o", "clean", "-q", "--no-charts"])
        .ok();
    for f in ["timeseries.csv", "summary.csv", "stats.csv"] {
        assert_eq!(
            std::fs::read(env.path("full").join(f)).unwrap(),
            std::fs::read(env.path("clean").join(f)).unwrap(),
            "{f}"
        );
    }
}
