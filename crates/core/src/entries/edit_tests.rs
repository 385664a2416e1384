use jiff::SignedDuration;

use crate::storage::{Storage, MIGRATIONS};
use crate::test_support::{tracker, ts};

use super::*;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn manual(project_id: Option<i64>, from: &str, to: &str) -> NewEntry {
    NewEntry {
        project_id,
        description: " Call ".into(),
        started_at: ts(from),
        stopped_at: ts(to),
        tags: strings(&["b", "A"]),
    }
}

#[test]
fn a_manual_entry_is_stored_with_its_tags() {
    let (mut t, _) = tracker();
    let p = t.create_project("Site", None).unwrap();
    let e = t
        .add_entry(manual(
            Some(p.id),
            "2026-11-27T10:00:00Z",
            "2026-11-27T11:30:00Z",
        ))
        .unwrap();
    assert_eq!(e.description, "Call");
    assert_eq!(e.project_name.as_deref(), Some("Site"));
    assert_eq!(e.duration_seconds, 5400);
    assert_eq!(e.tags, ["A", "b"]);
    assert!(!e.overlaps);
    assert_eq!(t.entry(e.id).unwrap(), e);
    // A tag typed again in another case keeps its first spelling.
    let mut again = manual(None, "2026-11-27T12:00:00Z", "2026-11-27T12:00:00Z");
    again.tags = strings(&["a"]);
    assert_eq!(t.add_entry(again).unwrap().tags, ["A"]);
    assert_eq!(t.list_tags().unwrap(), ["A", "b"]);
}

#[test]
fn bad_manual_entries_are_refused_and_store_nothing() {
    let (mut t, _) = tracker();
    let p = t.create_project("Old", None).unwrap();
    t.archive_project(p.id).unwrap();
    let code = |t: &mut Tracker, e: NewEntry| t.add_entry(e).unwrap_err().code();
    let range = manual(None, "2026-11-27T11:00:00Z", "2026-11-27T10:59:59Z");
    assert_eq!(code(&mut t, range), "entry.invalid_range");
    let archived = manual(Some(p.id), "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z");
    assert_eq!(code(&mut t, archived), "project.archived");
    let missing = manual(Some(999), "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z");
    assert_eq!(code(&mut t, missing), "project.not_found");
    let mut tagged = manual(None, "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z");
    tagged.tags = strings(&["ok", "no;pe"]);
    assert_eq!(code(&mut t, tagged), "tag.invalid");
    let all = t
        .list_entries(ts("2000-01-01T00:00:00Z"), ts("2100-01-01T00:00:00Z"))
        .unwrap();
    assert!(all.is_empty());
    assert!(t.list_tags().unwrap().is_empty());
}

#[test]
fn every_field_can_be_edited_and_absent_fields_stay() {
    let (mut t, _) = tracker();
    let a = t.create_project("A", None).unwrap();
    let b = t.create_project("B", None).unwrap();
    let e = t
        .add_entry(manual(
            Some(a.id),
            "2026-11-27T10:00:00Z",
            "2026-11-27T11:00:00Z",
        ))
        .unwrap();
    let patched = t
        .update_entry(
            e.id,
            EntryPatch {
                project_id: Some(Some(b.id)),
                description: Some("Review".into()),
                started_at: Some(ts("2026-11-27T09:00:00Z")),
                stopped_at: Some(Some(ts("2026-11-27T09:45:00Z"))),
                tags: Some(strings(&["x"])),
            },
        )
        .unwrap();
    assert_eq!(patched.id, e.id);
    assert_eq!(patched.project_id, Some(b.id));
    assert_eq!(patched.description, "Review");
    assert_eq!(patched.duration_seconds, 45 * 60);
    assert_eq!(patched.tags, ["x"]);

    let same = t.update_entry(e.id, EntryPatch::default()).unwrap();
    assert_eq!(same, patched);
    let none = t
        .update_entry(
            e.id,
            EntryPatch {
                project_id: Some(None),
                tags: Some(vec![]),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((none.project_id, none.tags.len()), (None, 0));
    assert_eq!(none.description, "Review");
}

#[test]
fn bad_edits_are_refused_and_change_nothing() {
    let (mut t, _) = tracker();
    let e = t
        .add_entry(manual(None, "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"))
        .unwrap();
    let code = |t: &mut Tracker, p: EntryPatch| t.update_entry(e.id, p).unwrap_err().code();
    let reversed = EntryPatch {
        started_at: Some(ts("2026-11-27T12:00:00Z")),
        ..Default::default()
    };
    assert_eq!(code(&mut t, reversed), "entry.invalid_range");
    let future_running = EntryPatch {
        started_at: Some(ts("2026-12-01T00:00:00Z")),
        stopped_at: Some(None),
        ..Default::default()
    };
    assert_eq!(code(&mut t, future_running), "entry.invalid_range");
    let bad_tag = EntryPatch {
        description: Some("changed".into()),
        tags: Some(strings(&[""])),
        ..Default::default()
    };
    assert_eq!(code(&mut t, bad_tag), "tag.invalid");
    let project = EntryPatch {
        project_id: Some(Some(77)),
        ..Default::default()
    };
    assert_eq!(code(&mut t, project), "project.not_found");
    assert_eq!(
        t.update_entry(999, EntryPatch::default())
            .unwrap_err()
            .code(),
        "entry.not_found"
    );
    assert_eq!(t.entry(e.id).unwrap(), e);
}

#[test]
fn the_running_entry_can_be_edited_but_only_one_may_run() {
    let (mut t, clock) = tracker();
    let done = t
        .add_entry(manual(None, "2026-11-28T07:00:00Z", "2026-11-28T08:00:00Z"))
        .unwrap();
    let running = t.start_timer(None, "now").unwrap().started;
    clock.advance(SignedDuration::from_secs(60));
    // Moving the start of the running entry back (I forgot to start it).
    let moved = t
        .update_entry(
            running.id,
            EntryPatch {
                started_at: Some(ts("2026-11-28T08:30:00Z")),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(moved.is_running());
    assert_eq!(moved.duration_seconds, 31 * 60);
    assert_eq!(t.timer_status().unwrap().unwrap(), moved);

    let resume = EntryPatch {
        stopped_at: Some(None),
        ..Default::default()
    };
    let err = t.update_entry(done.id, resume.clone()).unwrap_err();
    assert_eq!(err.code(), "entry.running_conflict");
    t.stop_timer().unwrap();
    let resumed = t.update_entry(done.id, resume).unwrap();
    assert!(resumed.is_running());
    assert_eq!(t.timer_status().unwrap().unwrap().id, done.id);
}

#[test]
fn delete_then_restore_brings_back_the_same_entry() {
    let (mut t, clock) = tracker();
    let p = t.create_project("Site", None).unwrap();
    let e = t
        .add_entry(manual(
            Some(p.id),
            "2026-11-27T10:00:00Z",
            "2026-11-27T11:00:00Z",
        ))
        .unwrap();
    let deleted = t.delete_entry(e.id).unwrap();
    assert_eq!(deleted.id, e.id);
    assert_eq!(t.entry(e.id).unwrap_err().code(), "entry.not_found");
    assert_eq!(t.delete_entry(e.id).unwrap_err().code(), "entry.not_found");

    // The next entry must not take the deleted id, or undo could not work.
    clock.advance(SignedDuration::from_secs(5));
    let next = t.start_timer(None, "").unwrap().started;
    assert_ne!(next.id, e.id);
    t.archive_project(p.id).unwrap();

    let back = t.restore_entry(&deleted.undo).unwrap();
    assert_eq!(back.id, e.id);
    assert_eq!(
        (
            back.project_id,
            &back.description,
            back.started_at,
            back.stopped_at,
            &back.tags
        ),
        (
            e.project_id,
            &e.description,
            e.started_at,
            e.stopped_at,
            &e.tags
        )
    );
    assert_eq!(
        t.restore_entry(&deleted.undo).unwrap_err().code(),
        "entry.undo_expired",
        "a token is spent once the entry is back"
    );
}

#[test]
fn only_a_token_from_a_delete_restores_an_entry() {
    let (mut t, _) = tracker();
    let e = t
        .add_entry(manual(None, "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"))
        .unwrap();
    let deleted = t.delete_entry(e.id).unwrap();
    // A made-up token (what a compromised webview could send) restores
    // nothing and writes nothing.
    for forged in [
        "",
        "0",
        &deleted.undo.to_uppercase(),
        &format!("{}0", deleted.undo),
    ] {
        assert_eq!(
            t.restore_entry(forged).unwrap_err().code(),
            "entry.undo_expired"
        );
    }
    assert_eq!(t.entry(e.id).unwrap_err().code(), "entry.not_found");
    // The token the delete gave still works after the forgeries.
    assert_eq!(t.restore_entry(&deleted.undo).unwrap().id, e.id);
}

#[test]
fn a_deleted_running_entry_comes_back_running_unless_another_runs() {
    let (mut t, clock) = tracker();
    let e = t.start_timer(None, "").unwrap().started;
    let deleted = t.delete_entry(e.id).unwrap();
    assert!(t.timer_status().unwrap().is_none());
    t.start_timer(None, "other").unwrap();
    assert_eq!(
        t.restore_entry(&deleted.undo).unwrap_err().code(),
        "entry.running_conflict"
    );
    clock.advance(SignedDuration::from_secs(10));
    t.stop_timer().unwrap();
    assert!(t.restore_entry(&deleted.undo).unwrap().is_running());
}

#[test]
fn overlaps_are_flagged_even_with_an_entry_outside_the_range() {
    let (mut t, _) = tracker();
    let long = t
        .add_entry(manual(None, "2026-11-26T22:00:00Z", "2026-11-27T02:00:00Z"))
        .unwrap();
    let inside = t
        .add_entry(manual(None, "2026-11-27T01:00:00Z", "2026-11-27T01:30:00Z"))
        .unwrap();
    let touching = t
        .add_entry(manual(None, "2026-11-27T02:00:00Z", "2026-11-27T03:00:00Z"))
        .unwrap();
    assert!(inside.overlaps, "add_entry returns the flag");
    let day = t
        .list_entries(ts("2026-11-27T00:00:00Z"), ts("2026-11-28T00:00:00Z"))
        .unwrap();
    let flags: Vec<(i64, bool)> = day.iter().map(|e| (e.id, e.overlaps)).collect();
    assert_eq!(flags, [(inside.id, true), (touching.id, false)]);
    assert!(t.entry(long.id).unwrap().overlaps);

    t.update_entry(
        inside.id,
        EntryPatch {
            started_at: Some(ts("2026-11-27T04:00:00Z")),
            stopped_at: Some(Some(ts("2026-11-27T05:00:00Z"))),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!t.entry(long.id).unwrap().overlaps);
}

#[test]
fn a_running_entry_overlaps_what_was_added_since_it_started() {
    let (mut t, clock) = tracker();
    let running = t.start_timer(None, "").unwrap().started;
    clock.advance(SignedDuration::from_secs(3600));
    let added = t
        .add_entry(manual(None, "2026-11-28T09:10:00Z", "2026-11-28T09:20:00Z"))
        .unwrap();
    assert!(added.overlaps);
    assert!(t.timer_status().unwrap().unwrap().overlaps);
    assert_eq!(t.timer_status().unwrap().unwrap().id, running.id);
}

#[test]
fn list_entries_takes_entries_that_start_in_the_range_oldest_first() {
    let (mut t, _) = tracker();
    for (from, to) in [
        ("2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"),
        ("2026-11-26T23:00:00Z", "2026-11-27T00:30:00Z"),
        ("2026-11-28T00:00:00Z", "2026-11-28T00:10:00Z"),
        ("2026-11-27T00:00:00Z", "2026-11-27T00:10:00Z"),
    ] {
        t.add_entry(manual(None, from, to)).unwrap();
    }
    let got: Vec<String> = t
        .list_entries(ts("2026-11-27T00:00:00Z"), ts("2026-11-28T00:00:00Z"))
        .unwrap()
        .iter()
        .map(|e| e.started_at.to_string())
        .collect();
    assert_eq!(got, ["2026-11-27T00:00:00Z", "2026-11-27T10:00:00Z"]);
    let err = t
        .list_entries(ts("2026-11-28T00:00:00Z"), ts("2026-11-27T00:00:00Z"))
        .unwrap_err();
    assert_eq!(err.code(), "entry.invalid_range");
}

#[test]
fn a_patch_tells_null_from_absent() {
    let patch: EntryPatch =
        serde_json::from_str(r#"{"project_id": null, "description": "x"}"#).unwrap();
    assert_eq!(patch.project_id, Some(None));
    assert_eq!(patch.stopped_at, None);
    assert_eq!(patch.description.as_deref(), Some("x"));
    let patch: EntryPatch =
        serde_json::from_str(r#"{"stopped_at": "2026-11-28T10:00:00Z", "project_id": 3}"#).unwrap();
    assert_eq!(patch.stopped_at, Some(Some(ts("2026-11-28T10:00:00Z"))));
    assert_eq!(patch.project_id, Some(Some(3)));
    let back: EntryPatch = serde_json::from_value(serde_json::to_value(&patch).unwrap()).unwrap();
    assert_eq!(back, patch);
}

#[test]
fn upgrading_keeps_entries_and_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    {
        let old = Storage::open_with(&path, &MIGRATIONS[..4]).unwrap();
        old.conn()
            .execute_batch(
                "INSERT INTO projects (id, name, name_key, color, created_at, updated_at)
                 VALUES (3, 'P', 'p', '#000000', 0, 0);
                 INSERT INTO time_entries (id, project_id, description, started_at, stopped_at, created_at, updated_at)
                 VALUES (5, 3, 'kept', 1000, 61000, 0, 0), (9, NULL, '', 2000, NULL, 0, 0);",
            )
            .unwrap();
    }
    let clock = crate::FakeClock::at(ts("2026-11-28T09:00:00Z"));
    let mut t = Tracker::open(&path, std::sync::Arc::new(clock)).unwrap();
    let kept = t.entry(5).unwrap();
    assert_eq!(
        (kept.project_name.as_deref(), kept.duration_seconds),
        (Some("P"), 60)
    );
    assert!(t.entry(9).unwrap().is_running());
    let p = t.project(3).unwrap();
    assert_eq!((p.billable, p.client, p.currency), (false, None, None));
    t.stop_timer().unwrap();
    t.delete_entry(9).unwrap();
    assert_eq!(t.start_timer(None, "").unwrap().started.id, 10);
}
