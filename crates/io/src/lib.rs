//! The edges of recist: case files in, results out.
//!
//! ```
//! let text = "
//! subject: S-1
//! lesions:
//!   - {id: T1, site: liver, role: target}
//! assessments:
//!   - date: 2019-03-01
//!     findings: {T1: {long_axis: 40}}
//!   - date: 2019-04-12
//!     findings: {T1: {long_axis: 20}}
//! ";
//! let cases = recist_io::read_case_text(text, "example.yaml", false).unwrap();
//! let case = cases.into_iter().next().unwrap().unwrap();
//! assert_eq!(case.subject.assessments.len(), 2);
//!
//! // A finding for a lesion that was never identified is refused with its place.
//! let bad = text.replace("findings: {T1: {long_axis: 20}}", "findings: {T9: {long_axis: 20}}");
//! let err = recist_io::read_case_text(&bad, "example.yaml", false).unwrap().remove(0).unwrap_err();
//! assert!(err.to_string().starts_with("example.yaml:9: subject `S-1`: assessment 2019-04-12: lesion `T9`"), "{err}");
//! ```

mod case;
mod error;
mod recorded;
mod render;

pub use case::{
    CaseKey, CaseText, KeyedCase, LoadedCase, case_documents, case_keys, read_case_file,
    read_case_file_keyed, read_case_text, read_case_text_keyed, refuse_duplicates,
};
pub use error::{CaseError, Place};
pub use recorded::{
    Recorded, RecordedSubject, read_recorded, read_recorded_with, read_reference_dates,
};
pub use render::{explain, to_json, to_jsonl};
