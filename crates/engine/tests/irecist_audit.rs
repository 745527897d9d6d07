//! iRECIST audit: adversarial scenarios found to be wrong (or worth pinning) by an audit of
//! the iRECIST layer against the rules reference, each named after the rule it checks. Every
//! scenario is also fed scan by scan to a [`Tracker`], whose result must be the one
//! `assess_subject` gives.
//!
//! The subject: targets T1 (lung, varying) and T2 (liver, 50 mm) — baseline sum 100 mm — and a
//! bone non-target NT1. Baseline 2021-01-04, treatment from 2021-01-05.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_engine::Tracker;
use recist_model::{OverallResponse as O, SubjectResult};
use recist_rules::RuleSet;

mod common;
use common::irecist_case::{Scan, case_text, date, overall, progression};
use common::{rules, subject};

/// The result of the `all` scope, checked against a tracker fed one scan at a time.
fn run_with(rules: &RuleSet, scans: &[Scan<'_>]) -> SubjectResult {
    let s = subject(&case_text("IRA-1", "", scans));
    let r = recist_engine::assess_subject(rules, &s).unwrap().remove(0);
    let mut header = s.clone();
    header.assessments.truncate(1);
    let mut t = Tracker::start(rules, &header, r.scope).unwrap().unwrap();
    for a in s.assessments.iter().skip(1) {
        t.assess(a).unwrap();
    }
    assert_eq!(t.result(), r, "Tracker and assess_subject differ");
    r
}

fn run(scans: &[Scan<'_>]) -> SubjectResult {
    run_with(&rules("irecist", &[]), scans)
}

const N1_EQUIVOCAL: &str = "[{id: N1, site: brain, long_axis: 12, equivocal: true}]";
const N1: &str = "[{id: N1, site: brain, long_axis: 12}]";

// --- IR-CPD-DATE with R11-NEW-EQUIV: an equivocal new lesion seen before the iUPD ---

/// IR-CPD-DATE, R11-NEW-EQUIV: N1 equivocal on 02-01, targets iUPD on 03-01, N1 unequivocal on
/// 04-05 confirms (IR-CPD-OTHER). The lesion was there on 02-01, so progression is dated back
/// to it, as it is when N1 alone starts the iUPD (`ir_cpd_date_equivocal_new_lesion_is_dated_back`)
/// and under RECIST 1.1: more progression must not date progression later.
#[test]
fn ir_cpd_date_equivocal_lesion_confirming_a_later_iupd_is_dated_back() {
    let scans = [
        ("2021-02-01", 50, "present", N1_EQUIVOCAL),
        ("2021-03-01", 72, "present", N1_EQUIVOCAL),
        ("2021-04-05", 72, "present", N1),
    ];
    let r = run(&scans);
    assert_eq!(overall(&r), [O::ISd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-02-01")));
    assert_eq!(
        r.progression.as_ref().unwrap().first_pd_assessment,
        date("2021-04-05")
    );
    let pfs = &r.endpoints.as_ref().unwrap().progression_free_survival;
    assert_eq!(pfs.date, date("2021-02-01"));
    // RECIST 1.1 on the same case dates PD to 02-01.
    let r11 = run_with(&rules("recist-1.1", &[]), &scans);
    assert_eq!(progression(&r11), Some(date("2021-02-01")));
}

/// IR-CPD-DATE, R11-NEW-EQUIV: when the scan that makes N1 unequivocal cannot confirm (too
/// early under `irecist.early_scan_confirms: never`), the next one confirms with N1 still
/// listed, and progression is still dated back to N1's first sighting.
#[test]
fn ir_cpd_date_equivocal_lesion_dated_back_when_confirmed_at_a_later_scan() {
    let never = rules("irecist", &[("irecist.early_scan_confirms", "never")]);
    let r = run_with(
        &never,
        &[
            ("2021-02-01", 50, "present", N1_EQUIVOCAL),
            ("2021-03-01", 72, "present", N1_EQUIVOCAL),
            ("2021-03-10", 72, "present", N1),
            ("2021-04-05", 72, "present", N1),
        ],
    );
    assert_eq!(overall(&r), [O::ISd, O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-02-01")));
}

/// IR-CPD-DATE, R11-NEW-EQUIV: N1 equivocal since 02-01; the targets' iUPD of 03-01 is
/// confirmed on 04-05 (dated 03-01); N1 turns unequivocal on 05-10: progression moves back to
/// 02-01, as RECIST 1.1 moves a PD already dated.
#[test]
fn ir_cpd_date_equivocal_lesion_confirmed_after_icpd_moves_the_date_back() {
    let scans = [
        ("2021-02-01", 50, "present", N1_EQUIVOCAL),
        ("2021-03-01", 72, "present", N1_EQUIVOCAL),
        ("2021-04-05", 77, "present", N1_EQUIVOCAL),
        ("2021-05-10", 77, "present", N1),
    ];
    let r = run(&scans);
    assert_eq!(overall(&r), [O::ISd, O::IUpd, O::ICpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-02-01")));
    let r11 = run_with(&rules("recist-1.1", &[]), &scans);
    assert_eq!(progression(&r11), Some(date("2021-02-01")));
}

// --- IR-CPD-NT: a second non-target progressing after a non-target iUPD ---

/// A subject with targets T1, T2 (50 mm each) and non-targets NT1 (bone) and NT2 (pleura);
/// each scan: (date, NT1, NT2).
fn two_non_targets(scans: &[(&str, &str, &str)]) -> String {
    let mut y = String::from(
        "subject: IRA-2\ntreatment_start: 2021-01-05\nlesions:\n  - {id: T1, site: lung, role: target}\n  - {id: T2, site: liver, role: target}\n  - {id: NT1, site: bone, role: non-target}\n  - {id: NT2, site: pleura, role: non-target}\nassessments:\n  - date: 2021-01-04\n    findings: {T1: {long_axis: 50}, T2: {long_axis: 50}, NT1: present, NT2: present}\n",
    );
    for (d, nt1, nt2) in scans {
        y.push_str(&format!(
            "  - date: {d}\n    findings: {{T1: {{long_axis: 50}}, T2: {{long_axis: 50}}, NT1: {nt1}, NT2: {nt2}}}\n"
        ));
    }
    y
}

/// IR-CPD-NT: NT1 progresses unequivocally (iUPD); at the next assessment NT2, present at the
/// iUPD, progresses unequivocally too. That is a further increase of the non-target disease
/// (iR Table 2: "any further increase", need not be marked `increased`): iCPD, dated to the
/// iUPD. NT1 alone still `progression` is the same status and stays iUPD; a non-target
/// already progressing, or not evaluated, at the iUPD does not count.
#[test]
fn ir_cpd_nt_another_non_target_newly_progressing_confirms() {
    let ir = rules("irecist", &[]);
    let run2 =
        |scans: &[(&str, &str, &str)]| common::assess(&ir, &two_non_targets(scans)).remove(0);
    let r = run2(&[
        ("2021-03-01", "progression", "present"),
        ("2021-04-05", "progression", "progression"),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-03-01")));
    let tp = &r.timepoints[2].follow_up.as_ref().unwrap();
    assert!(
        tp.reasons.contains(&"IR-CPD-NT".to_string()),
        "{:?}",
        tp.reasons
    );
    // Seen on a scan too early to confirm, it still confirms at the next one in the window.
    let r = run2(&[
        ("2021-03-01", "progression", "present"),
        ("2021-03-15", "progression", "progression"),
        ("2021-04-05", "progression", "progression"),
    ]);
    assert_eq!(overall(&r), [O::IUpd, O::IUpd, O::ICpd]);
    for same in [
        [
            ("2021-03-01", "progression", "present"),
            ("2021-04-05", "progression", "present"),
        ],
        [
            ("2021-03-01", "progression", "progression"),
            ("2021-04-05", "progression", "progression"),
        ],
        [
            ("2021-03-01", "progression", "not-evaluated"),
            ("2021-04-05", "progression", "progression"),
        ],
    ] {
        let r = run2(&same);
        assert_eq!(overall(&r), [O::IUpd, O::IUpd], "{same:?}");
        assert_eq!(r.progression, None);
    }
}

// --- AMB-01 with IR-UPD: a new lesion seen before an iCR, seen again after it ---

/// Targets and NT1 gone (CR) with, per scan, new lesions (a YAML flow list, or "").
fn after_cr(scans: &[(&str, bool, &str)]) -> String {
    let mut y = String::from(
        "subject: IRA-3\ntreatment_start: 2021-01-05\nlesions:\n  - {id: T1, site: lung, role: target}\n  - {id: T2, site: liver, role: target}\n  - {id: NT1, site: bone, role: non-target}\nassessments:\n  - date: 2021-01-04\n    findings: {T1: {long_axis: 50}, T2: {long_axis: 50}, NT1: present}\n",
    );
    for (d, gone, new) in scans {
        if *gone {
            y.push_str(&format!(
                "  - date: {d}\n    findings: {{T1: absent, T2: absent, NT1: absent}}\n"
            ));
        } else {
            y.push_str(&format!(
                "  - date: {d}\n    findings: {{T1: {{long_axis: 50}}, T2: {{long_axis: 50}}, NT1: present}}\n"
            ));
        }
        if !new.is_empty() {
            y.push_str(&format!("    new_lesions: {new}\n"));
        }
    }
    y
}

/// IR-UPD with AMB-01 (`timepoint.disease_after_cr: progression`): N1 (iUPD) goes, the
/// disease resets to iCR; N1 seen again after the iCR is disease after a CR, RECIST 1.1
/// progression: iUPD (it was iPR, a CR followed by a partial response). The same N1 at the
/// next scan is no further progression (iUPD); N1 grown by 5 mm confirms (iCPD), dated to the
/// scan it came back on. Under `arithmetic` nothing changes (iPR).
#[test]
fn ir_upd_amb_01_new_lesion_seen_again_after_icr() {
    let scans = [
        (
            "2021-03-01",
            false,
            "[{id: N1, site: brain, long_axis: 15}]",
        ),
        ("2021-04-05", true, ""),
        ("2021-05-10", true, ""),
        ("2021-06-14", true, "[{id: N1, site: brain, long_axis: 15}]"),
        ("2021-07-19", true, "[{id: N1, site: brain, long_axis: 15}]"),
        ("2021-08-23", true, "[{id: N1, site: brain, long_axis: 20}]"),
    ];
    let r = common::assess(&rules("irecist", &[]), &after_cr(&scans)).remove(0);
    assert_eq!(
        overall(&r),
        [O::IUpd, O::ICr, O::ICr, O::IUpd, O::IUpd, O::ICpd]
    );
    assert!(
        r.timepoints[4]
            .follow_up
            .as_ref()
            .unwrap()
            .reasons
            .contains(&"IR-UPD".to_string())
    );
    assert_eq!(progression(&r), Some(date("2021-06-14")));
    // A reappearance on a scan too early to confirm an iUPD the new lesion N2 started after
    // the iCR still counts at the next scan, as an additional new lesion does.
    let early = [
        (
            "2021-03-01",
            false,
            "[{id: N1, site: brain, long_axis: 15}]",
        ),
        ("2021-04-05", true, ""),
        ("2021-05-10", true, "[{id: N2, site: skin, long_axis: 12}]"),
        (
            "2021-05-20",
            true,
            "[{id: N1, site: brain, long_axis: 15}, {id: N2, site: skin, long_axis: 12}]",
        ),
        (
            "2021-06-14",
            true,
            "[{id: N1, site: brain, long_axis: 15}, {id: N2, site: skin, long_axis: 12}]",
        ),
    ];
    let never = rules("irecist", &[("irecist.early_scan_confirms", "never")]);
    let r = common::assess(&never, &after_cr(&early)).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::ICr, O::IUpd, O::IUpd, O::ICpd]);
    assert_eq!(progression(&r), Some(date("2021-05-10")));
    let arithmetic = rules("irecist", &[("timepoint.disease_after_cr", "arithmetic")]);
    let r = common::assess(&arithmetic, &after_cr(&scans[..4])).remove(0);
    assert_eq!(overall(&r), [O::IUpd, O::ICr, O::ICr, O::IPr]);
}
