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
    #[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line, where the parser gives one.
        line: Option<usize>,
        /// The parser's message.
        message: String,
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
