#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rstest::rstest;

use super::*;

const RECIST: &str = include_str!("../../../rules/recist-1.1.yaml");

fn problems(text: &str) -> Vec<Problem> {
    match RuleSet::from_text(text, "test.yaml") {
        Err(RuleSetError::Invalid { problems, .. }) => problems,
        Err(other) => panic!("expected validation problems, got {other}"),
        Ok(_) => panic!("expected validation problems, the rule set loaded"),
    }
}

#[test]
fn bundled_recist_loads() {
    let r = RuleSet::bundled("recist-1.1");
    assert!(r.is_ok(), "{:?}", r.err().map(|e| e.to_string()));
}

#[test]
fn schema_file_is_current() {
    let on_disk = include_str!("../../../rules/rule-set.schema.json");
    assert!(
        on_disk == json_schema(),
        "rules/rule-set.schema.json is stale: run `cargo run -p recist-cli -- rules schema > rules/rule-set.schema.json`"
    );
}

#[test]
fn every_bundled_rule_set_validates_against_itself() {
    for (name, _) in BUNDLED {
        let id = name.trim_end_matches(".yaml");
        let r = RuleSet::bundled(id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.doc().id, id, "file name and id agree");
    }
}

#[test]
fn unknown_key_is_refused_with_path_and_line() {
    let text = RECIST.replace(
        "  pr_decrease_pct: 30",
        "  pr_decrease_pct: 30\n  pr_decrease_percent: 30",
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].path, "target_response.pr_decrease_percent");
    assert!(
        p[0].message.contains("pr_decrease_percent"),
        "{}",
        p[0].message
    );
    let line = text
        .lines()
        .position(|l| l.starts_with("  pr_decrease_percent:"))
        .map(|i| i + 1);
    assert_eq!(p[0].line, line);
}

#[test]
fn wrong_type_is_refused_with_path_and_line() {
    let text = RECIST.replace("  max_targets: 5 ", "  max_targets: five ");
    let p = problems(&text);
    assert_eq!(p[0].path, "baseline.max_targets");
    let line = text
        .lines()
        .position(|l| l.contains("max_targets: five"))
        .map(|i| i + 1);
    assert_eq!(p[0].line, line);
}

#[test]
fn decision_table_gap_is_refused() {
    let text = RECIST.replace(
        "    - {target: [NE], non_target: [NON-CR/NON-PD], new_lesions: [NO, EQUIVOCAL], overall: NE, rule: R11-OR-T1}\n",
        "",
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|p| p.message
                == "no row covers target NE, non-target NON-CR/NON-PD, new lesions NO"),
        "{p:?}"
    );
    assert!(p.iter().all(|p| p.path == "overall_response.with_targets"));
    assert!(p[0].line.is_some());
}

#[test]
fn decision_table_overlap_is_refused_with_row_line() {
    let text = RECIST.replace(
        "    - {target: [SD], non_target: [CR, NON-CR/NON-PD, NE, none]",
        "    - {target: [SD, PR], non_target: [CR, NON-CR/NON-PD, NE, none]",
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|p| p.path == "overall_response.with_targets[7]"
                && p.message.contains("already covered by row 6")),
        "{p:?}"
    );
    let line = text
        .lines()
        .position(|l| l.contains("{target: [SD, PR]"))
        .map(|i| i + 1);
    assert!(p.iter().any(|p| p.line == line));
}

#[test]
fn unknown_table_value_is_refused() {
    let text = RECIST.replace(
        "overall: PR, rule: R11-OR-T1, also",
        "overall: PRR, rule: R11-OR-T1, also",
    );
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|p| p.path.ends_with(".overall") && p.message.contains("PRR")),
        "{p:?}"
    );
}

#[rstest]
#[case(
    "  pr_decrease_pct: 30",
    "  pr_decrease_pct: 130",
    "target_response.pr_decrease_pct"
)]
#[case(
    "  pd_increase_pct: 20",
    "  pd_increase_pct: 0",
    "target_response.pd_increase_pct"
)]
#[case(
    "  max_targets_per_organ: 2",
    "  max_targets_per_organ: 7",
    "baseline.max_targets_per_organ"
)]
#[case(
    "  alpha_beta_gy: 10",
    "  alpha_beta_gy: -3",
    "radiotherapy.alpha_beta_gy"
)]
#[case("  too_small_mm: 5 ", "  too_small_mm: 0 ", "measurement.too_small_mm")]
fn thresholds_out_of_range_are_refused(#[case] from: &str, #[case] to: &str, #[case] path: &str) {
    assert!(RECIST.contains(from), "{from}");
    let text = RECIST.replace(from, to);
    let p = problems(&text);
    assert!(
        p.iter().any(|p| p.path == path && p.line.is_some()),
        "{p:?}"
    );
}

#[test]
fn too_precise_threshold_is_refused() {
    let text = RECIST.replace("  pr_decrease_pct: 30", "  pr_decrease_pct: 29.999");
    let p = problems(&text);
    assert_eq!(p[0].path, "target_response.pr_decrease_pct");
    assert!(p[0].message.contains("two decimals"));
}

#[test]
fn overrides_change_the_hash_and_are_recorded() {
    let base = RuleSet::bundled("recist-1.1").unwrap();
    let amended = base
        .with_overrides(
            Some(("confirmation:\n  max_ne_between: 0\n", "trial.yaml")),
            &[("timepoint.pr_persistence".into(), "sticky".into())],
        )
        .unwrap();
    assert_eq!(amended.doc().confirmation.max_ne_between, 0);
    assert_eq!(
        amended.doc().timepoint.pr_persistence,
        PrPersistence::Sticky
    );
    assert_eq!(amended.overrides().len(), 2);
    assert_ne!(amended.sha256(), base.sha256());
    let again = base
        .with_overrides(
            Some(("confirmation:\n  max_ne_between: 0\n", "trial.yaml")),
            &[("timepoint.pr_persistence".into(), "sticky".into())],
        )
        .unwrap();
    assert_eq!(
        again.sha256(),
        amended.sha256(),
        "the hash is deterministic"
    );
}

/// AMB-02's three readings are spelt in kebab case, in a rule set and in `--set` alike; the
/// bundled default stays `strict`.
#[test]
fn amb_02_pr_persistence_values() {
    let base = RuleSet::bundled("recist-1.1").unwrap();
    assert_eq!(base.doc().timepoint.pr_persistence, PrPersistence::Strict);
    for (value, want) in [
        ("strict", PrPersistence::Strict),
        ("sticky", PrPersistence::Sticky),
        (
            "sticky-after-confirmation",
            PrPersistence::StickyAfterConfirmation,
        ),
    ] {
        let set = base
            .with_overrides(None, &[("timepoint.pr_persistence".into(), value.into())])
            .unwrap();
        assert_eq!(set.doc().timepoint.pr_persistence, want, "--set {value}");
        let text = RECIST.replace(
            "pr_persistence: strict ",
            &format!("pr_persistence: {value} "),
        );
        let file = RuleSet::from_text(&text, "test.yaml").unwrap();
        assert_eq!(file.doc().timepoint.pr_persistence, want, "file {value}");
    }
    let err = base
        .with_overrides(
            None,
            &[(
                "timepoint.pr_persistence".into(),
                "sticky_after_confirmation".into(),
            )],
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("sticky-after-confirmation"), "{err}");
}

#[rstest]
#[case("target_response.pr_decrease_pct", "20", "not a protocol parameter")]
#[case("confirmation.min_interval_days", "soon", "bad value")]
#[case("timepoint.disease_after_cr", "maybe", "bad value")]
#[case("confirmation.no_such_key", "1", "not a protocol parameter")]
#[case(
    "target_response.pd_min_increase_mm",
    "null",
    "not a protocol parameter"
)]
#[case("measurement.too_small_mm", "3", "not a protocol parameter")]
fn bad_overrides_are_refused(#[case] key: &str, #[case] value: &str, #[case] message: &str) {
    let base = RuleSet::bundled("recist-1.1").unwrap();
    let err = base
        .with_overrides(None, &[(key.into(), value.into())])
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains(message) && err.contains(key), "{err}");
}

#[test]
fn protocol_file_errors_name_file_and_line() {
    let base = RuleSet::bundled("recist-1.1").unwrap();
    let err = base
        .with_overrides(
            Some((
                "protocol: X\nconfirmation:\n  min_interval_days: 28\n  window: 3\n",
                "trial.yaml",
            )),
            &[],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.starts_with("trial.yaml:4:"), "{err}");
}

#[test]
fn unknown_base_is_refused() {
    let p = problems("extends: recist-9\nid: x\n");
    assert_eq!(p[0].path, "extends");
    assert_eq!(p[0].line, Some(1));
}

#[test]
fn unknown_rule_set_names_the_bundled_ones() {
    let err = RuleSet::resolve("recist-2.0")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains("recist-2.0") && err.contains("recist-1.1"),
        "{err}"
    );
    assert!(!err.contains("iRECIST"), "{err}");
}

/// iRECIST is bundled (IR-BASE): it extends RECIST 1.1, keeps its thresholds and tables,
/// and adds the `irecist` section with the reference's defaults (IR-CONF-WIN, AMB-I1).
#[test]
fn ir_base_irecist_extends_recist_1_1() {
    let i = RuleSet::bundled("irecist").unwrap();
    let r = RuleSet::bundled("recist-1.1").unwrap();
    assert_eq!(i.doc().rscat, "iRECIST");
    assert_eq!(i.doc().target_response, r.doc().target_response);
    assert_eq!(i.doc().overall_response, r.doc().overall_response);
    assert!(r.doc().irecist.is_none());
    let ir = i.doc().irecist.as_ref().unwrap();
    assert_eq!(ir.confirm_window_days, [28, 56]);
    assert_eq!(ir.window_tolerance_days, 2);
    assert_eq!(ir.cpd_min_increase_mm, recist_model::Mm::from_mm(5));
    assert_eq!(ir.cpd_increase, CpdIncrease::AtLeast);
    assert_eq!(ir.cpd_reference, CpdReference::Iupd);
    assert_eq!(
        (
            ir.new_lesion_targets.max_total,
            ir.new_lesion_targets.max_per_organ
        ),
        (5, 2)
    );
    assert_eq!(
        ir.reset_with_new_lesions,
        ResetWithNewLesions::TargetDecrease
    );
    assert_eq!(
        ir.reset_without_target_sum,
        ResetWithoutTargetSum::StaysIupd
    );
    assert!(ir.late_scan_confirms);
    assert_eq!(ir.nlt_reference, NltReference::Nadir);
    // IR-CLIN: a scan after a new anticancer therapy does not confirm an iUPD; IR-CONF-WIN: an
    // early scan with an additional new lesion is taken for a symptom-driven one.
    assert!(!ir.confirm_after_new_therapy);
    assert_eq!(
        ir.early_scan_confirms,
        EarlyScanConfirms::AdditionalNewLesion
    );
    // The window is a protocol parameter (section 4 `irecist.confirm_window_days`).
    let amended = i
        .with_overrides(
            None,
            &[("irecist.confirm_window_days".into(), "[21, 63]".into())],
        )
        .unwrap();
    assert_eq!(
        amended.doc().irecist.as_ref().unwrap().confirm_window_days,
        [21, 63]
    );
}

/// IR-CONF-WIN, AMB-I1 and the NLT limits are validated with their key paths.
#[rstest::rstest]
#[case(
    "confirm_window_days: [28, 56]",
    "confirm_window_days: [60, 56]",
    "irecist.confirm_window_days"
)]
#[case(
    "window_tolerance_days: 2",
    "window_tolerance_days: 40",
    "irecist.window_tolerance_days"
)]
#[case(
    "cpd_min_increase_mm: 5",
    "cpd_min_increase_mm: 0",
    "irecist.cpd_min_increase_mm"
)]
#[case(
    "max_per_organ: 2",
    "max_per_organ: 6",
    "irecist.new_lesion_targets.max_per_organ"
)]
#[case("max_total: 5", "max_total: 0", "irecist.new_lesion_targets.max_total")]
fn ir_conf_win_irecist_section_is_validated(
    #[case] from: &str,
    #[case] to: &str,
    #[case] path: &str,
) {
    let text = IRECIST.replace(from, to);
    assert_ne!(text, IRECIST, "{from}");
    let err = RuleSet::from_text(&text, "irecist.yaml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains(path), "{err}");
}

/// AMB-07 `rewrite-earlier` has no iRECIST reading: refused with iRECIST.
#[test]
fn ir_cpd_date_rewrite_earlier_is_refused_with_irecist() {
    let err = RuleSet::bundled("irecist")
        .unwrap()
        .with_overrides(
            None,
            &[(
                "new_lesions.equivocal_confirmed".into(),
                "rewrite-earlier".into(),
            )],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("new_lesions.equivocal_confirmed"), "{err}");
}

const IRECIST: &str = include_str!("../../../rules/irecist.yaml");

const MRECIST: &str = include_str!("../../../rules/mrecist.yaml");

#[test]
fn mrecist_extends_recist_and_overrides_only_what_differs() {
    let m = RuleSet::bundled("mrecist").unwrap();
    let r = RuleSet::bundled("recist-1.1").unwrap();
    assert_eq!(m.doc().rscat, "mRECIST");
    assert_eq!(m.doc().extends.as_deref(), Some("recist-1.1"));
    assert_eq!(m.doc().target_response.pd_min_increase_mm, None, "AMB-M1");
    assert_eq!(
        m.doc().target_response.pr_decrease_pct,
        r.doc().target_response.pr_decrease_pct,
        "inherited"
    );
    assert_eq!(
        m.doc().confirmation,
        r.doc().confirmation,
        "inherited (AMB-M5)"
    );
    assert_eq!(
        m.doc().overall_response.non_target_only,
        r.doc().overall_response.non_target_only,
        "inherited (AMB-M6)"
    );
    // The effective rule set is printed in full, with what the base contributed.
    assert!(m.effective_json().contains("\"max_targets_per_organ\": 2"));
    // A protocol may harmonise AMB-M1 with RECIST 1.1.
    let harmonised = m
        .with_overrides(
            None,
            &[("target_response.pd_min_increase_mm".into(), "5".into())],
        )
        .unwrap();
    assert_eq!(
        harmonised
            .doc()
            .target_response
            .pd_min_increase_mm
            .map(|m| m.to_string()),
        Some("5".into())
    );
}

#[test]
fn cytology_needs_its_rule() {
    let text = MRECIST.replace("    cytology: MR-EFFUSION\n", "");
    let p = problems(&text);
    assert!(
        p.iter().any(
            |p| p.path == "non_target_response.progression_needs_positive_cytology"
                && p.message.contains("rules.cytology")
        ),
        "{p:?}"
    );
}

#[rstest]
#[case(
    "      pathological_min_short_axis_mm: 20",
    "      pathological_min_short_axis_mm: 8",
    "baseline.node_site_thresholds[0].pathological_min_short_axis_mm"
)]
#[case(
    "    - sites: [porta hepatis,",
    "    - sites: [\" \", porta hepatis,",
    "baseline.node_site_thresholds[0].sites[0]"
)]
#[case(
    "      min_measure_mm: 10",
    "      min_measure_mm: 0",
    "baseline.target_eligibility[0].min_measure_mm"
)]
#[case("    pd: MR-TGT-PD", "    pd: \" \"", "target_response.rules.pd")]
#[case(
    "      typical_min_mm: 10",
    "      typical_min_mm: 0",
    "new_lesions.patterned[0].typical_min_mm"
)]
#[case(
    "      tumour-thrombus: MR-PVT",
    "      tumour-thrombus: MR-PVT\n      cystic: R11-CYST",
    "baseline.rules.non_measurable.cystic"
)]
// MR-NT-CR: with absent-or-non-viable the reading of an unstated viability must be named.
#[case(
    "  viability_unstated: enhancing\n",
    "",
    "non_target_response.viability_unstated"
)]
#[case(
    "  complete_when: absent-or-non-viable",
    "  complete_when: absent",
    "non_target_response.viability_unstated"
)]
fn mrecist_vocabulary_is_validated(#[case] from: &str, #[case] to: &str, #[case] path: &str) {
    assert!(MRECIST.contains(from), "{from}");
    let p = problems(&MRECIST.replace(from, to));
    assert!(p.iter().any(|p| p.path == path), "{p:?}");
}

/// A fresh directory under the system temp dir for rule files that extend each other,
/// removed when the value is dropped.
fn rule_dir(name: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("recist-rules-{name}-"))
        .tempdir()
        .unwrap();
    for (file, text) in files {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn file_error(path: &std::path::Path) -> String {
    RuleSet::from_file(path)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_else(|| panic!("{} loaded", path.display()))
}

#[test]
fn a_cycle_of_extends_is_refused_with_the_cycle_named() {
    let dir = rule_dir(
        "cycle",
        &[
            ("a.yaml", "extends: b\nid: a\n"),
            ("b.yaml", "id: b\nextends: a\n"),
            ("me.yaml", "extends: me\nid: me\n"),
        ],
    );
    let err = file_error(&dir.path().join("a.yaml"));
    assert!(
        err.contains("b.yaml") && err.contains("line 2: `extends`"),
        "{err}"
    );
    assert!(err.contains("a.yaml → b.yaml → a.yaml"), "{err}");
    let err = file_error(&dir.path().join("me.yaml"));
    assert!(err.contains("me.yaml → me.yaml"), "{err}");
}

#[test]
fn a_rule_file_with_a_bundled_id_must_be_that_rule_set() {
    let dir = rule_dir(
        "bundled-id",
        &[
            // Extends without an id of its own: it would pass as recist-1.1.
            (
                "alone/noid.yaml",
                "extends: recist-1.1\ntarget_response: {pr_decrease_pct: 20}\n",
            ),
            // A copy beside another file, changed, that the other extends.
            (
                "recist-1.1.yaml",
                &RECIST.replace("pr_decrease_pct: 30", "pr_decrease_pct: 10"),
            ),
            ("trial.yaml", "extends: recist-1.1\nid: trial\n"),
            // The unchanged copy is the bundled rule set, and may be extended.
            ("same/recist-1.1.yaml", RECIST),
            ("same/trial.yaml", "extends: recist-1.1\nid: trial\n"),
        ],
    );
    let err = file_error(&dir.path().join("alone/noid.yaml"));
    assert!(
        err.contains("line 1: `id`") && err.contains("differs from the bundled `recist-1.1`"),
        "{err}"
    );
    let err = file_error(&dir.path().join("trial.yaml"));
    assert!(
        err.contains("recist-1.1.yaml") && err.contains("`id`"),
        "{err}"
    );
    let trial = RuleSet::from_file(&dir.path().join("same/trial.yaml")).unwrap();
    assert_eq!(
        trial.doc().target_response.pr_decrease_pct.to_string(),
        "30"
    );
}

#[test]
fn a_missing_pd_minimum_is_refused_and_null_means_none() {
    let p = problems(&RECIST.replace("  pd_min_increase_mm: 5", ""));
    assert!(
        p[0].path == "target_response" && p[0].message.contains("pd_min_increase_mm"),
        "{p:?}"
    );
    let none = RuleSet::from_text(
        &RECIST.replace("pd_min_increase_mm: 5 ", "pd_min_increase_mm: null "),
        "test.yaml",
    )
    .unwrap();
    assert_eq!(none.doc().target_response.pd_min_increase_mm, None);
}

#[test]
fn the_with_targets_table_takes_no_non_target_only_category_and_no_empty_rule() {
    let p = problems(&RECIST.replace(
        "{target: [SD], non_target: [CR, NON-CR/NON-PD, NE, none], new_lesions: [NO, EQUIVOCAL], overall: SD, rule: R11-OR-T1}",
        "{target: [SD], non_target: [CR, NON-CR/NON-PD, NE, none], new_lesions: [NO, EQUIVOCAL], overall: NON-CR/NON-PD, rule: \"\"}",
    ));
    let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "overall_response.with_targets[7].overall",
            "overall_response.with_targets[7].rule"
        ],
        "{p:?}"
    );
    assert!(p.iter().all(|p| p.line.is_some()), "{p:?}");
}

#[test]
fn an_override_out_of_range_names_where_it_was_set() {
    let base = RuleSet::bundled("recist-1.1").unwrap();
    let err = |protocol: Option<(&str, &str)>, sets: &[(String, String)]| {
        base.with_overrides(protocol, sets)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = err(
        None,
        &[("confirmation.min_interval_days".into(), "400".into())],
    );
    assert!(
        e.starts_with("--set: bad value for `confirmation.min_interval_days`: must be at most 365"),
        "{e}"
    );
    let e = err(
        Some((
            "protocol: X\nconfirmation:\n  min_interval_days: 400\n",
            "trial.yaml",
        )),
        &[],
    );
    assert!(e.starts_with("trial.yaml:3: bad value"), "{e}");
}

#[test]
fn a_key_set_twice_and_a_protocol_key_holding_parameters_are_refused() {
    let base = RuleSet::bundled("recist-1.1").unwrap();
    let e = base
        .with_overrides(
            None,
            &[
                ("confirmation.min_interval_days".into(), "30".into()),
                ("confirmation.min_interval_days".into(), "35".into()),
            ],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("set twice"), "{e}");
    let e = base
        .with_overrides(
            Some((
                "protocol:\n  confirmation: {min_interval_days: 35}\n",
                "p.yaml",
            )),
            &[],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.starts_with("p.yaml:1: `protocol` is the protocol's name"),
        "{e}"
    );
}

/// RECIST 1.1 fixes the 5 mm PD minimum and the too-small value (reference section 4); mRECIST
/// leaves the minimum to the protocol (AMB-M1) and says so in its `protocol_parameters`, as it
/// does the reading of a non-target's unstated viability.
#[test]
fn a_rule_set_opens_its_own_protocol_parameters_and_only_real_ones() {
    let m = RuleSet::bundled("mrecist").unwrap();
    assert_eq!(
        m.doc().protocol_parameters,
        [
            "target_response.pd_min_increase_mm",
            "non_target_response.viability_unstated"
        ]
    );
    let with_min = m
        .with_overrides(
            None,
            &[("target_response.pd_min_increase_mm".into(), "5".into())],
        )
        .unwrap();
    assert_eq!(
        with_min
            .doc()
            .target_response
            .pd_min_increase_mm
            .map(|v| v.to_string()),
        Some("5".into())
    );
    let with = |list: &str| {
        problems(&RECIST.replace(
            "sources:\n",
            &format!("protocol_parameters: {list}\nsources:\n"),
        ))
    };
    for (list, message) in [
        ("[target_response.no_such_key]", "not a single value"),
        ("[overall_response.with_targets]", "not a single value"),
        (
            "[confirmation.min_interval_days]",
            "of every rule set already",
        ),
    ] {
        let p = with(list);
        assert_eq!(p.len(), 1, "{list}: {p:?}");
        assert_eq!(p[0].path, "protocol_parameters[0]");
        assert!(p[0].message.contains(message), "{list}: {p:?}");
        assert!(p[0].line.is_some(), "{list}: {p:?}");
    }
}

/// What a rule file's author reads names their file's words, not the YAML library's options
/// or Rust types.
#[rstest]
#[case::duplicate_key("id: x\nid: y\n", "line 2: duplicate key `id` at line 2")]
#[case::two_documents("id: x\n---\nid: y\n", "a second YAML document starts here")]
#[case::empty("# nothing\n", "the file holds no YAML value")]
#[case::list("- a\n- b\n", "the file holds a list; a rule set is a mapping of keys")]
fn a_rule_file_that_is_not_one_mapping_is_named_in_plain_words(
    #[case] text: &str,
    #[case] message: &str,
) {
    let err = RuleSet::from_text(text, "mine.yaml")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.starts_with("mine.yaml: "), "{err}");
    assert!(err.contains(message), "{err}");
    assert!(
        !err.contains("DuplicateKeyPolicy") && !err.contains("from_str_multiple"),
        "{err}"
    );
}

#[rstest]
#[case::word_alone(
    "new_lesions: [YES], overall: PD, rule: R11-OR-T1}",
    "new_lesions: YES, overall: PD, rule: R11-OR-T1}",
    "`YES` alone: write a list such as `[YES]`, or the word `any`"
)]
#[case::any_in_a_list(
    "new_lesions: [YES], overall: PD, rule: R11-OR-T1}",
    "new_lesions: [any], overall: PD, rule: R11-OR-T1}",
    "in a list, or `any` alone"
)]
#[case::negative_percentage(
    "pr_decrease_pct: 30 ",
    "pr_decrease_pct: -30 ",
    "percentage -30 is negative"
)]
fn table_cells_and_percentages_are_explained_in_the_file_s_terms(
    #[case] from: &str,
    #[case] to: &str,
    #[case] message: &str,
) {
    assert!(RECIST.contains(from));
    let p = problems(&RECIST.replace(from, to));
    assert!(p[0].message.contains(message), "{p:?}");
    assert!(p[0].line.is_some(), "{p:?}");
}

/// A rule set written as JSON (as `rules check` prints it) is refused with its line too.
#[test]
fn a_json_rule_file_error_names_its_line() {
    let json = RuleSet::bundled("recist-1.1").unwrap().effective_json();
    let json = json.replace("\"id\": \"recist-1.1\"", "\"id\": \"trial-json\"");
    assert!(RuleSet::from_text(&json, "trial.json").is_ok());
    let bad = json.replace("\"pd_increase_pct\": 20.0", "\"pd_increase_pct\": \"x\"");
    let line = bad
        .lines()
        .position(|l| l.contains("\"pd_increase_pct\": \"x\""))
        .unwrap()
        + 1;
    let p = problems(&bad);
    assert_eq!(p[0].path, "target_response.pd_increase_pct");
    assert_eq!(p[0].line, Some(line), "{p:?}");
}

/// `site_aliases` must be unambiguous: an alias given for two sites, an alias that is itself a
/// site with aliases, two spellings of one site, an empty list and a name without a word are
/// refused, each at its path.
#[rstest]
#[case(
    "  pleura: [pleural]",
    "  pleura: [pleural, renal mass]",
    "site_aliases.pleura[1]",
    "already an alias of `kidney`"
)]
#[case(
    "  pleura: [pleural]",
    "  pleura: [pleural, Lung]",
    "site_aliases.pleura[1]",
    "aliases do not chain"
)]
#[case(
    "  pleura: [pleural]",
    "  pleura: [pleural]\n  PLEURA: [pleuritic]",
    "site_aliases.pleura",
    "one site name"
)]
#[case(
    "  pleura: [pleural]",
    "  pleura: [pleural, Adrenal]",
    "site_aliases.pleura[1]",
    "another organ of `baseline.organs`"
)]
#[case(
    "  pleura: [pleural]",
    "  pleura: []",
    "site_aliases.pleura",
    "empty list"
)]
#[case(
    "  pleura: [pleural]",
    "  pleura: [pleural, \"--\"]",
    "site_aliases.pleura[1]",
    "no word"
)]
fn site_aliases_are_validated(
    #[case] from: &str,
    #[case] to: &str,
    #[case] path: &str,
    #[case] message: &str,
) {
    assert!(RECIST.contains(from), "{from}");
    let p = problems(&RECIST.replace(from, to));
    assert!(
        p.iter()
            .any(|p| p.path == path && p.message.contains(message)),
        "{p:?}"
    );
}

/// `site_reading`'s links and parts are single words, its structures have a word: anything
/// else is refused at its path.
#[rstest]
#[case(
    "links: [of, in, at, within,",
    "links: [of, next to,",
    "site_reading.links[1]"
)]
#[case("parts: [segment,", "parts: [\"\", segment,", "site_reading.parts[0]")]
#[case(
    "structures: [node,",
    "structures: [\"--\", node,",
    "site_reading.structures[0]"
)]
fn site_reading_is_validated(#[case] from: &str, #[case] to: &str, #[case] path: &str) {
    assert!(RECIST.contains(from), "{from}");
    let p = problems(&RECIST.replace(from, to));
    assert!(p.iter().any(|p| p.path == path), "{p:?}");
}

/// A site name is looked up as its words, ignoring case; an unknown one has no alias.
#[test]
fn site_aliases_are_found_by_the_site_s_words() {
    let r = RuleSet::bundled("recist-1.1").unwrap();
    assert!(
        r.site_aliases("LIVER")
            .iter()
            .any(|a| a == "hepatic segment")
    );
    assert!(
        r.site_aliases(" liver ")
            .iter()
            .any(|a| a == "intrahepatic lesion")
    );
    assert!(r.site_aliases("soft tissue").is_empty());
    assert!(r.site_aliases("porta hepatis").is_empty());
    let m = RuleSet::bundled("mrecist").unwrap();
    assert_eq!(m.site_aliases("liver"), r.site_aliases("liver"));
}

/// The alias index answers as a word-by-word scan of `site_aliases` would, for canonical
/// names, other spellings, and a rule set with a non-ASCII site name (the Kelvin sign `K`
/// lowercases to ASCII `k`, so ASCII names must still be compared with such keys).
#[test]
fn site_alias_index_agrees_with_the_word_scan() {
    let text = RECIST.replacen(
        "site_aliases:\n",
        "site_aliases:\n  \u{212a}neecap: [patella]\n  Straße: [strasse lesion]\n",
        1,
    );
    let custom = RuleSet::from_text(&text, "custom.yaml").unwrap();
    for r in [RuleSet::bundled("recist-1.1").unwrap(), custom] {
        let scan = |name: &str| {
            r.doc()
                .site_aliases
                .iter()
                .find(|(site, _)| same_words(site, name))
                .map_or(&[][..], |(_, list)| list.as_slice())
        };
        let mut names: Vec<String> = r.doc().site_aliases.keys().cloned().collect();
        names.extend(
            [
                "LIVER",
                " liver",
                "liver ",
                "liver  ",
                "Lung",
                "lung-",
                "kneecap",
                "KNEECAP",
                "straße",
                "STRASSE",
                "strasse",
                "adrenal",
                "lymph node",
                "lymph  node",
                "",
                " ",
                "-",
                "soft tissue",
                "liver lobe",
                "9",
                "\u{212a}neecap",
            ]
            .map(String::from),
        );
        for name in &names {
            assert_eq!(r.site_aliases(name), scan(name), "{name:?}");
        }
    }
}
