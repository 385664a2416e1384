use jiff::civil::{date, Weekday};
use jiff::tz::TimeZone;
use jiff::SignedDuration;

use super::*;
use crate::reports::{ReportQuery, ReportRange, Rounding};
use crate::test_support::{tracker_at, ts};
use crate::NewEntry;

/// Eight hours Monday to Thursday, six on Friday, none at the weekend.
fn hours() -> WorkHours {
    WorkHours {
        weekday_minutes: [480, 480, 480, 480, 360, 0, 0],
        days_off: vec![],
        balance_from: None,
    }
}

fn add(t: &mut Tracker, from: &str, to: &str) {
    t.add_entry(NewEntry {
        project_id: None,
        description: String::new(),
        started_at: ts(from),
        stopped_at: ts(to),
        tags: vec![],
    })
    .unwrap();
}

#[test]
fn a_week_has_its_weekday_targets_less_its_days_off() {
    let mut h = hours();
    // 2026-11-23 is a Monday.
    assert_eq!(h.target(date(2026, 11, 23), date(2026, 11, 29)), 38 * 3600);
    h.days_off = vec![date(2026, 11, 26), date(2026, 11, 26), date(2026, 11, 28)];
    let h = h.validated().unwrap();
    assert_eq!(
        h.days_off,
        [date(2026, 11, 26), date(2026, 11, 28)],
        "sorted, once each"
    );
    assert_eq!(h.target(date(2026, 11, 23), date(2026, 11, 29)), 30 * 3600);
    assert_eq!(h.day_target(date(2026, 11, 27)), 6 * 3600);

    let mut too_long = hours();
    too_long.weekday_minutes[2] = 25 * 60;
    assert_eq!(too_long.validated().unwrap_err().code(), "settings.invalid");
    assert!(!WorkHours::default().is_set());
}

#[test]
fn nothing_is_reported_against_a_target_until_work_hours_are_set() {
    let (mut t, _) = tracker_at("2026-11-25T12:00:00Z");
    add(&mut t, "2026-11-23T08:00:00Z", "2026-11-23T16:00:00Z");
    assert!(t
        .work_progress(Weekday::Monday, &TimeZone::UTC)
        .unwrap()
        .is_none());
    let range = ReportRange::week(date(2026, 11, 25), &TimeZone::UTC).unwrap();
    let report = t
        .report(&ReportQuery {
            from: range.from,
            to: range.to,
            tz: TimeZone::UTC,
            rounding: Rounding::NONE,
        })
        .unwrap();
    assert_eq!((report.target, report.balance), (None, None));
    // Kept across a restart of the app: a setting.
    t.set_work_hours(hours()).unwrap();
    assert_eq!(t.work_hours().unwrap(), hours());
}

#[test]
fn today_and_the_week_count_from_the_locales_first_day_and_over_midnight() {
    // Wednesday 2026-11-25, 15:00 in Berlin (UTC+1).
    let (mut t, clock) = tracker_at("2026-11-25T14:00:00Z");
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    t.set_work_hours(hours()).unwrap();
    // Sunday 22nd, Monday 23rd, and Tuesday 22:00 to Wednesday 02:00 local.
    add(&mut t, "2026-11-22T09:00:00Z", "2026-11-22T11:00:00Z");
    add(&mut t, "2026-11-23T07:00:00Z", "2026-11-23T15:00:00Z");
    add(&mut t, "2026-11-24T21:00:00Z", "2026-11-25T01:00:00Z");
    t.start_timer(None, "").unwrap();
    clock.advance(SignedDuration::from_mins(30));

    let monday = t.work_progress(Weekday::Monday, &berlin).unwrap().unwrap();
    // Today: 02:00 of the night entry after midnight, and the running half hour.
    assert_eq!(monday.today, Progress::new(8 * 3600, 2 * 3600 + 1800));
    assert_eq!(monday.week.target_seconds, 38 * 3600);
    assert_eq!(monday.week.tracked_seconds, (8 + 4) * 3600 + 1800);
    assert_eq!(monday.balance, None, "no start day, no balance");

    // A week that starts on Sunday takes in Sunday's two hours, and its
    // target is the same five working days.
    let sunday = t.work_progress(Weekday::Sunday, &berlin).unwrap().unwrap();
    assert_eq!(sunday.week.target_seconds, 38 * 3600);
    assert_eq!(sunday.week.tracked_seconds, (2 + 8 + 4) * 3600 + 1800);
}

#[test]
fn the_balance_runs_through_yesterday_with_holidays_and_a_dst_change() {
    // Paris leaves summer time on Sunday 2026-10-25 (a 25-hour day).
    // The balance starts on Friday the 23rd; today is Tuesday the 27th.
    let paris = TimeZone::get("Europe/Paris").unwrap();
    let (mut t, _) = tracker_at("2026-10-27T10:00:00Z");
    let mut h = hours();
    h.balance_from = Some(date(2026, 10, 23));
    h.days_off = vec![date(2026, 10, 26)];
    t.set_work_hours(h).unwrap();
    // Friday 7 h (target 6), Saturday 1 h (target 0), Sunday 23:00 to
    // Monday 01:00 local over the long night (target 0, a holiday on
    // Monday), and today's 2 h, which the balance leaves for tomorrow.
    add(&mut t, "2026-10-23T07:00:00Z", "2026-10-23T14:00:00Z");
    add(&mut t, "2026-10-24T08:00:00Z", "2026-10-24T09:00:00Z");
    add(&mut t, "2026-10-25T22:00:00Z", "2026-10-26T00:00:00Z");
    add(&mut t, "2026-10-27T07:00:00Z", "2026-10-27T09:00:00Z");
    let balance = t.balance(&paris).unwrap().unwrap();
    assert_eq!(balance.from, date(2026, 10, 23));
    assert_eq!(balance.through, date(2026, 10, 26));
    assert_eq!(balance.seconds, (7 + 1 + 2 - 6) * 3600);

    // The report of the week shows the week's target against its total,
    // and the same balance.
    let range = ReportRange::week(date(2026, 10, 27), &paris).unwrap();
    let report = t
        .report(&ReportQuery {
            from: range.from,
            to: range.to,
            tz: paris.clone(),
            rounding: Rounding::NONE,
        })
        .unwrap();
    let target = report.target.unwrap();
    // Monday the 26th is a holiday: 8 + 8 + 8 + 6 hours are left.
    assert_eq!(target.target_seconds, 30 * 3600);
    assert_eq!(target.tracked_seconds, report.total_seconds);
    assert_eq!(target.difference_seconds, report.total_seconds - 30 * 3600);
    assert_eq!(report.balance, Some(balance));

    // A start day from today on has nothing to count yet.
    let mut later = t.work_hours().unwrap();
    later.balance_from = Some(date(2026, 10, 27));
    t.set_work_hours(later).unwrap();
    assert_eq!(t.balance(&paris).unwrap().unwrap().seconds, 0);
}
