//! Desktop integration, end to end: a second launch hands over to the
//! running app and exits, and a timer left running while the app was closed
//! is offered to be stopped at the last heartbeat. Run under
//! `dbus-run-session` (scripts/test): single instance uses the session bus.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use timetracker_core::{FakeClock, SystemClock, Tracker};
use timetracker_e2e::{app_binary, fresh_data_dir, App, SERIAL};

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_exits_and_the_first_window_stays() {
    let _serial = SERIAL.lock().await;
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "no session bus: run the end-to-end tests under dbus-run-session (see scripts/test)"
    );
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;
    let first = app.app_pid().expect("the first app process");

    // Same binary, same environment, same data folder, started by hand.
    let mut second = std::process::Command::new(app_binary())
        .env("TIMETRACKER_DATA_DIR", &data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second launch is still running after 15 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second launch failed: {status}");
    assert_ne!(second.id(), first);

    // The first app still answers and works.
    assert_eq!(app.app_pid(), Some(first));
    app.click("nav-projects").await;
    app.fill("project-name-input", "Still Here").await;
    app.click("project-create").await;
    app.wait_for_count("project-row", 1).await;

    // It noticed the second launch (and brought its window up).
    let log = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = log;
    while !log.contains("\"app.second_instance\"") {
        assert!(Instant::now() < deadline, "app.second_instance not logged");
        tokio::time::sleep(Duration::from_millis(200)).await;
        log = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap_or_default();
    }
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timer_left_running_while_closed_stops_at_the_last_heartbeat() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();

    // The app's last session: a timer started three hours ago, and the app
    // was last seen (heartbeat) two hours ago; then it was gone.
    let now = Timestamp::now();
    let started = now - SignedDuration::from_hours(3);
    let heartbeat = now - SignedDuration::from_hours(2);
    let entry_id = {
        let clock = FakeClock::at(started);
        let mut db = Tracker::open_in_dir(&data, Arc::new(clock.clone())).unwrap();
        let project = db.create_project("Lighthouse Survey", None).unwrap();
        let outcome = db.start_timer(Some(project.id), "night shift").unwrap();
        clock.set(heartbeat);
        db.heartbeat().unwrap();
        outcome.started.id
    };

    let app = App::launch(&data).await;
    app.wait_for("stale-dialog").await;
    app.click("stale-stop-at-heartbeat").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !app.all("stale-dialog").await.is_empty() {
        assert!(Instant::now() < deadline, "the stale dialog stayed open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.click("nav-timer").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    app.quit().await;

    let db = Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap();
    let entry = db.entry(entry_id).unwrap();
    assert_eq!(
        entry.stopped_at.map(|t| t.as_millisecond()),
        Some(heartbeat.as_millisecond()),
        "the entry should end at the last heartbeat"
    );
    assert_eq!(entry.started_at.as_millisecond(), started.as_millisecond());
    assert!(db.timer_status().unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_report_a_shortcut_that_cannot_be_registered_and_help_lists_the_keys() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;

    // `?` outside a text field opens the help overlay; Escape closes it.
    app.client
        .execute(
            "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '?', bubbles: true}))",
            vec![],
        )
        .await
        .unwrap();
    let help = app.wait_for("help-overlay").await.text().await.unwrap();
    assert!(help.contains("Alt+S"), "{help}");
    assert!(help.contains("Alt+N"), "{help}");
    app.click("help-close").await;

    app.open_settings("desktop").await;
    let shortcut = app.wait_for("settings-desktop-shortcut").await;
    assert_eq!(
        shortcut.prop("value").await.unwrap().as_deref(),
        Some("Ctrl+Alt+T")
    );
    assert!(app.all("settings-shortcut-error").await.is_empty());

    app.fill("settings-desktop-shortcut", "Ctrl+Nonsense+Q")
        .await;
    app.click("settings-desktop-save").await;
    let error = app.text("settings-shortcut-error").await;
    assert!(error.contains("Ctrl+Nonsense+Q"), "{error}");

    // Saved all the same, and a good one clears the error.
    app.fill("settings-desktop-shortcut", "Ctrl+Alt+Y").await;
    app.click("settings-desktop-save").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !app.all("settings-shortcut-error").await.is_empty() {
        assert!(Instant::now() < deadline, "the shortcut error stayed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;

    let db = Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap();
    assert_eq!(db.desktop_settings().unwrap().shortcut, "Ctrl+Alt+Y");
    let log = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    assert!(
        log.contains("\"shortcut.failed\""),
        "no shortcut.failed in the log"
    );
    assert!(
        log.contains("\"shortcut.registered\""),
        "no shortcut.registered in the log"
    );
}

/// Alt+S takes the path the tray and the global shortcut take
/// (stop the running timer, else start the last project).
#[tokio::test(flavor = "multi_thread")]
async fn alt_s_stops_the_timer_then_starts_the_last_project_again() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    {
        let mut db = Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap();
        let project = db.create_project("Kestrel Count", None).unwrap();
        db.start_timer(Some(project.id), "").unwrap();
    }
    let app = App::launch(&data).await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    let alt_s = "document.body.dispatchEvent(new KeyboardEvent('keydown', \
                 {key: 's', altKey: true, bubbles: true}))";
    app.client.execute(alt_s, vec![]).await.unwrap();
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    app.client.execute(alt_s, vec![]).await.unwrap();
    app.wait_for_text("timer-status", |t| t == "running").await;
    app.quit().await;

    let db = Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap();
    let running = db.timer_status().unwrap().expect("a running timer");
    assert_eq!(running.project_name.as_deref(), Some("Kestrel Count"));
    let log = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    let toggles = log
        .lines()
        .filter(|l| l.contains("\"tray.action\"") && l.contains("\"via\":\"window\""))
        .count();
    assert_eq!(toggles, 2, "{log}");
}
