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
//! For one scan at a time (a library call per scan), start a [`Tracker`] from the subject's
//! history up to its baseline and give it each new timepoint as it comes: every call returns
//! that timepoint's target, non-target, new-lesion and overall response with the rule IDs
//! behind them, from a small running state (it never re-reads the history). At the end, the
//! tracker's result is what [`assess_subject`] gives for the whole history (its `all` scope;
//! with radiotherapy, one tracker per scope gives each scope's timepoints, and
//! `assess_subject` adds what needs every scope at once: doses, progression site, relapse-free
//! survival, abscopal response). A scan given out of date order, twice, or malformed is
//! refused with an [`AdjudicationError`] and leaves the tracker as it was.
//!
//! ```
//! use recist::{OverallResponse, RuleSet, Scope, Subject, TargetResponse, Tracker};
//! use recist::{assess_subject, read_case_text};
//!
//! let rules = RuleSet::bundled("recist-1.1")?;
//! let case = "
//! subject: HCC-002
//! lesions:
//!   - {id: T1, site: liver, role: target}
//!   - {id: NT1, site: lung, role: non-target}
//! assessments:
//!   - date: 2019-03-01
//!     findings: {T1: {long_axis: 50}, NT1: present}
//!   - date: 2019-04-16
//!     findings: {T1: {long_axis: 40}, NT1: present}
//!   - date: 2019-05-28
//!     findings: {T1: {long_axis: 30}, NT1: present}
//! ";
//! let subject = read_case_text(case, "inline.yaml", false)?.remove(0)?.subject;
//! let (baseline, scans) = subject.assessments.split_at(1);
//! let history = Subject { assessments: baseline.to_vec(), ..subject.clone() };
//! let mut tracker = Tracker::start(&rules, &history, Scope::All)?.ok_or("no lesion")?;
//! let mut overall = Vec::new();
//! for scan in scans {
//!     let tp = tracker.assess(scan)?; // one call per new timepoint
//!     let f = tp.follow_up.as_ref().ok_or("a follow-up")?;
//!     overall.push((f.target, f.overall)); // also f.non_target, f.new_lesions, f.reasons
//! }
//! assert_eq!(overall, [
//!     (Some(TargetResponse::Sd), OverallResponse::Sd), // 40 mm: −20 %
//!     (Some(TargetResponse::Pr), OverallResponse::Pr), // 30 mm: −40 %
//! ]);
//! assert!(tracker.assess(&scans[1]).is_err()); // the same scan again: refused
//! assert_eq!(tracker.into_result(), assess_subject(&rules, &subject)?.remove(0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use recist_engine::{
    AdjudicationError, AssessOptions, BestResponses, Tracker, assess_scope, assess_scope_with,
    assess_subject, assess_subject_with, best_responses, derive_best, derive_best_recorded,
    derive_best_recorded_as, derive_best_recorded_with, endpoints,
};
pub use recist_io::{
    CaseError, CaseKey, CaseText, KeyedCase, LoadedCase, Place, Recorded, RecordedSubject, explain,
    read_case_file, read_case_file_keyed, read_case_text, read_case_text_keyed, read_recorded,
    read_recorded_with, read_reference_dates, refuse_duplicates, to_json, to_jsonl,
};
pub use recist_model::*;
pub use recist_rules::{
    Override, PROTOCOL_PARAMETERS, Parameter, Problem, RuleSet, RuleSetDoc, RuleSetError,
    bundled_ids, json_schema,
};
