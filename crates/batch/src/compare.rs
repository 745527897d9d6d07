//! Comparing the engine's responses with recorded RS, or one rule set with another, per
//! subject, evaluator, visit and test: agreement, confusion matrices, and every discordant
//! timepoint with the rules and numbers behind the engine's answer.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use recist_model::{OverallResponse, SubjectResult, TimepointResult};
use recist_rules::RuleSet;
use recist_sdtm::{RecordedRow, RsTest, RsVisit, newlind, normalise};
use serde_json::{Value, json};

/// What the engine is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// Recorded RS rows whose `RSCAT` is this (upper case; rows with no `RSCAT` match any).
    Recorded {
        /// The rule set's `RSCAT`, upper-cased.
        rscat: String,
        /// Whether the rule set has an `irecist` section: OVRLRESP and BESTRESP are then
        /// read in iRECIST's words.
        irecist: bool,
    },
    /// Another rule set's results (index into the run's rule sets).
    RuleSet(usize),
}

/// One comparison: a reference against a candidate rule set.
#[derive(Debug, Clone)]
pub struct ComparePair {
    /// The reference.
    pub reference: Reference,
    /// Index of the candidate rule set.
    pub candidate: usize,
    /// How the reference is named in reports.
    pub reference_label: String,
    /// How the candidate is named in reports.
    pub candidate_label: String,
}

/// Counts of one comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompareTally {
    /// Per test, (reference value, candidate value) → count.
    pub confusion: BTreeMap<RsTest, BTreeMap<(String, String), u64>>,
    /// Reference values with no candidate value for the same subject, evaluator, visit and test.
    pub reference_only: BTreeMap<RsTest, u64>,
    /// Candidate values with no reference value.
    pub candidate_only: BTreeMap<RsTest, u64>,
    /// Reference rows of subjects and evaluators the engine refused (not compared); when
    /// two rule sets are compared, the reference rule set's values of the subject ×
    /// evaluators the candidate refused and the reference did not.
    pub reference_refused: u64,
    /// Two rule sets compared: the candidate's values of the subject × evaluators the
    /// reference refused and the candidate did not (not compared).
    pub candidate_refused: u64,
    /// Two rule sets compared: subject × evaluators refused by the reference rule set only,
    /// by the candidate only, and by both (refused while reading, or by both engines).
    pub units_refused: UnitsRefused,
    /// Discordant values written to `discordant.jsonl`.
    pub discordant: u64,
    /// Recorded rows compared at the engine's visit their `VISITNUM` (or `VISIT`) names whose
    /// `RSDTC` is outside that visit's scan dates: each a line of `date_mismatches.jsonl`.
    pub date_mismatches: u64,
}

impl CompareTally {
    /// Adds another tally.
    pub fn merge(&mut self, o: &CompareTally) {
        add_counts(&mut self.confusion, &o.confusion);
        for (t, n) in &o.reference_only {
            *self.reference_only.entry(*t).or_default() += n;
        }
        for (t, n) in &o.candidate_only {
            *self.candidate_only.entry(*t).or_default() += n;
        }
        self.reference_refused += o.reference_refused;
        self.candidate_refused += o.candidate_refused;
        self.units_refused.reference_only += o.units_refused.reference_only;
        self.units_refused.candidate_only += o.units_refused.candidate_only;
        self.units_refused.both += o.units_refused.both;
        self.discordant += o.discordant;
        self.date_mismatches += o.date_mismatches;
    }

    /// Counts a matched (reference, candidate) pair under `test`, and as discordant when it
    /// is; returns `discordant`.
    fn matched(&mut self, test: RsTest, key: (String, String), discordant: bool) -> bool {
        *self
            .confusion
            .entry(test)
            .or_default()
            .entry(key)
            .or_default() += 1;
        if discordant {
            self.discordant += 1;
        }
        discordant
    }
}

/// Subject × evaluators that one or both of two compared rule sets refused: none of their
/// values is compared, so an amendment that refuses subjects the current rules adjudicate
/// (or the reverse) shows here, not as agreement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitsRefused {
    /// Refused by the reference rule set only.
    pub reference_only: u64,
    /// Refused by the candidate rule set only.
    pub candidate_only: u64,
    /// Refused by both.
    pub both: u64,
}

/// The lines comparisons write: discordant values (`discordant.jsonl`), values on one side
/// only (`unmatched.jsonl`) and recorded rows dated outside their visit
/// (`date_mismatches.jsonl`), each with its number of lines.
#[derive(Debug, Default)]
pub struct CompareLines {
    /// `discordant.jsonl` lines.
    pub discordant: Vec<u8>,
    /// How many.
    pub discordant_n: u64,
    /// `unmatched.jsonl` lines.
    pub unmatched: Vec<u8>,
    /// How many.
    pub unmatched_n: u64,
    /// `date_mismatches.jsonl` lines.
    pub date_mismatches: Vec<u8>,
    /// How many.
    pub date_mismatches_n: u64,
}

/// Which side a value on one side only is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Reference,
    Candidate,
}

impl Side {
    const fn name(self) -> &'static str {
        match self {
            Side::Reference => "reference",
            Side::Candidate => "candidate",
        }
    }
}

/// Counts and writes values on one side only of one comparison (one subject × evaluator, or
/// recorded rows of no subject × evaluator adjudicated): `reference_only` and
/// `candidate_only` count exactly the lines written here, per test.
struct OneSide<'a> {
    pair: (usize, &'a ComparePair),
    subject: &'a str,
    evaluator: &'a str,
    recorded_file: &'a str,
}

impl OneSide<'_> {
    /// A recorded row with no engine value; its visit, visit number and date as recorded.
    fn recorded(&self, tally: &mut CompareTally, out: &mut CompareLines, row: &RecordedRow) {
        self.recorded_as(tally, out, row, self.evaluator);
    }

    fn recorded_as(
        &self,
        tally: &mut CompareTally,
        out: &mut CompareLines,
        row: &RecordedRow,
        evaluator: &str,
    ) {
        *tally.reference_only.entry(row.test).or_default() += 1;
        let visit = (row.test != RsTest::Bestresp).then_some(row);
        let line = json!({
            "comparison": self.pair.0,
            "subject": self.subject,
            "evaluator": evaluator,
            "test": row.test,
            "visit": visit.map(|r| &r.visit),
            "visitnum": visit.map(|r| &r.visitnum),
            "date": visit.and_then(|r| r.date),
            "side": Side::Reference.name(),
            "value": row.value,
            "reference_source": {"file": self.recorded_file, "row": row.line},
            "candidate_rule_set": self.pair.1.candidate_label,
        });
        push_json(&mut out.unmatched, &line);
        out.unmatched_n += 1;
    }

    /// Counts, and writes to `date_mismatches.jsonl`, a recorded row of the engine's visit
    /// `v` (named by its `VISITNUM`, else its `VISIT`) whose `RSDTC` names no day from the
    /// visit's first scan to its last (a partial `RSDTC`, imputed, agrees when its month or
    /// year holds one of them). The row is compared at that visit all the same.
    fn check_date(
        &self,
        tally: &mut CompareTally,
        out: &mut CompareLines,
        row: &RecordedRow,
        v: &RsVisit,
    ) {
        let Some((from, to)) = row.dates else { return };
        if to >= v.date && from <= v.last_scan {
            return;
        }
        tally.date_mismatches += 1;
        let line = json!({
            "comparison": self.pair.0,
            "subject": self.subject,
            "evaluator": self.evaluator,
            "test": row.test,
            "visit": row.visit,
            "visitnum": row.visitnum,
            "recorded_date": row.date,
            "engine_date": v.date,
            "engine_scan_dates": [v.date, v.last_scan],
            "reference_source": {"file": self.recorded_file, "row": row.line},
            "candidate_rule_set": self.pair.1.candidate_label,
        });
        push_json(&mut out.date_mismatches, &line);
        out.date_mismatches_n += 1;
    }

    /// A value of a rule set's result with no value on the other side.
    fn result(
        &self,
        tally: &mut CompareTally,
        out: &mut CompareLines,
        side: Side,
        id: &UnitId<'_>,
        e: &Entry,
        result: &SubjectResult,
    ) {
        let counts = match side {
            Side::Reference => &mut tally.reference_only,
            Side::Candidate => &mut tally.candidate_only,
        };
        *counts.entry(e.test).or_default() += 1;
        let tp = e.tp.and_then(|i| result.timepoints.get(i));
        let v = tp.and_then(|t| visit_of(id, t));
        let mut line = json!({
            "comparison": self.pair.0,
            "subject": self.subject,
            "evaluator": self.evaluator,
            "test": e.test,
            "visit": v.map(|v| v.visit.clone()),
            "visitnum": v.map(|v| v.visitnum.clone()),
            "date": tp.map(|t| t.date),
            "side": side.name(),
            "value": e.value,
            "candidate_rule_set": self.pair.1.candidate_label,
        });
        if let (Reference::RuleSet(_), Value::Object(m)) = (&self.pair.1.reference, &mut line) {
            m.insert(
                "reference_rule_set".into(),
                json!(self.pair.1.reference_label),
            );
        }
        push_json(&mut out.unmatched, &line);
        out.unmatched_n += 1;
    }
}

/// Adds per-test counts.
pub(crate) fn add_counts<K: Ord + Clone>(
    into: &mut BTreeMap<RsTest, BTreeMap<K, u64>>,
    from: &BTreeMap<RsTest, BTreeMap<K, u64>>,
) {
    for (t, m) in from {
        let mine = into.entry(*t).or_default();
        for (k, n) in m {
            *mine.entry(k.clone()).or_default() += n;
        }
    }
}

/// One value of a result: test, timepoint (None for BESTRESP) and value.
struct Entry {
    test: RsTest,
    tp: Option<usize>,
    value: String,
    /// Whether the engine writes it in rs.csv. Not written: `NA`, the TRGRESP or NTRGRESP of
    /// a follow-up of a subject with no lesion of that kind (results' `null`), compared only
    /// with a recorded row of its visit and test, never a value on the engine's side only.
    written: bool,
}

/// The value of a TRGRESP or NTRGRESP the engine does not write, the subject having no lesion
/// of that kind: `NA`, as recorded RS gives it (RS's "not applicable").
const NOT_APPLICABLE: &str = "NA";

/// The candidate values of one comparison, each matched to at most one reference value.
struct Candidates<'e> {
    ents: &'e [Entry],
    used: Vec<bool>,
}

impl<'e> Candidates<'e> {
    fn new(ents: &'e [Entry]) -> Self {
        Candidates {
            ents,
            used: vec![false; ents.len()],
        }
    }

    /// Matches the first unmatched value of `test` that `at` accepts (none: the reference
    /// value is on its side only).
    fn take(&mut self, test: RsTest, at: impl Fn(&Entry) -> bool) -> Option<&'e Entry> {
        let i = self
            .ents
            .iter()
            .zip(&self.used)
            .position(|(e, used)| !used && e.test == test && at(e))?;
        if let Some(u) = self.used.get_mut(i) {
            *u = true;
        }
        self.ents.get(i)
    }

    /// The values no reference value matched: on the candidate's side only.
    fn unmatched(&self) -> impl Iterator<Item = &'e Entry> + '_ {
        self.ents
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|(e, _)| e)
    }
}

/// The values of a result, as rs.csv writes them; with `not_applicable`, also the `NA` of
/// each follow-up's TRGRESP or NTRGRESP that the subject has no lesion of (not written, see
/// [`Entry::written`]).
fn entries(
    result: &SubjectResult,
    best: Option<OverallResponse>,
    not_applicable: bool,
) -> Vec<Entry> {
    let mut out = Vec::new();
    let entry = |test, tp, value: &str| Entry {
        test,
        tp,
        value: value.into(),
        written: true,
    };
    let na = |test, tp| Entry {
        test,
        tp,
        value: NOT_APPLICABLE.into(),
        written: false,
    };
    for (i, tp) in result.timepoints.iter().enumerate() {
        let Some(f) = &tp.follow_up else { continue };
        match f.target {
            Some(t) => out.push(entry(RsTest::Trgresp, Some(i), t.as_str())),
            None if not_applicable => out.push(na(RsTest::Trgresp, Some(i))),
            None => {}
        }
        match f.non_target {
            Some(n) => out.push(entry(RsTest::Ntrgresp, Some(i), n.as_str())),
            None if not_applicable => out.push(na(RsTest::Ntrgresp, Some(i))),
            None => {}
        }
        out.push(entry(RsTest::Newlind, Some(i), newlind(f.new_lesions)));
        out.push(entry(RsTest::Ovrlresp, Some(i), f.overall.as_str()));
    }
    if let Some(b) = best {
        out.push(entry(RsTest::Bestresp, None, b.as_str()));
    }
    out
}

/// The identity of the unit being compared, for discordance lines.
pub struct UnitId<'a> {
    /// USUBJID.
    pub subject: &'a str,
    /// Evaluator label.
    pub evaluator: &'a str,
    /// The unit's visits.
    pub visits: &'a [RsVisit],
}

fn visit_of<'a>(id: &'a UnitId<'_>, tp: &TimepointResult) -> Option<&'a RsVisit> {
    id.visits.iter().find(|v| v.date == tp.date)
}

fn timepoint_detail(tp: &TimepointResult) -> Value {
    serde_json::to_value(tp).unwrap_or(Value::Null)
}

fn best_detail(rules: &RuleSet, result: &SubjectResult) -> Value {
    let c = &rules.doc().confirmation;
    json!({
        "best_overall_response": result.best_overall_response,
        "confirmed_best_overall_response": result.confirmed_best_overall_response,
        "bestresp_is": if c.required { "confirmed" } else { "unconfirmed" },
        "confirmation": {
            "required": c.required,
            "min_interval_days": c.min_interval_days,
            "max_ne_between": c.max_ne_between,
            "accept_sd_between": c.accept_sd_between,
        },
        "sd_min_days": rules.doc().best_response.sd_min_days,
        "overall_by_date": result.timepoints.iter().filter_map(|t| {
            t.follow_up.as_ref().map(|f| json!([t.date, f.overall]))
        }).collect::<Vec<_>>(),
    })
}

/// Compares recorded rows (already filtered to this unit and category, and read against
/// `id.visits`, which their [`RecordedRow::at`] indexes) with a result; appends discordance
/// lines, and a line per value on one side only, to `out`.
#[allow(clippy::too_many_arguments)]
pub fn compare_recorded(
    pair: (usize, &ComparePair),
    tally: &mut CompareTally,
    out: &mut CompareLines,
    id: &UnitId<'_>,
    rows: &[&RecordedRow],
    recorded_file: &str,
    rules: &RuleSet,
    result: &SubjectResult,
    best: Option<OverallResponse>,
) {
    let ents = entries(result, best, true);
    let mut cands = Candidates::new(&ents);
    let one_side = OneSide {
        pair,
        subject: id.subject,
        evaluator: id.evaluator,
        recorded_file,
    };
    for row in rows {
        let tp = if row.test == RsTest::Bestresp {
            None
        } else {
            // The visit the row names, found when it was read against these visits (so that
            // no other row of the unit names it for the same test and RSCAT).
            let found = row.at.and_then(|v| id.visits.get(v)).and_then(|v| {
                let i = result.timepoints.iter().position(|t| t.date == v.date)?;
                Some((i, v))
            });
            let Some((i, v)) = found else {
                one_side.recorded(tally, out, row);
                continue;
            };
            one_side.check_date(tally, out, row, v);
            Some(i)
        };
        let Some(e) = cands.take(row.test, |e| e.tp == tp) else {
            one_side.recorded(tally, out, row);
            continue;
        };
        let key = (row.value.clone(), e.value.clone());
        if tally.matched(row.test, key, row.value != e.value) {
            out.discordant_n += 1;
            let (visit, visitnum, date, detail) = match tp.and_then(|i| result.timepoints.get(i)) {
                Some(t) => {
                    let v = visit_of(id, t);
                    (
                        v.map(|v| v.visit.clone()),
                        v.map(|v| v.visitnum.clone()),
                        Some(t.date),
                        timepoint_detail(t),
                    )
                }
                None => (None, None, None, best_detail(rules, result)),
            };
            let line = json!({
                "comparison": pair.0,
                "subject": id.subject,
                "evaluator": id.evaluator,
                "test": row.test,
                "visit": visit,
                "visitnum": visitnum,
                "date": date,
                "reference": row.value,
                "candidate": e.value,
                "reference_source": {"file": recorded_file, "row": row.line},
                "candidate_rule_set": pair.1.candidate_label,
                "candidate_explanation": detail,
            });
            push_json(&mut out.discordant, &line);
        }
    }
    for e in cands.unmatched().filter(|e| e.written) {
        one_side.result(tally, out, Side::Candidate, id, e, result);
    }
}

/// Compares two results of one unit (two rule sets or two protocol settings); appends
/// discordance lines, and a line per value on one side only, to `out`.
///
/// A TRGRESP or NTRGRESP that one side writes where the other has no lesion of that kind
/// (mRECIST demoting every target of a subject RECIST 1.1 measures, say) is compared with
/// that side's `NA` ([`NOT_APPLICABLE`]): a discordance in the confusion matrix, as against
/// recorded RS, not a value on one side only. `NA` against `NA` (neither writes one) is not
/// counted.
#[allow(clippy::too_many_arguments)]
pub fn compare_results(
    pair: (usize, &ComparePair),
    tally: &mut CompareTally,
    out: &mut CompareLines,
    id: &UnitId<'_>,
    (ref_rules, reference, ref_best): (&RuleSet, &SubjectResult, Option<OverallResponse>),
    (rules, candidate, best): (&RuleSet, &SubjectResult, Option<OverallResponse>),
) {
    let a = entries(reference, ref_best, true);
    let b = entries(candidate, best, true);
    let date_of =
        |r: &SubjectResult, e: &Entry| e.tp.and_then(|i| r.timepoints.get(i)).map(|t| t.date);
    let mut cands = Candidates::new(&b);
    let one_side = OneSide {
        pair,
        subject: id.subject,
        evaluator: id.evaluator,
        recorded_file: "",
    };
    for ea in &a {
        let da = date_of(reference, ea);
        let Some(eb) = cands.take(ea.test, |eb| date_of(candidate, eb) == da) else {
            if ea.written {
                one_side.result(tally, out, Side::Reference, id, ea, reference);
            }
            continue;
        };
        if !ea.written && !eb.written {
            continue;
        }
        let key = (normalise(ea.test, &ea.value), eb.value.clone());
        if tally.matched(ea.test, key, ea.value != eb.value) {
            out.discordant_n += 1;
            let ta = ea.tp.and_then(|i| reference.timepoints.get(i));
            let tb = eb.tp.and_then(|i| candidate.timepoints.get(i));
            let v = tb.and_then(|t| visit_of(id, t));
            let line = json!({
                "comparison": pair.0,
                "subject": id.subject,
                "evaluator": id.evaluator,
                "test": ea.test,
                "visit": v.map(|v| v.visit.clone()),
                "visitnum": v.map(|v| v.visitnum.clone()),
                "date": da,
                "reference": ea.value,
                "candidate": eb.value,
                "reference_rule_set": pair.1.reference_label,
                "candidate_rule_set": pair.1.candidate_label,
                "reference_explanation": ta.map_or_else(|| best_detail(ref_rules, reference), timepoint_detail),
                "candidate_explanation": tb.map_or_else(|| best_detail(rules, candidate), timepoint_detail),
            });
            push_json(&mut out.discordant, &line);
        }
    }
    for e in cands.unmatched().filter(|e| e.written) {
        one_side.result(tally, out, Side::Candidate, id, e, candidate);
    }
}

/// Counts reference rows that could not be compared because the unit was refused.
pub fn count_refused(tally: &mut CompareTally, n: u64) {
    tally.reference_refused += n;
}

/// Counts a subject × evaluator that one or both of two compared rule sets refused:
/// `reference` and `candidate` are each side's result (`None`: refused) with its best
/// response. The values of the side that adjudicated it are counted as not compared
/// (`reference_refused` or `candidate_refused`), never dropped without a count.
pub fn count_refused_by_rule_set(
    tally: &mut CompareTally,
    reference: Option<(&SubjectResult, Option<OverallResponse>)>,
    candidate: Option<(&SubjectResult, Option<OverallResponse>)>,
) {
    match (reference, candidate) {
        (Some(_), Some(_)) => {}
        (Some((r, best)), None) => {
            tally.units_refused.candidate_only += 1;
            tally.reference_refused += entries(r, best, false).len() as u64;
        }
        (None, Some((r, best))) => {
            tally.units_refused.reference_only += 1;
            tally.candidate_refused += entries(r, best, false).len() as u64;
        }
        (None, None) => tally.units_refused.both += 1,
    }
}

/// Counts, and writes to `out`, the reference rows of `subject` that no subject × evaluator
/// adjudicated or refused holds (a subject or evaluator with no TU/TR data, or no case).
pub fn reference_only_rows(
    pair: (usize, &ComparePair),
    tally: &mut CompareTally,
    out: &mut CompareLines,
    subject: &str,
    rows: &[&RecordedRow],
    recorded_file: &str,
) {
    let one_side = OneSide {
        pair,
        subject,
        evaluator: "",
        recorded_file,
    };
    for r in rows {
        one_side.recorded_as(tally, out, r, &r.eval.label());
    }
}

fn push_json(out: &mut Vec<u8>, v: &Value) {
    if serde_json::to_writer(&mut *out, v).is_ok() {
        out.push(b'\n');
    }
}

/// The rank of a confusion matrix's category: RECIST 1.1's responses, then iRECIST's
/// (IR-BASE), in the vocabulary's order, then `NE` (of both), then the other tests' words; any
/// other value after them.
fn rank(v: &str) -> usize {
    const OTHER: [&str; 4] = ["NA", "Y", "N", "U"];
    let responses = OverallResponse::ALL
        .iter()
        .filter(|r| **r != OverallResponse::Ne);
    let n = OverallResponse::ALL.len();
    responses
        .clone()
        .position(|r| r.as_str() == v)
        .or_else(|| (v == OverallResponse::Ne.as_str()).then_some(n - 1))
        .or_else(|| OTHER.iter().position(|o| *o == v).map(|i| n + i))
        .unwrap_or(n + OTHER.len())
}

fn labels(m: &BTreeMap<(String, String), u64>) -> Vec<String> {
    let mut l: Vec<String> = m.keys().flat_map(|(a, b)| [a.clone(), b.clone()]).collect();
    l.sort_by_key(|v| (rank(v), v.clone()));
    l.dedup();
    l
}

fn kappa(m: &BTreeMap<(String, String), u64>, labels: &[String]) -> Option<f64> {
    let total: u64 = m.values().sum();
    if total == 0 {
        return None;
    }
    let n = total as f64;
    let agreed: u64 = m.iter().filter(|((a, b), _)| a == b).map(|(_, c)| *c).sum();
    let po = agreed as f64 / n;
    let pe: f64 = labels
        .iter()
        .map(|l| {
            let row: u64 = m.iter().filter(|((a, _), _)| a == l).map(|(_, c)| c).sum();
            let col: u64 = m.iter().filter(|((_, b), _)| b == l).map(|(_, c)| c).sum();
            (row as f64 / n) * (col as f64 / n)
        })
        .sum();
    if (1.0 - pe).abs() < 1e-12 {
        return None;
    }
    Some(((po - pe) / (1.0 - pe) * 10_000.0).round() / 10_000.0)
}

/// Whether a response is a word of iRECIST's vocabulary (`iPR`, `NON-iCR/NON-iUPD`).
fn irecist_word(v: &str) -> bool {
    let mut c = v.chars();
    (c.next() == Some('i') && c.next().is_some_and(|c| c.is_ascii_uppercase()))
        || v.contains("NON-iCR")
}

/// Whether, in the overall and best responses (the tests iRECIST answers in its own words;
/// TRGRESP, NTRGRESP and NEWLIND are in RECIST 1.1's words under every reading), one side
/// answers in iRECIST's words and the other in RECIST 1.1's (say `--rules recist-1.1` against
/// `--against-rules irecist`, or recorded rows in RECIST 1.1's words compared with `irecist`):
/// agreement then counts identical words only, so PR and iPR disagree.
pub fn vocabularies_differ(t: &CompareTally) -> bool {
    let mut sides = [[false; 2]; 2]; // [reference, candidate] × [RECIST 1.1 word, iRECIST word]
    let overall = t
        .confusion
        .iter()
        .filter(|(test, _)| matches!(test, RsTest::Ovrlresp | RsTest::Bestresp))
        .map(|(_, m)| m);
    for m in overall {
        for (a, b) in m.keys() {
            for (side, v) in [a, b].into_iter().enumerate() {
                match v.as_str() {
                    "CR" | "PR" | "SD" | "PD" | "NON-CR/NON-PD" => sides[side][0] = true,
                    v if irecist_word(v) => sides[side][1] = true,
                    _ => {}
                }
            }
        }
    }
    (sides[0][0] && sides[1][1]) || (sides[0][1] && sides[1][0])
}

/// What [`vocabularies_differ`] means for the figures, for the reports.
const VOCABULARIES_DIFFER: &str = "the reference and the candidate answer in different vocabularies (RECIST 1.1 and iRECIST): agreement and kappa count identical words only, so PR and iPR disagree; read the confusion matrix, where iUPD is progression not yet confirmed and iCPD confirmed";

/// The JSON report of one comparison.
pub fn report_json(pair: &ComparePair, t: &CompareTally) -> Value {
    let mut tests = serde_json::Map::new();
    for test in RsTest::ALL {
        let empty = BTreeMap::new();
        let m = t.confusion.get(&test).unwrap_or(&empty);
        let compared: u64 = m.values().sum();
        let agreed: u64 = m.iter().filter(|((a, b), _)| a == b).map(|(_, c)| *c).sum();
        let ls = labels(m);
        let rows: Vec<Vec<u64>> = ls
            .iter()
            .map(|r| {
                ls.iter()
                    .map(|c| m.get(&(r.clone(), c.clone())).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        tests.insert(
            test.code().into(),
            json!({
                "compared": compared,
                "agreed": agreed,
                "agreement_pct": (compared > 0).then(|| ((agreed as f64 / compared as f64) * 10_000.0).round() / 100.0),
                "kappa": kappa(m, &ls),
                "reference_only": t.reference_only.get(&test).copied().unwrap_or(0),
                "candidate_only": t.candidate_only.get(&test).copied().unwrap_or(0),
                "confusion": {"reference_rows_candidate_columns": ls, "counts": rows},
            }),
        );
    }
    let mut out = json!({
        "reference": pair.reference_label,
        "candidate": pair.candidate_label,
        "discordant": t.discordant,
        "reference_rows_of_refused_subjects": t.reference_refused,
        "tests": tests,
    });
    if let (true, Value::Object(m)) = (vocabularies_differ(t), &mut out) {
        m.insert("note".into(), json!(VOCABULARIES_DIFFER));
    }
    if let (Reference::Recorded { .. }, Value::Object(m)) = (&pair.reference, &mut out) {
        m.insert("date_mismatches".into(), json!(t.date_mismatches));
    }
    if let (Reference::RuleSet(_), Value::Object(m)) = (&pair.reference, &mut out) {
        m.insert(
            "candidate_values_of_refused_subjects".into(),
            json!(t.candidate_refused),
        );
        m.insert(
            "subject_evaluators_refused".into(),
            json!({
                "reference_only": t.units_refused.reference_only,
                "candidate_only": t.units_refused.candidate_only,
                "both": t.units_refused.both,
            }),
        );
    }
    out
}

/// The readable report of every comparison (Markdown).
pub fn report_markdown(pairs: &[ComparePair], tallies: &[CompareTally]) -> String {
    let mut s = String::from("# recist comparison\n");
    for (i, (pair, t)) in pairs.iter().zip(tallies).enumerate() {
        let _ = writeln!(
            s,
            "\n## Comparison {i}: {} (rows) vs {} (columns)\n",
            pair.reference_label, pair.candidate_label
        );
        let _ = writeln!(
            s,
            "{} discordant values (listed in discordant.jsonl with the engine's rules and numbers); {} reference rows of refused subjects not compared.\n",
            t.discordant, t.reference_refused
        );
        if let Reference::Recorded { .. } = pair.reference {
            let _ = writeln!(
                s,
                "{} recorded rows dated outside the scan dates of the visit their VISITNUM (or VISIT) names (listed in date_mismatches.jsonl with both dates); they are compared at that visit all the same.\n",
                t.date_mismatches
            );
        }
        if vocabularies_differ(t) {
            let mut note = VOCABULARIES_DIFFER.to_string();
            if let Some(first) = note.get(..1) {
                note.replace_range(..1, &first.to_uppercase());
            }
            let _ = writeln!(s, "{note}.\n");
        }
        if let Reference::RuleSet(_) = pair.reference {
            let u = &t.units_refused;
            let _ = writeln!(
                s,
                "Subject × evaluators refused (none of their values compared): {} by the candidate only ({} reference values), {} by the reference only ({} candidate values), {} by both.\n",
                u.candidate_only,
                t.reference_refused,
                u.reference_only,
                t.candidate_refused,
                u.both
            );
        }
        let _ = writeln!(
            s,
            "| test | compared | agreed | agreement | kappa | reference only | candidate only |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
        for test in RsTest::ALL {
            let empty = BTreeMap::new();
            let m = t.confusion.get(&test).unwrap_or(&empty);
            let compared: u64 = m.values().sum();
            let agreed: u64 = m.iter().filter(|((a, b), _)| a == b).map(|(_, c)| *c).sum();
            let pct = if compared > 0 {
                format!("{:.2} %", agreed as f64 * 100.0 / compared as f64)
            } else {
                "-".into()
            };
            let k = kappa(m, &labels(m)).map_or("-".into(), |k| format!("{k:.3}"));
            let _ = writeln!(
                s,
                "| {} | {compared} | {agreed} | {pct} | {k} | {} | {} |",
                test.code(),
                t.reference_only.get(&test).copied().unwrap_or(0),
                t.candidate_only.get(&test).copied().unwrap_or(0)
            );
        }
        for test in RsTest::ALL {
            let Some(m) = t.confusion.get(&test) else {
                continue;
            };
            let ls = labels(m);
            let _ = writeln!(s, "\n### {} confusion matrix\n", test.code());
            let _ = write!(s, "| reference \\ candidate |");
            for l in &ls {
                let _ = write!(s, " {l} |");
            }
            let _ = writeln!(s);
            let _ = write!(s, "|---|");
            for _ in &ls {
                let _ = write!(s, "---:|");
            }
            let _ = writeln!(s);
            for r in &ls {
                let _ = write!(s, "| {r} |");
                for c in &ls {
                    let n = m.get(&(r.clone(), c.clone())).copied().unwrap_or(0);
                    let _ = write!(s, " {n} |");
                }
                let _ = writeln!(s);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use std::path::Path;

    use chrono::{Days, NaiveDate};
    use recist_model::Scope;
    use recist_sdtm::{EvalKey, Mapping};

    use super::*;

    fn rules() -> RuleSet {
        RuleSet::bundled("recist-1.1").unwrap()
    }

    /// The `all` result of a fixture of `fixtures/recist-1.1`, and its visits (`V0`, `V1` …,
    /// VISITNUM 0, 1 …), each scanned on one day.
    fn fixture(name: &str) -> (SubjectResult, Vec<RsVisit>) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/recist-1.1")
            .join(name);
        let case = recist_io::read_case_file(&path)
            .unwrap()
            .into_iter()
            .next()
            .unwrap()
            .unwrap();
        let result = recist_engine::assess_scope(&rules(), &case.subject, Scope::All)
            .unwrap()
            .unwrap();
        let visits = case
            .subject
            .assessments
            .iter()
            .enumerate()
            .map(|(i, a)| RsVisit {
                visit: format!("V{i}"),
                visitnum: i.to_string(),
                date: a.date,
                last_scan: a.date,
                dtc: None,
            })
            .collect();
        (result, visits)
    }

    /// A recorded row of visit `at` (named by its VISITNUM), dated `date` (the visit's date
    /// when `None`).
    fn row(
        visits: &[RsVisit],
        test: RsTest,
        value: &str,
        at: usize,
        date: Option<NaiveDate>,
    ) -> RecordedRow {
        let date = date.unwrap_or(visits[at].date);
        RecordedRow {
            line: 2 + at as u64,
            eval: EvalKey::new("", "", &Mapping::bundled().unwrap()),
            test,
            value: value.into(),
            cat: String::new(),
            visit: visits[at].visit.clone(),
            visitnum: visits[at].visitnum.clone(),
            date: Some(date),
            dates: Some((date, date)),
            at: Some(at),
        }
    }

    fn pair() -> ComparePair {
        ComparePair {
            reference: Reference::Recorded {
                rscat: "RECIST 1.1".into(),
                irecist: false,
            },
            candidate: 0,
            reference_label: "RS.csv".into(),
            candidate_label: "recist-1.1".into(),
        }
    }

    /// Compares `rows` with the result; the tally and the lines written.
    fn compare(
        result: &SubjectResult,
        visits: &[RsVisit],
        rows: &[RecordedRow],
    ) -> (CompareTally, CompareLines) {
        let (mut tally, mut out) = (CompareTally::default(), CompareLines::default());
        let p = pair();
        let id = UnitId {
            subject: &result.subject,
            evaluator: "INVESTIGATOR",
            visits,
        };
        let rows: Vec<&RecordedRow> = rows.iter().collect();
        let rules = rules();
        compare_recorded(
            (0, &p),
            &mut tally,
            &mut out,
            &id,
            &rows,
            "RS.csv",
            &rules,
            result,
            bestresp(&rules, result),
        );
        (tally, out)
    }

    /// Compares two results of one unit as two rule sets (the reference labelled
    /// `recist-1.1 A`), each with its best response; the tally and the lines written.
    fn compare_rule_sets(
        reference: &SubjectResult,
        candidate: &SubjectResult,
        visits: &[RsVisit],
    ) -> (CompareTally, CompareLines) {
        let (mut tally, mut out) = (CompareTally::default(), CompareLines::default());
        let mut p = pair();
        p.reference = Reference::RuleSet(0);
        p.reference_label = "recist-1.1 A".into();
        let id = UnitId {
            subject: &reference.subject,
            evaluator: "INVESTIGATOR",
            visits,
        };
        let rules = rules();
        compare_results(
            (0, &p),
            &mut tally,
            &mut out,
            &id,
            (&rules, reference, bestresp(&rules, reference)),
            (&rules, candidate, bestresp(&rules, candidate)),
        );
        (tally, out)
    }

    fn lines(out: &[u8]) -> Vec<Value> {
        std::str::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn counts(t: &CompareTally, test: RsTest) -> Vec<((String, String), u64)> {
        t.confusion
            .get(&test)
            .map(|m| m.iter().map(|(k, n)| (k.clone(), *n)).collect())
            .unwrap_or_default()
    }

    fn na_na(n: u64) -> Vec<((String, String), u64)> {
        vec![(("NA".into(), "NA".into()), n)]
    }

    use recist_sdtm::bestresp;

    #[test]
    fn r11_measdis_a_recorded_trgresp_na_agrees_with_a_subject_without_target_lesions() {
        let (result, visits) = fixture("R11-MEASDIS.yaml");
        let rows: Vec<RecordedRow> = (1..visits.len())
            .map(|i| row(&visits, RsTest::Trgresp, "NA", i, None))
            .collect();
        let (t, out) = compare(&result, &visits, &rows);
        assert_eq!(counts(&t, RsTest::Trgresp), na_na(3));
        assert_eq!(t.reference_only.get(&RsTest::Trgresp), None);
        assert_eq!(t.candidate_only.get(&RsTest::Trgresp), None);
        assert_eq!(t.discordant, 0);
        assert!(
            lines(&out.unmatched).iter().all(|l| l["test"] != "TRGRESP"),
            "{:?}",
            lines(&out.unmatched)
        );
        let report = report_json(&pair(), &t);
        assert_eq!(report["tests"]["TRGRESP"]["agreed"], 3, "{report}");
        assert_eq!(
            report["tests"]["TRGRESP"]["agreement_pct"], 100.0,
            "{report}"
        );
    }

    #[test]
    fn r11_measdis_no_recorded_trgresp_leaves_the_engines_na_uncounted() {
        // The engine writes no TRGRESP for a subject without targets: with no recorded row
        // either, nothing is on one side only.
        let (result, visits) = fixture("R11-MEASDIS.yaml");
        let rows = [row(&visits, RsTest::Ntrgresp, "NON-CR/NON-PD", 1, None)];
        let (t, out) = compare(&result, &visits, &rows);
        assert_eq!(t.confusion.get(&RsTest::Trgresp), None);
        assert_eq!(t.candidate_only.get(&RsTest::Trgresp), None);
        assert!(lines(&out.unmatched).iter().all(|l| l["test"] != "TRGRESP"));
        // The other engine values with no recorded row are on its side only, as before.
        assert_eq!(t.candidate_only.get(&RsTest::Ntrgresp), Some(&2));
    }

    #[test]
    fn r11_measdis_a_recorded_target_response_where_the_engine_has_no_targets_is_discordant() {
        let (result, visits) = fixture("R11-MEASDIS.yaml");
        let rows = [row(&visits, RsTest::Trgresp, "PR", 1, None)];
        let (t, out) = compare(&result, &visits, &rows);
        assert_eq!(
            counts(&t, RsTest::Trgresp),
            vec![(("PR".into(), "NA".into()), 1)]
        );
        assert_eq!(t.reference_only.get(&RsTest::Trgresp), None);
        assert_eq!(t.discordant, 1);
        let d = lines(&out.discordant);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (&d[0]["test"], &d[0]["reference"], &d[0]["candidate"]),
            (&json!("TRGRESP"), &json!("PR"), &json!("NA"))
        );
    }

    #[test]
    fn r11_tgt_cr_a_recorded_na_where_the_engine_has_lesions_of_that_kind_is_discordant() {
        // R11-TGT-CR has targets and no non-target: NTRGRESP NA agrees, TRGRESP NA does not.
        let (result, visits) = fixture("R11-TGT-CR.yaml");
        let rows = [
            row(&visits, RsTest::Trgresp, "NA", 1, None),
            row(&visits, RsTest::Ntrgresp, "NA", 1, None),
            row(&visits, RsTest::Ntrgresp, "NA", 2, None),
        ];
        let (t, out) = compare(&result, &visits, &rows);
        assert_eq!(
            counts(&t, RsTest::Trgresp),
            vec![(("NA".into(), "PR".into()), 1)]
        );
        assert_eq!(counts(&t, RsTest::Ntrgresp), na_na(2));
        assert_eq!(t.discordant, 1);
        assert_eq!(t.reference_only.get(&RsTest::Trgresp), None);
        let d = lines(&out.discordant);
        assert_eq!(
            (&d[0]["reference"], &d[0]["candidate"]),
            (&json!("NA"), &json!("PR"))
        );
        // The engine's other TRGRESP values have no recorded row: on its side only.
        assert_eq!(t.candidate_only.get(&RsTest::Trgresp), Some(&2));
        assert_eq!(t.candidate_only.get(&RsTest::Ntrgresp), None);
    }

    #[test]
    fn r11_measdis_two_rule_sets_compare_only_the_values_they_write() {
        // Between rule sets nothing changes: neither side writes a TRGRESP.
        let (result, visits) = fixture("R11-MEASDIS.yaml");
        let (tally, out) = compare_rule_sets(&result, &result, &visits);
        assert_eq!(tally.confusion.get(&RsTest::Trgresp), None);
        assert_eq!(tally.discordant, 0);
        assert_eq!(out.unmatched_n, 0);
    }

    #[test]
    fn r11_measdis_a_rule_set_without_targets_is_compared_by_its_na_not_left_unmatched() {
        // The same subject under a rule set that measures its targets (the reference) and one
        // that keeps none (the candidate: mRECIST demoting every target, say).
        let (reference, visits) = fixture("R11-TGT-PR.yaml");
        let mut candidate = reference.clone();
        let follow_ups = candidate
            .timepoints
            .iter_mut()
            .filter_map(|t| t.follow_up.as_mut());
        let mut written = Vec::new();
        for f in follow_ups {
            written.push(f.target.take().map(|t| t.as_str().to_string()));
        }
        let written: Vec<String> = written.into_iter().flatten().collect();
        assert!(written.len() >= 2, "{written:?}");
        let (tally, out) = compare_rule_sets(&reference, &candidate, &visits);
        // Each of the reference's TRGRESP values meets the candidate's NA: discordant.
        let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
        for v in &written {
            *expected.entry((v.clone(), "NA".into())).or_default() += 1;
        }
        assert_eq!(
            counts(&tally, RsTest::Trgresp),
            expected.into_iter().collect::<Vec<_>>()
        );
        assert_eq!(tally.reference_only.get(&RsTest::Trgresp), None);
        assert_eq!(tally.candidate_only.get(&RsTest::Trgresp), None);
        assert!(
            lines(&out.unmatched).iter().all(|l| l["test"] != "TRGRESP"),
            "{:?}",
            lines(&out.unmatched)
        );
        let trg: Vec<Value> = lines(&out.discordant)
            .into_iter()
            .filter(|l| l["test"] == "TRGRESP")
            .collect();
        assert_eq!(trg.len(), written.len());
        assert!(trg.iter().all(|l| l["candidate"] == "NA"), "{trg:?}");
        // NTRGRESP, which both sides write alike, agrees throughout.
        assert!(
            counts(&tally, RsTest::Ntrgresp)
                .iter()
                .all(|((a, b), _)| a == b)
        );
    }

    #[test]
    fn r11_tgt_pr_a_timepoint_of_one_rule_set_only_is_on_its_side_only() {
        // The candidate has no last timepoint (a rule set that refuses that scan, say): the
        // reference's values there are lines on its side only, naming both rule sets.
        let (reference, visits) = fixture("R11-TGT-PR.yaml");
        let mut candidate = reference.clone();
        let last = candidate.timepoints.pop().unwrap();
        let (tally, out) = compare_rule_sets(&reference, &candidate, &visits);
        let one_side = lines(&out.unmatched);
        let tests: Vec<&str> = one_side
            .iter()
            .map(|l| l["test"].as_str().unwrap())
            .collect();
        assert_eq!(tests, ["TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP"]);
        for l in &one_side {
            assert_eq!(l["side"], "reference", "{l}");
            assert_eq!(l["reference_rule_set"], "recist-1.1 A", "{l}");
            assert_eq!(l["date"], json!(last.date), "{l}");
            assert!(l.get("reference_source").is_none(), "{l}");
        }
        assert_eq!(out.unmatched_n, 4);
        assert_eq!(tally.reference_only.values().sum::<u64>(), 4);
        assert_eq!(tally.candidate_only.values().sum::<u64>(), 0);
    }

    #[test]
    fn a_recorded_row_dated_outside_its_visits_scans_is_a_date_mismatch_still_compared() {
        let (result, mut visits) = fixture("R11-TGT-CR.yaml");
        // Visit 2's scans span a week: RSDTC on any of those days agrees with it.
        visits[2].last_scan = visits[2].date.checked_add_days(Days::new(7)).unwrap();
        let later = |i: usize, d: u64| visits[i].date.checked_add_days(Days::new(d));
        let mut partial = row(&visits, RsTest::Newlind, "N", 3, None);
        // `2022-09`, imputed to the first: its month holds the visit's date.
        let first = NaiveDate::from_ymd_opt(2022, 9, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2022, 9, 30).unwrap();
        (partial.date, partial.dates) = (Some(first), Some((first, last)));
        let rows = [
            // VISITNUM 1 with the date of visit 2: a mismatch, still compared at visit 1.
            row(&visits, RsTest::Ovrlresp, "PR", 1, Some(visits[2].date)),
            row(&visits, RsTest::Ovrlresp, "CR", 2, later(2, 7)),
            row(&visits, RsTest::Trgresp, "CR", 2, later(2, 8)),
            partial,
        ];
        let (t, out) = compare(&result, &visits, &rows);
        assert_eq!(t.date_mismatches, 2);
        assert_eq!(out.date_mismatches_n, 2);
        let m = lines(&out.date_mismatches);
        let seen: Vec<_> = m
            .iter()
            .map(|l| {
                (
                    l["test"].as_str().unwrap(),
                    l["visitnum"].as_str().unwrap(),
                    l["recorded_date"].as_str().unwrap(),
                    l["engine_date"].as_str().unwrap(),
                    l["reference_source"]["row"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("OVRLRESP", "1", "2022-08-08", "2022-06-20", 3),
                ("TRGRESP", "2", "2022-08-16", "2022-08-08", 4),
            ]
        );
        assert_eq!(
            m[1]["engine_scan_dates"],
            json!(["2022-08-08", "2022-08-15"])
        );
        // The match is unchanged: every row compared at its VISITNUM's visit, and agreeing.
        assert_eq!(t.discordant, 0);
        assert!(t.reference_only.is_empty(), "{:?}", t.reference_only);
        assert_eq!(
            counts(&t, RsTest::Ovrlresp)
                .iter()
                .map(|c| c.1)
                .sum::<u64>(),
            2
        );
        let report = report_json(&pair(), &t);
        assert_eq!(report["date_mismatches"], 2, "{report}");
        let md = report_markdown(&[pair()], &[t]);
        assert!(md.contains("2 recorded rows dated outside"), "{md}");
    }
}
