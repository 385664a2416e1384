//! Opt-in product analytics. Nothing is queued, let alone sent, unless the
//! user said yes to usage statistics, PostHog is configured, and neither
//! `ENABLE_TELEMETRY=false` nor `DO_NOT_TRACK` forbids it. Events come from
//! a closed, typed catalogue ([`events`]), wait in an SQLite outbox
//! ([`outbox`]) and are delivered by a background [`sender`].

pub mod config;
pub mod consent;
pub mod context;
pub use crate::events::product as events;
pub mod flags;
pub mod identity;
pub mod inspector;
pub use crate::crash::last_send;
pub mod outbox;
mod payloads;
pub mod sender;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub use crate::consent::{ConsentRecord, NOTICE_VERSION};
pub use crate::events::Event;
pub use config::{ForcedOff, TelemetryConfig};
pub use context::Context;
pub use identity::distinct_id;
pub use inspector::{Inspection, QueuedPage, TelemetryStatus};
pub use outbox::Payload;

use crate::tracker::EventObserver;
use crate::Tracker;

/// Shared between the tracker (which queues) and the sender (which sends).
pub struct Telemetry {
    pub config: TelemetryConfig,
    /// The context and the properties built from it, made with the first
    /// payload (see `context.rs`).
    /// The session's context, its properties, and those properties as
    /// JSON text without their braces (spliced into every payload).
    context: std::sync::OnceLock<(Context, serde_json::Map<String, serde_json::Value>, String)>,
    usage: AtomicBool,
    crash: AtomicBool,
    distinct_id: Mutex<String>,
    /// `$session_id`: per launch, and new at a reset of the anonymous id,
    /// so no session spans the old id and the new one.
    session_id: Mutex<String>,
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
        Arc::new(Telemetry {
            config,
            context: std::sync::OnceLock::new(),
            session_id: Mutex::new(uuid::Uuid::new_v4().to_string()),
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

    /// Where events come from, detected on first use.
    pub fn context(&self) -> &Context {
        &self.context_and_props().0
    }

    fn context_and_props(&self) -> &(Context, serde_json::Map<String, serde_json::Value>, String) {
        self.context.get_or_init(|| {
            let context = Context::detect(&self.config);
            let props = Self::context_props(&context);
            let members = payloads::members(props.clone());
            (context, props, members)
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

    /// The `$session_id` every payload carries now.
    pub fn session_id(&self) -> String {
        self.session_id
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
}

/// The domain's events reach PostHog only through here: queued when the
/// user said yes, dropped on the floor otherwise.
impl EventObserver for Telemetry {
    fn on_event(&self, tracker: &Tracker, event: &Event) {
        self.record(tracker, event);
    }

    fn in_transaction(
        &self,
        tx: &rusqlite::Connection,
        now: jiff::Timestamp,
        event: &Event,
    ) -> bool {
        self.record_in_transaction(tx, now, event)
    }

    fn on_recorded(&self, _tracker: &Tracker, _event: &Event) {
        self.kick();
    }
}

#[cfg(test)]
mod tests;
