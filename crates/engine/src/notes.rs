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
    /// With explanations on: the citations in order.
    items: Vec<(String, String)>,
    /// With explanations off: each cited rule once, in first-cited order (the reasons).
    rules: Vec<String>,
}

impl Notes {
    /// An empty record, with the details made or skipped as `on` says.
    pub(crate) fn new(on: bool) -> Notes {
        Notes {
            on,
            items: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Starts from earlier citations (the baseline's, from `prepare`).
    pub(crate) fn starting_with(on: bool, earlier: &[(String, String)]) -> Notes {
        let mut notes = Notes::new(on);
        for (rule, detail) in earlier {
            notes.note(rule, || detail.clone());
        }
        notes
    }

    /// Whether detail texts are made.
    pub(crate) fn on(&self) -> bool {
        self.on
    }

    /// Cites `rule`; `detail` is called only when explanations are on.
    pub(crate) fn note<R>(&mut self, rule: R, detail: impl FnOnce() -> String)
    where
        R: AsRef<str> + Into<String>,
    {
        if self.on {
            self.items.push((rule.into(), detail()));
        } else if !self.rules.iter().any(|r| r == rule.as_ref()) {
            self.rules.push(rule.into());
        }
    }

    /// Cites a rule with a detail already made (dropped when explanations are off).
    pub(crate) fn push(&mut self, (rule, detail): (String, String)) {
        self.note(rule, || detail);
    }

    /// The timepoint's reasons (each rule once, in first-cited order) and its explanations
    /// (empty when explanations are off).
    pub(crate) fn finish(self) -> (Vec<String>, Vec<Explanation>) {
        if !self.on {
            return (self.rules, Vec::new());
        }
        let mut reasons: Vec<String> = Vec::with_capacity(self.items.len());
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
    }
}
