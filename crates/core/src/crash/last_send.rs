//! The outcome of the latest delivery attempt to PostHog or Sentry, kept so
//! `tt doctor` can say what the server answered last without sending again.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Settings key of PostHog's last answer (the sender writes it on its own
/// connection).
pub const USAGE_KEY: &str = "telemetry.last_send";
/// Sentry's last answer, beside the cached envelopes (the transport has no
/// database connection).
pub const CRASH_FILE: &str = "last-send.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSend {
    /// RFC 3339 instant of the attempt.
    pub at: String,
    /// The HTTP status, when the server answered at all.
    pub status: Option<u16>,
    /// Why there was no answer (network error, timeout).
    pub error: Option<String>,
}

impl LastSend {
    pub fn answered(status: u16) -> Self {
        Self {
            at: jiff::Timestamp::now().to_string(),
            status: Some(status),
            error: None,
        }
    }

    pub fn failed(error: impl Into<String>) -> Self {
        Self {
            at: jiff::Timestamp::now().to_string(),
            status: None,
            error: Some(error.into()),
        }
    }

    pub fn accepted(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    pub(crate) fn store(&self, conn: &rusqlite::Connection) {
        if let Ok(json) = serde_json::to_string(self) {
            let now = jiff::Timestamp::now().as_millisecond();
            let _ = crate::settings::upsert(conn, USAGE_KEY, &json, now);
        }
    }

    /// Written to a temporary name and renamed, so a reader never sees half.
    pub(crate) fn write_file(&self, dir: &Path) {
        let Ok(json) = serde_json::to_vec(self) else {
            return;
        };
        let tmp = dir.join(format!(".{CRASH_FILE}.tmp"));
        if crate::private::write(&tmp, json).is_ok() {
            let _ = std::fs::rename(&tmp, dir.join(CRASH_FILE));
        }
    }

    pub fn read_file(dir: &Path) -> Option<Self> {
        let bytes = std::fs::read(dir.join(CRASH_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}
