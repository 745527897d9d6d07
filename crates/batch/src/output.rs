//! Output files written through temporary files and renamed when complete.
//!
//! Each output is written as `.NAME.partial` in the output directory, flushed and synced, then
//! renamed to `NAME`; `summary.json` is removed when a run starts and renamed last, so a
//! directory whose run was interrupted never holds a truncated file under its final name, and
//! its outputs are complete exactly when `summary.json` is there.
//!
//! A large output is synced as it grows, by a thread of its own (every [`SYNC_EVERY`] bytes),
//! so the sync before the rename has little left to write and the run does not end waiting
//! for the disk.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use crate::BatchError;

/// Pieces at least this large are written without going through the buffer.
const DIRECT_WRITE: usize = 1 << 16;

/// Bytes written between two background syncs of an output.
pub const SYNC_EVERY: u64 = 64 << 20;

/// One output file being written.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
    header: Vec<u8>,
    lines: u64,
    bytes: u64,
    /// `bytes` when the last background sync was asked for.
    synced_at: u64,
    /// Bytes between background syncs ([`SYNC_EVERY`]; smaller in tests).
    sync_every: u64,
    syncer: Option<Syncer>,
    /// Whether a syncer was started (or failed to start: not tried again) for this file.
    syncer_tried: bool,
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
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.partial"));
        let mut f = AtomicFile {
            path,
            tmp,
            writer: None,
            header: header.to_vec(),
            lines: 0,
            bytes: 0,
            synced_at: 0,
            sync_every: SYNC_EVERY,
            syncer: None,
            syncer_tried: false,
        };
        f.reset()?;
        Ok(f)
    }

    /// Starts the file over (used when a streaming pass falls back to reading in memory).
    pub fn reset(&mut self) -> Result<(), BatchError> {
        if let Some(old) = self.syncer.take() {
            // The old file's syncs no longer matter: it is truncated below.
            let _ = old.finish();
        }
        let file = File::create(&self.tmp).map_err(|e| BatchError::io(&self.tmp, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(&self.header)
            .map_err(|e| BatchError::io(&self.tmp, e))?;
        self.writer = Some(w);
        self.lines = 0;
        self.bytes = self.header.len() as u64;
        self.synced_at = self.bytes;
        self.syncer_tried = false;
        Ok(())
    }

    /// Appends bytes holding `lines` records.
    pub fn write(&mut self, bytes: &[u8], lines: u64) -> Result<(), BatchError> {
        if bytes.is_empty() {
            return Ok(());
        }
        let Some(w) = self.writer.as_mut() else {
            return Err(BatchError::Other(format!(
                "{}: written after it was closed",
                self.tmp.display()
            )));
        };
        // Large pieces go straight to the file (after what is buffered), not through the
        // buffer: copying them first would only cost a pass over the bytes.
        let done = if bytes.len() >= DIRECT_WRITE {
            w.flush().and_then(|()| w.get_mut().write_all(bytes))
        } else {
            w.write_all(bytes)
        };
        done.map_err(|e| BatchError::io(&self.tmp, e))?;
        self.lines += lines;
        self.bytes += bytes.len() as u64;
        if self.bytes - self.synced_at >= self.sync_every {
            self.synced_at = self.bytes;
            if !self.syncer_tried {
                self.syncer_tried = true;
                self.syncer = Syncer::start(w.get_ref());
            }
            if let Some(s) = &self.syncer {
                s.ask();
            }
        }
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

    /// Flushes, syncs and renames the file to its final name.
    pub fn commit(&mut self) -> Result<(), BatchError> {
        let Some(w) = self.writer.take() else {
            return Ok(());
        };
        let syncer = self.syncer.take();
        let file = w
            .into_inner()
            .map_err(|e| BatchError::io(&self.tmp, e.into_error()))?;
        if let Some(s) = syncer {
            s.finish().map_err(|e| BatchError::io(&self.tmp, e))?;
        }
        file.sync_all().map_err(|e| BatchError::io(&self.tmp, e))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.path).map_err(|e| BatchError::io(&self.path, e))
    }

    /// Removes the temporary file (a failed run).
    pub fn abandon(&mut self) {
        self.writer = None;
        if let Some(s) = self.syncer.take() {
            let _ = s.finish();
        }
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Writes a small file atomically in one go.
pub fn write_atomic(dir: &Path, name: &str, content: &[u8]) -> Result<(), BatchError> {
    let mut f = AtomicFile::create(dir, name, content)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Syncs asked for while writing (here every 10 bytes) neither lose nor reorder bytes,
    /// also across a reset, and the file appears under its name only when committed.
    #[test]
    fn background_syncs_keep_every_byte_and_the_rename_last() -> Result<(), BatchError> {
        let dir = std::env::temp_dir().join(format!("recist-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| BatchError::io(&dir, e))?;
        let mut f = AtomicFile::create(&dir, "out.txt", b"head\n")?;
        f.sync_every = 10;
        f.write(b"discarded by the reset\n", 1)?;
        assert!(f.syncer.is_some(), "a sync was asked for past 10 bytes");
        f.reset()?;
        let mut expected = b"head\n".to_vec();
        for i in 0..200 {
            let line = format!("line {i}\n");
            f.write(line.as_bytes(), 1)?;
            expected.extend_from_slice(line.as_bytes());
        }
        // A piece past the direct-write size goes around the buffer, after what it holds.
        let big = vec![b'x'; DIRECT_WRITE + 1];
        f.write(&big, 0)?;
        expected.extend_from_slice(&big);
        f.write(b"end\n", 1)?;
        expected.extend_from_slice(b"end\n");
        assert!(!dir.join("out.txt").exists());
        f.commit()?;
        let written = std::fs::read(dir.join("out.txt")).map_err(|e| BatchError::io(&dir, e))?;
        assert_eq!(written, expected);
        assert_eq!(f.lines(), 201);
        assert!(!dir.join(".out.txt.partial").exists());
        std::fs::remove_dir_all(&dir).map_err(|e| BatchError::io(&dir, e))?;
        Ok(())
    }
}
