//! User settings stored in the database, typed here. Missing keys read as
//! their defaults, so a new setting needs no migration.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::Tracker;

/// Default port of the metrics endpoint (the OpenTelemetry Prometheus
/// exporter's, so it does not clash with Prometheus' own 9090).
pub const DEFAULT_METRICS_PORT: u16 = 9464;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MetricsSettings {
    /// Serve /metrics on localhost.
    pub enabled: bool,
    pub port: u16,
    /// Export tracked time per project, labelled with project names.
    pub per_project: bool,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            port: DEFAULT_METRICS_PORT,
            per_project: false,
        }
    }
}

const METRICS_KEY: &str = "metrics";

/// Default port of the local API: next to the metrics endpoint's.
pub const DEFAULT_API_PORT: u16 = 9465;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiSettings {
    /// Serve the local REST API on localhost.
    pub enabled: bool,
    pub port: u16,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            port: DEFAULT_API_PORT,
        }
    }
}

const API_KEY: &str = "api";

/// Writes one setting through any connection (the sender thread has its own).
pub(crate) fn upsert(
    conn: &rusqlite::Connection,
    key: &str,
    json: &str,
    now_ms: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(params![key, json, now_ms])?;
    Ok(())
}

/// Reads one setting's stored text through any connection.
pub(crate) fn lookup(conn: &rusqlite::Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
        r.get(0)
    })
    .optional()
}

impl Tracker {
    /// The stored value of `key`; `None` when missing or unreadable (written
    /// by a newer version, or by hand), so a bad value never locks anyone out.
    pub(crate) fn setting_opt<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>> {
        let raw = self
            .storage
            .read("settings_get", |conn| Ok(lookup(conn, key)?))?;
        Ok(raw.and_then(|text| serde_json::from_str(&text).ok()))
    }

    fn setting<T: for<'de> Deserialize<'de> + Default>(&self, key: &str) -> Result<T> {
        Ok(self.setting_opt(key)?.unwrap_or_default())
    }

    /// Stores `value` under `key` without logging it as a user change.
    pub(crate) fn put_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
        let now = self.clock.now().as_millisecond();
        self.storage
            .write("settings_set", |tx| Ok(upsert(tx, key, &text, now)?))
    }

    fn set_setting<T: Serialize>(&mut self, key: &str, value: &T) -> Result<()> {
        self.put_setting(key, value)?;
        crate::log_event!("settings.updated", setting = key.to_owned());
        Ok(())
    }

    pub fn metrics_settings(&self) -> Result<MetricsSettings> {
        self.setting(METRICS_KEY)
    }

    pub fn set_metrics_settings(&mut self, settings: &MetricsSettings) -> Result<()> {
        self.set_setting(METRICS_KEY, settings)?;
        self.track(crate::events::Event::SettingsUpdated {
            setting: crate::events::product::SettingKey::Metrics,
        });
        Ok(())
    }

    pub fn api_settings(&self) -> Result<ApiSettings> {
        self.setting(API_KEY)
    }

    pub fn set_api_settings(&mut self, settings: &ApiSettings) -> Result<()> {
        self.set_setting(API_KEY, settings)?;
        self.track(crate::events::Event::SettingsUpdated {
            setting: crate::events::product::SettingKey::Api,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::tracker;

    #[test]
    fn settings_default_then_persist() {
        let (mut t, _) = tracker();
        assert_eq!(t.metrics_settings().unwrap(), MetricsSettings::default());
        let wanted = MetricsSettings {
            enabled: true,
            port: 9999,
            per_project: true,
        };
        t.set_metrics_settings(&wanted).unwrap();
        assert_eq!(t.metrics_settings().unwrap(), wanted);
    }

    #[test]
    fn an_unreadable_value_falls_back_to_the_default() {
        let (t, _) = tracker();
        t.storage
            .conn()
            .execute(
                "INSERT INTO settings (key, value, updated_at) VALUES ('metrics', '{\"enabled\":\"yes\"}', 0)",
                [],
            )
            .unwrap();
        assert_eq!(t.metrics_settings().unwrap(), MetricsSettings::default());
    }
}
