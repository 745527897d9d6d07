//! Radiotherapy fields (rules reference section 6): scopes, attribution and the endpoints built
//! on them, on small cases written in the case format. Tests are named after the rule ID.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_model::{FollowUpResult, OverallResponse, Scope, SubjectResult, TargetResponse};

mod common;
use common::{assess, rules, scope};

fn at<'a>(r: &'a SubjectResult, date: &str) -> &'a FollowUpResult {
    r.timepoints
        .iter()
        .find(|t| t.date.to_string() == date)
        .and_then(|t| t.follow_up.as_ref())
        .unwrap()
}

/// An irradiated liver target (T1) coalesces with a non-irradiated one (T2), which carries the
/// merged mass (70 mm).
const MERGED_ACROSS_THE_EDGE: &str = "
subject: RT-MERGE
treatment_start: 2024-01-10
radiotherapy:
  - {id: RT1, site: liver, start: 2024-01-10, end: 2024-02-01, total_dose_gy: 45, fractions: 15, lesions: [T1]}
lesions:
  - {id: T1, site: liver, role: target}
  - {id: T2, site: liver, role: target}
  - {id: T3, site: lung, role: target}
assessments:
  - date: 2024-01-05
    findings: {T1: {long_axis: 30}, T2: {long_axis: 30}, T3: {long_axis: 20}}
  - date: 2024-03-01
    findings: {T1: {merged_into: T2}, T2: {long_axis: 70}, T3: {long_axis: 20}}
  - date: 2024-05-01
    findings: {T1: {merged_into: T2}, T2: {long_axis: 50}, T3: {long_axis: 12}}
";

/// R11-COALESCE across the field edge: the merged mass cannot be split between the scopes. The
/// in-field lesion is not gone (no in-field CR), and the out-of-field carrier's growth is not
/// out-of-field progression (nor its later shrinkage an abscopal response): in each field scope
/// the lesion is not evaluated. The `all` scope holds both and counts the carrier.
#[test]
fn rt_r11_coalesce_across_the_field_edge_is_not_evaluated_in_a_field_scope() {
    let r = assess(&rules("recist-1.1", &[]), MERGED_ACROSS_THE_EDGE);
    let in_field = scope(&r, Scope::InField);
    for d in ["2024-03-01", "2024-05-01"] {
        let f = at(in_field, d);
        assert_eq!(f.target, Some(TargetResponse::Ne), "{d}: {:?}", f.reasons);
        assert_eq!(f.overall, OverallResponse::Ne, "{d}");
    }
    assert_eq!(in_field.best_overall_response, Some(OverallResponse::Ne));
    let out = scope(&r, Scope::OutOfField);
    let f = at(out, "2024-03-01");
    assert_ne!(f.target, Some(TargetResponse::Pd), "{:?}", f.reasons);
    assert_eq!(out.progression, None);
    assert!(
        out.warnings.iter().any(|w| w.contains("`T1`")),
        "{:?}",
        out.warnings
    );
    // T2 50 mm on 2024-05-01 carries T1: its −33 % is not an abscopal response; T3 (−40 %) is.
    let a = out.abscopal.as_ref().unwrap();
    let t2 = a.lesions.iter().find(|l| l.id == "T2").unwrap();
    assert_eq!(t2.smallest_mm, None);
    assert!(!t2.responded);
    assert!(a.lesions.iter().find(|l| l.id == "T3").unwrap().responded);
    // The whole disease: 80 -> 90 (+12.5 %) -> 62 mm, no progression anywhere.
    let all = scope(&r, Scope::All);
    assert_eq!(all.progression, None);
    let e = all.endpoints.as_ref().unwrap();
    assert!(!e.out_of_field_relapse_free_survival.as_ref().unwrap().event);
    assert!(!e.in_field_relapse_free_survival.as_ref().unwrap().event);
}

/// R11-COALESCE into a lesion the rule set follows as a non-target (here mRECIST, AMB-M3: `T2`
/// is not typical HCC), the same code path as a carrier in another scope: the typical target is
/// not gone, so no target CR and no PR from a 70 mm mass; it is not evaluated.
#[test]
fn rt_r11_coalesce_into_a_lesion_followed_as_a_non_target_is_not_evaluated() {
    let text = "
subject: MR-MERGE
treatment_start: 2024-01-10
lesions:
  - {id: T1, site: liver, role: target, hcc_typical: true}
  - {id: T2, site: liver, role: target}
assessments:
  - date: 2024-01-05
    findings: {T1: {long_axis: 30, viable: 30}, T2: {long_axis: 30}}
  - date: 2024-03-01
    findings: {T1: {merged_into: T2}, T2: {long_axis: 70}}
  - date: 2024-05-01
    findings: {T1: {merged_into: T2}, T2: {long_axis: 70}}
";
    let r = assess(&rules("mrecist", &[]), text);
    let all = scope(&r, Scope::All);
    let f = at(all, "2024-03-01");
    assert_eq!(f.target, Some(TargetResponse::Ne), "{:?}", f.reasons);
    assert_eq!(f.overall, OverallResponse::Ne);
    assert_eq!(all.best_overall_response, Some(OverallResponse::Ne));
    assert!(
        all.warnings
            .iter()
            .any(|w| w.contains("followed as a non-target") && w.contains("`T1`")),
        "{:?}",
        all.warnings
    );
}

/// RT-IN-PTV / RT-OUT with a course that starts after follow-up has begun: a salvage course
/// (RT2) to a lung lesion that had shrunk and then grown before it. Field membership is the
/// courses' lesion lists, from baseline (DESIGN.md); the lung lesion's growth before RT2 is
/// then in-field progression, and its earlier shrinkage no abscopal response. That reading is
/// kept, but not silently: every result says so.
#[test]
fn rt_in_ptv_a_course_starting_after_a_follow_up_is_said() {
    let text = "
subject: RT-LATE
treatment_start: 2024-01-10
radiotherapy:
  - {id: RT1, site: liver, start: 2024-01-10, end: 2024-02-01, total_dose_gy: 45, fractions: 15, lesions: [T1]}
  - {id: RT2, site: lung, start: 2024-05-10, end: 2024-05-20, total_dose_gy: 30, fractions: 10, lesions: [T2]}
lesions:
  - {id: T1, site: liver, role: target}
  - {id: T2, site: lung, role: target}
  - {id: T3, site: bone, role: target}
assessments:
  - date: 2024-01-05
    findings: {T1: {long_axis: 50}, T2: {long_axis: 20}, T3: {long_axis: 30}}
  - date: 2024-03-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 13}, T3: {long_axis: 30}}
  - date: 2024-05-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 30}, T3: {long_axis: 30}}
  - date: 2024-07-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 20}, T3: {long_axis: 30}}
";
    let r = assess(&rules("recist-1.1", &[]), text);
    assert_eq!(r.len(), 3);
    for result in &r {
        assert!(
            result
                .warnings
                .iter()
                .any(|w| w.contains("`RT2` starts 2024-05-10")
                    && w.contains("2024-03-01")
                    && w.contains("`T2`")),
            "{}: {:?}",
            result.scope,
            result.warnings
        );
        assert!(
            !result.warnings.iter().any(|w| w.contains("`RT1` starts")),
            "{:?}",
            result.warnings
        );
    }
    // A new lesion placed in RT2's field before RT2 starts is said once, at its first sighting.
    let placed = text
        .replace(
            "T2: {long_axis: 13}, T3: {long_axis: 30}}",
            "T2: {long_axis: 13}, T3: {long_axis: 30}}\n    new_lesions: [{id: N1, site: lung, long_axis: 12, field: RT2}]",
        )
        .replace(
            "T2: {long_axis: 30}, T3: {long_axis: 30}}",
            "T2: {long_axis: 30}, T3: {long_axis: 30}}\n    new_lesions: [{id: N1, site: lung, long_axis: 14, field: RT2}]",
        );
    let r2 = assess(&rules("recist-1.1", &[]), &placed);
    let said: Vec<&String> = scope(&r2, Scope::All)
        .warnings
        .iter()
        .filter(|w| w.contains("new lesion `N1` seen 2024-03-01") && w.contains("`RT2`"))
        .collect();
    assert_eq!(said.len(), 1, "{:?}", scope(&r2, Scope::All).warnings);
    // Re-irradiating T1 (already in RT1's field) moves nothing: no warning for it.
    let reirradiated = text.replace("lesions: [T2]}", "lesions: [T1]}");
    let r3 = assess(&rules("recist-1.1", &[]), &reirradiated);
    assert!(
        !scope(&r3, Scope::All)
            .warnings
            .iter()
            .any(|w| w.contains("`RT2` starts")),
        "{:?}",
        scope(&r3, Scope::All).warnings
    );
    // The reading itself is unchanged: T2 is in-field from baseline.
    let all = scope(&r, Scope::All);
    assert_eq!(
        all.progression.as_ref().and_then(|p| p.site.as_deref()),
        Some("in-field")
    );
}
