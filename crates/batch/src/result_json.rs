//! `results.jsonl` lines written by hand: the same bytes as `serde_json::to_writer` of a
//! [`SubjectResult`] (same key order, escaping and number formatting), without serde's
//! per-key escaping and dispatch. Keys and vocabulary (responses, scopes) are written as they
//! are; every string that can hold user text is escaped as serde_json escapes it. Rarely
//! present parts (radiotherapy courses, abscopal response) go through serde_json itself.
//!
//! Tests compare it with serde_json over every result of the conformance fixtures and of a
//! generated study.

use chrono::NaiveDate;
use recist_model::{
    Endpoint, Endpoints, Explanation, FollowUpResult, Mm, SubjectResult, TimepointResult,
    iso_date_bytes, push_int,
};
use serde_json::ser::Formatter;

/// Appends `r` as one JSON object (no newline), exactly as `serde_json::to_writer` would.
pub fn write_result(out: &mut Vec<u8>, r: &SubjectResult) {
    out.extend_from_slice(b"{\"id\":\"");
    let mut uuid = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.extend_from_slice(r.id.hyphenated().encode_lower(&mut uuid).as_bytes());
    out.extend_from_slice(b"\",\"subject\":");
    string(out, &r.subject);
    out.extend_from_slice(b",\"evaluator\":");
    opt_string(out, r.evaluator.as_deref());
    out.extend_from_slice(b",\"rule_set\":{\"id\":");
    string(out, &r.rule_set.id);
    out.extend_from_slice(b",\"version\":");
    string(out, &r.rule_set.version);
    out.extend_from_slice(b",\"sha256\":");
    string(out, &r.rule_set.sha256);
    out.extend_from_slice(b",\"overrides\":");
    array(out, &r.rule_set.overrides, |out, o| {
        out.extend_from_slice(b"{\"key\":");
        string(out, &o.key);
        out.extend_from_slice(b",\"value\":");
        string(out, &o.value);
        out.extend_from_slice(b",\"origin\":");
        string(out, &o.origin);
        out.push(b'}');
    });
    out.extend_from_slice(b"},\"scope\":\"");
    out.extend_from_slice(r.scope.as_str().as_bytes());
    out.extend_from_slice(b"\",\"timepoints\":");
    array(out, &r.timepoints, timepoint);
    out.extend_from_slice(b",\"best_overall_response\":");
    opt_static(out, r.best_overall_response.map(|x| x.as_str()));
    out.extend_from_slice(b",\"confirmed_best_overall_response\":");
    opt_static(out, r.confirmed_best_overall_response.map(|x| x.as_str()));
    out.extend_from_slice(b",\"response_dates\":{\"first_response\":");
    opt_date(out, r.response_dates.first_response);
    out.extend_from_slice(b",\"confirmed_response\":");
    opt_date(out, r.response_dates.confirmed_response);
    out.extend_from_slice(b",\"confirmation\":");
    opt_date(out, r.response_dates.confirmation);
    out.extend_from_slice(b"},\"best_response_reasons\":");
    explanations(out, &r.best_response_reasons);
    out.extend_from_slice(b",\"progression\":");
    match &r.progression {
        None => out.extend_from_slice(b"null"),
        Some(p) => {
            out.extend_from_slice(b"{\"date\":");
            date(out, p.date);
            out.extend_from_slice(b",\"day\":");
            push_int(out, p.day);
            out.extend_from_slice(b",\"first_pd_assessment\":");
            date(out, p.first_pd_assessment);
            out.extend_from_slice(b",\"site\":");
            opt_string(out, p.site.as_deref());
            out.push(b'}');
        }
    }
    out.extend_from_slice(b",\"endpoints\":");
    match &r.endpoints {
        None => out.extend_from_slice(b"null"),
        Some(e) => endpoints(out, e),
    }
    if !r.radiotherapy.is_empty() {
        out.extend_from_slice(b",\"radiotherapy\":");
        serde(out, &r.radiotherapy);
    }
    if let Some(a) = &r.abscopal {
        out.extend_from_slice(b",\"abscopal\":");
        serde(out, a);
    }
    out.extend_from_slice(b",\"warnings\":");
    array(out, &r.warnings, |out, w| string(out, w));
    out.push(b'}');
}

fn timepoint(out: &mut Vec<u8>, tp: &TimepointResult) {
    out.extend_from_slice(b"{\"date\":");
    date(out, tp.date);
    out.extend_from_slice(b",\"day\":");
    push_int(out, tp.day);
    out.extend_from_slice(if tp.baseline {
        b",\"baseline\":true,\"sum_mm\":"
    } else {
        b",\"baseline\":false,\"sum_mm\":"
    });
    opt_mm(out, tp.sum_mm);
    if let Some(f) = &tp.follow_up {
        follow_up(out, f);
    }
    out.push(b'}');
}

/// The follow-up fields, flattened into the timepoint's object.
fn follow_up(out: &mut Vec<u8>, f: &FollowUpResult) {
    out.extend_from_slice(b",\"nadir_mm\":");
    opt_mm(out, f.nadir_mm);
    out.extend_from_slice(b",\"change_from_baseline_pct\":");
    opt_f64(out, f.change_from_baseline_pct);
    out.extend_from_slice(b",\"change_from_nadir_pct\":");
    opt_f64(out, f.change_from_nadir_pct);
    out.extend_from_slice(b",\"change_from_nadir_mm\":");
    opt_mm(out, f.change_from_nadir_mm);
    out.extend_from_slice(b",\"target\":");
    opt_static(out, f.target.map(|x| x.as_str()));
    out.extend_from_slice(b",\"non_target\":");
    opt_static(out, f.non_target.map(|x| x.as_str()));
    out.extend_from_slice(b",\"new_lesions\":\"");
    out.extend_from_slice(f.new_lesions.as_str().as_bytes());
    out.extend_from_slice(b"\",\"overall\":\"");
    out.extend_from_slice(f.overall.as_str().as_bytes());
    out.extend_from_slice(b"\",\"reasons\":");
    array(out, &f.reasons, |out, s| string(out, s));
    // Left out when empty (explanations switched off), as the field's serde attribute says.
    if !f.explanations.is_empty() {
        out.extend_from_slice(b",\"explanations\":");
        explanations(out, &f.explanations);
    }
}

fn explanations(out: &mut Vec<u8>, list: &[Explanation]) {
    array(out, list, |out, e| {
        out.extend_from_slice(b"{\"rule\":");
        string(out, &e.rule);
        out.extend_from_slice(b",\"detail\":");
        string(out, &e.detail);
        out.push(b'}');
    });
}

/// A JSON array: `[`, each item written by `item`, separated by commas, `]`.
fn array<T>(out: &mut Vec<u8>, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        item(out, x);
    }
    out.push(b']');
}

fn endpoints(out: &mut Vec<u8>, e: &Endpoints) {
    out.extend_from_slice(b"{\"progression_free_survival\":");
    endpoint(out, &e.progression_free_survival);
    out.extend_from_slice(b",\"overall_survival\":");
    opt_endpoint(out, e.overall_survival.as_ref());
    out.extend_from_slice(b",\"duration_of_response\":");
    opt_endpoint(out, e.duration_of_response.as_ref());
    if let Some(x) = &e.in_field_relapse_free_survival {
        out.extend_from_slice(b",\"in_field_relapse_free_survival\":");
        endpoint(out, x);
    }
    if let Some(x) = &e.out_of_field_relapse_free_survival {
        out.extend_from_slice(b",\"out_of_field_relapse_free_survival\":");
        endpoint(out, x);
    }
    out.push(b'}');
}

fn opt_endpoint(out: &mut Vec<u8>, e: Option<&Endpoint>) {
    match e {
        Some(e) => endpoint(out, e),
        None => out.extend_from_slice(b"null"),
    }
}

fn endpoint(out: &mut Vec<u8>, e: &Endpoint) {
    out.extend_from_slice(if e.event {
        b"{\"event\":true,\"date\":"
    } else {
        b"{\"event\":false,\"date\":"
    });
    date(out, e.date);
    out.extend_from_slice(b",\"days\":");
    push_int(out, e.days);
    if let Some(d) = e.duration_days {
        out.extend_from_slice(b",\"duration_days\":");
        push_int(out, d);
    }
    out.push(b'}');
}

/// Anything else, through serde_json (the bytes it would write in place).
fn serde<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    if serde_json::to_writer(&mut *out, v).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// A string as serde_json writes it: quoted, with `"`, `\` and control characters escaped.
fn string(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        serde(out, s);
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether any byte is a control character, `"` or `\`: eight bytes at a time (bit tricks
/// on a `u64`: a byte of `x` is zero exactly when `has_zero` sets its top bit, and below
/// `0x20` exactly when `has_less_0x20` does), then the bytes left over.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    let has_less_0x20 = |x: u64| x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(c);
        let x = u64::from_le_bytes(word);
        if has_less_0x20(x)
            || has_zero(x ^ (ONES * u64::from(b'"')))
            || has_zero(x ^ (ONES * u64::from(b'\\')))
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A fixed vocabulary word (nothing to escape).
fn opt_static(out: &mut Vec<u8>, s: Option<&'static str>) {
    match s {
        Some(s) => {
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
}

/// A date as chrono serialises it (its `Display`, quoted).
fn date(out: &mut Vec<u8>, d: NaiveDate) {
    match iso_date_bytes(d) {
        Some(bytes) => {
            out.push(b'"');
            out.extend_from_slice(&bytes);
            out.push(b'"');
        }
        None => serde(out, &d),
    }
}

fn opt_date(out: &mut Vec<u8>, d: Option<NaiveDate>) {
    match d {
        Some(d) => date(out, d),
        None => out.extend_from_slice(b"null"),
    }
}

/// A float as serde_json writes it: shortest round-trip digits, `null` when not finite.
fn float(out: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        if serde_json::ser::CompactFormatter.write_f64(out, v).is_err() {
            out.extend_from_slice(b"null");
        }
    } else {
        out.extend_from_slice(b"null");
    }
}

fn opt_f64(out: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) => float(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// Below this many hundredths (10^13 mm) a length's shortest round-trip digits are its exact
/// decimal digits, so they are written from the integer without a float.
const MM_EXACT: u64 = 1_000_000_000_000_000;

/// A length as serde_json writes its `f64`: `124.0`, `98.5`, `0.05`.
fn mm(out: &mut Vec<u8>, v: Mm) {
    let h = v.hundredths();
    let abs = h.unsigned_abs();
    if abs >= MM_EXACT {
        float(out, v.as_f64());
        return;
    }
    if h < 0 {
        out.push(b'-');
    }
    push_int(out, (abs / 100) as i64);
    let frac = abs % 100;
    out.push(b'.');
    out.push(b'0' + (frac / 10) as u8);
    if !frac.is_multiple_of(10) {
        out.push(b'0' + (frac % 10) as u8);
    }
}

fn opt_mm(out: &mut Vec<u8>, v: Option<Mm>) {
    match v {
        Some(v) => mm(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Asserts the hand-written bytes equal serde_json's, and returns how many were compared.
    pub(crate) fn check(r: &SubjectResult) {
        let mut ours = Vec::new();
        write_result(&mut ours, r);
        let theirs = serde_json::to_vec(r).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }

    #[test]
    fn needs_escape_finds_every_escaped_byte_at_every_position() {
        for len in 0..24 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v = vec![b'a'; len];
                    v[at] = b;
                    let want = b < 0x20 || b == b'"' || b == b'\\';
                    assert_eq!(needs_escape(&v), want, "{len} {at} {b}");
                }
            }
        }
        // Bytes next to each other that could borrow into each other.
        for a in 0..=255u8 {
            for b in [0u8, 0x1f, 0x20, 0x21, 0x22, 0x5c, 0x7f, 0x80, 0xff] {
                let v = [a, b, a, b, a, b, a, b];
                let want = v.iter().any(|&x| x < 0x20 || x == b'"' || x == b'\\');
                assert_eq!(needs_escape(&v), want, "{a} {b}");
            }
        }
    }

    #[test]
    fn lengths_match_serde_json() {
        let mut hs: Vec<i64> = (-20_000..20_000).collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let h = (x % (MM_EXACT * 2)) as i64;
            hs.push(h);
            hs.push(-h);
            hs.push((x % 100_000_000) as i64);
        }
        hs.extend([
            MM_EXACT as i64 - 1,
            MM_EXACT as i64,
            MM_EXACT as i64 + 1,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ]);
        for h in hs {
            let mut ours = Vec::new();
            mm(&mut ours, Mm::from_hundredths(h));
            let theirs = serde_json::to_vec(&Mm::from_hundredths(h)).unwrap();
            assert_eq!(ours, theirs, "{h} hundredths");
        }
    }

    #[test]
    fn scalars_match_serde_json() {
        for s in [
            "",
            "plain",
            "a\"b",
            "back\\slash",
            "tab\there",
            "nl\n",
            "\u{1}",
            "é → ≤",
        ] {
            let mut ours = Vec::new();
            string(&mut ours, s);
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        for d in [
            NaiveDate::from_ymd_opt(2020, 2, 13).unwrap(),
            NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(0, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(-5, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(12_345, 1, 1).unwrap(),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ] {
            let mut ours = Vec::new();
            date(&mut ours, d);
            assert_eq!(ours, serde_json::to_vec(&d).unwrap(), "{d}");
        }
        for n in [0, 1, -1, 9, 10, -10, 123_456, i64::MAX, i64::MIN] {
            let mut ours = Vec::new();
            push_int(&mut ours, n);
            assert_eq!(ours, serde_json::to_vec(&n).unwrap(), "{n}");
        }
        for v in [
            0.0,
            -0.0,
            -20.97,
            1e-7,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ] {
            let mut ours = Vec::new();
            float(&mut ours, v);
            assert_eq!(ours, serde_json::to_vec(&v).unwrap(), "{v}");
        }
    }

    fn fixture_results() -> Vec<SubjectResult> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut files = Vec::new();
        for dir in [
            "recist-1.1",
            "mrecist",
            "irecist",
            "fields",
            "best-response",
        ] {
            let Ok(rd) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in rd {
                files.push(e.unwrap().path());
            }
        }
        files.sort();
        let sets: Vec<recist_rules::RuleSet> = recist_rules::bundled_ids()
            .into_iter()
            .map(|(id, _, _)| recist_rules::RuleSet::bundled(&id).unwrap())
            .collect();
        let mut out = Vec::new();
        for f in &files {
            let Ok(cases) = recist_io::read_case_file(f) else {
                continue;
            };
            for case in cases.into_iter().flatten() {
                for rules in &sets {
                    if let Ok(rs) = recist_engine::assess_subject(rules, &case.subject) {
                        out.extend(rs);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_fixture_result_matches_serde_json() {
        let results = fixture_results();
        assert!(results.len() > 200, "{} results", results.len());
        assert!(results.iter().any(|r| !r.radiotherapy.is_empty()));
        assert!(results.iter().any(|r| r.abscopal.is_some()));
        assert!(results.iter().any(|r| r.progression.is_some()));
        for r in &results {
            check(r);
        }
    }

    #[test]
    fn edited_results_match_serde_json() {
        // User text that needs escaping, overrides, and every optional part toggled.
        for mut r in fixture_results().into_iter().take(60) {
            r.subject = "S\"1\\\n".into();
            r.evaluator = None;
            r.warnings = vec!["visit \"V2\"\t: x".into(), "é".into()];
            r.rule_set.overrides.push(recist_model::AppliedOverride {
                key: "confirmation.min_interval_days".into(),
                value: "28".into(),
                origin: "--set".into(),
            });
            check(&r);
            r.endpoints = None;
            r.progression = None;
            check(&r);
        }
    }

    #[test]
    fn empty_explanations_are_left_out() {
        let mut r = fixture_results()
            .into_iter()
            .find(|r| r.timepoints.iter().any(|t| t.follow_up.is_some()))
            .unwrap();
        let mut with = Vec::new();
        write_result(&mut with, &r);
        let with = String::from_utf8(with).unwrap();
        assert!(with.contains("\"explanations\":["));
        for tp in &mut r.timepoints {
            if let Some(f) = &mut tp.follow_up {
                f.explanations.clear();
            }
        }
        let mut ours = Vec::new();
        write_result(&mut ours, &r);
        let ours = String::from_utf8(ours).unwrap();
        assert!(!ours.contains("\"explanations\""));
        // serde_json's bytes with the (empty) key removed, as `skip_serializing_if` gives.
        let theirs = serde_json::to_string(&r)
            .unwrap()
            .replace(",\"explanations\":[]", "");
        assert_eq!(ours, theirs);
    }
}
