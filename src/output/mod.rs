//! Result folders and files: atomic writes, the folder's state, the lock, number formatting and
//! table checksums; the submodules store runs as they finish and assemble and read the tables.
//!
//! A result folder holds `plan.json` (written first: what will run), `runs/` (the journals of
//! finished runs, one per process, and the ordered time-series file; [`series`]), the tables
//! assembled in run order ([`tables`]: `timeseries.csv`, `summary.csv`, `shocks.csv`,
//! `stats.csv`), and `manifest.json` ([`manifest`]), written last: a folder with a manifest is
//! complete, one with only a plan is unfinished and can be resumed. Every file but the
//! append-only journals and the ordered file is written to a temporary name in the same folder
//! and renamed, so a reader never sees half a file and an interruption never corrupts a finished
//! one; [`read`] reads a finished folder back.
//!
//! This layer knows an experiment only through a plain [`tables::Layout`], never its plan,
//! scenario or model.

pub mod analysis;
pub(crate) mod journal;
pub mod manifest;
pub(crate) mod part;
pub mod read;
pub mod series;
pub(crate) mod store;
pub mod tables;

pub(crate) use tables::cell;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What will run, written before the first run ([`manifest::Manifest`] without checksums).
pub const PLAN: &str = "plan.json";
/// What ran, written last: its presence marks a folder complete.
pub const MANIFEST: &str = "manifest.json";
/// The folder of the journals and the ordered time-series file.
pub const RUNS: &str = "runs";
pub(crate) const LOCK: &str = ".lock";
pub(crate) const TIMESERIES: &str = "timeseries.csv";
pub(crate) const SUMMARY: &str = "summary.csv";
pub(crate) const SHOCKS: &str = "shocks.csv";
pub(crate) const STATS: &str = "stats.csv";

/// The folder of the charts.
pub const CHARTS: &str = "charts";
/// The self-contained HTML report.
pub const REPORT: &str = "report.html";
/// The comparison of a replication with its publication (`leadsim replicate`).
pub const REPLICATION: &str = "replication.csv";

/// Files and folders leadsim writes into a result folder (what `--force` clears).
pub(crate) const OWNED: &[&str] = &[
    PLAN,
    MANIFEST,
    RUNS,
    TIMESERIES,
    SUMMARY,
    SHOCKS,
    STATS,
    CHARTS,
    REPORT,
    REPLICATION,
    analysis::SENSITIVITY,
    analysis::PROBLEM,
];

/// Whether leadsim writes a file or folder of this name into a result folder: one of
/// [`OWNED`], or a discovery (`discover-<condition>.csv`, named by its condition).
fn owned(name: &str) -> bool {
    OWNED.contains(&name) || (name.starts_with(analysis::DISCOVER_PREFIX) && name.ends_with(".csv"))
}

/// Errors of result folders.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error of the system.
        source: io::Error,
    },
    /// The folder holds a finished result and `--force` was not given.
    #[error(
        "{path} already holds a finished result (it has {MANIFEST}); use --force to replace it, or -o to choose another folder"
    )]
    Exists {
        /// The folder.
        path: PathBuf,
    },
    /// The folder holds an unfinished result and neither `--resume` nor `--force` was given.
    #[error(
        "{path} holds an unfinished run (it has {PLAN} but no {MANIFEST}); use --resume to finish it or --force to start over"
    )]
    Unfinished {
        /// The folder.
        path: PathBuf,
    },
    /// The folder holds files leadsim did not write.
    #[error(
        "{path} is not empty and is not a leadsim result folder; choose another folder with -o, or use --force to write into it anyway"
    )]
    Foreign {
        /// The folder.
        path: PathBuf,
    },
    /// A file stands where the folder, or a folder above it, should be.
    #[error("{} is a file, not a folder; choose a folder for the results with -o", blocking_file(path).display())]
    NotAFolder {
        /// The folder asked for.
        path: PathBuf,
    },
    /// Another process holds the folder's lock.
    #[error(
        "{path} is being written by another leadsim process (it holds {LOCK}); wait for it to finish or choose another folder"
    )]
    Locked {
        /// The folder.
        path: PathBuf,
    },
    /// The folder holds another experiment than the one to resume or merge.
    #[error("{path} holds a different experiment: {detail}")]
    Mismatch {
        /// The folder.
        path: PathBuf,
        /// What differs.
        detail: String,
    },
    /// A file of the folder is damaged or incomplete.
    #[error("{path}: {detail}")]
    Corrupt {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

impl OutputError {
    /// Whether the error is the user's to fix by changing the command (exit 2) rather than a
    /// failure of the machine (exit 1).
    pub fn is_input(&self) -> bool {
        !matches!(self, OutputError::Io { .. })
    }
}

/// Attaches a path to an I/O error.
pub fn io_at(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed to disk,
/// then renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut w = AtomicFile::create(path)?;
    w.write_all(bytes).map_err(io_at(path))?;
    w.commit()
}

/// Like [`write_atomic`], creating the file's folder first if needed.
pub fn write_atomic_dir(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_at(parent))?;
    }
    write_atomic(path, bytes)
}

/// A file being written under a temporary name; [`AtomicFile::commit`] renames it into place.
/// Dropped without committing, the temporary file is removed.
pub(crate) struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<io::BufWriter<File>>,
    /// Checksum of what was written, when asked for (saves reading the file again).
    summer: Option<crc32fast::Hasher>,
}

/// The checksum the manifest records for a table: its CRC-32 (the checksum of gzip, zip and
/// PNG; Python's `zlib.crc32`, `cksum -a crc32b`), as `crc32:` and 8 hex digits.
///
/// Not SHA-256: an unsigned manifest can only guard against accidental damage, which a CRC-32
/// catches as well, and hashing a gigabyte time series with SHA-256 costs about 5% of a sweep
/// on two cores, where the CRC-32 comes free from the per-run checksums the journals keep.
pub(crate) fn checksum_text(crc: u32) -> String {
    format!("crc32:{crc:08x}")
}

/// `checksum_text` of `bytes`.
pub fn checksum(bytes: &[u8]) -> String {
    checksum_text(crc32fast::hash(bytes))
}

impl AtomicFile {
    pub(crate) fn create(dest: &Path) -> Result<AtomicFile, OutputError> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let tmp = dest.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(io_at(&tmp))?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(io::BufWriter::with_capacity(1 << 16, file)),
            summer: None,
        })
    }

    /// The path the file will have once committed.
    pub(crate) fn dest(&self) -> &Path {
        &self.dest
    }

    /// Like [`AtomicFile::create`], also summing what is written
    /// ([`AtomicFile::commit_checksummed`]).
    pub(crate) fn create_checksummed(dest: &Path) -> Result<AtomicFile, OutputError> {
        let mut f = AtomicFile::create(dest)?;
        f.summer = Some(crc32fast::Hasher::new());
        Ok(f)
    }

    /// Commits the file and returns the [`checksum_text`] of its content.
    pub(crate) fn commit_checksummed(mut self) -> Result<String, OutputError> {
        let summer = self.summer.take().unwrap_or_default();
        self.commit()?;
        Ok(checksum_text(summer.finalize()))
    }

    /// Flushes, syncs and renames the file into place.
    pub(crate) fn commit(mut self) -> Result<(), OutputError> {
        let w = self.file.take().expect("not committed twice");
        let file = w.into_inner().map_err(|e| OutputError::Io {
            path: self.tmp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io_at(&self.tmp))?;
        fs::rename(&self.tmp, &self.dest).map_err(io_at(&self.dest))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.as_mut().expect("open").write(buf)?;
        if let Some(h) = self.summer.as_mut() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().expect("open").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// What a folder holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderState {
    /// Nothing stands at the path.
    Missing,
    /// An empty folder (hidden files aside).
    Empty,
    /// A finished result (`manifest.json`).
    Complete,
    /// A started but unfinished run (`plan.json` without a manifest).
    Unfinished,
    /// Something else.
    Foreign,
    /// A file (or anything else that is not a folder) stands at the path.
    NotAFolder,
}

/// The path at or above `dir` that exists but is not a folder (a file where a folder of the
/// path should be), or `dir` itself when there is none.
pub(crate) fn blocking_file(dir: &Path) -> &Path {
    dir.ancestors()
        .find(|a| !a.as_os_str().is_empty() && a.exists() && !a.is_dir())
        .unwrap_or(dir)
}

/// Inspects `dir`.
pub fn state(dir: &Path) -> Result<FolderState, OutputError> {
    if !dir.exists() {
        // `-o results.csv/out` cannot be created: say so before trying.
        if blocking_file(dir) != dir {
            return Ok(FolderState::NotAFolder);
        }
        return Ok(FolderState::Missing);
    }
    if !dir.is_dir() {
        return Ok(FolderState::NotAFolder);
    }
    if dir.join(MANIFEST).is_file() {
        return Ok(FolderState::Complete);
    }
    if dir.join(PLAN).is_file() {
        return Ok(FolderState::Unfinished);
    }
    // Hidden files (the lock, temporaries) do not make a folder foreign.
    let visible = fs::read_dir(dir)
        .map_err(io_at(dir))?
        .filter_map(Result::ok)
        .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
    Ok(if visible {
        FolderState::Foreign
    } else {
        FolderState::Empty
    })
}

/// An exclusive lock on a result folder, held while a process writes into it: the file `.lock`
/// in the folder, locked. The file is removed when the lock is released, so a finished folder
/// holds only results (a process killed meanwhile leaves an empty `.lock`, which is harmless).
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    /// Where the lock file is.
    path: PathBuf,
}

impl FolderLock {
    /// Takes the lock on `dir` (creating the folder), or fails if another process holds it.
    pub fn acquire(dir: &Path) -> Result<FolderLock, OutputError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        let path = dir.join(LOCK);
        // The lock file is removed on release: a lock taken on a file just removed (opened
        // before its holder removed it) is no lock, so the file locked must still be the one
        // at the path; if not, try again with the file there now.
        for _ in 0..8 {
            let file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(io_at(&path))?;
            match file.try_lock() {
                Ok(()) if same_file(&path, &file) => return Ok(FolderLock { file, path }),
                Ok(()) => continue,
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(OutputError::Locked {
                        path: dir.to_path_buf(),
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(OutputError::Io { path, source: e }),
            }
        }
        Err(OutputError::Locked {
            path: dir.to_path_buf(),
        })
    }

    /// Notes that the locked folder was renamed to `dir` (see [`replace`]).
    pub fn moved_to(&mut self, dir: &Path) {
        self.path = dir.join(LOCK);
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked, and only if it is still this lock's file.
        if cfg!(unix) && same_file(&self.path, &self.file) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` names the open file `file` (not one created at the same path since).
#[cfg(unix)]
fn same_file(path: &Path, file: &File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(path), file.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Without inode numbers the file locked is taken to be the one there (and it is never
/// removed: see [`FolderLock`]'s `drop`).
#[cfg(not(unix))]
fn same_file(_path: &Path, _file: &File) -> bool {
    true
}

/// The folder beside `dir` where `--force` builds a new result before it replaces the one in
/// `dir` (hidden: `.NAME.leadsim-new`), so the old result is not lost before the new one is
/// finished. `dir` must exist.
pub fn staging(dir: &Path) -> Result<PathBuf, OutputError> {
    sibling(dir, "leadsim-new")
}

/// The hidden folder `.NAME.SUFFIX` beside `dir`.
fn sibling(dir: &Path, suffix: &str) -> Result<PathBuf, OutputError> {
    let full = fs::canonicalize(dir).map_err(io_at(dir))?;
    match (full.parent(), full.file_name()) {
        (Some(parent), Some(name)) => {
            Ok(parent.join(format!(".{}.{suffix}", name.to_string_lossy())))
        }
        _ => Err(OutputError::Io {
            path: dir.to_path_buf(),
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                "a result cannot be replaced in the root folder; choose a folder with -o",
            ),
        }),
    }
}

/// Puts the finished result built in `staged` (see [`staging`]) in place of `dir`'s: what the
/// user put into `dir` besides leadsim's files moves over, then `dir` is renamed aside, `staged`
/// renamed to `dir`, and the old folder removed. Returns the old folder when it could not be
/// removed (the new result is in place regardless).
pub fn replace(dir: &Path, staged: &Path) -> Result<Option<PathBuf>, OutputError> {
    for entry in fs::read_dir(dir).map_err(io_at(dir))? {
        let entry = entry.map_err(io_at(dir))?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if owned(&text) || text == LOCK || temporary(&text).is_some() {
            continue;
        }
        let to = staged.join(&name);
        if !to.exists() {
            fs::rename(entry.path(), &to).map_err(io_at(&entry.path()))?;
        }
    }
    let old = sibling(dir, "leadsim-old")?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io_at(&old))?;
    }
    fs::rename(dir, &old).map_err(io_at(dir))?;
    if let Err(e) = fs::rename(staged, dir) {
        // Put the old result back where it was; the new one stays complete in `staged`.
        let _ = fs::rename(&old, dir);
        return Err(OutputError::Io {
            path: staged.to_path_buf(),
            source: io::Error::new(
                e.kind(),
                format!(
                    "the new result is complete here but could not replace {}: {e}",
                    dir.display()
                ),
            ),
        });
    }
    Ok(fs::remove_dir_all(&old).err().map(|_| old))
}

/// The process id in the name of a temporary file leadsim writes (`.NAME.PID.tmp`), if `name`
/// is one.
fn temporary(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    inner.rsplit_once('.')?.1.parse().ok()
}

/// Removes the temporary files (`.NAME.PID.tmp`) that processes killed while writing left in
/// `dir`, its charts and its runs: those of processes no longer running (all but this process's
/// where that cannot be told). Called with the folder's lock held.
pub fn clean_temporaries(dir: &Path) {
    for folder in [dir.to_path_buf(), dir.join(CHARTS), dir.join(RUNS)] {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Some(pid) = temporary(&entry.file_name().to_string_lossy()) else {
                continue;
            };
            if pid != std::process::id() && !running(pid) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Whether process `pid` is running (Linux: it has a `/proc` entry; elsewhere: assumed not).
fn running(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes what leadsim wrote into `dir` (for `--force`), leaving anything else.
pub fn clear(dir: &Path) -> Result<(), OutputError> {
    for name in OWNED {
        let p = dir.join(name);
        if p.is_dir() {
            fs::remove_dir_all(&p).map_err(io_at(&p))?;
        } else if p.exists() {
            fs::remove_file(&p).map_err(io_at(&p))?;
        }
    }
    // Discoveries are named by their condition.
    for entry in fs::read_dir(dir)
        .map_err(io_at(dir))?
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if owned(&name) && !OWNED.contains(&name.as_str()) {
            let p = entry.path();
            fs::remove_file(&p).map_err(io_at(&p))?;
        }
    }
    Ok(())
}

/// The most decimals [`uniform_cells`] writes.
const MAX_DECIMALS: usize = 10;

/// The cells of one column of values (a swept parameter's values at the points listed) as
/// people read them: when every cell is a finite number, each is written with the same number
/// of decimals, the fewest that show every value to within 10⁻⁹ of its size (at most
/// [`MAX_DECIMALS`]: `0`, `0.1`, `0.30000000000000004` read `0.0`, `0.1`, `0.3`; `2`, `2.5`
/// read `2.0`, `2.5`); a column of whole numbers or with any other cell is left as it is.
/// For display only: the tables keep every value exactly.
pub fn uniform_cells(cells: &[String]) -> Vec<String> {
    let numbers: Option<Vec<f64>> = cells
        .iter()
        .map(|c| c.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let Some(numbers) = numbers else {
        return cells.to_vec();
    };
    let close = |x: f64, d: usize| {
        let scale = 10f64.powi(d as i32);
        ((x * scale).round() / scale - x).abs() <= 1e-9 * x.abs().max(1e-300)
            || (x * scale).round() / scale == x
    };
    let decimals = (0..=MAX_DECIMALS)
        .find(|&d| numbers.iter().all(|&x| close(x, d)))
        .unwrap_or(MAX_DECIMALS);
    if decimals == 0 {
        return cells.to_vec();
    }
    numbers
        .iter()
        .map(|x| {
            let s = format!("{x:.decimals$}");
            // "-0.0" is zero.
            if s.trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        })
        .collect()
}

/// Formats a number for CSV: integers without a decimal point, other values in the shortest
/// form that reads back to the same `f64`, NaN as an empty (NA) cell.
pub(crate) fn number(x: f64) -> String {
    let mut out = Vec::with_capacity(24);
    push_number(&mut out, x);
    String::from_utf8(out).expect("ASCII digits")
}

/// Appends `x` formatted as by [`number`] to `out`, without allocating.
pub(crate) fn push_number(out: &mut Vec<u8>, x: f64) {
    let mut text = [0u8; NUMBER_LEN];
    let n = write_number(&mut text, x);
    out.extend_from_slice(&text[..n]);
}

/// The longest text [`number`] writes: `-2.2250738585072014e-308`.
pub(crate) const NUMBER_LEN: usize = 24;

/// Writes `x` formatted as by [`number`] at the start of `text`; returns its length.
pub(crate) fn write_number(text: &mut [u8; NUMBER_LEN], x: f64) -> usize {
    let mut int = itoa::Buffer::new();
    let mut float = ryu::Buffer::new();
    let mut fast = zmij::Buffer::new();
    let s: &[u8] = if x.is_nan() {
        b""
    } else if x.is_infinite() {
        if x > 0.0 { b"inf" } else { b"-inf" }
    } else if x.abs() < 1e15 && (x as i64) as f64 == x {
        // An integer (the cast truncates; `fract` would call libm's `trunc`).
        int.format(x as i64).as_bytes()
    } else if x.abs() < 1e16 {
        // Żmij writes the same digits as Ryū, faster; the two differ only in how they write
        // positive exponents (`1e+16` against `1e16`), which begin at 1e16.
        fast.format_finite(x).as_bytes()
    } else {
        float.format_finite(x).as_bytes()
    };
    text[..s.len()].copy_from_slice(s);
    s.len()
}

/// Parses a cell written by [`number`] (empty → NaN).
pub(crate) fn parse_number(cell: &str) -> Option<f64> {
    if cell.is_empty() {
        Some(f64::NAN)
    } else {
        cell.parse().ok()
    }
}

/// SHA-256 of `bytes`, as lowercase hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_of_values_has_one_precision() {
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            uniform_cells(&cells(&["0", "0.1", "0.30000000000000004", "1"])),
            cells(&["0.0", "0.1", "0.3", "1.0"])
        );
        assert_eq!(uniform_cells(&cells(&["2", "2.5"])), cells(&["2.0", "2.5"]));
        assert_eq!(
            uniform_cells(&cells(&["0.25", "-0.0", "1e-3"])),
            cells(&["0.250", "0.000", "0.001"])
        );
        // Whole numbers, words and mixed columns stay as they are.
        assert_eq!(uniform_cells(&cells(&["1", "20"])), cells(&["1", "20"]));
        assert_eq!(
            uniform_cells(&cells(&["vote", "0.5"])),
            cells(&["vote", "0.5"])
        );
        // A sampled value shows to within 10⁻⁹ of its size.
        assert_eq!(
            uniform_cells(&cells(&["0.123456789012345", "0.5"])),
            cells(&["0.123456789", "0.500000000"])
        );
    }

    #[test]
    fn numbers_round_trip() {
        for x in [
            0.0,
            1.0,
            -3.0,
            0.1,
            1.0 / 3.0,
            1e-300,
            123456.789,
            2.5e20,
            f64::INFINITY,
        ] {
            assert_eq!(parse_number(&number(x)).unwrap(), x, "{x}");
        }
        assert_eq!(number(3.0), "3");
        let mut v = Vec::new();
        for x in [0.5, 3.0, f64::NAN, 1e-300] {
            push_number(&mut v, x);
            v.push(b',');
        }
        assert_eq!(v, b"0.5,3,,1e-300,");
        assert_eq!(number(f64::NAN), "");
        assert!(parse_number("").unwrap().is_nan());
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(1e15), "1000000000000000.0");
        assert_eq!(number(2.5e20), "2.5e20");
    }

    /// The format of every number is Ryū's (integers below 1e15 aside): the faster Żmij is used
    /// only where the two agree, so the bytes of every result are what they were.
    fn ryu_reference(x: f64) -> String {
        if x.is_nan() {
            String::new()
        } else if x.is_infinite() {
            if x > 0.0 { "inf" } else { "-inf" }.to_string()
        } else if x.fract() == 0.0 && x.abs() < 1e15 {
            (x as i64).to_string()
        } else {
            ryu::Buffer::new().format_finite(x).to_string()
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        #[test]
        fn numbers_are_written_as_ryu_writes_them(bits in proptest::prelude::any::<u64>(), scale in -30i32..30, frac in 0.0f64..1.0) {
            for x in [f64::from_bits(bits), frac * 10f64.powi(scale), (frac * 1e6).round() / 1e3] {
                proptest::prop_assert_eq!(number(x), ryu_reference(x), "{:e}", x);
            }
        }
    }

    #[test]
    fn atomic_files_appear_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        {
            let mut w = AtomicFile::create(&p).unwrap();
            w.write_all(b"half").unwrap();
            // Dropped without commit: nothing appears, no temporary is left.
        }
        assert!(!p.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomic(&p, b"whole").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"whole");
    }

    #[test]
    fn folder_states_and_lock() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("r");
        assert_eq!(state(&d).unwrap(), FolderState::Missing);
        let lock = FolderLock::acquire(&d).unwrap();
        assert!(matches!(
            FolderLock::acquire(&d),
            Err(OutputError::Locked { .. })
        ));
        drop(lock);
        assert!(!d.join(LOCK).exists(), "a released lock leaves no file");
        // A lock whose file was removed and made again by another process is not held twice.
        let first = FolderLock::acquire(&d).unwrap();
        fs::remove_file(d.join(LOCK)).unwrap();
        let second = FolderLock::acquire(&d).unwrap();
        drop(first);
        assert!(
            d.join(LOCK).exists(),
            "the first lock leaves the second's file alone"
        );
        assert!(matches!(
            FolderLock::acquire(&d),
            Err(OutputError::Locked { .. })
        ));
        drop(second);
        assert!(FolderLock::acquire(&d).is_ok());
        fs::write(d.join(PLAN), "{}").unwrap();
        assert_eq!(state(&d).unwrap(), FolderState::Unfinished);
        fs::write(d.join(MANIFEST), "{}").unwrap();
        assert_eq!(state(&d).unwrap(), FolderState::Complete);
        clear(&d).unwrap();
        assert_eq!(
            state(&d).unwrap(),
            FolderState::Empty,
            "only the lock file is left"
        );
        fs::write(d.join("notes.txt"), "mine").unwrap();
        assert_eq!(state(&d).unwrap(), FolderState::Foreign);
        assert_eq!(
            state(&d.join("notes.txt")).unwrap(),
            FolderState::NotAFolder
        );
        let under = d.join("notes.txt").join("out");
        assert_eq!(state(&under).unwrap(), FolderState::NotAFolder);
        assert_eq!(blocking_file(&under), d.join("notes.txt"));
    }

    /// A finished staged result replaces the old one whole; the user's own files move over;
    /// temporaries of dead processes are cleaned, a live process's are kept.
    #[test]
    fn a_staged_result_replaces_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("r");
        fs::create_dir_all(d.join(CHARTS)).unwrap();
        for (name, text) in [(MANIFEST, "old"), (SUMMARY, "old"), ("notes.txt", "mine")] {
            fs::write(d.join(name), text).unwrap();
        }
        fs::write(d.join(CHARTS).join("a.png"), "old").unwrap();
        let staged = staging(&d).unwrap();
        assert_eq!(staged.file_name().unwrap(), ".r.leadsim-new");
        fs::create_dir_all(&staged).unwrap();
        fs::write(staged.join(MANIFEST), "new").unwrap();
        fs::write(staged.join(SUMMARY), "new").unwrap();
        assert_eq!(replace(&d, &staged).unwrap(), None);
        assert!(!staged.exists() && !dir.path().join(".r.leadsim-old").exists());
        assert_eq!(fs::read_to_string(d.join(MANIFEST)).unwrap(), "new");
        assert_eq!(fs::read_to_string(d.join("notes.txt")).unwrap(), "mine");
        assert!(
            !d.join(CHARTS).exists(),
            "the old result's charts went with it"
        );
        // Temporaries.
        assert_eq!(temporary(".summary.csv.4242.tmp"), Some(4242));
        assert_eq!(temporary("summary.csv"), None);
        let dead = d.join(format!(".stats.csv.{}.tmp", u32::MAX - 1));
        let live = d.join(format!(".stats.csv.{}.tmp", std::process::id()));
        fs::write(&dead, "x").unwrap();
        fs::write(&live, "x").unwrap();
        clean_temporaries(&d);
        assert!(!dead.exists() && live.exists());
    }

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
