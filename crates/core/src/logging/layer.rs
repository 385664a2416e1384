//! A `tracing` layer that turns events into the JSONL line format existing
//! pipelines parse:
//! `{"asctime":…,"levelname":…,"name":…,"message":…,"request_id":…, context…}`.

use std::fmt;
use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::writer::LogWriter;

/// The field that raises an ERROR event to CRITICAL (used for panics).
pub const CRITICAL_FIELD: &str = "critical";

pub struct JsonLayer {
    writer: Arc<LogWriter>,
}

impl JsonLayer {
    pub fn new(writer: Arc<LogWriter>) -> Self {
        Self { writer }
    }
}

/// Fields of a span, kept in its extensions so every event inside it (the
/// request id above all) can carry them.
struct SpanFields(Map<String, Value>);

struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for JsonVisitor<'_> {
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().into(), value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
}

/// `timetracker` for business events; `timetracker.<module>` for a
/// diagnostic from one of our modules; the target itself otherwise.
pub fn logger_name(target: &str) -> String {
    if target == "timetracker" || target.starts_with("timetracker.") {
        return target.to_owned();
    }
    let mut parts = target.split("::");
    match (parts.next(), parts.next()) {
        (Some("timetracker_core" | "timetracker" | "tt"), Some(module)) => {
            format!("timetracker.{module}")
        }
        (Some("timetracker_core" | "timetracker" | "tt"), None) => "timetracker".to_owned(),
        _ => target.to_owned(),
    }
}

pub fn level_name(level: &Level, critical: bool) -> &'static str {
    match *level {
        Level::ERROR if critical => "CRITICAL",
        Level::ERROR => "ERROR",
        Level::WARN => "WARNING",
        Level::INFO => "INFO",
        Level::DEBUG | Level::TRACE => "DEBUG",
    }
}

/// `2026-11-28T10:30:45.123Z`
pub fn asctime(at: Timestamp) -> String {
    at.to_zoned_datetime(TimeZone::UTC)
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl<S> Layer<S> for JsonLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut ext = span.extensions_mut();
            if let Some(SpanFields(fields)) = ext.get_mut::<SpanFields>() {
                values.record(&mut JsonVisitor(fields));
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        event.record(&mut JsonVisitor(&mut fields));
        let critical = matches!(fields.remove(CRITICAL_FIELD), Some(Value::Bool(true)));
        let message = fields
            .remove("message")
            .unwrap_or(Value::String(String::new()));
        let meta = event.metadata();

        let mut line = Map::new();
        line.insert("asctime".into(), asctime(Timestamp::now()).into());
        line.insert(
            "levelname".into(),
            level_name(meta.level(), critical).into(),
        );
        line.insert("name".into(), logger_name(meta.target()).into());
        line.insert("message".into(), message);
        // Context from the enclosing spans, outermost first, so an event
        // can override what its request set.
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(span_fields)) = span.extensions().get::<SpanFields>() {
                    for (k, v) in span_fields {
                        line.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        for (k, v) in fields {
            line.insert(k, v);
        }
        // Pipelines expect the field on every line; outside any request
        // (a background task, say) it is null rather than missing.
        line.entry("request_id").or_insert(Value::Null);
        match serde_json::to_string(&Value::Object(line)) {
            Ok(text) => self.writer.write_line(text),
            Err(e) => eprintln!("timetracker: a log line could not be encoded: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_targets_onto_the_timetracker_hierarchy() {
        assert_eq!(logger_name("timetracker"), "timetracker");
        assert_eq!(logger_name("timetracker.ui"), "timetracker.ui");
        assert_eq!(
            logger_name("timetracker_core::storage"),
            "timetracker.storage"
        );
        assert_eq!(
            logger_name("timetracker_core::logging::writer"),
            "timetracker.logging"
        );
        assert_eq!(logger_name("timetracker::commands"), "timetracker.commands");
        assert_eq!(logger_name("hyper::client"), "hyper::client");
    }

    #[test]
    fn levels_use_the_names_pipelines_expect() {
        assert_eq!(level_name(&Level::ERROR, true), "CRITICAL");
        assert_eq!(level_name(&Level::ERROR, false), "ERROR");
        assert_eq!(level_name(&Level::WARN, false), "WARNING");
        assert_eq!(level_name(&Level::INFO, false), "INFO");
        assert_eq!(level_name(&Level::TRACE, false), "DEBUG");
    }

    #[test]
    fn asctime_is_utc_with_milliseconds_and_z() {
        let at: Timestamp = "2026-11-28T10:30:45.123456Z".parse().unwrap();
        assert_eq!(asctime(at), "2026-11-28T10:30:45.123Z");
        let whole: Timestamp = "2026-11-28T10:30:45Z".parse().unwrap();
        assert_eq!(asctime(whole), "2026-11-28T10:30:45.000Z");
    }
}
