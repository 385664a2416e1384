//! The calendar in the real window, driven with the mouse and keys as a
//! user does (WebDriver pointer actions): draw an entry on empty time, move
//! it, resize it, undo, delete and undo, and find each result in
//! `tt log --json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use jiff::civil::Date;
use jiff::Timestamp;
use serde_json::Value;
use timetracker_e2e::{fresh_data_dir, local_now, midday_zone, tt, App, SERIAL};

const HOUR_PX: f64 = 48.0;
// WebDriver's code points for keys that have no character.
const CONTROL: char = '\u{e009}';
const ESCAPE: char = '\u{e00c}';
const DELETE: char = '\u{e017}';

/// Scrolls the grid so that 07:00 is at its top, whatever it opened on.
async fn scroll_to_morning(app: &App) {
    app.js(&format!(
        "document.querySelector('.calendar-grid .scroller').scrollTop = {};",
        7.0 * HOUR_PX
    ))
    .await;
}

/// The viewport point at `minutes` past midnight in `date`'s column,
/// `dx` from its middle.
async fn point(app: &App, date: Date, minutes: f64, dx: f64) -> (f64, f64) {
    let at = app.js(
        &format!(
            "const r = document.querySelector('[data-testid=calendar-day][data-date=\"{date}\"]').getBoundingClientRect();
             return [r.left + r.width / 2 + {dx}, r.top + {minutes} * {HOUR_PX} / 60];"
        ),
    )
    .await;
    (at[0].as_f64().unwrap(), at[1].as_f64().unwrap())
}

/// Presses at `from`, moves in two steps to `to` and lets go there.
async fn drag(app: &App, from: (f64, f64), to: (f64, f64)) {
    let step = Some(Duration::from_millis(150));
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x: from.0,
            y: from.1,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveTo {
            duration: step,
            x: (from.0 + to.0) / 2.0,
            y: (from.1 + to.1) / 2.0,
        })
        .then(PointerAction::MoveTo {
            duration: step,
            x: to.0,
            y: to.1,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(100),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    app.client.perform_actions(mouse).await.unwrap();
}

/// Presses and releases one key, where the focus is.
async fn press(app: &App, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    app.client.perform_actions(keys).await.unwrap();
}

async fn ctrl_z(app: &App) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: CONTROL })
        .then(KeyAction::Down { value: 'z' })
        .then(KeyAction::Up { value: 'z' })
        .then(KeyAction::Up { value: CONTROL });
    app.client.perform_actions(keys).await.unwrap();
}

/// The instant at `hh:mm` today in the app's zone.
fn today_at(h: i8, m: i8) -> Timestamp {
    local_now()
        .date()
        .at(h, m, 0, 0)
        .to_zoned_datetime(midday_zone().1.clone())
        .unwrap()
        .timestamp()
}

/// The only entry `tt` lists, as `(start, end, description)`, once it is
/// `want` (the window's writes are awaited, not assumed).
async fn wait_for_entry(data: &std::path::Path, want: (Timestamp, Timestamp)) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let log: Value = serde_json::from_str(&tt(data, &["--json", "log"])).unwrap();
        let entries = log["entries"].as_array().unwrap().clone();
        if let [entry] = entries.as_slice() {
            let start: Timestamp = entry["started_at"].as_str().unwrap().parse().unwrap();
            let end: Option<Timestamp> = entry["stopped_at"].as_str().map(|s| s.parse().unwrap());
            if (start, end) == (want.0, Some(want.1)) {
                return entry.clone();
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "tt never listed one entry {want:?}: {log}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn block_times(app: &App) -> (Timestamp, Timestamp) {
    let block = app.wait_for("calendar-entry").await;
    let start = block.attr("data-start").await.unwrap().unwrap();
    let end = block.attr("data-end").await.unwrap().unwrap();
    (start.parse().unwrap(), end.parse().unwrap())
}

async fn wait_for_block(app: &App, want: (Timestamp, Timestamp)) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while block_times(app).await != want {
        assert!(
            std::time::Instant::now() < deadline,
            "the block never showed {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn draw_move_resize_and_undo_in_the_week() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    tt(&data, &["projects", "add", "Owl Census"]);
    let today = local_now().date();
    let app = App::launch(&data).await;
    app.open_calendar().await;
    let days = app.wait_for_count("calendar-day", 7).await;
    let mut dates = Vec::new();
    for day in &days {
        dates.push(day.attr("data-date").await.unwrap().unwrap());
    }
    assert!(dates.contains(&today.to_string()), "{dates:?}");
    // The "now" line is in today's column and nowhere else.
    app.wait_for("calendar-now").await;
    let column = app.js(
        "return document.querySelector('[data-testid=calendar-now]').closest('[data-testid=calendar-day]').dataset.date",
    )
    .await;
    assert_eq!(column, Value::from(today.to_string()));
    scroll_to_morning(&app).await;

    // Draw 08:00 to 09:00 on empty time: the dialog opens with those times.
    let from = point(&app, today, 8.0 * 60.0 + 1.0, 0.0).await;
    let to = point(&app, today, 9.0 * 60.0 - 1.0, 0.0).await;
    drag(&app, from, to).await;
    app.wait_for("entry-dialog").await;
    let start = app
        .wait_for("entry-edit-start")
        .await
        .prop("value")
        .await
        .unwrap();
    assert!(start.unwrap().ends_with("08:00"));
    app.fill("entry-edit-description", "Drawn in the calendar")
        .await;
    app.wait_for("entry-edit-project")
        .await
        .select_by_label("Owl Census")
        .await
        .unwrap();
    app.click("entry-edit-save").await;
    let (eight, nine) = (today_at(8, 0), today_at(9, 0));
    wait_for_block(&app, (eight, nine)).await;
    let entry = wait_for_entry(&data, (eight, nine)).await;
    assert_eq!(entry["description"], "Drawn in the calendar");
    assert_eq!(entry["project_name"], "Owl Census");

    // Move it down an hour by its middle.
    let grab = point(&app, today, 8.0 * 60.0 + 30.0, 0.0).await;
    let drop_at = point(&app, today, 9.0 * 60.0 + 31.0, 0.0).await;
    drag(&app, grab, drop_at).await;
    let ten = today_at(10, 0);
    wait_for_block(&app, (nine, ten)).await;
    wait_for_entry(&data, (nine, ten)).await;

    // Stretch its bottom edge by half an hour.
    let edge = point(&app, today, 10.0 * 60.0 - 2.0 * 60.0 / HOUR_PX, 0.0).await;
    let lower = point(&app, today, 10.0 * 60.0 + 29.0, 0.0).await;
    drag(&app, edge, lower).await;
    let half_past = today_at(10, 30);
    wait_for_block(&app, (nine, half_past)).await;
    wait_for_entry(&data, (nine, half_past)).await;

    // Ctrl+Z walks back: the resize, then the move.
    ctrl_z(&app).await;
    wait_for_block(&app, (nine, ten)).await;
    ctrl_z(&app).await;
    wait_for_block(&app, (eight, nine)).await;
    wait_for_entry(&data, (eight, nine)).await;

    // Keyboard: focus the block, Delete removes it, Ctrl+Z brings it back.
    app.wait_for("calendar-entry").await.click().await.unwrap();
    // A click without a drag opens the entry; Escape closes it.
    app.wait_for("entry-dialog").await;
    press(&app, ESCAPE).await;
    app.js("document.querySelector('[data-testid=calendar-entry]').focus()")
        .await;
    press(&app, DELETE).await;
    app.wait_for_count("calendar-entry", 0).await;
    ctrl_z(&app).await;
    app.wait_for_count("calendar-entry", 1).await;
    wait_for_entry(&data, (eight, nine)).await;

    // Previous and next step by a week.
    let first = dates[0].clone();
    app.click("calendar-prev").await;
    app.wait_for_text("calendar-title", |t| !t.is_empty()).await;
    wait_attr(&app, "calendar", "data-from", &shift(&first, -7)).await;
    app.click("calendar-next").await;
    app.click("calendar-next").await;
    wait_attr(&app, "calendar", "data-from", &shift(&first, 7)).await;
    if let Some(dir) = std::env::var_os("E2E_SCREENSHOT_DIR") {
        screenshot_week(&app, &data, &dates, std::path::Path::new(&dir)).await;
    }
    app.quit().await;

    let logs = std::fs::read_to_string(data.join("logs/app.jsonl")).unwrap();
    assert!(logs.contains("\"calendar.entry_moved\""), "no move logged");
    assert!(
        logs.contains("\"calendar.entry_resized\""),
        "no resize logged"
    );
}

fn shift(date: &str, days: i64) -> String {
    let d: Date = date.parse().unwrap();
    d.checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

async fn wait_attr(app: &App, test_id: &str, attr: &str, want: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let got = app.wait_for(test_id).await.attr(attr).await.unwrap();
        if got.as_deref() == Some(want) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{test_id} {attr} is {got:?}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// For the docs: a week with a few days of entries, two that overlap, and
/// a running timer.
async fn screenshot_week(
    app: &App,
    data: &std::path::Path,
    dates: &[String],
    dir: &std::path::Path,
) {
    let zone = &midday_zone().1;
    let mut csv = String::from(
        "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\r\n",
    );
    let plan: [(&str, &str, i8, i8, i8, i8); 6] = [
        ("Owl Census", "Counting the barn", 8, 30, 10, 15),
        ("Website", "Landing page", 10, 30, 12, 0),
        ("Owl Census", "Field notes", 13, 0, 15, 30),
        ("Website", "Review", 14, 0, 15, 0),
        ("Grant", "Budget", 9, 0, 11, 30),
        ("Grant", "Call with the board", 16, 0, 17, 0),
    ];
    let today = local_now().date();
    for (n, date) in dates.iter().enumerate() {
        let day: Date = date.parse().unwrap();
        if day >= today {
            break;
        }
        for (k, (project, what, h1, m1, h2, m2)) in plan.iter().enumerate() {
            if (n + k) % 3 == 2 {
                continue;
            }
            let at = |h: i8, m: i8| {
                day.at(h, m, 0, 0)
                    .to_zoned_datetime(zone.clone())
                    .unwrap()
                    .timestamp()
            };
            csv.push_str(&format!(
                ",{project},,{what},{},{},,,false,,\r\n",
                at(*h1, *m1),
                at(*h2, *m2)
            ));
        }
    }
    let file = data.join("week.csv");
    std::fs::write(&file, csv).unwrap();
    tt(data, &["import", file.to_str().unwrap()]);
    tt(data, &["start", "Website", "-d", "Writing the docs"]);
    app.click("calendar-today").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    app.js("document.querySelector('.calendar-grid .scroller').scrollTop = 7.5 * 48;")
        .await;
    app.screenshot(&dir.join("calendar.png")).await;
}
