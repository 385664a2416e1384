//! `cargo bench -p timetracker-core --bench timer`
//!
//! start+stop: one full timer cycle on a real file (WAL, synchronous=FULL),
//! i.e. what a click costs including the fsyncs that make it crash-safe.
//! one day of 100k: the Entries/Timer views' query on ten years of history.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use timetracker_core::{FakeClock, SystemClock, Tracker};

const HISTORY: i64 = 100_000;

fn start_stop(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut tracker = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    let project = tracker.create_project("Bench", None).unwrap();
    c.bench_function("timer start+stop (file, fsync)", |b| {
        b.iter(|| {
            tracker.start_timer(Some(project.id), "bench").unwrap();
            tracker.stop_timer().unwrap();
        })
    });
}

/// Writes `HISTORY` entries, about 27 a day over ten years, ending now.
fn seed(path: &std::path::Path, now: Timestamp) {
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
    conn.execute_batch("COMMIT").unwrap();
}

fn list_one_day(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let now: Timestamp = "2026-11-28T18:00:00Z".parse().unwrap();
    let clock = FakeClock::at(now);
    drop(Tracker::open_in_dir(dir.path(), Arc::new(clock.clone())).unwrap());
    seed(&timetracker_core::config::database_path(dir.path()), now);
    let tracker = Tracker::open_in_dir(dir.path(), Arc::new(clock.clone())).unwrap();
    let tz = TimeZone::UTC;
    let today = tracker.recent_days(1, &tz).unwrap();
    assert!(!today.is_empty() && today[0].entries.len() > 10);
    c.bench_function("entries of one day out of 100k", |b| {
        b.iter(|| tracker.recent_days(1, &tz).unwrap())
    });
}

criterion_group!(benches, start_stop, list_one_day);
criterion_main!(benches);
