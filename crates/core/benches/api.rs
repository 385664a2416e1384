//! `cargo bench -p timetracker-core --bench api`
//!
//! The local API on a database of 100,000 entries, over real HTTP on
//! loopback with a keep-alive client: `GET /api/v1/timer`, a week of entries
//! (`GET /api/v1/entries?from&to`), what a client sending 1,000 requests
//! a second does to the app's own command latency (timer start+stop on the
//! window's connection), and what a webhook costs that command (its
//! deliveries are queued in the same commit; nothing waits on a receiver).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "common/mod.rs"]
mod common;
use common::summary;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use timetracker_core::api::{ApiConfig, ApiServer, Tokens};
use timetracker_core::metrics::server::loopback;
use timetracker_core::metrics::Metrics;
use timetracker_core::{SystemClock, Tracker};

const TOKEN: &str = "bench-token";

fn get(agent: &ureq::Agent, url: &str) -> String {
    agent
        .get(url)
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

fn timed(agent: &ureq::Agent, url: &str, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(get(agent, url));
            t.elapsed()
        })
        .collect()
}

fn start_stop(tracker: &mut Tracker, project: i64, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            tracker.start_timer(Some(project), "").unwrap();
            tracker.stop_timer().unwrap();
            t.elapsed()
        })
        .collect()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (requests, commands) = if full { (2000, 1000) } else { (10, 10) };

    let dir = tempfile::tempdir().unwrap();
    let db = timetracker_core::config::database_path(dir.path());
    drop(Tracker::open(&db, Arc::new(SystemClock)).unwrap());
    let now = jiff::Timestamp::now();
    common::seed(&db, now);
    let mut tracker = Tracker::open(&db, Arc::new(SystemClock)).unwrap();
    let project = tracker.list_projects(false).unwrap()[0].id;
    let tokens = Tokens {
        full: TOKEN.into(),
        read_only: "bench-read-only".into(),
    };
    let server = ApiServer::start(
        ApiConfig::new(loopback(0), tokens),
        tracker.open_sibling().unwrap(),
        TimeZone::UTC,
        Metrics::new(),
        None,
    )
    .unwrap();
    let base = format!("http://{}/api/v1", server.addr());
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();

    let timer = format!("{base}/timer");
    get(&agent, &timer);
    println!(
        "GET /timer:                {}",
        summary(timed(&agent, &timer, requests))
    );

    let from = now
        .checked_sub(jiff::SignedDuration::from_hours(7 * 24))
        .unwrap();
    let week = format!("{base}/entries?from={from}&to={now}&limit=1000");
    let listed: serde_json::Value = serde_json::from_str(&get(&agent, &week)).unwrap();
    let total = listed["total"].as_u64().unwrap();
    assert!(
        total > 50,
        "a week of the seeded history holds {total} entries"
    );
    println!(
        "GET a week of entries ({total}): {}",
        summary(timed(&agent, &week, requests / 4))
    );

    // A page deep into all of history: paged in SQLite, not read whole.
    let deep = format!("{base}/entries?from=2000-01-01&to={now}&limit=100&offset=50000");
    let paged: serde_json::Value = serde_json::from_str(&get(&agent, &deep)).unwrap();
    assert_eq!(paged["entries"].as_array().map(Vec::len), Some(100));
    println!(
        "GET 100 entries at offset 50,000 of {}: {}",
        paged["total"],
        summary(timed(&agent, &deep, requests / 4))
    );

    // Command latency drifts as the history and the WAL grow, so each
    // comparison alternates its two sides in rounds.
    let rounds = if full { 10 } else { 2 };
    let per_round = commands / rounds;
    let active = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let client = {
        let (active, stop, done, timer) =
            (active.clone(), stop.clone(), done.clone(), timer.clone());
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
            while !stop.load(Ordering::Relaxed) {
                if !active.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                // Paced at 1,000 a second; a slower answer runs back to back.
                let start = Instant::now();
                let mut n: u64 = 0;
                while active.load(Ordering::Relaxed) {
                    let due = start + Duration::from_millis(n);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    get(&agent, &timer);
                    done.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            }
        })
    };
    let (mut quiet, mut busy) = (Vec::new(), Vec::new());
    let mut busy_time = Duration::ZERO;
    let mut answered = 0;
    for _ in 0..rounds {
        quiet.extend(start_stop(&mut tracker, project, per_round));
        active.store(true, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(50));
        let (before, t) = (done.load(Ordering::Relaxed), Instant::now());
        busy.extend(start_stop(&mut tracker, project, per_round));
        busy_time += t.elapsed();
        answered += done.load(Ordering::Relaxed) - before;
        active.store(false, Ordering::Relaxed);
    }
    stop.store(true, Ordering::Relaxed);
    client.join().unwrap();
    println!("start+stop, no client:     {}", summary(quiet));
    println!("start+stop, with client:   {}", summary(busy));
    println!(
        "client achieved:           {:.0} requests/s while commands ran",
        answered as f64 / busy_time.as_secs_f64()
    );
    server.stop();

    // The webhook queue on a second connection to the same file, so the
    // rounds alternate: no queue, the queue with no webhook, and with one
    // whose receiver is down (its deliveries pile up; no command waits).
    let mut queued = tracker.open_sibling().unwrap();
    queued.observe_changes(timetracker_core::webhooks::queue());
    let (mut plain, mut bare, mut hooked) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        plain.extend(start_stop(&mut tracker, project, per_round));
        bare.extend(start_stop(&mut queued, project, per_round));
        let hook = queued.add_webhook("http://127.0.0.1:9/bench", &[]).unwrap();
        hooked.extend(start_stop(&mut queued, project, per_round));
        queued.remove_webhook(hook.id).unwrap();
    }
    println!("start+stop, no queue:      {}", summary(plain));
    println!("start+stop, queue, no hook:{}", summary(bare));
    println!("start+stop, one webhook:   {}", summary(hooked));
}
