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

/// R11-REAPPEAR-NODE against R11-TGT-ORDER (`target_response.growth_within_cr`): a nodal
/// target shrinks to a normal 4 mm (CR), then measures 9 mm: +125 % and +5 mm over the nadir,
/// yet still below 10 mm. Read PD first (`pd`, the default) it is target PD; read as no node
/// reappearing (`cr`) it stays target CR. At 10 mm the node is pathological again: PD either
/// way (AMB-01). A non-target present keeps the earlier overall at PR, so the target category
/// alone decides.
#[test]
fn r11_reappear_node_normal_nodes_growing_follow_growth_within_cr() {
    let text = |last: &str| {
        format!(
            "
subject: NODE
treatment_start: 2024-01-03
lesions:
  - {{id: N1, site: mediastinal lymph node, role: target, nodal: true}}
  - {{id: NT1, site: bone, role: non-target}}
assessments:
  - date: 2024-01-01
    findings: {{N1: {{short_axis: 20}}, NT1: present}}
  - date: 2024-02-12
    findings: {{N1: {{short_axis: 4}}, NT1: present}}
  - date: 2024-03-25
    findings: {{N1: {{short_axis: {last}}}, NT1: present}}
"
        )
    };
    let run = |setting: &str, last: &str| {
        let r = assess(
            &rules(
                "recist-1.1",
                &[("target_response.growth_within_cr", setting)],
            ),
            &text(last),
        );
        let all = scope(&r, Scope::All);
        let f = all.timepoints[2].follow_up.as_ref().unwrap();
        let named = f
            .explanations
            .iter()
            .any(|e| e.detail.contains("growth_within_cr"));
        (f.target.map(|t| t.to_string()), f.overall, named)
    };
    let some = |s: &str| Some(s.to_string());
    assert_eq!(run("pd", "9"), (some("PD"), OverallResponse::Pd, true));
    assert_eq!(run("cr", "9"), (some("CR"), OverallResponse::Pr, true));
    // Growth short of the PD amounts: CR under either reading, nothing to name.
    assert_eq!(run("pd", "8"), (some("CR"), OverallResponse::Pr, false));
    for setting in ["pd", "cr"] {
        assert_eq!(run(setting, "10").1, OverallResponse::Pd, "{setting}");
    }
    // The default reading is `pd`.
    let default = assess(&rules("recist-1.1", &[]), &text("9"));
    let f = scope(&default, Scope::All).timepoints[2]
        .follow_up
        .clone()
        .unwrap();
    assert_eq!(f.overall, OverallResponse::Pd);
}
