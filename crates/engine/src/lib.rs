//! The adjudication engine of recist: pure functions from a validated rule set and a
//! subject's history to per-timepoint responses with the rules and numbers behind them.
//!
//! It does no I/O and reads no clock. Two entry points: [`assess_subject`] for a whole
//! subject (every scope), and [`Tracker`] for one scan at a time.
//!
//! ```
//! use std::collections::BTreeMap;
//! use chrono::NaiveDate;
//! use recist_engine::assess_subject;
//! use recist_model::*;
//! use recist_rules::RuleSet;
//!
//! let rules = RuleSet::bundled("recist-1.1").unwrap();
//! let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
//! let scan = |d: &str, mm: i64| Assessment {
//!     date: date(d), modality: Modality::Ct, slice_thickness_mm: None, visit: None, visit_number: None,
//!     findings: BTreeMap::from([("T1".to_string(), Finding::Target(TargetFinding::Measured(
//!         Diameters { long_axis: Some(Mm::from_mm(mm)), ..Default::default() })))]),
//!     new_lesions: vec![],
//! };
//! let subject = Subject {
//!     subject: "S-001".into(), evaluator: None, treatment_start: None, covariates: BTreeMap::new(),
//!     follow_up: None, radiotherapy: vec![],
//!     lesions: vec![Lesion::new("T1", "liver", Role::Target)],
//!     assessments: vec![scan("2019-03-01", 50), scan("2019-05-01", 35)],
//! };
//! let results = assess_subject(&rules, &subject).unwrap();
//! let tp = results[0].timepoints[1].follow_up.as_ref().unwrap();
//! assert_eq!(tp.target, Some(TargetResponse::Pr)); // 35 mm is exactly −30 %
//! assert_eq!(tp.overall, OverallResponse::Pr);
//! ```

mod best;
mod check;
mod endpoints;
mod error;
mod fields;
mod irecist;
mod notes;
mod prepare;
mod spare;
mod text;
mod tracker;

use recist_model::{Scope, Subject, SubjectResult};
use recist_rules::RuleSet;

pub use best::{
    BestResponses, best_responses, derive_best, derive_best_recorded, derive_best_recorded_as,
    derive_best_recorded_with,
};
pub use endpoints::endpoints;
pub use error::AdjudicationError;
pub use fields::{course_doses, progression_site, relapse_free};
pub use spare::Spare;
pub use tracker::{Tracker, reference_date};

/// How the engine adjudicates: what it writes besides the results themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssessOptions {
    /// Whether each follow-up timepoint carries `explanations` (the prose behind every cited
    /// rule). Off, no explanation text is formatted and `explanations` stays empty; every
    /// other field, `reasons` included, is the same. On by default.
    pub explanations: bool,
}

impl Default for AssessOptions {
    fn default() -> Self {
        AssessOptions { explanations: true }
    }
}

/// Adjudicates one scope of a subject. `Ok(None)` when the scope holds no lesion.
pub fn assess_scope(
    rules: &RuleSet,
    subject: &Subject,
    scope: Scope,
) -> Result<Option<SubjectResult>, AdjudicationError> {
    assess_scope_with(rules, subject, scope, AssessOptions::default())
}

/// [`assess_scope`] with options.
pub fn assess_scope_with(
    rules: &RuleSet,
    subject: &Subject,
    scope: Scope,
    options: AssessOptions,
) -> Result<Option<SubjectResult>, AdjudicationError> {
    assess_scope_reusing(rules, subject, scope, options, &mut Spare::default())
}

/// [`assess_scope_with`], filling the allocations in `spare` (what is left of them stays
/// there).
fn assess_scope_reusing(
    rules: &RuleSet,
    subject: &Subject,
    scope: Scope,
    options: AssessOptions,
    spare: &mut Spare,
) -> Result<Option<SubjectResult>, AdjudicationError> {
    let Some(mut tracker) = Tracker::start_reusing(rules, subject, scope, options, spare)? else {
        return Ok(None);
    };
    for assessment in subject.assessments.iter().skip(1) {
        if let Err(e) = tracker.assess(assessment) {
            *spare = tracker.into_spare();
            return Err(e);
        }
    }
    let (result, rest) = tracker.finish();
    *spare = rest;
    Ok(Some(result))
}

/// Adjudicates a subject: the `all` scope, and with radiotherapy the `in-field` and
/// `out-of-field` scopes that hold lesions.
///
/// With radiotherapy, every result lists the courses with their BED and EQD2; the `all`
/// result also says where its first progression came from (`progression.site`) and carries
/// in-field and out-of-field relapse-free survival; the `out-of-field` result carries the
/// abscopal response of the non-irradiated targets.
pub fn assess_subject(
    rules: &RuleSet,
    subject: &Subject,
) -> Result<Vec<SubjectResult>, AdjudicationError> {
    assess_subject_with(rules, subject, AssessOptions::default())
}

/// [`assess_subject`] with options (explanation texts on or off).
pub fn assess_subject_with(
    rules: &RuleSet,
    subject: &Subject,
    options: AssessOptions,
) -> Result<Vec<SubjectResult>, AdjudicationError> {
    assess_subject_reusing(rules, subject, options, &mut Spare::default())
}

/// [`assess_subject_with`], the results filling allocations of earlier ones ([`Spare`]): the
/// same results, with fewer allocations when adjudicating many subjects in a row.
pub fn assess_subject_reusing(
    rules: &RuleSet,
    subject: &Subject,
    options: AssessOptions,
    spare: &mut Spare,
) -> Result<Vec<SubjectResult>, AdjudicationError> {
    let Some(mut all) = assess_scope_reusing(rules, subject, Scope::All, options, spare)? else {
        return Ok(Vec::new());
    };
    if subject.radiotherapy.is_empty() {
        return Ok(vec![all]);
    }
    let doses = fields::course_doses(subject, rules);
    let in_field = assess_scope_reusing(rules, subject, Scope::InField, options, spare)?;
    let mut out_of_field = assess_scope_reusing(rules, subject, Scope::OutOfField, options, spare)?;
    // A scope without baseline lesions is still watched for new lesions: its first unequivocal
    // new lesion is its relapse (out-of-field relapse-free survival after irradiating all disease).
    // Under iRECIST the watch cannot reset an iUPD at a scan that did not evaluate the
    // subject's baseline disease (the `all` scope's target or non-target response NE): such a
    // scan says nothing of the scope either.
    let first_pd = |r: &Option<SubjectResult>,
                    scope|
     -> Result<Option<recist_model::Progression>, AdjudicationError> {
        match r {
            Some(r) => Ok(r.progression.clone()),
            None => {
                let not_evaluated: Vec<chrono::NaiveDate> = all
                    .timepoints
                    .iter()
                    .filter(|t| {
                        t.follow_up.as_ref().is_some_and(|f| {
                            f.target == Some(recist_model::TargetResponse::Ne)
                                || f.non_target == Some(recist_model::NonTargetResponse::Ne)
                        })
                    })
                    .map(|t| t.date)
                    .collect();
                Tracker::watch(rules, subject, scope, &not_evaluated)
            }
        }
    };
    let in_pd = first_pd(&in_field, Scope::InField)?;
    let out_pd = first_pd(&out_of_field, Scope::OutOfField)?;
    if let Some(p) = all.progression.as_mut() {
        p.site = Some(
            fields::progression_site(
                p.first_pd_assessment,
                in_pd.as_ref().map(|p| p.first_pd_assessment),
                out_pd.as_ref().map(|p| p.first_pd_assessment),
            )
            .to_string(),
        );
    }
    let reference = subject.reference_date();
    // `endpoints.new_therapy: censor`: a relapse after a new anticancer therapy is censored
    // like PFS, at the scope's last evaluable assessment on or before the therapy.
    let censor_at = subject
        .follow_up
        .as_ref()
        .and_then(|f| f.new_therapy)
        .filter(|_| {
            rules.doc().endpoints.new_therapy == recist_rules::EndpointsAtNewTherapy::Censor
        });
    let all_censor = endpoints::last_evaluable(&all.timepoints, censor_at);
    if let (Some(e), Some(reference)) = (all.endpoints.as_mut(), reference) {
        // Censoring as for PFS: at the scope's last evaluable assessment (day 0 when none is
        // later), on or before a new therapy the rule set censors at; for a scope without a
        // result of its own (no baseline lesion: only a new lesion can be its event, found at
        // any later assessment), at the whole subject's last evaluable assessment. Death is
        // not a relapse, so it neither ends nor censors these.
        let scope_censor = |scope: &Option<SubjectResult>| {
            let date = match scope {
                Some(r) => endpoints::last_evaluable(&r.timepoints, censor_at),
                None => all_censor,
            }
            .map_or(reference, |d| d.max(reference));
            recist_model::Endpoint {
                event: false,
                date,
                days: (date - reference).num_days(),
                duration_days: None,
            }
        };
        e.in_field_relapse_free_survival = Some(fields::relapse_free(
            in_pd.as_ref().map(|p| p.date),
            scope_censor(&in_field),
            reference,
            censor_at,
        ));
        e.out_of_field_relapse_free_survival = Some(fields::relapse_free(
            out_pd.as_ref().map(|p| p.date),
            scope_censor(&out_of_field),
            reference,
            censor_at,
        ));
    }
    if let Some(r) = out_of_field.as_mut() {
        r.abscopal = fields::abscopal(rules, subject);
        if let Some(a) = r.abscopal.as_ref() {
            match a.after {
                None => r.warnings.push(
                    "no radiotherapy end date: every follow-up counts for the abscopal response"
                        .into(),
                ),
                Some(after) => {
                    for c in subject.radiotherapy.iter().filter(|c| c.end.is_none()) {
                        r.warnings.push(format!(
                            "radiotherapy course `{}` has no end date: the abscopal response counts assessments after {after}, the last end date of the other courses",
                            c.id
                        ));
                    }
                }
            }
        }
    }
    let mut results = vec![all];
    results.extend(in_field);
    results.extend(out_of_field);
    let mut late = fields::late_courses(rules, subject);
    late.extend(fields::marginal_baseline(rules, subject));
    late.extend(fields::unknown_field(subject));
    for r in &mut results {
        r.radiotherapy = doses.clone();
        r.warnings.extend(late.iter().cloned());
    }
    Ok(results)
}
