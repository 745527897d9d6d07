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
