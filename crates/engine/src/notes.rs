//! The rules cited at one timepoint and, when asked for, the prose behind each citation.

use recist_model::Explanation;

/// What the engine writes down while it decides a timepoint.
///
/// Every citation names its rule (the timepoint's `reasons`). The detail text is made only
/// when explanations are on: with them off, [`note`](Self::note) never calls its closure, so
/// no detail string is formatted at all.
#[derive(Debug)]
pub(crate) struct Notes {
    on: bool,
    /// Citations in order; with explanations off the detail is an empty string.
    items: Vec<(String, String)>,
}

impl Notes {
    /// An empty record, with the details made or skipped as `on` says.
    pub(crate) fn new(on: bool) -> Notes {
        Notes {
            on,
            items: Vec::new(),
        }
    }

    /// Starts from earlier citations (the baseline's, from `prepare`).
    pub(crate) fn starting_with(on: bool, earlier: &[(String, String)]) -> Notes {
        let items = if on {
            earlier.to_vec()
        } else {
            earlier
                .iter()
                .map(|(rule, _)| (rule.clone(), String::new()))
                .collect()
        };
        Notes { on, items }
    }

    /// Whether detail texts are made.
    pub(crate) fn on(&self) -> bool {
        self.on
    }

    /// Cites `rule`; `detail` is called only when explanations are on.
    pub(crate) fn note(&mut self, rule: impl Into<String>, detail: impl FnOnce() -> String) {
        let detail = if self.on { detail() } else { String::new() };
        self.items.push((rule.into(), detail));
    }

    /// Cites a rule with a detail already made (dropped when explanations are off).
    pub(crate) fn push(&mut self, (rule, detail): (String, String)) {
        self.note(rule, || detail);
    }

    /// The timepoint's reasons (each rule once, in first-cited order) and its explanations
    /// (empty when explanations are off).
    pub(crate) fn finish(self) -> (Vec<String>, Vec<Explanation>) {
        let mut reasons: Vec<String> = Vec::with_capacity(self.items.len());
        if self.on {
            for (rule, _) in &self.items {
                if !reasons.contains(rule) {
                    reasons.push(rule.clone());
                }
            }
            let explanations = self
                .items
                .into_iter()
                .map(|(rule, detail)| Explanation { rule, detail })
                .collect();
            (reasons, explanations)
        } else {
            for (rule, _) in self.items {
                if !reasons.contains(&rule) {
                    reasons.push(rule);
                }
            }
            (reasons, Vec::new())
        }
    }
}
