//! The timer: at most one running entry. Starting while one runs stops it
//! at the same instant, as Toggl does.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use crate::changes::{offer, Change};
use crate::entries::{self, Entry};
use crate::error::{Error, Result};
use crate::events::product::StopReason;
use crate::events::Event;
use crate::tracker::record_in;
use crate::{projects, Tracker};

pub use crate::limits::DESCRIPTION_MAX_CHARS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct StartOutcome {
    /// The new running entry.
    pub started: Entry,
    /// The entry that was running before, now stopped at the same instant.
    pub stopped: Option<Entry>,
}

/// Trims a description and checks its length and characters. Windows line
/// ends (from a pasted or imported text) become plain line breaks.
pub(crate) fn normalize_description(raw: &str) -> Result<String> {
    let description = normalize_synced_description(raw)?.replace("\r\n", "\n");
    match crate::limits::first_control(&description, crate::limits::DESCRIPTION_CONTROLS) {
        Some(c) => Err(Error::EntryDescriptionInvalid(c)),
        None => Ok(description),
    }
}

/// [`normalize_description`] without the character check, for sync (see
/// `projects::normalize_synced_name`).
pub(crate) fn normalize_synced_description(raw: &str) -> Result<String> {
    let description = raw.trim();
    let chars = description.chars().count();
    if chars > DESCRIPTION_MAX_CHARS {
        return Err(Error::EntryDescriptionTooLong(chars));
    }
    Ok(description.to_owned())
}

/// Stops the running entry, if any, at `at_ms` (never before its start, in
/// case the clock went back), returning its id.
pub(crate) fn stopped_event(entry: &Entry, reason: StopReason) -> Event {
    Event::TimerStopped {
        duration_seconds: entry.duration_seconds,
        reason,
    }
}

pub(crate) fn log_stopped(entry: &Entry, reason: StopReason) {
    crate::log_event!(
        "timer.stopped",
        entry_id = entry.id,
        project_id = entry.project_id,
        duration_seconds = entry.duration_seconds,
        reason = reason.as_str(),
    );
}

pub(crate) fn stop_running(tx: &rusqlite::Transaction<'_>, at_ms: i64) -> Result<Option<i64>> {
    // Cached: preparing it compiles the sync triggers on time_entries,
    // which took longer than running it.
    Ok(tx
        .prepare_cached(
            "UPDATE time_entries SET stopped_at = max(?1, started_at), updated_at = ?1
             WHERE stopped_at IS NULL RETURNING id",
        )?
        .query_row([at_ms], |r| r.get(0))
        .optional()?)
}

impl Tracker {
    /// Starts a timer on `project_id` (or on no project). The new entry is
    /// committed to disk before this returns, so a crash loses nothing.
    pub fn start_timer(
        &mut self,
        project_id: Option<i64>,
        description: &str,
    ) -> Result<StartOutcome> {
        self.start_timer_tagged(project_id, description, &[])
    }

    /// [`Tracker::start_timer`] with tags on the new entry.
    pub fn start_timer_tagged(
        &mut self,
        project_id: Option<i64>,
        description: &str,
        tags: &[String],
    ) -> Result<StartOutcome> {
        let description = normalize_description(description)?;
        let tags = entries::tags::normalize(tags)?;
        let now = self.clock.now();
        let ms = now.as_millisecond();
        let observers = self.event_observers();
        let changers = &self.change_observers;
        let (out, recorded) = self.storage.write("timer_start", |tx| {
            if let Some(id) = project_id {
                let project = projects::get(tx, id)?;
                if project.archived {
                    return Err(Error::ProjectArchived(project.name));
                }
            }
            let stopped = stop_running(tx, ms)?;
            crate::breaks::clear(tx)?;
            tx.prepare_cached(
                "INSERT INTO time_entries (project_id, description, started_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?3, ?3)",
            )?
            .execute(params![project_id, description, ms])?;
            let id = tx.last_insert_rowid();
            if !tags.is_empty() {
                entries::tags::set(tx, id, &tags)?;
            }
            let started = entries::get(tx, id, now)?;
            let stopped = stopped.map(|id| entries::get(tx, id, now)).transpose()?;
            let out = StartOutcome { started, stopped };
            offer(changers, tx, now, || {
                let mut changes: Vec<Change> =
                    out.stopped.iter().cloned().map(Change::TimerStopped).collect();
                changes.push(Change::TimerStarted(out.started.clone()));
                changes
            });
            let mut events: Vec<Event> = out
                .stopped
                .iter()
                .map(|prev| stopped_event(prev, StopReason::Switched))
                .collect();
            events.push(Event::TimerStarted {
                has_project: out.started.project_id.is_some(),
                has_description: !out.started.description.is_empty(),
            });
            Ok((out, record_in(observers, tx, now, events)))
        })?;
        if let Some(prev) = &out.stopped {
            log_stopped(prev, StopReason::Switched);
        }
        crate::log_event!(
            "timer.started",
            entry_id = out.started.id,
            project_id = out.started.project_id,
            has_description = !out.started.description.is_empty(),
        );
        self.track_recorded(recorded);
        Ok(out)
    }

    /// Stops the running timer and returns the finished entry.
    pub fn stop_timer(&mut self) -> Result<Entry> {
        let now = self.clock.now();
        let observers = self.event_observers();
        let changers = &self.change_observers;
        let (entry, recorded) = self.storage.write("timer_stop", |tx| {
            let id = stop_running(tx, now.as_millisecond())?.ok_or(Error::TimerNotRunning)?;
            let entry = entries::get(tx, id, now)?;
            offer(changers, tx, now, || {
                vec![Change::TimerStopped(entry.clone())]
            });
            let event = stopped_event(&entry, StopReason::Stopped);
            Ok((entry, record_in(observers, tx, now, vec![event])))
        })?;
        log_stopped(&entry, StopReason::Stopped);
        self.track_recorded(recorded);
        Ok(entry)
    }

    /// The running entry, if any, with its original start.
    pub fn timer_status(&self) -> Result<Option<Entry>> {
        let now = self.clock.now();
        self.storage.read("timer_status", |conn| {
            let running = conn
                .prepare_cached(&format!("{} WHERE e.stopped_at IS NULL", entries::SELECT))?
                .query_row([], |r| entries::from_row(r, now))
                .optional()?;
            let Some(entry) = running else {
                return Ok(None);
            };
            let mut one = [entry];
            entries::decorate(conn, &mut one, now)?;
            let [entry] = one;
            Ok(Some(entry))
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use crate::test_support::{tracker, tracker_at, ts};

    use super::*;

    #[test]
    fn descriptions_keep_line_breaks_and_tabs_but_refuse_other_controls() {
        let (mut t, _) = tracker();
        for bad in [
            "\u{1b}[2J",
            "bell\u{7}",
            "cr\ronly",
            "c1\u{85}next line",
            "del\u{7f}",
        ] {
            let err = t.start_timer(None, bad).unwrap_err();
            assert_eq!(err.code(), "entry.invalid_description", "{bad:?}");
        }
        assert!(t.timer_status().unwrap().is_none());
        let out = t.start_timer(None, "two\r\nlines\tand a tab").unwrap();
        assert_eq!(out.started.description, "two\nlines\tand a tab");
    }

    #[test]
    fn start_then_stop_records_the_duration() {
        let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
        let p = t.create_project("Website", None).unwrap();
        let out = t.start_timer(Some(p.id), "  Landing page ").unwrap();
        assert!(out.stopped.is_none());
        assert_eq!(out.started.description, "Landing page");
        assert_eq!(out.started.project_name.as_deref(), Some("Website"));
        assert_eq!(out.started.started_at, ts("2026-11-28T09:00:00Z"));
        assert!(out.started.is_running());

        clock.advance(SignedDuration::from_secs(125));
        let status = t.timer_status().unwrap().unwrap();
        assert_eq!(status.duration_seconds, 125);
        assert_eq!(status.started_at, ts("2026-11-28T09:00:00Z"));

        let done = t.stop_timer().unwrap();
        assert_eq!(done.id, out.started.id);
        assert_eq!(done.stopped_at, Some(ts("2026-11-28T09:02:05Z")));
        assert_eq!(done.duration_seconds, 125);
        assert!(t.timer_status().unwrap().is_none());
    }

    #[test]
    fn starting_while_running_stops_the_previous_at_the_same_instant() {
        let (mut t, clock) = tracker();
        let a = t.create_project("A", None).unwrap();
        let b = t.create_project("B", None).unwrap();
        let first = t.start_timer(Some(a.id), "").unwrap().started;
        clock.advance(SignedDuration::from_secs(60));
        let out = t.start_timer(Some(b.id), "").unwrap();
        let stopped = out.stopped.unwrap();
        assert_eq!(stopped.id, first.id);
        assert_eq!(stopped.stopped_at, Some(out.started.started_at));
        assert_eq!(stopped.duration_seconds, 60);
        assert_eq!(t.timer_status().unwrap().unwrap().project_id, Some(b.id));
    }

    #[test]
    fn the_schema_allows_one_running_entry_only() {
        let (mut t, _) = tracker();
        t.start_timer(None, "").unwrap();
        let second = t.storage.conn().execute(
            "INSERT INTO time_entries (description, started_at, created_at, updated_at) VALUES ('', 0, 0, 0)",
            [],
        );
        let err = second.unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation)
        );
    }

    #[test]
    fn stopping_with_nothing_running_is_a_typed_error() {
        let (mut t, _) = tracker();
        assert_eq!(t.stop_timer().unwrap_err().code(), "timer.not_running");
    }

    #[test]
    fn bad_starts_change_nothing() {
        let (mut t, _) = tracker();
        let p = t.create_project("Old", None).unwrap();
        let running = t.start_timer(None, "keep me").unwrap().started;
        t.archive_project(p.id).unwrap();

        let err = t.start_timer(Some(p.id), "").unwrap_err();
        assert_eq!(err.code(), "project.archived");
        assert_eq!(
            t.start_timer(Some(424242), "").unwrap_err().code(),
            "project.not_found"
        );
        let long = "x".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert_eq!(
            t.start_timer(None, &long).unwrap_err().code(),
            "entry.description_too_long"
        );

        // The running entry was neither stopped nor replaced.
        assert_eq!(t.timer_status().unwrap().unwrap().id, running.id);
    }

    #[test]
    fn a_clock_set_back_never_yields_a_negative_entry() {
        let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
        t.start_timer(None, "").unwrap();
        clock.set(ts("2026-11-28T08:00:00Z"));
        let done = t.stop_timer().unwrap();
        assert_eq!(done.duration_seconds, 0);
        assert_eq!(done.stopped_at, Some(done.started_at));
    }

    #[test]
    fn a_running_timer_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let clock = crate::FakeClock::at(ts("2026-11-28T09:00:00Z"));
        let started = {
            let mut t =
                Tracker::open_in_dir(dir.path(), std::sync::Arc::new(clock.clone())).unwrap();
            let p = t.create_project("Persist", None).unwrap();
            t.start_timer(Some(p.id), "survive").unwrap().started
            // Dropped without stopping: the process "dies" here.
        };
        clock.advance(SignedDuration::from_secs(3600));
        let t = Tracker::open_in_dir(dir.path(), std::sync::Arc::new(clock)).unwrap();
        let status = t.timer_status().unwrap().unwrap();
        assert_eq!(status.id, started.id);
        assert_eq!(status.started_at, started.started_at);
        assert_eq!(status.duration_seconds, 3600);
    }
}
