//! Declarative rule sets: the criteria as data.
//!
//! A rule set (`rules/*.yaml`) fixes thresholds, which diameter counts, lesion limits,
//! overall-response decision tables and confirmation windows. Loading goes raw YAML →
//! merged value (a rule set may `extend` another) → typed [`RuleSetDoc`] → validated
//! [`RuleSet`], the only type the engine takes. Every problem is reported with its file,
//! key path and line.
//!
//! ```
//! use recist_rules::RuleSet;
//! let rules = RuleSet::bundled("recist-1.1").unwrap();
//! assert_eq!(rules.doc().rscat, "RECIST 1.1");
//! assert_eq!(rules.doc().target_response.pr_decrease_pct.to_string(), "30");
//! // Protocol parameters can be overridden; the hash changes and the override is recorded.
//! let amended = rules.with_overrides(None, &[("confirmation.min_interval_days".into(), "35".into())]).unwrap();
//! assert_eq!(amended.doc().confirmation.min_interval_days, 35);
//! assert_ne!(amended.sha256(), rules.sha256());
//! ```

mod doc;
mod error;
mod params;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use recist_yaml::{PathSegment, display_path, locate};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use doc::*;
pub use error::{Problem, RuleSetError};
pub use params::Parameter;
pub use table::{Decision, DecisionTable, NonTargetColumn};

/// Bundled rule sets: (file name, text), compiled into the binary.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "recist-1.1.yaml",
        include_str!("../../../rules/recist-1.1.yaml"),
    ),
    ("mrecist.yaml", include_str!("../../../rules/mrecist.yaml")),
    ("irecist.yaml", include_str!("../../../rules/irecist.yaml")),
];

/// Keys a protocol file or `--set` may override in every rule set: the protocol-defined
/// parameters of the rules reference (sections 4 and 7). The fixed criteria are not among
/// them; changing those takes a rule set of its own. A rule set may open more of its own keys
/// ([`RuleSetDoc::protocol_parameters`]) where its criteria leave them to the protocol.
pub const PROTOCOL_PARAMETERS: &[&str] = &[
    "confirmation.required",
    "confirmation.min_interval_days",
    "confirmation.max_ne_between",
    "confirmation.accept_sd_between",
    "best_response.sd_min_days",
    "best_response.reference",
    "best_response.stop_at",
    "endpoints.new_therapy",
    "timepoint.disease_after_cr",
    "timepoint.pr_persistence",
    "target_response.missing_target",
    "target_response.growth_within_cr",
    "target_response.nadir_from",
    "new_lesions.equivocal_confirmed",
    "new_lesions.node_without_short_axis",
    "baseline.max_days_before_treatment",
    "baseline.non_target_only",
    "baseline.prior_local_therapy_targets",
    "radiotherapy.alpha_beta_gy",
    "radiotherapy.marginal_lesions",
    "radiotherapy.late_courses",
    "radiotherapy.abscopal_shrink_pct",
];

/// One applied override of a protocol parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Override {
    /// Dotted key, e.g. `confirmation.min_interval_days`.
    pub key: String,
    /// The value, as given.
    pub value: String,
    /// Where it came from: `--set` or the protocol file.
    pub origin: String,
}

/// A validated rule set, the only form the engine accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    doc: RuleSetDoc,
    origin: String,
    sha256: String,
    overrides: Vec<Override>,
    with_targets: DecisionTable,
    non_target_only: DecisionTable,
    merged: Value,
    aliases: AliasIndex,
    organs: OrganIndex,
}

/// The rule set's organs (`baseline.organs`) indexed by the first word of each organ name and
/// of each of its aliases, so that a lesion's organ is looked for among the few organs one of
/// its site's words can begin, not among them all (the engine asks for every target).
///
/// A name or alias names a site only when its first word is a word of the site; words are
/// runs of ASCII letters and digits, compared lowercase. An organ with a non-ASCII name or
/// alias is a candidate for every site ([`OrganIndex::always`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrganIndex {
    by_first_word: BTreeMap<String, Vec<usize>>,
    always: Vec<usize>,
}

impl OrganIndex {
    fn new(organs: &[String], aliases: &AliasIndex) -> OrganIndex {
        let mut index = OrganIndex::default();
        for (i, organ) in organs.iter().enumerate() {
            let names = std::iter::once(organ).chain(aliases.get(organ));
            for name in names {
                if !name.is_ascii() {
                    index.always.push(i);
                    continue;
                }
                let first = name
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .find(|w| !w.is_empty());
                if let Some(first) = first {
                    let list = index
                        .by_first_word
                        .entry(first.to_ascii_lowercase())
                        .or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        index.always.dedup();
        index
    }

    /// The indices (in `baseline.organs`) of the organs whose name or an alias begins with
    /// `word` (lowercase ASCII letters and digits), in ascending order.
    pub fn beginning_with(&self, word: &str) -> &[usize] {
        self.by_first_word.get(word).map_or(&[], Vec::as_slice)
    }

    /// The indices of the organs with a name or alias that is not ASCII: candidates for any
    /// site, in ascending order.
    pub fn always(&self) -> &[usize] {
        &self.always
    }
}

/// [`RuleSetDoc::site_aliases`] indexed once at load (the engine looks a name up for every
/// lesion against every organ): ASCII site names by their canonical words (lowercase, one
/// space between), the others kept for a word-by-word comparison.
#[derive(Debug, Clone, PartialEq, Default)]
struct AliasIndex {
    canonical: BTreeMap<String, Vec<String>>,
    other: Vec<(String, Vec<String>)>,
}

impl AliasIndex {
    fn new(aliases: &BTreeMap<String, Vec<String>>) -> AliasIndex {
        let mut index = AliasIndex::default();
        for (site, list) in aliases {
            if site.is_ascii() {
                index.canonical.insert(words_of(site), list.clone());
            } else {
                index.other.push((site.clone(), list.clone()));
            }
        }
        index
    }

    /// The aliases of a site name compared as its words, ignoring case ([`same_words`]).
    fn get(&self, name: &str) -> &[String] {
        let found = if is_canonical(name) {
            self.canonical.get(name)
        } else {
            self.canonical
                .iter()
                .find(|(site, _)| same_words(site, name))
                .map(|(_, list)| list)
        };
        found
            .or_else(|| {
                self.other
                    .iter()
                    .find(|(site, _)| same_words(site, name))
                    .map(|(_, list)| list)
            })
            .map_or(&[], Vec::as_slice)
    }
}

/// Whether a name is already its canonical words: lowercase ASCII letters and digits, words
/// joined by one space (as every bundled site name is), so that [`words_of`] would return it.
fn is_canonical(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !name.contains("  ")
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b' ')
}

impl RuleSet {
    /// The typed content.
    pub fn doc(&self) -> &RuleSetDoc {
        &self.doc
    }
    /// Where it was loaded from (`bundled:recist-1.1.yaml` or a path).
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// SHA-256 (hex) of the effective content, overrides included.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
    /// Overrides applied on top of the file.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }
    /// The decision table for scopes with target lesions (R11 Table 1).
    pub fn table_with_targets(&self) -> &DecisionTable {
        &self.with_targets
    }
    /// The decision table for non-target-only scopes (R11 Table 2).
    pub fn table_non_target_only(&self) -> &DecisionTable {
        &self.non_target_only
    }
    /// The other words this rule set gives for a site name ([`RuleSetDoc::site_aliases`],
    /// the name compared as its words, ignoring case); none for a name without aliases.
    pub fn site_aliases(&self, name: &str) -> &[String] {
        self.aliases.get(name)
    }
    /// `baseline.organs` indexed by the first words of their names and aliases.
    pub fn organ_index(&self) -> &OrganIndex {
        &self.organs
    }
    /// The effective rule set as YAML-like JSON, with `extends` resolved (for `rules check`).
    pub fn effective_json(&self) -> String {
        serde_json::to_string_pretty(&self.doc).unwrap_or_default()
    }

    /// Loads a bundled rule set by id.
    pub fn bundled(id: &str) -> Result<RuleSet, RuleSetError> {
        let (name, text) = bundled_text(id).ok_or_else(|| unknown(id))?;
        load_text(text, &format!("bundled:{name}"), None, &[])
    }

    /// Loads a bundled rule set by id, or a rule file by path.
    pub fn resolve(id_or_path: &str) -> Result<RuleSet, RuleSetError> {
        if bundled_text(id_or_path).is_some() {
            return RuleSet::bundled(id_or_path);
        }
        let path = Path::new(id_or_path);
        if path.is_file() {
            return RuleSet::from_file(path);
        }
        Err(unknown(id_or_path))
    }

    /// Loads and validates a rule file.
    pub fn from_file(path: &Path) -> Result<RuleSet, RuleSetError> {
        load_file(path, &[])
    }

    /// Loads and validates rule-set text; `origin` names it in errors.
    pub fn from_text(text: &str, origin: &str) -> Result<RuleSet, RuleSetError> {
        load_text(text, origin, None, &[])
    }

    /// Applies a protocol file (text and its name) and `--set KEY=VALUE` pairs, in that order.
    ///
    /// Only [`PROTOCOL_PARAMETERS`] may be overridden; anything else, or a bad value, is refused.
    pub fn with_overrides(
        &self,
        protocol: Option<(&str, &str)>,
        sets: &[(String, String)],
    ) -> Result<RuleSet, RuleSetError> {
        let mut merged = self.merged.clone();
        let own = &self.doc.protocol_parameters;
        let mut overrides = self.overrides.clone();
        // Where each key was set (`file:line` or `--set`), the last setting last.
        let mut set_at: Vec<(String, String)> = Vec::new();
        if let Some((text, name)) = protocol {
            let value = recist_yaml::parse_value(text).map_err(|source| RuleSetError::Yaml {
                file: name.to_string(),
                source,
            })?;
            let Value::Object(map) = value else {
                return Err(RuleSetError::Override {
                    origin: name.to_string(),
                    message: "a protocol file is a mapping of rule-set keys".into(),
                });
            };
            let mut leaves = Vec::new();
            for (k, v) in map {
                if k == "protocol" {
                    // A one-line description of the protocol, not a parameter.
                    if v.is_string() {
                        continue;
                    }
                    let line = locate(text, &[PathSegment::Key(k.clone())]);
                    return Err(RuleSetError::Override {
                        origin: line.map_or_else(|| name.to_string(), |l| format!("{name}:{l}")),
                        message: "`protocol` is the protocol's name, a text; write the parameters at the top level of the file (e.g. `confirmation: {min_interval_days: 35}`)".into(),
                    });
                }
                flatten(&k, v, &mut leaves);
            }
            for (key, value) in leaves {
                let line = locate(
                    text,
                    &key.split('.')
                        .map(|s| PathSegment::Key(s.to_string()))
                        .collect::<Vec<_>>(),
                );
                let origin = match line {
                    Some(l) => format!("{name}:{l}"),
                    None => name.to_string(),
                };
                set_parameter(
                    &mut merged,
                    (&self.doc.id, own),
                    &key,
                    value.clone(),
                    &origin,
                )?;
                set_at.push((key.clone(), origin));
                overrides.push(Override {
                    key,
                    value: scalar_text(&value),
                    origin: name.to_string(),
                });
            }
        }
        for (i, (key, raw)) in sets.iter().enumerate() {
            if sets[..i].iter().any(|(k, _)| k == key) {
                return Err(RuleSetError::Override {
                    origin: "--set".into(),
                    message: format!("`{key}` is set twice; give each key once"),
                });
            }
            // `[21, 63]`: a list of scalars (a window); anything else one scalar.
            let value = match raw
                .trim()
                .strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
            {
                Some(items) if !items.trim().is_empty() => Value::Array(
                    items
                        .split(',')
                        .map(|x| recist_yaml::parse_scalar(x.trim()))
                        .collect(),
                ),
                _ => recist_yaml::parse_scalar(raw),
            };
            set_parameter(&mut merged, (&self.doc.id, own), key, value, "--set")?;
            set_at.push((key.clone(), "--set".into()));
            overrides.push(Override {
                key: key.clone(),
                value: raw.clone(),
                origin: "--set".into(),
            });
        }
        let mut rules = finish(merged, &self.origin, None).map_err(|e| match e {
            // A value out of range is the override's fault, not the rule file's.
            RuleSetError::Invalid { file, problems } => {
                let overridden = problems.iter().find_map(|p| {
                    set_at
                        .iter()
                        .rev()
                        .find(|(k, _)| *k == p.path)
                        .map(|(k, origin)| (k, origin, p))
                });
                match overridden {
                    Some((key, origin, p)) => RuleSetError::Override {
                        origin: origin.clone(),
                        message: format!("bad value for `{key}`: {}", p.message),
                    },
                    None => RuleSetError::Invalid { file, problems },
                }
            }
            other => other,
        })?;
        rules.overrides = overrides;
        rules.sha256 = hash(&rules.doc, &rules.overrides);
        Ok(rules)
    }
}

/// The dotted keys a protocol file sets (its `protocol` name aside), as
/// [`RuleSet::with_overrides`] reads them; `None` when the text is not a YAML mapping.
pub fn protocol_keys(text: &str) -> Option<Vec<String>> {
    let Ok(Value::Object(map)) = recist_yaml::parse_value(text) else {
        return None;
    };
    let mut leaves = Vec::new();
    for (k, v) in map {
        if k != "protocol" {
            flatten(&k, v, &mut leaves);
        }
    }
    Some(leaves.into_iter().map(|(k, _)| k).collect())
}

/// Ids of the bundled rule sets with their titles, in file order.
pub fn bundled_ids() -> Vec<(String, String, String)> {
    BUNDLED
        .iter()
        .filter_map(|(name, _)| {
            let id = name.trim_end_matches(".yaml");
            RuleSet::bundled(id)
                .ok()
                .map(|r| (r.doc.id.clone(), r.doc.version.clone(), r.doc.title.clone()))
        })
        .collect()
}

/// The JSON Schema of the rule-set format, pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(RuleSetDoc);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

fn bundled_text(id: &str) -> Option<(&'static str, &'static str)> {
    BUNDLED
        .iter()
        .find(|(name, _)| name.trim_end_matches(".yaml") == id)
        .copied()
}

fn unknown(id: &str) -> RuleSetError {
    RuleSetError::Unknown {
        id: id.to_string(),
        known: BUNDLED
            .iter()
            .map(|(n, _)| n.trim_end_matches(".yaml"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Loads a rule file; `chain` holds the files whose `extends` led here (a cycle is refused).
fn load_file(path: &Path, chain: &[PathBuf]) -> Result<RuleSet, RuleSetError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| RuleSetError::Read {
        file: file.clone(),
        source,
    })?;
    let mut chain = chain.to_vec();
    chain.push(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()));
    let rules = load_text(&text, &file, path.parent(), &chain)?;
    // A file that calls itself by a bundled rule set's id must be that rule set: results
    // carry the id, and a changed criterion under a known name would pass unnoticed.
    if let Ok(bundled) = RuleSet::bundled(&rules.doc.id)
        && bundled.sha256 != rules.sha256
    {
        return Err(RuleSetError::Invalid {
            file,
            problems: vec![Problem {
                path: "id".into(),
                line: locate(&text, &[PathSegment::Key("id".into())])
                    .or_else(|| locate(&text, &[PathSegment::Key("extends".into())])),
                message: format!(
                    "this rule set differs from the bundled `{}` but has its id: give it an id of its own (e.g. `{}-trial`)",
                    rules.doc.id, rules.doc.id
                ),
            }],
        });
    }
    Ok(rules)
}

fn load_text(
    text: &str,
    origin: &str,
    dir: Option<&Path>,
    chain: &[PathBuf],
) -> Result<RuleSet, RuleSetError> {
    let value = recist_yaml::parse_value(text).map_err(|source| RuleSetError::Yaml {
        file: origin.to_string(),
        source,
    })?;
    if !value.is_object() {
        let what = match &value {
            Value::Null => "the file holds no YAML value (empty, or comments only)",
            Value::Array(_) => "the file holds a list",
            _ => "the file holds a single value",
        };
        return Err(RuleSetError::Invalid {
            file: origin.to_string(),
            problems: vec![Problem {
                path: String::new(),
                line: None,
                message: format!(
                    "{what}; a rule set is a mapping of keys (schema_version, id, version, …, or `extends` and the keys that differ)"
                ),
            }],
        });
    }
    let merged = match value.get("extends").and_then(Value::as_str) {
        Some(base_id) => {
            let base_problem = |message: String| RuleSetError::Invalid {
                file: origin.to_string(),
                problems: vec![Problem {
                    path: "extends".into(),
                    line: locate(text, &[PathSegment::Key("extends".into())]),
                    message,
                }],
            };
            let base = match dir.map(|d| d.join(format!("{base_id}.yaml"))) {
                Some(p) if p.is_file() => {
                    let canonical = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
                    if let Some(at) = chain.iter().position(|c| *c == canonical) {
                        let names: Vec<String> = chain[at..]
                            .iter()
                            .chain(std::iter::once(&canonical))
                            .map(|c| {
                                c.file_name().map_or_else(
                                    || c.display().to_string(),
                                    |n| n.to_string_lossy().into_owned(),
                                )
                            })
                            .collect();
                        return Err(base_problem(format!(
                            "extends `{base_id}`, which extends this file again: {}",
                            names.join(" → ")
                        )));
                    }
                    load_file(&p, chain)?
                }
                _ => RuleSet::bundled(base_id).map_err(|_| {
                    base_problem(format!(
                        "extends `{base_id}`, which is neither bundled nor beside this file"
                    ))
                })?,
            };
            let mut merged = base.merged.clone();
            merge(&mut merged, value);
            merged
        }
        None => value,
    };
    finish(merged, origin, Some(text))
}

fn finish(merged: Value, origin: &str, text: Option<&str>) -> Result<RuleSet, RuleSetError> {
    let line_of = |path: &[PathSegment]| text.and_then(|t| locate(t, path));
    let doc: RuleSetDoc =
        recist_yaml::from_value(merged.clone()).map_err(|e| RuleSetError::Invalid {
            file: origin.to_string(),
            problems: vec![Problem {
                path: display_path(&e.path),
                line: line_of(&e.path),
                message: e.message,
            }],
        })?;
    let mut problems = validate(&doc);
    for (i, key) in doc.protocol_parameters.iter().enumerate() {
        let leaf = key
            .split('.')
            .try_fold(&merged, |v, part| v.get(part))
            // A scalar, or a list of scalars (a window such as `[28, 56]`).
            .filter(|v| match v {
                Value::Object(_) => false,
                Value::Array(items) => items.iter().all(|x| !x.is_object() && !x.is_array()),
                _ => true,
            });
        let message = if leaf.is_none() || key.starts_with("protocol_parameters") {
            Some(format!("`{key}` is not a single value of this rule set"))
        } else if PROTOCOL_PARAMETERS.contains(&key.as_str()) {
            Some(format!(
                "`{key}` is a protocol parameter of every rule set already"
            ))
        } else {
            None
        };
        if let Some(message) = message {
            problems.push(Problem {
                path: format!("protocol_parameters[{i}]"),
                line: None,
                message,
            });
        }
    }
    let with_targets = DecisionTable::compile(
        &doc.overall_response.with_targets,
        true,
        "overall_response.with_targets",
        &mut problems,
    );
    let non_target_only = DecisionTable::compile(
        &doc.overall_response.non_target_only,
        false,
        "overall_response.non_target_only",
        &mut problems,
    );
    if !problems.is_empty() {
        for p in &mut problems {
            p.line = line_of(&parse_path(&p.path));
        }
        return Err(RuleSetError::Invalid {
            file: origin.to_string(),
            problems,
        });
    }
    let sha256 = hash(&doc, &[]);
    let aliases = AliasIndex::new(&doc.site_aliases);
    let organs = OrganIndex::new(&doc.baseline.organs, &aliases);
    Ok(RuleSet {
        aliases,
        organs,
        doc,
        origin: origin.to_string(),
        sha256,
        overrides: Vec::new(),
        with_targets,
        non_target_only,
        merged,
    })
}

fn hash(doc: &RuleSetDoc, overrides: &[Override]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(doc).unwrap_or_default());
    let _ = overrides; // Overrides are already part of `doc`; they are listed in results separately.
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_path(path: &str) -> Vec<PathSegment> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(idx) = rest.find('[') {
            out.push(PathSegment::Key(rest[..idx].to_string()));
            rest = &rest[idx..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(close) = stripped.find(']') else {
                    break;
                };
                if let Ok(i) = stripped[..close].parse() {
                    out.push(PathSegment::Index(i));
                }
                rest = &stripped[close + 1..];
            }
        } else {
            out.push(PathSegment::Key(rest.to_string()));
        }
    }
    out
}

fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn flatten(prefix: &str, value: Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        v => out.push((prefix.to_string(), v)),
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn set_parameter(
    merged: &mut Value,
    (id, own): (&str, &[String]),
    key: &str,
    value: Value,
    origin: &str,
) -> Result<(), RuleSetError> {
    if !PROTOCOL_PARAMETERS.contains(&key) && !own.iter().any(|k| k == key) {
        return Err(RuleSetError::Override {
            origin: origin.to_string(),
            message: format!(
                "`{key}` is not a protocol parameter of {id}; these are: {}",
                PROTOCOL_PARAMETERS
                    .iter()
                    .copied()
                    .chain(own.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let mut slot = &mut *merged;
    for part in key.split('.') {
        let Some(next) = slot.get_mut(part) else {
            return Err(RuleSetError::Override {
                origin: origin.to_string(),
                message: format!("`{key}` is not in this rule set"),
            });
        };
        slot = next;
    }
    // Type-check the single value against the whole document.
    *slot = value;
    recist_yaml::from_value::<RuleSetDoc>(merged.clone()).map_err(|e| RuleSetError::Override {
        origin: origin.to_string(),
        message: format!("bad value for `{key}`: {}", e.message),
    })?;
    Ok(())
}

fn validate(doc: &RuleSetDoc) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut bad = |path: &str, message: String| {
        problems.push(Problem {
            path: path.to_string(),
            line: None,
            message,
        });
    };
    if doc.schema_version != 1 {
        bad(
            "schema_version",
            format!(
                "schema_version {} is not supported (only 1)",
                doc.schema_version
            ),
        );
    }
    if doc.id.is_empty()
        || !doc
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        bad(
            "id",
            format!(
                "id `{}` must be lowercase letters, digits, `-` and `.`",
                doc.id
            ),
        );
    }
    if doc.version.trim().is_empty() {
        bad("version", "version is empty".into());
    }
    if doc.rscat.trim().is_empty() {
        bad("rscat", "rscat is empty".into());
    }
    site_aliases(&mut bad, &doc.site_aliases);
    site_reading(&mut bad, &doc.site_reading);
    // An alias that is another organ of the per-organ limit makes that organ's lesions count
    // toward two organs (which one wins would be the list's order).
    for (site, list) in &doc.site_aliases {
        for (j, alias) in list.iter().enumerate() {
            let words = words_of(alias);
            if let Some(organ) = doc.baseline.organs.iter().find(|o| {
                !words.is_empty() && words_of(o) == words && words_of(o) != words_of(site)
            }) {
                bad(
                    &format!("site_aliases.{site}[{j}]"),
                    format!("`{alias}` is another organ of `baseline.organs` (`{organ}`)"),
                );
            }
        }
    }
    sites(&mut bad, "baseline.organs", &doc.baseline.organs);
    let m = &doc.measurement;
    let covers = |nodal: bool| {
        m.selectors.iter().any(|s| {
            s.when.hcc_typical.is_none()
                && s.when.site_in.is_none()
                && s.when.kind_in.is_none()
                && s.when.nodal.is_none_or(|n| n == nodal)
        })
    };
    if !covers(true) || !covers(false) {
        bad("measurement.selectors", "the selectors must end with one for nodal and one for non-nodal lesions that have no other condition".into());
    }
    for (i, s) in m.selectors.iter().enumerate() {
        if s.when.nodal == Some(true) && s.measure != Measure::ShortAxis {
            bad(
                &format!("measurement.selectors[{i}].measure"),
                "lymph nodes are measured on the short axis".into(),
            );
        }
        if s.rule.trim().is_empty() {
            bad(
                &format!("measurement.selectors[{i}].rule"),
                "rule ID is empty".into(),
            );
        }
        rule_id(
            &mut bad,
            &format!("measurement.selectors[{i}].missing_rule"),
            s.missing_rule.as_deref(),
        );
        condition(
            &mut bad,
            &format!("measurement.selectors[{i}].when"),
            &s.when,
        );
    }
    range(
        &mut bad,
        "measurement.too_small_mm",
        m.too_small_mm.hundredths(),
        1,
        1000,
        "mm",
    );
    let b = &doc.baseline;
    for (modality, min) in &b.measurable_min_mm {
        let key = serde_json::to_value(modality)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        range(
            &mut bad,
            &format!("baseline.measurable_min_mm.{key}"),
            min.hundredths(),
            1,
            10000,
            "mm",
        );
    }
    range(
        &mut bad,
        "baseline.slice_thickness.max_mm",
        b.slice_thickness.max_mm.hundredths(),
        1,
        5000,
        "mm",
    );
    if b.slice_thickness.multiplier == 0 {
        bad(
            "baseline.slice_thickness.multiplier",
            "must be at least 1".into(),
        );
    }
    range(
        &mut bad,
        "baseline.node_target_min_short_axis_mm",
        b.node_target_min_short_axis_mm.hundredths(),
        1,
        10000,
        "mm",
    );
    range(
        &mut bad,
        "baseline.node_pathological_min_short_axis_mm",
        b.node_pathological_min_short_axis_mm.hundredths(),
        1,
        10000,
        "mm",
    );
    if b.node_pathological_min_short_axis_mm > b.node_target_min_short_axis_mm {
        bad(
            "baseline.node_pathological_min_short_axis_mm",
            "must not exceed node_target_min_short_axis_mm".into(),
        );
    }
    for (i, t) in b.node_site_thresholds.iter().enumerate() {
        let path = format!("baseline.node_site_thresholds[{i}]");
        if t.sites.is_empty() {
            bad(&format!("{path}.sites"), "name at least one site".into());
        }
        sites(&mut bad, &format!("{path}.sites"), &t.sites);
        range(
            &mut bad,
            &format!("{path}.pathological_min_short_axis_mm"),
            t.pathological_min_short_axis_mm.hundredths(),
            1,
            10000,
            "mm",
        );
        if t.pathological_min_short_axis_mm <= b.node_pathological_min_short_axis_mm {
            bad(
                &format!("{path}.pathological_min_short_axis_mm"),
                "must exceed node_pathological_min_short_axis_mm (a site threshold only raises it)"
                    .into(),
            );
        }
        rule_id(&mut bad, &format!("{path}.rule"), Some(&t.rule));
    }
    for (i, e) in b.target_eligibility.iter().enumerate() {
        let path = format!("baseline.target_eligibility[{i}]");
        condition(&mut bad, &format!("{path}.when"), &e.when);
        condition(&mut bad, &format!("{path}.require"), &e.require);
        if let Some(mm) = e.min_measure_mm {
            range(
                &mut bad,
                &format!("{path}.min_measure_mm"),
                mm.hundredths(),
                1,
                10000,
                "mm",
            );
        }
        if e.require == LesionCondition::default() && e.min_measure_mm.is_none() {
            bad(
                &format!("{path}.require"),
                "requires nothing: give a condition or min_measure_mm".into(),
            );
        }
        rule_id(&mut bad, &format!("{path}.rule"), Some(&e.rule));
        for (j, a) in e.also.iter().enumerate() {
            rule_id(&mut bad, &format!("{path}.also[{j}]"), Some(a));
        }
    }
    if let Some(r) = &b.rules {
        rule_id(
            &mut bad,
            "baseline.rules.target_limits",
            r.target_limits.as_deref(),
        );
        rule_id(
            &mut bad,
            "baseline.rules.non_target_only",
            r.non_target_only.as_deref(),
        );
        for (kind, rule) in &r.non_measurable {
            let key = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            if !b.non_measurable_kinds.contains(kind) {
                bad(
                    &format!("baseline.rules.non_measurable.{key}"),
                    format!("`{key}` is not among non_measurable_kinds"),
                );
            }
            rule_id(
                &mut bad,
                &format!("baseline.rules.non_measurable.{key}"),
                Some(rule),
            );
        }
    }
    if b.max_targets == 0 || b.max_targets > 20 {
        bad(
            "baseline.max_targets",
            format!("{} is out of range 1..=20", b.max_targets),
        );
    }
    if b.max_targets_per_organ == 0 || b.max_targets_per_organ > b.max_targets {
        bad(
            "baseline.max_targets_per_organ",
            format!(
                "{} is out of range 1..=max_targets",
                b.max_targets_per_organ
            ),
        );
    }
    if b.max_days_before_treatment > 365 {
        bad(
            "baseline.max_days_before_treatment",
            "must be at most 365".into(),
        );
    }
    let t = &doc.target_response;
    range(
        &mut bad,
        "target_response.cr_node_short_axis_below_mm",
        t.cr_node_short_axis_below_mm.hundredths(),
        1,
        10000,
        "mm",
    );
    range(
        &mut bad,
        "target_response.pr_decrease_pct",
        t.pr_decrease_pct.hundredths(),
        1,
        10000,
        "%",
    );
    range(
        &mut bad,
        "target_response.pd_increase_pct",
        t.pd_increase_pct.hundredths(),
        1,
        100_000,
        "%",
    );
    if let Some(mm) = t.pd_min_increase_mm {
        range(
            &mut bad,
            "target_response.pd_min_increase_mm",
            mm.hundredths(),
            1,
            10000,
            "mm",
        );
    }
    if let Some(r) = &t.rules {
        for (key, rule) in [
            ("cr", &r.cr),
            ("pr", &r.pr),
            ("pd", &r.pd),
            ("sd", &r.sd),
            ("pd_min_increase", &r.pd_min_increase),
        ] {
            rule_id(
                &mut bad,
                &format!("target_response.rules.{key}"),
                rule.as_deref(),
            );
        }
    }
    let nt = &doc.non_target_response;
    let nt_rules = nt.rules.clone().unwrap_or_default();
    for (key, rule) in [
        ("cr", &nt_rules.cr),
        ("non_cr_non_pd", &nt_rules.non_cr_non_pd),
        ("pd", &nt_rules.pd),
        ("cytology", &nt_rules.cytology),
    ] {
        rule_id(
            &mut bad,
            &format!("non_target_response.rules.{key}"),
            rule.as_deref(),
        );
    }
    match (nt.complete_when, nt.viability_unstated) {
        (NonTargetComplete::AbsentOrNonViable, None) => bad(
            "non_target_response.viability_unstated",
            "say how a non-target reported present without `viable` is read: `enhancing` or `not-evaluated`".into(),
        ),
        (NonTargetComplete::Absent, Some(_)) => bad(
            "non_target_response.viability_unstated",
            "applies only with complete_when: absent-or-non-viable".into(),
        ),
        _ => {}
    }
    if !nt.progression_needs_positive_cytology.is_empty() && nt_rules.cytology.is_none() {
        bad(
            "non_target_response.progression_needs_positive_cytology",
            "name the rule it follows in non_target_response.rules.cytology".into(),
        );
    }
    let nl = &doc.new_lesions;
    rule_id(&mut bad, "new_lesions.rule", nl.rule.as_deref());
    for (i, p) in nl.patterned.iter().enumerate() {
        let path = format!("new_lesions.patterned[{i}]");
        condition(&mut bad, &format!("{path}.when"), &p.when);
        if p.when.nodal != Some(false) {
            bad(
                &format!("{path}.when.nodal"),
                "patterned new lesions are non-nodal: say `nodal: false`".into(),
            );
        }
        for (key, mm) in [
            ("typical_min_mm", p.typical_min_mm),
            ("atypical_growth_mm", p.atypical_growth_mm),
        ] {
            range(
                &mut bad,
                &format!("{path}.{key}"),
                mm.hundredths(),
                1,
                10000,
                "mm",
            );
        }
        for (j, r) in p.rules.iter().enumerate() {
            rule_id(&mut bad, &format!("{path}.rules[{j}]"), Some(r));
        }
        rule_id(
            &mut bad,
            &format!("{path}.dating_rule"),
            p.dating_rule.as_deref(),
        );
    }
    range(
        &mut bad,
        "new_lesions.node_min_short_axis_mm",
        doc.new_lesions.node_min_short_axis_mm.hundredths(),
        1,
        10000,
        "mm",
    );
    let c = &doc.confirmation;
    if c.min_interval_days > 365 {
        bad(
            "confirmation.min_interval_days",
            "must be at most 365".into(),
        );
    }
    if c.max_ne_between > 20 {
        bad("confirmation.max_ne_between", "must be at most 20".into());
    }
    if doc.best_response.sd_min_days > 365 {
        bad("best_response.sd_min_days", "must be at most 365".into());
    }
    let r = &doc.radiotherapy;
    if !(r.alpha_beta_gy > 0.0 && r.alpha_beta_gy <= 100.0) {
        bad(
            "radiotherapy.alpha_beta_gy",
            format!("{} is out of range (0, 100] Gy", r.alpha_beta_gy),
        );
    }
    range(
        &mut bad,
        "radiotherapy.abscopal_shrink_pct",
        r.abscopal_shrink_pct.hundredths(),
        1,
        10000,
        "%",
    );
    if let Some(i) = &doc.irecist {
        let [earliest, latest] = i.confirm_window_days;
        if earliest > latest {
            bad(
                "irecist.confirm_window_days",
                format!("the earliest day {earliest} is after the latest day {latest}"),
            );
        }
        if latest > 365 {
            bad(
                "irecist.confirm_window_days",
                format!("the latest day {latest} must be at most 365"),
            );
        }
        if i.window_tolerance_days > earliest {
            bad(
                "irecist.window_tolerance_days",
                format!(
                    "{} days is more than the window's earliest day {earliest}",
                    i.window_tolerance_days
                ),
            );
        }
        range(
            &mut bad,
            "irecist.cpd_min_increase_mm",
            i.cpd_min_increase_mm.hundredths(),
            1,
            100_000,
            "mm",
        );
        let n = &i.new_lesion_targets;
        if n.max_total == 0 || n.max_total > 20 {
            bad(
                "irecist.new_lesion_targets.max_total",
                format!("{} is out of range 1..=20", n.max_total),
            );
        }
        if n.max_per_organ == 0 || n.max_per_organ > n.max_total {
            bad(
                "irecist.new_lesion_targets.max_per_organ",
                format!(
                    "{} is out of range 1..={} (max_total)",
                    n.max_per_organ, n.max_total
                ),
            );
        }
        // Rewriting earlier timepoints to PD has no iRECIST reading: progression is confirmed,
        // not back-written (IR-CPD-DATE dates it instead).
        if doc.new_lesions.equivocal_confirmed == EquivocalConfirmed::RewriteEarlier {
            bad(
                "new_lesions.equivocal_confirmed",
                "`rewrite-earlier` cannot be used with `irecist` (iRECIST dates a confirmed progression to its iUPD, IR-CPD-DATE): use `backdate-progression`".into(),
            );
        }
    }
    problems
}

/// A rule ID, where given, must not be blank.
fn rule_id(bad: &mut impl FnMut(&str, String), path: &str, rule: Option<&str>) {
    if rule.is_some_and(|r| r.trim().is_empty()) {
        bad(path, "rule ID is empty".into());
    }
}

/// The words of a site name, lowercased and joined by one space: how names are compared
/// (`Hepatic  Segment` and `hepatic segment` are one name).
fn words_of(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether two site names have the same words, ignoring case (without allocating: it runs
/// for every lesion against the rule set's site lists).
fn same_words(a: &str, b: &str) -> bool {
    fn words(text: &str) -> impl Iterator<Item = &str> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    }
    fn same_word(a: &str, b: &str) -> bool {
        a.eq_ignore_ascii_case(b)
            || a.chars()
                .flat_map(char::to_lowercase)
                .eq(b.chars().flat_map(char::to_lowercase))
    }
    let (mut x, mut y) = (words(a), words(b));
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if same_word(p, q) => {}
            _ => return false,
        }
    }
}

/// Site aliases must be usable and unambiguous: each site and alias has a word, no alias is
/// given twice (for one site or two) and no alias is itself a site with aliases (aliases do
/// not chain).
fn site_aliases(bad: &mut impl FnMut(&str, String), aliases: &BTreeMap<String, Vec<String>>) {
    let mut seen: Vec<(String, &str)> = Vec::new();
    let sites_named: Vec<(String, &str)> =
        aliases.keys().map(|k| (words_of(k), k.as_str())).collect();
    for (i, (key, site)) in sites_named.iter().enumerate() {
        let path = format!("site_aliases.{site}");
        if key.is_empty() {
            bad(&path, format!("site name `{site}` has no word to match"));
        }
        if let Some((_, other)) = sites_named.iter().take(i).find(|(k, _)| k == key) {
            bad(&path, format!("`{site}` and `{other}` are one site name"));
        }
        let list = aliases.get(*site).map_or(&[][..], Vec::as_slice);
        if list.is_empty() {
            bad(
                &path,
                "an empty list gives no other word for the site".into(),
            );
        }
        sites(bad, &path, list);
        for (j, alias) in list.iter().enumerate() {
            let words = words_of(alias);
            if words.is_empty() {
                continue;
            }
            if let Some((_, s)) = sites_named.iter().find(|(k, _)| *k == words) {
                bad(
                    &format!("{path}[{j}]"),
                    format!(
                        "`{alias}` is a site with aliases of its own (`{s}`): aliases do not chain"
                    ),
                );
            } else if let Some((_, first)) = seen.iter().find(|(w, _)| *w == words) {
                bad(
                    &format!("{path}[{j}]"),
                    format!("`{alias}` is already an alias of `{first}`"),
                );
            } else {
                seen.push((words, site));
            }
        }
    }
}

/// `site_reading`'s lists: links and parts are single words (they are compared with one word
/// of the site), structures have a word.
fn site_reading(bad: &mut impl FnMut(&str, String), r: &crate::doc::SiteReading) {
    for (key, list) in [("links", &r.links), ("parts", &r.parts)] {
        for (i, w) in list.iter().enumerate() {
            if words_of(w).split(' ').filter(|x| !x.is_empty()).count() != 1 {
                bad(
                    &format!("site_reading.{key}[{i}]"),
                    format!("`{w}` must be one word (it is compared with one word of a site)"),
                );
            }
        }
    }
    sites(bad, "site_reading.structures", &r.structures);
}

/// Site names must contain a word, or they never match.
fn sites(bad: &mut impl FnMut(&str, String), path: &str, names: &[String]) {
    for (i, name) in names.iter().enumerate() {
        if !name.chars().any(char::is_alphanumeric) {
            bad(
                &format!("{path}[{i}]"),
                format!("site name `{name}` has no word to match"),
            );
        }
    }
}

/// A lesion condition's lists must be usable.
fn condition(bad: &mut impl FnMut(&str, String), path: &str, c: &LesionCondition) {
    if let Some(names) = &c.site_in {
        if names.is_empty() {
            bad(
                &format!("{path}.site_in"),
                "an empty list matches no lesion".into(),
            );
        }
        sites(bad, &format!("{path}.site_in"), names);
    }
    if c.kind_in.as_ref().is_some_and(Vec::is_empty) {
        bad(
            &format!("{path}.kind_in"),
            "an empty list matches no lesion".into(),
        );
    }
}

/// Checks a value held in hundredths against an inclusive range (also in hundredths).
fn range(bad: &mut impl FnMut(&str, String), path: &str, value: i64, lo: i64, hi: i64, unit: &str) {
    if value < lo || value > hi {
        let fmt = |v: i64| recist_model::Mm::from_hundredths(v).to_string();
        bad(
            path,
            format!(
                "{} {unit} is out of range {}..={} {unit}",
                fmt(value),
                fmt(lo),
                fmt(hi)
            ),
        );
    }
}

#[cfg(test)]
mod tests;
