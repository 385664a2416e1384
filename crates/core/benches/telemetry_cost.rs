//! `cargo bench -p timetracker-core --bench telemetry_cost`
//!
//! What usage statistics add to a timer start + stop (two committed,
//! fsynced writes, each with its event's outbox row), measured as a ratio.
//! A ratio of two criterion runs on a shared machine swings by more than
//! the cost itself, so the three trackers here take turns, fifty cycles at
//! a time, for the whole run: whatever the disk and the neighbours do, they
//! do to all three.
//!
//! - off: usage statistics off (the default).
//! - on, sent: on, with the outbox emptied every hundred cycles outside the
//!   timing, as the sender does for a user who is online.
//! - on, full: on, offline, the outbox at its cap of 10,000 from the start,
//!   so events push the oldest out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "common/mod.rs"]
mod common;
use common::quantile;

use std::sync::Arc;
use std::time::{Duration, Instant};

use timetracker_core::telemetry::outbox;
use timetracker_core::{config, SystemClock, Tracker};

struct Subject {
    name: &'static str,
    tracker: Tracker,
    project: i64,
    /// The sender's connection, for "sent".
    drain: Option<rusqlite::Connection>,
    samples: Vec<Duration>,
    cycles: u64,
    _dir: tempfile::TempDir,
}

fn subject(name: &'static str, usage: bool) -> Subject {
    let dir = tempfile::tempdir().unwrap();
    let mut tracker = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    if usage {
        common::allow_usage_statistics(&mut tracker);
    }
    let project = tracker.create_project("Bench", None).unwrap().id;
    Subject {
        name,
        tracker,
        project,
        drain: None,
        samples: Vec::new(),
        cycles: 0,
        _dir: dir,
    }
}

fn connection(s: &Subject) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(config::database_path(s._dir.path())).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn
}

/// Fills the outbox to its cap with payloads of a real event's size.
fn fill(s: &Subject) {
    let mut conn = connection(s);
    let tx = conn.transaction().unwrap();
    let size: i64 = tx
        .query_row(
            "SELECT coalesce(max(length(payload)), 700) FROM telemetry_outbox",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let per = usize::try_from(size).unwrap();
    let room = (outbox::MAX_QUEUED_BYTES / size).min(outbox::MAX_QUEUED);
    for i in 0..room {
        tx.execute(
            "INSERT INTO telemetry_outbox (uuid, event, payload, created_at, run_events, run_bytes)
             VALUES (?1, 'x', ?2, 0, ?3, ?4)",
            rusqlite::params![format!("fill-{i}"), "x".repeat(per), i + 1, (i + 1) * size],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn turn(s: &mut Subject, cycles: u64) {
    for _ in 0..cycles {
        if let Some(conn) = &s.drain {
            if s.cycles.is_multiple_of(100) {
                conn.execute("DELETE FROM telemetry_outbox", []).unwrap();
            }
        }
        let t0 = Instant::now();
        s.tracker.start_timer(Some(s.project), "bench").unwrap();
        s.tracker.stop_timer().unwrap();
        s.samples.push(t0.elapsed());
        s.cycles += 1;
    }
}

fn main() {
    let mut subjects = [
        subject("off", false),
        subject("on, sent", true),
        subject("on, full", true),
    ];
    subjects[1].drain = Some(connection(&subjects[1]));
    fill(&subjects[2]);
    // Warm up every file and cache, then take turns.
    for s in subjects.iter_mut() {
        turn(s, 200);
        s.samples.clear();
    }
    let rounds = 60;
    for round in 0..rounds {
        // Each round in another order, so no one always follows the same.
        let n = subjects.len();
        for k in 0..n {
            turn(&mut subjects[(round + k) % n], 50);
        }
    }
    let medians: Vec<Duration> = subjects
        .iter_mut()
        .map(|s| {
            s.samples.sort();
            quantile(&s.samples, 0.5)
        })
        .collect();
    println!("timer start + stop, {rounds} rounds of 50 cycles each, taking turns");
    println!("| usage statistics | median | p90 | vs off |");
    println!("| --- | ---: | ---: | ---: |");
    for (s, median) in subjects.iter().zip(&medians) {
        let ratio = median.as_secs_f64() / medians[0].as_secs_f64();
        println!(
            "| {} | {:.0} µs | {:.0} µs | {:+.1}% |",
            s.name,
            median.as_secs_f64() * 1e6,
            quantile(&s.samples, 0.9).as_secs_f64() * 1e6,
            (ratio - 1.0) * 100.0
        );
    }
}
