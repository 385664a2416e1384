//! `cargo bench -p timetracker-core --bench metrics`
//!
//! The cost of one scrape of /metrics (rendering alone, and over HTTP) on a
//! database of 100,000 entries, and what a scraper hitting the endpoint
//! 1,000 times a second does to command latency (timer start+stop).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "common/mod.rs"]
mod common;
use common::summary;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use timetracker_core::metrics::server::loopback;
use timetracker_core::metrics::{Metrics, MetricsServer, ServerConfig};
use timetracker_core::{SystemClock, Tracker};

fn command_latencies(
    tracker: &mut Tracker,
    metrics: &Metrics,
    project: i64,
    n: usize,
) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            tracker.start_timer(Some(project), "").unwrap();
            metrics.observe_command("timer_start", true, t.elapsed());
            let t2 = Instant::now();
            tracker.stop_timer().unwrap();
            metrics.observe_command("timer_stop", true, t2.elapsed());
            t.elapsed()
        })
        .collect()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (scrapes, commands) = if full { (500, 2000) } else { (5, 20) };

    let dir = tempfile::tempdir().unwrap();
    let db = timetracker_core::config::database_path(dir.path());
    drop(Tracker::open(&db, Arc::new(SystemClock)).unwrap());
    common::seed(&db, jiff::Timestamp::now());
    let mut tracker = Tracker::open(&db, Arc::new(SystemClock)).unwrap();
    let metrics = Metrics::with_database(&db);
    metrics.watch(&mut tracker);
    let project = tracker.list_projects(false).unwrap()[0].id;

    for per_project in [false, true] {
        metrics.set_per_project(per_project);
        let render: Vec<Duration> = (0..scrapes)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(metrics.render_prometheus_text());
                t.elapsed()
            })
            .collect();
        println!(
            "scrape, rendering only (per-project {}): {}",
            if per_project { "on " } else { "off" },
            summary(render)
        );
    }
    metrics.set_per_project(false);

    let server =
        MetricsServer::start(ServerConfig::new(loopback(0), None), metrics.clone()).unwrap();
    let url = format!("http://{}/metrics", server.addr());
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let http: Vec<Duration> = (0..scrapes)
        .map(|_| {
            let t = Instant::now();
            let body = agent
                .get(&url)
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            std::hint::black_box(body);
            t.elapsed()
        })
        .collect();
    println!("scrape over HTTP:          {}", summary(http));

    let quiet = command_latencies(&mut tracker, &metrics, project, commands);
    println!("start+stop, no scraper:    {}", summary(quiet));

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let scraper = {
        let (stop, done, url) = (stop.clone(), done.clone(), url.clone());
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
            let start = Instant::now();
            let mut n: u64 = 0;
            while !stop.load(Ordering::Relaxed) {
                // Paced at 1,000 a second; if a scrape takes longer, it
                // runs back to back.
                let due = start + Duration::from_millis(n);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                if agent.get(&url).call().is_ok() {
                    done.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
            start.elapsed()
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let before = done.load(Ordering::Relaxed);
    let t = Instant::now();
    let busy = command_latencies(&mut tracker, &metrics, project, commands);
    let window = t.elapsed();
    let scraped = done.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    scraper.join().unwrap();
    println!("start+stop, with scraper:  {}", summary(busy));
    println!(
        "scraper achieved:          {:.0} scrapes/s during the measurement",
        scraped as f64 / window.as_secs_f64()
    );
    server.stop();
}
