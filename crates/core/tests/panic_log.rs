//! A panic, on any thread, leaves a CRITICAL line with its message and
//! location in app.jsonl before the process goes on (or ends). Its own test
//! binary: the logger and the panic hook are process-wide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use timetracker_core::logging::{self, WriterConfig, ACTIVE_FILE};

#[test]
fn a_panic_is_logged_as_critical_with_message_and_location() {
    let dir = tempfile::tempdir().unwrap();
    let writer = logging::init_with(
        WriterConfig::new(dir.path().join("logs")),
        &timetracker_core::config::Env::default(),
        None,
    );
    let worker = std::thread::Builder::new()
        .name("worker".into())
        .spawn(|| {
            let _r = logging::request_span("timer_start").entered();
            panic!("index 7 out of range");
        })
        .unwrap();
    assert!(worker.join().is_err());
    assert!(writer.flush(Duration::from_secs(5)));

    let log = std::fs::read_to_string(dir.path().join("logs").join(ACTIVE_FILE)).unwrap();
    let line: serde_json::Value = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["message"] == "app.panicked")
        .unwrap_or_else(|| panic!("no panic line in {log}"));
    assert_eq!(line["levelname"], "CRITICAL");
    assert_eq!(line["panic_message"], "index 7 out of range");
    assert_eq!(line["thread"], "worker");
    assert_eq!(line["command"], "timer_start");
    let location = line["location"].as_str().unwrap();
    assert!(location.contains("panic_log.rs:"), "{location}");
}
