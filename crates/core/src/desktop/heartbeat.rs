//! Forgotten and stale timers. While the app runs it writes a heartbeat
//! every minute; a timer that started before the last heartbeat, when that
//! heartbeat is old, ran while the app was closed (or the machine was off),
//! and the user may want it to end at the last heartbeat.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
        let _ = (now, threshold);
        Ok(None)
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
        let _ = grace;
        Ok(None)
    }

    /// Applies the user's answer about a stale timer and returns the entry.
    pub fn resolve_stale(&mut self, entry_id: i64, decision: StaleDecision) -> Result<Entry> {
        let _ = decision;
        self.entry(entry_id)
    }
}
