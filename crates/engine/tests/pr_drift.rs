//! AMB-02, a PR whose sum drifts back above the PR threshold without reaching PD, under each
//! `timepoint.pr_persistence`: `strict` (SD), `sticky` (PR after any earlier PR) and
//! `sticky-after-confirmation` (PR only once an earlier PR or CR was confirmed, by earlier
//! assessments, under the rule set's own confirmation rules).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_engine::Tracker;
use recist_model::{OverallResponse, Scope, SubjectResult, TargetResponse};

mod common;
use common::{assess, rules, subject};

use OverallResponse::{Pr, Sd};

/// Day 0 (baseline and treatment start) is 2021-01-04.
const DAY_0: &str = "2021-01-04";

fn date(day: i64) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(DAY_0, "%Y-%m-%d").unwrap() + chrono::Duration::days(day)
}

/// A case of one 100 mm target at baseline, then each `(day, Some(mm))` measured or
/// `(day, None)` not scanned (target NE).
fn case(scans: &[(i64, Option<u32>)]) -> String {
    let mut text = format!(
        "
subject: AMB-02
treatment_start: {DAY_0}
lesions:
  - {{id: T1, site: lung, role: target}}
assessments:
  - date: {DAY_0}
    findings: {{T1: {{long_axis: 100}}}}
"
    );
    for &(day, mm) in scans {
        text.push_str(&format!("  - date: {}\n", date(day)));
        match mm {
            Some(mm) => text.push_str(&format!("    findings: {{T1: {{long_axis: {mm}}}}}\n")),
            None => text.push_str("    findings: {}\n"),
        }
    }
    text
}

/// The result under RECIST 1.1 with these protocol parameters.
fn run(sets: &[(&str, &str)], scans: &[(i64, Option<u32>)]) -> SubjectResult {
    assess(&rules("recist-1.1", sets), &case(scans)).remove(0)
}

/// The overall response of the timepoint on `day`.
fn overall(r: &SubjectResult, day: i64) -> OverallResponse {
    r.timepoints
        .iter()
        .find(|t| t.date == date(day))
        .and_then(|t| t.follow_up.as_ref())
        .map(|f| f.overall)
        .unwrap_or_else(|| panic!("no follow-up on day {day}"))
}

/// The reasons of the timepoint on `day`.
fn reasons(r: &SubjectResult, day: i64) -> Vec<String> {
    r.timepoints
        .iter()
        .find(|t| t.date == date(day))
        .and_then(|t| t.follow_up.as_ref())
        .map(|f| f.reasons.clone())
        .unwrap_or_default()
}

const STRICT: &[(&str, &str)] = &[];
const STICKY: &[(&str, &str)] = &[("timepoint.pr_persistence", "sticky")];
const AFTER_CONFIRMATION: &[(&str, &str)] =
    &[("timepoint.pr_persistence", "sticky-after-confirmation")];

/// 100 → 70 (day 56, PR, not yet confirmed) → 80 (day 112: −20 % from baseline, +14 % and
/// +10 mm over the nadir, not PD). Under `sticky` the drifted scan keeps the PR and so
/// confirms the very PR it keeps; under `sticky-after-confirmation` nothing confirmed the PR
/// before day 112, so day 112 is SD and the PR stays unconfirmed, as under `strict`.
#[test]
fn amb_02_drifted_scan_does_not_confirm_the_pr_it_keeps() {
    let scans = [(56, Some(70)), (112, Some(80))];

    let strict = run(STRICT, &scans);
    assert_eq!(overall(&strict, 56), Pr);
    assert_eq!(overall(&strict, 112), Sd);
    assert_eq!(strict.best_overall_response, Some(Pr));
    assert_eq!(strict.confirmed_best_overall_response, Some(Sd));
    assert_eq!(strict.response_dates.confirmation, None);

    let sticky = run(STICKY, &scans);
    assert_eq!(overall(&sticky, 112), Pr);
    assert!(reasons(&sticky, 112).contains(&"AMB-02".to_string()));
    assert_eq!(sticky.confirmed_best_overall_response, Some(Pr));
    assert_eq!(sticky.response_dates.confirmation, Some(date(112)));

    let after = run(AFTER_CONFIRMATION, &scans);
    assert_eq!(overall(&after, 56), Pr);
    assert_eq!(overall(&after, 112), Sd);
    let tp = after.timepoints[2].follow_up.as_ref().unwrap();
    assert_eq!(tp.target, Some(TargetResponse::Sd));
    assert!(
        tp.explanations.iter().any(|e| e.rule == "AMB-02"
            && e.detail.contains("no earlier PR or CR is confirmed")
            && e.detail.contains("sticky-after-confirmation")),
        "{:?}",
        tp.explanations
    );
    assert!(!tp.reasons.contains(&"R11-CONF-INT".to_string()));
    assert_eq!(after.best_overall_response, Some(Pr));
    assert_eq!(after.confirmed_best_overall_response, Some(Sd));
    assert_eq!(after.response_dates.confirmation, None);
}

/// The FAQ's 100 → 70 → 70 → 80: the two 70s (28 days apart) confirm the PR first, so under
/// `sticky-after-confirmation` the drifted 80 on day 112 (and day 140) stays PR, citing AMB-02
/// and the confirmation (R11-CONF-INT) with its dates; under `strict` they are SD.
#[test]
fn amb_02_faq_pr_confirmed_first_then_kept() {
    let scans = [
        (56, Some(70)),
        (84, Some(70)),
        (112, Some(80)),
        (140, Some(80)),
    ];
    let after = run(AFTER_CONFIRMATION, &scans);
    for day in [56, 84, 112, 140] {
        assert_eq!(overall(&after, day), Pr, "day {day}");
    }
    for day in [112, 140] {
        let reasons = reasons(&after, day);
        assert!(
            reasons.contains(&"AMB-02".to_string())
                && reasons.contains(&"R11-CONF-INT".to_string()),
            "day {day}: {reasons:?}"
        );
    }
    let tp = after.timepoints[3].follow_up.as_ref().unwrap();
    let detail = |rule: &str| {
        tp.explanations
            .iter()
            .find(|e| e.rule == rule)
            .map(|e| e.detail.clone())
            .unwrap_or_else(|| panic!("no {rule} in {:?}", tp.explanations))
    };
    assert_eq!(
        detail("AMB-02"),
        format!(
            "sum 80 mm is -20.00 % from baseline, above the PR threshold without PD: PR kept (sticky-after-confirmation: the PR of {} is confirmed)",
            date(56)
        )
    );
    assert_eq!(
        detail("R11-CONF-INT"),
        format!(
            "PR on {} confirmed as PR by {}, 28 days later (≥ 28), before this assessment",
            date(56),
            date(84)
        )
    );
    assert_eq!(after.confirmed_best_overall_response, Some(Pr));
    assert_eq!(after.response_dates.confirmed_response, Some(date(56)));
    assert_eq!(after.response_dates.confirmation, Some(date(84)));

    let strict = run(STRICT, &scans);
    assert_eq!(overall(&strict, 112), Sd);
    assert_eq!(overall(&strict, 140), Sd);
    assert_eq!(strict.confirmed_best_overall_response, Some(Pr));
}

/// What confirms is the rule set's own confirmation: 70 on day 77 is 21 days after the PR,
/// too soon under the default 28 days (day 112 SD), enough under a protocol's 21 (day 112
/// PR).
#[test]
fn amb_02_confirmation_interval_is_the_rule_set_s() {
    let scans = [(56, Some(70)), (77, Some(70)), (112, Some(80))];
    assert_eq!(overall(&run(AFTER_CONFIRMATION, &scans), 112), Sd);
    let sets = [
        AFTER_CONFIRMATION[0],
        ("confirmation.min_interval_days", "21"),
    ];
    let r = run(&sets, &scans);
    assert_eq!(overall(&r, 112), Pr);
    assert!(reasons(&r, 112).contains(&"R11-CONF-INT".to_string()));
}

/// An NE between the PR and its confirmation is tolerated as `confirmation.max_ne_between`
/// says (AMB-11): 70, NE, 70, then 80: PR kept with the default 1; SD with 0.
#[test]
fn amb_02_amb_11_ne_between_follows_the_rule_set() {
    let scans = [(56, Some(70)), (84, None), (112, Some(70)), (140, Some(80))];
    assert_eq!(overall(&run(AFTER_CONFIRMATION, &scans), 140), Pr);
    let sets = [AFTER_CONFIRMATION[0], ("confirmation.max_ne_between", "0")];
    assert_eq!(overall(&run(&sets, &scans), 140), Sd);
}

/// Without confirmation required (R11-CONF-WHEN), `sticky-after-confirmation` awaits none: it
/// is `sticky`, and says so.
#[test]
fn amb_02_sticky_after_confirmation_without_confirmation_required_is_sticky() {
    let scans = [(56, Some(70)), (112, Some(80))];
    let sets = [AFTER_CONFIRMATION[0], ("confirmation.required", "false")];
    let r = run(&sets, &scans);
    assert_eq!(overall(&r, 112), Pr);
    let sticky = run(&[STICKY[0], ("confirmation.required", "false")], &scans);
    assert_eq!(
        r.confirmed_best_overall_response,
        sticky.confirmed_best_overall_response
    );
    let tp = r.timepoints[2].follow_up.as_ref().unwrap();
    assert!(
        tp.explanations
            .iter()
            .any(|e| e.rule == "AMB-02" && e.detail.contains("no confirmation awaited")),
        "{:?}",
        tp.explanations
    );
}

/// The tracker decides from earlier scans only: fed one scan at a time, the drifted day-112
/// scan is SD when it is assessed, and a later 70 (day 140, which confirms nothing before day
/// 112) does not change it.
#[test]
fn amb_02_tracker_never_looks_ahead() {
    let rules = rules("recist-1.1", AFTER_CONFIRMATION);
    let whole = subject(&case(&[(56, Some(70)), (112, Some(80)), (140, Some(70))]));
    let (baseline, follow_ups) = whole.assessments.split_at(1);
    let mut header = whole.clone();
    header.assessments = baseline.to_vec();
    let mut tracker = Tracker::start(&rules, &header, Scope::All)
        .unwrap()
        .unwrap();
    let got: Vec<OverallResponse> = follow_ups
        .iter()
        .map(|a| {
            tracker
                .assess(a)
                .unwrap()
                .follow_up
                .as_ref()
                .unwrap()
                .overall
        })
        .collect();
    assert_eq!(got, [Pr, Sd, Pr]);
    // The whole case at once gives the same timepoints.
    let r = tracker.into_result();
    let all = assess(
        &rules,
        &case(&[(56, Some(70)), (112, Some(80)), (140, Some(70))]),
    );
    assert_eq!(r.timepoints, all[0].timepoints);
}
