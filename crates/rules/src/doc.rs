//! The rule-set document: what a file in `rules/` says, typed.
//!
//! Every field is documented here; the JSON Schema in `rules/rule-set.schema.json` is
//! generated from these types, so editors show the same text.

use std::collections::BTreeMap;

use recist_model::{LesionKind, Mm, Modality, Pct};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A complete rule set: criteria, options and decision tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSetDoc {
    /// Version of this file format; only 1 exists.
    pub schema_version: u32,
    /// Stable identifier, e.g. `recist-1.1`; named by `--rules`.
    pub id: String,
    /// Version of this rule set (semantic versioning).
    pub version: String,
    /// Human-readable title.
    pub title: String,
    /// CDISC `RSCAT` value written with results, e.g. `RECIST 1.1`.
    pub rscat: String,
    /// A bundled rule set this one extends: its keys are taken first, this file overrides them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Publications the rules come from.
    pub sources: Vec<Source>,
    /// Keys of this rule set that a protocol file or `--set` may change, besides the protocol
    /// parameters of every rule set: options these criteria leave to the protocol that are
    /// fixed criteria elsewhere (mRECIST's AMB-M1 `target_response.pd_min_increase_mm`,
    /// fixed at 5 mm in RECIST 1.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protocol_parameters: Vec<String>,
    /// Other words for a site, matched wherever this rule set names the site (measurement
    /// selectors, target eligibility, new-lesion patterns, node site thresholds, organs):
    /// with `liver: [hepatic segment]`, a lesion at `hepatic segment 8` is in the liver.
    /// Each alias is matched as the names are (case-insensitive, as whole words one after
    /// the other), so `hepatic segment` does not catch `hepatic flexure`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub site_aliases: BTreeMap<String, Vec<String>>,
    /// How a site text is read as one of `baseline.organs` (the organ of the per-organ target
    /// limit, and an organ named by a lesion condition's `site_in`, such as mRECIST's liver):
    /// which words link a lesion's own structure to where it lies (`X of Y`), which words make
    /// `X` a part of `Y`, and which structures are no organ. Empty (the default), a site names
    /// an organ when the organ's name or an alias appears anywhere in it.
    #[serde(default, skip_serializing_if = "SiteReading::is_empty")]
    pub site_reading: SiteReading,
    /// Which diameter counts for which lesion.
    pub measurement: MeasurementRules,
    /// Baseline checks: measurability, node thresholds, target limits.
    pub baseline: BaselineRules,
    /// Target lesion response thresholds.
    pub target_response: TargetRules,
    /// Non-target lesion response.
    pub non_target_response: NonTargetRules,
    /// What counts as a new lesion.
    pub new_lesions: NewLesionRules,
    /// Options of the per-timepoint decision (section 7 of the rules reference).
    pub timepoint: TimepointOptions,
    /// Overall response decision tables.
    pub overall_response: OverallTables,
    /// Confirmation of CR and PR for the confirmed best overall response.
    pub confirmation: ConfirmationRules,
    /// Best overall response.
    pub best_response: BestResponseRules,
    /// Radiotherapy fields: scopes, dose and abscopal response.
    pub radiotherapy: RadiotherapyRules,
    /// Time-to-event endpoints: what a new anticancer therapy does to them.
    pub endpoints: EndpointRules,
    /// iRECIST (rules reference section 3): present, the overall response of each timepoint
    /// is an iRECIST category (iUPD confirmed as iCPD), reached from the RECIST 1.1
    /// components this rule set computes; absent, the rule set adjudicates RECIST 1.1 style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irecist: Option<IrecistRules>,
}

/// How a site text is read as an organ ([`RuleSetDoc::site_reading`]). A site `X <link> Y`
/// (`link` one of `links`, not the site's first word) is read from its head `X`:
/// - `X` names one of `structures` (a vessel, a node): the site is that structure and names
///   no organ (`lymph node of the liver hilum`, `portal vein tumour thrombus`);
/// - `X` ends with one of `parts`: `X` is a part of `Y`, and only `Y` is read
///   (`hepatic segment of the IVC` is the IVC's, `right lobe of the liver` the liver's);
/// - otherwise `X` is read, and `Y` when `X` names no organ (`lesion in the liver`).
///
/// `Y` is read the same way (it may hold a link of its own). A site without a link is its own
/// head. Sites listed elsewhere that are not organs (node site thresholds such as `porta
/// hepatis`) are matched as words anywhere in the site, as before: they say where a lesion
/// lies, not what organ it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteReading {
    /// Single words that join a lesion's own structure to where it lies: `of`, `in`, `at`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// Single words naming a part of what follows the link: with `segment` listed, `hepatic
    /// segment of the IVC` is read as the IVC, not as the liver's alias `hepatic segment`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// Structures that are no organ (words one after the other): a site whose head names one
    /// names no organ, whatever organ word is beside it (`liver hilum lymph node`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub structures: Vec<String>,
}

impl SiteReading {
    /// Whether nothing is listed (a site names an organ wherever its words appear).
    pub fn is_empty(&self) -> bool {
        self.links.is_empty() && self.parts.is_empty() && self.structures.is_empty()
    }
}

/// iRECIST: confirmation of progression (IR-UPD … IR-BOR, AMB-I1, AMB-I2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IrecistRules {
    /// Days after the iUPD assessment within which the confirmatory assessment is expected,
    /// `[earliest, latest]` (IR-CONF-WIN, the reference's protocol parameter
    /// `irecist.confirm_window_days`: 4 to 8 weeks).
    pub confirm_window_days: [u32; 2],
    /// Days either side of the window still inside it (IR-CONF-WIN: "±2 days"): a scan at
    /// least `earliest − tolerance` days after the iUPD may confirm it.
    pub window_tolerance_days: u32,
    /// Further increase of the target sum (from the iUPD assessment) or of the new-lesion
    /// target sum that confirms progression (IR-CPD-TGT, IR-CPD-NEW), millimetres.
    pub cpd_min_increase_mm: Mm,
    /// Whether that increase must be at least or more than `cpd_min_increase_mm` (AMB-I1).
    pub cpd_increase: CpdIncrease,
    /// What the further increase that confirms an iUPD (`cpd_min_increase_mm`) is measured
    /// from (IR-CPD-TGT, IR-CPD-NEW, IR-REMAIN): the target and new-lesion-target sums at the
    /// iUPD assessment, or their smallest values while the iUPD is pending.
    pub cpd_reference: CpdReference,
    /// How many new lesions are followed as new-lesion targets (IR-CPD-NEW).
    pub new_lesion_targets: NewLesionTargetLimits,
    /// Whether an assessment after iUPD that still shows the new lesions seen before may
    /// reset (IR-RESET; the FAQ's scenarios B and F).
    pub reset_with_new_lesions: ResetWithNewLesions,
    /// Under `reset_with_new_lesions: target-decrease`, when there is no target sum to compare
    /// (a subject without target lesions, or a target not evaluated at the iUPD assessment):
    /// whether an assessment whose baseline disease meets iCR/iPR/iSD/NON-iCR/NON-iUPD, with the
    /// new lesions of a new-lesion iUPD still listed, resets (IR-RESET).
    pub reset_without_target_sum: ResetWithoutTargetSum,
    /// What the new-lesion-target sum is compared with for RECIST 1.1 progression after a
    /// reset (IR-RESET, AMB-I2).
    pub nlt_reference: NltReference,
    /// Whether a scan later than the window (`latest + tolerance` days after the iUPD) may
    /// still confirm it, with a warning (IR-CONF-WIN); when false it cannot, and the iUPD
    /// stays unconfirmed at it.
    pub late_scan_confirms: bool,
    /// Whether an assessment after the start of a new anticancer therapy (the case's
    /// `follow_up.new_therapy`) may confirm an iUPD (IR-CLIN: "if treatment stops … iUPD stays
    /// unconfirmed"). When false it cannot: the iUPD stays unconfirmed there, and no
    /// progression is dated to it from such a scan; a response there still resets it.
    pub confirm_after_new_therapy: bool,
    /// What may confirm an iUPD on a scan earlier than `earliest − tolerance` days after it
    /// (IR-CONF-WIN; the FAQ allows an unscheduled scan done for a new symptom or sign that
    /// shows an additional new lesion, and a case file does not say why a scan was done).
    pub early_scan_confirms: EarlyScanConfirms,
}

/// What an early scan may confirm an iUPD with (IR-CONF-WIN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EarlyScanConfirms {
    /// An additional new lesion: every early scan that shows one is taken for the FAQ's
    /// symptom-driven unscheduled scan.
    AdditionalNewLesion,
    /// Nothing: an early scan never confirms (for data where early scans were not
    /// symptom-driven, or cannot be told apart).
    Never,
}

/// At least or more than the minimum increase (AMB-I1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CpdIncrease {
    /// An increase of at least the minimum confirms ("5 mm or more", the FAQ).
    AtLeast,
    /// Only an increase of more than the minimum confirms ("> 5 mm", one row of Table 2).
    MoreThan,
}

/// What the further increase that confirms an iUPD is measured from (IR-CPD-TGT, IR-CPD-NEW).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CpdReference {
    /// The target sum and the new-lesion-target sum at the iUPD assessment that started the
    /// block (iR Table 2: "compared to iUPD").
    Iupd,
    /// Their smallest values at any assessment since the iUPD assessment (inclusive) while the
    /// iUPD is pending: a sum that fell after the iUPD without a reset (IR-REMAIN) and grows
    /// again by the minimum confirms.
    NadirSinceIupd,
}

/// Limits of the new-lesion targets (NLT, IR-CPD-NEW).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLesionTargetLimits {
    /// At most this many new-lesion targets in all.
    pub max_total: u32,
    /// At most this many per organ (lymph nodes one organ, as for baseline targets).
    pub max_per_organ: u32,
}

/// The reference of the new-lesion-target sum (AMB-I2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NltReference {
    /// The smallest NLT sum recorded since the NLT set last grew (the FAQ's "nadir").
    Nadir,
    /// The NLT sum when the set last grew (the reference's AMB-I2 "sum at first appearance").
    FirstAppearance,
}

/// When an assessment after a new-lesion iUPD, with those new lesions still listed, resets
/// (IR-RESET).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ResetWithNewLesions {
    /// Only when the target sum fell below the sum at the iUPD assessment (the FAQ's
    /// scenario B: further shrinkage gives iPR; scenario F: a PR already met and unchanged
    /// stays iUPD).
    TargetDecrease,
    /// Never while a new lesion seen before is still listed.
    Never,
}

/// What an assessment with the new lesions of a new-lesion iUPD still listed does when the
/// target sum cannot be compared with the one at the iUPD (IR-RESET, a reading of the FAQ's
/// scenario B for subjects without a target sum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ResetWithoutTargetSum {
    /// No reset while those new lesions are listed: the iUPD stays (iR Table 2: with a prior
    /// iUPD and new lesions still there, iUPD remains unless they grow or increase in number).
    /// A subject without targets resets once they are no longer listed.
    StaysIupd,
    /// Resets when the new-lesion-target sum of the lesions followed at the iUPD fell below
    /// its value there (the new lesions' own shrinkage stands for the target decrease); no
    /// reset without a new-lesion target, or with one not measured.
    NewLesionDecrease,
    /// Resets (IR-RESET's words alone: the baseline disease meets a response or stable
    /// disease).
    Resets,
}

/// Time-to-event endpoints (PFS, duration of response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointRules {
    /// A progression or death after the start of a new anticancer therapy (the case's
    /// `follow_up.new_therapy`).
    pub new_therapy: EndpointsAtNewTherapy,
}

/// What a progression or death after a new anticancer therapy does to PFS and duration of
/// response: a protocol's analysis choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointsAtNewTherapy {
    /// It is the event, whatever therapy came before (EMA's primary analysis).
    Count,
    /// PFS and duration of response are censored at the last evaluable assessment on or
    /// before the new therapy's start (FDA 2018 guidance on endpoints).
    Censor,
}

/// Reads an `Option` whose key must be present (`null` is written out, never implied by a
/// missing key, where a missing key would silently drop a criterion).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// A publication a rule set follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short key used in rule IDs, e.g. `R11`.
    pub key: String,
    /// Full citation.
    pub citation: String,
}

/// Conditions on a lesion; every condition given must hold (an empty condition matches all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LesionCondition {
    /// The lesion is (or is not) a lymph node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodal: Option<bool>,
    /// The lesion is (or is not) marked `hcc_typical`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hcc_typical: Option<bool>,
    /// The lesion's site is one of these (case-insensitive; a site matches when it contains the name as a word sequence, e.g. `liver segment 7` matches `liver`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_in: Option<Vec<String>>,
    /// The lesion's kind is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_in: Option<Vec<LesionKind>>,
}

/// Which recorded diameter a rule uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Longest diameter.
    LongAxis,
    /// Short axis (lymph nodes).
    ShortAxis,
    /// Longest viable (arterially enhancing) diameter.
    Viable,
}

/// One measurement selector: for lesions matching `when`, `measure` counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSelector {
    /// Which lesions this selector applies to.
    #[serde(default)]
    pub when: LesionCondition,
    /// The diameter that counts.
    pub measure: Measure,
    /// Rule ID cited when this selector decides: a target's finding gives more than one
    /// diameter, or lacks this one.
    pub rule: String,
    /// Rule ID cited besides `rule` when a target's finding lacks this diameter: the lesion is
    /// then not evaluated at that assessment, and the result carries a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_rule: Option<String>,
}

/// Which diameter counts for which lesion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementRules {
    /// Tried in order; the first whose condition matches decides. Must cover nodal and non-nodal lesions.
    pub selectors: Vec<MeasureSelector>,
    /// Value of a target reported too small to measure (R11-TSTM, AMB-04); a measured number always wins.
    pub too_small_mm: Mm,
}

/// What happens to a baseline target that the rule set cannot take as a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IneligibleTarget {
    /// The case is refused with a message naming the lesion.
    Refuse,
    /// The lesion is followed as a non-target, with a warning.
    NonTarget,
}

/// Whether targets treated by local therapy before baseline are accepted (R11-PRIORTX).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PriorLocalTherapy {
    /// Only when the lesion has progressed since that therapy.
    ProgressedOnly,
    /// Always.
    Allowed,
}

/// Whether subjects without a measurable target are adjudicated (R11-MEASDIS, AMB-M6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NonTargetOnly {
    /// Adjudicated with the non-target-only table.
    Allowed,
    /// Refused.
    Refused,
}

/// A site-specific short-axis threshold for pathological lymph nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeSiteThreshold {
    /// Site names this threshold applies to (case-insensitive, matched as in `site_in`).
    pub sites: Vec<String>,
    /// A node at these sites is pathological (malignant) only from this short axis. It is
    /// also a target from here (when above `node_target_min_short_axis_mm`), counts as normal
    /// below it for target CR, and a new node at these sites counts from it.
    pub pathological_min_short_axis_mm: Mm,
    /// A node given as a target at these sites whose baseline short axis is pathological by
    /// `node_pathological_min_short_axis_mm` but below this site's threshold: `refuse` the
    /// case, or follow it as a `non-target` (with a warning) that counts as normal while its
    /// short axis stays below this threshold.
    pub otherwise: IneligibleTarget,
    /// Rule ID cited.
    pub rule: String,
}

/// An extra condition a lesion must meet to be a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetEligibility {
    /// Which lesions this applies to.
    pub when: LesionCondition,
    /// Conditions the lesion must then meet.
    pub require: LesionCondition,
    /// Minimum baseline value of the lesion's selected measure, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_measure_mm: Option<Mm>,
    /// What happens to a lesion that fails.
    pub otherwise: IneligibleTarget,
    /// Rule ID cited.
    pub rule: String,
    /// Further rule IDs cited with `rule` (e.g. the option that chose `otherwise`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

/// Rule IDs the baseline checks cite. An absent key keeps the RECIST 1.1 ID named here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineCitations {
    /// Cited when the target limits refuse a case (default `R11-TGT-MAX`; nodes counted as
    /// one organ cite `R11-NODE-ORGAN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_limits: Option<String>,
    /// Cited when a scope has no target lesion and the non-target-only table applies, or the
    /// case is refused for it (default `R11-MEASDIS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_target_only: Option<String>,
    /// Per kind of `non_measurable_kinds`: cited when a lesion of that kind is given as a
    /// target (default `R11-BONE` for `bone-blastic`, `R11-NONMEAS` otherwise).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub non_measurable: BTreeMap<LesionKind, String>,
}

/// Slice-thickness rule for CT/MRI measurability (R11-MEAS-SLICE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SliceRule {
    /// Above this reconstruction slice thickness the minimum becomes `multiplier` × slice.
    pub max_mm: Mm,
    /// Multiplier of the slice thickness.
    pub multiplier: u32,
}

/// Baseline checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineRules {
    /// Minimum measurable longest diameter of a non-nodal target by modality; a modality not listed cannot measure a target (R11-MEAS-*).
    pub measurable_min_mm: BTreeMap<Modality, Mm>,
    /// Modalities the slice-thickness rule applies to, and the rule.
    pub slice_thickness: SliceRule,
    /// A lymph node is a measurable target from this short axis (R11-NODE-TGT).
    pub node_target_min_short_axis_mm: Mm,
    /// A lymph node is pathological from this short axis (R11-NODE-NT, R11-NODE-NORMAL).
    pub node_pathological_min_short_axis_mm: Mm,
    /// Site-specific node thresholds (mRECIST porta hepatis nodes).
    #[serde(default)]
    pub node_site_thresholds: Vec<NodeSiteThreshold>,
    /// Kinds of lesion that are never measurable (R11-NONMEAS, R11-BONE).
    pub non_measurable_kinds: Vec<LesionKind>,
    /// Kinds accepted as targets but with a warning that other lesions are preferred (R11-CYST).
    #[serde(default)]
    pub discouraged_target_kinds: Vec<LesionKind>,
    /// Most targets in total (R11-TGT-MAX).
    pub max_targets: u32,
    /// Most targets per organ (R11-TGT-MAX).
    pub max_targets_per_organ: u32,
    /// All lymph nodes count as one organ (R11-NODE-ORGAN).
    pub nodes_one_organ: bool,
    /// Organ names for the per-organ target limit: a lesion whose site names one of these
    /// (as whole words, e.g. `liver segment 7` names `liver`) counts toward that organ;
    /// any other site counts as its own organ (its text, case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organs: Vec<String>,
    /// What happens to a target that is not measurable.
    pub unmeasurable_target: IneligibleTarget,
    /// Extra target conditions (mRECIST liver targets).
    #[serde(default)]
    pub target_eligibility: Vec<TargetEligibility>,
    /// Targets treated by local therapy before baseline (R11-PRIORTX).
    pub prior_local_therapy_targets: PriorLocalTherapy,
    /// Baseline more than this many days before treatment start gives a warning (R11-BL-WINDOW).
    pub max_days_before_treatment: u32,
    /// Subjects without a target (R11-MEASDIS, AMB-M6).
    pub non_target_only: NonTargetOnly,
    /// Rule IDs these checks cite, where they differ from RECIST 1.1's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<BaselineCitations>,
}

/// What to do when a target is not evaluated (AMB-05).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MissingTarget {
    /// PD when the measured targets alone already meet PD; otherwise NE (R11-MISS-ENGINE).
    PdIfCertain,
    /// Always NE.
    AlwaysNe,
}

/// A sum that grows by the PD amounts while every target still meets CR: non-nodal targets
/// gone, lymph nodes below their normal short axis (say 4 mm to 9 mm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GrowthWithinCr {
    /// PD: the PD test comes first (R11-TGT-ORDER).
    Pd,
    /// CR: no node has reappeared while every one is below its normal short axis
    /// (R11-REAPPEAR-NODE).
    Cr,
}

/// Which assessments the nadir, the sum PD is measured against, is the smallest of
/// (R11-TGT-PD, R11-NE-NADIR). Only a fully evaluated sum counts either way; the two readings
/// differ only for a subject with a scan after the baseline but on or before treatment start
/// (day ≤ 0, no follow-up) whose sum is smaller than the baseline sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NadirFrom {
    /// The baseline and every earlier assessment, a scan before treatment start included:
    /// the rules reference's notation (`N_t` = the smallest sum over the baseline and all
    /// evaluable earlier timepoints).
    BaselineAndAllAssessments,
    /// The baseline and the follow-up assessments only (after treatment start, day > 0): the
    /// committee FAQ's "smallest sum on study" (R11-TGT-SD).
    BaselineAndOnTreatment,
}

/// Target lesion response thresholds (R11-TGT-*).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRules {
    /// Target CR needs every nodal target's short axis below this (R11-TGT-CR).
    pub cr_node_short_axis_below_mm: Mm,
    /// PR: the sum is at least this many percent below the baseline sum (R11-TGT-PR).
    pub pr_decrease_pct: Pct,
    /// PD: the sum is at least this many percent above the nadir (R11-TGT-PD).
    pub pd_increase_pct: Pct,
    /// PD also needs this absolute increase over the nadir; `null` for none (AMB-M1). The key
    /// must be written: leaving it out is not taken as "none".
    #[serde(deserialize_with = "present")]
    #[schemars(with = "Option<Mm>")]
    pub pd_min_increase_mm: Option<Mm>,
    /// A target not evaluated (AMB-05).
    pub missing_target: MissingTarget,
    /// A sum grown by the PD amounts while every target meets CR (R11-TGT-ORDER against
    /// R11-REAPPEAR-NODE).
    pub growth_within_cr: GrowthWithinCr,
    /// Which assessments set the nadir: whether a scan before treatment start counts
    /// (R11-TGT-PD against the FAQ's "smallest sum on study").
    pub nadir_from: NadirFrom,
    /// Rule IDs the target categories cite, where they differ from RECIST 1.1's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<TargetCitations>,
}

/// Rule IDs the target response cites. An absent key keeps the RECIST 1.1 ID named here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetCitations {
    /// Target CR (default `R11-TGT-CR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cr: Option<String>,
    /// Target PR (default `R11-TGT-PR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr: Option<String>,
    /// Target PD (default `R11-TGT-PD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pd: Option<String>,
    /// Target SD (default `R11-TGT-SD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<String>,
    /// Cited with every target PD found by the sum, naming the choice of
    /// `pd_min_increase_mm` (none by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pd_min_increase: Option<String>,
}

/// When a non-target is in complete response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NonTargetComplete {
    /// Only when it has disappeared (R11-NT-CR).
    Absent,
    /// When it has disappeared or no longer enhances (`viable: false`, MR-NT-CR).
    AbsentOrNonViable,
}

/// How a non-target the rule set reads by its enhancement (a lesion its measurement selectors
/// measure by the viable diameter: typical HCC in the liver) is read when it is reported
/// present without saying whether it still enhances (`viable` not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ViabilityUnstated {
    /// Still enhancing (MR-NT-IRSD): never complete, and after an overall CR disease seen
    /// again (AMB-01).
    Enhancing,
    /// Not evaluated at that assessment, as a target without its viable diameter (MR-IMG).
    NotEvaluated,
}

/// Non-target response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NonTargetRules {
    /// When a non-target counts as gone for CR.
    pub complete_when: NonTargetComplete,
    /// With `complete_when: absent-or-non-viable` (required there, refused otherwise): a
    /// non-target read by its enhancement reported present without `viable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viability_unstated: Option<ViabilityUnstated>,
    /// Kinds whose progression counts only with positive cytology (MR-EFFUSION): a non-target
    /// of these kinds reported `progression` without `cytology: positive` is taken as present,
    /// and a new lesion of these kinds (which carries no cytology) is reported `EQUIVOCAL`.
    /// Needs `rules.cytology`.
    #[serde(default)]
    pub progression_needs_positive_cytology: Vec<LesionKind>,
    /// Rule IDs the non-target categories cite, where they differ from RECIST 1.1's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<NonTargetCitations>,
}

/// Rule IDs the non-target response cites. An absent key keeps the RECIST 1.1 ID named here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NonTargetCitations {
    /// Non-target CR (default `R11-NT-CR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cr: Option<String>,
    /// Non-target NON-CR/NON-PD (default `R11-NT-NONCRNONPD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_cr_non_pd: Option<String>,
    /// Non-target PD (default `R11-NT-PD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pd: Option<String>,
    /// Cited when `progression_needs_positive_cytology` decides (no default: required when
    /// that list is not empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cytology: Option<String>,
}

/// How a confirmed equivocal new lesion dates progression (AMB-07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EquivocalConfirmed {
    /// The progression date moves back to the first sighting; earlier responses stay.
    BackdateProgression,
    /// The earlier timepoint is rewritten to PD as well.
    RewriteEarlier,
}

/// When an atypical new liver lesion dates progression (AMB-M4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AtypicalDating {
    /// Dated at the assessment where it has grown enough.
    AtGrowth,
    /// Moved back to its first sighting.
    FirstSighting,
}

/// New lesions in an organ where only a typical pattern, or growth, makes a finding a lesion (mRECIST liver).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternedNewLesions {
    /// Which new lesions this applies to.
    pub when: LesionCondition,
    /// A typical (`hcc_typical`) lesion counts from this longest diameter (MR-NEW-TYPICAL).
    pub typical_min_mm: Mm,
    /// An atypical lesion counts once it has grown this much since first seen (MR-NEW-ATYPICAL).
    pub atypical_growth_mm: Mm,
    /// How an atypical lesion that has grown dates progression (AMB-M4). A typical lesion
    /// first seen below `typical_min_mm` counts at the assessment where it reaches it.
    pub atypical_dating: AtypicalDating,
    /// Rule IDs cited: typical, atypical.
    pub rules: [String; 2],
    /// Rule ID cited with `atypical_dating` when an atypical lesion counts (e.g. `AMB-M4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dating_rule: Option<String>,
}

/// What counts as a new lesion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLesionRules {
    /// A new lymph node counts from this short axis (R11-NEW-NODE, AMB-13).
    pub node_min_short_axis_mm: Mm,
    /// A new lymph node reported without a short axis (AMB-13: the size that makes it new
    /// cannot be checked).
    pub node_without_short_axis: NodeWithoutShortAxis,
    /// How a confirmed equivocal lesion dates progression (AMB-07).
    pub equivocal_confirmed: EquivocalConfirmed,
    /// Organ-specific rules (mRECIST liver).
    #[serde(default)]
    pub patterned: Vec<PatternedNewLesions>,
    /// Rule ID cited for an unequivocal new lesion that no `patterned` entry covers (default
    /// `R11-NEW-PD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A new lymph node the reader lists without a short axis (AMB-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NodeWithoutShortAxis {
    /// The reader's word: a new lesion (R11-NEW-PD), as for any new lesion listed without a
    /// size.
    New,
    /// Equivocal (R11-NEW-EQUIV) until a sighting gives a short axis of at least
    /// `node_min_short_axis_mm`; progression is then dated back as for any equivocal lesion
    /// (AMB-07).
    Equivocal,
}

/// Disease seen after a CR (AMB-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DiseaseAfterCr {
    /// Any disease seen again after an overall CR is PD (R11-REAPPEAR, Table 3 footnote).
    Progression,
    /// Arithmetic only.
    Arithmetic,
}

/// A PR that drifts back above the PR threshold without reaching PD (AMB-02): the target sum,
/// once at least `target_response.pr_decrease_pct` below baseline, rises again above that
/// threshold but not to PD.
///
/// The values differ only after an earlier target PR, and change the best response only
/// where confirmation is required and the drifted scan is the one that would confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PrPersistence {
    /// RECIST 1.1 read per timepoint: the target response is SD (R11-TGT-SD), and a PR then
    /// SD is Table 3's PR → SD row (R11-BOR-T3).
    Strict,
    /// It stays PR once any earlier timepoint had a target PR, confirmed or not. Where
    /// confirmation is required, the drifted scan can then confirm the very PR it keeps.
    Sticky,
    /// It stays PR only once an earlier overall PR or CR has been confirmed, by the rule
    /// set's own `confirmation` rules (interval, NE and SD between), by an assessment before
    /// the drifted one; until then it is SD, as under `strict`. The FAQ's and IR-PR-DRIFT's
    /// reading: "once a PR has been assigned, and confirmed (if required)". Where
    /// `confirmation.required` is false it is `sticky`.
    StickyAfterConfirmation,
}

/// Options of the per-timepoint decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimepointOptions {
    /// Disease after a CR (AMB-01).
    pub disease_after_cr: DiseaseAfterCr,
    /// PR drift (AMB-02).
    pub pr_persistence: PrPersistence,
}

/// A decision-table cell: `any`, or a list of values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Cell {
    /// `any`.
    Any(AnyWord),
    /// These values.
    Values(Vec<String>),
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl<'de> serde::de::Visitor<'de> for CellVisitor {
            type Value = Cell;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of values such as `[YES]` or `[CR, PR]`, or the word `any`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Cell, E> {
                if v == "any" {
                    Ok(Cell::Any(AnyWord::Any))
                } else {
                    Err(E::custom(format!(
                        "`{v}` alone: write a list such as `[{v}]`, or the word `any`"
                    )))
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Cell, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<String>()? {
                    values.push(v);
                }
                Ok(Cell::Values(values))
            }
        }
        d.deserialize_any(CellVisitor)
    }
}

/// The word `any`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnyWord {
    /// Matches every value.
    Any,
}

/// A row of an overall-response decision table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableRow {
    /// Target responses this row covers (`CR`, `PR`, `SD`, `PD`, `NE`); absent in the non-target-only table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Cell>,
    /// Non-target responses (`CR`, `NON-CR/NON-PD`, `PD`, `NE`, and `none` for no non-target lesions).
    pub non_target: Cell,
    /// New lesion indicators (`NO`, `EQUIVOCAL`, `YES`).
    pub new_lesions: Cell,
    /// The overall response.
    pub overall: String,
    /// Rule ID cited.
    pub rule: String,
    /// Further rule IDs this row applies (e.g. `R11-NT-SINGLE`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

/// Overall response decision tables; every combination must be covered exactly once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverallTables {
    /// Subjects with target lesions (R11 Table 1).
    pub with_targets: Vec<TableRow>,
    /// Subjects with non-target lesions only (R11 Table 2).
    pub non_target_only: Vec<TableRow>,
}

/// Confirmation of CR and PR (R11-CONF-*, AMB-11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationRules {
    /// Whether the protocol requires confirmation (R11-CONF-WHEN); the confirmed BOR is always reported.
    pub required: bool,
    /// Minimum days between a response and its confirmation (R11-CONF-INT).
    pub min_interval_days: u32,
    /// Most NE timepoints allowed between a response and its confirmation.
    pub max_ne_between: u32,
    /// Whether an SD between a PR and its confirmation is accepted.
    pub accept_sd_between: bool,
}

/// Reference date for the SD minimum and days (AMB-12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReferenceDate {
    /// Treatment start, else the baseline date.
    TreatmentStart,
    /// The baseline scan date.
    Baseline,
}

/// Best overall response (R11-BOR-DEF, R11-SD-MIN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BestResponseRules {
    /// SD and NON-CR/NON-PD count only at or after this many days from the reference date.
    pub sd_min_days: u32,
    /// The reference date.
    pub reference: ReferenceDate,
    /// Where the best response's window ends besides the first PD (R11-BOR-DEF, the
    /// reference's protocol parameter `bor.stop_at`).
    pub stop_at: BorStopAt,
}

/// Where the best overall response's window ends (R11-BOR-DEF: "until PD/recurrence (or end
/// of study / start of new therapy per protocol)").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BorStopAt {
    /// At the first PD only: assessments after a new anticancer therapy still count.
    Progression,
    /// At the first PD or the start of a new anticancer therapy (surgery included; the
    /// case's `follow_up.new_therapy`), whichever comes first: assessments dated after
    /// that start are left out, one on its day still counts.
    NewTherapy,
}

/// How lesions at a field's margin are scoped (AMB-RT1): new lesions given `field:
/// marginal:RT1`, and baseline lesions given the same (a course's `marginal_lesions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MarginalLesions {
    /// Counted as in-field.
    InField,
    /// Counted as out-of-field.
    OutOfField,
}

/// What a radiotherapy course that starts after follow-up has begun (after a follow-up
/// assessment: a salvage or later course) makes of its lesions (RT-IN-PTV, RT-OUT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LateCourses {
    /// Its field counts from baseline: its lesions, and new lesions placed in its field, are
    /// in-field throughout, what they did before the course included (with a warning).
    FieldFromBaseline,
    /// It makes no field: its baseline lesions, and new lesions placed in its field or at its
    /// margin, count out-of-field (unless an earlier course holds them), so a progression
    /// before salvage radiotherapy stays out-of-field; its lesions are left out of the
    /// abscopal response. (A protocol that treats the course as a new anticancer therapy
    /// also gives its start as the case's `follow_up.new_therapy`.)
    NoField,
}

/// Radiotherapy fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RadiotherapyRules {
    /// α/β ratio for BED and EQD2, gray.
    pub alpha_beta_gy: f64,
    /// Lesions at a field's margin, baseline or new (AMB-RT1).
    pub marginal_lesions: MarginalLesions,
    /// A course that starts after a follow-up assessment (RT-IN-PTV, RT-OUT).
    pub late_courses: LateCourses,
    /// A non-irradiated target has an abscopal response when it shrinks at least this much from baseline (RT-ABS-2).
    pub abscopal_shrink_pct: Pct,
}
