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
    }
}

/// Whether a recorded response is one of iRECIST's categories (`iCR`, `iPR`, `iSD`, `iUPD`,
/// `iCPD`, `NON-iCR/NON-iUPD`), which no bundled rule set adjudicates: refusals of such a
/// word say so rather than only "unknown".
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
        "; iRECIST categories are not adjudicated by this version (no bundled rule set implements iRECIST)"
    } else {
        ""
    }
}
