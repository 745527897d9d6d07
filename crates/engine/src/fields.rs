//! Radiotherapy fields: dose figures of each course, the progression site, the in-field and
//! out-of-field relapse-free survival and the abscopal response (rules reference section 6).

use chrono::NaiveDate;
use recist_model::{CourseDose, Endpoint, Subject};
use recist_rules::RuleSet;

/// Dose per fraction, BED and EQD2 of every course, with α/β from the rule set.
///
/// BED = D (1 + d / (α/β)) and EQD2 = BED / (1 + 2 / (α/β)) (linear-quadratic model, no
/// time factor). 55 Gy in 22 fractions at α/β 10 Gy: BED 68.75 Gy, EQD2 57.29 Gy.
pub fn course_doses(subject: &Subject, rules: &RuleSet) -> Vec<CourseDose> {
    let ab = rules.doc().radiotherapy.alpha_beta_gy;
    subject
        .radiotherapy
        .iter()
        .map(|c| {
            let d = match (c.total_dose_gy, c.fractions) {
                (Some(total), Some(n)) if n > 0 => Some(total / f64::from(n)),
                _ => None,
            };
            let bed = match (c.total_dose_gy, d) {
                (Some(total), Some(d)) => Some(total * (1.0 + d / ab)),
                _ => None,
            };
            CourseDose {
                course: c.clone(),
                dose_per_fraction_gy: d.map(round2),
                alpha_beta_gy: ab,
                bed_gy: bed.map(round2),
                eqd2_gy: bed.map(|b| round2(b / (1.0 + 2.0 / ab))),
            }
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Where the first overall PD came from (section 7.1, AMB-RT3): a scope counts when its own
/// first PD is at or before the `all` scope's first PD.
pub fn progression_site(
    all_first_pd: NaiveDate,
    in_field: Option<NaiveDate>,
    out_of_field: Option<NaiveDate>,
) -> &'static str {
    let counts = |d: Option<NaiveDate>| d.is_some_and(|d| d <= all_first_pd);
    match (counts(in_field), counts(out_of_field)) {
        (true, true) => "both",
        (true, false) => "in-field",
        (false, true) => "out-of-field",
        (false, false) => "combined",
    }
}

/// A relapse-free survival endpoint from a scope's progression date, censored like PFS:
/// `censor` when there is no progression, or when it comes after `censor_at` (the start of a
/// new anticancer therapy when the rule set censors there, `endpoints.new_therapy: censor`).
pub fn relapse_free(
    progression: Option<NaiveDate>,
    censor: Endpoint,
    reference: NaiveDate,
    censor_at: Option<NaiveDate>,
) -> Endpoint {
    match progression.filter(|d| censor_at.is_none_or(|c| *d <= c)) {
        Some(d) => Endpoint {
            event: true,
            date: d,
            days: (d - reference).num_days(),
            duration_days: None,
        },
        None => Endpoint {
            event: false,
            ..censor
        },
    }
}

/// Whether a course starts after follow-up has begun: after a follow-up assessment.
pub(crate) fn is_late(subject: &Subject, course: &recist_model::RadiotherapyCourse) -> bool {
    course
        .start
        .is_some_and(|s| subject.assessments.iter().skip(1).any(|a| a.date < s))
}

/// Whether a course makes a field for the scopes: every course, except one that starts after
/// follow-up has begun when the rule set says so (`radiotherapy.late_courses: no-field`).
pub(crate) fn makes_field(
    rules: &RuleSet,
    subject: &Subject,
    course: &recist_model::RadiotherapyCourse,
) -> bool {
    rules.doc().radiotherapy.late_courses == recist_rules::LateCourses::FieldFromBaseline
        || !is_late(subject, course)
}

/// Warnings for courses that start after follow-up has begun (RT-IN-PTV, RT-OUT). Field
/// membership is the courses' lesion lists from baseline, and a new lesion's `field` where it
/// first appears: a lesion named by a course that starts after a follow-up assessment is
/// in-field at that assessment too, so what it did before the course counts in-field (not
/// out-of-field, nor as an abscopal response). The reading is kept; the results say so.
///
/// Under `radiotherapy.late_courses: no-field` such a course makes no field: the warning says
/// that its lesions and the new lesions placed in its field count out-of-field instead.
pub(crate) fn late_courses(rules: &RuleSet, subject: &Subject) -> Vec<String> {
    let mut warnings = Vec::new();
    for c in &subject.radiotherapy {
        let Some(start) = c.start else { continue };
        // The follow-up assessments before the course, and how a warning lists them.
        let dates: Vec<String> = subject
            .assessments
            .iter()
            .skip(1)
            .filter(|a| a.date < start)
            .map(|a| a.date.to_string())
            .collect();
        let assessments = format!(
            "assessment{} of {}",
            if dates.len() > 1 { "s" } else { "" },
            dates.join(", ")
        );
        if !makes_field(rules, subject, c) {
            // Lesions a course that makes a field holds stay in-field.
            let lesions: Vec<String> = c
                .lesions
                .iter()
                .chain(&c.marginal_lesions)
                .filter(|l| {
                    !subject
                        .radiotherapy
                        .iter()
                        .any(|o| o.lesions.contains(l) && makes_field(rules, subject, o))
                })
                .map(|l| format!("`{l}`"))
                .collect();
            warnings.push(format!(
                "radiotherapy course `{}` starts {start}, after the {assessments}: it makes no field (radiotherapy.late_courses: no-field), so {}new lesions placed in its field count out-of-field, and its lesions are left out of the abscopal response (RT-IN-PTV, RT-OUT)",
                c.id,
                if lesions.is_empty() {
                    String::new()
                } else {
                    format!("its lesions ({}) and ", lesions.join(", "))
                }
            ));
            continue;
        }
        // Lesions an earlier course (or one without a start date) already irradiated are
        // in-field anyway: re-irradiation moves nothing.
        // Lesions at its margin move with it when marginal lesions count in-field (AMB-RT1).
        let marginal_in =
            rules.doc().radiotherapy.marginal_lesions == recist_rules::MarginalLesions::InField;
        let first_here: Vec<String> = c
            .lesions
            .iter()
            .chain(c.marginal_lesions.iter().filter(|_| marginal_in))
            .filter(|l| {
                !subject.radiotherapy.iter().any(|o| {
                    o.id != c.id && o.lesions.contains(l) && o.start.is_none_or(|s| s < start)
                })
            })
            .map(|l| format!("`{l}`"))
            .collect();
        if !dates.is_empty() && !first_here.is_empty() {
            warnings.push(format!(
                "radiotherapy course `{}` starts {start}, after the {assessments}: its lesions ({}) count in-field from baseline, so their course before it counts in-field, not out-of-field nor abscopal (RT-IN-PTV)",
                c.id,
                first_here.join(", ")
            ));
        }
        // A lesion seen again keeps its first placement: one warning, at its first sighting.
        let mut warned: Vec<&str> = Vec::new();
        for a in subject
            .assessments
            .iter()
            .skip(1)
            .filter(|a| a.date < start)
        {
            for nl in &a.new_lesions {
                if let recist_model::FieldPlacement::Inside(rt)
                | recist_model::FieldPlacement::Marginal(rt) = &nl.field
                    && rt == &c.id
                    && !warned.contains(&nl.id.as_str())
                {
                    warned.push(&nl.id);
                    warnings.push(format!(
                        "new lesion `{}` seen {} is placed in the field of `{}`, which starts {start}: it counts in-field (RT-IN-PTV)",
                        nl.id, a.date, c.id
                    ));
                }
            }
        }
    }
    warnings
}

/// The warning for lesions whose field status is unknown (section 6: `field: unknown`; the
/// engine does not guess): they are in neither field scope, so the scopes, the progression
/// site and the relapse-free survivals leave them out. `None` when there is no such lesion.
pub(crate) fn unknown_field(subject: &Subject) -> Option<String> {
    let mut named: Vec<String> = subject
        .lesions
        .iter()
        .filter(|l| l.field_unknown)
        .map(|l| format!("`{}`", l.id))
        .collect();
    let mut new_ids: Vec<&str> = Vec::new();
    for a in subject.assessments.iter().skip(1) {
        for nl in &a.new_lesions {
            if nl.field == recist_model::FieldPlacement::Unknown
                && !new_ids.contains(&nl.id.as_str())
            {
                new_ids.push(&nl.id);
                named.push(format!("new `{}` (seen {})", nl.id, a.date));
            }
        }
    }
    if named.is_empty() {
        return None;
    }
    Some(format!(
        "field status unknown for {}: in neither the in-field nor the out-of-field scope, so they count in the `all` scope only; the progression site and the relapse-free survivals do not attribute them (AMB-RT1, rules reference section 6)",
        named.join(", ")
    ))
}

/// The note for baseline lesions at a field's margin: the scope
/// `radiotherapy.marginal_lesions` gives them (AMB-RT1), and that they are no abscopal
/// lesions. `None` when there is no such lesion.
pub(crate) fn marginal_baseline(rules: &RuleSet, subject: &Subject) -> Option<String> {
    let named: Vec<String> = subject
        .radiotherapy
        .iter()
        .flat_map(|c| {
            c.marginal_lesions
                .iter()
                .map(move |l| format!("`{l}` of `{}`", c.id))
        })
        .collect();
    if named.is_empty() {
        return None;
    }
    let scope = match rules.doc().radiotherapy.marginal_lesions {
        recist_rules::MarginalLesions::InField => "in-field",
        recist_rules::MarginalLesions::OutOfField => "out-of-field",
    };
    Some(format!(
        "baseline lesions at a field's margin ({}) count {scope} (radiotherapy.marginal_lesions: {scope}, AMB-RT1), and are left out of the abscopal response, having received part of the dose (RT-ABS-1)",
        named.join(", ")
    ))
}

/// The abscopal response of a subject's non-irradiated targets (RT-ABS-2): per target, the
/// smallest diameter at an assessment after the last radiotherapy end date, and whether it is
/// at least `radiotherapy.abscopal_shrink_pct` below baseline. `None` when the out-of-field
/// scope has no target. Without any end date every follow-up counts (and the result says so).
/// Like the best response, it leaves out assessments after a new anticancer therapy when
/// `best_response.stop_at` is `new-therapy`.
pub(crate) fn abscopal(rules: &RuleSet, subject: &Subject) -> Option<recist_model::Abscopal> {
    use recist_model::{Abscopal, AbscopalLesion, Finding, Mm, Scope, TargetFinding};

    let prepared = crate::prepare::prepare(rules, subject, Scope::OutOfField).ok()??;
    // A lesion a course irradiates is no abscopal one, even when the course makes no field
    // (`radiotherapy.late_courses: no-field`), nor is one at a field's margin, which received
    // part of the dose, whatever scope `radiotherapy.marginal_lesions` gives it (RT-ABS-1).
    let targets: Vec<&crate::prepare::TargetLesion> = prepared
        .targets
        .iter()
        .filter(|t| {
            !subject
                .radiotherapy
                .iter()
                .any(|c| c.lesions.contains(&t.id) || c.marginal_lesions.contains(&t.id))
        })
        .collect();
    if targets.is_empty() {
        return None;
    }
    let after = subject.radiotherapy.iter().filter_map(|c| c.end).max();
    let shrink = rules.doc().radiotherapy.abscopal_shrink_pct;
    let too_small = rules.doc().measurement.too_small_mm;
    // Shrinkage after a new anticancer therapy is not the radiotherapy's when the best
    // response stops there (`best_response.stop_at: new-therapy`, R11-BOR-DEF).
    let stop = crate::best::stop_date(
        rules,
        subject.follow_up.as_ref().and_then(|f| f.new_therapy),
    );
    let follow_ups = subject
        .assessments
        .iter()
        .skip(1)
        .filter(|a| after.is_none_or(|end| a.date > end))
        .filter(|a| stop.is_none_or(|s| a.date <= s));
    let mut lesions: Vec<AbscopalLesion> = targets
        .iter()
        .map(|t| AbscopalLesion {
            id: t.id.clone(),
            baseline_mm: t.baseline,
            smallest_mm: None,
            smallest_date: None,
            change_pct: None,
            responded: false,
        })
        .collect();
    for a in follow_ups {
        for (t, l) in targets.iter().zip(lesions.iter_mut()) {
            // A carrier that holds the mass of an irradiated lesion (R11-COALESCE across the
            // field edge) says nothing about the non-irradiated lesion alone.
            let carries_irradiated = a.findings.iter().any(|(id, f)| {
                matches!(f, Finding::Target(TargetFinding::MergedInto(into)) if into == &t.id)
                    && !prepared.targets.iter().any(|o| &o.id == id)
                    && !prepared.non_targets.iter().any(|o| &o.id == id)
            });
            if carries_irradiated {
                continue;
            }
            let value = match a.findings.get(&t.id) {
                Some(Finding::Target(TargetFinding::Measured(d))) => {
                    crate::prepare::pick(d, t.measure)
                }
                Some(Finding::Target(TargetFinding::Absent)) => Some(Mm::ZERO),
                Some(Finding::Target(TargetFinding::TooSmall)) => Some(too_small),
                Some(Finding::Target(TargetFinding::Fragments(parts))) => parts
                    .iter()
                    .map(|p| crate::prepare::pick(p, t.measure))
                    .sum::<Option<Mm>>(),
                _ => None,
            };
            if let Some(v) = value
                && l.smallest_mm.is_none_or(|m| v < m)
            {
                l.smallest_mm = Some(v);
                l.smallest_date = Some(a.date);
            }
        }
    }
    for l in &mut lesions {
        if let Some(m) = l.smallest_mm {
            l.change_pct = crate::tracker::pct(m - l.baseline_mm, l.baseline_mm);
            l.responded = i128::from(m.hundredths()) * 10_000
                <= i128::from(l.baseline_mm.hundredths())
                    * i128::from(10_000 - shrink.hundredths());
        }
    }
    let any = lesions.iter().any(|l| l.responded);
    let evaluable = lesions.iter().any(|l| l.smallest_mm.is_some());
    Some(Abscopal {
        after,
        shrink_pct: shrink.hundredths() as f64 / 100.0,
        lesions,
        any,
        evaluable,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use recist_model::RadiotherapyCourse;

    fn subject(total: f64, n: u32) -> Subject {
        Subject {
            subject: "RT".into(),
            evaluator: None,
            treatment_start: None,
            covariates: Default::default(),
            follow_up: None,
            radiotherapy: vec![RadiotherapyCourse {
                id: "RT1".into(),
                site: "liver".into(),
                start: None,
                end: None,
                total_dose_gy: Some(total),
                fractions: Some(n),
                lesions: vec![],
                marginal_lesions: vec![],
            }],
            lesions: vec![],
            assessments: vec![],
        }
    }

    #[test]
    fn rt_bed_eqd2_55_gy_in_22_fractions() {
        let rules = RuleSet::bundled("recist-1.1").unwrap();
        let c = &course_doses(&subject(55.0, 22), &rules)[0];
        assert_eq!(c.dose_per_fraction_gy, Some(2.5));
        assert_eq!(c.bed_gy, Some(68.75));
        assert_eq!(c.eqd2_gy, Some(57.29));
    }

    #[test]
    fn rt_eqd2_of_2_gy_fractions_is_the_physical_dose() {
        let rules = RuleSet::bundled("recist-1.1").unwrap();
        let c = &course_doses(&subject(60.0, 30), &rules)[0];
        assert_eq!(c.eqd2_gy, Some(60.0));
    }

    #[test]
    fn rt_alpha_beta_comes_from_the_rule_set() {
        let rules = RuleSet::bundled("recist-1.1")
            .unwrap()
            .with_overrides(None, &[("radiotherapy.alpha_beta_gy".into(), "3".into())])
            .unwrap();
        let c = &course_doses(&subject(50.0, 5), &rules)[0];
        // d = 10: BED = 50 (1 + 10/3) = 216.67; EQD2 = 216.67 / (1 + 2/3) = 130.
        assert_eq!(c.bed_gy, Some(216.67));
        assert_eq!(c.eqd2_gy, Some(130.0));
    }

    #[test]
    fn amb_rt3_progression_site() {
        let d = |n: u32| NaiveDate::from_ymd_opt(2020, 1, n).unwrap();
        assert_eq!(progression_site(d(10), Some(d(10)), None), "in-field");
        assert_eq!(progression_site(d(10), None, Some(d(5))), "out-of-field");
        assert_eq!(progression_site(d(10), Some(d(10)), Some(d(10))), "both");
        assert_eq!(progression_site(d(10), Some(d(20)), None), "combined");
        assert_eq!(progression_site(d(10), None, None), "combined");
    }
}
