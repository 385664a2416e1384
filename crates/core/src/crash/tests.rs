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
