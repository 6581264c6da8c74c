//! Journals of finished runs: append-only files in `runs/`, one per worker thread and process,
//! each a sequence of self-checking records `(run index, length, CRC-32, encoded part)`.
//!
//! A record is appended with a single write once its run has finished, so when a process is
//! killed the journal holds every finished run and at most one damaged record at its end, which
//! [`scan`] detects by its length or checksum and ignores; that run is simply run again on resume.
//! Appending to a few files instead of creating one file per run keeps the cost of writing results
//! small (creating, renaming and deleting many small files costs more than the runs themselves).
//! A journal is never appended to by two processes: every process creates its own.

use super::tables::{self, Part};
use super::{OutputError, io_at};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "#leadsim-run";

/// An open journal being appended to.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
}

impl Journal {
    /// Creates a new journal in `dir` named after this process and `worker`; never reuses a file.
    pub fn create(dir: &Path, worker: usize) -> Result<Journal, OutputError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        let pid = std::process::id();
        for n in 0u32.. {
            let path = dir.join(format!("journal-{pid}-{worker}-{n}.runs"));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(Journal {
                        path,
                        file,
                        buf: Vec::with_capacity(1 << 16),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(OutputError::Io { path, source: e }),
            }
        }
        unreachable!("some journal name is free")
    }

    /// Appends run `index`'s part as one record, in one write.
    pub fn append(&mut self, index: u64, part: &Part) -> Result<(), OutputError> {
        let payload = tables::encode_part(index, part);
        let crc = crc32fast::hash(&payload);
        self.buf.clear();
        self.buf.extend_from_slice(
            format!("{HEADER} {index} {} {crc:08x}\n", payload.len()).as_bytes(),
        );
        self.buf.extend_from_slice(&payload);
        self.file.write_all(&self.buf).map_err(io_at(&self.path))
    }
}

/// Where a finished run's record is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub offset: u64,
    pub len: usize,
}

/// The finished runs found in one or more `runs/` folders.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub runs: BTreeMap<u64, Location>,
    /// Journals that end in a damaged record (an interrupted write), for information.
    pub damaged: Vec<PathBuf>,
}

impl Index {
    /// Reads run `index`'s part.
    pub fn read(&self, index: u64) -> Result<Option<Part>, OutputError> {
        self.reader().read(index)
    }

    /// A reader that keeps the journals open across reads.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            index: self,
            open: BTreeMap::new(),
        }
    }
}

/// Reads records, keeping each journal open once opened.
pub struct Reader<'a> {
    index: &'a Index,
    open: BTreeMap<PathBuf, File>,
}

impl Reader<'_> {
    /// Reads run `index`'s part (`None` when it has no record).
    pub fn read(&mut self, index: u64) -> Result<Option<Part>, OutputError> {
        let Some(loc) = self.index.runs.get(&index) else {
            return Ok(None);
        };
        if !self.open.contains_key(&loc.file) {
            let f = File::open(&loc.file).map_err(io_at(&loc.file))?;
            self.open.insert(loc.file.clone(), f);
        }
        let f = self.open.get_mut(&loc.file).expect("opened");
        f.seek(SeekFrom::Start(loc.offset))
            .map_err(io_at(&loc.file))?;
        let mut payload = vec![0u8; loc.len];
        f.read_exact(&mut payload).map_err(io_at(&loc.file))?;
        tables::decode_part(&loc.file, index, &payload).map(Some)
    }
}

/// Indexes every valid record of every journal in `dirs` (missing folders hold none). A damaged
/// record ends the reading of its journal; the first record of a run wins.
pub fn scan(dirs: &[PathBuf]) -> Result<Index, OutputError> {
    let mut index = Index::default();
    for dir in dirs {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(OutputError::Io {
                    path: dir.clone(),
                    source: e,
                });
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "runs"))
            .collect();
        files.sort();
        for file in files {
            scan_file(&file, &mut index)?;
        }
    }
    Ok(index)
}

fn scan_file(file: &Path, index: &mut Index) -> Result<(), OutputError> {
    let bytes = fs::read(file).map_err(io_at(file))?;
    let mut pos = 0usize;
    while pos < bytes.len() {
        let Some(record) = parse_record(&bytes[pos..]) else {
            index.damaged.push(file.to_path_buf());
            break;
        };
        let (run, header_len, len) = record;
        index.runs.entry(run).or_insert(Location {
            file: file.to_path_buf(),
            offset: (pos + header_len) as u64,
            len,
        });
        pos += header_len + len;
    }
    Ok(())
}

/// Parses the record at the start of `b`: `(run, header length, payload length)` when it is
/// whole and its checksum matches.
fn parse_record(b: &[u8]) -> Option<(u64, usize, usize)> {
    let nl = b.iter().take(128).position(|&c| c == b'\n')?;
    let header = std::str::from_utf8(&b[..nl]).ok()?;
    let mut fields = header.split(' ');
    if fields.next()? != HEADER {
        return None;
    }
    let run: u64 = fields.next()?.parse().ok()?;
    let len: usize = fields.next()?.parse().ok()?;
    let crc = u32::from_str_radix(fields.next()?, 16).ok()?;
    let start = nl + 1;
    let payload = b.get(start..start.checked_add(len)?)?;
    (crc32fast::hash(payload) == crc).then_some((run, start, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(i: u64) -> Part {
        Part {
            timeseries: format!("m,{i},1\n").into_bytes(),
            summary: format!("m,{i},2\n").into_bytes(),
            shocks: Vec::new(),
        }
    }

    #[test]
    fn records_round_trip_and_a_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let mut j = Journal::create(&runs, 0).unwrap();
        for i in [3u64, 1, 7] {
            j.append(i, &part(i)).unwrap();
        }
        let path = j.path.clone();
        drop(j);
        // A process killed in the middle of a write leaves half a record.
        let mut bytes = fs::read(&path).unwrap();
        let whole = bytes.len();
        let mut torn = Vec::new();
        torn.extend_from_slice(format!("{HEADER} 9 100 00000000\nabc").as_bytes());
        bytes.extend_from_slice(&torn);
        fs::write(&path, &bytes).unwrap();
        let index = scan(std::slice::from_ref(&runs)).unwrap();
        assert_eq!(
            index.runs.keys().copied().collect::<Vec<_>>(),
            vec![1, 3, 7]
        );
        assert_eq!(index.damaged, vec![path.clone()]);
        assert_eq!(index.read(7).unwrap(), Some(part(7)));
        assert_eq!(index.read(9).unwrap(), None);
        // A flipped byte inside a record is caught by its checksum.
        bytes.truncate(whole);
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let index = scan(&[runs]).unwrap();
        assert_eq!(index.runs.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn every_process_writes_its_own_journal() {
        let dir = tempfile::tempdir().unwrap();
        let a = Journal::create(dir.path(), 0).unwrap();
        let b = Journal::create(dir.path(), 0).unwrap();
        assert_ne!(a.path, b.path);
        assert!(scan(&[dir.path().join("missing")]).unwrap().runs.is_empty());
    }
}
