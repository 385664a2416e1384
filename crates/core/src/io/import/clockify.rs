//! Clockify's detailed report as CSV:
//! `Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),Billable Amount (USD)`.
//!
//! Dates and times follow the user's Clockify settings (`MM/DD/YYYY` and a
//! 12-hour clock by default): see `dates` for the forms read and how
//! `03/04/2026` is decided. `Billable Rate (XXX)` becomes the hourly rate
//! in currency XXX; Clockify writes 0 where no rate applies, read as none.
//! `Task`, `User`, `Group`, `Email` and the amounts are not read.

use super::sheet::SheetSpec;

pub(crate) const SPEC: SheetSpec = SheetSpec {
    label: "Clockify",
    project: "Project",
    description: "Description",
    start_date: "Start Date",
    start_time: "Start Time",
    end_date: "End Date",
    end_time: "End Time",
    client: "Client",
    tags: "Tags",
    billable: "Billable",
    rate_prefix: Some("Billable Rate"),
};

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::{parse_with, DateOrder, ParseOptions};
    use super::super::{Format, ImportRecord};

    #[test]
    fn clockify_default_settings() {
        let acme = |line, description: &str, start, end| ImportRecord {
            client: s("Acme Corp"),
            billable: Some(true),
            hourly_rate_cents: Some(8500),
            currency: s("USD"),
            ..entry(line, s("Website relaunch"), description, start, Some(end))
        };
        assert_eq!(
            read("clockify.csv", Format::Clockify),
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
                acme(
                    3,
                    "Launch call",
                    "2026-11-23T12:15:00Z",
                    "2026-11-23T13:00:00Z"
                ),
                // 11:30 PM to 12:15 AM the next day; a rate of 0.00 is no rate.
                ImportRecord {
                    tags: tags(&["admin"]),
                    billable: Some(false),
                    ..entry(
                        4,
                        s("Internal"),
                        "Inbox zero",
                        "2026-11-23T22:30:00Z",
                        Some("2026-11-23T23:15:00Z")
                    )
                },
                ImportRecord {
                    billable: Some(false),
                    ..entry(
                        5,
                        None,
                        "Thinking",
                        "2026-11-24T07:00:00Z",
                        Some("2026-11-24T07:20:00Z")
                    )
                },
            ]
        );
    }

    #[test]
    fn clockify_day_first_dates_are_recognised() {
        let row = |line, description: &str, start, end, t: &[&str]| ImportRecord {
            client: s("Boulangerie Dupain"),
            tags: tags(t),
            billable: Some(true),
            hourly_rate_cents: Some(6000),
            currency: s("EUR"),
            ..entry(line, s("Site vitrine"), description, start, Some(end))
        };
        let expected = vec![
            // 02/11 is 2 November because line 3 has 23/11.
            row(
                2,
                "Maquettes",
                "2026-11-02T13:00:00Z",
                "2026-11-02T14:30:00Z",
                &["design"],
            ),
            row(
                3,
                "Réunion",
                "2026-11-23T08:00:00Z",
                "2026-11-23T08:45:00Z",
                &[],
            ),
        ];
        assert_eq!(read("clockify-day-first.csv", Format::Clockify), expected);
        let forced = ParseOptions {
            date_order: DateOrder::DayFirst,
            ..berlin()
        };
        assert_eq!(
            parse_with(
                &fixture("clockify-day-first.csv"),
                Format::Clockify,
                &forced
            )
            .unwrap(),
            expected
        );
        // Told month first, the file cannot be read: 23 is not a month.
        let wrong = ParseOptions {
            date_order: DateOrder::MonthFirst,
            ..berlin()
        };
        let err =
            parse_with(&fixture("clockify-day-first.csv"), Format::Clockify, &wrong).unwrap_err();
        assert_eq!(
            errors(&err),
            vec![
                (
                    3,
                    "the start date: \u{201c}23/11/2026\u{201d} is not a date in the calendar"
                ),
                (
                    3,
                    "the end date: \u{201c}23/11/2026\u{201d} is not a date in the calendar"
                ),
            ]
        );
    }

    #[test]
    fn clockify_problems() {
        let err = problems("clockify-mixed-dates.csv", Format::Clockify);
        assert_eq!(
            errors(&err),
            vec![(
                3,
                "\u{201c}11/24/2026\u{201d} is written month first, but line 2 has \u{201c}23/11/2026\u{201d} \
                 written day first; export the file again with one date format"
            )]
        );
        let err = problems("clockify-end-before-start.csv", Format::Clockify);
        assert_eq!(
            errors(&err),
            vec![(
                2,
                "the entry ends (11/23/2026 09:00:00 AM) before it starts (11/23/2026 10:30:00 AM)"
            )]
        );
    }
}
