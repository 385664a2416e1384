//! The local REST API (`/api/v1/...`), off unless the user turns it on: a
//! power user's scripts, Home Assistant or an AI assistant drive the timer
//! and read entries and reports through it.
//!
//! It runs like `/metrics` ([`crate::metrics::server`]): axum on a thread
//! of its own, loopback addresses only, the `Host` allow-list, any `Origin`
//! refused, and the same connection limits. Unlike `/metrics` a token is
//! always required: the full token may write, the read-only one may only
//! `GET`. It has a database connection of its own, so a slow request never
//! holds the window's connection; the app learns of its writes through
//! [`OnChange`] (and through `data_version`, as for `tt`).

pub mod control;
mod errors;
mod guard;
mod labels;
pub mod openapi;
mod params;
mod routes;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::tz::TimeZone;

use crate::error::{Error, Result};
use crate::metrics::server::{
    allowed_hosts, bind, parse_loopback, read_secret_file, write_secret_file, AddrError, BindError,
    ConnectionLimits, Serving,
};
use crate::metrics::Metrics;
use crate::Tracker;
pub use control::{ApiControl, ApiStatus};
pub use params::Range;

pub const ADDR_ENV: &str = "TIMETRACKER_API_ADDR";
pub const TOKEN_ENV: &str = "TIMETRACKER_API_TOKEN";
pub const TOKEN_FILE: &str = "api-token";
pub const READ_ONLY_TOKEN_FILE: &str = "api-token-readonly";

/// Parses `127.0.0.1:9465`, `[::1]:9465` or `localhost:9465`; anything that
/// is not a loopback address is refused.
pub fn parse_addr(text: &str) -> Result<SocketAddr> {
    parse_loopback(text).map_err(|e| match e {
        AddrError::Invalid(t) => Error::ApiInvalidAddress(t),
        AddrError::NotLoopback(t) => Error::ApiNotLoopback(t),
    })
}

/// The two bearer tokens: `full` may do anything, `read_only` only `GET`.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub full: String,
    pub read_only: String,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tokens(..)")
    }
}

pub fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TOKEN_FILE)
}

pub fn read_only_token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(READ_ONLY_TOKEN_FILE)
}

fn token_file_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::ApiTokenFile {
        path: path.to_owned(),
        source,
    }
}

/// Reads the token file at `path`, or writes a new one there if it has none.
fn ensure_file(path: &Path) -> Result<String> {
    match read_secret_file(path) {
        Some(token) => Ok(token),
        None => write_secret_file(path).map_err(token_file_error(path)),
    }
}

impl Tokens {
    /// The tokens in force: `TIMETRACKER_API_TOKEN` (`env_token`) or the
    /// `api-token` file, and the `api-token-readonly` file; a file that is
    /// missing is made (mode 0600), as on the first enable.
    pub fn ensure(env_token: Option<String>, data_dir: &Path) -> Result<Tokens> {
        let full = match env_token
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
        {
            Some(token) => token,
            None => ensure_file(&token_path(data_dir))?,
        };
        let read_only = ensure_file(&read_only_token_path(data_dir))?;
        Ok(Tokens { full, read_only })
    }

    /// New tokens in both files: every client holding an old one is locked
    /// out. The environment's token, when set, still wins over the file.
    pub fn rotate(env_token: Option<String>, data_dir: &Path) -> Result<Tokens> {
        for path in [token_path(data_dir), read_only_token_path(data_dir)] {
            write_secret_file(&path).map_err(token_file_error(&path))?;
        }
        crate::log_event!("api.token_rotated");
        Self::ensure(env_token, data_dir)
    }
}

/// Told after every write the API commits, so the window reloads at once
/// instead of at its next `data_version` poll.
pub type OnChange = Arc<dyn Fn() + Send + Sync>;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub addr: SocketAddr,
    pub tokens: Tokens,
    pub limits: ConnectionLimits,
}

impl ApiConfig {
    pub fn new(addr: SocketAddr, tokens: Tokens) -> Self {
        Self {
            addr,
            tokens,
            limits: ConnectionLimits::default(),
        }
    }
}

/// What every request's handler reads.
pub(crate) struct Shared {
    tracker: Mutex<Tracker>,
    /// Where local days begin, for date-only ranges and reports.
    tz: TimeZone,
    hosts: Vec<String>,
    tokens: Tokens,
    metrics: Arc<Metrics>,
    on_change: Option<OnChange>,
}

impl Shared {
    /// Runs `f` on the API's connection. A panic in an earlier request
    /// cannot leave SQLite half-written (every write is one transaction),
    /// so a poisoned lock is safe to reuse.
    fn read<T>(&self, f: impl FnOnce(&Tracker) -> Result<T>) -> Result<T> {
        let guard = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
        f(&guard)
    }

    /// Like [`Self::read`] for a change, and tells the app once it is in.
    fn write<T>(&self, f: impl FnOnce(&mut Tracker) -> Result<T>) -> Result<T> {
        let result = {
            let mut guard = self.tracker.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        };
        if result.is_ok() {
            if let Some(notify) = &self.on_change {
                notify();
            }
        }
        result
    }
}

/// A running API; dropping it stops it.
pub struct ApiServer {
    serving: Serving,
}

impl ApiServer {
    /// Binds `config.addr` (loopback only) and serves `tracker`, a
    /// connection of the API's own ([`Tracker::open_sibling`]). A taken
    /// port is reported here, not later.
    pub fn start(
        config: ApiConfig,
        tracker: Tracker,
        tz: TimeZone,
        metrics: Arc<Metrics>,
        on_change: Option<OnChange>,
    ) -> Result<Self> {
        let addr_text = config.addr.to_string();
        if !config.addr.ip().is_loopback() {
            return Err(Error::ApiNotLoopback(addr_text));
        }
        let start_failed = |source| Error::ApiStartFailed {
            addr: addr_text.clone(),
            source,
        };
        let listener = bind(config.addr).map_err(|e| match e {
            BindError::InUse => Error::ApiPortInUse(config.addr.port()),
            BindError::Other(source) => start_failed(source),
        })?;
        let addr = listener.local_addr().map_err(start_failed)?;
        let shared = Arc::new(Shared {
            tracker: Mutex::new(tracker),
            tz,
            hosts: allowed_hosts(addr),
            tokens: config.tokens,
            metrics: metrics.clone(),
            on_change,
        });
        let app = routes::router(shared);
        let stopped = |port| crate::log_event!("api.stopped", port = port);
        let serving = Serving::spawn("timetracker-api", listener, app, config.limits, metrics)
            .map_err(start_failed)?
            .on_stop(stopped);
        crate::log_event!("api.started", port = addr.port());
        Ok(Self { serving })
    }

    pub fn addr(&self) -> SocketAddr {
        self.serving.addr
    }

    /// Stops serving and frees the port, waiting up to two seconds for
    /// requests in flight. Dropping the server does the same.
    pub fn stop(mut self) {
        self.serving.stop();
    }
}
