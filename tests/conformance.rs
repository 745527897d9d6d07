//! Every fixture case, adjudicated under every rule set it states expectations for.
//!
//! A case's own `expected:` block is asserted (responses per timepoint, reasons, progression
//! date, refusals), and its `explain` output is an insta snapshot under `snapshots/`, so a
//! change to a rule set or the engine shows up as a reviewed diff.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use recist::RuleSet;
use recist_conformance::{check, outcome};

fn run_fixture(path: &Path, failures: &mut Vec<String>) {
    let cases = recist::read_case_file(path).unwrap_or_else(|e| panic!("{e}"));
    let mut snapshot = String::new();
    for case in cases {
        let case = case.unwrap_or_else(|e| panic!("{e}"));
        let expected = case.expected.clone().unwrap_or_else(|| {
            panic!(
                "{}: a fixture states its expected responses",
                path.display()
            )
        });
        let serde_json::Value::Object(per_rule_set) = expected else {
            panic!(
                "{}: `expected` maps rule-set ids to expectations",
                path.display()
            )
        };
        // Keys are `recist-1.1` or `recist-1.1 in-field`: a rule set id, then optionally a scope.
        let mut outcomes: Vec<(String, recist_conformance::Outcome)> = Vec::new();
        let mut problems = Vec::new();
        for (key, want) in &per_rule_set {
            let (id, scope) = key.split_once(' ').unwrap_or((key.as_str(), "all"));
            // Protocol overrides of this expectation, as `--set` pairs.
            let sets: Vec<(String, String)> = want
                .get("set")
                .and_then(serde_json::Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let label = if sets.is_empty() {
                id.to_string()
            } else {
                format!(
                    "{id} with {}",
                    sets.iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            if !outcomes.iter().any(|(i, _)| *i == label) {
                let rules = RuleSet::bundled(id).unwrap_or_else(|e| panic!("{e}"));
                let rules = if sets.is_empty() {
                    rules
                } else {
                    rules
                        .with_overrides(None, &sets)
                        .unwrap_or_else(|e| panic!("{e}"))
                };
                outcomes.push((label.clone(), outcome(&case, &rules)));
            }
            let out = outcomes.iter().find(|(i, _)| *i == label).map(|(_, o)| o);
            if let Some(out) = out {
                problems.extend(
                    check(want, out, scope)
                        .into_iter()
                        .map(|p| format!("[{key}] {p}")),
                );
            }
        }
        let mut all_results = Vec::new();
        for (id, out) in outcomes {
            match out {
                Ok(results) => all_results.extend(results),
                Err(msg) => snapshot.push_str(&format!("[{id}] refused: {msg}\n")),
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", path.display(), problems.join("\n  ")));
        }
        if !all_results.is_empty() {
            snapshot.push_str(&recist::explain(&all_results));
        }
    }
    assert_fixture_snapshot("run_fixture", path, "fixture", &snapshot);
}

/// One snapshot per fixture file (`NAME@FILE.snap`), described by the file's name.
fn assert_fixture_snapshot(name: &str, path: &Path, kind: &str, snapshot: &str) {
    insta::with_settings!({
        description => format!("{kind} {}", path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default()),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, snapshot);
    });
}

/// Best overall response from recorded responses: every row of RECIST 1.1 Table 3 and each
/// confirmation / SD-minimum parameter. Each CSV states the expected best responses per row;
/// a sidecar `NAME.protocol.yaml` holds the protocol overrides the file is judged under.
fn run_best_response_fixture(path: &Path, failures: &mut Vec<String>) {
    let base = RuleSet::bundled("recist-1.1").unwrap_or_else(|e| panic!("{e}"));
    let protocol_path = path.with_extension("protocol.yaml");
    let rules = match std::fs::read_to_string(&protocol_path) {
        Ok(text) => base
            .with_overrides(Some((&text, &protocol_path.display().to_string())), &[])
            .unwrap_or_else(|e| panic!("{e}")),
        Err(_) => base,
    };
    let recorded =
        recist::read_recorded(path, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        recorded.refused.is_empty(),
        "{:?}",
        recorded
            .refused
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let mut expected = std::collections::BTreeMap::new();
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    for rec in reader.records() {
        let rec = rec.unwrap_or_else(|e| panic!("{e}"));
        expected.insert(rec[0].to_string(), (rec[4].to_string(), rec[5].to_string()));
    }
    let mut snapshot = String::new();
    for s in &recorded.subjects {
        let visits: Vec<_> = s.visits.iter().map(|&(d, r, _)| (d, r)).collect();
        let reference = s
            .reference_date
            .unwrap_or_else(|| panic!("{}: reference_date", s.subject));
        let (best, warnings) = recist::derive_best_recorded(&rules, &visits, reference);
        let got = (best.unconfirmed.to_string(), best.confirmed.to_string());
        if expected.get(&s.subject) != Some(&got) {
            failures.push(format!(
                "{}: {}: got {got:?}, expected {:?}",
                path.display(),
                s.subject,
                expected.get(&s.subject)
            ));
        }
        let seq: Vec<String> = s
            .visits
            .iter()
            .map(|(d, r, _)| format!("day {} {r}", (*d - reference).num_days()))
            .collect();
        snapshot.push_str(&format!(
            "{}: {}\n  best {} / confirmed {}\n",
            s.subject,
            seq.join(", "),
            got.0,
            got.1
        ));
        for e in &best.explanations {
            snapshot.push_str(&format!("    {:<14}{}\n", e.rule, e.detail));
        }
        for w in &warnings {
            snapshot.push_str(&format!("    warning: {w}\n"));
        }
    }
    assert_fixture_snapshot(
        "run_best_response_fixture",
        path,
        "best-response fixture",
        &snapshot,
    );
}

/// A test that runs every fixture matching a glob and fails listing every disagreement.
macro_rules! fixture_test {
    ($name:ident, $pattern:literal, $runner:path) => {
        #[test]
        fn $name() {
            let mut failures = Vec::new();
            insta::glob!("../fixtures", $pattern, |path| $runner(path, &mut failures));
            assert!(
                failures.is_empty(),
                "{} fixtures disagree with their expectations:\n{}",
                failures.len(),
                failures.join("\n")
            );
        }
    };
}

fixture_test!(recist_1_1_fixtures, "recist-1.1/*.yaml", run_fixture);
fixture_test!(mrecist_fixtures, "mrecist/*.yaml", run_fixture);
fixture_test!(irecist_fixtures, "irecist/*.yaml", run_fixture);
fixture_test!(field_fixtures, "fields/*.yaml", run_fixture);
fixture_test!(
    best_response_fixtures,
    "best-response/*.csv",
    run_best_response_fixture
);
