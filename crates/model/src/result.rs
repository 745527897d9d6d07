//! Results: one subject × one rule set × one scope, with a result per timepoint.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Mm, NewLesions, NonTargetResponse, OverallResponse, TargetResponse};

/// Which lesions a result covers.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Every lesion.
    All,
    /// Lesions inside a radiotherapy field.
    InField,
    /// Lesions outside every radiotherapy field.
    OutOfField,
}

impl Scope {
    /// The name used in results and tables.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::InField => "in-field",
            Scope::OutOfField => "out-of-field",
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which rule set produced a result, pinned by the hash of its effective content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetRef {
    /// Rule set id, e.g. `recist-1.1`.
    pub id: String,
    /// Rule set version.
    pub version: String,
    /// SHA-256 of the effective rule set (after protocol overrides), hex.
    pub sha256: String,
    /// Protocol overrides applied on top of the rule file, in order.
    #[serde(default)]
    pub overrides: Vec<AppliedOverride>,
}

/// A protocol parameter changed from the rule file's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedOverride {
    /// Dotted key, e.g. `confirmation.min_interval_days`.
    pub key: String,
    /// The value, as given.
    pub value: String,
    /// `--set` or the protocol file's name.
    pub origin: String,
}

/// The dates a best overall response rests on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseDates {
    /// First CR or PR, confirmed or not.
    pub first_response: Option<NaiveDate>,
    /// First CR or PR that was confirmed.
    pub confirmed_response: Option<NaiveDate>,
    /// The assessment that confirmed it.
    pub confirmation: Option<NaiveDate>,
}

/// A time-to-event endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    /// Whether the event happened (false: censored at `date`).
    pub event: bool,
    /// Date of the event or of censoring.
    pub date: NaiveDate,
    /// Days from the reference date.
    pub days: i64,
    /// Days from the start of the interval (duration of response: from the first response).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<i64>,
}

/// Time-to-event endpoints of one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// Progression-free survival: progression or death, else censored at the last evaluable
    /// assessment (at day 0 when none is later). On the `in-field` and `out-of-field` scopes,
    /// progression of the scope's lesions or death; the relapse-free survivals of the `all`
    /// scope count relapse alone.
    pub progression_free_survival: Endpoint,
    /// Overall survival, when `follow_up` allows: death, else censored at the last date known
    /// alive (`last_known_alive` or a later assessment).
    pub overall_survival: Option<Endpoint>,
    /// Duration of response, for responders: from the first CR/PR (confirmed, when the rule set
    /// requires confirmation) to progression, else censored at the last evaluable assessment.
    pub duration_of_response: Option<Endpoint>,
    /// On the `all` scope of a subject with radiotherapy: time to the in-field scope's first PD
    /// (relapse within the fields; death censors it), else censored at the in-field scope's last
    /// evaluable assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_field_relapse_free_survival: Option<Endpoint>,
    /// On the `all` scope of a subject with radiotherapy: time to the out-of-field scope's first
    /// PD, a new lesion outside every field included (death censors it), else censored at the
    /// out-of-field scope's last evaluable assessment, or the subject's when every baseline
    /// lesion was irradiated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_field_relapse_free_survival: Option<Endpoint>,
}

/// A radiotherapy course with its dose figures (linear-quadratic model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseDose {
    /// The course as given.
    #[serde(flatten)]
    pub course: crate::RadiotherapyCourse,
    /// Dose per fraction d = D / n, Gy.
    pub dose_per_fraction_gy: Option<f64>,
    /// α/β used, Gy.
    pub alpha_beta_gy: f64,
    /// Biologically effective dose BED = D (1 + d / (α/β)), Gy.
    pub bed_gy: Option<f64>,
    /// Equivalent dose in 2 Gy fractions EQD2 = BED / (1 + 2 / (α/β)), Gy.
    pub eqd2_gy: Option<f64>,
}

/// One non-irradiated target lesion's shrinkage after radiotherapy (RT-ABS-2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbscopalLesion {
    /// Lesion id.
    pub id: String,
    /// Baseline diameter.
    pub baseline_mm: Mm,
    /// Smallest diameter at an assessment after the radiotherapy end date.
    pub smallest_mm: Option<Mm>,
    /// Date of that assessment.
    pub smallest_date: Option<NaiveDate>,
    /// Change from baseline at that assessment, percent (display only).
    pub change_pct: Option<f64>,
    /// Whether it shrank at least the rule set's `radiotherapy.abscopal_shrink_pct`.
    pub responded: bool,
}

/// Abscopal response: do lesions outside the field respond?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Abscopal {
    /// Assessments after this date count (the last radiotherapy end date); `null` when no course has an end date, and then every follow-up counts.
    pub after: Option<NaiveDate>,
    /// Shrinkage from baseline that counts as a response, percent.
    pub shrink_pct: f64,
    /// Per non-irradiated target.
    pub lesions: Vec<AbscopalLesion>,
    /// Whether any non-irradiated target responded.
    pub any: bool,
    /// Whether any non-irradiated target was measured after the cut-off: when none was,
    /// `any` is false for want of a scan, not for want of shrinkage (not evaluable).
    pub evaluable: bool,
}

/// A rule of the reference that took part in a decision, with the numbers it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    /// Rule ID of the rules reference.
    pub rule: String,
    /// What the rule found, with its numbers.
    pub detail: String,
}

/// The result at one assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimepointResult {
    /// Scan date.
    pub date: NaiveDate,
    /// Days from the reference date (treatment start, else baseline); day 0 is that date.
    pub day: i64,
    /// Whether this is the baseline assessment.
    pub baseline: bool,
    /// Sum of target diameters, when every target in scope was evaluated.
    pub sum_mm: Option<Mm>,
    /// Responses and comparisons; absent for the baseline.
    #[serde(flatten)]
    pub follow_up: Option<FollowUpResult>,
}

/// What is decided at a follow-up assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpResult {
    /// Smallest sum before this assessment (baseline included, NE excluded).
    pub nadir_mm: Option<Mm>,
    /// Change of the sum from baseline, percent, rounded to two decimals for display.
    pub change_from_baseline_pct: Option<f64>,
    /// Change of the sum from the nadir, percent, rounded to two decimals for display.
    pub change_from_nadir_pct: Option<f64>,
    /// Change of the sum from the nadir, millimetres.
    pub change_from_nadir_mm: Option<Mm>,
    /// Target response; `null` when the scope has no target lesion.
    pub target: Option<TargetResponse>,
    /// Non-target response; `null` when the scope has no non-target lesion.
    pub non_target: Option<NonTargetResponse>,
    /// New lesion indicator.
    pub new_lesions: NewLesions,
    /// Overall response.
    pub overall: OverallResponse,
    /// Rule IDs that decided this timepoint.
    pub reasons: Vec<String>,
    /// The same rules with the numbers each used. Left out when the engine ran without
    /// explanations (every follow-up timepoint adjudicated with them has at least one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub explanations: Vec<Explanation>,
}

/// When progression came, and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progression {
    /// The date progression is dated to (moved back to the first sighting of an equivocal lesion).
    pub date: NaiveDate,
    /// Days from the reference date.
    pub day: i64,
    /// Date of the first assessment whose overall response is PD.
    pub first_pd_assessment: NaiveDate,
    /// `in-field`, `out-of-field`, `both` or `combined`, on the `all` scope of a subject with radiotherapy.
    pub site: Option<String>,
}

/// One subject × one rule set × one scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectResult {
    /// Deterministic id: UUID v5 over subject, evaluator, rule set hash and scope.
    pub id: Uuid,
    /// Subject identifier.
    pub subject: String,
    /// Evaluator, when given.
    pub evaluator: Option<String>,
    /// The rule set that produced this result.
    pub rule_set: RuleSetRef,
    /// Which lesions this result covers.
    pub scope: Scope,
    /// One entry per assessment, the baseline first.
    pub timepoints: Vec<TimepointResult>,
    /// Unconfirmed best overall response; `null` until derived.
    pub best_overall_response: Option<OverallResponse>,
    /// Confirmed best overall response; `null` until derived.
    pub confirmed_best_overall_response: Option<OverallResponse>,
    /// The dates the best responses rest on.
    pub response_dates: ResponseDates,
    /// How the best responses were derived, with rule IDs.
    pub best_response_reasons: Vec<Explanation>,
    /// First progression; `null` when there is none.
    pub progression: Option<Progression>,
    /// Time-to-event endpoints.
    pub endpoints: Option<Endpoints>,
    /// Radiotherapy courses with dose per fraction, BED and EQD2 (subjects with radiotherapy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub radiotherapy: Vec<CourseDose>,
    /// Abscopal response, on the `out-of-field` scope when it has target lesions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abscopal: Option<Abscopal>,
    /// Things the reader should know that did not stop adjudication.
    pub warnings: Vec<String>,
}

/// The namespace of result ids (UUID v5).
pub const RESULT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x6f1c_2a57_93d4_4c0e_9b8f_5e2d_7a41_c3b9);

/// The deterministic id of a result: the same inputs always give the same id.
pub fn result_id(
    subject: &str,
    evaluator: Option<&str>,
    rule_set_sha256: &str,
    scope: Scope,
) -> Uuid {
    // `subject US evaluator US sha256 US scope`, joined without the formatting machinery (one
    // id per result).
    let evaluator = evaluator.unwrap_or("");
    let scope = scope.as_str();
    let mut name = Vec::with_capacity(
        subject.len() + evaluator.len() + rule_set_sha256.len() + scope.len() + 3,
    );
    name.extend_from_slice(subject.as_bytes());
    name.push(0x1f);
    name.extend_from_slice(evaluator.as_bytes());
    name.push(0x1f);
    name.extend_from_slice(rule_set_sha256.as_bytes());
    name.push(0x1f);
    name.extend_from_slice(scope.as_bytes());
    Uuid::new_v5(&RESULT_ID_NAMESPACE, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The name hashed is `subject US evaluator US sha256 US scope`, as `format!` joins it.
    #[test]
    fn result_id_hashes_the_joined_name() {
        for (subject, evaluator) in [
            ("S-1", Some("READER 1")),
            ("", None),
            ("ü\u{1f}x", Some("")),
        ] {
            for scope in [Scope::All, Scope::InField, Scope::OutOfField] {
                let name = format!(
                    "{subject}\u{1f}{}\u{1f}abc123\u{1f}{}",
                    evaluator.unwrap_or(""),
                    scope.as_str()
                );
                assert_eq!(
                    result_id(subject, evaluator, "abc123", scope),
                    Uuid::new_v5(&RESULT_ID_NAMESPACE, name.as_bytes())
                );
            }
        }
    }
}
