//! Baseline: which lesions a scope holds, which are targets under this rule set, what each
//! measured at baseline, and the rule set's baseline checks.

use std::borrow::Cow;

use recist_model::{
    Diameters, Finding, Lesion, LesionKind, Mm, Modality, NonTargetStatus, Role, Scope, Subject,
    TargetFinding,
};
use recist_rules::{
    IneligibleTarget, LesionCondition, Measure, MeasureSelector, NodeSiteThreshold,
    NonTargetComplete, PriorLocalTherapy, RuleSet,
};

use crate::AdjudicationError;
use crate::spare::Spare;

/// Lesion attributes that rule-set conditions look at.
pub(crate) struct LesionFacts<'a> {
    pub nodal: bool,
    pub hcc_typical: bool,
    pub site: &'a str,
    pub kind: Option<LesionKind>,
}

impl<'a> LesionFacts<'a> {
    pub fn of(l: &'a Lesion) -> Self {
        LesionFacts {
            nodal: l.nodal,
            hcc_typical: l.hcc_typical,
            site: &l.site,
            kind: l.kind,
        }
    }
}

/// Whether a site text names one of the listed sites, or one of the rule set's aliases of
/// one (`site_aliases`): case-insensitive, whole words. A name that is one of the rule set's
/// `baseline.organs` is read as an organ ([`read_as_organ`]: `hepatic segment of the IVC` is
/// not the liver); any other name (a node site such as `porta hepatis`) wherever its words
/// appear.
pub(crate) fn site_matches(rules: &RuleSet, site: &str, names: &[String]) -> bool {
    let whole = Site::new(site);
    names.iter().any(|name| {
        if is_organ(rules, name) {
            read_as_organ(rules, site, |s| site_names(rules, s, name).then_some(())).is_some()
        } else {
            site_names(rules, &whole, name)
        }
    })
}

/// Whether a name is one of the rule set's `baseline.organs` (as words, ignoring case).
fn is_organ(rules: &RuleSet, name: &str) -> bool {
    rules
        .doc()
        .baseline
        .organs
        .iter()
        .any(|o| o.eq_ignore_ascii_case(name) || phrase_equal(o, name))
}

/// Whether two names have the same words, ignoring case.
fn phrase_equal(a: &str, b: &str) -> bool {
    let mut x = SiteWords::new(a).map(|(w, _)| w);
    let mut y = SiteWords::new(b).map(|(w, _)| w);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if same_word(p, q) => {}
            _ => return false,
        }
    }
}

/// Reads a site text as an organ through the rule set's `site_reading`: `read` is asked about
/// the phrases of the site that may name its organ, in order, and the first answer is the
/// site's. A site `X <link> Y` is read from its head `X`: an `X` naming a structure
/// (`lymph node`, `vein`) names no organ; an `X` ending with a part word (`segment`, `lobe`)
/// is a part of `Y`, so only `Y` is read; otherwise `X`, then `Y` when `X` names none. `Y` is
/// read in the same way. Without `site_reading` (or without a link) the whole site is read.
pub(crate) fn read_as_organ<'t, T>(
    rules: &RuleSet,
    text: &'t str,
    mut read: impl FnMut(&Site<'t>) -> Option<T>,
) -> Option<T> {
    let reading = &rules.doc().site_reading;
    let mut rest = text;
    loop {
        let (head, tail) = split_at_link(rest, &reading.links);
        let site = Site::new(head);
        if reading.structures.iter().any(|s| site.names(s)) {
            return None;
        }
        let Some(tail) = tail else {
            return read(&site);
        };
        if !last_word_in(head, &reading.parts)
            && let Some(found) = read(&site)
        {
            return Some(found);
        }
        rest = tail;
    }
}

/// A site split at its first link word (not its first word): the words before it and the
/// text after it; the whole text and `None` without one.
fn split_at_link<'t>(text: &'t str, links: &[String]) -> (&'t str, Option<&'t str>) {
    if links.is_empty() {
        return (text, None);
    }
    let mut words = SiteWords::new(text);
    let mut first = true;
    while let Some((w, _)) = words.next() {
        let end = words.at;
        if !first && links.iter().any(|l| same_word(l.trim(), w)) {
            let start = end - w.len();
            if let (Some(head), Some(tail)) = (text.get(..start), text.get(end..)) {
                return (head, Some(tail));
            }
        }
        first = false;
    }
    (text, None)
}

/// Whether the last word of a text is one of `words` (ignoring case).
fn last_word_in(text: &str, words: &[String]) -> bool {
    !words.is_empty()
        && SiteWords::new(text)
            .last()
            .is_some_and(|(w, _)| words.iter().any(|p| same_word(p.trim(), w)))
}

/// Whether a site names `name` or one of the rule set's aliases of it. An alias must not start
/// inside a hyphenated word: `extra-hepatic lesion` is not the liver's `hepatic lesion`, nor
/// `retro-peritoneal` the peritoneum's `peritoneal` (a prefix joined by a hyphen makes another
/// word, as `extrahepatic` is one).
fn site_names(rules: &RuleSet, site: &Site<'_>, name: &str) -> bool {
    site.names(name) || rules.site_aliases(name).iter().any(|a| site.names_free(a))
}

/// A site text split into words once, to be compared with many names (allocation-free: it
/// runs for every lesion against the rule set's site lists and organs).
///
/// ASCII texts (the usual case) are compared byte by byte: for them `char::is_alphanumeric`
/// is `u8::is_ascii_alphanumeric` and lowercase equality is `eq_ignore_ascii_case`. Other
/// texts go through [`phrase_in`].
pub(crate) struct Site<'a> {
    text: &'a str,
    /// The words of an ASCII text of at most [`Site::MAX_WORDS`] words.
    words: Option<([&'a [u8]; Site::MAX_WORDS], usize)>,
    /// Bit `i` set when word `i` is joined by a hyphen to the word before it (`extra-hepatic`).
    joined: u8,
}

impl<'a> Site<'a> {
    const MAX_WORDS: usize = 8;

    pub(crate) fn new(text: &'a str) -> Site<'a> {
        let mut joined = 0u8;
        let words = text.is_ascii().then(|| {
            let mut words: [&[u8]; Site::MAX_WORDS] = [&[]; Site::MAX_WORDS];
            let mut n = 0;
            for (w, hyphen) in SiteWords::new(text) {
                if n == Site::MAX_WORDS {
                    return None;
                }
                words[n] = w.as_bytes();
                if hyphen {
                    joined |= 1 << n;
                }
                n += 1;
            }
            Some((words, n))
        });
        Site {
            text,
            words: words.flatten(),
            joined,
        }
    }

    /// [`Site::names`] where the first word of `name` must not be joined by a hyphen to a
    /// word before it: `hepatic lesion` is in `right hepatic lesion` and `hepatic-lesion`,
    /// not in `extra-hepatic lesion`.
    pub(crate) fn names_free(&self, name: &str) -> bool {
        match &self.words {
            Some((words, n)) if name.is_ascii() => {
                let words = words.get(..*n).unwrap_or_default();
                // The name is split once; its first word is compared before the rest.
                let mut want = ascii_words(name.as_bytes());
                let Some(first) = want.next() else {
                    return false;
                };
                words.iter().enumerate().any(|(i, w)| {
                    self.joined & (1 << i) == 0 && w.eq_ignore_ascii_case(first) && {
                        let mut after = words.get(i + 1..).unwrap_or_default().iter();
                        want.clone()
                            .all(|x| after.next().is_some_and(|s| s.eq_ignore_ascii_case(x)))
                    }
                })
            }
            _ => {
                let mut start = SiteWords::new(self.text);
                loop {
                    let here = start.clone();
                    let Some((_, hyphen)) = start.next() else {
                        return false;
                    };
                    if !hyphen
                        && starts_with_words(
                            here.map(|(w, _)| w),
                            name.split(|c: char| !c.is_alphanumeric())
                                .filter(|w| !w.is_empty()),
                            same_word,
                        )
                    {
                        return true;
                    }
                }
            }
        }
    }

    /// Whether the words of `name` appear one after the other in this site, ignoring case;
    /// `false` for a name without words.
    pub(crate) fn names(&self, name: &str) -> bool {
        // One ASCII word (most organ and site names): any word of the site equal to it.
        if let Some((words, n)) = &self.words
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return words
                .get(..*n)
                .unwrap_or_default()
                .iter()
                .any(|w| w.eq_ignore_ascii_case(name.as_bytes()));
        }
        match &self.words {
            Some((words, n)) if name.is_ascii() => follow_each_other(
                words.get(..*n).unwrap_or_default().iter().copied(),
                ascii_words(name.as_bytes()),
                |s, w| s.eq_ignore_ascii_case(w),
            ),
            _ if self.text.is_ascii() && name.is_ascii() => {
                ascii_phrase_in(self.text.as_bytes(), name.as_bytes())
            }
            _ => phrase_in(self.text, name),
        }
    }
}

/// The words of an ASCII text: runs of ASCII letters and digits.
fn ascii_words(text: &[u8]) -> impl Iterator<Item = &[u8]> + Clone {
    text.split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Whether the words of `name` (ASCII) appear one after the other among the words of `site`
/// (ASCII), ignoring case; `false` for a name without words.
fn ascii_phrase_in(site: &[u8], name: &[u8]) -> bool {
    follow_each_other(ascii_words(site), ascii_words(name), |s, w| {
        s.eq_ignore_ascii_case(w)
    })
}

/// Whether the words `want` appear one after the other among `site`'s words, each pair
/// compared with `same`; `false` when `want` is empty.
fn follow_each_other<W: Copy>(
    site: impl Iterator<Item = W> + Clone,
    want: impl Iterator<Item = W> + Clone,
    same: impl Fn(W, W) -> bool,
) -> bool {
    if want.clone().next().is_none() {
        return false;
    }
    let mut start = site;
    loop {
        let mut candidate = start.clone();
        if want
            .clone()
            .all(|w| candidate.next().is_some_and(|s| same(s, w)))
        {
            return true;
        }
        if start.next().is_none() {
            return false;
        }
    }
}

/// Whether `site` begins with the words `want` (at least one), each pair compared with `same`.
fn starts_with_words<W: Copy>(
    mut site: impl Iterator<Item = W>,
    mut want: impl Iterator<Item = W>,
    same: impl Fn(W, W) -> bool,
) -> bool {
    let Some(first) = want.next() else {
        return false;
    };
    site.next().is_some_and(|s| same(s, first))
        && want.all(|w| site.next().is_some_and(|s| same(s, w)))
}

/// The words of a text (runs of alphanumeric characters), each with whether it is joined by a
/// hyphen to the word before it (`hepatic` in `extra-hepatic`).
#[derive(Clone)]
struct SiteWords<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> SiteWords<'a> {
    fn new(text: &'a str) -> SiteWords<'a> {
        SiteWords { text, at: 0 }
    }
}

impl<'a> Iterator for SiteWords<'a> {
    type Item = (&'a str, bool);

    fn next(&mut self) -> Option<(&'a str, bool)> {
        let rest = self.text.get(self.at..)?;
        let start = self.at + rest.find(char::is_alphanumeric)?;
        let tail = self.text.get(start..)?;
        let len = tail
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(tail.len());
        self.at = start + len;
        let joined = self
            .text
            .get(..start)
            .and_then(|before| before.strip_suffix(['-', '\u{2010}', '\u{2011}']))
            .and_then(|before| before.chars().next_back())
            .is_some_and(char::is_alphanumeric);
        Some((tail.get(..len)?, joined))
    }
}

/// Whether two words are equal ignoring case (ASCII, then full lowercase).
fn same_word(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// [`ascii_phrase_in`] for any text: words split at characters that are not alphanumeric,
/// compared ignoring case (ASCII, then full lowercase).
fn phrase_in(site: &str, name: &str) -> bool {
    fn words(text: &str) -> impl Iterator<Item = &str> + Clone {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    }
    follow_each_other(words(site), words(name), same_word)
}

/// For a non-nodal lesion marked `hcc_typical`, the sites the rule set's conditions name
/// (`site_in` of measurement selectors, target eligibility and patterned new lesions) when the
/// lesion's site names none of them: the rule set then reads it as outside those sites (under
/// mRECIST, an extrahepatic lesion measured on its long axis), which the reader who marked it
/// typical HCC may not expect. `None` when the site names one, or the rule set names none.
pub(crate) fn typical_outside_sites(
    rules: &RuleSet,
    nodal: bool,
    hcc_typical: bool,
    site: &str,
) -> Option<String> {
    if !hcc_typical || nodal {
        return None;
    }
    let doc = rules.doc();
    let conditions = doc
        .measurement
        .selectors
        .iter()
        .map(|s| &s.when)
        .chain(
            doc.baseline
                .target_eligibility
                .iter()
                .flat_map(|e| [&e.when, &e.require]),
        )
        .chain(doc.new_lesions.patterned.iter().map(|p| &p.when))
        .filter(|c| c.nodal != Some(true));
    let mut names: Vec<&str> = Vec::new();
    for list in conditions.filter_map(|c| c.site_in.as_ref()) {
        if site_matches(rules, site, list) {
            return None;
        }
        for name in list {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// The warning for a typical lesion outside the rule set's sites ([`typical_outside_sites`]).
pub(crate) fn typical_outside_warning(id: &str, site: &str, names: &str) -> String {
    format!(
        "`{id}` is marked hcc_typical but its site `{site}` names none of the rule set's sites for it ({names}): read as outside them; name the site, or add its words to site_aliases"
    )
}

/// Whether a lesion meets a rule set's lesion condition.
pub(crate) fn condition_holds(rules: &RuleSet, c: &LesionCondition, f: &LesionFacts<'_>) -> bool {
    c.nodal.is_none_or(|n| n == f.nodal)
        && c.hcc_typical.is_none_or(|h| h == f.hcc_typical)
        && c.site_in
            .as_ref()
            .is_none_or(|s| site_matches(rules, f.site, s))
        && c.kind_in
            .as_ref()
            .is_none_or(|k| f.kind.is_some_and(|kind| k.contains(&kind)))
}

/// The selector that decides which diameter a rule set counts for a lesion.
pub(crate) fn selector<'r>(rules: &'r RuleSet, f: &LesionFacts<'_>) -> Option<&'r MeasureSelector> {
    rules
        .doc()
        .measurement
        .selectors
        .iter()
        .find(|s| condition_holds(rules, &s.when, f))
}

/// Whether a non-target is read by its enhancement: under `complete_when:
/// absent-or-non-viable`, a non-nodal lesion whose selector measures the viable diameter
/// (typical HCC in the liver). `Some` holds the selector's rule for a finding without
/// `viable` (MR-IMG), which `non_target_response.viability_unstated` reads.
fn read_by_enhancement<'r>(rules: &'r RuleSet, lesion: &Lesion) -> Option<&'r str> {
    let nt = &rules.doc().non_target_response;
    if lesion.nodal || nt.complete_when != NonTargetComplete::AbsentOrNonViable {
        return None;
    }
    selector(rules, &LesionFacts::of(lesion))
        .filter(|s| s.measure == Measure::Viable)
        .map(|s| s.missing_rule.as_deref().unwrap_or(s.rule.as_str()))
}

/// The diameter a rule set counts for a lesion, and the rule that says so.
pub(crate) fn selected_measure<'r>(rules: &'r RuleSet, f: &LesionFacts<'_>) -> (Measure, &'r str) {
    selector(rules, f)
        .map(|s| (s.measure, s.rule.as_str()))
        // Validation guarantees a selector for nodal and one for non-nodal lesions.
        .unwrap_or(if f.nodal {
            (Measure::ShortAxis, "R11-SUM")
        } else {
            (Measure::LongAxis, "R11-SUM")
        })
}

pub(crate) fn pick(d: &Diameters, m: Measure) -> Option<Mm> {
    match m {
        Measure::LongAxis => d.long_axis,
        Measure::ShortAxis => d.short_axis,
        Measure::Viable => d.viable,
    }
}

pub(crate) fn measure_name(m: Measure) -> &'static str {
    match m {
        Measure::LongAxis => "long axis",
        Measure::ShortAxis => "short axis",
        Measure::Viable => "viable diameter",
    }
}

/// The short axis from which a node at this site is pathological, and the site threshold
/// that raised it above `base` (if one did).
/// Below which short axis a nodal lesion is a normal node, with the rule that says so (a site
/// threshold's, else R11-NODE-NORMAL); `None` for a lesion that is not a node.
fn node_normal_below<'r>(rules: &'r RuleSet, lesion: &Lesion) -> Option<(Mm, &'r str)> {
    lesion.nodal.then(|| {
        let general = rules.doc().baseline.node_pathological_min_short_axis_mm;
        match node_threshold(rules, &lesion.site, general) {
            (mm, Some(t)) => (mm, t.rule.as_str()),
            (mm, None) => (mm, "R11-NODE-NORMAL"),
        }
    })
}

pub(crate) fn node_threshold<'r>(
    rules: &'r RuleSet,
    site: &str,
    base: Mm,
) -> (Mm, Option<&'r NodeSiteThreshold>) {
    rules
        .doc()
        .baseline
        .node_site_thresholds
        .iter()
        .filter(|t| site_matches(rules, site, &t.sites) && t.pathological_min_short_axis_mm > base)
        .map(|t| (t.pathological_min_short_axis_mm, Some(t)))
        .max_by_key(|(mm, _)| *mm)
        .unwrap_or((base, None))
}

/// A target lesion of a scope, as this rule set measures it (rule IDs borrowed from the rule
/// set).
#[derive(Debug, Clone)]
pub(crate) struct TargetLesion<'r> {
    pub id: String,
    pub nodal: bool,
    pub measure: Measure,
    /// The selector's rule, cited when a finding gives a choice of diameters or lacks this one.
    pub measure_rule: &'r str,
    /// The selector's rule for a finding that lacks the measure.
    pub missing_rule: Option<&'r str>,
    pub baseline: Mm,
    /// Below this short axis a node is normal for CR and AMB-01 (site thresholds included).
    pub node_normal_below: Mm,
    /// The site threshold's rule, when one set `node_normal_below`.
    pub node_rule: Option<&'r str>,
}

/// A non-target lesion of a scope; `from_target` when a target was demoted by the rule set.
#[derive(Debug, Clone)]
pub(crate) struct NonTargetLesion<'r> {
    pub id: String,
    pub kind: Option<LesionKind>,
    pub from_target: Option<Measure>,
    /// A lymph node: judged by its size, never complete for no longer enhancing (MR-NT-CR is
    /// about the arterial enhancement of liver tumour).
    pub nodal: bool,
    /// A demoted target's selector rule for a finding that lacks its measure (MR-IMG: no
    /// viable diameter is no enhancement reading): not evaluated, as for a target.
    pub missing_rule: Option<&'r str>,
    /// For a non-target the rule set reads by its enhancement (see [`read_by_enhancement`]),
    /// the selector's rule for a finding without `viable` (MR-IMG).
    pub read_by_enhancement: Option<&'r str>,
    /// A demoted node: normal while its short axis is below this, citing the rule.
    pub node_normal_below: Option<(Mm, &'r str)>,
}

/// Everything a scope needs from baseline.
#[derive(Debug, Clone)]
pub(crate) struct Prepared<'r> {
    pub targets: Vec<TargetLesion<'r>>,
    pub non_targets: Vec<NonTargetLesion<'r>>,
    pub baseline_sum: Mm,
    pub warnings: Vec<String>,
    pub explanations: Vec<(String, String)>,
}

/// Which baseline lesions a scope holds.
pub(crate) fn in_scope(rules: &RuleSet, subject: &Subject, lesion: &Lesion, scope: Scope) -> bool {
    if scope == Scope::All {
        return true;
    }
    // Section 6: a lesion whose field status is unknown is in neither field scope.
    if lesion.field_unknown {
        return false;
    }
    // Only courses that make a field count (`radiotherapy.late_courses`); a lesion at a
    // field's margin counts as `radiotherapy.marginal_lesions` says (AMB-RT1).
    let marginal_in =
        rules.doc().radiotherapy.marginal_lesions == recist_rules::MarginalLesions::InField;
    let in_field = subject.radiotherapy.iter().any(|rt| {
        (rt.lesions.contains(&lesion.id) || marginal_in && rt.marginal_lesions.contains(&lesion.id))
            && crate::fields::makes_field(rules, subject, rt)
    });
    (scope == Scope::InField) == in_field
}

/// Runs the baseline checks and prepares a scope. `Ok(None)`: the scope holds no lesion.
pub(crate) fn prepare<'r>(
    rules: &'r RuleSet,
    subject: &Subject,
    scope: Scope,
) -> Result<Option<Prepared<'r>>, AdjudicationError> {
    prepare_reusing(rules, subject, scope, &mut Spare::default())
}

/// [`prepare`], the lesion IDs written into strings kept in `spare`.
pub(crate) fn prepare_reusing<'r>(
    rules: &'r RuleSet,
    subject: &Subject,
    scope: Scope,
    spare: &mut Spare,
) -> Result<Option<Prepared<'r>>, AdjudicationError> {
    let baseline = subject
        .baseline()
        .ok_or_else(|| AdjudicationError::NoAssessment {
            subject: subject.subject.clone(),
        })?;
    if subject.lesions.is_empty() {
        return Err(AdjudicationError::NoLesion {
            subject: subject.subject.clone(),
        });
    }
    let doc = rules.doc();
    let b = &doc.baseline;
    let refuse = |lesion: Option<&str>, rule: &str, message: String| AdjudicationError::Baseline {
        subject: subject.subject.clone(),
        date: baseline.date,
        lesion: lesion.map(str::to_string),
        rule: rule.to_string(),
        message,
    };
    let mut warnings = Vec::new();
    let mut explanations = Vec::new();
    if let Some(start) = subject.treatment_start {
        let gap = (start - baseline.date).num_days();
        if gap > i64::from(b.max_days_before_treatment) {
            warnings.push(format!(
                "baseline {} is {gap} days before treatment start {start}, more than {} (R11-BL-WINDOW)",
                baseline.date, b.max_days_before_treatment
            ));
        } else if gap < 0 {
            // The window is before treatment: a baseline after it is outside it too.
            warnings.push(format!(
                "baseline {} is {} days after treatment start {start}: a baseline is taken before treatment (R11-BL-WINDOW)",
                baseline.date, -gap
            ));
        }
    }

    // At most every lesion in either list: one allocation each.
    let mut targets = Vec::with_capacity(subject.lesions.len());
    let mut non_targets = Vec::with_capacity(subject.lesions.len());
    let mut demoted: Vec<&str> = Vec::new();
    for lesion in subject
        .lesions
        .iter()
        .filter(|l| in_scope(rules, subject, l, scope))
    {
        if let Some(names) =
            typical_outside_sites(rules, lesion.nodal, lesion.hcc_typical, &lesion.site)
        {
            warnings.push(typical_outside_warning(&lesion.id, &lesion.site, &names));
        }
        if lesion.role == Role::NonTarget {
            // R11-NT-ALL: a non-target is a lesion seen at baseline. Reported gone there, its
            // later absence would count toward a non-target CR it never made; reported
            // progressing there, it has nothing to progress from. Either is a data error the
            // reader should see; the baseline status is otherwise not used.
            if let Some(Finding::NonTarget(f)) = baseline.findings.get(&lesion.id)
                && matches!(
                    f.status,
                    NonTargetStatus::Absent | NonTargetStatus::Progression
                )
            {
                let (status, why) = if f.status == NonTargetStatus::Absent {
                    (
                        "absent",
                        "a non-target is a lesion seen at baseline, and its later absence counts toward a non-target CR: check the finding",
                    )
                } else {
                    (
                        "progression",
                        "progression is judged against the baseline and cannot be seen on it: check the finding",
                    )
                };
                warnings.push(format!(
                    "baseline {}: non-target `{}` reported `{status}`: {why} (R11-NT-ALL)",
                    baseline.date, lesion.id
                ));
            }
            non_targets.push(NonTargetLesion {
                id: spare.string(&lesion.id),
                kind: lesion.kind,
                from_target: None,
                nodal: lesion.nodal,
                missing_rule: None,
                read_by_enhancement: read_by_enhancement(rules, lesion),
                // A node measured at follow-up (SDTM LPERP) is normal below its threshold.
                node_normal_below: node_normal_below(rules, lesion),
            });
            continue;
        }
        let facts = LesionFacts::of(lesion);
        let (measure, measure_rule) = selected_measure(rules, &facts);
        let missing_rule = selector(rules, &facts).and_then(|s| s.missing_rule.as_deref());
        let id = lesion.id.as_str();
        // Each check yields Err((rule, message, what to do, further rules)) when the lesion
        // cannot be a target.
        type Verdict<'r> =
            Result<(Mm, Mm, Option<&'r str>), (String, String, IneligibleTarget, Vec<String>)>;
        let verdict: Verdict = (|| {
            let unmeasurable = b.unmeasurable_target;
            if let Some(kind) = lesion.kind.filter(|k| b.non_measurable_kinds.contains(k)) {
                let rule = b
                    .rules
                    .as_ref()
                    .and_then(|r| r.non_measurable.get(&kind).cloned())
                    .unwrap_or_else(|| {
                        if kind == LesionKind::BoneBlastic {
                            "R11-BONE".into()
                        } else {
                            "R11-NONMEAS".into()
                        }
                    });
                return Err((
                    rule,
                    format!(
                        "a lesion of kind `{}` at `{}` is not measurable and cannot be a target",
                        kind.as_str(),
                        lesion.site
                    ),
                    unmeasurable,
                    Vec::new(),
                ));
            }
            let modality = lesion.method.unwrap_or(baseline.modality);
            let Some(&modality_min) = b.measurable_min_mm.get(&modality) else {
                return Err((
                    "R11-MEAS-US".into(),
                    format!("{} cannot measure a target lesion", modality.name()),
                    unmeasurable,
                    Vec::new(),
                ));
            };
            if lesion.prior_local_therapy
                && !lesion.progressed_after_local_therapy
                && b.prior_local_therapy_targets == PriorLocalTherapy::ProgressedOnly
            {
                return Err((
                    "R11-PRIORTX".into(),
                    "treated by local therapy before baseline and not progressed since: not measurable as a target".into(),
                    IneligibleTarget::Refuse,
                    Vec::new(),
                ));
            }
            let finding = baseline.findings.get(id);
            let diameters = match finding {
                Some(Finding::Target(TargetFinding::Measured(d))) => Some(*d),
                Some(Finding::Target(TargetFinding::Fragments(parts))) => {
                    let mut total = Diameters::default();
                    for p in parts {
                        total.long_axis = add(total.long_axis, p.long_axis);
                        total.short_axis = add(total.short_axis, p.short_axis);
                        total.viable = add(total.viable, p.viable);
                    }
                    Some(total)
                }
                _ => None,
            };
            let value = diameters.as_ref().and_then(|d| pick(d, measure));
            for rule in &b.target_eligibility {
                if !condition_holds(rules, &rule.when, &facts) {
                    continue;
                }
                if !condition_holds(rules, &rule.require, &facts) {
                    return Err((
                        rule.rule.clone(),
                        "does not meet the rule set's target conditions".to_string()
                            + &describe(&rule.require),
                        rule.otherwise,
                        rule.also.clone(),
                    ));
                }
                if let Some(min) = rule.min_measure_mm {
                    match value {
                        Some(v) if v >= min => {}
                        Some(v) => {
                            return Err((
                                rule.rule.clone(),
                                format!(
                                    "{} {v} mm at baseline is below {min} mm",
                                    measure_name(measure)
                                ),
                                rule.otherwise,
                                rule.also.clone(),
                            ));
                        }
                        None => {
                            return Err((
                                rule.rule.clone(),
                                format!("no {} at baseline", measure_name(measure)),
                                rule.otherwise,
                                rule.also.clone(),
                            ));
                        }
                    }
                }
            }
            let Some(value) = value else {
                let what = match finding {
                    None => "no finding at baseline".to_string(),
                    Some(_) => format!("no {} measured at baseline", measure_name(measure)),
                };
                return Err((
                    "R11-SUM".into(),
                    format!("target without a measurement: {what}"),
                    IneligibleTarget::Refuse,
                    Vec::new(),
                ));
            };
            if lesion.nodal {
                let general = b.node_pathological_min_short_axis_mm;
                let (pathological, site) = node_threshold(rules, &lesion.site, general);
                let target_min = b.node_target_min_short_axis_mm.max(pathological);
                if value < target_min {
                    let (rule, what, otherwise) = if value < general {
                        (
                            "R11-NODE-NORMAL",
                            format!(
                                "a node of {value} mm short axis is not pathological (below {general} mm)"
                            ),
                            unmeasurable,
                        )
                    } else if let Some(t) = site.filter(|_| value < pathological) {
                        (
                            t.rule.as_str(),
                            format!(
                                "a node of {value} mm short axis at this site is not pathological (below {pathological} mm)"
                            ),
                            t.otherwise,
                        )
                    } else {
                        (
                            "R11-NODE-NT",
                            format!(
                                "a node of {value} mm short axis is pathological but not measurable (below {target_min} mm): record it as a non-target"
                            ),
                            unmeasurable,
                        )
                    };
                    return Err((rule.into(), what, otherwise, Vec::new()));
                }
                Ok((value, pathological, site.map(|t| t.rule.as_str())))
            } else {
                let mut min = modality_min;
                let mut rule = match modality {
                    Modality::Caliper => "R11-MEAS-CALIPER",
                    Modality::XRay => "R11-MEAS-CXR",
                    _ => "R11-MEAS-CT",
                };
                let thick_slice = baseline
                    .slice_thickness_mm
                    .filter(|s| *s > b.slice_thickness.max_mm)
                    .filter(|_| matches!(modality, Modality::Ct | Modality::Mri));
                if let Some(slice) = thick_slice {
                    let twice = Mm::from_hundredths(
                        slice.hundredths() * i64::from(b.slice_thickness.multiplier),
                    );
                    if twice > min {
                        min = twice;
                        rule = "R11-MEAS-SLICE";
                    }
                }
                if value < min {
                    return Err((
                        rule.into(),
                        format!(
                            "{} {value} mm is below the measurable minimum of {min} mm",
                            measure_name(measure)
                        ),
                        unmeasurable,
                        Vec::new(),
                    ));
                }
                Ok((value, Mm::ZERO, None))
            }
        })();
        match verdict {
            Ok((value, node_normal_below, node_rule)) => {
                let cr_below = doc.target_response.cr_node_short_axis_below_mm;
                let node_normal_below = if lesion.nodal {
                    node_normal_below.max(cr_below)
                } else {
                    Mm::ZERO
                };
                let node_rule = node_rule.filter(|_| node_normal_below > cr_below);
                if lesion
                    .kind
                    .is_some_and(|k| b.discouraged_target_kinds.contains(&k))
                {
                    warnings.push(format!("target `{id}` is {}: non-cystic lesions are preferred as targets (R11-CYST)", lesion.kind.map(LesionKind::as_str).unwrap_or("")));
                }
                targets.push(TargetLesion {
                    id: spare.string(&lesion.id),
                    nodal: lesion.nodal,
                    measure,
                    measure_rule,
                    missing_rule,
                    baseline: value,
                    node_normal_below,
                    node_rule,
                });
            }
            Err((rule, message, IneligibleTarget::Refuse, _)) => {
                return Err(refuse(Some(id), &rule, message));
            }
            Err((rule, message, IneligibleTarget::NonTarget, also)) => {
                let cited = std::iter::once(rule.as_str())
                    .chain(also.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ");
                warnings.push(format!(
                    "target `{id}` is followed as a non-target under {}: {message} ({cited})",
                    doc.id
                ));
                explanations.push((rule, format!("`{id}` followed as a non-target: {message}")));
                for a in also {
                    explanations.push((a, format!("`{id}` followed as a non-target, not refused")));
                }
                // A demoted node counts as normal while below its pathological threshold.
                let node_normal_below = node_normal_below(rules, lesion);
                non_targets.push(NonTargetLesion {
                    id: spare.string(&lesion.id),
                    kind: lesion.kind,
                    from_target: Some(measure),
                    nodal: lesion.nodal,
                    missing_rule,
                    read_by_enhancement: None,
                    node_normal_below,
                });
                demoted.push(lesion.id.as_str());
            }
        }
    }

    let limits_rule = b.rules.as_ref().and_then(|r| r.target_limits.as_deref());
    if targets.len() > b.max_targets as usize {
        let extra: Vec<&str> = targets[b.max_targets as usize..]
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        return Err(refuse(
            extra.first().copied(),
            limits_rule.unwrap_or("R11-TGT-MAX"),
            format!(
                "{} targets, at most {} allowed (beyond the limit: {})",
                targets.len(),
                b.max_targets,
                extra.join(", ")
            ),
        ));
    }
    // Each target's organ; sorted by organ name (stable: targets keep their order within an
    // organ), the organs are checked in name order. No organ can hold more targets than there
    // are: with no more than the per-organ limit, there is nothing to check.
    let mut per_organ: Vec<(Cow<'_, str>, &str)> = Vec::new();
    if targets.len() > b.max_targets_per_organ as usize {
        per_organ.extend(targets.iter().filter_map(|t| {
            subject.lesion(&t.id).map(|lesion| {
                (
                    organ_of(rules, lesion, &b.organs, b.nodes_one_organ),
                    t.id.as_str(),
                )
            })
        }));
    }
    per_organ.sort_by(|x, y| x.0.cmp(&y.0));
    for group in per_organ.chunk_by(|x, y| x.0 == y.0) {
        let organ = &group[0].0;
        if group.len() > b.max_targets_per_organ as usize {
            let ids: Vec<&str> = group.iter().map(|(_, id)| *id).collect();
            let rule = if organ == "lymph node" && b.nodes_one_organ {
                "R11-NODE-ORGAN"
            } else {
                limits_rule.unwrap_or("R11-TGT-MAX")
            };
            return Err(refuse(
                ids.get(b.max_targets_per_organ as usize).copied(),
                rule,
                format!(
                    "{} targets in organ `{organ}` ({}), at most {} per organ",
                    ids.len(),
                    ids.join(", "),
                    b.max_targets_per_organ
                ),
            ));
        }
    }
    if targets.is_empty() && non_targets.is_empty() {
        return Ok(None);
    }
    let only_rule = b
        .rules
        .as_ref()
        .and_then(|r| r.non_target_only.as_deref())
        .unwrap_or("R11-MEASDIS");
    if targets.is_empty() && (scope == Scope::All || !demoted.is_empty()) {
        let why = if demoted.is_empty() {
            "no measurable target lesion".to_string()
        } else {
            format!(
                "no target lesion left under {} (followed as non-targets: {})",
                doc.id,
                demoted.join(", ")
            )
        };
        // Only the whole subject is refused; a field scope without targets uses the table.
        if b.non_target_only == recist_rules::NonTargetOnly::Refused && scope == Scope::All {
            return Err(refuse(
                None,
                only_rule,
                format!("{why}, and {} refuses non-target-only disease", doc.id),
            ));
        }
        if !demoted.is_empty() {
            warnings.push(format!(
                "{why}: assessed with the non-target-only table ({only_rule})"
            ));
        }
        explanations.push((
            only_rule.into(),
            format!("{why}: non-target-only response table"),
        ));
    }
    let baseline_sum = targets.iter().map(|t| t.baseline).sum();
    Ok(Some(Prepared {
        targets,
        non_targets,
        baseline_sum,
        warnings,
        explanations,
    }))
}

fn add(a: Option<Mm>, b: Option<Mm>) -> Option<Mm> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, None) => a,
        (None, b) => b,
    }
}

fn describe(c: &LesionCondition) -> String {
    let mut parts = Vec::new();
    if let Some(h) = c.hcc_typical {
        parts.push(if h { "hcc_typical" } else { "not hcc_typical" }.to_string());
    }
    if let Some(n) = c.nodal {
        parts.push(if n { "nodal" } else { "non-nodal" }.to_string());
    }
    if let Some(s) = &c.site_in {
        parts.push(format!("site in [{}]", s.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The organ a lesion counts toward for the per-organ target limit (R11-TGT-MAX,
/// R11-NODE-ORGAN): every node is `lymph node` when nodes are one organ; a site naming one of
/// the rule set's organs (or an alias of one), read as [`read_as_organ`] does, counts toward
/// it; any other site is its own organ.
pub(crate) fn organ_of<'a>(
    rules: &RuleSet,
    lesion: &'a Lesion,
    organs: &'a [String],
    nodes_one_organ: bool,
) -> Cow<'a, str> {
    if lesion.nodal && nodes_one_organ {
        return Cow::Borrowed("lymph node");
    }
    let found = read_as_organ(rules, &lesion.site, |site| organ_named(rules, site, organs));
    lowercase(found.map_or_else(|| lesion.site.trim(), String::as_str))
}

/// The first of `organs` a site (or phrase of one) names, through the organ index.
fn organ_named<'a>(rules: &RuleSet, site: &Site<'_>, organs: &'a [String]) -> Option<&'a String> {
    match organ_candidates(rules, site, organs) {
        Some(mut candidates) => {
            while candidates != 0 {
                let i = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                if let Some(o) = organs.get(i).filter(|o| site_names(rules, site, o)) {
                    return Some(o);
                }
            }
            None
        }
        None => organs.iter().find(|o| site_names(rules, site, o)),
    }
}

/// The organs (bit `i` for `baseline.organs[i]`) that a site can name: those whose name or an
/// alias begins with one of the site's words ([`recist_rules::OrganIndex`]), as no other can
/// (a name's first word must be a word of the site). `None` when the site is not split into
/// ASCII words, a word is too long to lowercase on the stack, or there are more than 64
/// organs (or `organs` are not the rule set's): every organ is then a candidate.
fn organ_candidates(rules: &RuleSet, site: &Site<'_>, organs: &[String]) -> Option<u64> {
    const LONGEST: usize = 32;
    if organs.len() > 64 || !std::ptr::eq(organs, rules.doc().baseline.organs.as_slice()) {
        return None;
    }
    let (words, n) = site.words.as_ref()?;
    let index = rules.organ_index();
    let mut bits = 0u64;
    for &i in index.always() {
        bits |= 1 << i;
    }
    let mut lower = [0u8; LONGEST];
    for word in words.get(..*n).unwrap_or_default() {
        let buf = lower.get_mut(..word.len())?;
        buf.copy_from_slice(word);
        buf.make_ascii_lowercase();
        let word = std::str::from_utf8(buf).ok()?;
        for &i in index.beginning_with(word) {
            bits |= 1 << i;
        }
    }
    Some(bits)
}

/// `text.to_lowercase()`, borrowed when that is `text` itself (every character its own
/// lowercase).
fn lowercase(text: &str) -> Cow<'_, str> {
    // ASCII text (site and organ names, as a rule) lowercases byte by byte.
    if text.is_ascii() {
        return if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        };
    }
    if text.chars().flat_map(char::to_lowercase).eq(text.chars()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::{Site, lowercase, site_matches};
    use recist_rules::RuleSet;

    /// Whether a site names one of the names, as words (no rule set, so no alias).
    fn plain_matches(site: &str, names: &[String]) -> bool {
        let site = Site::new(site);
        names.iter().any(|n| site.names(n))
    }

    /// The ASCII path lowercases as `str::to_lowercase` does, borrowing when nothing changes.
    #[test]
    fn lowercase_is_to_lowercase() {
        for text in [
            "",
            "liver",
            "LIVER",
            "Adrenal Gland",
            "lymph node",
            "segment 7-b",
            "\u{7f}A~",
            "Édouard",
            "ÉDOUARD",
            "straße",
            "İ",
            "ǅ",
            "x\u{0}Y",
        ] {
            let got = lowercase(text);
            assert_eq!(got, text.to_lowercase(), "{text:?}");
            assert_eq!(
                matches!(got, std::borrow::Cow::Borrowed(_)),
                text.to_lowercase() == text,
                "{text:?}"
            );
        }
        for b in 0..=127u8 {
            let text = format!("a{}Z", b as char);
            assert_eq!(lowercase(&text), text.to_lowercase());
        }
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sites_match_whole_words_ignoring_case() {
        assert!(plain_matches("liver segment 7", &names(&["liver"])));
        assert!(plain_matches(
            "Node at the PORTA HEPATIS",
            &names(&["porta hepatis"])
        ));
        assert!(plain_matches(
            "hepatic-hilum",
            &names(&["lung", "hepatic hilum"])
        ));
        assert!(!plain_matches("deliver", &names(&["liver"])));
        assert!(!plain_matches("porta", &names(&["porta hepatis"])));
        assert!(!plain_matches("liver", &names(&[""])));
        assert!(plain_matches("FOIE ÉPAULE", &names(&["épaule"])));
    }

    /// The organ a site counts toward (R11-TGT-MAX) is the same whether it is looked for
    /// among the organs the index leaves as candidates or among them all: every organ name and
    /// alias of every bundled rule set (and of one with non-ASCII aliases), in many spellings.
    #[test]
    fn r11_tgt_max_organ_index_finds_what_a_full_scan_finds() {
        use recist_model::{Lesion, Role};
        let custom = RuleSet::from_text(
            &include_str!("../../../rules/recist-1.1.yaml")
                // The Kelvin sign lowercases to an ASCII `k`: an ASCII site can name it.
                .replace(
                    "  pleura: [pleural]",
                    "  pleura: [pleural, plèvre, \u{212A}pleura]",
                ),
            "custom.yaml",
        )
        .expect("custom rule set");
        let mut sets: Vec<RuleSet> = ["recist-1.1", "mrecist", "irecist"]
            .iter()
            .map(|id| RuleSet::bundled(id).expect("bundled"))
            .collect();
        sets.push(custom);
        let mut checked = 0;
        for rules in &sets {
            let organs = &rules.doc().baseline.organs;
            let mut names: Vec<String> = organs.clone();
            for o in organs {
                names.extend(rules.site_aliases(o).iter().cloned());
            }
            names.extend(["lymph node", "deliver", "kpleura", "", "--"].map(String::from));
            for name in &names {
                let variants = [
                    name.clone(),
                    name.to_uppercase(),
                    format!("right {name}"),
                    format!("extra-{name}"),
                    format!("{name} segment 7"),
                    format!("{name}, lung"),
                    format!("bone and {name}"),
                    format!("épaule {name}"),
                    format!("supercalifragilisticexpialidociousness {name}"),
                    format!("a b c d e f g h {name}"),
                    name.replace(' ', "-"),
                    name.replace(' ', "  "),
                ];
                for site in &variants {
                    let lesion = Lesion::new("T1", site.as_str(), Role::Target);
                    let full = super::read_as_organ(rules, site, |s| {
                        organs.iter().find(|o| super::site_names(rules, s, o))
                    })
                    .map_or_else(|| super::lowercase(site.trim()), |o| super::lowercase(o));
                    assert_eq!(
                        super::organ_of(rules, &lesion, organs, false),
                        full,
                        "{site:?} under {}",
                        rules.doc().id
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked} sites checked");
    }

    /// R11-TGT-MAX, MR-TGT-ELIG: the organ a site is read as under the bundled rule sets'
    /// `site_reading` (a head naming a structure is no organ; a part word before a link
    /// reads what follows it), and `site_in: [liver]` agrees with it.
    #[test]
    fn r11_tgt_max_mr_tgt_elig_sites_are_read_from_their_head() {
        use recist_model::{Lesion, Role};
        for id in ["recist-1.1", "mrecist", "irecist"] {
            let rules = RuleSet::bundled(id).expect("bundled");
            let organs = &rules.doc().baseline.organs;
            for (site, organ) in [
                ("liver", "liver"),
                ("Liver segment 7", "liver"),
                ("right hepatic lobe", "liver"),
                ("right lobe of the liver", "liver"),
                ("segment 7 of the liver", "liver"),
                ("metastasis in the caudate lobe", "liver"),
                ("liver metastasis of HCC", "liver"),
                ("liver lesion at the IVC", "liver"),
                ("liver lesion abutting the IVC", "liver"),
                ("hepatic mass adjacent to the portal vein", "liver"),
                ("mass involving the right hepatic lobe", "liver"),
                (
                    "tumour thrombus invading the portal vein",
                    "tumour thrombus invading the portal vein",
                ),
                ("dome of the liver", "liver"),
                ("hepatic segment of the IVC", "hepatic segment of the ivc"),
                ("hepatic segment IVC", "hepatic segment ivc"),
                ("portal vein", "portal vein"),
                ("portal vein tumour thrombus", "portal vein tumour thrombus"),
                ("right portal vein branch", "right portal vein branch"),
                (
                    "lymph node of the liver hilum",
                    "lymph node of the liver hilum",
                ),
                ("liver hilum lymph node", "liver hilum lymph node"),
                ("hepatic hilum lymph node", "hepatic hilum lymph node"),
                ("mass in the lower lobe of the right lung", "lung"),
                ("soft tissue of the thigh", "soft tissue"),
                ("lesion in segment 7", "lesion in segment 7"),
                ("in liver", "liver"),
            ] {
                let lesion = Lesion::new("T1", site, Role::Target);
                assert_eq!(
                    super::organ_of(&rules, &lesion, organs, false),
                    organ,
                    "{site:?} under {id}"
                );
                assert_eq!(
                    site_matches(&rules, site, &names(&["liver"])),
                    organ == "liver",
                    "{site:?} under {id}"
                );
            }
            // A node site threshold is where a node lies, found anywhere in its site.
            for site in ["lymph node of the liver hilum", "hepatic hilum lymph node"] {
                assert!(site_matches(
                    &rules,
                    site,
                    &names(&["liver hilum", "hepatic hilum"])
                ));
            }
        }
    }

    /// The ASCII comparison answers as the general one.
    #[test]
    fn ascii_sites_match_as_any_text() {
        let sites = [
            "",
            " ",
            "liver",
            "LIVER segment 7",
            "right liver lobe",
            "deliver",
            "liver-lung",
            "lung, liver",
            "soft  tissue of the thigh",
            "soft-tissue",
            "porta hepatis node",
            "porta",
            "hepatic hilum",
            "lymph node, mediastinal",
            "a1 b2",
            "--",
            "a b c d e f g h liver",
            "1 2 3 4 5 6 7 soft tissue",
            "1 2 3 4 5 6 soft tissue",
            "lymph node, épaule",
        ];
        let lists = [
            vec![""],
            vec!["liver"],
            vec!["Liver"],
            vec!["soft tissue"],
            vec!["porta hepatis", "hepatic hilum"],
            vec!["lung", "bone"],
            vec!["node"],
            vec!["a1 b2"],
            vec!["b2"],
            vec!["LUNG", "Lung2", "soft", "tissue", "7", "a", "lobe"],
            vec!["- -"],
            vec!["mediastinal lymph"],
            vec!["épaule"],
            vec!["ÉPAULE", "lymph node"],
        ];
        for site in sites {
            for list in &lists {
                let by_words = list.iter().any(|n| super::phrase_in(site, n));
                assert_eq!(
                    plain_matches(site, &names(list)),
                    by_words,
                    "{site:?} {list:?}"
                );
            }
        }
    }

    /// SITE-ALIAS (rules-reference R11-TGT-MAX, MR-MEAS): the bundled rule sets read
    /// adjective forms of an organ as that organ, and nothing wider.
    #[test]
    fn site_aliases_of_the_bundled_rule_sets_name_the_organ_and_nothing_wider() {
        let rules = RuleSet::bundled("recist-1.1").expect("bundled");
        let liver = names(&["liver"]);
        for site in [
            "hepatic segment 8",
            "Right hepatic lobe",
            "caudate lobe",
            "intrahepatic metastasis",
            "LIVER segment 4",
        ] {
            assert!(site_matches(&rules, site, &liver), "{site:?}");
        }
        for site in [
            "hepatic flexure",
            "hepatic flexure of the colon",
            "perihepatic",
            "hepatic vein",
            "porta hepatis",
            "hepatic hilum",
            "intrahepatic IVC",
            "extra-hepatic lesion",
        ] {
            assert!(!site_matches(&rules, site, &liver), "{site:?}");
        }
        for site in [
            "Couinaud segment 8",
            "quadrate lobe",
            "intra-hepatic recurrence",
        ] {
            assert!(site_matches(&rules, site, &liver), "{site:?}");
        }
        // Adjectives that also name vessels or bowel segments count only with a lesion word.
        for (site, organ) in [
            ("splenic flexure", "spleen"),
            ("renal fossa", "kidney"),
            ("pulmonary artery", "lung"),
        ] {
            assert!(!site_matches(&rules, site, &names(&[organ])), "{site:?}");
        }
        for (site, organ) in [
            ("splenic mass", "spleen"),
            ("left renal mass", "kidney"),
            ("pulmonary metastases", "lung"),
        ] {
            assert!(site_matches(&rules, site, &names(&[organ])), "{site:?}");
        }
        assert!(site_matches(
            &rules,
            "right pulmonary nodule",
            &names(&["lung"])
        ));
        assert!(!site_matches(&rules, "adrenal", &names(&["kidney"])));
    }

    /// SITE-ALIAS: an alias does not start inside a hyphenated word, on every path (ASCII of at
    /// most eight words, longer, not ASCII; `‐` U+2010 is a hyphen too).
    #[test]
    fn an_alias_does_not_start_inside_a_hyphenated_word() {
        let rules = RuleSet::bundled("recist-1.1").expect("bundled");
        let liver = names(&["liver"]);
        let long = "a b c d e f g h ";
        for prefix in ["", "métastase ", long] {
            for site in [
                "extra-hepatic lesion",
                "peri-hepatic mass",
                "extra\u{2010}hepatic lesion",
                "non-intrahepatic lesion",
            ] {
                let site = format!("{prefix}{site}");
                assert!(!site_matches(&rules, &site, &liver), "{site:?}");
            }
            for site in [
                "hepatic lesion",
                "- hepatic lesion",
                "right, hepatic-lobe",
                "intra hepatic lesion",
                "x -intrahepatic lesion",
            ] {
                let site = format!("{prefix}{site}");
                assert!(site_matches(&rules, &site, &liver), "{site:?}");
            }
        }
        // A name (not an alias) is matched as before.
        assert!(site_matches(&rules, "right-liver lobe", &liver));
    }
}
