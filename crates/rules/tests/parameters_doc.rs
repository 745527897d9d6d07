//! `docs/parameters.md` against the code: every key of the rule-set format (walked from its
//! JSON Schema, generated from `RuleSetDoc`) has a row there and every row names a real key;
//! each row's default in each bundled rule set equals the bundled value; each row says who may
//! change the key as `PROTOCOL_PARAMETERS` and the rule sets' own `protocol_parameters` do;
//! and the fields of every list entry (a selector, a decision-table row …) are listed.
//!
//! The format the document keeps, so that it can be read and checked:
//! - a parameter table has the header `| Key | Meaning | Values | recist-1.1 | … | Change |
//!   Settles |`, one column per bundled rule set; each row's first cell is the key in
//!   backticks;
//! - a default cell is a YAML value in backticks (`` `28` ``, `` `[28, 56]` ``,
//!   `` `pd-if-certain` ``, `` `null` ``), `—` when the key is absent from that rule set,
//!   `N entries` (any word after the number) for a list or map of N items, or `see rules list`
//!   for a text that changes with each release (version, title);
//! - the Change cell starts with `protocol` (every rule set), `protocol: ID, ID` (only those),
//!   or `fixed`;
//! - an entry table's header starts with `Field of` and names the list keys (or the shared type,
//!   e.g. `LesionCondition`) in backticks; each row's first cell is a field in backticks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use recist_rules::{BUNDLED, PROTOCOL_PARAMETERS, RuleSet, json_schema};
use serde_json::Value;

/// The schema, its definitions, and a reference resolver (Option<T> is `anyOf [T, null]`).
struct Schema {
    root: Value,
    defs: serde_json::Map<String, Value>,
}

impl Schema {
    fn load() -> Schema {
        let root: Value = serde_json::from_str(&json_schema()).unwrap();
        let defs = root
            .get("$defs")
            .or_else(|| root.get("definitions"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Schema { root, defs }
    }

    /// The node behind `$ref` and `Option` wrappers, with the definition name if any.
    fn resolve<'a>(&'a self, mut node: &'a Value) -> (&'a Value, Option<String>) {
        let mut name = None;
        loop {
            if let Some(r) = node.get("$ref").and_then(Value::as_str) {
                let n = r.rsplit('/').next().unwrap().to_string();
                node = &self.defs[&n];
                name = Some(n);
                continue;
            }
            let wrapped = ["anyOf", "oneOf", "allOf"].iter().find_map(|k| {
                let subs: Vec<&Value> = node
                    .get(*k)?
                    .as_array()?
                    .iter()
                    .filter(|s| s.get("type").and_then(Value::as_str) != Some("null"))
                    .collect();
                (subs.len() == 1).then(|| subs[0])
            });
            match wrapped {
                Some(inner) => node = inner,
                None => return (node, name),
            }
        }
    }

    fn properties<'a>(&'a self, node: &'a Value) -> Option<&'a serde_json::Map<String, Value>> {
        node.get("properties").and_then(Value::as_object)
    }

    /// The struct a list's items are, if they are one.
    fn item_struct<'a>(&'a self, node: &'a Value) -> Option<(&'a Value, Option<String>)> {
        let items = node.get("items")?;
        let (item, name) = self.resolve(items);
        self.properties(item).map(|_| (item, name))
    }
}

/// Every key a rule set has, as `--set` and protocol files address keys: dotted through
/// mappings, a list or a map being one key. With it, the entry tables expected: list key (or
/// shared type) → the fields of one entry.
fn schema_keys(schema: &Schema) -> (BTreeSet<String>, BTreeMap<String, BTreeSet<String>>) {
    fn walk(
        schema: &Schema,
        node: &Value,
        path: &str,
        keys: &mut BTreeSet<String>,
        entries: &mut BTreeMap<String, BTreeSet<String>>,
    ) {
        let (node, _) = schema.resolve(node);
        if let Some(props) = schema.properties(node) {
            for (k, v) in props {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(schema, v, &p, keys, entries);
            }
            return;
        }
        keys.insert(path.to_string());
        if let Some((item, _)) = schema.item_struct(node) {
            entry_fields(schema, item, path, entries);
        }
    }
    /// The fields of one entry; a struct inside an entry is a shared type with its own table.
    fn entry_fields(
        schema: &Schema,
        item: &Value,
        name: &str,
        entries: &mut BTreeMap<String, BTreeSet<String>>,
    ) {
        let props = schema.properties(item).cloned().unwrap_or_default();
        entries.insert(name.to_string(), props.keys().cloned().collect());
        for v in props.values() {
            let (inner, def) = schema.resolve(v);
            if let (Some(_), Some(def)) = (schema.properties(inner), def) {
                entry_fields(schema, inner, &def, entries);
            }
        }
    }
    let mut keys = BTreeSet::new();
    let mut entries = BTreeMap::new();
    walk(schema, &schema.root, "", &mut keys, &mut entries);
    (keys, entries)
}

fn bundled_ids() -> Vec<String> {
    BUNDLED
        .iter()
        .map(|(name, _)| name.trim_end_matches(".yaml").to_string())
        .collect()
}

/// A markdown table: its header cells and rows of cells, with the line of each row.
struct Table {
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    // `\|` inside a cell is a literal bar.
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

fn tables(text: &str) -> Vec<Table> {
    let mut out: Vec<Table> = Vec::new();
    let mut current: Option<Table> = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with('|') {
            let row = cells(line);
            match current.as_mut() {
                None => {
                    current = Some(Table {
                        header: row,
                        rows: Vec::new(),
                    })
                }
                Some(t) => {
                    if !row.iter().all(|c| c.chars().all(|ch| "-: ".contains(ch))) {
                        t.rows.push((i + 1, row));
                    }
                }
            }
        } else if let Some(t) = current.take() {
            out.push(t);
        }
    }
    out.extend(current);
    out
}

/// The text between the first pair of backticks.
fn code(cell: &str) -> Option<&str> {
    let start = cell.find('`')? + 1;
    let len = cell[start..].find('`')?;
    Some(&cell[start..start + len])
}

/// Every text in backticks.
fn codes(cell: &str) -> Vec<&str> {
    cell.split('`').skip(1).step_by(2).collect()
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

fn doc_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/parameters.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Parsed {
    /// Key → (line, cells by header name).
    rows: BTreeMap<String, (usize, BTreeMap<String, String>)>,
    /// Entry-table name → fields listed.
    entries: BTreeMap<String, BTreeSet<String>>,
    problems: Vec<String>,
}

fn parse(text: &str) -> Parsed {
    let ids = bundled_ids();
    let mut parsed = Parsed {
        rows: BTreeMap::new(),
        entries: BTreeMap::new(),
        problems: Vec::new(),
    };
    for table in tables(text) {
        let head: Vec<String> = table.header.iter().map(|h| h.replace('`', "")).collect();
        if head.first().map(String::as_str) == Some("Key") {
            for id in &ids {
                if !head.contains(id) {
                    parsed.problems.push(format!(
                        "a parameter table has no column for `{id}`: {head:?}"
                    ));
                }
            }
            for (line, row) in &table.rows {
                let Some(key) = row.first().and_then(|c| code(c)) else {
                    parsed.problems.push(format!(
                        "line {line}: the first cell is not a key in backticks"
                    ));
                    continue;
                };
                if row.len() != head.len() {
                    parsed.problems.push(format!(
                        "line {line}: {} cells for {} columns",
                        row.len(),
                        head.len()
                    ));
                }
                let by_name = head.iter().cloned().zip(row.iter().cloned()).collect();
                if parsed
                    .rows
                    .insert(key.to_string(), (*line, by_name))
                    .is_some()
                {
                    parsed
                        .problems
                        .push(format!("line {line}: `{key}` has two rows"));
                }
            }
        } else if table
            .header
            .first()
            .is_some_and(|h| h.starts_with("Field of"))
        {
            let fields: BTreeSet<String> = table
                .rows
                .iter()
                .filter_map(|(_, row)| row.first().and_then(|c| code(c)).map(String::from))
                .collect();
            for name in codes(&table.header[0]) {
                if parsed
                    .entries
                    .insert(name.to_string(), fields.clone())
                    .is_some()
                {
                    parsed
                        .problems
                        .push(format!("two entry tables for `{name}`"));
                }
            }
        }
    }
    parsed
}

#[test]
fn every_key_of_the_rule_set_format_has_a_row_and_every_row_is_a_key() {
    let (keys, _) = schema_keys(&Schema::load());
    let parsed = parse(&doc_text());
    let documented: BTreeSet<String> = parsed.rows.keys().cloned().collect();
    let missing: Vec<_> = keys.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&keys).collect();
    assert!(
        missing.is_empty() && unknown.is_empty() && parsed.problems.is_empty(),
        "docs/parameters.md is out of step with the rule-set format:\n  keys without a row: {missing:?}\n  rows naming no key: {unknown:?}\n  {}",
        parsed.problems.join("\n  ")
    );
}

#[test]
fn every_dotted_key_named_in_the_text_exists() {
    // Prose and examples (`--set confirmation.min_interval_days=35`) name keys too; a key
    // under one of the format's sections must be a key or a mapping of keys. The rules
    // reference's own names (section 4) are quoted in the column headed `Rules reference`.
    let (keys, _) = schema_keys(&Schema::load());
    let sections: BTreeSet<&str> = keys.iter().filter_map(|k| k.split('.').next()).collect();
    let text = doc_text();
    let mut bad = Vec::new();
    for line in text.lines() {
        for token in codes(line) {
            for word in token.split(|c: char| c.is_whitespace() || ",=[]{}:".contains(c)) {
                let Some((first, _)) = word.split_once('.') else {
                    continue;
                };
                if !sections.contains(first)
                    || !word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                {
                    continue;
                }
                let known =
                    keys.contains(word) || keys.iter().any(|k| k.starts_with(&format!("{word}.")));
                if !known {
                    bad.push(word.to_string());
                }
            }
        }
    }
    // The reference's names are kept apart: see the `Rules reference` table.
    let reference = reference_names(&text);
    bad.retain(|w| !reference.contains(w));
    assert!(
        bad.is_empty(),
        "docs/parameters.md names keys that do not exist: {bad:?}"
    );
}

/// Names quoted in a column headed `Rules reference` (the reference's section 4 spellings).
fn reference_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for table in tables(text) {
        let Some(col) = table.header.iter().position(|h| h == "Rules reference") else {
            continue;
        };
        for (_, row) in &table.rows {
            if let Some(cell) = row.get(col) {
                out.extend(codes(cell).into_iter().map(String::from));
            }
        }
    }
    out
}

#[test]
fn the_defaults_stated_are_the_bundled_values() {
    let parsed = parse(&doc_text());
    let mut wrong = Vec::new();
    for id in bundled_ids() {
        let rules = RuleSet::bundled(&id).unwrap();
        let effective = serde_json::to_value(rules.doc()).unwrap();
        for (key, (line, row)) in &parsed.rows {
            let Some(cell) = row.get(&id) else { continue };
            let actual = key.split('.').try_fold(&effective, |v, part| v.get(part));
            let ok = match (cell.as_str(), actual) {
                ("—", None) => true,
                ("—", Some(_)) | (_, None) => false,
                ("see rules list", Some(v)) => v.is_string(),
                (c, Some(v)) => {
                    let count = c
                        .split_once(' ')
                        .and_then(|(n, w)| (!w.contains('`')).then_some(n))
                        .and_then(|n| n.parse::<usize>().ok());
                    match (count, code(c)) {
                        (Some(n), _) => match v {
                            Value::Array(a) => a.len() == n,
                            Value::Object(o) => o.len() == n,
                            _ => false,
                        },
                        (None, Some(yaml)) => {
                            recist_yaml::parse_value(yaml).is_ok_and(|stated| same(&stated, v))
                        }
                        (None, None) => false,
                    }
                }
            };
            if !ok {
                wrong.push(format!(
                    "line {line}: `{key}` in {id}: the document says {cell}, the rule set has {}",
                    actual.map_or_else(|| "nothing (absent)".into(), Value::to_string)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn who_may_change_each_key_is_as_the_code_says() {
    let parsed = parse(&doc_text());
    let ids = bundled_ids();
    let own: Vec<(String, Vec<String>)> = ids
        .iter()
        .map(|id| {
            let r = RuleSet::bundled(id).unwrap();
            (id.clone(), r.doc().protocol_parameters.clone())
        })
        .collect();
    let mut wrong = Vec::new();
    for (key, (line, row)) in &parsed.rows {
        let change = row.get("Change").map(String::as_str).unwrap_or_default();
        let expected = if PROTOCOL_PARAMETERS.contains(&key.as_str()) {
            "protocol".to_string()
        } else {
            let opened: Vec<&str> = own
                .iter()
                .filter(|(_, keys)| keys.contains(key))
                .map(|(id, _)| id.as_str())
                .collect();
            if opened.is_empty() {
                "fixed".to_string()
            } else {
                format!("protocol: {}", opened.join(", "))
            }
        };
        let first = change.split(['(', ';']).next().unwrap_or_default().trim();
        if first != expected {
            wrong.push(format!(
                "line {line}: `{key}`: Change says `{change}`, the code says `{expected}`"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_fields_of_every_list_entry_are_listed() {
    let (_, expected) = schema_keys(&Schema::load());
    let parsed = parse(&doc_text());
    let mut wrong = Vec::new();
    for (name, fields) in &expected {
        match parsed.entries.get(name) {
            None => wrong.push(format!("no `Field of` table names `{name}`")),
            Some(listed) if listed != fields => wrong.push(format!(
                "`{name}`: the table lists {listed:?}, an entry has {fields:?}"
            )),
            Some(_) => {}
        }
    }
    for name in parsed.entries.keys() {
        if !expected.contains_key(name) {
            wrong.push(format!(
                "a `Field of` table names `{name}`, which has no entries"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_protocol_parameters_are_keys_of_every_bundled_rule_set_that_opens_them() {
    // The list in the code and the format agree, so the document's `protocol` rows are real.
    let (keys, _) = schema_keys(&Schema::load());
    for key in PROTOCOL_PARAMETERS {
        assert!(keys.contains(*key), "`{key}` is not a key of the format");
    }
}

#[test]
fn rules_params_lists_the_keys_this_page_does() {
    // `recist rules params` walks the format in the library; it names the keys walked here.
    let (keys, _) = schema_keys(&Schema::load());
    for id in bundled_ids() {
        let listed: BTreeSet<String> = RuleSet::bundled(&id)
            .unwrap()
            .parameters()
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(listed, keys, "{id}");
    }
}
