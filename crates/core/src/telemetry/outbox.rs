//! The outbox and the sent log in SQLite: events wait here until the sender
//! has delivered them, and the inspector reads both.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use ts_rs::TS;

/// Caps of the outbox: the oldest events go first (down to 1% under the
/// cap at a time), and are counted.
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
    tx: &Connection,
    uuid: &str,
    event: &str,
    json: &str,
    now_ms: i64,
) -> rusqlite::Result<u64> {
    enqueue_capped(
        tx,
        (uuid, event, json),
        now_ms,
        MAX_QUEUED,
        MAX_QUEUED_BYTES,
    )
}

fn enqueue_capped(
    tx: &Connection,
    (uuid, event, json): (&str, &str, &str),
    now_ms: i64,
    max_queued: i64,
    max_bytes: i64,
) -> rusqlite::Result<u64> {
    tx.prepare_cached(
        "INSERT INTO telemetry_outbox (uuid, event, payload, created_at, run_events, run_bytes)
         VALUES (?1, ?2, ?3, ?4,
             coalesce((SELECT run_events FROM telemetry_outbox ORDER BY id DESC LIMIT 1), 0) + 1,
             coalesce((SELECT run_bytes FROM telemetry_outbox ORDER BY id DESC LIMIT 1), 0)
                 + length(?3))",
    )?
    .execute(params![uuid, event, json, now_ms])?;
    let (events, bytes) = totals(tx)?;
    if events <= max_queued && bytes <= max_bytes {
        return Ok(0);
    }
    // Over a cap, the oldest go down to 1% under it, not just to it: a
    // full outbox (offline for weeks) then pays for a drop, its count and
    // its log line once in a hundred events instead of with every one.
    let (keep_events, keep_bytes) = (max_queued - max_queued / 100, max_bytes - max_bytes / 100);
    let mut dropped = 0;
    loop {
        let (events, bytes) = totals(tx)?;
        if events <= keep_events && bytes <= keep_bytes {
            break;
        }
        let removed = tx
            .prepare_cached(
                "DELETE FROM telemetry_outbox WHERE id = (SELECT min(id) FROM telemetry_outbox)",
            )?
            .execute([])?;
        if removed == 0 {
            break;
        }
        dropped += removed;
    }
    Ok(dropped as u64)
}

/// Settings key of [`Dropped`]: what the caps pushed out, over all launches.
pub const DROPPED_KEY: &str = "telemetry.dropped";

/// Events the caps pushed out of the outbox, kept so `tt doctor` can say so
/// after the app that dropped them has quit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Dropped {
    pub total: u64,
    /// RFC 3339 instant of the latest drop.
    pub last_at: String,
}

/// Adds `count` to the stored [`Dropped`] record, in the caller's transaction.
pub(crate) fn record_dropped(tx: &Connection, count: u64, now_ms: i64) -> rusqlite::Result<()> {
    let previous: Option<String> = tx
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([DROPPED_KEY], |r| r.get(0))
        .optional()?;
    let mut record: Dropped = previous
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    record.total = record.total.saturating_add(count);
    record.last_at = jiff::Timestamp::from_millisecond(now_ms)
        .map(|t| t.to_string())
        .unwrap_or_default();
    let json = serde_json::to_string(&record).unwrap_or_default();
    crate::settings::upsert(tx, DROPPED_KEY, &json, now_ms)
}

/// Events waiting, counted (for what the user and `/metrics` are shown).
pub(crate) fn queued_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM telemetry_outbox")?
        .query_row([], |r| r.get(0))
}

/// Events and bytes waiting, counted.
pub(crate) fn stats(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached("SELECT count(*), coalesce(sum(length(payload)), 0) FROM telemetry_outbox")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// Events and bytes waiting, from the running totals of the newest and the
/// oldest row: two lookups, whatever the outbox holds, for the caps on
/// every event. Exact while rows leave from the oldest end (the sender, the
/// caps) or all at once; a row taken from the middle would make it count
/// high, so the caps would only act a little early.
pub(crate) fn totals(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(
            "SELECT n.run_events - o.run_events + 1, n.run_bytes - o.run_bytes + length(o.payload)
             FROM (SELECT run_events, run_bytes FROM telemetry_outbox ORDER BY id DESC LIMIT 1) n,
                  (SELECT run_events, run_bytes, payload FROM telemetry_outbox ORDER BY id LIMIT 1) o",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
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

/// Deletes every queued payload in one committed write.
pub(crate) fn clear_all(tracker: &crate::Tracker) -> crate::Result<usize> {
    tracker
        .storage
        .write("telemetry_clear", |tx| Ok(clear(tx)?))
}

pub(crate) fn clear(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM telemetry_outbox", [])
}

fn list(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<Payload>> {
    list_with(conn, sql, [])
}

fn list_with<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<Vec<Payload>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| {
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

/// Queued payloads, newest first, `limit` of them after skipping `offset`
/// (the inspector pages through all 10,000 the outbox may hold).
pub(crate) fn list_queued_page(
    conn: &Connection,
    offset: i64,
    limit: i64,
) -> rusqlite::Result<Vec<Payload>> {
    list_with(
        conn,
        "SELECT uuid, event, payload, created_at FROM telemetry_outbox ORDER BY id DESC LIMIT ?1 OFFSET ?2",
        [limit, offset],
    )
}

/// Every queued payload, newest first (the export).
pub(crate) fn list_queued_all(conn: &Connection) -> rusqlite::Result<Vec<Payload>> {
    list_queued_page(conn, 0, -1)
}

pub(crate) fn list_sent(conn: &Connection) -> rusqlite::Result<Vec<Payload>> {
    list(
        conn,
        "SELECT uuid, event, payload, sent_at FROM telemetry_sent ORDER BY id DESC",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_before_0009() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../../migrations/0003_telemetry.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../../migrations/0004_outbox_stats.sql"))
            .unwrap();
        conn
    }

    fn db() -> Connection {
        let conn = db_before_0009();
        conn.execute_batch(include_str!("../../migrations/0009_outbox_lean.sql"))
            .unwrap();
        conn
    }

    #[test]
    fn events_queued_before_the_running_totals_are_counted_after_the_upgrade() {
        let conn = db_before_0009();
        for i in 0..7 {
            conn.execute(
                "INSERT INTO telemetry_outbox (uuid, event, payload, created_at) VALUES (?1, 'e', ?2, 0)",
                params![format!("old{i}"), "q".repeat(3 * i + 1)],
            )
            .unwrap();
        }
        conn.execute("DELETE FROM telemetry_outbox WHERE uuid = 'old0'", [])
            .unwrap();
        conn.execute_batch(include_str!("../../migrations/0009_outbox_lean.sql"))
            .unwrap();
        assert_eq!(totals(&conn).unwrap(), stats(&conn).unwrap());
        assert_eq!(totals(&conn).unwrap().0, 6);
        enqueue(&conn, "new", "e", "{}", 1).unwrap();
        assert_eq!(totals(&conn).unwrap(), stats(&conn).unwrap());
    }

    #[test]
    fn drops_add_up_across_launches_in_the_settings() {
        let mut conn = db();
        conn.execute_batch(
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        record_dropped(&tx, 3, 1_764_000_000_000).unwrap();
        record_dropped(&tx, 4, 1_764_000_060_000).unwrap();
        let text: String = tx
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [DROPPED_KEY],
                |r| r.get(0),
            )
            .unwrap();
        let record: Dropped = serde_json::from_str(&text).unwrap();
        assert_eq!(record.total, 7);
        assert_eq!(record.last_at, "2025-11-24T16:01:00Z");
    }

    #[test]
    fn the_caps_drop_the_oldest_first_and_count_them() {
        let mut conn = db();
        let tx = conn.transaction().unwrap();
        let mut dropped = 0;
        for i in 0..12 {
            let uuid = format!("u{i}");
            dropped += enqueue_capped(&tx, (&uuid, "e", "{\"x\":1}"), i, 10, 1_000_000).unwrap();
        }
        assert_eq!(dropped, 2);
        let oldest = oldest(&tx, 1).unwrap();
        assert_eq!(oldest[0].1, "{\"x\":1}");
        let first: String = tx
            .query_row(
                "SELECT uuid FROM telemetry_outbox ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(first, "u2");

        // 100 bytes each, 450 allowed: four stay.
        let big = format!("\"{}\"", "y".repeat(98));
        let mut by_size = 0;
        for i in 0..6 {
            by_size += enqueue_capped(
                &tx,
                (&format!("b{i}"), "e", &big),
                100 + i,
                1000,
                450 + 10 * 7,
            )
            .unwrap();
        }
        assert!(by_size > 0);
        let bytes: i64 = tx
            .query_row(
                "SELECT sum(length(payload)) FROM telemetry_outbox",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(bytes <= 520, "{bytes}");
    }

    #[test]
    fn the_running_totals_match_a_count_as_rows_come_and_go() {
        let mut conn = db();
        let tx = conn.transaction().unwrap();
        assert_eq!(totals(&tx).unwrap(), (0, 0));
        for i in 0..30 {
            let json = "z".repeat(10 + usize::try_from(i).unwrap());
            enqueue(&tx, &format!("u{i}"), "e", &json, i).unwrap();
            assert_eq!(totals(&tx).unwrap(), stats(&tx).unwrap(), "after {i}");
        }
        // Sent: the oldest leave.
        let ids: Vec<i64> = oldest(&tx, 12)
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        mark_sent(&tx, &ids, 99).unwrap();
        assert_eq!(totals(&tx).unwrap(), stats(&tx).unwrap());
        assert_eq!(queued_count(&tx).unwrap(), 18);
        clear(&tx).unwrap();
        assert_eq!(totals(&tx).unwrap(), (0, 0));
        enqueue(&tx, "again", "e", "{}", 100).unwrap();
        assert_eq!(totals(&tx).unwrap(), (1, 2));
    }

    #[test]
    fn sent_payloads_leave_the_outbox_and_the_log_keeps_the_newest() {
        let mut conn = db();
        let tx = conn.transaction().unwrap();
        for i in 0..3 {
            enqueue(&tx, &format!("u{i}"), "e", "{}", i).unwrap();
        }
        let ids: Vec<i64> = oldest(&tx, 2)
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        mark_sent(&tx, &ids, 50).unwrap();
        assert_eq!(queued_count(&tx).unwrap(), 1);
        let sent = list_sent(&tx).unwrap();
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].uuid, "u1");
        assert_eq!(clear(&tx).unwrap(), 1);
    }
}
