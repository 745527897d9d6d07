//! Recorded responses for `recist bor` (a plain CSV or SDTM RS): every row is read into its
//! subject's reading or refused with its file, line and subject, never left out without a word.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use recist_io::{Recorded, read_recorded, read_reference_dates};
use recist_model::OverallResponse;
use tempfile::TempDir;

const RS_HEAD: &str = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC,RFSTDTC";

/// An SDTM RS row of subject `A` (investigator) with a reference date of 2020-01-01.
fn rs(test: &str, cat: &str, orres: &str, stresc: &str, date: &str) -> String {
    format!("S,RS,A,1,{test},x,{cat},{orres},{stresc},INVESTIGATOR,,V,,{date},2020-01-01")
}

/// `text` written as `name` in a fresh directory, kept as long as the directory returned.
fn write(name: &str, text: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("recist-io-recorded-")
        .tempdir()
        .unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn read_rs(name: &str, rows: &[String]) -> (Recorded, String) {
    let mut text = vec![RS_HEAD.to_string()];
    text.extend(rows.iter().cloned());
    let (_dir, path) = write(name, &(text.join("\n") + "\n"));
    (
        read_recorded(&path, &BTreeMap::new()).unwrap(),
        path.display().to_string(),
    )
}

fn refusals(r: &Recorded) -> Vec<String> {
    r.refused.iter().map(ToString::to_string).collect()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// R11-CONF-INT: a PR confirmed by a PR 42 days later is one reading when one row gives
/// the `RSCAT` and the other none, or the same one in other case: read apart, each half held
/// one unconfirmed PR and the confirmed best response came out SD.
#[test]
fn r11_conf_int_rows_with_and_without_rscat_are_one_reading() {
    for (name, second) in [("no-cat", ""), ("lower-cat", "recist 1.1")] {
        let (r, _) = read_rs(
            name,
            &[
                rs("OVRLRESP", "RECIST 1.1", "PR", "PR", "2020-02-12"),
                rs("OVRLRESP", second, "PR", "PR", "2020-03-25"),
            ],
        );
        assert!(r.refused.is_empty(), "{:?}", refusals(&r));
        assert_eq!(r.subjects.len(), 1, "{name}: {:?}", r.subjects);
        let s = &r.subjects[0];
        assert_eq!(s.category.as_deref(), Some("RECIST 1.1"));
        assert_eq!(
            s.visits,
            [
                (d("2020-02-12"), OverallResponse::Pr, 2),
                (d("2020-03-25"), OverallResponse::Pr, 3)
            ]
        );
    }
}

/// A row with no `RSCAT` whose subject's other rows give two is of no one reading: it is
/// refused, and so is its subject × evaluator (the response could be a visit of either).
#[test]
fn r11_bor_def_a_response_without_rscat_among_two_rscats_refuses_its_subject() {
    let (r, file) = read_rs(
        "two-cats",
        &[
            rs("OVRLRESP", "RECIST 1.1", "PR", "PR", "2020-02-12"),
            rs("OVRLRESP", "MRECIST", "PR", "PR", "2020-02-12"),
            rs("OVRLRESP", "", "PD", "PD", "2020-03-25"),
        ],
    );
    assert!(r.subjects.is_empty(), "{:?}", r.subjects);
    let e = refusals(&r);
    assert!(
        e[0].starts_with(&format!("{file}:4: subject `A`: assessment 2020-03-25: no RSCAT, while this subject's other rows give several (`RECIST 1.1`, `MRECIST`)")),
        "{e:?}"
    );
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(
        e[1].contains("row 4 of this subject gives no RSCAT among several"),
        "{e:?}"
    );
}

/// R11-BOR-DEF: a subject whose RS rows are all of other tests (TRGRESP, BESTRESP) has no
/// overall response to derive a best response from: said with its line, not left out.
#[test]
fn r11_bor_def_a_subject_with_no_ovrlresp_row_is_refused_by_name() {
    let mut rows = vec![
        rs("TRGRESP", "RECIST 1.1", "PR", "PR", "2020-02-12"),
        rs("BESTRESP", "RECIST 1.1", "PR", "PR", ""),
    ];
    rows.push(rs("OVRLRESP", "RECIST 1.1", "SD", "SD", "2020-02-12").replace(",A,", ",B,"));
    let (r, file) = read_rs("no-ovrlresp", &rows);
    assert_eq!(r.subjects.len(), 1);
    assert_eq!(r.subjects[0].subject, "B");
    assert_eq!(
        refusals(&r),
        [format!(
            "{file}:2: subject `A`: no OVRLRESP row for this subject (evaluator INVESTIGATOR): its rows (the first on this line) are of other tests, so no best response is derived"
        )]
    );
}

/// R11-BOR-DEF: RSORRES is read where RSSTRESC is empty (as the comparison reads it);
/// where both name responses they must agree; an RSORRES in prose is what RSSTRESC
/// standardises. SDTM spellings (`Non-CR / Non-PD`, `NOT EVALUABLE`) are read.
#[test]
fn r11_bor_def_rsorres_is_read_without_rsstresc_and_both_must_agree() {
    let (r, _) = read_rs(
        "orres",
        &[
            rs("OVRLRESP", "RECIST 1.1", "PR", "", "2020-02-12"),
            rs(
                "OVRLRESP",
                "RECIST 1.1",
                "Partial Response",
                "PR",
                "2020-03-25",
            ),
            rs("OVRLRESP", "RECIST 1.1", "NOT EVALUABLE", "", "2020-05-06"),
        ],
    );
    assert!(r.refused.is_empty(), "{:?}", refusals(&r));
    let got: Vec<_> = r.subjects[0].visits.iter().map(|v| v.1).collect();
    assert_eq!(
        got,
        [
            OverallResponse::Pr,
            OverallResponse::Pr,
            OverallResponse::Ne
        ]
    );
    let (r, _) = read_rs(
        "non-cr",
        &[rs(
            "OVRLRESP",
            "RECIST 1.1",
            "",
            "Non-CR / Non-PD",
            "2020-02-12",
        )],
    );
    assert_eq!(r.subjects[0].visits[0].1, OverallResponse::NonCrNonPd);
    assert!(r.subjects[0].non_target_only);

    let (r, file) = read_rs(
        "disagree",
        &[
            rs("OVRLRESP", "RECIST 1.1", "PD", "SD", "2020-02-12"),
            rs("OVRLRESP", "RECIST 1.1", "SD", "SD", "2020-03-25"),
        ],
    );
    assert!(r.subjects.is_empty());
    assert_eq!(
        refusals(&r),
        [format!(
            "{file}:2: subject `A`: assessment 2020-02-12: RSORRES `PD` and RSSTRESC `SD` disagree: which one holds is unknown"
        )]
    );
}

/// A file with only a header, or blank lines after it, holds no response: an error, not an
/// empty answer.
#[test]
fn r11_bor_def_a_file_with_only_a_header_is_an_error() {
    for (name, text) in [
        ("header.csv", "subject,date,response\n"),
        ("blank.csv", "subject,date,response\r\n\r\n\r\n"),
    ] {
        let (_dir, path) = write(name, text);
        let r = read_recorded(&path, &BTreeMap::new()).unwrap();
        assert!(r.subjects.is_empty());
        assert_eq!(
            refusals(&r),
            [format!(
                "{}:1: no rows after the header: no recorded response to derive a best response from",
                path.display()
            )]
        );
    }
}

/// R11-SD-MIN: the reference date sets the SD minimum. One that is not a date refuses its
/// row (it was dropped, and a DM date, or none, used in its place); a response date with
/// text after it is no date (a time after `T` is).
#[test]
fn r11_sd_min_a_reference_or_response_date_that_is_not_a_date_is_refused() {
    let (_dir, path) = write(
        "dates.csv",
        "subject,date,response,reference_date\n\
         A,2020-02-12,SD,2020-13-01\n\
         B,2020-02-12x,SD,2020-01-01\n\
         C,2020-02-12T10:30,SD,2020-01-01\n",
    );
    let dm: BTreeMap<String, NaiveDate> = [("A".to_string(), d("2020-01-01"))].into();
    let r = read_recorded(&path, &dm).unwrap();
    let file = path.display();
    assert_eq!(
        refusals(&r),
        [
            format!(
                "{file}:2: subject `A`: assessment 2020-02-12: reference date `2020-13-01` is not a full ISO 8601 date (partial dates are not imputed)"
            ),
            format!(
                "{file}:3: subject `B`: date `2020-02-12x` is not a full ISO 8601 date (partial dates are not imputed)"
            ),
        ]
    );
    assert_eq!(r.subjects.len(), 1);
    assert_eq!(r.subjects[0].visits[0].0, d("2020-02-12"));
}

/// R11-SD-MIN: DM's RFSTDTC that is not a date, or two different ones for a subject, is an
/// error naming the file, line and subject (it was skipped, or the last one taken).
#[test]
fn r11_sd_min_a_dm_reference_date_not_read_or_given_twice_is_an_error() {
    let head = "STUDYID,DOMAIN,USUBJID,RFSTDTC\n";
    let (_dir, path) = write(
        "dm-bad.csv",
        &format!("{head}S,DM,A,2020-01-01\nS,DM,B,2020-01\n"),
    );
    let e = read_reference_dates(&path).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:3: subject `B`: RFSTDTC `2020-01` is not a full ISO 8601 date (partial dates are not imputed)",
            path.display()
        )
    );
    let (_dir, path) = write(
        "dm-twice.csv",
        &format!("{head}S,DM,A,2020-01-01\nS,DM,A,2020-01-01\nS,DM,A,2020-02-01\n"),
    );
    let e = read_reference_dates(&path).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:4: subject `A`: RFSTDTC 2020-02-01 differs from 2020-01-01 on line 2 for the same subject",
            path.display()
        )
    );
    let (_dir, path) = write("dm-ok.csv", &format!("{head}S,DM,A,2020-01-01\nS,DM,B,\n"));
    let dates = read_reference_dates(&path).unwrap();
    assert_eq!(dates, [("A".to_string(), d("2020-01-01"))].into());
}

/// Two responses on one date name each other's row and value.
#[test]
fn r11_bor_def_two_responses_on_one_date_name_the_other_row() {
    let (_dir, path) = write(
        "same-date.csv",
        "subject,date,response,reference_date\nA,2020-02-12,PR,2020-01-01\nA,2020-02-12,PD,2020-01-01\n",
    );
    let r = read_recorded(&path, &BTreeMap::new()).unwrap();
    assert_eq!(
        refusals(&r),
        [format!(
            "{}:3: subject `A`: assessment 2020-02-12: two responses on the same date: row 2 gives PR, this row PD",
            path.display()
        )]
    );
}

/// R11-CONF-INT: evaluators are compared case aside (cdisc.md), so `INVESTIGATOR` and
/// `Investigator` are one reading, whose PR is confirmed (read apart: two unconfirmed PRs);
/// a row naming no evaluator while the subject's others name one is of no known reading, and
/// refuses the subject rather than make a reading of its own.
#[test]
fn r11_conf_int_evaluators_are_one_reading_case_aside_and_a_row_naming_none_refuses() {
    let (r, _) = read_rs(
        "eval-case",
        &[
            rs("OVRLRESP", "RECIST 1.1", "PR", "PR", "2020-02-12"),
            rs("OVRLRESP", "RECIST 1.1", "PR", "PR", "2020-03-25")
                .replace("INVESTIGATOR", "Investigator"),
        ],
    );
    assert!(r.refused.is_empty(), "{:?}", refusals(&r));
    assert_eq!(r.subjects.len(), 1, "{:?}", r.subjects);
    assert_eq!(r.subjects[0].evaluator.as_deref(), Some("INVESTIGATOR"));
    assert_eq!(r.subjects[0].visits.len(), 2);

    let (r, file) = read_rs(
        "eval-none",
        &[
            rs("OVRLRESP", "RECIST 1.1", "PR", "PR", "2020-02-12"),
            rs("OVRLRESP", "RECIST 1.1", "PD", "PD", "2020-03-25").replace("INVESTIGATOR", ""),
        ],
    );
    assert!(r.subjects.is_empty(), "{:?}", r.subjects);
    assert_eq!(
        refusals(&r),
        [
            format!(
                "{file}:3: subject `A`: assessment 2020-03-25: no RSEVAL or RSEVALID, while this subject's other rows name `INVESTIGATOR`: whose reading this row is is unknown, so the subject is refused"
            ),
            format!(
                "{file}:3: subject `A`: row 3 of this subject names no evaluator while its other rows do: its best response could miss that visit, so the subject is refused"
            ),
        ]
    );
}
