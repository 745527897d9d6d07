//! Checks a fixture case against the `expected:` block it states.
//!
//! ```yaml
//! expected:
//!   recist-1.1:
//!     timepoints:
//!       2019-05-02: {target: PR, non_target: NON-CR/NON-PD, new_lesions: "NO", overall: PR, reasons: [R11-TGT-PR]}
//!     progression_date: 2019-07-01
//!     best_overall_response: PR            # optional
//!     confirmed_best_overall_response: SD  # optional
//!     progression_site: out-of-field       # optional (`all` scope of a subject with radiotherapy)
//!     in_field_rfs: {event: true, date: 2019-07-01}       # optional, `all` scope
//!     out_of_field_rfs: {event: false, date: 2019-09-01}  # optional, `all` scope
//!     abscopal_any: true                   # optional (`out-of-field` scope; null: no abscopal result)
//!     absent: true                         # optional: this scope has no result
//!     set: {radiotherapy.marginal_lesions: out-of-field}  # optional protocol overrides
//!   # or, for a case the rule set must refuse:
//!   # recist-1.1: {refused: "T6"}
//! ```

use recist::{LoadedCase, RuleSet, SubjectResult};
use serde_json::Value;

/// What one rule set produced for a case: results, or the refusal message.
pub type Outcome = Result<Vec<SubjectResult>, String>;

/// Adjudicates a case under a rule set id (bundled) and returns the outcome.
pub fn outcome(case: &LoadedCase, rules: &RuleSet) -> Outcome {
    recist::assess_subject(rules, &case.subject).map_err(|e| e.to_string())
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "YES".into() } else { "NO".into() }),
        other => Some(other.to_string()),
    }
}

/// Compares an outcome with the expectation of one rule set; returns every mismatch.
pub fn check(expected: &Value, outcome: &Outcome, scope: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(needle) = expected.get("refused") {
        let needle = text(needle).unwrap_or_default();
        match outcome {
            Err(msg) if msg.contains(&needle) => {}
            Err(msg) => problems.push(format!(
                "refused, but the message does not contain `{needle}`: {msg}"
            )),
            Ok(_) => problems.push(format!(
                "expected a refusal containing `{needle}`, but the case was adjudicated"
            )),
        }
        return problems;
    }
    let results = match outcome {
        Ok(r) => r,
        Err(msg) => {
            problems.push(format!("refused unexpectedly: {msg}"));
            return problems;
        }
    };
    let found = results.iter().find(|r| r.scope.as_str() == scope);
    if expected.get("absent").and_then(Value::as_bool) == Some(true) {
        if found.is_some() {
            problems.push(format!("scope {scope} has a result, expected none"));
        }
        return problems;
    }
    let Some(result) = found else {
        problems.push(format!("no result for scope {scope}"));
        return problems;
    };
    if let Some(want) = expected.get("progression_site") {
        let got = result.progression.as_ref().and_then(|p| p.site.clone());
        if text(want) != got {
            problems.push(format!(
                "progression site is {}, expected {}",
                got.as_deref().unwrap_or("null"),
                text(want).as_deref().unwrap_or("null")
            ));
        }
    }
    for (key, got) in [
        (
            "in_field_rfs",
            result
                .endpoints
                .as_ref()
                .and_then(|e| e.in_field_relapse_free_survival.clone()),
        ),
        (
            "out_of_field_rfs",
            result
                .endpoints
                .as_ref()
                .and_then(|e| e.out_of_field_relapse_free_survival.clone()),
        ),
    ] {
        if let Some(want) = expected.get(key) {
            let got = got.map(|e| (Some(e.event), Some(e.date.to_string())));
            let want = Some((
                want.get("event").and_then(Value::as_bool),
                want.get("date").and_then(text),
            ));
            if got != want {
                problems.push(format!("{key} is {got:?}, expected {want:?}"));
            }
        }
    }
    if let Some(want) = expected.get("abscopal_any") {
        let got = result.abscopal.as_ref().map(|a| a.any);
        if want.as_bool() != got {
            problems.push(format!("abscopal_any is {got:?}, expected {want}"));
        }
    }
    if let Some(Value::Object(tps)) = expected.get("timepoints") {
        let follow_ups = result.timepoints.iter().filter(|t| !t.baseline).count();
        if follow_ups != tps.len() {
            problems.push(format!(
                "{} follow-up timepoints, {} expected",
                follow_ups,
                tps.len()
            ));
        }
        for (date, want) in tps {
            let Some(tp) = result
                .timepoints
                .iter()
                .find(|t| t.date.to_string() == *date)
            else {
                problems.push(format!("{date}: no such timepoint"));
                continue;
            };
            let Some(f) = &tp.follow_up else {
                problems.push(format!("{date}: is the baseline"));
                continue;
            };
            let got = [
                ("target", f.target.map(|t| t.to_string())),
                ("non_target", f.non_target.map(|t| t.to_string())),
                ("new_lesions", Some(f.new_lesions.to_string())),
                ("overall", Some(f.overall.to_string())),
            ];
            for (key, got) in got {
                if let Some(w) = want.get(key) {
                    let w = text(w);
                    if w != got {
                        problems.push(format!(
                            "{date}: {key} is {}, expected {}",
                            got.as_deref().unwrap_or("null"),
                            w.as_deref().unwrap_or("null")
                        ));
                    }
                }
            }
            if let Some(Value::Array(reasons)) = want.get("reasons") {
                for r in reasons.iter().filter_map(Value::as_str) {
                    if !f.reasons.iter().any(|x| x == r) {
                        problems.push(format!("{date}: reason {r} missing from {:?}", f.reasons));
                    }
                }
            }
        }
    }
    if let Some(want) = expected.get("progression_date") {
        let got = result.progression.as_ref().map(|p| p.date.to_string());
        if text(want) != got {
            problems.push(format!(
                "progression date is {}, expected {}",
                got.as_deref().unwrap_or("null"),
                text(want).as_deref().unwrap_or("null")
            ));
        }
    }
    for (key, got) in [
        ("best_overall_response", result.best_overall_response),
        (
            "confirmed_best_overall_response",
            result.confirmed_best_overall_response,
        ),
    ] {
        if let Some(want) = expected.get(key) {
            let got = got.map(|g| g.to_string());
            if text(want) != got {
                problems.push(format!(
                    "{key} is {}, expected {}",
                    got.as_deref().unwrap_or("null"),
                    text(want).as_deref().unwrap_or("null")
                ));
            }
        }
    }
    problems
}
