//! Reading a request: JSON bodies, query strings and path ids, each failing
//! as `api.invalid_request` with what was wrong (axum's own rejections are
//! plain text, not the API's error shape).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::entries::day_start;
use crate::error::{Error, Result};
use crate::reports::{ReportQuery, ReportRange, Rounding};
use crate::Tracker;

pub(crate) fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    // An empty body is an empty object: `POST /timer/stop` needs none.
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes)
        .map_err(|e| Error::ApiInvalidRequest(format!("the JSON body does not fit: {e}")))
}

pub(crate) fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| Error::ApiInvalidRequest(format!("the query string does not fit: {e}")))
}

pub(crate) fn id(raw: &str) -> Result<i64> {
    raw.parse()
        .map_err(|_| Error::ApiInvalidRequest(format!("{raw:?} is not an id (a whole number)")))
}

/// A range's ends as the query gives them.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// The range's start: an RFC 3339 instant (`2026-12-01T08:00:00Z`), or a
    /// date (`2026-12-01`), which starts at local midnight.
    pub from: Option<String>,
    /// The range's end, exclusive: an instant, or a date, whose whole day is
    /// included.
    pub to: Option<String>,
}

/// One end of a range: an instant, or a local date (`to` includes it).
fn bound(text: &str, end: bool, tz: &TimeZone) -> Result<Timestamp> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts);
    }
    let date: Date = text.parse().map_err(|_| {
        Error::ApiInvalidRequest(format!(
            "{text:?} is neither an RFC 3339 time (2026-12-01T08:00:00Z) nor a date (2026-12-01)"
        ))
    })?;
    let date = if end {
        date.checked_add(1.day())
            .map_err(|_| Error::EntryInvalidRange)?
    } else {
        date
    };
    day_start(date, tz)
}

impl Range {
    /// The range of an entry listing: by default the seven days before
    /// today and today, as `tt log`.
    pub fn for_entries(&self, t: &Tracker, tz: &TimeZone) -> Result<(Timestamp, Timestamp)> {
        let today = t.today(tz);
        let default = (
            day_start(today.saturating_sub(7.days()), tz)?,
            day_start(today.saturating_add(1.day()), tz)?,
        );
        self.resolve(default, tz)
    }

    /// A report's query: by default this week, rounded as the setting says,
    /// as `tt report`.
    pub fn for_report(
        &self,
        t: &Tracker,
        round: Option<u32>,
        tz: &TimeZone,
    ) -> Result<ReportQuery> {
        let week = ReportRange::week(t.today(tz), tz)?;
        let (from, to) = self.resolve((week.from, week.to), tz)?;
        let rounding = match round {
            Some(m) => Rounding::new(m)?,
            None => t.rounding()?,
        };
        Ok(ReportQuery {
            from,
            to,
            tz: tz.clone(),
            rounding,
        })
    }

    /// The range asked for; a missing end falls back to `default`'s. `tt
    /// mcp` reads its tools' ranges with this too.
    pub fn resolve(
        &self,
        default: (Timestamp, Timestamp),
        tz: &TimeZone,
    ) -> Result<(Timestamp, Timestamp)> {
        let from = match &self.from {
            Some(t) => bound(t, false, tz)?,
            None => default.0,
        };
        let to = match &self.to {
            Some(t) => bound(t, true, tz)?,
            None => default.1,
        };
        if from >= to {
            return Err(Error::EntryInvalidRange);
        }
        Ok((from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_local_days_and_instants_are_taken_as_given() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let range = Range {
            from: Some("2026-03-29".into()),
            to: Some("2026-03-29".into()),
        };
        let (from, to) = range
            .resolve((Timestamp::MIN, Timestamp::MAX), &tz)
            .unwrap();
        assert_eq!(from.to_string(), "2026-03-28T23:00:00Z");
        // The spring-forward day has 23 hours.
        assert_eq!(to.to_string(), "2026-03-29T22:00:00Z");
        let range = Range {
            from: Some("2026-03-29T08:00:00+02:00".into()),
            to: None,
        };
        let (from, _) = range
            .resolve((Timestamp::MIN, Timestamp::MAX), &tz)
            .unwrap();
        assert_eq!(from.to_string(), "2026-03-29T06:00:00Z");
    }

    #[test]
    fn bad_ranges_and_bodies_say_what_is_wrong() {
        let tz = TimeZone::UTC;
        let backwards = Range {
            from: Some("2026-12-02".into()),
            to: Some("2026-12-01".into()),
        };
        let err = backwards.resolve((Timestamp::MIN, Timestamp::MAX), &tz);
        assert_eq!(err.unwrap_err().code(), "entry.invalid_range");
        let junk = Range {
            from: Some("yesterday".into()),
            to: None,
        };
        let err = junk
            .resolve((Timestamp::MIN, Timestamp::MAX), &tz)
            .unwrap_err();
        assert_eq!(err.code(), "api.invalid_request");
        assert!(err.to_string().contains("\"yesterday\""), "{err}");
        let err = body::<crate::NewEntry>(b"{\"started_at\": 5}").unwrap_err();
        assert_eq!(err.code(), "api.invalid_request");
        assert_eq!(id("12x").unwrap_err().code(), "api.invalid_request");
        assert_eq!(id("12").unwrap(), 12);
    }
}
