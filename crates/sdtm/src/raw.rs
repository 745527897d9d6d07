//! SDTM CSV files read as groups of rows per subject (USUBJID), one pass, streaming.
//!
//! A [`GroupStream`] keeps only the subject being read: the rows of one USUBJID are copied
//! into one buffer (an unquoted line at once, as it is in the file), so a group costs a few
//! allocations however many rows it has. With `check_order` it refuses a USUBJID smaller
//! than the one before ([`InputError::Unsorted`]); the caller then reads the files into
//! memory instead. The file's SHA-256 is computed on a thread of its own meanwhile.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::{InputError, Problem};

/// The SDTM domains recist reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    /// Tumour identification.
    Tu,
    /// Tumour results.
    Tr,
    /// Demographics (reference dates).
    Dm,
    /// Disease response (recorded, for comparison).
    Rs,
}

impl Domain {
    /// The domain code.
    pub const fn code(self) -> &'static str {
        match self {
            Domain::Tu => "TU",
            Domain::Tr => "TR",
            Domain::Dm => "DM",
            Domain::Rs => "RS",
        }
    }
}

/// Column positions in a TU group.
pub mod tu {
    #![allow(missing_docs)]
    pub const USUBJID: usize = 0;
    pub const STUDYID: usize = 1;
    pub const LNKID: usize = 2;
    pub const TESTCD: usize = 3;
    pub const ORRES: usize = 4;
    pub const STRESC: usize = 5;
    pub const LOC: usize = 6;
    pub const EVAL: usize = 7;
    pub const EVALID: usize = 8;
    pub const METHOD: usize = 9;
    pub const VISIT: usize = 10;
    pub const VISITNUM: usize = 11;
    pub const DTC: usize = 12;
}

/// Column positions in a TR group.
pub mod tr {
    #![allow(missing_docs)]
    pub const USUBJID: usize = 0;
    pub const STUDYID: usize = 1;
    pub const LNKID: usize = 2;
    pub const GRPID: usize = 3;
    pub const TESTCD: usize = 4;
    pub const ORRES: usize = 5;
    pub const ORRESU: usize = 6;
    pub const STRESC: usize = 7;
    pub const STRESN: usize = 8;
    pub const STRESU: usize = 9;
    pub const STAT: usize = 10;
    pub const REASND: usize = 11;
    pub const EVAL: usize = 12;
    pub const EVALID: usize = 13;
    pub const METHOD: usize = 14;
    pub const VISIT: usize = 15;
    pub const VISITNUM: usize = 16;
    pub const DTC: usize = 17;
}

/// Column positions in a DM group.
pub mod dm {
    #![allow(missing_docs)]
    pub const USUBJID: usize = 0;
    pub const STUDYID: usize = 1;
    pub const REFDATE: usize = 2;
}

/// Column positions in an RS group.
pub mod rs {
    #![allow(missing_docs)]
    pub const USUBJID: usize = 0;
    pub const STUDYID: usize = 1;
    pub const TESTCD: usize = 2;
    pub const ORRES: usize = 3;
    pub const STRESC: usize = 4;
    pub const CAT: usize = 5;
    pub const EVAL: usize = 6;
    pub const EVALID: usize = 7;
    pub const VISIT: usize = 8;
    pub const VISITNUM: usize = 9;
    pub const DTC: usize = 10;
}

/// Which header names fill which column of a domain, and which are required.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The domain.
    pub domain: Domain,
    /// Per column, the header names accepted (the first found wins).
    pub columns: Vec<Vec<String>>,
    /// Sets of columns of which at least one must be present.
    pub required: Vec<Vec<usize>>,
}

fn names(list: &[&[&str]]) -> Vec<Vec<String>> {
    list.iter()
        .map(|alts| alts.iter().map(|s| s.to_string()).collect())
        .collect()
}

impl Spec {
    /// TU.
    pub fn tu() -> Spec {
        Spec {
            domain: Domain::Tu,
            columns: names(&[
                &["USUBJID"],
                &["STUDYID"],
                &["TULNKID", "TULINKID"],
                &["TUTESTCD"],
                &["TUORRES"],
                &["TUSTRESC"],
                &["TULOC"],
                &["TUEVAL"],
                &["TUEVALID"],
                &["TUMETHOD"],
                &["VISIT"],
                &["VISITNUM"],
                &["TUDTC"],
            ]),
            required: vec![
                vec![tu::USUBJID],
                vec![tu::LNKID],
                vec![tu::LOC],
                vec![tu::STRESC, tu::ORRES],
            ],
        }
    }

    /// TR (`TRLINKID`, seen in the wild, is accepted for `TRLNKID`).
    pub fn tr() -> Spec {
        Spec {
            domain: Domain::Tr,
            columns: names(&[
                &["USUBJID"],
                &["STUDYID"],
                &["TRLNKID", "TRLINKID"],
                &["TRGRPID"],
                &["TRTESTCD"],
                &["TRORRES"],
                &["TRORRESU"],
                &["TRSTRESC"],
                &["TRSTRESN"],
                &["TRSTRESU"],
                &["TRSTAT"],
                &["TRREASND"],
                &["TREVAL"],
                &["TREVALID"],
                &["TRMETHOD"],
                &["VISIT"],
                &["VISITNUM"],
                &["TRDTC"],
            ]),
            required: vec![
                vec![tr::USUBJID],
                vec![tr::LNKID],
                vec![tr::TESTCD],
                vec![tr::DTC],
                vec![tr::ORRES, tr::STRESC, tr::STRESN],
            ],
        }
    }

    /// DM, with the reference-date column named by the mapping.
    pub fn dm(reference_column: &str) -> Spec {
        Spec {
            domain: Domain::Dm,
            columns: vec![
                vec!["USUBJID".into()],
                vec!["STUDYID".into()],
                vec![reference_column.to_string()],
            ],
            required: vec![vec![dm::USUBJID], vec![dm::REFDATE]],
        }
    }

    /// RS.
    pub fn rs() -> Spec {
        Spec {
            domain: Domain::Rs,
            columns: names(&[
                &["USUBJID"],
                &["STUDYID"],
                &["RSTESTCD"],
                &["RSORRES"],
                &["RSSTRESC"],
                &["RSCAT"],
                &["RSEVAL"],
                &["RSEVALID"],
                &["VISIT"],
                &["VISITNUM"],
                &["RSDTC"],
            ]),
            required: vec![
                vec![rs::USUBJID],
                vec![rs::TESTCD],
                vec![rs::STRESC, rs::ORRES],
            ],
        }
    }
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    /// 1-based line.
    pub line: u64,
    /// Whether the row belongs to this group's subject (then the subject is not adjudicated).
    pub attributed: bool,
    /// Why.
    pub problem: Problem,
}

/// The rows of one subject in one file, kept as the raw bytes of each record; fields are
/// picked (through the domain's [`Spec`]), trimmed and checked as UTF-8 when read.
///
/// Every field is followed by one ASCII separator byte in the buffer (a comma, or the
/// record's newline), so an unquoted CSV line is kept with one copy, and a field is valid
/// UTF-8 exactly when its row is.
#[derive(Debug, Clone)]
pub struct RawGroup {
    /// USUBJID (empty for a group holding only rows that belong to no subject).
    pub key: String,
    map: Arc<[Option<usize>]>,
    nfields: usize,
    buf: Vec<u8>,
    /// The rows as UTF-8 text: appended by the reader for runs of rows that are UTF-8, or
    /// made from `buf` by [`decode`](RawGroup::decode) (rows that were not are blanked).
    text: String,
    /// Rows found not UTF-8 by `decode`.
    invalid: Vec<usize>,
    ends: Vec<u32>,
    lines: Vec<u64>,
    /// Rows that could not be read (malformed rows of this subject, and rows of no subject
    /// met while reading it).
    pub bad: Vec<BadRow>,
    /// Where the buffers go when the group is dropped (groups read by a [`GroupStream`]).
    recycle: Option<Arc<Recycler>>,
}

/// Spare buffers of one kind, by size class: class `k` holds capacities in `2^k..2^(k+1)`.
struct Classes<T>(Vec<Vec<Vec<T>>>);

impl<T> Default for Classes<T> {
    fn default() -> Self {
        Classes(Vec::new())
    }
}

/// Most spare buffers kept per size class (about the groups of the chunks in flight).
const POOL_PER_CLASS: usize = 4096;

/// Buffers above this size class (a subject with very many rows) are freed, not kept.
const POOL_MAX_CLASS: usize = 22;

impl<T> Classes<T> {
    /// A cleared buffer of capacity at least `need`: a spare one of the smallest class that
    /// is sure to hold it, or a new one of that class's size (so at most twice `need`).
    fn take(&mut self, need: usize) -> Vec<T> {
        let k = need.max(1).next_power_of_two().trailing_zeros() as usize;
        self.0
            .get_mut(k)
            .and_then(Vec::pop)
            .unwrap_or_else(|| Vec::with_capacity(1 << k))
    }

    fn give(&mut self, mut v: Vec<T>) {
        let cap = v.capacity();
        if cap == 0 {
            return;
        }
        let k = cap.ilog2() as usize;
        if k > POOL_MAX_CLASS {
            return;
        }
        if self.0.len() <= k {
            self.0.resize_with(k + 1, Vec::new);
        }
        if let Some(class) = self.0.get_mut(k)
            && class.len() < POOL_PER_CLASS
        {
            v.clear();
            class.push(v);
        }
    }
}

/// Buffers of the groups a [`GroupStream`] read, handed back when the groups are dropped
/// (on the workers) and reused by the stream: reading a subject then rarely allocates, and
/// the memory a thread allocated is rarely freed by another.
#[derive(Default)]
struct Pools {
    bytes: Classes<u8>,
    ends: Classes<u32>,
    lines: Classes<u64>,
    keys: Vec<String>,
}

/// The pools of a stream, shared with its groups.
#[derive(Default)]
struct Recycler(Mutex<Pools>);

impl std::fmt::Debug for Recycler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recycler")
    }
}

impl Drop for RawGroup {
    fn drop(&mut self) {
        let Some(r) = self.recycle.take() else {
            return;
        };
        let Ok(mut pools) = r.0.lock() else {
            return;
        };
        pools.bytes.give(std::mem::take(&mut self.buf));
        pools
            .bytes
            .give(std::mem::take(&mut self.text).into_bytes());
        pools.ends.give(std::mem::take(&mut self.ends));
        pools.lines.give(std::mem::take(&mut self.lines));
        if pools.keys.len() < POOL_PER_CLASS {
            let mut key = std::mem::take(&mut self.key);
            key.clear();
            pools.keys.push(key);
        }
    }
}

impl RawGroup {
    /// An empty group whose rows have `nfields` fields; `map` gives, per column of the
    /// domain's [`Spec`], the field index (or `None` for a column the file does not have).
    pub fn new(key: String, map: Arc<[Option<usize>]>, nfields: usize) -> RawGroup {
        RawGroup {
            key,
            map,
            nfields,
            buf: Vec::new(),
            text: String::new(),
            invalid: Vec::new(),
            ends: Vec::new(),
            lines: Vec::new(),
            bad: Vec::new(),
            recycle: None,
        }
    }

    /// Where field `i` (over all rows) starts: after the previous field's separator.
    fn start_of(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends.get(i - 1).map_or(0, |&e| e as usize + 1)
        }
    }

    fn row_bounds(&self, row: usize) -> (usize, usize) {
        let first = row * self.nfields;
        let start = self.start_of(first);
        let end = self
            .ends
            .get(first + self.nfields - 1)
            .copied()
            .unwrap_or(0) as usize;
        (start, end)
    }

    /// Checks the rows as UTF-8 once, so fields are then read without checking each one.
    /// Rows that are not UTF-8 (or whose fields split a character) are blanked and reported
    /// by [`row_is_utf8`](Self::row_is_utf8).
    pub fn decode(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        // One validation pass: the usual case (all UTF-8) becomes the text at once. Fields
        // are separated by ASCII bytes, so no character spans two fields of valid text.
        let bytes = std::mem::take(&mut self.buf);
        let mut bytes = match String::from_utf8(bytes) {
            Ok(t) => {
                self.text = t;
                return;
            }
            Err(e) => e.into_bytes(),
        };
        for r in 0..self.lines.len() {
            let (start, end) = self.row_bounds(r);
            let row_ok = bytes
                .get(start..end)
                .is_some_and(|b| std::str::from_utf8(b).is_ok());
            if !row_ok {
                self.invalid.push(r);
                if let Some(b) = bytes.get_mut(start..end) {
                    b.fill(b' ');
                }
            }
        }
        match String::from_utf8(bytes) {
            Ok(t) => self.text = t,
            Err(e) => self.buf = e.into_bytes(),
        }
    }

    /// A group whose rows hold exactly the domain's columns, in order (tests, generated data).
    pub fn with_columns(key: String, ncols: usize) -> RawGroup {
        let map: Arc<[Option<usize>]> = (0..ncols).map(Some).collect();
        RawGroup::new(key, map, ncols)
    }

    /// Number of readable rows.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there is no readable row.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Number of rows, readable or not (bad rows included).
    pub fn rows_total(&self) -> u64 {
        (self.lines.len() + self.bad.len()) as u64
    }

    /// 1-based line of a row.
    pub fn line(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    #[inline]
    fn range(&self, row: usize, field: usize) -> (usize, usize) {
        let i = row * self.nfields + field;
        // The field ends where `ends[i]` says, and starts after the previous field's end.
        match i.checked_sub(1).and_then(|p| self.ends.get(p..=i)) {
            Some(&[before, end]) => (before as usize + 1, end as usize),
            _ => {
                let start = self.start_of(i);
                (start, self.ends.get(i).map_or(start, |&e| e as usize))
            }
        }
    }

    fn span(&self, row: usize, field: usize) -> &[u8] {
        let (a, b) = self.range(row, field);
        if self.buf.is_empty() {
            self.text.as_bytes().get(a..b).unwrap_or_default()
        } else {
            self.buf.get(a..b).unwrap_or_default()
        }
    }

    /// Whether every row is valid UTF-8 (the usual case, known without looking at the rows):
    /// [`row_is_utf8`](Self::row_is_utf8) is then true of each one.
    pub fn all_utf8(&self) -> bool {
        self.buf.is_empty() && !self.text.is_empty() && self.invalid.is_empty()
    }

    /// Whether every field of a row is valid UTF-8.
    pub fn row_is_utf8(&self, row: usize) -> bool {
        if !self.buf.is_empty() || self.text.is_empty() {
            let (start, end) = self.row_bounds(row);
            return self
                .buf
                .get(start..end)
                .is_some_and(|b| std::str::from_utf8(b).is_ok());
        }
        !self.invalid.contains(&row)
    }

    /// A column of a row, trimmed ("" for a column the file does not have, or not UTF-8).
    ///
    /// Called about a dozen times per row, so kept small and always inlined (build_subject
    /// reads a row's fields in one loop): the usual case, a decoded group, is a few loads and
    /// checks; an undecoded one takes `get_undecoded`, out of line.
    #[inline(always)]
    pub fn get(&self, row: usize, col: usize) -> &str {
        let Some(f) = self.map.get(col).copied().flatten() else {
            return "";
        };
        if !self.buf.is_empty() {
            return self.get_undecoded(row, f);
        }
        let (a, b) = self.range(row, f);
        trim(self.text.get(a..b).unwrap_or(""))
    }

    /// [`get`](Self::get) of field `f` of a group not decoded: the field checked alone.
    #[cold]
    #[inline(never)]
    fn get_undecoded(&self, row: usize, f: usize) -> &str {
        trim(std::str::from_utf8(self.span(row, f)).unwrap_or(""))
    }

    /// The group's sizes (bytes, field ends, rows), to undo an append with
    /// [`keep_within_offsets`](Self::keep_within_offsets).
    fn mark(&self) -> (usize, usize, usize) {
        (self.buf.len(), self.ends.len(), self.lines.len())
    }

    /// Undoes the rows appended since `mark` if they took the buffer past what 32-bit field
    /// offsets reach (4 GiB of one subject in one file), keeping them as unreadable rows of
    /// this subject instead: it is then refused, and every row is still counted.
    fn keep_within_offsets(&mut self, mark: (usize, usize, usize)) {
        self.keep_within(mark, u32::MAX as usize);
    }

    /// [`keep_within_offsets`](Self::keep_within_offsets) with the limit given.
    fn keep_within(&mut self, (bytes, ends, lines): (usize, usize, usize), limit: usize) {
        if self.buf.len() <= limit {
            return;
        }
        self.buf.truncate(bytes);
        self.ends.truncate(ends);
        for line in self.lines.drain(lines..) {
            self.bad.push(BadRow {
                line,
                attributed: true,
                problem: Problem::Malformed(
                    "this subject's rows in this file pass 4 GiB, more than recist reads for one subject"
                        .into(),
                ),
            });
        }
    }

    /// Appends a row given as the record's fields (the first `nfields` of them; missing ones
    /// are left empty).
    pub fn push_fields<'a>(&mut self, line: u64, fields: impl IntoIterator<Item = &'a [u8]>) {
        if !self.text.is_empty() {
            self.buf = std::mem::take(&mut self.text).into_bytes();
        }
        let mark = self.mark();
        let mut n = 0;
        for f in fields {
            if n == self.nfields {
                break;
            }
            self.buf.extend_from_slice(f);
            self.ends.push(self.buf.len() as u32);
            self.buf.push(b',');
            n += 1;
        }
        while n < self.nfields {
            self.ends.push(self.buf.len() as u32);
            self.buf.push(b',');
            n += 1;
        }
        self.lines.push(line);
        self.keep_within_offsets(mark);
    }

    /// Appends a record as [`Records`] holds it: its fields each followed by a separator
    /// byte, copied at once when it has exactly `nfields` fields.
    fn push_record(&mut self, line: u64, rec: &Records) {
        if rec.len() != self.nfields {
            self.push_fields(line, (0..rec.len()).filter_map(|i| rec.field(i)));
            return;
        }
        if !self.text.is_empty() {
            self.buf = std::mem::take(&mut self.text).into_bytes();
        }
        let mark = self.mark();
        let base = self.buf.len();
        self.buf.extend_from_slice(rec.bytes());
        self.ends
            .extend(rec.ends().iter().map(|&e| (base + e as usize) as u32));
        self.lines.push(line);
        self.keep_within_offsets(mark);
    }

    /// Appends a row given as the domain's columns, in order (for groups made by
    /// [`with_columns`](Self::with_columns)).
    pub fn push(&mut self, line: u64, fields: &[&str]) {
        self.push_fields(line, fields.iter().map(|f| f.as_bytes()));
    }

    /// Appends every row of another group of the same subject and file (unsorted input).
    pub fn append(&mut self, mut other: RawGroup) {
        for r in 0..other.len() {
            let fields: Vec<&[u8]> = (0..other.nfields).map(|f| other.span(r, f)).collect();
            self.push_fields(other.line(r), fields);
        }
        self.bad.append(&mut other.bad);
    }

    /// Bytes held (for memory accounting of unsorted input).
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity()
            + self.text.capacity()
            + self.ends.capacity() * 4
            + self.lines.capacity() * 8
    }
}

/// `s` without ASCII white space around it; most fields have none, seen at once.
#[inline]
fn trim(s: &str) -> &str {
    match s.as_bytes() {
        // Bytes above the space are not white space (nor part of an ASCII one).
        [first, .., last] if *first > b' ' && *last > b' ' => s,
        [only] if *only > b' ' => s,
        _ => s.trim_ascii(),
    }
}

/// SHA-256 of a stream's bytes, computed on a thread of its own: the reader hands over each
/// input buffer once read (no copy) and continues in a spare one, which comes back from the
/// thread once hashed. Without a thread (spawning failed) it hashes inline.
struct BackgroundHash {
    worker: Option<HashWorker>,
    inline: Sha256,
    /// Buffers back from hashing (inline mode).
    spare: Vec<Vec<u8>>,
    /// Set when the thread went away with bytes it had not hashed.
    failed: bool,
}

/// A buffer and the range of it to hash.
type HashJob = (Vec<u8>, std::ops::Range<usize>);

struct HashWorker {
    tx: std::sync::mpsc::SyncSender<HashJob>,
    back: std::sync::mpsc::Receiver<Vec<u8>>,
    thread: std::thread::JoinHandle<[u8; 32]>,
}

impl BackgroundHash {
    fn new() -> BackgroundHash {
        let (tx, rx) = std::sync::mpsc::sync_channel::<HashJob>(2);
        let (back_tx, back) = std::sync::mpsc::channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("recist-sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                for (block, range) in rx {
                    hasher.update(block.get(range).unwrap_or_default());
                    // The reader may be gone (an error): the block is then dropped here.
                    let _ = back_tx.send(block);
                }
                hasher.finalize().into()
            });
        BackgroundHash {
            worker: thread.ok().map(|thread| HashWorker { tx, back, thread }),
            inline: Sha256::new(),
            spare: Vec::new(),
            failed: false,
        }
    }

    /// Hashes `block[range]` (the next bytes of the stream), taking the buffer.
    fn give(&mut self, block: Vec<u8>, range: std::ops::Range<usize>) {
        if let Some(w) = &self.worker {
            if w.tx.send((block, range)).is_err() {
                // The thread is gone with part of the bytes: the hash is lost.
                self.worker = None;
                self.failed = true;
            }
            return;
        }
        self.inline.update(block.get(range).unwrap_or_default());
        self.spare.push(block);
    }

    /// A buffer of `len` bytes for the reader: one back from hashing, or a new one.
    fn spare(&mut self, len: usize) -> Vec<u8> {
        let back = match &self.worker {
            Some(w) => w.back.try_recv().ok(),
            None => self.spare.pop(),
        };
        let mut buf = back.unwrap_or_default();
        buf.resize(len, 0);
        buf
    }

    /// The hash of every byte given, or `None` if the hashing thread failed.
    fn finish(mut self) -> Option<[u8; 32]> {
        let Some(w) = self.worker.take() else {
            return (!self.failed).then(|| self.inline.finalize().into());
        };
        let HashWorker { tx, back, thread } = w;
        drop(tx);
        drop(back);
        thread.join().ok()
    }
}

/// Counts the bytes read (for progress); [`Records`] hashes them.
struct Tracked {
    inner: File,
    hash: BackgroundHash,
    bytes: Arc<AtomicU64>,
}

impl Read for Tracked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Writes the position of every comma of `line` to `out` (room for one per byte), eight
/// bytes at a time (fields are short, so searching from comma to comma would cost a call
/// per field); returns how many.
fn find_commas(line: &[u8], out: &mut [u32]) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    let mut n = 0;
    let chunks = line.chunks_exact(8);
    let tail = chunks.remainder();
    for (c, chunk) in chunks.enumerate() {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            continue;
        };
        // Zero bytes of `x` are commas; `hits` has the high bit of exactly those bytes.
        let x = u64::from_le_bytes(bytes) ^ COMMAS;
        let mut hits = !(((x & LOW7) + LOW7) | x | LOW7);
        while hits != 0 {
            if let Some(slot) = out.get_mut(n) {
                *slot = (c * 8 + (hits.trailing_zeros() / 8) as usize) as u32;
            }
            n += 1;
            hits &= hits - 1;
        }
    }
    let base = line.len() - tail.len();
    for (i, &b) in tail.iter().enumerate() {
        if b == b',' {
            if let Some(slot) = out.get_mut(n) {
                *slot = (base + i) as u32;
            }
            n += 1;
        }
    }
    n
}

/// Input buffer of a [`Records`] reader (grown for a longer line).
const INPUT_BUFFER: usize = 1 << 20;

/// The longest record read (far beyond any SDTM row: a longer line is most likely not a CSV
/// file at all). Reading one costs several times its size (input buffers on their way to
/// the hashing thread, 4 bytes of field offsets per byte), so the limit also bounds memory.
const MAX_RECORD: usize = 64 << 20;

/// The error for a record longer than [`MAX_RECORD`], starting at `line`.
fn record_too_long(line: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "the record at line {line} is longer than {} MiB: is this an SDTM CSV file?",
            MAX_RECORD >> 20
        ),
    )
}

/// CSV records of a file, read as the csv crate reads them (its `csv_core` parser, default
/// dialect: comma, double quotes, CR, LF or CRLF ending a record, blank lines skipped, a
/// UTF-8 BOM dropped) but with a fast path: a line with no quote and no carriage return is
/// split at its commas directly. Such a line parses the same way in `csv_core`, which reads
/// every other line (and the header, for the BOM).
///
/// Line numbers are physical lines, counted here (not as `csv_core` counts them, which is
/// `\n` bytes only, a record's terminator being read with the next record): a line ends at
/// a `\n`, a `\r\n` or a `\r` alone, wherever it is (in quotes too), and a record's line is
/// the one where its first byte is, after the blank lines before it.
struct Records {
    src: Tracked,
    buf: Vec<u8>,
    /// Unread input is `buf[pos..end]`; `buf[hashed..end]` is not hashed yet.
    pos: usize,
    end: usize,
    hashed: usize,
    /// The file is read to its end.
    eof: bool,
    core: csv_core::Reader,
    /// Whether the header went through `csv_core`.
    started: bool,
    /// 1 + the number of line ends read (`\r`, and `\n` not right after a `\r`).
    line: u64,
    /// Whether the last byte read is a `\r` (so a `\n` next ends no other line).
    after_cr: bool,
    /// `csv_core`'s output.
    out: Vec<u8>,
    out_ends: Vec<usize>,
    /// The current record: the input line (fast path) or `rec` (built from `csv_core`'s
    /// fields), each field followed by one separator byte.
    fast: Option<(usize, usize)>,
    rec: Vec<u8>,
    /// End of each field of the current record, relative to its bytes: `ends[..nends]`
    /// (the fast path writes into it by index, growing it to the line's length when
    /// shorter; the csv_core path rebuilds it).
    ends: Vec<u32>,
    nends: usize,
    /// A run of records kept in `buf` for the caller to copy at once (consecutive lines read
    /// by the fast path, see [`join_run`](Self::join_run)): `buf[run_start..run_end]`, the
    /// end of each field relative to `run_start`, and the line of each record.
    run_start: usize,
    run_end: usize,
    run_ends: Vec<u32>,
    run_lines: Vec<u64>,
    /// The longest record read ([`MAX_RECORD`]; smaller in tests).
    max_record: usize,
    /// Fields of the header (the first record); 0 before it is read.
    header_fields: usize,
    /// Whether a quoted value may hold line ends (a record of the header's number of fields
    /// over several lines is then one row, as CSV has it); by default it is read as a quote
    /// left open ([`Unclosed`]).
    multiline: bool,
    /// Where the record being read by `csv_core` starts in `buf` (kept by `fill`, so that a
    /// record can be read again as its first line alone).
    slow_start: Option<usize>,
    /// For a current record that is the first line alone of one a stray quote made run over
    /// several lines: the last line that record reached and its number of fields
    /// ([`Unclosed`]).
    unclosed: Option<Unclosed>,
}

/// A quoted field not closed on its line, whose closing quote (lines later) would make one
/// row of several lines: the line is read alone, as its commas split it, and refused; the
/// lines after it are read as rows of their own. So one stray `"` costs one row, not every
/// row up to the next quote in the file (which, in the same column of a later row, gives
/// that one long row the header's number of fields). SDTM values are one line; a file whose
/// quoted values do hold line ends is read with [`GroupStream::multiline_values`], and then
/// only a record with another number of fields than the header is read so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unclosed {
    /// The last line the quoted field reached.
    pub to_line: u64,
    /// Fields of the record read to the closing quote.
    pub fields: usize,
}

impl Records {
    /// A reader of `src` whose input buffer starts at `capacity` bytes (at least one).
    fn new(src: Tracked, capacity: usize) -> Records {
        Records {
            src,
            buf: vec![0; capacity.max(1)],
            pos: 0,
            end: 0,
            hashed: 0,
            eof: false,
            core: csv_core::Reader::new(),
            started: false,
            line: 1,
            after_cr: false,
            out: vec![0; 4096],
            out_ends: vec![0; 64],
            fast: None,
            rec: Vec::new(),
            ends: Vec::new(),
            nends: 0,
            run_start: 0,
            run_end: 0,
            run_ends: Vec::new(),
            run_lines: Vec::new(),
            max_record: MAX_RECORD,
            header_fields: 0,
            multiline: false,
            slow_start: None,
            unclosed: None,
        }
    }

    /// Whether the current record is the first line alone of a record a stray quote ran
    /// over several lines ([`Unclosed`]).
    fn unclosed(&self) -> Option<Unclosed> {
        self.unclosed
    }

    /// Adds the current record (line `line`) to the run, if it is a line read by the fast
    /// path right after the run's last one (or the run is empty); `false` otherwise.
    fn join_run(&mut self, line: u64) -> bool {
        let Some((a, b)) = self.fast else {
            return false;
        };
        if self.run_lines.is_empty() {
            self.run_start = a;
            self.run_end = a;
        } else if a != self.run_end {
            return false;
        }
        let base = a - self.run_start;
        let ends = self.ends.get(..self.nends).unwrap_or_default();
        self.run_ends
            .extend(ends.iter().map(|&e| (base + e as usize) as u32));
        self.run_end = b;
        self.run_lines.push(line);
        true
    }

    /// Appends the run to a group (each record with the group's number of fields) and
    /// empties it; a group with no row yet takes buffers of the run's size from `pools`.
    fn take_run(&mut self, g: &mut RawGroup, pools: &Recycler) {
        if self.run_lines.is_empty() {
            return;
        }
        let bytes = self
            .buf
            .get(self.run_start..self.run_end)
            .unwrap_or_default();
        if g.buf.is_empty()
            && g.text.is_empty()
            && g.lines.is_empty()
            && let Ok(mut p) = pools.0.lock()
        {
            // (Empty, so UTF-8: the group starts as text.)
            g.text = String::from_utf8(p.bytes.take(bytes.len())).unwrap_or_default();
            g.ends = p.ends.take(self.run_ends.len());
            g.lines = p.lines.take(self.run_lines.len());
        }
        // A group all text so far stays text when the run is UTF-8, checked here while its
        // bytes are in this core's cache (they were just split): the worker's `decode` then
        // has nothing left to do. Other runs are kept as bytes, for `decode`.
        let text = if g.buf.is_empty() && g.text.len() + bytes.len() <= u32::MAX as usize {
            std::str::from_utf8(bytes).ok()
        } else {
            None
        };
        if text.is_none() && !g.text.is_empty() {
            g.buf = std::mem::take(&mut g.text).into_bytes();
        }
        let mark = g.mark();
        let base = if let Some(run) = text {
            let base = g.text.len();
            g.text.push_str(run);
            base
        } else {
            let base = g.buf.len();
            g.buf.extend_from_slice(bytes);
            base
        };
        g.ends
            .extend(self.run_ends.iter().map(|&e| (base + e as usize) as u32));
        g.lines.extend_from_slice(&self.run_lines);
        g.keep_within_offsets(mark);
        self.run_ends.clear();
        self.run_lines.clear();
        self.run_start = 0;
        self.run_end = 0;
    }

    /// Number of fields of the current record.
    fn len(&self) -> usize {
        self.nends
    }

    /// Where each field of the current record ends, relative to its bytes.
    fn ends(&self) -> &[u32] {
        self.ends.get(..self.nends).unwrap_or_default()
    }

    /// The current record's bytes (fields and their separators).
    fn bytes(&self) -> &[u8] {
        match self.fast {
            Some((a, b)) => self.buf.get(a..b).unwrap_or_default(),
            None => &self.rec,
        }
    }

    /// A field of the current record.
    fn field(&self, i: usize) -> Option<&[u8]> {
        let ends = self.ends();
        let end = *ends.get(i)? as usize;
        let start = match i.checked_sub(1) {
            Some(p) => *ends.get(p)? as usize + 1,
            None => 0,
        };
        self.bytes().get(start..end)
    }

    /// Reads more input after the unread part; `false` at the end of the file. A buffer
    /// with read bytes goes to the hasher, the unread part moving to a spare buffer.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        // The run, if any, is kept with the unread part.
        let keep = if self.run_lines.is_empty() {
            self.pos
        } else {
            self.run_start.min(self.pos)
        };
        let keep = self.slow_start.map_or(keep, |s| s.min(keep));
        if keep > 0 || self.end == self.buf.len() {
            let kept = self.end - keep;
            if self.end - self.pos > self.max_record || kept > 2 * self.max_record {
                return Err(record_too_long(self.line));
            }
            // A line (or run) filling half the buffer: a larger one.
            let len = if kept > self.buf.len() / 2 {
                self.buf.len() * 2
            } else {
                self.buf.len()
            };
            let mut next = self.src.hash.spare(len);
            if let (Some(to), Some(from)) = (next.get_mut(..kept), self.buf.get(keep..self.end)) {
                to.copy_from_slice(from);
            }
            let read = std::mem::replace(&mut self.buf, next);
            self.src.hash.give(read, self.hashed..self.end);
            self.pos -= keep;
            self.run_start -= keep.min(self.run_start);
            self.run_end -= keep.min(self.run_end);
            if let Some(start) = &mut self.slow_start {
                *start -= keep.min(*start);
            }
            self.end = kept;
            self.hashed = kept;
        }
        loop {
            let Some(space) = self.buf.get_mut(self.end..) else {
                return Ok(false);
            };
            match self.src.read(space) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads the next record; returns the physical line where it starts (1-based; 1 for the
    /// header, whatever blank lines precede it), or `None` at the end.
    fn next(&mut self) -> std::io::Result<Option<u64>> {
        self.fast = None;
        self.nends = 0;
        self.unclosed = None;
        while self.started {
            let avail = self.buf.get(self.pos..self.end).unwrap_or_default();
            // One search finds the line's end, or a quote or carriage return in it first.
            let (len, next) = match memchr::memchr3(b'\n', b'"', b'\r', avail) {
                Some(nl) if avail.get(nl) == Some(&b'\n') => (nl, nl + 1),
                // A quote or a carriage return: a line for csv_core.
                Some(_) => break,
                None if !self.eof => {
                    self.fill()?;
                    continue;
                }
                // The last line, with no newline: csv_core ends the record at the end.
                None => (avail.len(), avail.len()),
            };
            let line = avail.get(..len).unwrap_or_default();
            if next == 0 {
                return Ok(None);
            }
            if len == 0 {
                // A blank line (or the `\n` of a `\r\n` read by csv_core): skipped.
                self.pos += next;
                self.line += u64::from(!self.after_cr);
                self.after_cr = false;
                continue;
            }
            self.after_cr = false;
            let start_line = self.line;
            if self.ends.len() <= len {
                self.ends.resize(len + 1, 0);
            }
            let commas = find_commas(line, &mut self.ends);
            if let Some(last) = self.ends.get_mut(commas) {
                *last = len as u32;
            }
            self.nends = commas + 1;
            if next == len {
                // No separator after the last field in the buffer: copy the record.
                self.rec.clear();
                self.rec.extend_from_slice(line);
                self.rec.push(b'\n');
            } else {
                self.fast = Some((self.pos, self.pos + next));
                self.line += 1;
            }
            self.pos += next;
            return Ok(Some(start_line));
        }
        self.slow()
    }

    /// Reads the next record with `csv_core`.
    fn slow(&mut self) -> std::io::Result<Option<u64>> {
        use csv_core::ReadRecordResult as R;
        if self.started {
            // Blank lines are skipped here, not by csv_core, so the record's line is known.
            // (Not before the header: csv_core drops a BOM only at the very start.)
            loop {
                if self.pos == self.end && !self.fill()? {
                    break;
                }
                match self.buf.get(self.pos) {
                    Some(b'\r' | b'\n') => {
                        self.count_lines(self.pos..self.pos + 1);
                        self.pos += 1;
                    }
                    _ => break,
                }
            }
        }
        let start_line = self.line;
        let start_cr = self.after_cr;
        self.slow_start = Some(self.pos);
        let (mut nout, mut nend) = (0, 0);
        loop {
            if self.pos == self.end && !self.eof {
                // csv_core reads empty input as the end of the file.
                self.fill()?;
                continue;
            }
            let input = self.buf.get(self.pos..self.end).unwrap_or_default();
            let (Some(out), Some(out_ends)) =
                (self.out.get_mut(nout..), self.out_ends.get_mut(nend..))
            else {
                // csv_core never writes past the space it is given: not reached, but never
                // read as the end of the file either.
                return Err(std::io::Error::other(format!(
                    "CSV reader lost its place at line {start_line}"
                )));
            };
            let (res, i, o, e) = self.core.read_record(input, out, out_ends);
            self.count_lines(self.pos..self.pos + i);
            self.pos += i;
            nout += o;
            nend += e;
            match res {
                R::InputEmpty => {}
                R::OutputFull if self.out.len() > self.max_record => {
                    return Err(record_too_long(start_line));
                }
                R::OutputFull => self.out.resize(self.out.len() * 2, 0),
                R::OutputEndsFull => self.out_ends.resize(self.out_ends.len() * 2, 0),
                R::Record => {
                    let start = self.slow_start.take().unwrap_or(self.pos);
                    if !self.started {
                        self.header_fields = nend;
                    } else if (nend != self.header_fields || !self.multiline)
                        && let Some(to_line) = self.record_lines(start, nout)
                    {
                        self.read_first_line(start, start_line, start_cr, to_line, nend);
                        return Ok(Some(start_line));
                    }
                    self.started = true;
                    self.rec.clear();
                    self.ends.clear();
                    let mut start = 0;
                    for &end in self.out_ends.get(..nend).unwrap_or_default() {
                        self.rec
                            .extend_from_slice(self.out.get(start..end).unwrap_or_default());
                        self.ends.push(self.rec.len() as u32);
                        self.rec.push(b',');
                        start = end;
                    }
                    self.nends = self.ends.len();
                    return Ok(Some(start_line));
                }
                R::End => {
                    self.slow_start = None;
                    self.started = true;
                    return Ok(None);
                }
            }
        }
    }

    /// For the record just read by `csv_core` from `buf[start..pos]`, its fields
    /// `out[..nout]`: the last line it reached, when a field holds a line end (a quoted field
    /// ran over lines); `None` for a record on one line.
    fn record_lines(&self, start: usize, nout: usize) -> Option<u64> {
        memchr::memchr2(b'\r', b'\n', self.out.get(..nout)?)?;
        let bytes = self.buf.get(start..self.pos)?;
        let ended = matches!(bytes.last(), Some(b'\r' | b'\n'));
        Some(if ended { self.line - 1 } else { self.line })
    }

    /// Reads again, from `buf[start..]`, the first line of a record a stray quote ran over
    /// several lines up to `to_line` with `fields` fields ([`Unclosed`]): that line alone
    /// is the current record, split at its commas, and reading goes on after it.
    #[cold]
    fn read_first_line(
        &mut self,
        start: usize,
        start_line: u64,
        start_cr: bool,
        to_line: u64,
        fields: usize,
    ) {
        self.pos = start;
        self.line = start_line;
        self.after_cr = start_cr;
        let avail = self.buf.get(start..self.end).unwrap_or_default();
        let len = memchr::memchr2(b'\r', b'\n', avail).unwrap_or(avail.len());
        let line = avail.get(..len).unwrap_or_default();
        let next = match (avail.get(len), avail.get(len + 1)) {
            (Some(b'\r'), Some(b'\n')) => len + 2,
            (Some(_), _) => len + 1,
            (None, _) => len,
        };
        if self.ends.len() <= len {
            self.ends.resize(len + 1, 0);
        }
        let commas = find_commas(line, &mut self.ends);
        if let Some(last) = self.ends.get_mut(commas) {
            *last = len as u32;
        }
        self.nends = commas + 1;
        self.rec.clear();
        self.rec.extend_from_slice(line);
        self.rec.push(b'\n');
        self.count_lines(start..start + next);
        self.pos = start + next;
        self.unclosed = Some(Unclosed { to_line, fields });
    }

    /// Counts the line ends in `buf[range]`, bytes just read: each `\r`, and each `\n` that
    /// does not follow a `\r`.
    fn count_lines(&mut self, range: std::ops::Range<usize>) {
        let Some(bytes) = self.buf.get(range) else {
            return;
        };
        let Some(&last) = bytes.last() else {
            return;
        };
        for i in memchr::memchr2_iter(b'\r', b'\n', bytes) {
            let after_cr = match i.checked_sub(1) {
                Some(p) => bytes.get(p) == Some(&b'\r'),
                None => self.after_cr,
            };
            if bytes.get(i) == Some(&b'\r') || !after_cr {
                self.line += 1;
            }
        }
        self.after_cr = last == b'\r';
    }
}

/// What a finished stream read: rows and the file's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTotals {
    /// Data rows (the header excluded), readable or not.
    pub rows: u64,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Bytes read.
    pub bytes: u64,
}

/// Reads one SDTM CSV file as groups of consecutive rows with the same USUBJID.
pub struct GroupStream {
    file: String,
    records: Records,
    map: Arc<[Option<usize>]>,
    header_len: usize,
    current: Option<RawGroup>,
    ready: Option<RawGroup>,
    orphans: Vec<BadRow>,
    rows: u64,
    eof: bool,
    check_order: bool,
    bytes: Arc<AtomicU64>,
    /// Buffers of the groups dropped, for the next ones.
    recycler: Arc<Recycler>,
    /// Most bytes of a run of lines kept in the input buffer before they are copied (a
    /// quarter of the buffer).
    run_max: usize,
}

impl GroupStream {
    /// Opens a file; `bytes` counts bytes read (for progress). Missing required columns are refused.
    pub fn open(
        path: &Path,
        spec: &Spec,
        check_order: bool,
        bytes: Arc<AtomicU64>,
    ) -> Result<GroupStream, InputError> {
        GroupStream::open_with(path, spec, check_order, bytes, INPUT_BUFFER)
    }

    /// [`open`](Self::open) with an input buffer of `capacity` bytes (tests use small ones).
    fn open_with(
        path: &Path,
        spec: &Spec,
        check_order: bool,
        bytes: Arc<AtomicU64>,
        capacity: usize,
    ) -> Result<GroupStream, InputError> {
        let file = path.display().to_string();
        let inner = File::open(path).map_err(|source| InputError::Io {
            file: file.clone(),
            source,
        })?;
        let tracked = Tracked {
            inner,
            hash: BackgroundHash::new(),
            bytes: bytes.clone(),
        };
        let mut records = Records::new(tracked, capacity);
        records.next().map_err(|e| io_error(&file, &e))?;
        let header_len = records.len();
        let names: Vec<String> = (0..header_len)
            .filter_map(|i| records.field(i))
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_ascii_uppercase()
            })
            .collect();
        // A column named twice is refused, read or not: either could be the one meant.
        for (second, name) in names.iter().enumerate() {
            if let Some(first) = names
                .get(..second)
                .and_then(|before| before.iter().position(|n| !n.is_empty() && n == name))
            {
                return Err(InputError::DuplicateColumn {
                    file,
                    domain: spec.domain.code(),
                    column: name.clone(),
                    first: first + 1,
                    second: second + 1,
                });
            }
        }
        let map: Arc<[Option<usize>]> = spec
            .columns
            .iter()
            .map(|alts| {
                alts.iter()
                    .find_map(|a| names.iter().position(|n| n.eq_ignore_ascii_case(a)))
            })
            .collect();
        for req in &spec.required {
            if !req.iter().any(|&c| map.get(c).copied().flatten().is_some()) {
                let column = req
                    .iter()
                    .filter_map(|&c| spec.columns.get(c).and_then(|a| a.first()))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("|");
                // One column holding another separator: a file exported with `;` or tabs.
                let separator = match names.as_slice() {
                    [only] => [';', '\t', '|'].into_iter().find(|&c| only.contains(c)),
                    _ => None,
                };
                return Err(InputError::MissingColumn {
                    file,
                    domain: spec.domain.code(),
                    column,
                    separator,
                });
            }
        }
        Ok(GroupStream {
            file,
            records,
            header_len,
            map,
            current: None,
            ready: None,
            orphans: Vec::new(),
            rows: 0,
            eof: false,
            check_order,
            bytes,
            recycler: Arc::default(),
            run_max: capacity / 4,
        })
    }

    /// Reads quoted values holding line ends as values (a record over several lines with the
    /// header's number of fields is one row). By default, as SDTM values are one line, such a
    /// record is read as a quote left open: its first line alone, refused as malformed, and the
    /// lines after it read as rows.
    pub fn multiline_values(mut self, accept: bool) -> GroupStream {
        self.records.multiline = accept;
        self
    }

    /// An empty group for `key` (its buffers are taken when its rows are copied).
    fn fresh(&self, key: &str) -> RawGroup {
        let spare = self
            .recycler
            .0
            .lock()
            .ok()
            .and_then(|mut p| p.keys.pop())
            .unwrap_or_default();
        let mut g = RawGroup::new(spare, self.map.clone(), self.header_len);
        g.key.push_str(key);
        g.recycle = Some(self.recycler.clone());
        g
    }

    /// Adds the record just read to the current group: to the run of lines copied at once
    /// when it can, else (a record read by `csv_core`) copied now, after the run.
    fn add_record(&mut self, line: u64) {
        if self.records.join_run(line) {
            if self.records.run_end - self.records.run_start > self.run_max {
                // A subject with very many rows: copied in parts, so the input buffer
                // need not grow to hold them all.
                self.flush_run();
            }
            return;
        }
        self.flush_run();
        if !self.records.join_run(line)
            && let Some(g) = self.current.as_mut()
        {
            g.push_record(line, &self.records);
        }
    }

    /// Copies the run of lines read into the current group.
    fn flush_run(&mut self) {
        if let Some(g) = self.current.as_mut() {
            self.records.take_run(g, &self.recycler);
        }
    }

    /// The file's name as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Data rows read so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The key of the next group, reading it if needed.
    pub fn peek_key(&mut self) -> Result<Option<&str>, InputError> {
        if self.ready.is_none() {
            self.ready = self.next_group()?;
        }
        Ok(self.ready.as_ref().map(|g| g.key.as_str()))
    }

    /// Takes the group [`peek_key`](Self::peek_key) read.
    pub fn take(&mut self) -> Option<RawGroup> {
        self.ready.take()
    }

    /// Reads the next group of consecutive rows with one USUBJID.
    pub fn next_group(&mut self) -> Result<Option<RawGroup>, InputError> {
        if let Some(g) = self.ready.take() {
            return Ok(Some(g));
        }
        let key_col = self.map.first().copied().flatten();
        loop {
            if self.eof {
                self.flush_run();
                let mut last = self.current.take();
                if !self.orphans.is_empty() {
                    let g = last.get_or_insert_with(|| {
                        RawGroup::new(String::new(), self.map.clone(), self.header_len)
                    });
                    g.bad.append(&mut self.orphans);
                }
                return Ok(last);
            }
            let Some(line) = self.records.next().map_err(|e| io_error(&self.file, &e))? else {
                self.eof = true;
                continue;
            };
            self.rows += 1;
            let key = key_col
                .and_then(|c| self.records.field(c))
                .unwrap_or_default()
                .trim_ascii();
            let malformed =
                self.records.len() != self.header_len || self.records.unclosed().is_some();
            let same = self
                .current
                .as_ref()
                .is_some_and(|g| g.key.as_bytes() == key);
            if same && !malformed {
                self.add_record(line);
                continue;
            }
            let key = match std::str::from_utf8(key) {
                Ok(k) if !k.is_empty() => k,
                Err(_) => {
                    let shown = shown_key(key);
                    match self.refuse_not_utf8(line, shown, malformed)? {
                        Some(done) => return Ok(Some(done)),
                        None => continue,
                    }
                }
                Ok(_) => {
                    let problem = if malformed {
                        Problem::Malformed(self.malformed(line))
                    } else {
                        Problem::NoSubject
                    };
                    self.orphan(line, problem);
                    continue;
                }
            };
            if malformed {
                let bad = BadRow {
                    line,
                    attributed: true,
                    problem: Problem::Malformed(self.malformed(line)),
                };
                if same {
                    if let Some(g) = self.current.as_mut() {
                        g.bad.push(bad);
                    }
                    continue;
                }
                let after = self.current.as_ref().is_none_or(|g| g.key.as_str() < key);
                if !after && self.check_order {
                    // Its USUBJID cannot be trusted: it breaks the order of a sorted file.
                    // (Read unsorted, order says nothing: the row is its subject's.)
                    self.orphan(line, bad.problem);
                    continue;
                }
                let mut g = self.fresh(key);
                g.bad.push(bad);
                if let Some(done) = self.start(g) {
                    return Ok(Some(done));
                }
                continue;
            }
            if self.check_order
                && let Some(cur) = &self.current
                && key < cur.key.as_str()
            {
                return Err(InputError::Unsorted {
                    file: self.file.clone(),
                    row: line,
                    subject: key.to_string(),
                    previous: cur.key.clone(),
                });
            }
            let g = self.fresh(key);
            let done = self.start(g);
            self.add_record(line);
            if done.is_some() {
                return Ok(done);
            }
        }
    }

    /// Why the current record (line `line`) is malformed: its number of fields, or a quoted
    /// field left open on its line ([`Unclosed`]).
    #[cold]
    fn malformed(&self, line: u64) -> String {
        match self.records.unclosed() {
            Some(u) if u.to_line <= line => {
                "a quoted field (opened by `\"`) is not closed before the end of the file".into()
            }
            Some(u) => {
                let (fields, why) = if u.fields == self.header_len {
                    (
                        String::new(),
                        "SDTM values are one line, so the line is refused alone and the lines after it are read as rows (--multiline-values reads quoted values over several lines)",
                    )
                } else {
                    (
                        format!(
                            " of {} fields where the header has {}",
                            u.fields, self.header_len
                        ),
                        "the line is refused alone and the lines after it are read as rows",
                    )
                };
                format!(
                    "a quoted field (opened by `\"`) is not closed on this line: read to its closing quote (or the end of the file), lines {line}-{} would be one row{fields}; {why}",
                    u.to_line
                )
            }
            None => format!(
                "{} fields where the header has {}",
                self.records.len(),
                self.header_len
            ),
        }
    }

    /// A row whose USUBJID is not UTF-8, refused as a row of the subject it names, written
    /// as [`shown_key`] writes it: the subject is then refused, and counted, like one with a
    /// row of the wrong length. The USUBJID orders the groups as written (an earlier one
    /// makes the file unsorted). Returns the group it ends, if any.
    #[cold]
    fn refuse_not_utf8(
        &mut self,
        line: u64,
        shown: String,
        malformed: bool,
    ) -> Result<Option<RawGroup>, InputError> {
        let mut reason = format!(
            "USUBJID `{shown}` is not valid UTF-8 (each byte that is not is written \\xNN)"
        );
        if malformed {
            reason.push_str(if self.records.unclosed().is_some() {
                ", and "
            } else {
                ", and the row has "
            });
            reason.push_str(&self.malformed(line));
        }
        let bad = BadRow {
            line,
            attributed: true,
            problem: Problem::Malformed(reason),
        };
        if let Some(g) = self.current.as_mut()
            && g.key == shown
        {
            g.bad.push(bad);
            return Ok(None);
        }
        // Read unsorted, order says nothing: the row is its subject's.
        if self.check_order
            && let Some(cur) = &self.current
            && shown < cur.key
        {
            if malformed {
                // As for other rows of the wrong length: its USUBJID cannot be trusted.
                self.orphan(line, bad.problem);
                return Ok(None);
            }
            return Err(InputError::Unsorted {
                file: self.file.clone(),
                row: line,
                subject: shown,
                previous: cur.key.clone(),
            });
        }
        let mut g = self.fresh(&shown);
        g.bad.push(bad);
        Ok(self.start(g))
    }

    fn orphan(&mut self, line: u64, problem: Problem) {
        let bad = BadRow {
            line,
            attributed: false,
            problem,
        };
        match self.current.as_mut() {
            Some(g) => g.bad.push(bad),
            None => self.orphans.push(bad),
        }
    }

    /// Makes `g` the current group; returns the one it ends, with all its rows.
    fn start(&mut self, mut g: RawGroup) -> Option<RawGroup> {
        if !self.orphans.is_empty() {
            g.bad.append(&mut self.orphans);
        }
        self.flush_run();
        self.current.replace(g)
    }

    /// Finishes the stream: rows read and the SHA-256 of the bytes read (read to the end).
    pub fn finish(self) -> Result<StreamTotals, InputError> {
        let Records {
            src: mut tracked,
            buf,
            hashed,
            end,
            ..
        } = self.records;
        tracked.hash.give(buf, hashed..end);
        let mut rest = Vec::new();
        tracked
            .read_to_end(&mut rest)
            .map_err(|source| InputError::Io {
                file: self.file.clone(),
                source,
            })?;
        let rest_len = rest.len();
        tracked.hash.give(rest, 0..rest_len);
        let digest = tracked.hash.finish().ok_or_else(|| InputError::Io {
            file: self.file.clone(),
            source: std::io::Error::other("the hashing thread failed"),
        })?;
        let sha256 = hex(&digest);
        Ok(StreamTotals {
            rows: self.rows,
            sha256,
            bytes: self.bytes.load(Ordering::Relaxed),
        })
    }
}

/// A USUBJID that is not UTF-8 as it is shown and grouped: its UTF-8 parts as they are,
/// each other byte as `\xNN` (lower-case hex), so different USUBJIDs stay different and the
/// byte at fault is seen (`FIX-\xe9002` for a Latin-1 `é`).
pub fn shown_key(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        s.push_str(chunk.valid());
        for &b in chunk.invalid() {
            s.push_str("\\x");
            s.push_str(&hex(&[b]));
        }
    }
    s
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        s.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    s
}

/// SHA-256 of a file's bytes, hex (for inputs not read through a stream).
pub fn sha256_file(path: &Path) -> Result<String, InputError> {
    let mut f = File::open(path).map_err(|source| InputError::Io {
        file: path.display().to_string(),
        source,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|source| InputError::Io {
            file: path.display().to_string(),
            source,
        })?;
        if n == 0 {
            break;
        }
        if let Some(chunk) = buf.get(..n) {
            hasher.update(chunk);
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// A read error while reading records, reported as the csv crate reported it.
fn io_error(file: &str, e: &std::io::Error) -> InputError {
    InputError::Csv {
        file: file.to_string(),
        row: None,
        message: e.to_string(),
    }
}

fn csv_error(file: &str, e: &csv::Error) -> InputError {
    InputError::Csv {
        file: file.to_string(),
        row: e.position().map(|p| p.line()),
        message: e.to_string(),
    }
}

/// Reads a whole file with the csv crate and nothing else (the parse-only floor of the
/// benchmark): rows and fields counted.
pub fn parse_only(path: &Path) -> Result<(u64, u64), InputError> {
    let file = path.display().to_string();
    let f = File::open(path).map_err(|source| InputError::Io {
        file: file.clone(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .buffer_capacity(1 << 18)
        .from_reader(f);
    let mut rec = csv::ByteRecord::new();
    let (mut rows, mut fields) = (0u64, 0u64);
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| csv_error(&file, &e))?
    {
        rows += 1;
        fields += rec.len() as u64;
    }
    Ok((rows, fields))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// A fresh directory of its own for a test, removed when the value is dropped.
    fn temp_dir() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("recist-sdtm-raw-")
            .tempdir()
            .unwrap()
    }

    /// `text` written as `name` in a fresh directory, kept as long as the directory returned.
    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = temp_dir();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn groups_rows_by_subject_and_keeps_lines() {
        let (_dir, p) = write(
            "dm1.csv",
            "STUDYID,USUBJID,RFSTDTC\nS,A,2020-01-01\nS,A,2020-01-02\n,,\nS,B,2020-02-01,extra\nS,C,2020-03-01\n",
        );
        let mut s = GroupStream::open(&p, &Spec::dm("RFSTDTC"), true, Arc::default()).unwrap();
        let a = s.next_group().unwrap().unwrap();
        assert_eq!(a.key, "A");
        assert_eq!(a.len(), 2);
        assert_eq!(a.line(1), 3);
        assert_eq!(a.get(0, dm::REFDATE), "2020-01-01");
        assert_eq!(a.bad.len(), 1, "the row with no subject");
        assert!(!a.bad[0].attributed);
        let b = s.next_group().unwrap().unwrap();
        assert_eq!(b.key, "B");
        assert!(b.is_empty());
        assert!(a.row_is_utf8(0));
        let mut a2 = a.clone();
        a2.decode();
        assert_eq!(a2.get(1, dm::REFDATE), "2020-01-02");
        assert!(a2.row_is_utf8(1));
        assert!(b.bad[0].attributed);
        assert_eq!(b.bad[0].line, 5);
        let c = s.next_group().unwrap().unwrap();
        assert_eq!(c.key, "C");
        assert!(s.next_group().unwrap().is_none());
        let totals = s.finish().unwrap();
        assert_eq!(totals.rows, 5);
        assert_eq!(totals.sha256, sha256_file(&p).unwrap());
    }

    /// A stray quote opening a field costs its row alone: read to the next quote (here the
    /// opening quote of a later row's value in the same column, which gives the long row the
    /// header's number of fields), rows of other subjects would become one row of the first,
    /// lost from every count. With `multiline_values` the file is read as CSV has it.
    #[test]
    fn a_stray_quote_refuses_its_line_alone_and_the_lines_after_are_rows() {
        let text = "STUDYID,USUBJID,RFSTDTC\nS,A,2020-01-01\nS,A,\"2020-01-02\nS,B,2020-02-01\nS,C,2020-03-01\nS,D,\"2020-04-01\"\nS,E,\"2020-05-01\n,E2\"\nS,F,\"2020-06-01\n";
        type Group = (String, Vec<(u64, String)>, Vec<(u64, String)>);
        let read = |capacity: usize, multiline: bool| -> Vec<Group> {
            let (_dir, p) = write("stray-quote.csv", text);
            let mut s =
                GroupStream::open_with(&p, &Spec::dm("RFSTDTC"), true, Arc::default(), capacity)
                    .unwrap()
                    .multiline_values(multiline);
            let mut out = Vec::new();
            while let Some(mut g) = s.next_group().unwrap() {
                g.decode();
                let rows: Vec<(u64, String)> = (0..g.len())
                    .map(|r| (g.line(r), g.get(r, dm::REFDATE).to_string()))
                    .collect();
                let bad: Vec<(u64, String)> = g
                    .bad
                    .iter()
                    .map(|b| (b.line, b.problem.to_string()))
                    .collect();
                out.push((g.key.clone(), rows, bad));
            }
            assert_eq!(
                s.finish().unwrap().rows,
                out.iter()
                    .map(|g| (g.1.len() + g.2.len()) as u64)
                    .sum::<u64>()
            );
            out
        };
        let rows = |g: &Group| g.1.clone();
        for capacity in [4, 16, 1 << 20] {
            let strict = read(capacity, false);
            let keys: Vec<&str> = strict.iter().map(|g| g.0.as_str()).collect();
            assert_eq!(
                keys,
                ["A", "B", "C", "D", "E", "E2\"", "F"],
                "buffer {capacity}"
            );
            assert_eq!(rows(&strict[0]), [(2, "2020-01-01".to_string())]);
            assert_eq!(strict[0].2.len(), 1);
            let (line, why) = &strict[0].2[0];
            assert_eq!(*line, 3);
            assert!(
                why.contains("not closed on this line")
                    && why.contains("lines 3-6 would be one row;"),
                "{why}"
            );
            for (g, date) in strict[1..4]
                .iter()
                .zip(["2020-02-01", "2020-03-01", "2020-04-01"])
            {
                assert_eq!(g.1.len(), 1, "{g:?}");
                assert_eq!(g.1[0].1, date);
                assert!(g.2.is_empty(), "{g:?}");
            }
            // A value over two lines is refused too (its second line is a malformed row), and
            // so is a quote still open at the end of the file.
            assert!(
                strict[4].2[0].1.contains("lines 7-8 would be one row;"),
                "{:?}",
                strict[4]
            );
            assert!(strict[5].2[0].1.contains("2 fields where the header has 3"));
            assert!(
                strict[6].2[0]
                    .1
                    .contains("not closed before the end of the file"),
                "{:?}",
                strict[6]
            );

            let lenient = read(capacity, true);
            let keys: Vec<&str> = lenient.iter().map(|g| g.0.as_str()).collect();
            assert_eq!(keys, ["A", "E", "F"], "buffer {capacity}");
            assert_eq!(
                rows(&lenient[0])[1],
                (
                    3,
                    "2020-01-02\nS,B,2020-02-01\nS,C,2020-03-01\nS,D,2020-04-01\"".to_string()
                )
            );
            assert_eq!(rows(&lenient[1]), [(7, "2020-05-01\n,E2".to_string())]);
            // (A value taking the file's last line end is one, as CSV reads it.)
            assert_eq!(
                (lenient[2].1.len(), lenient[2].2.len()),
                (1, 0),
                "{:?}",
                lenient[2]
            );
        }
    }

    #[test]
    fn decode_blanks_only_the_rows_that_are_not_utf8() {
        let mut g = RawGroup::with_columns("A".into(), 2);
        g.push_fields(2, [&b"A"[..], "d\u{e9}j\u{e0}".as_bytes()]);
        g.push_fields(3, [&b"A"[..], &b"\xff"[..]]);
        // A character split between two fields: each field alone is not UTF-8.
        g.push_fields(4, [&b"A\xc3"[..], &b"\xa9"[..]]);
        g.push_fields(5, [&b"A"[..], &b"ok"[..]]);
        g.decode();
        assert_eq!(g.get(0, 1), "d\u{e9}j\u{e0}");
        assert!(g.row_is_utf8(0));
        assert!(!g.row_is_utf8(1));
        assert_eq!(g.get(1, 1), "");
        assert!(!g.row_is_utf8(2));
        assert_eq!(g.get(2, 0), "");
        assert!(g.row_is_utf8(3));
        assert_eq!(g.get(3, 1), "ok");
        assert!(!g.all_utf8());

        let mut ok = RawGroup::with_columns("B".into(), 2);
        ok.push(2, &["B", "\u{e9}t\u{e9}"]);
        assert!(!ok.all_utf8(), "not decoded yet");
        ok.decode();
        assert!(ok.all_utf8());
        assert!(ok.row_is_utf8(0));
        assert_eq!(ok.get(0, 1), "\u{e9}t\u{e9}");
    }

    /// Every record as the csv crate reads them (flexible, no header), with the physical line
    /// where it starts: the csv crate gives where it started reading it (after the previous
    /// record's last byte read, so before blank lines, or the `\n` of a `\r\n`); the record
    /// starts at the next byte that is no line end, on the line after the line ends before
    /// it (`\r\n`, `\n` or `\r`). The header is on line 1.
    fn csv_crate_records(bytes: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(bytes);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let mut start = rec.position().unwrap().byte() as usize;
            while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            let before = String::from_utf8_lossy(&bytes[..start]).replace("\r\n", "\n");
            let ends = before.matches(['\r', '\n']).count() as u64;
            let line = if out.is_empty() { 1 } else { 1 + ends };
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// [`csv_crate_records`] with the recovery from a stray quote ([`Unclosed`]): a record
    /// after the header that runs over several lines with another number of fields than the
    /// header is its first line alone, split at its commas (marked `true`), and reading goes
    /// on after that line.
    fn reference_records(bytes: &[u8], multiline: bool) -> Vec<(u64, Vec<Vec<u8>>, bool)> {
        let mut out: Vec<(u64, Vec<Vec<u8>>, bool)> = Vec::new();
        let mut offset = 0;
        let line_of = |at: usize| {
            let before = String::from_utf8_lossy(&bytes[..at]).replace("\r\n", "\n");
            1 + before.matches(['\r', '\n']).count() as u64
        };
        'restart: loop {
            let rest = &bytes[offset..];
            let mut r = csv::ReaderBuilder::new()
                .flexible(true)
                .has_headers(false)
                .from_reader(rest);
            let mut rec = csv::ByteRecord::new();
            while r.read_byte_record(&mut rec).unwrap() {
                let mut start = offset + rec.position().unwrap().byte() as usize;
                while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                let line = if out.is_empty() { 1 } else { line_of(start) };
                let fields: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
                let spans = fields.iter().flatten().any(|b| matches!(b, b'\r' | b'\n'));
                if let Some((_, header, _)) = out.first()
                    && spans
                    && (fields.len() != header.len() || !multiline)
                {
                    let len = bytes[start..]
                        .iter()
                        .position(|b| matches!(b, b'\r' | b'\n'))
                        .unwrap();
                    let first = bytes[start..start + len]
                        .split(|&b| b == b',')
                        .map(<[u8]>::to_vec)
                        .collect();
                    out.push((line, first, true));
                    offset = start + len + 1;
                    if bytes[start + len] == b'\r' && bytes.get(offset) == Some(&b'\n') {
                        offset += 1;
                    }
                    continue 'restart;
                }
                out.push((line, fields, false));
            }
            return out;
        }
    }

    fn our_records(
        path: &Path,
        capacity: usize,
        multiline: bool,
    ) -> Vec<(u64, Vec<Vec<u8>>, bool)> {
        let src = Tracked {
            inner: File::open(path).unwrap(),
            hash: BackgroundHash::new(),
            bytes: Arc::default(),
        };
        let mut r = Records::new(src, capacity);
        r.multiline = multiline;
        let mut out = Vec::new();
        while let Some(line) = r.next().unwrap() {
            let fields = (0..r.len()).map(|i| r.field(i).unwrap().to_vec()).collect();
            out.push((line, fields, r.unclosed().is_some()));
        }
        // The bytes handed to the hasher, buffer after buffer, are the file's.
        let Records {
            mut src,
            buf,
            hashed,
            end,
            ..
        } = r;
        src.hash.give(buf, hashed..end);
        let digest = src.hash.finish().unwrap();
        assert_eq!(hex(&digest), sha256_file(path).unwrap());
        out
    }

    #[test]
    fn a_record_longer_than_the_limit_is_an_error_naming_its_line() {
        let tmp = temp_dir();
        let dir = tmp.path();
        let long = "x".repeat(5000);
        for (name, text, line) in [
            ("plain.csv", format!("A,B\nx,y\n{long},z\nq,r\n"), 3),
            ("quoted.csv", format!("A,B\nx,\"{long}\"\nq,r\n"), 2),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            let src = Tracked {
                inner: File::open(&path).unwrap(),
                hash: BackgroundHash::new(),
                bytes: Arc::default(),
            };
            let mut r = Records::new(src, 64);
            r.max_record = 1000;
            let mut read = 0;
            let err = loop {
                match r.next() {
                    Ok(Some(_)) => read += 1,
                    Ok(None) => panic!("{name}: the long record was read"),
                    Err(e) => break e,
                }
            };
            assert_eq!(read, line - 1, "{name}: records before the long one");
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
            let message = err.to_string();
            assert!(
                message.contains(&format!("line {line} ")),
                "{name}: {message}"
            );
        }
    }

    #[test]
    fn rows_past_the_offset_limit_become_unreadable_rows_of_the_subject() {
        let map: Arc<[Option<usize>]> = Arc::from(vec![Some(0), Some(1)]);
        let mut g = RawGroup::new("S1".into(), map, 2);
        g.push_fields(2, [&b"ab"[..], b"cd"]);
        let mark = g.mark();
        g.push_fields(3, [&b"efgh"[..], b"ij"]);
        g.push_fields(4, [&b"k"[..], b"l"]);
        g.keep_within(mark, 10);
        assert_eq!(g.len(), 1);
        assert_eq!((g.get(0, 0), g.get(0, 1)), ("ab", "cd"));
        assert_eq!(g.rows_total(), 3);
        let bad: Vec<(u64, bool)> = g.bad.iter().map(|b| (b.line, b.attributed)).collect();
        assert_eq!(bad, [(3, true), (4, true)]);
        assert!(g.bad[0].problem.to_string().contains("4 GiB"));
    }

    #[test]
    fn records_are_read_as_the_csv_crate_reads_them() {
        let mut cases: Vec<Vec<u8>> = [
            "A,B\nx,y\n",
            "\u{feff}A,B\nx,y",
            "A,B\n\n\nx,y\n\n",
            "A,B\r\nx,y\r\n\r\nz\r\n",
            "A,B\rx,y\rz",
            "A,\"B\nC\",D\nx,\"y\"\"q\",z\n\"open",
            "A,B\nab\"c,d\n\"a\"b,c\n,,\n,\n",
            "",
            "\n\n",
            "A\n\"\"\n\"\"\"\"\n",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        // Random text over the bytes that matter, reproducibly.
        let alphabet: &[u8] = b"ab,,\n\n\"\r \xc3\xa9";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for n in 0..400 {
            let len = n % 60;
            let mut t = Vec::with_capacity(len);
            for _ in 0..len {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                t.push(alphabet[(x >> 33) as usize % alphabet.len()]);
            }
            cases.push(t);
        }
        let dir = temp_dir();
        for (i, case) in cases.iter().enumerate() {
            let p = dir.path().join(format!("records-{i}.csv"));
            std::fs::write(&p, case).unwrap();
            for multiline in [false, true] {
                let want = reference_records(case, multiline);
                // (csv_core reads a BOM well only when its first input holds more than it.)
                for capacity in [4, 5, 7, 8, 64, 1 << 20] {
                    assert_eq!(
                        our_records(&p, capacity, multiline),
                        want,
                        "{:?} (buffer {capacity}, multiline {multiline})",
                        String::from_utf8_lossy(case)
                    );
                }
            }
            std::fs::remove_file(&p).unwrap();
        }
    }

    /// Groups as read with an input buffer of `capacity`: per group its key, rows (line and
    /// the two columns) and bad rows.
    type Read = Vec<(String, Vec<(u64, String, String)>, Vec<BadRow>)>;

    fn groups(path: &Path, capacity: usize) -> Read {
        // (Values over several lines read as CSV has them, to compare with the csv crate.)
        let mut s = GroupStream::open_with(path, &Spec::dm("V"), false, Arc::default(), capacity)
            .unwrap()
            .multiline_values(true);
        let mut out = Vec::new();
        while let Some(mut g) = s.next_group().unwrap() {
            g.decode();
            let rows = (0..g.len())
                .map(|r| {
                    let (k, v) = (g.get(r, dm::USUBJID), g.get(r, dm::REFDATE));
                    (g.line(r), k.to_string(), v.to_string())
                })
                .collect();
            out.push((g.key.clone(), rows, g.bad.clone()));
        }
        let totals = s.finish().unwrap();
        assert_eq!(totals.sha256, sha256_file(path).unwrap());
        out
    }

    #[test]
    fn groups_are_read_the_same_whatever_the_buffer() {
        let values = [
            "x",
            "",
            " y ",
            "\"q\"\"r\"",
            "\"a\nb\"",
            "\"a,b\"",
            "d\u{e9}j\u{e0}",
            "long-value-0123456789",
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut rnd = |n: usize| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as usize % n
        };
        for case in 0..300 {
            let malformed = case % 3 == 2;
            let mut text = String::from("USUBJID,V\n");
            let mut key = 0;
            for _ in 0..rnd(40) {
                if rnd(4) == 0 {
                    key += 1;
                }
                let k = if rnd(20) == 0 {
                    String::new()
                } else {
                    format!("S{key:02}")
                };
                text.push_str(&k);
                text.push(',');
                text.push_str(values[rnd(values.len())]);
                if malformed && rnd(8) == 0 {
                    text.push_str(",extra");
                }
                text.push_str(["\n", "\n", "\n", "\r\n", "\n\n"][rnd(5)]);
            }
            let (_dir, p) = write(&format!("groups-{case}.csv"), &text);
            let want = groups(&p, 1 << 20);
            if !malformed {
                // Against the csv crate: the rows with a USUBJID, in order.
                let recs = csv_crate_records(text.as_bytes());
                let rows: Vec<(u64, String, String)> =
                    want.iter().flat_map(|g| g.1.clone()).collect();
                let expected: Vec<(u64, String, String)> = recs
                    .iter()
                    .skip(1)
                    .filter(|(_, f)| !f[0].is_empty())
                    .map(|(line, f)| {
                        let s =
                            |b: &[u8]| String::from_utf8(b.to_vec()).unwrap().trim().to_string();
                        (*line, s(&f[0]), s(&f[1]))
                    })
                    .collect();
                assert_eq!(rows, expected, "{text:?}");
            }
            for capacity in [4, 7, 16, 64] {
                assert_eq!(groups(&p, capacity), want, "{text:?} (buffer {capacity})");
            }
            std::fs::remove_file(&p).unwrap();
        }
    }

    /// Groups read by a stream are text at once when UTF-8 (checked on the reader); they read
    /// the same as groups of the same rows pushed field by field and decoded on the worker,
    /// whatever the buffer, with rows not UTF-8 and rows read by `csv_core` among them.
    #[test]
    fn groups_checked_on_the_reader_read_as_groups_decoded_later() {
        let mut text: Vec<u8> = b"USUBJID,V\n".to_vec();
        for (k, v) in [
            ("A", &b"x"[..]),
            ("A", "d\u{e9}j\u{e0}".as_bytes()),
            ("B", b"ok"),
            ("B", b"bad\xff"),
            ("B", b"after"),
            ("C", b"\"q,r\""),
            ("C", b"y"),
            ("D", b"\xc3"),
            ("E", b" z "),
        ] {
            text.extend_from_slice(k.as_bytes());
            text.push(b',');
            text.extend_from_slice(v);
            text.push(b'\n');
        }
        let dir = temp_dir();
        let p = dir.path().join("early.csv");
        std::fs::write(&p, &text).unwrap();
        for capacity in [4, 16, 64, 1 << 20] {
            let mut s = GroupStream::open_with(&p, &Spec::dm("V"), false, Arc::default(), capacity)
                .unwrap();
            let mut read = Vec::new();
            while let Some(mut g) = s.next_group().unwrap() {
                // Text already, but for the subjects with a row not UTF-8 (B, D) or read by
                // csv_core (C, with quotes).
                assert_eq!(
                    g.buf.is_empty(),
                    matches!(g.key.as_str(), "A" | "E"),
                    "{} (buffer {capacity})",
                    g.key
                );
                g.decode();
                read.push(g);
            }
            let recs = csv_crate_records(&text);
            let mut want: Vec<RawGroup> = Vec::new();
            for (line, f) in recs.iter().skip(1) {
                if want
                    .last()
                    .is_none_or(|g| g.key.as_bytes() != f[0].as_slice())
                {
                    let key = String::from_utf8(f[0].clone()).unwrap();
                    let map: Arc<[Option<usize>]> = Arc::from(vec![Some(0), None, Some(1)]);
                    want.push(RawGroup::new(key, map, 2));
                }
                let g = want.last_mut().unwrap();
                g.push_fields(*line, f.iter().map(Vec::as_slice));
            }
            assert_eq!(read.len(), want.len(), "buffer {capacity}");
            for (g, w) in read.iter().zip(&mut want) {
                w.decode();
                assert_eq!(g.key, w.key);
                assert_eq!(g.len(), w.len(), "{} (buffer {capacity})", g.key);
                for r in 0..g.len() {
                    assert_eq!(g.line(r), w.line(r));
                    assert_eq!(g.row_is_utf8(r), w.row_is_utf8(r), "{} row {r}", g.key);
                    assert!(!g.all_utf8() || g.row_is_utf8(r), "{} row {r}", g.key);
                    for c in [dm::USUBJID, dm::REFDATE] {
                        assert_eq!(
                            g.get(r, c),
                            w.get(r, c),
                            "{} row {r} (buffer {capacity})",
                            g.key
                        );
                    }
                }
            }
            assert!(!read[1].row_is_utf8(1), "the row with \\xff");
            assert_eq!(read[0].get(1, dm::REFDATE), "d\u{e9}j\u{e0}");
            s.finish().unwrap();
        }
        std::fs::remove_file(&p).unwrap();
    }

    /// Rows are numbered by the physical line where they start, whatever ends the lines
    /// (`\n`, `\r\n` as Windows and SAS write them, `\r` alone), after blank lines, and
    /// after a quoted field holding a line end.
    #[test]
    fn rows_are_numbered_by_physical_line_whatever_the_line_ends() {
        // Rows on lines 4 and 5, 7 (after a blank line), 8 (its field ending on line 9),
        // 10 (with a field too many) and 12; two blank lines before the header.
        let text = "\n\nUSUBJID,V\nA,1\nA,2\n\nB,3\nB,\"x\ny\"\nC,4,extra\n\nD,5\n";
        for (name, end) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
            let (_dir, p) = write(&format!("lines-{name}.csv"), &text.replace('\n', end));
            for capacity in [4, 7, 64, 1 << 20] {
                let read = groups(&p, capacity);
                let rows: Vec<(u64, &str)> = read
                    .iter()
                    .flat_map(|g| g.1.iter().map(|r| (r.0, r.1.as_str())))
                    .collect();
                assert_eq!(
                    rows,
                    [(4, "A"), (5, "A"), (7, "B"), (8, "B"), (12, "D")],
                    "{name} (buffer {capacity})"
                );
                let bad: Vec<u64> = read
                    .iter()
                    .flat_map(|g| g.2.iter().map(|b| b.line))
                    .collect();
                assert_eq!(bad, [10], "{name} (buffer {capacity})");
            }
        }
    }

    /// A USUBJID that is not UTF-8 is no empty one: its rows are refused as rows of the
    /// subject it names, shown with `\xNN`, and the subject is a group (refused, counted).
    #[test]
    fn a_usubjid_not_utf8_refuses_the_rows_of_the_subject_it_names() {
        let dir = temp_dir();
        let p = dir.path().join("key.csv");
        std::fs::write(
            &p,
            b"USUBJID,RFSTDTC\nA,2020-01-01\nB\xe9,2020-01-01\nB\xe9,2020-01-02\nB\xe9,x,extra\nc,2020-01-01\n",
        )
        .unwrap();
        for capacity in [4, 16, 1 << 20] {
            let mut s =
                GroupStream::open_with(&p, &Spec::dm("RFSTDTC"), true, Arc::default(), capacity)
                    .unwrap();
            assert_eq!(s.next_group().unwrap().unwrap().key, "A");
            let b = s.next_group().unwrap().unwrap();
            assert_eq!(b.key, "B\\xe9");
            assert!(b.is_empty());
            let bad: Vec<(u64, bool)> = b.bad.iter().map(|r| (r.line, r.attributed)).collect();
            assert_eq!(bad, [(3, true), (4, true), (5, true)], "buffer {capacity}");
            let reason = b.bad[0].problem.to_string();
            assert!(
                reason.contains("USUBJID `B\\xe9` is not valid UTF-8"),
                "{reason}"
            );
            assert!(
                b.bad[2]
                    .problem
                    .to_string()
                    .contains("3 fields where the header has 2")
            );
            assert_eq!(s.next_group().unwrap().unwrap().key, "c");
            assert!(s.next_group().unwrap().is_none());
            assert_eq!(s.finish().unwrap().rows, 5);
        }
        // Ordered as shown: before the previous subject, it makes the file unsorted.
        let (_dir, p) = write("dm-key-unsorted.csv", "USUBJID,RFSTDTC\nB,2020-01-01\n");
        let mut text = std::fs::read(&p).unwrap();
        text.extend_from_slice(b"A\xff,2020-01-01\n");
        std::fs::write(&p, &text).unwrap();
        let mut s = GroupStream::open(&p, &Spec::dm("RFSTDTC"), true, Arc::default()).unwrap();
        let err = s.next_group().unwrap_err();
        assert!(
            matches!(&err, InputError::Unsorted { row: 3, subject, .. } if subject == "A\\xff"),
            "{err}"
        );
        let mut s = GroupStream::open(&p, &Spec::dm("RFSTDTC"), false, Arc::default()).unwrap();
        assert_eq!(s.next_group().unwrap().unwrap().key, "B");
        assert_eq!(s.next_group().unwrap().unwrap().key, "A\\xff");
        assert_eq!(shown_key(b"\xc3\xa9t\xc3"), "\u{e9}t\\xc3");
    }

    #[test]
    fn an_earlier_subject_after_a_later_one_is_unsorted() {
        let (_dir, p) = write("dm2.csv", "USUBJID,RFSTDTC\nB,2020-01-01\nA,2020-01-01\n");
        let mut s = GroupStream::open(&p, &Spec::dm("RFSTDTC"), true, Arc::default()).unwrap();
        let err = s.next_group().unwrap_err();
        assert!(matches!(err, InputError::Unsorted { row: 3, .. }), "{err}");
        let mut s = GroupStream::open(&p, &Spec::dm("RFSTDTC"), false, Arc::default()).unwrap();
        assert_eq!(s.next_group().unwrap().unwrap().key, "B");
        assert_eq!(s.next_group().unwrap().unwrap().key, "A");
    }

    #[test]
    fn a_malformed_row_out_of_order_is_its_subjects_only_when_read_unsorted() {
        // Sorted reading: a row of the wrong length whose USUBJID breaks the order is no
        // subject's (its USUBJID cannot be trusted). Unsorted reading: it is A's.
        let (_dir, p) = write(
            "dm-unsorted-malformed.csv",
            "USUBJID,RFSTDTC\nA,2020-01-01\nB,2020-01-01\nA,2020-01-01,extra\n",
        );
        let mut s = GroupStream::open(&p, &Spec::dm("RFSTDTC"), true, Arc::default()).unwrap();
        assert_eq!(s.next_group().unwrap().unwrap().key, "A");
        let b = s.next_group().unwrap().unwrap();
        assert_eq!(b.key, "B");
        assert_eq!(b.bad.len(), 1);
        assert!(!b.bad[0].attributed);
        let mut s = GroupStream::open(&p, &Spec::dm("RFSTDTC"), false, Arc::default()).unwrap();
        for key in ["A", "B"] {
            let g = s.next_group().unwrap().unwrap();
            assert_eq!(g.key, key);
            assert!(g.bad.is_empty());
        }
        let a = s.next_group().unwrap().unwrap();
        assert_eq!(a.key, "A");
        assert!(a.is_empty());
        assert_eq!(a.bad.len(), 1);
        assert!(a.bad[0].attributed);
        assert_eq!(a.bad[0].line, 4);
        assert!(s.next_group().unwrap().is_none());
    }

    #[test]
    fn a_column_named_twice_is_refused() {
        // Case-insensitively, read by the mapping or not; unnamed columns may repeat.
        for (name, header, column, first, second) in [
            (
                "dm-dup1.csv",
                "USUBJID,RFSTDTC,AGE,rfstdtc",
                "RFSTDTC",
                2,
                4,
            ),
            ("dm-dup2.csv", "USUBJID, Usubjid ,RFSTDTC", "USUBJID", 1, 2),
            ("dm-dup3.csv", "USUBJID,RFSTDTC,AGE,,Age,", "AGE", 3, 5),
        ] {
            let (_dir, p) = write(name, &format!("{header}\nA,2020-01-01,3,,,\n"));
            let err = GroupStream::open(&p, &Spec::dm("RFSTDTC"), true, Arc::default())
                .err()
                .unwrap();
            assert!(
                matches!(&err, InputError::DuplicateColumn { column: c, first: f, second: s, .. }
                    if c == column && *f == first && *s == second),
                "{header}: {err}"
            );
            let message = err.to_string();
            assert!(
                message.starts_with(&format!("{}:1: ", p.display())),
                "{message}"
            );
            assert!(
                message.contains(&format!("{column} twice, as columns {first} and {second}")),
                "{message}"
            );
        }
        let (_dir, p) = write("dm-unnamed.csv", "USUBJID,RFSTDTC,,\nA,2020-01-01,,\n");
        GroupStream::open(&p, &Spec::dm("RFSTDTC"), true, Arc::default()).unwrap();
    }

    #[test]
    fn a_missing_column_is_refused() {
        let (_dir, p) = write("dm3.csv", "USUBJID,AGE\nA,3\n");
        let err = GroupStream::open(&p, &Spec::dm("RFSTDTC"), true, Arc::default())
            .err()
            .unwrap();
        assert!(err.to_string().contains("no RFSTDTC column"), "{err}");
        // A comma-separated header that lacks the column gets no separator hint.
        assert!(!err.to_string().contains("separated by"), "{err}");
    }

    #[test]
    fn a_header_separated_by_semicolons_or_tabs_is_named_as_such() {
        for (name, text, said) in [
            (
                "tu-semicolon.csv",
                "STUDYID;DOMAIN;USUBJID\nS;TU;A\n",
                "holding `;`",
            ),
            (
                "tu-tab.csv",
                "STUDYID\tDOMAIN\tUSUBJID\nS\tTU\tA\n",
                "holding tabs",
            ),
        ] {
            let (_dir, p) = write(name, text);
            let err = GroupStream::open(&p, &Spec::tu(), true, Arc::default())
                .err()
                .unwrap();
            let message = err.to_string();
            assert!(
                message.contains("header has no USUBJID column") && message.contains(said),
                "{message}"
            );
            assert!(
                message.contains("recist reads comma-separated CSV"),
                "{message}"
            );
        }
    }
}
