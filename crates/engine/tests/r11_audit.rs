//! RECIST 1.1 audit: cases where the engine's answer differed from the reference (rules
//! reference sections 1, 5 and 7). Each test is named after the rule it checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_model::{NonTargetResponse, OverallResponse, Scope};

mod common;
use common::{assess, rules, scope};

/// A subject with one target and one non-target whose baseline finding is `nt_baseline`; the
/// non-target is absent at the follow-up, where the target has gone too.
fn with_non_target_at_baseline(nt_baseline: &str) -> String {
    format!(
        "
subject: NT-BL
lesions:
  - {{id: T1, site: liver, role: target}}
  - {{id: NT1, site: bone, role: non-target}}
assessments:
  - date: 2024-01-01
    findings: {{T1: {{long_axis: 30}}, NT1: {nt_baseline}}}
  - date: 2024-02-12
    findings: {{T1: absent, NT1: absent}}
"
    )
}

/// R11-NT-ALL: a non-target is a lesion seen at baseline. One reported `absent` at baseline
/// would make a non-target CR (and an overall CR) out of a lesion that was never there, and
/// one reported `progression` at baseline has nothing to progress from: both were accepted
/// without a word. They are now warned about, naming the lesion and the status; a non-target
/// present at baseline gives no such warning.
#[test]
fn r11_nt_all_a_non_target_absent_or_progressing_at_baseline_is_warned() {
    for status in ["absent", "progression"] {
        let r = assess(
            &rules("recist-1.1", &[]),
            &with_non_target_at_baseline(status),
        );
        let all = scope(&r, Scope::All);
        let warned: Vec<&String> = all
            .warnings
            .iter()
            .filter(|w| w.contains("R11-NT-ALL"))
            .collect();
        assert_eq!(warned.len(), 1, "{status}: {:?}", all.warnings);
        assert!(warned[0].contains("`NT1`"), "{}", warned[0]);
        assert!(warned[0].contains(&format!("`{status}`")), "{}", warned[0]);
        // The response itself is unchanged: the baseline status is not used.
        let f = all.timepoints[1].follow_up.as_ref().unwrap();
        assert_eq!(f.non_target, Some(NonTargetResponse::Cr));
        assert_eq!(f.overall, OverallResponse::Cr);
    }
    let r = assess(
        &rules("recist-1.1", &[]),
        &with_non_target_at_baseline("present"),
    );
    let all = scope(&r, Scope::All);
    assert!(
        all.warnings.iter().all(|w| !w.contains("R11-NT-ALL")),
        "{:?}",
        all.warnings
    );
}
