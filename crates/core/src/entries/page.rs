//! All of history as pages of whole local days, for a list that loads as
//! the user scrolls: keyset paging on the start-time index, so a page ten
//! years back costs what the newest one does.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{day_start, decorate, from_row, Day, Entry, SELECT};
use crate::error::{Error, Result};
use crate::Tracker;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PageAt {
    /// The newest entries (future ones included).
    Newest,
    /// Days before this instant, newest first: an `older` cursor.
    Before(#[ts(type = "string")] Timestamp),
    /// Days from this instant on: a `newer` cursor.
    After(#[ts(type = "string")] Timestamp),
    /// The local day `YYYY-MM-DD` and the days before it.
    OnOrBefore(#[ts(type = "string")] Date),
}

/// Whole local days of entries, newest day and entry first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EntryPage {
    pub days: Vec<Day>,
    /// `PageAt::Before` this for the page below; null when nothing is older.
    #[ts(type = "string | null")]
    pub older: Option<Timestamp>,
    /// `PageAt::After` this for the page above; null when nothing is newer.
    #[ts(type = "string | null")]
    pub newer: Option<Timestamp>,
}

/// The most entries one page asks for (it may hold more, to end on a
/// whole day).
pub const MAX_PAGE: usize = 5_000;

impl Tracker {
    /// At least `limit` entries (fewer at either end of history) from
    /// `at`, widened to whole local days of `tz`, so no day is split
    /// between two pages and each day's total is complete.
    pub fn entries_page(&self, at: PageAt, limit: usize, tz: &TimeZone) -> Result<EntryPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let now = self.clock.now();
        self.storage.read("entries_page", |conn| {
            let (low, high) = match at {
                PageAt::Newest => downwards(conn, None, limit, tz)?,
                PageAt::Before(t) => downwards(conn, Some(t), limit, tz)?,
                PageAt::OnOrBefore(date) => {
                    let next = date
                        .checked_add(1.day())
                        .map_err(|_| Error::EntryInvalidRange)?;
                    downwards(conn, Some(day_start(next, tz)?), limit, tz)?
                }
                PageAt::After(t) => upwards(conn, t, limit, tz)?,
            };
            let entries = between(conn, low, high, now)?;
            let older = match low {
                Some(low) if exists(conn, "started_at < ?1", low)? => Some(low),
                _ => None,
            };
            let newer = match high {
                Some(high) if exists(conn, "started_at >= ?1", high)? => Some(high),
                _ => None,
            };
            Ok(EntryPage {
                days: super::group_by_day(entries, tz),
                older,
                newer,
            })
        })
    }
}

/// The bounds `[low, high)` of the `limit` entries before `high` (none:
/// all of them), with `low` moved back to the start of its local day.
/// `low` is `None` when that reaches the first entry.
fn downwards(
    conn: &Connection,
    high: Option<Timestamp>,
    limit: usize,
    tz: &TimeZone,
) -> Result<(Option<Timestamp>, Option<Timestamp>)> {
    let high_ms = high.map_or(i64::MAX, |t| t.as_millisecond());
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT started_at FROM time_entries WHERE started_at < ?1
             ORDER BY started_at DESC LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![high_ms, offset(limit)], |r| r.get(0))
        .optional()?;
    let low = match last {
        Some(ms) => Some(day_start(local_date(ms, tz)?, tz)?),
        None => None,
    };
    Ok((low, high))
}

/// The bounds `[low, high)` of the `limit` entries from `low` on, with
/// `high` moved up to the end of its local day; `None` past the newest.
fn upwards(
    conn: &Connection,
    low: Timestamp,
    limit: usize,
    tz: &TimeZone,
) -> Result<(Option<Timestamp>, Option<Timestamp>)> {
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT started_at FROM time_entries WHERE started_at >= ?1
             ORDER BY started_at LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![low.as_millisecond(), offset(limit)], |r| r.get(0))
        .optional()?;
    let high = match last {
        Some(ms) => {
            let next = local_date(ms, tz)?
                .checked_add(1.day())
                .map_err(|_| Error::EntryInvalidRange)?;
            Some(day_start(next, tz)?)
        }
        None => None,
    };
    Ok((Some(low), high))
}

/// Row `limit - 1` is the last one a page must hold.
fn offset(limit: usize) -> i64 {
    i64::try_from(limit - 1).unwrap_or(i64::MAX)
}

fn local_date(ms: i64, tz: &TimeZone) -> Result<Date> {
    let at = Timestamp::from_millisecond(ms).map_err(|_| Error::EntryInvalidRange)?;
    Ok(at.to_zoned_datetime(tz.clone()).date())
}

fn between(
    conn: &Connection,
    low: Option<Timestamp>,
    high: Option<Timestamp>,
    now: Timestamp,
) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE e.started_at >= ?1 AND e.started_at < ?2
         ORDER BY e.started_at DESC, e.id DESC"
    ))?;
    let rows = stmt.query_map(
        params![
            low.map_or(i64::MIN, |t| t.as_millisecond()),
            high.map_or(i64::MAX, |t| t.as_millisecond())
        ],
        |r| from_row(r, now),
    )?;
    let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    decorate(conn, &mut entries, now)?;
    Ok(entries)
}

fn exists(conn: &Connection, condition: &str, at: Timestamp) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM time_entries WHERE {condition})");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([at.as_millisecond()], |r| r.get(0))?)
}

#[cfg(test)]
#[path = "page_tests.rs"]
mod tests;
