//! What the case reader (and the SDTM reader) guarantee of a subject, checked again for a
//! subject a library caller builds by hand: lesion ids used once, findings only for baseline
//! lesions and of their role's kind, lengths on the lesion's axis and within 0 to 1 km, a
//! merge naming another target, radiotherapy courses that name known lesions, new lesions
//! that do not reuse a baseline id. Such a subject is refused, never assessed into a plausible
//! but wrong response. The checks allocate nothing on clean input (only an error's text).

use recist_model::{
    Assessment, Diameters, FieldPlacement, Finding, Lesion, Mm, Role, Subject, TargetFinding,
};

use crate::AdjudicationError;

/// The role and nodality of the baseline lesion with this id, if there is one.
pub(crate) type LesionOf<'a> = &'a dyn Fn(&str) -> Option<(Role, bool)>;

/// The checks of the whole subject: lesion ids, radiotherapy courses, and the baseline
/// assessment (later assessments are checked as they are assessed, [`assessment`]).
pub(crate) fn subject(subject: &Subject) -> Result<(), AdjudicationError> {
    if subject.lesions.is_empty() {
        // Refused as such by the baseline (`AdjudicationError::NoLesion`).
        return Ok(());
    }
    let malformed = |lesion: Option<&str>, message: String| AdjudicationError::Malformed {
        subject: subject.subject.clone(),
        lesion: lesion.map(str::to_string),
        message,
    };
    if let Some(id) = used_twice(&subject.lesions) {
        return Err(malformed(Some(id), "lesion id used twice".into()));
    }
    for (i, c) in subject.radiotherapy.iter().enumerate() {
        if subject.radiotherapy.iter().take(i).any(|o| o.id == c.id) {
            return Err(malformed(
                None,
                format!("radiotherapy course `{}` listed twice", c.id),
            ));
        }
        if let Some(l) = c
            .lesions
            .iter()
            .chain(&c.marginal_lesions)
            .find(|l| subject.lesion(l).is_none())
        {
            return Err(malformed(
                Some(l),
                format!("radiotherapy field `{}` names unknown lesion `{l}`", c.id),
            ));
        }
        if let Some(l) = c.marginal_lesions.iter().find(|l| c.lesions.contains(l)) {
            return Err(malformed(
                Some(l),
                format!(
                    "radiotherapy field `{}` lists lesion `{l}` both inside the field and at its margin",
                    c.id
                ),
            ));
        }
        if let Some(l) = c
            .lesions
            .iter()
            .chain(&c.marginal_lesions)
            .find(|l| subject.lesion(l).is_some_and(|l| l.field_unknown))
        {
            return Err(malformed(
                Some(l),
                format!(
                    "lesion `{l}` has an unknown field status, yet radiotherapy field `{}` places it",
                    c.id
                ),
            ));
        }
        if let (Some(s), Some(e)) = (c.start, c.end)
            && e < s
        {
            return Err(malformed(
                None,
                format!("radiotherapy `{}` ends {e} before it starts {s}", c.id),
            ));
        }
        if c.total_dose_gy.is_some_and(|d| !(d.is_finite() && d > 0.0)) {
            return Err(malformed(
                None,
                format!(
                    "radiotherapy `{}`: total dose must be a positive number of Gy",
                    c.id
                ),
            ));
        }
        if c.fractions == Some(0) {
            return Err(malformed(
                None,
                format!("radiotherapy `{}`: fractions must be at least 1", c.id),
            ));
        }
    }
    if let Some(baseline) = subject.baseline() {
        let lesions = subject
            .lesions
            .iter()
            .map(|l| (l.id.as_str(), l.role, l.nodal));
        let course = |rt: &str| subject.radiotherapy.iter().any(|c| c.id == rt);
        assessment(&subject.subject, baseline, lesions, &course)?;
    }
    Ok(())
}

/// An id two lesions share, if any: pairwise for the usual few lesions (no allocation), by
/// sorting for many.
fn used_twice(lesions: &[Lesion]) -> Option<&str> {
    const PAIRWISE: usize = 64;
    if lesions.len() <= PAIRWISE {
        return lesions
            .iter()
            .enumerate()
            .find(|&(i, l)| lesions.iter().take(i).any(|o| o.id == l.id))
            .map(|(_, l)| l.id.as_str());
    }
    let mut ids: Vec<&str> = lesions.iter().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    ids.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

/// The checks of one assessment against the subject's baseline lesions (`lesions`: id, role,
/// nodal; ids used once) and radiotherapy courses (`course`: whether one has this id). Each
/// lesion looks its finding up (not each finding its lesion): linear in the lesions.
pub(crate) fn assessment<'l>(
    subject: &str,
    a: &Assessment,
    lesions: impl Iterator<Item = (&'l str, Role, bool)> + Clone,
    course: &dyn Fn(&str) -> bool,
) -> Result<(), AdjudicationError> {
    let lesion_of = |id: &str| {
        lesions
            .clone()
            .find(|&(l, _, _)| l == id)
            .map(|(_, role, nodal)| (role, nodal))
    };
    let lesion_of: LesionOf<'_> = &lesion_of;
    let fail = |lesion: Option<&str>, message: String| AdjudicationError::Assessment {
        subject: subject.to_string(),
        date: a.date,
        lesion: lesion.map(str::to_string),
        message,
    };
    if let Some(s) = a.slice_thickness_mm
        && !s.is_length()
    {
        return Err(fail(None, not_a_length("slice thickness", s)));
    }
    let mut known = 0;
    for (id, role, nodal) in lesions.clone() {
        let Some(f) = a.findings.get(id) else {
            continue;
        };
        known += 1;
        let problem = match (role, f) {
            (Role::Target, Finding::Target(t)) => target(id, t, nodal, lesion_of),
            (Role::NonTarget, Finding::NonTarget(n)) => match n.short_axis {
                Some(_) if !nodal => Err("short axis given for a non-nodal lesion".into()),
                Some(sa) if !sa.is_length() => Err(not_a_length("short axis", sa)),
                _ => Ok(()),
            },
            (Role::Target, Finding::NonTarget(_)) => {
                Err("a non-target finding given for a target lesion".into())
            }
            (Role::NonTarget, Finding::Target(_)) => {
                Err("a target finding given for a non-target lesion".into())
            }
        };
        problem.map_err(|m| fail(Some(id), m))?;
    }
    if known < a.findings.len()
        && let Some(id) = a.findings.keys().find(|id| lesion_of(id).is_none())
    {
        return Err(fail(
            Some(id),
            "finding for a lesion not identified at baseline (list new lesions under `new_lesions`)".into(),
        ));
    }
    for (j, nl) in a.new_lesions.iter().enumerate() {
        let problem = if lesion_of(&nl.id).is_some() {
            Err("a new lesion cannot reuse the id of a baseline lesion".into())
        } else if a.new_lesions.iter().take(j).any(|o| o.id == nl.id) {
            Err("new lesion listed twice in one assessment".into())
        } else if let FieldPlacement::Inside(rt) | FieldPlacement::Marginal(rt) = &nl.field
            && !course(rt)
        {
            Err(format!(
                "new lesion names unknown radiotherapy field `{rt}`"
            ))
        } else {
            diameters(&nl.diameters, nl.nodal)
        };
        problem.map_err(|m| fail(Some(&nl.id), m))?;
    }
    Ok(())
}

/// A target finding's problem, if it has one.
fn target(id: &str, t: &TargetFinding, nodal: bool, lesion_of: LesionOf<'_>) -> Result<(), String> {
    match t {
        TargetFinding::Measured(d) => {
            if d.long_axis.is_none() && d.short_axis.is_none() && d.viable.is_none() {
                return Err("empty measurement".into());
            }
            diameters(d, nodal)
        }
        TargetFinding::Fragments(parts) => {
            if parts.is_empty() {
                return Err("`fragments` is empty".into());
            }
            parts.iter().try_for_each(|p| diameters(p, nodal))
        }
        TargetFinding::MergedInto(other) => {
            if other == id {
                return Err("a lesion cannot merge into itself".into());
            }
            match lesion_of(other) {
                Some((Role::Target, _)) => Ok(()),
                _ => Err(format!(
                    "`merged_into` names `{other}`, which is not a target lesion of this subject"
                )),
            }
        }
        TargetFinding::Absent | TargetFinding::TooSmall | TargetFinding::NotEvaluated => Ok(()),
    }
}

/// Diameters' problem, if they have one: a length on the other axis than the lesion's, a
/// length out of range, a viable part longer than the lesion.
fn diameters(d: &Diameters, nodal: bool) -> Result<(), String> {
    if nodal && d.long_axis.is_some() {
        return Err("a lymph node is measured on its short axis, not its long axis".into());
    }
    if !nodal && d.short_axis.is_some() {
        return Err("short axis given for a non-nodal lesion (use long_axis)".into());
    }
    for (name, v) in [
        ("long axis", d.long_axis),
        ("short axis", d.short_axis),
        ("viable diameter", d.viable),
    ] {
        if let Some(v) = v
            && !v.is_length()
        {
            return Err(not_a_length(name, v));
        }
    }
    if let (Some(viable), Some(whole)) = (d.viable, d.long_axis)
        && viable > whole
    {
        return Err(format!(
            "viable diameter {viable} mm is longer than the long axis {whole} mm"
        ));
    }
    Ok(())
}

fn not_a_length(name: &str, v: Mm) -> String {
    format!("{name} {v} mm is not a length (from 0 to {} mm)", Mm::MAX)
}
