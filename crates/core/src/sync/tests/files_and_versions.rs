//! Sync's files on disk: damaged, partial, foreign and newer ones, the
//! snapshot a new device starts from, turning sync off and on, and a
//! database from before sync.

use super::*;

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
    a.t.restore_entry(&deleted.undo).unwrap();
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
    use crate::sync::hlc::Hlc;
    use crate::sync::record::{Field, Kind, Record};

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

/// An older version let control characters into names and descriptions;
/// this one refuses them as input but applies them from another device,
/// since refusing the record would stop sync (`tt` escapes them on output).
#[test]
fn names_with_control_characters_from_another_device_are_applied() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = pair(dir.path());
    let p = a.t.create_project("Plain", None).unwrap();
    a.t.start_timer(Some(p.id), "plain").unwrap();
    let evil = "Evil\u{1b}]52;c;aGk=\u{7}";
    // What an older version wrote, through the one write path (so the
    // change is stamped for sync like any other).
    a.t.storage
        .write("test_old_version", |tx| {
            tx.execute(
                "UPDATE projects SET name = ?1, name_key = lower(?1)",
                [evil],
            )?;
            tx.execute("UPDATE time_entries SET description = 'bell\u{7}'", [])?;
            Ok(())
        })
        .unwrap();
    sync_both(&mut a, &mut b);
    let got = b.t.timer_status().unwrap().unwrap();
    assert_eq!(got.project_name.as_deref(), Some(evil));
    assert_eq!(got.description, "bell\u{7}");
    assert!(b.t.sync_status().unwrap().problems.is_empty());
}
