//! Results made in allocations recycled from earlier results ([`Spare`]) are the results made
//! afresh, whatever the earlier results held.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use recist_engine::{AssessOptions, Spare, assess_subject_reusing, assess_subject_with};
use recist_rules::{RuleSet, bundled_ids};

#[test]
fn recycled_allocations_give_the_same_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    for dir in ["recist-1.1", "mrecist", "fields", "best-response"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        files.extend(
            rd.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml")),
        );
    }
    files.sort();
    assert!(files.len() > 50, "the fixtures are found");
    let rule_sets: Vec<RuleSet> = bundled_ids()
        .into_iter()
        .map(|(id, _, _)| RuleSet::bundled(&id).unwrap())
        .collect();
    let mut compared = 0;
    for explanations in [true, false] {
        let options = AssessOptions { explanations };
        // One spare through every case: each case fills what the ones before it left.
        let mut spare = Spare::default();
        for file in &files {
            let Ok(cases) = recist_io::read_case_file(file) else {
                continue;
            };
            for case in cases.into_iter().flatten() {
                for rules in &rule_sets {
                    let fresh = assess_subject_with(rules, &case.subject, options);
                    let reused = assess_subject_reusing(rules, &case.subject, options, &mut spare);
                    match (fresh, reused) {
                        (Ok(fresh), Ok(reused)) => {
                            assert_eq!(
                                fresh,
                                reused,
                                "{} under {}",
                                file.display(),
                                rules.doc().id
                            );
                            compared += 1;
                            for r in reused {
                                spare.recycle(r);
                            }
                        }
                        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                        (a, b) => panic!("{}: {a:?} vs {b:?}", file.display()),
                    }
                }
            }
        }
    }
    assert!(compared > 100, "{compared} results compared");
}
