//! Results made in allocations recycled from earlier results ([`Spare`]) are the results made
//! afresh, whatever the earlier results held.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use recist_engine::{AssessOptions, Spare, assess_subject_reusing, assess_subject_with};

#[test]
fn recycled_allocations_give_the_same_results() {
    let files = common::fixture_files(&[
        "recist-1.1",
        "mrecist",
        "irecist",
        "fields",
        "best-response",
    ]);
    assert!(files.len() > 50, "the fixtures are found");
    let rule_sets = common::bundled_rule_sets();
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
