//! The problems found in an import file, each tied to its line.

use std::fmt;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, ErrorPayload};

/// At most this many problems are kept; a file with thousands of bad lines
/// is usually the wrong format, and the first hundred say so well enough.
pub const MAX_ERRORS: usize = 100;

/// How many problems the one-paragraph message lists before "and N more".
const LISTED_IN_MESSAGE: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LineError {
    /// 1-based line in the file.
    pub line: usize,
    pub message: String,
}

/// Why a file cannot be imported: every problem found, in line order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    /// The first [`MAX_ERRORS`] problems, sorted by line.
    pub errors: Vec<LineError>,
    /// Problems found beyond those in `errors`.
    pub omitted: usize,
}

impl ImportError {
    /// Keeps the first [`MAX_ERRORS`] of `errors` by line and counts the rest.
    pub fn new(mut errors: Vec<LineError>) -> Self {
        errors.sort_by_key(|e| e.line);
        let omitted = errors.len().saturating_sub(MAX_ERRORS);
        errors.truncate(MAX_ERRORS);
        Self { errors, omitted }
    }

    pub fn at(line: usize, message: impl Into<String>) -> Self {
        Self::new(vec![LineError {
            line,
            message: message.into(),
        }])
    }

    /// All problems found, listed or not.
    pub fn total(&self) -> usize {
        self.errors.len() + self.omitted
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total();
        match total {
            1 => write!(f, "The file has a problem, so nothing was imported.")?,
            n => write!(f, "The file has {n} problems, so nothing was imported.")?,
        }
        for e in self.errors.iter().take(LISTED_IN_MESSAGE) {
            write!(f, "\nLine {}: {}", e.line, e.message)?;
        }
        let listed = self.errors.len().min(LISTED_IN_MESSAGE);
        if total > listed {
            write!(f, "\n\u{2026}and {} more.", total - listed)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// An import command's error as the UI receives it: the usual code and
/// message, plus, for `import.invalid`, every problem found with its line
/// (the message lists only the first few).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportFailure {
    #[serde(flatten)]
    pub error: ErrorPayload,
    pub lines: Vec<LineError>,
    /// Problems found beyond those in `lines`.
    pub omitted: usize,
}

impl ImportFailure {
    /// `problems` are those of the file, when the error was about its lines.
    pub fn new(error: ErrorPayload, problems: Option<ImportError>) -> Self {
        let (lines, omitted) = problems.map_or((Vec::new(), 0), |p| (p.errors, p.omitted));
        Self {
            error,
            lines,
            omitted,
        }
    }
}

impl From<&Error> for ImportFailure {
    fn from(error: &Error) -> Self {
        let problems = match error {
            Error::ImportInvalid(found) => Some(found.clone()),
            _ => None,
        };
        Self::new(error.to_payload(), problems)
    }
}

/// Collects problems while a parser walks the file, keeping the first
/// [`MAX_ERRORS`] and counting the rest.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    errors: Vec<LineError>,
    omitted: usize,
}

impl Problems {
    pub fn add(&mut self, line: usize, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(LineError {
                line,
                message: message.into(),
            });
        } else {
            self.omitted += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.omitted == 0
    }

    /// `Ok(value)` when nothing was wrong, else every problem found.
    pub fn finish<T>(self, value: T) -> Result<T, ImportError> {
        if self.is_empty() {
            return Ok(value);
        }
        let mut error = ImportError::new(self.errors);
        error.omitted += self.omitted;
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_lists_the_first_few_and_counts_the_rest() {
        let mut p = Problems::default();
        for line in (2..=MAX_ERRORS + 11).rev() {
            p.add(line, format!("bad {line}"));
        }
        let err = p.finish(()).unwrap_err();
        assert_eq!(err.errors.len(), MAX_ERRORS);
        assert_eq!(err.omitted, 10);
        assert_eq!(err.total(), MAX_ERRORS + 10);
        // Sorted by line although they were found backwards.
        assert_eq!(err.errors[0].line, 12);
        let msg = err.to_string();
        assert!(msg.starts_with("The file has 110 problems, so nothing was imported.\nLine 12: bad 12\nLine 13: bad 13\n"), "{msg}");
        assert!(
            msg.ends_with("\nLine 16: bad 16\n\u{2026}and 105 more."),
            "{msg}"
        );
    }

    #[test]
    fn a_single_problem_reads_as_one() {
        let err = ImportError::at(3, "the start is not a date");
        assert_eq!(
            err.to_string(),
            "The file has a problem, so nothing was imported.\nLine 3: the start is not a date"
        );
        assert!(Problems::default().finish(7).is_ok());
    }
}
