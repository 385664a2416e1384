//! Breaks: *Pause* ends the running entry and remembers it; *Resume*
//! starts a new one with the same project, description and tags. What
//! is remembered is this device's (a setting, never synced): a pause is
//! where the user is, not part of the shared history.

use jiff::Timestamp;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::changes::{offer, Change};
use crate::entries::{self, Entry};
use crate::error::{Error, Result};
use crate::events::product::StopReason;
use crate::timer::{log_stopped, stop_running, stopped_event};
use crate::tracker::record_in;
use crate::{settings, StartOutcome, Tracker};

const PAUSED_KEY: &str = "timer.paused";

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    entry_id: i64,
    paused_at_ms: i64,
}

/// The paused entry and when the break began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Paused {
    pub entry: Entry,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub paused_at: Timestamp,
}

/// The timer as `tt status --json` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TimerState {
    pub running: bool,
    /// The running entry; null when none runs.
    pub entry: Option<Entry>,
    /// The entry paused with `pause`, until `resume` or a new start.
    pub paused: Option<Paused>,
}

/// Forgets a pause: every start ends the break, whatever it starts.
pub(crate) fn clear(tx: &Connection) -> rusqlite::Result<()> {
    tx.prepare_cached("DELETE FROM settings WHERE key = ?1")?
        .execute([PAUSED_KEY])
        .map(drop)
}

fn stored(conn: &Connection) -> Result<Option<Stored>> {
    Ok(settings::lookup(conn, PAUSED_KEY)?.and_then(|text| serde_json::from_str(&text).ok()))
}

impl Tracker {
    /// Stops the running timer and remembers its entry for
    /// [`Tracker::resume_timer`].
    pub fn pause_timer(&mut self) -> Result<Entry> {
        let now = self.clock.now();
        let ms = now.as_millisecond();
        let observers = self.event_observers();
        let changers = &self.change_observers;
        let (entry, recorded) = self.storage.write("timer_pause", |tx| {
            let id = stop_running(tx, ms)?.ok_or(Error::TimerNotRunning)?;
            let json = serde_json::json!(Stored {
                entry_id: id,
                paused_at_ms: ms,
            })
            .to_string();
            settings::upsert(tx, PAUSED_KEY, &json, ms)?;
            let entry = entries::get(tx, id, now)?;
            offer(changers, tx, now, || {
                vec![Change::TimerStopped(entry.clone())]
            });
            let event = stopped_event(&entry, StopReason::Paused);
            Ok((entry, record_in(observers, tx, now, vec![event])))
        })?;
        log_stopped(&entry, StopReason::Paused);
        crate::log_event!("timer.paused", entry_id = entry.id);
        self.track_recorded(recorded);
        Ok(entry)
    }

    /// The paused entry, while no timer has started since. `None` too
    /// while a timer runs that did not start here (an edit back to
    /// running, or one from a synced device), and when the paused entry
    /// was deleted meanwhile.
    pub fn paused(&self) -> Result<Option<Paused>> {
        let now = self.clock.now();
        self.storage.read("timer_paused", |conn| {
            let Some(record) = stored(conn)? else {
                return Ok(None);
            };
            let running: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM time_entries WHERE stopped_at IS NULL)",
                )?
                .query_row([], |r| r.get(0))?;
            if running {
                return Ok(None);
            }
            let entry = match entries::get(conn, record.entry_id, now) {
                Ok(entry) => entry,
                Err(Error::EntryNotFound(_)) => return Ok(None),
                Err(e) => return Err(e),
            };
            let paused_at =
                Timestamp::from_millisecond(record.paused_at_ms).unwrap_or(entry.started_at);
            Ok(Some(Paused { entry, paused_at }))
        })
    }

    /// The running entry and the paused one: what `tt status`, the API's
    /// `GET /timer` and `tt mcp`'s `timer_status` answer.
    pub fn timer_state(&self) -> Result<TimerState> {
        let entry = self.timer_status()?;
        Ok(TimerState {
            running: entry.is_some(),
            entry,
            paused: self.paused()?,
        })
    }

    /// Ends the break: a new running entry with the paused one's project,
    /// description and tags.
    pub fn resume_timer(&mut self) -> Result<StartOutcome> {
        let paused = self.paused()?.ok_or(Error::TimerNotPaused)?;
        let entry = &paused.entry;
        let out = self.start_timer_tagged(entry.project_id, &entry.description, &entry.tags)?;
        let break_seconds =
            (out.started.started_at.as_millisecond() - paused.paused_at.as_millisecond()).max(0)
                / 1000;
        crate::log_event!(
            "timer.resumed",
            entry_id = out.started.id,
            paused_entry_id = entry.id,
            break_seconds = break_seconds,
        );
        Ok(out)
    }
}

/// The break time of one day, in whole seconds: from its first start to
/// its last end, the time no entry covers. `spans` are `(start, end)` in
/// ms, in any order; overlapping entries count once, and the time before
/// the first and after the last is not a break.
pub fn gap_seconds(spans: &mut [(i64, i64)]) -> i64 {
    spans.sort_unstable();
    let mut gaps = 0;
    let mut covered: Option<i64> = None;
    for &(start, end) in spans.iter() {
        match covered {
            Some(until) if start > until => {
                gaps += start - until;
                covered = Some(end);
            }
            Some(until) => covered = Some(until.max(end)),
            None => covered = Some(end),
        }
    }
    gaps / 1000
}

#[cfg(test)]
#[path = "breaks_tests.rs"]
mod tests;
