//! Case files (`case-format.md`): raw serde structs, then validation into [`Subject`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use recist_model::{
    Assessment, Cytology, Diameters, FieldPlacement, Finding, FollowUp, Lesion, LesionKind, Mm,
    Modality, NewLesion, NonTargetFinding, NonTargetStatus, RadiotherapyCourse, Role, Subject,
    TargetFinding,
};
use recist_yaml::{PathSegment, locate};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{CaseError, Place};

/// One subject read from a case file, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedCase {
    /// The validated subject.
    pub subject: Subject,
    /// What the case shows (fixtures).
    pub description: Option<String>,
    /// Expected responses (fixtures), as written.
    pub expected: Option<Value>,
    /// The file.
    pub file: String,
    /// 1-based line where the subject starts.
    pub line: usize,
    /// What the reader read that the file did not state (a lesion's kind taken from its
    /// site's words), one line each; [`LoadedCase::note_in`] adds them to results' warnings.
    pub notes: Vec<String>,
}

impl LoadedCase {
    /// Adds this case's reader [`notes`](LoadedCase::notes) to the warnings of each of its
    /// results (those not already there), so that what the file did not say is shown with
    /// the responses it shaped.
    pub fn note_in(&self, results: &mut [recist_model::SubjectResult]) {
        for r in results {
            for n in &self.notes {
                if !r.warnings.contains(n) {
                    r.warnings.push(n.clone());
                }
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    #[serde(default)]
    format: Option<String>,
    subject: String,
    #[serde(default)]
    evaluator: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    treatment_start: Option<NaiveDate>,
    #[serde(default)]
    covariates: BTreeMap<String, Value>,
    #[serde(default)]
    follow_up: Option<RawFollowUp>,
    #[serde(default)]
    radiotherapy: Vec<RawCourse>,
    lesions: Vec<RawLesion>,
    assessments: Vec<RawAssessment>,
    #[serde(default)]
    expected: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFollowUp {
    #[serde(default)]
    last_known_alive: Option<NaiveDate>,
    #[serde(default)]
    death: Option<NaiveDate>,
    #[serde(default)]
    new_therapy: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    id: String,
    site: String,
    #[serde(default)]
    start: Option<NaiveDate>,
    #[serde(default)]
    end: Option<NaiveDate>,
    #[serde(default)]
    total_dose_gy: Option<f64>,
    #[serde(default)]
    fractions: Option<u32>,
    #[serde(default)]
    lesions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesion {
    id: String,
    site: String,
    role: Role,
    #[serde(default)]
    nodal: bool,
    #[serde(default)]
    hcc_typical: bool,
    #[serde(default)]
    kind: Option<LesionKind>,
    #[serde(default)]
    method: Option<Modality>,
    #[serde(default)]
    prior_local_therapy: bool,
    #[serde(default)]
    progressed_after_local_therapy: bool,
    #[serde(default)]
    field: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssessment {
    date: NaiveDate,
    #[serde(default)]
    modality: Modality,
    #[serde(default)]
    slice_thickness_mm: Option<Mm>,
    #[serde(default)]
    visit: Option<String>,
    #[serde(default)]
    visit_number: Option<f64>,
    #[serde(default)]
    findings: BTreeMap<String, Value>,
    #[serde(default)]
    new_lesions: Vec<RawNewLesion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewLesion {
    id: String,
    site: String,
    #[serde(default)]
    nodal: bool,
    #[serde(default)]
    kind: Option<LesionKind>,
    #[serde(default)]
    long_axis: Option<Mm>,
    #[serde(default)]
    short_axis: Option<Mm>,
    #[serde(default)]
    viable: Option<Mm>,
    #[serde(default)]
    equivocal: bool,
    #[serde(default)]
    hcc_typical: bool,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    cytology: Option<Cytology>,
    #[serde(default)]
    increased: bool,
    #[serde(default)]
    progression: bool,
}

/// The subject and evaluator a case names, and where it starts: what identifies a case
/// within a data set (`case-format.md`: a subject is unique within a data set, and results are
/// kept apart per evaluator). Read before, and whatever the outcome of, validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseKey {
    /// `subject`, as written.
    pub subject: String,
    /// `evaluator`, as written, where given.
    pub evaluator: Option<String>,
    /// The file.
    pub file: String,
    /// 1-based line where the case starts (its YAML document, its JSON Lines line).
    pub line: usize,
}

/// A case with its key (`None` when the text names no usable subject, a syntax error say).
pub type KeyedCase = (Option<CaseKey>, Result<LoadedCase, CaseError>);

/// The key of a parsed case: its `subject` (a non-blank string) and `evaluator` (a string, or
/// absent or null).
fn key_of(value: &Value, file: &str, line: usize) -> Option<CaseKey> {
    let subject = value.get("subject")?.as_str()?;
    if subject.trim().is_empty() {
        return None;
    }
    let evaluator = match value.get("evaluator") {
        None | Some(Value::Null) => None,
        Some(Value::String(e)) => Some(e.clone()),
        Some(_) => return None,
    };
    Some(CaseKey {
        subject: subject.to_string(),
        evaluator,
        file: file.to_string(),
        line,
    })
}

/// Reads every subject of a case file: YAML (several `---` documents allowed), JSON, or
/// JSON Lines (`.jsonl`, one subject per line).
///
/// A file that cannot be read gives one error; otherwise each subject (YAML document, JSON
/// Lines line) is its own `Ok` or `Err`, a syntax error or bytes that are not UTF-8 included,
/// so one bad subject does not hide the others.
pub fn read_case_file(path: &Path) -> Result<Vec<Result<LoadedCase, CaseError>>, CaseError> {
    Ok(read_case_file_keyed(path)?
        .into_iter()
        .map(|(_, c)| c)
        .collect())
}

/// [`read_case_file`], each case with its key (for [`refuse_duplicates`]).
///
/// Bytes that are not UTF-8 refuse the case (YAML document, JSON Lines line) that holds them,
/// not the file: see [`CaseText`].
pub fn read_case_file_keyed(path: &Path) -> Result<Vec<KeyedCase>, CaseError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CaseError::Read {
        file: file.clone(),
        source,
    })?;
    let jsonl = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    Ok(CaseText::from_bytes(bytes).read_keyed(&file, jsonl))
}

/// The text of a case file whose bytes may not all be UTF-8.
///
/// Where they are not, each offending sequence is replaced (U+FFFD) and its line is kept, so
/// that the case holding it (its YAML or JSON document, its JSON Lines line) is refused alone
/// with a [`CaseError::NotUtf8`] naming the line and byte, and the file's other cases are
/// still read. A line outside every document (a comment before a `---`, say) refuses the
/// document after it, or the last one when none follows.
///
/// ```
/// let bytes = b"subject: S-1\nlesions: []\nassessments: []\n---\nsubject: S-2 # caf\xe9\n".to_vec();
/// let text = recist_io::CaseText::from_bytes(bytes);
/// assert_eq!(text.not_utf8, vec![(5, 19)]);
/// let cases = text.read_keyed("two.yaml", false);
/// assert_eq!(cases.len(), 2);
/// let refused = cases[1].1.as_ref().unwrap_err().to_string();
/// assert_eq!(refused, "two.yaml:5: subject `S-2`: byte 19: not valid UTF-8");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseText {
    /// The text: the bytes themselves when they are all UTF-8.
    pub text: String,
    /// Each line holding bytes that are not UTF-8, in order: its 1-based number and the
    /// 1-based byte of the line where the bytes stop being UTF-8.
    pub not_utf8: Vec<(usize, usize)>,
}

impl From<String> for CaseText {
    fn from(text: String) -> CaseText {
        CaseText {
            text,
            not_utf8: Vec::new(),
        }
    }
}

impl CaseText {
    /// The text of a file's bytes, each line that is not UTF-8 noted (lines end at `\n`).
    pub fn from_bytes(bytes: Vec<u8>) -> CaseText {
        match String::from_utf8(bytes) {
            Ok(text) => CaseText::from(text),
            Err(e) => {
                let bytes = e.into_bytes();
                let not_utf8 = bytes
                    .split(|&b| b == b'\n')
                    .enumerate()
                    .filter_map(|(i, line)| {
                        std::str::from_utf8(line)
                            .err()
                            .map(|e| (i + 1, e.valid_up_to() + 1))
                    })
                    .collect();
                CaseText {
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    not_utf8,
                }
            }
        }
    }

    /// Every case, as [`read_case_text_keyed`] reads them; a case holding bytes that are not
    /// UTF-8 is a [`CaseError::NotUtf8`], with its key where that is readable all the same.
    pub fn read_keyed(&self, file: &str, jsonl: bool) -> Vec<KeyedCase> {
        read_keyed(&self.text, &self.not_utf8, file, jsonl)
    }

    /// The keys of the cases, as [`case_keys`] gives them and [`CaseText::read_keyed`] keys
    /// them (a case holding bytes that are not UTF-8 has its key only where it is readable).
    pub fn keys(&self, file: &str, jsonl: bool) -> Vec<CaseKey> {
        keys_of(&self.text, &self.not_utf8, file, jsonl)
    }
}

/// Reads every subject of case-file text; `file` names it in errors.
pub fn read_case_text(
    text: &str,
    file: &str,
    jsonl: bool,
) -> Result<Vec<Result<LoadedCase, CaseError>>, CaseError> {
    Ok(read_case_text_keyed(text, file, jsonl)
        .into_iter()
        .map(|(_, c)| c)
        .collect())
}

/// How many cases a YAML or JSON case file's text holds: its documents, split as
/// [`read_case_text`] splits them (empty ones skipped), before any is parsed.
pub fn case_documents(text: &str) -> usize {
    recist_yaml::document_texts(text).len()
}

/// [`read_case_text`], each case with its key (for [`refuse_duplicates`]).
pub fn read_case_text_keyed(text: &str, file: &str, jsonl: bool) -> Vec<KeyedCase> {
    read_keyed(text, &[], file, jsonl)
}

/// [`read_case_text_keyed`] of a text whose lines `not_utf8` held bytes that are not UTF-8.
fn read_keyed(text: &str, not_utf8: &[(usize, usize)], file: &str, jsonl: bool) -> Vec<KeyedCase> {
    let cases = read_cases_of(text, not_utf8, file, jsonl);
    if cases.is_empty() {
        return vec![(
            None,
            Err(CaseError::Empty {
                file: file.to_string(),
            }),
        )];
    }
    cases
}

/// A case refused for bytes that are not UTF-8: at its first such line.
fn not_utf8_case(file: &str, (line, byte): (usize, usize), subject: Option<String>) -> KeyedCase {
    let error = CaseError::NotUtf8 {
        file: file.to_string(),
        line,
        byte,
        subject,
    };
    (None, Err(error))
}

/// For each document of [`recist_yaml::document_texts`], the first of the lines `not_utf8`
/// that refuses it: one inside it, or one outside every document that comes before it (or,
/// after the last document, the last one).
fn not_utf8_owners(
    docs: &[(usize, String)],
    not_utf8: &[(usize, usize)],
) -> Vec<Option<(usize, usize)>> {
    let mut owners = vec![None; docs.len()];
    // The line after a document's last one (each of its lines ends in `\n`).
    let end = |(first, text): &(usize, String)| first + text.matches('\n').count();
    let mut d = 0;
    for &bad in not_utf8 {
        while d + 1 < docs.len() && docs.get(d).is_some_and(|doc| bad.0 >= end(doc)) {
            d += 1;
        }
        if let Some(owner) = owners.get_mut(d) {
            owner.get_or_insert(bad);
        }
    }
    owners
}

/// The key of a document refused for bytes that are not UTF-8, where its `subject` and
/// `evaluator` are readable all the same (not themselves made of such bytes): so the refusal
/// names its subject, and a subject × evaluator with another case elsewhere is still found.
fn readable_key(doc: &str, file: &str, first_line: usize) -> Option<CaseKey> {
    let value = recist_yaml::parse_value(doc).ok()?;
    let key = key_of(&value, file, first_line)?;
    let unreadable = |s: &str| s.contains(char::REPLACEMENT_CHARACTER);
    (!unreadable(&key.subject) && !key.evaluator.as_deref().is_some_and(unreadable)).then_some(key)
}

/// The value of a top-level `key:` line of a document that is not valid YAML: `None` when no
/// such line, `Some(None)` when its value does not read as a plain or quoted scalar.
fn line_value(doc: &str, key: &str) -> Option<Option<String>> {
    doc.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?.trim();
        let value = value.split(" #").next().unwrap_or(value).trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        let plain = !value.is_empty()
            && !value.contains(['{', '}', '[', ']', '"', '\'', '\\'])
            && !value.contains(char::REPLACEMENT_CHARACTER);
        Some(plain.then(|| value.to_string()))
    })
}

/// The subject a document that is not valid YAML names on a top-level `subject:` line of
/// its own (plain or quoted), so that its refusal names it.
fn subject_line(doc: &str) -> Option<String> {
    line_value(doc, "subject").flatten()
}

/// The key of a document that is not valid YAML, read from its own top-level `subject:` and
/// `evaluator:` lines where both read plainly (no `evaluator:` line: none given): so the
/// duplicate-case check sees it, and a subject with a broken copy elsewhere is not adjudicated
/// from the other copy alone.
fn syntax_error_key(doc: &str, file: &str, first_line: usize) -> Option<CaseKey> {
    let subject = subject_line(doc)?;
    let evaluator = match line_value(doc, "evaluator") {
        None => None,
        Some(Some(e)) => Some(e),
        Some(None) => return None,
    };
    Some(CaseKey {
        subject,
        evaluator,
        file: file.to_string(),
        line: first_line,
    })
}

/// Notes a kind read from a site's words (once per lesion id: a new lesion is listed at every
/// assessment that sees it).
fn note_kind_from_site(
    notes: &mut Vec<String>,
    what: &str,
    id: &str,
    given: Option<LesionKind>,
    read: Option<LesionKind>,
    site: &str,
) {
    let (None, Some(kind)) = (given, read) else {
        return;
    };
    let note = format!(
        "{what} `{id}`: kind `{}` read from its site `{site}` (the case gives no `kind`)",
        kind.as_str()
    );
    if !notes.contains(&note) {
        notes.push(note);
    }
}

/// [`read_case_text_keyed`] without the check that the text holds a case.
fn read_cases_of(
    text: &str,
    not_utf8: &[(usize, usize)],
    file: &str,
    jsonl: bool,
) -> Vec<KeyedCase> {
    if jsonl {
        let mut out = Vec::new();
        let mut bad = not_utf8.iter().peekable();
        for (i, line) in text.lines().enumerate() {
            if let Some(&b) = bad.next_if(|b| b.0 == i + 1) {
                out.push(not_utf8_case(file, b, None));
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            out.push(match serde_json::from_str::<Value>(line) {
                Ok(value) => (
                    key_of(&value, file, i + 1),
                    convert(value, line, i + 1, file),
                ),
                Err(e) => (
                    None,
                    Err(CaseError::Syntax {
                        file: file.to_string(),
                        line: Some(i + 1),
                        subject: None,
                        message: e.to_string(),
                    }),
                ),
            });
        }
        return out;
    }
    // Each document on its own: a syntax error in one refuses that subject only, and so do
    // bytes that are not UTF-8.
    let docs = recist_yaml::document_texts(text);
    if docs.is_empty()
        && let Some(&first) = not_utf8.first()
    {
        return vec![not_utf8_case(file, first, None)];
    }
    let owners = not_utf8_owners(&docs, not_utf8);
    let several = docs.len() > 1;
    docs.into_iter()
        .zip(owners)
        .map(|((first_line, doc), bad)| {
            if let Some(bad) = bad {
                let key = readable_key(&doc, file, first_line);
                let (_, refused) =
                    not_utf8_case(file, bad, key.as_ref().map(|k| k.subject.clone()));
                return (key, refused);
            }
            match recist_yaml::parse_document_value(first_line, &doc, several) {
                Ok(value) => (
                    key_of(&value, file, first_line),
                    convert(value, &doc, first_line, file),
                ),
                Err(e) => {
                    // Only a document that is not YAML has its key read from its lines.
                    let key = syntax_error_key(&doc, file, first_line);
                    (
                        key.clone(),
                        Err(CaseError::Syntax {
                            file: file.to_string(),
                            line: e.line,
                            subject: key.map(|k| k.subject),
                            message: e.message,
                        }),
                    )
                }
            }
        })
        .collect()
}

/// The keys of every case of case-file text, as [`read_case_text_keyed`] gives them, without
/// validating the cases: for finding the cases of one subject × evaluator across files before
/// reading them.
pub fn case_keys(text: &str, file: &str, jsonl: bool) -> Vec<CaseKey> {
    keys_of(text, &[], file, jsonl)
}

/// [`case_keys`] of a text whose lines `not_utf8` held bytes that are not UTF-8, keyed as
/// [`read_cases_of`] keys them.
fn keys_of(text: &str, not_utf8: &[(usize, usize)], file: &str, jsonl: bool) -> Vec<CaseKey> {
    /// The two keys of a case; the rest of it is checked, not kept.
    #[derive(Deserialize)]
    struct Keys {
        #[serde(default)]
        subject: Option<Value>,
        #[serde(default)]
        evaluator: Option<Value>,
    }
    impl Keys {
        fn value(self) -> Value {
            let mut map = serde_json::Map::new();
            if let Some(s) = self.subject {
                map.insert("subject".into(), s);
            }
            if let Some(e) = self.evaluator {
                map.insert("evaluator".into(), e);
            }
            Value::Object(map)
        }
    }
    if jsonl {
        return text
            .lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let line_no = i + 1;
                if not_utf8.binary_search_by_key(&line_no, |b| b.0).is_ok() {
                    return None;
                }
                // Only the two keys are built; the rest of the line is checked, not kept.
                let value = if line.trim_start().starts_with('{') {
                    match serde_json::from_str::<Keys>(line) {
                        Ok(k) => k.value(),
                        // A repeated key, say: as the full reading sees it.
                        Err(_) => serde_json::from_str::<Value>(line).ok()?,
                    }
                } else {
                    return None;
                };
                key_of(&value, file, line_no)
            })
            .collect();
    }
    let docs = recist_yaml::document_texts(text);
    let owners = not_utf8_owners(&docs, not_utf8);
    docs.into_iter()
        .zip(owners)
        .filter_map(|((first_line, doc), bad)| {
            if bad.is_some() {
                return readable_key(&doc, file, first_line);
            }
            // Only the two keys are built; where that reading fails (a syntax error, a
            // document that is not a mapping), the full one decides, as reading the case does.
            let value = match recist_yaml::parse_as::<Keys>(&doc) {
                Ok(k) => k.value(),
                Err(_) => match recist_yaml::parse_value(&doc) {
                    Ok(v) => v,
                    // Not YAML: the key its own lines give, as the reading takes it.
                    Err(_) => return syntax_error_key(&doc, file, first_line),
                },
            };
            key_of(&value, file, first_line)
        })
        .collect()
}

/// The subject × evaluator of a key, as duplicates are found: the subject as written, the
/// evaluator trimmed and case-folded (none given is its own evaluator).
fn unit_of(key: &CaseKey) -> (String, String) {
    (
        key.subject.clone(),
        key.evaluator
            .as_deref()
            .map(|e| e.trim().to_ascii_uppercase())
            .unwrap_or_default(),
    )
}

/// Refuses every subject × evaluator with more than one case (`case-format.md`: a subject is
/// unique within a data set): the first of its cases becomes one [`CaseError::Duplicate`]
/// naming them all, the others are left out. Other cases are kept, in order.
pub fn refuse_duplicates(cases: Vec<KeyedCase>) -> Vec<Result<LoadedCase, CaseError>> {
    // Per subject × evaluator: its first key and the places of all its cases.
    type Places = Vec<(String, usize)>;
    let mut units: BTreeMap<(String, String), (&CaseKey, Places)> = BTreeMap::new();
    for key in cases.iter().filter_map(|(k, _)| k.as_ref()) {
        units
            .entry(unit_of(key))
            .or_insert_with(|| (key, Vec::new()))
            .1
            .push((key.file.clone(), key.line));
    }
    let mut refused: BTreeMap<(String, String), Option<CaseError>> = units
        .into_iter()
        .filter(|(_, (_, places))| places.len() > 1)
        .map(|(unit, (first, places))| {
            let error = CaseError::Duplicate {
                subject: first.subject.clone(),
                evaluator: first.evaluator.clone(),
                places,
            };
            (unit, Some(error))
        })
        .collect();
    if refused.is_empty() {
        return cases.into_iter().map(|(_, c)| c).collect();
    }
    let mut out = Vec::with_capacity(cases.len());
    for (key, case) in cases {
        match key.map(|k| unit_of(&k)).and_then(|u| refused.get_mut(&u)) {
            // The first case of a duplicate stands for them all; the others are left out.
            Some(error) => out.extend(error.take().map(Err)),
            None => out.push(case),
        }
    }
    out
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    first_line: usize,
    subject: Option<String>,
}

impl Ctx<'_> {
    fn err(
        &self,
        path: &[PathSegment],
        date: Option<NaiveDate>,
        lesion: Option<&str>,
        message: impl Into<String>,
    ) -> CaseError {
        CaseError::Invalid {
            place: Place {
                file: self.file.to_string(),
                line: Some(
                    locate(self.text, path).map_or(self.first_line, |l| l + self.first_line - 1),
                ),
                subject: self.subject.clone(),
                date,
                lesion: lesion.map(str::to_string),
            },
            message: message.into(),
        }
    }
}

/// A baseline lesion's `field` (section 6: `RT1` inside that course's field, `marginal:RT1`
/// at its margin, `none` outside every field, `unknown`), written into the courses' lists and
/// the lesion. A `field` that contradicts a course's `lesions` is refused, naming both.
fn place_baseline_lesions(
    ctx: &Ctx<'_>,
    fields: &[(usize, String, String)],
    lesions: &mut [Lesion],
    courses: &mut [RadiotherapyCourse],
) -> Result<(), CaseError> {
    for (i, id, field) in fields {
        let path = [key("lesions"), PathSegment::Index(*i), key("field")];
        let err = |message: String| ctx.err(&path, None, Some(id), message);
        let listed_by = |courses: &[RadiotherapyCourse]| {
            courses
                .iter()
                .find(|c| c.lesions.contains(id))
                .map(|c| c.id.clone())
        };
        match field.as_str() {
            // `""` reads as `none`, as on a new lesion.
            "none" | "unknown" | "" => {
                if let Some(rt) = listed_by(courses) {
                    let field = if field.is_empty() { "none" } else { field };
                    return Err(err(format!(
                        "lesion has `field: {field}` but radiotherapy course `{rt}` lists it among the lesions inside its field"
                    )));
                }
                if field == "unknown"
                    && let Some(l) = lesions.iter_mut().find(|l| &l.id == id)
                {
                    l.field_unknown = true;
                }
            }
            f => {
                let (marginal, rt) = match f.strip_prefix("marginal:") {
                    Some(rt) => (true, rt.trim()),
                    None => (false, f),
                };
                let Some(course) = courses.iter_mut().find(|c| c.id == rt) else {
                    return Err(err(format!(
                        "lesion names unknown radiotherapy field `{rt}` (give a course id, `marginal:` and a course id, `none` or `unknown`)"
                    )));
                };
                if !marginal {
                    if !course.lesions.contains(id) {
                        course.lesions.push(id.clone());
                    }
                } else if course.lesions.contains(id) {
                    return Err(err(format!(
                        "lesion has `field: marginal:{rt}` but radiotherapy course `{rt}` lists it among the lesions inside its field"
                    )));
                } else {
                    course.marginal_lesions.push(id.clone());
                }
            }
        }
    }
    Ok(())
}

/// Lesion kinds a site names by the kind's own words, for a lesion given without `kind`:
/// `right pleural effusion` is an effusion, `tumour thrombus of the portal vein` a tumour
/// thrombus. These kinds are not measurable disease (R11-NONMEAS) and effusions and ascites
/// need cytology for progression under mRECIST (MR-EFFUSION), so a site that says what the
/// lesion is must not be read as an ordinary lesion because `kind` was left out.
const KIND_WORDS: [(&[&str], LesionKind); 6] = [
    (&["effusion"], LesionKind::Effusion),
    (&["ascites"], LesionKind::Ascites),
    (&["tumour", "thrombus"], LesionKind::TumourThrombus),
    (&["tumor", "thrombus"], LesionKind::TumourThrombus),
    (&["leptomeningeal"], LesionKind::Leptomeningeal),
    (&["lymphangitic"], LesionKind::Lymphangitic),
];

/// Words after which a site describes something beside the lesion, not the lesion:
/// `omental cake with ascites` is a mass (the ascites is another lesion or none),
/// `pleural nodule, no effusion` a nodule. `w` is `w/`.
const BESIDE_WORDS: [&str; 4] = ["with", "w", "without", "no"];

/// A lesion's kind: the one given, else the one its site names ([`KIND_WORDS`], as whole
/// words ignoring case, before any of [`BESIDE_WORDS`]), else none.
fn kind_or_from_site(kind: Option<LesionKind>, site: &str) -> Option<LesionKind> {
    if kind.is_some() {
        return kind;
    }
    let words: Vec<&str> = site
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take_while(|w| !BESIDE_WORDS.iter().any(|b| w.eq_ignore_ascii_case(b)))
        .collect();
    KIND_WORDS.iter().find_map(|(want, k)| {
        words
            .windows(want.len())
            .any(|w| {
                w.iter()
                    .zip(want.iter())
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
            .then_some(*k)
    })
}

fn key(k: &str) -> PathSegment {
    PathSegment::Key(k.to_string())
}

fn convert(
    value: Value,
    text: &str,
    first_line: usize,
    file: &str,
) -> Result<LoadedCase, CaseError> {
    let mut ctx = Ctx {
        file,
        text,
        first_line,
        subject: value
            .get("subject")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    if !value.is_object() {
        let what = match &value {
            Value::Array(_) => "a list",
            Value::String(_) => "a text",
            _ => "a single value",
        };
        return Err(ctx.err(
            &[],
            None,
            None,
            format!(
                "this document is {what}; a case is a mapping of keys (subject, lesions, assessments, …: case-format.md)"
            ),
        ));
    }
    let raw: RawCase = recist_yaml::from_value(value).map_err(|e| {
        let path = e.path.clone();
        ctx.err(&path, None, None, e.to_string())
    })?;
    ctx.subject = Some(raw.subject.clone());
    if let Some(format) = &raw.format
        && !(format == "recist-case/1" || format.starts_with("recist-case/1."))
    {
        return Err(ctx.err(
            &[key("format")],
            None,
            None,
            format!("format `{format}` is not supported (this reader takes recist-case/1)"),
        ));
    }
    if raw.subject.trim().is_empty() {
        return Err(ctx.err(&[key("subject")], None, None, "subject is empty"));
    }

    // Lesions.
    let mut lesions = Vec::new();
    let mut notes = Vec::new();
    let mut ids = BTreeSet::new();
    // Each lesion's `field`, where given, read once the courses are known.
    let mut fields: Vec<(usize, String, String)> = Vec::new();
    for (i, l) in raw.lesions.into_iter().enumerate() {
        let path = [key("lesions"), PathSegment::Index(i), key("id")];
        if l.id.trim().is_empty() {
            return Err(ctx.err(&path, None, None, "lesion id is empty"));
        }
        if !ids.insert(l.id.clone()) {
            return Err(ctx.err(&path, None, Some(&l.id), "lesion id used twice"));
        }
        let nodal = l.nodal || l.kind == Some(LesionKind::LymphNode);
        let kind = kind_or_from_site(l.kind, &l.site);
        note_kind_from_site(&mut notes, "lesion", &l.id, l.kind, kind, &l.site);
        if let Some(f) = &l.field {
            fields.push((i, l.id.clone(), f.trim().to_string()));
        }
        lesions.push(Lesion {
            id: l.id,
            site: l.site,
            role: l.role,
            nodal,
            hcc_typical: l.hcc_typical,
            kind,
            method: l.method,
            prior_local_therapy: l.prior_local_therapy,
            progressed_after_local_therapy: l.progressed_after_local_therapy,
            field_unknown: false,
        });
    }
    if lesions.is_empty() {
        return Err(ctx.err(
            &[key("lesions")],
            None,
            None,
            "no lesion identified at baseline",
        ));
    }

    // Radiotherapy.
    let mut courses: Vec<RadiotherapyCourse> = Vec::new();
    for (i, rt) in raw.radiotherapy.into_iter().enumerate() {
        let base = [key("radiotherapy"), PathSegment::Index(i)];
        if courses.iter().any(|c| c.id == rt.id) {
            return Err(ctx.err(
                &[base[0].clone(), base[1].clone(), key("id")],
                None,
                None,
                format!("radiotherapy course `{}` listed twice", rt.id),
            ));
        }
        for (j, lesion) in rt.lesions.iter().enumerate() {
            if !ids.contains(lesion) {
                return Err(ctx.err(
                    &[
                        base[0].clone(),
                        base[1].clone(),
                        key("lesions"),
                        PathSegment::Index(j),
                    ],
                    None,
                    Some(lesion),
                    format!(
                        "radiotherapy field `{}` names unknown lesion `{lesion}`",
                        rt.id
                    ),
                ));
            }
        }
        if let (Some(s), Some(e)) = (rt.start, rt.end)
            && e < s
        {
            return Err(ctx.err(
                &[base[0].clone(), base[1].clone(), key("end")],
                None,
                None,
                format!("radiotherapy `{}` ends {e} before it starts {s}", rt.id),
            ));
        }
        if rt
            .total_dose_gy
            .is_some_and(|d| !(d.is_finite() && d > 0.0))
        {
            return Err(ctx.err(
                &[base[0].clone(), base[1].clone(), key("total_dose_gy")],
                None,
                None,
                "total dose must be a positive number of Gy",
            ));
        }
        if rt.fractions == Some(0) {
            return Err(ctx.err(
                &[base[0].clone(), base[1].clone(), key("fractions")],
                None,
                None,
                "fractions must be at least 1",
            ));
        }
        courses.push(RadiotherapyCourse {
            id: rt.id,
            site: rt.site,
            start: rt.start,
            end: rt.end,
            total_dose_gy: rt.total_dose_gy,
            fractions: rt.fractions,
            lesions: rt.lesions,
            marginal_lesions: Vec::new(),
        });
    }
    place_baseline_lesions(&ctx, &fields, &mut lesions, &mut courses)?;

    // Assessments.
    if raw.assessments.is_empty() {
        return Err(ctx.err(
            &[key("assessments")],
            None,
            None,
            "no assessment: the first assessment is the baseline",
        ));
    }
    let mut assessments = Vec::new();
    let mut previous: Option<NaiveDate> = None;
    // Each new lesion's first sighting: its date and field placement (section 6: set at
    // first appearance).
    let mut new_ids_seen: BTreeMap<String, (NaiveDate, FieldPlacement)> = BTreeMap::new();
    for (i, a) in raw.assessments.into_iter().enumerate() {
        let here = |k: &str| vec![key("assessments"), PathSegment::Index(i), key(k)];
        let date = a.date;
        if let Some(p) = previous {
            if date == p {
                return Err(ctx.err(
                    &here("date"),
                    Some(date),
                    None,
                    "two assessments on the same date",
                ));
            }
            if date < p {
                return Err(ctx.err(
                    &here("date"),
                    Some(date),
                    None,
                    format!("assessments out of date order: {date} comes after {p}"),
                ));
            }
        }
        previous = Some(date);
        let mut findings = BTreeMap::new();
        for (lesion_id, value) in a.findings {
            let mut path = here("findings");
            path.push(key(&lesion_id));
            let Some(lesion) = lesions.iter().find(|l| l.id == lesion_id) else {
                return Err(ctx.err(&path, Some(date), Some(&lesion_id), "finding for a lesion not identified at baseline (list new lesions under `new_lesions`)"));
            };
            let finding = match lesion.role {
                Role::Target => target_finding(&value, lesion, &ids, &lesions).map(Finding::Target),
                Role::NonTarget => non_target_finding(&value).map(Finding::NonTarget),
            }
            .map_err(|(sub, msg)| {
                let mut p = path.clone();
                if let Some(sub) = sub {
                    p.push(key(sub));
                }
                ctx.err(&p, Some(date), Some(&lesion_id), msg)
            })?;
            findings.insert(lesion_id, finding);
        }
        if i == 0 {
            for l in lesions.iter().filter(|l| l.role == Role::Target) {
                let measured = matches!(
                    findings.get(&l.id),
                    Some(Finding::Target(
                        TargetFinding::Measured(_) | TargetFinding::Fragments(_)
                    ))
                );
                if !measured {
                    let mut path = here("findings");
                    path.push(key(&l.id));
                    return Err(ctx.err(
                        &path,
                        Some(date),
                        Some(&l.id),
                        "target without a measurement at baseline",
                    ));
                }
            }
        }
        let mut new_lesions = Vec::new();
        for (j, nl) in a.new_lesions.into_iter().enumerate() {
            let path = |k: &str| {
                vec![
                    key("assessments"),
                    PathSegment::Index(i),
                    key("new_lesions"),
                    PathSegment::Index(j),
                    key(k),
                ]
            };
            if ids.contains(&nl.id) {
                return Err(ctx.err(
                    &path("id"),
                    Some(date),
                    Some(&nl.id),
                    "a new lesion cannot reuse the id of a baseline lesion",
                ));
            }
            if new_lesions.iter().any(|n: &NewLesion| n.id == nl.id) {
                return Err(ctx.err(
                    &path("id"),
                    Some(date),
                    Some(&nl.id),
                    "new lesion listed twice in one assessment",
                ));
            }
            let nodal = nl.nodal || nl.kind == Some(LesionKind::LymphNode);
            if nodal && nl.long_axis.is_some() {
                return Err(ctx.err(
                    &path("long_axis"),
                    Some(date),
                    Some(&nl.id),
                    "a lymph node is measured on its short axis, not its long axis",
                ));
            }
            if !nodal && nl.short_axis.is_some() {
                return Err(ctx.err(
                    &path("short_axis"),
                    Some(date),
                    Some(&nl.id),
                    "short axis given for a non-nodal lesion (use long_axis)",
                ));
            }
            let field = match nl.field.as_deref().map(str::trim) {
                None => {
                    // Section 6: the field is the reader's to state; with radiotherapy, the
                    // case format's default (outside every field) is said, once per lesion.
                    if let Some(course) = courses.first()
                        && !new_ids_seen.contains_key(&nl.id)
                    {
                        notes.push(format!(
                            "new lesion `{}` (first seen {date}) has no `field`: counted outside every radiotherapy field, the case format's default (state `field: none`, `field: {rt}` or `field: marginal:{rt}`) (RT-OUT)",
                            nl.id,
                            rt = course.id
                        ));
                    }
                    FieldPlacement::None
                }
                Some("none") | Some("") => FieldPlacement::None,
                Some("unknown") => FieldPlacement::Unknown,
                Some(f) => {
                    let (marginal, rt) = match f.strip_prefix("marginal:") {
                        Some(rt) => (true, rt.trim()),
                        None => (false, f),
                    };
                    if !courses.iter().any(|c| c.id == rt) {
                        return Err(ctx.err(
                            &path("field"),
                            Some(date),
                            Some(&nl.id),
                            format!("new lesion names unknown radiotherapy field `{rt}`"),
                        ));
                    }
                    if marginal {
                        FieldPlacement::Marginal(rt.to_string())
                    } else {
                        FieldPlacement::Inside(rt.to_string())
                    }
                }
            };
            if i == 0 {
                return Err(ctx.err(
                    &path("id"),
                    Some(date),
                    Some(&nl.id),
                    "new lesions cannot be listed at baseline (identify them under `lesions`)",
                ));
            }
            // iRECIST's further increase (IR-CPD-NEW) and unequivocal progression (IR-RESET)
            // compare with an earlier sighting: a lesion listed for the first time has none.
            if !new_ids_seen.contains_key(&nl.id) {
                for (key, given) in [("increased", nl.increased), ("progression", nl.progression)] {
                    if given {
                        return Err(ctx.err(
                            &path(key),
                            Some(date),
                            Some(&nl.id),
                            format!("`{key}` describes a new lesion seen again; this is its first listing"),
                        ));
                    }
                }
            }
            match new_ids_seen.get(&nl.id) {
                Some((first, placed)) if *placed != field => {
                    return Err(ctx.err(
                        &path("field"),
                        Some(date),
                        Some(&nl.id),
                        format!(
                            "new lesion first seen on {first} {placed}, now {field}: a new lesion's field is set where it first appears (rules reference section 6); give the same `field` at every sighting"
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    new_ids_seen.insert(nl.id.clone(), (date, field.clone()));
                }
            }
            let kind = kind_or_from_site(nl.kind, &nl.site);
            note_kind_from_site(&mut notes, "new lesion", &nl.id, nl.kind, kind, &nl.site);
            new_lesions.push(NewLesion {
                id: nl.id,
                site: nl.site,
                nodal,
                kind,
                diameters: Diameters {
                    long_axis: nl.long_axis,
                    short_axis: nl.short_axis,
                    viable: nl.viable,
                },
                equivocal: nl.equivocal,
                hcc_typical: nl.hcc_typical,
                field,
                cytology: nl.cytology,
                increased: nl.increased,
                progression: nl.progression,
            });
        }
        assessments.push(Assessment {
            date,
            modality: a.modality,
            slice_thickness_mm: a.slice_thickness_mm,
            findings,
            new_lesions,
            visit: a.visit,
            visit_number: a.visit_number,
        });
    }
    let subject = Subject {
        subject: raw.subject,
        evaluator: raw.evaluator,
        treatment_start: raw.treatment_start,
        covariates: raw.covariates,
        follow_up: raw.follow_up.map(|f| FollowUp {
            last_known_alive: f.last_known_alive,
            death: f.death,
            new_therapy: f.new_therapy,
        }),
        radiotherapy: courses,
        lesions,
        assessments,
    };
    Ok(LoadedCase {
        subject,
        description: raw.description,
        expected: raw.expected,
        file: file.to_string(),
        line: first_line,
        notes,
    })
}

type FindingError = (Option<&'static str>, String);

fn length(v: &Value, name: &'static str) -> Result<Mm, FindingError> {
    let n = v.as_f64().ok_or_else(|| {
        (
            Some(name),
            format!("`{name}` must be a number of millimetres, not {v}"),
        )
    })?;
    Mm::parse_decimal(n).map_err(|e| (Some(name), format!("`{name}`: {e}")))
}

fn diameters(
    map: &serde_json::Map<String, Value>,
    lesion: &Lesion,
) -> Result<Diameters, FindingError> {
    let mut d = Diameters::default();
    for (k, v) in map {
        match k.as_str() {
            "long_axis" => {
                if lesion.nodal {
                    return Err((
                        Some("long_axis"),
                        "a lymph node is measured on its short axis, not its long axis".into(),
                    ));
                }
                d.long_axis = Some(length(v, "long_axis")?);
            }
            "short_axis" => {
                if !lesion.nodal {
                    return Err((
                        Some("short_axis"),
                        "short axis given for a non-nodal lesion (use long_axis)".into(),
                    ));
                }
                d.short_axis = Some(length(v, "short_axis")?);
            }
            "viable" => d.viable = Some(length(v, "viable")?),
            other => {
                return Err((
                    None,
                    format!(
                        "unknown key `{other}` in a measurement (expected long_axis, short_axis or viable)"
                    ),
                ));
            }
        }
    }
    // The viable (enhancing) part lies within the lesion: it cannot be longer than the lesion.
    if let (Some(viable), Some(whole)) = (d.viable, d.long_axis)
        && viable > whole
    {
        return Err((
            Some("viable"),
            format!("viable diameter {viable} mm is longer than the long axis {whole} mm"),
        ));
    }
    Ok(d)
}

fn target_finding(
    value: &Value,
    lesion: &Lesion,
    ids: &BTreeSet<String>,
    lesions: &[Lesion],
) -> Result<TargetFinding, FindingError> {
    match value {
        Value::String(word) => match word.trim() {
            "absent" => Ok(TargetFinding::Absent),
            "too-small" => Ok(TargetFinding::TooSmall),
            "not-evaluated" => Ok(TargetFinding::NotEvaluated),
            "present" | "progression" => Err((
                None,
                format!(
                    "`{word}` is a non-target finding; a target needs a measurement, `absent`, `too-small` or `not-evaluated`"
                ),
            )),
            other => Err((
                None,
                format!(
                    "unknown target finding `{other}` (expected a measurement, `absent`, `too-small` or `not-evaluated`)"
                ),
            )),
        },
        Value::Object(map) => {
            if let Some(parts) = map.get("fragments") {
                if map.len() > 1 {
                    return Err((Some("fragments"), "`fragments` stands alone".into()));
                }
                let parts = parts.as_array().ok_or_else(|| {
                    (
                        Some("fragments"),
                        "`fragments` is a list of measurements".to_string(),
                    )
                })?;
                if parts.is_empty() {
                    return Err((Some("fragments"), "`fragments` is empty".into()));
                }
                let mut out = Vec::new();
                for p in parts {
                    let m = p.as_object().ok_or_else(|| {
                        (
                            Some("fragments"),
                            "each fragment is a measurement such as {long_axis: 10}".to_string(),
                        )
                    })?;
                    out.push(diameters(m, lesion)?);
                }
                return Ok(TargetFinding::Fragments(out));
            }
            if let Some(other) = map.get("merged_into") {
                if map.len() > 1 {
                    return Err((Some("merged_into"), "`merged_into` stands alone".into()));
                }
                let other = other.as_str().ok_or_else(|| {
                    (
                        Some("merged_into"),
                        "`merged_into` names a target lesion".to_string(),
                    )
                })?;
                if other == lesion.id {
                    return Err((
                        Some("merged_into"),
                        "a lesion cannot merge into itself".into(),
                    ));
                }
                let is_target = lesions
                    .iter()
                    .any(|l| l.id == other && l.role == Role::Target);
                if !ids.contains(other) || !is_target {
                    return Err((
                        Some("merged_into"),
                        format!(
                            "`merged_into` names `{other}`, which is not a target lesion of this subject"
                        ),
                    ));
                }
                return Ok(TargetFinding::MergedInto(other.to_string()));
            }
            if map.contains_key("status") {
                return Err((
                    Some("status"),
                    "`status` is for non-target lesions; a target takes a measurement".into(),
                ));
            }
            let d = diameters(map, lesion)?;
            if d.long_axis.is_none() && d.short_axis.is_none() && d.viable.is_none() {
                return Err((None, "empty measurement".into()));
            }
            Ok(TargetFinding::Measured(d))
        }
        Value::Number(n) => {
            let axis = if lesion.nodal {
                "short_axis"
            } else {
                "long_axis"
            };
            Err((
                None,
                format!("a bare number is not a target finding: write `{{{axis}: {n}}}`"),
            ))
        }
        other => Err((
            None,
            format!("a target finding is a measurement or a word, not {other}"),
        )),
    }
}

fn status_word(word: &str) -> Option<NonTargetStatus> {
    match word.trim() {
        "present" => Some(NonTargetStatus::Present),
        "absent" => Some(NonTargetStatus::Absent),
        "progression" => Some(NonTargetStatus::Progression),
        "not-evaluated" => Some(NonTargetStatus::NotEvaluated),
        _ => None,
    }
}

fn non_target_finding(value: &Value) -> Result<NonTargetFinding, FindingError> {
    match value {
        Value::String(word) => status_word(word)
            .map(|status| NonTargetFinding { status, viable: None, cytology: None, short_axis: None, increased: false })
            .ok_or_else(|| (None, format!("unknown non-target finding `{word}` (expected present, absent, progression or not-evaluated)"))),
        Value::Object(map) => {
            let mut f = NonTargetFinding { status: NonTargetStatus::Present, viable: None, cytology: None, short_axis: None, increased: false };
            let mut has_status = false;
            for (k, v) in map {
                match k.as_str() {
                    "status" => {
                        has_status = true;
                        f.status = v.as_str().and_then(status_word).ok_or_else(|| {
                            (Some("status"), format!("unknown status {v} (expected present, absent, progression or not-evaluated)"))
                        })?;
                    }
                    "viable" => {
                        f.viable = Some(v.as_bool().ok_or_else(|| (Some("viable"), "`viable` of a non-target is true or false".to_string()))?);
                    }
                    "cytology" => {
                        f.cytology = Some(match v.as_str() {
                            Some("positive") => Cytology::Positive,
                            Some("negative") => Cytology::Negative,
                            _ => return Err((Some("cytology"), "`cytology` is positive or negative".into())),
                        });
                    }
                    "increased" => {
                        f.increased = v.as_bool().ok_or_else(|| (Some("increased"), "`increased` of a non-target is true or false".to_string()))?;
                    }
                    "long_axis" | "short_axis" => {
                        return Err((Some(if k == "long_axis" { "long_axis" } else { "short_axis" }), "a non-target lesion is not measured; give its status".into()));
                    }
                    other => return Err((None, format!("unknown key `{other}` in a non-target finding (expected status, viable, cytology, increased)"))),
                }
            }
            if !has_status {
                return Err((None, "a non-target finding map needs `status`".into()));
            }
            if f.viable.is_some() && matches!(f.status, NonTargetStatus::Absent | NonTargetStatus::NotEvaluated) {
                return Err((
                    Some("viable"),
                    "`viable` describes a lesion that is there; this one is absent or not evaluated".into(),
                ));
            }
            if f.increased && matches!(f.status, NonTargetStatus::Absent | NonTargetStatus::NotEvaluated) {
                return Err((
                    Some("increased"),
                    "`increased` describes a lesion that is there; this one is absent or not evaluated".into(),
                ));
            }
            Ok(f)
        }
        other => Err((None, format!("a non-target finding is a word or a map, not {other}"))),
    }
}
