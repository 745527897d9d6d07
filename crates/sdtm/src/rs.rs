//! SDTM RS: the engine's responses written as rows, and recorded RS read back for comparison.

use std::collections::HashMap;

use chrono::NaiveDate;
use recist_model::{
    NewLesions, NonTargetResponse, OverallResponse, SubjectResult, TargetResponse, push_int,
    push_iso_date,
};
use recist_rules::RuleSet;

use crate::build::{EvalKey, visit_label};
use crate::dates::{PartialDates, parse_dtc};
use crate::error::{Place, Problem, SdtmError};
use crate::mapping::Mapping;
use crate::raw::{RawGroup, rs};

/// The header of `rs.csv`.
pub const RS_HEADER: &str = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC\n";

/// The RS tests recist writes and compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum RsTest {
    /// Target response.
    #[serde(rename = "TRGRESP")]
    Trgresp,
    /// Non-target response.
    #[serde(rename = "NTRGRESP")]
    Ntrgresp,
    /// New lesion indicator.
    #[serde(rename = "NEWLIND")]
    Newlind,
    /// Overall response.
    #[serde(rename = "OVRLRESP")]
    Ovrlresp,
    /// Best overall response.
    #[serde(rename = "BESTRESP")]
    Bestresp,
}

impl RsTest {
    /// Every test, in the order rows are written.
    pub const ALL: [RsTest; 5] = [
        RsTest::Trgresp,
        RsTest::Ntrgresp,
        RsTest::Newlind,
        RsTest::Ovrlresp,
        RsTest::Bestresp,
    ];

    /// `RSTESTCD`.
    pub const fn code(self) -> &'static str {
        match self {
            RsTest::Trgresp => "TRGRESP",
            RsTest::Ntrgresp => "NTRGRESP",
            RsTest::Newlind => "NEWLIND",
            RsTest::Ovrlresp => "OVRLRESP",
            RsTest::Bestresp => "BESTRESP",
        }
    }

    /// `RSTEST`.
    pub const fn name(self) -> &'static str {
        match self {
            RsTest::Trgresp => "Target Response",
            RsTest::Ntrgresp => "Non-target Response",
            RsTest::Newlind => "New Lesion Indicator",
            RsTest::Ovrlresp => "Overall Response",
            RsTest::Bestresp => "Best Overall Response",
        }
    }

    /// The values a recorded row of this test may hold once [`normalise`]d, and how an error
    /// lists them.
    pub const fn vocabulary(self) -> (&'static [&'static str], &'static str) {
        match self {
            RsTest::Trgresp => (
                &["CR", "PR", "SD", "PD", "NE", "NA"],
                "CR, PR, SD, PD, NE or NA",
            ),
            RsTest::Ntrgresp => (
                &["CR", "NON-CR/NON-PD", "PD", "NE", "NA"],
                "CR, NON-CR/NON-PD, PD, NE or NA",
            ),
            RsTest::Newlind => (&["Y", "N", "U"], "Y, N or U"),
            RsTest::Ovrlresp | RsTest::Bestresp => (
                &["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"],
                recist_model::RECIST_WORDS,
            ),
        }
    }

    /// The values a recorded row of this test may hold under an iRECIST rule set's `RSCAT`
    /// (one with an `irecist` section), and how an error lists them: OVRLRESP and BESTRESP
    /// in iRECIST's words (the engine's own RS under iRECIST writes them), the other tests as
    /// [`RsTest::vocabulary`].
    pub const fn irecist_vocabulary(self) -> (&'static [&'static str], &'static str) {
        match self {
            RsTest::Ovrlresp | RsTest::Bestresp => (
                &[
                    "iCR",
                    "iPR",
                    "iSD",
                    "NON-iCR/NON-iUPD",
                    "iUPD",
                    "iCPD",
                    "NE",
                ],
                recist_model::IRECIST_WORDS,
            ),
            other => other.vocabulary(),
        }
    }

    /// Parses an `RSTESTCD`.
    pub fn parse(code: &str) -> Option<RsTest> {
        RsTest::ALL
            .into_iter()
            .find(|t| t.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// `NEWLIND` of a new-lesion indicator: `Y`, `N`, and `U` (the CDISC NY codelist's unknown)
/// for an equivocal finding, which is not yet a new lesion.
pub const fn newlind(n: NewLesions) -> &'static str {
    match n {
        NewLesions::No => "N",
        NewLesions::Yes => "Y",
        NewLesions::Equivocal => "U",
    }
}

/// `BESTRESP` of a result: the confirmed best overall response when the rule set requires
/// confirmation, else the unconfirmed one.
pub fn bestresp(rules: &RuleSet, result: &SubjectResult) -> Option<OverallResponse> {
    if rules.doc().confirmation.required {
        result.confirmed_best_overall_response
    } else {
        result.best_overall_response
    }
}

/// A timepoint's visit, for `VISIT`, `VISITNUM` and `RSDTC`.
#[derive(Debug, Clone, PartialEq)]
pub struct RsVisit {
    /// `VISIT`.
    pub visit: String,
    /// `VISITNUM`.
    pub visitnum: String,
    /// The assessment date.
    pub date: NaiveDate,
    /// The latest scan date of the assessment (`date` when its scans are all of one day, and
    /// for a case file's assessment, which has one date): a recorded row of the visit dated
    /// from `date` to this agrees with it.
    pub last_scan: NaiveDate,
    /// `RSDTC` when it is not `date`: the date as collected when it was partial and imputed
    /// (`2021-02`); SDTM keeps what was collected, the imputation is in the results' warnings.
    pub dtc: Option<String>,
}

/// The identifying columns of one subject and evaluator's RS rows.
#[derive(Debug, Clone, Copy)]
pub struct RsUnit<'a> {
    /// `STUDYID`.
    pub studyid: &'a str,
    /// `USUBJID`.
    pub usubjid: &'a str,
    /// `RSEVAL`.
    pub eval: &'a str,
    /// `RSEVALID`.
    pub evalid: &'a str,
    /// `RSCAT`: the rule set's own value.
    pub rscat: &'a str,
    /// The assessments' visits.
    pub visits: &'a [RsVisit],
}

/// Appends one CSV field (quoted when needed), without separator.
pub fn push_field(out: &mut Vec<u8>, s: &str) {
    if needs_quotes(s) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Whether a CSV field needs quoting.
fn needs_quotes(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// `,RSTESTCD,RSTEST` of a test, in one piece.
const fn code_and_name(test: RsTest) -> &'static str {
    match test {
        RsTest::Trgresp => ",TRGRESP,Target Response",
        RsTest::Ntrgresp => ",NTRGRESP,Non-target Response",
        RsTest::Newlind => ",NEWLIND,New Lesion Indicator",
        RsTest::Ovrlresp => ",OVRLRESP,Overall Response",
        RsTest::Bestresp => ",BESTRESP,Best Overall Response",
    }
}

/// The parts of a unit's rows that do not change from row to row, quoted once, in one
/// buffer: `STUDYID,RS,USUBJID,` (before `RSSEQ`), `,RSCAT,` (after `RSTEST`, before
/// `RSORRES`), then the tail `,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC` and the newline (after
/// `RSSTRESC`), whose visit part changes from timepoint to timepoint.
struct RowParts {
    buf: Vec<u8>,
    /// Where `,RSCAT,` starts.
    cat_at: usize,
    /// Where the tail starts.
    tail_at: usize,
    /// Where the visit part of the tail starts.
    visit_at: usize,
}

impl RowParts {
    fn new(u: &RsUnit<'_>) -> RowParts {
        let mut buf = Vec::with_capacity(
            u.studyid.len() + u.usubjid.len() + u.rscat.len() + u.eval.len() + u.evalid.len() + 64,
        );
        push_field(&mut buf, u.studyid);
        buf.extend_from_slice(b",RS,");
        push_field(&mut buf, u.usubjid);
        buf.push(b',');
        let cat_at = buf.len();
        buf.push(b',');
        push_field(&mut buf, u.rscat);
        buf.push(b',');
        let tail_at = buf.len();
        buf.push(b',');
        push_field(&mut buf, u.eval);
        buf.push(b',');
        push_field(&mut buf, u.evalid);
        buf.push(b',');
        let visit_at = buf.len();
        RowParts {
            buf,
            cat_at,
            tail_at,
            visit_at,
        }
    }

    /// Sets the visit part of the tail: `VISIT,VISITNUM,RSDTC` (RSDTC empty without a date).
    /// Sets `VISIT`, `VISITNUM` and `RSDTC` (the date, or its text as collected when given).
    fn set_visit(&mut self, visit: &str, visitnum: &str, date: Option<(NaiveDate, Option<&str>)>) {
        self.buf.truncate(self.visit_at);
        push_field(&mut self.buf, visit);
        self.buf.push(b',');
        push_field(&mut self.buf, visitnum);
        self.buf.push(b',');
        match date {
            Some((_, Some(collected))) => push_field(&mut self.buf, collected),
            Some((date, None)) => push_iso_date(&mut self.buf, date),
            None => {}
        }
        self.buf.push(b'\n');
    }

    /// One row, with the visit last set; `values` is `RSORRES,RSSTRESC` (see [`Values`]).
    /// `note` is given the offset in `out` where the row's `RSSEQ` starts.
    fn push(
        &self,
        out: &mut Vec<u8>,
        seq: u32,
        test: RsTest,
        values: Values,
        note: &mut impl FnMut(usize),
    ) {
        let (head, rest) = self.buf.split_at(self.cat_at);
        let (cat, tail) = rest.split_at(self.tail_at - self.cat_at);
        out.extend_from_slice(head);
        note(out.len());
        push_int(out, i64::from(seq));
        out.extend_from_slice(code_and_name(test).as_bytes());
        out.extend_from_slice(cat);
        out.extend_from_slice(values.0.as_bytes());
        out.extend_from_slice(tail);
    }
}

/// `RSORRES,RSSTRESC` of a response: its code twice, in one piece (response codes are
/// vocabulary words, with nothing to quote).
#[derive(Debug, Clone, Copy)]
struct Values(&'static str);

impl Values {
    const fn target(r: TargetResponse) -> Values {
        Values(match r {
            TargetResponse::Cr => "CR,CR",
            TargetResponse::Pr => "PR,PR",
            TargetResponse::Sd => "SD,SD",
            TargetResponse::Pd => "PD,PD",
            TargetResponse::Ne => "NE,NE",
        })
    }

    const fn non_target(r: NonTargetResponse) -> Values {
        Values(match r {
            NonTargetResponse::Cr => "CR,CR",
            NonTargetResponse::NonCrNonPd => "NON-CR/NON-PD,NON-CR/NON-PD",
            NonTargetResponse::Pd => "PD,PD",
            NonTargetResponse::Ne => "NE,NE",
        })
    }

    /// [`newlind`] twice.
    const fn new_lesions(n: NewLesions) -> Values {
        Values(match n {
            NewLesions::No => "N,N",
            NewLesions::Yes => "Y,Y",
            NewLesions::Equivocal => "U,U",
        })
    }

    const fn overall(r: OverallResponse) -> Values {
        Values(match r {
            OverallResponse::Cr => "CR,CR",
            OverallResponse::Pr => "PR,PR",
            OverallResponse::Sd => "SD,SD",
            OverallResponse::NonCrNonPd => "NON-CR/NON-PD,NON-CR/NON-PD",
            OverallResponse::Pd => "PD,PD",
            OverallResponse::Ne => "NE,NE",
            OverallResponse::ICr => "iCR,iCR",
            OverallResponse::IPr => "iPR,iPR",
            OverallResponse::ISd => "iSD,iSD",
            OverallResponse::NonICrNonIUpd => "NON-iCR/NON-iUPD,NON-iCR/NON-iUPD",
            OverallResponse::IUpd => "iUPD,iUPD",
            OverallResponse::ICpd => "iCPD,iCPD",
        })
    }
}

/// The index of the first of `items` dated `date` (by `date_of`). `in_date_order` says the
/// items are sorted by date (as a subject's visits are): then a binary search, else a scan, so
/// that a subject with thousands of visits costs no more than their number times its log.
pub(crate) fn first_dated<T>(
    items: &[T],
    date: NaiveDate,
    in_date_order: bool,
    date_of: impl Fn(&T) -> NaiveDate,
) -> Option<usize> {
    if in_date_order {
        let i = items.partition_point(|v| date_of(v) < date);
        items.get(i).filter(|v| date_of(v) == date).map(|_| i)
    } else {
        items.iter().position(|v| date_of(v) == date)
    }
}

/// Writes a result's RS rows (every follow-up timepoint's TRGRESP, NTRGRESP, NEWLIND,
/// OVRLRESP, then BESTRESP); `seq` is the subject's running RSSEQ. Returns rows written.
pub fn write_rs(
    out: &mut Vec<u8>,
    seq: &mut u32,
    unit: &RsUnit<'_>,
    result: &SubjectResult,
    best: Option<OverallResponse>,
) -> usize {
    write_rs_noting(out, seq, unit, result, best, |_| {})
}

/// [`write_rs`], giving `note` the offset in `out` of each row's `RSSEQ` (so that a run of
/// RSSEQ that another piece of output continues can be renumbered later).
pub fn write_rs_noting(
    out: &mut Vec<u8>,
    seq: &mut u32,
    unit: &RsUnit<'_>,
    result: &SubjectResult,
    best: Option<OverallResponse>,
    mut note: impl FnMut(usize),
) -> usize {
    let mut parts = RowParts::new(unit);
    let mut n = 0;
    let in_date_order = unit.visits.is_sorted_by_key(|v| v.date);
    for tp in &result.timepoints {
        let Some(f) = &tp.follow_up else { continue };
        let (visit, visitnum, dtc) = first_dated(unit.visits, tp.date, in_date_order, |v| v.date)
            .and_then(|i| unit.visits.get(i))
            .map(|v| (v.visit.as_str(), v.visitnum.as_str(), v.dtc.as_deref()))
            .unwrap_or(("", "", None));
        parts.set_visit(visit, visitnum, Some((tp.date, dtc)));
        let values = [
            (RsTest::Trgresp, f.target.map(Values::target)),
            (RsTest::Ntrgresp, f.non_target.map(Values::non_target)),
            (RsTest::Newlind, Some(Values::new_lesions(f.new_lesions))),
            (RsTest::Ovrlresp, Some(Values::overall(f.overall))),
        ];
        for (test, value) in values {
            if let Some(v) = value {
                *seq += 1;
                n += 1;
                parts.push(out, *seq, test, v, &mut note);
            }
        }
    }
    if let Some(b) = best {
        *seq += 1;
        n += 1;
        parts.set_visit("", "", None);
        parts.push(out, *seq, RsTest::Bestresp, Values::overall(b), &mut note);
    }
    n
}

/// A recorded RS row, normalised for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRow {
    /// 1-based line.
    pub line: u64,
    /// Evaluator.
    pub eval: EvalKey,
    /// The test.
    pub test: RsTest,
    /// The value, normalised ([`normalise`]).
    pub value: String,
    /// `RSCAT`, upper-cased; for an OVRLRESP or BESTRESP in iRECIST's words given with no
    /// `RSCAT`, the compared iRECIST rule set's (it is a record of that reading only).
    pub cat: String,
    /// `VISIT`.
    pub visit: String,
    /// `VISITNUM`.
    pub visitnum: String,
    /// `RSDTC` as a date, when it is one.
    pub date: Option<NaiveDate>,
    /// The first and last day `RSDTC` may name: `date` twice for a full date, the whole month
    /// or year of a partial one imputed (`--partial-dates`); `None` without a date.
    pub dates: Option<(NaiveDate, NaiveDate)>,
    /// The index, among the engine's visits of its evaluator as [`read_recorded`] was given
    /// them, of the visit the row is of ([`RecordedRow::visit_in`]); `None` when they were not
    /// given, the row names none of them, or it is a `BESTRESP`.
    pub at: Option<usize>,
}

/// Normalises a response for comparison: upper case, spaces dropped in `NON-CR/NON-PD`,
/// `NOT EVALUABLE` as `NE`, `NEWLIND` as `Y`/`N`/`U`; an OVRLRESP or BESTRESP in iRECIST's
/// words as written in `results.md` (`ICR` → `iCR`, `Non-iCR / Non-iUPD` →
/// `NON-iCR/NON-iUPD`).
pub fn normalise(test: RsTest, value: &str) -> String {
    let v = value.trim().to_ascii_uppercase();
    let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    if test == RsTest::Newlind {
        return match compact.as_str() {
            "Y" | "YES" => "Y".into(),
            "N" | "NO" => "N".into(),
            "U" | "UNK" | "UNKNOWN" | "EQUIVOCAL" | "EQUIV" => "U".into(),
            _ => v,
        };
    }
    if matches!(test, RsTest::Ovrlresp | RsTest::Bestresp) {
        // iRECIST's words, in their own case.
        let irecist = match compact.as_str() {
            "ICR" => Some("iCR"),
            "IPR" => Some("iPR"),
            "ISD" => Some("iSD"),
            "IUPD" => Some("iUPD"),
            "ICPD" => Some("iCPD"),
            _ => None,
        };
        if let Some(w) = irecist {
            return w.into();
        }
    }
    // iRECIST's NON-iCR/NON-iUPD is a word of OVRLRESP and BESTRESP only.
    match recist_model::standard_spelling(&compact) {
        Some(w)
            if w != "NON-iCR/NON-iUPD" || matches!(test, RsTest::Ovrlresp | RsTest::Bestresp) =>
        {
            return w.into();
        }
        _ => {}
    }
    match compact.as_str() {
        "NA" | "NOTAPPLICABLE" => "NA".into(),
        _ => v,
    }
}

/// A compared rule set's reading of recorded RS: its `RSCAT` and whether it is iRECIST's
/// (the rule set has an `irecist` section), whose OVRLRESP and BESTRESP are in iRECIST's words
/// ([`RsTest::irecist_vocabulary`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCategory {
    /// `RSCAT`, upper-cased.
    pub rscat: String,
    /// Whether the rule set has an `irecist` section.
    pub irecist: bool,
}

impl From<&str> for RecordedCategory {
    /// A RECIST 1.1 or mRECIST reading (not iRECIST's) of this `RSCAT`.
    fn from(rscat: &str) -> Self {
        RecordedCategory {
            rscat: rscat.to_ascii_uppercase(),
            irecist: false,
        }
    }
}

/// A subject's recorded RS rows, as read for comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordedRows {
    /// The rows of a test recist writes, in file order.
    pub rows: Vec<RecordedRow>,
    /// Rows of a test recist does not write (not compared).
    pub not_compared: u64,
    /// Rows of a test recist writes whose `RSCAT` is none of the compared ones (nor empty):
    /// not compared, and not checked further.
    pub other_category: u64,
    /// Rows refused by themselves, in line order: malformed, not UTF-8, of no subject, with
    /// an `RSDTC` that is not a date (a partial one unless imputation was chosen), with a
    /// response not of their test's vocabulary (or none), a repeat of another row's value for
    /// the same record, or one of several rows giving different values for one record (see
    /// [`read_recorded`]). They are not compared.
    pub refused: Vec<SdtmError>,
}

/// What a recorded value is of, within its subject and besides its `RSCAT`: evaluator, test
/// and visit. Two rows with one key and one `RSCAT` (or either with none) are the same record
/// given twice.
#[derive(Debug, PartialEq, Eq, Hash)]
struct RecordKey<'r> {
    eval: &'r EvalKey,
    test: RsTest,
    visit: VisitKey<'r>,
}

/// The visit of a recorded row as the comparison matches it: the engine's visit the row
/// names, when its evaluator's visits are known and it names one ([`RecordedRow::visit_in`]);
/// else `VISITNUM` when given (as a number when it is one), else `VISIT`
/// (case-insensitively), else `RSDTC`. `BESTRESP` has none.
#[derive(Debug, PartialEq, Eq, Hash)]
enum VisitKey<'r> {
    /// `BESTRESP`: one per subject, evaluator and `RSCAT`.
    Subject,
    /// The engine's visit (its index among the unit's visits) that the row names, however it
    /// names it.
    At(usize),
    /// A numeric `VISITNUM` (its bits, `-0` as `0`).
    Number(u64),
    /// A `VISITNUM` that is not a number, as written.
    NumberText(&'r str),
    /// `VISIT`, upper-cased.
    Visit(String),
    /// `RSDTC`, when neither is given.
    Date(Option<NaiveDate>),
}

impl RecordedRow {
    fn key(&self) -> RecordKey<'_> {
        let visit = if self.test == RsTest::Bestresp {
            VisitKey::Subject
        } else if let Some(i) = self.at {
            VisitKey::At(i)
        } else if !self.visitnum.is_empty() {
            match self.visitnum.parse::<f64>() {
                Ok(n) if n.is_finite() => VisitKey::Number((n + 0.0).to_bits()),
                _ => VisitKey::NumberText(&self.visitnum),
            }
        } else if !self.visit.is_empty() {
            VisitKey::Visit(self.visit.to_ascii_uppercase())
        } else {
            VisitKey::Date(self.date)
        };
        RecordKey {
            eval: &self.eval,
            test: self.test,
            visit,
        }
    }

    /// The index in `visits` (the engine's visits of the row's subject and evaluator) of the
    /// visit this row is of: the one with its `VISITNUM` (compared as a number, so `2` and
    /// `2.0` are one) when it gives one; else the one named its `VISIT` (case-insensitively);
    /// else the one whose scans span its `RSDTC` (any day from the visit's first scan to its
    /// last: RS is often dated by the last scan of a visit spanning several days). When several
    /// visits answer (two `UNSCHEDULED` visits, say), `RSDTC` picks the one whose scans span
    /// it, else the one dated it; failing that, none: which visit the row is of is unknown.
    /// `BESTRESP` is of no visit.
    pub fn visit_in(&self, visits: &[RsVisit]) -> Option<usize> {
        if self.test == RsTest::Bestresp
            || (self.visitnum.is_empty() && self.visit.is_empty() && self.date.is_none())
        {
            return None;
        }
        // The row's VISITNUM as a number, parsed once: two VISITNUMs are one when equal as
        // written, else as numbers when both are.
        let number = if self.visitnum.is_empty() {
            None
        } else {
            self.visitnum.parse::<f64>().ok()
        };
        let spans = |v: &RsVisit| self.date.is_some_and(|d| v.date <= d && d <= v.last_scan);
        let named = |v: &RsVisit| {
            if !self.visitnum.is_empty() {
                v.visitnum == self.visitnum
                    || number.is_some_and(|n| v.visitnum.parse::<f64>().is_ok_and(|m| m == n))
            } else if !self.visit.is_empty() {
                self.visit.eq_ignore_ascii_case(&v.visit)
            } else {
                spans(v)
            }
        };
        // The one visit named that also passes `also`, if exactly one does.
        let only = |also: &dyn Fn(&RsVisit) -> bool| {
            let mut found = visits
                .iter()
                .enumerate()
                .filter(|(_, v)| named(v) && also(v))
                .map(|(i, _)| i);
            match (found.next(), found.next()) {
                (Some(i), None) => Some(i),
                _ => None,
            }
        };
        only(&|_| true)
            .or_else(|| only(&spans))
            .or_else(|| only(&|v| Some(v.date) == self.date))
    }

    /// How fully the row names its record, best first: a `VISITNUM`, else a `VISIT`, else
    /// a date alone; an `RSCAT` given before none. Of rows repeating one value for one
    /// record, the one named best is kept (the first of those in the file).
    fn naming_rank(&self) -> (u8, bool) {
        let visit = if !self.visitnum.is_empty() {
            0
        } else if !self.visit.is_empty() {
            1
        } else {
            2
        };
        (visit, self.cat.is_empty())
    }

    /// The visit as errors name it (`VISIT`, else `VISITNUM`, else the date), if any.
    fn visit_label(&self) -> Option<String> {
        if self.test == RsTest::Bestresp && self.visit.is_empty() && self.visitnum.is_empty() {
            return None;
        }
        let date = self.date.map(|d| d.to_string()).unwrap_or_default();
        Some(visit_label(&self.visit, &self.visitnum, &date)).filter(|v| !v.is_empty())
    }
}

/// The engine's visits of a subject's evaluators, for [`read_recorded`]: `None` for an
/// evaluator whose visits are not known (no TU/TR data, or refused while reading).
pub type VisitsOf<'v> = &'v dyn Fn(&EvalKey) -> Option<&'v [RsVisit]>;

/// Refuses the rows that give one record (subject, evaluator, `RSCAT`, test and visit) more
/// than once, so that which of them is compared never depends on row order. The visit is the
/// engine's visit a row names when its evaluator's visits are known ([`RecordedRow::at`]),
/// however the row names it (`VISITNUM`, `VISIT` or `RSDTC`); a row with no `RSCAT` is of every compared
/// `RSCAT`. Rows giving different values for one record are all refused, each naming the
/// others; then, of rows repeating one value, the one that names the record best
/// ([`RecordedRow::naming_rank`], then the first in the file) is kept and the others are
/// refused as its duplicates.
fn refuse_repeated(
    rows: &mut Vec<RecordedRow>,
    refused: &mut Vec<SdtmError>,
    place: impl Fn(&RecordedRow) -> Place,
) {
    if rows.len() < 2 {
        return;
    }
    let mut groups: HashMap<RecordKey<'_>, Vec<usize>> = HashMap::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        groups.entry(r.key()).or_default().push(i);
    }
    let mut problems: Vec<Option<Problem>> = vec![None; rows.len()];
    for same in groups.values().filter(|v| v.len() > 1) {
        let row = |i: &usize| rows.get(*i);
        // One record per RSCAT given (a row with none being of each), or one when none is.
        let mut cats: Vec<&str> = same
            .iter()
            .filter_map(row)
            .map(|r| r.cat.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        cats.sort_unstable();
        cats.dedup();
        let records: Vec<Vec<usize>> = if cats.len() < 2 {
            vec![same.clone()]
        } else {
            cats.iter()
                .map(|c| {
                    same.iter()
                        .copied()
                        .filter(|&i| row(&i).is_some_and(|r| r.cat.is_empty() || r.cat == *c))
                        .collect()
                })
                .collect()
        };
        for record in records.iter().filter(|r| r.len() > 1) {
            let of: Vec<&RecordedRow> = record.iter().filter_map(row).collect();
            let Some(first) = of.first() else { continue };
            if of.iter().all(|r| r.value == first.value) {
                continue;
            }
            for (&i, r) in record.iter().zip(&of) {
                if let Some(p @ None) = problems.get_mut(i) {
                    *p = Some(Problem::ConflictingRecorded {
                        test: r.test.code().to_string(),
                        value: r.value.clone(),
                        others: of
                            .iter()
                            .filter(|o| o.line != r.line)
                            .map(|o| (o.line, o.value.clone()))
                            .collect(),
                    });
                }
            }
        }
        for record in &records {
            let mut left: Vec<&RecordedRow> = record
                .iter()
                .filter(|&&i| problems.get(i).is_some_and(Option::is_none))
                .filter_map(row)
                .collect();
            left.sort_by_key(|r| (r.naming_rank(), r.line));
            let Some((kept, repeats)) = left.split_first() else {
                continue;
            };
            for r in repeats {
                let Some(i) = record
                    .iter()
                    .copied()
                    .find(|&i| row(&i).is_some_and(|o| o.line == r.line))
                else {
                    continue;
                };
                if let Some(p) = problems.get_mut(i) {
                    *p = Some(Problem::Duplicate {
                        test: format!("{} ({})", r.test.code(), r.value),
                        first_row: kept.line,
                        of: "evaluator, RSCAT and visit",
                    });
                }
            }
        }
    }
    let mut kept = Vec::with_capacity(rows.len());
    for (r, problem) in rows.drain(..).zip(problems) {
        match problem {
            Some(problem) => refused.push(SdtmError {
                place: place(&r),
                problem,
            }),
            None => kept.push(r),
        }
    }
    *rows = kept;
}

/// Reads a subject's recorded RS rows (from `file`) for comparison with the rule sets whose
/// `RSCAT`s (upper-cased) are `categories`: rows with a test recist does not write, and rows
/// whose `RSCAT` is not empty and none of `categories`, are counted and skipped; unreadable
/// rows, rows with a bad `RSDTC` and rows whose response is not a word of their test
/// ([`RsTest::vocabulary`], after [`normalise`]; or is blank) are refused, each with its
/// place. So are rows that give one record (evaluator, `RSCAT`, test and visit; `BESTRESP`
/// has no visit) more than once: when the values differ every one of the rows is refused; of
/// rows repeating one value, the one that names the record best is kept (a `VISITNUM` before
/// a `VISIT` before a date alone, an `RSCAT` before none, then the first in the file) and the
/// others are refused as its duplicates. So which rows are compared never depends on their
/// order.
///
/// A row with no `RSCAT` gives the record of every compared `RSCAT`. The visit is the one of
/// `visits` (the engine's visits of the row's evaluator, when known) that the row names
/// ([`RecordedRow::visit_in`], as the comparison matches it), so that rows naming one visit
/// in different ways (by `VISITNUM`, by `VISIT` alone, by `RSDTC` alone) are one record and
/// two visits of one `VISIT` name are told apart by `RSDTC`; for a row naming none of them
/// (or whose evaluator has none), `VISITNUM` as a number when given, else `VISIT`
/// case-insensitively, else `RSDTC`.
pub fn read_recorded(
    g: &RawGroup,
    file: &str,
    mapping: &Mapping,
    partial_dates: PartialDates,
    categories: &[RecordedCategory],
    visits: VisitsOf<'_>,
) -> RecordedRows {
    let mut out = RecordedRows {
        rows: Vec::with_capacity(g.len()),
        ..RecordedRows::default()
    };
    let place = |line: u64, attributed: bool| Place {
        file: file.to_string(),
        row: Some(line),
        subject: (attributed && !g.key.is_empty()).then(|| g.key.clone()),
        ..Place::default()
    };
    for b in &g.bad {
        out.refused.push(SdtmError {
            place: place(b.line, b.attributed),
            problem: b.problem.clone(),
        });
    }
    for r in 0..g.len() {
        if !g.row_is_utf8(r) {
            out.refused.push(SdtmError {
                place: place(g.line(r), true),
                problem: Problem::Malformed("a field is not valid UTF-8".into()),
            });
            continue;
        }
        let Some(test) = RsTest::parse(g.get(r, rs::TESTCD)) else {
            out.not_compared += 1;
            continue;
        };
        let cat = g.get(r, rs::CAT);
        let category = categories
            .iter()
            .find(|c| c.rscat.eq_ignore_ascii_case(cat));
        if !cat.is_empty() && category.is_none() {
            out.other_category += 1;
            continue;
        }
        let (orres, stresc) = (g.get(r, rs::ORRES), g.get(r, rs::STRESC));
        let value = if stresc.is_empty() { orres } else { stresc };
        let eval = EvalKey::new(g.get(r, rs::EVAL), g.get(r, rs::EVALID), mapping);
        let dtc = g.get(r, rs::DTC);
        let normalised = normalise(test, value);
        let mut row_cat = cat.to_ascii_uppercase();
        let checked = match parse_dtc(dtc, "RSDTC", partial_dates) {
            Err(problem) => Err(problem),
            // Both results given, both words of the test, naming different responses: which
            // holds is unknown. An RSORRES that is no word (`Partial Response`) is the
            // collected text RSSTRESC standardises, and RSSTRESC holds; an RSSTRESC that is
            // no word is read, and refused as an unknown response whatever RSORRES says.
            Ok(_)
                if !stresc.is_empty() && !orres.is_empty() && is_word(test, &normalised) && {
                    let o = normalise(test, orres);
                    o != normalised && is_word(test, &o)
                } =>
            {
                Err(Problem::RecordedDisagree {
                    test: test.code(),
                    orres: orres.to_string(),
                    stresc: stresc.to_string(),
                })
            }
            Ok(d) => words_of(test, &normalised, category, categories)
                .map(|reading| {
                    if let Some(rscat) = reading {
                        row_cat = rscat.to_string();
                    }
                    d.map(|d| (d.date, d.period()))
                })
                .map_err(|w| w.problem(test, value, cat)),
        };
        let (date, dates) = match checked {
            Ok(d) => (d.map(|d| d.0), d.map(|d| d.1)),
            Err(problem) => {
                let (visit, visitnum) = (g.get(r, rs::VISIT), g.get(r, rs::VISITNUM));
                let mut place = place(g.line(r), true);
                place.evaluator = Some(eval.label());
                place.visit = Some(visit_label(visit, visitnum, dtc)).filter(|v| !v.is_empty());
                out.refused.push(SdtmError { place, problem });
                continue;
            }
        };
        out.rows.push(RecordedRow {
            line: g.line(r),
            eval,
            test,
            value: normalised,
            cat: row_cat,
            visit: g.get(r, rs::VISIT).to_string(),
            visitnum: g.get(r, rs::VISITNUM).to_string(),
            date,
            dates,
            at: None,
        });
    }
    for r in &mut out.rows {
        r.at = visits(&r.eval).and_then(|v| r.visit_in(v));
    }
    refuse_repeated(&mut out.rows, &mut out.refused, |r| {
        let mut place = place(r.line, true);
        place.evaluator = Some(r.eval.label());
        place.visit = r.visit_label();
        place
    });
    if !out.refused.is_empty() {
        out.refused.sort_by_key(|e| e.place.row);
    }
    out
}

/// Whether a normalised recorded value is a word of its test in either vocabulary
/// (RECIST 1.1's or iRECIST's).
fn is_word(test: RsTest, value: &str) -> bool {
    test.vocabulary().0.contains(&value) || test.irecist_vocabulary().0.contains(&value)
}

/// Why a recorded response is not read.
enum NotRead {
    /// Not a word of its reading (`expected`).
    Unknown(&'static str),
    /// A word of the other vocabulary (`vocabulary`'s) than its `RSCAT`'s reading.
    Mixed {
        vocabulary: &'static str,
        expected: &'static str,
    },
}

impl NotRead {
    fn problem(self, test: RsTest, value: &str, rscat: &str) -> Problem {
        match self {
            NotRead::Unknown(expected) => Problem::UnknownResponse {
                test: test.code(),
                value: value.to_string(),
                expected,
            },
            NotRead::Mixed {
                vocabulary,
                expected,
            } => Problem::MixedVocabulary {
                test: test.code(),
                value: value.to_string(),
                vocabulary,
                rscat: rscat.to_string(),
                expected,
            },
        }
    }
}

/// Whether a normalised recorded response is a word of the reading its `RSCAT` names
/// (`category`; `None` for a row with no `RSCAT`) among the compared `categories`: under an
/// iRECIST reading's `RSCAT` iRECIST's words, under another's RECIST 1.1's; a row with no
/// `RSCAT` in RECIST 1.1's words gives the record of every compared reading (as before), one
/// in iRECIST's words that of the first iRECIST reading compared, whose `RSCAT` is returned
/// (it is no record of RECIST 1.1's or mRECIST's). A word of the other vocabulary than its
/// `RSCAT`'s is refused as mixed (one reading is in one vocabulary).
fn words_of<'c>(
    test: RsTest,
    value: &str,
    category: Option<&RecordedCategory>,
    categories: &'c [RecordedCategory],
) -> Result<Option<&'c str>, NotRead> {
    let (recist, recist_expected) = test.vocabulary();
    let (irecist, irecist_expected) = test.irecist_vocabulary();
    let in_recist = recist.contains(&value);
    let in_irecist = irecist.contains(&value);
    let irecist_reading = categories.iter().find(|c| c.irecist);
    match category {
        Some(c) if c.irecist => match (in_irecist, in_recist) {
            (true, _) => Ok(None),
            (false, true) => Err(NotRead::Mixed {
                vocabulary: "RECIST 1.1",
                expected: irecist_expected,
            }),
            (false, false) => Err(NotRead::Unknown(irecist_expected)),
        },
        Some(_) => match (in_recist, in_irecist && irecist_reading.is_some()) {
            (true, _) => Ok(None),
            (false, true) => Err(NotRead::Mixed {
                vocabulary: "iRECIST",
                expected: recist_expected,
            }),
            (false, false) => Err(NotRead::Unknown(recist_expected)),
        },
        None if in_recist => Ok(None),
        None => match irecist_reading {
            Some(c) if in_irecist => Ok(Some(c.rscat.as_str())),
            _ => Err(NotRead::Unknown(recist_expected)),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_first_dated_item_is_found_alike_by_search_and_scan() {
        let d = |day: u32| NaiveDate::from_ymd_opt(2020, 1, day).unwrap();
        let sorted = [d(1), d(3), d(3), d(5), d(9)];
        let unsorted = [d(5), d(3), d(1), d(3), d(9)];
        for day in 1..=10 {
            let want = sorted.iter().position(|&x| x == d(day));
            assert_eq!(
                first_dated(&sorted, d(day), true, |&x| x),
                want,
                "day {day}"
            );
            assert_eq!(first_dated(&sorted, d(day), false, |&x| x), want);
            let want = unsorted.iter().position(|&x| x == d(day));
            assert_eq!(first_dated(&unsorted, d(day), false, |&x| x), want);
        }
        assert_eq!(first_dated(&[] as &[NaiveDate], d(1), true, |&x| x), None);
    }

    /// The doubled codes are each response's field written twice, as the general path would.
    #[test]
    fn values_are_the_code_twice() {
        let twice = |v: &str| {
            let mut out = Vec::new();
            push_field(&mut out, v);
            out.push(b',');
            push_field(&mut out, v);
            String::from_utf8(out).unwrap()
        };
        use NonTargetResponse as N;
        use OverallResponse as O;
        use TargetResponse as T;
        for r in [T::Cr, T::Pr, T::Sd, T::Pd, T::Ne] {
            assert_eq!(Values::target(r).0, twice(r.as_str()));
        }
        for r in [N::Cr, N::NonCrNonPd, N::Pd, N::Ne] {
            assert_eq!(Values::non_target(r).0, twice(r.as_str()));
        }
        for n in [NewLesions::No, NewLesions::Yes, NewLesions::Equivocal] {
            assert_eq!(Values::new_lesions(n).0, twice(newlind(n)));
        }
        for r in [O::Cr, O::Pr, O::Sd, O::NonCrNonPd, O::Pd, O::Ne] {
            assert_eq!(Values::overall(r).0, twice(r.as_str()));
        }
    }

    #[test]
    fn fields_are_quoted_when_needed() {
        let mut out = Vec::new();
        push_field(&mut out, "a,b");
        push_field(&mut out, "say \"x\"");
        push_field(&mut out, "plain");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a,b\"\"say \"\"x\"\"\"plain"
        );
    }

    /// The row pieces written in one go are those of the general code.
    #[test]
    fn row_pieces_are_the_fields() {
        for t in RsTest::ALL {
            assert_eq!(code_and_name(t), format!(",{},{}", t.code(), t.name()));
        }
        let unit = RsUnit {
            studyid: "S,1",
            usubjid: "U",
            eval: "E",
            evalid: "",
            rscat: "C",
            visits: &[],
        };
        let mut parts = RowParts::new(&unit);
        parts.set_visit(
            "V",
            "1",
            NaiveDate::from_ymd_opt(2020, 1, 1).map(|d| (d, None)),
        );
        for r in [OverallResponse::Pr, OverallResponse::NonCrNonPd] {
            let value = r.as_str();
            let mut out = Vec::new();
            parts.push(
                &mut out,
                7,
                RsTest::Ovrlresp,
                Values::overall(r),
                &mut |_| {},
            );
            let mut want = b"\"S,1\",RS,U,7,OVRLRESP,Overall Response,C,".to_vec();
            push_field(&mut want, value);
            want.push(b',');
            push_field(&mut want, value);
            want.extend_from_slice(b",E,,V,1,2020-01-01\n");
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }

    /// A recorded RS row of subject S1: test, value, VISIT, VISITNUM, RSDTC.
    fn rs_row(g: &mut RawGroup, line: u64, (test, value, visit, vnum, dtc): RsFields<'_>) {
        let mut f = [""; 11];
        (f[rs::USUBJID], f[rs::TESTCD], f[rs::STRESC]) = ("S1", test, value);
        (f[rs::CAT], f[rs::VISIT], f[rs::VISITNUM], f[rs::DTC]) = ("RECIST 1.1", visit, vnum, dtc);
        g.push(line, &f);
    }

    type RsFields<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

    fn read_rows(rows: &[RsFields<'_>]) -> RecordedRows {
        let mut g = RawGroup::with_columns("S1".into(), 11);
        for (i, r) in rows.iter().enumerate() {
            rs_row(&mut g, i as u64 + 2, *r);
        }
        let mapping = Mapping::bundled().unwrap();
        read_recorded(
            &g,
            "RS.csv",
            &mapping,
            PartialDates::Refuse,
            &["RECIST 1.1".into()],
            &|_| None,
        )
    }

    /// (line, code, message) of each refused row.
    fn refusals(r: &RecordedRows) -> Vec<(u64, &'static str, String)> {
        r.refused
            .iter()
            .map(|e| (e.place.row.unwrap(), e.problem.code(), e.to_string()))
            .collect()
    }

    #[test]
    fn a_repeated_record_with_the_same_value_keeps_the_first_row() {
        // VISITNUM 2 and 2.0 are one visit; the value is compared normalised.
        let r = read_rows(&[
            ("OVRLRESP", "SD", "WEEK 6", "2", "2020-02-01"),
            ("OVRLRESP", "PR", "WEEK 12", "3", "2020-03-01"),
            ("OVRLRESP", "sd", "Week 6", "2.0", "2020-02-01"),
            ("BESTRESP", "PR", "", "", ""),
            ("BESTRESP", "PR", "", "", ""),
        ]);
        let lines: Vec<u64> = r.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 5]);
        let refused = refusals(&r);
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert_eq!((refused[0].0, refused[0].1), (4, "duplicate-row"));
        assert_eq!(
            refused[0].2,
            "RS.csv:4: subject `S1`: evaluator INVESTIGATOR: visit Week 6: duplicate of row 2: \
             the same OVRLRESP (SD) for this evaluator, RSCAT and visit"
        );
        assert_eq!((refused[1].0, refused[1].1), (6, "duplicate-row"));
        assert!(
            refused[1].2.contains("duplicate of row 5"),
            "{}",
            refused[1].2
        );
        assert_eq!(r.refused[1].place.visit, None);
    }

    #[test]
    fn conflicting_records_are_all_refused_whatever_their_order() {
        let rows = [
            ("OVRLRESP", "SD", "WEEK 6", "2", "2020-02-01"),
            ("OVRLRESP", "PR", "WEEK 12", "3", "2020-03-01"),
            ("OVRLRESP", "PD", "WEEK 6", "2", "2020-02-01"),
            ("OVRLRESP", "SD", "", "2", ""),
            // Without VISITNUM, VISIT case-insensitively; without either, RSDTC.
            ("TRGRESP", "SD", "Week 6", "", "2020-02-01"),
            ("TRGRESP", "PD", "WEEK 6", "", "2020-02-02"),
            ("NEWLIND", "Y", "", "", "2020-02-01"),
            ("NEWLIND", "N", "", "", "2020-02-01"),
            ("NEWLIND", "N", "", "", "2020-02-08"),
        ];
        let r = read_rows(&rows);
        let lines: Vec<u64> = r.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 10]);
        let refused = refusals(&r);
        let places: Vec<(u64, &str)> = refused.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(
            places,
            [
                (2, "conflicting-values"),
                (4, "conflicting-values"),
                (5, "conflicting-values"),
                (6, "conflicting-values"),
                (7, "conflicting-values"),
                (8, "conflicting-values"),
                (9, "conflicting-values"),
            ]
        );
        assert_eq!(
            refused[0].2,
            "RS.csv:2: subject `S1`: evaluator INVESTIGATOR: visit WEEK 6: OVRLRESP: this row \
             says SD, row 4 says PD, row 5 says SD: conflicting recorded values for this \
             evaluator, RSCAT and visit, so none of these rows is compared"
        );
        assert!(
            refused[1]
                .2
                .contains("this row says PD, row 2 says SD, row 5 says SD")
        );
        // The same rows in reverse order: the same rows kept, the same rows refused.
        let mut reversed = rows;
        reversed.reverse();
        let r = read_rows(&reversed);
        let kept: Vec<(RsTest, &str)> = r.rows.iter().map(|r| (r.test, r.value.as_str())).collect();
        assert_eq!(kept, [(RsTest::Newlind, "N"), (RsTest::Ovrlresp, "PR")]);
        assert_eq!(r.refused.len(), 7);
    }

    /// Two engine visits named `UNSCHEDULED` (VISITNUM 2.1 and 3.1) between WEEK 6 and
    /// WEEK 12.
    fn visits() -> Vec<RsVisit> {
        let v = |visit: &str, visitnum: &str, day: u32| RsVisit {
            visit: visit.into(),
            visitnum: visitnum.into(),
            date: NaiveDate::from_ymd_opt(2020, 2, day).unwrap(),
            last_scan: NaiveDate::from_ymd_opt(2020, 2, day).unwrap(),
            dtc: None,
        };
        vec![
            v("SCREENING", "1", 1),
            v("WEEK 6", "2", 5),
            v("UNSCHEDULED", "2.1", 9),
            v("UNSCHEDULED", "3.1", 13),
            v("WEEK 12", "3", 17),
        ]
    }

    /// Rows of S1 (test, value, RSCAT, VISIT, VISITNUM, RSDTC) read against [`visits`] for
    /// RSCATs `RECIST 1.1` and `MRECIST`.
    fn read_against_visits(rows: &[(&str, &str, &str, &str, &str, &str)]) -> RecordedRows {
        let mut g = RawGroup::with_columns("S1".into(), 11);
        for (i, (test, value, cat, visit, vnum, dtc)) in rows.iter().enumerate() {
            let mut f = [""; 11];
            (f[rs::USUBJID], f[rs::TESTCD], f[rs::STRESC], f[rs::CAT]) = ("S1", test, value, cat);
            (f[rs::VISIT], f[rs::VISITNUM], f[rs::DTC]) = (visit, vnum, dtc);
            g.push(i as u64 + 2, &f);
        }
        let visits = visits();
        read_recorded(
            &g,
            "RS.csv",
            &Mapping::bundled().unwrap(),
            PartialDates::Refuse,
            &["RECIST 1.1".into(), "MRECIST".into()],
            &|_| Some(&visits),
        )
    }

    fn row(test: RsTest, visit: &str, visitnum: &str, date: Option<u32>) -> RecordedRow {
        RecordedRow {
            line: 2,
            eval: EvalKey::new("", "", &Mapping::bundled().unwrap()),
            test,
            value: "SD".into(),
            cat: String::new(),
            visit: visit.into(),
            visitnum: visitnum.into(),
            date: date.and_then(|d| NaiveDate::from_ymd_opt(2020, 2, d)),
            dates: date
                .and_then(|d| NaiveDate::from_ymd_opt(2020, 2, d))
                .map(|d| (d, d)),
            at: None,
        }
    }

    #[test]
    fn a_row_names_the_visit_of_its_visitnum_else_its_visit_else_its_date() {
        let v = visits();
        let at = |visit: &str, visitnum: &str, date: Option<u32>| {
            row(RsTest::Ovrlresp, visit, visitnum, date).visit_in(&v)
        };
        // VISITNUM wins, as a number, whatever VISIT and RSDTC say.
        assert_eq!(at("WEEK 12", "2.0", Some(17)), Some(1));
        assert_eq!(at("", "3.10", None), Some(3));
        assert_eq!(at("WEEK 6", "9", Some(5)), None);
        // VISIT, case-insensitively, whatever RSDTC says.
        assert_eq!(at("week 6", "", Some(17)), Some(1));
        assert_eq!(at("WEEK 6", "", None), Some(1));
        // A VISIT two visits have: RSDTC tells which, else none.
        assert_eq!(at("Unscheduled", "", Some(13)), Some(3));
        assert_eq!(at("UNSCHEDULED", "", Some(9)), Some(2));
        assert_eq!(at("UNSCHEDULED", "", Some(5)), None);
        assert_eq!(at("UNSCHEDULED", "", None), None);
        // RSDTC alone.
        assert_eq!(at("", "", Some(17)), Some(4));
        assert_eq!(at("", "", Some(18)), None);
        assert_eq!(row(RsTest::Bestresp, "", "", None).visit_in(&v), None);
    }

    /// The visit of a recorded OVRLRESP row with `VISIT` and `RSDTC` (a day of February 2020).
    fn at(v: &[RsVisit], visit: &str, date: Option<u32>) -> Option<usize> {
        row(RsTest::Ovrlresp, visit, "", date).visit_in(v)
    }

    /// RS is often dated by the last scan of a visit spanning several days: a row named by
    /// `RSDTC` alone is of the visit whose scans span that day, and so is the choice between
    /// two visits of one `VISIT` name.
    #[test]
    fn a_row_dated_by_any_scan_day_of_a_visit_is_of_that_visit() {
        let mut v = visits();
        // WEEK 6's scans run from the 5th to the 7th, the second UNSCHEDULED's from the 13th
        // to the 15th.
        v[1].last_scan = NaiveDate::from_ymd_opt(2020, 2, 7).unwrap();
        v[3].last_scan = NaiveDate::from_ymd_opt(2020, 2, 15).unwrap();
        assert_eq!(at(&v, "", Some(5)), Some(1));
        assert_eq!(at(&v, "", Some(7)), Some(1));
        assert_eq!(at(&v, "", Some(8)), None);
        assert_eq!(at(&v, "UNSCHEDULED", Some(15)), Some(3));
        assert_eq!(at(&v, "UNSCHEDULED", Some(10)), None);
        // Spans that overlap (a visit whose scans run into the next one's first day): the
        // visit dated that day.
        v[1].last_scan = NaiveDate::from_ymd_opt(2020, 2, 9).unwrap();
        assert_eq!(at(&v, "", Some(9)), Some(2));
        assert_eq!(at(&v, "", Some(8)), Some(1));
    }

    #[test]
    fn rows_naming_one_visit_in_different_ways_are_one_record_whatever_their_order() {
        let rows = [
            ("OVRLRESP", "SD", "RECIST 1.1", "WEEK 6", "2", "2020-02-05"),
            ("OVRLRESP", "PD", "RECIST 1.1", "week 6", "", ""),
            ("TRGRESP", "SD", "RECIST 1.1", "", "", "2020-02-17"),
            ("TRGRESP", "SD", "RECIST 1.1", "WEEK 12", "3", "2020-02-17"),
            // Two UNSCHEDULED visits, told apart by their dates: two records.
            (
                "NEWLIND",
                "N",
                "RECIST 1.1",
                "UNSCHEDULED",
                "",
                "2020-02-09",
            ),
            (
                "NEWLIND",
                "Y",
                "RECIST 1.1",
                "UNSCHEDULED",
                "",
                "2020-02-13",
            ),
        ];
        for reversed in [false, true] {
            let mut rows = rows.to_vec();
            if reversed {
                rows.reverse();
            }
            let line = |i: u64| if reversed { 9 - i } else { i };
            let r = read_against_visits(&rows);
            let mut kept: Vec<u64> = r.rows.iter().map(|r| line(r.line)).collect();
            kept.sort_unstable();
            // The TRGRESP given by VISITNUM is kept, the one by RSDTC alone refused.
            assert_eq!(kept, [5, 6, 7], "reversed: {reversed}");
            let mut refused: Vec<(u64, &str)> = refusals(&r)
                .into_iter()
                .map(|(l, c, _)| (line(l), c))
                .collect();
            refused.sort_unstable();
            assert_eq!(
                refused,
                [
                    (2, "conflicting-values"),
                    (3, "conflicting-values"),
                    (4, "duplicate-row")
                ],
                "reversed: {reversed}"
            );
        }
    }

    #[test]
    fn a_row_without_rscat_is_of_every_compared_rscat() {
        let r = read_against_visits(&[
            // Agrees with RECIST 1.1's row, not with mRECIST's: it and mRECIST's row are
            // refused (which holds for mRECIST is unknown), RECIST 1.1's is compared.
            ("OVRLRESP", "SD", "", "WEEK 6", "2", ""),
            ("OVRLRESP", "SD", "RECIST 1.1", "WEEK 6", "2", ""),
            ("OVRLRESP", "PR", "MRECIST", "WEEK 6", "2", ""),
            // Agrees with both: the rows with an RSCAT are kept, the other is a repeat.
            ("BESTRESP", "PR", "", "", "", ""),
            ("BESTRESP", "PR", "MRECIST", "", "", ""),
            ("BESTRESP", "PR", "RECIST 1.1", "", "", ""),
            // RSCATs alone do not make one record.
            ("NEWLIND", "N", "RECIST 1.1", "WEEK 12", "3", ""),
            ("NEWLIND", "Y", "MRECIST", "WEEK 12", "3", ""),
        ]);
        let kept: Vec<u64> = r.rows.iter().map(|r| r.line).collect();
        assert_eq!(kept, [3, 6, 7, 8, 9]);
        let refused: Vec<(u64, &str)> = refusals(&r).into_iter().map(|(l, c, _)| (l, c)).collect();
        assert_eq!(
            refused,
            [
                (2, "conflicting-values"),
                (4, "conflicting-values"),
                (5, "duplicate-row"),
            ]
        );
    }

    #[test]
    fn a_response_outside_its_tests_vocabulary_is_refused_by_itself() {
        let r = read_rows(&[
            ("OVRLRESP", "STABLE", "WEEK 6", "2", "2020-02-01"),
            ("OVRLRESP", "", "WEEK 12", "3", "2020-03-01"),
            ("OVRLRESP", "NA", "WEEK 18", "4", "2020-04-01"),
            ("TRGRESP", "NA", "WEEK 6", "2", "2020-02-01"),
            ("TRGRESP", "NON-CR/NON-PD", "WEEK 12", "3", "2020-03-01"),
            ("NTRGRESP", "Non-CR / Non-PD", "WEEK 6", "2", "2020-02-01"),
            ("NTRGRESP", "PR", "WEEK 12", "3", "2020-03-01"),
            ("NEWLIND", "Equivocal", "WEEK 6", "2", "2020-02-01"),
            ("NEWLIND", "NE", "WEEK 12", "3", "2020-03-01"),
            ("BESTRESP", "not evaluable", "", "", ""),
        ]);
        let kept: Vec<(u64, &str)> = r.rows.iter().map(|r| (r.line, r.value.as_str())).collect();
        assert_eq!(
            kept,
            [(5, "NA"), (7, "NON-CR/NON-PD"), (9, "U"), (11, "NE")]
        );
        let refused = refusals(&r);
        let at: Vec<(u64, &str)> = refused.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(
            at,
            [
                (2, "unknown-response"),
                (3, "unknown-response"),
                (4, "unknown-response"),
                (6, "unknown-response"),
                (8, "unknown-response"),
                (10, "unknown-response"),
            ]
        );
        let said: Vec<&str> = refused.iter().map(|(_, _, m)| m.as_str()).collect();
        assert_eq!(
            said[0],
            "RS.csv:2: subject `S1`: evaluator INVESTIGATOR: visit WEEK 6: unknown OVRLRESP \
             response `STABLE` (expected CR, PR, SD, NON-CR/NON-PD, PD or NE)"
        );
        assert!(
            said[1].ends_with(
                "visit WEEK 12: no OVRLRESP response: RSSTRESC and RSORRES are empty \
                 (expected CR, PR, SD, NON-CR/NON-PD, PD or NE)"
            ),
            "{}",
            said[1]
        );
        assert!(said[3].contains(
            "unknown TRGRESP response `NON-CR/NON-PD` (expected CR, PR, SD, PD, NE or NA)"
        ));
        assert!(
            said[4].contains(
                "unknown NTRGRESP response `PR` (expected CR, NON-CR/NON-PD, PD, NE or NA)"
            )
        );
        assert!(said[5].contains("unknown NEWLIND response `NE` (expected Y, N or U)"));
    }

    /// Every response the engine writes is a word of its test, so a round trip never refuses.
    #[test]
    fn the_vocabularies_hold_every_response_written() {
        let has = |t: RsTest, v: &str| t.vocabulary().0.contains(&v);
        assert!(
            TargetResponse::ALL
                .iter()
                .all(|r| has(RsTest::Trgresp, r.as_str()))
        );
        assert!(
            NonTargetResponse::ALL
                .iter()
                .all(|r| has(RsTest::Ntrgresp, r.as_str()))
        );
        assert!(
            NewLesions::ALL
                .iter()
                .all(|n| has(RsTest::Newlind, newlind(*n)))
        );
        for t in [RsTest::Ovrlresp, RsTest::Bestresp] {
            // Recorded responses are read in RECIST 1.1's words only.
            let words: Vec<&str> = OverallResponse::ALL
                .iter()
                .filter(|r| !r.is_irecist())
                .map(|r| r.as_str())
                .collect();
            assert_eq!(t.vocabulary().0, words.as_slice());
        }
        for t in RsTest::ALL {
            let (words, expected) = t.vocabulary();
            assert!(words.iter().all(|w| normalise(t, w) == *w));
            let (last, init) = words.split_last().unwrap();
            assert_eq!(expected, format!("{} or {last}", init.join(", ")));
        }
    }

    /// Rows of S1 (test, value, RSCAT, VISIT, VISITNUM, RSDTC) read for RSCATs `RECIST 1.1`
    /// and `iRECIST` (an iRECIST reading).
    fn read_with_irecist(rows: &[(&str, &str, &str, &str, &str, &str)]) -> RecordedRows {
        let mut g = RawGroup::with_columns("S1".into(), 11);
        for (i, (test, value, cat, visit, vnum, dtc)) in rows.iter().enumerate() {
            let mut f = [""; 11];
            (f[rs::USUBJID], f[rs::TESTCD], f[rs::STRESC], f[rs::CAT]) = ("S1", test, value, cat);
            (f[rs::VISIT], f[rs::VISITNUM], f[rs::DTC]) = (visit, vnum, dtc);
            g.push(i as u64 + 2, &f);
        }
        let categories = [
            RecordedCategory::from("RECIST 1.1"),
            RecordedCategory {
                rscat: "IRECIST".into(),
                irecist: true,
            },
        ];
        read_recorded(
            &g,
            "RS.csv",
            &Mapping::bundled().unwrap(),
            PartialDates::Refuse,
            &categories,
            &|_| None,
        )
    }

    #[test]
    fn ir_recorded_rows_are_read_in_their_rscats_vocabulary() {
        let r = read_with_irecist(&[
            ("OVRLRESP", "iUPD", "iRECIST", "WEEK 6", "2", "2020-02-05"),
            ("OVRLRESP", "PD", "RECIST 1.1", "WEEK 6", "2", "2020-02-05"),
            // RECIST 1.1's word under iRECIST's RSCAT, and iRECIST's under RECIST 1.1's.
            ("OVRLRESP", "PD", "iRECIST", "WEEK 12", "3", "2020-02-17"),
            (
                "OVRLRESP",
                "iCPD",
                "RECIST 1.1",
                "WEEK 12",
                "3",
                "2020-02-17",
            ),
            // No RSCAT: an iRECIST word is iRECIST's record; NE is of both readings.
            ("BESTRESP", "icpd", "", "", "", ""),
            ("TRGRESP", "PD", "iRECIST", "WEEK 6", "2", "2020-02-05"),
            (
                "OVRLRESP",
                "Not evaluable",
                "iRECIST",
                "WEEK 18",
                "4",
                "2020-03-01",
            ),
        ]);
        let kept: Vec<(u64, &str, &str)> = r
            .rows
            .iter()
            .map(|r| (r.line, r.value.as_str(), r.cat.as_str()))
            .collect();
        assert_eq!(
            kept,
            [
                (2, "iUPD", "IRECIST"),
                (3, "PD", "RECIST 1.1"),
                (6, "iCPD", "IRECIST"),
                (7, "PD", "IRECIST"),
                (8, "NE", "IRECIST"),
            ]
        );
        let refused = refusals(&r);
        let at: Vec<(u64, &str)> = refused.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(at, [(4, "mixed-vocabulary"), (5, "mixed-vocabulary")]);
        assert!(
            refused[0].2.ends_with(
                "OVRLRESP response `PD` is RECIST 1.1's word, recorded under RSCAT `iRECIST` \
                 (expected iCR, iPR, iSD, NON-iCR/NON-iUPD, iUPD, iCPD or NE): one reading's \
                 responses are in one vocabulary"
            ),
            "{}",
            refused[0].2
        );
        assert!(
            refused[1].2.contains(
                "OVRLRESP response `iCPD` is iRECIST's word, recorded under RSCAT `RECIST 1.1` \
                 (expected CR, PR, SD, NON-CR/NON-PD, PD or NE)"
            ),
            "{}",
            refused[1].2
        );
    }

    #[test]
    fn ir_irecist_words_are_refused_with_a_note_where_no_irecist_reading_is_compared() {
        let r = read_rows(&[("OVRLRESP", "iUPD", "WEEK 6", "2", "2020-02-01")]);
        let refused = refusals(&r);
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].1, "unknown-response");
        assert!(
            refused[0].2.contains("read them with `--rules irecist`"),
            "{}",
            refused[0].2
        );
    }

    /// Every overall response the engine writes under iRECIST is a word of the iRECIST
    /// vocabulary, in results.md's order.
    #[test]
    fn ir_the_irecist_vocabulary_holds_every_irecist_response_written() {
        let words: Vec<&str> = OverallResponse::ALL
            .iter()
            .filter(|r| r.is_irecist() || **r == OverallResponse::Ne)
            .map(|r| r.as_str())
            .collect();
        let mut in_order = words.clone();
        in_order.rotate_left(1);
        for t in [RsTest::Ovrlresp, RsTest::Bestresp] {
            let (vocabulary, expected) = t.irecist_vocabulary();
            assert_eq!(vocabulary, in_order.as_slice());
            assert!(vocabulary.iter().all(|w| normalise(t, w) == *w));
            assert_eq!(
                expected,
                "iCR, iPR, iSD, NON-iCR/NON-iUPD, iUPD, iCPD or NE"
            );
        }
        assert_eq!(
            RsTest::Trgresp.irecist_vocabulary(),
            RsTest::Trgresp.vocabulary()
        );
    }

    #[test]
    fn ir_irecist_responses_are_normalised_to_their_own_case() {
        assert_eq!(normalise(RsTest::Ovrlresp, " ICR "), "iCR");
        assert_eq!(normalise(RsTest::Bestresp, "iupd"), "iUPD");
        assert_eq!(
            normalise(RsTest::Ovrlresp, "Non-iCR / Non-iUPD"),
            "NON-iCR/NON-iUPD"
        );
        // Only the overall tests have iRECIST words.
        assert_eq!(normalise(RsTest::Trgresp, "icr"), "ICR");
    }

    #[test]
    fn responses_are_normalised() {
        assert_eq!(
            normalise(RsTest::Ovrlresp, "Non-CR / Non-PD"),
            "NON-CR/NON-PD"
        );
        assert_eq!(normalise(RsTest::Newlind, "yes"), "Y");
        assert_eq!(normalise(RsTest::Newlind, "Equivocal"), "U");
        assert_eq!(normalise(RsTest::Trgresp, "not evaluable"), "NE");
        assert_eq!(normalise(RsTest::Trgresp, " pr "), "PR");
    }
}
