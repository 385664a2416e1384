//! The support bundle: written whole or not at all, readable by the user
//! alone, and carrying none of the user's words, names or secrets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod doctor_support;

use std::io::Read;
use std::sync::Arc;

use doctor_support::*;
use timetracker_core::crash::scrub::Scrubber;
use timetracker_core::doctor::{Database, Doctor};
use timetracker_core::{SystemClock, Tracker};

const PROJECT: &str = "Zygomorphic Quokka Holdings";
const CLIENT: &str = "Thunderclap Marmalade GmbH";
const DESCRIPTION: &str = "negotiating-with-plinth-9931";
const TAG: &str = "hushhush-tag-4417";
const HOST: &str = "marzipan-host-77";
const USER: &str = "quillfeather";
const DEVICE: &str = "Quillfeather's Laptop";
const QUOTED: &str = "call \"Brightwater\" back";

#[test]
fn the_support_bundle_carries_none_of_the_users_words() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home").join(USER);
    let dir = home.join(".local/share/timetracker");
    let mut tracker = Tracker::open_in_dir(&dir, Arc::new(SystemClock)).unwrap();
    let project = tracker.create_project(PROJECT, None).unwrap();
    tracker
        .set_project_billing(
            project.id,
            timetracker_core::clients::ProjectBilling {
                client: Some(CLIENT.into()),
                billable: false,
                hourly_rate_cents: None,
                currency: None,
            },
        )
        .unwrap();
    tracker
        .start_timer_tagged(Some(project.id), DESCRIPTION, &[TAG.to_owned()])
        .unwrap();
    // A description with quotes: log lines hold it JSON-escaped.
    tracker.start_timer(Some(project.id), QUOTED).unwrap();
    // Telemetry on: the outbox holds events with the anonymous id.
    let telemetry = timetracker_core::telemetry::Telemetry::new(
        timetracker_core::telemetry::TelemetryConfig::from_lookup(|k| match k {
            "POSTHOG_API_KEY" => Some("phc_supersecretkey".into()),
            "POSTHOG_HOST" => Some("http://127.0.0.1:9".into()),
            _ => None,
        }),
    );
    let tel = telemetry;
    tel.attach(&mut tracker).unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    tracker.sync_enable(&shared, Some(DEVICE), false).unwrap();
    tel.set_consent(&mut tracker, true, true).unwrap();
    let anonymous_id = tel.status(&tracker).unwrap().anonymous_id;
    assert_eq!(anonymous_id.len(), 64);
    tracker.stop_timer().unwrap();
    assert!(!tel.inspection(&tracker).unwrap().queued.is_empty());
    // A log and a waiting crash report that, against every rule, quote them.
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let leak = format!(
        "{PROJECT} {CLIENT} {DESCRIPTION} {TAG} {HOST} {USER} {DEVICE} {} {}",
        home.display(),
        PROJECT.to_lowercase()
    );
    std::fs::write(
        logs.join("app.jsonl"),
        serde_json::json!({
            "asctime": "2026-11-30T10:00:00Z",
            "levelname": "ERROR",
            "message": "x",
            "note": format!("{leak} {QUOTED} {anonymous_id}"),
        })
        .to_string()
            + "\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("crash-reports")).unwrap();
    std::fs::write(
        dir.join("crash-reports/0001.envelope"),
        format!("{{}}\n{leak}\n"),
    )
    .unwrap();

    let env = env(&[
        ("SENTRY_DSN", "https://dsnkey9876@sentry.example/1"),
        ("POSTHOG_API_KEY", "phc_supersecretkey"),
        ("TIMETRACKER_METRICS_TOKEN", "tokentokentoken42"),
        ("TELE_SALT", "saltysalt"),
    ]);
    let lookup = |k: &str| env.get(k).cloned();
    let doctor = Doctor::new(&dir, &lookup, Database::Open(&tracker));
    let report = doctor.run();
    let scrubber = Scrubber::new(
        Some(home.display().to_string()),
        Some(USER.into()),
        Some(HOST.into()),
        Some(dir.join("timetracker.sqlite3")),
    );
    let bundle = doctor.bundle_with(&report, scrubber);
    let names = bundle.names();
    for expected in [
        "doctor.json",
        "versions.txt",
        "config.txt",
        "logs/app.jsonl",
        "telemetry/queued.json",
        "crash-reports/0001.envelope",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let preview = bundle.preview();
    assert_eq!(preview.files.len(), names.len());

    let out = tmp.path().join("support.tar.gz");
    let size = bundle.write(&out).unwrap();
    assert_eq!(size, std::fs::metadata(&out).unwrap().len());
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&out).unwrap(),
    ));
    let mut seen = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        let lower = text.to_lowercase();
        for planted in [
            PROJECT,
            CLIENT,
            DESCRIPTION,
            TAG,
            HOST,
            USER,
            DEVICE,
            "dsnkey9876",
            "phc_supersecretkey",
            "tokentokentoken42",
            "saltysalt",
            "Brightwater",
            &anonymous_id,
        ] {
            assert!(
                !lower.contains(&planted.to_lowercase()),
                "{planted} is in {name}:\n{text}"
            );
        }
        assert!(
            !text.contains(&home.display().to_string()),
            "the home path is in {name}"
        );
        seen.push(name);
    }
    assert_eq!(seen.len(), names.len());
    let config = String::from_utf8_lossy(bundle.file("config.txt").unwrap()).into_owned();
    assert!(
        config.contains("SENTRY_DSN=[secret]") && config.contains("LOG_LEVEL=(unset)"),
        "{config}"
    );
    let log = String::from_utf8_lossy(bundle.file("logs/app.jsonl").unwrap()).into_owned();
    assert!(
        log.contains("[redacted]") && log.contains("[host]") && log.contains("~"),
        "{log}"
    );
}

#[test]
fn a_bundle_that_cannot_be_written_leaves_nothing_behind() {
    let f = fixture();
    let lookup = |_: &str| None;
    let doctor = Doctor::new(&f.dir, &lookup, Database::Open(&f.tracker));
    let report = doctor.run();
    let bundle = doctor.bundle(&report);
    let error = bundle
        .write(&f.dir.parent().unwrap().join("no/such/folder/b.tar.gz"))
        .unwrap_err();
    assert_eq!(error.code(), "doctor.bundle_failed");
    // A target that cannot take the finished file (a folder of that name):
    // the temporary file is gone too.
    let out = f.dir.parent().unwrap().join("out");
    std::fs::create_dir_all(out.join("b.tar.gz")).unwrap();
    let error = bundle.write(&out.join("b.tar.gz")).unwrap_err();
    assert_eq!(error.code(), "doctor.bundle_failed");
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("b.tar.gz")], "{left:?}");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let good = out.join("good.tar.gz");
        bundle.write(&good).unwrap();
        let mode = std::fs::metadata(&good).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn a_bundle_is_never_written_over_the_database_or_into_the_data_folder() {
    let f = fixture();
    let lookup = |_: &str| None;
    let doctor = Doctor::new(&f.dir, &lookup, Database::Open(&f.tracker));
    let bundle = doctor.bundle(&doctor.run());
    let db = timetracker_core::config::database_path(&f.dir);
    let before = std::fs::read(&db).unwrap();
    for target in [db.clone(), f.dir.join("support.tar.gz")] {
        let error = bundle.write(&target).unwrap_err();
        assert_eq!(error.code(), "export.target_protected", "{target:?}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database changed");
    assert!(!f.dir.join("support.tar.gz").exists());
}
