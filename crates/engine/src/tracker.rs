//! The per-scan tracker: takes one assessment at a time and returns that timepoint's result
//! from a small running state (baseline sum, nadir, earlier CR, new-lesion sightings), without
//! re-reading history.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use recist_model::{
    Assessment, Explanation, FieldPlacement, Finding, FollowUpResult, Mm, NewLesion, NewLesions,
    NonTargetResponse, NonTargetStatus, OverallResponse, Progression, RuleSetRef, Scope, Subject,
    SubjectResult, TargetFinding, TargetResponse, TimepointResult, result_id,
};
use recist_rules::{
    AtypicalDating, DiseaseAfterCr, EquivocalConfirmed, MarginalLesions, MissingTarget,
    NonTargetComplete, PrPersistence, ReferenceDate, RuleSet,
};

use crate::prepare::{
    LesionFacts, Prepared, condition_holds, measure_name, node_threshold, pick, prepare,
};
use crate::{AdjudicationError, best};

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
    reference: NaiveDate,
    prepared: Prepared,
    nadir: Mm,
    last_date: NaiveDate,
    earlier_overall_cr: bool,
    earlier_target_pr: bool,
    sightings: BTreeMap<String, Sighting>,
    timepoints: Vec<TimepointResult>,
    progression: Option<Progression>,
    warnings: Vec<String>,
}

/// What is remembered of a new lesion between assessments.
#[derive(Debug, Clone)]
struct Sighting {
    first_date: NaiveDate,
    first_long_axis: Option<Mm>,
    counted: bool,
}

/// Target values of one assessment.
struct TargetValues {
    known: Vec<(usize, Mm)>,
    missing: Vec<usize>,
    too_small: Vec<usize>,
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
        let Some(prepared) = prepare(rules, subject, scope)? else {
            return Ok(None);
        };
        let baseline = subject
            .baseline()
            .ok_or_else(|| AdjudicationError::NoAssessment {
                subject: subject.subject.clone(),
            })?;
        let reference = match rules.doc().best_response.reference {
            ReferenceDate::TreatmentStart => subject.treatment_start.unwrap_or(baseline.date),
            ReferenceDate::Baseline => baseline.date,
        };
        let warnings = prepared.warnings.clone();
        let mut tracker = Tracker {
            rules,
            subject: subject.subject.clone(),
            evaluator: subject.evaluator.clone(),
            scope,
            radiotherapy_ids: subject.radiotherapy.iter().map(|r| r.id.clone()).collect(),
            reference,
            nadir: prepared.baseline_sum,
            last_date: baseline.date,
            prepared,
            earlier_overall_cr: false,
            earlier_target_pr: false,
            sightings: BTreeMap::new(),
            timepoints: Vec::new(),
            progression: None,
            warnings,
        };
        let has_targets = !tracker.prepared.targets.is_empty();
        tracker.timepoints.push(TimepointResult {
            date: baseline.date,
            day: (baseline.date - reference).num_days(),
            baseline: true,
            sum_mm: has_targets.then_some(tracker.prepared.baseline_sum),
            follow_up: None,
        });
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
    pub fn assess(
        &mut self,
        assessment: &Assessment,
    ) -> Result<&TimepointResult, AdjudicationError> {
        let subject = self.subject.clone();
        let fail = |lesion: Option<&str>, message: String| AdjudicationError::Assessment {
            subject: subject.clone(),
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
        for nl in &assessment.new_lesions {
            if let FieldPlacement::Inside(rt) | FieldPlacement::Marginal(rt) = &nl.field {
                if !self.radiotherapy_ids.contains(rt) {
                    return Err(fail(
                        Some(&nl.id),
                        format!("new lesion names unknown radiotherapy field `{rt}`"),
                    ));
                }
            }
        }
        let doc = self.rules.doc();
        let index = self.timepoints.len();
        let mut ex: Vec<(String, String)> = self.prepared.explanations.clone();
        let after_cr = self.earlier_overall_cr
            && doc.timepoint.disease_after_cr == DiseaseAfterCr::Progression;

        // Targets.
        let has_targets = !self.prepared.targets.is_empty();
        let mut sum = None;
        let mut change_from_baseline_pct = None;
        let mut change_from_nadir_pct = None;
        let mut change_from_nadir_mm = None;
        let target = if has_targets {
            let values = self
                .target_values(assessment, &mut ex)
                .map_err(|(l, m)| fail(Some(&l), m))?;
            let (response, s) = self.target_response(&values, after_cr, &mut ex);
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
        let non_target = (!self.prepared.non_targets.is_empty())
            .then(|| self.non_target_response(assessment, after_cr, &mut ex));

        // New lesions.
        let (new_lesions, backdate) = self.new_lesions(assessment, &mut ex);
        if after_cr && new_lesions == NewLesions::Yes {
            ex.push(("AMB-01".into(), "a new lesion after an overall CR".into()));
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
                None,
                "the rule set's decision table has no row for this combination".into(),
            ));
        };
        let overall = decision.overall;
        ex.push((
            decision.rule.clone(),
            format!(
                "{}non-target {}, new lesions {new_lesions} → overall {overall} (row {})",
                target.map(|t| format!("target {t}, ")).unwrap_or_default(),
                non_target.map(|n| n.as_str()).unwrap_or("none"),
                decision.row
            ),
        ));
        for rule in &decision.also {
            ex.push((rule.clone(), "applies to this combination".into()));
        }

        // Running state.
        let nadir_used = self.nadir;
        if let Some(s) = sum {
            if s < self.nadir {
                self.nadir = s;
            }
        }
        if overall == OverallResponse::Cr {
            self.earlier_overall_cr = true;
        }
        if target == Some(TargetResponse::Pr) {
            self.earlier_target_pr = true;
        }
        self.last_date = assessment.date;
        if overall == OverallResponse::Pd && self.progression.is_none() {
            let date = backdate.map_or(assessment.date, |d| d.min(assessment.date));
            self.progression = Some(Progression {
                date,
                day: (date - self.reference).num_days(),
                first_pd_assessment: assessment.date,
                site: None,
            });
            if let (Some(first), EquivocalConfirmed::RewriteEarlier) =
                (backdate, doc.new_lesions.equivocal_confirmed)
            {
                self.rewrite_from(first);
            }
        }

        let mut reasons: Vec<String> = Vec::new();
        for (rule, _) in &ex {
            if !reasons.contains(rule) {
                reasons.push(rule.clone());
            }
        }
        self.timepoints.push(TimepointResult {
            date: assessment.date,
            day: (assessment.date - self.reference).num_days(),
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
                explanations: ex
                    .into_iter()
                    .map(|(rule, detail)| Explanation { rule, detail })
                    .collect(),
            }),
        });
        Ok(&self.timepoints[index])
    }

    /// The result so far: every timepoint, best responses and progression.
    pub fn result(&self) -> SubjectResult {
        let best = best::best_responses(self.rules, &self.timepoints, self.reference);
        SubjectResult {
            id: result_id(
                &self.subject,
                self.evaluator.as_deref(),
                self.rules.sha256(),
                self.scope,
            ),
            subject: self.subject.clone(),
            evaluator: self.evaluator.clone(),
            rule_set: RuleSetRef {
                id: self.rules.doc().id.clone(),
                version: self.rules.doc().version.clone(),
                sha256: self.rules.sha256().to_string(),
            },
            scope: self.scope,
            timepoints: self.timepoints.clone(),
            best_overall_response: Some(best.unconfirmed),
            confirmed_best_overall_response: Some(best.confirmed),
            progression: self.progression.clone(),
            warnings: self.warnings.clone(),
        }
    }

    fn target_values(
        &self,
        a: &Assessment,
        ex: &mut Vec<(String, String)>,
    ) -> Result<TargetValues, (String, String)> {
        let mut v = TargetValues {
            known: Vec::new(),
            missing: Vec::new(),
            too_small: Vec::new(),
        };
        let too_small = self.rules.doc().measurement.too_small_mm;
        for (i, t) in self.prepared.targets.iter().enumerate() {
            match a.findings.get(&t.id) {
                None | Some(Finding::Target(TargetFinding::NotEvaluated)) => v.missing.push(i),
                Some(Finding::NonTarget(_)) => {
                    return Err((
                        t.id.clone(),
                        "a non-target finding given for a target lesion".into(),
                    ));
                }
                Some(Finding::Target(TargetFinding::Absent)) => {
                    v.known.push((i, Mm::ZERO));
                }
                Some(Finding::Target(TargetFinding::TooSmall)) => {
                    v.known.push((i, too_small));
                    v.too_small.push(i);
                    ex.push((
                        "R11-TSTM".into(),
                        format!("`{}` too small to measure: counted {too_small} mm", t.id),
                    ));
                }
                Some(Finding::Target(TargetFinding::Measured(d))) => match pick(d, t.measure) {
                    Some(mm) => v.known.push((i, mm)),
                    None => {
                        ex.push((
                            "R11-TGT-NE".into(),
                            format!("`{}`: no {} given", t.id, measure_name(t.measure)),
                        ));
                        v.missing.push(i);
                    }
                },
                Some(Finding::Target(TargetFinding::Fragments(parts))) => {
                    let values: Option<Vec<Mm>> =
                        parts.iter().map(|p| pick(p, t.measure)).collect();
                    match values {
                        Some(values) => {
                            let total: Mm = values.iter().copied().sum();
                            ex.push((
                                "R11-SPLIT".into(),
                                format!(
                                    "`{}` split into {} fragments: {} = {total} mm",
                                    t.id,
                                    values.len(),
                                    values
                                        .iter()
                                        .map(|m| m.to_string())
                                        .collect::<Vec<_>>()
                                        .join(" + ")
                                ),
                            ));
                            v.known.push((i, total));
                        }
                        None => v.missing.push(i),
                    }
                }
                Some(Finding::Target(TargetFinding::MergedInto(other))) => {
                    if !self.prepared.targets.iter().any(|o| &o.id == other) && !other.is_empty() {
                        // The carrier may lie in another scope; this lesion still counts 0 here.
                        ex.push((
                            "R11-COALESCE".into(),
                            format!(
                                "`{}` coalesced into `{other}` (outside this scope): 0 mm here",
                                t.id
                            ),
                        ));
                    } else {
                        ex.push(("R11-COALESCE".into(), format!("`{}` coalesced into `{other}`, which carries the measurement: 0 mm", t.id)));
                    }
                    v.known.push((i, Mm::ZERO));
                }
            }
        }
        Ok(v)
    }

    fn target_response(
        &self,
        v: &TargetValues,
        after_cr: bool,
        ex: &mut Vec<(String, String)>,
    ) -> (TargetResponse, Option<Mm>) {
        let doc = self.rules.doc();
        let tr = &doc.target_response;
        let targets = &self.prepared.targets;
        let known_sum: Mm = v.known.iter().map(|(_, m)| *m).sum();
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
            v.known
                .iter()
                .filter(|(i, mm)| {
                    let t = &targets[*i];
                    v.too_small.contains(i)
                        || if t.nodal {
                            *mm >= t.node_normal_below
                        } else {
                            *mm > Mm::ZERO
                        }
                })
                .map(|(i, _)| targets[*i].id.as_str())
                .collect()
        } else {
            Vec::new()
        };
        let reappear_rule = |ids: &[&str]| -> (String, String) {
            let node = ids
                .iter()
                .any(|id| targets.iter().any(|t| &t.id == id && t.nodal));
            (
                if node {
                    "R11-REAPPEAR-NODE"
                } else {
                    "R11-REAPPEAR"
                }
                .to_string(),
                format!("disease seen again after an overall CR: {}", ids.join(", ")),
            )
        };

        if !v.missing.is_empty() {
            let missing: Vec<&str> = v.missing.iter().map(|&i| targets[i].id.as_str()).collect();
            if v.known.is_empty() {
                ex.push((
                    "R11-MISS-NOSCAN".into(),
                    "no target lesion evaluated".into(),
                ));
                return (TargetResponse::Ne, None);
            }
            if tr.missing_target == MissingTarget::PdIfCertain {
                if !reappeared.is_empty() {
                    ex.push((
                        "AMB-01".into(),
                        "PD after CR whatever the missing targets measure".into(),
                    ));
                    ex.push(reappear_rule(&reappeared));
                    return (TargetResponse::Pd, None);
                }
                if meets_pd(known_sum) {
                    ex.push((
                        "R11-MISS-PARTIAL".into(),
                        format!("not evaluated: {}", missing.join(", ")),
                    ));
                    ex.push((
                        "R11-MISS-ENGINE".into(),
                        format!(
                            "measured targets alone: {}: PD whatever the missing ones measure",
                            pd_text(known_sum)
                        ),
                    ));
                    ex.push(("R11-TGT-PD".into(), "PD is certain".into()));
                    return (TargetResponse::Pd, None);
                }
                ex.push((
                    "R11-MISS-PARTIAL".into(),
                    format!("not evaluated: {}", missing.join(", ")),
                ));
                ex.push(("R11-MISS-ENGINE".into(), format!("with the missing targets at 0 mm the sum is {known_sum} mm: {}; PD is not certain and CR/PR never are", pd_text(known_sum))));
                ex.push((
                    "R11-TGT-NE".into(),
                    "the missing targets could change the category".into(),
                ));
            } else {
                ex.push((
                    "AMB-05".into(),
                    format!(
                        "not evaluated: {}; rule set says always NE",
                        missing.join(", ")
                    ),
                ));
                ex.push(("R11-TGT-NE".into(), "a target was not evaluated".into()));
            }
            return (TargetResponse::Ne, None);
        }

        let s = known_sum;
        ex.push((
            "R11-SUM".into(),
            format!("sum of diameters {s} mm (baseline {baseline} mm, nadir {nadir} mm)"),
        ));
        if !reappeared.is_empty() {
            ex.push((
                "AMB-01".into(),
                "after an overall CR, disease seen again is PD".into(),
            ));
            ex.push(reappear_rule(&reappeared));
            return (TargetResponse::Pd, Some(s));
        }
        if meets_pd(s) {
            ex.push(("R11-TGT-PD".into(), pd_text(s)));
            if is_pr(s, baseline, tr.pr_decrease_pct.hundredths()) {
                ex.push((
                    "R11-TGT-ORDER".into(),
                    format!(
                        "PD tested first: the sum is also {} from baseline",
                        pct_text(s - baseline, baseline)
                    ),
                ));
            }
            return (TargetResponse::Pd, Some(s));
        }
        let all_gone = v.known.iter().all(|(i, mm)| {
            let t = &targets[*i];
            !v.too_small.contains(i)
                && if t.nodal {
                    *mm < t.node_normal_below
                } else {
                    mm.is_zero()
                }
        });
        if all_gone {
            let detail = if s.is_zero() {
                "every target has disappeared".to_string()
            } else {
                format!(
                    "non-nodal targets gone, nodal targets below {} mm short axis (sum {s} mm)",
                    tr.cr_node_short_axis_below_mm
                )
            };
            ex.push(("R11-TGT-CR".into(), detail));
            if !s.is_zero() {
                ex.push((
                    "R11-NODE-RECORD".into(),
                    "nodes keep their short axis in the sum".into(),
                ));
            }
            return (TargetResponse::Cr, Some(s));
        }
        if is_pr(s, baseline, tr.pr_decrease_pct.hundredths()) {
            ex.push((
                "R11-TGT-PR".into(),
                format!(
                    "sum {s} mm vs baseline {baseline} mm: {} (PR needs ≤ −{} %)",
                    pct_text(s - baseline, baseline),
                    tr.pr_decrease_pct
                ),
            ));
            return (TargetResponse::Pr, Some(s));
        }
        if self.earlier_target_pr && doc.timepoint.pr_persistence == PrPersistence::Sticky {
            ex.push(("AMB-02".into(), format!("sum {s} mm is {} from baseline, above the PR threshold without PD: PR kept (sticky)", pct_text(s - baseline, baseline))));
            return (TargetResponse::Pr, Some(s));
        }
        ex.push((
            "R11-TGT-SD".into(),
            format!(
                "sum {s} mm: {} from baseline (PR needs ≤ −{} %), {} from nadir: neither PR nor PD",
                pct_text(s - baseline, baseline),
                tr.pr_decrease_pct,
                pct_text(s - nadir, nadir)
            ),
        ));
        if self.earlier_target_pr {
            ex.push((
                "AMB-02".into(),
                "an earlier PR drifted back above the PR threshold: SD (strict)".into(),
            ));
        }
        (TargetResponse::Sd, Some(s))
    }

    fn non_target_response(
        &self,
        a: &Assessment,
        after_cr: bool,
        ex: &mut Vec<(String, String)>,
    ) -> NonTargetResponse {
        let doc = self.rules.doc();
        let nt = &doc.non_target_response;
        let mut progressed = Vec::new();
        let mut not_evaluated = Vec::new();
        let mut remaining = Vec::new();
        for l in &self.prepared.non_targets {
            let (status, viable, cytology) = match (a.findings.get(&l.id), l.from_target) {
                (None, _) => (NonTargetStatus::NotEvaluated, None, None),
                (Some(Finding::NonTarget(f)), _) => (f.status, f.viable, f.cytology),
                (Some(Finding::Target(f)), Some(measure)) => match f {
                    TargetFinding::Absent => (NonTargetStatus::Absent, None, None),
                    TargetFinding::NotEvaluated => (NonTargetStatus::NotEvaluated, None, None),
                    TargetFinding::TooSmall | TargetFinding::MergedInto(_) => {
                        (NonTargetStatus::Present, None, None)
                    }
                    TargetFinding::Measured(d) => (
                        NonTargetStatus::Present,
                        pick(d, measure)
                            .map(|v| !v.is_zero())
                            .or(d.viable.map(|v| !v.is_zero())),
                        None,
                    ),
                    TargetFinding::Fragments(_) => (NonTargetStatus::Present, None, None),
                },
                (Some(Finding::Target(_)), None) => (NonTargetStatus::NotEvaluated, None, None),
            };
            let status = if status == NonTargetStatus::Progression
                && l.kind
                    .is_some_and(|k| nt.progression_needs_positive_cytology.contains(&k))
                && cytology != Some(recist_model::Cytology::Positive)
            {
                ex.push((
                    "MR-EFFUSION".into(),
                    format!(
                        "`{}`: progression of an effusion counts only with positive cytology",
                        l.id
                    ),
                ));
                NonTargetStatus::Present
            } else {
                status
            };
            match status {
                NonTargetStatus::Progression => progressed.push(l.id.as_str()),
                NonTargetStatus::NotEvaluated => not_evaluated.push(l.id.as_str()),
                NonTargetStatus::Absent => {}
                NonTargetStatus::Present => {
                    if nt.complete_when == NonTargetComplete::AbsentOrNonViable
                        && viable == Some(false)
                    {
                        continue;
                    }
                    remaining.push(l.id.as_str());
                }
            }
        }
        if !progressed.is_empty() {
            ex.push((
                "R11-NT-PD".into(),
                format!("unequivocal progression: {}", progressed.join(", ")),
            ));
            return NonTargetResponse::Pd;
        }
        if after_cr && !remaining.is_empty() {
            ex.push((
                "AMB-01".into(),
                "after an overall CR, a non-target present again is PD".into(),
            ));
            ex.push((
                "R11-REAPPEAR".into(),
                format!("present again: {}", remaining.join(", ")),
            ));
            return NonTargetResponse::Pd;
        }
        if !not_evaluated.is_empty() {
            ex.push((
                "R11-NT-NE".into(),
                format!("not evaluated: {}", not_evaluated.join(", ")),
            ));
            return NonTargetResponse::Ne;
        }
        if remaining.is_empty() {
            let rule = if nt.complete_when == NonTargetComplete::AbsentOrNonViable {
                "MR-NT-CR"
            } else {
                "R11-NT-CR"
            };
            ex.push((rule.into(), "every non-target lesion gone".into()));
            return NonTargetResponse::Cr;
        }
        let rule = if nt.complete_when == NonTargetComplete::AbsentOrNonViable {
            "MR-NT-IRSD"
        } else {
            "R11-NT-NONCRNONPD"
        };
        ex.push((rule.into(), format!("persisting: {}", remaining.join(", "))));
        NonTargetResponse::NonCrNonPd
    }

    /// The new-lesion indicator and, for a confirmed equivocal lesion, the date to move progression back to.
    fn new_lesions(
        &mut self,
        a: &Assessment,
        ex: &mut Vec<(String, String)>,
    ) -> (NewLesions, Option<NaiveDate>) {
        let doc = self.rules.doc();
        let rules = &doc.new_lesions;
        let marginal_in = doc.radiotherapy.marginal_lesions == MarginalLesions::InField;
        let mut indicator = NewLesions::No;
        let mut backdate: Option<NaiveDate> = None;
        for nl in a
            .new_lesions
            .iter()
            .filter(|nl| new_lesion_in_scope(nl, self.scope, marginal_in))
        {
            let seen = self.sightings.get(&nl.id).cloned();
            let first = seen.clone().unwrap_or(Sighting {
                first_date: a.date,
                first_long_axis: nl.diameters.long_axis,
                counted: false,
            });
            let (status, rule, text, dated_back) = self.classify(nl, &first, rules);
            let confirmed_later =
                status == NewLesions::Yes && seen.as_ref().is_some_and(|s| !s.counted);
            ex.push((rule.clone(), text));
            if nl.nodal && status == NewLesions::Yes {
                let (min, _) = node_threshold(self.rules, &nl.site, rules.node_min_short_axis_mm);
                let size = nl
                    .diameters
                    .short_axis
                    .map(|sa| format!("{sa} mm short axis"))
                    .unwrap_or_else(|| "no short axis given".into());
                ex.push((
                    "R11-NEW-NODE".into(),
                    format!(
                        "new node `{}`: {size}; a new node counts from {min} mm",
                        nl.id
                    ),
                ));
            }
            let mut entry = first.clone();
            if status == NewLesions::Yes {
                if confirmed_later && dated_back {
                    let rule = if rule.starts_with("MR-") {
                        "AMB-M4"
                    } else {
                        "R11-NEW-EQUIV"
                    };
                    ex.push((
                        rule.into(),
                        format!(
                            "`{}` first seen {}: progression dated back to then",
                            nl.id, first.first_date
                        ),
                    ));
                    backdate = Some(
                        backdate.map_or(first.first_date, |d: NaiveDate| d.min(first.first_date)),
                    );
                }
                entry.counted = true;
            }
            self.sightings.insert(nl.id.clone(), entry);
            indicator = indicator.max(status);
        }
        let _ = &rules.patterned;
        (indicator, backdate)
    }

    /// Classifies one new lesion: (indicator, rule, explanation, whether a later confirmation dates back).
    fn classify(
        &self,
        nl: &NewLesion,
        first: &Sighting,
        rules: &recist_rules::NewLesionRules,
    ) -> (NewLesions, String, String, bool) {
        let id = &nl.id;
        let equivocal_back = rules.equivocal_confirmed == EquivocalConfirmed::BackdateProgression
            || rules.equivocal_confirmed == EquivocalConfirmed::RewriteEarlier;
        if nl.nodal {
            let (min, site_rule) =
                node_threshold(self.rules, &nl.site, rules.node_min_short_axis_mm);
            match nl.diameters.short_axis {
                Some(sa) if sa < min => {
                    return (
                        NewLesions::No,
                        site_rule.unwrap_or("R11-NEW-NODE").to_string(),
                        format!(
                            "new node `{id}` {sa} mm short axis is below {min} mm: not a lesion"
                        ),
                        false,
                    );
                }
                None if !nl.equivocal => {
                    // The reader calls it a new node without a size: taken as stated.
                }
                _ => {}
            }
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
            .find(|p| condition_holds(&p.when, &facts))
        {
            let la = nl.diameters.long_axis;
            if nl.hcc_typical && la.is_some_and(|l| l >= p.typical_min_mm) && !nl.equivocal {
                return (
                    NewLesions::Yes,
                    p.rules[0].clone(),
                    format!(
                        "new `{id}` with the typical pattern, {} mm ≥ {} mm",
                        la.unwrap_or_default(),
                        p.typical_min_mm
                    ),
                    false,
                );
            }
            let grown = match (la, first.first_long_axis) {
                (Some(now), Some(then)) if now >= then => now - then,
                _ => Mm::ZERO,
            };
            if grown >= p.atypical_growth_mm && !nl.equivocal {
                return (
                    NewLesions::Yes,
                    p.rules[1].clone(),
                    format!(
                        "new `{id}` grew {grown} mm since first seen {} (≥ {} mm)",
                        first.first_date, p.atypical_growth_mm
                    ),
                    p.atypical_dating == AtypicalDating::FirstSighting,
                );
            }
            return (
                NewLesions::Equivocal,
                p.rules[if nl.hcc_typical { 0 } else { 1 }].clone(),
                format!(
                    "new `{id}` does not count yet ({}; grown {grown} mm since {})",
                    if nl.hcc_typical {
                        "typical but below the size minimum"
                    } else {
                        "atypical pattern"
                    },
                    first.first_date
                ),
                false,
            );
        }
        if nl.equivocal {
            return (
                NewLesions::Equivocal,
                "R11-NEW-EQUIV".into(),
                format!("new `{id}` is equivocal: no PD until confirmed"),
                false,
            );
        }
        (
            NewLesions::Yes,
            "R11-NEW-PD".into(),
            format!("unequivocal new lesion `{id}` ({})", nl.site),
            equivocal_back,
        )
    }

    /// AMB-07 `rewrite-earlier`: timepoints from the first sighting on become PD.
    fn rewrite_from(&mut self, first: NaiveDate) {
        for tp in self
            .timepoints
            .iter_mut()
            .filter(|t| t.date >= first && !t.baseline)
        {
            if let Some(f) = tp.follow_up.as_mut() {
                f.new_lesions = NewLesions::Yes;
                f.overall = OverallResponse::Pd;
                f.reasons.push("AMB-07".into());
                f.explanations.push(Explanation { rule: "AMB-07".into(), detail: "rewritten to PD: an equivocal new lesion first seen here was later confirmed".into() });
            }
        }
        if let Some(p) = self.progression.as_mut() {
            if let Some(tp) = self
                .timepoints
                .iter()
                .find(|t| t.date >= first && !t.baseline)
            {
                p.first_pd_assessment = tp.date;
            }
        }
    }
}

fn new_lesion_in_scope(nl: &NewLesion, scope: Scope, marginal_in: bool) -> bool {
    let inside = match &nl.field {
        FieldPlacement::None => false,
        FieldPlacement::Inside(_) => true,
        FieldPlacement::Marginal(_) => marginal_in,
    };
    match scope {
        Scope::All => true,
        Scope::InField => inside,
        Scope::OutOfField => !inside,
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
    if reference.is_zero() {
        return None;
    }
    // In hundredths of a percent: change / reference × 10 000, rounded.
    let num = i128::from(change.hundredths()) * 10_000;
    let den = i128::from(reference.hundredths());
    let (q, r) = (num / den, num % den);
    let q = if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    };
    Some(q as f64 / 100.0)
}

fn pct_text(change: Mm, reference: Mm) -> String {
    match pct(change, reference) {
        Some(p) => format!("{p:+.2} %"),
        None => "from a nadir of 0".to_string(),
    }
}
