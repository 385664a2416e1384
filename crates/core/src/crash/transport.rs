//! Our Sentry transport: every envelope is written to the disk cache first
//! and deleted once the server accepted it, so neither a network outage nor
//! the abort that follows a panic loses a report. One thread sends, in order.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sentry::protocol::{EnvelopeItem, Uuid};
use sentry::types::Dsn;
use sentry::{Envelope, Transport};
use serde::Serialize;
use ts_rs::TS;

use super::cache::EnvelopeCache;
use super::dropped::DropReason;
use super::last_send::LastSend;
use super::scrub::{ScrubError, Scrubber};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// After a network failure the cache is tried again, from this wait
/// doubling up to [`MAX_BACKOFF`], so a report outlives an outage without
/// waiting for the next launch.
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Envelopes waiting for the sender thread; beyond this they wait on disk
/// for the next launch instead.
const QUEUE: usize = 64;
/// Outcomes remembered for "Send test error" to read back.
const OUTCOMES: usize = 32;

/// What became of one envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "CrashSendOutcome")]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SendOutcome {
    Accepted,
    /// The server answered with an error status.
    HttpStatus {
        code: u16,
    },
    /// No answer: offline, refused, DNS, TLS or a timeout.
    NetworkError {
        message: String,
    },
}

enum Job {
    Send {
        id: Option<Uuid>,
        bytes: Arc<Vec<u8>>,
        cached: Option<PathBuf>,
    },
    /// The envelopes left from earlier runs.
    DrainCache,
    Flush(SyncSender<()>),
    Stop,
}

pub struct CachingTransport {
    jobs: SyncSender<Job>,
    cache: Arc<EnvelopeCache>,
    scrubber: Arc<Scrubber>,
    outcomes: Arc<(Mutex<Outcomes>, Condvar)>,
    thread: Mutex<Option<JoinHandle<()>>>,
    debug: bool,
}

#[derive(Default)]
struct Outcomes {
    by_id: HashMap<Uuid, SendOutcome>,
    order: Vec<Uuid>,
}

impl Outcomes {
    fn record(&mut self, id: Uuid, outcome: SendOutcome) {
        if self.order.len() >= OUTCOMES {
            let old = self.order.remove(0);
            self.by_id.remove(&old);
        }
        self.order.push(id);
        self.by_id.insert(id, outcome);
    }
}

/// Events tagged with this are sent once, never cached: "Send test error"
/// reports the result now, and must not resurface at the next launch.
pub const NO_CACHE_TAG: &str = "test_error";

impl CachingTransport {
    /// `debug` (`TIMETRACKER_TELEMETRY_DEBUG=1`): nothing is posted; each
    /// envelope is kept in the cache's `debug/` folder and logged instead.
    pub fn start(
        dsn: &Dsn,
        cache: Arc<EnvelopeCache>,
        scrubber: Arc<Scrubber>,
        debug: bool,
    ) -> Arc<Self> {
        let (jobs, rx) = sync_channel(QUEUE);
        let outcomes: Arc<(Mutex<Outcomes>, Condvar)> = Arc::default();
        let worker = Worker {
            url: dsn.envelope_api_url().to_string(),
            auth: dsn
                .to_auth(Some(concat!("timetracker/", env!("CARGO_PKG_VERSION"))))
                .to_string(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(REQUEST_TIMEOUT))
                .build()
                .into(),
            cache: cache.clone(),
            scrubber: scrubber.clone(),
            outcomes: outcomes.clone(),
            debug,
            rate_limited_until: None,
            retry_at: None,
            failures: 0,
        };
        let thread = std::thread::Builder::new()
            .name("crash-reports".into())
            .spawn(move || worker.run(rx))
            .ok();
        let transport = Arc::new(Self {
            jobs,
            cache,
            scrubber,
            outcomes,
            thread: Mutex::new(thread),
            debug,
        });
        let _ = transport.jobs.try_send(Job::DrainCache);
        transport
    }

    /// Waits up to `timeout` for the outcome of the envelope `id`.
    pub fn wait_outcome(&self, id: Uuid, timeout: Duration) -> Option<SendOutcome> {
        let (lock, ready) = &*self.outcomes;
        let deadline = Instant::now() + timeout;
        let mut outcomes = lock.lock().ok()?;
        loop {
            if let Some(o) = outcomes.by_id.get(&id) {
                return Some(o.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            outcomes = ready.wait_timeout(outcomes, left).ok()?.0;
        }
    }

    /// Debug mode: the envelope stays on this computer, where the user can
    /// read it, and "Send test error" hears that it was kept.
    fn keep_debug(&self, id: Option<Uuid>, bytes: &[u8]) {
        let path = match self.cache.keep_debug(bytes) {
            Ok(path) => path.display().to_string(),
            Err(e) => {
                crate::log_event!(warn, "crash.cache_failed", reason = e.to_string());
                String::new()
            }
        };
        crate::log_event!(
            "crash.debug_report",
            event_id = id.map(|i| i.simple().to_string()).unwrap_or_default(),
            path = crate::logging::scrub_home(&path)
        );
        if let Some(id) = id {
            let (lock, ready) = &*self.outcomes;
            if let Ok(mut o) = lock.lock() {
                o.record(
                    id,
                    SendOutcome::NetworkError {
                        message: format!("TIMETRACKER_TELEMETRY_DEBUG=1: kept in {path}, not sent"),
                    },
                );
            }
            ready.notify_all();
        }
    }

    /// Transactions skip `before_send`, so they are scrubbed here.
    fn scrub(&self, envelope: Envelope) -> Envelope {
        let headers = envelope.headers().clone();
        let mut out = Envelope::new().with_headers(headers);
        for item in envelope.into_items() {
            match item {
                EnvelopeItem::Transaction(tx) => match self.scrubber.transaction(&tx) {
                    Ok(tx) => out.add_item(tx),
                    // Traces are not worth holding for later: counted, gone.
                    Err(ScrubError::Words(_)) => {
                        self.cache.drops().record(DropReason::WordsUnavailable, 1);
                    }
                    Err(ScrubError::Rebuild) => {
                        self.cache.drops().record(DropReason::ScrubFailed, 1);
                    }
                },
                other => out.add_item(other),
            }
        }
        out
    }
}

impl Transport for CachingTransport {
    fn send_envelope(&self, envelope: Envelope) {
        let envelope = self.scrub(envelope);
        if envelope.items().next().is_none() {
            return;
        }
        let id = envelope.uuid().copied();
        let no_cache = envelope
            .event()
            .is_some_and(|e| e.tags.contains_key(NO_CACHE_TAG));
        let mut bytes = Vec::new();
        if envelope.to_writer(&mut bytes).is_err() {
            self.cache.drops().record(DropReason::ScrubFailed, 1);
            return;
        }
        if self.debug {
            self.keep_debug(id, &bytes);
            return;
        }
        // Disk first: if the process dies before the thread sends, the
        // next launch still has the report.
        let cached = if no_cache {
            None
        } else {
            match self.cache.store(&bytes) {
                Ok(path) => Some(path),
                Err(e) => {
                    crate::log_event!(warn, "crash.cache_failed", reason = e.to_string());
                    None
                }
            }
        };
        let job = Job::Send {
            id,
            bytes: Arc::new(bytes),
            cached,
        };
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = self.jobs.try_send(job)
        {
            // It waits on disk for the next launch (if it could be cached).
            crate::log_event!(warn, "crash.queue_full");
        }
    }

    fn flush(&self, timeout: Duration) -> bool {
        if self.debug {
            return true;
        }
        let (tx, rx) = sync_channel(1);
        if self.jobs.send(Job::Flush(tx)).is_err() {
            return false;
        }
        rx.recv_timeout(timeout).is_ok()
    }

    fn shutdown(&self, timeout: Duration) -> bool {
        let flushed = self.flush(timeout);
        let _ = self.jobs.try_send(Job::Stop);
        if flushed {
            if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
                let _ = thread.join();
            }
        }
        flushed
    }
}

struct Worker {
    url: String,
    auth: String,
    agent: ureq::Agent,
    cache: Arc<EnvelopeCache>,
    scrubber: Arc<Scrubber>,
    outcomes: Arc<(Mutex<Outcomes>, Condvar)>,
    debug: bool,
    /// A 429's `Retry-After`: nothing is posted before then.
    rate_limited_until: Option<Instant>,
    /// When the cache is tried again after a failure.
    retry_at: Option<Instant>,
    failures: u32,
}

/// What one post came to, with the wait a 429 asked for.
struct Answer {
    outcome: SendOutcome,
    retry_after: Option<Duration>,
}

impl Worker {
    fn rate_limited(&self) -> bool {
        self.rate_limited_until.is_some_and(|t| Instant::now() < t)
    }

    fn run(mut self, rx: Receiver<Job>) {
        loop {
            let job = match self.retry_at {
                Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                    Ok(job) => job,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Job::DrainCache,
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                },
                None => match rx.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                },
            };
            match job {
                Job::Send { id, bytes, cached } => {
                    // The drain may have sent it already (it lists the
                    // cache, which holds this one too): never twice.
                    if cached.as_ref().is_some_and(|p| !p.exists()) {
                        continue;
                    }
                    if self.debug || self.rate_limited() {
                        // It waits on disk; the retry timer sends it. A
                        // test error is never cached: say why it did not go.
                        if let (None, Some(id)) = (&cached, id) {
                            let (lock, ready) = &*self.outcomes;
                            if let Ok(mut o) = lock.lock() {
                                o.record(id, SendOutcome::HttpStatus { code: 429 });
                            }
                            ready.notify_all();
                        }
                        continue;
                    }
                    self.release_held();
                    let (outcome, _) = self.deliver(cached, &bytes);
                    if let Some(id) = id {
                        let (lock, ready) = &*self.outcomes;
                        if let Ok(mut o) = lock.lock() {
                            o.record(id, outcome);
                        }
                        ready.notify_all();
                    }
                }
                Job::DrainCache => self.drain(),
                Job::Flush(done) => {
                    self.drain();
                    let _ = done.send(());
                }
                Job::Stop => break,
            }
        }
    }

    /// Sends what waits on disk (left by earlier runs, or by failures in
    /// this one), oldest first; stops at the first failure (the rest waits
    /// for the retry timer). Held reports go first, if their words load.
    fn drain(&mut self) {
        if self.debug || self.rate_limited() {
            return;
        }
        self.retry_at = None;
        self.release_held();
        for path in self.cache.list() {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let (outcome, again) = self.deliver(Some(path), &bytes);
            if outcome != SendOutcome::Accepted && again {
                break;
            }
        }
    }

    /// Scrubs held reports now that the user's words may load, and moves
    /// them into the cache as envelopes; stops while the words still fail.
    fn release_held(&self) {
        for path in self.cache.list_held() {
            let event = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<sentry::protocol::Event<'static>>(&b).ok());
            let Some(event) = event else {
                self.cache.remove(&path);
                self.cache.drops().record(DropReason::Unreadable, 1);
                continue;
            };
            match self.scrubber.event(&event) {
                Err(ScrubError::Words(_)) => return,
                Err(ScrubError::Rebuild) => {
                    self.cache.remove(&path);
                    self.cache.drops().record(DropReason::ScrubFailed, 1);
                }
                Ok(clean) => {
                    let mut bytes = Vec::new();
                    if Envelope::from(clean).to_writer(&mut bytes).is_ok()
                        && self.cache.store(&bytes).is_ok()
                    {
                        self.cache.remove(&path);
                        crate::log_event!("crash.report_released");
                    }
                }
            }
        }
    }

    /// Posts one envelope and settles it. A 413 is answered once with the
    /// report cut down ([`super::shrink`]), which replaces it on disk first:
    /// a crash that happened is worth more than its breadcrumbs. Returns
    /// the last outcome and whether it waits for a retry.
    fn deliver(&mut self, cached: Option<PathBuf>, bytes: &[u8]) -> (SendOutcome, bool) {
        let answer = self.post(bytes);
        if answer.outcome == (SendOutcome::HttpStatus { code: 413 }) {
            if let Some(smaller) = super::shrink::envelope(bytes) {
                crate::log_event!(
                    warn,
                    "crash.report_shrunk",
                    from_bytes = bytes.len(),
                    to_bytes = smaller.len()
                );
                // Should the disk refuse the smaller copy, the original's
                // file stands for it: deleted once either is accepted.
                let stored = match cached {
                    Some(old) => match self.cache.store(&smaller) {
                        Ok(new) => {
                            self.cache.remove(&old);
                            Some(new)
                        }
                        Err(_) => Some(old),
                    },
                    None => None,
                };
                return self.deliver(stored, &smaller);
            }
        }
        let again = self.settle(cached.as_ref(), bytes, &answer);
        (answer.outcome, again)
    }

    /// Deletes a cached envelope once it needs no retry: accepted, or
    /// refused for good (a 4xx other than rate limiting), and schedules
    /// the next try otherwise. Returns whether it waits for a retry.
    fn settle(&mut self, cached: Option<&PathBuf>, bytes: &[u8], answer: &Answer) -> bool {
        let outcome = &answer.outcome;
        let done = match outcome {
            SendOutcome::Accepted => true,
            SendOutcome::HttpStatus { code } => (400..500).contains(code) && *code != 429,
            SendOutcome::NetworkError { .. } => false,
        };
        if let SendOutcome::HttpStatus { code } = outcome {
            crate::log_event!(warn, "crash.report_rejected", status = *code, retry = !done);
        }
        let last = match outcome {
            SendOutcome::Accepted => LastSend::answered(200),
            SendOutcome::HttpStatus { code } => LastSend::answered(*code),
            SendOutcome::NetworkError { message } => LastSend::failed(message.clone()),
        };
        if std::fs::create_dir_all(self.cache.dir()).is_ok() {
            last.write_file(self.cache.dir());
        }
        if *outcome == SendOutcome::Accepted {
            self.failures = 0;
            self.cache.mark_sent(cached.map(PathBuf::as_path), bytes);
        } else if done {
            if let Some(path) = cached {
                self.cache.remove(path);
            }
            self.cache.drops().record(DropReason::Rejected, 1);
        } else if let Some(wait) = answer.retry_after {
            self.rate_limited_until = Some(Instant::now() + wait);
            self.retry_at = self.rate_limited_until;
        } else {
            self.failures = self.failures.saturating_add(1);
            let wait = FIRST_BACKOFF.saturating_mul(1 << (self.failures - 1).min(6));
            self.retry_at = Some(Instant::now() + wait.min(MAX_BACKOFF));
        }
        !done
    }

    fn post(&self, bytes: &[u8]) -> Answer {
        let answer = self
            .agent
            .post(&self.url)
            .header("X-Sentry-Auth", &self.auth)
            .header("Content-Type", "application/x-sentry-envelope")
            .send(bytes);
        let (outcome, retry_after) = match answer {
            Ok(r) if r.status().is_success() => (SendOutcome::Accepted, None),
            Ok(r) => {
                let code = r.status().as_u16();
                let retry_after = (code == 429).then(|| {
                    crate::limits::retry_after(
                        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
                    )
                });
                (SendOutcome::HttpStatus { code }, retry_after)
            }
            Err(e) => (
                SendOutcome::NetworkError {
                    message: e.to_string(),
                },
                None,
            ),
        };
        Answer {
            outcome,
            retry_after,
        }
    }
}
