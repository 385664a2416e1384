//! Error-level log events become Sentry events, warnings breadcrumbs, by
//! way of sentry-tracing's layers, but only while reports are on and always
//! on a hub that holds the live client (see `CrashReporter::bind_current`).

use sentry_tracing::{BreadcrumbLayer, ErrorLayer};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

pub struct SentryBridge {
    errors: ErrorLayer,
    crumbs: BreadcrumbLayer,
}

impl Default for SentryBridge {
    fn default() -> Self {
        Self {
            errors: ErrorLayer::new(),
            crumbs: BreadcrumbLayer::new(),
        }
    }
}

impl<S> Layer<S> for SentryBridge
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let Some(reporter) = super::active() else {
            return;
        };
        // The panic hook reports the panic itself; its CRITICAL log line
        // would be a second event for the same crash.
        if event.metadata().fields().field("critical").is_some() {
            return;
        }
        reporter.bind_current();
        if level == Level::ERROR {
            self.errors.on_event(event, ctx);
        } else {
            self.crumbs.on_event(event, ctx);
        }
    }
}
