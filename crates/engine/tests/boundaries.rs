//! Boundary tables for the RECIST 1.1 target-lesion arithmetic (rules reference §1.4, §1.7,
//! §1.8, §7 and §7.1): each case sits on, or one hundredth of a millimetre beside, a threshold.
//!
//! Test names carry the rule ID they exercise, in snake case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use recist_engine::assess_subject;
use recist_model::{
    Assessment, Diameters, FieldPlacement, Finding, FollowUpResult, Lesion, Mm, Modality,
    NewLesion, NewLesions, NonTargetResponse, OverallResponse, Role, Subject, TargetFinding,
    TargetResponse, TimepointResult,
};
use recist_rules::RuleSet;
use rstest::rstest;

use OverallResponse as O;
use TargetResponse as T;

/// Non-nodal sites, at most two targets each (R11-TGT-MAX).
const SITES: [&str; 5] = ["liver", "lung", "kidney", "adrenal gland", "spleen"];

fn rules() -> RuleSet {
    RuleSet::bundled("recist-1.1").expect("the bundled RECIST 1.1 rule set loads")
}

fn mm(hundredths: i64) -> Mm {
    Mm::from_hundredths(hundredths)
}

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .checked_add_days(Days::new(n))
        .unwrap()
}

fn lesion(id: &str, site: &str, nodal: bool) -> Lesion {
    Lesion {
        nodal,
        ..Lesion::new(id, site, Role::Target)
    }
}

/// What one target shows at one assessment.
#[derive(Debug, Clone, Copy)]
enum Shows {
    /// Measured, in hundredths of a millimetre (long axis, or short axis for a node).
    Mm(i64),
    /// Disappeared.
    Absent,
    /// Not evaluated.
    Ne,
}

fn finding(nodal: bool, shows: Shows) -> Finding {
    Finding::Target(match shows {
        Shows::Mm(h) if nodal => TargetFinding::Measured(Diameters {
            short_axis: Some(mm(h)),
            ..Default::default()
        }),
        Shows::Mm(h) => TargetFinding::Measured(Diameters {
            long_axis: Some(mm(h)),
            ..Default::default()
        }),
        Shows::Absent => TargetFinding::Absent,
        Shows::Ne => TargetFinding::NotEvaluated,
    })
}

/// A subject whose targets are `targets` (id, site, nodal); `scans[0]` is the baseline and
/// every scan gives one entry per target, in the order of `targets`. Scans are 6 weeks apart.
fn subject(targets: &[(String, String, bool)], scans: &[Vec<Shows>]) -> Subject {
    let days: Vec<u64> = (0..scans.len() as u64).map(|i| 42 * i).collect();
    subject_on(&days, targets, scans)
}

/// As [`subject`], with the scan days (from the baseline, day 0) given.
fn subject_on(days: &[u64], targets: &[(String, String, bool)], scans: &[Vec<Shows>]) -> Subject {
    assert_eq!(days.len(), scans.len(), "one day per scan");
    let assessments = scans
        .iter()
        .zip(days)
        .map(|(values, &d)| {
            assert_eq!(values.len(), targets.len(), "one value per target");
            Assessment {
                date: day(d),
                modality: Modality::Ct,
                slice_thickness_mm: None,
                findings: targets
                    .iter()
                    .zip(values)
                    .map(|((id, _, nodal), shows)| (id.clone(), finding(*nodal, *shows)))
                    .collect(),
                new_lesions: vec![],
                visit: None,
                visit_number: None,
            }
        })
        .collect();
    Subject {
        subject: "BOUNDARY".into(),
        evaluator: None,
        treatment_start: None,
        covariates: BTreeMap::new(),
        follow_up: None,
        radiotherapy: vec![],
        lesions: targets
            .iter()
            .map(|(id, site, nodal)| lesion(id, site, *nodal))
            .collect(),
        assessments,
    }
}

/// Non-nodal targets T1.. on distinct sites (two per organ at most).
fn non_nodal(n: usize) -> Vec<(String, String, bool)> {
    (0..n)
        .map(|i| (format!("T{}", i + 1), SITES[i / 2].to_string(), false))
        .collect()
}

/// Splits a flat list of values into scans of `per_scan` measured values.
fn scans_of(baseline: &[i64], follow_ups: &[i64]) -> Vec<Vec<Shows>> {
    assert_eq!(
        follow_ups.len() % baseline.len(),
        0,
        "follow-ups come in whole scans"
    );
    std::iter::once(baseline.iter().map(|&h| Shows::Mm(h)).collect())
        .chain(
            follow_ups
                .chunks(baseline.len())
                .map(|c| c.iter().map(|&h| Shows::Mm(h)).collect()),
        )
        .collect()
}

/// Adjudicates and returns every follow-up timepoint of the `all` scope.
fn run(subject: &Subject) -> Vec<TimepointResult> {
    let results = assess_subject(&rules(), subject).expect("the subject is adjudicated");
    assert_eq!(results.len(), 1, "no radiotherapy: the `all` scope alone");
    let tps = results[0].timepoints.clone();
    assert!(tps[0].baseline);
    tps[1..].to_vec()
}

fn last(tps: &[TimepointResult]) -> (&TimepointResult, &FollowUpResult) {
    let tp = tps.last().expect("at least one follow-up");
    (tp, tp.follow_up.as_ref().expect("a follow-up has a result"))
}

fn has_reason(f: &FollowUpResult, rule: &str) -> bool {
    f.reasons.iter().any(|r| r == rule)
}

// ---------------------------------------------------------------------------------------------
// R11-TGT-PR: S ≤ 0.70 × B, exactly (AMB-09: no rounding before the comparison).

#[rstest]
#[case::b100_s70_00_is_pr(&[10000], &[7000], T::Pr, -30.0)]
#[case::b100_s70_01_is_sd(&[10000], &[7001], T::Sd, -29.99)]
#[case::b100_s69_99_is_pr(&[10000], &[6999], T::Pr, -30.01)]
#[case::b60_s42_00_is_pr(&[6000], &[4200], T::Pr, -30.0)]
#[case::b60_s42_01_is_sd(&[6000], &[4201], T::Sd, -29.98)]
#[case::b60_s41_99_is_pr(&[6000], &[4199], T::Pr, -30.02)]
#[case::two_targets_b100_s70_00_is_pr(&[6000, 4000], &[4200, 2800], T::Pr, -30.0)]
#[case::two_targets_b100_s70_01_is_sd(&[6000, 4000], &[4201, 2800], T::Sd, -29.99)]
#[case::five_targets_b150_s105_00_is_pr(&[3000, 3000, 3000, 3000, 3000], &[2100, 2100, 2100, 2100, 2100], T::Pr, -30.0)]
#[case::five_targets_b150_s105_01_is_sd(&[3000, 3000, 3000, 3000, 3000], &[2100, 2100, 2100, 2100, 2101], T::Sd, -29.99)]
fn r11_tgt_pr_boundary(
    #[case] baseline: &[i64],
    #[case] follow_up: &[i64],
    #[case] expected: TargetResponse,
    #[case] pct: f64,
) {
    let s = subject(&non_nodal(baseline.len()), &scans_of(baseline, follow_up));
    let tps = run(&s);
    let (tp, f) = last(&tps);
    assert_eq!(f.target, Some(expected), "{f:#?}");
    let overall = if expected == T::Pr { O::Pr } else { O::Sd };
    assert_eq!(f.overall, overall);
    assert_eq!(tp.sum_mm, Some(mm(follow_up.iter().sum())));
    assert_eq!(f.nadir_mm, Some(mm(baseline.iter().sum())));
    assert_eq!(f.change_from_baseline_pct, Some(pct));
    let rule = if expected == T::Pr {
        "R11-TGT-PR"
    } else {
        "R11-TGT-SD"
    };
    assert!(has_reason(f, rule), "{rule} missing from {:?}", f.reasons);
}

// ---------------------------------------------------------------------------------------------
// R11-TGT-PD: S ≥ 1.20 × N and S − N ≥ 5 mm, N the nadir (baseline included).

#[rstest]
// Nadir 100 mm: 20 % (+20 mm) decides.
#[case::nadir100_at_baseline_s120_00_is_pd(&[10000], &[12000], 10000, T::Pd)]
#[case::nadir100_at_baseline_s119_99_is_sd(&[10000], &[11999], 10000, T::Sd)]
#[case::nadir100_after_shrink_s120_00_is_pd(&[15000], &[10000, 12000], 10000, T::Pd)]
#[case::nadir100_after_shrink_s119_99_is_sd(&[15000], &[10000, 11999], 10000, T::Sd)]
// Nadir 25 mm: +20 % is exactly +5 mm, both minimums meet.
#[case::nadir25_at_baseline_s30_00_is_pd(&[2500], &[3000], 2500, T::Pd)]
#[case::nadir25_at_baseline_s29_99_is_sd(&[2500], &[2999], 2500, T::Sd)]
#[case::nadir25_after_shrink_s30_00_is_pd(&[4000], &[2500, 3000], 2500, T::Pd)]
#[case::nadir25_after_shrink_s29_99_is_sd(&[4000], &[2500, 2999], 2500, T::Sd)]
// Nadir 20 mm: +24.5 % but only +4.9 mm is not PD; the 5 mm minimum decides.
#[case::nadir20_at_baseline_s24_90_is_sd(&[2000], &[2490], 2000, T::Sd)]
#[case::nadir20_at_baseline_s24_99_is_sd(&[2000], &[2499], 2000, T::Sd)]
#[case::nadir20_at_baseline_s25_00_is_pd(&[2000], &[2500], 2000, T::Pd)]
#[case::nadir20_after_shrink_s24_90_is_sd(&[3000], &[2000, 2490], 2000, T::Sd)]
#[case::nadir20_after_shrink_s25_00_is_pd(&[3000], &[2000, 2500], 2000, T::Pd)]
// The nadir is the smallest sum so far, not the previous one.
#[case::nadir_is_the_smallest_not_the_last(&[15000], &[10000, 11000, 12000], 10000, T::Pd)]
#[case::nadir_is_the_smallest_not_the_last_sd(&[15000], &[10000, 11000, 11999], 10000, T::Sd)]
// Two targets: the sum decides, not a single lesion.
#[case::two_targets_nadir100_s120_00_is_pd(&[6000, 4000], &[7200, 4800], 10000, T::Pd)]
#[case::two_targets_nadir100_s119_99_is_sd(&[6000, 4000], &[7199, 4800], 10000, T::Sd)]
#[case::one_target_doubles_sum_below_pd(&[9000, 1000], &[9000, 2000], 10000, T::Sd)]
fn r11_tgt_pd_boundary(
    #[case] baseline: &[i64],
    #[case] follow_ups: &[i64],
    #[case] nadir: i64,
    #[case] expected: TargetResponse,
) {
    let s = subject(&non_nodal(baseline.len()), &scans_of(baseline, follow_ups));
    let tps = run(&s);
    let (tp, f) = last(&tps);
    assert_eq!(
        f.nadir_mm,
        Some(mm(nadir)),
        "the nadir was built as intended"
    );
    assert_eq!(f.target, Some(expected), "{f:#?}");
    let sum = mm(follow_ups[follow_ups.len() - baseline.len()..].iter().sum());
    assert_eq!(tp.sum_mm, Some(sum));
    assert_eq!(f.change_from_nadir_mm, Some(sum - mm(nadir)));
    if expected == T::Pd {
        assert_eq!(f.overall, O::Pd);
        assert!(has_reason(f, "R11-TGT-PD"), "{:?}", f.reasons);
    } else {
        assert_eq!(f.overall, O::Sd);
        assert!(has_reason(f, "R11-TGT-SD"), "{:?}", f.reasons);
        assert!(!has_reason(f, "R11-TGT-PD"), "{:?}", f.reasons);
    }
}

// ---------------------------------------------------------------------------------------------
// R11-TGT-ORDER: PD is tested first; a sum ≥ 30 % below baseline can still be PD vs the nadir.

#[rstest]
#[case::pd_although_minus_85_from_baseline(&[10000], &[1000, 1500], T::Pd)]
#[case::pr_when_growth_under_5mm(&[10000], &[1000, 1499], T::Pr)]
fn r11_tgt_order_pd_tested_before_pr(
    #[case] baseline: &[i64],
    #[case] follow_ups: &[i64],
    #[case] expected: TargetResponse,
) {
    let s = subject(&non_nodal(baseline.len()), &scans_of(baseline, follow_ups));
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(f.target, Some(expected), "{f:#?}");
    if expected == T::Pd {
        assert!(has_reason(f, "R11-TGT-ORDER"), "{:?}", f.reasons);
    }
}

// ---------------------------------------------------------------------------------------------
// R11-TGT-CR with nodal targets (R11-NODE-RECORD): every node below 10 mm short axis is CR,
// with a non-zero sum; a node at exactly 10 mm is not.

#[rstest]
#[case::both_9_99_is_cr(999, 999, T::Cr)]
#[case::both_0_is_cr(0, 0, T::Cr)]
#[case::one_9_99_one_0_is_cr(999, 0, T::Cr)]
#[case::first_10_00_is_not_cr(1000, 999, T::Pr)]
#[case::second_10_00_is_not_cr(999, 1000, T::Pr)]
#[case::both_10_00_is_not_cr(1000, 1000, T::Pr)]
fn r11_tgt_cr_node_boundary(
    #[case] first: i64,
    #[case] second: i64,
    #[case] expected: TargetResponse,
) {
    let targets = vec![
        ("N1".to_string(), "mediastinal lymph node".to_string(), true),
        ("N2".to_string(), "axillary lymph node".to_string(), true),
    ];
    let s = subject(
        &targets,
        &[
            vec![Shows::Mm(2000), Shows::Mm(1600)],
            vec![Shows::Mm(first), Shows::Mm(second)],
        ],
    );
    let tps = run(&s);
    let (tp, f) = last(&tps);
    assert_eq!(f.target, Some(expected), "{f:#?}");
    assert_eq!(
        tp.sum_mm,
        Some(mm(first + second)),
        "nodes keep their short axis in the sum"
    );
    if expected == T::Cr {
        assert_eq!(f.overall, O::Cr, "no non-target, no new lesion: overall CR");
        assert!(has_reason(f, "R11-TGT-CR"), "{:?}", f.reasons);
        if first + second > 0 {
            assert!(has_reason(f, "R11-NODE-RECORD"), "{:?}", f.reasons);
        }
    } else {
        assert_eq!(f.overall, O::Pr);
        assert!(!has_reason(f, "R11-TGT-CR"), "{:?}", f.reasons);
    }
}

/// R11-TGT-CR with a non-nodal target as well: it must be 0 (absent), however small otherwise.
#[rstest]
#[case::non_nodal_absent_node_9_99_is_cr(Shows::Absent, 999, T::Cr)]
#[case::non_nodal_0_node_9_99_is_cr(Shows::Mm(0), 999, T::Cr)]
#[case::non_nodal_0_01_is_not_cr(Shows::Mm(1), 999, T::Pr)]
#[case::non_nodal_absent_node_10_is_not_cr(Shows::Absent, 1000, T::Pr)]
fn r11_tgt_cr_mixed_boundary(
    #[case] non_nodal: Shows,
    #[case] node: i64,
    #[case] expected: TargetResponse,
) {
    let targets = vec![
        ("T1".to_string(), "liver".to_string(), false),
        ("N1".to_string(), "mediastinal lymph node".to_string(), true),
    ];
    let s = subject(
        &targets,
        &[
            vec![Shows::Mm(4000), Shows::Mm(2000)],
            vec![non_nodal, Shows::Mm(node)],
        ],
    );
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(f.target, Some(expected), "{f:#?}");
}

// ---------------------------------------------------------------------------------------------
// Percent changes are display values rounded to two decimals (half away from zero, as the
// engine documents); decisions use the exact sums (AMB-09).

#[rstest]
#[case::b60_s44(&[6000], &[4400], -26.67)]
#[case::b60_s42_01(&[6000], &[4201], -29.98)]
#[case::b60_s42(&[6000], &[4200], -30.0)]
#[case::b100_s70_01(&[10000], &[7001], -29.99)]
#[case::b30_s20(&[3000], &[2000], -33.33)]
#[case::b30_s40(&[3000], &[4000], 33.33)]
#[case::b70_s100(&[7000], &[10000], 42.86)]
#[case::b80_s79_99(&[8000], &[7999], -0.01)]
#[case::b16_s15_98_half_away_from_zero(&[1600], &[1598], -0.13)]
#[case::b16_s16_02_half_away_from_zero(&[1600], &[1602], 0.13)]
#[case::b60_unchanged(&[6000], &[6000], 0.0)]
#[case::gone(&[6000], &[0], -100.0)]
fn amb_09_change_from_baseline_pct_display(
    #[case] baseline: &[i64],
    #[case] follow_up: &[i64],
    #[case] pct: f64,
) {
    let s = subject(&non_nodal(baseline.len()), &scans_of(baseline, follow_up));
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(f.change_from_baseline_pct, Some(pct), "{f:#?}");
    // The first follow-up's nadir is the baseline: both changes agree.
    assert_eq!(f.change_from_nadir_pct, Some(pct));
}

/// The change from the nadir is also rounded, and is computed against the nadir in force
/// before the assessment.
#[rstest]
#[case::nadir60_s80(&[9000], &[6000, 8000], 33.33, 2000)]
#[case::nadir30_s29_99(&[9000], &[3000, 2999], -0.03, -1)]
#[case::nadir30_s30_01(&[9000], &[3000, 3001], 0.03, 1)]
fn amb_09_change_from_nadir_pct_display(
    #[case] baseline: &[i64],
    #[case] follow_ups: &[i64],
    #[case] pct: f64,
    #[case] change_mm: i64,
) {
    let s = subject(&non_nodal(baseline.len()), &scans_of(baseline, follow_ups));
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(f.change_from_nadir_pct, Some(pct), "{f:#?}");
    assert_eq!(f.change_from_nadir_mm, Some(mm(change_mm)));
}

/// A displayed −30.00 % is not a PR when the exact change is −29.995 % (AMB-09: the rounded
/// value is for display only).
#[test]
fn amb_09_display_rounding_does_not_decide() {
    let s = subject(&non_nodal(2), &scans_of(&[10000, 10000], &[7001, 7000]));
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(
        f.change_from_baseline_pct,
        Some(-30.0),
        "−29.995 % displays as −30.00 %"
    );
    assert_eq!(
        f.target,
        Some(T::Sd),
        "but the exact sum 140.01 > 0.7 × 200 is not PR"
    );
}

/// With a nadir of 0 there is no percentage from the nadir; the millimetre change remains.
#[test]
fn amb_09_change_from_zero_nadir_has_no_pct() {
    let targets = non_nodal(1);
    let s = subject(
        &targets,
        &[
            vec![Shows::Mm(2000)],
            vec![Shows::Absent],
            vec![Shows::Mm(300)],
        ],
    );
    let tps = run(&s);
    let first = tps[0].follow_up.as_ref().unwrap();
    assert_eq!(first.target, Some(T::Cr));
    assert_eq!(first.overall, O::Cr);
    let (_, f) = last(&tps);
    assert_eq!(f.nadir_mm, Some(Mm::ZERO));
    assert_eq!(f.change_from_nadir_pct, None);
    assert_eq!(f.change_from_nadir_mm, Some(mm(300)));
    assert_eq!(f.change_from_baseline_pct, Some(-85.0));
    // AMB-01: disease seen again after an overall CR is PD, whatever the arithmetic.
    assert_eq!(f.target, Some(T::Pd));
    assert!(has_reason(f, "AMB-01"), "{:?}", f.reasons);
}

// ---------------------------------------------------------------------------------------------
// R11-MISS-PARTIAL / R11-MISS-ENGINE (AMB-05 `pd-if-certain`): with a target not evaluated,
// PD only when the measured targets alone already meet it; otherwise NE.

#[rstest]
#[case::measured_alone_meet_pd(12000, T::Pd, O::Pd)]
#[case::measured_alone_one_hundredth_short(11999, T::Ne, O::Ne)]
#[case::measured_alone_small(1000, T::Ne, O::Ne)]
fn r11_miss_partial_boundary(
    #[case] measured: i64,
    #[case] target: TargetResponse,
    #[case] overall: OverallResponse,
) {
    let s = subject(
        &non_nodal(2),
        &[
            vec![Shows::Mm(5000), Shows::Mm(5000)],
            vec![Shows::Mm(measured), Shows::Ne],
        ],
    );
    let tps = run(&s);
    let (tp, f) = last(&tps);
    assert_eq!(f.target, Some(target), "{f:#?}");
    assert_eq!(f.overall, overall);
    assert_eq!(tp.sum_mm, None, "no sum while a target is missing");
    assert!(has_reason(f, "R11-MISS-PARTIAL"), "{:?}", f.reasons);
    if target == T::Pd {
        assert!(has_reason(f, "R11-MISS-ENGINE"), "{:?}", f.reasons);
    }
}

/// R11-MISS-NOSCAN: no target evaluated at all is NE.
#[test]
fn r11_miss_noscan_is_ne() {
    let s = subject(
        &non_nodal(2),
        &[
            vec![Shows::Mm(5000), Shows::Mm(5000)],
            vec![Shows::Ne, Shows::Ne],
        ],
    );
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(f.target, Some(T::Ne));
    assert_eq!(f.overall, O::Ne);
    assert_eq!(f.new_lesions, NewLesions::No);
    assert!(has_reason(f, "R11-MISS-NOSCAN"), "{:?}", f.reasons);
}

/// R11-NE-NADIR: an NE timepoint does not lower the nadir, even when its measured targets
/// alone are small.
#[test]
fn r11_ne_nadir_not_updated() {
    let s = subject(
        &non_nodal(2),
        &[
            vec![Shows::Mm(5000), Shows::Mm(5000)],
            vec![Shows::Mm(1000), Shows::Ne],
            vec![Shows::Mm(3000), Shows::Mm(3000)],
        ],
    );
    let tps = run(&s);
    assert_eq!(tps[0].follow_up.as_ref().unwrap().target, Some(T::Ne));
    let (_, f) = last(&tps);
    assert_eq!(f.nadir_mm, Some(mm(10000)));
    assert_eq!(
        f.target,
        Some(T::Pr),
        "60 mm is −40 % from baseline; vs a nadir of 10 mm it would be PD"
    );
}

// ---------------------------------------------------------------------------------------------
// R11-OR-T1: overall response from target, non-target and new lesions (spot checks at the
// boundaries the tables above exercise, with a non-target present).

#[rstest]
#[case::target_cr_nt_present_is_pr(
    0,
    recist_model::NonTargetStatus::Present,
    T::Cr,
    NonTargetResponse::NonCrNonPd,
    O::Pr
)]
#[case::target_cr_nt_not_evaluated_is_pr(
    0,
    recist_model::NonTargetStatus::NotEvaluated,
    T::Cr,
    NonTargetResponse::Ne,
    O::Pr
)]
#[case::target_cr_nt_absent_is_cr(
    0,
    recist_model::NonTargetStatus::Absent,
    T::Cr,
    NonTargetResponse::Cr,
    O::Cr
)]
#[case::target_pr_nt_ne_is_pr(
    7000,
    recist_model::NonTargetStatus::NotEvaluated,
    T::Pr,
    NonTargetResponse::Ne,
    O::Pr
)]
#[case::target_sd_nt_present_is_sd(
    7001,
    recist_model::NonTargetStatus::Present,
    T::Sd,
    NonTargetResponse::NonCrNonPd,
    O::Sd
)]
#[case::target_pr_nt_pd_is_pd(
    7000,
    recist_model::NonTargetStatus::Progression,
    T::Pr,
    NonTargetResponse::Pd,
    O::Pd
)]
fn r11_or_t1_boundary(
    #[case] target_mm: i64,
    #[case] nt: recist_model::NonTargetStatus,
    #[case] target: TargetResponse,
    #[case] non_target: NonTargetResponse,
    #[case] overall: OverallResponse,
) {
    use recist_model::{NonTargetFinding, NonTargetStatus};
    let mut s = subject(&non_nodal(1), &scans_of(&[10000], &[target_mm]));
    s.lesions.push(Lesion {
        role: Role::NonTarget,
        ..lesion("NT1", "bone", false)
    });
    let nt_finding = |status| {
        Finding::NonTarget(NonTargetFinding {
            status,
            viable: None,
            cytology: None,
            short_axis: None,
            increased: false,
        })
    };
    s.assessments[0]
        .findings
        .insert("NT1".into(), nt_finding(NonTargetStatus::Present));
    s.assessments[1]
        .findings
        .insert("NT1".into(), nt_finding(nt));
    let shows = if target_mm == 0 {
        Shows::Absent
    } else {
        Shows::Mm(target_mm)
    };
    s.assessments[1]
        .findings
        .insert("T1".into(), finding(false, shows));
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(f.target, Some(target), "{f:#?}");
    assert_eq!(f.non_target, Some(non_target));
    assert_eq!(f.overall, overall);
}

// ---------------------------------------------------------------------------------------------
// R11-NEW-NODE / AMB-13: a new node counts from 10 mm short axis.

fn new_node(id: &str, short_axis: i64, equivocal: bool) -> NewLesion {
    NewLesion {
        id: id.into(),
        site: "cervical lymph node".into(),
        nodal: true,
        kind: None,
        diameters: Diameters {
            short_axis: Some(mm(short_axis)),
            ..Default::default()
        },
        equivocal,
        hcc_typical: false,
        field: FieldPlacement::None,
        cytology: None,
        increased: false,
        progression: false,
    }
}

#[rstest]
#[case::sa_9_99_is_not_new(999, NewLesions::No, O::Sd)]
#[case::sa_10_00_is_new(1000, NewLesions::Yes, O::Pd)]
#[case::sa_15_00_is_new(1500, NewLesions::Yes, O::Pd)]
fn r11_new_node_boundary(
    #[case] short_axis: i64,
    #[case] indicator: NewLesions,
    #[case] overall: OverallResponse,
) {
    let mut s = subject(&non_nodal(1), &scans_of(&[5000], &[5000]));
    s.assessments[1]
        .new_lesions
        .push(new_node("NEW1", short_axis, false));
    let tps = run(&s);
    let (_, f) = last(&tps);
    assert_eq!(f.new_lesions, indicator, "{f:#?}");
    assert_eq!(f.overall, overall);
    assert!(has_reason(f, "R11-NEW-NODE"), "{:?}", f.reasons);
}

/// R11-NEW-EQUIV / AMB-07: an equivocal new lesion later confirmed moves progression back to
/// its first sighting; the earlier timepoint's response stays as assessed.
#[test]
fn r11_new_equiv_confirmed_is_backdated() {
    let mut s = subject(&non_nodal(1), &scans_of(&[5000], &[5000, 5000]));
    s.assessments[1]
        .new_lesions
        .push(new_node("NEW1", 1200, true));
    s.assessments[2]
        .new_lesions
        .push(new_node("NEW1", 1200, false));
    let results = assess_subject(&rules(), &s).unwrap();
    let tps = &results[0].timepoints;
    let first = tps[1].follow_up.as_ref().unwrap();
    assert_eq!(first.new_lesions, NewLesions::Equivocal);
    assert_eq!(
        first.overall,
        O::Sd,
        "AMB-07 default: the earlier response is kept"
    );
    let second = tps[2].follow_up.as_ref().unwrap();
    assert_eq!(second.new_lesions, NewLesions::Yes);
    assert_eq!(second.overall, O::Pd);
    let p = results[0].progression.as_ref().expect("progression");
    assert_eq!(p.date, day(42), "dated back to the first sighting");
    assert_eq!(p.first_pd_assessment, day(84));
}

/// R11-NEW-NODE with R11-NEW-EQUIV: a node first seen at 8 mm short axis is a normal node
/// (R11-NODE-NORMAL), reported `NO`: it is not an equivocal lesion. When it grows to 12 mm at
/// the next scan it is a new lesion *there*; progression must not be dated back to the scan
/// where it was normal (AMB-07 and §7.1 back-date only lesions reported `EQUIVOCAL`).
#[test]
fn r11_new_node_normal_at_first_sighting_is_not_backdated() {
    let mut s = subject(&non_nodal(1), &scans_of(&[5000], &[5000, 5000]));
    s.assessments[1]
        .new_lesions
        .push(new_node("NEW1", 800, false));
    s.assessments[2]
        .new_lesions
        .push(new_node("NEW1", 1200, false));
    let results = assess_subject(&rules(), &s).unwrap();
    let tps = &results[0].timepoints;
    let first = tps[1].follow_up.as_ref().unwrap();
    assert_eq!(first.new_lesions, NewLesions::No, "8 mm is a normal node");
    assert_eq!(first.overall, O::Sd);
    let second = tps[2].follow_up.as_ref().unwrap();
    assert_eq!(second.new_lesions, NewLesions::Yes);
    assert_eq!(second.overall, O::Pd);
    let p = results[0].progression.as_ref().expect("progression");
    assert_eq!(p.first_pd_assessment, day(84));
    assert_eq!(
        p.date,
        day(84),
        "progression dated to the scan where the node reached 10 mm, not to the scan where it was normal"
    );
    assert!(
        !has_reason(second, "R11-NEW-EQUIV"),
        "never equivocal: {:?}",
        second.explanations
    );
}

// ---------------------------------------------------------------------------------------------
// R11-SD-MIN (AMB-12): SD counts for best response from day 42 on, inclusive.

#[rstest]
#[case::day_41_is_ne(41, O::Ne)]
#[case::day_42_is_sd(42, O::Sd)]
#[case::day_43_is_sd(43, O::Sd)]
fn r11_sd_min_boundary(#[case] fu_day: u64, #[case] best: OverallResponse) {
    let s = subject_on(&[0, fu_day], &non_nodal(1), &scans_of(&[5000], &[5000]));
    let results = assess_subject(&rules(), &s).unwrap();
    assert_eq!(
        results[0].timepoints[1].follow_up.as_ref().unwrap().overall,
        O::Sd
    );
    assert_eq!(results[0].best_overall_response, Some(best));
    assert_eq!(results[0].confirmed_best_overall_response, Some(best));
}

// R11-CONF-INT (AMB-11): a PR is confirmed by a CR/PR at least 28 days later.

#[rstest]
#[case::after_27_days_unconfirmed(27, O::Sd)]
#[case::after_28_days_confirmed(28, O::Pr)]
#[case::after_35_days_confirmed(35, O::Pr)]
fn r11_conf_int_boundary(#[case] gap: u64, #[case] confirmed: OverallResponse) {
    let s = subject_on(
        &[0, 42, 42 + gap],
        &non_nodal(1),
        &scans_of(&[5000], &[3000, 3000]),
    );
    let results = assess_subject(&rules(), &s).unwrap();
    assert_eq!(results[0].best_overall_response, Some(O::Pr));
    assert_eq!(results[0].confirmed_best_overall_response, Some(confirmed));
}

/// R11-TGT-PD from a nadir of 0 without an earlier overall CR (a non-target persisted, so the
/// CR timepoint was an overall PR and AMB-01 does not apply): a reappearing lesion is PD only
/// by arithmetic, and with a nadir of 0 the 5 mm minimum decides (§7.1 "PD needs growth").
#[rstest]
#[case::back_at_4_99_is_not_pd(499, T::Pr)]
#[case::back_at_5_00_is_pd(500, T::Pd)]
fn r11_tgt_pd_boundary_from_zero_nadir(#[case] back: i64, #[case] expected: TargetResponse) {
    use recist_model::{NonTargetFinding, NonTargetStatus};
    let mut s = subject(
        &non_nodal(1),
        &[
            vec![Shows::Mm(2000)],
            vec![Shows::Absent],
            vec![Shows::Mm(back)],
        ],
    );
    s.lesions.push(Lesion {
        role: Role::NonTarget,
        ..lesion("NT1", "bone", false)
    });
    for a in &mut s.assessments {
        a.findings.insert(
            "NT1".into(),
            Finding::NonTarget(NonTargetFinding {
                status: NonTargetStatus::Present,
                viable: None,
                cytology: None,
                short_axis: None,
                increased: false,
            }),
        );
    }
    let tps = run(&s);
    let first = tps[0].follow_up.as_ref().unwrap();
    assert_eq!(
        (first.target, first.overall),
        (Some(T::Cr), O::Pr),
        "target CR with a non-target: overall PR"
    );
    let (_, f) = last(&tps);
    assert_eq!(f.nadir_mm, Some(Mm::ZERO));
    assert_eq!(f.target, Some(expected), "{f:#?}");
    assert!(
        !has_reason(f, "AMB-01"),
        "no overall CR before: {:?}",
        f.reasons
    );
}
