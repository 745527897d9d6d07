//! One subject's TU, TR (and DM) rows turned into a [`Subject`] per evaluator.
//!
//! Reading follows `cdisc.md`: subjects are adjudicated per evaluator (`TREVAL`/`TREVALID`);
//! nodes are recognised from `TULOC`; `LDIAM` is the long axis of a non-nodal lesion, `LPERP`
//! the short axis of a node, `DIAMETER` either by `TULOC`; `TUMSTATE`/`LNSTATE` give status;
//! `TOO SMALL TO MEASURE` is too small; `TRSTAT = NOT DONE` is not evaluated; a baseline
//! lesion with no TR row at a later visit is not evaluated there; `cm` is converted; partial
//! dates are refused unless imputation was chosen.
//!
//! Rows are grouped into assessments by visit (`VISITNUM`, else `VISIT`, else the date), in
//! date order, which numeric `VISITNUM`s must agree with; an assessment is dated by the
//! earliest `TRDTC` of the rows used (a row refused by itself dates nothing); a visit of
//! `SUMDIAM` rows alone is none. The first is the baseline, which every `TARGET` and
//! `NON-TARGET` lesion of TU must be identified at (not before) and, for a non-target, have a
//! row at; a NEW lesion is new at its TU visit unless TR says otherwise there.
//!
//! mRECIST's readings come from the mapping's `viable`, `pattern` and `enhancement` tests
//! (no standard code): a viable diameter beside the long axis, a baseline lesion typical HCC
//! when its baseline `pattern` row says so (a later other word is a warning), a new lesion
//! typical where its row at that visit says so, and a non-target viable while enhancing (or
//! with a viable diameter above 0 mm). They are kept apart from the usual tests' slots, so
//! that data without them is read as before.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use recist_model::{
    Assessment, Diameters, FieldPlacement, Finding, Lesion, LesionKind, Mm, Modality, NewLesion,
    NonTargetFinding, NonTargetStatus, Role, Subject, TargetFinding,
};

use crate::dates::{PartialDates, parse_dtc};
use crate::error::{Place, Problem, SdtmError};
use crate::mapping::{EnhancementWord, Mapping, PatternWord, RoleWord, StateWord, TestKind, trim};
use crate::raw::{RawGroup, dm, tr, tu};

/// An evaluator as SDTM names it: `--EVAL` and `--EVALID`, upper-cased and trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EvalKey {
    /// `TREVAL` (the mapping's default evaluator when empty).
    pub eval: String,
    /// `TREVALID`, possibly empty.
    pub evalid: String,
}

impl EvalKey {
    /// The key of `--EVAL`, `--EVALID` values.
    pub fn new(eval: &str, evalid: &str, mapping: &Mapping) -> EvalKey {
        let eval = trim(eval);
        EvalKey {
            eval: if eval.is_empty() {
                mapping.default_evaluator().to_string()
            } else {
                eval.to_ascii_uppercase()
            },
            evalid: trim(evalid).to_ascii_uppercase(),
        }
    }

    /// Whether raw `--EVAL`, `--EVALID` values name this evaluator (no allocation).
    pub fn matches(&self, eval: &str, evalid: &str, mapping: &Mapping) -> bool {
        let (eval, evalid) = (trim(eval), trim(evalid));
        let eval_ok = if eval.is_empty() {
            self.eval == mapping.default_evaluator()
        } else {
            self.eval == eval || self.eval.eq_ignore_ascii_case(eval)
        };
        eval_ok && (self.evalid == evalid || self.evalid.eq_ignore_ascii_case(evalid))
    }

    /// `EVAL`, or `EVAL/EVALID` when an id is given: the evaluator of results.
    pub fn label(&self) -> String {
        if self.evalid.is_empty() {
            self.eval.clone()
        } else {
            format!("{}/{}", self.eval, self.evalid)
        }
    }

    /// The key of a result's evaluator label (the inverse of [`label`](Self::label)).
    pub fn from_label(label: &str, mapping: &Mapping) -> EvalKey {
        match label.split_once('/') {
            Some((e, id)) => EvalKey::new(e, id, mapping),
            None => EvalKey::new(label, "", mapping),
        }
    }
}

/// Options of SDTM reading.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Partial dates: refused (default) or imputed.
    pub partial_dates: PartialDates,
    /// Whether a DM file was given (a subject missing from it is then worth a warning).
    pub dm_given: bool,
}

/// The files the groups came from, for error places.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// TU file.
    pub tu: String,
    /// TR file.
    pub tr: String,
    /// DM file, when given.
    pub dm: String,
}

/// An assessment's visit as SDTM gave it, for RS and error places.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitMeta {
    /// `VISIT`: the smallest (byte order) of the non-empty `VISIT`s its rows give, whatever
    /// their order.
    pub visit: String,
    /// `VISITNUM`, as written.
    pub visitnum: String,
    /// The assessment date (earliest `TRDTC` of the visit).
    pub date: NaiveDate,
    /// The latest `TRDTC` of the visit (`date` when its scans are all of one day): recorded
    /// RS dated from `date` to this is of the visit's scans.
    pub last_date: NaiveDate,
    /// That date as collected when it was partial and imputed (`--partial-dates`): `2021-02`
    /// or `2021`, what RS's `RSDTC` holds; `None` for a full date.
    pub date_collected: Option<String>,
    /// First TR row of the visit.
    pub row: u64,
    /// `SUMDIAM` recorded at this visit, with its row.
    pub recorded_sum: Option<(Mm, u64)>,
}

impl VisitMeta {
    /// How errors name the visit: `VISIT`, else `VISITNUM n`, else the date.
    pub fn label(&self) -> String {
        visit_name(&self.visit, &self.visitnum, self.date)
    }
}

/// How errors name a visit: `VISIT`, else `VISITNUM n`, else the date (as
/// [`VisitMeta::label`]).
pub fn visit_name(visit: &str, visitnum: &str, date: NaiveDate) -> String {
    VisitName {
        visit,
        visitnum,
        date,
    }
    .to_string()
}

/// A visit's name for messages, formatted only when used.
struct VisitName<'a> {
    visit: &'a str,
    visitnum: &'a str,
    date: NaiveDate,
}

impl std::fmt::Display for VisitName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.visit.is_empty() {
            f.write_str(self.visit)
        } else if !self.visitnum.is_empty() {
            write!(f, "VISITNUM {}", self.visitnum)
        } else {
            write!(f, "{}", self.date)
        }
    }
}

pub(crate) fn visit_label(visit: &str, visitnum: &str, date: &str) -> String {
    if !visit.is_empty() {
        visit.to_string()
    } else if !visitnum.is_empty() {
        format!("VISITNUM {visitnum}")
    } else {
        date.to_string()
    }
}

/// A subject and evaluator read successfully.
#[derive(Debug, Clone)]
pub struct Built {
    /// The subject, ready for the engine.
    pub subject: Subject,
    /// Per assessment, its visit. (`recist batch` moves each visit's `visit` and `visitnum`
    /// out into its RS visits once the unit is built, and names visits from there.)
    pub visits: Vec<VisitMeta>,
    /// Things to add to every result's warnings (imputed dates, equivocal non-targets, ...).
    pub warnings: Vec<String>,
    /// The first TR row of each assessment and lesion, at `assessment * n + lesion` (lesions
    /// in TU order, NEW ones included; `n` of them, every one in `lesion_at` or `new_ids`):
    /// its file line, or 0 where the lesion has no row there (lines count from 1).
    rows: Vec<u64>,
    /// The TU index of each of the subject's lesions, in order.
    lesion_at: Vec<usize>,
    /// The TU index and id of each NEW lesion (not among the subject's lesions).
    new_ids: Vec<(usize, String)>,
}

impl Built {
    /// The TR row behind an assessment (and lesion), for placing engine refusals.
    pub fn row_of(&self, date: NaiveDate, lesion: Option<&str>) -> Option<u64> {
        let in_date_order = self.visits.is_sorted_by_key(|v| v.date);
        let v = crate::rs::first_dated(&self.visits, date, in_date_order, |v| v.date)?;
        if let Some(l) = lesion
            && let Some(li) = self.tu_index(l)
            && let Some(&row) = self
                .rows
                .get(v * (self.lesion_at.len() + self.new_ids.len()) + li)
            && row > 0
        {
            return Some(row);
        }
        self.visits.get(v).map(|m| m.row)
    }

    /// The TU index of a lesion id (ids differ but for ASCII case: at most one matches).
    fn tu_index(&self, id: &str) -> Option<usize> {
        let lesions = self.subject.lesions.iter().zip(&self.lesion_at);
        lesions
            .map(|(l, &li)| (l.id.as_str(), li))
            .chain(self.new_ids.iter().map(|(li, i)| (i.as_str(), *li)))
            .find(|(i, _)| i.eq_ignore_ascii_case(id))
            .map(|(_, li)| li)
    }
}

/// One subject × evaluator: built, or refused with every problem found.
#[derive(Debug, Clone)]
pub struct Unit {
    /// USUBJID.
    pub subject: String,
    /// STUDYID (first non-empty of TR, TU).
    pub studyid: String,
    /// The evaluator.
    pub evaluator: EvalKey,
    /// The subject, or why it was refused (the first problem is the main one).
    pub outcome: Result<Built, Vec<SdtmError>>,
    /// TU rows of this unit that were read into it (rows refused by themselves excluded).
    pub tu_rows: u64,
    /// TR rows likewise.
    pub tr_rows: u64,
}

/// Rows of one domain: every row read is used, refused by itself, or in a refused unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowCount {
    /// Rows read (readable or not).
    pub read: u64,
    /// Rows read into a subject that was built.
    pub used: u64,
    /// Rows refused by themselves (malformed, no subject, duplicate, unknown code).
    pub refused: u64,
    /// Readable rows of a subject and evaluator refused while reading.
    pub in_refused_subjects: u64,
}

impl RowCount {
    /// Adds another count.
    pub fn add(&mut self, o: &RowCount) {
        self.read += o.read;
        self.used += o.used;
        self.refused += o.refused;
        self.in_refused_subjects += o.in_refused_subjects;
    }

    /// Whether `read = used + refused + in_refused_subjects`.
    pub fn reconciles(&self) -> bool {
        self.read == self.used + self.refused + self.in_refused_subjects
    }
}

/// Everything read for one USUBJID.
#[derive(Debug, Clone, Default)]
pub struct SubjectBuild {
    /// USUBJID ("" for rows that belong to no subject).
    pub key: String,
    /// One per evaluator, TR's evaluators first in order of appearance, then TU-only ones.
    pub units: Vec<Unit>,
    /// Rows refused by themselves, in file then row order.
    pub row_errors: Vec<SdtmError>,
    /// TU rows.
    pub tu_rows: RowCount,
    /// TR rows.
    pub tr_rows: RowCount,
    /// DM rows: used when some evaluator of the subject was built, in refused subjects when
    /// every one was refused; with no evaluator (no readable TU or TR row) readable rows are
    /// none of these, and the caller counts them.
    pub dm_rows: RowCount,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    Len(Mm),
    TooSmall,
    NotDone,
    State(StateWord),
    /// A `pattern` row's result (mRECIST).
    Pattern(PatternWord),
    /// An `enhancement` row's result: whether arterial enhancement persists (mRECIST).
    Enhancing(bool),
}

impl Val {
    /// Whether this is `NOT DONE` (a match, cheaper than the derived `==` of every variant).
    #[inline(always)]
    fn is_not_done(&self) -> bool {
        matches!(self, Val::NotDone)
    }

    fn text(&self) -> String {
        match self {
            Val::Len(m) => format!("{m} mm"),
            Val::TooSmall => "too small to measure".into(),
            Val::NotDone => "NOT DONE".into(),
            Val::State(s) => format!("{s:?}").to_ascii_uppercase(),
            Val::Pattern(PatternWord::Typical) => "TYPICAL".into(),
            Val::Pattern(PatternWord::Atypical) => "ATYPICAL".into(),
            Val::Enhancing(true) => "ENHANCING".into(),
            Val::Enhancing(false) => "NON-ENHANCING".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Slot {
    Long = 0,
    Short = 1,
    Diameter = 2,
    State = 3,
    /// mRECIST's slots, kept apart ([`UnitAcc::mr_obs`]): the viable diameter, the pattern
    /// and the enhancement.
    Viable = 4,
    Pattern = 5,
    Enhancement = 6,
}

/// The number of the usual slots (long, short, diameter, state), kept per lesion and visit.
const SLOTS: usize = 4;

/// A lesion's mRECIST observations at a visit: viable diameter, pattern, enhancement.
type MrObs = [Option<Obs>; 3];

impl UnitAcc {
    fn obs(&self, lesion: usize, visit: usize, slot: Slot) -> Option<Obs> {
        self.obs
            .get(lesion)
            .and_then(|v| v.get(visit))
            .and_then(|s| s[slot as usize])
    }

    /// A lesion's observations at a visit, by slot.
    fn visit_obs(&self, lesion: usize, visit: usize) -> [Option<Obs>; 4] {
        self.obs
            .get(lesion)
            .and_then(|v| v.get(visit))
            .copied()
            .unwrap_or_default()
    }

    #[inline(always)]
    fn obs_mut(&mut self, lesion: usize, visit: usize, slot: Slot) -> &mut Option<Obs> {
        if self.obs.len() <= lesion {
            self.obs.resize_with(lesion + 1, Vec::new);
        }
        let per_visit = &mut self.obs[lesion];
        if per_visit.capacity() == 0 {
            per_visit.reserve(8);
        }
        // A lesion's visits usually come in order, each one new: a push.
        if per_visit.len() == visit {
            per_visit.push([None; 4]);
        } else if per_visit.len() < visit {
            per_visit.resize(visit + 1, [None; 4]);
        }
        &mut per_visit[visit][slot as usize]
    }

    fn has_obs(&self, lesion: usize) -> bool {
        self.obs
            .get(lesion)
            .is_some_and(|v| v.iter().any(|s| s.iter().any(Option::is_some)))
            || self.mr_obs.iter().any(|(l, _, _)| *l == lesion)
    }

    /// A lesion's observation in any slot, mRECIST's included.
    #[inline(always)]
    fn obs_any(&self, lesion: usize, visit: usize, slot: Slot) -> Option<Obs> {
        if (slot as usize) < SLOTS {
            self.obs(lesion, visit, slot)
        } else {
            self.mr_visit_obs(lesion, visit)
                .get(slot as usize - SLOTS)
                .copied()
                .flatten()
        }
    }

    /// Sets a lesion's observation in any slot (it had none there).
    #[inline(always)]
    fn set_obs(&mut self, lesion: usize, visit: usize, slot: Slot, o: Obs) {
        if (slot as usize) < SLOTS {
            *self.obs_mut(lesion, visit, slot) = Some(o);
        } else {
            self.set_mr_obs(lesion, visit, slot, o);
        }
    }

    /// A lesion's mRECIST observations at a visit (none, quickly, in data without them).
    #[inline]
    fn mr_visit_obs(&self, lesion: usize, visit: usize) -> MrObs {
        if self.mr_obs.is_empty() {
            return [None; 3];
        }
        self.mr_obs
            .iter()
            .find(|(l, v, _)| *l == lesion && *v == visit)
            .map_or([None; 3], |(_, _, o)| *o)
    }

    #[cold]
    fn set_mr_obs(&mut self, lesion: usize, visit: usize, slot: Slot, o: Obs) {
        let i = slot as usize - SLOTS;
        match self
            .mr_obs
            .iter_mut()
            .find(|(l, v, _)| *l == lesion && *v == visit)
        {
            Some((_, _, slots)) => {
                if let Some(s) = slots.get_mut(i) {
                    *s = Some(o);
                }
            }
            None => {
                let mut slots = [None; 3];
                if let Some(s) = slots.get_mut(i) {
                    *s = Some(o);
                }
                self.mr_obs.push((lesion, visit, slots));
            }
        }
    }
}

impl Slot {
    fn name(self) -> &'static str {
        match self {
            Slot::Long => "long axis (LDIAM)",
            Slot::Short => "short axis (LPERP)",
            Slot::Diameter => "DIAMETER",
            Slot::State => "status (TUMSTATE)",
            Slot::Viable => "viable diameter",
            Slot::Pattern => "pattern",
            Slot::Enhancement => "enhancement",
        }
    }
}

#[derive(Debug, Clone)]
struct TuLesion {
    id: String,
    role: RoleWord,
    site: String,
    nodal: bool,
    kind: Option<LesionKind>,
    method: Option<Modality>,
    row: u64,
    /// The TU row's index in its group (its visit is read from there for errors).
    tu_r: usize,
    /// The TU row's visit, for NEW lesions only.
    visit_key: Option<VisitKey>,
}

#[derive(Debug, Clone)]
struct VisitAcc {
    /// What names the visit; its value is `visitnum`, `label` or `date_key`.
    by: VisitBy,
    label: String,
    visitnum: String,
    /// The date part of `TRDTC` when the date names the visit (else empty).
    date_key: String,
    num: Option<f64>,
    min: Option<NaiveDate>,
    /// `min` as collected when it came from an imputed partial date (`2021-02`), else `None`.
    min_partial: Option<crate::dates::Dtc>,
    max: Option<NaiveDate>,
    /// The visit's TRMETHOD: the first its rows give, or, when they give several, the first
    /// of them in the order CT, MRI, caliper, x-ray, ultrasound, PET (`methods_differ`), whatever
    /// the row order.
    method: Option<Modality>,
    /// Whether its rows give different TRMETHODs.
    methods_differ: bool,
    row: u64,
    any_value: bool,
    /// Whether a row of a lesion was read into it (a visit of SUMDIAM rows alone is no
    /// assessment).
    lesion_rows: bool,
    sum: Option<(Mm, u64)>,
    /// The TRDTC of the `sum`'s row, as read (an exact duplicate gives the same).
    sum_date: Option<crate::dates::Dtc>,
    /// `VISIT`s other rows of the visit gave besides `label` (rarely any): see
    /// [`VisitAcc::also_named`].
    other_names: Vec<String>,
    /// `VISITNUM`s other rows of the visit wrote besides `visitnum`, the same number written
    /// otherwise (`2.0` for `2`; rarely any): see [`VisitAcc::also_numbered`].
    other_visitnums: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Obs {
    val: Val,
    row: u64,
    /// The row's TRDTC, as read (an exact duplicate gives the same).
    date: Option<crate::dates::Dtc>,
    /// The row's TRMETHOD, when given and in the mapping.
    method: Option<Modality>,
}

struct UnitAcc {
    eval: EvalKey,
    studyid: String,
    problems: Vec<SdtmError>,
    lesions: Vec<TuLesion>,
    /// A NEW lesion's further TU rows at other visits (rarely any), with its index in
    /// `lesions`: it is new at each of its TU visits, so that which row comes first does not
    /// date its appearance.
    new_relisted: Vec<(usize, TuLesion)>,
    visits: Vec<VisitAcc>,
    /// Per lesion (TU order), per visit (first-seen order), per slot.
    obs: Vec<Vec<[Option<Obs>; 4]>>,
    /// mRECIST's observations (lesion, visit, slots), in data that has them (so that the
    /// usual slots, read for every row, stay as small as they were).
    mr_obs: Vec<(usize, usize, MrObs)>,
    tu_rows: u64,
    tr_rows: u64,
    has_tr: bool,
    warnings: Vec<String>,
    first_tu_row: u64,
    /// The last TRDTC read and what it gave (rows of a visit share it).
    last_dtc: (String, Option<crate::dates::Dtc>),
    /// The visit of the last TR row (rows of a visit usually follow each other).
    last_visit: usize,
    /// The visits by key, once a unit has [`VISIT_INDEX_AT`] of them: a lookup that misses
    /// `last_visit` then costs one hash instead of a scan of every visit (so a subject's time
    /// grows with its visits, not with their square).
    visit_index: Option<HashMap<VisitKey, usize>>,
    /// The lesion after the last TR row's.
    next_lesion: usize,
}

/// The buffers of a finished [`UnitAcc`], kept per thread for the next one: a unit's
/// lesions, visits and observations are read into reused memory instead of a dozen fresh
/// allocations (some large) per subject.
#[derive(Default)]
struct Scratch {
    lesions: Vec<TuLesion>,
    visits: Vec<VisitAcc>,
    obs: Vec<Vec<[Option<Obs>; 4]>>,
    last_dtc: String,
}

/// How many visits a unit has before its visits are looked up by key
/// ([`UnitAcc::visit_index`]); below, a scan is quicker.
const VISIT_INDEX_AT: usize = 32;

/// Most scratch sets kept per thread.
const SCRATCH_KEPT: usize = 8;
/// Most lesions whose observation buffers a scratch set keeps.
const SCRATCH_LESIONS: usize = 64;

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<Scratch>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The unit of each TR row of the subject being read (reused).
    static TR_UNITS: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl UnitAcc {
    fn new(eval: EvalKey) -> UnitAcc {
        let s = SCRATCH
            .with(|k| k.try_borrow_mut().ok().and_then(|mut v| v.pop()))
            .unwrap_or_default();
        UnitAcc {
            eval,
            studyid: String::new(),
            problems: Vec::new(),
            lesions: s.lesions,
            new_relisted: Vec::new(),
            visits: s.visits,
            obs: s.obs,
            mr_obs: Vec::new(),
            tu_rows: 0,
            tr_rows: 0,
            has_tr: false,
            warnings: Vec::new(),
            first_tu_row: 0,
            last_dtc: (s.last_dtc, None),
            last_visit: 0,
            visit_index: None,
            next_lesion: 0,
        }
    }

    /// Gives the unit's buffers back to this thread's scratch, emptied.
    fn recycle(mut self) {
        self.lesions.clear();
        self.visits.clear();
        self.obs.truncate(SCRATCH_LESIONS);
        self.obs.iter_mut().for_each(Vec::clear);
        self.last_dtc.0.clear();
        let s = Scratch {
            lesions: self.lesions,
            visits: self.visits,
            obs: self.obs,
            last_dtc: self.last_dtc.0,
        };
        SCRATCH.with(|k| {
            if let Ok(mut v) = k.try_borrow_mut()
                && v.len() < SCRATCH_KEPT
            {
                v.push(s);
            }
        });
    }
}

/// The unit of a row's `--EVAL`, `--EVALID`, found once per run of rows naming the same
/// evaluator (`last` holds the run's values and unit).
#[inline]
fn unit_of_row<'g>(
    units: &mut Vec<UnitAcc>,
    last: &mut Option<(&'g str, &'g str, usize)>,
    eval: &'g str,
    evalid: &'g str,
    mapping: &Mapping,
) -> usize {
    if let Some((le, lid, ui)) = *last
        && same_bytes(le, eval)
        && same_bytes(lid, evalid)
    {
        return ui;
    }
    let ui = unit_index(units, eval, evalid, mapping);
    *last = Some((eval, evalid, ui));
    ui
}

fn unit_index(units: &mut Vec<UnitAcc>, eval: &str, evalid: &str, mapping: &Mapping) -> usize {
    if let Some(i) = units
        .iter()
        .position(|u| u.eval.matches(eval, evalid, mapping))
    {
        return i;
    }
    units.push(UnitAcc::new(EvalKey::new(eval, evalid, mapping)));
    units.len() - 1
}

/// How a row names its visit: `VISITNUM`, else `VISIT`, else the date of `--DTC`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum VisitKey {
    Num(String),
    Name(String),
    Date(String),
}

impl VisitKey {
    fn of(visitnum: &str, visit: &str, dtc: &str) -> Option<VisitKey> {
        VisitBy::of(visitnum, visit, dtc).map(|by| match by {
            VisitBy::Num => VisitKey::Num(number_key(visitnum)),
            VisitBy::Name => VisitKey::Name(visit.to_ascii_uppercase()),
            VisitBy::Date => VisitKey::Date(date_key(dtc).to_string()),
        })
    }
}

/// Which of `VISITNUM`, `VISIT` or the date names a visit (see [`VisitKey`]); the value is
/// kept once, in the visit's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VisitBy {
    Num,
    Name,
    Date,
}

impl VisitBy {
    /// What names the visit of a row: `VISITNUM`, else `VISIT`, else the date (`None` when
    /// nothing does).
    fn of(visitnum: &str, visit: &str, dtc: &str) -> Option<VisitBy> {
        if !visitnum.is_empty() {
            Some(VisitBy::Num)
        } else if !visit.is_empty() {
            Some(VisitBy::Name)
        } else if !dtc.is_empty() {
            Some(VisitBy::Date)
        } else {
            None
        }
    }
}

/// Whether two values are equal (`a == b`), compared by a few word loads when they are short
/// (as a row's evaluator, date, visit number or result is) instead of a call to `memcmp`.
#[inline(always)]
fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    // Two loads from each end cover every byte (they overlap when shorter than both).
    fn ends<const N: usize>(s: &[u8]) -> Option<(&[u8; N], &[u8; N])> {
        Some((s.first_chunk()?, s.last_chunk()?))
    }
    match a.len() {
        0 => true,
        1..=3 => a.first() == b.first() && a.get(1) == b.get(1) && a.last() == b.last(),
        4..=7 => ends::<4>(a) == ends::<4>(b),
        8..=16 => ends::<8>(a) == ends::<8>(b),
        _ => a == b,
    }
}

/// Whether two values are equal ignoring ASCII case (as [`str::eq_ignore_ascii_case`]),
/// quicker when their bytes are equal, as ids, units and visits of one subject usually are.
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .all(|(x, y)| x == y || x.eq_ignore_ascii_case(&y))
}

/// The visit a TR row's `VISITNUM`, `VISIT` and `--DTC` name among a unit's `visits`, if any:
/// the first that matches (keys of visits differ, so at most one does). Builds the unit's
/// `index` ([`UnitAcc::visit_index`]) once it has [`VISIT_INDEX_AT`] visits.
fn find_visit(
    visits: &[VisitAcc],
    index: &mut Option<HashMap<VisitKey, usize>>,
    visitnum: &str,
    visit: &str,
    dtc: &str,
) -> Option<usize> {
    if index.is_none() && visits.len() >= VISIT_INDEX_AT {
        let mut by_key = HashMap::with_capacity(visits.len() * 2);
        for (i, v) in visits.iter().enumerate() {
            by_key.entry(v.key()).or_insert(i);
        }
        *index = Some(by_key);
    }
    // The key (an allocation) is made only for the index.
    if let Some(by_key) = index
        && let Some(key) = VisitKey::of(visitnum, visit, dtc)
    {
        return by_key.get(&key).copied();
    }
    visits.iter().position(|v| v.matches(visitnum, visit, dtc))
}

/// The date part of a `--DTC` value (what names a visit with neither number nor name).
fn date_key(dtc: &str) -> &str {
    dtc.split('T').next().unwrap_or(dtc)
}

impl VisitAcc {
    /// Whether a row's `VISITNUM`, `VISIT` and `--DTC` name this visit (as its
    /// [`VisitKey`] would match them).
    #[inline(always)]
    fn matches(&self, visitnum: &str, visit: &str, dtc: &str) -> bool {
        match self.by {
            VisitBy::Num => {
                !visitnum.is_empty()
                    && (same_bytes(&self.visitnum, visitnum) || self.same_number(visitnum))
            }
            VisitBy::Name => visitnum.is_empty() && same_text(&self.label, visit),
            VisitBy::Date => {
                visitnum.is_empty() && visit.is_empty() && same_bytes(&self.date_key, date_key(dtc))
            }
        }
    }

    /// Whether `visitnum`, written otherwise than this visit's `VISITNUM`, is the same
    /// number (`2.0` for `2`): VISITNUM is numeric in SDTM, and the comparison of recorded RS
    /// reads it as a number too.
    #[cold]
    fn same_number(&self, visitnum: &str) -> bool {
        self.num
            .is_some_and(|n| n.is_finite() && visit_number(visitnum) == Some(n))
    }

    /// Another row of this visit writes its `VISITNUM` `visitnum`, the same number written
    /// otherwise: the visit keeps the smallest of the texts (byte order), so that which row
    /// comes first does not decide how RS and messages write it; the others are kept for a
    /// warning.
    #[cold]
    fn also_numbered(&mut self, visitnum: &str) {
        keep_smallest(&mut self.visitnum, &mut self.other_visitnums, visitnum);
    }

    /// A warning when the visit's rows wrote its `VISITNUM` in several ways.
    fn visitnums_warning(&self, date: NaiveDate) -> Option<String> {
        if self.other_visitnums.is_empty() {
            return None;
        }
        Some(format!(
            "{}: its TR rows write its VISITNUM {}: one number, one visit, written `{}`",
            described_visit(&self.label, &self.visitnum, &date.to_string()),
            quoted_all(&self.visitnum, &self.other_visitnums),
            self.visitnum
        ))
    }

    /// Another row of this visit names it `name` (not its label): the visit keeps the smallest
    /// of the names given (byte order; an empty `VISIT` is no name), so that which row comes
    /// first does not decide how RS and messages name the visit; the others are kept for a
    /// warning.
    #[cold]
    fn also_named(&mut self, name: &str) {
        if name.is_empty() {
            return;
        }
        if self.label.is_empty() {
            self.label = name.to_string();
            return;
        }
        keep_smallest(&mut self.label, &mut self.other_names, name);
    }

    /// A warning when the visit's rows gave it names that differ other than by case.
    fn names_warning(&self, date: NaiveDate) -> Option<String> {
        if !self
            .other_names
            .iter()
            .any(|n| !n.eq_ignore_ascii_case(&self.label))
        {
            return None;
        }
        Some(format!(
            "{}: its TR rows name it {}: read as `{}`",
            described_visit("", &self.visitnum, &date.to_string()),
            quoted_all(&self.label, &self.other_names),
            self.label
        ))
    }

    /// This visit's key: what a row naming it gives in [`VisitKey::of`].
    fn key(&self) -> VisitKey {
        match self.by {
            VisitBy::Num => VisitKey::Num(number_key(&self.visitnum)),
            VisitBy::Name => VisitKey::Name(self.label.to_ascii_uppercase()),
            VisitBy::Date => VisitKey::Date(self.date_key.clone()),
        }
    }

    /// Whether this visit's key equals `key` (a TU row's visit): the row that gave it would
    /// match.
    fn has_key(&self, key: &VisitKey) -> bool {
        match key {
            VisitKey::Num(n) => self.matches(n, "", ""),
            VisitKey::Name(n) => self.matches("", n, ""),
            VisitKey::Date(d) => self.matches("", "", d),
        }
    }
}

struct Ctx<'a> {
    key: &'a str,
    files: &'a Files,
    /// The subject's TU rows (read again for a lesion's TU visit in errors).
    tu_group: Option<&'a RawGroup>,
    mapping: &'a Mapping,
    opts: ReadOptions,
}

impl Ctx<'_> {
    /// A lesion's TU row's `VISIT`, `VISITNUM` and `TUDTC`.
    fn tu_visit(&self, l: &TuLesion) -> (&str, &str, &str) {
        match self.tu_group {
            Some(g) => (
                g.get(l.tu_r, tu::VISIT),
                g.get(l.tu_r, tu::VISITNUM),
                g.get(l.tu_r, tu::DTC),
            ),
            None => ("", "", ""),
        }
    }

    /// A lesion's TU visit as errors place it (`VISIT`, else `VISITNUM n`, else `TUDTC`).
    fn tu_visit_label(&self, l: &TuLesion) -> Option<String> {
        let (visit, visitnum, dtc) = self.tu_visit(l);
        let v = visit_label(visit, visitnum, dtc);
        (!v.is_empty()).then_some(v)
    }

    /// An error at a lesion's TU row, placed at its TU visit.
    fn tu_err(&self, l: &TuLesion, eval: &EvalKey, problem: Problem) -> SdtmError {
        self.err(
            &self.files.tu,
            l.row,
            Some(eval),
            Some(&l.id),
            self.tu_visit_label(l),
            problem,
        )
    }

    fn err(
        &self,
        file: &str,
        row: u64,
        eval: Option<&EvalKey>,
        lesion: Option<&str>,
        visit: Option<String>,
        problem: Problem,
    ) -> SdtmError {
        SdtmError {
            place: Place {
                file: file.to_string(),
                row: (row > 0).then_some(row),
                subject: (!self.key.is_empty()).then(|| self.key.to_string()),
                evaluator: eval.map(EvalKey::label),
                lesion: lesion.filter(|l| !l.is_empty()).map(str::to_string),
                visit,
            },
            problem,
        }
    }

    /// An error on a TU or TR row, placed at its lesion and its visit (when the row names
    /// one, by VISIT, VISITNUM or date).
    fn row_err(
        &self,
        file: &str,
        row: u64,
        eval: &EvalKey,
        lesion: &str,
        (visit, visitnum, date): (&str, &str, &str),
        problem: Problem,
    ) -> SdtmError {
        let v = visit_label(visit, visitnum, date);
        let v = (!v.is_empty()).then_some(v);
        self.err(file, row, Some(eval), Some(lesion), v, problem)
    }
}

/// Reads one subject's rows into units (one per evaluator).
pub fn build_subject(
    key: &str,
    tu_group: Option<&RawGroup>,
    tr_group: Option<&RawGroup>,
    dm_group: Option<&RawGroup>,
    files: &Files,
    mapping: &Mapping,
    opts: ReadOptions,
) -> SubjectBuild {
    let ctx = Ctx {
        key,
        files,
        tu_group,
        mapping,
        opts,
    };
    let mut out = SubjectBuild {
        key: key.to_string(),
        ..SubjectBuild::default()
    };
    // Room for two evaluators: four units would be a large request, slower in malloc.
    let mut units: Vec<UnitAcc> = Vec::with_capacity(2);
    let mut poison: Option<(String, u64)> = None;

    // Unreadable rows.
    for (group, file, count) in [
        (tu_group, &files.tu, &mut out.tu_rows),
        (tr_group, &files.tr, &mut out.tr_rows),
        (dm_group, &files.dm, &mut out.dm_rows),
    ] {
        let Some(g) = group else { continue };
        count.read += g.rows_total();
        for b in &g.bad {
            count.refused += 1;
            let mut e = ctx.err(file, b.line, None, None, None, b.problem.clone());
            if !b.attributed {
                e.place.subject = None;
            } else if poison.is_none() {
                poison = Some((file.clone(), b.line));
            }
            out.row_errors.push(e);
        }
    }

    // Rows that are not UTF-8 are unreadable rows of this subject (they are skipped below):
    // TU's, TR's and DM's, in row order (usually none).
    let mut not_utf8: [Vec<usize>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for ((group, file, count), skipped) in [
        (tu_group, &files.tu, &mut out.tu_rows),
        (tr_group, &files.tr, &mut out.tr_rows),
        (dm_group, &files.dm, &mut out.dm_rows),
    ]
    .into_iter()
    .zip(&mut not_utf8)
    {
        let Some(g) = group.filter(|g| !g.all_utf8()) else {
            continue;
        };
        for r in 0..g.len() {
            if g.row_is_utf8(r) {
                continue;
            }
            skipped.push(r);
            count.refused += 1;
            out.row_errors.push(ctx.err(
                file,
                g.line(r),
                None,
                None,
                None,
                Problem::Malformed("a field is not valid UTF-8".into()),
            ));
            if poison.is_none() {
                poison = Some((file.clone(), g.line(r)));
            }
        }
    }

    // Each row's evaluator: TR's first, so evaluators come in TR order; TU rows are read
    // before TR rows (their lesions are needed), so TR rows' units are kept meanwhile, in a
    // buffer reused from subject to subject.
    let mut tr_units = TR_UNITS
        .with(|k| k.try_borrow_mut().map(|mut v| std::mem::take(&mut *v)))
        .unwrap_or_default();
    tr_units.clear();
    if let Some(g) = tr_group {
        let mut last = None;
        let skipped = &not_utf8[1];
        tr_units.extend((0..g.len()).map(|r| {
            if skipped.binary_search(&r).is_ok() {
                return usize::MAX;
            }
            let (e, id) = (g.get(r, tr::EVAL), g.get(r, tr::EVALID));
            unit_of_row(&mut units, &mut last, e, id, mapping)
        }));
    }
    if let Some(g) = tu_group {
        let mut last = None;
        let skipped = &not_utf8[0];
        let mut memo = TuMemo::default();
        for r in 0..g.len() {
            if skipped.binary_search(&r).is_ok() {
                continue;
            }
            let (e, id) = (g.get(r, tu::EVAL), g.get(r, tu::EVALID));
            let ui = unit_of_row(&mut units, &mut last, e, id, mapping);
            if let Some(u) = units.get_mut(ui) {
                read_tu_row(&ctx, g, r, u, &mut out, &mut memo);
            }
        }
    }
    if let Some(g) = tr_group {
        let mut memo = TrMemo::default();
        for (r, &ui) in tr_units.iter().enumerate() {
            if let Some(u) = units.get_mut(ui) {
                read_tr_row(&ctx, g, r, u, &mut out, &mut memo);
            }
        }
    }
    TR_UNITS.with(|k| {
        if let Ok(mut v) = k.try_borrow_mut() {
            *v = tr_units;
        }
    });

    // DM: day 0.
    let dm_readable = dm_group.map_or(0, |g| g.len().saturating_sub(not_utf8[2].len()));
    let mut treatment_start: Result<Option<NaiveDate>, SdtmError> = Ok(None);
    let mut dm_warning = None;
    match dm_group.filter(|g| !g.is_empty()) {
        Some(g) => {
            let text = g.get(0, dm::REFDATE);
            let column = "DM reference date";
            match parse_dtc(text, column, opts.partial_dates) {
                Ok(Some(d)) => {
                    if d.imputed {
                        dm_warning = Some(format!(
                            "DM reference date `{text}` is partial: imputed to {} (--partial-dates {})",
                            d.date,
                            opts.partial_dates.as_str()
                        ));
                    }
                    treatment_start = Ok(Some(d.date));
                }
                Ok(None) => {
                    dm_warning = Some(format!(
                        "DM gives no {}: days count from the baseline scan",
                        mapping.reference_date_column()
                    ));
                }
                Err(p) => {
                    treatment_start = Err(ctx.err(&files.dm, g.line(0), None, None, None, p));
                }
            }
        }
        None if opts.dm_given && !units.is_empty() => {
            dm_warning =
                Some("no DM record for this subject: days count from the baseline scan".into());
        }
        None => {}
    }

    // A subject has one DM record: further rows giving the same date are used, with a
    // warning; another date refuses the subject (rows that are not UTF-8 refuse it anyway).
    if let Some(g) = dm_group
        && let Ok(first_date) = treatment_start
    {
        let said = |r: usize| match g.get(r, dm::REFDATE) {
            "" => "nothing".to_string(),
            t => format!("`{t}`"),
        };
        for r in 1..g.len() {
            if not_utf8[2].binary_search(&r).is_ok() {
                continue;
            }
            let p = match parse_dtc(
                g.get(r, dm::REFDATE),
                "DM reference date",
                opts.partial_dates,
            ) {
                Ok(d) if d.map(|d| d.date) == first_date => {
                    let w = format!(
                        "DM rows {} and {} of this subject give the same {} ({}): one DM record is expected",
                        g.line(0),
                        g.line(r),
                        mapping.reference_date_column(),
                        said(0)
                    );
                    dm_warning = Some(match dm_warning.take() {
                        Some(before) => format!("{before}; {w}"),
                        None => w,
                    });
                    continue;
                }
                Ok(_) => Problem::Conflict {
                    test: mapping.reference_date_column().to_string(),
                    first_row: g.line(0),
                    first: said(0),
                    second: said(r),
                },
                Err(p) => p,
            };
            treatment_start = Err(ctx.err(&files.dm, g.line(r), None, None, None, p));
            break;
        }
    }

    out.units.reserve_exact(units.len());
    for mut u in units {
        // The unit's evaluator and study move to its result.
        let eval = std::mem::replace(
            &mut u.eval,
            EvalKey {
                eval: String::new(),
                evalid: String::new(),
            },
        );
        let (tu_rows, tr_rows) = (u.tu_rows, u.tr_rows);
        let studyid = std::mem::take(&mut u.studyid);
        let outcome = if let Some((file, row)) = &poison {
            Err(vec![ctx.err(
                file,
                *row,
                Some(&eval),
                None,
                None,
                Problem::UnreadableRow {
                    file: file.clone(),
                    row: *row,
                },
            )])
        } else {
            finish_unit(&ctx, &mut u, &eval, &treatment_start, dm_warning.as_deref())
        };
        u.recycle();
        if outcome.is_ok() {
            out.tu_rows.used += tu_rows;
            out.tr_rows.used += tr_rows;
        } else {
            out.tu_rows.in_refused_subjects += tu_rows;
            out.tr_rows.in_refused_subjects += tr_rows;
        }
        out.units.push(Unit {
            subject: key.to_string(),
            studyid,
            evaluator: eval,
            outcome,
            tu_rows,
            tr_rows,
        });
    }
    if dm_readable > 0 {
        let readable = dm_readable as u64;
        if out.units.iter().any(|u| u.outcome.is_ok()) {
            out.dm_rows.used += readable;
        } else if !out.units.is_empty() {
            out.dm_rows.in_refused_subjects += readable;
        }
    }
    out.row_errors
        .sort_by(|a, b| (&a.place.file, a.place.row).cmp(&(&b.place.file, b.place.row)));
    out
}

/// Refuses a TU or TR row for its test code: among the row errors, counted as refused in
/// `count`, and among the unit's problems.
fn refuse_test(errors: &mut Vec<SdtmError>, count: &mut RowCount, u: &mut UnitAcc, e: SdtmError) {
    errors.push(e.clone());
    count.refused += 1;
    u.problems.push(e);
}

/// Mapping lookups of a subject's TU rows.
#[derive(Default)]
struct TuMemo<'g> {
    role: Memo<'g, Option<RoleWord>>,
    method: Memo<'g, Option<Modality>>,
}

fn read_tu_row<'g>(
    ctx: &Ctx<'_>,
    g: &'g RawGroup,
    r: usize,
    u: &mut UnitAcc,
    out: &mut SubjectBuild,
    memo: &mut TuMemo<'g>,
) {
    let file = &ctx.files.tu;
    let line = g.line(r);
    let eval: &EvalKey = &u.eval;
    if u.studyid.is_empty() {
        u.studyid = g.get(r, tu::STUDYID).to_string();
    }
    if u.first_tu_row == 0 {
        u.first_tu_row = line;
    }
    let id = g.get(r, tu::LNKID);
    // The row's visit is read only for an error or a NEW lesion.
    let visit = || {
        (
            g.get(r, tu::VISIT),
            g.get(r, tu::VISITNUM),
            g.get(r, tu::DTC),
        )
    };
    let err = |p: Problem| ctx.row_err(file, line, eval, id, visit(), p);
    let testcd = g.get(r, tu::TESTCD);
    if !testcd.is_empty() && !ctx.mapping.identifies(testcd) {
        let e = err(Problem::UnknownTest {
            column: "TUTESTCD",
            code: testcd.to_string(),
        });
        refuse_test(&mut out.row_errors, &mut out.tu_rows, u, e);
        return;
    }
    u.tu_rows += 1;
    if id.is_empty() {
        u.problems.push(err(Problem::Empty("TULNKID")));
        return;
    }
    let (orres, stresc) = (g.get(r, tu::ORRES), g.get(r, tu::STRESC));
    let role_text = if stresc.is_empty() { orres } else { stresc };
    let Some(role) = memo.role.get(role_text, |t| ctx.mapping.role(t)) else {
        u.problems.push(err(not_understood(
            "TUSTRESC",
            role_text,
            "TARGET, NON-TARGET or NEW",
        )));
        return;
    };
    // When both results are given and understood, they must agree (as TR's states must): a
    // target read as a non-target changes the sum.
    if !orres.is_empty()
        && !same_text(orres, stresc)
        && memo
            .role
            .get(orres, |t| ctx.mapping.role(t))
            .is_some_and(|o| o != role)
    {
        u.problems.push(err(Problem::Other(format!(
            "TUORRES `{orres}` and TUSTRESC `{stresc}` disagree"
        ))));
        return;
    }
    let site = g.get(r, tu::LOC);
    let method_text = g.get(r, tu::METHOD);
    let method = memo.method.get(method_text, |t| ctx.mapping.method(t));
    if method.is_none() && !method_text.is_empty() {
        u.warnings.push(format!(
            "lesion `{id}`: TUMETHOD `{method_text}` is not in the mapping: read as CT"
        ));
    }
    if let Some((li, first)) = u
        .lesions
        .iter()
        .enumerate()
        .find(|(_, l)| same_text(&l.id, id))
    {
        // A NEW lesion listed again at another TU visit: new there too (not a duplicate,
        // whose dropping would let the row order date its appearance).
        if role == RoleWord::New
            && first.role == role
            && first.site.eq_ignore_ascii_case(site)
            && let (visit, visitnum, dtc) = visit()
            && let Some(key) = VisitKey::of(visitnum, visit, dtc)
            && first.visit_key.as_ref().is_some_and(|k| *k != key)
            && !u
                .new_relisted
                .iter()
                .any(|(i, l)| *i == li && l.visit_key.as_ref() == Some(&key))
        {
            let again = TuLesion {
                row: line,
                tu_r: r,
                visit_key: Some(key),
                ..first.clone()
            };
            u.new_relisted.push((li, again));
            return;
        }
        if first.role == role && first.site.eq_ignore_ascii_case(site) {
            let e = err(Problem::Duplicate {
                test: "TUMIDENT".into(),
                first_row: first.row,
                of: "lesion and visit",
            });
            out.row_errors.push(e);
            out.tu_rows.refused += 1;
            u.tu_rows -= 1;
        } else {
            let p = Problem::Conflict {
                test: "TUMIDENT".into(),
                first_row: first.row,
                first: format!("{} at {}", role_name(first.role), first.site),
                second: format!("{} at {site}", role_name(role)),
            };
            u.problems.push(err(p));
        }
        return;
    }
    // A mapping's `site_kinds` giving `lymph-node` makes the lesion a node, as the case
    // format's `kind: lymph-node` does (measured on its short axis, normal below 10 mm).
    let kind = ctx.mapping.site_kind(site);
    let nodal =
        ctx.mapping.is_nodal_site(site) || kind == Some(recist_model::LesionKind::LymphNode);
    u.lesions.push(TuLesion {
        id: id.to_string(),
        role,
        nodal,
        kind,
        site: site.to_string(),
        method,
        row: line,
        tu_r: r,
        // Only a NEW lesion's visit is looked up again (when it has no TR row).
        visit_key: if role == RoleWord::New {
            let (visit, visitnum, dtc) = visit();
            VisitKey::of(visitnum, visit, dtc)
        } else {
            None
        },
    });
}

/// The problem with a value the mapping did not understand: [`Problem::Empty`] when it is
/// empty, else [`Problem::UnknownValue`] naming what was `expected`.
fn not_understood(column: &'static str, value: &str, expected: &'static str) -> Problem {
    if value.is_empty() {
        Problem::Empty(column)
    } else {
        Problem::UnknownValue {
            column,
            value: value.to_string(),
            expected,
        }
    }
}

fn role_name(r: RoleWord) -> &'static str {
    match r {
        RoleWord::Target => "TARGET",
        RoleWord::NonTarget => "NON-TARGET",
        RoleWord::New => "NEW",
    }
}

/// The last few values a mapping lookup was made for, and what it gave: a subject's TU and
/// TR rows repeat a handful of test codes, roles, states and methods, compared here faster
/// than looked up again.
struct Memo<'g, T> {
    seen: [Option<(&'g str, T)>; 4],
    next: usize,
}

impl<T> Default for Memo<'_, T> {
    fn default() -> Self {
        Memo {
            seen: [None, None, None, None],
            next: 0,
        }
    }
}

impl<'g, T: Copy> Memo<'g, T> {
    /// `look_up(value)`, or what it gave for an equal value lately.
    #[inline]
    fn get(&mut self, value: &'g str, look_up: impl FnOnce(&str) -> T) -> T {
        if let Some((_, t)) = self
            .seen
            .iter()
            .flatten()
            .find(|(v, _)| same_bytes(v, value))
        {
            return *t;
        }
        let t = look_up(value);
        if let Some(slot) = self.seen.get_mut(self.next % 4) {
            *slot = Some((value, t));
        }
        self.next = self.next.wrapping_add(1);
        t
    }
}

/// Mapping lookups of a subject's TR rows.
#[derive(Default)]
struct TrMemo<'g> {
    test: Memo<'g, Option<TestKind>>,
    group: Memo<'g, Option<RoleWord>>,
    state: Memo<'g, Option<StateWord>>,
    method: Memo<'g, Option<Modality>>,
}

#[inline(always)]
fn read_tr_row<'g>(
    ctx: &Ctx<'_>,
    g: &'g RawGroup,
    r: usize,
    u: &mut UnitAcc,
    out: &mut SubjectBuild,
    memo: &mut TrMemo<'g>,
) {
    let file = &ctx.files.tr;
    let line = g.line(r);
    let eval: &EvalKey = &u.eval;
    u.has_tr = true;
    if u.tr_rows == 0 {
        let s = g.get(r, tr::STUDYID);
        if !s.is_empty() {
            u.studyid = s.to_string();
        }
    }
    let id = g.get(r, tr::LNKID);
    let (visitnum, dtc) = (g.get(r, tr::VISITNUM), g.get(r, tr::DTC));
    // VISIT names the visit only without VISITNUM: only then is it needed to find the
    // visit (else it is read for a new visit's label or an error).
    let visit_name = if visitnum.is_empty() {
        g.get(r, tr::VISIT)
    } else {
        ""
    };
    // The error of a problem with this row (a macro: a closure would gather its captures on
    // every row, though errors are rare).
    macro_rules! err {
        ($p:expr) => {
            ctx.row_err(
                file,
                line,
                eval,
                id,
                (g.get(r, tr::VISIT), visitnum, dtc),
                $p,
            )
        };
    }
    let testcd = g.get(r, tr::TESTCD);
    let Some(kind) = memo.test.get(testcd, |t| ctx.mapping.test(t)) else {
        let e = err!(if testcd.is_empty() {
            Problem::Empty("TRTESTCD")
        } else {
            Problem::UnknownTest {
                column: "TRTESTCD",
                code: testcd.to_string(),
            }
        });
        refuse_test(&mut out.row_errors, &mut out.tr_rows, u, e);
        return;
    };
    u.tr_rows += 1;
    if kind == TestKind::Ignore {
        return;
    }
    let date = if !dtc.is_empty() && same_bytes(&u.last_dtc.0, dtc) {
        u.last_dtc.1
    } else {
        match parse_dtc(dtc, "TRDTC", ctx.opts.partial_dates) {
            Ok(d) => {
                u.last_dtc.0.clear();
                u.last_dtc.0.push_str(dtc);
                u.last_dtc.1 = d;
                d
            }
            Err(p) => {
                u.problems.push(err!(p));
                return;
            }
        }
    };
    let last_matches = u
        .visits
        .get(u.last_visit)
        .is_some_and(|v| v.matches(visitnum, visit_name, dtc));
    let found = if last_matches {
        Some(u.last_visit)
    } else {
        find_visit(&u.visits, &mut u.visit_index, visitnum, visit_name, dtc)
    };
    let vi = match found {
        Some(i) => i,
        None => {
            let Some(by) = VisitBy::of(visitnum, visit_name, dtc) else {
                u.problems.push(err!(Problem::Other(
                    "no VISITNUM, VISIT or TRDTC: the row belongs to no assessment".into(),
                )));
                return;
            };
            if let Some(index) = &mut u.visit_index
                && let Some(key) = VisitKey::of(visitnum, visit_name, dtc)
            {
                index.entry(key).or_insert(u.visits.len());
            }
            u.visits.push(VisitAcc {
                by,
                label: g.get(r, tr::VISIT).to_string(),
                visitnum: visitnum.to_string(),
                date_key: if by == VisitBy::Date {
                    date_key(dtc).to_string()
                } else {
                    String::new()
                },
                num: visit_number(visitnum),
                min: None,
                min_partial: None,
                max: None,
                method: None,
                methods_differ: false,
                row: line,
                any_value: false,
                lesion_rows: false,
                sum: None,
                sum_date: None,
                other_names: Vec::new(),
                other_visitnums: Vec::new(),
            });
            u.visits.len() - 1
        }
    };
    u.last_visit = vi;
    if found.is_some() {
        let name = g.get(r, tr::VISIT);
        if let Some(v) = u.visits.get_mut(vi) {
            if !same_bytes(&v.label, name) {
                v.also_named(name);
            }
            if v.by == VisitBy::Num && !same_bytes(&v.visitnum, visitnum) {
                v.also_numbered(visitnum);
            }
        }
    }
    let method_text = g.get(r, tr::METHOD);
    let row_method = if method_text.is_empty() {
        None
    } else {
        memo.method.get(method_text, |t| ctx.mapping.method(t))
    };
    // What a row used gives its visit: its date and TRMETHOD. A row refused by itself (an
    // exact duplicate) gives nothing; a row with a problem refuses the unit anyway.
    let accept = |u: &mut UnitAcc| {
        let Some(v) = u.visits.get_mut(vi) else {
            return;
        };
        if let Some(d) = date {
            if d.imputed {
                u.warnings.push(format!(
                    "row {line}: TRDTC `{dtc}` is partial: imputed to {} (--partial-dates {})",
                    d.date,
                    ctx.opts.partial_dates.as_str()
                ));
            }
            match v.min {
                Some(m) if m < d.date => {}
                // The same day collected in full: the visit's date is no longer partial.
                Some(m) if m == d.date && !d.imputed => v.min_partial = None,
                Some(m) if m == d.date => {}
                _ => {
                    v.min = Some(d.date);
                    v.min_partial = d.imputed.then_some(d);
                }
            }
            v.max = Some(v.max.map_or(d.date, |m| m.max(d.date)));
        }
        // TRMETHOD: the one the visit's rows give; of several, the first in the mapping's
        // order CT, MRI, caliper, x-ray, ultrasound, PET (said when the assessment is built), so
        // that row order does not decide.
        match (row_method, v.method) {
            (Some(m), None) => v.method = Some(m),
            (Some(m), Some(first)) if m != first => {
                v.methods_differ = true;
                v.method = Some(m.min(first));
            }
            _ => {}
        }
        if row_method.is_none() && !method_text.is_empty() {
            let w = format!("TRMETHOD `{method_text}` is not in the mapping: read as CT");
            if !u.warnings.contains(&w) {
                u.warnings.push(w);
            }
        }
    };
    let not_done = ctx.mapping.is_not_done(g.get(r, tr::STAT));
    if kind == TestKind::Sum {
        if not_done {
            accept(u);
            return;
        }
        let first_sum = u.visits.get(vi).and_then(|v| Some((v.sum?, v.sum_date)));
        match measurement(ctx.mapping, g, r) {
            Ok(Some(Val::Len(mm))) => match first_sum {
                Some(((first, first_row), _)) if first != mm => {
                    u.problems.push(err!(Problem::Conflict {
                        test: "SUMDIAM".into(),
                        first_row,
                        first: format!("{first} mm"),
                        second: format!("{mm} mm"),
                    }))
                }
                // The same sum on the same date: an exact duplicate, refused by itself.
                Some(((_, first_row), first_date)) if first_date == date => {
                    out.row_errors.push(err!(Problem::Duplicate {
                        test: "SUMDIAM".into(),
                        first_row,
                        of: "visit",
                    }));
                    out.tr_rows.refused += 1;
                    u.tr_rows -= 1;
                }
                Some(((first, first_row), first_date)) => {
                    u.problems.push(err!(Problem::Conflict {
                        test: "SUMDIAM".into(),
                        first_row,
                        first: format!("{first} mm dated {}", dated(first_date)),
                        second: format!("{mm} mm dated {}", dated(date)),
                    }))
                }
                None => {
                    if let Some(v) = u.visits.get_mut(vi) {
                        v.sum = Some((mm, line));
                        v.sum_date = date;
                    }
                    accept(u);
                }
            },
            Ok(_) => accept(u),
            Err(p) => u.problems.push(err!(p)),
        }
        return;
    }
    if id.is_empty() {
        u.problems.push(err!(Problem::Empty("TRLNKID")));
        return;
    }
    // Rows usually follow TU's lesion order: the lesion after the last row's is tried
    // first (ids differ but for case, so it is the one found if it matches).
    let next = u.next_lesion;
    let li = if u.lesions.get(next).is_some_and(|l| same_text(&l.id, id)) {
        next
    } else {
        let Some(li) = u.lesions.iter().position(|l| same_text(&l.id, id)) else {
            u.problems.push(err!(Problem::LesionNotInTu));
            return;
        };
        li
    };
    u.next_lesion = li + 1;
    let Some(lesion) = u.lesions.get(li) else {
        return;
    };
    let grp = g.get(r, tr::GRPID);
    if !grp.is_empty() {
        match memo.group.get(grp, |t| ctx.mapping.role(t)) {
            Some(role) if role == lesion.role => {}
            Some(role) => {
                let p = Problem::GroupMismatch {
                    tr: role_name(role).into(),
                    tu: role_name(lesion.role).into(),
                };
                u.problems.push(err!(p));
                return;
            }
            None => {
                u.problems.push(err!(Problem::UnknownValue {
                    column: "TRGRPID",
                    value: grp.to_string(),
                    expected: "TARGET, NON-TARGET or NEW",
                }));
                return;
            }
        }
    }
    let slot = match kind {
        TestKind::LongAxis => Slot::Long,
        TestKind::ShortAxis => Slot::Short,
        TestKind::Diameter => Slot::Diameter,
        TestKind::Viable => Slot::Viable,
        TestKind::Pattern => Slot::Pattern,
        TestKind::Enhancement => Slot::Enhancement,
        _ => Slot::State,
    };
    let val = if not_done {
        // A test not done has no result: one given beside NOT DONE contradicts it (read as
        // not done, the result would be dropped unseen).
        if let Some(given) = result_beside_not_done(ctx.mapping, g, r) {
            u.problems.push(err!(Problem::Other(format!(
                "TRSTAT `{}` says the test was not done, but the row gives the result `{given}`: which holds is unknown",
                g.get(r, tr::STAT)
            ))));
            return;
        }
        Val::NotDone
    } else if slot == Slot::State {
        let (orres, stresc) = (g.get(r, tr::ORRES), g.get(r, tr::STRESC));
        let text = if stresc.is_empty() { orres } else { stresc };
        match memo.state.get(text, |t| ctx.mapping.state(t)) {
            // When both results are given and both understood, they must agree (as lengths).
            Some(s)
                if !orres.is_empty()
                    && !same_text(orres, stresc)
                    && memo
                        .state
                        .get(orres, |t| ctx.mapping.state(t))
                        .is_some_and(|o| o != s) =>
            {
                u.problems.push(err!(Problem::Other(format!(
                    "TRORRES `{orres}` and TRSTRESC `{stresc}` disagree"
                ))));
                return;
            }
            Some(s) => Val::State(s),
            None => {
                u.problems.push(err!(not_understood(
                    "TRORRES",
                    text,
                    "PRESENT, ABSENT, UNEQUIVOCAL PROGRESSION, INCREASED or EQUIVOCAL",
                )));
                return;
            }
        }
    } else if matches!(slot, Slot::Pattern | Slot::Enhancement) {
        match mr_word(ctx.mapping, g, r, slot) {
            Ok(v) => v,
            Err(p) => {
                u.problems.push(err!(p));
                return;
            }
        }
    } else {
        match measurement(ctx.mapping, g, r) {
            Ok(Some(v)) => v,
            Ok(None) => {
                u.problems.push(err!(Problem::Empty("TRORRES")));
                return;
            }
            Err(p) => {
                u.problems.push(err!(p));
                return;
            }
        }
    };
    match u.obs_any(li, vi, slot) {
        Some(first) if first.val == val && first.date == date => {
            let e = err!(Problem::Duplicate {
                test: testcd.to_ascii_uppercase(),
                first_row: first.row,
                of: "lesion and visit",
            });
            out.row_errors.push(e);
            out.tr_rows.refused += 1;
            u.tr_rows -= 1;
        }
        Some(first) if first.val == val => {
            // The same value on another date: which date holds is unknown.
            let p = Problem::Conflict {
                test: slot.name().into(),
                first_row: first.row,
                first: format!("{} dated {}", first.val.text(), dated(first.date)),
                second: format!("{} dated {}", val.text(), dated(date)),
            };
            u.problems.push(err!(p));
        }
        Some(first) => {
            let p = Problem::Conflict {
                test: slot.name().into(),
                first_row: first.row,
                first: first.val.text(),
                second: val.text(),
            };
            u.problems.push(err!(p));
        }
        None => {
            u.set_obs(
                li,
                vi,
                slot,
                Obs {
                    val,
                    row: line,
                    date,
                    method: row_method,
                },
            );
            if let Some(v) = u.visits.get_mut(vi) {
                v.lesion_rows = true;
                v.any_value |= !val.is_not_done();
            }
            accept(u);
        }
    }
}

/// The result of a `pattern` or `enhancement` row (mRECIST) through the mapping's
/// `patterns` or `enhancement` words: `TRSTRESC`, else `TRORRES`; when both are given and
/// understood they must agree; a word not in the mapping refuses the row.
#[cold]
#[inline(never)]
fn mr_word(mapping: &Mapping, g: &RawGroup, r: usize, slot: Slot) -> Result<Val, Problem> {
    let (orres, stresc) = (g.get(r, tr::ORRES), g.get(r, tr::STRESC));
    let (column, text) = if stresc.is_empty() {
        ("TRORRES", orres)
    } else {
        ("TRSTRESC", stresc)
    };
    let read = |t: &str| match slot {
        Slot::Pattern => mapping.pattern(t).map(Val::Pattern),
        _ => mapping
            .enhancement(t)
            .map(|e| Val::Enhancing(e == EnhancementWord::Enhancing)),
    };
    let expected = match slot {
        Slot::Pattern => "a word of the mapping's `patterns` (TYPICAL or ATYPICAL)",
        _ => "a word of the mapping's `enhancement` (ENHANCING or NON-ENHANCING)",
    };
    let Some(v) = read(text) else {
        return Err(not_understood(column, text, expected));
    };
    if !orres.is_empty() && !stresc.is_empty() && !same_text(orres, stresc) {
        match read(orres) {
            Some(o) if o == v => {}
            Some(_) => {
                return Err(Problem::Other(format!(
                    "TRORRES `{orres}` and TRSTRESC `{stresc}` disagree"
                )));
            }
            None => return Err(not_understood("TRORRES", orres, expected)),
        }
    }
    Ok(v)
}

/// A row's TRDTC as read, for a conflict of dates: `2021-02-15`, `2021-02-01 (imputed from a
/// partial TRDTC)`, or `nothing` (no TRDTC).
fn dated(d: Option<crate::dates::Dtc>) -> String {
    match d {
        Some(d) if d.imputed => format!("{} (imputed from a partial TRDTC)", d.date),
        Some(d) => d.date.to_string(),
        None => "nothing (no TRDTC)".into(),
    }
}

/// The first result (`TRORRES`, `TRSTRESC`, `TRSTRESN`) a row gives besides a not-done word.
#[cold]
fn result_beside_not_done<'g>(mapping: &Mapping, g: &'g RawGroup, r: usize) -> Option<&'g str> {
    [tr::ORRES, tr::STRESC, tr::STRESN]
        .into_iter()
        .map(|c| g.get(r, c).trim())
        .find(|v| !v.is_empty() && !mapping.is_not_done(v))
}

/// `kept` becomes the smallest (byte order) of itself and `given`; the larger joins `others`
/// (once): which row comes first does not decide how a visit is written.
fn keep_smallest(kept: &mut String, others: &mut Vec<String>, given: &str) {
    let other = if given < kept.as_str() {
        std::mem::replace(kept, given.to_string())
    } else {
        given.to_string()
    };
    if !others.contains(&other) {
        others.push(other);
    }
}

/// `kept` and `others`, sorted, each once, each in backticks, joined by `, `.
fn quoted_all(kept: &str, others: &[String]) -> String {
    let mut all: Vec<&str> = others.iter().map(String::as_str).collect();
    all.push(kept);
    all.sort_unstable();
    all.dedup();
    let all: Vec<String> = all.iter().map(|n| format!("`{n}`")).collect();
    all.join(", ")
}

/// What a `VISITNUM` keys a visit by: its number (`2` for `2.0`) when it is a finite
/// number, else its text.
fn number_key(visitnum: &str) -> String {
    match visit_number(visitnum) {
        Some(n) if n.is_finite() => n.to_string(),
        _ => visitnum.to_string(),
    }
}

/// `VISITNUM` as a number (`visitnum.parse().ok()`), a whole number of up to 15 digits (the
/// usual case) read without the general float parser: it is exact in `f64`, as parsed.
#[inline]
fn visit_number(visitnum: &str) -> Option<f64> {
    let b = visitnum.as_bytes();
    if b.is_empty() || b.len() > 15 || !b.iter().all(u8::is_ascii_digit) {
        return visitnum.parse().ok();
    }
    let n = b.iter().fold(0u64, |n, &c| n * 10 + u64::from(c - b'0'));
    Some(n as f64)
}

/// A plain decimal number of millimetres (`12`, `12.5`, `12.25`: at most 6 digits before
/// the point, so within [`Mm::MAX_MM`], and 2 after) read exactly, as
/// `Mm::parse_decimal(value.parse()?)` would read it; `None` for anything else (read the
/// general way).
#[inline]
fn plain_mm(value: &str) -> Option<Mm> {
    let (mut h, mut int_digits, mut frac_digits) = (0i64, 0usize, None::<usize>);
    for &b in value.as_bytes() {
        match (b, &mut frac_digits) {
            (b'0'..=b'9', None) if int_digits < 6 => int_digits += 1,
            (b'0'..=b'9', Some(n)) if *n < 2 => *n += 1,
            (b'.', None) => {
                frac_digits = Some(0);
                continue;
            }
            _ => return None,
        }
        h = h * 10 + i64::from(b - b'0');
    }
    let scale = match frac_digits {
        None => 100,
        Some(1) => 10,
        Some(2) => 1,
        Some(_) => return None,
    };
    (int_digits > 0).then(|| Mm::from_hundredths(h * scale))
}

/// A result in a unit as millimetres, in general (see [`plain_mm`] for the usual case).
#[inline(never)]
fn length_of(
    mapping: &Mapping,
    value: &str,
    column: &'static str,
    unit: &str,
) -> Result<Mm, Problem> {
    let v: f64 = value.parse().map_err(|_| Problem::BadNumber {
        column,
        value: value.to_string(),
        reason: if value.replacen(',', ".", 1).parse::<f64>().is_ok() {
            "not a number (a decimal comma? lengths are written with a point, e.g. `12.5`)".into()
        } else {
            "not a number".into()
        },
    })?;
    if unit.is_empty() {
        return Err(Problem::NoUnit(column));
    }
    let factor = if unit.eq_ignore_ascii_case("mm") {
        1.0
    } else {
        mapping
            .unit_factor(unit)
            .ok_or_else(|| Problem::BadUnit(unit.to_string()))?
    };
    Mm::parse_decimal(v * factor).map_err(|e| Problem::BadNumber {
        column,
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// `Err` when `stresc`, read as a length in `stresu`, is another length than `stresn` (a
/// `TRSTRESC` that is no number is left to `TRSTRESN`).
#[cold]
fn stresc_agrees(
    mapping: &Mapping,
    stresc: &str,
    stresn: &str,
    stresu: &str,
) -> Result<(), Problem> {
    match (
        length_of(mapping, stresc, "TRSTRESC", stresu),
        length_of(mapping, stresn, "TRSTRESN", stresu),
    ) {
        (Ok(c), Ok(n)) if c != n => Err(Problem::Other(format!(
            "TRSTRESC `{stresc}` and TRSTRESN `{stresn}` ({stresu}) disagree"
        ))),
        _ => Ok(()),
    }
}

/// A length from the standard result (`TRSTRESN`/`TRSTRESC` in `TRSTRESU`) or the original
/// (`TRORRES` in `TRORRESU`); when both are given they must agree.
#[inline]
fn measurement(mapping: &Mapping, g: &RawGroup, r: usize) -> Result<Option<Val>, Problem> {
    let orres = g.get(r, tr::ORRES);
    let stresc = g.get(r, tr::STRESC);
    if mapping.is_too_small(orres) || mapping.is_too_small(stresc) {
        return Ok(Some(Val::TooSmall));
    }
    let convert = |value: &str, column: &'static str, unit: &str| {
        // The usual case, a plain number of millimetres, is read here; the rest out of line.
        if same_text(unit, "mm")
            && let Some(m) = plain_mm(value)
        {
            return Ok(m);
        }
        length_of(mapping, value, column, unit)
    };
    let stresn = g.get(r, tr::STRESN);
    let (orresu, stresu) = (g.get(r, tr::ORRESU), g.get(r, tr::STRESU));
    // TRSTRESC and TRSTRESN are one standard result (character and numeric): a TRSTRESC
    // that is another number than TRSTRESN leaves the length unknown.
    if !stresn.is_empty() && !stresc.is_empty() && !same_bytes(stresc, stresn) {
        stresc_agrees(mapping, stresc, stresn, stresu)?;
    }
    if !stresn.is_empty()
        && (orres.is_empty() || (same_bytes(orres, stresn) && same_text(orresu, stresu)))
    {
        // The usual case: the standard result alone, or the same number in the same unit.
        return convert(stresn, "TRSTRESN", stresu).map(|m| Some(Val::Len(m)));
    }
    let standard = if !stresn.is_empty() {
        Some(convert(stresn, "TRSTRESN", stresu))
    } else if !stresc.is_empty() {
        Some(convert(stresc, "TRSTRESC", stresu))
    } else {
        None
    };
    let original = (!orres.is_empty()).then(|| convert(orres, "TRORRES", orresu));
    match (standard, original) {
        (Some(Ok(s)), Some(Ok(o))) if s != o => Err(Problem::Other(format!(
            "TRORRES `{orres} {orresu}` ({o} mm) and the standard result {s} mm disagree"
        ))),
        (Some(Ok(s)), _) => Ok(Some(Val::Len(s))),
        (Some(Err(e)), _) => Err(e),
        (None, Some(o)) => o.map(|m| Some(Val::Len(m))),
        (None, None) => Ok(None),
    }
}

#[inline(always)]
fn finish_unit(
    ctx: &Ctx<'_>,
    u: &mut UnitAcc,
    eval: &EvalKey,
    treatment_start: &Result<Option<NaiveDate>, SdtmError>,
    dm_warning: Option<&str>,
) -> Result<Built, Vec<SdtmError>> {
    // A unit with a TU or TR row refused is refused for those rows alone: the checks of its
    // visits and lesions as a whole (a missing baseline, a lesion with no TR row, a new lesion
    // at no visit or at the baseline, visits undated or out of order) would be made without
    // the refused rows, and could say the file lacks a row it has.
    let rows_refused = !u.problems.is_empty();
    if let Err(e) = treatment_start {
        let mut e = e.clone();
        e.place.evaluator = Some(eval.label());
        u.problems.push(e);
    }
    if rows_refused {
        return Err(std::mem::take(&mut u.problems));
    }
    if !u.has_tr && u.problems.is_empty() {
        u.problems.push(ctx.err(
            &ctx.files.tu,
            u.first_tu_row,
            Some(eval),
            None,
            None,
            Problem::NoTrRows,
        ));
    }
    // Visits in date order; undated visits with nothing but NOT DONE are not assessments.
    let mut order: Vec<usize> = Vec::with_capacity(u.visits.len());
    for (i, v) in u.visits.iter().enumerate() {
        if !v.lesion_rows {
            // SUMDIAM is read to cross-check the engine's sum only: a visit of nothing else
            // has no finding to assess (its rows are still counted as used).
            u.warnings.push(format!(
                "visit {}: only SUMDIAM rows (read for cross-checking only): not an assessment",
                visit_with_number_and_date(v)
            ));
            continue;
        }
        match v.min {
            Some(_) => order.push(i),
            None if v.any_value || v.sum.is_some() => u.problems.push(ctx.err(
                &ctx.files.tr,
                v.row,
                Some(eval),
                None,
                Some(visit_label(&v.label, &v.visitnum, "")),
                Problem::UndatedVisit,
            )),
            None => u.warnings.push(format!(
                "visit {}: every record NOT DONE and undated: not an assessment",
                visit_label(&v.label, &v.visitnum, "")
            )),
        }
    }
    order.sort_by(|&a, &b| {
        let (va, vb) = (&u.visits[a], &u.visits[b]);
        va.min
            .cmp(&vb.min)
            .then(
                va.num
                    .partial_cmp(&vb.num)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(va.row.cmp(&vb.row))
    });
    for pair in order.windows(2) {
        if let [a, b] = pair {
            let (va, vb) = (&u.visits[*a], &u.visits[*b]);
            if va.min == vb.min {
                let date = va.min.map(|d| d.to_string()).unwrap_or_default();
                u.problems.push(ctx.err(
                    &ctx.files.tr,
                    vb.row,
                    Some(eval),
                    None,
                    Some(visit_label(&vb.label, &vb.visitnum, &date)),
                    Problem::SameDate {
                        first: visit_label(&va.label, &va.visitnum, &date),
                        second: visit_label(&vb.label, &vb.visitnum, &date),
                        date,
                    },
                ));
            }
        }
    }
    // A visit named by VISIT alone whose name a numbered visit has (on another date: on the
    // same one, the two are refused above): one visit or two is unknown.
    for &vi in &order {
        let v = &u.visits[vi];
        if v.by != VisitBy::Name {
            continue;
        }
        let numbered = order.iter().map(|&wi| &u.visits[wi]).find(|w| {
            w.by == VisitBy::Num
                && w.min != v.min
                && (same_text(&w.label, &v.label)
                    || w.other_names.iter().any(|n| same_text(n, &v.label)))
        });
        if let Some(w) = numbered {
            u.problems.push(ctx.err(
                &ctx.files.tr,
                v.row,
                Some(eval),
                None,
                Some(visit_label(&v.label, &v.visitnum, "")),
                Problem::VisitWithoutNumber {
                    named: visit_with_number_and_date(v),
                    numbered: visit_with_number_and_date(w),
                },
            ));
        }
    }
    // Dates give the order; visits with a numeric VISITNUM must be in the same order by it
    // (a mistyped or imputed date would otherwise make a follow-up the baseline). Each visit
    // numbered below one dated before it is refused, named with that one (the highest so far).
    // Whether which visit is the baseline is in doubt (two first visits on one date, visits
    // out of order): the checks against the baseline below would only repeat that problem.
    let mut baseline_in_doubt = match order.as_slice() {
        [a, b, ..] => u.visits[*a].min == u.visits[*b].min,
        _ => false,
    };
    let mut highest: Option<(f64, usize)> = None;
    for &vi in &order {
        let v = &u.visits[vi];
        let Some(num) = v.num.filter(|n| n.is_finite()) else {
            continue;
        };
        match highest {
            Some((top, ti)) if num < top => {
                baseline_in_doubt = true;
                let t = &u.visits[ti];
                u.problems.push(ctx.err(
                    &ctx.files.tr,
                    v.row,
                    Some(eval),
                    None,
                    Some(visit_label(&v.label, &v.visitnum, "")),
                    Problem::VisitOrder {
                        dated_first: visit_with_number_and_date(t),
                        numbered_first: visit_with_number_and_date(v),
                    },
                ));
            }
            Some((top, _)) if num <= top => {}
            _ => highest = Some((num, vi)),
        }
    }
    for &vi in &order {
        let v = &u.visits[vi];
        let Some(date) = v.min else { continue };
        if let Some(max) = v.max
            && max != date
        {
            u.warnings.push(format!(
                "visit {}: scans from {date} to {max}; the assessment is dated {date} (the earliest)",
                visit_label(&v.label, &v.visitnum, "")
            ));
        }
    }

    let mut assessments: Vec<Assessment> = Vec::with_capacity(order.len());
    let mut rows = vec![0; u.lesions.len() * order.len()];
    // Baseline lesions identified in TU at a visit before TR's first: the baseline
    // assessment is missing (compared by VISITNUM when both are numbers, else by date; a
    // partial TUDTC is earlier only when its whole period is).
    let base_vi = order.first().copied().filter(|_| !baseline_in_doubt);
    if let Some(base) = base_vi.and_then(|vi| u.visits.get(vi)) {
        let base_num = base.num.filter(|n| n.is_finite());
        for l in u.lesions.iter().filter(|l| l.role != RoleWord::New) {
            let (visit, visitnum, dtc) = ctx.tu_visit(l);
            let tu_num = visit_number(visitnum).filter(|n| n.is_finite());
            let earlier = match (tu_num, base_num) {
                (Some(t), Some(b)) => t < b,
                _ => match (parse_dtc(dtc, "TUDTC", PartialDates::Last), base.min) {
                    (Ok(Some(d)), Some(b)) => d.date < b,
                    _ => false,
                },
            };
            if earlier {
                u.problems.push(ctx.tu_err(
                    l,
                    eval,
                    Problem::MissingBaseline {
                        role: role_name(l.role),
                        tu_visit: described_visit(visit, visitnum, dtc),
                        first_tr_visit: visit_with_number_and_date(base),
                    },
                ));
            }
        }
    }
    // A baseline lesion never in TR cannot be adjudicated; nor a non-target with no row at
    // the baseline visit (a target without one is the engine's to refuse, as a target with
    // no baseline measurement). A unit with no TR row at all is refused once, above.
    if u.has_tr {
        for (li, l) in u.lesions.iter().enumerate() {
            let problem = match l.role {
                RoleWord::New => continue,
                _ if !u.has_obs(li) => Problem::LesionNotInTr {
                    role: role_name(l.role),
                },
                RoleWord::NonTarget => match base_vi {
                    Some(vi) if u.visit_obs(li, vi).iter().all(Option::is_none) => {
                        let base = &u.visits[vi];
                        Problem::NoBaselineRow {
                            role: role_name(l.role),
                            baseline: visit_with_number_and_date(base),
                        }
                    }
                    _ => continue,
                },
                RoleWord::Target => continue,
            };
            let visit = match &problem {
                Problem::NoBaselineRow { .. } => base_vi.and_then(|vi| u.visits.get(vi)).map(|b| {
                    visit_label(
                        &b.label,
                        &b.visitnum,
                        &b.min.map(|d| d.to_string()).unwrap_or_default(),
                    )
                }),
                _ => ctx.tu_visit_label(l),
            };
            u.problems.push(ctx.err(
                &ctx.files.tu,
                l.row,
                Some(eval),
                Some(&l.id),
                visit,
                problem,
            ));
        }
    }
    // NEW lesions are placed at their TU visit where TR has no row for them there (TR's
    // rows at other visits follow them as usual; TR's finding at that visit wins).
    let mut tu_placed_new: Vec<(usize, usize)> = Vec::new();
    // Each visit's place in `order`, once a NEW lesion needs it.
    let mut place_in_order: Vec<Option<usize>> = Vec::new();
    let new_tu_rows = u
        .lesions
        .iter()
        .enumerate()
        .chain(u.new_relisted.iter().map(|(li, l)| (*li, l)));
    for (li, l) in new_tu_rows {
        if l.role != RoleWord::New {
            continue;
        }
        let Some(key) = l.visit_key.as_ref() else {
            // No TU visit: its TR rows alone say where it was seen.
            if !u.has_obs(li) {
                u.problems.push(ctx.err(
                    &ctx.files.tu,
                    l.row,
                    Some(eval),
                    Some(&l.id),
                    None,
                    Problem::NewWithoutVisit {
                        tu_visit: described_visit("", "", ""),
                    },
                ));
            }
            continue;
        };
        if place_in_order.is_empty() {
            place_in_order.resize(u.visits.len(), None);
            for (pos, &vi) in order.iter().enumerate() {
                if let Some(p) = place_in_order.get_mut(vi) {
                    *p = Some(pos);
                }
            }
        }
        let visit_of = |k: &VisitKey| match &u.visit_index {
            Some(index) => index.get(k).copied(),
            None => u.visits.iter().position(|v| v.has_key(k)),
        };
        let found = visit_of(key)
            .and_then(|vi| Some((vi, place_in_order.get(vi).copied().flatten()?)))
            .or_else(|| assessment_of_tu_visit(ctx.tu_visit(l), &u.visits, &order));
        match found {
            Some((vi, pos)) => {
                // TR's rows there are a finding unless every one is NOT DONE (a test not
                // done says nothing against TU's identification: a new lesion need not be
                // measured). NOT EVALUABLE there contradicts TU identifying the lesion there:
                // which holds is unknown.
                let (obs, mr) = (u.visit_obs(li, vi), u.mr_visit_obs(li, vi));
                let vals = obs.iter().chain(&mr).flatten().map(|o| o.val);
                if vals.clone().all(|v| v.is_not_done()) {
                    tu_placed_new.push((li, pos));
                } else if vals
                    .clone()
                    .all(|v| matches!(v, Val::NotDone | Val::State(StateWord::NotEvaluated)))
                {
                    let row = obs
                        .iter()
                        .chain(&mr)
                        .flatten()
                        .map(|o| o.row)
                        .min()
                        .unwrap_or(l.row);
                    let meta = &u.visits[vi];
                    u.problems.push(ctx.err(
                        &ctx.files.tr,
                        row,
                        Some(eval),
                        Some(&l.id),
                        Some(visit_label(&meta.label, &meta.visitnum, "")),
                        Problem::Other(
                            "TU identifies this NEW lesion at this visit, where TR says it is not evaluable: whether it is a new lesion there is unknown".into(),
                        ),
                    ));
                }
            }
            None => {
                let (visit, visitnum, dtc) = ctx.tu_visit(l);
                u.problems.push(ctx.tu_err(
                    l,
                    eval,
                    Problem::NewWithoutVisit {
                        tu_visit: described_visit(visit, visitnum, dtc),
                    },
                ));
            }
        }
    }
    let mut baseline_methods: Vec<(usize, Modality)> = Vec::new();
    // mRECIST's rows are read only where the data has some (the usual path is unchanged).
    let has_mr = !u.mr_obs.is_empty();
    for (pos, &vi) in order.iter().enumerate() {
        let meta = &u.visits[vi];
        let Some(date) = meta.min else { continue };
        let label = VisitName {
            visit: &meta.label,
            visitnum: &meta.visitnum,
            date,
        };
        let mut findings = BTreeMap::new();
        let mut new_lesions = Vec::new();
        if meta.methods_differ {
            u.warnings.push(format!(
                "visit {label}: its TR rows give different TRMETHODs: each lesion without TUMETHOD is read with its own rows' method at baseline, and the visit with {} (the first of them in the order CT, MRI, caliper, x-ray, ultrasound, PET)",
                meta.method.unwrap_or_default().name()
            ));
        }
        for (li, l) in u.lesions.iter().enumerate() {
            let slots = u.visit_obs(li, vi);
            // At baseline, a lesion without TUMETHOD is measured with its own rows' TRMETHOD
            // (the first of them in the order CT, MRI, caliper, x-ray, ultrasound, PET), not whichever row of the visit came
            // first.
            if pos == 0
                && l.method.is_none()
                && let Some(m) = slots.iter().flatten().filter_map(|o| o.method).min()
            {
                baseline_methods.push((li, m));
            }
            // mRECIST's observations: `None` in data without them (nothing copied).
            let mr = if has_mr {
                Some(u.mr_visit_obs(li, vi)).filter(|m| m.iter().any(Option::is_some))
            } else {
                None
            };
            let mut first_row = slots.iter().flatten().map(|o| o.row).min();
            if let Some(m) = &mr {
                first_row = first_row
                    .into_iter()
                    .chain(m.iter().flatten().map(|o| o.row))
                    .min();
            }
            let tu_placed = tu_placed_new.contains(&(li, pos));
            if first_row.is_none() && !tu_placed {
                continue;
            }
            if let Some(row) = first_row
                && let Some(cell) = rows.get_mut(pos * u.lesions.len() + li)
            {
                *cell = row;
            }
            // A problem is placed at the lesion's first TR row of this visit; a NEW lesion
            // placed by TU alone, at its TU row.
            let (err_file, err_row) = match first_row {
                Some(row) => (&ctx.files.tr, row),
                None => (&ctx.files.tu, l.row),
            };
            let err = |p: Problem| {
                ctx.err(
                    err_file,
                    err_row,
                    Some(eval),
                    Some(&l.id),
                    Some(label.to_string()),
                    p,
                )
            };
            let [long, short, diameter, state] = slots;
            if let Some([_, _, Some(e)]) = &mr
                && l.role != RoleWord::NonTarget
                && !e.val.is_not_done()
            {
                u.warnings.push(format!(
                    "visit {label}: {} `{}` has an enhancement row, read for non-targets only (MR-NT-CR; a target's or new lesion's viable tumour is its viable diameter): not used",
                    role_name(l.role),
                    l.id
                ));
            }
            match l.role {
                RoleWord::Target => {
                    let viable = mr.and_then(|[v, _, _]| v);
                    let mut f = target_finding(
                        l,
                        long,
                        short,
                        diameter,
                        state,
                        viable.is_some(),
                        &mut u.warnings,
                        &label,
                    );
                    if viable.is_some() {
                        f = f.and_then(|f| with_viable(f, viable, state));
                    }
                    match f {
                        Ok(Some(f)) => {
                            findings.insert(l.id.clone(), Finding::Target(f));
                        }
                        Ok(None) => {}
                        Err(p) => u.problems.push(err(p)),
                    }
                }
                RoleWord::NonTarget => {
                    let f = non_target_finding(
                        l,
                        long,
                        short,
                        diameter,
                        state,
                        &mut u.warnings,
                        &label,
                    );
                    match mr {
                        Some([viable, _, enhancement]) => {
                            match non_target_viable(f, viable, enhancement) {
                                Ok(Some(f)) => {
                                    findings.insert(l.id.clone(), Finding::NonTarget(f));
                                }
                                Ok(None) => {}
                                Err(p) => u.problems.push(err(p)),
                            }
                        }
                        None => {
                            if let Some(f) = f {
                                findings.insert(l.id.clone(), Finding::NonTarget(f));
                            }
                        }
                    }
                }
                RoleWord::New => {
                    let nl = if tu_placed {
                        Some(new_lesion(l, None, None, None, None, [None; 3]))
                    } else {
                        present_new(l, long, short, diameter, state, mr.unwrap_or([None; 3]))
                    };
                    if let Some(nl) = nl {
                        if pos == 0 {
                            u.problems.push(err(Problem::NewAtBaseline));
                        } else {
                            new_lesions.push(nl);
                        }
                    }
                }
            }
        }
        assessments.push(Assessment {
            date,
            modality: meta.method.unwrap_or_default(),
            slice_thickness_mm: None,
            findings,
            new_lesions,
            visit: (!meta.label.is_empty()).then(|| meta.label.clone()),
            visit_number: meta.num,
        });
    }
    if !u.problems.is_empty() {
        return Err(std::mem::take(&mut u.problems));
    }
    for (li, m) in baseline_methods {
        if let Some(l) = u.lesions.get_mut(li) {
            l.method = Some(m);
        }
    }
    // mRECIST: each baseline lesion's pattern at the baseline visit (MR-TGT-ELIG, MR-MEAS).
    let typical = if u.mr_obs.is_empty() {
        Vec::new()
    } else {
        baseline_patterns(u, &order)
    };
    // The lesions' ids and sites move into the subject (the findings have their copies).
    let mut lesions = Vec::with_capacity(u.lesions.len());
    let mut lesion_at = Vec::with_capacity(u.lesions.len());
    let mut new_ids = Vec::new();
    for (li, l) in u.lesions.iter_mut().enumerate() {
        let role = match l.role {
            RoleWord::Target => Role::Target,
            RoleWord::NonTarget => Role::NonTarget,
            RoleWord::New => {
                new_ids.push((li, std::mem::take(&mut l.id)));
                continue;
            }
        };
        lesion_at.push(li);
        lesions.push(Lesion {
            id: std::mem::take(&mut l.id),
            site: std::mem::take(&mut l.site),
            role,
            nodal: l.nodal,
            hcc_typical: typical.get(li).copied().unwrap_or(false),
            kind: l.kind.or(if l.nodal {
                Some(LesionKind::LymphNode)
            } else {
                None
            }),
            method: l.method,
            prior_local_therapy: false,
            progressed_after_local_therapy: false,
            field_unknown: false,
        });
    }
    // The visits' names move into their metadata (the assessments have their copies).
    let mut metas = Vec::with_capacity(order.len());
    metas.extend(order.iter().filter_map(|&vi| {
        let v = u.visits.get_mut(vi)?;
        let date = v.min?;
        if let Some(w) = v.names_warning(date) {
            u.warnings.push(w);
        }
        if let Some(w) = v.visitnums_warning(date) {
            u.warnings.push(w);
        }
        Some(VisitMeta {
            visit: std::mem::take(&mut v.label),
            visitnum: std::mem::take(&mut v.visitnum),
            date,
            last_date: v.max.map_or(date, |m| m.max(date)),
            date_collected: v.min_partial.map(|d| d.as_collected()),
            row: v.row,
            recorded_sum: v.sum,
        })
    }));
    let mut warnings = std::mem::take(&mut u.warnings);
    if let Some(w) = dm_warning {
        warnings.push(w.to_string());
    }
    Ok(Built {
        subject: Subject {
            subject: ctx.key.to_string(),
            evaluator: Some(eval.label()),
            treatment_start: treatment_start.as_ref().ok().copied().flatten(),
            covariates: BTreeMap::new(),
            follow_up: None,
            radiotherapy: Vec::new(),
            lesions,
            assessments,
        },
        visits: metas,
        warnings,
        rows,
        lesion_at,
        new_ids,
    })
}

/// The one assessment (visit index, place in `order`) a TU row's visit names when its key
/// (`VISITNUM`, else `VISIT`, else the date) names none, as when TU gives a `VISIT` and TR a
/// `VISITNUM`: the assessment with its `VISIT`, else the one dated its `TUDTC` (a full date),
/// among those whose numeric `VISITNUM` does not contradict its own; `None` when there is no
/// such assessment or more than one.
fn assessment_of_tu_visit(
    (visit, visitnum, dtc): (&str, &str, &str),
    visits: &[VisitAcc],
    order: &[usize],
) -> Option<(usize, usize)> {
    let tu_num = visit_number(visitnum).filter(|n| n.is_finite());
    let compatible = |v: &VisitAcc| match (tu_num, v.num.filter(|n| n.is_finite())) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    let only = |matches: &dyn Fn(&VisitAcc) -> bool| {
        let mut found = order.iter().enumerate().filter(|(_, vi)| {
            visits
                .get(**vi)
                .is_some_and(|v| compatible(v) && matches(v))
        });
        let (pos, &vi) = found.next()?;
        found.next().is_none().then_some((vi, pos))
    };
    if !visit.is_empty()
        && let Some(found) = only(&|v| same_text(&v.label, visit))
    {
        return Some(found);
    }
    let date = parse_dtc(dtc, "TUDTC", PartialDates::Refuse)
        .ok()
        .flatten()?
        .date;
    only(&|v| {
        v.min == Some(date)
            && (visit.is_empty() || v.label.is_empty() || same_text(&v.label, visit))
    })
}

/// A TR visit named with its `VISITNUM` and date, for errors that compare visits:
/// `WEEK 6 (VISITNUM 3, 2021-02-15)`, or `VISITNUM 3 (2021-02-15)` without a `VISIT`.
fn visit_with_number_and_date(v: &VisitAcc) -> String {
    let date = v.min.map(|d| d.to_string()).unwrap_or_default();
    described_visit(&v.label, &v.visitnum, &date)
}

/// A visit's `VISIT`, `VISITNUM` and date (as written) in one phrase:
/// `WEEK 6 (VISITNUM 3, 2021-02-15)`, `VISITNUM 3 (undated)`, `2021-02-15`, ...
fn described_visit(visit: &str, visitnum: &str, date: &str) -> String {
    let date = if date.is_empty() { "undated" } else { date };
    match (visit.is_empty(), visitnum.is_empty()) {
        (false, false) => format!("{visit} (VISITNUM {visitnum}, {date})"),
        (true, false) => format!("VISITNUM {visitnum} ({date})"),
        (false, true) => format!("{visit} ({date})"),
        (true, true) if date == "undated" => "no VISIT, VISITNUM or date".into(),
        (true, true) => date.to_string(),
    }
}

fn value_of(o: Option<Obs>) -> Option<Val> {
    o.map(|o| o.val)
}

/// A target's finding from its usual rows; `viable_row` says whether it has a viable diameter
/// row at the visit (mRECIST: then a status without a long axis is no warning, as the viable
/// diameter measures it; [`with_viable`] adds it).
#[allow(clippy::too_many_arguments)]
fn target_finding(
    l: &TuLesion,
    long: Option<Obs>,
    short: Option<Obs>,
    diameter: Option<Obs>,
    state: Option<Obs>,
    viable_row: bool,
    warnings: &mut Vec<String>,
    visit: &VisitName<'_>,
) -> Result<Option<TargetFinding>, Problem> {
    let (relevant, other) = if l.nodal {
        ([short, diameter], long)
    } else {
        ([long, diameter], short)
    };
    let mut values = relevant
        .iter()
        .flatten()
        .map(|o| o.val)
        .filter(|v| !v.is_not_done());
    let any_not_done = relevant.iter().flatten().any(|o| o.val.is_not_done());
    let state = value_of(state);
    if let Some(first) = values.next() {
        if let Some(other) = values.find(|v| *v != first) {
            return Err(Problem::Other(format!(
                "the lesion's diameter is given twice: {} and {}",
                first.text(),
                other.text()
            )));
        }
        return match first {
            Val::TooSmall => Ok(Some(TargetFinding::TooSmall)),
            Val::Len(m) if m.is_zero() => match state {
                // 0 mm with a status saying the lesion is there: which holds is unknown (as
                // with a length and ABSENT); read as gone it would make a CR.
                Some(Val::State(StateWord::Present)) => Err(Problem::Other(
                    "measured 0 mm but its status is PRESENT".into(),
                )),
                Some(Val::State(StateWord::Progression | StateWord::Increased)) => {
                    Err(Problem::Other(
                        "measured 0 mm but its status says it progressed or grew".into(),
                    ))
                }
                _ => Ok(Some(TargetFinding::Absent)),
            },
            Val::Len(m) => {
                if state == Some(Val::State(StateWord::Absent)) {
                    return Err(Problem::Other(format!(
                        "measured {m} mm but its status is ABSENT"
                    )));
                }
                let d = if l.nodal {
                    Diameters {
                        short_axis: Some(m),
                        ..Diameters::default()
                    }
                } else {
                    Diameters {
                        long_axis: Some(m),
                        ..Diameters::default()
                    }
                };
                Ok(Some(TargetFinding::Measured(d)))
            }
            _ => Ok(Some(TargetFinding::NotEvaluated)),
        };
    }
    if any_not_done {
        return Ok(Some(TargetFinding::NotEvaluated));
    }
    if let Some(o) = value_of(other)
        && !o.is_not_done()
    {
        return Err(Problem::WrongAxis(if l.nodal {
            "a lymph node target is measured on its short axis (LPERP); only its long axis (LDIAM) is recorded".into()
        } else {
            "only LPERP is recorded for a non-nodal target; RECIST needs its longest diameter (LDIAM)".into()
        }));
    }
    Ok(match state {
        Some(Val::State(StateWord::Absent)) => Some(TargetFinding::Absent),
        Some(Val::State(StateWord::NotEvaluated)) | Some(Val::NotDone) => {
            Some(TargetFinding::NotEvaluated)
        }
        Some(Val::State(_)) if viable_row => Some(TargetFinding::NotEvaluated),
        Some(Val::State(s)) => {
            warnings.push(format!(
                "visit {visit}: target `{}` is {s:?} but not measured: not evaluated",
                l.id
            ));
            Some(TargetFinding::NotEvaluated)
        }
        _ if value_of(other) == Some(Val::NotDone) => Some(TargetFinding::NotEvaluated),
        _ => None,
    })
}

/// A target's finding with its viable diameter (mRECIST, MR-MEAS) beside its long axis: a
/// lesion not measured otherwise (no long axis, or NOT DONE) is measured by it alone; one gone
/// must have none above 0 mm; one too small to measure or not evaluable cannot have one.
#[cold]
fn with_viable(
    f: Option<TargetFinding>,
    viable: Option<Obs>,
    state: Option<Obs>,
) -> Result<Option<TargetFinding>, Problem> {
    let v = match value_of(viable) {
        None | Some(Val::NotDone) => return Ok(f),
        Some(Val::Len(m)) => m,
        Some(other) => {
            return Err(Problem::Other(format!(
                "its viable diameter is {}: mRECIST needs its length (0 mm when no viable tumour is left)",
                other.text()
            )));
        }
    };
    match f {
        Some(TargetFinding::Measured(mut d)) => {
            d.viable = Some(v);
            Ok(Some(TargetFinding::Measured(d)))
        }
        Some(TargetFinding::Absent) if v.is_zero() => Ok(Some(TargetFinding::Absent)),
        Some(TargetFinding::Absent) => Err(Problem::Other(format!(
            "gone (0 mm or ABSENT) but its viable diameter is {v} mm"
        ))),
        Some(TargetFinding::TooSmall) => Err(Problem::Other(format!(
            "too small to measure, with a viable diameter of {v} mm: the long axis is needed beside it"
        ))),
        Some(TargetFinding::NotEvaluated)
            if value_of(state) == Some(Val::State(StateWord::NotEvaluated)) =>
        {
            Err(Problem::Other(format!(
                "its status is NOT EVALUABLE but its viable diameter is {v} mm"
            )))
        }
        Some(TargetFinding::NotEvaluated) | None => Ok(Some(TargetFinding::Measured(Diameters {
            viable: Some(v),
            ..Diameters::default()
        }))),
        Some(other) => Ok(Some(other)),
    }
}

/// A non-target's finding with whether arterial enhancement persists (mRECIST, MR-NT-CR):
/// an `enhancement` row says it; a viable diameter of 0 mm is non-viable, above 0 mm (or too
/// small to measure) viable. Both given must agree; a lesion gone cannot be enhancing; a
/// lesion with no status or one not evaluated cannot have one.
#[cold]
fn non_target_viable(
    f: Option<NonTargetFinding>,
    viable: Option<Obs>,
    enhancement: Option<Obs>,
) -> Result<Option<NonTargetFinding>, Problem> {
    let by_length = match value_of(viable) {
        Some(Val::Len(m)) => Some((!m.is_zero(), format!("viable diameter {m} mm"))),
        Some(Val::TooSmall) => Some((true, "viable diameter too small to measure".to_string())),
        _ => None,
    };
    let by_word = match value_of(enhancement) {
        Some(v @ Val::Enhancing(b)) => Some((b, v.text())),
        _ => None,
    };
    let viable = match (by_length, by_word) {
        (Some((a, said_a)), Some((b, said_b))) if a != b => {
            return Err(Problem::Other(format!(
                "its {said_a} and its enhancement `{said_b}` disagree on whether viable tumour is left"
            )));
        }
        (a, b) => match a.or(b) {
            Some((v, _)) => v,
            // Only NOT DONE: nothing said.
            None => return Ok(f),
        },
    };
    match f {
        None => Err(Problem::Other(
            "a viable diameter or enhancement is given without a status (TUMSTATE): whether the lesion is there is unknown".into(),
        )),
        Some(f) if f.status == NonTargetStatus::Absent && viable => Err(Problem::Other(
            "its status is ABSENT but viable (enhancing) tumour is recorded".into(),
        )),
        Some(f) if f.status == NonTargetStatus::NotEvaluated => Err(Problem::Other(
            "not evaluated, but its enhancement is recorded".into(),
        )),
        Some(mut f) => {
            f.viable = Some(viable);
            Ok(Some(f))
        }
    }
}

/// mRECIST: whether each lesion (TU order) is typical HCC (MR-TGT-ELIG, MR-MEAS): what its
/// `pattern` row at the baseline visit says (not typical without one). A pattern at a later
/// visit other than the baseline's (or given only after baseline) is a warning and changes
/// nothing: eligibility and the measure are decided at baseline. A baseline lesion with viable
/// diameters but no baseline pattern is a warning too (it is not measured by them).
#[cold]
fn baseline_patterns(u: &mut UnitAcc, order: &[usize]) -> Vec<bool> {
    let mut typical = vec![false; u.lesions.len()];
    let Some(&base) = order.first() else {
        return typical;
    };
    let mut warnings = Vec::new();
    for (li, l) in u.lesions.iter().enumerate() {
        if l.role == RoleWord::New {
            continue;
        }
        let pattern_at = |vi: usize| match u.mr_visit_obs(li, vi) {
            [_, Some(o), _] => match o.val {
                Val::Pattern(p) => Some(p),
                _ => None,
            },
            _ => None,
        };
        let at_base = pattern_at(base);
        if let Some(t) = typical.get_mut(li) {
            *t = at_base == Some(PatternWord::Typical);
        }
        let said = |p: Option<PatternWord>| match p {
            Some(p) => Val::Pattern(p).text(),
            None => "none".into(),
        };
        for &vi in order.iter().skip(1) {
            if let Some(p) = pattern_at(vi)
                && Some(p) != at_base
                && let Some(v) = u.visits.get(vi)
            {
                warnings.push(format!(
                    "lesion `{}`: pattern {} at visit {}, {} at baseline: the baseline's holds (mRECIST MR-TGT-ELIG, MR-MEAS)",
                    l.id,
                    said(Some(p)),
                    visit_label(&v.label, &v.visitnum, ""),
                    said(at_base)
                ));
            }
        }
        let viable_rows = order
            .iter()
            .any(|&vi| matches!(u.mr_visit_obs(li, vi), [Some(o), _, _] if !o.val.is_not_done()));
        if at_base.is_none() && viable_rows {
            warnings.push(format!(
                "lesion `{}`: viable diameters but no pattern at baseline: not typical HCC, so mRECIST does not measure it by them (MR-MEAS) and a liver target is followed as a non-target (MR-TGT-ELIG)",
                l.id
            ));
        }
    }
    u.warnings.extend(warnings);
    typical
}

fn non_target_finding(
    l: &TuLesion,
    long: Option<Obs>,
    short: Option<Obs>,
    diameter: Option<Obs>,
    state: Option<Obs>,
    warnings: &mut Vec<String>,
    visit: &VisitName<'_>,
) -> Option<NonTargetFinding> {
    let status = match value_of(state) {
        Some(Val::State(StateWord::Present)) => NonTargetStatus::Present,
        Some(Val::State(StateWord::Absent)) => NonTargetStatus::Absent,
        Some(Val::State(StateWord::Progression)) => NonTargetStatus::Progression,
        Some(Val::State(StateWord::Increased)) => {
            return Some(NonTargetFinding {
                status: NonTargetStatus::Present,
                viable: None,
                cytology: None,
                short_axis: None,
                increased: true,
            });
        }
        Some(Val::State(StateWord::Equivocal)) => {
            warnings.push(format!(
                "visit {visit}: non-target `{}` EQUIVOCAL: read as present (equivocal progression is not progression)",
                l.id
            ));
            NonTargetStatus::Present
        }
        Some(Val::State(StateWord::NotEvaluated)) | Some(Val::NotDone) => {
            NonTargetStatus::NotEvaluated
        }
        _ if l.nodal && node_short_axis(short, diameter).is_some() => {
            // A node measured on its short axis (LPERP, or DIAMETER of a node): present, with
            // the size; the rule set's node threshold says whether it is a normal node
            // (R11-NODE-NORMAL, R11-NT-CR). Too small to measure is below any node threshold.
            match node_short_axis(short, diameter) {
                Some(None) => {
                    warnings.push(format!(
                        "visit {visit}: nodal non-target `{}` too small to measure: a normal node, read as absent (R11-NODE-NORMAL, R11-NT-CR)",
                        l.id
                    ));
                    return Some(NonTargetFinding {
                        status: NonTargetStatus::Absent,
                        viable: None,
                        cytology: None,
                        short_axis: None,
                        increased: false,
                    });
                }
                sa => {
                    return Some(NonTargetFinding {
                        status: NonTargetStatus::Present,
                        viable: None,
                        cytology: None,
                        short_axis: sa.flatten(),
                        increased: false,
                    });
                }
            }
        }
        _ => {
            let measured = [long, short, diameter];
            let mut vals = measured.iter().flatten().map(|o| o.val);
            // No measurement either: no finding.
            vals.clone().next()?;
            if vals.clone().all(|v| v.is_not_done()) {
                NonTargetStatus::NotEvaluated
            } else if vals.all(|v| matches!(v, Val::Len(m) if m.is_zero()) || v.is_not_done()) {
                NonTargetStatus::Absent
            } else {
                NonTargetStatus::Present
            }
        }
    };
    Some(NonTargetFinding {
        status,
        viable: None,
        cytology: None,
        short_axis: None,
        increased: false,
    })
}

/// The short axis of a nodal non-target measured on it (`LPERP`, or `DIAMETER` of a node):
/// `None` when neither gives a length nor says too small to measure; `Some(None)` when every
/// one given is too small to measure; else the largest length.
fn node_short_axis(short: Option<Obs>, diameter: Option<Obs>) -> Option<Option<Mm>> {
    let mut found: Option<Option<Mm>> = None;
    for v in [short, diameter].into_iter().flatten().map(|o| o.val) {
        match v {
            Val::Len(m) => {
                let largest = found.flatten().map_or(m, |n| n.max(m));
                found = Some(Some(largest));
            }
            Val::TooSmall if found.is_none() => found = Some(None),
            _ => {}
        }
    }
    found
}

fn new_lesion(
    l: &TuLesion,
    long: Option<Val>,
    short: Option<Val>,
    diameter: Option<Val>,
    state: Option<Val>,
    [viable, pattern, _]: MrObs,
) -> NewLesion {
    let len = |v: Option<Val>| match v {
        Some(Val::Len(m)) => Some(m),
        _ => None,
    };
    let mut d = Diameters::default();
    if l.nodal {
        d.short_axis = len(short).or(len(diameter));
    } else {
        d.long_axis = len(long).or(len(diameter));
    }
    // mRECIST: the viable diameter and the pattern of this sighting (MR-NEW-TYPICAL).
    d.viable = len(value_of(viable));
    NewLesion {
        id: l.id.clone(),
        site: l.site.clone(),
        nodal: l.nodal,
        kind: l.kind,
        diameters: d,
        equivocal: state == Some(Val::State(StateWord::Equivocal)),
        hcc_typical: value_of(pattern) == Some(Val::Pattern(PatternWord::Typical)),
        field: FieldPlacement::None,
        cytology: None,
        // iRECIST: growth of a new lesion seen before (IR-CPD-NEW); at its first listing the
        // engine does not read them.
        increased: state == Some(Val::State(StateWord::Increased)),
        progression: state == Some(Val::State(StateWord::Progression)),
    }
}

fn present_new(
    l: &TuLesion,
    long: Option<Obs>,
    short: Option<Obs>,
    diameter: Option<Obs>,
    state: Option<Obs>,
    mr: MrObs,
) -> Option<NewLesion> {
    let (long, short, diameter, state) = (
        value_of(long),
        value_of(short),
        value_of(diameter),
        value_of(state),
    );
    let seen = match state {
        Some(Val::State(
            StateWord::Present
            | StateWord::Progression
            | StateWord::Increased
            | StateWord::Equivocal,
        )) => true,
        Some(_) => false,
        None => {
            [long, short, diameter]
                .iter()
                .flatten()
                .any(|v| matches!(v, Val::Len(_) | Val::TooSmall))
                // mRECIST: a viable diameter or a pattern describes a lesion seen.
                || mr.iter().flatten().any(|o| {
                    matches!(o.val, Val::Len(_) | Val::TooSmall | Val::Pattern(_))
                })
        }
    };
    seen.then(|| new_lesion(l, long, short, diameter, state, mr))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// A TU row: id, role, site, visit number, date.
    fn tu_row(
        g: &mut RawGroup,
        line: u64,
        (id, role, site, vnum, dtc): (&str, &str, &str, &str, &str),
    ) {
        let mut f = [""; 13];
        (f[tu::USUBJID], f[tu::LNKID], f[tu::TESTCD]) = ("S1", id, "TUMIDENT");
        (f[tu::STRESC], f[tu::LOC], f[tu::VISITNUM], f[tu::DTC]) = (role, site, vnum, dtc);
        g.push(line, &f);
    }

    /// A TR row: id, test code, result, visit number, date.
    fn tr_row(
        g: &mut RawGroup,
        line: u64,
        (id, test, res, vnum, dtc): (&str, &str, &str, &str, &str),
    ) {
        let mut f = [""; 18];
        (f[tr::USUBJID], f[tr::LNKID], f[tr::TESTCD]) = ("S1", id, test);
        (f[tr::STRESC], f[tr::VISITNUM], f[tr::DTC]) = (res, vnum, dtc);
        if test != "TUMSTATE" {
            (f[tr::STRESN], f[tr::STRESU]) = (res, "mm");
        }
        g.push(line, &f);
    }

    /// The one unit subject S1's TU and TR rows build, with the bundled mapping.
    fn built_of(tu_g: &RawGroup, tr_g: &RawGroup) -> Built {
        let mapping = Mapping::bundled().unwrap();
        let b = build_subject(
            "S1",
            Some(tu_g),
            Some(tr_g),
            None,
            &Files::default(),
            &mapping,
            ReadOptions::default(),
        );
        b.units.into_iter().next().unwrap().outcome.unwrap()
    }

    #[test]
    fn rows_of_lesions_are_found_by_id_new_lesions_included() {
        let mut tu_g = RawGroup::with_columns("S1".into(), 13);
        tu_row(&mut tu_g, 2, ("T01", "TARGET", "LIVER", "1", "2020-01-01"));
        tu_row(&mut tu_g, 3, ("NEW01", "NEW", "LUNG", "2", "2020-03-01"));
        tu_row(
            &mut tu_g,
            4,
            ("NT01", "NON-TARGET", "BONE", "1", "2020-01-01"),
        );
        let mut tr_g = RawGroup::with_columns("S1".into(), 18);
        tr_row(&mut tr_g, 2, ("T01", "LDIAM", "20", "1", "2020-01-01"));
        tr_row(
            &mut tr_g,
            3,
            ("NT01", "TUMSTATE", "PRESENT", "1", "2020-01-01"),
        );
        tr_row(&mut tr_g, 4, ("T01", "LDIAM", "30", "2", "2020-03-01"));
        tr_row(
            &mut tr_g,
            5,
            ("NEW01", "TUMSTATE", "PRESENT", "2", "2020-03-01"),
        );
        tr_row(
            &mut tr_g,
            6,
            ("NT01", "TUMSTATE", "PRESENT", "2", "2020-03-01"),
        );
        let built = &built_of(&tu_g, &tr_g);
        let lesions: Vec<&str> = built
            .subject
            .lesions
            .iter()
            .map(|l| l.id.as_str())
            .collect();
        assert_eq!(lesions, ["T01", "NT01"]);
        let (d1, d2) = (built.visits[0].date, built.visits[1].date);
        assert_eq!(built.row_of(d1, Some("T01")), Some(2));
        assert_eq!(built.row_of(d1, Some("nt01")), Some(3));
        assert_eq!(built.row_of(d2, Some("T01")), Some(4));
        assert_eq!(built.row_of(d2, Some("New01")), Some(5));
        assert_eq!(built.row_of(d2, Some("NT01")), Some(6));
        // No row of the lesion there, or no such lesion: the visit's first row.
        assert_eq!(built.row_of(d1, Some("NEW01")), Some(2));
        assert_eq!(built.row_of(d2, Some("X")), Some(4));
        assert_eq!(built.row_of(d2, None), Some(4));
    }

    /// iRECIST's "further increase from last assessment" (IR-CPD-NT, IR-CPD-NEW): TUMSTATE
    /// INCREASED is a present non-target marked `increased`, and on a new lesion listed again
    /// `increased`; UNEQUIVOCAL PROGRESSION of a new lesion marks its `progression`.
    #[test]
    fn ir_cpd_nt_increased_state_is_read_as_a_further_increase() {
        let mut tu_g = RawGroup::with_columns("S1".into(), 13);
        tu_row(&mut tu_g, 2, ("T01", "TARGET", "LIVER", "1", "2020-01-01"));
        tu_row(
            &mut tu_g,
            3,
            ("NT01", "NON-TARGET", "BONE", "1", "2020-01-01"),
        );
        tu_row(&mut tu_g, 4, ("NEW01", "NEW", "LUNG", "2", "2020-03-01"));
        tu_row(&mut tu_g, 5, ("NEW02", "NEW", "BRAIN", "2", "2020-03-01"));
        let mut tr_g = RawGroup::with_columns("S1".into(), 18);
        let rows = [
            ("T01", "LDIAM", "20", "1", "2020-01-01"),
            ("NT01", "TUMSTATE", "PRESENT", "1", "2020-01-01"),
            ("T01", "LDIAM", "21", "2", "2020-03-01"),
            (
                "NT01",
                "TUMSTATE",
                "UNEQUIVOCAL PROGRESSION",
                "2",
                "2020-03-01",
            ),
            ("NEW01", "TUMSTATE", "PRESENT", "2", "2020-03-01"),
            ("NEW02", "TUMSTATE", "PRESENT", "2", "2020-03-01"),
            ("T01", "LDIAM", "21", "3", "2020-04-15"),
            ("NT01", "TUMSTATE", "Increased", "3", "2020-04-15"),
            ("NEW01", "TUMSTATE", "FURTHER INCREASE", "3", "2020-04-15"),
            (
                "NEW02",
                "TUMSTATE",
                "UNEQUIVOCAL PROGRESSION",
                "3",
                "2020-04-15",
            ),
        ];
        for (i, row) in rows.into_iter().enumerate() {
            tr_row(&mut tr_g, i as u64 + 2, row);
        }
        let built = &built_of(&tu_g, &tr_g);
        let nt = |a: usize| match built.subject.assessments[a].findings.get("NT01") {
            Some(Finding::NonTarget(f)) => (f.status, f.increased),
            other => panic!("{other:?}"),
        };
        assert_eq!(nt(1), (NonTargetStatus::Progression, false));
        assert_eq!(nt(2), (NonTargetStatus::Present, true));
        let new = |a: usize| -> Vec<(&str, bool, bool)> {
            built.subject.assessments[a]
                .new_lesions
                .iter()
                .map(|n| (n.id.as_str(), n.increased, n.progression))
                .collect()
        };
        assert_eq!(new(1), [("NEW01", false, false), ("NEW02", false, false)]);
        assert_eq!(new(2), [("NEW01", true, false), ("NEW02", false, true)]);
    }

    /// R11-MEAS-US: a baseline target without TUMETHOD is measured with its own TR rows'
    /// TRMETHOD, whatever the order of the visit's rows (before, the visit's first row decided
    /// for every lesion: an ultrasound target was read as CT when a CT row came first); a
    /// visit whose rows differ says so and takes CT, the first in the fixed order.
    #[test]
    fn r11_meas_us_a_target_s_own_trmethod_counts_whatever_the_row_order() {
        let mut tu_g = RawGroup::with_columns("S1".into(), 13);
        tu_row(&mut tu_g, 2, ("T01", "TARGET", "LIVER", "1", "2020-01-01"));
        tu_row(&mut tu_g, 3, ("T02", "TARGET", "LUNG", "1", "2020-01-01"));
        let rows = [
            ("T01", "ULTRASOUND", "1"),
            ("T02", "CT SCAN", "1"),
            ("T01", "", "2"),
            ("T02", "", "2"),
        ];
        for order in [[0, 1, 2, 3], [1, 0, 3, 2]] {
            let mut tr_g = RawGroup::with_columns("S1".into(), 18);
            for (n, &i) in order.iter().enumerate() {
                let (id, method, vnum) = rows[i];
                let dtc = if vnum == "1" {
                    "2020-01-01"
                } else {
                    "2020-03-01"
                };
                let mut f = [""; 18];
                (f[tr::USUBJID], f[tr::LNKID], f[tr::TESTCD]) = ("S1", id, "LDIAM");
                (f[tr::STRESC], f[tr::STRESN], f[tr::STRESU]) = ("20", "20", "mm");
                (f[tr::VISITNUM], f[tr::DTC], f[tr::METHOD]) = (vnum, dtc, method);
                tr_g.push(n as u64 + 2, &f);
            }
            let built = &built_of(&tu_g, &tr_g);
            let methods: Vec<(&str, Option<Modality>)> = built
                .subject
                .lesions
                .iter()
                .map(|l| (l.id.as_str(), l.method))
                .collect();
            assert_eq!(
                methods,
                [
                    ("T01", Some(Modality::Ultrasound)),
                    ("T02", Some(Modality::Ct))
                ],
                "{order:?}"
            );
            assert_eq!(built.subject.assessments[0].modality, Modality::Ct);
            assert!(
                built
                    .warnings
                    .iter()
                    .any(|w| w.contains("give different TRMETHODs")),
                "{:?}",
                built.warnings
            );
        }
    }

    /// A visit named by `VISITNUM`, `VISIT` or the date, as a TR row with these values makes it.
    fn visit_acc(visitnum: &str, visit: &str, dtc: &str) -> VisitAcc {
        let by = VisitBy::of(visitnum, visit, dtc).unwrap();
        VisitAcc {
            by,
            label: visit.into(),
            visitnum: visitnum.into(),
            date_key: if by == VisitBy::Date {
                date_key(dtc).into()
            } else {
                String::new()
            },
            num: None,
            min: None,
            min_partial: None,
            max: None,
            method: None,
            methods_differ: false,
            row: 0,
            any_value: false,
            lesion_rows: false,
            sum: None,
            sum_date: None,
            other_names: Vec::new(),
            other_visitnums: Vec::new(),
        }
    }

    #[test]
    fn visits_found_by_key_are_the_visits_a_scan_finds() {
        // Visits of every kind of key, more than VISIT_INDEX_AT, one named by a time alone
        // (an empty date key).
        let mut visits = Vec::new();
        for i in 0..VISIT_INDEX_AT {
            visits.push(match i % 3 {
                0 => visit_acc(&i.to_string(), "", ""),
                1 => visit_acc("", &format!("Week {i}"), ""),
                _ => visit_acc("", "", &format!("2020-01-{:02}T10:00", i % 28 + 1)),
            });
        }
        visits.push(visit_acc("", "", "T10:00"));
        let queries = [
            ("0", "", ""),
            ("3", "Week 4", "2020-01-01"),
            ("", "WEEK 4", ""),
            ("", "week 7", "2020-02-02"),
            ("", "", "2020-01-03"),
            ("", "", "2020-01-03T23:59"),
            ("", "", ""),
            ("", "", "T08:00"),
            ("99", "", ""),
            ("", "Week 99", ""),
            ("", "", "1999-01-01"),
            ("1", "", ""),
            ("", "Week 1", ""),
        ];
        let mut index = None;
        for (visitnum, visit, dtc) in queries {
            let scan = visits.iter().position(|v| v.matches(visitnum, visit, dtc));
            let found = find_visit(&visits, &mut index, visitnum, visit, dtc);
            assert_eq!(found, scan, "{visitnum:?} {visit:?} {dtc:?}");
            assert!(
                index.is_some(),
                "{} visits are looked up by key",
                visits.len()
            );
        }
        // Fewer visits: no index, the scan.
        let mut index = None;
        let few = &visits[..3];
        assert_eq!(find_visit(few, &mut index, "", "WEEK 1", ""), Some(1));
        assert!(index.is_none());
    }

    #[test]
    fn a_subject_with_many_visits_read_lesion_by_lesion_keeps_each_row_at_its_visit() {
        // Rows ordered by lesion, not visit: every row of the second lesion misses the last
        // visit and is looked up by key; its VISIT names differ in case from the first's.
        let mut tu_g = RawGroup::with_columns("S1".into(), 13);
        tu_row(&mut tu_g, 2, ("T01", "TARGET", "LIVER", "", "2020-01-01"));
        tu_row(&mut tu_g, 3, ("T02", "TARGET", "LUNG", "", "2020-01-01"));
        let mut tr_g = RawGroup::with_columns("S1".into(), 18);
        let n = 3 * VISIT_INDEX_AT;
        let date =
            |v: usize| NaiveDate::from_yo_opt(2020, 1).unwrap() + chrono::Days::new(7 * v as u64);
        let mut line = 2;
        for (lesion, name) in [("T01", "Week"), ("T02", "WEEK")] {
            for v in (0..n).rev() {
                let mut f = [""; 18];
                let (visit, dtc) = (format!("{name} {v}"), date(v).to_string());
                (f[tr::USUBJID], f[tr::LNKID], f[tr::TESTCD]) = ("S1", lesion, "LDIAM");
                (f[tr::STRESC], f[tr::STRESN], f[tr::STRESU]) = ("20", "20", "mm");
                (f[tr::VISIT], f[tr::DTC]) = (visit.as_str(), dtc.as_str());
                tr_g.push(line, &f);
                line += 1;
            }
        }
        let built = &built_of(&tu_g, &tr_g);
        assert_eq!(built.visits.len(), n);
        for v in 0..n {
            // Rows of visit v: T01's at line 2 + (n - 1 - v), T02's n lines later.
            let t01 = (2 + (n - 1 - v)) as u64;
            assert_eq!(built.visits[v].date, date(v));
            assert_eq!(built.row_of(date(v), Some("T01")), Some(t01), "visit {v}");
            assert_eq!(built.row_of(date(v), Some("T02")), Some(t01 + n as u64));
        }
    }

    #[test]
    fn observation_slots_are_kept_in_any_visit_order() {
        let eval = EvalKey {
            eval: "I".into(),
            evalid: String::new(),
        };
        let mut u = UnitAcc::new(eval);
        let placed = [(0, 0), (0, 1), (1, 2), (1, 0), (0, 3), (2, 1), (0, 2)];
        for (lesion, visit) in placed {
            let row = (10 * lesion + visit) as u64;
            *u.obs_mut(lesion, visit, Slot::Short) = Some(Obs {
                val: Val::TooSmall,
                row,
                date: None,
                method: None,
            });
        }
        for lesion in 0..4 {
            for visit in 0..5 {
                let want = placed
                    .contains(&(lesion, visit))
                    .then_some((10 * lesion + visit) as u64);
                let got = u.obs(lesion, visit, Slot::Short).map(|o| o.row);
                assert_eq!(got, want, "lesion {lesion} visit {visit}");
                assert!(u.obs(lesion, visit, Slot::Long).is_none());
            }
        }
        u.recycle();
    }

    #[test]
    fn same_bytes_is_eq() {
        let long = "0123456789abcdefghijKLMNOPQRSTUVWXYZ-é";
        let mut words: Vec<String> = Vec::new();
        for n in 0..=long.len() {
            if let Some(w) = long.get(..n) {
                words.push(w.to_string());
                // One byte changed at each place, and the case of one letter.
                for i in 0..n {
                    let mut b = w.as_bytes().to_vec();
                    if let Some(c) = b.get_mut(i).filter(|c| c.is_ascii()) {
                        *c ^= 1;
                        words.extend(String::from_utf8(b).ok());
                    }
                }
                words.push(w.to_ascii_uppercase());
            }
        }
        for a in &words {
            for b in &words {
                assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn same_text_is_eq_ignore_ascii_case() {
        let words = [
            "", "T01", "t01", "T02", "T0", "NT01", "mm", "MM", "mM", "cm", "é", "É", "éa", "éA",
            "\u{130}", "i", "I", "[", "{", "@", "`",
        ];
        for a in words {
            for b in words {
                assert_eq!(same_text(a, b), a.eq_ignore_ascii_case(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn visit_names_are_the_visit_labels() {
        let date = NaiveDate::from_ymd_opt(2020, 3, 4).unwrap();
        for (visit, visitnum) in [("WEEK 6", "3"), ("", "3"), ("", ""), ("WEEK 6", "")] {
            assert_eq!(
                visit_name(visit, visitnum, date),
                visit_label(visit, visitnum, &date.to_string())
            );
        }
    }

    #[test]
    fn visit_numbers_read_as_the_general_way() {
        for v in [
            "",
            "0",
            "1",
            "01",
            "10",
            "999",
            "123456789012345",
            "1234567890123456",
            "1.5",
            "-1",
            "+2",
            " 3",
            "3 ",
            "1e2",
            "inf",
            "NaN",
            "x",
            "\u{661}",
        ] {
            let general: Option<f64> = v.parse().ok();
            let fast = visit_number(v);
            assert_eq!(fast.map(f64::to_bits), general.map(f64::to_bits), "{v:?}");
        }
    }

    #[test]
    fn a_decimal_comma_is_named_as_such() {
        let mapping = Mapping::bundled().unwrap();
        let reason = |v: &str| match length_of(&mapping, v, "TRSTRESC", "mm") {
            Err(Problem::BadNumber { reason, .. }) => reason,
            other => panic!("{v}: {other:?}"),
        };
        assert!(
            reason("16,5").contains("a decimal comma?"),
            "{}",
            reason("16,5")
        );
        assert_eq!(reason("abc"), "not a number");
        assert_eq!(reason("1,2,3"), "not a number");
    }

    #[test]
    fn plain_lengths_read_as_the_general_way() {
        for v in [
            "0",
            "7",
            "19",
            "019",
            "12.5",
            "12.25",
            "0.01",
            "999999999.99",
            "123456789",
            "1.005",
            "1.",
            ".5",
            "1e3",
            "+5",
            "-5",
            "1,5",
            "12.5.1",
            "1234567890",
            "",
            " 5",
            "NaN",
        ] {
            let general = v
                .parse::<f64>()
                .ok()
                .and_then(|f| Mm::parse_decimal(f).ok());
            if let Some(m) = plain_mm(v) {
                assert_eq!(Some(m), general, "{v}");
            }
        }
        assert_eq!(plain_mm("12.25"), Some(Mm::from_hundredths(1225)));
        assert_eq!(plain_mm("1.005"), None);
    }
}
