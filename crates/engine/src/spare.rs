//! Allocations of finished results, kept for the next adjudication to fill again.

use recist_model::{SubjectResult, TimepointResult};

/// At most this many emptied timepoint lists are kept.
const MAX_TIMEPOINT_LISTS: usize = 8;
/// At most this many reason lists are kept.
const MAX_REASON_LISTS: usize = 256;

/// The vectors and strings of results already used, for the next adjudication to reuse
/// instead of allocating them again: a batch adjudicates subject after subject, and each
/// result's timepoint list and reason strings would otherwise be freed just before the next
/// subject allocates the same again. What it holds never shows in a result: only its
/// allocations are reused.
///
/// ```
/// # use recist_engine::{AssessOptions, Spare, assess_subject_reusing};
/// # fn run(rules: &recist_rules::RuleSet, subjects: &[recist_model::Subject]) -> Result<(), recist_engine::AdjudicationError> {
/// let mut spare = Spare::default();
/// for subject in subjects {
///     let results = assess_subject_reusing(rules, subject, AssessOptions::default(), &mut spare)?;
///     // ... write the results out ...
///     for r in results {
///         spare.recycle(r);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Spare {
    /// Emptied timepoint lists.
    timepoints: Vec<Vec<TimepointResult>>,
    /// Reason lists, their strings kept to be overwritten.
    reasons: Vec<Vec<String>>,
}

impl Spare {
    /// Keeps the allocations of a result that is no longer needed (within limits; the rest
    /// is freed).
    pub fn recycle(&mut self, mut result: SubjectResult) {
        for tp in &mut result.timepoints {
            if self.reasons.len() == MAX_REASON_LISTS {
                break;
            }
            if let Some(f) = &mut tp.follow_up
                && f.reasons.capacity() > 0
            {
                self.reasons.push(std::mem::take(&mut f.reasons));
            }
        }
        if self.timepoints.len() < MAX_TIMEPOINT_LISTS && result.timepoints.capacity() > 0 {
            result.timepoints.clear();
            self.timepoints.push(std::mem::take(&mut result.timepoints));
        }
    }

    /// An empty timepoint list, recycled when there is one.
    pub(crate) fn timepoints(&mut self) -> Vec<TimepointResult> {
        self.timepoints.pop().unwrap_or_default()
    }

    /// A reason list to overwrite (strings kept), recycled when there is one.
    pub(crate) fn reasons(&mut self) -> Vec<String> {
        self.reasons.pop().unwrap_or_default()
    }
}
