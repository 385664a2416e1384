//! Where telemetry would go and whether it may go at all, from the build
//! and the environment. The user's own answer lives in the consent record.

use crate::config::{app_version, non_empty};
pub use crate::consent::ForcedOff;

pub const DEFAULT_POSTHOG_HOST: &str = "https://eu.i.posthog.com";

#[derive(Debug, Clone, Default)]
pub struct TelemetryConfig {
    pub posthog_api_key: Option<String>,
    pub posthog_host: String,
    pub sentry_dsn: Option<String>,
    /// Why telemetry is off whatever the user says, if it is.
    pub forced_off: Option<ForcedOff>,
    pub salt: Option<String>,
    pub app_version: String,
    /// `TIMETRACKER_TELEMETRY_DEBUG=1`: payloads are logged, never sent.
    pub debug: bool,
    /// `LC_ALL`, `LC_MESSAGES` or `LANG`, whichever is set first: only its
    /// language code is sent.
    pub locale: String,
    /// Running from an AppImage (`APPIMAGE` is set).
    pub appimage: bool,
}

impl TelemetryConfig {
    /// Reads the process environment, falling back to values baked in at
    /// build time (`option_env!`) for the key and the DSN.
    pub fn from_env(env: &crate::config::Env) -> Self {
        Self::from_lookup(env.lookup())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let forced_off = crate::consent::forced_off(&get);
        TelemetryConfig {
            posthog_api_key: non_empty(get("POSTHOG_API_KEY"))
                .or_else(|| option_env!("POSTHOG_API_KEY").map(str::to_owned)),
            posthog_host: non_empty(get("POSTHOG_HOST"))
                .unwrap_or_else(|| DEFAULT_POSTHOG_HOST.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            sentry_dsn: non_empty(get("SENTRY_DSN"))
                .or_else(|| option_env!("SENTRY_DSN").map(str::to_owned)),
            forced_off,
            salt: non_empty(get("TELE_SALT")),
            app_version: app_version(&get),
            debug: non_empty(get("TIMETRACKER_TELEMETRY_DEBUG")).is_some_and(|v| v == "1"),
            locale: ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|k| non_empty(get(k)))
                .unwrap_or_default(),
            appimage: get("APPIMAGE").is_some(),
        }
    }

    /// Something could be sent in this build: a PostHog key or a Sentry DSN.
    pub fn configured(&self) -> bool {
        self.posthog_api_key.is_some() || self.sentry_dsn.is_some()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> TelemetryConfig {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        TelemetryConfig::from_lookup(|k| env.get(k).cloned())
    }

    #[test]
    fn do_not_track_and_enable_telemetry_force_everything_off() {
        assert_eq!(config(&[]).forced_off, None);
        assert_eq!(config(&[("DO_NOT_TRACK", "0")]).forced_off, None);
        assert_eq!(config(&[("DO_NOT_TRACK", "")]).forced_off, None);
        assert_eq!(
            config(&[("DO_NOT_TRACK", "1")]).forced_off,
            Some(ForcedOff::DoNotTrack)
        );
        assert_eq!(
            config(&[("DO_NOT_TRACK", "yes")]).forced_off,
            Some(ForcedOff::DoNotTrack)
        );
        assert_eq!(
            config(&[("ENABLE_TELEMETRY", "FALSE")]).forced_off,
            Some(ForcedOff::EnableTelemetryFalse)
        );
        assert_eq!(config(&[("ENABLE_TELEMETRY", "true")]).forced_off, None);
    }

    #[test]
    fn configured_only_with_a_key_or_a_dsn() {
        if option_env!("POSTHOG_API_KEY").is_none() && option_env!("SENTRY_DSN").is_none() {
            assert!(!config(&[]).configured());
        }
        assert!(config(&[("POSTHOG_API_KEY", "phc_x")]).configured());
        assert!(config(&[("SENTRY_DSN", "http://k@127.0.0.1:1/1")]).configured());
        let c = config(&[("POSTHOG_HOST", "http://127.0.0.1:9/")]);
        assert_eq!(c.posthog_host, "http://127.0.0.1:9");
        assert_eq!(config(&[]).posthog_host, DEFAULT_POSTHOG_HOST);
    }
}
