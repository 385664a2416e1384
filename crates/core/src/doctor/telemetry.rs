//! Crash reports (Sentry) and usage statistics (PostHog): the user's
//! answer, what forces them off, the configuration, what waits and what the
//! server said last. Nothing here sends anything.

use super::{human_bytes, plural_s, Check, Doctor};
use crate::crash::CACHE_DIR;
use crate::telemetry::last_send::{LastSend, USAGE_KEY};
use crate::telemetry::outbox::{Dropped, DROPPED_KEY, MAX_QUEUED, MAX_QUEUED_BYTES};
use crate::telemetry::{ConsentRecord, ForcedOff};

/// Flags older than this are stale: the sender refreshes them hourly.
const FLAGS_STALE_HOURS: i64 = 24;

pub(super) fn forced_off_text(reason: ForcedOff) -> &'static str {
    match reason {
        ForcedOff::EnableTelemetryFalse => "ENABLE_TELEMETRY=false",
        ForcedOff::DoNotTrack => "DO_NOT_TRACK",
    }
}

pub(super) fn consent(d: &Doctor) -> Option<ConsentRecord> {
    d.tracker()
        .and_then(|t| crate::telemetry::consent::stored(t).ok().flatten())
}

/// Shared by both services: forced off, not asked yet, or the answer.
fn consent_check(
    id: &str,
    service: &str,
    configured: bool,
    forced: Option<ForcedOff>,
    answer: Option<bool>,
) -> Check {
    if let Some(reason) = forced {
        return Check::ok(
            id,
            format!(
                "{service}: off, forced by {} in the environment",
                forced_off_text(reason)
            ),
        )
        .with_fix(format!(
            "Unset {} to decide in Settings › Privacy.",
            forced_off_text(reason)
        ));
    }
    if !configured {
        return Check::skipped(
            id,
            format!("{service}: this build has nowhere to send them"),
        );
    }
    match answer {
        None => Check::ok(id, format!("{service}: not asked yet, so off")).with_fix(
            "The app asks at its next start; Settings › Privacy changes the answer at any time.",
        ),
        Some(true) => Check::ok(id, format!("{service}: on (you said yes)")),
        Some(false) => Check::ok(id, format!("{service}: off (you said no)"))
            .with_fix("Settings › Privacy turns them on."),
    }
}

/// `on`: the service may send now. When it may not, an old refusal is
/// history (nothing will send again to replace it), not a problem today.
fn last_send_check(id: &str, service: &str, on: bool, last: Option<LastSend>, hint: &str) -> Check {
    let Some(last) = last else {
        return Check::skipped(id, format!("Nothing was sent to {service} yet"));
    };
    if !on {
        return Check::skipped(
            id,
            format!(
                "Sending to {service} is off; the last attempt was at {}",
                last.at
            ),
        );
    }
    match (last.status, &last.error) {
        (Some(status @ (429 | 500..=599)), _) => Check::warning(
            id,
            format!(
                "{service} answered the last send at {} with HTTP {status}",
                last.at
            ),
            format!("{}; {hint}", status_hint(status)),
        ),
        (Some(status), _) if last.accepted() => Check::ok(
            id,
            format!(
                "{service} accepted the last send at {} (HTTP {status})",
                last.at
            ),
        ),
        (Some(status), _) => Check::problem(
            id,
            format!(
                "{service} refused the last send at {}: HTTP {status}",
                last.at
            ),
            format!("{}; {hint}", status_hint(status)),
        ),
        (None, error) => Check::warning(
            id,
            format!(
                "The last send to {service} at {} got no answer: {}",
                last.at,
                error.as_deref().unwrap_or("unknown error")
            ),
            "Offline or blocked by a firewall: what waits is sent once the network is back.",
        ),
    }
}

pub(super) fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => "the key is not accepted: check it",
        404 => "nothing at that address: check the host or DSN",
        413 => "the payload was too large",
        429 => "rate limited: it is retried later",
        500..=599 => "the server had a problem: it is retried later",
        _ => "unexpected answer",
    }
}

pub(super) fn crash_checks(d: &Doctor) -> Vec<Check> {
    let config = d.crash_config();
    let answer = consent(d).map(|c| c.crash_reports);
    let cache = d.data_dir.join(CACHE_DIR);
    let waiting = crate::crash::cache::EnvelopeCache::new(cache.clone())
        .list()
        .len();
    let dsn_check = match config.dsn.as_deref() {
        None => Check::skipped("crash.dsn", "No Sentry DSN: not in this build, nor in SENTRY_DSN"),
        Some(raw) => match raw.parse::<sentry::types::Dsn>() {
            Ok(dsn) => Check::ok(
                "crash.dsn",
                format!("DSN for {} project {} (key hidden)", dsn.host(), dsn.project_id()),
            ),
            Err(e) => Check::problem(
                "crash.dsn",
                format!("SENTRY_DSN cannot be read: {e}"),
                "Copy the DSN again from Sentry (Project settings › Client Keys); it looks like https://KEY@HOST/PROJECT.",
            ),
        },
    };
    let config_check = if config.problems.is_empty() {
        Check::ok(
            "crash.config",
            format!(
                "Environment {}, traces sampled at {}",
                config.environment, config.traces_rate
            ),
        )
    } else {
        Check::problem(
            "crash.config",
            format!("Ignored as invalid: {}", config.problems.join(", ")),
            "SENTRY_TRACES_RATE takes a number from 0 to 1.",
        )
    };
    let crash_on = answer == Some(true) && config.forced_off.is_none() && config.dsn.is_some();
    let known = d.tracker().is_some();
    let queue_check = match (waiting, crash_on) {
        (0, _) => Check::ok("crash.queue", "No crash reports waiting on disk"),
        (n, false) if !known => Check::warning(
            "crash.queue",
            format!("{n} crash report{} on disk; whether you agreed is unknown (the database is not open)", plural_s(n)),
            "Fix the database first (see data.database); the app sends them or deletes them by your answer.",
        ),
        (n, true) => Check::warning(
            "crash.queue",
            format!(
                "{n} crash report{} waiting on disk to be sent",
                plural_s(n)
            ),
            "They go out when Sentry can be reached; Settings › Privacy › What is sent shows them.",
        ),
        (n, false) => Check::problem(
            "crash.queue",
            format!(
                "{n} crash report{} on disk although reports are off",
                plural_s(n)
            ),
            "Start the app once: it deletes reports it may not send.",
        ),
    };
    vec![
        consent_check(
            "crash.consent",
            "Crash reports",
            config.dsn.is_some(),
            config.forced_off,
            answer,
        ),
        dsn_check,
        config_check,
        queue_check,
        last_send_check(
            "crash.last_send",
            "Sentry",
            crash_on,
            LastSend::read_file(&cache),
            "Settings › Privacy › Send test error tells more",
        ),
    ]
}

pub(super) fn usage_checks(d: &Doctor) -> Vec<Check> {
    let config = d.telemetry_config();
    let answer = consent(d).map(|c| c.usage);
    let mut checks = vec![consent_check(
        "usage.consent",
        "Usage statistics",
        config.posthog_api_key.is_some(),
        config.forced_off,
        answer,
    )];
    checks.push(match &config.posthog_api_key {
        None => Check::skipped(
            "usage.config",
            "No PostHog key: not in this build, nor in POSTHOG_API_KEY",
        ),
        Some(_)
            if !config.posthog_host.starts_with("https://")
                && !config.posthog_host.starts_with("http://") =>
        {
            Check::problem(
                "usage.config",
                format!(
                    "POSTHOG_HOST={} is not an http(s) address",
                    config.posthog_host
                ),
                "Set POSTHOG_HOST to your PostHog address, such as https://eu.i.posthog.com.",
            )
        }
        Some(_) => Check::ok(
            "usage.config",
            format!("Key set (hidden), host {}", config.posthog_host),
        ),
    });
    checks.push(outbox_check(d));
    let last = d
        .tracker()
        .and_then(|t| t.setting_opt::<LastSend>(USAGE_KEY).ok().flatten());
    checks.push(last_send_check(
        "usage.last_send",
        "PostHog",
        answer == Some(true) && config.forced_off.is_none() && config.posthog_api_key.is_some(),
        last,
        "tt doctor --online tries once more",
    ));
    checks.push(flags_check(
        d,
        answer == Some(true) && config.forced_off.is_none(),
    ));
    checks
}

fn outbox_check(d: &Doctor) -> Check {
    const ID: &str = "usage.outbox";
    let Some(tracker) = d.tracker() else {
        return Check::skipped(ID, "The database is not open");
    };
    let (events, bytes) = match tracker.outbox_stats() {
        Ok(stats) => stats,
        Err(e) => {
            return Check::problem(
                ID,
                format!("The outbox cannot be read: {e}"),
                "Run tt doctor again.",
            )
        }
    };
    let dropped = d.runtime.telemetry_dropped.unwrap_or(0);
    let lifetime = tracker
        .setting_opt::<Dropped>(DROPPED_KEY)
        .ok()
        .flatten()
        .filter(|r| r.total > 0);
    let finding = format!(
        "{events} event{} queued ({} of {}, at most {MAX_QUEUED} events)",
        plural_s(events),
        human_bytes(u64::try_from(bytes).unwrap_or(0)),
        human_bytes(u64::try_from(MAX_QUEUED_BYTES).unwrap_or(0)),
    );
    if dropped > 0 {
        Check::warning(
            ID,
            format!("{finding}; the caps dropped the {dropped} oldest since launch"),
            "PostHog has not been reached for a long time: check the network and tt doctor --online.",
        )
    } else if let Some(r) =
        lifetime.filter(|r| recent(&r.last_at) && !delivered_since(tracker, &r.last_at))
    {
        Check::warning(
            ID,
            format!(
                "{finding}; the caps dropped {} oldest in all, the latest at {}",
                r.total, r.last_at
            ),
            "PostHog could not be reached for a long time: check the network and tt doctor --online.",
        )
    } else if events * 10 >= MAX_QUEUED * 9 || bytes * 10 >= MAX_QUEUED_BYTES * 9 {
        Check::warning(
            ID,
            format!("{finding}: nearly full, the oldest will be dropped"),
            "PostHog has not been reached for a long time: check the network and tt doctor --online.",
        )
    } else {
        Check::ok(ID, finding)
    }
}

/// PostHog took a batch after `at`: the outbox drains again.
fn delivered_since(tracker: &crate::Tracker, at: &str) -> bool {
    let last = tracker.setting_opt::<LastSend>(USAGE_KEY).ok().flatten();
    match (last, at.parse::<jiff::Timestamp>()) {
        (Some(last), Ok(at)) => {
            last.accepted()
                && last
                    .at
                    .parse::<jiff::Timestamp>()
                    .is_ok_and(|sent| sent > at)
        }
        _ => false,
    }
}

/// Within the last week: an old drop is history, not a problem now.
fn recent(at: &str) -> bool {
    at.parse::<jiff::Timestamp>()
        .is_ok_and(|t| jiff::Timestamp::now().duration_since(t).as_hours() < 24 * 7)
}

fn flags_check(d: &Doctor, usage_on: bool) -> Check {
    const ID: &str = "usage.flags";
    let Some(tracker) = d.tracker() else {
        return Check::skipped(ID, "The database is not open");
    };
    let Some(cache) = crate::telemetry::flags::flag_cache(tracker) else {
        return Check::ok(ID, "No feature flags fetched: every flag has its default");
    };
    let age = cache
        .fetched_at
        .parse::<jiff::Timestamp>()
        .map(|at| jiff::Timestamp::now().duration_since(at).as_hours());
    match age {
        Ok(hours) if usage_on && hours >= FLAGS_STALE_HOURS => Check::warning(
            ID,
            format!(
                "Feature flags were fetched {hours} hours ago ({})",
                cache.fetched_at
            ),
            "They refresh hourly while the app runs and PostHog can be reached.",
        ),
        _ => Check::ok(
            ID,
            format!(
                "{} feature flags, fetched at {}",
                cache.flags.len(),
                cache.fetched_at
            ),
        ),
    }
}

impl crate::Tracker {
    /// Events and bytes waiting in the usage outbox.
    pub(crate) fn outbox_stats(&self) -> crate::Result<(i64, i64)> {
        self.storage.read("doctor_outbox", |conn| {
            Ok(crate::telemetry::outbox::stats(conn)?)
        })
    }
}
