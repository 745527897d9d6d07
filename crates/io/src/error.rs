//! Errors of reading case files.

use chrono::NaiveDate;

/// Where in a case file a problem is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The file.
    pub file: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// Subject, where known.
    pub subject: Option<String>,
    /// Assessment date, where the problem is in one.
    pub date: Option<NaiveDate>,
    /// Lesion id, where the problem is about one.
    pub lesion: Option<String>,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(s) = &self.subject {
            write!(f, ": subject `{s}`")?;
        }
        if let Some(d) = self.date {
            write!(f, ": assessment {d}")?;
        }
        if let Some(l) = &self.lesion {
            write!(f, ": lesion `{l}`")?;
        }
        Ok(())
    }
}

/// A case file, or one subject in it, that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The text is not valid YAML or JSON.
    #[error("{file}{}: {}{message}", line.map(|l| format!(":{l}")).unwrap_or_default(), subject.as_ref().map(|s| format!("subject `{s}`: ")).unwrap_or_default())]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line, where the parser gives one.
        line: Option<usize>,
        /// The document's subject, where its `subject:` line can be read all the same.
        subject: Option<String>,
        /// The parser's message.
        message: String,
    },
    /// One subject × evaluator has several cases (`case-format.md`: a subject is unique
    /// within a data set): none of them is adjudicated.
    #[error("{}", duplicate_message(subject, evaluator.as_deref(), places))]
    Duplicate {
        /// The subject.
        subject: String,
        /// The evaluator, where one is given.
        evaluator: Option<String>,
        /// Every case of it, in reading order, as (file, line).
        places: Vec<(String, usize)>,
    },
    /// The file holds no case at all (it is empty, or only comments or `---`): a truncated
    /// export would otherwise lose its subjects without a word.
    #[error("{file}: holds no case (no subject: the file is empty, or only comments or `---`)")]
    Empty {
        /// The file.
        file: String,
    },
    /// A case (a YAML or JSON document, a JSON Lines line) holds bytes that are not UTF-8: it
    /// alone is refused, naming the first such line and byte; the file's other cases are read.
    #[error("{file}:{line}: {}byte {byte}: not valid UTF-8", subject.as_ref().map(|s| format!("subject `{s}`: ")).unwrap_or_default())]
    NotUtf8 {
        /// The file.
        file: String,
        /// 1-based line of the first byte that is not UTF-8.
        line: usize,
        /// 1-based byte of that line where the bytes stop being UTF-8.
        byte: usize,
        /// The case's subject, where it can be read all the same.
        subject: Option<String>,
    },
    /// A subject is malformed.
    #[error("{place}: {message}")]
    Invalid {
        /// Where.
        place: Place,
        /// What is wrong.
        message: String,
    },
}

/// `a.yaml:1: subject `S`: evaluator `E`: 2 cases of one subject × evaluator (a.yaml:1, b.yaml:4): …`.
fn duplicate_message(subject: &str, evaluator: Option<&str>, places: &[(String, usize)]) -> String {
    let mut out = String::new();
    if let Some((file, line)) = places.first() {
        out.push_str(&format!("{file}:{line}: "));
    }
    out.push_str(&format!("subject `{subject}`: "));
    if let Some(e) = evaluator {
        out.push_str(&format!("evaluator `{e}`: "));
    }
    let all: Vec<String> = places.iter().map(|(f, l)| format!("{f}:{l}")).collect();
    out.push_str(&format!(
        "{} cases of one subject × evaluator ({}): a subject is unique within a data set, so none of them is adjudicated",
        places.len(),
        all.join(", ")
    ));
    out
}
