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
    /// The same rules with the numbers each used.
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
    /// First progression; `null` when there is none.
    pub progression: Option<Progression>,
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
    let name = format!(
        "{subject}\u{1f}{}\u{1f}{rule_set_sha256}\u{1f}{}",
        evaluator.unwrap_or(""),
        scope.as_str()
    );
    Uuid::new_v5(&RESULT_ID_NAMESPACE, name.as_bytes())
}
