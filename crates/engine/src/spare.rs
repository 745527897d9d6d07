//! Allocations of finished results, kept for the next adjudication to fill again.

use recist_model::{SubjectResult, TimepointResult};

/// At most this many emptied timepoint lists are kept.
const MAX_TIMEPOINT_LISTS: usize = 8;
/// At most this many reason lists are kept.
const MAX_REASON_LISTS: usize = 256;
/// At most this many strings of each size are kept.
const MAX_STRINGS: usize = 256;
/// The capacity a new short string is given at least (the allocator's smallest block holds
/// it anyway); strings up to this capacity are kept apart from longer ones, so that a short
/// text takes a short string and a long one a long string.
pub(crate) const SHORT: usize = 24;

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
    /// Strings of at most [`SHORT`] bytes' capacity (lesion IDs, rule set IDs, subjects).
    short: Vec<String>,
    /// Longer strings (rule set hashes).
    long: Vec<String>,
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
        self.give(std::mem::take(&mut result.subject));
        if let Some(e) = result.evaluator.take() {
            self.give(e);
        }
        let rule_set = &mut result.rule_set;
        for s in [
            &mut rule_set.id,
            &mut rule_set.version,
            &mut rule_set.sha256,
        ] {
            self.give(std::mem::take(s));
        }
    }

    /// Keeps a string no longer needed (within limits).
    pub(crate) fn give(&mut self, s: String) {
        let pool = if s.capacity() <= SHORT {
            &mut self.short
        } else {
            &mut self.long
        };
        if s.capacity() > 0 && pool.len() < MAX_STRINGS {
            pool.push(s);
        }
    }

    /// `text` as a `String`, written into a kept string of its size when there is one.
    pub(crate) fn string(&mut self, text: &str) -> String {
        let pool = if text.len() <= SHORT {
            &mut self.short
        } else {
            &mut self.long
        };
        match pool.pop() {
            Some(mut s) => {
                s.clear();
                s.push_str(text);
                s
            }
            None => {
                let mut s = String::with_capacity(text.len().max(SHORT));
                s.push_str(text);
                s
            }
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
