//! `tt webhooks`: add, list and remove webhooks, send a test delivery, and
//! read the delivery log. The app sends queued deliveries while it runs;
//! `tt` queues them, and sends them with `tt webhooks send` (and a test at
//! once). Output shapes: docs/cli.md.

use std::fmt::Write as _;

use timetracker_core::webhooks::{Delivery, Webhook};
use timetracker_core::Tracker;

use crate::commands::{Out, Outcome};
use crate::WebhookAction;

pub fn run(
    t: &mut Tracker,
    action: WebhookAction,
    tz: &crate::zone::LazyZone<'_>,
    out: &mut Out,
) -> Outcome {
    match action {
        WebhookAction::List => {
            let hooks = t.list_webhooks()?;
            if out.json {
                return out.json(&hooks);
            }
            out.text(list_text(&hooks));
        }
        WebhookAction::Add { url, events } => {
            let hook = t.add_webhook(&url, &events)?;
            if out.json {
                return out.json(&hook);
            }
            let mut text = format!(
                "Added webhook {} for {}\nEvents: {}\nSigning secret: {}\n",
                hook.id,
                hook.url,
                hook.events.join(", "),
                hook.secret
            );
            if !hook.loopback {
                text.push_str(
                    "Note: this address is not on this computer, so each delivery sends your entries' and projects' data (descriptions, names, times) to it.\n",
                );
            }
            text.push_str(
                "The app sends deliveries while it runs (`tt webhooks send` when it does not); `tt webhooks test ID` sends one now.\n",
            );
            out.text(text);
        }
        WebhookAction::Remove { id } => {
            t.remove_webhook(id)?;
            if out.json {
                return out.json(&serde_json::json!({ "removed": id }));
            }
            out.text(format!("Removed webhook {id} and its queued deliveries\n"));
        }
        WebhookAction::Test { id } => {
            let delivered = t.send_webhook_test(id)?;
            if out.json {
                return out.json(&delivered);
            }
            out.text(format!(
                "Delivered {} to webhook {id}: HTTP {}\n",
                delivered.uuid,
                delivered.last_status.unwrap_or_default()
            ));
        }
        WebhookAction::Send => {
            let sent = t.send_due_webhooks()?;
            if out.json {
                return out.json(&sent);
            }
            let mut text = format!(
                "Delivered {}",
                plural(sent.delivered, "delivery", "deliveries")
            );
            match (sent.waiting, sent.next_attempt_at) {
                (0, _) => text.push_str("; none waiting\n"),
                (n, Some(next)) => {
                    let _ = writeln!(
                        text,
                        "; {} waiting, the next at {} (see `tt webhooks log`)",
                        n,
                        crate::text::clock(next, tz)
                    );
                }
                (n, None) => {
                    let _ = writeln!(text, "; {n} waiting");
                }
            }
            out.text(text);
        }
        WebhookAction::Log { id, limit } => {
            let log = t.webhook_deliveries(id, limit)?;
            if out.json {
                return out.json(&log);
            }
            out.text(log_text(&log, tz));
        }
    }
    Ok(())
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn list_text(hooks: &[Webhook]) -> String {
    if hooks.is_empty() {
        return "No webhooks. Add one with `tt webhooks add URL`.\n".into();
    }
    let mut text = String::new();
    for h in hooks {
        let _ = writeln!(
            text,
            "{}  {}{}\n    {}\n    {} waiting, {} delivered, {} failed",
            h.id,
            h.url,
            if h.loopback {
                ""
            } else {
                "  (leaves this computer)"
            },
            h.events.join(", "),
            h.pending,
            h.delivered,
            h.failed
        );
    }
    text
}

fn log_text(log: &[Delivery], tz: &crate::zone::LazyZone<'_>) -> String {
    if log.is_empty() {
        return "No deliveries yet.\n".into();
    }
    let mut text = String::new();
    for d in log {
        let state = match (d.delivered_at, d.gave_up_at, d.next_attempt_at) {
            (Some(_), _, _) => "delivered".to_owned(),
            (None, Some(_), _) => "failed, given up".to_owned(),
            (None, None, Some(next)) if d.attempts > 0 => {
                format!("waiting, next try {}", crate::text::clock(next, tz))
            }
            _ => "waiting".to_owned(),
        };
        let last = match (&d.last_status, &d.last_error) {
            (Some(s), _) => format!(", last HTTP {s}"),
            (None, Some(e)) => format!(", last error: {e}"),
            _ => String::new(),
        };
        let _ = writeln!(
            text,
            "{}  webhook {}  {}  {}  {} attempt(s){last}  {}",
            crate::text::clock(d.created_at, tz),
            d.webhook_id,
            d.event,
            state,
            d.attempts,
            d.uuid
        );
    }
    text
}
