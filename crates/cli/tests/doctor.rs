//! `tt doctor` as a user runs it: exit codes, the JSON shape, the support
//! bundle, and not one request off the machine without `--online`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Read;
use std::sync::Arc;

use common::Tt;
use serde_json::Value;
use timetracker_core::{SystemClock, Tracker};
use timetracker_test_support::Receiver;

fn doctor(tt: &Tt, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, Value, String) {
    let mut cmd = tt.command(&["--json", "doctor"]);
    cmd.args(args)
        .env("SENTRY_DSN", "")
        .env("POSTHOG_API_KEY", "");
    // Whatever this machine's environment says, the tests decide.
    for key in [
        "LOG_LEVEL",
        "DO_NOT_TRACK",
        "ENABLE_TELEMETRY",
        "TELE_SALT",
        "SENTRY_TRACES_RATE",
        "TIMETRACKER_METRICS_ADDR",
        "TIMETRACKER_METRICS_TOKEN",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(key);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (
        out.status.code(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

#[test]
fn healthy_exits_0_with_every_check_in_the_documented_shape() {
    let tt = Tt::new();
    tt.ok(&["start", "Writing"]);
    let (code, report, _) = doctor(&tt, &[], &[]);
    assert_eq!(code, Some(0), "{report:#}");
    let checks = report["checks"].as_array().unwrap();
    assert!(checks.len() >= 20);
    for c in checks {
        assert!(c["id"].as_str().is_some_and(|id| id.contains('.')), "{c}");
        assert!(
            ["ok", "warning", "problem", "skipped"].contains(&c["status"].as_str().unwrap()),
            "{c}"
        );
        assert!(c["finding"].as_str().is_some_and(|f| !f.is_empty()), "{c}");
        assert!(c["fix"].is_null() || c["fix"].is_string(), "{c}");
    }
    assert_eq!(check(&report, "data.database")["status"], "ok");
    assert_eq!(report["online"], false);

    let text = tt.ok(&["doctor"]);
    assert!(
        text.contains("data.database") && text.contains(" ok, "),
        "{text}"
    );
}

#[test]
fn a_problem_exits_1_and_still_prints_the_report() {
    let tt = Tt::new();
    // Any write creates the database; reads no longer do.
    tt.ok(&["projects", "add", "Seed"]);
    let (code, report, stderr) = doctor(&tt, &[], &[("LOG_LEVEL", "loud")]);
    assert_eq!(code, Some(1));
    let level = check(&report, "logs.level");
    assert_eq!(level["status"], "problem");
    assert!(level["fix"]
        .as_str()
        .unwrap()
        .contains("trace, debug, info, warn, error"));
    assert!(stderr.contains("doctor.problems_found"), "{stderr}");
}

#[test]
fn doctor_creates_nothing_in_a_missing_data_folder() {
    let tt = Tt::new();
    let missing = tt.data_dir().join("not-yet");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tt"))
        .args(["--data-dir", missing.to_str().unwrap(), "--json", "doctor"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&report, "data.folder")["status"], "problem");
    assert_eq!(check(&report, "data.database")["status"], "warning");
    assert!(!missing.exists(), "doctor made the folder");
}

#[test]
fn the_bundle_is_listed_previewed_and_written() {
    let tt = Tt::new();
    tt.ok(&["start", "Secret Project Falcon", "-d", "pitch to the board"]);
    // Not in the data folder: that is refused, like an export there.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("support.tar.gz");
    let path = file.to_str().unwrap();

    let (code, report, _) = doctor(&tt, &["--bundle", path, "--preview"], &[]);
    assert_eq!(code, Some(0));
    assert_eq!(report["bundle"]["written"], false);
    assert!(!file.exists(), "--preview wrote the bundle");
    let files: Vec<&str> = report["bundle"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"doctor.json")
            && files.contains(&"config.txt")
            && files.contains(&"logs/app.jsonl"),
        "{files:?}"
    );

    let (code, report, _) = doctor(&tt, &["--bundle", path], &[]);
    assert_eq!(code, Some(0));
    assert_eq!(report["bundle"]["written"], true);
    let listing = std::process::Command::new("tar")
        .args(["-tzf", path])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    assert!(
        listing.contains("timetracker-support/doctor.json"),
        "{listing}"
    );
    let mut bytes = Vec::new();
    std::fs::File::open(&file)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    assert_eq!(report["bundle"]["bytes"], bytes.len() as u64);

    // A folder that does not exist: exit 7, and the report still printed.
    let (code, _, stderr) = doctor(&tt, &["--bundle", "/nonexistent/dir/b.tar.gz"], &[]);
    assert_eq!(code, Some(7), "{stderr}");
    assert!(stderr.contains("doctor.bundle_failed"), "{stderr}");
}

#[test]
fn without_online_not_one_connection_is_made() {
    let tt = Tt::new();
    // Any write creates the database; reads no longer do.
    tt.ok(&["projects", "add", "Seed"]);
    {
        let mut t = Tracker::open_in_dir(tt.data_dir(), Arc::new(SystemClock)).unwrap();
        timetracker_core::telemetry::consent::record_answer(&mut t, true, true).unwrap();
    }
    let receiver = Receiver::start();
    let dsn = receiver.sentry_dsn("key", 7);
    let host = receiver.url();
    let env = [
        ("SENTRY_DSN", dsn.as_str()),
        ("POSTHOG_API_KEY", "phc_cli"),
        ("POSTHOG_HOST", host.as_str()),
    ];
    let (_, report, _) = doctor(&tt, &[], &env);
    assert_eq!(check(&report, "crash.dsn")["status"], "ok");
    assert_eq!(receiver.connections(), 0);

    let (code, report, _) = doctor(&tt, &["--online"], &env);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(check(&report, "online.sentry")["status"], "ok");
    assert_eq!(check(&report, "online.posthog")["status"], "ok");
    assert_eq!(receiver.connections(), 2);
}

#[test]
fn an_older_schema_is_reported_and_left_as_it_is() {
    let tt = Tt::new();
    // Any write creates the database; reads no longer do.
    tt.ok(&["projects", "add", "Seed"]);
    let db = tt.data_dir().join("timetracker.sqlite3");
    let current = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "user_version", v - 1).unwrap();
        v
    };
    let (code, report, _) = doctor(&tt, &[], &[]);
    assert_eq!(code, Some(0), "{report:#}");
    let schema = check(&report, "data.schema");
    assert_eq!(schema["status"], "warning", "{schema}");
    assert!(schema["finding"]
        .as_str()
        .unwrap()
        .contains(&format!("{}", current - 1)));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let after: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, current - 1, "doctor upgraded the database");
    let backups = std::fs::read_dir(tt.data_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bak"))
        .count();
    assert_eq!(backups, 0, "doctor made a pre-upgrade copy");
}
