//! Best overall response, unconfirmed and confirmed (R11-BOR-*, R11-CONF-*, R11-SD-MIN), from
//! computed timepoints or from responses recorded elsewhere.

use std::borrow::Cow;

use chrono::NaiveDate;
use recist_model::{Explanation, OverallResponse, TimepointResult};
use recist_rules::{BorStopAt, ConfirmationRules, RuleSet};

use crate::text::Text;

/// Best overall responses with the dates they rest on and the reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct BestResponses {
    /// Best timepoint response, no confirmation asked.
    pub unconfirmed: OverallResponse,
    /// Best response with CR/PR confirmed per the rule set.
    pub confirmed: OverallResponse,
    /// Date of the first CR or PR (unconfirmed), if any.
    pub first_response_date: Option<NaiveDate>,
    /// Date of the first CR or PR that was confirmed, if any.
    pub confirmed_response_date: Option<NaiveDate>,
    /// Date of the assessment that confirmed it.
    pub confirmation_date: Option<NaiveDate>,
    /// How each was derived, with rule IDs.
    pub explanations: Vec<Explanation>,
}

/// The order of best responses (higher is better). iRECIST categories sit beside their
/// RECIST 1.1 counterparts; iUPD ranks above iCPD and NE (IR-BOR).
fn rank(r: OverallResponse) -> u8 {
    match r {
        OverallResponse::Cr | OverallResponse::ICr => 7,
        OverallResponse::Pr | OverallResponse::IPr => 6,
        OverallResponse::Sd | OverallResponse::ISd => 5,
        OverallResponse::NonCrNonPd | OverallResponse::NonICrNonIUpd => 4,
        OverallResponse::IUpd => 3,
        OverallResponse::Pd | OverallResponse::ICpd => 2,
        OverallResponse::Ne => 1,
    }
}

/// The words of one vocabulary: RECIST 1.1's, or iRECIST's.
#[derive(Clone, Copy)]
struct Words {
    cr: OverallResponse,
    pr: OverallResponse,
    sd: OverallResponse,
    non_cr_non_pd: OverallResponse,
}

impl Words {
    const fn of(irecist: bool) -> Words {
        if irecist {
            Words {
                cr: OverallResponse::ICr,
                pr: OverallResponse::IPr,
                sd: OverallResponse::ISd,
                non_cr_non_pd: OverallResponse::NonICrNonIUpd,
            }
        } else {
            Words {
                cr: OverallResponse::Cr,
                pr: OverallResponse::Pr,
                sd: OverallResponse::Sd,
                non_cr_non_pd: OverallResponse::NonCrNonPd,
            }
        }
    }
}

/// IR-BOR: every iUPD of a block that a later iCPD confirms (no reset between) counts as
/// iCPD; an iUPD never confirmed stays iUPD.
fn confirmed_blocks(visits: &[(NaiveDate, OverallResponse)]) -> Vec<(NaiveDate, OverallResponse)> {
    let mut out = visits.to_vec();
    let mut confirmed = false;
    for v in out.iter_mut().rev() {
        match v.1 {
            OverallResponse::ICpd => confirmed = true,
            OverallResponse::IUpd if confirmed => v.1 = OverallResponse::ICpd,
            OverallResponse::IUpd | OverallResponse::Ne => {}
            _ => confirmed = false,
        }
    }
    out
}

/// Derives best responses from timepoint results (the baseline first).
///
/// The follow-up responses are read in date order, as [`derive_best`] reads them.
///
/// A timepoint on or before day 0 (treatment start; `day` ≤ 0) is no follow-up
/// (R11-BOR-DEF): it is left out, and said, as [`derive_best_recorded`] leaves out recorded
/// responses on or before the reference date. With `best_response.stop_at: new-therapy`, a
/// timepoint after `new_therapy` (the start of a new anticancer therapy) is left out too, and
/// said.
pub fn best_responses(
    rules: &RuleSet,
    timepoints: &[TimepointResult],
    reference: NaiveDate,
    new_therapy: Option<NaiveDate>,
) -> BestResponses {
    let stop = stop_date(rules, new_therapy);
    let after_stop = |t: &TimepointResult| stop.is_some_and(|s| t.date > s);
    let visits = follow_up_visits(rules, timepoints, new_therapy);
    // The baseline: the timepoint marked so (the first one, as the tracker gives them).
    let baseline = timepoints
        .iter()
        .find(|t| t.baseline)
        .or_else(|| timepoints.first());
    let non_target_only = baseline.is_some_and(|b| b.sum_mm.is_none());
    let mut best = derive_best(rules, &visits, reference, non_target_only);
    let left_out: Vec<Explanation> = timepoints
        .iter()
        .filter(|t| t.day <= 0)
        .filter_map(|t| {
            t.follow_up.as_ref().map(|f| Explanation {
                rule: "R11-BOR-DEF".into(),
                detail: Text::with_capacity(80)
                    .s(f.overall.as_str())
                    .s(" on ")
                    .date(t.date)
                    .s(" is day ")
                    .int(t.day)
                    .s(", on or before treatment start: no follow-up, left out")
                    .done(),
            })
        })
        .collect();
    if !left_out.is_empty() {
        best.explanations.splice(0..0, left_out);
    }
    if let Some(stop) = stop {
        let after: Vec<String> = timepoints
            .iter()
            .filter(|t| t.day > 0 && after_stop(t) && t.follow_up.is_some())
            .map(|t| t.date.to_string())
            .collect();
        if !after.is_empty() {
            best.explanations.push(Explanation {
                rule: "R11-BOR-DEF".into(),
                detail: format!(
                    "new anticancer therapy from {stop}: the assessment{} of {} left out (best_response.stop_at: new-therapy)",
                    if after.len() == 1 { "" } else { "s" },
                    after.join(", ")
                ),
            });
        }
    }
    // The SD minimum's days count from its own reference (AMB-12); when that is not day 0 of
    // the timeline, the days its reasons cite are not the timeline's: say from where.
    let day0 = baseline.map(|b| b.date - chrono::Duration::days(b.day));
    if day0.is_some_and(|d| d != reference)
        && best
            .explanations
            .iter()
            .any(|e| e.rule == "R11-SD-MIN" || e.rule == "R11-BOR-T3")
    {
        best.explanations.push(Explanation {
            rule: "R11-SD-MIN".into(),
            detail: Text::with_capacity(112)
                .s("the SD minimum counts days from ")
                .date(reference)
                .s(" (best_response.reference), not from day 0 of the timeline")
                .done(),
        });
    }
    best
}

/// The start of a new anticancer therapy when `best_response.stop_at: new-therapy` ends the
/// best response there.
pub(crate) fn stop_date(rules: &RuleSet, new_therapy: Option<NaiveDate>) -> Option<NaiveDate> {
    new_therapy.filter(|_| rules.doc().best_response.stop_at == BorStopAt::NewTherapy)
}

/// The overall responses of timepoints that best response counts: follow-up only (day > 0,
/// R11-BOR-DEF), none after a new anticancer therapy that `best_response.stop_at` stops at.
pub(crate) fn follow_up_visits(
    rules: &RuleSet,
    timepoints: &[TimepointResult],
    new_therapy: Option<NaiveDate>,
) -> Vec<(NaiveDate, OverallResponse)> {
    let stop = stop_date(rules, new_therapy);
    timepoints
        .iter()
        .filter(|t| t.day > 0 && stop.is_none_or(|s| t.date <= s))
        .filter_map(|t| t.follow_up.as_ref().map(|f| (t.date, f.overall)))
        .collect()
}

/// `visits` in date order: borrowed when they already are, else a sorted copy. Two responses
/// on one date (which `recist bor` refuses on reading) are put worst first (NE, PD,
/// NON-CR/NON-PD, SD, PR, CR), so the order the caller gives never changes the answer.
fn in_date_order(
    visits: &[(NaiveDate, OverallResponse)],
) -> Cow<'_, [(NaiveDate, OverallResponse)]> {
    let key = |&(date, r): &(NaiveDate, OverallResponse)| (date, rank(r));
    if visits.is_sorted_by_key(key) {
        Cow::Borrowed(visits)
    } else {
        let mut sorted = visits.to_vec();
        sorted.sort_by_key(key);
        Cow::Owned(sorted)
    }
}

/// The visits best response looks at: up to and including the first PD (R11-BOR-DEF), or the
/// first iCPD (an iUPD does not end it, IR-BOR).
fn window(visits: &[(NaiveDate, OverallResponse)]) -> &[(NaiveDate, OverallResponse)] {
    match visits
        .iter()
        .position(|&(_, r)| matches!(r, OverallResponse::Pd | OverallResponse::ICpd))
    {
        Some(pd) => &visits[..=pd],
        None => visits,
    }
}

/// A CR or PR confirmed by a later assessment (R11-CONF-INT, AMB-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Confirmed {
    /// The response at its own assessment: CR or PR.
    pub(crate) recorded: OverallResponse,
    /// What it is confirmed as: a CR by a later CR is CR; a CR or PR by a later CR or PR, PR.
    pub(crate) response: OverallResponse,
    /// Date of the response.
    pub(crate) date: NaiveDate,
    /// Date of the assessment that confirms it.
    pub(crate) by: NaiveDate,
    /// Days from the response to its confirmation.
    pub(crate) days: i64,
}

/// The first assessment after `window[i]` whose response is in `accept`, at least
/// `min_interval_days` later, with at most `max_ne_between` NE between and, unless
/// `accept_sd_between` (then one SD, when a PR is being confirmed), no other response between.
fn confirmed_by(
    conf: &ConfirmationRules,
    window: &[(NaiveDate, OverallResponse)],
    i: usize,
    accept: &[OverallResponse],
) -> Option<(NaiveDate, i64)> {
    let date_i = window.get(i)?.0;
    let mut ne = 0u32;
    let mut sd = 0u32;
    for &(date_j, r) in window.get(i + 1..)? {
        let days = (date_j - date_i).num_days();
        if accept.contains(&r) && days >= i64::from(conf.min_interval_days) {
            return Some((date_j, days));
        }
        match r {
            OverallResponse::Ne => ne += 1,
            OverallResponse::Sd | OverallResponse::ISd
                if conf.accept_sd_between
                    && accept
                        .iter()
                        .any(|a| matches!(a, OverallResponse::Pr | OverallResponse::IPr)) =>
            {
                sd += 1
            }
            r if accept.contains(&r) => {}
            _ => return None,
        }
        if ne > conf.max_ne_between || sd > 1 {
            return None;
        }
    }
    None
}

/// The confirmation of the response at `window[i]`, if it is a CR or PR that a later visit of
/// `window` confirms: a CR by a later CR (as CR), else a CR or PR by a later CR or PR (as PR).
fn confirmation(
    conf: &ConfirmationRules,
    window: &[(NaiveDate, OverallResponse)],
    i: usize,
) -> Option<Confirmed> {
    let &(date, recorded) = window.get(i)?;
    // iCR and iPR are confirmed as CR and PR are (IR-BOR), by responses in their own words.
    let Words { cr, pr, .. } = Words::of(recorded.is_irecist());
    let (response, (by, days)) = if recorded == cr {
        match confirmed_by(conf, window, i, &[cr]) {
            Some(c) => (cr, c),
            None => (pr, confirmed_by(conf, window, i, &[cr, pr])?),
        }
    } else if recorded == pr {
        (pr, confirmed_by(conf, window, i, &[cr, pr])?)
    } else {
        return None;
    };
    Some(Confirmed {
        recorded,
        response,
        date,
        by,
        days,
    })
}

/// The first CR or PR of `visits` (follow-up overall responses in date order) confirmed by a
/// later one of them, within the best-response window (up to the first PD), by the rule
/// set's `confirmation` rules: what [`derive_best`] reports as the confirmed response.
pub(crate) fn first_confirmed(
    rules: &RuleSet,
    visits: &[(NaiveDate, OverallResponse)],
) -> Option<Confirmed> {
    let visits = in_date_order(visits);
    let window = window(&visits);
    (0..window.len()).find_map(|i| confirmation(&rules.doc().confirmation, window, i))
}

/// Derives best responses from overall responses per follow-up assessment (no baseline).
/// `non_target_only`: the subject has no target lesion, so the stable category is
/// NON-CR/NON-PD.
///
/// The visits are read in date order whatever order they are given in (a sorted copy when
/// they are not sorted); two responses on one date are read worst first (NE, PD,
/// NON-CR/NON-PD, SD, PR, CR), so that no order of the same visits gives another answer.
///
/// The window runs from the first assessment after baseline up to and including the first PD
/// (R11-BOR-DEF). SD and NON-CR/NON-PD count only from `best_response.sd_min_days` after the
/// reference date (R11-SD-MIN). A CR is confirmed by a later CR, a PR by a later CR or PR, at
/// least `confirmation.min_interval_days` later (R11-CONF-INT), with at most
/// `confirmation.max_ne_between` NE between and, unless `confirmation.accept_sd_between`, no
/// SD (with it, one SD). An unconfirmed CR or PR counts as the stable category when the SD
/// minimum is met (R11-BOR-T3). An SD given for non-target-only disease, or a NON-CR/NON-PD
/// for disease with targets, counts as the subject's stable category in both best responses,
/// with a reason (R11-OR-T2, R11-OR-T1).
pub fn derive_best(
    rules: &RuleSet,
    visits: &[(NaiveDate, OverallResponse)],
    reference: NaiveDate,
    non_target_only: bool,
) -> BestResponses {
    let doc = rules.doc();
    let sd_min = i64::from(doc.best_response.sd_min_days);
    let conf = &doc.confirmation;
    let mut ex: Vec<Explanation> = Vec::new();
    let mut note = |rule: &str, detail: String| {
        ex.push(Explanation {
            rule: rule.into(),
            detail,
        })
    };
    let visits = in_date_order(visits);
    let visits: &[(NaiveDate, OverallResponse)] = &visits;
    // iRECIST's words when the responses are iRECIST's (adjudicated under a rule set with an
    // `irecist` section); responses recorded in RECIST 1.1's words keep RECIST 1.1's reading.
    let irecist = visits.iter().any(|(_, r)| r.is_irecist());
    let w = Words::of(irecist);
    // The window: up to and including the first PD (iRECIST: the first iCPD; an iUPD does
    // not end it, IR-BOR).
    let window = window(visits);
    if window.len() < visits.len()
        && let Some(&(pd, _)) = window.last()
    {
        note(
            "R11-BOR-DEF",
            Text::with_capacity(72)
                .s(if irecist {
                    "window ends at the first iCPD ("
                } else {
                    "window ends at the first PD ("
                })
                .date(pd)
                .s("); later assessments are ignored")
                .done(),
        );
    }
    let blocks;
    let window = if irecist {
        blocks = confirmed_blocks(window);
        let upgraded: Vec<String> = window
            .iter()
            .zip(&blocks)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, _)| a.0.to_string())
            .collect();
        if !upgraded.is_empty() {
            note(
                "IR-BOR",
                format!(
                    "iUPD of {} confirmed by a later iCPD: counts as iCPD",
                    upgraded.join(", ")
                ),
            );
        }
        blocks.as_slice()
    } else {
        window
    };
    let day = |date: NaiveDate| (date - reference).num_days();
    let stable = if non_target_only {
        w.non_cr_non_pd
    } else {
        w.sd
    };
    if window.is_empty() {
        note("R11-BOR-DEF", "no assessment after baseline: NE".into());
    }

    // Unconfirmed.
    let mut unconfirmed = OverallResponse::Ne;
    let mut first_response_date = None;
    for &(date, r) in window {
        let day = day(date);
        let r = match r {
            OverallResponse::Sd
            | OverallResponse::NonCrNonPd
            | OverallResponse::ISd
            | OverallResponse::NonICrNonIUpd
                if day < sd_min =>
            {
                note(
                    "R11-SD-MIN",
                    Text::with_capacity(64)
                        .s(r.as_str())
                        .s(" on ")
                        .date(date)
                        .s(" is day ")
                        .int(day)
                        .s(", before day ")
                        .int(sd_min)
                        .s(": counts as NE")
                        .done(),
                );
                OverallResponse::Ne
            }
            // The stable category is one for a subject (R11-OR-T2 has no SD, R11-OR-T1 no
            // NON-CR/NON-PD): a recorded SD for non-target-only disease (SDTM RS TRGRESP `NA`)
            // counts as NON-CR/NON-PD, and NON-CR/NON-PD with targets as SD, in the
            // unconfirmed best response as in the confirmed one (section 7.1).
            r if (r == w.sd || r == w.non_cr_non_pd) && r != stable => {
                note(
                    if non_target_only {
                        "R11-OR-T2"
                    } else {
                        "R11-OR-T1"
                    },
                    Text::with_capacity(96)
                        .s(r.as_str())
                        .s(" on ")
                        .date(date)
                        .s(if non_target_only {
                            " recorded for non-target-only disease (no target response): counts as "
                        } else {
                            " recorded for disease with targets: counts as "
                        })
                        .s(stable.as_str())
                        .done(),
                );
                stable
            }
            r => r,
        };
        if (r == w.cr || r == w.pr) && first_response_date.is_none() {
            first_response_date = Some(date);
        }
        if rank(r) > rank(unconfirmed) {
            unconfirmed = r;
        }
    }

    // Confirmed. The stable category is the subject's for confirmation too: a recorded SD for
    // non-target-only disease is NON-CR/NON-PD between a response and its confirmation (not
    // the SD that `confirmation.accept_sd_between` lets through), and a NON-CR/NON-PD with
    // targets is SD (a copy only when some response needs it).
    let off_category = |r: OverallResponse| (r == w.sd || r == w.non_cr_non_pd) && r != stable;
    let confirming: std::borrow::Cow<'_, [(NaiveDate, OverallResponse)]> =
        if window.iter().any(|&(_, r)| off_category(r)) {
            window
                .iter()
                .map(|&(d, r)| (d, if off_category(r) { stable } else { r }))
                .collect::<Vec<_>>()
                .into()
        } else {
            window.into()
        };
    let mut confirmed = OverallResponse::Ne;
    let mut confirmed_response_date = None;
    let mut confirmation_date = None;
    for (i, &(date, r)) in window.iter().enumerate() {
        let day = day(date);
        let candidate = confirmation(conf, &confirming, i).map(|c| (c.response, (c.by, c.days)));
        let value = match (candidate, r) {
            (Some((v, (by, days))), _) => {
                note(
                    "R11-CONF-INT",
                    Text::with_capacity(72)
                        .s(r.as_str())
                        .s(" on ")
                        .date(date)
                        .s(" confirmed as ")
                        .s(v.as_str())
                        .s(" by ")
                        .date(by)
                        .s(", ")
                        .int(days)
                        .s(" days later (≥ ")
                        .int(i64::from(conf.min_interval_days))
                        .s(")")
                        .done(),
                );
                if confirmed_response_date.is_none() {
                    confirmed_response_date = Some(date);
                    confirmation_date = Some(by);
                }
                v
            }
            (None, r) if r == w.cr || r == w.pr => {
                let as_stable = if day >= sd_min {
                    stable
                } else {
                    OverallResponse::Ne
                };
                note(
                    "R11-BOR-T3",
                    Text::with_capacity(88)
                        .s(r.as_str())
                        .s(" on ")
                        .date(date)
                        .s(" not confirmed: counts as ")
                        .s(as_stable.as_str())
                        .s(" (day ")
                        .int(day)
                        .s(", SD minimum day ")
                        .int(sd_min)
                        .s(")")
                        .done(),
                );
                as_stable
            }
            (None, r) if r == w.sd || r == w.non_cr_non_pd => {
                if day >= sd_min {
                    stable
                } else {
                    OverallResponse::Ne
                }
            }
            (None, other) => other,
        };
        if rank(value) > rank(confirmed) {
            confirmed = value;
        }
    }
    if confirmed == w.cr || confirmed == w.pr {
        // A confirmed response is the answer; unconfirmed ones after it explain nothing.
        ex.retain(|e| e.rule != "R11-BOR-T3");
    }
    BestResponses {
        unconfirmed,
        confirmed,
        first_response_date,
        confirmed_response_date,
        confirmation_date,
        explanations: ex,
    }
}

/// Best responses from overall responses recorded elsewhere (a case report form, SDTM RS),
/// with the rule set's reading of disease after a CR applied.
///
/// The rows are read in date order whatever order they are given in, as [`derive_best`]
/// reads them; two responses on one date are read worst first, with a warning.
///
/// With `timepoint.disease_after_cr: progression`, a PR, SD or NON-CR/NON-PD recorded after a
/// CR is recoded to PD (R11-REAPPEAR, AMB-01, AMB-08) with a warning; with `arithmetic` it is
/// taken as recorded. A subject with a NON-CR/NON-PD anywhere is taken as non-target only.
pub fn derive_best_recorded(
    rules: &RuleSet,
    visits: &[(NaiveDate, OverallResponse)],
    reference: NaiveDate,
) -> (BestResponses, Vec<String>) {
    let non_target_only = visits
        .iter()
        .any(|&(_, r)| r == OverallResponse::NonCrNonPd);
    derive_best_recorded_as(rules, visits, reference, non_target_only)
}

/// [`derive_best_recorded`] for disease known to be non-target only, or not (SDTM RS says so
/// with TRGRESP `NA` even where no NON-CR/NON-PD was recorded).
pub fn derive_best_recorded_as(
    rules: &RuleSet,
    visits: &[(NaiveDate, OverallResponse)],
    reference: NaiveDate,
    non_target_only: bool,
) -> (BestResponses, Vec<String>) {
    derive_best_recorded_with(rules, visits, reference, non_target_only, &[])
}

/// [`derive_best_recorded_as`], knowing the dates whose recorded components were target CR
/// and non-target NE (SDTM RS TRGRESP and NTRGRESP): a PR there after a CR is RECIST 1.1
/// Table 1's "CR, not evaluated, no new lesion" row, with no disease seen again, so it is kept
/// as PR rather than recoded to PD (AMB-01), as `assess` gives it.
pub fn derive_best_recorded_with(
    rules: &RuleSet,
    visits: &[(NaiveDate, OverallResponse)],
    reference: NaiveDate,
    non_target_only: bool,
    target_cr_non_target_ne: &[NaiveDate],
) -> (BestResponses, Vec<String>) {
    let mut warnings = Vec::new();
    let mut kept: Vec<(NaiveDate, OverallResponse)> = Vec::new();
    let mut seen_cr = false;
    let recode =
        rules.doc().timepoint.disease_after_cr == recist_rules::DiseaseAfterCr::Progression;
    // Recoding after a CR and the window follow the dates, not the order given.
    let visits = in_date_order(visits);
    let visits: &[(NaiveDate, OverallResponse)] = &visits;
    for pair in visits.windows(2) {
        if let [(a, ra), (b, rb)] = pair
            && a == b
        {
            warnings.push(format!(
                "{a}: {ra} and {rb} recorded on the same date: read worst first ({ra}, then {rb})"
            ));
        }
    }
    // Day 0 and before are no follow-up (R11-BOR-DEF: from the first assessment after
    // baseline): such a response is left out, and said.
    for &(date, r) in visits.iter().filter(|&&(date, _)| date <= reference) {
        warnings.push(format!(
            "{date}: {r} recorded on or before the reference date {reference} is no follow-up response: left out (R11-BOR-DEF)"
        ));
    }
    let recoded: Vec<(NaiveDate, OverallResponse)> = visits
        .iter()
        .filter(|&&(date, _)| date > reference)
        .map(|&(date, r)| {
            let r = match r {
                OverallResponse::Pr | OverallResponse::IPr if seen_cr && recode && target_cr_non_target_ne.contains(&date) => {
                    kept.push((date, r));
                    r
                }
                OverallResponse::Pr | OverallResponse::Sd | OverallResponse::NonCrNonPd if seen_cr && recode => {
                    warnings.push(format!(
                        "{date}: {r} recorded after a CR recoded to PD (timepoint.disease_after_cr = progression, AMB-01)"
                    ));
                    OverallResponse::Pd
                }
                // iRECIST: the same disease after an iCR is RECIST 1.1 progression, which
                // iRECIST calls iUPD until confirmed (IR-UPD), as the engine assesses it.
                OverallResponse::IPr | OverallResponse::ISd | OverallResponse::NonICrNonIUpd if seen_cr && recode => {
                    warnings.push(format!(
                        "{date}: {r} recorded after an iCR recoded to iUPD (timepoint.disease_after_cr = progression, AMB-01; unconfirmed, IR-UPD)"
                    ));
                    OverallResponse::IUpd
                }
                r => r,
            };
            seen_cr |= matches!(r, OverallResponse::Cr | OverallResponse::ICr);
            (date, r)
        })
        .collect();
    let mut best = derive_best(rules, &recoded, reference, non_target_only);
    for (date, r) in kept {
        best.explanations.push(Explanation {
            rule: "R11-OR-T1".into(),
            detail: Text::with_capacity(112)
                .s(r.as_str())
                .s(" on ")
                .date(date)
                .s(" after a CR is recorded as target CR, non-target NE: no disease seen again, kept as ")
                .s(r.as_str())
                .done(),
        });
    }
    (best, warnings)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use OverallResponse::*;
    use rstest::rstest;

    fn rules(sets: &[(&str, &str)]) -> RuleSet {
        let base = RuleSet::bundled("recist-1.1").unwrap();
        let sets: Vec<(String, String)> = sets
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        base.with_overrides(None, &sets).unwrap()
    }

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    fn best(
        sets: &[(&str, &str)],
        visits: &[(i64, OverallResponse)],
    ) -> (OverallResponse, OverallResponse) {
        let visits: Vec<_> = visits.iter().map(|&(d, r)| (day(d), r)).collect();
        let b = derive_best(&rules(sets), &visits, day(0), false);
        (b.unconfirmed, b.confirmed)
    }

    /// Every row of RECIST 1.1 Table 3 (first timepoint X, subsequent Y), SD minimum met and not.
    #[rstest]
    #[case::cr_cr(&[(56, Cr), (112, Cr)], (Cr, Cr))]
    #[case::cr_pd_sd_min_met(&[(56, Cr), (112, Pd)], (Cr, Sd))]
    #[case::cr_pd_sd_min_not_met(&[(35, Cr), (70, Pd)], (Cr, Pd))]
    #[case::cr_sd_sd_min_met(&[(56, Cr), (112, Sd)], (Cr, Sd))]
    #[case::cr_ne_sd_min_met(&[(56, Cr), (112, Ne)], (Cr, Sd))]
    #[case::cr_ne_sd_min_not_met(&[(35, Cr), (70, Ne)], (Cr, Ne))]
    #[case::cr_pr_confirms_pr(&[(56, Cr), (112, Pr)], (Cr, Pr))]
    #[case::pr_cr(&[(56, Pr), (112, Cr)], (Cr, Pr))]
    #[case::pr_pr(&[(56, Pr), (112, Pr)], (Pr, Pr))]
    #[case::pr_sd(&[(56, Pr), (112, Sd)], (Pr, Sd))]
    #[case::pr_pd_sd_min_met(&[(56, Pr), (112, Pd)], (Pr, Sd))]
    #[case::pr_pd_sd_min_not_met(&[(35, Pr), (70, Pd)], (Pr, Pd))]
    #[case::pr_ne_sd_min_met(&[(56, Pr), (112, Ne)], (Pr, Sd))]
    #[case::pr_ne_sd_min_not_met(&[(35, Pr), (70, Ne)], (Pr, Ne))]
    #[case::ne_ne(&[(56, Ne), (112, Ne)], (Ne, Ne))]
    fn r11_bor_t3_rows(
        #[case] visits: &[(i64, OverallResponse)],
        #[case] want: (OverallResponse, OverallResponse),
    ) {
        assert_eq!(best(&[], visits), want);
    }

    /// 27 days is too soon: the PR is unconfirmed and counts as SD; 28 days confirms it.
    #[rstest]
    #[case::day_27(27, Sd)]
    #[case::day_28(28, Pr)]
    fn r11_conf_int_window(#[case] gap: i64, #[case] want: OverallResponse) {
        assert_eq!(best(&[], &[(56, Pr), (56 + gap, Pr)]).1, want);
    }

    #[rstest]
    #[case(41, Ne)]
    #[case(42, Sd)]
    fn r11_sd_min_boundary(#[case] sd_day: i64, #[case] want: OverallResponse) {
        assert_eq!(best(&[], &[(sd_day, Sd)]), (want, want));
    }

    #[test]
    fn r11_sd_min_not_met_then_pd_then_ne() {
        assert_eq!(best(&[], &[(30, Sd), (60, Pd), (90, Ne)]), (Pd, Pd));
    }

    #[test]
    fn r11_bor_def_pd_before_any_sd_ends_the_window() {
        assert_eq!(best(&[], &[(30, Pd), (90, Pr), (130, Pr)]), (Pd, Pd));
    }

    /// Responses recorded on or before day 0 are no follow-up: a CR on day −12 and one on day
    /// 16 do not confirm each other; they are left out, with a warning each.
    #[test]
    fn r11_bor_def_recorded_responses_on_or_before_day_0_are_left_out() {
        let visits = [(day(-12), Cr), (day(0), Pr), (day(16), Cr), (day(50), Cr)];
        let (b, warnings) = derive_best_recorded(&rules(&[]), &visits, day(0));
        assert_eq!((b.unconfirmed, b.confirmed), (Cr, Cr));
        assert_eq!(b.confirmed_response_date, Some(day(16)));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("no follow-up response"),
            "{warnings:?}"
        );
        let (b, _) = derive_best_recorded(&rules(&[]), &visits[..3], day(0));
        // Alone, the CR of day 16 is unconfirmed, and before the SD minimum: NE confirmed.
        assert_eq!((b.unconfirmed, b.confirmed), (Cr, Ne));
    }

    #[test]
    fn r11_bor_def_no_follow_up_is_ne() {
        assert_eq!(best(&[], &[]), (Ne, Ne));
    }

    #[rstest]
    #[case::one_ne_allowed(&[], Pr)]
    #[case::no_ne_allowed(&[("confirmation.max_ne_between", "0")], Sd)]
    fn amb_11_ne_between(#[case] sets: &[(&str, &str)], #[case] want: OverallResponse) {
        assert_eq!(best(sets, &[(56, Pr), (84, Ne), (112, Pr)]).1, want);
    }

    #[rstest]
    #[case::sd_breaks_confirmation(&[], Sd)]
    #[case::sd_accepted(&[("confirmation.accept_sd_between", "true")], Pr)]
    fn amb_11_sd_between(#[case] sets: &[(&str, &str)], #[case] want: OverallResponse) {
        assert_eq!(best(sets, &[(56, Pr), (84, Sd), (112, Pr)]).1, want);
    }

    /// SD on day 40 then PD: too early under the default 42 days (best response PD), enough
    /// under a protocol's 35 days (best response SD).
    #[rstest]
    #[case::default_42(&[], Pd)]
    #[case::protocol_35(&[("best_response.sd_min_days", "35")], Sd)]
    fn amb_12_sd_min_days(#[case] sets: &[(&str, &str)], #[case] want: OverallResponse) {
        assert_eq!(best(sets, &[(40, Sd), (80, Pd)]), (want, want));
    }

    /// R11-OR-T2 with AMB-11: an SD recorded for non-target-only disease is NON-CR/NON-PD
    /// between a CR and its confirmation too, so `accept_sd_between` does not let it through
    /// (the same answer as with NON-CR/NON-PD recorded); with targets, a NON-CR/NON-PD
    /// recorded between is SD, and is let through.
    #[test]
    fn r11_or_t2_a_recorded_sd_between_for_non_target_only_disease_is_non_cr_non_pd() {
        let r = rules(&[
            ("timepoint.disease_after_cr", "arithmetic"),
            ("confirmation.accept_sd_between", "true"),
        ]);
        let at = |visits: &[(i64, OverallResponse)], non_target_only: bool| {
            let visits: Vec<_> = visits.iter().map(|&(d, r)| (day(d), r)).collect();
            let b = derive_best(&r, &visits, day(0), non_target_only);
            (b.unconfirmed, b.confirmed, b.confirmation_date)
        };
        let nt_sd = at(&[(28, Cr), (35, Sd), (76, Cr), (105, NonCrNonPd)], true);
        let nt_ncnp = at(
            &[(28, Cr), (35, NonCrNonPd), (76, Cr), (105, NonCrNonPd)],
            true,
        );
        assert_eq!(nt_sd, (Cr, NonCrNonPd, None));
        assert_eq!(nt_sd, nt_ncnp);
        let t_ncnp = at(&[(28, Cr), (35, NonCrNonPd), (76, Cr)], false);
        let t_sd = at(&[(28, Cr), (35, Sd), (76, Cr)], false);
        assert_eq!(t_sd, (Cr, Pr, Some(day(76))));
        assert_eq!(t_ncnp, t_sd);
    }

    #[test]
    fn non_target_only_stable_category_is_non_cr_non_pd() {
        let visits = [(day(56), Cr), (day(112), Pd)];
        let b = derive_best(&rules(&[]), &visits, day(0), true);
        assert_eq!((b.unconfirmed, b.confirmed), (Cr, NonCrNonPd));
    }

    /// The reasons' texts are those `format!` writes (R11-BOR-DEF, R11-SD-MIN, R11-CONF-INT,
    /// R11-BOR-T3).
    #[test]
    fn reasons_read_as_formatted() {
        let rules = rules(&[]);
        let d = |n| recist_model::IsoDate(day(n));
        let b = derive_best(
            &rules,
            &[
                (day(30), Sd),
                (day(56), Pr),
                (day(90), Pr),
                (day(120), Pd),
                (day(150), Cr),
            ],
            day(0),
            false,
        );
        let texts: Vec<(&str, &str)> = b
            .explanations
            .iter()
            .map(|e| (e.rule.as_str(), e.detail.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (
                    "R11-BOR-DEF",
                    format!(
                        "window ends at the first PD ({}); later assessments are ignored",
                        d(120)
                    )
                    .as_str()
                ),
                (
                    "R11-SD-MIN",
                    format!("SD on {} is day 30, before day 42: counts as NE", d(30)).as_str()
                ),
                (
                    "R11-CONF-INT",
                    format!(
                        "PR on {} confirmed as PR by {}, 34 days later (≥ 28)",
                        d(56),
                        d(90)
                    )
                    .as_str()
                ),
            ]
        );
        let b = derive_best(&rules, &[(day(-5), Cr)], day(0), true);
        assert_eq!(
            b.explanations[0].detail,
            format!(
                "CR on {} not confirmed: counts as NE (day -5, SD minimum day 42)",
                d(-5)
            )
        );
    }

    /// Every order of `items` (Heap's algorithm).
    fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
        fn go<T: Clone>(k: usize, a: &mut Vec<T>, out: &mut Vec<Vec<T>>) {
            if k <= 1 {
                out.push(a.clone());
                return;
            }
            for i in 0..k {
                go(k - 1, a, out);
                if k.is_multiple_of(2) {
                    a.swap(i, k - 1);
                } else {
                    a.swap(0, k - 1);
                }
            }
        }
        let mut out = Vec::new();
        go(items.len(), &mut items.to_vec(), &mut out);
        out
    }

    /// The visits are read in date order whatever order they are given in: shuffled, a PD
    /// listed before an earlier PR no longer ends the window before it, and a CR listed last
    /// is not taken for the best response (R11-BOR-DEF, R11-CONF-INT).
    #[test]
    fn r11_bor_def_visits_in_any_order_give_the_same_best_response() {
        let rules = rules(&[]);
        let visits = [
            (day(30), Sd),
            (day(56), Pr),
            (day(90), Pr),
            (day(120), Pd),
            (day(150), Cr),
        ];
        let want = derive_best(&rules, &visits, day(0), false);
        assert_eq!((want.unconfirmed, want.confirmed), (Pr, Pr));
        let orders = permutations(&visits);
        assert_eq!(orders.len(), 120);
        for order in orders {
            assert_eq!(
                derive_best(&rules, &order, day(0), false),
                want,
                "{order:?}"
            );
        }
    }

    /// Recorded responses too: the recoding of disease after a CR (AMB-01), the responses left
    /// out on or before the reference date and the warnings do not depend on the rows' order.
    #[test]
    fn amb_01_r11_bor_def_recorded_responses_in_any_order() {
        let rules = rules(&[]);
        let visits = [(day(-3), Pr), (day(56), Cr), (day(84), Cr), (day(112), Pr)];
        let want = derive_best_recorded(&rules, &visits, day(0));
        assert_eq!((want.0.unconfirmed, want.0.confirmed), (Cr, Cr));
        assert_eq!(want.1.len(), 2, "{:?}", want.1);
        assert!(want.1[1].contains("recoded to PD"), "{:?}", want.1);
        for order in permutations(&visits) {
            assert_eq!(
                derive_best_recorded(&rules, &order, day(0)),
                want,
                "{order:?}"
            );
            assert_eq!(
                derive_best_recorded_with(&rules, &order, day(0), false, &[day(112)]),
                derive_best_recorded_with(&rules, &visits, day(0), false, &[day(112)]),
                "{order:?}"
            );
        }
    }

    /// AMB-01 under iRECIST: an iPR, iSD or NON-iCR/NON-iUPD recorded after an iCR is the
    /// disease seen again, RECIST 1.1 progression, which iRECIST calls iUPD until confirmed
    /// (IR-UPD), as `assess` gives it; a later iCPD then confirms the block (IR-BOR). An iPR
    /// recorded as target CR, non-target NE is kept, as a PR is.
    #[test]
    fn amb_01_ir_upd_disease_recorded_after_an_icr_is_iupd() {
        let rules = RuleSet::bundled("irecist").unwrap();
        let visits = [(day(56), ICr), (day(112), IPr), (day(150), ICpd)];
        let (b, warnings) = derive_best_recorded(&rules, &visits, day(0));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("iPR recorded after an iCR recoded to iUPD"));
        // Unconfirmed: the iCR. Confirmed: the iCR has no confirmation (the iUPD after it);
        // day 56 is past the SD minimum, so it counts as iSD.
        assert_eq!((b.unconfirmed, b.confirmed), (ICr, ISd));
        let (kept, warnings) =
            derive_best_recorded_with(&rules, &visits[..2], day(0), false, &[day(112)]);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!((kept.unconfirmed, kept.confirmed), (ICr, IPr));
        assert!(
            kept.explanations
                .iter()
                .any(|e| e.detail.contains("kept as iPR")),
            "{:?}",
            kept.explanations
        );
        // Under `arithmetic`, taken as recorded.
        let arithmetic = rules
            .with_overrides(
                None,
                &[(
                    "timepoint.disease_after_cr".to_string(),
                    "arithmetic".to_string(),
                )],
            )
            .unwrap();
        let (b, warnings) = derive_best_recorded(&arithmetic, &visits[..2], day(0));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!((b.unconfirmed, b.confirmed), (ICr, IPr));
    }

    /// Two responses on one date (which `recist bor` refuses on reading) are read worst first,
    /// whatever their order, and recorded ones are warned of.
    #[test]
    fn r11_bor_def_responses_on_one_date_are_read_the_same_in_either_order() {
        let rules = rules(&[]);
        let a = [(day(56), Pr), (day(56), Pd), (day(100), Pr)];
        let b = [(day(56), Pd), (day(56), Pr), (day(100), Pr)];
        let (x, y) = (
            derive_best(&rules, &a, day(0), false),
            derive_best(&rules, &b, day(0), false),
        );
        assert_eq!(x, y);
        assert_eq!((x.unconfirmed, x.confirmed), (Pd, Pd));
        let (x, wx) = derive_best_recorded(&rules, &a, day(0));
        let (y, wy) = derive_best_recorded(&rules, &b, day(0));
        assert_eq!((x, &wx), (y, &wy));
        assert!(
            wx.iter()
                .any(|w| w.contains(&day(56).to_string()) && w.contains("same date")),
            "{wx:?}"
        );
    }

    #[test]
    fn dates_are_reported() {
        let visits = [(day(56), Sd), (day(84), Pr), (day(126), Pr)];
        let b = derive_best(&rules(&[]), &visits, day(0), false);
        assert_eq!(b.first_response_date, Some(day(84)));
        assert_eq!(b.confirmed_response_date, Some(day(84)));
        assert_eq!(b.confirmation_date, Some(day(126)));
    }
}
