//! CDISC SDTM for recist: TU and TR (with DM reference dates) read into
//! [`Subject`](recist_model::Subject)s per subject and evaluator, RS written and read back,
//! the test-code and site [`Mapping`], and a synthetic-study generator.
//!
//! The contract is `cdisc.md`. Reading is streaming: [`GroupStream`] yields the rows of one
//! USUBJID at a time and [`build_subject`] turns them into one [`Unit`] per evaluator, each a
//! subject ready for the engine or a refusal with every problem found and its place (file,
//! row, subject, evaluator, lesion, visit).
//!
//! ```
//! use recist_sdtm::{Mapping, TestKind};
//! let mapping = Mapping::bundled().unwrap();
//! assert_eq!(mapping.test("LPERP"), Some(TestKind::ShortAxis));
//! assert!(mapping.is_nodal_site("AXILLARY LYMPH NODE"));
//! ```

mod build;
mod dates;
mod error;
mod mapping;
mod raw;
mod rs;

pub mod generate;

pub use build::{
    Built, EvalKey, Files, ReadOptions, RowCount, SubjectBuild, Unit, VisitMeta, build_subject,
    visit_name,
};
pub use dates::{Dtc, PartialDates, parse_dtc};
pub use error::{InputError, Place, Problem, SdtmError};
pub use mapping::{DEFAULT_MAPPING, Mapping, MappingError, RoleWord, StateWord, TestKind};
pub use raw::{
    BadRow, Domain, GroupStream, RawGroup, Spec, StreamTotals, dm as dm_columns, hex, parse_only,
    rs as rs_columns, sha256_file, tr as tr_columns, tu as tu_columns,
};
pub use rs::{
    RS_HEADER, RecordedCategory, RecordedRow, RecordedRows, RsTest, RsUnit, RsVisit, VisitsOf,
    bestresp, newlind, normalise, push_field, read_recorded, write_rs, write_rs_noting,
};
