//! Why a row or a subject read from SDTM was refused, with its place.

use std::fmt;

use serde::Serialize;

/// Where a problem is: file, row (1-based line of the CSV file, the header being line 1),
/// subject, evaluator, lesion and visit, each where known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The file.
    pub file: String,
    /// 1-based line where the row starts.
    pub row: Option<u64>,
    /// USUBJID.
    pub subject: Option<String>,
    /// Evaluator (`TREVAL`, with `TREVALID` after a slash when given).
    pub evaluator: Option<String>,
    /// Lesion (TULNKID / TRLNKID).
    pub lesion: Option<String>,
    /// Visit (VISIT, else VISITNUM, else the date).
    pub visit: Option<String>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(r) = self.row {
            write!(f, ":{r}")?;
        }
        if let Some(s) = &self.subject {
            write!(f, ": subject `{s}`")?;
        }
        if let Some(e) = &self.evaluator {
            write!(f, ": evaluator {e}")?;
        }
        if let Some(v) = &self.visit {
            write!(f, ": visit {v}")?;
        }
        if let Some(l) = &self.lesion {
            write!(f, ": lesion `{l}`")?;
        }
        Ok(())
    }
}

/// What is wrong with a row or a subject.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The CSV row has the wrong number of fields or is not UTF-8.
    #[error("the row cannot be read: {0}")]
    Malformed(String),
    /// The row names no subject.
    #[error("USUBJID is empty: the row belongs to no subject")]
    NoSubject,
    /// Another row of this subject could not be read, so it is not adjudicated without it.
    #[error("row {row} of {file} belongs to this subject and could not be read")]
    UnreadableRow {
        /// The file of the unreadable row.
        file: String,
        /// Its line.
        row: u64,
    },
    /// A test code the mapping does not know.
    #[error(
        "unknown {column} `{code}` (add it to a --mapping file, as a test or as `ignore`, if it is a sponsor code)"
    )]
    UnknownTest {
        /// TRTESTCD or TUTESTCD.
        column: &'static str,
        /// The code.
        code: String,
    },
    /// A value the mapping does not know.
    #[error("{column} `{value}` is not understood (expected {expected})")]
    UnknownValue {
        /// The column.
        column: &'static str,
        /// The value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A recorded response that is not a word of its test's vocabulary (after
    /// normalisation), or none at all.
    #[error("{}", unknown_response(test, value, expected))]
    UnknownResponse {
        /// The test (`RSTESTCD`).
        test: &'static str,
        /// The value as written (`RSSTRESC`, else `RSORRES`), empty when both are.
        value: String,
        /// The words of the test.
        expected: &'static str,
    },
    /// A recorded response in the other vocabulary than its `RSCAT`'s reading: a RECIST 1.1
    /// word (`PD`, …) under an iRECIST rule set's `RSCAT`, or an iRECIST word (`iUPD`, …)
    /// under another compared rule set's. One reading is in one vocabulary.
    #[error(
        "{test} response `{value}` is {vocabulary}'s word, recorded under RSCAT `{rscat}` (expected {expected}): one reading's responses are in one vocabulary"
    )]
    MixedVocabulary {
        /// The test (`RSTESTCD`).
        test: &'static str,
        /// The value as written.
        value: String,
        /// Whose word it is: `RECIST 1.1` or `iRECIST`.
        vocabulary: &'static str,
        /// The row's `RSCAT`, as written.
        rscat: String,
        /// The words of the test under that `RSCAT`.
        expected: &'static str,
    },
    /// A recorded RS row whose `RSORRES` and `RSSTRESC` both name a response of its test
    /// (after normalisation) and name different ones: which holds is unknown, so the row is
    /// not compared (as TR's `TRORRES` and `TRSTRESC` must agree).
    #[error(
        "{test}: RSORRES `{orres}` and RSSTRESC `{stresc}` disagree: which one holds is unknown, so the row is not compared"
    )]
    RecordedDisagree {
        /// The test (`RSTESTCD`).
        test: &'static str,
        /// `RSORRES` as written.
        orres: String,
        /// `RSSTRESC` as written.
        stresc: String,
    },
    /// A required value is empty.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// The same record twice with the same value; the repeat is refused, the first is used.
    #[error("duplicate of row {first_row}: the same {test} for this {of}")]
    Duplicate {
        /// The test.
        test: String,
        /// The row kept.
        first_row: u64,
        /// What identifies the record besides the test (`lesion and visit` in TU and TR,
        /// `visit` for `SUMDIAM`).
        of: &'static str,
    },
    /// Two rows give different values for one lesion, visit and test.
    #[error("{test}: row {first_row} says {first}, this row says {second}")]
    Conflict {
        /// The test.
        test: String,
        /// The other row.
        first_row: u64,
        /// Its value.
        first: String,
        /// This row's value.
        second: String,
    },
    /// Recorded RS rows that give different values for one subject, evaluator, `RSCAT`, visit
    /// and test: which one holds is unknown, so none of them is compared.
    #[error(
        "{test}: this row says {value}, {}: conflicting recorded values for this evaluator, RSCAT and visit, so none of these rows is compared",
        others_said(others)
    )]
    ConflictingRecorded {
        /// The test (`RSTESTCD`).
        test: String,
        /// This row's value.
        value: String,
        /// The other rows of the same record: line and value, in line order.
        others: Vec<(u64, String)>,
    },
    /// A TR lesion with no TU record for this evaluator.
    #[error("lesion in TR but not identified in TU for this evaluator")]
    LesionNotInTu,
    /// TRGRPID contradicts TU.
    #[error("TRGRPID says {tr}, TU identifies the lesion as {tu}")]
    GroupMismatch {
        /// TRGRPID's role.
        tr: String,
        /// TU's role.
        tu: String,
    },
    /// Lesions identified in TU, but no TR row for this evaluator.
    #[error("lesions identified in TU but no TR row for this evaluator: no assessment")]
    NoTrRows,
    /// A baseline lesion identified in TU with no TR row of its evaluator at all.
    #[error(
        "identified in TU as {role} but no TR row of this evaluator has it: a baseline lesion never assessed cannot be adjudicated"
    )]
    LesionNotInTr {
        /// `TARGET` or `NON-TARGET`.
        role: &'static str,
    },
    /// A non-target lesion with TR rows, but none at the baseline visit.
    #[error(
        "{role} with no TR row at the baseline visit, {baseline}: a baseline lesion with no baseline assessment cannot be adjudicated"
    )]
    NoBaselineRow {
        /// `NON-TARGET`.
        role: &'static str,
        /// The baseline visit: `NAME (VISITNUM n, date)`.
        baseline: String,
    },
    /// A partial date with no imputation chosen.
    #[error(
        "{column} `{value}` is a partial date (choose --partial-dates first|last to impute it)"
    )]
    PartialDate {
        /// The column.
        column: &'static str,
        /// The value.
        value: String,
    },
    /// Not an ISO 8601 date.
    #[error("{column} `{value}` is not an ISO 8601 date")]
    BadDate {
        /// The column.
        column: &'static str,
        /// The value.
        value: String,
    },
    /// A result that is not a usable length.
    #[error("{column} `{value}` is not a length: {reason}")]
    BadNumber {
        /// The column.
        column: &'static str,
        /// The value.
        value: String,
        /// Why.
        reason: String,
    },
    /// A unit that is neither mm nor cm (nor mapped).
    #[error("unit `{0}` is not a length unit (mm or cm, or one added to the mapping)")]
    BadUnit(String),
    /// A measurement without a unit.
    #[error("{0} has a number but no unit")]
    NoUnit(&'static str),
    /// The measurement recorded is not the one the lesion's kind needs.
    #[error("{0}")]
    WrongAxis(String),
    /// A visit with measurements but no date.
    #[error("no TRDTC on any row of this visit")]
    UndatedVisit,
    /// Two visits on one date.
    #[error("visits {first} and {second} are both dated {date}: an assessment has one date")]
    SameDate {
        /// One visit.
        first: String,
        /// The other.
        second: String,
        /// The date.
        date: String,
    },
    /// Rows naming their visit by `VISIT` alone (no `VISITNUM`) with the `VISIT` of a visit
    /// other rows number: one visit or two is unknown (read apart, each would miss the
    /// other's lesions).
    #[error(
        "the rows of {named} give no VISITNUM, and the rows of {numbered} give that VISIT with one: whether they are one visit is unknown (give every row of a visit its VISITNUM)"
    )]
    VisitWithoutNumber {
        /// The visit named by `VISIT` alone: `NAME (date)`.
        named: String,
        /// The numbered visit of that name: `NAME (VISITNUM n, date)`.
        numbered: String,
    },
    /// Two visits whose numeric `VISITNUM`s and dates give different orders: which one is
    /// wrong (a mistyped or imputed date, a wrong visit number) is unknown, and with it the
    /// baseline and the order of the assessments.
    #[error(
        "{dated_first} is dated before {numbered_first} but comes after it by VISITNUM: VISITNUM and TRDTC order the visits differently, so the baseline and the order of the assessments are unknown (check both visits' TRDTC and VISITNUM; an imputed partial date can cause this)"
    )]
    VisitOrder {
        /// The visit with the higher `VISITNUM` and the earlier date: `NAME (VISITNUM n, date)`.
        dated_first: String,
        /// The visit with the lower `VISITNUM` and the later date (this error's visit), named
        /// likewise.
        numbered_first: String,
    },
    /// A baseline lesion identified in TU at a visit before TR's first visit of its evaluator
    /// (by `VISITNUM` when both are numbers, else by date): the baseline assessment is
    /// missing, and the first TR visit is no baseline.
    #[error(
        "identified in TU as {role} at {tu_visit}, before the first TR visit of this evaluator, {first_tr_visit}: the baseline assessment is missing from TR (a later scan is no baseline)"
    )]
    MissingBaseline {
        /// `TARGET` or `NON-TARGET`.
        role: &'static str,
        /// The TU row's visit: `NAME (VISITNUM n, TUDTC)`.
        tu_visit: String,
        /// TR's first visit, named likewise.
        first_tr_visit: String,
    },
    /// A new lesion recorded at the baseline visit.
    #[error(
        "a NEW lesion at the baseline visit (identify baseline lesions as TARGET or NON-TARGET)"
    )]
    NewAtBaseline,
    /// A new lesion identified in TU at a visit that is no assessment of its evaluator (or at
    /// none, with no TR row of its own): when it appeared is unknown.
    #[error(
        "NEW lesion identified in TU at {tu_visit}, which matches no TR visit of this evaluator (VISITNUM, else VISIT, else the date): when it appeared is unknown"
    )]
    NewWithoutVisit {
        /// The TU row's visit: `NAME (VISITNUM n, TUDTC)`, or what says it has none.
        tu_visit: String,
    },
    /// Anything else, said in words.
    #[error("{0}")]
    Other(String),
}

impl Problem {
    /// A short stable code for the problem, for `errors.jsonl`.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Malformed(_) => "malformed-row",
            Problem::NoSubject => "no-subject",
            Problem::UnreadableRow { .. } => "unreadable-row-in-subject",
            Problem::UnknownTest { .. } => "unknown-test",
            Problem::UnknownValue { .. } => "unknown-value",
            Problem::UnknownResponse { .. } => "unknown-response",
            Problem::MixedVocabulary { .. } => "mixed-vocabulary",
            Problem::RecordedDisagree { .. } => "orres-stresc-disagree",
            Problem::Empty(_) => "empty-value",
            Problem::Duplicate { .. } => "duplicate-row",
            Problem::Conflict { .. } | Problem::ConflictingRecorded { .. } => "conflicting-values",
            Problem::LesionNotInTu => "lesion-not-in-tu",
            Problem::GroupMismatch { .. } => "group-mismatch",
            Problem::NoTrRows => "no-tr-rows",
            Problem::LesionNotInTr { .. } => "lesion-not-in-tr",
            Problem::NoBaselineRow { .. } => "no-baseline-row",
            Problem::PartialDate { .. } => "partial-date",
            Problem::BadDate { .. } => "bad-date",
            Problem::BadNumber { .. } => "bad-number",
            Problem::BadUnit(_) => "bad-unit",
            Problem::NoUnit(_) => "no-unit",
            Problem::WrongAxis(_) => "wrong-axis",
            Problem::UndatedVisit => "undated-visit",
            Problem::SameDate { .. } => "same-date",
            Problem::VisitWithoutNumber { .. } => "visit-without-number",
            Problem::VisitOrder { .. } => "visit-order",
            Problem::MissingBaseline { .. } => "missing-baseline",
            Problem::NewAtBaseline => "new-at-baseline",
            Problem::NewWithoutVisit { .. } => "new-without-visit",
            Problem::Other(_) => "invalid",
        }
    }
}

/// What [`Problem::UnknownResponse`] says (worded as `recist bor` refuses an unknown
/// response).
fn unknown_response(test: &str, value: &str, expected: &str) -> String {
    if value.is_empty() {
        format!("no {test} response: RSSTRESC and RSORRES are empty (expected {expected})")
    } else {
        format!(
            "unknown {test} response `{value}` (expected {expected}){}",
            recist_model::irecist_note(value)
        )
    }
}

/// `row 4 says PD, row 9 says SD`.
fn others_said(others: &[(u64, String)]) -> String {
    let said: Vec<String> = others
        .iter()
        .map(|(row, value)| format!("row {row} says {value}"))
        .collect();
    said.join(", ")
}

/// A refused row, or one reason a subject was refused, with its place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{place}: {problem}")]
pub struct SdtmError {
    /// Where.
    pub place: Place,
    /// What.
    pub problem: Problem,
}

/// A problem with a whole input file (missing column, unreadable file): the run stops.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The CSV reader failed.
    #[error("{file}{}: {message}", row.map(|r| format!(":{r}")).unwrap_or_default())]
    Csv {
        /// The file.
        file: String,
        /// 1-based line, where known.
        row: Option<u64>,
        /// The reader's message.
        message: String,
    },
    /// A column the domain needs is missing from the header.
    #[error("{file}:1: the {domain} header has no {column} column{}", separator_hint(*separator))]
    MissingColumn {
        /// The file.
        file: String,
        /// TU, TR, DM or RS.
        domain: &'static str,
        /// The column (alternatives separated by `|`).
        column: String,
        /// The separator the header seems to use instead of commas (it is one column holding
        /// `;`, tabs or `|`), as an export with another list separator gives.
        separator: Option<char>,
    },
    /// The header names a column twice (case-insensitively): which one to read is ambiguous.
    #[error(
        "{file}:1: the {domain} header names {column} twice, as columns {first} and {second}: which one to read is ambiguous (rename or remove one)"
    )]
    DuplicateColumn {
        /// The file.
        file: String,
        /// TU, TR, DM or RS.
        domain: &'static str,
        /// The column name (upper case).
        column: String,
        /// 1-based position of its first occurrence.
        first: usize,
        /// 1-based position of the second.
        second: usize,
    },
    /// The file is not sorted by USUBJID (streaming needs it; the caller may fall back).
    #[error(
        "{file}:{row}: USUBJID `{subject}` comes after `{previous}`: the file is not sorted by USUBJID"
    )]
    Unsorted {
        /// The file.
        file: String,
        /// The row.
        row: u64,
        /// This row's subject.
        subject: String,
        /// The subject before it.
        previous: String,
    },
    /// Unsorted input larger than the in-memory limit.
    #[error(
        "{why}; the input holds more than {limit} rows, the limit for reading it into memory (--max-unsorted-rows, passed in {file}); sort TU, TR (and DM, RS) by USUBJID, e.g. `(head -n1 TR.csv; tail -n+2 TR.csv | LC_ALL=C sort -t, -k3,3 -s) > TR.sorted.csv` when USUBJID is the third column and no field holds a comma"
    )]
    TooLargeUnsorted {
        /// Why the input is read into memory (the first unsorted row: file, row, subjects).
        why: String,
        /// The limit.
        limit: u64,
        /// The file being read when the limit was passed.
        file: String,
    },
}

/// What [`InputError::MissingColumn`] adds when the header seems to use another separator.
fn separator_hint(separator: Option<char>) -> String {
    let Some(c) = separator else {
        return String::new();
    };
    let name = match c {
        '\t' => "tabs".to_string(),
        c => format!("`{c}`"),
    };
    format!(
        " (the header is a single column holding {name}: the file seems to be separated by {name}, not commas; recist reads comma-separated CSV)"
    )
}
