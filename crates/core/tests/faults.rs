//! Full and read-only disks, for real: a small tmpfs holds the data folder
//! (or the log folder), is filled to the last byte or remounted read-only,
//! and the tracker is made to write. Writes fail with `storage.disk_full` or
//! `storage.read_only`, nothing already committed is lost, the database
//! stays intact, and work resumes once there is room again. Without
//! permission to mount, each test says why it is skipped.
//!
//! Each test prints its row of the fault table for the release notes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;
use timetracker_core::io::import::ImportRecord;
use timetracker_core::logging::{LogWriter, WriterConfig, ACTIVE_FILE};
use timetracker_core::{Error, FakeClock, NewEntry, Tracker};
use timetracker_test_support::{skip, Tmpfs};

fn t0() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

/// A description near the length limit, so the disk fills in few writes.
fn long(k: usize) -> String {
    format!("entry {k} {}", "x".repeat(1900))
}

fn entry(k: usize) -> NewEntry {
    let start = t0() - SignedDuration::from_mins(i64::try_from(k).unwrap() + 10);
    NewEntry {
        project_id: None,
        description: long(k),
        started_at: start,
        stopped_at: start + SignedDuration::from_secs(30),
        tags: vec![],
    }
}

fn record(k: usize) -> ImportRecord {
    let start = t0() + SignedDuration::from_hours(i64::try_from(k).unwrap() + 1);
    ImportRecord {
        line: k + 2,
        project: Some("Imported".into()),
        client: None,
        description: long(k),
        start,
        end: Some(start + SignedDuration::from_secs(60)),
        tags: vec!["bulk".into()],
        billable: None,
        hourly_rate_cents: None,
        currency: None,
    }
}

fn integrity(db: &Path) -> String {
    Connection::open(db)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn descriptions(t: &Tracker) -> Vec<String> {
    let (from, to) = (
        "1970-01-01T00:00:00Z".parse().unwrap(),
        "2100-01-01T00:00:00Z".parse().unwrap(),
    );
    let mut all: Vec<String> = t
        .list_entries(from, to)
        .unwrap()
        .into_iter()
        .map(|e| e.description)
        .collect();
    all.sort();
    all
}

/// Every kind of write the tracker does, one after another, until one is
/// refused; the refusal is returned with how many went in before it.
fn write_until_refused(
    t: &mut Tracker,
    committed: &mut Vec<String>,
    running: &mut Option<String>,
) -> (usize, Error) {
    for k in 0..5000 {
        let result = match k % 3 {
            0 => t
                .add_entry(entry(1000 + k))
                .map(|e| committed.push(e.description)),
            1 => t
                .import(&[record(1000 + k)])
                .map(|_| committed.push(long(1000 + k))),
            // The start is committed on its own, whether the stop fits or not.
            _ => t.start_timer(None, &long(1000 + k)).and_then(|out| {
                committed.push(out.started.description.clone());
                *running = Some(out.started.description);
                t.stop_timer().map(|_| *running = None)
            }),
        };
        if let Err(e) = result {
            return (k, e);
        }
    }
    panic!("5000 writes went onto a full disk");
}

/// A tracker whose data folder is on a fresh tmpfs, with its mount, folder
/// and clock; `None` when mounting is not permitted (the skip is reported).
fn on_a_tmpfs(
    under: &Path,
    size: &str,
    test: &str,
) -> Option<(Tmpfs, PathBuf, FakeClock, Tracker)> {
    let disk = match Tmpfs::mount(&under.join("disk"), size) {
        Ok(d) => d,
        Err(why) => {
            skip(test, &why);
            return None;
        }
    };
    let data = disk.path().join("data");
    let clock = FakeClock::at(t0());
    let t = Tracker::open_in_dir(&data, Arc::new(clock.clone())).unwrap();
    Some((disk, data, clock, t))
}

#[test]
fn a_full_disk_refuses_writes_with_disk_full_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((disk, data, clock, mut t)) =
        on_a_tmpfs(tmp.path(), "size=3m", "faults::a_full_disk_refuses_writes")
    else {
        return;
    };
    let db = t.database_path().unwrap().to_owned();
    let mut committed: Vec<String> = Vec::new();
    for k in 0..20 {
        committed.push(t.add_entry(entry(k)).unwrap().description);
    }
    t.start_timer(None, "running through it all").unwrap();
    committed.push("running through it all".into());
    let mut running = Some("running through it all".to_owned());

    let filler = disk.path().join("filler");
    disk.fill(&filler);
    let mut refusals = 0;
    // How many fit depends on the free room in the WAL, which is reused.
    let (accepted, err) = write_until_refused(&mut t, &mut committed, &mut running);
    refusals += 1;
    assert_eq!(err.code(), "storage.disk_full", "{err:?}");
    assert!(err.to_string().contains("full"), "{err}");
    // Every kind of write is refused alike while the disk stays full.
    for attempt in [
        t.add_entry(entry(9001)).map(drop),
        t.import(&[record(9002)]).map(drop),
        t.create_project("Nowhere", None).map(drop),
    ] {
        let err = attempt.expect_err("a write went onto a full disk");
        assert_eq!(err.code(), "storage.disk_full", "{err:?}");
        refusals += 1;
    }
    // Reads go on, and show everything committed, the running timer too.
    let mut want = committed.clone();
    want.sort();
    assert_eq!(descriptions(&t), want);
    let description = |t: &Tracker| t.timer_status().unwrap().map(|e| e.description);
    assert_eq!(description(&t), running);

    std::fs::remove_file(&filler).unwrap();
    t.add_entry(entry(9003)).unwrap();
    want.push(long(9003));
    want.sort();
    drop(t);
    let t = Tracker::open_in_dir(&data, Arc::new(clock)).unwrap();
    let lost = want
        .iter()
        .filter(|d| !descriptions(&t).contains(d))
        .count();
    let bad = integrity(&db);
    println!(
        "| full disk under the database | {refusals} writes refused (after {accepted} more fitted) | {lost} | {} |",
        u32::from(bad != "ok")
    );
    assert_eq!(descriptions(&t), want);
    assert_eq!(bad, "ok");
    assert_eq!(description(&t), running);
}

#[test]
fn a_database_opened_on_a_full_disk_reads_and_refuses_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let test = "faults::a_database_opened_on_a_full_disk";
    let Some((disk, data, clock, mut t)) = on_a_tmpfs(tmp.path(), "size=3m", test) else {
        return;
    };
    for k in 0..5 {
        t.add_entry(entry(k)).unwrap();
    }
    let before = descriptions(&t);
    drop(t);
    let filler = disk.path().join("filler");
    disk.fill(&filler);
    // As the app or tt starts on a disk that filled while it was closed:
    // SQLite cannot even grow its -shm file, so the open itself may be
    // refused; either way the error says the disk is full.
    let mut committed = before.clone();
    match Tracker::open_in_dir(&data, Arc::new(clock.clone())) {
        Ok(mut t) => {
            assert_eq!(descriptions(&t), before);
            let (_, err) = write_until_refused(&mut t, &mut committed, &mut None);
            assert_eq!(err.code(), "storage.disk_full", "{err:?}");
        }
        Err(err) => assert_eq!(err.code(), "storage.disk_full", "{err:?}"),
    }
    std::fs::remove_file(&filler).unwrap();
    let mut t = Tracker::open_in_dir(&data, Arc::new(clock)).unwrap();
    t.add_entry(entry(77)).unwrap();
    committed.push(long(77));
    committed.sort();
    assert_eq!(descriptions(&t), committed);
}

#[test]
fn a_read_only_data_folder_refuses_writes_with_read_only_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let Some((disk, data, clock, mut t)) =
        on_a_tmpfs(tmp.path(), "size=8m", "faults::a_read_only_data_folder")
    else {
        return;
    };
    let db = t.database_path().unwrap().to_owned();
    for k in 0..10 {
        t.add_entry(entry(k)).unwrap();
    }
    t.start_timer(None, "running").unwrap();
    let want = descriptions(&t);
    // The kernel will not make a mount read-only under a file open for
    // writing: the folder turns read-only while TimeTracker is closed, as
    // a disk remounted after an error or a synced share gone read-only.
    drop(t);
    disk.remount("ro");
    let mut refusals = 0;
    match Tracker::open_in_dir(&data, Arc::new(clock.clone())) {
        Ok(mut t) => {
            assert_eq!(descriptions(&t), want);
            for attempt in [
                t.add_entry(entry(100)).map(drop),
                t.stop_timer().map(drop),
                t.import(&[record(101)]).map(drop),
            ] {
                let err = attempt.expect_err("a write went onto a read-only disk");
                assert_eq!(err.code(), "storage.read_only", "{err:?}");
                assert!(err.to_string().contains("cannot be written"), "{err}");
                refusals += 1;
            }
            assert_eq!(descriptions(&t), want);
        }
        Err(err) => {
            assert_eq!(err.code(), "storage.read_only", "{err:?}");
            refusals += 1;
        }
    }

    disk.remount("rw");
    let mut t = Tracker::open_in_dir(&data, Arc::new(clock.clone())).unwrap();
    t.stop_timer().unwrap();
    t.add_entry(entry(103)).unwrap();
    drop(t);
    let t = Tracker::open_in_dir(&data, Arc::new(clock)).unwrap();
    let now = descriptions(&t);
    let lost = want.iter().filter(|d| !now.contains(d)).count();
    let bad = integrity(&db);
    println!(
        "| read-only data folder | {refusals} writes refused | {lost} | {} |",
        u32::from(bad != "ok")
    );
    assert_eq!(lost, 0);
    assert_eq!(bad, "ok");
    assert!(now.contains(&long(103)));
}

/// The log file's lines, and how many of them are torn (not one JSON
/// object): a full disk may cost lines (they go to standard error
/// meanwhile) but must not leave half of one for the next to be glued to.
fn log_lines(dir: &Path) -> (Vec<serde_json::Value>, usize) {
    let text = std::fs::read_to_string(dir.join(ACTIVE_FILE)).unwrap_or_default();
    let mut torn = 0;
    let mut whole = vec![];
    for l in text.lines() {
        match serde_json::from_str(l) {
            Ok(v) => whole.push(v),
            Err(e) => {
                torn += 1;
                eprintln!("a torn log line {l:?}: {e}");
            }
        }
    }
    (whole, torn)
}

#[test]
fn a_full_log_folder_degrades_to_stderr_and_logs_again_once_freed() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = match Tmpfs::mount(&tmp.path().join("logs"), "size=1m") {
        Ok(d) => d,
        Err(why) => return skip("faults::a_full_log_folder", &why),
    };
    let mut config = WriterConfig::new(disk.path().to_owned());
    config.recheck_every = Duration::from_millis(20);
    let writer = LogWriter::start(config);
    let line = |n: usize| {
        format!(
            r#"{{"message":"test.line","n":{n},"pad":"{}"}}"#,
            "p".repeat(300)
        )
    };
    for n in 0..10 {
        writer.write_line(line(n));
    }
    assert!(writer.flush(Duration::from_secs(5)));
    assert!(writer.degraded().is_none());

    let filler = disk.path().join("filler");
    disk.fill(&filler);
    let started = std::time::Instant::now();
    for n in 10..2000 {
        writer.write_line(line(n));
    }
    assert!(
        writer.flush(Duration::from_secs(5)),
        "the writer hung on a full disk"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let reason = writer.degraded().expect("a full log folder is reported");
    assert!(reason.contains("standard error"), "{reason}");
    assert_eq!(writer.dropped(), 0);

    std::fs::remove_file(&filler).unwrap();
    let mut back = false;
    for n in 2000..2100 {
        writer.write_line(line(n));
        writer.flush(Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(25));
        if writer.degraded().is_none() {
            back = true;
            break;
        }
    }
    assert!(back, "logging did not come back once there was room");
    writer.write_line(line(5000));
    assert!(writer.flush(Duration::from_secs(5)));
    let (lines, torn) = log_lines(disk.path());
    let first: Vec<u64> = lines.iter().filter_map(|l| l["n"].as_u64()).collect();
    let in_file = first.iter().filter(|&&n| (10..2000).contains(&n)).count();
    println!(
        "| full disk under the log folder | {} of 1990 lines went to stderr | 0 (no entries involved) | {torn} torn log lines |",
        1990 - in_file
    );
    assert_eq!(torn, 0, "torn log lines");
    assert!(
        (0..10).all(|n| first.contains(&n)),
        "lines before the disk filled went: {first:?}"
    );
    assert!(
        first.contains(&5000),
        "no line after space was freed: {first:?}"
    );
    writer.shutdown(Duration::from_secs(5));
}
