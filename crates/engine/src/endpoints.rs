//! Time-to-event endpoints of a scope: progression-free survival, overall survival and
//! duration of response; days count from day 0 (treatment start, else the baseline date).

use chrono::NaiveDate;
use recist_model::{Endpoint, Endpoints, FollowUp, OverallResponse, Progression, TimepointResult};

use crate::BestResponses;

fn endpoint(
    event: bool,
    date: NaiveDate,
    reference: NaiveDate,
    start: Option<NaiveDate>,
) -> Endpoint {
    Endpoint {
        event,
        date,
        days: (date - reference).num_days(),
        duration_days: start.map(|s| (date - s).num_days()),
    }
}

/// The last assessment whose overall response is not NE, up to the first PD assessment when
/// there is one; the baseline date when there is none.
pub(crate) fn last_evaluable(
    timepoints: &[TimepointResult],
    first_pd: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let baseline = timepoints.first()?;
    Some(
        timepoints
            .iter()
            .filter(|t| {
                t.follow_up
                    .as_ref()
                    .is_some_and(|f| f.overall != OverallResponse::Ne)
            })
            .filter(|t| first_pd.is_none_or(|p| t.date <= p))
            .map(|t| t.date)
            .next_back()
            .unwrap_or(baseline.date),
    )
}

/// [`last_evaluable`] on or before `until` (and before the first PD assessment).
fn last_evaluable_until(
    timepoints: &[TimepointResult],
    progression: Option<&Progression>,
    until: NaiveDate,
) -> NaiveDate {
    let first_pd = progression.map(|p| p.first_pd_assessment);
    let bound = first_pd.map_or(until, |p| p.min(until));
    last_evaluable(timepoints, Some(bound)).unwrap_or(until)
}

/// Derives the endpoints from a scope's timepoints (the baseline first); `reference` is day 0.
///
/// Censoring is at the last evaluable assessment (overall response not NE) up to progression,
/// or at day 0 when none is later (no evaluable follow-up: a time never negative). Death
/// counts for PFS whichever comes first; duration of response ends at progression only.
/// Overall survival is censored at the last date the subject is known alive: `last_known_alive`
/// or any later assessment.
///
/// `censor_at`: the start of a new anticancer therapy when the rule set censors there
/// (`endpoints.new_therapy: censor`): a PFS or duration-of-response date after it becomes a
/// censoring at the last evaluable assessment on or before it.
pub fn endpoints(
    timepoints: &[TimepointResult],
    progression: Option<&Progression>,
    follow_up: Option<&FollowUp>,
    reference: NaiveDate,
    best: &BestResponses,
    confirmation_required: bool,
    censor_at: Option<NaiveDate>,
) -> Option<Endpoints> {
    let last_evaluable =
        last_evaluable(timepoints, progression.map(|p| p.first_pd_assessment))?.max(reference);
    let last_scan = timepoints.last().map_or(reference, |t| t.date);
    let death = follow_up.and_then(|f| f.death);
    // Past a new therapy the protocol censors at: the last evaluable assessment up to it.
    let cut = censor_at.map(|c| {
        (
            c,
            last_evaluable_until(timepoints, progression, c).max(reference),
        )
    });
    let cut_off = |e: Endpoint, start: Option<NaiveDate>| match cut {
        Some((c, censor)) if e.date > c => {
            let date = start.map_or(censor, |s| censor.max(s));
            endpoint(false, date, reference, start)
        }
        _ => e,
    };
    let pfs = match (progression.map(|p| p.date), death) {
        (Some(p), Some(d)) => endpoint(true, p.min(d), reference, None),
        (Some(p), None) => endpoint(true, p, reference, None),
        (None, Some(d)) => endpoint(true, d, reference, None),
        (None, None) => endpoint(false, last_evaluable, reference, None),
    };
    let pfs = cut_off(pfs, None);
    let overall_survival = follow_up.and_then(|f| match (f.death, f.last_known_alive) {
        (Some(d), _) => Some(endpoint(true, d, reference, None)),
        (None, Some(alive)) => Some(endpoint(
            false,
            alive.max(last_scan).max(reference),
            reference,
            None,
        )),
        (None, None) => None,
    });
    let start = if confirmation_required {
        best.confirmed_response_date
    } else {
        best.first_response_date
    };
    let duration_of_response = start.map(|s| {
        let e = match progression {
            Some(p) => endpoint(true, p.date.max(s), reference, Some(s)),
            None => endpoint(false, last_evaluable.max(s), reference, Some(s)),
        };
        cut_off(e, Some(s))
    });
    Some(Endpoints {
        progression_free_survival: pfs,
        overall_survival,
        duration_of_response,
        in_field_relapse_free_survival: None,
        out_of_field_relapse_free_survival: None,
    })
}
