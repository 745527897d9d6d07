//! A subject's history: lesions identified at baseline, assessments, radiotherapy courses.
//!
//! These are the validated types the engine takes; readers in `recist-io` build them from
//! case files and SDTM data and refuse anything malformed before it gets here. A subject
//! built by hand is checked again by the engine, which refuses (never assesses) one that
//! breaks what the readers guarantee: ids used once, findings for baseline lesions only and of
//! their role's kind, lengths on the lesion's axis within 0 to [`Mm::MAX`], dates in
//! increasing order, courses naming known lesions.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Mm;

/// One subject as read by one evaluator: baseline lesions, every assessment, radiotherapy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    /// Subject identifier, unique within a data set.
    pub subject: String,
    /// Who read the images (investigator, an independent reader); results are kept apart per evaluator.
    pub evaluator: Option<String>,
    /// Day 0 for durations and the SD minimum; the baseline date when absent.
    pub treatment_start: Option<NaiveDate>,
    /// Scalar covariates carried to cohort reports.
    pub covariates: BTreeMap<String, serde_json::Value>,
    /// Survival follow-up, for time-to-event endpoints.
    pub follow_up: Option<FollowUp>,
    /// Radiotherapy courses (the irradiated foci).
    pub radiotherapy: Vec<RadiotherapyCourse>,
    /// Every lesion identified at baseline.
    pub lesions: Vec<Lesion>,
    /// Assessments in strictly increasing date order; the first is the baseline.
    pub assessments: Vec<Assessment>,
}

impl Subject {
    /// The baseline assessment, if the subject has any assessment.
    pub fn baseline(&self) -> Option<&Assessment> {
        self.assessments.first()
    }

    /// The reference date for days and the SD minimum: treatment start, else the baseline date.
    pub fn reference_date(&self) -> Option<NaiveDate> {
        self.treatment_start
            .or_else(|| self.baseline().map(|a| a.date))
    }

    /// The lesion with this id, if it was identified at baseline.
    pub fn lesion(&self, id: &str) -> Option<&Lesion> {
        self.lesions.iter().find(|l| l.id == id)
    }
}

/// Survival follow-up of a subject.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Last date the subject was known to be alive.
    pub last_known_alive: Option<NaiveDate>,
    /// Date of death, if any.
    pub death: Option<NaiveDate>,
    /// Start of a new anticancer therapy (surgery included), if any: with the rule set's
    /// `best_response.stop_at: new-therapy`, later assessments do not enter the best
    /// response (R11-BOR-DEF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_therapy: Option<NaiveDate>,
}

/// A course of radiotherapy and the baseline lesions inside its field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RadiotherapyCourse {
    /// Identifier used by new lesions' `field`.
    pub id: String,
    /// Treated site, free text.
    pub site: String,
    /// First fraction.
    pub start: Option<NaiveDate>,
    /// Last fraction.
    pub end: Option<NaiveDate>,
    /// Total physical dose in gray.
    pub total_dose_gy: Option<f64>,
    /// Number of fractions.
    pub fractions: Option<u32>,
    /// Baseline lesions inside the field.
    pub lesions: Vec<String>,
    /// Baseline lesions at the field's margin, scoped by `radiotherapy.marginal_lesions`
    /// (AMB-RT1, RT-MARGINAL).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marginal_lesions: Vec<String>,
}

/// Whether a baseline lesion is followed by measurement or qualitatively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Measured; its diameter enters the sum.
    Target,
    /// Followed qualitatively: present, absent, progression.
    NonTarget,
}

/// What kind of lesion or finding this is, where it matters to the criteria.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum LesionKind {
    /// Tumour in a vessel (portal vein thrombus).
    TumourThrombus,
    /// Pleural or pericardial effusion.
    Effusion,
    /// Ascites.
    Ascites,
    /// A lymph node (also said by `nodal: true`).
    LymphNode,
    /// Blastic bone lesion.
    BoneBlastic,
    /// Lytic or mixed bone lesion with a soft-tissue component.
    BoneLytic,
    /// Cystic metastasis.
    Cystic,
    /// Leptomeningeal disease.
    Leptomeningeal,
    /// Lymphangitic involvement of skin or lung.
    Lymphangitic,
    /// Anything else.
    Other,
}

impl LesionKind {
    /// The case-file name (`tumour-thrombus`, `effusion`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            LesionKind::TumourThrombus => "tumour-thrombus",
            LesionKind::Effusion => "effusion",
            LesionKind::Ascites => "ascites",
            LesionKind::LymphNode => "lymph-node",
            LesionKind::BoneBlastic => "bone-blastic",
            LesionKind::BoneLytic => "bone-lytic",
            LesionKind::Cystic => "cystic",
            LesionKind::Leptomeningeal => "leptomeningeal",
            LesionKind::Lymphangitic => "lymphangitic",
            LesionKind::Other => "other",
        }
    }
}

/// How a lesion was imaged or measured.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Modality {
    /// Computed tomography.
    #[default]
    Ct,
    /// Magnetic resonance imaging.
    Mri,
    /// Calipers on a superficial clinical lesion.
    Caliper,
    /// Chest X-ray.
    XRay,
    /// Ultrasound.
    Ultrasound,
    /// FDG-PET.
    Pet,
}

impl Modality {
    /// A readable name (`CT`, `MRI`, `caliper`, `x-ray`, `ultrasound`, `PET`).
    pub const fn name(self) -> &'static str {
        match self {
            Modality::Ct => "CT",
            Modality::Mri => "MRI",
            Modality::Caliper => "caliper",
            Modality::XRay => "x-ray",
            Modality::Ultrasound => "ultrasound",
            Modality::Pet => "PET",
        }
    }
}

/// A lesion identified at baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lesion {
    /// Identifier used in findings.
    pub id: String,
    /// Organ or site, free text, compared case-insensitively.
    pub site: String,
    /// Target or non-target.
    pub role: Role,
    /// Lymph node: measured on the short axis; all nodes count as one organ.
    pub nodal: bool,
    /// Arterially enhancing typical HCC (mRECIST).
    pub hcc_typical: bool,
    /// What kind of lesion, where it matters.
    pub kind: Option<LesionKind>,
    /// How it is measured; the baseline assessment's modality when absent.
    pub method: Option<Modality>,
    /// Treated by radiotherapy or other local therapy before baseline (R11-PRIORTX).
    pub prior_local_therapy: bool,
    /// Has progressed since that local therapy, so may be a target (R11-PRIORTX).
    pub progressed_after_local_therapy: bool,
    /// Whether the lesion lies inside a radiotherapy field is not known (field status
    /// `unknown`, rules reference section 6): it belongs to neither field scope.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub field_unknown: bool,
}

impl Lesion {
    /// A lesion with this id, site and role, every other field at the case format's default
    /// (not nodal, not typical HCC, no kind, no method, no prior local therapy): for programs
    /// that build subjects by hand, e.g. `Lesion { nodal: true, ..Lesion::new("N1", "axilla",
    /// Role::Target) }`.
    pub fn new(id: impl Into<String>, site: impl Into<String>, role: Role) -> Lesion {
        Lesion {
            id: id.into(),
            site: site.into(),
            role,
            nodal: false,
            hcc_typical: false,
            kind: None,
            method: None,
            prior_local_therapy: false,
            progressed_after_local_therapy: false,
            field_unknown: false,
        }
    }
}

/// One imaging assessment (scan date) and what was found on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Scan date.
    pub date: NaiveDate,
    /// Imaging modality of the assessment.
    pub modality: Modality,
    /// Reconstruction slice thickness, where known (R11-MEAS-SLICE).
    pub slice_thickness_mm: Option<Mm>,
    /// Findings per baseline lesion id; a lesion missing here was not evaluated.
    pub findings: BTreeMap<String, Finding>,
    /// New lesions seen at this assessment.
    pub new_lesions: Vec<NewLesion>,
    /// Free-text label of the visit (e.g. `WEEK 6`), kept for exports.
    pub visit: Option<String>,
    /// Visit number, kept for exports.
    pub visit_number: Option<f64>,
}

/// Diameters recorded for a lesion (or one fragment of it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diameters {
    /// Longest diameter (non-nodal lesions).
    pub long_axis: Option<Mm>,
    /// Short axis (lymph nodes).
    pub short_axis: Option<Mm>,
    /// Longest diameter of the viable, arterially enhancing part (mRECIST).
    pub viable: Option<Mm>,
}

/// What was found on a target lesion at one assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetFinding {
    /// Measured.
    Measured(Diameters),
    /// Disappeared: 0 mm; a node is normal.
    Absent,
    /// Present but too small to measure: the rule set's default value.
    TooSmall,
    /// Not assessed or not evaluable.
    NotEvaluated,
    /// Split into fragments whose diameters are summed.
    Fragments(Vec<Diameters>),
    /// Coalesced into another target, which carries the whole measurement.
    MergedInto(String),
}

/// Status of a non-target lesion at one assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NonTargetStatus {
    /// Still there.
    Present,
    /// Gone.
    Absent,
    /// Unequivocal progression, as judged by the reader.
    Progression,
    /// Not assessed.
    NotEvaluated,
}

/// Cytology of an effusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cytology {
    /// Malignant cells found.
    Positive,
    /// No malignant cells.
    Negative,
}

/// What was found on a non-target lesion at one assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonTargetFinding {
    /// Present, absent, progression or not evaluated.
    pub status: NonTargetStatus,
    /// Whether arterial enhancement persists (mRECIST); unknown when absent.
    pub viable: Option<bool>,
    /// Cytology, for effusions.
    pub cytology: Option<Cytology>,
    /// The short axis of a lymph node found present, where measured (SDTM `LPERP`): the rule
    /// set's node threshold then says whether it is a normal node (R11-NODE-NORMAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_axis: Option<Mm>,
    /// The reader sees a further increase since the previous assessment, short of (or
    /// besides) unequivocal progression: under iRECIST it confirms a progression that
    /// non-target disease started (IR-CPD-NT); RECIST 1.1 and mRECIST ignore it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub increased: bool,
}

/// A finding on a baseline lesion: its kind follows the lesion's role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Finding {
    /// A finding on a target lesion.
    Target(TargetFinding),
    /// A finding on a non-target lesion.
    NonTarget(NonTargetFinding),
}

/// Where a new lesion lies relative to the radiotherapy fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldPlacement {
    /// Outside every field.
    #[default]
    None,
    /// Inside the field of this course.
    Inside(String),
    /// At the margin of this course's field (AMB-RT1).
    Marginal(String),
    /// Not known (section 6): in neither field scope.
    Unknown,
}

impl std::fmt::Display for FieldPlacement {
    /// Where the lesion lies, in words: `outside every field`, ``inside the field of `RT1` ``,
    /// ``at the margin of `RT1` ``, `with its field unknown`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldPlacement::None => f.write_str("outside every field"),
            FieldPlacement::Inside(rt) => write!(f, "inside the field of `{rt}`"),
            FieldPlacement::Marginal(rt) => write!(f, "at the margin of `{rt}`"),
            FieldPlacement::Unknown => f.write_str("with its field unknown"),
        }
    }
}

/// A lesion seen for the first time after baseline (or seen again, under the same id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLesion {
    /// Identifier; a lesion seen again later keeps it.
    pub id: String,
    /// Organ or site.
    pub site: String,
    /// Lymph node.
    pub nodal: bool,
    /// Kind of lesion, where it matters.
    pub kind: Option<LesionKind>,
    /// Diameters, where measured.
    pub diameters: Diameters,
    /// The reader is not yet sure it is a malignant lesion.
    pub equivocal: bool,
    /// Typical HCC pattern: arterial hyperenhancement with washout (mRECIST).
    pub hcc_typical: bool,
    /// Radiotherapy field placement.
    pub field: FieldPlacement,
    /// Cytology of a new effusion or ascites, where sampled: with a rule set that needs
    /// positive cytology for these (mRECIST, MR-EFFUSION), only `positive` makes it a new
    /// lesion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cytology: Option<Cytology>,
    /// Seen again and grown since the previous assessment, as the reader judges: under
    /// iRECIST any such increase of a new lesion that is not a new-lesion target confirms a
    /// progression new lesions started (IR-CPD-NEW); RECIST 1.1 and mRECIST ignore it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub increased: bool,
    /// Unequivocal progression of this new lesion, as the reader judges: under iRECIST, after
    /// a reset, it starts a new iUPD (IR-RESET); RECIST 1.1 and mRECIST ignore it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub progression: bool,
}
