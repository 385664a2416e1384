use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::{FakeClock, Tracker};

fn tracker_with_metrics() -> (tempfile::TempDir, Tracker, Arc<Metrics>, FakeClock) {
    let dir = tempfile::tempdir().unwrap();
    let clock = FakeClock::at("2026-11-28T09:00:00Z".parse().unwrap());
    let mut tracker = Tracker::open_in_dir(dir.path(), Arc::new(clock.clone())).unwrap();
    let metrics = Metrics::with_database(&crate::config::database_path(dir.path()));
    metrics.watch(&mut tracker);
    (dir, tracker, metrics, clock)
}

/// The value of the first sample line starting with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[test]
fn business_and_database_metrics_follow_the_tracker() {
    let (_dir, mut t, metrics, clock) = tracker_with_metrics();
    let p = t.create_project("Secret Client", None).unwrap();
    let text = metrics.render_prometheus_text();
    assert_eq!(sample(&text, "timetracker_active_timers "), Some(0.0));
    assert_eq!(
        sample(&text, "timetracker_projects{state=\"active\"}"),
        Some(1.0)
    );

    t.start_timer(Some(p.id), "").unwrap();
    clock.advance(jiff::SignedDuration::from_secs(90));
    let text = metrics.render_prometheus_text();
    assert_eq!(sample(&text, "timetracker_active_timers "), Some(1.0));
    assert_eq!(sample(&text, "timetracker_timer_starts_total "), Some(1.0));
    assert_eq!(sample(&text, "timetracker_time_entries "), Some(1.0));

    t.stop_timer().unwrap();
    let text = metrics.render_prometheus_text();
    assert_eq!(sample(&text, "timetracker_active_timers "), Some(0.0));
    assert_eq!(
        sample(&text, "timetracker_tracked_seconds_total "),
        Some(90.0)
    );
    assert!(sample(&text, "timetracker_db_size_bytes ").unwrap() > 0.0);
    assert!(text.contains("timetracker_db_query_duration_seconds_bucket{operation=\"timer_start\""));
    assert!(text.contains("timetracker_build_info{version=\""));
    // The tracker's connection and the collector's own read connection.
    assert_eq!(
        sample(&text, "timetracker_db_connections{state=\"idle\"}").unwrap()
            + sample(&text, "timetracker_db_connections{state=\"in_use\"}").unwrap(),
        2.0
    );
    // Project names stay out unless per-project metrics are on.
    assert!(!text.contains("Secret Client"), "{text}");
}

#[test]
fn per_project_metrics_are_opt_in_and_drop_archived_projects() {
    let (_dir, mut t, metrics, clock) = tracker_with_metrics();
    let a = t.create_project("Alpha", None).unwrap();
    let b = t.create_project("Beta \"quoted\"", None).unwrap();
    for p in [&a, &b] {
        t.start_timer(Some(p.id), "").unwrap();
        clock.advance(jiff::SignedDuration::from_secs(60));
    }
    t.stop_timer().unwrap();
    metrics.set_per_project(true);
    let text = metrics.render_prometheus_text();
    assert_eq!(
        sample(
            &text,
            "timetracker_project_tracked_seconds_total{project=\"Alpha\"}"
        ),
        Some(60.0)
    );
    assert!(text.contains(r#"project="Beta \"quoted\"""#), "{text}");
    t.archive_project(a.id).unwrap();
    let text = metrics.render_prometheus_text();
    assert!(!text.contains("project=\"Alpha\""));
    metrics.set_per_project(false);
    assert!(!metrics.render_prometheus_text().contains("project_tracked"));
}

#[test]
fn commands_are_counted_by_name_and_status() {
    let metrics = Metrics::new();
    metrics.observe_command("timer_start", true, Duration::from_millis(3));
    metrics.observe_command("timer_start", false, Duration::from_millis(1));
    metrics.observe_command("timer_start", true, Duration::from_millis(2));
    let text = metrics.render_openmetrics();
    assert!(
        text.contains("timetracker_ipc_requests_total{command=\"timer_start\",status=\"ok\"} 2")
    );
    assert!(
        text.contains("timetracker_ipc_requests_total{command=\"timer_start\",status=\"error\"} 1")
    );
    assert!(
        text.contains("timetracker_ipc_request_duration_seconds_count{command=\"timer_start\"} 3")
    );
    assert!(text.ends_with("# EOF\n"));
}
