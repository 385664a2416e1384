//! What PostHog receives: each event as one JSON payload with the
//! session's context, queued in the outbox in the order it happened, plus
//! the lifecycle pings (installed, updated, active) and group identities.

use std::sync::atomic::Ordering;

use super::{events, outbox, Context, Event, Telemetry};
use crate::error::Result;
use crate::Tracker;

impl Telemetry {
    /// The JSON object PostHog receives for `name` with `props`.
    /// The properties every event carries; fixed for the session.
    pub(super) fn context_props(c: &Context) -> serde_json::Map<String, serde_json::Value> {
        let props = serde_json::json!({
            "$lib": "timetracker",
            "$lib_version": c.app_version,
            "$geoip_disable": true,
            "$os": c.os,
            "$os_version": c.os_version,
            "app_version": c.app_version,
            "arch": c.arch,
            "language": c.language,
            "deployment": c.deployment,
            "$groups": { "platform": c.os, "version": c.app_version, "deployment": c.deployment },
            "$set": { "os": c.os, "os_version": c.os_version, "app_version": c.app_version },
            "$set_once": { "first_seen_version": c.app_version },
        });
        match props {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }

    /// [`Self::payload`] as the text it serialises to, written directly:
    /// every event used to clone and serialise the session's whole context
    /// (most of what usage statistics cost a timer start).
    pub(super) fn payload_text(
        &self,
        name: &str,
        props: serde_json::Map<String, serde_json::Value>,
        uuid: &str,
        at: jiff::Timestamp,
    ) -> String {
        let (_, context, context_text) = self.context_and_props();
        // A property the context also sets takes the context's value in
        // place: rare enough to leave to the general path.
        if props
            .keys()
            .any(|k| context.contains_key(k) || k == "$session_id")
        {
            return self.payload(name, props, uuid, at).to_string();
        }
        let quoted = |s: &str| serde_json::Value::from(s).to_string();
        let own = members(props);
        let mut out = String::with_capacity(160 + own.len() + context_text.len());
        out.push_str("{\"event\":");
        out.push_str(&quoted(name));
        out.push_str(",\"distinct_id\":");
        out.push_str(&quoted(&self.distinct_id()));
        out.push_str(",\"uuid\":");
        out.push_str(&quoted(uuid));
        out.push_str(",\"timestamp\":");
        out.push_str(&quoted(&at.to_string()));
        out.push_str(",\"properties\":{");
        for part in [own.as_str(), context_text.as_str()] {
            if !part.is_empty() {
                out.push_str(part);
                out.push(',');
            }
        }
        out.push_str("\"$session_id\":");
        out.push_str(&quoted(&self.session_id()));
        out.push_str("}}");
        out
    }

    pub(super) fn payload(
        &self,
        name: &str,
        mut props: serde_json::Map<String, serde_json::Value>,
        uuid: &str,
        at: jiff::Timestamp,
    ) -> serde_json::Value {
        props.extend(self.context_and_props().1.clone());
        props.insert("$session_id".into(), self.session_id().into());
        serde_json::json!({
            "event": name,
            "distinct_id": self.distinct_id(),
            "uuid": uuid,
            "timestamp": at.to_string(),
            "properties": props,
        })
    }

    /// `$groupidentify` payloads for the platform, version and deployment
    /// groups.
    fn group_payloads(&self, at: jiff::Timestamp) -> Vec<(String, String, serde_json::Value)> {
        let c = self.context();
        [
            ("platform", c.os.to_owned()),
            ("version", c.app_version.clone()),
            ("deployment", c.deployment.to_owned()),
        ]
        .into_iter()
        .map(|(group_type, key)| {
            let uuid = uuid::Uuid::new_v4().to_string();
            let mut props = serde_json::Map::new();
            props.insert("$group_type".into(), group_type.into());
            props.insert("$group_key".into(), key.clone().into());
            props.insert("$group_set".into(), serde_json::json!({ "name": key }));
            let json = self.payload("$groupidentify", props, &uuid, at);
            (uuid, "$groupidentify".to_owned(), json)
        })
        .collect()
    }

    /// Queues `event` if usage statistics are allowed. Never fails the
    /// caller: analytics must not break a command.
    pub(super) fn record(&self, tracker: &Tracker, event: &Event) {
        if !self.usage_allowed() {
            return;
        }
        if !self.day_checked(tracker.now()) {
            if let Err(e) = self.queue_lifecycle(tracker) {
                crate::log_event!(warn, "telemetry.enqueue_failed", code = e.code());
            }
        }
        let (name, props) = event.parts();
        let uuid = uuid::Uuid::new_v4().to_string();
        let text = self.payload_text(&name, props, &uuid, tracker.now());
        self.enqueue_raw(tracker, &uuid, &name, text);
    }

    /// `app.installed` (once), `app.updated` (after an update), `app.active`
    /// (at most once a UTC day) and the group identities, when allowed.
    pub(super) fn queue_lifecycle(&self, tracker: &Tracker) -> Result<()> {
        if !self.usage_allowed() {
            return Ok(());
        }
        let today = utc_day(tracker);
        // Set first: the events queued below go through record(), which
        // would otherwise come back here.
        if let Ok(mut day) = self.checked_day.lock() {
            *day = Some(today.clone());
        }
        let (mut identity, _) = super::identity::load_or_create(tracker)?;
        let before = identity.clone();
        let version = self.config.app_version.clone();
        if !identity.installed_reported {
            self.record(tracker, &Event::AppInstalled {});
            for (uuid, name, json) in self.group_payloads(tracker.now()) {
                self.enqueue_raw(tracker, &uuid, &name, json.to_string());
            }
            identity.installed_reported = true;
        } else if let Some(previous) = identity.last_version.as_deref().filter(|v| *v != version) {
            if let Some(previous_version) = events::Version::parse(previous) {
                self.record(tracker, &Event::AppUpdated { previous_version });
            }
            for (uuid, name, json) in self.group_payloads(tracker.now()) {
                self.enqueue_raw(tracker, &uuid, &name, json.to_string());
            }
        }
        if identity.last_active_day.as_deref() != Some(today.as_str()) {
            self.record(tracker, &Event::AppActive {});
            identity.last_active_day = Some(today);
        }
        identity.last_version = Some(version);
        // Most launches change nothing here: spare them a committed write.
        if identity == before {
            return Ok(());
        }
        tracker.put_setting(super::identity::IDENTITY_KEY, &identity)
    }

    /// [`Self::record`] inside the transaction of the change it reports
    /// (see `EventObserver::in_transaction`): one commit for both. Leaves
    /// the rare cases to `record` after the commit: the first event of a
    /// UTC day (its lifecycle pings write settings of their own) and debug
    /// mode (whose log line must show only what was committed).
    pub(super) fn record_in_transaction(
        &self,
        tx: &rusqlite::Connection,
        now: jiff::Timestamp,
        event: &Event,
    ) -> bool {
        if !self.usage_allowed() || self.config.debug {
            return false;
        }
        if !self.day_checked(now) {
            return false;
        }
        let (name, props) = event.parts();
        let uuid = uuid::Uuid::new_v4().to_string();
        let text = self.payload_text(&name, props, &uuid, now);
        let now_ms = now.as_millisecond();
        // A savepoint: a failed insert (a full outbox table, a bad row)
        // must not take the user's change down with it.
        let queued = savepoint(tx, "SAVEPOINT telemetry_outbox").and_then(|()| {
            let dropped = enqueue_counting_drops(tx, &uuid, &name, &text, now_ms)?;
            savepoint(tx, "RELEASE telemetry_outbox")?;
            Ok(dropped)
        });
        match queued {
            Ok(dropped) => {
                // Counted before the commit: should it fail, the count is
                // one batch high, and nothing is lost.
                self.count_dropped(dropped);
                true
            }
            Err(e) => {
                let _ = savepoint(tx, "ROLLBACK TO telemetry_outbox")
                    .and_then(|()| savepoint(tx, "RELEASE telemetry_outbox"));
                crate::log_event!(
                    warn,
                    "telemetry.enqueue_failed",
                    code = crate::Error::from(e).code()
                );
                false
            }
        }
    }

    fn enqueue_raw(&self, tracker: &Tracker, uuid: &str, name: &str, text: String) {
        let now = tracker.now().as_millisecond();
        match tracker.storage.write("telemetry_enqueue", |tx| {
            Ok(enqueue_counting_drops(tx, uuid, name, &text, now)?)
        }) {
            Ok(dropped) => {
                self.count_dropped(dropped);
                if self.config.debug {
                    crate::log_event!("telemetry.debug_payload", payload = text.as_str());
                }
                self.kick();
            }
            Err(e) => crate::log_event!(warn, "telemetry.enqueue_failed", code = e.code()),
        }
    }
}

impl Telemetry {
    /// Whether the lifecycle events were already checked for `now`'s UTC
    /// day; the first event of a new day checks them first.
    fn day_checked(&self, now: jiff::Timestamp) -> bool {
        let today = utc_day_of(now);
        self.checked_day
            .lock()
            .is_ok_and(|day| day.as_deref() == Some(today.as_str()))
    }

    fn count_dropped(&self, dropped: u64) {
        if dropped > 0 {
            self.dropped.fetch_add(dropped, Ordering::Relaxed);
            crate::log_event!(warn, "telemetry.dropped", count = dropped);
        }
    }
}

/// An object's members as JSON text, without its braces, to splice into
/// another object.
pub(super) fn members(map: serde_json::Map<String, serde_json::Value>) -> String {
    let mut text = serde_json::Value::Object(map).to_string();
    text.pop();
    text.remove(0);
    text
}

/// Queues one payload and keeps the count of what the caps pushed out.
fn enqueue_counting_drops(
    tx: &rusqlite::Connection,
    uuid: &str,
    name: &str,
    text: &str,
    now_ms: i64,
) -> rusqlite::Result<u64> {
    let dropped = outbox::enqueue(tx, uuid, name, text, now_ms)?;
    if dropped > 0 {
        outbox::record_dropped(tx, dropped, now_ms)?;
    }
    Ok(dropped)
}

/// Runs one savepoint statement, prepared once per connection.
fn savepoint(tx: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(sql)?.execute([]).map(drop)
}

fn utc_day(tracker: &Tracker) -> String {
    utc_day_of(tracker.now())
}

fn utc_day_of(at: jiff::Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}
