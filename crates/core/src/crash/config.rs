//! Where crash reports would go, from the build and the environment.

use crate::config::{app_version, non_empty};
use crate::consent::{forced_off, ForcedOff};

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
    /// `TIMETRACKER_TEST_HOOKS=1`: the end-to-end tests may crash the app
    /// on purpose. Never set in a user's environment.
    pub test_hooks: bool,
    /// The account name (`USER`, `LOGNAME`, `USERNAME`), to scrub.
    pub user: Option<String>,
    /// `TIMETRACKER_TELEMETRY_DEBUG=1`: reports are kept on disk and
    /// logged, never sent (as PostHog payloads are).
    pub debug: bool,
}

pub const TEST_HOOKS_ENV: &str = "TIMETRACKER_TEST_HOOKS";

impl CrashConfig {
    pub fn from_env(env: &crate::config::Env) -> Self {
        Self::from_lookup(env.lookup())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |key| non_empty(lookup(key));
        let dsn = get("SENTRY_DSN").or_else(|| option_env!("SENTRY_DSN").map(str::to_owned));
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
        if dsn
            .as_deref()
            .is_some_and(|d| d.parse::<sentry::types::Dsn>().is_err())
        {
            problems.push("SENTRY_DSN");
        }
        Self {
            dsn,
            environment: get("SENTRY_ENVIRONMENT").unwrap_or_else(|| default_environment.into()),
            release: format!("timetracker@{}", app_version(&lookup)),
            traces_rate,
            forced_off: forced_off(&lookup),
            problems,
            test_hooks: get(TEST_HOOKS_ENV).is_some_and(|v| v == "1"),
            user: ["USER", "LOGNAME", "USERNAME"].iter().find_map(|k| get(k)),
            debug: get("TIMETRACKER_TELEMETRY_DEBUG").is_some_and(|v| v == "1"),
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
        CrashConfig::from_lookup(lookup)
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
