//! What the scrubber costs on the crash path, with ten years of history in
//! which every description is different (the worst case: every one becomes
//! a term to look for).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use sentry::protocol::{Breadcrumb, Event, Exception, Frame, Stacktrace};
use timetracker_core::crash::{self, scrub::Scrubber};
use timetracker_core::{SystemClock, Tracker};

fn panic_event() -> Event<'static> {
    let frames = (0..60)
        .map(|i| Frame {
            function: Some(format!("timetracker_core::module{i}::function{i}")),
            abs_path: Some(format!("/home/jdoe/src/tt/crates/core/src/m{i}.rs")),
            ..Default::default()
        })
        .collect();
    let mut event = Event {
        message: Some("called `Option::unwrap()` on a `None` value".into()),
        ..Default::default()
    };
    event.exception.values.push(Exception {
        ty: "panic".into(),
        value: Some("task 4711 for client: index out of range at /home/jdoe/x".into()),
        stacktrace: Some(Stacktrace {
            frames,
            ..Default::default()
        }),
        ..Default::default()
    });
    for i in 0..20 {
        event.breadcrumbs.values.push(Breadcrumb {
            message: Some(format!("command.failed {i}")),
            ..Default::default()
        });
    }
    event
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    drop(Tracker::open_in_dir(tmp.path(), Arc::new(SystemClock)).unwrap());
    let db = timetracker_core::config::database_path(tmp.path());
    common::seed(&db, jiff::Timestamp::now());
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("UPDATE time_entries SET description = 'task ' || id || ' for client'")
        .unwrap();
    let scrubber = Scrubber::new(
        Some("/home/jdoe".into()),
        Some("jdoe".into()),
        Some("jdoe-laptop".into()),
        Some(db),
    );
    let terms_db = timetracker_core::config::database_path(tmp.path());
    c.bench_function("read the terms (100k distinct descriptions)", |b| {
        b.iter(|| timetracker_core::crash::scrub::sensitive_terms(&terms_db))
    });
    let event = panic_event();
    let clean = scrubber.event(&event).unwrap();
    assert!(clean.exception.values[0]
        .value
        .as_deref()
        .unwrap()
        .starts_with("[redacted]"));
    c.bench_function("scrub a panic event (100k distinct descriptions)", |b| {
        b.iter(|| scrubber.event(&event))
    });
    let crumb = Breadcrumb {
        message: Some("opened /home/jdoe/x on jdoe-laptop".into()),
        ..Default::default()
    };
    c.bench_function("scrub a breadcrumb", |b| {
        b.iter(|| scrubber.breadcrumb(&crumb))
    });

    // What crash reporting adds to every UI command: off, then on (no
    // traces). The DSN points at a closed port; nothing is captured here.
    c.bench_function("command scope, reports off", |b| {
        b.iter(|| crash::scoped("bench", "id", || Ok::<_, ()>(())))
    });
    let env = |k: &str| (k == "SENTRY_DSN").then(|| "http://k@127.0.0.1:9/1".to_owned());
    let config = crash::CrashConfig::from_lookup(env);
    let quiet = Scrubber::new(None, None, None, None);
    let reporter = crash::CrashReporter::with_parts(config, tmp.path(), quiet).install();
    reporter.apply(true, "bench");
    c.bench_function("command scope, reports on", |b| {
        b.iter(|| crash::scoped("bench", "id", || Ok::<_, ()>(())))
    });
    reporter.apply(false, "bench");
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
