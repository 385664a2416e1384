//! Time entries as the user reads them: one entry with its duration, tags
//! and overlap flag, a range of entries, and entries grouped by local
//! calendar day with daily totals. Editing lives in [`edit`].

pub mod edit;
pub(crate) mod overlaps;
pub mod page;
pub mod tag_edit;
pub mod tags;
pub mod undo;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::storage::ts_from_ms;
use crate::Tracker;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Entry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub project_color: Option<String>,
    pub description: String,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    /// Empty while the timer runs.
    #[ts(type = "string | null")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub stopped_at: Option<Timestamp>,
    /// Whole seconds; for a running entry, up to the moment it was read.
    #[ts(type = "number")]
    pub duration_seconds: i64,
    /// Sorted, ignoring case.
    pub tags: Vec<String>,
    /// True when another entry overlaps this one (a running one counts up
    /// to now). Overlaps are allowed, and flagged so the user can fix them.
    pub overlaps: bool,
}

impl Entry {
    pub fn is_running(&self) -> bool {
        self.stopped_at.is_none()
    }
}

/// One local calendar day of entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Day {
    /// `YYYY-MM-DD` in the user's time zone.
    pub date: String,
    #[ts(type = "number")]
    pub total_seconds: i64,
    /// Time between the day's first start and last end that no entry
    /// covers (a running entry counts up to now).
    #[ts(type = "number")]
    pub break_seconds: i64,
    pub entries: Vec<Entry>,
}

pub(crate) const SELECT: &str =
    "SELECT e.id, e.project_id, p.name, p.color, e.description, e.started_at, e.stopped_at
     FROM time_entries e LEFT JOIN projects p ON p.id = e.project_id";

pub(crate) fn from_row(row: &Row<'_>, now: Timestamp) -> rusqlite::Result<Entry> {
    let started_at = ts_from_ms(5, row.get(5)?)?;
    let stopped_at = row
        .get::<_, Option<i64>>(6)?
        .map(|ms| ts_from_ms(6, ms))
        .transpose()?;
    let end = stopped_at.unwrap_or(now);
    // A clock set back while a timer runs must not show a negative time.
    let duration_seconds = (end.as_millisecond() - started_at.as_millisecond()).max(0) / 1000;
    Ok(Entry {
        id: row.get(0)?,
        project_id: row.get(1)?,
        project_name: row.get(2)?,
        project_color: row.get(3)?,
        description: row.get(4)?,
        started_at,
        stopped_at,
        duration_seconds,
        tags: Vec::new(),
        overlaps: false,
    })
}

/// Fills in the tags and overlap flags of `entries` with two queries,
/// however many entries there are.
pub(crate) fn decorate(conn: &Connection, entries: &mut [Entry], now: Timestamp) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    tags::fill(conn, entries)?;
    overlaps::mark(conn, entries, now)?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, id: i64, now: Timestamp) -> Result<Entry> {
    let entry = conn
        .prepare_cached(&format!("{SELECT} WHERE e.id = ?1"))?
        .query_row([id], |r| from_row(r, now))
        .optional()?
        .ok_or(Error::EntryNotFound(id))?;
    let mut one = [entry];
    decorate(conn, &mut one, now)?;
    let [entry] = one;
    Ok(entry)
}

/// Entries that started in `[from, to)`, oldest first, decorated.
pub(crate) fn started_between(
    conn: &Connection,
    from: Timestamp,
    to: Timestamp,
    now: Timestamp,
) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE e.started_at >= ?1 AND e.started_at < ?2 ORDER BY e.started_at, e.id"
    ))?;
    let rows = stmt.query_map(params![from.as_millisecond(), to.as_millisecond()], |r| {
        from_row(r, now)
    })?;
    let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    decorate(conn, &mut entries, now)?;
    Ok(entries)
}

/// The projects used since `?1` (ms), newest use first, at most `?2`.
/// Without statistics SQLite would rather walk the project index, which
/// is every entry ever tracked: the start-time range is what bounds it.
const RECENT_PROJECTS: &str = "SELECT p.id, p.name FROM projects p JOIN (
         SELECT project_id, MAX(started_at) AS last
         FROM time_entries INDEXED BY time_entries_started_at
         WHERE started_at >= ?1 AND project_id IS NOT NULL
         GROUP BY project_id
     ) used ON used.project_id = p.id
     ORDER BY used.last DESC, p.id DESC LIMIT ?2";

/// Entries, newest first, grouped by the local day they started on.
pub(crate) fn group_by_day(entries: Vec<Entry>, tz: &TimeZone) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for entry in entries {
        let date = entry
            .started_at
            .to_zoned_datetime(tz.clone())
            .date()
            .to_string();
        match days.last_mut() {
            Some(day) if day.date == date => {
                day.total_seconds += entry.duration_seconds;
                day.entries.push(entry);
            }
            _ => days.push(Day {
                date,
                total_seconds: entry.duration_seconds,
                break_seconds: 0,
                entries: vec![entry],
            }),
        }
    }
    for day in &mut days {
        let mut spans: Vec<(i64, i64)> = day
            .entries
            .iter()
            .map(|e| {
                let start = e.started_at.as_millisecond();
                // The running entry ends now, which only its duration knows.
                let end = e
                    .stopped_at
                    .map_or(start + e.duration_seconds * 1000, |t| t.as_millisecond());
                (start, end)
            })
            .collect();
        day.break_seconds = crate::breaks::gap_seconds(&mut spans);
    }
    days
}

pub(crate) fn day_start(date: Date, tz: &TimeZone) -> Result<Timestamp> {
    // Midnight can be skipped by a DST change; jiff's compatible
    // disambiguation then picks the first instant of the day.
    date.to_zoned_datetime(tz.clone())
        .map(|z| z.timestamp())
        .map_err(|_| Error::EntryInvalidRange)
}

impl Tracker {
    /// Entries that started at or after `from` and before `to`, oldest
    /// first, with their tags and overlap flags.
    pub fn list_entries(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Entry>> {
        if from > to {
            return Err(Error::EntryInvalidRange);
        }
        let now = self.clock.now();
        self.storage
            .read("entries_list", |conn| started_between(conn, from, to, now))
    }

    /// One page of [`Self::list_entries`]: how many entries started in the
    /// range, and `limit` of them from `offset`, oldest first. Paged in
    /// SQLite (the count and the page on the start-time index, in one read),
    /// so a page of ten years costs what a page of a week does; the overlap
    /// flags are the same, as they are read from each entry's neighbours.
    pub fn list_entries_page(
        &self,
        from: Timestamp,
        to: Timestamp,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<Entry>)> {
        if from > to {
            return Err(Error::EntryInvalidRange);
        }
        let now = self.clock.now();
        let range = [from.as_millisecond(), to.as_millisecond()];
        let page = [
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX),
        ];
        self.storage.read("entries_list_page", |conn| {
            let total: i64 = conn
                .prepare_cached(
                    "SELECT count(*) FROM time_entries WHERE started_at >= ?1 AND started_at < ?2",
                )?
                .query_row(range, |r| r.get(0))?;
            // The offset is skipped on the start-time index alone (it holds
            // the row ids), not row by row through the join.
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT} WHERE e.id IN (
                     SELECT id FROM time_entries WHERE started_at >= ?1 AND started_at < ?2
                     ORDER BY started_at, id LIMIT ?3 OFFSET ?4)
                 ORDER BY e.started_at, e.id"
            ))?;
            let rows = stmt.query_map(params![range[0], range[1], page[0], page[1]], |r| {
                from_row(r, now)
            })?;
            let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            decorate(conn, &mut entries, now)?;
            Ok((usize::try_from(total).unwrap_or(0), entries))
        })
    }

    /// A range holding every entry, for "all time": from the first start to
    /// past the last end (or now, if later). `None` with no entries. Two
    /// index lookups, whatever the number of entries.
    pub fn all_time(&self) -> Result<Option<(Timestamp, Timestamp)>> {
        let now = self.clock.now();
        self.storage.read("entries_all_time", |conn| {
            let (first, last): (Option<i64>, Option<i64>) = conn
                .prepare_cached("SELECT (SELECT min(started_at) FROM time_entries), (SELECT max(started_at) FROM time_entries)")?
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let (Some(first), Some(last)) = (first, last) else {
                return Ok(None);
            };
            let end = last
                .saturating_add(overlaps::longest_ms(conn)?)
                .saturating_add(1)
                .max(now.as_millisecond().saturating_add(1));
            Ok(Some((ts_from_ms(0, first)?, ts_from_ms(1, end)?)))
        })
    }

    pub fn entry(&self, id: i64) -> Result<Entry> {
        let now = self.clock.now();
        self.storage.read("entry_get", |conn| get(conn, id, now))
    }

    /// Entries that started from local day `from` through local day `to`
    /// (both inclusive), grouped by day, newest day and entry first. Days
    /// without entries are left out.
    pub fn entries_by_day(&self, from: Date, to: Date, tz: &TimeZone) -> Result<Vec<Day>> {
        if from > to {
            return Err(Error::EntryInvalidRange);
        }
        let start = day_start(from, tz)?;
        let next = to
            .checked_add(1.day())
            .map_err(|_| Error::EntryInvalidRange)?;
        let end = day_start(next, tz)?;
        let now = self.clock.now();
        let entries = self.storage.read("entries_by_day", |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{SELECT} WHERE e.started_at >= ?1 AND e.started_at < ?2 ORDER BY e.started_at DESC, e.id DESC"
            ))?;
            let rows = stmt.query_map(params![start.as_millisecond(), end.as_millisecond()], |r| {
                from_row(r, now)
            })?;
            let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            decorate(conn, &mut entries, now)?;
            Ok(entries)
        })?;

        Ok(group_by_day(entries, tz))
    }

    /// The last `days` local days up to and including today.
    pub fn recent_days(&self, days: u16, tz: &TimeZone) -> Result<Vec<Day>> {
        let today = self.today(tz);
        let back = i64::from(days.max(1)) - 1;
        let from = today
            .checked_sub(back.days())
            .map_err(|_| Error::EntryInvalidRange)?;
        self.entries_by_day(from, today, tz)
    }

    /// Up to `limit` projects of entries that started in the last `days`
    /// local days, most recently used first, as `(id, name)`. One query on
    /// the start-time index: the tray asks every few seconds, and must not
    /// load the entries themselves.
    pub fn recent_projects(
        &self,
        days: u16,
        limit: usize,
        tz: &TimeZone,
    ) -> Result<Vec<(i64, String)>> {
        let back = i64::from(days.max(1)) - 1;
        let from = self
            .today(tz)
            .checked_sub(back.days())
            .map_err(|_| Error::EntryInvalidRange)?;
        let since = day_start(from, tz)?.as_millisecond();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.storage.read("recent_projects", |conn| {
            let mut stmt = conn.prepare_cached(RECENT_PROJECTS)?;
            let rows = stmt.query_map(params![since, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn today(&self, tz: &TimeZone) -> Date {
        self.clock.now().to_zoned_datetime(tz.clone()).date()
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use jiff::SignedDuration;

    use crate::test_support::{tracker_at, ts};

    use super::*;

    #[test]
    fn a_page_of_entries_is_the_same_slice_of_the_whole_range_with_its_flags() {
        let (mut t, _) = tracker_at("2026-06-10T12:00:00Z");
        for (start, end) in [
            ("08:00", "09:00"),
            ("08:30", "09:30"),
            ("10:00", "10:15"),
            ("11:00", "11:45"),
            ("13:00", "14:00"),
        ] {
            t.add_entry(crate::NewEntry {
                project_id: None,
                description: start.into(),
                started_at: ts(&format!("2026-06-09T{start}:00Z")),
                stopped_at: ts(&format!("2026-06-09T{end}:00Z")),
                tags: vec!["t".into()],
            })
            .unwrap();
        }
        let (from, to) = (ts("2026-06-09T00:00:00Z"), ts("2026-06-10T00:00:00Z"));
        let all = t.list_entries(from, to).unwrap();
        for (offset, limit) in [(0, 2), (1, 2), (3, 10), (5, 1), (9, 3)] {
            let (total, page) = t.list_entries_page(from, to, offset, limit).unwrap();
            assert_eq!(total, 5);
            let slice: Vec<Entry> = all.iter().skip(offset).take(limit).cloned().collect();
            assert_eq!(page, slice, "offset {offset} limit {limit}");
        }
        // The second entry overlaps the first even on a page without it.
        let (_, second) = t.list_entries_page(from, to, 1, 1).unwrap();
        assert!(second[0].overlaps && second[0].tags == ["t"]);
        assert_eq!(
            t.list_entries_page(to, from, 0, 1).unwrap_err().code(),
            "entry.invalid_range"
        );
    }

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    #[test]
    fn entries_group_by_local_day_newest_first_with_totals() {
        // 23:30 UTC on the 27th is 00:30 on the 28th in Paris.
        let (mut t, clock) = tracker_at("2026-11-27T08:00:00Z");
        let p = t.create_project("Client", None).unwrap();
        let mut track = |at: &str, secs: i64| {
            clock.set(ts(at));
            t.start_timer(Some(p.id), "").unwrap();
            clock.advance(SignedDuration::from_secs(secs));
            t.stop_timer().unwrap();
        };
        track("2026-11-27T08:00:00Z", 3600);
        track("2026-11-27T13:00:00Z", 1800);
        track("2026-11-27T23:30:00Z", 600);
        track("2026-11-28T09:00:00Z", 60);

        let days = t
            .entries_by_day(date(2026, 11, 27), date(2026, 11, 28), &paris())
            .unwrap();
        let summary: Vec<(&str, i64, usize)> = days
            .iter()
            .map(|d| (d.date.as_str(), d.total_seconds, d.entries.len()))
            .collect();
        assert_eq!(summary, [("2026-11-28", 660, 2), ("2026-11-27", 5400, 2)]);
        assert!(days[0].entries[0].started_at > days[0].entries[1].started_at);

        let utc = t
            .entries_by_day(date(2026, 11, 27), date(2026, 11, 27), &TimeZone::UTC)
            .unwrap();
        assert_eq!(utc.len(), 1);
        assert_eq!(utc[0].entries.len(), 3);
    }

    #[test]
    fn a_running_entry_counts_up_to_now() {
        let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
        t.start_timer(None, "Reading").unwrap();
        clock.advance(SignedDuration::from_secs(90));
        let days = t.recent_days(1, &TimeZone::UTC).unwrap();
        assert_eq!(days[0].total_seconds, 90);
        assert!(days[0].entries[0].is_running());
        assert_eq!(days[0].entries[0].project_name, None);
    }

    #[test]
    fn recent_days_reaches_back_inclusive_and_rejects_reversed_ranges() {
        let (mut t, clock) = tracker_at("2026-11-20T12:00:00Z");
        t.start_timer(None, "").unwrap();
        t.stop_timer().unwrap();
        clock.set(ts("2026-11-28T12:00:00Z"));
        assert!(t.recent_days(8, &TimeZone::UTC).unwrap().is_empty());
        assert_eq!(t.recent_days(9, &TimeZone::UTC).unwrap().len(), 1);
        let err = t
            .entries_by_day(date(2026, 11, 28), date(2026, 11, 27), &TimeZone::UTC)
            .unwrap_err();
        assert_eq!(err.code(), "entry.invalid_range");
    }

    #[test]
    fn recent_projects_are_the_last_used_first_within_the_days_asked() {
        let (mut t, clock) = tracker_at("2026-09-01T12:00:00Z");
        let old = t.create_project("Old", None).unwrap();
        let a = t.create_project("Alpha", None).unwrap();
        let b = t.create_project("Beta", None).unwrap();
        let c = t.create_project("Gamma", None).unwrap();
        let mut track = |project: i64, at: &str| {
            clock.set(ts(at));
            t.start_timer(Some(project), "").unwrap();
            clock.advance(SignedDuration::from_secs(60));
            t.stop_timer().unwrap();
        };
        track(old.id, "2026-09-01T12:00:00Z");
        track(a.id, "2026-11-20T08:00:00Z");
        track(b.id, "2026-11-21T08:00:00Z");
        track(a.id, "2026-11-22T08:00:00Z");
        track(c.id, "2026-11-22T09:00:00Z");
        clock.set(ts("2026-11-28T12:00:00Z"));
        let names = |days, limit| -> Vec<String> {
            t.recent_projects(days, limit, &TimeZone::UTC)
                .unwrap()
                .into_iter()
                .map(|(_, name)| name)
                .collect()
        };
        assert_eq!(names(60, 5), ["Gamma", "Alpha", "Beta"]);
        assert_eq!(names(60, 2), ["Gamma", "Alpha"]);
        // The 22nd is the 7th day back from the 28th, inclusive.
        assert_eq!(names(7, 5), ["Gamma", "Alpha"]);
        assert_eq!(names(90, 9).len(), 4);
        // As the tray read them before: the same answer as walking the days.
        let walked: Vec<String> = t
            .recent_days(60, &TimeZone::UTC)
            .unwrap()
            .iter()
            .flat_map(|d| d.entries.iter())
            .filter_map(|e| e.project_name.clone())
            .fold(Vec::new(), |mut seen, n| {
                if !seen.contains(&n) {
                    seen.push(n);
                }
                seen
            });
        assert_eq!(names(60, 5), walked);
        // Only the days asked are read, through the start-time index.
        let plan = t
            .storage
            .read("plan", |c| {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {RECENT_PROJECTS}"))?;
                let rows = stmt.query_map(params![0, 5], |r| r.get::<_, String>(3))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .unwrap();
        assert!(
            plan.iter()
                .any(|d| d.contains("INDEX time_entries_started_at (started_at>?)")),
            "{plan:?}"
        );
    }

    #[test]
    fn a_day_cut_short_by_dst_still_lists_its_entries() {
        // Europe/Paris springs forward on 2026-03-29: that day has 23 hours.
        let (mut t, clock) = tracker_at("2026-03-29T10:00:00Z");
        t.start_timer(None, "").unwrap();
        clock.advance(SignedDuration::from_secs(60));
        t.stop_timer().unwrap();
        let days = t
            .entries_by_day(date(2026, 3, 29), date(2026, 3, 29), &paris())
            .unwrap();
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].date, "2026-03-29");
    }

    #[test]
    fn unknown_entry_is_a_typed_error() {
        let (t, _) = tracker_at("2026-11-28T09:00:00Z");
        assert_eq!(t.entry(7).unwrap_err().code(), "entry.not_found");
    }
}
