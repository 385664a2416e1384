//! The `/metrics` endpoint: axum on a loopback address, on a thread of its
//! own so starting and stopping it never touches the UI's threads.
//!
//! It is hardened for a desktop: only loopback addresses; requests whose
//! `Host` is not this loopback address are refused (DNS rebinding), as are
//! requests with an `Origin` header (a web page's fetch); an optional bearer
//! token, required while per-project series (project names) are on; only
//! `GET /metrics` and `GET /healthz` answer; and a cap on connections and on
//! how long they may idle ([`super::connections`]).

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

pub use super::connections::ConnectionLimits;
use super::{Metrics, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE};
use crate::error::{Error, Result};

pub const ADDR_ENV: &str = "TIMETRACKER_METRICS_ADDR";
pub const TOKEN_ENV: &str = "TIMETRACKER_METRICS_TOKEN";
pub const TOKEN_FILE: &str = "metrics-token";

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    /// Bearer token every request must carry, when set.
    pub token: Option<String>,
    pub limits: ConnectionLimits,
}

impl ServerConfig {
    /// `addr` with the default connection limits.
    pub fn new(addr: SocketAddr, token: Option<String>) -> Self {
        Self {
            addr,
            token,
            limits: ConnectionLimits::default(),
        }
    }
}

/// Parses `127.0.0.1:9464`, `[::1]:9464` or `localhost:9464`; anything that
/// is not a loopback address is refused.
pub fn parse_addr(text: &str) -> Result<SocketAddr> {
    parse_loopback(text).map_err(|e| match e {
        AddrError::Invalid(t) => Error::MetricsInvalidAddress(t),
        AddrError::NotLoopback(t) => Error::MetricsNotLoopback(t),
    })
}

pub(crate) enum AddrError {
    Invalid(String),
    NotLoopback(String),
}

/// `parse_addr` for any of the loopback servers, which name their own errors.
pub(crate) fn parse_loopback(text: &str) -> std::result::Result<SocketAddr, AddrError> {
    let text = text.trim();
    let addr = match text.strip_prefix("localhost:") {
        Some(port) => port
            .parse::<u16>()
            .map(|p| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p))
            .map_err(|_| AddrError::Invalid(text.to_owned()))?,
        None => text
            .parse::<SocketAddr>()
            .map_err(|_| AddrError::Invalid(text.to_owned()))?,
    };
    if !addr.ip().is_loopback() {
        return Err(AddrError::NotLoopback(text.to_owned()));
    }
    Ok(addr)
}

pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

pub fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TOKEN_FILE)
}

/// The token file's token, if there is one.
pub fn load_token(data_dir: &Path) -> Option<String> {
    token_from(None, data_dir)
}

/// The token in force: `TIMETRACKER_METRICS_TOKEN` (`env_token`), else the
/// token file (`tt doctor` reads the
/// environment through its own lookup).
pub fn token_from(env_token: Option<String>, data_dir: &Path) -> Option<String> {
    if let Some(token) = env_token.filter(|t| !t.trim().is_empty()) {
        return Some(token.trim().to_owned());
    }
    read_secret_file(&token_path(data_dir))
}

/// Writes a new random token to a file only the user can read, for
/// Prometheus' `authorization: credentials_file:`.
pub fn generate_token(data_dir: &Path) -> Result<String> {
    let path = token_path(data_dir);
    write_secret_file(&path).map_err(|source| Error::MetricsTokenFile {
        path: path.clone(),
        source,
    })
}

/// A new random token (256 bits), written to `path` with mode 0600 (an
/// existing file is tightened to it too) and synced. The API's tokens are
/// made the same way.
pub(crate) fn write_secret_file(path: &Path) -> std::io::Result<String> {
    use std::io::Write;
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // An existing file keeps its mode on open: tighten it too.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut file = options.open(path)?;
    file.write_all(token.as_bytes())?;
    file.sync_all()?;
    Ok(token)
}

/// The trimmed contents of a token file, if it has any.
pub(crate) fn read_secret_file(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

pub fn remove_token(data_dir: &Path) -> Result<()> {
    let path = token_path(data_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::MetricsTokenFile { path, source }),
    }
}

struct Shared {
    metrics: Arc<Metrics>,
    /// The `Host` values a request may carry, all naming the bound port.
    hosts: Vec<String>,
    token: Option<String>,
}

/// A running endpoint; dropping it stops it.
pub struct MetricsServer {
    serving: Serving,
}

impl MetricsServer {
    /// Binds `config.addr` (refusing anything but loopback) and serves on a
    /// background thread. Binding happens before this returns, so a taken
    /// port is reported here, not later.
    pub fn start(config: ServerConfig, metrics: Arc<Metrics>) -> Result<Self> {
        if !config.addr.ip().is_loopback() {
            return Err(Error::MetricsNotLoopback(config.addr.to_string()));
        }
        let listener = bind(config.addr).map_err(|e| match e {
            BindError::InUse => Error::MetricsPortInUse(config.addr.port()),
            BindError::Other(source) => Error::MetricsStartFailed {
                addr: config.addr.to_string(),
                source,
            },
        })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::MetricsStartFailed {
                addr: config.addr.to_string(),
                source,
            })?;
        let shared = Arc::new(Shared {
            metrics: metrics.clone(),
            hosts: allowed_hosts(addr),
            token: config.token.filter(|t| !t.is_empty()),
        });
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let stopped = |port| crate::log_event!("metrics.stopped", port = port);
        let serving = Serving::spawn("timetracker-metrics", listener, app, config.limits, metrics)
            .map_err(|source| Error::MetricsStartFailed {
                addr: config.addr.to_string(),
                source,
            })?
            .on_stop(stopped);
        crate::log_event!("metrics.started", port = addr.port());
        Ok(Self { serving })
    }

    pub fn addr(&self) -> SocketAddr {
        self.serving.addr
    }

    /// Stops serving and frees the port. Waits up to two seconds for
    /// requests in flight; a scraper that keeps its connection open longer
    /// is cut off when the thread ends. Dropping the server does the same.
    pub fn stop(mut self) {
        self.serving.stop();
    }
}

pub(crate) enum BindError {
    InUse,
    Other(std::io::Error),
}

/// Binds a non-blocking listener, telling a taken port from other errors.
pub(crate) fn bind(addr: SocketAddr) -> std::result::Result<TcpListener, BindError> {
    let listener = TcpListener::bind(addr).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            BindError::InUse
        } else {
            BindError::Other(source)
        }
    })?;
    listener.set_nonblocking(true).map_err(BindError::Other)?;
    Ok(listener)
}

/// An axum app served on a thread of its own, with the connection limits
/// of [`super::connections`]; `/metrics` and the local API both run on it.
pub(crate) struct Serving {
    pub(crate) addr: SocketAddr,
    /// Logs the stop (each server names its own event), with the port.
    stopped: fn(u16),
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    done: std::sync::mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

impl Serving {
    pub(crate) fn spawn(
        name: &str,
        listener: TcpListener,
        app: axum::Router,
        limits: ConnectionLimits,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let (done_tx, done) = std::sync::mpsc::channel();
        let thread_name = name.to_owned();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            super::connections::serve(listener, app, limits, metrics, stop).await;
                        }
                        Err(e) => tracing::error!(error = %e, server = %thread_name, "the endpoint stopped"),
                    }
                });
                let _ = done_tx.send(());
            })?;
        Ok(Self {
            addr,
            stopped: |_| {},
            shutdown: Some(shutdown),
            done,
            thread: Some(thread),
        })
    }

    pub(crate) fn on_stop(mut self, stopped: fn(u16)) -> Self {
        self.stopped = stopped;
        self
    }

    /// Tells the thread to stop and waits up to two seconds for it; once.
    pub(crate) fn stop(&mut self) {
        let Some(shutdown) = self.shutdown.take() else {
            return;
        };
        let _ = shutdown.send(());
        if self.done.recv_timeout(Duration::from_secs(2)).is_ok() {
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
        (self.stopped)(self.addr.port());
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The usual loopback names with the bound port, and the bound address
/// itself: `TIMETRACKER_METRICS_ADDR=127.0.0.2:9464` is reached as
/// `127.0.0.2:9464`, which no other site's DNS name can be.
pub(crate) fn allowed_hosts(bound: SocketAddr) -> Vec<String> {
    let port = bound.port();
    let mut hosts = vec![
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ];
    // `SocketAddr` prints v6 in brackets, as a Host header carries it.
    let literal = bound.to_string();
    if !hosts.contains(&literal) {
        hosts.push(literal);
    }
    hosts
}

pub(crate) fn host_allowed(headers: &HeaderMap, hosts: &[String]) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    hosts.contains(&host)
}

/// Compares in time that does not depend on where the strings differ.
pub(crate) fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn token_ok(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|given| same_secret(given.trim().as_bytes(), token.as_bytes()))
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

pub(crate) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let start = Instant::now();
    let endpoint = match request.uri().path() {
        "/metrics" => "/metrics",
        "/healthz" => "/healthz",
        _ => "other",
    };
    let response = respond(&shared, &request, endpoint);
    shared.metrics.observe_http(
        method_label(request.method()),
        endpoint,
        response.status().as_u16(),
        start.elapsed(),
    );
    response
}

fn respond(shared: &Shared, request: &Request, endpoint: &'static str) -> Response {
    let headers = request.headers();
    if !host_allowed(headers, &shared.hosts) {
        return text(
            StatusCode::FORBIDDEN,
            "Forbidden: the Host header must be this endpoint's address, 127.0.0.1, localhost or [::1], with its port.\n",
        );
    }
    if headers.contains_key(header::ORIGIN) {
        return text(
            StatusCode::FORBIDDEN,
            "Forbidden: requests from web pages (with an Origin header) are refused.\n",
        );
    }
    if request.method() != Method::GET || endpoint == "other" {
        return text(StatusCode::NOT_FOUND, "Not found: try GET /metrics.\n");
    }
    let authorized = match &shared.token {
        Some(token) => token_ok(headers, token),
        // Project names are the user's data: without a token to check, no
        // request may see them (the control makes one when they go on).
        None => !shared.metrics.per_project(),
    };
    if !authorized {
        let mut response = text(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: send the token from Settings as 'Authorization: Bearer <token>'.\n",
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    if endpoint == "/healthz" {
        return text(StatusCode::OK, "ok\n");
    }
    let wants_openmetrics = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"));
    let (body, content_type) = if wants_openmetrics {
        (
            shared.metrics.render_openmetrics(),
            OPENMETRICS_CONTENT_TYPE,
        )
    } else {
        (
            shared.metrics.render_prometheus_text(),
            PROMETHEUS_TEXT_CONTENT_TYPE,
        )
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap_or_else(|_| text(StatusCode::INTERNAL_SERVER_ERROR, "encoding failed\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_literal_is_an_allowed_host_in_v4_and_v6() {
        let v4 = allowed_hosts("127.0.0.2:9464".parse().unwrap());
        assert!(v4.contains(&"127.0.0.2:9464".to_owned()), "{v4:?}");
        let v6 = allowed_hosts("[::1]:9464".parse().unwrap());
        assert!(v6.contains(&"[::1]:9464".to_owned()), "{v6:?}");
        assert_eq!(v6.len(), 3, "no duplicate: {v6:?}");
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.2:9465"));
        assert!(!host_allowed(&headers, &v4), "the port must match");
    }
}
