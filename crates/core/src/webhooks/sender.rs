//! Posts queued deliveries from a thread and database connection of its
//! own: every second it sends what is due, oldest first. A 2xx marks a
//! delivery delivered; anything else (a refused connection, a timeout, a
//! 500) schedules the next attempt with exponential backoff and postpones
//! that webhook's other deliveries with it, until the last attempt, after
//! which it is given up and shown so in the delivery log. Delivery is at
//! least once: a receiver that answers too late gets the same
//! `webhook-id` again, and should ignore one it has seen.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{params, Connection};

use super::sign;

/// How retries are spaced, and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// After the first failure; doubled after each next one.
    pub first: Duration,
    pub max: Duration,
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// How long one request may take, connecting included.
    pub timeout: Duration,
}

impl Default for Schedule {
    /// 5 s, 10 s, 20 s ... up to an hour apart, 15 attempts: about seven
    /// hours for a receiver to come back (a laptop asleep, a restart).
    fn default() -> Self {
        Self {
            first: Duration::from_secs(5),
            max: Duration::from_secs(3600),
            attempts: 15,
            timeout: Duration::from_secs(10),
        }
    }
}

impl Schedule {
    /// The wait after `attempts` failed attempts.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(20);
        self.first.saturating_mul(1 << doublings).min(self.max)
    }
}

/// Done deliveries kept for the log, newest first, across all webhooks.
const KEEP_DONE: i64 = 1000;
/// Deliveries sent in one round, at most.
const ROUND: i64 = 20;
const POLL: Duration = Duration::from_secs(1);

fn agent(schedule: &Schedule) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(schedule.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("TimeTracker/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

struct Due {
    id: i64,
    webhook_id: i64,
    uuid: String,
    payload: String,
    attempts: u32,
    url: String,
    secret: String,
}

/// The outcome of one attempt: the status, or why there was none.
fn post(agent: &ureq::Agent, due: &Due, now_s: i64) -> Result<u16, String> {
    let signature = sign::signature(&due.secret, &due.uuid, now_s, &due.payload);
    agent
        .post(&due.url)
        .header("content-type", "application/json")
        .header("webhook-id", &due.uuid)
        .header("webhook-timestamp", &now_s.to_string())
        .header("webhook-signature", &signature)
        .send(due.payload.as_bytes())
        .map(|response| response.status().as_u16())
        .map_err(|e| e.to_string())
}

fn due(conn: &Connection, now_ms: i64, only: Option<i64>) -> rusqlite::Result<Vec<Due>> {
    conn.prepare_cached(
        "SELECT d.id, d.webhook_id, d.uuid, d.payload, d.attempts, w.url, w.secret
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.delivered_at IS NULL AND d.gave_up_at IS NULL AND d.next_attempt_at <= ?1
           AND (?2 IS NULL OR d.id = ?2)
         ORDER BY d.id LIMIT ?3",
    )?
    .query_map(params![now_ms, only, ROUND], |r| {
        Ok(Due {
            id: r.get(0)?,
            webhook_id: r.get(1)?,
            uuid: r.get(2)?,
            payload: r.get(3)?,
            attempts: r.get(4)?,
            url: r.get(5)?,
            secret: r.get(6)?,
        })
    })?
    .collect()
}

/// Records one attempt's outcome; true when it was delivered.
fn record(
    conn: &Connection,
    due: &Due,
    outcome: &Result<u16, String>,
    now_ms: i64,
    schedule: &Schedule,
) -> rusqlite::Result<bool> {
    let attempts = due.attempts + 1;
    let (status, error) = match outcome {
        Ok(status) => (Some(*status), None),
        Err(e) => (None, Some(e.as_str())),
    };
    if status.is_some_and(|s| (200..300).contains(&s)) {
        conn.execute(
            "UPDATE webhook_deliveries SET attempts = ?2, delivered_at = ?3, last_status = ?4, last_error = NULL WHERE id = ?1",
            params![due.id, attempts, now_ms, status],
        )?;
        crate::log_event!(
            "webhook.delivered",
            webhook_id = due.webhook_id,
            attempts = attempts
        );
        return Ok(true);
    }
    let error = error
        .map(str::to_owned)
        .or(status.map(|s| format!("HTTP {s}")));
    if attempts >= schedule.attempts {
        conn.execute(
            "UPDATE webhook_deliveries SET attempts = ?2, gave_up_at = ?3, last_status = ?4, last_error = ?5 WHERE id = ?1",
            params![due.id, attempts, now_ms, status, error],
        )?;
        crate::log_event!(
            warn,
            "webhook.gave_up",
            webhook_id = due.webhook_id,
            attempts = attempts
        );
        return Ok(false);
    }
    let wait = i64::try_from(schedule.backoff(attempts).as_millis()).unwrap_or(i64::MAX);
    let next = now_ms.saturating_add(wait);
    conn.execute(
        "UPDATE webhook_deliveries SET attempts = ?2, next_attempt_at = ?3, last_status = ?4, last_error = ?5 WHERE id = ?1",
        params![due.id, attempts, next, status, error],
    )?;
    // The receiver is down or failing: its other deliveries wait too,
    // rather than each taking its own timeout now.
    conn.execute(
        "UPDATE webhook_deliveries SET next_attempt_at = max(next_attempt_at, ?2)
         WHERE webhook_id = ?1 AND delivered_at IS NULL AND gave_up_at IS NULL",
        params![due.webhook_id, next],
    )?;
    crate::log_event!(
        warn,
        "webhook.failed",
        webhook_id = due.webhook_id,
        attempts = attempts,
        status = status,
    );
    Ok(false)
}

/// Takes delivery `id` for one attempt, unless another sender (the app's,
/// or `tt webhooks send`) took it first: its next attempt moves past this
/// one's timeout, so no one else posts it meanwhile, and a sender that
/// dies mid-request leaves it to be tried again after that.
fn claim(conn: &Connection, id: i64, now_ms: i64, schedule: &Schedule) -> rusqlite::Result<bool> {
    let lease = i64::try_from(schedule.timeout.as_millis()).unwrap_or(i64::MAX);
    let claimed = conn
        .prepare_cached(
            "UPDATE webhook_deliveries SET next_attempt_at = ?3
             WHERE id = ?1 AND next_attempt_at <= ?2 AND delivered_at IS NULL AND gave_up_at IS NULL",
        )?
        .execute(params![id, now_ms, now_ms.saturating_add(lease).saturating_add(1000)])?;
    Ok(claimed == 1)
}

/// Sends what is due at `now_ms` (one round); the number delivered.
pub fn deliver_due(conn: &Connection, schedule: &Schedule, now_ms: i64) -> rusqlite::Result<usize> {
    Ok(deliver(conn, schedule, now_ms, None)?.0)
}

/// Sends round after round until nothing is due at `now_ms`; the number
/// delivered. It ends: each attempt delivers or postpones (a failing
/// receiver's other deliveries with it), and one taken by another sender
/// is postponed by the taking.
pub fn deliver_all_due(
    conn: &Connection,
    schedule: &Schedule,
    now_ms: i64,
) -> rusqlite::Result<usize> {
    let mut delivered = 0;
    loop {
        let (sent, due) = deliver(conn, schedule, now_ms, None)?;
        delivered += sent;
        if due == 0 {
            return Ok(delivered);
        }
    }
}

/// Sends one delivery now, whatever its schedule (`tt webhooks test`);
/// whether it was delivered.
pub fn deliver_now(
    conn: &Connection,
    schedule: &Schedule,
    id: i64,
    now_ms: i64,
) -> rusqlite::Result<bool> {
    conn.execute(
        "UPDATE webhook_deliveries SET next_attempt_at = ?2 WHERE id = ?1",
        params![id, now_ms],
    )?;
    Ok(deliver(conn, schedule, now_ms, Some(id))?.0 == 1)
}

/// One round: (delivered, due when it began).
fn deliver(
    conn: &Connection,
    schedule: &Schedule,
    now_ms: i64,
    only: Option<i64>,
) -> rusqlite::Result<(usize, usize)> {
    let due = due(conn, now_ms, only)?;
    if due.is_empty() {
        return Ok((0, 0));
    }
    let agent = agent(schedule);
    let mut failed: Vec<i64> = Vec::new();
    let mut delivered = 0;
    for d in &due {
        if failed.contains(&d.webhook_id) || !claim(conn, d.id, now_ms, schedule)? {
            continue;
        }
        let outcome = post(&agent, d, now_ms.div_euclid(1000));
        if record(conn, d, &outcome, now_ms, schedule)? {
            delivered += 1;
        } else {
            failed.push(d.webhook_id);
        }
    }
    conn.execute(
        "DELETE FROM webhook_deliveries WHERE id IN (
            SELECT id FROM webhook_deliveries
            WHERE delivered_at IS NOT NULL OR gave_up_at IS NOT NULL
            ORDER BY id DESC LIMIT -1 OFFSET ?1)",
        [KEEP_DONE],
    )?;
    Ok((delivered, due.len()))
}

/// The running sender; dropping it stops it.
pub struct WebhookSender {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl WebhookSender {
    /// Starts sending from the database at `db_path`.
    pub fn start(db_path: PathBuf, schedule: Schedule) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("timetracker-webhooks".into())
            .spawn(move || {
                let conn = match Connection::open(&db_path).and_then(|c| {
                    c.busy_timeout(Duration::from_secs(5))?;
                    c.execute_batch("PRAGMA foreign_keys = ON;")?;
                    Ok(c)
                }) {
                    Ok(conn) => conn,
                    Err(e) => {
                        crate::log_event!(warn, "webhook.sender_failed", error = e.to_string());
                        return;
                    }
                };
                loop {
                    match stopped.recv_timeout(POLL) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => return,
                    }
                    let now = jiff::Timestamp::now().as_millisecond();
                    if let Err(e) = deliver_due(&conn, &schedule, now) {
                        crate::log_event!(warn, "webhook.sender_failed", error = e.to_string());
                    }
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Stops after the request in flight, if any (at most its timeout).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for WebhookSender {
    fn drop(&mut self) {
        self.shutdown();
    }
}
