use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tracing::level_filters::LevelFilter;

use super::*;
use crate::test_support::tracker;

/// Runs `f` with a subscriber writing into a fresh log folder and returns
/// every line written, parsed.
fn capture(level: LevelFilter, f: impl FnOnce()) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let writer = Arc::new(LogWriter::start(WriterConfig::new(logs.clone())));
    tracing::subscriber::with_default(subscriber(writer.clone(), level, None), f);
    writer.shutdown(Duration::from_secs(5));
    let text = std::fs::read_to_string(logs.join(ACTIVE_FILE)).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn with_events<'a>(lines: &'a [Value], name: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["message"] == name).collect()
}

#[test]
fn a_start_and_a_stop_log_their_events_in_the_seed_format() {
    let lines = capture(LevelFilter::INFO, || {
        let (mut t, clock) = {
            let _r = request_span("startup").entered();
            tracker()
        };
        let project = {
            let _r = request_span("project_create").entered();
            t.create_project("Zanzibar Heliotrope", None).unwrap()
        };
        {
            let _r = request_span("timer_start").entered();
            t.start_timer(Some(project.id), "Quixotic pangolin notes")
                .unwrap();
        }
        clock.advance(jiff::SignedDuration::from_secs(42));
        {
            let _r = request_span("timer_stop").entered();
            t.stop_timer().unwrap();
        }
    });

    for line in &lines {
        let obj = line.as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(String::as_str).take(4).collect();
        assert_eq!(keys, ["asctime", "levelname", "name", "message"], "{line}");
        let asctime = obj["asctime"].as_str().unwrap();
        assert_eq!(asctime.len(), 24, "{asctime}");
        assert!(
            asctime.ends_with('Z') && asctime.as_bytes()[19] == b'.',
            "{asctime}"
        );
        assert!(obj.contains_key("request_id"), "{line}");
        let text = line.to_string();
        assert!(!text.contains("Zanzibar"), "project name leaked: {text}");
        assert!(!text.contains("pangolin"), "description leaked: {text}");
    }

    let started = with_events(&lines, "timer.started");
    let stopped = with_events(&lines, "timer.stopped");
    assert_eq!((started.len(), stopped.len()), (1, 1));
    let project_id = with_events(&lines, "project.created")[0]["project_id"].clone();
    assert!(project_id.is_i64());
    for event in [started[0], stopped[0]] {
        assert_eq!(event["levelname"], "INFO");
        assert_eq!(event["name"], "timetracker");
        assert_eq!(event["project_id"], project_id);
        assert!(event["entry_id"].is_i64());
    }
    assert_eq!(started[0]["command"], "timer_start");
    assert_eq!(stopped[0]["duration_seconds"], 42);
    assert_ne!(started[0]["request_id"], stopped[0]["request_id"]);
    assert_eq!(started[0]["request_id"].as_str().unwrap().len(), 36);
}

#[test]
fn switching_timers_logs_the_stop_under_the_same_request() {
    let lines = capture(LevelFilter::INFO, || {
        let (mut t, _) = tracker();
        t.start_timer(None, "").unwrap();
        let _r = request_span("timer_start").entered();
        t.start_timer(None, "").unwrap();
    });
    let stopped = with_events(&lines, "timer.stopped");
    let started = with_events(&lines, "timer.started");
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0]["reason"], "switched");
    assert_eq!(stopped[0]["request_id"], started[1]["request_id"]);
    // No project: the field is left out, not written as a made-up value.
    assert!(stopped[0].get("project_id").is_none());
}

#[test]
fn the_level_threshold_filters_events_but_keeps_request_ids() {
    let lines = capture(LevelFilter::WARN, || {
        let _r = request_span("anything").entered();
        tracing::info!("hidden");
        tracing::warn!(code = "x.y", "shown");
    });
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["levelname"], "WARNING");
    assert_eq!(lines[0]["name"], "timetracker.logging");
    assert_eq!(lines[0]["message"], "shown");
    assert!(lines[0]["request_id"].is_string());
}

#[test]
fn critical_is_an_error_with_the_critical_flag() {
    let lines = capture(LevelFilter::INFO, || {
        crate::log_event!(critical, "app.panicked", location = "x.rs:1:1");
        tracing::error!("plain error");
    });
    assert_eq!(lines[0]["levelname"], "CRITICAL");
    assert!(lines[0].get("critical").is_none());
    assert_eq!(lines[1]["levelname"], "ERROR");
}

#[test]
fn an_unwritable_log_folder_never_stops_a_command() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("logs");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let writer = Arc::new(LogWriter::start(WriterConfig::new(blocker)));
    tracing::subscriber::with_default(subscriber(writer.clone(), LevelFilter::INFO, None), || {
        let (mut t, _) = tracker();
        let p = t.create_project("Still works", None).unwrap();
        t.start_timer(Some(p.id), "").unwrap();
        t.stop_timer().unwrap();
    });
    assert!(writer.flush(Duration::from_secs(5)));
    assert!(writer.degraded().is_some());
    assert!(
        writer.written() >= 3,
        "lines went to stderr: {}",
        writer.written()
    );
}

#[test]
fn log_level_parsing() {
    assert_eq!(parse_level(None), Ok(LevelFilter::INFO));
    assert_eq!(parse_level(Some(" ")), Ok(LevelFilter::INFO));
    assert_eq!(parse_level(Some("DEBUG")), Ok(LevelFilter::DEBUG));
    assert_eq!(parse_level(Some("warning")), Ok(LevelFilter::WARN));
    assert!(parse_level(Some("loud")).unwrap_err().contains("loud"));
}

#[test]
fn home_paths_are_scrubbed() {
    assert_eq!(
        scrub_prefix("/home/alice/.cargo/registry/x.rs:1", "/home/alice/"),
        "~/.cargo/registry/x.rs:1"
    );
    assert_eq!(scrub_prefix("/srv/app", "/"), "/srv/app");
}
