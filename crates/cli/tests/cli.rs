//! The `recist` command as a user runs it: outputs and the exit statuses of `results.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use tempfile::TempDir;

mod common;
use common::{json_lines, recist, root, text};

/// A fresh directory of its own for a test, removed when the value is dropped.
fn temp_dir(name: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("recist-cli-{name}-"))
        .tempdir()
        .unwrap()
}

/// `content` written as `name` in a fresh directory, kept as long as the directory returned.
fn temp_file(name: &str, content: &str) -> (TempDir, PathBuf) {
    let dir = temp_dir("test");
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

#[test]
fn assess_prints_one_result_per_subject_and_scope() {
    let out = recist(&[
        "assess",
        "examples/cohort.yaml",
        "examples/hcc-001.yaml",
        "--format",
        "jsonl",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&text(&out.stdout));
    // Three cohort subjects, and HCC-001 with radiotherapy: all, in-field, out-of-field.
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[3]["subject"], "HCC-001");
    let scopes: Vec<&str> = lines[3..]
        .iter()
        .map(|l| l["scope"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["all", "in-field", "out-of-field"]);
    assert_eq!(lines[3]["timepoints"][1]["overall"], "PR");
    assert_eq!(lines[3]["timepoints"][1]["change_from_baseline_pct"], -31.0);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let a = recist(&["assess", "examples/hcc-001.yaml"]);
    let b = recist(&["assess", "examples/hcc-001.yaml"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_refused_subject_exits_1_and_the_others_are_still_reported() {
    let (_bad_dir, bad) = temp_file(
        "bad.yaml",
        "subject: B-1\nlesions:\n  - {id: T1, site: lung, role: target}\nassessments:\n  - date: 2020-01-01\n    findings: {T1: {long_axis: 4}}\n",
    );
    let out = recist(&[
        "assess",
        bad.to_str().unwrap(),
        "examples/cohort.yaml",
        "--format",
        "jsonl",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("subject `B-1`") && err.contains("lesion `T1`") && err.contains("R11-MEAS-CT"),
        "{err}"
    );
    assert_eq!(
        text(&out.stdout).lines().count(),
        3,
        "the three good subjects are still printed"
    );
}

#[test]
fn a_document_not_utf8_refuses_its_subject_only() {
    // Two documents; the second's site is Latin-1 `é` (0xe9): C-2 is refused naming the line
    // and byte, C-1 is still adjudicated.
    let case = |s: &str, site: &str| {
        format!(
            "subject: {s}\nlesions:\n  - {{id: T1, site: {site}, role: target}}\nassessments:\n  - date: 2020-01-01\n    findings: {{T1: {{long_axis: 40}}}}\n"
        )
    };
    let (_path_dir, path) = temp_file("latin1.yaml", "");
    let mut bytes = case("C-1", "lung").into_bytes();
    bytes.extend(b"---\n");
    bytes.extend(case("C-2", "caf@").into_bytes());
    let at = bytes.iter().position(|&b| b == b'@').unwrap();
    bytes[at] = 0xe9;
    std::fs::write(&path, &bytes).unwrap();
    let out = recist(&["assess", path.to_str().unwrap(), "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("latin1.yaml:10: subject `C-2`: byte 23: not valid UTF-8"),
        "{err}"
    );
    let subjects: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["subject"].to_string())
        .collect();
    assert_eq!(subjects, ["\"C-1\""]);
}

#[test]
fn usage_and_rule_set_errors_exit_2() {
    assert_eq!(recist(&["assess"]).status.code(), Some(2));
    let out = recist(&["assess", "examples/cohort.yaml", "--rules", "recist-9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown rule set `recist-9`"));
    let out = recist(&[
        "assess",
        "examples/cohort.yaml",
        "--set",
        "confirmation.min_interval_days=soon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("confirmation.min_interval_days"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn rules_list_and_check() {
    let out = recist(&["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("recist-1.1"));
    let out = recist(&["rules", "check", "rules/recist-1.1.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ok: recist-1.1 1.5.1"));
    let broken = std::fs::read_to_string(root().join("rules/recist-1.1.yaml"))
        .unwrap()
        .replace("max_targets: 5 ", "max_targets: 0 ");
    let (_path_dir, path) = temp_file("broken.yaml", &broken);
    let out = recist(&["rules", "check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let line = broken
        .lines()
        .position(|l| l.contains("max_targets: 0"))
        .unwrap()
        + 1;
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("line {line}: `baseline.max_targets`")),
        "{err}"
    );
}

#[test]
fn overrides_are_recorded_in_rules_check() {
    let out = recist(&[
        "rules",
        "check",
        "recist-1.1",
        "--set",
        "best_response.sd_min_days=56",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("override: best_response.sd_min_days = 56 (--set)"),
        "{stdout}"
    );
    assert!(stdout.contains("\"sd_min_days\": 56"));
}

#[test]
fn rules_params_lists_the_protocol_parameters_with_their_values() {
    let out = recist(&["rules", "params", "irecist"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let row = |key: &str| {
        stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("no `{key}` in {stdout}"))
    };
    assert_eq!(
        row("irecist.confirm_window_days")[1..4],
        ["[28,", "56]", "protocol"]
    );
    assert_eq!(
        row("confirmation.min_interval_days")[1..3],
        ["28", "protocol"]
    );
    // Fixed criteria only with --all.
    assert!(
        !stdout.contains("target_response.pd_increase_pct"),
        "{stdout}"
    );
    let out = recist(&[
        "rules",
        "params",
        "mrecist",
        "--all",
        "--set",
        "target_response.pd_min_increase_mm=5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = |key: &str| {
        stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no `{key}` in {stdout}"))
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("target_response.pd_min_increase_mm"),
        "target_response.pd_min_increase_mm 5 protocol"
    );
    assert_eq!(
        line("target_response.pd_increase_pct"),
        "target_response.pd_increase_pct 20 fixed"
    );
    assert_eq!(
        line("measurement.selectors"),
        "measurement.selectors 3 entries"
    );
    assert_eq!(
        line("irecist.nlt_reference"),
        "irecist.nlt_reference — fixed"
    );
}

#[test]
fn explain_shows_numbers_and_rules() {
    let out = recist(&["explain", "examples/hcc-001.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    assert!(
        s.contains("R11-TGT-PR          sum 69 mm vs baseline 100 mm: -31.00 %"),
        "{s}"
    );
}

#[test]
fn bor_from_recorded_responses() {
    let out = recist(&["bor", "--responses", "examples/recorded-responses.csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines.len(), 3);
    // S-101: PR confirmed 56 days later.
    assert_eq!(lines[0]["confirmed_best_overall_response"], "PR");
    assert_eq!(lines[0]["response_dates"]["confirmation"], "2021-06-07");
    // S-102: PR, SD, PR: the SD between breaks confirmation unless accepted.
    assert_eq!(lines[1]["confirmed_best_overall_response"], "SD");
    // S-103: PR after CR is recoded to PD with a warning (disease after CR = progression).
    assert_eq!(lines[2]["best_overall_response"], "CR");
    assert!(
        lines[2]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("recoded to PD")
    );
    let out = recist(&[
        "bor",
        "--responses",
        "examples/recorded-responses.csv",
        "--set",
        "confirmation.accept_sd_between=true",
    ]);
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines[1]["confirmed_best_overall_response"], "PR");
    assert_eq!(
        lines[1]["rule_set"]["overrides"][0]["key"],
        "confirmation.accept_sd_between"
    );
    let out = recist(&[
        "bor",
        "--responses",
        "examples/recorded-responses.csv",
        "--set",
        "timepoint.disease_after_cr=arithmetic",
    ]);
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines[2]["warnings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn bor_refuses_unknown_responses_with_the_row() {
    let (_path_dir, path) = temp_file(
        "rs.csv",
        "subject,date,response,reference_date\nX-1,2021-02-01,PR,2021-01-01\nX-1,2021-03-01,GOOD,2021-01-01\nX-2,2021-03-01,SD,2021-01-01\n",
    );
    let out = recist(&["bor", "--responses", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(":3: subject `X-1`: assessment 2021-03-01: unknown response `GOOD`"),
        "{err}"
    );
    assert_eq!(text(&out.stdout).lines().count(), 1, "X-2 is still derived");
}

#[test]
fn bor_reads_sdtm_rs_per_evaluator() {
    let (_path_dir, path) = temp_file(
        "rs-sdtm.csv",
        "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,RSDTC\n\
         S,RS,U-1,1,OVRLRESP,Overall Response,RECIST 1.1,PR,PR,INVESTIGATOR,,WEEK 6,2021-02-15\n\
         S,RS,U-1,2,TRGRESP,Target Response,RECIST 1.1,PR,PR,INVESTIGATOR,,WEEK 6,2021-02-15\n\
         S,RS,U-1,3,OVRLRESP,Overall Response,RECIST 1.1,PR,PR,INVESTIGATOR,,WEEK 12,2021-03-29\n\
         S,RS,U-1,4,OVRLRESP,Overall Response,RECIST 1.1,SD,SD,INDEPENDENT ASSESSOR,RADIOLOGIST 1,WEEK 6,2021-02-15\n",
    );
    let (_dm_dir, dm) = temp_file("dm.csv", "USUBJID,RFSTDTC\nU-1,2021-01-04\n");
    let out = recist(&[
        "bor",
        "--responses",
        path.to_str().unwrap(),
        "--dm",
        dm.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines.len(), 2);
    // In input order, one line per evaluator; only OVRLRESP rows count.
    assert_eq!(lines[0]["evaluator"], "INVESTIGATOR");
    assert_eq!(lines[0]["confirmed_best_overall_response"], "PR");
    assert_eq!(lines[1]["evaluator"], "INDEPENDENT ASSESSOR/RADIOLOGIST 1");
    assert_eq!(lines[1]["best_overall_response"], "SD");
}

#[test]
fn assess_refuses_a_subject_given_twice() {
    let case = |mm: u32| {
        format!(
            "subject: TWICE\nlesions:\n  - {{id: T1, site: liver, role: target}}\nassessments:\n  - date: 2019-03-01\n    findings: {{T1: {{long_axis: 40}}}}\n  - date: 2019-04-12\n    findings: {{T1: {{long_axis: {mm}}}}}\n"
        )
    };
    let (_a_dir, a) = temp_file("twice-a.yaml", &case(26));
    let (_b_dir, b) = temp_file(
        "twice-b.yaml",
        &format!("{}---\n{}", case(56).replace("TWICE", "ONCE"), case(56)),
    );
    let out = recist(&[
        "assess",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let subjects: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["subject"].to_string())
        .collect();
    assert_eq!(subjects, ["\"ONCE\""]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "subject `TWICE`: 2 cases of one subject × evaluator ({}:1, {}:10)",
            a.display(),
            b.display()
        )),
        "{stderr}"
    );
}

/// Two `--rules` naming one rule set would print every result twice under one id.
#[test]
fn the_same_rule_set_twice_is_a_usage_error() {
    let out = recist(&[
        "assess",
        "--rules",
        "recist-1.1",
        "--rules",
        "rules/recist-1.1.yaml",
        "examples/cohort.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "--rules `rules/recist-1.1.yaml` is the same rule set as `bundled:recist-1.1.yaml`"
        ),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Two different rule sets are adjudicated side by side.
    let out = recist(&[
        "assess",
        "--rules",
        "recist-1.1",
        "--rules",
        "mrecist",
        "examples/cohort.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// results.md: "results to stdout or `--out`"; the file is whole or absent.
#[test]
fn assess_explain_and_bor_write_to_out() {
    let tmp = temp_dir("out");
    let dir = tmp.path();
    for (args, name) in [
        (
            vec!["assess", "examples/cohort.yaml", "--format", "jsonl"],
            "a.jsonl",
        ),
        (vec!["explain", "examples/hcc-001.yaml"], "e.txt"),
        (
            vec!["bor", "--responses", "examples/recorded-responses.csv"],
            "b.jsonl",
        ),
    ] {
        let printed = recist(&args);
        let path = dir.join(name);
        let mut with_out = args.clone();
        let path_text = path.display().to_string();
        with_out.extend(["--out", path_text.as_str()]);
        let written = recist(&with_out);
        assert_eq!(written.status.code(), printed.status.code(), "{args:?}");
        assert!(written.stdout.is_empty(), "{args:?}");
        assert_eq!(std::fs::read(&path).unwrap(), printed.stdout, "{args:?}");
        assert!(!dir.join(format!("{name}.partial")).exists());
    }
    let out = recist(&[
        "assess",
        "examples/cohort.yaml",
        "--out",
        "/nonexistent-dir/x.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent-dir/x.json: cannot write"));
}

/// docs/batch.md's amendment example compares the amended setting, and a later run into the
/// same directory that does not compare leaves none of the comparison's files behind.
#[test]
fn compare_an_amendment_then_rerun_without_comparing() {
    let tmp = temp_dir("amend");
    let dir = tmp.path().join("out");
    let out = dir.display().to_string();
    let study = [
        "--tu",
        "fixtures/sdtm/TU.csv",
        "--tr",
        "fixtures/sdtm/TR.csv",
        "--dm",
        "fixtures/sdtm/DM.csv",
    ];
    let mut args = vec!["compare"];
    args.extend(study);
    args.extend([
        "--set",
        "confirmation.min_interval_days=28",
        "--against-set",
        "confirmation.min_interval_days=35",
        "--out",
        &out,
        "--progress",
        "off",
    ]);
    let run = recist(&args);
    // The fixture study refuses one subject on purpose: exit 1, everything else written.
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let comparison: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("comparison.json")).unwrap()).unwrap();
    let shown = comparison.to_string();
    assert!(
        shown.contains("confirmation.min_interval_days=35"),
        "{shown}"
    );
    for name in [
        "comparison.md",
        "discordant.jsonl",
        "unmatched.jsonl",
        "date_mismatches.jsonl",
    ] {
        assert!(dir.join(name).exists(), "{name}");
    }
    let mut args = vec!["batch"];
    args.extend(study);
    args.extend(["--out", &out, "--progress", "off"]);
    let run = recist(&args);
    // The fixture study refuses one subject on purpose: exit 1, everything else written.
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    for name in [
        "comparison.json",
        "comparison.md",
        "discordant.jsonl",
        "unmatched.jsonl",
        "date_mismatches.jsonl",
    ] {
        assert!(!dir.join(name).exists(), "{name} left from the first run");
    }
    assert!(dir.join("summary.json").exists());
    // --parse-only is batch's: compare says so rather than running in full.
    let mut args = vec!["compare"];
    args.extend(study);
    args.extend(["--parse-only", "--against-rules", "mrecist", "--out", &out]);
    let run = recist(&args);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("`recist batch`"));
}

/// `batch --cases`: a directory entry named like a case file that is no regular file (a
/// directory, a FIFO, a link to a device) and a file with no case are each one file-level
/// error line, and no subject; unreadable `--cases` and an `--out` inside it are usage errors.
#[test]
fn batch_cases_reads_regular_files_only_and_keeps_its_outputs_apart() {
    let tmp = temp_dir("cases");
    let dir = tmp.path();
    let cases = dir.join("cases");
    std::fs::create_dir_all(cases.join("dir.yaml")).unwrap();
    std::fs::copy(
        root().join("fixtures/recist-1.1/R11-TGT-PR.yaml"),
        cases.join("a.yaml"),
    )
    .unwrap();
    std::fs::write(cases.join("empty.yaml"), "# nothing\n---\n").unwrap();
    std::os::unix::fs::symlink("/dev/zero", cases.join("zero.jsonl")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(cases.join("pipe.yaml"))
        .status()
        .is_ok_and(|s| s.success());
    let (c, out) = (
        cases.display().to_string(),
        dir.join("out").display().to_string(),
    );
    let run = recist(&["batch", "--cases", &c, "--out", &out, "--progress", "off"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let errors = std::fs::read_to_string(dir.join("out/errors.jsonl")).unwrap();
    let lines = json_lines(&errors);
    assert_eq!(lines.len(), 3 + usize::from(fifo), "{errors}");
    assert!(lines.iter().all(|l| l["level"] == "file"), "{errors}");
    for needle in ["a directory", "holds no case", "not a regular file"] {
        assert!(errors.contains(needle), "{needle}: {errors}");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["subject_evaluators"]["seen"], 1, "{summary}");
    assert_eq!(summary["subject_evaluators"]["adjudicated"], 1, "{summary}");
    assert_eq!(summary["reconciliation"]["all"], true, "{summary}");
    let inside = cases.join("out").display().to_string();
    let run = recist(&["batch", "--cases", &c, "--out", &inside]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("is inside --cases"));
    let missing = dir.join("missing").display().to_string();
    let out2 = dir.join("out2");
    let run = recist(&[
        "batch",
        "--cases",
        &missing,
        "--out",
        &out2.display().to_string(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(!out2.exists());
}

/// An iRECIST response word is refused as such, not only as "unknown": recorded responses
/// are read in RECIST 1.1's words; `assess --rules irecist` adjudicates iRECIST.
#[test]
fn bor_names_irecist_words_it_does_not_read() {
    let (_csv_dir, csv) = temp_file(
        "irecist.csv",
        "subject,date,response,reference_date\nX-1,2021-03-01,iUPD,2021-01-01\nX-1,2021-04-12,PD,2021-01-01\n",
    );
    let out = recist(&["bor", "--responses", &csv.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown response `iUPD`")
            && err.contains("iRECIST categories are not read as recorded responses")
            && err.contains("--rules irecist"),
        "{err}"
    );
    // Other unknown words are refused without the note.
    let (_csv_dir, csv) = temp_file(
        "plain.csv",
        "subject,date,response,reference_date\nX-2,2021-03-01,STABLE,2021-01-01\n",
    );
    let out = recist(&["bor", "--responses", &csv.display().to_string()]);
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown response `STABLE`") && !err.contains("iRECIST"),
        "{err}"
    );
}

/// Two reference dates for one subject: which holds is unknown (the SD minimum depends on
/// it), so the subject is refused rather than the last one taken.
#[test]
fn bor_refuses_a_subject_with_two_reference_dates() {
    let (_csv_dir, csv) = temp_file(
        "two-refs.csv",
        "subject,date,response,reference_date\nR-1,2021-03-01,SD,2021-01-01\nR-1,2021-04-12,SD,2021-02-01\nR-2,2021-03-01,SD,2021-01-01\n",
    );
    let out = recist(&["bor", "--responses", &csv.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(":3: subject `R-1`")
            && err.contains("reference date 2021-02-01 differs from 2021-01-01"),
        "{err}"
    );
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["subject"], "R-2");
}

/// A stray quote in a recorded response: read as plain CSV it would join the rows up to the
/// next quote into one (here the quoted response of R-4, four rows on, in the same column),
/// and R-2's PD would be gone without a word, its best response the later PR. The line alone
/// is refused, with the subject it names, and the rows after it are read.
#[test]
fn bor_refuses_a_quote_left_open_alone_and_reads_the_rows_after_it() {
    let (_csv_dir, csv) = temp_file(
        "stray-quote.csv",
        "subject,date,response,reference_date\nR-1,2021-03-01,\"SD\nR-2,2021-02-01,PD,2021-01-01\nR-3,2021-03-01,SD,2021-01-01\nR-3,2021-05-01,SD,2021-01-01\nR-4,2021-03-01,\"PR\",2021-01-01\nR-2,2021-05-01,PR,2021-01-01\nR-5,2021-03-01,SD,2021-01-01,extra\nR-5,2021-05-01,SD,2021-01-01\n",
    );
    let out = recist(&["bor", "--responses", &csv.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(":2: ")
            && err.contains("subject `R-1`")
            && err.contains("lines 2-6 would be one row"),
        "{err}"
    );
    assert!(
        err.contains(":8: ") && err.contains("5 fields where the header has 4"),
        "{err}"
    );
    let lines = json_lines(&text(&out.stdout));
    let best: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["subject"].as_str().unwrap(),
                l["best_overall_response"].as_str().unwrap(),
            )
        })
        .collect();
    // each have a row that could not be read: refused whole.
    assert_eq!(best, [("R-2", "PD"), ("R-3", "SD"), ("R-4", "PR")], "{err}");
}

/// SDTM RS says a subject has no target lesion with TRGRESP `NA`: its best response is that of
/// non-target-only disease (NON-CR/NON-PD, section 7.1) even though no NON-CR/NON-PD was
/// recorded, as `assess` gives it; with a target response recorded, SD.
#[test]
fn bor_reads_non_target_only_disease_from_trgresp_na() {
    let rs = |trgresp: &str| {
        let head = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC\n";
        let mut text = head.to_string();
        for (seq, (test, value, visit, num, date)) in [
            ("TRGRESP", trgresp, "WEEK 6", 2, "2021-02-15"),
            ("OVRLRESP", "NE", "WEEK 6", 2, "2021-02-15"),
            ("TRGRESP", trgresp, "WEEK 12", 3, "2021-03-29"),
            ("OVRLRESP", "CR", "WEEK 12", 3, "2021-03-29"),
            ("OVRLRESP", "PD", "WEEK 18", 4, "2021-05-10"),
        ]
        .iter()
        .enumerate()
        {
            text.push_str(&format!(
                "S,RS,N-1,{},{test},x,RECIST 1.1,{value},{value},INVESTIGATOR,,{visit},{num},{date}\n",
                seq + 1
            ));
        }
        temp_file(&format!("rs-{trgresp}.csv"), &text)
    };
    let (_dm_dir, dm) = temp_file("dm-n1.csv", "USUBJID,RFSTDTC\nN-1,2021-01-04\n");
    let confirmed = |trgresp: &str| {
        let (_rs_dir, rs) = rs(trgresp);
        let out = recist(&[
            "bor",
            "--responses",
            &rs.display().to_string(),
            "--dm",
            &dm.display().to_string(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        line["confirmed_best_overall_response"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(confirmed("NA"), "NON-CR/NON-PD");
    assert_eq!(confirmed("CR"), "SD");
}

/// R11-OR-T2 / R11-SD-MIN through `recist bor`: SDTM RS rows with TRGRESP `NA` (no target
/// lesion) and OVRLRESP `SD` (which Table 2 does not have) gave SD as the best overall
/// response but NON-CR/NON-PD as the confirmed one. Both are now NON-CR/NON-PD, with the
/// recoding among the reasons; before the SD minimum (day 28 alone) both are NE.
#[test]
fn r11_or_t2_bor_reads_recorded_sd_without_targets_as_non_cr_non_pd_in_both_responses() {
    let rs = |name: &str, rows: &[(&str, &str, &str, u32, &str)]| {
        let mut text = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC\n".to_string();
        for (seq, (test, value, visit, num, date)) in rows.iter().enumerate() {
            text.push_str(&format!(
                "S,RS,N-2,{},{test},x,RECIST 1.1,{value},{value},INVESTIGATOR,,{visit},{num},{date}\n",
                seq + 1
            ));
        }
        temp_file(name, &text)
    };
    let (_dm_dir, dm) = temp_file("dm-n2.csv", "USUBJID,RFSTDTC\nN-2,2021-01-04\n");
    let bor = |path: &std::path::Path| {
        let out = recist(&[
            "bor",
            "--responses",
            &path.display().to_string(),
            "--dm",
            &dm.display().to_string(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            line["best_overall_response"].as_str().unwrap().to_string(),
            line["confirmed_best_overall_response"]
                .as_str()
                .unwrap()
                .to_string(),
            line["best_response_reasons"].to_string(),
        )
    };
    let (_sd_dir, sd) = rs(
        "rs-na-sd.csv",
        &[
            ("TRGRESP", "NA", "WEEK 6", 2, "2021-02-15"),
            ("NTRGRESP", "NON-CR/NON-PD", "WEEK 6", 2, "2021-02-15"),
            ("OVRLRESP", "SD", "WEEK 6", 2, "2021-02-15"),
            ("TRGRESP", "NA", "WEEK 12", 3, "2021-03-29"),
            ("OVRLRESP", "SD", "WEEK 12", 3, "2021-03-29"),
        ],
    );
    let (unconfirmed, confirmed, reasons) = bor(&sd);
    assert_eq!(unconfirmed, "NON-CR/NON-PD", "{reasons}");
    assert_eq!(confirmed, "NON-CR/NON-PD", "{reasons}");
    assert!(reasons.contains("R11-OR-T2"), "{reasons}");
    let (_early_dir, early) = rs(
        "rs-na-sd-early.csv",
        &[
            ("TRGRESP", "NA", "WEEK 4", 2, "2021-02-01"),
            ("OVRLRESP", "SD", "WEEK 4", 2, "2021-02-01"),
        ],
    );
    let (unconfirmed, confirmed, reasons) = bor(&early);
    assert_eq!(
        (unconfirmed.as_str(), confirmed.as_str()),
        ("NE", "NE"),
        "{reasons}"
    );
}

/// `summary.json` records the exact command (`docs/batch.md`): an argument that is not UTF-8
/// (a path on Linux may hold any byte) is written with its bytes escaped, as a shell reads
/// them back, and neither panics nor becomes another argument's text.
#[test]
fn batch_records_a_command_whose_argument_is_not_utf8() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let tmp = temp_dir("nonutf8");
    let dir = tmp.path();
    let cases = dir.join(OsString::from_vec(b"cases-\xff'x".to_vec()));
    std::fs::create_dir_all(&cases).unwrap();
    std::fs::copy(
        root().join("fixtures/recist-1.1/R11-TGT-PR.yaml"),
        cases.join("a.yaml"),
    )
    .unwrap();
    let out = dir.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_recist"))
        .arg("batch")
        .arg("--cases")
        .arg(&cases)
        .arg("--out")
        .arg(&out)
        .args(["--progress", "off"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let command = summary["command"].as_str().unwrap();
    let want = format!("--cases $'{}/cases-\\xff\\'x' --out", dir.display());
    assert!(command.contains(&want), "{command}");
}

/// AMB-08 / AMB-01 in `bor`: a PR recorded after a CR is recoded to PD because it may be disease
/// seen again; but where SDTM RS records that date's components as target CR and non-target
/// NE, the PR is RECIST 1.1 Table 1's "CR, not evaluated, no new lesion" row: nothing was seen
/// again, and `assess` gives PR there, not PD. It is kept (the engine's own RS output read back
/// by `bor` gave a progression `assess` did not). A plain CSV, without components, still recodes.
#[test]
fn amb_08_bor_keeps_a_pr_that_rs_records_as_target_cr_non_target_ne() {
    let head = "STUDYID,DOMAIN,USUBJID,RSSEQ,RSTESTCD,RSTEST,RSCAT,RSORRES,RSSTRESC,RSEVAL,RSEVALID,VISIT,VISITNUM,RSDTC\n";
    let mut rs = head.to_string();
    let rows = [
        ("TRGRESP", "CR", "2024-02-26"),
        ("NTRGRESP", "CR", "2024-02-26"),
        ("NEWLIND", "N", "2024-02-26"),
        ("OVRLRESP", "CR", "2024-02-26"),
        ("TRGRESP", "CR", "2024-04-08"),
        ("NTRGRESP", "NE", "2024-04-08"),
        ("NEWLIND", "N", "2024-04-08"),
        ("OVRLRESP", "PR", "2024-04-08"),
        ("TRGRESP", "CR", "2024-05-20"),
        ("NTRGRESP", "CR", "2024-05-20"),
        ("NEWLIND", "N", "2024-05-20"),
        ("OVRLRESP", "CR", "2024-05-20"),
    ];
    for (seq, (test, value, date)) in rows.iter().enumerate() {
        rs.push_str(&format!(
            "S,RS,C-1,{},{test},x,RECIST 1.1,{value},{value},INVESTIGATOR,,,,{date}\n",
            seq + 1
        ));
    }
    let (_rs_dir, rs) = temp_file("rs-cr-ntne.csv", &rs);
    let (_dm_dir, dm) = temp_file("dm-c1.csv", "USUBJID,RFSTDTC\nC-1,2024-01-01\n");
    let out = recist(&[
        "bor",
        "--responses",
        &rs.display().to_string(),
        "--dm",
        &dm.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["best_overall_response"], "CR");
    assert_eq!(line["confirmed_best_overall_response"], "PR", "{line}");
    assert_eq!(line["response_dates"]["confirmation"], "2024-04-08");
    assert_eq!(line["warnings"], serde_json::json!([]), "{line}");
    // The same overall responses without components: recoded, as documented.
    let (_csv_dir, csv) = temp_file(
        "plain-cr-pr.csv",
        "subject,date,response,reference_date\nC-1,2024-02-26,CR,2024-01-01\nC-1,2024-04-08,PR,2024-01-01\nC-1,2024-05-20,CR,2024-01-01\n",
    );
    let out = recist(&["bor", "--responses", &csv.display().to_string()]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["confirmed_best_overall_response"], "SD", "{line}");
    // A new lesion recorded that date (NEWLIND `Y`) is disease: the PR is recoded.
    let text = std::fs::read_to_string(&rs).unwrap().replace(
        "NEWLIND,x,RECIST 1.1,N,N,INVESTIGATOR,,,,2024-04-08",
        "NEWLIND,x,RECIST 1.1,Y,Y,INVESTIGATOR,,,,2024-04-08",
    );
    assert!(text.contains("NEWLIND,x,RECIST 1.1,Y,Y"), "{text}");
    let (_rs_dir, rs) = temp_file("rs-cr-ntne-new.csv", &text);
    let out = recist(&[
        "bor",
        "--responses",
        &rs.display().to_string(),
        "--dm",
        &dm.display().to_string(),
    ]);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["confirmed_best_overall_response"], "SD", "{line}");
}

/// A lesion kind read from the site's words (no `kind` in the case) is shown among each
/// result's warnings, by `assess` and `explain` alike.
#[test]
fn a_kind_read_from_the_site_is_a_warning_of_each_result() {
    let (_case_dir, case) = temp_file(
        "kind-from-site.yaml",
        "\
subject: S-KIND
lesions:
  - {id: T1, site: lung, role: target}
  - {id: NT1, site: right pleural effusion, role: non-target}
assessments:
  - date: 2019-03-01
    findings: {T1: {long_axis: 40}, NT1: present}
  - date: 2019-05-02
    findings: {T1: {long_axis: 38}, NT1: present}
",
    );
    let note = "lesion `NT1`: kind `effusion` read from its site `right pleural effusion` (the case gives no `kind`)";
    let path = case.to_str().unwrap();
    let out = recist(&[
        "assess",
        path,
        "--rules",
        "recist-1.1",
        "--rules",
        "mrecist",
        "--format",
        "jsonl",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines = json_lines(&text(&out.stdout));
    assert_eq!(lines.len(), 2);
    for r in &lines {
        assert!(
            r["warnings"].as_array().unwrap().iter().any(|w| w == note),
            "{r}"
        );
    }
    let explained = recist(&["explain", path]);
    assert!(
        text(&explained.stdout).contains(note),
        "{}",
        text(&explained.stdout)
    );
}
