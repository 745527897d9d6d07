//! Rendering results: JSON, JSON Lines and the readable `explain` table.

use std::fmt::Write as _;

use recist_model::{Mm, SubjectResult};

/// Results as a pretty JSON array.
pub fn to_json(results: &[SubjectResult]) -> String {
    let mut s = serde_json::to_string_pretty(results)
        .unwrap_or_else(|e| format!("\"serialisation failed: {e}\""));
    s.push('\n');
    s
}

/// Results as JSON Lines, one result per line.
pub fn to_jsonl(results: &[SubjectResult]) -> String {
    let mut out = String::new();
    for r in results {
        out.push_str(
            &serde_json::to_string(r).unwrap_or_else(|e| format!("\"serialisation failed: {e}\"")),
        );
        out.push('\n');
    }
    out
}

fn opt_mm(m: Option<Mm>) -> String {
    m.map(|m| format!("{m} mm")).unwrap_or_else(|| "-".into())
}

fn opt_pct(p: Option<f64>) -> String {
    p.map(|p| format!("{p:+.2} %"))
        .unwrap_or_else(|| "-".into())
}

/// The readable table of `recist explain`: for one subject, every timepoint with one column
/// per rule set and scope, then the rules that decided each column with their numbers.
///
/// `results` are the results of one subject (any number of rule sets and scopes).
pub fn explain(results: &[SubjectResult]) -> String {
    let mut out = String::new();
    let Some(first) = results.first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "subject {}{}",
        first.subject,
        first
            .evaluator
            .as_ref()
            .map(|e| format!(" (evaluator {e})"))
            .unwrap_or_default()
    );
    let mut seen_sets: Vec<(&str, &str)> = Vec::new();
    for r in results {
        if !seen_sets.contains(&(r.rule_set.id.as_str(), r.rule_set.sha256.as_str())) {
            seen_sets.push((&r.rule_set.id, &r.rule_set.sha256));
            let overrides: Vec<String> = r
                .rule_set
                .overrides
                .iter()
                .map(|o| format!("{}={}", o.key, o.value))
                .collect();
            let _ = writeln!(
                out,
                "rule set {} {} (sha256 {}){}",
                label(r, results),
                r.rule_set.version,
                &r.rule_set.sha256[..r.rule_set.sha256.len().min(12)],
                if overrides.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", overrides.join(", "))
                }
            );
        }
    }
    if let Some(r) = results.iter().find(|r| !r.radiotherapy.is_empty()) {
        for course_dose in &r.radiotherapy {
            let c = &course_dose.course;
            let dose = match (c.total_dose_gy, c.fractions) {
                (Some(d), Some(n)) => format!("{d} Gy in {n} fractions"),
                (Some(d), None) => format!("{d} Gy"),
                _ => "dose not given".into(),
            };
            let figures = match (
                course_dose.dose_per_fraction_gy,
                course_dose.bed_gy,
                course_dose.eqd2_gy,
            ) {
                (Some(d), Some(bed), Some(eqd2)) => format!(
                    ": {d} Gy per fraction, BED {bed} Gy, EQD2 {eqd2} Gy (α/β {} Gy)",
                    course_dose.alpha_beta_gy
                ),
                _ => String::new(),
            };
            let dates = match (c.start, c.end) {
                (Some(a), Some(b)) => format!(", {a} to {b}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "radiotherapy {} ({}{dates}): {dose}{figures}; field holds {}{}",
                c.id,
                c.site,
                if c.lesions.is_empty() {
                    "no baseline lesion".to_string()
                } else {
                    c.lesions.join(", ")
                },
                if c.marginal_lesions.is_empty() {
                    String::new()
                } else {
                    format!("; at its margin {}", c.marginal_lesions.join(", "))
                }
            );
        }
    }
    for r in results {
        for w in &r.warnings {
            let _ = writeln!(out, "warning [{} {}]: {w}", label(r, results), r.scope);
        }
    }
    let headers: Vec<String> = results
        .iter()
        .map(|r| format!("{} {}", label(r, results), r.scope))
        .collect();
    // Wide enough for the longest header and for the summary cells (dates with days and site).
    let longest_cell = results
        .iter()
        .map(|r| progression_text(r).chars().count())
        .max()
        .unwrap_or(0);
    let width = headers
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(longest_cell)
        .max(30)
        + 2;
    let mut dates: Vec<_> = results
        .iter()
        .flat_map(|r| r.timepoints.iter().map(|t| (t.date, t.day)))
        .collect();
    dates.sort();
    dates.dedup();
    for (date, day) in dates {
        out.push('\n');
        let baseline = results.iter().any(|r| {
            r.timepoints
                .first()
                .is_some_and(|t| t.date == date && t.baseline)
        });
        let _ = writeln!(
            out,
            "{date}  day {day}{}",
            if baseline { "  baseline" } else { "" }
        );
        let row = |out: &mut String, label: &str, cell: &dyn Fn(&SubjectResult) -> String| {
            let _ = write!(out, "  {label:<16}");
            for r in results {
                let _ = write!(out, "{:<width$}", cell(r));
            }
            let trimmed = out.trim_end_matches(' ').len();
            out.truncate(trimmed);
            out.push('\n');
        };
        let tp = |r: &SubjectResult| r.timepoints.iter().find(|t| t.date == date).cloned();
        row(&mut out, "", &|r| {
            format!("{} {}", label(r, results), r.scope)
        });
        row(&mut out, "sum", &|r| {
            tp(r).map(|t| opt_mm(t.sum_mm)).unwrap_or_default()
        });
        if baseline {
            continue;
        }
        let fu = |r: &SubjectResult| tp(r).and_then(|t| t.follow_up);
        row(&mut out, "nadir", &|r| {
            fu(r).map(|f| opt_mm(f.nadir_mm)).unwrap_or_default()
        });
        row(&mut out, "vs baseline", &|r| {
            fu(r)
                .map(|f| opt_pct(f.change_from_baseline_pct))
                .unwrap_or_default()
        });
        row(&mut out, "vs nadir", &|r| {
            fu(r)
                .map(
                    |f| match (f.change_from_nadir_pct, f.change_from_nadir_mm) {
                        (p, Some(mm)) => format!("{} / {:+} mm", opt_pct(p), mm.as_f64()),
                        _ => "-".into(),
                    },
                )
                .unwrap_or_default()
        });
        row(&mut out, "target", &|r| {
            fu(r)
                .map(|f| {
                    f.target
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "none".into())
                })
                .unwrap_or_default()
        });
        row(&mut out, "non-target", &|r| {
            fu(r)
                .map(|f| {
                    f.non_target
                        .map(|t| t.to_string())
                        .unwrap_or_else(|| "none".into())
                })
                .unwrap_or_default()
        });
        row(&mut out, "new lesions", &|r| {
            fu(r).map(|f| f.new_lesions.to_string()).unwrap_or_default()
        });
        row(&mut out, "overall", &|r| {
            fu(r).map(|f| f.overall.to_string()).unwrap_or_default()
        });
        for r in results {
            let Some(f) = fu(r) else { continue };
            let _ = writeln!(out, "  why [{} {}]", label(r, results), r.scope);
            for e in &f.explanations {
                let _ = writeln!(out, "    {:<20}{}", e.rule, e.detail);
            }
        }
    }
    out.push('\n');
    let mut summary = |label: &str, cell: &dyn Fn(&SubjectResult) -> String| {
        let _ = write!(out, "{label:<18}");
        for r in results {
            let _ = write!(out, "{:<width$}", cell(r));
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    };
    summary("", &|r| format!("{} {}", label(r, results), r.scope));
    summary("best response", &|r| {
        r.best_overall_response
            .map(|b| b.to_string())
            .unwrap_or_else(|| "-".into())
    });
    summary("confirmed best", &|r| {
        r.confirmed_best_overall_response
            .map(|b| b.to_string())
            .unwrap_or_else(|| "-".into())
    });
    summary("progression", &progression_text);
    summary("first response", &|r| {
        opt_date(r.response_dates.first_response)
    });
    summary("confirmed", &|r| match (
        r.response_dates.confirmed_response,
        r.response_dates.confirmation,
    ) {
        (Some(a), Some(b)) => format!("{a} by {b}"),
        _ => "-".into(),
    });
    let ep = |e: Option<&recist_model::Endpoint>| match e {
        Some(e) => format!(
            "{} {} (day {})",
            if e.event { "event" } else { "censored" },
            e.date,
            e.days
        ),
        None => "-".into(),
    };
    summary("PFS", &|r| {
        ep(r.endpoints.as_ref().map(|e| &e.progression_free_survival))
    });
    summary("OS", &|r| {
        ep(r.endpoints
            .as_ref()
            .and_then(|e| e.overall_survival.as_ref()))
    });
    summary("DoR", &|r| match r
        .endpoints
        .as_ref()
        .and_then(|e| e.duration_of_response.as_ref())
    {
        Some(e) => format!(
            "{} {} days",
            if e.event { "event" } else { "censored" },
            e.duration_days.unwrap_or_default()
        ),
        None => "-".into(),
    });
    if results.iter().any(|r| {
        r.endpoints
            .as_ref()
            .is_some_and(|e| e.in_field_relapse_free_survival.is_some())
    }) {
        summary("in-field RFS", &|r| {
            ep(r.endpoints
                .as_ref()
                .and_then(|e| e.in_field_relapse_free_survival.as_ref()))
        });
        summary("out-of-field RFS", &|r| {
            ep(r.endpoints
                .as_ref()
                .and_then(|e| e.out_of_field_relapse_free_survival.as_ref()))
        });
    }
    for r in results {
        let Some(a) = &r.abscopal else { continue };
        let after = a
            .after
            .map(|d| format!("after {d}"))
            .unwrap_or_else(|| "at any follow-up (no RT end date)".into());
        let _ = writeln!(
            out,
            "abscopal [{} {}]: {} (non-irradiated targets shrinking ≥ {} % from baseline {after})",
            r.rule_set.id,
            r.scope,
            match (a.any, a.evaluable) {
                (true, _) => "yes",
                (false, true) => "no",
                (false, false) => "not evaluable (no non-irradiated target measured in the window)",
            },
            a.shrink_pct
        );
        for l in &a.lesions {
            let smallest = match (l.smallest_mm, l.smallest_date, l.change_pct) {
                (Some(m), Some(d), Some(p)) => format!("smallest {m} mm on {d} ({p:+.2} %)"),
                _ => "no measurement in the window".into(),
            };
            let _ = writeln!(
                out,
                "    {:<20}baseline {} mm, {smallest}{}",
                l.id,
                l.baseline_mm,
                if l.responded {
                    ": responded (RT-ABS-2)"
                } else {
                    ""
                }
            );
        }
    }
    for r in results
        .iter()
        .filter(|r| !r.best_response_reasons.is_empty())
    {
        let _ = writeln!(out, "best response [{} {}]", label(r, results), r.scope);
        for e in &r.best_response_reasons {
            let _ = writeln!(out, "    {:<20}{}", e.rule, e.detail);
        }
    }
    for r in results.iter().filter(|r| !r.rule_set.overrides.is_empty()) {
        for o in &r.rule_set.overrides {
            let _ = writeln!(
                out,
                "override [{} {}]: {} = {} ({})",
                label(r, results),
                r.scope,
                o.key,
                o.value,
                o.origin
            );
        }
    }
    out
}

/// A rule set's name in headers: its id, with its hash when the same id appears with two
/// different hashes (a protocol override beside the plain rule set).
fn label(r: &SubjectResult, results: &[SubjectResult]) -> String {
    let ambiguous = results
        .iter()
        .any(|o| o.rule_set.id == r.rule_set.id && o.rule_set.sha256 != r.rule_set.sha256);
    if ambiguous {
        format!(
            "{}@{}",
            r.rule_set.id,
            &r.rule_set.sha256[..r.rule_set.sha256.len().min(6)]
        )
    } else {
        r.rule_set.id.clone()
    }
}

fn progression_text(r: &SubjectResult) -> String {
    r.progression
        .as_ref()
        .map(|p| match &p.site {
            Some(site) => format!("{} (day {}, {site})", p.date, p.day),
            None => format!("{} (day {})", p.date, p.day),
        })
        .unwrap_or_else(|| "none".into())
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
}
