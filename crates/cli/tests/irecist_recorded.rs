//! Recorded iRECIST responses (`iCR`, `iPR`, `iSD`, `NON-iCR/NON-iUPD`, `iUPD`, `iCPD`) read
//! by `recist bor` and compared by `recist batch --recorded` under an iRECIST rule set, in
//! one vocabulary per reading.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{json_lines, recist, text};

use serde_json::Value;

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn read_lines(path: &Path) -> Vec<Value> {
    json_lines(&std::fs::read_to_string(path).unwrap())
}

/// A fresh directory of this test, removed when the value is dropped.
fn dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("recist-ir-test-{name}-"))
        .tempdir()
        .unwrap()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A synthetic study generated under iRECIST (200 subjects, seed 3, no discordance) in
/// `d/study`, and the engine's own RS of it under `--rules irecist` (`d/own/rs.csv`).
fn study(d: &Path) -> (PathBuf, PathBuf) {
    let g = d.join("study");
    let out = recist(&[
        "generate",
        "--subjects",
        "200",
        "--seed",
        "3",
        "--discordance",
        "0",
        "--rules",
        "irecist",
        "--out",
        &s(&g),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let own = d.join("own");
    let out = batch(&g, &own, None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (g, own.join("rs.csv"))
}

/// `recist batch --rules irecist` over the study in `g`, comparing with `recorded` if given.
fn batch(g: &Path, out: &Path, recorded: Option<&Path>) -> Output {
    let (tu, tr, dm) = (g.join("TU.csv"), g.join("TR.csv"), g.join("DM.csv"));
    let mut args = vec![
        "batch".to_string(),
        "--rules".into(),
        "irecist".into(),
        "--tu".into(),
        s(&tu),
        "--tr".into(),
        s(&tr),
        "--dm".into(),
        s(&dm),
        "--out".into(),
        s(out),
        "--progress".into(),
        "off".into(),
    ];
    if let Some(r) = recorded {
        args.extend(["--recorded".into(), s(r)]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    recist(&args)
}

/// The RS file's lines, header first.
fn rs_lines(rs: &Path) -> Vec<String> {
    std::fs::read_to_string(rs)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_rs(path: &Path, lines: &[String]) -> PathBuf {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
    path.to_path_buf()
}

/// The index of the first OVRLRESP line saying `value` (1-based file line = index + 1).
fn first_ovrlresp(lines: &[String], value: &str) -> usize {
    lines
        .iter()
        .position(|l| l.contains(",OVRLRESP,") && l.contains(&format!(",{value},{value},")))
        .unwrap()
}

/// `summary.json`'s recorded-rows count, checked to reconcile.
fn recorded_rows(out: &Path) -> Value {
    let s = json(&out.join("summary.json"));
    let rows = s["rows"]["RS_recorded"].clone();
    assert_eq!(rows["reconciles"], true, "{rows}");
    rows
}

fn test_of<'c>(c: &'c Value, test: &str) -> &'c Value {
    &c["comparisons"][0]["tests"][test]
}

#[test]
fn ir_recorded_rs_in_irecist_words_agrees_fully_with_the_engines_own() {
    let tmp = dir("agree");
    let d = tmp.path().to_path_buf();
    let (g, own) = study(&d);
    let out = d.join("cmp");
    let run = batch(&g, &out, Some(&own));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(read_lines(&out.join("errors.jsonl")).is_empty());
    assert!(read_lines(&out.join("discordant.jsonl")).is_empty());
    assert!(read_lines(&out.join("unmatched.jsonl")).is_empty());
    let c = json(&out.join("comparison.json"));
    for test in ["TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP", "BESTRESP"] {
        let t = test_of(&c, test);
        assert!(t["compared"].as_u64().unwrap() > 0, "{test}: {t}");
        assert_eq!(t["agreed"], t["compared"], "{test}: {t}");
        assert_eq!(t["agreement_pct"], 100.0, "{test}: {t}");
    }
    // The overall responses' categories are iRECIST's, in their order.
    let labels = &test_of(&c, "OVRLRESP")["confusion"]["reference_rows_candidate_columns"];
    assert_eq!(
        labels,
        &serde_json::json!(["iCR", "iPR", "iSD", "iUPD", "iCPD", "NE"])
    );
    // Every recorded row is read and used once.
    let rows = recorded_rows(&out);
    let n = rs_lines(&own).len() as u64 - 1;
    assert_eq!(
        (
            rows["read"].as_u64(),
            rows["used"].as_u64(),
            rows["refused"].as_u64()
        ),
        (Some(n), Some(n), Some(0)),
        "{rows}"
    );
}

#[test]
fn ir_a_discordant_recorded_irecist_row_is_a_line_of_discordant_jsonl() {
    let tmp = dir("discordant");
    let d = tmp.path().to_path_buf();
    let (g, own) = study(&d);
    let mut lines = rs_lines(&own);
    let i = first_ovrlresp(&lines, "iSD");
    // Written in another case, as a sponsor might: read as `iPR`.
    lines[i] = lines[i].replace(",iSD,iSD,", ",IPR,ipr,");
    let rs = write_rs(&d.join("RS.csv"), &lines);
    let out = d.join("cmp");
    let run = batch(&g, &out, Some(&rs));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let disc = read_lines(&out.join("discordant.jsonl"));
    assert_eq!(disc.len(), 1, "{disc:?}");
    assert_eq!(disc[0]["test"], "OVRLRESP");
    assert_eq!(disc[0]["reference"], "iPR");
    assert_eq!(disc[0]["candidate"], "iSD");
    assert_eq!(disc[0]["reference_source"]["row"], i as u64 + 1);
    let c = json(&out.join("comparison.json"));
    let t = test_of(&c, "OVRLRESP");
    assert_eq!(
        t["agreed"].as_u64().unwrap() + 1,
        t["compared"].as_u64().unwrap()
    );
    let labels: Vec<&str> = t["confusion"]["reference_rows_candidate_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let (r, col) = (
        labels.iter().position(|l| *l == "iPR").unwrap(),
        labels.iter().position(|l| *l == "iSD").unwrap(),
    );
    assert_eq!(t["confusion"]["counts"][r][col], 1, "{t}");
    assert_eq!(c["comparisons"][0]["discordant"], 1);
    let rows = recorded_rows(&out);
    assert_eq!(rows["read"], rows["used"], "{rows}");
}

#[test]
fn ir_recist11_words_under_rscat_irecist_are_refused_with_the_row() {
    let tmp = dir("mixed");
    let d = tmp.path().to_path_buf();
    let (g, own) = study(&d);
    let mut lines = rs_lines(&own);
    let i = first_ovrlresp(&lines, "iSD");
    lines[i] = lines[i].replace(",iSD,iSD,", ",SD,SD,");
    let rs = write_rs(&d.join("RS.csv"), &lines);
    let out = d.join("cmp");
    let run = batch(&g, &out, Some(&rs));
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let errors = read_lines(&out.join("errors.jsonl"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e["code"], "mixed-vocabulary");
    assert_eq!(e["row"], i as u64 + 1);
    let reason = e["reason"].as_str().unwrap();
    assert!(
        reason.contains(
            "OVRLRESP response `SD` is RECIST 1.1's word, recorded under RSCAT `iRECIST` \
             (expected iCR, iPR, iSD, NON-iCR/NON-iUPD, iUPD, iCPD or NE)"
        ),
        "{reason}"
    );
    // Not compared, so no discordance; counted once, as refused.
    assert!(read_lines(&out.join("discordant.jsonl")).is_empty());
    let rows = recorded_rows(&out);
    let n = lines.len() as u64 - 1;
    assert_eq!(
        (
            rows["read"].as_u64(),
            rows["used"].as_u64(),
            rows["refused"].as_u64()
        ),
        (Some(n), Some(n - 1), Some(1)),
        "{rows}"
    );
}

#[test]
fn ir_irecist_words_without_rscat_are_compared_under_irecist_only() {
    let tmp = dir("no-rscat");
    let d = tmp.path().to_path_buf();
    let (g, own) = study(&d);
    let lines: Vec<String> = rs_lines(&own)
        .into_iter()
        .map(|l| l.replacen(",iRECIST,", ",,", 1))
        .collect();
    let rs = write_rs(&d.join("RS.csv"), &lines);
    let out = d.join("cmp");
    let run = batch(&g, &out, Some(&rs));
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let c = json(&out.join("comparison.json"));
    let t = test_of(&c, "OVRLRESP");
    assert_eq!(t["agreed"], t["compared"], "{t}");
    assert!(t["compared"].as_u64().unwrap() > 0);
    // Under RECIST 1.1 the same rows are refused, with the note saying how to read them.
    let out = d.join("r11");
    let (tu, tr, dm) = (g.join("TU.csv"), g.join("TR.csv"), g.join("DM.csv"));
    let run = recist(&[
        "batch",
        "--rules",
        "recist-1.1",
        "--tu",
        &s(&tu),
        "--tr",
        &s(&tr),
        "--dm",
        &s(&dm),
        "--out",
        &s(&out),
        "--progress",
        "off",
        "--recorded",
        &s(&rs),
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let errors = read_lines(&out.join("errors.jsonl"));
    let refused: Vec<&Value> = errors
        .iter()
        .filter(|e| e["code"] == "unknown-response")
        .collect();
    assert!(!refused.is_empty());
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("iRECIST categories are not read as recorded responses under RECIST 1.1")
            && reason.contains("read them with `--rules irecist`"),
        "{reason}"
    );
    let rows = recorded_rows(&out);
    assert_eq!(rows["refused"].as_u64(), Some(refused.len() as u64));
}

/// A plain recorded-responses CSV.
fn plain(d: &Path, rows: &str) -> PathBuf {
    let p = d.join("responses.csv");
    std::fs::write(&p, format!("subject,date,response,reference_date\n{rows}")).unwrap();
    p
}

#[test]
fn ir_bor_derives_the_ibor_from_recorded_irecist_responses() {
    let tmp = dir("bor");
    let d = tmp.path().to_path_buf();
    let p = plain(
        &d,
        // A: an iPR confirmed, then an iUPD confirmed by an iCPD.
        "A,2021-02-15,iPR,2021-01-04\nA,2021-03-29,iPR,2021-01-04\n\
         A,2021-05-10,iUPD,2021-01-04\nA,2021-06-21,iCPD,2021-01-04\n\
         B,2021-02-15,iUPD,2021-01-04\nB,2021-03-29,iCPD,2021-01-04\n\
         C,2021-02-15,iSD,2021-01-04\nC,2021-03-29,iUPD,2021-01-04\n\
         C,2021-05-10,iPR,2021-01-04\nC,2021-06-21,iPR,2021-01-04\n\
         D,2021-02-15,non-icr/non-iupd,2021-01-04\nE,2021-02-15,STABLE,2021-01-04\n",
    );
    let out = recist(&["bor", "--responses", &s(&p), "--rules", "irecist"]);
    // E's word is neither vocabulary's: refused, listing both, without the note on iRECIST.
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            ":13: subject `E`: assessment 2021-02-15: unknown response `STABLE` (expected CR, PR, \
             SD, NON-CR/NON-PD, PD or NE, or iRECIST's iCR, iPR, iSD, NON-iCR/NON-iUPD, iUPD or \
             iCPD)\n"
        ),
        "{err}"
    );
    let lines = json_lines(&text(&out.stdout));
    let best: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["subject"].as_str().unwrap(),
                l["best_overall_response"].as_str().unwrap(),
                l["confirmed_best_overall_response"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        best,
        [
            ("A", "iPR", "iPR"),
            // An iUPD confirmed by an iCPD counts as iCPD (IR-BOR).
            ("B", "iCPD", "iCPD"),
            // An iUPD does not end the window: the later iPRs confirm each other.
            ("C", "iPR", "iPR"),
            // Non-target disease only, in iRECIST's words.
            ("D", "NON-iCR/NON-iUPD", "NON-iCR/NON-iUPD"),
        ]
    );
    let reasons = lines[1]["best_response_reasons"].to_string();
    assert!(reasons.contains("IR-BOR"), "{reasons}");
}

#[test]
fn ir_bor_refuses_recist11_words_under_rscat_irecist_naming_the_row() {
    let tmp = dir("bor-mixed");
    let d = tmp.path().to_path_buf();
    let p = d.join("rs.csv");
    std::fs::write(
        &p,
        "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,RSDTC,RFSTDTC\n\
         S,RS,U-1,1,OVRLRESP,Overall Response,iRECIST,iSD,iSD,INVESTIGATOR,,WEEK 6,2021-02-15,2021-01-04\n\
         S,RS,U-1,2,OVRLRESP,Overall Response,iRECIST,PD,PD,INVESTIGATOR,,WEEK 12,2021-03-29,2021-01-04\n\
         S,RS,U-2,3,OVRLRESP,Overall Response,iRECIST,iSD,iSD,INVESTIGATOR,,WEEK 6,2021-02-15,2021-01-04\n",
    )
    .unwrap();
    let out = recist(&["bor", "--responses", &s(&p), "--rules", "irecist"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            ":3: subject `U-1`: assessment 2021-03-29: response `PD` is RECIST 1.1's word but \
             RSCAT `iRECIST` is read in iRECIST's"
        ),
        "{err}"
    );
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines.len(), 1, "U-2 is still derived");
    assert_eq!(lines[0]["subject"], "U-2");
    assert_eq!(lines[0]["best_overall_response"], "iSD");
}

#[test]
fn ir_bor_reads_one_vocabulary_per_reading_and_irecist_words_under_irecist_only() {
    let tmp = dir("bor-rule-sets");
    let d = tmp.path().to_path_buf();
    let p = plain(
        &d,
        "A,2021-02-15,iSD,2021-01-04\nA,2021-03-29,iSD,2021-01-04\n\
         B,2021-02-15,SD,2021-01-04\nB,2021-03-29,iUPD,2021-01-04\n",
    );
    let out = recist(&[
        "bor",
        "--responses",
        &s(&p),
        "--rules",
        "irecist",
        "--rules",
        "recist-1.1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    // B mixes vocabularies in one reading: refused, the row named with the one it differs from.
    assert!(
        err.contains(
            ":5: subject `B`: assessment 2021-03-29: response `iUPD` is iRECIST's word but \
             row 4 of this subject is in RECIST 1.1's"
        ),
        "{err}"
    );
    // A is derived under iRECIST, refused under RECIST 1.1 with the note.
    assert!(
        err.contains(
            ":2: subject `A`: assessment 2021-02-15: unknown response `iSD` under `recist-1.1`"
        ) && err.contains("read them with `--rules irecist`"),
        "{err}"
    );
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["subject"], "A");
    assert_eq!(lines[0]["rule_set"]["id"], "irecist");
    assert_eq!(lines[0]["best_overall_response"], "iSD");
}
