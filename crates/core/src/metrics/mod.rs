//! Prometheus metrics for power users, served on localhost only when they
//! turn the endpoint on (see [`server`]). Names start with `timetracker_`
//! and follow the Prometheus naming guide; `docs/metrics.md` lists them all.
//!
//! Counters and histograms live here and are updated as things happen;
//! gauges that describe the database and the process are read at scrape
//! time by the collectors in [`collect`].

pub mod collect;
mod connections;
pub mod control;
mod observe;
pub mod server;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};

pub use control::{MetricsControl, MetricsStatus};
pub use server::{MetricsServer, ServerConfig};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IpcLabels {
    command: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CommandLabel {
    command: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: &'static str,
    endpoint: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabels {
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabel {
    endpoint: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SendLabels {
    sink: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

/// The `reason` labels of `timetracker_crash_reports_dropped_total`, all
/// exported from the start (at 0) so a dashboard sees the series before the
/// first drop. The crash reporter's `DropReason` names index this list.
pub const CRASH_DROP_REASONS: [&str; 9] = [
    "scrub_failed",
    "words_unavailable",
    "too_large",
    "evicted",
    "rejected",
    "identity_reset",
    "consent_withdrawn",
    "unreadable",
    "cache_failed",
];

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// 0.5 ms to ~8 s: UI commands and HTTP requests.
fn request_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 15))
}

/// 20 µs to ~0.3 s: single SQLite statements and transactions.
fn query_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.00002, 2.0, 15))
}

/// Everything the app measures. Cheap to update from any thread.
pub struct Metrics {
    registry: Registry,
    ipc_requests: Family<IpcLabels, Counter>,
    ipc_duration: HistogramFamily<CommandLabel>,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: HistogramFamily<EndpointLabel>,
    api_requests: Family<ApiLabels, Counter>,
    api_duration: HistogramFamily<RouteLabel>,
    db_query_duration: HistogramFamily<OperationLabel>,
    timer_starts: Counter,
    tracked_seconds: Counter,
    telemetry_sends: Family<SendLabels, Counter>,
    http_connections_refused: Counter,
    crash_dropped: Family<ReasonLabel, Counter>,
    db_open: AtomicI64,
    db_busy: AtomicI64,
    per_project: AtomicBool,
    /// Serialises scrapes: each reads the database through one connection.
    render_lock: Mutex<()>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Marks the database connection busy while alive.
pub struct BusyGuard<'a>(&'a AtomicI64);

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// Metrics with no database behind them (the gauges read zero).
    pub fn new() -> Arc<Self> {
        Self::build(None)
    }

    /// Metrics whose scrape-time gauges read the database at `db_path`
    /// through their own read-only connection.
    pub fn with_database(db_path: &std::path::Path) -> Arc<Self> {
        Self::build(Some(db_path.to_owned()))
    }

    fn build(db_path: Option<std::path::PathBuf>) -> Arc<Self> {
        Arc::new_cyclic(|weak| {
            let mut registry = Registry::with_prefix("timetracker");
            let ipc_requests = Family::<IpcLabels, Counter>::default();
            registry.register(
                "ipc_requests",
                "UI commands handled, by command and status (ok or error)",
                ipc_requests.clone(),
            );
            let ipc_duration: HistogramFamily<CommandLabel> =
                Family::new_with_constructor(request_histogram);
            registry.register_with_unit(
                "ipc_request_duration",
                "Time to handle one UI command",
                Unit::Seconds,
                ipc_duration.clone(),
            );
            let http_requests = Family::<HttpLabels, Counter>::default();
            registry.register(
                "http_requests",
                "Requests to this metrics endpoint, by method, endpoint and status",
                http_requests.clone(),
            );
            let http_duration: HistogramFamily<EndpointLabel> =
                Family::new_with_constructor(request_histogram);
            registry.register_with_unit(
                "http_request_duration",
                "Time to answer one request to this metrics endpoint",
                Unit::Seconds,
                http_duration.clone(),
            );
            let api_requests = Family::<ApiLabels, Counter>::default();
            registry.register(
                "api_requests",
                "Requests to the local API, by route template and HTTP status",
                api_requests.clone(),
            );
            let api_duration: HistogramFamily<RouteLabel> =
                Family::new_with_constructor(request_histogram);
            registry.register_with_unit(
                "api_request_duration",
                "Time to answer one request to the local API, by route template",
                Unit::Seconds,
                api_duration.clone(),
            );
            let db_query_duration: HistogramFamily<OperationLabel> =
                Family::new_with_constructor(query_histogram);
            registry.register_with_unit(
                "db_query_duration",
                "Time of one database operation (a read or a committed write), by operation",
                Unit::Seconds,
                db_query_duration.clone(),
            );
            let timer_starts = Counter::default();
            registry.register(
                "timer_starts",
                "Timers started since the app launched",
                timer_starts.clone(),
            );
            let tracked_seconds = Counter::default();
            registry.register_with_unit(
                "tracked",
                "Seconds tracked by timers stopped since the app launched",
                Unit::Seconds,
                tracked_seconds.clone(),
            );
            let telemetry_sends = Family::<SendLabels, Counter>::default();
            registry.register(
                "telemetry_sends",
                "Telemetry payloads by sink (posthog, sentry) and outcome (sent, failed)",
                telemetry_sends.clone(),
            );
            let http_connections_refused = Counter::default();
            registry.register(
                "http_connections_refused",
                "Connections to this metrics endpoint closed at once because it had as many open as it allows",
                http_connections_refused.clone(),
            );
            let crash_dropped = Family::<ReasonLabel, Counter>::default();
            registry.register(
                "crash_reports_dropped",
                "Crash reports that will never be sent, by reason",
                crash_dropped.clone(),
            );
            for reason in CRASH_DROP_REASONS {
                drop(crash_dropped.get_or_create(&ReasonLabel { reason }));
            }
            registry.register_collector(Box::new(collect::Collectors::new(weak.clone(), db_path)));
            Metrics {
                registry,
                ipc_requests,
                ipc_duration,
                http_requests,
                http_duration,
                api_requests,
                api_duration,
                db_query_duration,
                timer_starts,
                tracked_seconds,
                telemetry_sends,
                http_connections_refused,
                crash_dropped,
                db_open: AtomicI64::new(0),
                db_busy: AtomicI64::new(0),
                per_project: AtomicBool::new(false),
                render_lock: Mutex::new(()),
            }
        })
    }

    /// Records one UI command. Command names are static: no allocation on
    /// the path of every command.
    pub fn observe_command(&self, command: &'static str, ok: bool, took: Duration) {
        let status = if ok { "ok" } else { "error" };
        self.ipc_requests
            .get_or_create(&IpcLabels { command, status })
            .inc();
        self.ipc_duration
            .get_or_create(&CommandLabel { command })
            .observe(took.as_secs_f64());
    }

    pub(crate) fn observe_http(
        &self,
        method: &'static str,
        endpoint: &'static str,
        status: u16,
        took: Duration,
    ) {
        self.http_requests
            .get_or_create(&HttpLabels {
                method,
                endpoint,
                status,
            })
            .inc();
        self.http_duration
            .get_or_create(&EndpointLabel { endpoint })
            .observe(took.as_secs_f64());
    }

    /// One local API request; `route` is its template (`/api/v1/entries/{id}`),
    /// never the raw path, so the series stay few.
    pub(crate) fn observe_api(&self, route: &'static str, status: u16, took: Duration) {
        self.api_requests
            .get_or_create(&ApiLabels { route, status })
            .inc();
        self.api_duration
            .get_or_create(&RouteLabel { route })
            .observe(took.as_secs_f64());
    }

    pub(crate) fn http_connection_refused(&self) {
        self.http_connections_refused.inc();
    }

    pub(crate) fn observe_db_query(&self, operation: &'static str, took: Duration) {
        self.db_query_duration
            .get_or_create(&OperationLabel { operation })
            .observe(took.as_secs_f64());
    }

    /// Counts `n` payloads delivered to (or failed at) `sink`.
    pub fn observe_telemetry_send(&self, sink: &'static str, outcome: &'static str, n: u64) {
        self.telemetry_sends
            .get_or_create(&SendLabels { sink, outcome })
            .inc_by(n);
    }

    /// Counts `n` crash reports dropped for `reason`.
    pub fn observe_crash_dropped(&self, reason: &'static str, n: u64) {
        self.crash_dropped
            .get_or_create(&ReasonLabel { reason })
            .inc_by(n);
    }

    pub(crate) fn db_busy(&self) -> BusyGuard<'_> {
        self.db_busy.fetch_add(1, Ordering::Relaxed);
        BusyGuard(&self.db_busy)
    }

    pub(crate) fn db_connection_opened(&self) {
        self.db_open.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn db_connection_closed(&self) {
        self.db_open.fetch_sub(1, Ordering::Relaxed);
    }

    pub(crate) fn timer_started(&self) {
        self.timer_starts.inc();
    }

    pub(crate) fn timer_stopped(&self, duration_seconds: i64) {
        self.tracked_seconds
            .inc_by(u64::try_from(duration_seconds).unwrap_or(0));
    }

    /// Per-project tracked time carries project names: exported only when
    /// the user turns it on in Settings.
    pub fn set_per_project(&self, on: bool) {
        self.per_project.store(on, Ordering::Relaxed);
    }

    pub fn per_project(&self) -> bool {
        self.per_project.load(Ordering::Relaxed)
    }

    /// The OpenMetrics text exposition (what Prometheus asks for).
    pub fn render_openmetrics(&self) -> String {
        let _one = self.render_lock.lock();
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        out
    }

    /// The classic Prometheus text format 0.0.4 (curl, promtool).
    pub fn render_prometheus_text(&self) -> String {
        let _one = self.render_lock.lock();
        let mut out = String::new();
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";
pub const PROMETHEUS_TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests;
