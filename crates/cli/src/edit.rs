//! `tt edit` and `tt delete`: change or remove an entry by its id, as
//! Timewarrior's `modify` and Watson's `edit` do.

use jiff::civil::{DateTime, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use timetracker_core::{EntryPatch, Tracker};

use crate::commands::{Out, Outcome};
use crate::{text, Failure};

/// The fields `tt edit` was given.
pub struct Change {
    pub project: Option<String>,
    pub description: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub tags: Option<Vec<String>>,
}

/// An instant typed on the command line: RFC 3339, a local date and time
/// (`2026-11-28 09:30` or `2026-11-28T09:30`), or a local time on `day_of`'s
/// day (`09:30`).
fn instant(text: &str, day_of: Timestamp, tz: &TimeZone) -> Result<Timestamp, Failure> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let local = if let Ok(dt) = text.replacen(' ', "T", 1).parse::<DateTime>() {
        Some(dt)
    } else if let Ok(time) = text.parse::<Time>() {
        Some(tz.to_datetime(day_of).date().to_datetime(time))
    } else {
        None
    };
    local
        .and_then(|dt| dt.to_zoned_datetime(tz.clone()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            Failure::Usage(format!(
                "expected a time like 2026-11-28 09:30, 09:30 or 2026-11-28T09:30:00Z, not {text:?}"
            ))
        })
}

pub fn edit(t: &mut Tracker, id: i64, change: Change, tz: &TimeZone, out: &mut Out) -> Outcome {
    let entry = t.entry(id)?;
    let mut patch = EntryPatch {
        description: change.description,
        tags: change.tags,
        ..EntryPatch::default()
    };
    if let Some(name) = change.project {
        patch.project_id = Some(match name.trim() {
            "" => None,
            name => Some(match t.find_project(name)? {
                Some(p) => p.id,
                None => t.create_project(name, None)?.id,
            }),
        });
    }
    if let Some(start) = &change.start {
        patch.started_at = Some(instant(start, entry.started_at, tz)?);
    }
    if let Some(end) = &change.end {
        let day_of = patch.started_at.unwrap_or(entry.started_at);
        patch.stopped_at = Some(match end.trim() {
            "running" => None,
            end => Some(instant(end, day_of, tz)?),
        });
    }
    let updated = t.update_entry(id, patch)?;
    if out.json {
        return out.json(&updated);
    }
    out.text(format!(
        "Changed {} {}: {}-{} ({})\n",
        updated.id,
        text::entry_label(&updated),
        text::clock(updated.started_at, tz),
        updated
            .stopped_at
            .map_or_else(|| "now".to_owned(), |e| text::clock(e, tz)),
        text::duration(updated.duration_seconds)
    ));
    Ok(())
}

pub fn delete(t: &mut Tracker, id: i64, out: &mut Out) -> Outcome {
    let deleted = t.delete_entry(id)?;
    if out.json {
        return out.json(&serde_json::json!({ "deleted": deleted.id }));
    }
    out.text(format!("Deleted entry {}\n", deleted.id));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_instants_local_date_times_or_times_on_the_entrys_day() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let day: Timestamp = "2026-11-28T08:00:00Z".parse().unwrap();
        let at = |s: &str| instant(s, day, &tz).unwrap().to_string();
        assert_eq!(at("2026-11-28T09:30:00Z"), "2026-11-28T09:30:00Z");
        assert_eq!(at("2026-11-28 09:30"), "2026-11-28T08:30:00Z");
        assert_eq!(at("17:45"), "2026-11-28T16:45:00Z");
        assert!(instant("tomorrow", day, &tz).is_err());
    }
}
