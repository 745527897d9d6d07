//! How TU and TR rows become assessments: the order of visits, NEW lesions at their TU
//! visit, dates of refused rows, nodal non-targets, missing baselines, SUMDIAM-only visits.
//! Each test asserts the responses written (rs.csv), the error lines (with file, row,
//! subject, evaluator, visit) and counts that reconcile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use recist_sdtm::PartialDates;
use serde_json::Value;

/// What a run wrote.
struct Out {
    summary: Value,
    errors: Vec<Value>,
    rs: String,
    results: Vec<Value>,
    dir: TestDir,
}

impl Out {
    /// `(VISIT, value)` of each rs.csv row of a subject and test, in file order.
    fn rs(&self, subject: &str, test: &str) -> Vec<(String, String)> {
        rs_values(&self.rs, subject, test)
    }

    /// The result (all scope) of a subject.
    fn result(&self, subject: &str) -> &Value {
        self.results
            .iter()
            .find(|r| r["subject"] == subject)
            .unwrap_or_else(|| panic!("no result for {subject}: {:#?}", self.results))
    }

    /// The one error line of a level and code.
    fn error(&self, level: &str, code: &str) -> &Value {
        let found: Vec<&Value> = self
            .errors
            .iter()
            .filter(|e| e["level"] == level && e["code"] == code)
            .collect();
        assert_eq!(found.len(), 1, "{level} {code} in {:#?}", self.errors);
        found[0]
    }

    fn tr_file(&self) -> String {
        self.dir.join("TR.csv").display().to_string()
    }

    fn tu_file(&self) -> String {
        self.dir.join("TU.csv").display().to_string()
    }
}

/// Writes TU and TR (headers added), runs `recist batch` with `partial` and reads what it
/// wrote; the counts must reconcile.
fn run_rows(name: &str, tu: &[&str], tr: &[&str], partial: PartialDates) -> Out {
    let dir = tmp(name);
    let write = |file: &str, header: &str, rows: &[&str]| write_csv(&dir, file, header, rows);
    let (tu, tr) = (
        write("TU.csv", TU_HEADER, tu),
        write("TR.csv", TR_HEADER, tr),
    );
    let out = dir.join("out");
    let mut cfg = sdtm_config(&tu, &tr, None, &out);
    cfg.partial_dates = partial;
    let report = run(&cfg);
    let summary = summary(&out);
    assert_reconciles(&summary);
    let errors = errors(&out);
    assert_eq!(
        report.exit_code(),
        u8::from(!errors.is_empty()),
        "{errors:#?}"
    );
    let results = read(&out.join("results.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Out {
        summary,
        rs: read(&out.join("rs.csv")),
        errors,
        results,
        dir,
    }
}

fn reason(e: &Value) -> &str {
    e["reason"].as_str().unwrap()
}

// --- 1. VISITNUM and TRDTC must agree on the order of visits ---

const P1_TU: &str = "ST,TU,P1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04";

/// P1: 50 mm at screening, 38 mm at week 3 (dated `week3`), 30 mm at week 9 (`week9`).
fn p1_tr(week3: &str, week9: &str) -> Vec<String> {
    vec![
        "ST,TR,P1,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04".into(),
        format!("ST,TR,P1,TARGET,T01,LDIAM,38,mm,38,38,mm,,2,WEEK 3,{week3}"),
        format!("ST,TR,P1,TARGET,T01,LDIAM,30,mm,30,30,mm,,3,WEEK 9,{week9}"),
    ]
}

#[test]
fn an_imputed_date_that_puts_a_visit_before_the_baseline_refuses_the_subject() {
    // `2021-01` imputed to the 1st puts WEEK 3 (VISITNUM 2) before SCREENING (VISITNUM 1):
    // read by date alone, WEEK 3 became the baseline and SCREENING a PD.
    let tr = p1_tr("2021-01", "2021-03-08");
    let tr: Vec<&str> = tr.iter().map(String::as_str).collect();
    let out = run_rows("visit-order-imputed", &[P1_TU], &tr, PartialDates::First);
    assert_eq!(out.rs("P1", "OVRLRESP"), []);
    let e = out.error("subject", "visit-order");
    assert_eq!(e["file"], out.tr_file());
    assert_eq!(e["row"], 2, "SCREENING's first row");
    assert_eq!(e["subject"], "P1");
    assert_eq!(e["evaluator"], "INVESTIGATOR");
    assert_eq!(e["visit"], "SCREENING");
    let r = reason(e);
    for part in [
        "SCREENING (VISITNUM 1, 2021-01-04)",
        "WEEK 3 (VISITNUM 2, 2021-01-01)",
    ] {
        assert!(r.contains(part), "{part}: {r}");
    }
    let s = &out.summary;
    assert_eq!(s["rows"]["TR"]["in_refused_subjects"], 3);
    assert_eq!(s["rows"]["TU"]["in_refused_subjects"], 1);
    assert_eq!(s["subject_evaluators"]["refused_while_reading"], 1);
    assert_eq!(s["subject_evaluators"]["adjudicated"], 0);

    // Imputed to the last day, the dates agree with VISITNUM: adjudicated, no PD.
    let out = run_rows("visit-order-last", &[P1_TU], &tr, PartialDates::Last);
    assert_eq!(
        out.rs("P1", "OVRLRESP"),
        pairs(&[("WEEK 3", "SD"), ("WEEK 9", "PR")])
    );
}

#[test]
fn a_mistyped_date_that_reorders_visits_refuses_the_subject() {
    // WEEK 9 (VISITNUM 3) typed 2020-03-08: it comes first by date, last by VISITNUM.
    let tr = p1_tr("2021-01-25", "2020-03-08");
    let tr: Vec<&str> = tr.iter().map(String::as_str).collect();
    let out = run_rows("visit-order-typo", &[P1_TU], &tr, PartialDates::Refuse);
    assert_eq!(out.rs("P1", "OVRLRESP"), []);
    assert_eq!(out.errors.len(), 1, "{:#?}", out.errors);
    let e = out.error("subject", "visit-order");
    let r = reason(e);
    assert!(r.contains("WEEK 9 (VISITNUM 3, 2020-03-08)"), "{r}");
    assert!(r.contains("SCREENING (VISITNUM 1, 2021-01-04)"), "{r}");
    assert_eq!(
        out.summary["subject_evaluators"]["refused_while_reading"],
        1
    );
}

#[test]
fn visits_without_a_numeric_visitnum_are_ordered_by_date() {
    // Q1's visits have names only; Q2's VISITNUMs are not numbers: both by date, and Q2's
    // rows are given in reverse order.
    let tu = [
        "ST,TU,Q1,T01,TUMIDENT,TARGET,TARGET,LIVER,,SCREENING,2021-01-04",
        "ST,TU,Q2,T01,TUMIDENT,TARGET,TARGET,LIVER,V-A,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,Q1,TARGET,T01,LDIAM,50,mm,50,50,mm,,,SCREENING,2021-01-04",
        "ST,TR,Q1,TARGET,T01,LDIAM,30,mm,30,30,mm,,,WEEK 6,2021-02-15",
        "ST,TR,Q2,TARGET,T01,LDIAM,30,mm,30,30,mm,,V-C,WEEK 6,2021-02-15",
        "ST,TR,Q2,TARGET,T01,LDIAM,50,mm,50,50,mm,,V-A,SCREENING,2021-01-04",
    ];
    let out = run_rows("visit-order-names", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    for s in ["Q1", "Q2"] {
        assert_eq!(out.rs(s, "OVRLRESP"), pairs(&[("WEEK 6", "PR")]), "{s}");
    }
}

// --- 2. A NEW lesion counts at its TU visit, whatever TR says at other visits ---

const M_TR_T01: [&str; 3] = [
    "ST,TR,M3,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
    "ST,TR,M3,TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
    "ST,TR,M3,TARGET,T01,LDIAM,30,mm,30,30,mm,,3,WEEK 12,2021-03-29",
];

#[test]
fn a_new_lesion_with_tr_rows_only_at_other_visits_is_new_at_its_tu_visit() {
    // NEW01 identified in TU at WEEK 6; TR has a row for it at WEEK 12 only (ABSENT): it was
    // dropped, so WEEK 6 read PR instead of PD.
    let tu = [
        "ST,TU,M3,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,M3,NEW01,TUMIDENT,NEW,NEW,BRAIN,2,WEEK 6,2021-02-15",
    ];
    let mut tr = M_TR_T01.to_vec();
    tr.push("ST,TR,M3,NEW,NEW01,TUMSTATE,ABSENT,,ABSENT,,,,3,WEEK 12,2021-03-29");
    let out = run_rows("new-at-tu-visit", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(
        out.rs("M3", "NEWLIND"),
        pairs(&[("WEEK 6", "Y"), ("WEEK 12", "N")])
    );
    assert_eq!(out.rs("M3", "OVRLRESP")[0], ("WEEK 6".into(), "PD".into()));
    assert_eq!(out.rs("M3", "BESTRESP"), pairs(&[("", "PD")]));
    assert_eq!(out.result("M3")["progression"]["date"], "2021-02-15");
    assert_eq!(out.summary["rows"]["TR"]["used"], 4);
    assert_eq!(out.summary["rows"]["TU"]["used"], 2);
}

#[test]
fn tr_at_the_tu_visit_of_a_new_lesion_wins() {
    // NEW01: TR says EQUIVOCAL at its TU visit (WEEK 6), PRESENT at WEEK 12: equivocal at
    // WEEK 6, confirmed at WEEK 12 (progression dated back to WEEK 6).
    let tu = [
        "ST,TU,M3,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,M3,NEW01,TUMIDENT,NEW,NEW,BRAIN,2,WEEK 6,2021-02-15",
    ];
    let mut tr = M_TR_T01.to_vec();
    tr.insert(
        2,
        "ST,TR,M3,NEW,NEW01,TUMSTATE,EQUIVOCAL,,EQUIVOCAL,,,,2,WEEK 6,2021-02-15",
    );
    tr.push("ST,TR,M3,NEW,NEW01,TUMSTATE,PRESENT,,PRESENT,,,,3,WEEK 12,2021-03-29");
    let out = run_rows("new-tr-wins", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(
        out.rs("M3", "NEWLIND"),
        pairs(&[("WEEK 6", "U"), ("WEEK 12", "Y")])
    );
    assert_eq!(out.result("M3")["progression"]["date"], "2021-02-15");
}

#[test]
fn a_new_lesion_whose_tu_visit_has_no_assessment_is_refused_naming_it() {
    // NEW01 identified at VISITNUM 4 (no TR visit has it), seen in TR at WEEK 12: when it
    // appeared is unknown, so the subject is refused rather than progression dated late.
    let tu = [
        "ST,TU,M3,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,M3,NEW01,TUMIDENT,NEW,NEW,BRAIN,4,WEEK 9,2021-03-08",
    ];
    let mut tr = M_TR_T01.to_vec();
    tr.push("ST,TR,M3,NEW,NEW01,TUMSTATE,PRESENT,,PRESENT,,,,3,WEEK 12,2021-03-29");
    let out = run_rows("new-tu-visit-unmatched", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("M3", "OVRLRESP"), []);
    let e = out.error("subject", "new-without-visit");
    assert_eq!(e["file"], out.tu_file());
    assert_eq!(e["row"], 3);
    assert_eq!(e["lesion"], "NEW01");
    assert_eq!(e["evaluator"], "INVESTIGATOR");
    assert_eq!(e["visit"], "WEEK 9");
    assert!(reason(e).contains("WEEK 9 (VISITNUM 4, 2021-03-08)"), "{e}");
    assert_eq!(out.summary["rows"]["TR"]["in_refused_subjects"], 4);
}

// --- 3. A refused row has no effect; the same value on another date is a conflict ---

#[test]
fn the_same_value_on_another_date_is_a_conflict_not_a_duplicate() {
    // G1's WEEK 6 rows agree on T01's 45 mm but not on TRDTC: the second was refused as a
    // duplicate and still dated the visit a week earlier.
    let tu = ["ST,TU,G1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04"];
    let tr = [
        "ST,TR,G1,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,G1,TARGET,T01,LDIAM,45,mm,45,45,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,G1,TARGET,T01,LDIAM,45,mm,45,45,mm,,2,WEEK 6,2021-02-08",
    ];
    let out = run_rows("dup-other-date", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("G1", "OVRLRESP"), []);
    assert_eq!(out.errors.len(), 1, "{:#?}", out.errors);
    let e = out.error("subject", "conflicting-values");
    assert_eq!(e["file"], out.tr_file());
    assert_eq!(e["row"], 4);
    assert_eq!(e["subject"], "G1");
    assert_eq!(e["evaluator"], "INVESTIGATOR");
    assert_eq!(e["lesion"], "T01");
    assert_eq!(e["visit"], "WEEK 6");
    assert!(
        reason(e)
            .contains("row 3 says 45 mm dated 2021-02-15, this row says 45 mm dated 2021-02-08"),
        "{e}"
    );
    let s = &out.summary;
    assert_eq!(s["rows"]["TR"]["refused"], 0);
    assert_eq!(s["rows"]["TR"]["in_refused_subjects"], 3);
    assert_eq!(s["subject_evaluators"]["refused_while_reading"], 1);
}

#[test]
fn an_exact_duplicate_is_refused_by_itself_and_changes_nothing() {
    // WEEK 6 is partial (`2021-02`, imputed to the 1st) on both T01 rows: the repeat is
    // refused by itself, the subject adjudicated from the first row alone (one imputation).
    let tu = ["ST,TU,G1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04"];
    let tr = [
        "ST,TR,G1,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,G1,TARGET,T01,LDIAM,45,mm,45,45,mm,,2,WEEK 6,2021-02",
        "ST,TR,G1,TARGET,T01,LDIAM,45,mm,45,45,mm,,2,WEEK 6,2021-02",
    ];
    let out = run_rows("dup-exact", &tu, &tr, PartialDates::First);
    assert_eq!(out.rs("G1", "OVRLRESP"), pairs(&[("WEEK 6", "SD")]));
    let e = out.error("row", "duplicate-row");
    assert_eq!(
        (e["row"].as_u64(), e["visit"].as_str()),
        (Some(4), Some("WEEK 6"))
    );
    assert!(reason(e).contains("duplicate of row 3"), "{e}");
    let r = out.result("G1");
    assert_eq!(r["timepoints"][1]["date"], "2021-02-01");
    assert_eq!(
        r["warnings"],
        serde_json::json!([
            "row 3: TRDTC `2021-02` is partial: imputed to 2021-02-01 (--partial-dates first)"
        ])
    );
    let s = &out.summary;
    assert_eq!(s["rows"]["TR"]["refused"], 1);
    assert_eq!(s["rows"]["TR"]["used"], 2);
}

// --- 4. A measured nodal non-target is normal below 10 mm short axis ---

/// N6: liver target 30 mm → 0 mm; a nodal non-target NT01 measured by `test` (`res` at
/// baseline, `follow` at WEEK 6).
fn n6(name: &str, test: &str, res: &str, follow: &str) -> Out {
    let tu = [
        "ST,TU,N6,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,N6,NT01,TUMIDENT,NON-TARGET,NON-TARGET,PARA-AORTIC LYMPH NODE,1,SCREENING,2021-01-04",
    ];
    let row = |res: &str, visit: &str| {
        let standard = if res.starts_with("TOO") { "5" } else { res };
        format!("ST,TR,N6,NON-TARGET,NT01,{test},{res},mm,{standard},{standard},mm,,{visit}")
    };
    let tr = [
        "ST,TR,N6,TARGET,T01,LDIAM,30,mm,30,30,mm,,1,SCREENING,2021-01-04".to_string(),
        row(res, "1,SCREENING,2021-01-04"),
        "ST,TR,N6,TARGET,T01,LDIAM,0,mm,0,0,mm,,2,WEEK 6,2021-02-15".to_string(),
        row(follow, "2,WEEK 6,2021-02-15"),
    ];
    let tr: Vec<&str> = tr.iter().map(String::as_str).collect();
    let out = run_rows(name, &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    out
}

#[test]
fn a_nodal_non_target_below_10_mm_short_axis_is_normal_for_cr() {
    // R11-NT-CR, R11-NODE-NORMAL: 12 mm → 8 mm is a normal node: non-target CR, overall CR.
    let out = n6("node-nt-normal", "LPERP", "12", "8");
    assert_eq!(out.rs("N6", "NTRGRESP"), pairs(&[("WEEK 6", "CR")]));
    assert_eq!(out.rs("N6", "OVRLRESP"), pairs(&[("WEEK 6", "CR")]));
    let warnings = out.result("N6")["warnings"].to_string();
    assert!(warnings.contains("`NT01` 8 mm short axis"), "{warnings}");
    // DIAMETER of a node is its short axis; too small to measure is below 10 mm.
    for (name, test, follow) in [
        ("node-nt-diameter", "DIAMETER", "9.9"),
        ("node-nt-too-small", "LPERP", "TOO SMALL TO MEASURE"),
    ] {
        let out = n6(name, test, "15", follow);
        assert_eq!(
            out.rs("N6", "NTRGRESP"),
            pairs(&[("WEEK 6", "CR")]),
            "{name}"
        );
    }
}

#[test]
fn a_nodal_non_target_of_10_mm_or_more_is_present() {
    let out = n6("node-nt-present", "LPERP", "12", "10");
    assert_eq!(
        out.rs("N6", "NTRGRESP"),
        pairs(&[("WEEK 6", "NON-CR/NON-PD")])
    );
    assert_eq!(out.rs("N6", "OVRLRESP"), pairs(&[("WEEK 6", "PR")]));
    // A node's long axis (LDIAM) says nothing of its short axis: present, as before.
    let out = n6("node-nt-long-axis", "LDIAM", "12", "8");
    assert_eq!(
        out.rs("N6", "NTRGRESP"),
        pairs(&[("WEEK 6", "NON-CR/NON-PD")])
    );
}

// --- 5. TU identifies baseline lesions at a visit before TR's first ---

#[test]
fn a_baseline_visit_missing_from_tr_refuses_the_subject() {
    // G2: T01 identified at VISITNUM 1, TR starts at VISITNUM 2 (the WEEK 6 scan read as
    // the baseline). H2: matched by date, as no visit has a VISITNUM. G3: TR's first visit
    // is TU's: adjudicated.
    let tu = [
        "ST,TU,G2,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,G3,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,H2,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,G2,TARGET,T01,LDIAM,60,mm,60,60,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,G2,TARGET,T01,LDIAM,65,mm,65,65,mm,,3,WEEK 12,2021-03-29",
        "ST,TR,G3,TARGET,T01,LDIAM,60,mm,60,60,mm,,1,SCREENING,2021-01-04",
        "ST,TR,G3,TARGET,T01,LDIAM,65,mm,65,65,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,H2,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,,WEEK 6,2021-02-15",
        "ST,TR,H2,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,,WEEK 12,2021-03-29",
    ];
    let out = run_rows("missing-baseline-visit", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("G2", "OVRLRESP"), []);
    assert_eq!(out.rs("H2", "OVRLRESP"), []);
    assert_eq!(out.rs("G3", "OVRLRESP"), pairs(&[("WEEK 6", "SD")]));
    let lines: Vec<&Value> = out
        .errors
        .iter()
        .filter(|e| e["code"] == "missing-baseline")
        .collect();
    assert_eq!(lines.len(), 2, "{:#?}", out.errors);
    let (g2, h2) = (lines[0], lines[1]);
    assert_eq!(g2["level"], "subject");
    assert_eq!(g2["file"], out.tu_file());
    assert_eq!(g2["row"], 2);
    assert_eq!(
        (g2["subject"].as_str(), g2["lesion"].as_str()),
        (Some("G2"), Some("T01"))
    );
    assert_eq!(g2["evaluator"], "INVESTIGATOR");
    assert_eq!(g2["visit"], "SCREENING");
    assert!(
        reason(g2).contains(
            "SCREENING (VISITNUM 1, 2021-01-04), before the first TR visit of this evaluator, WEEK 6 (VISITNUM 2, 2021-02-15)"
        ),
        "{g2}"
    );
    assert_eq!(
        (h2["subject"].as_str(), h2["lesion"].as_str()),
        (Some("H2"), Some("NT01"))
    );
    assert!(reason(h2).contains("SCREENING (2021-01-04)"), "{h2}");
    assert!(reason(h2).contains("WEEK 6 (2021-02-15)"), "{h2}");
    let s = &out.summary;
    assert_eq!(s["subject_evaluators"]["refused_while_reading"], 2);
    assert_eq!(s["subject_evaluators"]["adjudicated"], 1);
    assert_eq!(s["rows"]["TR"]["in_refused_subjects"], 4);
}

// --- 6. A visit with only SUMDIAM rows is no assessment ---

#[test]
fn a_visit_with_only_sumdiam_rows_is_not_an_assessment() {
    // L1's WEEK 16 has a SUMDIAM row and nothing else: it was an assessment with NE
    // responses; L2's WEEK 16 SUMDIAM row is undated (it refused L2 as an undated visit).
    let tu = [
        "ST,TU,L1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,L2,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,L1,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,L1,TARGET,,SUMDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,L1,TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,L1,TARGET,,SUMDIAM,30,mm,30,30,mm,,99,WEEK 16,2021-04-30",
        "ST,TR,L2,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,L2,TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,L2,TARGET,,SUMDIAM,30,mm,30,30,mm,,99,WEEK 16,",
    ];
    let out = run_rows("sumdiam-only-visit", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    for (s, date) in [("L1", "2021-04-30"), ("L2", "undated")] {
        assert_eq!(out.rs(s, "OVRLRESP"), pairs(&[("WEEK 6", "PR")]), "{s}");
        assert_eq!(out.rs(s, "TRGRESP"), pairs(&[("WEEK 6", "PR")]), "{s}");
        let r = out.result(s);
        assert_eq!(r["timepoints"].as_array().unwrap().len(), 2, "{r}");
        let warnings = r["warnings"].to_string();
        assert!(
            warnings.contains(&format!(
                "visit WEEK 16 (VISITNUM 99, {date}): only SUMDIAM rows"
            )),
            "{s}: {warnings}"
        );
    }
    assert_eq!(out.summary["rows"]["TR"]["used"], 7);
    assert_eq!(out.summary["rows"]["TR"]["read"], 7);
}

// --- 7. A baseline lesion in TU with no TR row (at baseline) is refused ---

#[test]
fn a_baseline_lesion_without_tr_rows_refuses_the_subject() {
    // E9's NT01 has no TR row at all; E8's NT01 none at baseline; E7's target T02 none at
    // all. E6 has every lesion at baseline: adjudicated.
    let tu = [
        "ST,TU,E6,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,E6,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,1,SCREENING,2021-01-04",
        "ST,TU,E7,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,E7,T02,TUMIDENT,TARGET,TARGET,LUNG,1,SCREENING,2021-01-04",
        "ST,TU,E8,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,E8,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,1,SCREENING,2021-01-04",
        "ST,TU,E9,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,E9,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,1,SCREENING,2021-01-04",
    ];
    let mut tr = Vec::new();
    for s in ["E6", "E7", "E8", "E9"] {
        tr.push(format!(
            "ST,TR,{s},TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04"
        ));
        if s == "E6" {
            tr.push(format!(
                "ST,TR,{s},NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,1,SCREENING,2021-01-04"
            ));
        }
        tr.push(format!(
            "ST,TR,{s},TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15"
        ));
        if s == "E6" || s == "E8" {
            tr.push(format!(
                "ST,TR,{s},NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,2,WEEK 6,2021-02-15"
            ));
        }
    }
    let tr: Vec<&str> = tr.iter().map(String::as_str).collect();
    let out = run_rows("lesion-without-tr", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("E6", "OVRLRESP"), pairs(&[("WEEK 6", "PR")]));
    for s in ["E7", "E8", "E9"] {
        assert_eq!(out.rs(s, "OVRLRESP"), [], "{s}");
    }
    let refused: Vec<(&str, &str, &str, u64, &str)> = out
        .errors
        .iter()
        .map(|e| {
            (
                e["subject"].as_str().unwrap(),
                e["code"].as_str().unwrap(),
                e["lesion"].as_str().unwrap(),
                e["row"].as_u64().unwrap(),
                e["visit"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            ("E7", "lesion-not-in-tr", "T02", 5, "SCREENING"),
            ("E8", "no-baseline-row", "NT01", 7, "SCREENING"),
            ("E9", "lesion-not-in-tr", "NT01", 9, "SCREENING"),
        ]
    );
    for e in &out.errors {
        assert_eq!(e["level"], "subject");
        assert_eq!(e["file"], out.tu_file());
        assert_eq!(e["evaluator"], "INVESTIGATOR");
    }
    assert!(
        reason(&out.errors[0]).contains("TARGET"),
        "{}",
        out.errors[0]
    );
    assert!(
        reason(&out.errors[1])
            .contains("no TR row at the baseline visit, SCREENING (VISITNUM 1, 2021-01-04)"),
        "{}",
        out.errors[1]
    );
    let s = &out.summary;
    assert_eq!(s["subject_evaluators"]["refused_while_reading"], 3);
    assert_eq!(s["subject_evaluators"]["refused_by_engine"], 0);
    assert_eq!(s["rows"]["TR"]["in_refused_subjects"], 7);
    assert_eq!(s["rows"]["TU"]["in_refused_subjects"], 6);
}

// --- 8. SUMDIAM duplicates, states that disagree ---

#[test]
fn an_exact_duplicate_sumdiam_row_is_refused_by_itself() {
    // S1: WEEK 6's SUMDIAM twice, the same: the repeat is refused, the subject adjudicated.
    // S2: the same sum on another date: a conflict, as for a lesion's rows.
    let tu = [
        "ST,TU,S1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,S2,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,S1,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,S1,TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,,SUMDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,,SUMDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S2,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,S2,TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S2,TARGET,,SUMDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S2,TARGET,,SUMDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-10",
    ];
    let out = run_rows("sumdiam-duplicate", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("S1", "OVRLRESP"), pairs(&[("WEEK 6", "PR")]));
    assert_eq!(out.rs("S2", "OVRLRESP"), []);
    assert_eq!(out.errors.len(), 2, "{:#?}", out.errors);
    let dup = out.error("row", "duplicate-row");
    assert_eq!(dup["file"], out.tr_file());
    assert_eq!(
        (dup["row"].as_u64(), dup["subject"].as_str()),
        (Some(5), Some("S1"))
    );
    assert_eq!(
        (dup["visit"].as_str(), dup["evaluator"].as_str()),
        (Some("WEEK 6"), Some("INVESTIGATOR"))
    );
    assert!(
        reason(dup).contains("duplicate of row 4: the same SUMDIAM"),
        "{dup}"
    );
    let conflict = out.error("subject", "conflicting-values");
    assert_eq!(
        (conflict["row"].as_u64(), conflict["subject"].as_str()),
        (Some(9), Some("S2"))
    );
    assert!(
        reason(conflict)
            .contains("row 8 says 30 mm dated 2021-02-15, this row says 30 mm dated 2021-02-10"),
        "{conflict}"
    );
    let s = &out.summary;
    assert_eq!(s["rows"]["TR"]["refused"], 1);
    assert_eq!(s["rows"]["TR"]["used"], 3);
    assert_eq!(s["rows"]["TR"]["in_refused_subjects"], 4);
}

#[test]
fn a_state_whose_original_and_standard_results_disagree_is_refused() {
    // NT01 at WEEK 6: TRORRES ABSENT, TRSTRESC PRESENT (TRSTRESC was taken silently).
    let tu = [
        "ST,TU,D1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,D1,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,D1,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04",
        "ST,TR,D1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,1,SCREENING,2021-01-04",
        "ST,TR,D1,TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,D1,NON-TARGET,NT01,TUMSTATE,ABSENT,,PRESENT,,,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("state-disagree", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("D1", "OVRLRESP"), []);
    let e = out.error("subject", "invalid");
    assert_eq!(
        (e["row"].as_u64(), e["lesion"].as_str()),
        (Some(5), Some("NT01"))
    );
    assert_eq!(e["visit"], "WEEK 6");
    assert!(
        reason(e).contains("TRORRES `ABSENT` and TRSTRESC `PRESENT` disagree"),
        "{e}"
    );
    assert_eq!(out.summary["rows"]["TR"]["in_refused_subjects"], 4);
}

#[test]
fn a_new_lesions_tu_visit_named_otherwise_than_in_tr_is_matched_by_visit_or_date() {
    // TU names NEW01's visit by VISIT alone (K1) or by TUDTC alone (K2); TR names its
    // visits by VISITNUM. TR has NEW01 only at WEEK 12: it is new at WEEK 6 all the same.
    // K3: TU's VISITNUM 5 contradicts TR's WEEK 6 (VISITNUM 2): refused.
    let mut tu = Vec::new();
    let mut tr = Vec::new();
    for (s, new_visit) in [
        ("K1", ",WEEK 6,"),
        ("K2", ",,2021-02-15"),
        ("K3", "5,WEEK 6,2021-02-15"),
    ] {
        tu.push(format!(
            "ST,TU,{s},T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04"
        ));
        tu.push(format!(
            "ST,TU,{s},NEW01,TUMIDENT,NEW,NEW,BRAIN,{new_visit}"
        ));
        for row in M_TR_T01 {
            tr.push(row.replace("M3", s));
        }
        tr.push(format!(
            "ST,TR,{s},NEW,NEW01,TUMSTATE,PRESENT,,PRESENT,,,,3,WEEK 12,2021-03-29"
        ));
    }
    let tu: Vec<&str> = tu.iter().map(String::as_str).collect();
    let tr: Vec<&str> = tr.iter().map(String::as_str).collect();
    let out = run_rows("new-tu-visit-fallback", &tu, &tr, PartialDates::Refuse);
    for s in ["K1", "K2"] {
        assert_eq!(
            out.rs(s, "NEWLIND"),
            pairs(&[("WEEK 6", "Y"), ("WEEK 12", "Y")]),
            "{s}"
        );
    }
    assert_eq!(out.rs("K3", "NEWLIND"), []);
    let e = out.error("subject", "new-without-visit");
    assert_eq!(
        (e["subject"].as_str(), e["row"].as_u64()),
        (Some("K3"), Some(7))
    );
    assert!(reason(e).contains("WEEK 6 (VISITNUM 5, 2021-02-15)"), "{e}");
}

#[test]
fn a_baseline_in_doubt_is_refused_for_that_alone() {
    // B1's screening rows are split over two visits on one date (T01's has no VISITNUM, so
    // its visit sorts first): refused as two visits on one date, not also for NT01 missing
    // from "the" baseline.
    let tu = [
        "ST,TU,B1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,B1,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,B1,TARGET,T01,LDIAM,50,mm,50,50,mm,,,SCREENING,2021-01-04",
        "ST,TR,B1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,1,SCREENING,2021-01-04",
        "ST,TR,B1,TARGET,T01,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,B1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("baseline-in-doubt", &tu, &tr, PartialDates::Refuse);
    let e = out.error("subject", "same-date");
    let codes: Vec<&str> = e["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["same-date"], "{e}");
    assert_eq!(out.errors.len(), 1);
}

// --- VISITNUM is a number: `2` and `2.0` name one visit ---

#[test]
fn visitnum_2_and_2_0_name_one_visit() {
    // V1's second target was scanned a day later and its row writes VISITNUM `2.0` (a
    // concatenated export): read by its bytes, WEEK 6 became two assessments each missing a
    // target, both NE, and the best response NE instead of PR.
    let tu = [
        "ST,TU,V1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,V1,T02,TUMIDENT,TARGET,TARGET,LUNG,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,V1,TARGET,T01,LDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04",
        "ST,TR,V1,TARGET,T02,LDIAM,20,mm,20,20,mm,,1,SCREENING,2021-01-04",
        "ST,TR,V1,TARGET,T02,LDIAM,10,mm,10,10,mm,,2.0,WEEK 6,2021-02-25",
        "ST,TR,V1,TARGET,T01,LDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-24",
        "ST,TR,V1,TARGET,T01,LDIAM,20,mm,20,20,mm,,03,WEEK 12,2021-04-07",
        "ST,TR,V1,TARGET,T02,LDIAM,10,mm,10,10,mm,,3,WEEK 12,2021-04-07",
    ];
    let out = run_rows("visitnum-as-number", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(
        out.rs("V1", "TRGRESP"),
        pairs(&[("WEEK 6", "PR"), ("WEEK 12", "PR")])
    );
    // The visit is written with the smallest of its VISITNUMs in byte order (`2`, not
    // `2.0`; `03`, not `3`), whatever the row order, and a warning says so.
    let visitnums: Vec<&str> = out
        .rs
        .lines()
        .filter(|l| l.contains(",TRGRESP,"))
        .map(|l| l.split(',').nth(12).unwrap())
        .collect();
    assert_eq!(visitnums, ["2", "03"]);
    let warnings = out.result("V1")["warnings"].to_string();
    assert!(warnings.contains("`2`, `2.0`"), "{warnings}");
    assert_eq!(out.summary["rows"]["TR"]["used"], 6);
}

// --- A target's 0 mm and a status saying it is there contradict each other ---

#[test]
fn r11_tgt_cr_a_target_of_0_mm_whose_status_is_present_is_refused() {
    // T01 measured 0 mm at WEEK 6 while its TUMSTATE says PRESENT: read as gone, it made a
    // CR the reader did not record. It is refused, as a length with ABSENT is.
    let tu = [
        "ST,TU,Z1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,Z1,T02,TUMIDENT,TARGET,TARGET,LUNG,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,Z1,TARGET,T01,LDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04",
        "ST,TR,Z1,TARGET,T02,LDIAM,20,mm,20,20,mm,,1,SCREENING,2021-01-04",
        "ST,TR,Z1,TARGET,T01,LDIAM,0,mm,0,0,mm,,2,WEEK 6,2021-02-24",
        "ST,TR,Z1,TARGET,T01,TUMSTATE,PRESENT,,PRESENT,,,,2,WEEK 6,2021-02-24",
        "ST,TR,Z1,TARGET,T02,LDIAM,0,mm,0,0,mm,,2,WEEK 6,2021-02-24",
    ];
    let out = run_rows("target-0-mm-present", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("Z1", "TRGRESP"), []);
    let e = out.error("subject", "invalid");
    assert_eq!(e["lesion"], "T01");
    assert_eq!(e["visit"], "WEEK 6");
    assert!(
        reason(e).contains("0 mm but its status is PRESENT"),
        "{}",
        reason(e)
    );
    assert_eq!(out.summary["rows"]["TR"]["in_refused_subjects"], 5);

    // 0 mm with ABSENT agrees: CR.
    let mut tr = tr.to_vec();
    tr[3] = "ST,TR,Z1,TARGET,T01,TUMSTATE,ABSENT,,ABSENT,,,,2,WEEK 6,2021-02-24";
    let out = run_rows("target-0-mm-absent", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("Z1", "TRGRESP"), pairs(&[("WEEK 6", "CR")]));
}

// --- TRSTRESC and TRSTRESN are one standard result: they must agree ---

#[test]
fn trstresc_and_trstresn_that_disagree_refuse_the_subject() {
    // WEEK 6 gives TRSTRESC 2 and TRSTRESN 20 (mm): TRSTRESN alone was read (PR from 40 mm)
    // though which is right is unknown (2 mm would be a deeper response). `20` and `20.0`
    // are one number and agree.
    let tu = ["ST,TU,S1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04"];
    let tr = [
        "ST,TR,S1,TARGET,T01,LDIAM,,,40,40.0,mm,,1,SCREENING,2021-01-04",
        "ST,TR,S1,TARGET,T01,LDIAM,,,2,20,mm,,2,WEEK 6,2021-02-24",
    ];
    let out = run_rows("stresc-stresn", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("S1", "TRGRESP"), []);
    let e = out.error("subject", "invalid");
    assert_eq!(e["row"], 3);
    assert_eq!(e["lesion"], "T01");
    let r = reason(e);
    assert!(
        r.contains("TRSTRESC `2`") && r.contains("TRSTRESN `20`"),
        "{r}"
    );

    let tr = [
        tr[0],
        "ST,TR,S1,TARGET,T01,LDIAM,,,20,20,mm,,2,WEEK 6,2021-02-24",
    ];
    let out = run_rows("stresc-stresn-agree", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("S1", "TRGRESP"), pairs(&[("WEEK 6", "PR")]));
}

// --- TUORRES and TUSTRESC must agree on the lesion's role ---

#[test]
fn tuorres_and_tustresc_that_disagree_on_the_role_refuse_the_subject() {
    // T02 is TARGET in TUORRES and NON-TARGET in TUSTRESC: read silently as a non-target, the
    // sum fell 40 → 20 (PR) where with T02 as a target it is 60 → 50 (SD).
    let tu = [
        "ST,TU,R1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,R1,T02,TUMIDENT,TARGET,NON-TARGET,LUNG,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,R1,,T01,LDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04",
        "ST,TR,R1,,T02,LDIAM,20,mm,20,20,mm,,1,SCREENING,2021-01-04",
        "ST,TR,R1,,T01,LDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-24",
        "ST,TR,R1,,T02,LDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-24",
    ];
    let out = run_rows("tu-role-disagree", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("R1", "OVRLRESP"), []);
    let e = out.error("subject", "invalid");
    assert_eq!(e["file"], out.tu_file());
    assert_eq!(e["row"], 3);
    assert_eq!(e["lesion"], "T02");
    let r = reason(e);
    assert!(
        r.contains("TUORRES `TARGET`") && r.contains("TUSTRESC `NON-TARGET`"),
        "{r}"
    );
    assert_eq!(out.summary["rows"]["TU"]["in_refused_subjects"], 2);

    // The same role written two ways (`NON TARGET`, `NON-TARGET`) agrees.
    let tu = [
        tu[0],
        "ST,TU,R1,T02,TUMIDENT,NON TARGET,NON-TARGET,LUNG,1,SCREENING,2021-01-04",
    ];
    let out = run_rows("tu-role-agree", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("R1", "OVRLRESP"), pairs(&[("WEEK 6", "PR")]));
}

// --- A row naming its visit by VISIT alone, where other rows number that visit ---

#[test]
fn a_row_without_visitnum_naming_a_numbered_visit_refuses_the_subject() {
    // NT01's WEEK 6 row has no VISITNUM and was scanned two days after T01: keyed by its
    // VISIT alone it made a second assessment named WEEK 6 (target NE there, non-target NE
    // at the first), silently. Whether it is the numbered WEEK 6 is unknown: refused.
    let tu = [
        "ST,TU,W1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,W1,NT01,TUMIDENT,NON-TARGET,NON-TARGET,BONE,1,SCREENING,2021-01-04",
    ];
    let tr = [
        "ST,TR,W1,TARGET,T01,LDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04",
        "ST,TR,W1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,1,SCREENING,2021-01-04",
        "ST,TR,W1,TARGET,T01,LDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-24",
        "ST,TR,W1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,,Week 6,2021-02-26",
    ];
    let out = run_rows("visit-name-without-number", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("W1", "OVRLRESP"), []);
    let e = out.error("subject", "visit-without-number");
    assert_eq!(e["file"], out.tr_file());
    assert_eq!(e["row"], 5);
    let r = reason(e);
    assert!(r.contains("Week 6 (2021-02-26)"), "{r}");
    assert!(r.contains("WEEK 6 (VISITNUM 2, 2021-02-24)"), "{r}");
    assert_eq!(out.summary["rows"]["TR"]["in_refused_subjects"], 4);

    // Visits named by VISIT alone, none of them numbered elsewhere, are read as before.
    let tr: Vec<String> = tr
        .iter()
        .map(|r| {
            r.replace(",1,SCREENING", ",,SCREENING")
                .replace(",2,WEEK 6", ",,WEEK 6")
        })
        .collect();
    let tr: Vec<&str> = tr.iter().map(String::as_str).collect();
    let out = run_rows("visit-names-only", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("W1", "OVRLRESP"), pairs(&[("WEEK 6", "PR")]));
}

// --- A NEW lesion's TU visit: a TR row NOT DONE there is no finding against it ---

#[test]
fn r11_new_pd_a_new_lesion_whose_tr_row_at_its_tu_visit_is_not_done_is_new_there() {
    // NEW01 is identified in TU at WEEK 6; its only TR row there is LDIAM NOT DONE (a new
    // lesion need not be measured). Read as TR's finding, it hid the new lesion: NEWLIND N
    // and PR where TU gives PD.
    let tu = [
        "ST,TU,N1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04",
        "ST,TU,N1,NEW01,TUMIDENT,NEW,NEW,BRAIN,2,WEEK 6,2021-02-24",
    ];
    let tr = [
        "ST,TR,N1,TARGET,T01,LDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04",
        "ST,TR,N1,TARGET,T01,LDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-24",
        "ST,TR,N1,NEW,NEW01,LDIAM,,,,,,NOT DONE,2,WEEK 6,2021-02-24",
    ];
    let out = run_rows("new-not-done-at-tu-visit", &tu, &tr, PartialDates::Refuse);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("N1", "NEWLIND"), pairs(&[("WEEK 6", "Y")]));
    assert_eq!(out.rs("N1", "OVRLRESP"), pairs(&[("WEEK 6", "PD")]));
    assert_eq!(out.summary["rows"]["TR"]["used"], 3);

    // TUMSTATE NOT EVALUABLE there contradicts TU's identification: refused, not guessed.
    let mut tr = tr.to_vec();
    tr[2] = "ST,TR,N1,NEW,NEW01,TUMSTATE,NOT EVALUABLE,,NOT EVALUABLE,,,,2,WEEK 6,2021-02-24";
    let out = run_rows("new-ne-at-tu-visit", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("N1", "OVRLRESP"), []);
    let e = out.error("subject", "invalid");
    assert_eq!(e["file"], out.tr_file());
    assert_eq!(e["row"], 4);
    assert_eq!(e["lesion"], "NEW01");
    assert!(reason(e).contains("not evaluable"), "{}", reason(e));
}

// --- A NEW lesion listed in TU at several visits is new at each, whatever the row order ---

#[test]
fn r11_new_pd_a_new_lesion_listed_in_tu_at_two_visits_is_new_at_the_first_whatever_the_order() {
    // NEW01 is listed in TU at WEEK 12 and, in a later row, at WEEK 6 (no TR row). The WEEK 6
    // row was refused as a duplicate of the first "for this lesion and visit", so the new
    // lesion, and the PD, moved to WEEK 12: the row order decided the progression date.
    let tu_week6 = "ST,TU,K1,NEW01,TUMIDENT,NEW,NEW,BRAIN,2,WEEK 6,2021-02-24";
    let tu_week12 = "ST,TU,K1,NEW01,TUMIDENT,NEW,NEW,BRAIN,3,WEEK 12,2021-04-07";
    let tr = [
        "ST,TR,K1,TARGET,T01,LDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04",
        "ST,TR,K1,TARGET,T01,LDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-24",
        "ST,TR,K1,TARGET,T01,LDIAM,20,mm,20,20,mm,,3,WEEK 12,2021-04-07",
    ];
    let t01 = "ST,TU,K1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04";
    for (name, tu) in [
        ("new-relisted-reversed", [t01, tu_week12, tu_week6]),
        ("new-relisted-in-order", [t01, tu_week6, tu_week12]),
    ] {
        let out = run_rows(name, &tu, &tr, PartialDates::Refuse);
        assert!(out.errors.is_empty(), "{name}: {:#?}", out.errors);
        assert_eq!(
            out.rs("K1", "NEWLIND"),
            pairs(&[("WEEK 6", "Y"), ("WEEK 12", "Y")]),
            "{name}"
        );
        assert_eq!(out.rs("K1", "OVRLRESP")[0], ("WEEK 6".into(), "PD".into()));
        assert_eq!(out.result("K1")["progression"]["date"], "2021-02-24");
        assert_eq!(out.summary["rows"]["TU"]["used"], 3);
    }
}

// --- A test not done has no result ---

#[test]
fn a_result_beside_trstat_not_done_refuses_the_subject() {
    // WEEK 6 gives T01 a length of 62 mm (PD from 40) with TRSTAT NOT DONE: read as not done,
    // the length was dropped unseen and the target was NE. Which holds is unknown: refused,
    // at that row, naming the value.
    let tu = ["ST,TU,S1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04"];
    let tr = [
        "ST,TR,S1,TARGET,T01,LDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04",
        "ST,TR,S1,TARGET,T01,LDIAM,62,mm,62,62,mm,NOT DONE,2,WEEK 6,2021-02-24",
    ];
    let out = run_rows("not-done-with-value", &tu, &tr, PartialDates::Refuse);
    assert_eq!(out.rs("S1", "TRGRESP"), []);
    let e = out.error("subject", "invalid");
    assert_eq!(e["row"], 3);
    assert_eq!(e["lesion"], "T01");
    assert_eq!(e["visit"], "WEEK 6");
    let r = reason(e);
    assert!(r.contains("NOT DONE") && r.contains("`62`"), "{r}");
    assert_eq!(out.summary["rows"]["TR"]["in_refused_subjects"], 2);

    // NOT DONE with no result (or the not-done word repeated as the result): not evaluated.
    for row in [
        "ST,TR,S1,TARGET,T01,LDIAM,,,,,,NOT DONE,2,WEEK 6,2021-02-24",
        "ST,TR,S1,TARGET,T01,LDIAM,NOT DONE,,NOT DONE,,,NOT DONE,2,WEEK 6,2021-02-24",
    ] {
        let out = run_rows("not-done-empty", &tu, &[tr[0], row], PartialDates::Refuse);
        assert!(out.errors.is_empty(), "{row}: {:#?}", out.errors);
        assert_eq!(out.rs("S1", "TRGRESP"), pairs(&[("WEEK 6", "NE")]), "{row}");
    }
}
