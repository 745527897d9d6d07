//! Plain data types shared by every recist crate: exact lengths, the subject's history,
//! the response vocabulary and results.
//!
//! ```
//! use recist_model::{Mm, OverallResponse};
//! let sum = Mm::from_mm(60) + Mm::parse_decimal(4.5).unwrap();
//! assert_eq!(sum.to_string(), "64.5");
//! assert_eq!(OverallResponse::parse("non-cr/non-pd"), Some(OverallResponse::NonCrNonPd));
//! ```

mod case;
mod length;
mod response;
mod result;
mod text;

pub use case::{
    Assessment, Cytology, Diameters, FieldPlacement, Finding, FollowUp, Lesion, LesionKind,
    Modality, NewLesion, NonTargetFinding, NonTargetStatus, RadiotherapyCourse, Role, Subject,
    TargetFinding,
};
pub use length::{LengthError, Mm, Pct};
pub use response::{
    IRECIST_WORDS, NewLesions, NonTargetResponse, OverallResponse, RECIST_WORDS, TargetResponse,
    irecist_note, is_irecist_word, standard_spelling,
};
pub use result::{
    Abscopal, AbscopalLesion, AppliedOverride, CourseDose, Endpoint, Endpoints, Explanation,
    FollowUpResult, Progression, RESULT_ID_NAMESPACE, ResponseDates, RuleSetRef, Scope,
    SubjectResult, TimepointResult, result_id,
};
pub use text::{IsoDate, iso_date_bytes, push_int, push_iso_date};
