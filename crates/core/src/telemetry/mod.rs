//! Opt-in product analytics. Nothing is queued, let alone sent, unless the
//! user said yes to usage statistics, PostHog is configured, and neither
//! `ENABLE_TELEMETRY=false` nor `DO_NOT_TRACK` forbids it. Events come from
//! a closed, typed catalogue ([`events`]), wait in an SQLite outbox
//! ([`outbox`]) and are delivered by a background [`sender`].

pub mod config;
pub mod context;
pub mod events;
pub mod flags;
pub mod last_send;
pub mod outbox;
pub mod sender;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

pub use config::{ForcedOff, TelemetryConfig};
pub use context::Context;
pub use events::Event;
pub use outbox::Payload;

use crate::error::Result;
use crate::Tracker;

/// Bump when the consent dialog's text changes: everyone is asked again.
pub const NOTICE_VERSION: u32 = 1;

/// The user's answer to the consent dialog (or Settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConsentRecord {
    pub crash_reports: bool,
    pub usage: bool,
    pub notice_version: u32,
    /// RFC 3339 instant of the answer.
    pub answered_at: String,
}

/// The anonymous identity: a random install id and the salt it is hashed
/// with. Nothing here derives from the machine or the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Identity {
    install_id: String,
    /// Random per-install salt, used when `TELE_SALT` is unset.
    salt: String,
    /// `app.installed` has been queued (it waits for usage consent).
    installed_reported: bool,
    last_version: Option<String>,
    last_active_day: Option<String>,
}

impl Identity {
    fn new() -> Self {
        Identity {
            install_id: uuid::Uuid::new_v4().to_string(),
            salt: uuid::Uuid::new_v4().simple().to_string(),
            ..Identity::default()
        }
    }
}

/// `sha256(salt || install_id)` as 64 hex characters.
pub fn distinct_id(salt: &str, install_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(install_id.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What Settings and the consent dialog need to know.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TelemetryStatus {
    /// A PostHog key or a Sentry DSN exists: there is something to consent to.
    pub configured: bool,
    pub usage_configured: bool,
    pub crash_reports_configured: bool,
    pub forced_off: Option<ForcedOff>,
    /// Show the first-run dialog.
    pub needs_consent: bool,
    pub consent: Option<ConsentRecord>,
    /// The id that is sent (the hash), for the inspector.
    pub anonymous_id: String,
    pub queued: u32,
    /// Events the outbox caps pushed out since launch.
    #[ts(type = "number")]
    pub dropped: u64,
    pub debug: bool,
}

/// The inspector's view: exactly what waits and what went.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Inspection {
    pub anonymous_id: String,
    pub queued: Vec<Payload>,
    pub sent: Vec<Payload>,
    /// Crash reports waiting on disk, as the exact envelopes.
    pub crash_queued: Vec<String>,
    /// Crash reports delivered lately (the last 20).
    pub crash_sent: Vec<String>,
}

/// Shared between the tracker (which queues) and the sender (which sends).
pub struct Telemetry {
    pub config: TelemetryConfig,
    pub context: Context,
    context_props: serde_json::Map<String, serde_json::Value>,
    usage: AtomicBool,
    crash: AtomicBool,
    distinct_id: Mutex<String>,
    dropped: AtomicU64,
    sender: Mutex<Option<sender::SenderHandle>>,
    metrics: Mutex<Option<Arc<crate::metrics::Metrics>>>,
    /// The UTC day the lifecycle events were last checked for, so a long
    /// session still reports `app.active` on each new day.
    checked_day: Mutex<Option<String>>,
    /// Follows the crash-reports answer and the anonymous id.
    crash_reporter: std::sync::OnceLock<Arc<crate::crash::CrashReporter>>,
}

impl Telemetry {
    pub fn new(config: TelemetryConfig) -> Arc<Self> {
        let context = Context::detect(&config.app_version);
        Arc::new(Telemetry {
            config,
            context_props: Self::context_props(&context),
            context,
            usage: AtomicBool::new(false),
            crash: AtomicBool::new(false),
            distinct_id: Mutex::new(String::new()),
            dropped: AtomicU64::new(0),
            sender: Mutex::new(None),
            metrics: Mutex::new(None),
            checked_day: Mutex::new(None),
            crash_reporter: std::sync::OnceLock::new(),
        })
    }

    /// Usage statistics may be queued and sent right now.
    pub fn usage_allowed(&self) -> bool {
        self.usage.load(Ordering::SeqCst)
    }

    /// Crash reports may be sent right now (read by the crash reporter).
    pub fn crash_reports_allowed(&self) -> bool {
        self.crash.load(Ordering::SeqCst)
    }

    pub fn distinct_id(&self) -> String {
        self.distinct_id
            .lock()
            .map(|d| d.clone())
            .unwrap_or_default()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn apply_consent(&self, consent: Option<&ConsentRecord>) {
        let current = consent.filter(|c| c.notice_version == NOTICE_VERSION);
        let allowed = self.config.forced_off.is_none();
        self.usage.store(
            allowed && self.config.posthog_api_key.is_some() && current.is_some_and(|c| c.usage),
            Ordering::SeqCst,
        );
        self.crash.store(
            allowed && self.config.sentry_dsn.is_some() && current.is_some_and(|c| c.crash_reports),
            Ordering::SeqCst,
        );
        self.sync_crash_reporter();
    }

    /// Hands crash reporting to `reporter`, which from now on starts and
    /// stops with the user's answer (and starts now if it is yes).
    pub fn attach_crash_reporter(&self, reporter: Arc<crate::crash::CrashReporter>) {
        let _ = self.crash_reporter.set(reporter);
        self.sync_crash_reporter();
    }

    fn sync_crash_reporter(&self) {
        if let Some(r) = self.crash_reporter.get() {
            r.apply(self.crash_reports_allowed(), &self.distinct_id());
        }
    }

    /// Counts sends in `metrics` from now on.
    pub fn attach_metrics(&self, metrics: Arc<crate::metrics::Metrics>) {
        if let Ok(mut slot) = self.metrics.lock() {
            *slot = Some(metrics);
        }
    }

    pub(crate) fn observe_send(&self, outcome: &'static str, n: usize) {
        if let Ok(slot) = self.metrics.lock() {
            if let Some(m) = slot.as_ref() {
                m.observe_telemetry_send("posthog", outcome, n as u64);
            }
        }
    }

    pub(crate) fn set_sender(&self, handle: sender::SenderHandle) {
        if let Ok(mut slot) = self.sender.lock() {
            *slot = Some(handle);
        }
    }

    /// Nudges the sender (a batch may be full, or consent changed).
    pub(crate) fn kick(&self) {
        if let Ok(slot) = self.sender.lock() {
            if let Some(s) = slot.as_ref() {
                s.kick();
            }
        }
    }

    /// Sends what is queued, waiting at most `timeout` (on exit).
    pub fn flush(&self, timeout: std::time::Duration) -> bool {
        match self.sender.lock() {
            Ok(slot) => slot.as_ref().is_some_and(|s| s.flush(timeout)),
            Err(_) => false,
        }
    }

    /// Stops the sender thread after a last flush of at most `timeout`.
    pub fn shutdown(&self, timeout: std::time::Duration) {
        let handle = self.sender.lock().ok().and_then(|mut s| s.take());
        if let Some(handle) = handle {
            handle.shutdown(timeout);
        }
    }

    /// The JSON object PostHog receives for `name` with `props`.
    /// The properties every event carries; fixed for the session.
    fn context_props(c: &Context) -> serde_json::Map<String, serde_json::Value> {
        let props = serde_json::json!({
            "$lib": "timetracker",
            "$lib_version": c.app_version,
            "$geoip_disable": true,
            "$session_id": c.session_id,
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

    fn payload(
        &self,
        name: &str,
        mut props: serde_json::Map<String, serde_json::Value>,
        uuid: &str,
        at: jiff::Timestamp,
    ) -> serde_json::Value {
        props.extend(self.context_props.clone());
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
        let c = &self.context;
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
}

const CONSENT_KEY: &str = "consent";
const IDENTITY_KEY: &str = "telemetry_identity";

impl Tracker {
    fn identity(&mut self) -> Result<(Identity, bool)> {
        match self.setting_opt::<Identity>(IDENTITY_KEY)? {
            Some(id) if !id.install_id.is_empty() => Ok((id, false)),
            _ => {
                let id = Identity::new();
                self.put_setting(IDENTITY_KEY, &id)?;
                Ok((id, true))
            }
        }
    }

    /// The stored identity, without creating one (for `tt doctor`).
    fn stored_identity(&self) -> Option<Identity> {
        self.setting_opt::<Identity>(IDENTITY_KEY)
            .ok()
            .flatten()
            .filter(|id| !id.install_id.is_empty())
    }

    /// The anonymous id as it is sent (`tt doctor --online`); `salt` is
    /// `TELE_SALT` when set.
    pub(crate) fn stored_distinct_id(&self, salt: Option<&str>) -> Option<String> {
        self.stored_identity()
            .map(|id| distinct_id(salt.unwrap_or(&id.salt), &id.install_id))
    }

    /// The install id and the anonymous ids made from it, to mask in a
    /// support bundle. Both salts: the app that queued the events may have
    /// run with another `TELE_SALT` than this process.
    pub(crate) fn identity_values(&self, salt: Option<&str>) -> Vec<String> {
        let Some(id) = self.stored_identity() else {
            return Vec::new();
        };
        vec![
            distinct_id(&id.salt, &id.install_id),
            distinct_id(salt.unwrap_or(&id.salt), &id.install_id),
            id.install_id,
        ]
    }

    fn refresh_distinct_id(&self, telemetry: &Telemetry, identity: &Identity) {
        let salt = telemetry.config.salt.as_deref().unwrap_or(&identity.salt);
        if let Ok(mut d) = telemetry.distinct_id.lock() {
            *d = distinct_id(salt, &identity.install_id);
        }
        telemetry.sync_crash_reporter();
    }

    /// Connects telemetry: creates the install id on first run, applies the
    /// stored consent, and queues the lifecycle events it allows.
    pub fn attach_telemetry(&mut self, telemetry: Arc<Telemetry>) -> Result<()> {
        let (identity, created) = self.identity()?;
        if created {
            crate::log_event!("telemetry.identity_created");
        }
        self.refresh_distinct_id(&telemetry, &identity);
        telemetry.apply_consent(self.consent()?.as_ref());
        self.telemetry = Some(telemetry);
        self.queue_lifecycle()?;
        Ok(())
    }

    pub fn consent(&self) -> Result<Option<ConsentRecord>> {
        self.setting_opt(CONSENT_KEY)
    }

    /// Stores the user's answer and applies it at once: saying no empties
    /// the outbox; saying yes starts the lifecycle pings.
    pub fn set_consent(&mut self, crash_reports: bool, usage: bool) -> Result<TelemetryStatus> {
        let record = ConsentRecord {
            crash_reports,
            usage,
            notice_version: NOTICE_VERSION,
            answered_at: self.clock.now().to_string(),
        };
        self.put_setting(CONSENT_KEY, &record)?;
        crate::log_event!(
            "telemetry.consent_changed",
            crash_reports = crash_reports,
            usage = usage
        );
        if let Some(t) = self.telemetry.clone() {
            t.apply_consent(Some(&record));
            if !t.usage_allowed() {
                self.storage
                    .write("telemetry_clear", |tx| Ok(outbox::clear(tx)?))?;
            } else {
                self.track(Event::SettingsUpdated {
                    setting: events::SettingKey::Consent,
                });
                self.queue_lifecycle()?;
            }
            t.kick();
        }
        self.telemetry_status()
    }

    /// `app.installed` (once), `app.updated` (after an update), `app.active`
    /// (at most once a UTC day) and the group identities, when allowed.
    fn queue_lifecycle(&mut self) -> Result<()> {
        let Some(t) = self.telemetry.clone() else {
            return Ok(());
        };
        if !t.usage_allowed() {
            return Ok(());
        }
        let today = self.utc_day();
        // Set first: the events queued below go through track(), which
        // would otherwise come back here.
        if let Ok(mut day) = t.checked_day.lock() {
            *day = Some(today.clone());
        }
        let (mut identity, _) = self.identity()?;
        let before = identity.clone();
        let version = t.context.app_version.clone();
        if !identity.installed_reported {
            self.track(Event::AppInstalled {});
            for (uuid, name, json) in t.group_payloads(self.clock.now()) {
                self.enqueue_raw(&uuid, &name, &json);
            }
            identity.installed_reported = true;
        } else if let Some(previous) = identity.last_version.as_deref().filter(|v| *v != version) {
            if let Some(previous_version) = events::Version::parse(previous) {
                self.track(Event::AppUpdated { previous_version });
            }
            for (uuid, name, json) in t.group_payloads(self.clock.now()) {
                self.enqueue_raw(&uuid, &name, &json);
            }
        }
        if identity.last_active_day.as_deref() != Some(today.as_str()) {
            self.track(Event::AppActive {});
            identity.last_active_day = Some(today);
        }
        identity.last_version = Some(version);
        // Most launches change nothing here: spare them a committed write.
        if identity == before {
            return Ok(());
        }
        self.put_setting(IDENTITY_KEY, &identity)
    }

    fn utc_day(&self) -> String {
        self.clock
            .now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .to_string()
    }

    /// Queues `event` if usage statistics are allowed. Never fails the
    /// caller: analytics must not break a command.
    pub fn track(&mut self, event: Event) {
        let Some(t) = self.telemetry.clone() else {
            return;
        };
        if !t.usage_allowed() {
            return;
        }
        let today = self.utc_day();
        let new_day = t
            .checked_day
            .lock()
            .is_ok_and(|day| day.as_deref() != Some(today.as_str()));
        if new_day {
            if let Err(e) = self.queue_lifecycle() {
                crate::log_event!(warn, "telemetry.enqueue_failed", code = e.code());
            }
        }
        let (name, props) = event.parts();
        let uuid = uuid::Uuid::new_v4().to_string();
        let json = t.payload(&name, props, &uuid, self.clock.now());
        self.enqueue_raw(&uuid, &name, &json);
    }

    fn enqueue_raw(&mut self, uuid: &str, name: &str, json: &serde_json::Value) {
        let Some(t) = self.telemetry.clone() else {
            return;
        };
        let text = json.to_string();
        let now = self.clock.now().as_millisecond();
        match self.storage.write("telemetry_enqueue", |tx| {
            let dropped = outbox::enqueue(tx, uuid, name, &text, now)?;
            if dropped > 0 {
                outbox::record_dropped(tx, dropped, now)?;
            }
            Ok(dropped)
        }) {
            Ok(dropped) => {
                if dropped > 0 {
                    t.dropped.fetch_add(dropped, Ordering::Relaxed);
                    crate::log_event!(warn, "telemetry.dropped", count = dropped);
                }
                if t.config.debug {
                    crate::log_event!("telemetry.debug_payload", payload = text.as_str());
                }
                t.kick();
            }
            Err(e) => crate::log_event!(warn, "telemetry.enqueue_failed", code = e.code()),
        }
    }

    pub fn telemetry_status(&self) -> Result<TelemetryStatus> {
        let consent = self.consent()?;
        let queued = self
            .storage
            .read("telemetry_count", |c| Ok(outbox::queued_count(c)?))?;
        let Some(t) = &self.telemetry else {
            return Ok(TelemetryStatus {
                configured: false,
                usage_configured: false,
                crash_reports_configured: false,
                forced_off: None,
                needs_consent: false,
                consent,
                anonymous_id: String::new(),
                queued: u32::try_from(queued).unwrap_or(u32::MAX),
                dropped: 0,
                debug: false,
            });
        };
        let configured = t.config.configured();
        let needs_consent = configured
            && t.config.forced_off.is_none()
            && consent
                .as_ref()
                .is_none_or(|c| c.notice_version != NOTICE_VERSION);
        Ok(TelemetryStatus {
            configured,
            usage_configured: t.config.posthog_api_key.is_some(),
            crash_reports_configured: t.config.sentry_dsn.is_some(),
            forced_off: t.config.forced_off,
            needs_consent,
            consent,
            anonymous_id: t.distinct_id(),
            queued: u32::try_from(queued).unwrap_or(u32::MAX),
            dropped: t.dropped(),
            debug: t.config.debug,
        })
    }

    pub fn telemetry_inspection(&self) -> Result<Inspection> {
        let (queued, sent) = self.storage.read("telemetry_inspect", |c| {
            Ok((outbox::list_queued(c)?, outbox::list_sent(c)?))
        })?;
        let crash = self
            .telemetry
            .as_ref()
            .and_then(|t| t.crash_reporter.get())
            .map(|r| r.inspect())
            .unwrap_or_default();
        Ok(Inspection {
            anonymous_id: self
                .telemetry
                .as_ref()
                .map(|t| t.distinct_id())
                .unwrap_or_default(),
            queued,
            sent,
            crash_queued: crash.0,
            crash_sent: crash.1,
        })
    }

    /// Writes the inspector's contents (the anonymous id, every queued and
    /// recently sent payload) to `telemetry-export-<UTC time>.json` beside
    /// the database.
    pub fn export_telemetry(&self) -> Result<std::path::PathBuf> {
        let dir = self
            .database_path()
            .and_then(std::path::Path::parent)
            .ok_or(crate::Error::ConfigNoDataDir)?
            .to_path_buf();
        let inspection = self.telemetry_inspection()?;
        let parse = |items: &[Payload]| -> Vec<serde_json::Value> {
            items
                .iter()
                .map(|p| serde_json::from_str(&p.json).unwrap_or(serde_json::Value::Null))
                .collect()
        };
        let doc = serde_json::json!({
            "anonymous_id": inspection.anonymous_id,
            "exported_at": self.clock.now().to_string(),
            "queued": parse(&inspection.queued),
            "sent": parse(&inspection.sent),
        });
        let stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ").to_string();
        let path = dir.join(format!("telemetry-export-{stamp}.json"));
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        std::fs::write(&path, text).map_err(|source| crate::Error::TelemetryExportFailed {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }

    /// Deletes every queued payload (the inspector's "Delete queued").
    pub fn delete_queued_telemetry(&mut self) -> Result<Inspection> {
        let n = self
            .storage
            .write("telemetry_clear", |tx| Ok(outbox::clear(tx)?))?;
        crate::log_event!("telemetry.queue_deleted", count = n);
        self.telemetry_inspection()
    }

    /// A new random install id: what is sent from now on cannot be linked
    /// to what was sent before. Queued events are deleted with the old id.
    pub fn reset_anonymous_id(&mut self) -> Result<TelemetryStatus> {
        let identity = Identity {
            installed_reported: true,
            last_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            ..Identity::new()
        };
        self.put_setting(IDENTITY_KEY, &identity)?;
        self.storage
            .write("telemetry_clear", |tx| Ok(outbox::clear(tx)?))?;
        if let Some(t) = self.telemetry.clone() {
            self.refresh_distinct_id(&t, &identity);
        }
        crate::log_event!("telemetry.identity_reset");
        self.telemetry_status()
    }
}

#[cfg(test)]
mod tests;
