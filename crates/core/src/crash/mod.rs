//! Crash and error reports to Sentry, only with the user's yes and a DSN.
//!
//! Panics from any thread, error-level log events (warnings ride along as
//! breadcrumbs), UI errors forwarded through the shell, and sampled traces of
//! UI commands. Everything goes through [`scrub::Scrubber`] and is written to
//! the disk cache before it is sent. Saying no closes the client at once and
//! deletes the cache; saying yes starts it without a restart.

pub mod cache;
mod config;
pub mod dropped;
pub mod last_send;
pub mod scrub;
mod shrink;
mod tracing_bridge;
pub mod transport;
mod words;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

use sentry::protocol::{Event, Level, User};
use sentry::types::Dsn;
use sentry::{Client, ClientOptions, Hub};
use serde::Serialize;
use ts_rs::TS;

pub use config::{CrashConfig, TEST_HOOKS_ENV};
pub use tracing_bridge::SentryBridge;

/// The breadcrumb layer for [`crate::logging::init`]: inert until crash
/// reports are on.
pub fn log_layer() -> crate::logging::ExtraLayer {
    Box::new(SentryBridge::default())
}
pub use dropped::DropReason;
pub use transport::SendOutcome;

use crate::consent::ForcedOff;
use crate::storage::{OperationScope, StorageObserver};
use cache::EnvelopeCache;
use scrub::Scrubber;
use transport::CachingTransport;

/// Where cached envelopes wait, inside the data directory.
pub const CACHE_DIR: &str = "crash-reports";

/// How long a panic waits for its report to leave before the process ends
/// (it stays on disk for the next launch either way).
pub const PANIC_FLUSH: Duration = Duration::from_secs(2);

struct Live {
    client: Arc<Client>,
    transport: Arc<CachingTransport>,
}

pub struct CrashReporter {
    config: CrashConfig,
    dsn: Result<Option<Dsn>, String>,
    cache: Arc<EnvelopeCache>,
    scrubber: Arc<Scrubber>,
    live: RwLock<Option<Live>>,
    active: AtomicBool,
    user_id: Arc<Mutex<String>>,
}

/// What Settings shows, and what "Send test error" found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, rename = "CrashTestResult")]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TestResult {
    Accepted {
        event_id: String,
    },
    NoDsn,
    InvalidDsn {
        message: String,
    },
    ForcedOff {
        reason: ForcedOff,
    },
    NoConsent,
    HttpStatus {
        code: u16,
    },
    NetworkError {
        message: String,
    },
    /// No answer within the wait; the report may still arrive.
    TimedOut,
}

static GLOBAL: OnceLock<Arc<CrashReporter>> = OnceLock::new();

impl CrashReporter {
    /// A reporter for the app whose data lives in `data_dir`; off until
    /// [`Self::apply`] says the user agreed.
    pub fn new(config: CrashConfig, data_dir: &Path) -> Arc<Self> {
        let scrubber = Scrubber::for_this_machine(
            config.user.clone(),
            Some(crate::config::database_path(data_dir)),
        );
        Self::with_parts(config, data_dir, scrubber)
    }

    pub fn with_parts(config: CrashConfig, data_dir: &Path, scrubber: Scrubber) -> Arc<Self> {
        let dsn = match config.dsn.as_deref() {
            None => Ok(None),
            Some(raw) => raw.parse::<Dsn>().map(Some).map_err(|e| e.to_string()),
        };
        Arc::new(Self {
            config,
            dsn,
            cache: Arc::new(EnvelopeCache::new(data_dir.join(CACHE_DIR))),
            scrubber: Arc::new(scrubber),
            live: RwLock::new(None),
            active: AtomicBool::new(false),
            user_id: Arc::default(),
        })
    }

    /// Makes this the process's reporter (panic hook, log bridge, command
    /// scopes). The first call wins.
    pub fn install(self: &Arc<Self>) -> Arc<Self> {
        let installed = GLOBAL.get_or_init(|| self.clone()).clone();
        install_panic_hook();
        for problem in &self.config.problems {
            crate::log_event!(warn, "crash.config_invalid", problem = *problem);
        }
        installed
    }

    pub fn config(&self) -> &CrashConfig {
        &self.config
    }

    pub fn cache(&self) -> &EnvelopeCache {
        &self.cache
    }

    /// The envelopes waiting on disk and those delivered lately, as text,
    /// for the inspector in Settings.
    pub fn inspect(&self) -> (Vec<String>, Vec<String>) {
        let read = |paths: Vec<std::path::PathBuf>| {
            paths
                .iter()
                .filter_map(|p| std::fs::read(p).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .collect()
        };
        (read(self.cache.list()), read(self.cache.list_sent()))
    }

    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// Starts or stops reporting to match the user's answer. `user_id` is
    /// the anonymous id, the only user field a report carries.
    pub fn apply(&self, consent: bool, user_id: &str) {
        if let Ok(mut id) = self.user_id.lock() {
            user_id.clone_into(&mut id);
        }
        let dsn = self.dsn.as_ref().ok().and_then(Option::as_ref);
        match (consent && self.config.forced_off.is_none(), dsn) {
            (true, Some(dsn)) => self.start(dsn),
            _ => self.stop(),
        }
    }

    fn start(&self, dsn: &Dsn) {
        let Ok(mut live) = self.live.write() else {
            return;
        };
        if live.is_some() {
            return;
        }
        let transport = CachingTransport::start(
            dsn,
            self.cache.clone(),
            self.scrubber.clone(),
            self.config.debug,
        );
        let client = Arc::new(Client::from(self.options(dsn, transport.clone())));
        Hub::main().bind_client(Some(client.clone()));
        *live = Some(Live { client, transport });
        self.active.store(true, Ordering::Release);
        drop(live);
        crate::log_event!(
            "crash.enabled",
            traces_rate = f64::from(self.config.traces_rate)
        );
    }

    fn stop(&self) {
        let old = self.live.write().ok().and_then(|mut l| l.take());
        self.active.store(false, Ordering::Release);
        if let Some(old) = old {
            Hub::main().bind_client(None);
            // Closing drops what is queued in memory; the cache goes below.
            old.client.close(Some(Duration::from_millis(500)));
            crate::log_event!("crash.disabled");
        }
        // Without consent nothing may wait to be sent later.
        if let Err(e) = self.cache.discard(DropReason::ConsentWithdrawn) {
            crate::log_event!(warn, "crash.cache_failed", reason = e.to_string());
        }
    }

    /// Deletes every report waiting on disk, counted as dropped for
    /// `reason` (a reset of the anonymous id).
    pub fn discard_cached(&self, reason: DropReason) {
        if let Err(e) = self.cache.discard(reason) {
            crate::log_event!(warn, "crash.cache_failed", reason = e.to_string());
        }
    }

    /// Counts dropped reports in `metrics` from now on.
    pub fn attach_metrics(&self, metrics: Arc<crate::metrics::Metrics>) {
        self.cache.drops().attach_metrics(metrics);
    }

    /// Reports dropped since launch, for whatever reason.
    pub fn dropped(&self) -> u64 {
        self.cache.drops().total()
    }

    fn options(&self, dsn: &Dsn, transport: Arc<CachingTransport>) -> ClientOptions {
        let scrubber = self.scrubber.clone();
        let user_id = self.user_id.clone();
        let crumbs = self.scrubber.clone();
        let cache = self.cache.clone();
        let mut options = ClientOptions::new()
            .release(self.config.release.clone())
            .environment(self.config.environment.clone())
            // Empty rather than unset: the contexts integration fills an
            // unset name with the host name. The scrubber then drops it.
            .server_name("")
            .send_default_pii(false)
            .traces_sample_rate(self.config.traces_rate)
            .default_integrations(false)
            .add_integration(sentry::integrations::contexts::ContextIntegration::new())
            .add_integration(sentry::integrations::backtrace::ProcessStacktraceIntegration)
            .before_send(move |event: Event<'static>| {
                let id = user_id.lock().map(|id| id.clone()).unwrap_or_default();
                let user = Some(User {
                    id: Some(id),
                    ..Default::default()
                });
                match scrubber.event(&event) {
                    Ok(mut event) => {
                        event.user = user;
                        Some(event)
                    }
                    // Fail closed: unscrubbed, it waits on disk, unsent,
                    // until a later try can load the words.
                    // A test error is never kept for later: it just fails.
                    Err(scrub::ScrubError::Words(why)) => {
                        if !event.tags.contains_key(transport::NO_CACHE_TAG) {
                            hold(&cache, &scrubber, event, user, &why);
                        }
                        None
                    }
                    Err(scrub::ScrubError::Rebuild) => {
                        cache.drops().record(DropReason::ScrubFailed, 1);
                        None
                    }
                }
            })
            .before_breadcrumb(move |crumb| crumbs.breadcrumb(&crumb))
            .transport(transport)
            .shutdown_timeout(Duration::from_secs(2));
        options.dsn = Some(dsn.clone());
        options
    }

    fn client(&self) -> Option<Arc<Client>> {
        self.live.read().ok()?.as_ref().map(|l| l.client.clone())
    }

    fn transport(&self) -> Option<Arc<CachingTransport>> {
        self.live.read().ok()?.as_ref().map(|l| l.transport.clone())
    }

    /// Points this thread's hub at the live client. Hubs of threads that
    /// started before consent was given still hold no client (or a closed
    /// one): Sentry copies the main hub once per thread.
    pub fn bind_current(&self) {
        let Some(client) = self.client() else {
            return;
        };
        let hub = Hub::current();
        if !hub.client().is_some_and(|c| Arc::ptr_eq(&c, &client)) {
            hub.bind_client(Some(client));
        }
    }

    /// Waits up to `timeout` for queued reports to be sent.
    pub fn flush(&self, timeout: Duration) -> bool {
        self.client().is_none_or(|c| c.flush(Some(timeout)))
    }

    /// Sends a test event now and says what the server answered. Used by
    /// Settings to troubleshoot; the event is never cached for later.
    pub fn send_test_error(&self) -> TestResult {
        if let Some(reason) = self.config.forced_off {
            return TestResult::ForcedOff { reason };
        }
        match &self.dsn {
            Err(message) => {
                return TestResult::InvalidDsn {
                    message: message.clone(),
                }
            }
            Ok(None) => return TestResult::NoDsn,
            Ok(Some(_)) => {}
        }
        let (Some(client), Some(transport)) = (self.client(), self.transport()) else {
            return TestResult::NoConsent;
        };
        let mut event = Event {
            message: Some("TimeTracker test error (Settings, Send test error)".into()),
            level: Level::Error,
            ..Default::default()
        };
        event
            .tags
            .insert(transport::NO_CACHE_TAG.into(), "true".into());
        let id = client.capture_event(event, None);
        crate::log_event!("crash.test_sent", event_id = id.to_string());
        match transport.wait_outcome(id, Duration::from_secs(15)) {
            Some(SendOutcome::Accepted) => TestResult::Accepted {
                event_id: id.simple().to_string(),
            },
            Some(SendOutcome::HttpStatus { code }) => TestResult::HttpStatus { code },
            Some(SendOutcome::NetworkError { message }) => TestResult::NetworkError { message },
            None => TestResult::TimedOut,
        }
    }
}

/// Keeps `event` on disk until the user's words can be loaded.
fn hold(
    cache: &EnvelopeCache,
    scrubber: &Scrubber,
    event: Event<'static>,
    user: Option<User>,
    why: &scrub::WordsUnavailable,
) {
    let Some(mut event) = scrubber.event_without_words(&event) else {
        cache.drops().record(DropReason::ScrubFailed, 1);
        return;
    };
    event.user = user;
    let stored = serde_json::to_vec(&event)
        .map_err(std::io::Error::other)
        .and_then(|json| cache.hold(&json));
    match stored {
        Ok(_) => crate::log_event!(warn, "crash.report_held", reason = why.to_string()),
        Err(e) => {
            crate::log_event!(warn, "crash.cache_failed", reason = e.to_string());
            cache.drops().record(DropReason::CacheFailed, 1);
        }
    }
}

/// The installed reporter, when it is on.
fn active() -> Option<&'static Arc<CrashReporter>> {
    GLOBAL.get().filter(|r| r.is_active())
}

/// Runs `f` as the UI command `command`: errors and panics inside carry the
/// command and its `request_id` as tags (the same id as its log lines), and
/// a sampled transaction named after the command times it.
pub fn scoped<T, E>(
    command: &'static str,
    request_id: &str,
    f: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let Some(reporter) = active() else {
        return f();
    };
    reporter.bind_current();
    let hub = Hub::current();
    hub.with_scope(
        |scope| {
            scope.set_tag("command", command);
            scope.set_tag("request_id", request_id);
        },
        || {
            let tx = (reporter.config.traces_rate > 0.0).then(|| {
                let ctx = sentry::TransactionContext::new(command, "ui.command");
                let tx = sentry::start_transaction(ctx);
                tx.set_tag("request_id", request_id);
                Hub::current().configure_scope(|s| s.set_span(Some(tx.clone().into())));
                tx
            });
            let result = f();
            if let Some(tx) = tx {
                tx.set_status(if result.is_ok() {
                    sentry::protocol::SpanStatus::Ok
                } else {
                    sentry::protocol::SpanStatus::InternalError
                });
                tx.finish();
            }
            result
        },
    )
}

/// Traces each database operation as a span of the current command's
/// transaction, when crash reporting and tracing are on.
pub struct DbSpans;

impl StorageObserver for DbSpans {
    fn begin(&self, op: &'static str) -> Option<Box<dyn OperationScope + '_>> {
        db_span(op).map(|span| Box::new(span) as Box<dyn OperationScope>)
    }
}

/// A span for one database transaction inside the current command's trace;
/// nothing (and no cost beyond two loads) when tracing is off.
fn db_span(op: &'static str) -> Option<DbSpan> {
    let reporter = active()?;
    if reporter.config.traces_rate <= 0.0 {
        return None;
    }
    let parent = Hub::current().configure_scope(|s| s.get_span())?;
    Some(DbSpan(Some(parent.start_child("db.sql.transaction", op))))
}

pub struct DbSpan(Option<sentry::Span>);

impl Drop for DbSpan {
    fn drop(&mut self) {
        if let Some(span) = self.0.take() {
            span.finish();
        }
    }
}

fn install_panic_hook() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.set(()).is_err() {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic that reaches a GTK callback turns into a second one, "panic
        // in a function that cannot unwind", just before the abort: the
        // first report already says what went wrong.
        let follow_up = sentry::integrations::panic::message_from_panic_info(info)
            == "panic in a function that cannot unwind";
        if let Some(reporter) = active().filter(|_| !follow_up) {
            reporter.bind_current();
            let event =
                sentry::integrations::panic::PanicIntegration::new().event_from_panic_info(info);
            Hub::current().capture_event(event);
            reporter.flush(PANIC_FLUSH);
        }
        previous(info);
    }));
}

impl CrashReporter {
    /// Panics the way a real bug would, quoting what a careless message
    /// might: the running entry (project name, description) and the database
    /// path. The end-to-end tests use it to prove none of that is sent.
    #[allow(clippy::panic, reason = "a crash on request, for tests only")]
    pub fn test_panic(&self, tracker: &crate::Tracker) -> crate::Result<()> {
        if !self.config.test_hooks {
            return Err(crate::Error::TestHooksDisabled);
        }
        let running = tracker.timer_status()?;
        let host = gethostname::gethostname();
        panic!(
            "test panic (TIMETRACKER_TEST_HOOKS) with {running:?} in {:?} on {host:?}",
            tracker.database_path()
        );
    }
}

#[cfg(test)]
mod tests;
