//! Crash reports against a local receiver that speaks Sentry's envelope
//! endpoint over real HTTP: what arrives, what never does, and what waits on
//! disk while the receiver is down. One process-wide reporter (the panic hook
//! is global), so the scenarios run in order inside one test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use timetracker_core::crash::scrub::Scrubber;
use timetracker_core::crash::{self, CrashConfig, CrashReporter, TestResult};
use timetracker_core::{log_event, logging, SystemClock, Tracker};
use timetracker_test_support::Receiver;

const PROJECT: &str = "Zebracorn Analytics";
const DESCRIPTION: &str = "quokka-meridian-8841";
const HOME: &str = "/home/tt-ferret-5521";
const USER: &str = "tt-ferret-5521";
const HOST: &str = "ws-aardvark-77";

/// The event payloads received, in order; every envelope must have come to
/// project 42's endpoint with the DSN's key.
fn events(receiver: &Receiver) -> Vec<Value> {
    for request in receiver.requests() {
        assert_eq!(request.path, "/api/42/envelope/");
        let auth = request.header("x-sentry-auth").unwrap_or_default();
        assert!(auth.contains("sentry_key=testkey"), "{auth}");
    }
    receiver.sentry_events()
}

/// Each envelope's body as it arrived.
fn raw(receiver: &Receiver) -> Vec<String> {
    receiver.requests().into_iter().map(|r| r.body).collect()
}

fn wait_for(receiver: &Receiver, n: usize) {
    receiver.wait_for_requests(n, Duration::from_secs(15));
}

fn reporter(data: &std::path::Path, port: u16) -> Arc<CrashReporter> {
    let env = move |k: &str| match k {
        "SENTRY_DSN" => Some(format!("http://testkey@127.0.0.1:{port}/42")),
        "APP_VERSION" => Some("9.8.7".to_owned()),
        "SENTRY_ENVIRONMENT" => Some("e2e".to_owned()),
        "SENTRY_TRACES_RATE" => Some("1".to_owned()),
        _ => None,
    };
    let config = CrashConfig::from_lookup(env);
    let scrubber = Scrubber::new(
        Some(HOME.into()),
        Some(USER.into()),
        Some(HOST.into()),
        Some(timetracker_core::config::database_path(data)),
    );
    CrashReporter::with_parts(config, data, scrubber)
}

fn assert_clean(raw: &str) {
    for secret in [PROJECT, DESCRIPTION, HOME, USER, HOST] {
        assert!(!raw.contains(secret), "{secret:?} leaked: {raw}");
    }
    assert!(!raw.contains("\"server_name\""), "server_name sent: {raw}");
}

fn panic_in_thread(message: String) {
    let joined = std::thread::spawn(move || panic!("{message}")).join();
    assert!(joined.is_err());
}

#[test]
fn crash_reports_end_to_end_on_loopback() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_path_buf();
    let mut tracker = Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap();
    let project = tracker.create_project(PROJECT, None).unwrap();
    tracker.start_timer(Some(project.id), DESCRIPTION).unwrap();
    let receiver = Receiver::start();

    // No consent: nothing goes, not even a panic.
    let r = reporter(&data, receiver.port()).install();
    r.apply(false, "anon-1");
    panic_in_thread(format!("no consent {PROJECT}"));
    assert_eq!(r.send_test_error(), TestResult::NoConsent);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.count(), 0);

    // Consent: a panic on another thread arrives, scrubbed, with context.
    r.apply(true, "anon-1");
    panic_in_thread(format!(
        "index out of range for {PROJECT} / {DESCRIPTION} at {HOME}/.local/share/tt on {HOST} as {USER}"
    ));
    wait_for(&receiver, 1);
    let event = &events(&receiver)[0];
    let exception = &event["exception"]["values"][0];
    assert_eq!(exception["type"], "panic");
    let value = exception["value"].as_str().unwrap();
    assert!(
        value.starts_with("index out of range for [redacted] / [redacted] at ~/.local"),
        "{value}"
    );
    assert!(
        value.contains("[host]") && value.contains("[user]"),
        "{value}"
    );
    assert_eq!(event["release"], "timetracker@9.8.7");
    assert_eq!(event["environment"], "e2e");
    assert_eq!(event["user"]["id"], "anon-1");
    assert!(event["contexts"]["os"]["name"].is_string(), "{event}");
    assert!(exception["stacktrace"]["frames"]
        .as_array()
        .is_some_and(|f| !f.is_empty()));
    assert_clean(&raw(&receiver)[0]);
    assert!(r.cache().list().is_empty(), "sent reports leave the cache");

    // An error logged inside a command: tags lead to the log line; the
    // warning before it rides along as a breadcrumb.
    let writer = Arc::new(logging::LogWriter::start(logging::WriterConfig::new(
        data.join("logs"),
    )));
    let subscriber = logging::subscriber(
        writer.clone(),
        tracing::level_filters::LevelFilter::INFO,
        Some(timetracker_core::crash::log_layer()),
    );
    tracing::subscriber::with_default(subscriber, || {
        let request_id = logging::new_request_id();
        let _span = logging::request_span_with_id("timer_stop", &request_id).entered();
        let result: Result<(), ()> = crash::scoped("timer_stop", &request_id, || {
            log_event!(warn, "command.failed", code = "entry.not_found");
            log_event!(
                error,
                "ui.error",
                kind = "error",
                ui_message = format!("{PROJECT} broke")
            );
            Err(())
        });
        assert!(result.is_err());
        wait_for(&receiver, 3); // the event, then the command's transaction
        let events = events(&receiver);
        let error = events.last().unwrap();
        assert_eq!(error["tags"]["command"], "timer_stop");
        assert_eq!(error["tags"]["request_id"], request_id.as_str());
        // Sentry leaves out the default level, "error".
        assert!(
            error["level"].is_null() || error["level"] == "error",
            "{error}"
        );
        let crumbs = error["breadcrumbs"]["values"].as_array().unwrap();
        assert!(
            crumbs.iter().any(|c| c["message"] == "command.failed"),
            "{crumbs:?}"
        );
        let raw = raw(&receiver).join("\n");
        assert_clean(&raw);
        assert!(
            raw.contains("\"type\":\"transaction\""),
            "no transaction: {raw}"
        );
        assert!(raw.contains("\"transaction\":\"timer_stop\""), "{raw}");
    });
    writer.flush(Duration::from_secs(2));

    // "Send test error" with the receiver up.
    let before = receiver.count();
    match r.send_test_error() {
        TestResult::Accepted { event_id } => assert_eq!(event_id.len(), 32),
        other => panic!("{other:?}"),
    }
    assert_eq!(receiver.count(), before + 1);

    // Saying no closes the client at once and leaves nothing on disk.
    r.apply(false, "anon-1");
    let before = receiver.count();
    panic_in_thread("after withdrawal".into());
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.count(), before);
    assert!(!r.cache().dir().exists());
}

#[test]
fn offline_reports_wait_on_disk_and_arrive_once_at_the_next_launch() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_path_buf();
    drop(Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap());
    // A port that nothing listens on (yet).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let offline = reporter(&data, port);
    offline.apply(true, "anon-2");
    match offline.send_test_error() {
        TestResult::NetworkError { message } => assert!(!message.is_empty()),
        other => panic!("{other:?}"),
    }
    assert!(
        offline.cache().list().is_empty(),
        "test errors are never cached"
    );
    offline.bind_current();
    sentry::capture_message("offline report", sentry::Level::Error);
    offline.flush(Duration::from_secs(5));
    assert_eq!(offline.cache().list().len(), 1);

    // Next launch, receiver up on the same port.
    let receiver = Receiver::start_on(port);
    let next = reporter(&data, port);
    next.apply(true, "anon-2");
    wait_for(&receiver, 1);
    next.flush(Duration::from_secs(5));
    assert!(next.cache().list().is_empty());
    let third = reporter(&data, port);
    third.apply(true, "anon-2");
    third.flush(Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.count(), 1, "sent once");
    assert_eq!(events(&receiver)[0]["message"], "offline report");
}
