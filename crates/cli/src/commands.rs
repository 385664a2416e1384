//! What each subcommand does: open the database, call the core, print.

use std::io::Write;
use std::path::Path;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Serialize;
use timetracker_core::app::{App, Config, Profile};
use timetracker_core::config::Env;
use timetracker_core::io::apply::parse_file;
use timetracker_core::io::export::{self, ExportOptions};
use timetracker_core::io::import::{Format, ParseOptions};
use timetracker_core::reports::{ReportQuery, ReportRange, Rounding};
use timetracker_core::{logging, Error, Project, Tracker};

use crate::dates::{days_back, end_of, start_of};
use crate::{
    text, Cli, Command, ExportFormat, Failure, ProjectAction, RangeArgs, SyncAction, WebhookAction,
};

pub(crate) type Outcome = Result<(), Failure>;

/// Where output goes: gathered, then written at once, so a closed pipe
/// (`tt log | head`) ends the program quietly instead of with an error.
pub(crate) struct Out {
    pub json: bool,
    text: String,
}

impl Out {
    pub(crate) fn text(&mut self, s: impl Into<String>) {
        self.text.push_str(&s.into());
    }

    pub(crate) fn json(&mut self, value: &impl Serialize) -> Outcome {
        let s = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::Io(format!("could not write JSON: {e}")))?;
        self.text.push_str(&s);
        self.text.push('\n');
        Ok(())
    }

    fn flush(self) -> Outcome {
        // One place for all of it: whatever a command prints, no stored
        // text reaches the terminal as a control sequence.
        let shown = if self.json {
            text::json_visible(&self.text)
        } else {
            text::visible(&self.text)
        };
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(shown.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(Failure::Io(format!("could not write the output: {e}")))
            }
            _ => Ok(()),
        }
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Start { .. } => "tt_start",
        Command::Stop => "tt_stop",
        Command::Pause => "tt_pause",
        Command::Resume => "tt_resume",
        Command::Status => "tt_status",
        Command::Log { .. } => "tt_log",
        Command::Report { .. } => "tt_report",
        Command::Export { .. } => "tt_export",
        Command::Import { .. } => "tt_import",
        Command::Projects { .. } => "tt_projects",
        Command::Edit { .. } => "tt_edit",
        Command::Delete { .. } => "tt_delete",
        Command::Sync { .. } => "tt_sync",
        Command::Webhooks { .. } => "tt_webhooks",
        Command::Mcp { .. } => "tt_mcp",
        Command::Doctor(_) => "tt_doctor",
    }
}

/// Commands that change data or produce a file log what they did; pure
/// reads skip starting the log writer, so they start as fast as possible.
fn logs(command: &Command) -> bool {
    if let Command::Doctor(args) = command {
        return args.logs();
    }
    !matches!(
        command,
        Command::Status
            | Command::Log { .. }
            | Command::Projects {
                action: None | Some(ProjectAction::List { .. })
            }
            | Command::Sync {
                action: SyncAction::Status
            }
            | Command::Webhooks {
                action: WebhookAction::List | WebhookAction::Log { .. }
            }
    )
}

/// Commands that only read: on a data folder without a database they fail
/// (`storage.no_database`) and create nothing, so a mistyped `--data-dir`
/// is not mistaken for an empty history. The others record something and
/// create the folder and the database on first use.
pub(crate) fn read_only(command: &Command) -> bool {
    matches!(
        command,
        Command::Status
            | Command::Log { .. }
            | Command::Report { .. }
            | Command::Export { .. }
            | Command::Import { dry_run: true, .. }
            | Command::Projects {
                action: None | Some(ProjectAction::List { .. })
            }
            | Command::Sync {
                action: SyncAction::Status
            }
            | Command::Webhooks {
                action: WebhookAction::List | WebhookAction::Log { .. }
            }
            | Command::Mcp {
                allow_writes: false
            }
            | Command::Doctor(_)
    )
}

pub fn run(cli: Cli) -> Outcome {
    // `tt doctor` opens the database itself, and only if it exists.
    let database = !matches!(cli.command, Command::Doctor(_));
    let logging = logs(&cli.command);
    let profile = Profile::CommandLine {
        database,
        logs: logging,
        create: !read_only(&cli.command),
    };
    let app = App::start(Config::from_process(profile).with_data_dir(cli.data_dir));
    let mut tracker = match app.tracker {
        // A preview before the first use: against an empty database, made
        // in memory so that nothing is left behind.
        Err(Error::StorageNoDatabase(_))
            if matches!(cli.command, Command::Import { dry_run: true, .. }) =>
        {
            Some(Tracker::open_in_memory(std::sync::Arc::new(
                timetracker_core::SystemClock,
            ))?)
        }
        other => other?,
    };
    let (Some(data_dir), env) = (app.data_dir, app.config.env) else {
        return Err(Failure::Core(timetracker_core::Error::ConfigNoDataDir));
    };
    let span = logging::request_span(command_name(&cli.command));
    let result = {
        let _entered = span.enter();
        let mut out = Out {
            json: cli.json,
            text: String::new(),
        };
        match (cli.command, tracker.as_mut()) {
            (Command::Doctor(args), _) => {
                // The report is printed whatever it found: problems are its point.
                let result = crate::doctor::run(&data_dir, &env, args, &mut out);
                out.flush().and(result)
            }
            (command, Some(t)) => dispatch(t, command, &env, &mut out).and_then(|()| out.flush()),
            (_, None) => Ok(()),
        }
    };
    if logging {
        if let Err(Failure::Core(e)) = &result {
            timetracker_core::log_event!(warn, "command.failed", code = e.code());
        }
        logging::flush(logging::EXIT_FLUSH_TIMEOUT);
    }
    result
}

fn dispatch(t: &mut Tracker, command: Command, env: &Env, out: &mut Out) -> Outcome {
    // Only commands that show local times read the zone.
    let tz = crate::zone::lazy(env);
    match command {
        Command::Start {
            project,
            description,
            tags,
        } => start(t, project, &description, &tags, &tz, out),
        Command::Stop => {
            let entry = t.stop_timer()?;
            if out.json {
                return out.json(&entry);
            }
            out.text(format!(
                "Stopped {} after {}\n",
                text::entry_label(&entry),
                text::duration(entry.duration_seconds)
            ));
            Ok(())
        }
        Command::Pause => {
            let entry = t.pause_timer()?;
            if out.json {
                return out.json(&entry);
            }
            out.text(format!(
                "Paused {} after {}; `tt resume` carries on\n",
                text::entry_label(&entry),
                text::duration(entry.duration_seconds)
            ));
            Ok(())
        }
        Command::Resume => {
            let outcome = t.resume_timer()?;
            if out.json {
                return out.json(&outcome);
            }
            out.text(format!(
                "Resumed {} at {}\n",
                text::entry_label(&outcome.started),
                text::clock(outcome.started.started_at, &tz)
            ));
            Ok(())
        }
        Command::Status => {
            let state = t.timer_state()?;
            if out.json {
                return out.json(&state);
            }
            out.text(text::status(
                state.entry.as_ref(),
                state.paused.as_ref(),
                &tz,
            ));
            Ok(())
        }
        Command::Log { range } => {
            let today = t.today(&tz);
            let default = (
                start_of(crate::dates::Bound::Date(days_back(today, 7)), &tz)?,
                end_of(crate::dates::Bound::Date(today), &tz)?,
            );
            let (from, to) = resolve(t, &range, default, &tz)?;
            let entries = t.list_entries(from, to)?;
            if out.json {
                return out.json(&serde_json::json!({
                    "from": from, "to": to, "entries": entries,
                }));
            }
            out.text(text::log(&entries, &tz));
            Ok(())
        }
        Command::Report { range, by, round } => {
            let week = ReportRange::week(t.today(&tz), &tz)?;
            let (from, to) = resolve(t, &range, (week.from, week.to), &tz)?;
            let rounding = match round {
                Some(m) => Rounding::new(m)?,
                None => t.rounding()?,
            };
            let report = t.report(&ReportQuery {
                from,
                to,
                tz: tz.clone(),
                rounding,
            })?;
            if out.json {
                return out.json(&report);
            }
            out.text(text::report(&report, by, &tz));
            Ok(())
        }
        Command::Export {
            range,
            format,
            output,
            bom,
        } => {
            let all = t.all_time()?.unwrap_or((t.now(), t.now()));
            let (from, to) = resolve(t, &range, all, &tz)?;
            export_to(t, from, to, format, output.as_deref(), bom, out)
        }
        Command::Import {
            file,
            format,
            dry_run,
            tz: zone,
        } => {
            let tz = match zone {
                Some(name) => TimeZone::get(&name).map_err(|_| {
                    Failure::Usage(format!(
                        "{name:?} is not a time zone name like Europe/Paris"
                    ))
                })?,
                None => (*tz).clone(),
            };
            import(t, &file, format.map(Format::from), dry_run, tz, out)
        }
        Command::Projects { action } => projects(t, action, out),
        Command::Edit {
            id,
            project,
            description,
            start,
            end,
            tags,
            no_tags,
        } => {
            let change = crate::edit::Change {
                project,
                description,
                start,
                end,
                tags: if no_tags {
                    Some(Vec::new())
                } else {
                    (!tags.is_empty()).then_some(tags)
                },
            };
            crate::edit::edit(t, id, change, &tz, out)
        }
        Command::Delete { id } => crate::edit::delete(t, id, out),
        Command::Sync { action } => crate::sync::run(t, action, &tz, out),
        Command::Webhooks { action } => crate::webhooks::run(t, action, &tz, out),
        Command::Mcp { allow_writes } => {
            // A connection of its own: the server owns it for its lifetime.
            let connection = t.open_sibling()?;
            crate::mcp::serve(connection, crate::zone::system(env), allow_writes)
                .map_err(|e| Failure::Io(format!("the MCP connection failed: {e}")))
        }
        // Runs without an open tracker (see `run`).
        Command::Doctor(_) => Ok(()),
    }
}

/// The range a command covers: `--all`, the bounds given (a missing one
/// reaches to the first entry or to the end of today), or `default`.
fn resolve(
    t: &Tracker,
    range: &RangeArgs,
    default: (Timestamp, Timestamp),
    tz: &TimeZone,
) -> Result<(Timestamp, Timestamp), Failure> {
    let all = || -> Result<(Timestamp, Timestamp), Failure> {
        let now = t.now();
        Ok(t.all_time()?.unwrap_or((now, now)))
    };
    if range.all {
        return all();
    }
    let (from, to) = match (range.from, range.to) {
        (None, None) => return Ok(default),
        (Some(f), Some(e)) => (start_of(f, tz)?, end_of(e, tz)?),
        (Some(f), None) => {
            let today = end_of(crate::dates::Bound::Date(t.today(tz)), tz)?;
            (start_of(f, tz)?, all()?.1.max(today))
        }
        (None, Some(e)) => (all()?.0, end_of(e, tz)?),
    };
    if from > to {
        return Err(Error::EntryInvalidRange.into());
    }
    Ok((from, to))
}

fn start(
    t: &mut Tracker,
    project: Option<String>,
    description: &str,
    tags: &[String],
    tz: &TimeZone,
    out: &mut Out,
) -> Outcome {
    let mut created: Option<Project> = None;
    let project_id = match project.as_deref() {
        None => None,
        Some(name) => {
            let (p, made) = t.find_or_create_project(name)?;
            let id = p.id;
            created = made.then_some(p);
            Some(id)
        }
    };
    let outcome = t.start_timer_tagged(project_id, description, tags)?;
    if out.json {
        return out.json(&outcome);
    }
    if let Some(p) = created {
        out.text(format!("Created project {}\n", p.name));
    }
    if let Some(prev) = &outcome.stopped {
        out.text(format!(
            "Stopped {} after {}\n",
            text::entry_label(prev),
            text::duration(prev.duration_seconds)
        ));
    }
    out.text(format!(
        "Started {} at {}\n",
        text::entry_label(&outcome.started),
        text::clock(outcome.started.started_at, tz)
    ));
    Ok(())
}

fn export_to(
    t: &mut Tracker,
    from: Timestamp,
    to: Timestamp,
    format: ExportFormat,
    output: Option<&Path>,
    bom: bool,
    out: &mut Out,
) -> Outcome {
    let write = |t: &mut Tracker, w: &mut dyn Write| match format {
        ExportFormat::Csv => export::csv(t, from, to, w, ExportOptions { bom }),
        ExportFormat::Json => export::json(t, from, to, w),
    };
    let Some(path) = output else {
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        return match write(t, &mut w).and_then(|_| w.flush().map_err(Error::ExportWriteFailed)) {
            Err(Error::ExportWriteFailed(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Ok(())
            }
            other => other.map(|_| ()).map_err(Failure::from),
        };
    };
    let protected = timetracker_core::io::files::Protected::of(t);
    let count = export::to_file(&protected, path, |w| write(t, w)).map_err(|e| match e {
        Error::ExportWriteFailed(io) => Failure::Io(format!("{}: {io}", path.display())),
        other => other.into(),
    })?;
    if out.json {
        return out.json(&serde_json::json!({
            "entries": count, "file": path.display().to_string(),
        }));
    }
    out.text(format!("Exported {count} entries to {}\n", path.display()));
    Ok(())
}

fn import(
    t: &mut Tracker,
    file: &Path,
    format: Option<Format>,
    dry_run: bool,
    tz: TimeZone,
    out: &mut Out,
) -> Outcome {
    let bytes = if file == Path::new("-") {
        timetracker_core::io::files::read_import_stream(std::io::stdin().lock())?
    } else {
        timetracker_core::io::files::read_import(file)?
    };
    let options = ParseOptions {
        tz,
        ..ParseOptions::default()
    };
    let (format, records) = parse_file(&bytes, format, &options)?;
    let (mut value, message) = if dry_run {
        let p = t.preview_import(&records)?;
        let message = format!(
            "Would import {} of {} entries from {} ({} already there).{}{}\n",
            p.new_entries,
            p.total,
            format.label(),
            p.duplicates,
            list("New projects", &p.new_projects),
            list("New tags", &p.new_tags),
        );
        (serde_json::to_value(&p), message)
    } else {
        let s = t.import_records(&records, Some(format))?;
        let message = format!(
            "Imported {} of {} entries from {} ({} already there).{}{}\n",
            s.imported,
            s.total,
            format.label(),
            s.duplicates,
            list("New projects", &s.new_projects),
            list("New tags", &s.new_tags),
        );
        (serde_json::to_value(&s), message)
    };
    if out.json {
        if let Ok(serde_json::Value::Object(map)) = &mut value {
            map.insert("format".into(), format.name().into());
            map.insert("dry_run".into(), dry_run.into());
        }
        return out.json(&value.unwrap_or_default());
    }
    out.text(message);
    Ok(())
}

fn list(label: &str, names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("\n{label}: {}", names.join(", "))
    }
}

pub(crate) fn find(t: &Tracker, name: &str) -> Result<Project, Failure> {
    t.find_project(name)?
        .ok_or_else(|| Failure::ProjectNotFound(name.to_owned()))
}

fn projects(t: &mut Tracker, action: Option<ProjectAction>, out: &mut Out) -> Outcome {
    let (project, verb) = match action.unwrap_or(ProjectAction::List { archived: false }) {
        ProjectAction::List { archived } => {
            let list = t.list_projects(archived)?;
            if out.json {
                return out.json(&list);
            }
            out.text(text::projects(&list));
            return Ok(());
        }
        ProjectAction::Add { name } => (t.create_project(&name, None)?, "Created"),
        ProjectAction::Rename { old, new } => {
            let p = find(t, &old)?;
            (t.rename_project(p.id, &new)?, "Renamed to")
        }
        ProjectAction::Archive { name } => {
            let p = find(t, &name)?;
            (t.archive_project(p.id)?, "Archived")
        }
    };
    if out.json {
        return out.json(&project);
    }
    out.text(format!("{verb} {}\n", project.name));
    Ok(())
}
