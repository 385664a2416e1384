//! "No timer is running" reminders during working hours.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::settings::{parse_hh_mm, Reminders};

/// Whether to remind the user now: reminders on, no timer running, inside
/// working hours on a working day in `tz`, and the last reminder at least
/// `every_minutes` ago.
pub fn reminder_due(
    now: Timestamp,
    tz: &TimeZone,
    r: &Reminders,
    timer_running: bool,
    last_reminded: Option<Timestamp>,
) -> bool {
    let _ = (
        now,
        tz,
        r,
        timer_running,
        last_reminded,
        parse_hh_mm("00:00"),
    );
    false
}

/// Logs that the shell showed a reminder notification.
pub fn log_reminder_shown() {
    crate::log_event!("reminder.shown");
}
