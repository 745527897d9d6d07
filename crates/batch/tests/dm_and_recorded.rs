//! DM and recorded RS rows: every row read is counted, a bad row is reported with its file
//! and line, and DM rows of one subject must agree on its reference date.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use recist_batch::Input;
use serde_json::Value;

/// The fixture study with its DM rows (after the header) and, when given, recorded RS rows
/// (after the header) replaced; returns the study directory.
fn fixture_with(name: &str, dm: impl Fn(Vec<String>) -> Vec<String>) -> TestDir {
    let dir = tmp(name);
    let f = fixtures();
    for file in ["TU.csv", "TR.csv"] {
        std::fs::copy(f.join(file), dir.join(file)).unwrap();
    }
    edit(&f.join("DM.csv"), &dir.join("DM.csv"), dm);
    dir
}

/// Copies a CSV file, its data rows (after the header) edited.
fn edit(from: &Path, to: &Path, rows: impl Fn(Vec<String>) -> Vec<String>) {
    let text = read(from);
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().unwrap();
    let mut out = vec![header];
    out.extend(rows(lines.collect()));
    std::fs::write(to, out.join("\n") + "\n").unwrap();
}

/// Runs the study in `dir` (with recorded RS when given); returns the summary, the error
/// lines and the output directory. The fixture alone has one error line (FIX-007, refused
/// by the engine).
fn run_dir(dir: &Path, recorded: Option<&Path>) -> (Value, Vec<Value>, PathBuf) {
    let out = dir.join("out");
    let mut cfg = study_config(dir, &out);
    cfg.recorded = recorded.map(Path::to_path_buf);
    let report = run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    let e = errors(&out);
    assert_eq!(report.exit_code(), u8::from(!e.is_empty()));
    (s, e, out)
}

fn of_file<'a>(errors: &'a [Value], file: &str) -> Vec<&'a Value> {
    errors
        .iter()
        .filter(|e| e["file"].as_str().unwrap().ends_with(file))
        .collect()
}

fn result_of<'a>(results: &'a [Value], subject: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["subject"] == subject && r["evaluator"] == "INVESTIGATOR")
        .unwrap_or_else(|| panic!("no result for {subject}"))
}

fn results(out: &Path) -> Vec<Value> {
    read(&out.join("results.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_malformed_dm_row_is_reported_and_refuses_its_subject() {
    // DM line 3 is FIX-002's (with two evaluators): cut to 4 fields of 9.
    let dir = fixture_with("dm-malformed", |mut rows| {
        rows[1] = "FIX-01,DM,FIX-002,2".into();
        rows
    });
    let (s, e, out) = run_dir(&dir, None);
    let dm = of_file(&e, "DM.csv");
    let row = dm
        .iter()
        .find(|e| e["level"] == "row")
        .expect("a DM row error");
    assert_eq!(row["code"], "malformed-row");
    assert_eq!(row["row"], 3);
    assert_eq!(row["subject"], "FIX-002");
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("4 fields where the header has 9"),
        "{row}"
    );
    // Both of FIX-002's evaluators are refused: no day 0 taken from the baseline instead.
    let refused: Vec<&&Value> = dm
        .iter()
        .filter(|e| e["level"] == "subject" && e["subject"] == "FIX-002")
        .collect();
    assert_eq!(refused.len(), 2, "{refused:#?}");
    assert!(
        refused
            .iter()
            .all(|e| e["code"] == "unreadable-row-in-subject")
    );
    assert!(!results(&out).iter().any(|r| r["subject"] == "FIX-002"));
    let rows = &s["rows"]["DM"];
    assert_eq!(rows["read"], 8);
    assert_eq!(rows["refused"], 1);
    assert_eq!(rows["used"], 6);
    assert_eq!(rows["in_subjects_without_tumour_data"], 1);
}

#[test]
fn a_malformed_dm_row_of_a_subject_without_tumour_data_is_reported() {
    // FIX-008 has no TU or TR row.
    let dir = fixture_with("dm-malformed-alone", |mut rows| {
        rows[7] = "FIX-01,DM,FIX-008,8,2021-01-11".into();
        rows
    });
    let (s, e, _) = run_dir(&dir, None);
    let dm = of_file(&e, "DM.csv");
    assert_eq!(dm.len(), 1, "{dm:#?}");
    assert_eq!(dm[0]["level"], "row");
    assert_eq!(dm[0]["row"], 9);
    assert_eq!(dm[0]["subject"], "FIX-008");
    let rows = &s["rows"]["DM"];
    assert_eq!(rows["refused"], 1);
    assert_eq!(rows["in_subjects_without_tumour_data"], 0);
    assert_eq!(rows["subjects_without_tumour_data"], 1);
}

#[test]
fn conflicting_dm_reference_dates_refuse_the_subject() {
    let dir = fixture_with("dm-conflict", |mut rows| {
        rows.insert(1, "FIX-01,DM,FIX-001,1,2020-06-01,101,60,YEARS,F".into());
        rows
    });
    let (s, e, out) = run_dir(&dir, None);
    let refused = e
        .iter()
        .find(|e| e["subject"] == "FIX-001")
        .expect("FIX-001 refused");
    assert_eq!(refused["level"], "subject");
    assert_eq!(refused["code"], "conflicting-values");
    assert_eq!(refused["row"], 3);
    let reason = refused["reason"].as_str().unwrap();
    assert!(reason.contains("DM.csv:3"), "{reason}");
    assert!(
        reason.contains("RFSTDTC: row 2 says `2021-01-11`, this row says `2020-06-01`"),
        "{reason}"
    );
    assert!(!results(&out).iter().any(|r| r["subject"] == "FIX-001"));
    let rows = &s["rows"]["DM"];
    assert_eq!(rows["read"], 9);
    assert_eq!(rows["in_refused_subjects"], 2);
    assert_eq!(rows["refused"], 0);
}

#[test]
fn a_repeated_dm_row_with_the_same_date_is_used_with_a_warning() {
    let dir = fixture_with("dm-repeat", |mut rows| {
        rows.insert(1, rows[0].clone());
        rows
    });
    let (s, e, out) = run_dir(&dir, None);
    // Only FIX-007's engine refusal, as in the fixture.
    assert_eq!(e.len(), 1, "{e:#?}");
    let all = results(&out);
    let r = result_of(&all, "FIX-001");
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains("DM rows 2 and 3 of this subject give the same RFSTDTC (`2021-01-11`)"),
        "{warnings}"
    );
    assert_eq!(s["rows"]["DM"]["used"], 8);
}

#[test]
fn unsorted_dm_rows_are_checked_the_same_way() {
    // Read into memory: FIX-001's second, conflicting row comes last.
    let dir = fixture_with("dm-unsorted", |mut rows| {
        rows.push("FIX-01,DM,FIX-001,1,2020-06-01,101,60,YEARS,F".into());
        rows.push("FIX-01,DM,FIX-006,6".into());
        rows
    });
    let (s, e, _) = run_dir(&dir, None);
    assert!(
        s["mode"].as_str().unwrap().starts_with("in memory"),
        "{}",
        s["mode"]
    );
    let conflict = e.iter().find(|e| e["subject"] == "FIX-001").unwrap();
    assert_eq!(conflict["code"], "conflicting-values");
    assert_eq!(conflict["row"], 10);
    let malformed = e
        .iter()
        .find(|e| e["subject"] == "FIX-006" && e["level"] == "row")
        .unwrap();
    assert_eq!(malformed["row"], 11);
    assert_eq!(s["rows"]["DM"]["refused"], 1);
}

#[test]
fn bad_recorded_rows_are_reported_counted_and_not_compared() {
    let dir = fixture_with("rs-bad", |rows| rows);
    let rs = dir.join("RS.csv");
    // RS line 2: FIX-001's WEEK 6 TRGRESP cut short; line 4: its WEEK 6 NEWLIND dated
    // 2021-02-31; line 6: FIX-001's WEEK 12 TRGRESP not UTF-8.
    edit(&fixtures().join("expected-rs.csv"), &rs, |mut rows| {
        rows[0] = "FIX-01,RS,FIX-001,1,TRGRESP".into();
        rows[2] = rows[2].replace("2021-02-24", "2021-02-31");
        rows
    });
    let mut bytes = std::fs::read(&rs).unwrap();
    let at = bytes.windows(6).position(|w| w == b"WEEK 1").unwrap();
    bytes[at] = 0xff;
    std::fs::write(&rs, bytes).unwrap();

    let (s, e, out) = run_dir(&dir, Some(&rs));
    let bad = of_file(&e, "RS.csv");
    let places: Vec<(u64, &str, &str)> = bad
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["subject"].as_str().unwrap(),
                e["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            (2, "FIX-001", "malformed-row"),
            (4, "FIX-001", "bad-date"),
            (6, "FIX-001", "malformed-row"),
        ]
    );
    assert!(bad.iter().all(|e| e["level"] == "row"));
    assert_eq!(bad[1]["evaluator"], "INVESTIGATOR");
    assert_eq!(bad[1]["visit"], "WEEK 6");
    assert!(
        bad[1]["reason"]
            .as_str()
            .unwrap()
            .contains("RSDTC `2021-02-31`"),
        "{}",
        bad[1]
    );
    let rows = &s["rows"]["RS_recorded"];
    assert_eq!(rows["read"], 56);
    assert_eq!(rows["refused"], 3);
    assert_eq!(rows["used"], 53);
    // The refused rows are not compared: the engine's values there are on its side only.
    let c: Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    let tests = &c["comparisons"][0]["tests"];
    assert_eq!(
        tests["TRGRESP"]["candidate_only"], 2,
        "{}",
        tests["TRGRESP"]
    );
    assert_eq!(
        tests["NEWLIND"]["candidate_only"], 1,
        "{}",
        tests["NEWLIND"]
    );
    assert_eq!(tests["OVRLRESP"]["candidate_only"], 0);
}

#[test]
fn bad_recorded_rows_are_reported_with_case_files() {
    let dir = tmp("rs-bad-cases");
    let rs = dir.join("RS.csv");
    edit(&fixtures().join("expected-rs.csv"), &rs, |rows| {
        vec![
            rows[0].clone(),
            "FIX-01,RS,FIX-001,2,NEWLIND".into(),
            rows[1].replace("2021-02-24", "2021-13-01"),
        ]
    });
    let out = dir.join("out");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recist-1.1");
    let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
    cfg.input = Input::Cases(cases);
    cfg.studyid = "CONF".into();
    cfg.recorded = Some(rs.clone());
    run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    let bad = of_file(&errors(&out), "RS.csv")
        .into_iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(bad, [(3, "malformed-row".into()), (4, "bad-date".into())]);
    let rows = &s["rows"]["RS_recorded"];
    assert_eq!(rows["read"], 3);
    assert_eq!(rows["refused"], 2);
    assert_eq!(rows["used"], 1);
}

/// Case files name no study: without `--studyid`, rs.csv's STUDYID is empty, which SDTM does
/// not allow, and summary.json says so; with it, there is no warning.
#[test]
fn case_files_without_studyid_are_warned_about() {
    let dir = tmp("cases-no-studyid");
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recist-1.1");
    for (studyid, warned) in [("", true), ("CONF", false)] {
        let out = dir.join(format!("out-{warned}"));
        let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
        cfg.input = Input::Cases(cases.clone());
        cfg.studyid = studyid.into();
        run(&cfg);
        let s = summary(&out);
        let warnings = s["warnings"].as_array().unwrap();
        assert_eq!(
            warnings
                .iter()
                .any(|w| w.as_str().unwrap().contains("empty STUDYID")),
            warned,
            "{warnings:?}"
        );
        let rs = read(&out.join("rs.csv"));
        let first = rs.lines().nth(1).unwrap();
        assert!(first.starts_with(&format!("{studyid},RS,")), "{first}");
    }
}

/// An SDTM run has no warning: STUDYID comes from the data.
#[test]
fn sdtm_runs_have_no_warning() {
    let dir = tmp("sdtm-no-warning");
    let out = dir.join("out");
    let cfg = study_config(&fixtures(), &out);
    run(&cfg);
    assert_eq!(summary(&out)["warnings"], serde_json::json!([]));
}
