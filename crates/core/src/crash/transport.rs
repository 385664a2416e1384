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
use super::last_send::LastSend;
use super::scrub::Scrubber;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
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
    pub fn start(dsn: &Dsn, cache: Arc<EnvelopeCache>, scrubber: Arc<Scrubber>) -> Arc<Self> {
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
            outcomes: outcomes.clone(),
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

    /// Transactions skip `before_send`, so they are scrubbed here.
    fn scrub(&self, envelope: Envelope) -> Envelope {
        let headers = envelope.headers().clone();
        let mut out = Envelope::new().with_headers(headers);
        for item in envelope.into_items() {
            match item {
                EnvelopeItem::Transaction(tx) => {
                    if let Some(tx) = self.scrubber.transaction(&tx) {
                        out.add_item(tx);
                    }
                }
                other => out.add_item(other),
            }
        }
        out
    }
}

impl Transport for CachingTransport {
    fn send_envelope(&self, envelope: Envelope) {
        let envelope = self.scrub(envelope);
        let id = envelope.uuid().copied();
        let no_cache = envelope
            .event()
            .is_some_and(|e| e.tags.contains_key(NO_CACHE_TAG));
        let mut bytes = Vec::new();
        if envelope.to_writer(&mut bytes).is_err() {
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
    outcomes: Arc<(Mutex<Outcomes>, Condvar)>,
}

impl Worker {
    fn run(self, rx: Receiver<Job>) {
        while let Ok(job) = rx.recv() {
            match job {
                Job::Send { id, bytes, cached } => {
                    let outcome = self.post(&bytes);
                    self.settle(cached.as_ref(), &bytes, &outcome);
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
                    let _ = done.send(());
                }
                Job::Stop => break,
            }
        }
    }

    /// Sends what earlier runs left on disk, oldest first; stops at the
    /// first network failure (still offline: the rest waits too).
    fn drain(&self) {
        for path in self.cache.list() {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let outcome = self.post(&bytes);
            self.settle(Some(&path), &bytes, &outcome);
            if matches!(outcome, SendOutcome::NetworkError { .. }) {
                break;
            }
        }
    }

    /// Deletes a cached envelope once it needs no retry: accepted, or
    /// refused for good (a 4xx other than rate limiting).
    fn settle(&self, cached: Option<&PathBuf>, bytes: &[u8], outcome: &SendOutcome) {
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
            self.cache.mark_sent(cached.map(PathBuf::as_path), bytes);
        } else if done {
            if let Some(path) = cached {
                self.cache.remove(path);
            }
        }
    }

    fn post(&self, bytes: &[u8]) -> SendOutcome {
        let answer = self
            .agent
            .post(&self.url)
            .header("X-Sentry-Auth", &self.auth)
            .header("Content-Type", "application/x-sentry-envelope")
            .send(bytes);
        match answer {
            Ok(r) if r.status().is_success() => SendOutcome::Accepted,
            Ok(r) => SendOutcome::HttpStatus {
                code: r.status().as_u16(),
            },
            Err(e) => SendOutcome::NetworkError {
                message: e.to_string(),
            },
        }
    }
}
