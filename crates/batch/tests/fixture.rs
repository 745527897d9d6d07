//! The SDTM fixture study (`fixtures/sdtm`): RS as computed by hand, and snapshots of every
//! output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

fn redact(text: &str) -> String {
    let dir = fixtures().display().to_string();
    text.replace(&dir, "fixtures/sdtm")
}

#[test]
fn fixture_study_gives_the_rs_computed_by_hand() {
    let f = fixtures();
    let out = tmp("fixture");
    let cfg = study_config(&f, &out);
    let report = run(&cfg);
    assert_eq!(read(&out.join("rs.csv")), read(&f.join("expected-rs.csv")));
    // FIX-007 has a target with no measurement at baseline: refused, so exit status 1.
    assert_eq!(report.exit_code(), 1);
    let s = summary(&out);
    assert_reconciles(&s);
    assert_eq!(s["subjects"]["seen"], 7);
    assert_eq!(s["subject_evaluators"]["seen"], 8);
    assert_eq!(s["subject_evaluators"]["refused_by_engine"], 1);
    assert_eq!(s["rows"]["DM"]["subjects_without_tumour_data"], 1);

    insta::assert_snapshot!("fixture_errors", redact(&read(&out.join("errors.jsonl"))));
    insta::assert_snapshot!("fixture_results", redact(&read(&out.join("results.jsonl"))));
    let mut summary = s.clone();
    summary["inputs"] = serde_json::json!("(redacted: paths and hashes)");
    summary["run_id"] = serde_json::json!("(redacted)");
    // These follow the engine and rule set, whose own snapshots show their changes.
    summary["rule_sets"][0]["sha256"] = serde_json::json!("(redacted)");
    summary["outputs"]["results.jsonl"]["bytes"] = serde_json::json!("(redacted)");
    // errors.jsonl names the input files by path, so its size depends on the checkout's place.
    summary["outputs"]["errors.jsonl"]["bytes"] = serde_json::json!("(redacted)");
    insta::assert_json_snapshot!("fixture_summary", summary);
}

#[test]
fn fixture_study_against_its_own_rs_agrees_everywhere() {
    let f = fixtures();
    let out = tmp("fixture-compare");
    let mut cfg = study_config(&f, &out);
    cfg.recorded = Some(f.join("expected-rs.csv"));
    run(&cfg);
    let c: serde_json::Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    let tests = &c["comparisons"][0]["tests"];
    for t in ["TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP", "BESTRESP"] {
        assert_eq!(
            tests[t]["compared"], tests[t]["agreed"],
            "{t}: {}",
            tests[t]
        );
        assert_eq!(tests[t]["reference_only"], 0, "{t}");
        assert_eq!(tests[t]["candidate_only"], 0, "{t}");
    }
    assert_eq!(read(&out.join("discordant.jsonl")), "");
}
