//! Consent and telemetry in the real app, against a local PostHog stand-in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use timetracker_e2e::{fresh_data_dir, App, Receiver, SERIAL};

async fn use_the_app(app: &App) {
    app.click("nav-projects").await;
    app.fill("project-name-input", "Marmoset Logistics").await;
    app.click("project-create").await;
    app.wait_for_count("project-row", 1).await;
    app.click("nav-timer").await;
    app.fill("timer-description", "okapi-lantern-5521").await;
    app.select_project("Marmoset Logistics").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    app.click("timer-stop").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
}

fn env(receiver: &Receiver) -> Vec<(&'static str, String)> {
    vec![
        ("POSTHOG_API_KEY", "phc_e2e".to_owned()),
        ("POSTHOG_HOST", receiver.url()),
    ]
}

fn as_refs<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dialog_asks_once_and_no_means_not_one_request() {
    let _serial = SERIAL.lock().await;
    let receiver = Receiver::start();
    let (_tmp, data) = fresh_data_dir();
    let pairs = env(&receiver);

    let app = App::launch_with_env(&data, &as_refs(&pairs)).await;
    app.wait_for("consent-dialog").await;
    let crash = app.wait_for("consent-crash-reports").await;
    let usage = app.wait_for("consent-usage").await;
    assert!(!crash.is_selected().await.unwrap() && !usage.is_selected().await.unwrap());
    app.click("consent-decline").await;
    // The answer is saved off the main thread; the dialog closes when it is.
    app.wait_for_count("consent-dialog", 0).await;
    use_the_app(&app).await;
    app.quit().await;

    // Second launch: the answer stands, no dialog.
    let app = App::launch_with_env(&data, &as_refs(&pairs)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(app.all("consent-dialog").await.is_empty(), "asked twice");
    use_the_app(&app).await;
    app.open_settings("privacy").await;
    let usage = app.wait_for("settings-usage").await;
    assert!(!usage.is_selected().await.unwrap());
    app.quit().await;

    assert!(receiver.requests().is_empty(), "{:?}", receiver.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_yes_sends_the_catalogue_events_and_the_inspector_shows_them() {
    let _serial = SERIAL.lock().await;
    let receiver = Receiver::start();
    let (_tmp, data) = fresh_data_dir();
    let pairs = env(&receiver);
    let app = App::launch_with_env(&data, &as_refs(&pairs)).await;
    app.click("consent-usage").await;
    app.click("consent-save").await;
    app.wait_for_count("consent-dialog", 0).await;
    use_the_app(&app).await;

    app.open_settings("privacy").await;
    app.click("telemetry-inspector").await;
    let anonymous = app.text("telemetry-anonymous-id").await;
    assert_eq!(anonymous.len(), 64, "{anonymous}");
    let queued = app.all("telemetry-queued-item").await;
    assert!(!queued.is_empty(), "nothing queued");
    let text = queued[0]
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(text.contains(&anonymous), "{text}");
    app.quit().await;

    // Whatever was not sent before the window closed goes at the next
    // launch; the sender flushes on exit and at start-up batches.
    let app = App::launch_with_env(&data, &as_refs(&pairs)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(45);
    let events = loop {
        let events = receiver.events();
        let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
        if names.contains(&"timer.stopped") || std::time::Instant::now() > deadline {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    app.quit().await;
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for wanted in [
        "app.installed",
        "project.created",
        "timer.started",
        "timer.stopped",
    ] {
        assert!(names.contains(&wanted), "{wanted} not in {names:?}");
    }
    let all = serde_json::to_string(
        &receiver
            .requests()
            .iter()
            .map(|r| r.json())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(!all.contains("Marmoset") && !all.contains("okapi"), "{all}");
    assert!(events
        .iter()
        .all(|e| e["distinct_id"] == anonymous.as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn do_not_track_means_no_dialog_and_locked_switches() {
    let _serial = SERIAL.lock().await;
    let receiver = Receiver::start();
    let (_tmp, data) = fresh_data_dir();
    let mut pairs = env(&receiver);
    pairs.push(("DO_NOT_TRACK", "1".to_owned()));
    let app = App::launch_with_env(&data, &as_refs(&pairs)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(app.all("consent-dialog").await.is_empty());
    use_the_app(&app).await;
    app.open_settings("privacy").await;
    let line = app.text("settings-telemetry-forced-off").await;
    assert!(line.contains("DO_NOT_TRACK"), "{line}");
    assert!(!app
        .wait_for("settings-usage")
        .await
        .is_enabled()
        .await
        .unwrap());
    app.quit().await;
    assert!(receiver.requests().is_empty());
}
