//! TimeTracker's own JSON export:
//! `{"format": "timetracker", "version": 1, "entries": [{"id", "project",
//! "client", "description", "start", "end", "duration_seconds", "tags",
//! "billable", "hourly_rate_cents", "currency"}]}`.
//!
//! `id` and `duration_seconds` are derived on export and ignored here, as
//! are fields this version does not know (a later version may add some).
//! `start` is required; `null` or an absent `end` is a running entry.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

use super::json::{self, Fields};
use super::text::LineCounter;
use super::values;
use super::ImportRecord;
use crate::error::import::{ImportError, Problems};

/// The newest export version this build reads.
pub(crate) const VERSION: i64 = 1;

pub(crate) fn parse(text: &str) -> Result<Vec<ImportRecord>, ImportError> {
    let doc = json::document(text)?;
    let top: BTreeMap<String, &RawValue> = serde_json::from_str(doc.get()).map_err(|_| {
        ImportError::at(
            LineCounter::new(text).line_of(doc.get()),
            "expected a TimeTracker export, a JSON object {\"format\": \"timetracker\", ...}",
        )
    })?;
    let mut lines = LineCounter::new(text);
    let field_line =
        |lines: &mut LineCounter, key: &str| top.get(key).map_or(1, |raw| lines.line_of(raw.get()));
    let format: Option<String> = top
        .get("format")
        .and_then(|raw| serde_json::from_str(raw.get()).ok());
    if format.as_deref() != Some("timetracker") {
        return Err(ImportError::at(
            field_line(&mut lines, "format"),
            "this JSON is not a TimeTracker export (it has no \"format\": \"timetracker\")",
        ));
    }
    let version: Option<i64> = top
        .get("version")
        .and_then(|raw| serde_json::from_str(raw.get()).ok());
    match version {
        Some(v) if (1..=VERSION).contains(&v) => {}
        Some(v) if v > VERSION => {
            return Err(ImportError::at(
                field_line(&mut lines, "version"),
                format!(
                    "this export is version {v}, newer than this TimeTracker reads (up to {VERSION}); update TimeTracker"
                ),
            ))
        }
        _ => {
            return Err(ImportError::at(
                field_line(&mut lines, "version"),
                "\u{201c}version\u{201d} must be a whole number like 1",
            ))
        }
    }
    let Some(entries) = top.get("entries") else {
        return Err(ImportError::at(
            1,
            "the export has no \u{201c}entries\u{201d}",
        ));
    };
    let items = json::items(text, entries, "\u{201c}entries\u{201d}")?;

    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(items.len());
    for item in &items {
        let Value::Object(map) = &item.value else {
            problems.add(
                item.line,
                "expected an entry, a JSON object {\"start\": ...}",
            );
            continue;
        };
        let mut f = Fields::new(map);
        let start = f.instant("start", true);
        let end = f.instant("end", false);
        let project = f.name("project");
        let client = f.name("client");
        let description = values::description(f.text("description").unwrap_or(""));
        let tags = f.tags("tags");
        let billable = f.boolean("billable");
        let hourly_rate_cents = f.integer("hourly_rate_cents");
        if hourly_rate_cents.is_some_and(|c| c < 0) {
            f.errors
                .push("\u{201c}hourly_rate_cents\u{201d} must not be negative".to_owned());
        }
        let currency = match f.text("currency").map(values::currency) {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                f.errors.push(e);
                None
            }
            None => None,
        };
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                f.errors
                    .push(format!("the entry ends ({e}) before it starts ({s})"));
            }
        }
        if !f.errors.is_empty() {
            for message in f.errors {
                problems.add(item.line, message);
            }
            continue;
        }
        let Some(start) = start else { continue };
        records.push(ImportRecord {
            line: item.line,
            project,
            client,
            description,
            start,
            end,
            tags,
            billable,
            hourly_rate_cents,
            currency,
        });
    }
    problems.finish(records)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{parse, Format};

    #[test]
    fn every_bad_field_is_reported() {
        let err = problems("timetracker-bad.json", Format::Json);
        assert_eq!(
            errors(&err),
            vec![
                (11, "\u{201c}start\u{201d} is missing"),
                (
                    16,
                    "the entry ends (2026-11-23T09:00:00Z) before it starts (2026-11-23T10:00:00Z)"
                ),
                (22, "\u{201c}project\u{201d} must be text"),
                (22, "\u{201c}tags\u{201d} must be a list of text"),
                (22, "\u{201c}billable\u{201d} must be true or false"),
                (
                    22,
                    "\u{201c}hourly_rate_cents\u{201d} must be a whole number"
                ),
                (
                    22,
                    "currency \u{201c}dollars\u{201d} is not a three-letter code like USD"
                ),
                (32, "expected an entry, a JSON object {\"start\": ...}"),
            ]
        );
    }

    #[test]
    fn versions_and_shapes() {
        let read = |text: &str| parse(text.as_bytes(), Format::Json);
        let err =
            read("{\"format\": \"timetracker\",\n \"version\": 2, \"entries\": []}").unwrap_err();
        assert_eq!(
            errors(&err),
            vec![(2, "this export is version 2, newer than this TimeTracker reads (up to 1); update TimeTracker")]
        );
        let err =
            read("{\"format\": \"timetracker\", \"version\": \"1\", \"entries\": []}").unwrap_err();
        assert_eq!(
            errors(&err),
            vec![(1, "\u{201c}version\u{201d} must be a whole number like 1")]
        );
        let err = read("{\n\"format\": \"toggl\"}").unwrap_err();
        assert_eq!(
            errors(&err),
            vec![(
                2,
                "this JSON is not a TimeTracker export (it has no \"format\": \"timetracker\")"
            )]
        );
        let err = read("{\"format\": \"timetracker\", \"version\": 1}").unwrap_err();
        assert_eq!(
            errors(&err),
            vec![(1, "the export has no \u{201c}entries\u{201d}")]
        );
        let err =
            read("{\"format\": \"timetracker\", \"version\": 1,\n\"entries\": {}}").unwrap_err();
        assert_eq!(
            errors(&err),
            vec![(2, "expected \u{201c}entries\u{201d}, a JSON array [...]")]
        );
        assert_eq!(
            read("{\"format\": \"timetracker\", \"version\": 1, \"entries\": []}").unwrap(),
            vec![]
        );
    }
}
