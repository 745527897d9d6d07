//! Output files written through temporary files and renamed when complete.
//!
//! Each output is written as `.NAME.partial` in the output directory, synced, then renamed to
//! `NAME` (and the directory synced); `summary.json` is removed when a run starts and renamed last, so a directory whose
//! run was interrupted never holds a truncated file under its final name, and its outputs are
//! complete exactly when `summary.json` is there.
//!
//! Bytes are gathered in blocks of [`BLOCK`] bytes, aligned in memory, and each full block is
//! written at its place in the file. On Linux a block goes around the page cache (`O_DIRECT`)
//! where the file system takes it: the kernel then neither copies the output into its cache
//! nor writes it back later, which on a 2-core machine was a tenth of a run's CPU. Where it is
//! refused (a file system without direct I/O, another OS; at open or at any block), that block
//! and the later ones go through the page cache at the same offset,
//! and a thread of the file's own syncs them as the file grows (every [`SYNC_EVERY`] bytes), so
//! the sync before the rename has little left to write. The last, partial block always goes
//! through the page cache; the sync before the rename covers both.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use crate::BatchError;

/// Bytes gathered before a block is written: a multiple of [`ALIGN`].
pub const BLOCK: usize = 1 << 20;

/// Alignment of a direct write's memory, length and offset: the largest logical block size
/// of the usual disks.
const ALIGN: usize = 4096;

/// Bytes written through the page cache between two background syncs of an output.
pub const SYNC_EVERY: u64 = 64 << 20;

/// One output file being written.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    header: Vec<u8>,
    /// The open file; `None` once committed or abandoned.
    sink: Option<Sink>,
    lines: u64,
    bytes: u64,
    /// Bytes between background syncs ([`SYNC_EVERY`]; smaller in tests).
    sync_every: u64,
    /// Whether direct writes are tried (tests turn them off to check the page-cache path).
    try_direct: bool,
}

/// An output's open handles and its block being gathered.
struct Sink {
    /// The file opened for writing through the page cache.
    plain: File,
    /// The same file opened for direct writes, while they are taken.
    direct: Option<File>,
    /// [`BLOCK`] bytes from `start` (aligned to [`ALIGN`]) are the block; `fill` of them used.
    buf: Vec<u8>,
    start: usize,
    fill: usize,
    /// File offset of the block being gathered (every block before it is written).
    offset: u64,
    /// `offset` when the last background sync was asked for.
    synced_at: u64,
    syncer: Option<Syncer>,
    /// Whether a syncer was started (or failed to start: not tried again).
    syncer_tried: bool,
    /// Whether a direct write was refused, and the blocks from it went through the page cache.
    fell_back: bool,
    /// Tests: the offset whose direct write is refused as if the file system did.
    refuse_direct_at: Option<u64>,
}

impl Sink {
    /// Opens `tmp` afresh (truncated), with a direct handle if `try_direct` and it is had.
    fn open(tmp: &Path, try_direct: bool) -> std::io::Result<Sink> {
        let plain = File::create(tmp)?;
        let direct = if try_direct {
            open_direct(tmp, &plain)
        } else {
            None
        };
        let buf = vec![0u8; BLOCK + ALIGN];
        let start = buf.as_ptr().align_offset(ALIGN).min(ALIGN);
        Ok(Sink {
            plain,
            direct,
            buf,
            start,
            fill: 0,
            offset: 0,
            synced_at: 0,
            syncer: None,
            syncer_tried: false,
            fell_back: false,
            refuse_direct_at: None,
        })
    }

    /// Gathers `bytes`, writing each block filled.
    fn push(&mut self, mut bytes: &[u8], sync_every: u64) -> std::io::Result<()> {
        while !bytes.is_empty() {
            let n = (BLOCK - self.fill).min(bytes.len());
            let at = self.start + self.fill;
            self.buf[at..at + n].copy_from_slice(&bytes[..n]);
            self.fill += n;
            bytes = &bytes[n..];
            if self.fill == BLOCK {
                self.write_block(sync_every)?;
            }
        }
        Ok(())
    }

    /// Writes the full block at its offset: directly if taken, else through the page cache
    /// (synced in the background every `sync_every` bytes). On an error the block stays
    /// gathered, to be written at the same offset if tried again.
    fn write_block(&mut self, sync_every: u64) -> std::io::Result<()> {
        let block = &self.buf[self.start..self.start + BLOCK];
        if let Some(d) = &self.direct {
            let written = if self.refuse_direct_at == Some(self.offset) {
                // Tests: half the block written, then refused, as a file system might.
                write_at(d, &block[..BLOCK / 2], self.offset)
                    .and(Err(std::io::ErrorKind::InvalidInput.into()))
            } else {
                write_at(d, block, self.offset)
            };
            match written {
                Ok(()) => {
                    self.offset += BLOCK as u64;
                    self.fill = 0;
                    return Ok(());
                }
                // Refused (not aligned as this file system wants, or no direct I/O): this and
                // the later blocks go through the page cache. A partial direct write is
                // written over below, at the same offset.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported
                    ) =>
                {
                    self.direct = None;
                    self.fell_back = true;
                }
                Err(e) => return Err(e),
            }
        }
        write_at(&self.plain, block, self.offset)?;
        self.offset += BLOCK as u64;
        self.fill = 0;
        if self.offset - self.synced_at >= sync_every {
            self.synced_at = self.offset;
            if !self.syncer_tried {
                self.syncer_tried = true;
                self.syncer = Syncer::start(&self.plain);
            }
            if let Some(s) = &self.syncer {
                s.ask();
            }
        }
        Ok(())
    }

    /// Writes the last, partial block through the page cache, waits for the background syncs
    /// and syncs the file (data and size).
    fn finish(mut self) -> std::io::Result<()> {
        write_at(
            &self.plain,
            &self.buf[self.start..self.start + self.fill],
            self.offset,
        )?;
        if let Some(s) = self.syncer.take() {
            s.finish()?;
        }
        drop(self.direct.take());
        self.plain.sync_all()
    }

    /// Stops the background syncs (the file is dropped or truncated: they no longer matter).
    fn discard(mut self) {
        if let Some(s) = self.syncer.take() {
            let _ = s.finish();
        }
    }
}

/// `path` opened for direct writes (Linux `O_DIRECT`); `None` where there is no such mode, the
/// file system refuses it, or the path no longer names the file `plain` has open.
#[cfg(target_os = "linux")]
fn open_direct(path: &Path, plain: &File) -> Option<File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let direct = File::options()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
        .ok()?;
    let (a, b) = (direct.metadata().ok()?, plain.metadata().ok()?);
    (a.dev() == b.dev() && a.ino() == b.ino()).then_some(direct)
}

/// `path` opened for direct writes: not on this OS.
#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &Path, _plain: &File) -> Option<File> {
    None
}

/// Writes all of `bytes` at `offset` of `file` (the file's own position is not used).
#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

/// Writes all of `bytes` at `offset` of `file`.
#[cfg(not(unix))]
fn write_at(mut file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)
}

/// Syncs directory `dir`, so that a rename in it survives a power loss (where a directory
/// can be opened and synced: not on Windows, where this does nothing).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

/// A thread syncing an output file's data while it is written (on its own handle to the
/// file), so that writing never waits for the disk.
struct Syncer {
    ask: SyncSender<()>,
    thread: JoinHandle<std::io::Result<()>>,
}

impl Syncer {
    /// Starts a syncer on a second handle to `file`; `None` if the handle or thread cannot be
    /// had (the final sync then does all the work, as without a syncer).
    fn start(file: &File) -> Option<Syncer> {
        let handle = file.try_clone().ok()?;
        let (ask, asked): (SyncSender<()>, Receiver<()>) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("recist-sync".into())
            .spawn(move || {
                for () in asked {
                    handle.sync_data()?;
                }
                Ok(())
            })
            .ok()?;
        Some(Syncer { ask, thread })
    }

    /// Asks for a sync; a no-op while the last one asked for has not started yet.
    fn ask(&self) {
        // Full: a sync is already waiting to start, and will cover these bytes too.
        // Disconnected: the thread stopped on an error, which `finish` reports.
        let _: Result<(), TrySendError<()>> = self.ask.try_send(());
    }

    /// Waits for the syncs asked for; the first error any of them met.
    fn finish(self) -> std::io::Result<()> {
        drop(self.ask);
        self.thread
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("the syncing thread failed")))
    }
}

impl AtomicFile {
    /// Starts `dir/name` as `dir/.name.partial`, writing `header` first.
    pub fn create(dir: &Path, name: &str, header: &[u8]) -> Result<AtomicFile, BatchError> {
        let mut f = AtomicFile {
            path: dir.join(name),
            tmp: dir.join(format!(".{name}.partial")),
            header: header.to_vec(),
            sink: None,
            lines: 0,
            bytes: 0,
            sync_every: SYNC_EVERY,
            try_direct: true,
        };
        f.reset()?;
        Ok(f)
    }

    /// Starts the file over (used when a streaming pass falls back to reading in memory).
    pub fn reset(&mut self) -> Result<(), BatchError> {
        if let Some(old) = self.sink.take() {
            old.discard();
        }
        let io = |e| BatchError::io(&self.tmp, e);
        let mut sink = Sink::open(&self.tmp, self.try_direct).map_err(io)?;
        sink.push(&self.header, self.sync_every).map_err(io)?;
        self.sink = Some(sink);
        self.lines = 0;
        self.bytes = self.header.len() as u64;
        Ok(())
    }

    /// Appends bytes holding `lines` records.
    pub fn write(&mut self, bytes: &[u8], lines: u64) -> Result<(), BatchError> {
        if bytes.is_empty() {
            return Ok(());
        }
        let Some(sink) = self.sink.as_mut() else {
            return Err(BatchError::Other(format!(
                "{}: written after it was closed",
                self.tmp.display()
            )));
        };
        sink.push(bytes, self.sync_every)
            .map_err(|e| BatchError::io(&self.tmp, e))?;
        self.lines += lines;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Records written (excluding the header).
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Bytes written, header included.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Writes what is gathered, syncs and renames the file to its final name.
    pub fn commit(&mut self) -> Result<(), BatchError> {
        let Some(sink) = self.sink.take() else {
            return Ok(());
        };
        sink.finish().map_err(|e| BatchError::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| BatchError::io(&self.path, e))?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        sync_dir(dir).map_err(|e| BatchError::io(dir, e))
    }

    /// Removes the temporary file (a failed run).
    pub fn abandon(&mut self) {
        if let Some(sink) = self.sink.take() {
            sink.discard();
        }
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Writes a small file atomically in one go.
pub fn write_atomic(dir: &Path, name: &str, content: &[u8]) -> Result<(), BatchError> {
    let mut f = AtomicFile::create(dir, name, content)?;
    f.commit().inspect_err(|_| f.abandon())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`write_blocks`] saw of the file before committing it.
    struct Seen {
        direct_in_use: bool,
        fell_back: bool,
        syncer_started: bool,
    }

    /// Whether files in the temporary directory can be opened for direct writes.
    fn direct_opens() -> Result<bool, BatchError> {
        let probe = tempfile::Builder::new()
            .prefix("recist-probe-")
            .tempfile()
            .map_err(|e| BatchError::io(&std::env::temp_dir(), e))?;
        // The probe is removed when dropped.
        Ok(open_direct(probe.path(), probe.as_file()).is_some())
    }

    /// Writes, into a fresh directory, a block and a half that a reset discards, then lines, a
    /// piece larger than a block and more lines (past three blocks in all) and commits, with
    /// `tune` applied to the file after its creation and after the reset; checks that the
    /// file appears under its name only when committed and holds every byte in order, and
    /// nothing of what came before the reset.
    fn write_blocks(test: &str, tune: impl Fn(&mut AtomicFile)) -> Result<Seen, BatchError> {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("recist-output-{test}-"))
            .tempdir()
            .map_err(|e| BatchError::io(&std::env::temp_dir(), e))?;
        let dir = tmp.path().to_path_buf();
        let mut f = AtomicFile::create(&dir, "out.txt", b"head\n")?;
        tune(&mut f);
        f.write(&vec![b'-'; BLOCK + BLOCK / 2], 0)?;
        f.reset()?;
        tune(&mut f);
        let mut expected = b"head\n".to_vec();
        let mut write = |f: &mut AtomicFile, bytes: &[u8], lines| {
            expected.extend_from_slice(bytes);
            f.write(bytes, lines)
        };
        for i in 0..40_000 {
            write(
                &mut f,
                format!("line {i} of an output in blocks\n").as_bytes(),
                1,
            )?;
        }
        write(&mut f, &vec![b'x'; BLOCK + 7], 0)?;
        for i in 40_000..80_000 {
            write(
                &mut f,
                format!("line {i} of an output in blocks\n").as_bytes(),
                1,
            )?;
        }
        assert!(expected.len() > 3 * BLOCK);
        assert!(!dir.join("out.txt").exists());
        assert_eq!(f.bytes(), expected.len() as u64);
        let seen = f.sink.as_ref().map_or(
            Seen {
                direct_in_use: false,
                fell_back: false,
                syncer_started: false,
            },
            |s| Seen {
                direct_in_use: s.direct.is_some(),
                fell_back: s.fell_back,
                syncer_started: s.syncer.is_some(),
            },
        );
        f.commit()?;
        let written = std::fs::read(dir.join("out.txt")).map_err(|e| BatchError::io(&dir, e))?;
        assert!(
            written == expected,
            "{test}: the committed file differs from what was written"
        );
        assert_eq!(f.lines(), 80_000);
        assert!(!dir.join(".out.txt.partial").exists());
        tmp.close().map_err(|e| BatchError::io(&dir, e))?;
        Ok(seen)
    }

    /// Blocks written around the page cache keep every byte, in order, and the rename last;
    /// the reset drops blocks already written. Skipped (with a message) where the temporary
    /// directory's file system does not open files for direct writes.
    #[test]
    fn direct_blocks_keep_every_byte_and_the_rename_last() -> Result<(), BatchError> {
        if !direct_opens()? {
            eprintln!("skipped: the temporary directory takes no direct writes");
            return Ok(());
        }
        let seen = write_blocks("direct", |_| {})?;
        assert!(
            seen.direct_in_use && !seen.fell_back,
            "aligned direct writes were refused"
        );
        Ok(())
    }

    /// A direct write refused in the middle of the file, after half of its block was written,
    /// is written whole through the page cache at the same offset, and so are the blocks
    /// after it. Skipped where there are no direct writes to refuse.
    #[test]
    fn refused_direct_writes_fall_back_to_the_page_cache() -> Result<(), BatchError> {
        if !direct_opens()? {
            eprintln!("skipped: the temporary directory takes no direct writes");
            return Ok(());
        }
        let seen = write_blocks("refused", |f| {
            if let Some(s) = f.sink.as_mut() {
                s.refuse_direct_at = Some(2 * BLOCK as u64);
            }
        })?;
        assert!(
            seen.fell_back && !seen.direct_in_use,
            "the third block was not refused"
        );
        Ok(())
    }

    /// Blocks written through the page cache (no direct writes) are synced in the
    /// background as the file grows, and keep every byte, in order.
    #[test]
    fn page_cache_blocks_are_synced_in_the_background() -> Result<(), BatchError> {
        let seen = write_blocks("synced", |f| {
            f.try_direct = false;
            f.sync_every = BLOCK as u64;
        })?;
        assert!(!seen.direct_in_use && !seen.fell_back);
        assert!(seen.syncer_started, "no background sync was asked for");
        Ok(())
    }
}
