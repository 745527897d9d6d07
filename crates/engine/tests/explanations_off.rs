//! Explanations are optional: without them every result is the same except that follow-up
//! timepoints carry no `explanations`; with them (the default) every follow-up has at least one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use recist_engine::{AssessOptions, assess_subject, assess_subject_with};
use recist_model::SubjectResult;

fn without_explanations(mut results: Vec<SubjectResult>) -> Vec<SubjectResult> {
    for r in &mut results {
        for tp in &mut r.timepoints {
            if let Some(f) = tp.follow_up.as_mut() {
                assert!(
                    !f.explanations.is_empty(),
                    "{} {}: a follow-up adjudicated with explanations has at least one",
                    r.subject,
                    tp.date
                );
                f.explanations.clear();
            }
        }
    }
    results
}

#[test]
fn conformance_fixtures_give_the_same_results_without_explanations() {
    let files = common::fixture_files(&["recist-1.1"]);
    assert!(files.len() > 50, "the conformance fixtures are found");
    let rule_sets = common::bundled_rule_sets();
    let off = AssessOptions {
        explanations: false,
    };
    let mut compared = 0;
    for file in &files {
        for case in recist_io::read_case_file(file).unwrap() {
            let Ok(case) = case else { continue };
            for rules in &rule_sets {
                let on = assess_subject(rules, &case.subject);
                let without = assess_subject_with(rules, &case.subject, off);
                match (on, without) {
                    (Ok(on), Ok(without)) => {
                        let on = without_explanations(on);
                        assert_eq!(on, without, "{} under {}", file.display(), rules.doc().id);
                        // And the key is left out of the JSON.
                        for r in &without {
                            let json = serde_json::to_string(r).unwrap();
                            assert!(!json.contains("\"explanations\""), "{json}");
                        }
                        compared += 1;
                    }
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                    (a, b) => panic!("{}: {a:?} vs {b:?}", file.display()),
                }
            }
        }
    }
    assert!(compared > 100, "{compared} subjects compared");
}
