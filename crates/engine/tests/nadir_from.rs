//! Which assessments set the nadir (`target_response.nadir_from`, R11-TGT-PD, R11-NE-NADIR):
//! a rescan after the baseline but before treatment start whose sum is smaller than the
//! baseline's sets the nadir under the reference's notation (`baseline-and-all-assessments`,
//! the default) and not under the FAQ's "smallest sum on study" (`baseline-and-on-treatment`).
//! Each test is named after the rule it checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_model::{FollowUpResult, Mm, OverallResponse, Scope, TargetResponse};

mod common;
use common::{assess, rules, scope};

const ALL: &str = "baseline-and-all-assessments";
const ON_TREATMENT: &str = "baseline-and-on-treatment";

/// Baseline 100 mm (2024-01-01); a rescan on 2024-01-10 (day −5 of a treatment starting on
/// 2024-01-15) at `rescan`; follow-ups on 2024-02-26 (day 42) at `first` and 2024-04-08 (day
/// 84) at 97 mm. Targets T1 and T2 (50 mm each at baseline); `rescan` and `first` are T1's and
/// T2's findings as flow-map text.
fn case(rescan: &str, first: &str) -> String {
    format!(
        "
subject: NADIR-1
treatment_start: 2024-01-15
lesions:
  - {{id: T1, site: lung, role: target}}
  - {{id: T2, site: liver, role: target}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 50}}, T2: {{long_axis: 50}}}}
  - date: 2024-01-10
    findings: {rescan}
  - date: 2024-02-26
    findings: {first}
  - date: 2024-04-08
    findings: {{T1: {{long_axis: 47}}, T2: {{long_axis: 50}}}}
"
    )
}

/// The follow-up of timepoint `i` (0 = baseline) of the `all` scope under `recist-1.1` with
/// `nadir_from` set (`None`: the bundled default).
fn run(id: &str, nadir_from: Option<&str>, yaml: &str) -> Vec<FollowUpResult> {
    let sets: Vec<(&str, &str)> = nadir_from
        .map(|v| vec![("target_response.nadir_from", v)])
        .unwrap_or_default();
    let r = assess(&rules(id, &sets), yaml);
    scope(&r, Scope::All)
        .timepoints
        .iter()
        .skip(1)
        .map(|t| t.follow_up.clone().unwrap())
        .collect()
}

fn names(f: &FollowUpResult, reading: &str) -> bool {
    f.explanations
        .iter()
        .any(|e| e.detail.contains(&format!("nadir_from: {reading}")))
}

/// R11-TGT-PD: a pre-treatment rescan of 80 mm (smaller than the 100 mm baseline), then 97 mm
/// at day 42. Under the default (the reference's `N_t`, every earlier evaluable assessment)
/// the nadir is 80 mm and 97 mm is +21.25 % and +17 mm: PD. Under `baseline-and-on-treatment`
/// (the FAQ's "smallest sum on study") the nadir stays the baseline's 100 mm: −3 %, SD. Both
/// explanations name the reading.
#[test]
fn r11_tgt_pd_a_rescan_before_treatment_start_sets_the_nadir_only_under_all_assessments() {
    let yaml = case(
        "{T1: {long_axis: 40}, T2: {long_axis: 40}}",
        "{T1: {long_axis: 47}, T2: {long_axis: 50}}",
    );
    for setting in [None, Some(ALL)] {
        let f = run("recist-1.1", setting, &yaml);
        // The rescan itself: 80 mm is −20 % from baseline, SD (no follow-up).
        assert_eq!(f[0].target, Some(TargetResponse::Sd));
        assert_eq!(f[1].nadir_mm, Some(Mm::from_mm(80)), "{setting:?}");
        assert_eq!(f[1].target, Some(TargetResponse::Pd), "{setting:?}");
        assert_eq!(f[1].overall, OverallResponse::Pd);
        assert!(names(&f[1], ALL), "{:?}", f[1].explanations);
    }
    let f = run("recist-1.1", Some(ON_TREATMENT), &yaml);
    assert_eq!(f[1].nadir_mm, Some(Mm::from_mm(100)));
    assert_eq!(f[1].target, Some(TargetResponse::Sd));
    assert_eq!(f[1].overall, OverallResponse::Sd);
    assert!(names(&f[1], ON_TREATMENT), "{:?}", f[1].explanations);
    // Day 84, 97 mm again: still SD against the on-treatment nadir (97 mm now).
    assert_eq!(f[2].nadir_mm, Some(Mm::from_mm(97)));
    assert_eq!(f[2].target, Some(TargetResponse::Sd));
    // The rescan's 80 mm is still below that nadir: the explanation still names the reading.
    assert!(names(&f[2], ON_TREATMENT), "{:?}", f[2].explanations);
}

/// R11-TGT-PD: without a rescan smaller than the baseline, the two readings agree and no
/// explanation names one.
#[test]
fn r11_tgt_pd_the_readings_agree_without_a_smaller_pre_treatment_rescan() {
    let yaml = case(
        "{T1: {long_axis: 50}, T2: {long_axis: 52}}",
        "{T1: {long_axis: 47}, T2: {long_axis: 50}}",
    );
    for setting in [ALL, ON_TREATMENT] {
        let f = run("recist-1.1", Some(setting), &yaml);
        assert_eq!(f[1].nadir_mm, Some(Mm::from_mm(100)), "{setting}");
        assert_eq!(f[1].target, Some(TargetResponse::Sd), "{setting}");
        assert!(!names(&f[1], ALL) && !names(&f[1], ON_TREATMENT));
    }
}

/// R11-NE-NADIR: a pre-treatment rescan with a target not measured (T2 missing, T1 at 30 mm)
/// sets no nadir under either reading: 97 mm at day 42 is SD against the 100 mm baseline.
#[test]
fn r11_ne_nadir_a_partly_measured_pre_treatment_rescan_sets_no_nadir_under_either_reading() {
    let yaml = case(
        "{T1: {long_axis: 30}}",
        "{T1: {long_axis: 47}, T2: {long_axis: 50}}",
    );
    for setting in [ALL, ON_TREATMENT] {
        let f = run("recist-1.1", Some(setting), &yaml);
        assert_eq!(f[0].target, Some(TargetResponse::Ne), "{setting}");
        assert_eq!(f[1].nadir_mm, Some(Mm::from_mm(100)), "{setting}");
        assert_eq!(f[1].target, Some(TargetResponse::Sd), "{setting}");
        assert!(!names(&f[1], ALL) && !names(&f[1], ON_TREATMENT));
    }
}

/// R11-NE-NADIR with both readings: an NE follow-up between does not move the nadir either
/// way; a fully measured pre-treatment rescan of 80 mm still does only under the default.
/// Day 42 is NE (T2 missing), day 84 at 97 mm is PD or SD.
#[test]
fn r11_ne_nadir_an_ne_follow_up_keeps_the_nadir_each_reading_chose() {
    let yaml = case(
        "{T1: {long_axis: 40}, T2: {long_axis: 40}}",
        "{T1: {long_axis: 20}}",
    );
    let f = run("recist-1.1", Some(ALL), &yaml);
    assert_eq!(f[1].target, Some(TargetResponse::Ne));
    assert_eq!(f[2].nadir_mm, Some(Mm::from_mm(80)));
    assert_eq!(f[2].target, Some(TargetResponse::Pd));
    let f = run("recist-1.1", Some(ON_TREATMENT), &yaml);
    assert_eq!(f[1].target, Some(TargetResponse::Ne));
    assert_eq!(f[2].nadir_mm, Some(Mm::from_mm(100)));
    assert_eq!(f[2].target, Some(TargetResponse::Sd));
}

/// The same case under mRECIST (MR-TGT-PD, whose nadir is RECIST 1.1's reading): typical HCC
/// measured on the viable diameter, no 5 mm minimum. A viable rescan of 80 mm before
/// treatment start, then 97 mm: PD under the default, SD under `baseline-and-on-treatment`
/// (MR's "since treatment start").
#[test]
fn mr_tgt_pd_a_viable_rescan_before_treatment_start_follows_nadir_from() {
    let yaml = "
subject: NADIR-MR
treatment_start: 2024-01-15
lesions:
  - {id: T1, site: liver, role: target, hcc_typical: true}
  - {id: T2, site: liver segment 7, role: target, hcc_typical: true}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 60, viable: 50}, T2: {long_axis: 60, viable: 50}}
  - date: 2024-01-10
    findings: {T1: {long_axis: 60, viable: 40}, T2: {long_axis: 60, viable: 40}}
  - date: 2024-02-26
    findings: {T1: {long_axis: 60, viable: 47}, T2: {long_axis: 60, viable: 50}}
";
    let f = run("mrecist", None, yaml);
    assert_eq!(f[1].nadir_mm, Some(Mm::from_mm(80)));
    assert_eq!(f[1].target, Some(TargetResponse::Pd));
    assert!(names(&f[1], ALL), "{:?}", f[1].explanations);
    let f = run("mrecist", Some(ON_TREATMENT), yaml);
    assert_eq!(f[1].nadir_mm, Some(Mm::from_mm(100)));
    assert_eq!(f[1].target, Some(TargetResponse::Sd));
    assert!(names(&f[1], ON_TREATMENT), "{:?}", f[1].explanations);
}

/// iRECIST keeps RECIST 1.1's running nadir for the baseline targets (AMB-I2, IR-UPD): the
/// same case is iUPD under the default and iSD under `baseline-and-on-treatment`.
#[test]
fn ir_upd_the_running_nadir_follows_nadir_from() {
    let yaml = case(
        "{T1: {long_axis: 40}, T2: {long_axis: 40}}",
        "{T1: {long_axis: 47}, T2: {long_axis: 50}}",
    );
    let f = run("irecist", None, &yaml);
    assert_eq!(f[1].target, Some(TargetResponse::Pd));
    assert_eq!(f[1].overall, OverallResponse::IUpd);
    let f = run("irecist", Some(ON_TREATMENT), &yaml);
    assert_eq!(f[1].target, Some(TargetResponse::Sd));
    assert_eq!(f[1].overall, OverallResponse::ISd);
}
