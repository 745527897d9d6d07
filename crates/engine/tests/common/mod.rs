//! Set-up shared by the engine's fixture-wide tests.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};

use recist_rules::{RuleSet, bundled_ids};

pub mod irecist_case;

/// The YAML case files of these `fixtures/` folders, in name order.
pub fn fixture_files(dirs: &[&str]) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    for dir in dirs {
        files.extend(
            std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml")),
        );
    }
    files.sort();
    files
}

/// Every bundled rule set.
pub fn bundled_rule_sets() -> Vec<RuleSet> {
    bundled_ids()
        .into_iter()
        .map(|(id, _, _)| RuleSet::bundled(&id).unwrap())
        .collect()
}

/// A bundled rule set with protocol parameters set (`(key, value)` as `--set` gives them).
pub fn rules(id: &str, sets: &[(&str, &str)]) -> RuleSet {
    let base = RuleSet::bundled(id).unwrap();
    if sets.is_empty() {
        return base;
    }
    let sets: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    base.with_overrides(None, &sets).unwrap()
}

/// The subject of the one case in YAML text, read as a case file is.
pub fn subject(yaml: &str) -> recist_model::Subject {
    recist_io::read_case_text(yaml, "case.yaml", false)
        .unwrap()
        .remove(0)
        .unwrap()
        .subject
}

/// Reads one case from YAML text and adjudicates it: every scope's result.
pub fn assess(rules: &RuleSet, yaml: &str) -> Vec<recist_model::SubjectResult> {
    recist_engine::assess_subject(rules, &subject(yaml)).unwrap()
}

/// The result of one scope.
pub fn scope(
    results: &[recist_model::SubjectResult],
    s: recist_model::Scope,
) -> &recist_model::SubjectResult {
    results.iter().find(|r| r.scope == s).unwrap()
}
