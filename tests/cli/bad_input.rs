//! Hostile input never panics and always gets a clear error (issue 8).
//!
//! Every `NAME.toml` in `tests/data/bad/` is a bad scenario (or, when `NAME` starts with
//! `sweep-`, a bad sweep) with `NAME.expected` beside it: the substrings the error must contain,
//! one per line (the file name with the line where known, the key path, the bad value, what would
//! be valid). `leadsim check` and `leadsim run -o DIR` (`leadsim sweep -o DIR` for sweeps) must
//! exit 2 with every expected line on stderr, without a panic or a backtrace, and without creating
//! DIR. A new file in the folder is picked up without touching this test. Base scenarios the sweep
//! cases refer to live in `tests/data/bad/bases/`.

use crate::{Env, repo};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The corpus must keep covering every section of both file formats.
const MIN_CASES: usize = 40;

/// A bad input must be refused long before this; a hang counts as a failure.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Address space a check may use (KiB): an input that slips through and asks for absurd memory
/// fails fast instead of pressing the machine.
const MEMORY_KIB: u64 = 4 << 20;

struct Case {
    name: String,
    file: PathBuf,
    sweep: bool,
    needles: Vec<String>,
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    for file in entries {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let expected = file.with_extension("expected");
        let needles: Vec<String> = std::fs::read_to_string(&expected)
            .unwrap_or_else(|e| panic!("{} has no {}: {e}", file.display(), expected.display()))
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        assert!(!needles.is_empty(), "{} is empty", expected.display());
        out.push(Case {
            sweep: name.starts_with("sweep-"),
            name,
            file,
            needles,
        });
    }
    out
}

/// `leadsim ARGS`, under [`MEMORY_KIB`] where the shell can set it.
fn command(args: &[&str]) -> Command {
    let bin = env!("CARGO_BIN_EXE_leadsim");
    if cfg!(unix) {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "ulimit -v {MEMORY_KIB} 2>/dev/null; exec \"$0\" \"$@\""
            ))
            .arg(bin)
            .args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    }
}

/// Runs `leadsim ARGS` in `cwd`, killing it after [`TIMEOUT`]. Returns the exit code (`None`
/// when killed by a signal or the timeout) and stderr.
fn run(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = command(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("leadsim starts");
    // Read stderr on a thread so a chatty child cannot block on a full pipe.
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).ok();
        buf
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for leadsim") {
            break Some(status);
        }
        if start.elapsed() > TIMEOUT {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let err = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    match status {
        Some(s) => (s.code(), err),
        None => (
            None,
            format!("{err}\n[killed after {TIMEOUT:?}: the input was not refused]"),
        ),
    }
}

/// What is wrong with one invocation on one case (empty when it behaved).
fn problems(case: &Case, code: Option<i32>, err: &str, out_dir: &Path) -> Vec<String> {
    let mut p = Vec::new();
    if code != Some(2) {
        p.push(format!("exit code {code:?}, expected 2"));
    }
    for n in &case.needles {
        if !err.contains(n.as_str()) {
            p.push(format!("stderr lacks {n:?}"));
        }
    }
    for bad in ["panicked", "stack backtrace", "RUST_BACKTRACE"] {
        if err.contains(bad) {
            p.push(format!("stderr contains {bad:?}"));
        }
    }
    if out_dir.exists() {
        p.push(format!("created {}", out_dir.display()));
    }
    p
}

#[test]
fn every_bad_input_exits_2_with_a_clear_error_and_writes_nothing() {
    let corpus = repo("tests/data/bad");
    let cases = cases(&corpus);
    assert!(
        cases.len() >= MIN_CASES,
        "only {} cases in {}; the corpus must hold at least {MIN_CASES}",
        cases.len(),
        corpus.display()
    );
    let env = Env::new();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let file = case.file.display().to_string();
        let out = env.path(&format!("out-{i}"));
        let out_arg = out.display().to_string();
        let run_cmd = if case.sweep { "sweep" } else { "run" };
        for args in [
            vec!["check", file.as_str()],
            vec![run_cmd, file.as_str(), "-o", out_arg.as_str(), "-q"],
        ] {
            let (code, err) = run(env.dir.path(), &args);
            let p = problems(case, code, &err, &out);
            if !p.is_empty() {
                failures.push(format!(
                    "{} (leadsim {}):\n  - {}\n  stderr: {}",
                    case.name,
                    args[0],
                    p.join("\n  - "),
                    err.trim()
                ));
            }
            std::fs::remove_dir_all(&out).ok();
        }
        // `check` and the run also write nothing under the working folder's output/.
        assert!(
            !env.path("output").exists(),
            "{}: an output/ folder was created",
            case.name
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad inputs were not refused as they should be:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
