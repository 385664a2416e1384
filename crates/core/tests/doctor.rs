//! `tt doctor`'s checks against real files, a real SQLite database, real
//! sockets on loopback and local receivers that stand in for Sentry and
//! PostHog: each check healthy and broken, no request without `--online`,
//! and a support bundle that carries none of the user's words.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use timetracker_core::crash::scrub::Scrubber;
use timetracker_core::doctor::{
    validate_openmetrics, CheckStatus, DesktopRuntime, Doctor, DoctorReport,
};
use timetracker_core::metrics::{Metrics, MetricsControl};
use timetracker_core::settings::MetricsSettings;
use timetracker_core::{ErrorPayload, SystemClock, Tracker};

type Env = HashMap<String, String>;

fn env(pairs: &[(&str, &str)]) -> Env {
    let mut env: Env = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    // Whatever this build has baked in, tests decide for themselves.
    env.entry("SENTRY_DSN".into()).or_default();
    env.entry("POSTHOG_API_KEY".into()).or_default();
    env
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    tracker: Tracker,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let tracker = Tracker::open_in_dir(&dir, Arc::new(SystemClock)).unwrap();
    Fixture {
        _tmp: tmp,
        dir,
        tracker,
    }
}

fn run_with(f: &Fixture, env: &Env, tweak: impl FnOnce(&mut Doctor)) -> DoctorReport {
    let lookup = |k: &str| env.get(k).cloned();
    let mut doctor = Doctor::new(&f.dir, &lookup, Ok(&f.tracker));
    doctor.autostart_dir = Some(f.dir.join("autostart"));
    tweak(&mut doctor);
    doctor.run()
}

fn run(f: &Fixture, env: &Env) -> DoctorReport {
    run_with(f, env, |_| {})
}

#[track_caller]
fn status(report: &DoctorReport, id: &str) -> CheckStatus {
    report
        .check(id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#?}"))
        .status
}

#[track_caller]
fn finding(report: &DoctorReport, id: &str) -> String {
    let c = report.check(id).unwrap();
    format!("{} | {}", c.finding, c.fix.clone().unwrap_or_default())
}

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
        code: "storage.data_dir".into(),
        message: "The data folder could not be created".into(),
    };
    let lookup = |_: &str| None;
    let report = Doctor::new(&missing, &lookup, Err(&error)).run();
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

/// Mounts a tmpfs of `size` on `dir`; false where this user may not.
fn mount_tmpfs(dir: &Path, options: &str) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(dir)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn unmount(dir: &Path) {
    let _ = std::process::Command::new("umount").arg(dir).status();
}

#[test]
fn a_nearly_full_disk_is_reported_from_the_real_file_system() {
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    if !mount_tmpfs(&mnt, "size=8m") {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    let dir = mnt.join("data");
    let tracker = Tracker::open_in_dir(&dir, Arc::new(SystemClock)).unwrap();
    // Fill it to under 5 MB free.
    let filler = vec![0u8; 4 * 1024 * 1024];
    let _ = std::fs::write(mnt.join("filler"), &filler);
    let lookup = |_: &str| None;
    let report = Doctor::new(&dir, &lookup, Ok(&tracker)).run();
    let check = report.check("data.free_space").unwrap().clone();
    drop(tracker);
    unmount(&mnt);
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
    let mounted = mount_tmpfs(&logs, "ro,size=1m");
    if !mounted {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&logs, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
        if std::fs::write(logs.join("probe"), b"").is_ok() {
            eprintln!("skipped: this user can write anywhere and may not mount");
            return;
        }
    }
    let report = run(&f, &env(&[]));
    if mounted {
        unmount(&logs);
    }
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
    f.tracker.set_consent(true, true).unwrap();
    let db = rusqlite::Connection::open(f.dir.join("timetracker.sqlite3")).unwrap();
    db.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9500)
         INSERT INTO telemetry_outbox (uuid, event, payload, created_at)
         SELECT 'u' || i, 'app.active', '{}', 0 FROM n;",
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

fn serving_control(f: &mut Fixture, port: u16) -> MetricsControl {
    let mut control = MetricsControl::new(Metrics::new(), f.dir.clone(), None);
    let settings = MetricsSettings {
        enabled: true,
        port,
        per_project: false,
    };
    let _ = f.tracker.configure_metrics(&mut control, &settings);
    control
}

#[test]
fn the_endpoint_is_scraped_over_loopback_and_parses_as_openmetrics() {
    let mut f = fixture();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let control = serving_control(&mut f, port);
    let settings = f.tracker.metrics_settings().unwrap();
    let metrics_status = control.status(&settings);
    let report = run_with(&f, &env(&[]), |d| {
        d.runtime.metrics = Some(metrics_status.clone())
    });
    assert_eq!(
        status(&report, "metrics.endpoint"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    assert_eq!(
        status(&report, "metrics.scrape"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    assert!(finding(&report, "metrics.scrape").contains("valid OpenMetrics"));
    let job = report
        .check("metrics.prometheus_job")
        .unwrap()
        .detail
        .clone()
        .unwrap();
    assert!(
        job.contains(&format!("127.0.0.1:{port}")) && job.contains("job_name: timetracker"),
        "{job}"
    );

    // A token: the scrape sends it, and the job names the file.
    timetracker_core::metrics::server::generate_token(&f.dir).unwrap();
    let mut control = control;
    control.apply(&settings, true);
    let report = run(&f, &env(&[]));
    assert_eq!(
        status(&report, "metrics.scrape"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    let job = report
        .check("metrics.prometheus_job")
        .unwrap()
        .detail
        .clone()
        .unwrap();
    assert!(
        job.contains("credentials_file:") && job.contains("metrics-token"),
        "{job}"
    );
    drop(control);
}

#[test]
fn a_port_taken_by_another_program_is_a_problem_with_its_fix() {
    let mut f = fixture();
    // Another program holds the port and answers with something else.
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = squatter.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in squatter.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            );
        }
    });
    let control = serving_control(&mut f, port);
    let metrics_status = control.status(&f.tracker.metrics_settings().unwrap());
    let in_app = run_with(&f, &env(&[]), |d| {
        d.runtime.metrics = Some(metrics_status.clone())
    });
    assert_eq!(status(&in_app, "metrics.endpoint"), CheckStatus::Problem);
    assert!(finding(&in_app, "metrics.endpoint").contains("choose another port"));
    // tt sees the foreign answer itself.
    let from_tt = run(&f, &env(&[]));
    assert_eq!(
        status(&from_tt, "metrics.scrape"),
        CheckStatus::Problem,
        "{from_tt:#?}"
    );
    assert!(finding(&from_tt, "metrics.scrape").contains("not TimeTracker's endpoint"));
}

#[test]
fn openmetrics_from_the_real_endpoint_validates() {
    let metrics = Metrics::new();
    assert!(validate_openmetrics(&metrics.render_openmetrics()).is_ok());
    assert!(validate_openmetrics(&metrics.render_prometheus_text()).is_err());
}

#[test]
fn sync_checks_follow_the_folder() {
    let mut f = fixture();
    let shared = f.dir.parent().unwrap().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    f.tracker
        .sync_enable(&shared, Some("laptop"), false)
        .unwrap();
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
#[derive(Clone, Default)]
struct Receiver {
    requests: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    fn serve(&self) -> SocketAddr {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = self.requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut stream = stream;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap_or(0))
                    })
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                let _ = stream.read_exact(&mut body);
                requests
                    .lock()
                    .unwrap()
                    .push(head.lines().next().unwrap_or("").to_owned());
                let _ = std::io::Write::write_all(
                    &mut stream,
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
                );
            }
        });
        addr
    }

    fn lines(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

#[test]
fn no_request_leaves_without_online_and_one_each_with_it() {
    let mut f = fixture();
    let receiver = Receiver::default();
    let addr = receiver.serve();
    let env = env(&[
        ("SENTRY_DSN", &format!("http://publickey@{addr}/42")),
        ("POSTHOG_API_KEY", "phc_doctor"),
        ("POSTHOG_HOST", &format!("http://{addr}")),
    ]);
    let lookup = |k: &str| env.get(k).cloned();

    // Without consent, even --online sends nothing.
    let report = Doctor::new(&f.dir, &lookup, Ok(&f.tracker)).run_online();
    assert_eq!(status(&report, "online.sentry"), CheckStatus::Skipped);
    assert_eq!(status(&report, "online.posthog"), CheckStatus::Skipped);
    assert!(receiver.lines().is_empty(), "{:?}", receiver.lines());

    f.tracker.set_consent(true, true).unwrap();
    let report = Doctor::new(&f.dir, &lookup, Ok(&f.tracker)).run();
    assert!(report.check("online.sentry").is_none());
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        receiver.lines().is_empty(),
        "a plain doctor sent {:?}",
        receiver.lines()
    );

    let report = Doctor::new(&f.dir, &lookup, Ok(&f.tracker)).run_online();
    assert_eq!(
        status(&report, "online.sentry"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    assert_eq!(
        status(&report, "online.posthog"),
        CheckStatus::Ok,
        "{report:#?}"
    );
    let lines = receiver.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST /api/42/envelope/")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("POST /decide/")),
        "{lines:?}"
    );
}

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
    tracker.attach_telemetry(telemetry).unwrap();
    let shared = tmp.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    tracker.sync_enable(&shared, Some(DEVICE), false).unwrap();
    tracker.set_consent(true, true).unwrap();
    let anonymous_id = tracker.telemetry_status().unwrap().anonymous_id;
    assert_eq!(anonymous_id.len(), 64);
    tracker.stop_timer().unwrap();
    assert!(!tracker.telemetry_inspection().unwrap().queued.is_empty());
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
    let doctor = Doctor::new(&dir, &lookup, Ok(&tracker));
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
    let doctor = Doctor::new(&f.dir, &lookup, Ok(&f.tracker));
    let report = doctor.run();
    let bundle = doctor.bundle(&report);
    let error = bundle
        .write(&f.dir.join("no/such/folder/b.tar.gz"))
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
fn an_older_schema_is_reported_not_upgraded() {
    let f = fixture();
    let db = f.dir.join("timetracker.sqlite3");
    assert_eq!(
        timetracker_core::storage::Storage::peek_schema_version(&db).unwrap(),
        timetracker_core::storage::SCHEMA_VERSION
    );
    let error = ErrorPayload {
        code: timetracker_core::doctor::SCHEMA_OUTDATED.into(),
        message: "Schema version 5; this version of TimeTracker uses 6".into(),
    };
    let lookup = |_: &str| None;
    let report = Doctor::new(&f.dir, &lookup, Err(&error)).run();
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
    let shared = f.dir.parent().unwrap().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    f.tracker
        .sync_enable(&shared, Some("laptop"), false)
        .unwrap();
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
    let mut doctor = Doctor::new(&f.dir, &lookup, Ok(&f.tracker));
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
