//! iRECIST (rules reference section 3): each test is named after the rule it checks and
//! asserts the engine's answer on a small case written in the case format.
//!
//! The subject: targets T1 (lung, varying) and T2 (liver, 50 mm) — baseline sum 100 mm, so the
//! sum is T1 + 50 — and a bone non-target NT1. Baseline 2021-01-04, treatment from 2021-01-05.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_engine::derive_best;
use recist_model::{OverallResponse as O, SubjectResult};
use recist_rules::RuleSet;

mod common;
use common::irecist_case::{Scan, case_text, date, overall, progression, reasons};
use common::{assess, rules};

const IRECIST: &str = include_str!("../../../rules/irecist.yaml");

/// The case text of the iRECIST subject `IR-1`.
fn case_for(scans: &[Scan<'_>]) -> String {
    case_text("IR-1", "", scans)
}

fn run_with(rules: &RuleSet, scans: &[Scan<'_>]) -> SubjectResult {
    assess(rules, &case_for(scans)).remove(0)
}

fn run(scans: &[Scan<'_>]) -> SubjectResult {
    run_with(&rules("irecist", &[]), scans)
}

/// An iRECIST rule set with one line of its `irecist` section changed.
fn variant(from: &str, to: &str) -> RuleSet {
    assert!(IRECIST.contains(from), "{from}");
    RuleSet::from_text(&IRECIST.replace(from, to), "irecist-variant.yaml").unwrap()
}

// Target progression: 50 → 72 mm is a sum of 122 (+22 % over the nadir 100).

/// IR-UPD: RECIST 1.1 progression is iUPD, not PD, and is no progression yet.
#[test]
fn ir_upd_target_progression_is_unconfirmed() {
    let r = run(&[("2021-03-01", 72, "present", "")]);
    assert_eq!(overall(&r), [O::IUpd]);
    let tp = r.timepoints[1].follow_up.as_ref().unwrap();
    assert_eq!(tp.target, Some(recist_model::TargetResponse::Pd));
    assert!(reasons(&r, 0).contains(&"IR-UPD".to_string()));
    assert_eq!(r.progression, None);
    // RECIST 1.1 on the same case: PD.
    let r11 = run_with(
        &rules("recist-1.1", &[]),
        &[("2021-03-01", 72, "present", "")],
    );
    assert_eq!(overall(&r11), [O::Pd]);
}

/// IR-UPD: a new lesion, or unequivocal non-target progression, also gives iUPD.
#[test]
fn ir_upd_non_target_or_new_lesion() {
    let r = run(&[("2021-03-01", 50, "progression", "")]);
    assert_eq!(overall(&r), [O::IUpd]);
    let r = run(&[(
        "2021-03-01",
        50,
        "present",
        "[{id: N1, site: brain, long_axis: 12}]",
    )]);
    assert_eq!(overall(&r), [O::IUpd]);
}

/// IR-CLIN: an iUPD never confirmed is reported as such: no progression, and a warning that
/// names its date.
#[test]
fn ir_clin_unconfirmed_iupd_is_no_progression() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 74, "present", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd]);
    assert_eq!(r.progression, None);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("2021-03-01") && w.contains("IR-CLIN")),
        "{:?}",
        r.warnings
    );
    let pfs = &r.endpoints.as_ref().unwrap().progression_free_survival;
    assert!(!pfs.event);
}

/// IR-CPD-TGT: a further 5 mm of the target sum from the iUPD assessment confirms; 4 mm does
/// not (IR-REMAIN). IR-CPD-DATE: progression is dated to the iUPD.
#[test]
fn ir_cpd_tgt_five_mm_more_confirms() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 76, "present", ""),
        ("2021-05-10", 77, "present", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    assert!(reasons(&r, 1).contains(&"IR-REMAIN".to_string()));
    assert!(reasons(&r, 2).contains(&"IR-CPD-TGT".to_string()));
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    assert_eq!(
        r.progression.as_ref().unwrap().first_pd_assessment,
        date("2021-05-10")
    );
    let pfs = &r.endpoints.as_ref().unwrap().progression_free_survival;
    assert!(pfs.event);
    assert_eq!(pfs.date, date("2021-03-01"));
}

/// AMB-I1: exactly +5 mm confirms under `at-least` (the default), not under `more-than`.
#[test]
fn amb_i1_exactly_five_mm() {
    let scans = [
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 77, "present", ""),
    ];
    assert_eq!(overall(&run(&scans)), [O::IUpd, O::ICpd]);
    let strict = variant("cpd_increase: at-least", "cpd_increase: more-than");
    assert_eq!(overall(&run_with(&strict, &scans)), [O::IUpd, O::IUpd]);
}

/// IR-CPD-TGT with IR-REMAIN: a target sum that fell after the iUPD but still meets RECIST
/// 1.1 progression stays iUPD; growing again, it is measured from the sum at the iUPD
/// (`irecist.cpd_reference: iupd`, the default: 130 → 120 → 126 is −4 mm, no iCPD) or from
/// its smallest value since (`nadir-since-iupd`: +6 mm from 120, iCPD dated to the iUPD).
#[test]
fn ir_cpd_tgt_further_increase_measured_from_the_iupd_or_the_nadir_since() {
    let scans = [
        ("2021-03-01", 80, "present", ""),
        ("2021-04-05", 70, "present", ""),
        ("2021-05-10", 74, "present", ""),
        ("2021-06-14", 76, "present", ""),
    ];
    let r = run(&scans);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::IUpd, O::IUpd]);
    assert!(reasons(&r, 1).contains(&"IR-REMAIN".to_string()));
    assert_eq!(r.progression, None);
    let nadir = variant("cpd_reference: iupd", "cpd_reference: nadir-since-iupd");
    let r = run_with(&nadir, &scans);
    // 124 is +4 mm from 120: not yet; 126 is +6 mm.
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    let why = &r.timepoints[4].follow_up.as_ref().unwrap().explanations;
    assert!(
        why.iter().any(|n| n.rule == "IR-CPD-TGT"
            && n.detail.contains("+6 mm from 120 mm on 2021-04-05")
            && n.detail.contains("nadir-since-iupd")),
        "{why:?}"
    );
}

/// IR-CPD-NT: after a non-target iUPD, a further increase (the reader's `increased`) confirms;
/// the same unequivocal status again does not.
#[test]
fn ir_cpd_nt_further_increase_confirms() {
    let r = run(&[
        ("2021-03-01", 50, "progression", ""),
        ("2021-04-05", 50, "progression", ""),
        (
            "2021-05-10",
            50,
            "{status: progression, increased: true}",
            "",
        ),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    assert!(reasons(&r, 2).contains(&"IR-CPD-NT".to_string()));
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    // Any increase, not unequivocal again: `present` with `increased` confirms too.
    let r = run(&[
        ("2021-03-01", 50, "progression", ""),
        ("2021-04-05", 50, "{status: present, increased: true}", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
}

/// IR-CPD-NEW: the new-lesion target sum rising 5 mm from the iUPD confirms, cumulatively
/// (+4 mm then +2 mm).
#[test]
fn ir_cpd_new_nlt_increase_is_cumulative() {
    let r = run(&[
        (
            "2021-03-01",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 12}]",
        ),
        (
            "2021-04-05",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 16}]",
        ),
        (
            "2021-05-10",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 18}]",
        ),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    assert!(reasons(&r, 2).contains(&"IR-CPD-NEW".to_string()));
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

/// IR-CPD-NEW: any increase of a new-lesion non-target (here unmeasurable, 8 mm), or any
/// additional new lesion, confirms.
#[test]
fn ir_cpd_new_nlnt_increase_or_additional_lesion() {
    let r = run(&[
        (
            "2021-03-01",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 8}]",
        ),
        (
            "2021-04-05",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 8, increased: true}]",
        ),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    let r = run(&[
        (
            "2021-03-01",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 12}]",
        ),
        (
            "2021-04-05",
            50,
            "present",
            "[{id: N1, site: brain, long_axis: 12}, {id: N2, site: skin, long_axis: 11}]",
        ),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
}

/// IR-CPD-NEW: new-lesion targets are at most 2 per organ: a third measurable lung lesion is
/// a new-lesion non-target, so its increase confirms, while a new-lesion target's `increased`
/// does not (its sum decides).
#[test]
fn ir_cpd_new_nlt_limit_per_organ() {
    let first = "[{id: N1, site: lung, long_axis: 12}, {id: N2, site: lung, long_axis: 12}, {id: N3, site: lung, long_axis: 12}]";
    let r = run(&[
        ("2021-03-01", 50, "present", first),
        (
            "2021-04-05",
            50,
            "present",
            "[{id: N1, site: lung, long_axis: 12, increased: true}, {id: N2, site: lung, long_axis: 12}, {id: N3, site: lung, long_axis: 12}]",
        ),
        (
            "2021-05-10",
            50,
            "present",
            "[{id: N1, site: lung, long_axis: 12}, {id: N2, site: lung, long_axis: 12}, {id: N3, site: lung, long_axis: 12, increased: true}]",
        ),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
}

/// IR-CPD-OTHER: a category that did not start the iUPD newly meeting RECIST 1.1 progression
/// confirms it (target iUPD, then non-target progression).
#[test]
fn ir_cpd_other_new_category_confirms() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 72, "progression", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    assert!(reasons(&r, 1).contains(&"IR-CPD-OTHER".to_string()));
}

/// IR-CONF-WIN: a scan earlier than 28 − 2 days after the iUPD cannot confirm (stays iUPD,
/// with a warning); from day 26 it can.
#[test]
fn ir_conf_win_early_scan_cannot_confirm() {
    // 2021-03-01 + 25 days = 2021-03-26; + 26 days = 2021-03-27.
    let early = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-03-26", 82, "present", ""),
        ("2021-04-26", 82, "present", ""),
    ]);
    assert_eq!(overall(&early), [O::IUpd, O::IUpd, O::ICpd]);
    assert!(reasons(&early, 1).contains(&"IR-CONF-WIN".to_string()));
    assert!(
        early.warnings.iter().any(|w| w.contains("too early")),
        "{:?}",
        early.warnings
    );
    assert_eq!(progression(&early), Some(date("2021-03-01")));
    let in_window = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-03-27", 82, "present", ""),
    ]);
    assert_eq!(overall(&in_window), [O::IUpd, O::ICpd]);
}

/// IR-CONF-WIN: the early-scan exception: an additional new lesion confirms even 14 days after
/// the iUPD.
#[test]
fn ir_conf_win_additional_new_lesion_confirms_early() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        (
            "2021-03-15",
            72,
            "present",
            "[{id: N1, site: brain, long_axis: 12}]",
        ),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

/// IR-CONF-WIN: a scan later than 56 + 2 days still confirms, with a warning
/// (`late_scan_confirms: true`); with `false` it does not.
#[test]
fn ir_conf_win_late_scan() {
    let scans = [
        ("2021-03-01", 72, "present", ""),
        ("2021-05-10", 82, "present", ""),
    ];
    let r = run(&scans);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("later than the confirmation window"))
    );
    let strict = rules("irecist", &[("irecist.late_scan_confirms", "false")]);
    assert_eq!(overall(&run_with(&strict, &scans)), [O::IUpd, O::IUpd]);
}

/// IR-REMAIN: no further increase keeps iUPD at every assessment; an NE assessment stays NE
/// without ending the iUPD.
#[test]
fn ir_remain_stays_iupd() {
    // T1 not evaluated on 2021-05-10 (the helper writes 73 mm: rewritten here).
    let y = case_for(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 74, "present", ""),
        ("2021-05-10", 73, "present", ""),
        ("2021-06-14", 79, "present", ""),
    ])
    .replace("T1: {long_axis: 73}", "T1: not-evaluated");
    let r = assess(&rules("irecist", &[]), &y).remove(0);
    // 79 mm: +7 mm from 72 at the iUPD confirms after an NE (IR-CPD-DATE: the block is
    // unbroken, dated to 2021-03-01).
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::Ne, O::ICpd]);
    assert!(reasons(&r, 1).contains(&"IR-REMAIN".to_string()));
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

/// IR-RESET: stable disease after the iUPD resets; a later progression is a new iUPD (not
/// iCPD), and the confirmed progression is dated to that new iUPD (IR-CPD-DATE).
#[test]
fn ir_reset_then_new_iupd() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 45, "present", ""),
        ("2021-05-10", 72, "present", ""),
        ("2021-06-14", 80, "present", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::IUpd, O::ICpd]);
    assert!(reasons(&r, 1).contains(&"IR-RESET".to_string()));
    assert_eq!(progression(&r), Some(date("2021-05-10")));
}

/// IR-RESET: after a reset, new lesions seen before do not start a new iUPD while unchanged;
/// a further new lesion, or unequivocal progression of a new-lesion non-target, does.
#[test]
fn ir_reset_known_new_lesions_need_further_progression() {
    let n1 = "[{id: N1, site: brain, long_axis: 12}]";
    let before = [
        ("2021-03-01", 50, "present", n1),
        ("2021-04-05", 30, "present", n1),
    ];
    // Target sum 80 < 100 at the iUPD: reset (iSD), N1 still there.
    let mut scans = before.to_vec();
    scans.push(("2021-05-10", 30, "present", n1));
    let r = run(&scans);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::ISd]);
    let mut scans = before.to_vec();
    scans.push((
        "2021-05-10",
        30,
        "present",
        "[{id: N1, site: brain, long_axis: 12}, {id: N2, site: skin, long_axis: 11}]",
    ));
    assert_eq!(overall(&run(&scans)), [O::IUpd, O::ISd, O::IUpd]);
    let n9 = "[{id: N9, site: bone, long_axis: 6}]";
    let r = run(&[
        ("2021-03-01", 50, "present", n9),
        ("2021-04-05", 30, "present", n9),
        (
            "2021-05-10",
            30,
            "present",
            "[{id: N9, site: bone, long_axis: 6, progression: true}]",
        ),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::IUpd]);
}

/// AMB-I2: after a reset, the new-lesion targets meet RECIST 1.1 progression against their own
/// nadir (20 → 10 → 15 mm: +50 %, +5 mm), not against the baseline target sum nor their first
/// size (15 < 20).
#[test]
fn amb_i2_nlt_progression_against_its_own_nadir() {
    let n = |mm: i64| format!("[{{id: N1, site: brain, long_axis: {mm}}}]");
    let (a, b, c) = (n(20), n(10), n(15));
    let r = run(&[
        ("2021-03-01", 50, "present", &a),
        ("2021-04-05", 30, "present", &b),
        ("2021-05-10", 30, "present", &c),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::IUpd]);
    let d = n(14);
    let r = run(&[
        ("2021-03-01", 50, "present", &a),
        ("2021-04-05", 30, "present", &b),
        ("2021-05-10", 30, "present", &d),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::ISd]);
    // `nlt_reference: first-appearance`: 15 mm against the 20 mm of the first sighting is
    // no progression.
    let first = variant("nlt_reference: nadir", "nlt_reference: first-appearance");
    let r = run_with(
        &first,
        &[
            ("2021-03-01", 50, "present", &a),
            ("2021-04-05", 30, "present", &b),
            ("2021-05-10", 30, "present", &c),
        ],
    );
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::ISd]);
}

/// IR-RESET, FAQ scenario B: PR, then a new lesion (iUPD), then further shrinkage of the
/// targets with the new lesion still there: iPR. Scenario F: the PR unchanged: stays iUPD.
/// With `reset_with_new_lesions: never`, B stays iUPD too.
#[test]
fn ir_reset_scenarios_b_and_f() {
    let n1 = "[{id: N1, site: brain, long_axis: 12}]";
    let b = [
        ("2021-03-01", 20, "present", ""),
        ("2021-04-05", 20, "present", n1),
        ("2021-05-10", 15, "present", n1),
    ];
    assert_eq!(overall(&run(&b)), [O::IPr, O::IUpd, O::IPr]);
    let f = [
        ("2021-03-01", 20, "present", ""),
        ("2021-04-05", 20, "present", n1),
        ("2021-05-10", 20, "present", n1),
    ];
    assert_eq!(overall(&run(&f)), [O::IPr, O::IUpd, O::IUpd]);
    let never = variant(
        "reset_with_new_lesions: target-decrease",
        "reset_with_new_lesions: never",
    );
    assert_eq!(overall(&run_with(&never, &b)), [O::IPr, O::IUpd, O::IUpd]);
}

/// A subject with non-target disease only (NT1, bone): a brain lesion N1 (12 mm, a new-lesion
/// target) on 03-01 is an iUPD; `later` are the two scans after it, (NT1 finding, N1's long
/// axis, or 0 when N1 is not listed).
fn non_target_only_new_lesion_iupd(later: &[(&str, &str, i64)]) -> String {
    let mut y = "subject: IR-NTN\ntreatment_start: 2021-01-05\nlesions:\n  - {id: NT1, site: bone, role: non-target}\nassessments:\n  - date: 2021-01-04\n    findings: {NT1: present}\n  - date: 2021-03-01\n    findings: {NT1: present}\n    new_lesions: [{id: N1, site: brain, long_axis: 12}]\n".to_string();
    for (d, nt, n1) in later {
        y.push_str(&format!("  - date: {d}\n    findings: {{NT1: {nt}}}\n"));
        if *n1 > 0 {
            y.push_str(&format!(
                "    new_lesions: [{{id: N1, site: brain, long_axis: {n1}}}]\n"
            ));
        }
    }
    y
}

/// IR-RESET with the new lesions of a new-lesion iUPD still listed and no target sum to
/// compare (a subject without target lesions): under the default
/// `irecist.reset_without_target_sum: stays-iupd` (iR Table 2: with prior iUPD and new
/// lesions still there, iUPD remains unless they grow) the subject stays iUPD, and the reason
/// names the parameter; it resets as soon as the new lesion is no longer listed, and the
/// lesion seen before starts no new iUPD when it is listed again unchanged (IR-RESET's
/// new-lesion clause).
#[test]
fn ir_reset_non_target_only_stays_iupd_while_the_new_lesion_is_listed() {
    let ir = rules("irecist", &[]);
    let y = non_target_only_new_lesion_iupd(&[
        ("2021-04-05", "present", 12),
        ("2021-05-10", "absent", 6),
    ]);
    let r = assess(&ir, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::IUpd]);
    let ex = &r.timepoints[2].follow_up.as_ref().unwrap().explanations;
    assert!(
        ex.iter().any(|e| e.rule == "IR-REMAIN"
            && e.detail.contains("reset_without_target_sum: stays-iupd")
            && e.detail.contains("no target lesions")),
        "{ex:?}"
    );
    // N1 gone (not listed): reset; N1 back unchanged: no new iUPD.
    let y = non_target_only_new_lesion_iupd(&[
        ("2021-04-05", "present", 0),
        ("2021-05-10", "present", 12),
    ]);
    let r = assess(&ir, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::NonICrNonIUpd, O::NonICrNonIUpd]);
    assert!(reasons(&r, 1).contains(&"IR-RESET".to_string()));
    assert_eq!(r.progression, None);
}

/// IR-RESET, `irecist.reset_without_target_sum: new-lesion-decrease`: without targets, the new
/// lesions' own sum (NLT) falling below its value at the iUPD stands for the target sum's
/// decrease of the FAQ's scenario B: N1 12 → 12 stays iUPD, 12 → 8 resets (the non-target CR
/// with N1 still listed is NON-iCR/NON-iUPD); afterwards N1 is a lesion seen before: 8 → 9
/// starts nothing, 8 → 14 (+75 %, +6 mm over its nadir 8) meets RECIST 1.1 progression on its
/// own and is a new iUPD (IR-RESET, AMB-I2).
#[test]
fn ir_reset_non_target_only_new_lesion_decrease() {
    let nl = variant(
        "reset_without_target_sum: stays-iupd",
        "reset_without_target_sum: new-lesion-decrease",
    );
    let y = non_target_only_new_lesion_iupd(&[
        ("2021-04-05", "present", 12),
        ("2021-05-10", "absent", 8),
    ]);
    let r = assess(&nl, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::NonICrNonIUpd]);
    assert!(reasons(&r, 2).contains(&"IR-RESET".to_string()));
    let mut y = non_target_only_new_lesion_iupd(&[("2021-04-05", "present", 8)]);
    y.push_str("  - date: 2021-05-10\n    findings: {NT1: present}\n    new_lesions: [{id: N1, site: brain, long_axis: 9}]\n");
    let r = assess(&nl, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::NonICrNonIUpd, O::NonICrNonIUpd]);
    let mut y = non_target_only_new_lesion_iupd(&[("2021-04-05", "present", 8)]);
    y.push_str("  - date: 2021-05-10\n    findings: {NT1: present}\n    new_lesions: [{id: N1, site: brain, long_axis: 14}]\n");
    let r = assess(&nl, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::NonICrNonIUpd, O::IUpd]);
}

/// IR-RESET, `irecist.reset_without_target_sum: resets`: IR-RESET's words alone: the baseline
/// disease without progression resets although the new lesion is still there.
#[test]
fn ir_reset_non_target_only_resets_under_resets() {
    let any = variant(
        "reset_without_target_sum: stays-iupd",
        "reset_without_target_sum: resets",
    );
    let y = non_target_only_new_lesion_iupd(&[
        ("2021-04-05", "present", 12),
        ("2021-05-10", "present", 12),
    ]);
    let r = assess(&any, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::NonICrNonIUpd, O::NonICrNonIUpd]);
    // A non-target not evaluated is no response to reset with: the new lesion still there
    // keeps the iUPD (iR Table 2), whatever the parameter.
    let y = non_target_only_new_lesion_iupd(&[
        ("2021-04-05", "not-evaluated", 12),
        ("2021-05-10", "present", 0),
    ]);
    let r = assess(&any, &y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::NonICrNonIUpd]);
}

/// IR-RESET with a target not evaluated at the new-lesion iUPD (no target sum there to
/// compare): `stays-iupd` keeps the iUPD while N1 is listed even though the targets shrink
/// (sum 80), and a target not evaluated later with N1 still there is iUPD too (iR Table 2);
/// `new-lesion-decrease` resets once N1 shrank below its 12 mm at the iUPD, `resets` at once;
/// after a reset, the target not evaluated is NE (N1, seen before and not growing, starts
/// nothing).
#[test]
fn ir_reset_target_sum_unknown_at_the_iupd() {
    let y = "
subject: IR-NE
treatment_start: 2021-01-05
lesions:
  - {id: T1, site: lung, role: target}
  - {id: T2, site: liver, role: target}
assessments:
  - date: 2021-01-04
    findings: {T1: {long_axis: 50}, T2: {long_axis: 50}}
  - date: 2021-03-01
    findings: {T1: not-evaluated, T2: {long_axis: 50}}
    new_lesions: [{id: N1, site: brain, long_axis: 12}]
  - date: 2021-04-05
    findings: {T1: {long_axis: 30}, T2: {long_axis: 50}}
    new_lesions: [{id: N1, site: brain, long_axis: 12}]
  - date: 2021-05-10
    findings: {T1: {long_axis: 30}, T2: {long_axis: 50}}
    new_lesions: [{id: N1, site: brain, long_axis: 10}]
  - date: 2021-06-14
    findings: {T1: not-evaluated, T2: {long_axis: 50}}
    new_lesions: [{id: N1, site: brain, long_axis: 10}]
";
    let r = assess(&rules("irecist", &[]), y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::IUpd, O::IUpd]);
    let ex = &r.timepoints[2].follow_up.as_ref().unwrap().explanations;
    assert!(
        ex.iter().any(|e| e.rule == "IR-REMAIN"
            && e.detail.contains("reset_without_target_sum: stays-iupd")
            && e.detail.contains("not known at the iUPD")),
        "{ex:?}"
    );
    let nl = variant(
        "reset_without_target_sum: stays-iupd",
        "reset_without_target_sum: new-lesion-decrease",
    );
    let r = assess(&nl, y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ISd, O::Ne]);
    let any = variant(
        "reset_without_target_sum: stays-iupd",
        "reset_without_target_sum: resets",
    );
    let r = assess(&any, y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::ISd, O::Ne]);
}

/// IR-CPD-DATE: progression is dated to the iUPD that started the unbroken block, and the
/// result says which assessment confirmed it.
#[test]
fn ir_cpd_date_is_the_first_iupd_of_the_block() {
    let r = run(&[
        ("2021-02-15", 40, "present", ""),
        ("2021-03-22", 72, "present", ""),
        ("2021-04-26", 74, "present", ""),
        ("2021-05-31", 80, "present", ""),
    ]);
    assert_eq!(overall(&r), [O::ISd, O::IUpd, O::IUpd, O::ICpd]);
    let p = r.progression.as_ref().unwrap();
    assert_eq!(p.date, date("2021-03-22"));
    assert_eq!(p.first_pd_assessment, date("2021-05-31"));
    assert_eq!(p.day, 76);
}

/// IR-BOR: iUPD does not end the best-response window: iUPD, iSD, iPR … is iPR.
#[test]
fn ir_bor_iupd_does_not_end_the_window() {
    let r = run(&[
        ("2021-03-01", 72, "present", ""),
        ("2021-04-05", 45, "present", ""),
        ("2021-05-10", 15, "present", ""),
        ("2021-06-14", 14, "present", ""),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ISd, O::IPr, O::IPr]);
    assert_eq!(r.best_overall_response, Some(O::IPr));
    assert_eq!(r.confirmed_best_overall_response, Some(O::IPr));
    assert_eq!(r.response_dates.first_response, Some(date("2021-05-10")));
}

/// IR-BOR, Table 3 of the iRECIST paper (Seymour 2017, PMC5648544; confirmation of response
/// not required): its eight examples, each with one of the sequences the table allows (where a
/// cell lists several responses, one of them) and the table's iBOR. Example 1: iCR, …, iUPD,
/// iCPD ⇒ iCR; 2: iUPD, iPR, iCR ⇒ iCR; 3: iUPD, iPR ⇒ iPR; 4: iUPD, iSD, iPR ⇒ iPR;
/// 5: iUPD, iSD, iSD ⇒ iSD; 6: iUPD, iCPD, any ⇒ iCPD; 7: iUPD, iUPD, iCPD ⇒ iCPD;
/// 8: iUPD, NE, NE, NE ⇒ iUPD (checked against the published table).
#[rstest::rstest]
#[case::icr_then_iupd_icpd(&[O::ICr, O::ICr, O::ICr, O::IUpd, O::ICpd], O::ICr)]
#[case::iupd_ipr_icr_iupd_icpd(&[O::IUpd, O::IPr, O::ICr, O::IUpd, O::ICpd], O::ICr)]
#[case::iupd_ipr_ipr_iupd_icpd(&[O::IUpd, O::IPr, O::IPr, O::IUpd, O::ICpd], O::IPr)]
#[case::iupd_isd_ipr_iupd_icpd(&[O::IUpd, O::ISd, O::IPr, O::IUpd, O::ICpd], O::IPr)]
#[case::iupd_isd_isd_iupd_icpd(&[O::IUpd, O::ISd, O::ISd, O::IUpd, O::ICpd], O::ISd)]
#[case::iupd_icpd(&[O::IUpd, O::ICpd, O::IPr, O::ICr], O::ICpd)]
#[case::iupd_iupd_icpd(&[O::IUpd, O::IUpd, O::ICpd, O::ISd], O::ICpd)]
#[case::iupd_ne_ne_ne(&[O::IUpd, O::Ne, O::Ne, O::Ne], O::IUpd)]
fn ir_bor_table_3(#[case] seq: &[O], #[case] want: O) {
    let rules = rules("irecist", &[("confirmation.required", "false")]);
    let day0 = date("2021-01-05");
    let visits: Vec<_> = seq
        .iter()
        .enumerate()
        .map(|(i, &r)| (day0 + chrono::Duration::days(56 * (i as i64 + 1)), r))
        .collect();
    let b = derive_best(&rules, &visits, day0, false);
    assert_eq!(b.unconfirmed, want);
}

/// IR-BOR with confirmation: an iPR is confirmed by a later iPR at least 28 days on, as a PR
/// is; an iUPD between them breaks the confirmation.
#[test]
fn ir_bor_confirmation_of_ipr() {
    let rules = rules("irecist", &[]);
    let day0 = date("2021-01-05");
    let d = |n| day0 + chrono::Duration::days(n);
    let b = derive_best(&rules, &[(d(56), O::IPr), (d(98), O::IPr)], day0, false);
    assert_eq!((b.unconfirmed, b.confirmed), (O::IPr, O::IPr));
    let b = derive_best(
        &rules,
        &[(d(56), O::IPr), (d(98), O::IUpd), (d(140), O::IPr)],
        day0,
        false,
    );
    assert_eq!((b.unconfirmed, b.confirmed), (O::IPr, O::ISd));
}

/// IR-PR-DRIFT: a PR that drifts back above −30 % without progression follows AMB-02 as in
/// RECIST 1.1: iSD under the default `strict`, iPR under `sticky`.
#[test]
fn ir_pr_drift_follows_amb_02() {
    let scans = [
        ("2021-03-01", 20, "present", ""),
        ("2021-04-05", 25, "present", ""),
    ];
    assert_eq!(overall(&run(&scans)), [O::IPr, O::ISd]);
    let sticky = rules("irecist", &[("timepoint.pr_persistence", "sticky")]);
    assert_eq!(overall(&run_with(&sticky, &scans)), [O::IPr, O::IPr]);
}

/// IR-BASE: components keep RECIST 1.1's words; only the overall response is iRECIST's, and
/// a complete response with a new lesion still listed is not iCR.
#[test]
fn ir_base_components_keep_recist_words() {
    // Every lesion gone (the helper keeps T2 at 50 mm: rewritten here).
    let y = case_for(&[("2021-03-01", 0, "absent", "")]).replace(
        "T1: {long_axis: 0}, T2: {long_axis: 50}, NT1: absent",
        "T1: absent, T2: absent, NT1: absent",
    );
    let r = assess(&rules("irecist", &[]), &y).remove(0);
    let tp = r.timepoints[1].follow_up.as_ref().unwrap();
    assert_eq!(tp.target, Some(recist_model::TargetResponse::Cr));
    assert_eq!(tp.non_target, Some(recist_model::NonTargetResponse::Cr));
    assert_eq!(tp.overall, O::ICr);
    assert!(tp.reasons.contains(&"IR-OR".to_string()));
}

/// IR-BASE: the i-words are written as results.md fixes them.
#[test]
fn ir_base_vocabulary_strings() {
    let words: Vec<&str> = [O::ICr, O::IPr, O::ISd, O::NonICrNonIUpd, O::IUpd, O::ICpd]
        .iter()
        .map(|r| r.as_str())
        .collect();
    assert_eq!(
        words,
        ["iCR", "iPR", "iSD", "NON-iCR/NON-iUPD", "iUPD", "iCPD"]
    );
    assert_eq!(
        serde_json::to_string(&O::NonICrNonIUpd).unwrap(),
        "\"NON-iCR/NON-iUPD\""
    );
}

/// IR-BASE with non-target disease only: the stable category is NON-iCR/NON-iUPD, and a
/// non-target iUPD is confirmed by a further increase (IR-CPD-NT).
#[test]
fn ir_base_non_target_only_disease() {
    let y = "
subject: IR-NT
treatment_start: 2021-01-05
lesions:
  - {id: NT1, site: bone, role: non-target}
assessments:
  - date: 2021-01-04
    findings: {NT1: present}
  - date: 2021-03-01
    findings: {NT1: present}
  - date: 2021-04-05
    findings: {NT1: progression}
  - date: 2021-05-10
    findings: {NT1: {status: progression, increased: true}}
";
    let r = assess(&rules("irecist", &[]), y).remove(0);
    assert_eq!(overall(&r), [O::NonICrNonIUpd, O::IUpd, O::ICpd]);
    assert_eq!(r.best_overall_response, Some(O::NonICrNonIUpd));
    assert_eq!(progression(&r), Some(date("2021-04-05")));
}

/// IR-BOR: responses recorded in RECIST 1.1's words keep RECIST 1.1's reading even under the
/// iRECIST rule set (`recist bor --rules irecist` reads recorded RECIST 1.1 responses).
#[test]
fn ir_bor_recorded_recist_words_keep_their_reading() {
    let day0 = date("2021-01-05");
    let d = |n| day0 + chrono::Duration::days(n);
    let b = derive_best(
        &rules("irecist", &[]),
        &[(d(56), O::Pr), (d(98), O::Pr)],
        day0,
        false,
    );
    assert_eq!((b.unconfirmed, b.confirmed), (O::Pr, O::Pr));
}

/// IR-UPD: a scan on or before treatment start is no follow-up (R11-BOR-DEF): a new lesion
/// there is iUPD at that scan but starts nothing, and it is still new at the first follow-up.
#[test]
fn ir_upd_not_started_before_treatment() {
    let y = "
subject: IR-D0
treatment_start: 2021-01-20
lesions:
  - {id: T1, site: lung, role: target}
assessments:
  - date: 2021-01-04
    findings: {T1: {long_axis: 50}}
  - date: 2021-01-18
    findings: {T1: {long_axis: 50}}
    new_lesions: [{id: N1, site: brain, long_axis: 12}]
  - date: 2021-03-01
    findings: {T1: {long_axis: 50}}
    new_lesions: [{id: N1, site: brain, long_axis: 12}]
  - date: 2021-04-05
    findings: {T1: {long_axis: 50}}
    new_lesions: [{id: N1, site: brain, long_axis: 12}, {id: N2, site: skin, long_axis: 12}]
";
    let r = assess(&rules("irecist", &[]), y).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
}

/// IR-OR (Table 2, no prior iUPD): without progression each RECIST 1.1 category takes its "i"
/// (CR, PR, SD, NON-CR/NON-PD; NE stays NE).
#[test]
fn ir_or_without_progression_maps_each_category() {
    for (r11, i) in [
        (O::Cr, O::ICr),
        (O::Pr, O::IPr),
        (O::Sd, O::ISd),
        (O::NonCrNonPd, O::NonICrNonIUpd),
        (O::Ne, O::Ne),
        (O::Pd, O::IUpd),
    ] {
        assert_eq!(r11.to_irecist(), i);
        assert!(!r11.is_irecist());
        assert!(i == O::Ne || i.is_irecist());
    }
    let y = case_for(&[
        ("2021-03-01", 45, "present", ""),
        ("2021-04-05", 20, "present", ""),
        ("2021-05-10", 20, "present", ""),
    ])
    .replace(
        "  - date: 2021-05-10\n    findings: {T1: {long_axis: 20}, T2: {long_axis: 50}, NT1: present}",
        "  - date: 2021-05-10\n    findings: {T1: {long_axis: 20}, T2: not-evaluated, NT1: present}",
    );
    let r = assess(&rules("irecist", &[]), &y).remove(0);
    assert_eq!(overall(&r), [O::ISd, O::IPr, O::Ne]);
    for i in 0..3 {
        assert!(reasons(&r, i).contains(&"IR-OR".to_string()));
    }
}
