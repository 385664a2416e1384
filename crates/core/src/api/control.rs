//! Turning the local API on and off at run time from Settings or the
//! environment, its tokens, and what went wrong; the API's twin of
//! [`crate::metrics::control`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::tz::TimeZone;
use serde::Serialize;
use ts_rs::TS;

use super::{parse_addr, ApiConfig, ApiServer, OnChange, Tokens, TOKEN_ENV};
use crate::config::Env;
use crate::error::{Error, ErrorPayload, Result};
use crate::metrics::control::wanted_loopback;
use crate::metrics::Metrics;
use crate::settings::ApiSettings;
use crate::Tracker;

/// What Settings › Integrations shows about the API.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ApiStatus {
    pub settings: ApiSettings,
    /// `http://127.0.0.1:9465/api/v1` while serving.
    pub url: Option<String>,
    /// Why it is not serving although it should.
    pub error: Option<ErrorPayload>,
    /// `TIMETRACKER_API_ADDR`, which overrides the settings while set.
    pub env_addr: Option<String>,
    /// The full token, shown so the user can copy it; null while off.
    pub token: Option<String>,
    pub read_only_token: Option<String>,
    /// The full token comes from `TIMETRACKER_API_TOKEN`, not the file.
    pub token_from_env: bool,
    pub token_file: String,
    pub read_only_token_file: String,
}

/// Where the API should listen: `TIMETRACKER_API_ADDR` wins, else the
/// settings; `None` when it should be off.
pub fn wanted_addr(env_addr: Option<&str>, settings: &ApiSettings) -> Result<Option<SocketAddr>> {
    wanted_loopback(
        env_addr,
        settings.enabled.then_some(settings.port),
        parse_addr,
        Error::ApiInvalidAddress,
    )
}

pub struct ApiControl {
    metrics: Arc<Metrics>,
    data_dir: PathBuf,
    env_addr: Option<String>,
    env_token: Option<String>,
    on_change: Option<OnChange>,
    server: Option<(ApiServer, Tokens)>,
    error: Option<Error>,
}

impl ApiControl {
    pub fn new(metrics: Arc<Metrics>, data_dir: PathBuf, env: &Env) -> Self {
        Self {
            metrics,
            data_dir,
            env_addr: env.value(super::ADDR_ENV).filter(|a| !a.trim().is_empty()),
            env_token: env.value(TOKEN_ENV),
            on_change: None,
            server: None,
            error: None,
        }
    }

    /// Called after every write the API commits (the window reloads).
    pub fn set_on_change(&mut self, on_change: OnChange) {
        self.on_change = Some(on_change);
    }

    /// Starts, stops or restarts the API to match `settings` (the
    /// environment wins). Failures are kept for [`Self::status_for`]; the
    /// app goes on without the API.
    fn apply(&mut self, tracker: &Tracker, settings: &ApiSettings, force_restart: bool) {
        let wanted = match wanted_addr(self.env_addr.as_deref(), settings) {
            Ok(wanted) => wanted,
            Err(e) => {
                self.stop();
                self.error = Some(e);
                return;
            }
        };
        let Some(addr) = wanted else {
            self.stop();
            self.error = None;
            return;
        };
        let running = self.server.as_ref().map(|(s, _)| s.addr());
        if !force_restart && running.is_some_and(|r| r == addr || addr.port() == 0) {
            self.error = None;
            return;
        }
        self.stop();
        self.error = None;
        let started = Tokens::ensure(self.env_token.clone(), &self.data_dir).and_then(|tokens| {
            let connection = tracker.open_sibling()?;
            let config = ApiConfig::new(addr, tokens.clone());
            let server = ApiServer::start(
                config,
                connection,
                TimeZone::system(),
                self.metrics.clone(),
                self.on_change.clone(),
            )?;
            Ok((server, tokens))
        });
        match started {
            Ok(server) => self.server = Some(server),
            Err(e) => {
                crate::log_event!(warn, "api.start_failed", code = e.code());
                self.error = Some(e);
            }
        }
    }

    fn stop(&mut self) {
        if let Some((server, _)) = self.server.take() {
            server.stop();
        }
    }

    pub fn addr(&self) -> Option<SocketAddr> {
        self.server.as_ref().map(|(s, _)| s.addr())
    }

    pub fn status_for(&self, settings: &ApiSettings) -> ApiStatus {
        let tokens = self.server.as_ref().map(|(_, t)| t);
        ApiStatus {
            settings: settings.clone(),
            url: self.addr().map(|a| format!("http://{a}/api/v1")),
            error: self.error.as_ref().map(Error::to_payload),
            env_addr: self.env_addr.clone(),
            token: tokens.map(|t| t.full.clone()),
            read_only_token: tokens.map(|t| t.read_only.clone()),
            token_from_env: self
                .env_token
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty()),
            token_file: super::token_path(&self.data_dir).display().to_string(),
            read_only_token_file: super::read_only_token_path(&self.data_dir)
                .display()
                .to_string(),
        }
    }

    /// Applies the stored settings (at launch).
    pub fn start(&mut self, tracker: &Tracker) -> Result<ApiStatus> {
        let settings = tracker.api_settings()?;
        self.apply(tracker, &settings, false);
        Ok(self.status_for(&settings))
    }

    /// Saves `settings` and applies them at once.
    pub fn configure(
        &mut self,
        tracker: &mut Tracker,
        settings: &ApiSettings,
    ) -> Result<ApiStatus> {
        tracker.set_api_settings(settings)?;
        self.apply(tracker, settings, false);
        Ok(self.status_for(settings))
    }

    pub fn status(&self, tracker: &Tracker) -> Result<ApiStatus> {
        Ok(self.status_for(&tracker.api_settings()?))
    }

    /// New tokens in both files; a running API restarts with them, so every
    /// client holding an old one is refused from now on.
    pub fn rotate_tokens(&mut self, tracker: &Tracker) -> Result<ApiStatus> {
        Tokens::rotate(self.env_token.clone(), &self.data_dir)?;
        let settings = tracker.api_settings()?;
        if self.server.is_some() {
            self.apply(tracker, &settings, true);
        }
        Ok(self.status_for(&settings))
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;
    use timetracker_test_support::free_port;

    fn status_code(addr: SocketAddr, token: &str) -> u16 {
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /api/v1/timer HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n",
            addr.port()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out.split(' ').nth(1).unwrap().parse().unwrap()
    }

    fn on_disk() -> (tempfile::TempDir, Tracker) {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(crate::FakeClock::at(
            "2026-06-10T12:00:00Z".parse().unwrap(),
        ));
        let tracker = Tracker::open_in_dir(dir.path(), clock).unwrap();
        (dir, tracker)
    }

    #[test]
    fn settings_turn_the_api_on_with_tokens_and_off_again() {
        let (dir, mut t) = on_disk();
        let mut control = ApiControl::new(Metrics::new(), dir.path().into(), &Env::default());
        let off = control.start(&t).unwrap();
        assert!(off.url.is_none() && off.token.is_none() && off.error.is_none());
        assert!(
            !super::super::token_path(dir.path()).exists(),
            "no token until it is on"
        );

        let port = free_port();
        let on = ApiSettings {
            enabled: true,
            port,
        };
        let status = control.configure(&mut t, &on).unwrap();
        assert_eq!(status.url, Some(format!("http://127.0.0.1:{port}/api/v1")));
        let token = status.token.clone().unwrap();
        assert_eq!(
            std::fs::read_to_string(super::super::token_path(dir.path())).unwrap(),
            token
        );
        let addr = control.addr().unwrap();
        assert_eq!(status_code(addr, &token), 200);
        assert_eq!(
            status_code(addr, status.read_only_token.as_deref().unwrap()),
            200
        );
        assert_eq!(t.api_settings().unwrap(), on, "kept for the next launch");

        let rotated = control.rotate_tokens(&t).unwrap();
        assert_ne!(rotated.token, status.token);
        let addr = control.addr().unwrap();
        assert_eq!(status_code(addr, &token), 401, "the old token is refused");
        assert_eq!(status_code(addr, rotated.token.as_deref().unwrap()), 200);

        let status = control
            .configure(
                &mut t,
                &ApiSettings {
                    enabled: false,
                    port,
                },
            )
            .unwrap();
        assert!(status.url.is_none() && status.error.is_none());
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }

    #[test]
    fn a_taken_port_and_a_foreign_address_are_reported() {
        let (dir, mut t) = on_disk();
        let mut control = ApiControl::new(Metrics::new(), dir.path().into(), &Env::default());
        let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = squatter.local_addr().unwrap().port();
        let status = control
            .configure(
                &mut t,
                &ApiSettings {
                    enabled: true,
                    port: taken,
                },
            )
            .unwrap();
        assert_eq!(status.error.unwrap().code, "api.port_in_use");
        let status = control
            .configure(
                &mut t,
                &ApiSettings {
                    enabled: true,
                    port: free_port(),
                },
            )
            .unwrap();
        assert!(status.error.is_none() && status.url.is_some());

        let env = Env::from_pairs(&[("TIMETRACKER_API_ADDR", "0.0.0.0:9465")]);
        let mut foreign = ApiControl::new(Metrics::new(), dir.path().into(), &env);
        let status = foreign.start(&t).unwrap();
        assert_eq!(status.error.unwrap().code, "api.not_loopback");
    }

    #[test]
    fn the_environment_turns_it_on_with_its_own_token() {
        let (dir, t) = on_disk();
        let port = free_port();
        let addr = format!("localhost:{port}");
        let env = Env::from_pairs(&[
            ("TIMETRACKER_API_ADDR", addr.as_str()),
            ("TIMETRACKER_API_TOKEN", "env-token"),
        ]);
        let mut control = ApiControl::new(Metrics::new(), dir.path().into(), &env);
        let status = control.start(&t).unwrap();
        assert_eq!(status.url, Some(format!("http://127.0.0.1:{port}/api/v1")));
        assert!(status.token_from_env);
        assert_eq!(status_code(control.addr().unwrap(), "env-token"), 200);
    }
}
