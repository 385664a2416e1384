//! Human-readable output. Machine-readable output is `--json`, whose shape
//! is documented; this text may change between versions.

use std::fmt::Write as _;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use timetracker_core::io::export::format_rate;
use timetracker_core::reports::Report;
use timetracker_core::{Entry, Project};

use crate::By;

/// `text` with every control character but line breaks and tabs shown as
/// `\u{1b}`: names stored by an older version or received by sync may hold
/// them, and a terminal would act on them (`ESC ] 52` sets the clipboard).
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(
        text,
        |c| c.is_control() && !timetracker_core::limits::DESCRIPTION_CONTROLS.contains(&c),
        |c| format!("\\u{{{:x}}}", u32::from(c)),
    )
}

/// JSON from serde escapes C0 controls but writes C1 ones (`U+009B`, a
/// one-character `ESC [`) as they are; `\u009b` is the same string.
pub fn json_visible(json: &str) -> std::borrow::Cow<'_, str> {
    escape_controls(
        json,
        |c| ('\u{7f}'..='\u{9f}').contains(&c),
        |c| format!("\\u{:04x}", u32::from(c)),
    )
}

fn escape_controls(
    text: &str,
    escape: impl Fn(char) -> bool,
    show: impl Fn(char) -> String,
) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escape(c) {
            out.push_str(&show(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `3725` seconds as `1:02:05`.
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

pub fn clock(t: Timestamp, tz: &TimeZone) -> String {
    tz.to_datetime(t).strftime("%H:%M").to_string()
}

pub fn project_label(name: Option<&str>) -> &str {
    name.unwrap_or("(no project)")
}

fn tags(list: &[String]) -> String {
    list.iter().map(|t| format!(" #{t}")).collect()
}

/// `Website "Landing page" #design`, for one-line messages.
pub fn entry_label(e: &Entry) -> String {
    let mut out = project_label(e.project_name.as_deref()).to_owned();
    if !e.description.is_empty() {
        let _ = write!(out, " \u{201c}{}\u{201d}", e.description);
    }
    out.push_str(&tags(&e.tags));
    out
}

/// The zone is looked up only if a timer runs (`tt status` with none stays
/// clear of /usr/share/zoneinfo).
pub fn status(
    entry: Option<&Entry>,
    paused: Option<&timetracker_core::breaks::Paused>,
    tz: &crate::zone::LazyZone<'_>,
) -> String {
    match (entry, paused) {
        (None, None) => "No timer is running.\n".to_owned(),
        (None, Some(p)) => format!(
            "Paused: {} since {} (`tt resume` carries on)\n",
            entry_label(&p.entry),
            clock(p.paused_at, tz),
        ),
        (Some(e), _) => format!(
            "Running: {} since {} ({})\n",
            entry_label(e),
            clock(e.started_at, tz),
            duration(e.duration_seconds)
        ),
    }
}

/// Entries grouped by local day, oldest first, with daily totals.
pub fn log(entries: &[Entry], tz: &TimeZone) -> String {
    if entries.is_empty() {
        return "No entries in this range.\n".to_owned();
    }
    let mut out = String::new();
    let mut day = None;
    let mut lines = String::new();
    let mut total = 0;
    let flush = |out: &mut String, day: Option<jiff::civil::Date>, lines: &str, total: i64| {
        if let Some(d) = day {
            let _ = writeln!(out, "{}  {}  {}", d, d.strftime("%a"), duration(total));
            out.push_str(lines);
        }
    };
    for e in entries {
        let date = tz.to_datetime(e.started_at).date();
        if day != Some(date) {
            flush(&mut out, day, &lines, total);
            day = Some(date);
            lines.clear();
            total = 0;
        }
        total += e.duration_seconds;
        let end = e
            .stopped_at
            .map_or_else(|| "now  ".to_owned(), |t| clock(t, tz));
        let _ = writeln!(
            lines,
            "  {:>6}  {}-{}  {:>8}  {}{}",
            e.id,
            clock(e.started_at, tz),
            end,
            duration(e.duration_seconds),
            entry_label(e),
            if e.overlaps { "  (overlaps)" } else { "" }
        );
    }
    flush(&mut out, day, &lines, total);
    out
}

fn money(cents: i64, currency: &str) -> String {
    format!("{currency} {}", format_rate(cents))
}

pub fn report(r: &Report, by: By, tz: &TimeZone) -> String {
    let mut out = String::new();
    let last =
        r.to.checked_sub(jiff::SignedDuration::from_millis(1))
            .unwrap_or(r.to);
    let _ = writeln!(
        out,
        "{} to {}{}",
        tz.to_datetime(r.from).strftime("%Y-%m-%d %H:%M"),
        tz.to_datetime(last).strftime("%Y-%m-%d %H:%M"),
        if r.rounding_minutes > 1 {
            format!(", each entry rounded to {} min", r.rounding_minutes)
        } else {
            String::new()
        }
    );
    let rows: Vec<(String, i64, i64, String)> = match by {
        By::Project => r
            .by_project
            .iter()
            .map(|p| {
                let mut extra = format!("{:>4.0}%", p.share * 100.0);
                if let (Some(c), Some(cur)) = (p.billable_cents, &p.currency) {
                    let _ = write!(extra, "  {}", money(c, cur));
                }
                (
                    project_label(p.name.as_deref()).to_owned(),
                    p.seconds,
                    p.rounded_seconds,
                    extra,
                )
            })
            .collect(),
        By::Tag => r
            .by_tag
            .iter()
            .map(|t| {
                (
                    format!("#{}", t.tag),
                    t.seconds,
                    t.rounded_seconds,
                    String::new(),
                )
            })
            .collect(),
        By::Day => r
            .by_day
            .iter()
            .map(|d| (d.date.clone(), d.seconds, d.rounded_seconds, String::new()))
            .collect(),
    };
    let width = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let rounded = r.rounding_minutes > 1;
    for (label, seconds, rounded_seconds, extra) in &rows {
        let pad = width - label.chars().count();
        let _ = write!(out, "{label}{}  {:>9}", " ".repeat(pad), duration(*seconds));
        if rounded {
            let _ = write!(out, "  {:>9}", duration(*rounded_seconds));
        }
        let _ = writeln!(out, "{}", format!("  {extra}").trim_end());
    }
    let _ = write!(
        out,
        "Total{}  {:>9}",
        " ".repeat(width - 5),
        duration(r.total_seconds)
    );
    if rounded {
        let _ = write!(out, "  {:>9}", duration(r.rounded_total_seconds));
    }
    out.push('\n');
    for a in &r.billable {
        let _ = writeln!(out, "Billable: {}", money(a.cents, &a.currency));
    }
    if let Some(t) = &r.target {
        let _ = writeln!(
            out,
            "Target: {} of {} ({})",
            duration(t.tracked_seconds),
            duration(t.target_seconds),
            signed(t.difference_seconds)
        );
    }
    if let Some(b) = &r.balance {
        let _ = writeln!(
            out,
            "Balance from {} through {}: {}",
            b.from,
            b.through,
            signed(b.seconds)
        );
    }
    out
}

/// A difference with its sign: `+1:30:00`, `-0:45:00`.
fn signed(seconds: i64) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    format!("{sign}{}", duration(seconds.abs()))
}

pub fn projects(list: &[Project]) -> String {
    if list.is_empty() {
        return "No projects yet: tt projects add NAME\n".to_owned();
    }
    let mut out = String::new();
    for p in list {
        let _ = write!(out, "{}", p.name);
        if let Some(client) = &p.client {
            let _ = write!(out, "  (client: {client})");
        }
        if let (Some(rate), Some(cur)) = (p.hourly_rate_cents, &p.currency) {
            let _ = write!(out, "  {}/h", money(rate, cur));
        }
        if p.billable {
            out.push_str("  billable");
        }
        if p.archived {
            out.push_str("  [archived]");
        }
        out.push('\n');
    }
    out
}

/// The plural "s" for a count: `format!("{n} file{}", plural(n))`.
pub fn plural(n: impl Into<u64>) -> &'static str {
    if n.into() == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_escaped_but_line_breaks_and_tabs_stay() {
        assert_eq!(
            visible("\u{1b}]52;c;aGk=\u{7}Evil\r\u{9b}2J\u{7f}"),
            "\\u{1b}]52;c;aGk=\\u{7}Evil\\u{d}\\u{9b}2J\\u{7f}"
        );
        assert_eq!(visible("two\nlines\tok – ü"), "two\nlines\tok – ü");
        assert!(matches!(visible("plain"), std::borrow::Cow::Borrowed(_)));
        let json = serde_json::to_string("a\u{1b}b\u{9b}c").unwrap();
        let shown = json_visible(&json);
        assert_eq!(shown, "\"a\\u001bb\\u009bc\"");
        let back: String = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, "a\u{1b}b\u{9b}c");
    }

    #[test]
    fn durations_are_hours_minutes_seconds() {
        assert_eq!(duration(0), "0:00:00");
        assert_eq!(duration(3725), "1:02:05");
        assert_eq!(duration(100 * 3600), "100:00:00");
    }
}
