use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::idle::*;
use crate::test_support::{tracker_at, ts};

const MIN: u64 = 60;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn at(base: Timestamp, offset_secs: i64) -> Timestamp {
    base.checked_add(SignedDuration::from_secs(offset_secs))
        .unwrap()
}

/// Polls every 30 s from `from` to `to` (seconds after `base`), idle since
/// `idle_since` (seconds after `base`), collecting prompts.
fn idle_stretch(
    d: &mut IdleDetector,
    base: Timestamp,
    from: i64,
    to: i64,
    idle_since: i64,
    entry: Option<i64>,
) -> Vec<IdlePrompt> {
    let mut prompts = vec![];
    let mut t = from;
    while t <= to {
        let idle = secs(u64::try_from(t - idle_since).unwrap());
        prompts.extend(d.poll(at(base, t), Some(idle), entry));
        t += 30;
    }
    prompts
}

#[test]
fn idle_past_the_timeout_then_input_prompts_once() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    // Last input at 09:00; polls until 09:20 see the idle time grow.
    assert!(idle_stretch(&mut d, base, 0, 20 * 60, 0, Some(7)).is_empty());
    // At 09:20:30 the last input was 5 s ago: the user is back.
    let prompt = d.poll(at(base, 20 * 60 + 30), Some(secs(5)), Some(7));
    assert_eq!(
        prompt,
        Some(IdlePrompt {
            idle_started_at: base,
            returned_at: at(base, 20 * 60 + 25),
            entry_id: 7,
        })
    );
    assert_eq!(prompt.unwrap().idle_seconds(), 20 * 60 + 25);
    // Only once: further activity asks nothing.
    assert_eq!(d.poll(at(base, 21 * 60), Some(secs(2)), Some(7)), None);
    assert_eq!(d.poll(at(base, 22 * 60), Some(secs(1)), Some(7)), None);
}

#[test]
fn idle_below_the_timeout_never_prompts() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    assert!(idle_stretch(&mut d, base, 0, 9 * 60 + 30, 0, Some(7)).is_empty());
    assert_eq!(d.poll(at(base, 10 * 60), Some(secs(3)), Some(7)), None);
}

#[test]
fn no_prompt_without_a_running_timer() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    assert!(idle_stretch(&mut d, base, 0, 30 * 60, 0, None).is_empty());
    assert_eq!(d.poll(at(base, 31 * 60), Some(secs(1)), None), None);
    // Nor across a sleep with nothing running.
    assert_eq!(d.poll(at(base, 5 * 3600), Some(secs(1)), None), None);
}

#[test]
fn a_timer_changed_while_idle_asks_nothing() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    assert!(idle_stretch(&mut d, base, 0, 20 * 60, 0, Some(7)).is_empty());
    // Someone started another entry meanwhile (the tt CLI): not our idle time.
    assert_eq!(d.poll(at(base, 20 * 60 + 30), Some(secs(1)), Some(8)), None);
}

#[test]
fn a_clock_jump_past_the_timeout_prompts_from_the_previous_poll() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    assert_eq!(d.poll(base, Some(secs(0)), Some(7)), None);
    assert_eq!(d.poll(at(base, 5), Some(secs(0)), Some(7)), None);
    // The laptop slept for two hours; a key press woke it 3 s ago.
    let prompt = d.poll(at(base, 2 * 3600), Some(secs(3)), Some(7)).unwrap();
    assert_eq!(prompt.idle_started_at, at(base, 5));
    assert_eq!(prompt.returned_at, at(base, 2 * 3600 - 3));
    assert_eq!(prompt.entry_id, 7);
    assert_eq!(d.poll(at(base, 2 * 3600 + 5), Some(secs(1)), Some(7)), None);
}

#[test]
fn a_clock_jump_with_an_unknown_idle_time_prompts_at_once() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    assert_eq!(d.poll(base, None, Some(7)), None);
    let prompt = d.poll(at(base, 3600), None, Some(7)).unwrap();
    assert_eq!(prompt.idle_started_at, base);
    assert_eq!(prompt.returned_at, at(base, 3600));
    // Without a jump an unknown idle time asks nothing.
    assert_eq!(d.poll(at(base, 3605), None, Some(7)), None);
}

#[test]
fn a_jump_that_wakes_to_an_empty_desk_waits_for_input() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    assert_eq!(d.poll(base, Some(secs(0)), Some(7)), None);
    // Woke on its own (a timer, a network event): still no input.
    assert_eq!(d.poll(at(base, 3600), Some(secs(3600)), Some(7)), None);
    let prompt = d.poll(at(base, 3700), Some(secs(10)), Some(7)).unwrap();
    assert_eq!(prompt.idle_started_at, base);
    assert_eq!(prompt.returned_at, at(base, 3690));
}

#[test]
fn a_small_clock_gap_is_not_a_sleep() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(10 * MIN));
    assert_eq!(d.poll(base, Some(secs(0)), Some(7)), None);
    assert_eq!(d.poll(at(base, 9 * 60), Some(secs(1)), Some(7)), None);
}

#[test]
fn timeout_zero_turns_detection_off() {
    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(Duration::ZERO);
    assert!(idle_stretch(&mut d, base, 0, 3 * 3600, 0, Some(7)).is_empty());
    assert_eq!(
        d.poll(at(base, 3 * 3600 + 30), Some(secs(1)), Some(7)),
        None
    );
    assert_eq!(d.poll(at(base, 9 * 3600), Some(secs(1)), Some(7)), None);
    // Turning it on later works from then on.
    d.set_timeout(secs(10 * MIN));
    assert_eq!(
        d.poll(at(base, 10 * 3600), Some(secs(11 * MIN)), Some(7)),
        None
    );
    assert!(d
        .poll(at(base, 10 * 3600 + 30), Some(secs(1)), Some(7))
        .is_some());
}

struct Fixed(Option<Duration>);

impl IdleSource for Fixed {
    fn idle_for(&self) -> Option<Duration> {
        self.0
    }
}

#[test]
fn the_first_source_that_answers_wins() {
    let sources = IdleSources(vec![
        Box::new(Fixed(None)),
        Box::new(Fixed(Some(secs(42)))),
        Box::new(Fixed(Some(secs(7)))),
    ]);
    assert_eq!(sources.idle_for(), Some(secs(42)));
    assert_eq!(IdleSources(vec![Box::new(Fixed(None))]).idle_for(), None);

    let base = ts("2026-11-30T09:00:00Z");
    let mut d = IdleDetector::new(secs(MIN));
    let idle = IdleSources(vec![Box::new(Fixed(Some(secs(2 * MIN))))]);
    assert_eq!(d.poll_source(base, &idle, Some(1)), None);
    let back = IdleSources(vec![Box::new(Fixed(None)), Box::new(Fixed(Some(secs(1))))]);
    let prompt = d.poll_source(at(base, 10), &back, Some(1)).unwrap();
    assert_eq!(prompt.idle_started_at, at(base, -120));
}

fn prompt(entry_id: i64, from: &str, to: &str) -> IdlePrompt {
    IdlePrompt {
        idle_started_at: ts(from),
        returned_at: ts(to),
        entry_id,
    }
}

#[test]
fn discard_ends_the_entry_when_the_idle_time_began() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let p = t.create_project("Client", None).unwrap();
    let e = t
        .start_timer_tagged(Some(p.id), "Write", &["deep".into()])
        .unwrap()
        .started;
    clock.set(ts("2026-11-30T10:31:00Z"));
    let out = t
        .resolve_idle(
            &prompt(e.id, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z"),
            IdleDecision::Discard,
        )
        .unwrap()
        .unwrap();
    assert_eq!(out.id, e.id);
    assert_eq!(out.stopped_at, Some(ts("2026-11-30T10:00:00Z")));
    assert_eq!(out.duration_seconds, 3600);
    // Stored, not just returned.
    assert_eq!(
        t.entry(e.id).unwrap().stopped_at,
        Some(ts("2026-11-30T10:00:00Z"))
    );
    assert!(t.timer_status().unwrap().is_none());
}

#[test]
fn discard_and_continue_starts_the_same_work_at_the_return() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let p = t.create_project("Client", None).unwrap();
    let e = t
        .start_timer_tagged(Some(p.id), "Write", &["deep".into(), "b".into()])
        .unwrap()
        .started;
    clock.set(ts("2026-11-30T10:31:00Z"));
    let new = t
        .resolve_idle(
            &prompt(e.id, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z"),
            IdleDecision::DiscardAndContinue,
        )
        .unwrap()
        .unwrap();
    assert_ne!(new.id, e.id);
    assert!(new.is_running());
    assert_eq!(new.started_at, ts("2026-11-30T10:30:00Z"));
    assert_eq!(new.project_id, Some(p.id));
    assert_eq!(new.description, "Write");
    assert_eq!(new.tags, ["b", "deep"]);
    assert_eq!(t.timer_status().unwrap().unwrap().id, new.id);
    assert_eq!(
        t.entry(e.id).unwrap().stopped_at,
        Some(ts("2026-11-30T10:00:00Z"))
    );
}

#[test]
fn keep_changes_nothing() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let e = t.start_timer(None, "Read").unwrap().started;
    clock.set(ts("2026-11-30T10:31:00Z"));
    let before = t.entry(e.id).unwrap();
    let out = t
        .resolve_idle(
            &prompt(e.id, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z"),
            IdleDecision::Keep,
        )
        .unwrap();
    assert_eq!(out, None);
    assert_eq!(t.entry(e.id).unwrap(), before);
    assert_eq!(
        t.list_entries(ts("2026-11-30T00:00:00Z"), ts("2026-12-01T00:00:00Z"))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn idle_from_before_the_entry_never_makes_it_negative() {
    let (mut t, clock) = tracker_at("2026-11-30T10:10:00Z");
    let e = t.start_timer(None, "").unwrap().started;
    clock.set(ts("2026-11-30T10:31:00Z"));
    let out = t
        .resolve_idle(
            &prompt(e.id, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z"),
            IdleDecision::Discard,
        )
        .unwrap()
        .unwrap();
    assert_eq!(out.stopped_at, Some(e.started_at));
    assert_eq!(out.duration_seconds, 0);
}

#[test]
fn discard_and_continue_with_another_timer_running_changes_nothing() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let e = t.start_timer(None, "one").unwrap().started;
    clock.set(ts("2026-11-30T10:35:00Z"));
    // The user stopped it from the tray and started another before answering.
    let other = t.start_timer(None, "two").unwrap().started;
    let err = t
        .resolve_idle(
            &prompt(e.id, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z"),
            IdleDecision::DiscardAndContinue,
        )
        .unwrap_err();
    assert_eq!(err.code(), "entry.running_conflict");
    assert_eq!(
        t.entry(e.id).unwrap().stopped_at,
        Some(ts("2026-11-30T10:35:00Z"))
    );
    assert_eq!(t.timer_status().unwrap().unwrap().id, other.id);
    // Plain discard still cuts the stopped entry back to the idle start.
    let cut = t
        .resolve_idle(
            &prompt(e.id, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z"),
            IdleDecision::Discard,
        )
        .unwrap()
        .unwrap();
    assert_eq!(cut.stopped_at, Some(ts("2026-11-30T10:00:00Z")));
}

#[test]
fn resolving_an_unknown_entry_is_a_typed_error() {
    let (mut t, _) = tracker_at("2026-11-30T09:00:00Z");
    let err = t
        .resolve_idle(
            &prompt(99, "2026-11-30T08:00:00Z", "2026-11-30T08:30:00Z"),
            IdleDecision::Discard,
        )
        .unwrap_err();
    assert_eq!(err.code(), "entry.not_found");
}

/// Records the names of the changes offered, as webhooks would hear them.
#[derive(Default)]
struct Heard(std::sync::Mutex<Vec<&'static str>>);

impl crate::changes::ChangeObserver for Heard {
    fn in_transaction(
        &self,
        _: &rusqlite::Connection,
        _: Timestamp,
        changes: &[crate::changes::Change],
    ) {
        self.0
            .lock()
            .unwrap()
            .extend(changes.iter().map(|c| c.name()));
    }
}

#[test]
fn an_idle_cut_is_told_as_a_stop_and_a_continue_as_a_start() {
    let (mut t, clock) = tracker_at("2026-11-30T09:00:00Z");
    let heard = std::sync::Arc::new(Heard::default());
    t.observe_changes(heard.clone());
    let e = t.start_timer(None, "Write").unwrap().started;
    clock.set(ts("2026-11-30T10:31:00Z"));
    t.resolve_idle(
        &prompt(e.id, "2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z"),
        IdleDecision::DiscardAndContinue,
    )
    .unwrap();
    let second = t.timer_status().unwrap().unwrap();
    t.resolve_idle(
        &prompt(second.id, "2026-11-30T10:31:00Z", "2026-11-30T10:31:00Z"),
        IdleDecision::Discard,
    )
    .unwrap();
    assert_eq!(
        *heard.0.lock().unwrap(),
        [
            "timer.started",
            "timer.stopped",
            "timer.started",
            "timer.stopped"
        ]
    );
}
