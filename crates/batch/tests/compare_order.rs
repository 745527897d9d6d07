//! A comparison with recorded RS says the same whatever the order of the recorded rows:
//! every output (comparison.json, comparison.md, discordant.jsonl, unmatched.jsonl,
//! errors.jsonl, summary.json) is the same once each recorded row is named by what it is
//! rather than by its line, and every recorded row is counted exactly once, in every order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use recist_sdtm::generate::{GenerateOptions, generate};
use serde_json::Value;

/// Recorded RS: its header and data rows, each with an id that stays with it whatever the
/// order it is written in.
#[derive(Clone)]
struct Rs {
    header: String,
    rows: Vec<(usize, String)>,
}

impl Rs {
    fn read(path: &Path) -> Rs {
        let text = read(path);
        let mut lines = text.lines();
        let header = lines.next().unwrap().to_string();
        let rows = lines.map(str::to_string).enumerate().collect();
        Rs { header, rows }
    }

    /// Adds a row (a new id) after the row whose text contains `after`, or at the end.
    fn add(&mut self, after: Option<&str>, row: String) {
        let id = self.rows.len();
        match after.and_then(|a| self.rows.iter().position(|(_, r)| r.contains(a))) {
            Some(i) => self.rows.insert(i + 1, (id, row)),
            None => self.rows.push((id, row)),
        }
    }

    /// The text of the first row containing every one of `parts`.
    fn row(&self, parts: &[&str]) -> String {
        self.rows
            .iter()
            .map(|(_, r)| r)
            .find(|r| parts.iter().all(|p| r.contains(p)))
            .unwrap_or_else(|| panic!("no row with {parts:?}"))
            .clone()
    }

    fn subject(row: &str) -> &str {
        row.split(',').nth(2).unwrap()
    }

    fn evaluator(row: &str) -> String {
        row.split(',').skip(9).take(2).collect::<Vec<_>>().join("/")
    }

    /// Writes the rows; returns the id of each line (index: line − 2). Rows of the same text
    /// share one id (the smallest): nothing but their lines tells them apart.
    fn write(&self, path: &Path) -> Vec<usize> {
        let mut text = self.header.clone() + "\n";
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        for (id, r) in &self.rows {
            text.push_str(r);
            text.push('\n');
            let e = first.entry(r.as_str()).or_insert(*id);
            *e = (*e).min(*id);
        }
        std::fs::write(path, text).unwrap();
        self.rows.iter().map(|(_, r)| first[r.as_str()]).collect()
    }

    fn reordered(&self, rows: Vec<(usize, String)>) -> Rs {
        assert_eq!(rows.len(), self.rows.len());
        Rs {
            header: self.header.clone(),
            rows,
        }
    }

    /// Each subject's rows kept together (subjects in order), reordered by `f`.
    fn within_subjects(
        &self,
        mut f: impl FnMut(Vec<(usize, String)>) -> Vec<(usize, String)>,
    ) -> Rs {
        let mut out = Vec::new();
        for block in self.blocks() {
            out.extend(f(block));
        }
        self.reordered(out)
    }

    /// The rows in runs of one subject, in order.
    fn blocks(&self) -> Vec<Vec<(usize, String)>> {
        let mut blocks: Vec<Vec<(usize, String)>> = Vec::new();
        for r in &self.rows {
            match blocks.last_mut() {
                Some(b) if Rs::subject(&b[0].1) == Rs::subject(&r.1) => b.push(r.clone()),
                _ => blocks.push(vec![r.clone()]),
            }
        }
        blocks
    }

    /// The orders every check runs: reversed, reversed within each subject, evaluators
    /// interleaved within each subject, the first subject's rows moved last, and shuffles.
    fn orders(&self, seeds: &[u64]) -> Vec<(String, Rs)> {
        let mut out = vec![
            ("reversed".to_string(), {
                let mut r = self.rows.clone();
                r.reverse();
                self.reordered(r)
            }),
            (
                "reversed within subjects".into(),
                self.within_subjects(|mut b| {
                    b.reverse();
                    b
                }),
            ),
            (
                "evaluators interleaved".into(),
                self.within_subjects(|b| {
                    let mut by: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
                    for r in b {
                        by.entry(Rs::evaluator(&r.1)).or_default().push(r);
                    }
                    // The last evaluator first, then one row of each in turn.
                    let mut lists: Vec<_> = by.into_values().rev().map(|v| v.into_iter()).collect();
                    let mut out = Vec::new();
                    loop {
                        let before = out.len();
                        for l in &mut lists {
                            out.extend(l.next());
                        }
                        if out.len() == before {
                            break out;
                        }
                    }
                }),
            ),
            ("first subject last".into(), {
                let mut blocks = self.blocks();
                let first = blocks.remove(0);
                blocks.push(first);
                self.reordered(blocks.concat())
            }),
        ];
        for &seed in seeds {
            let mut rng = XorShift(seed);
            let mut all = self.rows.clone();
            rng.shuffle(&mut all);
            out.push((format!("shuffled (seed {seed})"), self.reordered(all)));
            let mut rng = XorShift(seed + 1000);
            out.push((
                format!("shuffled within subjects (seed {seed})"),
                self.within_subjects(|mut b| {
                    rng.shuffle(&mut b);
                    b
                }),
            ));
        }
        out
    }
}

/// A small deterministic shuffle (no dependency for it).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Every output of a comparison, with each recorded row named by its id instead of its line
/// (and the RS file's path left out); the lines of the JSON Lines files as a sorted list
/// (they come in input order, which is what changes).
#[derive(Debug, PartialEq)]
struct Outputs {
    comparison_json: Value,
    comparison_md: String,
    discordant: Vec<String>,
    unmatched: Vec<String>,
    /// RS error lines as (row id, code, subject, evaluator), sorted; the other error lines.
    rs_errors: Vec<(usize, String, String, String)>,
    other_errors: Vec<String>,
    summary: Value,
    results: String,
    rs_csv: String,
}

/// Runs the comparison of the study in `study` (TU.csv, TR.csv, DM.csv) with `rs` written in
/// `dir`; checks every recorded row is counted once; returns the outputs.
fn compare(study: &Path, tr: Option<&Path>, rs: &Rs, dir: &Path) -> Outputs {
    std::fs::create_dir_all(dir).unwrap();
    let rs_path = dir.join("RS.csv");
    let ids = rs.write(&rs_path);
    let out = dir.join("out");
    let mut cfg = study_config(study, &out);
    if let Some(tr) = tr {
        cfg.input = recist_batch::Input::Sdtm {
            tu: study.join("TU.csv"),
            tr: tr.to_path_buf(),
            dm: Some(study.join("DM.csv")),
        };
    }
    cfg.recorded = Some(rs_path.clone());
    run(&cfg);
    let file = rs_path.display().to_string();
    let id_of = |line: &Value| ids[line.as_u64().unwrap() as usize - 2];
    let jsonl = |name: &str| -> Vec<Value> {
        read(&out.join(name))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let named = |name: &str| -> Vec<String> {
        let mut lines: Vec<String> = jsonl(name)
            .into_iter()
            .map(|mut l| {
                if let Some(src) = l.get_mut("reference_source") {
                    assert_eq!(src["file"], file.as_str());
                    src["row"] = Value::from(id_of(&src["row"]));
                    src["file"] = Value::Null;
                }
                l.to_string()
            })
            .collect();
        lines.sort();
        lines
    };
    let (mut rs_errors, mut other_errors) = (Vec::new(), Vec::new());
    for e in jsonl("errors.jsonl") {
        if e["file"] == file.as_str() {
            let s = |k: &str| e[k].as_str().unwrap_or("-").to_string();
            rs_errors.push((id_of(&e["row"]), s("code"), s("subject"), s("evaluator")));
        } else {
            other_errors.push(e.to_string());
        }
    }
    rs_errors.sort();
    let mut comparison_json: Value =
        serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    for c in comparison_json["comparisons"].as_array_mut().unwrap() {
        c["reference"] = Value::Null;
    }
    let mut summary = summary(&out);
    assert_reconciles(&summary);
    assert_every_used_row_counted_once(&summary, &comparison_json);
    for k in ["command", "run_id", "inputs", "mode"] {
        summary[k] = Value::Null;
    }
    // Error lines name their rows by line: their bytes change with the order.
    summary["outputs"]["errors.jsonl"]["bytes"] = Value::Null;
    for c in summary["comparisons"].as_array_mut().unwrap() {
        c["reference"] = Value::Null;
    }
    Outputs {
        comparison_json,
        comparison_md: read(&out.join("comparison.md")).replace(&file, "RS.csv"),
        discordant: named("discordant.jsonl"),
        unmatched: named("unmatched.jsonl"),
        rs_errors,
        other_errors,
        summary,
        results: read(&out.join("results.jsonl")),
        rs_csv: read(&out.join("rs.csv")),
    }
}

/// Of one comparison with recorded RS whose rows are all of its RSCAT (or none): each row
/// used is compared, on the reference side only, or of a refused subject × evaluator — once.
fn assert_every_used_row_counted_once(summary: &Value, comparison: &Value) {
    let c = &comparison["comparisons"][0];
    let n = |v: &Value| v.as_u64().unwrap();
    let per_test: u64 = c["tests"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| n(&t["compared"]) + n(&t["reference_only"]))
        .sum();
    assert_eq!(
        n(&summary["rows"]["RS_recorded"]["used"]),
        per_test + n(&c["reference_rows_of_refused_subjects"]),
        "{}\n{c}",
        summary["rows"]["RS_recorded"]
    );
}

/// Asserts every order of `rs` gives the outputs of `rs` as it is; returns those.
fn assert_order_free(
    name: &str,
    study: &Path,
    tr: Option<&Path>,
    rs: &Rs,
    seeds: &[u64],
) -> Outputs {
    let dir = tmp(name);
    let want = compare(study, tr, rs, &dir.join("as-is"));
    for (i, (order, rs)) in rs.orders(seeds).into_iter().enumerate() {
        let got = compare(study, tr, &rs, &dir.join(format!("order-{i}")));
        let same = |what: &str, a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
            let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
            assert!(
                a == b,
                "{name}: {order}: {what} differs:\n{}",
                first_difference(&a, &b)
            );
        };
        same(
            "comparison.json",
            &want.comparison_json,
            &got.comparison_json,
        );
        same("comparison.md", &want.comparison_md, &got.comparison_md);
        same("discordant.jsonl", &want.discordant, &got.discordant);
        same("unmatched.jsonl", &want.unmatched, &got.unmatched);
        same("errors.jsonl (RS rows)", &want.rs_errors, &got.rs_errors);
        same(
            "errors.jsonl (other)",
            &want.other_errors,
            &got.other_errors,
        );
        same("summary.json", &want.summary, &got.summary);
        assert!(
            want.results == got.results,
            "{name}: {order}: results.jsonl differs"
        );
        assert!(want.rs_csv == got.rs_csv, "{name}: {order}: rs.csv differs");
    }
    want
}

fn first_difference(a: &str, b: &str) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = al
        .iter()
        .zip(&bl)
        .position(|(x, y)| x != y)
        .unwrap_or(al.len().min(bl.len()));
    let show = |l: &[&str]| {
        l.iter()
            .skip(i.saturating_sub(3))
            .take(8)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!("as is:\n{}\nreordered:\n{}", show(&al), show(&bl))
}

/// The fixture's RS with one more row: `row` edited by `edit`, after it.
fn with_copy(rs: &mut Rs, parts: &[&str], edit: impl Fn(String) -> String) {
    let row = rs.row(parts);
    rs.add(Some(&row), edit(row.clone()));
}

/// The fixture's RS with, besides its own rows, one of each kind of row that is refused,
/// counted apart or on one side only.
fn fixture_rs_with_every_kind_of_row() -> Rs {
    let mut rs = Rs::read(&fixtures().join("expected-rs.csv"));
    // An exact repeat, and a third row of that record with another value.
    with_copy(&mut rs, &["FIX-003,", "OVRLRESP", ",WEEK 6,"], |r| r);
    with_copy(&mut rs, &["FIX-004,", "TRGRESP", ",WEEK 6,"], |r| r);
    with_copy(&mut rs, &["FIX-004,", "TRGRESP", ",WEEK 6,"], |r| {
        r.replace(",SD,SD,", ",PR,PR,")
    });
    // A visit the engine does not have; a VISITNUM that says WEEK 12 where VISIT and RSDTC
    // say WEEK 6 (VISITNUM wins).
    with_copy(&mut rs, &["FIX-006,", "OVRLRESP", ",WEEK 12,"], |r| {
        r.replace(",WEEK 12,3,2021-04-07", ",WEEK 99,99,2022-06-01")
    });
    with_copy(&mut rs, &["FIX-005,", "NEWLIND", ",WEEK 6,"], |r| {
        r.replace(",WEEK 6,2,", ",WEEK 6,9,")
    });
    // An evaluator with no TU/TR data, a subject refused by the engine, a subject with no
    // TU/TR data (last in the file).
    with_copy(&mut rs, &["FIX-003,", "OVRLRESP", ",WEEK 12,"], |r| {
        r.replace(",INVESTIGATOR,,", ",INVESTIGATOR,READER 9,")
    });
    let fix7 = rs
        .row(&["FIX-006,", "OVRLRESP", ",WEEK 6,"])
        .replace("FIX-006", "FIX-007");
    rs.add(Some("FIX-006,7,"), fix7);
    let fix999 = rs
        .row(&["FIX-006,", "BESTRESP"])
        .replace("FIX-006", "FIX-999");
    rs.add(None, fix999);
    // Another RSCAT, a test recist does not write, a word no test has, a partial date.
    with_copy(&mut rs, &["FIX-005,", "OVRLRESP", ",WEEK 12,"], |r| {
        r.replace(",RECIST 1.1,PD,PD,", ",iRECIST,iUPD,iUPD,")
    });
    with_copy(&mut rs, &["FIX-005,", "OVRLRESP", ",WEEK 12,"], |r| {
        r.replace(",OVRLRESP,Overall Response,", ",SUMPCT,Percent Change,")
    });
    with_copy(&mut rs, &["FIX-006,", "TRGRESP", ",WEEK 6,"], |r| {
        r.replace(",CR,CR,", ",GONE,GONE,")
    });
    with_copy(&mut rs, &["FIX-006,", "NEWLIND", ",WEEK 12,"], |r| {
        r.replace(",2021-04-07", ",2021-04")
    });
    rs
}

#[test]
fn recorded_rows_of_every_kind_are_compared_alike_in_any_order() {
    let rs = fixture_rs_with_every_kind_of_row();
    let out = assert_order_free("order-kinds", &fixtures(), None, &rs, &[1, 2, 3]);
    let codes: Vec<&str> = out.rs_errors.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        codes,
        [
            "duplicate-row",
            // FIX-004's WEEK 6 TRGRESP, its exact repeat (the same id) and the PR row.
            "conflicting-values",
            "conflicting-values",
            "conflicting-values",
            "unknown-response",
            "partial-date",
        ],
        "{:?}",
        out.rs_errors
    );
}

#[test]
fn one_visit_given_by_visitnum_and_by_visit_alone_is_one_record_in_any_order() {
    // FIX-001's WEEK 6 OVRLRESP is SD by VISITNUM; a row naming the visit by VISIT alone
    // says PD, one naming it by RSDTC alone says SD for its TRGRESP.
    let mut rs = Rs::read(&fixtures().join("expected-rs.csv"));
    with_copy(&mut rs, &["FIX-001,", "OVRLRESP", ",WEEK 6,"], |r| {
        r.replace(",SD,SD,", ",PD,PD,")
            .replace(",WEEK 6,2,", ",WEEK 6,,")
    });
    with_copy(&mut rs, &["FIX-001,", "TRGRESP", ",WEEK 6,"], |r| {
        r.replace(",WEEK 6,2,", ",,,")
    });
    let out = assert_order_free("order-visit-forms", &fixtures(), None, &rs, &[4]);
    // Both OVRLRESP rows are refused (which one holds is unknown); the TRGRESP given twice
    // alike is compared once, its repeat refused.
    let refused: Vec<(usize, &str)> = out.rs_errors.iter().map(|e| (e.0, e.1.as_str())).collect();
    let ovrl = rs
        .rows
        .iter()
        .position(|(_, r)| r.contains("FIX-001,4,OVRLRESP"))
        .unwrap();
    assert_eq!(
        refused,
        [
            (rs.rows[ovrl].0, "conflicting-values"),
            (rs.rows.len() - 2, "conflicting-values"),
            (rs.rows.len() - 1, "duplicate-row"),
        ]
    );
    let ovrl = &out.comparison_json["comparisons"][0]["tests"]["OVRLRESP"];
    assert_eq!(ovrl["reference_only"], 0, "{ovrl}");
    assert_eq!(ovrl["candidate_only"], 1, "{ovrl}");
    let trg = &out.comparison_json["comparisons"][0]["tests"]["TRGRESP"];
    assert_eq!(trg["reference_only"], 0, "{trg}");
}

#[test]
fn a_row_without_rscat_and_one_with_it_are_one_record_in_any_order() {
    // FIX-002's INVESTIGATOR BESTRESP is SD under RSCAT RECIST 1.1; a row with no RSCAT (of
    // every compared rule set) says PR. An agreeing NEWLIND without RSCAT is a repeat.
    let mut rs = Rs::read(&fixtures().join("expected-rs.csv"));
    with_copy(&mut rs, &["FIX-002,7,BESTRESP"], |r| {
        r.replace(",RECIST 1.1,SD,SD,", ",,PR,PR,")
    });
    with_copy(
        &mut rs,
        &["FIX-002,", "NEWLIND", "RADIOLOGIST 1,WEEK 6,"],
        |r| r.replace(",RECIST 1.1,", ",,"),
    );
    let out = assert_order_free("order-rscat", &fixtures(), None, &rs, &[5]);
    let codes: Vec<&str> = out.rs_errors.iter().map(|e| e.1.as_str()).collect();
    assert_eq!(
        codes,
        ["conflicting-values", "conflicting-values", "duplicate-row"],
        "{:?}",
        out.rs_errors
    );
    let best = &out.comparison_json["comparisons"][0]["tests"]["BESTRESP"];
    assert_eq!(best["reference_only"], 0, "{best}");
    assert_eq!(best["candidate_only"], 1, "{best}");
    let newlind = &out.comparison_json["comparisons"][0]["tests"]["NEWLIND"];
    assert_eq!(newlind["reference_only"], 0, "{newlind}");
}

/// The fixture's TR with FIX-001's WEEK 6 and WEEK 12 both named `UNSCHEDULED` (their
/// VISITNUMs told apart), written to `dir`.
fn tr_with_one_visit_name_twice(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let text = read(&fixtures().join("TR.csv"));
    let renamed: Vec<String> = text
        .lines()
        .map(|l| {
            if l.contains(",FIX-001,") {
                l.replace(",2,WEEK 6,", ",2,UNSCHEDULED,")
                    .replace(",3,WEEK 12,", ",3,UNSCHEDULED,")
            } else {
                l.to_string()
            }
        })
        .collect();
    let tr = dir.join("TR.csv");
    std::fs::write(&tr, renamed.join("\n") + "\n").unwrap();
    tr
}

#[test]
fn rows_naming_a_visit_name_given_twice_are_told_apart_by_their_dates() {
    let dir = tmp("order-unscheduled");
    let tr = tr_with_one_visit_name_twice(&dir.join("tr"));
    let clean = compare(
        &fixtures(),
        None,
        &Rs::read(&fixtures().join("expected-rs.csv")),
        &dir.join("clean"),
    );
    // FIX-001's RS rows name both visits `UNSCHEDULED`, with no VISITNUM: RSDTC tells
    // them apart.
    let mut rs = Rs::read(&fixtures().join("expected-rs.csv"));
    for (_, r) in &mut rs.rows {
        if r.contains(",FIX-001,") {
            *r = r
                .replace(",WEEK 6,2,", ",UNSCHEDULED,,")
                .replace(",WEEK 12,3,", ",UNSCHEDULED,,");
        }
    }
    let out = assert_order_free("order-unscheduled-rs", &fixtures(), Some(&tr), &rs, &[6]);
    assert!(out.rs_errors.is_empty(), "{:?}", out.rs_errors);
    assert_eq!(out.comparison_json, clean.comparison_json);
    assert!(out.unmatched.is_empty(), "{:?}", out.unmatched);
}

#[test]
fn a_generated_study_is_compared_alike_in_any_order() {
    let dir = tmp("order-generated");
    let study = dir.join("study");
    let opts = GenerateOptions {
        subjects: 200,
        seed: 11,
        ..GenerateOptions::default()
    };
    generate(&opts, &recist(), &study).unwrap();
    let mut rs = Rs::read(&study.join("RS.csv"));
    // Some of the rows that made outputs depend on order, on a few subjects: a visit by
    // VISIT alone with another value, by RSDTC alone with the same, a BESTRESP without RSCAT
    // with another value, a NEWLIND without RSCAT with the same; a repeat and a conflict.
    let subjects: Vec<String> = rs
        .blocks()
        .iter()
        .map(|b| Rs::subject(&b[0].1).to_string())
        .collect();
    let other = |r: String| {
        let v = r.split(',').nth(8).unwrap().to_string();
        let w = if v == "SD" { "PR" } else { "SD" };
        r.replace(&format!(",{v},{v},"), &format!(",{w},{w},"))
    };
    for (k, s) in subjects.iter().enumerate().step_by(17) {
        let s = format!(",{s},");
        match k % 4 {
            0 => with_copy(&mut rs, &[&s, ",OVRLRESP,", ",WEEK 6,2,"], |r| {
                other(r).replace(",WEEK 6,2,", ",WEEK 6,,")
            }),
            1 => with_copy(&mut rs, &[&s, ",TRGRESP,"], |r| {
                let f: Vec<&str> = r.split(',').collect();
                r.replace(&format!(",{},{},", f[11], f[12]), ",,,")
            }),
            2 => with_copy(&mut rs, &[&s, ",BESTRESP,"], |r| {
                other(r).replace(",RECIST 1.1,", ",,")
            }),
            _ => {
                with_copy(&mut rs, &[&s, ",NEWLIND,"], |r| {
                    r.replace(",RECIST 1.1,", ",,")
                });
                with_copy(&mut rs, &[&s, ",OVRLRESP,"], |r| r);
                with_copy(&mut rs, &[&s, ",OVRLRESP,"], other);
            }
        }
    }
    let out = assert_order_free("order-generated-rs", &study, None, &rs, &[7, 8]);
    assert!(!out.discordant.is_empty());
    assert!(out.rs_errors.len() >= 24, "{:?}", out.rs_errors);
}

#[test]
fn recorded_rows_of_a_subject_whose_tumour_rows_are_all_unreadable_are_counted() {
    // Every TU and TR row of FIX-003 has a field too many: no evaluator of it can be built,
    // and its recorded rows are those of a refused subject, not lost.
    let dir = tmp("order-unreadable-subject");
    let study = dir.join("study");
    std::fs::create_dir_all(&study).unwrap();
    for name in ["TU.csv", "TR.csv", "DM.csv"] {
        let text = read(&fixtures().join(name));
        let edited: Vec<String> = text
            .lines()
            .map(|l| {
                if name != "DM.csv" && l.contains(",FIX-003,") {
                    format!("{l},EXTRA")
                } else {
                    l.to_string()
                }
            })
            .collect();
        std::fs::write(study.join(name), edited.join("\n") + "\n").unwrap();
    }
    let rs = Rs::read(&fixtures().join("expected-rs.csv"));
    let fix3 = rs
        .rows
        .iter()
        .filter(|(_, r)| r.contains(",FIX-003,"))
        .count() as u64;
    assert!(fix3 > 0);
    let out = assert_order_free("order-unreadable-subject-rs", &study, None, &rs, &[9]);
    let c = &out.comparison_json["comparisons"][0];
    // FIX-007 is refused by the engine but has no recorded row.
    assert_eq!(c["reference_rows_of_refused_subjects"], fix3, "{c}");
}

/// The fixture's TR with the first of FIX-001's WEEK 6 rows naming the visit `WEEK 6
/// UNSCHEDULED` (its VISITNUM still 2), FIX-001's rows in file order or reversed.
fn tr_with_two_names_for_one_visit(dir: &Path, reversed: bool) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let text = read(&fixtures().join("TR.csv"));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let first = lines
        .iter()
        .position(|l| l.contains(",FIX-001,") && l.contains(",2,WEEK 6,"))
        .unwrap();
    lines[first] = lines[first].replace(",2,WEEK 6,", ",2,WEEK 6 UNSCHEDULED,");
    if reversed {
        let at: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].contains(",FIX-001,"))
            .collect();
        let mut rows: Vec<String> = at.iter().map(|&i| lines[i].clone()).collect();
        rows.reverse();
        for (&i, r) in at.iter().zip(rows) {
            lines[i] = r;
        }
    }
    let tr = dir.join("TR.csv");
    std::fs::write(&tr, lines.join("\n") + "\n").unwrap();
    tr
}

#[test]
fn a_visit_named_two_ways_by_its_tr_rows_is_named_alike_in_any_order() {
    let dir = tmp("order-tr-visit-names");
    // FIX-001's WEEK 6 recorded by VISIT alone: it must find the visit whichever TR row
    // comes first.
    let mut rs = Rs::read(&fixtures().join("expected-rs.csv"));
    for (_, r) in &mut rs.rows {
        if r.contains(",FIX-001,") {
            *r = r.replace(",WEEK 6,2,", ",WEEK 6,,");
        }
    }
    let mut outs = Vec::new();
    for reversed in [false, true] {
        // One TR path for both, as error lines name it.
        let tr = tr_with_two_names_for_one_visit(&dir.join("tr"), reversed);
        outs.push(compare(
            &fixtures(),
            Some(&tr),
            &rs,
            &dir.join(format!("out-{reversed}")),
        ));
    }
    let (a, b) = (&outs[0], &outs[1]);
    assert!(a.rs_csv == b.rs_csv, "rs.csv:\n{}\n{}", a.rs_csv, b.rs_csv);
    assert!(a.results == b.results, "results.jsonl differs");
    assert_eq!(a.comparison_json, b.comparison_json);
    assert_eq!(a.unmatched, b.unmatched);
    assert_eq!(a.discordant, b.discordant);
    assert_eq!(a.other_errors, b.other_errors);
    let week6 = outs[0]
        .rs_csv
        .lines()
        .filter(|l| l.contains(",FIX-001,") && l.contains(",2,2021-02-24"))
        .count();
    assert_eq!(week6, 4, "{}", outs[0].rs_csv);
    assert!(outs[0].rs_csv.contains(",WEEK 6,2,2021-02-24"));
    assert!(
        outs[0].results.contains(
            "VISITNUM 2 (2021-02-24): its TR rows name it `WEEK 6`, `WEEK 6 UNSCHEDULED`: read as `WEEK 6`"
        ),
        "{}",
        outs[0].results
    );
    let c = &outs[0].comparison_json["comparisons"][0];
    for t in c["tests"].as_object().unwrap().values() {
        assert_eq!(t["reference_only"], 0, "{c}");
    }
}
