//! Sync (the shared folder, the devices in it, files skipped, conflicts)
//! and the desktop integration (tray, global shortcut, idle, autostart).

use super::{plural_s, shown, Check, Doctor};

/// What the autostart manager names its entry (the product name).
pub const AUTOSTART_ENTRY: &str = "TimeTracker.desktop";

pub(super) fn sync_checks(d: &Doctor) -> Vec<Check> {
    let Some(tracker) = d.tracker() else {
        return vec![Check::skipped("sync.folder", "The database is not open")];
    };
    let status = match tracker.sync_status() {
        Ok(status) => status,
        Err(e) => {
            return vec![Check::problem(
                "sync.folder",
                format!("The sync state cannot be read: {e}"),
                "Run tt doctor again; tt sync status shows the same.",
            )]
        }
    };
    let Some(folder) = status.folder.as_deref().filter(|_| status.enabled) else {
        return vec![Check::skipped(
            "sync.folder",
            "Sync is off (Settings › Sync or tt sync enable FOLDER turns it on)",
        )];
    };
    let folder = std::path::Path::new(folder);
    let own = crate::sync::files::root(folder).join(&status.device.id);
    let folder_check = if !folder.is_dir() {
        Check::problem(
            "sync.folder",
            format!("The sync folder {} is not there", shown(folder)),
            "Mount or reconnect the drive or share, or start the sync program; changes wait here meanwhile.",
        )
    } else {
        // This device's own folder once it exists; before its first write,
        // the nearest folder above it that does (doctor creates nothing).
        let target = own
            .ancestors()
            .find(|p| p.is_dir())
            .unwrap_or(folder)
            .to_path_buf();
        match super::writable(&target) {
            Ok(()) => Check::ok(
                "sync.folder",
                format!(
                    "{} is reachable and writable; {} change{} waiting to be written",
                    shown(folder),
                    status.pending,
                    plural_s(status.pending)
                ),
            ),
            Err(e) => Check::problem(
                "sync.folder",
                format!("{} cannot be written: {e}", shown(&target)),
                "Give yourself write access to the sync folder, or free disk space.",
            ),
        }
    };
    let devices = match status.devices.len() {
        0 => Check::warning(
            "sync.devices",
            "No other device has written to the folder yet",
            "Enable sync on the other device with the same folder, and check that the sync program shares it.",
        ),
        n => {
            let latest = status
                .devices
                .iter()
                .filter_map(|p| p.last_seen)
                .max()
                .map(|t| format!(", the latest wrote at {t}"))
                .unwrap_or_default();
            Check::ok(
                "sync.devices",
                format!("{n} other device{} seen{latest}", plural_s(n)),
            )
        }
    };
    let clash = status
        .problems
        .iter()
        .find(|p| p.code == "sync.device_clash");
    let skipped: Vec<_> = status
        .problems
        .iter()
        // Every other problem is a file skipped for now (in progress,
        // damaged, a conflict copy, a newer format...).
        .filter(|p| !matches!(p.code.as_str(), "sync.device_clash" | "sync.folder_missing"))
        .collect();
    let files = if let Some(clash) = clash {
        Check::problem(
            "sync.files",
            clash.message.clone(),
            "Two devices share one id (a copied data folder): on one of them run tt sync enable FOLDER --new-device.",
        )
    } else if skipped.is_empty() {
        Check::ok("sync.files", "Every file in the folder was read")
    } else {
        let mut codes: Vec<&str> = skipped.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        Check::warning(
            "sync.files",
            format!(
                "{} file{} skipped ({})",
                skipped.len(),
                plural_s(skipped.len()),
                codes.join(", ")
            ),
            "Settings › Sync lists them; a file still being copied is read on the next pass, a damaged one needs its device to write it again.",
        )
    };
    let conflicts = match status.conflicts.len() {
        0 => Check::ok("sync.conflicts", "No conflicting edits"),
        n => Check::warning(
            "sync.conflicts",
            format!(
                "{n} edit{} lost to a later edit on another device",
                if n == 1 { " was" } else { "s were" }
            ),
            "Review them in Settings › Sync: each can be restored with one click.",
        ),
    };
    vec![folder_check, devices, files, conflicts]
}

pub(super) fn desktop_checks(d: &Doctor) -> Vec<Check> {
    let settings = d
        .tracker()
        .and_then(|t| t.desktop_settings().ok())
        .unwrap_or_default();
    let Some(rt) = &d.runtime.desktop else {
        let why = "Only the running app knows: see Settings › Diagnostics";
        return vec![
            Check::skipped("desktop.tray", why),
            Check::skipped("desktop.shortcut", why),
            Check::skipped("desktop.idle", why),
            autostart(d, settings.autostart, None),
        ];
    };
    let tray = match &rt.tray_error {
        None => Check::ok("desktop.tray", "The tray icon is up"),
        Some(e) => Check::warning(
            "desktop.tray",
            format!("No tray icon: {e}"),
            "Install a StatusNotifier host (GNOME: the AppIndicator extension); the window works without it.",
        ),
    };
    let shortcut = match (&rt.shortcut_error, settings.shortcut.is_empty()) {
        (_, true) => Check::ok("desktop.shortcut", "No global shortcut is set"),
        (None, false) => Check::ok(
            "desktop.shortcut",
            format!("{} is registered", settings.shortcut),
        ),
        (Some(e), false) => Check::problem(
            "desktop.shortcut",
            format!("{} is not registered: {e}", settings.shortcut),
            "Choose another shortcut in Settings › Desktop; another program may hold this one.",
        ),
    };
    let idle = match &rt.idle_source {
        Some(source) => Check::ok("desktop.idle", format!("Idle time comes from {source}")),
        None if settings.idle_timeout_minutes == 0 => {
            Check::ok("desktop.idle", "Idle detection is off")
        }
        None => Check::warning(
            "desktop.idle",
            "No source of idle time: idle detection cannot work here",
            "Idle time needs GNOME (Mutter) or an X11 session with the XScreenSaver extension.",
        ),
    };
    vec![
        tray,
        shortcut,
        idle,
        autostart(d, settings.autostart, rt.autostart_registered),
    ]
}

fn autostart(d: &Doctor, wanted: bool, registered: Option<bool>) -> Check {
    const ID: &str = "desktop.autostart";
    let entry = d
        .autostart_dir
        .as_ref()
        .map(|dir| dir.join(AUTOSTART_ENTRY));
    let registered = registered.or_else(|| entry.as_ref().map(|e| e.exists()));
    match (wanted, registered) {
        (_, None) => Check::skipped(ID, "Where autostart entries live is unknown here"),
        (true, Some(true)) => Check::ok(ID, "Starts at login, as set"),
        (false, Some(false)) => Check::ok(ID, "Does not start at login, as set"),
        (true, Some(false)) => Check::problem(
            ID,
            "Set to start at login, but no autostart entry exists",
            "Turn Settings › Desktop › Start at login off and on again.",
        ),
        (false, Some(true)) => Check::warning(
            ID,
            format!(
                "Set not to start at login, but an autostart entry exists{}",
                entry
                    .map(|e| format!(" ({})", shown(&e)))
                    .unwrap_or_default()
            ),
            "Turn Settings › Desktop › Start at login on and off again, or delete the entry.",
        ),
    }
}
