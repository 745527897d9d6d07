//! The per-scan tracker: takes one assessment at a time and returns that timepoint's result
//! from a small running state (baseline sum, nadir, earlier CR, new-lesion sightings), without
//! re-reading history.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use recist_model::{
    AppliedOverride, Assessment, Cytology, Explanation, FieldPlacement, Finding, FollowUpResult,
    Mm, NewLesion, NewLesions, NonTargetResponse, NonTargetStatus, OverallResponse, Progression,
    ResponseDates, Role, RuleSetRef, Scope, Subject, SubjectResult, TargetFinding, TargetResponse,
    TimepointResult, result_id,
};
use recist_rules::{
    AtypicalDating, DiseaseAfterCr, EndpointsAtNewTherapy, EquivocalConfirmed, GrowthWithinCr,
    MarginalLesions, Measure, MissingTarget, NadirFrom, NodeWithoutShortAxis, NonTargetComplete,
    PrPersistence, ReferenceDate, RuleSet, ViabilityUnstated,
};

use crate::notes::Notes;
use crate::prepare::{
    LesionFacts, Prepared, condition_holds, measure_name, node_threshold, pick, prepare_reusing,
};
use crate::spare::Spare;
use crate::{AdjudicationError, AssessOptions, best};
use recist_model::Diameters;

/// `format!` when explanations are on (`$on`), else an empty `String`: for detail text made
/// before it is known where it goes.
macro_rules! detail {
    ($on:expr, $($arg:tt)*) => {
        if $on { format!($($arg)*) } else { String::new() }
    };
}

/// Follows one subject in one scope under one rule set, one assessment at a time.
///
/// ```
/// # use recist_engine::Tracker;
/// # use recist_model::Scope;
/// # fn run(rules: &recist_rules::RuleSet, subject: &recist_model::Subject) -> Result<(), recist_engine::AdjudicationError> {
/// let (baseline_only, follow_ups) = subject.assessments.split_at(1);
/// let mut header = subject.clone();
/// header.assessments = baseline_only.to_vec();
/// let mut tracker = Tracker::start(rules, &header, Scope::All)?.expect("the scope has lesions");
/// for scan in follow_ups {
///     let tp = tracker.assess(scan)?;
///     println!("{}: {:?}", tp.date, tp.follow_up.as_ref().map(|f| f.overall));
/// }
/// let result = tracker.result();
/// # let _ = result; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Tracker<'r> {
    rules: &'r RuleSet,
    subject: String,
    evaluator: Option<String>,
    scope: Scope,
    radiotherapy_ids: Vec<String>,
    /// Courses that make no field (`radiotherapy.late_courses: no-field`): new lesions placed
    /// in their field count out-of-field.
    no_field: Vec<String>,
    /// The subject's baseline lesions outside this scope (id, role, nodal): findings on them
    /// are checked too. Empty for the `all` scope, whose prepared lesions are every lesion.
    others: Vec<(String, Role, bool)>,
    /// Where each new lesion was first seen (with radiotherapy only: without it, every new
    /// lesion is outside every field): its field is set there (section 6).
    first_fields: BTreeMap<String, (NaiveDate, FieldPlacement)>,
    follow_up: Option<recist_model::FollowUp>,
    /// Day 0 of `day` and the endpoints: treatment start, else the baseline date.
    day0: NaiveDate,
    /// The reference of the SD minimum (`best_response.reference`, AMB-12).
    reference: NaiveDate,
    prepared: Prepared<'r>,
    nadir: Mm,
    /// Under `target_response.nadir_from: baseline-and-all-assessments`, the date of the scan
    /// before treatment start (day ≤ 0) whose sum is the nadir now, named in explanations.
    nadir_before_start: Option<NaiveDate>,
    /// Under `baseline-and-on-treatment`, the smallest sum of a scan before treatment start,
    /// with its date, below the baseline sum: not the nadir, named in explanations while it
    /// is below the nadir.
    ignored_before_start: Option<(NaiveDate, Mm)>,
    last_date: NaiveDate,
    earlier_overall_cr: bool,
    earlier_target_pr: bool,
    /// The first earlier CR or PR confirmed by an earlier assessment, once found, under
    /// `timepoint.pr_persistence: sticky-after-confirmation` (AMB-02); found again after an
    /// AMB-07 rewrite of earlier timepoints.
    confirmed_earlier: Option<best::Confirmed>,
    sightings: BTreeMap<String, Sighting>,
    /// Non-targets proven malignant by positive cytology at baseline or an earlier follow-up,
    /// with the first such date: their later progression needs no new sampling (MR-EFFUSION).
    cytology_positive: BTreeMap<String, NaiveDate>,
    timepoints: Vec<TimepointResult>,
    progression: Option<Progression>,
    warnings: Vec<String>,
    /// Whether follow-up timepoints carry explanation texts ([`AssessOptions::explanations`]).
    explanations: bool,
    /// The buffer of target values, kept from one assessment to the next.
    target_values: Vec<TargetValue>,
    /// Allocations of earlier results, filled again by this one.
    spare: Spare,
    /// The iRECIST state, for a rule set with an `irecist` section.
    irecist: crate::irecist::IrecistState,
}

/// What is remembered of a new lesion between assessments.
#[derive(Debug, Clone)]
struct Sighting {
    first_date: NaiveDate,
    /// The first sighting that gave a long axis, and that long axis: an atypical lesion's
    /// growth is measured from it (MR-NEW-ATYPICAL).
    measured_from: Option<(NaiveDate, Mm)>,
    /// The first follow-up assessment where a patterned lesion had the typical pattern and
    /// the size to count and was held back only by the reader's doubt (`equivocal`): its
    /// confirmation dates progression back to it (MR-NEW-TYPICAL with R11-NEW-EQUIV).
    qualified_since: Option<NaiveDate>,
    /// The first assessment where it was reported EQUIVOCAL: a later confirmation dates
    /// progression back to it. A sighting that did not count for another reason (a node
    /// under the size minimum) is not back-dated.
    equivocal_since: Option<NaiveDate>,
    counted: bool,
}

/// How one new lesion is classified at one assessment.
struct Classified {
    status: NewLesions,
    rule: String,
    text: String,
    /// A later confirmation moves progression back to the first sighting.
    dated_back: bool,
    /// Moved back to the first sighting that qualified ([`Sighting::qualified_since`]), not
    /// the first one reported equivocal.
    from_qualified: bool,
    /// Typical and large enough here, marked equivocal: this sighting qualifies.
    qualifies: bool,
    /// Rule cited when progression is moved back (default `R11-NEW-EQUIV`).
    dating_rule: Option<String>,
    /// A further citation for this decision.
    also: Option<(String, String)>,
}

/// What one target counts at one assessment.
#[derive(Debug, Clone, Copy)]
enum TargetValue {
    /// Not evaluated: no finding, or not the diameter the rule set counts.
    Missing,
    /// Counted: the diameter, and whether the lesion was too small to measure.
    Known { mm: Mm, too_small: bool },
}

/// Target values of one assessment: one per target of the scope, in their order.
struct TargetValues {
    values: Vec<TargetValue>,
    warnings: Vec<String>,
}

impl TargetValues {
    /// The counted targets (index, diameter), in target order.
    fn known(&self) -> impl Iterator<Item = (usize, Mm)> + '_ {
        self.values.iter().enumerate().filter_map(|(i, v)| match v {
            TargetValue::Known { mm, .. } => Some((i, *mm)),
            TargetValue::Missing => None,
        })
    }

    /// The targets not evaluated (index), in target order.
    fn missing(&self) -> impl Iterator<Item = usize> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter(|(_, v)| matches!(v, TargetValue::Missing))
            .map(|(i, _)| i)
    }

    /// Whether target `i` was too small to measure.
    fn too_small(&self, i: usize) -> bool {
        matches!(
            self.values.get(i),
            Some(TargetValue::Known {
                too_small: true,
                ..
            })
        )
    }
}

impl<'r> Tracker<'r> {
    /// Starts from a subject's baseline (its first assessment; later ones are ignored here).
    ///
    /// Runs the rule set's baseline checks. `Ok(None)` when the scope holds no lesion.
    pub fn start(
        rules: &'r RuleSet,
        subject: &Subject,
        scope: Scope,
    ) -> Result<Option<Tracker<'r>>, AdjudicationError> {
        Tracker::start_with(rules, subject, scope, AssessOptions::default())
    }

    /// [`start`](Self::start) with options (explanation texts on or off).
    pub fn start_with(
        rules: &'r RuleSet,
        subject: &Subject,
        scope: Scope,
        options: AssessOptions,
    ) -> Result<Option<Tracker<'r>>, AdjudicationError> {
        Tracker::start_reusing(rules, subject, scope, options, &mut Spare::default())
    }

    /// [`start_with`](Self::start_with), the tracker taking the allocations in `spare` (all
    /// of them, once it is started) to fill again; [`finish`](Self::finish) gives them back.
    pub(crate) fn start_reusing(
        rules: &'r RuleSet,
        subject: &Subject,
        scope: Scope,
        options: AssessOptions,
        spare: &mut Spare,
    ) -> Result<Option<Tracker<'r>>, AdjudicationError> {
        crate::check::subject(subject)?;
        let Some(prepared) = prepare_reusing(rules, subject, scope, spare)? else {
            return Ok(None);
        };
        let mut tracker = Tracker::fresh(rules, subject, scope, prepared, spare)?;
        tracker.explanations = options.explanations;
        tracker.spare = std::mem::take(spare);
        tracker.timepoints = tracker.spare.timepoints();
        let baseline = subject
            .baseline()
            .ok_or_else(|| AdjudicationError::NoAssessment {
                subject: subject.subject.clone(),
            })?;
        let day0 = tracker.day0;
        let has_targets = !tracker.prepared.targets.is_empty();
        // A timepoint per assessment (a header holding the baseline alone grows as it goes).
        tracker.timepoints.reserve_exact(subject.assessments.len());
        tracker.timepoints.push(TimepointResult {
            date: baseline.date,
            day: (baseline.date - day0).num_days(),
            baseline: true,
            sum_mm: has_targets.then_some(tracker.prepared.baseline_sum),
            follow_up: None,
        });
        tracker.record_cytology(baseline);
        if !baseline.new_lesions.is_empty() {
            tracker.warnings.push(format!(
                "baseline {}: new lesions listed at baseline are ignored",
                baseline.date
            ));
        }
        Ok(Some(tracker))
    }

    /// The scope this tracker follows.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Assesses the next follow-up assessment and returns its result.
    ///
    /// An assessment refused (out of date order, the same one twice, a malformed finding)
    /// leaves the tracker as it was: the next one can be given.
    ///
    /// Under `new_lesions.equivocal_confirmed: rewrite-earlier` (AMB-07), confirming an
    /// equivocal new lesion rewrites the timepoints since its first sighting to PD in the
    /// tracker's result: what earlier calls returned for them is then out of date.
    pub fn assess(
        &mut self,
        assessment: &Assessment,
    ) -> Result<&TimepointResult, AdjudicationError> {
        self.check(assessment)?;
        let warnings = self.warnings.len();
        match self.assess_checked(assessment) {
            Ok(()) => {
                self.record_fields(assessment);
                self.record_cytology(assessment);
                self.timepoints
                    .last()
                    .ok_or_else(|| AdjudicationError::NoAssessment {
                        subject: self.subject.clone(),
                    })
            }
            Err(e) => {
                self.warnings.truncate(warnings);
                Err(e)
            }
        }
    }

    /// The checks of [`assess`](Self::assess) before anything changes: date order, the
    /// survival follow-up, the assessment itself against the subject's lesions and courses
    /// (`check::assessment`), each new lesion's field as where it was first seen.
    fn check(&self, assessment: &Assessment) -> Result<(), AdjudicationError> {
        let fail = |lesion: Option<&str>, message: String| AdjudicationError::Assessment {
            subject: self.subject.clone(),
            date: assessment.date,
            lesion: lesion.map(str::to_string),
            message,
        };
        if assessment.date <= self.last_date {
            return Err(fail(
                None,
                format!(
                    "assessments must be in increasing date order; the previous one is {}",
                    self.last_date
                ),
            ));
        }
        if let Some(death) = self.follow_up.as_ref().and_then(|f| f.death)
            && assessment.date > death
        {
            return Err(AdjudicationError::FollowUp {
                subject: self.subject.clone(),
                message: format!(
                    "death on {death} is before the assessment of {}: a date is wrong",
                    assessment.date
                ),
            });
        }
        let lesions = self
            .prepared
            .targets
            .iter()
            .map(|t| (t.id.as_str(), Role::Target, t.nodal))
            .chain(self.prepared.non_targets.iter().map(|l| {
                let role = if l.from_target.is_some() {
                    Role::Target
                } else {
                    Role::NonTarget
                };
                (l.id.as_str(), role, l.nodal)
            }))
            .chain(
                self.others
                    .iter()
                    .map(|(id, role, nodal)| (id.as_str(), *role, *nodal)),
            );
        let course = |rt: &str| self.radiotherapy_ids.iter().any(|c| c == rt);
        crate::check::assessment(&self.subject, assessment, lesions, &course)?;
        for nl in &assessment.new_lesions {
            if let Some((first, placed)) = self.first_fields.get(&nl.id)
                && *placed != nl.field
            {
                return Err(fail(
                    Some(&nl.id),
                    format!(
                        "new lesion first seen on {first} {placed}, now {}: a new lesion's field is set where it first appears (rules reference section 6)",
                        nl.field
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Keeps the non-targets of an assessment found with positive cytology (MR-EFFUSION): once
    /// proven malignant, an effusion stays so.
    fn record_cytology(&mut self, a: &Assessment) {
        // Read only where the rule set asks for cytology (not RECIST 1.1: a walk over every
        // finding of every assessment in batch).
        if self
            .rules
            .doc()
            .non_target_response
            .progression_needs_positive_cytology
            .is_empty()
        {
            return;
        }
        for (id, finding) in &a.findings {
            if let Finding::NonTarget(f) = finding
                && f.cytology == Some(recist_model::Cytology::Positive)
                && !self.cytology_positive.contains_key(id)
            {
                self.cytology_positive.insert(id.clone(), a.date);
            }
        }
    }

    /// Keeps where each new lesion of an assessment is first seen (with radiotherapy only).
    fn record_fields(&mut self, a: &Assessment) {
        if self.radiotherapy_ids.is_empty() {
            return;
        }
        for nl in &a.new_lesions {
            if !self.first_fields.contains_key(&nl.id) {
                self.first_fields
                    .insert(nl.id.clone(), (a.date, nl.field.clone()));
            }
        }
    }

    /// [`assess`](Self::assess) of a checked assessment; on error, only warnings may have
    /// been added (`assess` takes them back), besides `confirmed_earlier`, which the earlier
    /// timepoints alone decide and which therefore holds whatever this assessment gives.
    fn assess_checked(&mut self, assessment: &Assessment) -> Result<(), AdjudicationError> {
        // The subject's name is copied into an error only when there is one.
        let fail =
            |subject: &str, lesion: Option<&str>, message: String| AdjudicationError::Assessment {
                subject: subject.to_string(),
                date: assessment.date,
                lesion: lesion.map(str::to_string),
                message,
            };
        let doc = self.rules.doc();
        let day = (assessment.date - self.day0).num_days();
        // R11-BOR-DEF: follow-up starts with treatment. A scan after the baseline but on or
        // before day 0 is reported as assessed, but is no follow-up: it starts no progression,
        // and the best response leaves it out (`best::best_responses`).
        let follow_up = day > 0;
        if !follow_up {
            self.warnings.push(format!(
                "assessment {} is day {day}, on or before treatment start ({}): no follow-up, left out of the best response and progression (R11-BOR-DEF)",
                assessment.date, self.day0
            ));
        }
        let mut ex = Notes::starting_with(
            self.explanations,
            &self.prepared.explanations,
            self.spare.reasons(),
        );
        let after_cr = self.earlier_overall_cr
            && doc.timepoint.disease_after_cr == DiseaseAfterCr::Progression;

        // Targets.
        let has_targets = !self.prepared.targets.is_empty();
        // AMB-02 `sticky-after-confirmation`: whether an earlier PR or CR is confirmed, from
        // the earlier timepoints alone (this one is not among them yet).
        if has_targets
            && self.earlier_target_pr
            && self.confirmed_earlier.is_none()
            && doc.timepoint.pr_persistence == PrPersistence::StickyAfterConfirmation
            && doc.confirmation.required
        {
            let new_therapy = self.follow_up.as_ref().and_then(|f| f.new_therapy);
            let visits = best::follow_up_visits(self.rules, &self.timepoints, new_therapy);
            self.confirmed_earlier = best::first_confirmed(self.rules, &visits);
        }
        let mut sum = None;
        // The sum of the evaluated targets when some are not (a lower bound of the sum).
        let mut sum_at_least = None;
        let mut change_from_baseline_pct = None;
        let mut change_from_nadir_pct = None;
        let mut change_from_nadir_mm = None;
        let target = if has_targets {
            let buffer = std::mem::take(&mut self.target_values);
            let mut values = self
                .target_values(assessment, buffer, &mut ex)
                .map_err(|(l, m)| fail(&self.subject, Some(&l), m))?;
            self.warnings.append(&mut values.warnings);
            let (response, s) = self.target_response(&values, after_cr, &mut ex);
            if s.is_none() && values.known().next().is_some() {
                sum_at_least = Some(values.known().map(|(_, m)| m).sum());
            }
            self.target_values = values.values;
            sum = s;
            if let Some(s) = s {
                change_from_baseline_pct =
                    pct(s - self.prepared.baseline_sum, self.prepared.baseline_sum);
                change_from_nadir_pct = pct(s - self.nadir, self.nadir);
                change_from_nadir_mm = Some(s - self.nadir);
            }
            Some(response)
        } else {
            None
        };

        // Non-targets.
        let non_target = (!self.prepared.non_targets.is_empty()).then(|| {
            let mut warnings = Vec::new();
            let r = self.non_target_response(assessment, after_cr, &mut ex, &mut warnings);
            self.warnings.append(&mut warnings);
            r
        });

        // New lesions.
        let (new_lesions, backdate) = self.new_lesions(assessment, &mut ex);
        if after_cr && new_lesions == NewLesions::Yes {
            ex.note("AMB-01", || "a new lesion after an overall CR".into());
        }

        // Overall.
        let decision = if has_targets {
            self.rules
                .table_with_targets()
                .decide(target, non_target, new_lesions)
        } else {
            self.rules
                .table_non_target_only()
                .decide(None, non_target, new_lesions)
        };
        let Some(decision) = decision else {
            return Err(fail(
                &self.subject,
                None,
                "the rule set's decision table has no row for this combination".into(),
            ));
        };
        let r11_overall = decision.overall;
        let mut overall = r11_overall;
        ex.note(&decision.rule, || {
            format!(
                "{}non-target {}, new lesions {new_lesions} → overall {overall} (row {})",
                target.map(|t| format!("target {t}, ")).unwrap_or_default(),
                non_target.map(|n| n.as_str()).unwrap_or("none"),
                decision.row
            )
        });
        for rule in &decision.also {
            ex.note(rule, || "applies to this combination".into());
        }

        // iRECIST (section 3): the RECIST 1.1 result read as iUPD, iCPD or a reset.
        let mut confirmed = None;
        if let Some(ir) = doc.irecist.as_ref() {
            let base = if has_targets {
                self.rules
                    .table_with_targets()
                    .decide(target, non_target, NewLesions::No)
            } else {
                self.rules
                    .table_non_target_only()
                    .decide(None, non_target, NewLesions::No)
            };
            let Some(base) = base else {
                return Err(fail(
                    &self.subject,
                    None,
                    "the rule set's decision table has no row for this combination".into(),
                ));
            };
            let marginal_in = doc.radiotherapy.marginal_lesions == MarginalLesions::InField;
            let observed = crate::irecist::Observed {
                assessment,
                follow_up,
                has_targets,
                target,
                sum,
                sum_at_least,
                non_target,
                non_target_increased: self
                    .prepared
                    .non_targets
                    .iter()
                    .filter_map(|l| match assessment.findings.get_key_value(&l.id) {
                        Some((id, Finding::NonTarget(f))) if f.increased => Some(id.as_str()),
                        _ => None,
                    })
                    .collect(),
                non_target_status: self
                    .prepared
                    .non_targets
                    .iter()
                    .map(|l| match assessment.findings.get(&l.id) {
                        Some(Finding::NonTarget(f)) => (l.id.as_str(), f.status),
                        _ => (l.id.as_str(), NonTargetStatus::NotEvaluated),
                    })
                    .collect(),
                new_counted: assessment
                    .new_lesions
                    .iter()
                    .filter(|nl| new_lesion_in_scope(nl, self.scope, marginal_in, &self.no_field))
                    .filter(|nl| self.counted_here(nl))
                    .collect(),
                backdate,
                base: base.overall,
                after_cr,
                after_new_therapy: self
                    .follow_up
                    .as_ref()
                    .and_then(|f| f.new_therapy)
                    .is_some_and(|d| assessment.date > d),
            };
            let step = self.irecist.step(self.rules, ir, &observed, &mut ex);
            overall = step.overall;
            confirmed = step.confirmed;
            self.warnings.extend(step.warnings);
        }

        // Running state.
        let nadir_used = self.nadir;
        // R11-NE-NADIR: only a fully evaluated sum; a scan before treatment start only under
        // `target_response.nadir_from: baseline-and-all-assessments`.
        if let Some(s) = sum
            && s < self.nadir
        {
            if follow_up || doc.target_response.nadir_from == NadirFrom::BaselineAndAllAssessments {
                self.nadir = s;
                self.nadir_before_start = (!follow_up).then_some(assessment.date);
            } else if self.ignored_before_start.is_none_or(|(_, m)| s < m) {
                self.ignored_before_start = Some((assessment.date, s));
            }
        }
        if r11_overall == OverallResponse::Cr {
            self.earlier_overall_cr = true;
        }
        if target == Some(TargetResponse::Pr) {
            self.earlier_target_pr = true;
        }
        self.last_date = assessment.date;
        if let Some(dated) = confirmed
            && self.progression.is_none()
            && follow_up
        {
            // IR-CPD-DATE: dated to the iUPD that started the block.
            self.progression = Some(Progression {
                date: dated,
                day: (dated - self.day0).num_days(),
                first_pd_assessment: assessment.date,
                site: None,
            });
        }
        if overall == OverallResponse::Pd && self.progression.is_none() && follow_up {
            let date = backdate.map_or(assessment.date, |d| d.min(assessment.date));
            self.progression = Some(Progression {
                date,
                day: (date - self.day0).num_days(),
                first_pd_assessment: assessment.date,
                site: None,
            });
            if let (Some(first), EquivocalConfirmed::RewriteEarlier) =
                (backdate, doc.new_lesions.equivocal_confirmed)
            {
                self.rewrite_from(first);
            }
        } else if let (Some(first), Some(p)) = (backdate, self.progression.as_mut())
            && follow_up
            && first < p.date
        {
            // R11-NEW-EQUIV: an equivocal new lesion confirmed after another cause already
            // made a later scan PD (under iRECIST: iCPD) still dates progression to the scan
            // that first showed it.
            p.date = first;
            p.day = (first - self.day0).num_days();
            ex.note("R11-NEW-EQUIV", || {
                format!("progression moved back to {first}, where the confirmed new lesion was first seen")
            });
            if doc.new_lesions.equivocal_confirmed == EquivocalConfirmed::RewriteEarlier {
                self.rewrite_from(first);
            }
        }

        let (reasons, explanations) = ex.finish();
        self.timepoints.push(TimepointResult {
            date: assessment.date,
            day,
            baseline: false,
            sum_mm: sum,
            follow_up: Some(FollowUpResult {
                nadir_mm: has_targets.then_some(nadir_used),
                change_from_baseline_pct,
                change_from_nadir_pct,
                change_from_nadir_mm,
                target,
                non_target,
                new_lesions,
                overall,
                reasons,
                explanations,
            }),
        });
        Ok(())
    }

    /// The result so far: every timepoint, best responses and progression.
    pub fn result(&self) -> SubjectResult {
        self.make_result(
            (self.subject.clone(), self.evaluator.clone()),
            self.timepoints.clone(),
            self.progression.clone(),
            self.warnings.clone(),
            &mut Spare::default(),
        )
    }

    /// The result, the tracker consumed: [`result`](Self::result) without copying the
    /// timepoints or the subject's name (what a finished adjudication returns).
    pub fn into_result(self) -> SubjectResult {
        self.finish().0
    }

    /// [`into_result`](Self::into_result), with the allocations the tracker took and did not
    /// use.
    pub(crate) fn finish(mut self) -> (SubjectResult, Spare) {
        let who = (std::mem::take(&mut self.subject), self.evaluator.take());
        let timepoints = std::mem::take(&mut self.timepoints);
        let progression = self.progression.take();
        let warnings = std::mem::take(&mut self.warnings);
        let mut spare = std::mem::take(&mut self.spare);
        let result = self.make_result(who, timepoints, progression, warnings, &mut spare);
        for t in self.prepared.targets {
            spare.give(t.id);
        }
        for l in self.prepared.non_targets {
            spare.give(l.id);
        }
        for (id, _, _) in self.others {
            spare.give(id);
        }
        (result, spare)
    }

    /// The allocations the tracker took and did not use (a tracker given up on).
    pub(crate) fn into_spare(self) -> Spare {
        self.spare
    }

    /// The result of the subject and evaluator `who` from the parts given and the tracker's
    /// running state (its strings written into those kept in `spare`).
    fn make_result(
        &self,
        (subject, evaluator): (String, Option<String>),
        timepoints: Vec<TimepointResult>,
        progression: Option<Progression>,
        warnings: Vec<String>,
        spare: &mut Spare,
    ) -> SubjectResult {
        let doc = self.rules.doc();
        let mut warnings = warnings;
        // IR-CLIN: an iUPD never confirmed is reported as such, and is no progression.
        if doc.irecist.is_some()
            && let Some(upd) = self.irecist.unconfirmed()
        {
            warnings.push(format!(
                "the iUPD of {upd} was never confirmed: no progression is reported (IR-CLIN)"
            ));
        }
        let new_therapy = self.follow_up.as_ref().and_then(|f| f.new_therapy);
        let best = best::best_responses(self.rules, &timepoints, self.reference, new_therapy);
        let censor_at =
            new_therapy.filter(|_| doc.endpoints.new_therapy == EndpointsAtNewTherapy::Censor);
        let endpoints = crate::endpoints(
            &timepoints,
            progression.as_ref(),
            self.follow_up.as_ref(),
            self.day0,
            &best,
            doc.confirmation.required,
            censor_at,
        );
        SubjectResult {
            id: result_id(
                &subject,
                evaluator.as_deref(),
                self.rules.sha256(),
                self.scope,
            ),
            subject,
            evaluator,
            rule_set: RuleSetRef {
                id: spare.string(&doc.id),
                version: spare.string(&doc.version),
                sha256: spare.string(self.rules.sha256()),
                overrides: self
                    .rules
                    .overrides()
                    .iter()
                    .map(|o| AppliedOverride {
                        key: o.key.clone(),
                        value: o.value.clone(),
                        origin: o.origin.clone(),
                    })
                    .collect(),
            },
            scope: self.scope,
            timepoints,
            best_overall_response: Some(best.unconfirmed),
            confirmed_best_overall_response: Some(best.confirmed),
            response_dates: ResponseDates {
                first_response: best.first_response_date,
                confirmed_response: best.confirmed_response_date,
                confirmation: best.confirmation_date,
            },
            best_response_reasons: best.explanations,
            progression,
            endpoints,
            radiotherapy: Vec::new(),
            abscopal: None,
            warnings,
        }
    }

    /// The value of every target at this assessment, written into `values` (emptied first:
    /// a buffer the tracker keeps from one assessment to the next).
    fn target_values(
        &self,
        a: &Assessment,
        mut values: Vec<TargetValue>,
        ex: &mut Notes,
    ) -> Result<TargetValues, (String, String)> {
        values.clear();
        let mut v = TargetValues {
            values,
            warnings: Vec::new(),
        };
        let too_small = self.rules.doc().measurement.too_small_mm;
        // Where a finding gives a choice of diameters, the selector's rule decided: per rule,
        // what it chose (the texts only for explanations).
        let on = ex.on();
        let mut chosen: Vec<(&str, Vec<String>)> = Vec::new();
        let mut missing_notes: Vec<(String, String)> = Vec::new();
        fn choose<'t>(
            chosen: &mut Vec<(&'t str, Vec<String>)>,
            on: bool,
            rule: &'t str,
            text: String,
        ) {
            let at = match chosen.iter().position(|(r, _)| *r == rule) {
                Some(at) => at,
                None => {
                    chosen.push((rule, Vec::new()));
                    chosen.len() - 1
                }
            };
            if on {
                chosen[at].1.push(text);
            }
        }
        for (i, t) in self.prepared.targets.iter().enumerate() {
            let given = |d: &Diameters| {
                [
                    (Measure::LongAxis, d.long_axis),
                    (Measure::ShortAxis, d.short_axis),
                    (Measure::Viable, d.viable),
                ]
                .into_iter()
                .filter_map(|(m, v)| v.map(|v| (m, v)))
                .collect::<Vec<_>>()
            };
            let finding = a.findings.get(&t.id);
            // R11-COALESCE across a field edge: a carrier holding the mass of a lesion of
            // another scope cannot be split between the scopes (only field scopes have one).
            if self.scope != Scope::All
                && let Some(foreign) = self.merged_from_outside(a, &t.id)
            {
                ex.note("R11-COALESCE", || {
                    format!(
                        "`{}` carries the merged mass of `{foreign}` (outside this scope): not evaluated here",
                        t.id
                    )
                });
                v.warnings.push(format!(
                    "assessment {}: `{foreign}` coalesced into `{}` across the {} scope's edge: `{}` is not evaluated in this scope (R11-COALESCE)",
                    a.date, t.id, self.scope, t.id
                ));
                v.values.push(TargetValue::Missing);
                continue;
            }
            if let Some(Finding::Target(TargetFinding::Measured(d))) = finding {
                let several = [d.long_axis, d.short_axis, d.viable]
                    .iter()
                    .filter(|v| v.is_some())
                    .count()
                    > 1;
                // The choice is cited either way; its text is made only for explanations.
                if several && pick(d, t.measure).is_some() && !on {
                    choose(&mut chosen, on, t.measure_rule, String::new());
                } else if several && pick(d, t.measure).is_some() {
                    let others: Vec<String> = given(d)
                        .iter()
                        .filter(|(m, _)| *m != t.measure)
                        .map(|(m, v)| format!("{} {v} mm", measure_name(*m)))
                        .collect();
                    choose(
                        &mut chosen,
                        on,
                        t.measure_rule,
                        format!(
                            "`{}` counts its {} {} mm (not its {})",
                            t.id,
                            measure_name(t.measure),
                            pick(d, t.measure).unwrap_or_default(),
                            others.join(", ")
                        ),
                    );
                }
            }
            match finding {
                None | Some(Finding::Target(TargetFinding::NotEvaluated)) => {
                    v.values.push(TargetValue::Missing)
                }
                Some(Finding::NonTarget(_)) => {
                    return Err((
                        t.id.clone(),
                        "a non-target finding given for a target lesion".into(),
                    ));
                }
                Some(Finding::Target(TargetFinding::Absent)) => {
                    v.values.push(TargetValue::Known {
                        mm: Mm::ZERO,
                        too_small: false,
                    });
                }
                Some(Finding::Target(TargetFinding::TooSmall)) => {
                    v.values.push(TargetValue::Known {
                        mm: too_small,
                        too_small: true,
                    });
                    ex.note("R11-TSTM", || {
                        format!("`{}` too small to measure: counted {too_small} mm", t.id)
                    });
                }
                Some(Finding::Target(TargetFinding::Measured(d))) => match pick(d, t.measure) {
                    Some(mm) => v.values.push(TargetValue::Known {
                        mm,
                        too_small: false,
                    }),
                    None => {
                        let what = format!(
                            "`{}`: no {} given (only {}): not evaluated",
                            t.id,
                            measure_name(t.measure),
                            given(d)
                                .iter()
                                .map(|(m, v)| format!("{} {v} mm", measure_name(*m)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        choose(&mut chosen, on, t.measure_rule, what.clone());
                        if let Some(rule) = t.missing_rule {
                            missing_notes.push((
                                rule.to_string(),
                                format!(
                                    "`{}` needs its {} to be evaluated",
                                    t.id,
                                    measure_name(t.measure)
                                ),
                            ));
                        }
                        let cited = std::iter::once(t.measure_rule)
                            .chain(t.missing_rule)
                            .collect::<Vec<_>>()
                            .join(", ");
                        v.warnings.push(format!(
                            "assessment {}: {what} under {} ({cited})",
                            a.date,
                            self.rules.doc().id
                        ));
                        v.values.push(TargetValue::Missing);
                    }
                },
                Some(Finding::Target(TargetFinding::Fragments(parts))) => {
                    let values: Option<Vec<Mm>> =
                        parts.iter().map(|p| pick(p, t.measure)).collect();
                    match values {
                        Some(values) => {
                            let total: Mm = values.iter().copied().sum();
                            ex.note("R11-SPLIT", || {
                                format!(
                                    "`{}` split into {} fragments: {} = {total} mm",
                                    t.id,
                                    values.len(),
                                    values
                                        .iter()
                                        .map(|m| m.to_string())
                                        .collect::<Vec<_>>()
                                        .join(" + ")
                                )
                            });
                            v.values.push(TargetValue::Known {
                                mm: total,
                                too_small: false,
                            });
                        }
                        None => {
                            ex.note(t.measure_rule, || {
                                format!(
                                    "`{}`: a fragment has no {}: not evaluated",
                                    t.id,
                                    measure_name(t.measure)
                                )
                            });
                            v.values.push(TargetValue::Missing);
                        }
                    }
                }
                Some(Finding::Target(TargetFinding::MergedInto(other))) => {
                    // R11-COALESCE: one lesion carries the merged mass. A carrier that is itself
                    // merged (a chain, or a cycle where no lesion carries anything) would count
                    // the mass nowhere; a node and a non-nodal lesion are measured on different
                    // axes, so neither can carry the other.
                    if let Some(Finding::Target(TargetFinding::MergedInto(next))) =
                        a.findings.get(other)
                    {
                        return Err((
                            t.id.clone(),
                            format!(
                                "merged into `{other}`, which is itself merged into `{next}`: name the lesion that carries the merged measurement (R11-COALESCE)"
                            ),
                        ));
                    }
                    if let Some(carrier) = self.prepared.targets.iter().find(|o| &o.id == other)
                        && carrier.nodal != t.nodal
                    {
                        let (kind, carrier_kind) = if t.nodal {
                            ("a lymph node", "a non-nodal lesion")
                        } else {
                            ("a non-nodal lesion", "a lymph node")
                        };
                        return Err((
                            t.id.clone(),
                            format!(
                                "{kind} cannot merge into `{other}`, {carrier_kind}: they are measured on different axes (R11-COALESCE)"
                            ),
                        ));
                    }
                    if !self.prepared.targets.iter().any(|o| &o.id == other) {
                        // The carrier lies in another scope (or is followed as a non-target):
                        // the merged mass is not counted here, and this lesion is not gone.
                        let place = if self.in_this_scope(other) {
                            "followed as a non-target"
                        } else {
                            "outside this scope"
                        };
                        ex.note("R11-COALESCE", || {
                            format!(
                                "`{}` coalesced into `{other}` ({place}), which carries the merged mass: not evaluated here",
                                t.id
                            )
                        });
                        v.warnings.push(format!(
                            "assessment {}: `{}` coalesced into `{other}` ({place}): `{}` is not evaluated in the {} scope (R11-COALESCE)",
                            a.date, t.id, t.id, self.scope
                        ));
                        v.values.push(TargetValue::Missing);
                    } else {
                        ex.note("R11-COALESCE", || format!("`{}` coalesced into `{other}`, which carries the measurement: 0 mm", t.id));
                        v.values.push(TargetValue::Known {
                            mm: Mm::ZERO,
                            too_small: false,
                        });
                    }
                }
            }
            debug_assert_eq!(v.values.len(), i + 1, "one value per target");
        }
        for (rule, texts) in chosen {
            ex.note(rule, || texts.join("; "));
        }
        for note in missing_notes {
            ex.push(note);
        }
        Ok(v)
    }

    /// Whether a baseline lesion belongs to this scope (as a target or a non-target).
    fn in_this_scope(&self, id: &str) -> bool {
        self.prepared.targets.iter().any(|t| t.id == id)
            || self.prepared.non_targets.iter().any(|l| l.id == id)
    }

    /// A lesion of another scope recorded at `a` as merged into `carrier`, if any.
    fn merged_from_outside<'a>(&self, a: &'a Assessment, carrier: &str) -> Option<&'a str> {
        a.findings.iter().find_map(|(id, f)| match f {
            Finding::Target(TargetFinding::MergedInto(into))
                if into == carrier && !self.in_this_scope(id) =>
            {
                Some(id.as_str())
            }
            _ => None,
        })
    }

    fn target_response(
        &self,
        v: &TargetValues,
        after_cr: bool,
        ex: &mut Notes,
    ) -> (TargetResponse, Option<Mm>) {
        let doc = self.rules.doc();
        let tr = &doc.target_response;
        let targets = &self.prepared.targets;
        let known_sum: Mm = v.known().map(|(_, m)| m).sum();
        let nadir = self.nadir;
        let baseline = self.prepared.baseline_sum;
        let meets_pd = |s: Mm| {
            s > nadir
                && i128::from(s.hundredths()) * 10_000
                    >= i128::from(nadir.hundredths())
                        * i128::from(10_000 + tr.pd_increase_pct.hundredths())
                && tr.pd_min_increase_mm.is_none_or(|min| s - nadir >= min)
        };
        let pd_text = |s: Mm| {
            format!(
                "sum {s} mm vs nadir {nadir} mm: {:+} mm ({}); PD needs ≥ +{} %{}",
                s - nadir,
                pct_text(s - nadir, nadir),
                tr.pd_increase_pct,
                tr.pd_min_increase_mm
                    .map(|m| format!(" and ≥ +{m} mm"))
                    .unwrap_or_default()
            )
        };
        // Disease seen again after an overall CR (AMB-01).
        let reappeared: Vec<&str> = if after_cr {
            // A node too small to measure counts its too-small value like any node: normal
            // below the node threshold (R11-TSTM, R11-REAPPEAR-NODE); a non-nodal target
            // reported too small is disease seen again (section 7.1).
            v.known()
                .filter(|&(i, mm)| {
                    let t = &targets[i];
                    if t.nodal {
                        mm >= t.node_normal_below
                    } else {
                        v.too_small(i) || mm > Mm::ZERO
                    }
                })
                .map(|(i, _)| targets[i].id.as_str())
                .collect()
        } else {
            Vec::new()
        };
        let no_citations = Default::default();
        let cite = tr.rules.as_ref().unwrap_or(&no_citations);
        let rule_cr = cite.cr.as_deref().unwrap_or("R11-TGT-CR");
        let rule_pr = cite.pr.as_deref().unwrap_or("R11-TGT-PR");
        let rule_pd = cite.pd.as_deref().unwrap_or("R11-TGT-PD");
        let rule_sd = cite.sd.as_deref().unwrap_or("R11-TGT-SD");
        // Where the nadir's reading of a scan before treatment start changed it, say so.
        let nadir_reading = |ex: &mut Notes| {
            if let Some(date) = self.nadir_before_start {
                ex.note(rule_pd, || {
                    format!(
                        "nadir {nadir} mm is the sum of {date}, after the baseline but on or before treatment start (target_response.nadir_from: baseline-and-all-assessments)"
                    )
                });
            } else if let Some((date, m)) = self.ignored_before_start.filter(|&(_, m)| m < nadir) {
                ex.note(rule_pd, || {
                    format!(
                        "the sum {m} mm of {date}, on or before treatment start, does not set the nadir (target_response.nadir_from: baseline-and-on-treatment)"
                    )
                });
            }
        };
        let cite_pd_min = |ex: &mut Notes| {
            if let Some(rule) = &cite.pd_min_increase {
                ex.note(rule, || match tr.pd_min_increase_mm {
                    Some(m) => format!("PD also needs an increase of at least {m} mm"),
                    None => "no absolute minimum increase: the percentage alone decides".into(),
                });
            }
        };
        let reappear_rule = |ex: &mut Notes, ids: &[&str]| {
            let node = ids
                .iter()
                .any(|id| targets.iter().any(|t| &t.id == id && t.nodal));
            let rule = if node {
                "R11-REAPPEAR-NODE"
            } else {
                "R11-REAPPEAR"
            };
            ex.note(rule, || {
                format!("disease seen again after an overall CR: {}", ids.join(", "))
            });
        };

        if v.missing().next().is_some() {
            // The ids not evaluated, for explanation texts.
            let missing = || {
                v.missing()
                    .map(|i| targets[i].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if v.known().next().is_none() {
                ex.note("R11-MISS-NOSCAN", || "no target lesion evaluated".into());
                return (TargetResponse::Ne, None);
            }
            nadir_reading(ex);
            if tr.missing_target == MissingTarget::PdIfCertain {
                if !reappeared.is_empty() {
                    ex.note("AMB-01", || {
                        "PD after CR whatever the missing targets measure".into()
                    });
                    reappear_rule(ex, &reappeared);
                    return (TargetResponse::Pd, None);
                }
                if meets_pd(known_sum) {
                    ex.note("R11-MISS-PARTIAL", || {
                        format!("not evaluated: {}", missing())
                    });
                    ex.note("R11-MISS-ENGINE", || {
                        format!(
                            "measured targets alone: {}: PD whatever the missing ones measure",
                            pd_text(known_sum)
                        )
                    });
                    ex.note(rule_pd, || "PD is certain".into());
                    cite_pd_min(ex);
                    return (TargetResponse::Pd, None);
                }
                ex.note("R11-MISS-PARTIAL", || {
                    format!("not evaluated: {}", missing())
                });
                ex.note("R11-MISS-ENGINE", || format!("with the missing targets at 0 mm the sum is {known_sum} mm: {}; PD is not certain and CR/PR never are", pd_text(known_sum)));
                ex.note("R11-TGT-NE", || {
                    "the missing targets could change the category".into()
                });
            } else {
                ex.note("AMB-05", || {
                    format!("not evaluated: {}; rule set says always NE", missing())
                });
                ex.note("R11-TGT-NE", || "a target was not evaluated".into());
            }
            return (TargetResponse::Ne, None);
        }

        let s = known_sum;
        ex.note("R11-SUM", || {
            format!("sum of diameters {s} mm (baseline {baseline} mm, nadir {nadir} mm)")
        });
        nadir_reading(ex);
        if !reappeared.is_empty() {
            ex.note("AMB-01", || {
                "after an overall CR, disease seen again is PD".into()
            });
            reappear_rule(ex, &reappeared);
            return (TargetResponse::Pd, Some(s));
        }
        // R11-TGT-CR: non-nodal targets gone (one too small to measure is still there), nodal
        // targets below the node threshold (one too small to measure is, at its too-small value).
        let all_gone = v.known().all(|(i, mm)| {
            let t = &targets[i];
            if t.nodal {
                mm < t.node_normal_below
            } else {
                !v.too_small(i) && mm.is_zero()
            }
        });
        // A sum grown by the PD amounts while every target meets CR (normal nodes growing):
        // PD or CR as the rule set reads it.
        let growth_within_cr = all_gone && meets_pd(s);
        if growth_within_cr && tr.growth_within_cr == GrowthWithinCr::Cr {
            ex.note("R11-REAPPEAR-NODE", || {
                format!(
                    "{}, but every target meets CR: no node has reappeared (target_response.growth_within_cr: cr)",
                    pd_text(s)
                )
            });
        }
        if meets_pd(s) && !(growth_within_cr && tr.growth_within_cr == GrowthWithinCr::Cr) {
            ex.note(rule_pd, || pd_text(s));
            cite_pd_min(ex);
            if growth_within_cr {
                ex.note("R11-TGT-ORDER", || {
                    "PD tested first, though every target meets CR (nodes below their normal short axis; target_response.growth_within_cr: pd)".into()
                });
            }
            if is_pr(s, baseline, tr.pr_decrease_pct.hundredths()) {
                ex.note("R11-TGT-ORDER", || {
                    format!(
                        "PD tested first: the sum is also {} from baseline",
                        pct_text(s - baseline, baseline)
                    )
                });
            }
            return (TargetResponse::Pd, Some(s));
        }
        if all_gone {
            let site_nodes = || targets.iter().filter(|t| t.node_rule.is_some());
            let detail = || {
                // Targets counted on a diameter other than the whole lesion's (e.g. the viable one).
                let partial: Vec<String> = targets
                    .iter()
                    .filter(|t| !t.nodal && t.measure != Measure::LongAxis)
                    .map(|t| format!("`{}` {} 0 mm", t.id, measure_name(t.measure)))
                    .collect();
                if s.is_zero() && partial.is_empty() {
                    "every target has disappeared".to_string()
                } else if s.is_zero() {
                    format!(
                        "every target at 0 mm on the diameter that counts ({}{})",
                        partial.join(", "),
                        if partial.len() < targets.len() {
                            "; the others gone"
                        } else {
                            ""
                        }
                    )
                } else if site_nodes().next().is_none() && partial.is_empty() {
                    format!(
                        "non-nodal targets gone, nodal targets below {} mm short axis (sum {s} mm)",
                        tr.cr_node_short_axis_below_mm
                    )
                } else {
                    let nodes: Vec<String> = targets
                        .iter()
                        .filter(|t| t.nodal)
                        .map(|t| format!("`{}` below {} mm", t.id, t.node_normal_below))
                        .collect();
                    format!(
                        "non-nodal targets at 0 mm{}, nodal targets below their normal short axis: {} (sum {s} mm)",
                        if partial.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", partial.join(", "))
                        },
                        nodes.join(", ")
                    )
                }
            };
            ex.note(rule_cr, detail);
            for t in site_nodes() {
                if let (Some(rule), Some((_, mm))) =
                    (t.node_rule, v.known().find(|&(i, _)| targets[i].id == t.id))
                {
                    ex.note(rule, || {
                        format!(
                            "`{}` {mm} mm short axis: a node at its site is normal below {} mm",
                            t.id, t.node_normal_below
                        )
                    });
                }
            }
            if !s.is_zero() {
                ex.note("R11-NODE-RECORD", || {
                    "nodes keep their short axis in the sum".into()
                });
            }
            return (TargetResponse::Cr, Some(s));
        }
        if is_pr(s, baseline, tr.pr_decrease_pct.hundredths()) {
            ex.note(rule_pr, || {
                format!(
                    "sum {s} mm vs baseline {baseline} mm: {} (PR needs ≤ −{} %)",
                    pct_text(s - baseline, baseline),
                    tr.pr_decrease_pct
                )
            });
            return (TargetResponse::Pr, Some(s));
        }
        if self.earlier_target_pr {
            let kept = |how: &str| {
                format!(
                    "sum {s} mm is {} from baseline, above the PR threshold without PD: PR kept ({how})",
                    pct_text(s - baseline, baseline)
                )
            };
            match (doc.timepoint.pr_persistence, self.confirmed_earlier) {
                (PrPersistence::Sticky, _) => {
                    ex.note("AMB-02", || kept("sticky"));
                    return (TargetResponse::Pr, Some(s));
                }
                (PrPersistence::StickyAfterConfirmation, _) if !doc.confirmation.required => {
                    ex.note("AMB-02", || {
                        kept("sticky-after-confirmation; confirmation.required is false: no confirmation awaited")
                    });
                    return (TargetResponse::Pr, Some(s));
                }
                (PrPersistence::StickyAfterConfirmation, Some(c)) => {
                    ex.note("AMB-02", || {
                        kept(&format!(
                            "sticky-after-confirmation: the {} of {} is confirmed",
                            c.recorded, c.date
                        ))
                    });
                    ex.note("R11-CONF-INT", || {
                        format!(
                            "{} on {} confirmed as {} by {}, {} days later (≥ {}), before this assessment",
                            c.recorded,
                            c.date,
                            c.response,
                            c.by,
                            c.days,
                            doc.confirmation.min_interval_days
                        )
                    });
                    return (TargetResponse::Pr, Some(s));
                }
                (PrPersistence::Strict | PrPersistence::StickyAfterConfirmation, _) => {}
            }
        }
        ex.note(rule_sd, || {
            format!(
                "sum {s} mm: {} from baseline (PR needs ≤ −{} %), {} from nadir: neither PR nor PD",
                pct_text(s - baseline, baseline),
                tr.pr_decrease_pct,
                pct_text(s - nadir, nadir)
            )
        });
        if self.earlier_target_pr {
            ex.note("AMB-02", || match doc.timepoint.pr_persistence {
                PrPersistence::StickyAfterConfirmation => {
                    "an earlier PR drifted back above the PR threshold, and no earlier PR or CR is confirmed by an earlier assessment: SD (sticky-after-confirmation)".into()
                }
                PrPersistence::Strict | PrPersistence::Sticky => {
                    "an earlier PR drifted back above the PR threshold: SD (strict)".into()
                }
            });
        }
        (TargetResponse::Sd, Some(s))
    }

    fn non_target_response(
        &self,
        a: &Assessment,
        after_cr: bool,
        ex: &mut Notes,
        warnings: &mut Vec<String>,
    ) -> NonTargetResponse {
        let doc = self.rules.doc();
        let nt = &doc.non_target_response;
        let no_citations = Default::default();
        let cite = nt.rules.as_ref().unwrap_or(&no_citations);
        let on = ex.on();
        let mut progressed = Ids::new(on);
        let mut not_evaluated = Ids::new(on);
        let mut remaining = Ids::new(on);
        let mut non_viable = Ids::new(on);
        // Present effusions or ascites not proven malignant by cytology (MR-EFFUSION): seen
        // again after a CR, they are not PD.
        let mut unproven = Ids::new(on);
        // The other present non-targets: seen again after a CR, PD (AMB-01).
        let mut again = Ids::new(on);
        // Present after a CR without saying whether they enhance, read as enhancing.
        let mut unstated = Ids::new(on);
        for l in &self.prepared.non_targets {
            // R11-COALESCE across a field edge, as for a target carrier: a demoted target
            // holding the merged mass of a lesion of another scope cannot be read for this
            // scope alone.
            let foreign = if self.scope == Scope::All {
                None
            } else {
                self.merged_from_outside(a, &l.id)
            };
            let (status, viable, cytology) = match (a.findings.get(&l.id), l.from_target) {
                _ if foreign.is_some() => {
                    let foreign = foreign.unwrap_or_default();
                    ex.note("R11-COALESCE", || {
                        format!(
                            "`{}` carries the merged mass of `{foreign}` (outside this scope): not evaluated here",
                            l.id
                        )
                    });
                    warnings.push(format!(
                        "assessment {}: `{foreign}` coalesced into `{}` across the {} scope's edge: `{}` is not evaluated in this scope (R11-COALESCE)",
                        a.date, l.id, self.scope, l.id
                    ));
                    (NonTargetStatus::NotEvaluated, None, None)
                }
                (None, _) => (NonTargetStatus::NotEvaluated, None, None),
                (Some(Finding::NonTarget(f)), _) => {
                    match (f.status, f.short_axis, &l.node_normal_below) {
                        // A node found present with its short axis measured: normal below its
                        // threshold (R11-NODE-NORMAL, or the site's), so gone for R11-NT-CR.
                        (NonTargetStatus::Present, Some(sa), Some((below, rule)))
                            if sa < *below =>
                        {
                            ex.note(*rule, || format!(
                            "`{}` {sa} mm short axis is below {below} mm: not pathological, counted as gone",
                            l.id
                        ));
                            warnings.push(format!(
                                "assessment {}: nodal non-target `{}` {sa} mm short axis, below {below} mm: a normal node, read as absent ({rule}, R11-NT-CR)",
                                a.date, l.id
                            ));
                            (NonTargetStatus::Absent, None, None)
                        }
                        // Read by its enhancement, which the finding does not give
                        // (non_target_response.viability_unstated).
                        (NonTargetStatus::Present, _, _)
                            if f.viable.is_none() && l.read_by_enhancement.is_some() =>
                        {
                            match (nt.viability_unstated, l.read_by_enhancement) {
                                (Some(ViabilityUnstated::NotEvaluated), Some(rule)) => {
                                    ex.note(rule, || format!(
                                        "`{}` present without saying whether it enhances: not evaluated (non_target_response.viability_unstated: not-evaluated)",
                                        l.id
                                    ));
                                    (NonTargetStatus::NotEvaluated, None, None)
                                }
                                _ => {
                                    if after_cr {
                                        unstated.push(l.id.as_str());
                                    }
                                    (f.status, f.viable, f.cytology)
                                }
                            }
                        }
                        _ => (f.status, f.viable, f.cytology),
                    }
                }
                (Some(Finding::Target(f)), Some(measure)) => {
                    match f {
                        TargetFinding::Absent => (NonTargetStatus::Absent, None, None),
                        TargetFinding::NotEvaluated => (NonTargetStatus::NotEvaluated, None, None),
                        // Too small to measure counts `too_small_mm` (R11-TSTM), as it
                        // would for a target: a demoted node below its pathological
                        // threshold there is normal, as when measured below it.
                        TargetFinding::TooSmall => match &l.node_normal_below {
                            Some((below, rule)) if doc.measurement.too_small_mm < *below => {
                                let counted = doc.measurement.too_small_mm;
                                ex.note(*rule, || format!(
                                    "`{}` too small to measure, counted {counted} mm short axis (R11-TSTM), below {below} mm: not pathological, counted as gone",
                                    l.id
                                ));
                                (NonTargetStatus::Absent, None, None)
                            }
                            _ => (NonTargetStatus::Present, None, None),
                        },
                        // Coalesced (R11-COALESCE): the carrier holds the whole mass, so this
                        // lesion enhances as the carrier's finding says, where it says.
                        TargetFinding::MergedInto(carrier) => {
                            let enhancing = |d: &Diameters| d.viable.map(|v| !v.is_zero());
                            let viable = match a.findings.get(carrier) {
                                Some(Finding::Target(TargetFinding::Measured(d))) => enhancing(d),
                                Some(Finding::Target(TargetFinding::Fragments(parts))) => parts
                                    .iter()
                                    .map(enhancing)
                                    .collect::<Option<Vec<bool>>>()
                                    .map(|v| v.iter().any(|v| *v)),
                                Some(Finding::Target(TargetFinding::Absent)) => Some(false),
                                _ => None,
                            };
                            (NonTargetStatus::Present, viable, None)
                        }
                        TargetFinding::Measured(d) => match (&l.node_normal_below, d.short_axis) {
                            // A demoted node below its pathological threshold is normal.
                            (Some((below, rule)), Some(sa)) if sa < *below => {
                                ex.note(*rule, || format!(
                                    "`{}` {sa} mm short axis is below {below} mm: not pathological, counted as gone",
                                    l.id
                                ));
                                (NonTargetStatus::Absent, None, None)
                            }
                            // Measured on a diameter the finding does not give (no viable
                            // diameter: no enhancement reading): not evaluated, as a target would
                            // be, rather than taken as disease present.
                            _ if d.viable.is_none()
                                && pick(d, measure).is_none()
                                && l.missing_rule.is_some() =>
                            {
                                if let Some(rule) = l.missing_rule {
                                    ex.note(rule, || format!(
                                    "`{}` (followed as a non-target) has no {}: not evaluated",
                                    l.id,
                                    measure_name(measure)
                                ));
                                }
                                (NonTargetStatus::NotEvaluated, None, None)
                            }
                            _ => (
                                NonTargetStatus::Present,
                                // Enhancement as reported; else a counted diameter of 0 mm.
                                d.viable
                                    .map(|v| !v.is_zero())
                                    .or(pick(d, measure).map(|v| !v.is_zero())),
                                None,
                            ),
                        },
                        // Fragments as the lesion unsplit: viable when one of them enhances
                        // (or measures above 0 mm on the counted diameter), not evaluated when
                        // one lacks the diameter its selector needs (MR-IMG).
                        TargetFinding::Fragments(parts) => {
                            let enhancing =
                                |d: &Diameters| d.viable.or(pick(d, measure)).map(|v| !v.is_zero());
                            let read: Option<Vec<bool>> = parts.iter().map(enhancing).collect();
                            match read {
                                Some(read) => (
                                    NonTargetStatus::Present,
                                    Some(read.iter().any(|v| *v)),
                                    None,
                                ),
                                None if l.missing_rule.is_some() => {
                                    if let Some(rule) = l.missing_rule {
                                        ex.note(rule, || format!(
                                            "`{}` (followed as a non-target): a fragment has no {}: not evaluated",
                                            l.id,
                                            measure_name(measure)
                                        ));
                                    }
                                    (NonTargetStatus::NotEvaluated, None, None)
                                }
                                None => (NonTargetStatus::Present, None, None),
                            }
                        }
                    }
                }
                (Some(Finding::Target(_)), None) => (NonTargetStatus::NotEvaluated, None, None),
            };
            // Positive cytology here or at an earlier assessment proves it malignant.
            let proven_on = self.cytology_positive.get(&l.id);
            let needs_cytology = l
                .kind
                .is_some_and(|k| nt.progression_needs_positive_cytology.contains(&k))
                && cytology != Some(recist_model::Cytology::Positive)
                && proven_on.is_none();
            let status = if status == NonTargetStatus::Progression && needs_cytology {
                ex.note(cite.cytology.as_deref().unwrap_or("R11-NT-PD"), || format!(
                        "`{}`: progression of {} counts only with positive cytology ({}): taken as present",
                        l.id,
                        l.kind.map(recist_model::LesionKind::as_str).unwrap_or("this kind"),
                        match cytology {
                            Some(recist_model::Cytology::Negative) => "cytology negative",
                            _ => "no cytology given",
                        }
                    ));
                NonTargetStatus::Present
            } else {
                if status == NonTargetStatus::Progression
                    && cytology != Some(recist_model::Cytology::Positive)
                    && let Some(since) = proven_on
                    && l.kind
                        .is_some_and(|k| nt.progression_needs_positive_cytology.contains(&k))
                {
                    ex.note(cite.cytology.as_deref().unwrap_or("R11-NT-PD"), || {
                        format!(
                            "`{}`: proven malignant by positive cytology on {since}: its progression counts",
                            l.id
                        )
                    });
                }
                status
            };
            match status {
                NonTargetStatus::Progression => progressed.push(l.id.as_str()),
                NonTargetStatus::NotEvaluated => not_evaluated.push(l.id.as_str()),
                NonTargetStatus::Absent => {}
                NonTargetStatus::Present => {
                    if nt.complete_when == NonTargetComplete::AbsentOrNonViable
                        && viable == Some(false)
                        && !l.nodal
                    {
                        non_viable.push(l.id.as_str());
                        continue;
                    }
                    if needs_cytology {
                        unproven.push(l.id.as_str());
                    } else {
                        again.push(l.id.as_str());
                    }
                    remaining.push(l.id.as_str());
                }
            }
        }
        if !progressed.is_empty() {
            ex.note(cite.pd.as_deref().unwrap_or("R11-NT-PD"), || {
                format!("unequivocal progression: {}", progressed.join(", "))
            });
            return NonTargetResponse::Pd;
        }
        if after_cr && !unproven.is_empty() {
            ex.note(cite.cytology.as_deref().unwrap_or("R11-NT-PD"), || {
                format!(
                    "after an overall CR, seen again without positive cytology: not PD ({})",
                    unproven.join(", ")
                )
            });
        }
        if after_cr && !again.is_empty() {
            ex.note("AMB-01", || {
                "after an overall CR, a non-target present again is PD".into()
            });
            if !unstated.is_empty() {
                ex.note(cite.non_cr_non_pd.as_deref().unwrap_or("R11-NT-NONCRNONPD"), || {
                    format!(
                        "present without saying whether they enhance, read as enhancing (non_target_response.viability_unstated: enhancing): {}",
                        unstated.join(", ")
                    )
                });
            }
            ex.note("R11-REAPPEAR", || {
                format!("present again: {}", again.join(", "))
            });
            return NonTargetResponse::Pd;
        }
        if !not_evaluated.is_empty() {
            ex.note("R11-NT-NE", || {
                format!("not evaluated: {}", not_evaluated.join(", "))
            });
            return NonTargetResponse::Ne;
        }
        if remaining.is_empty() {
            let detail = if non_viable.is_empty() {
                "every non-target lesion gone".to_string()
            } else {
                format!(
                    "every non-target lesion gone or no longer enhancing (present without viable tumour: {})",
                    non_viable.join(", ")
                )
            };
            ex.note(cite.cr.as_deref().unwrap_or("R11-NT-CR"), || detail);
            return NonTargetResponse::Cr;
        }
        ex.note(
            cite.non_cr_non_pd.as_deref().unwrap_or("R11-NT-NONCRNONPD"),
            || format!("persisting: {}", remaining.join(", ")),
        );
        NonTargetResponse::NonCrNonPd
    }

    /// The new-lesion indicator and, for a confirmed equivocal lesion, the date to move progression back to.
    fn new_lesions(&mut self, a: &Assessment, ex: &mut Notes) -> (NewLesions, Option<NaiveDate>) {
        let doc = self.rules.doc();
        let rules = &doc.new_lesions;
        let marginal_in = doc.radiotherapy.marginal_lesions == MarginalLesions::InField;
        let mut indicator = NewLesions::No;
        let mut backdate: Option<NaiveDate> = None;
        for nl in a
            .new_lesions
            .iter()
            .filter(|nl| !new_lesion_in_scope(nl, self.scope, marginal_in, &self.no_field))
        {
            let (rule, place) = match &nl.field {
                FieldPlacement::Marginal(rt) | FieldPlacement::Inside(rt)
                    if self.no_field.contains(rt) =>
                {
                    (
                        "RT-OUT",
                        detail!(
                            ex.on(),
                            "placed in the field of {rt}, which starts after follow-up began and makes no field (radiotherapy.late_courses: no-field), counted out-of-field"
                        ),
                    )
                }
                FieldPlacement::Marginal(rt) => (
                    "AMB-RT1",
                    detail!(
                        ex.on(),
                        "at the margin of {rt}, counted {}",
                        if marginal_in {
                            "in-field"
                        } else {
                            "out-of-field"
                        }
                    ),
                ),
                FieldPlacement::Inside(rt) => {
                    ("AMB-RT2", detail!(ex.on(), "inside the field of {rt}"))
                }
                FieldPlacement::None => ("AMB-RT2", "outside every field".to_string()),
                FieldPlacement::Unknown => (
                    "AMB-RT1",
                    "with its field unknown, in neither field scope".to_string(),
                ),
            };
            ex.note(rule, || {
                format!(
                    "new `{}` {place}: not part of the {} scope",
                    nl.id, self.scope
                )
            });
        }
        for nl in a
            .new_lesions
            .iter()
            .filter(|nl| new_lesion_in_scope(nl, self.scope, marginal_in, &self.no_field))
        {
            let seen = self.sightings.get(&nl.id).cloned();
            if seen.is_none()
                && let Some(names) = crate::prepare::typical_outside_sites(
                    self.rules,
                    nl.nodal,
                    nl.hcc_typical,
                    &nl.site,
                )
            {
                self.warnings.push(crate::prepare::typical_outside_warning(
                    &nl.id, &nl.site, &names,
                ));
            }
            let first = seen.clone().unwrap_or(Sighting {
                first_date: a.date,
                measured_from: nl.diameters.long_axis.map(|l| (a.date, l)),
                qualified_since: None,
                equivocal_since: None,
                counted: false,
            });
            let Classified {
                status,
                rule,
                text,
                dated_back,
                from_qualified,
                qualifies,
                dating_rule,
                also,
            } = self.classify(nl, &first, rules);
            // A lesion once counted stays counted: listed again, it is still a new lesion,
            // whatever doubt this listing records (`equivocal`, a node without a short axis
            // under `node_without_short_axis: equivocal`, a typical nodule now under 10 mm),
            // as iRECIST reads it still there. Only a node under the new-node minimum is
            // normal at a listing (`NO`, above).
            let counted_before = seen.as_ref().is_some_and(|s| s.counted);
            let (status, rule, text) = if status == NewLesions::Equivocal && counted_before {
                (
                    NewLesions::Yes,
                    rules.rule.clone().unwrap_or_else(|| "R11-NEW-PD".into()),
                    detail!(
                        self.explanations,
                        "new `{}` was counted as a new lesion before: still one, though this listing alone would not count it",
                        nl.id
                    ),
                )
            } else {
                (status, rule, text)
            };
            let equivocal_since = seen
                .as_ref()
                .filter(|s| !s.counted)
                .and_then(|s| s.equivocal_since);
            // A typical lesion dates back to the sighting where only the reader's doubt held
            // it back, not to an earlier one too small to count.
            let dated_from = if from_qualified {
                seen.as_ref()
                    .filter(|s| !s.counted)
                    .and_then(|s| s.qualified_since)
            } else {
                equivocal_since
            };
            let confirmed_later = status == NewLesions::Yes && equivocal_since.is_some();
            ex.note(rule, || text);
            if let Some(also) = also {
                ex.push(also);
            }
            if nl.nodal && status == NewLesions::Yes {
                let (min, _) = node_threshold(self.rules, &nl.site, rules.node_min_short_axis_mm);
                let size = nl
                    .diameters
                    .short_axis
                    .map(|sa| format!("{sa} mm short axis"))
                    .unwrap_or_else(|| "no short axis given".into());
                ex.note("R11-NEW-NODE", || {
                    format!(
                        "new node `{}`: {size}; a new node counts from {min} mm",
                        nl.id
                    )
                });
            }
            let mut entry = first.clone();
            if entry.measured_from.is_none() {
                entry.measured_from = nl.diameters.long_axis.map(|l| (a.date, l));
            }
            // Progression is dated back to a sighting on follow-up only, never to a scan on or
            // before treatment start (R11-BOR-DEF, R11-NEW-EQUIV).
            if status == NewLesions::Equivocal
                && entry.equivocal_since.is_none()
                && a.date > self.day0
            {
                entry.equivocal_since = Some(a.date);
            }
            if qualifies && entry.qualified_since.is_none() && a.date > self.day0 {
                entry.qualified_since = Some(a.date);
            }
            // A new effusion sampled negative was not proven malignant then: a later positive
            // sampling dates progression back no further than the sighting after it
            // (MR-EFFUSION, R11-NEW-EQUIV).
            if status == NewLesions::Equivocal && nl.cytology == Some(Cytology::Negative) {
                entry.equivocal_since = None;
            }
            if status == NewLesions::Yes {
                if let (true, true, Some(since)) = (confirmed_later, dated_back, dated_from) {
                    ex.note(dating_rule.unwrap_or_else(|| "R11-NEW-EQUIV".into()), || {
                        if from_qualified {
                            format!(
                                "`{}` typical and large enough to count from {since}, held back only by the reader's doubt: progression dated back to then",
                                nl.id
                            )
                        } else {
                            format!(
                                "`{}` first reported equivocal {since}: progression dated back to then",
                                nl.id
                            )
                        }
                    });
                    backdate = Some(backdate.map_or(since, |d: NaiveDate| d.min(since)));
                }
                entry.counted = true;
            }
            self.sightings.insert(nl.id.clone(), entry);
            indicator = indicator.max(status);
        }
        (indicator, backdate)
    }

    /// Whether a new lesion listed at this assessment is a counted one that is there: counted
    /// at this or an earlier listing, and not a node listed here with a short axis below the
    /// new-node minimum, which is normal at this listing (R11-NEW-NODE, R11-NODE-NORMAL): it
    /// holds no iUPD, keeps no iCR off and is no disease seen again after one. Its short axis
    /// still counts in the new-lesion target sum, as a target node's does (R11-NODE-RECORD).
    fn counted_here(&self, nl: &NewLesion) -> bool {
        let normal = nl.nodal
            && nl.diameters.short_axis.is_some_and(|sa| {
                let min = self.rules.doc().new_lesions.node_min_short_axis_mm;
                sa < node_threshold(self.rules, &nl.site, min).0
            });
        !normal && self.sightings.get(&nl.id).is_some_and(|s| s.counted)
    }

    /// Classifies one new lesion at this assessment.
    fn classify(
        &self,
        nl: &NewLesion,
        first: &Sighting,
        rules: &recist_rules::NewLesionRules,
    ) -> Classified {
        let id = &nl.id;
        let on = self.explanations;
        let equivocal_back = rules.equivocal_confirmed == EquivocalConfirmed::BackdateProgression
            || rules.equivocal_confirmed == EquivocalConfirmed::RewriteEarlier;
        let done = |status, rule: &str, text: String, dated_back| Classified {
            status,
            rule: rule.to_string(),
            text,
            dated_back,
            from_qualified: false,
            qualifies: false,
            dating_rule: None,
            also: None,
        };
        if nl.nodal {
            let (min, site) = node_threshold(self.rules, &nl.site, rules.node_min_short_axis_mm);
            match nl.diameters.short_axis {
                Some(sa) if sa < min => {
                    return done(
                        NewLesions::No,
                        site.map_or("R11-NEW-NODE", |t| t.rule.as_str()),
                        detail!(
                            on,
                            "new node `{id}` {sa} mm short axis is below {min} mm: not a lesion"
                        ),
                        false,
                    );
                }
                None if !nl.equivocal => match rules.node_without_short_axis {
                    // The reader calls it a new node without a size: taken as stated.
                    NodeWithoutShortAxis::New => {}
                    NodeWithoutShortAxis::Equivocal => {
                        return done(
                            NewLesions::Equivocal,
                            "AMB-13",
                            detail!(
                                on,
                                "new node `{id}` has no short axis: equivocal until one of at least {min} mm is given (new_lesions.node_without_short_axis: equivocal)"
                            ),
                            false,
                        );
                    }
                },
                _ => {}
            }
        }
        let nt = &self.rules.doc().non_target_response;
        if let Some(kind) = nl
            .kind
            .filter(|k| nt.progression_needs_positive_cytology.contains(k))
        {
            // Only positive cytology proves it malignant: without it (none, or negative) the
            // new effusion stays equivocal, counted once a later sampling is positive.
            let rule = nt
                .rules
                .as_ref()
                .and_then(|r| r.cytology.clone())
                .unwrap_or_else(|| "R11-NEW-EQUIV".into());
            let kind = kind.as_str();
            return match nl.cytology {
                Some(Cytology::Positive) => done(
                    NewLesions::Yes,
                    &rule,
                    detail!(on, "new {kind} `{id}` with positive cytology: a new lesion"),
                    // Seen before without proof, it was there then (R11-NEW-EQUIV dating).
                    equivocal_back,
                ),
                Some(Cytology::Negative) => done(
                    NewLesions::Equivocal,
                    &rule,
                    detail!(
                        on,
                        "new {kind} `{id}` with negative cytology counts only with positive cytology: equivocal"
                    ),
                    false,
                ),
                None => done(
                    NewLesions::Equivocal,
                    &rule,
                    detail!(
                        on,
                        "new {kind} `{id}` counts only with positive cytology (none given): equivocal"
                    ),
                    false,
                ),
            };
        }
        let facts = LesionFacts {
            nodal: nl.nodal,
            hcc_typical: nl.hcc_typical,
            site: &nl.site,
            kind: nl.kind,
        };
        if let Some(p) = rules
            .patterned
            .iter()
            .find(|p| condition_holds(self.rules, &p.when, &facts))
        {
            let la = nl.diameters.long_axis;
            let typical_size = |l: Option<Mm>| l.is_some_and(|l| l >= p.typical_min_mm);
            // The longest diameter; without it the viable one, which it is at least.
            let size = la.or(nl.diameters.viable);
            if nl.hcc_typical && typical_size(size) && !nl.equivocal {
                // Typical and large enough at an earlier sighting, held back only by the
                // reader's doubt: a confirmation dates back to that sighting, as for any
                // equivocal lesion (R11-NEW-EQUIV), but not to one before it, too small or not
                // yet typical, where it did not count (MR-NEW-TYPICAL). Its size then as now:
                // the long axis, else the viable diameter.
                return Classified {
                    from_qualified: true,
                    ..done(
                        NewLesions::Yes,
                        &p.rules[0],
                        detail!(
                            on,
                            "new `{id}` with the typical pattern, {}{} mm ≥ {} mm",
                            if la.is_some() {
                                ""
                            } else {
                                "viable diameter (the long axis is at least as long) "
                            },
                            size.unwrap_or_default(),
                            p.typical_min_mm
                        ),
                        equivocal_back,
                    )
                };
            }
            // Growth since the first sighting with a long axis (none before it: nothing to
            // grow from).
            let grown = match (la, first.measured_from) {
                (Some(now), Some((_, then))) if now >= then => now - then,
                _ => Mm::ZERO,
            };
            let since = match first.measured_from {
                Some((on, _)) if on == first.first_date => format!("since first seen {on}"),
                Some((on, _)) => format!("since first measured {on}"),
                None => "since now".to_string(),
            };
            let growth = match first.measured_from {
                Some(_) => format!("grown {grown} mm {since}"),
                None if la.is_some() => "first measured now, growth counted from here".to_string(),
                None => "no long axis given yet, growth counted from the first one".to_string(),
            };
            if grown >= p.atypical_growth_mm && !nl.equivocal {
                let back = p.atypical_dating == AtypicalDating::FirstSighting;
                return Classified {
                    status: NewLesions::Yes,
                    rule: p.rules[1].clone(),
                    text: detail!(
                        on,
                        "new `{id}` grew {grown} mm {since} (≥ {} mm)",
                        p.atypical_growth_mm
                    ),
                    dated_back: back,
                    from_qualified: false,
                    qualifies: false,
                    dating_rule: p.dating_rule.clone(),
                    also: p.dating_rule.clone().filter(|_| !back).map(|rule| {
                        (
                            rule,
                            detail!(
                                on,
                                "`{id}` counts from this assessment, not from its first sighting"
                            ),
                        )
                    }),
                };
            }
            let why = if nl.equivocal {
                "the reader marks it equivocal".to_string()
            } else if nl.hcc_typical && size.is_none() {
                detail!(
                    on,
                    "typical pattern, no size given: counts from {} mm",
                    p.typical_min_mm
                )
            } else if nl.hcc_typical {
                detail!(on, "typical pattern but below {} mm", p.typical_min_mm)
            } else {
                detail!(
                    on,
                    "atypical pattern; {growth}, needs {} mm",
                    p.atypical_growth_mm
                )
            };
            return Classified {
                qualifies: nl.hcc_typical && typical_size(size) && nl.equivocal,
                ..done(
                    NewLesions::Equivocal,
                    &p.rules[if nl.hcc_typical { 0 } else { 1 }],
                    detail!(on, "new `{id}` does not count yet ({why})"),
                    false,
                )
            };
        }
        if nl.equivocal {
            return done(
                NewLesions::Equivocal,
                "R11-NEW-EQUIV",
                detail!(on, "new `{id}` is equivocal: no PD until confirmed"),
                false,
            );
        }
        done(
            NewLesions::Yes,
            rules.rule.as_deref().unwrap_or("R11-NEW-PD"),
            detail!(on, "unequivocal new lesion `{id}` ({})", nl.site),
            equivocal_back,
        )
    }

    /// AMB-07 `rewrite-earlier`: timepoints from the first sighting on become PD.
    fn rewrite_from(&mut self, first: NaiveDate) {
        // A confirmation found among the rewritten timepoints may no longer hold.
        self.confirmed_earlier = None;
        for tp in self
            .timepoints
            .iter_mut()
            .filter(|t| t.date >= first && !t.baseline)
        {
            if let Some(f) = tp.follow_up.as_mut() {
                f.new_lesions = NewLesions::Yes;
                f.overall = OverallResponse::Pd;
                f.reasons.push("AMB-07".into());
                if self.explanations {
                    f.explanations.push(Explanation {
                        rule: "AMB-07".into(),
                        detail: "rewritten to PD: an equivocal new lesion first seen here was later confirmed".into(),
                    });
                }
            }
        }
        if let Some(p) = self.progression.as_mut()
            && let Some(tp) = self
                .timepoints
                .iter()
                .find(|t| t.date >= first && !t.baseline)
        {
            p.first_pd_assessment = tp.date;
        }
    }
}

/// Whether a new lesion belongs to a scope: placed in a field (or at its margin, AMB-RT1)
/// for the in-field scope, unless the course makes no field (`no_field`,
/// `radiotherapy.late_courses: no-field`).
fn new_lesion_in_scope(
    nl: &NewLesion,
    scope: Scope,
    marginal_in: bool,
    no_field: &[String],
) -> bool {
    let inside = match &nl.field {
        FieldPlacement::None => false,
        FieldPlacement::Inside(rt) => !no_field.contains(rt),
        FieldPlacement::Marginal(rt) => marginal_in && !no_field.contains(rt),
        // Section 6: the engine does not guess; the lesion counts in the `all` scope only.
        FieldPlacement::Unknown => {
            return scope == Scope::All;
        }
    };
    match scope {
        Scope::All => true,
        Scope::InField => inside,
        Scope::OutOfField => !inside,
    }
}

/// Lesion ids of one kind at one assessment: always counted, listed only when explanation
/// texts are made (the list is for them alone).
struct Ids<'a> {
    listed: bool,
    count: usize,
    ids: Vec<&'a str>,
}

impl<'a> Ids<'a> {
    fn new(listed: bool) -> Self {
        Ids {
            listed,
            count: 0,
            ids: Vec::new(),
        }
    }

    fn push(&mut self, id: &'a str) {
        self.count += 1;
        if self.listed {
            self.ids.push(id);
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The listed ids joined by `sep` (empty when they were not listed).
    fn join(&self, sep: &str) -> String {
        self.ids.join(sep)
    }
}

/// PR test without rounding: `10000·S ≤ B·(10000 − decrease)` with the decrease in hundredths of a percent.
fn is_pr(s: Mm, baseline: Mm, decrease_hundredths: i64) -> bool {
    i128::from(s.hundredths()) * 10_000
        <= i128::from(baseline.hundredths()) * i128::from(10_000 - decrease_hundredths)
}

/// A change in percent of a reference, rounded half away from zero to two decimals (display
/// only); `None` when the reference is 0.
pub(crate) fn pct(change: Mm, reference: Mm) -> Option<f64> {
    pct_hundredths(change, reference).map(|q| q as f64 / 100.0)
}

/// [`pct`] in whole hundredths of a percent.
fn pct_hundredths(change: Mm, reference: Mm) -> Option<i128> {
    if reference.is_zero() {
        return None;
    }
    // In 64 bits when the numerator fits (the same integers as below, without a 128-bit
    // division).
    let den = reference.hundredths();
    if let Some(num) = change.hundredths().checked_mul(10_000)
        && let (Some(q), Some(r)) = (num.checked_div(den), num.checked_rem(den))
    {
        // `2 |r| ≥ |den|`, without doubling.
        let half_up = r.unsigned_abs() >= den.unsigned_abs() - r.unsigned_abs();
        return Some(i128::from(if half_up {
            q + num.signum() * den.signum()
        } else {
            q
        }));
    }
    pct_hundredths_wide(change, reference)
}

/// [`pct_hundredths`] in 128 bits, for any lengths.
fn pct_hundredths_wide(change: Mm, reference: Mm) -> Option<i128> {
    if reference.is_zero() {
        return None;
    }
    // In hundredths of a percent: change / reference × 10 000, rounded.
    let num = i128::from(change.hundredths()) * 10_000;
    let den = i128::from(reference.hundredths());
    let (q, r) = (num / den, num % den);
    Some(if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    })
}

/// A change in percent as explanations write it: `{:+.2} %` of [`pct`] (`+12.50 %`,
/// `-3.00 %`), or `from a nadir of 0`. Written from the whole hundredths, without formatting
/// a float or an intermediate `String` (the text is the same: a hundredth below 2^53 is
/// exactly what two decimals of its `f64` show).
fn pct_text(change: Mm, reference: Mm) -> PctText {
    PctText(pct_hundredths(change, reference))
}

struct PctText(Option<i128>);

impl std::fmt::Display for PctText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(q) if q.unsigned_abs() < 1 << 53 => {
                let sign = if q < 0 { '-' } else { '+' };
                let a = q.unsigned_abs();
                write!(f, "{sign}{}.{:02} %", a / 100, a % 100)
            }
            Some(q) => write!(f, "{:+.2} %", q as f64 / 100.0),
            None => f.write_str("from a nadir of 0"),
        }
    }
}

impl<'r> Tracker<'r> {
    /// A tracker at the baseline of a prepared scope, before any timepoint is recorded.
    fn fresh(
        rules: &'r RuleSet,
        subject: &Subject,
        scope: Scope,
        prepared: Prepared<'r>,
        spare: &mut Spare,
    ) -> Result<Tracker<'r>, AdjudicationError> {
        let baseline = subject
            .baseline()
            .ok_or_else(|| AdjudicationError::NoAssessment {
                subject: subject.subject.clone(),
            })?;
        let reference = reference_date(rules, subject).unwrap_or(baseline.date);
        check_follow_up(subject)?;
        // A prepared scope holds every lesion in it (`prepare::in_scope`); `watch` prepares none.
        let watching = prepared.targets.is_empty() && prepared.non_targets.is_empty();
        let mut others = Vec::new();
        for l in &subject.lesions {
            if watching || !crate::prepare::in_scope(rules, subject, l, scope) {
                others.push((spare.string(&l.id), l.role, l.nodal));
            }
        }
        Ok(Tracker {
            rules,
            subject: spare.string(&subject.subject),
            evaluator: subject.evaluator.as_deref().map(|e| spare.string(e)),
            scope,
            radiotherapy_ids: subject.radiotherapy.iter().map(|r| r.id.clone()).collect(),
            no_field: subject
                .radiotherapy
                .iter()
                .filter(|c| !crate::fields::makes_field(rules, subject, c))
                .map(|c| c.id.clone())
                .collect(),
            others,
            first_fields: BTreeMap::new(),
            follow_up: subject.follow_up.clone(),
            day0: subject.reference_date().unwrap_or(baseline.date),
            reference,
            nadir: prepared.baseline_sum,
            nadir_before_start: None,
            ignored_before_start: None,
            last_date: baseline.date,
            warnings: prepared.warnings.clone(),
            prepared,
            earlier_overall_cr: false,
            earlier_target_pr: false,
            confirmed_earlier: None,
            sightings: BTreeMap::new(),
            cytology_positive: BTreeMap::new(),
            timepoints: Vec::new(),
            progression: None,
            explanations: true,
            target_values: Vec::new(),
            spare: Spare::default(),
            irecist: Default::default(),
        })
    }

    /// Watches a scope that holds no baseline lesion for new lesions only, and returns its
    /// progression as a tracker of a scope with lesions would: the first unequivocal new lesion
    /// in the scope (dated back for a confirmed equivocal one); under iRECIST, the first
    /// progression a later assessment confirms (iCPD), dated to its iUPD. As in
    /// [`assess`](Self::assess), an equivocal new lesion confirmed after that progression
    /// still moves it back to its first sighting (R11-NEW-EQUIV, IR-CPD-DATE; under AMB-07
    /// `rewrite-earlier` the first PD assessment too), so the scope's date is the one the
    /// `all` scope gives the same lesions. Used for relapse-free survival and the progression
    /// site when all disease is irradiated (or none is). `not_evaluated`: the assessments where
    /// the subject's baseline disease was not evaluated (the `all` scope's target or
    /// non-target response NE); under iRECIST these neither confirm nor reset an iUPD.
    pub fn watch(
        rules: &'r RuleSet,
        subject: &Subject,
        scope: Scope,
        not_evaluated: &[NaiveDate],
    ) -> Result<Option<Progression>, AdjudicationError> {
        let empty = Prepared {
            targets: Vec::new(),
            non_targets: Vec::new(),
            baseline_sum: Mm::ZERO,
            warnings: Vec::new(),
            explanations: Vec::new(),
        };
        crate::check::subject(subject)?;
        let mut tracker = Tracker::fresh(rules, subject, scope, empty, &mut Spare::default())?;
        // Only the progression is kept: no explanation is made.
        tracker.explanations = false;
        let day0 = tracker.day0;
        let rewrite =
            rules.doc().new_lesions.equivocal_confirmed == EquivocalConfirmed::RewriteEarlier;
        let mut progression: Option<Progression> = None;
        // AMB-01: once the scope was clear (its baseline disease, nothing, seen on an evaluated
        // scan with no counted new lesion listed), a new lesion gone then and seen again is
        // disease after a CR, as in the `all` scope.
        let disease_after_cr =
            rules.doc().timepoint.disease_after_cr == DiseaseAfterCr::Progression;
        let mut earlier_cr = false;
        for a in subject.assessments.iter().skip(1) {
            tracker.check(a)?;
            tracker.last_date = a.date;
            tracker.record_fields(a);
            // Follow-up starts with treatment (R11-BOR-DEF), as in `assess`.
            let follow_up = a.date > day0;
            let mut ex = Notes::new(false);
            let (indicator, backdate) = tracker.new_lesions(a, &mut ex);
            // iRECIST: the scope's first new lesion is an iUPD; its relapse is the progression
            // a later assessment confirms (IR-CPD-NEW, IR-CPD-DATE), as in a scope with lesions.
            if let Some(ir) = rules.doc().irecist.as_ref() {
                let marginal_in =
                    rules.doc().radiotherapy.marginal_lesions == MarginalLesions::InField;
                let evaluated = !not_evaluated.contains(&a.date);
                let observed = crate::irecist::Observed {
                    assessment: a,
                    follow_up,
                    has_targets: false,
                    target: None,
                    sum: None,
                    sum_at_least: None,
                    non_target: None,
                    non_target_increased: Vec::new(),
                    non_target_status: Vec::new(),
                    new_counted: a
                        .new_lesions
                        .iter()
                        .filter(|nl| new_lesion_in_scope(nl, scope, marginal_in, &tracker.no_field))
                        .filter(|nl| tracker.counted_here(nl))
                        .collect(),
                    backdate,
                    // No baseline disease in the scope: nothing but new lesions can be seen,
                    // where the scan evaluated the subject's baseline disease; where it did
                    // not, the scan is not evaluable for the scope either, so it neither
                    // confirms nor resets an iUPD (IR-REMAIN).
                    base: if evaluated {
                        OverallResponse::Cr
                    } else {
                        OverallResponse::Ne
                    },
                    after_cr: earlier_cr && disease_after_cr,
                    after_new_therapy: tracker
                        .follow_up
                        .as_ref()
                        .and_then(|f| f.new_therapy)
                        .is_some_and(|d| a.date > d),
                };
                let step = tracker.irecist.step(rules, ir, &observed, &mut ex);
                if evaluated && indicator != NewLesions::Yes {
                    earlier_cr = true;
                }
                if let Some(dated) = step.confirmed
                    && progression.is_none()
                    && follow_up
                {
                    progression = Some(Progression {
                        date: dated,
                        day: (dated - day0).num_days(),
                        first_pd_assessment: a.date,
                        site: None,
                    });
                }
            } else if indicator == NewLesions::Yes && progression.is_none() && follow_up {
                let date = backdate.map_or(a.date, |d| d.min(a.date));
                progression = Some(Progression {
                    date,
                    day: (date - day0).num_days(),
                    // AMB-07 `rewrite-earlier`: the first sighting becomes the first PD.
                    first_pd_assessment: if rewrite { date } else { a.date },
                    site: None,
                });
                continue;
            }
            // R11-NEW-EQUIV (IR-CPD-DATE): an equivocal new lesion confirmed after the
            // progression still dates it back to the scan that first showed it.
            if let (Some(first), Some(p)) = (backdate, progression.as_mut())
                && follow_up
                && first < p.date
            {
                p.date = first;
                p.day = (first - day0).num_days();
                if rewrite {
                    p.first_pd_assessment = first;
                }
            }
        }
        Ok(progression)
    }
}

/// Survival follow-up that contradicts the scans cannot be adjudicated: a death before an
/// assessment (the baseline included), a last date known alive after the death, or a new
/// anticancer therapy before treatment start (before the baseline scan without one) or after
/// the death.
fn check_follow_up(subject: &Subject) -> Result<(), AdjudicationError> {
    let Some(f) = &subject.follow_up else {
        return Ok(());
    };
    let refuse = |message: String| AdjudicationError::FollowUp {
        subject: subject.subject.clone(),
        message,
    };
    if let Some(death) = f.death {
        if let Some(a) = subject.assessments.iter().rev().find(|a| a.date > death) {
            return Err(refuse(format!(
                "death on {death} is before the assessment of {}: a date is wrong",
                a.date
            )));
        }
        if let Some(alive) = f.last_known_alive.filter(|&alive| alive > death) {
            return Err(refuse(format!(
                "last known alive on {alive}, after the death on {death}: a date is wrong"
            )));
        }
        if let Some(new) = f.new_therapy.filter(|&new| new > death) {
            return Err(refuse(format!(
                "new anticancer therapy on {new}, after the death on {death}: a date is wrong"
            )));
        }
        // Every assessment is on or before the death (above); treatment cannot start after it
        // (PFS and OS would count negative days).
        if let Some(start) = subject.treatment_start.filter(|&s| s > death) {
            return Err(refuse(format!(
                "death on {death} is before treatment start on {start}: a date is wrong"
            )));
        }
    }
    if let (Some(new), Some(day0)) = (f.new_therapy, subject.reference_date())
        && new < day0
    {
        return Err(refuse(format!(
            "new anticancer therapy on {new} is before day 0 ({day0}, treatment start or the baseline scan): a date is wrong"
        )));
    }
    Ok(())
}

/// The reference date of the SD minimum under a rule set (`best_response.reference`, AMB-12):
/// treatment start (the baseline date when absent), or the baseline date. `None` without any
/// assessment. Days (`day`, endpoints) always count from [`Subject::reference_date`].
pub fn reference_date(rules: &RuleSet, subject: &Subject) -> Option<NaiveDate> {
    let baseline = subject.baseline()?.date;
    Some(match rules.doc().best_response.reference {
        ReferenceDate::TreatmentStart => subject.treatment_start.unwrap_or(baseline),
        ReferenceDate::Baseline => baseline,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 64-bit path answers as the 128-bit one, near every edge.
    #[test]
    fn pct_hundredths_is_the_wide_computation() {
        let mut hs: Vec<i64> = (-2_000..2_000).collect();
        for p in 0..19 {
            let ten = 10i64.pow(p);
            hs.extend([
                ten - 1,
                ten,
                ten + 1,
                -ten,
                -(ten - 1),
                -(ten + 1),
                ten / 2,
                -ten / 2,
            ]);
        }
        hs.extend([
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
            i64::MAX / 10_000,
            i64::MIN / 10_000,
        ]);
        hs.extend([
            i64::MAX / 10_000 + 1,
            i64::MIN / 10_000 - 1,
            922_337_203_685_477,
        ]);
        for &c in &hs {
            for &r in &hs {
                let (change, reference) = (Mm::from_hundredths(c), Mm::from_hundredths(r));
                assert_eq!(
                    pct_hundredths(change, reference),
                    pct_hundredths_wide(change, reference),
                    "{c}/{r}"
                );
            }
        }
    }

    #[test]
    fn pct_text_is_the_float_format_of_pct() {
        let mut refs: Vec<i64> = (1..400).collect();
        refs.extend([997, 1234, 4567, 10_000, 123_457, 999_999]);
        for &r in &refs {
            for c in (-1500..1500).chain([-99_999, 77_777, 1_000_000]) {
                let (change, reference) = (Mm::from_hundredths(c), Mm::from_hundredths(r));
                let float = format!("{:+.2} %", pct(change, reference).unwrap_or(f64::NAN));
                assert_eq!(pct_text(change, reference).to_string(), float, "{c}/{r}");
                let (change, reference) = (Mm::from_hundredths(-c), Mm::from_hundredths(-r));
                let float = format!("{:+.2} %", pct(change, reference).unwrap_or(f64::NAN));
                assert_eq!(pct_text(change, reference).to_string(), float, "-{c}/-{r}");
            }
        }
        assert_eq!(
            pct_text(Mm::from_mm(5), Mm::from_mm(0)).to_string(),
            "from a nadir of 0"
        );
    }
}
