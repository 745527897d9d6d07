//! Exact lengths in millimetres.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A length in millimetres, stored exactly as an integer count of hundredths of a millimetre.
///
/// Case files give lengths with at most two decimals, so every sum and comparison the
/// criteria ask for is exact (AMB-09, AMB-10): no floating point takes part in a decision.
///
/// ```
/// use recist_model::Mm;
/// let a = Mm::parse_decimal(23.45).unwrap();
/// assert_eq!(a.hundredths(), 2345);
/// assert_eq!(a.to_string(), "23.45");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mm(i64);

/// Why a number could not be taken as a length.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LengthError {
    /// The number is negative.
    #[error("length {0} is negative")]
    Negative(f64),
    /// The number has more than two decimals.
    #[error("length {0} has more than two decimals")]
    TooPrecise(f64),
    /// The number is not finite.
    #[error("length {0} is not a usable number")]
    NotFinite(f64),
    /// The number is beyond any lesion: more than [`Mm::MAX_MM`] millimetres.
    #[error("length {0} mm is beyond any lesion (more than 1 km)")]
    TooLarge(f64),
}

impl Mm {
    /// Zero millimetres.
    pub const ZERO: Mm = Mm(0);

    /// The largest length read (1 km): no lesion is near it, and it keeps every sum of lengths
    /// far from the integer's range (overflow would need some 10^11 lesions).
    pub const MAX_MM: f64 = 1.0e6;

    /// [`Mm::MAX_MM`] as a length.
    pub const MAX: Mm = Mm(100_000_000);

    /// Whether this is a length the readers can give: from 0 to [`Mm::MAX`] (a negative
    /// length, or one beyond any lesion, is a caller's mistake the engine refuses).
    pub const fn is_length(self) -> bool {
        self.0 >= 0 && self.0 <= Mm::MAX.0
    }

    /// A length from whole millimetres (saturating: beyond the integer's range it stays at
    /// its end, never wraps or panics; no such length is a lesion's).
    pub const fn from_mm(mm: i64) -> Self {
        Mm(mm.saturating_mul(100))
    }

    /// A length from hundredths of a millimetre.
    pub const fn from_hundredths(h: i64) -> Self {
        Mm(h)
    }

    /// The length in hundredths of a millimetre.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// Takes a decimal number of millimetres with at most two decimals, refusing negatives.
    pub fn parse_decimal(value: f64) -> Result<Self, LengthError> {
        if !value.is_finite() {
            return Err(LengthError::NotFinite(value));
        }
        if value > Self::MAX_MM {
            return Err(LengthError::TooLarge(value));
        }
        if value < 0.0 {
            return Err(LengthError::Negative(value));
        }
        let scaled = value * 100.0;
        let rounded = scaled.round();
        if (scaled - rounded).abs() > 1e-6 * scaled.abs().max(1.0) {
            return Err(LengthError::TooPrecise(value));
        }
        // The range check above keeps the value well inside i64.
        Ok(Mm(rounded as i64))
    }

    /// The length as a floating-point number of millimetres, for display and JSON only.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Whether the length is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add for Mm {
    type Output = Mm;
    /// Saturates rather than wraps (lengths are bounded by [`Mm::MAX_MM`], so it never does).
    fn add(self, rhs: Mm) -> Mm {
        Mm(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Mm {
    type Output = Mm;
    /// Saturates rather than wraps, as [`Add`].
    fn sub(self, rhs: Mm) -> Mm {
        Mm(self.0.saturating_sub(rhs.0))
    }
}

impl Sum for Mm {
    fn sum<I: Iterator<Item = Mm>>(iter: I) -> Mm {
        iter.fold(Mm::ZERO, Add::add)
    }
}

impl fmt::Display for Mm {
    /// `12`, `12.5`, `12.25`, `-0.5`: no trailing zero; `{:+}` writes `+12` (and `+0`).
    /// Written into a stack buffer and passed on in one piece (explanations print many
    /// lengths), ignoring width and precision as it always has.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Sign, 20 digits of u64, point, two decimals.
        let mut buf = [0u8; 24];
        let mut at = buf.len();
        let mut put = |b: u8, at: &mut usize| {
            *at -= 1;
            if let Some(slot) = buf.get_mut(*at) {
                *slot = b;
            }
        };
        let abs = self.0.unsigned_abs();
        let (mut whole, frac) = (abs / 100, abs % 100);
        if frac != 0 {
            if frac % 10 != 0 {
                put(b'0' + (frac % 10) as u8, &mut at);
            }
            put(b'0' + (frac / 10) as u8, &mut at);
            put(b'.', &mut at);
        }
        loop {
            put(b'0' + (whole % 10) as u8, &mut at);
            whole /= 10;
            if whole == 0 {
                break;
            }
        }
        if self.0 < 0 {
            put(b'-', &mut at);
        } else if f.sign_plus() {
            put(b'+', &mut at);
        }
        f.write_str(std::str::from_utf8(buf.get(at..).unwrap_or_default()).unwrap_or_default())
    }
}

impl Serialize for Mm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Mm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Mm::parse_decimal(v).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Mm {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Millimetres".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "minimum": 0,
            "multipleOf": 0.01,
            "description": "a length in millimetres with at most two decimals"
        })
    }
}

/// A percentage with at most two decimals, stored exactly in hundredths of a percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pct(i64);

impl Pct {
    /// A percentage from whole percent.
    pub const fn from_pct(p: i64) -> Self {
        Pct(p.saturating_mul(100))
    }
    /// The percentage in hundredths of a percent (basis points).
    pub const fn hundredths(self) -> i64 {
        self.0
    }
    /// Takes a decimal percentage with at most two decimals.
    pub fn parse_decimal(value: f64) -> Result<Self, LengthError> {
        Mm::parse_decimal(value).map(|m| Pct(m.0))
    }
}

impl fmt::Display for Pct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Mm(self.0))
    }
}

impl Serialize for Pct {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 100.0)
    }
}

impl<'de> Deserialize<'de> for Pct {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        Pct::parse_decimal(v).map_err(|e| {
            // The same checks as a length, said of a percentage.
            let text = match e {
                LengthError::Negative(v) => format!("percentage {v} is negative"),
                LengthError::TooPrecise(v) => format!("percentage {v} has more than two decimals"),
                LengthError::NotFinite(v) | LengthError::TooLarge(v) => {
                    format!("percentage {v} is not a usable number")
                }
            };
            serde::de::Error::custom(text)
        })
    }
}

impl schemars::JsonSchema for Pct {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "minimum": 0,
            "maximum": 1000,
            "multipleOf": 0.01,
            "description": "a percentage with at most two decimals"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The display as it was written with `write!`, for comparison.
    fn mm_text(h: i64) -> String {
        let sign = if h < 0 { "-" } else { "" };
        let abs = h.unsigned_abs();
        let (whole, frac) = (abs / 100, abs % 100);
        if frac == 0 {
            format!("{sign}{whole}")
        } else if frac % 10 == 0 {
            format!("{sign}{whole}.{}", frac / 10)
        } else {
            format!("{sign}{whole}.{frac:02}")
        }
    }

    #[test]
    fn mm_display_drops_trailing_zeros() {
        for h in (-20_000..20_000).chain([i64::MIN, i64::MIN + 1, i64::MAX, 123_456_789_012]) {
            assert_eq!(Mm::from_hundredths(h).to_string(), mm_text(h), "{h}");
        }
        assert_eq!(format!("{:>6}|", Mm::from_hundredths(1250)), "12.5|");
    }

    #[test]
    fn two_decimals_are_exact() {
        assert_eq!(Mm::parse_decimal(0.1).map(Mm::hundredths), Ok(10));
        assert_eq!(Mm::parse_decimal(119.99).map(Mm::hundredths), Ok(11999));
        assert_eq!(Mm::parse_decimal(0.29).map(Mm::hundredths), Ok(29));
    }

    #[test]
    fn three_decimals_and_negatives_are_refused() {
        assert!(matches!(
            Mm::parse_decimal(1.234),
            Err(LengthError::TooPrecise(_))
        ));
        assert!(matches!(
            Mm::parse_decimal(-1.0),
            Err(LengthError::Negative(_))
        ));
        assert!(matches!(
            Mm::parse_decimal(f64::NAN),
            Err(LengthError::NotFinite(_))
        ));
    }

    /// Lengths beyond 1 km are refused, so that no sum of lengths can overflow (a case file
    /// of 92,300 fragments of 1e12 mm once summed to a negative length: target PR); sums
    /// saturate rather than wrap all the same.
    #[test]
    fn lengths_beyond_a_kilometre_are_refused_and_sums_never_wrap() {
        assert_eq!(
            Mm::parse_decimal(1.0e6).map(Mm::hundredths),
            Ok(100_000_000)
        );
        assert!(matches!(
            Mm::parse_decimal(1.0e6 + 0.01),
            Err(LengthError::TooLarge(_))
        ));
        assert!(matches!(
            Mm::parse_decimal(1.0e12),
            Err(LengthError::TooLarge(_))
        ));
        let huge = Mm::from_hundredths(i64::MAX - 1);
        assert_eq!(
            [huge, huge, huge].into_iter().sum::<Mm>().hundredths(),
            i64::MAX
        );
        assert_eq!((Mm::ZERO - huge - huge).hundredths(), i64::MIN);
    }

    #[test]
    fn display_trims_zeros() {
        assert_eq!(Mm::from_hundredths(1000).to_string(), "10");
        assert_eq!(Mm::from_hundredths(1050).to_string(), "10.5");
        assert_eq!(Mm::from_hundredths(-1005).to_string(), "-10.05");
    }

    /// `{:+}` signs a change (explanations print "+5 mm" vs the nadir); plain `{}` does not.
    #[test]
    fn display_signs_with_plus_flag() {
        assert_eq!(format!("{:+}", Mm::from_hundredths(500)), "+5");
        assert_eq!(format!("{:+}", Mm::from_hundredths(-250)), "-2.5");
        assert_eq!(format!("{:+}", Mm::ZERO), "+0");
        assert_eq!(format!("{}", Mm::from_hundredths(500)), "5");
    }
}
