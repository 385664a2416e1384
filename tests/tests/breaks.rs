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
