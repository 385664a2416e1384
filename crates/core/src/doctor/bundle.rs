//! The support bundle: the doctor report, versions, the effective
//! configuration with secrets masked, the end of the log, and what waits to
//! be sent, as one `.tar.gz`. Every file goes through the crash scrubber
//! (the user's words, home, host and user name), and every secret value is
//! masked wherever it occurs. The user sees exactly these bytes before they
//! are written.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::{Doctor, DoctorReport};
use crate::crash::scrub::Scrubber;
use crate::logging::{self, ACTIVE_FILE};
use crate::{Error, Result};

/// The end of the log that goes in.
pub const LOG_LINES: usize = 500;
/// How much of each file the preview shows.
const PREVIEW_CHARS: usize = 4000;
const MASK: &str = "[secret]";

/// Variables the bundle reports, and whether their value is a secret.
const VARIABLES: &[(&str, bool)] = &[
    ("TIMETRACKER_DATA_DIR", false),
    ("LOG_LEVEL", false),
    ("ROUNDING_MINUTES", false),
    ("IDLE_TIMEOUT_MINUTES", false),
    ("SENTRY_DSN", true),
    ("SENTRY_TRACES_RATE", false),
    ("SENTRY_ENVIRONMENT", false),
    ("POSTHOG_API_KEY", true),
    ("POSTHOG_HOST", false),
    ("ENABLE_TELEMETRY", false),
    ("DO_NOT_TRACK", false),
    ("TELE_SALT", true),
    ("APP_VERSION", false),
    ("TIMETRACKER_TELEMETRY_DEBUG", false),
    ("TIMETRACKER_METRICS_ADDR", false),
    ("TIMETRACKER_METRICS_TOKEN", true),
    ("TIMETRACKER_API_ADDR", false),
    ("TIMETRACKER_API_TOKEN", true),
    ("TIMETRACKER_TEST_HOOKS", false),
];

pub struct Bundle {
    files: Vec<(String, Vec<u8>)>,
    /// Never written over, as an export is not: the database and its folder.
    protected: crate::io::files::Protected,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BundleFile {
    pub name: String,
    #[ts(type = "number")]
    pub bytes: u64,
    /// The start of the file as it will be written.
    pub preview: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BundlePreview {
    pub files: Vec<BundleFile>,
}

/// A support bundle written where the user chose, for the window to confirm.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct BundleSaved {
    #[ts(type = "number")]
    pub bytes: u64,
    pub path: String,
}

impl Bundle {
    pub fn names(&self) -> Vec<&str> {
        self.files.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    pub fn preview(&self) -> BundlePreview {
        BundlePreview {
            files: self
                .files
                .iter()
                .map(|(name, bytes)| BundleFile {
                    name: name.clone(),
                    bytes: bytes.len() as u64,
                    preview: logging::truncate(&String::from_utf8_lossy(bytes), PREVIEW_CHARS),
                })
                .collect(),
        }
    }

    /// Writes the `.tar.gz` to `path` (a temporary name, then renamed, so a
    /// full disk leaves no half bundle); returns its size.
    pub fn write(&self, path: &Path) -> Result<u64> {
        self.protected.check(path)?;
        let fail = |source: std::io::Error| Error::DoctorBundleFailed {
            path: path.to_owned(),
            source,
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bundle".into());
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let written = (|| -> std::io::Result<u64> {
            // Readable by the user alone, like the data it describes.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&tmp)?;
            let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            let mut tar = tar::Builder::new(gz);
            let mtime = jiff::Timestamp::now().as_second().max(0).unsigned_abs();
            for (name, bytes) in &self.files {
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o600);
                header.set_mtime(mtime);
                header.set_cksum();
                tar.append_data(
                    &mut header,
                    format!("timetracker-support/{name}"),
                    &bytes[..],
                )?;
            }
            let mut file = tar.into_inner()?.finish()?;
            file.flush()?;
            file.sync_all()?;
            Ok(file.metadata()?.len())
        })();
        match written.and_then(|size| std::fs::rename(&tmp, path).map(|()| size)) {
            Ok(size) => {
                crate::log_event!("doctor.bundle_written", bytes = size);
                Ok(size)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(fail(e))
            }
        }
    }
}

pub(super) fn build(d: &Doctor, report: &DoctorReport, scrubber: Scrubber) -> Bundle {
    let mut raw: Vec<(String, String)> = vec![
        (
            "doctor.json".to_owned(),
            serde_json::to_string_pretty(report).unwrap_or_default(),
        ),
        ("versions.txt".to_owned(), versions(d)),
        ("config.txt".to_owned(), configuration(d)),
    ];
    let log = logging::writer::tail(
        &logging::logs_dir(d.data_dir).join(ACTIVE_FILE),
        4 * 1000 * 1000,
    )
    .map(|text| {
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(LOG_LINES);
        let mut out = lines[start..].join("\n");
        out.push('\n');
        out
    })
    .unwrap_or_default();
    raw.push(("logs/app.jsonl".to_owned(), log));
    if let Some(tracker) = d.tracker() {
        if let Ok(inspection) = crate::telemetry::inspector::inspect(tracker, None) {
            let queued = serde_json::to_string_pretty(&inspection.queued).unwrap_or_default();
            raw.push(("telemetry/queued.json".to_owned(), queued));
        }
    }
    let cache = crate::crash::cache::EnvelopeCache::new(d.data_dir.join(crate::crash::CACHE_DIR));
    for path in cache.list() {
        if let (Some(name), Ok(bytes)) = (path.file_name(), std::fs::read(&path)) {
            raw.push((
                format!("crash-reports/{}", name.to_string_lossy()),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    // Secrets first: scrubbing could rewrite part of one (a host name inside
    // a key) so that the rest no longer matches.
    let secrets = secrets(d);
    for (_, text) in &mut raw {
        for secret in &secrets {
            *text = text.replace(secret.as_str(), MASK);
        }
    }
    let texts: Vec<&str> = raw.iter().map(|(_, t)| t.as_str()).collect();
    let files = raw
        .iter()
        .zip(scrubber.plain_texts(&texts))
        .map(|((name, _), text)| (name.clone(), text.into_bytes()))
        .collect();
    Bundle {
        files,
        protected: crate::io::files::Protected::database(&crate::config::database_path(d.data_dir)),
    }
}

/// Every secret value in force, so none can slip in through a log line.
fn secrets(d: &Doctor) -> Vec<String> {
    let mut out: Vec<String> = VARIABLES
        .iter()
        .filter(|(_, secret)| *secret)
        .filter_map(|(k, _)| d.env(k))
        .collect();
    let config = d.telemetry_config();
    out.extend(config.posthog_api_key);
    if let Some(dsn) = config
        .sentry_dsn
        .as_deref()
        .and_then(|raw| raw.parse::<sentry::types::Dsn>().ok())
    {
        out.push(dsn.public_key().to_owned());
        out.extend(dsn.secret_key().map(str::to_owned));
    }
    if let Ok(token) = std::fs::read_to_string(crate::metrics::server::token_path(d.data_dir)) {
        out.push(token.trim().to_owned());
    }
    // The anonymous id is anonymous only apart from a name: a bundle sent
    // to support must not tie the two together.
    if let Some(t) = d.tracker() {
        out.extend(crate::telemetry::identity::identity_values(
            t,
            config.salt.as_deref(),
        ));
    }
    out.retain(|s| s.len() >= 4);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

fn versions(d: &Doctor) -> String {
    let os = os_info::get();
    let schema = d
        .tracker()
        .and_then(|t| t.schema_version().ok())
        .map_or("unknown".to_owned(), |v| v.to_string());
    format!(
        "TimeTracker {}\nSchema version {schema} (this build: {})\nSQLite {}\nOS {} {} ({})\n",
        env!("CARGO_PKG_VERSION"),
        crate::storage::SCHEMA_VERSION,
        rusqlite::version(),
        os.os_type(),
        os.version(),
        os.architecture().unwrap_or("unknown"),
    )
}

fn configuration(d: &Doctor) -> String {
    let mut out = String::from("# Environment (secrets masked)\n");
    for (key, secret) in VARIABLES {
        let value = match d.env(key) {
            None => "(unset)".to_owned(),
            Some(_) if *secret => MASK.to_owned(),
            Some(v) => v,
        };
        out.push_str(&format!("{key}={value}\n"));
    }
    let config = d.telemetry_config();
    out.push_str("\n# In force\n");
    out.push_str(&format!("data folder: {}\n", d.data_dir.display()));
    out.push_str(&format!(
        "PostHog key: {}\nSentry DSN: {}\n",
        if config.posthog_api_key.is_some() {
            "set [secret]"
        } else {
            "none"
        },
        if config.sentry_dsn.is_some() {
            "set [secret]"
        } else {
            "none"
        },
    ));
    if let Some(t) = d.tracker() {
        if let Ok(m) = t.metrics_settings() {
            out.push_str(&format!(
                "metrics: enabled={} port={} per_project={}\n",
                m.enabled, m.port, m.per_project
            ));
        }
        if let Ok(s) = t.sync_status() {
            out.push_str(&format!(
                "sync: enabled={} folder={} devices={}\n",
                s.enabled,
                s.folder.as_deref().unwrap_or("none"),
                s.devices.len()
            ));
        }
        if let Ok(c) = crate::telemetry::consent::stored(t) {
            out.push_str(&format!(
                "consent: {}\n",
                c.map_or("not asked".to_owned(), |c| format!(
                    "crash reports {}, usage {}",
                    c.crash_reports, c.usage
                ))
            ));
        }
    }
    let token = crate::metrics::server::token_path(d.data_dir).exists();
    out.push_str(&format!(
        "metrics token file: {}\n",
        if token { "present [secret]" } else { "none" }
    ));
    out
}
