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

#[test]
fn damaged_partial_and_foreign_files_are_skipped_and_retried_never_applied_in_part() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    add(&mut a, "whole");
    a.t.sync_now().unwrap();
    let a_dir = files::root(dir.path()).join(a.t.sync_status().unwrap().device.id);
    let changes = a_dir.join(files::CHANGES);
    let (seqs, _) = files::list(&a_dir, files::FileKind::Changes);
    let newest = changes.join(files::file_name(*seqs.last().unwrap()));
    let whole = std::fs::read(&newest).unwrap();
    std::fs::write(&newest, &whole[..whole.len() / 2]).unwrap();
    std::fs::write(changes.join(".syncthing.0000000099.jsonl.tmp"), b"{").unwrap();
    std::fs::write(
        changes.join("0000000002.sync-conflict-20261123-101010-ABCDEFG.jsonl"),
        b"{",
    )
    .unwrap();
    let report = b.t.sync_now().unwrap();
    assert_eq!(report.skipped_files, 3, "{report:?}");
    assert!(export(&mut b.t).is_empty());
    let codes: Vec<String> =
        b.t.sync_status()
            .unwrap()
            .problems
            .into_iter()
            .map(|p| p.code)
            .collect();
    for code in [
        "sync.file_damaged",
        "sync.file_in_progress",
        "sync.conflict_copy",
    ] {
        assert!(codes.iter().any(|c| c == code), "{codes:?}");
    }
    // The engine finishes the copy: the next run applies it.
    std::fs::write(&newest, &whole).unwrap();
    b.t.sync_now().unwrap();
    assert_eq!(export(&mut b.t).len(), 1);
}

#[test]
fn a_file_from_a_newer_version_is_not_applied_and_the_user_is_told_to_update() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    a.t.start_timer(None, "new format").unwrap();
    a.t.sync_now().unwrap();
    let a_dir = files::root(dir.path()).join(a.t.sync_status().unwrap().device.id);
    let (seqs, _) = files::list(&a_dir, files::FileKind::Changes);
    let path = a_dir
        .join(files::CHANGES)
        .join(files::file_name(*seqs.last().unwrap()));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("\"timetracker_sync\":1", "\"timetracker_sync\":2", 1),
    )
    .unwrap();
    let report = b.t.sync_now().unwrap();
    assert_eq!(report.skipped_files, 1);
    let problems = b.t.sync_status().unwrap().problems;
    assert!(problems
        .iter()
        .any(|p| p.code == "sync.newer_format" && p.message.contains("update")));
    assert!(b.t.timer_status().unwrap().is_none());
}

#[test]
fn many_changes_fold_into_a_snapshot_and_a_new_device_catches_up_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, _b) = pair(dir.path());
    for i in 0..70 {
        a.clock.advance(SignedDuration::from_mins(1));
        a.t.start_timer(None, &format!("task {i}")).unwrap();
        a.t.sync_now().unwrap();
    }
    let a_dir = files::root(dir.path()).join(a.t.sync_status().unwrap().device.id);
    let (changes, _) = files::list(&a_dir, files::FileKind::Changes);
    let (snapshots, _) = files::list(&a_dir, files::FileKind::Snapshot);
    assert_eq!(snapshots.len(), 1, "{snapshots:?}");
    assert!(changes.len() < 64, "{} change files", changes.len());
    assert!(changes.iter().all(|c| *c > snapshots[0]));
    let mut c = device("2026-11-23T12:00:00Z");
    c.t.sync_enable(dir.path(), Some("new"), false).unwrap();
    assert_eq!(export(&mut c.t), export(&mut a.t));
    assert_eq!(export(&mut c.t).len(), 70);
}

#[test]
fn turning_sync_off_leaves_everything_and_on_again_adds_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    a.t.start_timer(None, "one").unwrap();
    sync_both(&mut a, &mut b);
    let listing = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = walk(p).into_iter().map(|(n, _)| n).collect();
        v.sort();
        v
    };
    let before = listing(dir.path());
    b.t.sync_disable().unwrap();
    assert_eq!(listing(dir.path()), before);
    assert_eq!(export(&mut b.t).len(), 1);
    assert_eq!(b.t.sync_now().unwrap_err().code(), "sync.not_enabled");
    // Changes made meanwhile on both sides meet when it is on again.
    a.t.stop_timer().unwrap();
    b.t.add_entry(NewEntry {
        project_id: None,
        description: "offline".into(),
        started_at: ts("2026-11-22T08:00:00Z"),
        stopped_at: ts("2026-11-22T09:00:00Z"),
        tags: vec![],
    })
    .unwrap();
    b.t.sync_enable(dir.path(), None, false).unwrap();
    sync_both(&mut a, &mut b);
    let e = export(&mut a.t);
    assert_eq!(e.len(), 2);
    assert_eq!(e, export(&mut b.t));
}

#[test]
fn a_missing_folder_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = device("2026-11-23T09:00:00Z");
    let gone = dir.path().join("not mounted");
    assert_eq!(
        a.t.sync_enable(&gone, None, false).unwrap_err().code(),
        "sync.folder_missing"
    );
    assert!(!a.t.sync_status().unwrap().enabled);
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    a.t.sync_enable(&share, None, false).unwrap();
    std::fs::remove_dir_all(&share).unwrap();
    let err = a.t.sync_now().unwrap_err();
    assert_eq!(err.code(), "sync.folder_missing");
    let status = a.t.sync_status().unwrap();
    assert_eq!(status.problems[0].code, "sync.folder_missing");
}

/// Every file under `p`, with its bytes.
fn walk(p: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(p).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

#[test]
fn an_undone_delete_brings_back_the_same_entry_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let e = a.t.start_timer(None, "oops").unwrap().started;
    sync_both(&mut a, &mut b);
    a.clock.advance(SignedDuration::from_secs(5));
    let deleted = a.t.delete_entry(e.id).unwrap();
    sync_both(&mut a, &mut b);
    assert!(export(&mut b.t).is_empty());
    a.clock.advance(SignedDuration::from_secs(5));
    a.t.restore_entry(deleted).unwrap();
    sync_both(&mut a, &mut b);
    let back = export(&mut b.t);
    assert_eq!(back.len(), 1);
    assert_eq!(back, export(&mut a.t));
    assert_eq!(b.t.timer_status().unwrap().unwrap().description, "oops");
}

#[test]
fn a_database_from_before_sync_keeps_every_entry_and_each_gets_a_global_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("timetracker.sqlite3");
    {
        // Schema 5: TimeTracker 0.1, before sync.
        let old =
            crate::storage::Storage::open_with(&path, &crate::storage::MIGRATIONS[..5]).unwrap();
        old.conn()
            .execute_batch(
                "INSERT INTO clients (id, name, name_key, created_at) VALUES (1, 'ACME', 'acme', 0);
                 INSERT INTO projects (id, name, name_key, color, created_at, updated_at, client_id)
                     VALUES (1, 'Site', 'site', '#3b82f6', 0, 0, 1), (2, 'Shop', 'shop', '#10b981', 0, 0, NULL);
                 INSERT INTO tags (id, name, name_key) VALUES (1, 'Design', 'design');
                 INSERT INTO time_entries (project_id, description, started_at, stopped_at, created_at, updated_at)
                     VALUES (1, 'a', 1764000000000, 1764000001000, 0, 0), (2, 'b', 1764000002000, 1764000003000, 0, 0),
                            (NULL, 'c', 1764000004000, NULL, 0, 0);
                 INSERT INTO entry_tags (entry_id, tag_id) VALUES (1, 1);",
            )
            .unwrap();
    }
    let mut t = Tracker::open(&path, Arc::new(FakeClock::at(ts("2026-11-23T09:00:00Z")))).unwrap();
    let conn = t.storage.conn();
    for table in ["projects", "clients", "time_entries"] {
        let (rows, ids, v4): (i64, i64, i64) = conn
            .query_row(
                &format!(
                    "SELECT count(*), count(DISTINCT gid),
                     sum(gid GLOB '????????-????-4???-[89ab]???-????????????') FROM {table}"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((ids, v4), (rows, rows), "{table}");
    }
    assert_eq!(export(&mut t).len(), 3);
    // And a second device gets all of it, tags and client included.
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    t.sync_enable(&share, None, false).unwrap();
    let mut b = device("2026-11-23T10:00:00Z");
    b.t.sync_enable(&share, None, false).unwrap();
    let got = export(&mut b.t);
    assert_eq!(got, export(&mut t));
    assert_eq!(got[0]["client"], "ACME");
    assert_eq!(got[0]["tags"], serde_json::json!(["Design"]));
    assert!(b.t.timer_status().unwrap().is_some());
}

#[test]
fn a_whole_file_with_a_record_this_version_refuses_is_skipped_and_the_rest_applies() {
    use super::files::{encode, FileKind, Item};
    use super::hlc::Hlc;
    use super::record::{Field, Kind, Record};

    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    a.t.start_timer(None, "fine").unwrap();
    a.t.sync_now().unwrap();
    // A third device's file: checksum right, but a description too long.
    let other = uuid::Uuid::new_v4().to_string();
    let mut fields = std::collections::BTreeMap::new();
    let stamp = Hlc::new(1_764_000_000_000, 0, &other);
    for (name, value) in [
        ("description", Value::String("x".repeat(5000))),
        ("start", Value::String("2026-11-23T08:00:00Z".into())),
        ("end", Value::Null),
    ] {
        fields.insert(
            name.to_owned(),
            Field {
                value,
                hlc: stamp.clone(),
                prev: Hlc::ZERO,
            },
        );
    }
    let item = Item::Record(Record {
        kind: Kind::Entry,
        id: uuid::Uuid::new_v4().to_string(),
        deleted: None,
        fields,
    });
    let bytes = encode(
        FileKind::Changes,
        &other,
        1,
        ts("2026-11-23T08:00:00Z"),
        &[item],
    );
    let changes = files::root(dir.path()).join(&other).join(files::CHANGES);
    std::fs::create_dir_all(&changes).unwrap();
    std::fs::write(changes.join(files::file_name(1)), bytes).unwrap();
    let report = b.t.sync_now().unwrap();
    assert_eq!(report.skipped_files, 1, "{report:?}");
    let problems = b.t.sync_status().unwrap().problems;
    assert!(
        problems.iter().any(|p| p.code == "sync.bad_record"),
        "{problems:?}"
    );
    assert_eq!(b.t.timer_status().unwrap().unwrap().description, "fine");
}

#[test]
fn metrics_read_sync_totals_from_the_database_and_count_a_bad_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("share");
    std::fs::create_dir(&share).unwrap();
    let clock = FakeClock::at(ts("2026-11-23T09:00:00Z"));
    let db = dir.path().join("b/timetracker.sqlite3");
    let mut b = Tracker::open(&db, Arc::new(clock.clone())).unwrap();
    let mut a = device("2026-11-23T09:00:00Z");
    a.t.sync_enable(&share, Some("a"), false).unwrap();
    a.t.start_timer(None, "x").unwrap();
    a.t.sync_now().unwrap();
    let a_dir = files::root(&share).join(a.t.sync_status().unwrap().device.id);
    std::fs::write(
        a_dir.join(files::CHANGES).join(files::file_name(99)),
        b"{\"cut",
    )
    .unwrap();
    b.sync_enable(&share, Some("b"), false).unwrap();
    b.sync_now().unwrap();
    b.sync_now().unwrap();
    let text = crate::metrics::Metrics::with_database(&db).render_prometheus_text();
    let value = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(value("timetracker_sync_skipped_files_total"), 1.0);
    assert_eq!(value("timetracker_sync_devices"), 2.0);
    assert!(value("timetracker_sync_records_applied_total") >= 1.0);
    assert_eq!(value("timetracker_sync_conflicts_total"), 0.0);
    assert_eq!(
        value("timetracker_sync_last_success_timestamp_seconds"),
        ts("2026-11-23T09:00:00Z").as_second() as f64
    );
}
