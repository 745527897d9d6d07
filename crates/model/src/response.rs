//! The response vocabulary: exactly the CDISC RS strings of `results.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The CDISC string.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the CDISC string, ignoring case and surrounding space.
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim();
                $(if t.eq_ignore_ascii_case($text) { return Some($name::$variant); })+
                None
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// Target lesion response at one timepoint.
    TargetResponse {
        /// Complete response.
        Cr => "CR",
        /// Partial response.
        Pr => "PR",
        /// Stable disease.
        Sd => "SD",
        /// Progressive disease.
        Pd => "PD",
        /// Not evaluable.
        Ne => "NE",
    }
}

vocabulary! {
    /// Non-target lesion response at one timepoint.
    NonTargetResponse {
        /// Complete response.
        Cr => "CR",
        /// Neither CR nor PD.
        NonCrNonPd => "NON-CR/NON-PD",
        /// Unequivocal progression.
        Pd => "PD",
        /// Not evaluable.
        Ne => "NE",
    }
}

vocabulary! {
    /// New lesion indicator at one timepoint.
    NewLesions {
        /// No new lesion.
        No => "NO",
        /// A finding that may be a new lesion; no progression until confirmed.
        Equivocal => "EQUIVOCAL",
        /// An unequivocal new lesion.
        Yes => "YES",
    }
}

vocabulary! {
    /// Overall response at one timepoint, and best overall response.
    OverallResponse {
        /// Complete response.
        Cr => "CR",
        /// Partial response.
        Pr => "PR",
        /// Stable disease.
        Sd => "SD",
        /// Non-target disease only, neither CR nor PD.
        NonCrNonPd => "NON-CR/NON-PD",
        /// Progressive disease.
        Pd => "PD",
        /// Not evaluable.
        Ne => "NE",
        /// iRECIST complete response (IR-BASE).
        ICr => "iCR",
        /// iRECIST partial response (IR-BASE).
        IPr => "iPR",
        /// iRECIST stable disease (IR-BASE).
        ISd => "iSD",
        /// iRECIST non-target disease only, neither iCR nor iUPD (IR-BASE).
        NonICrNonIUpd => "NON-iCR/NON-iUPD",
        /// iRECIST unconfirmed progression (IR-UPD).
        IUpd => "iUPD",
        /// iRECIST confirmed progression (IR-CPD-*).
        ICpd => "iCPD",
    }
}

/// RECIST 1.1's overall responses, as an error lists them.
pub const RECIST_WORDS: &str = "CR, PR, SD, NON-CR/NON-PD, PD or NE";

/// iRECIST's overall responses (IR-BASE), as an error lists them.
pub const IRECIST_WORDS: &str = "iCR, iPR, iSD, NON-iCR/NON-iUPD, iUPD, iCPD or NE";

/// The standard spelling of a recorded response written loosely (case, spaces and missing
/// hyphens aside: `Non-CR / Non-PD`, `NONCR/NONPD`, `Not evaluable`): `NON-CR/NON-PD`,
/// `NON-iCR/NON-iUPD` or `NE`; `None` for any other text (read it as it is).
///
/// ```
/// use recist_model::standard_spelling;
/// assert_eq!(standard_spelling("Non-CR / Non-PD"), Some("NON-CR/NON-PD"));
/// assert_eq!(standard_spelling("nonicr/noniupd"), Some("NON-iCR/NON-iUPD"));
/// assert_eq!(standard_spelling("Not evaluable"), Some("NE"));
/// assert_eq!(standard_spelling("PR"), None);
/// ```
pub fn standard_spelling(text: &str) -> Option<&'static str> {
    let compact = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    Some(match compact.as_str() {
        "NON-CR/NON-PD" | "NONCR/NONPD" | "NON-CR/NONPD" | "NONCR/NON-PD" => "NON-CR/NON-PD",
        "NON-ICR/NON-IUPD" | "NONICR/NONIUPD" | "NON-ICR/NONIUPD" | "NONICR/NON-IUPD" => {
            "NON-iCR/NON-iUPD"
        }
        "NE" | "NOTEVALUABLE" | "NOTEVALUATED" | "UNABLETOEVALUATE" => "NE",
        _ => return None,
    })
}

impl OverallResponse {
    /// Whether this is one of iRECIST's categories (`NE` is shared and is not).
    pub const fn is_irecist(self) -> bool {
        matches!(
            self,
            OverallResponse::ICr
                | OverallResponse::IPr
                | OverallResponse::ISd
                | OverallResponse::NonICrNonIUpd
                | OverallResponse::IUpd
                | OverallResponse::ICpd
        )
    }

    /// The iRECIST category of a RECIST 1.1 response without progression (`CR` → `iCR`,
    /// `PR` → `iPR`, `SD` → `iSD`, `NON-CR/NON-PD` → `NON-iCR/NON-iUPD`); `PD` → `iUPD`;
    /// `NE` and iRECIST categories are returned as they are (IR-BASE).
    pub const fn to_irecist(self) -> OverallResponse {
        match self {
            OverallResponse::Cr => OverallResponse::ICr,
            OverallResponse::Pr => OverallResponse::IPr,
            OverallResponse::Sd => OverallResponse::ISd,
            OverallResponse::NonCrNonPd => OverallResponse::NonICrNonIUpd,
            OverallResponse::Pd => OverallResponse::IUpd,
            other => other,
        }
    }
}

/// Whether a recorded response is one of iRECIST's categories (`iCR`, `iPR`, `iSD`, `iUPD`,
/// `iCPD`, `NON-iCR/NON-iUPD`), which are read as recorded responses only for a rule set
/// with an `irecist` section: refusals of such a word elsewhere say so rather than only
/// "unknown".
pub fn is_irecist_word(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        t.as_str(),
        "ICR" | "IPR" | "ISD" | "IUPD" | "ICPD" | "NON-ICR/NON-IUPD"
    )
}

/// What a refusal of an iRECIST word adds ("" for any other word).
pub fn irecist_note(text: &str) -> &'static str {
    if is_irecist_word(text) {
        "; iRECIST categories are not read as recorded responses under RECIST 1.1 or mRECIST (a rule set without an `irecist` section): read them with `--rules irecist`"
    } else {
        ""
    }
}
