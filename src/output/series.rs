//! The ordered time-series file: `runs/timeseries.ordered`, the header of `timeseries.csv`
//! followed by the time-series rows of runs 0, 1, 2, … in run order, appended as runs finish.
//! When every run is in it, it *is* `timeseries.csv` and is renamed into place, so the largest
//! table is written once instead of being journaled and then copied.
//!
//! Each run's rows go into this file first; then its journal record notes where they are
//! (`Ordered`: offset, length, CRC-32). A killed process therefore leaves the file holding, at
//! most, the rows of one run more than the journals account for. `Series::open` keeps the
//! longest prefix of runs 0, 1, … whose records place them one after another and whose
//! checksums match, and cuts off the rest; those runs are run again.

use super::journal::{Index, Ordered};
use super::{OutputError, io_at};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The file's name in `runs/`.
pub(crate) const FILE: &str = "timeseries.ordered";

/// Bytes appended between two background flushes.
const FLUSH_BYTES: u64 = 32 << 20;

/// Bytes of disk reserved ahead of the rows appended (Linux: `fallocate`, keeping the size).
const RESERVE_BYTES: u64 = 64 << 20;

/// The ordered time-series file, open for appending the next run's rows.
pub(crate) struct Series {
    path: PathBuf,
    file: File,
    flusher: Flusher,
    unflushed: u64,
    /// Where the disk space reserved ahead ends.
    reserved: u64,
    /// The run whose rows come next.
    next: u64,
    /// Bytes in the file.
    len: u64,
    /// CRC-32 of the bytes in the file, combined from the runs' CRC-32s.
    summer: crc32fast::Hasher,
}

/// A complete ordered file: every run's rows, ready to become `timeseries.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complete {
    pub(crate) path: PathBuf,
    /// As [`super::checksum_text`].
    pub(crate) checksum: String,
}

impl Series {
    /// Opens the ordered file in `runs_dir` (creating it with `header` if it is missing or does
    /// not start with it), keeping the runs `index` places in it in order, checksums verified.
    pub(crate) fn open(
        runs_dir: &Path,
        header: &[u8],
        index: &Index,
    ) -> Result<Series, OutputError> {
        let path = runs_dir.join(FILE);
        // Killed between moving the complete file into place and writing the manifest: the
        // file is `timeseries.csv` now, and its runs are still good. Take it back.
        if let Some(done) = runs_dir.parent().map(|d| d.join(super::TIMESERIES))
            && !path.exists()
            && done.is_file()
        {
            fs::rename(&done, &path).map_err(io_at(&path))?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_at(&path))?;
        let size = file.metadata().map_err(io_at(&path))?.len();
        let mut summer = crc32fast::Hasher::new();
        let mut buf = vec![0u8; header.len()];
        let has_header = size >= header.len() as u64
            && file.read_exact(&mut buf).is_ok()
            && buf.as_slice() == header;
        let (mut next, mut len) = (0u64, header.len() as u64);
        if has_header {
            summer.update(header);
            buf.resize(1 << 20, 0);
            while let Some(at) = index.ordered.get(&next).and_then(|l| l.ordered) {
                if at.offset != len || at.offset.checked_add(at.len).is_none_or(|e| e > size) {
                    break;
                }
                // Read in pieces: a run's rows may be large.
                let mut run = crc32fast::Hasher::new();
                let mut left = at.len;
                while left > 0 {
                    let piece = &mut buf[..left.min(1 << 20) as usize];
                    file.read_exact(piece).map_err(io_at(&path))?;
                    run.update(piece);
                    left -= piece.len() as u64;
                }
                if run.clone().finalize() != at.crc {
                    break;
                }
                summer.combine(&run);
                len += at.len;
                next += 1;
            }
        } else {
            file.set_len(0).map_err(io_at(&path))?;
            file.seek(SeekFrom::Start(0)).map_err(io_at(&path))?;
            file.write_all(header).map_err(io_at(&path))?;
            summer.update(header);
        }
        file.set_len(len).map_err(io_at(&path))?;
        file.seek(SeekFrom::Start(len)).map_err(io_at(&path))?;
        let flusher = Flusher::start(file.try_clone().map_err(io_at(&path))?);
        Ok(Series {
            path,
            file,
            flusher,
            unflushed: 0,
            reserved: len,
            next,
            len,
            summer,
        })
    }

    /// The run whose rows come next.
    pub(crate) fn next(&self) -> u64 {
        self.next
    }

    /// Appends the rows of run [`Series::next`]; returns where they are, for its journal record.
    pub(crate) fn push(&mut self, rows: &[u8]) -> Result<Ordered, OutputError> {
        let end = self.len + rows.len() as u64;
        if end > self.reserved {
            self.reserved = end + RESERVE_BYTES;
            reserve(&self.file, self.len, self.reserved - self.len);
        }
        self.file.write_all(rows).map_err(io_at(&self.path))?;
        let mut run = crc32fast::Hasher::new();
        run.update(rows);
        let at = Ordered {
            offset: self.len,
            len: rows.len() as u64,
            crc: run.clone().finalize(),
        };
        self.summer.combine(&run);
        self.len += at.len;
        self.next += 1;
        self.unflushed += at.len;
        if self.unflushed >= FLUSH_BYTES {
            self.flusher.nudge();
            self.unflushed = 0;
        }
        Ok(at)
    }

    /// Flushes the file to disk and returns it with its checksum.
    pub(crate) fn finish(self) -> Result<Complete, OutputError> {
        // Truncating to its own length releases the space reserved past the end.
        self.file.set_len(self.len).map_err(io_at(&self.path))?;
        self.flusher.finish().map_err(io_at(&self.path))?;
        self.file.sync_all().map_err(io_at(&self.path))?;
        Ok(Complete {
            path: self.path,
            checksum: super::checksum_text(self.summer.finalize()),
        })
    }
}

/// Reserves disk space for `len` bytes from `offset` without changing the file's size: appending
/// into reserved space costs the file system less (about a fifth of the kernel's time on ext4).
/// Only an optimization: where it is not supported, or the disk is full (the write that follows
/// then reports it), nothing is reserved.
#[cfg(target_os = "linux")]
fn reserve(file: &File, offset: u64, len: u64) {
    let _ = rustix::fs::fallocate(file, rustix::fs::FallocateFlags::KEEP_SIZE, offset, len);
}

#[cfg(not(target_os = "linux"))]
fn reserve(_file: &File, _offset: u64, _len: u64) {}

/// Writes the file's pages to disk on a thread of its own while rows are still being appended,
/// so the final flush (before the file becomes `timeseries.csv`) has little left to wait for.
/// The operating system would otherwise hold hundreds of megabytes until then.
struct Flusher {
    tx: Option<std::sync::mpsc::SyncSender<()>>,
    done: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Flusher {
    fn start(file: File) -> Flusher {
        let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
        let done = std::thread::spawn(move || {
            for () in rx {
                file.sync_data()?;
            }
            Ok(())
        });
        Flusher {
            tx: Some(tx),
            done: Some(done),
        }
    }

    /// Asks for a flush, unless one is already waiting.
    fn nudge(&self) {
        if let Some(tx) = &self.tx {
            let _ = tx.try_send(());
        }
    }

    /// Waits for the flushes asked for; their error, if any (an error is reported once, to
    /// whichever flush meets it, so it must not be dropped here).
    fn finish(mut self) -> std::io::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> std::io::Result<()> {
        drop(self.tx.take());
        match self.done.take() {
            Some(done) => done.join().expect("the flushing thread does not panic"),
            None => Ok(()),
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// Checks that the records in `index` account for every one of `runs` runs of a complete
/// ordered file, one after another from the end of its `header_len`-byte header to its end.
pub(crate) fn check(
    complete: &Complete,
    index: &Index,
    runs: u64,
    header_len: u64,
) -> Result<(), OutputError> {
    let size = fs::metadata(&complete.path)
        .map_err(io_at(&complete.path))?
        .len();
    let mut end = header_len;
    for i in 0..runs {
        match index.ordered.get(&i).and_then(|l| l.ordered) {
            Some(at) if at.offset == end => end += at.len,
            _ => {
                return Err(OutputError::Corrupt {
                    path: complete.path.clone(),
                    detail: format!("the rows of run {i} are not where its record says"),
                });
            }
        }
    }
    if end != size {
        return Err(OutputError::Corrupt {
            path: complete.path.clone(),
            detail: format!("{size} bytes where the records account for {end}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::journal::{self, Journal};

    use crate::output::part::sample as part;

    /// Streams runs `from..to` the way the runner does: rows first, then the record.
    fn stream(runs: &Path, from: u64, to: u64) -> Series {
        let index = journal::scan(&[runs.to_path_buf()], "id").unwrap();
        let mut s = Series::open(runs, b"h\n", &index).unwrap();
        assert_eq!(s.next(), from);
        let mut j = Journal::create(runs, 0, "id").unwrap();
        for i in from..to {
            let at = s.push(&part(i).timeseries).unwrap();
            j.append_ordered(i, &part(i), at).unwrap();
        }
        s
    }

    fn expected(runs: u64) -> Vec<u8> {
        let mut want = b"h\n".to_vec();
        for i in 0..runs {
            want.extend(part(i).timeseries);
        }
        want
    }

    #[test]
    fn a_resumed_file_keeps_the_recorded_prefix_and_cuts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        fs::create_dir_all(&runs).unwrap();
        drop(stream(&runs, 0, 3));
        // Killed between the rows of run 3 and its record: the rows are there, unrecorded.
        let path = runs.join(FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&part(3).timeseries).unwrap();
        drop(f);
        let s = stream(&runs, 3, 5);
        let complete = s.finish().unwrap();
        let bytes = fs::read(&complete.path).unwrap();
        assert_eq!(bytes, expected(5));
        assert_eq!(complete.checksum, crate::output::checksum(&bytes));
        let index = journal::scan(std::slice::from_ref(&runs), "id").unwrap();
        check(&complete, &index, 5, 2).unwrap();
    }

    /// Killed after the complete file became `timeseries.csv` but before the manifest: a
    /// resume takes the file back and keeps its runs.
    #[test]
    fn a_file_already_moved_into_place_is_taken_back() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        fs::create_dir_all(&runs).unwrap();
        let complete = stream(&runs, 0, 3).finish().unwrap();
        fs::rename(&complete.path, dir.path().join("timeseries.csv")).unwrap();
        let s = stream(&runs, 3, 3);
        assert_eq!(s.next(), 3);
        assert!(!dir.path().join("timeseries.csv").exists());
        assert_eq!(fs::read(runs.join(FILE)).unwrap(), expected(3));
    }

    #[test]
    fn damaged_rows_are_cut_off_with_everything_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        fs::create_dir_all(&runs).unwrap();
        drop(stream(&runs, 0, 4));
        let path = runs.join(FILE);
        let mut bytes = fs::read(&path).unwrap();
        // Flip a byte in run 2's rows: runs 2 and 3 must be run again.
        let at = 2 + 2 * part(0).timeseries.len() + 1;
        bytes[at] ^= 1;
        fs::write(&path, &bytes).unwrap();
        let s = stream(&runs, 2, 4);
        assert_eq!(fs::read(&path).unwrap(), expected(4));
        drop(s);
        // A file that does not start with the header is started again.
        fs::write(&path, b"other\n").unwrap();
        let index = journal::scan(std::slice::from_ref(&runs), "id").unwrap();
        let s = Series::open(&runs, b"h\n", &index).unwrap();
        assert_eq!(s.next(), 0);
        assert_eq!(fs::read(&path).unwrap(), b"h\n");
    }

    #[test]
    fn check_refuses_a_file_its_records_do_not_account_for() {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        fs::create_dir_all(&runs).unwrap();
        let complete = stream(&runs, 0, 3).finish().unwrap();
        let index = journal::scan(std::slice::from_ref(&runs), "id").unwrap();
        check(&complete, &index, 3, 2).unwrap();
        assert!(check(&complete, &index, 4, 2).is_err(), "a run missing");
        let mut f = OpenOptions::new()
            .append(true)
            .open(&complete.path)
            .unwrap();
        f.write_all(b"extra\n").unwrap();
        drop(f);
        assert!(
            check(&complete, &index, 3, 2).is_err(),
            "bytes after the last run"
        );
    }
}
