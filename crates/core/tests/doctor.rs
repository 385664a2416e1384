//! `tt doctor`'s local checks against real files, a real SQLite database
//! and real mounts: each check healthy and broken, and every check id
//! explained in docs/troubleshooting.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod doctor_support;

use std::path::Path;
use std::sync::Arc;

use doctor_support::*;
use timetracker_core::doctor::Database;
use timetracker_core::doctor::{CheckStatus, DesktopRuntime, Doctor};
use timetracker_core::settings::MetricsSettings;
use timetracker_core::{ErrorCode, ErrorPayload, SystemClock, Tracker};
use timetracker_test_support::{skip, Tmpfs};

#[test]
fn a_fresh_install_is_healthy_and_every_check_has_an_id_and_a_finding() {
    let f = fixture();
    let report = run(&f, &env(&[]));
    assert!(report.healthy(), "{report:#?}");
    for id in [
        "data.folder",
        "data.free_space",
        "data.database",
        "data.schema",
        "data.wal",
        "logs.folder",
        "logs.level",
        "logs.file",
        "logs.last_error",
        "crash.consent",
        "crash.dsn",
        "crash.queue",
        "crash.last_send",
        "usage.consent",
        "usage.config",
        "usage.outbox",
        "usage.last_send",
        "usage.flags",
        "metrics.endpoint",
        "sync.folder",
        "desktop.tray",
        "desktop.shortcut",
        "desktop.idle",
        "desktop.autostart",
    ] {
        let check = report.check(id).unwrap_or_else(|| panic!("no {id}"));
        assert!(!check.finding.is_empty(), "{id}");
    }
    assert_eq!(
        status(&report, "data.folder"),
        CheckStatus::Ok,
        "a new data folder is private"
    );
    assert_eq!(status(&report, "data.database"), CheckStatus::Ok);
    assert_eq!(status(&report, "crash.dsn"), CheckStatus::Skipped);
    assert_eq!(status(&report, "metrics.endpoint"), CheckStatus::Skipped);
    assert_eq!(status(&report, "sync.folder"), CheckStatus::Skipped);
    // Only the app knows its tray: tt says so instead of guessing.
    assert_eq!(status(&report, "desktop.tray"), CheckStatus::Skipped);
    assert!(finding(&report, "desktop.tray").contains("Settings › Diagnostics"));
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids repeat: {ids:?}");
}

#[cfg(unix)]
#[test]
fn data_folder_open_to_others_missing_or_unopenable() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    std::fs::set_permissions(&f.dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let report = run(&f, &env(&[]));
    assert_eq!(status(&report, "data.folder"), CheckStatus::Warning);
    assert!(finding(&report, "data.folder").contains("chmod 700"));

    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nowhere");
    let error = ErrorPayload {
        code: ErrorCode::StorageDataDir,
        message: "The data folder could not be created".into(),
    };
    let lookup = |_: &str| None;
    let report = Doctor::new(&missing, &lookup, Database::Failed(error)).run();
    assert!(!report.healthy());
    assert_eq!(status(&report, "data.folder"), CheckStatus::Problem);
    assert_eq!(status(&report, "data.database"), CheckStatus::Problem);
    assert!(finding(&report, "data.database").contains("storage.data_dir"));
    assert_eq!(status(&report, "data.schema"), CheckStatus::Skipped);
}

#[test]
fn free_space_below_the_threshold_is_a_warning() {
    let f = fixture();
    let report = run_with(&f, &env(&[]), |d| d.low_space_bytes = u64::MAX / 2);
    assert_eq!(status(&report, "data.free_space"), CheckStatus::Warning);
}

#[test]
fn a_nearly_full_disk_is_reported_from_the_real_file_system() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    let disk = match Tmpfs::mount(&mnt, "size=8m") {
        Ok(disk) => disk,
        Err(why) => return skip("doctor::a_nearly_full_disk", &why),
    };
    let dir = mnt.join("data");
    let tracker = Tracker::open_in_dir(&dir, Arc::new(SystemClock)).unwrap();
    // Fill it to under 5 MB free.
    let filler = vec![0u8; 4 * 1024 * 1024];
    let _ = std::fs::write(mnt.join("filler"), &filler);
    let lookup = |_: &str| None;
    let report = Doctor::new(&dir, &lookup, Database::Open(&tracker)).run();
    let check = report.check("data.free_space").unwrap().clone();
    drop(tracker);
    drop(disk);
    assert_eq!(check.status, CheckStatus::Problem, "{check:?}");
    assert!(check.finding.contains("free"), "{check:?}");
}

#[test]
fn an_invalid_log_level_is_a_problem_that_names_the_accepted_values() {
    let f = fixture();
    let report = run(&f, &env(&[("LOG_LEVEL", "verbose")]));
    assert_eq!(status(&report, "logs.level"), CheckStatus::Problem);
    let text = finding(&report, "logs.level");
    assert!(
        text.contains("verbose") && text.contains("trace, debug, info, warn, error"),
        "{text}"
    );
    assert!(!report.healthy());
    let report = run(&f, &env(&[("LOG_LEVEL", "debug")]));
    assert_eq!(status(&report, "logs.level"), CheckStatus::Ok);
}

#[test]
fn a_log_folder_that_cannot_be_written_is_a_problem() {
    let f = fixture();
    let logs = f.dir.join("logs");
    let mounted = Tmpfs::mount(&logs, "ro,size=1m").ok();
    if mounted.is_none() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
        if std::fs::write(logs.join("probe"), b"").is_ok() {
            return skip(
                "doctor::a_log_folder_that_cannot_be_written",
                "this user can write anywhere and may not mount",
            );
        }
    }
    let report = run(&f, &env(&[]));
    drop(mounted);
    assert_eq!(
        status(&report, "logs.folder"),
        CheckStatus::Problem,
        "{report:#?}"
    );
    assert!(finding(&report, "logs.folder").contains("not writable"));
}

#[test]
fn the_last_error_line_is_found_with_its_time_and_code() {
    let f = fixture();
    let logs = f.dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let now = jiff::Timestamp::now();
    let lines = [
        format!(
            r#"{{"asctime":"{now}","levelname":"ERROR","name":"timetracker","message":"command.failed","code":"storage.disk_full"}}"#
        ),
        format!(
            r#"{{"asctime":"{now}","levelname":"INFO","name":"timetracker","message":"timer.started"}}"#
        ),
    ];
    std::fs::write(logs.join("app.jsonl"), lines.join("\n") + "\n").unwrap();
    let report = run(&f, &env(&[]));
    assert_eq!(status(&report, "logs.last_error"), CheckStatus::Warning);
    let text = finding(&report, "logs.last_error");
    assert!(
        text.contains("command.failed") && text.contains("storage.disk_full"),
        "{text}"
    );
    assert!(text.contains(&now.to_string()), "{text}");
}

#[test]
fn a_bad_dsn_is_a_problem_and_a_good_one_hides_its_key() {
    let f = fixture();
    let report = run(&f, &env(&[("SENTRY_DSN", "not a dsn")]));
    assert_eq!(status(&report, "crash.dsn"), CheckStatus::Problem);
    let report = run(
        &f,
        &env(&[("SENTRY_DSN", "https://secretkey123@sentry.example/42")]),
    );
    assert_eq!(status(&report, "crash.dsn"), CheckStatus::Ok);
    let text = finding(&report, "crash.dsn");
    assert!(
        text.contains("sentry.example") && !text.contains("secretkey123"),
        "{text}"
    );
    let report = run(&f, &env(&[("SENTRY_TRACES_RATE", "7")]));
    assert_eq!(status(&report, "crash.config"), CheckStatus::Problem);
}

#[test]
fn forced_off_is_named_with_the_variable() {
    let f = fixture();
    let report = run(
        &f,
        &env(&[("DO_NOT_TRACK", "1"), ("POSTHOG_API_KEY", "phc_test")]),
    );
    assert!(finding(&report, "usage.consent").contains("DO_NOT_TRACK"));
    assert!(finding(&report, "crash.consent").contains("DO_NOT_TRACK"));
}

#[test]
fn a_nearly_full_outbox_and_a_refused_send_are_reported() {
    let mut f = fixture();
    timetracker_core::telemetry::consent::record_answer(&mut f.tracker, true, true).unwrap();
    let db = rusqlite::Connection::open(f.dir.join("timetracker.sqlite3")).unwrap();
    db.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9500)
         INSERT INTO telemetry_outbox (uuid, event, payload, created_at, run_events, run_bytes)
         SELECT 'u' || i, 'app.active', '{}', 0, i, 2 * i FROM n;",
    )
    .unwrap();
    db.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ('telemetry.last_send', ?1, 0)",
        [r#"{"at":"2026-11-30T10:00:00Z","status":401,"error":null}"#],
    )
    .unwrap();
    let crash_dir = f.dir.join("crash-reports");
    std::fs::create_dir_all(&crash_dir).unwrap();
    std::fs::write(
        crash_dir.join("last-send.json"),
        r#"{"at":"2026-11-30T10:00:00Z","status":null,"error":"connection refused"}"#,
    )
    .unwrap();
    let report = run(
        &f,
        &env(&[
            ("POSTHOG_API_KEY", "phc_test"),
            ("SENTRY_DSN", "http://k@127.0.0.1:9/1"),
        ]),
    );
    assert_eq!(
        status(&report, "usage.outbox"),
        CheckStatus::Warning,
        "{report:#?}"
    );
    assert!(finding(&report, "usage.outbox").contains("9500 events"));
    assert_eq!(status(&report, "usage.last_send"), CheckStatus::Problem);
    assert!(finding(&report, "usage.last_send").contains("HTTP 401"));
    assert_eq!(status(&report, "crash.last_send"), CheckStatus::Warning);
    assert!(finding(&report, "crash.last_send").contains("connection refused"));

    let report = run_with(&f, &env(&[]), |d| {
        d.runtime.telemetry_dropped = Some(12);
    });
    assert!(finding(&report, "usage.outbox").contains("dropped the 12 oldest"));

    // What an earlier launch dropped is still told by tt.
    db.execute("DELETE FROM telemetry_outbox", []).unwrap();
    let record = format!(r#"{{"total":40,"last_at":"{}"}}"#, jiff::Timestamp::now());
    db.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ('telemetry.dropped', ?1, 0)",
        [record],
    )
    .unwrap();
    let report = run(&f, &env(&[]));
    assert_eq!(status(&report, "usage.outbox"), CheckStatus::Warning);
    assert!(
        finding(&report, "usage.outbox").contains("dropped 40 oldest in all"),
        "{report:#?}"
    );
}

#[test]
fn sync_checks_follow_the_folder() {
    let mut f = fixture();
    let shared = enable_sync(&mut f);
    let report = run(&f, &env(&[]));
    assert_eq!(
        status(&report, "sync.folder"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    assert_eq!(status(&report, "sync.devices"), CheckStatus::Warning);
    assert_eq!(status(&report, "sync.conflicts"), CheckStatus::Ok);
    std::fs::remove_dir_all(&shared).unwrap();
    let report = run(&f, &env(&[]));
    assert_eq!(status(&report, "sync.folder"), CheckStatus::Problem);
    assert!(finding(&report, "sync.folder").contains("is not there"));
}

#[test]
fn desktop_checks_use_what_the_app_reports() {
    let f = fixture();
    let report = run_with(&f, &env(&[]), |d| {
        d.runtime.desktop = Some(DesktopRuntime {
            tray_error: Some("no StatusNotifier host".into()),
            shortcut_error: Some("already taken".into()),
            idle_source: Some("x11".into()),
            autostart_registered: Some(false),
        })
    });
    assert_eq!(status(&report, "desktop.tray"), CheckStatus::Warning);
    assert_eq!(status(&report, "desktop.shortcut"), CheckStatus::Problem);
    assert_eq!(status(&report, "desktop.idle"), CheckStatus::Ok);
    assert_eq!(status(&report, "desktop.autostart"), CheckStatus::Ok);

    // tt looks for the autostart entry itself.
    std::fs::create_dir_all(f.dir.join("autostart")).unwrap();
    std::fs::write(
        f.dir.join("autostart/TimeTracker.desktop"),
        "[Desktop Entry]\n",
    )
    .unwrap();
    let report = run(&f, &env(&[]));
    assert_eq!(status(&report, "desktop.autostart"), CheckStatus::Warning);
}

/// Counts every request that reaches it; answers 200 `{}`.

#[test]
fn an_older_schema_is_reported_not_upgraded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    drop(Tracker::open_in_dir(&dir, Arc::new(SystemClock)).unwrap());
    let db = dir.join("timetracker.sqlite3");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 5)
        .unwrap();
    let database = match timetracker_core::doctor::open_database(&dir) {
        Err(database @ Database::Outdated { found: 5 }) => database,
        _ => panic!("an older schema should be left unopened"),
    };
    assert_eq!(
        timetracker_core::storage::Storage::peek_schema_version(&db).unwrap(),
        5,
        "doctor upgraded the database"
    );
    let lookup = |_: &str| None;
    let report = Doctor::new(&dir, &lookup, database).run();
    assert_eq!(status(&report, "data.schema"), CheckStatus::Warning);
    assert!(finding(&report, "data.schema").contains("Schema version 5"));
    assert_eq!(status(&report, "data.database"), CheckStatus::Skipped);
    assert!(
        report.healthy(),
        "an old schema is not a problem: any start upgrades it"
    );
}

#[test]
fn every_check_id_is_explained_in_the_troubleshooting_guide() {
    let mut f = fixture();
    enable_sync(&mut f);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    f.tracker
        .set_metrics_settings(&MetricsSettings {
            enabled: true,
            port,
            per_project: false,
        })
        .unwrap();
    let env = env(&[]);
    let lookup = |k: &str| env.get(k).cloned();
    let mut doctor = Doctor::new(&f.dir, &lookup, Database::Open(&f.tracker));
    doctor.runtime.desktop = Some(DesktopRuntime::default());
    // No consent was given: the online checks are skipped, nothing is sent.
    let report = doctor.run_online();
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/troubleshooting.md"),
    )
    .unwrap();
    let mut missing = Vec::new();
    for check in &report.checks {
        if !guide.contains(&format!("`{}`", check.id)) {
            missing.push(check.id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/troubleshooting.md: {missing:?}"
    );
    assert!(report.checks.len() >= 30, "{}", report.checks.len());
}
