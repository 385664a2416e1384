//! Work hours in the real window: set in Settings, then the week's target
//! and the overtime balance show in Reports, and today's progress in the
//! Timer view, from what the database holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use jiff::ToSpan;
use timetracker_core::{NewEntry, SystemClock, Tracker};
use timetracker_e2e::{fresh_data_dir, local_now, App, SERIAL};

/// `−1:30` / `+0:45`, as the window writes a difference.
fn signed(seconds: i64) -> String {
    let sign = if seconds < 0 { '−' } else { '+' };
    let minutes = (seconds.abs() + 30) / 60;
    format!("{sign}{}:{:02}", minutes / 60, minutes % 60)
}

#[tokio::test(flavor = "multi_thread")]
async fn work_hours_set_in_settings_show_in_reports_and_the_timer_view() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    // Two hours yesterday, at 10:00 local.
    let now = local_now();
    let yesterday = now.date().yesterday().unwrap();
    let from = now.date().checked_sub(7.days()).unwrap();
    {
        let mut t = Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap();
        let start = yesterday
            .at(10, 0, 0, 0)
            .to_zoned_datetime(now.time_zone().clone())
            .unwrap()
            .timestamp();
        t.add_entry(NewEntry {
            project_id: None,
            description: "Survey".into(),
            started_at: start,
            stopped_at: start + jiff::SignedDuration::from_hours(2),
            tags: vec![],
        })
        .unwrap();
    }

    let app = App::launch(&data).await;
    app.open_settings("work").await;
    for day in 1..=5 {
        app.fill(&format!("work-hours-{day}"), "8").await;
    }
    app.fill("work-days-off", "").await;
    // A public-holiday calendar picked in the window's file chooser (the
    // driver types the path into it, as WebDriver does for uploads).
    let ics = data.with_extension("holidays.ics");
    std::fs::write(
        &ics,
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:{}\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            from.strftime("%Y%m%d")
        ),
    )
    .unwrap();
    app.wait_for("work-ics")
        .await
        .send_keys(ics.to_str().unwrap())
        .await
        .unwrap();
    let added = app.text("work-ics-added").await;
    assert!(added.starts_with("1 day added"), "{added}");
    app.client
        .execute(
            &format!(
                "const input = document.querySelector('[data-testid=work-balance-from]');
                 input.value = '{from}';
                 input.dispatchEvent(new Event('input', {{ bubbles: true }}));"
            ),
            vec![],
        )
        .await
        .unwrap();
    app.click("work-save").await;
    app.wait_for("work-saved").await;

    // What the window saved is what the core keeps.
    let hours = Tracker::open_in_dir(&data, Arc::new(SystemClock))
        .unwrap()
        .work_hours()
        .unwrap();
    assert_eq!(hours.weekday_minutes, [480, 480, 480, 480, 480, 0, 0]);
    assert_eq!(hours.balance_from, Some(from));
    assert_eq!(hours.days_off, [from], "the calendar's day was saved");
    let balance = 2 * 3600 - hours.target(from, yesterday);

    app.click("nav-reports").await;
    app.wait_for("report-target").await;
    let shown = app.text("report-balance").await;
    assert_eq!(shown, signed(balance));
    let difference = app.text("report-difference").await;
    assert!(
        difference.starts_with('−') || difference.starts_with('+'),
        "{difference}"
    );

    app.click("nav-timer").await;
    let progress = app.text("timer-progress").await;
    assert!(progress.contains("This week"), "{progress}");
    assert_eq!(app.text("timer-balance").await, signed(balance));
    app.quit().await;
}
