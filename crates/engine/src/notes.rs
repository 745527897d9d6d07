//! The rules cited at one timepoint and, when asked for, the prose behind each citation.

use recist_model::Explanation;

/// The capacity a new reason string is given at least: the smallest block the allocator hands
/// out holds it anyway, and a recycled string of this capacity takes any rule ID up to this
/// length without growing.
const REASON_CAPACITY: usize = crate::spare::SHORT;

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
    /// The reasons: the first `len` are each cited rule once, in first-cited order (with
    /// explanations off, made as the rules are cited; on, at [`finish`](Self::finish)); the
    /// strings after them are recycled ones, overwritten before new ones are allocated.
    rules: Vec<String>,
    len: usize,
}

impl Notes {
    /// An empty record, with the details made or skipped as `on` says.
    pub(crate) fn new(on: bool) -> Notes {
        Notes::recycling(on, Vec::new())
    }

    /// An empty record whose reasons are written into `spare` (the reasons of an earlier
    /// timepoint: its strings are overwritten instead of allocated anew).
    pub(crate) fn recycling(on: bool, spare: Vec<String>) -> Notes {
        Notes {
            on,
            items: Vec::new(),
            rules: spare,
            len: 0,
        }
    }

    /// Starts from earlier citations (the baseline's, from `prepare`), the reasons written
    /// into `spare` as in [`recycling`](Self::recycling).
    pub(crate) fn starting_with(
        on: bool,
        earlier: &[(String, String)],
        spare: Vec<String>,
    ) -> Notes {
        let mut notes = Notes::recycling(on, spare);
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
        } else {
            self.reason(rule.as_ref());
        }
    }

    /// Adds `rule` to the reasons unless it is there already.
    fn reason(&mut self, rule: &str) {
        if self.rules[..self.len].iter().any(|r| r == rule) {
            return;
        }
        match self.rules.get_mut(self.len) {
            Some(spare) => {
                spare.clear();
                spare.push_str(rule);
            }
            None => {
                let mut s = String::with_capacity(rule.len().max(REASON_CAPACITY));
                s.push_str(rule);
                self.rules.push(s);
            }
        }
        self.len += 1;
    }

    /// Cites a rule with a detail already made (dropped when explanations are off).
    pub(crate) fn push(&mut self, (rule, detail): (String, String)) {
        self.note(rule, || detail);
    }

    /// The timepoint's reasons (each rule once, in first-cited order) and its explanations
    /// (empty when explanations are off).
    pub(crate) fn finish(mut self) -> (Vec<String>, Vec<Explanation>) {
        let items = std::mem::take(&mut self.items);
        for (rule, _) in &items {
            self.reason(rule);
        }
        self.rules.truncate(self.len);
        let explanations = items
            .into_iter()
            .map(|(rule, detail)| Explanation { rule, detail })
            .collect();
        (self.rules, explanations)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Recycled reason strings give the same reasons as new ones, whatever they held.
    #[test]
    fn recycled_reasons_are_the_cited_rules() {
        for on in [false, true] {
            let cite = |notes: &mut Notes| {
                notes.note("R11-SUM", || "a".into());
                notes.note("R11-TGT-PR", || "b".into());
                notes.note("R11-SUM", || "c".into());
                notes.note("A-RULE-ID-LONGER-THAN-24-BYTES", || "d".into());
            };
            let mut fresh = Notes::new(on);
            cite(&mut fresh);
            let fresh = fresh.finish();
            assert_eq!(
                fresh.0,
                ["R11-SUM", "R11-TGT-PR", "A-RULE-ID-LONGER-THAN-24-BYTES"]
            );
            assert_eq!(fresh.1.len(), if on { 4 } else { 0 });
            for spare in [
                vec![],
                vec!["x".to_string()],
                vec![
                    "old".into(),
                    "R11-SUM".into(),
                    "".into(),
                    "a".into(),
                    "b".into(),
                ],
            ] {
                let mut recycled = Notes::recycling(on, spare);
                cite(&mut recycled);
                assert_eq!(recycled.finish(), fresh);
            }
        }
    }
}
