use std::sync::Arc;

use sentry::protocol::{Breadcrumb, Event, Exception, Frame, Stacktrace};

use super::scrub::{sensitive_terms, Scrubber};
use crate::{SystemClock, Tracker};

const PROJECT: &str = "Marmalade Heights LLC";
const DESCRIPTION: &str = "call with Dr. Ozymandias";

fn scrubber_with_db() -> (tempfile::TempDir, Scrubber) {
    let tmp = tempfile::tempdir().unwrap();
    let mut t = Tracker::open_in_dir(tmp.path(), Arc::new(SystemClock)).unwrap();
    let p = t.create_project(PROJECT, None).unwrap();
    t.start_timer(Some(p.id), DESCRIPTION).unwrap();
    t.create_project("QA", None).unwrap();
    let db = crate::config::database_path(tmp.path());
    let s = Scrubber::new(
        Some("/home/jdoe/".into()),
        Some("jdoe".into()),
        Some("jdoe-thinkpad".into()),
        Some(db),
    );
    (tmp, s)
}

fn leaked(event: &Event<'static>) -> String {
    serde_json::to_string(event).unwrap()
}

#[test]
fn terms_come_from_the_database_and_skip_very_short_names() {
    let (tmp, _) = scrubber_with_db();
    let terms = sensitive_terms(&crate::config::database_path(tmp.path()));
    assert!(terms.contains(&PROJECT.to_owned()));
    assert!(terms.contains(&DESCRIPTION.to_owned()));
    assert!(!terms.contains(&"QA".to_owned()));
    assert!(sensitive_terms(&tmp.path().join("missing.sqlite3")).is_empty());
}

#[test]
fn every_personal_field_is_gone_from_an_event() {
    let (_tmp, s) = scrubber_with_db();
    let mut event = Event {
        message: Some(format!(
            "stopping '{PROJECT}' ({DESCRIPTION}) on jdoe-thinkpad"
        )),
        server_name: Some("jdoe-thinkpad".into()),
        ..Default::default()
    };
    event.exception.values.push(Exception {
        ty: "panic".into(),
        value: Some(format!(
            "No such file /home/jdoe/.local/share/timetracker for user jdoe: {}",
            PROJECT.to_lowercase()
        )),
        stacktrace: Some(Stacktrace {
            frames: vec![Frame {
                function: Some("timetracker_core::projects::rename_project".into()),
                abs_path: Some("/home/jdoe/src/tt/crates/core/src/projects.rs".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    });
    event
        .extra
        .insert("ui_message".into(), format!("{DESCRIPTION} failed").into());
    event.tags.insert("login".into(), "jdoe".into());
    event.breadcrumbs.values.push(Breadcrumb {
        message: Some(format!("renamed to {PROJECT}")),
        ..Default::default()
    });

    let clean = s.event(&event).unwrap();
    let json = leaked(&clean);
    for secret in [
        PROJECT,
        DESCRIPTION,
        "/home/jdoe",
        "jdoe-thinkpad",
        "\"jdoe\"",
    ] {
        assert!(!json.contains(secret), "{secret} in {json}");
    }
    assert!(
        !json.to_lowercase().contains(&PROJECT.to_lowercase()),
        "{json}"
    );
    assert!(clean.server_name.is_none());
    assert_eq!(
        clean.message.as_deref(),
        Some("stopping '[redacted]' ([redacted]) on [host]")
    );
    let exc = &clean.exception.values[0];
    assert_eq!(
        exc.value.as_deref(),
        Some("No such file ~/.local/share/timetracker for user [user]: [redacted]")
    );
    let frame = &exc.stacktrace.as_ref().unwrap().frames[0];
    // Code locations keep their symbols, and lose the home folder.
    assert_eq!(
        frame.function.as_deref(),
        Some("timetracker_core::projects::rename_project")
    );
    assert_eq!(
        frame.abs_path.as_deref(),
        Some("~/src/tt/crates/core/src/projects.rs")
    );
    assert_eq!(clean.tags["login"], "[user]");
    assert_eq!(
        clean.breadcrumbs.values[0].message.as_deref(),
        Some("renamed to [redacted]")
    );
}

#[test]
fn the_user_name_is_replaced_only_as_a_whole_word() {
    let s = Scrubber::new(None, Some("dev".into()), None, None);
    let crumb = Breadcrumb {
        message: Some("dev ran development build as dev.".into()),
        ..Default::default()
    };
    assert_eq!(
        s.breadcrumb(&crumb).unwrap().message.as_deref(),
        Some("[user] ran development build as [user].")
    );
}

#[test]
fn breadcrumbs_lose_paths_and_host_without_a_database_read() {
    let s = Scrubber::new(
        Some("/home/ana".into()),
        Some("ana".into()),
        Some("box7".into()),
        None,
    );
    let mut crumb = Breadcrumb {
        message: Some("opened /home/ana/x on box7".into()),
        ..Default::default()
    };
    crumb.data.insert("path".into(), "/home/ana/y".into());
    let clean = s.breadcrumb(&crumb).unwrap();
    assert_eq!(clean.message.as_deref(), Some("opened ~/x on [host]"));
    assert_eq!(clean.data["path"], "~/y");
}

#[test]
fn a_home_of_slash_is_not_used_as_a_prefix() {
    let s = Scrubber::new(Some("/".into()), None, None, None);
    let crumb = Breadcrumb {
        message: Some("/usr/lib/x".into()),
        ..Default::default()
    };
    assert_eq!(
        s.breadcrumb(&crumb).unwrap().message.as_deref(),
        Some("/usr/lib/x")
    );
}

/// Words that are also hex: inside an event or trace id they must stay.
fn scrubber_with_hex_words() -> (tempfile::TempDir, Scrubber) {
    let tmp = tempfile::tempdir().unwrap();
    let mut t = Tracker::open_in_dir(tmp.path(), Arc::new(SystemClock)).unwrap();
    for description in ["cafe", "add", "123"] {
        t.start_timer(None, description).unwrap();
        t.stop_timer().unwrap();
    }
    let db = crate::config::database_path(tmp.path());
    (tmp, Scrubber::new(None, None, None, Some(db)))
}

#[test]
fn ids_codes_and_enums_are_never_rewritten_and_the_event_survives() {
    let (_tmp, s) = scrubber_with_hex_words();
    let id = sentry::types::Uuid::parse_str("cafe0add-1234-4123-8add-cafe00000123").unwrap();
    let mut event = Event {
        event_id: id,
        message: Some("stopped cafe and add at 123".into()),
        level: sentry::Level::Error,
        ..Default::default()
    };
    event.tags.insert("request_id".into(), id.to_string());
    event.tags.insert("mood".into(), "cafe".into());
    event.extra.insert("note".into(), "add milk".into());
    let clean = s.event(&event).expect("the event was dropped");
    assert_eq!(clean.event_id, id);
    assert_eq!(clean.tags["request_id"], id.to_string());
    assert_eq!(clean.tags["mood"], "[redacted]");
    assert_eq!(clean.extra["note"], "[redacted] milk");
    assert_eq!(
        clean.message.as_deref(),
        Some("stopped [redacted] and [redacted] at [redacted]")
    );

    let trace = sentry::protocol::TraceId::from([
        0xca, 0xfe, 0x0a, 0xdd, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x23,
    ]);
    let span = sentry::protocol::SpanId::from([0xca, 0xfe, 0x0a, 0xdd, 0, 0, 0x01, 0x23]);
    let mut tx = sentry::protocol::Transaction {
        event_id: id,
        name: Some("timer_stop".into()),
        ..Default::default()
    };
    tx.contexts.insert(
        "trace".into(),
        sentry::protocol::TraceContext {
            trace_id: trace,
            span_id: span,
            op: Some("ui.command".into()),
            ..Default::default()
        }
        .into(),
    );
    tx.spans.push(sentry::protocol::Span {
        trace_id: trace,
        span_id: span,
        parent_span_id: Some(span),
        op: Some("db.sql.transaction".into()),
        description: Some("add cafe".into()),
        ..Default::default()
    });
    let clean = s.transaction(&tx).expect("the trace was dropped");
    assert_eq!(clean.event_id, id);
    assert_eq!(clean.spans[0].trace_id, trace);
    assert_eq!(clean.spans[0].span_id, span);
    assert_eq!(
        clean.spans[0].description.as_deref(),
        Some("[redacted] [redacted]")
    );
    let json = serde_json::to_string(&clean).unwrap();
    assert!(json.contains(&trace.to_string()), "{json}");
}

#[test]
fn dropped_reports_are_counted_by_reason_in_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = super::cache::EnvelopeCache::with_limits(tmp.path().join("c"), 2, 100);
    let metrics = crate::metrics::Metrics::new();
    cache.drops().attach_metrics(metrics.clone());
    for _ in 0..4 {
        cache.store(b"envelope").unwrap();
    }
    assert!(cache.store(&[b'x'; 101]).is_err());
    cache.discard(super::DropReason::IdentityReset).unwrap();
    assert_eq!(cache.drops().total(), 2 + 1 + 2);
    let text = metrics.render_prometheus_text();
    for (reason, n) in [("evicted", 2), ("too_large", 1), ("identity_reset", 2)] {
        let line = format!("timetracker_crash_reports_dropped_total{{reason=\"{reason}\"}} {n}");
        assert!(text.contains(&line), "{line} not in {text}");
    }
}

#[test]
fn every_drop_reason_has_its_own_label() {
    let names: Vec<&str> = super::DropReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(names, crate::metrics::CRASH_DROP_REASONS);
    assert_eq!(super::DropReason::Unreadable.as_str(), "unreadable");
}
