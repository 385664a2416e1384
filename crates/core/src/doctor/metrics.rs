//! The optional `/metrics` endpoint: whether it should be on, where, with
//! what token, and a scrape of it over loopback that must parse as
//! OpenMetrics.

use std::net::SocketAddr;
use std::time::Duration;

use super::{shown, Check, Doctor};
use crate::metrics::server::{self, ADDR_ENV, TOKEN_ENV};
use crate::metrics::OPENMETRICS_CONTENT_TYPE;

const SCRAPE_TIMEOUT: Duration = Duration::from_secs(3);

pub(super) fn checks(d: &Doctor) -> Vec<Check> {
    let settings = d
        .tracker()
        .and_then(|t| t.metrics_settings().ok())
        .unwrap_or_default();
    let env_addr = d.env(ADDR_ENV);
    let wanted = crate::metrics::control::wanted_addr(env_addr.as_deref(), &settings);
    let addr = match wanted {
        Ok(Some(addr)) => addr,
        Ok(None) => {
            return vec![Check::skipped(
                "metrics.endpoint",
                "The /metrics endpoint is off (Settings › Metrics turns it on)",
            )]
        }
        Err(e) => {
            return vec![Check::problem(
                "metrics.endpoint",
                format!("The metrics address is not usable: {e}"),
                format!("Choose a port in Settings › Metrics, or set {ADDR_ENV} to a loopback address such as 127.0.0.1:9464 (or unset it)."),
            )]
        }
    };
    let token = token(d);
    vec![
        endpoint(d, addr, env_addr.is_some()),
        token_check(d, token.is_some()),
        scrape(d, addr, token.as_deref()),
        prometheus_job(d, addr, token.is_some()),
    ]
}

fn token(d: &Doctor) -> Option<String> {
    server::token_from(d.env(TOKEN_ENV), d.data_dir)
}

fn endpoint(d: &Doctor, addr: SocketAddr, from_env: bool) -> Check {
    const ID: &str = "metrics.endpoint";
    let source = if from_env {
        ADDR_ENV.to_owned()
    } else {
        "Settings › Metrics".to_owned()
    };
    match d.runtime.metrics.as_ref() {
        Some(status) => match (&status.url, &status.error) {
            (_, Some(error)) => Check::problem(
                ID,
                format!("The endpoint ({source}) is not serving: {}", error.message),
                match error.code.as_str() {
                    "metrics.port_in_use" => "Another program holds the port: choose another port in Settings › Metrics, or stop that program.".to_owned(),
                    "metrics.disabled_remotely" => "The endpoint was switched off by a feature flag; it comes back when the flag does.".to_owned(),
                    _ => format!("Fix the address in Settings › Metrics or {ADDR_ENV}."),
                },
            ),
            (Some(url), None) => Check::ok(ID, format!("Serving {url} ({source})")),
            (None, None) => Check::warning(
                ID,
                format!("Configured on {addr} ({source}) but not serving"),
                "Save Settings › Metrics again to restart it.",
            ),
        },
        None => Check::ok(
            ID,
            format!("Configured on {addr} ({source}); the app serves it while it runs"),
        ),
    }
}

fn token_check(d: &Doctor, required: bool) -> Check {
    const ID: &str = "metrics.token";
    if !required {
        return Check::ok(
            ID,
            "No token: any program of any user on this computer may read the metrics",
        )
        .with_fix(
            "Settings › Metrics › Generate token makes one for Prometheus' credentials_file.",
        );
    }
    let from_env = d.env(TOKEN_ENV).is_some();
    Check::ok(
        ID,
        if from_env {
            format!("A token is required ({TOKEN_ENV}, hidden)")
        } else {
            format!(
                "A token is required (kept in {}, hidden)",
                shown(&server::token_path(d.data_dir))
            )
        },
    )
}

fn scrape(d: &Doctor, addr: SocketAddr, token: Option<&str>) -> Check {
    const ID: &str = "metrics.scrape";
    // The app knows whether it serves: without a server there is nothing
    // to scrape, and the endpoint check already says why.
    if d.runtime.metrics.as_ref().is_some_and(|m| m.url.is_none()) {
        return Check::skipped(ID, "The endpoint is not serving");
    }
    // What the app serves, when it says (a port 0 in the settings or the
    // environment is a random port).
    let url = d
        .runtime
        .metrics
        .as_ref()
        .and_then(|m| m.url.clone())
        .unwrap_or_else(|| format!("http://{addr}/metrics"));
    // No proxy: an HTTP(S)_PROXY would carry the scrape (and its token) off
    // the machine, and answer for its own loopback instead of ours.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(SCRAPE_TIMEOUT))
        .proxy(None)
        .build()
        .into();
    let mut request = agent.get(&url).header("Accept", OPENMETRICS_CONTENT_TYPE);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let mut response = match request.call() {
        Ok(response) => response,
        Err(e) if d.runtime.metrics.is_none() => {
            return Check::warning(
                ID,
                format!("Nothing answers at {url} ({e})"),
                "The app serves /metrics only while it runs: start it, or check that no firewall blocks loopback.",
            )
        }
        Err(e) => {
            return Check::problem(
                ID,
                format!("Scraping {url} failed: {e}"),
                "Restart the app; if it persists, choose another port in Settings › Metrics.",
            )
        }
    };
    let status = response.status().as_u16();
    if status == 401 {
        return Check::problem(
            ID,
            format!("{url} refused the token (HTTP 401)"),
            "The token changed: give Prometheus the current token file, or run tt doctor with the same TIMETRACKER_METRICS_TOKEN as the app.",
        );
    }
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    if status != 200 || !content_type.starts_with("application/openmetrics-text") {
        return Check::problem(
            ID,
            format!("{url} answered HTTP {status} ({content_type}): not TimeTracker's endpoint"),
            "Another program holds the port: choose another port in Settings › Metrics.",
        );
    }
    match super::openmetrics::validate(&body) {
        Ok(families) if body.contains("timetracker_") => Check::ok(
            ID,
            format!("{url} answers with valid OpenMetrics ({families} metric families)"),
        ),
        Ok(_) => Check::problem(
            ID,
            format!("{url} answers OpenMetrics without TimeTracker's metrics"),
            "Another program holds the port: choose another port in Settings › Metrics.",
        ),
        Err(e) => Check::problem(
            ID,
            format!("{url} answered, but not valid OpenMetrics: {e}"),
            "Report this as a bug with tt doctor --bundle attached.",
        ),
    }
}

fn prometheus_job(d: &Doctor, addr: SocketAddr, token: bool) -> Check {
    // The address actually served (a port 0 is chosen at start).
    let addr = d
        .runtime
        .metrics
        .as_ref()
        .and_then(|m| m.url.as_deref())
        .and_then(|u| {
            u.strip_prefix("http://")?
                .strip_suffix("/metrics")?
                .parse()
                .ok()
        })
        .unwrap_or(addr);
    let mut job = format!(
        "scrape_configs:\n  - job_name: timetracker\n    static_configs:\n      - targets: [\"{addr}\"]\n"
    );
    if token {
        let file = if d.env(TOKEN_ENV).is_some() {
            "/path/to/a/file/holding/TIMETRACKER_METRICS_TOKEN".to_owned()
        } else {
            server::token_path(d.data_dir).display().to_string()
        };
        job.push_str(&format!(
            "    authorization:\n      type: Bearer\n      credentials_file: {file}\n"
        ));
    }
    Check::ok(
        "metrics.prometheus_job",
        format!("A Prometheus job for {addr} is ready to paste into prometheus.yml"),
    )
    .with_detail(job)
}
