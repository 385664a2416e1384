//! Webhooks: the user's own URLs, told of timer, entry and project changes.
//! A delivery is queued in SQLite inside the transaction of the change it
//! reports ([`Queue`], a [`ChangeObserver`]), so no command waits on the
//! network and none is lost when the receiver is down; the desktop app's
//! [`sender`] posts them, signed as Standard Webhooks does ([`sign`]), and
//! retries with backoff. A delivery to a non-loopback address carries the
//! user's own data off the machine: the UI and `tt` say so when one is added.

pub mod sender;
pub mod sign;

use std::sync::{Arc, OnceLock};

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

use crate::changes::{Change, ChangeObserver};
use crate::error::{Error, Result};
use crate::storage::ts_from_ms;
use crate::Tracker;

/// The event a `tt webhooks test` sends: no data, to check the receiver.
pub const TEST_EVENT: &str = "webhook.test";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Webhook {
    #[ts(type = "number")]
    pub id: i64,
    pub url: String,
    /// The change names it hears, in the docs' order.
    pub events: Vec<String>,
    /// `whsec_...`: the receiver checks signatures with it.
    pub secret: String,
    #[ts(type = "string")]
    pub created_at: Timestamp,
    /// False when deliveries leave this computer.
    pub loopback: bool,
    pub pending: u32,
    pub delivered: u32,
    pub failed: u32,
}

/// One delivery, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Delivery {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub webhook_id: i64,
    /// The `webhook-id` header: the same on every retry.
    pub uuid: String,
    pub event: String,
    #[ts(type = "string")]
    pub created_at: Timestamp,
    pub attempts: u32,
    /// When it is tried next; null once delivered or given up.
    #[ts(type = "string | null")]
    pub next_attempt_at: Option<Timestamp>,
    #[ts(type = "string | null")]
    pub delivered_at: Option<Timestamp>,
    #[ts(type = "string | null")]
    pub gave_up_at: Option<Timestamp>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
}

/// Checks a webhook URL: http or https, with a host. Returns it as written
/// (trimmed) and whether it stays on this computer.
pub fn parse_url(text: &str) -> Result<(String, bool)> {
    let text = text.trim();
    let invalid = || Error::WebhookInvalidUrl(text.to_owned());
    let url = url::Url::parse(text).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let loopback = match url.host().ok_or_else(invalid)? {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    Ok((text.to_owned(), loopback))
}

/// The events a webhook hears: the names given (`project.*` for every
/// project change, `*` for all), all of them when none is given.
pub fn parse_events(given: &[String]) -> Result<Vec<String>> {
    let given: Vec<&str> = given
        .iter()
        .flat_map(|g| g.split(','))
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .collect();
    if given.is_empty() || given.contains(&"*") {
        return Ok(Change::NAMES.iter().map(|n| (*n).to_owned()).collect());
    }
    for name in &given {
        if !Change::NAMES.iter().any(|n| hears(name, n)) {
            return Err(Error::WebhookInvalidEvent((*name).to_owned()));
        }
    }
    Ok(Change::NAMES
        .iter()
        .filter(|n| given.iter().any(|g| hears(g, n)))
        .map(|n| (*n).to_owned())
        .collect())
}

fn hears(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => name
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('.')),
        None => pattern == name,
    }
}

/// The JSON body of a delivery (Standard Webhooks' shape).
fn payload(event: &str, at: Timestamp, data: serde_json::Value) -> String {
    serde_json::json!({ "type": event, "timestamp": at, "data": data }).to_string()
}

pub(crate) fn enqueue(
    tx: &Connection,
    webhook_id: i64,
    event: &str,
    body: &str,
    now_ms: i64,
) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO webhook_deliveries (webhook_id, uuid, event, payload, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        webhook_id,
        format!("msg_{}", uuid::Uuid::new_v4().simple()),
        event,
        body,
        now_ms
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Queues every change for the webhooks that hear it, inside the change's
/// own transaction.
pub struct Queue;

/// The one queue every tracker of the process shares.
pub fn queue() -> Arc<Queue> {
    static QUEUE: OnceLock<Arc<Queue>> = OnceLock::new();
    QUEUE.get_or_init(|| Arc::new(Queue)).clone()
}

impl Queue {
    /// The webhooks and the events each hears; a read, so no savepoint yet.
    fn hooks(tx: &Connection) -> rusqlite::Result<Vec<(i64, String)>> {
        tx.prepare_cached("SELECT id, events FROM webhooks")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect()
    }

    fn queue_all(
        tx: &Connection,
        hooks: &[(i64, String)],
        now: Timestamp,
        changes: &[Change],
    ) -> rusqlite::Result<usize> {
        let mut queued = 0;
        for change in changes {
            let name = change.name();
            let listening: Vec<i64> = hooks
                .iter()
                .filter(|(_, events)| events.split(',').any(|e| e == name))
                .map(|(id, _)| *id)
                .collect();
            if listening.is_empty() {
                continue;
            }
            let body = payload(name, now, change.data());
            for id in listening {
                enqueue(tx, id, name, &body, now.as_millisecond())?;
                queued += 1;
            }
        }
        Ok(queued)
    }
}

impl ChangeObserver for Queue {
    fn in_transaction(&self, tx: &Connection, now: Timestamp, changes: &[Change]) {
        let hooks = match Self::hooks(tx) {
            Ok(hooks) if hooks.is_empty() => return,
            Ok(hooks) => hooks,
            Err(e) => {
                crate::log_event!(warn, "webhook.queue_failed", error = e.to_string());
                return;
            }
        };
        // A savepoint: a failure here must not undo the user's change.
        let queued = tx
            .execute_batch("SAVEPOINT webhooks")
            .and_then(|()| Self::queue_all(tx, &hooks, now, changes));
        match queued {
            Ok(n) => {
                let _ = tx.execute_batch("RELEASE webhooks");
                if n > 0 {
                    crate::log_event!("webhook.queued", deliveries = n);
                }
            }
            Err(e) => {
                let _ = tx.execute_batch("ROLLBACK TO webhooks; RELEASE webhooks");
                crate::log_event!(warn, "webhook.queue_failed", error = e.to_string());
            }
        }
    }
}

const WEBHOOK_SELECT: &str = "SELECT w.id, w.url, w.events, w.secret, w.created_at,
        (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NULL AND d.gave_up_at IS NULL),
        (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NOT NULL),
        (SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.gave_up_at IS NOT NULL)
     FROM webhooks w";

fn webhook_from(row: &Row<'_>) -> rusqlite::Result<Webhook> {
    let url: String = row.get(1)?;
    let events: String = row.get(2)?;
    Ok(Webhook {
        id: row.get(0)?,
        loopback: parse_url(&url).is_ok_and(|(_, l)| l),
        url,
        events: events.split(',').map(str::to_owned).collect(),
        secret: row.get(3)?,
        created_at: ts_from_ms(4, row.get(4)?)?,
        pending: row.get(5)?,
        delivered: row.get(6)?,
        failed: row.get(7)?,
    })
}

fn get(conn: &Connection, id: i64) -> Result<Webhook> {
    conn.prepare_cached(&format!("{WEBHOOK_SELECT} WHERE w.id = ?1"))?
        .query_row([id], webhook_from)
        .optional()?
        .ok_or(Error::WebhookNotFound(id))
}

fn opt_ts(index: usize, ms: Option<i64>) -> rusqlite::Result<Option<Timestamp>> {
    ms.map(|ms| ts_from_ms(index, ms)).transpose()
}

const DELIVERY_SELECT: &str =
    "SELECT id, webhook_id, uuid, event, created_at, attempts, next_attempt_at,
        delivered_at, gave_up_at, last_status, last_error
     FROM webhook_deliveries";

fn delivery(conn: &Connection, id: i64) -> rusqlite::Result<Delivery> {
    conn.prepare_cached(&format!("{DELIVERY_SELECT} WHERE id = ?1"))?
        .query_row([id], delivery_from)
}

fn delivery_from(row: &Row<'_>) -> rusqlite::Result<Delivery> {
    let delivered_at = opt_ts(7, row.get(7)?)?;
    let gave_up_at = opt_ts(8, row.get(8)?)?;
    let next = opt_ts(6, row.get(6)?)?.filter(|_| delivered_at.is_none() && gave_up_at.is_none());
    Ok(Delivery {
        id: row.get(0)?,
        webhook_id: row.get(1)?,
        uuid: row.get(2)?,
        event: row.get(3)?,
        created_at: ts_from_ms(4, row.get(4)?)?,
        attempts: row.get(5)?,
        next_attempt_at: next,
        delivered_at,
        gave_up_at,
        last_status: row.get(9)?,
        last_error: row.get(10)?,
    })
}

impl Tracker {
    /// Adds a webhook for `events` (all of them when empty) with a new
    /// signing secret.
    pub fn add_webhook(&mut self, url: &str, events: &[String]) -> Result<Webhook> {
        let (url, loopback) = parse_url(url)?;
        let events = parse_events(events)?.join(",");
        let secret = sign::new_secret();
        let now = self.clock.now().as_millisecond();
        let hook = self.storage.write("webhook_add", |tx| {
            tx.execute(
                "INSERT INTO webhooks (url, events, secret, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![url, events, secret, now],
            )?;
            get(tx, tx.last_insert_rowid())
        })?;
        crate::log_event!("webhook.added", webhook_id = hook.id, loopback = loopback);
        Ok(hook)
    }

    pub fn list_webhooks(&self) -> Result<Vec<Webhook>> {
        self.storage.read("webhooks_list", |conn| {
            Ok(conn
                .prepare_cached(&format!("{WEBHOOK_SELECT} ORDER BY w.id"))?
                .query_map([], webhook_from)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Removes a webhook and its deliveries, sent or not.
    pub fn remove_webhook(&mut self, id: i64) -> Result<()> {
        self.storage.write("webhook_remove", |tx| {
            get(tx, id)?;
            tx.execute("DELETE FROM webhooks WHERE id = ?1", [id])?;
            Ok(())
        })?;
        crate::log_event!("webhook.removed", webhook_id = id);
        Ok(())
    }

    /// The newest deliveries first, of one webhook or of all.
    pub fn webhook_deliveries(&self, webhook_id: Option<i64>, limit: u32) -> Result<Vec<Delivery>> {
        self.storage.read("webhook_deliveries", |conn| {
            if let Some(id) = webhook_id {
                get(conn, id)?;
            }
            Ok(conn
                .prepare_cached(&format!(
                    "{DELIVERY_SELECT} WHERE ?1 IS NULL OR webhook_id = ?1 ORDER BY id DESC LIMIT ?2"
                ))?
                .query_map(params![webhook_id, limit], delivery_from)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Queues a `webhook.test` delivery for `id` and returns it; the sender
    /// (or [`sender::deliver_now`]) posts it.
    pub fn queue_webhook_test(&mut self, id: i64) -> Result<Delivery> {
        let now = self.clock.now();
        let delivery = self.storage.write("webhook_test", |tx| {
            get(tx, id)?;
            let body = payload(TEST_EVENT, now, serde_json::json!({ "webhook_id": id }));
            let row = enqueue(tx, id, TEST_EVENT, &body, now.as_millisecond())?;
            Ok(delivery(tx, row)?)
        })?;
        Ok(delivery)
    }
}

impl Tracker {
    /// Sends a `webhook.test` delivery to webhook `id` now, from a
    /// connection of its own (as the sender does), and returns it as
    /// delivered; `webhook.test_failed` with the receiver's answer if not.
    /// The app retries a failed one like any other.
    pub fn send_webhook_test(&mut self, id: i64) -> Result<Delivery> {
        let queued = self.queue_webhook_test(id)?;
        let conn = self.sender_connection()?;
        let now = self.clock.now().as_millisecond();
        sender::deliver_now(&conn, &sender::Schedule::default(), queued.id, now)?;
        let after = delivery(&conn, queued.id)?;
        if after.delivered_at.is_some() {
            return Ok(after);
        }
        Err(Error::WebhookTestFailed(
            match (&after.last_status, &after.last_error) {
                (Some(status), _) => format!("the receiver answered HTTP {status}"),
                (None, Some(error)) => error.clone(),
                (None, None) => "no answer".to_owned(),
            },
        ))
    }
}

impl Tracker {
    /// A connection of its own for sending, as the app's sender has: a
    /// request in flight holds no lock of this tracker's.
    fn sender_connection(&self) -> Result<Connection> {
        let path = self.database_path().ok_or(Error::ConfigNoDataDir)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }
}

/// What `tt webhooks send` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub delivered: usize,
    /// Deliveries still waiting (their receiver failed, or they are not
    /// due yet), and when the next of them is due.
    pub waiting: i64,
    pub next_attempt_at: Option<Timestamp>,
}

impl Tracker {
    /// Sends every delivery that is due, as the app's sender would, for
    /// those who drive TimeTracker only from `tt` (a cron job, a script
    /// after `tt stop`). A receiver that fails is retried on its schedule.
    pub fn send_due_webhooks(&mut self) -> Result<Sent> {
        let conn = self.sender_connection()?;
        let now = self.clock.now().as_millisecond();
        let delivered = sender::deliver_all_due(&conn, &sender::Schedule::default(), now)?;
        let (waiting, next): (i64, Option<i64>) = conn.query_row(
            "SELECT count(*), min(next_attempt_at) FROM webhook_deliveries
             WHERE delivered_at IS NULL AND gave_up_at IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Sent {
            delivered,
            waiting,
            next_attempt_at: next.and_then(|ms| Timestamp::from_millisecond(ms).ok()),
        })
    }
}

#[cfg(test)]
mod tests;
