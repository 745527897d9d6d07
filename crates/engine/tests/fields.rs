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

/// A lung nodule outside the field is equivocal on 2024-03-01 and 2024-05-01 and unequivocal on
/// 2024-07-01; meanwhile the irradiated liver target grows 40 -> 55 mm (+37.5 %, +15 mm: PD) on
/// 2024-05-01.
const EQUIVOCAL_CONFIRMED_AFTER_IN_FIELD_PD: &str = "
subject: RT-EQUIV-AFTER-PD
treatment_start: 2024-01-05
radiotherapy:
  - {id: RT1, site: liver, start: 2024-01-05, end: 2024-01-20, total_dose_gy: 40, fractions: 5, lesions: [T1]}
lesions:
  - {id: T1, site: liver, role: target}
  - {id: T2, site: adrenal, role: target}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 20}}
  - date: 2024-03-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 20}}
    new_lesions:
      - {id: N1, site: lung, long_axis: 8, equivocal: true, field: none}
  - date: 2024-05-01
    findings: {T1: {long_axis: 55}, T2: {long_axis: 20}}
    new_lesions:
      - {id: N1, site: lung, long_axis: 9, equivocal: true, field: none}
  - date: 2024-07-01
    findings: {T1: {long_axis: 60}, T2: {long_axis: 20}}
    new_lesions:
      - {id: N1, site: lung, long_axis: 15, field: none}
";

/// R11-NEW-EQUIV: a new lesion first equivocal and later confirmed dates progression to the
/// first scan that showed it, also when another cause had already made a later scan PD. The
/// out-of-field relapse (2024-03-01) cannot be later than progression of the whole disease:
/// PFS is 2024-03-01, not the in-field PD of 2024-05-01. The first PD assessment stays
/// 2024-05-01 (AMB-07 default: the earlier timepoints keep their responses).
#[test]
fn r11_new_equiv_rt_confirmed_after_an_in_field_pd_moves_progression_back() {
    let r = assess(
        &rules("recist-1.1", &[]),
        EQUIVOCAL_CONFIRMED_AFTER_IN_FIELD_PD,
    );
    let all = scope(&r, Scope::All);
    let p = all.progression.as_ref().unwrap();
    assert_eq!(p.date.to_string(), "2024-03-01");
    assert_eq!(p.day, 56);
    assert_eq!(p.first_pd_assessment.to_string(), "2024-05-01");
    assert_eq!(at(all, "2024-03-01").overall, OverallResponse::Sd);
    let e = all.endpoints.as_ref().unwrap();
    assert_eq!(e.progression_free_survival.date.to_string(), "2024-03-01");
    let out = e.out_of_field_relapse_free_survival.as_ref().unwrap();
    assert!(out.event);
    assert_eq!(out.date.to_string(), "2024-03-01");
    let inf = e.in_field_relapse_free_survival.as_ref().unwrap();
    assert!(inf.event);
    assert_eq!(inf.date.to_string(), "2024-05-01");
}

/// AMB-07 `rewrite-earlier` with the same case: the timepoints from the first sighting become
/// PD, so the first PD assessment and the progression date are both 2024-03-01.
#[test]
fn amb_07_rewrite_earlier_after_an_in_field_pd() {
    let r = assess(
        &rules(
            "recist-1.1",
            &[("new_lesions.equivocal_confirmed", "rewrite-earlier")],
        ),
        EQUIVOCAL_CONFIRMED_AFTER_IN_FIELD_PD,
    );
    let all = scope(&r, Scope::All);
    let p = all.progression.as_ref().unwrap();
    assert_eq!(p.date.to_string(), "2024-03-01");
    assert_eq!(p.first_pd_assessment.to_string(), "2024-03-01");
    assert_eq!(at(all, "2024-03-01").overall, OverallResponse::Pd);
    assert_eq!(all.best_overall_response, Some(OverallResponse::Pd));
}

/// An irradiated liver target (T1) and a lung target outside the field (T2); a new anticancer
/// therapy starts 2024-04-01. After it, T2 halves (2024-05-01) and both the field and the
/// outside progress (2024-07-01: T1 40 -> 60 mm, a new bone lesion).
const NEW_THERAPY: &str = "
subject: RT-NEW-THERAPY
treatment_start: 2024-01-05
follow_up: {last_known_alive: 2024-09-01, new_therapy: 2024-04-01}
radiotherapy:
  - {id: RT1, site: liver, start: 2024-01-05, end: 2024-01-20, total_dose_gy: 40, fractions: 5, lesions: [T1]}
lesions:
  - {id: T1, site: liver, role: target}
  - {id: T2, site: lung, role: target}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 20}}
  - date: 2024-03-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 20}}
  - date: 2024-05-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 10}}
  - date: 2024-07-01
    findings: {T1: {long_axis: 60}, T2: {long_axis: 10}}
    new_lesions:
      - {id: N1, site: bone, long_axis: 15, field: none}
";

/// RT-IN-PTV, RT-OUT: under `endpoints.new_therapy: censor` the relapse-free survivals are
/// censored like PFS at the last evaluable assessment on or before the new therapy
/// (2024-03-01), not events after it; under `count` both relapses are events on 2024-07-01.
#[test]
fn rt_in_ptv_rt_out_relapse_free_survival_censored_at_a_new_therapy() {
    let r = assess(
        &rules("recist-1.1", &[("endpoints.new_therapy", "censor")]),
        NEW_THERAPY,
    );
    let e = scope(&r, Scope::All).endpoints.as_ref().unwrap();
    assert!(!e.progression_free_survival.event);
    assert_eq!(e.progression_free_survival.date.to_string(), "2024-03-01");
    for rfs in [
        e.in_field_relapse_free_survival.as_ref().unwrap(),
        e.out_of_field_relapse_free_survival.as_ref().unwrap(),
    ] {
        assert!(!rfs.event, "{rfs:?}");
        assert_eq!(rfs.date.to_string(), "2024-03-01");
        assert_eq!(rfs.days, 56);
    }
    let r = assess(&rules("recist-1.1", &[]), NEW_THERAPY);
    let e = scope(&r, Scope::All).endpoints.as_ref().unwrap();
    for rfs in [
        e.in_field_relapse_free_survival.as_ref().unwrap(),
        e.out_of_field_relapse_free_survival.as_ref().unwrap(),
    ] {
        assert!(rfs.event, "{rfs:?}");
        assert_eq!(rfs.date.to_string(), "2024-07-01");
    }
}

/// RT-OUT with all disease irradiated (the out-of-field scope is only watched for new
/// lesions): under `endpoints.new_therapy: censor` a new lesion after the new therapy is no
/// out-of-field relapse; censored at the last evaluable assessment before the therapy.
#[test]
fn rt_out_watched_scope_censored_at_a_new_therapy() {
    let yaml = "
subject: RT-WATCH-NEW-THERAPY
treatment_start: 2024-01-05
follow_up: {new_therapy: 2024-04-01}
radiotherapy:
  - {id: RT1, site: liver, start: 2024-01-05, end: 2024-01-20, total_dose_gy: 40, fractions: 5, lesions: [T1]}
lesions:
  - {id: T1, site: liver, role: target}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 40}}
  - date: 2024-03-01
    findings: {T1: {long_axis: 30}}
  - date: 2024-05-01
    findings: {T1: {long_axis: 28}}
    new_lesions:
      - {id: N1, site: lung, long_axis: 14, field: none}
";
    let r = assess(
        &rules("recist-1.1", &[("endpoints.new_therapy", "censor")]),
        yaml,
    );
    let e = scope(&r, Scope::All).endpoints.as_ref().unwrap();
    let out = e.out_of_field_relapse_free_survival.as_ref().unwrap();
    assert!(!out.event, "{out:?}");
    assert_eq!(out.date.to_string(), "2024-03-01");
}

/// RT-ABS-2: shrinkage of a non-irradiated target after a new anticancer therapy is not an
/// abscopal response of the radiotherapy when the best response stops at that therapy
/// (`best_response.stop_at: new-therapy`, the default): T2 20 -> 10 mm only after it.
#[test]
fn rt_abs_2_stops_at_a_new_therapy() {
    let r = assess(&rules("recist-1.1", &[]), NEW_THERAPY);
    let a = scope(&r, Scope::OutOfField).abscopal.as_ref().unwrap();
    assert!(!a.any, "{a:?}");
    let t2 = a.lesions.iter().find(|l| l.id == "T2").unwrap();
    assert_eq!(
        t2.smallest_date.map(|d| d.to_string()).as_deref(),
        Some("2024-03-01")
    );
    assert!(!t2.responded);
    // With the best response running to the first PD, the shrinkage counts.
    let r = assess(
        &rules("recist-1.1", &[("best_response.stop_at", "progression")]),
        NEW_THERAPY,
    );
    assert!(scope(&r, Scope::OutOfField).abscopal.as_ref().unwrap().any);
}

/// The liver target (T1) is irradiated from the start (RT1) and shrinks 40 -> 26 mm; the lung
/// target (T2) grows 20 -> 40 mm (whole disease 80 -> 66 -> 86 mm, +30 % over the nadir: PD)
/// on 2024-05-01 and is then given salvage
/// radiotherapy (RT2, from 2024-05-10); a new lung nodule appears in RT2's field on 2024-07-01.
const SALVAGE: &str = "
subject: RT-SALVAGE
treatment_start: 2024-01-05
radiotherapy:
  - {id: RT1, site: liver, start: 2024-01-05, end: 2024-01-20, total_dose_gy: 40, fractions: 5, lesions: [T1]}
  - {id: RT2, site: lung, start: 2024-05-10, end: 2024-05-20, total_dose_gy: 30, fractions: 10, lesions: [T2]}
lesions:
  - {id: T1, site: liver, role: target}
  - {id: T2, site: lung, role: target}
  - {id: T3, site: adrenal, role: target}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 40}, T2: {long_axis: 20}, T3: {long_axis: 20}}
  - date: 2024-03-01
    findings: {T1: {long_axis: 26}, T2: {long_axis: 20}, T3: {long_axis: 20}}
  - date: 2024-05-01
    findings: {T1: {long_axis: 26}, T2: {long_axis: 40}, T3: {long_axis: 20}}
  - date: 2024-07-01
    findings: {T1: {long_axis: 26}, T2: {long_axis: 10}, T3: {long_axis: 20}}
    new_lesions:
      - {id: N1, site: lung, long_axis: 12, field: RT2}
";

/// RT-IN-PTV, RT-OUT with `radiotherapy.late_courses: no-field`: a course that starts after
/// follow-up has begun makes no field, so the lung target's progression before its salvage
/// radiotherapy is out-of-field (site out-of-field, out-of-field RFS event 2024-05-01, in-field
/// RFS censored), the new lesion placed in its field counts out-of-field, and the salvaged
/// lesion's shrinkage is no abscopal response. The default (`field-from-baseline`, what
/// earlier versions did) keeps the lung target in-field from baseline, with a warning.
#[test]
fn rt_in_ptv_rt_out_late_course_makes_no_field() {
    let r = assess(
        &rules("recist-1.1", &[("radiotherapy.late_courses", "no-field")]),
        SALVAGE,
    );
    let all = scope(&r, Scope::All);
    let p = all.progression.as_ref().unwrap();
    assert_eq!(p.date.to_string(), "2024-05-01");
    assert_eq!(p.site.as_deref(), Some("out-of-field"));
    let e = all.endpoints.as_ref().unwrap();
    let out = e.out_of_field_relapse_free_survival.as_ref().unwrap();
    assert!(out.event);
    assert_eq!(out.date.to_string(), "2024-05-01");
    let inf = e.in_field_relapse_free_survival.as_ref().unwrap();
    assert!(!inf.event, "{inf:?}");
    assert_eq!(inf.date.to_string(), "2024-07-01");
    // The in-field scope holds T1 alone (40 -> 26: PR) and does not see N1.
    let in_field = scope(&r, Scope::InField);
    assert_eq!(
        in_field.timepoints[0]
            .sum_mm
            .map(|m| m.to_string())
            .as_deref(),
        Some("40")
    );
    assert_eq!(at(in_field, "2024-07-01").overall, OverallResponse::Pr);
    let out_scope = scope(&r, Scope::OutOfField);
    assert_eq!(
        at(out_scope, "2024-07-01").new_lesions,
        recist_model::NewLesions::Yes
    );
    let a = out_scope.abscopal.as_ref().unwrap();
    assert_eq!(
        a.lesions.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["T3"]
    );
    assert!(
        all.warnings.iter().any(|w| w.contains("makes no field")),
        "{:?}",
        all.warnings
    );

    let r = assess(&rules("recist-1.1", &[]), SALVAGE);
    let all = scope(&r, Scope::All);
    assert_eq!(
        all.progression.as_ref().unwrap().site.as_deref(),
        Some("in-field")
    );
    assert!(
        scope(&r, Scope::InField).timepoints[0]
            .sum_mm
            .is_some_and(|m| m.to_string() == "60")
    );
}
