//! Turning the endpoint on and off at run time from Settings or the
//! environment: which address, which token, and what went wrong.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use ts_rs::TS;

use super::server::{self, loopback, parse_addr, MetricsServer, ServerConfig};
use super::Metrics;
use crate::config::Env;
use crate::error::{Error, ErrorPayload, Result};
use crate::settings::MetricsSettings;
use crate::Tracker;

/// What Settings shows about the endpoint.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MetricsStatus {
    pub settings: MetricsSettings,
    /// `http://127.0.0.1:9464/metrics` while serving.
    pub url: Option<String>,
    /// Why it is not serving although it should.
    pub error: Option<ErrorPayload>,
    /// `TIMETRACKER_METRICS_ADDR`, which overrides the settings while set.
    pub env_addr: Option<String>,
    pub token_required: bool,
    /// The token comes from `TIMETRACKER_METRICS_TOKEN`, not the file.
    pub token_from_env: bool,
    /// Where a generated token is kept, for Prometheus' credentials_file.
    pub token_file: String,
}

/// Where the endpoint should listen: `TIMETRACKER_METRICS_ADDR` (`env_addr`)
/// wins, else the settings; `None` when it should be off.
pub fn wanted_addr(
    env_addr: Option<&str>,
    settings: &MetricsSettings,
) -> Result<Option<SocketAddr>> {
    wanted_loopback(
        env_addr,
        settings.enabled.then_some(settings.port),
        parse_addr,
        Error::MetricsInvalidAddress,
    )
}

/// Where a loopback server should listen: the environment's address
/// (`parse`d) wins, else the port Settings turned on (`None`: off); port 0
/// is refused with `invalid`. The local API decides the same way.
pub(crate) fn wanted_loopback(
    env_addr: Option<&str>,
    enabled_port: Option<u16>,
    parse: fn(&str) -> Result<SocketAddr>,
    invalid: fn(String) -> Error,
) -> Result<Option<SocketAddr>> {
    match (env_addr, enabled_port) {
        (Some(addr), _) => parse(addr).map(Some),
        (None, Some(0)) => Err(invalid("port 0".into())),
        (None, Some(port)) => Ok(Some(loopback(port))),
        (None, None) => Ok(None),
    }
}

pub struct MetricsControl {
    metrics: Arc<Metrics>,
    data_dir: PathBuf,
    env_addr: Option<String>,
    /// `TIMETRACKER_METRICS_TOKEN`, which wins over the token file.
    env_token: Option<String>,
    server: Option<(MetricsServer, Option<String>)>,
    error: Option<Error>,
    kill_switch: KillSwitch,
}

/// Whether the endpoint may run at all: PostHog's `metrics-endpoint` flag,
/// connected by whoever also runs telemetry. Metrics only ask.
pub type KillSwitch = Box<dyn Fn(&Tracker) -> bool + Send>;

impl MetricsControl {
    /// `env_addr` is `TIMETRACKER_METRICS_ADDR` (empty counts as unset).
    pub fn new(metrics: Arc<Metrics>, data_dir: PathBuf, env_addr: Option<String>) -> Self {
        Self {
            metrics,
            data_dir,
            env_addr: env_addr.filter(|a| !a.trim().is_empty()),
            env_token: None,
            server: None,
            error: None,
            // The flag's compiled-in default: on until PostHog says off.
            kill_switch: Box::new(|_| true),
        }
    }

    /// Asks `allowed` before starting the endpoint from now on.
    pub fn set_kill_switch(&mut self, allowed: KillSwitch) {
        self.kill_switch = allowed;
    }

    pub fn from_env(metrics: Arc<Metrics>, data_dir: PathBuf, env: &Env) -> Self {
        Self {
            env_token: env.value(server::TOKEN_ENV),
            ..Self::new(
                metrics,
                data_dir,
                env.raw(server::ADDR_ENV).map(str::to_owned),
            )
        }
    }

    fn token(&self) -> Option<String> {
        server::token_from(self.env_token.clone(), &self.data_dir)
    }

    fn wanted_addr(&self, settings: &MetricsSettings) -> Result<Option<SocketAddr>> {
        wanted_addr(self.env_addr.as_deref(), settings)
    }

    /// Starts, stops or restarts the endpoint to match `settings` (and the
    /// environment, which wins); `allowed` is the kill switch's verdict.
    /// Failures are kept for [`Self::status`]; the app goes on without the
    /// endpoint.
    pub fn apply(&mut self, settings: &MetricsSettings, allowed: bool) {
        self.metrics.set_per_project(settings.per_project);
        if let Err(e) = self.ensure_token(settings) {
            // The server would refuse every request without a token.
            self.stop();
            self.error = Some(e);
            return;
        }
        if !allowed {
            self.stop();
            let wanted = self.env_addr.is_some() || settings.enabled;
            self.error = wanted.then_some(Error::MetricsDisabledRemotely);
            return;
        }
        let token = self.token();
        let wanted = match self.wanted_addr(settings) {
            Ok(wanted) => wanted,
            Err(e) => {
                self.stop();
                self.error = Some(e);
                return;
            }
        };
        let current = self.server.as_ref().map(|(s, t)| (s.addr(), t.clone()));
        if let (Some(addr), Some((running, running_token))) = (wanted, &current) {
            if (addr == *running || addr.port() == 0) && token == *running_token {
                self.error = None;
                return;
            }
        }
        self.stop();
        self.error = None;
        if let Some(addr) = wanted {
            match MetricsServer::start(ServerConfig::new(addr, token.clone()), self.metrics.clone())
            {
                Ok(server) => self.server = Some((server, token)),
                Err(e) => {
                    crate::log_event!(warn, "metrics.start_failed", code = e.code());
                    self.error = Some(e);
                }
            }
        }
    }

    /// Per-project series carry project names: they are served only to a
    /// scraper that shows a token, so turning them on makes one if there is
    /// none yet.
    fn ensure_token(&self, settings: &MetricsSettings) -> Result<()> {
        if settings.per_project && self.token().is_none() {
            server::generate_token(&self.data_dir)?;
            crate::log_event!("metrics.token_generated");
        }
        Ok(())
    }

    fn stop(&mut self) {
        if let Some((server, _)) = self.server.take() {
            server.stop();
        }
    }

    pub fn addr(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(|(s, _)| s.addr())
    }

    pub fn status_for(&self, settings: &MetricsSettings) -> MetricsStatus {
        let token_from_env = self.env_token.is_some();
        MetricsStatus {
            settings: settings.clone(),
            url: self.addr().map(|a| format!("http://{a}/metrics")),
            error: self.error.as_ref().map(Error::to_payload),
            env_addr: self.env_addr.clone(),
            token_required: self.token().is_some(),
            token_from_env,
            token_file: server::token_path(&self.data_dir).display().to_string(),
        }
    }
}

impl MetricsControl {
    /// Saves `settings` and applies them to the endpoint at once.
    pub fn configure(
        &mut self,
        tracker: &mut Tracker,
        settings: &MetricsSettings,
    ) -> Result<MetricsStatus> {
        tracker.set_metrics_settings(settings)?;
        let allowed = (self.kill_switch)(tracker);
        self.apply(settings, allowed);
        Ok(self.status_for(settings))
    }

    /// Applies the stored settings (at launch).
    pub fn start(&mut self, tracker: &Tracker) -> Result<MetricsStatus> {
        let settings = tracker.metrics_settings()?;
        let allowed = (self.kill_switch)(tracker);
        self.apply(&settings, allowed);
        Ok(self.status_for(&settings))
    }

    pub fn status(&self, tracker: &Tracker) -> Result<MetricsStatus> {
        Ok(self.status_for(&tracker.metrics_settings()?))
    }

    /// Creates a new token file (replacing any) and restarts the endpoint
    /// with it.
    pub fn generate_token(&mut self, tracker: &Tracker) -> Result<MetricsStatus> {
        server::generate_token(&self.data_dir)?;
        crate::log_event!("metrics.token_generated");
        self.start(tracker)
    }

    /// Refused while per-project series are on and the token file is the
    /// only token: they would be served to anyone.
    pub fn remove_token(&mut self, tracker: &Tracker) -> Result<MetricsStatus> {
        if self.env_token.is_none() && tracker.metrics_settings()?.per_project {
            return Err(Error::MetricsTokenRequired);
        }
        server::remove_token(&self.data_dir)?;
        crate::log_event!("metrics.token_removed");
        self.start(tracker)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;
    use crate::test_support::tracker;
    use timetracker_test_support::free_port;

    fn status_code(addr: SocketAddr, extra: &str) -> u16 {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n{extra}\r\n",
            addr.port()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out.split(' ').nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn settings_turn_the_endpoint_on_and_off_at_run_time() {
        let dir = tempfile::tempdir().unwrap();
        let (mut t, _) = tracker();
        let mut control = MetricsControl::new(Metrics::new(), dir.path().into(), None);
        assert!(control.start(&t).unwrap().url.is_none());

        let port = free_port();
        let on = MetricsSettings {
            enabled: true,
            port,
            per_project: false,
        };
        let status = control.configure(&mut t, &on).unwrap();
        assert_eq!(status.url, Some(format!("http://127.0.0.1:{port}/metrics")));
        assert_eq!(status_code(control.addr().unwrap(), ""), 200);
        // Persisted: a relaunch reads it back.
        assert_eq!(t.metrics_settings().unwrap(), on);

        let off = MetricsSettings {
            enabled: false,
            ..on.clone()
        };
        let status = control.configure(&mut t, &off).unwrap();
        assert!(status.url.is_none() && status.error.is_none());
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }

    #[test]
    fn a_taken_port_is_reported_and_a_free_one_then_works() {
        let dir = tempfile::tempdir().unwrap();
        let (mut t, _) = tracker();
        let mut control = MetricsControl::new(Metrics::new(), dir.path().into(), None);
        let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = squatter.local_addr().unwrap().port();
        let mut settings = MetricsSettings {
            enabled: true,
            port: taken,
            per_project: false,
        };
        let status = control.configure(&mut t, &settings).unwrap();
        assert_eq!(status.error.unwrap().code, "metrics.port_in_use");
        assert!(status.url.is_none());
        settings.port = free_port();
        let status = control.configure(&mut t, &settings).unwrap();
        assert!(status.error.is_none() && status.url.is_some());
    }

    #[test]
    fn the_environment_wins_and_must_be_loopback() {
        let dir = tempfile::tempdir().unwrap();
        let (t, _) = tracker();
        let mut bad = MetricsControl::new(
            Metrics::new(),
            dir.path().into(),
            Some("0.0.0.0:9464".into()),
        );
        let status = bad.start(&t).unwrap();
        assert_eq!(status.error.unwrap().code, "metrics.not_loopback");

        let port = free_port();
        let mut env = MetricsControl::new(
            Metrics::new(),
            dir.path().into(),
            Some(format!("localhost:{port}")),
        );
        // Settings say off, the environment says on: on.
        let status = env.start(&t).unwrap();
        assert_eq!(status.url, Some(format!("http://127.0.0.1:{port}/metrics")));
        assert_eq!(
            status.env_addr.as_deref(),
            Some(format!("localhost:{port}").as_str())
        );
    }

    #[test]
    fn generating_a_token_restarts_the_endpoint_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut t, _) = tracker();
        let mut control = MetricsControl::new(Metrics::new(), dir.path().into(), None);
        let settings = MetricsSettings {
            enabled: true,
            port: free_port(),
            per_project: false,
        };
        control.configure(&mut t, &settings).unwrap();
        let addr = control.addr().unwrap();
        assert_eq!(status_code(addr, ""), 200);

        let status = control.generate_token(&t).unwrap();
        assert!(status.token_required);
        let token = std::fs::read_to_string(server::token_path(dir.path())).unwrap();
        let addr = control.addr().unwrap();
        assert_eq!(status_code(addr, ""), 401);
        assert_eq!(
            status_code(addr, &format!("Authorization: Bearer {token}\r\n")),
            200
        );

        let status = control.remove_token(&t).unwrap();
        assert!(!status.token_required);
        assert_eq!(status_code(control.addr().unwrap(), ""), 200);
    }

    #[test]
    fn turning_per_project_series_on_makes_a_token_and_requires_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut t, _) = tracker();
        let mut control = MetricsControl::new(Metrics::new(), dir.path().into(), None);
        let mut settings = MetricsSettings {
            enabled: true,
            port: free_port(),
            per_project: false,
        };
        control.configure(&mut t, &settings).unwrap();
        assert!(!server::token_path(dir.path()).exists());

        settings.per_project = true;
        let status = control.configure(&mut t, &settings).unwrap();
        assert!(
            status.token_required && status.error.is_none(),
            "{status:?}"
        );
        let token = std::fs::read_to_string(server::token_path(dir.path())).unwrap();
        assert_eq!(token.len(), 64);
        let addr = control.addr().unwrap();
        assert_eq!(status_code(addr, ""), 401);
        assert_eq!(
            status_code(addr, &format!("Authorization: Bearer {token}\r\n")),
            200
        );
        // The token stays while they are on; turning them off lets it go.
        let refused = control.remove_token(&t).err().unwrap();
        assert_eq!(refused.code(), "metrics.token_required");
        assert_eq!(
            std::fs::read_to_string(server::token_path(dir.path())).unwrap(),
            token
        );
        settings.per_project = false;
        control.configure(&mut t, &settings).unwrap();
        assert!(!control.remove_token(&t).unwrap().token_required);
    }
}
