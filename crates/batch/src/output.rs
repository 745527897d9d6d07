//! Output files written through temporary files and renamed when complete.
//!
//! Each output is written as `.NAME.partial` in the output directory, flushed and synced, then
//! renamed to `NAME`; `summary.json` is removed when a run starts and renamed last, so a
//! directory whose run was interrupted never holds a truncated file under its final name, and
//! its outputs are complete exactly when `summary.json` is there.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::BatchError;

/// Pieces at least this large are written without going through the buffer.
const DIRECT_WRITE: usize = 1 << 16;

/// One output file being written.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
    header: Vec<u8>,
    lines: u64,
    bytes: u64,
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
        };
        f.reset()?;
        Ok(f)
    }

    /// Starts the file over (used when a streaming pass falls back to reading in memory).
    pub fn reset(&mut self) -> Result<(), BatchError> {
        let file = File::create(&self.tmp).map_err(|e| BatchError::io(&self.tmp, e))?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(&self.header)
            .map_err(|e| BatchError::io(&self.tmp, e))?;
        self.writer = Some(w);
        self.lines = 0;
        self.bytes = self.header.len() as u64;
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
        let file = w
            .into_inner()
            .map_err(|e| BatchError::io(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| BatchError::io(&self.tmp, e))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.path).map_err(|e| BatchError::io(&self.path, e))
    }

    /// Removes the temporary file (a failed run).
    pub fn abandon(&mut self) {
        self.writer = None;
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Writes a small file atomically in one go.
pub fn write_atomic(dir: &Path, name: &str, content: &[u8]) -> Result<(), BatchError> {
    let mut f = AtomicFile::create(dir, name, content)?;
    f.commit()
}
