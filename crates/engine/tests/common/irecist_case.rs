//! The iRECIST tests' subject: targets T1 (lung, varying) and T2 (liver, 50 mm), baseline sum
//! 100 mm, and a bone non-target NT1; baseline 2021-01-04, treatment from 2021-01-05.

use recist_model::{OverallResponse, SubjectResult};

/// A date.
pub fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// One follow-up: date, T1 long axis, NT1 finding, new lesions (a YAML flow list, or "").
pub type Scan<'a> = (&'a str, i64, &'a str, &'a str);

/// The case text: `subject`, `extra` top-level keys (each line ending in a newline), the
/// lesions, the baseline and `scans`.
pub fn case_text(subject: &str, extra: &str, scans: &[Scan<'_>]) -> String {
    let mut y = format!(
        "subject: {subject}\ntreatment_start: 2021-01-05\n{extra}lesions:\n  - {{id: T1, site: lung, role: target}}\n  - {{id: T2, site: liver, role: target}}\n  - {{id: NT1, site: bone, role: non-target}}\nassessments:\n  - date: 2021-01-04\n    findings: {{T1: {{long_axis: 50}}, T2: {{long_axis: 50}}, NT1: present}}\n"
    );
    for (d, t1, nt, new) in scans {
        y.push_str(&format!(
            "  - date: {d}\n    findings: {{T1: {{long_axis: {t1}}}, T2: {{long_axis: 50}}, NT1: {nt}}}\n"
        ));
        if !new.is_empty() {
            y.push_str(&format!("    new_lesions: {new}\n"));
        }
    }
    y
}

/// The overall response per follow-up.
pub fn overall(r: &SubjectResult) -> Vec<OverallResponse> {
    r.timepoints
        .iter()
        .filter_map(|t| t.follow_up.as_ref().map(|f| f.overall))
        .collect()
}

/// The reasons of follow-up `i` (0 is the first after baseline).
pub fn reasons(r: &SubjectResult, i: usize) -> Vec<String> {
    r.timepoints[i + 1]
        .follow_up
        .as_ref()
        .unwrap()
        .reasons
        .clone()
}

/// The date progression is dated to.
pub fn progression(r: &SubjectResult) -> Option<chrono::NaiveDate> {
    r.progression.as_ref().map(|p| p.date)
}
