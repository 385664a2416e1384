//! `--from` and `--to`: a local date (`2026-11-28`, `--to` inclusive) or an
//! RFC 3339 instant (`2026-11-28T09:00:00Z`, `--to` exclusive).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use timetracker_core::reports::ReportRange;
use timetracker_core::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Date(Date),
    Instant(Timestamp),
}

/// Parses a bound for clap, with a message that says what is accepted.
pub fn parse_bound(text: &str) -> std::result::Result<Bound, String> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        if text.len() == 10 {
            return Ok(Bound::Date(date));
        }
    }
    text.parse::<Timestamp>().map(Bound::Instant).map_err(|_| {
        format!(
            "expected a date like 2026-11-28 or an instant like 2026-11-28T09:00:00Z, not {text:?}"
        )
    })
}

/// The start of a `--from` bound.
pub fn start_of(bound: Bound, tz: &TimeZone) -> Result<Timestamp> {
    match bound {
        Bound::Instant(t) => Ok(t),
        Bound::Date(d) => Ok(ReportRange::day(d, tz)?.from),
    }
}

/// The (exclusive) end of a `--to` bound: a date includes its whole day.
pub fn end_of(bound: Bound, tz: &TimeZone) -> Result<Timestamp> {
    match bound {
        Bound::Instant(t) => Ok(t),
        Bound::Date(d) => Ok(ReportRange::day(d, tz)?.to),
    }
}

/// `days` local days back from `today`, today included.
pub fn days_back(today: Date, days: i64) -> Date {
    today.checked_sub((days - 1).days()).unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_instants_are_told_apart() {
        assert_eq!(
            parse_bound("2026-11-28"),
            Ok(Bound::Date(jiff::civil::date(2026, 11, 28)))
        );
        assert_eq!(
            parse_bound("2026-11-28T09:00:00+01:00"),
            Ok(Bound::Instant("2026-11-28T08:00:00Z".parse().unwrap()))
        );
        assert!(parse_bound("28/11/2026").is_err());
        assert!(
            parse_bound("2026-11-28T09:00:00").is_err(),
            "an instant needs a zone"
        );
    }

    #[test]
    fn a_to_date_includes_its_day() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let d = Bound::Date(jiff::civil::date(2026, 11, 28));
        assert_eq!(
            start_of(d, &tz).unwrap(),
            "2026-11-27T23:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            end_of(d, &tz).unwrap(),
            "2026-11-28T23:00:00Z".parse::<Timestamp>().unwrap()
        );
    }
}
