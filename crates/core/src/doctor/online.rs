//! `tt doctor --online`: one test request to Sentry and one to PostHog,
//! each only when the user said yes to that service. Neither carries
//! anything about the user or their data.

use std::time::Duration;

use super::telemetry::{consent, forced_off_text, status_hint};
use super::{Check, Doctor};

const TIMEOUT: Duration = Duration::from_secs(10);

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .build()
        .into()
}

pub(super) fn checks(d: &Doctor) -> Vec<Check> {
    vec![sentry(d), posthog(d)]
}

fn answer_check(id: &str, service: &str, answer: Result<u16, String>) -> Check {
    match answer {
        Ok(status) if (200..300).contains(&status) => Check::ok(
            id,
            format!("{service} accepted a test request (HTTP {status})"),
        ),
        Ok(status) => Check::problem(
            id,
            format!("{service} answered the test request with HTTP {status}"),
            status_hint(status),
        ),
        Err(e) => Check::problem(
            id,
            format!("{service} could not be reached: {e}"),
            "Check the network, a proxy or firewall, and the address in the configuration.",
        ),
    }
}

/// Why no test request may go to a service, if none may: forced off, not
/// configured, or the user has not said yes to it.
fn refusal(
    id: &str,
    forced: Option<crate::telemetry::ForcedOff>,
    what: &str,
    missing: Option<&str>,
    agreed: bool,
) -> Option<Check> {
    let why = match (forced, missing) {
        (Some(reason), _) => format!("{} forces {what} off", forced_off_text(reason)),
        (None, Some(missing)) => format!("no {missing}"),
        (None, None) if !agreed => format!("you have not agreed to {what}"),
        (None, None) => return None,
    };
    Some(Check::skipped(id, format!("Not sent: {why}")))
}

fn sentry(d: &Doctor) -> Check {
    const ID: &str = "online.sentry";
    let config = d.crash_config();
    let agreed = consent(d).is_some_and(|c| c.crash_reports);
    let missing = config.dsn.is_none().then_some("Sentry DSN");
    if let Some(skip) = refusal(ID, config.forced_off, "crash reports", missing, agreed) {
        return skip;
    }
    let raw = config.dsn.as_deref().unwrap_or_default();
    let Ok(dsn) = raw.parse::<sentry::types::Dsn>() else {
        return Check::skipped(ID, "Not sent: the DSN cannot be read (see crash.dsn)");
    };
    let event = sentry::protocol::Event {
        message: Some("TimeTracker connection test (tt doctor --online)".into()),
        level: sentry::Level::Info,
        release: Some(config.release.clone().into()),
        environment: Some(config.environment.clone().into()),
        ..Default::default()
    };
    let mut body = Vec::new();
    if let Err(e) = sentry::Envelope::from(event).to_writer(&mut body) {
        return Check::problem(
            ID,
            format!("The test report could not be built: {e}"),
            "Report this as a bug.",
        );
    }
    let answer = agent()
        .post(dsn.envelope_api_url().as_str())
        .header(
            "X-Sentry-Auth",
            &dsn.to_auth(Some("timetracker-doctor")).to_string(),
        )
        .header("Content-Type", "application/x-sentry-envelope")
        .send(&body[..])
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string());
    answer_check(ID, "Sentry", answer)
}

fn posthog(d: &Doctor) -> Check {
    const ID: &str = "online.posthog";
    let config = d.telemetry_config();
    let agreed = consent(d).is_some_and(|c| c.usage);
    let missing = config.posthog_api_key.is_none().then_some("PostHog key");
    if let Some(skip) = refusal(ID, config.forced_off, "usage statistics", missing, agreed) {
        return skip;
    }
    let key = config.posthog_api_key.as_deref().unwrap_or_default();
    // The feature-flag request the app makes hourly: it checks the host and
    // the key, and records no event.
    let distinct_id = d
        .tracker()
        .and_then(|t| crate::telemetry::identity::stored_distinct_id(t, config.salt.as_deref()))
        .unwrap_or_default();
    let body = serde_json::json!({ "api_key": key, "distinct_id": distinct_id });
    let answer = agent()
        .post(&format!(
            "{}{}",
            config.posthog_host,
            crate::telemetry::flags::FLAGS_PATH
        ))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string());
    answer_check(ID, "PostHog", answer)
}
