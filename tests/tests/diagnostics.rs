//! Settings › Diagnostics in the real app: a broken `LOG_LEVEL` shows as a
//! problem with its fix, the checks only the app can run are run, and the
//! support bundle is previewed before anything is written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use fantoccini::Locator;
use timetracker_e2e::{fresh_data_dir, App, SERIAL, UI_TIMEOUT};

async fn check_status(app: &App, id: &str) -> (String, String) {
    let css = format!("[data-testid='diagnostics-check'][data-id='{id}']");
    let element = app
        .client
        .wait()
        .at_most(UI_TIMEOUT)
        .for_element(Locator::Css(&css))
        .await
        .unwrap_or_else(|e| panic!("no check {id}: {e}"));
    let status = element
        .attr("data-status")
        .await
        .unwrap()
        .unwrap_or_default();
    (status, element.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn diagnostics_marks_a_broken_log_level_as_a_problem_with_its_fix() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch_with_env(&data, &[("LOG_LEVEL", "verbose")]).await;
    app.open_settings("diagnostics").await;

    let (status, text) = check_status(&app, "logs.level").await;
    assert_eq!(status, "problem", "{text}");
    assert!(text.contains("verbose"), "{text}");
    assert!(
        text.contains("trace, debug, info, warn, error"),
        "the fix is missing: {text}"
    );
    let summary = app.text("diagnostics-summary").await;
    assert!(summary.contains("problem"), "{summary}");

    // The app answers what tt cannot: its tray and shortcut are checked.
    let (tray, text) = check_status(&app, "desktop.tray").await;
    assert_ne!(tray, "skipped", "{text}");
    let (database, text) = check_status(&app, "data.database").await;
    assert_eq!(database, "ok", "{text}");

    // Run again runs the checks anew (a new ran_at), with the same verdict:
    // the environment has not changed.
    let ran_at = |app: &App| {
        let client = app.client.clone();
        async move {
            client
                .find(Locator::Css("[data-testid='diagnostics-summary']"))
                .await
                .ok()?
                .attr("data-ran-at")
                .await
                .ok()
                .flatten()
        }
    };
    let first = ran_at(&app).await.expect("the summary carries ran_at");
    // ran_at has millisecond resolution: make sure the next one differs.
    tokio::time::sleep(Duration::from_millis(5)).await;
    app.click("diagnostics-run").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if ran_at(&app).await.is_some_and(|at| at != first) {
            break;
        }
        assert!(Instant::now() < deadline, "the checks did not run again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(check_status(&app, "logs.level").await.0, "problem");

    // The bundle: its files listed and readable, nothing written yet.
    app.click("diagnostics-bundle").await;
    app.wait_for("diagnostics-bundle-preview").await;
    let mut names = Vec::new();
    for file in app.all("diagnostics-bundle-file").await {
        names.push(file.text().await.unwrap());
    }
    assert!(names.contains(&"doctor.json".to_owned()), "{names:?}");
    assert!(names.contains(&"config.txt".to_owned()), "{names:?}");
    let content = app.text("diagnostics-bundle-content").await;
    assert!(content.contains("logs.level"), "{content}");
    let written: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tar.gz"))
        .collect();
    assert!(written.is_empty(), "a bundle was written before saving");
    app.quit().await;
}
