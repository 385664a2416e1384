use std::sync::Arc;
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::settings::{idle_timeout_from_env, parse_hh_mm};
use super::*;
use crate::test_support::{tracker_at, ts};
use crate::{FakeClock, Tracker};

const HOUR: Duration = Duration::from_secs(3600);

// --- settings -------------------------------------------------------------

#[test]
fn desktop_settings_default_then_persist_normalised() {
    let (mut t, _) = tracker_at("2026-11-30T09:00:00Z");
    let defaults = t.desktop_settings().unwrap();
    assert_eq!(defaults, DesktopSettings::default());
    assert!(defaults.hide_to_tray && !defaults.autostart && !defaults.reminders.enabled);
    assert_eq!(defaults.shortcut, "Ctrl+Alt+T");
    assert_eq!(defaults.pause_shortcut, "", "no pause key is taken unasked");
    assert_eq!(
        (
            defaults.idle_timeout_minutes,
            defaults.forgotten_after_hours
        ),
        (10, 10)
    );
    assert_eq!(defaults.reminders.weekdays, [1, 2, 3, 4, 5]);

    let wanted = DesktopSettings {
        hide_to_tray: false,
        shortcut: "  Super+Shift+T ".into(),
        pause_shortcut: " Super+Shift+P ".into(),
        idle_timeout_minutes: 0,
        forgotten_after_hours: 48,
        reminders: Reminders {
            enabled: true,
            weekdays: vec![6, 1, 1, 3],
            start: "8:30".into(),
            end: "18:05".into(),
            every_minutes: 45,
        },
        autostart: true,
    };
    let stored = t.set_desktop_settings(&wanted).unwrap();
    assert_eq!(stored.shortcut, "Super+Shift+T");
    assert_eq!(stored.pause_shortcut, "Super+Shift+P");
    assert_eq!(stored.reminders.weekdays, [1, 3, 6]);
    assert_eq!(stored.reminders.start, "08:30");
    assert_eq!(stored.reminders.end, "18:05");
    assert_eq!(t.desktop_settings().unwrap(), stored);
}

fn rejected(change: impl FnOnce(&mut DesktopSettings), needle: &str) {
    let (mut t, _) = tracker_at("2026-11-30T09:00:00Z");
    let mut s = DesktopSettings::default();
    change(&mut s);
    let err = t.set_desktop_settings(&s).unwrap_err();
    assert_eq!(err.code(), "settings.invalid");
    let message = err.to_string();
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    // Nothing was stored.
    assert_eq!(t.desktop_settings().unwrap(), DesktopSettings::default());
}

#[test]
fn invalid_desktop_settings_are_refused_with_a_clear_message() {
    rejected(|s| s.shortcut = "   ".into(), "shortcut");
    rejected(|s| s.pause_shortcut = "ctrl+alt+t".into(), "must differ");
    rejected(|s| s.idle_timeout_minutes = 241, "0 (off) to 240 minutes");
    rejected(|s| s.forgotten_after_hours = 0, "1 to 48 hours");
    rejected(|s| s.forgotten_after_hours = 49, "49");
    rejected(|s| s.reminders.start = "9am".into(), "\u{201c}9am\u{201d}");
    rejected(|s| s.reminders.end = "24:00".into(), "HH:MM");
    rejected(
        |s| s.reminders.start = "17:00".into(),
        "start before they end",
    );
    rejected(
        |s| s.reminders.weekdays = vec![0, 1],
        "1 (Monday) to 7 (Sunday)",
    );
    rejected(
        |s| {
            s.reminders.enabled = true;
            s.reminders.weekdays.clear();
        },
        "at least one day",
    );
    rejected(|s| s.reminders.every_minutes = 0, "5 to 480 minutes");
}

#[test]
fn missing_or_unreadable_fields_read_as_defaults() {
    let (t, _) = tracker_at("2026-11-30T09:00:00Z");
    t.storage
        .conn()
        .execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('desktop', '{\"autostart\":true,\"reminders\":{\"enabled\":true}}', 0)",
            [],
        )
        .unwrap();
    let s = t.desktop_settings().unwrap();
    assert!(s.autostart && s.reminders.enabled);
    assert_eq!(s.reminders.start, "09:00");
    assert_eq!(s.shortcut, "Ctrl+Alt+T");
}

#[test]
fn times_and_the_environment_override_parse_strictly() {
    assert_eq!(parse_hh_mm("09:00"), Some(540));
    assert_eq!(parse_hh_mm("9:05"), Some(545));
    assert_eq!(parse_hh_mm("23:59"), Some(1439));
    for bad in [
        "", "9", "09:5", "24:00", "12:60", "-1:00", "09:00:00", "ab:cd",
    ] {
        assert_eq!(parse_hh_mm(bad), None, "{bad}");
    }
    assert_eq!(idle_timeout_from_env(None), None);
    assert_eq!(idle_timeout_from_env(Some(" ")), None);
    assert_eq!(idle_timeout_from_env(Some("0")), Some(0));
    assert_eq!(idle_timeout_from_env(Some(" 15 ")), Some(15));
    assert_eq!(idle_timeout_from_env(Some("241")), None);
    assert_eq!(idle_timeout_from_env(Some("ten")), None);
}

// --- forgotten timers -----------------------------------------------------

#[test]
fn a_timer_is_forgotten_once_it_ran_past_the_threshold() {
    let (mut t, _) = tracker_at("2026-11-30T09:00:00Z");
    let threshold = 10 * HOUR;
    assert_eq!(
        t.forgotten_timer(ts("2026-11-30T20:00:00Z"), threshold)
            .unwrap(),
        None
    );
    let e = t.start_timer(None, "").unwrap().started;
    assert_eq!(
        t.forgotten_timer(ts("2026-11-30T18:59:59Z"), threshold)
            .unwrap(),
        None
    );
    let found = t
        .forgotten_timer(ts("2026-11-30T19:00:00Z"), threshold)
        .unwrap()
        .unwrap();
    assert_eq!(found.id, e.id);
    t.stop_timer().unwrap();
    assert_eq!(
        t.forgotten_timer(ts("2026-12-01T09:00:00Z"), threshold)
            .unwrap(),
        None
    );
}

// --- heartbeat and stale timers -------------------------------------------

const GRACE: Duration = Duration::from_secs(180);

#[test]
fn a_timer_running_while_the_app_was_closed_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at(ts("2026-11-30T09:00:00Z"));
    let open = || Tracker::open_in_dir(dir.path(), Arc::new(clock.clone())).unwrap();
    let entry = {
        let mut app = open();
        let e = app.start_timer(None, "Forgot me").unwrap().started;
        clock.set(ts("2026-11-30T09:30:00Z"));
        app.heartbeat().unwrap();
        e
        // The app quits at 09:30; the timer keeps running.
    };
    clock.set(ts("2026-11-30T14:00:00Z"));
    let mut app = open();
    assert_eq!(
        app.last_heartbeat().unwrap(),
        Some(ts("2026-11-30T09:30:00Z"))
    );
    let stale = app.stale_timer(GRACE).unwrap().unwrap();
    assert_eq!(stale.entry.id, entry.id);
    assert_eq!(stale.last_heartbeat, ts("2026-11-30T09:30:00Z"));

    // The app runs on and beats while the dialog waits for an answer.
    app.heartbeat().unwrap();
    clock.set(ts("2026-11-30T14:05:00Z"));
    app.heartbeat().unwrap();

    let stopped = app
        .resolve_stale(entry.id, StaleDecision::StopAtHeartbeat)
        .unwrap();
    assert_eq!(stopped.stopped_at, Some(ts("2026-11-30T09:30:00Z")));
    assert_eq!(stopped.duration_seconds, 1800);
    drop(app);
    let reopened = open();
    assert_eq!(
        reopened.entry(entry.id).unwrap().stopped_at,
        Some(ts("2026-11-30T09:30:00Z"))
    );
    assert!(reopened.timer_status().unwrap().is_none());
}

#[test]
fn keep_leaves_a_stale_timer_running() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let e = t.start_timer(None, "").unwrap().started;
    clock.set(ts("2026-11-30T09:10:00Z"));
    t.heartbeat().unwrap();
    clock.set(ts("2026-11-30T12:00:00Z"));
    assert!(t.stale_timer(GRACE).unwrap().is_some());
    let kept = t.resolve_stale(e.id, StaleDecision::Keep).unwrap();
    assert!(kept.is_running());
    assert_eq!(t.timer_status().unwrap().unwrap().id, e.id);
}

#[test]
fn a_timer_started_after_the_last_heartbeat_is_not_stale() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    t.heartbeat().unwrap();
    // The app is closed; at 10:00 the tt CLI starts a timer.
    clock.set(ts("2026-11-30T10:00:00Z"));
    t.start_timer(None, "").unwrap();
    clock.set(ts("2026-11-30T12:00:00Z"));
    assert_eq!(t.stale_timer(GRACE).unwrap(), None);
}

#[test]
fn a_recent_heartbeat_or_none_at_all_is_not_stale() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let e = t.start_timer(None, "").unwrap().started;
    clock.set(ts("2026-11-30T10:00:00Z"));
    // No heartbeat yet (first run of this version): nothing to compare with.
    assert_eq!(t.stale_timer(GRACE).unwrap(), None);
    let err = t
        .resolve_stale(e.id, StaleDecision::StopAtHeartbeat)
        .unwrap_err();
    assert_eq!(err.code(), "timer.no_heartbeat");
    t.heartbeat().unwrap();
    // A quick restart within the grace period.
    clock.advance(SignedDuration::from_secs(120));
    assert_eq!(t.stale_timer(GRACE).unwrap(), None);
    // No running entry.
    clock.advance(SignedDuration::from_secs(3600));
    t.stop_timer().unwrap();
    assert_eq!(t.stale_timer(GRACE).unwrap(), None);
}

#[test]
fn stopping_an_entry_that_no_longer_runs_is_a_typed_error() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let e = t.start_timer(None, "").unwrap().started;
    clock.set(ts("2026-11-30T09:10:00Z"));
    t.heartbeat().unwrap();
    clock.set(ts("2026-11-30T12:00:00Z"));
    assert!(t.stale_timer(GRACE).unwrap().is_some());
    t.stop_timer().unwrap();
    let err = t
        .resolve_stale(e.id, StaleDecision::StopAtHeartbeat)
        .unwrap_err();
    assert_eq!(err.code(), "timer.not_running");
    assert_eq!(
        t.entry(e.id).unwrap().stopped_at,
        Some(ts("2026-11-30T12:00:00Z"))
    );
}

// --- reminders ------------------------------------------------------------

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap()
}

fn working_hours() -> Reminders {
    Reminders {
        enabled: true,
        ..Reminders::default()
    }
}

fn due(now: &str, r: &Reminders, running: bool, last: Option<Timestamp>) -> bool {
    reminder_due(ts(now), &paris(), r, running, last)
}

#[test]
fn reminders_come_only_inside_working_hours_in_the_users_zone() {
    let r = working_hours();
    // Monday 2026-11-30; Paris is UTC+1 in winter.
    assert!(due("2026-11-30T08:00:00Z", &r, false, None)); // 09:00 local
    assert!(!due("2026-11-30T07:59:00Z", &r, false, None)); // 08:59
    assert!(due("2026-11-30T15:59:00Z", &r, false, None)); // 16:59
    assert!(!due("2026-11-30T16:00:00Z", &r, false, None)); // 17:00, end excluded
                                                            // 23:30 UTC on Sunday is 00:30 on Monday in Paris: outside the hours,
                                                            // and 08:30 UTC on Saturday is a weekend.
    assert!(!due("2026-11-29T23:30:00Z", &r, false, None));
    assert!(!due("2026-11-28T09:30:00Z", &r, false, None));
    let weekend = Reminders {
        weekdays: vec![6, 7],
        ..working_hours()
    };
    assert!(due("2026-11-28T09:30:00Z", &weekend, false, None));
    assert!(!due("2026-11-30T09:30:00Z", &weekend, false, None));
}

#[test]
fn no_reminder_while_a_timer_runs_or_when_off() {
    assert!(!due("2026-11-30T09:00:00Z", &working_hours(), true, None));
    assert!(!due(
        "2026-11-30T09:00:00Z",
        &Reminders::default(),
        false,
        None
    ));
}

#[test]
fn reminders_wait_every_minutes_between_them() {
    let r = working_hours(); // every 30 minutes
    let last = Some(ts("2026-11-30T09:00:00Z"));
    assert!(!due("2026-11-30T09:00:00Z", &r, false, last));
    assert!(!due("2026-11-30T09:29:59Z", &r, false, last));
    assert!(due("2026-11-30T09:30:00Z", &r, false, last));
}
