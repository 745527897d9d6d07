//! mRECIST audit: cases where the engine's answer differed from the reference (rules-reference
//! section 2 and 7). Each test is named after the rule it checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_model::{NonTargetResponse, OverallResponse, Scope};

mod common;
use common::{assess, rules, scope};

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// MR-NEW-TYPICAL with R11-NEW-EQUIV: a new typical liver lesion first reported with only its
/// viable diameter (12 mm, at least as long as the whole lesion: large enough) and marked
/// equivocal by the reader, then confirmed, was typical and large enough at its first
/// sighting: only the reader's doubt delayed it, so progression is dated back to that sighting,
/// as it is when the first sighting gives the long axis.
#[test]
fn mr_new_typical_a_first_sighting_with_only_a_viable_diameter_dates_back() {
    let text = |first: &str| {
        format!(
            "
subject: C1
treatment_start: 2023-01-05
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
assessments:
  - date: 2023-01-03
    findings: {{T1: {{long_axis: 50, viable: 40}}}}
  - date: 2023-02-20
    findings: {{T1: {{long_axis: 50, viable: 38}}}}
    new_lesions: [{{id: NEW1, site: liver segment 3, {first}, hcc_typical: true, equivocal: true}}]
  - date: 2023-04-20
    findings: {{T1: {{long_axis: 50, viable: 38}}}}
    new_lesions: [{{id: NEW1, site: liver segment 3, viable: 12, hcc_typical: true}}]
"
        )
    };
    let progression = |first: &str| {
        let r = assess(&rules("mrecist", &[]), &text(first));
        scope(&r, Scope::All).progression.as_ref().map(|p| p.date)
    };
    assert_eq!(progression("long_axis: 12"), Some(date("2023-02-20")));
    assert_eq!(progression("viable: 12"), Some(date("2023-02-20")));
    // Under 10 mm when first seen: it counts from the scan where it is large enough.
    assert_eq!(progression("viable: 8"), Some(date("2023-04-20")));
}

/// MR-EFFUSION: ascites proven malignant by positive cytology (here at baseline) needs no new
/// sampling: its unequivocal progression later is non-target PD. Without any positive
/// cytology it stays present (NON-CR/NON-PD).
#[test]
fn mr_effusion_cytology_positive_earlier_proves_a_later_progression() {
    let text = |baseline: &str, second: &str| {
        format!(
            "
subject: B1
treatment_start: 2023-01-05
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: NT1, site: peritoneum, role: non-target, kind: ascites}}
assessments:
  - date: 2023-01-03
    findings:
      T1: {{long_axis: 50, viable: 40}}
      NT1: {{status: present{baseline}}}
  - date: 2023-02-20
    findings:
      T1: {{long_axis: 50, viable: 38}}
      NT1: {{status: present}}
  - date: 2023-04-20
    findings:
      T1: {{long_axis: 50, viable: 38}}
      NT1: {{status: progression{second}}}
"
        )
    };
    let run = |baseline: &str, second: &str| {
        let r = assess(&rules("mrecist", &[]), &text(baseline, second));
        let all = scope(&r, Scope::All);
        let tp = all.timepoints[2].follow_up.as_ref().unwrap();
        (tp.non_target, tp.overall)
    };
    let pd = (Some(NonTargetResponse::Pd), OverallResponse::Pd);
    let present = (Some(NonTargetResponse::NonCrNonPd), OverallResponse::Sd);
    assert_eq!(run(", cytology: positive", ""), pd);
    assert_eq!(run("", ", cytology: positive"), pd);
    assert_eq!(run("", ""), present);
    assert_eq!(run(", cytology: negative", ""), present);
}

/// MR-EFFUSION with AMB-01: after an overall CR, ascites seen again counts toward PD only with
/// positive cytology (now or at an earlier assessment), as new ascites does; without it the
/// ascites is present disease (NON-CR/NON-PD: with target CR, overall PR), not PD.
#[test]
fn mr_effusion_ascites_seen_again_after_cr_needs_positive_cytology() {
    let text = |baseline: &str, third: &str| {
        format!(
            "
subject: G1
treatment_start: 2023-01-05
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: NT1, site: peritoneum, role: non-target, kind: ascites}}
assessments:
  - date: 2023-01-03
    findings:
      T1: {{long_axis: 50, viable: 40}}
      NT1: {{status: present{baseline}}}
  - date: 2023-02-20
    findings:
      T1: {{long_axis: 50, viable: 0}}
      NT1: absent
  - date: 2023-04-20
    findings:
      T1: {{long_axis: 50, viable: 0}}
      NT1: {{status: present{third}}}
"
        )
    };
    let run = |id: &str, baseline: &str, third: &str| {
        let r = assess(&rules(id, &[]), &text(baseline, third));
        let all = scope(&r, Scope::All);
        let tp = all.timepoints[2].follow_up.as_ref().unwrap();
        (
            tp.non_target,
            tp.overall,
            all.progression.as_ref().map(|p| p.date),
        )
    };
    let not_pd = (
        Some(NonTargetResponse::NonCrNonPd),
        OverallResponse::Pr,
        None,
    );
    let pd = (
        Some(NonTargetResponse::Pd),
        OverallResponse::Pd,
        Some(date("2023-04-20")),
    );
    assert_eq!(run("mrecist", "", ""), not_pd);
    assert_eq!(run("mrecist", "", ", cytology: negative"), not_pd);
    assert_eq!(run("mrecist", "", ", cytology: positive"), pd);
    assert_eq!(run("mrecist", ", cytology: positive", ""), pd);
}

/// MR-NT-CR for a target followed as a non-target (MR-TGT-ELIG: viable 8 mm at baseline) that
/// splits: fragments without enhancement (viable 0 mm each) are no viable tumour, as the same
/// lesion unsplit would be. It was read as present disease, so after the overall CR the split
/// made PD. With an enhancing fragment it is viable tumour again: PD.
#[test]
fn mr_nt_cr_fragments_of_a_demoted_target_without_enhancement_are_not_viable() {
    let text = |fragments: &str| {
        format!(
            "
subject: H1
treatment_start: 2023-01-05
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: T2, site: liver segment 4, role: target, hcc_typical: true}}
assessments:
  - date: 2023-01-03
    findings: {{T1: {{long_axis: 50, viable: 40}}, T2: {{long_axis: 30, viable: 8}}}}
  - date: 2023-02-20
    findings: {{T1: {{long_axis: 50, viable: 0}}, T2: {{long_axis: 30, viable: 0}}}}
  - date: 2023-04-20
    findings:
      T1: {{long_axis: 50, viable: 0}}
      T2: {{fragments: [{fragments}]}}
"
        )
    };
    let run = |fragments: &str| {
        let r = assess(&rules("mrecist", &[]), &text(fragments));
        let all = scope(&r, Scope::All);
        let tp = all.timepoints[2].follow_up.as_ref().unwrap();
        (tp.non_target, tp.overall)
    };
    assert_eq!(
        run("{long_axis: 15, viable: 0}, {long_axis: 12, viable: 0}"),
        (Some(NonTargetResponse::Cr), OverallResponse::Cr)
    );
    assert_eq!(
        run("{long_axis: 15, viable: 4}, {long_axis: 12, viable: 0}"),
        (Some(NonTargetResponse::Pd), OverallResponse::Pd)
    );
    // A fragment without a viable diameter: no enhancement reading, not evaluated (MR-IMG).
    assert_eq!(
        run("{long_axis: 15, viable: 0}, {long_axis: 12}"),
        (Some(NonTargetResponse::Ne), OverallResponse::Pr)
    );
}

/// MR-NT-CR, R11-COALESCE for a target followed as a non-target (MR-TGT-ELIG) that coalesces
/// with a target: the carrier holds the whole mass, so the merged lesion enhances as the
/// carrier does. Merged into a target without viable tumour after an overall CR, it is no
/// disease seen again (it was PD); merged into an enhancing one it is.
#[test]
fn mr_nt_cr_a_demoted_target_merged_into_a_non_enhancing_target_is_not_viable() {
    let text = |carrier: &str| {
        format!(
            "
subject: H2
treatment_start: 2023-01-05
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: T2, site: liver segment 4, role: target, hcc_typical: true}}
assessments:
  - date: 2023-01-03
    findings: {{T1: {{long_axis: 50, viable: 40}}, T2: {{long_axis: 30, viable: 8}}}}
  - date: 2023-02-20
    findings: {{T1: {{long_axis: 50, viable: 0}}, T2: {{long_axis: 30, viable: 0}}}}
  - date: 2023-04-20
    findings:
      T1: {carrier}
      T2: {{merged_into: T1}}
"
        )
    };
    let run = |carrier: &str| {
        let r = assess(&rules("mrecist", &[]), &text(carrier));
        let all = scope(&r, Scope::All);
        let tp = all.timepoints[2].follow_up.as_ref().unwrap();
        (tp.non_target, tp.overall)
    };
    assert_eq!(
        run("{long_axis: 70, viable: 0}"),
        (Some(NonTargetResponse::Cr), OverallResponse::Cr)
    );
    assert_eq!(run("{long_axis: 70, viable: 6}").1, OverallResponse::Pd);
}

/// MR-NEW-ATYPICAL: an atypical new liver lesion first listed without a size has no size to
/// grow from at that sighting; its growth is measured from its first measured sighting
/// (14 mm), so at 25 mm (+11 mm) it counts. It stayed EQUIVOCAL for ever before ("grown 0 mm").
#[test]
fn mr_new_atypical_growth_counts_from_the_first_measured_sighting() {
    let text = "
subject: C2
treatment_start: 2023-01-05
lesions:
  - {id: T1, site: liver, role: target, hcc_typical: true}
assessments:
  - date: 2023-01-03
    findings: {T1: {long_axis: 50, viable: 40}}
  - date: 2023-02-20
    findings: {T1: {long_axis: 50, viable: 38}}
    new_lesions: [{id: NEW1, site: liver segment 5}]
  - date: 2023-04-20
    findings: {T1: {long_axis: 50, viable: 38}}
    new_lesions: [{id: NEW1, site: liver segment 5, long_axis: 14}]
  - date: 2023-06-20
    findings: {T1: {long_axis: 50, viable: 38}}
    new_lesions: [{id: NEW1, site: liver segment 5, long_axis: 25}]
";
    let r = assess(&rules("mrecist", &[]), text);
    let all = scope(&r, Scope::All);
    let new: Vec<_> = all.timepoints[1..]
        .iter()
        .map(|t| t.follow_up.as_ref().unwrap().new_lesions)
        .collect();
    use recist_model::NewLesions::{Equivocal, Yes};
    assert_eq!(new, vec![Equivocal, Equivocal, Yes]);
    assert_eq!(
        all.progression.as_ref().map(|p| p.date),
        Some(date("2023-06-20"))
    );
}

/// MR-NT-IRSD, MR-IMG (`non_target_response.viability_unstated`): a typical liver non-target
/// reported `present` after an overall CR without saying whether it enhances. Read as
/// enhancing (the default) it is disease seen again: PD, with the reading named in the
/// explanation. Read as not evaluated it is non-target NE, so with target CR the overall is PR
/// (AMB-M5), not PD. Said not to enhance it stays in CR either way; an extrahepatic non-target
/// is not read by enhancement, so `present` stays PD whatever the setting.
#[test]
fn mr_nt_irsd_present_without_viability_after_cr_follows_viability_unstated() {
    let text = |site: &str, third: &str| {
        format!(
            "
subject: V1
treatment_start: 2023-01-05
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: NT1, site: {site}, role: non-target, hcc_typical: true}}
assessments:
  - date: 2023-01-03
    findings: {{T1: {{long_axis: 50, viable: 40}}, NT1: present}}
  - date: 2023-02-20
    findings: {{T1: {{long_axis: 50, viable: 0}}, NT1: {{status: present, viable: false}}}}
  - date: 2023-04-20
    findings: {{T1: {{long_axis: 50, viable: 0}}, NT1: {third}}}
"
        )
    };
    let run = |setting: &str, site: &str, third: &str| {
        let rules = rules(
            "mrecist",
            &[("non_target_response.viability_unstated", setting)],
        );
        let r = assess(&rules, &text(site, third));
        let all = scope(&r, Scope::All);
        let follow = all.timepoints[2].follow_up.as_ref().unwrap();
        let named = follow
            .explanations
            .iter()
            .any(|e| e.detail.contains("viability_unstated"));
        (follow.non_target, follow.overall, named)
    };
    assert_eq!(
        run("enhancing", "liver segment 6", "present"),
        (Some(NonTargetResponse::Pd), OverallResponse::Pd, true)
    );
    assert_eq!(
        run("not-evaluated", "liver segment 6", "present"),
        (Some(NonTargetResponse::Ne), OverallResponse::Pr, true)
    );
    for setting in ["enhancing", "not-evaluated"] {
        assert_eq!(
            run(
                setting,
                "liver segment 6",
                "{status: present, viable: false}"
            ),
            (Some(NonTargetResponse::Cr), OverallResponse::Cr, false)
        );
        assert_eq!(
            run(setting, "lung", "present").1,
            OverallResponse::Pd,
            "{setting}"
        );
    }
}

/// MR-PHNODE with R11-TSTM: a porta hepatis target node below 20 mm, followed as a
/// non-target under mRECIST, reported too small to measure counts 5 mm
/// (`measurement.too_small_mm`), so it is a normal node, gone, as at 12 mm. It was read as
/// present: NON-CR/NON-PD, and after a CR a non-target seen again, PD (a false progression).
#[test]
fn mr_phnode_a_demoted_node_too_small_to_measure_is_normal() {
    let text = |second: &str, third: &str| {
        format!(
            "
subject: N1
treatment_start: 2024-01-01
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: N1, site: porta hepatis lymph node, role: target, nodal: true}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 40, viable: 30}}, N1: {{short_axis: 17}}}}
  - date: 2024-02-12
    findings: {{T1: {{long_axis: 40, viable: 0}}, N1: {second}}}
  - date: 2024-03-25
    findings: {{T1: {{long_axis: 40, viable: 0}}, N1: {third}}}
"
        )
    };
    let responses = |second: &str, third: &str| {
        let r = assess(&rules("mrecist", &[]), &text(second, third));
        let s = scope(&r, Scope::All);
        let tps: Vec<(NonTargetResponse, OverallResponse)> = s
            .timepoints
            .iter()
            .filter_map(|t| t.follow_up.as_ref())
            .map(|f| (f.non_target.unwrap(), f.overall))
            .collect();
        (tps, s.progression.is_some())
    };
    use NonTargetResponse::Cr as NtCr;
    use OverallResponse::Cr;
    // Too small from the first follow-up.
    assert_eq!(
        responses("too-small", "too-small"),
        (vec![(NtCr, Cr), (NtCr, Cr)], false)
    );
    // 12 mm (normal), then too small: no disease seen again after the CR.
    assert_eq!(
        responses("{short_axis: 12}", "too-small"),
        (vec![(NtCr, Cr), (NtCr, Cr)], false)
    );
    // At 20 mm it is pathological again: after the CR, PD (AMB-01).
    let (tps, progressed) = responses("too-small", "{short_axis: 20}");
    assert_eq!(tps[1].1, OverallResponse::Pd);
    assert!(progressed);
}
