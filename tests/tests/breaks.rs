//! A break in the real window: Pause ends the running entry, Resume starts
//! a new one like it, and `tt` sees both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use timetracker_e2e::{fresh_data_dir, tt, App, SERIAL};

#[tokio::test(flavor = "multi_thread")]
async fn pause_and_resume_in_the_window_make_two_entries() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;
    app.fill("timer-description", "Ringing swallows").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;

    app.click("timer-pause").await;
    let note = app.text("timer-paused").await;
    assert!(note.contains("Ringing swallows"), "{note}");
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    // `tt` on the same data sees the break.
    let status: Value = serde_json::from_str(&tt(&data, &["--json", "status"])).unwrap();
    assert_eq!(status["running"], false);
    assert_eq!(status["paused"]["entry"]["description"], "Ringing swallows");

    app.click("timer-resume").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    assert!(app.all("timer-paused").await.is_empty());
    app.click("timer-stop").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    app.quit().await;

    let log: Value = serde_json::from_str(&tt(&data, &["--json", "log"])).unwrap();
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    assert!(entries
        .iter()
        .all(|e| e["description"] == "Ringing swallows"));
    assert!(entries.iter().all(|e| !e["stopped_at"].is_null()));
    let logs = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    assert!(logs.contains("\"timer.paused\""));
    assert!(logs.contains("\"timer.resumed\""));
}

/// The pause shortcut, pressed as a user would from any application: the
/// X server gets the keys (xdotool's XTEST), the app's grab answers.
#[tokio::test(flavor = "multi_thread")]
async fn the_pause_shortcut_pauses_and_resumes_from_anywhere() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;
    app.open_settings("desktop").await;
    app.fill("settings-desktop-pause-shortcut", "Ctrl+Alt+P")
        .await;
    app.click("settings-desktop-save").await;
    app.click("nav-timer").await;
    assert!(app.all("settings-pause-shortcut-error").await.is_empty());
    app.fill("timer-description", "Ringing swallows").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;

    let press = || {
        let status = std::process::Command::new("xdotool")
            .args(["key", "--clearmodifiers", "ctrl+alt+p"])
            .status()
            .expect("xdotool is missing: scripts/setup --test installs it");
        assert!(status.success());
    };
    press();
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    app.wait_for("timer-paused").await;
    press();
    app.wait_for_text("timer-status", |t| t == "running").await;
    app.quit().await;

    let log: Value = serde_json::from_str(&tt(&data, &["--json", "log"])).unwrap();
    assert_eq!(log["entries"].as_array().unwrap().len(), 2, "{log}");
    let logs = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    assert!(
        logs.contains("\"shortcut\":\"pause\""),
        "the pause shortcut was not registered"
    );
    assert!(
        logs.contains("\"via\":\"shortcut\""),
        "no tray.action via the shortcut"
    );
}
