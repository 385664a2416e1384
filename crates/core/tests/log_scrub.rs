//! Panic and UI error messages reach app.jsonl only after the crash
//! reporter's scrubber took the user's words out, and are withheld when
//! the words cannot be read. Its own test binary: the logger and the panic
//! hook are process-wide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use timetracker_core::crash::scrub::Scrubber;
use timetracker_core::logging::{self, UiError, WriterConfig, ACTIVE_FILE};
use timetracker_core::{SystemClock, Tracker};

const PROJECT: &str = "Huckleberry Saltworks";

fn lines(dir: &std::path::Path, message: &str) -> Vec<serde_json::Value> {
    let log = std::fs::read_to_string(dir.join("logs").join(ACTIVE_FILE)).unwrap();
    log.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["message"] == message)
        .collect()
}

#[test]
fn panic_and_ui_error_lines_lose_the_users_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracker::open_in_dir(dir.path(), Arc::new(SystemClock)).unwrap();
    t.create_project(PROJECT, None).unwrap();
    let writer = logging::init_with(
        WriterConfig::new(dir.path().join("logs")),
        &timetracker_core::config::Env::default(),
        None,
    );
    let db = timetracker_core::config::database_path(dir.path());
    let scrubber = Scrubber::new(None, None, None, Some(db.clone()));
    logging::set_redactor(Arc::new(move |text| scrubber.line(text).ok()));

    let shouted = PROJECT.to_uppercase();
    let joined = std::thread::spawn(move || panic!("cannot stop {shouted:?}")).join();
    assert!(joined.is_err());
    logging::log_ui_error(&UiError {
        kind: "error".into(),
        message: format!("TypeError: {PROJECT} is undefined"),
        source: Some(format!("app://{PROJECT}.js")),
        line: Some(3),
        ..Default::default()
    });
    assert!(writer.flush(Duration::from_secs(5)));
    let panicked = lines(dir.path(), "app.panicked");
    assert_eq!(panicked[0]["panic_message"], "cannot stop \"[redacted]\"");
    let ui = lines(dir.path(), "ui.error");
    assert_eq!(ui[0]["ui_message"], "TypeError: [redacted] is undefined");
    assert_eq!(ui[0]["source"], "app://[redacted].js");
    let log = std::fs::read_to_string(dir.path().join("logs").join(ACTIVE_FILE)).unwrap();
    assert!(!log.to_lowercase().contains("huckleberry"), "{log}");

    // The words cannot be read: the message is withheld, not written.
    drop(t);
    std::fs::write(&db, vec![b'#'; 8192]).unwrap();
    logging::log_ui_error(&UiError {
        kind: "error".into(),
        message: format!("{PROJECT} again"),
        ..Default::default()
    });
    assert!(writer.flush(Duration::from_secs(5)));
    let ui = lines(dir.path(), "ui.error");
    assert_eq!(ui[1]["ui_message"], logging::WITHHELD);
}
