//! Time-to-event endpoints: day 0, censoring and survival follow-up checked against the scans.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_engine::assess_subject;
use recist_model::{Endpoint, Scope, SubjectResult};
use recist_rules::RuleSet;

mod common;

/// RECIST 1.1 with these protocol parameters.
fn rules(sets: &[(&str, &str)]) -> RuleSet {
    common::rules("recist-1.1", sets)
}

/// One lung target, treatment start 2020-01-10, baseline 2020-01-05; `scans` are the follow-up
/// long axes by date, `follow_up` a YAML mapping or empty.
fn case(scans: &[(&str, &str)], follow_up: &str) -> String {
    let mut text = format!(
        "subject: E-1\ntreatment_start: 2020-01-10\n{follow_up}\nlesions:\n  - {{id: T1, site: lung, role: target}}\nassessments:\n  - {{date: 2020-01-05, findings: {{T1: {{long_axis: 50}}}}}}\n"
    );
    for (date, finding) in scans {
        text.push_str(&format!(
            "  - {{date: {date}, findings: {{T1: {finding}}}}}\n"
        ));
    }
    text
}

fn assess(rules: &RuleSet, yaml: &str) -> Result<SubjectResult, String> {
    assess_subject(rules, &common::subject(yaml))
        .map(|r| r.into_iter().find(|r| r.scope == Scope::All).unwrap())
        .map_err(|e| e.to_string())
}

fn at(e: &Endpoint) -> (bool, String, i64) {
    (e.event, e.date.to_string(), e.days)
}

/// `day` and every endpoint count from treatment start (results.md), whatever the SD
/// minimum's reference (`best_response.reference`, AMB-12), which moves that minimum only.
#[test]
fn days_count_from_treatment_start_whatever_the_sd_reference() {
    let yaml = case(
        &[
            ("2020-02-24", "{long_axis: 45}"),
            ("2020-07-03", "{long_axis: 70}"),
        ],
        "",
    );
    for sets in [&[][..], &[("best_response.reference", "baseline")][..]] {
        let r = assess(&rules(sets), &yaml).unwrap();
        let days: Vec<i64> = r.timepoints.iter().map(|t| t.day).collect();
        assert_eq!(days, [-5, 45, 175], "{sets:?}");
        assert_eq!(r.progression.as_ref().unwrap().day, 175, "{sets:?}");
        let pfs = &r.endpoints.as_ref().unwrap().progression_free_survival;
        assert_eq!(at(pfs), (true, "2020-07-03".into(), 175), "{sets:?}");
    }
}

/// With no evaluable follow-up, PFS is censored at day 0, never at a baseline scan before it
/// (a negative time); with one, at the last evaluable scan.
#[test]
fn pfs_without_an_evaluable_follow_up_is_censored_at_day_0() {
    let none = assess(&rules(&[]), &case(&[], "")).unwrap();
    let pfs = &none.endpoints.as_ref().unwrap().progression_free_survival;
    assert_eq!(at(pfs), (false, "2020-01-10".into(), 0));
    let ne = assess(&rules(&[]), &case(&[("2020-02-24", "not-evaluated")], "")).unwrap();
    let pfs = &ne.endpoints.as_ref().unwrap().progression_free_survival;
    assert_eq!(at(pfs), (false, "2020-01-10".into(), 0));
    let sd = assess(
        &rules(&[]),
        &case(
            &[
                ("2020-02-24", "{long_axis: 45}"),
                ("2020-04-06", "not-evaluated"),
            ],
            "",
        ),
    )
    .unwrap();
    let pfs = &sd.endpoints.as_ref().unwrap().progression_free_survival;
    assert_eq!(at(pfs), (false, "2020-02-24".into(), 45));
}

/// Overall survival is censored at the last date the subject is known alive: a scan after
/// `last_known_alive` (and after progression) counts.
#[test]
fn os_is_censored_at_the_last_date_known_alive_scans_included() {
    let r = assess(
        &rules(&[]),
        &case(
            &[
                ("2020-03-06", "{long_axis: 70}"),
                ("2020-05-01", "{long_axis: 75}"),
                ("2020-07-03", "{long_axis: 80}"),
            ],
            "follow_up: {last_known_alive: 2020-04-01}",
        ),
    )
    .unwrap();
    let os = r
        .endpoints
        .as_ref()
        .unwrap()
        .overall_survival
        .as_ref()
        .unwrap();
    assert_eq!(at(os), (false, "2020-07-03".into(), 175));
}

/// A death before a scan, or a last date known alive after the death, is a data error: the
/// subject is refused, naming both dates.
#[test]
fn follow_up_that_contradicts_the_scans_is_refused() {
    let scans = [
        ("2020-02-24", "{long_axis: 45}"),
        ("2020-05-01", "{long_axis: 70}"),
    ];
    let e = assess(&rules(&[]), &case(&scans, "follow_up: {death: 2020-04-01}")).unwrap_err();
    assert!(
        e.contains(
            "subject `E-1`: follow_up: death on 2020-04-01 is before the assessment of 2020-05-01"
        ),
        "{e}"
    );
    let e = assess(&rules(&[]), &case(&scans, "follow_up: {death: 2019-12-01}")).unwrap_err();
    assert!(e.contains("before the assessment of 2020-05-01"), "{e}");
    let e = assess(
        &rules(&[]),
        &case(
            &scans,
            "follow_up: {death: 2020-06-01, last_known_alive: 2020-09-01}",
        ),
    )
    .unwrap_err();
    assert!(
        e.contains("last known alive on 2020-09-01, after the death on 2020-06-01"),
        "{e}"
    );
    // Death on the day of the last scan is possible.
    assert!(assess(&rules(&[]), &case(&scans, "follow_up: {death: 2020-05-01}")).is_ok());
    // A death after the baseline scan (the only one) but before treatment start: PFS and OS
    // would count negative days.
    let e = assess(&rules(&[]), &case(&[], "follow_up: {death: 2020-01-07}")).unwrap_err();
    assert!(
        e.contains("death on 2020-01-07 is before treatment start on 2020-01-10"),
        "{e}"
    );
}

/// `endpoints.new_therapy` (a protocol's analysis choice beside R11-BOR-DEF's `bor.stop_at`):
/// `count` keeps a progression after a new anticancer therapy as the PFS event; `censor`
/// censors PFS and duration of response at the last evaluable assessment on or before the
/// therapy. A progression before the therapy is the event either way.
#[test]
fn r11_bor_def_endpoints_at_a_new_therapy_count_or_censor() {
    let scans = [
        ("2020-02-24", "{long_axis: 30}"),
        ("2020-04-06", "{long_axis: 28}"),
        ("2020-05-18", "{long_axis: 45}"),
    ];
    let text = case(&scans, "follow_up: {new_therapy: 2020-05-01}");
    let pfs_dor = |sets: &[(&str, &str)]| {
        let r = assess(&rules(sets), &text).unwrap();
        let e = r.endpoints.unwrap();
        (
            at(&e.progression_free_survival),
            e.duration_of_response.as_ref().map(at),
        )
    };
    let counted = pfs_dor(&[]);
    assert_eq!(counted.0, (true, "2020-05-18".into(), 129));
    assert_eq!(counted.1.map(|d| d.0), Some(true));
    let censored = pfs_dor(&[("endpoints.new_therapy", "censor")]);
    assert_eq!(censored.0, (false, "2020-04-06".into(), 87));
    assert_eq!(censored.1, Some((false, "2020-04-06".into(), 87)));
    // Progression before the therapy: the event either way.
    let early = case(&scans, "follow_up: {new_therapy: 2020-06-01}");
    let r = assess(&rules(&[("endpoints.new_therapy", "censor")]), &early).unwrap();
    assert_eq!(
        at(&r.endpoints.unwrap().progression_free_survival),
        (true, "2020-05-18".into(), 129)
    );
}
