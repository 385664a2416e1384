//! What a report covers and how it rounds: ranges of local days in a time
//! zone, and the rounding of each entry's duration.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::entries::day_start;
use crate::error::{Error, Result};
use crate::events::product::ReportPeriod;

pub const ROUNDING_ENV: &str = "ROUNDING_MINUTES";
pub const ROUNDING_SETTING: &str = "rounding_minutes";

/// Rounds each entry's duration to the nearest multiple of `minutes`
/// (ties up) in reports and exports of totals. Stored times are never
/// rounded. One minute means no rounding at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, TS)]
#[ts(export, type = "number")]
pub struct Rounding {
    minutes: u32,
}

impl Rounding {
    pub const ALLOWED: [u32; 6] = [1, 5, 6, 10, 15, 30];
    pub const NONE: Rounding = Rounding { minutes: 1 };

    pub fn new(minutes: u32) -> Result<Self> {
        if Self::ALLOWED.contains(&minutes) {
            Ok(Rounding { minutes })
        } else {
            Err(Error::ReportInvalidRounding(minutes.to_string()))
        }
    }

    /// Parses `ROUNDING_MINUTES`-style text (`15`).
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let minutes = text
            .parse::<u32>()
            .map_err(|_| Error::ReportInvalidRounding(text.to_owned()))?;
        Self::new(minutes)
    }

    pub fn minutes(self) -> u32 {
        self.minutes
    }

    /// `seconds` rounded to the nearest step, ties up; unchanged with no
    /// rounding.
    pub fn apply(self, seconds: i64) -> i64 {
        if self.minutes <= 1 {
            return seconds;
        }
        let step = i64::from(self.minutes) * 60;
        (seconds + step / 2).div_euclid(step) * step
    }
}

impl Default for Rounding {
    fn default() -> Self {
        Self::NONE
    }
}

/// Stored and sent as the bare number of minutes.
impl Serialize for Rounding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u32(self.minutes)
    }
}

impl<'de> Deserialize<'de> for Rounding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let minutes = u32::deserialize(d)?;
        Rounding::new(minutes).map_err(serde::de::Error::custom)
    }
}

/// A span of time to report on: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    pub from: Timestamp,
    pub to: Timestamp,
}

fn next_day(date: Date) -> Result<Date> {
    date.checked_add(1.day())
        .map_err(|_| Error::EntryInvalidRange)
}

impl ReportRange {
    /// The local day `date` in `tz` (23 or 25 hours on a DST change).
    pub fn day(date: Date, tz: &TimeZone) -> Result<Self> {
        Self::custom(date, date, tz)
    }

    /// The ISO week (Monday to Sunday) holding `date`.
    pub fn week(date: Date, tz: &TimeZone) -> Result<Self> {
        let back = i64::from(date.weekday().to_monday_zero_offset());
        let monday = date
            .checked_sub(back.days())
            .map_err(|_| Error::EntryInvalidRange)?;
        let sunday = monday
            .checked_add(6.days())
            .map_err(|_| Error::EntryInvalidRange)?;
        Self::custom(monday, sunday, tz)
    }

    /// The calendar month holding `date`.
    pub fn month(date: Date, tz: &TimeZone) -> Result<Self> {
        Self::custom(date.first_of_month(), date.last_of_month(), tz)
    }

    /// From the start of local day `from` to the end of local day `to`
    /// (inclusive).
    pub fn custom(from: Date, to: Date, tz: &TimeZone) -> Result<Self> {
        if from > to {
            return Err(Error::EntryInvalidRange);
        }
        Ok(ReportRange {
            from: day_start(from, tz)?,
            to: day_start(next_day(to)?, tz)?,
        })
    }

    /// Between two instants.
    pub fn instants(from: Timestamp, to: Timestamp) -> Result<Self> {
        if from > to {
            return Err(Error::EntryInvalidRange);
        }
        Ok(ReportRange { from, to })
    }

    /// Which kind of period this is in `tz`: a day, an ISO week or a month
    /// exactly, else custom.
    pub fn period(&self, tz: &TimeZone) -> ReportPeriod {
        let date = tz.to_datetime(self.from).date();
        let is = |r: Result<ReportRange>| r.is_ok_and(|r| r == *self);
        if is(Self::day(date, tz)) {
            ReportPeriod::Day
        } else if is(Self::week(date, tz)) {
            ReportPeriod::Week
        } else if is(Self::month(date, tz)) {
            ReportPeriod::Month
        } else {
            ReportPeriod::Custom
        }
    }
}
