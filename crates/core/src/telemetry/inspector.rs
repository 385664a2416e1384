//! The inspector: what Settings shows about telemetry, and every payload
//! that waits or went, exactly as it is (or was) sent.

use serde::Serialize;
use ts_rs::TS;

use super::{outbox, ConsentRecord, ForcedOff, Payload, Telemetry, NOTICE_VERSION};
use crate::error::Result;
use crate::Tracker;

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
    /// The newest [`PAGE_SIZE`] queued payloads; [`Telemetry::queued_page`]
    /// pages through the rest.
    pub queued: Vec<Payload>,
    /// Every payload queued, not only those in `queued`.
    pub queued_total: u32,
    /// How many `queued` holds at most: the page size for paging on.
    pub page_size: u32,
    pub sent: Vec<Payload>,
    /// Crash reports waiting on disk, as the exact envelopes.
    pub crash_queued: Vec<String>,
    /// Crash reports delivered lately (the last 20).
    pub crash_sent: Vec<String>,
}

/// Queued payloads the inspector shows at a time.
pub const PAGE_SIZE: u32 = 100;
/// The most one page may ask for.
pub const MAX_PAGE: u32 = 1000;

/// One page of the queued payloads, newest first.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct QueuedPage {
    /// How many newer payloads come before this page.
    pub offset: u32,
    /// Every payload queued now.
    pub total: u32,
    pub items: Vec<Payload>,
}

/// The queued payloads from `offset` (newest first), at most `limit`
/// (1 to [`MAX_PAGE`]).
pub fn queued_page(tracker: &Tracker, offset: u32, limit: u32) -> Result<QueuedPage> {
    let limit = limit.clamp(1, MAX_PAGE);
    let (total, items) = tracker.storage.read("telemetry_queued_page", |c| {
        Ok((
            outbox::queued_count(c)?,
            outbox::list_queued_page(c, i64::from(offset), i64::from(limit))?,
        ))
    })?;
    Ok(QueuedPage {
        offset,
        total: u32::try_from(total).unwrap_or(u32::MAX),
        items,
    })
}

/// What waits and what went. `telemetry` is `None` where nothing can send
/// (`tt doctor --bundle` in the CLI): the outbox is still read.
pub fn inspect(tracker: &Tracker, telemetry: Option<&Telemetry>) -> Result<Inspection> {
    let (queued, total, sent) = tracker.storage.read("telemetry_inspect", |c| {
        Ok((
            outbox::list_queued_page(c, 0, i64::from(PAGE_SIZE))?,
            outbox::queued_count(c)?,
            outbox::list_sent(c)?,
        ))
    })?;
    let crash = telemetry
        .and_then(|t| t.crash_reporter.get())
        .map(|r| r.inspect())
        .unwrap_or_default();
    Ok(Inspection {
        anonymous_id: telemetry.map(Telemetry::distinct_id).unwrap_or_default(),
        queued,
        queued_total: u32::try_from(total).unwrap_or(u32::MAX),
        page_size: PAGE_SIZE,
        sent,
        crash_queued: crash.0,
        crash_sent: crash.1,
    })
}

impl Telemetry {
    pub fn status(&self, tracker: &Tracker) -> Result<TelemetryStatus> {
        let consent = super::consent::stored(tracker)?;
        let queued = tracker
            .storage
            .read("telemetry_count", |c| Ok(outbox::queued_count(c)?))?;
        let configured = self.config.configured();
        let needs_consent = configured
            && self.config.forced_off.is_none()
            && consent
                .as_ref()
                .is_none_or(|c| c.notice_version != NOTICE_VERSION);
        Ok(TelemetryStatus {
            configured,
            usage_configured: self.config.posthog_api_key.is_some(),
            crash_reports_configured: self.config.sentry_dsn.is_some(),
            forced_off: self.config.forced_off,
            needs_consent,
            consent,
            anonymous_id: self.distinct_id(),
            queued: u32::try_from(queued).unwrap_or(u32::MAX),
            dropped: self.dropped(),
            debug: self.config.debug,
        })
    }

    pub fn inspection(&self, tracker: &Tracker) -> Result<Inspection> {
        inspect(tracker, Some(self))
    }

    pub fn queued_page(&self, tracker: &Tracker, offset: u32, limit: u32) -> Result<QueuedPage> {
        queued_page(tracker, offset, limit)
    }

    /// Writes the inspector's contents (the anonymous id, every queued and
    /// recently sent payload) to `telemetry-export-<UTC time>.json` beside
    /// the database.
    pub fn export(&self, tracker: &Tracker) -> Result<std::path::PathBuf> {
        let dir = tracker
            .database_path()
            .and_then(std::path::Path::parent)
            .ok_or(crate::Error::ConfigNoDataDir)?
            .to_path_buf();
        let inspection = self.inspection(tracker)?;
        // All of them, not the inspector's first page.
        let queued = tracker
            .storage
            .read("telemetry_export", |c| Ok(outbox::list_queued_all(c)?))?;
        let parse = |items: &[Payload]| -> Vec<serde_json::Value> {
            items
                .iter()
                .map(|p| serde_json::from_str(&p.json).unwrap_or(serde_json::Value::Null))
                .collect()
        };
        let now = tracker.now();
        let doc = serde_json::json!({
            "anonymous_id": inspection.anonymous_id,
            "exported_at": now.to_string(),
            "queued": parse(&queued),
            "sent": parse(&inspection.sent),
        });
        let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
        let path = dir.join(format!("telemetry-export-{stamp}.json"));
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        crate::private::write(&path, text).map_err(|source| {
            crate::Error::TelemetryExportFailed {
                path: path.clone(),
                source,
            }
        })?;
        Ok(path)
    }

    /// Deletes every queued payload (the inspector's "Delete queued").
    pub fn delete_queued(&self, tracker: &mut Tracker) -> Result<Inspection> {
        let n = outbox::clear_all(tracker)?;
        crate::log_event!("telemetry.queue_deleted", count = n);
        self.inspection(tracker)
    }
}
