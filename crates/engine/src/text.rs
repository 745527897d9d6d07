//! Texts written piece by piece into a `String`, without the formatting machinery: texts made
//! for every result (best-response reasons) are built this way, the same characters as the
//! `Display` of each piece.

use chrono::NaiveDate;
use recist_model::{push_int, push_iso_date};

/// A text under construction (bytes appended from `&str` pieces and ASCII digits only, so
/// always UTF-8).
pub(crate) struct Text(Vec<u8>);

impl Text {
    /// An empty text with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Text {
        Text(Vec::with_capacity(capacity))
    }

    /// Appends `s`.
    pub(crate) fn s(mut self, s: &str) -> Text {
        self.0.extend_from_slice(s.as_bytes());
        self
    }

    /// Appends an integer as its `Display` writes it.
    pub(crate) fn int(mut self, n: i64) -> Text {
        push_int(&mut self.0, n);
        self
    }

    /// Appends a date as chrono's `Display` writes it.
    pub(crate) fn date(mut self, d: NaiveDate) -> Text {
        push_iso_date(&mut self.0, d);
        self
    }

    /// The text.
    pub(crate) fn done(self) -> String {
        // Only `&str` pieces and ASCII were appended: the conversion cannot fail.
        String::from_utf8(self.0)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pieces_are_written_as_display_writes_them() {
        let mut ints = vec![i64::MIN, i64::MAX, -1, 0, 1];
        for p in 0..19 {
            let ten = 10i64.pow(p);
            ints.extend([ten - 1, ten, ten + 1, -ten, -(ten - 1)]);
        }
        for n in ints {
            assert_eq!(Text::with_capacity(0).s("x").int(n).done(), format!("x{n}"));
        }
        let mut dates = vec![NaiveDate::MIN, NaiveDate::MAX];
        for y in [-10_000, -1, 0, 1, 999, 2020, 9999, 10_000] {
            dates.extend(NaiveDate::from_ymd_opt(y, 1, 9));
            dates.extend(NaiveDate::from_ymd_opt(y, 12, 31));
        }
        for d in dates {
            assert_eq!(
                Text::with_capacity(0).date(d).s(";").done(),
                format!("{d};")
            );
        }
    }
}
