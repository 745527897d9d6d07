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
            if !outcomes.iter().any(|(i, _)| i == id) {
                let rules = RuleSet::bundled(id).unwrap_or_else(|e| panic!("{e}"));
                outcomes.push((id.to_string(), outcome(&case, &rules)));
            }
            let out = outcomes.iter().find(|(i, _)| i == id).map(|(_, o)| o);
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
    insta::with_settings!({
        description => format!("fixture {}", path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default()),
        omit_expression => true,
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(snapshot);
    });
}

#[test]
fn recist_1_1_fixtures() {
    let mut failures = Vec::new();
    insta::glob!("../fixtures", "recist-1.1/*.yaml", |path| run_fixture(
        path,
        &mut failures
    ));
    assert!(
        failures.is_empty(),
        "{} fixtures disagree with their expectations:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
