//! Free text that reaches a log line from outside our code (a panic
//! message, a JavaScript error) can quote what the user typed. It goes
//! through the crash reporter's scrubber, handed in by the composition root
//! (logging sits below crash reports and may not reach up for it).

use std::sync::{Arc, RwLock};

/// Scrubs one text; `None` when the user's words could not be loaded.
pub type Redactor = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Written instead of a message that could not be scrubbed: failing
/// closed loses a message, failing open could log a client's name.
pub const WITHHELD: &str = "[withheld: the user's words could not be loaded to scrub it]";

static REDACTOR: RwLock<Option<Redactor>> = RwLock::new(None);

/// Scrubs `panic_message` and `ui_message` with `redactor` from now on.
pub fn set_redactor(redactor: Redactor) {
    if let Ok(mut slot) = REDACTOR.write() {
        *slot = Some(redactor);
    }
}

/// `text` with the home folder as `~` and, once a redactor is set, the
/// user's words, host and user name replaced.
pub fn redact(text: &str) -> String {
    let text = super::scrub_home(text);
    let redactor = REDACTOR.read().ok().and_then(|r| r.clone());
    match redactor {
        Some(r) => r(&text).unwrap_or_else(|| WITHHELD.to_owned()),
        None => text,
    }
}

/// A JavaScript `error` or `unhandledrejection` from the window, as the
/// window sends it (its TypeScript type is generated from this one).
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
#[ts(export, rename = "UiErrorReport")]
pub struct UiError {
    #[ts(type = "'error' | 'unhandledrejection'")]
    pub kind: String,
    pub message: String,
    pub source: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub last_command: Option<String>,
}

/// Logs `ui.error` (error level: with crash reports on, a Sentry event
/// through the log bridge), its texts cut and scrubbed.
pub fn log_ui_error(e: &UiError) {
    let kind = if e.kind == "unhandledrejection" {
        "unhandledrejection"
    } else {
        "error"
    };
    crate::log_event!(
        error,
        "ui.error",
        kind = kind,
        ui_message = redact(&super::truncate(&e.message, 500)),
        source = e.source.as_ref().map(|s| redact(&super::truncate(s, 300))),
        line = e.line,
        column = e.column,
        last_command = e.last_command.as_ref().map(|c| super::truncate(c, 64)),
    );
}
