//! The `/metrics` server's connections: how many it keeps and how long it
//! waits for them. Any local process can connect, so an idle or half-sent
//! connection must not hold a file descriptor for long, and many of them
//! must not starve the app (SQLite and the log writer need descriptors too).
//!
//! hyper serves each connection (`axum::serve` does not expose its
//! header-read timeout); a semaphore caps how many are open at once.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;

use super::Metrics;

/// How long in-flight requests may finish once the server is told to stop;
/// `MetricsServer::stop` waits a little longer than this for the thread.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// After `accept` fails (no descriptor left, most likely), wait before the
/// next try instead of spinning on the error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a connection may take to send a whole request head. hyper
    /// starts this clock when it waits for a head: at connect, and again
    /// after each response, so it is also the keep-alive idle timeout.
    pub header_read_timeout: Duration,
    /// Connections open at once; one more is closed as soon as it is
    /// accepted, and counted in `timetracker_http_connections_refused_total`.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    /// Prometheus sends its whole request at once and scrapes every 15 s or
    /// more: 5 s is generous for the head, and a scraper that reconnects on
    /// each scrape costs nothing on loopback. 64 is far more than a few
    /// scrapers and a browser tab need, and far below the 1024 descriptors
    /// a desktop process usually gets.
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(5),
            max_connections: 64,
        }
    }
}

/// Accepts and serves until `stop` fires, then lets requests in flight
/// finish for up to [`SHUTDOWN_GRACE`].
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let stream = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "the metrics endpoint could not accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // Closed at once: its descriptor goes back before the next accept.
            drop(stream);
            metrics.http_connection_refused();
            continue;
        };
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Timeouts and resets end here; they are the client's doing.
            let _ = connection.await;
            drop(permit);
        });
    }
    // The port is free from here on, even while requests finish.
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}
