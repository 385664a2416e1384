//! The user's answer as telemetry applies it: stored in the settings,
//! turning usage statistics and crash reports on or off at once.

use super::{events, outbox, Event, Telemetry, TelemetryStatus};
use crate::consent::{ConsentRecord, NOTICE_VERSION};
use crate::error::Result;
use crate::Tracker;

pub(super) const CONSENT_KEY: &str = "consent";

/// The stored answer, if the user gave one.
pub fn stored(tracker: &Tracker) -> Result<Option<ConsentRecord>> {
    tracker.setting_opt(CONSENT_KEY)
}

/// Stores the user's answer (and logs that it changed) without applying
/// it: for a process that sends nothing itself, such as `tt`.
pub fn record_answer(
    tracker: &mut Tracker,
    crash_reports: bool,
    usage: bool,
) -> Result<ConsentRecord> {
    let record = ConsentRecord {
        crash_reports,
        usage,
        notice_version: NOTICE_VERSION,
        answered_at: tracker.now().to_string(),
    };
    tracker.put_setting(CONSENT_KEY, &record)?;
    crate::log_event!(
        "telemetry.consent_changed",
        crash_reports = crash_reports,
        usage = usage
    );
    Ok(record)
}

impl Telemetry {
    /// Stores the user's answer and applies it at once: saying no empties
    /// the outbox; saying yes starts the lifecycle pings.
    pub fn set_consent(
        &self,
        tracker: &mut Tracker,
        crash_reports: bool,
        usage: bool,
    ) -> Result<TelemetryStatus> {
        let record = record_answer(tracker, crash_reports, usage)?;
        self.apply_consent(Some(&record));
        if !self.usage_allowed() {
            outbox::clear_all(tracker)?;
        } else {
            self.record(
                tracker,
                &Event::SettingsUpdated {
                    setting: events::SettingKey::Consent,
                },
            );
            self.queue_lifecycle(tracker)?;
        }
        self.kick();
        self.status(tracker)
    }
}
