//! The privacy promises, checked on what a loopback receiver standing in
//! for PostHog and Sentry actually received: a reset leaves no link to the
//! old id, a report whose scrubbing cannot be done waits instead of going
//! out, and debug mode sends nothing at all.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use timetracker_core::crash::scrub::Scrubber;
use timetracker_core::crash::{CrashConfig, CrashReporter};
use timetracker_core::telemetry::{sender, Telemetry, TelemetryConfig};
use timetracker_core::{SystemClock, Tracker};
use timetracker_test_support::Receiver;

const PROJECT: &str = "Wolverhampton Quillworks";
const DESCRIPTION: &str = "Call \"Bob\" about café";

fn telemetry(receiver: &Receiver, sentry: &Receiver) -> Arc<Telemetry> {
    let env: HashMap<&str, String> = HashMap::from([
        ("POSTHOG_API_KEY", "phc_privacy".to_owned()),
        ("POSTHOG_HOST", receiver.url()),
        ("SENTRY_DSN", sentry.sentry_dsn("privkey", 7)),
    ]);
    Telemetry::new(TelemetryConfig::from_lookup(|k| env.get(k).cloned()))
}

fn reporter(data: &Path, receiver: &Receiver, extra: &[(&str, &str)]) -> Arc<CrashReporter> {
    let mut env: HashMap<String, String> =
        HashMap::from([("SENTRY_DSN".to_owned(), receiver.sentry_dsn("privkey", 7))]);
    for (k, v) in extra {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = CrashConfig::from_lookup(|k| env.get(k).cloned());
    let scrubber = Scrubber::new(
        None,
        None,
        None,
        Some(timetracker_core::config::database_path(data)),
    );
    CrashReporter::with_parts(config, data, scrubber)
}

fn ids(events: &[serde_json::Value]) -> (Vec<String>, Vec<String>) {
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    (
        events.iter().map(|e| text(&e["distinct_id"])).collect(),
        events
            .iter()
            .map(|e| text(&e["properties"]["$session_id"]))
            .collect(),
    )
}

#[test]
fn after_a_reset_nothing_sent_carries_the_old_id_or_the_old_session() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start();
    // Sentry is down (503): what it was sent stays cached for a retry.
    let sentry = Receiver::start();
    sentry.set_status(503);
    let tel = telemetry(&receiver, &sentry);
    let mut t = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    tel.attach(&mut t).unwrap();
    sender::start(&tel, timetracker_core::config::database_path(dir.path()));
    tel.set_consent(&mut t, true, true).unwrap();
    let p = t.create_project(PROJECT, None).unwrap();
    assert!(tel.flush(Duration::from_secs(10)));
    let before = receiver.events();
    let (old_ids, old_sessions) = ids(&before);
    let (old_id, old_session) = (old_ids[0].clone(), old_sessions[0].clone());
    assert!(!old_session.is_empty());
    assert!(old_ids.iter().all(|i| *i == old_id));
    assert!(old_sessions.iter().all(|s| *s == old_session));

    // Events queued with the old id and not yet sent when the user resets.
    t.start_timer(Some(p.id), DESCRIPTION).unwrap();
    t.stop_timer().unwrap();
    // And a crash report cached with the old id as its user.
    let crash = reporter(dir.path(), &sentry, &[]);
    tel.attach_crash_reporter(crash.clone());
    assert!(crash.is_active());
    crash.cache().store(b"{}\n").unwrap();

    let requests_before = receiver.count();
    tel.reset_anonymous_id(&mut t).unwrap();
    assert!(crash.cache().list().is_empty(), "cached reports survived");
    t.start_timer(Some(p.id), DESCRIPTION).unwrap();
    t.stop_timer().unwrap();
    assert!(tel.flush(Duration::from_secs(10)));

    let after = &receiver.events()[before.len()..];
    assert!(after.iter().any(|e| e["event"] == "timer.started"));
    let (new_ids, new_sessions) = ids(after);
    for (id, session) in new_ids.iter().zip(&new_sessions) {
        assert_ne!(*id, old_id, "the old distinct id was sent after the reset");
        assert_ne!(
            *session, old_session,
            "the old session was sent after the reset"
        );
        assert!(!session.is_empty());
    }
    assert_eq!(tel.session_id(), new_sessions[0]);
    // Nothing at all (batches, flag requests) after the reset names them.
    for request in &receiver.requests()[requests_before..] {
        assert!(!request.body.contains(&old_id), "{}", request.body);
        assert!(!request.body.contains(&old_session), "{}", request.body);
    }
    tel.shutdown(Duration::from_secs(2));
}

#[test]
fn a_report_waits_on_disk_unsent_while_the_words_cannot_be_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let db = timetracker_core::config::database_path(dir.path());
    // A damaged database: the user's words cannot be read.
    std::fs::write(&db, vec![b'#'; 8192]).unwrap();
    let receiver = Receiver::start();
    let r = reporter(dir.path(), &receiver, &[]);
    r.apply(true, "anon-held");
    r.bind_current();
    sentry::capture_message(
        &format!("while renaming {} to {DESCRIPTION}", PROJECT.to_uppercase()),
        sentry::Level::Error,
    );
    assert!(r.flush(Duration::from_secs(5)));
    assert_eq!(receiver.count(), 0, "sent unscrubbed");
    assert_eq!(r.cache().list_held().len(), 1);
    let held = std::fs::read_to_string(&r.cache().list_held()[0]).unwrap();
    assert!(held.contains("anon-held"));

    // The database is readable again: the report goes, scrubbed, once.
    std::fs::remove_file(&db).unwrap();
    let mut t = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    t.create_project(PROJECT, None).unwrap();
    t.start_timer(None, DESCRIPTION).unwrap();
    assert!(r.flush(Duration::from_secs(5)));
    receiver.wait_for_requests(1, Duration::from_secs(10));
    assert!(r.flush(Duration::from_secs(5)));
    assert_eq!(receiver.count(), 1);
    assert!(r.cache().list_held().is_empty() && r.cache().list().is_empty());
    let event = &receiver.sentry_events()[0];
    assert_eq!(
        event["message"], "while renaming [redacted] to [redacted]",
        "{event}"
    );
    assert_eq!(event["user"]["id"], "anon-held");
    r.apply(false, "anon-held");
}

#[test]
fn debug_mode_sends_no_crash_report_and_keeps_it_to_read() {
    let dir = tempfile::tempdir().unwrap();
    drop(Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap());
    let receiver = Receiver::start();
    let r = reporter(
        dir.path(),
        &receiver,
        &[("TIMETRACKER_TELEMETRY_DEBUG", "1")],
    );
    // A report left by an earlier run without debug mode stays unsent too.
    r.cache().store(b"{}\n{\"type\":\"event\"}\n{}\n").unwrap();
    r.apply(true, "anon-debug");
    r.bind_current();
    sentry::capture_message("debug mode report", sentry::Level::Error);
    assert!(r.flush(Duration::from_secs(5)));
    let result = r.send_test_error();
    assert!(format!("{result:?}").contains("not sent"), "{result:?}");
    let kept: Vec<String> = r
        .cache()
        .list_debug()
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        kept.iter().any(|k| k.contains("debug mode report")),
        "{kept:?}"
    );
    assert_eq!(r.cache().list().len(), 1, "the earlier report stays cached");
    r.apply(false, "anon-debug");
    assert_eq!(
        receiver.count(),
        0,
        "debug mode sent {:?}",
        receiver.paths()
    );
}
