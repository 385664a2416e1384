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

/// Where flags are asked for: PostHog's current endpoint (the one its
/// official clients call), which replaced `/decide`.
pub(crate) const FLAGS_PATH: &str = "/flags/?v=2";

/// Reads PostHog's `/flags/?v=2` answer: `{"flags": {"key": {"enabled":
/// bool, "variant": "name" | null, ..}}, "errorsWhileComputingFlags":
/// bool}`. A variant counts as on, since it is only served when enabled.
///
/// When PostHog says it had errors, a flag missing from the answer was not
/// computed rather than turned off, so the value it had in `previous` is
/// kept instead of falling back to the default: a kill switch must not
/// flip because one evaluation failed upstream. `quotaLimited` answers
/// carry no evaluated flags at all and count as no answer.
pub(crate) fn parse_flags(
    body: &serde_json::Value,
    previous: Option<&BTreeMap<String, bool>>,
) -> Option<BTreeMap<String, bool>> {
    let quota_limited = body
        .get("quotaLimited")
        .and_then(|q| q.as_array())
        .is_some_and(|q| q.iter().any(|v| v == "feature_flags"));
    if quota_limited {
        return None;
    }
    let flags = body.get("flags")?.as_object()?;
    let mut out = if body["errorsWhileComputingFlags"] == true {
        previous.cloned().unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    for (key, detail) in flags {
        let enabled = detail["enabled"] == true;
        out.insert(key.clone(), enabled);
    }
    Some(out)
}

/// The cached flags, read through the sender's own connection.
pub(crate) fn load(conn: &Connection) -> Option<FlagCache> {
    let text = crate::settings::lookup(conn, CACHE_KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
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

    fn flag(enabled: bool, variant: Option<&str>) -> serde_json::Value {
        serde_json::json!({ "key": "k", "enabled": enabled, "variant": variant,
            "reason": { "code": "condition_match" }, "metadata": { "id": 1, "version": 2 } })
    }

    #[test]
    fn flags_answers_are_read_with_variants_as_on() {
        let body = serde_json::json!({
            "flags": {
                "metrics-endpoint": flag(false, None),
                "beta": flag(true, Some("test-variant")),
                "plain": flag(true, None),
            },
            "errorsWhileComputingFlags": false,
            "requestId": "0f801b5b-0776-42ca-b0f7-8375c95730bf",
        });
        let flags = parse_flags(&body, None).unwrap();
        assert!(!flags["metrics-endpoint"]);
        assert!(flags["beta"]);
        assert!(flags["plain"]);
        assert!(parse_flags(&serde_json::json!({"error": "x"}), None).is_none());
        // The old /decide shape is not this endpoint's answer.
        let decide = serde_json::json!({ "featureFlags": { "beta": true } });
        assert!(parse_flags(&decide, None).is_none());
    }

    #[test]
    fn a_flag_posthog_failed_to_compute_keeps_its_cached_value() {
        let previous = BTreeMap::from([("metrics-endpoint".to_owned(), false)]);
        let partial = serde_json::json!({
            "flags": { "beta": flag(true, None) },
            "errorsWhileComputingFlags": true,
        });
        let flags = parse_flags(&partial, Some(&previous)).unwrap();
        assert!(!flags["metrics-endpoint"], "{flags:?}");
        assert!(flags["beta"]);
        // Without errors, what is not in the answer is gone (its default applies).
        let whole = serde_json::json!({ "flags": { "beta": flag(true, None) } });
        let flags = parse_flags(&whole, Some(&previous)).unwrap();
        assert!(!flags.contains_key("metrics-endpoint"));
        // Over quota: nothing was evaluated, so the cache stays as it is.
        let limited = serde_json::json!({ "flags": {}, "quotaLimited": ["feature_flags"] });
        assert!(parse_flags(&limited, Some(&previous)).is_none());
    }

    #[test]
    fn without_usage_consent_every_flag_is_its_default() {
        let (t, _) = crate::test_support::tracker();
        let telemetry = super::super::Telemetry::new(super::super::TelemetryConfig::default());
        assert!(telemetry.flag(&t, Flag::MetricsEndpoint));
    }
}
