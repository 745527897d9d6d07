//! Recorded RS against a run over inline TU/TR: a recorded `NA` of a test the engine has no
//! lesion for agrees with it (rs.csv writes no row), one of a test it has lesions for is
//! discordant; a recorded row dated outside the scans of the visit its VISITNUM names is a
//! date mismatch, listed and counted, and still compared at that visit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::{Value, json};

const RS_HEADER: &str = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC";

fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn r11_measdis_recorded_na_agrees_with_no_lesion_of_its_kind_and_dates_are_checked() {
    let dir = tmp("recorded-na-dates");
    let write = |file: &str, header: &str, rows: &[&str]| write_csv(&dir, file, header, rows);
    // N1: non-targets only (R11-MEASDIS). T1: targets only; WEEK 6's scans span 2021-02-15
    // to 2021-02-17.
    let tu = write(
        "TU.csv",
        TU_HEADER,
        &[
            "ST,TU,N1,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,1,SCREENING,2021-01-04",
            "ST,TU,T1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
            "ST,TU,T1,T02,TUMIDENT,TARGET,TARGET,LUNG,1,SCREENING,2021-01-04",
        ],
    );
    let nt = |visitnum: &str, visit: &str, date: &str| {
        format!("ST,TR,N1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,{visitnum},{visit},{date}")
    };
    let t = |lesion: &str, mm: u32, visitnum: &str, visit: &str, date: &str| {
        format!("ST,TR,T1,TARGET,{lesion},LDIAM,{mm},mm,{mm},{mm},mm,,{visitnum},{visit},{date}")
    };
    let tr_rows = [
        nt("1", "SCREENING", "2021-01-04"),
        nt("2", "WEEK 6", "2021-02-15"),
        nt("3", "WEEK 12", "2021-03-29"),
        t("T01", 40, "1", "SCREENING", "2021-01-04"),
        t("T02", 20, "1", "SCREENING", "2021-01-04"),
        t("T01", 30, "2", "WEEK 6", "2021-02-15"),
        t("T02", 15, "2", "WEEK 6", "2021-02-17"),
        t("T01", 20, "3", "WEEK 12", "2021-03-29"),
        t("T02", 10, "3", "WEEK 12", "2021-03-29"),
    ];
    let tr_rows: Vec<&str> = tr_rows.iter().map(String::as_str).collect();
    let tr = write("TR.csv", TR_HEADER, &tr_rows);
    let rs = |s: &str, test: &str, v: &str, visit: &str, num: &str, date: &str| {
        format!("ST,RS,{s},1,{test},,,{v},{v},,,{visit},{num},{date}")
    };
    let rs_rows = [
        // Line 2: N1 has no target: NA agrees.
        rs("N1", "TRGRESP", "NA", "WEEK 6", "2", "2021-02-15"),
        rs(
            "N1",
            "NTRGRESP",
            "NON-CR/NON-PD",
            "WEEK 6",
            "2",
            "2021-02-15",
        ),
        // Line 4: NA agrees, but dated five weeks after VISITNUM 3's scan.
        rs("N1", "TRGRESP", "NA", "WEEK 12", "3", "2021-05-03"),
        // Line 5: T1 has targets: NA is discordant (the engine says SD).
        rs("T1", "TRGRESP", "NA", "WEEK 6", "2", "2021-02-17"),
        // T1 has no non-target: NA agrees.
        rs("T1", "NTRGRESP", "NA", "WEEK 6", "2", "2021-02-17"),
        // Dated on the last and a middle day of WEEK 6's scans: no mismatch.
        rs("T1", "OVRLRESP", "SD", "WEEK 6", "2", "2021-02-17"),
        rs("T1", "NEWLIND", "N", "WEEK 6", "2", "2021-02-16"),
    ];
    let rs_rows: Vec<&str> = rs_rows.iter().map(String::as_str).collect();
    let recorded = write("RS.csv", RS_HEADER, &rs_rows);
    let out = dir.join("out");
    let mut cfg = sdtm_config(&tu, &tr, None, &out);
    cfg.recorded = Some(recorded);
    let report = run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    assert_eq!(report.exit_code(), 0, "{:#?}", errors(&out));

    // What the engine writes: no TRGRESP for N1, no NTRGRESP for T1.
    let rs_out = read(&out.join("rs.csv"));
    assert!(rs_values(&rs_out, "N1", "TRGRESP").is_empty(), "{rs_out}");
    assert!(rs_values(&rs_out, "T1", "NTRGRESP").is_empty(), "{rs_out}");
    assert_eq!(
        rs_values(&rs_out, "T1", "TRGRESP"),
        pairs(&[("WEEK 6", "SD"), ("WEEK 12", "PR")])
    );

    let c: Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    let c = &c["comparisons"][0];
    let test = |t: &str, k: &str| c["tests"][t][k].clone();
    assert_eq!(
        (test("TRGRESP", "compared"), test("TRGRESP", "agreed")),
        (json!(3), json!(2)),
        "{c}"
    );
    assert_eq!(
        (test("NTRGRESP", "compared"), test("NTRGRESP", "agreed")),
        (json!(2), json!(2)),
        "{c}"
    );
    for t in ["TRGRESP", "NTRGRESP", "NEWLIND", "OVRLRESP", "BESTRESP"] {
        assert_eq!(test(t, "reference_only"), 0, "{t}: {c}");
    }
    assert_eq!(c["discordant"], 1, "{c}");
    assert_eq!(c["date_mismatches"], 1, "{c}");
    let d = jsonl(&read(&out.join("discordant.jsonl")));
    assert_eq!(d.len(), 1);
    assert_eq!(
        (
            &d[0]["subject"],
            &d[0]["test"],
            &d[0]["reference"],
            &d[0]["candidate"]
        ),
        (&json!("T1"), &json!("TRGRESP"), &json!("NA"), &json!("SD"))
    );
    // The engine's NA is never on its side only: unmatched lines are engine values written.
    let unmatched = jsonl(&read(&out.join("unmatched.jsonl")));
    assert!(
        unmatched
            .iter()
            .all(|l| l["side"] == "candidate" && l["value"] != "NA"),
        "{unmatched:#?}"
    );

    let m = jsonl(&read(&out.join("date_mismatches.jsonl")));
    assert_eq!(m.len(), 1, "{m:#?}");
    let expected = json!({
        "comparison": 0,
        "subject": "N1",
        "evaluator": "INVESTIGATOR",
        "test": "TRGRESP",
        "visit": "WEEK 12",
        "visitnum": "3",
        "recorded_date": "2021-05-03",
        "engine_date": "2021-03-29",
        "engine_scan_dates": ["2021-03-29", "2021-03-29"],
        "reference_source": {"file": dir.join("RS.csv").display().to_string(), "row": 4},
        "candidate_rule_set": m[0]["candidate_rule_set"],
    });
    assert_eq!(m[0], expected);
    assert_eq!(
        s["outputs"]["date_mismatches.jsonl"]["lines"], 1,
        "{}",
        s["outputs"]
    );
    assert_eq!(s["comparisons"][0]["date_mismatches"], 1);
    let warnings = s["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("1 recorded rows of ")
                && w.as_str().unwrap().contains("date_mismatches.jsonl")),
        "{warnings:#?}"
    );
    let md = read(&out.join("comparison.md"));
    assert!(md.contains("1 recorded rows dated outside"), "{md}");
}
