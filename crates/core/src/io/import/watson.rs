//! Watson: its `frames` file (`~/.config/watson/frames`), a JSON array of
//! `[start, stop, project, id, [tags], updated_at]` with Unix seconds, or
//! the output of `watson log --json`, an array of
//! `{"id", "project", "start", "stop", "tags"}` with RFC 3339 times.
//!
//! Watson frames have no description; the project becomes the project and
//! the tags stay tags. A running frame is not in either file (Watson keeps
//! it in its `state` file), so every record has an end.

use jiff::Timestamp;
use serde_json::Value;

use super::json::{self, Fields};
use super::values;
use super::ImportRecord;
use crate::error::import::{ImportError, Problems};

pub(crate) fn parse(text: &str) -> Result<Vec<ImportRecord>, ImportError> {
    let doc = json::document(text)?;
    let items = json::items(text, doc, "Watson's frames")?;
    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(items.len());
    for item in &items {
        let mut errors = Vec::new();
        let parsed = match &item.value {
            Value::Array(frame) => frame_parts(frame, &mut errors),
            Value::Object(map) => {
                let mut f = Fields::new(map);
                let start = f.instant("start", true);
                let stop = f.instant("stop", true);
                let project = f.name("project");
                let tags = f.tags("tags");
                errors.append(&mut f.errors);
                start.zip(stop).map(|(s, e)| (s, e, project, tags))
            }
            _ => {
                errors.push(
                    "expected a frame, [start, stop, project, id, [tags], updated_at]".to_owned(),
                );
                None
            }
        };
        if let Some((start, stop, _, _)) = &parsed {
            if stop < start {
                errors.push(format!(
                    "the frame ends ({stop}) before it starts ({start})"
                ));
            }
        }
        if !errors.is_empty() {
            for message in errors {
                problems.add(item.line, message);
            }
            continue;
        }
        let Some((start, stop, project, tags)) = parsed else {
            continue;
        };
        records.push(ImportRecord {
            line: item.line,
            project,
            client: None,
            description: String::new(),
            start,
            end: Some(stop),
            tags,
            billable: None,
            hourly_rate_cents: None,
            currency: None,
        });
    }
    problems.finish(records)
}

type Frame = (Timestamp, Timestamp, Option<String>, Vec<String>);

/// `[start, stop, project, id, [tags], updated_at]`; the id and update time
/// are Watson's own bookkeeping, and frames from old versions lack them.
fn frame_parts(frame: &[Value], errors: &mut Vec<String>) -> Option<Frame> {
    if frame.len() < 3 {
        errors.push(format!(
            "a frame needs at least [start, stop, project]; this one has {} items",
            frame.len()
        ));
        return None;
    }
    let start = unix(&frame[0], "the start", errors);
    let stop = unix(&frame[1], "the stop", errors);
    let project = match &frame[2] {
        Value::String(s) => values::name(s),
        _ => {
            errors.push("the project (third item) must be text".to_owned());
            None
        }
    };
    let tags = match frame.get(4) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            match items.iter().map(Value::as_str).collect::<Option<Vec<_>>>() {
                Some(list) => values::tag_list(list),
                None => {
                    errors.push("the tags (fifth item) must be a list of text".to_owned());
                    Vec::new()
                }
            }
        }
        Some(_) => {
            errors.push("the tags (fifth item) must be a list of text".to_owned());
            Vec::new()
        }
    };
    Some((start?, stop?, project, tags))
}

/// Unix seconds, whole or fractional (older Watson wrote floats).
fn unix(v: &Value, what: &str, errors: &mut Vec<String>) -> Option<Timestamp> {
    let seconds = v.as_i64().or_else(|| {
        v.as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f.floor() as i64)
    });
    match seconds.map(Timestamp::from_second) {
        Some(Ok(t)) => Some(t),
        _ => {
            errors.push(format!("{what} must be a Unix time in seconds, not {v}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::testing::*;
    use super::super::{Format, ImportRecord};

    fn watson_expected(lines: [usize; 4]) -> Vec<ImportRecord> {
        vec![
            ImportRecord {
                tags: tags(&["frontend", "review"]),
                ..entry(
                    lines[0],
                    s("acme-website"),
                    "",
                    "2026-11-23T09:00:00Z",
                    Some("2026-11-23T10:30:00Z"),
                )
            },
            ImportRecord {
                tags: tags(&["meeting"]),
                ..entry(
                    lines[1],
                    s("client-x"),
                    "",
                    "2026-11-23T11:00:00Z",
                    Some("2026-11-23T12:15:00Z"),
                )
            },
            entry(
                lines[2],
                s("acme-website"),
                "",
                "2026-11-24T13:00:00Z",
                Some("2026-11-24T17:30:00Z"),
            ),
            ImportRecord {
                tags: tags(&["on call"]),
                ..entry(
                    lines[3],
                    s("night owl"),
                    "",
                    "2026-11-24T22:30:00Z",
                    Some("2026-11-25T01:00:00Z"),
                )
            },
        ]
    }

    #[test]
    fn watson_frames_and_log() {
        assert_eq!(
            parse(&fixture("watson-frames.json"), Format::Watson).unwrap(),
            watson_expected([2, 13, 23, 31])
        );
        // The same frames as `watson log --json` printed them, with offsets.
        assert_eq!(
            parse(&fixture("watson-log.json"), Format::Watson).unwrap(),
            watson_expected([2, 12, 21, 28])
        );
    }

    #[test]
    fn bad_frames_are_all_reported() {
        let err = problems("watson-bad-frames.json", Format::Watson);
        assert_eq!(
            errors(&err),
            vec![
                (
                    13,
                    "the start must be a Unix time in seconds, not \"yesterday\""
                ),
                (
                    21,
                    "a frame needs at least [start, stop, project]; this one has 1 items"
                ),
                (24, "the tags (fifth item) must be a list of text"),
                (
                    24,
                    "the frame ends (2026-11-24T22:30:00Z) before it starts (2026-11-25T01:00:00Z)"
                ),
            ]
        );
    }
}
