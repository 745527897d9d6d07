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

/// The lines comparisons write: discordant values (`discordant.jsonl`) and values on one side
/// only (`unmatched.jsonl`), each with its number of lines.
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
}

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

fn entries(result: &SubjectResult, best: Option<OverallResponse>) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, tp) in result.timepoints.iter().enumerate() {
        let Some(f) = &tp.follow_up else { continue };
        if let Some(t) = f.target {
            out.push(Entry {
                test: RsTest::Trgresp,
                tp: Some(i),
                value: t.as_str().into(),
            });
        }
        if let Some(n) = f.non_target {
            out.push(Entry {
                test: RsTest::Ntrgresp,
                tp: Some(i),
                value: n.as_str().into(),
            });
        }
        out.push(Entry {
            test: RsTest::Newlind,
            tp: Some(i),
            value: newlind(f.new_lesions).into(),
        });
        out.push(Entry {
            test: RsTest::Ovrlresp,
            tp: Some(i),
            value: f.overall.as_str().into(),
        });
    }
    if let Some(b) = best {
        out.push(Entry {
            test: RsTest::Bestresp,
            tp: None,
            value: b.as_str().into(),
        });
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
    let ents = entries(result, best);
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
            let found = row
                .at
                .and_then(|v| id.visits.get(v))
                .and_then(|v| result.timepoints.iter().position(|t| t.date == v.date));
            let Some(i) = found else {
                one_side.recorded(tally, out, row);
                continue;
            };
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
    for e in cands.unmatched() {
        one_side.result(tally, out, Side::Candidate, id, e, result);
    }
}

/// Compares two results of one unit (two rule sets or two protocol settings); appends
/// discordance lines, and a line per value on one side only, to `out`.
#[allow(clippy::too_many_arguments)]
pub fn compare_results(
    pair: (usize, &ComparePair),
    tally: &mut CompareTally,
    out: &mut CompareLines,
    id: &UnitId<'_>,
    (ref_rules, reference, ref_best): (&RuleSet, &SubjectResult, Option<OverallResponse>),
    (rules, candidate, best): (&RuleSet, &SubjectResult, Option<OverallResponse>),
) {
    let a = entries(reference, ref_best);
    let b = entries(candidate, best);
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
            one_side.result(tally, out, Side::Reference, id, ea, reference);
            continue;
        };
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
    for e in cands.unmatched() {
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
            tally.reference_refused += entries(r, best).len() as u64;
        }
        (None, Some((r, best))) => {
            tally.units_refused.reference_only += 1;
            tally.candidate_refused += entries(r, best).len() as u64;
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

/// Whether one side answers in iRECIST's words and the other in RECIST 1.1's (say
/// `--rules recist-1.1` against `--against-rules irecist`): agreement then counts identical
/// words only, so PR and iPR disagree.
pub fn vocabularies_differ(t: &CompareTally) -> bool {
    let mut sides = [[false; 2]; 2]; // [reference, candidate] × [RECIST 1.1 word, iRECIST word]
    for m in t.confusion.values() {
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
