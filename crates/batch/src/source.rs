//! Reading the inputs into work items, on their own thread, in chunks.
//!
//! Sorted SDTM files are merge-joined by USUBJID: TU and TR advance together, DM and recorded
//! RS follow; each subject becomes one [`SdtmItem`] as soon as its last row is read. Unsorted
//! files are read whole into memory, grouped by USUBJID (bounded by `max_unsorted_rows`).
//! Case files become one item per JSON Lines line or per YAML/JSON file.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;

use recist_sdtm::{Domain, GroupStream, InputError, RawGroup, Spec, hex};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{BatchConfig, BatchError, Input};

/// One subject's rows from every SDTM file (at least one group; all have its USUBJID as
/// their key, so the item keeps no copy of it: one allocation less per subject).
#[derive(Debug, Clone, Default)]
pub struct SdtmItem {
    /// TU rows.
    pub tu: Option<RawGroup>,
    /// TR rows.
    pub tr: Option<RawGroup>,
    /// DM rows.
    pub dm: Option<RawGroup>,
    /// Recorded RS rows.
    pub rs: Option<RawGroup>,
}

impl SdtmItem {
    /// USUBJID: the key of the item's groups.
    pub fn key(&self) -> &str {
        [&self.tu, &self.tr, &self.dm, &self.rs]
            .into_iter()
            .flatten()
            .next()
            .map_or("", |g| g.key.as_str())
    }

    /// An item of one group only: a subject's DM or RS rows with no TU or TR row before them.
    fn alone(domain: Domain, g: RawGroup) -> Box<SdtmItem> {
        let mut only = Box::<SdtmItem>::default();
        *only.slot(domain) = Some(g);
        only
    }

    /// Where the rows of `domain` go.
    fn slot(&mut self, domain: Domain) -> &mut Option<RawGroup> {
        match domain {
            Domain::Tu => &mut self.tu,
            Domain::Tr => &mut self.tr,
            Domain::Dm => &mut self.dm,
            Domain::Rs => &mut self.rs,
        }
    }

    fn rows(&self) -> u64 {
        [&self.tu, &self.tr, &self.dm, &self.rs]
            .iter()
            .filter_map(|g| g.as_ref().map(RawGroup::rows_total))
            .sum()
    }
}

/// A unit of work.
#[derive(Debug, Clone)]
pub enum Item {
    /// One USUBJID of SDTM data.
    Sdtm(Box<SdtmItem>),
    /// Case-file text: one JSON Lines line, or a whole YAML/JSON file.
    Case {
        /// The file.
        file: String,
        /// 1-based line of the text in the file.
        line: usize,
        /// The text (a YAML or JSON file's with the lines that are not UTF-8 noted: each
        /// refuses its document alone).
        text: recist_io::CaseText,
        /// Whether the text is one JSON Lines line.
        jsonl: bool,
    },
    /// One JSON Lines line that is not UTF-8: refused by itself (the file's other lines are
    /// read).
    CaseLineNotUtf8 {
        /// The file.
        file: String,
        /// 1-based line in the file.
        line: usize,
        /// 1-based byte of the line where the bytes stop being UTF-8.
        byte: usize,
    },
    /// A case file that could not be read.
    CaseFileError {
        /// The file.
        file: String,
        /// Why.
        message: String,
    },
}

/// An input file as the summary records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputInfo {
    /// TU, TR, DM, RS (recorded) or cases.
    pub role: String,
    /// The file.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows (lines of JSON Lines; cases of YAML).
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
}

/// Rows per chunk, besides the subject limit, so a chunk of huge subjects stays small.
const CHUNK_ROWS: u64 = 200_000;

struct Sender {
    tx: SyncSender<Vec<Item>>,
    chunk: Vec<Item>,
    rows: u64,
    max_items: usize,
    closed: bool,
}

impl Sender {
    fn push(&mut self, item: Item, rows: u64) {
        self.chunk.push(item);
        self.rows += rows;
        if self.chunk.len() >= self.max_items || self.rows >= CHUNK_ROWS {
            self.flush();
        }
    }
    fn flush(&mut self) {
        if self.chunk.is_empty() || self.closed {
            return;
        }
        // The next chunk gets the size of this one at once (not grown item by item).
        let size = self.chunk.len();
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(size));
        self.rows = 0;
        if self.tx.send(chunk).is_err() {
            self.closed = true;
        }
    }
}

/// Total bytes of the inputs, for progress.
pub fn total_bytes(cfg: &BatchConfig) -> u64 {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    match &cfg.input {
        Input::Sdtm { tu, tr, dm } => {
            size(tu)
                + size(tr)
                + dm.as_deref().map_or(0, size)
                + cfg.recorded.as_deref().map_or(0, size)
        }
        Input::Cases(p) => case_files(p).iter().map(|f| size(f)).sum(),
    }
}

/// Reads the configured input and sends items in chunks; returns the input files read.
pub fn read(
    cfg: &BatchConfig,
    in_memory: bool,
    bytes: Arc<AtomicU64>,
    tx: SyncSender<Vec<Item>>,
) -> Result<Vec<InputInfo>, BatchError> {
    let mut sender = Sender {
        tx,
        chunk: Vec::new(),
        rows: 0,
        max_items: cfg.chunk_subjects.max(1),
        closed: false,
    };
    let infos = match &cfg.input {
        Input::Sdtm { tu, tr, dm } => {
            let paths = SdtmPaths {
                tu,
                tr,
                dm: dm.as_deref(),
                rs: cfg.recorded.as_deref(),
            };
            if in_memory {
                read_in_memory(cfg, &paths, &bytes, &mut sender)?
            } else {
                read_sorted(cfg, &paths, &bytes, &mut sender)?
            }
        }
        Input::Cases(p) => read_cases(p, &bytes, &mut sender),
    };
    sender.flush();
    Ok(infos)
}

struct SdtmPaths<'a> {
    tu: &'a Path,
    tr: &'a Path,
    dm: Option<&'a Path>,
    rs: Option<&'a Path>,
}

struct Streams {
    tu: GroupStream,
    tr: GroupStream,
    dm: Option<GroupStream>,
    rs: Option<GroupStream>,
}

fn open(
    cfg: &BatchConfig,
    p: &SdtmPaths<'_>,
    check: bool,
    bytes: &Arc<AtomicU64>,
) -> Result<Streams, BatchError> {
    let open = |path: &Path, spec: &Spec| {
        GroupStream::open(path, spec, check, bytes.clone())
            .map(|s| s.multiline_values(cfg.multiline_values))
    };
    Ok(Streams {
        tu: open(p.tu, &Spec::tu())?,
        tr: open(p.tr, &Spec::tr())?,
        dm: p
            .dm
            .map(|d| open(d, &Spec::dm(cfg.mapping.reference_date_column())))
            .transpose()?,
        rs: p.rs.map(|r| open(r, &Spec::rs())).transpose()?,
    })
}

fn finish(s: Streams) -> Result<Vec<InputInfo>, BatchError> {
    let mut out = Vec::new();
    let mut add = |role: &str, g: GroupStream| -> Result<(), BatchError> {
        let file = g.file().to_string();
        let t = g.finish()?;
        let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        out.push(InputInfo {
            role: role.into(),
            file,
            sha256: t.sha256,
            rows: t.rows,
            bytes,
        });
        Ok(())
    };
    add("TU", s.tu)?;
    add("TR", s.tr)?;
    if let Some(d) = s.dm {
        add("DM", d)?;
    }
    if let Some(r) = s.rs {
        add("RS (recorded)", r)?;
    }
    Ok(out)
}

fn read_sorted(
    cfg: &BatchConfig,
    paths: &SdtmPaths<'_>,
    bytes: &Arc<AtomicU64>,
    sender: &mut Sender,
) -> Result<Vec<InputInfo>, BatchError> {
    let mut s = open(cfg, paths, true, bytes)?;
    loop {
        if sender.closed {
            return Ok(Vec::new());
        }
        // The next subject is the smaller of the next TU and TR keys (both, when equal).
        let (ktu, ktr) = (s.tu.peek_key()?, s.tr.peek_key()?);
        let (from_tu, from_tr) = match (ktu, ktr) {
            (None, None) => break,
            (Some(_), None) => (true, false),
            (None, Some(_)) => (false, true),
            (Some(a), Some(b)) => (a <= b, b <= a),
        };
        // Filled in place (an item is a few hundred bytes, not moved into its box).
        let mut item = Box::<SdtmItem>::default();
        if from_tu {
            item.tu = s.tu.take();
        }
        if from_tr {
            item.tr = s.tr.take();
        }
        for (domain, stream) in [(Domain::Dm, s.dm.as_mut()), (Domain::Rs, s.rs.as_mut())] {
            let Some(stream) = stream else { continue };
            while let Some(k) = stream.peek_key()? {
                if k < item.key() {
                    if let Some(g) = stream.take() {
                        send_alone(sender, domain, g);
                    }
                } else {
                    if k == item.key() {
                        *item.slot(domain) = stream.take();
                    }
                    break;
                }
            }
        }
        let rows = item.rows();
        sender.push(Item::Sdtm(item), rows);
    }
    for (domain, stream) in [(Domain::Dm, s.dm.as_mut()), (Domain::Rs, s.rs.as_mut())] {
        let Some(stream) = stream else { continue };
        while let Some(g) = stream.next_group()? {
            send_alone(sender, domain, g);
        }
    }
    finish(s)
}

/// Sends a subject's DM or RS group that has no TU or TR row as an item of its own.
fn send_alone(sender: &mut Sender, domain: Domain, g: RawGroup) {
    let rows = g.rows_total();
    sender.push(Item::Sdtm(SdtmItem::alone(domain, g)), rows);
}

fn read_in_memory(
    cfg: &BatchConfig,
    paths: &SdtmPaths<'_>,
    bytes: &Arc<AtomicU64>,
    sender: &mut Sender,
) -> Result<Vec<InputInfo>, BatchError> {
    let mut s = open(cfg, paths, false, bytes)?;
    let mut items: Vec<SdtmItem> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rows = 0u64;
    let limit = cfg.max_unsorted_rows;
    {
        let mut streams: Vec<(Domain, &mut GroupStream)> =
            vec![(Domain::Tr, &mut s.tr), (Domain::Tu, &mut s.tu)];
        if let Some(d) = s.dm.as_mut() {
            streams.push((Domain::Dm, d));
        }
        if let Some(r) = s.rs.as_mut() {
            streams.push((Domain::Rs, r));
        }
        for (domain, stream) in streams {
            while let Some(g) = stream.next_group()? {
                rows += g.rows_total();
                if rows > limit {
                    return Err(InputError::TooLargeUnsorted {
                        why: "the input is not sorted by USUBJID".into(),
                        limit,
                        file: stream.file().to_string(),
                    }
                    .into());
                }
                let i = *index.entry(g.key.clone()).or_insert_with(|| {
                    items.push(SdtmItem::default());
                    items.len() - 1
                });
                let Some(item) = items.get_mut(i) else {
                    continue;
                };
                let slot = item.slot(domain);
                match slot {
                    Some(existing) => existing.append(g),
                    None => *slot = Some(g),
                }
            }
        }
    }
    drop(index);
    for item in items {
        if sender.closed {
            break;
        }
        let rows = item.rows();
        sender.push(Item::Sdtm(Box::new(item)), rows);
    }
    finish(s)
}

/// The case files of a path: the file itself, or a directory's `*.yaml`, `*.yml`, `*.json`,
/// `*.jsonl` in name order.
pub fn case_files(path: &Path) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                // Not `is_file`: an entry that cannot be read (a dangling link, a directory or
                // a FIFO named like a case file, say) is kept, to be reported rather than
                // skipped without a word (see `regular_file`).
                .filter(|p| {
                    p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        matches!(
                            e.to_ascii_lowercase().as_str(),
                            "yaml" | "yml" | "json" | "jsonl"
                        )
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Whether a case file is a regular file (links followed), checked before it is opened:
/// opening a FIFO blocks until something writes to it, and a device (`/dev/zero`) never ends.
fn regular_file(f: &Path) -> Result<(), String> {
    let m = std::fs::metadata(f).map_err(|e| e.to_string())?;
    if m.is_file() {
        Ok(())
    } else if m.is_dir() {
        Err("a directory, not a case file".into())
    } else {
        Err("not a regular file (a FIFO, device or socket)".into())
    }
}

fn read_cases(path: &Path, bytes: &Arc<AtomicU64>, sender: &mut Sender) -> Vec<InputInfo> {
    let mut infos = Vec::new();
    if path.is_dir() && case_files(path).is_empty() {
        sender.push(
            Item::CaseFileError {
                file: path.display().to_string(),
                message: format!(
                    "{}: no case file (*.yaml, *.json, *.jsonl) in it",
                    path.display()
                ),
            },
            1,
        );
    }
    for f in case_files(path) {
        let file = f.display().to_string();
        let jsonl = f
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
        let fail = |message: String| Item::CaseFileError {
            file: file.clone(),
            message: format!("{file}: cannot read: {message}"),
        };
        let handle = match regular_file(&f)
            .and_then(|()| std::fs::File::open(&f).map_err(|e| e.to_string()))
        {
            Ok(h) => h,
            Err(e) => {
                sender.push(fail(e), 1);
                continue;
            }
        };
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut rows = 0u64;
        if jsonl {
            let mut reader = BufReader::with_capacity(1 << 16, handle);
            let mut line = Vec::new();
            let mut n = 0usize;
            let mut failed = false;
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) => break,
                    Ok(k) => {
                        n += 1;
                        size += k as u64;
                        bytes.fetch_add(k as u64, Ordering::Relaxed);
                        hasher.update(&line);
                        let text = jsonl_line(&line);
                        if text.is_ok_and(|t| t.trim().is_empty()) {
                            continue;
                        }
                        rows += 1;
                        let item = match text {
                            Ok(text) => Item::Case {
                                file: file.clone(),
                                line: n,
                                text: recist_io::CaseText::from(text.to_string()),
                                jsonl: true,
                            },
                            Err(byte) => Item::CaseLineNotUtf8 {
                                file: file.clone(),
                                line: n,
                                byte,
                            },
                        };
                        sender.push(item, 1);
                    }
                    Err(e) => {
                        sender.push(fail(format!("line {}: {e}", n + 1)), 1);
                        failed = true;
                        break;
                    }
                }
            }
            // A file of no case at all (empty, blank lines): said, not skipped.
            if rows == 0 && !failed {
                sender.push(
                    Item::CaseFileError {
                        file: file.clone(),
                        message: recist_io::CaseError::Empty { file: file.clone() }.to_string(),
                    },
                    1,
                );
            }
        } else {
            let mut raw = Vec::new();
            let mut handle = handle;
            if let Err(e) = handle.read_to_end(&mut raw) {
                sender.push(fail(e.to_string()), 1);
                continue;
            }
            size = raw.len() as u64;
            bytes.fetch_add(size, Ordering::Relaxed);
            hasher.update(&raw);
            // Bytes that are not UTF-8 refuse the document holding them, not the file.
            let text = recist_io::CaseText::from_bytes(raw);
            // Its cases: its documents, split as the reading of the cases splits them.
            rows = recist_io::case_documents(&text.text) as u64;
            // A file of no case at all (empty, comments or `---` only) is said at the file's
            // level, as a JSON Lines one is: it is no subject. (One whose comments hold bytes
            // that are not UTF-8 is refused for them by the reading.)
            let item = if rows == 0 && text.not_utf8.is_empty() {
                Item::CaseFileError {
                    file: file.clone(),
                    message: recist_io::CaseError::Empty { file: file.clone() }.to_string(),
                }
            } else {
                Item::Case {
                    file: file.clone(),
                    line: 1,
                    text,
                    jsonl: false,
                }
            };
            sender.push(item, 1);
        }
        infos.push(InputInfo {
            role: "cases".into(),
            file,
            sha256: hex(&hasher.finalize()),
            rows,
            bytes: size,
        });
    }
    infos
}

/// The key (subject, evaluator, place) of every case of one case file, numbered as
/// [`read_cases`] and `recist_io::read_case_text_keyed` number them: a YAML or JSON file read
/// whole, a JSON Lines file line by line (stopping where the reading stops). A file that
/// cannot be read has none (the reading refuses it).
pub fn case_file_keys(f: &Path) -> Vec<recist_io::CaseKey> {
    let file = f.display().to_string();
    let jsonl = f
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    let Ok(handle) =
        regular_file(f).and_then(|()| std::fs::File::open(f).map_err(|e| e.to_string()))
    else {
        return Vec::new();
    };
    if !jsonl {
        let mut raw = Vec::new();
        let mut handle = handle;
        if handle.read_to_end(&mut raw).is_err() {
            return Vec::new();
        }
        return recist_io::CaseText::from_bytes(raw).keys(&file, false);
    }
    let mut keys = Vec::new();
    let mut reader = BufReader::with_capacity(1 << 16, handle);
    let mut line = Vec::new();
    let mut n = 0usize;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                n += 1;
                // A line that is not UTF-8 names no subject (it is refused by itself).
                let Ok(text) = jsonl_line(&line) else {
                    continue;
                };
                keys.extend(
                    recist_io::case_keys(text, &file, true)
                        .into_iter()
                        .map(|mut k| {
                            k.line = n;
                            k
                        }),
                );
            }
        }
    }
    keys
}

/// The text of one JSON Lines line without its line end, or the 1-based byte where it stops
/// being UTF-8.
fn jsonl_line(line: &[u8]) -> Result<&str, usize> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    std::str::from_utf8(line).map_err(|e| e.valid_up_to() + 1)
}

/// Reads a recorded RS file into memory by USUBJID (case-file mode, where subjects come in
/// any order).
pub fn read_recorded_index(
    path: &Path,
    limit: u64,
    multiline_values: bool,
) -> Result<(HashMap<String, RawGroup>, InputInfo), BatchError> {
    let mut stream = GroupStream::open(path, &Spec::rs(), false, Arc::default())?
        .multiline_values(multiline_values);
    let mut index: HashMap<String, RawGroup> = HashMap::new();
    let mut rows = 0;
    while let Some(g) = stream.next_group()? {
        rows += g.rows_total();
        if rows > limit {
            return Err(InputError::TooLargeUnsorted {
                why: "recorded RS is read into memory with case files".into(),
                limit,
                file: path.display().to_string(),
            }
            .into());
        }
        match index.get_mut(&g.key) {
            Some(e) => e.append(g),
            None => {
                index.insert(g.key.clone(), g);
            }
        }
    }
    let file = path.display().to_string();
    let t = stream.finish()?;
    let info = InputInfo {
        role: "RS (recorded)".into(),
        file,
        sha256: t.sha256,
        rows: t.rows,
        bytes: t.bytes,
    };
    Ok((index, info))
}
