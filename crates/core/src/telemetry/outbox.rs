//! The outbox and the sent log in SQLite: events wait here until the sender
//! has delivered them, and the inspector reads both.

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use ts_rs::TS;

/// Caps of the outbox: the oldest events go first, and are counted.
pub const MAX_QUEUED: i64 = 10_000;
pub const MAX_QUEUED_BYTES: i64 = 5 * 1000 * 1000;
/// Sent payloads kept for the inspector.
pub const KEEP_SENT: i64 = 500;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Payload {
    pub uuid: String,
    pub event: String,
    /// The exact JSON object sent (or to be sent) in the batch.
    pub json: String,
    /// When it was queued, or sent.
    pub at: String,
}

/// Queues one payload; returns how many old ones the caps pushed out.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    uuid: &str,
    event: &str,
    json: &str,
    now_ms: i64,
) -> rusqlite::Result<u64> {
    tx.execute(
        "INSERT INTO telemetry_outbox (uuid, event, payload, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![uuid, event, json, now_ms],
    )?;
    let by_count = tx.execute(
        "DELETE FROM telemetry_outbox WHERE id IN
           (SELECT id FROM telemetry_outbox ORDER BY id DESC LIMIT -1 OFFSET ?1)",
        [MAX_QUEUED],
    )?;
    let mut by_size = 0;
    loop {
        let bytes: i64 = tx.query_row(
            "SELECT coalesce(sum(length(payload)), 0) FROM telemetry_outbox",
            [],
            |r| r.get(0),
        )?;
        if bytes <= MAX_QUEUED_BYTES {
            break;
        }
        let removed = tx.execute(
            "DELETE FROM telemetry_outbox WHERE id = (SELECT min(id) FROM telemetry_outbox)",
            [],
        )?;
        if removed == 0 {
            break;
        }
        by_size += removed;
    }
    Ok((by_count + by_size) as u64)
}

pub(crate) fn queued_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM telemetry_outbox", [], |r| r.get(0))
}

/// The oldest `limit` queued payloads as `(id, json)`.
pub(crate) fn oldest(conn: &Connection, limit: i64) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT id, payload FROM telemetry_outbox ORDER BY id LIMIT ?1")?;
    let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Moves delivered payloads from the outbox to the sent log, in one
/// transaction: a payload is either queued or sent, never both.
pub(crate) fn mark_sent(tx: &Transaction<'_>, ids: &[i64], now_ms: i64) -> rusqlite::Result<()> {
    for id in ids {
        tx.execute(
            "INSERT INTO telemetry_sent (uuid, event, payload, sent_at)
             SELECT uuid, event, payload, ?2 FROM telemetry_outbox WHERE id = ?1",
            params![id, now_ms],
        )?;
        tx.execute("DELETE FROM telemetry_outbox WHERE id = ?1", [id])?;
    }
    tx.execute(
        "DELETE FROM telemetry_sent WHERE id IN
           (SELECT id FROM telemetry_sent ORDER BY id DESC LIMIT -1 OFFSET ?1)",
        [KEEP_SENT],
    )?;
    Ok(())
}

pub(crate) fn clear(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM telemetry_outbox", [])
}

fn list(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Payload>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([], |r| {
        let at: i64 = r.get(3)?;
        Ok(Payload {
            uuid: r.get(0)?,
            event: r.get(1)?,
            json: r.get(2)?,
            at: jiff::Timestamp::from_millisecond(at)
                .map(|t| t.to_string())
                .unwrap_or_default(),
        })
    })?;
    rows.collect()
}

pub(crate) fn list_queued(conn: &Connection) -> rusqlite::Result<Vec<Payload>> {
    list(
        conn,
        "SELECT uuid, event, payload, created_at FROM telemetry_outbox ORDER BY id DESC LIMIT 1000",
    )
}

pub(crate) fn list_sent(conn: &Connection) -> rusqlite::Result<Vec<Payload>> {
    list(
        conn,
        "SELECT uuid, event, payload, sent_at FROM telemetry_sent ORDER BY id DESC",
    )
}
