//! The "Desktop" section of Settings, stored as one JSON value. Missing
//! fields read as their defaults so a later field needs no migration.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::Tracker;

pub const DESKTOP_KEY: &str = "desktop";
/// Overrides the stored idle timeout (minutes, 0 = off) while set.
pub const IDLE_TIMEOUT_ENV: &str = "IDLE_TIMEOUT_MINUTES";

pub const IDLE_TIMEOUT_MAX_MINUTES: u32 = 240;
pub const FORGOTTEN_HOURS: std::ops::RangeInclusive<u32> = 1..=48;
pub const REMINDER_EVERY_MINUTES: std::ops::RangeInclusive<u32> = 5..=480;

/// Settings › Desktop: the stored settings and what the shell found
/// applying them. The shell fills it in; the type lives here so the UI's
/// binding is generated with the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DesktopStatus {
    pub settings: DesktopSettings,
    /// Why the global shortcut is not active, when it is not.
    pub shortcut_error: Option<String>,
    /// Why the pause shortcut is not active, when one is set and it is not.
    pub pause_shortcut_error: Option<String>,
    /// Where idle time is read from ("mutter", "x11"); none: idle detection cannot work.
    pub idle_source: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct DesktopSettings {
    /// Closing the window hides it to the tray instead of quitting.
    pub hide_to_tray: bool,
    /// Global shortcut that toggles the timer, in the global-shortcut
    /// plugin's syntax (`Ctrl+Alt+T`).
    pub shortcut: String,
    /// Global shortcut that pauses the running timer, or resumes the
    /// break; empty for none (the default: no key is taken unasked).
    pub pause_shortcut: String,
    /// Minutes without input before the user is asked about the idle time;
    /// 0 turns idle detection off.
    pub idle_timeout_minutes: u32,
    /// A timer running this long asks "Still working on it?".
    pub forgotten_after_hours: u32,
    pub reminders: Reminders,
    /// Start TimeTracker at login.
    pub autostart: bool,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        Self {
            hide_to_tray: true,
            shortcut: "Ctrl+Alt+T".into(),
            pause_shortcut: String::new(),
            idle_timeout_minutes: 10,
            forgotten_after_hours: 10,
            reminders: Reminders::default(),
            autostart: false,
        }
    }
}

/// A notification when no timer runs during working hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct Reminders {
    pub enabled: bool,
    /// ISO weekdays: Monday = 1 ... Sunday = 7.
    pub weekdays: Vec<u8>,
    /// Working hours, local `HH:MM`, start inclusive, end exclusive.
    pub start: String,
    pub end: String,
    /// At most one reminder this often.
    pub every_minutes: u32,
}

impl Default for Reminders {
    fn default() -> Self {
        Self {
            enabled: false,
            weekdays: vec![1, 2, 3, 4, 5],
            start: "09:00".into(),
            end: "17:00".into(),
            every_minutes: 30,
        }
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::SettingsInvalid(message.into())
}

/// Parses a local time of day written `HH:MM` (24-hour, `9:05` accepted)
/// into minutes after midnight.
pub fn parse_hh_mm(text: &str) -> Option<u32> {
    let (h, m) = text.trim().split_once(':')?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(1..=2).contains(&h.len()) || m.len() != 2 || !digits(h) || !digits(m) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

fn format_hh_mm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl DesktopSettings {
    /// Checks every field and returns the settings as they will be stored
    /// (shortcut trimmed, weekdays sorted without repeats, times as `HH:MM`).
    pub fn validated(&self) -> Result<Self> {
        let mut out = self.clone();
        out.shortcut = self.shortcut.trim().to_owned();
        if out.shortcut.is_empty() {
            return Err(invalid(
                "Give the global shortcut some keys, for example Ctrl+Alt+T.",
            ));
        }
        out.pause_shortcut = self.pause_shortcut.trim().to_owned();
        if out.pause_shortcut.eq_ignore_ascii_case(&out.shortcut) {
            return Err(invalid(
                "The pause shortcut must differ from the one that starts and stops the timer.",
            ));
        }
        if self.idle_timeout_minutes > IDLE_TIMEOUT_MAX_MINUTES {
            return Err(invalid(format!(
                "The idle timeout is 0 (off) to {IDLE_TIMEOUT_MAX_MINUTES} minutes; {} is too long.",
                self.idle_timeout_minutes
            )));
        }
        if !FORGOTTEN_HOURS.contains(&self.forgotten_after_hours) {
            return Err(invalid(format!(
                "Ask about a forgotten timer after {} to {} hours; {} is out of range.",
                FORGOTTEN_HOURS.start(),
                FORGOTTEN_HOURS.end(),
                self.forgotten_after_hours
            )));
        }
        out.reminders = self.reminders.validated()?;
        Ok(out)
    }
}

impl Reminders {
    fn validated(&self) -> Result<Self> {
        let mut out = self.clone();
        if let Some(bad) = self.weekdays.iter().find(|d| !(1..=7).contains(*d)) {
            return Err(invalid(format!(
                "Weekdays are numbered 1 (Monday) to 7 (Sunday); {bad} is not one."
            )));
        }
        out.weekdays.sort_unstable();
        out.weekdays.dedup();
        if self.enabled && out.weekdays.is_empty() {
            return Err(invalid("Pick at least one day for reminders."));
        }
        let time = |label: &str, text: &str| {
            parse_hh_mm(text).ok_or_else(|| {
                invalid(format!(
                    "The {label} of working hours is written HH:MM, for example 09:00; \u{201c}{text}\u{201d} is not."
                ))
            })
        };
        let (start, end) = (time("start", &self.start)?, time("end", &self.end)?);
        if start >= end {
            return Err(invalid(format!(
                "Working hours must start before they end ({} is not before {}).",
                format_hh_mm(start),
                format_hh_mm(end)
            )));
        }
        out.start = format_hh_mm(start);
        out.end = format_hh_mm(end);
        if !REMINDER_EVERY_MINUTES.contains(&self.every_minutes) {
            return Err(invalid(format!(
                "Remind at most every {} to {} minutes; {} is out of range.",
                REMINDER_EVERY_MINUTES.start(),
                REMINDER_EVERY_MINUTES.end(),
                self.every_minutes
            )));
        }
        Ok(out)
    }
}

/// `IDLE_TIMEOUT_MINUTES` when set to a usable number; a bad value is
/// logged and ignored rather than turning idle detection off by surprise.
pub fn idle_timeout_from_env(raw: Option<&str>) -> Option<u32> {
    let raw = raw.map(str::trim).filter(|v| !v.is_empty())?;
    match raw.parse::<u32>() {
        Ok(m) if m <= IDLE_TIMEOUT_MAX_MINUTES => Some(m),
        _ => {
            tracing::warn!(
                "{IDLE_TIMEOUT_ENV}: not a number of minutes from 0 to {IDLE_TIMEOUT_MAX_MINUTES}; using the saved setting"
            );
            None
        }
    }
}

impl Tracker {
    /// The Desktop settings, with `IDLE_TIMEOUT_MINUTES` applied when set.
    pub fn desktop_settings(&self) -> Result<DesktopSettings> {
        let mut settings: DesktopSettings = self.setting_opt(DESKTOP_KEY)?.unwrap_or_default();
        if let Some(minutes) = idle_timeout_from_env(self.env.raw(IDLE_TIMEOUT_ENV)) {
            settings.idle_timeout_minutes = minutes;
        }
        Ok(settings)
    }

    /// Validates and stores `settings`, returning them as stored. Nothing is
    /// stored when a field is invalid (`settings.invalid`, with a message
    /// naming the field).
    pub fn set_desktop_settings(&mut self, settings: &DesktopSettings) -> Result<DesktopSettings> {
        let valid = settings.validated()?;
        self.put_setting(DESKTOP_KEY, &valid)?;
        crate::log_event!("settings.updated", setting = DESKTOP_KEY);
        Ok(valid)
    }
}
