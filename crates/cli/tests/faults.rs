//! `tt` on a full disk, a full log folder and a read-only data folder, each
//! a real tmpfs: a refused write exits 6 with `storage.disk_full` or
//! `storage.read_only` and a message that says what to do, nothing stored
//! before is lost, and `tt` works again once there is room. A full log
//! folder costs no command anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Tt;
use serde_json::Value;
use timetracker_test_support::{skip, Tmpfs};

fn descriptions(tt: &Tt) -> Vec<String> {
    let log = tt.json(&["log", "--all"]);
    let mut all: Vec<String> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["description"].as_str().unwrap().to_owned())
        .collect();
    all.sort();
    all
}

/// Runs `args` with `--json` and expects a refusal with exit 6 and `code`.
fn refused(tt: &Tt, args: &[&str], code: &str) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = tt.run(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "tt {args:?}: {stderr}");
    // Log lines may precede it on stderr while the log folder is down too.
    let err: Value = stderr
        .lines()
        .rev()
        .find_map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(|v| v["error"].is_object())
        })
        .unwrap_or_else(|| panic!("no JSON error in {stderr}"));
    assert_eq!(err["error"]["code"], code, "{stderr}");
}

/// 1 when `PRAGMA integrity_check` finds the database damaged, else 0.
fn integrity_failures(tt: &Tt) -> u32 {
    let conn = rusqlite::Connection::open(tt.data_dir().join("timetracker.sqlite3")).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    u32::from(verdict != "ok")
}

fn csv(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("one.csv");
    std::fs::write(
        &path,
        "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\n\
         1,,,imported,2026-11-23T08:00:00Z,2026-11-23T09:00:00Z,3600,,false,,\n",
    )
    .unwrap();
    path
}

#[test]
fn a_full_disk_exits_6_with_disk_full_and_tt_works_again_once_freed() {
    let tt = Tt::new();
    let disk = match Tmpfs::mount(tt.data_dir(), "size=3m") {
        Ok(d) => d,
        Err(why) => return skip("tt faults::a_full_disk", &why),
    };
    let outside = tempfile::tempdir().unwrap();
    tt.ok(&["start", "Survey", "-d", "before the disk filled"]);
    tt.ok(&["stop"]);
    tt.ok(&["start", "Survey", "-d", "still running"]);
    let before = descriptions(&tt);

    let filler = disk.path().join("filler");
    disk.fill(&filler);
    let import = csv(outside.path());
    let mut refusals = 0;
    for args in [
        &["start", "-d", "onto a full disk"][..],
        &["stop"],
        &["import", import.to_str().unwrap()],
        &["projects", "add", "Nowhere"],
    ] {
        refused(&tt, args, "storage.disk_full");
        refusals += 1;
    }
    let out = tt.run(&["stop"]);
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("is full") && message.contains("Free some space"),
        "{message}"
    );

    std::fs::remove_file(&filler).unwrap();
    let after = descriptions(&tt);
    let lost = before.iter().filter(|d| !after.contains(d)).count();
    let bad = integrity_failures(&tt);
    println!("| tt on a full disk | {refusals} commands refused, exit 6 | {lost} | {bad} |");
    assert_eq!(lost, 0);
    assert_eq!(bad, 0);
    assert_eq!(
        tt.json(&["status"])["entry"]["description"],
        "still running"
    );
    tt.ok(&["stop"]);
    tt.ok(&["import", import.to_str().unwrap()]);
    assert!(descriptions(&tt).contains(&"imported".to_owned()));
}

#[test]
fn a_full_log_folder_costs_tt_nothing() {
    let tt = Tt::new();
    let logs = match Tmpfs::mount(&tt.data_dir().join("logs"), "size=256k") {
        Ok(d) => d,
        Err(why) => return skip("tt faults::a_full_log_folder", &why),
    };
    tt.ok(&["start", "-d", "logged"]);
    logs.fill(&logs.path().join("filler"));
    let mut ran = 0;
    for k in 0..10 {
        tt.ok(&["start", "-d", &format!("unlogged {k}")]);
        ran += 1;
    }
    tt.ok(&["stop"]);
    let all = descriptions(&tt);
    let lost = 11usize.saturating_sub(all.len());
    let bad = integrity_failures(&tt);
    println!("| tt with a full log folder | {ran} commands, all exit 0 | {lost} | {bad} |");
    assert_eq!(all.len(), 11, "{all:?}");
    assert_eq!(bad, 0);
}

#[test]
fn a_read_only_data_folder_exits_6_with_read_only() {
    let tt = Tt::new();
    let disk = match Tmpfs::mount(tt.data_dir(), "size=4m") {
        Ok(d) => d,
        Err(why) => return skip("tt faults::a_read_only_data_folder", &why),
    };
    tt.ok(&["start", "-d", "before"]);
    disk.remount("ro");
    let mut refusals = 0;
    for args in [&["stop"][..], &["start", "-d", "never"]] {
        refused(&tt, args, "storage.read_only");
        refusals += 1;
    }
    let out = tt.run(&["stop"]);
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("cannot be written"), "{message}");
    refusals += 1;
    disk.remount("rw");
    let lost = usize::from(tt.json(&["status"])["entry"]["description"] != "before");
    let bad = integrity_failures(&tt);
    tt.ok(&["stop"]);
    println!(
        "| tt on a read-only data folder | {refusals} commands refused, exit 6 | {lost} | {bad} |"
    );
    assert_eq!(lost, 0);
    assert_eq!(bad, 0);
}
