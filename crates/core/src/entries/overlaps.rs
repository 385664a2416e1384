//! Which entries overlap another. Overlaps are allowed (a forgotten timer,
//! an import) but flagged. Only the neighbourhood of the entries asked about
//! is read: the longest finished entry bounds how early a neighbour can
//! start, and that maximum is one index lookup.

use std::collections::HashSet;

use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::error::Result;

use super::Entry;

/// The longest finished entry, in milliseconds (0 with none).
pub(crate) fn longest_ms(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT max(stopped_at - started_at) FROM time_entries")?
        .query_row([], |r| r.get::<_, Option<i64>>(0))?
        .unwrap_or(0))
}

/// One stored interval; a running entry ends at `now` (or its start, if
/// the clock went back).
#[derive(Debug, Clone, Copy)]
struct Span {
    id: i64,
    start: i64,
    end: i64,
}

/// Ids of the entries among `spans` that overlap another one of them.
/// Touching ends (one stops when the next starts) is not an overlap.
fn overlapping(mut spans: Vec<Span>) -> HashSet<i64> {
    // Sorting by end too puts an empty entry before a longer one that
    // starts at the same instant, so neither is flagged (they only touch).
    spans.sort_unstable_by_key(|s| (s.start, s.end, s.id));
    let mut flagged = HashSet::new();
    let mut reach: Option<Span> = None;
    for span in spans {
        match reach {
            Some(r) if span.start < r.end => {
                flagged.insert(span.id);
                flagged.insert(r.id);
                if span.end > r.end {
                    reach = Some(span);
                }
            }
            Some(r) if span.end <= r.end => {}
            _ => reach = Some(span),
        }
    }
    flagged
}

/// Sets `overlaps` on each of `entries` against every stored entry.
/// The entries near a range, plus the running one. `UNION ALL` with the
/// running entry excluded from the first arm: a plain `UNION` made SQLite
/// sort the second arm by scanning the whole table (57% of `tt start` on
/// 100,000 entries) instead of using the running-entry index.
pub(crate) const NEIGHBOURS_SQL: &str = "SELECT id, started_at, stopped_at FROM time_entries
     WHERE started_at >= ?1 AND started_at < ?2 AND stopped_at IS NOT NULL
     UNION ALL
     SELECT id, started_at, stopped_at FROM time_entries WHERE stopped_at IS NULL";

pub(crate) fn mark(conn: &Connection, entries: &mut [Entry], now: Timestamp) -> Result<()> {
    let now_ms = now.as_millisecond();
    let (Some(lo), Some(hi)) = (
        entries.iter().map(|e| e.started_at.as_millisecond()).min(),
        entries
            .iter()
            .map(|e| end_ms(e.started_at.as_millisecond(), e.stopped_at, now_ms))
            .max(),
    ) else {
        return Ok(());
    };
    let from = lo.saturating_sub(longest_ms(conn)?);
    // The running entry may have started long before `from`: fetch it too.
    let mut stmt = conn.prepare_cached(NEIGHBOURS_SQL)?;
    let rows = stmt.query_map(params![from, hi.max(lo + 1)], |r| {
        let start: i64 = r.get(1)?;
        Ok(Span {
            id: r.get(0)?,
            start,
            end: r.get::<_, Option<i64>>(2)?.unwrap_or(now_ms.max(start)),
        })
    })?;
    let flagged = overlapping(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    for entry in entries.iter_mut() {
        entry.overlaps = flagged.contains(&entry.id);
    }
    Ok(())
}

fn end_ms(start: i64, stopped_at: Option<Timestamp>, now_ms: i64) -> i64 {
    stopped_at.map_or(now_ms.max(start), |t| t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(v: &[(i64, i64, i64)]) -> Vec<Span> {
        v.iter()
            .map(|&(id, start, end)| Span { id, start, end })
            .collect()
    }

    fn flagged(v: &[(i64, i64, i64)]) -> Vec<i64> {
        let mut ids: Vec<i64> = overlapping(spans(v)).into_iter().collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn touching_is_not_overlapping() {
        assert!(flagged(&[(1, 0, 10), (2, 10, 20), (3, 20, 20), (4, 20, 30)]).is_empty());
    }

    #[test]
    fn an_entry_inside_a_long_one_flags_both_and_not_its_neighbours() {
        assert_eq!(
            flagged(&[(1, 0, 100), (2, 10, 20), (3, 30, 40), (4, 100, 110)]),
            [1, 2, 3]
        );
    }

    #[test]
    fn chains_and_identical_entries_are_flagged() {
        assert_eq!(flagged(&[(1, 0, 10), (2, 5, 15), (3, 12, 20)]), [1, 2, 3]);
        assert_eq!(flagged(&[(7, 5, 9), (8, 5, 9)]), [7, 8]);
    }
}
