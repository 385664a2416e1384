//! `timew export`: a JSON array of intervals,
//! `{"id":1,"start":"20261123T090000Z","end":"20261123T103000Z","tags":["acme","review"],"annotation":"..."}`.
//!
//! Intervals carry only tags. The first tag becomes the project and the rest
//! stay tags; an interval without tags has no project. Timewarrior keeps a
//! set of tags and exports them sorted, so "first" is the first in
//! Unicode order (upper case before lower case). The annotation becomes the
//! description; an interval without `end` is still running.

use serde_json::Value;

use super::json::{self, Fields};
use super::values;
use super::ImportRecord;
use crate::error::import::{ImportError, Problems};

pub(crate) fn parse(text: &str) -> Result<Vec<ImportRecord>, ImportError> {
    let doc = json::document(text)?;
    let items = json::items(text, doc, "the intervals printed by `timew export`")?;
    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(items.len());
    for item in &items {
        let Value::Object(map) = &item.value else {
            problems.add(
                item.line,
                "expected an interval, a JSON object {\"start\": ..., \"tags\": [...]}",
            );
            continue;
        };
        let mut f = Fields::new(map);
        let start = f.instant("start", true);
        let end = f.instant("end", false);
        let mut tags = f.tags("tags");
        let description = values::description(f.text("annotation").unwrap_or(""));
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                f.errors
                    .push(format!("the interval ends ({e}) before it starts ({s})"));
            }
        }
        for message in f.errors {
            problems.add(item.line, message);
        }
        let Some(start) = start else { continue };
        let project = (!tags.is_empty()).then(|| tags.remove(0));
        records.push(ImportRecord {
            line: item.line,
            project,
            client: None,
            description,
            start,
            end,
            tags,
            billable: None,
            hourly_rate_cents: None,
            currency: None,
        });
    }
    problems.finish(records)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::testing::*;
    use super::super::{Format, ImportRecord};

    #[test]
    fn timewarrior_export() {
        assert_eq!(
            parse(&fixture("timewarrior.json"), Format::Timewarrior).unwrap(),
            vec![
                ImportRecord {
                    tags: tags(&["frontend", "review"]),
                    ..entry(
                        2,
                        s("acme-website"),
                        "Homepage layout",
                        "2026-11-23T09:00:00Z",
                        Some("2026-11-23T10:30:00Z")
                    )
                },
                ImportRecord {
                    tags: tags(&["meeting"]),
                    ..entry(
                        3,
                        s("Client X"),
                        "Kick-off, with \"quotes\" & ünïcödé",
                        "2026-11-23T11:00:00Z",
                        Some("2026-11-23T12:15:00Z")
                    )
                },
                // No tags: no project.
                entry(
                    4,
                    None,
                    "Inbox",
                    "2026-11-24T08:45:00Z",
                    Some("2026-11-24T09:05:00Z")
                ),
                entry(
                    5,
                    s("acme-website"),
                    "",
                    "2026-11-24T13:00:00Z",
                    Some("2026-11-24T17:30:00Z")
                ),
                // Still running.
                ImportRecord {
                    tags: tags(&["backend"]),
                    ..entry(6, s("acme-website"), "", "2026-11-25T09:00:00Z", None)
                },
            ]
        );
    }

    #[test]
    fn a_truncated_export_names_the_line_it_stops_on() {
        let err = problems("timewarrior-truncated.json", Format::Timewarrior);
        assert_eq!(
            errors(&err),
            vec![(
                4,
                "the file ends in the middle of the JSON; was it cut short?"
            )]
        );
    }
}
