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
//!     lesions: vec![Lesion { id: "T1".into(), site: "liver".into(), role: Role::Target, nodal: false,
//!         hcc_typical: false, kind: None, method: None, prior_local_therapy: false,
//!         progressed_after_local_therapy: false }],
//!     assessments: vec![scan("2019-03-01", 50), scan("2019-05-01", 35)],
//! };
//! let results = assess_subject(&rules, &subject).unwrap();
//! let tp = results[0].timepoints[1].follow_up.as_ref().unwrap();
//! assert_eq!(tp.target, Some(TargetResponse::Pr)); // 35 mm is exactly −30 %
//! assert_eq!(tp.overall, OverallResponse::Pr);
//! ```

mod best;
mod error;
mod prepare;
mod tracker;

use recist_model::{Scope, Subject, SubjectResult};
use recist_rules::RuleSet;

pub use best::{BestResponses, best_responses};
pub use error::AdjudicationError;
pub use tracker::Tracker;

/// Adjudicates one scope of a subject. `Ok(None)` when the scope holds no lesion.
pub fn assess_scope(
    rules: &RuleSet,
    subject: &Subject,
    scope: Scope,
) -> Result<Option<SubjectResult>, AdjudicationError> {
    let Some(mut tracker) = Tracker::start(rules, subject, scope)? else {
        return Ok(None);
    };
    for assessment in subject.assessments.iter().skip(1) {
        tracker.assess(assessment)?;
    }
    Ok(Some(tracker.result()))
}

/// Adjudicates a subject: the `all` scope, and with radiotherapy the `in-field` and
/// `out-of-field` scopes that hold lesions.
pub fn assess_subject(
    rules: &RuleSet,
    subject: &Subject,
) -> Result<Vec<SubjectResult>, AdjudicationError> {
    let mut results = Vec::new();
    let all = assess_scope(rules, subject, Scope::All)?;
    results.extend(all);
    if !subject.radiotherapy.is_empty() {
        for scope in [Scope::InField, Scope::OutOfField] {
            results.extend(assess_scope(rules, subject, scope)?);
        }
    }
    Ok(results)
}
