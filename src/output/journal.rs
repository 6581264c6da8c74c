//! Journals of finished runs: append-only files in `runs/`, one per process, each a sequence of
//! self-checking records `(run index, length, CRC-32, encoded part)`; the CRC-32 covers the
//! header's fields as well as the part.
//!
//! A record holds the run's rows of every table (*inline*), or, when its time series went
//! straight into the ordered time-series file ([`crate::output::series`]), every table but the
//! time series and where in that file its rows are ([`Ordered`]: offset, length, CRC-32).
//!
//! A record is appended with a single write once its run is recorded (see [`super::store`] for
//! the few runs that wait in memory first), so when a process is killed the journal holds every
//! recorded run and at most one damaged record at its end, which [`scan`] detects by its length
//! or checksum and ignores; that run is simply run again on resume.
//!
//! Appending to a few files instead of creating one file per run keeps the cost of writing
//! results small (creating, renaming and deleting many small files costs more than the runs
//! themselves). A journal is never appended to by two processes: every process creates its own.
//!
//! Every journal starts with a line naming the experiment it belongs to (its identity, the
//! hash `plan.json` records), and every record's CRC-32 covers that identity too: journals
//! copied in from another experiment are refused by name, and a record moved from another
//! experiment's journal fails its checksum, so no run of another experiment is ever taken for
//! one of this.

use super::part::{self, Part};
use super::{OutputError, io_at};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "#leadsim-run";

/// The first line of a journal: this, a space, the experiment's identity and a newline.
const JOURNAL: &str = "#leadsim-journal 1";

/// An open journal being appended to.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    /// Bytes written so far.
    len: u64,
    /// The identity of the experiment the journal belongs to.
    identity: String,
}

/// Where a run's time-series rows are in the ordered time-series file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ordered {
    pub(crate) offset: u64,
    pub(crate) len: u64,
    pub(crate) crc: u32,
}

impl Journal {
    /// Creates a new journal of the experiment `identity` in `dir`, named after this process and
    /// `worker`; never reuses a file.
    pub(crate) fn create(
        dir: &Path,
        worker: usize,
        identity: &str,
    ) -> Result<Journal, OutputError> {
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        let pid = std::process::id();
        for n in 0u32.. {
            let path = dir.join(format!("journal-{pid}-{worker}-{n}.runs"));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let header = format!("{JOURNAL} {identity}\n");
                    file.write_all(header.as_bytes()).map_err(io_at(&path))?;
                    return Ok(Journal {
                        path,
                        file,
                        buf: Vec::with_capacity(1 << 16),
                        len: header.len() as u64,
                        identity: identity.to_string(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(OutputError::Io { path, source: e }),
            }
        }
        unreachable!("some journal name is free")
    }

    /// Appends run `index`'s part as one record, in one write; returns where it is.
    pub(crate) fn append(&mut self, index: u64, part: &Part) -> Result<Location, OutputError> {
        self.write(index, &part::encode(index, part, true), None)
    }

    /// Appends run `index`'s summary and shock rows as one record noting that its time-series
    /// rows are at `at` in the ordered time-series file (written there before this record).
    pub(crate) fn append_ordered(
        &mut self,
        index: u64,
        part: &Part,
        at: Ordered,
    ) -> Result<Location, OutputError> {
        let payload = part::encode(index, part, false);
        self.write(index, &payload, Some(at))
    }

    fn write(
        &mut self,
        index: u64,
        payload: &[u8],
        at: Option<Ordered>,
    ) -> Result<Location, OutputError> {
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(covered(&self.identity, index, payload.len(), at).as_bytes());
        hasher.update(payload);
        let crc = hasher.finalize();
        self.buf.clear();
        let mut header = format!("{HEADER} {index} {} {crc:08x}", payload.len());
        if let Some(o) = at {
            header += &format!(" {} {} {:08x}", o.offset, o.len, o.crc);
        }
        header.push('\n');
        self.buf.extend_from_slice(header.as_bytes());
        self.buf.extend_from_slice(payload);
        self.file.write_all(&self.buf).map_err(io_at(&self.path))?;
        let location = Location {
            file: self.path.clone(),
            offset: self.len + header.len() as u64,
            len: payload.len(),
            ordered: at,
        };
        self.len += self.buf.len() as u64;
        Ok(location)
    }
}

/// Where a finished run's record is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) file: PathBuf,
    pub(crate) offset: u64,
    pub(crate) len: usize,
    /// For a record without its time series: where that is in the ordered file.
    pub(crate) ordered: Option<Ordered>,
}

/// The finished runs found in one or more `runs/` folders.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    /// The first record of each run that holds all of its rows.
    pub(crate) runs: BTreeMap<u64, Location>,
    /// The first record of each run whose time series is in the ordered file. Whether that file
    /// still holds it is for [`crate::output::series`] to check.
    pub(crate) ordered: BTreeMap<u64, Location>,
    /// Journals that end in a damaged record (an interrupted write), for information.
    pub(crate) damaged: Vec<PathBuf>,
}

impl Index {
    /// Fails naming the damaged journals, if any: for finished results (a shard to merge),
    /// whose journals were complete when they were written, damage is not an interruption.
    pub(crate) fn undamaged(&self) -> Result<(), OutputError> {
        match self.damaged.first() {
            None => Ok(()),
            Some(first) => Err(OutputError::Corrupt {
                path: first.clone(),
                detail: format!(
                    "damaged: a record of this journal fails its checksum or is cut short{}; the folder's result is not intact: run it again (the same command with --force)",
                    if self.damaged.len() > 1 {
                        format!(" ({} damaged journals in all)", self.damaged.len())
                    } else {
                        String::new()
                    }
                ),
            }),
        }
    }
}

/// Reads records, keeping each journal open once opened.
#[derive(Debug, Default)]
pub(crate) struct Reader {
    open: BTreeMap<PathBuf, File>,
}

impl Reader {
    /// Reads the payload of the record at `loc`.
    pub(crate) fn read_at(&mut self, loc: &Location) -> Result<Vec<u8>, OutputError> {
        let f = match self.open.entry(loc.file.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(File::open(&loc.file).map_err(io_at(&loc.file))?)
            }
        };
        payload(f, loc)
    }
}

/// Reads the payload of the record at `loc`, opening its journal for this one read.
pub(crate) fn read_record(loc: &Location) -> Result<Vec<u8>, OutputError> {
    payload(&mut File::open(&loc.file).map_err(io_at(&loc.file))?, loc)
}

/// Reads the payload of the record at `loc` from its open journal `f`.
fn payload(f: &mut File, loc: &Location) -> Result<Vec<u8>, OutputError> {
    f.seek(SeekFrom::Start(loc.offset))
        .map_err(io_at(&loc.file))?;
    let mut payload = vec![0u8; loc.len];
    f.read_exact(&mut payload).map_err(io_at(&loc.file))?;
    Ok(payload)
}

/// Indexes every valid record of every journal of the experiment `identity` in `dirs`
/// (missing folders hold none). A damaged record ends the reading of its journal; the first
/// record of a run wins. A journal of another experiment, or of an earlier version of leadsim,
/// is an error naming it.
pub(crate) fn scan(dirs: &[PathBuf], identity: &str) -> Result<Index, OutputError> {
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
            scan_file(&file, identity, &mut index)?;
        }
    }
    Ok(index)
}

fn scan_file(file: &Path, identity: &str, index: &mut Index) -> Result<(), OutputError> {
    // Streamed: a journal may hold gigabytes of rows, and only the headers are kept.
    let f = File::open(file).map_err(io_at(file))?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let mut header = Vec::with_capacity(128);
    let n = std::io::BufRead::read_until(&mut (&mut r).take(256), b'\n', &mut header)
        .map_err(io_at(file))?;
    let Some(line) = header.strip_suffix(b"\n") else {
        // Killed as it was created: an empty journal, or half its first line.
        return Ok(());
    };
    match std::str::from_utf8(line)
        .ok()
        .and_then(|l| l.strip_prefix(JOURNAL))
        .and_then(|l| l.strip_prefix(' '))
    {
        Some(id) if id == identity => {}
        Some(id) => {
            return Err(OutputError::Mismatch {
                path: file.to_path_buf(),
                detail: format!(
                    "this journal holds runs of the experiment {}…, not of this one ({}…, as plan.json says); it was copied from another result folder: remove it, or resume the experiment it belongs to",
                    &id[..id.len().min(12)],
                    &identity[..identity.len().min(12)]
                ),
            });
        }
        None => {
            return Err(OutputError::Corrupt {
                path: file.to_path_buf(),
                detail: "not a journal of this version of leadsim (it names no experiment); start over with --force".into(),
            });
        }
    }
    let mut pos = n as u64;
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        header.clear();
        let n = std::io::BufRead::read_until(&mut (&mut r).take(128), b'\n', &mut header)
            .map_err(io_at(file))?;
        if n == 0 {
            return Ok(());
        }
        let Some((run, len, crc, ordered)) = parse_header(&header) else {
            index.damaged.push(file.to_path_buf());
            return Ok(());
        };
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(covered(identity, run, len, ordered).as_bytes());
        let mut left = len;
        while left > 0 {
            let want = left.min(chunk.len());
            let got = r.read(&mut chunk[..want]).map_err(io_at(file))?;
            if got == 0 {
                break;
            }
            hasher.update(&chunk[..got]);
            left -= got;
        }
        if left > 0 || hasher.finalize() != crc {
            index.damaged.push(file.to_path_buf());
            return Ok(());
        }
        let map = if ordered.is_some() {
            &mut index.ordered
        } else {
            &mut index.runs
        };
        map.entry(run).or_insert(Location {
            file: file.to_path_buf(),
            offset: pos + n as u64,
            len,
            ordered,
        });
        pos += n as u64 + len as u64;
    }
}

/// What a record's CRC-32 covers besides its payload: the experiment's identity, the run, the
/// payload's length and where its time series is, so that damage to any of them, or a record
/// of another experiment, is caught too.
fn covered(identity: &str, run: u64, len: usize, at: Option<Ordered>) -> String {
    match at {
        None => format!("{identity} {run} {len}"),
        Some(o) => format!(
            "{identity} {run} {len} {} {} {:08x}",
            o.offset, o.len, o.crc
        ),
    }
}

/// Parses a record header line `#leadsim-run RUN LEN CRC\n`, or for a record whose time series
/// is in the ordered file `#leadsim-run RUN LEN CRC TS-OFFSET TS-LEN TS-CRC\n`.
fn parse_header(line: &[u8]) -> Option<(u64, usize, u32, Option<Ordered>)> {
    let line = std::str::from_utf8(line.strip_suffix(b"\n")?).ok()?;
    let mut fields = line.split(' ');
    if fields.next()? != HEADER {
        return None;
    }
    let run: u64 = fields.next()?.parse().ok()?;
    let len: usize = fields.next()?.parse().ok()?;
    let crc = u32::from_str_radix(fields.next()?, 16).ok()?;
    let ordered = match fields.next() {
        None => None,
        Some(offset) => Some(Ordered {
            offset: offset.parse().ok()?,
            len: fields.next()?.parse().ok()?,
            crc: u32::from_str_radix(fields.next()?, 16).ok()?,
        }),
    };
    fields.next().is_none().then_some((run, len, crc, ordered))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::output::part::sample as part;

    /// The identity of the experiment of these tests.
    const ID: &str = "c0ffee";

    /// Run `run`'s part from its inline record (`None` when it has none).
    fn read(index: &Index, run: u64) -> Option<Part> {
        let loc = index.runs.get(&run)?;
        Some(part::decode(&loc.file, run, &read_record(loc).unwrap()).unwrap())
    }

    #[test]
    fn records_round_trip_and_a_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let mut j = Journal::create(&runs, 0, ID).unwrap();
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
        let index = scan(std::slice::from_ref(&runs), ID).unwrap();
        assert_eq!(
            index.runs.keys().copied().collect::<Vec<_>>(),
            vec![1, 3, 7]
        );
        assert_eq!(index.damaged, vec![path.clone()]);
        assert_eq!(read(&index, 7), Some(part(7)));
        assert_eq!(read(&index, 9), None);
        // A flipped byte inside a record is caught by its checksum.
        bytes.truncate(whole);
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let index = scan(&[runs], ID).unwrap();
        assert_eq!(index.runs.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
    }

    /// The CRC-32 covers the header's fields: a changed run number, or a changed place of the
    /// time series, makes the record damaged instead of misleading.
    #[test]
    fn damage_to_a_header_field_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let mut j = Journal::create(&runs, 0, ID).unwrap();
        let at = Ordered {
            offset: 42550,
            len: 17,
            crc: 0xabc,
        };
        j.append_ordered(5, &part(5), at).unwrap();
        j.append(6, &part(6)).unwrap();
        let path = j.path.clone();
        drop(j);
        let good = fs::read(&path).unwrap();
        // Replaces the first `from` in `bytes` (records hold binary values, not only text).
        let replacen = |bytes: &[u8], from: &str, to: &str| -> Option<Vec<u8>> {
            let at = bytes
                .windows(from.len())
                .position(|w| w == from.as_bytes())?;
            let mut out = bytes[..at].to_vec();
            out.extend_from_slice(to.as_bytes());
            out.extend_from_slice(&bytes[at + from.len()..]);
            Some(out)
        };
        let index = scan(std::slice::from_ref(&runs), ID).unwrap();
        assert_eq!(index.ordered[&5].ordered, Some(at));
        assert!(index.runs.contains_key(&6));
        for (from, to) in [
            (" 42550 ", " 42551 "),
            ("run 5 ", "run 4 "),
            ("run 6 ", "run 7 "),
        ] {
            let from = from.replace("run", HEADER);
            let to = to.replace("run", HEADER);
            fs::write(&path, replacen(&good, &from, &to).expect(&from)).unwrap();
            let index = scan(std::slice::from_ref(&runs), ID).unwrap();
            assert_eq!(index.damaged, vec![path.clone()], "{to}");
            assert!(!index.runs.contains_key(&7) && !index.ordered.contains_key(&4));
        }
    }

    #[test]
    fn every_process_writes_its_own_journal() {
        let dir = tempfile::tempdir().unwrap();
        let a = Journal::create(dir.path(), 0, ID).unwrap();
        let b = Journal::create(dir.path(), 0, ID).unwrap();
        assert_ne!(a.path, b.path);
        assert!(
            scan(&[dir.path().join("missing")], ID)
                .unwrap()
                .runs
                .is_empty()
        );
    }

    /// Journals belong to one experiment: another experiment's journal is refused by name, a
    /// record moved in from one fails its checksum, and a journal killed as it was created (no
    /// whole first line) holds no runs.
    #[test]
    fn journals_belong_to_their_experiment() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        let mut j = Journal::create(&runs, 0, ID).unwrap();
        j.append(0, &part(0)).unwrap();
        let mine = j.path.clone();
        drop(j);
        let mut other = Journal::create(&runs, 1, "f00d").unwrap();
        other.append(1, &part(1)).unwrap();
        let theirs = other.path.clone();
        drop(other);
        let e = scan(std::slice::from_ref(&runs), ID).unwrap_err();
        assert!(
            matches!(&e, OutputError::Mismatch { path, .. } if *path == theirs),
            "{e}"
        );
        assert!(
            e.to_string().contains("copied from another result folder"),
            "{e}"
        );
        // The other journal's record spliced into this one: damaged, not taken.
        let record = &fs::read(&theirs).unwrap()[format!("{JOURNAL} f00d\n").len()..];
        let mut bytes = fs::read(&mine).unwrap();
        bytes.extend_from_slice(record);
        fs::write(&mine, bytes).unwrap();
        fs::remove_file(&theirs).unwrap();
        let index = scan(std::slice::from_ref(&runs), ID).unwrap();
        assert_eq!(index.runs.keys().copied().collect::<Vec<_>>(), vec![0]);
        assert_eq!(index.damaged, vec![mine.clone()]);
        assert!(
            index
                .undamaged()
                .unwrap_err()
                .to_string()
                .contains("damaged")
        );
        // A journal cut inside its first line holds nothing; one of an older format is refused.
        fs::write(runs.join("journal-1-0-0.runs"), &JOURNAL[..5]).unwrap();
        assert_eq!(scan(std::slice::from_ref(&runs), ID).unwrap().runs.len(), 1);
        fs::write(
            runs.join("journal-1-0-0.runs"),
            b"#leadsim-run 0 3 00000000\nabc",
        )
        .unwrap();
        let e = scan(&[runs], ID).unwrap_err().to_string();
        assert!(e.contains("not a journal of this version"), "{e}");
    }
}
