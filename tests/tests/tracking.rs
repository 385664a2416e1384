//! Complete tracking, end to end, one behaviour per test so that an early
//! failure does not hide the rest: import a Toggl Track file through the
//! window, the report and its charts, export and re-import, edit, delete
//! and undo; and a change made by the `tt` command line showing in the
//! running app. Each test has its own data folder, filled before launch
//! where the test is not about how the data got there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tracking_support;

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use timetracker_e2e::{fixture, tt, App};
use tracking_support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_mistakes_lists_every_one_by_line_and_imports_nothing() {
    let w = Window::empty().await;
    let app = &w.app;
    let data = &w.data;
    app.open_settings("import").await;
    choose_import(app, &fixture("toggl-bad.csv")).await;
    app.click("import-preview").await;
    let errors = wait_text(app, "import-errors", "nothing was imported").await;
    assert!(
        errors.contains("Line 3") && errors.contains("Line 4"),
        "{errors}"
    );
    assert!(app.all("import-commit").await.is_empty());
    assert!(all_entries(data).is_empty());
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_is_previewed_and_nothing_is_written_until_the_commit() {
    let w = Window::empty().await;
    let app = &w.app;
    let data = &w.data;
    let summary = import(app, &fixture("toggl-november.csv")).await;
    assert!(summary.contains("5 entries"), "{summary}");
    assert!(summary.contains("5 new"), "{summary}");
    assert!(
        summary.contains("Heron Survey") && summary.contains("Owl Census"),
        "{summary}"
    );
    assert!(
        all_entries(data).is_empty(),
        "the preview wrote to the database"
    );
    app.click("import-commit").await;
    let result = wait_text(app, "import-result", "Imported").await;
    assert!(result.contains("5 entries"), "{result}");
    assert_eq!(all_entries(data).len(), 5);
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn billing_set_in_the_projects_view_shows_on_the_project() {
    let w = Window::open(with_november).await;
    let app = &w.app;
    app.click("nav-projects").await;
    let heron = row_with(app, "project-row", "Heron Survey").await;
    find_in(&heron, "project-billing")
        .await
        .click()
        .await
        .unwrap();
    app.fill("project-rate", "80").await;
    app.fill("project-currency", "EUR").await;
    let billable = app.wait_for("project-billable").await;
    if billable.prop("checked").await.unwrap().as_deref() != Some("true") {
        billable.click().await.unwrap();
    }
    app.click("project-billing-save").await;
    // The list reloads once the save has answered.
    let deadline = Instant::now() + LIVE;
    loop {
        let heron = row_with(app, "project-row", "Heron Survey").await;
        let billing = content(&find_in(&heron, "project-billing-summary").await).await;
        if billing.contains("Wetlands Trust") && billing.contains("80") {
            break;
        }
        assert!(Instant::now() < deadline, "{billing}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_month_report_totals_projects_tags_and_billable_amount() {
    let w = Window::november_report(bill_heron).await;
    let app = &w.app;
    // 2:30 + 2:00 Heron, 1:30 + 1:00 Owl, 0:45 without a project.
    wait_text(app, "report-total", "7:45").await;
    let projects = app.wait_for_count("report-project-row", 3).await;
    let first = content(&projects[0]).await;
    assert!(
        first.contains("Heron Survey") && first.contains("4:30"),
        "{first}"
    );
    let tags = app.all("report-tag-row").await;
    let mut tag_text = Vec::new();
    for t in &tags {
        tag_text.push(content(t).await);
    }
    assert!(
        tag_text
            .iter()
            .any(|t| t.contains("field") && t.contains("4:00")),
        "{tag_text:?}"
    );
    // 4.5 h at 80 EUR.
    let billable = app.text("report-billable").await;
    assert!(billable.contains("360.00"), "{billable}");
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn both_report_charts_are_drawn_in_the_projects_colours() {
    let w = Window::november_report(|_| {}).await;
    let app = &w.app;
    let data = &w.data;
    let colors: Vec<(String, String)> = open_db(data)
        .list_projects(false)
        .unwrap()
        .into_iter()
        .map(|p| (p.name, p.color))
        .collect();
    let heron_rgb = hex_rgb(&colors.iter().find(|(n, _)| n == "Heron Survey").unwrap().1);
    wait_for_chart(app, "report-day-chart", heron_rgb).await;
    wait_for_chart(app, "report-share-chart", heron_rgb).await;
    if let Some(dir) = std::env::var_os("E2E_SCREENSHOT_DIR") {
        app.screenshot(&Path::new(&dir).join("reports.png")).await;
    }
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_to_a_missing_folder_is_refused_and_leaves_nothing_behind() {
    let w = Window::november_report(|_| {}).await;
    let app = &w.app;
    let tmp = &w.tmp;
    let nowhere = tmp.path().join("no such folder/november.csv");
    app.answer_dialog(&nowhere).await;
    app.click("export-run").await;
    wait_text(app, "export-error", "could not be written").await;
    assert!(!nowhere.exists());
    // Nor may an export replace the live database (or land anywhere in
    // the data folder): refused, and the data is all still there.
    let db = w.data.join("timetracker.sqlite3");
    app.answer_dialog(&db).await;
    app.click("export-run").await;
    wait_text(app, "export-error", "TimeTracker's own data").await;
    assert_eq!(all_entries(&w.data).len(), 5);
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_month_exports_as_csv_through_the_window() {
    let w = Window::november_report(|_| {}).await;
    let app = &w.app;
    let tmp = &w.tmp;
    // A refused export first: a good one after it clears the error.
    let nowhere = tmp.path().join("no such folder/november.csv");
    app.answer_dialog(&nowhere).await;
    app.click("export-run").await;
    wait_text(app, "export-error", "could not be written").await;
    let export = tmp.path().join("november.csv");
    let exported = export_to(app, &export).await;
    assert!(exported.contains("5 entries"), "{exported}");
    assert!(app.all("export-error").await.is_empty());
    assert!(!tmp.path().join("november.csv.partial").exists());
    let csv = std::fs::read_to_string(&export).unwrap();
    assert!(
        csv.starts_with("id,project,client,description,start,end"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 6, "{csv}");
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reimporting_our_own_export_finds_the_same_entries_and_adds_none() {
    let w = Window::november_report(|_| {}).await;
    let app = &w.app;
    let data = &w.data;
    let tmp = &w.tmp;
    let export = tmp.path().join("november.csv");
    export_to(app, &export).await;
    let before = all_entries(data);
    let summary = import(app, &export).await;
    assert!(summary.contains("0 new"), "{summary}");
    assert!(summary.contains("5 already here"), "{summary}");
    let commit = app.wait_for("import-commit").await;
    assert!(
        !commit.is_enabled().await.unwrap(),
        "nothing new, yet commit is offered"
    );
    assert_eq!(all_entries(data), before);
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn overlapping_entries_added_by_hand_are_flagged() {
    let w = Window::empty().await;
    let app = &w.app;
    add_overlapping_pair(app).await;
    app.wait_for_count("entry-overlap", 2).await;
    w.quit().await;
}

/// Opens the second entry of the pair and saves it ending before it starts.
async fn save_end_before_start(app: &App) {
    let call = row_with(app, "entry-row", "Call with the trust").await;
    find_in(&call, "entry-edit").await.click().await.unwrap();
    app.fill("entry-edit-description", "Call with the Wetlands Trust")
        .await;
    app.fill("entry-edit-start", &format!("{} 10:00", today()))
        .await;
    app.fill("entry-edit-end", "08:00").await;
    app.click("entry-edit-save").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_end_before_the_start_is_refused_beside_the_form_and_nothing_is_lost() {
    let w = Window::empty().await;
    let app = &w.app;
    add_overlapping_pair(app).await;
    save_end_before_start(app).await;
    let error = app.text("entry-edit-error").await;
    assert!(error.contains("before its end"), "{error}");
    let kept = app
        .wait_for("entry-edit-description")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Call with the Wetlands Trust"));
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_edit_once_fixed_is_saved_and_ends_the_overlap() {
    let w = Window::empty().await;
    let app = &w.app;
    let data = &w.data;
    add_overlapping_pair(app).await;
    save_end_before_start(app).await;
    app.wait_for("entry-edit-error").await;
    app.fill("entry-edit-end", "11:00").await;
    app.click("entry-edit-save").await;
    let call = row_with(app, "entry-row", "Call with the Wetlands Trust").await;
    app.wait_for_count("entry-overlap", 0).await;
    let tags = call
        .find_all(Locator::Css("[data-testid='entry-tag']"))
        .await
        .unwrap();
    assert_eq!(tags.len(), 2);
    let edited = all_entries(data)
        .into_iter()
        .find(|e| e.description == "Call with the Wetlands Trust")
        .unwrap();
    assert_eq!(edited.duration_seconds, 3600);
    assert_eq!(edited.tags, ["e2e", "field"]);
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_entry_comes_back_under_its_id_with_undo() {
    let w = Window::empty().await;
    let app = &w.app;
    let data = &w.data;
    app.click("nav-entries").await;
    add_entry(app, "Call with the Wetlands Trust", "10:00", "11:00").await;
    let call = row_with(app, "entry-row", "Call with the Wetlands Trust").await;
    let added = all_entries(data)
        .into_iter()
        .find(|e| e.description == "Call with the Wetlands Trust")
        .unwrap();
    find_in(&call, "entry-delete").await.click().await.unwrap();
    wait_rows_with(app, "entry-row", "Wetlands Trust", 0).await;
    assert!(all_entries(data).iter().all(|e| e.id != added.id));
    app.click("entry-undo").await;
    wait_rows_with(app, "entry-row", "Wetlands Trust", 1).await;
    let restored = all_entries(data)
        .into_iter()
        .find(|e| e.id == added.id)
        .expect("the undo did not restore the entry");
    assert_eq!(restored.description, added.description);
    assert_eq!(restored.tags, added.tags);
    w.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_names_the_import_report_and_export_but_not_their_content() {
    let w = Window::empty().await;
    let app = &w.app;
    // Read after the app quit.
    let data = w.data.clone();
    let tmp = &w.tmp;
    import(app, &fixture("toggl-november.csv")).await;
    app.click("import-commit").await;
    wait_text(app, "import-result", "Imported").await;
    open_november_report(app).await;
    wait_text(app, "report-total", "7:45").await;
    export_to(app, &tmp.path().join("november.csv")).await;
    let _closed = w.quit().await;

    let log = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    for event in ["import.completed", "report.generated", "export.csv"] {
        assert!(log.contains(&format!("\"{event}\"")), "no {event} in {log}");
    }
    assert!(!log.contains("Heron") && !log.contains("Wetlands"), "{log}");
}

/// How long a change made by `tt` may take to show: the app polls once a
/// second and reloads; nothing in the window is touched meanwhile, so only
/// the live refresh can bring it.
const LIVE: Duration = Duration::from_secs(5);

/// Polls `test_id`'s text, or its `value` for an input, until `ok`.
async fn soon(app: &App, test_id: &str, prop: &str, ok: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + LIVE;
    loop {
        let value = app
            .wait_for(test_id)
            .await
            .prop(prop)
            .await
            .unwrap()
            .unwrap_or_default();
        if ok(value.trim()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{test_id} still reads {value:?} {LIVE:?} after the change"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_from_tt_shows_in_the_running_app() {
    let w = Window::empty().await;
    let app = &w.app;
    let data = &w.data;
    app.click("nav-projects").await;
    app.fill("project-name-input", "Kestrel Survey").await;
    app.click("project-create").await;
    app.wait_for_count("project-row", 1).await;

    // The timer view, untouched, picks up a timer started in a terminal.
    app.click("nav-timer").await;
    assert_eq!(app.text("timer-status").await, "stopped");
    tt(
        data,
        &["start", "Kestrel Survey", "-d", "From the terminal"],
    );
    soon(app, "timer-status", "textContent", |t| t == "running").await;
    soon(app, "timer-description", "value", |v| {
        v == "From the terminal"
    })
    .await;

    // And its stop, with the entry in today's list.
    tt(data, &["stop"]);
    soon(app, "timer-status", "textContent", |t| t == "stopped").await;
    let row = row_with(app, "entry-row", "From the terminal").await;
    assert!(content(&row).await.contains("Kestrel Survey"));

    // The Entries view follows an edit made from the terminal too.
    app.click("nav-entries").await;
    app.wait_for_count("entry-row", 1).await;
    tt(data, &["start", "-d", "Second from the terminal"]);
    tt(data, &["stop"]);
    let deadline = Instant::now() + LIVE;
    loop {
        if app.all("entry-row").await.len() == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the Entries view did not refresh"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    w.quit().await;
}

/// Entries in the database, as another process sees them: an import is one
/// transaction, so this stays put until it commits.
fn committed_entries(data: &Path) -> u32 {
    let conn = rusqlite::Connection::open_with_flags(
        data.join("timetracker.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row("SELECT count(*) FROM time_entries", [], |r| r.get(0))
        .unwrap()
}

/// The window never waits for the disk: while the app imports 100,000
/// entries, another view opens with its data, and the running timer ticks.
/// The import then lands whole.
#[tokio::test(flavor = "multi_thread")]
async fn the_window_answers_and_the_timer_ticks_while_a_large_import_runs() {
    const N: u32 = 100_000;
    let w = Window::open(|data| {
        tt(data, &["start", "-d", "through the import"]);
    })
    .await;
    let app = &w.app;
    let csv = timetracker_e2e::import_batch(w.tmp.path(), 1, N, "Bulk", 20);
    app.open_settings("import").await;
    choose_import(app, &csv).await;
    app.click("import-preview").await;
    // Checking 100,000 lines takes a while in a debug build.
    let deadline = Instant::now() + Duration::from_secs(120);
    while app.all("import-commit").await.is_empty() {
        assert!(Instant::now() < deadline, "no preview of the large file");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.text("import-new").await, format!("{N} new"));

    app.click("import-commit").await;
    let clicked = Instant::now();
    // A view that reads the database opens meanwhile, its data loaded...
    app.click("nav-timer").await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    // ...and the running timer's display keeps counting.
    let before = app.text("timer-elapsed").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = app.text("timer-elapsed").await;
    let seen = committed_entries(&w.data);
    println!(
        "window checked {:.1} s into the import, {seen} entries committed",
        clicked.elapsed().as_secs_f64()
    );
    assert_eq!(
        seen, 1,
        "the import ended before the window was checked: nothing shows it answered meanwhile"
    );
    assert_ne!(before, after, "the timer display stood still");

    let deadline = Instant::now() + Duration::from_secs(180);
    while committed_entries(&w.data) != N + 1 {
        assert!(Instant::now() < deadline, "the import did not land");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "import of {N} entries committed {:.1} s after the click",
        clicked.elapsed().as_secs_f64()
    );
    w.quit().await;
}
