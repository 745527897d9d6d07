//! Batch re-adjudication: SDTM TU/TR (or case files) streamed through the engine in
//! parallel, with results, RS, refusals, a summary and comparisons written atomically.
//!
//! # What is written into the output directory
//! - `results.jsonl`: every result of `results.md` (subject × evaluator × rule set × scope);
//! - `rs.csv`: SDTM RS rows (TRGRESP, NTRGRESP, NEWLIND, OVRLRESP per visit; BESTRESP per
//!   subject and evaluator) of the `all` scope for each rule set given with `--rules`;
//! - `errors.jsonl`: every refused row and subject × evaluator, with file, row, subject,
//!   evaluator, lesion, visit and reason;
//! - `summary.json`: counts that reconcile (TU, TR and DM rows read = used + refused + in
//!   refused subjects (+ DM rows of subjects without tumour data); recorded RS rows read =
//!   used + refused + tests not compared + other RSCATs; subject × evaluator seen = adjudicated + refused), tallies per response, rule sets with
//!   their hashes, input hashes, a run id and the exact command;
//! - with a comparison: `discordant.jsonl`, `unmatched.jsonl` (values on one side only),
//!   `date_mismatches.jsonl` (recorded rows dated outside the scans of their visit),
//!   `comparison.json`, `comparison.md`.
//!
//! Each file is written under a temporary name and renamed when complete; `summary.json` is
//! removed first and written last, so the outputs are complete exactly when it exists.
//!
//! # Streaming and memory
//! SDTM input sorted by USUBJID (byte order: the usual SDTM sort) is read in one pass: TU, TR
//! (and DM, RS) advance together subject by subject, and only the subjects in flight are held:
//! a chunk of `chunk_subjects` subjects (1024 by default) being adjudicated, one being read and
//! up to two chunks queued between them — so memory is bounded by a few thousand subjects,
//! never by the file. A USUBJID smaller than the one before it means the input is not sorted:
//! the pass stops, the outputs are started over, and every file is read into memory grouped by
//! USUBJID (about 340 bytes per row: the raw fields, their offsets and the grouping; see
//! docs/batch.md), refused beyond `max_unsorted_rows` rows. Output order is always input order (subjects as first met in TR,
//! then subjects only in TU), so outputs are byte-identical whatever the thread count.
//!
//! # Run id
//! `summary.json`'s `run_id` is a UUID v5 over the command, the SHA-256 of every input file,
//! the mapping sources and the rule sets' hashes: re-running the same command on the same data
//! gives the same id (and byte-identical outputs).

mod compare;
mod output;
mod progress;
mod result_json;
mod source;

pub mod cli;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use recist_engine::{AdjudicationError, AssessOptions, Spare, assess_subject_reusing};
use recist_io::CaseError;
use recist_model::{
    NewLesions, NonTargetResponse, OverallResponse, Scope, Subject, SubjectResult, TargetResponse,
    push_int,
};
use recist_rules::RuleSet;
use recist_sdtm::{
    EvalKey, Files, InputError, Mapping, MappingError, PartialDates, Place, RawGroup, ReadOptions,
    RecordedCategory, RecordedRow, RecordedRows, RowCount, RsTest, RsUnit, RsVisit, SdtmError,
    TestKind, bestresp, build_subject, newlind, read_recorded, visit_name, write_rs_noting,
};
use serde_json::{Value, json};

pub use compare::{ComparePair, CompareTally, Reference};
pub use progress::ProgressMode;

use crate::compare::UnitId;
use crate::output::{AtomicFile, write_atomic};
use crate::source::{InputInfo, Item, SdtmItem};

/// Why a run stopped (refused subjects and rows do not stop a run).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// An input file is unusable.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The mapping file is unusable.
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// Reading or writing a file failed.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

impl BatchError {
    fn io(path: &Path, source: std::io::Error) -> BatchError {
        BatchError::Io {
            file: path.display().to_string(),
            source,
        }
    }
}

/// The data to adjudicate.
#[derive(Debug, Clone)]
pub enum Input {
    /// SDTM domains.
    Sdtm {
        /// TU CSV.
        tu: PathBuf,
        /// TR CSV.
        tr: PathBuf,
        /// DM CSV, for reference dates.
        dm: Option<PathBuf>,
    },
    /// Case files: a directory (`*.yaml`, `*.yml`, `*.json`, `*.jsonl`) or one file.
    Cases(PathBuf),
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct BatchConfig {
    /// The data.
    pub input: Input,
    /// Rule sets whose results go to `results.jsonl` and `rs.csv`.
    pub rule_sets: Vec<RuleSet>,
    /// Rule sets compared with `rule_sets` pairwise (same length, or empty).
    pub against: Vec<RuleSet>,
    /// Recorded RS to compare with.
    pub recorded: Option<PathBuf>,
    /// Output directory.
    pub out: PathBuf,
    /// The SDTM mapping.
    pub mapping: Mapping,
    /// Partial dates: refused or imputed.
    pub partial_dates: PartialDates,
    /// Subjects per parallel chunk.
    pub chunk_subjects: usize,
    /// Largest unsorted input (rows of all files) read into memory.
    pub max_unsorted_rows: u64,
    /// Worker threads (rayon's default when `None`).
    pub threads: Option<usize>,
    /// Progress display.
    pub progress: ProgressMode,
    /// The command, recorded in the summary and the run id.
    pub command: String,
    /// STUDYID for RS rows of case files.
    pub studyid: String,
    /// Whether results carry the prose `explanations` of each follow-up timepoint. Off by
    /// default: every other field (responses, sums, percentages, `reasons`) is written
    /// either way, and the prose roughly triples `results.jsonl`. Any comparison (recorded
    /// RS or `against` rule sets) turns them on, as `discordant.jsonl` prints them.
    pub explanations: bool,
    /// Whether quoted CSV values may hold line ends. Off by default: SDTM values are one
    /// line, and a record running over several lines is read as a quote left open, its first
    /// line refused alone and the lines after it read as rows (one stray `"` would otherwise
    /// make every row up to the next quote one row).
    pub multiline_values: bool,
}

impl BatchConfig {
    /// A configuration with the defaults: the bundled mapping, partial dates refused, chunks of
    /// 1024 subjects, at most 5 million unsorted rows in memory, progress off.
    pub fn new(input: Input, rule_sets: Vec<RuleSet>, out: PathBuf) -> Result<Self, BatchError> {
        Ok(BatchConfig {
            input,
            rule_sets,
            against: Vec::new(),
            recorded: None,
            out,
            mapping: Mapping::bundled()?,
            partial_dates: PartialDates::Refuse,
            chunk_subjects: 1024,
            max_unsorted_rows: 5_000_000,
            threads: None,
            progress: ProgressMode::Off,
            command: String::new(),
            studyid: String::new(),
            explanations: false,
            multiline_values: false,
        })
    }

    /// Whether this run writes explanations: when asked for, and whenever it compares.
    pub fn explanations_on(&self) -> bool {
        self.explanations || self.recorded.is_some() || !self.against.is_empty()
    }

    /// The engine's options for this run.
    fn assess_options(&self) -> AssessOptions {
        AssessOptions {
            explanations: self.explanations_on(),
        }
    }
}

/// Counts per rule set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetTally {
    /// Subject × evaluator adjudicated.
    pub adjudicated: u64,
    /// Subject × evaluator refused (while reading, or by the engine under this rule set).
    pub refused: u64,
    /// Results written (every scope).
    pub results: u64,
    /// Per RS test, value → count (the `all` scope).
    pub responses: BTreeMap<RsTest, BTreeMap<String, u64>>,
    /// The same counts while a piece is processed, by test and value (no key to allocate or
    /// compare per response); folded into `responses` when the piece is merged.
    counts: ResponseCounts,
}

/// Responses counted by test ([`RsTest::ALL`] order) and value (its position in the
/// vocabulary's `ALL`, which is its declaration order).
#[derive(Debug, Clone, Default, PartialEq)]
struct ResponseCounts([[u64; ResponseCounts::VALUES]; 5]);

impl ResponseCounts {
    /// Room for every value of the largest vocabulary (overall responses, iRECIST's
    /// included).
    const VALUES: usize = 12;

    fn add(&mut self, test: RsTest, value: usize) {
        if let Some(n) = self.0.get_mut(test as usize).and_then(|c| c.get_mut(value)) {
            *n += 1;
        }
    }

    /// The value at `value` of `test`'s vocabulary, as written in rs.csv.
    fn name(test: RsTest, value: usize) -> Option<&'static str> {
        match test {
            RsTest::Trgresp => TargetResponse::ALL.get(value).map(|x| x.as_str()),
            RsTest::Ntrgresp => NonTargetResponse::ALL.get(value).map(|x| x.as_str()),
            RsTest::Newlind => NewLesions::ALL.get(value).map(|x| newlind(*x)),
            RsTest::Ovrlresp | RsTest::Bestresp => {
                OverallResponse::ALL.get(value).map(|x| x.as_str())
            }
        }
    }

    /// Adds these counts to `into` (allocating a key only the first time it is met).
    fn fold_into(&self, into: &mut BTreeMap<RsTest, BTreeMap<String, u64>>) {
        for test in RsTest::ALL {
            let Some(counts) = self.0.get(test as usize) else {
                continue;
            };
            for (i, &n) in counts.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                let Some(v) = ResponseCounts::name(test, i) else {
                    continue;
                };
                let m = into.entry(test).or_default();
                match m.get_mut(v) {
                    Some(c) => *c += n,
                    None => {
                        m.insert(v.to_string(), n);
                    }
                }
            }
        }
    }
}

/// Counts of a run, merged in input order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// USUBJIDs (or case subjects) with tumour data.
    pub subjects_seen: u64,
    /// Subjects whose every evaluator was adjudicated by every rule set.
    pub subjects_adjudicated: u64,
    /// Subjects with at least one refusal.
    pub subjects_refused: u64,
    /// Subject × evaluator units seen.
    pub units_seen: u64,
    /// Units adjudicated by every rule set.
    pub units_adjudicated: u64,
    /// Units refused (while reading, or by the engine under some rule set).
    pub units_refused: u64,
    /// Units refused while reading the data.
    pub units_refused_reading: u64,
    /// Units refused by the engine under at least one rule set.
    pub units_refused_engine: u64,
    /// TU rows.
    pub tu: RowCount,
    /// TR rows.
    pub tr: RowCount,
    /// DM rows (besides those of subjects with no readable TU or TR row).
    pub dm: RowCount,
    /// Readable DM rows of subjects with no readable TU or TR row.
    pub dm_rows_without_tumour_data: u64,
    /// Subjects in DM with no TU or TR row.
    pub dm_only_subjects: u64,
    /// Recorded RS rows read.
    pub recorded_rows: u64,
    /// Recorded RS rows read for comparison (of a test recist writes, and of a compared
    /// `RSCAT` or none).
    pub recorded_used: u64,
    /// Recorded RS rows refused by themselves (malformed, not UTF-8, no subject, bad RSDTC,
    /// a response not of its test's vocabulary, a record given by several rows).
    pub recorded_refused: u64,
    /// Recorded RS rows of tests recist does not compare.
    pub recorded_skipped: u64,
    /// Recorded RS rows whose `RSCAT` is none of the compared rule sets' (not compared).
    pub recorded_other_category: u64,
    /// Subjects in recorded RS with no TU or TR row.
    pub recorded_only_subjects: u64,
    /// Case-file subjects read (or refused).
    pub cases: u64,
    /// Rows refused with no subject to attribute them to.
    pub unattributed_rows: u64,
    /// Per rule set (primary then compared).
    pub per_set: Vec<SetTally>,
    /// Per comparison.
    pub compare: Vec<CompareTally>,
}

impl Tally {
    fn new(sets: usize, pairs: usize) -> Tally {
        Tally {
            per_set: vec![SetTally::default(); sets],
            compare: vec![CompareTally::default(); pairs],
            ..Tally::default()
        }
    }

    /// Whether DM rows reconcile: `read = used + refused + in_refused_subjects +
    /// in_subjects_without_tumour_data`.
    fn dm_reconciles(&self) -> bool {
        let d = &self.dm;
        d.read == d.used + d.refused + d.in_refused_subjects + self.dm_rows_without_tumour_data
    }

    /// Whether recorded RS rows reconcile: `read = used + refused + tests_not_compared +
    /// other_category`.
    fn recorded_reconciles(&self) -> bool {
        self.recorded_rows
            == self.recorded_used
                + self.recorded_refused
                + self.recorded_skipped
                + self.recorded_other_category
    }

    /// Counts a subject's recorded RS rows; returns the refused ones' error lines.
    fn count_recorded(&mut self, g: &RawGroup, r: &RecordedRows, out: &mut Vec<u8>) -> u64 {
        self.recorded_rows += g.rows_total();
        self.recorded_used += r.rows.len() as u64;
        self.recorded_skipped += r.not_compared;
        self.recorded_other_category += r.other_category;
        self.recorded_refused += r.refused.len() as u64;
        for e in &r.refused {
            if e.place.subject.is_none() {
                self.unattributed_rows += 1;
            }
            push_json(out, &sdtm_error_value("row", e));
        }
        r.refused.len() as u64
    }

    /// Counts a subject × evaluator the engine adjudicated (`ok`) or refused.
    fn count_engine_outcome(&mut self, ok: bool) {
        if ok {
            self.units_adjudicated += 1;
        } else {
            self.units_refused += 1;
            self.units_refused_engine += 1;
        }
    }

    fn merge(&mut self, o: &Tally) {
        macro_rules! add {
            ($($field:ident),*) => {
                $(self.$field += o.$field;)*
            };
        }
        add!(
            subjects_seen,
            subjects_adjudicated,
            subjects_refused,
            units_seen,
            units_adjudicated,
            units_refused,
            units_refused_reading,
            units_refused_engine
        );
        self.tu.add(&o.tu);
        self.tr.add(&o.tr);
        self.dm.add(&o.dm);
        add!(
            dm_rows_without_tumour_data,
            dm_only_subjects,
            recorded_rows,
            recorded_used,
            recorded_refused,
            recorded_skipped,
            recorded_other_category,
            recorded_only_subjects,
            cases,
            unattributed_rows
        );
        for (a, b) in self.per_set.iter_mut().zip(&o.per_set) {
            a.adjudicated += b.adjudicated;
            a.refused += b.refused;
            a.results += b.results;
            compare::add_counts(&mut a.responses, &b.responses);
            b.counts.fold_into(&mut a.responses);
        }
        for (a, b) in self.compare.iter_mut().zip(&o.compare) {
            a.merge(b);
        }
    }
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// The counts.
    pub tally: Tally,
    /// `summary.json` as written.
    pub summary: Value,
    /// Lines of `errors.jsonl`.
    pub errors: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl BatchReport {
    /// Exit status of `results.md`: 0 when nothing was refused, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.errors > 0)
    }
}

/// One item's outputs, produced in parallel and written in input order.
#[derive(Default)]
struct Piece {
    results: Vec<u8>,
    results_n: u64,
    rs: Vec<u8>,
    rs_n: u64,
    errors: Vec<u8>,
    errors_n: u64,
    /// Comparisons' discordant and one-sided values.
    compared: compare::CompareLines,
    tally: Tally,
    /// Case mode: (subject, evaluator, adjudicated, visits) of units seen, for distinct
    /// subject counts and unmatched recorded rows; the visits of a unit read from its case
    /// when recorded RS has rows of its subject, for reading them as the case did.
    case_units: Vec<CaseUnit>,
    /// Case mode: the RS rows of cases whose subject has other cases, in `rs` order, for
    /// the writer to continue the subject's run of RSSEQ over them.
    rs_cases: Vec<CaseRs>,
    /// Allocations of results already written, for the next subject's results.
    spare: Spare,
}

/// A subject × evaluator of case files: subject, evaluator, whether it was adjudicated, and
/// its visits when recorded RS has rows of its subject.
type CaseUnit = (String, EvalKey, bool, Option<Vec<RsVisit>>);

struct Ctx<'a> {
    cfg: &'a BatchConfig,
    sets: Vec<&'a RuleSet>,
    primary: usize,
    pairs: Vec<ComparePair>,
    files: Files,
    recorded_file: String,
    /// The `RSCAT`s (upper-cased) recorded RS is compared under.
    recorded_cats: Vec<RecordedCategory>,
    opts: ReadOptions,
    /// Case mode: recorded RS by USUBJID.
    recorded_index: HashMap<String, RawGroup>,
    /// Case mode: every subject × evaluator with more than one case, with the evaluator as
    /// its first case writes it and the (file, line) of each case.
    duplicates: HashMap<(String, EvalKey), Duplicate>,
    /// Case mode: subjects with cases of several evaluators, whose RS rows share one run of
    /// RSSEQ across cases (see [`CaseRs`]).
    multi_case_subjects: HashSet<String>,
}

/// RSSEQ while a subject × evaluator's RS rows are written: the last one written, and (for a
/// case whose subject has other cases) where each row's RSSEQ is in the piece's `rs`.
#[derive(Default)]
struct RsSeq {
    last: u32,
    at: Option<Vec<usize>>,
}

/// The RS rows of one case whose subject has other cases: written with RSSEQ from 1, and
/// renumbered by the writer to follow the subject's rows already written ([`shift_rsseq`]),
/// so that RSSEQ runs per USUBJID whichever piece or thread each case went to.
struct CaseRs {
    subject: String,
    rows: u32,
    seq_at: Vec<usize>,
}

/// `rs` with each case's RSSEQs moved past the rows its subject already has in `runs`
/// (which then counts these rows too).
fn shift_rsseq(rs: &[u8], cases: &[CaseRs], runs: &mut HashMap<String, u32>) -> Vec<u8> {
    let mut out = Vec::with_capacity(rs.len() + 64);
    let mut pos = 0;
    for c in cases {
        let run = runs.entry(c.subject.clone()).or_insert(0);
        for &at in &c.seq_at {
            let digits = rs
                .get(at..)
                .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count());
            let (Some(before), Some(number)) = (rs.get(pos..at), rs.get(at..at + digits)) else {
                continue;
            };
            let n = number.iter().fold(0u64, |n, d| {
                n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            });
            out.extend_from_slice(before);
            push_int(
                &mut out,
                i64::try_from(n.saturating_add(u64::from(*run))).unwrap_or(i64::MAX),
            );
            pos = at + digits;
        }
        *run = run.saturating_add(c.rows);
    }
    out.extend_from_slice(rs.get(pos..).unwrap_or_default());
    out
}

/// The cases of one subject × evaluator found more than once (case mode).
struct Duplicate {
    evaluator: Option<String>,
    places: Vec<(String, usize)>,
}

/// Finds, before any case is read, every subject × evaluator with cases in several places
/// (`case-format.md`: a subject is unique within a data set), so that all of them are
/// refused rather than each adjudicated on its own; and the subjects with cases of several
/// evaluators, whose RS rows share one run of RSSEQ.
fn find_duplicates(
    path: &Path,
    mapping: &Mapping,
    pool: &rayon::ThreadPool,
) -> (HashMap<(String, EvalKey), Duplicate>, HashSet<String>) {
    let files = source::case_files(path);
    let keys: Vec<Vec<recist_io::CaseKey>> = pool.install(|| {
        files
            .par_iter()
            .map(|f| source::case_file_keys(f))
            .collect()
    });
    let mut units: HashMap<(String, EvalKey), Duplicate> = HashMap::new();
    for k in keys.into_iter().flatten() {
        let eval = EvalKey::from_label(k.evaluator.as_deref().unwrap_or(""), mapping);
        units
            .entry((k.subject, eval))
            .or_insert_with(|| Duplicate {
                evaluator: k.evaluator,
                places: Vec::new(),
            })
            .places
            .push((k.file, k.line));
    }
    let mut evaluators: HashMap<&str, u32> = HashMap::new();
    for (subject, _) in units.keys() {
        *evaluators.entry(subject.as_str()).or_insert(0) += 1;
    }
    let multi: HashSet<String> = evaluators
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(s, _)| s.to_string())
        .collect();
    units.retain(|_, d| d.places.len() > 1);
    (units, multi)
}

fn push_json(out: &mut Vec<u8>, v: &Value) {
    if serde_json::to_writer(&mut *out, v).is_ok() {
        out.push(b'\n');
    }
}

fn error_value(
    level: &str,
    place: &Place,
    code: &str,
    reason: &str,
    rule_set: Option<&str>,
) -> Value {
    json!({
        "level": level,
        "file": place.file,
        "row": place.row,
        "subject": place.subject,
        "evaluator": place.evaluator,
        "lesion": place.lesion,
        "visit": place.visit,
        "rule_set": rule_set,
        "code": code,
        "reason": reason,
    })
}

fn sdtm_error_value(level: &str, e: &SdtmError) -> Value {
    error_value(level, &e.place, e.problem.code(), &e.to_string(), None)
}

/// The files only a comparison writes.
const COMPARISON_FILES: [&str; 5] = [
    "discordant.jsonl",
    "unmatched.jsonl",
    "date_mismatches.jsonl",
    "comparison.json",
    "comparison.md",
];

fn engine_place(e: &AdjudicationError) -> (Option<chrono::NaiveDate>, Option<String>) {
    match e {
        AdjudicationError::Baseline { date, lesion, .. }
        | AdjudicationError::Assessment { date, lesion, .. } => (Some(*date), lesion.clone()),
        AdjudicationError::Malformed { lesion, .. } => (None, lesion.clone()),
        _ => (None, None),
    }
}

impl Ctx<'_> {
    fn pair_rows<'r>(&self, pair: &ComparePair, rows: &[&'r RecordedRow]) -> Vec<&'r RecordedRow> {
        match &pair.reference {
            Reference::Recorded { rscat, .. } => rows
                .iter()
                .filter(|r| r.cat.is_empty() || r.cat == *rscat)
                .copied()
                .collect(),
            Reference::RuleSet(_) => Vec::new(),
        }
    }

    /// Adjudicates one built subject under every rule set and renders its outputs.
    #[allow(clippy::too_many_arguments)]
    fn adjudicate(
        &self,
        p: &mut Piece,
        subject: &Subject,
        unit_ids: (&str, &EvalKey, &str),
        visits: &[RsVisit],
        extra_warnings: &[String],
        recorded_sums: &[Option<(recist_model::Mm, u64)>],
        rsseq: &mut RsSeq,
        recorded: &[&RecordedRow],
        place_of: &dyn Fn(&AdjudicationError) -> Place,
    ) -> bool {
        let (studyid, eval, label) = unit_ids;
        let mut ok = true;
        let mut by_set: Vec<Option<SubjectResult>> = Vec::with_capacity(self.sets.len());
        for (si, rules) in self.sets.iter().enumerate() {
            match assess_subject_reusing(rules, subject, self.cfg.assess_options(), &mut p.spare) {
                Ok(results) => {
                    let t = &mut p.tally.per_set[si];
                    t.adjudicated += 1;
                    let mut all = None;
                    for mut r in results {
                        r.warnings.extend(extra_warnings.iter().cloned());
                        if r.scope == Scope::All {
                            for (i, tp) in r.timepoints.iter().enumerate() {
                                if let (Some((rec, row)), Some(sum)) =
                                    (recorded_sums.get(i).copied().flatten(), tp.sum_mm)
                                    && rec != sum
                                {
                                    let w = format!(
                                        "{}: recorded SUMDIAM {rec} mm (row {row}) differs from the sum of the recorded diameters, {sum} mm",
                                        visits.iter().find(|v| v.date == tp.date).map_or_else(
                                            || tp.date.to_string(),
                                            |v| {
                                                if v.visit.is_empty() {
                                                    tp.date.to_string()
                                                } else {
                                                    v.visit.clone()
                                                }
                                            }
                                        )
                                    );
                                    r.warnings.push(w);
                                }
                            }
                        }
                        #[cfg(test)]
                        if tests::SERDE_RESULTS.load(Ordering::Relaxed) {
                            let _ = serde_json::to_writer(&mut p.results, &r);
                        } else {
                            result_json::write_result(&mut p.results, &r);
                        }
                        #[cfg(not(test))]
                        result_json::write_result(&mut p.results, &r);
                        p.results.push(b'\n');
                        p.results_n += 1;
                        t.results += 1;
                        if r.scope == Scope::All {
                            all = Some(r);
                        } else {
                            p.spare.recycle(r);
                        }
                    }
                    if let Some(r) = &all {
                        let best = bestresp(rules, r);
                        let c = &mut t.counts;
                        for tp in &r.timepoints {
                            let Some(f) = &tp.follow_up else { continue };
                            if let Some(x) = f.target {
                                c.add(RsTest::Trgresp, x as usize);
                            }
                            if let Some(x) = f.non_target {
                                c.add(RsTest::Ntrgresp, x as usize);
                            }
                            c.add(RsTest::Newlind, f.new_lesions as usize);
                            c.add(RsTest::Ovrlresp, f.overall as usize);
                        }
                        if let Some(b) = best {
                            c.add(RsTest::Bestresp, b as usize);
                        }
                        if si < self.primary {
                            let unit = RsUnit {
                                studyid,
                                usubjid: &subject.subject,
                                eval: &eval.eval,
                                evalid: &eval.evalid,
                                rscat: &rules.doc().rscat,
                                visits,
                            };
                            let RsSeq { last, at } = rsseq;
                            p.rs_n += write_rs_noting(&mut p.rs, last, &unit, r, best, |i| {
                                if let Some(at) = at.as_mut() {
                                    at.push(i);
                                }
                            }) as u64;
                        }
                    }
                    by_set.push(all);
                }
                Err(e) => {
                    ok = false;
                    p.tally.per_set[si].refused += 1;
                    let place = place_of(&e);
                    // The engine's message names the subject, date and lesion itself.
                    let at = Place {
                        file: place.file.clone(),
                        row: place.row,
                        evaluator: place.evaluator.clone(),
                        ..Place::default()
                    };
                    let v = error_value(
                        "subject",
                        &place,
                        "engine",
                        &format!("{at}: {e} [{}]", rules.doc().id),
                        Some(&rules.doc().id),
                    );
                    push_json(&mut p.errors, &v);
                    p.errors_n += 1;
                    by_set.push(None);
                }
            }
        }
        let id = UnitId {
            subject: &subject.subject,
            evaluator: label,
            visits,
        };
        for (pi, pair) in self.pairs.iter().enumerate() {
            let tally = &mut p.tally.compare[pi];
            let cand = by_set.get(pair.candidate).and_then(Option::as_ref);
            let cand_rules = self.sets[pair.candidate];
            match &pair.reference {
                Reference::Recorded { .. } => {
                    let rows = self.pair_rows(pair, recorded);
                    match cand {
                        Some(r) => {
                            compare::compare_recorded(
                                (pi, pair),
                                tally,
                                &mut p.compared,
                                &id,
                                &rows,
                                &self.recorded_file,
                                cand_rules,
                                r,
                                bestresp(cand_rules, r),
                            );
                        }
                        None => compare::count_refused(tally, rows.len() as u64),
                    }
                }
                Reference::RuleSet(ri) => {
                    let refr = by_set.get(*ri).and_then(Option::as_ref);
                    let ref_rules = self.sets[*ri];
                    if let (Some(a), Some(b)) = (refr, cand) {
                        compare::compare_results(
                            (pi, pair),
                            tally,
                            &mut p.compared,
                            &id,
                            (ref_rules, a, bestresp(ref_rules, a)),
                            (cand_rules, b, bestresp(cand_rules, b)),
                        );
                    } else {
                        // One or both refused the unit: counted, never dropped.
                        compare::count_refused_by_rule_set(
                            tally,
                            refr.map(|a| (a, bestresp(ref_rules, a))),
                            cand.map(|b| (b, bestresp(cand_rules, b))),
                        );
                    }
                }
            }
        }
        for r in by_set.into_iter().flatten() {
            p.spare.recycle(r);
        }
        ok
    }

    /// Recorded rows of `subject` that no subject × evaluator holds: on the reference side
    /// only of each comparison with recorded RS.
    fn reference_only(&self, p: &mut Piece, subject: &str, rows: &[&RecordedRow]) {
        for (pi, pair) in self.pairs.iter().enumerate() {
            let rows = self.pair_rows(pair, rows);
            compare::reference_only_rows(
                (pi, pair),
                &mut p.tally.compare[pi],
                &mut p.compared,
                subject,
                &rows,
                &self.recorded_file,
            );
        }
    }

    fn refuse_unit_everywhere(&self, p: &mut Piece, recorded: &[&RecordedRow]) {
        for t in &mut p.tally.per_set {
            t.refused += 1;
        }
        for (pi, pair) in self.pairs.iter().enumerate() {
            let tally = &mut p.tally.compare[pi];
            match pair.reference {
                Reference::Recorded { .. } => {
                    let n = self.pair_rows(pair, recorded).len() as u64;
                    compare::count_refused(tally, n);
                }
                Reference::RuleSet(_) => compare::count_refused_by_rule_set(tally, None, None),
            }
        }
    }

    /// Processes consecutive items into one piece: their outputs in order, their counts
    /// summed (one set of buffers and one tally per run of items, not per subject); each item
    /// is freed as soon as it is processed.
    ///
    /// The results and rs buffers come from `spare` (buffers the writer is done with) when
    /// it has some, so output is serialised into memory already allocated and touched.
    fn process_run(&self, items: Vec<Item>, spare: &SpareBuffers) -> Piece {
        let (results, rs) = spare.take().unwrap_or_else(|| {
            (
                Vec::with_capacity(items.len() * 6144),
                Vec::with_capacity(items.len() * 3072),
            )
        });
        let mut p = Piece {
            results,
            rs,
            tally: Tally::new(self.sets.len(), self.pairs.len()),
            ..Piece::default()
        };
        for mut item in items {
            self.process(&mut p, &mut item);
        }
        p
    }

    fn process(&self, p: &mut Piece, item: &mut Item) {
        match item {
            Item::Sdtm(s) => {
                for g in [&mut s.tu, &mut s.tr, &mut s.dm, &mut s.rs]
                    .into_iter()
                    .flatten()
                {
                    g.decode();
                }
                self.process_sdtm(p, s);
            }
            Item::Case {
                file,
                line,
                text,
                jsonl,
            } => self.process_cases(p, file, *line, text, *jsonl),
            Item::CaseLineNotUtf8 { file, line, byte } => {
                p.tally.cases += 1;
                let place = Place {
                    file: std::mem::take(file),
                    row: Some(*line as u64),
                    ..Place::default()
                };
                let message = format!("{place}: byte {byte}: not valid UTF-8");
                self.refuse_unreadable_case(p, &place, &message, None);
            }
            Item::CaseFileError { file, message } => {
                let place = Place {
                    file: std::mem::take(file),
                    ..Place::default()
                };
                push_json(
                    &mut p.errors,
                    &error_value("file", &place, "unreadable-file", message, None),
                );
                p.errors_n += 1;
            }
        }
    }

    /// Reads a subject's recorded RS rows; `visits` gives the engine's visits of each of its
    /// evaluators that has them.
    fn read_rs<'g>(
        &self,
        s: &'g SdtmItem,
        visits: recist_sdtm::VisitsOf<'_>,
    ) -> Option<(&'g RawGroup, RecordedRows)> {
        s.rs.as_ref().map(|g| {
            let r = read_recorded(
                g,
                &self.recorded_file,
                &self.cfg.mapping,
                self.cfg.partial_dates,
                &self.recorded_cats,
                visits,
            );
            (g, r)
        })
    }

    fn process_sdtm(&self, p: &mut Piece, s: &SdtmItem) {
        // Refused recorded rows are reported after the subject's TU, TR and DM rows.
        let report_recorded = |p: &mut Piece, rec: &Option<(&RawGroup, RecordedRows)>| {
            if let Some((g, r)) = rec {
                p.errors_n += p.tally.count_recorded(g, r, &mut p.errors);
            }
        };
        let no_tumour_data = s.tu.is_none() && s.tr.is_none();
        if no_tumour_data {
            // A group of rows of no subject (no key) is not a subject.
            let t = &mut p.tally;
            if s.rs.is_some() && !s.key().is_empty() {
                t.recorded_only_subjects += 1;
            } else if s.dm.is_some() && !s.key().is_empty() {
                t.dm_only_subjects += 1;
            }
            if s.dm.is_none() {
                let rec = self.read_rs(s, &|_| None);
                if let Some((_, r)) = &rec {
                    let all: Vec<&RecordedRow> = r.rows.iter().collect();
                    self.reference_only(p, s.key(), &all);
                }
                report_recorded(p, &rec);
                return;
            }
        }
        // DM rows alone are read too, so their bad rows are reported and counted.
        let mut b = build_subject(
            s.key(),
            s.tu.as_ref(),
            s.tr.as_ref(),
            s.dm.as_ref(),
            &self.files,
            &self.cfg.mapping,
            self.opts,
        );
        let t = &mut p.tally;
        t.tu.add(&b.tu_rows);
        t.tr.add(&b.tr_rows);
        t.dm.add(&b.dm_rows);
        if b.units.is_empty() {
            t.dm_rows_without_tumour_data += b.dm_rows.read - b.dm_rows.refused;
        }
        for e in &b.row_errors {
            if e.place.subject.is_none() {
                t.unattributed_rows += 1;
            }
            push_json(&mut p.errors, &sdtm_error_value("row", e));
            p.errors_n += 1;
        }
        // The visits of each subject × evaluator built (their names move to RS: errors name
        // visits from there), so that recorded rows are read against the visits they name.
        let unit_visits: Vec<Option<Vec<RsVisit>>> = b
            .units
            .iter_mut()
            .map(|unit| {
                let built = unit.outcome.as_mut().ok()?;
                Some(
                    built
                        .visits
                        .iter_mut()
                        .map(|v| RsVisit {
                            visit: std::mem::take(&mut v.visit),
                            visitnum: std::mem::take(&mut v.visitnum),
                            date: v.date,
                            last_scan: v.last_date,
                            dtc: v.date_collected.take(),
                        })
                        .collect(),
                )
            })
            .collect();
        let rec = {
            let units = &b.units;
            let visits_of = |e: &EvalKey| {
                let i = units.iter().position(|u| u.evaluator == *e)?;
                unit_visits.get(i)?.as_deref()
            };
            self.read_rs(s, &visits_of)
        };
        let recorded: &[RecordedRow] = rec.as_ref().map_or(&[], |(_, r)| &r.rows);
        let all: Vec<&RecordedRow> = recorded.iter().collect();
        if no_tumour_data && !all.is_empty() {
            self.reference_only(p, s.key(), &all);
        }
        report_recorded(p, &rec);
        if b.units.is_empty() {
            // No row of the subject could be read (malformed, not UTF-8, or its USUBJID not
            // UTF-8), so no evaluator is known: the subject is still seen, and refused, and
            // its recorded rows are those of a refused subject.
            if b.row_errors.iter().any(|e| e.place.subject.is_some()) {
                p.tally.subjects_seen += 1;
                p.tally.subjects_refused += 1;
                if !no_tumour_data {
                    for (pi, pair) in self.pairs.iter().enumerate() {
                        let n = self.pair_rows(pair, &all).len() as u64;
                        compare::count_refused(&mut p.tally.compare[pi], n);
                    }
                }
            } else if !no_tumour_data && !all.is_empty() {
                self.reference_only(p, s.key(), &all);
            }
            return;
        }
        p.tally.subjects_seen += 1;
        let mut all_ok = true;
        let mut rsseq = RsSeq::default();
        let mut matched = vec![false; recorded.len()];
        for (ui, unit) in b.units.iter_mut().enumerate() {
            p.tally.units_seen += 1;
            let rows: Vec<&RecordedRow> = recorded
                .iter()
                .enumerate()
                .filter(|(_, r)| r.eval == unit.evaluator)
                .map(|(i, r)| {
                    matched[i] = true;
                    r
                })
                .collect();
            match &mut unit.outcome {
                Err(problems) => {
                    all_ok = false;
                    p.tally.units_refused += 1;
                    p.tally.units_refused_reading += 1;
                    self.refuse_unit_everywhere(p, &rows);
                    let Some(first) = problems.first() else {
                        continue;
                    };
                    let label = unit.evaluator.label();
                    let mut v = sdtm_error_value("subject", first);
                    if let Value::Object(m) = &mut v {
                        m.insert("evaluator".into(), json!(label));
                        m.insert(
                            "problems".into(),
                            Value::Array(
                                problems
                                    .iter()
                                    .map(|e| {
                                        json!({
                                            "file": e.place.file,
                                            "row": e.place.row,
                                            "lesion": e.place.lesion,
                                            "visit": e.place.visit,
                                            "code": e.problem.code(),
                                            "reason": e.problem.to_string(),
                                        })
                                    })
                                    .collect(),
                            ),
                        );
                    }
                    push_json(&mut p.errors, &v);
                    p.errors_n += 1;
                }
                Ok(built) => {
                    let visits: &[RsVisit] = unit_visits
                        .get(ui)
                        .and_then(Option::as_deref)
                        .unwrap_or(&[]);
                    let built = &*built;
                    // The subject's evaluator is the unit's label (computed only without it).
                    let own_label;
                    let label = match built.subject.evaluator.as_deref() {
                        Some(l) => l,
                        None => {
                            own_label = unit.evaluator.label();
                            own_label.as_str()
                        }
                    };
                    let sums: Vec<_> = built.visits.iter().map(|v| v.recorded_sum).collect();
                    let tr_file = &self.files.tr;
                    let place_of = |e: &AdjudicationError| {
                        let (date, lesion) = engine_place(e);
                        Place {
                            file: tr_file.clone(),
                            row: date.and_then(|d| built.row_of(d, lesion.as_deref())),
                            subject: Some(unit.subject.clone()),
                            evaluator: Some(label.to_string()),
                            lesion,
                            visit: date.and_then(|d| {
                                let v = visits.iter().find(|v| v.date == d)?;
                                Some(visit_name(&v.visit, &v.visitnum, v.date))
                            }),
                        }
                    };
                    let ok = self.adjudicate(
                        p,
                        &built.subject,
                        (&unit.studyid, &unit.evaluator, label),
                        visits,
                        &built.warnings,
                        &sums,
                        &mut rsseq,
                        &rows,
                        &place_of,
                    );
                    p.tally.count_engine_outcome(ok);
                    all_ok &= ok;
                }
            }
        }
        let leftover: Vec<&RecordedRow> = recorded
            .iter()
            .enumerate()
            .filter(|(i, _)| !matched[*i])
            .map(|(_, r)| r)
            .collect();
        if !leftover.is_empty() {
            self.reference_only(p, s.key(), &leftover);
        }
        if all_ok {
            p.tally.subjects_adjudicated += 1;
        } else {
            p.tally.subjects_refused += 1;
        }
    }

    /// A case that could not be read (not UTF-8, not JSON or YAML, not a valid case): one
    /// subject × evaluator seen and refused while reading, named by its subject when known,
    /// else by `file:line`, and by its evaluator (`eval`) when its key reads plainly.
    fn refuse_unreadable_case(
        &self,
        p: &mut Piece,
        place: &Place,
        message: &str,
        eval: Option<EvalKey>,
    ) {
        for t in &mut p.tally.per_set {
            t.refused += 1;
        }
        p.tally.units_seen += 1;
        p.tally.units_refused += 1;
        p.tally.units_refused_reading += 1;
        let key = eval.unwrap_or_else(|| EvalKey::new("", "", &self.cfg.mapping));
        let subject = place
            .subject
            .clone()
            .unwrap_or_else(|| format!("{}:{}", place.file, place.row.unwrap_or(0)));
        p.case_units.push((subject, key, false, None));
        push_json(
            &mut p.errors,
            &error_value("subject", place, "invalid-case", message, None),
        );
        p.errors_n += 1;
    }

    fn process_cases(
        &self,
        p: &mut Piece,
        file: &str,
        line: usize,
        text: &recist_io::CaseText,
        jsonl: bool,
    ) {
        for (key, case) in text.read_keyed(file, jsonl) {
            p.tally.cases += 1;
            if !self.duplicates.is_empty()
                && let Some(key) = &key
            {
                let eval =
                    EvalKey::from_label(key.evaluator.as_deref().unwrap_or(""), &self.cfg.mapping);
                let unit = (key.subject.clone(), eval);
                if let Some(d) = self.duplicates.get(&unit) {
                    let here = (file.to_string(), if jsonl { line } else { key.line });
                    // The first case stands for the subject × evaluator; the others are
                    // counted as cases read, nothing more.
                    if d.places.first() == Some(&here) {
                        self.refuse_duplicate(p, unit, d);
                    }
                    continue;
                }
            }
            let case = match case {
                Ok(mut c) => {
                    if jsonl {
                        c.line = line;
                    }
                    c
                }
                Err(e) => {
                    let (mut place, message) = case_error_place(&e, file, jsonl.then_some(line));
                    // Its evaluator, where its key reads plainly (none given: the default).
                    let eval = key.as_ref().map(|k| {
                        let eval = EvalKey::from_label(
                            k.evaluator.as_deref().unwrap_or(""),
                            &self.cfg.mapping,
                        );
                        place.evaluator = Some(k.evaluator.clone().unwrap_or_else(|| eval.label()));
                        eval
                    });
                    self.refuse_unreadable_case(p, &place, &message, eval);
                    continue;
                }
            };
            let subject = &case.subject;
            let label_in = subject.evaluator.clone().unwrap_or_default();
            let eval = EvalKey::from_label(&label_in, &self.cfg.mapping);
            let label = subject.evaluator.clone().unwrap_or_else(|| eval.label());
            p.tally.units_seen += 1;
            let visits: Vec<RsVisit> = subject
                .assessments
                .iter()
                .map(|a| RsVisit {
                    visit: a.visit.clone().unwrap_or_default(),
                    visitnum: a.visit_number.map(fmt_visitnum).unwrap_or_default(),
                    date: a.date,
                    last_scan: a.date,
                    dtc: None,
                })
                .collect();
            let recorded =
                self.recorded_rows(&subject.subject, &|e| (*e == eval).then_some(&visits[..]));
            let rows: Vec<&RecordedRow> = recorded.iter().filter(|r| r.eval == eval).collect();
            let mut rsseq = RsSeq {
                last: 0,
                at: self
                    .multi_case_subjects
                    .contains(&subject.subject)
                    .then(Vec::new),
            };
            let case_file = case.file.clone();
            let case_line = case.line;
            let place_of = |e: &AdjudicationError| {
                let (date, lesion) = engine_place(e);
                Place {
                    file: case_file.clone(),
                    row: Some(case_line as u64),
                    subject: Some(subject.subject.clone()),
                    // The unit's evaluator: the default one for a case that names none.
                    evaluator: Some(label.clone()),
                    lesion,
                    visit: date.map(|d| d.to_string()),
                }
            };
            let ok = self.adjudicate(
                p,
                subject,
                (&self.cfg.studyid, &eval, &label),
                &visits,
                &case.notes,
                &[],
                &mut rsseq,
                &rows,
                &place_of,
            );
            p.tally.count_engine_outcome(ok);
            if let Some(seq_at) = rsseq.at.filter(|a| !a.is_empty()) {
                p.rs_cases.push(CaseRs {
                    subject: subject.subject.clone(),
                    rows: rsseq.last,
                    seq_at,
                });
            }
            // The unit's visits, for reading its recorded rows again once every case is read.
            let visits = self
                .recorded_index
                .contains_key(&subject.subject)
                .then_some(visits);
            p.case_units
                .push((subject.subject.clone(), eval, ok, visits));
        }
    }
}

impl Ctx<'_> {
    /// The recorded RS rows of `subject` that can be compared (case-file mode, where recorded
    /// RS is read into memory; its refused rows are reported once, after the cases).
    fn recorded_rows(&self, subject: &str, visits: recist_sdtm::VisitsOf<'_>) -> Vec<RecordedRow> {
        self.recorded_index
            .get(subject)
            .map(|g| {
                read_recorded(
                    g,
                    &self.recorded_file,
                    &self.cfg.mapping,
                    self.cfg.partial_dates,
                    &self.recorded_cats,
                    visits,
                )
                .rows
            })
            .unwrap_or_default()
    }

    /// Refuses a subject × evaluator with several cases: one unit refused while reading, one
    /// errors.jsonl line naming every case.
    fn refuse_duplicate(&self, p: &mut Piece, (subject, eval): (String, EvalKey), d: &Duplicate) {
        let error = CaseError::Duplicate {
            subject: subject.clone(),
            evaluator: d.evaluator.clone(),
            places: d.places.clone(),
        };
        let (mut place, message) = case_error_place(&error, "", None);
        place.evaluator = Some(d.evaluator.clone().unwrap_or_else(|| eval.label()));
        let recorded = self.recorded_rows(&subject, &|_| None);
        let rows: Vec<&RecordedRow> = recorded.iter().filter(|r| r.eval == eval).collect();
        self.refuse_unit_everywhere(p, &rows);
        p.tally.units_seen += 1;
        p.tally.units_refused += 1;
        p.tally.units_refused_reading += 1;
        p.case_units.push((subject, eval, false, None));
        push_json(
            &mut p.errors,
            &error_value("subject", &place, "duplicate-case", &message, None),
        );
        p.errors_n += 1;
    }
}

fn fmt_visitnum(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn case_error_place(e: &CaseError, file: &str, line: Option<usize>) -> (Place, String) {
    let mut place = Place {
        file: file.to_string(),
        row: line.map(|l| l as u64),
        ..Place::default()
    };
    let message = match e {
        CaseError::Invalid { place: p, message } => {
            place.row = line.or(p.line).map(|l| l as u64);
            place.subject = p.subject.clone();
            place.lesion = p.lesion.clone();
            place.visit = p.date.map(|d| d.to_string());
            format!("{place}: {message}")
        }
        CaseError::Syntax {
            line: l,
            subject,
            message,
            ..
        } => {
            place.row = line.or(*l).map(|l| l as u64);
            place.subject = subject.clone();
            format!("{place}: {message}")
        }
        CaseError::NotUtf8 {
            line: l, subject, ..
        } => {
            place.row = Some(*l as u64);
            place.subject = subject.clone();
            e.to_string()
        }
        CaseError::Duplicate {
            subject, places, ..
        } => {
            if let Some((f, l)) = places.first() {
                place.file = f.clone();
                place.row = Some(*l as u64);
            }
            place.subject = Some(subject.clone());
            e.to_string()
        }
        other => other.to_string(),
    };
    (place, message)
}

fn rule_set_label(r: &RuleSet) -> String {
    let sha = r.sha256();
    let short = sha.get(..12).unwrap_or(sha);
    if r.overrides().is_empty() {
        format!("{} {} ({short})", r.doc().id, r.doc().version)
    } else {
        let o: Vec<String> = r
            .overrides()
            .iter()
            .map(|o| format!("{}={}", o.key, o.value))
            .collect();
        format!(
            "{} {} with {} ({short})",
            r.doc().id,
            r.doc().version,
            o.join(", ")
        )
    }
}

/// The namespace of run ids (UUID v5).
pub const RUN_ID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x2b7e_1516_28ae_4d2a_a6f7_1588_09cf_4f3c);

/// Runs a batch: reads, adjudicates, writes the outputs, returns what it did.
pub fn run_batch(cfg: &BatchConfig) -> Result<BatchReport, BatchError> {
    if !cfg.against.is_empty() && cfg.against.len() != cfg.rule_sets.len() {
        return Err(BatchError::Other(format!(
            "{} rule sets to compare against {} rule sets: give as many of each",
            cfg.against.len(),
            cfg.rule_sets.len()
        )));
    }
    if cfg.rule_sets.is_empty() {
        return Err(BatchError::Other("no rule set".into()));
    }
    let started = Instant::now();
    std::fs::create_dir_all(&cfg.out).map_err(|e| BatchError::io(&cfg.out, e))?;
    let summary_path = cfg.out.join("summary.json");
    if summary_path.exists() {
        std::fs::remove_file(&summary_path).map_err(|e| BatchError::io(&summary_path, e))?;
    }
    // A comparison's files of an earlier run into this directory would lie beside this run's
    // outputs (this summary not listing them): they go, whether this run compares or not.
    for name in COMPARISON_FILES {
        let path = cfg.out.join(name);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| BatchError::io(&path, e))?;
        }
    }
    let mut sets: Vec<&RuleSet> = cfg.rule_sets.iter().collect();
    sets.extend(cfg.against.iter());
    let primary = cfg.rule_sets.len();
    let mut pairs = Vec::new();
    if let Some(rec) = &cfg.recorded {
        for (i, r) in cfg.rule_sets.iter().enumerate() {
            pairs.push(ComparePair {
                reference: Reference::Recorded {
                    rscat: r.doc().rscat.to_ascii_uppercase(),
                    irecist: r.doc().irecist.is_some(),
                },
                candidate: i,
                reference_label: format!("recorded {} (RSCAT {})", rec.display(), r.doc().rscat),
                candidate_label: rule_set_label(r),
            });
        }
    }
    for (i, b) in cfg.against.iter().enumerate() {
        let a = &cfg.rule_sets[i];
        pairs.push(ComparePair {
            reference: Reference::RuleSet(i),
            candidate: primary + i,
            reference_label: rule_set_label(a),
            candidate_label: rule_set_label(b),
        });
    }
    let files = match &cfg.input {
        Input::Sdtm { tu, tr, dm } => Files {
            tu: tu.display().to_string(),
            tr: tr.display().to_string(),
            dm: dm
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
        },
        Input::Cases(_) => Files::default(),
    };
    let mut ctx = Ctx {
        cfg,
        sets,
        primary,
        pairs,
        files,
        recorded_file: cfg
            .recorded
            .as_ref()
            .map(|r| r.display().to_string())
            .unwrap_or_default(),
        recorded_cats: Vec::new(),
        opts: ReadOptions {
            partial_dates: cfg.partial_dates,
            dm_given: matches!(&cfg.input, Input::Sdtm { dm: Some(_), .. }),
        },
        recorded_index: HashMap::new(),
        duplicates: HashMap::new(),
        multi_case_subjects: HashSet::new(),
    };
    ctx.recorded_cats = ctx
        .pairs
        .iter()
        .filter_map(|p| match &p.reference {
            Reference::Recorded { rscat, irecist } => Some(RecordedCategory {
                rscat: rscat.clone(),
                irecist: *irecist,
            }),
            Reference::RuleSet(_) => None,
        })
        .collect();
    let mut extra_inputs = Vec::new();
    if let (Input::Cases(_), Some(rec)) = (&cfg.input, &cfg.recorded) {
        let (index, info) =
            source::read_recorded_index(rec, cfg.max_unsorted_rows, cfg.multiline_values)?;
        ctx.recorded_index = index;
        extra_inputs.push(info);
    }
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(n) = cfg.threads {
            b = b.num_threads(n);
        }
        b.build()
            .map_err(|e| BatchError::Other(format!("thread pool: {e}")))?
    };
    if let Input::Cases(path) = &cfg.input {
        (ctx.duplicates, ctx.multi_case_subjects) = find_duplicates(path, &cfg.mapping, &pool);
    }
    let compare = !ctx.pairs.is_empty();
    let mut outs = Outputs::create(&cfg.out, compare)?;
    let total_bytes = source::total_bytes(cfg);
    let mut progress = progress::Progress::new(cfg.progress, total_bytes);

    let mut mode = "streaming: input sorted by USUBJID".to_string();
    let first = run_pass(&ctx, &pool, &mut outs, &mut progress, false);
    let (tally, mut inputs, case_units) = match first {
        Err(BatchError::Input(e @ InputError::Unsorted { .. })) => {
            mode = format!("in memory: {e}");
            progress.restart(&format!("{e}; reading the input into memory"));
            outs.reset()?;
            // Past the in-memory limit, the error says where the input was found unsorted.
            run_pass(&ctx, &pool, &mut outs, &mut progress, true).map_err(|err| match err {
                BatchError::Input(InputError::TooLargeUnsorted { limit, file, .. }) => {
                    BatchError::Input(InputError::TooLargeUnsorted {
                        why: e.to_string(),
                        limit,
                        file,
                    })
                }
                other => other,
            })
        }
        other => other,
    }
    .inspect_err(|_| outs.abandon())?;
    progress.finish();
    inputs.extend(extra_inputs);

    let mut tally = tally;
    if matches!(cfg.input, Input::Cases(_)) {
        // Subjects are counted once however many case files or evaluators they have.
        let mut by_subject: BTreeMap<&str, bool> = BTreeMap::new();
        for (s, _, ok, _) in &case_units {
            let e = by_subject.entry(s.as_str()).or_insert(true);
            *e &= *ok;
        }
        tally.subjects_seen = by_subject.len() as u64;
        tally.subjects_adjudicated = by_subject.values().filter(|ok| **ok).count() as u64;
        tally.subjects_refused = tally.subjects_seen - tally.subjects_adjudicated;
        // Recorded rows of subject × evaluator with no case.
        let seen: HashSet<(&str, &EvalKey)> = case_units
            .iter()
            .map(|(s, e, _, _)| (s.as_str(), e))
            .collect();
        let case_visits: HashMap<(&str, &EvalKey), &[RsVisit]> = case_units
            .iter()
            .filter_map(|(s, e, _, v)| Some(((s.as_str(), e), v.as_deref()?)))
            .collect();
        let mut keys: Vec<&String> = ctx.recorded_index.keys().collect();
        keys.sort();
        // Refused recorded rows, reported once each here (after the cases' errors), and rows
        // of no case, each on the reference side only.
        let (mut refused, mut refused_n) = (Vec::new(), 0);
        let mut one_side = Piece {
            tally: Tally::new(0, ctx.pairs.len()),
            ..Piece::default()
        };
        for k in keys {
            let Some(g) = ctx.recorded_index.get(k) else {
                continue;
            };
            let visits_of = |e: &EvalKey| case_visits.get(&(k.as_str(), e)).copied();
            let rec = read_recorded(
                g,
                &ctx.recorded_file,
                &cfg.mapping,
                cfg.partial_dates,
                &ctx.recorded_cats,
                &visits_of,
            );
            refused_n += tally.count_recorded(g, &rec, &mut refused);
            let left: Vec<&RecordedRow> = rec
                .rows
                .iter()
                .filter(|r| !seen.contains(&(k.as_str(), &r.eval)))
                .collect();
            if !by_subject.contains_key(k.as_str()) {
                tally.recorded_only_subjects += 1;
            }
            ctx.reference_only(&mut one_side, k, &left);
        }
        for (t, o) in tally.compare.iter_mut().zip(&one_side.tally.compare) {
            t.merge(o);
        }
        outs.errors
            .write(&refused, refused_n)
            .inspect_err(|_| outs.abandon())?;
        outs.write_unmatched(&one_side.compared)
            .inspect_err(|_| outs.abandon())?;
    }

    let summary = summary_json(&ctx, &tally, &inputs, &outs, &mode);
    let errors = outs.errors.lines();
    // A failed commit leaves no `.partial` file behind (and no summary.json: incomplete).
    outs.commit(&ctx, &tally, &summary)
        .inspect_err(|_| outs.abandon())?;
    Ok(BatchReport {
        tally,
        summary,
        errors,
        seconds: started.elapsed().as_secs_f64(),
    })
}

struct Outputs {
    results: AtomicFile,
    rs: AtomicFile,
    errors: AtomicFile,
    discordant: Option<AtomicFile>,
    unmatched: Option<AtomicFile>,
    date_mismatches: Option<AtomicFile>,
    dir: PathBuf,
    /// Case mode: RS rows written so far of each subject with cases of several evaluators.
    case_rsseq: HashMap<String, u32>,
}

impl Outputs {
    fn create(dir: &Path, compare: bool) -> Result<Outputs, BatchError> {
        Ok(Outputs {
            results: AtomicFile::create(dir, "results.jsonl", b"")?,
            rs: AtomicFile::create(dir, "rs.csv", recist_sdtm::RS_HEADER.as_bytes())?,
            errors: AtomicFile::create(dir, "errors.jsonl", b"")?,
            discordant: if compare {
                Some(AtomicFile::create(dir, "discordant.jsonl", b"")?)
            } else {
                None
            },
            unmatched: if compare {
                Some(AtomicFile::create(dir, "unmatched.jsonl", b"")?)
            } else {
                None
            },
            date_mismatches: if compare {
                Some(AtomicFile::create(dir, "date_mismatches.jsonl", b"")?)
            } else {
                None
            },
            dir: dir.to_path_buf(),
            case_rsseq: HashMap::new(),
        })
    }

    fn reset(&mut self) -> Result<(), BatchError> {
        self.results.reset()?;
        self.rs.reset()?;
        self.case_rsseq.clear();
        self.errors.reset()?;
        if let Some(d) = self.discordant.as_mut() {
            d.reset()?;
        }
        if let Some(u) = self.unmatched.as_mut() {
            u.reset()?;
        }
        if let Some(m) = self.date_mismatches.as_mut() {
            m.reset()?;
        }
        Ok(())
    }

    fn write(&mut self, p: &Piece) -> Result<(), BatchError> {
        self.results.write(&p.results, p.results_n)?;
        if p.rs_cases.is_empty() {
            self.rs.write(&p.rs, p.rs_n)?;
        } else {
            let rs = shift_rsseq(&p.rs, &p.rs_cases, &mut self.case_rsseq);
            self.rs.write(&rs, p.rs_n)?;
        }
        self.errors.write(&p.errors, p.errors_n)?;
        if let Some(d) = self.discordant.as_mut() {
            d.write(&p.compared.discordant, p.compared.discordant_n)?;
        }
        if let Some(m) = self.date_mismatches.as_mut() {
            m.write(&p.compared.date_mismatches, p.compared.date_mismatches_n)?;
        }
        self.write_unmatched(&p.compared)
    }

    fn write_unmatched(&mut self, c: &compare::CompareLines) -> Result<(), BatchError> {
        if let Some(u) = self.unmatched.as_mut() {
            u.write(&c.unmatched, c.unmatched_n)?;
        }
        Ok(())
    }

    fn abandon(&mut self) {
        self.results.abandon();
        self.rs.abandon();
        self.errors.abandon();
        if let Some(d) = self.discordant.as_mut() {
            d.abandon();
        }
        if let Some(u) = self.unmatched.as_mut() {
            u.abandon();
        }
        if let Some(m) = self.date_mismatches.as_mut() {
            m.abandon();
        }
    }

    fn commit(&mut self, ctx: &Ctx<'_>, tally: &Tally, summary: &Value) -> Result<(), BatchError> {
        self.results.commit()?;
        self.rs.commit()?;
        self.errors.commit()?;
        if let Some(u) = self.unmatched.as_mut() {
            u.commit()?;
        }
        if let Some(m) = self.date_mismatches.as_mut() {
            m.commit()?;
        }
        if let Some(d) = self.discordant.as_mut() {
            d.commit()?;
            let reports: Vec<Value> = ctx
                .pairs
                .iter()
                .zip(&tally.compare)
                .map(|(p, t)| compare::report_json(p, t))
                .collect();
            let mut text = serde_json::to_string_pretty(&json!({ "comparisons": reports }))
                .unwrap_or_default();
            text.push('\n');
            write_atomic(&self.dir, "comparison.json", text.as_bytes())?;
            let md = compare::report_markdown(&ctx.pairs, &tally.compare);
            write_atomic(&self.dir, "comparison.md", md.as_bytes())?;
        }
        let mut text = serde_json::to_string_pretty(summary).unwrap_or_default();
        text.push('\n');
        write_atomic(&self.dir, "summary.json", text.as_bytes())
    }
}

/// Items processed into one piece: enough that buffers and tallies are made and merged once
/// per run of subjects rather than per subject, few enough that the workers share a chunk.
const ITEMS_PER_PIECE: usize = 32;

/// Most pairs of piece buffers kept for reuse (a chunk's worth of pieces).
const SPARE_MAX: usize = 32;

/// Results and rs buffers of written pieces, handed back by the writer to the workers.
#[derive(Default)]
struct SpareBuffers(std::sync::Mutex<Vec<(Vec<u8>, Vec<u8>)>>);

impl SpareBuffers {
    fn take(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        self.0.lock().ok()?.pop()
    }

    fn give(&self, mut results: Vec<u8>, mut rs: Vec<u8>) {
        if let Ok(mut v) = self.0.lock()
            && v.len() < SPARE_MAX
        {
            results.clear();
            rs.clear();
            v.push((results, rs));
        }
    }
}

type PassResult = (Tally, Vec<InputInfo>, Vec<CaseUnit>);

fn run_pass(
    ctx: &Ctx<'_>,
    pool: &rayon::ThreadPool,
    outs: &mut Outputs,
    progress: &mut progress::Progress,
    in_memory: bool,
) -> Result<PassResult, BatchError> {
    let bytes = Arc::new(AtomicU64::new(0));
    let mut tally = Tally::new(ctx.sets.len(), ctx.pairs.len());
    let mut case_units = Vec::new();
    let cfg = ctx.cfg;
    let spare = SpareBuffers::default();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(2);
        let reader_bytes = bytes.clone();
        let reader = scope.spawn(move || source::read(cfg, in_memory, reader_bytes, tx));
        // Writing runs on its own thread so the workers go on to the next chunk meanwhile.
        let (wtx, wrx) = std::sync::mpsc::sync_channel::<Vec<Piece>>(2);
        let tally_ref = &mut tally;
        let units_ref = &mut case_units;
        let writer_bytes = bytes.clone();
        let spare_ref = &spare;
        let writer = scope.spawn(move || -> Result<(), BatchError> {
            for pieces in wrx {
                for p in pieces {
                    outs.write(&p)?;
                    tally_ref.merge(&p.tally);
                    units_ref.extend(p.case_units);
                    spare_ref.give(p.results, p.rs);
                }
                progress.update(
                    writer_bytes.load(Ordering::Relaxed),
                    tally_ref.subjects_seen,
                    tally_ref.tr.read + tally_ref.tu.read,
                );
            }
            Ok(())
        });
        for chunk in rx {
            // The workers take the items and free each once processed, in parallel, rather
            // than this thread freeing the whole chunk while they wait for the next.
            let pieces: Vec<Piece> = pool.install(|| {
                chunk
                    .into_par_iter()
                    .chunks(ITEMS_PER_PIECE)
                    .map(|items| ctx.process_run(items, &spare))
                    .collect()
            });
            if wtx.send(pieces).is_err() {
                break;
            }
        }
        drop(wtx);
        let written = writer
            .join()
            .map_err(|_| BatchError::Other("the writing thread failed".into()))?;
        let read = reader
            .join()
            .map_err(|_| BatchError::Other("the reading thread failed".into()))?;
        written?;
        read
    })
    .map(|inputs| (tally, inputs, case_units))
}

fn row_count_json(c: &RowCount) -> Value {
    json!({
        "read": c.read,
        "used": c.used,
        "refused": c.refused,
        "in_refused_subjects": c.in_refused_subjects,
        "reconciles": c.reconciles(),
    })
}

/// What the run did that the user may not have meant (none for the usual run); each is also
/// printed on standard error.
pub fn run_warnings(cfg: &BatchConfig) -> Vec<String> {
    let mut warnings = Vec::new();
    if matches!(cfg.input, Input::Cases(_)) && cfg.studyid.trim().is_empty() {
        warnings.push(
            "rs.csv has an empty STUDYID (SDTM requires one): case files name no study; give --studyid"
                .to_string(),
        );
    }
    // A rule set measuring by the viable diameter (mRECIST) over SDTM whose mapping names
    // no test for it or for the pattern: every liver target would be demoted (MR-TGT-ELIG).
    if matches!(cfg.input, Input::Sdtm { .. }) {
        let missing: Vec<&str> = [(TestKind::Viable, "viable"), (TestKind::Pattern, "pattern")]
            .into_iter()
            .filter(|(kind, _)| !cfg.mapping.reads(*kind))
            .map(|(_, name)| name)
            .collect();
        for rules in cfg.rule_sets.iter().chain(&cfg.against) {
            let doc = rules.doc();
            if !missing.is_empty()
                && doc
                    .measurement
                    .selectors
                    .iter()
                    .any(|s| s.measure == recist_rules::Measure::Viable)
            {
                warnings.push(format!(
                    "rule set {} measures typical HCC by its viable diameter, but the mapping names no TR test read as {}: every liver lesion is read as not typical, so liver targets are followed as non-targets; add the study's codes with --mapping (docs/batch.md, mRECIST)",
                    doc.id,
                    missing.join(" or ")
                ));
            }
        }
    }
    warnings
}

/// What the run found that the user may not have meant, known only once it has run: a
/// comparison with recorded RS in which no recorded value was compared (a file with only a
/// header, every row refused, of other tests, or of another `RSCAT` than the rule set's):
/// its statistics are then empty and every engine value is on one side only; and recorded
/// rows whose `RSDTC` is outside the scan dates of the visit their `VISITNUM` (or `VISIT`)
/// names (`date_mismatches.jsonl`). Each is in `summary.json`'s `warnings` after
/// [`run_warnings`]'s, and printed on standard error.
pub fn outcome_warnings(cfg: &BatchConfig, pairs: &[ComparePair], t: &Tally) -> Vec<String> {
    let Some(file) = &cfg.recorded else {
        return Vec::new();
    };
    let recorded = || {
        pairs
            .iter()
            .zip(&t.compare)
            .filter(|(p, _)| matches!(p.reference, Reference::Recorded { .. }))
    };
    let dates = recorded()
        .filter(|(_, c)| c.date_mismatches > 0)
        .map(|(p, c)| {
            format!(
                "{} recorded rows of {} compared with {} give an RSDTC outside the scan dates of the visit their VISITNUM (or VISIT) names: compared at that visit all the same, each listed in date_mismatches.jsonl",
                c.date_mismatches,
                file.display(),
                p.candidate_label,
            )
        });
    recorded()
        .filter(|(_, c)| c.confusion.values().all(|m| m.values().all(|&n| n == 0)))
        .map(|(p, c)| {
            let rscat = match &p.reference {
                Reference::Recorded { rscat, .. } => rscat.as_str(),
                Reference::RuleSet(_) => "",
            };
            // The rows read for this comparison: nothing compared, each is on the recorded side
            // only or of a refused subject; the other rows read were of the other compared
            // rule sets' RSCATs (with several --rules), so of another RSCAT than this one's.
            let reference_only = c.reference_only.values().sum::<u64>();
            let read_here = reference_only + c.reference_refused;
            let other_category =
                t.recorded_other_category + t.recorded_used.saturating_sub(read_here);
            format!(
                "no recorded value of {} was compared with {}: of its {} rows, {} were read for comparison ({} of them on the recorded side only, {} of refused subjects), {} refused, {} of tests recist does not write, {} of an RSCAT other than `{rscat}` (or empty)",
                file.display(),
                p.candidate_label,
                t.recorded_rows,
                read_here,
                reference_only,
                c.reference_refused,
                t.recorded_refused,
                t.recorded_skipped,
                other_category,
            )
        })
        .chain(dates)
        .collect()
}

fn summary_json(
    ctx: &Ctx<'_>,
    t: &Tally,
    inputs: &[InputInfo],
    outs: &Outputs,
    mode: &str,
) -> Value {
    let cfg = ctx.cfg;
    let mut name = format!("recist-batch/1\u{1f}{}", cfg.command);
    for i in inputs {
        name.push('\u{1f}');
        name.push_str(&i.sha256);
    }
    for s in &ctx.sets {
        name.push('\u{1f}');
        name.push_str(s.sha256());
    }
    for m in cfg.mapping.sources() {
        name.push('\u{1f}');
        name.push_str(m);
    }
    let run_id = uuid::Uuid::new_v5(&RUN_ID_NAMESPACE, name.as_bytes());
    let rule_sets: Vec<Value> = ctx
        .sets
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let st = &t.per_set[i];
            let c = &r.doc().confirmation;
            let responses: serde_json::Map<String, Value> = st
                .responses
                .iter()
                .map(|(test, m)| (test.code().to_string(), json!(m)))
                .collect();
            json!({
                "id": r.doc().id,
                "version": r.doc().version,
                "sha256": r.sha256(),
                "rscat": r.doc().rscat,
                "origin": r.origin(),
                "overrides": r.overrides(),
                "role": if i < ctx.primary { "results and rs.csv" } else { "compared" },
                "bestresp": if c.required { "confirmed best overall response (confirmation required)" } else { "unconfirmed best overall response (confirmation not required)" },
                "confirmation": {
                    "required": c.required,
                    "min_interval_days": c.min_interval_days,
                    "max_ne_between": c.max_ne_between,
                    "accept_sd_between": c.accept_sd_between,
                },
                "subject_evaluators": {
                    "adjudicated": st.adjudicated,
                    "refused": st.refused,
                    "reconciles": st.adjudicated + st.refused == t.units_seen,
                },
                "results": st.results,
                "responses": responses,
            })
        })
        .collect();
    let units_ok = t.units_adjudicated + t.units_refused == t.units_seen;
    let subjects_ok = t.subjects_adjudicated + t.subjects_refused == t.subjects_seen;
    let rows_ok =
        t.tu.reconciles() && t.tr.reconciles() && t.dm_reconciles() && t.recorded_reconciles();
    let mut outputs = json!({
        "results.jsonl": {"lines": outs.results.lines(), "bytes": outs.results.bytes()},
        "rs.csv": {"rows": outs.rs.lines(), "bytes": outs.rs.bytes()},
        "errors.jsonl": {"lines": outs.errors.lines(), "bytes": outs.errors.bytes()},
    });
    if let (Some(d), Value::Object(m)) = (&outs.discordant, &mut outputs) {
        m.insert("discordant.jsonl".into(), json!({"lines": d.lines()}));
        if let Some(u) = &outs.unmatched {
            m.insert("unmatched.jsonl".into(), json!({"lines": u.lines()}));
        }
        if let Some(d) = &outs.date_mismatches {
            m.insert("date_mismatches.jsonl".into(), json!({"lines": d.lines()}));
        }
    }
    let comparisons: Vec<Value> = ctx
        .pairs
        .iter()
        .zip(&t.compare)
        .map(|(p, c)| compare::report_json(p, c))
        .collect();
    json!({
        "format": "recist-batch-summary/1",
        "warnings": run_warnings(cfg)
            .into_iter()
            .chain(outcome_warnings(cfg, &ctx.pairs, t))
            .collect::<Vec<_>>(),
        "run_id": run_id,
        "command": cfg.command,
        "recist_version": env!("CARGO_PKG_VERSION"),
        "mode": mode,
        "inputs": inputs,
        "options": {
            "partial_dates": cfg.partial_dates.as_str(),
            "mapping": cfg.mapping.sources(),
            "chunk_subjects": cfg.chunk_subjects,
            "explanations": cfg.explanations_on(),
            "multiline_values": cfg.multiline_values,
        },
        "rows": {
            "TU": row_count_json(&t.tu),
            "TR": row_count_json(&t.tr),
            "unattributed_refused": t.unattributed_rows,
            "DM": {
                "read": t.dm.read,
                "used": t.dm.used,
                "refused": t.dm.refused,
                "in_refused_subjects": t.dm.in_refused_subjects,
                "in_subjects_without_tumour_data": t.dm_rows_without_tumour_data,
                "reconciles": t.dm_reconciles(),
                "subjects_without_tumour_data": t.dm_only_subjects,
            },
            "RS_recorded": {
                "read": t.recorded_rows,
                "used": t.recorded_used,
                "refused": t.recorded_refused,
                "tests_not_compared": t.recorded_skipped,
                "other_category": t.recorded_other_category,
                "reconciles": t.recorded_reconciles(),
                "subjects_without_tumour_data": t.recorded_only_subjects,
            },
            "cases": t.cases,
        },
        "subjects": {
            "seen": t.subjects_seen,
            "adjudicated": t.subjects_adjudicated,
            "refused": t.subjects_refused,
        },
        "subject_evaluators": {
            "seen": t.units_seen,
            "adjudicated": t.units_adjudicated,
            "refused": t.units_refused,
            "refused_while_reading": t.units_refused_reading,
            "refused_by_engine": t.units_refused_engine,
        },
        "rule_sets": rule_sets,
        "outputs": outputs,
        "comparisons": comparisons,
        "reconciliation": {
            "rows": rows_ok,
            "subjects": subjects_ok,
            "subject_evaluators": units_ok,
            "all": rows_ok && subjects_ok && units_ok,
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Set by a test: results are written through serde_json, to compare with the hand-written
    /// lines (other tests running meanwhile get the same bytes either way).
    pub(crate) static SERDE_RESULTS: std::sync::atomic::AtomicBool =
        std::sync::atomic::AtomicBool::new(false);

    #[test]
    fn generated_study_results_are_serde_json_bytes() {
        let tmp = tempfile::Builder::new()
            .prefix("recist-batch-unit-results-json-")
            .tempdir()
            .unwrap();
        let dir = tmp.path().join("study");
        let opts = recist_sdtm::generate::GenerateOptions {
            subjects: 600,
            seed: 7,
            ..Default::default()
        };
        let sets: Vec<RuleSet> = recist_rules::bundled_ids()
            .into_iter()
            .map(|(id, _, _)| RuleSet::bundled(&id).unwrap())
            .collect();
        assert!(sets.len() > 1);
        recist_sdtm::generate::generate(&opts, &sets[0], &dir).unwrap();
        let run = |out: &str| {
            let cfg = BatchConfig::new(
                Input::Sdtm {
                    tu: dir.join("TU.csv"),
                    tr: dir.join("TR.csv"),
                    dm: Some(dir.join("DM.csv")),
                },
                sets.clone(),
                dir.join(out),
            )
            .unwrap();
            run_batch(&cfg).unwrap();
            std::fs::read(dir.join(out).join("results.jsonl")).unwrap()
        };
        let ours = run("ours");
        SERDE_RESULTS.store(true, Ordering::Relaxed);
        let theirs = run("serde");
        SERDE_RESULTS.store(false, Ordering::Relaxed);
        assert!(ours.iter().filter(|&&b| b == b'\n').count() >= 600 * sets.len());
        assert!(ours == theirs, "results.jsonl differs from serde_json's");
    }

    #[test]
    fn response_counts_name_every_value_at_its_index() {
        assert!(TargetResponse::ALL.len() <= ResponseCounts::VALUES);
        assert!(NonTargetResponse::ALL.len() <= ResponseCounts::VALUES);
        assert!(NewLesions::ALL.len() <= ResponseCounts::VALUES);
        assert!(OverallResponse::ALL.len() <= ResponseCounts::VALUES);
        for (i, t) in RsTest::ALL.into_iter().enumerate() {
            assert_eq!(t as usize, i);
        }
        for x in TargetResponse::ALL {
            assert_eq!(
                ResponseCounts::name(RsTest::Trgresp, *x as usize),
                Some(x.as_str())
            );
        }
        for x in NonTargetResponse::ALL {
            let name = ResponseCounts::name(RsTest::Ntrgresp, *x as usize);
            assert_eq!(name, Some(x.as_str()));
        }
        for x in NewLesions::ALL {
            assert_eq!(
                ResponseCounts::name(RsTest::Newlind, *x as usize),
                Some(newlind(*x))
            );
        }
        for x in OverallResponse::ALL {
            assert_eq!(
                ResponseCounts::name(RsTest::Ovrlresp, *x as usize),
                Some(x.as_str())
            );
            assert_eq!(
                ResponseCounts::name(RsTest::Bestresp, *x as usize),
                Some(x.as_str())
            );
        }
        let mut c = ResponseCounts::default();
        c.add(RsTest::Ovrlresp, OverallResponse::ALL.len() - 1);
        c.add(RsTest::Ovrlresp, OverallResponse::ALL.len() - 1);
        c.add(RsTest::Newlind, NewLesions::Yes as usize);
        let mut m = BTreeMap::new();
        c.fold_into(&mut m);
        c.fold_into(&mut m);
        let last = OverallResponse::ALL.last().unwrap().as_str();
        assert_eq!(m[&RsTest::Ovrlresp][last], 4);
        assert_eq!(m[&RsTest::Newlind]["Y"], 2);
    }
}
