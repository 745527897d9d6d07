//! The test-code and site mapping: which SDTM codes and values mean what.
//!
//! A bundled default (`mapping/default.yaml`) covers the CDISC controlled terms; a user file
//! given with `--mapping` extends it (maps merged with the file's entries winning, lists
//! appended), so sponsor codes need no code change.

use std::collections::BTreeMap;
use std::path::Path;

use recist_model::{LesionKind, Modality};
use serde::Deserialize;

/// The bundled default mapping, as YAML text.
pub const DEFAULT_MAPPING: &str = include_str!("../mapping/default.yaml");

/// What a TR test code holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestKind {
    /// Longest diameter (non-nodal lesions).
    LongAxis,
    /// Longest perpendicular: the short axis of a lymph node.
    ShortAxis,
    /// A diameter whose axis follows the lesion: short axis for a node, else long axis.
    Diameter,
    /// Lesion status (TUMSTATE, LNSTATE).
    State,
    /// mRECIST (MR-MEAS): the longest diameter of the viable, arterially enhancing part of
    /// the tumour, read as a length (as `long-axis`). No code by default: SDTM has none.
    Viable,
    /// mRECIST (MR-TGT-ELIG, MR-NEW-TYPICAL): the lesion's imaging pattern, its result one of
    /// the mapping's `patterns` (typical: arterial hyperenhancement with washout). No code
    /// by default.
    Pattern,
    /// mRECIST (MR-NT-CR): whether arterial enhancement persists in a non-target, its result
    /// one of the mapping's `enhancement` words. No code by default.
    Enhancement,
    /// Recorded sum of diameters, cross-checked only.
    Sum,
    /// Read and counted, not used.
    Ignore,
}

/// An imaging pattern in a `pattern` row's result (mRECIST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatternWord {
    /// Typical HCC: arterial hyperenhancement with washout.
    Typical,
    /// Not the typical pattern.
    Atypical,
}

/// Arterial enhancement in an `enhancement` row's result (mRECIST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EnhancementWord {
    /// Arterial enhancement persists: viable tumour.
    Enhancing,
    /// No arterial enhancement: no viable tumour.
    NonEnhancing,
}

/// A lesion role in TU (and TR's TRGRPID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleWord {
    /// Target lesion.
    Target,
    /// Non-target lesion.
    NonTarget,
    /// New lesion.
    New,
}

/// A lesion status in TUMSTATE / LNSTATE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateWord {
    /// Present.
    Present,
    /// Absent.
    Absent,
    /// Unequivocal progression.
    Progression,
    /// Present and grown since the previous assessment, not itself unequivocal progression
    /// (iRECIST's "further increase from last assessment": it confirms a non-target or
    /// new-lesion iUPD, IR-CPD-NT, IR-CPD-NEW; RECIST 1.1 and mRECIST read it as present).
    Increased,
    /// Equivocal: possibly a new lesion, or equivocal progression of a non-target.
    Equivocal,
    /// Not evaluable.
    NotEvaluated,
}

/// The mapping file's keys, all optional (a user file gives only what it adds).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    tests: BTreeMap<String, TestKind>,
    #[serde(default)]
    identify_tests: Vec<String>,
    #[serde(default)]
    roles: BTreeMap<String, RoleWord>,
    #[serde(default)]
    states: BTreeMap<String, StateWord>,
    #[serde(default)]
    patterns: BTreeMap<String, PatternWord>,
    #[serde(default)]
    enhancement: BTreeMap<String, EnhancementWord>,
    #[serde(default)]
    too_small: Vec<String>,
    #[serde(default)]
    not_done: Vec<String>,
    #[serde(default)]
    units: BTreeMap<String, f64>,
    #[serde(default)]
    nodal_sites: Vec<String>,
    #[serde(default)]
    site_kinds: BTreeMap<String, LesionKind>,
    #[serde(default)]
    methods: BTreeMap<String, Modality>,
    #[serde(default)]
    default_evaluator: Option<String>,
    #[serde(default)]
    reference_date: Option<String>,
}

/// A mapping that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is not valid YAML, or a key or value is not understood.
    #[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line, where known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
}

/// The effective mapping, with every code and value upper-cased and trimmed.
#[derive(Debug, Clone)]
pub struct Mapping {
    tests: Codes<TestKind>,
    identify_tests: Vec<String>,
    roles: Codes<RoleWord>,
    states: Codes<StateWord>,
    patterns: Codes<PatternWord>,
    enhancement: Codes<EnhancementWord>,
    too_small: Vec<String>,
    /// The lengths of the `too_small` words: most results (numbers) are told apart by length.
    too_small_lens: Lengths,
    not_done: Vec<String>,
    units: Codes<f64>,
    nodal_sites: Vec<String>,
    site_kinds: Vec<(String, LesionKind)>,
    methods: Codes<Modality>,
    default_evaluator: String,
    reference_date: String,
    sources: Vec<String>,
}

/// Codes (upper-cased) and what they mean. Lookups happen several times per TR row, and a
/// mapping holds tens of codes: a short list is scanned, where most codes differ by length
/// and the rest by a byte compare, which is cheaper than walking a tree that compares bytes
/// at every node.
#[derive(Debug, Clone)]
struct Codes<T>(Vec<(String, T)>);

impl<T: Copy> Codes<T> {
    fn new() -> Codes<T> {
        Codes(Vec::new())
    }

    /// Adds a code, or gives an existing one its new meaning (a later file wins).
    fn insert(&mut self, code: String, value: T) {
        match self.0.iter_mut().find(|(k, _)| *k == code) {
            Some((_, v)) => *v = value,
            None => self.0.push((code, value)),
        }
    }

    fn find(&self, code: &str) -> Option<T> {
        self.0.iter().find(|(k, _)| k == code).map(|(_, v)| *v)
    }

    /// The value of a code, trimmed and compared case-insensitively.
    fn get(&self, code: &str) -> Option<T> {
        let k = trim(code);
        if let Some(v) = self.find(k) {
            return Some(v);
        }
        if k.bytes().any(|b| b.is_ascii_lowercase()) {
            return self.find(&k.to_ascii_uppercase());
        }
        None
    }
}

/// The byte lengths of a list of words (lengths of 63 and more share one mark): a word of
/// another length equals none of them, even ignoring ASCII case.
#[derive(Debug, Clone, Copy, Default)]
struct Lengths(u64);

impl Lengths {
    fn mark(len: usize) -> u64 {
        1 << len.min(63)
    }

    fn of(words: &[String]) -> Lengths {
        Lengths(words.iter().fold(0, |m, w| m | Lengths::mark(w.len())))
    }

    /// Whether a word of `len` bytes may be one of the words.
    fn may_hold(self, len: usize) -> bool {
        self.0 & Lengths::mark(len) != 0
    }
}

/// `s.trim()`, without its scan for Unicode white space in the usual case: a value that
/// starts and ends with a visible ASCII character has nothing to trim.
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        // Empty fields are common (TRSTAT, TREVALID, ...): nothing to trim.
        (None, _) => s,
        _ => s.trim(),
    }
}

/// Whether `needle` (upper-cased) begins a word of `hay` upper-cased: an occurrence at the
/// start of `hay` or after a byte that is neither an ASCII letter or digit, nor `-`, nor part
/// of a non-ASCII character, and not right after the word `NON` (`NODAL` is in
/// `NODAL MASS` and `AXILLARY NODAL`, not in `EXTRANODAL`, `NON-NODAL` or `NON NODAL`). The
/// needle may end inside a word (`LEPTOMENING` names `LEPTOMENINGEAL`). A plain scan without
/// copying: haystacks are short site names.
fn starts_word_upper(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    if needle.is_empty() {
        return true;
    }
    let is_word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || !b.is_ascii();
    let word_start = |i: usize| {
        let Some(before) = i.checked_sub(1).and_then(|p| hay.get(..p)) else {
            return true; // at the start
        };
        if hay.get(i - 1).is_some_and(|b| is_word_byte(*b)) {
            return false;
        }
        // Not right after the word NON.
        let n = before.len();
        let after_non = n >= 3
            && before[n - 3..].eq_ignore_ascii_case(b"NON")
            && (n == 3 || !is_word_byte(before[n - 4]));
        !after_non
    };
    hay.windows(needle.len()).enumerate().any(|(i, w)| {
        w.iter()
            .zip(needle)
            .all(|(h, n)| h.to_ascii_uppercase() == *n)
            && word_start(i)
    })
}

fn norm(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

fn parse(text: &str, file: &str) -> Result<MappingFile, MappingError> {
    let value = recist_yaml::parse_value(text).map_err(|e| MappingError::Invalid {
        file: file.to_string(),
        line: e.line,
        message: e.message,
    })?;
    if value.is_null() {
        return Ok(MappingFile::default());
    }
    recist_yaml::from_value(value).map_err(|e| MappingError::Invalid {
        file: file.to_string(),
        line: recist_yaml::locate(text, &e.path),
        message: e.to_string(),
    })
}

impl Mapping {
    /// The bundled default mapping.
    pub fn bundled() -> Result<Mapping, MappingError> {
        let mut m = Mapping {
            tests: Codes::new(),
            identify_tests: Vec::new(),
            roles: Codes::new(),
            states: Codes::new(),
            patterns: Codes::new(),
            enhancement: Codes::new(),
            too_small: Vec::new(),
            too_small_lens: Lengths::default(),
            not_done: Vec::new(),
            units: Codes::new(),
            nodal_sites: Vec::new(),
            site_kinds: Vec::new(),
            methods: Codes::new(),
            default_evaluator: "INVESTIGATOR".into(),
            reference_date: "RFSTDTC".into(),
            sources: Vec::new(),
        };
        m.extend_text(DEFAULT_MAPPING, "bundled:mapping/default.yaml")?;
        Ok(m)
    }

    /// The bundled mapping extended by a user file, when one is given.
    pub fn load(extra: Option<&Path>) -> Result<Mapping, MappingError> {
        let mut m = Mapping::bundled()?;
        if let Some(path) = extra {
            let file = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
                file: file.clone(),
                source,
            })?;
            m.extend_text(&text, &file)?;
        }
        Ok(m)
    }

    /// Extends this mapping with mapping-file text (`file` names it in errors).
    pub fn extend_text(&mut self, text: &str, file: &str) -> Result<(), MappingError> {
        let f = parse(text, file)?;
        let bad = |message: String| MappingError::Invalid {
            file: file.to_string(),
            line: None,
            message,
        };
        for (k, v) in f.tests {
            self.tests.insert(norm(&k), v);
        }
        self.identify_tests
            .extend(f.identify_tests.iter().map(|s| norm(s)));
        for (k, v) in f.roles {
            self.roles.insert(norm(&k), v);
        }
        for (k, v) in f.states {
            self.states.insert(norm(&k), v);
        }
        for (k, v) in f.patterns {
            self.patterns.insert(norm(&k), v);
        }
        for (k, v) in f.enhancement {
            self.enhancement.insert(norm(&k), v);
        }
        self.too_small.extend(f.too_small.iter().map(|s| norm(s)));
        self.too_small_lens = Lengths::of(&self.too_small);
        self.not_done.extend(f.not_done.iter().map(|s| norm(s)));
        for (k, v) in f.units {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad(format!(
                    "unit `{k}`: the factor to millimetres must be positive"
                )));
            }
            self.units.insert(norm(&k), v);
        }
        self.nodal_sites
            .extend(f.nodal_sites.iter().map(|s| norm(s)));
        for (k, v) in f.site_kinds {
            let k = norm(&k);
            self.site_kinds.retain(|(s, _)| *s != k);
            self.site_kinds.push((k, v));
        }
        // Longest names first, so `PLEURAL EFFUSION` wins over `EFFUSION`.
        self.site_kinds
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        for (k, v) in f.methods {
            self.methods.insert(norm(&k), v);
        }

        if let Some(e) = f.default_evaluator {
            if e.trim().is_empty() {
                return Err(bad("default_evaluator is empty".into()));
            }
            self.default_evaluator = norm(&e);
        }
        if let Some(r) = f.reference_date {
            self.reference_date = norm(&r);
        }
        self.sources.push(file.to_string());
        Ok(())
    }

    /// What a TR test code holds; `None` for an unknown code.
    pub fn test(&self, code: &str) -> Option<TestKind> {
        self.tests.get(code)
    }

    /// Whether some TR test code holds `kind` (e.g. whether the study's mRECIST codes were
    /// given: none is bundled for `viable` and `pattern`).
    pub fn reads(&self, kind: TestKind) -> bool {
        self.tests.0.iter().any(|(_, k)| *k == kind)
    }

    /// Whether a TU test code identifies a lesion.
    pub fn identifies(&self, code: &str) -> bool {
        let code = trim(code);
        self.identify_tests
            .iter()
            .any(|c| c == code || c.eq_ignore_ascii_case(code))
    }

    /// The role a TU result or TRGRPID names.
    pub fn role(&self, word: &str) -> Option<RoleWord> {
        self.roles.get(word)
    }

    /// The status a TUMSTATE result names.
    pub fn state(&self, word: &str) -> Option<StateWord> {
        self.states.get(word)
    }

    /// The imaging pattern a `pattern` row's result names (mRECIST).
    pub fn pattern(&self, word: &str) -> Option<PatternWord> {
        self.patterns.get(word)
    }

    /// The arterial enhancement an `enhancement` row's result names (mRECIST).
    pub fn enhancement(&self, word: &str) -> Option<EnhancementWord> {
        self.enhancement.get(word)
    }

    /// Whether a result means "too small to measure".
    #[inline]
    pub fn is_too_small(&self, word: &str) -> bool {
        let w = trim(word);
        !w.is_empty()
            && self.too_small_lens.may_hold(w.len())
            && self.too_small.iter().any(|c| c.eq_ignore_ascii_case(w))
    }

    /// Whether a TRSTAT value means "not done".
    pub fn is_not_done(&self, word: &str) -> bool {
        let w = trim(word);
        !w.is_empty() && self.not_done.iter().any(|c| c.eq_ignore_ascii_case(w))
    }

    /// The factor from a unit to millimetres.
    pub fn unit_factor(&self, unit: &str) -> Option<f64> {
        self.units.get(unit)
    }

    /// Whether a TULOC names a lymph node.
    pub fn is_nodal_site(&self, site: &str) -> bool {
        let s = trim(site);
        self.nodal_sites.iter().any(|n| starts_word_upper(s, n))
    }

    /// The lesion kind a TULOC implies, if any.
    pub fn site_kind(&self, site: &str) -> Option<LesionKind> {
        let s = trim(site);
        self.site_kinds
            .iter()
            .find(|(name, _)| starts_word_upper(s, name))
            .map(|(_, k)| *k)
    }

    /// The modality a TUMETHOD / TRMETHOD names.
    pub fn method(&self, word: &str) -> Option<Modality> {
        self.methods.get(word)
    }

    /// Evaluator used when TREVAL / TUEVAL / RSEVAL is empty.
    pub fn default_evaluator(&self) -> &str {
        &self.default_evaluator
    }

    /// The DM column giving day 0.
    pub fn reference_date_column(&self) -> &str {
        &self.reference_date
    }

    /// Where this mapping came from: the bundled file, then user files.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn bundled_mapping_reads_cdisc_terms() {
        let m = Mapping::bundled().unwrap();
        assert_eq!(m.test("ldiam"), Some(TestKind::LongAxis));
        assert_eq!(m.test(" LPERP "), Some(TestKind::ShortAxis));
        assert_eq!(m.test("VOLUME"), None);
        assert_eq!(m.role("Non-Target"), Some(RoleWord::NonTarget));
        assert_eq!(
            m.state("UNEQUIVOCAL PROGRESSION"),
            Some(StateWord::Progression)
        );
        assert!(m.is_too_small("too small to measure"));
        assert!(m.is_not_done("NOT DONE"));
        assert_eq!(m.unit_factor("cm"), Some(10.0));
        assert!(m.is_nodal_site("Mediastinal lymph node"));
        assert!(!m.is_nodal_site("LIVER"));
        assert_eq!(
            m.site_kind("RIGHT PLEURAL EFFUSION"),
            Some(LesionKind::Effusion)
        );
        assert_eq!(m.method("CT SCAN"), Some(Modality::Ct));
        // mRECIST: the result words are bundled, the test codes are the study's own.
        assert_eq!(m.pattern("Typical"), Some(PatternWord::Typical));
        assert_eq!(m.pattern("ATYPICAL"), Some(PatternWord::Atypical));
        assert_eq!(m.pattern("WASHOUT"), None);
        assert_eq!(
            m.enhancement("non-enhancing"),
            Some(EnhancementWord::NonEnhancing)
        );
        assert_eq!(m.test("VIABDIAM"), None);
    }

    #[test]
    fn mr_meas_a_user_file_names_the_mrecist_test_codes() {
        let mut m = Mapping::bundled().unwrap();
        m.extend_text(
            "tests: {VIABDIAM: viable, HCCPATT: pattern, ARTENH: enhancement}\npatterns: {LR-5: typical}\n",
            "sponsor.yaml",
        )
        .unwrap();
        assert_eq!(m.test("viabdiam"), Some(TestKind::Viable));
        assert_eq!(m.test("HCCPATT"), Some(TestKind::Pattern));
        assert_eq!(m.test("ARTENH"), Some(TestKind::Enhancement));
        assert_eq!(m.pattern("lr-5"), Some(PatternWord::Typical));
        assert_eq!(m.pattern("TYPICAL"), Some(PatternWord::Typical));
        let err = m
            .extend_text("patterns: {X: washout}\n", "bad.yaml")
            .unwrap_err();
        assert!(err.to_string().contains("bad.yaml:1"), "{err}");
    }

    #[test]
    fn too_small_by_length_agrees_with_the_list() {
        let mut m = Mapping::bundled().unwrap();
        let long = "X".repeat(70);
        m.extend_text(&format!("too_small: [\"0\", \"{long}\"]"), "t")
            .unwrap();
        for w in [
            "",
            "0",
            " 0 ",
            "00",
            "19",
            "12.5",
            "too small",
            "TOO SMALL TO MEASURE",
            "Too Small To Measure ",
            "TOO SMALL TO MEASUR",
            &long,
            &"x".repeat(70),
            &"X".repeat(71),
            &"X".repeat(63),
        ] {
            let t = w.trim();
            let listed = !t.is_empty() && m.too_small.iter().any(|c| c.eq_ignore_ascii_case(t));
            assert_eq!(m.is_too_small(w), listed, "{w:?}");
        }
    }

    #[test]
    fn quick_trim_agrees_with_str() {
        for t in [
            "",
            " ",
            "X",
            " X",
            "X ",
            "\u{a0}X",
            "X\u{a0}",
            "\u{2003}",
            "é",
            "éX",
            "Xé",
            "\tX\n",
            "LYMPH NODE",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    /// R11-NODE-RECORD, MR-PHNODE, MR-PVT: a TULOC naming a node beside the liver is a node
    /// (`LYMPH NODE OF THE LIVER HILUM`, `HEPATIC HILUM LYMPH NODE`), a portal vein site a
    /// tumour thrombus, and a vascular site with liver words (`HEPATIC SEGMENT OF THE IVC`)
    /// neither: which organ such a site is, the rule set's `site_reading` says (the engine).
    #[test]
    fn r11_node_record_mr_pvt_sites_beside_the_liver() {
        let m = Mapping::bundled().unwrap();
        for (site, nodal) in [
            ("LYMPH NODE OF THE LIVER HILUM", true),
            ("HEPATIC HILUM LYMPH NODE", true),
            ("PORTA HEPATIS LYMPH NODES", true),
            ("HEPATIC SEGMENT OF THE IVC", false),
            ("RIGHT HEPATIC LOBE", false),
            ("PORTAL VEIN", false),
        ] {
            assert_eq!(m.is_nodal_site(site), nodal, "{site:?}");
        }
        for site in [
            "PORTAL VEIN",
            "RIGHT PORTAL VEIN BRANCH",
            "MAIN PORTAL VEIN THROMBUS",
        ] {
            assert_eq!(
                m.site_kind(site),
                Some(LesionKind::TumourThrombus),
                "{site}"
            );
        }
        assert_eq!(m.site_kind("HEPATIC SEGMENT OF THE IVC"), None);
        assert_eq!(m.site_kind("LIVER"), None);
    }

    #[test]
    fn a_site_name_counts_where_it_begins_a_word() {
        let m = Mapping::bundled().unwrap();
        for (site, nodal) in [
            ("LYMPH NODE", true),
            ("Axillary Lymph Nodes", true),
            ("NODAL MASS, AXILLA", true),
            ("MEDIASTINAL (NODAL)", true),
            ("subcarinal nodal", true),
            ("EXTRANODAL MASS", false),
            ("NON-NODAL SOFT TISSUE", false),
            ("Non nodal soft tissue", false),
            ("ANON NODAL", true),
            ("LIVER", false),
            ("ÉNODAL", false),
            ("", false),
        ] {
            assert_eq!(m.is_nodal_site(site), nodal, "{site:?}");
        }
        assert_eq!(
            m.site_kind("LEPTOMENINGEAL"),
            Some(LesionKind::Leptomeningeal)
        );
        assert_eq!(
            m.site_kind("RIGHT PLEURAL EFFUSION"),
            Some(LesionKind::Effusion)
        );
        assert_eq!(m.site_kind("PERIPORTAL VEIN"), None);
        assert_eq!(
            m.site_kind("MAIN PORTAL VEIN"),
            Some(LesionKind::TumourThrombus)
        );
    }

    #[test]
    fn a_user_file_extends_the_default() {
        let mut m = Mapping::bundled().unwrap();
        m.extend_text(
            "tests: {LONGDIAM: long-axis, VOLUME: ignore}\nnodal_sites: [LN]\n",
            "sponsor.yaml",
        )
        .unwrap();
        assert_eq!(m.test("LONGDIAM"), Some(TestKind::LongAxis));
        assert_eq!(m.test("VOLUME"), Some(TestKind::Ignore));
        assert_eq!(m.test("LDIAM"), Some(TestKind::LongAxis));
        assert!(m.is_nodal_site("HILAR LN"));
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let mut m = Mapping::bundled().unwrap();
        let err = m
            .extend_text("tests: {X: long-axis}\nsites: []\n", "bad.yaml")
            .unwrap_err();
        assert!(err.to_string().starts_with("bad.yaml"), "{err}");
        let err = m
            .extend_text("tests:\n  X: width\n", "bad.yaml")
            .unwrap_err();
        assert!(err.to_string().contains("bad.yaml:2"), "{err}");
    }
}
