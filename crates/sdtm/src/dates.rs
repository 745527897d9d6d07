//! ISO 8601 dates of SDTM `--DTC` columns, with partial dates refused unless imputed.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::error::Problem;

/// What to do with a partial date (`2014-03`, `2014`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartialDates {
    /// Refuse the record (the default: dates are never guessed silently).
    #[default]
    Refuse,
    /// Impute the first day of the period.
    First,
    /// Impute the last day of the period.
    Last,
}

impl PartialDates {
    /// Parses `refuse`, `first` or `last`.
    pub fn parse(text: &str) -> Option<PartialDates> {
        match text.trim().to_ascii_lowercase().as_str() {
            "refuse" => Some(PartialDates::Refuse),
            "first" => Some(PartialDates::First),
            "last" => Some(PartialDates::Last),
            _ => None,
        }
    }

    /// The option's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PartialDates::Refuse => "refuse",
            PartialDates::First => "first",
            PartialDates::Last => "last",
        }
    }
}

/// A date read from a `--DTC` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dtc {
    /// The date used.
    pub date: NaiveDate,
    /// Set when the value was partial and imputed.
    pub imputed: bool,
    /// How much of the date was collected (`Day` for a full date).
    pub precision: Precision,
}

/// How much of a `--DTC` date was collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Year, month and day.
    Day,
    /// Year and month (`2021-02`).
    Month,
    /// The year alone (`2021`).
    Year,
}

impl Dtc {
    /// The date as collected, in ISO 8601 (`2021-02-15`, `2021-02`, `2021`): for a partial
    /// date, what SDTM `--DTC` holds (an imputation belongs to the analysis, not to it).
    pub fn as_collected(&self) -> String {
        match self.precision {
            Precision::Day => self.date.format("%Y-%m-%d").to_string(),
            Precision::Month => self.date.format("%Y-%m").to_string(),
            Precision::Year => self.date.format("%Y").to_string(),
        }
    }

    /// The first and last day the value may name: the date itself when it is full, else
    /// every day of its month (`2021-02`) or year (`2021`), whatever the imputation chose.
    pub fn period(&self) -> (NaiveDate, NaiveDate) {
        let (y, m) = (self.date.year(), self.date.month());
        let period = match self.precision {
            Precision::Day => None,
            Precision::Month => NaiveDate::from_ymd_opt(y, m, 1).zip(last_of_month(y, m)),
            Precision::Year => {
                NaiveDate::from_ymd_opt(y, 1, 1).zip(NaiveDate::from_ymd_opt(y, 12, 31))
            }
        };
        period.unwrap_or((self.date, self.date))
    }
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn last_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt())
}

/// A full date `YYYY-MM-DD` (alone or before `T` and a time) read at once: the date the
/// general reading in [`parse_dtc`] gives it; `None` for anything else (read the general way).
fn full_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    if b.len() < 10 || (b.len() > 10 && b.get(10) != Some(&b'T')) {
        return None;
    }
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        b.get(from..to)?.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5, 7)?, number(8, 10)?)
}

/// Reads a `--DTC` value: `None` when empty; a time part is dropped; a partial date is
/// refused or imputed per `policy`.
pub fn parse_dtc(
    text: &str,
    column: &'static str,
    policy: PartialDates,
) -> Result<Option<Dtc>, Problem> {
    let t = crate::mapping::trim(text);
    if t.is_empty() {
        return Ok(None);
    }
    if let Some(date) = full_date(t) {
        return Ok(Some(Dtc {
            date,
            imputed: false,
            precision: Precision::Day,
        }));
    }
    parse_trimmed(t, column, policy)
}

/// [`parse_dtc`] of a trimmed, non-empty value, the general way.
fn parse_trimmed(
    t: &str,
    column: &'static str,
    policy: PartialDates,
) -> Result<Option<Dtc>, Problem> {
    let bad = || Problem::BadDate {
        column,
        value: t.to_string(),
    };
    let date_part = t.split('T').next().unwrap_or(t);
    let mut parts = date_part.split('-');
    let (y, m, d, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
    if rest.is_some() {
        return Err(bad());
    }
    let year = match y {
        Some(y) if y.len() == 4 => num(y).ok_or_else(bad)? as i32,
        _ => return Err(bad()),
    };
    let month = match m {
        Some(m) if m.len() == 2 => Some(num(m).ok_or_else(bad)?),
        Some(_) => return Err(bad()),
        None => None,
    };
    let day = match d {
        Some(d) if d.len() == 2 => Some(num(d).ok_or_else(bad)?),
        Some(_) => return Err(bad()),
        None => None,
    };
    match (month, day) {
        (Some(m), Some(d)) => {
            let date = NaiveDate::from_ymd_opt(year, m, d).ok_or_else(bad)?;
            Ok(Some(Dtc {
                date,
                imputed: false,
                precision: Precision::Day,
            }))
        }
        (Some(m), None) => {
            let first = NaiveDate::from_ymd_opt(year, m, 1).ok_or_else(bad)?;
            let date = match policy {
                PartialDates::Refuse => {
                    return Err(Problem::PartialDate {
                        column,
                        value: t.to_string(),
                    });
                }
                PartialDates::First => first,
                PartialDates::Last => last_of_month(first.year(), first.month()).ok_or_else(bad)?,
            };
            Ok(Some(Dtc {
                date,
                imputed: true,
                precision: Precision::Month,
            }))
        }
        _ => {
            let date = match policy {
                PartialDates::Refuse => {
                    return Err(Problem::PartialDate {
                        column,
                        value: t.to_string(),
                    });
                }
                PartialDates::First => NaiveDate::from_ymd_opt(year, 1, 1),
                PartialDates::Last => NaiveDate::from_ymd_opt(year, 12, 31),
            }
            .ok_or_else(bad)?;
            Ok(Some(Dtc {
                date,
                imputed: true,
                precision: Precision::Year,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn full_dates_and_times() {
        let r = parse_dtc("2020-02-29T10:30", "TRDTC", PartialDates::Refuse).unwrap();
        assert_eq!(r.unwrap().date, d("2020-02-29"));
        assert_eq!(parse_dtc(" ", "TRDTC", PartialDates::Refuse).unwrap(), None);
    }

    #[test]
    fn partial_dates_are_refused_or_imputed() {
        assert!(matches!(
            parse_dtc("2014-03", "TRDTC", PartialDates::Refuse),
            Err(Problem::PartialDate { .. })
        ));
        let first = parse_dtc("2014-03", "TRDTC", PartialDates::First)
            .unwrap()
            .unwrap();
        assert_eq!(first.date, d("2014-03-01"));
        assert!(first.imputed);
        let last = parse_dtc("2016-02", "TRDTC", PartialDates::Last)
            .unwrap()
            .unwrap();
        assert_eq!(last.date, d("2016-02-29"));
        let year = parse_dtc("2014", "TRDTC", PartialDates::Last)
            .unwrap()
            .unwrap();
        assert_eq!(year.date, d("2014-12-31"));
        // What was collected stays known (written as RSDTC).
        assert_eq!(first.as_collected(), "2014-03");
        assert_eq!(last.as_collected(), "2016-02");
        assert_eq!(year.as_collected(), "2014");
        let full = parse_dtc("2014-03-07T10:00", "TRDTC", PartialDates::First)
            .unwrap()
            .unwrap();
        assert_eq!(full.as_collected(), "2014-03-07");
    }

    #[test]
    fn full_dates_read_at_once_read_as_the_general_way() {
        for t in [
            "2020-02-29",
            "2021-02-29",
            "2020-13-01",
            "2020-00-10",
            "2020-01-00",
            "2020-12-31T23:59",
            "2020-12-31T",
            "2020-12-31X",
            "2020-12-3",
            "2020-1-31",
            "+020-01-31",
            "2020-01-3a",
            "0000-01-01",
            "9999-12-31",
            "2020-01-01T10:00T11",
            "2020-01",
            "2020",
        ] {
            for policy in [PartialDates::Refuse, PartialDates::First] {
                let general = parse_trimmed(t, "TRDTC", policy);
                match full_date(t) {
                    Some(date) => assert_eq!(
                        general,
                        Ok(Some(Dtc {
                            date,
                            imputed: false,
                            precision: Precision::Day,
                        })),
                        "{t}"
                    ),
                    None => assert!(
                        !matches!(general, Ok(Some(Dtc { imputed: false, .. }))) || t.len() != 10,
                        "{t}: a full date the quick reading missed"
                    ),
                }
                assert_eq!(parse_dtc(t, "TRDTC", policy), general, "{t}");
            }
        }
    }

    #[test]
    fn nonsense_is_a_bad_date() {
        for t in ["2014-02-30", "14-03-01", "2014/03/01", "UNK"] {
            assert!(
                matches!(
                    parse_dtc(t, "TRDTC", PartialDates::First),
                    Err(Problem::BadDate { .. })
                ),
                "{t}"
            );
        }
    }
}
