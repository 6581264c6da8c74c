//! Integration tests: drive the `leadsim` binary on small inputs, each in a fresh temp folder.

mod analysis;
mod bad_input;
mod charts;
mod compare;
mod events;
mod harden;
mod landscape;
mod patterns;
mod reference;
mod robust;
mod run;
mod slurm;
mod sweep;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The files of a finished result folder (charts and report aside).
pub const TABLES: [&str; 5] = [
    "timeseries.csv",
    "summary.csv",
    "shocks.csv",
    "stats.csv",
    "manifest.json",
];

/// A fresh working folder and a way to run `leadsim` in it.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Default for Env {
    fn default() -> Self {
        Env::new()
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `text` to `rel` inside the folder and returns its path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Runs `leadsim ARGS` with this folder as the working directory.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_leadsim"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("leadsim runs");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            out,
        }
    }
}

/// The outcome of one invocation, with helpers that print everything on failure.
pub struct Run {
    pub args: Vec<String>,
    pub out: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    pub fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    fn describe(&self) -> String {
        format!(
            "leadsim {}\nexit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.out.status,
            self.stdout(),
            self.stderr()
        )
    }
    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert!(
            self.out.status.success(),
            "expected success\n{}",
            self.describe()
        );
        self
    }
    /// Asserts exit code `code` and that stderr contains every one of `needles`.
    #[track_caller]
    pub fn fails(self, code: i32, needles: &[&str]) -> Run {
        assert_eq!(self.code(), code, "wrong exit code\n{}", self.describe());
        let err = self.stderr();
        for n in needles {
            assert!(err.contains(n), "stderr lacks {n:?}\n{}", self.describe());
        }
        assert!(
            !err.contains("panicked"),
            "panic on input\n{}",
            self.describe()
        );
        self
    }
    /// Parses stdout as one JSON object.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", self.describe()))
    }
}

/// Asserts `|actual - expected| <= tol` with a readable message.
#[track_caller]
pub fn assert_close(what: &str, actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: got {actual}, expected {expected} ± {tol}"
    );
}

/// Asserts that `got` equals the golden file `path`, naming the first line that differs;
/// `LEADSIM_UPDATE_GOLDEN=1` writes `got` to the file first (a deliberate regeneration).
#[track_caller]
pub fn assert_golden(name: &str, got: &str, path: &Path) {
    if std::env::var_os("LEADSIM_UPDATE_GOLDEN").is_some() {
        std::fs::write(path, got).unwrap();
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "{name} differs from {} at line {}:\n got: {:?}\nwant: {:?}",
            path.display(),
            line + 1,
            got.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

/// Records the current checksum of the table `name` of the result folder `dir` in its
/// manifest, as if leadsim had written the table so: for tests that edit a table to make a
/// result say something else (an edit leadsim otherwise refuses).
pub fn reseal(dir: &Path, name: &str) {
    let path = dir.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let crc = crc32fast::hash(&std::fs::read(dir.join(name)).unwrap());
    m["files"][name] = serde_json::Value::String(format!("crc32:{crc:08x}"));
    let mut text = serde_json::to_string_pretty(&m).unwrap();
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

/// A path inside the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}
