//! Telemetry against a local receiver that speaks PostHog's batch endpoint
//! over real HTTP on loopback: what arrives, when, and when nothing does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use timetracker_core::telemetry::{sender, Telemetry, TelemetryConfig};
use timetracker_core::{SystemClock, Tracker};
use timetracker_test_support::Receiver;

const PROJECT: &str = "Quetzalcoatl Pharmaceuticals";
const DESCRIPTION: &str = "xylophone-grapefruit-7731";

struct Setup {
    _dir: tempfile::TempDir,
    tracker: Tracker,
    telemetry: Arc<Telemetry>,
}

fn setup(host: SocketAddr, extra: &[(&str, &str)]) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut env: HashMap<String, String> = HashMap::from([
        ("POSTHOG_API_KEY".into(), "phc_test_key".into()),
        ("POSTHOG_HOST".into(), format!("http://{host}")),
    ]);
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    let config = TelemetryConfig::from_lookup(|k| env.get(k).cloned());
    let telemetry = Telemetry::new(config);
    let mut tracker = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    telemetry.clone().attach(&mut tracker).unwrap();
    sender::start(
        &telemetry,
        timetracker_core::config::database_path(dir.path()),
    );
    Setup {
        _dir: dir,
        tracker,
        telemetry,
    }
}

/// A whole session of use: projects, timers, a rename, an archive.
fn use_the_app(t: &mut Tracker) {
    let p = t.create_project(PROJECT, None).unwrap();
    t.start_timer(Some(p.id), DESCRIPTION).unwrap();
    t.stop_timer().unwrap();
    t.rename_project(p.id, &format!("{PROJECT} II")).unwrap();
    t.start_timer(None, DESCRIPTION).unwrap();
    t.stop_timer().unwrap();
    t.archive_project(p.id).unwrap();
}

fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

#[test]
fn without_consent_nothing_is_queued_or_sent() {
    let receiver = Receiver::start();
    let addr = receiver.addr();
    let mut s = setup(addr, &[]);
    let status = s.telemetry.status(&s.tracker).unwrap();
    assert!(status.needs_consent && status.configured);
    use_the_app(&mut s.tracker);
    assert_eq!(s.telemetry.status(&s.tracker).unwrap().queued, 0);
    s.telemetry.flush(Duration::from_secs(5));
    s.telemetry.shutdown(Duration::from_secs(2));
    assert_eq!(receiver.count(), 0);
}

#[test]
fn with_usage_consent_the_catalogue_events_arrive_anonymously() {
    let receiver = Receiver::start();
    let addr = receiver.addr();
    let mut s = setup(addr, &[]);
    let status = s
        .telemetry
        .set_consent(&mut s.tracker, false, true)
        .unwrap();
    assert!(!status.needs_consent);
    use_the_app(&mut s.tracker);
    assert!(s.telemetry.flush(Duration::from_secs(10)));

    let events = receiver.events();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    for wanted in [
        "app.installed",
        "app.active",
        "$groupidentify",
        "settings.updated",
        "project.created",
        "project.updated",
        "project.archived",
        "timer.started",
        "timer.stopped",
    ] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    let anonymous = s.telemetry.status(&s.tracker).unwrap().anonymous_id;
    for event in &events {
        let id = event["distinct_id"].as_str().unwrap();
        assert_eq!(id.len(), 64);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(id, anonymous);
        assert_eq!(event["properties"]["$geoip_disable"], true);
        assert!(event["uuid"].is_string() && event["timestamp"].is_string());
    }
    for batch in receiver.batches() {
        assert_eq!(batch["api_key"], "phc_test_key");
        let text = batch.to_string();
        assert!(!text.contains("Quetzalcoatl"), "project name sent: {text}");
        assert!(!text.contains("xylophone"), "description sent: {text}");
    }
    let started = events
        .iter()
        .find(|e| e["event"] == "timer.started")
        .unwrap();
    assert_eq!(started["properties"]["has_description"], true);
    assert_eq!(
        started["properties"]["$groups"]["platform"],
        std::env::consts::OS
    );
    // Delivered events left the outbox for the sent log.
    let inspection = s.telemetry.inspection(&s.tracker).unwrap();
    assert!(inspection.queued.is_empty());
    assert_eq!(inspection.sent.len(), events.len());
}

#[test]
fn events_queued_while_the_receiver_is_down_arrive_exactly_once() {
    let addr = free_addr(); // nothing listens here yet
    let mut s = setup(addr, &[]);
    s.telemetry
        .set_consent(&mut s.tracker, false, true)
        .unwrap();
    use_the_app(&mut s.tracker);
    assert!(
        !s.telemetry.flush(Duration::from_secs(5)),
        "sent to nobody?"
    );
    let queued = s.telemetry.status(&s.tracker).unwrap().queued as usize;
    assert!(queued >= 8, "queued {queued}");

    let receiver = Receiver::start_on(addr.port());
    assert!(s.telemetry.flush(Duration::from_secs(10)));
    assert!(s.telemetry.flush(Duration::from_secs(5)));
    let events = receiver.events();
    assert_eq!(events.len(), queued);
    let mut uuids: Vec<&str> = events.iter().map(|e| e["uuid"].as_str().unwrap()).collect();
    uuids.sort();
    uuids.dedup();
    assert_eq!(uuids.len(), queued, "an event arrived twice");
    assert_eq!(s.telemetry.status(&s.tracker).unwrap().queued, 0);
}

#[test]
fn a_failing_or_hanging_receiver_never_holds_up_a_command() {
    for failing in [true, false] {
        let receiver = Receiver::start();
        if failing {
            receiver.set_status(500);
        } else {
            receiver.set_delay(Duration::from_secs(30));
        }
        let addr = receiver.addr();
        let s = setup(addr, &[]);
        let telemetry = s.telemetry.clone();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        let mut tracker = s.tracker;
        let consent = telemetry.clone();
        let worker = std::thread::spawn(move || {
            consent.set_consent(&mut tracker, false, true).unwrap();
            let start = Instant::now();
            for _ in 0..60 {
                // More than a batch: the sender is kicked and posts while
                // we go on.
                tracker.start_timer(None, "").unwrap();
                tracker.stop_timer().unwrap();
            }
            done_tx.send(start.elapsed()).unwrap();
            tracker
        });
        // The receiver takes 30 s per request when slow; commands that
        // waited on it would not be done in 20 s.
        let took = done_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("commands waited on the network");
        assert!(took < Duration::from_secs(20));
        let tracker = worker.join().unwrap();
        if failing {
            telemetry.flush(Duration::from_secs(5));
            assert!(receiver.count() >= 1, "the sender never tried");
            // Refused batches stay queued for a later retry.
            assert!(telemetry.status(&tracker).unwrap().queued > 0);
        }
        drop(tracker);
        // Exit waits for the network at most as long as it is told to (the
        // slow receiver would hold a request for 30 s).
        let start = Instant::now();
        telemetry.shutdown(Duration::from_secs(2));
        assert!(start.elapsed() < Duration::from_secs(8), "exit held up");
    }
}

#[test]
fn opting_out_empties_the_outbox_and_stops_all_requests() {
    let receiver = Receiver::start();
    let addr = receiver.addr();
    let mut s = setup(addr, &[]);
    s.telemetry.set_consent(&mut s.tracker, true, true).unwrap();
    use_the_app(&mut s.tracker);
    assert!(s.telemetry.status(&s.tracker).unwrap().queued > 0);
    let status = s
        .telemetry
        .set_consent(&mut s.tracker, true, false)
        .unwrap();
    assert_eq!(status.queued, 0);
    let before = receiver.count();
    use_the_app(&mut s.tracker);
    s.telemetry.flush(Duration::from_secs(5));
    s.telemetry.shutdown(Duration::from_secs(2));
    assert_eq!(receiver.count(), before);
    assert_eq!(s.telemetry.status(&s.tracker).unwrap().queued, 0);
}

#[test]
fn enable_telemetry_false_and_do_not_track_override_a_yes() {
    for env in [[("ENABLE_TELEMETRY", "false")], [("DO_NOT_TRACK", "1")]] {
        let receiver = Receiver::start();
        let addr = receiver.addr();
        let mut s = setup(addr, &env);
        let status = s.telemetry.status(&s.tracker).unwrap();
        assert!(!status.needs_consent, "{env:?}: no dialog");
        assert!(status.forced_off.is_some());
        s.telemetry.set_consent(&mut s.tracker, true, true).unwrap();
        use_the_app(&mut s.tracker);
        s.telemetry.flush(Duration::from_secs(3));
        s.telemetry.shutdown(Duration::from_secs(1));
        assert_eq!(receiver.count(), 0, "{env:?}");
        assert_eq!(s.telemetry.status(&s.tracker).unwrap().queued, 0);
    }
}

#[test]
fn resetting_the_anonymous_id_changes_what_is_sent() {
    let receiver = Receiver::start();
    let addr = receiver.addr();
    let mut s = setup(addr, &[]);
    s.telemetry
        .set_consent(&mut s.tracker, false, true)
        .unwrap();
    let before = s.telemetry.status(&s.tracker).unwrap().anonymous_id;
    let after = s
        .telemetry
        .reset_anonymous_id(&mut s.tracker)
        .unwrap()
        .anonymous_id;
    assert_ne!(before, after);
    assert_eq!(after.len(), 64);
    s.tracker.create_project("After reset", None).unwrap();
    assert!(s.telemetry.flush(Duration::from_secs(10)));
    assert!(receiver
        .events()
        .iter()
        .all(|e| e["distinct_id"] == after.as_str()));
}

#[test]
fn the_sent_id_is_sha256_of_salt_then_install_id() {
    assert_eq!(
        timetracker_core::telemetry::distinct_id("salt", "install"),
        sha256_hex("saltinstall")
    );
}

fn sha256_hex(text: &str) -> String {
    let out = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
fn feature_flags_need_consent_and_the_kill_switch_turns_metrics_off() {
    use timetracker_core::metrics::{Metrics, MetricsControl};
    use timetracker_core::settings::MetricsSettings;
    use timetracker_core::telemetry::flags::Flag;

    let receiver = Receiver::start();
    receiver.set_flags(serde_json::json!({ "metrics-endpoint": false }));
    let addr = receiver.addr();
    let mut s = setup(addr, &[]);
    let dir = tempfile::tempdir().unwrap();
    let mut control = MetricsControl::new(Metrics::new(), dir.path().into(), None);
    // As the composition root connects them.
    let telemetry = s.telemetry.clone();
    control.set_kill_switch(Box::new(move |t| telemetry.flag(t, Flag::MetricsEndpoint)));
    let port = free_addr().port();
    let on = MetricsSettings {
        enabled: true,
        port,
        per_project: false,
    };

    // No consent: flags are never asked for; the default (on) applies.
    s.telemetry.flush(Duration::from_secs(3));
    assert!(receiver.paths().iter().all(|p| p != "/flags/"));
    assert!(s.telemetry.flag(&s.tracker, Flag::MetricsEndpoint));
    let status = control.configure(&mut s.tracker, &on).unwrap();
    assert!(status.url.is_some(), "{status:?}");

    // With consent the flag is fetched, cached with its time, and obeyed.
    s.telemetry
        .set_consent(&mut s.tracker, false, true)
        .unwrap();
    assert!(s.telemetry.flush(Duration::from_secs(10)));
    let paths = receiver.paths();
    assert!(paths.iter().any(|p| p == "/flags/"), "{paths:?}");
    assert!(paths.iter().all(|p| !p.starts_with("/decide")), "{paths:?}");
    let asked = receiver.requests();
    let flags = asked.iter().find(|r| r.path == "/flags/").unwrap();
    assert_eq!(flags.query.as_deref(), Some("v=2"));
    let body = flags.json();
    assert_eq!(body["api_key"], "phc_test_key");
    assert_eq!(
        body["distinct_id"],
        s.telemetry.status(&s.tracker).unwrap().anonymous_id
    );
    let cache = timetracker_core::telemetry::flags::flag_cache(&s.tracker).unwrap();
    assert!(!cache.fetched_at.is_empty());
    assert!(!s.telemetry.flag(&s.tracker, Flag::MetricsEndpoint));
    let status = control.start(&s.tracker).unwrap();
    assert!(status.url.is_none());
    assert_eq!(status.error.unwrap().code, "metrics.disabled_remotely");

    // Withdrawing consent brings the compiled-in default back.
    s.telemetry
        .set_consent(&mut s.tracker, false, false)
        .unwrap();
    assert!(s.telemetry.flag(&s.tracker, Flag::MetricsEndpoint));
}

#[test]
fn debug_mode_logs_payloads_and_sends_nothing() {
    let receiver = Receiver::start();
    let addr = receiver.addr();
    let mut s = setup(addr, &[("TIMETRACKER_TELEMETRY_DEBUG", "1")]);
    s.telemetry
        .set_consent(&mut s.tracker, false, true)
        .unwrap();
    use_the_app(&mut s.tracker);
    assert!(s.telemetry.status(&s.tracker).unwrap().queued > 0);
    assert!(s.telemetry.flush(Duration::from_secs(5)));
    assert_eq!(receiver.count(), 0, "{:?}", receiver.paths());
    // Printed, then let go: nothing piles up either.
    assert_eq!(s.telemetry.status(&s.tracker).unwrap().queued, 0);
}
