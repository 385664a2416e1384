//! `cargo bench -p timetracker-core --bench timer`
//!
//! start+stop: one full timer cycle on a real file (WAL, synchronous=FULL),
//! i.e. what a click costs including the fsyncs that make it crash-safe.
//! one day of 100k: the Timer view's query on ten years of history.
//! entries page: one page of the Entries list (200 entries, whole days),
//! the newest, ten years back, and a jump to a date five years back.
//! calendar week: the Calendar view's read of seven days, this week and
//! ten years back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "common/mod.rs"]
mod common;
use common::seed;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use timetracker_core::{FakeClock, SystemClock, Tracker};

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

/// A tracker on the seeded ten-year history, its clock at the last entry.
fn history() -> (tempfile::TempDir, Tracker) {
    let dir = tempfile::tempdir().unwrap();
    let now: Timestamp = "2026-11-28T18:00:00Z".parse().unwrap();
    let clock = Arc::new(FakeClock::at(now));
    drop(Tracker::open_in_dir(dir.path(), clock.clone()).unwrap());
    seed(&timetracker_core::config::database_path(dir.path()), now);
    let tracker = Tracker::open_in_dir(dir.path(), clock).unwrap();
    (dir, tracker)
}

fn list_one_day(c: &mut Criterion) {
    let (_dir, tracker) = history();
    let tz = TimeZone::UTC;
    let today = tracker.recent_days(1, &tz).unwrap();
    assert!(!today.is_empty() && today[0].entries.len() > 10);
    c.bench_function("entries of one day out of 100k", |b| {
        b.iter(|| tracker.recent_days(1, &tz).unwrap())
    });
}

fn entries_pages(c: &mut Criterion) {
    use timetracker_core::PageAt;
    let (_dir, tracker) = history();
    let tz = TimeZone::get("Europe/Paris").unwrap();
    let newest = tracker.entries_page(PageAt::Newest, 200, &tz).unwrap();
    assert!(newest.older.is_some());
    let oldest_but_one: Timestamp = "2016-12-15T00:00:00Z".parse().unwrap();
    let old = tracker
        .entries_page(PageAt::Before(oldest_but_one), 200, &tz)
        .unwrap();
    assert!(old.days.iter().map(|d| d.entries.len()).sum::<usize>() >= 200);
    let mut group = c.benchmark_group("entries page of 200 out of 100k");
    group.bench_function("newest", |b| {
        b.iter(|| tracker.entries_page(PageAt::Newest, 200, &tz).unwrap())
    });
    group.bench_function("ten years back", |b| {
        b.iter(|| {
            tracker
                .entries_page(PageAt::Before(oldest_but_one), 200, &tz)
                .unwrap()
        })
    });
    let jump = jiff::civil::date(2021, 11, 28);
    group.bench_function("jump to a date", |b| {
        b.iter(|| {
            tracker
                .entries_page(PageAt::OnOrBefore(jump), 200, &tz)
                .unwrap()
        })
    });
    group.finish();
}

/// The calendar's read: a week of columns and the entries touching them,
/// this week and ten years back.
fn calendar_week(c: &mut Criterion) {
    let (_dir, tracker) = history();
    let tz = TimeZone::get("Europe/Paris").unwrap();
    let this_week = jiff::civil::date(2026, 11, 23);
    let old_week = jiff::civil::date(2016, 12, 19);
    for week in [this_week, old_week] {
        let span = tracker.calendar(week, 7, &tz).unwrap();
        assert!(span.entries.len() > 50, "{week}: {}", span.entries.len());
    }
    let mut group = c.benchmark_group("calendar week out of 100k");
    group.bench_function("this week", |b| {
        b.iter(|| tracker.calendar(this_week, 7, &tz).unwrap())
    });
    group.bench_function("ten years back", |b| {
        b.iter(|| tracker.calendar(old_week, 7, &tz).unwrap())
    });
    group.finish();
}

/// The same cycle with usage statistics allowed: each event is one more
/// committed write to the outbox (the network is the sender's business;
/// `--bench telemetry_cost` measures the outbox sent and full).
fn start_stop_with_telemetry(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut tracker = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    common::allow_usage_statistics(&mut tracker);
    let project = tracker.create_project("Bench", None).unwrap();
    c.bench_function("timer start+stop, usage statistics on", |b| {
        b.iter(|| {
            tracker.start_timer(Some(project.id), "bench").unwrap();
            tracker.stop_timer().unwrap();
        })
    });
}

criterion_group!(
    benches,
    start_stop,
    start_stop_with_telemetry,
    list_one_day,
    entries_pages,
    calendar_week
);
criterion_main!(benches);
