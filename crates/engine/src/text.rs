//! Texts written piece by piece into a `String`, without the formatting machinery: texts made
//! for every result (best-response reasons) are built this way, the same characters as the
//! `Display` of each piece.

use chrono::NaiveDate;
use recist_model::iso_date_bytes;

/// A text under construction.
pub(crate) struct Text(String);

impl Text {
    /// An empty text with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Text {
        Text(String::with_capacity(capacity))
    }

    /// Appends `s`.
    pub(crate) fn s(mut self, s: &str) -> Text {
        self.0.push_str(s);
        self
    }

    /// Appends an integer as its `Display` writes it.
    pub(crate) fn int(mut self, n: i64) -> Text {
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        let mut v = n.unsigned_abs();
        loop {
            at -= 1;
            if let Some(slot) = buf.get_mut(at) {
                *slot = b'0' + (v % 10) as u8;
            }
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if n < 0 {
            self.0.push('-');
        }
        for &b in buf.get(at..).unwrap_or_default() {
            self.0.push(char::from(b));
        }
        self
    }

    /// Appends a date as chrono's `Display` writes it.
    pub(crate) fn date(mut self, d: NaiveDate) -> Text {
        match iso_date_bytes(d) {
            Some(bytes) => bytes.iter().for_each(|&b| self.0.push(char::from(b))),
            None => self.0.push_str(&d.to_string()),
        }
        self
    }

    /// The text.
    pub(crate) fn done(self) -> String {
        self.0
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
