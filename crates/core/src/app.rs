//! The composition root: the one place that turns a [`Config`] into a
//! running app, for the desktop shell and `tt` alike. Every other module
//! gets what it needs handed in (the environment, the observers, the extra
//! log layer); only here do the layers meet, in an order that matters:
//!
//! 1. logging first, so everything after it is on the record, with the
//!    crash reporter's breadcrumb layer beside the JSONL writer;
//! 2. the database, with the overrides the environment sets;
//! 3. metrics watching it, then telemetry (which reads the stored consent,
//!    so it comes after the database), then the crash reporter, which
//!    follows telemetry's consent and anonymous id;
//! 4. last, the background parts: the PostHog sender and `/metrics`; the
//!    local API's control is made here too, and started by the shell once
//!    it can tell the window about the API's writes.

use std::path::PathBuf;
use std::sync::Arc;

use crate::api::ApiControl;
use crate::config::{self, Env};
use crate::crash::{self, CrashConfig, CrashReporter};
use crate::error::{Error, Result};
use crate::logging::{self, LogWriter, WriterConfig};
use crate::metrics::{Metrics, MetricsControl};
use crate::telemetry::flags::Flag;
use crate::telemetry::{sender, Telemetry, TelemetryConfig};
use crate::webhooks::sender::{Schedule, WebhookSender};
use crate::{webhooks, Clock, SystemClock, Tracker};

/// Which parts a front end runs. The desktop app runs all of them; `tt`
/// runs a command and exits, so it sends nothing and serves nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Desktop,
    /// `database`: open it (`tt doctor` opens it itself, and only if it
    /// exists). `logs`: start the log writer (pure reads skip it to start
    /// faster). `create`: make the data folder and the database if they are
    /// missing; commands that only read leave a mistyped `--data-dir` as it
    /// is and say so (`storage.no_database`) instead of showing an empty
    /// database.
    CommandLine {
        database: bool,
        logs: bool,
        create: bool,
    },
}

/// Everything the app is told from outside, read once.
#[derive(Debug, Clone)]
pub struct Config {
    pub env: Env,
    /// `tt --data-dir`, which wins over `TIMETRACKER_DATA_DIR`.
    pub data_dir_override: Option<PathBuf>,
    pub profile: Profile,
}

impl Config {
    /// The process environment, read here and nowhere else.
    pub fn from_process(profile: Profile) -> Self {
        Self::new(Env::from_process(), profile)
    }

    pub fn new(env: Env, profile: Profile) -> Self {
        Self {
            env,
            data_dir_override: None,
            profile,
        }
    }

    pub fn with_data_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.data_dir_override = dir;
        self
    }

    pub fn data_dir(&self) -> Result<PathBuf> {
        match &self.data_dir_override {
            Some(dir) => config::data_dir_from(Some(dir.clone())),
            None => config::data_dir(&self.env),
        }
    }
}

/// A running app. A part that could not start is absent (or holds its
/// error) rather than stopping the rest: the window still opens to say
/// what is wrong.
pub struct App {
    pub config: Config,
    /// None when it cannot be found; `tracker` then holds why.
    pub data_dir: Option<PathBuf>,
    pub logs: Option<Arc<LogWriter>>,
    pub metrics: Arc<Metrics>,
    /// None when the data folder is unknown, and for `tt`.
    pub metrics_control: Option<MetricsControl>,
    /// None when the data folder is unknown, and for `tt`; not yet started
    /// (see [`ApiControl::start`]).
    pub api_control: Option<ApiControl>,
    /// Posts queued webhook deliveries; the desktop app's only (`tt`
    /// queues them, and the app sends them when it runs).
    pub webhook_sender: Option<WebhookSender>,
    pub telemetry: Arc<Telemetry>,
    /// None when the data folder is unknown (there is nowhere to keep
    /// reports), and for `tt`.
    pub crash: Option<Arc<CrashReporter>>,
    /// Why the app cannot track (no data folder, a database it cannot
    /// open), or the tracker; `None` when the profile does not open one.
    pub tracker: Result<Option<Tracker>>,
}

/// A command logs a line or two: the app's 16k-line queue would be
/// allocated for nothing on every `tt` run.
const COMMAND_LINE_LOG_QUEUE: usize = 64;

impl App {
    pub fn start(config: Config) -> App {
        Self::start_with_clock(config, Arc::new(SystemClock))
    }

    pub fn start_with_clock(config: Config, clock: Arc<dyn Clock>) -> App {
        let env = config.env.clone();
        let desktop = config.profile == Profile::Desktop;
        let (open_database, log, create) = match config.profile {
            // The desktop app makes its data folder on first launch.
            Profile::Desktop => (true, true, true),
            Profile::CommandLine {
                database,
                logs,
                create,
            } => (database, logs, create),
        };
        let (data_dir, dir_error) = match config.data_dir() {
            Ok(dir) => (Some(dir), None),
            Err(e) => (None, Some(e)),
        };
        // Not even the logs folder is made where there is no database yet.
        let missing = data_dir
            .as_ref()
            .filter(|_| !create)
            .map(|dir| config::database_path(dir))
            .filter(|path| !path.exists());
        let log = log && missing.is_none();
        let logs = data_dir.as_ref().filter(|_| log).map(|dir| {
            let mut writer = WriterConfig::new(logging::logs_dir(dir));
            if !desktop {
                writer.queue_capacity = COMMAND_LINE_LOG_QUEUE;
            }
            logging::init_with(writer, &env, desktop.then(crash::log_layer))
        });
        if let Some(dir) = &data_dir {
            // Panic and UI messages in the log lose the user's words, as
            // crash reports do.
            let scrubber = crash::scrub::Scrubber::for_this_machine(
                CrashConfig::from_env(&env).user,
                Some(config::database_path(dir)),
            );
            logging::set_redactor(Arc::new(move |text| scrubber.line(text).ok()));
        }
        let _startup = desktop.then(|| logging::request_span("startup").entered());
        let metrics = match &data_dir {
            Some(dir) if desktop => Metrics::with_database(&config::database_path(dir)),
            _ => Metrics::new(),
        };
        let telemetry = Telemetry::new(TelemetryConfig::from_env(&env));
        let mut tracker = match (&data_dir, dir_error, missing) {
            (_, Some(e), _) => Err(e),
            (Some(_), None, Some(path)) if open_database => Err(Error::StorageNoDatabase(path)),
            (Some(dir), None, None) if open_database => {
                Tracker::open_in_dir(dir, clock).map(|mut t| {
                    t.set_env(env.clone());
                    // Every front end queues deliveries with the changes.
                    t.observe_changes(webhooks::queue());
                    Some(t)
                })
            }
            _ => Ok(None),
        };
        let mut app = App {
            data_dir,
            logs,
            metrics,
            metrics_control: None,
            api_control: None,
            webhook_sender: None,
            telemetry,
            crash: None,
            tracker: Ok(None),
            config,
        };
        if desktop {
            app.wire_desktop(tracker.as_mut().ok().and_then(Option::as_mut));
            match &tracker {
                Ok(_) => crate::log_event!("app.started", version = env!("CARGO_PKG_VERSION")),
                Err(e) => crate::log_event!(error, "app.start_failed", code = e.code()),
            }
        }
        app.tracker = tracker;
        app
    }

    /// The desktop's parts. The crash reporter and the metrics control
    /// exist whenever there is a data folder, so a database that cannot be
    /// opened still leaves crash reports cached and Settings answering.
    fn wire_desktop(&mut self, tracker: Option<&mut Tracker>) {
        let Some(dir) = self.data_dir.clone() else {
            return;
        };
        let env = &self.config.env;
        self.telemetry.attach_metrics(self.metrics.clone());
        let crash = CrashReporter::new(CrashConfig::from_env(env), &dir).install();
        crash.attach_metrics(self.metrics.clone());
        self.crash = Some(crash.clone());
        let mut control = MetricsControl::from_env(self.metrics.clone(), dir.clone(), env);
        let telemetry = self.telemetry.clone();
        control.set_kill_switch(Box::new(move |t| telemetry.flag(t, Flag::MetricsEndpoint)));
        if let Some(tracker) = tracker {
            self.metrics.watch(tracker);
            tracker.observe_storage(Arc::new(crash::DbSpans));
            // Telemetry is an extra: failing to set it up never stops the app.
            if let Err(e) = self.telemetry.attach(tracker) {
                crate::log_event!(warn, "telemetry.enqueue_failed", code = e.code());
            }
            // After the consent record is read: attaching applies it, and a
            // "no" deletes the reports cached on disk.
            self.telemetry.attach_crash_reporter(crash);
            if let Some(path) = tracker.database_path() {
                sender::start(&self.telemetry, path.to_path_buf());
                match WebhookSender::start(path.to_path_buf(), Schedule::default()) {
                    Ok(s) => self.webhook_sender = Some(s),
                    Err(e) => {
                        crate::log_event!(warn, "webhook.sender_failed", error = e.to_string())
                    }
                }
            }
            // A failure (port taken...) is kept for Settings to show.
            let _ = control.start(tracker);
        }
        self.metrics_control = Some(control);
        self.api_control = Some(ApiControl::new(self.metrics.clone(), dir, env));
    }
}
