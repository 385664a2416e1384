//! Consent, identity and the inspector, without a network.

use std::sync::Arc;

use super::consent::{self, CONSENT_KEY};
use super::identity::{Identity, IDENTITY_KEY};
use super::*;
use crate::test_support::tracker;

fn telemetry(pairs: &[(&str, &str)]) -> Arc<Telemetry> {
    let env: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Telemetry::new(TelemetryConfig::from_lookup(|k| env.get(k).cloned()))
}

const KEY: (&str, &str) = ("POSTHOG_API_KEY", "phc_unit");

#[test]
fn a_new_notice_version_asks_again() {
    let (mut t, _) = tracker();
    let tel = telemetry(&[KEY]);
    tel.attach(&mut t).unwrap();
    assert!(tel.status(&t).unwrap().needs_consent);
    tel.set_consent(&mut t, false, true).unwrap();
    assert!(!tel.status(&t).unwrap().needs_consent);

    let mut old = consent::stored(&t).unwrap().unwrap();
    old.notice_version = NOTICE_VERSION - 1;
    t.put_setting(CONSENT_KEY, &old).unwrap();
    let again = telemetry(&[KEY]);
    let tel = again.clone();
    tel.attach(&mut t).unwrap();
    assert!(tel.status(&t).unwrap().needs_consent);
    // An answer to an older notice does not count as a yes.
    assert!(!again.usage_allowed());
}

#[test]
fn nothing_to_consent_to_without_a_key_or_a_dsn() {
    if option_env!("POSTHOG_API_KEY").is_some() || option_env!("SENTRY_DSN").is_some() {
        return;
    }
    let (mut t, _) = tracker();
    let tel = telemetry(&[]);
    tel.attach(&mut t).unwrap();
    let status = tel.status(&t).unwrap();
    assert!(!status.configured && !status.needs_consent);
}

#[test]
fn the_consent_record_keeps_each_choice_and_when() {
    let (mut t, _) = tracker();
    let tel = telemetry(&[KEY, ("SENTRY_DSN", "http://k@127.0.0.1:1/1")]);
    let tel = tel.clone();
    tel.attach(&mut t).unwrap();
    tel.set_consent(&mut t, true, false).unwrap();
    let record = consent::stored(&t).unwrap().unwrap();
    assert!(record.crash_reports && !record.usage);
    assert_eq!(record.notice_version, NOTICE_VERSION);
    assert_eq!(record.answered_at, "2026-11-28T09:00:00Z");
    assert!(tel.crash_reports_allowed() && !tel.usage_allowed());
}

#[test]
fn the_install_id_is_random_and_the_sent_id_is_its_salted_hash() {
    let (mut a, _) = tracker();
    let (mut b, _) = tracker();
    let (ta, tb) = (telemetry(&[KEY]), telemetry(&[KEY]));
    ta.attach(&mut a).unwrap();
    tb.attach(&mut b).unwrap();
    assert_ne!(ta.distinct_id(), tb.distinct_id());
    let identity: Identity = a.setting_opt(IDENTITY_KEY).unwrap().unwrap();
    assert_eq!(
        uuid::Uuid::parse_str(&identity.install_id)
            .unwrap()
            .get_version_num(),
        4
    );
    assert_eq!(
        ta.distinct_id(),
        distinct_id(&identity.salt, &identity.install_id)
    );

    // TELE_SALT replaces the stored random salt.
    let salted = telemetry(&[KEY, ("TELE_SALT", "pepper")]);
    salted.attach(&mut a).unwrap();
    assert_eq!(
        salted.distinct_id(),
        distinct_id("pepper", &identity.install_id)
    );
}

#[test]
fn the_inspector_shows_deletes_and_exports_what_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracker::open_in_dir(dir.path(), Arc::new(crate::SystemClock)).unwrap();
    let tel = telemetry(&[KEY]);
    tel.attach(&mut t).unwrap();
    tel.set_consent(&mut t, false, true).unwrap();
    t.create_project("Inspected", None).unwrap();
    let inspection = tel.inspection(&t).unwrap();
    assert!(inspection
        .queued
        .iter()
        .any(|p| p.event == "project.created"));
    for payload in &inspection.queued {
        let json: serde_json::Value = serde_json::from_str(&payload.json).unwrap();
        assert_eq!(json["distinct_id"], inspection.anonymous_id.as_str());
        assert!(!payload.json.contains("Inspected"));
    }

    let path = tel.export(&t).unwrap();
    assert_eq!(path.parent(), Some(dir.path()));
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        exported["queued"].as_array().unwrap().len(),
        inspection.queued.len()
    );
    assert_eq!(exported["anonymous_id"], inspection.anonymous_id.as_str());

    assert!(tel.delete_queued(&mut t).unwrap().queued.is_empty());
}

#[test]
fn app_active_goes_once_a_day_even_in_a_long_session() {
    let (mut t, clock) = tracker();
    let tel = telemetry(&[KEY]);
    tel.attach(&mut t).unwrap();
    tel.set_consent(&mut t, false, true).unwrap();
    let active = |t: &Tracker| {
        tel.inspection(t)
            .unwrap()
            .queued
            .iter()
            .filter(|p| p.event == "app.active")
            .count()
    };
    assert_eq!(active(&t), 1);
    t.start_timer(None, "").unwrap();
    t.stop_timer().unwrap();
    assert_eq!(active(&t), 1, "twice on the same day");
    clock.advance(jiff::SignedDuration::from_hours(24));
    t.start_timer(None, "").unwrap();
    assert_eq!(active(&t), 2, "not again on the next day");
    let installed = tel
        .inspection(&t)
        .unwrap()
        .queued
        .iter()
        .filter(|p| p.event == "app.installed")
        .count();
    assert_eq!(installed, 1);
}

#[test]
fn turning_sync_on_and_off_sends_a_device_bucket_and_no_folder_or_name() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join("Sync of Alice");
    std::fs::create_dir(&share).unwrap();
    let (mut t, _) = tracker();
    let tel = telemetry(&[KEY]);
    tel.attach(&mut t).unwrap();
    tel.set_consent(&mut t, false, true).unwrap();
    t.sync_enable(&share, Some("alices-laptop"), false).unwrap();
    t.sync_disable().unwrap();
    let queued = tel.inspection(&t).unwrap().queued;
    for name in ["sync.enabled", "sync.disabled"] {
        let payload = queued.iter().find(|p| p.event == name).unwrap();
        let json: serde_json::Value = serde_json::from_str(&payload.json).unwrap();
        assert_eq!(json["properties"]["devices"], "1", "{name}");
        for secret in ["Alice", "alices-laptop", share.to_str().unwrap()] {
            assert!(!payload.json.contains(secret), "{name} carries {secret}");
        }
    }
}

#[test]
fn the_inspector_pages_through_and_exports_all_ten_thousand_queued() {
    let dir = tempfile::tempdir().unwrap();
    let mut t = Tracker::open_in_dir(dir.path(), Arc::new(crate::SystemClock)).unwrap();
    let tel = telemetry(&[KEY]);
    tel.attach(&mut t).unwrap();
    tel.set_consent(&mut t, false, true).unwrap();
    // Fill the outbox to its cap in one transaction (10,000 commands would
    // be 10,000 committed writes).
    let n = outbox::MAX_QUEUED;
    t.storage
        .write("fill", |tx| {
            tx.execute("DELETE FROM telemetry_outbox", [])?;
            for i in 0..n {
                let json = format!("{{\"event\":\"timer.started\",\"uuid\":\"u{i}\"}}");
                outbox::enqueue(tx, &format!("u{i}"), "timer.started", &json, i)?;
            }
            Ok(())
        })
        .unwrap();

    let first = tel.inspection(&t).unwrap();
    assert_eq!(first.queued_total, 10_000);
    assert_eq!(first.queued.len(), inspector::PAGE_SIZE as usize);
    assert_eq!(first.queued[0].uuid, "u9999", "newest first");
    let mut seen = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let page = tel.queued_page(&t, offset, inspector::MAX_PAGE).unwrap();
        assert_eq!(page.total, 10_000);
        if page.items.is_empty() {
            break;
        }
        for p in &page.items {
            assert!(seen.insert(p.uuid.clone()), "{} twice", p.uuid);
        }
        offset += page.items.len() as u32;
    }
    assert_eq!(seen.len(), 10_000);
    assert!(seen.contains("u0"));
    assert_eq!(tel.queued_page(&t, 9_990, 50).unwrap().items.len(), 10);

    let path = tel.export(&t).unwrap();
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(exported["queued"].as_array().unwrap().len(), 10_000);
}

#[test]
fn a_retry_never_comes_before_the_servers_retry_after() {
    use std::time::Duration;
    let asked = Some(Duration::from_secs(120));
    for failures in 1..12 {
        for jitter in [0.5, 1.0, 1.49] {
            assert!(sender::retry_delay(failures, asked, jitter) >= Duration::from_secs(120));
            assert!(sender::retry_delay(failures, None, jitter) <= Duration::from_secs(450));
        }
    }
    assert_eq!(
        crate::limits::retry_after(Some(" 7 ")),
        Duration::from_secs(7)
    );
    assert_eq!(
        crate::limits::retry_after(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
        Duration::from_secs(60)
    );
    assert_eq!(
        crate::limits::retry_after(Some("86400")),
        Duration::from_secs(3600),
        "capped at an hour"
    );
}

/// The names of the write transactions a tracker commits.
#[derive(Default)]
struct Writes(std::sync::Mutex<Vec<&'static str>>);

impl crate::storage::StorageObserver for Writes {
    fn begin(&self, op: &'static str) -> Option<Box<dyn crate::storage::OperationScope + '_>> {
        self.0.lock().unwrap().push(op);
        None
    }
}

fn queued_events(t: &Tracker) -> Vec<String> {
    super::outbox::oldest(t.storage.conn(), 100)
        .unwrap()
        .into_iter()
        .map(|(_, json)| {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            v["event"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// A tracker whose user answered `usage` to usage statistics (and the
/// opposite to crash reports), its writes counted from then on.
fn answered(usage: bool) -> (Tracker, Arc<Telemetry>, Arc<Writes>) {
    let (mut t, _) = tracker();
    let tel = telemetry(&[KEY]);
    tel.attach(&mut t).unwrap();
    tel.set_consent(&mut t, !usage, usage).unwrap();
    let writes = Arc::new(Writes::default());
    t.observe_storage(writes.clone());
    (t, tel, writes)
}

#[test]
fn a_timer_change_and_its_event_are_one_commit() {
    let (mut t, _tel, writes) = answered(true);
    let before = queued_events(&t).len();
    t.start_timer(None, "one").unwrap();
    t.start_timer(None, "two").unwrap();
    t.stop_timer().unwrap();
    let ops: Vec<_> = writes.0.lock().unwrap().clone();
    assert_eq!(ops, ["timer_start", "timer_start", "timer_stop"]);
    let queued = queued_events(&t);
    assert_eq!(
        queued[before..],
        [
            "timer.started",
            "timer.stopped",
            "timer.started",
            "timer.stopped"
        ]
    );
}

#[test]
fn a_refused_change_queues_no_event() {
    let (mut t, _tel, _) = answered(true);
    let before = queued_events(&t);
    let p = t.create_project("Shut", None).unwrap();
    t.archive_project(p.id).unwrap();
    let queued = queued_events(&t);
    let err = t.start_timer(Some(p.id), "nope").unwrap_err();
    assert_eq!(err.code(), "project.archived");
    assert_eq!(t.stop_timer().unwrap_err().code(), "timer.not_running");
    assert_eq!(queued_events(&t), queued);
    assert!(queued.len() >= before.len());
}

#[test]
fn an_outbox_that_cannot_be_written_never_costs_the_user_the_change() {
    let (mut t, _tel, _) = answered(true);
    t.storage
        .conn()
        .execute_batch("DROP TABLE telemetry_outbox")
        .unwrap();
    let started = t.start_timer(None, "kept").unwrap().started;
    assert_eq!(t.timer_status().unwrap().map(|e| e.id), Some(started.id));
    let stopped = t.stop_timer().unwrap();
    assert_eq!(stopped.id, started.id);
}

#[test]
fn without_usage_statistics_nothing_is_written_beside_the_change() {
    let (mut t, _tel, writes) = answered(false);
    t.start_timer(None, "quiet").unwrap();
    t.stop_timer().unwrap();
    assert_eq!(*writes.0.lock().unwrap(), ["timer_start", "timer_stop"]);
    assert!(queued_events(&t).iter().all(|e| !e.starts_with("timer.")));
}

#[test]
fn a_payload_written_as_text_is_the_payload_it_stands_for() {
    use crate::events::product::StopReason;
    let (t, _) = tracker();
    let tel = telemetry(&[KEY]);
    let at = t.now();
    for event in [
        Event::TimerStarted {
            has_project: true,
            has_description: false,
        },
        Event::TimerStopped {
            duration_seconds: 1884,
            reason: StopReason::Stopped,
        },
        Event::ProjectCreated {},
    ] {
        let (name, props) = event.parts();
        let text = tel.payload_text(&name, props.clone(), "u-1", at);
        let value = tel.payload(&name, props, "u-1", at);
        // The same bytes, properties in the same order: what the inspector
        // shows is what PostHog gets either way.
        assert_eq!(text, value.to_string(), "{name}");
    }
    // A property the context also sets: the general path, same result.
    let mut clash = serde_json::Map::new();
    clash.insert("arch".into(), "mine".into());
    let text = tel.payload_text("x", clash.clone(), "u-2", at);
    assert_eq!(text, tel.payload("x", clash, "u-2", at).to_string());
}
