//! Dates and integers written as their `Display` writes them, straight into a byte buffer:
//! results, RS rows and best-response reasons write millions of them, and chrono's formatter
//! goes character by character.

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

/// Appends an integer's decimal digits (with `-` when negative), as its `Display` writes them.
pub fn push_int(out: &mut Vec<u8>, n: i64) {
    // Up to three digits (days, lengths, sequence numbers: most integers written) as one
    // fixed-size append.
    let digit = |v: u64| b'0' + (v % 10) as u8;
    match n {
        0..=9 => return out.push(digit(n as u64)),
        10..=99 => return out.extend_from_slice(&[digit(n as u64 / 10), digit(n as u64)]),
        100..=999 => {
            let v = n as u64;
            return out.extend_from_slice(&[digit(v / 100), digit(v / 10), digit(v)]);
        }
        _ => {}
    }
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
        out.push(b'-');
    }
    out.extend_from_slice(buf.get(at..).unwrap_or_default());
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
    fn integers_are_written_as_display_writes_them() {
        let mut cases = vec![i64::MIN, i64::MIN + 1, i64::MAX, -1, 0, 1];
        for p in 0..19 {
            let ten = 10i64.pow(p);
            cases.extend([ten - 1, ten, ten + 1, -ten, -(ten - 1)]);
        }
        for n in cases {
            let mut out = b"x".to_vec();
            push_int(&mut out, n);
            assert_eq!(out, format!("x{n}").into_bytes());
        }
    }

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
