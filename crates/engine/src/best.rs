//! Best overall response, unconfirmed and confirmed (R11-BOR-*, R11-CONF-*, R11-SD-MIN).

use chrono::NaiveDate;
use recist_model::{OverallResponse, TimepointResult};
use recist_rules::RuleSet;

/// Best overall responses with the dates they rest on.
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
}

fn rank(r: OverallResponse) -> u8 {
    match r {
        OverallResponse::Cr => 6,
        OverallResponse::Pr => 5,
        OverallResponse::Sd => 4,
        OverallResponse::NonCrNonPd => 3,
        OverallResponse::Pd => 2,
        OverallResponse::Ne => 1,
    }
}

/// Derives best responses from timepoint results (the baseline first).
///
/// The window runs from the first assessment after baseline up to and including the first PD.
pub fn best_responses(
    rules: &RuleSet,
    timepoints: &[TimepointResult],
    reference: NaiveDate,
) -> BestResponses {
    let doc = rules.doc();
    let sd_min = i64::from(doc.best_response.sd_min_days);
    let conf = &doc.confirmation;
    let mut window: Vec<(NaiveDate, i64, OverallResponse)> = Vec::new();
    for tp in timepoints.iter().filter(|t| !t.baseline) {
        let Some(f) = &tp.follow_up else { continue };
        window.push((tp.date, (tp.date - reference).num_days(), f.overall));
        if f.overall == OverallResponse::Pd {
            break;
        }
    }
    let non_target_only = timepoints.first().is_some_and(|b| b.sum_mm.is_none());
    let stable = if non_target_only {
        OverallResponse::NonCrNonPd
    } else {
        OverallResponse::Sd
    };

    // Unconfirmed: SD and NON-CR/NON-PD count only from the SD minimum on.
    let mut unconfirmed = OverallResponse::Ne;
    let mut first_response_date = None;
    for &(date, day, r) in &window {
        let r = match r {
            OverallResponse::Sd | OverallResponse::NonCrNonPd if day < sd_min => {
                OverallResponse::Ne
            }
            r => r,
        };
        if matches!(r, OverallResponse::Cr | OverallResponse::Pr) && first_response_date.is_none() {
            first_response_date = Some(date);
        }
        if rank(r) > rank(unconfirmed) {
            unconfirmed = r;
        }
    }

    // Confirmed.
    let confirm = |i: usize, accept: &[OverallResponse]| -> Option<NaiveDate> {
        let (_, day_i, _) = window[i];
        let mut ne = 0u32;
        let mut sd = 0u32;
        for &(date_j, day_j, r) in &window[i + 1..] {
            if accept.contains(&r) && day_j - day_i >= i64::from(conf.min_interval_days) {
                return Some(date_j);
            }
            match r {
                OverallResponse::Ne => ne += 1,
                OverallResponse::Sd
                    if conf.accept_sd_between && accept.contains(&OverallResponse::Pr) =>
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
    };
    let mut confirmed = OverallResponse::Ne;
    let mut confirmed_response_date = None;
    let mut confirmation_date = None;
    for (i, &(date, day, r)) in window.iter().enumerate() {
        let candidate = match r {
            OverallResponse::Cr => match confirm(i, &[OverallResponse::Cr]) {
                Some(c) => Some((OverallResponse::Cr, c)),
                None => confirm(i, &[OverallResponse::Cr, OverallResponse::Pr])
                    .map(|c| (OverallResponse::Pr, c)),
            },
            OverallResponse::Pr => confirm(i, &[OverallResponse::Cr, OverallResponse::Pr])
                .map(|c| (OverallResponse::Pr, c)),
            _ => None,
        };
        let value = match (candidate, r) {
            (Some((v, c)), _) => {
                if confirmed_response_date.is_none() || rank(v) > rank(confirmed) {
                    if confirmed_response_date.is_none() {
                        confirmed_response_date = Some(date);
                        confirmation_date = Some(c);
                    }
                }
                v
            }
            (
                None,
                OverallResponse::Cr
                | OverallResponse::Pr
                | OverallResponse::Sd
                | OverallResponse::NonCrNonPd,
            ) => {
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
    BestResponses {
        unconfirmed,
        confirmed,
        first_response_date,
        confirmed_response_date,
        confirmation_date,
    }
}
