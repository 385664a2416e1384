//! Idle detection. The shell polls an [`IdleSource`] every few seconds and
//! feeds the answer to an [`IdleDetector`], which decides when to ask the
//! user about idle time; [`Tracker::resolve_idle`] applies the answer.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::changes::{offer, Change};
use crate::entries::{self, Entry};
use crate::error::{Error, Result};
use crate::Tracker;

/// How long the user has given no input (keyboard, mouse). `None` when the
/// source cannot tell (no X server, no idle monitor on the bus).
pub trait IdleSource: Send {
    fn idle_for(&self) -> Option<Duration>;
}

/// Several sources, asked in order: the first that answers wins.
#[derive(Default)]
pub struct IdleSources(pub Vec<Box<dyn IdleSource>>);

impl IdleSource for IdleSources {
    fn idle_for(&self) -> Option<Duration> {
        self.0.iter().find_map(|s| s.idle_for())
    }
}

/// What the user is asked on return: idle from `idle_started_at` until
/// `returned_at`, while entry `entry_id` ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IdlePrompt {
    #[ts(type = "string")]
    pub idle_started_at: Timestamp,
    #[ts(type = "string")]
    pub returned_at: Timestamp,
    #[ts(type = "number")]
    pub entry_id: i64,
}

impl IdlePrompt {
    pub fn idle_seconds(&self) -> i64 {
        self.returned_at
            .duration_since(self.idle_started_at)
            .as_secs()
            .max(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum IdleDecision {
    /// The idle time counts as work: nothing changes.
    Keep,
    /// The entry ends when the idle time began; no timer runs afterwards.
    Discard,
    /// The entry ends when the idle time began and a new one with the same
    /// project, description and tags starts when the user came back.
    DiscardAndContinue,
}

impl IdleDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            IdleDecision::Keep => "keep",
            IdleDecision::Discard => "discard",
            IdleDecision::DiscardAndContinue => "discard_and_continue",
        }
    }
}

/// A stretch of idle time being watched: it began at `started_at` while
/// `entry_id` ran.
#[derive(Debug, Clone, Copy)]
struct Spell {
    started_at: Timestamp,
    entry_id: i64,
}

/// Decides, poll by poll, when the user came back from idle time long
/// enough to ask about. Holds no clock: every poll says what time it is, so
/// a wall-clock jump (suspend, a long screen lock) shows up as a gap between
/// two polls.
#[derive(Debug, Clone)]
pub struct IdleDetector {
    timeout: Duration,
    last_poll: Option<(Timestamp, Option<i64>)>,
    spell: Option<Spell>,
}

fn signed(d: Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

fn minus(at: Timestamp, d: Duration) -> Timestamp {
    at.checked_sub(signed(d)).unwrap_or(Timestamp::MIN)
}

impl IdleDetector {
    /// `timeout` zero turns detection off.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            last_poll: None,
            spell: None,
        }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A new timeout from Settings; a spell being watched is forgotten.
    pub fn set_timeout(&mut self, timeout: Duration) {
        if timeout != self.timeout {
            self.timeout = timeout;
            self.spell = None;
        }
    }

    /// One observation: the time, the input idle time (`None` when unknown)
    /// and the running entry's id. Returns a prompt once, when the user
    /// returns after at least the timeout without input while the same
    /// entry ran, or after the clock jumped by more than the timeout since
    /// the previous poll (the machine slept: idle began at that poll).
    pub fn poll(
        &mut self,
        now: Timestamp,
        idle_for: Option<Duration>,
        running_entry: Option<i64>,
    ) -> Option<IdlePrompt> {
        let previous = self.last_poll.replace((now, running_entry));
        let Some(entry_id) = running_entry.filter(|_| !self.timeout.is_zero()) else {
            self.spell = None;
            return None;
        };
        // Another entry runs than when the idle time began: someone acted
        // meanwhile (the tt CLI, the tray), so there is nothing to ask.
        if self.spell.is_some_and(|s| s.entry_id != entry_id) {
            self.spell = None;
        }
        let mut jumped = false;
        if let Some((prev_at, prev_entry)) = previous {
            if now.duration_since(prev_at) > signed(self.timeout) && prev_entry == Some(entry_id) {
                jumped = true;
                let started_at = self.spell.map_or(prev_at, |s| s.started_at.min(prev_at));
                self.spell = Some(Spell {
                    started_at,
                    entry_id,
                });
            }
        }
        match idle_for {
            Some(idle) if idle >= self.timeout => {
                if self.spell.is_none() {
                    self.spell = Some(Spell {
                        started_at: minus(now, idle),
                        entry_id,
                    });
                }
                None
            }
            // Input again: the user came back at the last input.
            Some(idle) => self.returned(minus(now, idle)),
            // A source that cannot tell: after a sleep, someone woke the
            // machine, so ask now; otherwise keep waiting.
            None if jumped => self.returned(now),
            None => None,
        }
    }

    fn returned(&mut self, at: Timestamp) -> Option<IdlePrompt> {
        let spell = self.spell.take()?;
        let prompt = IdlePrompt {
            idle_started_at: spell.started_at,
            returned_at: at.max(spell.started_at),
            entry_id: spell.entry_id,
        };
        crate::log_event!(
            "timer.idle_detected",
            entry_id = prompt.entry_id,
            idle_seconds = prompt.idle_seconds(),
        );
        Some(prompt)
    }

    /// [`IdleDetector::poll`] asking `source` for the idle time.
    pub fn poll_source(
        &mut self,
        now: Timestamp,
        source: &dyn IdleSource,
        running_entry: Option<i64>,
    ) -> Option<IdlePrompt> {
        self.poll(now, source.idle_for(), running_entry)
    }
}

impl Tracker {
    /// Applies the user's answer to `prompt`. Returns the entry that was cut
    /// at the start of the idle time (`Discard`), the new running entry
    /// (`DiscardAndContinue`), or nothing (`Keep`).
    pub fn resolve_idle(
        &mut self,
        prompt: &IdlePrompt,
        decision: IdleDecision,
    ) -> Result<Option<Entry>> {
        let now = self.clock.now();
        let now_ms = now.as_millisecond();
        let changers = &self.change_observers;
        let out = self.storage.write("idle_resolve", |tx| {
            let entry = entries::get(tx, prompt.entry_id, now)?;
            if decision == IdleDecision::Keep {
                return Ok(None);
            }
            // Never before the entry's start; an entry the user already
            // stopped earlier than the idle time keeps its end.
            tx.execute(
                "UPDATE time_entries SET stopped_at = max(?1, started_at), updated_at = ?2
                 WHERE id = ?3 AND (stopped_at IS NULL OR stopped_at > max(?1, started_at))",
                params![prompt.idle_started_at.as_millisecond(), now_ms, entry.id],
            )?;
            let cut = entries::get(tx, entry.id, now)?;
            let cut_change = || {
                if entry.is_running() {
                    Change::TimerStopped(cut.clone())
                } else {
                    Change::EntryUpdated(cut.clone())
                }
            };
            if decision == IdleDecision::Discard {
                offer(changers, tx, now, || vec![cut_change()]);
                return Ok(Some(cut));
            }
            let running: Option<i64> = tx
                .query_row(
                    "SELECT id FROM time_entries WHERE stopped_at IS NULL",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            if running.is_some() {
                return Err(Error::EntryRunningConflict);
            }
            let cut_end = cut.stopped_at.unwrap_or(now);
            let start = prompt.returned_at.min(now).max(cut_end);
            tx.execute(
                "INSERT INTO time_entries (project_id, description, started_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                params![entry.project_id, entry.description, start.as_millisecond(), now_ms],
            )?;
            let id = tx.last_insert_rowid();
            if !entry.tags.is_empty() {
                entries::tags::set(tx, id, &entry.tags)?;
            }
            let started = entries::get(tx, id, now)?;
            offer(changers, tx, now, || {
                vec![cut_change(), Change::TimerStarted(started.clone())]
            });
            Ok(Some(started))
        })?;
        crate::log_event!(
            "timer.idle_resolved",
            entry_id = prompt.entry_id,
            decision = decision.as_str(),
            idle_seconds = prompt.idle_seconds(),
        );
        Ok(out)
    }
}
