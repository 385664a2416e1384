use jiff::SignedDuration;

use crate::test_support::tracker_at;

use super::gap_seconds;
use crate::Clock;
use crate::Tracker;

#[test]
fn pause_then_resume_makes_two_entries_with_the_break_between() {
    let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
    let owl = t.create_project("Owl Census", None).unwrap();
    t.start_timer_tagged(Some(owl.id), "Counting", &["field".to_owned()])
        .unwrap();
    clock.advance(SignedDuration::from_mins(50));
    let paused = t.pause_timer().unwrap();
    assert_eq!(paused.duration_seconds, 50 * 60);
    assert!(
        t.timer_status().unwrap().is_none(),
        "a pause stops the timer"
    );
    let status = t.paused().unwrap().unwrap();
    assert_eq!(status.entry.id, paused.id);
    assert_eq!(status.paused_at, clock.now());

    clock.advance(SignedDuration::from_mins(15));
    let resumed = t.resume_timer().unwrap();
    assert!(resumed.stopped.is_none());
    let new = resumed.started;
    assert_ne!(new.id, paused.id);
    assert_eq!(
        (
            new.project_id,
            new.description.as_str(),
            new.tags.as_slice()
        ),
        (Some(owl.id), "Counting", ["field".to_owned()].as_slice())
    );
    assert_eq!(new.started_at, clock.now());
    assert!(t.paused().unwrap().is_none(), "resumed once");
    assert_eq!(t.resume_timer().unwrap_err().code(), "timer.not_paused");

    // The break is the gap between the two entries.
    let entries = t
        .list_entries(
            status.entry.started_at,
            clock.now() + SignedDuration::from_secs(1),
        )
        .unwrap();
    assert_eq!(entries.len(), 2);
    let gap =
        entries[1].started_at.as_millisecond() - entries[0].stopped_at.unwrap().as_millisecond();
    assert_eq!(gap, 15 * 60 * 1000);
}

#[test]
fn pause_needs_a_running_timer_and_resume_a_pause() {
    let (mut t, _) = tracker_at("2026-11-28T09:00:00Z");
    assert_eq!(t.pause_timer().unwrap_err().code(), "timer.not_running");
    assert_eq!(t.resume_timer().unwrap_err().code(), "timer.not_paused");
    t.start_timer(None, "x").unwrap();
    t.stop_timer().unwrap();
    assert_eq!(t.resume_timer().unwrap_err().code(), "timer.not_paused");
}

#[test]
fn any_start_ends_the_break_and_a_deleted_entry_cannot_be_resumed() {
    let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
    t.start_timer(None, "Reading").unwrap();
    clock.advance(SignedDuration::from_mins(5));
    t.pause_timer().unwrap();
    t.start_timer(None, "Something else").unwrap();
    assert!(t.paused().unwrap().is_none());
    t.stop_timer().unwrap();
    assert_eq!(t.resume_timer().unwrap_err().code(), "timer.not_paused");

    clock.advance(SignedDuration::from_mins(5));
    t.start_timer(None, "Writing").unwrap();
    clock.advance(SignedDuration::from_mins(5));
    let paused = t.pause_timer().unwrap();
    t.delete_entry(paused.id).unwrap();
    assert!(t.paused().unwrap().is_none());
    assert_eq!(t.resume_timer().unwrap_err().code(), "timer.not_paused");
}

#[test]
fn no_pause_is_offered_while_a_timer_runs_that_started_elsewhere() {
    let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
    t.start_timer(None, "Reading").unwrap();
    clock.advance(SignedDuration::from_mins(5));
    let paused = t.pause_timer().unwrap();
    // Made the running entry again by an edit, not by a start.
    t.update_entry(
        paused.id,
        crate::EntryPatch {
            stopped_at: Some(None),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(t.timer_status().unwrap().is_some());
    assert!(t.paused().unwrap().is_none());
    assert_eq!(t.resume_timer().unwrap_err().code(), "timer.not_paused");
}

#[test]
fn a_resume_of_an_entry_whose_project_was_archived_is_refused_and_keeps_the_pause() {
    let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
    let p = t.create_project("Old", None).unwrap();
    t.start_timer(Some(p.id), "").unwrap();
    clock.advance(SignedDuration::from_mins(5));
    t.pause_timer().unwrap();
    t.archive_project(p.id).unwrap();
    assert_eq!(t.resume_timer().unwrap_err().code(), "project.archived");
    assert!(t.paused().unwrap().is_some(), "nothing was lost");
    assert!(t.timer_status().unwrap().is_none());
}

#[test]
fn the_break_of_a_day_is_the_time_between_its_entries_that_none_covers() {
    let min = 60_000;
    assert_eq!(gap_seconds(&mut []), 0);
    assert_eq!(gap_seconds(&mut [(0, 10 * min)]), 0);
    // 9:00-10:00, 10:15-11:00 (given out of order), 12:00-12:30.
    let mut day = [(75 * min, 120 * min), (0, 60 * min), (180 * min, 210 * min)];
    assert_eq!(gap_seconds(&mut day), (15 + 60) * 60);
    // Overlaps count once; an entry inside another adds no break.
    let mut overlapping = [
        (0, 60 * min),
        (30 * min, 90 * min),
        (40 * min, 50 * min),
        (100 * min, 110 * min),
    ];
    assert_eq!(gap_seconds(&mut overlapping), 10 * 60);
    // Back to back: no break.
    assert_eq!(gap_seconds(&mut [(0, 5 * min), (5 * min, 9 * min)]), 0);
}

fn add(t: &mut Tracker, from: &str, to: &str) {
    t.add_entry(crate::NewEntry {
        project_id: None,
        description: String::new(),
        started_at: crate::test_support::ts(from),
        stopped_at: crate::test_support::ts(to),
        tags: vec![],
    })
    .unwrap();
}

#[test]
fn days_and_reports_show_the_break_between_entries_per_local_day() {
    let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
    t.start_timer(None, "Reading").unwrap();
    clock.advance(SignedDuration::from_mins(60));
    t.pause_timer().unwrap();
    clock.advance(SignedDuration::from_mins(15));
    t.resume_timer().unwrap();
    clock.advance(SignedDuration::from_mins(45));
    // The running entry counts up to now: still no break after it.
    let today = t.recent_days(1, &jiff::tz::TimeZone::UTC).unwrap();
    assert_eq!(today[0].break_seconds, 15 * 60);
    assert_eq!(today[0].total_seconds, 105 * 60);
    t.stop_timer().unwrap();

    // Over midnight in Paris (UTC+1): 23:00-01:00 local ends the 26th and
    // begins the 27th, whose next entry is at 09:00 local.
    add(&mut t, "2026-11-26T08:00:00Z", "2026-11-26T09:00:00Z");
    add(&mut t, "2026-11-26T22:00:00Z", "2026-11-27T00:00:00Z");
    add(&mut t, "2026-11-27T08:00:00Z", "2026-11-27T08:30:00Z");
    let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let report = t
        .report(&crate::reports::ReportQuery {
            from: crate::test_support::ts("2026-11-25T23:00:00Z"),
            to: crate::test_support::ts("2026-11-27T23:00:00Z"),
            tz: paris.clone(),
            rounding: crate::reports::Rounding::default(),
        })
        .unwrap();
    let breaks: Vec<(&str, i64)> = report
        .by_day
        .iter()
        .map(|d| (d.date.as_str(), d.break_seconds))
        .collect();
    // The 26th: 09:00-10:00, then 23:00 to midnight: 13 h between.
    // The 27th: midnight to 01:00, then 09:00-09:30: 8 h between.
    assert_eq!(
        breaks,
        [("2026-11-26", 13 * 3600), ("2026-11-27", 8 * 3600)]
    );
    let days = t
        .entries_by_day(
            jiff::civil::date(2026, 11, 26),
            jiff::civil::date(2026, 11, 27),
            &paris,
        )
        .unwrap();
    // The Entries view groups by start: the entry over midnight is the 26th's.
    assert_eq!(days[1].date, "2026-11-26");
    assert_eq!(days[1].break_seconds, 13 * 3600);
    assert_eq!(days[0].break_seconds, 0);
}
