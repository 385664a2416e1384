//! Crash reports from the real app to a local stand-in for Sentry's envelope
//! endpoint: a panic in a command, no consent, offline then online, and the
//! Settings button that sends a test error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use timetracker_e2e::{free_port, App, Receiver, SERIAL};

const PROJECT: &str = "Walrus Bioacoustics GmbH";
const DESCRIPTION: &str = "narwhal-tangerine-4417";
const USER: &str = "tt-walrus-3391";

/// A home folder named after a distinctive user, with the data inside it,
/// so a leaked path or user name would show in what Sentry receives.
fn fake_home() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home").join(USER);
    let data = home.join(".local/share/timetracker");
    std::fs::create_dir_all(&data).unwrap();
    (tmp, home, data)
}

fn env(home: &Path, port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("SENTRY_DSN", format!("http://e2ekey@127.0.0.1:{port}/42")),
        ("SENTRY_ENVIRONMENT", "e2e".to_owned()),
        ("TIMETRACKER_TEST_HOOKS", "1".to_owned()),
        ("HOME", home.display().to_string()),
        ("USER", USER.to_owned()),
    ]
}

async fn launch(data: &Path, pairs: &[(&'static str, String)]) -> App {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    App::launch_with_env(data, &refs).await
}

async fn answer_consent(app: &App, crash_reports: bool) {
    app.wait_for("consent-dialog").await;
    if crash_reports {
        app.click("consent-crash-reports").await;
        app.click("consent-save").await;
    } else {
        app.click("consent-decline").await;
    }
    // The answer is saved off the main thread; the dialog closes when it is.
    app.wait_for_count("consent-dialog", 0).await;
}

async fn track_something(app: &App) {
    app.click("nav-projects").await;
    app.fill("project-name-input", PROJECT).await;
    app.click("project-create").await;
    app.wait_for_count("project-row", 1).await;
    app.click("nav-timer").await;
    app.fill("timer-description", DESCRIPTION).await;
    app.select_project(PROJECT).await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
}

/// Calls the test hook that panics inside a command; the app dies with it.
async fn crash(app: App) {
    let _ = app
        .client
        .execute(
            "window.__TAURI_INTERNALS__.invoke('crash_test_panic'); return true;",
            vec![],
        )
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while app.app_pid().is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "the app did not crash"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.after_exit().await;
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_owned()
}

fn log_lines(data: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(data.join("logs/app.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn cached(data: &Path) -> usize {
    std::fs::read_dir(data.join("crash-reports"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "envelope"))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_in_a_command_arrives_once_scrubbed_and_tagged_with_its_request() {
    let _serial = SERIAL.lock().await;
    let receiver = Receiver::start();
    let (_tmp, home, data) = fake_home();
    let pairs = env(&home, receiver.port());

    let app = launch(&data, &pairs).await;
    answer_consent(&app, true).await;
    track_something(&app).await;
    crash(app).await;

    receiver.wait_for_requests(1, Duration::from_secs(20));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let items = receiver.envelope_items();
    let events: Vec<_> = items
        .iter()
        .filter(|(h, _)| h["type"] == "event")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(events.len(), 1, "{items:?}");
    let event = events[0];
    let exception = &event["exception"]["values"][0];
    assert_eq!(exception["type"], "panic");
    assert!(exception["value"]
        .as_str()
        .unwrap()
        .starts_with("test panic (TIMETRACKER_TEST_HOOKS)"));
    assert_eq!(
        event["release"],
        format!("timetracker@{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(event["environment"], "e2e");
    assert_eq!(event["tags"]["command"], "crash_test_panic");
    assert_eq!(event["user"]["id"].as_str().unwrap().len(), 64);

    // The tag leads to the crash's lines in the log.
    let request_id = event["tags"]["request_id"].as_str().unwrap();
    let lines = log_lines(&data);
    let panicked = lines
        .iter()
        .find(|l| l["message"] == "app.panicked")
        .expect("no app.panicked line");
    assert_eq!(panicked["request_id"], request_id);

    // Nothing personal went out, anywhere in the envelope.
    let raw: String = receiver.requests().into_iter().map(|r| r.body).collect();
    for secret in [
        PROJECT,
        DESCRIPTION,
        &home.display().to_string(),
        USER,
        &hostname(),
    ] {
        assert!(!raw.contains(secret), "{secret:?} was sent: {raw}");
    }
    assert!(!raw.contains("server_name"), "{raw}");
    assert_eq!(cached(&data), 0, "a delivered report stays cached");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_consent_not_one_request_even_after_a_panic() {
    let _serial = SERIAL.lock().await;
    let receiver = Receiver::start();
    let (_tmp, home, data) = fake_home();
    let pairs = env(&home, receiver.port());

    let app = launch(&data, &pairs).await;
    answer_consent(&app, false).await;
    track_something(&app).await;
    crash(app).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(receiver.requests().is_empty(), "{:?}", receiver.requests());
    assert_eq!(cached(&data), 0);
    // The crash itself is still in the local log.
    assert!(log_lines(&data)
        .iter()
        .any(|l| l["message"] == "app.panicked"));
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_reports_wait_and_arrive_once_at_the_next_launch_and_the_test_button_tells() {
    let _serial = SERIAL.lock().await;
    let port = free_port();
    let (_tmp, home, data) = fake_home();
    let pairs = env(&home, port);

    // Nothing listens on the DSN's port: the button says so, clearly.
    let app = launch(&data, &pairs).await;
    answer_consent(&app, true).await;
    app.open_settings("privacy").await;
    app.click("settings-send-test-error").await;
    let text = app
        .wait_for_text("settings-test-error-result", |t| !t.is_empty())
        .await;
    assert!(text.starts_with("Sentry could not be reached"), "{text}");
    let result = app.wait_for("settings-test-error-result").await;
    assert_eq!(
        result.attr("data-ok").await.unwrap().as_deref(),
        Some("false")
    );
    track_something(&app).await;
    crash(app).await;
    assert_eq!(cached(&data), 1, "the report waits on disk");

    // Next launch, Sentry is back: the report arrives, once.
    let receiver = Receiver::start_on(port);
    let app = launch(&data, &pairs).await;
    receiver.wait_for_requests(1, Duration::from_secs(20));
    let items = receiver.envelope_items();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].1["exception"]["values"][0]["type"], "panic");

    // And the button now reports success against the receiver.
    app.open_settings("privacy").await;
    app.click("settings-send-test-error").await;
    let text = app
        .wait_for_text("settings-test-error-result", |t| {
            t.starts_with("Sentry accepted")
        })
        .await;
    assert!(text.contains("event "), "{text}");
    app.quit().await;
    assert_eq!(cached(&data), 0);

    // A third launch sends nothing again.
    let app = launch(&data, &pairs).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.quit().await;
    let panics = receiver
        .envelope_items()
        .iter()
        .filter(|(_, p)| p["exception"]["values"][0]["type"] == "panic")
        .count();
    assert_eq!(panics, 1, "sent more than once");
    assert_eq!(receiver.count(), 2, "the panic and the test error");
}
