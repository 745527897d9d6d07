//! Property tests over randomly generated RECIST 1.1 subjects: 1–5 targets (at most 2 per
//! organ), 0–3 non-targets, 1–8 follow-ups with random measurements, gaps and new lesions,
//! sometimes a radiotherapy course (so the `in-field` / `out-of-field` scopes take part).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::sample::subsequence;
use proptest::test_runner::Config;
use recist_engine::{AdjudicationError, Tracker, assess_subject};
use recist_model::{
    Assessment, Diameters, FieldPlacement, Finding, Lesion, Mm, Modality, NewLesion,
    NonTargetFinding, NonTargetStatus, RadiotherapyCourse, Role, Subject, SubjectResult,
    TargetFinding, TargetResponse,
};
use recist_rules::RuleSet;

// ---------------------------------------------------------------------------------------------
// The generated case, before it becomes a `Subject` (so that it can be scaled and reordered).

/// What may be generated.
#[derive(Debug, Clone, Copy)]
struct Gen {
    /// "Too small to measure" findings (a fixed 5 mm, not a diameter: it does not scale).
    too_small: bool,
    /// Nodal targets and nodal new lesions (their 10 mm thresholds are absolute).
    nodes: bool,
}

const FULL: Gen = Gen {
    too_small: true,
    nodes: true,
};

/// Target slots: at most two per organ; every node counts as one organ (R11-NODE-ORGAN).
/// The two liver slots differ in case: the organ key ignores it.
const SLOTS: [(&str, bool); 10] = [
    ("liver", false),
    ("Liver", false),
    ("lung", false),
    ("lung", false),
    ("kidney", false),
    ("kidney", false),
    ("adrenal gland", false),
    ("peritoneum", false),
    ("mediastinal lymph node", true),
    ("axillary lymph node", true),
];

const NT_SITES: [&str; 4] = ["bone", "pleura", "liver", "retroperitoneal lymph node"];
const NEW_SITES: [&str; 4] = ["brain", "liver", "lung", "cervical lymph node"];

#[derive(Debug, Clone)]
struct TargetSpec {
    site: &'static str,
    nodal: bool,
    /// Baseline diameter, hundredths of a mm (long axis, or short axis for a node).
    baseline: i64,
}

/// A follow-up value: absolute (hundredths of a mm) or a percentage of the lesion's baseline.
#[derive(Debug, Clone, Copy)]
enum Value {
    Abs(i64),
    Rel(i64),
}

#[derive(Debug, Clone)]
enum TargetObs {
    Measured(Value),
    /// Measured, but only the other axis given: the lesion is not evaluable.
    WrongAxis(Value),
    Fragments(Vec<i64>),
    Absent,
    TooSmall,
    NotEvaluated,
    /// Not listed in the assessment's findings.
    Missing,
    /// Coalesced into another target (chosen by offset).
    Merged(usize),
}

#[derive(Debug, Clone, Copy)]
enum NtObs {
    Present,
    Absent,
    Progression,
    NotEvaluated,
    Missing,
}

#[derive(Debug, Clone)]
struct NewSpec {
    id: u8,
    site: &'static str,
    nodal: bool,
    size: i64,
    equivocal: bool,
    /// 0 outside every field, 1 inside, 2 marginal (only with radiotherapy).
    field: u8,
}

#[derive(Debug, Clone)]
struct FollowUpSpec {
    gap_days: u64,
    /// One per target slot (only the first `targets.len()` are used).
    targets: Vec<TargetObs>,
    /// One per non-target slot.
    non_targets: Vec<NtObs>,
    new_lesions: Vec<NewSpec>,
}

#[derive(Debug, Clone)]
struct CaseSpec {
    targets: Vec<TargetSpec>,
    /// (site, nodal) of each non-target.
    non_targets: Vec<(&'static str, bool)>,
    follow_ups: Vec<FollowUpSpec>,
    /// Which lesions (targets first, then non-targets) a radiotherapy course covers, if any.
    radiotherapy: Option<Vec<bool>>,
    treatment_start_days_before: Option<u64>,
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (0..=20_000i64).prop_map(Value::Abs),
        1 => (0..=200i64).prop_map(|mm| Value::Abs(mm * 100)),
        4 => (0..=200i64).prop_map(Value::Rel),
    ]
}

fn target_obs(g: Gen) -> impl Strategy<Value = TargetObs> {
    prop_oneof![
        16 => value().prop_map(TargetObs::Measured),
        1 => value().prop_map(TargetObs::WrongAxis),
        1 => prop::collection::vec(0..=8_000i64, 1..=3).prop_map(TargetObs::Fragments),
        2 => Just(TargetObs::Absent),
        1 => Just(TargetObs::TooSmall),
        1 => Just(TargetObs::NotEvaluated),
        1 => Just(TargetObs::Missing),
        1 => (0..4usize).prop_map(TargetObs::Merged),
    ]
    .prop_map(move |o| {
        if !g.too_small && matches!(o, TargetObs::TooSmall) {
            TargetObs::Absent
        } else {
            o
        }
    })
}

fn nt_obs() -> impl Strategy<Value = NtObs> {
    prop_oneof![
        10 => Just(NtObs::Present),
        5 => Just(NtObs::Absent),
        1 => Just(NtObs::Progression),
        2 => Just(NtObs::NotEvaluated),
        2 => Just(NtObs::Missing),
    ]
}

fn new_lesion(g: Gen) -> impl Strategy<Value = NewSpec> {
    (
        0..3u8,
        0..NEW_SITES.len(),
        any::<bool>(),
        0..=3_000i64,
        prop::bool::weighted(0.35),
        0..3u8,
    )
        .prop_map(move |(id, site, nodal, size, equivocal, field)| {
            let site = NEW_SITES[site];
            let nodal = g.nodes && (nodal || site.contains("node"));
            let site = if nodal {
                "cervical lymph node"
            } else if site.contains("node") {
                "brain"
            } else {
                site
            };
            NewSpec {
                id,
                site,
                nodal,
                size,
                equivocal,
                field,
            }
        })
}

fn follow_up(g: Gen) -> impl Strategy<Value = FollowUpSpec> {
    (
        14..=120u64,
        prop::collection::vec(target_obs(g), 5),
        prop::collection::vec(nt_obs(), 3),
        prop_oneof![5 => Just(vec![]), 1 => prop::collection::vec(new_lesion(g), 1..=2)],
    )
        .prop_map(|(gap_days, targets, non_targets, mut new_lesions)| {
            let mut seen = BTreeSet::new();
            new_lesions.retain(|n| seen.insert(n.id));
            FollowUpSpec {
                gap_days,
                targets,
                non_targets,
                new_lesions,
            }
        })
}

fn case(g: Gen) -> impl Strategy<Value = CaseSpec> {
    let slots: Vec<(&'static str, bool)> = SLOTS
        .iter()
        .copied()
        .filter(|(_, nodal)| g.nodes || !nodal)
        .collect();
    let targets = subsequence(slots, 1..=5)
        .prop_shuffle()
        .prop_flat_map(|slots| {
            let sizes: Vec<_> = slots
                .iter()
                .map(|&(_, nodal)| {
                    if nodal {
                        1_500..=6_000i64
                    } else {
                        1_000..=15_000i64
                    }
                })
                .collect();
            (Just(slots), sizes).prop_map(|(slots, sizes)| {
                slots
                    .into_iter()
                    .zip(sizes)
                    .map(|((site, nodal), baseline)| TargetSpec {
                        site,
                        nodal,
                        baseline,
                    })
                    .collect::<Vec<_>>()
            })
        });
    (
        targets,
        prop::collection::vec(
            (0..NT_SITES.len()).prop_map(|i| (NT_SITES[i], NT_SITES[i].contains("node"))),
            0..=3,
        ),
        prop::collection::vec(follow_up(g), 1..=8),
        prop_oneof![2 => Just(None), 1 => prop::collection::vec(any::<bool>(), 8).prop_map(Some)],
        prop_oneof![1 => Just(None), 1 => (0..=10u64).prop_map(Some)],
    )
        .prop_map(
            |(targets, non_targets, follow_ups, radiotherapy, treatment_start_days_before)| {
                CaseSpec {
                    targets,
                    non_targets,
                    follow_ups,
                    radiotherapy,
                    treatment_start_days_before,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Building subjects.

fn base_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 16).unwrap()
}

fn mm(h: i64) -> Mm {
    Mm::from_hundredths(h)
}

fn target_id(i: usize) -> String {
    format!("T{}", i + 1)
}

fn non_target_id(i: usize) -> String {
    format!("NT{}", i + 1)
}

/// Builds the subject with every diameter multiplied by `k`.
fn build(spec: &CaseSpec, k: i64) -> Subject {
    let n = spec.targets.len();
    let diam = |nodal: bool, v: i64, wrong_axis: bool| {
        let (main, other) = (Some(mm(v * k)), Some(mm((v + 500) * k)));
        match (nodal, wrong_axis) {
            (true, false) => Diameters {
                short_axis: main,
                long_axis: other,
                viable: None,
            },
            (false, false) => Diameters {
                long_axis: main,
                ..Default::default()
            },
            (true, true) => Diameters {
                long_axis: main,
                ..Default::default()
            },
            (false, true) => Diameters {
                short_axis: main,
                ..Default::default()
            },
        }
    };
    let resolve = |t: &TargetSpec, v: Value| match v {
        Value::Abs(h) => h,
        Value::Rel(pct) => t.baseline * pct / 100,
    };

    let mut lesions = Vec::new();
    for (i, t) in spec.targets.iter().enumerate() {
        lesions.push(Lesion {
            nodal: t.nodal,
            ..Lesion::new(target_id(i), t.site, Role::Target)
        });
    }
    for (i, &(site, nodal)) in spec.non_targets.iter().enumerate() {
        lesions.push(Lesion {
            nodal,
            ..Lesion::new(non_target_id(i), site, Role::NonTarget)
        });
    }

    let nt_finding = |status| {
        Finding::NonTarget(NonTargetFinding {
            status,
            viable: None,
            cytology: None,
            short_axis: None,
            increased: false,
        })
    };
    let mut baseline_findings = BTreeMap::new();
    for (i, t) in spec.targets.iter().enumerate() {
        baseline_findings.insert(
            target_id(i),
            Finding::Target(TargetFinding::Measured(diam(t.nodal, t.baseline, false))),
        );
    }
    for i in 0..spec.non_targets.len() {
        baseline_findings.insert(non_target_id(i), nt_finding(NonTargetStatus::Present));
    }
    let blank = |date, findings| Assessment {
        date,
        modality: Modality::Ct,
        slice_thickness_mm: None,
        findings,
        new_lesions: vec![],
        visit: None,
        visit_number: None,
    };
    let mut assessments = vec![blank(base_date(), baseline_findings)];

    let mut date = base_date();
    for (v, fu) in spec.follow_ups.iter().enumerate() {
        date = date.checked_add_days(Days::new(fu.gap_days)).unwrap();
        let mut findings = BTreeMap::new();
        for (i, t) in spec.targets.iter().enumerate() {
            let f = match &fu.targets[i] {
                TargetObs::Measured(val) => {
                    TargetFinding::Measured(diam(t.nodal, resolve(t, *val), false))
                }
                TargetObs::WrongAxis(val) => {
                    TargetFinding::Measured(diam(t.nodal, resolve(t, *val), true))
                }
                TargetObs::Fragments(parts) => TargetFinding::Fragments(
                    parts.iter().map(|&p| diam(t.nodal, p, false)).collect(),
                ),
                TargetObs::Absent => TargetFinding::Absent,
                TargetObs::TooSmall => TargetFinding::TooSmall,
                TargetObs::NotEvaluated => TargetFinding::NotEvaluated,
                TargetObs::Missing => continue,
                TargetObs::Merged(_) if n == 1 => TargetFinding::Absent,
                TargetObs::Merged(offset) => {
                    TargetFinding::MergedInto(target_id((i + 1 + offset % (n - 1)) % n))
                }
            };
            findings.insert(target_id(i), Finding::Target(f));
        }
        for i in 0..spec.non_targets.len() {
            let status = match fu.non_targets[i] {
                NtObs::Present => NonTargetStatus::Present,
                NtObs::Absent => NonTargetStatus::Absent,
                NtObs::Progression => NonTargetStatus::Progression,
                NtObs::NotEvaluated => NonTargetStatus::NotEvaluated,
                NtObs::Missing => continue,
            };
            findings.insert(non_target_id(i), nt_finding(status));
        }
        let mut a = blank(date, findings);
        a.visit = Some(format!("FU{}", v + 1));
        a.new_lesions = fu
            .new_lesions
            .iter()
            .map(|nl| NewLesion {
                id: format!("NEW{}", nl.id),
                site: nl.site.into(),
                nodal: nl.nodal,
                kind: None,
                diameters: diam(nl.nodal, nl.size, false),
                equivocal: nl.equivocal,
                hcc_typical: false,
                field: match (&spec.radiotherapy, nl.field) {
                    (Some(_), 1) => FieldPlacement::Inside("RT1".into()),
                    (Some(_), 2) => FieldPlacement::Marginal("RT1".into()),
                    _ => FieldPlacement::None,
                },
                cytology: None,
                increased: false,
                progression: false,
            })
            .collect();
        assessments.push(a);
    }

    let radiotherapy = spec
        .radiotherapy
        .as_ref()
        .map(|inside| RadiotherapyCourse {
            id: "RT1".into(),
            site: "liver".into(),
            start: Some(base_date().checked_add_days(Days::new(7)).unwrap()),
            end: Some(base_date().checked_add_days(Days::new(20)).unwrap()),
            total_dose_gy: Some(40.0),
            fractions: Some(5),
            lesions: lesions
                .iter()
                .zip(inside)
                .filter(|(_, in_field)| **in_field)
                .map(|(l, _)| l.id.clone())
                .collect(),
            marginal_lesions: vec![],
        })
        .into_iter()
        .collect();

    Subject {
        subject: "PROP-001".into(),
        evaluator: Some("reader-1".into()),
        treatment_start: spec
            .treatment_start_days_before
            .map(|d| base_date().checked_add_days(Days::new(d)).unwrap()),
        covariates: BTreeMap::new(),
        follow_up: None,
        radiotherapy,
        lesions,
        assessments,
    }
}

fn rules() -> RuleSet {
    RuleSet::bundled("recist-1.1").expect("the bundled RECIST 1.1 rule set loads")
}

fn config() -> Config {
    // No regression files written into the source tree.
    Config {
        failure_persistence: None,
        ..Config::with_cases(200)
    }
}

/// What must not depend on the order lesions are listed in: everything but explanation texts
/// (which list lesions in the given order) and the order of the reasons.
fn order_free(results: &[SubjectResult]) -> String {
    let mut out = String::new();
    for r in results {
        out += &format!(
            "scope {} best {:?}/{:?} progression {:?} warnings {:?}\n",
            r.scope,
            r.best_overall_response,
            r.confirmed_best_overall_response,
            r.progression,
            r.warnings.iter().collect::<BTreeSet<_>>()
        );
        for tp in &r.timepoints {
            out += &format!(
                "  {} day {} baseline {} sum {:?}",
                tp.date, tp.day, tp.baseline, tp.sum_mm
            );
            if let Some(f) = &tp.follow_up {
                let mut rules: Vec<&str> = f.explanations.iter().map(|e| e.rule.as_str()).collect();
                rules.sort_unstable();
                out += &format!(
                    " nadir {:?} Δb {:?} Δn {:?} Δn_mm {:?} target {:?} nt {:?} new {:?} overall {:?} reasons {:?} explained {:?}",
                    f.nadir_mm,
                    f.change_from_baseline_pct,
                    f.change_from_nadir_pct,
                    f.change_from_nadir_mm,
                    f.target,
                    f.non_target,
                    f.new_lesions,
                    f.overall,
                    f.reasons.iter().collect::<BTreeSet<_>>(),
                    rules
                );
            }
            out.push('\n');
        }
    }
    out
}

/// Reorders the subject's lesions by `keys` (and the new lesions of each assessment too).
fn reorder(subject: &Subject, keys: &[u32]) -> Subject {
    let mut s = subject.clone();
    let mut keyed: Vec<(u32, usize, Lesion)> = s
        .lesions
        .drain(..)
        .enumerate()
        .map(|(i, l)| (keys[i % keys.len()], i, l))
        .collect();
    keyed.sort_by_key(|(k, i, _)| (*k, *i));
    s.lesions = keyed.into_iter().map(|(_, _, l)| l).collect();
    for (j, a) in s.assessments.iter_mut().enumerate() {
        if keys[j % keys.len()] % 2 == 1 {
            a.new_lesions.reverse();
        }
    }
    for rt in &mut s.radiotherapy {
        rt.lesions.reverse();
    }
    s
}

/// The target responses of a result, per timepoint, with whether arithmetic (not AMB-01)
/// decided a PD.
fn target_pd(r: &SubjectResult) -> Vec<(bool, bool)> {
    r.timepoints
        .iter()
        .filter_map(|tp| tp.follow_up.as_ref())
        .map(|f| {
            (
                f.target == Some(TargetResponse::Pd),
                f.reasons.iter().any(|x| x == "R11-TGT-PD"),
            )
        })
        .collect()
}

fn check_scaling(spec: &CaseSpec, k: i64, only_arithmetic: bool) -> Result<(), TestCaseError> {
    let rules = rules();
    let (Ok(original), Ok(scaled)) = (
        assess_subject(&rules, &build(spec, 1)),
        assess_subject(&rules, &build(spec, k)),
    ) else {
        return Err(TestCaseError::reject("the engine refuses this subject"));
    };
    prop_assert_eq!(original.len(), scaled.len());
    for (o, s) in original.iter().zip(&scaled) {
        prop_assert_eq!(o.scope, s.scope);
        for (i, ((o_pd, o_arith), (s_pd, _))) in
            target_pd(o).into_iter().zip(target_pd(s)).enumerate()
        {
            if o_pd && (o_arith || !only_arithmetic) {
                prop_assert!(
                    s_pd,
                    "scope {}, follow-up {}: target PD at ×1 is not PD at ×{}",
                    o.scope,
                    i + 1,
                    k
                );
            }
        }
        // Without "too small" the sums (and nadirs) scale exactly.
        for (ot, st) in o.timepoints.iter().zip(&s.timepoints) {
            prop_assert_eq!(ot.sum_mm.map(|m| mm(m.hundredths() * k)), st.sum_mm);
            let nadir =
                |t: &recist_model::TimepointResult| t.follow_up.as_ref().and_then(|f| f.nadir_mm);
            prop_assert_eq!(nadir(ot).map(|m| mm(m.hundredths() * k)), nadir(st));
        }
    }
    Ok(())
}

/// Runs the subject scan by scan through a `Tracker` for each scope `assess_subject` returned.
fn tracked(
    rules: &RuleSet,
    subject: &Subject,
    scopes: &[recist_model::Scope],
) -> Result<Vec<SubjectResult>, AdjudicationError> {
    let (baseline_only, follow_ups) = subject.assessments.split_at(1);
    let mut header = subject.clone();
    header.assessments = baseline_only.to_vec();
    let mut out = Vec::new();
    for &scope in scopes {
        let mut tracker =
            Tracker::start(rules, &header, scope)?.expect("assess_subject returned this scope");
        assert_eq!(tracker.scope(), scope);
        let mut returned = Vec::new();
        for scan in follow_ups {
            returned.push(tracker.assess(scan)?.clone());
        }
        let result = tracker.result();
        // What each call returned is what the result keeps (no earlier timepoint rewritten
        // under the bundled rule set: AMB-07 back-dates progression only).
        assert_eq!(&result.timepoints[1..], returned.as_slice());
        out.push(result);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config())]

    /// Listing the lesions (and each assessment's new lesions, and a field's lesions) in another
    /// order changes no response, sum, nadir, percentage, reason or best response.
    #[test]
    fn order_of_lesions_does_not_matter(spec in case(FULL), keys in prop::collection::vec(any::<u32>(), 9)) {
        let rules = rules();
        let subject = build(&spec, 1);
        let shuffled = reorder(&subject, &keys);
        match (assess_subject(&rules, &subject), assess_subject(&rules, &shuffled)) {
            (Ok(a), Ok(b)) => prop_assert_eq!(order_free(&a), order_free(&b)),
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "one order is refused, the other is not: {:?} / {:?}", a.err(), b.err()),
        }
    }

    /// Scaling every diameter by k never turns an arithmetic target PD (R11-TGT-PD) into a
    /// non-PD. (PD by AMB-01, disease after a CR, is left out: the CR it rests on depends on
    /// absolute node thresholds; see `scaling_can_undo_amb01_pd_with_nodes`.) "Too small to
    /// measure" is not generated: its 5 mm is not a diameter and does not scale (see
    /// `scaling_too_small_is_not_a_diameter`).
    #[test]
    fn scaling_never_turns_pd_into_non_pd(spec in case(Gen { too_small: false, nodes: true }), k in 1..=4i64) {
        check_scaling(&spec, k, true)?;
    }

    /// Without nodes (targets or new lesions) the overall CRs are scale-free, so every target
    /// PD, AMB-01 included, survives scaling.
    #[test]
    fn scaling_never_turns_pd_into_non_pd_without_nodes(spec in case(Gen { too_small: false, nodes: false }), k in 1..=4i64) {
        check_scaling(&spec, k, false)?;
    }

    /// Two runs, and two rule-set loads, give equal results and equal JSON.
    #[test]
    fn assessment_is_deterministic(spec in case(FULL)) {
        let subject = build(&spec, 1);
        let first = assess_subject(&rules(), &subject);
        let second = assess_subject(&rules(), &subject.clone());
        match (first, second) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
                prop_assert_eq!(a, b);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "one run refused: {:?} / {:?}", a.err(), b.err()),
        }
    }

    /// Feeding the assessments one at a time to a `Tracker` gives what `assess_subject` gives,
    /// scope by scope.
    #[test]
    fn tracker_matches_whole_subject(spec in case(FULL)) {
        check_tracker(&rules(), &spec)?;
    }

    /// The same under iRECIST (IR-*): its state machine is the tracker's too.
    #[test]
    fn ir_bor_tracker_matches_whole_subject_under_irecist(spec in case(FULL)) {
        check_tracker(&RuleSet::bundled("irecist").unwrap(), &spec)?;
    }
}

/// The tracker, scan by scan, against `assess_subject`.
fn check_tracker(rules: &RuleSet, spec: &CaseSpec) -> Result<(), TestCaseError> {
    let subject = build(spec, 1);
    let whole = match assess_subject(rules, &subject) {
        Ok(whole) => whole,
        Err(e) => {
            // The tracker refuses it too (a baseline check, or a malformed assessment).
            let scopes = [recist_model::Scope::All];
            prop_assert!(
                tracked(rules, &subject, &scopes).is_err(),
                "only assess_subject refused: {}",
                e
            );
            return Ok(());
        }
    };
    let scopes: Vec<_> = whole.iter().map(|r| r.scope).collect();
    prop_assert_eq!(scopes.first(), Some(&recist_model::Scope::All));
    let one_by_one =
        tracked(rules, &subject, &scopes).expect("the tracker accepts what assess_subject accepts");
    for (w, t) in whole.iter().zip(&one_by_one) {
        prop_assert_eq!(&w.timepoints, &t.timepoints);
        // assess_subject adds what needs every scope at once (doses, progression site,
        // relapse-free survival per scope, abscopal response); the rest must agree.
        let mut w = w.clone();
        w.radiotherapy.clear();
        w.abscopal = None;
        if let Some(p) = w.progression.as_mut() {
            p.site = None;
        }
        if let Some(e) = w.endpoints.as_mut() {
            e.in_field_relapse_free_survival = None;
            e.out_of_field_relapse_free_survival = None;
        }
        prop_assert_eq!(&w, t);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Why the scaling property leaves two things out: both are the rules working as specified.

fn simple(targets: &[(&str, &str, bool, i64)], scans: &[&[Option<TargetFinding>]]) -> Subject {
    let spec_lesions = targets
        .iter()
        .map(|&(id, site, nodal, _)| Lesion {
            nodal,
            ..Lesion::new(id, site, Role::Target)
        })
        .collect();
    let measured = |nodal: bool, h: i64| {
        let d = if nodal {
            Diameters {
                short_axis: Some(mm(h)),
                ..Default::default()
            }
        } else {
            Diameters {
                long_axis: Some(mm(h)),
                ..Default::default()
            }
        };
        TargetFinding::Measured(d)
    };
    let mut assessments = vec![Assessment {
        date: base_date(),
        modality: Modality::Ct,
        slice_thickness_mm: None,
        findings: targets
            .iter()
            .map(|&(id, _, nodal, h)| (id.to_string(), Finding::Target(measured(nodal, h))))
            .collect(),
        new_lesions: vec![],
        visit: None,
        visit_number: None,
    }];
    for (i, scan) in scans.iter().enumerate() {
        let mut a = assessments[0].clone();
        a.date = base_date()
            .checked_add_days(Days::new(42 * (i as u64 + 1)))
            .unwrap();
        a.findings = targets
            .iter()
            .zip(scan.iter())
            .filter_map(|(&(id, _, _, _), f)| {
                f.clone().map(|f| (id.to_string(), Finding::Target(f)))
            })
            .collect();
        assessments.push(a);
    }
    Subject {
        subject: "SCALE".into(),
        evaluator: None,
        treatment_start: None,
        covariates: BTreeMap::new(),
        follow_up: None,
        radiotherapy: vec![],
        lesions: spec_lesions,
        assessments,
    }
}

fn target_responses(s: &Subject) -> Vec<Option<TargetResponse>> {
    let r = assess_subject(&rules(), s).unwrap();
    r[0].timepoints
        .iter()
        .filter_map(|t| t.follow_up.as_ref())
        .map(|f| f.target)
        .collect()
}

/// Two nodes 20 → 5 → 10 mm: CR, then a node at 10 mm after CR is PD (AMB-01). Doubled,
/// 40 → 10 → 20 mm: 10 mm nodes are not CR, so the last scan is judged by arithmetic: PR.
#[test]
fn scaling_can_undo_amb01_pd_with_nodes() {
    let sa = |h| {
        Some(TargetFinding::Measured(Diameters {
            short_axis: Some(mm(h)),
            ..Default::default()
        }))
    };
    let nodes = |k: i64| {
        simple(
            &[
                ("N1", "mediastinal lymph node", true, 2000 * k),
                ("N2", "axillary lymph node", true, 2000 * k),
            ],
            &[&[sa(500 * k), sa(500 * k)], &[sa(1000 * k), sa(0)]],
        )
    };
    use TargetResponse::*;
    assert_eq!(target_responses(&nodes(1)), vec![Some(Cr), Some(Pd)]);
    assert_eq!(target_responses(&nodes(2)), vec![Some(Pr), Some(Pr)]);
}

/// T1 2 mm, T2 gone (nadir 2 mm), then both too small (5 + 5 = 10 mm): +8 mm, PD. With every
/// diameter ×4 the nadir is 8 mm and the too-small lesions still count 10 mm: +2 mm, not PD.
#[test]
fn scaling_too_small_is_not_a_diameter() {
    let la = |h| {
        Some(TargetFinding::Measured(Diameters {
            long_axis: Some(mm(h)),
            ..Default::default()
        }))
    };
    let two = |k: i64| {
        simple(
            &[
                ("T1", "liver", false, 2000 * k),
                ("T2", "lung", false, 2000 * k),
            ],
            &[
                &[la(200 * k), Some(TargetFinding::Absent)],
                &[Some(TargetFinding::TooSmall), Some(TargetFinding::TooSmall)],
            ],
        )
    };
    use TargetResponse::*;
    assert_eq!(target_responses(&two(1)), vec![Some(Pr), Some(Pd)]);
    assert_eq!(target_responses(&two(4)), vec![Some(Pr), Some(Pr)]);
}
