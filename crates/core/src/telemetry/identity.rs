//! The anonymous identity: a random install id, and the salted hash of it
//! that PostHog and Sentry see. It is made on first run and replaced on
//! request; nothing in it derives from the machine or the user.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Telemetry, TelemetryStatus};
use crate::error::Result;
use crate::Tracker;

pub(super) const IDENTITY_KEY: &str = "telemetry_identity";

/// The anonymous identity: a random install id and the salt it is hashed
/// with. Nothing here derives from the machine or the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Identity {
    pub(super) install_id: String,
    /// Random per-install salt, used when `TELE_SALT` is unset.
    pub(super) salt: String,
    /// `app.installed` has been queued (it waits for usage consent).
    pub(super) installed_reported: bool,
    pub(super) last_version: Option<String>,
    pub(super) last_active_day: Option<String>,
}

impl Identity {
    pub(super) fn new() -> Self {
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

/// The stored identity, made and saved first if there is none (the bool
/// says it was just made).
pub(super) fn load_or_create(tracker: &Tracker) -> Result<(Identity, bool)> {
    match tracker.setting_opt::<Identity>(IDENTITY_KEY)? {
        Some(id) if !id.install_id.is_empty() => Ok((id, false)),
        _ => {
            let id = Identity::new();
            tracker.put_setting(IDENTITY_KEY, &id)?;
            Ok((id, true))
        }
    }
}

/// The stored identity, without creating one (for `tt doctor`).
fn stored(tracker: &Tracker) -> Option<Identity> {
    tracker
        .setting_opt::<Identity>(IDENTITY_KEY)
        .ok()
        .flatten()
        .filter(|id| !id.install_id.is_empty())
}

/// The anonymous id as it is sent (`tt doctor --online`); `salt` is
/// `TELE_SALT` when set.
pub fn stored_distinct_id(tracker: &Tracker, salt: Option<&str>) -> Option<String> {
    stored(tracker).map(|id| distinct_id(salt.unwrap_or(&id.salt), &id.install_id))
}

/// The install id and the anonymous ids made from it, to mask in a support
/// bundle. Both salts: the app that queued the events may have run with
/// another `TELE_SALT` than this process.
pub fn identity_values(tracker: &Tracker, salt: Option<&str>) -> Vec<String> {
    let Some(id) = stored(tracker) else {
        return Vec::new();
    };
    vec![
        distinct_id(&id.salt, &id.install_id),
        distinct_id(salt.unwrap_or(&id.salt), &id.install_id),
        id.install_id,
    ]
}

impl Telemetry {
    pub(super) fn refresh_distinct_id(&self, identity: &Identity) {
        let salt = self.config.salt.as_deref().unwrap_or(&identity.salt);
        if let Ok(mut d) = self.distinct_id.lock() {
            *d = distinct_id(salt, &identity.install_id);
        }
        self.sync_crash_reporter();
    }

    /// Connects telemetry to `tracker`: creates the install id on first run,
    /// applies the stored consent, hears the tracker's events from now on,
    /// and queues the lifecycle events the consent allows.
    pub fn attach(self: &Arc<Self>, tracker: &mut Tracker) -> Result<()> {
        let (identity, created) = load_or_create(tracker)?;
        if created {
            crate::log_event!("telemetry.identity_created");
        }
        self.refresh_distinct_id(&identity);
        self.apply_consent(super::consent::stored(tracker)?.as_ref());
        tracker.observe_events(self.clone());
        self.queue_lifecycle(tracker)
    }

    /// A new random install id and a new session: what is sent from now on
    /// cannot be linked to what was sent before. Queued events and cached
    /// crash reports are deleted with the old id.
    pub fn reset_anonymous_id(&self, tracker: &mut Tracker) -> Result<TelemetryStatus> {
        let identity = Identity {
            installed_reported: true,
            last_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            ..Identity::new()
        };
        tracker.put_setting(IDENTITY_KEY, &identity)?;
        super::outbox::clear_all(tracker)?;
        // The session id would tie the new id's events to the old id's
        // session in PostHog; a fresh one starts with the new id.
        if let Ok(mut session) = self.session_id.lock() {
            *session = uuid::Uuid::new_v4().to_string();
        }
        // Cached crash reports carry the old id as their user: sent after
        // the reset, they would pair it with the new one in time and IP.
        if let Some(reporter) = self.crash_reporter.get() {
            reporter.discard_cached(crate::crash::DropReason::IdentityReset);
        }
        self.refresh_distinct_id(&identity);
        crate::log_event!("telemetry.identity_reset");
        self.status(tracker)
    }
}
