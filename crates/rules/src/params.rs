//! The keys of a rule set as `--set` and protocol files name them, with their values and
//! meanings (for `recist rules params` and `docs/parameters.md`).

use serde_json::Value;

use crate::{PROTOCOL_PARAMETERS, RuleSet, json_schema};

/// One key of a rule set: dotted through mappings, a list or a map being one key (as
/// [`RuleSet::with_overrides`] addresses keys).
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Dotted key, e.g. `confirmation.min_interval_days`.
    pub key: String,
    /// Its value in the rule set (after overrides); `None` where the key is absent.
    pub value: Option<Value>,
    /// Whether a protocol file or `--set` may change it in this rule set
    /// ([`PROTOCOL_PARAMETERS`] or the rule set's own `protocol_parameters`).
    pub protocol: bool,
    /// The first sentence of the key's documentation (from the rule-set format).
    pub meaning: String,
}

impl RuleSet {
    /// Every key of the rule-set format, in schema order (sections alphabetically), with this
    /// rule set's value.
    pub fn parameters(&self) -> Vec<Parameter> {
        let schema: Value = serde_json::from_str(&json_schema()).unwrap_or_default();
        let defs = schema
            .get("$defs")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let values = serde_json::to_value(self.doc()).unwrap_or_default();
        let mut keys = Vec::new();
        walk(&defs, &schema, "", None, &mut keys);
        keys.into_iter()
            .map(|(key, description)| {
                let value = key
                    .split('.')
                    .try_fold(&values, |v, part| v.get(part))
                    .cloned();
                let protocol = PROTOCOL_PARAMETERS.contains(&key.as_str())
                    || self.doc().protocol_parameters.contains(&key);
                Parameter {
                    meaning: first_sentence(&description),
                    key,
                    value,
                    protocol,
                }
            })
            .collect()
    }
}

/// The node behind `$ref`, and behind the `anyOf [T, null]` of an optional value.
fn resolve<'a>(defs: &'a serde_json::Map<String, Value>, mut node: &'a Value) -> &'a Value {
    // A schema refers through a handful of levels at most; the bound keeps a cycle harmless.
    for _ in 0..16 {
        if let Some(target) = node
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .and_then(|name| defs.get(name))
        {
            node = target;
            continue;
        }
        let inner = node
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|subs| {
                let mut non_null = subs
                    .iter()
                    .filter(|s| s.get("type").and_then(Value::as_str) != Some("null"));
                match (non_null.next(), non_null.next()) {
                    (Some(only), None) => Some(only),
                    _ => None,
                }
            });
        match inner {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

fn walk(
    defs: &serde_json::Map<String, Value>,
    node: &Value,
    path: &str,
    description: Option<&str>,
    out: &mut Vec<(String, String)>,
) {
    let resolved = resolve(defs, node);
    if let Some(props) = resolved.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            let d = v
                .get("description")
                .and_then(Value::as_str)
                .or_else(|| resolve(defs, v).get("description").and_then(Value::as_str));
            walk(defs, v, &p, d, out);
        }
        return;
    }
    out.push((
        path.to_string(),
        description.unwrap_or_default().to_string(),
    ));
}

/// Up to the first full stop that ends a sentence (not the one of `e.g.`), on one line.
fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut from = 0;
    while let Some(i) = text[from..].find(". ") {
        let end = from + i;
        let before = &text[..end];
        if before.ends_with("e.g") || before.ends_with("i.e") {
            from = end + 2;
            continue;
        }
        return text[..=end].to_string();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn params_name_every_protocol_parameter_with_its_value() {
        let rules = RuleSet::bundled("irecist").unwrap();
        let params = rules.parameters();
        let window = params
            .iter()
            .find(|p| p.key == "irecist.confirm_window_days")
            .unwrap();
        assert!(window.protocol);
        assert_eq!(window.value, Some(serde_json::json!([28, 56])));
        assert!(window.meaning.starts_with("Days after the iUPD"));
        for key in PROTOCOL_PARAMETERS {
            let p = params.iter().find(|p| p.key == *key).unwrap();
            assert!(
                p.protocol && p.value.is_some() && !p.meaning.is_empty(),
                "{key}"
            );
        }
        let fixed = params
            .iter()
            .find(|p| p.key == "target_response.pd_increase_pct")
            .unwrap();
        assert!(!fixed.protocol);
    }

    #[test]
    fn params_open_a_rule_sets_own_keys_only_there() {
        let key = "target_response.pd_min_increase_mm";
        let find = |id: &str| {
            RuleSet::bundled(id)
                .unwrap()
                .parameters()
                .into_iter()
                .find(|p| p.key == key)
                .unwrap()
        };
        assert!(find("mrecist").protocol);
        assert_eq!(find("mrecist").value, Some(Value::Null));
        assert!(!find("recist-1.1").protocol);
    }

    #[test]
    fn a_first_sentence_skips_abbreviations() {
        assert_eq!(
            first_sentence("Short key used in rule IDs, e.g. `R11`. More."),
            "Short key used in rule IDs, e.g. `R11`."
        );
        assert_eq!(first_sentence("One line\nsplit"), "One line split");
    }
}
