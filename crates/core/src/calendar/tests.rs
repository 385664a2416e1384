use std::sync::{Arc, Mutex};

use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::SignedDuration;

use super::*;
use crate::entries::edit::NewEntry;
use crate::events::product::Event;
use crate::test_support::{tracker_at, ts};
use crate::tracker::EventObserver;
use crate::Clock;

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").unwrap()
}

fn add(t: &mut Tracker, start: &str, end: &str, description: &str) -> Entry {
    t.add_entry(NewEntry {
        project_id: None,
        description: description.into(),
        started_at: ts(start),
        stopped_at: ts(end),
        tags: Vec::new(),
    })
    .unwrap()
}

fn descriptions(span: &CalendarSpan) -> Vec<&str> {
    span.entries
        .iter()
        .map(|e| e.description.as_str())
        .collect()
}

#[test]
fn a_week_across_the_autumn_dst_change_has_a_25_hour_sunday() {
    // Berlin leaves summer time on Sunday 2026-10-25.
    let (t, _) = tracker_at("2026-10-28T12:00:00Z");
    let span = t.calendar(date(2026, 10, 19), 7, &berlin()).unwrap();
    let hours: Vec<i64> = span
        .days
        .iter()
        .map(|d| d.ends_at.duration_since(d.starts_at).as_hours())
        .collect();
    assert_eq!(hours, [24, 24, 24, 24, 24, 24, 25]);
    assert_eq!(span.days[0].date, "2026-10-19");
    assert_eq!(span.days[0].starts_at, ts("2026-10-18T22:00:00Z"));
    assert_eq!(span.days[6].ends_at, ts("2026-10-25T23:00:00Z"));
    assert!(span.entries.is_empty());
}

#[test]
fn an_entry_across_midnight_is_listed_once_and_counts_in_both_days() {
    let (mut t, _) = tracker_at("2026-11-28T12:00:00Z");
    // 22:00 to 01:30 Berlin time (UTC+1), Tuesday night into Wednesday.
    add(
        &mut t,
        "2026-11-24T21:00:00Z",
        "2026-11-25T00:30:00Z",
        "night shift",
    );
    let span = t.calendar(date(2026, 11, 23), 7, &berlin()).unwrap();
    assert_eq!(descriptions(&span), ["night shift"]);
    let totals: Vec<i64> = span.days.iter().map(|d| d.total_seconds).collect();
    assert_eq!(totals, [0, 2 * 3600, 90 * 60, 0, 0, 0, 0]);

    // Seen from Wednesday alone, it still shows: it runs into that day.
    let wednesday = t.calendar(date(2026, 11, 25), 1, &berlin()).unwrap();
    assert_eq!(descriptions(&wednesday), ["night shift"]);
    assert_eq!(wednesday.days[0].total_seconds, 90 * 60);
}

#[test]
fn only_entries_touching_the_days_are_read_and_a_long_one_from_before_counts() {
    let (mut t, _) = tracker_at("2026-11-28T12:00:00Z");
    add(
        &mut t,
        "2026-11-15T08:00:00Z",
        "2026-11-15T09:00:00Z",
        "week before",
    );
    // A three-day entry that began before the week and ends inside it.
    add(
        &mut t,
        "2026-11-21T08:00:00Z",
        "2026-11-24T08:00:00Z",
        "conference",
    );
    add(
        &mut t,
        "2026-11-23T09:00:00Z",
        "2026-11-23T10:00:00Z",
        "monday",
    );
    // Ends at the week's first instant: it does not touch it.
    add(
        &mut t,
        "2026-11-22T22:00:00Z",
        "2026-11-22T23:00:00Z",
        "sunday late",
    );
    add(
        &mut t,
        "2026-11-30T09:00:00Z",
        "2026-11-30T10:00:00Z",
        "week after",
    );
    let span = t.calendar(date(2026, 11, 23), 7, &berlin()).unwrap();
    assert_eq!(descriptions(&span), ["conference", "monday"]);
    // The conference covers all of Monday and Tuesday to 09:00 local; on
    // Monday it overlaps the hour of "monday", which the total counts
    // twice (as the Entries view does) and the breaks once.
    let totals: Vec<i64> = span.days.iter().map(|d| d.total_seconds).collect();
    assert_eq!(totals, [25 * 3600, 9 * 3600, 0, 0, 0, 0, 0]);
    assert_eq!(span.days[0].break_seconds, 0);
}

#[test]
fn the_running_entry_ends_now_wherever_it_started_and_gaps_are_breaks() {
    let (mut t, clock) = tracker_at("2026-11-25T08:00:00Z");
    add(
        &mut t,
        "2026-11-26T08:00:00Z",
        "2026-11-26T09:00:00Z",
        "morning",
    );
    clock.set(ts("2026-11-26T09:30:00Z"));
    t.start_timer(None, "after the break").unwrap();
    clock.set(ts("2026-11-26T11:00:00Z"));
    let span = t.calendar(date(2026, 11, 26), 1, &berlin()).unwrap();
    assert_eq!(descriptions(&span), ["morning", "after the break"]);
    assert_eq!(span.now, clock.now());
    assert!(span.entries[1].stopped_at.is_none());
    assert_eq!(span.days[0].total_seconds, 3600 + 90 * 60);
    assert_eq!(span.days[0].break_seconds, 30 * 60);

    // Two days on, the timer still runs: it shows in that day too.
    clock.set(ts("2026-11-28T10:00:00Z"));
    let later = t.calendar(date(2026, 11, 28), 1, &berlin()).unwrap();
    assert_eq!(descriptions(&later), ["after the break"]);
    assert_eq!(later.days[0].total_seconds, 11 * 3600);
}

#[test]
fn a_week_may_start_on_sunday_or_monday_and_no_more_than_a_week_is_read() {
    let (t, _) = tracker_at("2026-11-28T12:00:00Z");
    let sunday = t.calendar(date(2026, 11, 22), 7, &berlin()).unwrap();
    assert_eq!(sunday.days[0].date, "2026-11-22");
    assert_eq!(sunday.days[6].date, "2026-11-28");
    let monday = t.calendar(date(2026, 11, 23), 7, &berlin()).unwrap();
    assert_eq!(monday.days[6].date, "2026-11-29");
    for days in [0, 8] {
        assert_eq!(
            t.calendar(date(2026, 11, 23), days, &berlin())
                .unwrap_err()
                .code(),
            "entry.invalid_range"
        );
    }
}

#[derive(Default)]
struct Seen(Mutex<Vec<String>>);

impl EventObserver for Seen {
    fn on_event(&self, _: &Tracker, event: &Event) {
        self.0.lock().unwrap().push(event.parts().0);
    }
}

#[test]
fn a_move_keeps_the_length_and_is_told_as_a_calendar_move_not_an_edit() {
    let (mut t, _) = tracker_at("2026-11-28T12:00:00Z");
    let seen = Arc::new(Seen::default());
    let entry = add(
        &mut t,
        "2026-11-26T08:00:00Z",
        "2026-11-26T09:20:00Z",
        "review",
    );
    t.observe_events(seen.clone());
    let moved = t
        .calendar_edit(
            entry.id,
            CalendarEdit::Move {
                started_at: ts("2026-11-27T13:05:00Z"),
            },
        )
        .unwrap();
    assert_eq!(moved.started_at, ts("2026-11-27T13:05:00Z"));
    assert_eq!(moved.stopped_at, Some(ts("2026-11-27T14:25:00Z")));
    assert_eq!(moved.description, "review");
    assert_eq!(t.entry(entry.id).unwrap(), moved);

    let start = t
        .calendar_edit(
            entry.id,
            CalendarEdit::Start {
                started_at: ts("2026-11-27T12:00:00Z"),
            },
        )
        .unwrap();
    assert_eq!(start.stopped_at, moved.stopped_at, "the end stays");
    let end = t
        .calendar_edit(
            entry.id,
            CalendarEdit::End {
                stopped_at: ts("2026-11-27T15:00:00Z"),
            },
        )
        .unwrap();
    assert_eq!(end.started_at, ts("2026-11-27T12:00:00Z"));
    assert_eq!(end.duration_seconds, 3 * 3600);
    assert_eq!(
        *seen.0.lock().unwrap(),
        [
            "calendar.entry_moved",
            "calendar.entry_resized",
            "calendar.entry_resized"
        ]
    );
}

#[test]
fn a_refused_drag_changes_nothing() {
    let (mut t, clock) = tracker_at("2026-11-28T12:00:00Z");
    let entry = add(
        &mut t,
        "2026-11-26T08:00:00Z",
        "2026-11-26T09:00:00Z",
        "review",
    );
    let err = t
        .calendar_edit(
            entry.id,
            CalendarEdit::End {
                stopped_at: ts("2026-11-26T07:00:00Z"),
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "entry.invalid_range");
    assert_eq!(t.entry(entry.id).unwrap(), entry);

    // The running block moves its start and keeps running, but not into
    // the future.
    let running = t.start_timer(None, "now").unwrap().started;
    clock.advance(SignedDuration::from_mins(30));
    let moved = t
        .calendar_edit(
            running.id,
            CalendarEdit::Move {
                started_at: ts("2026-11-28T11:00:00Z"),
            },
        )
        .unwrap();
    assert!(moved.stopped_at.is_none());
    assert_eq!(moved.duration_seconds, 90 * 60);
    let err = t
        .calendar_edit(
            running.id,
            CalendarEdit::Move {
                started_at: ts("2026-11-28T13:00:00Z"),
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "entry.invalid_range");
    assert_eq!(t.entry(running.id).unwrap().started_at, moved.started_at);
    assert_eq!(
        t.calendar_edit(
            999,
            CalendarEdit::Move {
                started_at: ts("2026-11-28T09:00:00Z")
            }
        )
        .unwrap_err()
        .code(),
        "entry.not_found"
    );
}

#[test]
fn dragging_the_end_of_the_running_block_stops_it_there() {
    let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
    let running = t.start_timer(None, "writing").unwrap().started;
    clock.advance(SignedDuration::from_hours(2));
    let stopped = t
        .calendar_edit(
            running.id,
            CalendarEdit::End {
                stopped_at: ts("2026-11-28T10:30:00Z"),
            },
        )
        .unwrap();
    assert_eq!(stopped.stopped_at, Some(ts("2026-11-28T10:30:00Z")));
    assert!(t.timer_status().unwrap().is_none());
}
