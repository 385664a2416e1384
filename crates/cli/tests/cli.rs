//! `tt` as a user runs it: the built binary against a temporary data
//! folder, checking its output, its files and its exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use std::sync::Arc;

use common::Tt;
use timetracker_test_support::fixture;

use serde_json::Value;
use timetracker_core::{SystemClock, Tracker};

/// Three entries over two days, two projects, one billed, tags.
const SAMPLE: &str = "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\r\n\
1,Site,ACME,\"Layout, hero\",2026-11-23T08:00:00Z,2026-11-23T09:30:00Z,5400,design;review,true,100.00,EUR\r\n\
2,Internal,,Inbox,2026-11-23T23:30:00Z,2026-11-24T00:15:00Z,2700,admin,false,,\r\n\
3,Site,ACME,Fixes,2026-11-24T10:00:00Z,2026-11-24T10:20:00Z,1200,,true,100.00,EUR\r\n";

fn with_sample() -> Tt {
    let tt = Tt::new();
    let file = tt.data_dir().join("sample.csv");
    std::fs::write(&file, SAMPLE).unwrap();
    tt.ok(&["import", file.to_str().unwrap()]);
    tt
}

#[test]
fn pause_and_resume_make_two_entries_like_each_other() {
    let tt = Tt::new();
    let refused = tt.run(&["pause"]);
    assert_eq!(refused.status.code(), Some(4));
    let refused = tt.run(&["--json", "resume"]);
    assert_eq!(refused.status.code(), Some(4));
    let error: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(error["error"]["code"], "timer.not_paused", "{error}");

    tt.ok(&["start", "Owls", "-d", "Counting", "--tag", "field"]);
    let paused = tt.ok(&["pause"]);
    assert!(
        paused.starts_with("Paused Owls \u{201c}Counting\u{201d} #field after "),
        "{paused}"
    );
    let status = tt.ok(&["status"]);
    assert!(
        status.starts_with("Paused: Owls \u{201c}Counting\u{201d} #field since "),
        "{status}"
    );
    let status = tt.json(&["status"]);
    assert_eq!(status["running"], false);
    assert_eq!(status["paused"]["entry"]["description"], "Counting");

    let resumed = tt.json(&["resume"]);
    assert_eq!(resumed["started"]["project_name"], "Owls");
    assert_eq!(resumed["started"]["description"], "Counting");
    assert_eq!(resumed["started"]["tags"], serde_json::json!(["field"]));
    assert_eq!(tt.json(&["status"])["paused"], Value::Null);
    assert_eq!(tt.run(&["resume"]).status.code(), Some(4));
    tt.ok(&["stop"]);

    let log = tt.json(&["log"]);
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_ne!(entries[0]["id"], entries[1]["id"]);
    let logs = std::fs::read_to_string(tt.data_dir().join("logs/app.jsonl")).unwrap();
    assert!(logs.contains("\"message\":\"timer.paused\""), "{logs}");
    assert!(logs.contains("\"message\":\"timer.resumed\""), "{logs}");
}

#[test]
fn start_status_and_stop() {
    let tt = Tt::new();
    // A folder with a database in it: what any write leaves behind.
    tt.ok(&["projects", "add", "Website"]);
    assert_eq!(tt.ok(&["status"]), "No timer is running.\n");
    let status = tt.json(&["status"]);
    assert_eq!(status["running"], false);
    assert_eq!(status["entry"], Value::Null);

    let started = tt.json(&["start", "Website", "-d", "Landing page", "--tag", "design"]);
    assert_eq!(started["started"]["project_name"], "Website");
    assert_eq!(started["stopped"], Value::Null);
    let text = tt.ok(&["status"]);
    assert!(
        text.starts_with("Running: Website \u{201c}Landing page\u{201d} #design since "),
        "{text}"
    );
    let status = tt.json(&["status"]);
    assert_eq!(status["running"], true);
    assert_eq!(status["entry"]["tags"], serde_json::json!(["design"]));

    // Starting another stops the first at the same instant.
    let switched = tt.json(&["start"]);
    assert_eq!(switched["stopped"]["project_name"], "Website");
    assert_eq!(switched["started"]["project_id"], Value::Null);
    assert_eq!(
        switched["stopped"]["stopped_at"],
        switched["started"]["started_at"]
    );

    let stopped = tt.ok(&["stop"]);
    assert!(
        stopped.starts_with("Stopped (no project) after "),
        "{stopped}"
    );
    let again = tt.run(&["stop"]);
    assert_eq!(again.status.code(), Some(4));
    assert_eq!(
        String::from_utf8(again.stderr).unwrap(),
        "tt: No timer is running.\n"
    );
    let log = tt.json(&["log"]);
    assert_eq!(log["entries"].as_array().unwrap().len(), 2);

    // Both commands logged to the same JSONL file as the app.
    let logs = std::fs::read_to_string(tt.data_dir().join("logs/app.jsonl")).unwrap();
    assert!(logs.contains("\"message\":\"timer.started\""), "{logs}");
    assert!(logs.contains("\"command\":\"tt_stop\""), "{logs}");
}

#[test]
fn a_report_shows_the_work_hour_target_and_the_day_breaks() {
    let tt = with_sample();
    let r = tt.json(&["report", "--from", "2026-11-23", "--to", "2026-11-29"]);
    assert_eq!(r["target"], Value::Null, "no work hours, no target");
    // 09:30 to 23:30 on the 23rd; none between midnight and 10:00 on the 24th.
    assert_eq!(r["by_day"][0]["break_seconds"], 14 * 3600);
    assert_eq!(r["by_day"][1]["break_seconds"], 9 * 3600 + 45 * 60);

    // Set in the app's Settings › Work hours; here through the core, on
    // the same data folder.
    let mut t = Tracker::open_in_dir(tt.data_dir(), Arc::new(SystemClock)).unwrap();
    t.set_work_hours(timetracker_core::targets::WorkHours {
        weekday_minutes: [480, 480, 480, 480, 360, 0, 0],
        days_off: vec![jiff::civil::date(2026, 11, 26)],
        balance_from: Some(jiff::civil::date(2026, 11, 23)),
    })
    .unwrap();
    drop(t);
    let r = tt.json(&["report", "--from", "2026-11-23", "--to", "2026-11-29"]);
    assert_eq!(r["target"]["target_seconds"], 30 * 3600);
    assert_eq!(r["target"]["tracked_seconds"], 9300);
    assert_eq!(r["target"]["difference_seconds"], 9300 - 30 * 3600);
    assert_eq!(r["balance"]["from"], "2026-11-23");
    let text = tt.ok(&["report", "--from", "2026-11-23", "--to", "2026-11-29"]);
    assert!(
        text.contains("Target: 2:35:00 of 30:00:00 (-27:25:00)"),
        "{text}"
    );
    assert!(text.contains("Balance from 2026-11-23 through "), "{text}");
}

#[test]
fn report_json_has_the_totals() {
    let tt = with_sample();
    let r = tt.json(&["report", "--from", "2026-11-23", "--to", "2026-11-24"]);
    assert_eq!(r["total_seconds"], 5400 + 2700 + 1200);
    assert_eq!(r["entry_count"], 3);
    assert_eq!(r["by_project"][0]["name"], "Site");
    assert_eq!(r["by_project"][0]["seconds"], 6600);
    assert_eq!(r["by_project"][0]["billable_cents"], 18_333);
    assert_eq!(
        r["billable"],
        serde_json::json!([{"currency": "EUR", "cents": 18_333}])
    );
    let days: Vec<(&str, i64)> = r["by_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["date"].as_str().unwrap(), d["seconds"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        days,
        [("2026-11-23", 5400 + 1800), ("2026-11-24", 900 + 1200)]
    );

    // --to takes the whole day; an instant is exclusive.
    let day = tt.json(&["report", "--from", "2026-11-23", "--to", "2026-11-23"]);
    assert_eq!(day["total_seconds"], 5400 + 1800);
    let inst = tt.json(&[
        "report",
        "--from",
        "2026-11-23T08:30:00Z",
        "--to",
        "2026-11-23T09:00:00Z",
    ]);
    assert_eq!(inst["total_seconds"], 1800);
    let rounded = tt.json(&["report", "--all", "--round", "30"]);
    assert_eq!(rounded["rounded_total_seconds"], 5400 + 3600 + 1800);
    let env = tt
        .command(&["--json", "report", "--all"])
        .env("ROUNDING_MINUTES", "30")
        .output()
        .unwrap();
    let env: Value = serde_json::from_slice(&env.stdout).unwrap();
    assert_eq!(env["rounding_minutes"], 30);

    let text = tt.ok(&["report", "--all", "--by", "tag"]);
    assert!(text.contains("#design"), "{text}");
    let bad = tt.run(&["report", "--from", "23/11/2026"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = tt.run(&["report", "--all", "--round", "7"]);
    assert_eq!(bad.status.code(), Some(1));
}

fn without_ids(csv: &str) -> Vec<String> {
    csv.lines()
        .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest).to_owned())
        .collect()
}

#[test]
fn an_export_onto_the_database_is_refused_and_the_database_keeps_working() {
    let tt = with_sample();
    let db = tt.data_dir().join("timetracker.sqlite3");
    for target in [db.clone(), tt.data_dir().join("timetracker.sqlite3-wal")] {
        let out = tt.run(&["--json", "export", "-o", target.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], "export.target_protected", "{err}");
    }
    // Still a database, with every entry.
    let log = tt.json(&["log", "--all"]);
    assert!(!log["entries"].as_array().unwrap().is_empty(), "{log}");
}

#[test]
fn an_import_of_a_device_or_folder_is_refused_by_name() {
    let tt = Tt::new();
    for target in ["/dev/zero", tt.data_dir().to_str().unwrap()] {
        let out = tt.run(&["--json", "import", target]);
        assert_eq!(out.status.code(), Some(3), "{target}");
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], "import.not_a_file", "{err}");
    }
}

#[test]
fn export_then_import_round_trips_through_files_and_stdin() {
    let source = with_sample();
    source.ok(&["start", "Site", "-d", "still going", "-t", "live"]);
    let csv = source.ok(&["export"]);
    assert!(csv.contains("\r\n"));
    // Not into the data folder: that is refused (see the next test).
    let elsewhere = tempfile::tempdir().unwrap();
    let json_file = elsewhere.path().join("all.json");
    source.ok(&[
        "export",
        "--format",
        "json",
        "-o",
        json_file.to_str().unwrap(),
    ]);
    assert!(!elsewhere.path().join("all.json.partial").exists());

    // CSV through standard input, JSON from the file, each into a new
    // database: the exports of those databases match the original.
    for how in ["stdin", "file"] {
        let target = Tt::new();
        let out = if how == "stdin" {
            let mut child = target
                .command(&["--json", "import", "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(csv.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        } else {
            target
                .command(&["--json", "import", json_file.to_str().unwrap()])
                .output()
                .unwrap()
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["imported"], 4, "{how}");
        assert_eq!(
            summary["format"],
            if how == "stdin" { "csv" } else { "json" }
        );
        assert_eq!(
            without_ids(&target.ok(&["export"])),
            without_ids(&csv),
            "{how}"
        );
        let status = target.json(&["status"]);
        assert_eq!(status["entry"]["description"], "still going");

        let again = target.json(&["import", json_file.to_str().unwrap()]);
        assert_eq!(
            (again["imported"].as_i64(), again["duplicates"].as_i64()),
            (Some(0), Some(4))
        );
    }
}

#[test]
fn a_bad_import_exits_3_with_line_numbers_and_changes_nothing() {
    let tt = Tt::new();
    let bad = fixture("timetracker-bad.csv");
    let out = tt.run(&["import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("tt: The file has 5 problems, so nothing was imported."),
        "{stderr}"
    );
    for line in ["Line 3:", "Line 4:", "Line 5:"] {
        assert!(stderr.contains(line), "{stderr}");
    }
    assert!(out.stdout.is_empty());

    let out = tt.run(&["--json", "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "import.invalid");
    assert_eq!(err["error"]["lines"][0]["line"], 3);

    let unknown = tt.data_dir().join("notes.txt");
    std::fs::write(&unknown, "just words\n").unwrap();
    let out = tt.run(&["import", unknown.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let out = tt.run(&["import", "/no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(7));

    assert_eq!(tt.json(&["log", "--all"])["entries"], serde_json::json!([]));
}

#[test]
fn every_import_format_is_detected() {
    for (name, format) in [
        ("toggl.csv", "toggl"),
        ("clockify.csv", "clockify"),
        ("timewarrior.json", "timewarrior"),
        ("watson-frames.json", "watson"),
        ("timetracker.json", "json"),
    ] {
        let tt = Tt::new();
        let file = fixture(name);
        let preview = tt.json(&["import", "--dry-run", file.to_str().unwrap()]);
        assert_eq!(preview["format"], format, "{name}");
        assert_eq!(preview["dry_run"], true);
        assert!(preview["new_entries"].as_i64().unwrap() > 0, "{name}");
        // A preview writes nothing, not even an empty database.
        assert!(
            !tt.data_dir().join("timetracker.sqlite3").exists(),
            "{name}"
        );
        let done = tt.json(&["import", "--format", format, file.to_str().unwrap()]);
        assert_eq!(done["imported"], preview["new_entries"], "{name}");
    }
}

#[test]
fn projects_can_be_added_renamed_archived_and_listed() {
    let tt = Tt::new();
    tt.ok(&["projects", "add", "Alpha"]);
    tt.ok(&["projects", "add", "Beta"]);
    let taken = tt.run(&["projects", "add", "alpha"]);
    assert_eq!(taken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already exists"));
    tt.ok(&["projects", "rename", "beta", "Gamma"]);
    tt.ok(&["projects", "archive", "Alpha"]);
    assert_eq!(tt.ok(&["projects"]), "Gamma\n");
    let all = tt.json(&["projects", "list", "--archived"]);
    let names: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Gamma", "Alpha"]);
    assert_eq!(
        tt.run(&["projects", "archive", "Nope"]).status.code(),
        Some(5)
    );
    // An archived project cannot be tracked on.
    let archived = tt.run(&["start", "Alpha"]);
    assert_eq!(archived.status.code(), Some(1));
}

#[test]
fn works_while_the_app_has_the_database_open() {
    let tt = Tt::new();
    let app = Tracker::open_in_dir(tt.data_dir(), Arc::new(SystemClock)).unwrap();
    tt.ok(&["start", "Shared"]);
    let running = app.timer_status().unwrap().unwrap();
    assert_eq!(running.project_name.as_deref(), Some("Shared"));
    tt.ok(&["stop"]);
    assert!(app.timer_status().unwrap().is_none());
}

#[test]
fn a_bad_data_dir_is_a_storage_error() {
    let tt = Tt::new();
    let blocker = tt.data_dir().join("file");
    std::fs::write(&blocker, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tt"))
        .args(["--data-dir", blocker.join("sub").to_str().unwrap(), "start"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    // A write starts the log writer, which says on standard error that it
    // cannot write there either.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tt: The data folder"), "{stderr}");
}
