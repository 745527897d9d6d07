//! Generated studies through the whole pipeline: bad rows mixed in (counts reconcile),
//! byte-identical outputs whatever the thread count, unsorted input, comparisons, atomic
//! outputs, case files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::*;
use recist_batch::Input;
use recist_sdtm::generate::{GenerateOptions, generate};

fn study(name: &str, subjects: u64, discordance: f64) -> TestDir {
    let dir = tmp(name);
    let opts = GenerateOptions {
        subjects,
        seed: 42,
        discordance,
        ..GenerateOptions::default()
    };
    generate(&opts, &recist(), &dir).unwrap();
    dir
}

fn lines(path: &Path) -> Vec<String> {
    read(path).lines().map(str::to_string).collect()
}

#[test]
fn bad_rows_mixed_in_are_refused_and_the_counts_reconcile() {
    let dir = study("bad-rows", 300, 0.0);
    let tr = dir.join("TR.csv");
    let mut rows = lines(&tr);
    let header_fields = rows[0].split(',').count();
    let n = rows.len();
    // A row with a field too many, in the middle of a subject.
    let mut extra = rows[40].clone();
    extra.push_str(",EXTRA");
    rows.insert(41, extra);
    // A row with no subject.
    let mut no_subject: Vec<&str> = rows[100].split(',').collect();
    no_subject[2] = "";
    rows.insert(101, no_subject.join(","));
    // An unknown test code and an exact duplicate.
    rows.insert(
        201,
        rows[200]
            .replace(",LDIAM,", ",VOLUME,")
            .replace(",LPERP,", ",VOLUME,")
            .replace(",TUMSTATE,", ",VOLUME,")
            .replace(",SUMDIAM,", ",VOLUME,"),
    );
    rows.insert(301, rows[300].clone());
    assert_eq!(rows[0].split(',').count(), header_fields);
    std::fs::write(&tr, rows.join("\n") + "\n").unwrap();

    let out = dir.join("out");
    let report = run(&sdtm_config(
        &dir.join("TU.csv"),
        &tr,
        Some(&dir.join("DM.csv")),
        &out,
    ));
    assert_eq!(report.exit_code(), 1);
    let s = summary(&out);
    assert_reconciles(&s);
    assert_eq!(
        s["rows"]["TR"]["read"].as_u64().unwrap(),
        (n - 1 + 4) as u64
    );
    assert_eq!(s["rows"]["TR"]["refused"], 4, "{}", s["rows"]);
    assert_eq!(s["rows"]["unattributed_refused"], 1);
    assert_eq!(s["subjects"]["seen"], 300);
    let e = errors(&out);
    let codes: Vec<&str> = e.iter().map(|e| e["code"].as_str().unwrap()).collect();
    for code in [
        "malformed-row",
        "no-subject",
        "unknown-test",
        "duplicate-row",
        "unreadable-row-in-subject",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    for err in &e {
        assert!(err["file"].as_str().unwrap().ends_with(".csv"), "{err}");
        assert!(err["row"].as_u64().is_some(), "{err}");
    }
    let malformed = e.iter().find(|e| e["code"] == "malformed-row").unwrap();
    assert_eq!(malformed["row"], 42);
}

/// A stray quote opening a TRTEST value, with a quoted TRTEST a hundred rows on: read as
/// plain CSV, the hundred rows between would be one row of the header's length (their
/// subjects lost from every count); the stray line alone is refused.
#[test]
fn a_stray_quote_costs_one_row_not_the_rows_up_to_the_next_quote() {
    let dir = study("stray-quote", 300, 0.0);
    let tr = dir.join("TR.csv");
    let mut rows = lines(&tr);
    let n = rows.len();
    let quote = |row: &str, value: &str| {
        let mut f: Vec<String> = row.split(',').map(str::to_string).collect();
        f[7] = value.replace("{}", &f[7]);
        f.join(",")
    };
    rows[100] = quote(&rows[100], "\"{}");
    rows[200] = quote(&rows[200], "\"{}\"");
    std::fs::write(&tr, rows.join("\n") + "\n").unwrap();
    let stray_subject = rows[100].split(',').nth(2).unwrap().to_string();

    let out = dir.join("out");
    let cfg = sdtm_config(&dir.join("TU.csv"), &tr, Some(&dir.join("DM.csv")), &out);
    let report = run(&cfg);
    assert_eq!(report.exit_code(), 1);
    let s = summary(&out);
    assert_reconciles(&s);
    assert_eq!(s["rows"]["TR"]["read"].as_u64().unwrap(), (n - 1) as u64);
    assert_eq!(s["rows"]["TR"]["refused"], 1, "{}", s["rows"]);
    assert_eq!(s["subjects"]["seen"], 300);
    let e = errors(&out);
    let malformed: Vec<_> = e.iter().filter(|e| e["code"] == "malformed-row").collect();
    assert_eq!(malformed.len(), 1, "{malformed:?}");
    assert_eq!(malformed[0]["row"], 101);
    assert_eq!(malformed[0]["subject"], stray_subject.as_str());
    let reason = malformed[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("lines 101-201 would be one row;"),
        "{reason}"
    );
    // Only the stray row's subject is refused for it.
    let refused: std::collections::BTreeSet<&str> = e
        .iter()
        .filter(|e| e["code"] == "unreadable-row-in-subject")
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        refused.into_iter().collect::<Vec<_>>(),
        [stray_subject.as_str()]
    );

    // Read as plain CSV (--multiline-values), the hundred rows are one row.
    let lenient_out = dir.join("out-multiline");
    let mut cfg = sdtm_config(
        &dir.join("TU.csv"),
        &tr,
        Some(&dir.join("DM.csv")),
        &lenient_out,
    );
    cfg.multiline_values = true;
    run(&cfg);
    let s = summary(&lenient_out);
    assert_reconciles(&s);
    assert_eq!(
        s["rows"]["TR"]["read"].as_u64().unwrap(),
        (n - 1 - 100) as u64
    );
    assert_eq!(s["options"]["multiline_values"], true);
}

#[test]
fn outputs_are_byte_identical_whatever_the_thread_count() {
    let dir = study("threads", 1500, 0.05);
    // Values on one side only: some recorded rows left out, a visit the engine does not
    // have, a subject with no TU or TR data.
    let mut rs = lines(&dir.join("RS.csv"));
    let header = rs.remove(0);
    let mut edited = vec![header];
    for (i, row) in rs.iter().enumerate() {
        if i % 97 != 5 {
            edited.push(row.clone());
        }
        if i % 211 == 7 && row.contains(",OVRLRESP,") {
            let f: Vec<&str> = row.split(',').collect();
            let mut g = f.clone();
            (g[11], g[12]) = ("WEEK 999", "999");
            edited.push(g.join(","));
        }
    }
    let ghost = edited[1].replace("RECIST-SYN-0001", "ZZZ-GHOST");
    edited.push(ghost);
    let recorded = dir.join("RS-edited.csv");
    std::fs::write(&recorded, edited.join("\n") + "\n").unwrap();
    let mut outs = Vec::new();
    for threads in [1, 2, 3] {
        let out = dir.join(format!("out{threads}"));
        let mut cfg = study_config(&dir, &out);
        cfg.threads = Some(threads);
        cfg.chunk_subjects = 37;
        cfg.recorded = Some(recorded.clone());
        run(&cfg);
        outs.push(out);
    }
    assert!(lines(&outs[0].join("unmatched.jsonl")).len() > 20);
    for file in [
        "results.jsonl",
        "rs.csv",
        "errors.jsonl",
        "discordant.jsonl",
        "unmatched.jsonl",
        "comparison.json",
        "summary.json",
    ] {
        let first = std::fs::read(outs[0].join(file)).unwrap();
        for o in &outs[1..] {
            assert!(
                first == std::fs::read(o.join(file)).unwrap(),
                "{file} differs in {}",
                o.display()
            );
        }
    }
}

#[test]
fn the_reader_rebuilds_the_generated_subjects_exactly() {
    // With no discordance, RS recorded by the generator (from its own model of each subject)
    // is what the engine answers from TU/TR as read back.
    let dir = study("roundtrip", 800, 0.0);
    let out = dir.join("out");
    let mut cfg = study_config(&dir, &out);
    cfg.recorded = Some(dir.join("RS.csv"));
    assert_eq!(run(&cfg).exit_code(), 0);
    assert_eq!(read(&out.join("rs.csv")), read(&dir.join("RS.csv")));
    assert_eq!(read(&out.join("discordant.jsonl")), "");
}

#[test]
fn unsorted_input_is_read_in_memory_with_the_same_answers() {
    let dir = study("unsorted", 200, 0.0);
    let sorted_out = dir.join("sorted");
    run(&sdtm_config(
        &dir.join("TU.csv"),
        &dir.join("TR.csv"),
        None,
        &sorted_out,
    ));

    // Reverse TR's data rows: every subject's rows stay together, in reverse subject order.
    let tr = dir.join("TR.csv");
    let mut rows = lines(&tr);
    let header = rows.remove(0);
    rows.reverse();
    let shuffled = dir.join("TR-reversed.csv");
    std::fs::write(&shuffled, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let out = dir.join("reversed");
    run(&sdtm_config(&dir.join("TU.csv"), &shuffled, None, &out));
    let s = summary(&out);
    assert!(
        s["mode"].as_str().unwrap().starts_with("in memory"),
        "{}",
        s["mode"]
    );
    assert_reconciles(&s);
    // The outputs started over: each holds exactly what the summary counts, nothing of the
    // sorted pass before it.
    for (name, counts) in s["outputs"].as_object().unwrap() {
        let len = std::fs::metadata(out.join(name)).unwrap().len();
        assert_eq!(Some(len), counts["bytes"].as_u64(), "{name}");
    }
    // Same responses; visits within a subject are in date order either way.
    let key = |l: &String| {
        let f: Vec<&str> = l.split(',').collect();
        format!("{}|{}|{}|{}|{}", f[2], f[9], f[10], f[13], f[4])
    };
    let mut a: Vec<String> = lines(&sorted_out.join("rs.csv"))
        .iter()
        .skip(1)
        .map(|l| format!("{}={}", key(l), l.split(',').nth(7).unwrap()))
        .collect();
    let mut b: Vec<String> = lines(&out.join("rs.csv"))
        .iter()
        .skip(1)
        .map(|l| format!("{}={}", key(l), l.split(',').nth(7).unwrap()))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);

    // Beyond the in-memory limit, the run stops and says how to sort.
    let mut cfg = sdtm_config(&dir.join("TU.csv"), &shuffled, None, &dir.join("limited"));
    cfg.max_unsorted_rows = 100;
    let err = recist_batch::run_batch(&cfg).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("sort"), "{text}");
    // It names where the input was found unsorted (file and row) and the file being read.
    assert!(
        text.contains("TR-reversed.csv:23: USUBJID `RECIST-SYN-0199`"),
        "{text}"
    );
    assert!(text.contains("comes after"), "{text}");
    assert!(text.contains("passed in "), "{text}");
    assert!(!dir.join("limited").join("summary.json").exists());
}

#[test]
fn recorded_rs_is_compared_per_test_with_the_rules_behind_each_discordance() {
    let dir = study("compare", 400, 0.05);
    let out = dir.join("out");
    let mut cfg = study_config(&dir, &out);
    cfg.recorded = Some(dir.join("RS.csv"));
    run(&cfg);
    let c: serde_json::Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    let o = &c["comparisons"][0]["tests"]["OVRLRESP"];
    assert!(o["compared"].as_u64().unwrap() > 1000);
    assert!(o["agreed"].as_u64().unwrap() < o["compared"].as_u64().unwrap());
    assert_eq!(o["reference_only"], 0);
    let discordant = lines(&out.join("discordant.jsonl"));
    assert!(!discordant.is_empty());
    let d: serde_json::Value = serde_json::from_str(&discordant[0]).unwrap();
    assert!(
        d["candidate_explanation"]["reasons"].as_array().is_some() || d["test"] == "BESTRESP",
        "{d}"
    );
    assert!(d["reference_source"]["row"].as_u64().is_some());
    assert!(read(&out.join("comparison.md")).contains("confusion matrix"));
}

#[test]
fn two_protocol_settings_are_compared_over_the_same_data() {
    let dir = study("amendment", 400, 0.0);
    let out = dir.join("out");
    let mut cfg = study_config(&dir, &out);
    let amended = recist()
        .with_overrides(None, &[("best_response.sd_min_days".into(), "84".into())])
        .unwrap();
    cfg.against = vec![amended];
    run(&cfg);
    let c: serde_json::Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    let cmp = &c["comparisons"][0];
    assert!(
        cmp["candidate"]
            .as_str()
            .unwrap()
            .contains("sd_min_days=84"),
        "{cmp}"
    );
    let best = &cmp["tests"]["BESTRESP"];
    assert!(
        best["agreed"].as_u64().unwrap() < best["compared"].as_u64().unwrap(),
        "{best}"
    );
    assert_eq!(
        cmp["tests"]["OVRLRESP"]["agreed"],
        cmp["tests"]["OVRLRESP"]["compared"]
    );
    let d: serde_json::Value =
        serde_json::from_str(&lines(&out.join("discordant.jsonl"))[0]).unwrap();
    assert_eq!(d["test"], "BESTRESP");
    assert_eq!(d["candidate_explanation"]["sd_min_days"], 84);
    // rs.csv holds only the rule sets given with --rules.
    assert!(!read(&out.join("rs.csv")).is_empty());
    let s = summary(&out);
    assert_eq!(s["rule_sets"].as_array().unwrap().len(), 2);
    assert_reconciles(&s);
}

#[test]
fn a_comparison_across_vocabularies_says_that_agreement_counts_identical_words() {
    // RECIST 1.1 against iRECIST: PR and iPR are different words, so agreement is low by
    // construction; both reports say so. Between two RECIST 1.1 settings there is no note.
    let dir = study("vocabularies", 200, 0.0);
    let note = |against: recist_rules::RuleSet, name: &str| {
        let out = dir.join(name);
        let mut cfg = study_config(&dir, &out);
        cfg.against = vec![against];
        run(&cfg);
        let c: serde_json::Value =
            serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
        let md = read(&out.join("comparison.md"));
        (
            c["comparisons"][0]["note"].as_str().map(str::to_string),
            md.contains("different vocabularies"),
        )
    };
    let (json_note, md_note) = note(recist_rules::RuleSet::bundled("irecist").unwrap(), "ir");
    assert!(json_note.unwrap().contains("PR and iPR disagree"));
    assert!(md_note);
    let amended = recist()
        .with_overrides(None, &[("best_response.sd_min_days".into(), "84".into())])
        .unwrap();
    assert_eq!(note(amended, "r11"), (None, false));
    // iRECIST against an iRECIST amendment: both answer in iRECIST's words (their TRGRESP in
    // RECIST 1.1's, as under every reading), so no note.
    let out = dir.join("ir-ir");
    let mut cfg = study_config(&dir, &out);
    let irecist = recist_rules::RuleSet::bundled("irecist").unwrap();
    cfg.against = vec![
        irecist
            .with_overrides(
                None,
                &[("irecist.late_scan_confirms".into(), "false".into())],
            )
            .unwrap(),
    ];
    cfg.rule_sets = vec![irecist];
    run(&cfg);
    let c: serde_json::Value = serde_json::from_str(&read(&out.join("comparison.json"))).unwrap();
    assert!(
        c["comparisons"][0]["note"].is_null(),
        "{}",
        c["comparisons"][0]
    );
    assert!(!read(&out.join("comparison.md")).contains("different vocabularies"));
}

#[test]
fn outputs_are_renamed_into_place_and_no_temporary_file_remains() {
    let dir = study("atomic", 50, 0.0);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("summary.json"), "stale").unwrap();
    run(&sdtm_config(
        &dir.join("TU.csv"),
        &dir.join("TR.csv"),
        None,
        &out,
    ));
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
    assert!(read(&out.join("summary.json")).starts_with('{'));

    // A run that fails (a missing column) removes the stale summary and leaves no partial file.
    let bad = dir.join("bad-TR.csv");
    std::fs::write(&bad, "USUBJID,TRLNKID\nA,T01\n").unwrap();
    let err =
        recist_batch::run_batch(&sdtm_config(&dir.join("TU.csv"), &bad, None, &out)).unwrap_err();
    assert!(err.to_string().contains("no TRTESTCD column"), "{err}");
    assert!(!out.join("summary.json").exists());
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
}

#[test]
fn case_files_are_adjudicated_the_same_way() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recist-1.1");
    let out = tmp("cases");
    let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
    cfg.input = Input::Cases(cases.clone());
    cfg.studyid = "CONF".into();
    run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    let files = std::fs::read_dir(&cases).unwrap().count() as u64;
    assert!(
        s["subject_evaluators"]["seen"].as_u64().unwrap() >= files,
        "{}",
        s["subject_evaluators"]
    );
    assert!(read(&out.join("rs.csv")).contains("CONF,RS,"));
}

/// A case: `subject`, `evaluator` (or none), target 40 mm then `follow_up` mm.
fn case_doc(subject: &str, evaluator: Option<&str>, follow_up: u32) -> String {
    let eval = evaluator.map_or(String::new(), |e| format!("evaluator: {e}\n"));
    format!(
        "subject: {subject}\n{eval}lesions:\n  - {{id: T1, site: liver, role: target}}\n\
         assessments:\n  - date: 2020-01-01\n    findings: {{T1: {{long_axis: 40}}}}\n\
         \x20 - date: 2020-02-15\n    findings: {{T1: {{long_axis: {follow_up}}}}}\n\
         \x20 - date: 2020-04-01\n    findings: {{T1: {{long_axis: {follow_up}}}}}\n"
    )
}

/// `cdisc.md`/`docs/batch.md`: RSSEQ runs per USUBJID, so it is unique within a subject. With
/// case files a subject's evaluators are separate cases — in one file, in several, far apart
/// (other pieces, other threads) — and still share one run of RSSEQ, the same whatever the
/// thread count.
#[test]
fn rs_rsseq_runs_per_usubjid_across_the_cases_of_a_subject() {
    let dir = tmp("rsseq-cases");
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    let mut a = vec![case_doc("S1", Some("investigator"), 20)];
    for i in 0..70 {
        a.push(case_doc(&format!("F{i:03}"), None, 30));
    }
    a.push(case_doc("S1", Some("independent/reader 1"), 50));
    std::fs::write(cases.join("a.yaml"), a.join("---\n")).unwrap();
    std::fs::write(
        cases.join("b.yaml"),
        case_doc("S1", Some("independent/reader 2"), 35),
    )
    .unwrap();
    let mut outputs = Vec::new();
    for threads in [1, 3] {
        let out = dir.join(format!("out-{threads}"));
        let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
        cfg.input = Input::Cases(cases.clone());
        cfg.studyid = "CONF".into();
        cfg.threads = Some(threads);
        run(&cfg);
        assert_reconciles(&summary(&out));
        let rs = read(&out.join("rs.csv"));
        let mut seqs: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
        for line in rs.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            seqs.entry(f[2]).or_default().push(f[3].parse().unwrap());
        }
        assert_eq!(seqs.len(), 71);
        for (subject, seq) in &seqs {
            let want: Vec<u32> = (1..=seq.len() as u32).collect();
            assert_eq!(seq, &want, "RSSEQ of {subject}");
        }
        // Three evaluators, each two follow-ups of TRGRESP, NEWLIND, OVRLRESP and a BESTRESP.
        assert_eq!(seqs["S1"].len(), 3 * 7);
        outputs.push(rs);
    }
    assert_eq!(outputs[0], outputs[1]);
}

/// errors.jsonl names the evaluator of every refused subject × evaluator: a case with no
/// `evaluator` is the default evaluator's (`docs/batch.md`), as its rs.csv rows and the
/// same refusal read from SDTM say, not `null`.
#[test]
fn an_engine_refusal_of_a_case_names_its_default_evaluator() {
    let dir = tmp("case-eval");
    let cases = dir.join("cases");
    std::fs::create_dir_all(&cases).unwrap();
    let bone =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recist-1.1/R11-BONE.yaml");
    std::fs::copy(&bone, cases.join("bone.yaml")).unwrap();
    std::fs::write(
        cases.join("named.yaml"),
        read(&bone).replace(
            "subject: R11-BONE",
            "subject: R11-BONE-2\nevaluator: independent/reader 1",
        ),
    )
    .unwrap();
    let out = dir.join("out");
    let mut cfg = sdtm_config(Path::new("-"), Path::new("-"), None, &out);
    cfg.input = Input::Cases(cases);
    run(&cfg);
    let errors = errors(&out);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["code"], "engine");
    assert_eq!(errors[0]["evaluator"], "INVESTIGATOR", "{}", errors[0]);
    assert_eq!(
        errors[1]["evaluator"], "independent/reader 1",
        "{}",
        errors[1]
    );
}

/// The outputs agree with each other (`docs/batch.md`, "The counts reconcile"): on a study
/// with bad rows mixed in and two rule sets, each rule set's tallies in summary.json are its
/// rs.csv rows (by RSCAT) and its `all`-scope results in results.jsonl (NEWLIND as Y/N/U;
/// BESTRESP confirmed or not as the rule set says); rs.csv has one BESTRESP per subject,
/// evaluator and RSCAT, for exactly the subject × evaluators with results, RSSEQ 1..n per
/// USUBJID; summary.json's line counts are the files'.
#[test]
fn summary_tallies_are_the_rs_rows_and_the_results() {
    use std::collections::{BTreeMap, BTreeSet};
    type Tallies = BTreeMap<String, BTreeMap<String, u64>>;
    let dir = study("tallies", 300, 0.0);
    let tr = dir.join("TR.csv");
    let mut rows = lines(&tr);
    rows.insert(301, rows[300].clone());
    let mut extra = rows[40].clone();
    extra.push_str(",EXTRA");
    rows.insert(41, extra);
    std::fs::write(&tr, rows.join("\n") + "\n").unwrap();
    let out = dir.join("out");
    let mut cfg = study_config(&dir, &out);
    cfg.rule_sets
        .push(recist_rules::RuleSet::bundled("mrecist").unwrap());
    run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    assert!(s["subject_evaluators"]["refused"].as_u64().unwrap() > 0);

    let rs = lines(&out.join("rs.csv"));
    let mut from_rs: BTreeMap<String, Tallies> = BTreeMap::new();
    let mut best_units: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    let mut seq: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for row in &rs[1..] {
        let f: Vec<&str> = row.split(',').collect();
        assert_eq!(f.len(), 14, "{row}");
        let (subject, test, cat, value) = (f[2], f[4], f[6], f[8]);
        assert_eq!(f[7], value, "{row}");
        seq.entry(subject.into())
            .or_default()
            .push(f[3].parse().unwrap());
        *from_rs
            .entry(cat.into())
            .or_default()
            .entry(test.into())
            .or_default()
            .entry(value.into())
            .or_default() += 1;
        if test == "BESTRESP" {
            let eval = match f[10] {
                "" => f[9].to_string(),
                id => format!("{}/{id}", f[9]),
            };
            *best_units
                .entry((subject.into(), eval, cat.into()))
                .or_default() += 1;
        }
    }
    for (subject, seq) in &seq {
        assert!(
            seq.iter().copied().eq(1..=seq.len() as u64),
            "RSSEQ of {subject}"
        );
    }
    assert!(best_units.values().all(|&n| n == 1), "{best_units:?}");

    let results = lines(&out.join("results.jsonl"));
    let mut from_results: BTreeMap<String, Tallies> = BTreeMap::new();
    let mut units: BTreeSet<(String, String, String)> = BTreeSet::new();
    let sets = s["rule_sets"].as_array().unwrap();
    for line in &results {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        if r["scope"] != "all" {
            continue;
        }
        let set = sets
            .iter()
            .find(|x| x["sha256"] == r["rule_set"]["sha256"])
            .unwrap();
        let cat = set["rscat"].as_str().unwrap().to_string();
        units.insert((
            r["subject"].as_str().unwrap().into(),
            r["evaluator"].as_str().unwrap().into(),
            cat.clone(),
        ));
        let t = from_results.entry(cat).or_default();
        let mut add = |test: &str, v: &serde_json::Value| {
            if let Some(v) = v.as_str() {
                let v = match (test, v) {
                    ("NEWLIND", "NO") => "N",
                    ("NEWLIND", "YES") => "Y",
                    ("NEWLIND", "EQUIVOCAL") => "U",
                    _ => v,
                };
                *t.entry(test.into())
                    .or_default()
                    .entry(v.into())
                    .or_default() += 1;
            }
        };
        for tp in r["timepoints"].as_array().unwrap() {
            if tp["baseline"] == true {
                continue;
            }
            add("TRGRESP", &tp["target"]);
            add("NTRGRESP", &tp["non_target"]);
            add("NEWLIND", &tp["new_lesions"]);
            add("OVRLRESP", &tp["overall"]);
        }
        let best = if set["confirmation"]["required"] == true {
            &r["confirmed_best_overall_response"]
        } else {
            &r["best_overall_response"]
        };
        add("BESTRESP", best);
    }
    for set in sets {
        let cat = set["rscat"].as_str().unwrap();
        let summary_tallies: Tallies = serde_json::from_value(set["responses"].clone()).unwrap();
        assert_eq!(from_rs.get(cat), Some(&summary_tallies), "rs.csv, {cat}");
        assert_eq!(
            from_results.get(cat),
            Some(&summary_tallies),
            "results, {cat}"
        );
        let bests = best_units.keys().filter(|k| k.2 == cat).count() as u64;
        assert_eq!(
            bests,
            set["subject_evaluators"]["adjudicated"].as_u64().unwrap()
        );
    }
    assert!(
        units.iter().eq(best_units.keys()),
        "BESTRESP rows are the units with results"
    );
    let outputs = &s["outputs"];
    assert_eq!(outputs["rs.csv"]["rows"], rs.len() as u64 - 1);
    assert_eq!(outputs["results.jsonl"]["lines"], results.len() as u64);
    assert_eq!(outputs["errors.jsonl"]["lines"], errors(&out).len() as u64);
}
