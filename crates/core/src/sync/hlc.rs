//! The hybrid logical clock that orders edits across devices.
//!
//! A stamp is (wall milliseconds, counter, device): the wall part follows
//! the device's clock, but never goes below any stamp this device has made
//! or seen, so an edit made after reading another device's change always
//! sorts after it, even when the two clocks are hours apart. The counter
//! orders edits within one millisecond, and the device breaks ties.
//!
//! Written as 32 hex digits (12 for the milliseconds, 4 for the counter,
//! 16 of the device id), so comparing two stamps as strings compares them
//! as clocks. The empty stamp is older than every other: it is what the
//! fields of records made before sync existed carry.

use std::fmt;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::error::Result;

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Hlc(String);

/// The largest counter; one more moves the wall part on by a millisecond.
const MAX_COUNTER: u64 = 0xffff;
/// 12 hex digits of milliseconds reach the year 10889.
const MAX_MS: u64 = 0xffff_ffff_ffff;

impl Hlc {
    /// The stamp older than every real one.
    pub const ZERO: Hlc = Hlc(String::new());

    pub fn new(ms: u64, counter: u64, device: &str) -> Self {
        Hlc(format!(
            "{:012x}{:04x}{}",
            ms.min(MAX_MS),
            counter.min(MAX_COUNTER),
            device_part(device)
        ))
    }

    /// Checks a stamp read from a file: 32 lower-case hex digits, or empty.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = text.is_empty()
            || (text.len() == 32
                && text
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        ok.then(|| Hlc(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// The wall-clock part, in milliseconds since the epoch.
    pub fn millis(&self) -> u64 {
        self.0
            .get(..12)
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    }

    fn counter(&self) -> u64 {
        self.0
            .get(12..16)
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    }

    /// The 16 hex digits naming the device that made this stamp.
    pub fn device(&self) -> &str {
        self.0.get(16..).unwrap_or("")
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The first 16 hex digits of a device's UUID: enough to tell a person's
/// devices apart, and half the size in every stamp.
pub fn device_part(device_id: &str) -> String {
    let mut out: String = device_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .take(16)
        .collect();
    while out.len() < 16 {
        out.push('0');
    }
    out
}

/// Makes a new stamp for a change made here now, and stores it as the
/// clock's latest. Runs inside the transaction that makes the change, so
/// two processes (the app and tt) never hand out the same stamp.
pub(crate) fn tick(conn: &Connection, clock: &dyn Clock) -> Result<Hlc> {
    let (last_ms, last_counter, device): (i64, i64, String) = conn
        .prepare_cached("SELECT hlc_ms, hlc_counter, device_id FROM sync_state WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let now = u64::try_from(clock.now().as_millisecond()).unwrap_or(0);
    let last_ms = u64::try_from(last_ms).unwrap_or(0);
    let last_counter = u64::try_from(last_counter).unwrap_or(0);
    let (ms, counter) = next(now, last_ms, last_counter);
    store(conn, ms, counter)?;
    Ok(Hlc::new(ms, counter, &device))
}

/// The stamp after `(last_ms, last_counter)` at wall time `now`.
fn next(now: u64, last_ms: u64, last_counter: u64) -> (u64, u64) {
    if now > last_ms {
        (now, 0)
    } else if last_counter < MAX_COUNTER {
        (last_ms, last_counter + 1)
    } else {
        (last_ms + 1, 0)
    }
}

/// Moves the clock up to `seen` (a stamp read from another device), so the
/// next local stamp sorts after it.
pub(crate) fn observe(conn: &Connection, seen: &Hlc) -> Result<()> {
    if seen.is_zero() {
        return Ok(());
    }
    conn.prepare_cached(
        "UPDATE sync_state SET hlc_ms = ?1, hlc_counter = ?2
         WHERE id = 1 AND (hlc_ms < ?1 OR (hlc_ms = ?1 AND hlc_counter < ?2))",
    )?
    .execute([
        i64::try_from(seen.millis()).unwrap_or(i64::MAX),
        i64::try_from(seen.counter()).unwrap_or(0),
    ])?;
    Ok(())
}

fn store(conn: &Connection, ms: u64, counter: u64) -> Result<()> {
    conn.prepare_cached("UPDATE sync_state SET hlc_ms = ?1, hlc_counter = ?2 WHERE id = 1")?
        .execute([
            i64::try_from(ms).unwrap_or(i64::MAX),
            i64::try_from(counter).unwrap_or(0),
        ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_sort_as_clocks_when_compared_as_strings() {
        let d = "0b5c3a2e-1f4d-4c6b-9a8e-7d6c5b4a3f2e";
        let a = Hlc::new(1_764_000_000_000, 0, d);
        let b = Hlc::new(1_764_000_000_000, 1, d);
        let c = Hlc::new(1_764_000_000_001, 0, d);
        assert!(Hlc::ZERO < a && a < b && b < c);
        assert_eq!(a.as_str().len(), 32);
        assert_eq!(a.millis(), 1_764_000_000_000);
        assert_eq!(b.counter(), 1);
        assert_eq!(a.device(), "0b5c3a2e1f4d4c6b");
        assert_eq!(Hlc::parse(a.as_str()), Some(a.clone()));
        assert_eq!(Hlc::parse(""), Some(Hlc::ZERO));
        for bad in ["xyz", "0000", &a.as_str().to_uppercase()] {
            assert_eq!(Hlc::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_clock_never_goes_back_and_counts_within_a_millisecond() {
        assert_eq!(next(100, 50, 7), (100, 0));
        assert_eq!(next(100, 100, 7), (100, 8));
        // A wall clock set back still moves the stamp forward.
        assert_eq!(next(10, 100, 7), (100, 8));
        assert_eq!(next(10, 100, MAX_COUNTER), (101, 0));
    }
}
