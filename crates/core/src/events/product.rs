//! The closed catalogue of product events. Every property is a bool, a
//! number or an enum from this file: there is no way to attach text a user
//! typed, a name, a path or an id. `docs/events.md` lists the same events
//! (a test compares them).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Stopped,
    Switched,
    /// Ended by *Pause*, to be resumed.
    Paused,
}

impl StopReason {
    /// The same word the analytics event carries, for the log line.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Stopped => "stopped",
            StopReason::Switched => "switched",
            StopReason::Paused => "paused",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectChange {
    Name,
    Color,
    Restored,
    Billing,
}

/// Which edge of a calendar block was dragged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarEdge {
    Start,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportPeriod {
    Day,
    Week,
    Month,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    Toggl,
    Clockify,
    Timewarrior,
    Watson,
    Csv,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingKey {
    Consent,
    Metrics,
    AnonymousId,
    Api,
}

/// A version number (`1.2.3`, `1.2.3-beta.1`): digits, dots, letters and
/// dashes only, so it cannot smuggle text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version(String);

impl Version {
    pub fn parse(text: &str) -> Option<Self> {
        let ok = !text.is_empty()
            && text.len() <= 32
            && text.starts_with(|c: char| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        ok.then(|| Version(text.to_owned()))
    }
}

/// How many devices share a sync folder, this one included, in buckets:
/// enough to know how sync is used, not to tell users apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeviceCount {
    #[serde(rename = "1")]
    One,
    #[serde(rename = "2")]
    Two,
    #[serde(rename = "3-5")]
    ThreeToFive,
    #[serde(rename = "6+")]
    SixOrMore,
}

impl DeviceCount {
    /// The bucket for this device plus `others` seen in the folder.
    pub fn of(others: u64) -> Self {
        match others.saturating_add(1) {
            0 | 1 => DeviceCount::One,
            2 => DeviceCount::Two,
            3..=5 => DeviceCount::ThreeToFive,
            _ => DeviceCount::SixOrMore,
        }
    }
}

/// Bounds a count sent as a property (no exact sizes of huge exports).
pub fn bucket_count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", content = "properties")]
pub enum Event {
    #[serde(rename = "timer.started")]
    TimerStarted {
        has_project: bool,
        has_description: bool,
    },
    #[serde(rename = "timer.stopped")]
    TimerStopped {
        duration_seconds: i64,
        reason: StopReason,
    },
    #[serde(rename = "project.created")]
    ProjectCreated {},
    #[serde(rename = "project.updated")]
    ProjectUpdated { change: ProjectChange },
    #[serde(rename = "project.archived")]
    ProjectArchived {},
    #[serde(rename = "entry.created")]
    EntryCreated { manual: bool },
    #[serde(rename = "entry.updated")]
    EntryUpdated {},
    #[serde(rename = "entry.deleted")]
    EntryDeleted {},
    #[serde(rename = "calendar.entry_moved")]
    CalendarEntryMoved {},
    #[serde(rename = "calendar.entry_resized")]
    CalendarEntryResized { edge: CalendarEdge },
    #[serde(rename = "report.generated")]
    ReportGenerated { period: ReportPeriod },
    #[serde(rename = "export.csv")]
    ExportCsv { entries: u32 },
    #[serde(rename = "export.json")]
    ExportJson { entries: u32 },
    #[serde(rename = "import.completed")]
    ImportCompleted { entries: u32, format: ImportFormat },
    #[serde(rename = "settings.updated")]
    SettingsUpdated { setting: SettingKey },
    #[serde(rename = "app.installed")]
    AppInstalled {},
    #[serde(rename = "app.updated")]
    AppUpdated { previous_version: Version },
    #[serde(rename = "app.active")]
    AppActive {},
    #[serde(rename = "sync.enabled")]
    SyncEnabled { devices: DeviceCount },
    #[serde(rename = "sync.disabled")]
    SyncDisabled { devices: DeviceCount },
}

impl Event {
    /// One of each event, for the docs test and the sample payloads.
    pub fn samples() -> Vec<Event> {
        vec![
            Event::TimerStarted {
                has_project: true,
                has_description: true,
            },
            Event::TimerStopped {
                duration_seconds: 1884,
                reason: StopReason::Stopped,
            },
            Event::ProjectCreated {},
            Event::ProjectUpdated {
                change: ProjectChange::Name,
            },
            Event::ProjectArchived {},
            Event::EntryCreated { manual: true },
            Event::EntryUpdated {},
            Event::EntryDeleted {},
            Event::CalendarEntryMoved {},
            Event::CalendarEntryResized {
                edge: CalendarEdge::End,
            },
            Event::ReportGenerated {
                period: ReportPeriod::Week,
            },
            Event::ExportCsv { entries: 120 },
            Event::ExportJson { entries: 120 },
            Event::ImportCompleted {
                entries: 5000,
                format: ImportFormat::Timewarrior,
            },
            Event::SettingsUpdated {
                setting: SettingKey::Metrics,
            },
            Event::AppInstalled {},
            Event::AppUpdated {
                previous_version: Version("0.1.0".into()),
            },
            Event::AppActive {},
            Event::SyncEnabled {
                devices: DeviceCount::Two,
            },
            Event::SyncDisabled {
                devices: DeviceCount::ThreeToFive,
            },
        ]
    }

    /// `(name, properties)` as they go on the wire.
    pub fn parts(&self) -> (String, serde_json::Map<String, serde_json::Value>) {
        let value = serde_json::to_value(self).unwrap_or_default();
        let name = value["event"].as_str().unwrap_or_default().to_owned();
        let props = value
            .get("properties")
            .and_then(|p| p.as_object())
            .cloned()
            .unwrap_or_default();
        (name, props)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_is_named_resource_dot_action_with_flat_typed_properties() {
        let samples = Event::samples();
        assert!(samples.len() >= 16);
        for event in samples {
            let (name, props) = event.parts();
            assert_eq!(name.split('.').count(), 2, "{name}");
            for (key, value) in props {
                assert!(
                    value.is_boolean() || value.is_number() || value.is_string(),
                    "{name}.{key} = {value}"
                );
            }
        }
    }

    #[test]
    fn device_counts_are_buckets() {
        let name = |n| serde_json::to_value(DeviceCount::of(n)).unwrap();
        assert_eq!(name(0), "1");
        assert_eq!(name(1), "2");
        assert_eq!(name(2), "3-5");
        assert_eq!(name(4), "3-5");
        assert_eq!(name(5), "6+");
        assert_eq!(name(u64::MAX), "6+");
    }

    #[test]
    fn versions_cannot_carry_text() {
        assert!(Version::parse("1.2.3").is_some());
        assert!(Version::parse("1.2.3-beta.1").is_some());
        assert!(Version::parse("my project").is_none());
        assert!(Version::parse("/home/alice").is_none());
        assert!(Version::parse("").is_none());
        assert!(Version::parse(&"1".repeat(40)).is_none());
    }
}
