//! Forgotten and stale timers. While the app runs it writes a heartbeat
//! every minute; a timer that started before the last heartbeat, when that
//! heartbeat is old, ran while the app was closed (or the machine was off),
//! and the user may want it to end at the last heartbeat.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::changes::{offer, Change};
use crate::entries::{self, Entry};
use crate::error::{Error, Result};
use crate::Tracker;

/// Settings key of the last heartbeat (milliseconds since the epoch).
pub const HEARTBEAT_KEY: &str = "last_heartbeat";
/// The heartbeat a stale timer was found with, kept until it is resolved:
/// the heartbeats written meanwhile must not move the offered end.
const STALE_KEY: &str = "stale_heartbeat";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StaleTimer {
    pub entry: Entry,
    /// When the app was last seen running.
    #[ts(type = "string")]
    pub last_heartbeat: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum StaleDecision {
    /// The timer really ran all along: keep it running.
    Keep,
    /// Stop the entry at the last heartbeat.
    StopAtHeartbeat,
}

impl StaleDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            StaleDecision::Keep => "keep",
            StaleDecision::StopAtHeartbeat => "stop_at_heartbeat",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Pending {
    entry_id: i64,
    heartbeat_ms: i64,
}

fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

/// Logs that the shell asked "Still working on it?" about `entry_id`.
pub fn log_forgotten_prompted(entry_id: i64, running_seconds: i64) {
    crate::log_event!(
        "timer.forgotten_prompted",
        entry_id = entry_id,
        running_seconds = running_seconds,
    );
}

impl Tracker {
    /// The running entry when it has run for at least `threshold` at `now`.
    pub fn forgotten_timer(&self, now: Timestamp, threshold: Duration) -> Result<Option<Entry>> {
        Ok(self
            .timer_status()?
            .filter(|e| now.duration_since(e.started_at) >= signed(threshold)))
    }

    /// Records that the app is running now.
    pub fn heartbeat(&mut self) -> Result<()> {
        let now = self.clock.now().as_millisecond();
        self.put_setting(HEARTBEAT_KEY, &now)
    }

    /// The last heartbeat, if the app ever wrote one.
    pub fn last_heartbeat(&self) -> Result<Option<Timestamp>> {
        Ok(self
            .setting_opt::<i64>(HEARTBEAT_KEY)?
            .and_then(|ms| Timestamp::from_millisecond(ms).ok()))
    }

    /// A running entry that started before the last heartbeat when that
    /// heartbeat is older than `grace`: it kept running while the app did
    /// not. Call at start-up, before the first [`Tracker::heartbeat`].
    pub fn stale_timer(&mut self, grace: Duration) -> Result<Option<StaleTimer>> {
        let now = self.clock.now();
        let (Some(last_heartbeat), Some(entry)) = (self.last_heartbeat()?, self.timer_status()?)
        else {
            return Ok(None);
        };
        // A timer started after the last heartbeat was started while the app
        // was closed (by the tt CLI): the user knows it runs.
        let away = now.duration_since(last_heartbeat);
        if entry.started_at >= last_heartbeat || away <= signed(grace) {
            return Ok(None);
        }
        let pending = Pending {
            entry_id: entry.id,
            heartbeat_ms: last_heartbeat.as_millisecond(),
        };
        self.put_setting(STALE_KEY, &pending)?;
        crate::log_event!(
            "timer.stale_found",
            entry_id = entry.id,
            away_seconds = away.as_secs(),
        );
        Ok(Some(StaleTimer {
            entry,
            last_heartbeat,
        }))
    }

    /// Applies the user's answer about a stale timer and returns the entry.
    /// `StopAtHeartbeat` ends it at the heartbeat [`Tracker::stale_timer`]
    /// offered (or, without one, the last heartbeat), never before its start.
    pub fn resolve_stale(&mut self, entry_id: i64, decision: StaleDecision) -> Result<Entry> {
        let now = self.clock.now();
        let pending = self
            .setting_opt::<Pending>(STALE_KEY)?
            .filter(|p| p.entry_id == entry_id);
        let entry = match decision {
            StaleDecision::Keep => self.entry(entry_id)?,
            StaleDecision::StopAtHeartbeat => {
                let heartbeat_ms = match pending {
                    Some(p) => p.heartbeat_ms,
                    None => self
                        .last_heartbeat()?
                        .ok_or(Error::TimerNoHeartbeat)?
                        .as_millisecond(),
                };
                let changers = &self.change_observers;
                self.storage.write("stale_resolve", |tx| {
                    let entry = entries::get(tx, entry_id, now)?;
                    if !entry.is_running() {
                        return Err(Error::TimerNotRunning);
                    }
                    tx.execute(
                        "UPDATE time_entries SET stopped_at = max(?1, started_at), updated_at = ?2
                         WHERE id = ?3",
                        params![heartbeat_ms, now.as_millisecond(), entry_id],
                    )?;
                    let stopped = entries::get(tx, entry_id, now)?;
                    offer(changers, tx, now, || {
                        vec![Change::TimerStopped(stopped.clone())]
                    });
                    Ok(stopped)
                })?
            }
        };
        if pending.is_some() {
            self.storage.write("stale_clear", |tx| {
                tx.execute("DELETE FROM settings WHERE key = ?1", [STALE_KEY])?;
                Ok(())
            })?;
        }
        crate::log_event!(
            "timer.stale_resolved",
            entry_id = entry_id,
            decision = decision.as_str(),
        );
        Ok(entry)
    }
}
