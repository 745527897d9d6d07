//! iRECIST (rules reference section 3): the per-timepoint layer over the RECIST 1.1
//! components.
//!
//! The tracker computes target, non-target and new-lesion components exactly as RECIST 1.1
//! does (IR-BASE); this layer walks the timepoints in order with a small state and maps each
//! one to an iRECIST category: RECIST 1.1 progression is unconfirmed (iUPD, IR-UPD) until a
//! later assessment in the confirmation window shows a further increase or a new category of
//! progression (iCPD, IR-CPD-*); a response or stable disease before that resets it
//! (IR-RESET).
//!
//! Readings (each a rule-set parameter where the sources leave a choice):
//! - One running nadir for the baseline targets: the RECIST 1.1 nadir (AMB-I2).
//! - New-lesion targets (NLT): counted (unequivocal) new lesions, in order of first
//!   appearance, measurable at their first appearance (non-nodal long axis at least the rule
//!   set's `baseline.measurable_min_mm` for the scan's modality, nodal short axis at least
//!   `baseline.node_target_min_short_axis_mm`), up to `irecist.new_lesion_targets` (organs as
//!   for baseline targets, R11-TGT-MAX); every other counted new lesion is a new-lesion
//!   non-target (NLNT). The choice is made once, when the lesion first counts.
//! - The NLT sum is known at an assessment only when every NLT is listed there with its
//!   diameter. Its own reference for RECIST 1.1 progression after a reset is the smallest NLT
//!   sum recorded since the NLT set last grew, or the sum when it grew
//!   (`irecist.nlt_reference`, AMB-I2), never the baseline target sum.
//! - The further increase that confirms (IR-CPD-TGT, IR-CPD-NEW) is measured from the target
//!   sum and the NLT sum at the iUPD assessment, or from their smallest values while the iUPD
//!   is pending (`irecist.cpd_reference`).
//! - A new lesion "still there" is one listed again at the assessment.
//! - Non-target increase (IR-CPD-NT) is the reader's `increased: true`, or `progression` of a
//!   non-target that was evaluated and not progressing at the iUPD assessment; `progression`
//!   of one already progressing there repeats the status that started the iUPD and is not a
//!   further increase.
//! - iCR needs every new lesion gone: with a counted new lesion listed, a RECIST 1.1 CR of the
//!   baseline disease is iPR (NON-iCR/NON-iUPD without targets).
//! - IR-RESET with the new lesions of a new-lesion iUPD still listed, under
//!   `irecist.reset_with_new_lesions: target-decrease`: the target sum must be below its
//!   value at the iUPD; with no target sum to compare (no target lesions, or a target not
//!   evaluated at the iUPD) `irecist.reset_without_target_sum` decides (`stays-iupd`: no reset
//!   while they are listed; `new-lesion-decrease`: the NLT sum below its value at the iUPD;
//!   `resets`). A scan whose baseline disease is not evaluable, with those lesions listed,
//!   stays iUPD. Once reset, the new lesions seen before start a new iUPD only by growing or
//!   by further new lesions (IR-RESET), whatever made the reset.
//! - After iCPD every later timepoint is iCPD: progression is confirmed.
//! - AMB-01 (`timepoint.disease_after_cr: progression`): a counted new lesion gone at an iCR
//!   and listed again is disease after a CR, RECIST 1.1 progression; it is counted again from
//!   there.
//! - An equivocal new lesion later unequivocal dates the progression of the block it starts or
//!   confirms back to its first sighting (R11-NEW-EQUIV with IR-CPD-DATE).
//! - The earliest confirmation counts from the first iUPD of the block, the latest from the
//!   last assessment of the block that stayed iUPD (IR-REMAIN); an early scan confirms only
//!   as `irecist.early_scan_confirms` says. A new lesion first counted after the iUPD stays
//!   additional to it while listed, so a scan that could not confirm with it leaves it to the
//!   next one.
//! - A scan after the start of a new anticancer therapy confirms nothing unless
//!   `irecist.confirm_after_new_therapy` (IR-CLIN).

use chrono::NaiveDate;
use recist_model::{
    Assessment, Lesion, Mm, NewLesion, NonTargetResponse, NonTargetStatus, OverallResponse, Role,
    TargetResponse,
};
use recist_rules::{
    CpdIncrease, CpdReference, EarlyScanConfirms, IrecistRules, MissingTarget, NltReference,
    ResetWithNewLesions, ResetWithoutTargetSum, RuleSet,
};

use crate::notes::Notes;

/// What the tracker found at one assessment, as the iRECIST layer reads it.
pub(crate) struct Observed<'a> {
    /// The assessment.
    pub assessment: &'a Assessment,
    /// Whether it is follow-up (after day 0): before that, no iUPD is started.
    pub follow_up: bool,
    /// Whether the scope has target lesions.
    pub has_targets: bool,
    /// RECIST 1.1 target response.
    pub target: Option<TargetResponse>,
    /// Sum of target diameters, when known.
    pub sum: Option<Mm>,
    /// With some targets not evaluated: the sum of those evaluated (the sum is at least this).
    pub sum_at_least: Option<Mm>,
    /// RECIST 1.1 non-target response.
    pub non_target: Option<NonTargetResponse>,
    /// Non-targets the reader marks `increased`.
    pub non_target_increased: Vec<&'a str>,
    /// Every non-target of the scope with the status the reader gives it here (not evaluated
    /// when it is not listed).
    pub non_target_status: Vec<(&'a str, NonTargetStatus)>,
    /// New lesions listed at this assessment, in scope, that count (unequivocal).
    pub new_counted: Vec<&'a NewLesion>,
    /// For a confirmed equivocal new lesion: its first sighting (R11-NEW-EQUIV).
    pub backdate: Option<NaiveDate>,
    /// The RECIST 1.1 overall response of the baseline disease alone (new lesions `NO`).
    pub base: OverallResponse,
    /// AMB-01: an earlier timepoint's overall response was CR and
    /// `timepoint.disease_after_cr` is `progression`.
    pub after_cr: bool,
    /// Whether the assessment is after the start of a new anticancer therapy (the case's
    /// `follow_up.new_therapy`; a scan on that day is not after it).
    pub after_new_therapy: bool,
}

/// What the layer decided at one assessment.
pub(crate) struct Step {
    /// The iRECIST overall response.
    pub overall: OverallResponse,
    /// At iCPD: (the date progression is dated to, the date of the iUPD assessment that
    /// started the block).
    pub confirmed: Option<NaiveDate>,
    /// Warnings for the result.
    pub warnings: Vec<String>,
}

/// A new lesion counted so far.
#[derive(Debug, Clone)]
struct Known {
    id: String,
    /// A new-lesion target (else a new-lesion non-target).
    nlt: bool,
    organ: String,
}

/// An iUPD not yet confirmed.
#[derive(Debug, Clone)]
struct Pending {
    /// The iUPD assessment: the earliest confirmation counts from it (IR-CONF-WIN: "4 weeks
    /// after the 1st iUPD").
    assessed: NaiveDate,
    /// The last assessment of the block that stayed iUPD (IR-REMAIN): each is followed by a
    /// confirmatory assessment, so the latest confirmation counts from it.
    last: NaiveDate,
    /// The date a confirmed progression is dated to (IR-CPD-DATE; a confirmed equivocal new
    /// lesion dates it back to its first sighting).
    dated: NaiveDate,
    target: bool,
    non_target: bool,
    new: bool,
    /// Target sum at the iUPD assessment.
    target_sum: Option<Mm>,
    /// The smallest target sum since the iUPD assessment (inclusive) while it is pending, with
    /// its date (`irecist.cpd_reference: nadir-since-iupd`).
    target_low: Option<(Mm, NaiveDate)>,
    /// The non-targets evaluated and not unequivocally progressing at the iUPD assessment:
    /// one of them progressing later is a further increase (IR-CPD-NT).
    nt_not_progressing: Vec<String>,
    /// NLT sum at the iUPD assessment, and how many NLT it held.
    nlt_sum: Option<(Mm, usize)>,
    /// The smallest NLT sum of those lesions since the iUPD assessment (inclusive), with its
    /// date (`irecist.cpd_reference: nadir-since-iupd`).
    nlt_low: Option<(Mm, NaiveDate)>,
    /// How many new lesions were counted at the iUPD: those counted later are additional.
    known: usize,
}

/// The running iRECIST state of one subject in one scope.
#[derive(Debug, Clone, Default)]
pub(crate) struct IrecistState {
    known: Vec<Known>,
    /// AMB-I2: smallest NLT sum since the NLT set last grew, with the set's size.
    nlt_nadir: Option<(Mm, usize)>,
    pending: Option<Pending>,
    /// AMB-01: the new lesions counted before the latest iCR (none of them listed there) and
    /// not seen again since.
    gone_at_cr: Vec<String>,
    /// The iCPD: the date progression is dated to.
    confirmed: Option<NaiveDate>,
}

impl IrecistState {
    /// The iUPD assessment never confirmed, if the subject ends on one (IR-CLIN).
    pub(crate) fn unconfirmed(&self) -> Option<NaiveDate> {
        self.pending.as_ref().map(|p| p.assessed)
    }

    /// The pending iUPD stays iUPD at the assessment of `date` (IR-REMAIN): the latest
    /// confirmation counts from it.
    fn remain(&mut self, date: NaiveDate) {
        if let Some(p) = self.pending.as_mut() {
            p.last = date;
        }
    }

    /// A scan that could not confirm the pending iUPD: it stays iUPD (IR-REMAIN).
    fn stay_unconfirmed(&mut self, date: NaiveDate, ex: &mut Notes, warnings: Vec<String>) -> Step {
        ex.note("IR-REMAIN", || "stays iUPD".into());
        self.remain(date);
        Step {
            overall: OverallResponse::IUpd,
            confirmed: None,
            warnings,
        }
    }

    /// Maps one assessment to its iRECIST category and moves the state on.
    pub(crate) fn step(
        &mut self,
        rules: &RuleSet,
        ir: &IrecistRules,
        o: &Observed<'_>,
        ex: &mut Notes,
    ) -> Step {
        // A scan on or before day 0 is no follow-up (R11-BOR-DEF): it is categorised, but
        // leaves the state as it was (its new lesions are still new at the first follow-up).
        let saved = (!o.follow_up).then(|| self.clone());
        let step = self.step_on(rules, ir, o, ex);
        if let Some(saved) = saved {
            *self = saved;
        }
        step
    }

    /// [`step`](Self::step), the state moved on whatever the scan.
    fn step_on(
        &mut self,
        rules: &RuleSet,
        ir: &IrecistRules,
        o: &Observed<'_>,
        ex: &mut Notes,
    ) -> Step {
        let date = o.assessment.date;
        let mut warnings = Vec::new();

        // New lesions: which are additional, the NLT sum, NLNT changes.
        let additional: Vec<&NewLesion> = o
            .new_counted
            .iter()
            .copied()
            .filter(|nl| !self.known.iter().any(|k| k.id == nl.id))
            .collect();
        let listed_before: Vec<&NewLesion> = o
            .new_counted
            .iter()
            .copied()
            .filter(|nl| self.known.iter().any(|k| k.id == nl.id))
            .collect();
        let nlnt_increased: Vec<&str> = listed_before
            .iter()
            .filter(|nl| nl.increased || nl.progression)
            .filter(|nl| self.known.iter().any(|k| k.id == nl.id && !k.nlt))
            .map(|nl| nl.id.as_str())
            .collect();
        let nlnt_progressed: Vec<&str> = listed_before
            .iter()
            .filter(|nl| nl.progression)
            .filter(|nl| self.known.iter().any(|k| k.id == nl.id && !k.nlt))
            .map(|nl| nl.id.as_str())
            .collect();
        // AMB-01: a counted new lesion gone at an iCR and listed again is disease seen again
        // after a CR, RECIST 1.1 progression (IR-UPD). It is counted again from here: moved to
        // the end of the known lesions, so that a pending iUPD takes it as additional while
        // it is listed, as a lesion first counted after the iUPD (IR-CPD-NEW).
        let back: Vec<&NewLesion> = if o.after_cr {
            listed_before
                .iter()
                .copied()
                .filter(|nl| self.gone_at_cr.contains(&nl.id))
                .collect()
        } else {
            Vec::new()
        };
        for nl in &back {
            if let Some(i) = self.known.iter().position(|k| k.id == nl.id) {
                let k = self.known.remove(i);
                self.known.push(k);
                if let Some(p) = self.pending.as_mut()
                    && i < p.known
                {
                    p.known -= 1;
                }
            }
            self.gone_at_cr.retain(|g| *g != nl.id);
            ex.note("AMB-01", || {
                format!(
                    "new lesion `{}`, gone at an iCR, seen again: disease after a CR (timepoint.disease_after_cr: progression)",
                    nl.id
                )
            });
        }
        // The NLT sum of the lesions known before this assessment.
        let nlt_before = self.known.iter().filter(|k| k.nlt).count();
        let nlt_sum_before = self.nlt_sum(o.assessment);
        for nl in &additional {
            self.admit(rules, ir, o.assessment, nl, ex);
        }
        let nlt_now = self.known.iter().filter(|k| k.nlt).count();
        let nlt_sum_now = self.nlt_sum(o.assessment);
        // With an iUPD pending, the new lesions first counted after it and listed here: a scan
        // that could not confirm (too early, too late, after a new therapy) leaves the ones it
        // showed additional to the iUPD at the next assessment (IR-CPD-NEW).
        let since_iupd: Vec<&NewLesion> = match &self.pending {
            Some(p) => o
                .new_counted
                .iter()
                .copied()
                .filter(|nl| self.known.iter().skip(p.known).any(|k| k.id == nl.id))
                .collect(),
            None => additional.iter().chain(back.iter()).copied().collect(),
        };

        // RECIST 1.1 progression of the new lesions already known (after a reset, IR-RESET):
        // the NLT sum against its own nadir (AMB-I2), or an NLNT unequivocally progressing.
        let nlt_pd = match (nlt_sum_before, self.nlt_nadir) {
            (Some(s), Some((n, count))) if count == nlt_before && nlt_before > 0 => {
                meets_pd(rules, s, n).then_some((s, n))
            }
            _ => None,
        };
        let new_progression =
            !since_iupd.is_empty() || nlt_pd.is_some() || !nlnt_progressed.is_empty();
        let new_progression_text = || {
            let mut parts = Vec::new();
            if !since_iupd.is_empty() {
                parts.push(format!(
                    "new lesion{} {}",
                    if since_iupd.len() == 1 { "" } else { "s" },
                    ids(since_iupd.iter().map(|nl| nl.id.as_str()))
                ));
            }
            if let Some((s, n)) = nlt_pd {
                parts.push(format!(
                    "new-lesion target sum {s} mm vs its reference {n} mm (AMB-I2) meets RECIST 1.1 progression"
                ));
            }
            if !nlnt_progressed.is_empty() {
                parts.push(format!(
                    "unequivocal progression of new-lesion non-target {}",
                    ids(nlnt_progressed.iter().copied())
                ));
            }
            parts.join("; ")
        };

        // R11-NEW-EQUIV with IR-CPD-DATE: an equivocal new lesion first counted while an iUPD
        // is pending was there since its first sighting. It is evidence, so this scan confirms
        // or the iUPD stays; either way the block's progression date moves back to that
        // sighting when it is earlier, as it does when such a lesion starts the iUPD.
        if let (Some(b), Some(p)) = (o.backdate, self.pending.as_mut())
            && !additional.is_empty()
            && b < p.dated
        {
            ex.note("IR-CPD-DATE", || {
                format!(
                    "a confirmed equivocal new lesion was first seen {b}: the iUPD of {} is dated back to then",
                    p.assessed
                )
            });
            p.dated = b;
        }

        let outcome = if let Some(dated) = self.confirmed {
            ex.note("IR-CPD-DATE", || {
                format!("progression confirmed earlier (dated {dated}) stands: iCPD")
            });
            Step {
                overall: OverallResponse::ICpd,
                confirmed: None,
                warnings: Vec::new(),
            }
        } else if let Some(p) = self.pending.clone() {
            // Evidence that confirms (IR-CPD-TGT, IR-CPD-NT, IR-CPD-NEW, IR-CPD-OTHER).
            let mut evidence: Vec<(&'static str, String)> = Vec::new();
            let increase_ok = |d: Mm| match ir.cpd_increase {
                CpdIncrease::AtLeast => d >= ir.cpd_min_increase_mm,
                CpdIncrease::MoreThan => d > ir.cpd_min_increase_mm,
            };
            let word = match ir.cpd_increase {
                CpdIncrease::AtLeast => "≥",
                CpdIncrease::MoreThan => ">",
            };
            if p.target {
                // AMB-05 `pd-if-certain`: with targets not evaluated, the evaluated ones alone
                // confirm when they already rose enough (the missing ones can only add).
                let partial = o.sum.is_none()
                    && rules.doc().target_response.missing_target == MissingTarget::PdIfCertain;
                let s = o.sum.or(o.sum_at_least.filter(|_| partial));
                let reference = match ir.cpd_reference {
                    CpdReference::Iupd => p.target_sum.map(|at| (at, p.assessed)),
                    CpdReference::NadirSinceIupd => p.target_low,
                };
                if let (Some(s), Some((at, on))) = (s, reference)
                    && increase_ok(s - at)
                {
                    evidence.push((
                        "IR-CPD-TGT",
                        format!(
                            "target sum {}{s} mm, {:+} mm from {at} mm {} (needs {word} +{} mm)",
                            if partial {
                                "of the evaluated targets alone "
                            } else {
                                ""
                            },
                            s - at,
                            reference_words(&p, on),
                            ir.cpd_min_increase_mm
                        ),
                    ));
                    if partial {
                        ex.note("AMB-05", || {
                            "the targets not evaluated cannot undo the increase".into()
                        });
                    }
                }
            } else if o.target == Some(TargetResponse::Pd) {
                evidence.push((
                    "IR-CPD-OTHER",
                    "target disease newly meets RECIST 1.1 progression".into(),
                ));
            }
            if p.non_target {
                if !o.non_target_increased.is_empty() {
                    evidence.push((
                        "IR-CPD-NT",
                        format!(
                            "further increase of non-target {}",
                            ids(o.non_target_increased.iter().copied())
                        ),
                    ));
                }
                // A non-target not progressing at the iUPD and unequivocally progressing now
                // has increased since (iR Table 2: any further increase).
                let newly: Vec<&str> = o
                    .non_target_status
                    .iter()
                    .filter(|(id, status)| {
                        *status == NonTargetStatus::Progression
                            && p.nt_not_progressing.iter().any(|n| n == id)
                    })
                    .map(|(id, _)| *id)
                    .collect();
                if !newly.is_empty() {
                    evidence.push((
                        "IR-CPD-NT",
                        format!(
                            "non-target {} not progressing at the iUPD of {}, unequivocal progression now: a further increase",
                            ids(newly.iter().copied()),
                            p.assessed
                        ),
                    ));
                }
            } else if o.non_target == Some(NonTargetResponse::Pd) {
                evidence.push((
                    "IR-CPD-OTHER",
                    "non-target disease newly meets RECIST 1.1 progression".into(),
                ));
            }
            if p.new {
                if !since_iupd.is_empty() {
                    evidence.push((
                        "IR-CPD-NEW",
                        format!(
                            "additional new lesion {}",
                            ids(since_iupd.iter().map(|nl| nl.id.as_str()))
                        ),
                    ));
                }
                let reference = match (ir.cpd_reference, p.nlt_sum) {
                    (_, Some((_, count))) if count != nlt_before => None,
                    (CpdReference::Iupd, sum) => sum.map(|(at, _)| (at, p.assessed)),
                    (CpdReference::NadirSinceIupd, _) => p.nlt_low,
                };
                if let (Some(s), Some((at, on))) = (nlt_sum_before, reference)
                    && increase_ok(s - at)
                {
                    evidence.push((
                        "IR-CPD-NEW",
                        format!(
                            "new-lesion target sum {s} mm, {:+} mm from {at} mm {} (needs {word} +{} mm, cumulative)",
                            s - at,
                            reference_words(&p, on),
                            ir.cpd_min_increase_mm
                        ),
                    ));
                }
                if !nlnt_increased.is_empty() {
                    evidence.push((
                        "IR-CPD-NEW",
                        format!(
                            "increase of new-lesion non-target {}",
                            ids(nlnt_increased.iter().copied())
                        ),
                    ));
                }
            } else if new_progression {
                evidence.push(("IR-CPD-OTHER", new_progression_text()));
            }
            let days = (date - p.assessed).num_days();
            let since_last = (date - p.last).num_days();
            let [earliest, latest] = ir.confirm_window_days;
            let tol = i64::from(ir.window_tolerance_days);
            let early = days < i64::from(earliest) - tol;
            let late = since_last > i64::from(latest) + tol;
            if !evidence.is_empty() && o.after_new_therapy && !ir.confirm_after_new_therapy {
                ex.note("IR-CLIN", || format!(
                    "after the start of a new anticancer therapy: this scan cannot confirm the iUPD of {} (irecist.confirm_after_new_therapy: false)",
                    p.assessed
                ));
                for (rule, text) in evidence {
                    ex.note(rule, || {
                        format!("{text} (not counted: after a new anticancer therapy)")
                    });
                }
                warnings.push(format!(
                    "assessment {date}: after the start of a new anticancer therapy, not counted as confirmation of the iUPD of {} (IR-CLIN)",
                    p.assessed
                ));
                self.stay_unconfirmed(date, ex, warnings)
            } else if !evidence.is_empty()
                && early
                && (additional.is_empty() || ir.early_scan_confirms == EarlyScanConfirms::Never)
            {
                ex.note("IR-CONF-WIN", || match ir.early_scan_confirms {
                    EarlyScanConfirms::AdditionalNewLesion => format!(
                        "{days} days after the iUPD of {}: earlier than day {earliest} − {tol}, this scan cannot confirm (only an additional new lesion could)",
                        p.assessed
                    ),
                    EarlyScanConfirms::Never => format!(
                        "{days} days after the iUPD of {}: earlier than day {earliest} − {tol}, this scan cannot confirm (irecist.early_scan_confirms: never)",
                        p.assessed
                    ),
                });
                for (rule, text) in evidence {
                    ex.note(rule, || format!("{text} (not counted: too early)"));
                }
                warnings.push(format!(
                    "assessment {date}: {days} days after the iUPD of {}, too early to confirm it (IR-CONF-WIN)",
                    p.assessed
                ));
                self.stay_unconfirmed(date, ex, warnings)
            } else if !evidence.is_empty() && late && !ir.late_scan_confirms {
                ex.note("IR-CONF-WIN", || format!(
                    "{since_last} days after the iUPD of {}: later than day {latest} + {tol}, and late scans do not confirm (irecist.late_scan_confirms: false)",
                    p.last
                ));
                warnings.push(format!(
                    "assessment {date}: {since_last} days after the iUPD of {}, later than the confirmation window: not counted as confirmation (IR-CONF-WIN)",
                    p.last
                ));
                self.stay_unconfirmed(date, ex, warnings)
            } else if !evidence.is_empty() {
                if early {
                    ex.note("IR-CONF-WIN", || format!(
                        "{days} days after the iUPD of {}: early, but an additional new lesion may confirm",
                        p.assessed
                    ));
                } else if late {
                    ex.note("IR-CONF-WIN", || format!(
                        "{since_last} days after the iUPD of {}: later than day {latest} + {tol}; counted (irecist.late_scan_confirms: true)",
                        p.last
                    ));
                    warnings.push(format!(
                        "assessment {date}: confirms the iUPD of {} {since_last} days after it, later than the confirmation window (IR-CONF-WIN)",
                        p.last
                    ));
                } else if p.last == p.assessed {
                    ex.note("IR-CONF-WIN", || format!(
                        "{days} days after the iUPD of {} (window day {earliest}–{latest} ± {tol})",
                        p.assessed
                    ));
                } else {
                    ex.note("IR-CONF-WIN", || format!(
                        "{days} days after the iUPD of {}, {since_last} after the iUPD of {} (window day {earliest}–{latest} ± {tol})",
                        p.assessed, p.last
                    ));
                }
                for (rule, text) in evidence {
                    ex.note(rule, || text);
                }
                ex.note("IR-CPD-DATE", || {
                    format!(
                        "iCPD: progression dated to {}, the iUPD that started the block",
                        p.dated
                    )
                });
                self.pending = None;
                self.confirmed = Some(p.dated);
                Step {
                    overall: OverallResponse::ICpd,
                    confirmed: Some(p.dated),
                    warnings,
                }
            } else {
                // No further progression: reset, or iUPD remains (IR-RESET, IR-REMAIN).
                let stable = matches!(
                    o.base,
                    OverallResponse::Cr
                        | OverallResponse::Pr
                        | OverallResponse::Sd
                        | OverallResponse::NonCrNonPd
                );
                let blocked = if p.new && !listed_before.is_empty() {
                    match ir.reset_with_new_lesions {
                        ResetWithNewLesions::Never => Some(
                            "the new lesions are still there (irecist.reset_with_new_lesions: never)"
                                .to_string(),
                        ),
                        ResetWithNewLesions::TargetDecrease => match (o.sum, p.target_sum) {
                            (Some(s), Some(at)) => (s >= at).then(|| format!(
                                "the new lesions are still there and the target sum {s} mm is not below {at} mm at the iUPD (irecist.reset_with_new_lesions: target-decrease)"
                            )),
                            // Nothing here to reset with (targets not evaluated, or the baseline
                            // disease not evaluable): the new lesions still there keep the
                            // iUPD (iR Table 2).
                            (None, _) if o.has_targets || !stable => Some(
                                "the new lesions are still there and the baseline disease is not evaluated as a response or stable disease here".to_string(),
                            ),
                            // No target sum to compare with the one at the iUPD.
                            (_, _) => {
                                let why = if o.has_targets {
                                    format!("the target sum was not known at the iUPD of {}", p.assessed)
                                } else {
                                    "no target lesions".to_string()
                                };
                                match ir.reset_without_target_sum {
                                    ResetWithoutTargetSum::StaysIupd => Some(format!(
                                        "the new lesions are still there and there is no target sum to compare ({why}; irecist.reset_without_target_sum: stays-iupd)"
                                    )),
                                    ResetWithoutTargetSum::Resets => {
                                        ex.note("IR-RESET", || format!(
                                            "no target sum to compare ({why}): the new lesions still there do not prevent a reset (irecist.reset_without_target_sum: resets)"
                                        ));
                                        None
                                    }
                                    ResetWithoutTargetSum::NewLesionDecrease => {
                                        match (nlt_sum_before, p.nlt_sum) {
                                            (Some(s), Some((at, count)))
                                                if count == nlt_before && s < at =>
                                            {
                                                ex.note("IR-RESET", || format!(
                                                    "no target sum to compare ({why}): the new-lesion target sum {s} mm is below {at} mm at the iUPD (irecist.reset_without_target_sum: new-lesion-decrease)"
                                                ));
                                                None
                                            }
                                            (s, at) => Some(format!(
                                                "the new lesions are still there, there is no target sum to compare ({why}) and the new-lesion target sum {} is not below {} at the iUPD (irecist.reset_without_target_sum: new-lesion-decrease)",
                                                s.map_or("unknown".into(), |s| format!("{s} mm")),
                                                at.map_or("unknown".into(), |(s, _)| format!("{s} mm")),
                                            )),
                                        }
                                    }
                                }
                            }
                        },
                    }
                } else {
                    None
                };
                if stable && blocked.is_none() {
                    let overall = self.category(o, !listed_before.is_empty());
                    ex.note("IR-RESET", || {
                        format!(
                            "after the iUPD of {}: {} without further progression resets: {overall}",
                            p.assessed, o.base
                        )
                    });
                    self.pending = None;
                    Step {
                        overall,
                        confirmed: None,
                        warnings,
                    }
                } else if o.base == OverallResponse::Ne && blocked.is_none() {
                    ex.note("IR-REMAIN", || {
                        format!(
                            "not evaluable; the iUPD of {} is neither confirmed nor reset",
                            p.assessed
                        )
                    });
                    Step {
                        overall: OverallResponse::Ne,
                        confirmed: None,
                        warnings,
                    }
                } else {
                    ex.note("IR-REMAIN", || match &blocked {
                        Some(why) => format!("no reset: {why}; stays iUPD"),
                        None => format!(
                            "no further increase since the iUPD of {}: stays iUPD",
                            p.assessed
                        ),
                    });
                    self.remain(date);
                    Step {
                        overall: OverallResponse::IUpd,
                        confirmed: None,
                        warnings,
                    }
                }
            }
        } else {
            // No iUPD pending: RECIST 1.1 progression of any category is iUPD (IR-UPD).
            let target = o.target == Some(TargetResponse::Pd);
            let non_target = o.non_target == Some(NonTargetResponse::Pd);
            let new = new_progression;
            if target || non_target || new {
                let mut what = Vec::new();
                if target {
                    what.push("target".to_string());
                }
                if non_target {
                    what.push("non-target".to_string());
                }
                if new {
                    what.push(new_progression_text());
                }
                ex.note("IR-UPD", || {
                    format!(
                        "RECIST 1.1 progression ({}): unconfirmed, iUPD",
                        what.join("; ")
                    )
                });
                if o.follow_up {
                    let dated = match (new, o.backdate) {
                        (true, Some(b)) => b.min(date),
                        _ => date,
                    };
                    self.pending = Some(Pending {
                        assessed: date,
                        last: date,
                        dated,
                        target,
                        non_target,
                        new,
                        target_sum: o.sum,
                        target_low: o.sum.map(|s| (s, date)),
                        nt_not_progressing: o
                            .non_target_status
                            .iter()
                            .filter(|(_, status)| {
                                matches!(status, NonTargetStatus::Present | NonTargetStatus::Absent)
                            })
                            .map(|(id, _)| (*id).to_string())
                            .collect(),
                        nlt_sum: nlt_sum_now.map(|s| (s, nlt_now)),
                        nlt_low: nlt_sum_now.map(|s| (s, date)),
                        known: self.known.len(),
                    });
                }
                Step {
                    overall: OverallResponse::IUpd,
                    confirmed: None,
                    warnings,
                }
            } else {
                let overall = self.category(o, !listed_before.is_empty());
                ex.note("IR-OR", || format!("RECIST 1.1 {} → {overall}", o.base));
                Step {
                    overall,
                    confirmed: None,
                    warnings,
                }
            }
        };

        // `irecist.cpd_reference: nadir-since-iupd`: the smallest sums while the iUPD is
        // pending (the NLT sum only while its lesions are those followed at the iUPD).
        if let Some(p) = self.pending.as_mut() {
            if let Some(s) = o.sum
                && p.target_low.is_none_or(|(low, _)| s < low)
            {
                p.target_low = Some((s, date));
            }
            if let (Some(s), Some((_, count))) = (nlt_sum_now, p.nlt_sum)
                && count == nlt_now
                && p.nlt_low.is_none_or(|(low, _)| s < low)
            {
                p.nlt_low = Some((s, date));
            }
        }
        if outcome.overall == OverallResponse::ICr {
            self.gone_at_cr = self.known.iter().map(|k| k.id.clone()).collect();
        }
        // AMB-I2: the NLT reference, restarted when the set grows; lowered with the sum under
        // `nadir`, kept at the sum when the set grew under `first-appearance`.
        if let Some(s) = nlt_sum_now {
            self.nlt_nadir = match self.nlt_nadir {
                Some((n, count)) if count == nlt_now => match ir.nlt_reference {
                    NltReference::Nadir => Some((n.min(s), count)),
                    NltReference::FirstAppearance => Some((n, count)),
                },
                _ => Some((s, nlt_now)),
            };
        }
        outcome
    }

    /// The iRECIST category of a timepoint without progression: the RECIST 1.1 one with an
    /// "i", iCR only with no new lesion listed.
    fn category(&self, o: &Observed<'_>, new_listed: bool) -> OverallResponse {
        match o.base {
            OverallResponse::Cr if new_listed && o.has_targets => OverallResponse::IPr,
            OverallResponse::Cr if new_listed => OverallResponse::NonICrNonIUpd,
            other => other.to_irecist(),
        }
    }

    /// Records a new lesion at its first counted sighting: NLT or NLNT (IR-CPD-NEW).
    fn admit(
        &mut self,
        rules: &RuleSet,
        ir: &IrecistRules,
        a: &Assessment,
        nl: &NewLesion,
        ex: &mut Notes,
    ) {
        let b = &rules.doc().baseline;
        let lesion = Lesion {
            nodal: nl.nodal,
            ..Lesion::new(nl.id.as_str(), nl.site.as_str(), Role::Target)
        };
        let organ =
            crate::prepare::organ_of(rules, &lesion, &b.organs, b.nodes_one_organ).into_owned();
        let measurable = if nl.nodal {
            nl.diameters
                .short_axis
                .is_some_and(|sa| sa >= b.node_target_min_short_axis_mm)
        } else {
            match (nl.diameters.long_axis, b.measurable_min_mm.get(&a.modality)) {
                (Some(la), Some(&min)) => la >= min,
                _ => false,
            }
        };
        let lim = &ir.new_lesion_targets;
        let total = self.known.iter().filter(|k| k.nlt).count();
        let in_organ = self
            .known
            .iter()
            .filter(|k| k.nlt && k.organ == organ)
            .count();
        let nlt =
            measurable && total < lim.max_total as usize && in_organ < lim.max_per_organ as usize;
        ex.note("IR-CPD-NEW", || {
            let why = if !measurable {
                "not measurable".to_string()
            } else if total >= lim.max_total as usize {
                format!("already {} new-lesion targets", lim.max_total)
            } else if in_organ >= lim.max_per_organ as usize {
                format!(
                    "already {} new-lesion targets in `{organ}`",
                    lim.max_per_organ
                )
            } else {
                "measurable".to_string()
            };
            format!(
                "new `{}` is a new-lesion {} ({why})",
                nl.id,
                if nlt { "target" } else { "non-target" }
            )
        });
        self.known.push(Known {
            id: nl.id.clone(),
            nlt,
            organ,
        });
    }

    /// The sum of the NLT known so far at an assessment. `None` when one is not listed with
    /// its diameter, or there is none.
    fn nlt_sum(&self, a: &Assessment) -> Option<Mm> {
        let mut sum = Mm::ZERO;
        let mut any = false;
        for k in self.known.iter().filter(|k| k.nlt) {
            let nl = a.new_lesions.iter().find(|nl| nl.id == k.id)?;
            let mm = if nl.nodal {
                nl.diameters.short_axis
            } else {
                nl.diameters.long_axis
            }?;
            sum = sum + mm;
            any = true;
        }
        any.then_some(sum)
    }
}

/// RECIST 1.1 progression of a sum against its reference, with the rule set's thresholds
/// (R11-TGT-PD): more than the reference, at least the percentage, at least the millimetres.
fn meets_pd(rules: &RuleSet, s: Mm, reference: Mm) -> bool {
    let tr = &rules.doc().target_response;
    s > reference
        && i128::from(s.hundredths()) * 10_000
            >= i128::from(reference.hundredths())
                * i128::from(10_000 + tr.pd_increase_pct.hundredths())
        && tr.pd_min_increase_mm.is_none_or(|min| s - reference >= min)
}

/// `` `A`, `B` ``.
fn ids<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    ids.map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the sum a further increase is measured from was taken (IR-CPD-TGT, IR-CPD-NEW): at
/// the iUPD assessment itself, or at a later assessment of the block (its smallest since).
fn reference_words(p: &Pending, on: NaiveDate) -> String {
    if on == p.assessed {
        format!("at the iUPD of {}", p.assessed)
    } else {
        format!(
            "on {on}, the smallest since the iUPD of {} (irecist.cpd_reference: nadir-since-iupd)",
            p.assessed
        )
    }
}
