//! What `tt` leaves alone: commands that only read create no data folder
//! and no database, and text stored with control characters (by an older
//! version, or received by sync) never reaches the terminal raw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::Tt;

/// Every command that only reads, with what it needs to run.
/// (`import --dry-run` has its own test: it previews against nothing.)
fn read_only_commands() -> Vec<Vec<String>> {
    [
        vec!["status"],
        vec!["log"],
        vec!["log", "--all"],
        vec!["report"],
        vec!["export"],
        vec!["export", "--format", "json"],
        vec!["projects"],
        vec!["projects", "list", "--archived"],
        vec!["sync", "status"],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_owned).collect())
    .collect()
}

fn tt_in(data_dir: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tt"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("TZ", "UTC")
        .env_remove("TIMETRACKER_DATA_DIR")
        .output()
        .unwrap()
}

fn sample_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("sample.csv");
    std::fs::write(
        &file,
        "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\n\
         1,Site,,x,2026-11-23T08:00:00Z,2026-11-23T09:00:00Z,3600,,false,,\n",
    )
    .unwrap();
    file
}

fn assert_no_database(out: &Output, args: &[String], data_dir: &Path) {
    assert_eq!(
        out.status.code(),
        Some(6),
        "tt {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&data_dir.display().to_string()) && err.contains("nothing was created"),
        "tt {args:?}: {err}"
    );
    assert!(out.stdout.is_empty(), "tt {args:?} printed output");
}

#[test]
fn read_only_commands_on_a_missing_folder_fail_and_create_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let typo = tmp.path().join("timetrackr");
    for args in read_only_commands() {
        let out = tt_in(&typo, &args);
        assert_no_database(&out, &args, &typo);
        assert!(!typo.exists(), "tt {args:?} created {}", typo.display());
    }
    // The doctor reports the missing folder and leaves it missing.
    let out = tt_in(&typo, &["doctor".to_owned()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!typo.exists());
    let mut json = vec!["--json".to_owned(), "status".to_owned()];
    let out = tt_in(&typo, &json);
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "storage.no_database");
    assert!(!typo.exists());

    // A command that records something still creates both on first use.
    json = vec!["start".to_owned(), "Site".to_owned()];
    let out = tt_in(&typo, &json);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(typo.join("timetracker.sqlite3").is_file());
    let out = tt_in(&typo, &["status".to_owned()]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Running: Site"));
}

#[test]
fn an_import_preview_before_the_first_use_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let typo = tmp.path().join("new");
    let file = sample_file(tmp.path());
    let args: Vec<String> = ["--json", "import", "--dry-run", file.to_str().unwrap()]
        .map(str::to_owned)
        .to_vec();
    let out = tt_in(&typo, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let preview: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(preview["new_entries"], 1);
    assert!(!typo.exists());
}

#[test]
fn read_only_commands_in_a_folder_without_a_database_create_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for args in read_only_commands() {
        let out = tt_in(&data, &args);
        assert_no_database(&out, &args, &data);
        let left: Vec<_> = std::fs::read_dir(&data).unwrap().collect();
        assert!(left.is_empty(), "tt {args:?} left {left:?}");
    }
}

#[test]
fn names_stored_with_control_characters_are_printed_escaped() {
    let tt = Tt::new();
    tt.ok(&["start", "Site", "-d", "plain", "-t", "ok"]);
    tt.ok(&["stop"]);
    // What an older version (or another device) may have stored.
    let conn = rusqlite::Connection::open(tt.data_dir().join("timetracker.sqlite3")).unwrap();
    conn.execute(
        "UPDATE projects SET name = 'Evil' || char(27) || ']52;c;aGk=' || char(7) || char(155) || '2J'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE time_entries SET description = char(27) || '[2J' || char(13) || 'two' || char(10) || 'lines'",
        [],
    )
    .unwrap();
    drop(conn);
    for args in [
        &["log"][..],
        &["projects"],
        &["report"],
        &["--json", "log"],
        &["--json", "projects"],
    ] {
        let out = tt.run(args);
        assert!(out.status.success(), "tt {args:?}");
        let forbidden = [0x1b_u8, 0x07, b'\r'];
        assert!(
            !out.stdout.iter().any(|b| forbidden.contains(b)),
            "tt {args:?} printed a control byte: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains('\u{9b}'), "tt {args:?}: {text:?}");
        assert!(
            text.contains("Evil\\u{1b}]52;c;aGk=\\u{7}\\u{9b}2J")
                || text.contains("Evil\\u001b]52;c;aGk=\\u0007\\u009b2J"),
            "tt {args:?}: {text}"
        );
    }
    let log = tt.ok(&["log"]);
    assert!(log.contains("\\u{1b}[2J\\u{d}two\nlines"), "{log}");
    // New input with one is refused.
    let out = tt.run(&["projects", "add", "Bad\u{1b}]0;title\u{7}"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("U+001B") && !err.contains('\u{1b}'), "{err}");
}
