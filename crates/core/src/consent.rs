//! What the user said about telemetry, and what overrides it. Crash
//! reporting and usage statistics both obey this; neither owns it, so it
//! sits below both.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// Why telemetry is off whatever the user says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ForcedOff {
    /// `ENABLE_TELEMETRY=false`
    EnableTelemetryFalse,
    /// `DO_NOT_TRACK` set to anything but `0` or empty.
    DoNotTrack,
}

/// The environment's veto: `ENABLE_TELEMETRY=false` (or 0/no/off), or
/// `DO_NOT_TRACK` set to anything but `0`.
pub fn forced_off(get: impl Fn(&str) -> Option<String>) -> Option<ForcedOff> {
    let get = |key| crate::config::non_empty(get(key));
    let enable = get("ENABLE_TELEMETRY").map(|v| v.to_ascii_lowercase());
    if matches!(enable.as_deref(), Some("false" | "0" | "no" | "off")) {
        Some(ForcedOff::EnableTelemetryFalse)
    } else if get("DO_NOT_TRACK").is_some_and(|v| v != "0") {
        Some(ForcedOff::DoNotTrack)
    } else {
        None
    }
}
