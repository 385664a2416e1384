//! Shared by the benches: a history of ten years of heavy use.
#![allow(dead_code)]

use jiff::Timestamp;

pub const HISTORY: i64 = 100_000;

/// Writes `HISTORY` entries, about 27 a day over ten years, ending now.
pub fn seed(path: &std::path::Path, now: Timestamp) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("BEGIN").unwrap();
    for p in 0..20 {
        conn.execute(
            "INSERT INTO projects (name, name_key, color, created_at, updated_at) VALUES (?1, ?1, '#3b82f6', 0, 0)",
            [format!("p{p}")],
        )
        .unwrap();
    }
    let span_ms: i64 = 10 * 365 * 24 * 3600 * 1000;
    let step = span_ms / HISTORY;
    let mut stmt = conn
        .prepare(
            "INSERT INTO time_entries (project_id, description, started_at, stopped_at, created_at, updated_at)
             VALUES (?1, 'work', ?2, ?3, ?2, ?2)",
        )
        .unwrap();
    let end = now.as_millisecond();
    for i in 0..HISTORY {
        let start = end - span_ms + i * step;
        stmt.execute((i % 20 + 1, start, start + step / 2)).unwrap();
    }
    drop(stmt);
    // As an existing history is after the upgrade to sync: not a change
    // waiting to be stamped (a raw insert is, to the sync triggers).
    conn.execute_batch("DELETE FROM sync_dirty; COMMIT")
        .unwrap();
}

/// Allows usage statistics on `tracker`, with no sender: the outbox only
/// fills. The tracker keeps the telemetry it is attached to.
pub fn allow_usage_statistics(tracker: &mut timetracker_core::Tracker) {
    use timetracker_core::telemetry::{Telemetry, TelemetryConfig};
    let config =
        TelemetryConfig::from_lookup(|k| (k == "POSTHOG_API_KEY").then(|| "phc_bench".to_owned()));
    let tel = Telemetry::new(config);
    tel.attach(tracker).unwrap();
    tel.set_consent(tracker, false, true).unwrap();
}

/// The `q` quantile (0 to 1) of sorted samples, nearest rank.
pub fn quantile(sorted: &[std::time::Duration], q: f64) -> std::time::Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// The median and p99 of `samples`, as the bench binaries print them.
pub fn summary(mut samples: Vec<std::time::Duration>) -> String {
    samples.sort();
    format!(
        "median {:?}, p99 {:?} (n={})",
        quantile(&samples, 0.5),
        quantile(&samples, 0.99),
        samples.len()
    )
}
