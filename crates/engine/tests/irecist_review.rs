//! iRECIST review: adversarial scenarios run through the engine (case files in the case
//! format), each named after the rule it checks. Every scenario is also fed scan by scan to
//! a [`Tracker`], whose result must be the one `assess_subject` gives.
//!
//! The subject: targets T1 (lung, varying) and T2 (liver, 50 mm) — baseline sum 100 mm — and a
//! bone non-target NT1. Baseline 2021-01-04, treatment from 2021-01-05.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_engine::Tracker;
use recist_model::{OverallResponse as O, Scope, SubjectResult};
use recist_rules::RuleSet;

mod common;
use common::irecist_case::{Scan, case_text, date, overall, progression};
use common::{rules, subject};

fn case_with(extra: &str, scans: &[Scan<'_>]) -> String {
    case_text("IRR-1", extra, scans)
}

/// Every scope's result of `yaml`, checked against a tracker fed one scan at a time.
fn assess_both(rules: &RuleSet, yaml: &str) -> Vec<SubjectResult> {
    let s = subject(yaml);
    let all = recist_engine::assess_subject(rules, &s).unwrap();
    for r in &all {
        let mut header = s.clone();
        header.assessments.truncate(1);
        let mut t = Tracker::start(rules, &header, r.scope).unwrap().unwrap();
        for a in s.assessments.iter().skip(1) {
            t.assess(a).unwrap();
        }
        let scan_by_scan = t.result();
        // The `all` result of a subject with radiotherapy is completed from the other scopes.
        if s.radiotherapy.is_empty() {
            assert_eq!(&scan_by_scan, r, "Tracker and assess_subject differ");
        } else {
            assert_eq!(scan_by_scan.timepoints, r.timepoints);
            assert_eq!(scan_by_scan.best_overall_response, r.best_overall_response);
        }
    }
    all
}

fn run_with(rules: &RuleSet, extra: &str, scans: &[Scan<'_>]) -> SubjectResult {
    assess_both(rules, &case_with(extra, scans)).remove(0)
}

fn run(scans: &[Scan<'_>]) -> SubjectResult {
    run_with(&rules("irecist", &[]), "", scans)
}

const N1: &str = "[{id: N1, site: brain, long_axis: 12}]";
const N1_N2: &str = "[{id: N1, site: brain, long_axis: 12}, {id: N2, site: skin, long_axis: 11}]";

// --- 1. iUPD by each category, confirmed by each other category (IR-CPD-OTHER) ---

#[test]
fn ir_cpd_other_every_pair_of_categories() {
    // (iUPD scan, confirming scan, rule the confirmation cites)
    let target = ("2021-03-01", 72, "present", "");
    let nt = ("2021-03-01", 50, "progression", "");
    let new = ("2021-03-01", 50, "present", N1);
    // Confirming scans 35 days later, each showing progression of another category only.
    let by_target_after_nt = ("2021-04-05", 72, "progression", "");
    let by_target_after_new = ("2021-04-05", 72, "present", N1);
    let by_nt_after_target = ("2021-04-05", 72, "progression", "");
    let by_nt_after_new = ("2021-04-05", 50, "progression", N1);
    let by_new_after_target = ("2021-04-05", 72, "present", N1);
    let by_new_after_nt = ("2021-04-05", 50, "progression", N1);
    for (first, second) in [
        (target, by_nt_after_target),
        (target, by_new_after_target),
        (nt, by_target_after_nt),
        (nt, by_new_after_nt),
        (new, by_target_after_new),
        (new, by_nt_after_new),
    ] {
        let r = run(&[first, second]);
        assert_eq!(overall(&r), [O::IUpd, O::ICpd], "{first:?} then {second:?}");
        assert_eq!(progression(&r), Some(date("2021-03-01")));
        let reasons = &r.timepoints[2].follow_up.as_ref().unwrap().reasons;
        assert!(reasons.contains(&"IR-CPD-OTHER".to_string()), "{reasons:?}");
    }
}

// --- 2. iUPD, NE, then a confirming scan ---

/// IR-REMAIN: an NE between the iUPD and the confirming scan does not break the block (Table 3
/// example 8 keeps iUPD through NE); the confirming scan within 8 weeks of the iUPD confirms it,
/// dated to the iUPD.
#[test]
fn ir_remain_ne_between_iupd_and_confirmation() {
    let y = case_with(
        "",
        &[
            ("2021-03-01", 72, "present", ""),
            ("2021-03-29", 99, "present", ""),
            ("2021-04-19", 80, "present", ""),
        ],
    )
    .replace("T1: {long_axis: 99}", "T1: not-evaluated");
    let r = assess_both(&rules("irecist", &[]), &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::Ne, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    assert!(
        !r.warnings.iter().any(|w| w.contains("IR-CONF-WIN")),
        "{:?}",
        r.warnings
    );
}

// --- 3. iUPD, a scan at 3 weeks with no change, one at 6 weeks with growth ---

#[test]
fn ir_conf_win_no_change_at_three_weeks_growth_at_six() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-03-22", 72, "present", ""),
        ("2021-04-12", 77, "present", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

// --- 4. Cumulative target growth: +3 then +3 from the iUPD sum ---

#[test]
fn ir_cpd_tgt_cumulative_three_then_three() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 75, "present", ""),
        ("2021-05-10", 78, "present", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

/// IR-CONF-WIN: the FAQ's own sequence iUPD, iUPD, iUPD, iCPD (each 5 weeks apart) confirms at
/// the fourth assessment, 105 days after the first iUPD: every assessment of the block that
/// stays iUPD is followed by a confirmatory one (IR-REMAIN), so the late limit counts from the
/// last assessment of the block, and the confirmation is no "late scan".
#[test]
fn ir_conf_win_late_limit_counts_from_the_last_iupd_of_the_block() {
    let scans = [
        ("2021-03-01", 50, "present", N1),
        (
            "2021-04-05",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 13}]",
        ),
        (
            "2021-05-10",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 14}]",
        ),
        (
            "2021-06-14",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 17}]",
        ),
    ];
    let r = run(&scans);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::IUpd, O::ICpd]);
    assert!(
        !r.warnings.iter().any(|w| w.contains("IR-CONF-WIN")),
        "{:?}",
        r.warnings
    );
    let strict = rules("irecist", &[("irecist.late_scan_confirms", "false")]);
    let r = run_with(&strict, "", &scans);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

// --- 5. Reset, then a second iUPD, then confirmation ---

#[test]
fn ir_cpd_date_after_reset_is_the_second_iupd() {
    let r = run(&[
        ("2021-03-01", 50, "present", N1),
        ("2021-04-05", 30, "present", ""),
        ("2021-05-10", 30, "present", N1_N2),
        ("2021-06-14", 30, "progression", N1_N2),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-05-10")));
    let pfs = &r.endpoints.as_ref().unwrap().progression_free_survival;
    assert!(pfs.event);
    assert_eq!(pfs.date, date("2021-05-10"));
}

// --- 6. Equivocal new lesion, later unequivocal ---

/// R11-NEW-EQUIV under iRECIST: N1 equivocal on 03-01, unequivocal on 04-05 (iUPD), confirmed
/// by N2 on 05-10: progression dated back to the first sighting (AMB-07 default `keep`: the
/// 03-01 timepoint stays as assessed).
#[test]
fn ir_cpd_date_equivocal_new_lesion_is_dated_back() {
    let r = run(&[
        (
            "2021-03-01",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 12, equivocal: true}]",
        ),
        ("2021-04-05", 50, "present", N1),
        ("2021-05-10", 50, "present", N1_N2),
    ]);
    assert_eq!(overall(&r), [O::ISd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

/// AMB-07 `rewrite-earlier` under iRECIST is refused when the rule set is made, with a reason
/// (IR-CPD-DATE dates a confirmed progression to its iUPD): no silent mix of the two.
#[test]
fn amb_07_rewrite_earlier_refused_under_irecist() {
    let sets = vec![(
        "new_lesions.equivocal_confirmed".to_string(),
        "rewrite-earlier".to_string(),
    )];
    let e = RuleSet::bundled("irecist")
        .unwrap()
        .with_overrides(None, &sets)
        .unwrap_err();
    assert!(e.to_string().contains("IR-CPD-DATE"), "{e}");
}

// --- 7. Radiotherapy scopes ---

/// Each scope runs its own iRECIST state: in-field target iUPD confirmed in the `all` scope by
/// an out-of-field new lesion (IR-CPD-OTHER) stays unconfirmed in each field scope.
#[test]
fn ir_upd_radiotherapy_scopes_each_run_their_own_state() {
    let rt = "radiotherapy:\n  - {id: RT1, site: lung, start: 2021-01-05, end: 2021-01-20, total_dose_gy: 50, fractions: 5, lesions: [T1]}\n";
    let y = case_with(
        rt,
        &[
            ("2021-03-01", 72, "present", ""),
            ("2021-04-05", 72, "present", N1),
        ],
    );
    let all = assess_both(&rules("irecist", &[]), &y);
    let scope = |s| common::scope(&all, s);
    assert_eq!(overall(scope(Scope::All)), [O::IUpd, O::ICpd]);
    assert_eq!(progression(scope(Scope::All)), Some(date("2021-03-01")));
    // In the field: T1 only, 50 → 72 → 72: iUPD, iUPD, never confirmed.
    assert_eq!(overall(scope(Scope::InField)), [O::IUpd, O::IUpd]);
    assert_eq!(progression(scope(Scope::InField)), None);
    // Out of the field: T2 and NT1 unchanged, then N1: iSD… then iUPD, unconfirmed.
    assert_eq!(overall(scope(Scope::OutOfField)), [O::ISd, O::IUpd]);
    assert_eq!(progression(scope(Scope::OutOfField)), None);
    let e = scope(Scope::All).endpoints.as_ref().unwrap();
    assert!(!e.in_field_relapse_free_survival.as_ref().unwrap().event);
    assert!(!e.out_of_field_relapse_free_survival.as_ref().unwrap().event);
}

/// A scope without baseline lesions (all disease irradiated): its relapse under iRECIST is a
/// confirmed progression, as in a scope with lesions, not the first new lesion.
#[test]
fn ir_upd_scope_without_lesions_needs_confirmation() {
    let rt = "radiotherapy:\n  - {id: RT1, site: lung, start: 2021-01-05, end: 2021-01-20, total_dose_gy: 50, fractions: 5, lesions: [T1, T2, NT1]}\n";
    // One new lesion outside the field, never confirmed.
    let y = case_with(
        rt,
        &[
            ("2021-03-01", 50, "present", N1),
            ("2021-04-05", 50, "present", N1),
        ],
    );
    let all = assess_both(&rules("irecist", &[]), &y);
    let a = common::scope(&all, Scope::All);
    let e = a.endpoints.as_ref().unwrap();
    assert!(
        !e.out_of_field_relapse_free_survival.as_ref().unwrap().event,
        "{:?}",
        e.out_of_field_relapse_free_survival
    );
    // Confirmed by a second new lesion 35 days on: the relapse is dated to the first.
    let y = case_with(
        rt,
        &[
            ("2021-03-01", 50, "present", N1),
            ("2021-04-05", 50, "present", N1_N2),
        ],
    );
    let all = assess_both(&rules("irecist", &[]), &y);
    let e = common::scope(&all, Scope::All).endpoints.as_ref().unwrap();
    let out = e.out_of_field_relapse_free_survival.as_ref().unwrap();
    assert!(out.event);
    assert_eq!(out.date, date("2021-03-01"));
}

/// All disease irradiated (RT1: T1, T2, NT1), so the out-of-field scope holds no baseline
/// lesion and is only watched for new lesions. N3 is equivocal outside the field from 02-01;
/// N1 (03-01) starts an iUPD that N2 confirms on 04-05 (iCPD dated 03-01); N3 turns
/// unequivocal on 05-10.
fn equivocal_after_icpd_outside_the_field() -> String {
    let rt = "radiotherapy:\n  - {id: RT1, site: lung, start: 2021-01-05, end: 2021-01-20, total_dose_gy: 50, fractions: 5, lesions: [T1, T2, NT1]}\n";
    let n3e = "{id: N3, site: skin, long_axis: 11, equivocal: true}";
    let n3 = "{id: N3, site: skin, long_axis: 14}";
    let n1 = "{id: N1, site: brain, long_axis: 12}";
    let n2 = "{id: N2, site: adrenal, long_axis: 15}";
    case_with(
        rt,
        &[
            ("2021-02-01", 50, "present", &format!("[{n3e}]")),
            ("2021-03-01", 50, "present", &format!("[{n1}, {n3e}]")),
            ("2021-04-05", 50, "present", &format!("[{n1}, {n2}, {n3e}]")),
            ("2021-05-10", 50, "present", &format!("[{n1}, {n2}, {n3}]")),
        ],
    )
}

/// IR-CPD-DATE with R11-NEW-EQUIV in a scope without baseline lesions: the `all` scope moves
/// its confirmed progression back to 02-01 when N3, first seen equivocal then, turns
/// unequivocal after the iCPD (`ir_cpd_date_equivocal_lesion_confirmed_after_icpd_moves_the_date_back`).
/// Every new lesion is outside the field, so the out-of-field relapse is the same event and
/// carries the same date, not the 03-01 of the iUPD the watch stopped at.
#[test]
fn ir_cpd_date_scope_without_lesions_follows_an_equivocal_lesion_confirmed_after_icpd() {
    let all = assess_both(
        &rules("irecist", &[]),
        &equivocal_after_icpd_outside_the_field(),
    );
    let a = common::scope(&all, Scope::All);
    assert_eq!(overall(a), [O::ISd, O::IUpd, O::ICpd, O::ICpd]);
    assert_eq!(progression(a), Some(date("2021-02-01")));
    let p = a.progression.as_ref().unwrap();
    assert_eq!(p.first_pd_assessment, date("2021-04-05"));
    assert_eq!(p.site.as_deref(), Some("out-of-field"));
    let e = a.endpoints.as_ref().unwrap();
    let out = e.out_of_field_relapse_free_survival.as_ref().unwrap();
    assert!(out.event);
    assert_eq!(out.date, date("2021-02-01"));
    assert_eq!(out.date, e.progression_free_survival.date);
    assert!(!e.in_field_relapse_free_survival.as_ref().unwrap().event);
}

/// R11-NEW-EQUIV, the same case under RECIST 1.1: N1 makes 03-01 PD, N3 confirmed on 05-10
/// moves progression of the `all` scope back to 02-01, and the watched out-of-field scope's
/// relapse with it. Under AMB-07 `rewrite-earlier` the first PD assessment moves too, in both.
#[test]
fn r11_new_equiv_scope_without_lesions_follows_a_confirmation_after_pd() {
    let y = equivocal_after_icpd_outside_the_field();
    for (sets, first_pd) in [
        (vec![], "2021-03-01"),
        (
            vec![("new_lesions.equivocal_confirmed", "rewrite-earlier")],
            "2021-02-01",
        ),
    ] {
        let all = common::assess(&rules("recist-1.1", &sets), &y);
        let a = common::scope(&all, Scope::All);
        let p = a.progression.as_ref().unwrap();
        assert_eq!(p.date, date("2021-02-01"), "{sets:?}");
        assert_eq!(p.first_pd_assessment, date(first_pd), "{sets:?}");
        assert_eq!(p.site.as_deref(), Some("out-of-field"), "{sets:?}");
        let e = a.endpoints.as_ref().unwrap();
        let out = e.out_of_field_relapse_free_survival.as_ref().unwrap();
        assert!(out.event, "{sets:?}");
        assert_eq!(out.date, date("2021-02-01"), "{sets:?}");
    }
}

// --- 8. The last scan is iUPD ---

#[test]
fn ir_clin_last_scan_iupd_after_a_response() {
    let r = run(&[
        ("2021-03-01", 20, "present", ""),
        ("2021-04-05", 20, "present", ""),
        ("2021-05-10", 20, "present", N1),
    ]);
    assert_eq!(overall(&r), [O::IPr, O::IPr, O::IUpd]);
    assert_eq!(r.progression, None);
    assert!(r.warnings.iter().any(|w| w.contains("IR-CLIN")));
    assert_eq!(r.confirmed_best_overall_response, Some(O::IPr));
    let e = r.endpoints.as_ref().unwrap();
    assert!(!e.progression_free_survival.event);
}

// --- 9. A new anticancer therapy with an iUPD pending ---

/// IR-CLIN: an iUPD followed by a new anticancer therapy stays unconfirmed: a scan after the
/// new therapy started does not confirm it (the iUPD was never confirmed on the treatment
/// under study), so no progression is dated to the iUPD from it.
#[test]
fn ir_clin_no_confirmation_after_new_therapy() {
    let fu = "follow_up: {new_therapy: 2021-03-15, last_known_alive: 2021-07-01}\n";
    let scans = [
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 80, "present", ""),
    ];
    let r = run_with(&rules("irecist", &[]), fu, &scans);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd]);
    assert_eq!(r.progression, None);
    let stop = rules("irecist", &[("best_response.stop_at", "new-therapy")]);
    let r = run_with(&stop, fu, &scans);
    assert_eq!(r.best_overall_response, Some(O::IUpd));
    assert_eq!(r.progression, None);
    assert!(
        !r.endpoints
            .as_ref()
            .unwrap()
            .progression_free_survival
            .event
    );
}

/// IR-BOR with IR-CLIN under `irecist.confirm_after_new_therapy: true`: an iUPD before a new
/// therapy confirmed by a scan after it is progression dated to the iUPD (PFS event), but the
/// iBOR window stops at the therapy (`best_response.stop_at: new-therapy`), so the iCPD is
/// outside it and the iUPD inside it stays iUPD in the iBOR (DESIGN.md, iBOR).
#[test]
fn ir_bor_an_iupd_confirmed_after_a_new_therapy_is_iupd_in_the_ibor() {
    let fu = "follow_up: {new_therapy: 2021-03-15, last_known_alive: 2021-07-01}\n";
    let scans = [
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 80, "present", ""),
    ];
    let confirm = rules(
        "irecist",
        &[
            ("irecist.confirm_after_new_therapy", "true"),
            ("best_response.stop_at", "new-therapy"),
        ],
    );
    let r = run_with(&confirm, fu, &scans);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    assert_eq!(r.best_overall_response, Some(O::IUpd));
    let pfs = &r.endpoints.as_ref().unwrap().progression_free_survival;
    assert!(pfs.event);
    assert_eq!(pfs.date, date("2021-03-01"));
}

// --- 10. Non-target-only disease: a new lesion iUPD and its reset ---

#[test]
fn ir_reset_non_target_only_new_lesion_gone() {
    let y = "
subject: IRR-NT
treatment_start: 2021-01-05
lesions:
  - {id: NT1, site: bone, role: non-target}
assessments:
  - date: 2021-01-04
    findings: {NT1: present}
  - date: 2021-03-01
    findings: {NT1: present}
    new_lesions: [{id: N1, site: brain, long_axis: 12}]
  - date: 2021-04-05
    findings: {NT1: present}
  - date: 2021-05-10
    findings: {NT1: {status: progression}}
  - date: 2021-06-14
    findings: {NT1: {status: progression, increased: true}}
";
    let r = assess_both(&rules("irecist", &[]), y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::NonICrNonIUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-05-10")));
}

// --- 11. The early-scan exception (IR-CONF-WIN) ---

/// IR-CONF-WIN: `early_scan_confirms: never` (no early scan taken for a symptom-driven one): a
/// new lesion on a scan 14 days after the iUPD does not confirm there, but is still additional
/// to the iUPD at the scan in the window, which it then confirms (IR-CPD-NEW).
#[test]
fn ir_conf_win_early_new_lesion_counts_at_the_next_scan() {
    let scans = [
        ("2021-03-01", 72, "present", ""),
        ("2021-03-15", 72, "present", N1),
        ("2021-04-05", 72, "present", N1),
    ];
    // Default: the early scan with an additional new lesion confirms.
    let r = run(&scans);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd, O::ICpd]);
    let never = rules("irecist", &[("irecist.early_scan_confirms", "never")]);
    let r = run_with(&never, "", &scans);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    assert!(
        r.timepoints[3]
            .follow_up
            .as_ref()
            .unwrap()
            .reasons
            .contains(&"IR-CPD-OTHER".to_string())
    );
}

/// IR-CPD-NEW: a new-lesion iUPD; a second new lesion on a scan after a new therapy cannot
/// confirm (IR-CLIN) — with `confirm_after_new_therapy: true` it does.
#[test]
fn ir_clin_new_lesion_after_new_therapy() {
    let fu = "follow_up: {new_therapy: 2021-03-15, last_known_alive: 2021-07-01}\n";
    let scans = [
        ("2021-03-01", 50, "present", N1),
        ("2021-04-05", 50, "present", N1_N2),
    ];
    let r = run_with(&rules("irecist", &[]), fu, &scans);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd]);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("new anticancer therapy")),
        "{:?}",
        r.warnings
    );
    let yes = rules("irecist", &[("irecist.confirm_after_new_therapy", "true")]);
    let r = run_with(&yes, fu, &scans);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

// --- 12. Duration of response (iDOR, FAQ) ---

/// IR-CPD-DATE, iDOR: from the first iPR to the iUPD that iCPD confirms; an iUPD never
/// confirmed, followed by iPR again, does not end it.
#[test]
fn ir_cpd_date_ends_the_duration_of_response() {
    let fu = "follow_up: {last_known_alive: 2021-12-01}\n";
    let r = run_with(
        &rules("irecist", &[]),
        fu,
        &[
            ("2021-03-01", 20, "present", ""),
            ("2021-04-05", 20, "present", ""),
            ("2021-05-10", 20, "present", N1),
            ("2021-06-14", 20, "present", N1_N2),
        ],
    );
    assert_eq!(overall(&r), [O::IPr, O::IPr, O::IUpd, O::ICpd]);
    let dor = r
        .endpoints
        .as_ref()
        .unwrap()
        .duration_of_response
        .clone()
        .unwrap();
    assert!(dor.event);
    assert_eq!(dor.date, date("2021-05-10"));
    let r = run_with(
        &rules("irecist", &[]),
        fu,
        &[
            ("2021-03-01", 20, "present", ""),
            ("2021-04-05", 20, "present", ""),
            ("2021-05-10", 20, "present", N1),
            ("2021-06-14", 15, "present", N1),
            ("2021-07-19", 15, "present", ""),
        ],
    );
    assert_eq!(overall(&r), [O::IPr, O::IPr, O::IUpd, O::IPr, O::IPr]);
    let dor = r
        .endpoints
        .as_ref()
        .unwrap()
        .duration_of_response
        .clone()
        .unwrap();
    assert!(!dor.event);
    assert!(r.progression.is_none());
}

// --- 13. A target not evaluated at the confirming scan (AMB-05) ---

/// IR-CPD-TGT with AMB-05 `pd-if-certain`: T2 not evaluated, T1 alone (130 mm) is already
/// +8 mm over the iUPD sum of 122: iCPD whatever T2 measures. Under `always-ne` it is NE.
#[test]
fn ir_cpd_tgt_certain_with_a_target_not_evaluated() {
    let y = case_with(
        "",
        &[
            ("2021-03-01", 72, "present", ""),
            ("2021-04-05", 130, "present", ""),
        ],
    )
    .replace(
        "T1: {long_axis: 130}, T2: {long_axis: 50}",
        "T1: {long_axis: 130}, T2: not-evaluated",
    );
    let r = assess_both(&rules("irecist", &[]), &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    // 125 mm alone is +3 mm: not certain, stays iUPD.
    let r = assess_both(
        &rules("irecist", &[]),
        &y.replace("long_axis: 130", "long_axis: 125"),
    )
    .remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd]);
    let ne = rules(
        "irecist",
        &[("target_response.missing_target", "always-ne")],
    );
    let r = assess_both(&ne, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::Ne]);
}
