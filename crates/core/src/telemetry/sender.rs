//! The background sender: every 30 s, or as soon as 50 events wait, it
//! posts a batch to PostHog's batch endpoint (`POST {host}/batch/`) from
//! its own thread and database connection, so no command ever waits on the
//! network. Failures back off exponentially with jitter; delivered events
//! move to the sent log in the same transaction that removes them from the
//! outbox, so none is sent twice after a success. A 429 is obeyed: nothing
//! goes before its `Retry-After`, not even on a flush. A 413 halves the
//! batch until it fits; an event too large alone is dropped and counted.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::{outbox, Telemetry};

pub const BATCH_SIZE: i64 = 50;
pub const BATCH_INTERVAL: Duration = Duration::from_secs(30);
/// What the last session left queued goes out soon after launch.
const FIRST_BATCH_AFTER: Duration = Duration::from_secs(5);
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How often feature flags are fetched again.
const FLAGS_EVERY: Duration = Duration::from_secs(3600);

enum Msg {
    Kick,
    Flush(mpsc::SyncSender<bool>, Instant),
    Stop(Instant),
}

pub struct SenderHandle {
    tx: mpsc::Sender<Msg>,
    done: mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

impl SenderHandle {
    pub(crate) fn kick(&self) {
        let _ = self.tx.send(Msg::Kick);
    }

    pub(crate) fn flush(&self, timeout: Duration) -> bool {
        let (ack, done) = mpsc::sync_channel(1);
        if self
            .tx
            .send(Msg::Flush(ack, Instant::now() + timeout))
            .is_err()
        {
            return false;
        }
        done.recv_timeout(timeout + Duration::from_millis(200))
            .unwrap_or(false)
    }

    /// Asks for a last flush and waits at most `timeout` (plus a little):
    /// a request still hanging then is abandoned, so exit is never held up.
    pub(crate) fn shutdown(mut self, timeout: Duration) {
        let _ = self.tx.send(Msg::Stop(Instant::now() + timeout));
        if self
            .done
            .recv_timeout(timeout + Duration::from_millis(200))
            .is_ok()
        {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

/// Starts the sender for the database at `db_path`. Without a PostHog key
/// there is nothing to send and no thread is started.
pub fn start(telemetry: &Arc<Telemetry>, db_path: PathBuf) {
    if telemetry.config.posthog_api_key.is_none() {
        return;
    }
    let (tx, rx) = mpsc::channel();
    let (done_tx, done) = mpsc::channel();
    let weak = Arc::downgrade(telemetry);
    let thread = std::thread::Builder::new()
        .name("timetracker-telemetry".into())
        .spawn(move || {
            run(weak, db_path, rx);
            let _ = done_tx.send(());
        });
    match thread {
        Ok(thread) => telemetry.set_sender(SenderHandle {
            tx,
            done,
            thread: Some(thread),
        }),
        Err(e) => tracing::warn!(error = %e, "the telemetry sender could not start"),
    }
}

enum Outcome {
    Sent(usize),
    Nothing,
    Failed {
        reason: String,
        /// A 429's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// 413: the batch of these outbox rows was too large for the server.
    TooLarge(Vec<i64>),
}

fn failed(reason: String) -> Outcome {
    Outcome::Failed {
        reason,
        retry_after: None,
    }
}

/// The wait before the next try: exponential backoff with jitter, but
/// never shorter than the server asked for.
pub fn retry_delay(failures: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    let exp = FIRST_BACKOFF.saturating_mul(1 << failures.saturating_sub(1).min(8));
    let backoff = exp.min(MAX_BACKOFF).mul_f64(jitter);
    retry_after.map_or(backoff, |asked| asked.max(backoff))
}

fn open(path: &PathBuf) -> Option<Connection> {
    let conn = Connection::open(path).ok()?;
    conn.busy_timeout(Duration::from_secs(5)).ok()?;
    Some(conn)
}

/// A factor in [0.5, 1.5) from fresh randomness, so many installs that
/// failed together do not retry together.
fn jitter() -> f64 {
    let bytes = uuid::Uuid::new_v4();
    let n = u16::from_le_bytes([bytes.as_bytes()[0], bytes.as_bytes()[1]]);
    0.5 + f64::from(n) / 65536.0
}

/// The sender thread's state between messages.
struct Loop {
    agent: ureq::Agent,
    conn: Connection,
    failures: u32,
    retry_at: Option<Instant>,
    /// Set by a 429: not even a flush posts before then.
    rate_limited_until: Option<Instant>,
    /// Events per batch: halved by a 413, doubled back after a success.
    batch_limit: i64,
    next_flags: Instant,
}

impl Loop {
    fn maybe_fetch_flags(&mut self, t: &Telemetry) {
        if Instant::now() >= self.next_flags && fetch_flags(t, &self.agent, &self.conn) {
            self.next_flags = Instant::now() + FLAGS_EVERY;
        }
    }

    /// Sends batches until the outbox is empty, a send fails, or
    /// `deadline` passes. Returns whether the outbox was emptied.
    fn drain(&mut self, t: &Telemetry, deadline: Instant) -> bool {
        if self.rate_limited_until.is_some_and(|r| Instant::now() < r) {
            return false;
        }
        while Instant::now() < deadline {
            match send_once(t, &self.agent, &mut self.conn, self.batch_limit) {
                Outcome::Nothing => return true,
                Outcome::Sent(n) => {
                    self.failures = 0;
                    self.retry_at = None;
                    self.rate_limited_until = None;
                    self.batch_limit = (self.batch_limit * 2).min(BATCH_SIZE);
                    t.observe_send("sent", n);
                }
                Outcome::TooLarge(ids) if ids.len() > 1 => {
                    // Smaller batches, at once: the server takes less per
                    // request, not less in all.
                    self.batch_limit = (ids.len() as i64 / 2).max(1);
                }
                Outcome::TooLarge(ids) => {
                    // One event alone is too large: it can never go, and
                    // must not block those behind it.
                    match drop_rows(&mut self.conn, &ids) {
                        Ok(()) => {
                            t.observe_send("rejected", 1);
                            crate::log_event!(
                                warn,
                                "telemetry.event_rejected",
                                status = 413u16,
                                count = 1u64
                            );
                        }
                        Err(e) => {
                            self.fail(t, format!("database: {e}"), None);
                            return false;
                        }
                    }
                }
                Outcome::Failed {
                    reason,
                    retry_after,
                } => {
                    self.fail(t, reason, retry_after);
                    return false;
                }
            }
        }
        false
    }

    fn fail(&mut self, t: &Telemetry, reason: String, retry_after: Option<Duration>) {
        self.failures = self.failures.saturating_add(1);
        let delay = retry_delay(self.failures, retry_after, jitter());
        self.retry_at = Some(Instant::now() + delay);
        self.rate_limited_until = retry_after.map(|_| Instant::now() + delay);
        t.observe_send("failed", 1);
        crate::log_event!(
            warn,
            "telemetry.send_failed",
            reason = reason.as_str(),
            retry_in_seconds = delay.as_secs()
        );
    }
}

/// Deletes the queued event the server refused (by its id: the queue may
/// have changed since it was read).
fn drop_rows(conn: &mut Connection, ids: &[i64]) -> rusqlite::Result<()> {
    for id in ids {
        conn.execute("DELETE FROM telemetry_outbox WHERE id = ?1", [id])?;
    }
    Ok(())
}

fn run(telemetry: Weak<Telemetry>, db_path: PathBuf, rx: mpsc::Receiver<Msg>) {
    let Some(conn) = open(&db_path) else {
        tracing::warn!("the telemetry sender could not open the database");
        return;
    };
    let mut state = Loop {
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .build()
            .into(),
        conn,
        failures: 0,
        retry_at: None,
        rate_limited_until: None,
        batch_limit: BATCH_SIZE,
        next_flags: Instant::now(),
    };
    let mut next_batch = Instant::now() + FIRST_BATCH_AFTER;
    loop {
        let due = state
            .retry_at
            .map_or(next_batch, |r| r.max(next_batch).min(r));
        let msg = rx.recv_timeout(due.saturating_duration_since(Instant::now()));
        let Some(t) = telemetry.upgrade() else {
            return;
        };
        let in_backoff = state.retry_at.is_some_and(|r| Instant::now() < r);
        let deadline = match msg {
            Ok(Msg::Kick) => {
                let full = outbox::totals(&state.conn).map_or(0, |t| t.0) >= BATCH_SIZE;
                if in_backoff || !full {
                    continue;
                }
                Instant::now() + REQUEST_TIMEOUT
            }
            Ok(Msg::Flush(ack, deadline)) => {
                state.maybe_fetch_flags(&t);
                let _ = ack.send(state.drain(&t, deadline));
                continue;
            }
            Ok(Msg::Stop(deadline)) => {
                state.drain(&t, deadline);
                return;
            }
            Err(RecvTimeoutError::Timeout) => {
                next_batch = Instant::now() + BATCH_INTERVAL;
                state.maybe_fetch_flags(&t);
                Instant::now() + REQUEST_TIMEOUT
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        state.drain(&t, deadline);
    }
}

/// Fetches feature flags (only with usage consent) into the cache.
/// Returns whether it got an answer.
fn fetch_flags(t: &Telemetry, agent: &ureq::Agent, conn: &Connection) -> bool {
    if !t.usage_allowed() || t.config.debug {
        return false;
    }
    let Some(key) = t.config.posthog_api_key.as_deref() else {
        return false;
    };
    let url = format!("{}{}", t.config.posthog_host, super::flags::FLAGS_PATH);
    let body = serde_json::json!({ "api_key": key, "distinct_id": t.distinct_id() });
    let answer = agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .ok()
        .filter(|r| r.status().is_success())
        .and_then(|mut r| r.body_mut().read_json::<serde_json::Value>().ok());
    let previous = super::flags::load(conn);
    let parsed = answer
        .as_ref()
        .and_then(|a| super::flags::parse_flags(a, previous.as_ref().map(|c| &c.flags)));
    let Some(flags) = parsed else {
        return false;
    };
    let now = jiff::Timestamp::now();
    let cache = super::flags::FlagCache {
        flags,
        fetched_at: now.to_string(),
    };
    super::flags::store(conn, &cache, now.as_millisecond()).is_ok()
}

fn send_once(t: &Telemetry, agent: &ureq::Agent, conn: &mut Connection, limit: i64) -> Outcome {
    if !t.usage_allowed() {
        return Outcome::Nothing;
    }
    let Some(key) = t.config.posthog_api_key.as_deref() else {
        return Outcome::Nothing;
    };
    let rows = match outbox::oldest(conn, limit) {
        Ok(rows) if rows.is_empty() => return Outcome::Nothing,
        Ok(rows) => rows,
        Err(e) => return failed(format!("database: {e}")),
    };
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    if t.config.debug {
        // Debug mode: payloads were logged when queued; nothing leaves.
        let removed = conn.transaction().and_then(|tx| {
            for id in &ids {
                tx.execute("DELETE FROM telemetry_outbox WHERE id = ?1", [id])?;
            }
            tx.commit()
        });
        return match removed {
            Ok(()) => Outcome::Sent(0),
            Err(e) => failed(format!("database: {e}")),
        };
    }
    let batch: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|(_, json)| serde_json::from_str(json).ok())
        .collect();
    let body = serde_json::json!({
        "api_key": key,
        "historical_migration": false,
        "sent_at": jiff::Timestamp::now().to_string(),
        "batch": batch,
    });
    // Consent may have been withdrawn while we read: check once more.
    if !t.usage_allowed() {
        return Outcome::Nothing;
    }
    let url = format!("{}/batch/", t.config.posthog_host);
    let (status, retry_after) = match agent
        .post(&url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
    {
        Ok(response) => {
            let header = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok());
            (
                response.status().as_u16(),
                crate::limits::retry_after(header),
            )
        }
        Err(e) => {
            super::last_send::LastSend::failed(e.to_string()).store(conn);
            return failed(format!("network: {e}"));
        }
    };
    super::last_send::LastSend::answered(status).store(conn);
    if status == 413 {
        return Outcome::TooLarge(ids);
    }
    if status == 429 {
        return Outcome::Failed {
            reason: "HTTP 429".to_owned(),
            retry_after: Some(retry_after),
        };
    }
    if !(200..300).contains(&status) {
        return failed(format!("HTTP {status}"));
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let moved = conn.transaction().and_then(|tx| {
        outbox::mark_sent(&tx, &ids, now)?;
        tx.commit()
    });
    match moved {
        Ok(()) => Outcome::Sent(ids.len()),
        Err(e) => failed(format!("database: {e}")),
    }
}
