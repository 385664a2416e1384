//! Wall-clock dates and times as Toggl and Clockify write them, which
//! follows each user's display settings: `2026-11-23`, `11/23/2026`,
//! `23/11/2026`, `23-11-2026`, `11-23-2026` or `23.11.2026`, and
//! `14:05:00`, `14:05`, `02:05 PM` or `2:05:00 pm`.

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

/// How a date with the year last and `/` or `-` between the parts is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// From the file: a first part above 12 means day first, a second part
    /// above 12 means month first. A file where no date decides (every part
    /// 12 or below) is read month first, Toggl's and Clockify's default
    /// setting; a file that proves both orders is an error.
    #[default]
    Auto,
    /// `11/23/2026`
    MonthFirst,
    /// `23/11/2026`
    DayFirst,
}

/// A date split into its numbers, before the order of day and month is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawDate {
    /// Year first (`2026-11-23`), or day first with dots (`23.11.2026`):
    /// both say which part is which.
    Known { year: i16, month: i8, day: i8 },
    /// `a/b/year` or `a-b-year`: month/day or day/month.
    Either { a: i8, b: i8, year: i16 },
}

impl RawDate {
    pub fn parse(s: &str) -> Result<RawDate, String> {
        let s = s.trim();
        let bad = || format!("\u{201c}{s}\u{201d} is not a date");
        let sep = s
            .chars()
            .find(|c| matches!(c, '-' | '/' | '.'))
            .ok_or_else(bad)?;
        let parts: Vec<&str> = s.split(sep).collect();
        let [p0, p1, p2] = parts[..] else {
            return Err(bad());
        };
        let num = |p: &str, max_len: usize| -> Result<i64, String> {
            if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse::<i64>().map_err(|_| bad())
        };
        let small = |v: i64| i8::try_from(v).map_err(|_| bad());
        let year = |v: i64| i16::try_from(v).map_err(|_| bad());
        if p0.len() == 4 {
            return Ok(RawDate::Known {
                year: year(num(p0, 4)?)?,
                month: small(num(p1, 2)?)?,
                day: small(num(p2, 2)?)?,
            });
        }
        if p2.len() != 4 {
            return Err(bad());
        }
        let (a, b, y) = (small(num(p0, 2)?)?, small(num(p1, 2)?)?, year(num(p2, 4)?)?);
        if sep == '.' {
            Ok(RawDate::Known {
                year: y,
                month: b,
                day: a,
            })
        } else {
            Ok(RawDate::Either { a, b, year: y })
        }
    }

    /// The order this date proves, if any.
    pub fn evidence(self) -> Option<DateOrder> {
        match self {
            RawDate::Either { a, b, .. } if a > 12 && b <= 12 => Some(DateOrder::DayFirst),
            RawDate::Either { a, b, .. } if b > 12 && a <= 12 => Some(DateOrder::MonthFirst),
            _ => None,
        }
    }

    /// The calendar date, reading ambiguous dates in `order` (which must
    /// already be decided; `Auto` reads month first).
    pub fn resolve(self, order: DateOrder, original: &str) -> Result<Date, String> {
        let (year, month, day) = match (self, order) {
            (RawDate::Known { year, month, day }, _) => (year, month, day),
            (RawDate::Either { a, b, year }, DateOrder::DayFirst) => (year, b, a),
            (RawDate::Either { a, b, year }, _) => (year, a, b),
        };
        Date::new(year, month, day).map_err(|_| {
            format!(
                "\u{201c}{}\u{201d} is not a date in the calendar",
                original.trim()
            )
        })
    }
}

/// Decides the order of an `Auto` file from its dates (`(line, raw)` in file
/// order): `Ok(order)`, or the line and message of the first date that
/// contradicts the order an earlier line proved.
pub(crate) fn decide_order<'a>(
    requested: DateOrder,
    dates: impl IntoIterator<Item = (usize, &'a str)>,
) -> Result<DateOrder, (usize, String)> {
    if requested != DateOrder::Auto {
        return Ok(requested);
    }
    let mut proven: Option<(DateOrder, usize, &str)> = None;
    for (line, raw) in dates {
        let Some(order) = RawDate::parse(raw).ok().and_then(RawDate::evidence) else {
            continue;
        };
        match proven {
            None => proven = Some((order, line, raw)),
            Some((first, first_line, first_raw)) if first != order => {
                let describe = |o: DateOrder| match o {
                    DateOrder::DayFirst => "day first",
                    _ => "month first",
                };
                return Err((
                    line,
                    format!(
                        "\u{201c}{}\u{201d} is written {}, but line {first_line} has \u{201c}{}\u{201d} written {}; \
                         export the file again with one date format",
                        raw.trim(),
                        describe(order),
                        first_raw.trim(),
                        describe(first),
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(proven.map_or(DateOrder::MonthFirst, |(order, _, _)| order))
}

/// `14:05:00`, `14:05`, `2:05 PM`, `02:05:00pm`.
pub(crate) fn parse_time(s: &str) -> Result<Time, String> {
    let s = s.trim();
    let bad = || format!("\u{201c}{s}\u{201d} is not a time of day");
    let lower = s.to_ascii_lowercase();
    let (clock, meridiem) = if let Some(rest) = lower.strip_suffix("am") {
        (rest.trim_end(), Some(false))
    } else if let Some(rest) = lower.strip_suffix("pm") {
        (rest.trim_end(), Some(true))
    } else {
        (lower.as_str(), None)
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let mut nums = [0i8; 3];
    for (slot, part) in nums.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        *slot = part.parse().map_err(|_| bad())?;
    }
    let [mut hour, minute, second] = nums;
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&hour) {
            return Err(bad());
        }
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, false) => h,
            (h, true) => h + 12,
        };
    }
    Time::new(hour, minute, second, 0).map_err(|_| bad())
}

pub(crate) fn datetime(date: Date, time: Time) -> DateTime {
    DateTime::from_parts(date, time)
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn read(s: &str, order: DateOrder) -> Result<Date, String> {
        RawDate::parse(s)?.resolve(order, s)
    }

    #[test]
    fn every_common_date_setting_reads() {
        let day = date(2026, 11, 23);
        assert_eq!(read("2026-11-23", DateOrder::Auto), Ok(day));
        assert_eq!(read("2026/11/23", DateOrder::DayFirst), Ok(day));
        assert_eq!(read("11/23/2026", DateOrder::MonthFirst), Ok(day));
        assert_eq!(read("23/11/2026", DateOrder::DayFirst), Ok(day));
        assert_eq!(read("23-11-2026", DateOrder::DayFirst), Ok(day));
        assert_eq!(read("11-23-2026", DateOrder::MonthFirst), Ok(day));
        assert_eq!(read("23.11.2026", DateOrder::MonthFirst), Ok(day));
        assert_eq!(
            read("3/4/2026", DateOrder::MonthFirst),
            Ok(date(2026, 3, 4))
        );
        assert_eq!(read("3/4/2026", DateOrder::DayFirst), Ok(date(2026, 4, 3)));
    }

    #[test]
    fn impossible_dates_say_so() {
        assert_eq!(
            read("2026-02-30", DateOrder::Auto),
            Err("\u{201c}2026-02-30\u{201d} is not a date in the calendar".into())
        );
        assert_eq!(
            read("23/11/2026", DateOrder::MonthFirst),
            Err("\u{201c}23/11/2026\u{201d} is not a date in the calendar".into())
        );
        for bad in [
            "",
            "yesterday",
            "23/11/26",
            "2026-11",
            "1/2/3/2026",
            "2026-1x-01",
        ] {
            assert_eq!(
                RawDate::parse(bad),
                Err(format!("\u{201c}{bad}\u{201d} is not a date")),
                "{bad}"
            );
        }
    }

    #[test]
    fn order_is_decided_by_the_file() {
        let dates = |v: &[&'static str]| {
            v.iter()
                .enumerate()
                .map(|(i, s)| (i + 2, *s))
                .collect::<Vec<_>>()
        };
        let auto = DateOrder::Auto;
        assert_eq!(
            decide_order(auto, dates(&["01/02/2026", "13/02/2026"])),
            Ok(DateOrder::DayFirst)
        );
        assert_eq!(
            decide_order(auto, dates(&["01/02/2026", "02/13/2026"])),
            Ok(DateOrder::MonthFirst)
        );
        // Nothing decides: the exporters' default, month first.
        assert_eq!(
            decide_order(auto, dates(&["01/02/2026", "2026-12-31"])),
            Ok(DateOrder::MonthFirst)
        );
        // An explicit order is not second-guessed.
        assert_eq!(
            decide_order(DateOrder::DayFirst, dates(&["02/13/2026"])),
            Ok(DateOrder::DayFirst)
        );
        let (line, message) =
            decide_order(auto, dates(&["13/01/2026", "05/05/2026", "01/13/2026"])).unwrap_err();
        assert_eq!(line, 4);
        assert_eq!(
            message,
            "\u{201c}01/13/2026\u{201d} is written month first, but line 2 has \u{201c}13/01/2026\u{201d} \
             written day first; export the file again with one date format"
        );
    }

    #[test]
    fn times_in_24_and_12_hour_clocks() {
        assert_eq!(parse_time("14:05:09"), Ok(time(14, 5, 9, 0)));
        assert_eq!(parse_time(" 14:05 "), Ok(time(14, 5, 0, 0)));
        assert_eq!(parse_time("2:05 PM"), Ok(time(14, 5, 0, 0)));
        assert_eq!(parse_time("02:05:30pm"), Ok(time(14, 5, 30, 0)));
        assert_eq!(parse_time("12:00 AM"), Ok(time(0, 0, 0, 0)));
        assert_eq!(parse_time("12:30 pm"), Ok(time(12, 30, 0, 0)));
        assert_eq!(parse_time("9:15 am"), Ok(time(9, 15, 0, 0)));
        for bad in [
            "", "14", "25:00", "13:00 PM", "0:10 AM", "12:60", "1:2:3:4", "ab:cd",
        ] {
            assert_eq!(
                parse_time(bad),
                Err(format!("\u{201c}{bad}\u{201d} is not a time of day")),
                "{bad}"
            );
        }
    }
}
