//! `--explanations`: results without it differ from results with it only by the prose
//! `explanations` of follow-up timepoints; every other output is the same, and comparing
//! turns explanations on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use clap::Parser;
use common::*;
use recist_batch::cli::BatchArgs;
use serde_json::Value;

fn results(out: &std::path::Path) -> Vec<Value> {
    read(&out.join("results.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Drops every timepoint's `explanations`, asserting each follow-up had some.
fn strip(mut results: Vec<Value>) -> Vec<Value> {
    for r in &mut results {
        for tp in r["timepoints"].as_array_mut().unwrap() {
            let tp = tp.as_object_mut().unwrap();
            let removed = tp.remove("explanations");
            if tp["baseline"] == Value::Bool(false) {
                assert!(removed.is_some_and(|e| !e.as_array().unwrap().is_empty()));
            }
        }
    }
    results
}

fn explanations_in(results: &[Value]) -> usize {
    results
        .iter()
        .flat_map(|r| r["timepoints"].as_array().unwrap())
        .filter(|tp| tp.get("explanations").is_some())
        .count()
}

#[test]
fn results_without_explanations_differ_only_by_them() {
    let f = fixtures();
    let off = tmp("explanations-off");
    let on = tmp("explanations-on");
    let cfg = study_config(&f, &off);
    assert!(!cfg.explanations, "off by default");
    run(&cfg);
    let mut cfg = study_config(&f, &on);
    cfg.explanations = true;
    run(&cfg);

    let without = results(&off);
    assert!(!without.is_empty());
    assert_eq!(explanations_in(&without), 0);
    assert_eq!(strip(results(&on)), without);
    for file in ["rs.csv", "errors.jsonl"] {
        assert_eq!(read(&off.join(file)), read(&on.join(file)), "{file}");
    }
    assert_eq!(summary(&off)["options"]["explanations"], false);
    assert_eq!(summary(&on)["options"]["explanations"], true);
}

#[test]
fn comparing_turns_explanations_on() {
    let f = fixtures();
    let out = tmp("explanations-compare");
    let mut cfg = study_config(&f, &out);
    cfg.recorded = Some(f.join("expected-rs.csv"));
    assert!(cfg.explanations_on());
    run(&cfg);
    assert!(explanations_in(&results(&out)) > 0);
    assert_eq!(summary(&out)["options"]["explanations"], true);
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    batch: BatchArgs,
}

#[test]
fn the_flag_sets_the_option() {
    let base = ["recist", "--tu", "TU.csv", "--tr", "TR.csv", "--out", "out"];
    let cli = Cli::try_parse_from(base).unwrap();
    assert!(!cli.batch.explanations);
    let cli = Cli::try_parse_from(base.iter().chain(&["--explanations"])).unwrap();
    assert!(cli.batch.explanations);
}
