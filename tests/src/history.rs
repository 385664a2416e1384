//! Years of history written straight into a fresh data folder, as an old
//! store is: one transaction, one project, entries described by their day
//! so that the window shows which day it is.

use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::ToSpan;
use timetracker_core::{SystemClock, Tracker};

use crate::local_now;

/// `per_day` entries of 20 minutes, every `every_minutes` from 06:00 (in
/// the app's zone) on each of the `days` days up to yesterday, described
/// `Day YYYY-MM-DD #n`. Returns the first and last day.
pub fn seed(data: &Path, days: i64, per_day: i64, every_minutes: i64) -> (Date, Date) {
    drop(Tracker::open_in_dir(data, Arc::new(SystemClock)).unwrap());
    let conn = rusqlite::Connection::open(timetracker_core::config::database_path(data)).unwrap();
    let zone = local_now().time_zone().clone();
    let last = local_now().date().yesterday().unwrap();
    let first = last.checked_sub((days - 1).days()).unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    tx.execute(
        "INSERT INTO projects (name, name_key, color, created_at, updated_at) VALUES ('Archive', 'archive', '#3b82f6', 0, 0)",
        [],
    )
    .unwrap();
    let mut insert = tx
        .prepare(
            "INSERT INTO time_entries (project_id, description, started_at, stopped_at, created_at, updated_at)
             VALUES (1, ?1, ?2, ?3, ?2, ?2)",
        )
        .unwrap();
    let mut day = first;
    while day <= last {
        let morning = day.at(6, 0, 0, 0).to_zoned_datetime(zone.clone()).unwrap();
        for n in 0..per_day {
            let ms = morning.timestamp().as_millisecond() + n * every_minutes * 60_000;
            insert
                .execute(rusqlite::params![
                    format!("Day {day} #{n}"),
                    ms,
                    ms + 20 * 60_000
                ])
                .unwrap();
        }
        day = day.tomorrow().unwrap();
    }
    drop(insert);
    tx.commit().unwrap();
    (first, last)
}
