//! Sync on a 100,000-entry history (ten years, 27 entries a day):
//! - enabling sync on the device that has it (its first export);
//! - a second device joining and catching up;
//! - `sync now` with nothing new, in core and as a whole `tt` process;
//! - one change, from its file appearing in the folder to the app's watcher
//!   (core's `AutoSync`, which the desktop app runs) having applied it.
//!
//! `cargo bench -p timetracker-core --bench sync` (release). Prints figures;
//! speed is measured here, never asserted in tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use timetracker_core::sync::watch::AutoSync;
use timetracker_core::{SystemClock, Tracker};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn dir_size(p: &Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
        let m = e.metadata().unwrap();
        total += if m.is_dir() {
            dir_size(&e.path())
        } else {
            m.len()
        };
    }
    total
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_dir, b_dir, folder) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("share"),
    );
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::create_dir_all(&a_dir).unwrap();
    let a_db = timetracker_core::config::database_path(&a_dir);
    drop(Tracker::open(&a_db, Arc::new(SystemClock)).unwrap());
    common::seed(&a_db, jiff::Timestamp::now());
    let mut a = Tracker::open(&a_db, Arc::new(SystemClock)).unwrap();

    let t = Instant::now();
    let first = a.sync_enable(&folder, Some("a"), false).unwrap();
    let enable = t.elapsed();
    println!(
        "enable sync with {} entries (first export, {} records): {:.2} s; folder {:.1} MB",
        common::HISTORY,
        first.exported,
        enable.as_secs_f64(),
        dir_size(&folder) as f64 / 1e6
    );

    let mut b = Tracker::open_in_dir(&b_dir, Arc::new(SystemClock)).unwrap();
    let t = Instant::now();
    let caught = b.sync_enable(&folder, Some("b"), false).unwrap();
    let catch_up = t.elapsed();
    println!(
        "a second device catches up ({} records applied): {:.2} s",
        caught.applied,
        catch_up.as_secs_f64()
    );

    let runs: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            let r = b.sync_now().unwrap();
            assert_eq!((r.applied, r.exported), (0, 0));
            t.elapsed()
        })
        .collect();
    println!(
        "sync now with nothing new, in core: median {:.1} ms",
        median(runs).as_secs_f64() * 1e3
    );

    let tt = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/tt");
    if tt.exists() {
        let runs: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                let out = std::process::Command::new(&tt)
                    .arg("--data-dir")
                    .arg(&b_dir)
                    .args(["sync", "now"])
                    .output()
                    .unwrap();
                assert!(out.status.success());
                t.elapsed()
            })
            .collect();
        println!(
            "tt sync now with nothing new, whole process: median {:.1} ms",
            median(runs).as_secs_f64() * 1e3
        );
    } else {
        println!("(build target/release/tt to time tt sync now as a process)");
    }

    // The app on B: a change made on A is applied by the watcher.
    drop(b);
    let (tx, rx) = mpsc::channel();
    let watcher = AutoSync::start(
        timetracker_core::config::database_path(&b_dir),
        Arc::new(SystemClock),
        move |report| {
            if report.applied > 0 {
                let _ = tx.send(Instant::now());
            }
        },
    );
    std::thread::sleep(Duration::from_secs(1));
    while rx.try_recv().is_ok() {}
    let mut latencies = Vec::new();
    for i in 0..10 {
        a.start_timer(None, &format!("change {i}")).unwrap();
        // sync_now returns once the change file is renamed into place.
        a.sync_now().unwrap();
        let arrived = Instant::now();
        let applied = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("not applied");
        latencies.push(applied.duration_since(arrived));
        std::thread::sleep(Duration::from_millis(300));
    }
    watcher.stop();
    let worst = latencies.iter().max().copied().unwrap_or_default();
    println!(
        "one change applied by the watcher after its file arrives: median {:.0} ms, worst {:.0} ms",
        median(latencies).as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
}
