//! Per-scan cost of the engine, without a benchmark framework.
//!
//! A subject with 5 targets, 2 non-targets and 10 assessments (baseline + 9 follow-ups: a
//! response, a drift back and progression with a new lesion at the end) is adjudicated
//!
//! - scan by scan: a `Tracker` primed with the baseline is cloned and fed the 9 follow-ups,
//!   many times over (the figure includes a ninth of the clone and of the drop);
//! - as a whole with `assess_subject`;
//! - as a whole without explanation texts (`assess_subject_with`, as `recist batch` runs by
//!   default).
//!
//! Each measurement runs in 15 batches; the median batch is reported with the overall mean.
//! Run with `cargo bench -p recist-engine --bench per_scan`.

use std::collections::BTreeMap;
use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use recist_engine::{AssessOptions, Tracker, assess_subject, assess_subject_with};
use recist_model::{
    Assessment, Diameters, FieldPlacement, Finding, Lesion, Mm, Modality, NewLesion,
    NonTargetFinding, NonTargetStatus, Role, Scope, Subject, TargetFinding,
};
use recist_rules::RuleSet;

const BATCHES: usize = 15;
/// About 200 000 `Tracker::assess` calls in all.
const TRACKER_RUNS_PER_BATCH: usize = 1_482;
/// About 15 000 whole subjects in all.
const SUBJECT_RUNS_PER_BATCH: usize = 1_000;

/// (id, site, nodal) of the 5 targets.
const TARGETS: [(&str, &str, bool); 5] = [
    ("T1", "liver", false),
    ("T2", "liver", false),
    ("T3", "lung", false),
    ("T4", "mediastinal lymph node", true),
    ("T5", "axillary lymph node", true),
];

/// Target diameters in tenths of a mm, baseline first, then the 9 follow-ups.
const SCANS: [[i64; 5]; 10] = [
    [520, 310, 240, 210, 180],
    [480, 300, 230, 190, 170],
    [410, 260, 200, 160, 150],
    [350, 220, 170, 130, 120],
    [300, 190, 150, 110, 100],
    [280, 180, 140, 100, 90],
    [290, 185, 150, 105, 95],
    [320, 200, 165, 120, 110],
    [360, 230, 180, 140, 125],
    [420, 260, 210, 160, 150],
];

fn subject() -> Result<Subject, Box<dyn Error>> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 8).ok_or("bad date")?;
    let mut lesions: Vec<Lesion> = TARGETS
        .iter()
        .map(|&(id, site, nodal)| Lesion {
            nodal,
            ..Lesion::new(id, site, Role::Target)
        })
        .collect();
    for (id, site) in [("NT1", "bone"), ("NT2", "pleura")] {
        lesions.push(Lesion::new(id, site, Role::NonTarget));
    }
    let mut assessments = Vec::new();
    for (i, scan) in SCANS.iter().enumerate() {
        let mut findings = BTreeMap::new();
        for (&(id, _, nodal), &tenths) in TARGETS.iter().zip(scan) {
            let v = Some(Mm::from_hundredths(tenths * 10));
            let d = if nodal {
                Diameters {
                    short_axis: v,
                    ..Default::default()
                }
            } else {
                Diameters {
                    long_axis: v,
                    ..Default::default()
                }
            };
            findings.insert(id.to_string(), Finding::Target(TargetFinding::Measured(d)));
        }
        let nt = |status| {
            Finding::NonTarget(NonTargetFinding {
                status,
                viable: None,
                cytology: None,
                short_axis: None,
                increased: false,
            })
        };
        findings.insert("NT1".into(), nt(NonTargetStatus::Present));
        findings.insert(
            "NT2".into(),
            nt(if i >= 4 {
                NonTargetStatus::Absent
            } else {
                NonTargetStatus::Present
            }),
        );
        let new_lesions = if i == SCANS.len() - 1 {
            vec![NewLesion {
                id: "NEW1".into(),
                site: "brain".into(),
                nodal: false,
                kind: None,
                diameters: Diameters {
                    long_axis: Some(Mm::from_mm(8)),
                    ..Default::default()
                },
                equivocal: false,
                hcc_typical: false,
                field: FieldPlacement::None,
                cytology: None,
                increased: false,
                progression: false,
            }]
        } else {
            vec![]
        };
        assessments.push(Assessment {
            date: start
                .checked_add_days(Days::new(42 * i as u64))
                .ok_or("bad date")?,
            modality: Modality::Ct,
            slice_thickness_mm: None,
            findings,
            new_lesions,
            visit: Some(if i == 0 {
                "BASELINE".into()
            } else {
                format!("WEEK {}", 6 * i)
            }),
            visit_number: None,
        });
    }
    Ok(Subject {
        subject: "BENCH-001".into(),
        evaluator: None,
        treatment_start: Some(start.checked_add_days(Days::new(3)).ok_or("bad date")?),
        covariates: BTreeMap::new(),
        follow_up: None,
        radiotherapy: vec![],
        lesions,
        assessments,
    })
}

/// Median and mean of per-batch figures (ns per unit), from batch durations and units per batch.
fn summarise(batches: &[Duration], units_per_batch: usize) -> (f64, f64) {
    let mut per: Vec<f64> = batches
        .iter()
        .map(|d| d.as_nanos() as f64 / units_per_batch as f64)
        .collect();
    per.sort_by(f64::total_cmp);
    let median = per[per.len() / 2];
    let total: Duration = batches.iter().sum();
    let mean = total.as_nanos() as f64 / (units_per_batch * batches.len()) as f64;
    (median, mean)
}

fn main() -> Result<(), Box<dyn Error>> {
    let rules = RuleSet::bundled("recist-1.1")?;
    let subject = subject()?;
    let (baseline, follow_ups) = subject.assessments.split_at(1);
    let mut header = subject.clone();
    header.assessments = baseline.to_vec();
    let primed = Tracker::start(&rules, &header, Scope::All)?.ok_or("the subject has lesions")?;

    // A sanity check of what is measured: the scan-by-scan result is the whole-subject one.
    let mut check = primed.clone();
    for a in follow_ups {
        check.assess(a)?;
    }
    let whole = assess_subject(&rules, &subject)?;
    if whole.first() != Some(&check.result()) {
        return Err("Tracker and assess_subject disagree".into());
    }
    let overall: Vec<String> = check
        .result()
        .timepoints
        .iter()
        .filter_map(|t| t.follow_up.as_ref().map(|f| f.overall.to_string()))
        .collect();
    println!(
        "subject: 5 targets, 2 non-targets, 10 assessments; overall {}",
        overall.join(" ")
    );

    // Warm-up.
    for _ in 0..200 {
        let mut t = primed.clone();
        for a in follow_ups {
            black_box(t.assess(black_box(a))?);
        }
        black_box(assess_subject(black_box(&rules), black_box(&subject))?);
    }

    // (a) Tracker::assess, one call per follow-up.
    let calls_per_batch = TRACKER_RUNS_PER_BATCH * follow_ups.len();
    let mut batches = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let started = Instant::now();
        for _ in 0..TRACKER_RUNS_PER_BATCH {
            let mut t = black_box(&primed).clone();
            for a in follow_ups {
                black_box(t.assess(black_box(a))?);
            }
            black_box(&t);
        }
        batches.push(started.elapsed());
    }
    let (median, mean) = summarise(&batches, calls_per_batch);
    println!(
        "per-scan Tracker::assess: {median:.0} ns/call (median of {BATCHES} batches; mean {mean:.0} ns over {} calls)",
        calls_per_batch * BATCHES
    );

    // The clone of a primed tracker, for reference (a ninth of it is in the figure above).
    let mut batches = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let started = Instant::now();
        for _ in 0..TRACKER_RUNS_PER_BATCH {
            black_box(black_box(&primed).clone());
        }
        batches.push(started.elapsed());
    }
    let (median, _) = summarise(&batches, TRACKER_RUNS_PER_BATCH);
    println!("primed Tracker clone: {median:.0} ns/clone (median of {BATCHES} batches)");

    // (b) assess_subject, the whole subject.
    let mut batches = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let started = Instant::now();
        for _ in 0..SUBJECT_RUNS_PER_BATCH {
            black_box(assess_subject(black_box(&rules), black_box(&subject))?);
        }
        batches.push(started.elapsed());
    }
    let (median, mean) = summarise(&batches, SUBJECT_RUNS_PER_BATCH);
    println!(
        "whole-subject assess_subject: {median:.0} ns/subject (median of {BATCHES} batches; mean {mean:.0} ns over {} subjects), {:.0} ns per assessment",
        SUBJECT_RUNS_PER_BATCH * BATCHES,
        median / subject.assessments.len() as f64
    );

    // (c) assess_subject without explanations.
    let off = AssessOptions {
        explanations: false,
    };
    let mut batches = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let started = Instant::now();
        for _ in 0..SUBJECT_RUNS_PER_BATCH {
            black_box(assess_subject_with(
                black_box(&rules),
                black_box(&subject),
                off,
            )?);
        }
        batches.push(started.elapsed());
    }
    let (median, mean) = summarise(&batches, SUBJECT_RUNS_PER_BATCH);
    println!(
        "whole-subject without explanations: {median:.0} ns/subject (median of {BATCHES} batches; mean {mean:.0} ns over {} subjects), {:.0} ns per assessment",
        SUBJECT_RUNS_PER_BATCH * BATCHES,
        median / subject.assessments.len() as f64
    );
    Ok(())
}
