//! Rules of the reference whose behaviour is not a timepoint table: each test is named after
//! its rule ID and asserts the engine's answer on a small case written in the case format.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_engine::{assess_subject, derive_best, derive_best_recorded, derive_best_recorded_as};
use recist_model::{OverallResponse, Scope, SubjectResult};

mod common;
use common::{assess, rules, scope, subject};

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const RESPONDER: &str = "
subject: R-1
treatment_start: 2021-01-11
lesions:
  - {id: T1, site: lung, role: target}
assessments:
  - date: 2021-01-04
    findings: {T1: {long_axis: 40}}
  - date: 2021-02-22
    findings: {T1: {long_axis: 25}}
  - date: 2021-04-12
    findings: {T1: {long_axis: 24}}
  - date: 2021-06-07
    findings: {T1: {long_axis: 35}}
";

/// R11-CONF-WHEN: the confirmed and unconfirmed best responses are both reported; whether the
/// protocol requires confirmation decides which one starts the duration of response.
#[test]
fn r11_conf_when_required_or_not() {
    let required = assess(&rules("recist-1.1", &[]), RESPONDER);
    let not_required = assess(
        &rules("recist-1.1", &[("confirmation.required", "false")]),
        RESPONDER,
    );
    for r in [&required[0], &not_required[0]] {
        assert_eq!(r.best_overall_response, Some(OverallResponse::Pr));
        assert_eq!(r.confirmed_best_overall_response, Some(OverallResponse::Pr));
    }
    let dor = |r: &SubjectResult| {
        r.endpoints
            .as_ref()
            .unwrap()
            .duration_of_response
            .clone()
            .unwrap()
    };
    // 25 → 24 → 35 mm: PD at the last scan (+11 mm, +45.8 % over the nadir 24).
    assert_eq!(dor(&required[0]).duration_days, Some(105));
    assert_eq!(dor(&not_required[0]).duration_days, Some(105));
    assert_eq!(
        required[0].response_dates.confirmation,
        Some(date("2021-04-12"))
    );
}

/// R11-PD-NOCONF: PD needs no confirmation; a single PD is the best response, confirmed or not.
#[test]
fn r11_pd_noconf_single_pd_is_final() {
    let r = rules("recist-1.1", &[]);
    let b = derive_best(
        &r,
        &[(date("2021-02-01"), OverallResponse::Pd)],
        date("2021-01-01"),
        false,
    );
    assert_eq!(
        (b.unconfirmed, b.confirmed),
        (OverallResponse::Pd, OverallResponse::Pd)
    );
}

/// R11-SYMPT: symptomatic deterioration is not a response category: the vocabulary has no such
/// value, so recorded data cannot smuggle it in as one.
#[test]
fn r11_sympt_is_not_a_response_category() {
    assert_eq!(OverallResponse::parse("SYMPTOMATIC DETERIORATION"), None);
    assert_eq!(OverallResponse::parse("PD"), Some(OverallResponse::Pd));
}

/// AMB-08: a CR followed by a recorded PR is recoded to PD under `progression` (with a
/// warning) and taken as recorded under `arithmetic`.
#[test]
fn amb_08_cr_then_pr_recorded() {
    let visits = [
        (date("2021-03-01"), OverallResponse::Cr),
        (date("2021-04-26"), OverallResponse::Pr),
    ];
    let (b, warnings) =
        derive_best_recorded(&rules("recist-1.1", &[]), &visits, date("2021-01-01"));
    assert_eq!(b.confirmed, OverallResponse::Sd);
    assert_eq!(warnings.len(), 1);
    let (b, warnings) = derive_best_recorded(
        &rules(
            "recist-1.1",
            &[("timepoint.disease_after_cr", "arithmetic")],
        ),
        &visits,
        date("2021-01-01"),
    );
    assert_eq!(b.confirmed, OverallResponse::Pr);
    assert!(warnings.is_empty());
}

/// R11-OR-T2 / R11-BOR-DEF: a subject with non-target disease only (SDTM RS TRGRESP `NA`,
/// so `non_target_only`) whose recorded overall response is `SD` (which Table 2 does not
/// have) got SD as its unconfirmed best response but NON-CR/NON-PD as its confirmed one.
/// The stable category is NON-CR/NON-PD throughout (section 7.1): both are NON-CR/NON-PD,
/// with the recoding explained; a mix of SD and NON-CR/NON-PD recordings gives the same.
#[test]
fn r11_or_t2_recorded_sd_for_non_target_only_disease_is_non_cr_non_pd_confirmed_or_not() {
    let rules = rules("recist-1.1", &[]);
    let reference = date("2021-01-04");
    for visits in [
        vec![(date("2021-02-15"), OverallResponse::Sd)],
        vec![
            (date("2021-02-15"), OverallResponse::Sd),
            (date("2021-03-29"), OverallResponse::NonCrNonPd),
        ],
        vec![
            (date("2021-02-15"), OverallResponse::NonCrNonPd),
            (date("2021-03-29"), OverallResponse::Sd),
            (date("2021-05-10"), OverallResponse::Pd),
        ],
    ] {
        let (b, _) = derive_best_recorded_as(&rules, &visits, reference, true);
        assert_eq!(b.unconfirmed, OverallResponse::NonCrNonPd, "{visits:?}");
        assert_eq!(b.confirmed, OverallResponse::NonCrNonPd, "{visits:?}");
        assert!(
            b.explanations
                .iter()
                .any(|e| e.rule == "R11-OR-T2" && e.detail.contains("counts as NON-CR/NON-PD")),
            "{:?}",
            b.explanations
        );
    }
    // With targets, SD stays SD and nothing is recoded.
    let visits = [(date("2021-02-15"), OverallResponse::Sd)];
    let (b, _) = derive_best_recorded_as(&rules, &visits, reference, false);
    assert_eq!(
        (b.unconfirmed, b.confirmed),
        (OverallResponse::Sd, OverallResponse::Sd)
    );
    assert!(b.explanations.iter().all(|e| e.rule != "R11-OR-T2"));
}

/// R11-SD-MIN for non-target-only disease: a recorded SD (TRGRESP `NA`) before the SD minimum
/// counts as NE in both best responses, as NON-CR/NON-PD would; at or after it, as
/// NON-CR/NON-PD in both. Followed by PD before the minimum's next visit, both are PD.
#[test]
fn r11_sd_min_recorded_sd_for_non_target_only_disease_is_read_alike_confirmed_or_not() {
    let rules = rules("recist-1.1", &[]);
    let reference = date("2021-01-04");
    // Day 28, then PD on day 70.
    let early = [
        (date("2021-02-01"), OverallResponse::Sd),
        (date("2021-03-15"), OverallResponse::Pd),
    ];
    let (b, _) = derive_best_recorded_as(&rules, &early, reference, true);
    assert_eq!(
        (b.unconfirmed, b.confirmed),
        (OverallResponse::Pd, OverallResponse::Pd)
    );
    // Day 28 alone: NE.
    let (b, _) = derive_best_recorded_as(&rules, &early[..1], reference, true);
    assert_eq!(
        (b.unconfirmed, b.confirmed),
        (OverallResponse::Ne, OverallResponse::Ne)
    );
    // Day 42 exactly (inclusive): NON-CR/NON-PD.
    let on_time = [(date("2021-02-15"), OverallResponse::Sd)];
    let (b, _) = derive_best_recorded_as(&rules, &on_time, reference, true);
    assert_eq!(
        (b.unconfirmed, b.confirmed),
        (OverallResponse::NonCrNonPd, OverallResponse::NonCrNonPd)
    );
}

/// AMB-10: lengths are exact hundredths of a millimetre; a third decimal is refused rather
/// than rounded.
#[test]
fn amb_10_measurement_precision() {
    let text = RESPONDER.replace("{long_axis: 25}", "{long_axis: 25.125}");
    let err = recist_io::read_case_text(&text, "case.yaml", false)
        .unwrap()
        .remove(0)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than two decimals"), "{err}");
    let exact = RESPONDER.replace("{long_axis: 25}", "{long_axis: 28.01}");
    let r = assess(&rules("recist-1.1", &[]), &exact);
    // 28.01 / 40 = −29.975 %: not PR, although it displays as −29.98 %.
    let f = r[0].timepoints[1].follow_up.as_ref().unwrap();
    assert_eq!(f.change_from_baseline_pct, Some(-29.98));
    assert_eq!(f.overall, OverallResponse::Sd);
}

/// AMB-14: unequivocal non-target progression is the reader's judgement, given as input.
#[test]
fn amb_14_non_target_progression_is_reader_input() {
    let text = "
subject: N-1
lesions:
  - {id: T1, site: lung, role: target}
  - {id: NT1, site: pleura, role: non-target, kind: effusion}
assessments:
  - date: 2021-01-04
    findings: {T1: {long_axis: 40}, NT1: present}
  - date: 2021-02-22
    findings: {T1: {long_axis: 20}, NT1: progression}
";
    let r = assess(&rules("recist-1.1", &[]), text);
    let f = r[0].timepoints[1].follow_up.as_ref().unwrap();
    assert_eq!(f.overall, OverallResponse::Pd);
    assert!(f.reasons.contains(&"R11-NT-PD".to_string()));
}

const HCC: &str = "
subject: H-1
treatment_start: 2021-01-11
radiotherapy:
  - {id: RT1, site: liver, start: 2021-01-11, end: 2021-02-05, total_dose_gy: 50, fractions: 10, lesions: [T1]}
lesions:
  - {id: T1, site: liver segment 7, role: target, hcc_typical: true}
  - {id: T2, site: left lung, role: target}
assessments:
  - date: 2021-01-04
    findings: {T1: {long_axis: 60, viable: 50}, T2: {long_axis: 20}}
  - date: 2021-03-01
    findings: {T1: {long_axis: 58, viable: 30}, T2: {long_axis: 13}}
  - date: 2021-04-26
    findings: {T1: {long_axis: 55, viable: 30}, T2: {long_axis: 15}}
";

/// AMB-M2: mRECIST PR is judged against the baseline viable sum (50 + 20 = 70 mm), not the
/// whole-lesion sum (80 mm): 30 + 13 = 43 mm is −38.6 % (PR).
#[test]
fn amb_m2_pr_against_baseline_viable_sum() {
    let r = assess(&rules("mrecist", &[]), HCC);
    let all = scope(&r, Scope::All);
    assert_eq!(
        all.timepoints[0].sum_mm.map(|m| m.to_string()),
        Some("70".into())
    );
    assert_eq!(
        all.timepoints[1].follow_up.as_ref().unwrap().overall,
        OverallResponse::Pr
    );
    let recist = assess(&rules("recist-1.1", &[]), HCC);
    // RECIST 1.1: 58 + 13 = 71 of 80 mm, −11.25 %: SD.
    assert_eq!(
        scope(&recist, Scope::All).timepoints[1]
            .follow_up
            .as_ref()
            .unwrap()
            .overall,
        OverallResponse::Sd
    );
}

/// AMB-M5: NE handling is inherited from RECIST 1.1 under mRECIST: a target not evaluated
/// whose absence could change the category gives NE.
#[test]
fn amb_m5_ne_inherited() {
    let text = HCC.replace(
        "findings: {T1: {long_axis: 58, viable: 30}, T2: {long_axis: 13}}",
        "findings: {T1: not-evaluated, T2: {long_axis: 13}}",
    );
    let r = assess(&rules("mrecist", &[]), &text);
    let f = scope(&r, Scope::All).timepoints[1]
        .follow_up
        .as_ref()
        .unwrap()
        .clone();
    assert_eq!(f.target, Some(recist_model::TargetResponse::Ne));
    assert_eq!(f.overall, OverallResponse::Ne);
}

/// RT-IN-PTV, RT-IN-CENTROID, RT-COM-VOL, RT-ISODOSE, RT-MARGINAL, RT-OUT: the engine does not
/// guess field membership from geometry; the field's lesion list and each new lesion's `field`
/// (inside, `marginal:`, or none) are the input, however the centre decided them.
#[test]
fn rt_in_ptv_rt_in_centroid_rt_com_vol_rt_isodose_rt_out_membership_is_input() {
    let r = assess(&rules("recist-1.1", &[]), HCC);
    let in_field = scope(&r, Scope::InField);
    let out = scope(&r, Scope::OutOfField);
    assert_eq!(
        in_field.timepoints[0].sum_mm.map(|m| m.to_string()),
        Some("60".into())
    );
    assert_eq!(
        out.timepoints[0].sum_mm.map(|m| m.to_string()),
        Some("20".into())
    );
}

/// RT-ABS-1, RT-ABS-2: the non-irradiated lung target shrinks 20 → 13 mm (−35 %) after the end
/// of radiotherapy: an abscopal response. RT-ABS-3: the out-of-field scope has its own best
/// response (PR unconfirmed: 15 mm is −25 % at the next scan).
#[test]
fn rt_abs_1_rt_abs_2_rt_abs_3_abscopal_response() {
    let r = assess(&rules("recist-1.1", &[]), HCC);
    let out = scope(&r, Scope::OutOfField);
    let a = out.abscopal.as_ref().unwrap();
    assert!(a.any);
    assert_eq!(
        a.lesions[0].smallest_mm.map(|m| m.to_string()),
        Some("13".into())
    );
    assert_eq!(out.best_overall_response, Some(OverallResponse::Pr));
    assert_eq!(
        out.confirmed_best_overall_response,
        Some(OverallResponse::Sd)
    );
    // Only shrinkage after the end date counts: move the end past the first follow-up.
    let late = HCC.replace("end: 2021-02-05", "end: 2021-03-05");
    let r = assess(&rules("recist-1.1", &[]), &late);
    let a = scope(&r, Scope::OutOfField).abscopal.clone().unwrap();
    assert!(!a.any, "15 mm on 2021-04-26 is −25 %");
    assert!(a.evaluable, "T2 was measured after the end date");
    // With no scan after the end date the answer is not evaluable, not "no".
    let unscanned = HCC.replace("end: 2021-02-05", "end: 2021-05-05");
    let r = assess(&rules("recist-1.1", &[]), &unscanned);
    let a = scope(&r, Scope::OutOfField).abscopal.clone().unwrap();
    assert!(!a.any && !a.evaluable, "{a:?}");
    assert!(
        scope(&assess(&rules("recist-1.1", &[]), HCC), Scope::OutOfField)
            .abscopal
            .as_ref()
            .unwrap()
            .evaluable
    );
    // A second course without an end date does not move the cut-off, and the result says so.
    let open_course = HCC.replace(
        "lesions: [T1]}",
        "lesions: [T1]}\n  - {id: RT2, site: liver, start: 2021-02-08, lesions: []}",
    );
    let r = assess(&rules("recist-1.1", &[]), &open_course);
    let out = scope(&r, Scope::OutOfField);
    assert_eq!(
        out.abscopal.as_ref().unwrap().after.map(|d| d.to_string()),
        Some("2021-02-05".into())
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("course `RT2` has no end date") && w.contains("after 2021-02-05")),
        "{:?}",
        out.warnings
    );
}

/// AMB-RT1, RT-MARGINAL for a baseline lesion: the lung target T2 given at the margin of RT1
/// (`field: "marginal:RT1"`) counts in-field by default and out-of-field with
/// `radiotherapy.marginal_lesions: out-of-field`, as a marginal new lesion does (the baseline
/// sums move with it); RT-ABS-1: either way it is no abscopal lesion (it received part of the
/// dose), so the out-of-field scope's abscopal response has no target left.
#[test]
fn amb_rt1_rt_marginal_a_baseline_lesion_at_the_margin_follows_the_parameter() {
    let marginal = HCC.replace(
        "role: target}\nassessments",
        "role: target, field: \"marginal:RT1\"}\nassessments",
    );
    assert_ne!(marginal, HCC);
    let baseline_sum = |r: &[SubjectResult], s: Scope| {
        r.iter()
            .find(|x| x.scope == s)
            .and_then(|x| x.timepoints[0].sum_mm)
            .map(|m| m.to_string())
    };
    let default = assess(&rules("recist-1.1", &[]), &marginal);
    assert_eq!(baseline_sum(&default, Scope::InField), Some("80".into()));
    assert_eq!(
        baseline_sum(&default, Scope::OutOfField),
        None,
        "no lesion left out of the field"
    );
    let out = assess(
        &rules(
            "recist-1.1",
            &[("radiotherapy.marginal_lesions", "out-of-field")],
        ),
        &marginal,
    );
    assert_eq!(baseline_sum(&out, Scope::InField), Some("60".into()));
    assert_eq!(baseline_sum(&out, Scope::OutOfField), Some("20".into()));
    let out_of_field = scope(&out, Scope::OutOfField);
    assert!(
        out_of_field.abscopal.is_none(),
        "{:?}",
        out_of_field.abscopal
    );
    assert!(
        out_of_field
            .warnings
            .iter()
            .any(|w| w.contains("`T2` of `RT1`") && w.contains("count out-of-field")),
        "{:?}",
        out_of_field.warnings
    );
}

/// Section 6 (field status `unknown`; AMB-RT1 has no standard to guess by): a lesion whose
/// place relative to the field is unknown is in neither field scope. T2 grows 20 → 13 → 40 mm:
/// the `all` sum 80 → 71 → 95 (+24 mm from the nadir, +33.8 %) is PD, which out of the field
/// would be out-of-field PD; in neither scope, the site is `combined`, no relapse-free
/// survival has an event, the out-of-field scope has no lesion, and every result names T2.
#[test]
fn amb_rt1_unknown_field_status_is_in_neither_scope() {
    let unknown = HCC
        .replace(
            "role: target}\nassessments",
            "role: target, field: unknown}\nassessments",
        )
        .replace("T2: {long_axis: 15}", "T2: {long_axis: 40}");
    let r = assess(&rules("recist-1.1", &[]), &unknown);
    let all = scope(&r, Scope::All);
    assert_eq!(
        all.timepoints[2].follow_up.as_ref().unwrap().overall,
        OverallResponse::Pd
    );
    let p = all.progression.as_ref().unwrap();
    assert_eq!(p.site.as_deref(), Some("combined"));
    let e = all.endpoints.as_ref().unwrap();
    assert!(!e.in_field_relapse_free_survival.as_ref().unwrap().event);
    assert!(!e.out_of_field_relapse_free_survival.as_ref().unwrap().event);
    assert!(
        r.iter().all(|x| x.scope != Scope::OutOfField),
        "T2 is in no scope"
    );
    assert_eq!(
        scope(&r, Scope::InField).timepoints[0]
            .sum_mm
            .map(|m| m.to_string()),
        Some("60".into())
    );
    assert!(
        r.iter().all(|x| x
            .warnings
            .iter()
            .any(|w| w.contains("field status unknown for `T2`"))),
        "{r:?}"
    );
}

/// R11-COALESCE: one lesion carries the merged mass. Two lesions merged into each other (no
/// carrier: the mass would count nowhere, a false CR), a chain, and a non-nodal lesion merged
/// into a node (measured on another axis) are refused at the assessment and lesion; a plain
/// merge counts the merged lesion 0 mm and the carrier's measurement.
#[test]
fn r11_coalesce_needs_one_carrier_of_the_same_kind() {
    let rules = rules("recist-1.1", &[]);
    let case = |second: &str| {
        format!(
            "
subject: M-1
lesions:
  - {{id: T1, site: liver, role: target}}
  - {{id: T2, site: liver, role: target}}
  - {{id: T3, site: lung, role: target}}
  - {{id: N1, site: axillary lymph node, role: target, nodal: true}}
assessments:
  - {{date: 2024-01-01, findings: {{T1: {{long_axis: 20}}, T2: {{long_axis: 20}}, T3: {{long_axis: 20}}, N1: {{short_axis: 20}}}}}}
  - {{date: 2024-02-15, findings: {{{second}}}}}
"
        )
    };
    let refused = |second: &str| {
        assess_subject(&rules, &subject(&case(second)))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("{second}: adjudicated"))
    };
    let e = refused(
        "T1: {merged_into: T2}, T2: {merged_into: T1}, T3: {long_axis: 20}, N1: {short_axis: 20}",
    );
    assert!(
        e.contains("2024-02-15") && e.contains("`T1`") && e.contains("itself merged into `T1`"),
        "{e}"
    );
    let e = refused(
        "T1: {merged_into: T2}, T2: {merged_into: T3}, T3: {long_axis: 50}, N1: {short_axis: 20}",
    );
    assert!(e.contains("itself merged into `T3`"), "{e}");
    let e = refused(
        "T1: {merged_into: N1}, T2: {long_axis: 20}, T3: {long_axis: 20}, N1: {short_axis: 8}",
    );
    assert!(
        e.contains("a non-nodal lesion cannot merge into `N1`, a lymph node"),
        "{e}"
    );
    let ok = assess(
        &rules,
        &case(
            "T1: {merged_into: T2}, T2: {long_axis: 35}, T3: {long_axis: 20}, N1: {short_axis: 20}",
        ),
    );
    let tp = &scope(&ok, Scope::All).timepoints[1];
    assert_eq!(tp.sum_mm.map(|s| s.to_string()), Some("75".into()));
}

/// R11-TSTM with R11-TGT-CR and R11-REAPPEAR-NODE: a node too small to measure counts 5 mm,
/// which is normal for a node: target CR, before or after an earlier CR (not disease seen
/// again); a non-nodal target too small to measure is still there (not CR; PD after a CR).
#[test]
fn r11_tstm_a_node_too_small_to_measure_is_normal() {
    let rules = rules("recist-1.1", &[]);
    // The third finding: a node keeps its actual short axis (R11-NODE-RECORD); a non-nodal
    // target has gone.
    let case = |id: &str, site: &str, nodal: bool, axis: &str, third: &str| {
        format!(
            "
subject: S-1
lesions: [{{id: {id}, site: {site}, role: target, nodal: {nodal}}}]
assessments:
  - {{date: 2024-01-01, findings: {{{id}: {{{axis}: 20}}}}}}
  - {{date: 2024-02-15, findings: {{{id}: too-small}}}}
  - {{date: 2024-03-30, findings: {{{id}: {third}}}}}
  - {{date: 2024-05-15, findings: {{{id}: too-small}}}}
"
        )
    };
    let overall = |yaml: &str| -> Vec<OverallResponse> {
        scope(&assess(&rules, yaml), Scope::All).timepoints[1..]
            .iter()
            .map(|t| t.follow_up.as_ref().unwrap().overall)
            .collect()
    };
    use OverallResponse::{Cr, Pd, Pr};
    assert_eq!(
        overall(&case(
            "N1",
            "axillary lymph node",
            true,
            "short_axis",
            "{short_axis: 8}"
        )),
        [Cr, Cr, Cr]
    );
    assert_eq!(
        overall(&case("T1", "liver", false, "long_axis", "absent")),
        [Pr, Cr, Pd]
    );
}

/// AMB-RT2 scope isolation: a new lesion outside every field enters the `out-of-field` scope
/// only (its PD, not the in-field one's), and a new lesion inside a field the `in-field` scope
/// only; the `all` scope sees both.
#[test]
fn amb_rt2_new_lesions_enter_one_field_scope_only() {
    let with_new = |field: &str| {
        HCC.replace(
            "findings: {T1: {long_axis: 55, viable: 30}, T2: {long_axis: 15}}",
            &format!(
                "findings: {{T1: {{long_axis: 55, viable: 30}}, T2: {{long_axis: 15}}}}\n    new_lesions: [{{id: N1, site: liver segment 2, field: {field}}}]"
            ),
        )
    };
    let last = |r: &[SubjectResult], s: Scope| {
        scope(r, s).timepoints[2]
            .follow_up
            .as_ref()
            .unwrap()
            .overall
    };
    let outside = assess(&rules("recist-1.1", &[]), &with_new("none"));
    assert_eq!(last(&outside, Scope::All), OverallResponse::Pd);
    assert_eq!(last(&outside, Scope::OutOfField), OverallResponse::Pd);
    assert_ne!(last(&outside, Scope::InField), OverallResponse::Pd);
    let inside = assess(&rules("recist-1.1", &[]), &with_new("RT1"));
    assert_eq!(last(&inside, Scope::All), OverallResponse::Pd);
    assert_eq!(last(&inside, Scope::InField), OverallResponse::Pd);
    assert_ne!(last(&inside, Scope::OutOfField), OverallResponse::Pd);
}

/// MR-IMG for a target followed as a non-target (AMB-M3): a typical HCC lesion measured on its
/// viable diameter has no enhancement reading when only its long axis is given, so it is not
/// evaluated, not disease present again: after an mRECIST CR that would be a false PD.
#[test]
fn mr_img_a_demoted_liver_lesion_without_viable_diameter_is_not_evaluated() {
    let text = "
subject: I04
treatment_start: 2024-01-03
lesions:
  - {id: T1, site: liver, role: target, hcc_typical: true}
  - {id: T2, site: liver, role: target, hcc_typical: true}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 50, viable: 40}, T2: {long_axis: 30, viable: 8}}
  - date: 2024-02-14
    findings: {T1: {long_axis: 45, viable: 0}, T2: {long_axis: 29, viable: 0}}
  - date: 2024-03-27
    findings: {T1: {long_axis: 45, viable: 0}, T2: {long_axis: 28}}
";
    let r = assess(&rules("mrecist", &[]), text);
    let all = scope(&r, Scope::All);
    let f = |i: usize| all.timepoints[i].follow_up.as_ref().unwrap();
    assert_eq!(f(1).overall, OverallResponse::Cr);
    assert_eq!(f(2).non_target, Some(recist_model::NonTargetResponse::Ne));
    assert_eq!(f(2).overall, OverallResponse::Pr);
    assert!(
        f(2).reasons.contains(&"MR-IMG".to_string()),
        "{:?}",
        f(2).reasons
    );
    assert!(all.progression.is_none());
}

/// MR-NT-CR counts a non-target that no longer enhances as complete; a lymph node is judged
/// by its size (R11-NT-CR), not by enhancement: "present, not viable" keeps it NON-CR/NON-PD.
#[test]
fn mr_nt_cr_a_node_is_judged_by_size_not_enhancement() {
    let text = |site: &str, nodal: bool| {
        format!(
            "
subject: A03
treatment_start: 2024-01-03
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: NT1, site: {site}, role: non-target, nodal: {nodal}}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 60, viable: 50}}, NT1: present}}
  - date: 2024-02-14
    findings: {{T1: {{long_axis: 55, viable: 0}}, NT1: {{status: present, viable: false}}}}
"
        )
    };
    let overall = |yaml: &str| {
        let r = assess(&rules("mrecist", &[]), yaml);
        let f = scope(&r, Scope::All).timepoints[1]
            .follow_up
            .clone()
            .unwrap();
        (f.non_target, f.overall)
    };
    use recist_model::NonTargetResponse as N;
    assert_eq!(
        overall(&text("hilar lymph node", true)),
        (Some(N::NonCrNonPd), OverallResponse::Pr)
    );
    assert_eq!(
        overall(&text("liver segment 2", false)),
        (Some(N::Cr), OverallResponse::Cr)
    );
}

/// MR-NEW-TYPICAL: a new typical liver lesion counts from 10 mm on its longest diameter; a
/// finding that gives only its viable diameter gives a lower bound of it (the whole lesion is
/// at least as long): 15 mm viable counts, 8 mm viable alone stays EQUIVOCAL.
#[test]
fn mr_new_typical_a_viable_diameter_alone_bounds_the_size() {
    let text = |viable: u32| {
        format!(
            "
subject: C14
treatment_start: 2024-01-03
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 60, viable: 50}}}}
  - date: 2024-02-14
    findings: {{T1: {{long_axis: 55, viable: 30}}}}
    new_lesions: [{{id: NEW1, site: liver segment 3, hcc_typical: true, viable: {viable}}}]
"
        )
    };
    let new = |viable: u32| {
        let r = assess(&rules("mrecist", &[]), &text(viable));
        scope(&r, Scope::All).timepoints[1]
            .follow_up
            .as_ref()
            .unwrap()
            .new_lesions
    };
    assert_eq!(new(15), recist_model::NewLesions::Yes);
    assert_eq!(new(8), recist_model::NewLesions::Equivocal);
}

/// R11-NODE-NORMAL for a nodal non-target found present with its short axis (SDTM `LPERP`):
/// the rule set's threshold decides, a site's included — 15 mm is pathological under RECIST
/// 1.1 (10 mm) and normal at the porta hepatis under mRECIST (MR-PHNODE, 20 mm).
#[test]
fn r11_node_normal_a_measured_nodal_non_target_meets_the_rule_set_s_threshold() {
    use recist_model::{Finding, Mm, NonTargetFinding, NonTargetResponse, NonTargetStatus};
    let text = "
subject: PH-1
treatment_start: 2024-01-03
lesions:
  - {id: T1, site: lung, role: target}
  - {id: NT1, site: porta hepatis lymph node, role: non-target, nodal: true}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 30}, NT1: present}
  - date: 2024-02-14
    findings: {T1: absent, NT1: present}
";
    let mut case = recist_io::read_case_text(text, "case.yaml", false)
        .unwrap()
        .remove(0)
        .unwrap();
    case.subject.assessments[1].findings.insert(
        "NT1".into(),
        Finding::NonTarget(NonTargetFinding {
            status: NonTargetStatus::Present,
            viable: None,
            cytology: None,
            short_axis: Some(Mm::from_mm(15)),
            increased: false,
        }),
    );
    let non_target = |id: &str| {
        let r = recist_engine::assess_subject(&rules(id, &[]), &case.subject).unwrap();
        let all = scope(&r, Scope::All);
        (
            all.timepoints[1].follow_up.as_ref().unwrap().non_target,
            all.warnings
                .iter()
                .any(|w| w.contains("`NT1` 15 mm short axis")),
        )
    };
    assert_eq!(
        non_target("recist-1.1"),
        (Some(NonTargetResponse::NonCrNonPd), false)
    );
    assert_eq!(non_target("mrecist"), (Some(NonTargetResponse::Cr), true));
}

/// MR-MEAS, MR-NEW-TYPICAL with the rule set's `site_aliases`: a target at `right hepatic
/// lobe` is a liver target (measured on its viable diameter) and a new 8 mm typical nodule at
/// `hepatic segment 8` is a liver lesion under 10 mm (equivocal), not an extrahepatic new
/// lesion (which would be PD). Before the aliases both sites were read as extrahepatic:
/// SD by the whole-lesion axis and PD by the new nodule.
#[test]
fn mr_meas_mr_new_typical_hepatic_sites_are_the_liver() {
    let text = "
subject: HEP-1
treatment_start: 2024-01-03
lesions:
  - {id: T1, site: right hepatic lobe, role: target, hcc_typical: true}
assessments:
  - date: 2024-01-01
    findings: {T1: {long_axis: 60, viable: 50}}
  - date: 2024-02-14
    findings: {T1: {long_axis: 55, viable: 20}}
    new_lesions: [{id: NEW1, site: hepatic segment 8, hcc_typical: true, viable: 8}]
";
    let r = assess(&rules("mrecist", &[]), text);
    let tp = &scope(&r, Scope::All).timepoints[1];
    assert_eq!(tp.sum_mm, Some(recist_model::Mm::from_mm(20)));
    let fu = tp.follow_up.as_ref().unwrap();
    assert_eq!(fu.target, Some(recist_model::TargetResponse::Pr));
    assert_eq!(fu.new_lesions, recist_model::NewLesions::Equivocal);
    assert_eq!(fu.overall, OverallResponse::Pr);
    // The hepatic flexure is the colon: a new 8 mm lesion there is extrahepatic (MR-NEW-EXTRA).
    let colon = text.replace("hepatic segment 8", "hepatic flexure");
    let r = assess(&rules("mrecist", &[]), &colon);
    let fu = scope(&r, Scope::All).timepoints[1]
        .follow_up
        .as_ref()
        .unwrap();
    assert_eq!(fu.new_lesions, recist_model::NewLesions::Yes);
    assert_eq!(fu.overall, OverallResponse::Pd);
}

/// R11-TGT-MAX with the rule set's `site_aliases`: `liver segment 4`, `hepatic segment 8` and
/// `right hepatic lobe` are three targets in one organ, more than the two allowed.
#[test]
fn r11_tgt_max_organ_aliases_count_toward_the_organ() {
    let text = |third: &str| {
        format!(
            "
subject: HEP-2
treatment_start: 2024-01-03
lesions:
  - {{id: T1, site: liver segment 4, role: target}}
  - {{id: T2, site: hepatic segment 8, role: target}}
  - {{id: T3, site: {third}, role: target}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 30}}, T2: {{long_axis: 20}}, T3: {{long_axis: 25}}}}
"
        )
    };
    let rules = rules("recist-1.1", &[]);
    let three_in_liver = assess_subject(&rules, &subject(&text("right hepatic lobe"))).unwrap_err();
    assert!(
        three_in_liver.to_string().contains("organ `liver`"),
        "{three_in_liver}"
    );
    assert!(assess_subject(&rules, &subject(&text("right pulmonary lobe"))).is_ok());
}

/// MR-EFFUSION and R11-NONMEAS when a case file leaves `kind` out: a site that names the kind
/// (`ascites`, `right pleural effusion`) gives it, so mRECIST still needs cytology for PD. The
/// same case with the kinds written out gives the same responses.
#[test]
fn mr_effusion_a_site_that_names_the_kind_gives_it() {
    let text = "
subject: EFF-1
treatment_start: 2024-08-07
lesions:
  - {id: T1, site: liver, role: target, hcc_typical: true}
  - {id: NT1, site: malignant ascites, role: non-target}
assessments:
  - date: 2024-08-05
    findings:
      T1: {long_axis: 46, viable: 40}
      NT1: present
  - date: 2024-09-18
    findings:
      T1: {long_axis: 44, viable: 18}
      NT1: {status: progression, cytology: negative}
    new_lesions:
      - {id: NEW1, site: right pleural effusion}
";
    let tp = |text: &str| {
        let r = assess(&rules("mrecist", &[]), text);
        let fu = scope(&r, Scope::All).timepoints[1]
            .follow_up
            .clone()
            .unwrap();
        (fu.non_target, fu.new_lesions, fu.overall)
    };
    let inferred = tp(text);
    assert_eq!(
        inferred,
        (
            Some(recist_model::NonTargetResponse::NonCrNonPd),
            recist_model::NewLesions::Equivocal,
            OverallResponse::Pr
        )
    );
    let explicit = text
        .replace(
            "site: malignant ascites,",
            "site: malignant ascites, kind: ascites,",
        )
        .replace(
            "site: right pleural effusion}",
            "site: right pleural effusion, kind: effusion}",
        );
    assert_eq!(tp(&explicit), inferred);
    // A site that does not name the kind stays an ordinary lesion (the reader's word).
    let ordinary = text.replace("malignant ascites", "peritoneum");
    assert_eq!(tp(&ordinary).2, OverallResponse::Pd);
}

/// MR-EFFUSION for a new effusion: without cytology, or with negative cytology, it is
/// equivocal; with positive cytology it is a new lesion (PD), dated back to its first sighting
/// like any equivocal lesion confirmed later (R11-NEW-EQUIV, AMB-07 default).
#[test]
fn mr_effusion_a_new_effusion_with_positive_cytology_is_a_new_lesion() {
    let text = |second: &str, third: &str| {
        format!(
            "
subject: EFF-2
treatment_start: 2024-08-07
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
assessments:
  - date: 2024-08-05
    findings: {{T1: {{long_axis: 46, viable: 40}}}}
  - date: 2024-09-18
    findings: {{T1: {{long_axis: 44, viable: 18}}}}
    new_lesions: [{{id: NEW1, site: right pleura, kind: effusion{second}}}]
  - date: 2024-10-30
    findings: {{T1: {{long_axis: 43, viable: 15}}}}
    new_lesions: [{{id: NEW1, site: right pleura, kind: effusion{third}}}]
"
        )
    };
    let run = |second: &str, third: &str| {
        let r = assess(&rules("mrecist", &[]), &text(second, third));
        let all = scope(&r, Scope::All);
        let new: Vec<_> = all.timepoints[1..]
            .iter()
            .map(|t| t.follow_up.as_ref().unwrap().new_lesions)
            .collect();
        (new, all.progression.as_ref().map(|p| p.date))
    };
    use recist_model::NewLesions::{Equivocal, Yes};
    assert_eq!(run("", ""), (vec![Equivocal, Equivocal], None));
    assert_eq!(
        run(", cytology: negative", ", cytology: negative"),
        (vec![Equivocal, Equivocal], None)
    );
    assert_eq!(
        run("", ", cytology: positive"),
        (vec![Equivocal, Yes], Some(date("2024-09-18")))
    );
    assert_eq!(
        run(", cytology: positive", ", cytology: positive"),
        (vec![Yes, Yes], Some(date("2024-09-18")))
    );
    // Sampled negative first, positive next: it was not proven malignant at the first
    // sighting, so progression is dated to the positive one, not back.
    assert_eq!(
        run(", cytology: negative", ", cytology: positive"),
        (vec![Equivocal, Yes], Some(date("2024-10-30")))
    );
    // RECIST 1.1 needs no cytology: the new effusion is a new lesion when first seen.
    let r = assess(&rules("recist-1.1", &[]), &text("", ""));
    assert_eq!(
        scope(&r, Scope::All).progression.as_ref().map(|p| p.date),
        Some(date("2024-09-18"))
    );
}

/// R11-BOR-DEF: best response runs from treatment start. A scan after the baseline but on or
/// before treatment start (day 0 and before) is no follow-up: its timepoint is reported, with
/// a warning, but it neither enters the best response nor starts progression (a PD on day −3
/// made the best response PD and PFS an event at a negative time). `recist bor` leaves such
/// recorded responses out the same way.
#[test]
fn r11_bor_def_a_scan_on_or_before_treatment_start_is_no_follow_up() {
    let case = "
subject: R-PRE
treatment_start: 2021-01-11
lesions:
  - {id: T1, site: lung, role: target}
assessments:
  - date: 2020-12-21
    findings: {T1: {long_axis: 40}}
  - date: 2021-01-08
    findings: {T1: {long_axis: 55}}
  - date: 2021-03-01
    findings: {T1: {long_axis: 45}}
  - date: 2021-04-26
    findings: {T1: {long_axis: 46}}
";
    let r = &assess(&rules("recist-1.1", &[]), case)[0];
    let pre = r.timepoints[1].follow_up.as_ref().unwrap();
    assert_eq!(
        pre.overall,
        OverallResponse::Pd,
        "the timepoint is still reported"
    );
    assert_eq!(r.best_overall_response, Some(OverallResponse::Sd));
    assert_eq!(r.confirmed_best_overall_response, Some(OverallResponse::Sd));
    assert_eq!(r.progression, None);
    let pfs = &r.endpoints.as_ref().unwrap().progression_free_survival;
    assert!(!pfs.event && pfs.days >= 0, "{pfs:?}");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("2021-01-08") && w.contains("R11-BOR-DEF")),
        "{:?}",
        r.warnings
    );
    assert!(
        r.best_response_reasons
            .iter()
            .any(|e| e.rule == "R11-BOR-DEF" && e.detail.contains("2021-01-08")),
        "{:?}",
        r.best_response_reasons
    );
    // A scan on the day of treatment start is no follow-up either.
    let r = &assess(
        &rules("recist-1.1", &[]),
        &case.replace("2021-01-08", "2021-01-11"),
    )[0];
    assert_eq!(r.best_overall_response, Some(OverallResponse::Sd));
    assert_eq!(r.progression, None);
}

/// R11-BL-WINDOW: the baseline is at most 28 days *before* treatment start; a baseline after
/// treatment start is outside the window too, and is said (a warning, as for one too early).
#[test]
fn r11_bl_window_a_baseline_after_treatment_start_is_warned() {
    let case = RESPONDER.replace("date: 2021-01-04", "date: 2021-01-15");
    let r = &assess(&rules("recist-1.1", &[]), &case)[0];
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("after treatment start") && w.contains("R11-BL-WINDOW")),
        "{:?}",
        r.warnings
    );
    let r = &assess(&rules("recist-1.1", &[]), RESPONDER)[0];
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// R11-NEW-EQUIV with R11-BOR-DEF: an equivocal new lesion first listed on a scan before
/// treatment start, confirmed on treatment, dated progression back to that scan: a PFS event
/// before day 0. Progression is dated back only to a sighting on follow-up (here none, so it is
/// the confirming scan); a sighting on treatment still dates it back.
#[test]
fn r11_new_equiv_is_not_dated_back_before_treatment_start() {
    let case = "
subject: R-EQ
treatment_start: 2021-01-11
lesions:
  - {id: T1, site: lung, role: target}
assessments:
  - date: 2020-12-21
    findings: {T1: {long_axis: 40}}
  - date: 2021-01-08
    findings: {T1: {long_axis: 40}}
    new_lesions: [{id: N1, site: bone, long_axis: 8, equivocal: true}]
  - date: 2021-03-01
    findings: {T1: {long_axis: 38}}
    new_lesions: [{id: N1, site: bone, long_axis: 8, equivocal: true}]
  - date: 2021-04-26
    findings: {T1: {long_axis: 38}}
    new_lesions: [{id: N1, site: bone, long_axis: 12}]
";
    let r = &assess(&rules("recist-1.1", &[]), case)[0];
    assert_eq!(r.progression.as_ref().unwrap().date, date("2021-03-01"));
    let without_follow_up_sighting = {
        let mut lines: Vec<&str> = case.lines().collect();
        // Drop the on-treatment equivocal sighting (its new_lesions line).
        let at = lines
            .iter()
            .rposition(|l| l.contains("equivocal: true"))
            .unwrap();
        lines.remove(at);
        lines.join("\n")
    };
    let r = &assess(&rules("recist-1.1", &[]), &without_follow_up_sighting)[0];
    let p = r.progression.as_ref().unwrap();
    assert_eq!(p.date, date("2021-04-26"));
    assert!(p.day > 0, "{p:?}");
}

/// AMB-12 in explanations: with `best_response.reference: baseline` the SD minimum counts days
/// from the baseline scan, while every `day` of the timeline counts from treatment start. The
/// SD-minimum reason said "SD on 2021-02-10 is day 40" for a timepoint the timeline calls day
/// 30; the reasons now say which date the SD minimum counts from.
#[test]
fn amb_12_sd_min_reasons_name_their_reference_date() {
    let case = "
subject: R-REF
treatment_start: 2021-01-11
lesions:
  - {id: T1, site: lung, role: target}
assessments:
  - date: 2021-01-01
    findings: {T1: {long_axis: 40}}
  - date: 2021-02-10
    findings: {T1: {long_axis: 38}}
  - date: 2021-04-05
    findings: {T1: {long_axis: 60}}
";
    let r = &assess(
        &rules("recist-1.1", &[("best_response.reference", "baseline")]),
        case,
    )[0];
    assert_eq!(r.timepoints[1].day, 30);
    assert_eq!(r.best_overall_response, Some(OverallResponse::Pd));
    assert!(
        r.best_response_reasons
            .iter()
            .any(|e| e.rule == "R11-SD-MIN"
                && e.detail.contains("2021-01-01")
                && e.detail.contains("best_response.reference")),
        "{:?}",
        r.best_response_reasons
    );
    // Counted from treatment start (the default), days agree: nothing more is said.
    let r = &assess(&rules("recist-1.1", &[]), case)[0];
    assert!(
        !r.best_response_reasons
            .iter()
            .any(|e| e.detail.contains("best_response.reference")),
        "{:?}",
        r.best_response_reasons
    );
}

/// R11-BOR-DEF with `best_response.stop_at` (the reference's protocol parameter `bor.stop_at`):
/// by default the window ends at a new anticancer therapy, so a PR that follows it is not the
/// study treatment's response; `progression` keeps it. A scan on the therapy's own day counts.
/// A new therapy before day 0 is refused.
#[test]
fn r11_bor_def_stop_at_new_therapy() {
    let text = |new_therapy: &str| {
        format!(
            "
subject: NT-1
treatment_start: 2021-01-11
follow_up: {{last_known_alive: 2021-06-01, new_therapy: {new_therapy}}}
lesions:
  - {{id: T1, site: lung, role: target}}
assessments:
  - date: 2021-01-04
    findings: {{T1: {{long_axis: 50}}}}
  - date: 2021-02-24
    findings: {{T1: {{long_axis: 45}}}}
  - date: 2021-04-07
    findings: {{T1: {{long_axis: 30}}}}
  - date: 2021-05-19
    findings: {{T1: {{long_axis: 28}}}}
"
        )
    };
    let best = |sets: &[(&str, &str)], new_therapy: &str| {
        let r = assess(&rules("recist-1.1", sets), &text(new_therapy));
        let all = scope(&r, Scope::All).clone();
        (
            all.confirmed_best_overall_response,
            all.best_response_reasons,
        )
    };
    let (bor, reasons) = best(&[], "2021-03-01");
    assert_eq!(bor, Some(OverallResponse::Sd));
    assert!(
        reasons.iter().any(
            |e| e.rule == "R11-BOR-DEF" && e.detail.contains("2021-04-07, 2021-05-19 left out")
        ),
        "{reasons:?}"
    );
    let (bor, _) = best(&[("best_response.stop_at", "progression")], "2021-03-01");
    assert_eq!(bor, Some(OverallResponse::Pr));
    // On the day of the scan: the scan counts (taken before the therapy), the next does not.
    let (bor, _) = best(&[], "2021-04-07");
    assert_eq!(
        bor,
        Some(OverallResponse::Sd),
        "PR on 2021-04-07 unconfirmed"
    );
    let unconfirmed = assess(&rules("recist-1.1", &[]), &text("2021-04-07"));
    assert_eq!(
        scope(&unconfirmed, Scope::All).best_overall_response,
        Some(OverallResponse::Pr)
    );
    // Without a new therapy nothing changes.
    let plain = text("null");
    let r = assess(&rules("recist-1.1", &[]), &plain);
    assert_eq!(
        scope(&r, Scope::All).confirmed_best_overall_response,
        Some(OverallResponse::Pr)
    );
    // Before treatment start: a date is wrong.
    let err = assess_subject(&rules("recist-1.1", &[]), &subject(&text("2021-01-05"))).unwrap_err();
    assert!(err.to_string().contains("before day 0"), "{err}");
}

/// MR-NEW-EXTRA, MR-TGT-ELIG and R11-TGT-MAX with `site_aliases`: a prefix joined to an alias
/// by a hyphen makes another word (`extra-hepatic` is not `hepatic`, `retro-peritoneal` is
/// not `peritoneal`), so `extra-hepatic lesion` is not the liver's `hepatic lesion`: a new
/// 14 mm extrahepatic lesion is PD under mRECIST, as it is spelt `extrahepatic lesion`.
#[test]
fn mr_new_extra_a_hyphenated_prefix_is_not_the_alias() {
    let text = |site: &str| {
        format!(
            "
subject: HEP-3
treatment_start: 2023-01-11
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
assessments:
  - date: 2023-01-09
    findings: {{T1: {{long_axis: 50, viable: 42}}}}
  - date: 2023-02-22
    findings: {{T1: {{long_axis: 47, viable: 20}}}}
    new_lesions: [{{id: NEW1, site: {site}, long_axis: 14}}]
"
        )
    };
    let overall = |site: &str| {
        let r = assess(&rules("mrecist", &[]), &text(site));
        scope(&r, Scope::All).timepoints[1]
            .follow_up
            .as_ref()
            .unwrap()
            .overall
    };
    for site in [
        "extrahepatic lesion",
        "extra-hepatic lesion",
        "Extra-Hepatic metastasis",
        "peri-hepatic mass",
        "non-hepatic lesion",
    ] {
        assert_eq!(overall(site), OverallResponse::Pd, "{site}");
    }
    // The alias itself, or hyphens between its own words, still name the liver.
    for site in [
        "hepatic lesion",
        "right hepatic-lobe",
        "intra hepatic lesion",
    ] {
        assert_eq!(overall(site), OverallResponse::Pr, "{site}");
    }
    // R11-TGT-MAX: a retroperitoneal or subcutaneous mass is not the peritoneum or the skin.
    let organs = |third: &str| {
        format!(
            "
subject: ORG-1
treatment_start: 2024-01-03
lesions:
  - {{id: T1, site: peritoneum, role: target}}
  - {{id: T2, site: peritoneal implant, role: target}}
  - {{id: T3, site: {third}, role: target}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 30}}, T2: {{long_axis: 20}}, T3: {{long_axis: 25}}}}
"
        )
    };
    let r11 = rules("recist-1.1", &[]);
    assert!(assess_subject(&r11, &subject(&organs("retro-peritoneal mass"))).is_ok());
    assert!(assess_subject(&r11, &subject(&organs("peritoneal nodule"))).is_err());
}

/// MR-EFFUSION and MR-NT-PD when a case file leaves `kind` out: a kind named after `with`,
/// `without` or `no` describes something beside the lesion, not the lesion. `peritoneal
/// carcinomatosis with ascites` progressing is non-target PD and a new `omental cake with
/// ascites` is a new lesion (no cytology needed), while `malignant ascites with septations`
/// is still ascites.
#[test]
fn mr_effusion_a_kind_named_after_with_is_not_the_lesion_s_kind() {
    let text = |nt: &str, new: &str| {
        format!(
            "
subject: EFF-3
treatment_start: 2023-01-11
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: NT1, site: '{nt}', role: non-target}}
assessments:
  - date: 2023-01-09
    findings: {{T1: {{long_axis: 50, viable: 40}}, NT1: present}}
  - date: 2023-02-22
    findings: {{T1: {{long_axis: 50, viable: 38}}, NT1: {{status: progression}}}}
    new_lesions: [{{id: NEW1, site: '{new}', long_axis: 30}}]
"
        )
    };
    let tp = |nt: &str, new: &str| {
        let r = assess(&rules("mrecist", &[]), &text(nt, new));
        let fu = scope(&r, Scope::All).timepoints[1]
            .follow_up
            .clone()
            .unwrap();
        (fu.non_target, fu.new_lesions)
    };
    use recist_model::NewLesions::{Equivocal, Yes};
    use recist_model::NonTargetResponse::{NonCrNonPd, Pd};
    assert_eq!(
        tp(
            "peritoneal carcinomatosis with ascites",
            "omental cake with ascites"
        ),
        (Some(Pd), Yes)
    );
    assert_eq!(
        tp("peritoneum, no ascites", "pleural nodule w/ effusion"),
        (Some(Pd), Yes)
    );
    assert_eq!(
        tp(
            "malignant ascites with septations",
            "right pleural effusion"
        ),
        (Some(NonCrNonPd), Equivocal)
    );
}

/// MR-MEAS and MR-NEW-TYPICAL: a lesion marked `hcc_typical` whose site the rule set does not
/// read as the liver (`segment VIII`: lungs have segments too, so it is no alias) is measured
/// and counted as extrahepatic; the result says so in a warning instead of silently. A site
/// read as the liver, or a rule set without liver conditions (RECIST 1.1), gives none.
#[test]
fn mr_meas_a_typical_lesion_outside_the_liver_sites_is_warned() {
    let text = |target: &str, new: &str| {
        format!(
            "
subject: TYP-1
treatment_start: 2023-01-11
lesions:
  - {{id: T1, site: '{target}', role: target, hcc_typical: true}}
assessments:
  - date: 2023-01-09
    findings: {{T1: {{long_axis: 50, viable: 40}}}}
  - date: 2023-02-22
    findings: {{T1: {{long_axis: 48, viable: 20}}}}
    new_lesions: [{{id: NEW1, site: '{new}', long_axis: 8, hcc_typical: true}}]
  - date: 2023-04-05
    findings: {{T1: {{long_axis: 48, viable: 20}}}}
    new_lesions: [{{id: NEW1, site: '{new}', long_axis: 8, hcc_typical: true}}]
"
        )
    };
    let warned = |set: &str, target: &str, new: &str| -> Vec<String> {
        let r = assess(&rules(set, &[]), &text(target, new));
        scope(&r, Scope::All)
            .warnings
            .iter()
            .filter(|w| w.contains("hcc_typical"))
            .cloned()
            .collect()
    };
    let w = warned("mrecist", "segment VIII", "S7");
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("`T1`") && w[0].contains("`segment VIII`") && w[0].contains("liver"),
        "{w:?}"
    );
    assert!(w[1].contains("`NEW1`") && w[1].contains("`S7`"), "{w:?}");
    assert!(warned("mrecist", "right hepatic lobe", "liver segment 7").is_empty());
    assert!(warned("recist-1.1", "segment VIII", "S7").is_empty());
}

/// R11-NONMEAS: a target refused for its kind says the kind and the site, so a kind read from
/// the site (no `kind` given) is visible: `right pleural effusion` is of kind `effusion`.
#[test]
fn r11_nonmeas_refusal_names_the_kind_and_the_site() {
    let text = "
subject: NM-1
lesions:
  - {id: T1, site: lung, role: target}
  - {id: T2, site: right pleural effusion, role: target}
assessments:
  - date: 2023-01-09
    findings: {T1: {long_axis: 30}, T2: {long_axis: 40}}
";
    let err = assess_subject(&rules("recist-1.1", &[]), &subject(text))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("of kind `effusion` at `right pleural effusion` is not measurable"),
        "{err}"
    );
}

/// AMB-13 and `new_lesions.node_without_short_axis`: a new node listed without a short axis.
/// `new` (the bundled default) takes the reader's word: PD at first sighting. `equivocal`
/// waits: EQUIVOCAL until a later sighting gives a short axis of at least 10 mm, then PD dated
/// back to the first sighting (AMB-07); a later short axis below 10 mm is no new lesion.
#[test]
fn amb_13_new_node_without_short_axis() {
    let text = |later: &str| {
        format!(
            "
subject: NODE-1
treatment_start: 2024-01-08
lesions:
  - {{id: T1, site: lung, role: target}}
assessments:
  - date: 2024-01-05
    findings: {{T1: {{long_axis: 40}}}}
  - date: 2024-03-04
    findings: {{T1: {{long_axis: 38}}}}
    new_lesions: [{{id: NEW1, site: mediastinal lymph node, nodal: true}}]
  - date: 2024-04-29
    findings: {{T1: {{long_axis: 37}}}}
    new_lesions: [{{id: NEW1, site: mediastinal lymph node, nodal: true{later}}}]
"
        )
    };
    let run = |value: &str, later: &str| {
        let r = assess(
            &rules(
                "recist-1.1",
                &[("new_lesions.node_without_short_axis", value)],
            ),
            &text(later),
        );
        let all = scope(&r, Scope::All);
        let new: Vec<_> = all.timepoints[1..]
            .iter()
            .map(|t| t.follow_up.as_ref().unwrap().new_lesions)
            .collect();
        (new, all.progression.as_ref().map(|p| p.date.to_string()))
    };
    use recist_model::NewLesions::{Equivocal, No, Yes};
    assert_eq!(
        run("new", ""),
        (vec![Yes, Yes], Some("2024-03-04".to_string()))
    );
    assert_eq!(run("equivocal", ""), (vec![Equivocal, Equivocal], None));
    assert_eq!(
        run("equivocal", ", short_axis: 12"),
        (vec![Equivocal, Yes], Some("2024-03-04".to_string()))
    );
    assert_eq!(
        run("equivocal", ", short_axis: 8"),
        (vec![Equivocal, No], None)
    );
    // The bundled rule set says `new`, as before this parameter was named.
    let bundled = recist_rules::RuleSet::bundled("recist-1.1").unwrap();
    assert_eq!(
        bundled.doc().new_lesions.node_without_short_axis,
        recist_rules::NodeWithoutShortAxis::New
    );
}

/// MR-TGT-ELIG, MR-MEAS with the rule set's `site_reading`: `hepatic segment of the IVC` holds
/// the liver's alias `hepatic segment` but is the inferior vena cava (a part word before `of`
/// reads what follows it), so a non-typical target there is no liver target: it is not
/// demoted to a non-target and it is measured on its long axis (PR). Read as the liver, it
/// was demoted (MR-TGT-ELIG: not typical HCC), which left no target at all.
#[test]
fn mr_tgt_elig_hepatic_segment_of_the_ivc_is_not_the_liver() {
    let text = |site: &str| {
        format!(
            "
subject: IVC-1
treatment_start: 2024-01-03
lesions:
  - {{id: T1, site: {site}, role: target}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 30}}}}
  - date: 2024-02-14
    findings: {{T1: {{long_axis: 18}}}}
"
        )
    };
    let run = |site: &str| {
        let r = assess(&rules("mrecist", &[]), &text(site));
        let all = scope(&r, Scope::All);
        let demoted = r[0].warnings.iter().any(|w| w.contains("MR-TGT-ELIG"))
            || all.timepoints[1]
                .follow_up
                .as_ref()
                .unwrap()
                .target
                .is_none();
        let fu = all.timepoints[1].follow_up.as_ref().unwrap();
        (demoted, fu.overall)
    };
    for site in [
        "hepatic segment of the IVC",
        "Hepatic Segment of the inferior vena cava",
        "portal vein",
        "right portal vein branch",
        "hepatic segment IVC",
    ] {
        assert_eq!(run(site), (false, OverallResponse::Pr), "{site}");
    }
    // The liver itself, however named, is a liver site: a non-typical target is demoted.
    for site in [
        "liver",
        "right hepatic lobe",
        "right lobe of the liver",
        "segment 7 of the liver",
        "lesion in the hepatic dome",
        "liver lesion at the IVC",
    ] {
        assert!(run(site).0, "{site}");
    }
}

/// R11-TGT-MAX with `site_reading`: a site whose head is a node or a vessel is that structure,
/// not the organ named beside it. With `liver segment 4` and `hepatic segment 8` as targets,
/// a third target at `hepatic segment of the IVC`, `lymph node of the liver hilum` (given
/// here without `nodal`, as a free-text site) or `liver hilum lymph node` is not a third liver
/// target; `right lobe of the liver` is.
#[test]
fn r11_tgt_max_a_vessel_or_node_beside_the_liver_is_not_the_liver() {
    let text = |third: &str| {
        format!(
            "
subject: HEP-4
treatment_start: 2024-01-03
lesions:
  - {{id: T1, site: liver segment 4, role: target}}
  - {{id: T2, site: hepatic segment 8, role: target}}
  - {{id: T3, site: {third}, role: target}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 30}}, T2: {{long_axis: 20}}, T3: {{long_axis: 25}}}}
"
        )
    };
    let rules = rules("recist-1.1", &[]);
    for third in [
        "hepatic segment of the IVC",
        "lymph node of the liver hilum",
        "liver hilum lymph node",
        "hepatic hilum lymph node",
    ] {
        assert!(
            assess_subject(&rules, &subject(&text(third))).is_ok(),
            "{third}"
        );
    }
    for third in [
        "right lobe of the liver",
        "liver",
        "metastasis in the caudate lobe",
    ] {
        let err = assess_subject(&rules, &subject(&text(third))).unwrap_err();
        assert!(err.to_string().contains("organ `liver`"), "{third}: {err}");
    }
}

/// R11-NODE-ORGAN and MR-PHNODE with `site_reading`: `lymph node of the liver hilum` and
/// `hepatic hilum lymph node` are nodes (one organ with the other nodes), and the node site
/// thresholds still find `liver hilum` / `hepatic hilum` in them: a 16 mm target node there
/// is below mRECIST's 20 mm and is followed as a non-target (MR-PHNODE), as at `porta
/// hepatis`; a mediastinal node of 16 mm stays a target.
#[test]
fn r11_node_organ_mr_phnode_a_node_of_the_liver_hilum_is_a_hilar_node() {
    let text = |site: &str| {
        format!(
            "
subject: PH-1
treatment_start: 2024-01-03
lesions:
  - {{id: T1, site: liver, role: target, hcc_typical: true}}
  - {{id: N1, site: {site}, role: target, nodal: true}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 40, viable: 30}}, N1: {{short_axis: 16}}}}
  - date: 2024-02-14
    findings: {{T1: {{long_axis: 40, viable: 28}}, N1: {{short_axis: 16}}}}
"
        )
    };
    let sum = |site: &str| {
        let r = assess(&rules("mrecist", &[]), &text(site));
        scope(&r, Scope::All).timepoints[0].sum_mm
    };
    for site in [
        "lymph node of the liver hilum",
        "hepatic hilum lymph node",
        "porta hepatis node",
    ] {
        assert_eq!(sum(site), Some(recist_model::Mm::from_mm(30)), "{site}");
    }
    assert_eq!(
        sum("mediastinal lymph node"),
        Some(recist_model::Mm::from_mm(46))
    );
}
