//! Why a subject could not be adjudicated.

use chrono::NaiveDate;

/// A subject refused by the engine, with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdjudicationError {
    /// The subject has no assessment at all.
    #[error("subject `{subject}`: no assessment: the first assessment is the baseline")]
    NoAssessment {
        /// Subject.
        subject: String,
    },
    /// No lesion was identified at baseline (in the whole subject).
    #[error("subject `{subject}`: no lesion identified at baseline")]
    NoLesion {
        /// Subject.
        subject: String,
    },
    /// A baseline check of the rule set failed.
    #[error("subject `{subject}`: baseline {date}: {}{message} ({rule})", lesion.as_ref().map(|l| format!("lesion `{l}`: ")).unwrap_or_default())]
    Baseline {
        /// Subject.
        subject: String,
        /// Baseline date.
        date: NaiveDate,
        /// The lesion, when one is at fault.
        lesion: Option<String>,
        /// Rule ID of the check.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// A follow-up assessment is malformed for this subject.
    #[error("subject `{subject}`: assessment {date}: {}{message}", lesion.as_ref().map(|l| format!("lesion `{l}`: ")).unwrap_or_default())]
    Assessment {
        /// Subject.
        subject: String,
        /// Assessment date.
        date: NaiveDate,
        /// The lesion, when one is at fault.
        lesion: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The subject breaks what a case file guarantees (lesion ids used twice, a radiotherapy
    /// course naming an unknown lesion, ...): a library caller's subject built by hand.
    #[error("subject `{subject}`: {}{message}", lesion.as_ref().map(|l| format!("lesion `{l}`: ")).unwrap_or_default())]
    Malformed {
        /// Subject.
        subject: String,
        /// The lesion, when one is at fault.
        lesion: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The survival follow-up contradicts the scans or itself.
    #[error("subject `{subject}`: follow_up: {message}")]
    FollowUp {
        /// Subject.
        subject: String,
        /// What is wrong.
        message: String,
    },
}
