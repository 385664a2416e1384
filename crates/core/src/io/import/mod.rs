//! Reading other trackers' exports (and our own) into [`ImportRecord`]s.
//!
//! Everything here is pure: bytes in, records or line-numbered problems out.
//! Nothing touches the database; `Tracker::preview_import` and
//! `Tracker::import` decide what the records become.
//!
//! What every parser shares:
//! - A UTF-8 byte-order mark is skipped; bytes that are not UTF-8 are an error
//!   naming the line they sit on.
//! - Every problem in the file is collected, not just the first, up to
//!   [`MAX_ERRORS`]; the rest are counted in [`ImportError::omitted`].
//! - Line numbers are 1-based physical lines of the file. For CSV it is the
//!   line a record starts on (a quoted field may span several lines; the
//!   header is line 1). For JSON it is the line holding the opening bracket
//!   of the interval, frame or entry, and for a JSON syntax error the line
//!   where the parser stopped.
//! - Names, descriptions and tags are trimmed; an empty name or tag counts
//!   as absent. Windows line breaks inside descriptions become `\n`.
//!
//! Zones: Timewarrior, Watson and our own files store instants. Toggl and
//! Clockify write wall-clock dates and times in the zone of the exporting
//! user's profile, which the file does not name; they are read in
//! [`ParseOptions::tz`] (the system zone unless the caller says otherwise).
//! A wall-clock time that a daylight-saving change skips or repeats is
//! resolved the way most calendars do it: a skipped time moves forward by
//! the gap, a repeated one takes its first occurrence.

mod dates;
mod detect;
mod json;
mod sheet;
mod table;
mod text;
mod values;

mod clockify;
mod timetracker_csv;
mod timetracker_json;
mod timewarrior;
mod toggl;
mod watson;

#[cfg(test)]
mod testing;

use std::fmt;
use std::str::FromStr;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::error::import::{ImportError, ImportFailure, LineError, MAX_ERRORS};
pub use dates::DateOrder;
pub use detect::detect;

/// A file format [`parse`] understands. The lower-case names (`toggl`,
/// `clockify`, ...) are what the CLI's `--format` and serde use.
// The UI has its own export format, so the binding names which one this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, rename = "ImportFormat")]
pub enum Format {
    /// Toggl Track's detailed report, exported as CSV.
    Toggl,
    /// Clockify's detailed report, exported as CSV.
    Clockify,
    /// The JSON printed by `timew export`.
    Timewarrior,
    /// Watson's `frames` file, or the output of `watson log --json`.
    Watson,
    /// TimeTracker's own CSV export.
    Csv,
    /// TimeTracker's own JSON export.
    Json,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Toggl,
        Format::Clockify,
        Format::Timewarrior,
        Format::Watson,
        Format::Csv,
        Format::Json,
    ];

    /// The stable lower-case name, as accepted by [`Format::from_str`].
    pub fn name(self) -> &'static str {
        match self {
            Format::Toggl => "toggl",
            Format::Clockify => "clockify",
            Format::Timewarrior => "timewarrior",
            Format::Watson => "watson",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    /// How a person would call the format in a message.
    pub fn label(self) -> &'static str {
        match self {
            Format::Toggl => "Toggl Track CSV",
            Format::Clockify => "Clockify CSV",
            Format::Timewarrior => "Timewarrior JSON",
            Format::Watson => "Watson frames",
            Format::Csv => "TimeTracker CSV",
            Format::Json => "TimeTracker JSON",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name given to [`Format::from_str`] is not a format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown import format \u{201c}{0}\u{201d}; use one of toggl, clockify, timewarrior, watson, csv, json.")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

/// One time entry read from a file, before it meets the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRecord {
    /// Where the entry is in the file (see the module docs for what a line is).
    pub line: usize,
    pub project: Option<String>,
    pub client: Option<String>,
    pub description: String,
    pub start: Timestamp,
    /// `None` for an entry still running when the file was written.
    pub end: Option<Timestamp>,
    pub tags: Vec<String>,
    pub billable: Option<bool>,
    pub hourly_rate_cents: Option<i64>,
    /// ISO 4217, three upper-case letters.
    pub currency: Option<String>,
}

/// What a file cannot say about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// The zone Toggl and Clockify wall-clock times are read in.
    pub tz: TimeZone,
    /// How `03/04/2026` is read in Toggl and Clockify files.
    pub date_order: DateOrder,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            tz: TimeZone::system(),
            date_order: DateOrder::Auto,
        }
    }
}

/// Reads `bytes` as `format`, with wall-clock times in the system zone.
pub fn parse(bytes: &[u8], format: Format) -> Result<Vec<ImportRecord>, ImportError> {
    parse_with(bytes, format, &ParseOptions::default())
}

/// Reads `bytes` as `format`. Either every entry parses, or the error lists
/// every problem found (up to [`MAX_ERRORS`]) with its line.
pub fn parse_with(
    bytes: &[u8],
    format: Format,
    options: &ParseOptions,
) -> Result<Vec<ImportRecord>, ImportError> {
    let text = text::decode(bytes)?;
    match format {
        Format::Toggl => sheet::parse(text, &toggl::SPEC, options),
        Format::Clockify => sheet::parse(text, &clockify::SPEC, options),
        Format::Timewarrior => timewarrior::parse(text),
        Format::Watson => watson::parse(text),
        Format::Csv => timetracker_csv::parse(text),
        Format::Json => timetracker_json::parse(text),
    }
}
