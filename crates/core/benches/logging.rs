//! `cargo bench -p timetracker-core --bench logging`
//!
//! What one business event costs the thread that logs it (median and p99,
//! through tracing, the JSON layer and the queue), and how many events a
//! second the writer thread gets onto disk.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "common/mod.rs"]
mod common;
use common::quantile;

use std::sync::Arc;
use std::time::{Duration, Instant};

use timetracker_core::log_event;
use timetracker_core::logging::{request_span, subscriber, LogWriter, WriterConfig};
use tracing::level_filters::LevelFilter;

const EVENTS: usize = 200_000;

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing and
    // only wants to know the bench builds and runs.
    let events = if std::env::args().any(|a| a == "--bench") {
        EVENTS
    } else {
        1_000
    };
    let dir = tempfile::tempdir().unwrap();
    let mut config = WriterConfig::new(dir.path().join("logs"));
    // Room for every event, so the figures are about speed, not drops.
    config.queue_capacity = events + 16;
    let writer = Arc::new(LogWriter::start(config));

    let mut costs = Vec::with_capacity(events);
    let total = tracing::subscriber::with_default(
        subscriber(writer.clone(), LevelFilter::INFO, None),
        || {
            let _request = request_span("bench").entered();
            let start = Instant::now();
            for i in 0..events {
                let t = Instant::now();
                log_event!(
                    "timer.stopped",
                    entry_id = i as i64,
                    project_id = 7_i64,
                    duration_seconds = 1_500_i64,
                    reason = "stopped",
                );
                costs.push(t.elapsed());
            }
            assert!(writer.flush(Duration::from_secs(120)));
            start.elapsed()
        },
    );
    costs.sort();
    // Rotation may have split the output over several files.
    let bytes: u64 = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    println!("events logged:             {events}");
    println!("dropped:                   {}", writer.dropped());
    println!(
        "caller cost per event:     median {:?}, p99 {:?}, max {:?}",
        quantile(&costs, 0.5),
        quantile(&costs, 0.99),
        costs[costs.len() - 1]
    );
    println!(
        "throughput to disk:        {:.0} events/s ({} bytes in {:?})",
        events as f64 / total.as_secs_f64(),
        bytes,
        total
    );
    writer.shutdown(Duration::from_secs(5));
}
