//! Every refusal of `case-format.md` ("What is an error"), each asserting that the message
//! names the file, the line, the subject, the assessment and the lesion where they apply.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rstest::rstest;

const CASE: &str = "\
subject: S-014
treatment_start: 2019-03-05
radiotherapy:
  - {id: RT1, site: liver, start: 2019-03-05, end: 2019-04-10, total_dose_gy: 55, fractions: 22, lesions: [T1]}
lesions:
  - {id: T1, site: liver, role: target}
  - {id: N1, site: lymph node, role: target, nodal: true}
  - {id: NT1, site: portal vein, role: non-target, kind: tumour-thrombus}
assessments:
  - date: 2019-03-01
    findings:
      T1: {long_axis: 82}
      N1: {short_axis: 18}
      NT1: present
  - date: 2019-05-02
    findings:
      T1: {long_axis: 60}
      N1: {short_axis: 9}
      NT1: present
    new_lesions:
      - {id: NEW1, site: lung, long_axis: 12, field: none}
";

fn refusal(text: &str) -> String {
    let cases = recist_io::read_case_text(text, "case.yaml", false).map_err(|e| e.to_string());
    match cases {
        Err(e) => e,
        Ok(mut cases) => match cases.remove(0) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("the case was accepted:\n{text}"),
        },
    }
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle}"))
}

#[test]
fn the_base_case_is_accepted() {
    let cases = recist_io::read_case_text(CASE, "case.yaml", false).unwrap();
    assert!(
        cases[0].is_ok(),
        "{:?}",
        cases[0].as_ref().err().map(|e| e.to_string())
    );
}

#[rstest]
#[case::unknown_key(
    "      T1: {long_axis: 60}\n",
    "      T1: {long_axis: 60, shape: round}\n",
    "      T1: {long_axis: 60, shape",
    Some("2019-05-02"),
    Some("T1"),
    "unknown key `shape`"
)]
#[case::unknown_top_level_key(
    "treatment_start: 2019-03-05\n",
    "treatment_start: 2019-03-05\nsmoker: yes\n",
    "smoker:",
    None,
    None,
    "unknown field `smoker`"
)]
#[case::finding_for_unknown_lesion(
    "      NT1: present\n    new_lesions",
    "      NT2: present\n    new_lesions",
    "      NT2: present",
    Some("2019-05-02"),
    Some("NT2"),
    "not identified at baseline"
)]
#[case::target_without_baseline_measurement(
    "      N1: {short_axis: 18}\n",
    "      N1: not-evaluated\n",
    "      N1: not-evaluated",
    Some("2019-03-01"),
    Some("N1"),
    "target without a measurement at baseline"
)]
#[case::negative_length(
    "      T1: {long_axis: 60}",
    "      T1: {long_axis: -6}",
    "      T1: {long_axis: -6}",
    Some("2019-05-02"),
    Some("T1"),
    "negative"
)]
#[case::bare_number_for_a_target(
    "      N1: {short_axis: 9}",
    "      N1: 9",
    "      N1: 9",
    Some("2019-05-02"),
    Some("N1"),
    "a bare number is not a target finding: write `{short_axis: 9}`"
)]
#[case::non_numeric_length(
    "      T1: {long_axis: 60}",
    "      T1: {long_axis: big}",
    "      T1: {long_axis: big}",
    Some("2019-05-02"),
    Some("T1"),
    "must be a number"
)]
#[case::three_decimals(
    "      T1: {long_axis: 60}",
    "      T1: {long_axis: 60.125}",
    "      T1: {long_axis: 60.125}",
    Some("2019-05-02"),
    Some("T1"),
    "more than two decimals"
)]
#[case::long_axis_on_a_node(
    "      N1: {short_axis: 9}",
    "      N1: {long_axis: 9}",
    "      N1: {long_axis: 9}",
    Some("2019-05-02"),
    Some("N1"),
    "short axis, not its long axis"
)]
#[case::short_axis_on_a_non_node(
    "      T1: {long_axis: 60}",
    "      T1: {short_axis: 60}",
    "      T1: {short_axis: 60}",
    Some("2019-05-02"),
    Some("T1"),
    "short axis given for a non-nodal lesion"
)]
#[case::measurement_on_a_non_target(
    "      NT1: present\n    new",
    "      NT1: {long_axis: 20}\n    new",
    "      NT1: {long_axis: 20}",
    Some("2019-05-02"),
    Some("NT1"),
    "not measured"
)]
#[case::out_of_date_order(
    "  - date: 2019-05-02",
    "  - date: 2019-02-02",
    "  - date: 2019-02-02",
    Some("2019-02-02"),
    None,
    "out of date order"
)]
#[case::same_date_twice(
    "  - date: 2019-05-02",
    "  - date: 2019-03-01",
    "  - date: 2019-03-01\n    findings:\n      T1: {long_axis: 60}",
    Some("2019-03-01"),
    None,
    "same date"
)]
#[case::rt_field_names_unknown_lesion(
    "lesions: [T1]}",
    "lesions: [T1, T9]}",
    "lesions: [T1, T9]}",
    None,
    Some("T9"),
    "names unknown lesion `T9`"
)]
#[case::baseline_lesion_names_unknown_field(
    "  - {id: N1, site: lymph node, role: target, nodal: true}",
    "  - {id: N1, site: lymph node, role: target, nodal: true, field: \"marginal:RT7\"}",
    "  - {id: N1, site: lymph node, role: target, nodal: true, field",
    None,
    Some("N1"),
    "lesion names unknown radiotherapy field `RT7`"
)]
#[case::baseline_lesion_outside_yet_listed_by_a_course(
    "  - {id: T1, site: liver, role: target}",
    "  - {id: T1, site: liver, role: target, field: none}",
    "  - {id: T1, site: liver, role: target, field",
    None,
    Some("T1"),
    "lesion has `field: none` but radiotherapy course `RT1` lists it"
)]
#[case::baseline_lesion_unknown_yet_listed_by_a_course(
    "  - {id: T1, site: liver, role: target}",
    "  - {id: T1, site: liver, role: target, field: unknown}",
    "  - {id: T1, site: liver, role: target, field",
    None,
    Some("T1"),
    "lesion has `field: unknown` but radiotherapy course `RT1` lists it"
)]
#[case::baseline_lesion_marginal_yet_listed_inside(
    "  - {id: T1, site: liver, role: target}",
    "  - {id: T1, site: liver, role: target, field: \"marginal:RT1\"}",
    "  - {id: T1, site: liver, role: target, field",
    None,
    Some("T1"),
    "lesion has `field: marginal:RT1` but radiotherapy course `RT1` lists it among the lesions inside its field"
)]
#[case::new_lesion_names_unknown_field(
    "field: none}",
    "field: RT7}",
    "field: RT7}",
    Some("2019-05-02"),
    Some("NEW1"),
    "unknown radiotherapy field `RT7`"
)]
#[case::new_lesion_moves_to_another_field(
    "long_axis: 12, field: none}\n",
    "long_axis: 12, field: none}\n  - date: 2019-07-01\n    findings: {T1: {long_axis: 60}, N1: {short_axis: 9}, NT1: present}\n    new_lesions:\n      - {id: NEW1, site: lung, long_axis: 14, field: RT1}\n",
    "long_axis: 14, field: RT1}",
    Some("2019-07-01"),
    Some("NEW1"),
    "first seen on 2019-05-02 outside every field"
)]
#[case::merged_into_unknown(
    "      T1: {long_axis: 60}",
    "      T1: {merged_into: T5}",
    "      T1: {merged_into: T5}",
    Some("2019-05-02"),
    Some("T1"),
    "not a target lesion"
)]
#[case::unknown_finding_word(
    "      NT1: present\n    new",
    "      NT1: gone\n    new",
    "      NT1: gone",
    Some("2019-05-02"),
    Some("NT1"),
    "unknown non-target finding `gone`"
)]
#[case::bad_date(
    "  - date: 2019-05-02",
    "  - date: 2019-13-02",
    "  - date: 2019-13-02",
    None,
    None,
    "assessments[1].date`: input is out of range (the value is `2019-13-02`)"
)]
#[case::viable_longer_than_the_lesion(
    "      T1: {long_axis: 60}",
    "      T1: {long_axis: 40, viable: 60}",
    "viable: 60",
    Some("2019-05-02"),
    Some("T1"),
    "viable diameter 60 mm is longer than the long axis 40 mm"
)]
#[case::viable_said_of_an_absent_non_target(
    "      NT1: present\n    new_lesions",
    "      NT1: {status: absent, viable: true}\n    new_lesions",
    "status: absent",
    Some("2019-05-02"),
    Some("NT1"),
    "`viable` describes a lesion that is there"
)]
#[case::ir_cpd_nt_increased_said_of_an_absent_non_target(
    "      NT1: present\n    new_lesions",
    "      NT1: {status: absent, increased: true}\n    new_lesions",
    "status: absent",
    Some("2019-05-02"),
    Some("NT1"),
    "`increased` describes a lesion that is there"
)]
#[case::ir_cpd_nt_increased_is_true_or_false(
    "      NT1: present\n    new_lesions",
    "      NT1: {status: present, increased: 3}\n    new_lesions",
    "increased: 3",
    Some("2019-05-02"),
    Some("NT1"),
    "`increased` of a non-target is true or false"
)]
#[case::ir_cpd_new_increased_on_a_first_listing(
    "      - {id: NEW1, site: lung, long_axis: 12, field: none}",
    "      - {id: NEW1, site: lung, long_axis: 12, field: none, increased: true}",
    "increased: true",
    Some("2019-05-02"),
    Some("NEW1"),
    "`increased` describes a new lesion seen again; this is its first listing"
)]
#[case::ir_reset_progression_on_a_first_listing(
    "      - {id: NEW1, site: lung, long_axis: 12, field: none}",
    "      - {id: NEW1, site: lung, long_axis: 12, field: none, progression: true}",
    "progression: true",
    Some("2019-05-02"),
    Some("NEW1"),
    "`progression` describes a new lesion seen again"
)]
#[case::other_format_version(
    "subject: S-014\n",
    "format: recist-case/2\nsubject: S-014\n",
    "format:",
    None,
    None,
    "not supported"
)]
fn refused_with_its_place(
    #[case] from: &str,
    #[case] to: &str,
    #[case] line_needle: &str,
    #[case] date: Option<&str>,
    #[case] lesion: Option<&str>,
    #[case] message: &str,
) {
    assert!(CASE.contains(from), "the base case contains {from:?}");
    let text = CASE.replacen(from, to, 1);
    let err = refusal(&text);
    let line = if line_needle.contains('\n') {
        // The second of two identical-looking lines: locate the block start.
        let first = line_of(&text, "  - date: 2019-03-01");
        text.lines()
            .skip(first)
            .position(|l| l.contains("  - date: 2019-03-01"))
            .map(|i| i + first + 1)
            .unwrap_or(0)
    } else {
        line_of(&text, line_needle)
    };
    assert!(
        err.starts_with(&format!("case.yaml:{line}: subject `S-014`")),
        "expected file, line {line} and subject first: {err}"
    );
    if let Some(d) = date {
        assert!(
            err.contains(&format!("assessment {d}")),
            "names the assessment {d}: {err}"
        );
    }
    if let Some(l) = lesion {
        assert!(
            err.contains(&format!("`{l}`")),
            "names the lesion {l}: {err}"
        );
    }
    assert!(err.contains(message), "says `{message}`: {err}");
}

#[test]
fn yaml_syntax_errors_name_file_and_line() {
    let text = CASE.replace("      T1: {long_axis: 60}", "      T1: {long_axis: 60");
    let err = refusal(&text);
    assert!(err.starts_with("case.yaml:"), "{err}");
    // The subject is named when its `subject:` line reads all the same.
    assert!(err.contains(": subject `S-014`: "), "{err}");
}

#[test]
fn a_syntax_error_in_one_document_does_not_hide_the_others() {
    // Document 2 opens a quote it never closes; documents 1 and 3 are still read, and the
    // error names the file and a line of the whole file (in its message too).
    let bad = CASE.replace("subject: S-014", "subject: \"S-015");
    let text = format!("{CASE}---\n{bad}---\n{}", CASE.replace("S-014", "S-016"));
    let cases = recist_io::read_case_text(&text, "many.yaml", false).unwrap();
    assert_eq!(cases.len(), 3);
    let subject = |i: usize| cases[i].as_ref().ok().map(|c| c.subject.subject.clone());
    assert_eq!(subject(0).as_deref(), Some("S-014"));
    assert_eq!(subject(2).as_deref(), Some("S-016"));
    let err = cases[1]
        .as_ref()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let second = line_of(&text, "\"S-015");
    let third = line_of(&text, "S-016");
    let line: usize = err
        .strip_prefix("many.yaml:")
        .and_then(|r| r.split(':').next())
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    assert!(second <= line && line < third, "{err}");
    // Any line the parser's message names is the same absolute line.
    if let Some(at) = err.find(" at line ") {
        assert!(err[at..].starts_with(&format!(" at line {line},")), "{err}");
    }
    // A subject whose own line is broken is not guessed at.
    assert!(!err.contains("subject `"), "{err}");
}

/// A subject whose other case is not valid YAML is a duplicate all the same (its own
/// `subject:` line names it): neither case is adjudicated, rather than the valid one alone;
/// the pre-pass's keys agree with the reading's.
#[test]
fn a_case_that_is_not_yaml_still_counts_towards_its_subject_s_uniqueness() {
    let broken = format!("{}bogus: [unclosed\n", CASE);
    let other_subject = CASE.replace("S-014", "S-099");
    let text = format!("{CASE}---\n{broken}---\n{other_subject}");
    let keyed = recist_io::read_case_text_keyed(&text, "dup.yaml", false);
    let keys: Vec<Option<String>> = keyed
        .iter()
        .map(|(k, _)| k.as_ref().map(|k| k.subject.clone()))
        .collect();
    assert_eq!(
        keys,
        [
            Some("S-014".into()),
            Some("S-014".into()),
            Some("S-099".into())
        ]
    );
    let pre_pass: Vec<String> = recist_io::case_keys(&text, "dup.yaml", false)
        .into_iter()
        .map(|k| format!("{} {}", k.subject, k.line))
        .collect();
    let reading: Vec<String> = keyed
        .iter()
        .filter_map(|(k, _)| k.as_ref().map(|k| format!("{} {}", k.subject, k.line)))
        .collect();
    assert_eq!(pre_pass, reading);
    let cases = shown(recist_io::refuse_duplicates(keyed));
    assert_eq!(cases.len(), 2, "{cases:#?}");
    assert!(
        cases[0].contains("subject `S-014`: 2 cases of one subject × evaluator"),
        "{}",
        cases[0]
    );
    assert!(cases[1].starts_with("ok S-099"), "{}", cases[1]);
}

#[test]
fn one_bad_subject_does_not_hide_the_others() {
    let bad = CASE
        .replace("subject: S-014", "subject: S-015")
        .replace("      NT1: present\n    new", "      NT9: present\n    new");
    let text = format!("{CASE}---\n{bad}---\n{}", CASE.replace("S-014", "S-016"));
    let cases = recist_io::read_case_text(&text, "many.yaml", false).unwrap();
    assert_eq!(cases.len(), 3);
    assert!(cases[0].is_ok() && cases[2].is_ok());
    let err = cases[1]
        .as_ref()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let line = text
        .lines()
        .position(|l| l.contains("NT9: present"))
        .map(|i| i + 1)
        .unwrap_or(0);
    assert!(
        err.starts_with(&format!(
            "many.yaml:{line}: subject `S-015`: assessment 2019-05-02: lesion `NT9`"
        )),
        "{err}"
    );
}

#[test]
fn json_lines_report_their_line() {
    let good = r#"{"subject":"J-1","lesions":[{"id":"T1","site":"lung","role":"target"}],"assessments":[{"date":"2020-01-01","findings":{"T1":{"long_axis":20}}}]}"#;
    let bad = good.replace("J-1", "J-2").replace("20}", "-1}");
    let text = format!("{good}\n{bad}\n");
    let cases = recist_io::read_case_text(&text, "c.jsonl", true).unwrap();
    assert!(cases[0].is_ok());
    let err = cases[1]
        .as_ref()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("c.jsonl:2: subject `J-2`: assessment 2020-01-01: lesion `T1`"),
        "{err}"
    );
}

/// A case file that holds no case (empty, comments or `---` only, blank JSON Lines) is one
/// error naming the file, not an empty, silent success.
#[rstest]
#[case::empty("", false)]
#[case::comments_and_markers("# nothing here\n---\n---\n", false)]
#[case::blank_json_lines("\n  \n", true)]
fn a_file_with_no_case_is_refused(#[case] text: &str, #[case] jsonl: bool) {
    let cases = recist_io::read_case_text(text, "cases/x.yaml", jsonl).unwrap();
    assert_eq!(cases.len(), 1);
    let err = cases.into_iter().next().unwrap().unwrap_err();
    assert!(matches!(err, recist_io::CaseError::Empty { .. }), "{err}");
    assert!(
        err.to_string().starts_with("cases/x.yaml: holds no case"),
        "{err}"
    );
}

/// Cases as a line each: `ok SUBJECT line N` or `refused MESSAGE`.
fn shown(cases: Vec<Result<recist_io::LoadedCase, recist_io::CaseError>>) -> Vec<String> {
    cases
        .into_iter()
        .map(|c| match c {
            Ok(c) => format!("ok {} line {}", c.subject.subject, c.line),
            Err(e) => format!("refused {e}"),
        })
        .collect()
}

/// A case file with a byte that is not UTF-8 refuses the case holding it, naming the line and
/// byte where it is; the file's other cases are read.
#[test]
fn a_byte_not_utf8_refuses_its_case_at_its_line_and_the_other_cases_are_read() {
    let tmp = tempfile::Builder::new()
        .prefix("recist-io-utf8-")
        .tempdir()
        .unwrap();
    let dir = tmp.path();
    let case = |s: &str| {
        format!(
            "subject: {s}\nlesions:\n  - {{id: T1, site: liver, role: target}}\nassessments:\n  - date: 2021-01-04\n    findings: {{T1: {{long_axis: 40}}}}\n"
        )
    };
    // Writes `text` as `name` with each `@` turned into the byte `b` (not UTF-8), and reads it.
    let read = |name: &str, text: &str, b: u8| -> (String, Vec<String>) {
        let bytes: Vec<u8> = text
            .bytes()
            .map(|x| if x == b'@' { b } else { x })
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let cases = shown(recist_io::read_case_file(&path).unwrap());
        (path.display().to_string(), cases)
    };

    // Three YAML documents; the second has a Latin-1 `é` (0xe9) in a site name on line 10.
    let latin1 = [
        case("S-1"),
        case("S-2").replace("liver", "caf@"),
        case("S-3"),
    ]
    .join("---\n");
    let (p, cases) = read("latin1.yaml", &latin1, 0xe9);
    assert_eq!(
        cases,
        [
            "ok S-1 line 1".to_string(),
            format!("refused {p}:10: subject `S-2`: byte 23: not valid UTF-8"),
            "ok S-3 line 15".to_string(),
        ]
    );

    // A byte not UTF-8 outside every document (a comment before `---`) refuses the document
    // after it; the subject itself not UTF-8 is not named.
    let text = format!("# r@sum@\n---\n{}---\n{}", case("S-@"), case("S-5"));
    let (p, cases) = read("preamble.yaml", &text, 0xff);
    assert_eq!(
        cases,
        [
            format!("refused {p}:1: byte 4: not valid UTF-8"),
            "ok S-5 line 10".to_string(),
        ]
    );

    // A file of comments only, one not UTF-8: refused for that byte, not "holds no case".
    let (p, cases) = read("comments.yaml", "# only\n# caf@\n", 0xe9);
    assert_eq!(cases, [format!("refused {p}:2: byte 6: not valid UTF-8")]);

    // A case refused for such a byte still counts towards its subject's uniqueness: with a
    // second case of S-2 in another file, both are refused as duplicates.
    let other = dir.join("other.yaml");
    std::fs::write(&other, case("S-2")).unwrap();
    let mut keyed = recist_io::read_case_file_keyed(&dir.join("latin1.yaml")).unwrap();
    keyed.extend(recist_io::read_case_file_keyed(&other).unwrap());
    let cases = shown(recist_io::refuse_duplicates(keyed));
    assert_eq!(cases.len(), 3, "{cases:#?}");
    assert_eq!(
        (cases[0].as_str(), cases[2].as_str()),
        ("ok S-1 line 1", "ok S-3 line 15")
    );
    assert!(
        cases[1].contains("subject `S-2`: 2 cases of one subject × evaluator"),
        "{}",
        cases[1]
    );

    // JSON Lines: the line alone, with CRLF line ends.
    let line = |s: &str| {
        format!(
            r#"{{"subject": "{s}", "lesions": [{{"id": "T1", "site": "liver", "role": "target"}}], "assessments": [{{"date": "2021-01-04", "findings": {{"T1": {{"long_axis": 40}}}}}}]}}"#
        )
    };
    let text = format!(
        "{}\r\n{}\r\n\r\n{}\r\n",
        line("J-1"),
        line("J-@"),
        line("J-3")
    );
    let (p, cases) = read("cases.jsonl", &text, 0xe9);
    assert_eq!(
        cases,
        [
            "ok J-1 line 1".to_string(),
            format!("refused {p}:2: byte 16: not valid UTF-8"),
            "ok J-3 line 4".to_string(),
        ]
    );
    tmp.close().unwrap();
}

/// A document that is a list or a text is named as such, not as a Rust type's shape.
#[test]
fn a_document_that_is_not_a_mapping_is_named_as_such() {
    for (text, what) in [("- a\n- b\n", "a list"), ("just text\n", "a text")] {
        let err = refusal(text);
        assert!(
            err.contains(&format!(
                "this document is {what}; a case is a mapping of keys"
            )),
            "{err}"
        );
        assert!(!err.contains("RawCase"), "{err}");
    }
}
