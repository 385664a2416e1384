//! Helpers for `tracking.rs` and `labels.rs`: finding rows by their text,
//! reading charts' pixels, and putting data in place before the window
//! opens, so that each test starts from what it needs instead of from the
//! test before. Each binary uses only some of them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::Locator;
use timetracker_core::{ProjectBilling, SystemClock, Tracker};
use timetracker_e2e::{fixture, fresh_data_dir, local_now, tt, App, SERIAL, UI_TIMEOUT};

pub fn open_db(dir: &Path) -> Tracker {
    Tracker::open_in_dir(dir, Arc::new(SystemClock)).unwrap()
}

/// Every entry in the database, oldest first.
pub fn all_entries(dir: &Path) -> Vec<timetracker_core::Entry> {
    let db = open_db(dir);
    db.list_entries(
        jiff::Timestamp::from_second(0).unwrap(),
        jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(48))
            .unwrap(),
    )
    .unwrap()
}

pub async fn find_in(row: &Element, test_id: &str) -> Element {
    row.find(Locator::Css(&format!("[data-testid='{test_id}']")))
        .await
        .unwrap_or_else(|e| panic!("no {test_id} in the row: {e}"))
}

/// `textContent`, which WebKit gives in full even where text is ellipsised.
pub async fn content(element: &Element) -> String {
    element
        .prop("textContent")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// `textContent`, or None when the element went away meanwhile (a list
/// re-rendered between finding rows and reading them).
pub async fn try_content(element: &Element) -> Option<String> {
    element
        .prop("textContent")
        .await
        .ok()
        .map(Option::unwrap_or_default)
}

/// The row with `test_id` whose text contains `text`, waiting for it.
pub async fn row_with(app: &App, test_id: &str, text: &str) -> Element {
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
pub async fn wait_rows_with(app: &App, test_id: &str, text: &str, n: usize) {
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

pub async fn wait_text(app: &App, test_id: &str, needle: &str) -> String {
    app.wait_for_text(test_id, |t| t.contains(needle)).await
}

/// Chooses `path` in the import panel (the shell's open dialog answers
/// with it) and waits until the panel shows it.
pub async fn choose_import(app: &App, path: &Path) {
    app.answer_dialog(path).await;
    app.click("import-browse").await;
    wait_text(app, "import-path", path.to_str().unwrap()).await;
}

pub async fn import(app: &App, path: &Path) -> String {
    app.open_settings("import").await;
    choose_import(app, path).await;
    app.click("import-preview").await;
    app.text("import-preview-summary").await
}

/// Painted pixels on a chart canvas, and how many have `rgb` exactly: proof
/// that Chart.js drew the report's data, in the project's colour.
pub async fn painted(app: &App, test_id: &str, rgb: [u8; 3]) -> (u64, u64, u64, u64) {
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

pub fn hex_rgb(hex: &str) -> [u8; 3] {
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
    [byte(1), byte(3), byte(5)]
}

pub async fn wait_for_chart(app: &App, test_id: &str, rgb: [u8; 3]) {
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
pub fn today() -> String {
    local_now().date().to_string()
}

/// The November Toggl file imported with `tt`, before the app starts.
pub fn with_november(data: &Path) {
    tt(
        data,
        &["import", fixture("toggl-november.csv").to_str().unwrap()],
    );
}

/// Heron Survey billed at 80 EUR an hour to its client, Wetlands Trust.
pub fn bill_heron(data: &Path) {
    let mut db = open_db(data);
    let heron = db
        .list_projects(false)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Heron Survey")
        .unwrap();
    let billing = ProjectBilling {
        client: Some("Wetlands Trust".into()),
        billable: true,
        hourly_rate_cents: Some(8000),
        currency: Some("EUR".into()),
    };
    db.set_project_billing(heron.id, billing).unwrap();
}

/// Opens the month report for November 2026, reached with the period
/// buttons from the current month.
pub async fn open_november_report(app: &App) {
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
    wait_text(app, "report-range", "2026").await;
}

/// Exports the open report to `path` and waits for the result line.
pub async fn export_to(app: &App, path: &Path) -> String {
    app.answer_dialog(path).await;
    app.click("export-run").await;
    wait_text(app, "export-result", "Exported").await
}

/// Adds an entry today through the Entries view's form, tagged
/// `e2e, field`, and waits for its row.
pub async fn add_entry(app: &App, description: &str, start: &str, end: &str) {
    app.click("entry-add").await;
    app.fill("entry-edit-description", description).await;
    app.fill("entry-edit-start", &format!("{} {start}", today()))
        .await;
    app.fill("entry-edit-end", end).await;
    app.fill("entry-edit-tags", "e2e, field").await;
    app.click("entry-edit-save").await;
    row_with(app, "entry-row", description).await;
}

/// The two entries of the overlap tests: 09:00–10:00 and 09:30–10:30.
pub async fn add_overlapping_pair(app: &App) {
    app.click("nav-entries").await;
    add_entry(app, "Transect walk", "09:00", "10:00").await;
    add_entry(app, "Call with the trust", "09:30", "10:30").await;
}

/// One test's window: the suite's turn on the shared display and bus, a
/// fresh data folder (filled by `setup` before launch) and the app on it.
pub struct Window {
    pub app: App,
    pub data: PathBuf,
    pub tmp: tempfile::TempDir,
    _serial: tokio::sync::MutexGuard<'static, ()>,
}

impl Window {
    pub async fn open(setup: impl FnOnce(&Path)) -> Window {
        let serial = SERIAL.lock().await;
        let (tmp, data) = fresh_data_dir();
        setup(&data);
        // Test hooks on: the tests answer the shell's file dialogs.
        let app = App::launch_with_env(&data, &[("TIMETRACKER_TEST_HOOKS", "1")]).await;
        Window {
            app,
            data,
            tmp,
            _serial: serial,
        }
    }

    pub async fn empty() -> Window {
        Self::open(|_| {}).await
    }

    /// November's file imported by `tt` (and `setup` run) before launch,
    /// and the window on November's report.
    pub async fn november_report(setup: impl FnOnce(&Path)) -> Window {
        let window = Self::open(|data| {
            with_november(data);
            setup(data);
        })
        .await;
        open_november_report(&window.app).await;
        window
    }

    /// Quits the app. The data folder (and the turn) last as long as what
    /// this returns, for a test that reads the files the app left.
    pub async fn quit(self) -> Closed {
        self.app.quit().await;
        Closed {
            _tmp: self.tmp,
            _serial: self._serial,
        }
    }
}

pub struct Closed {
    _tmp: tempfile::TempDir,
    _serial: tokio::sync::MutexGuard<'static, ()>,
}
