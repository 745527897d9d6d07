//! Errors of loading and validating rule sets.

use std::fmt;

/// One thing wrong with a rule set, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path, e.g. `overall_response.with_targets[3].target`.
    pub path: String,
    /// 1-based line in the file, where it can be found.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// A rule set or protocol file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RuleSetError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is not valid YAML.
    #[error("{file}: {source}")]
    Yaml {
        /// The file.
        file: String,
        /// The parser's error.
        source: recist_yaml::YamlError,
    },
    /// The file is YAML but not a valid rule set; every problem found is listed.
    #[error("{file}: invalid rule set:\n{}", problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        /// The file.
        file: String,
        /// Each problem with its key path and line.
        problems: Vec<Problem>,
    },
    /// No bundled rule set has this id and no file has this path.
    #[error("unknown rule set `{id}`: not a bundled rule set ({known}) nor a readable file")]
    Unknown {
        /// What was asked for.
        id: String,
        /// The bundled ids.
        known: String,
    },
    /// An override names a key that is not a protocol parameter, or gives a bad value.
    #[error("{origin}: {message}")]
    Override {
        /// `--set` or the protocol file.
        origin: String,
        /// What is wrong.
        message: String,
    },
}
