//! A realistic synthetic study for tests, demos and benchmarks: TU, TR, DM and RS as a reader
//! might have recorded it, with some discordance.
//!
//! Each subject is drawn from its own random stream (SplitMix64 seeded by the seed and the
//! subject's number), so the files are byte-identical for a given `--subjects` and `--seed`
//! whatever the thread count. Subjects get 1–5 targets (at most two per organ, nodes counted
//! as one organ), 0–3 non-targets, scans about every six weeks, and one of five courses:
//! complete response, partial response (some progressing later), stable disease, or
//! progression by target growth, by a new lesion (some first equivocal, confirmed at the next
//! scan) or by unequivocal non-target progression. Along the way: too-small lesions, targets
//! not done, measurements recorded in centimetres, SUMDIAM rows, and an independent reader for
//! a tenth of the subjects. RS is what the engine answers under the given rule set, with a
//! fraction of follow-up timepoints (and best responses) changed to a neighbouring response,
//! as readers do.
//!
//! With [`GenerateOptions::mrecist`], liver lesions also carry mRECIST readings (viable
//! diameters, the HCC pattern, arterial enhancement) under the study codes of
//! [`MRECIST_MAPPING`], which is written beside the study as `mapping.yaml`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use rayon::prelude::*;
use recist_model::{
    Assessment, Diameters, FieldPlacement, Finding, Lesion, LesionKind, Mm, Modality, NewLesion,
    NonTargetFinding, NonTargetStatus, OverallResponse, Role, Subject, TargetFinding,
    TargetResponse,
};
use recist_rules::RuleSet;

use crate::rs::{RS_HEADER, RsUnit, RsVisit, bestresp, write_rs};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Number of subjects.
    pub subjects: u64,
    /// Seed of the random streams.
    pub seed: u64,
    /// Fraction of follow-up timepoints whose recorded response differs from the engine's.
    pub discordance: f64,
    /// Fraction of subjects also read by an independent assessor.
    pub independent: f64,
    /// STUDYID.
    pub study: String,
    /// mRECIST readings: liver lesions carry a baseline pattern (mostly typical HCC), typical
    /// liver targets a viable diameter at every visit, liver non-targets their arterial
    /// enhancement and new liver lesions the typical pattern, in TR rows with the study codes
    /// of [`MRECIST_MAPPING`] (written as `mapping.yaml`). Off, the files are those of a study
    /// without them, byte for byte: the readings come from a random stream of their own.
    pub mrecist: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            subjects: 100,
            seed: 1,
            discordance: 0.03,
            independent: 0.1,
            study: "RECIST-SYN".into(),
            mrecist: false,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GenerateSummary {
    /// Subjects.
    pub subjects: u64,
    /// Subject × evaluator units.
    pub units: u64,
    /// TU rows.
    pub tu_rows: u64,
    /// TR rows.
    pub tr_rows: u64,
    /// DM rows.
    pub dm_rows: u64,
    /// RS rows.
    pub rs_rows: u64,
    /// RS timepoints (and best responses) recorded differently from the engine's answer.
    pub discordant: u64,
    /// Units the engine refused (none expected; RS has no rows for them).
    pub refused: u64,
    /// The files written.
    pub files: Vec<String>,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// Writing a file failed.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
}

/// The mapping file written beside an mRECIST study ([`GenerateOptions::mrecist`]): the
/// study's test codes for the readings SDTM has no standard code for.
pub const MRECIST_MAPPING: &str = "\
# The study's mRECIST test codes (SDTM has no standard ones), written by `recist generate
# --mrecist`: pass this file to `recist batch --mapping` (see docs/batch.md).
tests:
  VIABDIAM: viable        # longest diameter of the viable, arterially enhancing tumour
  HCCPATT: pattern        # TYPICAL (arterial hyperenhancement with washout) or ATYPICAL
  ARTENH: enhancement     # ENHANCING or NON-ENHANCING (non-targets)
";

/// The mRECIST test codes of [`MRECIST_MAPPING`], with their TRTEST.
const VIABLE_TEST: (&str, &str) = ("VIABDIAM", "Viable Tumor Longest Diameter");
const PATTERN_TEST: (&str, &str) = ("HCCPATT", "HCC Imaging Pattern");
const ENHANCEMENT_TEST: (&str, &str) = ("ARTENH", "Arterial Enhancement");

/// The random stream of the mRECIST readings: apart from the subject's own, so that a study
/// with them has the same lesions, courses and responses drawn as one without.
const MRECIST_STREAM: u64 = 0x6D52_4543_4953_5421;

/// One lesion's mRECIST readings ([`GenerateOptions::mrecist`]).
#[derive(Debug, Clone, Copy, PartialEq)]
struct MrLesion {
    /// Typical HCC pattern at baseline (MR-TGT-ELIG, MR-MEAS).
    typical: bool,
    /// Viable diameter over the long axis, for a typical liver target.
    viable_ratio: Option<f64>,
}

/// The mRECIST readings of a subject's lesions (`None` for a lesion outside the liver or a
/// node): liver targets mostly typical HCC (9 in 10) with a viable diameter of 60–95 % of the
/// long axis and at least 10 mm at baseline; liver non-targets typical (read by their
/// enhancement, MR-NT-CR).
fn draw_mrecist(rng: &mut Rng, lesions: &[GLesion]) -> Vec<Option<MrLesion>> {
    lesions
        .iter()
        .map(|l| {
            if l.nodal || l.site != "LIVER" {
                return None;
            }
            match l.role {
                Role::Target => {
                    let typical = rng.chance(0.9);
                    let ratio = 0.6 + rng.unit() * 0.35;
                    let base = l.base as f64;
                    let viable = (base * ratio).round().max(10.0).min(base);
                    Some(MrLesion {
                        typical,
                        viable_ratio: typical.then_some(viable / base),
                    })
                }
                Role::NonTarget => Some(MrLesion {
                    typical: true,
                    viable_ratio: None,
                }),
            }
        })
        .collect()
}

/// A typical liver target's viable diameter where its long axis measures `mm`.
fn viable_mm(ratio: f64, mm: i64) -> i64 {
    ((mm as f64) * ratio)
        .round()
        .max(if mm > 0 { 1.0 } else { 0.0 }) as i64
}

/// The TU header written.
pub const TU_HEADER: &str = "STUDYID,DOMAIN,USUBJID,TUSEQ,TULNKID,TUTESTCD,TUTEST,TUORRES,TUSTRESC,TULOC,TUMETHOD,TUEVAL,TUEVALID,VISITNUM,VISIT,TUDTC\n";
/// The TR header written.
pub const TR_HEADER: &str = "STUDYID,DOMAIN,USUBJID,TRSEQ,TRGRPID,TRLNKID,TRTESTCD,TRTEST,TRORRES,TRORRESU,TRSTRESC,TRSTRESN,TRSTRESU,TRSTAT,TRREASND,TRMETHOD,TREVAL,TREVALID,VISITNUM,VISIT,TRDTC\n";
/// The DM header written.
pub const DM_HEADER: &str =
    "STUDYID,DOMAIN,USUBJID,SUBJID,RFSTDTC,RFXSTDTC,SITEID,AGE,AGEU,SEX,ARMCD,ARM,COUNTRY\n";

struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo + 1).max(1) as u64;
        lo + (self.next() % span) as i64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get((self.next() % items.len() as u64) as usize)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Course {
    Complete,
    Partial { progress_at: Option<usize> },
    Stable,
    TargetGrowth { at: usize },
    NewLesion { at: usize, equivocal_first: bool },
    NonTargetProgression { at: usize },
}

#[derive(Debug, Clone)]
struct GLesion {
    id: String,
    site: &'static str,
    role: Role,
    nodal: bool,
    base: i64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum GVal {
    Mm(i64),
    TooSmall,
    NotDone,
    State(&'static str),
}

#[derive(Debug, Clone)]
struct GNew {
    id: String,
    site: &'static str,
    state: &'static str,
    size: Option<i64>,
}

#[derive(Debug, Clone)]
struct GVisit {
    num: u32,
    name: String,
    date: NaiveDate,
    values: Vec<GVal>,
    new: Vec<GNew>,
}

const ORGANS: [&str; 7] = [
    "LIVER",
    "LUNG",
    "KIDNEY",
    "ADRENAL GLAND",
    "PERITONEUM",
    "SPLEEN",
    "PANCREAS",
];
const NODES: [&str; 3] = [
    "MEDIASTINAL LYMPH NODE",
    "AXILLARY LYMPH NODE",
    "INGUINAL LYMPH NODE",
];
const NT_SITES: [&str; 5] = [
    "BONE",
    "LIVER",
    "LUNG",
    "PLEURAL EFFUSION",
    "RETROPERITONEAL LYMPH NODE",
];
const NEW_SITES: [&str; 4] = ["LIVER", "LUNG", "BONE", "BRAIN"];

struct GSubject {
    usubjid: String,
    /// Each lesion's mRECIST readings (all `None` without [`GenerateOptions::mrecist`]).
    mr: Vec<Option<MrLesion>>,
    rfstdtc: NaiveDate,
    method: &'static str,
    cm: bool,
    lesions: Vec<GLesion>,
    visits: Vec<GVisit>,
}

fn date_plus(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days as u64)).unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new((-days) as u64)).unwrap_or(d)
    }
}

fn draw_subject(rng: &mut Rng, usubjid: String) -> GSubject {
    let start = NaiveDate::from_ymd_opt(2020, 1, 6).unwrap_or_default();
    let rfstdtc = date_plus(start, rng.range(0, 730));
    let baseline = date_plus(rfstdtc, -rng.range(1, 21));
    let method = if rng.chance(0.9) { "CT SCAN" } else { "MRI" };
    let cm = rng.chance(0.08);

    // Lesions.
    let n_targets = *rng.pick(&[1, 2, 2, 3, 3, 3, 4, 4, 5]).unwrap_or(&2);
    let mut lesions: Vec<GLesion> = Vec::new();
    let mut per_organ: Vec<(&str, usize)> = Vec::new();
    let mut nodes = 0;
    while lesions.len() < n_targets {
        let nodal = nodes < 2 && rng.chance(0.25);
        let site = if nodal {
            *rng.pick(&NODES).unwrap_or(&NODES[0])
        } else {
            *rng.pick(&ORGANS).unwrap_or(&ORGANS[0])
        };
        let organ = if nodal { "NODE" } else { site };
        let count = per_organ
            .iter()
            .find(|(o, _)| *o == organ)
            .map_or(0, |(_, c)| *c);
        if count >= 2 {
            continue;
        }
        match per_organ.iter_mut().find(|(o, _)| *o == organ) {
            Some(e) => e.1 += 1,
            None => per_organ.push((organ, 1)),
        }
        if nodal {
            nodes += 1;
        }
        let base = if nodal {
            rng.range(15, 35)
        } else {
            rng.range(12, 70)
        };
        lesions.push(GLesion {
            id: format!("T{:02}", lesions.len() + 1),
            site,
            role: Role::Target,
            nodal,
            base,
        });
    }
    let n_nt = rng.range(0, 3) as usize;
    for i in 0..n_nt {
        let site = *rng.pick(&NT_SITES).unwrap_or(&NT_SITES[0]);
        lesions.push(GLesion {
            id: format!("NT{:02}", i + 1),
            site,
            role: Role::NonTarget,
            nodal: site.contains("LYMPH NODE"),
            base: 0,
        });
    }

    // Course.
    let n_follow = *rng
        .pick(&[2usize, 3, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 9, 10])
        .unwrap_or(&5);
    let u = rng.unit();
    let at = rng.range(1, n_follow.min(4) as i64) as usize;
    let course = if u < 0.06 {
        Course::Complete
    } else if u < 0.36 {
        Course::Partial {
            progress_at: (rng.chance(0.4) && n_follow >= 4).then(|| n_follow.min(at + 3)),
        }
    } else if u < 0.66 {
        Course::Stable
    } else if u < 0.80 {
        Course::TargetGrowth { at }
    } else if u < 0.92 || n_nt == 0 {
        Course::NewLesion {
            at,
            equivocal_first: rng.chance(0.25),
        }
    } else {
        Course::NonTargetProgression { at }
    };

    // Visits.
    let n_targets = lesions.iter().filter(|l| l.role == Role::Target).count();
    let mut visits = vec![GVisit {
        num: 1,
        name: "SCREENING".into(),
        date: baseline,
        values: lesions
            .iter()
            .map(|l| match l.role {
                Role::Target => GVal::Mm(l.base),
                Role::NonTarget => GVal::State("PRESENT"),
            })
            .collect(),
        new: Vec::new(),
    }];
    let mut date = rfstdtc;
    let mut nadir_factor: f64 = 1.0;
    for k in 1..=n_follow {
        date = date_plus(date, 42 + rng.range(-5, 7));
        let mut factor: f64 = match course {
            Course::Complete => (1.0 - 0.45 * k as f64).max(0.0),
            Course::Partial { .. } => (1.0 - 0.22 * k as f64).max(0.35),
            Course::Stable => 1.0 + (rng.unit() - 0.6) * 0.3,
            Course::TargetGrowth { at } if k >= at => 1.35 + 0.1 * (k - at) as f64,
            _ => 1.0 + (rng.unit() - 0.6) * 0.25,
        };
        if let Course::Partial {
            progress_at: Some(p),
        } = course
            && k >= p
        {
            factor = nadir_factor * 1.4;
        }
        nadir_factor = nadir_factor.min(factor);
        let mut values = Vec::with_capacity(lesions.len());
        for l in &lesions {
            let v = match l.role {
                Role::Target => {
                    if rng.chance(0.015) {
                        GVal::NotDone
                    } else if l.nodal {
                        let sa = (l.base as f64 * factor * (1.0 + (rng.unit() - 0.5) * 0.1)).round()
                            as i64;
                        GVal::Mm(if factor == 0.0 {
                            rng.range(4, 9)
                        } else {
                            sa.max(5)
                        })
                    } else {
                        let ld = (l.base as f64 * factor * (1.0 + (rng.unit() - 0.5) * 0.1)).round()
                            as i64;
                        if factor == 0.0 {
                            GVal::Mm(0)
                        } else if ld < 5 {
                            GVal::TooSmall
                        } else {
                            GVal::Mm(ld)
                        }
                    }
                }
                Role::NonTarget => match course {
                    Course::Complete if factor == 0.0 => GVal::State("ABSENT"),
                    Course::NonTargetProgression { at } if k >= at && l.id == "NT01" => {
                        GVal::State("UNEQUIVOCAL PROGRESSION")
                    }
                    _ => GVal::State("PRESENT"),
                },
            };
            values.push(v);
        }
        let mut new = Vec::new();
        if let Course::NewLesion {
            at,
            equivocal_first,
        } = course
            && k >= at
        {
            let equivocal = equivocal_first && k == at;
            let site = NEW_SITES[(at + n_targets) % NEW_SITES.len()];
            new.push(GNew {
                id: "NEW01".into(),
                site,
                state: if equivocal { "EQUIVOCAL" } else { "PRESENT" },
                size: (site != "BONE").then(|| 8 + (at as i64 * 3) + k as i64),
            });
        }
        let progressed = match course {
            Course::TargetGrowth { at } | Course::NonTargetProgression { at } => k >= at,
            Course::NewLesion {
                at,
                equivocal_first,
            } => k > at || (k == at && !equivocal_first),
            Course::Partial {
                progress_at: Some(p),
            } => k >= p,
            _ => false,
        };
        visits.push(GVisit {
            num: k as u32 + 1,
            name: format!("WEEK {}", 6 * k),
            date,
            values,
            new,
        });
        if progressed {
            break;
        }
    }
    GSubject {
        mr: vec![None; lesions.len()],
        usubjid,
        rfstdtc,
        method,
        cm,
        lesions,
        visits,
    }
}

/// A second reader: same lesions and states, diameters within ±2 mm.
fn second_reader(rng: &mut Rng, s: &GSubject) -> Vec<GVisit> {
    s.visits
        .iter()
        .enumerate()
        .map(|(i, v)| GVisit {
            values: v
                .values
                .iter()
                .map(|val| match val {
                    GVal::Mm(m) if *m >= 10 && i > 0 => GVal::Mm(m + rng.range(-2, 2)),
                    other => *other,
                })
                .collect(),
            ..v.clone()
        })
        .collect()
}

fn model_subject(s: &GSubject, evaluator: &str, visits: &[GVisit], mrecist: bool) -> Subject {
    let modality = if s.method == "MRI" {
        Modality::Mri
    } else {
        Modality::Ct
    };
    let lesions = s
        .lesions
        .iter()
        .zip(&s.mr)
        .map(|(l, mr)| Lesion {
            id: l.id.clone(),
            site: l.site.to_string(),
            role: l.role,
            nodal: l.nodal,
            hcc_typical: mr.is_some_and(|m| m.typical),
            kind: if l.site.contains("EFFUSION") {
                Some(LesionKind::Effusion)
            } else if l.nodal {
                Some(LesionKind::LymphNode)
            } else {
                None
            },
            method: Some(modality),
            prior_local_therapy: false,
            progressed_after_local_therapy: false,
            field_unknown: false,
        })
        .collect();
    let assessments = visits
        .iter()
        .map(|v| {
            let mut findings = std::collections::BTreeMap::new();
            for ((l, val), mr) in s.lesions.iter().zip(&v.values).zip(&s.mr) {
                let ratio = mr.and_then(|m| m.viable_ratio);
                let enhancing = mr.map(|_| !matches!(val, GVal::State("ABSENT")));
                let f = match (l.role, val) {
                    (Role::Target, GVal::Mm(0)) => Finding::Target(TargetFinding::Absent),
                    (Role::Target, GVal::Mm(m)) => {
                        let mm = Some(Mm::from_mm(*m));
                        Finding::Target(TargetFinding::Measured(if l.nodal {
                            Diameters {
                                short_axis: mm,
                                ..Diameters::default()
                            }
                        } else {
                            Diameters {
                                long_axis: mm,
                                viable: ratio.map(|r| Mm::from_mm(viable_mm(r, *m))),
                                ..Diameters::default()
                            }
                        }))
                    }
                    (Role::Target, GVal::TooSmall) => Finding::Target(TargetFinding::TooSmall),
                    (Role::Target, _) => Finding::Target(TargetFinding::NotEvaluated),
                    (Role::NonTarget, GVal::State(st)) => Finding::NonTarget(NonTargetFinding {
                        status: match *st {
                            "ABSENT" => NonTargetStatus::Absent,
                            "UNEQUIVOCAL PROGRESSION" => NonTargetStatus::Progression,
                            _ => NonTargetStatus::Present,
                        },
                        viable: enhancing,
                        cytology: None,
                        short_axis: None,
                        increased: false,
                    }),
                    (Role::NonTarget, _) => Finding::NonTarget(NonTargetFinding {
                        status: NonTargetStatus::NotEvaluated,
                        viable: None,
                        cytology: None,
                        short_axis: None,
                        increased: false,
                    }),
                };
                findings.insert(l.id.clone(), f);
            }
            Assessment {
                date: v.date,
                modality,
                slice_thickness_mm: None,
                findings,
                new_lesions: v
                    .new
                    .iter()
                    .map(|n| NewLesion {
                        id: n.id.clone(),
                        site: n.site.to_string(),
                        nodal: false,
                        kind: None,
                        diameters: Diameters {
                            long_axis: n.size.map(Mm::from_mm),
                            ..Diameters::default()
                        },
                        equivocal: n.state == "EQUIVOCAL",
                        hcc_typical: mrecist && n.site == "LIVER",
                        field: FieldPlacement::None,
                        cytology: None,
                        increased: false,
                        progression: false,
                    })
                    .collect(),
                visit: Some(v.name.clone()),
                visit_number: Some(f64::from(v.num)),
            }
        })
        .collect();
    Subject {
        subject: s.usubjid.clone(),
        evaluator: Some(evaluator.to_string()),
        treatment_start: Some(s.rfstdtc),
        covariates: std::collections::BTreeMap::new(),
        follow_up: None,
        radiotherapy: Vec::new(),
        lesions,
        assessments,
    }
}

#[derive(Default)]
struct Text {
    tu: Vec<u8>,
    tr: Vec<u8>,
    dm: Vec<u8>,
    rs: Vec<u8>,
    counts: GenerateSummary,
}

fn line(out: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        crate::rs::push_field(out, f);
    }
    out.push(b'\n');
}

fn cm_text(mm: i64) -> String {
    format!("{}.{}", mm / 10, mm % 10)
}

fn neighbour(r: OverallResponse) -> OverallResponse {
    match r {
        OverallResponse::Cr => OverallResponse::Pr,
        OverallResponse::Pr => OverallResponse::Sd,
        OverallResponse::Sd => OverallResponse::Pr,
        OverallResponse::NonCrNonPd => OverallResponse::Pd,
        OverallResponse::Pd => OverallResponse::Sd,
        OverallResponse::Ne => OverallResponse::Sd,
        // The generator writes RECIST 1.1 responses only; an iRECIST word has the
        // neighbour of its RECIST 1.1 counterpart.
        OverallResponse::ICr => OverallResponse::IPr,
        OverallResponse::IPr => OverallResponse::ISd,
        OverallResponse::ISd => OverallResponse::IPr,
        OverallResponse::NonICrNonIUpd => OverallResponse::IUpd,
        OverallResponse::IUpd => OverallResponse::ISd,
        OverallResponse::ICpd => OverallResponse::ISd,
    }
}

fn target_of(r: OverallResponse) -> Option<TargetResponse> {
    match r {
        OverallResponse::Cr => Some(TargetResponse::Cr),
        OverallResponse::Pr => Some(TargetResponse::Pr),
        OverallResponse::Sd => Some(TargetResponse::Sd),
        OverallResponse::Pd => Some(TargetResponse::Pd),
        _ => None,
    }
}

/// Where one subject × evaluator's TU and TR rows go: the fields every row shares, and the
/// subject's running TUSEQ/TRSEQ (shared across evaluators).
struct UnitRows<'a> {
    t: &'a mut Text,
    study: &'a str,
    usubjid: &'a str,
    method: &'a str,
    eval: &'a str,
    evalid: &'a str,
    tu_seq: &'a mut u32,
    tr_seq: &'a mut u32,
}

/// The visit a row is written at: VISITNUM, VISIT and the date.
#[derive(Clone, Copy)]
struct At<'a> {
    num: &'a str,
    name: &'a str,
    date: &'a str,
}

/// What varies between a unit's TR rows at one visit: the lesion, the test and its result.
#[derive(Default)]
struct TrRow<'a> {
    grp: &'a str,
    id: &'a str,
    testcd: &'a str,
    test: &'a str,
    orres: &'a str,
    orresu: &'a str,
    stresc: &'a str,
    stresn: &'a str,
    stresu: &'a str,
    stat: &'a str,
    reas: &'a str,
}

impl<'a> TrRow<'a> {
    /// A row with the lesion and test set and every result field empty.
    fn new(grp: &'a str, id: &'a str, (testcd, test): (&'a str, &'a str)) -> Self {
        TrRow {
            grp,
            id,
            testcd,
            test,
            ..TrRow::default()
        }
    }

    /// A measurement in millimetres, original and standard.
    fn mm(self, mm: &'a str) -> Self {
        TrRow {
            orres: mm,
            orresu: "mm",
            stresc: mm,
            stresn: mm,
            stresu: "mm",
            ..self
        }
    }

    /// A qualitative state, original and standard (character) result.
    fn state(self, st: &'a str) -> Self {
        TrRow {
            orres: st,
            stresc: st,
            ..self
        }
    }
}

impl UnitRows<'_> {
    /// Writes a TUMIDENT row (`role` as both TUORRES and TULOCROLE).
    fn tu(&mut self, at: At<'_>, id: &str, role: &str, site: &str) {
        let fields = [id, "TUMIDENT", "Tumor Identification", role, role, site];
        self.write(false, at, &fields);
    }

    /// Writes a TR row.
    fn tr(&mut self, at: At<'_>, r: TrRow<'_>) {
        let fields = [
            r.grp, r.id, r.testcd, r.test, r.orres, r.orresu, r.stresc, r.stresn, r.stresu, r.stat,
            r.reas,
        ];
        self.write(true, at, &fields);
    }

    /// Writes one TR (`tr`) or TU row: the unit's keys and next sequence number, `fields`,
    /// then the method, evaluator and visit; bumps the sequence and the row count.
    fn write(&mut self, tr: bool, at: At<'_>, fields: &[&str]) {
        let t = &mut *self.t;
        let (domain, out, seq, rows) = if tr {
            ("TR", &mut t.tr, &mut *self.tr_seq, &mut t.counts.tr_rows)
        } else {
            ("TU", &mut t.tu, &mut *self.tu_seq, &mut t.counts.tu_rows)
        };
        *seq += 1;
        let seq = seq.to_string();
        let head = [self.study, domain, self.usubjid, &seq];
        let tail = [
            self.method,
            self.eval,
            self.evalid,
            at.num,
            at.name,
            at.date,
        ];
        let row: Vec<&str> = head.iter().chain(fields).chain(&tail).copied().collect();
        line(out, &row);
        *rows += 1;
    }
}

fn emit_unit(
    t: &mut Text,
    s: &GSubject,
    study: &str,
    (eval, evalid): (&str, &str),
    (visits, mrecist): (&[GVisit], bool),
    tr_seq: &mut u32,
    tu_seq: &mut u32,
) {
    let mut rows = UnitRows {
        t,
        study,
        usubjid: &s.usubjid,
        method: s.method,
        eval,
        evalid,
        tu_seq,
        tr_seq,
    };
    let base = &visits[0];
    let base_num = base.num.to_string();
    let base_date = base.date.to_string();
    let at = At {
        num: &base_num,
        name: &base.name,
        date: &base_date,
    };
    for l in &s.lesions {
        let role = match l.role {
            Role::Target => "TARGET",
            Role::NonTarget => "NON-TARGET",
        };
        rows.tu(at, &l.id, role, l.site);
    }
    let mut new_identified: Vec<&str> = Vec::new();
    for v in visits {
        let num = v.num.to_string();
        let date = v.date.to_string();
        let at = At {
            num: &num,
            name: &v.name,
            date: &date,
        };
        let mut sum: Option<i64> = Some(0);
        let baseline = v.num == base.num;
        for ((l, val), mr) in s.lesions.iter().zip(&v.values).zip(&s.mr) {
            let (grp, testcd, test) = match (l.role, l.nodal) {
                (Role::Target, false) => ("TARGET", "LDIAM", "Longest Diameter"),
                (Role::Target, true) => ("TARGET", "LPERP", "Longest Perpendicular"),
                (Role::NonTarget, true) => ("NON-TARGET", "LNSTATE", "Lymph Node State"),
                (Role::NonTarget, false) => ("NON-TARGET", "TUMSTATE", "Tumor State"),
            };
            let row = TrRow::new(grp, &l.id, (testcd, test));
            match val {
                GVal::Mm(m) => {
                    let mm = m.to_string();
                    if s.cm {
                        let cm = cm_text(*m);
                        rows.tr(
                            at,
                            TrRow {
                                orres: &cm,
                                orresu: "cm",
                                ..row.mm(&mm)
                            },
                        );
                    } else {
                        rows.tr(at, row.mm(&mm));
                    }
                    // An mRECIST study records the sum mRECIST counts: the viable diameter of
                    // a typical liver target (MR-MEAS), nothing for an atypical one (followed
                    // as a non-target, MR-TGT-ELIG).
                    let counted = match mr {
                        Some(MrLesion {
                            viable_ratio: Some(r),
                            ..
                        }) => viable_mm(*r, *m),
                        Some(MrLesion { typical: false, .. }) => 0,
                        _ => *m,
                    };
                    sum = sum.map(|x| x + counted);
                }
                GVal::TooSmall => {
                    rows.tr(
                        at,
                        TrRow {
                            orres: "TOO SMALL TO MEASURE",
                            orresu: "",
                            ..row.mm("5")
                        },
                    );
                    if !mr.is_some_and(|m| !m.typical) {
                        sum = sum.map(|x| x + 5);
                    }
                }
                GVal::NotDone => {
                    rows.tr(
                        at,
                        TrRow {
                            stat: "NOT DONE",
                            reas: "SCAN NOT PERFORMED",
                            ..row
                        },
                    );
                    sum = None;
                }
                GVal::State(st) => rows.tr(at, row.state(st)),
            }
            if let Some(mr) = mr {
                mrecist_rows(&mut rows, at, (grp, &l.id), *mr, *val, baseline);
            }
        }
        for n in &v.new {
            if !new_identified.contains(&n.id.as_str()) {
                new_identified.push(&n.id);
                rows.tu(at, &n.id, "NEW", n.site);
            }
            rows.tr(
                at,
                TrRow::new("NEW", &n.id, ("TUMSTATE", "Tumor State")).state(n.state),
            );
            if mrecist && n.site == "LIVER" {
                rows.tr(at, TrRow::new("NEW", &n.id, PATTERN_TEST).state("TYPICAL"));
            }
            if let Some(size) = n.size {
                let mm = size.to_string();
                rows.tr(
                    at,
                    TrRow::new("NEW", &n.id, ("LDIAM", "Longest Diameter")).mm(&mm),
                );
            }
        }
        if let Some(sum) = sum {
            let mm = sum.to_string();
            rows.tr(
                at,
                TrRow::new("TARGET", "", ("SUMDIAM", "Sum of Diameter")).mm(&mm),
            );
        }
    }
}

/// A liver lesion's mRECIST rows at a visit: its pattern at baseline; a typical target's
/// viable diameter beside its long axis (none beside a long axis too small to measure, which
/// holds no viable diameter: the target is then not evaluated, MR-IMG); a non-target's
/// arterial enhancement (enhancing while present).
fn mrecist_rows(
    rows: &mut UnitRows<'_>,
    at: At<'_>,
    (grp, id): (&str, &str),
    mr: MrLesion,
    val: GVal,
    baseline: bool,
) {
    if baseline {
        let pattern = if mr.typical { "TYPICAL" } else { "ATYPICAL" };
        rows.tr(at, TrRow::new(grp, id, PATTERN_TEST).state(pattern));
    }
    match (mr.viable_ratio, val) {
        (Some(r), GVal::Mm(m)) => {
            let mm = viable_mm(r, m).to_string();
            rows.tr(at, TrRow::new(grp, id, VIABLE_TEST).mm(&mm));
        }
        (Some(_), GVal::NotDone) => rows.tr(
            at,
            TrRow {
                stat: "NOT DONE",
                reas: "SCAN NOT PERFORMED",
                ..TrRow::new(grp, id, VIABLE_TEST)
            },
        ),
        (None, GVal::State(st)) => {
            let word = if st == "ABSENT" {
                "NON-ENHANCING"
            } else {
                "ENHANCING"
            };
            rows.tr(at, TrRow::new(grp, id, ENHANCEMENT_TEST).state(word));
        }
        _ => {}
    }
}

fn one_subject(opts: &GenerateOptions, rules: &RuleSet, index: u64, width: usize) -> Text {
    let mut rng = Rng::new(opts.seed, index);
    let usubjid = format!("{}-{:0width$}", opts.study, index + 1);
    let mut s = draw_subject(&mut rng, usubjid);
    if opts.mrecist {
        s.mr = draw_mrecist(&mut Rng::new(opts.seed ^ MRECIST_STREAM, index), &s.lesions);
    }
    let mut t = Text::default();
    t.counts.subjects = 1;
    let study = opts.study.as_str();
    let sex = if rng.chance(0.5) { "F" } else { "M" };
    let rf = s.rfstdtc.to_string();
    line(
        &mut t.dm,
        &[
            study,
            "DM",
            &s.usubjid,
            &(index + 1).to_string(),
            &rf,
            &rf,
            &(100 + rng.range(0, 19)).to_string(),
            &rng.range(28, 84).to_string(),
            "YEARS",
            sex,
            "A",
            "Arm A",
            "FRA",
        ],
    );
    t.counts.dm_rows = 1;

    let mut readers = vec![(("INVESTIGATOR", ""), s.visits.clone())];
    if rng.chance(opts.independent) {
        let v = second_reader(&mut rng, &s);
        readers.push((("INDEPENDENT ASSESSOR", "RADIOLOGIST 1"), v));
    }
    let (mut tr_seq, mut tu_seq, mut rs_seq) = (0u32, 0u32, 0u32);
    for ((eval, evalid), visits) in &readers {
        t.counts.units += 1;
        emit_unit(
            &mut t,
            &s,
            study,
            (eval, evalid),
            (visits, opts.mrecist),
            &mut tr_seq,
            &mut tu_seq,
        );
        let label = if evalid.is_empty() {
            eval.to_string()
        } else {
            format!("{eval}/{evalid}")
        };
        let subject = model_subject(&s, &label, visits, opts.mrecist);
        let Ok(results) = recist_engine::assess_subject(rules, &subject) else {
            t.counts.refused += 1;
            continue;
        };
        let Some(mut result) = results.into_iter().next() else {
            continue;
        };
        let mut best = bestresp(rules, &result);
        for tp in result.timepoints.iter_mut() {
            if let Some(f) = tp.follow_up.as_mut()
                && rng.chance(opts.discordance)
            {
                let recorded = neighbour(f.overall);
                if f.target.is_some()
                    && let Some(tr) = target_of(recorded)
                {
                    f.target = Some(tr);
                }
                f.overall = recorded;
                t.counts.discordant += 1;
            }
        }
        if let Some(b) = best
            && rng.chance(opts.discordance)
        {
            best = Some(neighbour(b));
            t.counts.discordant += 1;
        }
        let rs_visits: Vec<RsVisit> = visits
            .iter()
            .map(|v| RsVisit {
                visit: v.name.clone(),
                visitnum: v.num.to_string(),
                date: v.date,
                last_scan: v.date,
                dtc: None,
            })
            .collect();
        let unit = RsUnit {
            studyid: study,
            usubjid: &s.usubjid,
            eval,
            evalid,
            rscat: &rules.doc().rscat,
            visits: &rs_visits,
        };
        t.counts.rs_rows += write_rs(&mut t.rs, &mut rs_seq, &unit, &result, best) as u64;
    }
    t
}

struct Out {
    path: PathBuf,
    tmp: PathBuf,
    w: BufWriter<File>,
}

impl Out {
    fn create(dir: &Path, name: &str, header: &str) -> Result<Out, GenerateError> {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        let io = |source| GenerateError::Io {
            file: tmp.display().to_string(),
            source,
        };
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp).map_err(io)?);
        w.write_all(header.as_bytes()).map_err(io)?;
        Ok(Out { path, tmp, w })
    }
    fn write(&mut self, bytes: &[u8]) -> Result<(), GenerateError> {
        self.w.write_all(bytes).map_err(|source| GenerateError::Io {
            file: self.tmp.display().to_string(),
            source,
        })
    }
    fn commit(self) -> Result<String, GenerateError> {
        let io = |source| GenerateError::Io {
            file: self.path.display().to_string(),
            source,
        };
        let file = self.w.into_inner().map_err(|e| GenerateError::Io {
            file: self.tmp.display().to_string(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&self.tmp, &self.path).map_err(io)?;
        Ok(self.path.display().to_string())
    }
}

/// Writes `TU.csv`, `TR.csv`, `DM.csv` and `RS.csv` into `dir` (each through a temporary file
/// renamed when complete). RS holds the engine's answers under `rules`, changed at the
/// discordance rate.
pub fn generate(
    opts: &GenerateOptions,
    rules: &RuleSet,
    dir: &Path,
) -> Result<GenerateSummary, GenerateError> {
    std::fs::create_dir_all(dir).map_err(|source| GenerateError::Io {
        file: dir.display().to_string(),
        source,
    })?;
    let width = opts.subjects.max(1).to_string().len().max(4);
    let mut tu = Out::create(dir, "TU.csv", TU_HEADER)?;
    let mut tr = Out::create(dir, "TR.csv", TR_HEADER)?;
    let mut dm = Out::create(dir, "DM.csv", DM_HEADER)?;
    let mut rs = Out::create(dir, "RS.csv", RS_HEADER)?;
    let mut total = GenerateSummary::default();
    const CHUNK: u64 = 2048;
    let mut start = 0;
    while start < opts.subjects {
        let end = (start + CHUNK).min(opts.subjects);
        let texts: Vec<Text> = (start..end)
            .into_par_iter()
            .map(|i| one_subject(opts, rules, i, width))
            .collect();
        for t in texts {
            tu.write(&t.tu)?;
            tr.write(&t.tr)?;
            dm.write(&t.dm)?;
            rs.write(&t.rs)?;
            let c = &t.counts;
            total.subjects += c.subjects;
            total.units += c.units;
            total.tu_rows += c.tu_rows;
            total.tr_rows += c.tr_rows;
            total.dm_rows += c.dm_rows;
            total.rs_rows += c.rs_rows;
            total.discordant += c.discordant;
            total.refused += c.refused;
        }
        start = end;
    }
    total.files = vec![tu.commit()?, tr.commit()?, dm.commit()?, rs.commit()?];
    if opts.mrecist {
        let path = dir.join("mapping.yaml");
        std::fs::write(&path, MRECIST_MAPPING).map_err(|source| GenerateError::Io {
            file: path.display().to_string(),
            source,
        })?;
        total.files.push(path.display().to_string());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_study() {
        let rules = RuleSet::bundled("recist-1.1").unwrap();
        let opts = GenerateOptions {
            subjects: 40,
            seed: 7,
            ..GenerateOptions::default()
        };
        let a = one_subject(&opts, &rules, 3, 4);
        let b = one_subject(&opts, &rules, 3, 4);
        assert_eq!(a.tr, b.tr);
        assert_eq!(a.rs, b.rs);
        let c = one_subject(&opts, &rules, 4, 4);
        assert_ne!(a.tr, c.tr);
    }

    /// The mRECIST readings come from a stream of their own: the same lesions, courses and
    /// DM rows are drawn with or without them (TU is the same), and TR only gains rows.
    #[test]
    fn mr_meas_mrecist_readings_leave_the_drawn_study_alone() {
        let rules = RuleSet::bundled("mrecist").unwrap();
        let plain = GenerateOptions {
            subjects: 60,
            seed: 5,
            ..GenerateOptions::default()
        };
        let mr = GenerateOptions {
            mrecist: true,
            ..plain.clone()
        };
        let (mut liver, mut viable) = (0, 0);
        for i in 0..plain.subjects {
            let a = one_subject(&plain, &rules, i, 4);
            let b = one_subject(&mr, &rules, i, 4);
            assert_eq!(a.tu, b.tu);
            assert_eq!(a.dm, b.dm);
            assert!(b.counts.tr_rows >= a.counts.tr_rows);
            let (ta, tb) = (
                String::from_utf8(a.tr).unwrap(),
                String::from_utf8(b.tr).unwrap(),
            );
            assert!(!ta.contains("VIABDIAM") && !ta.contains("HCCPATT"));
            liver += usize::from(String::from_utf8(b.tu).unwrap().contains(",LIVER,"));
            viable += usize::from(tb.contains(",VIABDIAM,"));
            assert_eq!(b.counts.refused, 0);
        }
        assert!(liver > 10 && viable > 5, "{liver} {viable}");
    }

    #[test]
    fn generated_subjects_are_all_adjudicable() {
        let rules = RuleSet::bundled("recist-1.1").unwrap();
        let opts = GenerateOptions {
            subjects: 300,
            seed: 11,
            ..GenerateOptions::default()
        };
        let mut refused = 0;
        let mut units = 0;
        for i in 0..opts.subjects {
            let t = one_subject(&opts, &rules, i, 4);
            refused += t.counts.refused;
            units += t.counts.units;
        }
        assert_eq!(refused, 0);
        assert!(units > 300);
    }
}
