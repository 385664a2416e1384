//! Where crash reports would go, from the build and the environment.

use crate::telemetry::{ForcedOff, TelemetryConfig};

#[derive(Debug, Clone, PartialEq)]
pub struct CrashConfig {
    /// `SENTRY_DSN` at run time, else baked in at build time.
    pub dsn: Option<String>,
    /// `SENTRY_ENVIRONMENT`; `production` in release builds, else `development`.
    pub environment: String,
    /// `timetracker@<app version>`.
    pub release: String,
    /// `SENTRY_TRACES_RATE`, 0 to 1; 0 (no traces) unless set.
    pub traces_rate: f32,
    pub forced_off: Option<ForcedOff>,
    /// Variables that were set but unusable, to log once at start-up (by
    /// name: a DSN holds a key).
    pub problems: Vec<&'static str>,
}

impl CrashConfig {
    pub fn from_env(telemetry: &TelemetryConfig) -> Self {
        Self::from_lookup(telemetry, |key| std::env::var(key).ok())
    }

    pub fn from_lookup(telemetry: &TelemetryConfig, get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |key| {
            get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut problems = Vec::new();
        let traces_rate = match get("SENTRY_TRACES_RATE") {
            None => 0.0,
            Some(raw) => match raw.parse::<f32>() {
                Ok(rate) if (0.0..=1.0).contains(&rate) => rate,
                // Not a number from 0 to 1: traces stay off.
                _ => {
                    problems.push("SENTRY_TRACES_RATE");
                    0.0
                }
            },
        };
        let default_environment = if cfg!(debug_assertions) {
            "development"
        } else {
            "production"
        };
        if telemetry
            .sentry_dsn
            .as_deref()
            .is_some_and(|d| d.parse::<sentry::types::Dsn>().is_err())
        {
            problems.push("SENTRY_DSN");
        }
        Self {
            dsn: telemetry.sentry_dsn.clone(),
            environment: get("SENTRY_ENVIRONMENT").unwrap_or_else(|| default_environment.into()),
            release: format!("timetracker@{}", telemetry.app_version),
            traces_rate,
            forced_off: telemetry.forced_off,
            problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> CrashConfig {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = |k: &str| env.get(k).cloned();
        CrashConfig::from_lookup(&TelemetryConfig::from_lookup(lookup), lookup)
    }

    #[test]
    fn reads_dsn_environment_release_and_rate() {
        let c = config(&[
            ("SENTRY_DSN", "http://key@127.0.0.1:9/42"),
            ("SENTRY_ENVIRONMENT", "staging"),
            ("SENTRY_TRACES_RATE", "0.25"),
            ("APP_VERSION", "1.2.3"),
        ]);
        assert_eq!(c.dsn.as_deref(), Some("http://key@127.0.0.1:9/42"));
        assert_eq!(c.environment, "staging");
        assert_eq!(c.release, "timetracker@1.2.3");
        assert_eq!(c.traces_rate, 0.25);
        assert!(c.problems.is_empty());
    }

    #[test]
    fn a_bad_rate_means_no_traces_and_is_reported() {
        for raw in ["fast", "1.5", "-0.1"] {
            let c = config(&[("SENTRY_TRACES_RATE", raw)]);
            assert_eq!(c.traces_rate, 0.0);
            assert_eq!(c.problems, ["SENTRY_TRACES_RATE"], "{raw}");
        }
        assert_eq!(config(&[]).traces_rate, 0.0);
    }

    #[test]
    fn do_not_track_forces_it_off() {
        let c = config(&[("DO_NOT_TRACK", "1"), ("SENTRY_DSN", "http://k@h/1")]);
        assert_eq!(c.forced_off, Some(ForcedOff::DoNotTrack));
    }

    #[test]
    fn an_unparseable_dsn_is_a_problem() {
        assert_eq!(
            config(&[("SENTRY_DSN", "not a dsn")]).problems,
            ["SENTRY_DSN"]
        );
    }
}
