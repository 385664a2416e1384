//! Idle detection end to end: the app reads the X server's idle time
//! (XScreenSaver), and after IDLE_TIMEOUT_MINUTES without input asks on the
//! next real input; "discard" ends the entry when the input stopped.
//! Takes over a minute: the shortest timeout is one minute.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use timetracker_core::{FakeClock, SystemClock, Tracker};
use timetracker_e2e::{fresh_data_dir, App, SERIAL};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::MOTION_NOTIFY_EVENT;
use x11rb::protocol::xtest::ConnectionExt as _;

/// Moves the pointer through XTEST: input as far as the X server knows.
fn real_input(x: i16) {
    let (conn, screen) = x11rb::connect(None).unwrap();
    let root = conn.setup().roots[screen].root;
    conn.xtest_fake_input(MOTION_NOTIFY_EVENT, 0, 0, root, x, 100, 0)
        .unwrap()
        .check()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_time_is_asked_about_on_return_and_discard_ends_the_entry_when_input_stopped() {
    let _serial = SERIAL.lock().await;
    let (_tmp, data) = fresh_data_dir();
    let started = Timestamp::now() - SignedDuration::from_mins(10);
    let entry_id = {
        let clock = FakeClock::at(started);
        let mut db = Tracker::open_in_dir(&data, Arc::new(clock)).unwrap();
        let project = db.create_project("Heron Watch", None).unwrap();
        db.start_timer(Some(project.id), "").unwrap().started.id
    };

    let app = App::launch_with_env(&data, &[("IDLE_TIMEOUT_MINUTES", "1")]).await;
    app.wait_for_text("timer-status", |t| t == "running").await;
    real_input(10);
    let last_input = Timestamp::now();
    // Over a minute without input, then the user is back.
    tokio::time::sleep(Duration::from_secs(75)).await;
    assert!(
        app.all("idle-dialog").await.is_empty(),
        "asked before the user came back"
    );
    real_input(200);
    let dialog = app.wait_for("idle-dialog").await.text().await.unwrap();
    assert!(dialog.contains("You were away"), "{dialog}");
    app.click("idle-discard").await;
    app.wait_for_text("timer-status", |t| t == "stopped").await;
    app.quit().await;

    let db = Tracker::open_in_dir(&data, Arc::new(SystemClock)).unwrap();
    let entry = db.entry(entry_id).unwrap();
    let stopped = entry.stopped_at.expect("the entry was stopped");
    // It ends at the last input, not when the user answered.
    let off_by = stopped.duration_since(last_input).abs();
    assert!(
        off_by < SignedDuration::from_secs(5),
        "stopped at {stopped}, last input at {last_input}"
    );
    assert!(db.timer_status().unwrap().is_none());
}
