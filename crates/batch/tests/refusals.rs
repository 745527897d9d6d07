//! Refusals: every refused row and subject is reported with its place, and the counts still
//! reconcile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use recist_sdtm::PartialDates;
use serde_json::Value;

const TU_HEADER: &str =
    "STUDYID,DOMAIN,USUBJID,TULNKID,TUTESTCD,TUORRES,TUSTRESC,TULOC,TUEVAL,VISITNUM,VISIT,TUDTC";
const TR_HEADER: &str = "STUDYID,DOMAIN,USUBJID,TRGRPID,TRLNKID,TRTESTCD,TRORRES,TRORRESU,TRSTRESC,TRSTRESN,TRSTRESU,TRSTAT,TREVAL,VISITNUM,VISIT,TRDTC";

/// TU and TR of subject `S-OK` (adjudicable) followed by the given rows.
fn study(dir: &Path, tu_rows: &[&str], tr_rows: &[&str]) -> (PathBuf, PathBuf) {
    let mut tu = vec![
        TU_HEADER.to_string(),
        "ST,TU,S-OK,T01,TUMIDENT,TARGET,TARGET,LIVER,,1,SCREENING,2021-01-04".into(),
    ];
    tu.extend(tu_rows.iter().map(|r| r.to_string()));
    let mut tr = vec![
        TR_HEADER.to_string(),
        "ST,TR,S-OK,TARGET,T01,LDIAM,40,mm,40,40,mm,,,1,SCREENING,2021-01-04".into(),
        "ST,TR,S-OK,TARGET,T01,LDIAM,20,mm,20,20,mm,,,2,WEEK 6,2021-02-24".into(),
    ];
    tr.extend(tr_rows.iter().map(|r| r.to_string()));
    let (tu_path, tr_path) = (dir.join("TU.csv"), dir.join("TR.csv"));
    std::fs::write(&tu_path, tu.join("\n") + "\n").unwrap();
    std::fs::write(&tr_path, tr.join("\n") + "\n").unwrap();
    (tu_path, tr_path)
}

/// Runs a study; returns the summary and the error lines.
fn run_study(name: &str, tu_rows: &[&str], tr_rows: &[&str]) -> (Value, Vec<Value>, TestDir) {
    let dir = tmp(name);
    let (tu, tr) = study(&dir, tu_rows, tr_rows);
    let out = dir.join("out");
    let report = run(&sdtm_config(&tu, &tr, None, &out));
    let s = summary(&out);
    assert_reconciles(&s);
    let e = errors(&out);
    assert_eq!(report.exit_code(), u8::from(!e.is_empty()));
    (s, e, dir.child("out"))
}

fn the<'a>(errors: &'a [Value], level: &str, code: &str) -> &'a Value {
    errors
        .iter()
        .find(|e| e["level"] == level && e["code"] == code)
        .unwrap_or_else(|| panic!("no {level} error {code} in {errors:#?}"))
}

const T1: &str = "ST,TU,S-X,T01,TUMIDENT,TARGET,TARGET,LUNG,,1,SCREENING,2021-01-04";
const X_BASE: &str = "ST,TR,S-X,TARGET,T01,LDIAM,30,mm,30,30,mm,,,1,SCREENING,2021-01-04";
const X_W6: &str = "ST,TR,S-X,TARGET,T01,LDIAM,28,mm,28,28,mm,,,2,WEEK 6,2021-02-24";

#[test]
fn unknown_trtestcd_refuses_the_row_and_its_subject() {
    let (s, e, _) = run_study(
        "unknown-test",
        &[T1],
        &[
            X_BASE,
            X_W6,
            "ST,TR,S-X,TARGET,T01,VOLUME,12,mL,12,12,mL,,,2,WEEK 6,2021-02-24",
        ],
    );
    let row = the(&e, "row", "unknown-test");
    assert_eq!(row["row"], 6);
    assert_eq!(row["subject"], "S-X");
    assert_eq!(row["evaluator"], "INVESTIGATOR");
    assert_eq!(row["lesion"], "T01");
    assert_eq!(row["visit"], "WEEK 6");
    assert!(
        row["reason"].as_str().unwrap().contains("TR.csv:6"),
        "{row}"
    );
    assert!(row["reason"].as_str().unwrap().contains("VOLUME"));
    let subject = the(&e, "subject", "unknown-test");
    assert_eq!(subject["subject"], "S-X");
    assert_eq!(s["rows"]["TR"]["refused"], 1);
    assert_eq!(s["rows"]["TR"]["in_refused_subjects"], 2);
    assert_eq!(
        s["subject_evaluators"]["adjudicated"], 1,
        "S-OK is still adjudicated"
    );
    assert_eq!(s["subject_evaluators"]["refused_while_reading"], 1);
}

#[test]
fn an_unknown_code_can_be_mapped_as_ignored() {
    let dir = tmp("mapped-test");
    let (tu, tr) = study(
        &dir,
        &[T1],
        &[
            X_BASE,
            X_W6,
            "ST,TR,S-X,TARGET,T01,VOLUME,12,mL,12,12,mL,,,2,WEEK 6,2021-02-24",
        ],
    );
    let out = dir.join("out");
    let mut cfg = sdtm_config(&tu, &tr, None, &out);
    cfg.mapping
        .extend_text("tests: {VOLUME: ignore}", "sponsor.yaml")
        .unwrap();
    assert_eq!(run(&cfg).exit_code(), 0);
    let s = summary(&out);
    assert_reconciles(&s);
    assert_eq!(s["rows"]["TR"]["used"], 5);
}

#[test]
fn a_duplicate_row_is_refused_and_the_subject_kept() {
    let (s, e, out) = run_study("duplicate", &[T1], &[X_BASE, X_W6, X_W6]);
    let row = the(&e, "row", "duplicate-row");
    assert_eq!(row["row"], 6);
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("duplicate of row 5"),
        "{row}"
    );
    assert_eq!(s["rows"]["TR"]["refused"], 1);
    assert_eq!(s["subject_evaluators"]["adjudicated"], 2);
    assert!(read(&out.join("rs.csv")).contains("S-X"));
}

#[test]
fn conflicting_values_for_one_lesion_and_visit_refuse_the_subject() {
    let (s, e, out) = run_study(
        "conflict",
        &[T1],
        &[
            X_BASE,
            X_W6,
            "ST,TR,S-X,TARGET,T01,LDIAM,32,mm,32,32,mm,,,2,WEEK 6,2021-02-24",
        ],
    );
    let subject = the(&e, "subject", "conflicting-values");
    assert_eq!(subject["row"], 6);
    assert_eq!(subject["lesion"], "T01");
    assert_eq!(subject["visit"], "WEEK 6");
    assert!(
        subject["reason"]
            .as_str()
            .unwrap()
            .contains("row 5 says 28 mm, this row says 32 mm"),
        "{subject}"
    );
    assert_eq!(s["rows"]["TR"]["in_refused_subjects"], 3);
    assert!(!read(&out.join("rs.csv")).contains("S-X"));
}

#[test]
fn a_missing_baseline_is_refused() {
    // S-X: the target's first measurement is at week 6; S-Y: identified in TU, never measured.
    let (s, e, _) = run_study(
        "missing-baseline",
        &[
            T1,
            "ST,TU,S-X,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,,1,SCREENING,2021-01-04",
            "ST,TU,S-Y,T01,TUMIDENT,TARGET,TARGET,LUNG,,1,SCREENING,2021-01-04",
        ],
        &[
            "ST,TR,S-X,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,,1,SCREENING,2021-01-04",
            X_W6,
        ],
    );
    let engine = the(&e, "subject", "engine");
    assert_eq!(engine["subject"], "S-X");
    assert_eq!(engine["lesion"], "T01");
    assert_eq!(engine["rule_set"], "recist-1.1");
    assert!(
        engine["reason"]
            .as_str()
            .unwrap()
            .contains("target without a measurement"),
        "{engine}"
    );
    let no_tr = the(&e, "subject", "no-tr-rows");
    assert_eq!(no_tr["subject"], "S-Y");
    assert!(no_tr["file"].as_str().unwrap().ends_with("TU.csv"));
    assert_eq!(s["subjects"]["seen"], 3);
    assert_eq!(s["subject_evaluators"]["refused_by_engine"], 1);
    assert_eq!(s["subject_evaluators"]["refused_while_reading"], 1);
}

/// A baseline row refused by itself (a result beside NOT DONE; TRORRES and TRSTRESC that
/// disagree) refuses its subject for that reason alone: the lesion is not also reported as
/// having no baseline row, or its baseline as missing, when the file has that row; nor a new
/// lesion whose row is refused as seen at no visit.
#[test]
fn a_refused_baseline_row_is_not_also_reported_missing() {
    let (_, e, _) = run_study(
        "refused-baseline-row",
        &[
            T1,
            "ST,TU,S-Y,T01,TUMIDENT,TARGET,TARGET,LIVER,,1,SCREENING,2021-01-04",
            "ST,TU,S-Y,NT01,TUMIDENT,NON-TARGET,NON-TARGET,HILAR LYMPH NODE,,1,SCREENING,2021-01-04",
            "ST,TU,S-Z,T01,TUMIDENT,TARGET,TARGET,LIVER,,1,SCREENING,2021-01-04",
            "ST,TU,S-Z,NEW01,TUMIDENT,NEW,NEW,AXILLARY LYMPH NODE,,3,WEEK 12,2021-04-07",
        ],
        &[
            // S-X: the target's only baseline row has a result beside NOT DONE.
            "ST,TR,S-X,TARGET,T01,LDIAM,30,mm,30,30,mm,NOT DONE,,1,SCREENING,2021-01-04",
            X_W6,
            // S-Y: the non-target node's baseline short axis is 12 mm collected, 15 standard.
            "ST,TR,S-Y,TARGET,T01,LDIAM,40,mm,40,40,mm,,,1,SCREENING,2021-01-04",
            "ST,TR,S-Y,NON-TARGET,NT01,LPERP,12,mm,15,15,mm,,,1,SCREENING,2021-01-04",
            "ST,TR,S-Y,TARGET,T01,LDIAM,30,mm,30,30,mm,,,2,WEEK 6,2021-02-24",
            "ST,TR,S-Y,NON-TARGET,NT01,LPERP,12,mm,12,12,mm,,,2,WEEK 6,2021-02-24",
            // S-Z: a new node's only row, at the visit TU identifies it, is refused (22 mm
            // collected, 25 standard): no "new lesion at no TR visit" besides.
            "ST,TR,S-Z,TARGET,T01,LDIAM,40,mm,40,40,mm,,,1,SCREENING,2021-01-04",
            "ST,TR,S-Z,TARGET,T01,LDIAM,30,mm,30,30,mm,,,2,WEEK 6,2021-02-24",
            "ST,TR,S-Z,NEW,NEW01,LPERP,22,mm,25,25,mm,,,3,WEEK 12,2021-04-07",
        ],
    );
    for subject in ["S-X", "S-Y", "S-Z"] {
        let lines: Vec<&Value> = e.iter().filter(|e| e["subject"] == subject).collect();
        assert_eq!(lines.len(), 1, "{subject}: {e:#?}");
        assert_eq!(lines[0]["code"], "invalid", "{subject}: {e:#?}");
        let problems: Vec<&str> = lines[0]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert_eq!(problems, ["invalid"], "{subject}: {e:#?}");
    }
}

#[test]
fn a_lesion_in_tr_but_not_tu_is_refused() {
    let (_, e, _) = run_study(
        "not-in-tu",
        &[T1],
        &[
            X_BASE,
            "ST,TR,S-X,TARGET,T02,LDIAM,15,mm,15,15,mm,,,1,SCREENING,2021-01-04",
            X_W6,
        ],
    );
    let subject = the(&e, "subject", "lesion-not-in-tu");
    assert_eq!(subject["lesion"], "T02");
    assert_eq!(subject["row"], 5);
}

#[test]
fn a_new_lesion_at_baseline_is_placed_at_its_tu_row() {
    // S-X: NEW01 identified in TU at the baseline visit, with no TR row of its own: the
    // refusal names TU's row (4), not the first TR row of that visit (another lesion).
    let (_, e, _) = run_study(
        "new-at-baseline",
        &[
            T1,
            "ST,TU,S-X,NEW01,TUMIDENT,NEW,NEW,LIVER,,1,SCREENING,2021-01-04",
        ],
        &[X_BASE, X_W6],
    );
    let new = the(&e, "subject", "new-at-baseline");
    assert_eq!(new["lesion"], "NEW01");
    assert!(new["file"].as_str().unwrap().ends_with("TU.csv"), "{new}");
    assert_eq!(new["row"], 4);
}

#[test]
fn partial_dates_are_refused_unless_imputed() {
    let rows = [
        X_BASE,
        "ST,TR,S-X,TARGET,T01,LDIAM,28,mm,28,28,mm,,,2,WEEK 6,2021-02",
    ];
    let (_, e, _) = run_study("partial-refused", &[T1], &rows);
    let subject = the(&e, "subject", "partial-date");
    assert!(
        subject["reason"]
            .as_str()
            .unwrap()
            .contains("--partial-dates"),
        "{subject}"
    );

    let dir = tmp("partial-first");
    let (tu, tr) = study(&dir, &[T1], &rows);
    let out = dir.join("out");
    let mut cfg = sdtm_config(&tu, &tr, None, &out);
    cfg.partial_dates = PartialDates::First;
    assert_eq!(run(&cfg).exit_code(), 0);
    let results = read(&out.join("results.jsonl"));
    assert!(
        results.contains("imputed to 2021-02-01 (--partial-dates first)"),
        "{results}"
    );
    // RS keeps the date as collected (SDTM holds no imputation): RSDTC `2021-02`, while the
    // results and their warning carry the imputed day.
    let rs = read(&out.join("rs.csv"));
    let week6: Vec<&str> = rs
        .lines()
        .filter(|l| l.contains(",S-X,") && l.contains("WEEK 6"))
        .collect();
    assert!(!week6.is_empty(), "{rs}");
    assert!(week6.iter().all(|l| l.ends_with(",2021-02")), "{rs}");
    assert!(results.contains("\"date\":\"2021-02-01\""), "{results}");
}

#[test]
fn centimetres_not_done_and_too_small_are_read() {
    let (_, e, out) = run_study(
        "units",
        &[
            T1,
            "ST,TU,S-X,T02,TUMIDENT,TARGET,TARGET,KIDNEY,,1,SCREENING,2021-01-04",
        ],
        &[
            "ST,TR,S-X,TARGET,T01,LDIAM,3.0,cm,,,,,,1,SCREENING,2021-01-04",
            "ST,TR,S-X,TARGET,T02,LDIAM,2,cm,20,20,mm,,,1,SCREENING,2021-01-04",
            "ST,TR,S-X,TARGET,T01,LDIAM,TOO SMALL TO MEASURE,,5,5,mm,,,2,WEEK 6,2021-02-24",
            "ST,TR,S-X,TARGET,T02,LDIAM,,,,,,NOT DONE,,2,WEEK 6,2021-02-24",
        ],
    );
    assert!(e.is_empty(), "{e:#?}");
    let rs = read(&out.join("rs.csv"));
    // T02 not done: the target response is not evaluable.
    assert!(
        rs.contains("S-X,1,TRGRESP,Target Response,RECIST 1.1,NE,NE"),
        "{rs}"
    );
    let results = read(&out.join("results.jsonl"));
    assert!(
        results.contains(r#""sum_mm":50.0"#),
        "30 + 20 mm at baseline: {results}"
    );
}

#[test]
fn standard_and_original_results_that_disagree_are_refused() {
    let (_, e, _) = run_study(
        "disagree",
        &[T1],
        &[
            "ST,TR,S-X,TARGET,T01,LDIAM,3.0,cm,31,31,mm,,,1,SCREENING,2021-01-04",
            X_W6,
        ],
    );
    let subject = the(&e, "subject", "invalid");
    assert!(
        subject["reason"].as_str().unwrap().contains("disagree"),
        "{subject}"
    );
}

/// Runs a study whose files are changed after writing (line ends, bytes that are not UTF-8).
fn run_edited(
    name: &str,
    tu_rows: &[&str],
    tr_rows: &[&str],
    edit: impl Fn(Vec<u8>) -> Vec<u8>,
) -> (Value, Vec<Value>) {
    let dir = tmp(name);
    let (tu, tr) = study(&dir, tu_rows, tr_rows);
    for p in [&tu, &tr] {
        std::fs::write(p, edit(std::fs::read(p).unwrap())).unwrap();
    }
    let out = dir.join("out");
    run(&sdtm_config(&tu, &tr, None, &out));
    let s = summary(&out);
    assert_reconciles(&s);
    (s, errors(&out))
}

#[test]
fn rows_are_numbered_by_physical_line_with_crlf_and_cr_line_ends() {
    let bad = "ST,TR,S-X,TARGET,T01,LDIAM,abc,mm,abc,,mm,,,2,WEEK 6,2021-02-24";
    for (name, end) in [("lf", &b"\n"[..]), ("crlf", b"\r\n"), ("cr", b"\r")] {
        let (_, e) = run_edited(&format!("line-ends-{name}"), &[T1], &[X_BASE, bad], |b| {
            let mut out = Vec::new();
            for l in b.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
                out.extend_from_slice(l);
                out.extend_from_slice(end);
                if l.ends_with(b"SCREENING,2021-01-04") && l.starts_with(b"ST,TR,S-X") {
                    // A blank line after S-X's baseline row.
                    out.extend_from_slice(end);
                }
            }
            out
        });
        let row = the(&e, "subject", "bad-number");
        // Header, S-OK's two rows, S-X's baseline, a blank line: the bad row is line 6.
        assert_eq!(row["row"], 6, "{name}: {row}");
        assert!(
            row["reason"].as_str().unwrap().contains("TR.csv:6"),
            "{name}: {row}"
        );
    }
}

#[test]
fn a_usubjid_not_utf8_refuses_its_rows_and_subject_naming_it() {
    // `@` becomes a Latin-1 `é` (0xe9), not UTF-8.
    let (s, e) = run_edited(
        "usubjid-not-utf8",
        &["ST,TU,S-@Y,T01,TUMIDENT,TARGET,TARGET,LUNG,,1,SCREENING,2021-01-04"],
        &[
            "ST,TR,S-@Y,TARGET,T01,LDIAM,30,mm,30,30,mm,,,1,SCREENING,2021-01-04",
            "ST,TR,S-@Y,TARGET,T01,LDIAM,28,mm,28,28,mm,,,2,WEEK 6,2021-02-24",
        ],
        |b| {
            b.into_iter()
                .map(|c| if c == b'@' { 0xe9 } else { c })
                .collect()
        },
    );
    let rows: Vec<(&str, u64)> = e
        .iter()
        .filter(|e| e["level"] == "row")
        .map(|e| (e["file"].as_str().unwrap(), e["row"].as_u64().unwrap()))
        .collect();
    assert_eq!(rows.len(), 3, "{e:#?}");
    for (file, row) in [("TU.csv", 3), ("TR.csv", 4), ("TR.csv", 5)] {
        let err = e
            .iter()
            .find(|x| x["file"].as_str().unwrap().ends_with(file) && x["row"] == row)
            .unwrap_or_else(|| panic!("{file}:{row}: {e:#?}"));
        assert_eq!(err["subject"], "S-\\xe9Y", "{err}");
        assert_eq!(err["code"], "malformed-row", "{err}");
        let reason = err["reason"].as_str().unwrap();
        assert!(
            reason.contains("USUBJID `S-\\xe9Y` is not valid UTF-8"),
            "{reason}"
        );
    }
    let sub = &s["subjects"];
    assert_eq!(
        (sub["seen"].as_u64(), sub["refused"].as_u64()),
        (Some(2), Some(1)),
        "{sub}"
    );
    assert_eq!(s["rows"]["TR"]["refused"], 2, "{}", s["rows"]["TR"]);
    assert_eq!(s["rows"]["TU"]["refused"], 1, "{}", s["rows"]["TU"]);
}

/// A minimal case of `subject`, with `extra` lines (an evaluator, say) after the subject.
fn case_yaml(subject: &str, extra: &str, week6_mm: u32) -> String {
    format!(
        "subject: {subject}\n{extra}lesions:\n  - {{id: T1, site: liver, role: target}}\nassessments:\n  - date: 2019-03-01\n    findings: {{T1: {{long_axis: 40}}}}\n  - date: 2019-04-12\n    findings: {{T1: {{long_axis: {week6_mm}}}}}\n"
    )
}

fn case_json(subject: &str, evaluator: &str) -> String {
    format!(
        r#"{{"subject":"{subject}","evaluator":"{evaluator}","lesions":[{{"id":"T1","site":"lung","role":"target"}}],"assessments":[{{"date":"2020-01-01","findings":{{"T1":{{"long_axis":20}}}}}}]}}"#
    )
}

/// A fresh test directory and its empty `cases` folder.
fn cases_dir(name: &str) -> (TestDir, PathBuf) {
    let dir = tmp(name);
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    (dir, cases)
}

/// Runs batch over the case files of `cases`, into `dir/out`.
fn run_cases(dir: &Path, cases: &Path) -> (recist_batch::BatchReport, PathBuf) {
    let out = dir.join("out");
    let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
    cfg.input = recist_batch::Input::Cases(cases.to_path_buf());
    (run(&cfg), out)
}

#[test]
fn a_subject_evaluator_with_two_cases_is_refused_whole() {
    // D-1 (the default evaluator) in a.yaml and again, as `Investigator`, in b.yaml's second
    // document, with another week-6 measurement: two conflicting cases of one subject ×
    // evaluator. D-1 read by `central` is another evaluator, adjudicated apart.
    let (dir, cases) = cases_dir("duplicate-cases");
    std::fs::write(cases.join("a.yaml"), case_yaml("D-1", "", 26)).unwrap();
    let b = format!(
        "{}---\n{}",
        case_yaml("OK-1", "", 20),
        case_yaml("D-1", "evaluator: Investigator\n", 56)
    );
    let second_doc = b.lines().position(|l| l == "---").unwrap() + 2;
    std::fs::write(cases.join("b.yaml"), &b).unwrap();
    std::fs::write(
        cases.join("c.jsonl"),
        format!(
            "\n{}\n{}\n{}\r\n{}\r\n",
            case_json("D-1", "central"),
            case_json("OK-2", "investigator"),
            case_json("J-2", "central"),
            case_json("J-2", "CENTRAL "),
        ),
    )
    .unwrap();
    let (report, out) = run_cases(&dir, &cases);
    assert_eq!(report.exit_code(), 1);

    let e = errors(&out);
    assert_eq!(e.len(), 2, "{e:#?}");
    // `inputs[].rows` of a case file: its cases (documents, or lines of JSON Lines).
    let inputs = summary(&out)["inputs"].clone();
    let rows: Vec<u64> = inputs
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rows"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [1, 2, 4], "{inputs:#}");
    let dup = &e[0];
    assert_eq!(dup["code"], "duplicate-case");
    let (a, b) = (
        cases.join("a.yaml").display().to_string(),
        cases.join("b.yaml").display().to_string(),
    );
    assert_eq!(dup["file"], a.as_str());
    assert_eq!(dup["row"], 1);
    assert_eq!(dup["subject"], "D-1");
    assert_eq!(dup["evaluator"], "INVESTIGATOR");
    let reason = dup["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("({a}:1, {b}:{second_doc})")),
        "{reason}"
    );

    // Lines of a JSON Lines file, and evaluators that differ only in case and spaces.
    let c = cases.join("c.jsonl").display().to_string();
    assert_eq!(
        (&e[1]["file"], &e[1]["row"]),
        (&Value::from(c.as_str()), &Value::from(4))
    );
    assert!(
        e[1]["reason"].as_str().unwrap().contains(&format!(
            "subject `J-2`: evaluator `central`: 2 cases of one subject × evaluator ({c}:4, {c}:5)"
        )),
        "{}",
        e[1]
    );

    // Neither D-1 nor J-2 case has a result; every other case has one.
    let results: Vec<(String, String)> = read(&out.join("results.jsonl"))
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["subject"].as_str().unwrap().to_string(),
                v["evaluator"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let subjects: Vec<&str> = results.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(subjects, ["OK-1", "D-1", "OK-2"], "{results:?}");
    assert_eq!(results[1].1, "central");
    let rs = read(&out.join("rs.csv"));
    let refused_rows = rs
        .lines()
        .filter(|l| (l.contains(",D-1,") && !l.contains("CENTRAL")) || l.contains(",J-2,"));
    assert_eq!(refused_rows.count(), 0, "{rs}");
    assert!(rs.contains(",OK-2,"), "{rs}");

    let s = summary(&out);
    assert_reconciles(&s);
    assert_eq!(s["rows"]["cases"], 7);
    let u = &s["subject_evaluators"];
    assert_eq!(
        (u["seen"].as_u64(), u["refused_while_reading"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(
        (
            s["subjects"]["seen"].as_u64(),
            s["subjects"]["refused"].as_u64()
        ),
        (Some(4), Some(2))
    );
}

#[test]
fn case_files_that_hold_no_case_or_cannot_be_read_are_reported() {
    // An empty YAML file, one of comments and `---` only, an empty .jsonl, and a link to a
    // file that is gone: each is an error line (none skipped without a word); OK-1 is read.
    let (dir, cases) = cases_dir("empty-case-files");
    std::fs::write(cases.join("a.yaml"), case_yaml("OK-1", "", 20)).unwrap();
    std::fs::write(cases.join("empty.yaml"), "").unwrap();
    std::fs::write(cases.join("docs.yaml"), "# nothing\n---\n---\n").unwrap();
    std::fs::write(cases.join("blank.jsonl"), "\n\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("gone.yaml"), cases.join("gone.yaml")).unwrap();
    let (report, out) = run_cases(&dir, &cases);
    assert_eq!(report.exit_code(), 1);
    let e = errors(&out);
    let mut files: Vec<String> = e
        .iter()
        .map(|x| {
            let f = x["file"].as_str().unwrap();
            f.rsplit('/').next().unwrap().to_string()
        })
        .collect();
    files.sort();
    let mut expected = vec!["blank.jsonl", "docs.yaml", "empty.yaml"];
    if cfg!(unix) {
        expected.push("gone.yaml");
    }
    assert_eq!(files, expected, "{e:#?}");
    for x in &e {
        let reason = x["reason"].as_str().unwrap();
        assert!(
            reason.contains("holds no case") || reason.contains("cannot read"),
            "{reason}"
        );
    }
    let s = summary(&out);
    // `inputs[].rows` of a case file: its cases (none here but in a.yaml).
    let mut rows: Vec<(String, u64)> = s["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let f = i["file"].as_str().unwrap();
            (
                f.rsplit('/').next().unwrap().to_string(),
                i["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    let names = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(f, n)| (f.to_string(), *n)).collect()
    };
    assert_eq!(
        rows,
        names(&[
            ("a.yaml", 1),
            ("blank.jsonl", 0),
            ("docs.yaml", 0),
            ("empty.yaml", 0)
        ])
    );
    assert_eq!(
        s["subject_evaluators"]["adjudicated"], 1,
        "{}",
        s["subject_evaluators"]
    );
}

/// A case that cannot be read (a YAML syntax error, an unknown key) is refused as the subject ×
/// evaluator its plain `subject:` and `evaluator:` lines name: its errors.jsonl line names
/// both (none given: the default evaluator), as every other subject refusal does.
#[test]
fn an_unreadable_case_is_refused_naming_its_subject_and_evaluator() {
    let (dir, cases) = cases_dir("unreadable-case-evaluator");
    std::fs::write(cases.join("a.yaml"), case_yaml("OK-1", "", 20)).unwrap();
    std::fs::write(
        cases.join("b.yaml"),
        "subject: BY\nevaluator: central\nlesions: [{id: T0, site: lung, role: target\nassessments: []\n---\nsubject: BK\nevaluator: central\nfoo: 1\nlesions: []\nassessments: []\n---\nsubject: BN\nfoo: 1\nlesions: []\nassessments: []\n",
    )
    .unwrap();
    let (report, out) = run_cases(&dir, &cases);
    assert_eq!(report.exit_code(), 1);
    let got: Vec<(String, String, String)> = errors(&out)
        .iter()
        .map(|x| {
            (
                x["code"].as_str().unwrap().to_string(),
                x["subject"].as_str().unwrap().to_string(),
                x["evaluator"].as_str().unwrap_or("null").to_string(),
            )
        })
        .collect();
    let want = |s: &str, e: &str| ("invalid-case".to_string(), s.to_string(), e.to_string());
    assert_eq!(
        got,
        [
            want("BY", "central"),
            want("BK", "central"),
            want("BN", "INVESTIGATOR")
        ]
    );
    assert_reconciles(&summary(&out));
}

#[test]
fn a_jsonl_line_not_utf8_is_refused_alone_and_the_lines_after_it_are_read() {
    // Line 2 of three holds a Latin-1 `é` (0xe9): that line is refused, naming file, line and
    // byte; lines 1 and 3 are adjudicated, and the counts reconcile.
    let (dir, cases) = cases_dir("jsonl-not-utf8");
    let mut bytes = case_json("J-1", "").into_bytes();
    bytes.push(b'\n');
    let bad = case_json("J-2", "");
    let at = bad.find("J-2").unwrap() + 2; // the `2`: byte `at + 1` of the line
    let mut bad = bad.into_bytes();
    bad[at] = 0xe9;
    bytes.extend_from_slice(&bad);
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(case_json("J-3", "").as_bytes());
    bytes.push(b'\n');
    std::fs::write(cases.join("c.jsonl"), &bytes).unwrap();
    let (report, out) = run_cases(&dir, &cases);
    assert_eq!(report.exit_code(), 1);

    let e = errors(&out);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0]["row"], 2, "{:#?}", e[0]);
    assert!(e[0]["file"].as_str().unwrap().ends_with("c.jsonl"));
    let reason = e[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("byte {}: not valid UTF-8", at + 1)),
        "{reason}"
    );
    assert_two_of_three_cases_adjudicated(&out, &bytes, ["J-1", "J-3"]);
}

#[test]
fn a_yaml_document_not_utf8_is_refused_alone_and_the_other_documents_are_read() {
    // y.yaml holds Y-1, Y-2 and Y-3; Y-2's site name has a Latin-1 `é` (0xe9) on line 12. That
    // document alone is refused, naming file, line, byte and subject; Y-1 and Y-3 are
    // adjudicated. The input's hash and size are those of the bytes as they are.
    let (dir, cases) = cases_dir("yaml-not-utf8");
    let mut bytes = case_yaml("Y-1", "", 20).into_bytes();
    bytes.extend_from_slice(b"---\n");
    let bad = case_yaml("Y-2", "", 20).replace("liver", "foie @");
    let mut bad = bad.into_bytes();
    let at = bad.iter().position(|&b| b == b'@').unwrap();
    bad[at] = 0xe9;
    bytes.extend_from_slice(&bad);
    bytes.extend_from_slice(b"---\n");
    bytes.extend_from_slice(case_yaml("Y-3", "", 20).as_bytes());
    std::fs::write(cases.join("y.yaml"), &bytes).unwrap();
    let (report, out) = run_cases(&dir, &cases);
    assert_eq!(report.exit_code(), 1);

    let e = errors(&out);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(
        (
            e[0]["row"].as_u64(),
            e[0]["subject"].as_str(),
            e[0]["code"].as_str()
        ),
        (Some(12), Some("Y-2"), Some("invalid-case")),
        "{:#?}",
        e[0]
    );
    let reason = e[0]["reason"].as_str().unwrap();
    assert!(
        reason.ends_with("y.yaml:12: subject `Y-2`: byte 25: not valid UTF-8"),
        "{reason}"
    );
    assert_two_of_three_cases_adjudicated(&out, &bytes, ["Y-1", "Y-3"]);
}

/// The run of a case file of three cases, `bytes`, one refused while reading: `adjudicated`
/// are the subjects of the results, the counts reconcile, and the input's row count, size and
/// hash are of the bytes as they are.
fn assert_two_of_three_cases_adjudicated(out: &Path, bytes: &[u8], adjudicated: [&str; 2]) {
    let results = read(&out.join("results.jsonl"));
    let subjects: Vec<String> = results
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["subject"].to_string())
        .collect();
    let expected = adjudicated.map(|s| format!("\"{s}\""));
    assert_eq!(subjects, expected, "{results}");

    let s = summary(out);
    assert_reconciles(&s);
    assert_eq!(s["rows"]["cases"], 3);
    let u = &s["subject_evaluators"];
    assert_eq!(
        (
            u["seen"].as_u64(),
            u["adjudicated"].as_u64(),
            u["refused_while_reading"].as_u64()
        ),
        (Some(3), Some(2), Some(1)),
        "{u}"
    );
    let input = &s["inputs"][0];
    use sha2::Digest;
    let sha = sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(
        (
            input["rows"].as_u64(),
            input["bytes"].as_u64(),
            input["sha256"].as_str()
        ),
        (Some(3), Some(bytes.len() as u64), Some(sha.as_str()))
    );
}

/// R11-NODE-RECORD: a mapping's `site_kinds` that gives `lymph-node` makes the lesion a node,
/// as the case format's `kind: lymph-node` does: measured on its short axis (LPERP) and normal
/// below 10 mm. Before, such a lesion was non-nodal and its LPERP-only target was refused.
#[test]
fn a_site_kind_lymph_node_from_the_mapping_makes_the_lesion_a_node() {
    let dir = tmp("site-kind-node");
    let (tu, tr) = study(
        &dir,
        &["ST,TU,S-X,T01,TUMIDENT,TARGET,TARGET,SUPRACLAVICULAR STATION,,1,SCREENING,2021-01-04"],
        &[
            "ST,TR,S-X,TARGET,T01,LPERP,20,mm,20,20,mm,,,1,SCREENING,2021-01-04",
            "ST,TR,S-X,TARGET,T01,LPERP,8,mm,8,8,mm,,,2,WEEK 6,2021-02-24",
        ],
    );
    let out = dir.join("out");
    let mut cfg = sdtm_config(&tu, &tr, None, &out);
    cfg.mapping
        .extend_text(
            "site_kinds: {SUPRACLAVICULAR STATION: lymph-node}",
            "sponsor.yaml",
        )
        .unwrap();
    assert_eq!(run(&cfg).exit_code(), 0);
    let rs = read(&out.join("rs.csv"));
    assert!(
        rs.lines()
            .any(|l| l.contains(",S-X,") && l.contains("TRGRESP") && l.contains(",CR,CR,")),
        "{rs}"
    );
}
