//! Recorded RS compared with the engine: every recorded row is compared, refused with its
//! place, or counted apart, and what the comparison says does not depend on row order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// The fixture's own RS (`expected-rs.csv`), its data rows edited, written to `dir/RS.csv`.
fn recorded(dir: &Path, rows: impl Fn(Vec<String>) -> Vec<String>) -> PathBuf {
    let text = read(&fixtures().join("expected-rs.csv"));
    let mut lines = text.lines().map(str::to_string);
    let mut out = vec![lines.next().unwrap()];
    out.extend(rows(lines.collect()));
    let rs = dir.join("RS.csv");
    std::fs::write(&rs, out.join("\n") + "\n").unwrap();
    rs
}

/// Compares the fixture study with `rs`; returns the summary, the error lines of RS.csv and
/// `comparison.json`. Every count reconciles.
fn compare(rs: &Path, out: &Path) -> (Value, Vec<Value>, Value) {
    let mut cfg = study_config(&fixtures(), out);
    cfg.recorded = Some(rs.to_path_buf());
    let report = run(&cfg);
    let s = summary(out);
    assert_reconciles(&s);
    let e: Vec<Value> = errors(out)
        .into_iter()
        .filter(|e| e["file"].as_str().unwrap().ends_with("RS.csv"))
        .collect();
    // FIX-007 is refused by the engine either way.
    assert_eq!(report.exit_code(), 1);
    let c: Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    (s, e, stats(&c))
}

/// What a comparison found (its counts and matrices), without the file names.
fn stats(c: &Value) -> Value {
    let mut c = c["comparisons"][0].clone();
    c["reference"] = Value::Null;
    c
}

/// (row, subject, evaluator, visit, code) of error lines.
fn places(e: &[Value]) -> Vec<(u64, String, String, String, String)> {
    e.iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("-").to_string();
            (
                e["row"].as_u64().unwrap(),
                s("subject"),
                s("evaluator"),
                s("visit"),
                s("code"),
            )
        })
        .collect()
}

fn tuple(row: u64, visit: &str, code: &str) -> (u64, String, String, String, String) {
    (
        row,
        "FIX-001".into(),
        "INVESTIGATOR".into(),
        visit.into(),
        code.into(),
    )
}

/// FIX-001's WEEK 6 OVRLRESP (SD) is line 5 of the RS file (row index 3).
const OVRL_WEEK6: usize = 3;

#[test]
fn conflicting_recorded_rows_are_all_refused_and_the_comparison_does_not_depend_on_order() {
    let pd = |rows: &[String]| rows[OVRL_WEEK6].replace(",SD,SD,", ",PD,PD,");
    let dir = tmp("rs-conflict");
    let sd_first = recorded(&dir, |mut rows| {
        let extra = pd(&rows);
        rows.insert(OVRL_WEEK6 + 1, extra);
        rows
    });
    let (s, e, c) = compare(&sd_first, &dir.join("sd-first"));
    assert_eq!(
        places(&e),
        [
            tuple(5, "WEEK 6", "conflicting-values"),
            tuple(6, "WEEK 6", "conflicting-values"),
        ]
    );
    let reason = |i: usize| e[i]["reason"].as_str().unwrap().to_string();
    assert!(
        reason(0).contains("OVRLRESP: this row says SD, row 6 says PD"),
        "{}",
        reason(0)
    );
    assert!(
        reason(1).contains("OVRLRESP: this row says PD, row 5 says SD"),
        "{}",
        reason(1)
    );
    assert!(reason(0).contains("none of these rows is compared"));
    let rows = &s["rows"]["RS_recorded"];
    assert_eq!(
        (rows["read"].as_u64(), rows["refused"].as_u64()),
        (Some(57), Some(2))
    );
    assert_eq!(rows["used"], 55);
    let ovrl = &c["tests"]["OVRLRESP"];
    // Neither row is compared: the engine's WEEK 6 value is on its side only.
    assert_eq!(ovrl["reference_only"], 0, "{ovrl}");
    assert_eq!(ovrl["candidate_only"], 1, "{ovrl}");
    assert_eq!(ovrl["agreed"], ovrl["compared"], "{ovrl}");

    // The same rows the other way round: the same statistics.
    let dir2 = tmp("rs-conflict-reversed");
    let pd_first = recorded(&dir2, |mut rows| {
        let extra = pd(&rows);
        rows.insert(OVRL_WEEK6, extra);
        rows
    });
    let (s2, e2, c2) = compare(&pd_first, &dir2.join("pd-first"));
    assert_eq!(c2, c);
    assert_eq!(s2["rows"]["RS_recorded"], s["rows"]["RS_recorded"]);
    assert_eq!(places(&e2), places(&e));
}

#[test]
fn an_exact_duplicate_recorded_row_is_refused_and_the_first_is_compared() {
    let dir = tmp("rs-duplicate");
    let clean = compare(&fixtures().join("expected-rs.csv"), &dir.join("clean")).2;
    let rs = recorded(&dir, |mut rows| {
        // The repeat spells the value another way, and the visit number as a decimal.
        let again = rows[OVRL_WEEK6]
            .replace(",SD,SD,", ",sd,sd,")
            .replace(",WEEK 6,2,", ",WEEK 6,2.0,");
        rows.insert(OVRL_WEEK6 + 2, again);
        rows
    });
    let (s, e, c) = compare(&rs, &dir.join("out"));
    assert_eq!(places(&e), [tuple(7, "WEEK 6", "duplicate-row")]);
    let reason = e[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("duplicate of row 5: the same OVRLRESP (SD)"),
        "{reason}"
    );
    let rows = &s["rows"]["RS_recorded"];
    assert_eq!(
        (rows["read"].as_u64(), rows["refused"].as_u64()),
        (Some(57), Some(1))
    );
    // The kept row is compared as before; the repeat is not a value on one side only.
    assert_eq!(c, clean);
}

/// FIX-001's WEEK 12 TRGRESP (PR) is line 6 of the RS file (row index 4).
const TRG_WEEK12: usize = 4;

#[test]
fn a_recorded_response_outside_its_vocabulary_is_refused_with_its_place() {
    let dir = tmp("rs-vocabulary");
    let rs = recorded(&dir, |mut rows| {
        rows[OVRL_WEEK6] = rows[OVRL_WEEK6].replace(",SD,SD,", ",STABLE,STABLE,");
        rows[TRG_WEEK12] = rows[TRG_WEEK12].replace(",PR,PR,", ",,,");
        rows
    });
    let (s, e, c) = compare(&rs, &dir.join("out"));
    assert_eq!(
        places(&e),
        [
            tuple(5, "WEEK 6", "unknown-response"),
            tuple(6, "WEEK 12", "unknown-response"),
        ]
    );
    let reason = |i: usize| e[i]["reason"].as_str().unwrap().to_string();
    assert!(
        reason(0).ends_with(
            "unknown OVRLRESP response `STABLE` (expected CR, PR, SD, NON-CR/NON-PD, PD or NE)"
        ),
        "{}",
        reason(0)
    );
    assert!(
        reason(1).ends_with(
            "no TRGRESP response: RSSTRESC and RSORRES are empty (expected CR, PR, SD, PD, NE or NA)"
        ),
        "{}",
        reason(1)
    );
    // `recist bor` words an unknown overall response the same way.
    let bor = recist_io::read_recorded(&rs, &Default::default()).unwrap();
    let bor_says = bor.refused[0].to_string();
    assert!(
        bor_says.ends_with("response `STABLE` (expected CR, PR, SD, NON-CR/NON-PD, PD or NE)"),
        "{bor_says}"
    );
    let rows = &s["rows"]["RS_recorded"];
    assert_eq!(
        (rows["read"].as_u64(), rows["refused"].as_u64()),
        (Some(56), Some(2))
    );
    // Neither value is a category of the statistics, nor a discordance.
    assert_eq!(c["discordant"], 0, "{c}");
    for (test, labels) in [
        (
            "OVRLRESP",
            ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE"].as_slice(),
        ),
        ("TRGRESP", ["CR", "PR", "SD", "PD", "NE"].as_slice()),
    ] {
        let t = &c["tests"][test];
        assert_eq!(
            t["confusion"]["reference_rows_candidate_columns"],
            serde_json::json!(labels),
            "{t}"
        );
        assert_eq!(t["agreed"], t["compared"], "{t}");
        assert_eq!(t["candidate_only"], 1, "{t}");
    }
}

#[test]
fn recorded_rows_of_another_rscat_are_counted_apart_and_not_compared() {
    let dir = tmp("rs-other-category");
    let clean = compare(&fixtures().join("expected-rs.csv"), &dir.join("clean")).2;
    let rs = recorded(&dir, |mut rows| {
        // An iRECIST reading of FIX-001's WEEK 6: its own words, and another value for the
        // same visit, neither of them compared with RECIST 1.1, nor refused.
        let i = |from: &str, to: &str| {
            rows[OVRL_WEEK6]
                .replace(",RECIST 1.1,", ",iRECIST,")
                .replace(from, to)
        };
        let (a, b) = (i(",SD,SD,", ",iUPD,iUPD,"), i(",SD,SD,", ",PD,PD,"));
        rows.insert(OVRL_WEEK6 + 1, a);
        rows.push(b);
        // RSCAT is compared case-insensitively: this row is RECIST 1.1's (and agrees).
        rows[0] = rows[0].replace(",RECIST 1.1,", ",recist 1.1,");
        rows
    });
    let (s, e, c) = compare(&rs, &dir.join("out"));
    assert!(e.is_empty(), "{e:?}");
    let rows = &s["rows"]["RS_recorded"];
    assert_eq!(rows["read"], 58, "{rows}");
    assert_eq!(rows["other_category"], 2, "{rows}");
    assert_eq!(rows["used"], 56, "{rows}");
    assert_eq!(rows["refused"], 0, "{rows}");
    assert_eq!(c, clean);
}

fn jsonl(path: &Path) -> Vec<Value> {
    read(path)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Asserts that each comparison's `reference_only` and `candidate_only`, per test, count
/// exactly the `unmatched.jsonl` lines of that side and test.
fn assert_unmatched_counted(out: &Path) -> Vec<Value> {
    let c: Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    let lines = jsonl(&out.join("unmatched.jsonl"));
    let s = summary(out);
    assert_eq!(
        s["outputs"]["unmatched.jsonl"]["lines"],
        lines.len() as u64,
        "{}",
        s["outputs"]
    );
    for (i, cmp) in c["comparisons"].as_array().unwrap().iter().enumerate() {
        for (test, t) in cmp["tests"].as_object().unwrap() {
            for side in ["reference", "candidate"] {
                let n = lines
                    .iter()
                    .filter(|l| l["comparison"] == i && l["test"] == *test && l["side"] == side)
                    .count() as u64;
                assert_eq!(
                    t[format!("{side}_only")],
                    n,
                    "comparison {i}, {test}, {side}"
                );
            }
        }
    }
    lines
}

#[test]
fn values_on_one_side_only_are_each_a_line_of_unmatched_jsonl() {
    let dir = tmp("rs-unmatched");
    let rs = recorded(&dir, |mut rows| {
        // A visit the engine does not have (line 11 once inserted), of FIX-001.
        let extra = rows[OVRL_WEEK6]
            .replace(",SD,SD,", ",PD,PD,")
            .replace(",WEEK 6,2,2021-02-24", ",WEEK 99,99,2022-06-01");
        // An evaluator with no TU/TR data for FIX-001 (line 12).
        let other_reader = rows[OVRL_WEEK6].replace(",INVESTIGATOR,,", ",INVESTIGATOR,READER 9,");
        rows.insert(9, extra);
        rows.insert(10, other_reader);
        // FIX-002's WEEK 12 NEWLIND is not recorded: the engine's is on its side only.
        rows.retain(|r| !(r.contains("FIX-002,5,NEWLIND")));
        // A subject with no TU or TR data (FIX-999, last lines).
        rows.push(
            "FIX-01,RS,FIX-999,1,OVRLRESP,Overall Response,RECIST 1.1,PR,PR,INVESTIGATOR,,WEEK 6,2,2021-02-24".into(),
        );
        rows.push(
            "FIX-01,RS,FIX-999,2,BESTRESP,Best Overall Response,RECIST 1.1,PR,PR,INVESTIGATOR,,,,"
                .into(),
        );
        rows
    });
    let out = dir.join("out");
    let (s, e, _) = compare(&rs, &out);
    assert!(e.is_empty(), "{e:?}");
    assert_eq!(s["rows"]["RS_recorded"]["used"], 59);
    let lines = assert_unmatched_counted(&out);
    let file = rs.display().to_string();
    let label = "recist-1.1 1.5.1";
    let summary: Vec<(String, String, String, String, String, Value)> = lines
        .iter()
        .map(|l| {
            let s = |k: &str| l[k].as_str().unwrap_or("-").to_string();
            assert!(s("candidate_rule_set").starts_with(label), "{l}");
            assert_eq!(l["comparison"], 0, "{l}");
            (
                s("subject"),
                s("evaluator"),
                s("test"),
                s("visit"),
                s("side"),
                l["reference_source"]["row"].clone(),
            )
        })
        .collect();
    let row = |n: u64| Value::from(n);
    let t = |a: &str, b: &str, c: &str, d: &str, e: &str, f: Value| {
        (a.into(), b.into(), c.into(), d.into(), e.into(), f)
    };
    assert_eq!(
        summary,
        [
            t(
                "FIX-001",
                "INVESTIGATOR",
                "OVRLRESP",
                "WEEK 99",
                "reference",
                row(11)
            ),
            t(
                "FIX-001",
                "INVESTIGATOR/READER 9",
                "OVRLRESP",
                "WEEK 6",
                "reference",
                row(12)
            ),
            t(
                "FIX-002",
                "INVESTIGATOR",
                "NEWLIND",
                "WEEK 12",
                "candidate",
                Value::Null
            ),
            t(
                "FIX-999",
                "INVESTIGATOR",
                "OVRLRESP",
                "WEEK 6",
                "reference",
                row(59)
            ),
            t(
                "FIX-999",
                "INVESTIGATOR",
                "BESTRESP",
                "-",
                "reference",
                row(60)
            ),
        ]
    );
    let week99 = &lines[0];
    assert_eq!(week99["value"], "PD");
    assert_eq!(week99["visitnum"], "99");
    assert_eq!(week99["date"], "2022-06-01");
    assert_eq!(week99["reference_source"]["file"], file.as_str());
    let newlind = &lines[2];
    assert_eq!(newlind["value"], "N");
    assert_eq!(newlind["visitnum"], "3");
    assert_eq!(newlind["date"], "2021-04-07");
    assert_eq!(lines[4]["date"], Value::Null);
}

#[test]
fn r11_measdis_targets_mrecist_demotes_meet_its_na_between_rule_sets() {
    // mRECIST demotes some of the study's RECIST 1.1 targets (MR-TGT-ELIG), leaving a subject
    // with none: its RECIST 1.1 TRGRESP meets mRECIST's NA, a discordance, not a value on
    // one side only.
    let out = tmp("rules-unmatched");
    let mut cfg = study_config(&fixtures(), &out);
    cfg.against = vec![recist_rules::RuleSet::bundled("mrecist").unwrap()];
    run(&cfg);
    let lines = assert_unmatched_counted(&out);
    assert!(lines.is_empty(), "{lines:?}");
    let na: Vec<Value> = read(&out.join("discordant.jsonl"))
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["test"] == "TRGRESP" && l["candidate"] == "NA")
        .collect();
    assert!(!na.is_empty());
    for l in &na {
        assert!(
            l["reference_rule_set"]
                .as_str()
                .unwrap()
                .starts_with("recist-1.1 "),
            "{l}"
        );
        assert!(
            l["candidate_rule_set"]
                .as_str()
                .unwrap()
                .starts_with("mrecist "),
            "{l}"
        );
        assert!(l["subject"].as_str().unwrap().starts_with("FIX-"), "{l}");
        assert!(l["reference"].is_string(), "{l}");
        assert_ne!(l["reference"], "NA", "{l}");
        assert!(l["visit"].is_string(), "{l}");
    }
    let report: Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    let trg = &report["comparisons"][0]["tests"]["TRGRESP"];
    assert_eq!(trg["reference_only"], 0, "{trg}");
    assert_eq!(trg["candidate_only"], 0, "{trg}");
    let columns = trg["confusion"]["reference_rows_candidate_columns"]
        .as_array()
        .unwrap();
    assert_eq!(columns.last().unwrap(), "NA", "{trg}");
    let na_column: u64 = trg["confusion"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().last().unwrap().as_u64().unwrap())
        .sum();
    assert_eq!(na_column, na.len() as u64, "{trg}");
}

#[test]
fn values_on_one_side_only_are_lines_with_case_files_too() {
    let dir = tmp("rs-unmatched-cases");
    let rs = dir.join("RS.csv");
    let head = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC";
    let row = |subject: &str, value: &str, date: &str| {
        format!(
            "CONF,RS,{subject},1,OVRLRESP,Overall Response,RECIST 1.1,{value},{value},,,,,{date}"
        )
    };
    let rows = [
        head.to_string(),
        row("AMB-01-table2", "CR", "2024-06-24"),
        row("AMB-01-table2", "PD", "2024-09-30"),
        row("NO-SUCH-CASE", "PR", "2024-06-24"),
    ];
    std::fs::write(&rs, rows.join("\n") + "\n").unwrap();
    let out = dir.join("out");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recist-1.1");
    let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
    cfg.input = recist_batch::Input::Cases(cases);
    cfg.studyid = "CONF".into();
    cfg.recorded = Some(rs);
    run(&cfg);
    assert_reconciles(&summary(&out));
    let lines = assert_unmatched_counted(&out);
    let reference: Vec<(&str, &str, &str, u64)> = lines
        .iter()
        .filter(|l| l["side"] == "reference")
        .map(|l| {
            (
                l["subject"].as_str().unwrap(),
                l["evaluator"].as_str().unwrap(),
                l["value"].as_str().unwrap(),
                l["reference_source"]["row"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reference,
        [
            ("AMB-01-table2", "INVESTIGATOR", "PD", 3),
            ("NO-SUCH-CASE", "INVESTIGATOR", "PR", 4)
        ]
    );
    // Every other value of the cases is on the engine's side only, and listed.
    assert!(lines.iter().filter(|l| l["side"] == "candidate").count() > 100);
}

/// R11-MEASDIS: an amendment refusing non-target-only disease refuses a subject the current
/// rules adjudicate. Its values are not compared, but they are counted (and the subject ×
/// evaluator with them), never dropped: the comparison does not read as full agreement.
#[test]
fn r11_measdis_a_subject_one_rule_set_refuses_is_counted_in_the_comparison() {
    let dir = tmp("rules-one-refuses");
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recist-1.1");
    for f in ["R11-MEASDIS.yaml", "R11-TGT-CR.yaml"] {
        std::fs::copy(fixtures.join(f), cases.join(f)).unwrap();
    }
    let amended = recist()
        .with_overrides(
            None,
            &[("baseline.non_target_only".into(), "refused".into())],
        )
        .unwrap();
    let both =
        |name: &str, base: Vec<recist_rules::RuleSet>, against: Vec<recist_rules::RuleSet>| {
            let out = dir.join(name);
            let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
            cfg.input = recist_batch::Input::Cases(cases.clone());
            cfg.rule_sets = base;
            cfg.against = against;
            run(&cfg);
            assert_reconciles(&summary(&out));
            let c: Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
            (
                c["comparisons"][0].clone(),
                read(&out.join("comparison.md")),
            )
        };
    // The values R11-MEASDIS gets under the current rules: one per test and follow-up.
    let out = dir.join("alone");
    let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
    cfg.input = recist_batch::Input::Cases(cases.clone());
    run(&cfg);
    let measdis: Vec<Value> = read(&out.join("results.jsonl"))
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["subject"] == "R11-MEASDIS" && r["scope"] == "all")
        .collect();
    assert_eq!(measdis.len(), 1);
    let values: u64 = measdis[0]["timepoints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["baseline"] == false)
        .map(|t| {
            ["target", "non_target", "new_lesions", "overall"]
                .iter()
                .filter(|k| !t[**k].is_null())
                .count() as u64
        })
        .sum::<u64>()
        + 1;
    assert!(values > 1);

    let (cmp, md) = both("amended", vec![recist()], vec![amended.clone()]);
    assert_eq!(cmp["reference_rows_of_refused_subjects"], values, "{cmp}");
    assert_eq!(cmp["candidate_values_of_refused_subjects"], 0, "{cmp}");
    assert_eq!(
        cmp["subject_evaluators_refused"],
        serde_json::json!({"reference_only": 0, "candidate_only": 1, "both": 0}),
        "{cmp}"
    );
    assert!(md.contains("1 by the candidate only"), "{md}");
    // The other way round: the candidate's values are the ones not compared.
    let (cmp, _) = both("reverse", vec![amended], vec![recist()]);
    assert_eq!(cmp["candidate_values_of_refused_subjects"], values, "{cmp}");
    assert_eq!(cmp["reference_rows_of_refused_subjects"], 0, "{cmp}");
    assert_eq!(
        cmp["subject_evaluators_refused"]["reference_only"], 1,
        "{cmp}"
    );
}

#[test]
fn a_recorded_row_whose_rsorres_and_rsstresc_name_different_responses_is_refused() {
    let dir = tmp("rs-orres-stresc");
    let rs = recorded(&dir, |mut rows| {
        // WEEK 6 OVRLRESP: collected PD, standardised SD.
        rows[OVRL_WEEK6] = rows[OVRL_WEEK6].replace(",SD,SD,", ",PD,SD,");
        // WEEK 6 TRGRESP: collected as prose, standardised SD: RSSTRESC holds.
        rows[0] = rows[0].replace(",SD,SD,", ",Stable Disease,SD,");
        // WEEK 6 NTRGRESP: only RSORRES given: read.
        rows[1] = rows[1].replace(",NON-CR/NON-PD,NON-CR/NON-PD,", ",Non-CR / Non-PD,,");
        // WEEK 6 NEWLIND: collected N, standardised as prose: RSSTRESC is read, and is no
        // word of the test (an unknown response, not two responses that disagree).
        rows[2] = rows[2].replace(",N,N,", ",N,None per investigator,");
        rows
    });
    let (s, e, c) = compare(&rs, &dir.join("out"));
    assert_eq!(
        places(&e),
        [
            tuple(4, "WEEK 6", "unknown-response"),
            tuple(5, "WEEK 6", "orres-stresc-disagree")
        ]
    );
    let reason = e[1]["reason"].as_str().unwrap();
    assert!(
        reason.contains("OVRLRESP: RSORRES `PD` and RSSTRESC `SD` disagree"),
        "{reason}"
    );
    let reason = e[0]["reason"].as_str().unwrap();
    assert!(reason.contains("None per investigator"), "{reason}");
    let rows = &s["rows"]["RS_recorded"];
    assert_eq!(
        (rows["read"].as_u64(), rows["refused"].as_u64()),
        (Some(56), Some(2))
    );
    // Not compared: the engine's WEEK 6 values are on its side only.
    for t in ["OVRLRESP", "NEWLIND"] {
        let t = &c["tests"][t];
        assert_eq!(t["candidate_only"], 1, "{t}");
        assert_eq!(t["agreed"], t["compared"], "{t}");
    }
    for t in ["TRGRESP", "NTRGRESP"] {
        let t = &c["tests"][t];
        assert_eq!(t["agreed"], t["compared"], "{t}");
        assert_eq!(
            (t["reference_only"].as_u64(), t["candidate_only"].as_u64()),
            (Some(0), Some(0)),
            "{t}"
        );
    }
}

#[test]
fn a_comparison_in_which_no_recorded_value_was_compared_is_a_warning() {
    // A file with only its header, and one whose every row is of another RSCAT: the
    // statistics are empty and every engine value is on its side only, which is said.
    let dir = tmp("rs-nothing-compared");
    let header = recorded(&dir, |_| Vec::new());
    let out = dir.join("header");
    let mut cfg = study_config(&fixtures(), &out);
    cfg.recorded = Some(header.clone());
    run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    let w: Vec<String> = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(&format!(
            "no recorded value of {} was compared with recist-1.1 ",
            header.display()
        )),
        "{w:?}"
    );
    assert!(w[0].contains("of its 0 rows"), "{w:?}");

    let dir2 = tmp("rs-nothing-compared-cat");
    let other = recorded(&dir2, |rows| {
        rows.into_iter()
            .map(|r| r.replace(",RECIST 1.1,", ",RECIST 1.0,"))
            .collect()
    });
    let out = dir2.join("other");
    let mut cfg = study_config(&fixtures(), &out);
    cfg.recorded = Some(other);
    run(&cfg);
    let s = summary(&out);
    let w = s["warnings"][0].as_str().unwrap();
    assert!(
        w.contains("of its 56 rows, 0 were read")
            && w.contains("56 of an RSCAT other than `RECIST 1.1` (or empty)"),
        "{w}"
    );
    // Two rule sets, every recorded row of iRECIST's RSCAT: they are read for the iRECIST
    // comparison, and for RECIST 1.1's they are of another RSCAT (not "read for comparison").
    let dir3 = tmp("rs-nothing-compared-two");
    let kept = std::cell::Cell::new(0);
    let irecist_rows = recorded(&dir3, |rows| {
        let rows: Vec<String> = rows
            .into_iter()
            .filter(|r| !r.contains(",OVRLRESP,") && !r.contains(",BESTRESP,"))
            .map(|r| r.replace(",RECIST 1.1,", ",iRECIST,"))
            .collect();
        kept.set(rows.len());
        rows
    });
    let out = dir3.join("two");
    let mut cfg = study_config(&fixtures(), &out);
    cfg.rule_sets = vec![recist(), recist_rules::RuleSet::bundled("irecist").unwrap()];
    cfg.recorded = Some(irecist_rows);
    run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    let w: Vec<&str> = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| w.starts_with("no recorded value"))
        .collect();
    assert_eq!(w.len(), 1, "{w:?}");
    let n = kept.get();
    assert!(
        w[0].contains("compared with recist-1.1")
            && w[0].contains(&format!("of its {n} rows, 0 were read"))
            && w[0].contains(&format!(
                "{n} of an RSCAT other than `RECIST 1.1` (or empty)"
            )),
        "{w:?}"
    );
    // A comparison that compared something says nothing.
    let out = dir.join("clean");
    let mut cfg = study_config(&fixtures(), &out);
    cfg.recorded = Some(fixtures().join("expected-rs.csv"));
    run(&cfg);
    assert_eq!(summary(&out)["warnings"], serde_json::json!([]));
}
