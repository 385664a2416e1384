//! Feature flags from PostHog. Fetched only with consent to usage
//! statistics, cached in the database with the time they were fetched, and
//! every flag has a compiled-in default that applies offline, without
//! consent, or before the first fetch.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::Tracker;

/// The flags this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// Kill switch for the localhost metrics endpoint: should a security
    /// problem be found in it, it can be turned off for consenting users
    /// before they update. Default: on.
    MetricsEndpoint,
}

impl Flag {
    pub fn key(self) -> &'static str {
        match self {
            Flag::MetricsEndpoint => "metrics-endpoint",
        }
    }

    pub fn default_value(self) -> bool {
        match self {
            Flag::MetricsEndpoint => true,
        }
    }
}

pub(crate) const CACHE_KEY: &str = "feature_flags";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FlagCache {
    pub flags: BTreeMap<String, bool>,
    /// RFC 3339 instant of the fetch.
    pub fetched_at: String,
}

/// Reads PostHog's `/decide/?v=3` answer: `{"featureFlags": {"key": true |
/// false | "variant"}}`. A variant counts as on.
pub(crate) fn parse_decide(body: &serde_json::Value) -> Option<BTreeMap<String, bool>> {
    let flags = body.get("featureFlags")?.as_object()?;
    Some(
        flags
            .iter()
            .map(|(k, v)| {
                let on = match v {
                    serde_json::Value::Bool(b) => *b,
                    serde_json::Value::String(s) => !s.is_empty(),
                    _ => false,
                };
                (k.clone(), on)
            })
            .collect(),
    )
}

pub(crate) fn store(conn: &Connection, cache: &FlagCache, now_ms: i64) -> rusqlite::Result<()> {
    let text = serde_json::to_string(cache).unwrap_or_default();
    crate::settings::upsert(conn, CACHE_KEY, &text, now_ms)
}

impl super::Telemetry {
    /// The flag's value: the cached one from PostHog when usage statistics
    /// are allowed, else the compiled-in default.
    pub fn flag(&self, tracker: &Tracker, flag: Flag) -> bool {
        if !self.usage_allowed() {
            return flag.default_value();
        }
        flag_cache(tracker)
            .and_then(|c| c.flags.get(flag.key()).copied())
            .unwrap_or(flag.default_value())
    }
}

/// What PostHog last answered about the flags, if it did.
pub fn flag_cache(tracker: &Tracker) -> Option<FlagCache> {
    tracker.setting_opt(CACHE_KEY).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decide_answers_are_read_with_variants_as_on() {
        let body = serde_json::json!({
            "featureFlags": { "metrics-endpoint": false, "beta": "test-variant", "odd": 3 }
        });
        let flags = parse_decide(&body).unwrap();
        assert!(!flags["metrics-endpoint"]);
        assert!(flags["beta"]);
        assert!(!flags["odd"]);
        assert!(parse_decide(&serde_json::json!({"error": "x"})).is_none());
    }

    #[test]
    fn without_usage_consent_every_flag_is_its_default() {
        let (t, _) = crate::test_support::tracker();
        let telemetry = super::super::Telemetry::new(super::super::TelemetryConfig::default());
        assert!(telemetry.flag(&t, Flag::MetricsEndpoint));
    }
}
