//! Desktop integration decided in core, so it can be tested with a fake
//! clock: idle detection, forgotten and stale timers (heartbeat), working
//! hours reminders and the settings behind them. The shell only gathers
//! input (idle time from X11 or D-Bus, the wall clock) and shows dialogs.

pub mod heartbeat;
pub mod idle;
pub mod reminders;
pub mod settings;

pub use heartbeat::{log_forgotten_prompted, StaleDecision, StaleTimer, HEARTBEAT_KEY};
pub use idle::{IdleDecision, IdleDetector, IdlePrompt, IdleSource, IdleSources};
pub use reminders::{log_reminder_shown, reminder_due};
pub use settings::{DesktopSettings, DesktopStatus, Reminders, DESKTOP_KEY, IDLE_TIMEOUT_ENV};

#[cfg(test)]
mod idle_tests;
#[cfg(test)]
mod tests;
