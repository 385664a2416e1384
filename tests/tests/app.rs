//! The real app, end to end: a user's first session, a restart, a crash
//! while the timer runs, and bad input. Each test has its own data folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use timetracker_core::{SystemClock, Tracker};
use timetracker_e2e::{fresh_data_dir, midday_zone, parse_hms, App, SERIAL};

fn open_db(dir: &std::path::Path) -> Tracker {
    Tracker::open_in_dir(dir, Arc::new(SystemClock)).unwrap()
}

async fn create_project(app: &App, name: &str) {
    app.click("nav-projects").await;
    let before = app.all("project-row").await.len();
    app.fill("project-name-input", name).await;
    app.click("project-create").await;
    app.wait_for_count("project-row", before + 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn track_time_on_a_project_then_find_it_after_a_restart() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();

    let app = App::launch(&data).await;
    // The stylesheet loaded despite the strict CSP: the sidebar is laid out.
    let display = app
        .client
        .execute(
            "return getComputedStyle(document.querySelector('nav')).display",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(display, "flex");
    // Without TIMETRACKER_TEST_HOOKS the window cannot queue a dialog
    // answer: every file it reads or writes is one the user picked.
    let refused = app.try_answer_dialog(Path::new("/etc/passwd")).await;
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.contains("test_hooks.disabled")),
        "{refused:?}"
    );

    create_project(&app, "Zebra Migration Study").await;
    app.click("nav-timer").await;
    app.fill("timer-description", "Counting stripes").await;
    app.select_project("Zebra Migration Study").await;
    let typed = app
        .wait_for("timer-description")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("Counting stripes"));
    assert_eq!(app.text("timer-status").await, "stopped");
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;

    // The elapsed time ticks while the timer runs.
    let first = parse_hms(&app.text("timer-elapsed").await);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let later = parse_hms(&app.text("timer-elapsed").await);
    assert!(later > first, "elapsed did not tick: {first} then {later}");

    app.click("timer-stop").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    let rows = app.wait_for_count("entry-row", 1).await;
    if let Some(dir) = std::env::var_os("E2E_SCREENSHOT_DIR") {
        app.screenshot(&std::path::Path::new(&dir).join("timer.png"))
            .await;
    }
    // textContent: WebKit's rendered text skips the ellipsised description.
    let row = rows[0]
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(row.contains("Zebra Migration Study"), "{row}");
    assert!(row.contains("Counting stripes"), "{row}");
    let duration = rows[0]
        .find(fantoccini::Locator::Css("[data-testid='entry-duration']"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(parse_hms(&duration) >= 2, "entry lasted {duration}");
    app.quit().await;

    // The file on disk agrees with what the window showed.
    {
        let db = open_db(&data);
        let projects = db.list_projects(true).unwrap();
        assert_eq!(projects.len(), 1);
        let days = db.recent_days(2, &midday_zone().1).unwrap();
        let entries: Vec<_> = days.iter().flat_map(|d| &d.entries).collect();
        assert_eq!(entries.len(), 1);
        assert!(entries[0].duration_seconds >= 2);
        assert!(entries[0].stopped_at.is_some());
    }

    // The JSONL log recorded both timer events, each under its own request,
    // and nothing the user typed.
    let log = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for line in &lines {
        for field in ["asctime", "levelname", "name", "message", "request_id"] {
            assert!(line.get(field).is_some(), "{field} missing: {line}");
        }
    }
    let event = |name: &str| {
        lines
            .iter()
            .find(|l| l["message"] == name)
            .unwrap_or_else(|| panic!("no {name} in {log}"))
            .clone()
    };
    let (started, stopped) = (event("timer.started"), event("timer.stopped"));
    assert!(started["project_id"].is_i64() && started["request_id"].is_string());
    assert_eq!(started["project_id"], stopped["project_id"]);
    assert_ne!(started["request_id"], stopped["request_id"]);
    assert!(stopped["duration_seconds"].as_i64().unwrap() >= 2);
    assert!(!log.contains("Zebra") && !log.contains("stripes"), "{log}");

    // Relaunch on the same data folder: everything is still there.
    let app = App::launch(&data).await;
    let rows = app.wait_for_count("entry-row", 1).await;
    assert!(rows[0]
        .text()
        .await
        .unwrap()
        .contains("Zebra Migration Study"));
    app.click("nav-entries").await;
    let rows = app.wait_for_count("entry-row", 1).await;
    let row = rows[0]
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(row.contains("Counting stripes"), "{row}");
    app.click("nav-projects").await;
    let projects = app.wait_for_count("project-row", 1).await;
    assert!(projects[0]
        .text()
        .await
        .unwrap()
        .contains("Zebra Migration Study"));
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timer_survives_the_app_being_killed() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();

    let app = App::launch(&data).await;
    create_project(&app, "Kestrel Survey").await;
    app.click("nav-timer").await;
    app.select_project("Kestrel Survey").await;
    app.click("timer-start").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    let started_at = open_db(&data).timer_status().unwrap().unwrap().started_at;
    app.kill_app().await;

    tokio::time::sleep(Duration::from_secs(3)).await;
    let app = App::launch(&data).await;
    let status = app.wait_for_text("timer-status", |t| t == "running").await;
    assert_eq!(status, "running");
    // Let the UI tick once past load, then compare with the original start.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let shown = parse_hms(&app.text("timer-elapsed").await) as i64;
    let expected = (jiff::Timestamp::now() - started_at).as_secs();
    assert!(
        shown >= 3,
        "elapsed {shown}s does not count from before the crash"
    );
    assert!(
        (shown - expected).abs() <= 2,
        "elapsed {shown}s, but {expected}s have passed since the original start"
    );
    let running = open_db(&data).timer_status().unwrap().unwrap();
    assert_eq!(running.started_at, started_at);

    app.click("timer-stop").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_project_names_show_inline_errors_and_change_nothing() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;

    app.click("nav-projects").await;
    app.fill("project-name-input", "   ").await;
    app.click("project-create").await;
    let error = app.text("project-error").await;
    assert!(error.contains("name"), "{error}");
    assert!(app.all("project-row").await.is_empty());

    create_project(&app, "Owl Census").await;
    assert!(
        app.all("project-error").await.is_empty(),
        "error stays after success"
    );
    app.fill("project-name-input", "  owl CENSUS ").await;
    app.click("project-create").await;
    let error = app.text("project-error").await;
    assert!(error.contains("already exists"), "{error}");
    // The typed text stays so the user can fix it.
    let kept = app
        .wait_for("project-name-input")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("  owl CENSUS "));
    assert_eq!(app.all("project-row").await.len(), 1);

    // Renaming into a clash is refused inline too.
    create_project(&app, "Heron Count").await;
    let rows = app.all("project-row").await;
    let heron = &rows[0];
    assert!(heron.text().await.unwrap().contains("Heron Count"));
    heron
        .find(fantoccini::Locator::Css("[data-testid='project-rename']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.fill("project-rename-input", "Owl census").await;
    app.click("project-rename-save").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !heron.text().await.unwrap().contains("already exists") {
        assert!(Instant::now() < deadline, "no inline rename error");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;

    let names: Vec<String> = open_db(&data)
        .list_projects(true)
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Heron Count", "Owl Census"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_log_folder_is_reported_and_the_app_keeps_working() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    // A file where the logs folder should be: no log can be written there.
    std::fs::write(data.join("logs"), b"in the way").unwrap();

    let app = App::launch(&data).await;
    create_project(&app, "Still Tracking").await;
    app.click("nav-settings").await;
    let warning = app.text("settings-log-warning").await;
    assert!(warning.contains("standard error"), "{warning}");
    // A build with no PostHog key and no Sentry DSN says so, and asked nothing.
    app.click("settings-section-privacy").await;
    let privacy = app.text("settings-telemetry-unconfigured").await;
    assert!(privacy.contains("not configured"), "{privacy}");
    assert!(app.all("consent-dialog").await.is_empty());
    app.quit().await;
    assert_eq!(open_db(&data).list_projects(false).unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn window_errors_reach_the_log_with_the_last_command() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;
    app.click("nav-projects").await;
    app.wait_for("project-name-input").await;
    app.client
        .execute(
            "setTimeout(() => { throw new Error('e2e-uncaught-7f3a'); }, 0);
             Promise.reject(new Error('e2e-rejected-9c1d'));",
            vec![],
        )
        .await
        .unwrap();
    let log_path = data.join("logs/app.jsonl");
    let deadline = Instant::now() + Duration::from_secs(10);
    let lines: Vec<serde_json::Value> = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let found: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|l| l["message"] == "ui.error")
            .collect();
        if found.len() >= 2 || Instant::now() > deadline {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    app.quit().await;
    let uncaught = lines
        .iter()
        .find(|l| l["kind"] == "error")
        .unwrap_or_else(|| panic!("no uncaught error logged: {lines:?}"));
    assert_eq!(uncaught["levelname"], "ERROR");
    assert!(uncaught["ui_message"]
        .as_str()
        .unwrap()
        .contains("e2e-uncaught-7f3a"));
    assert_eq!(uncaught["last_command"], "projects_list");
    let rejected = lines
        .iter()
        .find(|l| l["kind"] == "unhandledrejection")
        .unwrap_or_else(|| panic!("no rejection logged: {lines:?}"));
    assert!(rejected["ui_message"]
        .as_str()
        .unwrap()
        .contains("e2e-rejected-9c1d"));
}
