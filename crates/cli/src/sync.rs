//! `tt sync`: turn sync on and off, run it, and see what it did. Output
//! shapes are documented in docs/cli.md.

use std::fmt::Write as _;

use jiff::tz::TimeZone;
use timetracker_core::sync::{SyncReport, SyncStatus};
use timetracker_core::Tracker;

use crate::commands::{Out, Outcome};
use crate::SyncAction;

pub fn run(
    t: &mut Tracker,
    action: SyncAction,
    tz: &crate::zone::LazyZone<'_>,
    out: &mut Out,
) -> Outcome {
    match action {
        SyncAction::Enable {
            folder,
            name,
            new_device,
        } => {
            let report = t.sync_enable(&folder, name.as_deref(), new_device)?;
            let status = t.sync_status()?;
            if out.json {
                return out.json(&status);
            }
            out.text(format!(
                "Sync is on: {} as \u{201c}{}\u{201d}.\n{}",
                status.folder.as_deref().unwrap_or_default(),
                status.device.name,
                report_text(&report)
            ));
        }
        SyncAction::Disable => {
            let status = t.sync_disable()?;
            if out.json {
                return out.json(&status);
            }
            out.text(
                "Sync is off. Your entries stay here, and the sync folder was left as it is.\n",
            );
        }
        SyncAction::Now => {
            let report = t.sync_now()?;
            if out.json {
                return out.json(&report);
            }
            out.text(report_text(&report));
        }
        SyncAction::Status => {
            let status = t.sync_status()?;
            if out.json {
                return out.json(&status);
            }
            out.text(status_text(&status, tz));
        }
        SyncAction::Restore { conflict } => {
            t.sync_restore_conflict(conflict)?;
            if out.json {
                return out.json(&serde_json::json!({ "restored": conflict }));
            }
            out.text("Restored; the other devices take it at their next sync.\n");
        }
    }
    Ok(())
}

fn report_text(r: &SyncReport) -> String {
    let mut out = format!(
        "Wrote {} change{}, applied {} from {} other device{}.\n",
        r.exported,
        crate::text::plural(r.exported),
        r.applied,
        r.devices,
        crate::text::plural(r.devices)
    );
    if r.conflicts > 0 {
        let _ = writeln!(
            out,
            "{} conflict{}: see tt sync status.",
            r.conflicts,
            crate::text::plural(r.conflicts)
        );
    }
    if r.timers_stopped > 0 {
        let _ = writeln!(
            out,
            "Stopped {} timer{}: only one runs across your devices.",
            r.timers_stopped,
            crate::text::plural(r.timers_stopped)
        );
    }
    if r.skipped_files > 0 {
        let _ = writeln!(
            out,
            "Skipped {} file{} for now: see tt sync status.",
            r.skipped_files,
            crate::text::plural(r.skipped_files)
        );
    }
    out
}

fn status_text(s: &SyncStatus, tz: &TimeZone) -> String {
    let mut out = String::new();
    let when = |t: Option<jiff::Timestamp>| {
        t.map_or_else(
            || "never".to_owned(),
            |t| tz.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string(),
        )
    };
    match (&s.folder, s.enabled) {
        (Some(f), true) => {
            let _ = writeln!(out, "Sync is on: {f}");
        }
        (Some(f), false) => {
            let _ = writeln!(out, "Sync is off (last folder: {f})");
        }
        (None, _) => out.push_str("Sync is off. Turn it on with tt sync enable FOLDER.\n"),
    }
    let _ = writeln!(out, "This device: {} ({})", s.device.name, s.device.id);
    let _ = writeln!(
        out,
        "Last sync: {}; {} change{} waiting",
        when(s.last_sync),
        s.pending,
        crate::text::plural(s.pending)
    );
    for d in &s.devices {
        let _ = writeln!(
            out,
            "  device {} ({}), last seen {}",
            d.name,
            d.id,
            when(d.last_seen)
        );
    }
    for c in &s.conflicts {
        let _ = writeln!(
            out,
            "  conflict {}: {} {}: kept \u{201c}{}\u{201d}, lost \u{201c}{}\u{201d}{} (tt sync restore {})",
            c.id,
            c.label,
            c.field,
            c.kept,
            c.lost,
            if c.lost_here { " (from this device)" } else { "" },
            c.id
        );
    }
    for n in &s.notices {
        let _ = writeln!(out, "  {}", n.message);
    }
    for p in &s.problems {
        let _ = writeln!(
            out,
            "  problem: {}{}",
            p.message,
            p.path
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default()
        );
    }
    out
}
