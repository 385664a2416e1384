//! TimeTracker's own CSV export:
//! `id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency`
//! with RFC 3339 instants, `;`-separated tags and the rate as a decimal
//! (`85.00`). `id` and `duration_seconds` are derived on export and ignored
//! here; an empty `end` is a running entry. `project`, `description`, `start`
//! and `end` are required (without them every entry would silently lose its
//! project or seem to be running); the others may be left out of a
//! hand-made file.

// Our own export neutralised formula-like text cells: undo it.
use super::json::parse_instant;
use super::table::{Row, Table};
use super::values::{self, noted};
use super::ImportRecord;
use crate::error::import::{ImportError, Problems};
use crate::io::formula::restore;

struct Columns {
    start: usize,
    end: usize,
    project: usize,
    client: Option<usize>,
    description: usize,
    tags: Option<usize>,
    billable: Option<usize>,
    rate: Option<usize>,
    currency: Option<usize>,
}

pub(crate) fn parse(text: &str) -> Result<Vec<ImportRecord>, ImportError> {
    let mut problems = Problems::default();
    let table = Table::read(text, &mut problems)?;
    let [project, description, start, end] = table.require(
        ["project", "description", "start", "end"],
        "TimeTracker CSV",
    )?;
    let cols = Columns {
        start,
        end,
        project,
        client: table.find("client"),
        description,
        tags: table.find("tags"),
        billable: table.find("billable"),
        rate: table.find("hourly_rate"),
        currency: table.find("currency"),
    };
    let mut records = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut errors = Vec::new();
        if let Some(record) = read_row(row, &cols, &mut errors) {
            records.push(record);
        }
        for message in errors {
            problems.add(row.line, message);
        }
    }
    problems.finish(records)
}

fn read_row(row: &Row, cols: &Columns, errors: &mut Vec<String>) -> Option<ImportRecord> {
    let field = |col: Option<usize>| col.map_or("", |i| row.get(i));
    let start = match row.get(cols.start) {
        "" => noted(Err("the start is empty".to_owned()), errors),
        s => noted(
            parse_instant(s).map_err(|e| format!("the start: {e}")),
            errors,
        ),
    };
    let end = match row.get(cols.end) {
        "" => None,
        s => noted(
            parse_instant(s).map_err(|e| format!("the end: {e}")),
            errors,
        ),
    };
    let billable = noted(values::yes_no(field(cols.billable)), errors).flatten();
    let rate = noted(values::cents(field(cols.rate), "the hourly rate"), errors).flatten();
    let currency = noted(values::currency(field(cols.currency)), errors).flatten();
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            errors.push(format!("the entry ends ({e}) before it starts ({s})"));
        }
    }
    if !errors.is_empty() {
        return None;
    }
    Some(ImportRecord {
        line: row.line,
        project: values::name(restore(row.get(cols.project))),
        client: values::name(restore(field(cols.client))),
        description: values::description(restore(row.get(cols.description))),
        start: start?,
        end,
        tags: values::tags(restore(field(cols.tags)), ';'),
        billable,
        hourly_rate_cents: rate,
        currency,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::Format;

    #[test]
    fn every_bad_field_is_reported() {
        let err = problems("timetracker-bad.csv", Format::Csv);
        assert_eq!(
            errors(&err),
            vec![
                (3, "the start: \u{201c}2026-11-23 10:00\u{201d} is not a date and time with a zone, like 2026-11-23T09:00:00Z"),
                (4, "the entry ends (2026-11-23T22:30:00Z) before it starts (2026-11-23T23:15:00Z)"),
                (5, "billable is \u{201c}maybe\u{201d}; expected yes or no"),
                (5, "the hourly rate \u{201c}85 dollars\u{201d} is not an amount like 85.00"),
                (5, "currency \u{201c}EURO\u{201d} is not a three-letter code like USD"),
            ]
        );
    }
}
