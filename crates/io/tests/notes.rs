//! What the reader reads that a case file does not state is noted, once per lesion.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use recist_io::read_case_text;
use recist_model::LesionKind;

const CASE: &str = "\
subject: S-NOTES
lesions:
  - {id: T1, site: liver, role: target}
  - {id: NT1, site: malignant ascites, role: non-target}
  - {id: NT2, site: right pleural effusion, role: non-target, kind: effusion}
  - {id: NT3, site: portal vein, role: non-target}
assessments:
  - date: 2019-03-01
    findings: {T1: {long_axis: 40}, NT1: present, NT2: present, NT3: present}
  - date: 2019-05-02
    findings: {T1: {long_axis: 38}, NT1: present, NT2: present, NT3: present}
    new_lesions:
      - {id: NEW1, site: left pleural effusion}
  - date: 2019-07-01
    findings: {T1: {long_axis: 38}, NT1: present, NT2: present, NT3: present}
    new_lesions:
      - {id: NEW1, site: left pleural effusion}
";

/// A kind read from the site (`malignant ascites`, `left pleural effusion`) is noted with the
/// lesion and its site; a kind the case gives (NT2) or none read (NT3) is not; a new lesion
/// listed at two assessments is noted once.
#[test]
fn a_kind_read_from_the_site_is_noted_once() {
    let case = read_case_text(CASE, "notes.yaml", false)
        .unwrap()
        .remove(0)
        .unwrap();
    let kinds: Vec<Option<LesionKind>> = case.subject.lesions.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            None,
            Some(LesionKind::Ascites),
            Some(LesionKind::Effusion),
            None
        ]
    );
    assert_eq!(
        case.notes,
        [
            "lesion `NT1`: kind `ascites` read from its site `malignant ascites` (the case gives no `kind`)",
            "new lesion `NEW1`: kind `effusion` read from its site `left pleural effusion` (the case gives no `kind`)",
        ]
    );
    let stated = CASE
        .replace(
            "malignant ascites, role",
            "malignant ascites, kind: ascites, role",
        )
        .replace(
            "left pleural effusion}",
            "left pleural effusion, kind: effusion}",
        );
    let case = read_case_text(&stated, "notes.yaml", false)
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(case.notes.is_empty(), "{:?}", case.notes);
}

const RT_CASE: &str = "\
subject: S-RT-FIELD
radiotherapy:
  - {id: RT1, site: liver, lesions: [T1]}
lesions:
  - {id: T1, site: liver, role: target}
assessments:
  - date: 2019-03-01
    findings: {T1: {long_axis: 40}}
  - date: 2019-05-02
    findings: {T1: {long_axis: 38}}
    new_lesions:
      - {id: NEW1, site: liver, long_axis: 12}
  - date: 2019-07-01
    findings: {T1: {long_axis: 38}}
    new_lesions:
      - {id: NEW1, site: liver, long_axis: 14}
      - {id: NEW2, site: lung, long_axis: 12, field: none}
";

/// Rules reference section 6 (RT-OUT, AMB-RT2): a new lesion's field status is set by the
/// reader, not guessed. With radiotherapy, a new lesion without `field` is counted outside
/// every field (the case format's default), and the results say so, once per lesion; an
/// explicit `field: none` is not noted, nor is a missing `field` without radiotherapy.
#[test]
fn rt_out_a_new_lesion_without_field_is_noted_with_radiotherapy() {
    let case = read_case_text(RT_CASE, "notes.yaml", false)
        .unwrap()
        .remove(0)
        .unwrap();
    assert_eq!(
        case.notes,
        [
            "new lesion `NEW1` (first seen 2019-05-02) has no `field`: counted outside every radiotherapy field, the case format's default (state `field: none`, `field: RT1` or `field: marginal:RT1`) (RT-OUT)",
        ]
    );
    let no_rt = RT_CASE
        .replace(
            "radiotherapy:\n  - {id: RT1, site: liver, lesions: [T1]}\n",
            "",
        )
        .replace(", field: none", "");
    let case = read_case_text(&no_rt, "notes.yaml", false)
        .unwrap()
        .remove(0)
        .unwrap();
    assert!(case.notes.is_empty(), "{:?}", case.notes);
}
