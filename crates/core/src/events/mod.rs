//! What happens, named once: the `log_event!` macro for business log lines
//! and the closed catalogue of product events ([`product`]). Both sit below
//! every layer that reports something, so the domain can name an event
//! without knowing who writes it down (logging) or sends it (telemetry).

pub mod product;

pub use product::Event;

#[doc(hidden)]
pub use tracing as __tracing;

/// Logs one business event: `log_event!("project.created", project_id = id)`.
/// The name must be listed, with its fields, in `docs/events.md` (a test
/// checks). Field values are ids, counts, durations and codes, never text a
/// user typed.
/// Failures take a level first: `log_event!(error, "ui.error", ...)`, or
/// `log_event!(critical, "app.panicked", ...)` for the last line of a crash.
#[macro_export]
macro_rules! log_event {
    (critical, $name:literal $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::events::__tracing::error!(target: "timetracker", critical = true, $($key = $value,)* $name)
    };
    (error, $name:literal $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::events::__tracing::error!(target: "timetracker", $($key = $value,)* $name)
    };
    (warn, $name:literal $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::events::__tracing::warn!(target: "timetracker", $($key = $value,)* $name)
    };
    ($name:literal $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::events::__tracing::info!(target: "timetracker", $($key = $value,)* $name)
    };
}
