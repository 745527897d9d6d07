//! Subjects built directly by a library caller (not through the case reader) that break the
//! rules the reader enforces: the engine refuses them with an [`AdjudicationError`] naming the
//! subject, lesion and date, never panics, and never answers a plausible but wrong response.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use recist_engine::{AdjudicationError, Tracker, assess_subject};
use recist_model::*;
use recist_rules::RuleSet;

fn rules() -> RuleSet {
    RuleSet::bundled("recist-1.1").unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn lesion(id: &str, site: &str, role: Role, nodal: bool) -> Lesion {
    Lesion {
        nodal,
        ..Lesion::new(id, site, role)
    }
}

fn long(mm: i64) -> Finding {
    Finding::Target(TargetFinding::Measured(Diameters {
        long_axis: Some(Mm::from_mm(mm)),
        ..Default::default()
    }))
}

fn present() -> Finding {
    Finding::NonTarget(NonTargetFinding {
        status: NonTargetStatus::Present,
        viable: None,
        cytology: None,
        short_axis: None,
        increased: false,
    })
}

fn scan(d: &str, findings: &[(&str, Finding)]) -> Assessment {
    Assessment {
        date: date(d),
        modality: Modality::Ct,
        slice_thickness_mm: None,
        visit: None,
        visit_number: None,
        findings: findings
            .iter()
            .map(|(k, f)| (k.to_string(), f.clone()))
            .collect(),
        new_lesions: vec![],
    }
}

fn new_lesion(id: &str, field: FieldPlacement, equivocal: bool) -> NewLesion {
    NewLesion {
        id: id.into(),
        site: "lung".into(),
        nodal: false,
        kind: None,
        diameters: Diameters {
            long_axis: Some(Mm::from_mm(12)),
            ..Default::default()
        },
        equivocal,
        hcc_typical: false,
        field,
        cytology: None,
        increased: false,
        progression: false,
    }
}

/// T1 liver target (50 mm) and NT1 lung non-target, then follow-ups.
fn subject(follow_ups: Vec<Assessment>) -> Subject {
    let mut assessments = vec![scan("2020-01-01", &[("T1", long(50)), ("NT1", present())])];
    assessments.extend(follow_ups);
    Subject {
        subject: "LIB-1".into(),
        evaluator: None,
        treatment_start: None,
        covariates: BTreeMap::new(),
        follow_up: None,
        radiotherapy: vec![],
        lesions: vec![
            lesion("T1", "liver", Role::Target, false),
            lesion("NT1", "lung", Role::NonTarget, false),
        ],
        assessments,
    }
}

/// What the engine answers, a panic turned into a test failure naming the case.
fn run(what: &str, s: &Subject) -> Result<Vec<SubjectResult>, AdjudicationError> {
    let rules = rules();
    match std::panic::catch_unwind(|| assess_subject(&rules, s)) {
        Ok(r) => r,
        Err(_) => panic!("{what}: the engine panicked"),
    }
}

fn follow_up() -> Assessment {
    scan("2020-03-01", &[("T1", long(30)), ("NT1", present())])
}

fn with_finding(id: &str, f: Finding) -> Subject {
    let mut a = follow_up();
    a.findings.insert(id.into(), f);
    subject(vec![a])
}

fn measured(d: Diameters) -> Finding {
    Finding::Target(TargetFinding::Measured(d))
}

fn course(id: &str, lesions: &[&str]) -> RadiotherapyCourse {
    RadiotherapyCourse {
        id: id.into(),
        site: "liver".into(),
        start: None,
        end: None,
        total_dose_gy: Some(40.0),
        fractions: Some(10),
        lesions: lesions.iter().map(|l| l.to_string()).collect(),
        marginal_lesions: vec![],
    }
}

fn with_new(lesions: Vec<NewLesion>) -> Subject {
    let mut a = follow_up();
    a.new_lesions = lesions;
    let mut s = subject(vec![a]);
    s.radiotherapy.push(course("RT1", &["T1"]));
    s
}

/// Every subject the case reader would refuse is refused by the engine too, naming the lesion
/// at fault (and the date, for an assessment's problem); none panics. Before, each of these
/// was assessed: a doubled sum, a typo'd finding dropped, a negative or empty measurement
/// counted as shrinkage (PR, or CR for empty fragments), an irradiated lesion counted
/// out-of-field, a new lesion reusing a baseline id or listed twice making PD, a huge slice
/// thickness overflowing (a panic in debug builds).
#[test]
fn lib_input_malformed_subjects_are_refused_naming_the_lesion() {
    let cases: Vec<(&str, Subject, Option<&str>)> = vec![
        (
            "lesion id used twice",
            {
                let mut s = subject(vec![follow_up()]);
                s.lesions.push(lesion("T1", "lung", Role::Target, false));
                s
            },
            Some("T1"),
        ),
        (
            "finding for an unknown lesion",
            with_finding("T9", long(90)),
            Some("T9"),
        ),
        (
            "target finding on a non-target",
            with_finding("NT1", long(80)),
            Some("NT1"),
        ),
        (
            "absent given as a target finding on a non-target",
            with_finding("NT1", Finding::Target(TargetFinding::Absent)),
            Some("NT1"),
        ),
        (
            "non-target finding on a target",
            with_finding("T1", present()),
            Some("T1"),
        ),
        (
            "short axis on a non-nodal target",
            with_finding(
                "T1",
                measured(Diameters {
                    long_axis: Some(Mm::from_mm(30)),
                    short_axis: Some(Mm::from_mm(90)),
                    viable: None,
                }),
            ),
            Some("T1"),
        ),
        (
            "negative length",
            with_finding(
                "T1",
                measured(Diameters {
                    long_axis: Some(Mm::from_hundredths(-100)),
                    ..Default::default()
                }),
            ),
            Some("T1"),
        ),
        (
            "length beyond 1 km",
            with_finding(
                "T1",
                measured(Diameters {
                    long_axis: Some(Mm::from_hundredths(i64::MAX)),
                    ..Default::default()
                }),
            ),
            Some("T1"),
        ),
        (
            "viable longer than the lesion",
            with_finding(
                "T1",
                measured(Diameters {
                    long_axis: Some(Mm::from_mm(30)),
                    short_axis: None,
                    viable: Some(Mm::from_mm(90)),
                }),
            ),
            Some("T1"),
        ),
        (
            "empty measurement",
            with_finding("T1", measured(Diameters::default())),
            Some("T1"),
        ),
        (
            "empty fragments",
            with_finding("T1", Finding::Target(TargetFinding::Fragments(vec![]))),
            Some("T1"),
        ),
        (
            "merged into itself",
            with_finding(
                "T1",
                Finding::Target(TargetFinding::MergedInto("T1".into())),
            ),
            Some("T1"),
        ),
        (
            "merged into an unknown lesion",
            with_finding(
                "T1",
                Finding::Target(TargetFinding::MergedInto("T7".into())),
            ),
            Some("T1"),
        ),
        (
            "merged into a non-target",
            with_finding(
                "T1",
                Finding::Target(TargetFinding::MergedInto("NT1".into())),
            ),
            Some("T1"),
        ),
        (
            "baseline length beyond 1 km",
            {
                let mut s = subject(vec![follow_up()]);
                s.assessments[0].findings.insert(
                    "T1".into(),
                    measured(Diameters {
                        long_axis: Some(Mm::from_hundredths(i64::MAX)),
                        ..Default::default()
                    }),
                );
                s
            },
            Some("T1"),
        ),
        (
            "huge slice thickness",
            {
                let mut s = subject(vec![follow_up()]);
                s.assessments[0].slice_thickness_mm = Some(Mm::from_hundredths(i64::MAX));
                s
            },
            None,
        ),
        (
            "negative slice thickness",
            {
                let mut s = subject(vec![follow_up()]);
                s.assessments[0].slice_thickness_mm = Some(Mm::from_hundredths(i64::MIN));
                s
            },
            None,
        ),
        (
            "radiotherapy names an unknown lesion",
            {
                let mut s = subject(vec![follow_up()]);
                s.radiotherapy.push(course("RT1", &["t1"]));
                s
            },
            Some("t1"),
        ),
        (
            "radiotherapy dose not a number",
            {
                let mut s = subject(vec![follow_up()]);
                s.radiotherapy.push(RadiotherapyCourse {
                    total_dose_gy: Some(f64::NAN),
                    ..course("RT1", &["T1"])
                });
                s
            },
            None,
        ),
        (
            "radiotherapy of 0 fractions",
            {
                let mut s = subject(vec![follow_up()]);
                s.radiotherapy.push(RadiotherapyCourse {
                    fractions: Some(0),
                    ..course("RT1", &["T1"])
                });
                s
            },
            None,
        ),
        (
            "radiotherapy ends before it starts",
            {
                let mut s = subject(vec![follow_up()]);
                s.radiotherapy.push(RadiotherapyCourse {
                    start: Some(date("2020-02-01")),
                    end: Some(date("2020-01-01")),
                    ..course("RT1", &["T1"])
                });
                s
            },
            None,
        ),
        (
            "radiotherapy course listed twice",
            {
                let mut s = subject(vec![follow_up()]);
                s.radiotherapy.push(course("RT1", &["T1"]));
                s.radiotherapy.push(course("RT1", &["NT1"]));
                s
            },
            None,
        ),
        (
            "radiotherapy field names a lesion both inside and at its margin",
            {
                let mut s = subject(vec![follow_up()]);
                s.radiotherapy.push(RadiotherapyCourse {
                    marginal_lesions: vec!["T1".into()],
                    ..course("RT1", &["T1"])
                });
                s
            },
            Some("T1"),
        ),
        (
            "radiotherapy field margin names an unknown lesion",
            {
                let mut s = subject(vec![follow_up()]);
                s.radiotherapy.push(RadiotherapyCourse {
                    marginal_lesions: vec!["T9".into()],
                    ..course("RT1", &["T1"])
                });
                s
            },
            Some("T9"),
        ),
        (
            "radiotherapy field places a lesion of unknown field status",
            {
                let mut s = subject(vec![follow_up()]);
                if let Some(l) = s.lesions.iter_mut().find(|l| l.id == "NT1") {
                    l.field_unknown = true;
                }
                s.radiotherapy.push(RadiotherapyCourse {
                    marginal_lesions: vec!["NT1".into()],
                    ..course("RT1", &["T1"])
                });
                s
            },
            Some("NT1"),
        ),
        (
            "new lesion reuses a baseline id",
            with_new(vec![new_lesion("T1", FieldPlacement::None, false)]),
            Some("T1"),
        ),
        (
            "new lesion listed twice",
            with_new(vec![
                new_lesion("N1", FieldPlacement::None, true),
                new_lesion("N1", FieldPlacement::None, false),
            ]),
            Some("N1"),
        ),
        (
            "new lesion of a negative size",
            with_new(vec![NewLesion {
                nodal: true,
                diameters: Diameters {
                    short_axis: Some(Mm::from_mm(-20)),
                    ..Default::default()
                },
                ..new_lesion("N1", FieldPlacement::None, false)
            }]),
            Some("N1"),
        ),
        (
            "new node measured on its long axis",
            with_new(vec![NewLesion {
                nodal: true,
                ..new_lesion("N1", FieldPlacement::None, false)
            }]),
            Some("N1"),
        ),
        (
            "new lesion in an unknown field",
            with_new(vec![new_lesion(
                "N1",
                FieldPlacement::Inside("RT9".into()),
                false,
            )]),
            Some("N1"),
        ),
        (
            "new lesion whose field changes",
            {
                let mut s = with_new(vec![new_lesion(
                    "N1",
                    FieldPlacement::Inside("RT1".into()),
                    true,
                )]);
                let mut b = scan("2020-05-01", &[("T1", long(30)), ("NT1", present())]);
                b.new_lesions
                    .push(new_lesion("N1", FieldPlacement::None, false));
                s.assessments.push(b);
                s
            },
            Some("N1"),
        ),
    ];
    for (what, s, lesion) in &cases {
        match run(what, s) {
            Ok(r) => panic!(
                "{what}: assessed, not refused: {:?}",
                r[0].timepoints.last()
            ),
            Err(e) => {
                let named = match &e {
                    AdjudicationError::Assessment { lesion, .. }
                    | AdjudicationError::Baseline { lesion, .. }
                    | AdjudicationError::Malformed { lesion, .. } => lesion.clone(),
                    _ => None,
                };
                assert_eq!(named.as_deref(), *lesion, "{what}: {e}");
                assert!(e.to_string().contains("LIB-1"), "{what}: {e}");
            }
        }
    }
}

/// Extreme but well-formed input is assessed without a panic: dates at chrono's limits, empty
/// and non-ASCII ids and sites, 10 000 assessments; `Mm::from_mm` saturates.
#[test]
fn lib_input_extreme_but_valid_subjects_are_assessed() {
    let mut s = subject(vec![]);
    s.assessments[0].date = NaiveDate::MIN;
    s.assessments.push(Assessment {
        date: NaiveDate::MAX,
        ..follow_up()
    });
    s.follow_up = Some(FollowUp {
        last_known_alive: Some(NaiveDate::MAX),
        death: None,
        new_therapy: None,
    });
    assert_eq!(run("date limits", &s).unwrap()[0].timepoints.len(), 2);
    s.treatment_start = Some(NaiveDate::MAX);
    run("date limits, day 0 at the end", &s).unwrap();

    let mut s = subject(vec![follow_up()]);
    s.subject = String::new();
    for (id, site) in [("", ""), ("Ť1", "FOIE ÉPAULE ǅ İ")] {
        for a in &mut s.assessments {
            let f = a.findings.remove(&s.lesions[0].id).unwrap();
            a.findings.insert(id.into(), f);
        }
        s.lesions[0].id = id.into();
        s.lesions[0].site = site.into();
        let r = run(id, &s).unwrap();
        assert_eq!(
            r[0].timepoints[1].follow_up.as_ref().unwrap().overall,
            OverallResponse::Pr
        );
    }

    let mut follow = Vec::new();
    let mut d = date("2020-01-02");
    for i in 0..10_000 {
        follow.push(Assessment {
            date: d,
            ..scan(
                "2020-01-01",
                &[("T1", long(40 + i % 7)), ("NT1", present())],
            )
        });
        d = d.succ_opt().unwrap();
    }
    assert_eq!(
        run("10 000 assessments", &subject(follow)).unwrap()[0]
            .timepoints
            .len(),
        10_001
    );

    assert_eq!(Mm::from_mm(i64::MAX), Mm::from_hundredths(i64::MAX));
    assert_eq!(Mm::from_mm(i64::MIN), Mm::from_hundredths(i64::MIN));
}

/// Runs a subject scan by scan through a `Tracker` (the per-scan API) in the `all` scope.
fn header(s: &Subject) -> Subject {
    Subject {
        assessments: s.assessments[..1].to_vec(),
        ..s.clone()
    }
}

/// The per-scan API refuses an assessment out of date order, the same one twice, and a
/// malformed one, and each refusal leaves the tracker as it was: fed the good assessments
/// afterwards, it answers exactly what `assess_subject` answers on the whole history.
#[test]
fn lib_input_tracker_refusals_leave_it_unchanged() {
    let rules = rules();
    let mut s = subject(vec![
        scan("2020-03-01", &[("T1", long(30)), ("NT1", present())]),
        scan("2020-05-01", &[("T1", long(60)), ("NT1", present())]),
    ]);
    // A scan on day 0 warns (R11-BOR-DEF) before its findings are looked at.
    s.treatment_start = Some(date("2020-03-01"));
    let whole = assess_subject(&rules, &s).unwrap();
    let mut t = Tracker::start(&rules, &header(&s), Scope::All)
        .unwrap()
        .unwrap();
    let [first, second] = [&s.assessments[1], &s.assessments[2]];
    // Malformed: a finding for an unknown lesion, on the day-0 scan.
    let mut bad = first.clone();
    bad.findings.insert("T9".into(), long(10));
    assert!(matches!(
        t.assess(&bad),
        Err(AdjudicationError::Assessment { .. })
    ));
    // A target given a non-target finding (refused once the scan's warnings were made).
    let mut bad = first.clone();
    bad.findings.insert("T1".into(), present());
    assert!(t.assess(&bad).is_err());
    t.assess(first).unwrap();
    assert!(t.assess(first).is_err(), "the same scan twice");
    assert!(t.assess(&s.assessments[0]).is_err(), "the baseline again");
    t.assess(second).unwrap();
    assert_eq!(t.into_result(), whole[0]);
}

/// The per-scan API refuses a scan after the death, as `assess_subject` refuses the subject.
#[test]
fn lib_input_tracker_refuses_a_scan_after_death() {
    let rules = rules();
    let mut s = subject(vec![follow_up()]);
    s.follow_up = Some(FollowUp {
        last_known_alive: None,
        death: Some(date("2020-02-01")),
        new_therapy: None,
    });
    assert!(matches!(
        assess_subject(&rules, &s),
        Err(AdjudicationError::FollowUp { .. })
    ));
    let mut t = Tracker::start(&rules, &header(&s), Scope::All)
        .unwrap()
        .unwrap();
    assert!(matches!(
        t.assess(&s.assessments[1]),
        Err(AdjudicationError::FollowUp { .. })
    ));
}

/// The per-scan API checks each scan as `assess_subject` does, field scopes included: a
/// finding for a lesion outside the scope is a finding for a baseline lesion, one for no
/// lesion is refused.
#[test]
fn lib_input_tracker_checks_findings_in_a_field_scope() {
    let rules = rules();
    let mut s = subject(vec![follow_up()]);
    s.radiotherapy.push(course("RT1", &["T1"]));
    let mut t = Tracker::start(&rules, &header(&s), Scope::OutOfField)
        .unwrap()
        .unwrap();
    let mut bad = s.assessments[1].clone();
    bad.findings.insert("T1".into(), present());
    assert!(
        t.assess(&bad).is_err(),
        "T1 is a target, outside this scope"
    );
    t.assess(&s.assessments[1]).unwrap();
}

/// AMB-07 `rewrite-earlier` through the per-scan API: the call for the first sighting
/// returned its response then; the tracker's result (as `assess_subject`'s) has it rewritten
/// to PD once the lesion is confirmed, as `Tracker::assess` documents.
#[test]
fn amb_07_rewrite_earlier_per_scan_rewrites_what_an_earlier_call_returned() {
    let base = rules();
    let rules = base
        .with_overrides(
            None,
            &[(
                "new_lesions.equivocal_confirmed".to_string(),
                "rewrite-earlier".to_string(),
            )],
        )
        .unwrap();
    let mut a = scan("2020-03-01", &[("T1", long(30)), ("NT1", present())]);
    a.new_lesions
        .push(new_lesion("N1", FieldPlacement::None, true));
    let mut b = scan("2020-05-01", &[("T1", long(30)), ("NT1", present())]);
    b.new_lesions
        .push(new_lesion("N1", FieldPlacement::None, false));
    let s = subject(vec![a, b]);
    let mut t = Tracker::start(&rules, &header(&s), Scope::All)
        .unwrap()
        .unwrap();
    let first = t.assess(&s.assessments[1]).unwrap().clone();
    assert_eq!(
        first.follow_up.as_ref().unwrap().overall,
        OverallResponse::Pr
    );
    t.assess(&s.assessments[2]).unwrap();
    let result = t.into_result();
    assert_eq!(
        result.timepoints[1].follow_up.as_ref().unwrap().overall,
        OverallResponse::Pd
    );
    assert_eq!(result, assess_subject(&rules, &s).unwrap()[0]);
}
