//! The calendar's window on history: the entries that touch a run of local
//! days (one that began the evening before and ran past midnight
//! included), each day's bounds, total and breaks, and the changes made by
//! dragging a block. It reads one week, however long the history is.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::entries::edit::{EntryPatch, Patched};
use crate::entries::{day_start, decorate, from_row, overlaps, Entry, SELECT};
use crate::error::{Error, Result};
use crate::events::product::{CalendarEdge, Event};
use crate::Tracker;

/// A week is the most the calendar shows at once.
pub const MAX_DAYS: u8 = 7;

/// One local day as a calendar column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CalendarDay {
    /// `YYYY-MM-DD` in the user's time zone.
    pub date: String,
    /// Local midnight (or the day's first instant, when DST skips it).
    #[ts(type = "string")]
    pub starts_at: Timestamp,
    /// The next day's start: a DST day is 23 or 25 hours long.
    #[ts(type = "string")]
    pub ends_at: Timestamp,
    /// Time tracked inside this day; an entry across midnight counts in
    /// both days, each its own part.
    #[ts(type = "number")]
    pub total_seconds: i64,
    /// Uncovered time between the day's first start and last end.
    #[ts(type = "number")]
    pub break_seconds: i64,
}

/// The days on screen and every entry that touches them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CalendarSpan {
    pub days: Vec<CalendarDay>,
    /// Oldest first; an entry across midnight is listed once and drawn in
    /// each day it touches. The running entry ends at `now`.
    pub entries: Vec<Entry>,
    /// The instant the span was read, for the "now" line and the running
    /// block.
    #[ts(type = "string")]
    pub now: Timestamp,
}

/// What a drag in the calendar did to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "edit", rename_all = "snake_case")]
#[ts(export)]
pub enum CalendarEdit {
    /// The block moved: it starts here and keeps its length (a running
    /// block keeps running).
    Move {
        #[ts(type = "string")]
        started_at: Timestamp,
    },
    /// Its top edge moved.
    Start {
        #[ts(type = "string")]
        started_at: Timestamp,
    },
    /// Its bottom edge moved (on the running block, that stops it there).
    End {
        #[ts(type = "string")]
        stopped_at: Timestamp,
    },
}

/// Entries that start before `to` and end after `from` (ms), or are
/// zero-length inside; the running one wherever it started.
fn touching(conn: &Connection, from: i64, to: i64, now: Timestamp) -> Result<Vec<Entry>> {
    let lookback = from.saturating_sub(overlaps::longest_ms(conn)?);
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE e.started_at >= ?1 AND e.started_at < ?2
         UNION ALL
         {SELECT} WHERE e.id = (SELECT id FROM time_entries WHERE stopped_at IS NULL)
           AND e.started_at < ?1"
    ))?;
    let rows = stmt.query_map(params![lookback, to], |r| from_row(r, now))?;
    let mut entries = Vec::new();
    for entry in rows {
        let entry = entry?;
        let (start, end) = span_ms(&entry, now);
        let inside = if start == end {
            start >= from && start < to
        } else {
            start < to && end > from
        };
        if inside {
            entries.push(entry);
        }
    }
    entries.sort_by_key(|e| (e.started_at, e.id));
    decorate(conn, &mut entries, now)?;
    Ok(entries)
}

/// An entry's `(start, end)` in ms; the running one ends now.
fn span_ms(entry: &Entry, now: Timestamp) -> (i64, i64) {
    let start = entry.started_at.as_millisecond();
    let end = entry.stopped_at.unwrap_or(now).as_millisecond().max(start);
    (start, end)
}

/// Each day's total and breaks from the parts of `entries` inside it.
fn fill_days(days: &mut [CalendarDay], entries: &[Entry], now: Timestamp) {
    for day in days {
        let (lo, hi) = (day.starts_at.as_millisecond(), day.ends_at.as_millisecond());
        let mut parts: Vec<(i64, i64)> = entries
            .iter()
            .map(|e| span_ms(e, now))
            .filter(|&(s, e)| s < hi && e > lo)
            .map(|(s, e)| (s.max(lo), e.min(hi)))
            .collect();
        day.total_seconds = parts.iter().map(|(s, e)| (e - s) / 1000).sum();
        day.break_seconds = crate::breaks::gap_seconds(&mut parts);
    }
}

impl Tracker {
    /// `days` local days from `from` (1 to [`MAX_DAYS`]) in `tz`, with the
    /// entries that touch them. Two index range reads, whatever the size of
    /// the history.
    pub fn calendar(&self, from: Date, days: u8, tz: &TimeZone) -> Result<CalendarSpan> {
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(Error::EntryInvalidRange);
        }
        let mut columns = Vec::with_capacity(usize::from(days));
        let mut date = from;
        for _ in 0..days {
            let next = date
                .checked_add(1.day())
                .map_err(|_| Error::EntryInvalidRange)?;
            columns.push(CalendarDay {
                date: date.to_string(),
                starts_at: day_start(date, tz)?,
                ends_at: day_start(next, tz)?,
                total_seconds: 0,
                break_seconds: 0,
            });
            date = next;
        }
        let (lo, hi) = match (columns.first(), columns.last()) {
            (Some(first), Some(last)) => (first.starts_at, last.ends_at),
            _ => return Err(Error::EntryInvalidRange),
        };
        let now = self.clock.now();
        let entries = self.storage.read("calendar", |conn| {
            touching(conn, lo.as_millisecond(), hi.as_millisecond(), now)
        })?;
        fill_days(&mut columns, &entries, now);
        Ok(CalendarSpan {
            days: columns,
            entries,
            now,
        })
    }

    /// Applies a drag to entry `id`; the same checks as any edit (an end
    /// before the start, a running entry starting in the future). Logged
    /// as what the user did, not as a plain edit.
    pub fn calendar_edit(&mut self, id: i64, edit: CalendarEdit) -> Result<Entry> {
        let Patched {
            before,
            entry: after,
            ..
        } = self.patch_entry(id, |before| {
            Ok(match edit {
                CalendarEdit::Move { started_at } => {
                    let length = before
                        .stopped_at
                        .map(|end| end.duration_since(before.started_at));
                    EntryPatch {
                        started_at: Some(started_at),
                        stopped_at: length
                            .map(|l| started_at.checked_add(l).map(Some))
                            .transpose()
                            .map_err(|_| Error::EntryInvalidRange)?,
                        ..EntryPatch::default()
                    }
                }
                CalendarEdit::Start { started_at } => EntryPatch {
                    started_at: Some(started_at),
                    ..EntryPatch::default()
                },
                CalendarEdit::End { stopped_at } => EntryPatch {
                    stopped_at: Some(Some(stopped_at)),
                    ..EntryPatch::default()
                },
            })
        })?;
        let shift = |a: Timestamp, b: Timestamp| b.duration_since(a).as_secs() / 60;
        match edit {
            CalendarEdit::Move { .. } => {
                crate::log_event!(
                    "calendar.entry_moved",
                    entry_id = id,
                    shift_minutes = shift(before.started_at, after.started_at),
                );
                self.track(Event::CalendarEntryMoved {});
            }
            CalendarEdit::Start { .. } => {
                crate::log_event!(
                    "calendar.entry_resized",
                    entry_id = id,
                    edge = "start",
                    shift_minutes = shift(before.started_at, after.started_at),
                );
                self.track(Event::CalendarEntryResized {
                    edge: CalendarEdge::Start,
                });
            }
            CalendarEdit::End { stopped_at } => {
                let was = before.stopped_at.unwrap_or(self.clock.now());
                crate::log_event!(
                    "calendar.entry_resized",
                    entry_id = id,
                    edge = "end",
                    shift_minutes = shift(was, stopped_at),
                );
                self.track(Event::CalendarEntryResized {
                    edge: CalendarEdge::End,
                });
            }
        }
        Ok(after)
    }
}

#[cfg(test)]
mod tests;
