//! Work hours: a target per weekday, days off and public holidays with
//! none, and what was tracked against it: today, this week, any report's
//! range, and a running overtime balance from a day the user picks.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::entries::day_start;
use crate::error::{Error, Result};
use crate::reports::tracked_seconds;
use crate::Tracker;

pub mod ics;

const WORK_HOURS_KEY: &str = "work_hours";
/// More days off than ten years of them is a mistake, not a calendar.
pub const MAX_DAYS_OFF: usize = 3_660;

/// The user's work hours. No target at all until a weekday has one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WorkHours {
    /// Target minutes for Monday through Sunday.
    pub weekday_minutes: [u32; 7],
    /// Days off and public holidays (`YYYY-MM-DD`), which have no target.
    #[ts(type = "string[]")]
    pub days_off: Vec<Date>,
    /// The overtime balance counts from this day on; none, no balance.
    #[ts(type = "string | null")]
    pub balance_from: Option<Date>,
}

/// Tracked time against the target over some days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Progress {
    #[ts(type = "number")]
    pub target_seconds: i64,
    #[ts(type = "number")]
    pub tracked_seconds: i64,
    /// Tracked minus target: overtime when positive.
    #[ts(type = "number")]
    pub difference_seconds: i64,
}

impl Progress {
    fn new(target_seconds: i64, tracked_seconds: i64) -> Self {
        Progress {
            target_seconds,
            tracked_seconds,
            difference_seconds: tracked_seconds - target_seconds,
        }
    }
}

/// The overtime balance: every day from `from` through yesterday (today
/// is still being worked, and shows as progress instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Balance {
    #[ts(type = "string")]
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[ts(type = "string")]
    #[schema(value_type = String, format = Date)]
    pub through: Date,
    #[ts(type = "number")]
    pub seconds: i64,
}

/// What the Timer view shows: today, this week, and the balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WorkProgress {
    pub today: Progress,
    pub week: Progress,
    pub balance: Option<Balance>,
}

impl WorkHours {
    /// Whether any weekday has a target.
    pub fn is_set(&self) -> bool {
        self.weekday_minutes.iter().any(|&m| m > 0)
    }

    /// Checks the limits and puts the days off in order, once each.
    pub fn validated(mut self) -> Result<Self> {
        if let Some(m) = self.weekday_minutes.iter().find(|&&m| m > 24 * 60) {
            return Err(Error::SettingsInvalid(format!(
                "a day has at most 24 hours of work, not {}:{:02}",
                m / 60,
                m % 60
            )));
        }
        self.days_off.sort_unstable();
        self.days_off.dedup();
        if self.days_off.len() > MAX_DAYS_OFF {
            return Err(Error::SettingsInvalid(format!(
                "at most {MAX_DAYS_OFF} days off, not {}",
                self.days_off.len()
            )));
        }
        Ok(self)
    }

    /// The target of one local day, in seconds.
    pub fn day_target(&self, date: Date) -> i64 {
        if self.days_off.binary_search(&date).is_ok() {
            return 0;
        }
        let index = usize::from(date.weekday().to_monday_zero_offset().unsigned_abs());
        i64::from(self.weekday_minutes[index]) * 60
    }

    /// The target of each local day that starts in `[from, to)`.
    fn range_target(&self, from: Timestamp, to: Timestamp, tz: &TimeZone) -> i64 {
        days_in(from, to, tz).map_or(0, |(a, b)| self.target(a, b))
    }

    /// The target of the local days `from` through `to` (inclusive).
    pub fn target(&self, from: Date, to: Date) -> i64 {
        let mut total = 0;
        let mut day = from;
        while day <= to {
            total += self.day_target(day);
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        total
    }
}

/// The local days whose start lies in `[from, to)`: a report's days.
fn days_in(from: Timestamp, to: Timestamp, tz: &TimeZone) -> Option<(Date, Date)> {
    let mut first = tz.to_datetime(from).date();
    if day_start(first, tz).ok()? < from {
        first = first.tomorrow().ok()?;
    }
    let last_instant = to.checked_sub(1.millisecond()).ok()?;
    let last = tz.to_datetime(last_instant).date();
    (first <= last && day_start(first, tz).ok()? < to).then_some((first, last))
}

impl Tracker {
    /// The stored work hours (none set: every target is zero).
    pub fn work_hours(&self) -> Result<WorkHours> {
        Ok(self
            .setting_opt::<WorkHours>(WORK_HOURS_KEY)?
            .unwrap_or_default())
    }

    pub fn set_work_hours(&mut self, hours: WorkHours) -> Result<WorkHours> {
        let hours = hours.validated()?;
        self.put_setting(WORK_HOURS_KEY, &hours)?;
        crate::log_event!("settings.updated", setting = WORK_HOURS_KEY);
        Ok(hours)
    }

    /// A report's target (against its total) and the balance.
    pub(crate) fn report_target(
        &self,
        from: Timestamp,
        to: Timestamp,
        tracked: i64,
        tz: &TimeZone,
    ) -> Result<(Option<Progress>, Option<Balance>)> {
        let hours = self.work_hours()?;
        if !hours.is_set() {
            return Ok((None, None));
        }
        let target = Progress::new(hours.range_target(from, to, tz), tracked);
        Ok((Some(target), self.balance_with(&hours, tz)?))
    }

    /// The overtime balance through yesterday, if a start day is set.
    pub fn balance(&self, tz: &TimeZone) -> Result<Option<Balance>> {
        self.balance_with(&self.work_hours()?, tz)
    }

    /// Today's and this week's progress (the week starting on
    /// `week_start`, the user's locale's first day) and the balance, for
    /// the Timer view. `None` without work hours.
    pub fn work_progress(
        &self,
        week_start: Weekday,
        tz: &TimeZone,
    ) -> Result<Option<WorkProgress>> {
        let hours = self.work_hours()?;
        if !hours.is_set() {
            return Ok(None);
        }
        let today = self.today(tz);
        let next = today.tomorrow().map_err(|_| Error::EntryInvalidRange)?;
        let into_week = i64::from(today.weekday().since(week_start));
        let first = today
            .checked_sub(into_week.days())
            .map_err(|_| Error::EntryInvalidRange)?;
        let after_week = first
            .checked_add(7.days())
            .map_err(|_| Error::EntryInvalidRange)?;
        let day = day_start(today, tz)?;
        Ok(Some(WorkProgress {
            today: self.progress_with(&hours, day, day_start(next, tz)?, tz)?,
            week: self.progress_with(
                &hours,
                day_start(first, tz)?,
                day_start(after_week, tz)?,
                tz,
            )?,
            balance: self.balance_with(&hours, tz)?,
        }))
    }

    /// Target and tracked time over `[from, to)`, counting the target of
    /// each local day that starts inside it.
    fn progress_with(
        &self,
        hours: &WorkHours,
        from: Timestamp,
        to: Timestamp,
        tz: &TimeZone,
    ) -> Result<Progress> {
        let now = self.clock.now().as_millisecond();
        let tracked = self.storage.read("work_progress", |conn| {
            tracked_seconds(conn, from.as_millisecond(), to.as_millisecond(), now)
        })?;
        Ok(Progress::new(hours.range_target(from, to, tz), tracked))
    }

    fn balance_with(&self, hours: &WorkHours, tz: &TimeZone) -> Result<Option<Balance>> {
        let (Some(from), true) = (hours.balance_from, hours.is_set()) else {
            return Ok(None);
        };
        let today = self.today(tz);
        let through = today.yesterday().map_err(|_| Error::EntryInvalidRange)?;
        if from > through {
            return Ok(Some(Balance {
                from,
                through,
                seconds: 0,
            }));
        }
        let start = day_start(from, tz)?.as_millisecond();
        let end = day_start(today, tz)?.as_millisecond();
        let now = self.clock.now().as_millisecond();
        let tracked = self.storage.read("work_balance", |conn| {
            tracked_seconds(conn, start, end, now)
        })?;
        Ok(Some(Balance {
            from,
            through,
            seconds: tracked - hours.target(from, through),
        }))
    }
}

#[cfg(test)]
mod tests;
