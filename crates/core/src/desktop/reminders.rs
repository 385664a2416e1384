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
    if !r.enabled || timer_running {
        return false;
    }
    if let Some(last) = last_reminded {
        let every = jiff::SignedDuration::from_mins(i64::from(r.every_minutes));
        if now.duration_since(last) < every {
            return false;
        }
    }
    let local = now.to_zoned_datetime(tz.clone());
    let weekday = local.weekday().to_monday_one_offset();
    if !r
        .weekdays
        .iter()
        .any(|d| i16::from(*d) == i16::from(weekday))
    {
        return false;
    }
    let (Some(start), Some(end)) = (parse_hh_mm(&r.start), parse_hh_mm(&r.end)) else {
        return false;
    };
    let minute =
        u32::from(local.hour().unsigned_abs()) * 60 + u32::from(local.minute().unsigned_abs());
    (start..end).contains(&minute)
}

/// Logs that the shell showed a reminder notification.
pub fn log_reminder_shown() {
    crate::log_event!("reminder.shown");
}
