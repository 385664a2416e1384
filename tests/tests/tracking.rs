//! Complete tracking, end to end: import a Toggl Track file through the
//! window, see the report and its charts, export and re-import, edit, delete
//! and undo; and a change made by the `tt` command line showing in the
//! running app. Each test has its own data folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::Locator;
use timetracker_core::{SystemClock, Tracker};
use timetracker_e2e::{fresh_data_dir, local_now, tt, App, SERIAL, UI_TIMEOUT};

fn open_db(dir: &Path) -> Tracker {
    Tracker::open_in_dir(dir, Arc::new(SystemClock)).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Every entry in the database, oldest first.
fn all_entries(dir: &Path) -> Vec<timetracker_core::Entry> {
    let db = open_db(dir);
    db.list_entries(
        jiff::Timestamp::from_second(0).unwrap(),
        jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(48))
            .unwrap(),
    )
    .unwrap()
}

async fn find_in(row: &Element, test_id: &str) -> Element {
    row.find(Locator::Css(&format!("[data-testid='{test_id}']")))
        .await
        .unwrap_or_else(|e| panic!("no {test_id} in the row: {e}"))
}

/// `textContent`, which WebKit gives in full even where text is ellipsised.
async fn content(element: &Element) -> String {
    element
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// `textContent`, or None when the element went away meanwhile (a list
/// re-rendered between finding rows and reading them).
async fn try_content(element: &Element) -> Option<String> {
    element
        .prop("textContent")
        .await
        .ok()
        .map(Option::unwrap_or_default)
}

/// The row with `test_id` whose text contains `text`, waiting for it.
async fn row_with(app: &App, test_id: &str, text: &str) -> Element {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        for row in app.all(test_id).await {
            if try_content(&row).await.is_some_and(|t| t.contains(text)) {
                return row;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no {test_id} containing {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until exactly `n` rows with `test_id` contain `text`.
async fn wait_rows_with(app: &App, test_id: &str, text: &str, n: usize) {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let mut found = Some(0);
        for row in app.all(test_id).await {
            match try_content(&row).await {
                Some(t) if t.contains(text) => found = found.map(|f| f + 1),
                Some(_) => {}
                // Stale: count again on the next pass.
                None => found = None,
            }
        }
        if found == Some(n) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{found:?} × {test_id} containing {text:?}, expected {n}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_text(app: &App, test_id: &str, needle: &str) -> String {
    app.wait_for_text(test_id, |t| t.contains(needle)).await
}

async fn import(app: &App, path: &Path) -> String {
    app.open_settings("import").await;
    app.fill("import-path", path.to_str().unwrap()).await;
    app.click("import-preview").await;
    app.text("import-preview-summary").await
}

/// Painted pixels on a chart canvas, and how many have `rgb` exactly: proof
/// that Chart.js drew the report's data, in the project's colour.
async fn painted(app: &App, test_id: &str, rgb: [u8; 3]) -> (u64, u64, u64, u64) {
    let script = r#"
        const [id, r, g, b] = arguments;
        const c = document.querySelector(`[data-testid='${id}']`);
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let painted = 0, match = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0) painted++;
            if (data[i + 3] === 255 && data[i] === r && data[i + 1] === g && data[i + 2] === b) match++;
        }
        return [c.width, c.height, painted, match];
    "#;
    let args = vec![test_id.into(), rgb[0].into(), rgb[1].into(), rgb[2].into()];
    let value = app.client.execute(script, args).await.unwrap();
    let n = |i: usize| value[i].as_u64().unwrap();
    (n(0), n(1), n(2), n(3))
}

fn hex_rgb(hex: &str) -> [u8; 3] {
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    [byte(1), byte(3), byte(5)]
}

async fn wait_for_chart(app: &App, test_id: &str, rgb: [u8; 3]) {
    let deadline = Instant::now() + UI_TIMEOUT;
    loop {
        let (w, h, painted, matching) = painted(app, test_id, rgb).await;
        if w > 0 && h > 0 && painted > 0 && matching > 50 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{test_id}: {w}×{h}, {painted} painted, {matching} in {rgb:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Local `YYYY-MM-DD` today, as the entry form reads it (in the app's zone).
fn today() -> String {
    local_now().date().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn import_report_export_reimport_edit_and_undo() {
    let _serial = SERIAL.lock().await;
    let (tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;

    // A file with mistakes: every one listed by line, nothing imported.
    app.open_settings("import").await;
    app.fill("import-path", fixture("toggl-bad.csv").to_str().unwrap())
        .await;
    app.click("import-preview").await;
    let errors = wait_text(&app, "import-errors", "nothing was imported").await;
    assert!(
        errors.contains("Line 3") && errors.contains("Line 4"),
        "{errors}"
    );
    assert!(app.all("import-commit").await.is_empty());
    assert!(all_entries(&data).is_empty());

    // Import: a preview first, nothing written until the commit.
    let summary = import(&app, &fixture("toggl-november.csv")).await;
    assert!(summary.contains("5 entries"), "{summary}");
    assert!(summary.contains("5 new"), "{summary}");
    assert!(
        summary.contains("Heron Survey") && summary.contains("Owl Census"),
        "{summary}"
    );
    assert!(
        all_entries(&data).is_empty(),
        "the preview wrote to the database"
    );
    app.click("import-commit").await;
    let result = wait_text(&app, "import-result", "Imported").await;
    assert!(result.contains("5 entries"), "{result}");
    assert_eq!(all_entries(&data).len(), 5);

    // Billing on one project, through the Projects view.
    app.click("nav-projects").await;
    let heron = row_with(&app, "project-row", "Heron Survey").await;
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
    let heron = row_with(&app, "project-row", "Heron Survey").await;
    let billing = content(&find_in(&heron, "project-billing-summary").await).await;
    assert!(
        billing.contains("Wetlands Trust") && billing.contains("80"),
        "{billing}"
    );

    // Reports: the month of the fixture, reached with the period buttons.
    app.click("nav-reports").await;
    app.click("report-kind-month").await;
    let now = local_now();
    let back = (i32::from(now.year()) - 2026) * 12 + i32::from(now.month()) - 11;
    let step = if back >= 0 {
        "report-prev"
    } else {
        "report-next"
    };
    for _ in 0..back.abs() {
        app.click(step).await;
    }
    wait_text(&app, "report-range", "2026").await;
    // 2:30 + 2:00 Heron, 1:30 + 1:00 Owl, 0:45 without a project.
    wait_text(&app, "report-total", "7:45").await;
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

    // Both charts are drawn, with the projects' own colours.
    let colors: Vec<(String, String)> = open_db(&data)
        .list_projects(false)
        .unwrap()
        .into_iter()
        .map(|p| (p.name, p.color))
        .collect();
    let heron_rgb = hex_rgb(&colors.iter().find(|(n, _)| n == "Heron Survey").unwrap().1);
    wait_for_chart(&app, "report-day-chart", heron_rgb).await;
    wait_for_chart(&app, "report-share-chart", heron_rgb).await;
    if let Some(dir) = std::env::var_os("E2E_SCREENSHOT_DIR") {
        app.screenshot(&Path::new(&dir).join("reports.png")).await;
    }

    // Export the month as CSV through the window; a folder that does not
    // exist is reported, and leaves nothing behind.
    let nowhere = tmp.path().join("no such folder/november.csv");
    app.fill("export-path", nowhere.to_str().unwrap()).await;
    app.click("export-run").await;
    wait_text(&app, "export-error", "could not be written").await;
    let export = tmp.path().join("november.csv");
    app.fill("export-path", export.to_str().unwrap()).await;
    app.click("export-run").await;
    let exported = wait_text(&app, "export-result", "Exported").await;
    assert!(exported.contains("5 entries"), "{exported}");
    assert!(app.all("export-error").await.is_empty());
    assert!(!tmp.path().join("november.csv.partial").exists());
    let csv = std::fs::read_to_string(&export).unwrap();
    assert!(
        csv.starts_with("id,project,client,description,start,end"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 6, "{csv}");

    // Re-importing our own export finds the same five entries and adds none.
    let before = all_entries(&data);
    let summary = import(&app, &export).await;
    assert!(summary.contains("0 new"), "{summary}");
    assert!(summary.contains("5 already here"), "{summary}");
    let commit = app.wait_for("import-commit").await;
    assert!(
        !commit.is_enabled().await.unwrap(),
        "nothing new, yet commit is offered"
    );
    assert_eq!(all_entries(&data), before);

    // Entries: add two by hand today, overlapping, and see them flagged.
    app.click("nav-entries").await;
    let day = today();
    for (description, start, end) in [
        ("Transect walk", "09:00", "10:00"),
        ("Call with the trust", "09:30", "10:30"),
    ] {
        app.click("entry-add").await;
        app.fill("entry-edit-description", description).await;
        app.fill("entry-edit-start", &format!("{day} {start}"))
            .await;
        app.fill("entry-edit-end", end).await;
        app.fill("entry-edit-tags", "e2e, field").await;
        app.click("entry-edit-save").await;
        row_with(&app, "entry-row", description).await;
    }
    app.wait_for_count("entry-overlap", 2).await;

    // An end before the start is refused next to the form; nothing is lost.
    let call = row_with(&app, "entry-row", "Call with the trust").await;
    find_in(&call, "entry-edit").await.click().await.unwrap();
    app.fill("entry-edit-description", "Call with the Wetlands Trust")
        .await;
    app.fill("entry-edit-start", &format!("{day} 10:00")).await;
    app.fill("entry-edit-end", "08:00").await;
    app.click("entry-edit-save").await;
    let error = app.text("entry-edit-error").await;
    assert!(error.contains("before its end"), "{error}");
    let kept = app
        .wait_for("entry-edit-description")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("Call with the Wetlands Trust"));
    // Fixed, the two no longer overlap.
    app.fill("entry-edit-end", "11:00").await;
    app.click("entry-edit-save").await;
    let call = row_with(&app, "entry-row", "Call with the Wetlands Trust").await;
    app.wait_for_count("entry-overlap", 0).await;
    let tags = call
        .find_all(Locator::Css("[data-testid='entry-tag']"))
        .await
        .unwrap();
    assert_eq!(tags.len(), 2);
    let edited = all_entries(&data)
        .into_iter()
        .find(|e| e.description == "Call with the Wetlands Trust")
        .unwrap();
    assert_eq!(edited.duration_seconds, 3600);
    assert_eq!(edited.tags, ["e2e", "field"]);

    // Delete, then undo: the same entry comes back under its id. (The
    // imported entries may be in the list too, depending on today's date.)
    find_in(&call, "entry-delete").await.click().await.unwrap();
    wait_rows_with(&app, "entry-row", "Wetlands Trust", 0).await;
    assert!(all_entries(&data).iter().all(|e| e.id != edited.id));
    app.click("entry-undo").await;
    wait_rows_with(&app, "entry-row", "Wetlands Trust", 1).await;
    let restored = all_entries(&data)
        .into_iter()
        .find(|e| e.id == edited.id)
        .expect("the undo did not restore the entry");
    assert_eq!(restored.description, edited.description);
    assert_eq!(restored.tags, edited.tags);
    app.quit().await;

    // What the core logged for the reports and files, without their content.
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
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let app = App::launch(&data).await;
    app.click("nav-projects").await;
    app.fill("project-name-input", "Kestrel Survey").await;
    app.click("project-create").await;
    app.wait_for_count("project-row", 1).await;

    // The timer view, untouched, picks up a timer started in a terminal.
    app.click("nav-timer").await;
    assert_eq!(app.text("timer-status").await, "stopped");
    tt(
        &data,
        &["start", "Kestrel Survey", "-d", "From the terminal"],
    );
    soon(&app, "timer-status", "textContent", |t| t == "running").await;
    soon(&app, "timer-description", "value", |v| {
        v == "From the terminal"
    })
    .await;

    // And its stop, with the entry in today's list.
    tt(&data, &["stop"]);
    soon(&app, "timer-status", "textContent", |t| t == "stopped").await;
    let row = row_with(&app, "entry-row", "From the terminal").await;
    assert!(content(&row).await.contains("Kestrel Survey"));

    // The Entries view follows an edit made from the terminal too.
    app.click("nav-entries").await;
    app.wait_for_count("entry-row", 1).await;
    tt(&data, &["start", "-d", "Second from the terminal"]);
    tt(&data, &["stop"]);
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
    app.quit().await;
}
