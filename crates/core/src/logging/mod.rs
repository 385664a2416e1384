//! Structured logging: one JSON object per line in `<data dir>/logs/app.jsonl`.
//!
//! Business events go through [`log_event!`](crate::log_event) (defined in
//! [`events`](crate::events)) under their
//! `resource.action` name; diagnostics use `tracing` directly and are named
//! after their module. Every line written while handling one UI command or
//! one CLI invocation carries that request's `request_id`.
//!
//! Never log project names, descriptions, paths under the home folder or
//! user names: people paste these files into support tickets.

pub mod layer;
mod redact;
pub mod writer;

pub use redact::{log_ui_error, redact, set_redactor, Redactor, UiError, WITHHELD};

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tracing::level_filters::LevelFilter;

use crate::config::Env;
use tracing::Subscriber;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, Registry};

pub use layer::JsonLayer;
pub use writer::{LogWriter, WriterConfig, ACTIVE_FILE};

pub const LOG_LEVEL_ENV: &str = "LOG_LEVEL";
pub const LOGS_DIR: &str = "logs";

/// How long a normal exit waits for queued lines to reach the disk.
pub const EXIT_FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

pub fn logs_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(LOGS_DIR)
}

/// Parses `LOG_LEVEL` (`trace`, `debug`, `info`, `warn`/`warning`, `error`,
/// any case). Unset or empty means `info`.
pub fn parse_level(raw: Option<&str>) -> Result<LevelFilter, String> {
    let raw = raw.map(str::trim).unwrap_or("");
    match raw.to_ascii_lowercase().as_str() {
        "" | "info" => Ok(LevelFilter::INFO),
        "trace" => Ok(LevelFilter::TRACE),
        "debug" => Ok(LevelFilter::DEBUG),
        "warn" | "warning" => Ok(LevelFilter::WARN),
        "error" | "critical" => Ok(LevelFilter::ERROR),
        "off" => Ok(LevelFilter::OFF),
        _ => Err(format!(
            "LOG_LEVEL={raw:?} is not a level (trace, debug, info, warn, error); using info"
        )),
    }
}

/// A layer the composition root adds beside the JSONL writer (the crash
/// reporter's breadcrumbs), so logging does not depend on who listens.
pub type ExtraLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// A subscriber that writes JSONL through `writer`, and hands the same
/// lines to `extra`. Spans are always kept so a WARNING line still carries
/// its request id when INFO is filtered out; `extra` is level-filtered by
/// the same rule, so LOG_LEVEL=error also keeps warnings out of breadcrumbs.
pub fn subscriber(
    writer: Arc<LogWriter>,
    level: LevelFilter,
    extra: Option<ExtraLayer>,
) -> impl Subscriber + Send + Sync {
    let keep = move |meta: &tracing::Metadata<'_>| meta.is_span() || *meta.level() <= level;
    let mut layers: Vec<ExtraLayer> =
        vec![JsonLayer::new(writer).with_filter(filter_fn(keep)).boxed()];
    if let Some(extra) = extra {
        layers.push(extra.with_filter(filter_fn(keep)).boxed());
    }
    tracing_subscriber::registry().with(layers)
}

static GLOBAL: OnceLock<Arc<LogWriter>> = OnceLock::new();

/// Starts logging for the whole process into `<data_dir>/logs` and installs
/// the panic hook. Safe to call once; later calls return the first writer.
/// `LOG_LEVEL` comes from `env`.
pub fn init(data_dir: &Path, env: &Env, extra: Option<ExtraLayer>) -> Arc<LogWriter> {
    init_with(WriterConfig::new(logs_dir(data_dir)), env, extra)
}

pub fn init_with(config: WriterConfig, env: &Env, extra: Option<ExtraLayer>) -> Arc<LogWriter> {
    if let Some(writer) = GLOBAL.get() {
        return writer.clone();
    }
    let writer = Arc::new(LogWriter::start(config));
    let (level, level_error) = match parse_level(env.raw(LOG_LEVEL_ENV)) {
        Ok(level) => (level, None),
        Err(e) => (LevelFilter::INFO, Some(e)),
    };
    if tracing::subscriber::set_global_default(subscriber(writer.clone(), level, extra)).is_err() {
        eprintln!("timetracker: another logger is already installed; JSONL logging is off");
    }
    let writer = GLOBAL.get_or_init(|| writer).clone();
    install_panic_hook();
    if let Some(e) = level_error {
        tracing::warn!("{e}");
    }
    if let Some(reason) = writer.degraded() {
        eprintln!("timetracker: {reason}");
    }
    writer
}

/// The process-wide writer, once [`init`] ran.
pub fn global() -> Option<&'static Arc<LogWriter>> {
    GLOBAL.get()
}

/// Writes out every queued line (at most `timeout`); call on normal exit.
pub fn flush(timeout: Duration) -> bool {
    GLOBAL.get().is_some_and(|w| w.flush(timeout))
}

/// Logs a panic as a CRITICAL line with its message and location, and makes
/// sure the line is on disk before the default hook (and the abort) run.
pub fn install_panic_hook() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    if INSTALLED.set(()).is_err() {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-text panic payload".to_owned());
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", scrub_home(l.file()), l.line(), l.column()))
            .unwrap_or_default();
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_owned();
        crate::log_event!(
            critical,
            "app.panicked",
            panic_message = redact(&message),
            location = location,
            thread = thread,
        );
        flush(Duration::from_secs(1));
        previous(info);
    }));
}

/// What Settings shows about logging.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct LogStatus {
    /// The folder holding `app.jsonl` and its rotated files.
    pub dir: String,
    /// Why lines go to standard error instead of the file, if they do.
    pub degraded: Option<String>,
    /// Lines lost since launch because the writer could not keep up.
    #[ts(type = "number")]
    pub dropped_lines: u64,
}

impl LogWriter {
    pub fn status(&self) -> LogStatus {
        LogStatus {
            dir: self.dir().display().to_string(),
            degraded: self.degraded(),
            dropped_lines: self.dropped(),
        }
    }
}

/// Truncates `text` to at most `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A fresh id for one command or CLI invocation.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The span around one UI command or CLI invocation: every line logged
/// inside it carries `request_id` (and the command's name).
pub fn request_span(command: &str) -> tracing::Span {
    request_span_with_id(command, &new_request_id())
}

/// [`request_span`] with a known id, for callers that also hand the id to
/// the crash reporter so a report leads to its log lines.
pub fn request_span_with_id(command: &str, request_id: &str) -> tracing::Span {
    tracing::info_span!(target: "timetracker", "request", command, request_id)
}

/// Replaces the home folder in `text` with `~`, so paths in diagnostics do
/// not reveal the user name.
pub fn scrub_home(text: &str) -> String {
    match directories::BaseDirs::new() {
        Some(dirs) => scrub_prefix(text, &dirs.home_dir().to_string_lossy()),
        None => text.to_owned(),
    }
}

fn scrub_prefix(text: &str, home: &str) -> String {
    let home = home.trim_end_matches('/');
    if home.len() < 2 {
        return text.to_owned();
    }
    text.replace(home, "~")
}

#[cfg(test)]
mod tests;
