//! Reports: tracked time in a range, by project, tag and local day, with
//! billable amounts. Entries are clipped to the range (an entry over
//! midnight counts on both days), a running entry counts up to now, and
//! rounding applies to each entry's clipped duration, never to stored times.

mod range;

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rusqlite::{params, Connection};
use serde::Serialize;
use ts_rs::TS;

pub use range::{ReportRange, Rounding, ROUNDING_ENV, ROUNDING_SETTING};

use crate::entries::{day_start, overlaps};
use crate::error::{Error, Result};
use crate::events::product::ReportPeriod;
use crate::events::Event;
use crate::targets::{Balance, Progress};
use crate::Tracker;

/// What to report on. `tz` decides where local days begin.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    pub tz: TimeZone,
    pub rounding: Rounding,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Report {
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[ts(type = "string")]
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    pub rounding_minutes: u32,
    /// Entries with any time in the range.
    pub entry_count: u32,
    #[ts(type = "number")]
    pub total_seconds: i64,
    #[ts(type = "number")]
    pub rounded_total_seconds: i64,
    /// Most time first; entries without a project have `project_id: null`.
    pub by_project: Vec<ProjectTotal>,
    /// Most time first; an entry with two tags counts for both, so these
    /// do not add up to the total. Untagged time is not listed.
    pub by_tag: Vec<TagTotal>,
    /// Days with tracked time only, oldest first.
    pub by_day: Vec<DayTotal>,
    /// Billable amounts, one per currency, by currency code.
    pub billable: Vec<Amount>,
    /// The work-hour target of the range's days against the total; null
    /// without work hours.
    pub target: Option<Progress>,
    /// The overtime balance through yesterday (not the range's); null
    /// without a start day for it.
    pub balance: Option<Balance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct ProjectTotal {
    #[ts(type = "number | null")]
    pub project_id: Option<i64>,
    pub name: Option<String>,
    pub color: Option<String>,
    pub client: Option<String>,
    #[ts(type = "number")]
    pub seconds: i64,
    #[ts(type = "number")]
    pub rounded_seconds: i64,
    /// This project's part of the total time, 0 to 1.
    pub share: f64,
    /// Rounded time at the hourly rate, for billable projects with a rate.
    #[ts(type = "number | null")]
    pub billable_cents: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct TagTotal {
    pub tag: String,
    #[ts(type = "number")]
    pub seconds: i64,
    #[ts(type = "number")]
    pub rounded_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct DayTotal {
    /// `YYYY-MM-DD` in the report's time zone.
    pub date: String,
    #[ts(type = "number")]
    pub seconds: i64,
    #[ts(type = "number")]
    pub rounded_seconds: i64,
    /// Time between the day's first start and last end (within the range)
    /// that no entry covers.
    #[ts(type = "number")]
    pub break_seconds: i64,
    /// Most time first.
    pub by_project: Vec<DayProject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct DayProject {
    #[ts(type = "number | null")]
    pub project_id: Option<i64>,
    #[ts(type = "number")]
    pub seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, utoipa::ToSchema)]
#[ts(export)]
pub struct Amount {
    pub currency: String,
    #[ts(type = "number")]
    pub cents: i64,
}

/// A project as reports and exports show it: shared so both read the
/// same columns the same way.
#[derive(Default)]
pub(crate) struct ProjectInfo {
    pub(crate) name: String,
    pub(crate) color: String,
    pub(crate) client: Option<String>,
    pub(crate) billable: bool,
    pub(crate) rate: Option<i64>,
    pub(crate) currency: Option<String>,
}

/// One entry's time inside the range.
struct Piece {
    id: i64,
    project_id: Option<i64>,
    start: i64,
    end: i64,
}

pub(crate) const PIECES_SQL: &str =
    "SELECT id, project_id, started_at, stopped_at FROM time_entries
         WHERE started_at >= ?1 AND started_at < ?2
         UNION ALL
         SELECT id, project_id, started_at, stopped_at FROM time_entries
         WHERE id = (SELECT id FROM time_entries WHERE stopped_at IS NULL) AND started_at < ?1";

pub(crate) const TAGS_SQL: &str = "SELECT et.entry_id, et.tag_id FROM time_entries e
           JOIN entry_tags et ON et.entry_id = e.id
         WHERE e.started_at >= ?1 AND e.started_at < ?2
         UNION ALL
         SELECT et.entry_id, et.tag_id FROM time_entries e
           JOIN entry_tags et ON et.entry_id = e.id
         WHERE e.id = (SELECT id FROM time_entries WHERE stopped_at IS NULL) AND e.started_at < ?1";

pub(crate) fn project_infos(conn: &Connection) -> Result<HashMap<i64, ProjectInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, p.color, c.name, p.billable, p.hourly_rate_cents, p.currency
         FROM projects p LEFT JOIN clients c ON c.id = p.client_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            ProjectInfo {
                name: r.get(1)?,
                color: r.get(2)?,
                client: r.get(3)?,
                billable: r.get(4)?,
                rate: r.get(5)?,
                currency: r.get(6)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The parts of entries inside `[from, to)`: the index on started_at is
/// searched from the longest entry's length before `from`, plus the
/// running entry wherever it started. (The running entry is found through
/// its own index by id: written as `stopped_at IS NULL AND started_at < ?`,
/// SQLite walks the started_at index over every older entry instead.)
fn pieces(conn: &Connection, lookback: i64, from: i64, to: i64, now: i64) -> Result<Vec<Piece>> {
    let mut stmt = conn.prepare_cached(PIECES_SQL)?;
    let mut rows = stmt.query(params![lookback, to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let start: i64 = r.get(2)?;
        let end = r.get::<_, Option<i64>>(3)?.unwrap_or(now.max(start));
        let inside = if start == end {
            start >= from && start < to
        } else {
            start < to && end > from
        };
        if inside {
            out.push(Piece {
                id: r.get(0)?,
                project_id: r.get(1)?,
                start: start.max(from),
                end: end.min(to),
            });
        }
    }
    Ok(out)
}

/// Whole seconds tracked inside `[from, to)` (ms), a running entry up to
/// `now`: the report's total without its breakdowns.
pub(crate) fn tracked_seconds(conn: &Connection, from: i64, to: i64, now: i64) -> Result<i64> {
    let lookback = from.saturating_sub(overlaps::longest_ms(conn)?);
    Ok(pieces(conn, lookback, from, to, now)?
        .iter()
        .map(|p| (p.end - p.start) / 1000)
        .sum())
}

/// `(entry id, tag id)` of the entries started from `lookback` to `to` and
/// of the running entry, sorted: ids, not names, so 100,000 entries cost
/// no string copies.
fn entry_tags(conn: &Connection, lookback: i64, to: i64) -> Result<Vec<(i64, i64)>> {
    let mut stmt = conn.prepare_cached(TAGS_SQL)?;
    let rows = stmt.query_map(params![lookback, to], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut pairs = rows.collect::<rusqlite::Result<Vec<(i64, i64)>>>()?;
    pairs.sort_unstable();
    Ok(pairs)
}

/// The tag ids of `entry` in sorted `pairs`.
fn tags_of(pairs: &[(i64, i64)], entry: i64) -> impl Iterator<Item = i64> + '_ {
    let at = pairs.partition_point(|&(e, _)| e < entry);
    pairs[at..]
        .iter()
        .take_while(move |&&(e, _)| e == entry)
        .map(|&(_, tag)| tag)
}

fn tag_names(conn: &Connection) -> Result<HashMap<i64, String>> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM tags")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Splits `total` over `weights` in proportion, exactly (the remainder goes
/// to the largest weights), so parts always add up to the whole.
fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if sum == 0 {
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = total;
        }
        return parts;
    }
    let mut parts: Vec<i64> = weights
        .iter()
        .map(|&w| (i128::from(total) * i128::from(w) / sum) as i64)
        .collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(weights[i]));
    for i in order.into_iter().cycle().take(weights.len() * 2) {
        if left == 0 {
            break;
        }
        parts[i] += left.signum();
        left -= left.signum();
    }
    parts
}

/// Local days in `tz`, with where the next one begins, remembered.
struct Days {
    tz: TimeZone,
    next_start: HashMap<Date, i64>,
}

impl Days {
    /// The local date at `ms` and the instant the following day starts.
    fn at(&mut self, ms: i64) -> Result<(Date, i64)> {
        let ts = Timestamp::from_millisecond(ms).map_err(|_| Error::EntryInvalidRange)?;
        let date = self.tz.to_datetime(ts).date();
        if let Some(&next) = self.next_start.get(&date) {
            return Ok((date, next));
        }
        let next_date = date
            .checked_add(1.day())
            .map_err(|_| Error::EntryInvalidRange)?;
        let next = day_start(next_date, &self.tz)?.as_millisecond();
        self.next_start.insert(date, next);
        Ok((date, next))
    }
}

#[derive(Default)]
struct Sum {
    seconds: i64,
    rounded: i64,
}

#[derive(Default)]
struct DaySum {
    sum: Sum,
    by_project: HashMap<Option<i64>, i64>,
    /// The day's pieces of entries, `(start, end)` in ms, for its breaks.
    spans: Vec<(i64, i64)>,
}

fn period_name(period: ReportPeriod) -> &'static str {
    match period {
        ReportPeriod::Day => "day",
        ReportPeriod::Week => "week",
        ReportPeriod::Month => "month",
        ReportPeriod::Custom => "custom",
    }
}

impl Tracker {
    /// Totals for `query`'s range: see [`Report`].
    pub fn report(&self, query: &ReportQuery) -> Result<Report> {
        let range = ReportRange::instants(query.from, query.to)?;
        let (from, to) = (range.from.as_millisecond(), range.to.as_millisecond());
        let now = self.clock.now().as_millisecond();
        let (projects, pieces, tags, names) = self.storage.read("report", |conn| {
            let lookback = from.saturating_sub(overlaps::longest_ms(conn)?);
            let pieces = pieces(conn, lookback, from, to, now)?;
            let (tags, names) = if pieces.is_empty() {
                (Vec::new(), HashMap::new())
            } else {
                (entry_tags(conn, lookback, to)?, tag_names(conn)?)
            };
            Ok((project_infos(conn)?, pieces, tags, names))
        })?;

        let mut total = Sum::default();
        let mut by_project: HashMap<Option<i64>, Sum> = HashMap::new();
        let mut by_tag: HashMap<i64, Sum> = HashMap::new();
        let mut by_day: BTreeMap<Date, DaySum> = BTreeMap::new();
        let mut days = Days {
            tz: query.tz.clone(),
            next_start: HashMap::new(),
        };
        for piece in &pieces {
            let seconds = (piece.end - piece.start) / 1000;
            let rounded = query.rounding.apply(seconds);
            for sum in [&mut total, by_project.entry(piece.project_id).or_default()] {
                sum.seconds += seconds;
                sum.rounded += rounded;
            }
            for tag in tags_of(&tags, piece.id) {
                let sum = by_tag.entry(tag).or_default();
                sum.seconds += seconds;
                sum.rounded += rounded;
            }
            let (date, next) = days.at(piece.start)?;
            if piece.end <= next {
                // Most entries fit in one day: no splitting to do.
                let day = by_day.entry(date).or_default();
                day.sum.seconds += seconds;
                day.sum.rounded += rounded;
                *day.by_project.entry(piece.project_id).or_default() += seconds;
                day.spans.push((piece.start, piece.end));
                continue;
            }
            let mut dates = vec![date];
            let mut weights = vec![next - piece.start];
            let mut spans = vec![(piece.start, next)];
            let mut at = next;
            while at < piece.end {
                let (date, next) = days.at(at)?;
                let end = next.min(piece.end);
                dates.push(date);
                weights.push(end - at);
                spans.push((at, end));
                at = end;
            }
            let day_seconds = split(seconds, &weights);
            let day_rounded = split(rounded, &weights);
            for (i, date) in dates.into_iter().enumerate() {
                let day = by_day.entry(date).or_default();
                day.sum.seconds += day_seconds[i];
                day.sum.rounded += day_rounded[i];
                *day.by_project.entry(piece.project_id).or_default() += day_seconds[i];
                day.spans.push(spans[i]);
            }
        }

        let report = Report {
            from: range.from,
            to: range.to,
            rounding_minutes: query.rounding.minutes(),
            entry_count: u32::try_from(pieces.len()).unwrap_or(u32::MAX),
            total_seconds: total.seconds,
            rounded_total_seconds: total.rounded,
            by_project: project_totals(by_project, &projects, total.seconds),
            by_tag: tag_totals(by_tag, &names),
            by_day: day_totals(by_day),
            billable: Vec::new(),
            target: None,
            balance: None,
        };
        let (target, balance) =
            self.report_target(range.from, range.to, total.seconds, &query.tz)?;
        let report = Report {
            billable: amounts(&report.by_project),
            target,
            balance,
            ..report
        };
        let period = range.period(&query.tz);
        crate::log_event!(
            "report.generated",
            period = period_name(period),
            entries = report.entry_count,
            rounding_minutes = report.rounding_minutes,
        );
        self.track(Event::ReportGenerated { period });
        Ok(report)
    }

    /// The rounding reports use: `ROUNDING_MINUTES` when set to an allowed
    /// value, else the stored setting, else none. A bad environment value is
    /// logged and ignored rather than breaking every report.
    pub fn rounding(&self) -> Result<Rounding> {
        if let Some(raw) = self.env.value(ROUNDING_ENV) {
            match Rounding::parse(&raw) {
                Ok(r) => return Ok(r),
                Err(e) => tracing::warn!("{ROUNDING_ENV}: {e}"),
            }
        }
        Ok(self
            .setting_opt::<Rounding>(ROUNDING_SETTING)?
            .unwrap_or_default())
    }

    /// Stores the rounding for reports (`ROUNDING_MINUTES` still wins).
    pub fn set_rounding(&mut self, rounding: Rounding) -> Result<()> {
        self.put_setting(ROUNDING_SETTING, &rounding)?;
        crate::log_event!("settings.updated", setting = ROUNDING_SETTING);
        Ok(())
    }
}

fn project_totals(
    sums: HashMap<Option<i64>, Sum>,
    projects: &HashMap<i64, ProjectInfo>,
    total: i64,
) -> Vec<ProjectTotal> {
    let mut out: Vec<ProjectTotal> = sums
        .into_iter()
        .map(|(id, sum)| {
            let info = id.and_then(|id| projects.get(&id));
            let billable_cents = info.and_then(|p| match (p.billable, p.rate, &p.currency) {
                (true, Some(rate), Some(_)) => Some(cents(sum.rounded, rate)),
                _ => None,
            });
            ProjectTotal {
                project_id: id,
                name: info.map(|p| p.name.clone()),
                color: info.map(|p| p.color.clone()),
                client: info.and_then(|p| p.client.clone()),
                seconds: sum.seconds,
                rounded_seconds: sum.rounded,
                share: if total > 0 {
                    sum.seconds as f64 / total as f64
                } else {
                    0.0
                },
                billable_cents,
                currency: billable_cents.and(info.and_then(|p| p.currency.clone())),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.seconds
            .cmp(&a.seconds)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.project_id.cmp(&b.project_id))
    });
    out
}

/// `seconds` at `rate_cents` an hour, to the nearest cent (half up).
fn cents(seconds: i64, rate_cents: i64) -> i64 {
    let exact = i128::from(seconds) * i128::from(rate_cents);
    i64::try_from((exact * 2 + 3600) / 7200).unwrap_or(i64::MAX)
}

fn amounts(projects: &[ProjectTotal]) -> Vec<Amount> {
    let mut by_currency: BTreeMap<&str, i64> = BTreeMap::new();
    for p in projects {
        if let (Some(cents), Some(currency)) = (p.billable_cents, &p.currency) {
            *by_currency.entry(currency).or_default() += cents;
        }
    }
    by_currency
        .into_iter()
        .map(|(currency, cents)| Amount {
            currency: currency.to_owned(),
            cents,
        })
        .collect()
}

fn tag_totals(sums: HashMap<i64, Sum>, names: &HashMap<i64, String>) -> Vec<TagTotal> {
    let mut out: Vec<TagTotal> = sums
        .into_iter()
        .map(|(tag, sum)| TagTotal {
            tag: names.get(&tag).cloned().unwrap_or_default(),
            seconds: sum.seconds,
            rounded_seconds: sum.rounded,
        })
        .collect();
    out.sort_by(|a, b| {
        b.seconds
            .cmp(&a.seconds)
            .then_with(|| a.tag.to_lowercase().cmp(&b.tag.to_lowercase()))
    });
    out
}

fn day_totals(days: BTreeMap<Date, DaySum>) -> Vec<DayTotal> {
    days.into_iter()
        .map(|(date, mut day)| {
            let mut by_project: Vec<DayProject> = day
                .by_project
                .into_iter()
                .map(|(project_id, seconds)| DayProject {
                    project_id,
                    seconds,
                })
                .collect();
            by_project.sort_by(|a, b| {
                b.seconds
                    .cmp(&a.seconds)
                    .then_with(|| a.project_id.cmp(&b.project_id))
            });
            DayTotal {
                date: date.to_string(),
                seconds: day.sum.seconds,
                rounded_seconds: day.sum.rounded,
                break_seconds: crate::breaks::gap_seconds(&mut day.spans),
                by_project,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
