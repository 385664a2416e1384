use jiff::civil::date;
use jiff::SignedDuration;

use crate::clients::ProjectBilling;
use crate::config::Env;
use crate::entries::edit::NewEntry;
use crate::test_support::{tracker_at, ts};

use super::*;

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap()
}

fn new_york() -> TimeZone {
    TimeZone::get("America/New_York").unwrap()
}

fn add(t: &mut Tracker, project: Option<i64>, from: &str, to: &str, tags: &[&str]) {
    t.add_entry(NewEntry {
        project_id: project,
        description: String::new(),
        started_at: ts(from),
        stopped_at: ts(to),
        tags: tags.iter().map(|s| (*s).to_owned()).collect(),
    })
    .unwrap();
}

fn query(range: ReportRange, tz: TimeZone, minutes: u32) -> ReportQuery {
    ReportQuery {
        from: range.from,
        to: range.to,
        tz,
        rounding: Rounding::new(minutes).unwrap(),
    }
}

#[test]
fn rounding_goes_to_the_nearest_step_with_ties_up() {
    let r = |m: u32, s: i64| Rounding::new(m).unwrap().apply(s);
    assert_eq!(r(1, 61), 61, "one minute means no rounding");
    assert_eq!(r(15, 7 * 60 + 29), 0);
    assert_eq!(r(15, 7 * 60 + 30), 15 * 60, "ties go up");
    assert_eq!(r(15, 22 * 60 + 29), 15 * 60);
    assert_eq!(r(6, 9 * 60), 12 * 60);
    assert_eq!(r(5, 0), 0);
    assert_eq!(r(30, 3600 + 15 * 60), 3600 + 30 * 60);
    assert_eq!(r(10, 3600 + 4 * 60 + 59), 3600);
    for m in [2, 0, 60, 7] {
        assert_eq!(
            Rounding::new(m).unwrap_err().code(),
            "report.invalid_rounding"
        );
    }
    assert_eq!(Rounding::parse(" 15 ").unwrap().minutes(), 15);
    assert_eq!(
        Rounding::parse("quarter").unwrap_err().code(),
        "report.invalid_rounding"
    );
    assert_eq!(
        serde_json::to_string(&Rounding::new(6).unwrap()).unwrap(),
        "6"
    );
    assert!(serde_json::from_str::<Rounding>("7").is_err());
}

#[test]
fn ranges_follow_local_days_weeks_and_months() {
    let day = ReportRange::day(date(2026, 11, 28), &paris()).unwrap();
    assert_eq!(
        (day.from, day.to),
        (ts("2026-11-27T23:00:00Z"), ts("2026-11-28T23:00:00Z"))
    );
    // 2026-11-28 is a Saturday: its ISO week runs from Monday the 23rd.
    let week = ReportRange::week(date(2026, 11, 28), &TimeZone::UTC).unwrap();
    assert_eq!(
        (week.from, week.to),
        (ts("2026-11-23T00:00:00Z"), ts("2026-11-30T00:00:00Z"))
    );
    let monday = ReportRange::week(date(2026, 11, 23), &TimeZone::UTC).unwrap();
    assert_eq!(monday, week);
    let month = ReportRange::month(date(2026, 2, 14), &new_york()).unwrap();
    assert_eq!(
        (month.from, month.to),
        (ts("2026-02-01T05:00:00Z"), ts("2026-03-01T05:00:00Z"))
    );
    // Paris springs forward on 2026-03-29: a 23-hour day.
    let short = ReportRange::day(date(2026, 3, 29), &paris()).unwrap();
    assert_eq!(
        short.to.duration_since(short.from),
        SignedDuration::from_hours(23)
    );
    let custom = ReportRange::custom(date(2026, 11, 1), date(2026, 11, 3), &TimeZone::UTC).unwrap();
    assert_eq!(
        custom.to,
        ts("2026-11-04T00:00:00Z"),
        "the last day is included"
    );
    assert_eq!(
        ReportRange::custom(date(2026, 11, 3), date(2026, 11, 1), &TimeZone::UTC)
            .unwrap_err()
            .code(),
        "entry.invalid_range"
    );

    assert_eq!(day.period(&paris()), ReportPeriod::Day);
    assert_eq!(day.period(&TimeZone::UTC), ReportPeriod::Custom);
    assert_eq!(week.period(&TimeZone::UTC), ReportPeriod::Week);
    assert_eq!(month.period(&new_york()), ReportPeriod::Month);
    assert_eq!(custom.period(&TimeZone::UTC), ReportPeriod::Custom);
}

#[test]
fn totals_by_project_tag_and_day_with_billing_and_rounding() {
    let (mut t, _) = tracker_at("2026-11-30T12:00:00Z");
    let site = t.create_project("Site", None).unwrap();
    let shop = t.create_project("Shop", None).unwrap();
    t.set_project_billing(
        site.id,
        ProjectBilling {
            client: Some("ACME".into()),
            billable: true,
            hourly_rate_cents: Some(10_000),
            currency: Some("EUR".into()),
        },
    )
    .unwrap();
    t.set_project_billing(
        shop.id,
        ProjectBilling {
            client: None,
            billable: false,
            hourly_rate_cents: Some(5_000),
            currency: Some("USD".into()),
        },
    )
    .unwrap();
    // Monday 23rd: 1h10 on Site (rounds to 1h15), 20 min on Shop.
    add(
        &mut t,
        Some(site.id),
        "2026-11-23T09:00:00Z",
        "2026-11-23T10:10:00Z",
        &["dev"],
    );
    add(
        &mut t,
        Some(shop.id),
        "2026-11-23T11:00:00Z",
        "2026-11-23T11:20:00Z",
        &["dev", "ops"],
    );
    // Over midnight into Tuesday: 1h on Monday, 30 min on Tuesday.
    add(
        &mut t,
        None,
        "2026-11-23T23:00:00Z",
        "2026-11-24T00:30:00Z",
        &[],
    );
    // Outside the week: not counted.
    add(
        &mut t,
        Some(site.id),
        "2026-11-30T09:00:00Z",
        "2026-11-30T10:00:00Z",
        &["dev"],
    );

    let week = ReportRange::week(date(2026, 11, 23), &TimeZone::UTC).unwrap();
    let r = t.report(&query(week, TimeZone::UTC, 15)).unwrap();
    assert_eq!(r.entry_count, 3);
    assert_eq!(r.total_seconds, 4200 + 1200 + 5400);
    assert_eq!(r.rounded_total_seconds, 4500 + 900 + 5400);

    let projects: Vec<(Option<&str>, i64, i64)> = r
        .by_project
        .iter()
        .map(|p| (p.name.as_deref(), p.seconds, p.rounded_seconds))
        .collect();
    assert_eq!(
        projects,
        [
            (None, 5400, 5400),
            (Some("Site"), 4200, 4500),
            (Some("Shop"), 1200, 900)
        ]
    );
    let site_total = &r.by_project[1];
    assert_eq!(site_total.client.as_deref(), Some("ACME"));
    // 1h15 at 100.00 EUR.
    assert_eq!(site_total.billable_cents, Some(12_500));
    assert_eq!(site_total.currency.as_deref(), Some("EUR"));
    assert_eq!(r.by_project[2].billable_cents, None, "Shop is not billable");
    let shares: f64 = r.by_project.iter().map(|p| p.share).sum();
    assert!((shares - 1.0).abs() < 1e-9);
    assert_eq!(
        r.billable,
        [Amount {
            currency: "EUR".into(),
            cents: 12_500
        }]
    );

    let tags: Vec<(&str, i64)> = r
        .by_tag
        .iter()
        .map(|t| (t.tag.as_str(), t.seconds))
        .collect();
    assert_eq!(tags, [("dev", 5400), ("ops", 1200)]);

    let days: Vec<(&str, i64, i64)> = r
        .by_day
        .iter()
        .map(|d| (d.date.as_str(), d.seconds, d.rounded_seconds))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-23", 4200 + 1200 + 3600, 4500 + 900 + 3600),
            ("2026-11-24", 1800, 1800)
        ]
    );
    assert_eq!(r.by_day[0].by_project[0].project_id, Some(site.id));
    assert_eq!(
        r.by_day.iter().map(|d| d.rounded_seconds).sum::<i64>(),
        r.rounded_total_seconds
    );
}

#[test]
fn entries_are_clipped_to_the_range_and_days_follow_the_time_zone() {
    let (mut t, _) = tracker_at("2026-11-30T12:00:00Z");
    // 22:00-02:00 UTC is 23:00-03:00 in Paris: one hour on the 27th.
    add(
        &mut t,
        None,
        "2026-11-27T22:00:00Z",
        "2026-11-28T02:00:00Z",
        &["late"],
    );
    let day = ReportRange::day(date(2026, 11, 27), &paris()).unwrap();
    let r = t.report(&query(day, paris(), 1)).unwrap();
    assert_eq!(r.total_seconds, 3600);
    assert_eq!(r.by_tag[0].seconds, 3600);
    assert_eq!(r.by_day.len(), 1);
    assert_eq!(r.by_day[0].date, "2026-11-27");

    let next = ReportRange::day(date(2026, 11, 28), &paris()).unwrap();
    let r = t.report(&query(next, paris(), 1)).unwrap();
    assert_eq!(r.total_seconds, 3 * 3600);

    // In New York the whole entry falls on the 27th (17:00 to 21:00).
    let ny = ReportRange::day(date(2026, 11, 27), &new_york()).unwrap();
    let r = t.report(&query(ny, new_york(), 1)).unwrap();
    assert_eq!((r.total_seconds, r.by_day.len()), (4 * 3600, 1));
}

#[test]
fn a_running_entry_counts_up_to_now_even_if_it_started_before_the_range() {
    let (mut t, clock) = tracker_at("2026-11-27T22:00:00Z");
    t.start_timer_tagged(None, "", &["live".into()]).unwrap();
    clock.set(ts("2026-11-28T01:30:00Z"));
    let day = ReportRange::day(date(2026, 11, 28), &TimeZone::UTC).unwrap();
    let r = t.report(&query(day, TimeZone::UTC, 1)).unwrap();
    assert_eq!(r.total_seconds, 5400);
    assert_eq!(r.by_tag[0].tag, "live");
    assert_eq!(r.by_day[0].seconds, 5400);
}

#[test]
fn an_empty_range_reports_zeros() {
    let (t, _) = tracker_at("2026-11-30T12:00:00Z");
    let day = ReportRange::day(date(2026, 11, 28), &TimeZone::UTC).unwrap();
    let r = t.report(&query(day, TimeZone::UTC, 15)).unwrap();
    assert_eq!((r.total_seconds, r.entry_count), (0, 0));
    assert!(r.by_project.is_empty() && r.by_day.is_empty() && r.billable.is_empty());
}

#[test]
fn rounding_comes_from_the_setting_and_the_environment_wins() {
    let (mut t, _) = tracker_at("2026-11-30T12:00:00Z");
    assert_eq!(t.rounding().unwrap(), Rounding::NONE);
    t.set_rounding(Rounding::new(6).unwrap()).unwrap();
    assert_eq!(t.rounding().unwrap().minutes(), 6);
    t.set_env(Env::from_pairs(&[(ROUNDING_ENV, "15")]));
    assert_eq!(t.rounding().unwrap().minutes(), 15);
    t.set_env(Env::from_pairs(&[(ROUNDING_ENV, "7")]));
    assert_eq!(t.rounding().unwrap().minutes(), 6, "a bad value is ignored");
    t.set_env(Env::default());
    // Stored times are never rounded.
    add(
        &mut t,
        None,
        "2026-11-28T10:00:00Z",
        "2026-11-28T10:07:00Z",
        &[],
    );
    let stored = t
        .list_entries(ts("2026-11-28T00:00:00Z"), ts("2026-11-29T00:00:00Z"))
        .unwrap();
    assert_eq!(stored[0].duration_seconds, 420);
}

#[test]
fn split_keeps_the_whole() {
    assert_eq!(split(10, &[1, 1, 1]), [4, 3, 3]);
    assert_eq!(split(0, &[5, 5]), [0, 0]);
    assert_eq!(split(7, &[0, 0]), [7, 0]);
    assert_eq!(split(3600, &[3600 * 1000, 1800 * 1000]), [2400, 1200]);
}

/// The plan of `sql`, one step a line.
fn plan(t: &Tracker, sql: &str) -> String {
    let conn = t.storage.conn();
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let count = stmt.parameter_count();
    let params: Vec<i64> = vec![0; count];
    let rows = stmt
        .query_map(rusqlite::params_from_iter(params), |r| {
            r.get::<_, String>(3)
        })
        .unwrap();
    rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
}

#[test]
fn range_queries_stay_on_their_indexes() {
    // Walking the started_at index from the beginning (`started_at<?`
    // alone) or a project's thousands of rows made a week's report and a
    // re-import of 100,000 entries scale with the whole history.
    let (t, _) = tracker_at("2026-11-30T12:00:00Z");
    for sql in [
        PIECES_SQL,
        TAGS_SQL,
        crate::io::apply::STORED_SQL,
        crate::entries::overlaps::NEIGHBOURS_SQL,
    ] {
        let plan = plan(&t, sql);
        assert!(!plan.contains("(started_at<?)"), "{sql}\n{plan}");
        assert!(!plan.contains("time_entries_project_id"), "{sql}\n{plan}");
        assert!(!plan.contains("SCAN e "), "{sql}\n{plan}");
        assert!(!plan.contains("SCAN et"), "{sql}\n{plan}");
        // Scanning the one-row running-entry index is fine; the table is not.
        assert!(
            plan.lines()
                .filter(|l| l.starts_with("SCAN time_entries"))
                .all(|l| l.contains("time_entries_one_running")),
            "{sql}\n{plan}"
        );
    }
}
