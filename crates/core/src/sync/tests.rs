//! Sync between trackers in one process, over a real folder on disk: the
//! rules of `merge`, the files of `files`, and what the user is told.

use std::path::Path;
use std::sync::Arc;

use jiff::SignedDuration;
use serde_json::Value;

use crate::test_support::ts;
use crate::{FakeClock, NewEntry, Tracker};

use super::files;

struct Device {
    t: Tracker,
    clock: FakeClock,
}

fn device(at: &str) -> Device {
    let clock = FakeClock::at(ts(at));
    let t = Tracker::open_in_memory(Arc::new(clock.clone())).unwrap();
    Device { t, clock }
}

/// Two devices sharing one folder (a network share: files arrive at once).
fn pair(folder: &Path) -> (Device, Device) {
    let mut a = device("2026-11-23T09:00:00Z");
    let mut b = device("2026-11-23T09:00:00Z");
    a.t.sync_enable(folder, Some("laptop"), false).unwrap();
    b.t.sync_enable(folder, Some("desktop"), false).unwrap();
    a.t.sync_now().unwrap();
    (a, b)
}

/// The JSON export without what may differ between devices (local ids and
/// the export time).
fn export(t: &mut Tracker) -> Vec<Value> {
    let mut out = Vec::new();
    crate::io::export::json(
        t,
        ts("2000-01-01T00:00:00Z"),
        ts("2100-01-01T00:00:00Z"),
        &mut out,
    )
    .unwrap();
    let mut doc: Value = serde_json::from_slice(&out).unwrap();
    let mut entries = doc["entries"].take();
    for e in entries.as_array_mut().unwrap() {
        e.as_object_mut().unwrap().remove("id");
    }
    entries.as_array().unwrap().clone()
}

/// A half-hour entry on 23 November, by hand.
fn add(d: &mut Device, description: &str) -> crate::Entry {
    d.t.add_entry(NewEntry {
        project_id: None,
        description: description.into(),
        started_at: ts("2026-11-23T08:00:00Z"),
        stopped_at: ts("2026-11-23T08:30:00Z"),
        tags: vec![],
    })
    .unwrap()
}

/// The local id of a device's one entry on 23 November.
fn only_id(d: &Device) -> i64 {
    d.t.list_entries(ts("2026-11-23T00:00:00Z"), ts("2026-11-24T00:00:00Z"))
        .unwrap()[0]
        .id
}

fn sync_both(a: &mut Device, b: &mut Device) {
    for _ in 0..2 {
        a.t.sync_now().unwrap();
        b.t.sync_now().unwrap();
    }
}

#[test]
fn an_entry_made_on_one_device_reaches_the_other_with_its_project_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let p = a.t.create_project("Website", Some("#112233")).unwrap();
    a.t.start_timer_tagged(Some(p.id), "Landing page", &["Design".into()])
        .unwrap();
    a.clock.advance(SignedDuration::from_mins(25));
    a.t.stop_timer().unwrap();
    let report = a.t.sync_now().unwrap();
    assert!(report.exported >= 3, "{report:?}");
    let report = b.t.sync_now().unwrap();
    assert_eq!(report.devices, 1);
    assert!(report.applied >= 3, "{report:?}");
    let entries = export(&mut b.t);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["project"], "Website");
    assert_eq!(entries[0]["description"], "Landing page");
    assert_eq!(entries[0]["tags"], serde_json::json!(["Design"]));
    assert_eq!(entries[0]["duration_seconds"], 1500);
    assert_eq!(b.t.list_projects(false).unwrap()[0].color, "#112233");
    assert_eq!(export(&mut a.t), entries);
    // Reading the same files again changes nothing.
    assert_eq!(b.t.sync_now().unwrap().applied, 0);
    assert_eq!(export(&mut b.t), entries);
}

#[test]
fn the_later_edit_of_a_field_wins_and_the_loser_is_kept_to_restore() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let made = add(&mut a, "draft");
    sync_both(&mut a, &mut b);
    let on_b = only_id(&b);

    // Both edit the description without having seen the other's edit;
    // B's clock is ahead, so B's edit is the later one.
    a.clock.advance(SignedDuration::from_mins(1));
    b.clock.advance(SignedDuration::from_mins(2));
    a.t.update_entry(
        made.id,
        crate::EntryPatch {
            description: Some("from the laptop".into()),
            ..Default::default()
        },
    )
    .unwrap();
    b.t.update_entry(
        on_b,
        crate::EntryPatch {
            description: Some("from the desktop".into()),
            ..Default::default()
        },
    )
    .unwrap();
    // A different field edited on one side only survives too.
    a.t.update_entry(
        made.id,
        crate::EntryPatch {
            tags: Some(vec!["kept".into()]),
            ..Default::default()
        },
    )
    .unwrap();
    sync_both(&mut a, &mut b);
    let ea = export(&mut a.t);
    assert_eq!(ea, export(&mut b.t));
    assert_eq!(ea[0]["description"], "from the desktop");
    assert_eq!(ea[0]["tags"], serde_json::json!(["kept"]));

    for (d, here) in [(&a, true), (&b, false)] {
        let status = d.t.sync_status().unwrap();
        assert_eq!(status.conflicts.len(), 1, "{status:?}");
        let c = &status.conflicts[0];
        assert_eq!(
            (c.field.as_str(), c.lost.as_str(), c.kept.as_str()),
            ("description", "from the laptop", "from the desktop")
        );
        assert_eq!(c.lost_here, here);
    }
    // Restore mine on A: an edit made now, which wins everywhere.
    let id = a.t.sync_status().unwrap().conflicts[0].id;
    a.clock.advance(SignedDuration::from_mins(5));
    a.t.sync_restore_conflict(id).unwrap();
    assert!(a.t.sync_status().unwrap().conflicts.is_empty());
    sync_both(&mut a, &mut b);
    assert_eq!(export(&mut b.t)[0]["description"], "from the laptop");
    assert_eq!(export(&mut a.t), export(&mut b.t));
}

#[test]
fn a_delete_wins_over_an_older_edit_that_arrives_late_and_stays_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let e = add(&mut a, "doomed");
    sync_both(&mut a, &mut b);
    let on_b = only_id(&b);
    // B edits first (earlier clock), A deletes later; B syncs before A.
    b.clock.advance(SignedDuration::from_secs(10));
    b.t.update_entry(
        on_b,
        crate::EntryPatch {
            description: Some("edited".into()),
            ..Default::default()
        },
    )
    .unwrap();
    a.clock.advance(SignedDuration::from_secs(20));
    a.t.delete_entry(e.id).unwrap();
    b.t.sync_now().unwrap();
    a.t.sync_now().unwrap();
    sync_both(&mut a, &mut b);
    assert!(export(&mut a.t).is_empty());
    assert!(export(&mut b.t).is_empty());
    // And an edit made after the delete (by the clock) brings it back.
    let mut c = device("2026-11-23T10:00:00Z");
    c.t.sync_enable(dir.path(), Some("tablet"), false).unwrap();
    assert!(export(&mut c.t).is_empty());
}

#[test]
fn an_edit_made_after_the_delete_brings_the_entry_back_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let e = add(&mut a, "contested");
    sync_both(&mut a, &mut b);
    let on_b = only_id(&b);
    a.clock.advance(SignedDuration::from_secs(10));
    a.t.delete_entry(e.id).unwrap();
    b.clock.advance(SignedDuration::from_secs(30));
    b.t.update_entry(
        on_b,
        crate::EntryPatch {
            description: Some("still wanted".into()),
            ..Default::default()
        },
    )
    .unwrap();
    sync_both(&mut a, &mut b);
    let ea = export(&mut a.t);
    assert_eq!(ea.len(), 1);
    assert_eq!(ea[0]["description"], "still wanted");
    assert_eq!(ea, export(&mut b.t));
}

#[test]
fn projects_of_the_same_name_made_on_two_devices_become_one_with_both_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let pa = a.t.create_project("Website", None).unwrap();
    let pb = b.t.create_project("website", None).unwrap();
    for (d, p, what) in [(&mut a, pa.id, "from a"), (&mut b, pb.id, "from b")] {
        d.t.add_entry(NewEntry {
            project_id: Some(p),
            description: what.into(),
            started_at: ts("2026-11-23T08:00:00Z"),
            stopped_at: ts("2026-11-23T08:30:00Z"),
            tags: vec![],
        })
        .unwrap();
    }
    sync_both(&mut a, &mut b);
    for d in [&mut a, &mut b] {
        let projects = d.t.list_projects(true).unwrap();
        assert_eq!(projects.len(), 1, "{projects:?}");
        let entries = export(&mut d.t);
        assert_eq!(entries.len(), 2);
        assert!(entries
            .iter()
            .all(|e| e["project"] == projects[0].name.as_str()));
    }
    assert_eq!(export(&mut a.t), export(&mut b.t));
    // A third device joining later sees one project too.
    let mut c = device("2026-11-23T10:00:00Z");
    c.t.sync_enable(dir.path(), None, false).unwrap();
    c.t.sync_now().unwrap();
    assert_eq!(c.t.list_projects(true).unwrap().len(), 1);
    assert_eq!(export(&mut c.t), export(&mut a.t));
}

#[test]
fn of_two_running_timers_the_later_started_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    a.t.start_timer(None, "early").unwrap();
    b.clock.advance(SignedDuration::from_mins(10));
    b.t.start_timer(None, "late").unwrap();
    sync_both(&mut a, &mut b);
    for d in [&mut a, &mut b] {
        let running = d.t.timer_status().unwrap().expect("one timer runs");
        assert_eq!(running.description, "late");
        let entries = export(&mut d.t);
        let early = entries
            .iter()
            .find(|e| e["description"] == "early")
            .unwrap();
        assert_eq!(early["end"], "2026-11-23T09:10:00Z");
    }
    assert_eq!(export(&mut a.t), export(&mut b.t));
    // Both are told: B stopped A's timer, and A saw it stop.
    for d in [&a, &b] {
        let notices = d.t.sync_status().unwrap().notices;
        assert!(
            notices
                .iter()
                .any(|n| n.message.contains("\u{201c}early\u{201d} was stopped")),
            "{notices:?}"
        );
    }
}

#[test]
fn clocks_hours_apart_still_order_an_edit_after_the_one_it_saw() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    // B's clock is three hours behind A's.
    b.clock.set(ts("2026-11-23T06:00:00Z"));
    let e = add(&mut a, "first");
    sync_both(&mut a, &mut b);
    let on_b = only_id(&b);
    b.t.update_entry(
        on_b,
        crate::EntryPatch {
            description: Some("second, by a slow clock".into()),
            ..Default::default()
        },
    )
    .unwrap();
    sync_both(&mut a, &mut b);
    assert_eq!(
        a.t.entry(e.id).unwrap().description,
        "second, by a slow clock"
    );
    assert!(a.t.sync_status().unwrap().conflicts.is_empty());
}

/// Files on disk, versions and upgrades: what sync skips, refuses or keeps.
mod files_and_versions;
mod labels;
