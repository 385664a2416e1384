//! Detailed-report CSVs (Toggl Track, Clockify): one row per entry with
//! wall-clock start and end split into date and time columns, in the zone
//! of the exporting user's profile.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::dates::{self, RawDate};
use super::table::{Row, Table};
use super::values::{self, noted};
use super::{ImportRecord, ParseOptions};
use crate::error::import::{ImportError, Problems};

/// The column names of one exporter (matched ignoring case).
pub(crate) struct SheetSpec {
    /// For messages: "Toggl Track", "Clockify".
    pub label: &'static str,
    pub project: &'static str,
    pub description: &'static str,
    pub start_date: &'static str,
    pub start_time: &'static str,
    pub end_date: &'static str,
    pub end_time: &'static str,
    /// Optional columns.
    pub client: &'static str,
    pub tags: &'static str,
    pub billable: &'static str,
    /// The start of an hourly-rate column name whose `(XXX)` suffix names
    /// the currency, e.g. `Billable Rate` for `Billable Rate (USD)`.
    pub rate_prefix: Option<&'static str>,
}

struct Columns {
    project: usize,
    description: usize,
    start_date: usize,
    start_time: usize,
    end_date: usize,
    end_time: usize,
    client: Option<usize>,
    tags: Option<usize>,
    billable: Option<usize>,
    rate: Option<(usize, Option<String>)>,
}

pub(crate) fn parse(
    text: &str,
    spec: &SheetSpec,
    options: &ParseOptions,
) -> Result<Vec<ImportRecord>, ImportError> {
    let mut problems = Problems::default();
    let table = Table::read(text, &mut problems)?;
    let [project, description, start_date, start_time, end_date, end_time] = table.require(
        [
            spec.project,
            spec.description,
            spec.start_date,
            spec.start_time,
            spec.end_date,
            spec.end_time,
        ],
        spec.label,
    )?;
    let cols = Columns {
        project,
        description,
        start_date,
        start_time,
        end_date,
        end_time,
        client: table.find(spec.client),
        tags: table.find(spec.tags),
        billable: table.find(spec.billable),
        rate: spec
            .rate_prefix
            .and_then(|p| table.find_prefix(p))
            .map(|(i, h)| (i, values::currency_in_header(h))),
    };

    let dates = table.rows.iter().flat_map(|r| {
        [
            (r.line, r.get(cols.start_date)),
            (r.line, r.get(cols.end_date)),
        ]
    });
    // Every date after a contradiction would be misread one way or the
    // other; the contradiction alone says what is wrong.
    let order = match dates::decide_order(options.date_order, dates) {
        Ok(order) => order,
        Err((line, message)) => {
            problems.add(line, message);
            return problems.finish(Vec::new());
        }
    };

    let mut records = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut errors = Vec::new();
        if let Some(record) = read_row(row, &cols, order, &options.tz, &mut errors) {
            records.push(record);
        }
        for message in errors {
            problems.add(row.line, message);
        }
    }
    problems.finish(records)
}

fn read_row(
    row: &Row,
    cols: &Columns,
    order: dates::DateOrder,
    tz: &TimeZone,
    errors: &mut Vec<String>,
) -> Option<ImportRecord> {
    let start = noted(
        instant(row, cols.start_date, cols.start_time, order, tz, "start"),
        errors,
    )
    .flatten();
    if start.is_none() && errors.is_empty() {
        errors.push("the start date and time are empty".to_owned());
    }
    let end = noted(
        instant(row, cols.end_date, cols.end_time, order, tz, "end"),
        errors,
    )
    .flatten();
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.push(format!(
                "the entry ends ({} {}) before it starts ({} {})",
                row.get(cols.end_date),
                row.get(cols.end_time),
                row.get(cols.start_date),
                row.get(cols.start_time),
            ));
        }
    }
    let billable = cols
        .billable
        .and_then(|i| noted(values::yes_no(row.get(i)), errors))
        .flatten();
    // Clockify writes a rate of 0 for entries without one.
    let rate = match &cols.rate {
        Some((i, _)) => noted(values::cents(row.get(*i), "the hourly rate"), errors)
            .flatten()
            .filter(|&c| c > 0),
        None => None,
    };
    let currency = rate.and(cols.rate.as_ref().and_then(|(_, c)| c.clone()));
    if !errors.is_empty() {
        return None;
    }
    Some(ImportRecord {
        line: row.line,
        project: values::name(row.get(cols.project)),
        client: cols.client.and_then(|i| values::name(row.get(i))),
        description: values::description(row.get(cols.description)),
        start: start?,
        end,
        tags: cols
            .tags
            .map_or_else(Vec::new, |i| values::tags(row.get(i), ',')),
        billable,
        hourly_rate_cents: rate,
        currency,
    })
}

/// The instant of a date and time column pair; `Ok(None)` when both are
/// empty (an entry still running has no end).
fn instant(
    row: &Row,
    date_col: usize,
    time_col: usize,
    order: dates::DateOrder,
    tz: &TimeZone,
    what: &str,
) -> Result<Option<Timestamp>, String> {
    let (date, time) = (row.get(date_col), row.get(time_col));
    if date.is_empty() && time.is_empty() {
        return Ok(None);
    }
    let d = RawDate::parse(date)
        .and_then(|raw| raw.resolve(order, date))
        .map_err(|e| format!("the {what} date: {e}"))?;
    let t = dates::parse_time(time).map_err(|e| format!("the {what} time: {e}"))?;
    let local: DateTime = dates::datetime(d, t);
    tz.to_timestamp(local)
        .map(Some)
        .map_err(|e| format!("the {what} {local} cannot be placed in the time zone: {e}"))
}
