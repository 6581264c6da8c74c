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

/// Runs `leadsim ARGS` in `env` under a 4 GiB address-space limit, killed after `limit`:
/// the exit code (`None` when killed), stderr, and how long it took.
fn timed(env: &Env, args: &[&str], limit: Duration) -> (Option<i32>, String, Duration) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 4194304 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_leadsim"))
        .args(args)
        .current_dir(env.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    (code, err, took)
}

/// Only regular files of a bounded size are read (issue 19): `/dev/zero` grew memory without
/// end, a FIFO blocked forever. Each is refused at once with exit 2, naming the file and why.
#[test]
fn only_regular_files_of_bounded_size_are_read() {
    let env = Env::new();
    let fifo = env.path("fifo.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    env.write("big.toml", &"# padding\n".repeat(900_000));
    env.write(
        "zero-sweep.toml",
        "base = \"/dev/zero\"\n[[axes]]\npath = \"steps\"\nvalues = [1, 2]\n",
    );
    std::fs::create_dir(env.path("folder.toml")).unwrap();
    for (cmd, file, needles) in [
        (
            "check",
            "/dev/zero",
            &["/dev/zero", "not a regular file"][..],
        ),
        ("run", "/dev/zero", &["/dev/zero", "not a regular file"]),
        ("check", "fifo.toml", &["fifo.toml", "not a regular file"]),
        (
            "check",
            "folder.toml",
            &["folder.toml", "a folder, not a file"],
        ),
        ("check", "big.toml", &["big.toml", "at most 8 MiB"]),
        ("sweep", "big.toml", &["big.toml", "at most 8 MiB"]),
        (
            "check",
            "zero-sweep.toml",
            &[
                "zero-sweep.toml:1",
                "base",
                "/dev/zero",
                "not a regular file",
            ],
        ),
        (
            "sweep",
            "zero-sweep.toml",
            &["zero-sweep.toml:1", "/dev/zero", "not a regular file"],
        ),
    ] {
        let (code, err, _) = timed(
            &env,
            &[cmd, file, "-q"][..if cmd == "check" { 2 } else { 3 }],
            Duration::from_secs(20),
        );
        assert_eq!(code, Some(2), "leadsim {cmd} {file}: {err}");
        for n in needles {
            assert!(
                err.contains(n),
                "leadsim {cmd} {file}: stderr lacks {n:?}: {err}"
            );
        }
    }
    assert!(!env.path("output").exists());
}

/// Reading a file takes time linear in its size (issue 19): the line of every key was found by
/// counting newlines from the start, so 80,000 keys took more than a minute and a long `at` list
/// many seconds. Both are refused or checked in a moment now.
#[test]
fn parsing_time_is_linear_in_the_number_of_keys() {
    let env = Env::new();
    let mut keys = String::new();
    for i in 0..200_000 {
        keys += &format!("k{i} = 1\n");
    }
    keys += "[[models]]\nkind = \"shared\"\n";
    env.write("keys.toml", &keys);
    let at: Vec<String> = (1..=100_000).map(|i| i.to_string()).collect();
    env.write(
        "at.toml",
        &format!(
            "steps = 200000\n[[models]]\nkind = \"shared\"\n[[events]]\nkind = \"turnover\"\nfraction = 0.01\nat = [\n{}\n]\n",
            at.join(",\n")
        ),
    );
    for (file, code) in [("keys.toml", 2), ("at.toml", 0)] {
        let (got, err, took) = timed(&env, &["check", file], Duration::from_secs(60));
        assert_eq!(got, Some(code), "{file}: {err}");
        assert!(
            took < Duration::from_secs(10),
            "checking {file} took {took:?}: parsing is not linear"
        );
    }
}

/// A hostile key or value a megabyte long is not echoed whole (issue 19): the error names it
/// by its start and stays short.
#[test]
fn megabyte_keys_and_values_are_shortened_in_errors() {
    let env = Env::new();
    let long = "x".repeat(1 << 20);
    let models = "[[models]]\nkind = \"shared\"\n";
    env.write("key.toml", &format!("{long} = 1\n{models}"));
    env.write("kind.toml", &format!("[[models]]\nkind = \"{long}\"\n"));
    env.write("name.toml", &format!("name = \"{long}\"\n{models}"));
    env.write(
        "coordination.toml",
        &format!("[[models]]\nkind = \"shared\"\ncoordination = \"{long}\"\n"),
    );
    env.write(
        "event.toml",
        &format!("{models}[[events]]\nkind = \"{long} y\"\nat = 1\n"),
    );
    env.write("base.toml", models);
    env.write(
        "path.toml",
        &format!("base = \"base.toml\"\n[[axes]]\npath = \"{long}\"\nvalues = [1]\n"),
    );
    for file in [
        "key.toml",
        "kind.toml",
        "name.toml",
        "coordination.toml",
        "event.toml",
        "path.toml",
    ] {
        let (code, err, _) = timed(&env, &["check", file], Duration::from_secs(20));
        assert_eq!(code, Some(2), "{file}: {}", &err[..err.len().min(500)]);
        assert!(err.contains(file), "{file}: {}", &err[..err.len().min(500)]);
        assert!(
            err.len() < 3000,
            "{file}: {} bytes of error: {}…",
            err.len(),
            &err[..500]
        );
    }
}

/// Control characters never reach the terminal (issue 19): a description holding an escape
/// sequence or a NUL is refused (`tests/data/bad/*-escape.toml`), and a file name holding one is
/// escaped where `check` or an error prints it.
#[test]
fn control_characters_never_reach_the_terminal() {
    let env = Env::new();
    let name = "t\u{1b}]0;pwned\u{7}.toml";
    env.write(
        name,
        "steps = 5\nreplications = 1\n[[models]]\nkind = \"shared\"\n",
    );
    let out = env.run(&["check", name]).ok();
    assert!(
        !out.stdout().contains('\u{1b}') && out.stdout().contains("\\u{1b}"),
        "{:?}",
        out.stdout()
    );
    let err = env
        .run(&["run", "gone\u{1b}[2J.toml"])
        .fails(2, &["\\u{1b}[2J"]);
    assert!(!err.stderr().contains('\u{1b}'), "{:?}", err.stderr());
    env.write(
        "d.toml",
        "description = \"a \\u001b]0;x\\u0007 b\"\n[[models]]\nkind = \"shared\"\n",
    );
    let err = env
        .run(&["check", "d.toml"])
        .fails(2, &["d.toml:1", "description", "control character \\u{1b}"]);
    assert!(!err.stderr().contains('\u{1b}'), "{:?}", err.stderr());
}
