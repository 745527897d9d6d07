//! mRECIST from SDTM (`fixtures/sdtm-mrecist`, rows written here): the mapping's `viable`,
//! `pattern` and `enhancement` tests give a target's viable diameter (MR-MEAS), a lesion's
//! typical HCC pattern (MR-TGT-ELIG, MR-NEW-TYPICAL) and a non-target's enhancement
//! (MR-NT-CR); what cannot be read refuses the subject × evaluator, naming the row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::*;
use recist_rules::RuleSet;
use serde_json::Value;

fn mr_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sdtm-mrecist")
}

/// What a run wrote.
struct Out {
    rs: String,
    errors: Vec<Value>,
    results: Vec<Value>,
}

impl Out {
    /// `(VISIT, value)` of each rs.csv row of a subject and test, in file order.
    fn rs(&self, subject: &str, test: &str) -> Vec<(String, String)> {
        rs_values(&self.rs, subject, test)
    }

    fn result(&self, subject: &str) -> &Value {
        self.results
            .iter()
            .find(|r| r["subject"] == subject && r["scope"] == "all")
            .unwrap_or_else(|| panic!("no result for {subject}: {:#?}", self.results))
    }

    fn warnings(&self, subject: &str) -> String {
        self.result(subject)["warnings"].to_string()
    }

    /// The one subject-level error; its problems' reasons joined.
    fn refusal(&self) -> &Value {
        let found: Vec<&Value> = self
            .errors
            .iter()
            .filter(|e| e["level"] == "subject")
            .collect();
        assert_eq!(found.len(), 1, "{:#?}", self.errors);
        found[0]
    }
}

/// Runs `recist batch --rules RULES --mapping fixtures/sdtm-mrecist/mapping.yaml` over TU, TR
/// (and DM) files and reads what it wrote; the counts must reconcile.
fn run_files(name: &str, tu: &Path, tr: &Path, dm: Option<&Path>, rules: &str) -> Out {
    let dir = tmp(name);
    let out = dir.join("out");
    let mut cfg = sdtm_config(tu, tr, dm, &out);
    cfg.rule_sets = vec![RuleSet::bundled(rules).unwrap()];
    let mapping = mr_fixtures().join("mapping.yaml");
    cfg.mapping
        .extend_text(&read(&mapping), &mapping.display().to_string())
        .unwrap();
    run(&cfg);
    assert_reconciles(&summary(&out));
    Out {
        rs: read(&out.join("rs.csv")),
        errors: errors(&out),
        results: read(&out.join("results.jsonl"))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    }
}

/// [`run_files`] under mRECIST over rows written here (headers added).
fn run_rows(name: &str, tu: &[&str], tr: &[&str]) -> Out {
    let dir = tmp(&format!("{name}-in"));
    let write = |file: &str, header: &str, rows: &[&str]| write_csv(&dir, file, header, rows);
    let (tu, tr) = (
        write("TU.csv", TU_HEADER, tu),
        write("TR.csv", TR_HEADER, tr),
    );
    run_files(name, &tu, &tr, None, "mrecist")
}

fn run_fixture(name: &str, rules: &str) -> Out {
    let f = mr_fixtures();
    run_files(
        name,
        &f.join("TU.csv"),
        &f.join("TR.csv"),
        Some(&f.join("DM.csv")),
        rules,
    )
}

#[test]
fn mr_meas_mr_tgt_elig_mr_new_typical_fixture_gives_the_rs_computed_by_hand() {
    let out = run_fixture("fixture", "mrecist");
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs, read(&mr_fixtures().join("expected-rs.csv")));
    // MR-001: the liver target stays a target (typical at baseline, MR-TGT-ELIG) and counts
    // its viable diameter (MR-MEAS): 40 -> 18 mm is -55 % (PR), 0 mm is CR; the non-target
    // stops enhancing at week 12 (MR-NT-CR), so CR overall.
    assert_eq!(
        out.rs("MR-001", "TRGRESP"),
        pairs(&[("WEEK 6", "PR"), ("WEEK 12", "CR")])
    );
    assert_eq!(
        out.rs("MR-001", "NTRGRESP"),
        pairs(&[("WEEK 6", "NON-CR/NON-PD"), ("WEEK 12", "CR")])
    );
    assert_eq!(
        out.rs("MR-001", "OVRLRESP"),
        pairs(&[("WEEK 6", "PR"), ("WEEK 12", "CR")])
    );
    let r = out.result("MR-001");
    assert_eq!(r["timepoints"][1]["sum_mm"], 18.0, "{r}");
    assert_eq!(r["timepoints"][2]["sum_mm"], 0.0, "{r}");
    assert!(
        r["timepoints"][1]["reasons"]
            .to_string()
            .contains("MR-MEAS")
    );
    assert!(
        r["timepoints"][2]["reasons"]
            .to_string()
            .contains("MR-NT-CR")
    );
    assert!(!out.warnings("MR-001").contains("MR-TGT-ELIG"));
    // MR-002: a typical new liver lesion of 12 mm is PD (MR-NEW-TYPICAL).
    assert_eq!(out.rs("MR-002", "NEWLIND"), pairs(&[("WEEK 6", "Y")]));
    assert_eq!(out.rs("MR-002", "OVRLRESP"), pairs(&[("WEEK 6", "PD")]));
    // MR-003: an atypical one of 15 mm is equivocal, not PD (MR-NEW-ATYPICAL).
    assert_eq!(out.rs("MR-003", "NEWLIND"), pairs(&[("WEEK 8", "U")]));
    assert_eq!(out.rs("MR-003", "OVRLRESP"), pairs(&[("WEEK 8", "SD")]));
}

#[test]
fn mr_meas_recist_1_1_reads_the_same_study_by_the_long_axis() {
    let out = run_fixture("fixture-r11", "recist-1.1");
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    // 50 -> 48 -> 45 mm: SD; the viable diameter is not RECIST 1.1's.
    assert_eq!(
        out.rs("MR-001", "TRGRESP"),
        pairs(&[("WEEK 6", "SD"), ("WEEK 12", "SD")])
    );
    assert_eq!(out.result("MR-001")["timepoints"][1]["sum_mm"], 48.0);
    // RECIST 1.1 has no pattern: a new lesion is PD, typical or not.
    assert_eq!(out.rs("MR-003", "OVRLRESP"), pairs(&[("WEEK 8", "PD")]));
}

const T01_TU: &str = "ST,TU,S1,T01,TUMIDENT,TARGET,TARGET,LIVER,1,SCREENING,2021-01-04";
const BASE_LD: &str = "ST,TR,S1,TARGET,T01,LDIAM,50,mm,50,50,mm,,1,SCREENING,2021-01-04";
const BASE_VIABLE: &str = "ST,TR,S1,TARGET,T01,VIABDIAM,40,mm,40,40,mm,,1,SCREENING,2021-01-04";
const BASE_TYPICAL: &str = "ST,TR,S1,TARGET,T01,HCCPATT,TYPICAL,,TYPICAL,,,,1,SCREENING,2021-01-04";
const W6_LD: &str = "ST,TR,S1,TARGET,T01,LDIAM,48,mm,48,48,mm,,2,WEEK 6,2021-02-15";

#[test]
fn mr_new_typical_a_pattern_word_not_in_the_mapping_refuses_the_subject() {
    let tu = [
        T01_TU,
        "ST,TU,S1,N01,TUMIDENT,NEW,NEW,LIVER,2,WEEK 6,2021-02-15",
    ];
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        W6_LD,
        "ST,TR,S1,TARGET,T01,VIABDIAM,30,mm,30,30,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,NEW,N01,LDIAM,12,mm,12,12,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,NEW,N01,HCCPATT,WASHOUT,,WASHOUT,,,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("bad-pattern", &tu, &tr);
    assert_eq!(out.rs("S1", "OVRLRESP"), []);
    let e = out.refusal();
    assert_eq!(
        (
            e["row"].as_u64(),
            e["subject"].as_str(),
            e["lesion"].as_str()
        ),
        (Some(8), Some("S1"), Some("N01")),
        "{e}"
    );
    assert_eq!(e["visit"], "WEEK 6");
    assert!(e["file"].as_str().unwrap().ends_with("TR.csv"), "{e}");
    assert_eq!(e["code"], "unknown-value");
    let reason = e["reason"].as_str().unwrap();
    assert!(
        reason.contains("WASHOUT") && reason.contains("patterns"),
        "{reason}"
    );
}

#[test]
fn mr_meas_a_viable_diameter_whose_trstresn_and_trorres_disagree_refuses_the_subject() {
    // 3 cm is 30 mm, not the 35 mm of TRSTRESN.
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        W6_LD,
        "ST,TR,S1,TARGET,T01,VIABDIAM,3,cm,35,35,mm,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("viable-disagree", &[T01_TU], &tr);
    assert_eq!(out.rs("S1", "OVRLRESP"), []);
    let e = out.refusal();
    assert_eq!(
        (e["row"].as_u64(), e["lesion"].as_str(), e["visit"].as_str()),
        (Some(6), Some("T01"), Some("WEEK 6")),
        "{e}"
    );
    let reason = e["reason"].as_str().unwrap();
    assert!(
        reason.contains("TRORRES `3 cm` (30 mm) and the standard result 35 mm disagree"),
        "{reason}"
    );
}

#[test]
fn mr_meas_a_viable_diameter_on_a_target_gone_refuses_the_subject() {
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        "ST,TR,S1,TARGET,T01,LDIAM,0,mm,0,0,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,T01,VIABDIAM,12,mm,12,12,mm,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("viable-gone", &[T01_TU], &tr);
    assert_eq!(out.rs("S1", "OVRLRESP"), []);
    let e = out.refusal();
    assert_eq!(e["lesion"], "T01");
    assert_eq!(e["visit"], "WEEK 6");
    assert!(
        e["reason"]
            .as_str()
            .unwrap()
            .contains("gone (0 mm or ABSENT) but its viable diameter is 12 mm"),
        "{e}"
    );
}

#[test]
fn mr_meas_a_viable_diameter_without_a_long_axis_measures_the_target() {
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        "ST,TR,S1,TARGET,T01,LDIAM,,,,,,NOT DONE,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,T01,VIABDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("viable-alone", &[T01_TU], &tr);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    // 40 -> 20 mm viable: -50 %.
    assert_eq!(out.rs("S1", "TRGRESP"), pairs(&[("WEEK 6", "PR")]));
}

#[test]
fn mr_tgt_elig_a_liver_target_without_a_baseline_pattern_is_followed_as_a_non_target() {
    // The pattern is given at week 6 only: eligibility is decided at baseline.
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        W6_LD,
        "ST,TR,S1,TARGET,T01,VIABDIAM,10,mm,10,10,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,T01,HCCPATT,TYPICAL,,TYPICAL,,,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("no-baseline-pattern", &[T01_TU], &tr);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("S1", "TRGRESP"), []);
    let w = out.warnings("S1");
    assert!(w.contains("MR-TGT-ELIG"), "{w}");
    assert!(
        w.contains("lesion `T01`: pattern TYPICAL at visit WEEK 6, none at baseline"),
        "{w}"
    );
    assert!(
        w.contains("lesion `T01`: viable diameters but no pattern at baseline"),
        "{w}"
    );
}

#[test]
fn mr_tgt_elig_a_later_other_pattern_is_a_warning_and_the_baseline_holds() {
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        W6_LD,
        "ST,TR,S1,TARGET,T01,VIABDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,T01,HCCPATT,ATYPICAL,,ATYPICAL,,,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("later-pattern", &[T01_TU], &tr);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    // Still a target measured by its viable diameter: 40 -> 20 mm, PR.
    assert_eq!(out.rs("S1", "TRGRESP"), pairs(&[("WEEK 6", "PR")]));
    let w = out.warnings("S1");
    assert!(
        w.contains("lesion `T01`: pattern ATYPICAL at visit WEEK 6, TYPICAL at baseline: the baseline's holds"),
        "{w}"
    );
}

const NT_TU: &str = "ST,TU,S1,NT01,TUMIDENT,NON-TARGET,NON-TARGET,LIVER,1,SCREENING,2021-01-04";
const NT_BASE: &str =
    "ST,TR,S1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,1,SCREENING,2021-01-04";
const NT_W6: &str = "ST,TR,S1,NON-TARGET,NT01,TUMSTATE,PRESENT,,PRESENT,,,,2,WEEK 6,2021-02-15";

#[test]
fn mr_nt_cr_a_non_target_with_a_viable_diameter_of_0_mm_is_non_viable() {
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        NT_BASE,
        W6_LD,
        "ST,TR,S1,TARGET,T01,VIABDIAM,0,mm,0,0,mm,,2,WEEK 6,2021-02-15",
        NT_W6,
        "ST,TR,S1,NON-TARGET,NT01,VIABDIAM,0,mm,0,0,mm,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("nt-viable-0", &[T01_TU, NT_TU], &tr);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("S1", "NTRGRESP"), pairs(&[("WEEK 6", "CR")]));
    assert_eq!(out.rs("S1", "OVRLRESP"), pairs(&[("WEEK 6", "CR")]));
}

#[test]
fn mr_nt_cr_an_enhancement_and_a_viable_diameter_that_disagree_refuse_the_subject() {
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        NT_BASE,
        W6_LD,
        NT_W6,
        "ST,TR,S1,NON-TARGET,NT01,VIABDIAM,0,mm,0,0,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,NON-TARGET,NT01,ARTENH,ENHANCING,,ENHANCING,,,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("nt-disagree", &[T01_TU, NT_TU], &tr);
    assert_eq!(out.rs("S1", "OVRLRESP"), []);
    let e = out.refusal();
    assert_eq!(e["lesion"], "NT01");
    assert_eq!(e["visit"], "WEEK 6");
    assert!(
        e["reason"]
            .as_str()
            .unwrap()
            .contains("its viable diameter 0 mm and its enhancement `ENHANCING` disagree"),
        "{e}"
    );
}

#[test]
fn mr_nt_cr_an_enhancement_word_not_in_the_mapping_refuses_the_subject() {
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        NT_BASE,
        "ST,TR,S1,NON-TARGET,NT01,ARTENH,WEAK,,WEAK,,,,1,SCREENING,2021-01-04",
        W6_LD,
        NT_W6,
    ];
    let out = run_rows("nt-bad-word", &[T01_TU, NT_TU], &tr);
    assert_eq!(out.rs("S1", "OVRLRESP"), []);
    let e = out.refusal();
    assert_eq!(
        (e["row"].as_u64(), e["lesion"].as_str()),
        (Some(6), Some("NT01"))
    );
    assert!(e["reason"].as_str().unwrap().contains("WEAK"), "{e}");
}

#[test]
fn mr_new_typical_a_new_lesion_s_pattern_is_read_per_sighting() {
    // N01: 12 mm without a pattern at week 6 (not typical there: equivocal), typical at week
    // 12 (PD there).
    let tu = [
        T01_TU,
        "ST,TU,S1,N01,TUMIDENT,NEW,NEW,LIVER,2,WEEK 6,2021-02-15",
    ];
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        W6_LD,
        "ST,TR,S1,TARGET,T01,VIABDIAM,38,mm,38,38,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,NEW,N01,LDIAM,12,mm,12,12,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,T01,LDIAM,48,mm,48,48,mm,,3,WEEK 12,2021-03-29",
        "ST,TR,S1,TARGET,T01,VIABDIAM,38,mm,38,38,mm,,3,WEEK 12,2021-03-29",
        "ST,TR,S1,NEW,N01,LDIAM,12,mm,12,12,mm,,3,WEEK 12,2021-03-29",
        "ST,TR,S1,NEW,N01,HCCPATT,TYPICAL,,TYPICAL,,,,3,WEEK 12,2021-03-29",
    ];
    let out = run_rows("new-per-sighting", &tu, &tr);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(
        out.rs("S1", "NEWLIND"),
        pairs(&[("WEEK 6", "U"), ("WEEK 12", "Y")])
    );
    assert_eq!(
        out.rs("S1", "OVRLRESP"),
        pairs(&[("WEEK 6", "SD"), ("WEEK 12", "PD")])
    );
}

#[test]
fn mr_nt_cr_an_enhancement_row_on_a_target_is_a_warning_not_a_finding() {
    let tr = [
        BASE_LD,
        BASE_VIABLE,
        BASE_TYPICAL,
        W6_LD,
        "ST,TR,S1,TARGET,T01,VIABDIAM,20,mm,20,20,mm,,2,WEEK 6,2021-02-15",
        "ST,TR,S1,TARGET,T01,ARTENH,ENHANCING,,ENHANCING,,,,2,WEEK 6,2021-02-15",
    ];
    let out = run_rows("target-enhancement", &[T01_TU], &tr);
    assert!(out.errors.is_empty(), "{:#?}", out.errors);
    assert_eq!(out.rs("S1", "TRGRESP"), pairs(&[("WEEK 6", "PR")]));
    let w = out.warnings("S1");
    assert!(
        w.contains("TARGET `T01` has an enhancement row, read for non-targets only"),
        "{w}"
    );
}

/// MR-TGT-ELIG: mRECIST over SDTM whose mapping names no `viable` or `pattern` test (the
/// bundled mapping names none) would follow every liver target as a non-target; the run says
/// so in summary.json's warnings. With the study's codes mapped, or under RECIST 1.1, no such
/// warning.
#[test]
fn mr_tgt_elig_mrecist_without_the_study_s_codes_is_a_run_warning() {
    let f = mr_fixtures();
    let warned = |name: &str, rules: &str, mapped: bool| {
        let dir = tmp(name);
        let out = dir.join("out");
        let mut cfg = sdtm_config(&f.join("TU.csv"), &f.join("TR.csv"), None, &out);
        cfg.rule_sets = vec![RuleSet::bundled(rules).unwrap()];
        if mapped {
            let mapping = f.join("mapping.yaml");
            cfg.mapping
                .extend_text(&read(&mapping), &mapping.display().to_string())
                .unwrap();
        }
        run(&cfg);
        summary(&out)["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| {
                let w = w.as_str().unwrap();
                w.contains("rule set mrecist") && w.contains("viable or pattern")
            })
    };
    assert!(warned("mr-unmapped", "mrecist", false));
    assert!(!warned("mr-mapped", "mrecist", true));
    assert!(!warned("r11-unmapped", "recist-1.1", false));
}

/// MR-MEAS, MR-TGT-ELIG, MR-NT-CR, MR-NEW-TYPICAL on a generated mRECIST study (`recist
/// generate --mrecist`): read back with the `mapping.yaml` written beside it, every subject
/// is adjudicated (none refused), few liver targets are demoted (MR-TGT-ELIG: the atypical
/// tenth), BESTRESP spreads over CR, PR, SD and PD, and with no discordance the rs.csv of the
/// run is the generated RS.csv byte for byte (the reader rebuilds the viable diameters,
/// patterns and enhancement the generator drew).
#[test]
fn mr_meas_mr_tgt_elig_a_generated_mrecist_study_adjudicates_realistically() {
    use recist_sdtm::generate::{GenerateOptions, MRECIST_MAPPING, generate};
    let dir = tmp("mrecist-generated");
    let rules = RuleSet::bundled("mrecist").unwrap();
    let opts = GenerateOptions {
        subjects: 300,
        seed: 9,
        discordance: 0.0,
        mrecist: true,
        ..GenerateOptions::default()
    };
    let g = generate(&opts, &rules, &dir).unwrap();
    assert_eq!(g.refused, 0);
    assert_eq!(read(&dir.join("mapping.yaml")), MRECIST_MAPPING);
    let tr = read(&dir.join("TR.csv"));
    for code in [",VIABDIAM,", ",HCCPATT,", ",ARTENH,"] {
        assert!(tr.contains(code), "{code}");
    }

    let out = dir.join("out");
    let mut cfg = study_config(&dir, &out);
    cfg.rule_sets = vec![rules];
    let mapping = dir.join("mapping.yaml");
    cfg.mapping
        .extend_text(&read(&mapping), &mapping.display().to_string())
        .unwrap();
    run(&cfg);
    let s = summary(&out);
    assert_reconciles(&s);
    assert!(errors(&out).is_empty(), "{:?}", errors(&out));
    assert_eq!(read(&out.join("rs.csv")), read(&dir.join("RS.csv")));

    let results: Vec<Value> = read(&out.join("results.jsonl"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len() as u64, g.units);
    let demoted = results
        .iter()
        .filter(|r| r.to_string().contains("(MR-TGT-ELIG"))
        .count();
    let liver_targets = read(&dir.join("TU.csv"))
        .lines()
        .filter(|l| l.contains(",TARGET,TARGET,LIVER,"))
        .count();
    assert!(liver_targets > 50, "{liver_targets}");
    assert!(
        demoted * 4 < liver_targets,
        "{demoted} of {liver_targets} liver targets demoted"
    );
    let best = &s["rule_sets"][0]["responses"]["BESTRESP"];
    let count = |r: &str| best[r].as_u64().unwrap_or(0);
    for r in ["CR", "PR", "SD", "PD"] {
        assert!(count(r) * 50 > g.units, "{r}: {best}");
    }
}
