//! Toggl Track's detailed report as CSV:
//! `User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)`.
//!
//! Tags are comma-separated inside one field. `Amount` is money earned,
//! not a rate, so it is not read; neither are `Task` (a paid Toggl feature
//! with no counterpart here), `User` and `Email`. Start and end are wall
//! clock in the exporting profile's zone (see the module docs).

use super::sheet::SheetSpec;

pub(crate) const SPEC: SheetSpec = SheetSpec {
    label: "Toggl Track",
    project: "Project",
    description: "Description",
    start_date: "Start date",
    start_time: "Start time",
    end_date: "End date",
    end_time: "End time",
    client: "Client",
    tags: "Tags",
    billable: "Billable",
    rate_prefix: None,
};

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{parse_with, LineError, ParseOptions};
    use super::super::{Format, ImportRecord};
    use jiff::tz::TimeZone;

    #[test]
    fn toggl_detailed_report() {
        let acme = |line, description: &str, start, end| ImportRecord {
            client: s("Acme Corp"),
            billable: Some(true),
            ..entry(line, s("Website relaunch"), description, start, Some(end))
        };
        assert_eq!(
            read("toggl.csv", Format::Toggl),
            vec![
                ImportRecord {
                    tags: tags(&["design", "review"]),
                    ..acme(
                        2,
                        "Homepage layout, hero section",
                        "2026-11-23T08:00:00Z",
                        "2026-11-23T09:30:00Z"
                    )
                },
                // A quoted field spanning two lines; the next record starts on line 5.
                acme(
                    3,
                    "Call with \"Bob\"\nabout the launch",
                    "2026-11-23T10:00:00Z",
                    "2026-11-23T10:45:00Z"
                ),
                ImportRecord {
                    tags: tags(&["admin"]),
                    billable: Some(false),
                    ..entry(
                        5,
                        s("Internal"),
                        "Inbox zero",
                        "2026-11-23T22:30:00Z",
                        Some("2026-11-23T23:15:00Z")
                    )
                },
                ImportRecord {
                    billable: Some(false),
                    ..entry(
                        6,
                        None,
                        "Thinking about nothing in particular",
                        "2026-11-24T12:00:00Z",
                        Some("2026-11-24T12:20:00Z")
                    )
                },
            ]
        );
    }

    #[test]
    fn toggl_wall_clock_times_follow_the_zone_given() {
        let csv = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)\n\
            J,j@x,,P,,spring forward,No,2026-03-29,02:30:00,2026-03-29,04:00:00,00:30:00,,\n\
            J,j@x,,P,,fall back,No,2026-10-25,02:30:00,2026-10-25,03:30:00,02:00:00,,\n";
        let got = parse_with(csv.as_bytes(), Format::Toggl, &berlin()).unwrap();
        // 02:30 does not exist on 29 March: it is read as 03:30 summer time.
        assert_eq!(
            (got[0].start, got[0].end),
            (ts("2026-03-29T01:30:00Z"), Some(ts("2026-03-29T02:00:00Z")))
        );
        // 02:30 happens twice on 25 October: the first (summer time) is taken.
        assert_eq!(
            (got[1].start, got[1].end),
            (ts("2026-10-25T00:30:00Z"), Some(ts("2026-10-25T02:30:00Z")))
        );
        let utc = ParseOptions {
            tz: TimeZone::UTC,
            ..berlin()
        };
        let got = parse_with(csv.as_bytes(), Format::Toggl, &utc).unwrap();
        assert_eq!(got[0].start, ts("2026-03-29T02:30:00Z"));
    }

    #[test]
    fn toggl_bad_rows_are_all_reported() {
        let err = problems("toggl-bad-rows.csv", Format::Toggl);
        assert_eq!(
            errors(&err),
            vec![
                (
                    3,
                    "the start date: \u{201c}2026-13-01\u{201d} is not a date in the calendar"
                ),
                (
                    3,
                    "the end date: \u{201c}2026-13-01\u{201d} is not a date in the calendar"
                ),
                (
                    4,
                    "the entry ends (2026-11-24 09:00:00) before it starts (2026-11-24 10:00:00)"
                ),
                (5, "the start date: \u{201c}yesterday\u{201d} is not a date"),
                (5, "the end time: \u{201c}late\u{201d} is not a time of day"),
                (5, "billable is \u{201c}perhaps\u{201d}; expected yes or no"),
                (
                    6,
                    "this row has 8 fields but the header has 14; is a quote missing?"
                ),
            ]
        );
        assert_eq!(err.omitted, 0);
        let message = err.to_string();
        assert!(
            message.starts_with(
                "The file has 7 problems, so nothing was imported.\n\
                 Line 3: the start date: \u{201c}2026-13-01\u{201d} is not a date in the calendar\n"
            ),
            "{message}"
        );
        assert!(message.ends_with("\n\u{2026}and 2 more."), "{message}");
    }

    #[test]
    fn missing_columns_are_named() {
        let err = problems("toggl-missing-columns.csv", Format::Toggl);
        assert_eq!(
            err.errors,
            vec![LineError {
                line: 1,
                message:
                    "the header has no \u{201c}Start time\u{201d}, \u{201c}End time\u{201d} columns; \
                          is this really a Toggl Track file?"
                        .into()
            }]
        );
    }
}
