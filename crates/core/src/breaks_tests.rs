use jiff::SignedDuration;

use crate::test_support::tracker_at;

use crate::Clock;

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
