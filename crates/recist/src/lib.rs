//! recist: tumour response assessment with the criteria as data.
//!
//! Load a rule set, read a subject, assess it; every timepoint comes back with its target,
//! non-target, new-lesion and overall response and the rule IDs (with numbers) behind them.
//!
//! ```
//! use recist::{RuleSet, assess_subject, read_case_text, OverallResponse, TargetResponse};
//!
//! let rules = RuleSet::bundled("recist-1.1")?;
//! let case = "
//! subject: HCC-001
//! treatment_start: 2019-03-05
//! lesions:
//!   - {id: T1, site: liver, role: target}
//!   - {id: N1, site: hilar lymph node, role: target, nodal: true}
//!   - {id: NT1, site: lung, role: non-target}
//! assessments:
//!   - date: 2019-03-01
//!     findings: {T1: {long_axis: 40}, N1: {short_axis: 20}, NT1: present}
//!   - date: 2019-04-16
//!     findings: {T1: {long_axis: 30}, N1: {short_axis: 14}, NT1: present}
//!   - date: 2019-05-28
//!     findings: {T1: {long_axis: 20}, N1: {short_axis: 9}, NT1: absent}
//! ";
//! let subject = read_case_text(case, "inline.yaml", false)?.remove(0)?.subject;
//! let results = assess_subject(&rules, &subject)?;
//! let week6 = results[0].timepoints[1].follow_up.as_ref().unwrap();
//! assert_eq!(week6.target, Some(TargetResponse::Sd)); // 60 → 44 mm: −26.67 %
//! let week12 = results[0].timepoints[2].follow_up.as_ref().unwrap();
//! assert_eq!(week12.overall, OverallResponse::Pr); // 29 mm: −51.67 %, T1 still there
//! assert!(week12.reasons.contains(&"R11-TGT-PR".to_string()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For one scan at a time, start a [`Tracker`] from the baseline and feed it assessments.

pub use recist_engine::{
    AdjudicationError, AssessOptions, BestResponses, Tracker, assess_scope, assess_scope_with,
    assess_subject, assess_subject_with, best_responses, derive_best, derive_best_recorded,
    derive_best_recorded_as, derive_best_recorded_with, endpoints,
};
pub use recist_io::{
    CaseError, CaseKey, CaseText, KeyedCase, LoadedCase, Place, Recorded, RecordedSubject, explain,
    read_case_file, read_case_file_keyed, read_case_text, read_case_text_keyed, read_recorded,
    read_reference_dates, refuse_duplicates, to_json, to_jsonl,
};
pub use recist_model::*;
pub use recist_rules::{
    Override, PROTOCOL_PARAMETERS, Problem, RuleSet, RuleSetDoc, RuleSetError, bundled_ids,
    json_schema,
};
