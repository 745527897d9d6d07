//! Overall responses recorded elsewhere, for `recist bor`: a plain CSV
//! (`subject,date,response[,reference_date]`) or an SDTM RS CSV (`USUBJID`, `RSDTC`,
//! `RSTESTCD` = `OVRLRESP`, `RSSTRESC`, grouped per `RSEVAL`/`RSEVALID` and `RSCAT`).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use recist_model::{IRECIST_WORDS, OverallResponse, RECIST_WORDS};

use crate::error::{CaseError, Place};

/// One subject's recorded overall responses (one evaluator, one response category).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedSubject {
    /// Subject.
    pub subject: String,
    /// Evaluator (`RSEVAL`, with `RSEVALID` after a slash when given).
    pub evaluator: Option<String>,
    /// Response category (`RSCAT`), when given.
    pub category: Option<String>,
    /// Reference date for the SD minimum, when known.
    pub reference_date: Option<NaiveDate>,
    /// (date, response, 1-based row) in date order.
    pub visits: Vec<(NaiveDate, OverallResponse, usize)>,
    /// Non-target-only disease: a NON-CR/NON-PD recorded, or (SDTM RS) TRGRESP rows that are
    /// all `NA` (no target lesion).
    pub non_target_only: bool,
    /// Dates whose SDTM RS components are TRGRESP `CR` and NTRGRESP `NE`, without NEWLIND `Y`:
    /// an overall PR there is RECIST 1.1 Table 1's "CR, not evaluated, no new lesion" row, no
    /// disease seen again (AMB-01). Empty for a plain CSV, which records no components.
    pub target_cr_non_target_ne: Vec<NaiveDate>,
}

impl RecordedSubject {
    /// The refusals of this subject's iRECIST words under a rule set without an `irecist`
    /// section (`rule_set`: its id), one per row, worded as [`read_recorded`] refuses them;
    /// empty when every response is one of RECIST 1.1's words (or `NE`).
    pub fn irecist_refusals(&self, file: &str, rule_set: &str) -> Vec<CaseError> {
        self.visits
            .iter()
            .filter(|(_, r, _)| r.is_irecist())
            .map(|&(d, r, row)| CaseError::Invalid {
                place: Place {
                    file: file.to_string(),
                    line: Some(row),
                    subject: Some(self.subject.clone()),
                    date: Some(d),
                    lesion: None,
                },
                message: format!(
                    "unknown response `{r}` under `{rule_set}` (expected {RECIST_WORDS}){}",
                    recist_model::irecist_note(r.as_str())
                ),
            })
            .collect()
    }
}

/// What a recorded-responses file gave: subjects, and the refused ones with their reasons.
#[derive(Debug, Default)]
pub struct Recorded {
    /// Subjects whose every row was read.
    pub subjects: Vec<RecordedSubject>,
    /// Refused rows or subjects; a subject with a refused row is refused whole.
    pub refused: Vec<CaseError>,
    /// Data rows read.
    pub rows: usize,
}

fn date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    // RSDTC may carry a time (2019-05-02T10:30); anything else after the date is no date.
    let day = match t.get(10..) {
        Some(rest) if rest.is_empty() || rest.starts_with('T') => t.get(..10)?,
        _ => return None,
    };
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// Opens a CSV file and reads its header row.
fn open_csv(path: &Path, file: &str) -> Result<(Rows, csv::StringRecord), CaseError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| syntax(file, None, e))?;
    let headers = reader
        .headers()
        .map_err(|e| syntax(file, Some(1), e))?
        .clone();
    let rows = Rows {
        reader,
        path: path.to_path_buf(),
        header_len: headers.len(),
        record: csv::ByteRecord::new(),
        done: false,
    };
    Ok((rows, headers))
}

/// The rows of a CSV file after its header, each read whole or refused with its line: a row
/// with another number of fields than the header, or not UTF-8, and a quote left open.
///
/// A record that a quoted value runs over several lines is read as its first line alone,
/// refused, and reading goes on at the next line (as the SDTM reader of `recist batch`
/// does): read as plain CSV, one stray `"` would join every row up to the next quote in the
/// file into one row (of the header's length when that quote opens a value in the same
/// column), and those rows' subjects would lose visits without a word.
struct Rows {
    reader: csv::Reader<std::fs::File>,
    path: std::path::PathBuf,
    header_len: usize,
    record: csv::ByteRecord,
    /// Set after an I/O error.
    done: bool,
}

/// A row of [`Rows`].
enum Row {
    /// A row read whole, and its line.
    Read(csv::StringRecord, usize),
    /// A row refused: its line, its fields as its commas split it (for its subject), why.
    Refused {
        line: usize,
        fields: Vec<String>,
        message: String,
    },
}

impl Row {
    /// A refused row's subject: its field `column`, when not empty.
    fn refused_subject(fields: &[String], column: usize) -> Option<String> {
        fields
            .get(column)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }
}

impl Rows {
    fn next_row(&mut self, file: &str) -> Option<Row> {
        if self.done {
            return None;
        }
        let record = &mut self.record;
        let read = self.reader.read_byte_record(record);
        let line = record
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        match read {
            Ok(false) => return None,
            Err(e) => {
                // An I/O error: nothing after it is read.
                self.done = true;
                let line = e.position().map_or(line, |p| p.line() as usize);
                return Some(Row::Refused {
                    line,
                    fields: Vec::new(),
                    message: format!("{file}: the rest of the file cannot be read: {e}"),
                });
            }
            Ok(true) => {}
        }
        let split = |r: &csv::ByteRecord| -> Vec<String> {
            r.iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        };
        if record.iter().flatten().any(|b| matches!(b, b'\r' | b'\n')) {
            return Some(self.unclosed(line));
        }
        if record.len() != self.header_len {
            return Some(Row::Refused {
                line,
                fields: split(record),
                message: format!(
                    "{} fields where the header has {}",
                    record.len(),
                    self.header_len
                ),
            });
        }
        Some(match csv::StringRecord::from_byte_record(record.clone()) {
            Ok(r) => Row::Read(r, line),
            Err(e) => Row::Refused {
                line,
                fields: split(&e.into_byte_record()),
                message: "not valid UTF-8".into(),
            },
        })
    }

    /// The record just read runs over lines: its first line alone, refused, reading going on
    /// at the next line ([`Rows`]).
    #[cold]
    fn unclosed(&mut self, line: usize) -> Row {
        use std::io::{Read, Seek};
        let to_line = (self.reader.position().line() as usize)
            .saturating_sub(1)
            .max(line);
        let start = self.record.position().map_or(0, csv::Position::byte);
        // The first line's bytes, read again from the file.
        let mut first = Vec::new();
        let mut eol = 0;
        if let Ok(mut f) = std::fs::File::open(&self.path)
            && f.seek(std::io::SeekFrom::Start(start)).is_ok()
        {
            let mut bytes = std::io::BufReader::new(f).bytes();
            while let Some(Ok(b)) = bytes.next() {
                match b {
                    b'\n' => {
                        eol = 1;
                        break;
                    }
                    b'\r' => {
                        eol = if matches!(bytes.next(), Some(Ok(b'\n'))) {
                            2
                        } else {
                            1
                        };
                        break;
                    }
                    _ => first.push(b),
                }
            }
        }
        let fields = String::from_utf8_lossy(&first)
            .split(',')
            .map(str::to_string)
            .collect();
        let mut next = csv::Position::new();
        next.set_byte(start + first.len() as u64 + eol)
            .set_line(line as u64 + 1)
            .set_record(self.record.position().map_or(0, |p| p.record() + 1));
        let message = match self.reader.seek(next) {
            Ok(()) => format!(
                "a quoted value (opened by `\"`) is not closed on this line: read to its closing quote (or the end of the file), lines {line}-{to_line} would be one row; values are one line, so the line is refused alone and the lines after it are read as rows"
            ),
            Err(e) => format!(
                "a quoted value (opened by `\"`) is not closed on this line, and the lines after it cannot be read again: {e}"
            ),
        };
        Row::Refused {
            line,
            fields,
            message,
        }
    }
}

/// The position of a column, by name, ignoring case and surrounding space.
fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// Reads reference dates from an SDTM DM CSV (`USUBJID`, `RFSTDTC`). A row that cannot be
/// read, an `RFSTDTC` that is not a full date, and a subject given two different dates are
/// refused (an error naming the file, line and subject); an empty `RFSTDTC` gives none.
pub fn read_reference_dates(path: &Path) -> Result<BTreeMap<String, NaiveDate>, CaseError> {
    let file = path.display().to_string();
    let (mut reader, headers) = open_csv(path, &file)?;
    let col = |name: &str| column(&headers, name);
    let (Some(subj), Some(start)) = (col("USUBJID"), col("RFSTDTC")) else {
        return Err(CaseError::Syntax {
            subject: None,
            file,
            line: Some(1),
            message: "a DM file needs the columns USUBJID and RFSTDTC".into(),
        });
    };
    let mut out: BTreeMap<String, (NaiveDate, usize)> = BTreeMap::new();
    while let Some(row) = reader.next_row(&file) {
        let (rec, line) = match row {
            Row::Read(rec, line) => (rec, line),
            // A reference date lost would change the SD minimum without a word: refused.
            Row::Refused {
                line,
                fields,
                message,
            } => {
                return Err(CaseError::Syntax {
                    subject: Row::refused_subject(&fields, subj),
                    file,
                    line: Some(line),
                    message,
                });
            }
        };
        let subject = rec.get(subj).unwrap_or_default().trim().to_string();
        let text = rec.get(start).unwrap_or_default().trim();
        if text.is_empty() || subject.is_empty() {
            continue;
        }
        // A reference date not read, or one of two, would change the SD minimum without a
        // word: refused with its place.
        let refuse = |message: String| CaseError::Syntax {
            subject: Some(subject.clone()),
            file: file.clone(),
            line: Some(line),
            message,
        };
        let Some(d) = date(text) else {
            return Err(refuse(format!(
                "RFSTDTC `{text}` is not a full ISO 8601 date (partial dates are not imputed)"
            )));
        };
        match out.get(&subject) {
            Some(&(first, first_line)) if first != d => {
                return Err(refuse(format!(
                    "RFSTDTC {d} differs from {first} on line {first_line} for the same subject"
                )));
            }
            Some(_) => {}
            None => {
                out.insert(subject, (d, line));
            }
        }
    }
    Ok(out.into_iter().map(|(s, (d, _))| (s, d)).collect())
}

fn syntax(file: &str, line: Option<usize>, e: csv::Error) -> CaseError {
    CaseError::Syntax {
        subject: None,
        file: file.to_string(),
        line: e.position().map(|p| p.line() as usize).or(line),
        message: e.to_string(),
    }
}

/// Reads a recorded-responses CSV (plain or SDTM RS, told apart by the header) in RECIST
/// 1.1's words: an iRECIST word (`iUPD`, …) refuses its row, with a note
/// ([`read_recorded_with`] with no iRECIST reading).
pub fn read_recorded(
    path: &Path,
    references: &BTreeMap<String, NaiveDate>,
) -> Result<Recorded, CaseError> {
    read_recorded_with(path, references, None)
}

/// Which vocabulary a group of recorded rows (one subject, evaluator and `RSCAT`) is in:
/// RECIST 1.1's words or iRECIST's; `NE` is of both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vocabulary {
    Recist,
    Irecist,
}

impl Vocabulary {
    const fn of(r: OverallResponse) -> Option<Vocabulary> {
        match r {
            OverallResponse::Ne => None,
            r if r.is_irecist() => Some(Vocabulary::Irecist),
            _ => Some(Vocabulary::Recist),
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Vocabulary::Recist => "RECIST 1.1",
            Vocabulary::Irecist => "iRECIST",
        }
    }
}

/// Either vocabulary's words, for a reading that has not yet said which it is in.
const EITHER_WORDS: &str = "CR, PR, SD, NON-CR/NON-PD, PD or NE, or iRECIST's iCR, iPR, iSD, NON-iCR/NON-iUPD, iUPD or iCPD";

/// Reads a recorded-responses CSV (plain or SDTM RS, told apart by the header).
///
/// `irecist`: the `RSCAT`s of the iRECIST rule sets the responses are read for, or `None`
/// when none is (an iRECIST word then refuses its row, as [`read_recorded`] does). With
/// them, iRECIST's words (`iCR`, `iPR`, `iSD`, `NON-iCR/NON-iUPD`, `iUPD`, `iCPD`) are read
/// too, one vocabulary per group of rows (subject, evaluator, `RSCAT`): under one of these
/// `RSCAT`s only iRECIST's words (and `NE`) are read, under another `RSCAT` only RECIST 1.1's,
/// and with no `RSCAT` the group's first word that is not `NE` tells which; a row in the other
/// vocabulary is refused, named (mixed vocabularies in one reading are a data error).
pub fn read_recorded_with(
    path: &Path,
    references: &BTreeMap<String, NaiveDate>,
    irecist: Option<&[String]>,
) -> Result<Recorded, CaseError> {
    let file = path.display().to_string();
    let (mut reader, headers) = open_csv(path, &file)?;
    let col = |name: &str| column(&headers, name);
    let sdtm = col("USUBJID").is_some();
    let (subj, dt, resp) = if sdtm {
        (
            col("USUBJID"),
            col("RSDTC"),
            col("RSSTRESC").or(col("RSORRES")),
        )
    } else {
        (col("subject"), col("date"), col("response"))
    };
    let (Some(subj), Some(dt), Some(resp)) = (subj, dt, resp) else {
        return Err(CaseError::Syntax {
        subject: None,
            file,
            line: Some(1),
            message: "expected the columns subject,date,response[,reference_date] or an SDTM RS header (USUBJID, RSDTC, RSTESTCD, RSSTRESC)".into(),
        });
    };
    // SDTM: RSSTRESC, else RSORRES, row by row; both given must agree.
    let orres_col = if sdtm { col("RSORRES") } else { None };
    let testcd = col("RSTESTCD");
    let (eval, evalid, cat, refcol) = (
        col("RSEVAL"),
        col("RSEVALID"),
        col("RSCAT"),
        col("reference_date").or(col("RFSTDTC")),
    );
    let mut out = Recorded::default();
    // Subjects with a row that could not be read, and the first such row: refused whole, as
    // the row could be a visit of theirs (the best response could miss it).
    let mut unreadable: BTreeMap<String, usize> = BTreeMap::new();
    // Every readable row first: which RSCATs a subject × evaluator gives is known only once
    // all its rows are read, and a row with none is of its only one.
    let mut parsed: Vec<Parsed> = Vec::new();
    while let Some(read) = reader.next_row(&file) {
        out.rows += 1;
        let (rec, row) = match read {
            Row::Read(rec, line) => (rec, line),
            Row::Refused {
                line,
                fields,
                message,
            } => {
                let subject = Row::refused_subject(&fields, subj);
                if let Some(s) = &subject {
                    unreadable.entry(s.clone()).or_insert(line);
                }
                out.refused.push(CaseError::Syntax {
                    subject,
                    file: file.clone(),
                    line: Some(line),
                    message,
                });
                continue;
            }
        };
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        // Compared case-insensitively (cdisc.md), named in upper case as `recist batch` does.
        let evaluator = match (get(eval), get(evalid)) {
            (Some(a), Some(b)) => Some(format!("{a}/{b}")),
            (Some(a), None) => Some(a.to_string()),
            (None, b) => b.map(str::to_string),
        }
        .map(|e| e.to_uppercase());
        let test = if sdtm {
            get(testcd)
                .filter(|t| !t.eq_ignore_ascii_case("OVRLRESP"))
                .map(str::to_ascii_uppercase)
        } else {
            None
        };
        let stresc = get(Some(resp));
        let orres = get(orres_col);
        parsed.push(Parsed {
            line: row,
            subject: get(Some(subj)).unwrap_or_default().to_string(),
            evaluator,
            cat: get(cat).map(str::to_string),
            test,
            value: stresc.or(orres).unwrap_or_default().to_string(),
            orres: stresc.and(orres).map(str::to_string),
            date: get(Some(dt)).unwrap_or_default().to_string(),
            reference: get(refcol).map(str::to_string),
        });
    }
    if out.rows == 0 {
        out.refused.push(CaseError::Syntax {
            subject: None,
            file: file.clone(),
            line: Some(1),
            message:
                "no rows after the header: no recorded response to derive a best response from"
                    .into(),
        });
    }
    // Per subject × evaluator: its RSCATs (upper case, as first written), and whether it has
    // an overall response row, with its first row.
    type Unit = (String, Option<String>);
    let mut categories: BTreeMap<Unit, Vec<(String, String)>> = BTreeMap::new();
    let mut units: BTreeMap<Unit, (usize, bool)> = BTreeMap::new();
    let mut unit_order: Vec<Unit> = Vec::new();
    for p in &parsed {
        let unit = (p.subject.clone(), p.evaluator.clone());
        if let Some(c) = &p.cat {
            let cats = categories.entry(unit.clone()).or_default();
            let upper = c.to_uppercase();
            if !cats.iter().any(|(u, _)| *u == upper) {
                cats.push((upper, c.clone()));
            }
        }
        if !units.contains_key(&unit) {
            unit_order.push(unit.clone());
        }
        units.entry(unit).or_insert((p.line, false)).1 |= p.test.is_none();
    }
    // The RSCATs a row is of: its own (as first written, case aside); with none, its subject ×
    // evaluator's only one, or none when it gives none; several: ambiguous (`Err`).
    let categories_of = |p: &Parsed| -> Result<Vec<Option<String>>, Vec<String>> {
        let cats = categories
            .get(&(p.subject.clone(), p.evaluator.clone()))
            .map_or(&[][..], Vec::as_slice);
        match &p.cat {
            Some(c) => {
                let upper = c.to_uppercase();
                Ok(vec![Some(
                    cats.iter()
                        .find(|(u, _)| *u == upper)
                        .map_or_else(|| c.clone(), |(_, w)| w.clone()),
                )])
            }
            None => match cats {
                [] => Ok(vec![None]),
                [(_, only)] => Ok(vec![Some(only.clone())]),
                several => Err(several.iter().map(|(_, w)| w.clone()).collect()),
            },
        }
    };
    /// Subject, evaluator, category.
    type Key = (String, Option<String>, Option<String>);
    /// Reference date, visits, refusals of one group, and its vocabulary with the row that
    /// set it (none for an `RSCAT`'s, which sets it).
    type Group = (
        Option<NaiveDate>,
        Vec<(NaiveDate, OverallResponse, usize)>,
        Vec<CaseError>,
        Option<(Vocabulary, Option<usize>)>,
    );
    let mut groups: BTreeMap<Key, Group> = BTreeMap::new();
    // Per group with TRGRESP rows: whether any names a target response (not `NA`).
    let mut targets: BTreeMap<Key, bool> = BTreeMap::new();
    // Per group and date: TRGRESP `CR` seen, NTRGRESP `NE` seen, NEWLIND `Y` seen.
    let mut components: BTreeMap<(Key, NaiveDate), (bool, bool, bool)> = BTreeMap::new();
    let mut order: Vec<Key> = Vec::new();
    // Subject × evaluators with an overall response row of no RSCAT among rows giving several,
    // and the first such row: refused whole, since that visit is of no one reading.
    let mut ambiguous: BTreeMap<Unit, usize> = BTreeMap::new();
    // Subjects with a row naming no evaluator while others name some, and the first such
    // row: whose reading that row is is unknown (read apart, it would be a reading of its
    // own; read with one of them, perhaps the wrong one's), so the subject is refused.
    let mut evaluators: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in &parsed {
        if let Some(e) = &p.evaluator {
            let named = evaluators.entry(p.subject.as_str()).or_default();
            if !named.contains(&e.as_str()) {
                named.push(e);
            }
        }
    }
    let mut no_evaluator: BTreeMap<String, usize> = BTreeMap::new();
    for p in &parsed {
        if p.evaluator.is_none()
            && !p.subject.is_empty()
            && let Some(named) = evaluators.get(p.subject.as_str())
        {
            if !no_evaluator.contains_key(&p.subject) {
                no_evaluator.insert(p.subject.clone(), p.line);
                out.refused.push(CaseError::Invalid {
                        place: Place {
                            file: file.clone(),
                            line: Some(p.line),
                            subject: Some(p.subject.clone()),
                            date: date(&p.date),
                            lesion: None,
                        },
                        message: format!(
                            "no RSEVAL or RSEVALID, while this subject's other rows name {}: whose reading this row is is unknown, so the subject is refused",
                            named
                                .iter()
                                .map(|e| format!("`{e}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
            }
            continue;
        }
        let row = p.line;
        let subject = p.subject.clone();
        let place = |d: Option<NaiveDate>| Place {
            file: file.clone(),
            line: Some(row),
            subject: Some(subject.clone()),
            date: d,
            lesion: None,
        };
        if let Some(test) = &p.test {
            let value = p.value.as_str();
            let is = |name: &str| test == name;
            let on = date(&p.date);
            for category in
                categories_of(p).unwrap_or_else(|cats| cats.into_iter().map(Some).collect())
            {
                let key = (subject.clone(), p.evaluator.clone(), category);
                // TRGRESP `CR` with NTRGRESP `NE` on one date: Table 1's CR/NE row (an overall PR).
                if let Some(d) = on.filter(|_| is("TRGRESP") && value.eq_ignore_ascii_case("CR")) {
                    components.entry((key.clone(), d)).or_default().0 = true;
                }
                if let Some(d) =
                    on.filter(|_| is("NTRGRESP") && response(value) == Some(OverallResponse::Ne))
                {
                    components.entry((key.clone(), d)).or_default().1 = true;
                }
                if let Some(d) = on.filter(|_| is("NEWLIND") && value.eq_ignore_ascii_case("Y")) {
                    components.entry((key.clone(), d)).or_default().2 = true;
                }
                // TRGRESP tells whether the subject has target lesions (`NA`: none).
                if is("TRGRESP") {
                    let has = targets.entry(key).or_insert(false);
                    *has |= !value.is_empty() && !value.eq_ignore_ascii_case("NA");
                }
            }
            continue;
        }
        let category = match categories_of(p) {
            Ok(mut cats) => cats.pop().flatten(),
            Err(cats) => {
                ambiguous
                    .entry((subject.clone(), p.evaluator.clone()))
                    .or_insert(row);
                out.refused.push(CaseError::Invalid {
                    place: place(date(&p.date)),
                    message: format!(
                        "no RSCAT, while this subject's other rows give several ({}): which reading this response is of is unknown",
                        cats.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                    ),
                });
                continue;
            }
        };
        let key = (subject.clone(), p.evaluator.clone(), category.clone());
        if !groups.contains_key(&key) {
            order.push(key.clone());
        }
        let entry = groups.entry(key).or_insert_with(|| {
            // An RSCAT says which reading, hence which words, when iRECIST's are read.
            let set = match (irecist, &category) {
                (Some(cats), Some(c)) if cats.iter().any(|i| i.eq_ignore_ascii_case(c)) => {
                    Some((Vocabulary::Irecist, None))
                }
                (Some(_), Some(_)) => Some((Vocabulary::Recist, None)),
                _ => None,
            };
            (None, Vec::new(), Vec::new(), set)
        });
        if subject.is_empty() {
            entry.2.push(CaseError::Invalid {
                place: place(None),
                message: "no subject".into(),
            });
            continue;
        }
        let Some(d) = date(&p.date) else {
            entry.2.push(CaseError::Invalid {
                place: place(None),
                message: format!(
                    "date `{}` is not a full ISO 8601 date (partial dates are not imputed)",
                    p.date
                ),
            });
            continue;
        };
        let Some(r) = response(&p.value).filter(|r| irecist.is_some() || !r.is_irecist()) else {
            let written = p.value.as_str();
            let (expected, note) = match (entry.3, irecist) {
                (Some((Vocabulary::Irecist, _)), _) => (IRECIST_WORDS, ""),
                (Some((Vocabulary::Recist, _)), Some(_)) => (RECIST_WORDS, ""),
                (None, Some(_)) => (EITHER_WORDS, ""),
                (_, None) => (RECIST_WORDS, recist_model::irecist_note(written)),
            };
            let message = if written.is_empty() {
                let what = if sdtm {
                    "RSSTRESC and RSORRES are empty"
                } else {
                    "the response is empty"
                };
                format!("no response: {what} (expected {expected})")
            } else {
                format!("unknown response `{written}` (expected {expected}){note}")
            };
            entry.2.push(CaseError::Invalid {
                place: place(Some(d)),
                message,
            });
            continue;
        };
        // RSORRES and RSSTRESC both responses, and different ones: which holds is unknown. An
        // RSORRES that is no response word (`Partial Response`) is what RSSTRESC standardises.
        if let Some(orres) = &p.orres
            && response(orres).is_some_and(|o| o != r)
        {
            entry.2.push(CaseError::Invalid {
                place: place(Some(d)),
                message: format!(
                    "RSORRES `{orres}` and RSSTRESC `{}` disagree: which one holds is unknown",
                    p.value
                ),
            });
            continue;
        }
        if let Some(v) = Vocabulary::of(r) {
            match entry.3 {
                None => entry.3 = Some((v, Some(row))),
                Some((set, by)) if set != v => {
                    let why = match (by, &category) {
                        (Some(first), _) => {
                            format!("row {first} of this subject is in {}'s", set.name())
                        }
                        (None, Some(c)) => format!("RSCAT `{c}` is read in {}'s", set.name()),
                        (None, None) => format!("this reading is in {}'s", set.name()),
                    };
                    entry.2.push(CaseError::Invalid {
                        place: place(Some(d)),
                        message: format!(
                            "response `{r}` is {}'s word but {why}: one reading's responses are in one vocabulary",
                            v.name()
                        ),
                    });
                    continue;
                }
                Some(_) => {}
            }
        }
        if let Some(text) = &p.reference {
            let Some(rd) = date(text) else {
                // A reference date not read would change the SD minimum without a word.
                entry.2.push(CaseError::Invalid {
                    place: place(Some(d)),
                    message: format!(
                        "reference date `{text}` is not a full ISO 8601 date (partial dates are not imputed)"
                    ),
                });
                continue;
            };
            match entry.0 {
                // Which reference date holds is unknown: the SD minimum depends on it.
                Some(first) if first != rd => {
                    entry.2.push(CaseError::Invalid {
                        place: place(Some(d)),
                        message: format!(
                            "reference date {rd} differs from {first} on an earlier row of this subject"
                        ),
                    });
                    continue;
                }
                _ => entry.0 = Some(rd),
            }
        }
        if let Some(&(_, other, first)) = entry.1.iter().find(|(x, _, _)| *x == d) {
            entry.2.push(CaseError::Invalid {
                place: place(Some(d)),
                message: format!(
                    "two responses on the same date: row {first} gives {other}, this row {r}"
                ),
            });
            continue;
        }
        entry.1.push((d, r, row));
    }
    for key in order {
        let Some((reference, mut visits, errors, _)) = groups.remove(&key) else {
            continue;
        };
        if !errors.is_empty() {
            out.refused.extend(errors);
            continue;
        }
        let refused_row = unreadable
            .get(&key.0)
            .map(|&line| (line, "could not be read"))
            .or_else(|| {
                no_evaluator
                    .get(&key.0)
                    .map(|&line| (line, "names no evaluator while its other rows do"))
            })
            .or_else(|| {
                ambiguous
                    .get(&(key.0.clone(), key.1.clone()))
                    .map(|&line| (line, "gives no RSCAT among several"))
            });
        if let Some((line, why)) = refused_row {
            out.refused.push(CaseError::Invalid {
                place: Place {
                    file: file.clone(),
                    line: Some(line),
                    subject: Some(key.0.clone()),
                    date: None,
                    lesion: None,
                },
                message: format!(
                    "row {line} of this subject {why}: its best response could miss that visit, so the subject is refused"
                ),
            });
            continue;
        }
        visits.sort_by_key(|v| v.0);
        let reference_date = reference.or_else(|| references.get(&key.0).copied());
        let non_target_only = targets.get(&key) == Some(&false)
            || visits.iter().any(|v| {
                matches!(
                    v.1,
                    OverallResponse::NonCrNonPd | OverallResponse::NonICrNonIUpd
                )
            });
        let target_cr_non_target_ne = visits
            .iter()
            .map(|v| v.0)
            .filter(|&d| components.get(&(key.clone(), d)) == Some(&(true, true, false)))
            .collect();
        out.subjects.push(RecordedSubject {
            non_target_only,
            target_cr_non_target_ne,
            subject: key.0,
            evaluator: key.1,
            category: key.2,
            reference_date,
            visits,
        });
    }
    // A subject × evaluator whose rows are all of other tests (TRGRESP, BESTRESP, …) has no
    // overall response to derive from: said, never left out without a word.
    for unit in unit_order {
        let Some(&(line, false)) = units.get(&unit) else {
            continue;
        };
        if unit.0.is_empty() || (unit.1.is_none() && no_evaluator.contains_key(&unit.0)) {
            continue;
        }
        let evaluator = unit
            .1
            .as_deref()
            .map(|e| format!(" (evaluator {e})"))
            .unwrap_or_default();
        out.refused.push(CaseError::Invalid {
            place: Place {
                file: file.clone(),
                line: Some(line),
                subject: Some(unit.0.clone()),
                date: None,
                lesion: None,
            },
            message: format!(
                "no OVRLRESP row for this subject{evaluator}: its rows (the first on this line) are of other tests, so no best response is derived"
            ),
        });
    }
    Ok(out)
}

/// A readable row of a recorded-responses file, before it is grouped.
struct Parsed {
    /// 1-based line.
    line: usize,
    /// Subject (empty when not given).
    subject: String,
    /// Evaluator (`RSEVAL`, with `RSEVALID` after a slash when given).
    evaluator: Option<String>,
    /// `RSCAT` as written, when given.
    cat: Option<String>,
    /// `RSTESTCD` (upper case) when it is not `OVRLRESP`; `None` for an overall response.
    test: Option<String>,
    /// The response: `RSSTRESC`, else `RSORRES` (SDTM RS), or `response`.
    value: String,
    /// `RSORRES`, when it and `RSSTRESC` are both given.
    orres: Option<String>,
    /// The date as written.
    date: String,
    /// The reference date as written, when given.
    reference: Option<String>,
}

/// An overall response as recorded: a word of either vocabulary, case aside, with the
/// spellings SDTM data use (`Non-CR / Non-PD`, `NOT EVALUABLE`) read as the recorded RS
/// comparison reads them.
fn response(text: &str) -> Option<OverallResponse> {
    OverallResponse::parse(text)
        .or_else(|| recist_model::standard_spelling(text).and_then(OverallResponse::parse))
}
