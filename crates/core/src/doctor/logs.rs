//! `logs/app.jsonl`: where it goes, at what level, how big, and the last
//! error in it.

use std::path::Path;

use super::{human_bytes, plural_s, shown, Check, Doctor};
use crate::logging::{self, writer, WriterConfig, ACTIVE_FILE, LOG_LEVEL_ENV};

/// How much of a log file's end is searched for the last error.
const TAIL_BYTES: u64 = 2 * 1000 * 1000;
/// An error this recent is worth a look.
const RECENT_ERROR_HOURS: i64 = 24;

pub(super) fn checks(d: &Doctor) -> Vec<Check> {
    let dir = logging::logs_dir(d.data_dir);
    vec![folder(d, &dir), level(d), file(d, &dir), last_error(&dir)]
}

fn folder(d: &Doctor, dir: &Path) -> Check {
    const ID: &str = "logs.folder";
    if let Some(reason) = d.runtime.log.as_ref().and_then(|l| l.degraded.clone()) {
        return Check::problem(
            ID,
            format!("Log lines go to standard error, not the file: {reason}"),
            format!(
                "Make {} writable (chmod u+w) or free disk space; the app tries the folder again every few seconds.",
                shown(dir)
            ),
        );
    }
    if !dir.exists() {
        return Check::ok(
            ID,
            format!("{} will be made by the first command that logs", shown(dir)),
        );
    }
    match super::writable(dir) {
        Ok(()) => Check::ok(ID, format!("{} is writable", shown(dir))),
        Err(e) => Check::problem(
            ID,
            format!("{} is not writable: {e}", shown(dir)),
            format!(
                "Give yourself write access (chmod u+w '{}') or free disk space; until then log lines go to standard error.",
                shown(dir)
            ),
        ),
    }
}

fn level(d: &Doctor) -> Check {
    const ID: &str = "logs.level";
    let raw = d.env(LOG_LEVEL_ENV);
    match logging::parse_level(raw.as_deref()) {
        Ok(level) => Check::ok(
            ID,
            match raw {
                Some(raw) => format!("{LOG_LEVEL_ENV}={raw}: lines at {level} and above are kept"),
                None => format!("{LOG_LEVEL_ENV} is not set: lines at info and above are kept"),
            },
        ),
        Err(_) => Check::problem(
            ID,
            format!(
                "{LOG_LEVEL_ENV}={:?} is not a level, so info is used",
                raw.unwrap_or_default()
            ),
            format!("Set {LOG_LEVEL_ENV} to one of trace, debug, info, warn, error (or unset it)."),
        ),
    }
}

fn file(d: &Doctor, dir: &Path) -> Check {
    const ID: &str = "logs.file";
    let caps = WriterConfig::new(dir.to_owned());
    let active = dir.join(ACTIVE_FILE);
    let size = std::fs::metadata(&active).map(|m| m.len()).ok();
    let rotated = writer::rotated_files(dir).len();
    let Some(size) = size else {
        return Check::ok(ID, format!("No {ACTIVE_FILE} yet"));
    };
    let finding = format!(
        "{ACTIVE_FILE} is {} (rotates at {}); {rotated} earlier file{} (the newest {} are kept)",
        human_bytes(size),
        human_bytes(caps.max_file_bytes),
        plural_s(rotated),
        caps.max_files
    );
    match d.runtime.log.as_ref().map(|l| l.dropped_lines) {
        Some(dropped) if dropped > 0 => Check::warning(
            ID,
            format!("{finding}; {dropped} lines were dropped since launch"),
            "The disk was too slow for the log: check free space and the disk's health.",
        ),
        _ if size > caps.max_file_bytes.saturating_mul(2) => Check::warning(
            ID,
            format!("{finding}, more than twice the cap"),
            "Restart the app so the log rotates, and check that the log folder is writable.",
        ),
        _ => Check::ok(ID, finding),
    }
}

fn last_error(dir: &Path) -> Check {
    const ID: &str = "logs.last_error";
    let mut files: Vec<_> = writer::rotated_files(dir)
        .into_iter()
        .map(|(_, _, path)| path)
        .collect();
    files.push(dir.join(ACTIVE_FILE));
    let found = files
        .iter()
        .rev()
        .take(2)
        .find_map(|path| last_error_in(path));
    let Some(line) = found else {
        return Check::ok(ID, "No errors in the latest log files");
    };
    let what = match &line.code {
        Some(code) => format!("{} (code {code})", line.event),
        None => line.event.clone(),
    };
    let finding = format!("Last error at {}: {what}", line.at);
    let recent = line
        .at
        .parse::<jiff::Timestamp>()
        .is_ok_and(|at| jiff::Timestamp::now().duration_since(at).as_hours() < RECENT_ERROR_HOURS);
    if recent {
        Check::warning(
            ID,
            finding,
            "Look the code up in docs/troubleshooting.md; the lines around it share its request_id.",
        )
    } else {
        Check::ok(ID, finding)
    }
}

struct ErrorLine {
    at: String,
    event: String,
    code: Option<String>,
}

fn last_error_in(path: &Path) -> Option<ErrorLine> {
    let text = writer::tail(path, TAIL_BYTES)?;
    text.lines().rev().find_map(|line| {
        let value: serde_json::Value = serde_json::from_str(line).ok()?;
        let level = value.get("levelname")?.as_str()?;
        if level != "ERROR" && level != "CRITICAL" {
            return None;
        }
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        Some(ErrorLine {
            at: text("asctime").unwrap_or_default(),
            event: text("message").unwrap_or_default(),
            code: text("code"),
        })
    })
}
