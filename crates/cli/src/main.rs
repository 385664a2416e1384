//! `tt`: TimeTracker on the command line, over the same core and the same
//! SQLite database as the desktop app (WAL mode, so both can have it open).
//! Exit codes and `--json` output are documented in docs/cli.md.

// A command-line program: standard output is its user interface.
#![allow(clippy::print_stdout)]

mod commands;
mod dates;
mod doctor;
mod edit;
mod exit;
mod mcp;
mod sync;
mod text;
mod webhooks;
mod zone;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use timetracker_core::io::import::Format;
use timetracker_core::{Error, ErrorKind};

use dates::{parse_bound, Bound};

#[derive(Debug, Parser)]
#[command(name = "tt", version, about = "TimeTracker on the command line")]
pub struct Cli {
    /// Folder holding timetracker.sqlite3 [default: $TIMETRACKER_DATA_DIR,
    /// else the platform data folder]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print machine-readable JSON (see docs/cli.md)
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

/// A range of time: `--from`/`--to` take a date (local, `--to` inclusive)
/// or an RFC 3339 instant.
#[derive(Debug, Clone, clap::Args)]
pub struct RangeArgs {
    /// Start: YYYY-MM-DD (local) or an RFC 3339 instant
    #[arg(long, value_parser = parse_bound)]
    from: Option<Bound>,
    /// End: YYYY-MM-DD (local, inclusive) or an RFC 3339 instant (exclusive)
    #[arg(long, value_parser = parse_bound)]
    to: Option<Bound>,
    /// Everything ever tracked (instead of the default range)
    #[arg(long, conflicts_with_all = ["from", "to"])]
    all: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a timer (stopping the running one at the same instant)
    Start {
        /// Project name; created if it does not exist yet
        project: Option<String>,
        #[arg(short, long, default_value = "")]
        description: String,
        /// A tag; repeat for more
        #[arg(long = "tag", short = 't', value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Stop the running timer
    Stop,
    /// Stop the running timer for a break, to resume it later
    Pause,
    /// Start a new entry like the paused one (project, description, tags)
    Resume,
    /// Show the running timer, if any
    Status,
    /// List entries (default: the last 7 days)
    Log {
        #[command(flatten)]
        range: RangeArgs,
    },
    /// Totals by project, tag or day (default: this week)
    Report {
        #[command(flatten)]
        range: RangeArgs,
        #[arg(long, value_enum, default_value_t = By::Project)]
        by: By,
        /// Round each entry to 1, 5, 6, 10, 15 or 30 minutes
        /// [default: $ROUNDING_MINUTES, else the app's setting]
        #[arg(long, value_name = "MINUTES")]
        round: Option<u32>,
    },
    /// Write entries as CSV or JSON (default: all of them, to standard output)
    Export {
        #[command(flatten)]
        range: RangeArgs,
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write to FILE instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Start the CSV with a UTF-8 byte-order mark (for old Excel)
        #[arg(long)]
        bom: bool,
    },
    /// Import a file from Toggl, Clockify, Timewarrior, Watson or TimeTracker
    Import {
        /// The file; - reads standard input
        file: PathBuf,
        /// The file's format [default: detected from the content]
        #[arg(long, value_enum)]
        format: Option<ImportFormat>,
        /// Show what would be imported, change nothing
        #[arg(long)]
        dry_run: bool,
        /// Time zone of Toggl and Clockify times [default: the system's]
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
    },
    /// List, add, rename or archive projects
    Projects {
        #[command(subcommand)]
        action: Option<ProjectAction>,
    },
    /// Change an entry (the fields given; the others stay as they are)
    Edit {
        /// The entry's id, as `tt log` shows it
        id: i64,
        /// Move it to this project ("" for no project); created if new
        #[arg(long)]
        project: Option<String>,
        #[arg(short, long)]
        description: Option<String>,
        /// New start: an RFC 3339 instant, `YYYY-MM-DD HH:MM` (local), or
        /// `HH:MM` on the entry's day
        #[arg(long, value_name = "TIME")]
        start: Option<String>,
        /// New end, like --start; `running` makes it the running entry
        #[arg(long, value_name = "TIME")]
        end: Option<String>,
        /// Replace the tags with these; repeat for more
        #[arg(long = "tag", short = 't', value_name = "TAG")]
        tags: Vec<String>,
        /// Remove every tag
        #[arg(long, conflicts_with = "tags")]
        no_tags: bool,
    },
    /// Delete an entry
    Delete {
        /// The entry's id, as `tt log` shows it
        id: i64,
    },
    /// Sync with your other devices through a shared folder (docs/sync.md)
    Sync {
        #[command(subcommand)]
        action: SyncAction,
    },
    /// Send timer, entry and project changes to your own URLs, signed
    /// (docs/api.md#webhooks)
    Webhooks {
        #[command(subcommand)]
        action: WebhookAction,
    },
    /// Serve the Model Context Protocol on standard input and output, for
    /// an AI assistant (docs/api.md#mcp); read-only unless --allow-writes
    Mcp {
        /// Also offer the tools that start and stop timers and add entries
        /// and projects
        #[arg(long)]
        allow_writes: bool,
    },
    /// Check the data folder, logs, crash reports, usage statistics,
    /// /metrics, sync and desktop integration; say what to fix
    /// (docs/troubleshooting.md). Exit 1 when any check finds a problem
    Doctor(doctor::DoctorArgs),
}

#[derive(Debug, Subcommand)]
pub enum WebhookAction {
    /// List webhooks, their events and their deliveries
    List,
    /// Add a webhook for URL; prints its signing secret
    Add {
        url: String,
        /// Events to send, comma-separated: timer.started, timer.stopped,
        /// entry.created, entry.updated, entry.deleted, project.created,
        /// project.updated, project.archived, project.restored, or
        /// project.* [default: all]
        #[arg(long, value_name = "EVENTS")]
        events: Vec<String>,
    },
    /// Remove a webhook and its queued deliveries
    Remove { id: i64 },
    /// Send a webhook.test delivery now, and say how the receiver answered
    Test { id: i64 },
    /// Send every delivery that is due now, as the app does while it runs
    /// (for scripts and cron jobs that use only tt)
    Send,
    /// The delivery log, newest first
    Log {
        /// Only this webhook's
        id: Option<i64>,
        /// At most this many
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum SyncAction {
    /// Turn sync on with FOLDER (kept the same on every device by
    /// Syncthing, Nextcloud, Dropbox or a network share), and sync once
    Enable {
        folder: PathBuf,
        /// This device's name, as the other devices list it [default: the
        /// computer's name]
        #[arg(long, value_name = "DEVICE_NAME")]
        name: Option<String>,
        /// Give this database a new device id (after copying a data folder
        /// to another computer)
        #[arg(long)]
        new_device: bool,
    },
    /// Turn sync off; local data and the folder are left as they are
    Disable,
    /// Apply other devices' changes and write this device's, now
    Now,
    /// Devices seen, pending changes, conflicts and problems
    Status,
    /// Bring back the value that lost a conflict (its id from `tt sync status`)
    Restore { conflict: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ProjectAction {
    /// List active projects
    List {
        /// Include archived projects
        #[arg(long)]
        archived: bool,
    },
    Add {
        name: String,
    },
    Rename {
        old: String,
        new: String,
    },
    Archive {
        name: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    Project,
    Tag,
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Toggl,
    Clockify,
    Timewarrior,
    Watson,
    Csv,
    Json,
}

impl From<ImportFormat> for Format {
    fn from(f: ImportFormat) -> Format {
        match f {
            ImportFormat::Toggl => Format::Toggl,
            ImportFormat::Clockify => Format::Clockify,
            ImportFormat::Timewarrior => Format::Timewarrior,
            ImportFormat::Watson => Format::Watson,
            ImportFormat::Csv => Format::Csv,
            ImportFormat::Json => Format::Json,
        }
    }
}

/// Why `tt` failed: a core error, or something about its own arguments and
/// files.
#[derive(Debug)]
pub enum Failure {
    Core(Error),
    /// A file that could not be read or written.
    Io(String),
    /// An argument clap could not check (a zone name).
    Usage(String),
    /// No project has this name.
    ProjectNotFound(String),
    /// `tt doctor` found this many problems (the report says which).
    Unhealthy(usize),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    fn code(&self) -> String {
        match self {
            Failure::Core(e) => e.code().to_owned(),
            Failure::Io(_) => "cli.io".to_owned(),
            Failure::Usage(_) => "cli.usage".to_owned(),
            Failure::ProjectNotFound(_) => "project.not_found".to_owned(),
            Failure::Unhealthy(_) => "doctor.problems_found".to_owned(),
        }
    }

    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => exit::USAGE,
            Failure::Core(e) => exit::status(e.kind()),
            Failure::Io(_) => exit::status(ErrorKind::Io),
            Failure::ProjectNotFound(_) => exit::status(ErrorKind::NotFound),
            Failure::Unhealthy(_) => exit::status(ErrorKind::Refused),
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Core(e) => e.to_string(),
            Failure::Io(m) | Failure::Usage(m) => m.clone(),
            Failure::ProjectNotFound(name) => {
                format!("No project is named \u{201c}{name}\u{201d}. See tt projects list.")
            }
            Failure::Unhealthy(1) => "doctor found a problem (see above)".to_owned(),
            Failure::Unhealthy(n) => format!("doctor found {n} problems (see above)"),
        }
    }

    fn report(&self, json: bool) {
        let mut err = std::io::stderr().lock();
        let _ = if json {
            let mut value = serde_json::json!({
                "error": { "code": self.code(), "message": self.message() }
            });
            if let Failure::Core(Error::ImportInvalid(details)) = self {
                value["error"]["lines"] = serde_json::json!(details.errors);
                value["error"]["omitted"] = serde_json::json!(details.omitted);
            }
            writeln!(err, "{}", text::json_visible(&value.to_string()))
        } else {
            // Messages quote names (a taken name, a bad tag).
            writeln!(err, "tt: {}", text::visible(&self.message()))
        };
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report(json);
            ExitCode::from(failure.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--format` is clap's own list: a format core learns must be added
    /// here too, under the name core gives it.
    #[test]
    fn import_formats_are_exactly_cores_under_its_names() {
        let ours: Vec<Format> = ImportFormat::value_variants()
            .iter()
            .map(|&f| Format::from(f))
            .collect();
        assert_eq!(ours, Format::ALL);
        for f in ImportFormat::value_variants() {
            let name = f.to_possible_value().map(|v| v.get_name().to_owned());
            assert_eq!(name.as_deref(), Some(Format::from(*f).name()));
        }
    }
}
