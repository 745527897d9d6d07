//! Dates written as `YYYY-MM-DD` without going through chrono's formatter, which writes
//! character by character: results, RS rows and best-response reasons write millions of them.

use chrono::{Datelike, NaiveDate};

/// The ten bytes of `YYYY-MM-DD`, exactly as chrono's `Display` writes the date, for years 0
/// to 9999; `None` for other years (chrono adds a sign: use its `Display` then).
pub fn iso_date_bytes(d: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year()).ok().filter(|&y| y <= 9999)?;
    let (month, day) = (d.month(), d.day());
    let digit = |n: u32| b'0' + (n % 10) as u8;
    Some([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// Appends a date as chrono's `Display` writes it (`2020-03-22`; a year beyond 0..=9999 with
/// its sign).
pub fn push_iso_date(out: &mut Vec<u8>, d: NaiveDate) {
    match iso_date_bytes(d) {
        Some(bytes) => out.extend_from_slice(&bytes),
        None => out.extend_from_slice(d.to_string().as_bytes()),
    }
}

/// A date that displays as chrono displays it, written in one piece.
///
/// ```
/// use chrono::NaiveDate;
/// use recist_model::IsoDate;
/// let d = NaiveDate::from_ymd_opt(2020, 3, 22).unwrap();
/// assert_eq!(IsoDate(d).to_string(), "2020-03-22");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoDate(pub NaiveDate);

impl std::fmt::Display for IsoDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match iso_date_bytes(self.0) {
            Some(bytes) => f.write_str(std::str::from_utf8(&bytes).map_err(|_| std::fmt::Error)?),
            None => self.0.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let mut dates: Vec<NaiveDate> = (-800i64..800)
            .filter_map(|n| start.checked_add_signed(chrono::Duration::days(n * 37)))
            .collect();
        for y in [-10_000, -1, 0, 1, 9, 99, 999, 1000, 9999, 10_000, 262_142] {
            dates.extend(NaiveDate::from_ymd_opt(y, 12, 31));
            dates.extend(NaiveDate::from_ymd_opt(y, 1, 1));
        }
        dates.extend([NaiveDate::MIN, NaiveDate::MAX]);
        for d in dates {
            let mut out = b"x".to_vec();
            push_iso_date(&mut out, d);
            assert_eq!(out, format!("x{d}").into_bytes(), "{d}");
            assert_eq!(IsoDate(d).to_string(), d.to_string());
        }
    }
}
