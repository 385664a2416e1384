use jiff::civil::date;
use jiff::SignedDuration;

use super::*;
use crate::test_support::{tracker_at, ts};
use crate::NewEntry;

fn add(t: &mut Tracker, start: Timestamp, minutes: i64) -> i64 {
    t.add_entry(NewEntry {
        project_id: None,
        description: String::new(),
        started_at: start,
        stopped_at: start + SignedDuration::from_mins(minutes),
        tags: vec![],
    })
    .unwrap()
    .id
}

/// `count` entries, one every `every_hours` hours from `first`.
fn seeded(first: &str, count: i64, every_hours: i64) -> (Tracker, Vec<i64>) {
    let (mut t, _clock) = tracker_at("2030-01-01T00:00:00Z");
    let first = ts(first);
    let ids = (0..count)
        .map(|i| {
            add(
                &mut t,
                first + SignedDuration::from_hours(i * every_hours),
                30,
            )
        })
        .collect();
    (t, ids)
}

fn ids(page: &EntryPage) -> Vec<i64> {
    page.days
        .iter()
        .flat_map(|d| d.entries.iter().map(|e| e.id))
        .collect()
}

fn dates(page: &EntryPage) -> Vec<&str> {
    page.days.iter().map(|d| d.date.as_str()).collect()
}

#[test]
fn paging_down_from_the_newest_reaches_every_entry_once_on_whole_days() {
    // An entry every 5 hours (four or five a day) for 40 days.
    let (t, mut all) = seeded("2026-01-01T01:00:00Z", 190, 5);
    all.reverse();
    let tz = TimeZone::UTC;
    let mut page = t.entries_page(PageAt::Newest, 25, &tz).unwrap();
    assert_eq!(page.newer, None, "nothing is newer than the newest page");
    let mut seen: Vec<i64> = Vec::new();
    let mut seen_days: Vec<String> = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        let got = ids(&page);
        assert!(
            got.len() >= 25 || page.older.is_none(),
            "a short page only at the end"
        );
        for day in &page.days {
            assert!(
                !seen_days.contains(&day.date),
                "{} split over two pages",
                day.date
            );
            seen_days.push(day.date.clone());
            let sum: i64 = day.entries.iter().map(|e| e.duration_seconds).sum();
            assert_eq!(day.total_seconds, sum);
        }
        seen.extend(got);
        let Some(older) = page.older else { break };
        // The cursor is a local midnight: the last day is whole.
        assert_eq!(
            older.to_zoned_datetime(tz.clone()).time(),
            jiff::civil::time(0, 0, 0, 0)
        );
        page = t.entries_page(PageAt::Before(older), 25, &tz).unwrap();
        assert_eq!(
            page.newer,
            Some(older),
            "the page above starts where this one ends"
        );
    }
    assert_eq!(seen, all, "every entry once, newest first");
    assert!(pages >= 7, "{pages} pages");
}

#[test]
fn a_day_with_more_entries_than_a_page_comes_whole() {
    // 30 entries on one day, then one on each of the two days before.
    let (mut t, _) = seeded("2026-03-10T00:10:00Z", 30, 0);
    add(&mut t, ts("2026-03-09T12:00:00Z"), 10);
    add(&mut t, ts("2026-03-08T12:00:00Z"), 10);
    let page = t.entries_page(PageAt::Newest, 5, &TimeZone::UTC).unwrap();
    assert_eq!(dates(&page), ["2026-03-10"]);
    assert_eq!(page.days[0].entries.len(), 30);
    let next = t
        .entries_page(PageAt::Before(page.older.unwrap()), 5, &TimeZone::UTC)
        .unwrap();
    assert_eq!(dates(&next), ["2026-03-09", "2026-03-08"]);
    assert_eq!(next.older, None);
}

#[test]
fn a_jump_to_a_date_starts_there_and_pages_up_to_the_newest() {
    // One entry a day at 10:00 UTC through 2026.
    let (t, all) = seeded("2026-01-01T10:00:00Z", 365, 24);
    let tz = TimeZone::UTC;
    let page = t
        .entries_page(PageAt::OnOrBefore(date(2026, 6, 15)), 10, &tz)
        .unwrap();
    assert_eq!(page.days[0].date, "2026-06-15");
    assert_eq!(page.days.len(), 10);
    assert_eq!(page.days[9].date, "2026-06-06");

    // A date with no entries starts at the nearest earlier day.
    let late = t
        .entries_page(PageAt::OnOrBefore(date(2027, 3, 1)), 3, &tz)
        .unwrap();
    assert_eq!(dates(&late), ["2026-12-31", "2026-12-30", "2026-12-29"]);
    assert_eq!(late.newer, None);

    let mut up: Vec<i64> = Vec::new();
    let mut newer = page.newer;
    while let Some(after) = newer {
        let above = t.entries_page(PageAt::After(after), 40, &tz).unwrap();
        assert_eq!(
            above.older,
            Some(after),
            "the page below ends where this one starts"
        );
        let mut got = ids(&above);
        got.reverse();
        up.extend(got);
        newer = above.newer;
    }
    let expected: Vec<i64> = all.iter().copied().skip(166).collect();
    assert_eq!(up, expected, "June 16th to the last day, each entry once");
}

#[test]
fn days_follow_the_local_zone_across_a_dst_change() {
    // Paris moves to summer time at 02:00 on 2026-03-29: that day has 23 hours.
    let paris = TimeZone::get("Europe/Paris").unwrap();
    let (mut t, _) = seeded("2026-03-27T12:00:00Z", 1, 1);
    // 23:30 UTC on the 28th is 00:30 on the 29th in Paris (UTC+1 then).
    let early = add(&mut t, ts("2026-03-28T23:30:00Z"), 10);
    // 22:30 UTC on the 29th is 00:30 on the 30th (UTC+2 by then).
    let next_day = add(&mut t, ts("2026-03-29T22:30:00Z"), 10);
    let page = t.entries_page(PageAt::Newest, 1, &paris).unwrap();
    assert_eq!(dates(&page), ["2026-03-30"]);
    assert_eq!(ids(&page), [next_day]);
    assert_eq!(
        page.older,
        Some(ts("2026-03-29T22:00:00Z")),
        "midnight in summer time"
    );
    let below = t
        .entries_page(PageAt::Before(page.older.unwrap()), 1, &paris)
        .unwrap();
    assert_eq!(dates(&below), ["2026-03-29"]);
    assert_eq!(ids(&below), [early]);
    assert_eq!(
        below.older,
        Some(ts("2026-03-28T23:00:00Z")),
        "midnight in winter time"
    );
}

#[test]
fn an_empty_history_is_one_empty_page_and_a_running_timer_is_on_the_newest() {
    let (mut t, clock) = tracker_at("2026-11-28T09:00:00Z");
    for at in [
        PageAt::Newest,
        PageAt::OnOrBefore(date(2026, 1, 1)),
        PageAt::After(ts("2026-01-01T00:00:00Z")),
    ] {
        let page = t.entries_page(at, 0, &TimeZone::UTC).unwrap();
        assert_eq!(
            page,
            EntryPage {
                days: vec![],
                older: None,
                newer: None
            }
        );
    }
    t.start_timer(None, "Reading").unwrap();
    clock.advance(SignedDuration::from_secs(90));
    let page = t.entries_page(PageAt::Newest, 50, &TimeZone::UTC).unwrap();
    assert!(page.days[0].entries[0].is_running());
    assert_eq!(page.days[0].total_seconds, 90);
}

#[test]
fn the_cursor_arrives_as_json_the_window_can_send() {
    let at: PageAt = serde_json::from_str(r#"{"before":"2026-03-29T22:00:00Z"}"#).unwrap();
    assert_eq!(at, PageAt::Before(ts("2026-03-29T22:00:00Z")));
    let at: PageAt = serde_json::from_str(r#"{"on_or_before":"2026-06-15"}"#).unwrap();
    assert_eq!(at, PageAt::OnOrBefore(date(2026, 6, 15)));
    let at: PageAt = serde_json::from_str(r#""newest""#).unwrap();
    assert_eq!(at, PageAt::Newest);
    assert!(serde_json::from_str::<PageAt>(r#"{"on_or_before":"15/06/2026"}"#).is_err());
}
