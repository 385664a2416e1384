//! Days off from an iCalendar file (RFC 5545), the form public-holiday
//! calendars are published in: every day that an event covers.

use std::io::BufReader;

use jiff::civil::Date;
use jiff::ToSpan;
use serde::Serialize;
use ts_rs::TS;

use super::MAX_DAYS_OFF;
use crate::error::{Error, Result};
use crate::limits::ICS_MAX_BYTES;

/// A holiday longer than this is a mistake in the file, not a holiday.
const MAX_EVENT_DAYS: i64 = 366;

/// What a calendar file gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct IcsDays {
    /// In order, once each.
    #[ts(type = "string[]")]
    pub dates: Vec<Date>,
    /// Events with a repeat rule, taken for their first day only.
    pub repeating: u32,
}

/// The days the events of `text` cover. An all-day event's `DTEND` is
/// the day after its last; a timed event covers the day it starts on.
pub fn days_off(text: &str) -> Result<IcsDays> {
    let invalid = |why: String| Error::HolidaysInvalid(why);
    if text.len() > ICS_MAX_BYTES {
        return Err(invalid(format!(
            "the file is over {} MiB",
            ICS_MAX_BYTES / 1024 / 1024
        )));
    }
    let mut dates = Vec::new();
    let mut repeating = 0u32;
    let mut calendars = 0;
    for calendar in ical::IcalParser::new(BufReader::new(text.as_bytes())) {
        let calendar =
            calendar.map_err(|e| invalid(format!("it does not read as iCalendar ({e})")))?;
        calendars += 1;
        for event in calendar.events {
            let value = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(name))
                    .and_then(|p| p.value.as_deref())
            };
            let start = date_of(
                value("DTSTART").ok_or_else(|| invalid("an event has no DTSTART".into()))?,
            )?;
            let end = match value("DTEND").map(date_of).transpose()? {
                Some(end) if end > start => end,
                _ => start
                    .tomorrow()
                    .map_err(|_| invalid("a date out of range".into()))?,
            };
            if value("RRULE").is_some() {
                repeating += 1;
            }
            let days = start
                .until(end)
                .map_err(|e| invalid(e.to_string()))?
                .get_days();
            if i64::from(days) > MAX_EVENT_DAYS {
                return Err(invalid(format!("an event from {start} lasts {days} days")));
            }
            let mut day = start;
            while day < end {
                dates.push(day);
                day = day
                    .checked_add(1.day())
                    .map_err(|e| invalid(e.to_string()))?;
            }
        }
    }
    if calendars == 0 {
        return Err(invalid("there is no BEGIN:VCALENDAR in it".into()));
    }
    dates.sort_unstable();
    dates.dedup();
    if dates.len() > MAX_DAYS_OFF {
        return Err(invalid(format!(
            "{} days, more than {MAX_DAYS_OFF}",
            dates.len()
        )));
    }
    Ok(IcsDays { dates, repeating })
}

/// The date of `20261225`, `20261225T090000` or `20261225T090000Z`.
fn date_of(value: &str) -> Result<Date> {
    let digits = value.trim().get(..8).unwrap_or_default();
    let parse =
        |range: std::ops::Range<usize>| digits.get(range).and_then(|d| d.parse::<i16>().ok());
    match (parse(0..4), parse(4..6), parse(6..8)) {
        (Some(y), Some(m), Some(d)) if digits.bytes().all(|b| b.is_ascii_digit()) => {
            Date::new(y, m as i8, d as i8)
                .map_err(|_| Error::HolidaysInvalid(format!("no such date: {value}")))
        }
        _ => Err(Error::HolidaysInvalid(format!("not a date: {value}"))),
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const GERMANY: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Holidays//DE\r\n\
BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Weihnachten\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20261003\r\nSUMMARY:Tag der Deutschen\r\n  Einheit\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:3\r\nDTSTART:20270101T000000Z\r\nDTEND:20270101T235959Z\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Neujahr\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:4\r\nDTSTART;VALUE=DATE:20261225\r\nSUMMARY:again\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn every_day_an_event_covers_once_in_order() {
        let got = days_off(GERMANY).unwrap();
        assert_eq!(
            got.dates,
            [
                date(2026, 10, 3),
                date(2026, 12, 25),
                date(2026, 12, 26),
                date(2027, 1, 1)
            ]
        );
        assert_eq!(got.repeating, 1);
    }

    #[test]
    fn what_is_not_a_calendar_is_refused_with_the_reason() {
        let too_large = "X".repeat(ICS_MAX_BYTES + 1);
        for (text, why) in [
            ("id,project\n1,Site\n", "iCalendar"),
            ("", "VCALENDAR"),
            (too_large.as_str(), "over 5 MiB"),
            ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "DTSTART"),
            ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261340\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "20261340"),
            (
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20300101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                "lasts",
            ),
        ] {
            let err = days_off(text).unwrap_err();
            assert_eq!(err.code(), "holidays.invalid");
            assert!(err.to_string().contains(why), "{err}");
        }
    }
}
